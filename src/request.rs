//! The `SubmitCertificateInformation` request body of a certificate, built
//! from the field table: exactly the fields the effective certificate sets,
//! named as the API names them, in the API reference's order. Unset fields are
//! omitted, never sent as null or "" (manifest-format.md, "What is sent").
//!
//! Each value keeps its secret flag, so the same body is sent with real
//! values and displayed with masks: [`Body::to_json`] takes the choice.

use serde_json::{Map, Value as Json};

use crate::field::Field;
use crate::model::{Certificate, Csr};
use crate::secret::MASK;

pub const SUBMIT_ACTION: &str = "SubmitCertificateInformation";
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

/// The body of `SubmitCertificateInformation` for this certificate.
pub fn submit_body(certificate: &Certificate) -> Body {
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
    } = &certificate.csr
    {
        body.push("KeyPassword", password.value.clone(), true);
    }
    for field in Field::ALL {
        if let Some(setting) = certificate.fields.get(&field) {
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
