//! Accounts (`kind: Account`): their keys, the form of their credentials,
//! and the `account:` references of profiles and certificates.
//!
//! Only the form is checked here: `secret_id`, `secret_key` and `token` are
//! each exactly one `${NAME}` or `${NAME:-default}`, never a literal, so
//! that no credential is committed with the manifests. The variables
//! themselves are read when a run talks to a real endpoint
//! (`commands::settings`), not during validation: `validate` and
//! `apply --emulator` need none of them.

use std::collections::{BTreeSet, HashSet};

use super::merge::ProfileIndex;
use super::names::{check_name, unique};
use crate::certificate::{Account, AccountCredentials, CredentialRef, Site};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::manifest::raw::{RawAccount, RawCertificate, RawDocument, RawProfile};
use crate::manifest::schema::suggest;
use crate::manifest::trust::{EndpointRefusal, check_endpoint, is_region};
use crate::numbers::RATE;
use crate::source::{FileId, Sourced};

/// Checks every Account document; returns those without an error.
pub(super) fn check_accounts(
    accounts: &[(FileId, &RawAccount)],
    allow_endpoints: &[String],
    diagnostics: &mut Diagnostics,
) -> Vec<Account> {
    check_names(accounts, diagnostics);
    let mut valid = Vec::new();
    for (file, raw) in accounts {
        let before = diagnostics.error_count();
        let site = check_site(raw, allow_endpoints, diagnostics);
        check_region(raw, diagnostics);
        let credentials = check_credentials(raw, diagnostics);
        check_rate(raw, diagnostics);
        if let (Some(site), Some(credentials), false, true) = (
            site,
            credentials,
            raw.had_errors,
            diagnostics.error_count() == before,
        ) {
            valid.push(Account {
                name: raw.name.value.clone(),
                file: *file,
                span: raw.name.span,
                site,
                credentials,
                region: raw
                    .region
                    .as_ref()
                    .map(|r| r.value.clone())
                    .filter(|r| !r.is_empty()),
                rate: raw.rate.as_ref().map(|r| r.value),
            });
        }
    }
    valid
}

/// Each account's name is one plain name, given once.
fn check_names(accounts: &[(FileId, &RawAccount)], diagnostics: &mut Diagnostics) {
    for (_, account) in accounts {
        check_name(&account.name, "account", diagnostics);
    }
    unique(
        accounts.iter().map(|(_, a)| &a.name),
        "account",
        Code::DuplicateName,
        diagnostics,
    );
}

fn keys_error(raw: &RawAccount, message: String) -> Diagnostic {
    Diagnostic::error(Code::AccountKeys, message).at(raw.name.span)
}

fn check_site(
    raw: &RawAccount,
    allow_endpoints: &[String],
    diagnostics: &mut Diagnostics,
) -> Option<Site> {
    let name = &raw.name.value;
    match (&raw.site, &raw.endpoint) {
        (Some(site), Some(endpoint)) => {
            diagnostics.push(
                Diagnostic::error(
                    Code::AccountKeys,
                    format!("account `{name}` has both `site` and `endpoint`"),
                )
                .at(endpoint.span)
                .related(site.span, "`site` is here")
                .hint("keep one: `site: intl` or `site: china`, or `endpoint: https://...`"),
            );
            None
        }
        // A `${...}` there is `interpolated-endpoint`, reported by the loader.
        (_, Some(endpoint)) if endpoint.secret => None,
        (_, Some(endpoint)) => match check_endpoint(&endpoint.value, allow_endpoints) {
            Ok(()) => Some(Site::Endpoint(endpoint.value.clone())),
            Err(refusal) => {
                let shown = crate::source::printable(&endpoint.value).into_owned();
                let (message, note) = match refusal {
                    EndpointRefusal::Form(why) => (
                        format!("the `endpoint` of account `{name}` is not allowed: {why}"),
                        "an account's requests carry its credentials: a manifest may name `https://` to a host under `tencentcloudapi.com`, with no port, path, query or user",
                    ),
                    EndpointRefusal::Host => (
                        format!(
                            "the `endpoint` of account `{name}` is not allowed: `{shown}` is not under `tencentcloudapi.com`"
                        ),
                        "an account's requests carry its credentials, so a manifest (which a pull request may change) cannot send them elsewhere",
                    ),
                };
                diagnostics.push(
                    Diagnostic::error(Code::EndpointNotAllowed, message)
                        .at(endpoint.span)
                        .note(note)
                        .hint("the operator may allow a host outside the manifests: --allow-endpoint HOST[:PORT] (or TCCERT_ALLOW_ENDPOINTS); --endpoint and --emulator replace every account's site"),
                );
                None
            }
        },
        // A value outside the enum is a schema error already.
        (Some(site), None) if site.value == "china" => Some(Site::China),
        (Some(_) | None, None) => Some(Site::Intl),
    }
}

