//! The parameter tables of the emulated actions of the SSL API
//! 2019-12-05, and the checks the API makes on a request body before
//! anything is carried out (docs/api.md §3, "The actions"). The mapping from
//! `CertificateInfoSubmit`'s names to `SubmittedData`'s is the emulator's
//! own, written from the reference, not tccert's, so that a mistake on either
//! side shows in the integration tests.

use serde_json::{Map, Value};

use super::call::{ApiError, Param, ParamType, p};
use crate::api::action::Action;
use crate::api::sign::utc_date;

use ParamType::{Bool, Int, String as Str, StringArray, UInt, UIntArray};

pub(super) const DESCRIBE_PARAMS: &[Param] = &[p("CertificateId", Str, true)];

/// `DescribeCertificates`: paging and every official filter, with its
/// type. The emulator applies `SearchKey` (in the id or a name),
/// `CertificateStatus`, `CertIds`, `Tags` (every tag given, by key and
/// value) and `ExpirationSort` (by end time, certificates without one
/// last); the others are accepted and change nothing, as every emulated
/// certificate is a bought, non-SM, non-hosted server certificate.
pub(super) const LIST_PARAMS: &[Param] = &[
    p("Offset", UInt, false),
    p("Limit", UInt, false),
    p("SearchKey", Str, false),
    p("CertificateType", Str, false),
    p("ProjectId", UInt, false),
    p("ExpirationSort", Str, false),
    p("CertificateStatus", UIntArray, false),
    p("Deployable", UInt, false),
    p("Upload", Int, false),
    p("Renew", Int, false),
    p("FilterSource", Str, false),
    p("IsSM", Int, false),
    p("FilterExpiring", UInt, false),
    p("Hostable", UInt, false),
    p("Tags", ParamType::TagArray, false),
    p("IsPendingIssue", Int, false),
    p("CertIds", StringArray, false),
    p("ServiceId", Str, false),
];

/// `Limit` when not given, and the most one page holds ("默认10。最大值1000，
/// 如超过1000按1000处理": larger values are read as 1000, not refused).
pub const LIST_DEFAULT_LIMIT: u64 = 10;
pub const LIST_MAX_LIMIT: u64 = 1000;

