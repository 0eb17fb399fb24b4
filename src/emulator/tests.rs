//! End-to-end tests of the emulator over real loopback HTTP: each test starts
//! a server on 127.0.0.1:0 and speaks HTTP/1.1 to it by hand over a tokio
//! `TcpStream` (hyper's client side is not among the enabled features), so
//! the bytes on the wire are exactly what a client would send.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;
use crate::api::sign;

const ID: &str = "AKIDtest";
const KEY: &str = "test-secret-key";

fn config() -> EmulatorConfig {
    EmulatorConfig {
        credentials: vec![(ID.into(), KEY.into())],
        seed: vec![SeedCertificate {
            certificate_id: "abcb1234".into(),
            domain: "www.example.com".into(),
            owner: None,
        }],
        rate_per_second: 1000.0,
        ..EmulatorConfig::default()
    }
}

async fn emulator(config: EmulatorConfig) -> RunningEmulator {
    match start(config).await {
        Ok(emulator) => emulator,
        Err(e) => panic!("emulator did not start: {e}"),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A raw HTTP exchange's result; `status` 0 means the server closed the
/// connection without answering.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
    raw: String,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["Response"]["Error"]["Code"]
            .as_str()
            .unwrap_or("OK")
    }
}

async fn exchange(addr: SocketAddr, head: &str, body: &[u8]) -> Answer {
    let mut stream = match TcpStream::connect(addr).await {
        Ok(s) => s,
        Err(e) => panic!("connect: {e}"),
    };
    let mut request = head.as_bytes().to_vec();
    request.extend_from_slice(body);
    // The server may answer before reading an oversized body; ignore that.
    let _ = stream.write_all(&request).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .and_then(|(_, b)| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null);
    Answer { status, body, raw }
}

