//! Typed replies of the reads: what `DescribeCertificates` and
//! `DescribeCertificateDetail` answer, by the official names, read once
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
