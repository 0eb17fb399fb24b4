//! TC3-HMAC-SHA256, the Tencent Cloud API 3.0 request signature, both ways:
//! signing what tccert sends, and verifying what the emulator receives.
//!
//! Everything here is a pure function of its inputs. The timestamp is always
//! passed in, never read from a clock, so the official test vectors can be
//! replayed exactly and the emulator can judge clock skew on its own terms.
//! Secret keys are only ever borrowed as `&str` arguments; no type in this
//! module stores one, so none can leak through `Debug` or a log line.
//!
//! The algorithm (docs/api.md §2, "Signing: TC3-HMAC-SHA256"):
//!
//! ```text
//! CanonicalRequest = "POST\n/\n\n" + CanonicalHeaders + "\n" + SignedHeaders + "\n" + hex(sha256(body))
//! StringToSign     = "TC3-HMAC-SHA256\n" + timestamp + "\n" + date/service/tc3_request + "\n" + hex(sha256(CanonicalRequest))
//! Signature        = hex(HMAC(HMAC(HMAC(HMAC("TC3"+key, date), service), "tc3_request"), StringToSign))
//! ```

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The algorithm name that opens the Authorization header and the string to sign.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// The credential-scope service of the SSL API, on every host (China, intl, regional).
pub const SSL_SERVICE: &str = "ssl";

/// Payload marker of `X-TC-Content-SHA256`: the body is left out of the signature.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The UTC calendar date (`YYYY-MM-DD`) of a Unix timestamp in seconds.
///
/// The credential scope must use the UTC date; a local date breaks every call
/// made just after local midnight. Uses the days-to-civil algorithm of
/// Howard Hinnant, valid for the whole proleptic Gregorian calendar.
pub fn utc_date(timestamp: i64) -> String {
    let days = timestamp.div_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Converts days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Shift the epoch to 0000-03-01 so that the leap day is the last day of
    // a "year", which makes the month arithmetic branch-free.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both values are small by construction (1..=31, 1..=12).
    (year, month as u32, day as u32)
}

/// One POST request to sign, as tccert sends it.
#[derive(Debug, Clone, Copy)]
pub struct RequestToSign<'a> {
    /// The `Host` header, e.g. `ssl.tencentcloudapi.com` or `127.0.0.1:40123`.
    pub host: &'a str,
    /// The `Content-Type` header, byte for byte as sent (`application/json`).
    pub content_type: &'a str,
    /// When `Some`, `x-tc-action` is signed as well (value lower-cased), as in
    /// the official doc example; the SDKs sign only `content-type;host`.
    pub action: Option<&'a str>,
    /// The exact body bytes that go on the wire.
    pub payload: &'a [u8],
    /// `X-TC-Timestamp`, Unix seconds.
    pub timestamp: i64,
    /// The credential-scope service, [`SSL_SERVICE`] for this crate.
    pub service: &'a str,
}

impl RequestToSign<'_> {
    /// The `(lower-case name, value)` pairs that are signed, in signed order.
    fn signed_header_pairs(&self) -> Vec<(&str, &str)> {
        let mut headers = vec![("content-type", self.content_type), ("host", self.host)];
        if let Some(action) = self.action {
            headers.push(("x-tc-action", action));
        }
        headers
    }

    /// The `SignedHeaders` value: `content-type;host` or `content-type;host;x-tc-action`.
    pub fn signed_headers(&self) -> String {
        join_names(&self.signed_header_pairs())
    }
}

fn join_names(headers: &[(&str, &str)]) -> String {
    headers
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(";")
}