pub(super) const SUBMIT_PARAMS: &[Param] = &[
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

/// "This field is required" (字段必传) in the reference of
/// `SubmitCertificateInformation`, although its schema marks them optional:
/// the organization, admin and contact fields. `IsDV: true` waives them,
/// as DV certificates need no organization. (`CsrType` is marked the same
/// way, DV or not; `CsrContent` is required when `CsrType` is `parse`.)
pub(super) const SUBMIT_REQUIRED_UNLESS_DV: [&str; 18] = [
    "OrganizationName",
    "OrganizationDivision",
    "OrganizationAddress",
    "OrganizationCountry",
    "OrganizationCity",
    "OrganizationRegion",
    "PhoneAreaCode",
    "PhoneNumber",
    "AdminFirstName",
    "AdminLastName",
    "AdminPhoneNum",
    "AdminEmail",
    "AdminPosition",
    "ContactFirstName",
    "ContactLastName",
    "ContactEmail",
    "ContactNumber",
    "ContactPosition",
];

pub(super) const ORDER_SUBMIT_PARAMS: &[Param] = &[
    p("CertId", Str, true),
    p("DeleteDnsAutoRecord", UInt, false),
    p("VerifyType", Str, false),
];

/// `CertificateInfoSubmit` (docs/api.md §3), in the reference's order.
pub(super) const INFO_SUBMIT_PARAMS: &[Param] = &[
    p("CertId", Str, true),
    p("GenCsrType", Str, true),
    p("CertCommonName", Str, true),
    p("CompanyType", UInt, true),
    p("CompanyId", Str, true),
    p("OrgIdType", Str, false),
    p("OrgIdNumber", Str, false),
    p("AdminIdType", Str, false),
    p("AdminIdNumber", Str, false),
    p("TechIdType", Str, false),
    p("TechIdNumber", Str, false),
    p("Csr", Str, false),
    p("DnsNames", StringArray, false),
    p("KeyPass", Str, false),
    p("OrgOrganization", Str, false),
    p("OrgDivision", Str, false),
    p("OrgAddress", Str, false),
    p("OrgCountry", Str, false),
    p("OrgCity", Str, false),
    p("OrgRegion", Str, false),
    p("OrgPhoneArea", Str, false),
    p("OrgPhoneNumber", Str, false),
    p("VerifyType", Str, false),
    p("AdminFirstName", Str, false),
    p("AdminLastName", Str, false),
    p("AdminPhone", Str, false),
    p("AdminEmail", Str, false),
    p("AdminTitle", Str, false),
    p("TechFirstName", Str, false),
    p("TechLastName", Str, false),
    p("ContactEmail", Str, false),
    p("AutoRenewFlag", UInt, false),
    p("CsrKeyParameter", Str, false),
    p("CsrEncryptAlgo", Str, false),
    p("ManagerId", Str, false),
    p("TechPhone", Str, false),
    p("TechEmail", Str, false),
    p("TechTitle", Str, false),
    p("Type", Int, false),
    p("CaType", Str, false),
    p("SignAlgo", Str, false),
    p("UseCrossSignRoot", Bool, false),
];

/// docs/api.md §3, the name mapping: a `CertificateInfoSubmit` parameter and the
/// `SubmittedData` field it shows as. `TechEmail` and `ContactEmail` both
/// become `ContactEmail` (see [`submitted_data_of`]).
pub(super) const INFO_SUBMIT_TO_SUBMITTED: &[(&str, &str)] = &[
    ("GenCsrType", "CsrType"),
    ("Csr", "CsrContent"),
    ("CertCommonName", "CertificateDomain"),
    ("DnsNames", "DomainList"),
    ("KeyPass", "KeyPassword"),
    ("OrgOrganization", "OrganizationName"),
    ("OrgDivision", "OrganizationDivision"),
    ("OrgAddress", "OrganizationAddress"),
    ("OrgCountry", "OrganizationCountry"),
    ("OrgCity", "OrganizationCity"),
    ("OrgRegion", "OrganizationRegion"),
    ("OrgPhoneArea", "PhoneAreaCode"),
    ("OrgPhoneNumber", "PhoneNumber"),
    ("VerifyType", "VerifyType"),
    ("AdminFirstName", "AdminFirstName"),
    ("AdminLastName", "AdminLastName"),
    ("AdminPhone", "AdminPhoneNum"),
    ("AdminEmail", "AdminEmail"),
    ("AdminTitle", "AdminPosition"),
    ("TechFirstName", "ContactFirstName"),
    ("TechLastName", "ContactLastName"),
    ("TechPhone", "ContactNumber"),
    ("TechEmail", "ContactEmail"),
    ("TechTitle", "ContactPosition"),
];

/// Required by `CertificateInfoSubmit` for `CompanyType` 2 unless
/// `CompanyId` or `ManagerId` names one (docs/api.md §3).
pub(super) const INFO_SUBMIT_ORG: [&str; 8] = [
    "OrgOrganization",
    "OrgDivision",
    "OrgAddress",
    "OrgCountry",
    "OrgCity",
    "OrgRegion",
    "OrgPhoneArea",
    "OrgPhoneNumber",
];

/// Required for `CompanyType` 2 unless `ManagerId` names one (docs/api.md §3).
pub(super) const INFO_SUBMIT_PEOPLE: [&str; 9] = [
    "AdminFirstName",
    "AdminLastName",
    "AdminPhone",
    "AdminEmail",
    "AdminTitle",
    "TechFirstName",
    "TechLastName",
    "TechPhone",
    "TechTitle",
];

pub(super) const VERIFY_TYPES: [&str; 3] = ["DNS_AUTO", "DNS", "FILE"];
pub(super) const CSR_TYPES: [&str; 2] = ["online", "parse"];

/// The emulator's parameter schema of an action.
pub fn params(action: Action) -> &'static [Param] {
    match action {
        Action::DescribeCertificateDetail => DESCRIBE_PARAMS,
        Action::SubmitCertificateInformation => SUBMIT_PARAMS,
        Action::CertificateOrderSubmit => ORDER_SUBMIT_PARAMS,
        Action::CertificateInfoSubmit => INFO_SUBMIT_PARAMS,
        Action::DescribeCertificates => LIST_PARAMS,
        other => super::lifecycle::params(other).unwrap_or_default(),
    }
}

