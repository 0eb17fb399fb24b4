#!/usr/bin/env python3
"""Proves that tccert's TC3-HMAC-SHA256 signing is byte-for-byte the official
Tencent Cloud Python SDK's, in both directions:

(a) the official SDK (CommonClient, plain http) calls tccert's emulator:
    DescribeCertificateDetail, SubmitCertificateInformation,
    CertificateInfoSubmit (its successor) and CertificateOrderSubmit must
    all succeed, and the emulator's error envelope must surface as the SDK's
    own exception;
(b) SDK-signed requests with the body or a signed header tampered, a wrong
    key, an unknown SecretId or an old timestamp must be refused with the
    API's codes (AuthFailure.SignatureFailure / SecretIdNotFound /
    SignatureExpire), while the untampered request passes;
(c) `tccert debug-sign` must print exactly the Authorization (and headers)
    that the SDK computes for the same inputs, including the SSL-shaped
    vector B of `vector_b_ssl_sdk_code_path` in src/api/sign.rs (docs/api.md
    section 2 gives the algorithm);
(e) the lifecycle actions through the SDK: CreateCertificate (tagged),
    DescribeCertificates by tag (PackageTypeName), submit, order (8),
    UploadConfirmLetter (its size and type errors, then 8 -> 0),
    CheckCertificateDomainVerification, CancelAuditCertificate (-> 7),
    ModifyCertificateResubmit (-> 5), submit and order again, the letter,
    CompleteCertificate (-> 1) and DownloadCertificate (a ZIP that Python's
    zipfile opens, holding a two-certificate chain and the key);
(d) over HTTPS: `tccert emulator --tls --tls-ca-out CA` serves the SDK
    unchanged (protocol https, the CA given as HttpProfile's
    `certification`: the SDK passes certifi's bundle to requests
    explicitly, so REQUESTS_CA_BUNDLE is not read): describe, submit and
    order succeed, and an SDK that does not trust the CA is refused.

Usage:
    pip install tencentcloud-sdk-python-common
    python3 tests/conformance/sdk_conformance.py /path/to/tccert

It runs `tccert emulator --listen 127.0.0.1:0 --seed-id abcb1234=www.example.com
--seed-id info5678=info.example.com`
with a fixed test credential pair in TENCENTCLOUD_SECRET_ID/KEY and reads the
URL from its first stdout line. Prints one line per check and ends with
`N passed, M failed`; the exit status is 1 when anything failed.
"""

import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from unittest import mock

SECRET_ID = "AKIDconformance0000000000000000000000"
SECRET_KEY = "conformanceSecretKey0000000000000"
CERT_ID = "abcb1234"
DOMAIN = "www.example.com"
# The certificate CertificateInfoSubmit submits for (the other one goes
# through SubmitCertificateInformation).
INFO_CERT_ID = "info5678"
INFO_DOMAIN = "info.example.com"
VERSION = "2019-12-05"

try:
    from tencentcloud.common import abstract_client, credential
    from tencentcloud.common.common_client import CommonClient
    from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
        TencentCloudSDKException,
    )
    from tencentcloud.common.http.request import RequestInternal
    from tencentcloud.common.profile.client_profile import ClientProfile
    from tencentcloud.common.profile.http_profile import HttpProfile
    from tencentcloud.common.sign import Sign
except ImportError:
    sys.exit("needs the official SDK: pip install tencentcloud-sdk-python-common")


