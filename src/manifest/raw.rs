//! Raw documents: the manifest files as written, every value with the place it
//! came from. Built from a schema-valid [`Node`] tree, so types are already
//! right; what is still unchecked (references between documents, CSRs, email
//! syntax) is checked after merging, in [`crate::validate`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::field::{Field, Section};
use crate::manifest::tree::{Node, Value};
use crate::source::{Sourced, Span};

/// The profile-mergeable fields one document sets.
pub type FieldValues = BTreeMap<Field, Sourced<String>>;

#[derive(Clone, Debug)]
pub struct RawProfile {
    /// The document had errors: checks that would only repeat them are skipped.
    pub had_errors: bool,
    pub name: Sourced<String>,
    pub profiles: Vec<Sourced<String>>,
    /// `account`: the Account whose credentials send the certificates
    /// that use this profile (a certificate's own `account` wins).
    pub account: Option<Sourced<String>>,
    /// `purchase`: what a certificate using this profile buys (key by key,
    /// the certificate's keys win).
    /// (Boxed, as the other kinds of document are, so that a document is small.)
    pub purchase: Option<Box<RawPurchase>>,
    /// `confirm_letter`, read by the loader.
    pub confirm_letter: Option<Box<LetterFile>>,
    pub fields: FieldValues,
}

/// `purchase:` as one document writes it: every key optional here, since
/// the layers merge key by key (`product` is required after merging).
#[derive(Clone, Debug)]
pub struct RawPurchase {
    /// The `purchase` mapping itself.
    pub span: Span,
    /// `product`: `ProductId`, as written (range-checked in validation).
    pub product: Option<Sourced<i64>>,
    /// `years`: `TimeSpan`.
    pub years: Option<Sourced<i64>>,
    /// `domain_count`: `DomainNum`.
    pub domain_count: Option<Sourced<i64>>,
    /// `vouchers`: `AutoVoucher`.
    pub vouchers: Option<Sourced<bool>>,
    /// `tags`: key and value, in the order written.
    pub tags: Vec<(Sourced<String>, Sourced<String>)>,
}

/// What `confirm_letter` named, read by the loader (an effect, bounded:
/// never more than the largest letter plus one byte) so that the checks
/// after it stay pure.
#[derive(Clone, Debug)]
pub struct LetterFile {
    /// As written in the manifest.
    pub written: Sourced<String>,
    /// Resolved from the manifest's directory.
    pub path: PathBuf,
    /// The bytes, or why not (`Err`); `Ok(None)` when the file is larger
    /// than the largest letter (only that many bytes and one were read).
    pub bytes: Result<Option<Vec<u8>>, LetterUnread>,
}

/// Why a `confirm_letter` file was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LetterUnread {
    /// Outside the roots: reported by the loader as `path-outside-tree`.
    Outside,
    /// Missing, a directory, not a regular file, the budget spent...
    Unreadable(String),
}

/// The keys of an Account that name credentials: each is kept as written,
/// never interpolated at load, since the variables are read only when a
/// run talks to a real endpoint (docs/manifest-format.md, "Accounts").
pub const ACCOUNT_CREDENTIAL_KEYS: [&str; 3] = ["secret_id", "secret_key", "token"];
/// An Account's keys that are read as written, never interpolated: where
/// requests go is not a manifest's to take from the environment.
pub const ACCOUNT_LITERAL_KEYS: [&str; 2] = ["endpoint", "region"];

/// A `kind: Account` document: whose credentials, and where they are sent.
#[derive(Clone, Debug)]
pub struct RawAccount {
    /// The document had errors: checks that would only repeat them are skipped.
    pub had_errors: bool,
    pub name: Sourced<String>,
    /// `intl` or `china` (the schema holds it to these).
    pub site: Option<Sourced<String>>,
    pub endpoint: Option<Sourced<String>>,
    /// As written: `${NAME}` or `${NAME:-default}` when valid.
    pub secret_id: Option<Sourced<String>>,
    pub secret_key: Option<Sourced<String>>,
    pub token: Option<Sourced<String>>,
    /// A profile of the credential files, instead of the three above.
    pub profile: Option<Sourced<String>>,
    pub region: Option<Sourced<String>>,
    /// Writes a second for this account, as the number was written.
    pub rate: Option<Sourced<f64>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsrType {
    Online,
    Parse,
}

impl CsrType {
    pub fn as_str(self) -> &'static str {
        match self {
            CsrType::Online => "online",
            CsrType::Parse => "parse",
        }
    }
}