/// The parameter that names the certificate (`DescribeCertificates` names
/// none: its body has no `CertificateId`, so the id reads as empty).
pub fn certificate_param(action: Action) -> &'static str {
    match action {
        Action::CertificateOrderSubmit | Action::CertificateInfoSubmit => "CertId",
        _ => "CertificateId",
    }
}

/// Checks a request body against the action's schema, in the API's order:
/// unknown parameter, then missing required one, then wrong JSON type.
/// Returns the certificate id the request names.
pub fn check_params(action: Action, body: &Map<String, Value>) -> Result<String, ApiError> {
    let params = params(action);
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
        check_submit(body)?;
    }
    if action == Action::CertificateInfoSubmit {
        check_info_submit(body)?;
    }
    if action == Action::DescribeCertificates {
        check_enum(body, "ExpirationSort", &["ASC", "DESC"])?;
    }
    super::lifecycle::check(action, body)?;
    Ok(body
        .get(certificate_param(action))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned())
}

pub(super) fn check_enum(
    body: &Map<String, Value>,
    name: &str,
    allowed: &[&str],
) -> Result<(), ApiError> {
    match body.get(name).and_then(Value::as_str) {
        Some(value) if !allowed.contains(&value) => Err(ApiError::new(
            "FailedOperation.InvalidParam",
            format!("`{name}` must be one of {}.", allowed.join(", ")),
        )),
        _ => Ok(()),
    }
}

/// A parameter as a non-empty string (`""` reads as not given).
pub(super) fn given<'b>(body: &'b Map<String, Value>, name: &str) -> Option<&'b str> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|v| !v.trim().is_empty())
}

/// An id parameter that names something: digits, not all zero ("0" is how
/// the API spells "none").
pub(super) fn names_an_id(body: &Map<String, Value>, name: &str) -> bool {
    given(body, name).is_some_and(|v| v.bytes().any(|b| b != b'0'))
}

pub(super) fn missing(name: &str, when: &str) -> ApiError {
    ApiError::new(
        "MissingParameter",
        format!("The request is missing a required parameter `{name}` ({when})."),
    )
}

/// The rules of `SubmitCertificateInformation` beyond types: the `CsrType`
/// enum, then what the reference requires although its schema does not
/// (see [`SUBMIT_REQUIRED_UNLESS_DV`]). An empty string reads as missing.
pub(super) fn check_submit(body: &Map<String, Value>) -> Result<(), ApiError> {
    check_enum(body, "CsrType", &CSR_TYPES)?;
    match given(body, "CsrType") {
        None => return Err(missing("CsrType", "this field is required")),
        Some("parse") if given(body, "CsrContent").is_none() => {
            return Err(missing("CsrContent", "CsrType is parse"));
        }
        Some(_) => {}
    }
    let dv = body.get("IsDV").and_then(Value::as_bool) == Some(true);
    if !dv
        && let Some(name) = SUBMIT_REQUIRED_UNLESS_DV
            .iter()
            .find(|n| given(body, n).is_none())
    {
        return Err(missing(name, "this field is required unless IsDV is true"));
    }
    Ok(())
}