class Checks:
    """Runs named checks, printing one line each, and counts the results."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn):
        try:
            detail = fn()
        except Exception as error:  # a check must never stop the others
            self.failed += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
            return
        self.passed += 1
        print(f"PASS {name}" + (f" ({detail})" if detail else ""), flush=True)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def without_proxies():
    """The SDK (through requests) honours proxy variables; loopback must not."""
    for name in list(os.environ):
        if name.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            del os.environ[name]
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"


class Emulator:
    """`tccert emulator` as a child process; stderr (logs) goes to a file so
    that a full pipe can never block it."""

    def __init__(self, binary, tls_ca_out=None, extra_args=()):
        env = dict(os.environ)
        env["TENCENTCLOUD_SECRET_ID"] = SECRET_ID
        env["TENCENTCLOUD_SECRET_KEY"] = SECRET_KEY
        for name in ("TENCENTCLOUD_TOKEN", "TENCENTCLOUD_SECURITY_TOKEN"):
            env.pop(name, None)
        self.log = tempfile.TemporaryFile()
        args = [binary, "emulator", "--listen", "127.0.0.1:0", "--seed-id", f"{CERT_ID}={DOMAIN}",
                "--seed-id", f"{INFO_CERT_ID}={INFO_DOMAIN}"]
        if tls_ca_out:
            args += ["--tls", "--tls-ca-out", tls_ca_out]
        args += list(extra_args)
        scheme = "https://" if tls_ca_out else "http://"
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
        )
        line = self._first_line(timeout=30)
        expect(line.startswith(f"{scheme}127.0.0.1:"), f"first stdout line is not a {scheme} URL: {line!r}")
        self.url = line
        self.hostport = line[len(scheme):].rstrip("/")
        host, port = self.hostport.rsplit(":", 1)
        self.host, self.port = host, int(port)
        # Keep draining stdout so the child can never block on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def _first_line(self, timeout):
        result = []
        reader = threading.Thread(target=lambda: result.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not result or not result[0]:
            self.stop()
            raise RuntimeError(f"the emulator printed no URL within {timeout}s; stderr:\n{self.stderr()}")
        return result[0].decode("utf-8", "replace").strip()

    def stderr(self):
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-4000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def client(emulator, secret_id=SECRET_ID, secret_key=SECRET_KEY):
    """The official CommonClient pointed at the emulator over plain http."""
    http_profile = HttpProfile(protocol="http", endpoint=emulator.hostport, reqTimeout=30)
    profile = ClientProfile(httpProfile=http_profile)
    return CommonClient("ssl", VERSION, credential.Credential(secret_id, secret_key), "", profile)


def tls_client(emulator, ca_file):
    """The official CommonClient over https, trusting `ca_file` (None: the
    SDK's default, certifi's bundle)."""
    http_profile = HttpProfile(protocol="https", endpoint=emulator.hostport, reqTimeout=30,
                               certification=ca_file)
    profile = ClientProfile(httpProfile=http_profile)
    return CommonClient("ssl", VERSION, credential.Credential(SECRET_ID, SECRET_KEY), "", profile)


def sdk_request(sdk_client, action, params, timestamp=None):
    """Lets the SDK build and sign a request without sending it, so it can be
    replayed (or tampered with) byte for byte. Returns (headers, body bytes)."""
    req = RequestInternal(
        sdk_client._get_endpoint(),
        sdk_client.profile.httpProfile.reqMethod,
        sdk_client._requestPath,
        header={},
    )
    if timestamp is None:
        sdk_client._build_req_inter(action, params, req)
    else:
        with mock.patch.object(abstract_client.time, "time", return_value=float(timestamp)):
            sdk_client._build_req_inter(action, params, req)
    body = req.data.encode("utf-8") if isinstance(req.data, str) else req.data
    return dict(req.header), body


def send(emulator, headers, body):
    """Sends exactly these headers and body; returns the parsed JSON reply."""
    conn = http.client.HTTPConnection(emulator.host, emulator.port, timeout=30)
    try:
        # http.client adds Host only when the headers lack it; these have it.
        conn.request("POST", "/", body=body, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    expect(response.status == 200, f"HTTP {response.status}: {raw[:200]!r}")
    return json.loads(raw)


def error_code(reply):
    return reply.get("Response", {}).get("Error", {}).get("Code", "OK")


def sdk_error(fn):
    """The code of the TencentCloudSDKException raised by fn, or 'OK'."""
    try:
        fn()
    except TencentCloudSDKException as error:
        return error.get_code()
    return "OK"


def canonical_signature(secret_key, host, content_type, body, timestamp, service="ssl"):
    """The SDK's canonical request for `content-type;host`, signed with the
    SDK's own Sign.sign_tc3: an oracle independent of tccert's code."""
    canonical = "\n".join([
        "POST", "/", "",
        f"content-type:{content_type}\nhost:{host}\n",
        "content-type;host",
        hashlib.sha256(body).hexdigest(),
    ])
    date = time.strftime("%Y-%m-%d", time.gmtime(timestamp))
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()])
    return date, Sign.sign_tc3(secret_key, date, service, to_sign)


def debug_sign(binary, secret_id, secret_key, host, action, timestamp, body):
    env = dict(os.environ)
    env["TENCENTCLOUD_SECRET_ID"] = secret_id
    env["TENCENTCLOUD_SECRET_KEY"] = secret_key
    out = subprocess.run(
        [binary, "debug-sign", "--host", host, "--action", action, "--timestamp", str(timestamp)],
        input=body.encode("utf-8"),
        capture_output=True,
        env=env,
        timeout=60,
    )
    expect(out.returncode == 0, f"debug-sign exited {out.returncode}: {out.stderr.decode(errors='replace')[-500:]}")
    return json.loads(out.stdout)


SUBMIT = {
    "CertificateId": CERT_ID,
    "CsrType": "online",
    "CertificateDomain": DOMAIN,
    "DomainList": ["api.example.com"],
    "OrganizationName": "腾讯科技 Conformance",
    "OrganizationDivision": "Qcloud",
    "OrganizationAddress": "No. 1000, Tencent Building",
    "OrganizationCountry": "CN",
    "OrganizationCity": "Shenzhen",
    "OrganizationRegion": "Guangdong",
    "PostalCode": "518000",
    "PhoneAreaCode": "0755",
    "PhoneNumber": "86013388",
    "VerifyType": "DNS",
    "AdminFirstName": "luke",
    "AdminLastName": "sky",
    "AdminPhoneNum": "12345678901",
    "AdminEmail": "admin@example.com",
    "AdminPosition": "developer",
    "ContactFirstName": "luke",
    "ContactLastName": "sky",
    "ContactEmail": "contact@example.com",
    "ContactNumber": "12345678901",
    "ContactPosition": "developer",
}


# CertificateInfoSubmit (docs/api.md section 3): CompanyType is an integer,
# as the SDKs send it; CompanyId/ManagerId "0" for none.
INFO_SUBMIT = {
    "CertId": INFO_CERT_ID,
    "GenCsrType": "online",
    "CertCommonName": INFO_DOMAIN,
    "CompanyType": 2,
    "CompanyId": "0",
    "DnsNames": ["api.example.com"],
    "OrgOrganization": "腾讯科技 Conformance",
    "OrgDivision": "Qcloud",
    "OrgAddress": "No. 1000, Tencent Building",
    "OrgCountry": "CN",
    "OrgCity": "Shenzhen",
    "OrgRegion": "Guangdong",
    "OrgPhoneArea": "0755",
    "OrgPhoneNumber": "86013388",
    "VerifyType": "DNS",
    "AdminFirstName": "luke",
    "AdminLastName": "sky",
    "AdminPhone": "12345678901",
    "AdminEmail": "admin@example.com",
    "AdminTitle": "developer",
    "TechFirstName": "leia",
    "TechLastName": "sky",
    "CsrKeyParameter": "2048",
    "CsrEncryptAlgo": "RSA",
    "ManagerId": "0",
    "TechPhone": "12345678902",
    "TechEmail": "contact@example.com",
    "TechTitle": "developer",
}

# What DescribeCertificateDetail's SubmittedData shows after INFO_SUBMIT: the
# old API's names (section 2.3); CompanyType, CompanyId, ManagerId and the key
# parameters have none.
INFO_SUBMITTED = {
    "CsrType": "online",
    "CertificateDomain": INFO_DOMAIN,
    "DomainList": ["api.example.com"],
    "OrganizationName": "腾讯科技 Conformance",
    "OrganizationDivision": "Qcloud",
    "OrganizationAddress": "No. 1000, Tencent Building",
    "OrganizationCountry": "CN",
    "OrganizationCity": "Shenzhen",
    "OrganizationRegion": "Guangdong",
    "PhoneAreaCode": "0755",
    "PhoneNumber": "86013388",
    "VerifyType": "DNS",
    "AdminFirstName": "luke",
    "AdminLastName": "sky",
    "AdminPhoneNum": "12345678901",
    "AdminEmail": "admin@example.com",
    "AdminPosition": "developer",
    "ContactFirstName": "leia",
    "ContactLastName": "sky",
    "ContactNumber": "12345678902",
    "ContactEmail": "contact@example.com",
    "ContactPosition": "developer",
}


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} /path/to/tccert")
    binary = os.path.abspath(sys.argv[1])
    without_proxies()
    checks = Checks()

    started = []
    checks.run("emulator starts and prints its URL first", lambda: started.append(Emulator(binary)) or started[0].url)
    if started:
        try:
            run_against_emulator(checks, started[0], binary)
        finally:
            started[0].stop()
    run_debug_sign(checks, binary)
    run_over_tls(checks, binary)
    run_lifecycle(checks, binary)
    run_tccert_complete_and_download(checks, binary)

    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return 1 if checks.failed else 0


def sdk_flow(sdk):
    """The checks of one certificate's life through the SDK: describe (status
    5, nothing submitted), submit, describe (what was submitted), order."""
    def describe_pending():
        reply = sdk.call_json("DescribeCertificateDetail", {"CertificateId": CERT_ID})["Response"]
        expect(reply["Status"] == 5, f"Status {reply['Status']}")
        expect(reply["Domain"] == DOMAIN, f"Domain {reply['Domain']}")
        expect(reply["SubmittedData"] is None, "SubmittedData is not null")
        return f"RequestId {reply['RequestId']}"

    def submit():
        reply = sdk.call_json("SubmitCertificateInformation", SUBMIT)["Response"]
        expect(reply["CertificateId"] == CERT_ID, f"CertificateId {reply.get('CertificateId')}")

    def describe_submitted():
        reply = sdk.call_json("DescribeCertificateDetail", {"CertificateId": CERT_ID})["Response"]
        expected = {k: v for k, v in SUBMIT.items() if k != "CertificateId"}
        expect(reply["SubmittedData"] == expected, f"SubmittedData {reply['SubmittedData']}")

    def order_submit():
        reply = sdk.call_json("CertificateOrderSubmit", {"CertId": CERT_ID})["Response"]
        expect(reply["Status"] == 8, f"Status {reply['Status']}")
        expect(reply["IsAudited"] is False, "IsAudited")
        return f"OrderId {reply['OrderId']}"

    return describe_pending, submit, describe_submitted, order_submit


def run_against_emulator(checks, emulator, binary):
    sdk = client(emulator)

    # (a) the official SDK against the emulator.
    describe_pending, submit, describe_submitted, order_submit = sdk_flow(sdk)

    def sdk_sees_api_errors():
        code = sdk_error(lambda: sdk.call_json("SubmitCertificateInformation", SUBMIT))
        expect(code == "FailedOperation.InvalidCertificateStatusCode", code)
        code = sdk_error(lambda: sdk.call_json("DescribeCertificateDetail", {"CertificateId": "nope"}))
        expect(code == "FailedOperation.CertificateNotFound", code)

    def info_submit():
        reply = sdk.call_json("CertificateInfoSubmit", INFO_SUBMIT)["Response"]
        expect(sorted(reply) == ["RequestId"], f"the reply holds only RequestId: {reply}")
        return f"RequestId {reply['RequestId']}"

    def describe_info_submitted():
        reply = sdk.call_json("DescribeCertificateDetail", {"CertificateId": INFO_CERT_ID})["Response"]
        expect(reply["Status"] == 5, f"Status {reply['Status']}")
        expect(reply["SubmittedData"] == INFO_SUBMITTED, f"SubmittedData {reply['SubmittedData']}")

    def info_order_submit():
        reply = sdk.call_json("CertificateOrderSubmit", {"CertId": INFO_CERT_ID})["Response"]
        expect(reply["Status"] == 8, f"Status {reply['Status']}")

    def sdk_sees_info_submit_errors():
        code = sdk_error(lambda: sdk.call_json("CertificateInfoSubmit", INFO_SUBMIT))
        expect(code == "FailedOperation.CertificateInfoSubmitStatusInvalid", code)
        code = sdk_error(lambda: sdk.call_json("CertificateInfoSubmit", dict(INFO_SUBMIT, CertId="nope")))
        expect(code == "FailedOperation.CertificateNotFound", code)
        missing = {k: v for k, v in INFO_SUBMIT.items() if k != "CompanyId"}
        code = sdk_error(lambda: sdk.call_json("CertificateInfoSubmit", missing))
        expect(code == "MissingParameter", code)
        code = sdk_error(lambda: sdk.call_json("CertificateInfoSubmit", dict(INFO_SUBMIT, PostalCode="518000")))
        expect(code == "UnknownParameter", code)

    checks.run("sdk DescribeCertificateDetail (status 5)", describe_pending)
    checks.run("sdk SubmitCertificateInformation", submit)
    checks.run("sdk DescribeCertificateDetail returns SubmittedData", describe_submitted)
    checks.run("sdk CertificateOrderSubmit (status 8)", order_submit)
    checks.run("sdk raises the API's error codes", sdk_sees_api_errors)
    checks.run("sdk CertificateInfoSubmit (reply: RequestId only)", info_submit)
    checks.run("sdk DescribeCertificateDetail returns it under the old names", describe_info_submitted)
    checks.run("sdk CertificateOrderSubmit after CertificateInfoSubmit", info_order_submit)
    checks.run("sdk raises CertificateInfoSubmit's error codes", sdk_sees_info_submit_errors)

    # (b) SDK-signed requests, replayed as built, then tampered.
    params = {"CertificateId": CERT_ID}

    def replay_untampered():
        headers, body = sdk_request(sdk, "DescribeCertificateDetail", params)
        code = error_code(send(emulator, headers, body))
        expect(code == "OK", code)

    def tampered_body():
        headers, body = sdk_request(sdk, "DescribeCertificateDetail", params)
        body = body.replace(CERT_ID.encode(), b"abcb1235")
        code = error_code(send(emulator, headers, body))
        expect(code == "AuthFailure.SignatureFailure", code)

    def tampered_content_type():
        headers, body = sdk_request(sdk, "DescribeCertificateDetail", params)
        headers["Content-Type"] = "application/json; charset=utf-8"
        code = error_code(send(emulator, headers, body))
        expect(code == "AuthFailure.SignatureFailure", code)

    def tampered_host():
        headers, body = sdk_request(sdk, "DescribeCertificateDetail", params)
        headers["Host"] = f"localhost:{emulator.port}"
        code = error_code(send(emulator, headers, body))
        expect(code == "AuthFailure.SignatureFailure", code)

    def wrong_key():
        bad = client(emulator, secret_key=SECRET_KEY + "x")
        code = sdk_error(lambda: bad.call_json("DescribeCertificateDetail", params))
        expect(code == "AuthFailure.SignatureFailure", code)

    def unknown_secret_id():
        bad = client(emulator, secret_id="AKIDunknown")
        code = sdk_error(lambda: bad.call_json("DescribeCertificateDetail", params))
        expect(code == "AuthFailure.SecretIdNotFound", code)

    def old_timestamp():
        headers, body = sdk_request(sdk, "DescribeCertificateDetail", params, timestamp=int(time.time()) - 600)
        code = error_code(send(emulator, headers, body))
        expect(code == "AuthFailure.SignatureExpire", code)

    checks.run("sdk-signed request replayed as built is accepted", replay_untampered)
    def tampered_info_submit():
        headers, body = sdk_request(sdk, "CertificateInfoSubmit", INFO_SUBMIT)
        expect(b'"CompanyType": 2' in body, f"the SDK sends an integer CompanyType: {body[:120]!r}")
        body = body.replace(b'"CompanyType": 2', b'"CompanyType": 1')
        code = error_code(send(emulator, headers, body))
        expect(code == "AuthFailure.SignatureFailure", code)

    checks.run("tampered body -> AuthFailure.SignatureFailure", tampered_body)
    checks.run("tampered CertificateInfoSubmit body -> AuthFailure.SignatureFailure", tampered_info_submit)
    checks.run("tampered Content-Type -> AuthFailure.SignatureFailure", tampered_content_type)
    checks.run("tampered Host -> AuthFailure.SignatureFailure", tampered_host)
    checks.run("wrong SecretKey -> AuthFailure.SignatureFailure", wrong_key)
    checks.run("unknown SecretId -> AuthFailure.SecretIdNotFound", unknown_secret_id)
    checks.run("timestamp 10 minutes old -> AuthFailure.SignatureExpire", old_timestamp)

    # debug-sign output is accepted by the emulator as sent (closes the loop).
    def debug_sign_accepted():
        body = json.dumps({"CertificateId": CERT_ID})
        out = debug_sign(binary, SECRET_ID, SECRET_KEY, emulator.hostport,
                         "DescribeCertificateDetail", int(time.time()), body)
        code = error_code(send(emulator, out["headers"], out["body"].encode("utf-8")))
        expect(code == "OK", code)

    checks.run("debug-sign output is accepted by the emulator", debug_sign_accepted)


def run_over_tls(checks, binary):
    # (d) the SDK, unchanged but for https and the CA, against `emulator --tls`.
    with tempfile.TemporaryDirectory() as scratch:
        ca_file = os.path.join(scratch, "emulator-ca.pem")
        started = []

        def start():
            started.append(Emulator(binary, tls_ca_out=ca_file))
            with open(ca_file, encoding="ascii") as pem:
                expect("-----BEGIN CERTIFICATE-----" in pem.read(), "the CA file holds no certificate")
            return started[0].url

        checks.run("emulator --tls prints an https URL and writes its CA", start)
        if not started:
            return
        emulator = started[0]
        try:
            describe, submit, describe_submitted, order = sdk_flow(tls_client(emulator, ca_file))

            def untrusted_is_refused():
                untrusted = tls_client(emulator, None)
                try:
                    untrusted.call_json("DescribeCertificateDetail", {"CertificateId": CERT_ID})
                except TencentCloudSDKException as error:
                    expect("CERTIFICATE_VERIFY_FAILED" in str(error) or "certificate verify failed" in str(error),
                           f"not a verification error: {error}")
                    return "certificate verify failed"
                raise AssertionError("the SDK accepted a server its bundle does not trust")

            checks.run("sdk over https: DescribeCertificateDetail", describe)
            checks.run("sdk over https: SubmitCertificateInformation", submit)
            checks.run("sdk over https: DescribeCertificateDetail returns SubmittedData", describe_submitted)
            checks.run("sdk over https: CertificateOrderSubmit (status 8)", order)
            checks.run("sdk over https without the CA is refused", untrusted_is_refused)
        finally:
            emulator.stop()


def run_debug_sign(checks, binary):
    # (c) tccert debug-sign against the SDK's own signing path.
    vector_b = ("AKIDEXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "ssl.tencentcloudapi.com",
                "DescribeCertificateDetail", 1551113065, '{"CertificateId": "LqQxgqUe"}')

    def sdk_vector_b_signature():
        _, sig = canonical_signature(vector_b[1], vector_b[2], "application/json", vector_b[5].encode(), vector_b[4])
        expect(sig == "34e655f63a81bb9ee022cb13154675640198b2e5f697c74f89f3d2ddcb713792", sig)

    def matches_sdk_client(secret_id, secret_key, host, action, timestamp, params):
        """debug-sign vs. the SDK client's full header-building path."""
        sdk_client = CommonClient(
            "ssl", VERSION, credential.Credential(secret_id, secret_key), "",
            ClientProfile(httpProfile=HttpProfile(endpoint=host)),
        )
        sdk_headers, sdk_body = sdk_request(sdk_client, action, params, timestamp=timestamp)
        out = debug_sign(binary, secret_id, secret_key, host, action, timestamp, sdk_body.decode("utf-8"))
        ours = out["headers"]
        expect(out["body"].encode("utf-8") == sdk_body, "body changed")
        expect(ours["Authorization"] == sdk_headers["Authorization"],
               f"\n  tccert: {ours['Authorization']}\n  sdk:    {sdk_headers['Authorization']}")
        for name in ("Content-Type", "Host", "X-TC-Action", "X-TC-Version", "X-TC-Timestamp"):
            expect(ours.get(name) == sdk_headers.get(name), f"{name}: {ours.get(name)!r} vs {sdk_headers.get(name)!r}")
        expected_names = ["Content-Type", "Host", "X-TC-Action", "X-TC-Version", "X-TC-Timestamp", "Authorization"]
        expect(sorted(ours) == sorted(expected_names), f"headers {sorted(ours)}")
        return ours["Authorization"].rsplit("=", 1)[1][:16] + "..."

    def vector_b_via_debug_sign():
        secret_id, secret_key, host, action, timestamp, body = vector_b
        out = debug_sign(binary, secret_id, secret_key, host, action, timestamp, body)
        expected = ("TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/ssl/tc3_request, "
                    "SignedHeaders=content-type;host, "
                    "Signature=34e655f63a81bb9ee022cb13154675640198b2e5f697c74f89f3d2ddcb713792")
        expect(out["headers"]["Authorization"] == expected, out["headers"]["Authorization"])

    def raw_utf8_body():
        # Bytes the SDK would never produce (it \\u-escapes), signed by tccert
        # and checked against the SDK's sign_tc3 over the same bytes.
        body = json.dumps({"CertificateId": "x", "OrganizationName": "腾讯云"}, ensure_ascii=False)
        timestamp = 1735689600  # 2025-01-01T00:00:00Z, a UTC date boundary
        out = debug_sign(binary, SECRET_ID, SECRET_KEY, "ssl.intl.tencentcloudapi.com",
                         "SubmitCertificateInformation", timestamp, body)
        date, sig = canonical_signature(SECRET_KEY, "ssl.intl.tencentcloudapi.com", "application/json",
                                        body.encode("utf-8"), timestamp)
        expected = (f"TC3-HMAC-SHA256 Credential={SECRET_ID}/{date}/ssl/tc3_request, "
                    f"SignedHeaders=content-type;host, Signature={sig}")
        expect(out["headers"]["Authorization"] == expected,
               f"\n  tccert: {out['headers']['Authorization']}\n  sdk:    {expected}")

    checks.run("sdk Sign.sign_tc3 reproduces vector B", sdk_vector_b_signature)
    checks.run("debug-sign reproduces vector B", vector_b_via_debug_sign)
    checks.run("debug-sign == sdk client (vector B inputs)",
               lambda: matches_sdk_client(*vector_b[:5], {"CertificateId": "LqQxgqUe"}))
    checks.run("debug-sign == sdk client (full submit, loopback host, 23:59:59 UTC)",
               lambda: matches_sdk_client(SECRET_ID, SECRET_KEY, "127.0.0.1:40123",
                                          "SubmitCertificateInformation", 1735689599, SUBMIT))
    checks.run("debug-sign == sdk client (CertificateInfoSubmit, integer CompanyType)",
               lambda: matches_sdk_client(SECRET_ID, SECRET_KEY, "ssl.tencentcloudapi.com",
                                          "CertificateInfoSubmit", 1735689600, INFO_SUBMIT))
    checks.run("debug-sign == sdk sign_tc3 over raw UTF-8 bytes", raw_utf8_body)


