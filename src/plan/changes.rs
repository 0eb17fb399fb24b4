//! What a plan shows for each field it would change, pure: the live value,
//! the desired one and where the manifest set it (docs/cli.md "JSON
//! output", `changes`).
//!
//! The list is built here, once, with the values a reviewer may see:
//! a sensitive field (a key password, anything read from the environment)
//! carries no value at all, not even a hash or a length; with `--no-values`
//! no field carries one; a CSR is shown as its subject and the SHA-256 of
//! its PEM, never whole. The printers in [`crate::output`] only lay out what
//! is here, so no output can show more than this module lets through.

use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use super::decide::differences;
use crate::api::param::Param;
use crate::api::request::{Body, comparable_fields};
use crate::certificate::{Certificate, Csr};
use crate::field::Field;
use crate::source::Span;

/// Whether values go into the changes (`--no-values` leaves them out).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Values {
    #[default]
    Shown,
    Withheld,
}

/// What one change shows besides the field's name.
#[derive(Clone, Debug, PartialEq)]
pub enum Shown {
    /// Both values as JSON: strings, `DomainList` as an array, `null` for a
    /// value the live data does not have.
    Values { live: Json, desired: Json },
    /// A key password or a value from the environment: named, never shown.
    Sensitive,
    /// `--no-values`: the name only.
    NameOnly,
}

/// One field whose live value differs from what would be sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// As `SubmittedData` names it, whichever API sends it.
    pub field: &'static str,
    pub shown: Shown,
    /// Where the manifest set the desired value; `None` for what tccert
    /// adds itself (`CsrType: online` when the CSR is made by Tencent Cloud).
    pub source: Option<Span>,
}

impl Change {
    /// Applies `mask` to every string value shown: the run masks in live
    /// values whatever secret it knows, as it does in `StatusMsg`.
    pub fn mask_values(&mut self, mask: impl Fn(&str) -> String) {
        if let Shown::Values { live, desired } = &mut self.shown {
            for value in [live, desired] {
                mask_json(value, &mask);
            }
        }
    }
}

fn mask_json(value: &mut Json, mask: &impl Fn(&str) -> String) {
    match value {
        Json::String(text) => *text = mask(text),
        Json::Array(items) => items.iter_mut().for_each(|item| mask_json(item, mask)),
        _ => {}
    }
}

/// The changes of a submit or a drift: every field that differs between the
/// live `SubmittedData` and `desired` (the body under `SubmittedData`'s
/// names, as [`differences`] compares them); with no live data (a first
/// submission), every field sent, live `null`. `IsDV` and the id are never
/// listed, as they are never compared.
pub fn changes(
    certificate: &Certificate,
    live: Option<&Map<String, Json>>,
    desired: &Body,
    values: Values,
) -> Vec<Change> {
    let differing = live.map(|data| differences(Some(data), desired));
    comparable_fields(desired)
        .filter(|field| {
            differing
                .as_ref()
                .is_none_or(|names| names.contains(&field.name))
        })
        .map(|field| {
            // A key password is sensitive whatever its origin: the live one
            // would be the old password.
            let sensitive = field.secret || field.name == Param::KeyPassword.legacy_name();
            let shown = match (sensitive, values) {
                (true, _) => Shown::Sensitive,
                (false, Values::Withheld) => Shown::NameOnly,
                (false, Values::Shown) => Shown::Values {
                    live: shown_value(
                        field.name,
                        live.and_then(|data| data.get(field.name))
                            .unwrap_or(&Json::Null),
                    ),
                    desired: shown_value(field.name, &field.value),
                },
            };
            Change {
                field: field.name,
                shown,
                source: source(certificate, field.name),
            }
        })
        .collect()
}

/// Longer strings than this are summarised, not printed whole.
const LONG: usize = 256;

/// A value as a reviewer sees it: a CSR as its subject and digest, any other
/// long string as its start and digest (a reply is up to 1 MiB), the rest as
/// it is.
fn shown_value(field: &str, value: &Json) -> Json {
    match value.as_str() {
        Some(text) if !text.is_empty() && field == Param::CsrContent.legacy_name() => {
            Json::from(csr_summary(text))
        }
        Some(text) if text.chars().count() > LONG => {
            let start: String = text.chars().take(40).collect();
            Json::from(format!(
                "{start}… ({} characters, sha256:{})",
                text.chars().count(),
                sha256(text)
            ))
        }
        _ => value.clone(),
    }
}

