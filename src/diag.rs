//! Diagnostics: every problem tccert finds in the input, with a stable code.
//!
//! Checks never stop at the first problem: they push into a [`Diagnostics`]
//! collector, and the user sees the whole list at once (the way cargo-deny
//! reports configuration errors). They are rendered by
//! [`crate::output::diagnostics`].

use std::fmt::Write as _;

use crate::source::Span;

/// How bad a problem is. Any error stops the run before a request is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// Stable, documented codes. The string form (`unknown-key`, ...) is part of
/// the interface: scripts and docs may rely on it. Never rename a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    PathNotFound,
    NoManifests,
    ReadFailed,
    NotUtf8,
    FileTooLarge,
    YamlSyntax,
    TomlSyntax,
    YamlUnsupported,
    YamlAliasLimit,
    DuplicateKey,
    NotAMapping,
    ApiVersion,
    Kind,
    TypeMismatch,
    UnknownKey,
    MissingKey,
    InvalidValue,
    Schema,
    UnsetVariable,
    InterpolationSyntax,
    EmptyVariable,
    UnbracedVariable,
    DuplicateName,
    DuplicateCertificateId,
    UnknownProfile,
    ProfileCycle,
    MissingField,
    EmptyValue,
    CsrSource,
    CsrFile,
    CsrParse,
    CsrSignature,
    CsrCommonName,
    CsrMissingDomain,
    KeyPasswordWithParse,
    InvalidEmail,
    InvalidCountry,
    InvalidDomain,
    DuplicateDomain,
    InvalidId,
    CsrKeyMismatch,
    CsrKeyWithParse,
    FieldNotSent,
    InvalidName,
    InputBudget,
    IndividualWithoutDv,
    LiteralSecret,
    UnknownAccount,
    UnusedAccount,
    AccountKeys,
    PlaceholderCertificateId,
    InterpolatedEndpoint,
    EndpointNotAllowed,
    InvalidRegion,
    CredentialVariable,
    CredentialRole,
    VariableNotAllowed,
    PathOutsideTree,
    ProfileDepth,
    CredentialsFileMode,
    PurchaseAndId,
    UnknownProduct,
    ProductTypeMismatch,
    DomainCount,
    PurchaseYears,
    ReservedTag,
    InvalidTag,
    ConfirmLetterFile,
    InvalidConfirmLetter,
}

