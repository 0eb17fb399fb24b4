//! The last pure step before the network: one call as it goes on the wire,
//! its payload bytes and every header, the signature included
//! ([`signed_request`]). The transport ([`crate::transport::http`]) only
//! sends what this builds, so what is signed and sent is tested here
//! without a socket.

use std::fmt;

use serde_json::{Map, Value as Json};

use super::action::{Action, SSL_API_VERSION};
use super::credentials::Credentials;
use super::error::CallError;
use super::sign::{RequestToSign, SSL_SERVICE, authorization};
use crate::secret::MASK;

/// The `Content-Type` sent and signed, byte for byte.
pub const CONTENT_TYPE: &str = "application/json";

/// One call, ready to send: a POST of `payload` with `headers`, in order.
/// Holds the signature and any session token: its `Debug` masks them.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub headers: Vec<(&'static str, String)>,
    pub payload: Vec<u8>,
}

/// The headers whose values are secret (the token) or derived from the
/// secret key (the signature).
const SECRET_HEADERS: &[&str] = &["Authorization", "X-TC-Token"];

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let shown = if SECRET_HEADERS.contains(name) {
                    MASK
                } else {
                    value.as_str()
                };
                (*name, shown)
            })
            .collect();
        f.debug_struct("SignedRequest")
            .field("headers", &headers)
            .field("payload_bytes", &self.payload.len())
            .finish()
    }
}

impl SignedRequest {
    /// A header's value, by name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Builds one call to `host` (the `Host` header as the server sees it),
/// signed with `credentials` at `timestamp` (Unix seconds). The body holds
/// real values: the result must not be logged (its `Debug` shows no
/// secret header, but the payload is not shown either).
pub fn signed_request(
    action: Action,
    body: &Map<String, Json>,
    host: &str,
    credentials: &Credentials,
    region: Option<&str>,
    timestamp: i64,
) -> Result<SignedRequest, CallError> {
    let payload = serde_json::to_vec(body).map_err(|e| CallError::Decode(e.to_string()))?;
    let authorization = authorization(
        &credentials.secret_id,
        credentials.secret_key.expose(),
        &RequestToSign {
            host,
            content_type: CONTENT_TYPE,
            action: None,
            payload: &payload,
            timestamp,
            service: SSL_SERVICE,
        },
    );
    let mut headers = vec![
        ("Content-Type", CONTENT_TYPE.to_string()),
        ("Authorization", authorization),
        ("X-TC-Action", action.name().to_string()),
        ("X-TC-Version", SSL_API_VERSION.to_string()),
        ("X-TC-Timestamp", timestamp.to_string()),
        ("X-TC-Language", "en-US".to_string()),
        (
            "X-TC-RequestClient",
            concat!("tccert_", env!("CARGO_PKG_VERSION")).to_string(),
        ),
    ];
    if let Some(region) = region {
        headers.push(("X-TC-Region", region.to_string()));
    }
    if let Some(token) = &credentials.token {
        headers.push(("X-TC-Token", token.expose().to_string()));
    }
    Ok(SignedRequest { headers, payload })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::secret::Secret;

    fn credentials(token: Option<&str>) -> Credentials {
        Credentials {
            secret_id: "AKIDexample0001".into(),
            secret_key: Secret::new("key-0123456789"),
            token: token.map(Secret::new),
        }
    }

    fn body() -> Map<String, Json> {
        json!({"CertificateId": "abc", "KeyPassword": "hunter2"})
            .as_object()
            .cloned()
            .expect("an object")
    }

    #[test]
    fn the_headers_are_assembled_in_order_and_signed_over_the_payload() {
        let request = signed_request(
            Action::SubmitCertificateInformation,
            &body(),
            "127.0.0.1:40123",
            &credentials(None),
            None,
            1_700_000_000,
        )
        .unwrap();
        let names: Vec<&str> = request.headers.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "Content-Type",
                "Authorization",
                "X-TC-Action",
                "X-TC-Version",
                "X-TC-Timestamp",
                "X-TC-Language",
                "X-TC-RequestClient"
            ]
        );
        assert_eq!(
            request.payload,
            br#"{"CertificateId":"abc","KeyPassword":"hunter2"}"#
        );
        assert_eq!(
            request.header("X-TC-Action"),
            Some("SubmitCertificateInformation")
        );
        assert_eq!(request.header("X-TC-Version"), Some(SSL_API_VERSION));
        assert_eq!(request.header("X-TC-Timestamp"), Some("1700000000"));
        let expected = authorization(
            "AKIDexample0001",
            "key-0123456789",
            &RequestToSign {
                host: "127.0.0.1:40123",
                content_type: CONTENT_TYPE,
                action: None,
                payload: &request.payload,
                timestamp: 1_700_000_000,
                service: SSL_SERVICE,
            },
        );
        assert_eq!(request.header("Authorization"), Some(expected.as_str()));
        assert!(expected.contains("Credential=AKIDexample0001/2023-11-14/ssl/tc3_request"));
    }

    #[test]
    fn region_and_token_are_sent_when_set() {
        let request = signed_request(
            Action::DescribeCertificateDetail,
            &body(),
            "ssl.intl.tencentcloudapi.com",
            &credentials(Some("token-abcdef")),
            Some("ap-guangzhou"),
            1_700_000_000,
        )
        .unwrap();
        assert_eq!(request.header("X-TC-Region"), Some("ap-guangzhou"));
        assert_eq!(request.header("X-TC-Token"), Some("token-abcdef"));
    }

    #[test]
    fn debug_shows_no_secret() {
        let request = signed_request(
            Action::SubmitCertificateInformation,
            &body(),
            "h",
            &credentials(Some("token-abcdef")),
            None,
            1_700_000_000,
        )
        .unwrap();
        let shown = format!("{request:?}");
        assert!(!shown.contains("token-abcdef"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        let signature = request.header("Authorization").unwrap();
        assert!(!shown.contains(signature), "{shown}");
        assert!(shown.contains("SubmitCertificateInformation"), "{shown}");
    }
}
