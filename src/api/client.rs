//! Calling the API over HTTP: one signed POST per call, its answer decoded
//! into a value or a classified [`CallError`].
//!
//! [`Transport`] is the seam: [`HttpTransport`] is the real one (reqwest with
//! rustls on tokio); tests of the reconciler run it against the emulator over
//! loopback HTTP rather than faking this trait, so the whole wire path is
//! exercised. Every attempt is signed afresh (new timestamp), as the Python
//! SDK does, so a retry after a long backoff is not refused as expired.

use std::future::Future;
use std::time::Duration;

use serde_json::{Map, Value as Json};

use super::credentials::Credentials;
use super::sign::{RequestToSign, SSL_SERVICE, authorization};
use crate::request::API_VERSION;

/// Default endpoint: the international site.
pub const INTERNATIONAL_ENDPOINT: &str = "https://ssl.intl.tencentcloudapi.com";
/// `--china`: the China site.
pub const CHINA_ENDPOINT: &str = "https://ssl.tencentcloudapi.com";

/// How one call failed, in the terms that decide what happens next
/// (`crate::reconcile::after_error` turns these into retry/settle/fail).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The API answered with `Response.Error`.
    Api {
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// An HTTP status other than 200 and not a redirect (a gateway's 502, say).
    Status(u16),
    /// A 3xx reply. Redirects are never followed (they would carry the signed
    /// body and the token elsewhere); for a write the outcome is unknown.
    Redirect { status: u16 },
    /// The request never left: connection refused, name not resolved, TLS
    /// handshake refused. Certainly not applied.
    Connect { message: String },
    /// Sent, but no complete answer: connection dropped, or the timeout.
    /// For a write, the outcome is unknown.
    Transport { message: String, timed_out: bool },
    /// The reply body was over the cap ([`MAX_REPLY_BYTES`]).
    TooLarge,
    /// HTTP 200 but not the API's envelope.
    Decode(String),
    /// HTTP 200 and a success envelope without `Response.RequestId`: not an
    /// answer the API gives, so nothing in it is trusted.
    MissingRequestId,
}

/// The most a reply body may hold; anything longer is [`CallError::TooLarge`].
pub const MAX_REPLY_BYTES: usize = 1024 * 1024;

impl CallError {
    pub fn code(&self) -> String {
        match self {
            CallError::Api { code, .. } => code.clone(),
            CallError::Status(status) => format!("HttpStatus.{status}"),
            CallError::Redirect { status } => format!("ClientError.Redirect{status}"),
            CallError::Connect { .. } => "ClientError.ConnectFailed".into(),
            CallError::Transport {
                timed_out: true, ..
            } => "ClientError.Timeout".into(),
            CallError::Transport { .. } => "ClientError.NetworkError".into(),
            CallError::TooLarge => "ClientError.ReplyTooLarge".into(),
            CallError::Decode(_) => "ClientError.BadResponse".into(),
            CallError::MissingRequestId => "ClientError.NoRequestId".into(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            CallError::Api { message, .. } => message.clone(),
            CallError::Status(status) => format!("the endpoint answered HTTP {status}"),
            CallError::Redirect { status } => format!(
                "the endpoint answered HTTP {status} (a redirect); tccert never follows redirects"
            ),
            CallError::TooLarge => format!(
                "the reply was larger than {} bytes; it was not read further",
                MAX_REPLY_BYTES
            ),
            CallError::MissingRequestId => {
                "the reply has no Response.RequestId, which every API answer carries".into()
            }
            CallError::Connect { message }
            | CallError::Transport { message, .. }
            | CallError::Decode(message) => message.clone(),
        }
    }

    /// `AuthFailure.*`: the account's run stops, sending nothing more.
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, CallError::Api { code, .. } if code.starts_with("AuthFailure"))
    }

    /// Throttling: the request was certainly not applied.
    pub fn is_throttled(&self) -> bool {
        matches!(self, CallError::Api { code, .. }
            if code.starts_with("RequestLimitExceeded") || code == "LimitExceeded.RateLimitExceeded")
    }

    /// The request never reached the server (see [`CallError::Connect`]).
    pub fn is_connect_failure(&self) -> bool {
        matches!(self, CallError::Connect { .. })
    }

    /// Worth another try (docs/cli.md "Pace, retries and faults").
    pub fn is_retryable(&self) -> bool {
        match self {
            CallError::Api { code, .. } => {
                self.is_throttled()
                    || code.starts_with("InternalError")
                    || code == "FailedOperation.NetworkError"
            }
            CallError::Status(status) => *status >= 500,
            CallError::Redirect { .. }
            | CallError::Connect { .. }
            | CallError::Transport { .. }
            | CallError::TooLarge
            | CallError::Decode(_)
            | CallError::MissingRequestId => true,
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

/// Sends one API call. The body holds real values: implementations must not
/// log it.
pub trait Transport: Send + Sync + 'static {
    fn call(
        &self,
        action: &'static str,
        body: Map<String, Json>,
    ) -> impl Future<Output = Result<Map<String, Json>, CallError>> + Send;
}

/// Where and how to call.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub url: reqwest::Url,
    /// The `Host` header as the server sees it: what gets signed.
    pub host: String,
}

impl Endpoint {
    pub fn parse(url: &str) -> Result<Self, String> {
        let parsed =
            reqwest::Url::parse(url).map_err(|e| format!("endpoint `{url}` is not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "endpoint `{url}` must start with https:// (or http:// for a local emulator)"
            ));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| format!("endpoint `{url}` has no host"))?;
        let host = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        Ok(Self { url: parsed, host })
    }
}