impl Code {
    pub const ALL: [Code; 69] = [
        Code::PathNotFound,
        Code::NoManifests,
        Code::ReadFailed,
        Code::NotUtf8,
        Code::FileTooLarge,
        Code::YamlSyntax,
        Code::TomlSyntax,
        Code::YamlUnsupported,
        Code::YamlAliasLimit,
        Code::DuplicateKey,
        Code::NotAMapping,
        Code::ApiVersion,
        Code::Kind,
        Code::TypeMismatch,
        Code::UnknownKey,
        Code::MissingKey,
        Code::InvalidValue,
        Code::Schema,
        Code::UnsetVariable,
        Code::InterpolationSyntax,
        Code::EmptyVariable,
        Code::UnbracedVariable,
        Code::DuplicateName,
        Code::DuplicateCertificateId,
        Code::UnknownProfile,
        Code::ProfileCycle,
        Code::MissingField,
        Code::EmptyValue,
        Code::CsrSource,
        Code::CsrFile,
        Code::CsrParse,
        Code::CsrSignature,
        Code::CsrCommonName,
        Code::CsrMissingDomain,
        Code::KeyPasswordWithParse,
        Code::InvalidEmail,
        Code::InvalidCountry,
        Code::InvalidDomain,
        Code::DuplicateDomain,
        Code::InvalidId,
        Code::CsrKeyMismatch,
        Code::CsrKeyWithParse,
        Code::FieldNotSent,
        Code::InvalidName,
        Code::InputBudget,
        Code::IndividualWithoutDv,
        Code::LiteralSecret,
        Code::UnknownAccount,
        Code::UnusedAccount,
        Code::AccountKeys,
        Code::PlaceholderCertificateId,
        Code::InterpolatedEndpoint,
        Code::EndpointNotAllowed,
        Code::InvalidRegion,
        Code::CredentialVariable,
        Code::CredentialRole,
        Code::VariableNotAllowed,
        Code::PathOutsideTree,
        Code::ProfileDepth,
        Code::CredentialsFileMode,
        Code::PurchaseAndId,
        Code::UnknownProduct,
        Code::ProductTypeMismatch,
        Code::DomainCount,
        Code::PurchaseYears,
        Code::ReservedTag,
        Code::InvalidTag,
        Code::ConfirmLetterFile,
        Code::InvalidConfirmLetter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::PathNotFound => "path-not-found",
            Code::NoManifests => "no-manifests",
            Code::ReadFailed => "read-failed",
            Code::NotUtf8 => "not-utf8",
            Code::FileTooLarge => "file-too-large",
            Code::YamlSyntax => "yaml-syntax",
            Code::TomlSyntax => "toml-syntax",
            Code::YamlUnsupported => "yaml-unsupported",
            Code::YamlAliasLimit => "yaml-alias-limit",
            Code::DuplicateKey => "duplicate-key",
            Code::NotAMapping => "not-a-mapping",
            Code::ApiVersion => "api-version",
            Code::Kind => "kind",
            Code::TypeMismatch => "type-mismatch",
            Code::UnknownKey => "unknown-key",
            Code::MissingKey => "missing-key",
            Code::InvalidValue => "invalid-value",
            Code::Schema => "schema",
            Code::UnsetVariable => "unset-variable",
            Code::InterpolationSyntax => "interpolation-syntax",
            Code::EmptyVariable => "empty-variable",
            Code::UnbracedVariable => "unbraced-variable",
            Code::DuplicateName => "duplicate-name",
            Code::DuplicateCertificateId => "duplicate-certificate-id",
            Code::UnknownProfile => "unknown-profile",
            Code::ProfileCycle => "profile-cycle",
            Code::MissingField => "missing-field",
            Code::EmptyValue => "empty-value",
            Code::CsrSource => "csr-source",
            Code::CsrFile => "csr-file",
            Code::CsrParse => "csr-parse",
            Code::CsrSignature => "csr-signature",
            Code::CsrCommonName => "csr-common-name",
            Code::CsrMissingDomain => "csr-missing-domain",
            Code::KeyPasswordWithParse => "key-password-with-parse",
            Code::InvalidEmail => "invalid-email",
            Code::InvalidCountry => "invalid-country",
            Code::InvalidDomain => "invalid-domain",
            Code::DuplicateDomain => "duplicate-domain",
            Code::InvalidId => "invalid-id",
            Code::CsrKeyMismatch => "csr-key-mismatch",
            Code::CsrKeyWithParse => "csr-key-with-parse",
            Code::FieldNotSent => "field-not-sent",
            Code::InvalidName => "invalid-name",
            Code::InputBudget => "input-budget",
            Code::IndividualWithoutDv => "individual-without-dv",
            Code::LiteralSecret => "literal-secret",
            Code::UnknownAccount => "unknown-account",
            Code::UnusedAccount => "unused-account",
            Code::AccountKeys => "account-keys",
            Code::PlaceholderCertificateId => "placeholder-certificate-id",
            Code::InterpolatedEndpoint => "interpolated-endpoint",
            Code::EndpointNotAllowed => "endpoint-not-allowed",
            Code::InvalidRegion => "invalid-region",
            Code::CredentialVariable => "credential-variable",
            Code::CredentialRole => "credential-role",
            Code::VariableNotAllowed => "variable-not-allowed",
            Code::PathOutsideTree => "path-outside-tree",
            Code::ProfileDepth => "profile-depth",
            Code::CredentialsFileMode => "credentials-file-mode",
            Code::PurchaseAndId => "purchase-and-id",
            Code::UnknownProduct => "unknown-product",
            Code::ProductTypeMismatch => "product-type-mismatch",
            Code::DomainCount => "domain-count",
            Code::PurchaseYears => "purchase-years",
            Code::ReservedTag => "reserved-tag",
            Code::InvalidTag => "invalid-tag",
            Code::ConfirmLetterFile => "confirm-letter-file",
            Code::InvalidConfirmLetter => "invalid-confirm-letter",
        }
    }

    /// One line on what the code means, for `docs/diagnostics.md` and `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Code::PathNotFound => "a PATH given on the command line does not exist",
            Code::NoManifests => {
                "the PATHs hold no manifest document: no .yaml, .yml or .toml file, or only files that are empty or hold only comments"
            }
            Code::ReadFailed => "a file or directory could not be read",
            Code::NotUtf8 => "a manifest is not valid UTF-8",
            Code::FileTooLarge => {
                "a manifest file is larger than 4 MiB, or holds more than 100,000 values (TOML: 200,000 keys and values); an oversized CSR is `csr-file` or `csr-parse`"
            }
            Code::YamlSyntax => "the YAML does not parse",
            Code::TomlSyntax => "the TOML does not parse",
            Code::YamlUnsupported => {
                "a YAML feature tccert does not accept (tags, complex keys, merge keys)"
            }
            Code::YamlAliasLimit => "YAML aliases expand beyond the node limit (an alias bomb)",
            Code::DuplicateKey => "the same key twice in one mapping",
            Code::NotAMapping => "a document is not a mapping of keys to values",
            Code::ApiVersion => "`apiVersion` is missing or not `tccert/v1`",
            Code::Kind => "`kind` is missing or not `Profile`, `Certificate` or `Account`",
            Code::TypeMismatch => "a value has the wrong type (values are never coerced)",
            Code::UnknownKey => "a key the format does not define",
            Code::MissingKey => "a key the document must have is missing",
            Code::InvalidValue => "a value outside the allowed set",
            Code::Schema => "another JSON Schema violation",
            Code::UnsetVariable => {
                "`${NAME}` names an unset environment variable and has no default"
            }
            Code::InterpolationSyntax => "a malformed `${...}` expression",
            Code::EmptyVariable => {
                "`${NAME}` names an environment variable that is set but empty (in CI, often a secret that was never defined); write `${NAME:-}` where empty is meant"
            }
            Code::UnbracedVariable => {
                "(warning) `$NAME` without braces, NAME in capitals: kept as written, not read from the environment; write `${NAME}` to read it, or `$$NAME` for the text as written"
            }
            Code::DuplicateName => "two profiles or two certificates share a name",
            Code::DuplicateCertificateId => "two certificates share a certificate_id",
            Code::UnknownProfile => "`profiles` names a profile that does not exist",
            Code::ProfileCycle => "profiles build on each other in a cycle",
            Code::MissingField => "a field the API requires is not set after merging profiles",
            Code::EmptyValue => "a required field is set to an empty string",
            Code::CsrSource => {
                "`csr.type: parse` needs exactly one of `file` and `pem`, `online` neither"
            }
            Code::CsrFile => "the CSR file cannot be read",
            Code::CsrParse => "the CSR is not a PEM certificate request",
            Code::CsrSignature => "the CSR's self-signature does not verify",
            Code::CsrCommonName => "the CSR's common name differs from `domain`",
            Code::CsrMissingDomain => {
                "a `domains` entry is not among the CSR's DNS subject alternative names"
            }
            Code::KeyPasswordWithParse => {
                "`key_password` is only meaningful with `csr.type: online`"
            }
            Code::InvalidEmail => "an email address is malformed",
            Code::InvalidCountry => "not an ISO 3166-1 alpha-2 country code",
            Code::InvalidDomain => "a domain name is malformed",
            Code::DuplicateDomain => "a domain is listed twice on one certificate",
            Code::InvalidId => "`company_id` or `manager_id` is not a string of digits",
            Code::CsrKeyMismatch => {
                "`csr.key_algorithm` and `csr.key_parameter` do not belong together (RSA: 2048, 4096; ECC: prime256v1)"
            }
            Code::CsrKeyWithParse => {
                "`csr.key_algorithm`/`key_parameter` are only meaningful with `csr.type: online`"
            }
            Code::FieldNotSent => {
                "(warning) a field is set that the certificate's API cannot send, so it is not sent"
            }
            Code::InvalidName => {
                "a profile or certificate name is empty, comes from the environment, starts with a space, `:` or `#`, or holds control characters (names are printed in every report and log)"
            }
            Code::InputBudget => {
                "the run would read more than its input budget, manifests, CSR files and letters together: 256 MiB and 100,000 files unless `--max-input-bytes`/`TCCERT_MAX_INPUT_BYTES` or `--max-files`/`TCCERT_MAX_FILES` say otherwise; nothing after that point is read or checked"
            }
            Code::IndividualWithoutDv => {
                "`company_type: individual` on a certificate that is not `dv: true`: the API takes an individual (CompanyType 1) for DV certificates only"
            }
            Code::LiteralSecret => {
                "an Account's `secret_id`, `secret_key` or `token` is not exactly one `${NAME}` or `${NAME:-default}` (credentials never live in manifests)"
            }
            Code::UnknownAccount => "`account` names an account that does not exist",
            Code::UnusedAccount => "(warning) an Account that no certificate uses",
            Code::AccountKeys => {
                "an Account's keys do not go together: `site` and `endpoint`, or `profile` and `secret_id`/`secret_key`/`token`; or it has neither `profile` nor `secret_id` and `secret_key`; or `endpoint` is not an https:// URL"
            }
            Code::PlaceholderCertificateId => {
                "`certificate_id` is still the placeholder `tccert init` writes (`REPLACE-ME`): put the certificate's id from the SSL console there"
            }
            Code::InterpolatedEndpoint => {
                "an Account's `endpoint` or `region` holds `${...}`: they are read as written, never from the environment"
            }
            Code::EndpointNotAllowed => {
                "an Account's `endpoint` is not `https://` to a host under `tencentcloudapi.com` (no port, path, query or user), and no `--allow-endpoint`/`TCCERT_ALLOW_ENDPOINTS` allows it; an allowed host takes `http://` only on loopback"
            }
            Code::InvalidRegion => {
                "an Account's `region` is not a region name (`[a-z]+(-[a-z0-9]+)+`, as `ap-guangzhou`)"
            }
            Code::CredentialVariable => {
                "a field interpolates a credential variable: `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, `TENCENTCLOUD_TOKEN`, `TENCENTCLOUD_SECURITY_TOKEN`, or one an Account names in `secret_id`, `secret_key` or `token`"
            }
            Code::CredentialRole => {
                "a credential variable is named in a second role (each has one: the default ones theirs by name, an Account's the key it is named under)"
            }
            Code::VariableNotAllowed => {
                "`${NAME}` names a variable that no `--env-allow`/`TCCERT_ENV_ALLOW` pattern matches (either branch of `${NAME:-default}` counts; Account credentials too)"
            }
            Code::PathOutsideTree => {
                "a file a manifest names (`csr.file`, `confirm_letter`) lies outside the current directory, the PATHs given and `--allow-path`, once symlinks are resolved; the message never says whether it exists"
            }
            Code::ProfileDepth => "profiles build on each other more than 64 deep",
            Code::CredentialsFileMode => {
                "(warning) the credentials file is readable by its group or by others (`chmod 600` it)"
            }
            Code::PurchaseAndId => {
                "a certificate has both `certificate_id` and `purchase` (after merging its profiles): one names a certificate already bought, the other buys one"
            }
            Code::UnknownProduct => {
                "`purchase.product` is not a `ProductId` of `CreateCertificate`'s official table (docs/products.md)"
            }
            Code::ProductTypeMismatch => {
                "`dv: true` with an OV or EV product, or a DV product without `dv: true`"
            }
            Code::DomainCount => {
                "`purchase.domain_count` (`DomainNum`) does not fit: below the number of names (`domain` and `domains`), 1 for a multi-domain product, or more than 1 for a single-domain one"
            }
            Code::PurchaseYears => {
                "`purchase.years` (`TimeSpan`) is not 1 to 5, or more than 1 for a product sold for one year only"
            }
            Code::ReservedTag => {
                "`purchase.tags` sets `tccert:certificate`, the tag tccert itself puts on every certificate it buys (the certificate's name)"
            }
            Code::InvalidTag => {
                "a `purchase.tags` key or value breaks Tencent Cloud's tag rules: a key of 1 to 127 characters not starting with `qcloud`, `tencent` or `project`, a value of at most 255 characters, at most 50 tags"
            }
            Code::ConfirmLetterFile => {
                "the `confirm_letter` file cannot be read (missing, a directory, not a regular file)"
            }
            Code::InvalidConfirmLetter => {
                "the confirmation letter is not a JPG, JPEG, PNG or PDF by its content, or not 1,024 to 1,468,006 bytes"
            }
        }
    }
}

