"""The peer of `cargo bench --bench import`: what a team scripts today.

A sequential loop over the official Python SDK (tencentcloud-sdk-python-common,
CommonClient) doing the reading half of `tccert import`: list every
certificate with DescribeCertificates (pages of 1000), then
DescribeCertificateDetail for each, keeping the details in memory. It writes
no manifest: it is only the reads, which set the pace of an import.

Usage: python3 peer_import.py HOST:PORT
  Credentials come from TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY.

Prints one JSON line: {"pages": P, "details": D, "errors": E}.
"""

import json
import os
import sys

from tencentcloud.common import credential
from tencentcloud.common.common_client import CommonClient
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile

VERSION = "2019-12-05"
PAGE = 1000


def main() -> int:
    hostport = sys.argv[1]
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=hostport, reqTimeout=30))
    cred = credential.Credential(os.environ["TENCENTCLOUD_SECRET_ID"], os.environ["TENCENTCLOUD_SECRET_KEY"])
    client = CommonClient("ssl", VERSION, cred, "", profile)

    pages = errors = 0
    ids = []
    offset = 0
    while True:
        listed = client.call_json("DescribeCertificates", {"Offset": offset, "Limit": PAGE})["Response"]
        pages += 1
        batch = listed.get("Certificates") or []
        ids.extend(c["CertificateId"] for c in batch)
        offset += len(batch)
        if not batch or offset >= listed.get("TotalCount", 0):
            break
    details = {}
    for certificate_id in ids:
        try:
            details[certificate_id] = client.call_json(
                "DescribeCertificateDetail", {"CertificateId": certificate_id}
            )["Response"]
        except TencentCloudSDKException as error:
            # A script like this one usually has no retry: count and go on.
            errors += 1
            print(f"{certificate_id}: {error.get_code()}", file=sys.stderr)
    print(json.dumps({"pages": pages, "details": len(details), "errors": errors}))
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