/// `region` is a region name: nothing else (a CR or LF in it would break
/// every request's headers).
fn check_region(raw: &RawAccount, diagnostics: &mut Diagnostics) {
    if let Some(region) = &raw.region
        && !region.secret
        && !region.value.is_empty()
        && !is_region(&region.value)
    {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidRegion,
                format!(
                    "the `region` of account `{}` is not a region name",
                    raw.name.value
                ),
            )
            .at(region.span)
            .hint(
                "a region is written as `ap-guangzhou`: lower-case words and digits joined by `-`",
            ),
        );
    }
}

fn check_credentials(
    raw: &RawAccount,
    diagnostics: &mut Diagnostics,
) -> Option<AccountCredentials> {
    let name = &raw.name.value;
    let written: Vec<(&str, &Sourced<String>)> = [
        ("secret_id", &raw.secret_id),
        ("secret_key", &raw.secret_key),
        ("token", &raw.token),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.as_ref().map(|v| (key, v)))
    .collect();
    if let Some(profile) = &raw.profile {
        if written.is_empty() {
            return Some(AccountCredentials::Profile(profile.value.clone()));
        }
        let keys: Vec<String> = written.iter().map(|(k, _)| format!("`{k}`")).collect();
        diagnostics.push(
            Diagnostic::error(
                Code::AccountKeys,
                format!(
                    "account `{name}` has `profile` and {}: a profile of the credential files replaces them",
                    keys.join(", ")
                ),
            )
            .at(profile.span)
            .hint("keep `profile`, or remove it and keep the variables"),
        );
        return None;
    }
    let mut ok = true;
    let mut reference = |key: &str, value: &Sourced<String>| {
        let parsed = CredentialRef::parse(&value.value);
        if parsed.is_none() {
            ok = false;
            // The value is never quoted: it may be the credential itself.
            diagnostics.push(
                Diagnostic::error(
                    Code::LiteralSecret,
                    format!("`{key}` of account `{name}` is not a variable reference"),
                )
                .at(value.span)
                .with_label("a credential cannot be written here")
                .note("credentials never live in manifests (and so in git): each of secret_id, secret_key and token is exactly one `${NAME}` or `${NAME:-default}`")
                .hint(format!(
                    "write `{key}: ${{{}}}` and set that variable where tccert runs; or use `profile: NAME` of the credential files",
                    suggested_variable(name, key)
                )),
            );
        }
        parsed
    };
    let secret_id = raw
        .secret_id
        .as_ref()
        .and_then(|v| reference("secret_id", v));
    let secret_key = raw
        .secret_key
        .as_ref()
        .and_then(|v| reference("secret_key", v));
    let token = raw.token.as_ref().and_then(|v| reference("token", v));
    let missing: Vec<&str> = [
        ("secret_id", &raw.secret_id),
        ("secret_key", &raw.secret_key),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_none())
    .map(|(k, _)| k)
    .collect();
    if !missing.is_empty() {
        diagnostics.push(
            keys_error(
                raw,
                format!(
                    "account `{name}` has no `{}`",
                    missing.join("` and no `")
                ),
            )
            .hint("give `secret_id: ${NAME}` and `secret_key: ${NAME}`, or `profile: NAME` of the credential files"),
        );
        return None;
    }
    match (secret_id, secret_key, ok) {
        (Some(secret_id), Some(secret_key), true) => Some(AccountCredentials::Variables {
            secret_id,
            secret_key,
            token,
        }),
        _ => None,
    }
}

