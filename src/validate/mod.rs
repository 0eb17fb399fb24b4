//! Everything checked after loading: unique names and ids, profile
//! references, and each merged certificate against the API's own rules. The
//! result is the list of validated [`Certificate`]s, with the diagnostics
//! that explain what is wrong; [`crate::pipeline`] hands them out only when
//! there is no error at all.
//!
//! - [`accounts`]: Accounts and the `account:` references to them;
//! - [`merge`]: profiles merged into each certificate, with provenance;
//! - [`formats`]: values' syntax (email, country, domain), with
//!   [`crate::syntax::countries`] (ISO 3166-1, to name the code a country's name means);
//! - [`names`]: names that are unique and safe to print;
//! - [`required`]: the fields each API requires after merging;
//! - [`csr`]: the CSR (online key, or the user's own CSR and its names);
//! - [`not_sent`]: the warning for values the chosen API cannot send;
//! - [`purchase`]: `purchase:` (merged key by key, against the product
//!   table) and `confirm_letter:` (with [`letter`]).
//!
//! Pure: the loader has read every file (CSR files included) before this.

pub mod accounts;
pub mod csr;
pub mod formats;
pub mod letter;
pub mod merge;
pub mod names;
pub mod not_sent;
pub mod purchase;
pub mod required;

use std::collections::{BTreeMap, BTreeSet};

use crate::certificate::{Account, Api, ApiChoice, Certificate, CompanyType, Csr, Setting};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::field::Field;
use crate::manifest::load::Loaded;
use crate::manifest::raw::{RawAccount, RawCertificate, RawDocument, RawProfile};
use crate::source::{FileId, Sourced, Span};
use csr::check_csr;
use formats::{check_domains, check_values};
use merge::{ProfileIndex, merge_fields};
use names::{check_name, unique};
use not_sent::NotSent;
use required::{check_fields, check_successor_fields};

/// What validation found: every certificate that passed its own checks,
/// whatever is wrong elsewhere. Only [`crate::pipeline`] sees it, and hands
/// certificates out only when the run has no error at all.
#[derive(Debug, Default)]
pub(crate) struct Validated {
    pub certificates: Vec<Certificate>,
    pub profile_count: usize,
    /// Every Account that passed its checks, used or not.
    pub accounts: Vec<Account>,
}

/// What the command line adds to the manifests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `--api`: the API of certificates whose manifest does not say. A
    /// certificate's own `api:` wins.
    pub default_api: Option<Api>,
    /// What the operator lets manifests reach (`--allow-endpoint`,
    /// `--env-allow`, `--allow-path`).
    pub trust: crate::manifest::trust::Trust,
}

