//! Finding a bought certificate again: every certificate tccert buys
//! carries the tag [`CERTIFICATE_TAG`] = its name, and a certificate with
//! `purchase:` and no `certificate_id` is the one certificate of its
//! account with that tag (docs/lifecycle.md, "Found again by its tag").
//! Pure: what a tag list says; [`super::Run::find_by_tag`] reads it.

use crate::api::reply::ListItem;
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

    #[test]
    fn the_error_names_every_id_and_the_way_out() {
        let message = tagged_twice_message("shop", &["x1".into(), "x2".into()]);
        assert!(
            message.starts_with("2 certificates carry the tag tccert:certificate=shop: x1, x2")
        );
        assert!(message.contains("nothing is bought"));
    }
}