/// Lower-case hex of SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The canonical request from its parts; shared by signer and verifier so
/// that both build exactly the same bytes.
///
/// `headers` are `(lower-case name, value)` in the order of `SignedHeaders`;
/// each line is `name:lowercase(trim(value))`, as the signature doc says.
pub fn canonical_request_from_parts(
    method: &str,
    uri: &str,
    query: &str,
    headers: &[(&str, &str)],
    hashed_payload: &str,
) -> String {
    let mut canonical_headers = String::new();
    for (name, value) in headers {
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&value.trim().to_ascii_lowercase());
        canonical_headers.push('\n');
    }
    format!(
        "{method}\n{uri}\n{query}\n{canonical_headers}\n{}\n{hashed_payload}",
        join_names(headers)
    )
}

/// The canonical request of a POST to `/` with a signed JSON payload.
pub fn canonical_request(req: &RequestToSign) -> String {
    canonical_request_from_parts(
        "POST",
        "/",
        "",
        &req.signed_header_pairs(),
        &sha256_hex(req.payload),
    )
}

/// `<date>/<service>/tc3_request`.
pub fn credential_scope(date: &str, service: &str) -> String {
    format!("{date}/{service}/tc3_request")
}

/// The string to sign, from the hash of a canonical request.
pub fn string_to_sign_from_hash(timestamp: i64, service: &str, hashed_canonical: &str) -> String {
    let scope = credential_scope(&utc_date(timestamp), service);
    format!("{ALGORITHM}\n{timestamp}\n{scope}\n{hashed_canonical}")
}

/// The string to sign of a request.
pub fn string_to_sign(req: &RequestToSign) -> String {
    string_to_sign_from_hash(
        req.timestamp,
        req.service,
        &sha256_hex(canonical_request(req).as_bytes()),
    )
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length (longer ones are hashed first), so
    // construction cannot fail whatever the secret key is.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .expect("HMAC-SHA256 accepts keys of every length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The derived signing key `SecretSigning` for one date and service.
///
/// Returned so that tests can check the intermediate values of the official
/// example; treat it as a secret too.
pub fn signing_key(secret_key: &str, date: &str, service: &str) -> [u8; 32] {
    let secret_date = hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = hmac_sha256(&secret_date, service.as_bytes());
    hmac_sha256(&secret_service, b"tc3_request")
}

/// The hex signature of a string to sign.
pub fn signature(secret_key: &str, date: &str, service: &str, string_to_sign: &str) -> String {
    hex::encode(hmac_sha256(
        &signing_key(secret_key, date, service),
        string_to_sign.as_bytes(),
    ))
}

/// The whole `Authorization` header value:
/// `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<..>, Signature=<hex>`.
pub fn authorization(secret_id: &str, secret_key: &str, req: &RequestToSign) -> String {
    let date = utc_date(req.timestamp);
    let sig = signature(secret_key, &date, req.service, &string_to_sign(req));
    format!(
        "{ALGORITHM} Credential={secret_id}/{}, SignedHeaders={}, Signature={sig}",
        credential_scope(&date, req.service),
        req.signed_headers(),
    )
}

/// The headers and body tccert sends for one call, as JSON, for the hidden
/// `tccert debug-sign` command that the SDK conformance script compares
/// against the official SDK.
///
/// Returns `{"headers": {name: value, ...}, "body": body}`. The headers are
/// exactly those tccert sends: `Content-Type: application/json`, `Host`,
/// `X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp` and an `Authorization`
/// that signs `content-type;host`, as both SDKs do.
pub fn debug_sign(
    secret_id: &str,
    secret_key: &str,
    host: &str,
    action: &str,
    version: &str,
    timestamp: i64,
    body: &str,
) -> serde_json::Value {
    let content_type = "application/json";
    let req = RequestToSign {
        host,
        content_type,
        action: None,
        payload: body.as_bytes(),
        timestamp,
        service: SSL_SERVICE,
    };
    let mut headers = serde_json::Map::new();
    for (name, value) in [
        ("Content-Type", content_type.to_owned()),
        ("Host", host.to_owned()),
        ("X-TC-Action", action.to_owned()),
        ("X-TC-Version", version.to_owned()),
        ("X-TC-Timestamp", timestamp.to_string()),
        ("Authorization", authorization(secret_id, secret_key, &req)),
    ] {
        headers.insert(name.to_owned(), serde_json::Value::String(value));
    }
    serde_json::json!({ "headers": headers, "body": body })
}

/// Why a signed request was refused; each maps to the API's own error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The Authorization header is missing or cannot be parsed.
    #[error("invalid Authorization header: {0}")]
    InvalidAuthorization(String),
    /// The SecretId of the credential is not known.
    #[error("the SecretId is not found")]
    SecretIdNotFound,
    /// The signature, credential scope or signed headers do not match the request.
    #[error("signature check failed: {0}")]
    SignatureFailure(String),
}