pub(crate) fn validate_with(
    loaded: &Loaded,
    options: Options,
    diagnostics: &mut Diagnostics,
) -> Validated {
    let mut profiles: Vec<&RawProfile> = Vec::new();
    let mut certificates: Vec<(FileId, &RawCertificate)> = Vec::new();
    let mut raw_accounts: Vec<(FileId, &RawAccount)> = Vec::new();
    for (file, document) in &loaded.documents {
        match document {
            RawDocument::Profile(p) => profiles.push(p),
            RawDocument::Certificate(c) => certificates.push((*file, c.as_ref())),
            RawDocument::Account(a) => raw_accounts.push((*file, a.as_ref())),
        }
    }
    let valid_accounts =
        accounts::check_accounts(&raw_accounts, &options.trust.allow_endpoints, diagnostics);
    let account_names =
        accounts::AccountNames::new(&raw_accounts).excusing(&loaded.unread_accounts);
    for profile in &profiles {
        account_names.check(
            profile.account.as_ref(),
            &format!("profile `{}`", profile.name.value),
            diagnostics,
        );
    }
    for (_, certificate) in &certificates {
        account_names.check(
            certificate.account.as_ref(),
            &format!("certificate `{}`", certificate.name.value),
            diagnostics,
        );
    }
    let mut used_accounts: BTreeSet<String> = BTreeSet::new();
    for profile in &profiles {
        check_name(&profile.name, "profile", diagnostics);
    }
    for (_, certificate) in &certificates {
        check_name(&certificate.name, "certificate", diagnostics);
        if let Some(id) = certificate
            .certificate_id
            .as_ref()
            .filter(|id| id.value.trim().is_empty())
        {
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
        certificates
            .iter()
            .filter_map(|(_, c)| c.certificate_id.as_ref()),
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

    for purchase in profiles
        .iter()
        .filter_map(|p| p.purchase.as_deref())
        .chain(certificates.iter().filter_map(|(_, c)| c.purchase.as_ref()))
    {
        purchase::check_written(purchase, diagnostics);
    }
    let profile_letters = purchase::profile_letters(&profiles, diagnostics);

    let index = ProfileIndex::new(profiles.iter().copied()).excusing(&loaded.unread_profiles);
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
            let _ = purchase::check_letter(raw.confirm_letter.as_ref(), diagnostics);
            used_accounts.extend(raw.account.as_ref().map(|a| a.value.clone()));
            continue;
        };
        let account = accounts::effective(&layers, raw).map(|a| a.value.clone());
        used_accounts.extend(account.clone());
        let dv = raw.dv.as_ref().is_some_and(|d| d.value);
        let fields = without_empty_optional(merge_fields(&layers, raw), dv);
        let (api, api_choice) = choose_api(raw, &options);
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
        let bought = purchase::check_merged(&layers, raw, dv, diagnostics);
        let own_letter = purchase::check_letter(raw.confirm_letter.as_ref(), diagnostics);
        let letter = purchase::effective_letter(&layers, raw, own_letter, &profile_letters);
        if let (Some(csr), Ok(bought), Ok(confirm_letter), true) =
            (csr, bought, letter, diagnostics.error_count() == before)
        {
            valid.push(Certificate {
                name: raw.name.value.clone(),
                file,
                span: raw.name.span,
                certificate_id: raw.certificate_id.clone(),
                purchase: bought,
                confirm_letter,
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
                account,
            });
        }
    }
    not_sent.report(diagnostics);
    accounts::report_unused(&raw_accounts, &used_accounts, diagnostics);
    Validated {
        certificates: valid,
        profile_count: profiles.len(),
        accounts: valid_accounts,
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
fn choose_api(raw: &RawCertificate, options: &Options) -> (Api, ApiChoice) {
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

/// A value as a message shows it: as written, or, for a value from the
/// environment, marked so that the collector of diagnostics names its
/// variable instead (`` a value from ${NAME} ``).
pub(super) fn shown(value: &Sourced<String>) -> String {
    if value.secret {
        crate::source::quote(&value.value, true)
    } else {
        value.value.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::testing::{PROFILE, certificate, loaded};

    /// Validates the files; the certificates that passed their own checks
    /// and the codes of every diagnostic.
    fn validate(files: &[(&str, &str)], options: Options) -> (Vec<Certificate>, Vec<Code>) {
        let (certificates, diagnostics) = validate_all(files, options);
        let codes = diagnostics.iter().map(|d| d.code).collect();
        (certificates, codes)
    }

    fn validate_all(files: &[(&str, &str)], options: Options) -> (Vec<Certificate>, Diagnostics) {
        let mut loaded = loaded(files);
        let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
        let validated = validate_with(&loaded, options, &mut diagnostics);
        (validated.certificates, diagnostics)
    }

    #[test]
    fn the_manifests_api_wins_over_the_flag_which_wins_over_the_default() {
        let chosen = certificate("chosen", "abc1", "api: CertificateInfoSubmit\n");
        let plain = certificate("plain", "abc2", "");
        let files = [
            ("p.yaml", PROFILE),
            ("c.yaml", &*chosen),
            ("d.yaml", &*plain),
        ];
        let (by_default, codes) = validate(&files, Options::default());
        assert!(codes.is_empty(), "{codes:?}");
        assert_eq!(by_default[0].api, Api::CertificateInfoSubmit);
        assert!(matches!(by_default[0].api_choice, ApiChoice::Manifest(_)));
        assert_eq!(
            (by_default[1].api, by_default[1].api_choice),
            (Api::SubmitCertificateInformation, ApiChoice::Default)
        );
        let flag = Options {
            default_api: Some(Api::CertificateInfoSubmit),
            ..Options::default()
        };
        let (by_flag, _) = validate(&files, flag);
        assert!(matches!(by_flag[0].api_choice, ApiChoice::Manifest(_)));
        assert_eq!(
            (by_flag[1].api, by_flag[1].api_choice),
            (Api::CertificateInfoSubmit, ApiChoice::Flag)
        );
    }

    #[test]
    fn an_empty_optional_value_is_left_out_and_an_empty_required_one_is_an_error() {
        let optional = certificate("www", "abc1", "organization:\n  postal_code: \"\"\n");
        let (certificates, codes) = validate(
            &[("p.yaml", PROFILE), ("c.yaml", &optional)],
            Options::default(),
        );
        assert!(codes.is_empty(), "{codes:?}");
        assert_eq!(certificates[0].field(Field::PostalCode), None);
        assert_eq!(
            certificates[0].field(Field::OrganizationName),
            Some("Acme Ltd")
        );

        // Formats are checked where a value is written, for the run as a
        // whole; the front door (`pipeline`) then withholds every certificate.
        let required = certificate("www", "abc1", "organization:\n  division: \"\"\n");
        let (_, codes) = validate(
            &[("p.yaml", PROFILE), ("c.yaml", &required)],
            Options::default(),
        );
        assert_eq!(codes, [Code::EmptyValue]);
    }

    #[test]
    fn an_individual_is_for_dv_certificates_only() {
        let company = certificate(
            "www",
            "abc1",
            "company_type: individual\napi: CertificateInfoSubmit\n",
        );
        let (certificates, codes) = validate(
            &[("p.yaml", PROFILE), ("c.yaml", &company)],
            Options::default(),
        );
        assert!(certificates.is_empty());
        // And the profile's postal code, which CertificateInfoSubmit cannot send.
        assert_eq!(codes, [Code::IndividualWithoutDv, Code::FieldNotSent]);

        let dv = certificate("www", "abc1", "dv: true\napi: CertificateInfoSubmit\n");
        let (certificates, codes) =
            validate(&[("p.yaml", PROFILE), ("c.yaml", &dv)], Options::default());
        assert_eq!(codes, [Code::FieldNotSent]);
        assert_eq!(certificates[0].company_type, CompanyType::Individual);
        assert_eq!(
            certificates[0].company_type_span, None,
            "the default for dv"
        );
    }

    #[test]
    fn a_profile_value_no_certificate_sends_is_one_warning_naming_them_all() {
        let profile = PROFILE.replace(
            "  phone_number: \"86013388\"\n",
            "  phone_number: \"86013388\"\n  company_id: \"12345\"\n",
        );
        let www = certificate("www", "abc1", "");
        let api = certificate("api", "abc2", "");
        let (certificates, diagnostics) = validate_all(
            &[("p.yaml", &profile), ("www.yaml", &www), ("api.yaml", &api)],
            Options::default(),
        );
        assert_eq!(certificates.len(), 2, "a warning only");
        let warnings: Vec<&Diagnostic> = diagnostics.iter().collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].code, Code::FieldNotSent);
        assert_eq!(
            warnings[0].message,
            "`organization.company_id` is not sent for certificates `www`, `api`: SubmitCertificateInformation has no CompanyId"
        );
    }

    const ACCOUNT: &str = "apiVersion: tccert/v1\nkind: Account\nname: hk\nsite: china\nsecret_id: ${HK_ID}\nsecret_key: ${HK_KEY}\ntoken: ${HK_TOKEN:-}\nregion: ap-hongkong\nrate: 5\n";

    fn codes_of(diagnostics: &Diagnostics) -> Vec<&'static str> {
        diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn the_certificates_account_wins_over_its_profiles() {
        let profile = PROFILE.replace("name: acme\n", "name: acme\naccount: hk\n");
        let own = certificate("own", "abc1", "account: cn\n");
        let inherited = certificate("inherited", "abc2", "");
        let cn = ACCOUNT.replace("name: hk", "name: cn");
        let (certificates, diagnostics) = validate_all(
            &[
                ("a.yaml", ACCOUNT),
                ("cn.yaml", &cn),
                ("p.yaml", &profile),
                ("own.yaml", &own),
                ("inherited.yaml", &inherited),
            ],
            Options::default(),
        );
        assert!(diagnostics.is_empty(), "{:?}", codes_of(&diagnostics));
        let accounts: Vec<Option<&str>> =
            certificates.iter().map(|c| c.account.as_deref()).collect();
        assert_eq!(accounts, [Some("cn"), Some("hk")]);
    }

    #[test]
    fn an_account_is_validated_without_reading_its_variables() {
        let www = certificate("www", "abc1", "account: hk\n");
        let mut loaded = loaded(&[("a.yaml", ACCOUNT), ("p.yaml", PROFILE), ("w.yaml", &www)]);
        let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
        let validated = validate_with(&loaded, Options::default(), &mut diagnostics);
        assert!(diagnostics.is_empty(), "{:?}", codes_of(&diagnostics));
        let account = &validated.accounts[0];
        assert_eq!(account.site, crate::certificate::Site::China);
        assert_eq!(account.region.as_deref(), Some("ap-hongkong"));
        assert_eq!(account.rate, Some(5.0));
        let crate::certificate::AccountCredentials::Variables {
            secret_id, token, ..
        } = &account.credentials
        else {
            panic!("variables expected: {:?}", account.credentials);
        };
        assert_eq!(secret_id.variable, "HK_ID");
        assert_eq!(token.as_ref().and_then(|t| t.default.as_deref()), Some(""));
    }

    #[test]
    fn account_problems_have_their_codes() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("literal", "secret_id: AKIDliteral\n", &["literal-secret"]),
            ("around", "secret_key: key-${HK_KEY}\n", &["literal-secret"]),
            (
                "both",
                "endpoint: https://ssl.example.com\n",
                &["account-keys"],
            ),
            ("profile", "profile: hk\n", &["account-keys"]),
            ("rate", "rate: 0\n", &["invalid-value"]),
            ("rate_type", "rate: \"5\"\n", &["type-mismatch"]),
            ("site", "site: mars\n", &["invalid-value"]),
        ];
        for (what, extra, expected) in cases {
            // The extra line replaces the key it names, or is added
            // (`endpoint` beside `site`).
            let key = extra.split(':').next().unwrap_or_default();
            let account: String = ACCOUNT
                .lines()
                .filter(|l| !l.starts_with(&format!("{key}:")))
                .map(|l| format!("{l}\n"))
                .collect::<String>()
                + extra;
            let www = certificate("www", "abc1", "account: hk\n");
            let (_, diagnostics) = validate_all(
                &[("a.yaml", &account), ("p.yaml", PROFILE), ("w.yaml", &www)],
                Options::default(),
            );
            assert_eq!(codes_of(&diagnostics), *expected, "{what}");
        }
        let no_key = ACCOUNT.replace("secret_key: ${HK_KEY}\n", "");
        let www = certificate("www", "abc1", "account: hk\n");
        let (_, diagnostics) = validate_all(
            &[("a.yaml", &no_key), ("p.yaml", PROFILE), ("w.yaml", &www)],
            Options::default(),
        );
        assert_eq!(codes_of(&diagnostics), ["account-keys"]);
    }

    #[test]
    fn an_account_in_a_file_that_failed_is_not_reported_missing_per_use() {
        // A tab where YAML wants spaces: the Account is lost, and its
        // failure, not one unknown-account per certificate, is reported.
        let broken = ACCOUNT.replace("region:", "\tregion:");
        let www = certificate("www", "abc1", "account: hk\n");
        let api = certificate("api", "abc2", "account: hk\n");
        let files = [
            ("a.yaml", broken.as_str()),
            ("p.yaml", PROFILE),
            ("w.yaml", &www),
            ("x.yaml", &api),
        ];
        let (_, diagnostics) = validate_all(&files, Options::default());
        assert_eq!(codes_of(&diagnostics), ["yaml-syntax"]);
        let notes: Vec<&String> = diagnostics.iter().flat_map(|d| &d.notes).collect();
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("account `hk`, used by `www`, `api`,")),
            "{notes:?}"
        );
        // A name in no failed file is still unknown.
        let other = certificate("other", "abc3", "account: nowhere\n");
        let files = [
            ("a.yaml", broken.as_str()),
            ("p.yaml", PROFILE),
            ("o.yaml", &other),
        ];
        let (_, diagnostics) = validate_all(&files, Options::default());
        assert_eq!(codes_of(&diagnostics), ["yaml-syntax", "unknown-account"]);
    }

    #[test]
    fn a_literal_secret_is_never_quoted() {
        let account = ACCOUNT.replace("${HK_KEY}", "very-secret-key");
        let www = certificate("www", "abc1", "account: hk\n");
        let (_, diagnostics) = validate_all(
            &[("a.yaml", &account), ("p.yaml", PROFILE), ("w.yaml", &www)],
            Options::default(),
        );
        let d = diagnostics.iter().next().expect("literal-secret");
        let text = format!("{d:?}");
        assert!(!text.contains("very-secret-key"), "{text}");
    }

    #[test]
    fn unknown_and_unused_accounts() {
        let profile = PROFILE.replace("name: acme\n", "name: acme\naccount: hkk\n");
        let www = certificate("www", "abc1", "account: hx\n");
        let (_, diagnostics) = validate_all(
            &[("a.yaml", ACCOUNT), ("p.yaml", &profile), ("w.yaml", &www)],
            Options::default(),
        );
        assert_eq!(
            codes_of(&diagnostics),
            ["unknown-account", "unknown-account", "unused-account"]
        );
        let unknown = diagnostics.iter().next().expect("a diagnostic");
        assert_eq!(
            unknown.message,
            "profile `acme` uses account `hkk`, which does not exist"
        );
        assert_eq!(unknown.hint.as_deref(), Some("did you mean `hk`?"));
        let unused = diagnostics.iter().last().expect("a diagnostic");
        assert_eq!(unused.severity, crate::diag::Severity::Warning);
        assert_eq!(
            unused.message,
            "account `hk` is not used by any certificate"
        );
    }
}
