//! Everything checked after loading: unique names and ids, profile
//! references, and each merged certificate against the API's own rules. The
//! result is the list of validated [`Certificate`]s, or the diagnostics that
//! explain why there is none to send.

use std::collections::{BTreeMap, HashMap};

use crate::checks;
use crate::csr;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::field::{Check, Field, Section};
use crate::manifest::load::{Loaded, MAX_CSR_BYTES};
use crate::manifest::raw::{CsrType, RawCertificate, RawDocument, RawProfile};
use crate::merge::{ProfileIndex, merge_fields};
use crate::model::{
    Api, ApiChoice, Certificate, CompanyType, Csr, CsrKey, KeyAlgorithm, KeyParameter, Layer,
    Setting,
};
use crate::source::{FileId, Files, Sourced, Span};

/// What validation found: every certificate that passed its own checks,
/// whatever is wrong elsewhere. Only [`crate::pipeline`] sees it, and hands
/// certificates out only when the run has no error at all.
#[derive(Debug, Default)]
pub(crate) struct Validated {
    pub certificates: Vec<Certificate>,
    pub profile_count: usize,
}

/// What the command line adds to the manifests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `--api`: the API of certificates whose manifest does not say. A
    /// certificate's own `api:` wins.
    pub default_api: Option<Api>,
}

pub(crate) fn validate_with(
    loaded: &Loaded,
    options: Options,
    diagnostics: &mut Diagnostics,
) -> Validated {
    let mut profiles: Vec<&RawProfile> = Vec::new();
    let mut certificates: Vec<(FileId, &RawCertificate)> = Vec::new();
    for (file, document) in &loaded.documents {
        match document {
            RawDocument::Profile(p) => profiles.push(p),
            RawDocument::Certificate(c) => certificates.push((*file, c.as_ref())),
        }
    }
    for profile in &profiles {
        check_name(&profile.name, "profile", diagnostics);
    }
    for (_, certificate) in &certificates {
        check_name(&certificate.name, "certificate", diagnostics);
        let id = &certificate.certificate_id;
        if id.value.trim().is_empty() {
            diagnostics.push(
                Diagnostic::error(Code::EmptyValue, "`certificate_id` is empty")
                    .at(id.span)
                    .note("the API needs the paid certificate's id (CertificateId)"),
            );
        }
    }
    unique(
        profiles.iter().map(|p| &p.name),
        "profile",
        Code::DuplicateName,
        diagnostics,
    );
    unique(
        certificates.iter().map(|(_, c)| &c.name),
        "certificate",
        Code::DuplicateName,
        diagnostics,
    );
    unique(
        certificates.iter().map(|(_, c)| &c.certificate_id),
        "certificate_id",
        Code::DuplicateCertificateId,
        diagnostics,
    );

    // Value formats are checked once per document, where they are written,
    // not once per certificate that merges them (which would repeat a bad
    // profile value for every certificate using it).
    for profile in &profiles {
        check_values(&profile.fields, false, diagnostics);
    }
    for (_, certificate) in &certificates {
        check_values(
            &certificate.fields,
            certificate.dv.as_ref().is_some_and(|d| d.value),
            diagnostics,
        );
    }

    let index = ProfileIndex::new(profiles.iter().copied());
    index.check(&profiles, diagnostics);

    let mut valid = Vec::new();
    let mut not_sent = NotSent::default();
    for (file, raw) in certificates {
        let Some(layers) = index.linearize(raw, diagnostics) else {
            // Its profiles are missing or cyclic, so the merged fields are
            // unknown; what the certificate holds itself is still checked,
            // so that one run shows every problem.
            let _ = check_csr(&loaded.files, raw, diagnostics);
            check_domains(raw, diagnostics);
            continue;
        };
        let dv = raw.dv.as_ref().is_some_and(|d| d.value);
        let fields = without_empty_optional(merge_fields(&layers, raw), dv);
        let (api, api_choice) = choose_api(raw, options);
        let before = diagnostics.error_count();
        let (company_type, company_type_span) = check_company_type(raw, dv, diagnostics);
        match api {
            Api::SubmitCertificateInformation => {
                check_fields(raw, &fields, &layers, diagnostics);
                not_sent.note_company_type(raw, api_choice);
            }
            Api::CertificateInfoSubmit => {
                check_successor_fields(raw, &fields, &layers, company_type, diagnostics);
            }
        }
        not_sent.note_fields(raw, api, api_choice, &fields);
        let csr = check_csr(&loaded.files, raw, diagnostics);
        if matches!(csr, Some(Csr::Online { .. })) && api == Api::SubmitCertificateInformation {
            not_sent.note_csr_key(raw, api_choice);
        }
        check_domains(raw, diagnostics);
        if let (Some(csr), true) = (csr, diagnostics.error_count() == before) {
            valid.push(Certificate {
                name: raw.name.value.clone(),
                file,
                span: raw.name.span,
                certificate_id: raw.certificate_id.clone(),
                domain: raw.domain.clone(),
                domains: raw
                    .domains
                    .as_ref()
                    .map(|d| d.value.clone())
                    .unwrap_or_default(),
                dv,
                company_type,
                company_type_span,
                commit: raw.commit.as_ref().is_some_and(|c| c.value),
                api,
                api_choice,
                csr,
                fields,
                profiles: layers.iter().map(|p| p.name.value.clone()).collect(),
            });
        }
    }
    not_sent.report(diagnostics);
    Validated {
        certificates: valid,
        profile_count: profiles.len(),
    }
}

