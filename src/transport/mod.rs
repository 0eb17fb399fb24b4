//! The network, in one place: the endpoint ([`endpoint`]), the proxy
//! ([`proxy`], chosen once from the environment) and the HTTP transport
//! ([`http`]) that sends a [`crate::api::signed::SignedRequest`] and decodes
//! the answer. `api/` keeps the API's vocabulary and the pure builders and
//! never imports this module; the reconciler ([`crate::plan::run`]) and the
//! commands call the API through the [`Transport`] seam.

use std::future::Future;

use serde_json::{Map, Value as Json};

use crate::api::action::Action;
use crate::api::error::CallError;
use crate::secret::Redactor;

pub mod endpoint;
pub mod http;
pub mod proxy;

pub use endpoint::{CHINA_ENDPOINT, Endpoint, INTERNATIONAL_ENDPOINT, choose_endpoint};
pub use http::{ExtraRoots, HttpTransport, TestSeams, TransportConfig, run_secrets, unix_now};

/// Sends one API call. The body holds real values: implementations must not
/// log it. Errors come back with every known secret masked in any text the
/// server sent.
pub trait Transport: Send + Sync + 'static {
    fn call(
        &self,
        action: Action,
        body: Map<String, Json>,
    ) -> impl Future<Output = Result<Map<String, Json>, CallError>> + Send;

    /// The run's secrets, to mask other text from the server (a successful
    /// reply is returned as it came: `SubmittedData` is compared with the
    /// real values).
    fn redactor(&self) -> &Redactor {
        Redactor::none()
    }
}
