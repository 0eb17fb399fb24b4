#!/usr/bin/env bash
# The official command line, tccli, against `tccert emulator --tls`, pointed
# at it exactly as docs/cli.md ("Official clients against the emulator")
# says: its own virtual environment, the emulator's CA appended to that
# environment's certifi bundle, `--endpoint 127.0.0.1:PORT`. Buys a
# certificate with the tag tccert gives it and finds it again by the tag.
#
# usage: tests/conformance/tccli_conformance.sh TCCERT VENV
#   TCCERT  the tccert binary; VENV  a virtual environment with tccli
set -euo pipefail
tccert="$1"
venv="$2"
work="$(mktemp -d)"
trap 'kill "$emulator" 2>/dev/null || true; rm -rf "$work"' EXIT

"$tccert" emulator --tls --tls-ca-out "$work/ca.pem" --seed-id tccli1=www.acme.example \
    > "$work/url" 2> "$work/stderr" &
emulator=$!
for _ in $(seq 100); do
    [ "$(wc -l < "$work/url")" -ge 3 ] && break
    sleep 0.1
done
port="$(head -n 1 "$work/url" | sed 's/.*://')"
secret_id="$(sed -n 's/^TENCENTCLOUD_SECRET_ID=//p' "$work/url")"
secret_key="$(sed -n 's/^TENCENTCLOUD_SECRET_KEY=//p' "$work/url")"
[ -n "$port" ] && [ -n "$secret_id" ] && [ -n "$secret_key" ] || {
    echo "the emulator did not start" >&2
    cat "$work/stderr" >&2
    exit 1
}

# Only this environment's bundle trusts the emulator's CA.
cat "$work/ca.pem" >> "$("$venv/bin/python" -m certifi)"

tccli() {
    "$venv/bin/tccli" ssl "$@" --endpoint "127.0.0.1:$port" --region ap-guangzhou \
        --secretId "$secret_id" --secretKey "$secret_key"
}
check() {
    # $1: a Python expression over `r`, the reply; $2: what it checks.
    "$venv/bin/python" -c "import json,sys; r=json.load(sys.stdin); sys.exit(0 if ($1) else 1)" \
        || { echo "tccli conformance: FAILED: $2" >&2; exit 1; }
    echo "ok: $2"
}

tccli DescribeCertificates | check 'r["TotalCount"] == 1 and r["Certificates"][0]["CertificateId"] == "tccli1"' \
    "DescribeCertificates lists the seeded certificate"
tag='[{"TagKey":"tccert:certificate","TagValue":"shop"}]'
tccli CreateCertificate --ProductId 9 --DomainNum 1 --TimeSpan 1 --AutoVoucher 0 --Tags "$tag" \
    > "$work/bought.json"
check 'len(r["CertificateIds"]) == 1 and len(r["DealIds"]) == 1' \
    "CreateCertificate buys one certificate" < "$work/bought.json"
bought="$("$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["CertificateIds"][0])' < "$work/bought.json")"
tccli DescribeCertificates --Tags "$tag" \
    | check "r['TotalCount'] == 1 and r['Certificates'][0]['CertificateId'] == '$bought' and r['Certificates'][0]['Status'] == 5 and 'PackageTypeName' in r['Certificates'][0]" \
    "DescribeCertificates with Tags finds it again, at 5, with PackageTypeName"
tccli DescribeCertificateDetail --CertificateId "$bought" \
    | check "{'TagKey': 'tccert:certificate', 'TagValue': 'shop'} in r['Tags']" \
    "its detail carries the tag"
echo "tccli conformance: 4/4"