pub struct HttpTransport {
    client: reqwest::Client,
    endpoint: Endpoint,
    credentials: Credentials,
    region: Option<String>,
    clock: fn() -> i64,
}

/// The real clock, in Unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl HttpTransport {
    pub fn new(
        endpoint: Endpoint,
        credentials: Credentials,
        region: Option<String>,
        timeout: Duration,
    ) -> Result<Self, String> {
        // One process-wide crypto provider; installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("tccert/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        Ok(Self {
            client,
            endpoint,
            credentials,
            region,
            clock: unix_now,
        })
    }

    /// For tests of clock skew: a transport whose clock is off.
    pub fn with_clock(mut self, clock: fn() -> i64) -> Self {
        self.clock = clock;
        self
    }
}

impl Transport for HttpTransport {
    async fn call(
        &self,
        action: &'static str,
        body: Map<String, Json>,
    ) -> Result<Map<String, Json>, CallError> {
        let payload = serde_json::to_vec(&Json::Object(body))
            .map_err(|e| CallError::Decode(e.to_string()))?;
        let timestamp = (self.clock)();
        let content_type = "application/json";
        let signed = RequestToSign {
            host: &self.endpoint.host,
            content_type,
            action: None,
            payload: &payload,
            timestamp,
            service: SSL_SERVICE,
        };
        let authorization = authorization(
            &self.credentials.secret_id,
            self.credentials.secret_key.expose(),
            &signed,
        );
        let mut request = self
            .client
            .post(self.endpoint.url.clone())
            .header("Content-Type", content_type)
            .header("Authorization", authorization)
            .header("X-TC-Action", action)
            .header("X-TC-Version", API_VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Language", "en-US")
            .header(
                "X-TC-RequestClient",
                concat!("tccert_", env!("CARGO_PKG_VERSION")),
            );
        if let Some(region) = &self.region {
            request = request.header("X-TC-Region", region);
        }
        if let Some(token) = &self.credentials.token {
            request = request.header("X-TC-Token", token.expose());
        }
        let response = request
            .body(payload)
            .send()
            .await
            .map_err(transport_error)?;
        let status = response.status().as_u16();
        if status != 200 {
            return Err(CallError::Status(status));
        }
        let bytes = response.bytes().await.map_err(transport_error)?;
        decode(&bytes)
    }
}

fn transport_error(error: reqwest::Error) -> CallError {
    // reqwest's Display names the URL only; walk the chain for the cause
    // (connection refused, closed before a reply...).
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    CallError::Transport {
        message,
        timed_out: error.is_timeout(),
    }
}

/// Decodes the API envelope `{"Response": {...}}`.
pub fn decode(bytes: &[u8]) -> Result<Map<String, Json>, CallError> {
    let value: Json = serde_json::from_slice(bytes)
        .map_err(|e| CallError::Decode(format!("the answer is not JSON: {e}")))?;
    let Some(Json::Object(response)) = value.get("Response") else {
        return Err(CallError::Decode(
            "the answer has no `Response` object".into(),
        ));
    };
    if let Some(error) = response.get("Error") {
        return Err(CallError::Api {
            code: error
                .get("Code")
                .and_then(Json::as_str)
                .unwrap_or("UnknownError")
                .to_string(),
            message: error
                .get("Message")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_string(),
            request_id: response
                .get("RequestId")
                .and_then(Json::as_str)
                .map(str::to_string),
        });
    }
    Ok(response.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_keep_non_default_ports_in_the_signed_host() {
        assert_eq!(
            Endpoint::parse("http://127.0.0.1:40123").unwrap().host,
            "127.0.0.1:40123"
        );
        assert_eq!(
            Endpoint::parse("https://ssl.intl.tencentcloudapi.com")
                .unwrap()
                .host,
            "ssl.intl.tencentcloudapi.com"
        );
        assert_eq!(
            Endpoint::parse("https://ssl.tencentcloudapi.com:443/")
                .unwrap()
                .host,
            "ssl.tencentcloudapi.com"
        );
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(Endpoint::parse("not a url").is_err());
    }

    #[test]
    fn decodes_success_and_error_envelopes() {
        let ok = decode(br#"{"Response":{"CertificateId":"a","RequestId":"r"}}"#).unwrap();
        assert_eq!(ok["CertificateId"], "a");
        let error = decode(br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureExpire","Message":"m"},"RequestId":"r"}}"#).unwrap_err();
        assert!(error.is_auth_failure());
        assert!(!error.is_retryable());
        assert!(matches!(decode(b"<html>"), Err(CallError::Decode(_))));
    }

    #[test]
    fn retry_classes_follow_the_spec() {
        let api = |code: &str| CallError::Api {
            code: code.into(),
            message: String::new(),
            request_id: None,
        };
        for retry in [
            "RequestLimitExceeded",
            "RequestLimitExceeded.UinLimitExceeded",
            "LimitExceeded.RateLimitExceeded",
            "InternalError",
            "InternalError.BackendResponseError",
            "FailedOperation.NetworkError",
        ] {
            assert!(api(retry).is_retryable(), "{retry}");
        }
        for fatal in [
            "AuthFailure.SignatureFailure",
            "InvalidParameter",
            "InvalidParameterValue.X",
            "MissingParameter",
            "UnknownParameter",
            "FailedOperation.CertificateNotFound",
            "FailedOperation.InvalidParam",
        ] {
            assert!(!api(fatal).is_retryable(), "{fatal}");
        }
        assert!(CallError::Status(502).is_retryable());
        assert!(!CallError::Status(404).is_retryable());
        assert!(
            CallError::Transport {
                message: String::new(),
                timed_out: true
            }
            .is_retryable()
        );
    }
}