/// The table of codes for `docs/diagnostics.md` (kept in step by a test).
pub fn codes_markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\nEvery problem tccert reports carries one of these codes, as in `error[unknown-key]`.\n\
         They are stable: scripts may match on them (`tccert validate --output json` gives `code` for each diagnostic).\n\n\
         | code | meaning |\n| --- | --- |\n",
    );
    for code in Code::ALL {
        let _ = writeln!(out, "| `{}` | {} |", code.as_str(), code.description());
    }
    out
}

/// A secondary place a diagnostic points at, with what it shows there.
#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// Where the problem is; `None` for problems with no place (a missing path).
    pub span: Option<Span>,
    /// What to write under the caret at `span`.
    pub label: Option<String>,
    /// Other places involved (the first definition of a duplicate, each step of a cycle).
    pub related: Vec<Label>,
    pub notes: Vec<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            label: None,
            related: Vec::new(),
            notes: Vec::new(),
            hint: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// The collector every check pushes into.
///
/// It also knows every text that came from the environment (each
/// variable's value, each interpolated string) and which variables it came
/// from: whatever a check puts in a message, label, note or hint, a text
/// from the environment is replaced there by `a value from ${NAME}` as the
/// diagnostic comes in. Every diagnostic enters through [`Diagnostics::push`]
/// (or [`Diagnostics::extend`], which pushes each), so this holds for every
/// code and, since output only ever reads collected diagnostics, in every
/// format, file and log.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    from_environment: FromEnvironment,
}

