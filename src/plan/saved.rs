//! Saved plans (`plan --out FILE`, `apply --plan FILE`), pure: the file's
//! format, the two digests that tie a planned certificate to what plan saw,
//! and the checks that a file is whole, unedited and from this tccert.
//!
//! A digest is the SHA-256 of canonical JSON (object keys sorted, no
//! whitespace) in which every sensitive value (`KeyPassword`, any value read
//! from the environment) is replaced by [`MARKER`], the field names kept. So
//! the file holds no secret in any form, not even a hash of one, and a change
//! to a secret alone never makes a plan stale (docs/cli.md, "Saved plans").
//!
//! The file is one JSON object; its `digest` is the SHA-256 of the canonical
//! JSON of everything else. That catches a truncated or hand-edited file; it
//! is not a signature: whoever can write the file can recompute it
//! (docs/cli.md says what it does and does not protect against).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use sha2::{Digest as _, Sha256};

use std::collections::BTreeMap;

use super::decide::Live;
use super::outcome::{CertificateReport, Outcome};
use crate::api::action::Action;
use crate::api::request::{Body, Secrets, create_body, order_body, submit_action, submit_body};
use crate::certificate::Certificate;

/// The `format` of every plan file.
pub const FORMAT: &str = "tccert-plan";
/// The layout of the file; raised whenever a field changes meaning.
pub const FORMAT_VERSION: u64 = 1;
/// The tccert that writes and reads plans: a plan is applied by the tccert
/// that made it, whose comparison and bodies it recorded.
pub const TCCERT_VERSION: &str = env!("CARGO_PKG_VERSION");
/// What stands in for every sensitive value before hashing.
pub const MARKER: &str = crate::secret::MASK;

/// A saved plan, as written to and read from the file (less its `digest`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedPlan {
    /// Always [`FORMAT`].
    pub format: String,
    pub format_version: u64,
    pub tccert_version: String,
    /// Where plan read: the endpoint URL, or `None` with `emulator`.
    pub endpoint: Option<String>,
    /// `--emulator`.
    pub emulator: bool,
    /// Each account's endpoint, by account name, as plan resolved it (the
    /// account's site or endpoint, or `--endpoint`): a plan is applied only
    /// where it was made, for every account, not only the default
    /// credentials. Empty (and absent from the file) without accounts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub account_endpoints: BTreeMap<String, String>,
    /// The directory plan ran in (absolute), for the error of an apply run
    /// from elsewhere; absent in plans of earlier tccert versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<PathBuf>,
    /// The PATH arguments, relative to `directory` where they were inside
    /// it (so the plan job and the apply job may run in different
    /// checkouts of one tree).
    pub paths: Vec<PathBuf>,
    /// Every file read (manifests and CSR files), as the loader named them,
    /// relative to `directory` likewise.
    pub files: Vec<PathBuf>,
    /// `--api`, by the API's action name.
    pub api: Option<String>,
    pub commit: bool,
    pub resubmit: Vec<String>,
    pub target: Vec<String>,
    /// `--deep`: apply reads every planned certificate in detail, as plan
    /// did; without it, apply lists them in bulk first, as plan did.
    #[serde(default)]
    pub deep: bool,
    /// `--allow-purchase` at plan: apply buys only when both the plan and
    /// its own command line allow it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_purchase: bool,
    /// `--restart`, as given to plan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restart: Vec<String>,
    /// The certificates plan would write, in the report's order.
    pub certificates: Vec<PlannedCertificate>,
    /// The certificates plan found drifted (by name): `apply --plan` exits
    /// 1 for them as `apply PATH...` does, sending nothing for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drift: Vec<String>,
}

/// One certificate plan would write.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlannedCertificate {
    pub name: String,
    pub file: PathBuf,
    /// The writes, in order, by action name.
    pub actions: Vec<String>,
    /// The live status plan read; null for a certificate to buy (nothing
    /// carried its tag).
    pub status: Option<u64>,
    /// [`body_digest`] of what would be sent.
    pub body_digest: String,
    /// [`live_digest`] of what plan read.
    pub live_digest: String,
    /// The account whose credentials read it and would write it; absent
    /// for the default credentials (so a plan without accounts reads as
    /// before them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