impl VerifyError {
    /// The Tencent Cloud error code of this failure.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::InvalidAuthorization(_) => "AuthFailure.InvalidAuthorization",
            VerifyError::SecretIdNotFound => "AuthFailure.SecretIdNotFound",
            VerifyError::SignatureFailure(_) => "AuthFailure.SignatureFailure",
        }
    }
}

/// The parts of a parsed Authorization header. Holds no secret: the
/// signature is a public MAC of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    pub secret_id: String,
    pub date: String,
    pub service: String,
    /// Lower-case header names, in the order the client listed them.
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Parses `TC3-HMAC-SHA256 Credential=.., SignedHeaders=.., Signature=..`.
///
/// Only the syntax is checked here: each part present once, a four-part
/// credential ending in `tc3_request`, `content-type` and `host` among the
/// signed headers, a 64-digit hex signature.
pub fn parse_authorization(header: &str) -> Result<ParsedAuthorization, VerifyError> {
    let invalid = |why: &str| VerifyError::InvalidAuthorization(why.to_owned());
    let rest = header
        .trim()
        .strip_prefix(ALGORITHM)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or_else(|| invalid("it must start with `TC3-HMAC-SHA256 `"))?;

    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| invalid("each part must be `Name=value`"))?;
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => {
                return Err(invalid(
                    "unknown part (expected Credential, SignedHeaders, Signature)",
                ));
            }
        };
        if slot.replace(value).is_some() {
            return Err(invalid("a part appears twice"));
        }
    }
    let credential = credential.ok_or_else(|| invalid("Credential is missing"))?;
    let signed_headers = signed_headers.ok_or_else(|| invalid("SignedHeaders is missing"))?;
    let signature = signature.ok_or_else(|| invalid("Signature is missing"))?;

    let scope: Vec<&str> = credential.split('/').collect();
    let [secret_id, date, service, terminator] = scope.as_slice() else {
        return Err(invalid(
            "Credential must be SecretId/Date/Service/tc3_request",
        ));
    };
    if secret_id.is_empty() || date.is_empty() || service.is_empty() || *terminator != "tc3_request"
    {
        return Err(invalid(
            "Credential must be SecretId/Date/Service/tc3_request",
        ));
    }

    let names: Vec<String> = signed_headers.split(';').map(str::to_owned).collect();
    if names
        .iter()
        .any(|name| name.is_empty() || name.bytes().any(|b| !is_header_name_byte(b)))
    {
        return Err(invalid(
            "SignedHeaders must be lower-case header names joined by `;`",
        ));
    }
    for required in ["content-type", "host"] {
        if !names.iter().any(|name| name == required) {
            return Err(invalid("SignedHeaders must include content-type and host"));
        }
    }
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(invalid("SignedHeaders names a header twice"));
        }
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid("Signature must be 64 hex digits"));
    }

    Ok(ParsedAuthorization {
        secret_id: (*secret_id).to_owned(),
        date: (*date).to_owned(),
        service: (*service).to_owned(),
        signed_headers: names,
        signature: signature.to_ascii_lowercase(),
    })
}

fn is_header_name_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
}

