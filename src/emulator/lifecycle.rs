//! The lifecycle actions of the SSL API the emulator serves beside the
//! submit and the reads: `CreateCertificate` (a purchase),
//! `CancelAuditCertificate`, `ModifyCertificateResubmit`,
//! `UploadConfirmLetter`, `CheckCertificateDomainVerification`,
//! `CompleteCertificate` and `DownloadCertificate`: their parameter tables,
//! the emulator's own product table, and what each does to the state.
//!
//! The product table is read from the official `ProductId` description of
//! `CreateCertificate` (quoted in [`OFFICIAL_PRODUCT_TABLE`]), so the
//! emulator's idea of a product's brand and type comes from the official
//! words, not from the client's table: a mistake on either side shows in
//! the tests.

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::call::{ApiError, Caller, Executed, Param, ParamType};
use super::issuer::{self, Issuer};
use super::state::{CANCELLED, CANCELLING, CertificateState, Purchase, StateSnapshot, Tag};
use crate::api::action::Action;
use crate::api::status::{INFO_SUBMITTED, ISSUED, PENDING_SUBMISSION};

/// `CreateCertificate`'s `ProductId` description in the official SDK models
/// (tencentcloud-sdk-go, `ssl/v20191205/models.go`,
/// `CreateCertificateRequestParams`, v1.3.166), the `<br>` separators as
/// newlines. The emulator parses its product table from it.
pub const OFFICIAL_PRODUCT_TABLE: &str = "证书套餐类型：
3：SecureSite 增强型企业版（EV Pro），
4：SecureSite 增强型（EV），
5：SecureSite 企业型专业版（OV Pro），
6：SecureSite 企业型（OV），
7：SecureSite 企业型（OV）通配符，
8：Geotrust 增强型（EV），
9：Geotrust 企业型（OV），
10：Geotrust 企业型（OV）通配符，
11：TrustAsia 域名型多域名 SSL 证书，
12：TrustAsia 域名型（DV）通配符，
13：TrustAsia 企业型通配符（OV）SSL 证书（D3），
14：TrustAsia 企业型（OV）SSL 证书（D3），
15：TrustAsia 企业型多域名 （OV）SSL 证书（D3），
16：TrustAsia 增强型 （EV）SSL 证书（D3），
17：TrustAsia 增强型多域名（EV）SSL 证书（D3），
18：GlobalSign 企业型（OV）SSL 证书，
19：GlobalSign 企业型通配符 （OV）SSL 证书，
20：GlobalSign 增强型 （EV）SSL 证书，
21：TrustAsia 企业型通配符多域名（OV）SSL 证书（D3），
22：GlobalSign 企业型多域名（OV）SSL 证书，
23：GlobalSign 企业型通配符多域名（OV）SSL 证书，
24：GlobalSign 增强型多域名（EV）SSL 证书，
25：Wotrus 域名型证书，
26：Wotrus 域名型多域名证书，
27：Wotrus 域名型通配符证书，
28：Wotrus 企业型证书，
29：Wotrus 企业型多域名证书，
30：Wotrus 企业型通配符证书，
31：Wotrus 增强型证书，
32：Wotrus 增强型多域名证书，
33：WoTrus-国密域名型证书，
34：WoTrus-国密域名型证书（多域名），
35：WoTrus-国密域名型证书（通配符），
37：WoTrus-国密企业型证书，
38：WoTrus-国密企业型证书（多域名），
39：WoTrus-国密企业型证书（通配符），
40：WoTrus-国密增强型证书，
41：WoTrus-国密增强型证书（多域名），
42：TrustAsia-域名型证书（通配符多域名），
43：DNSPod-企业型(OV)SSL证书
44：DNSPod-企业型(OV)通配符SSL证书
45：DNSPod-企业型(OV)多域名SSL证书
46：DNSPod-增强型(EV)SSL证书
47：DNSPod-增强型(EV)多域名SSL证书
48：DNSPod-域名型(DV)SSL证书
49：DNSPod-域名型(DV)通配符SSL证书
50：DNSPod-域名型(DV)多域名SSL证书
51：DNSPod（国密）-企业型(OV)SSL证书
52：DNSPod（国密）-企业型(OV)通配符SSL证书
53：DNSPod（国密）-企业型(OV)多域名SSL证书
54：DNSPod（国密）-域名型(DV)SSL证书
55：DNSPod（国密）-域名型(DV)通配符SSL证书
56：DNSPod（国密）-域名型(DV)多域名SSL证书
57：SecureSite 企业型专业版多域名(OV Pro)
58：SecureSite 企业型多域名(OV)
59：SecureSite 增强型专业版多域名(EV Pro)
60：SecureSite 增强型多域名(EV)
61：Geotrust 增强型多域名(EV)
75：SecureSite 企业型(OV)
76：SecureSite 企业型(OV)通配符
77：SecureSite 增强型(EV)
81：GlobalSign 企业型（OV）SSL证书
82：GlobalSign 企业型通配符 （OV）SSL证书
85：GlobalSign 增强型 （EV）SSL证书
88：GlobalSign 企业型通配符多域名 （OV）SSL证书
89：GlobalSign 企业型多域名 （OV）SSL证书
90：GlobalSign 增强型多域名（EV） SSL证书
92：SecureSite 企业型专业版多域名(OV Pro)
93：SecureSite 企业型多域名(OV)
94：SecureSite 增强型专业版多域名(EV Pro)
95：SecureSite 增强型多域名(EV)
96：SecureSite 增强型专业版(EV Pro)
97：SecureSite 企业型专业版(OV Pro)
98：CFCA 企业型(OV)SSL证书
99：CFCA 企业型多域名(OV)SSL证书，不支持多年期
100：CFCA 企业型通配符(OV)SSL证书，不支持多年期
101：CFCA 增强型(EV)SSL证书，不支持多年期
102:  Rapid-域名型(DV)SSL证书
103: Rapid-域名型(DV)SSL证书(通配符)
104: TrustAsia-域名型(单域名)
105: SSL单域名证书(一年期)";