/// `CSR CN=www.acme.example, sha256:…`: the subject (what `csr inspect`
/// shows) and the SHA-256 of the PEM as sent, which `sha256sum` of the CSR
/// file gives. A PEM that does not parse (the live one may be anything) is
/// only its digest.
pub fn csr_summary(pem: &str) -> String {
    match crate::csr::inspect::inspect(pem) {
        Ok(info) if !info.subject.is_empty() => {
            format!("CSR {}, sha256:{}", info.subject, sha256(pem))
        }
        Ok(_) => format!("CSR (empty subject), sha256:{}", sha256(pem)),
        Err(_) => format!("not a readable CSR, sha256:{}", sha256(pem)),
    }
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Where the manifest set the field `SubmittedData` names `name`.
fn source(certificate: &Certificate, name: &str) -> Option<Span> {
    let param = |p: Param| p.legacy_name() == name;
    if param(Param::Domain) {
        Some(certificate.domain.span)
    } else if param(Param::DomainList) {
        certificate.domains.first().map(|d| d.span)
    } else if param(Param::CsrContent) || param(Param::CsrType) {
        match &certificate.csr {
            Csr::Parse { span, .. } => Some(*span),
            Csr::Online { .. } => None,
        }
    } else if param(Param::KeyPassword) {
        match &certificate.csr {
            Csr::Online {
                key_password: Some(password),
                ..
            } => Some(password.span),
            _ => None,
        }
    } else {
        Field::from_api_name(name)
            .and_then(|field| certificate.fields.get(&field))
            .map(|setting| setting.span)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::request::{submit_body, submitted_view};
    use crate::manifest::load::Budget;
    use crate::manifest::testing::{PROFILE, certificate, files};
    use crate::pipeline;
    use crate::source::Files;
    use crate::system::MapEnvironment;
    use crate::validate::Options;

    const CSR: &str = include_str!("../../tests/fixtures/www.csr");

    /// One certificate `www` through the front door, with `extra` YAML and
    /// the environment `env`; its files and its body as SubmittedData names
    /// it.
    fn www(extra: &str, env: &[(&str, &str)]) -> (Files, Certificate, Body) {
        from_text(&certificate("www", "abc1", extra), PROFILE, env)
    }

    fn from_text(text: &str, profile: &str, env: &[(&str, &str)]) -> (Files, Certificate, Body) {
        let (fs, paths) = files(&[("p.yaml", profile), ("www.yaml", text)]);
        let env = env
            .iter()
            .fold(MapEnvironment::default(), |env, (k, v)| env.with(k, v));
        let checked =
            pipeline::load_and_validate(&paths, &fs, &env, Budget::default(), Options::default());
        let (loaded, diagnostics, valid) = checked.into_parts();
        let mut valid = valid.unwrap_or_else(|| panic!("{diagnostics:?}"));
        let certificate = valid.certificates.remove(0);
        let body = submitted_view(&certificate, &submit_body(&certificate));
        (loaded.files, certificate, body)
    }

    /// The live data as it would be after submitting `body`.
    fn live_of(body: &Body) -> Map<String, Json> {
        comparable_fields(body)
            .map(|f| (f.name.to_string(), f.value.clone()))
            .collect()
    }

    fn names(changes: &[Change]) -> Vec<&'static str> {
        changes.iter().map(|c| c.field).collect()
    }

    #[test]
    fn a_changed_field_shows_both_values_and_where_it_was_set() {
        let (files, certificate, body) = www("", &[]);
        let mut live = live_of(&body);
        live.insert("ContactPosition".into(), json!("CTO"));
        let list = changes(&certificate, Some(&live), &body, Values::Shown);
        assert_eq!(names(&list), ["ContactPosition"]);
        assert_eq!(
            list[0].shown,
            Shown::Values {
                live: json!("CTO"),
                desired: json!("Engineer")
            }
        );
        let span = list[0].source.expect("a place");
        assert_eq!(files.location(span), "p.yaml:25:13");
        // Nothing differs: nothing listed.
        assert!(changes(&certificate, Some(&live_of(&body)), &body, Values::Shown).is_empty());
    }

    #[test]
    fn a_first_submission_lists_every_field_sent_with_live_null() {
        let (_, certificate, body) = www(
            "  key_password: kp-literal-1\ndomains: [api.acme.example]\n",
            &[],
        );
        let list = changes(&certificate, None, &body, Values::Shown);
        let listed = names(&list);
        assert_eq!(listed.len(), comparable_fields(&body).count());
        for name in ["CsrType", "CertificateDomain", "DomainList", "KeyPassword"] {
            assert!(listed.contains(&name), "{name}: {listed:?}");
        }
        assert!(!listed.contains(&"IsDV") && !listed.contains(&"CertificateId"));
        let domains = list.iter().find(|c| c.field == "DomainList");
        assert_eq!(
            domains.map(|c| &c.shown),
            Some(&Shown::Values {
                live: Json::Null,
                desired: json!(["api.acme.example"])
            })
        );
        // CsrType online is tccert's own: no line in the manifest.
        let csr_type = list.iter().find(|c| c.field == "CsrType");
        assert_eq!(csr_type.map(|c| c.source), Some(None));
    }

    #[test]
    fn key_passwords_and_environment_values_are_sensitive_without_any_value() {
        let (_, certificate, body) = www("  key_password: kp-literal-1\n", &[]);
        let (_, with_env, env_body) = www("  key_password: ${KP}\n", &[("KP", "kp-from-env-1")]);
        let mut live = live_of(&body);
        live.insert("KeyPassword".into(), json!("kp-old-1"));
        let list = changes(&certificate, Some(&live), &body, Values::Shown);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].shown, Shown::Sensitive);
        assert!(!format!("{list:?}").contains("kp-"), "{list:?}");
        let first = changes(&with_env, None, &env_body, Values::Shown);
        let password = first.iter().find(|c| c.field == "KeyPassword");
        assert_eq!(password.map(|c| &c.shown), Some(&Shown::Sensitive));
        assert!(!format!("{first:?}").contains("kp-from-env-1"));

        // A profile field from the environment: sensitive too.
        let profile = PROFILE.replace("position: Engineer", "position: ${POSITION}");
        let (_, certificate, body) = from_text(
            &crate::manifest::testing::certificate("www", "abc1", ""),
            &profile,
            &[("POSITION", "Chief-of-env")],
        );
        let mut live = live_of(&body);
        live.insert("ContactPosition".into(), json!("Intern"));
        let list = changes(&certificate, Some(&live), &body, Values::Shown);
        assert_eq!(names(&list), ["ContactPosition"]);
        assert_eq!(list[0].shown, Shown::Sensitive);
        assert!(
            !format!("{list:?}").contains("Intern"),
            "not the live one either"
        );
    }

    #[test]
    fn a_live_key_password_that_is_empty_is_not_a_change() {
        let (_, certificate, body) = www("  key_password: kp-literal-1\n", &[]);
        for missing in [json!(""), Json::Null] {
            let mut live = live_of(&body);
            live.insert("KeyPassword".into(), missing);
            live.insert("ContactPosition".into(), json!("CTO"));
            let list = changes(&certificate, Some(&live), &body, Values::Shown);
            assert_eq!(names(&list), ["ContactPosition"]);
        }
    }

    #[test]
    fn the_successor_api_lists_fields_by_submitted_data_names() {
        let (_, certificate, body) = www("api: CertificateInfoSubmit\n", &[]);
        let list = changes(&certificate, None, &body, Values::Shown);
        let listed = names(&list);
        assert!(listed.contains(&"CertificateDomain"), "{listed:?}");
        assert!(listed.contains(&"OrganizationName"), "{listed:?}");
        for successor_only in ["CertCommonName", "OrgOrganization", "CompanyType", "CertId"] {
            assert!(!listed.contains(&successor_only), "{listed:?}");
        }
        let organization = list.iter().find(|c| c.field == "OrganizationName");
        assert!(organization.is_some_and(|c| c.source.is_some()));
    }

    #[test]
    fn no_values_leaves_names_only() {
        let (_, certificate, body) = www("  key_password: kp-literal-1\n", &[]);
        let list = changes(&certificate, None, &body, Values::Withheld);
        assert!(!list.is_empty());
        for change in &list {
            let expected = if change.field == "KeyPassword" {
                Shown::Sensitive
            } else {
                Shown::NameOnly
            };
            assert_eq!(change.shown, expected, "{}", change.field);
        }
    }

    #[test]
    fn a_csr_is_summarised_by_subject_and_digest() {
        let pem: String = CSR.lines().map(|l| format!("    {l}\n")).collect();
        let text = certificate("www", "abc1", "")
            .replace("type: online\n", &format!("type: parse\n  pem: |\n{pem}"));
        let (_, certificate, body) = from_text(&text, PROFILE, &[]);
        let list = changes(&certificate, None, &body, Values::Shown);
        let csr = list
            .iter()
            .find(|c| c.field == "CsrContent")
            .expect("listed");
        let digest = hex::encode(Sha256::digest(CSR.as_bytes()));
        assert_eq!(
            csr.shown,
            Shown::Values {
                live: Json::Null,
                desired: json!(format!(
                    "CSR C=CN, O=Acme Ltd, CN=www.acme.example, sha256:{digest}"
                ))
            }
        );
        assert!(csr.source.is_some());
        assert_eq!(
            csr_summary("garbage"),
            format!("not a readable CSR, sha256:{}", sha256("garbage"))
        );
    }

    #[test]
    fn long_values_are_summarised_and_masks_reach_every_string() {
        let long = "x".repeat(300);
        let shown = shown_value("OrganizationName", &json!(long));
        let text = shown.as_str().unwrap_or_default();
        assert!(text.starts_with(&"x".repeat(40)), "{text}");
        assert!(text.contains("(300 characters, sha256:"), "{text}");
        assert_eq!(
            shown_value("OrganizationName", &json!("Acme")),
            json!("Acme")
        );
        let mut change = Change {
            field: "DomainList",
            shown: Shown::Values {
                live: json!(["a.secret.example"]),
                desired: json!("secret"),
            },
            source: None,
        };
        change.mask_values(|s| s.replace("secret", "********"));
        assert_eq!(
            change.shown,
            Shown::Values {
                live: json!(["a.********.example"]),
                desired: json!("********")
            }
        );
    }
}
