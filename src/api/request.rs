//! The submit request body of a certificate, built from the field table:
//! exactly the fields the effective certificate sets, named as its API names
//! them, in the API reference's order. Unset fields are omitted, never sent
//! as null or "" (docs/manifest-format.md, "What is sent").
//!
//! Two APIs submit the information (docs/api.md §3): the contract's
//! `SubmitCertificateInformation` and its maintained successor
//! `CertificateInfoSubmit`, whose names differ (docs/api.md §3, the name mapping). `SubmittedData` uses
//! the old names whichever API wrote it, so [`submitted_view`] maps a
//! successor body back to them for the drift comparison.
//!
//! Each value keeps its secret flag, so the same body is sent with real
//! values and displayed with masks: [`Body::to_json`] takes the choice.

use serde_json::{Map, Value as Json};

use crate::api::action::Action;
use crate::api::param::Param;
use crate::certificate::{Api, CERTIFICATE_TAG, Certificate, CompanyType, Csr};
use crate::field::Field;
use crate::secret::MASK;

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

    /// The certificate's `domains`, one secret flag for the list.
    fn push_domains(&mut self, name: &'static str, certificate: &Certificate) {
        let secret = certificate.domains.iter().any(|d| d.secret);
        let list: Vec<Json> = certificate
            .domains
            .iter()
            .map(|d| Json::from(d.value.clone()))
            .collect();
        self.push(name, list, secret);
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
pub fn submit_action(certificate: &Certificate) -> Action {
    certificate.api.action()
}

/// The body of [`submit_action`] for this certificate.
pub fn submit_body(certificate: &Certificate) -> Body {
    match certificate.api {
        Api::SubmitCertificateInformation => legacy_body(certificate),
        Api::CertificateInfoSubmit => successor_body(certificate),
    }
}

/// The name a field is sent under for this certificate, or `None` when its
/// API cannot send it. An individual's contact email is `ContactEmail` in
/// `CertificateInfoSubmit` ("CompanyType为1时，此字段必传"), a company's
/// `TechEmail`.
pub fn sent_name(certificate: &Certificate, field: Field) -> Option<&'static str> {
    let info = field.info();
    match certificate.api {
        Api::SubmitCertificateInformation => info.legacy.then_some(info.api),
        Api::CertificateInfoSubmit
            if field == Field::ContactEmail
                && certificate.company_type == CompanyType::Individual =>
        {
            Some("ContactEmail")
        }
        Api::CertificateInfoSubmit => info.successor,
    }
}

/// `CompanyType`: 1 (an individual; DV certificates only) or 2 (a company),
/// from `company_type`, which defaults to an individual for `dv: true`.
pub fn company_type(certificate: &Certificate) -> u64 {
    certificate.company_type.code()
}

/// One parameter of `CertificateInfoSubmit`, for its order: a fixed
/// parameter ([`Param`]), a profile field (named by the field table,
/// [`crate::field::FIELDS`]), or one of the successor's own.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Param(Param),
    Field(Field),
    Own(&'static str),
}

impl Slot {
    /// Whether the body field `name` is this parameter.
    fn names(self, name: &str) -> bool {
        match self {
            Slot::Param(param) => param.successor_name() == name,
            Slot::Field(field) => field.info().successor == Some(name),
            Slot::Own(own) => own == name,
        }
    }
}

/// The order of `CertificateInfoSubmit`'s parameters in its reference
/// (docs/api.md §3), which is the order of the body. The profile fields'
/// names come from the field table.
const SUCCESSOR_ORDER: [Slot; 31] = [
    Slot::Param(Param::CertificateId),
    Slot::Param(Param::CsrType),
    Slot::Param(Param::Domain),
    Slot::Own("CompanyType"),
    Slot::Field(Field::CompanyId),
    Slot::Param(Param::CsrContent),
    Slot::Param(Param::DomainList),
    Slot::Param(Param::KeyPassword),
    Slot::Field(Field::OrganizationName),
    Slot::Field(Field::OrganizationDivision),
    Slot::Field(Field::OrganizationAddress),
    Slot::Field(Field::OrganizationCountry),
    Slot::Field(Field::OrganizationCity),
    Slot::Field(Field::OrganizationRegion),
    Slot::Field(Field::PhoneAreaCode),
    Slot::Field(Field::PhoneNumber),
    Slot::Field(Field::VerifyType),
    Slot::Field(Field::AdminFirstName),
    Slot::Field(Field::AdminLastName),
    Slot::Field(Field::AdminPhoneNum),
    Slot::Field(Field::AdminEmail),
    Slot::Field(Field::AdminPosition),
    Slot::Field(Field::ContactFirstName),
    Slot::Field(Field::ContactLastName),
    Slot::Own("ContactEmail"),
    Slot::Own("CsrKeyParameter"),
    Slot::Own("CsrEncryptAlgo"),
    Slot::Field(Field::ManagerId),
    Slot::Field(Field::ContactNumber),
    Slot::Field(Field::ContactEmail),
    Slot::Field(Field::ContactPosition),
];

