//! The real [`Transport`]: one POST per call over reqwest (rustls on
//! tokio), its headers and signature assembled beforehand by the pure
//! [`crate::api::signed::signed_request`], its answer decoded into a value or
//! a classified [`CallError`]. Tests of the reconciler run it against the
//! emulator over loopback HTTP rather than faking the trait, so the whole
//! wire path is exercised. Every attempt is signed afresh (new timestamp),
//! as the Python SDK does, so a retry after a long backoff is not refused as
//! expired.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value as Json};

use super::Transport;
pub use super::endpoint::Endpoint;
#[cfg(test)]
pub use super::endpoint::{CHINA_ENDPOINT, INTERNATIONAL_ENDPOINT, choose_endpoint};
use super::proxy::ProxyChoice;
use crate::api::action::Action;
use crate::api::credentials::Credentials;
use crate::api::error::{CallError, MAX_REPLY_BYTES};
use crate::api::request::Body;
use crate::api::signed::{SignedRequest, signed_request};
use crate::secret::Redactor;

/// Every secret value a run holds, for its [`Redactor`]: the credentials in
/// use, the proxy's credentials, and every value a request body marks secret
/// (`KeyPassword`/`KeyPass`, values from the environment).
pub fn run_secrets<'a>(
    credentials: &Credentials,
    proxy: Option<&ProxyChoice>,
    bodies: impl IntoIterator<Item = &'a Body>,
) -> Vec<String> {
    let mut values = vec![
        credentials.secret_id.clone(),
        credentials.secret_key.expose().to_string(),
    ];
    values.extend(credentials.token.iter().map(|t| t.expose().to_string()));
    if let Some(credentials) = proxy.and_then(|p| p.credentials.as_ref()) {
        values.extend(credentials.secret_values());
    }
    for body in bodies {
        for field in body.fields.iter().filter(|f| f.secret) {
            push_strings(&field.value, &mut values);
        }
    }
    values
}

/// A JSON value's text, every string of an array.
fn push_strings(value: &Json, out: &mut Vec<String>) {
    match value {
        Json::Null => {}
        Json::String(text) => out.push(text.clone()),
        Json::Array(items) => items.iter().for_each(|item| push_strings(item, out)),
        Json::Object(fields) => fields.values().for_each(|v| push_strings(v, out)),
        other => out.push(other.to_string()),
    }
}

/// What an [`HttpTransport`] is built from.
pub struct TransportConfig {
    pub endpoint: Endpoint,
    pub credentials: Credentials,
    pub region: Option<String>,
    pub timeout: Duration,
    /// From [`super::proxy::choose_proxy`]; `None` connects directly.
    pub proxy: Option<ProxyChoice>,
    /// Masks secrets in every text that comes back from the network.
    pub redactor: Arc<Redactor>,
    /// `--ca-cert`: more certificate authorities to trust.
    pub extra_roots: Option<ExtraRoots>,
}

/// Certificate authorities trusted beside the system's (`--ca-cert FILE`,
/// `TCCERT_CA_CERT`): added to them, never instead, so one flag cannot
/// turn the real endpoint's verification off.
#[derive(Clone, Debug)]
pub struct ExtraRoots {
    /// Where they were read from, for messages.
    pub from: PathBuf,
    /// PEM text: one or more `CERTIFICATE` blocks.
    pub pem: Vec<u8>,
}

/// Test-only seams (never reachable from the command line): a resolver, so
/// "name not resolved" is tested without a real lookup, and trust roots, so
/// a loopback TLS server can be reached without a user-facing option.
#[doc(hidden)]
#[derive(Default)]
pub struct TestSeams {
    pub resolver: Option<Arc<dyn reqwest::dns::Resolve>>,
    /// DER certificates trusted instead of the system's roots.
    pub trust_only: Vec<Vec<u8>>,
}

pub struct HttpTransport {
    client: reqwest::Client,
    endpoint: Endpoint,
    credentials: Credentials,
    region: Option<String>,
    clock: fn() -> i64,
    proxy: Option<ProxyChoice>,
    redactor: Arc<Redactor>,
}

/// The real clock, in Unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

impl HttpTransport {
    pub fn new(config: TransportConfig) -> Result<Self, String> {
        Self::build(config, TestSeams::default())
    }

    /// [`HttpTransport::new`] with test seams; for tests only.
    #[doc(hidden)]
    pub fn with_test_seams(config: TransportConfig, seams: TestSeams) -> Result<Self, String> {
        Self::build(config, seams)
    }

