//! The three emulated actions of the SSL API 2019-12-05: their parameter
//! schemas, the checks the API makes on a request body, and what each action
//! does to the emulator's state (the certificate status machine).
//!
//! Everything here is synchronous and pure over a [`StateSnapshot`], so the
//! business rules are tested without a server. Parameter names and types are
//! those of tencent-api.md §1.1, §2.2 and §3.1.

use serde_json::{Map, Value, json};

use super::state::{
    CertificateState, STATUS_INFO_SUBMITTED, STATUS_PENDING_SUBMISSION, StateSnapshot,
};
use crate::api::sign::utc_date;

/// An error answered in the API's own envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// An action the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    DescribeCertificateDetail,
    SubmitCertificateInformation,
    CertificateOrderSubmit,
}

/// The JSON type a parameter must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    StringArray,
    Bool,
    UInt,
}

impl ParamType {
    fn accepts(self, value: &Value) -> bool {
        match self {
            ParamType::String => value.is_string(),
            ParamType::StringArray => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
            ParamType::Bool => value.is_boolean(),
            ParamType::UInt => value.is_u64(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            ParamType::String => "String",
            ParamType::StringArray => "Array of String",
            ParamType::Bool => "Boolean",
            ParamType::UInt => "Integer",
        }
    }
}

/// One request parameter of an action.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub ty: ParamType,
    pub required: bool,
}

const fn p(name: &'static str, ty: ParamType, required: bool) -> Param {
    Param { name, ty, required }
}

use ParamType::{Bool, String as Str, StringArray, UInt};

const DESCRIBE_PARAMS: &[Param] = &[p("CertificateId", Str, true)];

const SUBMIT_PARAMS: &[Param] = &[
    p("CertificateId", Str, true),
    p("CsrType", Str, false),
    p("CsrContent", Str, false),
    p("CertificateDomain", Str, false),
    p("DomainList", StringArray, false),
    p("KeyPassword", Str, false),
    p("OrganizationName", Str, false),
    p("OrganizationDivision", Str, false),
    p("OrganizationAddress", Str, false),
    p("OrganizationCountry", Str, false),
    p("OrganizationCity", Str, false),
    p("OrganizationRegion", Str, false),
    p("PostalCode", Str, false),
    p("PhoneAreaCode", Str, false),
    p("PhoneNumber", Str, false),
    p("VerifyType", Str, false),
    p("AdminFirstName", Str, false),
    p("AdminLastName", Str, false),
    p("AdminPhoneNum", Str, false),
    p("AdminEmail", Str, false),
    p("AdminPosition", Str, false),
    p("ContactFirstName", Str, false),
    p("ContactLastName", Str, false),
    p("ContactEmail", Str, false),
    p("ContactNumber", Str, false),
    p("ContactPosition", Str, false),
    p("IsDV", Bool, false),
];

const ORDER_SUBMIT_PARAMS: &[Param] = &[
    p("CertId", Str, true),
    p("DeleteDnsAutoRecord", UInt, false),
    p("VerifyType", Str, false),
];

const VERIFY_TYPES: [&str; 3] = ["DNS_AUTO", "DNS", "FILE"];
const CSR_TYPES: [&str; 2] = ["online", "parse"];

impl Action {
    pub const ALL: [Action; 3] = [
        Action::DescribeCertificateDetail,
        Action::SubmitCertificateInformation,
        Action::CertificateOrderSubmit,
    ];

    /// The `X-TC-Action` value.
    pub fn name(self) -> &'static str {
        match self {
            Action::DescribeCertificateDetail => "DescribeCertificateDetail",
            Action::SubmitCertificateInformation => "SubmitCertificateInformation",
            Action::CertificateOrderSubmit => "CertificateOrderSubmit",
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    pub fn params(self) -> &'static [Param] {
        match self {
            Action::DescribeCertificateDetail => DESCRIBE_PARAMS,
            Action::SubmitCertificateInformation => SUBMIT_PARAMS,
            Action::CertificateOrderSubmit => ORDER_SUBMIT_PARAMS,
        }
    }

