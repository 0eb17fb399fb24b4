//! Typed replies: what `DescribeCertificates`, `DescribeCertificateDetail`,
//! `CheckCertificateDomainVerification` and `DownloadCertificate` answer, by the official names, read once
//! here so that no caller looks into a raw reply; and the paging of the
//! list, next to the list's reply. Pure: JSON in, values out.

use serde_json::{Map, Value as Json};

use super::error::CallError;
use super::request::{Body, list_body};

/// One item of a `DescribeCertificates` reply: what the list says of one
/// certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListItem {
    pub certificate_id: String,
    pub status: u64,
    pub status_message: Option<String>,
}

/// One `DescribeCertificates` page: `TotalCount` and its items (official
/// model `DescribeCertificatesResponseParams`: `TotalCount`, `Certificates`,
/// each with `CertificateId`, `Status` and `StatusMsg`). A reply without
/// `TotalCount` or `Certificates`, or an item without an id or a status, is
/// not a list page.
pub fn list_page(response: &Map<String, Json>) -> Result<(u64, Vec<ListItem>), CallError> {
    let bad = |what: &str| CallError::Decode(format!("DescribeCertificates answered {what}"));
    let total = response
        .get("TotalCount")
        .and_then(Json::as_u64)
        .ok_or_else(|| bad("without a TotalCount"))?;
    let items = response
        .get("Certificates")
        .and_then(Json::as_array)
        .ok_or_else(|| bad("without a Certificates list"))?;
    let items = items
        .iter()
        .map(|item| {
            let certificate_id = item.get("CertificateId").and_then(Json::as_str);
            let status = item.get("Status").and_then(Json::as_u64);
            match (certificate_id, status) {
                (Some(id), Some(status)) => Ok(ListItem {
                    certificate_id: id.to_string(),
                    status,
                    status_message: item
                        .get("StatusMsg")
                        .and_then(Json::as_str)
                        .filter(|m| !m.is_empty())
                        .map(str::to_string),
                }),
                _ => Err(bad("an item without a CertificateId or a Status")),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((total, items))
}

/// One page of `DescribeCertificates` when import lists a whole account.
/// The documented maximum is 1000, but a list item carries some 60 fields
/// (1 to 3 KB): a full page of 1000 could pass the 1 MiB tccert accepts in
/// a reply, so pages hold 100, as the bulk read's calls do (docs/api.md).
pub const LIST_PAGE: u64 = 100;

/// Reading every certificate `DescribeCertificates` lists, page by page
/// (`Offset`, `Limit`): the body of the next page, then each page taken
/// until `TotalCount` is reached or a page comes back empty. A page that
/// brings no certificate not seen before is refused: a server repeating
/// itself (or counting ever more) cannot keep the reader paging.
#[derive(Debug, Default)]
pub struct ListPaging {
    offset: u64,
    items: Vec<ListItem>,
    seen: std::collections::HashSet<String>,
}

impl ListPaging {
    /// The body of the next page to read.
    pub fn next_body(&self) -> Body {
        list_body(self.offset, LIST_PAGE)
    }

    /// Takes one page's reply; `Ok(true)` when the list is whole.
    pub fn take(&mut self, response: &Map<String, Json>) -> Result<bool, CallError> {
        let (total, items) = list_page(response)?;
        let empty = items.is_empty();
        self.offset += items.len() as u64;
        let mut new = false;
        for item in items {
            if self.seen.insert(item.certificate_id.clone()) {
                new = true;
                self.items.push(item);
            }
        }
        if !empty && !new {
            return Err(CallError::Decode(format!(
                "DescribeCertificates answered a page (from Offset {}) holding only certificates it had listed already",
                self.offset
            )));
        }
        Ok(empty || self.offset >= total)
    }

    /// Every item read, in the list's order.
    pub fn into_items(self) -> Vec<ListItem> {
        self.items
    }
}

/// One domain-validation record of a `DescribeCertificateDetail` reply
/// (`DvAuthDetail.DvAuths[]`); a field the reply leaves out is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DvAuth {
    /// `DvAuthDomain`.
    pub domain: String,
    /// `DvAuthVerifyType`.
    pub verify_type: String,
    /// `DvAuthKey`.
    pub key: String,
    /// `DvAuthSubDomain`.
    pub sub_domain: String,
    /// `DvAuthValue`.
    pub value: String,
    /// `DvAuthPath`.
    pub path: String,
}

/// What tccert reads of a `DescribeCertificateDetail` reply (official model
/// `DescribeCertificateDetailResponseParams`). Lenient as each reader was:
/// what is missing is `None`, empty or false, and each caller says which
/// fields it cannot do without.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CertificateDetail {
    /// `Status`.
    pub status: Option<u64>,
    /// `StatusMsg`, as sent (possibly empty).
    pub status_message: Option<String>,
    /// `Domain`.
    pub domain: Option<String>,
    /// `IsDv`.
    pub is_dv: bool,
    /// `SubmittedData`, when an object.
    pub submitted: Option<Map<String, Json>>,
    /// `DvAuthDetail.DvAuths`.
    pub dv_auths: Vec<DvAuth>,
    /// `PackageType`: the product's id, as a string (`None` for an
    /// uploaded certificate).
    pub package_type: Option<String>,
    /// `ProductZhName`: the product's name.
    pub product_name: Option<String>,
    /// `Tags`: `(TagKey, TagValue)` pairs, in the reply's order.
    pub tags: Vec<(String, String)>,
}

impl CertificateDetail {
    /// The value of tag `key`, when the certificate carries it.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl CertificateDetail {
    pub fn from_response(response: &Map<String, Json>) -> Self {
        let text = |entry: &Json, key: &str| -> String {
            entry
                .get(key)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let dv_auths = response
            .get("DvAuthDetail")
            .and_then(|d| d.get("DvAuths"))
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
            .map(|entry| DvAuth {
                domain: text(entry, "DvAuthDomain"),
                verify_type: text(entry, "DvAuthVerifyType"),
                key: text(entry, "DvAuthKey"),
                sub_domain: text(entry, "DvAuthSubDomain"),
                value: text(entry, "DvAuthValue"),
                path: text(entry, "DvAuthPath"),
            })
            .collect();
        Self {
            status: response.get("Status").and_then(Json::as_u64),
            status_message: response
                .get("StatusMsg")
                .and_then(Json::as_str)
                .map(str::to_string),
            domain: response
                .get("Domain")
                .and_then(Json::as_str)
                .map(str::to_string),
            is_dv: response.get("IsDv").and_then(Json::as_bool) == Some(true),
            submitted: response
                .get("SubmittedData")
                .and_then(Json::as_object)
                .cloned(),
            dv_auths,
            package_type: text_field(response, "PackageType"),
            product_name: text_field(response, "ProductZhName"),
            tags: response
                .get("Tags")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(|tag| {
                    Some((
                        tag.get("TagKey")?.as_str()?.to_owned(),
                        tag.get("TagValue")?.as_str()?.to_owned(),
                    ))
                })
                .collect(),
        }
    }
}

/// A string field of a reply, `None` when absent, null or not a string.
fn text_field(response: &Map<String, Json>, key: &str) -> Option<String> {
    response.get(key).and_then(Json::as_str).map(str::to_string)
}

/// One domain's checks of a `CheckCertificateDomainVerification` reply
/// (official model `DomainValidationResult`); a field the reply leaves out
/// is empty, `None` or false.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DomainCheck {
    /// `Domain`.
    pub domain: String,
    /// `VerifyType`: `DNS`, `FILE`, `DNS_AUTO`, `DNS_PROXY` or `FILE_PROXY`.
    pub verify_type: String,
    /// `LocalCheck`: Tencent Cloud's own check ([`local_check_words`]).
    pub local_check: Option<i64>,
    /// `CaCheck`: the CA's check ([`ca_check_words`]).
    pub ca_check: Option<i64>,
    /// `LocalCheckFailReason`, as sent (empty when the check passed).
    pub local_fail_reason: String,
    /// `CheckValue`: the values the check found.
    pub check_value: Vec<String>,
    /// `Frequently`: the check was refused for being asked too often.
    pub frequently: bool,
    /// `Issued`.
    pub issued: bool,
}

/// `LocalCheck` of a domain that passed.
pub const LOCAL_CHECK_PASSED: i64 = 1;

/// `CaCheck` of a domain that passed.
pub const CA_CHECK_PASSED: i64 = 2;

impl DomainCheck {
    /// Tencent Cloud's own check passed for this domain.
    pub fn local_passed(&self) -> bool {
        self.local_check == Some(LOCAL_CHECK_PASSED)
    }
}

/// `VerificationResults` of a `CheckCertificateDomainVerification` reply:
/// one check per domain; `null` (which the model allows) or absent is no
/// check yet. A reply whose `VerificationResults` is neither a list nor
/// null is not this action's reply.
pub fn domain_checks(response: &Map<String, Json>) -> Result<Vec<DomainCheck>, CallError> {
    let results = match response.get("VerificationResults") {
        None | Some(Json::Null) => return Ok(Vec::new()),
        Some(Json::Array(results)) => results,
        Some(_) => {
            return Err(CallError::Decode(
                "CheckCertificateDomainVerification answered a VerificationResults that is not a list"
                    .into(),
            ));
        }
    };
    let text = |entry: &Json, key: &str| -> String {
        entry
            .get(key)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(results
        .iter()
        .map(|entry| DomainCheck {
            domain: text(entry, "Domain"),
            verify_type: text(entry, "VerifyType"),
            local_check: entry.get("LocalCheck").and_then(Json::as_i64),
            ca_check: entry.get("CaCheck").and_then(Json::as_i64),
            local_fail_reason: text(entry, "LocalCheckFailReason"),
            check_value: entry
                .get("CheckValue")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect(),
            frequently: entry.get("Frequently").and_then(Json::as_bool) == Some(true),
            issued: entry.get("Issued").and_then(Json::as_bool) == Some(true),
        })
        .collect())
}

/// `LocalCheck` in words, from the official model's list of values
/// (docs/api.md, "The lifecycle actions"). `frequently` (the reply's
/// `Frequently`) tells -1's two meanings apart.
pub fn local_check_words(code: i64, frequently: bool) -> String {
    let words = match code {
        1 => "passed",
        -1 if frequently => "not checked: rate limited (checked too often)",
        -1 => "TXT record not found",
        -2 => "TXT record value does not match",
        -3 | -8 => "NS record not found",
        -4 | -9 => "file not found",
        -5 | -10 => "file content does not match",
        -6 => "CNAME record not found",
        -7 => "CNAME record value does not match",
        other => return format!("unknown result {other}"),
    };
    words.to_owned()
}

/// `CaCheck` in words: -1 not passed, 2 passed (official model).
pub fn ca_check_words(code: i64) -> String {
    match code {
        CA_CHECK_PASSED => "passed".to_owned(),
        -1 => "not passed".to_owned(),
        other => format!("unknown result {other}"),
    }
}

/// What a `DownloadCertificate` reply holds: the ZIP, decoded from
/// `Content` (base64). A reply without `Content`, or whose `Content` is not
/// base64, is not this action's reply.
pub fn download_zip(response: &Map<String, Json>) -> Result<Vec<u8>, CallError> {
    use base64::Engine as _;
    let content = response
        .get("Content")
        .and_then(Json::as_str)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            CallError::Decode("DownloadCertificate answered without a Content".into())
        })?;
    base64::engine::general_purpose::STANDARD
        .decode(content.trim())
        .map_err(|_| {
            CallError::Decode("DownloadCertificate answered a Content that is not base64".into())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Json) -> Map<String, Json> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_detail_is_read_by_the_official_names() {
        let detail = CertificateDetail::from_response(&object(json!({
            "Status": 4,
            "StatusMsg": "",
            "Domain": "www.acme.example",
            "IsDv": true,
            "PackageType": "48",
            "ProductZhName": "DNSPod-域名型(DV)SSL证书",
            "SubmittedData": {"AdminEmail": "a@acme.example"},
            "DvAuthDetail": {"DvAuths": [{
                "DvAuthDomain": "www.acme.example",
                "DvAuthVerifyType": "DNS",
                "DvAuthKey": "_dnsauth",
                "DvAuthValue": "v",
            }]},
        })));
        assert_eq!(detail.status, Some(4));
        assert_eq!(detail.status_message.as_deref(), Some(""));
        assert_eq!(detail.domain.as_deref(), Some("www.acme.example"));
        assert!(detail.is_dv);
        assert_eq!(detail.package_type.as_deref(), Some("48"));
        assert_eq!(
            detail.product_name.as_deref(),
            Some("DNSPod-域名型(DV)SSL证书")
        );
        assert_eq!(detail.submitted.unwrap()["AdminEmail"], "a@acme.example");
        assert!(detail.tags.is_empty());
        let tagged = CertificateDetail::from_response(&object(json!({
            "Tags": [{"TagKey": "team", "TagValue": "web"},
                     {"TagKey": "tccert:certificate", "TagValue": "shop"},
                     {"TagKey": "broken"}],
        })));
        assert_eq!(tagged.tags.len(), 2, "a tag without a value is left out");
        assert_eq!(tagged.tag("tccert:certificate"), Some("shop"));
        assert_eq!(tagged.tag("owner"), None);
        assert_eq!(
            detail.dv_auths,
            [DvAuth {
                domain: "www.acme.example".into(),
                verify_type: "DNS".into(),
                key: "_dnsauth".into(),
                value: "v".into(),
                ..DvAuth::default()
            }]
        );
        let bare = CertificateDetail::from_response(&object(json!({"SubmittedData": null})));
        assert_eq!(bare, CertificateDetail::default());
        assert!(
            !CertificateDetail::from_response(&object(json!({"IsDv": "true"}))).is_dv,
            "only a JSON true is a DV certificate"
        );
    }

    #[test]
    fn domain_checks_are_read_by_the_official_names_and_told_in_words() {
        let checks = domain_checks(&object(json!({"VerificationResults": [
            {"Domain": "www.acme.example", "VerifyType": "DNS", "LocalCheck": -2, "CaCheck": -1,
             "LocalCheckFailReason": "txt record not match", "CheckValue": ["old"],
             "Frequently": false, "Issued": false},
            {"Domain": "api.acme.example", "LocalCheck": 1, "CaCheck": 2, "Issued": true},
        ]})))
        .unwrap();
        assert_eq!(checks.len(), 2);
        assert_eq!(checks[0].local_check, Some(-2));
        assert_eq!(checks[0].check_value, ["old"]);
        assert!(!checks[0].local_passed());
        assert!(checks[1].local_passed() && checks[1].issued);
        assert_eq!(checks[1].verify_type, "");
        assert_eq!(
            domain_checks(&object(json!({"VerificationResults": null}))).unwrap(),
            []
        );
        assert_eq!(domain_checks(&object(json!({}))).unwrap(), []);
        assert!(domain_checks(&object(json!({"VerificationResults": "x"}))).is_err());

        let words: Vec<String> = (-10..=1).map(|c| local_check_words(c, false)).collect();
        assert_eq!(
            words,
            [
                "file content does not match",
                "file not found",
                "NS record not found",
                "CNAME record value does not match",
                "CNAME record not found",
                "file content does not match",
                "file not found",
                "NS record not found",
                "TXT record value does not match",
                "TXT record not found",
                "unknown result 0",
                "passed",
            ]
        );
        assert_eq!(
            local_check_words(-1, true),
            "not checked: rate limited (checked too often)"
        );
        assert_eq!(ca_check_words(2), "passed");
        assert_eq!(ca_check_words(-1), "not passed");
        assert_eq!(ca_check_words(7), "unknown result 7");
    }

    #[test]
    fn a_download_is_the_base64_content() {
        assert_eq!(
            download_zip(&object(
                json!({"Content": "UEsFBg==", "ContentType": "application/zip"})
            ))
            .unwrap(),
            b"PK\x05\x06"
        );
        assert!(download_zip(&object(json!({"Content": "%%"}))).is_err());
        assert!(download_zip(&object(json!({"Content": ""}))).is_err());
        assert!(download_zip(&object(json!({}))).is_err());
    }

    #[test]
    fn paging_goes_on_until_the_total_or_an_empty_page() {
        let page = |total: u64, ids: &[&str]| {
            object(json!({
                "TotalCount": total,
                "Certificates": ids
                    .iter()
                    .map(|id| json!({"CertificateId": id, "Status": 1}))
                    .collect::<Vec<_>>(),
            }))
        };
        let mut paging = ListPaging::default();
        let field =
            |paging: &ListPaging, name: &str| paging.next_body().get(name).unwrap().value.clone();
        assert_eq!(field(&paging, "Offset"), 0);
        assert_eq!(field(&paging, "Limit"), LIST_PAGE);
        assert!(!paging.take(&page(3, &["a", "b"])).unwrap());
        assert_eq!(field(&paging, "Offset"), 2);
        assert!(paging.take(&page(3, &["c"])).unwrap());
        let mut repeating = ListPaging::default();
        assert!(!repeating.take(&page(1_000_000, &["a", "b"])).unwrap());
        assert!(
            repeating.take(&page(1_000_000, &["b", "a"])).is_err(),
            "a page of nothing new ends the paging with an error"
        );
        let ids: Vec<String> = paging
            .into_items()
            .into_iter()
            .map(|i| i.certificate_id)
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        // A list that shrank while paging: an empty page ends it.
        let mut shrunk = ListPaging::default();
        assert!(!shrunk.take(&page(5, &["a"])).unwrap());
        assert!(shrunk.take(&page(5, &[])).unwrap());
        // A page that is not a list page is an error, not a short list.
        assert!(ListPaging::default().take(&object(json!({}))).is_err());
    }
}

/// What `CreateCertificate` answered (official model
/// `CreateCertificateResponseParams`: `CertificateIds`, `DealIds`, string
/// arrays). A missing list reads as empty: the caller checks that exactly
/// one certificate was bought.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bought {
    pub certificate_ids: Vec<String>,
    pub deal_ids: Vec<String>,
}

impl Bought {
    pub fn from_response(response: &Map<String, Json>) -> Self {
        let strings = |name: &str| -> Vec<String> {
            response
                .get(name)
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect()
        };
        Self {
            certificate_ids: strings("CertificateIds"),
            deal_ids: strings("DealIds"),
        }
    }
}

/// A write's Boolean answer: `CancelAuditCertificate`'s `Result`,
/// `UploadConfirmLetter`'s `IsSuccess`. Only `true` is success.
pub fn flag(response: &Map<String, Json>, name: &str) -> bool {
    response.get(name).and_then(Json::as_bool) == Some(true)
}