/// The body of `CertificateInfoSubmit` (docs/api.md §3, with the name mapping).
/// `CompanyType` is a JSON integer (the SDKs send one); `CompanyId` and
/// `ManagerId` are always sent, "0" when unset ("若无…传0").
fn successor_body(certificate: &Certificate) -> Body {
    let mut body = Body::default();
    push_shared(&mut body, certificate);
    if let Csr::Online { key, .. } = &certificate.csr {
        body.push("CsrKeyParameter", key.parameter.as_str(), false);
        body.push("CsrEncryptAlgo", key.algorithm.as_str(), false);
    }
    body.push("CompanyType", company_type(certificate), false);
    for name in ["CompanyId", "ManagerId"] {
        if body.get(name).is_none() {
            body.push(name, "0", false);
        }
    }
    body.fields.sort_by_key(|f| {
        SUCCESSOR_ORDER
            .iter()
            .position(|slot| slot.names(f.name))
            .unwrap_or(SUCCESSOR_ORDER.len())
    });
    body
}

/// What both submit bodies carry, named as the certificate's API names it,
/// in `SubmitCertificateInformation`'s order (the successor's body is
/// sorted afterwards): the id, the CSR, the domains, the key password of an
/// online CSR, and the profile fields the API sends.
fn push_shared(body: &mut Body, certificate: &Certificate) {
    let name = |param: Param| certificate.api.param(param);
    let (id, secret) = certificate.id_or_placeholder();
    body.push(name(Param::CertificateId), id, secret);
    match &certificate.csr {
        Csr::Online { .. } => body.push(name(Param::CsrType), "online", false),
        Csr::Parse { pem, .. } => {
            body.push(name(Param::CsrType), "parse", false);
            body.push(name(Param::CsrContent), pem.clone(), false);
        }
    }
    body.push(
        name(Param::Domain),
        certificate.domain.value.clone(),
        certificate.domain.secret,
    );
    if !certificate.domains.is_empty() {
        body.push_domains(name(Param::DomainList), certificate);
    }
    if let Csr::Online {
        key_password: Some(password),
        ..
    } = &certificate.csr
    {
        body.push(name(Param::KeyPassword), password.value.clone(), true);
    }
    for field in Field::ALL {
        if let (Some(name), Some(setting)) = (
            sent_name(certificate, field),
            certificate.fields.get(&field),
        ) {
            body.push(name, setting.value.clone(), setting.secret);
        }
    }
}

/// A `CertificateInfoSubmit` parameter's name in `SubmitCertificateInformation`
/// and `SubmittedData` (docs/api.md §3, the name mapping); `None` for the parameters only
/// the successor has (`CompanyType`, `CompanyId`, `ManagerId`, `CsrKeyParameter`,
/// `CsrEncryptAlgo`, ...), which `SubmittedData` cannot show.
pub fn legacy_name(successor: &str) -> Option<&'static str> {
    if let Some(param) = Param::from_successor_name(successor) {
        return Some(param.legacy_name());
    }
    match successor {
        // An individual's contact email (see [`sent_name`]).
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
    push_shared(&mut body, certificate);
    if certificate.dv {
        body.push("IsDV", true, false);
    }
    body
}

/// The fields compared with the live `SubmittedData`: what is sent, less
/// `CertificateId` (not in SubmittedData) and `IsDV` (which SubmittedData does
/// not return). `KeyPassword` is compared (the official models carry
/// `SubmittedData.KeyPassword`), by name only in every output.
pub fn comparable_fields(body: &Body) -> impl Iterator<Item = &BodyField> {
    body.fields
        .iter()
        .filter(|f| f.name != Param::CertificateId.legacy_name() && f.name != "IsDV")
}