    /// The parameter that names the certificate.
    pub fn certificate_param(self) -> &'static str {
        match self {
            Action::CertificateOrderSubmit => "CertId",
            _ => "CertificateId",
        }
    }

    /// Whether the action changes state (and so is worth persisting).
    pub fn is_write(self) -> bool {
        !matches!(self, Action::DescribeCertificateDetail)
    }
}

/// Checks a request body against the action's schema, in the API's order:
/// unknown parameter, then missing required one, then wrong JSON type.
/// Returns the certificate id the request names.
pub fn check_params(action: Action, body: &Map<String, Value>) -> Result<String, ApiError> {
    let params = action.params();
    if let Some(unknown) = body.keys().find(|k| !params.iter().any(|p| p.name == *k)) {
        return Err(ApiError::new(
            "UnknownParameter",
            format!("The parameter `{unknown}` is not recognized."),
        ));
    }
    if let Some(missing) = params
        .iter()
        .find(|p| p.required && !body.contains_key(p.name))
    {
        return Err(ApiError::new(
            "MissingParameter",
            format!(
                "The request is missing a required parameter `{}`.",
                missing.name
            ),
        ));
    }
    for param in params {
        if let Some(value) = body.get(param.name)
            && !param.ty.accepts(value)
        {
            return Err(ApiError::new(
                "InvalidParameter",
                format!(
                    "The value type of parameter `{}` is not valid: expected {}.",
                    param.name,
                    param.ty.name()
                ),
            ));
        }
    }
    check_enum(body, "VerifyType", &VERIFY_TYPES)?;
    if action == Action::SubmitCertificateInformation {
        check_enum(body, "CsrType", &CSR_TYPES)?;
    }
    Ok(body
        .get(action.certificate_param())
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned())
}

fn check_enum(body: &Map<String, Value>, name: &str, allowed: &[&str]) -> Result<(), ApiError> {
    match body.get(name).and_then(Value::as_str) {
        Some(value) if !allowed.contains(&value) => Err(ApiError::new(
            "FailedOperation.InvalidParam",
            format!("`{name}` must be one of {}.", allowed.join(", ")),
        )),
        _ => Ok(()),
    }
}

/// How the caller wants texts worded (`X-TC-Language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    ZhCn,
    EnUs,
}

impl Language {
    pub fn from_header(value: Option<&str>) -> Language {
        match value {
            Some("en-US") => Language::EnUs,
            _ => Language::ZhCn,
        }
    }
}

/// `StatusName` of a status code in the caller's language (§3.2).
pub fn status_name(status: u64, language: Language) -> &'static str {
    let (zh, en) = match status {
        0 => ("审核中", "under review"),
        1 => ("已颁发", "approved"),
        2 => ("审核失败", "review failed"),
        3 => ("已过期", "expired"),
        4 => ("已添加DNS记录", "automatically added dns records"),
        5 => (
            "企业证书，待提交资料",
            "enterprise certificate, pending document submission",
        ),
        6 => ("订单取消中", "order cancellation in progress"),
        7 => ("已取消", "canceled"),
        8 => (
            "已提交资料，待上传确认函",
            "documents submitted, pending upload of confirmation letter",
        ),
        9 => ("证书吊销中", "revocation in progress"),
        10 => ("已吊销", "revoked"),
        11 => ("重颁发中", "reissue in progress"),
        12 => (
            "待上传吊销确认函",
            "pending upload of revocation confirmation letter",
        ),
        13 => (
            "免费证书待提交资料",
            "free certificate pending document submission",
        ),
        14 => ("证书已退款", "refunded"),
        15 => ("证书迁移中", "certificate migration in progress"),
        _ => ("未知状态", "unknown status"),
    };
    match language {
        Language::ZhCn => zh,
        Language::EnUs => en,
    }
}