/// `company_type`, or its default for `dv` (an individual for a DV
/// certificate, else a company). `individual` needs `dv: true`: the API
/// takes an individual (CompanyType 1) for DV certificates only.
fn check_company_type(
    raw: &RawCertificate,
    dv: bool,
    diagnostics: &mut Diagnostics,
) -> (CompanyType, Option<Span>) {
    // A value outside the enum is a schema error already: read it as unset.
    let written = raw
        .company_type
        .as_ref()
        .and_then(|c| CompanyType::parse(&c.value).map(|kind| (kind, c.span)));
    match written {
        Some((CompanyType::Individual, span)) if !dv => {
            diagnostics.push(
                Diagnostic::error(
                    Code::IndividualWithoutDv,
                    "`company_type: individual` is only for DV certificates",
                )
                .at(span)
                .note("the API takes an individual (CompanyType 1) for DV certificates only; this one is not `dv: true`")
                .hint("set `dv: true` if it is a DV certificate; otherwise remove `company_type` (a company is the default)"),
            );
            (CompanyType::Individual, Some(span))
        }
        Some((kind, span)) => (kind, Some(span)),
        None => (CompanyType::default_for(dv), None),
    }
}

/// The certificate's `api:` wins over `--api`, which wins over the default.
fn choose_api(raw: &RawCertificate, options: Options) -> (Api, ApiChoice) {
    // A value outside the enum is a schema error already; the run sends
    // nothing, so the default stands in for the checks that follow.
    if let Some((api, span)) = raw
        .api
        .as_ref()
        .and_then(|a| Api::from_action(&a.value).map(|api| (api, a.span)))
    {
        return (api, ApiChoice::Manifest(span));
    }
    match options.default_api {
        Some(api) => (api, ApiChoice::Flag),
        None => (Api::default(), ApiChoice::Default),
    }
}

/// `company_id`/`manager_id` stand in for other fields only when they name
/// something: "0" is how the API spells "none" (若无…传0).
fn names_an_id(fields: &BTreeMap<Field, Setting>, field: Field) -> bool {
    fields
        .get(&field)
        .is_some_and(|s| s.value.bytes().any(|b| b != b'0'))
}

