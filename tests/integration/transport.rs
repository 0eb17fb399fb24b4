//! The transport against hostile servers and proxies (docs/cli.md,
//! "Transport"): redirects are never followed, replies are capped, a success
//! without `RequestId` is not trusted, proxies never see loopback traffic,
//! secrets a server echoes are masked, and a request that never left is told
//! apart from one that was lost.
//!
//! Each case runs its own small HTTP server on loopback ([`Hostile`]),
//! answering `DescribeCertificateDetail` with a certificate at status 5 and
//! misbehaving as the case needs; a second one on 127.0.0.2 records anything
//! that reaches it (a redirect's target, a proxy). Most cases drive the real
//! binary; the ones that need a test-only seam (a trust root for a loopback
//! TLS server, a resolver) call `HttpTransport` in process. Nothing here
//! leaves the machine.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value as Json, json};
use tccert::api::action::Action;
use tccert::api::credentials::Credentials;
use tccert::api::error::CallError;
use tccert::secret::{Redactor, Secret};
use tccert::transport::{Endpoint, HttpTransport, TestSeams, Transport, TransportConfig};

use crate::support::cli::{Run, Test};
use crate::support::emulator::{SECRET_ID, SECRET_KEY, manifests};
use crate::support::fixtures::{CERTIFICATE, PROFILE};

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub action: String,
    /// The request line and headers.
    pub head: String,
    pub body: String,
}

/// What the server does with a request.
pub enum Answer {
    /// These bytes, a whole HTTP response.
    Raw(Vec<u8>),
    /// A 200 whose chunked body never ends.
    Endless,
    /// Nothing, until the client gives up (a timeout).
    Hang,
    /// Close the connection without a reply (sent, then dropped).
    Close,
}

type Handler = Arc<dyn Fn(&Seen) -> Answer + Send + Sync>;

/// A small HTTP/1.1 server on one loopback address, one thread per
/// connection; stopped on drop.
pub struct Hostile {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Hostile {
    pub fn start(ip: Ipv4Addr, handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Self {
        Self::serve(ip, None, Arc::new(handler))
    }

    /// The same over TLS, with this server configuration.
    pub fn start_tls(
        ip: Ipv4Addr,
        tls: Arc<rustls::ServerConfig>,
        handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static,
    ) -> Self {
        Self::serve(ip, Some(tls), Arc::new(handler))
    }

    /// Records whatever reaches it and answers an empty success envelope,
    /// the reply that followed redirects used to take for a commit.
    pub fn recorder() -> Self {
        Self::start(Ipv4Addr::new(127, 0, 0, 2), |_| {
            Answer::Raw(http_json(200, &json!({"Response": {}})))
        })
    }

    fn serve(ip: Ipv4Addr, tls: Option<Arc<rustls::ServerConfig>>, handler: Handler) -> Self {
        let listener = TcpListener::bind((ip, 0)).expect("bind a loopback port");
        let addr = listener.local_addr().expect("an address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (seen, connections, stop) = (seen.clone(), connections.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    connections.fetch_add(1, Ordering::SeqCst);
                    let (seen, stop, handler, tls) =
                        (seen.clone(), stop.clone(), handler.clone(), tls.clone());
                    std::thread::spawn(move || {
                        let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                        match tls {
                            None => serve_connection(stream, &seen, &stop, &handler),
                            Some(config) => {
                                let Ok(server) = rustls::ServerConnection::new(config) else {
                                    return;
                                };
                                let tls = rustls::StreamOwned::new(server, stream);
                                serve_connection(tls, &seen, &stop, &handler);
                            }
                        }
                    });
                }
            });
        }
        Self {
            addr,
            seen,
            connections,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Connections accepted, whether or not a request came on them.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("the log").clone()
    }

