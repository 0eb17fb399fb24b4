//! What each emulated action of the SSL API 2019-12-05 does to the
//! emulator's state (the certificate status machine). The parameter tables
//! and request checks are in [`super::params`], the call's types in
//! [`super::call`] (both re-exported here).
//!
//! Everything here is synchronous and pure over a [`StateSnapshot`], so the
//! business rules are tested without a server. Parameter names and types are
//! those of docs/api.md §3 ("The actions").
//!
//! `CertificateInfoSubmit` stores what it is given into `SubmittedData` under
//! the old names (docs/api.md §3, the name mapping), so `DescribeCertificateDetail` returns it the same
//! way whichever submit action wrote it. The mapping here is the emulator's
//! own, written from the reference, not tccert's, so that a mistake on
//! either side shows in the integration tests.

use serde_json::{Map, Value, json};

pub use super::call::{ApiError, Caller, Executed, Param, ParamType};
#[allow(clippy::wildcard_imports)]
use super::params::*;
pub use super::params::{
    LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT, beijing_time, certificate_param, check_params, params,
};
use super::state::{CertificateState, StateSnapshot};
use crate::api::action::Action;
use crate::api::status::{self, Language, PENDING_SUBMISSION};
/// Counts a well-formed request against the certificate it names (if known),
/// before faults or business rules decide its fate.
pub fn note_received(state: &mut StateSnapshot, action: Action, certificate_id: &str) {
    if let Some(cert) = state.certificates.get_mut(certificate_id) {
        let counter = match action {
            Action::DescribeCertificateDetail => &mut cert.describes,
            Action::SubmitCertificateInformation => &mut cert.submits_received,
            Action::CertificateOrderSubmit => &mut cert.order_submits_received,
            Action::CertificateInfoSubmit => &mut cert.info_submits_received,
            // Names no certificate; counted in `requests_by_action` only.
            Action::DescribeCertificates | Action::CreateCertificate => return,
            other => {
                super::lifecycle::note_received(cert, other);
                return;
            }
        };
        *counter = counter.saturating_add(1);
    }
}

/// Carries an action out on the state at `now_ms` (Unix milliseconds, the
/// emulator's clock) for the caller `owner` (the account of the key pair
/// that signed; `None`: the default pairs). `body` must have passed
/// [`check_params`]; the server has refused a request naming another
/// owner's certificate already.
pub fn execute(
    state: &mut StateSnapshot,
    action: Action,
    body: &Map<String, Value>,
    caller: Caller<'_>,
) -> Result<Executed, ApiError> {
    let Caller {
        owner,
        language,
        now_ms,
    } = caller;
    if action == Action::DescribeCertificates {
        return Ok(Executed {
            response: list(state, body, owner, language),
            changed: false,
        });
    }
    let id = body
        .get(certificate_param(action))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let next_order_id = state.next_order_id();
    let cert = state.certificates.get_mut(id).ok_or_else(|| {
        ApiError::new(
            "FailedOperation.CertificateNotFound",
            "The certificate does not exist.",
        )
    })?;
    match action {
        Action::DescribeCertificateDetail => Ok(Executed {
            response: describe(cert, language),
            changed: false,
        }),
        Action::SubmitCertificateInformation => {
            if cert.status != PENDING_SUBMISSION {
                return Err(ApiError::new(
                    "FailedOperation.InvalidCertificateStatusCode",
                    format!(
                        "The certificate status is incorrect (status {}: {}).",
                        cert.status,
                        status::api_name(cert.status, Language::EnUs)
                    ),
                ));
            }
            let mut data = body.clone();
            data.shift_remove("CertificateId");
            cert.is_dv = data.shift_remove("IsDV").and_then(|v| v.as_bool()) == Some(true);
            if cert.purchase.is_some()
                && let Some(domain) = data.get("CertificateDomain").and_then(Value::as_str)
            {
                // A bought certificate takes its domain from the submit.
                domain.clone_into(&mut cert.domain);
            }
            cert.submitted_data = Some(data);
            cert.submitted_by = Some(action.name().to_owned());
            cert.successor_params = None;
            cert.submits_applied = cert.submits_applied.saturating_add(1);
            let mut response = Map::new();
            response.insert("CertificateId".into(), Value::String(id.to_owned()));
            Ok(Executed {
                response,
                changed: true,
            })
        }
        Action::CertificateInfoSubmit => {
            if cert.status != PENDING_SUBMISSION {
                return Err(ApiError::new(
                    "FailedOperation.CertificateInfoSubmitStatusInvalid",
                    format!(
                        "The current certificate status does not allow submitting information \
                         (status {}: {}).",
                        cert.status,
                        status::api_name(cert.status, Language::EnUs)
                    ),
                ));
            }
            cert.submitted_data = Some(submitted_data_of(body));
            if cert.purchase.is_some()
                && let Some(domain) = body.get("CertCommonName").and_then(Value::as_str)
            {
                domain.clone_into(&mut cert.domain);
            }
            cert.submitted_by = Some(action.name().to_owned());
            cert.successor_params = Some(successor_only_params(body));
            cert.info_submits_applied = cert.info_submits_applied.saturating_add(1);
            // The reply holds only the RequestId (docs/api.md §3).
            Ok(Executed {
                response: Map::new(),
                changed: true,
            })
        }
        Action::DescribeCertificates => Err(ApiError::new("InternalError", "listed above")),
        Action::CertificateOrderSubmit => {
            if cert.status != PENDING_SUBMISSION || cert.submitted_data.is_none() {
                return Err(ApiError::new(
                    "FailedOperation.CertificateInfoSubmitStatusInvalid",
                    format!(
                        "The current certificate status does not allow submitting the order \
                         (status {}, information {}).",
                        cert.status,
                        if cert.submitted_data.is_some() {
                            "submitted"
                        } else {
                            "not submitted"
                        }
                    ),
                ));
            }
            cert.status = super::lifecycle::status_after_order(cert);
            cert.order_id = Some(next_order_id.clone());
            cert.ordered_at_ms = Some(now_ms);
            if let Some(verify_type) = body.get("VerifyType").and_then(Value::as_str) {
                cert.order_verify_type = Some(verify_type.to_owned());
            }
            cert.order_submits_applied = cert.order_submits_applied.saturating_add(1);
            let response = json!({
                "OrderId": next_order_id,
                "Status": cert.status,
                "IsAudited": false,
            });
            Ok(Executed {
                response: response.as_object().cloned().unwrap_or_default(),
                changed: true,
            })
        }
        _ => Err(ApiError::new(
            "InternalError",
            "a lifecycle action (emulator::lifecycle)",
        )),
    }
}