/// The required set of `CertificateInfoSubmit` (docs/api.md §3):
/// `CompanyType` 1 (an individual) needs `ContactEmail`; `CompanyType` 2 (a
/// company, DV or not) needs the organization fields unless `company_id` or
/// `manager_id` is set, and the admin and contact fields unless `manager_id`
/// is set.
fn check_successor_fields(
    raw: &RawCertificate,
    fields: &BTreeMap<Field, Setting>,
    layers: &[&RawProfile],
    company_type: CompanyType,
    diagnostics: &mut Diagnostics,
) {
    let layer_had_errors = raw.had_errors || layers.iter().any(|p| p.had_errors);
    if layer_had_errors {
        return;
    }
    let individual = company_type == CompanyType::Individual;
    let company = names_an_id(fields, Field::CompanyId);
    let manager = names_an_id(fields, Field::ManagerId);
    // An empty value reads as missing: the API would refuse "" (and a DV
    // certificate's empty contact email is not caught as empty before this).
    let set = |field: &Field| {
        fields
            .get(field)
            .is_some_and(|s| !s.value.trim().is_empty())
    };
    let missing: Vec<(Field, &'static str)> = if individual {
        if set(&Field::ContactEmail) {
            Vec::new()
        } else {
            vec![(Field::ContactEmail, "ContactEmail")]
        }
    } else {
        Field::ALL
            .into_iter()
            .filter(|f| f.info().successor_required && !set(f))
            .filter(|f| match f.info().section {
                Some(Section::Organization) => !(company || manager),
                Some(Section::Admin | Section::Contact) => !manager,
                None => true,
            })
            .filter_map(|f| f.info().successor.map(|name| (f, name)))
            .collect()
    };
    if missing.is_empty() {
        return;
    }
    let list: Vec<String> = missing
        .iter()
        .map(|(f, name)| format!("{} ({name})", f.path()))
        .collect();
    let mut diagnostic = Diagnostic::error(
        Code::MissingField,
        format!(
            "certificate `{}` lacks {} field{} CertificateInfoSubmit requires: {}",
            raw.name.value,
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            list.join(", ")
        ),
    )
    .at(raw.name.span)
    .note(merged_from(layers));
    let dv = raw.dv.as_ref().is_some_and(|d| d.value);
    diagnostic = if individual {
        diagnostic
            .note("it is sent as CompanyType 1 (an individual: `dv: true` without `company_type: company`), for which the API requires the contact email")
            .hint("set `contact.email` in the certificate or in one of its profiles")
    } else {
        if dv {
            diagnostic = diagnostic.note("`company_type: company` sends this DV certificate as a company's (CompanyType 2), which needs these fields as any company certificate does");
        }
        diagnostic.hint("set them in the certificate or in one of its profiles; or set `organization.company_id` (stands in for the organization) or `admin.manager_id` (stands in for organization, admin and contact)")
    };
    diagnostics.push(diagnostic);
}