/// Validation level of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Dv,
    Ov,
    Ev,
}

/// One product as the emulator reads it from the official text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: u64,
    /// The leading Latin word (`SecureSite`, `WoTrus`, `DNSPod`, ...);
    /// empty for 105, whose text names no brand.
    pub brand: String,
    pub level: Level,
    pub wildcard: bool,
    pub multi_domain: bool,
    /// "不支持多年期": one year only.
    pub single_year: bool,
    pub name: String,
}

/// Parses [`OFFICIAL_PRODUCT_TABLE`]: `N：text` lines. The level is 增强型
/// (EV), 企业型 (OV) or 域名型 (DV); 105 names none and is read as DV (a
/// single-domain, one-year certificate).
pub fn products() -> Vec<Product> {
    OFFICIAL_PRODUCT_TABLE
        .lines()
        .skip(1)
        .filter_map(|line| {
            let (id, text) = line.split_once(['：', ':'])?;
            let id: u64 = id.trim().parse().ok()?;
            let text = text.trim().trim_end_matches('，').to_owned();
            let brand: String = text
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect();
            let brand = if brand == "SSL" { String::new() } else { brand };
            let level = if text.contains("增强型") {
                Level::Ev
            } else if text.contains("企业型") {
                Level::Ov
            } else {
                Level::Dv
            };
            Some(Product {
                id,
                brand,
                level,
                wildcard: text.contains("通配符"),
                multi_domain: text.contains("多域名"),
                single_year: text.contains("不支持多年期") || text.contains("一年期"),
                name: text,
            })
        })
        .collect()
}

pub fn product(id: u64) -> Option<Product> {
    products().into_iter().find(|p| p.id == id)
}

use ParamType::String as Str;

const fn p(name: &'static str, ty: ParamType, required: bool) -> Param {
    Param { name, ty, required }
}

const CREATE_PARAMS: &[Param] = &[
    p("ProductId", ParamType::Int, true),
    p("DomainNum", ParamType::Int, true),
    p("TimeSpan", ParamType::Int, true),
    p("AutoVoucher", ParamType::Int, false),
    p("Tags", ParamType::TagArray, false),
];
const ID_ONLY: &[Param] = &[p("CertificateId", Str, true)];
const LETTER_PARAMS: &[Param] = &[p("CertificateId", Str, true), p("ConfirmLetter", Str, true)];

