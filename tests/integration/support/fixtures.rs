//! The manifests many tests start from: a full profile (`acme`) and a
//! certificate (`www`, id `abcb1234`) that uses it. Tests change them with
//! `replace` to make the case at hand.

/// Shared with the library's unit tests (`src/manifest/testing.rs`).
pub const PROFILE: &str = include_str!("../../fixtures/profile.yaml");

pub const CERTIFICATE: &str = r"apiVersion: tccert/v1
kind: Certificate
name: www
certificate_id: abcb1234
profiles: [acme]
domain: www.acme.example
csr:
  type: online
";
