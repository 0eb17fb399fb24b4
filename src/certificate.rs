//! Validated certificates: what planning, rendering and the API client use.
//!
//! Built only from documents that passed every check, so the logic after
//! this point has no `Option` the format rules out: a certificate has its
//! id, domain and CSR, and every field knows which layer set it.

use std::collections::BTreeMap;
use std::fmt;

use crate::field::Field;
use crate::source::{FileId, Files, Sourced, Span};

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

/// Which submit action carries a certificate's information.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Api {
    /// `SubmitCertificateInformation`: the contract's API, frozen by Tencent
    /// Cloud but still online. The default.
    #[default]
    SubmitCertificateInformation,
    /// `CertificateInfoSubmit`: the maintained successor (docs/api.md §3).
    CertificateInfoSubmit,
}

impl Api {
    pub const ALL: [Api; 2] = [
        Api::SubmitCertificateInformation,
        Api::CertificateInfoSubmit,
    ];

    /// The submit action's name, which is also how manifests and `--api`
    /// spell the API. (The action itself, [`Api::action`], is the API
    /// vocabulary's: `api/action.rs`, which checks the two agree.)
    pub fn name(self) -> &'static str {
        match self {
            Api::SubmitCertificateInformation => "SubmitCertificateInformation",
            Api::CertificateInfoSubmit => "CertificateInfoSubmit",
        }
    }

    pub fn from_action(name: &str) -> Option<Api> {
        Api::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether this API can send the field.
    pub fn sends(self, field: Field) -> bool {
        let info = field.info();
        match self {
            Api::SubmitCertificateInformation => info.legacy,
            Api::CertificateInfoSubmit => info.successor.is_some(),
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Who chose a certificate's API: the certificate's `api:` key wins over
/// `--api`, which wins over the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiChoice {
    /// `api:` in the certificate document, written here.
    Manifest(Span),
    /// `--api` on the command line.
    Flag,
    /// Neither: `SubmitCertificateInformation`.
    Default,
}

/// `csr.key_algorithm`: `CsrEncryptAlgo` of `CertificateInfoSubmit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlgorithm {
    Rsa,
    Ecc,
}

impl KeyAlgorithm {
    pub const ALL: [KeyAlgorithm; 2] = [KeyAlgorithm::Rsa, KeyAlgorithm::Ecc];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa => "RSA",
            KeyAlgorithm::Ecc => "ECC",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// The parameter used when only the algorithm is given.
    pub fn default_parameter(self) -> KeyParameter {
        match self {
            KeyAlgorithm::Rsa => KeyParameter::Rsa2048,
            KeyAlgorithm::Ecc => KeyParameter::Prime256v1,
        }
    }
}

/// `csr.key_parameter`: `CsrKeyParameter` of `CertificateInfoSubmit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyParameter {
    Rsa2048,
    Rsa4096,
    Prime256v1,
}

impl KeyParameter {
    pub const ALL: [KeyParameter; 3] = [
        KeyParameter::Rsa2048,
        KeyParameter::Rsa4096,
        KeyParameter::Prime256v1,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyParameter::Rsa2048 => "2048",
            KeyParameter::Rsa4096 => "4096",
            KeyParameter::Prime256v1 => "prime256v1",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The algorithm this parameter belongs to.
    pub fn algorithm(self) -> KeyAlgorithm {
        match self {
            KeyParameter::Rsa2048 | KeyParameter::Rsa4096 => KeyAlgorithm::Rsa,
            KeyParameter::Prime256v1 => KeyAlgorithm::Ecc,
        }
    }
}

/// `company_type`: who applies, sent as `CompanyType` by `CertificateInfoSubmit`
/// (`SubmitCertificateInformation` has no such parameter, only `IsDV`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompanyType {
    /// `CompanyType` 2: a company; any certificate type.
    Company,
    /// `CompanyType` 1: an individual; DV certificates only, and the API then
    /// needs no organization, admin or contact but the contact email.
    Individual,
}

impl CompanyType {
    pub const ALL: [CompanyType; 2] = [CompanyType::Company, CompanyType::Individual];

    /// As manifests spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            CompanyType::Company => "company",
            CompanyType::Individual => "individual",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }

    /// The API's number.
    pub fn code(self) -> u64 {
        match self {
            CompanyType::Company => 2,
            CompanyType::Individual => 1,
        }
    }

    /// Without `company_type`: an individual for `dv: true` (what tccert
    /// always sent for DV before the key existed), else a company.
    pub fn default_for(dv: bool) -> Self {
        if dv {
            CompanyType::Individual
        } else {
            CompanyType::Company
        }
    }
}

/// The key Tencent Cloud makes for an online CSR. Only `CertificateInfoSubmit`
/// sends it; `SubmitCertificateInformation` has no such parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CsrKey {
    pub algorithm: KeyAlgorithm,
    pub parameter: KeyParameter,
    /// Where `key_algorithm` or `key_parameter` was written; `None` for the
    /// default, RSA 2048.
    pub span: Option<Span>,
}

