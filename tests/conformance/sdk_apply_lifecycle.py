#!/usr/bin/env python3
"""tccert's own apply carries a paid certificate through its life against
`tccert emulator`, and the official Python SDK reads what it left after each
step:

- `apply --allow-purchase` through a dropped CreateCertificate reply
  (`--fault drop-after-write:CreateCertificate=first:1`): bought once, tagged
  `tccert:certificate=shop`, submitted, ordered (an OV product: 8) and its
  confirmation letter uploaded (8 -> 0); the SDK lists exactly one
  certificate by the tag and reads its status and SubmittedData;
- a second apply buys nothing (the SDK still lists one);
- the manifest changes, `apply --restart shop` cancels (6 -> 7 after
  `--cancel-after 1`), resubmits, submits, orders and uploads the letter
  again; the SDK reads the new information.

    python3 tests/conformance/sdk_apply_lifecycle.py target/debug/tccert

It prints one line per check and ends with `N passed, M failed`; exit 1 on
any failure. Everything runs on 127.0.0.1. Needs the official SDK
(`pip install tencentcloud-sdk-python-common`), as sdk_conformance.py.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sdk_conformance import (  # noqa: E402
    SECRET_ID,
    SECRET_KEY,
    Checks,
    Emulator,
    client,
    expect,
    without_proxies,
)

NAME = "shop"
DOMAIN = "shop.acme.example"
TAG = [{"TagKey": "tccert:certificate", "TagValue": NAME}]


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} /path/to/tccert")
    binary = os.path.abspath(sys.argv[1])
    without_proxies()
    checks = Checks()
    started = []
    checks.run(
        "emulator with a dropped CreateCertificate reply starts",
        lambda: started.append(Emulator(binary, extra_args=[
            "--fault", "drop-after-write:CreateCertificate=first:1", "--cancel-after", "1",
        ])) or started[0].url,
    )
    if started:
        try:
            run(checks, binary, started[0])
        finally:
            started[0].stop()
    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


def run(checks, binary, emulator):
    sdk = client(emulator)
    work = tempfile.mkdtemp(prefix="tccert-apply-lifecycle-")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.makedirs(os.path.join(work, "profiles"))
    os.makedirs(os.path.join(work, "certificates"))
    with open(os.path.join(repo, "tests", "fixtures", "profile.yaml"), encoding="utf-8") as f:
        profile = f.read()
    profile_path = os.path.join(work, "profiles", "acme.yaml")
    with open(profile_path, "w", encoding="utf-8") as f:
        f.write(profile)
    with open(os.path.join(work, "certificates", "letter.pdf"), "wb") as f:
        f.write(b"%PDF-1.4\n" + b" " * 2039)
    with open(os.path.join(work, "certificates", "shop.yaml"), "w", encoding="utf-8") as f:
        f.write(f"apiVersion: tccert/v1\nkind: Certificate\nname: {NAME}\nprofiles: [acme]\n"
                f"domain: {DOMAIN}\ncsr:\n  type: online\ncommit: true\n"
                "purchase:\n  product: 9\nconfirm_letter: letter.pdf\n")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": work,
           "TENCENTCLOUD_SECRET_ID": SECRET_ID, "TENCENTCLOUD_SECRET_KEY": SECRET_KEY}

    def apply(*args):
        done = subprocess.run([binary, "apply", ".", "--endpoint", emulator.url, "--output", "json",
                               "--timeout", "1", *args],
                              cwd=work, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=120)
        err = done.stderr.decode("utf-8", "replace")
        expect(done.returncode == 0, f"apply {args} exited {done.returncode}: {err}")
        return json.loads(done.stdout)["certificates"][0]

    def state():
        with urllib.request.urlopen(f"{emulator.url}/_emulator/state", timeout=30) as reply:
            return json.loads(reply.read())

    def tagged():
        reply = sdk.call_json("DescribeCertificates", {"Tags": TAG, "Limit": 10})["Response"]
        return [item["CertificateId"] for item in reply["Certificates"]]

    def detail(certificate_id):
        return sdk.call_json("DescribeCertificateDetail", {"CertificateId": certificate_id})["Response"]

    bought = []

    def buys_once_through_a_dropped_reply():
        result = apply("--allow-purchase")
        expect(result["writes"] == ["purchase", "submit", "order", "letter"], f"writes {result['writes']}")
        expect(state()["requests_by_action"].get("CreateCertificate") == 1, "CreateCertificate sent once")
        expect(state()["faults_injected"] >= 1, "the reply was dropped")
        ids = tagged()
        expect(ids == [result["certificate_id"]], f"the SDK lists {ids} by the tag")
        bought.append(ids[0])
        reply = detail(ids[0])
        expect(reply["Status"] == 0, f"the SDK reads status {reply['Status']} (the letter moved it on)")
        data = reply["SubmittedData"]
        expect(data["CertificateDomain"] == DOMAIN, f"SubmittedData {data}")
        expect(data["OrganizationDivision"] == "IT", f"SubmittedData {data}")
        return ids[0]

    def a_second_apply_buys_nothing():
        result = apply("--allow-purchase")
        expect(result["result"] == "in_sync", result["result"])
        expect(result["writes"] == [], f"writes {result['writes']}")
        expect(tagged() == bought, f"the SDK lists {tagged()}")
        expect(state()["requests_by_action"].get("CreateCertificate") == 1, "still one purchase")

    def restart_to_the_end():
        with open(profile_path, "w", encoding="utf-8") as f:
            f.write(profile.replace("division: IT", "division: Platform"))
        result = apply("--restart", NAME)
        expect(result["writes"] == ["cancel", "resubmit", "submit", "order", "letter"],
               f"writes {result['writes']}")
        reply = detail(bought[0])
        expect(reply["Status"] == 0, f"the SDK reads status {reply['Status']}")
        expect(reply["SubmittedData"]["OrganizationDivision"] == "Platform",
               f"SubmittedData {reply['SubmittedData']}")
        received = state()["certificates"][bought[0]]["lifecycle_received"]
        expect(received.get("CancelAuditCertificate") == 1, f"lifecycle_received {received}")

    checks.run("tccert apply --allow-purchase: bought once, tagged, submitted, ordered, letter; the SDK reads it",
               buys_once_through_a_dropped_reply)
    if bought:
        checks.run("a second apply finds it by its tag and buys nothing", a_second_apply_buys_nothing)
        checks.run("tccert apply --restart: cancel, resubmit, submit, order, letter; the SDK reads the change",
                   restart_to_the_end)


if __name__ == "__main__":
    sys.exit(main())
