//! Finding a bought certificate again: every certificate tccert buys
//! carries the tag [`CERTIFICATE_TAG`] = its name, and a certificate with
//! `purchase:` and no `certificate_id` is the one certificate of its
//! account with that tag (docs/lifecycle.md, "Found again by its tag").
//! Pure: what a tag list says; [`super::Run::find_by_tag`] reads it.

use serde_json::{Map, Value as Json};

use crate::api::error::CallError;
use crate::api::reply::{ListItem, list_page};
use crate::api::status;

pub use crate::certificate::CERTIFICATE_TAG;

/// Statuses a tagged certificate is left out at: it cannot be reconciled
/// again (expired, revoked, refunded), so a new one is bought.
pub const GONE: [u64; 3] = [status::EXPIRED, status::REVOKED, status::REFUNDED];

/// What the account holds with a certificate's tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tagged {
    /// Nothing (or only expired, revoked or refunded ones): to buy.
    Nothing,
    /// One: reconciled as if its id were in the manifest.
    One(ListItem),
    /// Two or more: an error for that certificate, and nothing is bought.
    Many(Vec<String>),
}

/// What the items of a tag list say, leaving out [`GONE`] ones.
pub fn tagged(items: Vec<ListItem>) -> Tagged {
    let mut seen = std::collections::HashSet::new();
    let mut live: Vec<ListItem> = items
        .into_iter()
        .filter(|item| !GONE.contains(&item.status))
        .filter(|item| seen.insert(item.certificate_id.clone()))
        .collect();
    match live.len() {
        0 => Tagged::Nothing,
        1 => Tagged::One(live.remove(0)),
        _ => Tagged::Many(live.into_iter().map(|i| i.certificate_id).collect()),
    }
}

/// Reading a certificate's tag list page by page (`Offset`, by
/// `TotalCount`), refusing what a server that does not filter or page
/// honestly answers: an item whose `Tags` lack the tag (another
/// certificate: read or downloaded as this one, it would be the wrong
/// one), a page that brings no certificate not listed before (the same page
/// again), and a list cut short of its `TotalCount` (what was not read
/// could hold the certificate: "nothing" would buy it again).
#[derive(Debug)]
pub struct TagPaging {
    name: String,
    offset: u64,
    total: u64,
    pages: usize,
    items: Vec<ListItem>,
    seen: std::collections::HashSet<String>,
}

impl TagPaging {
    /// The list of the certificate `name`'s tag, none read yet.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            offset: 0,
            total: 0,
            pages: 0,
            items: Vec::new(),
            seen: std::collections::HashSet::new(),
        }
    }

    /// The `Offset` of the next page.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Takes one page's reply; `Ok(true)` when the list is whole (its
    /// `TotalCount` reached, or an empty page).
    pub fn take(&mut self, response: &Map<String, Json>) -> Result<bool, CallError> {
        let (total, page) = list_page(response)?;
        let bad = |what: String| {
            CallError::Decode(format!(
                "DescribeCertificates answered the list of the tag {CERTIFICATE_TAG}={} with {what}; not trusted",
                self.name
            ))
        };
        let raw = response.get("Certificates").and_then(Json::as_array);
        for item in raw.into_iter().flatten() {
            if let Some(tags) = item.get("Tags").and_then(Json::as_array)
                && !tags.iter().any(|t| {
                    t.get("TagKey").and_then(Json::as_str) == Some(CERTIFICATE_TAG)
                        && t.get("TagValue").and_then(Json::as_str) == Some(self.name.as_str())
                })
            {
                let id = item
                    .get("CertificateId")
                    .and_then(Json::as_str)
                    .unwrap_or_default();
                return Err(bad(format!(
                    "the certificate {id}, which does not carry that tag"
                )));
            }
        }
        self.pages += 1;
        self.total = total;
        let empty = page.is_empty();
        self.offset += page.len() as u64;
        let mut new = false;
        for item in page {
            if self.seen.insert(item.certificate_id.clone()) {
                new = true;
                self.items.push(item);
            }
        }
        if !empty && !new {
            return Err(bad(format!(
                "a page (to Offset {}) holding only certificates it had listed already",
                self.offset
            )));
        }
        Ok(empty || self.offset >= total)
    }

    /// What the list says. `whole`: whether [`TagPaging::take`] said so;
    /// a list read in part says only "two or more", never "one" or
    /// "nothing".
    pub fn finish(self, whole: bool) -> Result<Tagged, CallError> {
        let found = tagged(self.items);
        if whole || matches!(found, Tagged::Many(_)) {
            return Ok(found);
        }
        Err(CallError::Decode(format!(
            "DescribeCertificates counted {} certificates with the tag {CERTIFICATE_TAG}={}, more than {} pages hold ({} read); not read further, so whether it is bought is not known",
            self.total, self.name, self.pages, self.offset
        )))
    }
}