impl Default for CsrKey {
    fn default() -> Self {
        Self {
            algorithm: KeyAlgorithm::Rsa,
            parameter: KeyParameter::Rsa2048,
            span: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Csr {
    /// Tencent Cloud makes the key and CSR.
    Online {
        key_password: Option<Sourced<String>>,
        key: CsrKey,
    },
    /// The user's own CSR, as PEM text exactly as the file (or `pem:`) holds it.
    Parse { pem: String, span: Span },
}

/// An Account's credential as the format allows it: exactly one `${NAME}`
/// or `${NAME:-default}` and nothing else, so that no credential lives in a
/// manifest (and so in git).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialRef {
    pub variable: String,
    pub default: Option<String>,
}

impl CredentialRef {
    /// `None` for anything but the one reference: a literal, text around the
    /// reference, two references.
    pub fn parse(text: &str) -> Option<Self> {
        let body = text.strip_prefix("${")?.strip_suffix('}')?;
        if body.contains('}') || body.contains('$') {
            return None;
        }
        let (variable, default) = match body.split_once(":-") {
            Some((variable, default)) => (variable, Some(default.to_string())),
            None => (body, None),
        };
        let mut chars = variable.chars();
        let is_name = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        is_name.then(|| Self {
            variable: variable.to_string(),
            default,
        })
    }

    /// The value: the variable when set and not empty, else the default,
    /// else `None` (unset, or empty with no default), as a shell reads
    /// `${NAME:-default}`.
    pub fn resolve(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        lookup(&self.variable)
            .filter(|v| !v.is_empty())
            .or_else(|| self.default.clone())
    }
}

/// Where an account's requests go: `site` or `endpoint`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Site {
    /// `intl` (the default): the international endpoint.
    Intl,
    /// `china`: the mainland endpoint.
    China,
    /// `endpoint: https://...`.
    Endpoint(String),
}

/// Whose credentials an account uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountCredentials {
    /// `secret_id`, `secret_key` and optional `token`, each a variable.
    Variables {
        secret_id: CredentialRef,
        secret_key: CredentialRef,
        token: Option<CredentialRef>,
    },
    /// `profile: NAME` of the credential files.
    Profile(String),
}

/// A validated `kind: Account`: what its certificates are sent with.
#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub name: String,
    pub file: FileId,
    pub span: Span,
    pub site: Site,
    pub credentials: AccountCredentials,
    pub region: Option<String>,
    /// Writes a second for this account; wins over `--rate`.
    pub rate: Option<f64>,
}

#[cfg(test)]
impl Account {
    /// An account with no region or rate, for unit tests elsewhere.
    pub fn example(name: &str, site: Site, credentials: AccountCredentials) -> Self {
        let file = crate::source::Files::default().add("a.yaml".into(), String::new());
        Self {
            name: name.into(),
            file,
            span: Span {
                file,
                line: 1,
                column: 1,
                length: 1,
            },
            site,
            credentials,
            region: None,
            rate: None,
        }
    }
}

/// The tag every certificate tccert buys carries, with the certificate's
/// name as its value: how a later run (stateless, as the rest of tccert)
/// finds the certificate a `purchase:` bought (docs/lifecycle.md).
pub const CERTIFICATE_TAG: &str = "tccert:certificate";

/// `purchase:`: what `CreateCertificate` buys when the account holds no
/// certificate tagged with this one's name.
#[derive(Clone, Debug, PartialEq)]
pub struct Purchase {
    /// `product`: `ProductId`, a number of the official table
    /// ([`crate::api::product`]).
    pub product: Sourced<u64>,
    /// `years`: `TimeSpan` (default 1).
    pub years: u64,
    /// `domain_count`: `DomainNum` (default: the number of names).
    pub domain_count: u64,
    /// `vouchers`: `AutoVoucher` (default false; always sent).
    pub vouchers: bool,
    /// `tags`: more tags, after [`CERTIFICATE_TAG`], key and value, in the
    /// order written (profiles' first, merged key by key). A value from the
    /// environment is marked secret: sent, never shown.
    pub tags: Vec<(Sourced<String>, Sourced<String>)>,
    /// Which document set `purchase`, and where.
    pub layer: Layer,
    pub span: Span,
}

/// `confirm_letter:`: the file, read and checked at validation.
#[derive(Clone, PartialEq)]
pub struct ConfirmLetter {
    /// As written, resolved from the manifest's directory.
    pub path: Sourced<String>,
    /// The content, already checked (type by content, size).
    pub bytes: std::sync::Arc<[u8]>,
}

impl fmt::Debug for ConfirmLetter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfirmLetter")
            .field("path", &self.path)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// What `render` and plans show for the id of a certificate still to buy.
/// Not an id the API could accept (it has spaces), so it cannot be mistaken
/// for one.
pub const TO_BE_BOUGHT: &str = "(assigned when bought)";