pub use super::outcome::Digests;

/// What `apply --plan` expects of one planned certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub actions: Vec<String>,
    /// `None`: a purchase was planned.
    pub status: Option<u64>,
    pub digests: Digests,
}

impl Expected {
    pub fn from_planned(planned: &PlannedCertificate) -> Self {
        Self {
            actions: planned.actions.clone(),
            status: planned.status,
            digests: Digests {
                body: planned.body_digest.clone(),
                live: planned.live_digest.clone(),
            },
        }
    }

    /// Why the certificate is stale, or `None` when what apply would do now
    /// is exactly what was planned: the same body, the same live state, the
    /// same writes.
    pub fn stale_reason(&self, now: &Digests, status: u64, actions: &[Action]) -> Option<String> {
        if now.body != self.digests.body {
            return Some(BODY_CHANGED.into());
        }
        if Some(status) != self.status {
            return Some(format!(
                "the live status is {status}, the plan read {}; nothing sent, plan again",
                self.status
                    .map_or("none (a purchase)".to_string(), |s| s.to_string())
            ));
        }
        if now.live != self.digests.live {
            return Some(
                "the live SubmittedData changed since the plan; nothing sent, plan again".into(),
            );
        }
        let names: Vec<&str> = actions.iter().map(|a| a.name()).collect();
        if names != self.actions {
            return Some(format!(
                "apply would now send [{}], the plan has [{}]; nothing sent, plan again",
                names.join(", "),
                self.actions.join(", ")
            ));
        }
        None
    }
}