    pub fn count(&self, action: &str) -> usize {
        self.seen().iter().filter(|s| s.action == action).count()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

/// Reads requests off one connection (keep-alive) and answers each.
fn serve_connection(
    mut stream: impl Read + Write,
    seen: &Mutex<Vec<Seen>>,
    stop: &AtomicBool,
    handler: &Handler,
) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer, stop) else {
            return;
        };
        if let Ok(mut log) = seen.lock() {
            log.push(request.clone());
        }
        match handler(&request) {
            Answer::Raw(bytes) => {
                if stream
                    .write_all(&bytes)
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return;
                }
            }
            Answer::Endless => {
                let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
                if stream.write_all(head).is_err() {
                    return;
                }
                let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
                chunk.extend(std::iter::repeat_n(b' ', 64 * 1024));
                chunk.extend_from_slice(b"\r\n");
                while !stop.load(Ordering::SeqCst) && stream.write_all(&chunk).is_ok() {}
                return;
            }
            Answer::Hang => {
                while !stop.load(Ordering::SeqCst) {
                    // A read notices the client closing; the timeout keeps
                    // the flag checked.
                    let mut byte = [0u8; 1];
                    match stream.read(&mut byte) {
                        Ok(0) => return,
                        Ok(_) => {}
                        Err(_) => {}
                    }
                }
                return;
            }
            Answer::Close => return,
        }
    }
}