def pdf_letter(size):
    """A `size`-byte file whose content says PDF, base64 (UploadConfirmLetter)."""
    import base64
    return base64.b64encode(b"%PDF-1.4\n" + b" " * (size - 9)).decode("ascii")


def run_lifecycle(checks, binary):
    """(e) the lifecycle actions, each through the official SDK."""
    started = []
    checks.run("emulator for the lifecycle starts",
               lambda: started.append(Emulator(binary, extra_args=["--cancel-after", "0"])) or started[0].url)
    if not started:
        return
    emulator = started[0]
    sdk = client(emulator)
    bought = {}
    tag = [{"TagKey": "tccert:certificate", "TagValue": "conformance"}]

    def call(action, params):
        return sdk.call_json(action, params)["Response"]

    def status():
        return call("DescribeCertificateDetail", {"CertificateId": bought["id"]})["Status"]

    def create():
        reply = call("CreateCertificate", {"ProductId": 9, "DomainNum": 1, "TimeSpan": 1,
                                           "AutoVoucher": 0, "Tags": tag})
        expect(len(reply["CertificateIds"]) == 1, f"CertificateIds {reply['CertificateIds']}")
        expect(len(reply["DealIds"]) == 1, f"DealIds {reply['DealIds']}")
        bought["id"] = reply["CertificateIds"][0]
        expect(status() == 5, "a new certificate is at 5")
        return bought["id"]

    def create_errors():
        code = sdk_error(lambda: call("CreateCertificate", {"ProductId": 36, "DomainNum": 1, "TimeSpan": 1}))
        expect(code == "InvalidParameterValue", code)
        code = sdk_error(lambda: call("CreateCertificate", {"ProductId": 9, "DomainNum": 1}))
        expect(code == "MissingParameter", code)

    def list_by_tag():
        reply = call("DescribeCertificates", {"Tags": tag, "Limit": 10, "ProjectId": 0, "FilterSource": "buy"})
        expect(reply["TotalCount"] == 1, f"TotalCount {reply['TotalCount']}")
        item = reply["Certificates"][0]
        expect(item["CertificateId"] == bought["id"], item["CertificateId"])
        expect("PackageTypeName" in item and "TypeName" not in item, sorted(item))
        expect(item["Tags"] == tag, f"Tags {item['Tags']}")

    def submit_and_order():
        call("SubmitCertificateInformation", dict(SUBMIT, CertificateId=bought["id"]))
        reply = call("CertificateOrderSubmit", {"CertId": bought["id"]})
        expect(reply["Status"] == 8, f"an OV product waits for its letter: {reply['Status']}")

    def letter_errors():
        code = sdk_error(lambda: call("UploadConfirmLetter", {"CertificateId": bought["id"],
                                                              "ConfirmLetter": pdf_letter(1023)}))
        expect(code == "FailedOperation.ConfirmLetterTooSmall", code)
        import base64
        gif = base64.b64encode(b"GIF89a" + b"\0" * 2000).decode("ascii")
        code = sdk_error(lambda: call("UploadConfirmLetter", {"CertificateId": bought["id"], "ConfirmLetter": gif}))
        expect(code == "FailedOperation.InvalidConfirmLetterFormat", code)

    def letter():
        reply = call("UploadConfirmLetter", {"CertificateId": bought["id"], "ConfirmLetter": pdf_letter(4096)})
        expect(reply["IsSuccess"] is True and reply["CertificateId"] == bought["id"], str(reply))
        expect(status() == 0, "the letter moves 8 to 0")

    def checks_fail_until_issued():
        reply = call("CheckCertificateDomainVerification", {"CertificateId": bought["id"]})
        result = reply["VerificationResults"][0]
        expect(result["Domain"] == DOMAIN and result["LocalCheck"] == -1 and result["Issued"] is False, str(result))

    def cancel():
        reply = call("CancelAuditCertificate", {"CertificateId": bought["id"]})
        expect(reply["Result"] is True, str(reply))
        expect(status() == 7, "cancelled (--cancel-after 0)")
        code = sdk_error(lambda: call("CancelAuditCertificate", {"CertificateId": bought["id"]}))
        expect(code == "FailedOperation.CertificateNotFoundOrCantCancel", code)

    def resubmit():
        reply = call("ModifyCertificateResubmit", {"CertificateId": bought["id"]})
        expect(reply["CertificateId"] == bought["id"], str(reply))
        expect(status() == 5, "a resubmit reopens it at 5")
        submit_and_order()
        letter()

    def complete():
        code = sdk_error(lambda: call("DownloadCertificate", {"CertificateId": bought["id"]}))
        expect(code == "FailedOperation.InvalidCertificateStatusCode", code)
        reply = call("CompleteCertificate", {"CertificateId": bought["id"]})
        expect(reply["CertificateId"] == bought["id"], str(reply))
        expect(status() == 1, "issued")

    def download():
        import base64
        import io
        import zipfile
        reply = call("DownloadCertificate", {"CertificateId": bought["id"]})
        expect(reply["ContentType"] == "application/zip", reply["ContentType"])
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(reply["Content"])))
        expect(archive.testzip() is None, "a damaged entry")
        names = archive.namelist()
        chain = archive.read(f"{DOMAIN}_nginx/{DOMAIN}_bundle.crt").decode("ascii")
        expect(chain.count("-----BEGIN CERTIFICATE-----") == 2, "leaf and CA")
        key = archive.read(f"{DOMAIN}_nginx/{DOMAIN}.key").decode("ascii")
        expect("PRIVATE KEY" in key, "the key made for online")
        return ", ".join(names)

    checks.run("sdk CreateCertificate (one id, at 5)", create)
    checks.run("sdk raises CreateCertificate's error codes", create_errors)
    checks.run("sdk DescribeCertificates by tag (PackageTypeName, every filter)", list_by_tag)
    checks.run("sdk submit and order a bought OV certificate (8)", submit_and_order)
    checks.run("sdk raises UploadConfirmLetter's size and type errors", letter_errors)
    checks.run("sdk UploadConfirmLetter (8 -> 0)", letter)
    checks.run("sdk CheckCertificateDomainVerification (LocalCheck -1)", checks_fail_until_issued)
    checks.run("sdk CancelAuditCertificate (-> 7)", cancel)
    checks.run("sdk ModifyCertificateResubmit (-> 5), submit, order, letter", resubmit)
    checks.run("sdk CompleteCertificate (-> 1)", complete)
    checks.run("sdk DownloadCertificate (a ZIP zipfile opens, the chain, the key)", download)
    emulator.stop()