/// Texts from the environment and the variables each came from.
///
/// Two sets, so that the cost stays bounded whatever a manifest does:
/// - every interpolated text, looked up exactly (a hash map) where a check
///   marked a value as from the environment ([`crate::source::quote`]);
/// - each variable's value (one entry per variable set in the environment,
///   which a manifest cannot multiply), searched for in every text without
///   case, wherever a check quoted it unmarked.
#[derive(Clone, Debug, Default)]
pub struct FromEnvironment {
    /// Lower-cased interpolated text → what names it.
    exact: std::collections::HashMap<String, String>,
    /// Lower-cased variable value → what names it; longest first.
    searched: Vec<(String, String)>,
}

impl FromEnvironment {
    /// Values shorter than this are not searched for: a three-letter value
    /// replaced everywhere would garble every message (as for
    /// [`crate::secret::MIN_MASKED_CHARS`]). Marked values are named
    /// whatever their length.
    const MIN_CHARS: usize = crate::secret::MIN_MASKED_CHARS;

    fn naming(names: &[String]) -> String {
        let shown: Vec<String> = names.iter().map(|n| format!("${{{n}}}")).collect();
        shown.join(", ")
    }

    /// An interpolated text and the variables it read.
    pub fn add(&mut self, text: &str, names: &[String]) {
        if !names.is_empty() {
            self.exact
                .entry(text.to_lowercase())
                .or_insert_with(|| Self::naming(names));
        }
    }

