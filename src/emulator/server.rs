//! The HTTP side of the emulator: a hyper 1 HTTP/1.1 server on loopback that
//! runs each `POST /` through the same gates as Tencent Cloud, in the same
//! order, and serves the unsigned test-only `/_emulator/...` endpoints.
//!
//! Gate order for `POST /` (the first that fails answers):
//! body size (10 MB), Authorization present and well-formed, `X-TC-Timestamp`
//! within 300 s of the emulator's clock, SecretId known, signature,
//! `X-TC-Version`, action known, the caller's per-action token bucket (one
//! set per account), body is a JSON object, parameters, the certificate
//! owned by the caller's account; then injected faults, then the action
//! itself.
//!
//! Errors use the API's envelope with HTTP 200. Nothing here panics on
//! request input, and neither request bodies (which may hold KeyPassword) nor
//! secret keys reach a log line at any level.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderMap};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::EmulatorConfig;
use super::actions::{self, ApiError};
use super::bucket::TokenBucket;
pub(super) use super::envelope::host_without_port;
use super::envelope::{api_envelope, auth_error, error_envelope, request_id, request_limit_error};
use super::fault::{FaultInjector, FaultKind};
use super::lifecycle;
use super::state::{self, StateSnapshot};
pub use super::tls::{TlsIdentity, make_tls_identity};
use crate::api::action::{Action, SSL_API_VERSION};
use crate::api::sign::{self, ReceivedRequest, SSL_SERVICE, VerifyError};
use crate::api::status::Language;

/// The largest request body accepted, as the real API documents for POST.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// How far `X-TC-Timestamp` may be from the emulator's clock, in seconds.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 300;

/// State shared by every connection.
pub(super) struct Shared {
    /// SecretId → the key and the account that owns it (`None`: the
    /// default pairs).
    credentials: HashMap<String, (String, Option<String>)>,
    clock_offset_seconds: i64,
    latency: Duration,
    rate_per_second: f64,
    /// Ordered certificates move to issued (1) this long after the order.
    issue_after: Option<Duration>,
    local_check_after: Option<Duration>,
    /// Cancelling certificates (6) move to cancelled (7) this long after
    /// their `CancelAuditCertificate`.
    cancel_after: Duration,
    /// The CA that signs downloaded certificates.
    issuer: super::issuer::Issuer,
    state_file: Option<std::path::PathBuf>,
    state: Mutex<StateSnapshot>,
    /// One bucket per account (the default pairs counting as one) and action.
    buckets: Mutex<HashMap<(Option<String>, Action), TokenBucket>>,
    faults: Mutex<FaultInjector>,
}

/// Locks a mutex, carrying on after a panic elsewhere: the data is plain
/// counters and maps that stay consistent between statements.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Unix seconds by the real clock.
fn real_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl Shared {
    pub(super) fn new(
        config: &EmulatorConfig,
        state: StateSnapshot,
        issuer: super::issuer::Issuer,
    ) -> Self {
        Self {
            credentials: config
                .credentials
                .iter()
                .map(|(id, key)| (id.clone(), (key.clone(), None)))
                .chain(config.accounts.iter().map(|a| {
                    (
                        a.secret_id.clone(),
                        (a.secret_key.clone(), Some(a.name.clone())),
                    )
                }))
                .collect(),
            clock_offset_seconds: config.clock_offset_seconds,
            latency: config.latency,
            rate_per_second: config.rate_per_second,
            issue_after: config.issue_after,
            local_check_after: config.local_check_after,
            cancel_after: config.cancel_after,
            issuer,
            state_file: config.state_file.clone(),
            state: Mutex::new(state),
            buckets: Mutex::new(HashMap::new()),
            faults: Mutex::new(FaultInjector::new(config.faults.clone(), config.fault_seed)),
        }
    }

    /// The emulator's clock, which tests may set apart from the real one.
    fn now(&self) -> i64 {
        real_now().saturating_add(self.clock_offset_seconds)
    }

    /// The emulator's clock in Unix milliseconds.
    fn now_ms(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        real.saturating_add(self.clock_offset_seconds.saturating_mul(1000))
    }

    /// The state as of now: orders due for issuance are issued first, so a
    /// test reading the state sees what the next describe would answer.
    pub(super) fn snapshot(&self) -> StateSnapshot {
        let now_ms = self.now_ms();
        self.mutate(|state| ((), self.advance(state, now_ms)));
        lock(&self.state).clone()
    }

    /// The CA's side, as of `now_ms`: orders that have waited long enough
    /// are issued, cancellations that have waited long enough land.
    /// Returns whether anything moved.
    fn advance(&self, state: &mut StateSnapshot, now_ms: i64) -> bool {
        let issued = self
            .issue_after
            .is_some_and(|after| state.issue_due(now_ms, after));
        let cancelled = state.cancel_due(now_ms, self.cancel_after);
        issued || cancelled
    }

    /// Applies `change` to the state and, when it reports a change, writes
    /// the state file while still holding the lock, so that writes reach the
    /// file in the order they happened.
    pub(super) fn mutate<R>(&self, change: impl FnOnce(&mut StateSnapshot) -> (R, bool)) -> R {
        let mut state = lock(&self.state);
        let (result, changed) = change(&mut state);
        if changed {
            self.persist(&state);
        }
        result
    }

    fn persist(&self, state: &StateSnapshot) {
        if let Some(path) = &self.state_file
            && let Err(error) = state::save_atomic(path, state)
        {
            tracing::error!(path = %path.display(), %error, "cannot write the emulator state file");
        }
    }
}