/// A request as the server received it, for [`verify_parsed`].
pub struct ReceivedRequest<'a> {
    pub method: &'a str,
    pub uri: &'a str,
    pub query: &'a str,
    /// Looks a header up by lower-case name; the value as received.
    pub header: &'a dyn Fn(&str) -> Option<&'a str>,
    pub payload: &'a [u8],
    /// The value of `X-TC-Timestamp`, already parsed by the caller (who also
    /// judges the time window, which needs a clock).
    pub timestamp: i64,
}

/// Checks a parsed Authorization against the request it came with.
///
/// `secret_key_for` maps a SecretId to its SecretKey. The credential scope
/// must name `expected_service` and the UTC date of the timestamp; the
/// canonical request is rebuilt from the signed headers as received; the
/// signatures are compared in constant time.
pub fn verify_parsed<'k>(
    auth: &ParsedAuthorization,
    request: &ReceivedRequest,
    expected_service: &str,
    secret_key_for: impl Fn(&str) -> Option<&'k str>,
) -> Result<(), VerifyError> {
    let secret_key = secret_key_for(&auth.secret_id).ok_or(VerifyError::SecretIdNotFound)?;
    if auth.service != expected_service {
        return Err(VerifyError::SignatureFailure(format!(
            "credential scope service is `{}`, expected `{expected_service}`",
            auth.service
        )));
    }
    let expected_date = utc_date(request.timestamp);
    if auth.date != expected_date {
        return Err(VerifyError::SignatureFailure(format!(
            "credential scope date is `{}`, but X-TC-Timestamp is on {expected_date} (UTC)",
            auth.date
        )));
    }

    let mut headers = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        let value = (request.header)(name).ok_or_else(|| {
            VerifyError::SignatureFailure(format!("signed header `{name}` is not in the request"))
        })?;
        headers.push((name.as_str(), value));
    }
    // The SDKs' opt-in unsigned-payload mode hashes a marker instead of the body.
    let hashed_payload = if (request.header)("x-tc-content-sha256") == Some(UNSIGNED_PAYLOAD) {
        sha256_hex(UNSIGNED_PAYLOAD.as_bytes())
    } else {
        sha256_hex(request.payload)
    };
    let canonical = canonical_request_from_parts(
        request.method,
        request.uri,
        request.query,
        &headers,
        &hashed_payload,
    );
    let to_sign = string_to_sign_from_hash(
        request.timestamp,
        &auth.service,
        &sha256_hex(canonical.as_bytes()),
    );
    let expected = signature(secret_key, &auth.date, &auth.service, &to_sign);
    if constant_time_eq(expected.as_bytes(), auth.signature.as_bytes()) {
        Ok(())
    } else {
        Err(VerifyError::SignatureFailure(
            "the signature does not match the request".to_owned(),
        ))
    }
}

/// Parses and verifies in one step; see [`parse_authorization`] and [`verify_parsed`].
pub fn verify<'k>(
    authorization: &str,
    request: &ReceivedRequest,
    expected_service: &str,
    secret_key_for: impl Fn(&str) -> Option<&'k str>,
) -> Result<ParsedAuthorization, VerifyError> {
    let auth = parse_authorization(authorization)?;
    verify_parsed(&auth, request, expected_service, secret_key_for)?;
    Ok(auth)
}

