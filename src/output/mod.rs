//! Everything a person or a CI system reads, rendered as text or JSON by
//! pure functions; only the commands (`crate::commands`) write it out.
//!
//! - [`diagnostics`]: problems found in the manifests, rustc-style or JSON;
//! - [`render`]: `tccert render`, each effective certificate and its request;
//! - [`report`]: the plan/apply table, per-certificate lines and JSON;
//! - [`github`]: GitHub Actions workflow commands (annotations);
//! - [`markdown`]: Markdown summaries for pull requests and step summaries;
//! - [`status`]: `tccert status`, live statuses and validation records;
//! - [`import`]: `tccert import`, the manifest tree written from live data.

pub mod diagnostics;
pub mod github;
pub mod import;
pub mod markdown;
pub mod render;
pub mod report;
pub mod status;