#[derive(Clone, Debug, PartialEq)]
pub struct Certificate {
    pub name: String,
    pub file: FileId,
    pub span: Span,
    /// The id: written in the manifest, or, for a certificate with
    /// `purchase`, the one the run found by its tag (`None` until then, and
    /// when there is none yet to find). Validation ensures a certificate
    /// has an id or a purchase.
    pub certificate_id: Option<Sourced<String>>,
    pub purchase: Option<Purchase>,
    pub confirm_letter: Option<ConfirmLetter>,
    pub domain: Sourced<String>,
    pub domains: Vec<Sourced<String>>,
    pub dv: bool,
    /// `CompanyType` for `CertificateInfoSubmit`, and where `company_type`
    /// was written (`None`: the default for `dv`).
    pub company_type: CompanyType,
    pub company_type_span: Option<Span>,
    pub commit: bool,
    /// The submit action for this certificate, and who chose it.
    pub api: Api,
    pub api_choice: ApiChoice,
    pub csr: Csr,
    pub fields: BTreeMap<Field, Setting>,
    /// The profiles merged, in the order they were applied.
    pub profiles: Vec<String>,
    /// The account that sends it (`None`: the default credentials).
    pub account: Option<String>,
}

impl Certificate {
    pub fn field(&self, field: Field) -> Option<&str> {
        self.fields.get(&field).map(|s| s.value.as_str())
    }

    /// The id as requests carry it, and whether it came from the
    /// environment; for a certificate still to buy, [`TO_BE_BOUGHT`] (shown
    /// by `render` and plans, never sent: the run sends only for a
    /// certificate whose id is known).
    pub fn id_or_placeholder(&self) -> (&str, bool) {
        match &self.certificate_id {
            Some(id) => (id.value.as_str(), id.secret),
            None => (TO_BE_BOUGHT, false),
        }
    }

    /// This certificate with the id a run found for it (by its tag).
    #[must_use]
    pub fn with_found_id(&self, id: String, span: Span) -> Certificate {
        Certificate {
            certificate_id: Some(Sourced {
                value: id,
                span,
                secret: false,
            }),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::param::Param;

    #[test]
    fn api_names_its_submit_action_and_what_it_sends() {
        for api in Api::ALL {
            assert_eq!(Api::from_action(api.name()), Some(api));
            assert!(api.action().is_submit());
        }
        assert_eq!(Api::from_action("CertificateOrderSubmit"), None);
        assert_eq!(Api::default(), Api::SubmitCertificateInformation);
        let legacy = Api::SubmitCertificateInformation;
        let successor = Api::CertificateInfoSubmit;
        assert!(legacy.sends(Field::PostalCode) && !successor.sends(Field::PostalCode));
        assert!(!legacy.sends(Field::CompanyId) && successor.sends(Field::CompanyId));
        assert!(legacy.sends(Field::AdminEmail) && successor.sends(Field::AdminEmail));
        assert_eq!(legacy.param(Param::Domain), "CertificateDomain");
        assert_eq!(successor.param(Param::Domain), "CertCommonName");
        assert_eq!(successor.to_string(), "CertificateInfoSubmit");
    }

    #[test]
    fn key_algorithms_and_parameters_default_from_each_other() {
        assert_eq!(KeyAlgorithm::parse("ECC"), Some(KeyAlgorithm::Ecc));
        assert_eq!(KeyAlgorithm::parse("ecc"), None, "as the API spells it");
        assert_eq!(
            KeyAlgorithm::Ecc.default_parameter(),
            KeyParameter::Prime256v1
        );
        assert_eq!(KeyAlgorithm::Rsa.default_parameter(), KeyParameter::Rsa2048);
        for parameter in KeyParameter::ALL {
            assert_eq!(KeyParameter::parse(parameter.as_str()), Some(parameter));
        }
        assert_eq!(KeyParameter::Rsa4096.algorithm(), KeyAlgorithm::Rsa);
        assert_eq!(KeyParameter::Prime256v1.algorithm(), KeyAlgorithm::Ecc);
        let default = CsrKey::default();
        assert_eq!(
            (default.algorithm, default.parameter, default.span),
            (KeyAlgorithm::Rsa, KeyParameter::Rsa2048, None)
        );
    }

    #[test]
    fn company_types_are_the_apis_numbers_and_default_by_dv() {
        assert_eq!(CompanyType::Individual.code(), 1);
        assert_eq!(CompanyType::Company.code(), 2);
        assert_eq!(CompanyType::default_for(true), CompanyType::Individual);
        assert_eq!(CompanyType::default_for(false), CompanyType::Company);
        assert_eq!(
            CompanyType::parse("individual"),
            Some(CompanyType::Individual)
        );
        assert_eq!(CompanyType::parse("person"), None);
    }

    #[test]
    fn a_setting_says_where_it_was_set() {
        let mut files = Files::default();
        let file = files.add("profiles/acme.yaml".into(), "a\nb\n".into());
        let setting = Setting {
            value: "Acme".into(),
            layer: Layer::Profile("acme".into()),
            span: Span {
                file,
                line: 2,
                column: 3,
                length: 4,
            },
            secret: false,
        };
        assert_eq!(
            setting.provenance(&files),
            "set by profile `acme` at profiles/acme.yaml:2:3"
        );
        assert_eq!(
            Layer::Certificate("www".into()).to_string(),
            "certificate `www`"
        );
    }
}