/// Equality whose running time does not depend on where the inputs differ,
/// so that a caller cannot learn a valid signature byte by byte.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const STARS: &str = "********************************";
    const VECTOR_A_PAYLOAD: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;

    fn vector_a() -> RequestToSign<'static> {
        RequestToSign {
            host: "cvm.tencentcloudapi.com",
            content_type: "application/json; charset=utf-8",
            action: Some("DescribeInstances"),
            payload: VECTOR_A_PAYLOAD.as_bytes(),
            timestamp: 1_551_113_065,
            service: "cvm",
        }
    }

    const VECTOR_B_BODY: &str = r#"{"CertificateId": "LqQxgqUe"}"#;

    fn vector_b() -> RequestToSign<'static> {
        RequestToSign {
            host: "ssl.tencentcloudapi.com",
            content_type: "application/json",
            action: None,
            payload: VECTOR_B_BODY.as_bytes(),
            timestamp: 1_551_113_065,
            service: SSL_SERVICE,
        }
    }

    #[test]
    fn vector_a_official_doc_every_intermediate_value() {
        let req = vector_a();
        assert_eq!(
            canonical_request(&req),
            "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\
             x-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n\
             35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let hashed = sha256_hex(canonical_request(&req).as_bytes());
        assert_eq!(
            hashed,
            "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
        );
        assert_eq!(
            string_to_sign(&req),
            format!("TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n{hashed}")
        );
        let secret_date = hmac_sha256(format!("TC3{STARS}").as_bytes(), b"2019-02-25");
        assert_eq!(
            hex::encode(secret_date),
            "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0"
        );
        let secret_service = hmac_sha256(&secret_date, b"cvm");
        assert_eq!(
            hex::encode(secret_service),
            "8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f"
        );
        assert_eq!(
            hex::encode(signing_key(STARS, "2019-02-25", "cvm")),
            "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af"
        );
        assert_eq!(
            signature(STARS, "2019-02-25", "cvm", &string_to_sign(&req)),
            "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"
        );
        assert_eq!(
            authorization(&format!("AKID{STARS}"), STARS, &req),
            "TC3-HMAC-SHA256 Credential=AKID********************************/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host;x-tc-action, \
             Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"
        );
    }

    #[test]
    fn vector_a_prime_earlier_doc_key_both_header_sets() {
        let key = "Gu5t9xGARNpq86cd98joQYCN3*******";
        let with_action = vector_a();
        assert_eq!(
            signature(key, "2019-02-25", "cvm", &string_to_sign(&with_action)),
            "be4f67d323c78ab9acb7395e43c0dbcf822a9cfac32fea2449a7bc7726b770a3"
        );
        let without = RequestToSign {
            action: None,
            ..vector_a()
        };
        assert_eq!(
            sha256_hex(canonical_request(&without).as_bytes()),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            signature(key, "2019-02-25", "cvm", &string_to_sign(&without)),
            "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
    }

    #[test]
    fn vector_b_ssl_sdk_code_path() {
        let req = vector_b();
        assert_eq!(
            sha256_hex(req.payload),
            "f603ce81304b9c9d8fc02efc93b736f75c9bf6e441b1c41ce8ef70802b95a651"
        );
        let hashed = sha256_hex(canonical_request(&req).as_bytes());
        assert_eq!(
            hashed,
            "8bf913ad24455d57425c89b9a57daa388ad62d4fe9bfbd2fd5500eb081a6872f"
        );
        assert_eq!(
            string_to_sign(&req),
            format!("TC3-HMAC-SHA256\n1551113065\n2019-02-25/ssl/tc3_request\n{hashed}")
        );
        let key = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE";
        assert_eq!(
            signature(key, "2019-02-25", "ssl", &string_to_sign(&req)),
            "34e655f63a81bb9ee022cb13154675640198b2e5f697c74f89f3d2ddcb713792"
        );
        assert_eq!(
            authorization("AKIDEXAMPLE", key, &req),
            "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/ssl/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=34e655f63a81bb9ee022cb13154675640198b2e5f697c74f89f3d2ddcb713792"
        );
    }

    #[test]
    fn debug_sign_matches_vector_b_and_lists_exactly_the_sent_headers() {
        let out = debug_sign(
            "AKIDEXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            "ssl.tencentcloudapi.com",
            "DescribeCertificateDetail",
            "2019-12-05",
            1_551_113_065,
            VECTOR_B_BODY,
        );
        let headers = out["headers"].as_object().cloned().unwrap_or_default();
        let names: Vec<&str> = headers.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "Content-Type",
                "Host",
                "X-TC-Action",
                "X-TC-Version",
                "X-TC-Timestamp",
                "Authorization"
            ]
        );
        assert_eq!(headers["X-TC-Timestamp"], "1551113065");
        assert_eq!(
            headers["Authorization"],
            authorization(
                "AKIDEXAMPLE",
                "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                &vector_b()
            )
        );
        assert_eq!(out["body"], VECTOR_B_BODY);
    }

    #[test]
    fn utc_date_epoch_midnight_and_leap_years() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(-1), "1969-12-31");
        assert_eq!(utc_date(1_551_113_065), "2019-02-25");
        // 2024-02-29 00:00:00 UTC and the second before it.
        assert_eq!(utc_date(1_709_164_800), "2024-02-29");
        assert_eq!(utc_date(1_709_164_799), "2024-02-28");
        assert_eq!(utc_date(1_709_251_199), "2024-02-29");
        assert_eq!(utc_date(1_709_251_200), "2024-03-01");
        // 2000 is a leap year (divisible by 400); 2100 is not.
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(4_107_542_400), "2100-03-01");
        assert_eq!(utc_date(4_107_542_399), "2100-02-28");
        // New Year in UTC while it is already 08:00 in Beijing.
        assert_eq!(utc_date(1_735_689_599), "2024-12-31");
        assert_eq!(utc_date(1_735_689_600), "2025-01-01");
    }

    #[test]
    fn utc_date_agrees_with_a_day_by_day_walk() {
        // Walk 1600-01-01 .. 2500 day by day with a naive calendar.
        let mut days: i64 = -135_140; // 1600-01-01
        for year in 1600..2500i64 {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            let lengths = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            for (m, len) in lengths.iter().enumerate() {
                for d in 1..=*len {
                    assert_eq!(
                        civil_from_days(days),
                        (year, m as u32 + 1, d),
                        "days {days}"
                    );
                    days += 1;
                }
            }
        }
    }

    struct Wire {
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }

    impl Wire {
        fn signed(secret_id: &str, key: &str, ts: i64, body: &str) -> Wire {
            let v = debug_sign(
                secret_id,
                key,
                "127.0.0.1:4000",
                "DescribeCertificateDetail",
                "2019-12-05",
                ts,
                body,
            );
            let headers = v["headers"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            Wire {
                headers,
                body: body.as_bytes().to_vec(),
            }
        }

        fn get(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }

        fn set(&mut self, name: &str, value: &str) {
            for (k, v) in &mut self.headers {
                if k.eq_ignore_ascii_case(name) {
                    *v = value.to_owned();
                }
            }
        }

        fn check(&self, ts: i64) -> Result<ParsedAuthorization, VerifyError> {
            let lookup = |name: &str| self.get(name);
            let request = ReceivedRequest {
                method: "POST",
                uri: "/",
                query: "",
                header: &lookup,
                payload: &self.body,
                timestamp: ts,
            };
            let auth = self.get("authorization").unwrap_or_default();
            verify(auth, &request, SSL_SERVICE, |id| {
                (id == "AKIDgood").then_some("the-key")
            })
        }
    }

    const TS: i64 = 1_700_000_000;
    const BODY: &str = r#"{"CertificateId":"abc"}"#;

    #[test]
    fn verifier_accepts_a_good_request() {
        let wire = Wire::signed("AKIDgood", "the-key", TS, BODY);
        let auth = wire.check(TS).map_err(|e| e.to_string());
        assert_eq!(auth.map(|a| a.secret_id), Ok("AKIDgood".to_owned()));
    }

    #[test]
    fn verifier_accepts_the_doc_style_with_x_tc_action_signed() {
        let req = RequestToSign {
            host: "127.0.0.1:4000",
            content_type: "application/json; charset=utf-8",
            action: Some("DescribeCertificateDetail"),
            payload: BODY.as_bytes(),
            timestamp: TS,
            service: SSL_SERVICE,
        };
        let mut wire = Wire::signed("AKIDgood", "the-key", TS, BODY);
        wire.set("content-type", req.content_type);
        wire.set("authorization", &authorization("AKIDgood", "the-key", &req));
        assert!(wire.check(TS).is_ok());
    }

    #[test]
    fn verifier_rejects_tampering() {
        let mut body = Wire::signed("AKIDgood", "the-key", TS, BODY);
        body.body = br#"{"CertificateId":"abd"}"#.to_vec();
        assert_eq!(
            body.check(TS).map_err(|e| e.code()),
            Err("AuthFailure.SignatureFailure")
        );

        let mut host = Wire::signed("AKIDgood", "the-key", TS, BODY);
        host.set("host", "127.0.0.1:4001");
        assert_eq!(
            host.check(TS).map_err(|e| e.code()),
            Err("AuthFailure.SignatureFailure")
        );

        // Timestamp moved by a second: same date, different string to sign.
        let ts = Wire::signed("AKIDgood", "the-key", TS, BODY);
        assert_eq!(
            ts.check(TS + 1).map_err(|e| e.code()),
            Err("AuthFailure.SignatureFailure")
        );
        // Timestamp moved by a day: the credential scope date no longer matches.
        assert_eq!(
            ts.check(TS + 86_400).map_err(|e| e.code()),
            Err("AuthFailure.SignatureFailure")
        );

        let wrong_key = Wire::signed("AKIDgood", "not-the-key", TS, BODY);
        assert_eq!(
            wrong_key.check(TS).map_err(|e| e.code()),
            Err("AuthFailure.SignatureFailure")
        );

        let unknown = Wire::signed("AKIDother", "the-key", TS, BODY);
        assert_eq!(
            unknown.check(TS).map_err(|e| e.code()),
            Err("AuthFailure.SecretIdNotFound")
        );

        // An unsigned header may change freely.
        let mut action = Wire::signed("AKIDgood", "the-key", TS, BODY);
        action.set("x-tc-action", "CertificateOrderSubmit");
        assert!(action.check(TS).is_ok());
    }

    #[test]
    fn verifier_rejects_wrong_service_and_missing_signed_header() {
        let mut wire = Wire::signed("AKIDgood", "the-key", TS, BODY);
        let auth = wire
            .get("authorization")
            .unwrap_or_default()
            .replace("/ssl/", "/cvm/");
        wire.set("authorization", &auth);
        assert_eq!(
            wire.check(TS).map_err(|e| e.code()),
            Err("AuthFailure.SignatureFailure")
        );

        let mut wire = Wire::signed("AKIDgood", "the-key", TS, BODY);
        let auth = wire
            .get("authorization")
            .unwrap_or_default()
            .replace("content-type;host", "content-type;host;x-tc-region");
        wire.set("authorization", &auth);
        assert_eq!(
            wire.check(TS).map_err(|e| e.code()),
            Err("AuthFailure.SignatureFailure")
        );
    }

    #[test]
    fn parse_authorization_rejects_malformed_headers() {
        let good = "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/ssl/tc3_request, SignedHeaders=content-type;host, Signature=34e655f63a81bb9ee022cb13154675640198b2e5f697c74f89f3d2ddcb713792";
        assert!(parse_authorization(good).is_ok());
        for bad in [
            "",
            "Bearer x",
            "TC3-HMAC-SHA256",
            "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/ssl/tc3_request",
            &good.replace("tc3_request", "tc4_request"),
            &good.replace("AKID/", "/"),
            &good.replace("AKID/2019-02-25/", "AKID/"),
            &good.replace("content-type;host", "host"),
            &good.replace("content-type;host", "Content-Type;host"),
            &good.replace("content-type;host", "content-type;host;host"),
            &good.replace("Signature=34e6", "Signature=zz"),
            &format!("{good}, Signature=00"),
            &format!("{good}, Extra=1"),
            &good.replace("Signature=", "Signature"),
        ] {
            assert_eq!(
                parse_authorization(bad).map_err(|e| e.code()),
                Err("AuthFailure.InvalidAuthorization"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn constant_time_eq_basics() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