/// The parameter tables of the lifecycle actions; `None` for the others.
pub fn params(action: Action) -> Option<&'static [Param]> {
    match action {
        Action::CreateCertificate => Some(CREATE_PARAMS),
        Action::UploadConfirmLetter => Some(LETTER_PARAMS),
        Action::CancelAuditCertificate
        | Action::ModifyCertificateResubmit
        | Action::CheckCertificateDomainVerification
        | Action::CompleteCertificate
        | Action::DownloadCertificate => Some(ID_ONLY),
        _ => None,
    }
}

/// Whether the action is one of this module's.
pub fn handles(action: Action) -> bool {
    params(action).is_some()
}

/// The smallest and largest confirmation letter the API takes ("大小应在1kb
/// 与1.4M之间"; 1.4 x 1,048,576 rounded down).
pub const LETTER_MIN_BYTES: usize = 1024;
pub const LETTER_MAX_BYTES: usize = 1_468_006;

/// The checks beyond types, in the API's words where it has codes.
pub fn check(action: Action, body: &Map<String, Value>) -> Result<(), ApiError> {
    if action != Action::CreateCertificate {
        return Ok(());
    }
    let int = |name: &str| body.get(name).and_then(Value::as_i64);
    let id = int("ProductId").unwrap_or(-1);
    let Some(product) = u64::try_from(id).ok().and_then(product) else {
        return Err(ApiError::new(
            "InvalidParameterValue",
            format!("`ProductId` {id} is not a product of the official table."),
        ));
    };
    let domains = int("DomainNum").unwrap_or(0);
    if domains < 1
        || (product.multi_domain && domains < 2)
        || (!product.multi_domain && domains != 1)
    {
        return Err(ApiError::new(
            "InvalidParameterValue",
            format!(
                "`DomainNum` {domains} does not fit product {} ({}): multi-domain products need \
                 more than 1, the others exactly 1.",
                product.id, product.name
            ),
        ));
    }
    let years = int("TimeSpan").unwrap_or(0);
    if !(1..=5).contains(&years) || (product.single_year && years != 1) {
        return Err(ApiError::new(
            "InvalidParameterValue",
            format!(
                "`TimeSpan` {years} does not fit product {}: 1 to 5 years, 1 for products \
                 without multi-year terms.",
                product.id
            ),
        ));
    }
    if let Some(voucher) = int("AutoVoucher")
        && !matches!(voucher, 0 | 1)
    {
        return Err(ApiError::new(
            "InvalidParameterValue",
            "`AutoVoucher` must be 0 or 1.",
        ));
    }
    if let Some(tags) = body.get("Tags").and_then(Value::as_array) {
        for tag in tags {
            let key = tag.get("TagKey").and_then(Value::as_str).unwrap_or("");
            if key.is_empty() || key.chars().count() > 127 {
                return Err(ApiError::new(
                    "InvalidParameterValue",
                    "Each tag needs a `TagKey` of 1 to 127 characters.",
                ));
            }
        }
    }
    Ok(())
}

/// What the lifecycle actions need beside the state.
pub struct Context<'a> {
    pub issuer: &'a Issuer,
    /// Issuance after the order (the emulator's `issue_after`).
    pub issue_after: Option<std::time::Duration>,
    /// When the local check passes, from the order (the emulator's
    /// `local_check_after`); `None`: at the issue time.
    pub local_check_after: Option<std::time::Duration>,
}

/// The product a certificate was bought as, if bought.
fn product_of(cert: &CertificateState) -> Option<Product> {
    cert.purchase.as_ref().and_then(|p| product(p.product_id))
}

/// Where an order sends a certificate: a bought OV or EV product waits for
/// its confirmation letter (8), a bought DV one goes to review (0); a
/// seeded one goes to 8, as before purchases were emulated.
pub fn status_after_order(cert: &CertificateState) -> u64 {
    match product_of(cert) {
        Some(product) if product.level == Level::Dv => 0,
        _ => INFO_SUBMITTED,
    }
}

