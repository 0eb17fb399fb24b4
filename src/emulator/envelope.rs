//! The emulator's answers as the API writes them, pure: the envelope, a
//! request id, and the texts of the gates' errors (authentication, rate).

use serde_json::{Map, Value, json};

use super::call::ApiError;
use crate::api::action::Action;
use crate::api::sign::VerifyError;

/// A fresh uuid4-shaped request id.
pub(super) fn request_id() -> String {
    let hex: String = (0..32)
        .map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0'))
        .collect();
    // Version 4, RFC 4122 variant, like the ids the API returns.
    let variant = char::from_digit(8 + fastrand::u32(0..4), 16).unwrap_or('8');
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        variant,
        &hex[17..20],
        &hex[20..32]
    )
}

pub(super) fn api_envelope(mut fields: Map<String, Value>, request_id: &str) -> Value {
    fields.insert("RequestId".into(), Value::String(request_id.to_owned()));
    json!({ "Response": fields })
}

pub(super) fn error_envelope(error: &ApiError, request_id: &str) -> Value {
    json!({"Response": {
        "Error": {"Code": error.code, "Message": error.message},
        "RequestId": request_id,
    }})
}

/// `host` without its `:PORT`, when it has one (`[::1]:80` -> `[::1]`).
pub(super) fn host_without_port(host: &str) -> Option<&str> {
    let (bare, port) = if host.starts_with('[') {
        let end = host.find("]:")?;
        (&host[..=end], &host[end + 2..])
    } else {
        let (bare, port) = host.rsplit_once(':')?;
        if bare.contains(':') {
            return None;
        }
        (bare, port)
    };
    (!port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())).then_some(bare)
}

pub(super) fn auth_error(error: &VerifyError) -> ApiError {
    let message = match error {
        VerifyError::InvalidAuthorization(why) => {
            format!("The Authorization header is invalid: {why}.")
        }
        VerifyError::SecretIdNotFound => {
            "The SecretId is not found, please ensure that your SecretId is correct.".to_owned()
        }
        VerifyError::SignatureFailure(_) => {
            // The API does not say why; neither do we, to stay an oracle-free verifier.
            "The provided credentials could not be validated. Please check your signature is \
             correct."
                .to_owned()
        }
    };
    ApiError::new(error.code(), message)
}

pub(super) fn request_limit_error(action: Action, rate: f64) -> ApiError {
    ApiError::new(
        "RequestLimitExceeded",
        format!(
            "Your current request frequency exceeds the limit of {rate} requests a second \
             for `{}`. Please reduce the frequency of calls.",
            action.name()
        ),
    )
}