/// `YYYY-MM-DD HH:MM:SS` in GMT+8, the API's time format.
pub fn beijing_time(timestamp: i64) -> String {
    let local = timestamp + 8 * 3600;
    let secs = local.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}:{:02}",
        utc_date(local),
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Counts a well-formed request against the certificate it names (if known),
/// before faults or business rules decide its fate.
pub fn note_received(state: &mut StateSnapshot, action: Action, certificate_id: &str) {
    if let Some(cert) = state.certificates.get_mut(certificate_id) {
        let counter = match action {
            Action::DescribeCertificateDetail => &mut cert.describes,
            Action::SubmitCertificateInformation => &mut cert.submits_received,
            Action::CertificateOrderSubmit => &mut cert.order_submits_received,
        };
        *counter = counter.saturating_add(1);
    }
}

/// What an action answered, and whether it changed a certificate.
#[derive(Debug, PartialEq)]
pub struct Executed {
    /// The `Response` fields, without `RequestId`.
    pub response: Map<String, Value>,
    pub changed: bool,
}

/// Carries an action out on the state. `body` must have passed [`check_params`].
pub fn execute(
    state: &mut StateSnapshot,
    action: Action,
    body: &Map<String, Value>,
    language: Language,
) -> Result<Executed, ApiError> {
    let id = body
        .get(action.certificate_param())
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
            if cert.status != STATUS_PENDING_SUBMISSION {
                return Err(ApiError::new(
                    "FailedOperation.InvalidCertificateStatusCode",
                    format!(
                        "The certificate status is incorrect (status {}: {}).",
                        cert.status,
                        status_name(cert.status, Language::EnUs)
                    ),
                ));
            }
            let mut data = body.clone();
            data.shift_remove("CertificateId");
            data.shift_remove("IsDV");
            cert.submitted_data = Some(data);
            cert.submits_applied = cert.submits_applied.saturating_add(1);
            let mut response = Map::new();
            response.insert("CertificateId".into(), Value::String(id.to_owned()));
            Ok(Executed {
                response,
                changed: true,
            })
        }
        Action::CertificateOrderSubmit => {
            if cert.status != STATUS_PENDING_SUBMISSION || cert.submitted_data.is_none() {
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
            cert.status = STATUS_INFO_SUBMITTED;
            cert.order_id = Some(next_order_id.clone());
            if let Some(verify_type) = body.get("VerifyType").and_then(Value::as_str) {
                cert.order_verify_type = Some(verify_type.to_owned());
            }
            cert.order_submits_applied = cert.order_submits_applied.saturating_add(1);
            let response = json!({
                "OrderId": next_order_id,
                "Status": STATUS_INFO_SUBMITTED,
                "IsAudited": false,
            });
            Ok(Executed {
                response: response.as_object().cloned().unwrap_or_default(),
                changed: true,
            })
        }
    }
}

