//! The submit request body of a certificate, built from the field table:
//! exactly the fields the effective certificate sets, named as its API names
//! them, in the API reference's order. Unset fields are omitted, never sent
//! as null or "" (manifest-format.md, "What is sent").
//!
//! Two APIs submit the information (tencent-api.md §1, §2): the contract's
//! `SubmitCertificateInformation` and its maintained successor
//! `CertificateInfoSubmit`, whose names differ (§2.3). `SubmittedData` uses
//! the old names whichever API wrote it, so [`submitted_view`] maps a
//! successor body back to them for the drift comparison.
//!
//! Each value keeps its secret flag, so the same body is sent with real
//! values and displayed with masks: [`Body::to_json`] takes the choice.

use serde_json::{Map, Value as Json};

use crate::field::Field;
use crate::model::{Api, Certificate, Csr};
use crate::secret::MASK;

pub const SUBMIT_ACTION: &str = "SubmitCertificateInformation";
pub const INFO_SUBMIT_ACTION: &str = "CertificateInfoSubmit";
pub const ORDER_ACTION: &str = "CertificateOrderSubmit";
pub const DESCRIBE_ACTION: &str = "DescribeCertificateDetail";
pub const API_VERSION: &str = "2019-12-05";

/// One field of a request body.
#[derive(Clone, Debug, PartialEq)]
pub struct BodyField {
    pub name: &'static str,
    pub value: Json,
    pub secret: bool,
}

/// An ordered request body.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Body {
    pub fields: Vec<BodyField>,
}

/// Whether secrets are written as they are (to send) or masked (to show).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secrets {
    Reveal,
    Mask,
}

impl Body {
    fn push(&mut self, name: &'static str, value: impl Into<Json>, secret: bool) {
        self.fields.push(BodyField {
            name,
            value: value.into(),
            secret,
        });
    }

    pub fn to_json(&self, secrets: Secrets) -> Map<String, Json> {
        self.fields
            .iter()
            .map(|f| {
                let value = match (f.secret, secrets) {
                    (true, Secrets::Mask) => mask(&f.value),
                    _ => f.value.clone(),
                };
                (f.name.to_string(), value)
            })
            .collect()
    }

    pub fn get(&self, name: &str) -> Option<&BodyField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

fn mask(value: &Json) -> Json {
    match value {
        Json::Array(items) => Json::Array(items.iter().map(|_| Json::from(MASK)).collect()),
        _ => Json::from(MASK),
    }
}

/// The submit action of this certificate's API.
pub fn submit_action(certificate: &Certificate) -> &'static str {
    match certificate.api {
        Api::SubmitCertificateInformation => SUBMIT_ACTION,
        Api::CertificateInfoSubmit => INFO_SUBMIT_ACTION,
    }
}

/// Whether an action is one of the two submit actions.
pub fn is_submit_action(action: &str) -> bool {
    action == SUBMIT_ACTION || action == INFO_SUBMIT_ACTION
}

/// The body of [`submit_action`] for this certificate.
pub fn submit_body(certificate: &Certificate) -> Body {
    match certificate.api {
        Api::SubmitCertificateInformation => legacy_body(certificate),
        Api::CertificateInfoSubmit => successor_body(certificate),
    }
}

/// The name a field is sent under for this certificate, or `None` when its
/// API cannot send it. A DV certificate's contact email is `ContactEmail` in
/// `CertificateInfoSubmit` ("CompanyType为1时，此字段必传"), else `TechEmail`.
pub fn sent_name(certificate: &Certificate, field: Field) -> Option<&'static str> {
    let info = field.info();
    match certificate.api {
        Api::SubmitCertificateInformation => info.legacy.then_some(info.api),
        Api::CertificateInfoSubmit if field == Field::ContactEmail && certificate.dv => {
            Some("ContactEmail")
        }
        Api::CertificateInfoSubmit => info.successor,
    }
}

/// `CompanyType`: 1 (an individual; DV certificates only) for `dv: true`,
/// else 2 (a company).
pub fn company_type(certificate: &Certificate) -> u64 {
    if certificate.dv { 1 } else { 2 }
}

/// The order of `CertificateInfoSubmit`'s parameters in its reference
/// (tencent-api.md §2.1), which is the order of the body.
const SUCCESSOR_ORDER: [&str; 31] = [
    "CertId",
    "GenCsrType",
    "CertCommonName",
    "CompanyType",
    "CompanyId",
    "Csr",
    "DnsNames",
    "KeyPass",
    "OrgOrganization",
    "OrgDivision",
    "OrgAddress",
    "OrgCountry",
    "OrgCity",
    "OrgRegion",
    "OrgPhoneArea",
    "OrgPhoneNumber",
    "VerifyType",
    "AdminFirstName",
    "AdminLastName",
    "AdminPhone",
    "AdminEmail",
    "AdminTitle",
    "TechFirstName",
    "TechLastName",
    "ContactEmail",
    "CsrKeyParameter",
    "CsrEncryptAlgo",
    "ManagerId",
    "TechPhone",
    "TechEmail",
    "TechTitle",
];