fn status_error(code: &str, cert: &CertificateState, what: &str) -> ApiError {
    ApiError::new(
        code,
        format!(
            "The certificate's status {} does not allow {what}.",
            cert.status
        ),
    )
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

/// A fresh id of 8 letters and digits, unused in this state.
fn new_certificate_id(state: &StateSnapshot) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let id: String = (0..8)
            .map(|_| char::from(ALNUM[fastrand::usize(..ALNUM.len())]))
            .collect();
        if !state.certificates.contains_key(&id) {
            return id;
        }
    }
}

/// How an action says the certificate it names does not exist (for the
/// caller): the codes its official error list gives.
pub fn not_found(action: Action) -> ApiError {
    let code = match action {
        Action::CancelAuditCertificate => "FailedOperation.CertificateNotFoundOrCantCancel",
        Action::CompleteCertificate => "FailedOperation.CertificateNotFoundOrAudited",
        _ => "FailedOperation.CertificateNotFound",
    };
    ApiError::new(code, "The certificate does not exist.")
}

/// Carries a lifecycle action out. `body` passed the parameter checks; the
/// server refused another owner's certificate already.
pub fn execute(
    state: &mut StateSnapshot,
    action: Action,
    body: &Map<String, Value>,
    caller: Caller<'_>,
    context: &Context<'_>,
) -> Result<Executed, ApiError> {
    if action == Action::CreateCertificate {
        return Ok(create(state, body, caller));
    }
    let id = body
        .get("CertificateId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let cert = state
        .certificates
        .get_mut(id)
        .ok_or_else(|| not_found(action))?;
    let changed = |response: Value| {
        Ok(Executed {
            response: object(response),
            changed: true,
        })
    };
    match action {
        Action::CancelAuditCertificate => {
            if !super::state::waits_for_validation(cert.status) {
                return Err(status_error(
                    "FailedOperation.CertificateNotFoundOrCantCancel",
                    cert,
                    "cancelling the review (only 0, 4 and 8 do)",
                ));
            }
            cert.status = CANCELLING;
            cert.cancel_requested_ms = Some(caller.now_ms);
            changed(json!({"Result": true}))
        }
        Action::ModifyCertificateResubmit => {
            if !matches!(cert.status, 2 | CANCELLED) {
                return Err(status_error(
                    "FailedOperation.CertificateStatusNotAllowResubmit",
                    cert,
                    "a resubmit (only 2 and 7 do)",
                ));
            }
            cert.status = PENDING_SUBMISSION;
            cert.order_id = None;
            cert.ordered_at_ms = None;
            cert.order_verify_type = None;
            cert.cancel_requested_ms = None;
            changed(json!({"CertificateId": id}))
        }
        Action::UploadConfirmLetter => upload_letter(cert, body, id),
        Action::CheckCertificateDomainVerification
            if !super::state::waits_for_validation(cert.status) && cert.status != ISSUED =>
        {
            Err(status_error(
                "FailedOperation.CertificateStatusNotAllowVerify",
                cert,
                "checking the domain validation (only 0, 4, 8 and 1 do)",
            ))
        }
        Action::CheckCertificateDomainVerification => Ok(Executed {
            response: object(
                json!({"VerificationResults": verification(cert, caller.now_ms, context)}),
            ),
            changed: false,
        }),
        Action::CompleteCertificate => {
            if product_of(cert).is_some_and(|p| {
                let brand = p.brand.to_ascii_lowercase();
                brand == "dnspod" || brand == "wotrus"
            }) {
                return Err(ApiError::new(
                    "FailedOperation.InvalidParam",
                    "CompleteCertificate does not serve DNSPod and Wotrus certificates.",
                ));
            }
            if !super::state::waits_for_validation(cert.status) || cert.order_id.is_none() {
                return Err(status_error(
                    "FailedOperation.CertificateNotFoundOrAudited",
                    cert,
                    "checking the domain validation (only an order at 0, 4 or 8 does)",
                ));
            }
            cert.status = ISSUED;
            cert.issued_at_ms = Some(caller.now_ms);
            changed(json!({"CertificateId": id}))
        }
        Action::DownloadCertificate => download(cert, context),
        _ => Err(ApiError::new("InternalError", "not a lifecycle action")),
    }
}

fn create(state: &mut StateSnapshot, body: &Map<String, Value>, caller: Caller<'_>) -> Executed {
    let int = |name: &str| body.get(name).and_then(Value::as_u64).unwrap_or_default();
    let tags = body
        .get("Tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| Tag {
            key: t["TagKey"].as_str().unwrap_or_default().to_owned(),
            value: t["TagValue"].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    let id = new_certificate_id(state);
    let deal = format!("{:012}", 100_000_000_000 + state.certificates.len() as u64);
    let cert = CertificateState {
        certificate_id: id.clone(),
        owner: caller.owner.map(str::to_owned),
        inserted_at: caller.now_ms / 1000,
        purchase: Some(Purchase {
            product_id: int("ProductId"),
            domain_num: int("DomainNum"),
            time_span: int("TimeSpan"),
            auto_voucher: body.get("AutoVoucher").and_then(Value::as_u64).unwrap_or(1),
            tags,
            deal_id: deal.clone(),
        }),
        ..CertificateState::default()
    };
    state.certificates.insert(id.clone(), cert);
    Executed {
        response: object(json!({
            "CertificateIds": [id],
            "DealIds": [deal],
            "ResourceIds": [format!("ssl-{id}")],
        })),
        changed: true,
    }
}

/// The content type of a letter by its first bytes, as the API takes them.
fn letter_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("pdf")
    } else {
        None
    }
}