/// The `DescribeCertificateDetail` response of a certificate (§3.1): the
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
    let status_msg = match cert.status {
        0 => Value::String("PRE-REVIEWING".into()),
        _ => Value::Null,
    };
    let domain_type = match (cert.domain.starts_with("*."), domain_list.is_empty()) {
        (false, true) => 1,
        (false, false) => 2,
        (true, true) => 3,
        (true, false) => 4,
    };
    let response = json!({
        "OwnerUin": "100000000001",
        "ProjectId": "0",
        "From": "trustasia",
        "CertificateType": "SVR",
        "PackageType": "14",
        "ProductZhName": "TrustAsia OV",
        "Domain": cert.domain,
        "Alias": "",
        "Status": cert.status,
        "StatusMsg": status_msg,
        "VerifyType": verify_type,
        "VulnerabilityStatus": "INACTIVE",
        "CertBeginTime": null,
        "CertEndTime": null,
        "ValidityPeriod": "12",
        "InsertTime": beijing_time(cert.inserted_at),
        "OrderId": cert.order_id,
        "CertificateExtra": {
            "DomainNumber": (domain_list.len() + 1).to_string(),
            "OriginCertificateId": null,
            "ReplacedBy": null,
            "ReplacedFor": null,
            "RenewOrder": null,
            "SMCert": 0,
            "CompanyType": 2,
        },
        "CertificatePrivateKey": null,
        "CertificatePublicKey": null,
        "DvAuthDetail": null,
        "VulnerabilityReport": null,
        "CertificateId": cert.certificate_id,
        "TypeName": "TrustAsia OV SSL",
        "StatusName": status_name(cert.status, language),
        "SubjectAltName": domain_list,
        "IsVip": true,
        "IsWildcard": cert.domain.starts_with("*."),
        "IsDv": false,
        "IsVulnerability": false,
        "SubmittedData": cert.submitted_data,
        "RenewAble": false,
        "Deployable": false,
        "Tags": [],
        "RootCert": null,
        "EncryptCert": null,
        "EncryptPrivateKey": null,
        "CertFingerprint": null,
        "EncryptCertFingerprint": null,
        "EncryptAlgorithm": "RSA",
        "DvRevokeAuthDetail": null,
        "CertChainInfo": null,
        "DomainType": domain_type,
        "CertType": "OV",
    });
    response.as_object().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
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
            }],
            1_700_000_000,
        );
        state
    }

    fn run(state: &mut StateSnapshot, action: Action, body: Value) -> Result<Executed, ApiError> {
        let body = obj(body);
        check_params(action, &body)?;
        execute(state, action, &body, Language::EnUs)
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
                &obj(json!({"CertificateId": "a", "DomainList": ["x"], "IsDV": false}))
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

    #[test]
    fn every_documented_submit_field_is_accepted() {
        let mut body = Map::new();
        for param in SUBMIT_PARAMS {
            let value = match param.ty {
                ParamType::String => json!("x"),
                ParamType::StringArray => json!(["x"]),
                ParamType::Bool => json!(true),
                ParamType::UInt => json!(1),
            };
            body.insert(param.name.into(), value);
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
            json!({"CertificateId": "abc", "OrganizationName": "X", "KeyPassword": "k", "IsDV": false,
                   "DomainList": ["www.example.com", "api.example.com"]}),
        );
        assert_eq!(
            submitted.map(|e| (Value::Object(e.response), e.changed)),
            Ok((json!({"CertificateId": "abc"}), true))
        );
        // Submitting again at status 5 replaces the data entirely.
        let again = run(
            &mut state,
            Action::SubmitCertificateInformation,
            json!({"CertificateId": "abc", "OrganizationName": "Y", "KeyPassword": "k",
                   "DomainList": ["www.example.com", "api.example.com"]}),
        );
        assert!(again.is_ok());
        let cert = &state.certificates["abc"];
        assert_eq!(cert.submits_applied, 2);
        assert_eq!(
            cert.submitted_data.clone().map(Value::Object),
            Some(json!({"OrganizationName": "Y", "KeyPassword": "k",
                        "DomainList": ["www.example.com", "api.example.com"]}))
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
                json!({"CertificateId": "abc", "OrganizationName": "Z"})
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
                json!({"CertificateId": "zzz"}),
            ),
            (Action::CertificateOrderSubmit, json!({"CertId": "zzz"})),
        ] {
            assert_eq!(
                code(run(&mut state, action, body)),
                "FailedOperation.CertificateNotFound"
            );
        }
    }

    #[test]
    fn counters_and_names() {
        let mut state = state();
        note_received(&mut state, Action::DescribeCertificateDetail, "abc");
        note_received(&mut state, Action::SubmitCertificateInformation, "abc");
        note_received(&mut state, Action::CertificateOrderSubmit, "nope");
        let cert = &state.certificates["abc"];
        assert_eq!((cert.describes, cert.submits_received), (1, 1));
        assert_eq!(status_name(5, Language::ZhCn), "企业证书，待提交资料");
        assert_eq!(status_name(1, Language::EnUs), "approved");
        assert_eq!(Language::from_header(Some("en-US")), Language::EnUs);
        assert_eq!(beijing_time(1_551_113_065), "2019-02-26 00:44:25");
        assert_eq!(Action::from_name("describecertificatedetail"), None);
    }
}
