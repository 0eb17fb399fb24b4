//! Reading manifests: text → [`tree::Node`] (with positions) → raw documents.

/// The version of the manifest format: every document's `apiVersion`
/// (docs/manifest-format.md). Not the SSL API's version, which is
/// [`crate::api::action::SSL_API_VERSION`].
pub const FORMAT_VERSION: &str = "tccert/v1";

mod budget;
mod document;
mod files;
pub mod interpolate;
pub mod load;
pub mod raw;
pub mod schema;
#[cfg(test)]
pub(crate) mod testing;
pub mod toml;
pub mod tree;
pub mod trust;
mod walk;
pub mod yaml;