/// The body of `CertificateOrderSubmit`.
pub fn order_body(certificate: &Certificate) -> Body {
    let mut body = Body::default();
    let (id, secret) = certificate.id_or_placeholder();
    body.push(Param::CertificateId.successor_name(), id, secret);
    if let Some(setting) = certificate.fields.get(&Field::VerifyType) {
        body.push("VerifyType", setting.value.clone(), setting.secret);
    }
    body
}

/// The body of `DescribeCertificateDetail`.
pub fn describe_body(certificate: &Certificate) -> Body {
    let mut body = Body::default();
    let (id, secret) = certificate.id_or_placeholder();
    body.push(Param::CertificateId.legacy_name(), id, secret);
    body
}

/// `DescribeCertificateDetail` for an id that no manifest holds (`import`).
pub fn detail_body(certificate_id: &str) -> Body {
    let mut body = Body::default();
    body.push(
        Param::CertificateId.legacy_name(),
        certificate_id.to_owned(),
        false,
    );
    body
}

/// One page of `DescribeCertificates`: `Limit` certificates from `Offset`.
pub fn list_body(offset: u64, limit: u64) -> Body {
    let mut body = Body::default();
    body.push("Offset", offset, false);
    body.push("Limit", limit, false);
    body
}

/// `DescribeCertificates` of these certificate ids (`CertIds`), `Limit`
/// equal to their number, from `Offset`: one call of the bulk read of plan,
/// apply and status. The list is secret when any id is (read from the
/// environment).
pub fn list_ids_body(ids: &[(String, bool)], offset: u64) -> Body {
    let mut body = Body::default();
    body.push("Offset", offset, false);
    body.push("Limit", ids.len() as u64, false);
    let list: Vec<Json> = ids.iter().map(|(id, _)| Json::from(id.clone())).collect();
    body.push("CertIds", list, ids.iter().any(|(_, secret)| *secret));
    body
}

/// At most this many tagged certificates read in one call: one is the
/// normal answer, two or more an error that names them.
pub const TAG_LIST_LIMIT: u64 = 100;

/// `DescribeCertificates` of the certificates carrying `tag` = `value`
/// (`Tags`, one pair), from `Offset`: how a certificate bought by tccert is
/// found again. The value is the certificate's name, never secret.
pub fn tag_list_body(tag: &str, value: &str, offset: u64) -> Body {
    let mut body = Body::default();
    body.push("Offset", offset, false);
    body.push("Limit", TAG_LIST_LIMIT, false);
    body.push(
        "Tags",
        serde_json::json!([{ "TagKey": tag, "TagValue": value }]),
        false,
    );
    body
}

/// The body of an action that takes the certificate's id alone
/// (`CancelAuditCertificate`, `ModifyCertificateResubmit`).
pub fn id_body(certificate: &Certificate) -> Body {
    let mut body = Body::default();
    let (id, secret) = certificate.id_or_placeholder();
    body.push(Param::CertificateId.legacy_name(), id, secret);
    body
}

/// The body of `CreateCertificate` for a certificate's `purchase`:
/// `ProductId`, `DomainNum`, `TimeSpan`, `AutoVoucher` (always sent: the
/// API's default is 1, vouchers used) and `Tags`, [`CERTIFICATE_TAG`] =
/// the certificate's name first, then the manifest's tags in their order.
/// `Tags` is secret when any tag value came from the environment (sent,
/// never shown). Empty for a certificate without `purchase`: there is
/// nothing to buy, and the run never sends it.
pub fn create_body(certificate: &Certificate) -> Body {
    let mut body = Body::default();
    let Some(purchase) = &certificate.purchase else {
        return body;
    };
    body.push("ProductId", purchase.product.value, false);
    body.push("DomainNum", purchase.domain_count, false);
    body.push("TimeSpan", purchase.years, false);
    body.push("AutoVoucher", u64::from(purchase.vouchers), false);
    let mut tags = vec![serde_json::json!({
        "TagKey": CERTIFICATE_TAG,
        "TagValue": certificate.name,
    })];
    tags.extend(
        purchase.tags.iter().map(
            |(key, value)| serde_json::json!({ "TagKey": key.value, "TagValue": value.value }),
        ),
    );
    let secret = purchase
        .tags
        .iter()
        .any(|(key, value)| key.secret || value.secret);
    body.push("Tags", tags, secret);
    body
}