/// One request: the head up to the blank line, then Content-Length bytes.
fn read_request(stream: &mut impl Read, buffer: &mut Vec<u8>, stop: &AtomicBool) -> Option<Seen> {
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if !fill(stream, buffer, &mut chunk, stop) {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let header = |name: &str| {
        head.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        if !fill(stream, buffer, &mut chunk, stop) {
            return None;
        }
    }
    let body = String::from_utf8_lossy(&buffer[head_end..head_end + length]).into_owned();
    buffer.drain(..head_end + length);
    Some(Seen {
        action: header("x-tc-action").unwrap_or_default(),
        head,
        body,
    })
}

/// Reads more bytes; false when the peer closed or the server stops.
fn fill(stream: &mut impl Read, buffer: &mut Vec<u8>, chunk: &mut [u8], stop: &AtomicBool) -> bool {
    loop {
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        match stream.read(chunk) {
            Ok(0) => return false,
            Ok(n) => {
                buffer.extend_from_slice(&chunk[..n]);
                return true;
            }
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return false,
        }
    }
}

/// A whole HTTP response with a JSON body.
pub fn http_json(status: u16, body: &Json) -> Vec<u8> {
    let body = body.to_string();
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A redirect to `location`.
fn http_redirect(status: u16, location: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status} Moved\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n")
        .into_bytes()
}

/// The `DescribeCertificateDetail` answer for a certificate waiting for its
/// information (status 5, nothing submitted), in the emulator's shape.
fn describe_pending(request: &Seen) -> Answer {
    let body: Json = serde_json::from_str(&request.body).unwrap_or(Json::Null);
    let id = body["CertificateId"].as_str().unwrap_or("unknown");
    Answer::Raw(http_json(
        200,
        &json!({"Response": {
            "CertificateId": id,
            "Domain": "c0.acme.example",
            "Status": 5,
            "StatusMsg": null,
            "SubmittedData": null,
            "RequestId": "hostile-describe",
        }}),
    ))
}

const DESCRIBE: &str = "DescribeCertificateDetail";
const SUBMIT: &str = "SubmitCertificateInformation";

/// `apply --commit` of one pending certificate against `url`, JSON out.
fn apply_to(url: &str) -> Run {
    let (test, _) = manifests(1, &[]);
    test.args([
        "apply",
        ".",
        "--endpoint",
        url,
        "--output",
        "json",
        "--commit",
        "--timeout",
        "1",
    ])
    .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
    .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
    .run()
}

/// The one certificate's result and error code.
fn outcome(run: &Run) -> (String, String) {
    let report = run.json();
    let certificate = &report["certificates"][0];
    (
        certificate["result"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        certificate["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}

/// A write answered with a redirect to the recorder: nothing reaches the
/// recorder, and the certificate is not reported written.
fn redirect_case(status: u16) {
    let recorder = Hostile::recorder();
    let target = format!("{}/", recorder.url());
    let server = Hostile::start(Ipv4Addr::LOCALHOST, move |request| {
        if request.action == DESCRIBE {
            describe_pending(request)
        } else {
            Answer::Raw(http_redirect(status, &target))
        }
    });
    let run = apply_to(&server.url()).failure();
    let (result, code) = outcome(&run);
    assert!(
        result != "submitted" && result != "committed",
        "{status}: reported {result}\n{}",
        run.stdout()
    );
    assert_eq!(
        code,
        format!("ClientError.Redirect{status}"),
        "{}",
        run.stdout()
    );
    assert!(server.count(SUBMIT) >= 1, "the write was tried");
    assert_eq!(
        recorder.connections(),
        0,
        "{status}: the redirect's target was reached: {:?}",
        recorder.seen()
    );
}

#[test]
fn a_301_on_a_write_is_not_followed_and_not_a_commit() {
    redirect_case(301);
}

#[test]
fn a_307_on_a_write_is_not_followed() {
    redirect_case(307);
}

#[test]
fn a_308_on_a_write_is_not_followed() {
    redirect_case(308);
}

#[test]
fn a_success_without_request_id_is_not_a_submit() {
    let server = Hostile::start(Ipv4Addr::LOCALHOST, |request| {
        if request.action == DESCRIBE {
            describe_pending(request)
        } else {
            Answer::Raw(http_json(200, &json!({"Response": {}})))
        }
    });
    let run = apply_to(&server.url()).failure();
    let (result, code) = outcome(&run);
    assert!(
        result != "submitted" && result != "committed",
        "reported {result}\n{}",
        run.stdout()
    );
    assert_eq!(code, "ClientError.NoRequestId", "{}", run.stdout());
    assert!(server.count(SUBMIT) >= 1);
}

#[test]
fn an_endless_reply_ends_in_an_error_in_bounded_memory() {
    let server = Hostile::start(Ipv4Addr::LOCALHOST, |_| Answer::Endless);
    let (test, _) = manifests(1, &[]);
    let url = server.url();
    let measured = test
        .args([
            "apply",
            ".",
            "--endpoint",
            &url,
            "--output",
            "json",
            "--timeout",
            "5",
        ])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run_measured();
    eprintln!(
        "endless reply: peak RSS {} KiB, {:?}",
        measured.peak_rss_kib, measured.wall
    );
    let run = measured.within(150, 60).failure();
    let (result, code) = outcome(&run);
    assert_eq!(result, "failed");
    assert_eq!(code, "ClientError.ReplyTooLarge", "{}", run.stdout());
}

/// Secrets a hostile server quotes back, and the JSON they would be in.
const KEY_PASSWORD: &str = r#"kp-"x7q\z9w"#;
const FROM_ENV: &str = "13900000042";
const TOKEN: &str = "sts-token-3d2e1f";

#[test]
fn secrets_a_server_echoes_are_masked_at_every_verbosity_and_output() {
    // Echoes the whole request (body and headers) inside its error message.
    let server = Hostile::start(Ipv4Addr::LOCALHOST, |request| {
        if request.action == DESCRIBE {
            return describe_pending(request);
        }
        Answer::Raw(http_json(
            200,
            &json!({"Response": {
                "Error": {
                    "Code": "InvalidParameterValue",
                    "Message": format!("cannot parse {} with {}", request.body, request.head),
                },
                "RequestId": "hostile-echo",
            }}),
        ))
    });
    let profile = PROFILE.replace("phone: \"12345678901\"", "phone: ${ADMIN_PHONE}");
    let certificate = CERTIFICATE.replace(
        "type: online",
        &format!("type: online\n  key_password: '{KEY_PASSWORD}'"),
    );
    for output in ["json", "text"] {
        let run = Test::new()
            .file("acme.yaml", &profile)
            .file("www.yaml", &certificate)
            .env("ADMIN_PHONE", FROM_ENV)
            .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
            .env("TENCENTCLOUD_TOKEN", TOKEN)
            .args([
                "apply",
                ".",
                "--endpoint",
                &server.url(),
                "--output",
                output,
                "-vvv",
            ])
            .run()
            .failure();
        let all = format!("{}\n{}", run.stdout(), run.stderr());
        // The server did quote them: the test sees the echo it must mask.
        assert!(all.contains("cannot parse"), "{output}: {all}");
        assert!(all.contains(tccert::secret::MASK), "{output}: {all}");
        // `x7q` is in every form of the key password: as written, JSON-escaped
        // by the server, escaped again in tccert's JSON output.
        for secret in ["x7q", FROM_ENV, TOKEN, SECRET_KEY, SECRET_ID] {
            assert!(!all.contains(secret), "{output}: {secret} shows\n{all}");
        }
    }
}

#[test]
fn proxy_variables_never_see_an_emulator_run() {
    let proxy = Hostile::recorder();
    let (test, _) = manifests(2, &[1]);
    let run = test
        .args(["apply", ".", "--emulator", "--output", "json", "-v"])
        .env("HTTP_PROXY", &proxy.url())
        .env("http_proxy", &proxy.url())
        .env("HTTPS_PROXY", &proxy.url())
        .env("ALL_PROXY", &proxy.url())
        .run()
        .success();
    assert_eq!(run.json()["summary"]["submitted"], 1);
    assert_eq!(run.json()["summary"]["committed"], 1);
    assert_eq!(proxy.connections(), 0, "{:?}", proxy.seen());
    assert!(run.stderr().contains("no proxy"), "{}", run.stderr());
}

#[test]
fn proxy_variables_never_see_a_loopback_endpoint() {
    let proxy = Hostile::recorder();
    let server = Hostile::start(Ipv4Addr::LOCALHOST, describe_pending);
    let (test, _) = manifests(1, &[]);
    test.args(["plan", ".", "--endpoint", &server.url()])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("HTTP_PROXY", &proxy.url())
        .env("ALL_PROXY", &proxy.url())
        .run()
        .success();
    assert_eq!(server.count(DESCRIBE), 1);
    assert_eq!(proxy.connections(), 0, "{:?}", proxy.seen());
}

#[test]
fn a_socks_proxy_for_a_real_endpoint_is_an_error_before_any_request() {
    let (test, _) = manifests(1, &[]);
    let run = test
        .args(["plan", "."])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("ALL_PROXY", "socks5://proxyuser:proxy-pass-9@127.0.0.2:1")
        .run()
        .failure()
        .stderr_contains("ALL_PROXY")
        .stderr_contains("SOCKS");
    assert!(!run.stderr().contains("proxy-pass-9"), "{}", run.stderr());
    assert!(!run.stderr().contains("proxyuser"), "{}", run.stderr());
}

#[test]
fn plain_http_to_another_host_is_a_usage_error_before_any_connection() {
    // 0.0.0.0 would reach this machine; it is refused all the same, by rule.
    let (test, _) = manifests(1, &[]);
    test.args(["plan", ".", "--endpoint", "http://0.0.0.0:9"])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .failure()
        .stderr_contains("http://0.0.0.0:9")
        .stderr_contains("only for loopback hosts");
    let (test, _) = manifests(1, &[]);
    test.args(["plan", "."])
        .env("TCCERT_ENDPOINT", "http://example.com")
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .failure()
        .stderr_contains("only for loopback hosts");
}

/// Flags, variables, and the line `-v` must show.
type SourceCase = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    &'static str,
);

#[test]
fn verbose_logs_name_the_endpoint_and_what_chose_it() {
    // A profile alone: nothing to read, so nothing is sent anywhere.
    let cases: [SourceCase; 5] = [
        (
            &[],
            &[],
            "https://ssl.intl.tencentcloudapi.com/ (chosen by the default)",
        ),
        (
            &["--china"],
            &[],
            "https://ssl.tencentcloudapi.com/ (chosen by --china)",
        ),
        (
            &[],
            &[("TCCERT_ENDPOINT", "http://127.0.0.1:9")],
            "http://127.0.0.1:9/ (chosen by TCCERT_ENDPOINT)",
        ),
        (
            &["--endpoint", "http://localhost:9"],
            &[("TCCERT_ENDPOINT", "http://127.0.0.1:9")],
            "http://localhost:9/ (chosen by --endpoint)",
        ),
        (&["--emulator"], &[], "(chosen by --emulator)"),
    ];
    for (flags, vars, expected) in cases {
        let mut test = Test::new()
            .file("acme.yaml", PROFILE)
            .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
            .args(["plan", ".", "-v"])
            .args(flags.iter().copied());
        for (name, value) in vars {
            test = test.env(name, value);
        }
        let run = test.run().success().stderr_contains(expected);
        assert!(!run.stderr().contains(SECRET_KEY), "{}", run.stderr());
    }
}

// ---- In process: the transport with its test seams ----

fn credentials() -> Credentials {
    Credentials {
        secret_id: SECRET_ID.into(),
        secret_key: Secret::new(SECRET_KEY),
        token: Some(Secret::new(TOKEN)),
    }
}

fn transport(url: &str, timeout_ms: u64, seams: TestSeams) -> HttpTransport {
    HttpTransport::with_test_seams(
        TransportConfig {
            endpoint: Endpoint::parse(url).expect("an endpoint"),
            credentials: credentials(),
            region: None,
            timeout: Duration::from_millis(timeout_ms),
            proxy: None,
            redactor: Arc::new(Redactor::new([KEY_PASSWORD, TOKEN])),
            extra_roots: None,
        },
        seams,
    )
    .expect("a transport")
}

/// One call on a fresh runtime.
fn call(transport: &HttpTransport, action: &'static str) -> Result<Map<String, Json>, CallError> {
    let body = json!({"CertificateId": "abcb1234", "KeyPassword": KEY_PASSWORD});
    let Json::Object(body) = body else {
        unreachable!()
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(transport.call(Action::from_name(action).expect("a known action"), body))
}

/// A certificate authority and a server certificate for 127.0.0.1 signed by
/// it: the server's TLS configuration and the CA's DER, which only the test's
/// client trusts.
fn tls_server() -> (Arc<rustls::ServerConfig>, Vec<u8>) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("a CA key"))
        .expect("a CA");
    let leaf_key = KeyPair::generate().expect("a server key");
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .expect("server params")
        .signed_by(&leaf_key, &ca)
        .expect("a server certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .expect("a server configuration");
    (Arc::new(config), ca.der().to_vec())
}

#[test]
fn https_redirected_to_plain_http_is_not_followed() {
    let recorder = Hostile::recorder();
    let target = format!("{}/", recorder.url());
    let (tls, ca) = tls_server();
    let server = Hostile::start_tls(Ipv4Addr::LOCALHOST, tls, move |_| {
        Answer::Raw(http_redirect(308, &target))
    });
    let url = format!("https://{}", server.addr);
    let client = transport(
        &url,
        5000,
        TestSeams {
            trust_only: vec![ca],
            ..TestSeams::default()
        },
    );
    assert_eq!(
        call(&client, SUBMIT),
        Err(CallError::Redirect { status: 308 })
    );
    // The TLS server got the write; its plain-http target got nothing.
    assert_eq!(server.count(SUBMIT), 1);
    assert!(server.seen()[0].body.contains("x7q"));
    assert_eq!(recorder.connections(), 0, "{:?}", recorder.seen());
}

#[test]
fn a_tls_handshake_that_fails_is_a_connect_failure() {
    let (tls, _) = tls_server();
    let (_, other_ca) = tls_server();
    let server = Hostile::start_tls(Ipv4Addr::LOCALHOST, tls, describe_pending);
    let client = transport(
        &format!("https://{}", server.addr),
        5000,
        TestSeams {
            trust_only: vec![other_ca],
            ..TestSeams::default()
        },
    );
    let error = call(&client, DESCRIBE).unwrap_err();
    assert!(matches!(error, CallError::Connect { .. }), "{error:?}");
    assert!(server.seen().is_empty(), "no request went through");
}

/// A resolver that knows no name and counts the questions.
struct NoNames(AtomicUsize);

impl reqwest::dns::Resolve for NoNames {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        self.0.fetch_add(1, Ordering::SeqCst);
        let name = name.as_str().to_string();
        Box::pin(
            async move { Err::<reqwest::dns::Addrs, _>(format!("no such name: {name}").into()) },
        )
    }
}

#[test]
fn a_name_that_does_not_resolve_is_a_connect_failure() {
    let resolver = Arc::new(NoNames(AtomicUsize::new(0)));
    let client = transport(
        "https://ssl.tccert-test.example",
        5000,
        TestSeams {
            resolver: Some(resolver.clone()),
            ..TestSeams::default()
        },
    );
    let error = call(&client, SUBMIT).unwrap_err();
    assert!(matches!(error, CallError::Connect { .. }), "{error:?}");
    assert_eq!(resolver.0.load(Ordering::SeqCst), 1);
}

#[test]
fn localhost_is_pinned_to_loopback_and_never_resolved() {
    let server = Hostile::start(Ipv4Addr::LOCALHOST, describe_pending);
    let resolver = Arc::new(NoNames(AtomicUsize::new(0)));
    let client = transport(
        &format!("http://localhost:{}", server.addr.port()),
        5000,
        TestSeams {
            resolver: Some(resolver.clone()),
            ..TestSeams::default()
        },
    );
    let reply = call(&client, DESCRIBE).expect("an answer from 127.0.0.1");
    assert_eq!(reply["Status"], 5);
    assert_eq!(
        resolver.0.load(Ordering::SeqCst),
        0,
        "localhost was looked up"
    );
}

#[test]
fn a_request_that_never_left_is_told_apart_from_one_lost_after_sending() {
    // Refused: a port that was just free, where nothing listens. Certainly
    // not applied.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let client = transport(
        &format!("http://127.0.0.1:{port}"),
        5000,
        TestSeams::default(),
    );
    let error = call(&client, SUBMIT).unwrap_err();
    assert!(matches!(error, CallError::Connect { .. }), "{error:?}");
    assert_eq!(error.code(), "ClientError.ConnectFailed");

    // Sent, then the connection dropped: the outcome is unknown.
    let dropped = Hostile::start(Ipv4Addr::LOCALHOST, |_| Answer::Close);
    let error = call(
        &transport(&dropped.url(), 5000, TestSeams::default()),
        SUBMIT,
    )
    .unwrap_err();
    assert!(
        matches!(
            error,
            CallError::Transport {
                timed_out: false,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(dropped.count(SUBMIT), 1, "the request was sent");

    // Sent, and no answer within the timeout: unknown too.
    let silent = Hostile::start(Ipv4Addr::LOCALHOST, |_| Answer::Hang);
    let error = call(&transport(&silent.url(), 500, TestSeams::default()), SUBMIT).unwrap_err();
    assert!(
        matches!(
            error,
            CallError::Transport {
                timed_out: true,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(silent.count(SUBMIT), 1);
}

#[test]
fn an_oversized_content_length_is_refused_without_reading() {
    // Promises 10 GiB and sends nothing: refused at once, not after the
    // timeout spent waiting for a body.
    let server = Hostile::start(Ipv4Addr::LOCALHOST, |_| {
        Answer::Raw(b"HTTP/1.1 200 OK\r\nContent-Length: 10737418240\r\n\r\n".to_vec())
    });
    let started = std::time::Instant::now();
    let error = call(
        &transport(&server.url(), 10_000, TestSeams::default()),
        DESCRIBE,
    )
    .unwrap_err();
    assert_eq!(error, CallError::TooLarge);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_reply_just_under_the_cap_is_read_and_one_over_is_not() {
    let reply = |padding: usize| {
        let mut body = json!({"Response": {"RequestId": "r", "Pad": ""}}).to_string();
        let base = body.len();
        body =
            json!({"Response": {"RequestId": "r", "Pad": " ".repeat(padding - base)}}).to_string();
        body
    };
    let cap = tccert::api::error::MAX_REPLY_BYTES;
    for (size, fits) in [(cap, true), (cap + 1, false)] {
        let body = reply(size);
        assert_eq!(body.len(), size);
        // Chunked, so only counting can tell.
        let server = Hostile::start(Ipv4Addr::LOCALHOST, move |_| {
            let mut raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            for piece in body.as_bytes().chunks(100_000) {
                raw.extend(format!("{:x}\r\n", piece.len()).into_bytes());
                raw.extend_from_slice(piece);
                raw.extend_from_slice(b"\r\n");
            }
            raw.extend_from_slice(b"0\r\n\r\n");
            Answer::Raw(raw)
        });
        let result = call(
            &transport(&server.url(), 10_000, TestSeams::default()),
            DESCRIBE,
        );
        if fits {
            assert!(result.is_ok(), "{size}: {result:?}");
        } else {
            assert_eq!(result, Err(CallError::TooLarge), "{size}");
        }
    }
}

#[test]
fn transport_errors_are_redacted_before_they_are_returned() {
    // A server whose error quotes the request back.
    let server = Hostile::start(Ipv4Addr::LOCALHOST, |request| {
        Answer::Raw(http_json(
            200,
            &json!({"Response": {
                "Error": {"Code": "InvalidParameter", "Message": format!("{} {}", request.body, request.head)},
                "RequestId": TOKEN,
            }}),
        ))
    });
    let error = call(
        &transport(&server.url(), 5000, TestSeams::default()),
        SUBMIT,
    )
    .unwrap_err();
    let CallError::Api {
        message,
        request_id,
        ..
    } = &error
    else {
        panic!("{error:?}")
    };
    assert!(message.contains("KeyPassword"), "{message}");
    assert!(!message.contains("x7q"), "{message}");
    assert!(!message.contains(TOKEN), "{message}");
    assert_eq!(request_id.as_deref(), Some(tccert::secret::MASK));
}