def run_tccert_complete_and_download(checks, binary):
    """(f) tccert's own `status --complete` and `download` against `tccert
    emulator --local-check-after 0`, then the official SDK reads what they
    left: the certificate issued by one CompleteCertificate, and the chain
    tccert wrote is the one the SDK downloads."""
    import base64
    import io
    import json
    import urllib.request
    import zipfile

    started = []
    checks.run("emulator for tccert's complete starts",
               lambda: started.append(Emulator(binary, extra_args=["--local-check-after", "0"]))
               or started[0].url)
    if not started:
        return
    emulator = started[0]
    sdk = client(emulator)
    work = tempfile.mkdtemp(prefix="tccert-conformance-")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.makedirs(os.path.join(work, "profiles"))
    os.makedirs(os.path.join(work, "certificates"))
    with open(os.path.join(repo, "tests", "fixtures", "profile.yaml"), encoding="utf-8") as f:
        profile = f.read()
    with open(os.path.join(work, "profiles", "acme.yaml"), "w", encoding="utf-8") as f:
        f.write(profile)
    with open(os.path.join(work, "certificates", "www.yaml"), "w", encoding="utf-8") as f:
        f.write("apiVersion: tccert/v1\nkind: Certificate\nname: www\n"
                f"certificate_id: {CERT_ID}\nprofiles: [acme]\ndomain: {DOMAIN}\n"
                "csr:\n  type: online\ncommit: true\n")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": work,
           "TENCENTCLOUD_SECRET_ID": SECRET_ID, "TENCENTCLOUD_SECRET_KEY": SECRET_KEY}

    def tccert(*args):
        done = subprocess.run([binary, *args, "--endpoint", emulator.url], cwd=work, env=env,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")

    def state():
        with urllib.request.urlopen(f"{emulator.url}/_emulator/state", timeout=30) as reply:
            return json.loads(reply.read())

    def apply_commits():
        code, out, err = tccert("apply", ".", "--output", "json")
        expect(code == 0, f"apply exited {code}: {err}")
        result = json.loads(out)["certificates"][0]["result"]
        expect(result == "committed", result)

    def status_completes_once():
        code, out, err = tccert("status", ".", "--complete", "--output", "json")
        expect(code == 0, f"status exited {code}: {err}")
        www = json.loads(out)["certificates"][0]
        expect(www["writes"] == ["complete"], f"writes {www['writes']}")
        expect(www["status"] == 1, f"status {www['status']}")
        reply = sdk.call_json("DescribeCertificateDetail", {"CertificateId": CERT_ID})["Response"]
        expect(reply["Status"] == 1, f"the SDK reads status {reply['Status']}")
        checked = sdk.call_json("CheckCertificateDomainVerification", {"CertificateId": CERT_ID})["Response"]
        result = checked["VerificationResults"][0]
        expect(result["Issued"] is True and result["CaCheck"] == 2, str(result))
        received = state()["certificates"][CERT_ID]["lifecycle_received"]
        expect(received.get("CompleteCertificate") == 1, f"lifecycle_received {received}")

    def download_matches_the_sdk():
        code, out, err = tccert("download", ".", "--out", "certs", "--output", "json")
        expect(code == 0, f"download exited {code}: {err}")
        expect(json.loads(out)["certificates"][0]["result"] == "downloaded", out)
        with open(os.path.join(work, "certs", "www", f"{DOMAIN}_nginx", f"{DOMAIN}_bundle.crt"),
                  encoding="ascii") as f:
            written = f.read()
        reply = sdk.call_json("DownloadCertificate", {"CertificateId": CERT_ID})["Response"]
        archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(reply["Content"])))
        sdk_chain = archive.read(f"{DOMAIN}_nginx/{DOMAIN}_bundle.crt").decode("ascii")
        expect(written == sdk_chain, "tccert wrote the chain the SDK downloads")
        mode = os.stat(os.path.join(work, "certs", "www", f"{DOMAIN}_nginx", f"{DOMAIN}.key")).st_mode & 0o777
        expect(mode == 0o600, f"key mode {oct(mode)}")

    try:
        checks.run("tccert apply --commit (8)", apply_commits)
        checks.run("tccert status --complete: one CompleteCertificate; the SDK reads 1", status_completes_once)
        checks.run("tccert download: the chain the SDK downloads, the key 0600", download_matches_the_sdk)
    finally:
        emulator.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