/// The body of `UploadConfirmLetter`: `CertificateId` and `ConfirmLetter`,
/// the file in base64. Not secret (it is the user's own letter, sent only
/// to Tencent Cloud), but never printed: `render` shows its size only.
/// Empty for a certificate without `confirm_letter`.
pub fn letter_body(certificate: &Certificate) -> Body {
    use base64::Engine as _;
    let mut body = Body::default();
    let Some(letter) = &certificate.confirm_letter else {
        return body;
    };
    let (id, secret) = certificate.id_or_placeholder();
    body.push(Param::CertificateId.legacy_name(), id, secret);
    body.push(
        "ConfirmLetter",
        base64::engine::general_purpose::STANDARD.encode(&letter.bytes),
        false,
    );
    body
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::certificate::{ApiChoice, CsrKey, KeyAlgorithm, KeyParameter, Layer, Setting};
    use crate::source::{Files, Sourced, Span};

    fn span() -> Span {
        let mut files = Files::default();
        let file = files.add("m.yaml".into(), String::new());
        Span {
            file,
            line: 1,
            column: 1,
            length: 1,
        }
    }

    fn text(value: &str) -> Sourced<String> {
        Sourced::new(value.to_string(), span())
    }

    /// Every table field set, as a full profile would; `company_id` too.
    fn fields(extra: &[(Field, &str)]) -> BTreeMap<Field, Setting> {
        let values = [
            (Field::OrganizationName, "Acme Ltd"),
            (Field::OrganizationDivision, "IT"),
            (Field::OrganizationAddress, "1 Example Road"),
            (Field::OrganizationCountry, "CN"),
            (Field::OrganizationCity, "Shenzhen"),
            (Field::OrganizationRegion, "Guangdong"),
            (Field::PostalCode, "518000"),
            (Field::PhoneAreaCode, "0755"),
            (Field::PhoneNumber, "86013388"),
            (Field::VerifyType, "DNS"),
            (Field::AdminFirstName, "Luke"),
            (Field::AdminLastName, "Sky"),
            (Field::AdminPhoneNum, "12345678901"),
            (Field::AdminEmail, "admin@acme.example"),
            (Field::AdminPosition, "CTO"),
            (Field::ContactFirstName, "Leia"),
            (Field::ContactLastName, "Organa"),
            (Field::ContactEmail, "pki@acme.example"),
            (Field::ContactNumber, "12345678902"),
            (Field::ContactPosition, "Engineer"),
        ];
        values
            .iter()
            .chain(extra)
            .map(|(field, value)| {
                (
                    *field,
                    Setting {
                        value: (*value).to_string(),
                        layer: Layer::Profile("acme".into()),
                        span: span(),
                        secret: false,
                    },
                )
            })
            .collect()
    }

    fn certificate(api: Api, fields: BTreeMap<Field, Setting>) -> Certificate {
        Certificate {
            name: "www".into(),
            file: span().file,
            span: span(),
            certificate_id: Some(text("abcb1234")),
            purchase: None,
            confirm_letter: None,
            domain: text("www.acme.example"),
            domains: vec![text("acme.example"), text("api.acme.example")],
            dv: false,
            company_type: CompanyType::Company,
            company_type_span: None,
            commit: false,
            api,
            api_choice: ApiChoice::Default,
            csr: Csr::Online {
                key_password: Some(Sourced {
                    secret: true,
                    ..text("kp-secret")
                }),
                key: CsrKey::default(),
            },
            fields,
            profiles: vec!["acme".into()],
            account: None,
        }
    }

    fn sent(certificate: &Certificate) -> Json {
        Json::Object(submit_body(certificate).to_json(Secrets::Reveal))
    }

    #[test]
    fn the_successor_order_names_every_parameter_once_in_the_reference_s_order() {
        let names: Vec<&str> = SUCCESSOR_ORDER
            .iter()
            .map(|slot| match slot {
                Slot::Param(param) => param.successor_name(),
                Slot::Field(field) => field.info().successor.expect("a successor name"),
                Slot::Own(own) => own,
            })
            .collect();
        assert_eq!(
            names,
            [
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
            ]
        );
        for (i, slot) in SUCCESSOR_ORDER.iter().enumerate() {
            assert!(slot.names(names[i]));
            assert_eq!(names.iter().filter(|n| slot.names(n)).count(), 1);
        }
    }

    #[test]
    fn successor_body_follows_the_mapping_table_in_reference_order() {
        let certificate = certificate(
            Api::CertificateInfoSubmit,
            fields(&[(Field::CompanyId, "12345")]),
        );
        assert_eq!(submit_action(&certificate).name(), "CertificateInfoSubmit");
        let body = sent(&certificate);
        let expected = json!({
            "CertId": "abcb1234",
            "GenCsrType": "online",
            "CertCommonName": "www.acme.example",
            "CompanyType": 2,
            "CompanyId": "12345",
            "DnsNames": ["acme.example", "api.acme.example"],
            "KeyPass": "kp-secret",
            "OrgOrganization": "Acme Ltd",
            "OrgDivision": "IT",
            "OrgAddress": "1 Example Road",
            "OrgCountry": "CN",
            "OrgCity": "Shenzhen",
            "OrgRegion": "Guangdong",
            "OrgPhoneArea": "0755",
            "OrgPhoneNumber": "86013388",
            "VerifyType": "DNS",
            "AdminFirstName": "Luke",
            "AdminLastName": "Sky",
            "AdminPhone": "12345678901",
            "AdminEmail": "admin@acme.example",
            "AdminTitle": "CTO",
            "TechFirstName": "Leia",
            "TechLastName": "Organa",
            "CsrKeyParameter": "2048",
            "CsrEncryptAlgo": "RSA",
            "ManagerId": "0",
            "TechPhone": "12345678902",
            "TechEmail": "pki@acme.example",
            "TechTitle": "Engineer",
        });
        assert_eq!(body, expected);
        // Same order as the reference (serde_json keeps insertion order).
        let keys: Vec<&String> = body
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        let expected_keys: Vec<&String> = expected
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, expected_keys);
        assert!(body["CompanyType"].is_u64(), "an integer, not \"2\"");
    }

    /// A company's DV certificate (`company_type: company`) is CompanyType 2,
    /// sent like any company's: the contact email as `TechEmail`, and the
    /// organization, admin and contact fields as a company needs them.
    #[test]
    fn a_company_dv_certificate_is_company_type_2() {
        let mut certificate = certificate(Api::CertificateInfoSubmit, fields(&[]));
        certificate.dv = true;
        certificate.company_type = CompanyType::Company;
        let body = sent(&certificate);
        assert_eq!(body["CompanyType"], 2);
        assert_eq!(body["TechEmail"], "pki@acme.example");
        assert!(body.get("ContactEmail").is_none());
        assert_eq!(body["OrgOrganization"], "Acme Ltd");
        assert!(body.get("IsDV").is_none());
        assert_eq!(
            sent_name(&certificate, Field::ContactEmail),
            Some("TechEmail")
        );
        // SubmittedData shows it as ContactEmail either way.
        let view = submitted_view(&certificate, &submit_body(&certificate)).to_json(Secrets::Mask);
        assert_eq!(view["ContactEmail"], "pki@acme.example");
        // The old API has no CompanyType: it sends IsDV, as before.
        certificate.api = Api::SubmitCertificateInformation;
        let legacy = sent(&certificate);
        assert_eq!(legacy["IsDV"], true);
        assert!(legacy.get("CompanyType").is_none());
    }

    #[test]
    fn company_types_are_the_api_numbers() {
        assert_eq!(CompanyType::Company.code(), 2);
        assert_eq!(CompanyType::Individual.code(), 1);
        assert_eq!(CompanyType::default_for(true), CompanyType::Individual);
        assert_eq!(CompanyType::default_for(false), CompanyType::Company);
        for kind in CompanyType::ALL {
            assert_eq!(CompanyType::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(CompanyType::parse("Company"), None);
    }

    #[test]
    fn dv_is_company_type_1_with_the_contact_email_as_contact_email() {
        let mut certificate = certificate(Api::CertificateInfoSubmit, fields(&[]));
        certificate.dv = true;
        certificate.company_type = CompanyType::default_for(true);
        let body = sent(&certificate);
        assert_eq!(body["CompanyType"], 1);
        assert_eq!(body["ContactEmail"], "pki@acme.example");
        assert!(body.get("TechEmail").is_none());
        assert!(body.get("IsDV").is_none());
        // The old API still says IsDV.
        certificate.api = Api::SubmitCertificateInformation;
        assert_eq!(sent(&certificate)["IsDV"], true);
    }

    #[test]
    fn parse_sends_the_csr_and_no_key_parameters() {
        let mut certificate = certificate(Api::CertificateInfoSubmit, fields(&[]));
        certificate.csr = Csr::Parse {
            pem: "-----BEGIN CERTIFICATE REQUEST-----\n...".into(),
            span: span(),
        };
        let body = sent(&certificate);
        assert_eq!(body["GenCsrType"], "parse");
        assert_eq!(body["Csr"], "-----BEGIN CERTIFICATE REQUEST-----\n...");
        for absent in ["CsrKeyParameter", "CsrEncryptAlgo", "KeyPass"] {
            assert!(body.get(absent).is_none(), "{absent}");
        }
    }

    #[test]
    fn the_online_key_is_sent_as_chosen() {
        let mut certificate = certificate(Api::CertificateInfoSubmit, fields(&[]));
        certificate.csr = Csr::Online {
            key_password: None,
            key: CsrKey {
                algorithm: KeyAlgorithm::Ecc,
                parameter: KeyParameter::Prime256v1,
                span: Some(span()),
            },
        };
        let body = sent(&certificate);
        assert_eq!(body["CsrEncryptAlgo"], "ECC");
        assert_eq!(body["CsrKeyParameter"], "prime256v1");
        assert!(body.get("KeyPass").is_none());
    }

    #[test]
    fn unset_fields_are_omitted_and_nothing_is_null_or_empty() {
        let only_manager = fields(&[(Field::ManagerId, "678")])
            .into_iter()
            .filter(|(f, _)| *f == Field::ManagerId)
            .collect();
        let mut certificate = certificate(Api::CertificateInfoSubmit, only_manager);
        certificate.domains.clear();
        let body = sent(&certificate);
        let keys: Vec<&str> = body
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "CertId",
                "GenCsrType",
                "CertCommonName",
                "CompanyType",
                "CompanyId",
                "KeyPass",
                "CsrKeyParameter",
                "CsrEncryptAlgo",
                "ManagerId"
            ]
        );
        assert_eq!(body["ManagerId"], "678");
        assert_eq!(body["CompanyId"], "0");
        for (name, value) in body.as_object().into_iter().flatten() {
            assert!(!value.is_null() && value != "", "{name} is {value}");
        }
    }

    #[test]
    fn secrets_are_masked_for_display() {
        let mut fields = fields(&[(Field::CompanyId, "90817")]);
        if let Some(setting) = fields.get_mut(&Field::CompanyId) {
            setting.secret = true; // came from the environment
        }
        let certificate = certificate(Api::CertificateInfoSubmit, fields);
        let shown = Json::Object(submit_body(&certificate).to_json(Secrets::Mask));
        assert_eq!(shown["KeyPass"], MASK);
        assert_eq!(shown["CompanyId"], MASK);
        assert!(!shown.to_string().contains("kp-secret"));
        assert!(!shown.to_string().contains("90817"));
        assert_eq!(sent(&certificate)["KeyPass"], "kp-secret");
    }

    #[test]
    fn the_legacy_body_is_unchanged_and_never_sends_successor_fields() {
        let certificate = certificate(
            Api::SubmitCertificateInformation,
            fields(&[(Field::CompanyId, "12345"), (Field::ManagerId, "678")]),
        );
        assert_eq!(
            submit_action(&certificate).name(),
            "SubmitCertificateInformation"
        );
        let body = sent(&certificate);
        for absent in [
            "CompanyId",
            "ManagerId",
            "CompanyType",
            "CsrKeyParameter",
            "CsrEncryptAlgo",
        ] {
            assert!(body.get(absent).is_none(), "{absent}");
        }
        assert_eq!(body["PostalCode"], "518000");
        assert_eq!(body["KeyPassword"], "kp-secret");
        assert_eq!(body["CertificateDomain"], "www.acme.example");
    }

    /// Drift sees the same thing whichever API wrote the information: the
    /// successor body, under SubmittedData's names, compares exactly the
    /// fields the legacy body compares, less the PostalCode it cannot send.
    #[test]
    fn the_successor_view_is_the_legacy_comparison_less_postal_code() {
        let table = fields(&[(Field::CompanyId, "12345")]);
        let legacy = certificate(Api::SubmitCertificateInformation, table.clone());
        let successor = certificate(Api::CertificateInfoSubmit, table);
        let legacy_body = submit_body(&legacy);
        let view = submitted_view(&successor, &submit_body(&successor));
        let compared = |body: &Body| -> BTreeMap<&'static str, Json> {
            comparable_fields(body)
                .map(|f| (f.name, f.value.clone()))
                .collect()
        };
        let mut expected = compared(&legacy_body);
        expected.remove("PostalCode");
        assert_eq!(compared(&view), expected);
        assert!(view.get("CompanyId").is_none() && view.get("CompanyType").is_none());
        assert_eq!(view.get("KeyPassword").map(|f| f.secret), Some(true));
        assert_eq!(submitted_view(&legacy, &legacy_body), legacy_body);
    }

    #[test]
    fn legacy_names_of_successor_parameters() {
        for (new, old) in [
            ("CertId", Some("CertificateId")),
            ("GenCsrType", Some("CsrType")),
            ("Csr", Some("CsrContent")),
            ("CertCommonName", Some("CertificateDomain")),
            ("DnsNames", Some("DomainList")),
            ("KeyPass", Some("KeyPassword")),
            ("OrgPhoneArea", Some("PhoneAreaCode")),
            ("TechEmail", Some("ContactEmail")),
            ("ContactEmail", Some("ContactEmail")),
            ("AdminTitle", Some("AdminPosition")),
            ("CompanyType", None),
            ("CompanyId", None),
            ("ManagerId", None),
            ("CsrKeyParameter", None),
            ("CsrEncryptAlgo", None),
        ] {
            assert_eq!(legacy_name(new), old, "{new}");
        }
    }

    #[test]
    fn the_bulk_list_asks_for_exactly_its_ids_and_masks_a_secret_one() {
        let ids = [("id-a".to_string(), false), ("id-b".to_string(), true)];
        let body = list_ids_body(&ids, 0);
        assert_eq!(
            Json::Object(body.to_json(Secrets::Reveal)),
            json!({"Offset": 0, "Limit": 2, "CertIds": ["id-a", "id-b"]})
        );
        assert_eq!(body.to_json(Secrets::Mask)["CertIds"], json!([MASK, MASK]));
        assert_eq!(
            list_ids_body(&ids[..1], 30).to_json(Secrets::Reveal)["Offset"],
            30
        );
    }

    #[test]
    fn the_create_body_names_every_parameter_as_the_models_do_with_tccerts_tag_first() {
        let mut bought = certificate(Api::SubmitCertificateInformation, fields(&[]));
        assert_eq!(create_body(&bought), Body::default(), "nothing to buy");
        bought.certificate_id = None;
        bought.purchase = Some(crate::certificate::Purchase {
            product: Sourced::new(15, span()),
            years: 2,
            domain_count: 3,
            vouchers: false,
            tags: vec![
                (text("team"), text("web")),
                (
                    text("owner"),
                    Sourced {
                        secret: true,
                        ..text("from-env")
                    },
                ),
            ],
            layer: Layer::Certificate("www".into()),
            span: span(),
        });
        let body = create_body(&bought);
        assert_eq!(
            Json::Object(body.to_json(Secrets::Reveal)),
            json!({
                "ProductId": 15,
                "DomainNum": 3,
                "TimeSpan": 2,
                "AutoVoucher": 0,
                "Tags": [
                    {"TagKey": "tccert:certificate", "TagValue": "www"},
                    {"TagKey": "team", "TagValue": "web"},
                    {"TagKey": "owner", "TagValue": "from-env"},
                ],
            })
        );
        assert!(body.get("Tags").is_some_and(|t| t.secret));
        // The names are the official models' (tests/fixtures/sdk-models-ssl.json).
        let models: Json =
            serde_json::from_str(include_str!("../../tests/fixtures/sdk-models-ssl.json"))
                .expect("the fixture");
        for (action, body) in [("CreateCertificate", &body)] {
            let request = &models["actions"][action]["request"];
            for field in &body.fields {
                assert!(
                    request.get(field.name).is_some(),
                    "{action}: {}",
                    field.name
                );
            }
        }

        bought.confirm_letter = Some(crate::certificate::ConfirmLetter {
            path: text("letter.pdf"),
            bytes: b"%PDF-1".as_slice().into(),
        });
        let letter = letter_body(&bought);
        assert_eq!(
            Json::Object(letter.to_json(Secrets::Reveal)),
            json!({"CertificateId": crate::certificate::TO_BE_BOUGHT, "ConfirmLetter": "JVBERi0x"})
        );
        let request = &models["actions"]["UploadConfirmLetter"]["request"];
        for field in &letter.fields {
            assert!(request.get(field.name).is_some(), "{}", field.name);
            assert!(!field.secret);
        }
    }
}