/// Closes the connection without a response (the drop-after-write fault).
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

type Reply = Response<Full<Bytes>>;

fn json_reply(status: StatusCode, body: &Value) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from(body.to_string())));
    *reply.status_mut() = status;
    // Exactly `application/json`: the Python SDK parses errors only for
    // this Content-Type (or text/plain), with no charset parameter.
    reply.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    reply
}

fn text_reply(status: StatusCode, text: &'static str) -> Reply {
    let mut reply = Response::new(Full::new(Bytes::from_static(text.as_bytes())));
    *reply.status_mut() = status;
    reply.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain"),
    );
    reply
}

/// A header as text; a header that is not visible ASCII reads as absent.
fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// What the API gate decided.
enum Outcome {
    /// Answer with these `Response` fields.
    Ok(Map<String, Value>),
    Err(ApiError),
    /// Answer HTTP 502 (injected).
    BadGateway,
}

/// Everything about one API request that the log line needs.
struct Handled {
    outcome: Outcome,
    action: Option<Action>,
    certificate_id: String,
    fault: Option<FaultKind>,
}

/// How long a client has to finish the TLS handshake.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<Arc<rustls::ServerConfig>>,
    mut stop: watch::Receiver<bool>,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let shared = Arc::clone(&shared);
                    let stop = stop.clone();
                    match &acceptor {
                        None => {
                            connections.spawn(serve_connection(stream, peer, shared, stop));
                        }
                        // The handshake runs in the connection's own task, so a
                        // slow or silent client holds up no one else.
                        Some(acceptor) => {
                            let acceptor = acceptor.clone();
                            connections.spawn(async move {
                                let handshake = tokio::time::timeout(
                                    TLS_HANDSHAKE_TIMEOUT,
                                    acceptor.accept(stream),
                                )
                                .await;
                                match handshake {
                                    Ok(Ok(stream)) => serve_connection(stream, peer, shared, stop).await,
                                    Ok(Err(error)) => {
                                        tracing::debug!(%peer, %error, "emulator TLS handshake failed");
                                    }
                                    Err(_) => tracing::debug!(%peer, "emulator TLS handshake timed out"),
                                }
                            });
                        }
                    }
                }
                Err(error) => {
                    // Typically out of file descriptors: back off instead of spinning.
                    tracing::warn!(%error, "emulator accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            // A dropped sender also ends the loop, so a forgotten emulator stops.
            _ = stop.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    // Let in-flight requests finish briefly, then cut the rest (slow faults).
    let drained = tokio::time::timeout(Duration::from_secs(2), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        connections.abort_all();
    }
}

async fn serve_connection<S>(
    stream: S,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| handle(Arc::clone(&shared), peer, req));
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(%peer, %error, "emulator connection ended with an error");
    }
}

