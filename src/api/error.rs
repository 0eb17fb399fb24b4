//! How one API call failed, as a value: what the server answered, or what
//! went wrong on the way. Pure, so the rules that act on it
//! ([`crate::plan::retry`]) and the reports are tested without a network;
//! [`super::client`] makes these from replies and transport errors.

use crate::secret::Redactor;

/// How one call failed, in the terms that decide what happens next
/// (`crate::plan::retry::after_error` turns these into retry/settle/fail).
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

/// An error as every output shows it: the API's code and words, and the
/// server's `RequestId` when the reply carried one (what Tencent Cloud's
/// support asks for). tccert's own errors (`ClientError.*`, `tccert.*`)
/// have none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

impl ApiError {
    /// An error of tccert's own, with no request behind it.
    pub fn local(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            request_id: None,
        }
    }

    /// ` (RequestId …)`, or nothing: the tail of the text forms.
    pub fn request_id_suffix(&self) -> String {
        self.request_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .map_or(String::new(), |id| format!(" (RequestId {id})"))
    }
}

impl From<&CallError> for ApiError {
    fn from(error: &CallError) -> Self {
        Self {
            code: error.code(),
            message: error.message(),
            request_id: error.request_id(),
        }
    }
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

    /// The server's `RequestId` of an API error reply.
    pub fn request_id(&self) -> Option<String> {
        match self {
            CallError::Api { request_id, .. } => request_id.clone(),
            _ => None,
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
                "the reply was larger than {MAX_REPLY_BYTES} bytes; it was not read further"
            ),
            CallError::MissingRequestId => {
                "the reply has no Response.RequestId, which every API answer carries".into()
            }
            CallError::Connect { message }
            | CallError::Transport { message, .. }
            | CallError::Decode(message) => message.clone(),
        }
    }

    /// The same error with every known secret masked in the text that came
    /// from the server (code, message, request id) or from the transport.
    pub fn redacted(self, redactor: &Redactor) -> Self {
        match self {
            CallError::Api {
                code,
                message,
                request_id,
            } => CallError::Api {
                code: redactor.redact(&code),
                message: redactor.redact(&message),
                request_id: request_id.map(|id| redactor.redact(&id)),
            },
            CallError::Connect { message } => CallError::Connect {
                message: redactor.redact(&message),
            },
            CallError::Transport { message, timed_out } => CallError::Transport {
                message: redactor.redact(&message),
                timed_out,
            },
            CallError::Decode(message) => CallError::Decode(redactor.redact(&message)),
            other @ (CallError::Status(_)
            | CallError::Redirect { .. }
            | CallError::TooLarge
            | CallError::MissingRequestId) => other,
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
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // With the server's RequestId, as every shown API error is.
        write!(
            f,
            "{}: {}{}",
            self.code(),
            self.message(),
            ApiError::from(self).request_id_suffix()
        )
    }
}