/// Canonical JSON: object keys sorted (by their UTF-8 bytes), no
/// whitespace, strings escaped as serde_json escapes them. Equal values give
/// equal text whatever order their keys were built in.
pub fn canonical(value: &Json) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Json, out: &mut String) {
    match value {
        Json::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Json::from(key.as_str()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// `sha256:` and the hex SHA-256 of `text`.
pub fn sha256(text: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(text.as_bytes())))
}

/// The digest of what would be sent: the submit action's name, its body and
/// the order's body, sensitive values replaced by [`MARKER`].
pub fn body_digest(action: Action, submit: &Body, order: &Body) -> String {
    let value = serde_json::json!({
        "action": action.name(),
        "submit": Json::Object(submit.to_json(Secrets::Mask)),
        "order": Json::Object(order.to_json(Secrets::Mask)),
    });
    sha256(&canonical(&value))
}

/// The digest of the live state: the status and `SubmittedData` (null when
/// none), with `KeyPassword` and every field whose desired value is
/// sensitive (`desired` under SubmittedData's names) replaced by [`MARKER`]
/// whatever its live value, so no live secret reaches the digest either.
pub fn live_digest(live: &Live, desired: &Body) -> String {
    let submitted = live.submitted.as_ref().map(|data| {
        let masked: Map<String, Json> = data
            .iter()
            .map(|(name, value)| {
                let sensitive =
                    name == "KeyPassword" || desired.get(name).is_some_and(|field| field.secret);
                let value = if sensitive {
                    Json::from(MARKER)
                } else {
                    value.clone()
                };
                (name.clone(), value)
            })
            .collect();
        Json::Object(masked)
    });
    let value = serde_json::json!({
        "Status": live.status,
        "SubmittedData": submitted,
    });
    sha256(&canonical(&value))
}

/// [`body_digest`] of what a certificate would send now. For a
/// certificate with `purchase` the id is left out (the one found by its tag
/// is not the manifest's, and a plan made before the purchase has none),
/// and what `CreateCertificate` would send is part of the digest; with a
/// `confirm_letter`, so is the letter's SHA-256 (a letter replaced after the
/// plan makes the plan stale, as a changed manifest does).
pub fn certificate_body_digest(certificate: &Certificate) -> String {
    let bodies = bodies_digest(certificate);
    match &certificate.confirm_letter {
        None => bodies,
        Some(letter) => {
            let value = serde_json::json!({
                "bodies": bodies,
                "letter": hex_sha256(&letter.bytes),
            });
            sha256(&canonical(&value))
        }
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn bodies_digest(certificate: &Certificate) -> String {
    if certificate.purchase.is_none() {
        return body_digest(
            submit_action(certificate),
            &submit_body(certificate),
            &order_body(certificate),
        );
    }
    let purchase = create_body(certificate);
    let unbought = Certificate {
        certificate_id: None,
        ..certificate.clone()
    };
    let value = serde_json::json!({
        "submit": body_digest(
            submit_action(&unbought),
            &submit_body(&unbought),
            &order_body(&unbought),
        ),
        "purchase": Json::Object(purchase.to_json(Secrets::Mask)),
    });
    sha256(&canonical(&value))
}

/// The note of a certificate whose own request body changed since the plan.
pub const BODY_CHANGED: &str = "the request body differs from the plan's (the manifests changed since the plan); nothing sent, plan again";

/// Checked before anything is read: when the body of any planned
/// certificate differs from the plan's, the manifest files changed since the
/// plan, and nothing of the plan is sent. Every planned certificate is then
/// `stale` (unread: no status), each saying whether its own body changed or
/// another's did. `None` when every body is as planned.
pub fn changed_bodies(
    expected: &BTreeMap<String, Expected>,
    certificates: &[(Certificate, PathBuf)],
) -> Option<Vec<CertificateReport>> {
    let changed: Vec<&str> = certificates
        .iter()
        .filter(|(c, _)| {
            expected
                .get(&c.name)
                .is_some_and(|e| e.digests.body != certificate_body_digest(c))
        })
        .map(|(c, _)| c.name.as_str())
        .collect();
    if changed.is_empty() {
        return None;
    }
    let reports = certificates
        .iter()
        .map(|(certificate, file)| {
            let mut report = CertificateReport::new(certificate);
            report.file.clone_from(file);
            report.outcome = Outcome::Stale;
            report.notes.push(if changed.contains(&certificate.name.as_str()) {
                BODY_CHANGED.to_string()
            } else {
                format!(
                    "not sent: the manifests of {} changed since the plan, and nothing of a plan whose files changed is sent; plan again",
                    changed.join(", ")
                )
            });
            report
        })
        .collect();
    Some(reports)
}

/// Why a plan file cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum PlanFileError {
    /// Not JSON (a truncated file ends mid-value).
    NotJson(String),
    /// JSON, but not a tccert plan.
    NotAPlan,
    /// Made by another tccert version.
    OtherVersion(String),
    /// The file's own digest does not match: edited or damaged.
    Edited,
    /// The digest matches but the fields are not this format's.
    Malformed(String),
}

impl std::fmt::Display for PlanFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanFileError::NotJson(why) => {
                write!(f, "it is not a whole plan file (truncated?): {why}")
            }
            PlanFileError::NotAPlan => write!(f, "it is not a tccert plan file"),
            PlanFileError::OtherVersion(version) => write!(
                f,
                "it was made by tccert {version}, and this is tccert {TCCERT_VERSION}; plan again with this version"
            ),
            PlanFileError::Edited => write!(
                f,
                "its digest does not match its content: the file was edited or damaged since plan wrote it"
            ),
            PlanFileError::Malformed(why) => write!(f, "it is not a valid plan file: {why}"),
        }
    }
}

/// The file's text: the plan's fields and their `digest`, pretty-printed,
/// ending with a newline.
pub fn to_text(plan: &SavedPlan) -> Result<String, String> {
    let value = serde_json::to_value(plan).map_err(|e| e.to_string())?;
    let Json::Object(mut map) = value else {
        return Err("a plan is an object".into());
    };
    let digest = sha256(&canonical(&Json::Object(map.clone())));
    map.insert("digest".into(), Json::from(digest));
    serde_json::to_string_pretty(&Json::Object(map))
        .map(|text| text + "\n")
        .map_err(|e| e.to_string())
}