async fn handle(
    shared: Arc<Shared>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Reply, DropConnection> {
    let path = req.uri().path().to_owned();
    if path == "/" {
        // In a task of its own, so that a request is carried out to the end
        // even when the client goes away (a timeout), as a real server does:
        // that is the case a client cannot tell from a lost write.
        return tokio::spawn(async move { handle_api(&shared, req).await })
            .await
            .unwrap_or(Err(DropConnection));
    }
    if !peer.ip().is_loopback() {
        return Ok(text_reply(StatusCode::FORBIDDEN, "loopback only\n"));
    }
    Ok(match (req.method(), path.as_str()) {
        (&Method::GET, "/_emulator/state") => {
            let snapshot = serde_json::to_value(shared.snapshot()).unwrap_or(Value::Null);
            json_reply(StatusCode::OK, &snapshot)
        }
        (&Method::POST, p) if p.starts_with("/_emulator/certificates/") => {
            let id = p.trim_start_matches("/_emulator/certificates/").to_owned();
            handle_patch(&shared, &id, req).await
        }
        _ => text_reply(StatusCode::NOT_FOUND, "not found\n"),
    })
}

/// `POST /_emulator/certificates/{id}` with any of
/// `{"status": N, "SubmittedData": {field: value|null} | null, "domain": D}`.
/// `SubmittedData` fields are merged (null removes one); `null` clears it.
/// `domain` creates the certificate when it does not exist.
async fn handle_patch(shared: &Shared, id: &str, req: Request<Incoming>) -> Reply {
    let bad = |message: String| json_reply(StatusCode::BAD_REQUEST, &json!({ "error": message }));
    let body = match Limited::new(req.into_body(), MAX_BODY_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(error) => return bad(format!("cannot read the body: {error}")),
    };
    let patch: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(Value::Object(patch)) => patch,
        _ => return bad("the body must be a JSON object".into()),
    };
    if id.is_empty() || id.contains('/') {
        return bad("the path must be /_emulator/certificates/{id}".into());
    }
    if let Some(key) = patch
        .keys()
        .find(|k| !["status", "SubmittedData", "domain"].contains(&k.as_str()))
    {
        return bad(format!(
            "unknown key `{key}` (expected status, SubmittedData, domain)"
        ));
    }
    let status = match patch.get("status") {
        None => None,
        Some(v) => match v.as_u64() {
            Some(n) => Some(n),
            None => return bad("status must be a non-negative integer".into()),
        },
    };
    let submitted = match patch.get("SubmittedData") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::Object(fields)) => Some(Some(fields.clone())),
        Some(_) => return bad("SubmittedData must be an object or null".into()),
    };
    let domain = match patch.get("domain") {
        None => None,
        Some(Value::String(d)) => Some(d.clone()),
        Some(_) => return bad("domain must be a string".into()),
    };
    let now = shared.now();
    let result = shared.mutate(|state| {
        if !state.certificates.contains_key(id) {
            let Some(domain) = domain.clone() else {
                return (None, false);
            };
            state.add_seed(
                &[super::SeedCertificate {
                    certificate_id: id.to_owned(),
                    domain,
                    owner: None,
                }],
                now,
            );
        }
        let Some(cert) = state.certificates.get_mut(id) else {
            return (None, false);
        };
        if let Some(domain) = &domain {
            cert.domain.clone_from(domain);
        }
        if let Some(status) = status {
            cert.status = status;
        }
        match &submitted {
            None => {}
            Some(None) => cert.submitted_data = None,
            Some(Some(fields)) => {
                let data = cert.submitted_data.get_or_insert_with(Map::new);
                for (key, value) in fields {
                    if value.is_null() {
                        data.shift_remove(key);
                    } else {
                        data.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (
            Some(serde_json::to_value(&*cert).unwrap_or(Value::Null)),
            true,
        )
    });
    match result {
        Some(cert) => {
            tracing::info!(certificate_id = id, "emulator state patched");
            json_reply(StatusCode::OK, &cert)
        }
        None => json_reply(
            StatusCode::NOT_FOUND,
            &json!({ "error": format!("no certificate `{id}` (send \"domain\" to create it)") }),
        ),
    }
}

async fn handle_api(shared: &Shared, req: Request<Incoming>) -> Result<Reply, DropConnection> {
    let started = Instant::now();
    let request_id = request_id();
    let (parts, body) = req.into_parts();
    let action_header = header(&parts.headers, "x-tc-action").unwrap_or_default();
    {
        // Bounded so that junk action names cannot grow the map without limit.
        let key: String = action_header.chars().take(64).collect();
        let mut state = lock(&shared.state);
        let count = state.requests_by_action.entry(key).or_insert(0);
        *count = count.saturating_add(1);
    }

    let handled = api_gates(shared, &parts, body).await;

    let Handled {
        outcome,
        action,
        certificate_id,
        fault,
    } = handled;
    let action_name: &str = action.map_or(action_header, |a| a.name());
    let code = match &outcome {
        Outcome::Ok(_) => "OK",
        Outcome::Err(e) => e.code.as_str(),
        Outcome::BadGateway => "HTTP 502",
    };
    let fault_name = fault.as_ref().map(ToString::to_string);
    tracing::info!(
        request_id = %request_id,
        action = %action_name,
        certificate_id = %certificate_id,
        outcome = %code,
        fault = fault_name.as_deref().unwrap_or("-"),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "emulator request"
    );

    match fault {
        Some(FaultKind::DropAfterWrite) => return Err(DropConnection),
        Some(FaultKind::SlowReply(delay)) => tokio::time::sleep(delay).await,
        _ => {}
    }
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    Ok(match outcome {
        Outcome::Ok(fields) => json_reply(StatusCode::OK, &api_envelope(fields, &request_id)),
        Outcome::Err(error) => json_reply(StatusCode::OK, &error_envelope(&error, &request_id)),
        Outcome::BadGateway => text_reply(StatusCode::BAD_GATEWAY, "502 Bad Gateway\n"),
    })
}

async fn api_gates(
    shared: &Shared,
    parts: &hyper::http::request::Parts,
    body: Incoming,
) -> Handled {
    let mut handled = Handled {
        outcome: Outcome::Err(ApiError::new("InternalError", "")),
        action: None,
        certificate_id: String::new(),
        fault: None,
    };
    handled.outcome = match api_gates_inner(shared, parts, body, &mut handled).await {
        Ok(fields) => fields,
        Err(error) => Outcome::Err(error),
    };
    handled
}

fn count_auth_failure(shared: &Shared) {
    let mut state = lock(&shared.state);
    state.auth_failures = state.auth_failures.saturating_add(1);
}

async fn api_gates_inner(
    shared: &Shared,
    parts: &hyper::http::request::Parts,
    body: Incoming,
    handled: &mut Handled,
) -> Result<Outcome, ApiError> {
    let headers = &parts.headers;
    if parts.method != Method::POST {
        return Err(ApiError::new(
            "UnsupportedProtocol",
            "The emulator serves only POST requests signed with TC3-HMAC-SHA256.",
        ));
    }
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            return Err(ApiError::new(
                "RequestSizeLimitExceeded",
                "The request body exceeds the 10 MB limit.",
            ));
        }
        Err(_) => {
            return Err(ApiError::new(
                "InvalidRequest",
                "The request body could not be read.",
            ));
        }
    };

    // Authorization, timestamp window, SecretId, signature: the API's order.
    let auth = match header(headers, "authorization") {
        None => Err(VerifyError::InvalidAuthorization("it is missing".into())),
        Some(value) => sign::parse_authorization(value),
    }
    .map_err(|e| refuse_auth(shared, &e))?;
    let timestamp: i64 = match header(headers, "x-tc-timestamp") {
        None => {
            return Err(ApiError::new(
                "MissingParameter",
                "The request is missing a required parameter `Timestamp` (X-TC-Timestamp).",
            ));
        }
        Some(text) => text.trim().parse().map_err(|_| {
            ApiError::new(
                "InvalidParameter",
                "The value of parameter `Timestamp` (X-TC-Timestamp) must be an integer.",
            )
        })?,
    };
    let server_time = shared.now();
    if timestamp.abs_diff(server_time) > MAX_CLOCK_SKEW_SECONDS.unsigned_abs() {
        count_auth_failure(shared);
        return Err(ApiError::new(
            "AuthFailure.SignatureExpire",
            format!(
                "Signature expired. Timestamp and server time cannot differ by more than five \
                 minutes (request timestamp {timestamp}, server time {server_time})."
            ),
        ));
    }
    {
        // Scoped: the header lookup is not Sync and must not live across an await.
        let lookup = |name: &str| header(headers, name);
        let received = ReceivedRequest {
            method: parts.method.as_str(),
            uri: parts.uri.path(),
            query: parts.uri.query().unwrap_or_default(),
            header: &lookup,
            payload: &body,
            timestamp,
        };
        let key_for = |id: &str| shared.credentials.get(id).map(|(key, _)| key.as_str());
        let verified = match sign::verify_parsed(&auth, &received, SSL_SERVICE, key_for) {
            // The official Node.js SDK signs the host without its port
            // (`host:127.0.0.1`, sent as `Host: 127.0.0.1:PORT`): accept a
            // signature over the host without the port too.
            Err(VerifyError::SignatureFailure(why)) => {
                match header(headers, "host").and_then(host_without_port) {
                    Some(bare) => {
                        let lookup = |name: &str| {
                            if name == "host" {
                                Some(bare)
                            } else {
                                header(headers, name)
                            }
                        };
                        let again = ReceivedRequest {
                            header: &lookup,
                            ..received
                        };
                        sign::verify_parsed(&auth, &again, SSL_SERVICE, key_for)
                    }
                    None => Err(VerifyError::SignatureFailure(why)),
                }
            }
            other => other,
        };
        verified.map_err(|e| refuse_auth(shared, &e))?;
    }
    // Whose request this is: the account of the verified SecretId.
    let secret_id = auth.secret_id.clone();
    let owner: Option<String> = shared
        .credentials
        .get(&secret_id)
        .and_then(|(_, owner)| owner.clone());

    match header(headers, "x-tc-version") {
        None => {
            return Err(ApiError::new(
                "MissingParameter",
                "The request is missing a required parameter `Version` (X-TC-Version).",
            ));
        }
        Some(SSL_API_VERSION) => {}
        Some(other) => {
            return Err(ApiError::new(
                "NoSuchVersion",
                format!(
                    "The API version `{other}` does not exist; the SSL API is {SSL_API_VERSION}."
                ),
            ));
        }
    }
    let action = match header(headers, "x-tc-action") {
        None => {
            return Err(ApiError::new(
                "MissingParameter",
                "The request is missing a required parameter `Action` (X-TC-Action).",
            ));
        }
        Some(name) => Action::from_name(name).ok_or_else(|| {
            ApiError::new(
                "InvalidAction",
                format!("The action `{name}` is not found (or not emulated)."),
            )
        })?,
    };
    handled.action = Some(action);

    let allowed = {
        let now = Instant::now();
        let mut buckets = lock(&shared.buckets);
        buckets
            .entry((owner.clone(), action))
            .or_insert_with(|| TokenBucket::new(shared.rate_per_second, now))
            .try_take(now)
    };
    if !allowed {
        let mut state = lock(&shared.state);
        state.throttled = state.throttled.saturating_add(1);
        return Err(request_limit_error(action, shared.rate_per_second));
    }

    let params: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(Value::Object(params)) => params,
        Ok(_) => {
            return Err(ApiError::new(
                "InvalidParameter",
                "The request body must be a JSON object.",
            ));
        }
        Err(_) => {
            return Err(ApiError::new(
                "InvalidParameter",
                "The request body is not valid JSON.",
            ));
        }
    };
    let certificate_id = actions::check_params(action, &params)?;
    handled.certificate_id.clone_from(&certificate_id);

    {
        let mut state = lock(&shared.state);
        // Another account's certificate does not exist for this caller, as
        // on Tencent Cloud; it is not counted against the certificate.
        if state
            .certificates
            .get(&certificate_id)
            .is_some_and(|cert| cert.owner != owner)
        {
            return Err(lifecycle::not_found(action));
        }
        actions::note_received(&mut state, action, &certificate_id);
    }
    let fault = lock(&shared.faults).decide(action.name(), &certificate_id);
    if fault.is_some() {
        let mut state = lock(&shared.state);
        state.faults_injected = state.faults_injected.saturating_add(1);
    }
    handled.fault.clone_from(&fault);
    match fault {
        Some(FaultKind::InternalError) => {
            return Err(ApiError::new(
                "InternalError",
                "An internal error occurred (injected by the emulator).",
            ));
        }
        Some(FaultKind::RequestLimitExceeded) => {
            return Err(request_limit_error(action, shared.rate_per_second));
        }
        Some(FaultKind::Http502) => return Ok(Outcome::BadGateway),
        Some(FaultKind::LateApply(delay)) => tokio::time::sleep(delay).await,
        Some(FaultKind::DropAfterWrite | FaultKind::SlowReply(_)) | None => {}
    }

    let language = Language::from_header(header(headers, "x-tc-language"));
    let now_ms = shared.now_ms();
    let executed = shared.mutate(|state| {
        // The CA's side first: orders that have waited long enough are
        // issued, cancellations land.
        let issued = shared.advance(state, now_ms);
        let caller = actions::Caller {
            owner: owner.as_deref(),
            language,
            now_ms,
        };
        let result = if lifecycle::handles(action) {
            let context = lifecycle::Context {
                issuer: &shared.issuer,
                issue_after: shared.issue_after,
                local_check_after: shared.local_check_after,
            };
            lifecycle::execute(state, action, &params, caller, &context)
        } else {
            actions::execute(state, action, &params, caller)
        };
        match result {
            Ok(executed) => {
                let changed = executed.changed;
                if changed
                    && action.is_submit()
                    && let Some(cert) = state.certificates.get_mut(&certificate_id)
                {
                    cert.written_with = Some(secret_id.clone());
                }
                (Ok(executed.response), changed || issued)
            }
            Err(error) => (Err(error), issued),
        }
    })?;
    Ok(Outcome::Ok(executed))
}

fn refuse_auth(shared: &Shared, error: &VerifyError) -> ApiError {
    count_auth_failure(shared);
    // The reason names headers and dates only, never a key; the client is
    // told less, like the real API.
    tracing::debug!(reason = %error, "emulator refused a request's authentication");
    auth_error(error)
}
