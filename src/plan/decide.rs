//! The decision for one certificate, pure: the table of docs/cli.md
//! "Reconciling one certificate" over the live state and the desired body,
//! and the notes on what the comparison cannot see.

use serde_json::{Map, Value as Json};

use crate::api::error::CallError;
use crate::api::reply::CertificateDetail;
use crate::api::request::{Body, comparable_fields, legacy_name};
use crate::api::status::{
    self, BEING_REISSUED, DNS_RECORD_ADDED, INFO_SUBMITTED, PENDING_SUBMISSION, REVIEW_FAILED,
    UNDER_REVIEW,
};
use crate::certificate::{Api, Certificate};

/// The live state that matters, from `DescribeCertificateDetail`.
#[derive(Clone, Debug, PartialEq)]
pub struct Live {
    pub status: u64,
    pub status_message: Option<String>,
    pub submitted: Option<Map<String, Json>>,
}

impl Live {
    pub fn from_response(response: &Map<String, Json>) -> Result<Self, CallError> {
        let detail = CertificateDetail::from_response(response);
        let status = detail.status.ok_or_else(|| {
            CallError::Decode("DescribeCertificateDetail answered without a Status".into())
        })?;
        Ok(Self {
            status,
            status_message: detail.status_message,
            submitted: detail.submitted,
        })
    }
}

/// The statuses whose certificates need their `DescribeCertificateDetail`
/// after the bulk list (docs/cli.md, "Reading a fleet in bulk"): pending
/// information (5, where apply may write), with the CA (0, 4, 8, 11, where
/// `SubmittedData` is compared) and review failed (2, whose `StatusMsg`
/// says why). Issued (1) and the statuses nothing can be done in are decided
/// from the list alone.
pub fn needs_detail(status: u64) -> bool {
    matches!(
        status,
        PENDING_SUBMISSION
            | UNDER_REVIEW
            | DNS_RECORD_ADDED
            | INFO_SUBMITTED
            | REVIEW_FAILED
            | BEING_REISSUED
    )
}

/// The note of an issued certificate decided from the list (no `--deep`).
pub const ISSUED_NOT_COMPARED: &str = "issued: information not compared";

/// A `DescribeCertificates` page, typed where the read's reply is
/// (`api/reply.rs`).
pub use crate::api::reply::{ListItem, list_page};

/// What to do about one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Status 5 and the live data differs: submit (then commit, if asked).
    Submit {
        commit: bool,
    },
    /// Status 5, data in place, commit asked: only the order.
    Commit,
    InSync {
        note: Option<String>,
    },
    Drift {
        fields: Vec<&'static str>,
    },
    Failed {
        message: String,
    },
    Skipped {
        warning: String,
    },
}

/// The API fields whose live value differs from what would be sent.
/// `desired` holds `SubmittedData`'s (the old API's) names: for a
/// `CertificateInfoSubmit` certificate, [`submitted_view`] of its body.
/// `IsDV` is not compared (SubmittedData does not return it); an empty
/// `DomainList` (`[]`, `[""]`, null) reads the same as none; `KeyPassword` is
/// compared by name only (never shown), and a live one that is null or empty
/// cannot be compared ([`comparison_notes`] says so) rather than differing.
pub fn differences(submitted: Option<&Map<String, Json>>, desired: &Body) -> Vec<&'static str> {
    let empty = Map::new();
    let live = submitted.unwrap_or(&empty);
    comparable_fields(desired)
        .filter(|field| {
            let current = live.get(field.name);
            match field.name {
                "DomainList" => domain_list(current) != domain_list(Some(&field.value)),
                "KeyPassword" => current
                    .and_then(Json::as_str)
                    .filter(|live| !live.is_empty())
                    .is_some_and(|live| Some(live) != field.value.as_str()),
                _ => current.and_then(Json::as_str) != field.value.as_str(),
            }
        })
        .map(|field| field.name)
        .collect()
}