fn upload_letter(
    cert: &mut CertificateState,
    body: &Map<String, Value>,
    id: &str,
) -> Result<Executed, ApiError> {
    let text = body
        .get("ConfirmLetter")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| {
            ApiError::new(
                "FailedOperation.InvalidConfirmLetterFormat",
                "The confirmation letter is not base64.",
            )
        })?;
    if bytes.len() < LETTER_MIN_BYTES {
        return Err(ApiError::new(
            "FailedOperation.ConfirmLetterTooSmall",
            format!(
                "The confirmation letter is {} bytes; at least 1 KB.",
                bytes.len()
            ),
        ));
    }
    if bytes.len() > LETTER_MAX_BYTES {
        return Err(ApiError::new(
            "FailedOperation.ConfirmLetterTooLarge",
            format!(
                "The confirmation letter is {} bytes; at most 1.4 MB.",
                bytes.len()
            ),
        ));
    }
    if letter_type(&bytes).is_none() {
        return Err(ApiError::new(
            "FailedOperation.InvalidConfirmLetterFormat",
            "The confirmation letter must be a JPG, JPEG, PNG or PDF file.",
        ));
    }
    if product_of(cert).is_some_and(|p| p.level == Level::Dv) {
        return Err(ApiError::new(
            "FailedOperation.UploadConfirmCertificateNotSupportDV",
            "DV certificates take no confirmation letter.",
        ));
    }
    if cert.status != INFO_SUBMITTED {
        return Err(status_error(
            "FailedOperation.InvalidCertificateStatusCode",
            cert,
            "a confirmation letter (only 8 does)",
        ));
    }
    cert.status = 0;
    cert.confirm_letter_bytes = Some(bytes.len() as u64);
    Ok(Executed {
        response: object(json!({"CertificateId": id, "IsSuccess": true})),
        changed: true,
    })
}