/// The error of a certificate whose tag is on two or more certificates.
pub const TAGGED_TWICE: &str = "tccert.TaggedTwice";

/// Its message: names the ids, says nothing is bought and how to choose.
pub fn tagged_twice_message(name: &str, ids: &[String]) -> String {
    format!(
        "{} certificates carry the tag {CERTIFICATE_TAG}={name}: {}; nothing is bought. Put the one to keep in the manifest as `certificate_id` (and remove `purchase`), or remove the tag from the others",
        ids.len(),
        ids.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, status: u64) -> ListItem {
        ListItem {
            certificate_id: id.into(),
            status,
            status_message: None,
        }
    }

    #[test]
    fn none_one_or_many_leaving_out_expired_revoked_and_refunded() {
        assert_eq!(tagged(vec![]), Tagged::Nothing);
        assert_eq!(
            tagged(vec![item("a", 3), item("b", 10), item("c", 14)]),
            Tagged::Nothing
        );
        assert_eq!(
            tagged(vec![item("a", 3), item("b", 5)]),
            Tagged::One(item("b", 5))
        );
        assert_eq!(
            tagged(vec![item("a", 1), item("b", 5), item("c", 10)]),
            Tagged::Many(vec!["a".into(), "b".into()])
        );
        // A page listing one certificate twice is still one certificate.
        assert_eq!(
            tagged(vec![item("a", 5), item("b", 3), item("a", 5)]),
            Tagged::One(item("a", 5))
        );
    }

    fn page(total: u64, items: &[(&str, u64, Option<&str>)]) -> Map<String, Json> {
        let certificates: Vec<Json> = items
            .iter()
            .map(|(id, status, tag)| {
                let mut item = serde_json::json!({"CertificateId": id, "Status": status});
                if let Some(value) = tag {
                    item["Tags"] =
                        serde_json::json!([{"TagKey": CERTIFICATE_TAG, "TagValue": value}]);
                }
                item
            })
            .collect();
        serde_json::json!({"TotalCount": total, "Certificates": certificates})
            .as_object()
            .cloned()
            .unwrap()
    }

    #[test]
    fn a_tag_list_is_read_whole_or_refused() {
        // Two pages, whole: one live certificate (tags absent or carrying it).
        let mut paging = TagPaging::new("shop");
        assert!(!paging.take(&page(2, &[("a", 3, Some("shop"))])).unwrap());
        assert_eq!(paging.offset(), 1);
        assert!(paging.take(&page(2, &[("b", 1, None)])).unwrap());
        assert_eq!(paging.finish(true).unwrap(), Tagged::One(item("b", 1)));

        // Another certificate answered (its Tags lack the tag): refused.
        let mut paging = TagPaging::new("shop");
        let error = paging
            .take(&page(1, &[("victim", 1, Some("other"))]))
            .unwrap_err();
        assert!(error.to_string().contains("victim"), "{error}");

        // The same page again: refused.
        let mut paging = TagPaging::new("shop");
        assert!(
            !paging
                .take(&page(100_000, &[("a", 1, Some("shop"))]))
                .unwrap()
        );
        assert!(
            paging
                .take(&page(100_000, &[("a", 1, Some("shop"))]))
                .is_err()
        );

        // Cut short of TotalCount: neither "one" nor "nothing" is known...
        let mut paging = TagPaging::new("shop");
        assert!(!paging.take(&page(100_000, &[("g1", 3, None)])).unwrap());
        assert!(!paging.take(&page(100_000, &[("g2", 3, None)])).unwrap());
        let error = paging.finish(false).unwrap_err();
        assert!(error.to_string().contains("100000"), "{error}");
        // ...but two live ones already read are two, whatever follows.
        let mut paging = TagPaging::new("shop");
        assert!(
            !paging
                .take(&page(9, &[("a", 1, None), ("b", 5, None)]))
                .unwrap()
        );
        assert_eq!(
            paging.finish(false).unwrap(),
            Tagged::Many(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn the_error_names_every_id_and_the_way_out() {
        let message = tagged_twice_message("shop", &["x1".into(), "x2".into()]);
        assert!(
            message.starts_with("2 certificates carry the tag tccert:certificate=shop: x1, x2")
        );
        assert!(message.contains("nothing is bought"));
    }
}