/// The body of `CertificateInfoSubmit` (tencent-api.md §2.1, §2.3).
/// `CompanyType` is a JSON integer (the SDKs send one); `CompanyId` and
/// `ManagerId` are always sent, "0" when unset ("若无…传0").
fn successor_body(certificate: &Certificate) -> Body {
    let mut body = Body::default();
    let id = &certificate.certificate_id;
    body.push("CertId", id.value.clone(), id.secret);
    match &certificate.csr {
        Csr::Online { key_password, key } => {
            body.push("GenCsrType", "online", false);
            if let Some(password) = key_password {
                body.push("KeyPass", password.value.clone(), true);
            }
            body.push("CsrKeyParameter", key.parameter.as_str(), false);
            body.push("CsrEncryptAlgo", key.algorithm.as_str(), false);
        }
        Csr::Parse { pem, .. } => {
            body.push("GenCsrType", "parse", false);
            body.push("Csr", pem.clone(), false);
        }
    }
    body.push(
        "CertCommonName",
        certificate.domain.value.clone(),
        certificate.domain.secret,
    );
    body.push("CompanyType", company_type(certificate), false);
    if !certificate.domains.is_empty() {
        let secret = certificate.domains.iter().any(|d| d.secret);
        let list: Vec<Json> = certificate
            .domains
            .iter()
            .map(|d| Json::from(d.value.clone()))
            .collect();
        body.push("DnsNames", list, secret);
    }
    for field in Field::ALL {
        if let (Some(name), Some(setting)) = (
            sent_name(certificate, field),
            certificate.fields.get(&field),
        ) {
            body.push(name, setting.value.clone(), setting.secret);
        }
    }
    for name in ["CompanyId", "ManagerId"] {
        if body.get(name).is_none() {
            body.push(name, "0", false);
        }
    }
    body.fields.sort_by_key(|f| {
        SUCCESSOR_ORDER
            .iter()
            .position(|n| *n == f.name)
            .unwrap_or(SUCCESSOR_ORDER.len())
    });
    body
}

/// A `CertificateInfoSubmit` parameter's name in `SubmitCertificateInformation`
/// and `SubmittedData` (tencent-api.md §2.3); `None` for the parameters only
/// the successor has (`CompanyType`, `CompanyId`, `ManagerId`, `CsrKeyParameter`,
/// `CsrEncryptAlgo`, ...), which `SubmittedData` cannot show.
pub fn legacy_name(successor: &str) -> Option<&'static str> {
    match successor {
        "CertId" => Some("CertificateId"),
        "GenCsrType" => Some("CsrType"),
        "Csr" => Some("CsrContent"),
        "CertCommonName" => Some("CertificateDomain"),
        "DnsNames" => Some("DomainList"),
        "KeyPass" => Some("KeyPassword"),
        "ContactEmail" => Some("ContactEmail"),
        other => Field::from_successor_name(other)
            .map(Field::info)
            .filter(|info| info.legacy)
            .map(|info| info.api),
    }
}

/// The body as `SubmittedData` would show it: for `CertificateInfoSubmit`,
/// the fields that have an old name, renamed; the others dropped.
pub fn submitted_view(certificate: &Certificate, body: &Body) -> Body {
    match certificate.api {
        Api::SubmitCertificateInformation => body.clone(),
        Api::CertificateInfoSubmit => Body {
            fields: body
                .fields
                .iter()
                .filter_map(|f| {
                    legacy_name(f.name).map(|name| BodyField {
                        name,
                        value: f.value.clone(),
                        secret: f.secret,
                    })
                })
                .collect(),
        },
    }
}

/// The body of `SubmitCertificateInformation` for this certificate.
fn legacy_body(certificate: &Certificate) -> Body {
    let mut body = Body::default();
    let id = &certificate.certificate_id;
    body.push("CertificateId", id.value.clone(), id.secret);
    match &certificate.csr {
        Csr::Online { .. } => body.push("CsrType", "online", false),
        Csr::Parse { pem, .. } => {
            body.push("CsrType", "parse", false);
            body.push("CsrContent", pem.clone(), false);
        }
    }
    body.push(
        "CertificateDomain",
        certificate.domain.value.clone(),
        certificate.domain.secret,
    );
    if !certificate.domains.is_empty() {
        let secret = certificate.domains.iter().any(|d| d.secret);
        let list: Vec<Json> = certificate
            .domains
            .iter()
            .map(|d| Json::from(d.value.clone()))
            .collect();
        body.push("DomainList", list, secret);
    }
    if let Csr::Online {
        key_password: Some(password),
        ..
    } = &certificate.csr
    {
        body.push("KeyPassword", password.value.clone(), true);
    }
    for field in Field::ALL {
        if let (true, Some(setting)) = (field.info().legacy, certificate.fields.get(&field)) {
            body.push(field.api_name(), setting.value.clone(), setting.secret);
        }
    }
    if certificate.dv {
        body.push("IsDV", true, false);
    }
    body
}

/// The fields compared with the live `SubmittedData`: what is sent, less
/// `CertificateId` (not in SubmittedData) and `KeyPassword` and `IsDV` (which
/// SubmittedData does not return).
pub fn comparable_fields(body: &Body) -> impl Iterator<Item = &BodyField> {
    body.fields
        .iter()
        .filter(|f| !matches!(f.name, "CertificateId" | "KeyPassword" | "IsDV"))
}

/// The body of `CertificateOrderSubmit`.
pub fn order_body(certificate: &Certificate) -> Body {
    let mut body = Body::default();
    body.push(
        "CertId",
        certificate.certificate_id.value.clone(),
        certificate.certificate_id.secret,
    );
    if let Some(setting) = certificate.fields.get(&Field::VerifyType) {
        body.push("VerifyType", setting.value.clone(), setting.secret);
    }
    body
}

/// The body of `DescribeCertificateDetail`.
pub fn describe_body(certificate: &Certificate) -> Body {
    let mut body = Body::default();
    body.push(
        "CertificateId",
        certificate.certificate_id.value.clone(),
        certificate.certificate_id.secret,
    );
    body
}