/// The rules of `CertificateInfoSubmit` beyond types (docs/api.md §3):
/// enums, id syntax, the key pair of an online CSR, and which fields each
/// `CompanyType` needs given `CompanyId` and `ManagerId`.
pub(super) fn check_info_submit(body: &Map<String, Value>) -> Result<(), ApiError> {
    check_enum(body, "GenCsrType", &CSR_TYPES)?;
    let company_type = body.get("CompanyType").and_then(Value::as_u64);
    if !matches!(company_type, Some(1 | 2)) {
        return Err(ApiError::new(
            "InvalidParameterValue",
            "`CompanyType` must be 1 (an individual) or 2 (a company).",
        ));
    }
    for name in ["CompanyId", "ManagerId"] {
        if let Some(value) = body.get(name).and_then(Value::as_str)
            && (value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(ApiError::new(
                "InvalidParameterValue",
                format!("`{name}` must be an id of digits (0 for none)."),
            ));
        }
    }
    let algorithm = given(body, "CsrEncryptAlgo");
    let parameter = given(body, "CsrKeyParameter");
    if let Some(algorithm) = algorithm
        && !["RSA", "ECC"].contains(&algorithm)
    {
        return Err(ApiError::new(
            "InvalidParameterValue",
            "`CsrEncryptAlgo` must be RSA or ECC.",
        ));
    }
    let fits = match (algorithm, parameter) {
        (_, None) => true,
        (Some("ECC"), Some(p)) => p == "prime256v1",
        (_, Some(p)) => ["2048", "4096"].contains(&p),
    };
    if !fits {
        return Err(ApiError::new(
            "InvalidParameterValue",
            "`CsrKeyParameter` must be 2048 or 4096 for RSA, prime256v1 for ECC.",
        ));
    }
    match given(body, "GenCsrType") {
        Some("parse") if given(body, "Csr").is_none() => {
            return Err(missing("Csr", "GenCsrType is parse"));
        }
        Some("online") => {
            for name in ["CsrEncryptAlgo", "CsrKeyParameter"] {
                if given(body, name).is_none() {
                    return Err(missing(name, "GenCsrType is online"));
                }
            }
        }
        _ => {}
    }
    for (name, value) in std::iter::once(("CertCommonName", given(body, "CertCommonName"))).chain(
        body.get("DnsNames")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|d| ("DnsNames", d.as_str())),
    ) {
        let value = value.unwrap_or_default();
        if !well_formed_domain(value) {
            return Err(ApiError::new(
                "FailedOperation.CertificateInfoSubmitDomainInvalid",
                format!("The domain `{value}` you entered ({name}) is malformed."),
            ));
        }
    }
    if company_type == Some(1) {
        if given(body, "ContactEmail").is_none() {
            return Err(ApiError::new(
                "FailedOperation.CertificateInfoSubmitContactEmailEmpty",
                "The email cannot be empty: `ContactEmail` is required when CompanyType is 1.",
            ));
        }
        return Ok(());
    }
    let manager = names_an_id(body, "ManagerId");
    let company = names_an_id(body, "CompanyId");
    if !manager
        && !company
        && let Some(name) = INFO_SUBMIT_ORG.iter().find(|n| given(body, n).is_none())
    {
        return Err(missing(
            name,
            "CompanyType 2 without CompanyId or ManagerId",
        ));
    }
    if !manager && let Some(name) = INFO_SUBMIT_PEOPLE.iter().find(|n| given(body, n).is_none()) {
        return Err(missing(name, "CompanyType 2 without ManagerId"));
    }
    Ok(())
}

/// What `SubmittedData` shows after a `CertificateInfoSubmit`: its fields
/// under the old names (docs/api.md §3, the name mapping); for `CompanyType` 1, `ContactEmail` rather
/// than `TechEmail`. Parameters with no old name are left out.
pub(super) fn submitted_data_of(body: &Map<String, Value>) -> Map<String, Value> {
    let mut data = Map::new();
    for (new, old) in INFO_SUBMIT_TO_SUBMITTED {
        if let Some(value) = body.get(*new) {
            data.insert((*old).to_owned(), value.clone());
        }
    }
    let individual = body.get("CompanyType").and_then(Value::as_u64) == Some(1);
    if let (true, Some(email)) = (individual, body.get("ContactEmail")) {
        data.insert("ContactEmail".to_owned(), email.clone());
    } else if !data.contains_key("ContactEmail")
        && let Some(email) = body.get("ContactEmail")
    {
        data.insert("ContactEmail".to_owned(), email.clone());
    }
    data
}

/// The parameters of a `CertificateInfoSubmit` that `SubmittedData` cannot
/// show (`CompanyType`, `CompanyId`, `CsrEncryptAlgo`, ...), kept for tests.
pub(super) fn successor_only_params(body: &Map<String, Value>) -> Map<String, Value> {
    body.iter()
        .filter(|(name, _)| {
            !matches!(name.as_str(), "CertId" | "ContactEmail")
                && !INFO_SUBMIT_TO_SUBMITTED.iter().any(|(new, _)| new == name)
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
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

/// The server's own rule for a domain name (the emulator keeps its own
/// checks, never the client's, so that a mistake on either side shows):
/// at most 253 characters, an optional leading `*.`, then at least two
/// labels of 1 to 63 letters, digits and `-`, none starting or ending
/// with `-`, the last not all digits.
pub(super) fn well_formed_domain(name: &str) -> bool {
    let bare = name.strip_prefix("*.").unwrap_or(name);
    let labels: Vec<&str> = bare.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && !labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
}