/// The certificate's names: its domain, then its `DomainList`.
fn names(cert: &CertificateState) -> Vec<String> {
    let mut names = Vec::new();
    let domain = if cert.domain.is_empty() {
        cert.submitted_data
            .as_ref()
            .and_then(|d| d.get("CertificateDomain"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    } else {
        cert.domain.clone()
    };
    if !domain.is_empty() {
        names.push(domain);
    }
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

/// `VerificationResults`: per name, the local check fails (-1, "txt record
/// not found") until the certificate's issue time (or the emulator's
/// `local_check_after`, when set), then passes (1); `null`
/// for a certificate with no order time (one issued by a test's patch).
fn verification(cert: &CertificateState, now_ms: i64, context: &Context<'_>) -> Value {
    let issued = cert.status == ISSUED;
    let Some(ordered) = cert
        .ordered_at_ms
        .filter(|_| cert.order_id.is_some() || issued)
    else {
        return Value::Null;
    };
    let due = context
        .local_check_after
        .or(context.issue_after)
        .map(|after| ordered.saturating_add(i64::try_from(after.as_millis()).unwrap_or(i64::MAX)));
    let passed = issued || due.is_some_and(|due| now_ms >= due);
    let verify_type = cert
        .order_verify_type
        .clone()
        .or_else(|| {
            cert.submitted_data
                .as_ref()
                .and_then(|d| d.get("VerifyType"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "DNS".to_owned());
    let results: Vec<Value> = names(cert)
        .into_iter()
        .map(|domain| {
            json!({
                "Domain": domain,
                "VerifyType": verify_type,
                "LocalCheck": if passed { 1 } else { -1 },
                "CaCheck": if issued { 2 } else { -1 },
                "LocalCheckFailReason": if passed { "" } else { "txt record not found" },
                "CheckValue": [],
                "Frequently": false,
                "Issued": issued,
            })
        })
        .collect();
    Value::Array(results)
}

fn download(cert: &mut CertificateState, context: &Context<'_>) -> Result<Executed, ApiError> {
    if cert.status != ISSUED {
        return Err(status_error(
            "FailedOperation.InvalidCertificateStatusCode",
            cert,
            "a download (only 1, issued, does)",
        ));
    }
    let names = names(cert);
    let submitted = cert.submitted_data.as_ref();
    let csr = submitted
        .filter(|d| d.get("CsrType").and_then(Value::as_str) == Some("parse"))
        .and_then(|d| d.get("CsrContent"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut changed = false;
    if csr.is_none() && cert.online_key_pem.is_none() {
        cert.online_key_pem =
            Some(issuer::make_online_key().map_err(|e| ApiError::new("InternalError", e))?);
        changed = true;
    }
    let chain_pem = if let Some(chain) = &cert.issued_chain_pem {
        chain.clone()
    } else {
        let issued = context
            .issuer
            .issue(&names, csr.as_deref(), cert.online_key_pem.as_deref())
            .map_err(|e| ApiError::new("FailedOperation.CertificateInvalid", e))?;
        cert.issued_chain_pem = Some(issued.chain_pem.clone());
        changed = true;
        issued.chain_pem
    };
    let base = names
        .first()
        .map_or_else(|| cert.certificate_id.clone(), |n| n.replace('*', "_"));
    let folder = format!("{base}_nginx/");
    let mut entries = vec![
        (folder.clone(), Vec::new()),
        (
            format!("{folder}{base}_bundle.crt"),
            chain_pem.clone().into_bytes(),
        ),
        (format!("{folder}{base}_bundle.pem"), chain_pem.into_bytes()),
    ];
    // `online`: the key made for it (kept); `parse`: the applicant's own.
    if let Some(key) = cert.online_key_pem.clone().filter(|_| csr.is_none()) {
        entries.push((format!("{folder}{base}.key"), key.into_bytes()));
    }
    if let Some(csr) = csr {
        entries.push((format!("{folder}{base}.csr"), csr.into_bytes()));
    }
    let zip = issuer::zip_stored(&entries);
    Ok(Executed {
        response: object(json!({
            "Content": base64::engine::general_purpose::STANDARD.encode(zip),
            "ContentType": "application/zip",
        })),
        changed,
    })
}

/// Counts a well-formed request of a lifecycle action against the
/// certificate it names.
pub fn note_received(cert: &mut CertificateState, action: Action) {
    let count = cert
        .lifecycle_received
        .entry(action.name().to_owned())
        .or_insert(0);
    *count = count.saturating_add(1);
}

/// Whether a certificate carries every tag of a `Tags` filter.
pub fn has_tags(cert: &CertificateState, wanted: &[Value]) -> bool {
    let tags = cert
        .purchase
        .as_ref()
        .map(|p| p.tags.as_slice())
        .unwrap_or_default();
    wanted.iter().all(|w| {
        let key = w.get("TagKey").and_then(Value::as_str).unwrap_or_default();
        let value = w.get("TagValue").and_then(Value::as_str);
        tags.iter()
            .any(|t| t.key == key && value.is_none_or(|v| v == t.value))
    })
}

/// The tags as the API lists them.
pub fn tags_json(cert: &CertificateState) -> Value {
    let tags = cert
        .purchase
        .as_ref()
        .map(|p| p.tags.as_slice())
        .unwrap_or_default();
    Value::Array(
        tags.iter()
            .map(|t| json!({"TagKey": t.key, "TagValue": t.value}))
            .collect(),
    )
}

/// `PackageType`, `PackageTypeName`/`ProductZhName`, `IsDv`, `IsWildcard`
/// of a bought certificate; `None` for a seeded one.
pub fn product_fields(cert: &CertificateState) -> Option<(String, String, bool, bool)> {
    product_of(cert).map(|p| (p.id.to_string(), p.name, p.level == Level::Dv, p.wildcard))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_table_reads_as_products() {
        let all = products();
        // 3 to 61 but 36, 75 to 77, 81, 82, 85, 88 to 90, 92 to 105.
        assert_eq!(all.len(), 81, "every number of the official table");
        let ids: Vec<u64> = all.iter().map(|p| p.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        let one = |id| product(id).unwrap();
        assert_eq!(
            (
                one(3).brand.as_str(),
                one(3).level,
                one(3).wildcard,
                one(3).multi_domain
            ),
            ("SecureSite", Level::Ev, false, false)
        );
        assert_eq!(
            (one(9).brand.as_str(), one(9).level),
            ("Geotrust", Level::Ov)
        );
        assert_eq!((one(12).level, one(12).wildcard), (Level::Dv, true));
        assert_eq!((one(11).level, one(11).multi_domain), (Level::Dv, true));
        assert_eq!((one(42).wildcard, one(42).multi_domain), (true, true));
        assert_eq!(
            (one(51).brand.as_str(), one(51).level),
            ("DNSPod", Level::Ov)
        );
        assert_eq!(one(33).brand, "WoTrus");
        assert!(one(99).single_year && !one(98).single_year);
        assert_eq!(
            (one(102).brand.as_str(), one(102).level),
            ("Rapid", Level::Dv)
        );
        assert_eq!((one(105).brand.as_str(), one(105).level), ("", Level::Dv));
        assert_eq!(product(36), None);
        assert_eq!(product(1), None);
    }

    /// The emulator reads its table from the official words; the client
    /// has its own (`api::product`): they must agree on every product.
    #[test]
    fn the_emulators_table_agrees_with_the_clients() {
        let client = crate::api::product::PRODUCTS;
        let ours = products();
        assert_eq!(ours.len(), client.len());
        for (mine, theirs) in ours.iter().zip(client) {
            let level = match theirs.level {
                crate::api::product::Level::Dv => Level::Dv,
                crate::api::product::Level::Ov => Level::Ov,
                crate::api::product::Level::Ev => Level::Ev,
            };
            assert_eq!(
                (
                    mine.id,
                    mine.level,
                    mine.wildcard,
                    mine.multi_domain,
                    mine.single_year
                ),
                (
                    theirs.id,
                    level,
                    theirs.wildcard,
                    theirs.multi_domain,
                    !theirs.multi_year
                ),
                "{}",
                mine.name
            );
            assert!(
                mine.brand.eq_ignore_ascii_case(theirs.brand),
                "{}",
                mine.name
            );
            assert_eq!(mine.name, theirs.name);
        }
    }

    #[test]
    fn letters_by_content() {
        assert_eq!(letter_type(b"%PDF-1.7"), Some("pdf"));
        assert_eq!(letter_type(&[0xff, 0xd8, 0xff, 0xe0]), Some("jpg"));
        assert_eq!(letter_type(b"\x89PNG\r\n\x1a\n"), Some("png"));
        assert_eq!(letter_type(b"GIF89a"), None);
    }
}