fn domain_list(value: Option<&Json>) -> Vec<String> {
    let mut list: Vec<String> = value
        .and_then(Json::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Json::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    list.sort();
    list
}

/// True when SubmittedData carries nothing to compare (null, or every field
/// empty), as the API may return once a certificate is issued.
fn is_blank(submitted: Option<&Map<String, Json>>) -> bool {
    submitted.is_none_or(|data| {
        data.values().all(|v| match v {
            Json::Null => true,
            Json::String(s) => s.is_empty(),
            Json::Array(items) => items.iter().all(|i| i.as_str().is_none_or(str::is_empty)),
            _ => false,
        })
    })
}

/// The reconcile table of docs/cli.md ("Reconciling one certificate").
pub fn decide(live: &Live, desired: &Body, commit: bool) -> Decision {
    match live.status {
        PENDING_SUBMISSION => {
            let differ = differences(live.submitted.as_ref(), desired);
            match (differ.is_empty(), commit) {
                (false, commit) => Decision::Submit { commit },
                (true, true) => Decision::Commit,
                (true, false) => Decision::InSync { note: None },
            }
        }
        0 | 1 | 4 | 8 | 11 => {
            if is_blank(live.submitted.as_ref()) {
                return Decision::InSync {
                    note: Some(format!(
                        "status {}: the API no longer returns the submitted information, so it cannot be compared",
                        live.status
                    )),
                };
            }
            let fields = differences(live.submitted.as_ref(), desired);
            if fields.is_empty() {
                Decision::InSync { note: None }
            } else {
                Decision::Drift { fields }
            }
        }
        2 => Decision::Failed {
            message: format!(
                "review failed (status 2){}",
                live.status_message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
        },
        status => Decision::Skipped {
            warning: format!(
                "status {status} ({}): nothing to do",
                status::short_name(status)
            ),
        },
    }
}

/// Notes on what the comparison could not see: a `KeyPassword` the manifest
/// sets that the live data does not echo (null or empty).
pub(super) fn comparison_notes(live: &Live, desired: &Body) -> Option<String> {
    let sets_password = desired.fields.iter().any(|f| f.name == "KeyPassword");
    let live_password = live
        .submitted
        .as_ref()
        .and_then(|data| data.get("KeyPassword"))
        .and_then(Json::as_str)
        .filter(|value| !value.is_empty());
    (sets_password && live.submitted.is_some() && live_password.is_none()).then(|| {
        "KeyPassword could not be compared: the live SubmittedData does not show one".to_string()
    })
}

/// What can be done about drift: nothing can be sent while the information
/// is with the CA. Under review (0, 4, 8) the review can be cancelled in the
/// console (the Terraform provider does so, with `CancelAuditCertificate`
/// then `ModifyCertificateResubmit`, at exactly these statuses) and the
/// information sent again; once issued
/// or reissuing (1, 11) only the manifest can move.
pub fn drift_note(status: u64, name: &str) -> String {
    let manifest = "change the manifest back to the live values";
    match status {
        0 | 4 | 8 => format!(
            "the information is with the CA (status {status}, {}), so nothing can be sent: {manifest}, or apply with --restart {name} to cancel the review, resubmit and submit the information again",
            status::short_name(status)
        ),
        _ => format!(
            "the information is with the CA (status {status}, {}) and can no longer be changed for this certificate: {manifest}",
            status::short_name(status)
        ),
    }
}

/// The fields sent that `SubmittedData` cannot show, so a change to them is
/// never seen: said whenever the information is not about to be sent.
pub(super) fn unverifiable_note(certificate: &Certificate, body: &Body) -> Option<String> {
    let fields = unverifiable_fields(certificate, body);
    (!fields.is_empty()).then(|| {
        format!(
            "{} cannot be verified (SubmittedData does not show {}); `apply --resubmit {}` sends them at status 5",
            fields.join(", "),
            if fields.len() == 1 { "it" } else { "them" },
            certificate.name
        )
    })
}

/// The sent fields without a `SubmittedData` name, less `CompanyId` and
/// `ManagerId` at their "none" value `0`, which the certificate does not set.
pub fn unverifiable_fields(certificate: &Certificate, body: &Body) -> Vec<&'static str> {
    if certificate.api != Api::CertificateInfoSubmit {
        return Vec::new();
    }
    body.fields
        .iter()
        .filter(|f| legacy_name(f.name).is_none())
        .filter(|f| !(matches!(f.name, "CompanyId" | "ManagerId") && f.value == "0"))
        .map(|f| f.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(fields: &[(&'static str, Json)]) -> Body {
        Body {
            fields: fields
                .iter()
                .map(|(n, v)| crate::api::request::BodyField {
                    name: n,
                    value: v.clone(),
                    secret: false,
                })
                .collect(),
        }
    }

    fn live(status: u64, submitted: Option<Json>) -> Live {
        Live {
            status,
            status_message: Some("CA-REVIEWING".into()),
            submitted: submitted.and_then(|s| s.as_object().cloned()),
        }
    }

    #[test]
    fn pending_certificates_are_submitted_unless_equal() {
        let desired = body(&[
            ("CertificateId", json!("a")),
            ("OrganizationName", json!("Acme")),
            ("KeyPassword", json!("x")),
        ]);
        assert_eq!(
            decide(&live(5, None), &desired, false),
            Decision::Submit { commit: false }
        );
        assert_eq!(
            decide(&live(5, None), &desired, true),
            Decision::Submit { commit: true }
        );
        let same = Some(json!({"OrganizationName": "Acme", "PostalCode": "518000"}));
        assert_eq!(
            decide(&live(5, same.clone()), &desired, false),
            Decision::InSync { note: None }
        );
        assert_eq!(decide(&live(5, same), &desired, true), Decision::Commit);
    }

    #[test]
    fn submitted_certificates_are_compared_for_drift() {
        let desired = body(&[
            ("OrganizationName", json!("Acme")),
            ("DomainList", json!(["b.example", "a.example"])),
        ]);
        let same = json!({"OrganizationName": "Acme", "DomainList": ["a.example", "b.example"]});
        assert_eq!(
            decide(&live(8, Some(same)), &desired, false),
            Decision::InSync { note: None }
        );
        let changed = json!({"OrganizationName": "Other", "DomainList": ["a.example"]});
        assert_eq!(
            decide(&live(0, Some(changed)), &desired, false),
            Decision::Drift {
                fields: vec!["OrganizationName", "DomainList"]
            }
        );
        assert!(matches!(
            decide(&live(1, None), &desired, false),
            Decision::InSync { note: Some(_) }
        ));
        assert!(matches!(
            decide(
                &live(1, Some(json!({"OrganizationName": "", "DomainList": [""]}))),
                &desired,
                false
            ),
            Decision::InSync { note: Some(_) }
        ));
        // Null fields, as the API returns them once a certificate is issued.
        assert!(matches!(
            decide(
                &live(
                    1,
                    Some(json!({"OrganizationName": null, "DomainList": null}))
                ),
                &desired,
                false
            ),
            Decision::InSync { note: Some(_) }
        ));
        // One real value is enough to compare.
        assert!(matches!(
            decide(
                &live(
                    1,
                    Some(json!({"OrganizationName": null, "CsrType": "online"}))
                ),
                &desired,
                false
            ),
            Decision::Drift { .. }
        ));
    }

    #[test]
    fn key_passwords_are_compared_but_a_missing_live_one_is_only_a_note() {
        let desired = body(&[
            ("OrganizationName", json!("Acme")),
            ("KeyPassword", json!("pw")),
        ]);
        let same = json!({"OrganizationName": "Acme", "KeyPassword": "pw"});
        assert!(differences(same.as_object(), &desired).is_empty());
        let other = json!({"OrganizationName": "Acme", "KeyPassword": "old"});
        assert_eq!(differences(other.as_object(), &desired), ["KeyPassword"]);
        for missing in [json!(null), json!("")] {
            let data = json!({"OrganizationName": "Acme", "KeyPassword": missing});
            assert!(differences(data.as_object(), &desired).is_empty());
            let note = comparison_notes(&live(5, Some(data)), &desired);
            assert!(note.is_some_and(|n| n.contains("KeyPassword could not be compared")));
        }
        let absent = live(5, Some(json!({"OrganizationName": "Acme"})));
        assert!(comparison_notes(&absent, &desired).is_some());
        // Nothing to say when the manifest sets none, or the live one is there.
        let without = body(&[("OrganizationName", json!("Acme"))]);
        assert!(comparison_notes(&absent, &without).is_none());
        assert!(comparison_notes(&live(5, Some(same)), &desired).is_none());
        // A first submission has nothing live to compare: no note either.
        assert!(comparison_notes(&live(5, None), &desired).is_none());
    }

    #[test]
    fn drift_says_what_can_be_done() {
        for status in [0, 4, 8] {
            let note = drift_note(status, "www");
            assert!(note.contains("cancel the review"), "{note}");
            assert!(note.contains("--restart www"), "{note}");
            assert!(note.contains("change the manifest back"), "{note}");
        }
        for status in [1, 11] {
            let note = drift_note(status, "www");
            assert!(!note.contains("cancel"), "{note}");
            assert!(note.contains("change the manifest back"), "{note}");
        }
    }

    #[test]
    fn empty_domain_lists_read_as_none() {
        let desired = body(&[("OrganizationName", json!("Acme"))]);
        let live_data = json!({"OrganizationName": "Acme", "DomainList": [""]});
        assert!(differences(live_data.as_object(), &desired).is_empty());
    }

    #[test]
    fn only_statuses_that_can_be_written_compared_or_explained_need_a_detail_read() {
        let needed: Vec<u64> = (0..=16).filter(|s| needs_detail(*s)).collect();
        assert_eq!(needed, [0, 2, 4, 5, 8, 11]);
    }

    #[test]
    fn list_pages_are_read_by_the_official_names() {
        let reply = json!({"TotalCount": 2, "Certificates": [
            {"CertificateId": "a", "Status": 1, "StatusMsg": ""},
            {"CertificateId": "b", "Status": 2, "StatusMsg": "REJECTED", "Domain": "x"}
        ], "RequestId": "r"});
        let (total, items) = list_page(reply.as_object().unwrap()).unwrap();
        assert_eq!(total, 2);
        assert_eq!(items[0].status_message, None);
        assert_eq!(
            items[1],
            ListItem {
                certificate_id: "b".into(),
                status: 2,
                status_message: Some("REJECTED".into())
            }
        );
        for bad in [
            json!({"Certificates": []}),
            json!({"TotalCount": 1}),
            json!({"TotalCount": 1, "Certificates": [{"CertificateId": "a"}]}),
            json!({"TotalCount": 1, "Certificates": [{"Status": 1}]}),
        ] {
            assert!(list_page(bad.as_object().unwrap()).is_err(), "{bad}");
        }
    }

    #[test]
    fn other_statuses_fail_or_skip() {
        let desired = body(&[]);
        assert!(
            matches!(decide(&live(2, None), &desired, false), Decision::Failed { message } if message.contains("CA-REVIEWING"))
        );
        for status in [3, 6, 7, 9, 10, 12, 13, 14, 15] {
            assert!(
                matches!(
                    decide(&live(status, None), &desired, false),
                    Decision::Skipped { .. }
                ),
                "{status}"
            );
        }
    }
}