/// What `csr.file` named, read by the loader (an effect) so that the checks
/// after it stay pure.
#[derive(Clone, Debug)]
pub struct CsrFile {
    pub path: PathBuf,
    pub text: Result<String, String>,
}

#[derive(Clone, Debug)]
pub struct RawCsr {
    pub span: Span,
    pub kind: Sourced<CsrType>,
    pub key_password: Option<Sourced<String>>,
    /// `key_algorithm` and `key_parameter`: the key of an online CSR (sent
    /// by `CertificateInfoSubmit` only).
    pub key_algorithm: Option<Sourced<String>>,
    pub key_parameter: Option<Sourced<String>>,
    pub file: Option<Sourced<String>>,
    pub pem: Option<Sourced<String>>,
    pub loaded_file: Option<CsrFile>,
}

#[derive(Clone, Debug)]
pub struct RawCertificate {
    /// The document had errors: checks that would only repeat them are skipped.
    pub had_errors: bool,
    pub name: Sourced<String>,
    /// `certificate_id`; a certificate may have `purchase` instead.
    pub certificate_id: Option<Sourced<String>>,
    pub profiles: Vec<Sourced<String>>,
    pub domain: Sourced<String>,
    pub domains: Option<Sourced<Vec<Sourced<String>>>>,
    pub dv: Option<Sourced<bool>>,
    pub commit: Option<Sourced<bool>>,
    /// `api`: which submit action carries this certificate.
    pub api: Option<Sourced<String>>,
    /// `company_type`: `company` or `individual` (`CompanyType` 2 or 1).
    pub company_type: Option<Sourced<String>>,
    /// `account`: wins over the profiles' `account`.
    pub account: Option<Sourced<String>>,
    pub purchase: Option<RawPurchase>,
    pub confirm_letter: Option<LetterFile>,
    pub csr: RawCsr,
    pub fields: FieldValues,
}

#[derive(Clone, Debug)]
pub enum RawDocument {
    Profile(RawProfile),
    Certificate(Box<RawCertificate>),
    Account(Box<RawAccount>),
}

fn text(node: &Node) -> Option<Sourced<String>> {
    match &node.value {
        Value::String(t) => Some(Sourced {
            value: t.text.clone(),
            span: node.span,
            secret: t.secret,
        }),
        _ => None,
    }
}

fn boolean(node: &Node) -> Option<Sourced<bool>> {
    match node.value {
        Value::Bool(b) => Some(Sourced::new(b, node.span)),
        _ => None,
    }
}

fn number(node: &Node) -> Option<Sourced<f64>> {
    match node.value {
        #[allow(clippy::cast_precision_loss)] // a rate is far below 2^52
        Value::Integer(n) => Some(Sourced::new(n as f64, node.span)),
        Value::Float(x) => Some(Sourced::new(x, node.span)),
        _ => None,
    }
}

fn integer(node: &Node) -> Option<Sourced<i64>> {
    match node.value {
        Value::Integer(n) => Some(Sourced::new(n, node.span)),
        _ => None,
    }
}