/// Sends a request with exactly these headers (plus Content-Length and
/// Connection: close).
async fn send_raw(addr: SocketAddr, headers: &[(String, String)], body: &[u8]) -> Answer {
    let mut head = String::from("POST / HTTP/1.1\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    exchange(addr, &head, body).await
}

/// The headers tccert would send, signed with `key` at `timestamp`.
fn signed_headers(
    addr: SocketAddr,
    id: &str,
    key: &str,
    action: &str,
    timestamp: i64,
    body: &str,
) -> Vec<(String, String)> {
    let signed = sign::debug_sign(
        id,
        key,
        &addr.to_string(),
        action,
        "2019-12-05",
        timestamp,
        body,
    );
    signed["headers"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

async fn call(emu: &RunningEmulator, action: &str, body: Value) -> Answer {
    let body = body.to_string();
    let headers = signed_headers(emu.addr(), ID, KEY, action, now(), &body);
    send_raw(emu.addr(), &headers, body.as_bytes()).await
}

fn set(headers: &mut [(String, String)], name: &str, value: &str) {
    for (k, v) in headers.iter_mut() {
        if k.eq_ignore_ascii_case(name) {
            *v = value.to_owned();
        }
    }
}

/// A complete `SubmitCertificateInformation` body (the emulator refuses one
/// without the fields the reference requires) naming the organization `name`.
fn org(name: &str) -> Value {
    json!({"CertificateId": "abcb1234", "CsrType": "online", "OrganizationName": name,
           "OrganizationDivision": "D", "OrganizationAddress": "A", "OrganizationCountry": "CN",
           "OrganizationCity": "C", "OrganizationRegion": "R", "PhoneAreaCode": "0755",
           "PhoneNumber": "1", "AdminFirstName": "F", "AdminLastName": "L",
           "AdminPhoneNum": "2", "AdminEmail": "a@x.example", "AdminPosition": "T",
           "ContactFirstName": "G", "ContactLastName": "M", "ContactEmail": "t@x.example",
           "ContactNumber": "3", "ContactPosition": "U",
           "KeyPassword": "pw", "IsDV": false})
}

/// What `SubmittedData` shows after [`org`]: the body less `CertificateId`
/// and `IsDV`.
fn org_submitted(name: &str) -> Value {
    let mut body = org(name);
    if let Some(fields) = body.as_object_mut() {
        fields.shift_remove("CertificateId");
        fields.shift_remove("IsDV");
    }
    body
}

#[tokio::test]
async fn full_flow_describe_submit_commit() {
    let emu = emulator(config()).await;
    let describe = json!({"CertificateId": "abcb1234"});

    let first = call(&emu, "DescribeCertificateDetail", describe.clone()).await;
    assert_eq!(first.status, 200);
    assert!(
        first.raw.contains("content-type: application/json\r\n"),
        "{}",
        first.raw
    );
    let response = &first.body["Response"];
    assert_eq!(response["Status"], 5);
    assert_eq!(response["SubmittedData"], Value::Null);
    assert_eq!(response["Domain"], "www.example.com");
    let request_id = response["RequestId"].as_str().unwrap_or_default();
    assert_eq!(request_id.len(), 36, "{request_id}");
    assert_eq!(request_id.matches('-').count(), 4);

    let submitted = call(&emu, "SubmitCertificateInformation", org("Tencent")).await;
    assert_eq!(submitted.body["Response"]["CertificateId"], "abcb1234");

    let committed = call(
        &emu,
        "CertificateOrderSubmit",
        json!({"CertId": "abcb1234", "VerifyType": "DNS"}),
    )
    .await;
    assert_eq!(committed.code(), "OK", "{}", committed.raw);
    assert_eq!(committed.body["Response"]["Status"], 8);
    assert_eq!(committed.body["Response"]["IsAudited"], false);

    let after = call(&emu, "DescribeCertificateDetail", describe).await;
    let response = &after.body["Response"];
    assert_eq!(response["Status"], 8);
    assert_eq!(response["SubmittedData"], org_submitted("Tencent"));
    assert_eq!(response["OrderId"], committed.body["Response"]["OrderId"]);

    let again = call(&emu, "SubmitCertificateInformation", org("Other")).await;
    assert_eq!(again.code(), "FailedOperation.InvalidCertificateStatusCode");

    let snap = emu.snapshot();
    let cert = &snap.certificates["abcb1234"];
    assert_eq!(
        (
            cert.describes,
            cert.submits_received,
            cert.submits_applied,
            cert.order_submits_applied
        ),
        (2, 2, 1, 1)
    );
    assert_eq!(snap.requests_by_action["DescribeCertificateDetail"], 2);
    assert_eq!(snap.requests_by_action["SubmitCertificateInformation"], 2);
    assert_eq!(
        (snap.throttled, snap.auth_failures, snap.faults_injected),
        (0, 0, 0)
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn authentication_gates_in_order() {
    let emu = emulator(config()).await;
    let addr = emu.addr();
    let body = json!({"CertificateId": "abcb1234"}).to_string();
    let good = signed_headers(addr, ID, KEY, "DescribeCertificateDetail", now(), &body);

    let mut missing = good.clone();
    missing.retain(|(k, _)| k != "Authorization");
    let answer = send_raw(addr, &missing, body.as_bytes()).await;
    assert_eq!(answer.code(), "AuthFailure.InvalidAuthorization");

    let mut garbled = good.clone();
    set(&mut garbled, "Authorization", "TC3-HMAC-SHA256 nonsense");
    assert_eq!(
        send_raw(addr, &garbled, body.as_bytes()).await.code(),
        "AuthFailure.InvalidAuthorization"
    );

    let old = signed_headers(
        addr,
        ID,
        KEY,
        "DescribeCertificateDetail",
        now() - 301,
        &body,
    );
    let answer = send_raw(addr, &old, body.as_bytes()).await;
    assert_eq!(answer.code(), "AuthFailure.SignatureExpire");
    assert!(
        answer.body["Response"]["Error"]["Message"]
            .as_str()
            .is_some_and(|m| m.contains("five minutes")),
        "{}",
        answer.raw
    );
    // An expired request with an unknown SecretId is still "expired": the
    // window is checked first.
    let old_unknown = signed_headers(
        addr,
        "AKIDnope",
        KEY,
        "DescribeCertificateDetail",
        now() - 900,
        &body,
    );
    assert_eq!(
        send_raw(addr, &old_unknown, body.as_bytes()).await.code(),
        "AuthFailure.SignatureExpire"
    );

    let unknown = signed_headers(
        addr,
        "AKIDnope",
        KEY,
        "DescribeCertificateDetail",
        now(),
        &body,
    );
    assert_eq!(
        send_raw(addr, &unknown, body.as_bytes()).await.code(),
        "AuthFailure.SecretIdNotFound"
    );

    let wrong_key = signed_headers(addr, ID, "wrong", "DescribeCertificateDetail", now(), &body);
    assert_eq!(
        send_raw(addr, &wrong_key, body.as_bytes()).await.code(),
        "AuthFailure.SignatureFailure"
    );

    let tampered_body = json!({"CertificateId": "abcb1235"}).to_string();
    assert_eq!(
        send_raw(addr, &good, tampered_body.as_bytes()).await.code(),
        "AuthFailure.SignatureFailure"
    );
    let mut tampered_type = good.clone();
    set(
        &mut tampered_type,
        "Content-Type",
        "application/json; charset=utf-8",
    );
    assert_eq!(
        send_raw(addr, &tampered_type, body.as_bytes()).await.code(),
        "AuthFailure.SignatureFailure"
    );

    // Unsigned headers: version and action are checked after the signature.
    let mut version = good.clone();
    set(&mut version, "X-TC-Version", "2018-01-01");
    assert_eq!(
        send_raw(addr, &version, body.as_bytes()).await.code(),
        "NoSuchVersion"
    );
    let mut action = good.clone();
    set(&mut action, "X-TC-Action", "DeleteCertificate");
    assert_eq!(
        send_raw(addr, &action, body.as_bytes()).await.code(),
        "InvalidAction"
    );

    assert_eq!(send_raw(addr, &good, body.as_bytes()).await.code(), "OK");
    assert_eq!(emu.snapshot().auth_failures, 8);
    emu.shutdown().await;
}

#[tokio::test]
async fn clock_offset_makes_an_honest_client_look_skewed() {
    let emu = emulator(EmulatorConfig {
        clock_offset_seconds: 600,
        ..config()
    })
    .await;
    let answer = call(
        &emu,
        "DescribeCertificateDetail",
        json!({"CertificateId": "abcb1234"}),
    )
    .await;
    assert_eq!(answer.code(), "AuthFailure.SignatureExpire");
    emu.shutdown().await;
}

#[tokio::test]
async fn bad_bodies_are_answered_not_panicked_on() {
    let emu = emulator(config()).await;
    let addr = emu.addr();
    for (body, code) in [
        ("{not json", "InvalidParameter"),
        ("[1,2]", "InvalidParameter"),
        ("", "InvalidParameter"),
        (
            r#"{"CertificateId": "abcb1234", "Bogus": 1}"#,
            "UnknownParameter",
        ),
        ("{}", "MissingParameter"),
        (r#"{"CertificateId": 7}"#, "InvalidParameter"),
        (
            r#"{"CertificateId": "nope"}"#,
            "FailedOperation.CertificateNotFound",
        ),
    ] {
        let headers = signed_headers(addr, ID, KEY, "DescribeCertificateDetail", now(), body);
        let answer = send_raw(addr, &headers, body.as_bytes()).await;
        assert_eq!((answer.status, answer.code()), (200, code), "{body:?}");
    }
    // Bytes that are not UTF-8, signed correctly.
    let bytes = b"\xff\xfe{";
    let text = String::from_utf8_lossy(bytes).into_owned();
    let mut headers = signed_headers(addr, ID, KEY, "DescribeCertificateDetail", now(), &text);
    set(
        &mut headers,
        "Authorization",
        "TC3-HMAC-SHA256 Credential=x",
    );
    assert_eq!(
        send_raw(addr, &headers, bytes).await.code(),
        "AuthFailure.InvalidAuthorization"
    );

    let get = exchange(
        addr,
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    )
    .await;
    assert_eq!(get.code(), "UnsupportedProtocol");
    let other = exchange(
        addr,
        "GET /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    )
    .await;
    assert_eq!(other.status, 404);
    emu.shutdown().await;
}

#[tokio::test]
async fn bodies_over_ten_megabytes_are_refused() {
    let emu = emulator(config()).await;
    let body = vec![b' '; server::MAX_BODY_BYTES + 1];
    let headers = vec![
        ("Host".to_owned(), emu.addr().to_string()),
        ("Content-Type".to_owned(), "application/json".to_owned()),
    ];
    let answer = send_raw(emu.addr(), &headers, &body).await;
    assert_eq!(answer.code(), "RequestSizeLimitExceeded", "{}", answer.raw);
    emu.shutdown().await;
}

#[tokio::test]
async fn rate_limit_per_action() {
    let emu = emulator(EmulatorConfig {
        rate_per_second: 2.0,
        ..config()
    })
    .await;
    let describe = json!({"CertificateId": "abcb1234"});
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(
            call(&emu, "DescribeCertificateDetail", describe.clone())
                .await
                .code()
                .to_owned(),
        );
    }
    assert_eq!(codes, ["OK", "OK", "RequestLimitExceeded"]);
    // Another action has its own bucket.
    let submit = call(&emu, "SubmitCertificateInformation", org("X")).await;
    assert_eq!(submit.code(), "OK");
    tokio::time::sleep(Duration::from_millis(550)).await;
    let later = call(&emu, "DescribeCertificateDetail", describe).await;
    assert_eq!(later.code(), "OK");
    assert_eq!(emu.snapshot().throttled, 1);
    emu.shutdown().await;
}

/// A valid `CertificateInfoSubmit` for the seeded certificate: a company
/// named by its id, so only the admin and contact are needed.
fn info(name: &str) -> Value {
    json!({"CertId": "abcb1234", "GenCsrType": "online", "CertCommonName": "www.example.com",
           "CompanyType": 2, "CompanyId": "1001", "ManagerId": "0",
           "CsrEncryptAlgo": "RSA", "CsrKeyParameter": "2048", "KeyPass": "pw",
           "AdminFirstName": name, "AdminLastName": "L", "AdminPhone": "1",
           "AdminEmail": "a@x.example", "AdminTitle": "T", "TechFirstName": "F",
           "TechLastName": "L", "TechPhone": "2", "TechTitle": "T"})
}

#[tokio::test]
async fn certificate_info_submit_over_http_with_its_own_bucket() {
    let emu = emulator(EmulatorConfig {
        rate_per_second: 2.0,
        ..config()
    })
    .await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(
            call(&emu, "CertificateInfoSubmit", info("X"))
                .await
                .code()
                .to_owned(),
        );
    }
    assert_eq!(codes, ["OK", "OK", "RequestLimitExceeded"]);
    // The old submit action has a bucket of its own.
    assert_eq!(
        call(&emu, "SubmitCertificateInformation", org("X"))
            .await
            .code(),
        "OK"
    );
    tokio::time::sleep(Duration::from_millis(550)).await;
    let ok = call(&emu, "CertificateInfoSubmit", info("Y")).await;
    assert_eq!(ok.code(), "OK");
    let fields: Vec<&String> = ok.body["Response"]
        .as_object()
        .map(|r| r.keys().collect())
        .unwrap_or_default();
    assert_eq!(fields, ["RequestId"], "{}", ok.raw);
    let describe = call(
        &emu,
        "DescribeCertificateDetail",
        json!({"CertificateId": "abcb1234"}),
    )
    .await;
    let data = &describe.body["Response"]["SubmittedData"];
    assert_eq!(data["AdminFirstName"], "Y");
    assert_eq!(data["KeyPassword"], "pw");
    let cert = &emu.snapshot().certificates["abcb1234"];
    // The throttled one was refused before it named a certificate.
    assert_eq!(
        (cert.info_submits_received, cert.info_submits_applied),
        (3, 3)
    );
    assert_eq!(emu.snapshot().throttled, 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn certificate_info_submit_faults_and_errors() {
    let emu = emulator(faulty(&[
        "drop-after-write:CertificateInfoSubmit@abcb1234=first:1",
    ]))
    .await;
    let dropped = call(&emu, "CertificateInfoSubmit", info("X")).await;
    assert_eq!(dropped.status, 0, "expected no reply, got {}", dropped.raw);
    assert_eq!(
        emu.snapshot().certificates["abcb1234"].info_submits_applied,
        1,
        "the write took effect before the connection was dropped"
    );
    let missing = call(&emu, "CertificateInfoSubmit", json!({"CertId": "abcb1234"})).await;
    assert_eq!(missing.code(), "MissingParameter");
    let mut unknown = info("X");
    unknown["CertId"] = json!("nope");
    let unknown = call(&emu, "CertificateInfoSubmit", unknown).await;
    assert_eq!(unknown.code(), "FailedOperation.CertificateNotFound");
    assert!(emu.set_status("abcb1234", 8));
    let refused = call(&emu, "CertificateInfoSubmit", info("X")).await;
    assert_eq!(
        refused.code(),
        "FailedOperation.CertificateInfoSubmitStatusInvalid"
    );
    emu.shutdown().await;
}

fn faulty(specs: &[&str]) -> EmulatorConfig {
    EmulatorConfig {
        faults: specs
            .iter()
            .map(|s| parse_fault(s).unwrap_or_else(|e| panic!("{e}")))
            .collect(),
        ..config()
    }
}

#[tokio::test]
async fn drop_after_write_applies_then_closes_without_reply() {
    let emu = emulator(faulty(&[
        "drop-after-write:SubmitCertificateInformation=first:1",
    ]))
    .await;
    let dropped = call(&emu, "SubmitCertificateInformation", org("X")).await;
    assert_eq!(dropped.status, 0, "expected no reply, got {}", dropped.raw);
    assert!(dropped.raw.is_empty());
    let snap = emu.snapshot();
    assert_eq!(snap.certificates["abcb1234"].submits_applied, 1);
    assert_eq!(snap.faults_injected, 1);
    // The server is still up, and the rule has spent its one shot.
    let again = call(&emu, "SubmitCertificateInformation", org("X")).await;
    assert_eq!(again.code(), "OK");
    emu.shutdown().await;
}

#[tokio::test]
async fn pre_action_faults_change_nothing() {
    let emu = emulator(faulty(&[
        "internal-error:SubmitCertificateInformation=first:1",
        "http-502:SubmitCertificateInformation=first:1",
        "request-limit-exceeded:SubmitCertificateInformation=first:1",
    ]))
    .await;
    let first = call(&emu, "SubmitCertificateInformation", org("X")).await;
    assert_eq!(first.code(), "InternalError");
    let second = call(&emu, "SubmitCertificateInformation", org("X")).await;
    assert_eq!(second.status, 502);
    let third = call(&emu, "SubmitCertificateInformation", org("X")).await;
    assert_eq!(third.code(), "RequestLimitExceeded");
    let snap = emu.snapshot();
    let cert = &snap.certificates["abcb1234"];
    assert_eq!((cert.submits_received, cert.submits_applied), (3, 0));
    assert_eq!(cert.submitted_data, None);
    assert_eq!((snap.faults_injected, snap.throttled), (3, 0));
    let fourth = call(&emu, "SubmitCertificateInformation", org("X")).await;
    assert_eq!(fourth.code(), "OK");
    emu.shutdown().await;
}

#[tokio::test]
async fn slow_reply_and_latency_delay_the_answer() {
    let emu = emulator(EmulatorConfig {
        latency: Duration::from_millis(50),
        ..faulty(&["slow-300:DescribeCertificateDetail=first:1"])
    })
    .await;
    let describe = json!({"CertificateId": "abcb1234"});
    let started = Instant::now();
    assert_eq!(
        call(&emu, "DescribeCertificateDetail", describe.clone())
            .await
            .code(),
        "OK"
    );
    assert!(started.elapsed() >= Duration::from_millis(350));
    let started = Instant::now();
    assert_eq!(
        call(&emu, "DescribeCertificateDetail", describe)
            .await
            .code(),
        "OK"
    );
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(50) && elapsed < Duration::from_millis(300));
    emu.shutdown().await;
}

#[tokio::test]
async fn admin_endpoints_read_and_patch_state() {
    let emu = emulator(config()).await;
    let addr = emu.addr();
    let state = exchange(
        addr,
        "GET /_emulator/state HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    )
    .await;
    assert_eq!(state.status, 200);
    assert_eq!(state.body["certificates"]["abcb1234"]["status"], 5);

    let patch = |body: &str| {
        format!(
            "POST /_emulator/certificates/abcb1234 HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let answer = exchange(
        addr,
        &patch(r#"{"status": 8, "SubmittedData": {"OrganizationName": "X"}}"#),
        b"",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.raw);
    let answer = exchange(
        addr,
        &patch(r#"{"SubmittedData": {"PostalCode": "1"}}"#),
        b"",
    )
    .await;
    assert_eq!(
        answer.body["SubmittedData"],
        json!({"OrganizationName": "X", "PostalCode": "1"})
    );
    let answer = exchange(addr, &patch(r#"{"bogus": 1}"#), b"").await;
    assert_eq!(answer.status, 400);
    let answer = exchange(addr, &patch("[]"), b"").await;
    assert_eq!(answer.status, 400);

    let detail = call(
        &emu,
        "DescribeCertificateDetail",
        json!({"CertificateId": "abcb1234"}),
    )
    .await;
    assert_eq!(detail.body["Response"]["Status"], 8);
    assert_eq!(
        detail.body["Response"]["SubmittedData"]["OrganizationName"],
        "X"
    );

    let create = exchange(
        addr,
        "POST /_emulator/certificates/new1 HTTP/1.1\r\nHost: x\r\nContent-Length: 23\r\nConnection: close\r\n\r\n{\"domain\": \"n.example\"}",
        b"",
    )
    .await;
    assert_eq!(create.status, 200, "{}", create.raw);
    assert_eq!(create.body["status"], 5);
    let missing = exchange(
        addr,
        "POST /_emulator/certificates/zzz HTTP/1.1\r\nHost: x\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{\"status\": 1}",
        b"",
    )
    .await;
    assert_eq!(missing.status, 404);

    assert!(emu.set_status("abcb1234", 5));
    assert!(emu.set_submitted_field("abcb1234", "OrganizationName", None));
    assert!(!emu.set_status("zzz", 1));
    let snap = emu.snapshot();
    assert_eq!(snap.certificates["abcb1234"].status, 5);
    assert_eq!(
        snap.certificates["abcb1234"]
            .submitted_data
            .clone()
            .map(Value::Object),
        Some(json!({"PostalCode": "1"}))
    );
    emu.shutdown().await;
}

/// The API documents more as required than its schema marks; the emulator
/// enforces it, in the API's error shape, and applies nothing.
#[tokio::test]
async fn submits_missing_what_the_reference_requires_are_refused() {
    let emu = emulator(config()).await;
    let only_id = call(
        &emu,
        "SubmitCertificateInformation",
        json!({"CertificateId": "abcb1234"}),
    )
    .await;
    assert_eq!(only_id.status, 200);
    assert_eq!(only_id.code(), "MissingParameter", "{}", only_id.raw);
    assert!(
        only_id.body["Response"]["Error"]["Message"]
            .as_str()
            .is_some_and(|m| m.contains("`CsrType`")),
        "{}",
        only_id.raw
    );
    assert_eq!(
        only_id.body["Response"]["RequestId"].as_str().map(str::len),
        Some(36)
    );
    let mut parse = org("X");
    parse["CsrType"] = json!("parse");
    let no_csr = call(&emu, "SubmitCertificateInformation", parse).await;
    assert_eq!(no_csr.code(), "MissingParameter", "{}", no_csr.raw);
    let mut no_admin = org("X");
    if let Some(fields) = no_admin.as_object_mut() {
        fields.shift_remove("AdminEmail");
    }
    assert_eq!(
        call(&emu, "SubmitCertificateInformation", no_admin.clone())
            .await
            .code(),
        "MissingParameter"
    );
    // IsDV waives the organization, admin and contact fields.
    no_admin["IsDV"] = json!(true);
    assert_eq!(
        call(&emu, "SubmitCertificateInformation", no_admin)
            .await
            .code(),
        "OK"
    );
    let cert = &emu.snapshot().certificates["abcb1234"];
    assert_eq!(cert.submits_applied, 1, "only the DV submit applied");
    emu.shutdown().await;
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!(
        "tccert-emu-{}-{}",
        std::process::id(),
        fastrand::u32(..)
    ));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("state.json");
    let with_file = || EmulatorConfig {
        state_file: Some(path.clone()),
        ..config()
    };

    let emu = emulator(with_file()).await;
    assert_eq!(
        call(&emu, "SubmitCertificateInformation", org("Persisted"))
            .await
            .code(),
        "OK"
    );
    emu.shutdown().await;

    let mut restarted_config = with_file();
    restarted_config.seed.push(SeedCertificate {
        certificate_id: "second".into(),
        domain: "second.example.com".into(),
        owner: None,
    });
    let emu = emulator(restarted_config).await;
    let detail = call(
        &emu,
        "DescribeCertificateDetail",
        json!({"CertificateId": "abcb1234"}),
    )
    .await;
    assert_eq!(
        detail.body["Response"]["SubmittedData"]["OrganizationName"],
        "Persisted"
    );
    assert!(emu.snapshot().certificates.contains_key("second"));
    emu.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn refuses_non_loopback_listen_addresses() {
    let result = start(EmulatorConfig {
        listen: "0.0.0.0:0".parse().unwrap_or(config().listen),
        ..config()
    })
    .await;
    assert!(matches!(result, Err(e) if e.kind() == io::ErrorKind::InvalidInput));
}

#[test]
fn config_debug_hides_secret_keys() {
    let printed = format!("{:?}", config());
    assert!(printed.contains(ID));
    assert!(!printed.contains(KEY));
    let (id, key) = generate_credentials();
    assert!(id.starts_with("AKID") && id.len() == 36);
    assert_eq!(key.len(), 32);
}

#[tokio::test]
async fn issue_after_issues_ordered_certificates_over_http() {
    let emu = emulator(EmulatorConfig {
        issue_after: Some(Duration::from_millis(600)),
        ..config()
    })
    .await;
    let describe = json!({"CertificateId": "abcb1234"});
    let submitted = call(&emu, "SubmitCertificateInformation", org("Tencent")).await;
    assert_eq!(submitted.code(), "OK");
    let waiting = call(&emu, "DescribeCertificateDetail", describe.clone()).await;
    assert_eq!(
        waiting.body["Response"]["Status"], 5,
        "no order, no issuance"
    );
    let ordered = call(
        &emu,
        "CertificateOrderSubmit",
        json!({"CertId": "abcb1234"}),
    )
    .await;
    assert_eq!(ordered.code(), "OK");
    let pending = call(&emu, "DescribeCertificateDetail", describe.clone()).await;
    assert_eq!(pending.body["Response"]["Status"], 8);
    assert_eq!(
        pending.body["Response"]["DvAuthDetail"]["DvAuths"][0]["DvAuthVerifyType"],
        "TXT"
    );
    let listed = call(&emu, "DescribeCertificates", json!({"Limit": 1000})).await;
    assert_eq!(listed.body["Response"]["TotalCount"], 1);
    assert_eq!(listed.body["Response"]["Certificates"][0]["Status"], 8);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let issued = call(&emu, "DescribeCertificateDetail", describe).await;
    assert_eq!(issued.body["Response"]["Status"], 1);
    assert_eq!(issued.body["Response"]["DvAuthDetail"], Value::Null);
    assert_eq!(emu.snapshot().certificates["abcb1234"].status, 1);
}

const HK_ID: &str = "AKIDhk";
const HK_KEY: &str = "hk-secret-key";

/// The default pair owns `abcb1234`; account `hk` owns `hk1`.
fn accounts_config(rate: f64) -> EmulatorConfig {
    let mut config = config();
    config.rate_per_second = rate;
    config.accounts = vec![EmulatorAccount {
        name: "hk".into(),
        secret_id: HK_ID.into(),
        secret_key: HK_KEY.into(),
        key_variable: None,
    }];
    config.seed.push(SeedCertificate {
        certificate_id: "hk1".into(),
        domain: "hk.example.com".into(),
        owner: Some("hk".into()),
    });
    config
}

async fn call_as(emu: &RunningEmulator, id: &str, key: &str, action: &str, body: Value) -> Answer {
    let body = body.to_string();
    let headers = signed_headers(emu.addr(), id, key, action, now(), &body);
    send_raw(emu.addr(), &headers, body.as_bytes()).await
}

#[tokio::test]
async fn a_certificate_answers_only_its_accounts_key_pair_and_records_who_wrote_it() {
    let emu = emulator(accounts_config(1000.0)).await;
    let hk = json!({"CertificateId": "hk1"});
    let default = json!({"CertificateId": "abcb1234"});
    let as_default = call(&emu, "DescribeCertificateDetail", hk.clone()).await;
    assert_eq!(as_default.code(), "FailedOperation.CertificateNotFound");
    let as_hk = call_as(&emu, HK_ID, HK_KEY, "DescribeCertificateDetail", default).await;
    assert_eq!(as_hk.code(), "FailedOperation.CertificateNotFound");
    let own = call_as(&emu, HK_ID, HK_KEY, "DescribeCertificateDetail", hk).await;
    assert_eq!(own.code(), "OK");

    let mut body = org("HK Ltd");
    body["CertificateId"] = json!("hk1");
    let refused = call(&emu, "SubmitCertificateInformation", body.clone()).await;
    assert_eq!(refused.code(), "FailedOperation.CertificateNotFound");
    let written = call_as(&emu, HK_ID, HK_KEY, "SubmitCertificateInformation", body).await;
    assert_eq!(written.code(), "OK");
    let state = emu.snapshot();
    let hk1 = &state.certificates["hk1"];
    assert_eq!(hk1.owner.as_deref(), Some("hk"));
    assert_eq!(hk1.written_with.as_deref(), Some(HK_ID));
    assert_eq!(
        hk1.submits_received, 1,
        "another account's request is not counted"
    );
    assert_eq!(state.certificates["abcb1234"].owner, None);
    emu.shutdown().await;
}

#[tokio::test]
async fn each_account_has_its_own_rate_buckets() {
    let emu = emulator(accounts_config(2.0)).await;
    let mut codes = Vec::new();
    for _ in 0..3 {
        let answer = call(
            &emu,
            "DescribeCertificateDetail",
            json!({"CertificateId": "abcb1234"}),
        )
        .await;
        codes.push(answer.code().to_owned());
    }
    assert_eq!(codes, ["OK", "OK", "RequestLimitExceeded"]);
    // The default pair's bucket is empty; hk's is full.
    for _ in 0..2 {
        let answer = call_as(
            &emu,
            HK_ID,
            HK_KEY,
            "DescribeCertificateDetail",
            json!({"CertificateId": "hk1"}),
        )
        .await;
        assert_eq!(answer.code(), "OK");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_secret_id_given_to_two_owners_is_refused() {
    let mut config = accounts_config(1.0);
    config.accounts[0].secret_id = ID.into();
    let refused = start(config).await.map(|_| ()).map_err(|e| e.to_string());
    assert_eq!(
        refused,
        Err("account `hk` has the same SecretId as the default pair: each account needs its own key pair".into())
    );
}

#[test]
fn a_state_file_from_before_accounts_reads_as_the_default_owner() {
    let old =
        r#"{"certificates": {"a": {"certificate_id": "a", "domain": "a.example", "status": 5}}}"#;
    let state: StateSnapshot = serde_json::from_str(old).unwrap();
    assert_eq!(state.certificates["a"].owner, None);
    assert_eq!(state.certificates["a"].written_with, None);
    let printed = format!("{:?}", accounts_config(1.0));
    assert!(
        printed.contains(HK_ID) && !printed.contains(HK_KEY),
        "{printed}"
    );
}

// ---- The lifecycle actions (purchase, cancel, resubmit, letter, checks,
// completion, download), over real HTTP.

async fn detail(emu: &RunningEmulator, id: &str) -> Value {
    call(
        emu,
        "DescribeCertificateDetail",
        json!({"CertificateId": id}),
    )
    .await
    .body["Response"]
        .clone()
}

/// A file of `size` bytes whose content says it is a PDF.
fn pdf(size: usize) -> String {
    use base64::Engine as _;
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.resize(size, b' ');
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The entries of a stored ZIP, by walking its local headers.
fn unzip_stored(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut entries = Vec::new();
    let mut at = 0;
    while zip.get(at..at + 4) == Some(b"PK\x03\x04") {
        let u16_at = |i: usize| usize::from(u16::from_le_bytes([zip[i], zip[i + 1]]));
        let size = u32::from_le_bytes([zip[at + 18], zip[at + 19], zip[at + 20], zip[at + 21]]);
        let name_len = u16_at(at + 26);
        let extra = u16_at(at + 28);
        let name_at = at + 30;
        let data_at = name_at + name_len + extra;
        let end = data_at + size as usize;
        entries.push((
            String::from_utf8_lossy(&zip[name_at..name_at + name_len]).into_owned(),
            zip[data_at..end].to_vec(),
        ));
        at = end;
    }
    entries
}

fn tagged(name: &str) -> Value {
    json!([{"TagKey": "tccert:certificate", "TagValue": name}])
}

#[tokio::test]
async fn a_purchase_goes_from_5_to_a_downloaded_chain() {
    use base64::Engine as _;
    use x509_parser::prelude::{FromDer as _, GeneralName, X509Certificate};
    let emu = emulator(config()).await;
    let bought = call(
        &emu,
        "CreateCertificate",
        json!({"ProductId": 9, "DomainNum": 1, "TimeSpan": 1, "AutoVoucher": 0,
               "Tags": [{"TagKey": "tccert:certificate", "TagValue": "shop"},
                        {"TagKey": "team", "TagValue": "web"}]}),
    )
    .await;
    assert_eq!(bought.code(), "OK", "{}", bought.raw);
    let ids = bought.body["Response"]["CertificateIds"].clone();
    assert_eq!(ids.as_array().map(Vec::len), Some(1));
    assert_eq!(
        bought.body["Response"]["DealIds"].as_array().map(Vec::len),
        Some(1)
    );
    let id = ids[0].as_str().unwrap_or_default().to_owned();

    // Found again by its tag; the list names the product PackageTypeName.
    let listed = call(
        &emu,
        "DescribeCertificates",
        json!({"Tags": tagged("shop"), "Limit": 10}),
    )
    .await;
    let response = &listed.body["Response"];
    assert_eq!(response["TotalCount"], 1, "{}", listed.raw);
    let item = &response["Certificates"][0];
    assert_eq!(item["CertificateId"], id.as_str());
    assert_eq!(item["PackageType"], "9");
    assert_eq!(item["PackageTypeName"], "Geotrust 企业型（OV）");
    assert!(item.get("TypeName").is_none(), "{item}");
    assert_eq!(
        item["Tags"][1],
        json!({"TagKey": "team", "TagValue": "web"})
    );
    let other = call(
        &emu,
        "DescribeCertificates",
        json!({"Tags": tagged("other")}),
    )
    .await;
    assert_eq!(other.body["Response"]["TotalCount"], 0);

    let fresh = detail(&emu, &id).await;
    assert_eq!(
        (fresh["Status"].clone(), fresh["Domain"].clone()),
        (json!(5), json!(""))
    );
    assert_eq!(fresh["IsDv"], false);
    assert_eq!(fresh["PackageType"], "9");
    assert_eq!(fresh["CertificateExtra"]["DomainNumber"], "1");
    assert_eq!(fresh["ValidityPeriod"], "12");
    assert_eq!(fresh["Tags"][0]["TagValue"], "shop");

    let mut submit = org("Shop");
    submit["CertificateId"] = json!(id);
    submit["CertificateDomain"] = json!("shop.example.com");
    let submitted = call(&emu, "SubmitCertificateInformation", submit).await;
    assert_eq!(submitted.code(), "OK", "{}", submitted.raw);
    let ordered = call(&emu, "CertificateOrderSubmit", json!({"CertId": id})).await;
    assert_eq!(
        ordered.body["Response"]["Status"], 8,
        "an OV product waits for its letter"
    );
    assert_eq!(detail(&emu, &id).await["Domain"], "shop.example.com");

    // The letter: size and type as the API checks them, then 8 -> 0.
    let letter = |content: String| json!({"CertificateId": id, "ConfirmLetter": content});
    let small = call(&emu, "UploadConfirmLetter", letter(pdf(1023))).await;
    assert_eq!(small.code(), "FailedOperation.ConfirmLetterTooSmall");
    let large = call(&emu, "UploadConfirmLetter", letter(pdf(1_468_007))).await;
    assert_eq!(large.code(), "FailedOperation.ConfirmLetterTooLarge");
    let gif = base64::engine::general_purpose::STANDARD
        .encode([b"GIF89a".as_slice(), &[0; 2000]].concat());
    let wrong = call(&emu, "UploadConfirmLetter", letter(gif)).await;
    assert_eq!(wrong.code(), "FailedOperation.InvalidConfirmLetterFormat");
    let uploaded = call(&emu, "UploadConfirmLetter", letter(pdf(1024))).await;
    assert_eq!(
        uploaded.body["Response"]["IsSuccess"], true,
        "{}",
        uploaded.raw
    );
    assert_eq!(detail(&emu, &id).await["Status"], 0);
    let again = call(&emu, "UploadConfirmLetter", letter(pdf(2000))).await;
    assert_eq!(again.code(), "FailedOperation.InvalidCertificateStatusCode");

    // Never issued by delay here: the local check fails until completion.
    let checks = call(
        &emu,
        "CheckCertificateDomainVerification",
        json!({"CertificateId": id}),
    )
    .await;
    let result = &checks.body["Response"]["VerificationResults"][0];
    assert_eq!(result["Domain"], "shop.example.com", "{}", checks.raw);
    assert_eq!(
        (result["LocalCheck"].clone(), result["Issued"].clone()),
        (json!(-1), json!(false))
    );
    let early = call(&emu, "DownloadCertificate", json!({"CertificateId": id})).await;
    assert_eq!(early.code(), "FailedOperation.InvalidCertificateStatusCode");
    let completed = call(&emu, "CompleteCertificate", json!({"CertificateId": id})).await;
    assert_eq!(
        completed.body["Response"]["CertificateId"],
        id.as_str(),
        "{}",
        completed.raw
    );
    assert_eq!(detail(&emu, &id).await["Status"], 1);
    let checks = call(
        &emu,
        "CheckCertificateDomainVerification",
        json!({"CertificateId": id}),
    )
    .await;
    assert_eq!(
        checks.body["Response"]["VerificationResults"][0]["LocalCheck"],
        1
    );

    // The download: a ZIP with the chain and the key made for `online`.
    let downloaded = call(&emu, "DownloadCertificate", json!({"CertificateId": id})).await;
    let response = &downloaded.body["Response"];
    assert_eq!(
        response["ContentType"], "application/zip",
        "{}",
        downloaded.raw
    );
    let zip = base64::engine::general_purpose::STANDARD
        .decode(response["Content"].as_str().unwrap_or_default())
        .unwrap_or_default();
    let entries = unzip_stored(&zip);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "shop.example.com_nginx/",
            "shop.example.com_nginx/shop.example.com_bundle.crt",
            "shop.example.com_nginx/shop.example.com_bundle.pem",
            "shop.example.com_nginx/shop.example.com.key"
        ]
    );
    let chain = String::from_utf8_lossy(&entries[1].1).into_owned();
    assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
    let pem = x509_parser::pem::Pem::iter_from_buffer(chain.as_bytes())
        .next()
        .and_then(Result::ok)
        .map(|p| p.contents)
        .unwrap_or_default();
    let (_, leaf) = X509Certificate::from_der(&pem).unwrap_or_else(|e| panic!("{e}"));
    let cn: Vec<&str> = leaf
        .subject()
        .iter_common_name()
        .filter_map(|c| c.as_str().ok())
        .collect();
    assert_eq!(cn, ["shop.example.com"]);
    let sans: Vec<String> = leaf
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|e| {
            e.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    GeneralName::DNSName(d) => Some((*d).to_owned()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(sans, ["shop.example.com"]);
    let again = call(&emu, "DownloadCertificate", json!({"CertificateId": id})).await;
    let zip2 = base64::engine::general_purpose::STANDARD
        .decode(
            again.body["Response"]["Content"]
                .as_str()
                .unwrap_or_default(),
        )
        .unwrap_or_default();
    assert_eq!(
        unzip_stored(&zip2)[3],
        entries[3],
        "the key made once is kept"
    );

    let snapshot = emu.snapshot();
    let cert = &snapshot.certificates[&id];
    assert_eq!(cert.confirm_letter_bytes, Some(1024));
    assert_eq!(cert.lifecycle_received.get("UploadConfirmLetter"), Some(&5));
    assert_eq!(cert.purchase.as_ref().map(|p| p.auto_voucher), Some(0));
}

#[tokio::test]
async fn purchases_are_checked_and_dv_products_go_to_review() {
    let emu = emulator(EmulatorConfig {
        issue_after: Some(Duration::from_secs(3600)),
        ..config()
    })
    .await;
    let buy = |product: u64, domains: u64, years: u64| json!({"ProductId": product, "DomainNum": domains, "TimeSpan": years});
    for (body, code) in [
        (buy(36, 1, 1), "InvalidParameterValue"),
        (buy(11, 1, 1), "InvalidParameterValue"),
        (buy(9, 2, 1), "InvalidParameterValue"),
        (buy(99, 2, 2), "InvalidParameterValue"),
        (json!({"ProductId": 9, "DomainNum": 1}), "MissingParameter"),
        (
            json!({"ProductId": "9", "DomainNum": 1, "TimeSpan": 1}),
            "InvalidParameter",
        ),
        (
            json!({"ProductId": 9, "DomainNum": 1, "TimeSpan": 1, "Tags": [{"Key": "x"}]}),
            "InvalidParameter",
        ),
    ] {
        let answer = call(&emu, "CreateCertificate", body.clone()).await;
        assert_eq!(answer.code(), code, "{body}");
    }
    assert_eq!(emu.snapshot().certificates.len(), 1, "nothing bought");

    // A DV product (Rapid, 102): ordered -> 0; DNSPod (48) is not completed.
    let mut ids = Vec::new();
    for product in [102, 48] {
        let bought = call(&emu, "CreateCertificate", buy(product, 1, 1)).await;
        let id = bought.body["Response"]["CertificateIds"][0]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let mut submit = org("Shop");
        submit["CertificateId"] = json!(id);
        submit["IsDV"] = json!(true);
        submit["CertificateDomain"] = json!("dv.example.com");
        assert_eq!(
            call(&emu, "SubmitCertificateInformation", submit)
                .await
                .code(),
            "OK"
        );
        let ordered = call(&emu, "CertificateOrderSubmit", json!({"CertId": id})).await;
        assert_eq!(ordered.body["Response"]["Status"], 0, "{}", ordered.raw);
        ids.push(id);
    }
    let letter = call(
        &emu,
        "UploadConfirmLetter",
        json!({"CertificateId": ids[0], "ConfirmLetter": pdf(2048)}),
    )
    .await;
    assert_eq!(
        letter.code(),
        "FailedOperation.UploadConfirmCertificateNotSupportDV"
    );
    let dnspod = call(
        &emu,
        "CompleteCertificate",
        json!({"CertificateId": ids[1]}),
    )
    .await;
    assert_eq!(dnspod.code(), "FailedOperation.InvalidParam");
    let rapid = call(
        &emu,
        "CompleteCertificate",
        json!({"CertificateId": ids[0]}),
    )
    .await;
    assert_eq!(rapid.code(), "OK", "{}", rapid.raw);
    let twice = call(
        &emu,
        "CompleteCertificate",
        json!({"CertificateId": ids[0]}),
    )
    .await;
    assert_eq!(twice.code(), "FailedOperation.CertificateNotFoundOrAudited");

    // Issued ones first (ASC by end time), the others after.
    let sorted = call(
        &emu,
        "DescribeCertificates",
        json!({"ExpirationSort": "ASC", "CertificateStatus": [0, 1]}),
    )
    .await;
    let listed: Vec<&str> = sorted.body["Response"]["Certificates"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["CertificateId"].as_str())
        .collect();
    assert_eq!(listed, [ids[0].as_str(), ids[1].as_str()]);
}

#[tokio::test]
async fn cancel_then_resubmit_through_6_and_7() {
    let emu = emulator(EmulatorConfig {
        cancel_after: Duration::from_millis(300),
        ..config()
    })
    .await;
    let id = json!({"CertificateId": "abcb1234"});
    let early = call(&emu, "CancelAuditCertificate", id.clone()).await;
    assert_eq!(
        early.code(),
        "FailedOperation.CertificateNotFoundOrCantCancel"
    );
    let not_yet = call(&emu, "ModifyCertificateResubmit", id.clone()).await;
    assert_eq!(
        not_yet.code(),
        "FailedOperation.CertificateStatusNotAllowResubmit"
    );
    call(&emu, "SubmitCertificateInformation", org("Tencent")).await;
    call(
        &emu,
        "CertificateOrderSubmit",
        json!({"CertId": "abcb1234"}),
    )
    .await;
    assert_eq!(
        emu.snapshot().certificates["abcb1234"].status,
        8,
        "a seeded certificate as before"
    );

    let cancelled = call(&emu, "CancelAuditCertificate", id.clone()).await;
    assert_eq!(
        cancelled.body["Response"]["Result"], true,
        "{}",
        cancelled.raw
    );
    let status = |emu: &RunningEmulator| emu.snapshot().certificates["abcb1234"].status;
    assert_eq!(status(&emu), 6);
    let too_soon = call(&emu, "ModifyCertificateResubmit", id.clone()).await;
    assert_eq!(
        too_soon.code(),
        "FailedOperation.CertificateStatusNotAllowResubmit"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(status(&emu), 7);
    let resubmitted = call(&emu, "ModifyCertificateResubmit", id.clone()).await;
    assert_eq!(resubmitted.body["Response"]["CertificateId"], "abcb1234");
    assert_eq!(status(&emu), 5);
    let detail = call(&emu, "DescribeCertificateDetail", id).await;
    assert_eq!(detail.body["Response"]["OrderId"], Value::Null);
    assert_eq!(detail.body["Response"]["DvAuthDetail"], Value::Null);
    // And round again: submit, order.
    assert_eq!(
        call(&emu, "SubmitCertificateInformation", org("Other"))
            .await
            .code(),
        "OK"
    );
}

#[tokio::test]
async fn a_purchase_whose_reply_is_dropped_was_made_once() {
    let emu = emulator(EmulatorConfig {
        faults: vec![
            parse_fault("drop-after-write:CreateCertificate=first:1")
                .unwrap_or_else(|e| panic!("{e}")),
        ],
        ..config()
    })
    .await;
    let body = json!({"ProductId": 9, "DomainNum": 1, "TimeSpan": 1, "Tags": tagged("shop")});
    let lost = call(&emu, "CreateCertificate", body).await;
    assert_eq!(lost.status, 0, "no reply: {}", lost.raw);
    let listed = call(
        &emu,
        "DescribeCertificates",
        json!({"Tags": tagged("shop")}),
    )
    .await;
    assert_eq!(listed.body["Response"]["TotalCount"], 1, "{}", listed.raw);
    assert_eq!(emu.snapshot().faults_injected, 1);
}

#[tokio::test]
async fn the_issue_delay_drives_the_local_check_and_issues_from_0() {
    let emu = emulator(EmulatorConfig {
        issue_after: Some(Duration::from_millis(300)),
        ..config()
    })
    .await;
    call(&emu, "SubmitCertificateInformation", org("Tencent")).await;
    call(
        &emu,
        "CertificateOrderSubmit",
        json!({"CertId": "abcb1234"}),
    )
    .await;
    let id = json!({"CertificateId": "abcb1234"});
    let check = call(&emu, "CheckCertificateDomainVerification", id.clone()).await;
    let result = &check.body["Response"]["VerificationResults"][0];
    assert_eq!(result["LocalCheck"], -1, "{}", check.raw);
    assert_eq!(result["LocalCheckFailReason"], "txt record not found");
    emu.set_status("abcb1234", 0);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let check = call(&emu, "CheckCertificateDomainVerification", id).await;
    assert_eq!(
        check.body["Response"]["VerificationResults"][0]["LocalCheck"],
        1
    );
    assert_eq!(
        emu.snapshot().certificates["abcb1234"].status,
        1,
        "issued from 0"
    );
}

#[tokio::test]
async fn a_signature_over_the_host_without_its_port_is_accepted() {
    let emu = emulator(config()).await;
    let body = json!({"CertificateId": "abcb1234"}).to_string();
    // Signed as the Node.js SDK does: `host:127.0.0.1`, sent with the port.
    let mut headers = signed_headers(
        emu.addr(),
        ID,
        KEY,
        "DescribeCertificateDetail",
        now(),
        &body,
    );
    let bare = sign::debug_sign(
        ID,
        KEY,
        &emu.addr().ip().to_string(),
        "DescribeCertificateDetail",
        "2019-12-05",
        now(),
        &body,
    );
    let authorization = bare["headers"]["Authorization"]
        .as_str()
        .unwrap_or_default();
    set(&mut headers, "Authorization", authorization);
    let answer = send_raw(emu.addr(), &headers, body.as_bytes()).await;
    assert_eq!(answer.code(), "OK", "{}", answer.raw);
    // Another host is still refused.
    let other = sign::debug_sign(
        ID,
        KEY,
        "example.com",
        "DescribeCertificateDetail",
        "2019-12-05",
        now(),
        &body,
    );
    set(
        &mut headers,
        "Authorization",
        other["headers"]["Authorization"]
            .as_str()
            .unwrap_or_default(),
    );
    let refused = send_raw(emu.addr(), &headers, body.as_bytes()).await;
    assert_eq!(refused.code(), "AuthFailure.SignatureFailure");
}

#[test]
fn hosts_lose_only_a_port() {
    use super::server::host_without_port as bare;
    assert_eq!(bare("127.0.0.1:8080"), Some("127.0.0.1"));
    assert_eq!(bare("ssl.localhost:443"), Some("ssl.localhost"));
    assert_eq!(bare("[::1]:80"), Some("[::1]"));
    assert_eq!(bare("127.0.0.1"), None);
    assert_eq!(bare("::1"), None);
    assert_eq!(bare("host:"), None);
}

// ---- The lifecycle actions against the official SDK models: a fixture
// (tests/fixtures/sdk-models-ssl.json, made by tests/fixtures/sdk_models.py
// from tencentcloud-sdk-go and tencentcloud-cli; it names their commits)
// holds each action's request fields with their Go types and required
// flags, its response fields and its documented error codes.

const SDK_MODELS: &str = include_str!("../../tests/fixtures/sdk-models-ssl.json");

/// Codes any action may answer (the API's common codes), beside its own list.
const COMMON_CODES: &[&str] = &[
    "InvalidParameter",
    "InvalidParameterValue",
    "MissingParameter",
    "UnknownParameter",
    "InternalError",
    "RequestLimitExceeded",
    "InvalidAction",
];

fn sdk_models() -> Value {
    serde_json::from_str(SDK_MODELS).unwrap_or_else(|e| panic!("the fixture is not JSON: {e}"))
}

/// Whether `value` may carry the Go type `go` (a pointer may be null).
fn fits(go: &str, value: &Value, structs: &Value) -> bool {
    if let Some(item) = go.strip_prefix("[]") {
        return value.is_null()
            || value
                .as_array()
                .is_some_and(|items| items.iter().all(|v| !v.is_null() && fits(item, v, structs)));
    }
    let bare = go.trim_start_matches('*');
    if value.is_null() {
        return go.starts_with('*');
    }
    match bare {
        "string" => value.is_string(),
        "int64" => value.is_i64(),
        "uint64" => value.is_u64(),
        "bool" => value.is_boolean(),
        name => match (
            structs.get(name).and_then(Value::as_object),
            value.as_object(),
        ) {
            (Some(fields), Some(object)) => object.iter().all(|(key, v)| {
                fields
                    .get(key)
                    .and_then(Value::as_str)
                    .is_some_and(|ty| fits(ty, v, structs))
            }),
            // A struct the fixture does not hold: an object is all we check.
            (None, Some(_)) => true,
            _ => false,
        },
    }
}

#[test]
fn the_request_tables_are_the_sdk_models() {
    use super::actions::{ParamType, params};
    use crate::api::action::Action;
    let models = sdk_models();
    let actions = models["actions"].as_object().cloned().unwrap_or_default();
    assert_eq!(actions.len(), 8);
    for (name, model) in &actions {
        let action = Action::from_name(name).unwrap_or_else(|| panic!("{name} is not an action"));
        let ours: Vec<(&str, ParamType, bool)> = params(action)
            .iter()
            .map(|p| (p.name, p.ty, p.required))
            .collect();
        let theirs: Vec<(&str, ParamType, bool)> = model["request"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(field, spec)| {
                let ty = match spec["type"].as_str().unwrap_or_default() {
                    "*string" => ParamType::String,
                    "*int64" => ParamType::Int,
                    "*uint64" => ParamType::UInt,
                    "*bool" => ParamType::Bool,
                    "[]*string" => ParamType::StringArray,
                    "[]*uint64" => ParamType::UIntArray,
                    "[]*Tags" => ParamType::TagArray,
                    other => panic!("{name}.{field}: no emulator type for {other}"),
                };
                (field.as_str(), ty, spec["required"] == true)
            })
            .collect();
        assert_eq!(
            ours, theirs,
            "{name}: fields, types and required flags, in order"
        );
    }
}

#[tokio::test]
async fn replies_and_error_codes_are_the_sdk_models() {
    use base64::Engine as _;
    let models = sdk_models();
    let structs = models["structs"].clone();
    let emu = emulator(config()).await;
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut replied: Vec<String> = Vec::new();
    // Calls, checks a success against the response model, notes a code.
    let mut step = async |action: &str, body: Value| -> Value {
        let answer = call(&emu, action, body).await;
        let response = answer.body["Response"].clone();
        let model = &models["actions"][action];
        if let Some(error) = response.get("Error") {
            seen.push((
                action.to_owned(),
                error["Code"].as_str().unwrap_or_default().to_owned(),
            ));
            return response;
        }
        replied.push(action.to_owned());
        let fields = model["response"].as_object().cloned().unwrap_or_default();
        let mut keys: Vec<&String> = response
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        keys.sort();
        let mut expected: Vec<&String> = fields.keys().collect();
        expected.sort();
        if action == "DescribeCertificates" {
            for item in response["Certificates"].as_array().into_iter().flatten() {
                for (key, value) in item.as_object().into_iter().flatten() {
                    let ty = structs["Certificates"][key].as_str();
                    assert!(
                        ty.is_some_and(|ty| fits(ty, value, &structs)),
                        "Certificates.{key} = {value} is not in the model as {ty:?}"
                    );
                }
            }
        }
        assert_eq!(
            keys, expected,
            "{action}: the reply's fields are the model's"
        );
        for (key, value) in response.as_object().into_iter().flatten() {
            let ty = fields[key].as_str().unwrap_or_default();
            assert!(
                fits(ty, value, &structs),
                "{action}.{key} = {value} is not {ty}"
            );
        }
        response
    };

    let tags = json!([{"TagKey": "tccert:certificate", "TagValue": "models"}]);
    step(
        "CreateCertificate",
        json!({"ProductId": 36, "DomainNum": 1, "TimeSpan": 1}),
    )
    .await;
    step("CreateCertificate", json!({"ProductId": 9, "DomainNum": 1})).await;
    let bought = step(
        "CreateCertificate",
        json!({"ProductId": 9, "DomainNum": 1, "TimeSpan": 1, "AutoVoucher": 0, "Tags": tags}),
    )
    .await;
    let id = bought["CertificateIds"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let named = json!({"CertificateId": id});
    step("DescribeCertificates", json!({"Tags": tags})).await;
    step(
        "DescribeCertificates",
        json!({"ExpirationSort": "SIDEWAYS"}),
    )
    .await;
    step("CheckCertificateDomainVerification", named.clone()).await;
    let mut submit = org("Models");
    submit["CertificateId"] = json!(id);
    submit["CertificateDomain"] = json!("models.example.com");
    call(&emu, "SubmitCertificateInformation", submit.clone()).await;
    call(&emu, "CertificateOrderSubmit", json!({"CertId": id})).await;
    let letter = |content: String| json!({"CertificateId": id, "ConfirmLetter": content});
    step("UploadConfirmLetter", letter(pdf(100))).await;
    step("UploadConfirmLetter", letter(pdf(2_000_000))).await;
    let text = base64::engine::general_purpose::STANDARD.encode(vec![b'a'; 2000]);
    step("UploadConfirmLetter", letter(text)).await;
    step("UploadConfirmLetter", letter(pdf(2000))).await;
    step("UploadConfirmLetter", letter(pdf(2000))).await;
    step("CheckCertificateDomainVerification", named.clone()).await;
    step("CancelAuditCertificate", named.clone()).await;
    step("CancelAuditCertificate", named.clone()).await;
    step("ModifyCertificateResubmit", named.clone()).await;
    step("ModifyCertificateResubmit", named.clone()).await;
    call(&emu, "SubmitCertificateInformation", submit).await;
    call(&emu, "CertificateOrderSubmit", json!({"CertId": id})).await;
    step("CompleteCertificate", named.clone()).await;
    step("CompleteCertificate", named.clone()).await;
    step("CheckCertificateDomainVerification", named.clone()).await;
    step("DownloadCertificate", named.clone()).await;
    let nobody = json!({"CertificateId": "nobody00"});
    for action in [
        "CancelAuditCertificate",
        "ModifyCertificateResubmit",
        "UploadConfirmLetter",
        "CheckCertificateDomainVerification",
        "CompleteCertificate",
        "DownloadCertificate",
    ] {
        let mut body = nobody.clone();
        if action == "UploadConfirmLetter" {
            body["ConfirmLetter"] = json!(pdf(2000));
        }
        step(action, body).await;
    }
    step("DownloadCertificate", json!({"CertificateId": "abcb1234"})).await;

    for action in models["actions"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(a, _)| a)
    {
        assert!(
            replied.contains(action),
            "{action} never succeeded in this test"
        );
    }
    for (action, code) in &seen {
        let listed = models["actions"][action.as_str()]["errors"]
            .as_array()
            .is_some_and(|codes| codes.iter().any(|c| c == code.as_str()));
        assert!(
            listed || COMMON_CODES.contains(&code.as_str()),
            "{action} answered {code}, which its official error list does not hold"
        );
    }
    assert_eq!(seen.len(), 18, "every error path above ran: {seen:?}");
}

#[tokio::test]
async fn a_parse_certificate_downloads_a_leaf_for_the_submitted_csrs_key() {
    use base64::Engine as _;
    use rcgen::PublicKeyData as _;
    use x509_parser::prelude::{FromDer as _, X509Certificate};
    let emu = emulator(config()).await;
    let key = rcgen::KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
    let csr = rcgen::CertificateParams::new(vec!["www.example.com".to_owned()])
        .and_then(|p| p.serialize_request(&key))
        .and_then(|r| r.pem())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut submit = org("Tencent");
    submit["CsrType"] = json!("parse");
    submit["CsrContent"] = json!(csr);
    submit["DomainList"] = json!(["api.example.com"]);
    assert_eq!(
        call(&emu, "SubmitCertificateInformation", submit)
            .await
            .code(),
        "OK"
    );
    call(
        &emu,
        "CertificateOrderSubmit",
        json!({"CertId": "abcb1234"}),
    )
    .await;
    let done = call(
        &emu,
        "CompleteCertificate",
        json!({"CertificateId": "abcb1234"}),
    )
    .await;
    assert_eq!(done.code(), "OK", "a seeded certificate is completed too");
    let downloaded = call(
        &emu,
        "DownloadCertificate",
        json!({"CertificateId": "abcb1234"}),
    )
    .await;
    let zip = base64::engine::general_purpose::STANDARD
        .decode(
            downloaded.body["Response"]["Content"]
                .as_str()
                .unwrap_or_default(),
        )
        .unwrap_or_default();
    let entries = crate::archive::read(&zip).unwrap_or_else(|e| panic!("{e}"));
    let paths: Vec<&str> = entries.iter().map(crate::archive::Entry::path).collect();
    assert_eq!(
        paths,
        [
            "www.example.com_nginx",
            "www.example.com_nginx/www.example.com_bundle.crt",
            "www.example.com_nginx/www.example.com_bundle.pem",
            "www.example.com_nginx/www.example.com.csr"
        ],
        "no key: the CSR's key stays with its owner"
    );
    let crate::archive::Entry::File { contents, .. } = &entries[1] else {
        panic!("not a file")
    };
    let pem = x509_parser::pem::Pem::iter_from_buffer(contents)
        .next()
        .and_then(Result::ok)
        .map(|p| p.contents)
        .unwrap_or_default();
    let (_, leaf) = X509Certificate::from_der(&pem).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        leaf.public_key().raw,
        key.subject_public_key_info().as_slice()
    );
    let sans = leaf
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|e| e.value.general_names.len());
    assert_eq!(sans, Some(2), "the domain and DomainList");
}

#[tokio::test]
async fn each_lifecycle_action_has_its_own_rate_bucket() {
    let emu = emulator(EmulatorConfig {
        rate_per_second: 1.0,
        ..config()
    })
    .await;
    let buy = json!({"ProductId": 9, "DomainNum": 1, "TimeSpan": 1});
    assert_eq!(
        call(&emu, "CreateCertificate", buy.clone()).await.code(),
        "OK"
    );
    let second = call(&emu, "CreateCertificate", buy).await;
    assert_eq!(second.code(), "RequestLimitExceeded", "{}", second.raw);
    let id = json!({"CertificateId": "abcb1234"});
    for action in [
        "DescribeCertificates",
        "CompleteCertificate",
        "DownloadCertificate",
    ] {
        let body = if action == "DescribeCertificates" {
            json!({})
        } else {
            id.clone()
        };
        let answer = call(&emu, action, body).await;
        assert_ne!(
            answer.code(),
            "RequestLimitExceeded",
            "{action} has a bucket of its own"
        );
    }
    assert_eq!(
        emu.snapshot().certificates.len(),
        2,
        "the throttled purchase bought nothing"
    );
}

/// The bulk read of plan, apply and status: `CertIds` with `Limit` equal to
/// their number; the reply by the official model's names; every request
/// counted by action in the state the tests read.
#[tokio::test]
async fn the_bulk_list_answers_by_id_and_is_counted_by_action() {
    let emu = emulator(config()).await;
    let listed = call(
        &emu,
        "DescribeCertificates",
        json!({"Offset": 0, "Limit": 2, "CertIds": ["abcb1234", "not-there"]}),
    )
    .await;
    assert_eq!(listed.code(), "OK", "{}", listed.raw);
    let response = &listed.body["Response"];
    assert_eq!(response["TotalCount"], 1);
    let item = &response["Certificates"][0];
    assert_eq!(item["CertificateId"], "abcb1234");
    assert_eq!(item["Status"], 5);
    assert!(item.get("StatusMsg").is_some(), "{item}");
    let state = exchange(
        emu.addr(),
        "GET /_emulator/state HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
    )
    .await;
    assert_eq!(state.body["requests_by_action"]["DescribeCertificates"], 1);
    assert!(state.body["requests_by_action"]["DescribeCertificateDetail"].is_null());
    emu.shutdown().await;
}
