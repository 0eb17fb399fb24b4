//! Validated certificates: what planning, rendering and the API client use.
//!
//! Built only from documents that passed every check, so the logic after
//! this point has no `Option` the format rules out: a certificate has its
//! id, domain and CSR, and every field knows which layer set it.

use std::collections::BTreeMap;
use std::fmt;

use crate::field::Field;
use crate::manifest::raw::Sourced;
use crate::source::{FileId, Files, Span};

/// Which document set a value: a profile or the certificate itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layer {
    Profile(String),
    Certificate(String),
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layer::Profile(name) => write!(f, "profile `{name}`"),
            Layer::Certificate(name) => write!(f, "certificate `{name}`"),
        }
    }
}

/// A merged value and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    pub value: String,
    pub layer: Layer,
    pub span: Span,
    pub secret: bool,
}

impl Setting {
    /// "set by profile `acme` at profiles/acme.yaml:7:3"
    pub fn provenance(&self, files: &Files) -> String {
        format!("set by {} at {}", self.layer, files.location(self.span))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Csr {
    /// Tencent Cloud makes the key and CSR.
    Online {
        key_password: Option<Sourced<String>>,
    },
    /// The user's own CSR, as PEM text exactly as the file (or `pem:`) holds it.
    Parse { pem: String, span: Span },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Certificate {
    pub name: String,
    pub file: FileId,
    pub span: Span,
    pub certificate_id: Sourced<String>,
    pub domain: Sourced<String>,
    pub domains: Vec<Sourced<String>>,
    pub dv: bool,
    pub commit: bool,
    pub csr: Csr,
    pub fields: BTreeMap<Field, Setting>,
    /// The profiles merged, in the order they were applied.
    pub profiles: Vec<String>,
}

impl Certificate {
    pub fn field(&self, field: Field) -> Option<&str> {
        self.fields.get(&field).map(|s| s.value.as_str())
    }
}