    /// A variable's value: named wherever it appears.
    pub fn add_value(&mut self, value: &str, name: &str) {
        let names = [name.to_string()];
        self.add(value, &names);
        if value.chars().count() < Self::MIN_CHARS {
            return;
        }
        let lower = value.to_lowercase();
        if self.searched.iter().any(|(t, _)| *t == lower) {
            return;
        }
        self.searched.push((lower, Self::naming(&names)));
        self.searched
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    }

    fn absorb(&mut self, other: FromEnvironment) -> bool {
        let mut learned = false;
        for (text, naming) in other.exact {
            self.exact.entry(text).or_insert_with(|| {
                learned = true;
                naming
            });
        }
        for entry in other.searched {
            if !self.searched.iter().any(|(t, _)| *t == entry.0) {
                self.searched.push(entry);
                learned = true;
            }
        }
        self.searched
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        learned
    }

    /// `text` with every text from the environment named by its variable:
    /// first each span a check marked as such ([`crate::source::quote`]),
    /// then every variable's value wherever it appears.
    pub fn mask(&self, text: &str) -> String {
        let mut out = self.marked(text);
        for (value, naming) in &self.searched {
            let mut lower = out.to_lowercase();
            // `to_lowercase` may change byte lengths outside ASCII: then
            // match on the text as it is.
            if lower.len() != out.len() {
                lower = out.clone();
            }
            if !lower.contains(value.as_str()) {
                continue;
            }
            let mut next = String::with_capacity(out.len());
            let mut cursor = 0;
            while let Some(found) = lower[cursor..].find(value.as_str()) {
                let start = cursor + found;
                next.push_str(&out[cursor..start]);
                let _ = write!(next, "a value from {naming}");
                cursor = start + value.len();
            }
            next.push_str(&out[cursor..]);
            out = next;
        }
        out
    }