fn merged_from(layers: &[&RawProfile]) -> String {
    if layers.is_empty() {
        "it uses no profiles".to_string()
    } else {
        format!(
            "merged from profiles: {}",
            layers
                .iter()
                .map(|p| p.name.value.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Values set that the certificate's API cannot send, gathered over every
/// certificate so that a profile value used by fifty certificates is one
/// warning, at the place it is written, naming the certificates.
///
/// A value that some other certificate does send is not reported: a profile
/// shared by certificates of both APIs would otherwise warn on every run,
/// about something nobody can fix short of splitting the profile. `render`
/// still shows, per certificate, what is not sent.
#[derive(Default)]
struct NotSent {
    /// By where the value is written and what it is.
    items: BTreeMap<(Span, String), NotSentItem>,
    /// Where values are written that at least one certificate sends.
    sent_somewhere: std::collections::HashSet<Span>,
}

struct NotSentItem {
    api: Api,
    api_field: &'static str,
    layer: String,
    certificates: Vec<String>,
    /// Every certificate got this API by default (no `api:`, no `--api`).
    by_default: bool,
}

impl NotSent {
    fn note(
        &mut self,
        raw: &RawCertificate,
        api: Api,
        choice: ApiChoice,
        at: (Span, String),
        api_field: &'static str,
        layer: String,
    ) {
        let item = self.items.entry(at).or_insert_with(|| NotSentItem {
            api,
            api_field,
            layer,
            certificates: Vec::new(),
            by_default: true,
        });
        item.certificates.push(raw.name.value.clone());
        item.by_default &= choice == ApiChoice::Default;
    }

    fn note_fields(
        &mut self,
        raw: &RawCertificate,
        api: Api,
        choice: ApiChoice,
        fields: &BTreeMap<Field, Setting>,
    ) {
        for (field, setting) in fields {
            if api.sends(*field) {
                self.sent_somewhere.insert(setting.span);
                continue;
            }
            let layer = match &setting.layer {
                Layer::Profile(name) => format!("profile `{name}`"),
                Layer::Certificate(_) => "the certificate".to_string(),
            };
            self.note(
                raw,
                api,
                choice,
                (setting.span, field.path()),
                field.api_name(),
                layer,
            );
        }
    }

    /// `company_type` on a `SubmitCertificateInformation` certificate, which
    /// has no `CompanyType` (only `IsDV`).
    fn note_company_type(&mut self, raw: &RawCertificate, choice: ApiChoice) {
        if let Some(value) = &raw.company_type {
            self.note(
                raw,
                Api::SubmitCertificateInformation,
                choice,
                (value.span, "company_type".to_string()),
                "CompanyType",
                "the certificate".into(),
            );
        }
    }

    /// `csr.key_algorithm`/`key_parameter` on a `SubmitCertificateInformation`
    /// certificate, which has no such parameters.
    fn note_csr_key(&mut self, raw: &RawCertificate, choice: ApiChoice) {
        for (name, api_field, value) in [
            (
                "csr.key_algorithm",
                "CsrEncryptAlgo",
                &raw.csr.key_algorithm,
            ),
            (
                "csr.key_parameter",
                "CsrKeyParameter",
                &raw.csr.key_parameter,
            ),
        ] {
            if let Some(value) = value {
                self.note(
                    raw,
                    Api::SubmitCertificateInformation,
                    choice,
                    (value.span, name.to_string()),
                    api_field,
                    "the certificate".into(),
                );
            }
        }
    }

    fn report(self, diagnostics: &mut Diagnostics) {
        for ((span, path), item) in self.items {
            if self.sent_somewhere.contains(&span) {
                continue;
            }
            let names = abbreviate_names(&item.certificates);
            let whose = if item.certificates.len() == 1 {
                format!("certificate {names}")
            } else {
                format!("certificates {names}")
            };
            let (message, hint) = match item.api {
                Api::CertificateInfoSubmit => (
                    format!(
                        "`{path}` is not sent for {whose}: CertificateInfoSubmit has no {}",
                        item.api_field
                    ),
                    "remove it, or keep it for certificates that use SubmitCertificateInformation"
                        .to_string(),
                ),
                Api::SubmitCertificateInformation => (
                    format!(
                        "`{path}` is not sent for {whose}: SubmitCertificateInformation has no {}",
                        item.api_field
                    ),
                    if item.by_default {
                        "it is sent only with `api: CertificateInfoSubmit` on the certificate or `--api CertificateInfoSubmit`".to_string()
                    } else {
                        "it is sent only to CertificateInfoSubmit".to_string()
                    },
                ),
            };
            diagnostics.push(
                Diagnostic::warning(Code::FieldNotSent, message)
                    .at(span)
                    .with_label(format!("set by {}", item.layer))
                    .hint(hint),
            );
        }
    }
}

/// "`a`, `b`, `c` and 4 more".
fn abbreviate_names(names: &[String]) -> String {
    const SHOWN: usize = 3;
    let quoted: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    match names.len() {
        n if n > SHOWN => format!("{} and {} more", quoted.join(", "), n - SHOWN),
        _ => quoted.join(", "),
    }
}

fn unique<'a>(
    values: impl Iterator<Item = &'a Sourced<String>>,
    what: &str,
    code: Code,
    diagnostics: &mut Diagnostics,
) {
    let mut seen: HashMap<&str, &Sourced<String>> = HashMap::new();
    for value in values {
        match seen.get(value.value.as_str()) {
            Some(first) => diagnostics.push(
                Diagnostic::error(code, format!("{what} `{}` is defined twice", shown(value)))
                    .at(value.span)
                    .with_label("defined again here")
                    .related(first.span, "first defined here"),
            ),
            None => {
                seen.insert(&value.value, value);
            }
        }
    }
}

/// Names are printed at the start of report lines and table rows, in logs
/// and CI annotations, so they must be plain text: not from the environment
/// (which would print a secret), and nothing a terminal or a CI runner would
/// act on (a leading `::` is a GitHub workflow command, `#` a comment in
/// some logs, control characters are escape sequences).
fn check_name(name: &Sourced<String>, what: &str, diagnostics: &mut Diagnostics) {
    let problem = if name.secret {
        Some("it comes from the environment, and names are printed in every report".to_string())
    } else if name.value.trim().is_empty() {
        Some("it is empty".to_string())
    } else if name
        .value
        .starts_with(|c: char| c.is_whitespace() || c == ':' || c == '#')
    {
        Some("it starts with a space, `:` or `#`".to_string())
    } else if name.value.chars().any(char::is_control) {
        Some("it holds control characters".to_string())
    } else {
        None
    };
    if let Some(problem) = problem {
        let shown = if name.secret {
            crate::secret::MASK.to_string()
        } else {
            format!("`{}`", crate::source::printable(&name.value))
        };
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidName,
                format!("{shown} cannot be a {what} name: {problem}"),
            )
            .at(name.span)
            .hint("use letters, digits, `-`, `_` and `.`, written in the file"),
        );
    }
}

/// An empty string unsets an optional field: it is left out of the request,
/// since the format says fields that are not set are never sent as `""`.
/// This is also how a layer takes back a profile's value
/// (`postal_code: ""`), and how `${NAME:-}` means "only when NAME is set".
/// Required fields stay, so that an empty one is reported (`empty-value`).
fn without_empty_optional(
    mut fields: BTreeMap<Field, Setting>,
    dv: bool,
) -> BTreeMap<Field, Setting> {
    fields.retain(|field, setting| {
        !setting.value.trim().is_empty() || (field.info().required && !dv)
    });
    fields
}

fn shown(value: &Sourced<String>) -> &str {
    if value.secret {
        crate::secret::MASK
    } else {
        &value.value
    }
}

fn check_fields(
    raw: &RawCertificate,
    fields: &std::collections::BTreeMap<Field, Setting>,
    layers: &[&RawProfile],
    diagnostics: &mut Diagnostics,
) {
    let dv = raw.dv.as_ref().is_some_and(|d| d.value);
    // A field dropped for a type error in a layer would be reported again
    // here as missing: say it once.
    let layer_had_errors = raw.had_errors || layers.iter().any(|p| p.had_errors);
    if !dv && !layer_had_errors {
        let missing: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|f| f.info().required && !fields.contains_key(f))
            .collect();
        if !missing.is_empty() {
            let list: Vec<String> = missing
                .iter()
                .map(|f| format!("{} ({})", f.path(), f.api_name()))
                .collect();
            let merged = if layers.is_empty() {
                "it uses no profiles".to_string()
            } else {
                format!(
                    "merged from profiles: {}",
                    layers
                        .iter()
                        .map(|p| p.name.value.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::MissingField,
                    format!("certificate `{}` lacks {} field{} the API requires: {}", raw.name.value, missing.len(), if missing.len() == 1 { "" } else { "s" }, list.join(", ")),
                )
                .at(raw.name.span)
                .note(merged)
                .hint("set them in the certificate or in one of its profiles, or mark a DV certificate with `dv: true`"),
            );
        }
    }
}

fn check_values(
    fields: &crate::manifest::raw::FieldValues,
    dv: bool,
    diagnostics: &mut Diagnostics,
) {
    for (field, value) in fields {
        let info = field.info();
        if value.value.trim().is_empty() {
            if info.required && !dv {
                diagnostics.push(
                    Diagnostic::error(Code::EmptyValue, format!("`{}` is empty", field.path()))
                        .at(value.span)
                        .note(format!("the API requires {}", field.api_name())),
                );
            }
            continue;
        }
        let (result, code) = match info.check {
            Check::Email => (checks::email(&value.value), Code::InvalidEmail),
            Check::Country => (checks::country(&value.value), Code::InvalidCountry),
            // Enums and the digits pattern are the schema's to check.
            Check::Text | Check::VerifyType | Check::Digits => (Ok(()), Code::Schema),
        };
        if let Err(why) = result {
            let shown = if value.secret {
                "a value from the environment".to_string()
            } else {
                format!("`{}`", value.value)
            };
            diagnostics.push(
                Diagnostic::error(code, format!("`{}`: {shown} {why}", field.path()))
                    .at(value.span),
            );
        }
    }
}

fn check_domains(raw: &RawCertificate, diagnostics: &mut Diagnostics) {
    let all = std::iter::once(("domain", &raw.domain)).chain(
        raw.domains
            .iter()
            .flat_map(|d| d.value.iter())
            .map(|d| ("domains", d)),
    );
    let mut seen: HashMap<String, &Sourced<String>> = HashMap::new();
    for (key, domain) in all {
        if let Err(why) = checks::domain(&domain.value) {
            let value = if domain.secret {
                "a value from the environment".to_string()
            } else {
                format!("`{}`", domain.value)
            };
            diagnostics.push(
                Diagnostic::error(Code::InvalidDomain, format!("`{key}`: {value} {why}"))
                    .at(domain.span),
            );
            continue;
        }
        let folded = domain.value.to_ascii_lowercase();
        if let Some(first) = seen.get(&folded) {
            diagnostics.push(
                Diagnostic::warning(
                    Code::DuplicateDomain,
                    format!(
                        "`{}` is listed twice on certificate `{}`",
                        shown(domain),
                        raw.name.value
                    ),
                )
                .at(domain.span)
                .related(first.span, "first here"),
            );
        } else {
            seen.insert(folded, domain);
        }
    }
}

/// The key of an online CSR: `key_algorithm` and `key_parameter`, each
/// defaulting from the other, RSA 2048 when neither is given. `None` when
/// they contradict each other (reported).
fn check_csr_key(raw: &RawCertificate, diagnostics: &mut Diagnostics) -> Option<CsrKey> {
    let csr = &raw.csr;
    // Values outside the enums are schema errors already: read them as unset.
    let algorithm = csr
        .key_algorithm
        .as_ref()
        .and_then(|a| KeyAlgorithm::parse(&a.value).map(|v| (v, a.span)));
    let parameter = csr
        .key_parameter
        .as_ref()
        .and_then(|p| KeyParameter::parse(&p.value).map(|v| (v, p.span)));
    match (algorithm, parameter) {
        (None, None) => Some(CsrKey::default()),
        (Some((algorithm, span)), None) => Some(CsrKey {
            algorithm,
            parameter: algorithm.default_parameter(),
            span: Some(span),
        }),
        (None, Some((parameter, span))) => Some(CsrKey {
            algorithm: parameter.algorithm(),
            parameter,
            span: Some(span),
        }),
        (Some((algorithm, algorithm_span)), Some((parameter, span))) => {
            if parameter.algorithm() == algorithm {
                return Some(CsrKey {
                    algorithm,
                    parameter,
                    span: Some(algorithm_span),
                });
            }
            let choices: Vec<String> = KeyParameter::ALL
                .into_iter()
                .filter(|p| p.algorithm() == algorithm)
                .map(|p| format!("`{}`", p.as_str()))
                .collect();
            diagnostics.push(
                Diagnostic::error(
                    Code::CsrKeyMismatch,
                    format!(
                        "`csr.key_parameter: {}` is not a parameter of {} keys",
                        parameter.as_str(),
                        algorithm.as_str()
                    ),
                )
                .at(span)
                .related(
                    algorithm_span,
                    format!("the key algorithm is {}", algorithm.as_str()),
                )
                .hint(format!(
                    "for {} use {}",
                    algorithm.as_str(),
                    choices.join(" or ")
                )),
            );
            None
        }
    }
}

fn check_csr(files: &Files, raw: &RawCertificate, diagnostics: &mut Diagnostics) -> Option<Csr> {
    let csr = &raw.csr;
    match csr.kind.value {
        CsrType::Online => {
            for (key, value) in [("file", &csr.file), ("pem", &csr.pem)] {
                if let Some(value) = value {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::CsrSource,
                            format!("`csr.{key}` is only read with `type: parse`"),
                        )
                        .at(value.span)
                        .related(
                            csr.kind.span,
                            "the CSR type is `online`: Tencent Cloud makes the key and CSR",
                        ),
                    );
                }
            }
            let key = check_csr_key(raw, diagnostics)?;
            Some(Csr::Online {
                // Empty is unset, as for every other field.
                key_password: csr.key_password.clone().filter(|p| !p.value.is_empty()),
                key,
            })
        }
        CsrType::Parse => {
            for (key, value) in [
                ("key_algorithm", &csr.key_algorithm),
                ("key_parameter", &csr.key_parameter),
            ] {
                if let Some(value) = value {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::CsrKeyWithParse,
                            format!("`csr.{key}` is only used with `type: online`"),
                        )
                        .at(value.span)
                        .related(
                            csr.kind.span,
                            "with `type: parse` the key is the one your CSR holds",
                        )
                        .hint(format!("remove `{key}`")),
                    );
                }
            }
            if let Some(password) = &csr.key_password {
                diagnostics.push(
                    Diagnostic::error(
                        Code::KeyPasswordWithParse,
                        "`csr.key_password` is only used with `type: online`",
                    )
                    .at(password.span)
                    .related(
                        csr.kind.span,
                        "with `type: parse` you hold the private key yourself",
                    )
                    .hint("remove `key_password`"),
                );
            }
            let (pem, span) = match (&csr.file, &csr.pem, &csr.loaded_file) {
                (Some(file), None, Some(loaded)) => match &loaded.text {
                    Ok(text) => (text.clone(), file.span),
                    Err(why) => {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::CsrFile,
                                format!("cannot read CSR file {}: {why}", loaded.path.display()),
                            )
                            .at(file.span)
                            .note("the path is relative to the manifest file"),
                        );
                        return None;
                    }
                },
                (None, Some(pem), _) => {
                    if pem.value.len() as u64 > MAX_CSR_BYTES {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::CsrParse,
                                format!(
                                    "the inline CSR is larger than {} KiB",
                                    MAX_CSR_BYTES >> 10
                                ),
                            )
                            .at(pem.span),
                        );
                        return None;
                    }
                    (pem.value.clone(), pem.span)
                }
                (Some(file), Some(pem), _) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::CsrSource,
                            "`csr` has both `file` and `pem`; give exactly one",
                        )
                        .at(pem.span)
                        .related(file.span, "`file` is also given here"),
                    );
                    return None;
                }
                _ => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::CsrSource,
                            "`csr.type: parse` needs the CSR: `file: path.csr` or `pem: |`",
                        )
                        .at(csr.kind.span),
                    );
                    return None;
                }
            };
            match csr::inspect(&pem) {
                Err(why) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::CsrParse,
                            format!("the CSR of certificate `{}` is {why}", raw.name.value),
                        )
                        .at(span),
                    );
                    None
                }
                Ok(info) => {
                    let before = diagnostics.error_count();
                    match info.signature {
                        csr::Signature::Valid => {}
                        csr::Signature::Invalid => diagnostics.push(
                            Diagnostic::error(Code::CsrSignature, format!("the CSR of certificate `{}` has a signature that does not verify", raw.name.value))
                                .at(span)
                                .note("the CSR was altered after it was signed, or is corrupt; make it again"),
                        ),
                        // Not known to be bad, but not known to be good either:
                        // refuse, as before, and say which it is.
                        csr::Signature::WeakKey => diagnostics.push(
                            Diagnostic::error(Code::CsrSignature, format!("the CSR of certificate `{}` has an RSA key under 2048 bits", raw.name.value))
                                .at(span)
                                .note("CAs refuse such keys, and tccert cannot verify a signature made with one")
                                .hint("make the CSR with an RSA 2048+ or ECDSA key (`tccert csr new`)"),
                        ),
                        csr::Signature::Unsupported => diagnostics.push(
                            Diagnostic::error(Code::CsrSignature, format!("the CSR of certificate `{}` is signed with {}, which tccert cannot verify", raw.name.value, info.signature_algorithm))
                                .at(span)
                                .hint("make the CSR with an RSA or ECDSA key and SHA-256 (`tccert csr new`)"),
                        ),
                    }
                    match &info.common_name {
                        Some(cn) if cn.eq_ignore_ascii_case(&raw.domain.value) => {}
                        other => diagnostics.push(
                            Diagnostic::error(
                                Code::CsrCommonName,
                                format!(
                                    "the CSR's common name is {}, but `domain` is `{}`",
                                    other
                                        .as_ref()
                                        .map_or("missing".to_string(), |cn| format!("`{cn}`")),
                                    shown(&raw.domain)
                                ),
                            )
                            .at(span)
                            .related(raw.domain.span, "the API requires them to be equal"),
                        ),
                    }
                    if let Some(domains) = &raw.domains {
                        for domain in &domains.value {
                            if !info
                                .dns_names
                                .iter()
                                .any(|n| n.eq_ignore_ascii_case(&domain.value))
                            {
                                diagnostics.push(
                                    Diagnostic::warning(Code::CsrMissingDomain, format!("`{}` is in `domains` but not among the CSR's subject alternative names", shown(domain)))
                                        .at(domain.span)
                                        .related(span, "the CSR")
                                        .note(missing_domain_note(&info.dns_names))
                                        .hint("make the CSR again with every domain, e.g. `tccert csr new --domain DOMAIN --san NAME ...`, or drop the name from `domains`"),
                                );
                            }
                        }
                    }
                    let _ = files;
                    (diagnostics.error_count() == before).then_some(Csr::Parse { pem, span })
                }
            }
        }
    }
}

/// What the CSR does name, for the `csr-missing-domain` warning.
fn missing_domain_note(dns_names: &[String]) -> String {
    if dns_names.is_empty() {
        "the CSR has no DNS subject alternative names".to_string()
    } else {
        format!(
            "the CSR's DNS names: {}",
            dns_names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