/// The `DescribeCertificateDetail` response of a certificate (docs/api.md §3): the
/// fields tccert reads plus the other common ones, with plausible values.
fn describe(cert: &CertificateState, language: Language) -> Map<String, Value> {
    let submitted = cert.submitted_data.as_ref();
    let domain_list: Vec<String> = submitted
        .and_then(|d| d.get("DomainList"))
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .filter(|d| !d.is_empty() && *d != cert.domain)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let verify_type = cert
        .order_verify_type
        .clone()
        .or_else(|| {
            submitted
                .and_then(|d| d.get("VerifyType"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .map_or(Value::Null, Value::String);
    let dv_auth = dv_auth_detail(cert);
    let status_msg = match cert.status {
        _ if !dv_auth.is_null() => Value::String("PENDING-DCV".into()),
        0 => Value::String("PRE-REVIEWING".into()),
        _ => Value::Null,
    };
    let company_type = cert
        .successor_params
        .as_ref()
        .and_then(|p| p.get("CompanyType"))
        .and_then(Value::as_u64)
        .unwrap_or(2);
    let domain_type = match (cert.domain.starts_with("*."), domain_list.is_empty()) {
        (false, true) => 1,
        (false, false) => 2,
        (true, true) => 3,
        (true, false) => 4,
    };
    let (package_type, product_name, is_dv, is_wildcard) = super::lifecycle::product_fields(cert)
        .unwrap_or_else(|| {
            (
                "14".to_owned(),
                "TrustAsia OV SSL".to_owned(),
                cert.is_dv,
                cert.domain.starts_with("*."),
            )
        });
    let mut response = json!({
        "OwnerUin": "100000000001",
        "ProjectId": "0",
        "From": "trustasia",
        "CertificateType": "SVR",
        "PackageType": package_type,
        "ProductZhName": product_name,
        "Domain": cert.domain,
        "Alias": "",
        "Status": cert.status,
        "StatusMsg": status_msg,
        "VerifyType": verify_type,
        "VulnerabilityStatus": "INACTIVE",
        "CertBeginTime": null,
        "CertEndTime": null,
        "ValidityPeriod": cert
            .purchase
            .as_ref()
            .map_or(12, |p| 12 * p.time_span.max(1))
            .to_string(),
        "InsertTime": beijing_time(cert.inserted_at),
        "OrderId": cert.order_id,
        "CertificateExtra": {
            "DomainNumber": cert
                .purchase
                .as_ref()
                .map_or(domain_list.len() as u64 + 1, |p| p.domain_num)
                .to_string(),
            "OriginCertificateId": null,
            "ReplacedBy": null,
            "ReplacedFor": null,
            "RenewOrder": null,
            "SMCert": 0,
            "CompanyType": company_type,
        },
        "CertificatePrivateKey": null,
        "CertificatePublicKey": null,
        "DvAuthDetail": dv_auth,
        "VulnerabilityReport": null,
        "CertificateId": cert.certificate_id,
        "TypeName": product_name,
        "StatusName": status::api_name(cert.status, language),
        "SubjectAltName": domain_list,
        "IsVip": true,
        "IsWildcard": is_wildcard,
        "IsDv": is_dv,
        "IsVulnerability": false,
        "SubmittedData": cert.submitted_data,
        "RenewAble": false,
        "Deployable": false,
        "Tags": super::lifecycle::tags_json(cert),
        "RootCert": null,
        "EncryptCert": null,
        "EncryptPrivateKey": null,
        "CertFingerprint": null,
        "EncryptCertFingerprint": null,
        "EncryptAlgorithm": "RSA",
        "DvRevokeAuthDetail": null,
        "CertChainInfo": null,
        "DomainType": domain_type,
        "CertType": if is_dv { "DV" } else { "OV" },
    });
    if let Some(issued) = cert.issued_at_ms {
        let begin = issued / 1000;
        let years = cert.purchase.as_ref().map_or(1, |p| p.time_span.max(1));
        let end = begin.saturating_add(i64::try_from(years).unwrap_or(1) * 365 * 86_400);
        response["CertBeginTime"] = json!(beijing_time(begin));
        response["CertEndTime"] = json!(beijing_time(end));
    }
    response.as_object().cloned().unwrap_or_default()
}

/// The certificate's names: its domain, then the `DomainList` submitted.
fn names_of(cert: &CertificateState) -> Vec<String> {
    // A bought certificate has no domain until its first submit.
    let mut names: Vec<String> = Some(cert.domain.clone())
        .filter(|d| !d.is_empty())
        .into_iter()
        .collect();
    let listed = cert
        .submitted_data
        .as_ref()
        .and_then(|d| d.get("DomainList"))
        .and_then(Value::as_array);
    for name in listed.into_iter().flatten().filter_map(Value::as_str) {
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// A stable token for a validation record: the same certificate and name
/// always get the same value (FNV-1a, so snapshots stay put).
fn dv_token(certificate_id: &str, name: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in certificate_id.bytes().chain([0]).chain(name.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("2025120500000{hash:016x}")
}

/// `DvAuthDetail` (docs/api.md, "DescribeCertificateDetail"): the records the
/// CA wants while an ordered certificate waits for domain validation; `null`
/// otherwise. One `DvAuths` entry per name; the top-level fields repeat the
/// first, as the API does. DNS (`DNS`, `DNS_AUTO`, or no `VerifyType`) asks
/// for a TXT record `_dnsauth` under the name's parent zone (the last two
/// labels: the emulator knows no public-suffix list); `FILE` for a file under
/// `/.well-known/pki-validation/` on the name itself.
fn dv_auth_detail(cert: &CertificateState) -> Value {
    if cert.order_id.is_none() || !super::state::waits_for_validation(cert.status) {
        return Value::Null;
    }
    let verify_type = cert.order_verify_type.clone().or_else(|| {
        cert.submitted_data
            .as_ref()
            .and_then(|d| d.get("VerifyType"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let file = verify_type.as_deref() == Some("FILE");
    let auths: Vec<Value> = names_of(cert)
        .iter()
        .map(|name| {
            let bare = name.trim_start_matches("*.");
            let value = dv_token(&cert.certificate_id, bare);
            if file {
                json!({
                    "DvAuthKey": "fileauth.txt",
                    "DvAuthValue": value,
                    "DvAuthDomain": bare,
                    "DvAuthPath": "/.well-known/pki-validation/fileauth.txt",
                    "DvAuthSubDomain": "",
                    "DvAuthVerifyType": "FILE",
                })
            } else {
                let labels: Vec<&str> = bare.split('.').collect();
                let split = labels.len().saturating_sub(2);
                let zone = labels[split..].join(".");
                let host = labels[..split].join(".");
                let record = if host.is_empty() {
                    "_dnsauth".to_owned()
                } else {
                    format!("_dnsauth.{host}")
                };
                json!({
                    "DvAuthKey": record,
                    "DvAuthValue": value,
                    "DvAuthDomain": zone,
                    "DvAuthPath": "",
                    "DvAuthSubDomain": record,
                    "DvAuthVerifyType": "TXT",
                })
            }
        })
        .collect();
    let first = auths.first().cloned().unwrap_or(Value::Null);
    json!({
        "DvAuthKey": first["DvAuthKey"],
        "DvAuthValue": first["DvAuthValue"],
        "DvAuthDomain": first["DvAuthDomain"],
        "DvAuthPath": first["DvAuthPath"],
        "DvAuthKeySubDomain": first["DvAuthSubDomain"],
        "DvAuths": auths,
    })
}

/// `DescribeCertificates`: one page (`Offset`, `Limit`) of the caller's
/// certificates, by id, with `TotalCount`. As on Tencent Cloud, an account
/// lists only what it owns: another owner's certificates are not counted.
fn list(
    state: &StateSnapshot,
    body: &Map<String, Value>,
    owner: Option<&str>,
    language: Language,
) -> Map<String, Value> {
    let offset = body.get("Offset").and_then(Value::as_u64).unwrap_or(0);
    let limit = body
        .get("Limit")
        .and_then(Value::as_u64)
        .unwrap_or(LIST_DEFAULT_LIMIT)
        .min(LIST_MAX_LIMIT);
    let search = body.get("SearchKey").and_then(Value::as_str).unwrap_or("");
    let statuses: Option<Vec<u64>> = body
        .get("CertificateStatus")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_u64).collect());
    let ids: Option<Vec<&str>> = body
        .get("CertIds")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(Value::as_str).collect());
    let tags: &[Value] = body
        .get("Tags")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let mut matching: Vec<&CertificateState> = state
        .certificates
        .values()
        .filter(|cert| {
            cert.owner.as_deref() == owner
                && (search.is_empty()
                    || cert.certificate_id.contains(search)
                    || names_of(cert).iter().any(|n| n.contains(search)))
                && statuses
                    .as_ref()
                    .is_none_or(|s| s.is_empty() || s.contains(&cert.status))
                && ids
                    .as_ref()
                    .is_none_or(|i| i.is_empty() || i.contains(&cert.certificate_id.as_str()))
                && super::lifecycle::has_tags(cert, tags)
        })
        .collect();
    // By end time (the issue time orders them alike); none last either way.
    match body.get("ExpirationSort").and_then(Value::as_str) {
        Some("ASC") => matching.sort_by_key(|c| (c.issued_at_ms.is_none(), c.issued_at_ms)),
        Some("DESC") => {
            matching.sort_by_key(|c| (c.issued_at_ms.is_none(), std::cmp::Reverse(c.issued_at_ms)));
        }
        _ => {}
    }
    let total = matching.len();
    let items: Vec<Value> = matching
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|cert| {
            let detail = describe(cert, language);
            let mut item = Map::new();
            for key in [
                "OwnerUin",
                "ProjectId",
                "From",
                "PackageType",
                "CertificateType",
                "ProductZhName",
                "Domain",
                "Alias",
                "Status",
                "StatusMsg",
                "VerifyType",
                "CertBeginTime",
                "CertEndTime",
                "ValidityPeriod",
                "InsertTime",
                "CertificateId",
                "StatusName",
                "IsVip",
                "IsDv",
                "IsWildcard",
                "CertificateExtra",
                "Deployable",
                "RenewAble",
                "Tags",
            ] {
                item.insert(
                    key.to_owned(),
                    detail.get(key).cloned().unwrap_or(Value::Null),
                );
            }
            // Unlike the detail's, the list's SubjectAltName includes the domain.
            item.insert("SubjectAltName".into(), json!(names_of(cert)));
            item.insert("CertSANs".into(), json!(names_of(cert)));
            item.insert("AwaitingValidationMsg".into(), Value::Null);
            // The list names the product `PackageTypeName` (the detail `TypeName`).
            item.insert(
                "PackageTypeName".into(),
                detail.get("TypeName").cloned().unwrap_or(Value::Null),
            );
            Value::Object(item)
        })
        .collect();
    let mut response = Map::new();
    response.insert("TotalCount".into(), json!(total));
    response.insert("Certificates".into(), Value::Array(items));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_checks_domain_names_by_its_own_rule() {
        for good in ["example.com", "*.example.com", "a-b.example.co", "x1.y2"] {
            assert!(well_formed_domain(good), "{good}");
        }
        for bad in [
            "",
            "example",
            "*.example",
            "a.*.example.com",
            "-a.example.com",
            "a-.example.com",
            "a..example.com",
            "example.com.",
            "exa mple.com",
            "b\u{fc}cher.de",
            "10.0.0.1",
            &format!("{}.com", "a".repeat(64)),
            &format!("{}.com", ["a"; 130].join(".")),
        ] {
            assert!(!well_formed_domain(bad), "{bad}");
        }
    }
    use crate::emulator::state::SeedCertificate;

    fn obj(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn state() -> StateSnapshot {
        let mut state = StateSnapshot::default();
        state.add_seed(
            &[SeedCertificate {
                certificate_id: "abc".into(),
                domain: "www.example.com".into(),
                owner: None,
            }],
            1_700_000_000,
        );
        state
    }

    fn run(state: &mut StateSnapshot, action: Action, body: Value) -> Result<Executed, ApiError> {
        let body = obj(body);
        check_params(action, &body)?;
        execute(state, action, &body, caller(None))
    }

    fn caller(owner: Option<&str>) -> Caller<'_> {
        Caller {
            owner,
            language: Language::EnUs,
            now_ms: 1_700_000_000_000,
        }
    }

    fn code<T>(result: Result<T, ApiError>) -> String {
        result.err().map(|e| e.code).unwrap_or_default()
    }

    #[test]
    fn parameter_checks_in_order_unknown_missing_type() {
        let a = Action::SubmitCertificateInformation;
        assert_eq!(
            code(check_params(a, &obj(json!({"Nope": 1})))),
            "UnknownParameter"
        );
        assert_eq!(
            code(check_params(a, &obj(json!({"OrganizationName": "X"})))),
            "MissingParameter"
        );
        assert_eq!(
            code(check_params(a, &obj(json!({"CertificateId": 5})))),
            "InvalidParameter"
        );
        assert_eq!(
            code(check_params(
                a,
                &obj(json!({"CertificateId": "a", "DomainList": "x"}))
            )),
            "InvalidParameter"
        );
        assert_eq!(
            code(check_params(
                a,
                &obj(json!({"CertificateId": "a", "DomainList": [1]}))
            )),
            "InvalidParameter"
        );
        assert_eq!(
            code(check_params(
                a,
                &obj(json!({"CertificateId": "a", "IsDV": "true"}))
            )),
            "InvalidParameter"
        );
        assert_eq!(
            code(check_params(
                a,
                &obj(json!({"CertificateId": "a", "OrganizationName": null}))
            )),
            "InvalidParameter"
        );
        assert_eq!(
            code(check_params(
                a,
                &obj(json!({"CertificateId": "a", "CsrType": "upload"}))
            )),
            "FailedOperation.InvalidParam"
        );
        assert_eq!(
            check_params(
                a,
                &obj(submit_body(
                    json!({"CertificateId": "a", "DomainList": ["x"], "IsDV": false})
                ))
            ),
            Ok("a".to_owned())
        );
        let o = Action::CertificateOrderSubmit;
        assert_eq!(
            code(check_params(
                o,
                &obj(json!({"CertId": "a", "DeleteDnsAutoRecord": -1}))
            )),
            "InvalidParameter"
        );
        assert_eq!(
            code(check_params(
                o,
                &obj(json!({"CertId": "a", "VerifyType": "EMAIL"}))
            )),
            "FailedOperation.InvalidParam"
        );
        assert_eq!(
            code(check_params(o, &obj(json!({"CertificateId": "a"})))),
            "UnknownParameter"
        );
        assert_eq!(
            check_params(o, &obj(json!({"CertId": "a", "DeleteDnsAutoRecord": 1}))),
            Ok("a".to_owned())
        );
    }

    fn sample(ty: ParamType) -> Value {
        match ty {
            ParamType::String => json!("x"),
            ParamType::StringArray => json!(["x"]),
            ParamType::UIntArray => json!([1]),
            ParamType::Bool => json!(true),
            ParamType::UInt => json!(1),
            ParamType::Int => json!(-1),
            ParamType::TagArray => json!([{"TagKey": "k", "TagValue": "v"}]),
        }
    }

    #[test]
    fn every_documented_submit_field_is_accepted() {
        let mut body = Map::new();
        for param in SUBMIT_PARAMS {
            body.insert(param.name.into(), sample(param.ty));
        }
        body.insert("CsrType".into(), json!("online"));
        body.insert("VerifyType".into(), json!("DNS"));
        assert_eq!(SUBMIT_PARAMS.len(), 27);
        assert!(check_params(Action::SubmitCertificateInformation, &body).is_ok());
    }

    #[test]
    fn status_machine_submit_then_order_submit() {
        let mut state = state();
        let describe = run(
            &mut state,
            Action::DescribeCertificateDetail,
            json!({"CertificateId": "abc"}),
        );
        let response = describe.map(|e| e.response).unwrap_or_default();
        assert_eq!(response["Status"], 5);
        assert_eq!(response["SubmittedData"], Value::Null);
        assert_eq!(response["Domain"], "www.example.com");
        assert_eq!(response["OrderId"], Value::Null);

        // Ordering before any information is refused.
        assert_eq!(
            code(run(
                &mut state,
                Action::CertificateOrderSubmit,
                json!({"CertId": "abc"})
            )),
            "FailedOperation.CertificateInfoSubmitStatusInvalid"
        );

        let submitted = run(
            &mut state,
            Action::SubmitCertificateInformation,
            submit_body(json!({"KeyPassword": "k", "IsDV": false,
                   "DomainList": ["www.example.com", "api.example.com"]})),
        );
        assert_eq!(
            submitted.map(|e| (Value::Object(e.response), e.changed)),
            Ok((json!({"CertificateId": "abc"}), true))
        );
        // Submitting again at status 5 replaces the data entirely.
        let again = run(
            &mut state,
            Action::SubmitCertificateInformation,
            json!({"CertificateId": "abc", "CsrType": "online", "IsDV": true,
                   "OrganizationName": "Y", "KeyPassword": "k",
                   "DomainList": ["www.example.com", "api.example.com"]}),
        );
        assert!(again.is_ok());
        let cert = &state.certificates["abc"];
        assert_eq!(cert.submits_applied, 2);
        assert_eq!(
            cert.submitted_data.clone().map(Value::Object),
            Some(
                json!({"CsrType": "online", "OrganizationName": "Y", "KeyPassword": "k",
                        "DomainList": ["www.example.com", "api.example.com"]})
            )
        );

        let ordered = run(
            &mut state,
            Action::CertificateOrderSubmit,
            json!({"CertId": "abc", "VerifyType": "DNS"}),
        )
        .map(|e| e.response)
        .unwrap_or_default();
        assert_eq!(ordered["Status"], 8);
        assert_eq!(ordered["IsAudited"], false);
        assert!(
            ordered["OrderId"]
                .as_str()
                .is_some_and(|s| s.starts_with("TA"))
        );

        let after = run(
            &mut state,
            Action::DescribeCertificateDetail,
            json!({"CertificateId": "abc"}),
        )
        .map(|e| e.response)
        .unwrap_or_default();
        assert_eq!(after["Status"], 8);
        assert_eq!(after["OrderId"], ordered["OrderId"]);
        assert_eq!(after["VerifyType"], "DNS");
        assert_eq!(after["SubjectAltName"], json!(["api.example.com"]));
        assert_eq!(after["SubmittedData"]["KeyPassword"], "k");
        assert_eq!(after["DomainType"], 2);

        // Past status 5 both writes are refused and nothing changes.
        assert_eq!(
            code(run(
                &mut state,
                Action::SubmitCertificateInformation,
                submit_body(json!({"OrganizationName": "Z"}))
            )),
            "FailedOperation.InvalidCertificateStatusCode"
        );
        assert_eq!(
            code(run(
                &mut state,
                Action::CertificateOrderSubmit,
                json!({"CertId": "abc"})
            )),
            "FailedOperation.CertificateInfoSubmitStatusInvalid"
        );
        assert_eq!(state.certificates["abc"].order_submits_applied, 1);
        assert_eq!(state.certificates["abc"].submits_applied, 2);
    }

    #[test]
    fn unknown_certificate_is_not_found_for_every_action() {
        let mut state = state();
        for (action, body) in [
            (
                Action::DescribeCertificateDetail,
                json!({"CertificateId": "zzz"}),
            ),
            (
                Action::SubmitCertificateInformation,
                submit_body(json!({"CertificateId": "zzz"})),
            ),
            (Action::CertificateOrderSubmit, json!({"CertId": "zzz"})),
            (
                Action::CertificateInfoSubmit,
                info_body(json!({"CertId": "zzz"})),
            ),
        ] {
            assert_eq!(
                code(run(&mut state, action, body)),
                "FailedOperation.CertificateNotFound"
            );
        }
    }

    /// `base` with `changes` merged in (`null` removes a field).
    fn merged(mut body: Value, changes: Value) -> Value {
        if let (Some(body), Some(changes)) = (body.as_object_mut(), changes.as_object()) {
            for (key, value) in changes {
                if value.is_null() {
                    body.shift_remove(key);
                } else {
                    body.insert(key.clone(), value.clone());
                }
            }
        }
        body
    }

    /// A valid `SubmitCertificateInformation` body for certificate `abc`
    /// (online CSR, the 18 fields the reference requires), with `changes`
    /// merged in (`null` removes a field).
    fn submit_body(changes: Value) -> Value {
        let body = json!({
            "CertificateId": "abc", "CsrType": "online", "CertificateDomain": "www.example.com",
            "OrganizationName": "O", "OrganizationDivision": "D", "OrganizationAddress": "A",
            "OrganizationCountry": "CN", "OrganizationCity": "C", "OrganizationRegion": "R",
            "PhoneAreaCode": "0755", "PhoneNumber": "1",
            "AdminFirstName": "F", "AdminLastName": "L", "AdminPhoneNum": "2",
            "AdminEmail": "a@x.example", "AdminPosition": "T",
            "ContactFirstName": "G", "ContactLastName": "M", "ContactEmail": "t@x.example",
            "ContactNumber": "3", "ContactPosition": "U",
        });
        merged(body, changes)
    }

    /// A valid `CertificateInfoSubmit` body for certificate `abc` (a company,
    /// online CSR, every org/admin/tech field), with `changes` merged in
    /// (`null` removes a field).
    fn info_body(changes: Value) -> Value {
        let body = json!({
            "CertId": "abc", "GenCsrType": "online", "CertCommonName": "www.example.com",
            "CompanyType": 2, "CompanyId": "0", "ManagerId": "0",
            "CsrEncryptAlgo": "RSA", "CsrKeyParameter": "2048",
            "DnsNames": ["api.example.com"], "KeyPass": "k",
            "OrgOrganization": "O", "OrgDivision": "D", "OrgAddress": "A", "OrgCountry": "CN",
            "OrgCity": "C", "OrgRegion": "R", "OrgPhoneArea": "0755", "OrgPhoneNumber": "1",
            "VerifyType": "DNS",
            "AdminFirstName": "F", "AdminLastName": "L", "AdminPhone": "2", "AdminEmail": "a@x.example",
            "AdminTitle": "T", "TechFirstName": "G", "TechLastName": "M", "TechPhone": "3",
            "TechEmail": "t@x.example", "TechTitle": "U",
        });
        merged(body, changes)
    }

    /// The reference marks the organization, admin and contact fields and
    /// `CsrType` "字段必传" although its schema says optional; the emulator
    /// once took a body with only `CertificateId`, so a client that left
    /// them out passed every test.
    #[test]
    fn submit_requires_what_the_reference_requires() {
        let a = Action::SubmitCertificateInformation;
        let check = |changes: Value| code(check_params(a, &obj(submit_body(changes))));
        assert_eq!(check(json!({})), "");
        assert_eq!(
            code(check_params(a, &obj(json!({"CertificateId": "abc"})))),
            "MissingParameter",
            "only CertificateId"
        );
        for name in SUBMIT_REQUIRED_UNLESS_DV {
            assert_eq!(check(json!({ name: null })), "MissingParameter", "{name}");
            assert_eq!(
                check(json!({ name: "" })),
                "MissingParameter",
                "{name} empty"
            );
            assert_eq!(
                check(json!({ name: null, "IsDV": true })),
                "",
                "{name} with IsDV"
            );
            assert_eq!(
                check(json!({ name: null, "IsDV": false })),
                "MissingParameter",
                "{name} with IsDV false"
            );
        }
        let message = check_params(a, &obj(submit_body(json!({"AdminEmail": null}))))
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert_eq!(
            message,
            "The request is missing a required parameter `AdminEmail` (this field is required unless IsDV is true)."
        );
        // A DV certificate needs only its id and CsrType.
        assert_eq!(
            code(check_params(
                a,
                &obj(json!({"CertificateId": "abc", "CsrType": "online", "IsDV": true}))
            )),
            ""
        );
        assert_eq!(check(json!({"CsrType": null})), "MissingParameter");
        assert_eq!(
            check(json!({"CsrType": null, "IsDV": true})),
            "MissingParameter",
            "CsrType is required for DV too"
        );
        assert_eq!(
            check(json!({"CsrType": ""})),
            "FailedOperation.InvalidParam"
        );
        // parse needs CsrContent, online does not.
        assert_eq!(check(json!({"CsrType": "parse"})), "MissingParameter");
        assert_eq!(
            check(json!({"CsrType": "parse", "CsrContent": "   "})),
            "MissingParameter"
        );
        assert_eq!(
            check(json!({"CsrType": "parse", "CsrContent": "-----BEGIN CERTIFICATE REQUEST-----"})),
            ""
        );
        let message = check_params(a, &obj(submit_body(json!({"CsrType": "parse"}))))
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(
            message.contains("`CsrContent` (CsrType is parse)"),
            "{message}"
        );
        // Wrong types are still InvalidParameter, before any of this.
        assert_eq!(check(json!({"OrganizationName": 5})), "InvalidParameter");
    }

    #[test]
    fn every_documented_info_submit_field_is_accepted() {
        let mut body = obj(info_body(json!({})));
        for param in INFO_SUBMIT_PARAMS {
            body.entry(param.name).or_insert_with(|| sample(param.ty));
        }
        assert_eq!(INFO_SUBMIT_PARAMS.len(), 42);
        assert_eq!(body.len(), 42);
        assert_eq!(
            check_params(Action::CertificateInfoSubmit, &body),
            Ok("abc".to_owned())
        );
    }

    #[test]
    fn info_submit_parameter_rules() {
        let a = Action::CertificateInfoSubmit;
        let check = |changes: Value| code(check_params(a, &obj(info_body(changes))));
        assert_eq!(check(json!({})), "");
        // The old API's names are not the new API's parameters.
        assert_eq!(check(json!({"CertificateId": "abc"})), "UnknownParameter");
        assert_eq!(check(json!({"PostalCode": "518000"})), "UnknownParameter");
        for required in [
            "CertId",
            "GenCsrType",
            "CertCommonName",
            "CompanyType",
            "CompanyId",
        ] {
            assert_eq!(
                check(json!({ required: null })),
                "MissingParameter",
                "{required}"
            );
        }
        assert_eq!(check(json!({"CompanyType": "2"})), "InvalidParameter");
        assert_eq!(check(json!({"CompanyType": 3})), "InvalidParameterValue");
        assert_eq!(check(json!({"Type": 1.5})), "InvalidParameter");
        assert_eq!(check(json!({"CompanyId": "12a"})), "InvalidParameterValue");
        assert_eq!(check(json!({"ManagerId": ""})), "InvalidParameterValue");
        assert_eq!(
            check(json!({"GenCsrType": "upload"})),
            "FailedOperation.InvalidParam"
        );
        assert_eq!(check(json!({"CsrKeyParameter": null})), "MissingParameter");
        assert_eq!(check(json!({"CsrEncryptAlgo": null})), "MissingParameter");
        assert_eq!(
            check(json!({"CsrEncryptAlgo": "DSA"})),
            "InvalidParameterValue"
        );
        assert_eq!(
            check(json!({"CsrEncryptAlgo": "ECC"})),
            "InvalidParameterValue"
        );
        assert_eq!(
            check(json!({"CsrEncryptAlgo": "ECC", "CsrKeyParameter": "prime256v1"})),
            ""
        );
        assert_eq!(
            check(json!({"GenCsrType": "parse", "CsrEncryptAlgo": null, "CsrKeyParameter": null})),
            "MissingParameter"
        );
        assert_eq!(
            check(
                json!({"GenCsrType": "parse", "Csr": "PEM", "CsrEncryptAlgo": null, "CsrKeyParameter": null})
            ),
            ""
        );
        assert_eq!(
            check(json!({"CertCommonName": "not a domain"})),
            "FailedOperation.CertificateInfoSubmitDomainInvalid"
        );
        assert_eq!(
            check(json!({"DnsNames": ["a..example.com"]})),
            "FailedOperation.CertificateInfoSubmitDomainInvalid"
        );
        // Which fields each CompanyType needs, given CompanyId and ManagerId.
        assert_eq!(check(json!({"OrgCity": null})), "MissingParameter");
        assert_eq!(check(json!({"OrgCity": ""})), "MissingParameter");
        assert_eq!(
            check(json!({"OrgCity": null, "CompanyId": "0000"})),
            "MissingParameter"
        );
        assert_eq!(check(json!({"OrgCity": null, "CompanyId": "5"})), "");
        assert_eq!(
            check(json!({"TechTitle": null, "CompanyId": "5"})),
            "MissingParameter"
        );
        assert_eq!(check(json!({"TechEmail": null})), "");
        let people: Value = INFO_SUBMIT_ORG
            .iter()
            .chain(INFO_SUBMIT_PEOPLE.iter())
            .map(|n| ((*n).to_owned(), Value::Null))
            .collect::<Map<String, Value>>()
            .into();
        let mut manager_only = people.clone();
        manager_only["ManagerId"] = json!("7");
        assert_eq!(check(manager_only), "");
        assert_eq!(check(people.clone()), "MissingParameter");
        let mut individual = people;
        individual["CompanyType"] = json!(1);
        individual["TechEmail"] = Value::Null;
        assert_eq!(
            check(individual.clone()),
            "FailedOperation.CertificateInfoSubmitContactEmailEmpty"
        );
        individual["ContactEmail"] = json!("me@x.example");
        assert_eq!(check(individual), "");
    }

    #[test]
    fn info_submit_stores_submitted_data_under_the_old_names() {
        let mut state = state();
        let submitted = run(
            &mut state,
            Action::CertificateInfoSubmit,
            info_body(json!({"CompanyId": "12345"})),
        );
        assert_eq!(
            submitted.map(|e| (Value::Object(e.response), e.changed)),
            Ok((json!({}), true)),
            "the reply holds only the RequestId"
        );
        let cert = &state.certificates["abc"];
        assert_eq!(cert.info_submits_applied, 1);
        assert_eq!(cert.submits_applied, 0);
        assert_eq!(cert.submitted_by.as_deref(), Some("CertificateInfoSubmit"));
        assert_eq!(
            cert.submitted_data.clone().map(Value::Object),
            Some(json!({
                "CsrType": "online", "CertificateDomain": "www.example.com",
                "DomainList": ["api.example.com"], "KeyPassword": "k",
                "OrganizationName": "O", "OrganizationDivision": "D", "OrganizationAddress": "A",
                "OrganizationCountry": "CN", "OrganizationCity": "C", "OrganizationRegion": "R",
                "PhoneAreaCode": "0755", "PhoneNumber": "1", "VerifyType": "DNS",
                "AdminFirstName": "F", "AdminLastName": "L", "AdminPhoneNum": "2",
                "AdminEmail": "a@x.example", "AdminPosition": "T",
                "ContactFirstName": "G", "ContactLastName": "M", "ContactNumber": "3",
                "ContactEmail": "t@x.example", "ContactPosition": "U",
            }))
        );
        assert_eq!(
            cert.successor_params.clone().map(Value::Object),
            Some(
                json!({"CompanyType": 2, "CompanyId": "12345", "ManagerId": "0",
                        "CsrEncryptAlgo": "RSA", "CsrKeyParameter": "2048"})
            )
        );

        // A DV (individual) submission: ContactEmail, not TechEmail, is the contact's.
        let individual = run(
            &mut state,
            Action::CertificateInfoSubmit,
            json!({"CertId": "abc", "GenCsrType": "parse", "Csr": "PEM", "CertCommonName": "www.example.com",
                   "CompanyType": 1, "CompanyId": "0", "ContactEmail": "me@x.example"}),
        );
        assert!(individual.is_ok());
        let describe = run(
            &mut state,
            Action::DescribeCertificateDetail,
            json!({"CertificateId": "abc"}),
        )
        .map(|e| e.response)
        .unwrap_or_default();
        assert_eq!(
            describe["SubmittedData"],
            json!({"CsrType": "parse", "CsrContent": "PEM", "CertificateDomain": "www.example.com",
                   "ContactEmail": "me@x.example"})
        );
        assert_eq!(describe["CertificateExtra"]["CompanyType"], 1);

        // Then the order, as after the old API; past status 5 the new
        // submit is refused with its own code.
        assert!(
            run(
                &mut state,
                Action::CertificateOrderSubmit,
                json!({"CertId": "abc"})
            )
            .is_ok()
        );
        assert_eq!(state.certificates["abc"].status, 8);
        assert_eq!(
            code(run(
                &mut state,
                Action::CertificateInfoSubmit,
                info_body(json!({}))
            )),
            "FailedOperation.CertificateInfoSubmitStatusInvalid"
        );
        assert_eq!(state.certificates["abc"].info_submits_applied, 2);

        // The old API afterwards clears what only the new one had.
        if let Some(cert) = state.certificates.get_mut("abc") {
            cert.status = 5;
        }
        assert!(
            run(
                &mut state,
                Action::SubmitCertificateInformation,
                submit_body(json!({"OrganizationName": "X"}))
            )
            .is_ok()
        );
        assert_eq!(state.certificates["abc"].successor_params, None);
        assert_eq!(
            state.certificates["abc"].submitted_by.as_deref(),
            Some("SubmitCertificateInformation")
        );
    }

    #[test]
    fn describe_certificates_pages_with_a_total_and_a_capped_limit() {
        let mut state = state();
        for i in 0..25 {
            state.add_seed(
                &[SeedCertificate {
                    certificate_id: format!("id{i:03}"),
                    domain: format!("c{i}.example.com"),
                    owner: None,
                }],
                1,
            );
        }
        let page = |state: &mut StateSnapshot, body: Value| {
            run(state, Action::DescribeCertificates, body)
                .map(|e| Value::Object(e.response))
                .unwrap_or_default()
        };
        let first = page(&mut state, json!({}));
        assert_eq!(first["TotalCount"], 26);
        let ids = |page: &Value| -> Vec<String> {
            page["Certificates"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["CertificateId"].as_str().map(str::to_owned))
                .collect()
        };
        assert_eq!(ids(&first).len(), 10, "Limit defaults to 10");
        assert_eq!(ids(&first)[0], "abc");
        let last = page(&mut state, json!({"Offset": 20, "Limit": 10}));
        assert_eq!(
            ids(&last),
            ["id019", "id020", "id021", "id022", "id023", "id024"]
        );
        let all = page(&mut state, json!({"Limit": 5000}));
        assert_eq!(ids(&all).len(), 26, "over 1000 reads as 1000, not an error");
        let past = page(&mut state, json!({"Offset": 100}));
        assert_eq!(ids(&past).len(), 0);
        assert_eq!(past["TotalCount"], 26);
        let item = &first["Certificates"][0];
        assert_eq!(item["Domain"], "www.example.com");
        assert_eq!(item["Status"], 5);
        assert_eq!(item["SubjectAltName"], json!(["www.example.com"]));
        assert_eq!(
            code(run(
                &mut state,
                Action::DescribeCertificates,
                json!({"Limit": "5"})
            )),
            "InvalidParameter"
        );
        let list = |state: &mut StateSnapshot, body: Value| {
            code(run(state, Action::DescribeCertificates, body))
        };
        assert_eq!(
            list(
                &mut state,
                json!({"ProjectId": 0, "FilterSource": "buy", "IsSM": 0})
            ),
            "",
            "every official filter is accepted"
        );
        assert_eq!(list(&mut state, json!({"Filters": []})), "UnknownParameter");
        assert_eq!(
            list(&mut state, json!({"ExpirationSort": "UP"})),
            "FailedOperation.InvalidParam"
        );
        assert_eq!(
            list(&mut state, json!({"CertificateStatus": ["5"]})),
            "InvalidParameter"
        );
        if let Some(cert) = state.certificates.get_mut("id003") {
            cert.status = 8;
        }
        let filtered = page(
            &mut state,
            json!({"SearchKey": "c2", "CertificateStatus": [5]}),
        );
        assert_eq!(
            ids(&filtered),
            ["id002", "id020", "id021", "id022", "id023", "id024"]
        );
        assert_eq!(filtered["TotalCount"], 6, "the total of what matches");
        let by_status = page(&mut state, json!({"CertificateStatus": [8]}));
        assert_eq!(ids(&by_status), ["id003"]);
        let by_id = page(&mut state, json!({"CertIds": ["id001", "abc", "zzz"]}));
        assert_eq!(ids(&by_id), ["abc", "id001"]);
    }

    #[test]
    fn describe_certificates_lists_only_the_callers_certificates() {
        let mut state = state();
        for (id, owner) in [
            ("hk1", Some("hk")),
            ("hk2", Some("hk")),
            ("eu1", Some("eu")),
        ] {
            state.add_seed(
                &[SeedCertificate {
                    certificate_id: id.into(),
                    domain: format!("{id}.example.com"),
                    owner: owner.map(str::to_owned),
                }],
                1,
            );
        }
        let listed = |owner: Option<&str>, body: Value| -> (Value, Vec<String>) {
            let body = obj(body);
            let page = execute(
                &mut state.clone(),
                Action::DescribeCertificates,
                &body,
                caller(owner),
            )
            .map(|e| Value::Object(e.response))
            .unwrap_or_default();
            let ids = page["Certificates"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["CertificateId"].as_str().map(str::to_owned))
                .collect();
            (page["TotalCount"].clone(), ids)
        };
        assert_eq!(
            listed(Some("hk"), json!({})),
            (json!(2), vec!["hk1".into(), "hk2".into()])
        );
        assert_eq!(
            listed(Some("eu"), json!({})),
            (json!(1), vec!["eu1".into()])
        );
        assert_eq!(
            listed(None, json!({})),
            (json!(1), vec!["abc".into()]),
            "the default pairs own only what no account owns"
        );
        assert_eq!(
            listed(Some("eu"), json!({"CertIds": ["hk1"]})),
            (json!(0), Vec::<String>::new()),
            "naming another owner's id does not list it"
        );
        assert_eq!(listed(Some("nobody"), json!({})).0, json!(0));
    }

    #[test]
    fn an_ordered_certificate_shows_its_validation_records_until_issued() {
        let mut state = state();
        let detail = |state: &mut StateSnapshot| {
            run(
                state,
                Action::DescribeCertificateDetail,
                json!({"CertificateId": "abc"}),
            )
            .map(|e| Value::Object(e.response))
            .unwrap_or_default()
        };
        assert!(
            run(
                &mut state,
                Action::SubmitCertificateInformation,
                submit_body(
                    json!({"DomainList": ["*.api.example.com"], "VerifyType": "DNS", "IsDV": true})
                ),
            )
            .is_ok()
        );
        let submitted = detail(&mut state);
        assert_eq!(submitted["DvAuthDetail"], Value::Null, "no order yet");
        assert_eq!(submitted["IsDv"], true);
        assert!(
            run(
                &mut state,
                Action::CertificateOrderSubmit,
                json!({"CertId": "abc"})
            )
            .is_ok()
        );
        assert_eq!(
            state.certificates["abc"].ordered_at_ms,
            Some(1_700_000_000_000)
        );
        let ordered = detail(&mut state);
        assert_eq!(ordered["StatusMsg"], "PENDING-DCV");
        let auths = &ordered["DvAuthDetail"]["DvAuths"];
        assert_eq!(auths.as_array().map(Vec::len), Some(2));
        assert_eq!(auths[0]["DvAuthVerifyType"], "TXT");
        assert_eq!(auths[0]["DvAuthDomain"], "example.com");
        assert_eq!(auths[0]["DvAuthSubDomain"], "_dnsauth.www");
        assert_eq!(auths[0]["DvAuthKey"], "_dnsauth.www");
        assert_eq!(
            auths[1]["DvAuthSubDomain"], "_dnsauth.api",
            "the wildcard's base name"
        );
        assert_eq!(
            ordered["DvAuthDetail"]["DvAuthKeySubDomain"],
            "_dnsauth.www"
        );
        assert_eq!(
            auths[0]["DvAuthValue"],
            detail(&mut state)["DvAuthDetail"]["DvAuths"][0]["DvAuthValue"],
            "stable between reads"
        );
        assert_ne!(auths[0]["DvAuthValue"], auths[1]["DvAuthValue"]);

        // FILE validation: a path on the name itself.
        if let Some(cert) = state.certificates.get_mut("abc") {
            cert.order_verify_type = Some("FILE".into());
        }
        let file = detail(&mut state);
        let entry = &file["DvAuthDetail"]["DvAuths"][0];
        assert_eq!(entry["DvAuthVerifyType"], "FILE");
        assert_eq!(entry["DvAuthDomain"], "www.example.com");
        assert_eq!(
            entry["DvAuthPath"],
            "/.well-known/pki-validation/fileauth.txt"
        );

        // Issued: no more records.
        assert!(state.issue_due(1_700_000_000_000, std::time::Duration::ZERO));
        let issued = detail(&mut state);
        assert_eq!(issued["Status"], 1);
        assert_eq!(issued["DvAuthDetail"], Value::Null);
    }

    #[test]
    fn counters_and_names() {
        let mut state = state();
        note_received(&mut state, Action::DescribeCertificateDetail, "abc");
        note_received(&mut state, Action::SubmitCertificateInformation, "abc");
        note_received(&mut state, Action::CertificateOrderSubmit, "nope");
        note_received(&mut state, Action::CertificateInfoSubmit, "abc");
        let cert = &state.certificates["abc"];
        assert_eq!((cert.describes, cert.submits_received), (1, 1));
        assert_eq!(cert.info_submits_received, 1);
        assert_eq!(
            Action::from_name("CertificateInfoSubmit"),
            Some(Action::CertificateInfoSubmit)
        );
        assert_eq!(status::api_name(5, Language::ZhCn), "企业证书，待提交资料");
        assert_eq!(status::api_name(1, Language::EnUs), "approved");
        assert_eq!(Language::from_header(Some("en-US")), Language::EnUs);
        assert_eq!(beijing_time(1_551_113_065), "2019-02-26 00:44:25");
        assert_eq!(Action::from_name("describecertificatedetail"), None);
    }
}