    /// Each marked span replaced by `` a value from ${NAME} `` when the
    /// text is known, else by "a value from the environment": a marked
    /// value never shows, whatever its length.
    fn marked(&self, text: &str) -> String {
        let (open, close) = crate::source::FROM_ENVIRONMENT;
        if !text.contains(open) && !text.contains(close) {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            out.push_str(&rest[..start]);
            let after = &rest[start + open.len_utf8()..];
            let (inner, mut tail) = match after.find(close) {
                Some(end) => (&after[..end], &after[end + close.len_utf8()..]),
                None => (after, ""),
            };
            // Inside backticks already (`` `{}` `` around a marked value):
            // the name takes their place.
            if out.ends_with('`') && tail.starts_with('`') {
                out.pop();
                tail = &tail[1..];
            }
            match self.exact.get(&inner.to_lowercase()) {
                Some(naming) => {
                    let _ = write!(out, "a value from `{naming}`");
                }
                None => out.push_str("a value from the environment"),
            }
            rest = tail;
        }
        out.push_str(rest);
        out.replace(close, "")
    }
}

/// "s" unless there is exactly one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl Diagnostics {
    pub fn push(&mut self, mut diagnostic: Diagnostic) {
        let env = &self.from_environment;
        {
            diagnostic.message = env.mask(&diagnostic.message);
            diagnostic.label = diagnostic.label.map(|l| env.mask(&l));
            for label in &mut diagnostic.related {
                label.message = env.mask(&label.message);
            }
            for note in &mut diagnostic.notes {
                *note = env.mask(note);
            }
            diagnostic.hint = diagnostic.hint.map(|h| env.mask(&h));
        }
        self.items.push(diagnostic);
    }

    /// Takes in another collector's diagnostics (and what it knew came from
    /// the environment), each named by variable as [`Diagnostics::push`] does.
    pub fn extend(&mut self, other: Diagnostics) {
        let learned = self.from_environment.absorb(other.from_environment);
        // Those collected before are masked again only when `other` knew
        // texts this collector did not.
        let existing = if learned {
            std::mem::take(&mut self.items)
        } else {
            Vec::new()
        };
        for d in existing.into_iter().chain(other.items) {
            self.push(d);
        }
    }

    /// Records a text from the environment and the variables it came from:
    /// from now on no diagnostic quotes it.
    pub fn from_environment(&mut self, text: &str, names: &[String]) {
        self.from_environment.add(text, names);
    }

    /// Records a variable's value: from now on no diagnostic quotes it,
    /// marked or not.
    pub fn variable_value(&mut self, value: &str, name: &str) {
        self.from_environment.add_value(value, name);
    }

    /// What this collector knows came from the environment.
    pub fn environment_texts(&self) -> &FromEnvironment {
        &self.from_environment
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// The counts every output format ends with: "1 error, 0 warnings".
    pub fn counts(&self) -> String {
        let (errors, warnings) = (self.error_count(), self.warning_count());
        format!(
            "{errors} error{}, {warnings} warning{}",
            plural(errors),
            plural(warnings)
        )
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `--strict`: every warning becomes an error, with a note saying why.
    /// Returns whether any did.
    pub fn make_warnings_errors(&mut self) -> bool {
        let mut any = false;
        for diagnostic in &mut self.items {
            if diagnostic.severity == Severity::Warning {
                diagnostic.severity = Severity::Error;
                diagnostic
                    .notes
                    .push("an error under --strict (a warning without it)".into());
                any = true;
            }
        }
        any
    }

    /// Adds a note to the diagnostic pushed `index`-th (nothing if none).
    pub fn add_note(&mut self, index: usize, note: String) {
        let note = self.from_environment.mask(&note);
        if let Some(diagnostic) = self.items.get_mut(index) {
            diagnostic.notes.push(note);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorted by file, then position, so output is stable whatever order the
    /// checks ran in.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<_> = self.items.iter().collect();
        items.sort_by_key(|d| (d.span.is_some(), d.span.map(|s| (s.file, s.line, s.column))));
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code:?} repeats");
            assert!(
                code.as_str()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
            assert!(!code.description().is_empty());
        }
    }

    #[test]
    fn texts_from_the_environment_are_named_by_variable_in_every_part() {
        let mut diagnostics = Diagnostics::default();
        diagnostics.variable_value("TopSecretValue", "SECRET");
        diagnostics.from_environment("x.TopSecretValue_.com", &["SECRET".to_string()]);
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidDomain,
                "`x.topsecretvalue_.com` is not a domain name",
            )
            .with_label("TOPSECRETVALUE")
            .note("n TopSecretValue")
            .hint("h TopSecretValue"),
        );
        let mut later = Diagnostics::default();
        later.push(Diagnostic::error(
            Code::UnknownProfile,
            "no profile `TopSecretValue`",
        ));
        diagnostics.extend(later);
        diagnostics.add_note(0, "again TopSecretValue".into());
        diagnostics.from_environment("ab", &["SHORT".to_string()]);
        diagnostics.push(Diagnostic::error(
            Code::InvalidEmail,
            format!(
                "{} and {} and {}",
                crate::source::quote("ab", true),
                crate::source::quote("unknown-text", true),
                crate::source::quote("TopSecretValue", true)
            ),
        ));
        let all = format!("{:?}", diagnostics.iter().collect::<Vec<_>>());
        assert!(!all.to_lowercase().contains("topsecretvalue"), "{all}");
        assert!(
            all.contains("a value from `${SHORT}` and a value from the environment and a value from `${SECRET}`"),
            "{all}"
        );
        assert!(
            !all.contains("unknown-text") && !all.contains('\u{e000}'),
            "{all}"
        );
        let first = diagnostics.iter().next().unwrap();
        // Unmarked, the variable's value is named where it stands.
        assert_eq!(
            first.message,
            "`x.a value from ${SECRET}_.com` is not a domain name"
        );
        assert!(all.contains("no profile `a value from ${SECRET}`"), "{all}");
    }

    #[test]
    fn docs_list_every_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md");
        if std::env::var_os("TCCERT_BLESS").is_some() {
            std::fs::write(path, codes_markdown()).unwrap();
        }
        let docs = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            docs == codes_markdown(),
            "docs/diagnostics.md is stale: run `TCCERT_BLESS=1 cargo test diag`"
        );
    }
}