fn purchase(root: &Node) -> Option<RawPurchase> {
    let node = &root.get("purchase")?.value;
    if !matches!(node.value, Value::Mapping(_)) {
        return None;
    }
    let tags = match node.get("tags").map(|e| &e.value.value) {
        Some(Value::Mapping(entries)) => entries
            .iter()
            .filter_map(|e| {
                let value = text(&e.value)?;
                Some((Sourced::new(e.key.clone(), e.key_span), value))
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(RawPurchase {
        span: node.span,
        product: node.get("product").and_then(|e| integer(&e.value)),
        years: node.get("years").and_then(|e| integer(&e.value)),
        domain_count: node.get("domain_count").and_then(|e| integer(&e.value)),
        vouchers: node.get("vouchers").and_then(|e| boolean(&e.value)),
        tags,
    })
}

/// `confirm_letter` as written; the loader reads the file.
pub fn confirm_letter_ref(root: &Node) -> Option<Sourced<String>> {
    field(root, "confirm_letter")
}

fn texts(node: &Node) -> Vec<Sourced<String>> {
    match &node.value {
        Value::Sequence(items) => items.iter().filter_map(text).collect(),
        _ => Vec::new(),
    }
}

fn field(root: &Node, key: &str) -> Option<Sourced<String>> {
    root.get(key).and_then(|e| text(&e.value))
}

fn field_values(root: &Node) -> FieldValues {
    let mut values = FieldValues::new();
    if let Some(verify_type) = field(root, "verify_type") {
        values.insert(Field::VerifyType, verify_type);
    }
    for section in Section::ALL {
        let Some(map) = root.get(section.key()) else {
            continue;
        };
        for f in Field::in_section(section) {
            if let Some(value) = field(&map.value, f.info().key) {
                values.insert(f, value);
            }
        }
    }
    values
}

/// Builds the raw document from a tree that passed the schema; `None` only if
/// it did not (a bug, reported by the caller as such).
pub fn from_tree(root: &Node, had_errors: bool) -> Option<RawDocument> {
    let kind = field(root, "kind")?;
    let name = field(root, "name")?;
    let profiles = root
        .get("profiles")
        .map(|e| texts(&e.value))
        .unwrap_or_default();
    let fields = field_values(root);
    let account = field(root, "account");
    if kind.value == "Account" {
        let secret = |key: &str| field(root, key).map(|v| Sourced { secret: true, ..v });
        return Some(RawDocument::Account(Box::new(RawAccount {
            had_errors,
            name,
            site: field(root, "site"),
            endpoint: field(root, "endpoint"),
            secret_id: secret("secret_id"),
            secret_key: secret("secret_key"),
            token: secret("token"),
            profile: field(root, "profile"),
            region: field(root, "region"),
            rate: root.get("rate").and_then(|e| number(&e.value)),
        })));
    }
    if kind.value == "Profile" {
        return Some(RawDocument::Profile(RawProfile {
            had_errors,
            name,
            profiles,
            account,
            purchase: purchase(root).map(Box::new),
            confirm_letter: None,
            fields,
        }));
    }
    let csr_node = &root.get("csr")?.value;
    let csr_kind = field(csr_node, "type")?;
    let csr = RawCsr {
        span: csr_node.span,
        kind: Sourced::new(
            if csr_kind.value == "parse" {
                CsrType::Parse
            } else {
                CsrType::Online
            },
            csr_kind.span,
        ),
        key_password: field(csr_node, "key_password").map(|p| Sourced { secret: true, ..p }),
        key_algorithm: field(csr_node, "key_algorithm"),
        key_parameter: field(csr_node, "key_parameter"),
        file: field(csr_node, "file"),
        pem: field(csr_node, "pem"),
        loaded_file: None,
    };
    Some(RawDocument::Certificate(Box::new(RawCertificate {
        had_errors,
        name,
        certificate_id: field(root, "certificate_id"),
        profiles,
        domain: field(root, "domain")?,
        domains: root
            .get("domains")
            .map(|e| Sourced::new(texts(&e.value), e.value.span)),
        dv: root.get("dv").and_then(|e| boolean(&e.value)),
        commit: root.get("commit").and_then(|e| boolean(&e.value)),
        api: field(root, "api"),
        company_type: field(root, "company_type"),
        account,
        purchase: purchase(root),
        confirm_letter: None,
        csr,
        fields,
    })))
}