/// `acme-cn`, `secret_id` → `ACME_CN_SECRET_ID`: a name for the hint.
fn suggested_variable(account: &str, key: &str) -> String {
    let mut name: String = format!("{account}_{key}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

fn check_rate(raw: &RawAccount, diagnostics: &mut Diagnostics) {
    if let Some(rate) = &raw.rate
        && RATE.real(&rate.value.to_string()).is_err()
    {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidValue,
                format!(
                    "the `rate` of account `{}` is out of range: it takes {}, as {} does",
                    raw.name.value,
                    RATE.describe(),
                    RATE.flag
                ),
            )
            .at(rate.span),
        );
    }
}

/// Account names, to check references against.
pub(super) struct AccountNames<'a> {
    names: BTreeSet<&'a str>,
    /// Missing accounts not to report: they may be in a file that failed to
    /// read, which is reported instead (`Loaded::unread_accounts`).
    excused: &'a [String],
}

impl<'a> AccountNames<'a> {
    pub(super) fn new(accounts: &[(FileId, &'a RawAccount)]) -> Self {
        Self {
            names: accounts
                .iter()
                .map(|(_, a)| a.name.value.as_str())
                .collect(),
            excused: &[],
        }
    }

    /// Leaves references to `names` unreported when they are missing.
    pub(super) fn excusing(self, names: &'a [String]) -> Self {
        Self {
            excused: names,
            ..self
        }
    }

    /// Reports `account: NAME` that names no Account.
    pub(super) fn check(
        &self,
        reference: Option<&Sourced<String>>,
        from: &str,
        diagnostics: &mut Diagnostics,
    ) {
        let Some(reference) = reference else {
            return;
        };
        if self.names.contains(reference.value.as_str()) || self.excused.contains(&reference.value)
        {
            return;
        }
        let mut d = Diagnostic::error(
            Code::UnknownAccount,
            format!(
                "{from} uses account `{}`, which does not exist",
                super::shown(reference)
            ),
        )
        .at(reference.span)
        .with_label("no account has this name");
        match suggest(&reference.value, self.names.iter().copied()) {
            Some(near) if !reference.secret => d = d.hint(format!("did you mean `{near}`?")),
            _ => {
                d = d.note("accounts are documents with `kind: Account` among the PATHs given");
            }
        }
        diagnostics.push(d);
    }
}

/// The certificate's account: its own, else the last profile's (profiles
/// in the order they are applied), like every other merged value.
pub(super) fn effective<'a>(
    layers: &[&'a RawProfile],
    certificate: &'a RawCertificate,
) -> Option<&'a Sourced<String>> {
    certificate
        .account
        .as_ref()
        .or_else(|| layers.iter().rev().find_map(|p| p.account.as_ref()))
}

/// Warns about each Account that no certificate uses.
pub(super) fn report_unused(
    accounts: &[(FileId, &RawAccount)],
    used: &BTreeSet<String>,
    diagnostics: &mut Diagnostics,
) {
    // A name defined twice is an error already: warned about once.
    let mut warned: HashSet<&str> = HashSet::new();
    for (_, account) in accounts {
        let name = account.name.value.as_str();
        if used.contains(name) || !warned.insert(name) {
            continue;
        }
        diagnostics.push(
            Diagnostic::warning(
                Code::UnusedAccount,
                format!(
                    "account `{}` is not used by any certificate",
                    super::shown(&account.name)
                ),
            )
            .at(account.name.span)
            .hint("give `account: NAME` to a certificate or a profile, or remove the account"),
        );
    }
}

/// What `tccert emulator --seed` needs of accounts, read without the rest
/// of validation (the seed runs with no variable set): the Account
/// documents, and each certificate's account (its own, else its profiles',
/// as [`effective`]), in the order of the certificates.
///
/// Problems that would make an owner wrong, or an `ACCOUNT` line unreadable,
/// are reported: an account name that is not one plain name or is defined
/// twice, and `account:` naming no Account. When the seed has accounts, a
/// certificate without its own `account` takes its profiles', so their
/// references must resolve then (`unknown-profile`, `profile-cycle`).
pub(crate) fn seed_owners<'a>(
    documents: &'a [(FileId, RawDocument)],
    diagnostics: &mut Diagnostics,
) -> (Vec<Option<String>>, Vec<&'a RawAccount>) {
    let mut profiles: Vec<&RawProfile> = Vec::new();
    let mut certificates: Vec<&RawCertificate> = Vec::new();
    let mut accounts: Vec<(FileId, &RawAccount)> = Vec::new();
    for (file, document) in documents {
        match document {
            RawDocument::Profile(p) => profiles.push(p),
            RawDocument::Certificate(c) => certificates.push(c),
            RawDocument::Account(a) => accounts.push((*file, a)),
        }
    }
    check_names(&accounts, diagnostics);
    let names = AccountNames::new(&accounts);
    for profile in &profiles {
        let from = format!("profile `{}`", profile.name.value);
        names.check(profile.account.as_ref(), &from, diagnostics);
    }
    for certificate in &certificates {
        let from = format!("certificate `{}`", certificate.name.value);
        names.check(certificate.account.as_ref(), &from, diagnostics);
    }
    if accounts.is_empty() {
        // No account to own anything: every certificate is the default
        // pair's, and profiles need not be followed (as before accounts).
        return (vec![None; certificates.len()], Vec::new());
    }
    let index = ProfileIndex::new(profiles.iter().copied());
    index.check(&profiles, diagnostics);
    let owners = certificates
        .iter()
        .map(|certificate| {
            let account = certificate.account.as_ref().or_else(|| {
                index
                    .linearize(certificate, diagnostics)
                    .and_then(|layers| effective(&layers, certificate))
            });
            account.map(|a| a.value.clone())
        })
        .collect();
    (owners, accounts.into_iter().map(|(_, a)| a).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credential_is_one_reference_and_nothing_else() {
        assert_eq!(
            CredentialRef::parse("${ACME_ID}"),
            Some(CredentialRef {
                variable: "ACME_ID".into(),
                default: None
            })
        );
        assert_eq!(
            CredentialRef::parse("${ACME_TOKEN:-}"),
            Some(CredentialRef {
                variable: "ACME_TOKEN".into(),
                default: Some(String::new())
            })
        );
        for literal in [
            "AKIDabc", "x${A}", "${A}x", "${A}${B}", "${1A}", "${}", "$A", "${A", "$${A}",
        ] {
            assert_eq!(CredentialRef::parse(literal), None, "{literal}");
        }
    }

    #[test]
    fn a_reference_resolves_as_a_shell_would() {
        let lookup = |name: &str| match name {
            "SET" => Some("value".to_string()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        let resolve = |text: &str| CredentialRef::parse(text).and_then(|r| r.resolve(&lookup));
        assert_eq!(resolve("${SET}"), Some("value".into()));
        assert_eq!(resolve("${EMPTY}"), None);
        assert_eq!(resolve("${UNSET}"), None);
        assert_eq!(resolve("${UNSET:-fallback}"), Some("fallback".into()));
        assert_eq!(resolve("${EMPTY:-fallback}"), Some("fallback".into()));
    }

    #[test]
    fn hints_name_a_variable_from_the_account() {
        assert_eq!(
            suggested_variable("acme-cn", "secret_id"),
            "ACME_CN_SECRET_ID"
        );
        assert_eq!(suggested_variable("9x", "token"), "_9X_TOKEN");
    }
}