    fn build(config: TransportConfig, seams: TestSeams) -> Result<Self, String> {
        // One process-wide crypto provider; installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let timeout = config.timeout;
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("tccert/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(64)
            // A redirect would carry the signed body, KeyPassword and the
            // token to wherever it points (and a 301 turns the POST into a
            // GET whose empty answer read as success): never follow one.
            .redirect(reqwest::redirect::Policy::none())
            // The proxy variables are read once, by `choose_proxy`, never by
            // the client: loopback and `--emulator` must not use them.
            .no_proxy();
        if let Some(proxy) = &config.proxy {
            builder = builder.proxy(proxy.to_reqwest()?);
        }
        if config.endpoint.is_localhost() {
            // `localhost` is loopback by definition; pin it so that no DNS
            // answer (or hosts file entry) can send it anywhere else. Port 0:
            // the URL's port is used.
            builder = builder.resolve_to_addrs(
                "localhost",
                &[
                    SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                    SocketAddr::from((Ipv6Addr::LOCALHOST, 0)),
                ],
            );
        }
        if let Some(extra) = &config.extra_roots {
            let certificates = reqwest::Certificate::from_pem_bundle(&extra.pem)
                .map_err(|e| format!("--ca-cert {}: {e}", extra.from.display()))?;
            if certificates.is_empty() {
                return Err(format!(
                    "--ca-cert {}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                    extra.from.display()
                ));
            }
            builder = builder.tls_certs_merge(certificates);
        }
        if let Some(resolver) = seams.resolver {
            builder = builder.dns_resolver(resolver);
        }
        if !seams.trust_only.is_empty() {
            let roots = seams
                .trust_only
                .iter()
                .map(|der| reqwest::Certificate::from_der(der))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("a test trust root is not a certificate: {e}"))?;
            builder = builder.tls_certs_only(roots);
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        Ok(Self {
            client,
            endpoint: config.endpoint,
            credentials: config.credentials,
            region: config.region,
            clock: unix_now,
            proxy: config.proxy,
            redactor: config.redactor,
        })
    }

    /// For tests of clock skew: a transport whose clock is off.
    pub fn with_clock(mut self, clock: fn() -> i64) -> Self {
        self.clock = clock;
        self
    }

    /// The run's secret values, to mask any other text from the network
    /// (a certificate's `StatusMsg`, say) before it is shown.
    pub fn redactor(&self) -> &Arc<Redactor> {
        &self.redactor
    }

    /// The proxy every request goes through, if any.
    pub fn proxy(&self) -> Option<&ProxyChoice> {
        self.proxy.as_ref()
    }

    /// The underlying client, so tests can inspect its configuration.
    #[doc(hidden)]
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The body, refused past [`MAX_REPLY_BYTES`]: by its Content-Length
    /// before reading anything, else counted chunk by chunk, so an endless
    /// reply costs at most the cap.
    async fn read_capped(&self, mut response: reqwest::Response) -> Result<Vec<u8>, CallError> {
        let cap = MAX_REPLY_BYTES as u64;
        if response.content_length().is_some_and(|length| length > cap) {
            return Err(CallError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.send_error(&e))? {
            if body.len() + chunk.len() > MAX_REPLY_BYTES {
                // Dropping the response closes the connection: nothing more
                // is read.
                return Err(CallError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Classifies a failed send: never left (connect) or sent and lost.
    fn send_error(&self, error: &reqwest::Error) -> CallError {
        // reqwest's Display names the URL only; walk the chain for the cause
        // (connection refused, closed before a reply...).
        let mut message = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            message = format!("{message}: {cause}");
            source = cause.source();
        }
        let message = self.redactor.redact(&message);
        // reqwest's `is_connect`: the connector failed (refused, name not
        // resolved, TLS handshake, the proxy's tunnel), so no byte of the
        // request went out. A connect timeout is one of these too.
        // A request that could not even be built (a header value with a
        // line break, say) never left either: `failed`, not `unknown`.
        if error.is_connect() || error.is_builder() {
            CallError::Connect { message }
        } else {
            CallError::Transport {
                message,
                timed_out: error.is_timeout(),
            }
        }
    }
}

impl Transport for HttpTransport {
    async fn call(
        &self,
        action: Action,
        body: Map<String, Json>,
    ) -> Result<Map<String, Json>, CallError> {
        let SignedRequest { headers, payload } = signed_request(
            action,
            &body,
            &self.endpoint.host,
            &self.credentials,
            self.region.as_deref(),
            (self.clock)(),
        )?;
        let mut request = self.client.post(self.endpoint.url.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request
            .body(payload)
            .send()
            .await
            .map_err(|e| self.send_error(&e))?;
        let status = response.status().as_u16();
        tracing::trace!(action = action.name(), status, "reply");
        if (300..400).contains(&status) {
            return Err(CallError::Redirect { status });
        }
        if status != 200 {
            return Err(CallError::Status(status));
        }
        let bytes = self.read_capped(response).await?;
        decode(&bytes).map_err(|e| e.redacted(&self.redactor))
    }

    fn redactor(&self) -> &Redactor {
        &self.redactor
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
    // Every answer of the API carries a RequestId; a 200 without one is not
    // the API (a captive portal, a proxy's page, a hostile server), and for a
    // write it proves nothing was applied.
    if response
        .get("RequestId")
        .and_then(Json::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(CallError::MissingRequestId);
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
        assert_eq!(
            Endpoint::parse("http://[::1]:8080").unwrap().host,
            "[::1]:8080"
        );
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(Endpoint::parse("not a url").is_err());
    }

    #[test]
    fn plain_http_only_for_loopback_hosts() {
        for ok in [
            "http://127.0.0.1:1",
            "http://127.1.2.3:8080",
            "http://127.255.255.254",
            "http://[::1]:4000",
            "http://localhost:4000",
            "http://LocalHost",
            "https://example.com",
            "https://10.0.0.1:8443",
            "https://0.0.0.0",
            "https://ssl.intl.tencentcloudapi.com",
        ] {
            assert!(
                Endpoint::parse(ok).is_ok(),
                "{ok}: {:?}",
                Endpoint::parse(ok)
            );
        }
        for refused in [
            "http://10.0.0.1",
            "http://example.com:80",
            "http://0.0.0.0:4000",
            "http://[::]:4000",
            "http://[::ffff:127.0.0.1]",
            "http://128.0.0.1",
            "http://localhost.",
            "http://localhost.example.com",
            "http://ssl.intl.tencentcloudapi.com",
        ] {
            let message = Endpoint::parse(refused).unwrap_err();
            assert!(
                message.contains("http:// is allowed only for loopback hosts")
                    && message.contains(refused.trim_end_matches('/')),
                "{refused}: {message}"
            );
        }
    }

    #[test]
    fn an_endpoint_holding_credentials_is_refused_without_showing_them() {
        let message = Endpoint::parse("https://alice:hunter22@example.com").unwrap_err();
        assert!(message.contains("holds credentials"), "{message}");
        assert!(
            !message.contains("alice") && !message.contains("hunter22"),
            "{message}"
        );
    }

    #[test]
    fn the_endpoint_and_what_chose_it() {
        let env = Some("https://env.example".to_string());
        assert_eq!(
            choose_endpoint(Some("https://flag.example"), false, env.clone()),
            ("https://flag.example".to_string(), "--endpoint")
        );
        assert_eq!(
            choose_endpoint(None, true, env.clone()),
            (CHINA_ENDPOINT.to_string(), "--china")
        );
        assert_eq!(
            choose_endpoint(None, false, env),
            ("https://env.example".to_string(), "TCCERT_ENDPOINT")
        );
        for unset in [None, Some(String::new())] {
            assert_eq!(
                choose_endpoint(None, false, unset),
                (INTERNATIONAL_ENDPOINT.to_string(), "the default")
            );
        }
    }

    fn credentials() -> Credentials {
        Credentials {
            secret_id: "AKIDexample0001".into(),
            secret_key: crate::secret::Secret::new("key-0123456789"),
            token: Some(crate::secret::Secret::new("token-abcdef")),
        }
    }

    #[test]
    fn the_run_redactor_knows_every_secret_value() {
        use crate::api::request::BodyField;
        let field = |name, value: Json, secret| BodyField {
            name,
            value,
            secret,
        };
        let body = Body {
            fields: vec![
                field("CertificateId", Json::from("abcb1234"), false),
                field("KeyPassword", Json::from("kp-literal"), true),
                field("OrganizationName", Json::from("Acme public"), false),
                field("AdminPhoneNum", Json::from("13900000042"), true),
                field(
                    "DomainList",
                    serde_json::json!(["a.example", "b.example"]),
                    true,
                ),
            ],
        };
        let environment = crate::system::MapEnvironment::default()
            .with("HTTPS_PROXY", "http://proxyuser:proxy%2Fpass@proxy:3128");
        let endpoint = Endpoint::parse(INTERNATIONAL_ENDPOINT).unwrap();
        let proxy = super::super::proxy::choose_proxy(&endpoint, &environment).unwrap();
        let mut values = run_secrets(&credentials(), proxy.as_ref(), [&body]);
        values.sort();
        assert_eq!(
            values,
            [
                "13900000042",
                "AKIDexample0001",
                "a.example",
                "b.example",
                "key-0123456789",
                "kp-literal",
                "proxy%2Fpass",
                "proxy/pass",
                "proxyuser",
                "proxyuser",
                "token-abcdef",
            ]
        );
    }

    #[test]
    fn errors_are_redacted_in_every_text_from_the_network() {
        let redactor = Redactor::new(["hunter22", "s3cret-token"]);
        let api = CallError::Api {
            code: "InvalidParameter.hunter22".into(),
            message: r#"bad {"KeyPassword":"hunter22"}"#.into(),
            request_id: Some("s3cret-token".into()),
        }
        .redacted(&redactor);
        assert_eq!(
            api,
            CallError::Api {
                code: "InvalidParameter.********".into(),
                message: r#"bad {"KeyPassword":"********"}"#.into(),
                request_id: Some("********".into()),
            }
        );
        for (error, expected) in [
            (
                CallError::Connect {
                    message: "proxy hunter22 refused".into(),
                },
                "proxy ******** refused",
            ),
            (
                CallError::Transport {
                    message: "closed after s3cret-token".into(),
                    timed_out: false,
                },
                "closed after ********",
            ),
            (CallError::Decode("at hunter22".into()), "at ********"),
        ] {
            assert_eq!(error.redacted(&redactor).message(), expected);
        }
        assert_eq!(CallError::TooLarge.redacted(&redactor), CallError::TooLarge);
    }

    #[test]
    fn a_success_without_request_id_is_an_error() {
        for reply in [
            r#"{"Response":{}}"#,
            r#"{"Response":{"CertificateId":"a"}}"#,
            r#"{"Response":{"CertificateId":"a","RequestId":""}}"#,
            r#"{"Response":{"CertificateId":"a","RequestId":7}}"#,
        ] {
            assert_eq!(
                decode(reply.as_bytes()),
                Err(CallError::MissingRequestId),
                "{reply}"
            );
        }
        // An error envelope stays the API's error, RequestId or not.
        assert!(matches!(
            decode(br#"{"Response":{"Error":{"Code":"InternalError","Message":"m"}}}"#),
            Err(CallError::Api {
                request_id: None,
                ..
            })
        ));
    }

    fn config(endpoint: &str, proxy: Option<ProxyChoice>) -> TransportConfig {
        TransportConfig {
            endpoint: Endpoint::parse(endpoint).unwrap(),
            credentials: credentials(),
            region: None,
            timeout: Duration::from_secs(5),
            proxy,
            redactor: Arc::new(Redactor::default()),
            extra_roots: None,
        }
    }

    #[test]
    fn https_proxy_is_honoured_for_a_real_endpoint_without_connecting() {
        let environment = crate::system::MapEnvironment::default().with(
            "HTTPS_PROXY",
            "http://user:pw-secret@proxy.corp.example:3128",
        );
        let endpoint = Endpoint::parse(INTERNATIONAL_ENDPOINT).unwrap();
        let proxy = super::super::proxy::choose_proxy(&endpoint, &environment).unwrap();
        let transport = HttpTransport::new(config(INTERNATIONAL_ENDPOINT, proxy)).unwrap();
        let chosen = transport.proxy().expect("a proxy");
        assert_eq!(chosen.variable, "HTTPS_PROXY");
        assert_eq!(chosen.url.as_str(), "http://proxy.corp.example:3128/");
        // The client itself holds that proxy (and reqwest's Debug, like
        // ours, leaves the credentials out).
        let client = format!("{:?}", transport.client());
        assert!(client.contains("proxies"), "{client}");
        assert!(client.contains("proxy.corp.example:3128"), "{client}");
        assert!(!client.contains("pw-secret"), "{client}");

        // Without a choice the client has no proxy at all: reqwest's own
        // reading of the variables is off.
        let direct = HttpTransport::new(config(INTERNATIONAL_ENDPOINT, None)).unwrap();
        let client = format!("{:?}", direct.client());
        assert!(!client.contains("proxies"), "{client}");
    }

    /// A region with CR/LF (only the operator's `--region` or
    /// `TENCENTCLOUD_REGION` can still hold one: a manifest's is checked)
    /// makes a request that cannot be built: it never left, so the call is
    /// `Connect` (certainly not applied), not a lost request.
    #[tokio::test]
    async fn a_request_that_cannot_be_built_never_left() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        listener.set_nonblocking(true).unwrap();
        let mut config = config(&url, None);
        config.region = Some("ap-guangzhou\r\nX-Injected: 1".into());
        let transport = HttpTransport::new(config).unwrap();
        let error = transport
            .call(Action::DescribeCertificateDetail, Map::new())
            .await
            .unwrap_err();
        assert!(matches!(error, CallError::Connect { .. }), "{error:?}");
        assert!(listener.accept().is_err(), "nothing connected");
    }

    #[test]
    fn decodes_success_and_error_envelopes() {
        let ok = decode(br#"{"Response":{"CertificateId":"a","RequestId":"r"}}"#).unwrap();
        assert_eq!(ok["CertificateId"], "a");
        let error = decode(br#"{"Response":{"Error":{"Code":"AuthFailure.SignatureExpire","Message":"m"},"RequestId":"r"}}"#).unwrap_err();
        assert!(error.is_auth_failure());
        assert!(matches!(decode(b"<html>"), Err(CallError::Decode(_))));
    }
}