/// Reads a plan file's text: whole, a plan, from this tccert, unedited.
pub fn parse(text: &str) -> Result<SavedPlan, PlanFileError> {
    let value: Json =
        serde_json::from_str(text).map_err(|e| PlanFileError::NotJson(e.to_string()))?;
    let Json::Object(mut map) = value else {
        return Err(PlanFileError::NotAPlan);
    };
    if map.get("format").and_then(Json::as_str) != Some(FORMAT) {
        return Err(PlanFileError::NotAPlan);
    }
    let version = map
        .get("tccert_version")
        .and_then(Json::as_str)
        .unwrap_or("(none)");
    if version != TCCERT_VERSION {
        return Err(PlanFileError::OtherVersion(version.to_string()));
    }
    let Some(Json::String(digest)) = map.remove("digest") else {
        return Err(PlanFileError::Edited);
    };
    if digest != sha256(&canonical(&Json::Object(map.clone()))) {
        return Err(PlanFileError::Edited);
    }
    let plan: SavedPlan = serde_json::from_value(Json::Object(map))
        .map_err(|e| PlanFileError::Malformed(e.to_string()))?;
    if plan.format_version != FORMAT_VERSION {
        return Err(PlanFileError::Malformed(format!(
            "format_version {} (this tccert reads {FORMAT_VERSION})",
            plan.format_version
        )));
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::request::BodyField;

    fn body(fields: &[(&'static str, Json, bool)]) -> Body {
        Body {
            fields: fields
                .iter()
                .map(|(name, value, secret)| BodyField {
                    name,
                    value: value.clone(),
                    secret: *secret,
                })
                .collect(),
        }
    }

    fn plan() -> SavedPlan {
        SavedPlan {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            tccert_version: TCCERT_VERSION.into(),
            endpoint: Some("http://127.0.0.1:4000".into()),
            emulator: false,
            account_endpoints: BTreeMap::new(),
            directory: None,
            paths: vec!["manifests/".into()],
            files: vec!["manifests/www.yaml".into()],
            api: None,
            commit: false,
            resubmit: vec![],
            target: vec!["w*".into()],
            deep: false,
            allow_purchase: false,
            restart: Vec::new(),
            certificates: vec![PlannedCertificate {
                name: "www".into(),
                file: "manifests/www.yaml".into(),
                actions: vec!["SubmitCertificateInformation".into()],
                status: Some(5),
                body_digest: sha256("b"),
                live_digest: sha256("l"),
                account: None,
            }],
            drift: vec![],
        }
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level_and_has_no_whitespace() {
        let a = json!({"b": 1, "a": {"d": [1, {"z": null, "y": "x\"y"}], "c": true}});
        let b = json!({"a": {"c": true, "d": [1, {"y": "x\"y", "z": null}]}, "b": 1});
        assert_eq!(canonical(&a), canonical(&b));
        assert_eq!(
            canonical(&a),
            r#"{"a":{"c":true,"d":[1,{"y":"x\"y","z":null}]},"b":1}"#
        );
        // Arrays keep their order: it is part of the value.
        assert_ne!(canonical(&json!([1, 2])), canonical(&json!([2, 1])));
    }

    #[test]
    fn sha256_is_the_known_answer() {
        // echo -n abc | sha256sum
        assert_eq!(
            sha256("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_body_digest_ignores_secret_values_but_not_names_or_other_values() {
        let order = body(&[("CertId", json!("abc"), false)]);
        let with = |password: &str, org: &str| {
            body(&[
                ("OrganizationName", json!(org), false),
                ("KeyPassword", json!(password), true),
            ])
        };
        let action = Action::SubmitCertificateInformation;
        let one = body_digest(action, &with("pw-1", "Acme"), &order);
        assert_eq!(one, body_digest(action, &with("pw-2", "Acme"), &order));
        assert_ne!(one, body_digest(action, &with("pw-1", "Other"), &order));
        let without = body(&[("OrganizationName", json!("Acme"), false)]);
        assert_ne!(one, body_digest(action, &without, &order));
        assert_ne!(
            one,
            body_digest(Action::CertificateInfoSubmit, &with("pw-1", "Acme"), &order)
        );
        let verify = body(&[
            ("CertId", json!("abc"), false),
            ("VerifyType", json!("DNS"), false),
        ]);
        assert_ne!(one, body_digest(action, &with("pw-1", "Acme"), &verify));
    }

    #[test]
    fn the_live_digest_masks_key_passwords_and_fields_set_from_secrets() {
        let desired = body(&[
            ("OrganizationName", json!("Acme"), false),
            ("AdminEmail", json!("from-env@acme.example"), true),
        ]);
        let live = |data: Json| Live {
            status: 5,
            status_message: None,
            submitted: data.as_object().cloned(),
        };
        let base = live_digest(
            &live(json!({"OrganizationName": "Acme", "AdminEmail": "a@x", "KeyPassword": "p1"})),
            &desired,
        );
        assert_eq!(
            base,
            live_digest(
                &live(
                    json!({"KeyPassword": "p2", "AdminEmail": "b@x", "OrganizationName": "Acme"})
                ),
                &desired
            )
        );
        assert_ne!(
            base,
            live_digest(
                &live(
                    json!({"OrganizationName": "Moved", "AdminEmail": "a@x", "KeyPassword": "p1"})
                ),
                &desired
            )
        );
        let other_status = Live {
            status: 0,
            ..live(json!({"OrganizationName": "Acme", "AdminEmail": "a@x", "KeyPassword": "p1"}))
        };
        assert_ne!(base, live_digest(&other_status, &desired));
        assert_ne!(base, live_digest(&live(json!(null)), &desired));
        // What is hashed holds the marker, not the values.
        let expected = canonical(&json!({
            "Status": 5,
            "SubmittedData": {"OrganizationName": "Acme", "AdminEmail": MARKER, "KeyPassword": MARKER},
        }));
        assert_eq!(base, sha256(&expected));
    }

    #[test]
    fn a_written_plan_reads_back() {
        let text = to_text(&plan()).unwrap();
        assert!(text.contains("\"digest\": \"sha256:"));
        assert_eq!(parse(&text), Ok(plan()));
    }

    #[test]
    fn truncated_edited_foreign_and_other_version_files_are_refused() {
        let text = to_text(&plan()).unwrap();
        assert!(matches!(
            parse(&text[..text.len() / 2]),
            Err(PlanFileError::NotJson(_))
        ));
        assert!(matches!(parse(""), Err(PlanFileError::NotJson(_))));
        assert_eq!(
            parse(&text.replace("\"status\": 5", "\"status\": 0")),
            Err(PlanFileError::Edited)
        );
        assert_eq!(parse(&text.replace("w*", "*")), Err(PlanFileError::Edited));
        let no_digest: Json = serde_json::from_str(&text).unwrap();
        let mut no_digest = no_digest.as_object().unwrap().clone();
        no_digest.remove("digest");
        assert_eq!(
            parse(&Json::Object(no_digest).to_string()),
            Err(PlanFileError::Edited)
        );
        assert_eq!(parse("[1]"), Err(PlanFileError::NotAPlan));
        assert_eq!(
            parse(r#"{"format": "other"}"#),
            Err(PlanFileError::NotAPlan)
        );
        let old = SavedPlan {
            tccert_version: "0.0.1".into(),
            ..plan()
        };
        assert_eq!(
            parse(&to_text(&old).unwrap()),
            Err(PlanFileError::OtherVersion("0.0.1".into()))
        );
        // A field this format does not have, with a digest that matches.
        let mut extra = serde_json::to_value(plan()).unwrap();
        extra["surprise"] = json!(1);
        let digest = sha256(&canonical(&extra));
        extra["digest"] = json!(digest);
        assert!(matches!(
            parse(&extra.to_string()),
            Err(PlanFileError::Malformed(_))
        ));
    }

    /// Two certificates (`a`, `b`) validated from memory; `b_extra` is
    /// appended to `b`'s manifest.
    fn certificates(b_extra: &str) -> Vec<(Certificate, PathBuf)> {
        use crate::manifest::testing::{PROFILE, certificate, files};
        let a = certificate("a", "id-a", "");
        let b = certificate("b", "id-b", b_extra);
        let (fs, paths) = files(&[("p.yaml", PROFILE), ("a.yaml", &a), ("b.yaml", &b)]);
        let checked = crate::pipeline::load_and_validate(
            &paths,
            &fs,
            &crate::system::MapEnvironment::default(),
            crate::manifest::load::Budget::default(),
            crate::validate::Options::default(),
        );
        let (_, diagnostics, valid) = checked.into_parts();
        let valid = valid.unwrap_or_else(|| panic!("{diagnostics:?}"));
        valid
            .certificates
            .into_iter()
            .map(|c| {
                let file = PathBuf::from(format!("{}.yaml", c.name));
                (c, file)
            })
            .collect()
    }

    #[test]
    fn a_changed_body_makes_every_planned_certificate_stale_unread() {
        let planned = certificates("");
        let expected: BTreeMap<String, Expected> = planned
            .iter()
            .map(|(c, _)| {
                let digests = Digests {
                    body: certificate_body_digest(c),
                    live: sha256("live"),
                };
                let actions = vec!["SubmitCertificateInformation".to_string()];
                (
                    c.name.clone(),
                    Expected {
                        actions,
                        status: Some(5),
                        digests,
                    },
                )
            })
            .collect();
        assert_eq!(changed_bodies(&expected, &planned), None);
        // `commit: true` changes no body; a verify type changes the order's.
        assert_eq!(
            changed_bodies(&expected, &certificates("commit: true\n")),
            None
        );
        let reports = changed_bodies(&expected, &certificates("verify_type: FILE\n"))
            .expect("b's order body changed");
        let outcomes: Vec<_> = reports
            .iter()
            .map(|r| (r.name.as_str(), r.outcome))
            .collect();
        assert_eq!(outcomes, [("a", Outcome::Stale), ("b", Outcome::Stale)]);
        assert!(reports.iter().all(|r| r.status.is_none()));
        assert_eq!(reports[1].notes, [BODY_CHANGED]);
        assert!(reports[0].notes[0].contains("the manifests of b changed"));
        assert_eq!(reports[0].file, PathBuf::from("a.yaml"));
        // Only planned certificates count: `a` unplanned, `b` as planned.
        let only_b: BTreeMap<String, Expected> = expected
            .into_iter()
            .filter(|(name, _)| name == "b")
            .collect();
        assert_eq!(changed_bodies(&only_b, &planned), None);
    }

    #[test]
    fn stale_reasons_name_what_moved() {
        let expected = Expected::from_planned(&plan().certificates[0]);
        let same = expected.digests.clone();
        let submit = [Action::SubmitCertificateInformation];
        assert_eq!(expected.stale_reason(&same, 5, &submit), None);
        let body = Digests {
            body: sha256("other"),
            ..same.clone()
        };
        assert!(
            expected
                .stale_reason(&body, 5, &submit)
                .is_some_and(|w| w.contains("manifests changed"))
        );
        assert!(
            expected
                .stale_reason(&same, 0, &submit)
                .is_some_and(|w| w.contains("status is 0"))
        );
        let live = Digests {
            live: sha256("other"),
            ..same.clone()
        };
        assert!(
            expected
                .stale_reason(&live, 5, &submit)
                .is_some_and(|w| w.contains("SubmittedData changed"))
        );
        let more = [
            Action::SubmitCertificateInformation,
            Action::CertificateOrderSubmit,
        ];
        assert!(
            expected
                .stale_reason(&same, 5, &more)
                .is_some_and(|w| w.contains("CertificateOrderSubmit"))
        );
    }
}

/// `path` relative to `directory` when it is inside it (`.` for the
/// directory itself); any other path as it is. A saved plan keeps its paths
/// so, to be applied from another checkout of the same tree.
pub fn relative_to(directory: &std::path::Path, path: &std::path::Path) -> PathBuf {
    match path.strip_prefix(directory) {
        Ok(rest) if rest.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rest) => rest.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

#[cfg(test)]
mod relative_tests {
    use super::relative_to;
    use std::path::{Path, PathBuf};

    #[test]
    fn paths_inside_the_directory_become_relative_others_stay() {
        let dir = Path::new("/ci/job/repo");
        assert_eq!(
            relative_to(dir, Path::new("/ci/job/repo/manifests/www.yaml")),
            PathBuf::from("manifests/www.yaml")
        );
        assert_eq!(
            relative_to(dir, Path::new("/ci/job/repo")),
            PathBuf::from(".")
        );
        assert_eq!(
            relative_to(dir, Path::new("manifests")),
            PathBuf::from("manifests")
        );
        assert_eq!(
            relative_to(dir, Path::new("/etc/tccert/csr.pem")),
            PathBuf::from("/etc/tccert/csr.pem")
        );
        assert_eq!(
            relative_to(dir, Path::new("/ci/job/repository/x")),
            PathBuf::from("/ci/job/repository/x")
        );
    }
}
