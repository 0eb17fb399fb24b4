"""The peer of `cargo bench --bench apply`: what a team scripts today.

A sequential loop over the official Python SDK (tencentcloud-sdk-python-common,
CommonClient) doing the same job as `tccert apply`: for each certificate,
DescribeCertificateDetail, and when the status is 5 (pending information
submission), the same requests tccert would send, in the same order.

Usage: python3 peer_apply.py HOST:PORT REQUESTS_JSON
  REQUESTS_JSON is the output of `tccert render DIR --output json`.
  Credentials come from TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY.

Prints one JSON line: {"certificates": N, "describes": D, "writes": W, "errors": E}.
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


def main() -> int:
    hostport, requests_path = sys.argv[1], sys.argv[2]
    with open(requests_path, encoding="utf-8") as f:
        certificates = json.load(f)["certificates"]
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=hostport, reqTimeout=30))
    cred = credential.Credential(os.environ["TENCENTCLOUD_SECRET_ID"], os.environ["TENCENTCLOUD_SECRET_KEY"])
    client = CommonClient("ssl", VERSION, cred, "", profile)

    describes = writes = errors = 0
    for certificate in certificates:
        try:
            detail = client.call_json(
                "DescribeCertificateDetail", {"CertificateId": certificate["certificate_id"]}
            )["Response"]
            describes += 1
            if detail.get("Status") != 5:
                continue
            for request in certificate["requests"]:
                client.call_json(request["action"], request["body"])
                writes += 1
        except TencentCloudSDKException as error:
            # A script like this one usually has no retry: count and go on.
            errors += 1
            print(f"{certificate['name']}: {error.get_code()}", file=sys.stderr)
    print(json.dumps({"certificates": len(certificates), "describes": describes, "writes": writes, "errors": errors}))
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
