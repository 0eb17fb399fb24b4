//! `purchase:` (what `CreateCertificate` buys) and `confirm_letter:` (the
//! file `UploadConfirmLetter` sends), checked and merged.
//!
//! - What one document writes is checked where it is written, once however
//!   many certificates use it ([`check_written`], [`check_letter`]): the
//!   product is in the official table, `years` is 1 to 5, tags follow
//!   Tencent Cloud's tag rules and leave `tccert:certificate` alone, the
//!   letter is a JPG, JPEG, PNG or PDF of the size the API takes.
//! - A certificate's `purchase` merges over its profiles' key by key, the
//!   certificate's keys winning, `tags` key by key too ([`merged`]); what
//!   depends on the whole certificate is checked then ([`check_merged`]):
//!   `certificate_id` or `purchase`, not both, not neither; `dv` against the
//!   product's type; `domain_count` against the names and the product;
//!   `years` against a one-year product.
//! - `confirm_letter` is a scalar: the certificate's own, else the last
//!   profile's ([`effective_letter`]).

use std::collections::HashMap;

use crate::api::product::{self, Level};
use crate::certificate::{CERTIFICATE_TAG, ConfirmLetter, Layer, Purchase};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::manifest::raw::{LetterFile, LetterUnread, RawCertificate, RawProfile, RawPurchase};
use crate::source::{Sourced, Span};
use crate::validate::letter::{self, LetterError};

/// `TimeSpan`: the years a certificate may be bought for. The API says only
/// that more than 1 needs a multi-year product; tccert takes 1 to 5, as the
/// emulator does (docs/manifest-format.md, "Purchase").
pub const YEARS: std::ops::RangeInclusive<i64> = 1..=5;
/// Tencent Cloud's tag rules (docs/manifest-format.md, "Purchase", which
/// names the source): a key of 1 to 127 characters, a value of at most 255,
/// at most 50 tags on one resource, keys starting with these reserved.
pub const TAG_KEY_MAX: usize = 127;
pub const TAG_VALUE_MAX: usize = 255;
pub const TAGS_MAX: usize = 50;
pub const RESERVED_TAG_PREFIXES: [&str; 3] = ["qcloud", "tencent", "project"];

/// Where the official product table is, for messages.
const TABLE: &str = "docs/products.md lists every product with its brand and type";

/// Whether a tag key or value holds only what tags may: letters, digits,
/// spaces and `+ - = . _ : / @`.
fn tag_text_allowed(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || "+-=._:/@".contains(c))
}

/// Why a tag key cannot be used, if it cannot.
fn key_problem(key: &str) -> Option<String> {
    let length = key.chars().count();
    if length == 0 {
        return Some("a tag key cannot be empty".into());
    }
    if length > TAG_KEY_MAX {
        return Some(format!(
            "a tag key has at most {TAG_KEY_MAX} characters; this one has {length}"
        ));
    }
    let lower = key.to_lowercase();
    if let Some(prefix) = RESERVED_TAG_PREFIXES.iter().find(|p| lower.starts_with(*p)) {
        return Some(format!(
            "tag keys starting with `{prefix}` are reserved by Tencent Cloud"
        ));
    }
    if !tag_text_allowed(key) {
        return Some("a tag key holds only letters, digits, spaces and `+ - = . _ : / @`".into());
    }
    None
}

/// Why a tag value cannot be used, if it cannot.
fn value_problem(value: &str) -> Option<String> {
    let length = value.chars().count();
    if length > TAG_VALUE_MAX {
        return Some(format!(
            "a tag value has at most {TAG_VALUE_MAX} characters; this one has {length}"
        ));
    }
    if !tag_text_allowed(value) {
        return Some("a tag value holds only letters, digits, spaces and `+ - = . _ : / @`".into());
    }
    None
}

/// Checks what one document's `purchase` writes, on its own.
pub(super) fn check_written(purchase: &RawPurchase, diagnostics: &mut Diagnostics) {
    if let Some(id) = &purchase.product
        && u64::try_from(id.value)
            .ok()
            .and_then(product::lookup)
            .is_none()
    {
        diagnostics.push(
            Diagnostic::error(
                Code::UnknownProduct,
                format!(
                    "`purchase.product` {} is not a product of CreateCertificate's official table",
                    id.value
                ),
            )
            .at(id.span)
            .with_label("not a ProductId")
            .note(TABLE),
        );
    }
    if let Some(years) = &purchase.years
        && !YEARS.contains(&years.value)
    {
        diagnostics.push(
            Diagnostic::error(
                Code::PurchaseYears,
                format!(
                    "`purchase.years` must be {} to {}; found {}",
                    YEARS.start(),
                    YEARS.end(),
                    years.value
                ),
            )
            .at(years.span)
            .note("TimeSpan is the certificate's term in years"),
        );
    }
    for (key, value) in &purchase.tags {
        if key.value == CERTIFICATE_TAG {
            diagnostics.push(
                Diagnostic::error(
                    Code::ReservedTag,
                    format!("`purchase.tags` may not set `{CERTIFICATE_TAG}`"),
                )
                .at(key.span)
                .note(format!("tccert tags every certificate it buys `{CERTIFICATE_TAG}` = the certificate's name, and finds it again by that tag"))
                .hint("remove this tag; rename the certificate to change the value"),
            );
            continue;
        }
        if let Some(problem) = key_problem(&key.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidTag,
                    format!("`{}` cannot be a tag key: {problem}", key.value),
                )
                .at(key.span)
                .note("Tencent Cloud's tag rules (docs/manifest-format.md, \"Purchase\")"),
            );
        }
        if let Some(problem) = value_problem(&value.value) {
            diagnostics.push(
                Diagnostic::error(
                    Code::InvalidTag,
                    format!(
                        "{} cannot be the value of tag `{}`: {problem}",
                        value.quoted(),
                        key.value
                    ),
                )
                .at(value.span)
                .note("Tencent Cloud's tag rules (docs/manifest-format.md, \"Purchase\")"),
            );
        }
    }
}

/// One key of the merged `purchase`, with the layer that set it.
struct Merged<'a> {
    span: Span,
    layer: Layer,
    product: Option<&'a Sourced<i64>>,
    years: Option<&'a Sourced<i64>>,
    domain_count: Option<&'a Sourced<i64>>,
    vouchers: Option<&'a Sourced<bool>>,
    tags: Vec<(&'a Sourced<String>, &'a Sourced<String>)>,
}

/// The `purchase` of the layers, key by key (later layers win; `tags` key
/// by key too). `None` when no layer has one.
fn merged<'a>(layers: &[&'a RawProfile], raw: &'a RawCertificate) -> Option<Merged<'a>> {
    let sources = layers
        .iter()
        .filter_map(|p| {
            p.purchase
                .as_deref()
                .map(|b| (Layer::Profile(p.name.value.clone()), b))
        })
        .chain(
            raw.purchase
                .as_ref()
                .map(|b| (Layer::Certificate(raw.name.value.clone()), b)),
        );
    let mut merged: Option<Merged<'a>> = None;
    for (layer, block) in sources {
        let m = merged.get_or_insert_with(|| Merged {
            span: block.span,
            layer: layer.clone(),
            product: None,
            years: None,
            domain_count: None,
            vouchers: None,
            tags: Vec::new(),
        });
        m.span = block.span;
        m.layer = layer;
        m.product = block.product.as_ref().or(m.product);
        m.years = block.years.as_ref().or(m.years);
        m.domain_count = block.domain_count.as_ref().or(m.domain_count);
        m.vouchers = block.vouchers.as_ref().or(m.vouchers);
        for (key, value) in &block.tags {
            match m.tags.iter_mut().find(|(k, _)| k.value == key.value) {
                Some(slot) => slot.1 = value,
                None => m.tags.push((key, value)),
            }
        }
    }
    merged
}

/// The certificate's `purchase` after merging, checked against the whole
/// certificate: `Ok(None)` when it has none (and an id), `Err` when it is
/// invalid or the certificate has neither (reported, here or where the
/// value is written).
pub(super) fn check_merged(
    layers: &[&RawProfile],
    raw: &RawCertificate,
    dv: bool,
    diagnostics: &mut Diagnostics,
) -> Result<Option<Purchase>, ()> {
    let merged = merged(layers, raw);
    let Some(merged) = merged else {
        if raw.certificate_id.is_none() {
            if raw.profiles.is_empty() {
                // Told by the schema, with the document's other missing keys.
                return Err(());
            }
            diagnostics.push(
                Diagnostic::error(
                    Code::MissingKey,
                    format!(
                        "certificate `{}` is missing the required key `certificate_id` (or `purchase`, here or in its profiles)",
                        raw.name.value
                    ),
                )
                .at(raw.name.span)
                .note("`certificate_id` names a certificate already bought; `purchase` buys one (with apply --allow-purchase)")
                .hint("add `certificate_id: <id from the SSL console>`, or a `purchase:` block with its `product`"),
            );
            return Err(());
        }
        return Ok(None);
    };
    let before = diagnostics.error_count();
    if let Some(id) = &raw.certificate_id {
        let from = match &merged.layer {
            Layer::Certificate(_) => "this certificate".to_string(),
            profile @ Layer::Profile(_) => format!("its {profile}"),
        };
        diagnostics.push(
            Diagnostic::error(
                Code::PurchaseAndId,
                format!(
                    "certificate `{}` has both `certificate_id` and `purchase` (from {from})",
                    raw.name.value
                ),
            )
            .at(id.span)
            .related(merged.span, "`purchase` is set here")
            .note("`certificate_id` names a certificate already bought; `purchase` buys one: a certificate has one or the other")
            .hint("keep `certificate_id` for a certificate you have; keep `purchase` (and no id) to buy one"),
        );
    }
    let Some(product_id) = merged.product else {
        // A `product` of the wrong type is a schema error already.
        if raw.had_errors || layers.iter().any(|p| p.had_errors) {
            return Err(());
        }
        diagnostics.push(
            Diagnostic::error(
                Code::MissingKey,
                "`purchase` is missing the required key `product`",
            )
            .at(merged.span)
            .note(format!("`product` is the ProductId to buy; {TABLE}")),
        );
        return Err(());
    };
    // An unknown product is reported where it is written.
    let product = u64::try_from(product_id.value)
        .ok()
        .and_then(product::lookup)
        .ok_or(())?;
    if (product.level == Level::Dv) != dv {
        let (what, hint) = if dv {
            (
                format!(
                    "`dv: true`, but product {} is {}",
                    product.id, product.level
                ),
                "choose a DV product, or remove `dv: true` (an OV or EV certificate needs the organization, admin and contact fields)",
            )
        } else {
            (
                format!(
                    "product {} is DV, but the certificate is not `dv: true`",
                    product.id
                ),
                "set `dv: true` for a DV product, or choose an OV or EV product",
            )
        };
        diagnostics.push(
            Diagnostic::error(
                Code::ProductTypeMismatch,
                format!("certificate `{}`: {what}", raw.name.value),
            )
            .at(product_id.span)
            .note(format!("product {}: {}; {TABLE}", product.id, product.name))
            .hint(hint),
        );
    }
    let names = 1 + raw.domains.as_ref().map_or(0, |d| d.value.len());
    let names_u64 = u64::try_from(names).unwrap_or(u64::MAX);
    let domain_count = merged.domain_count.map_or(Ok(names_u64), |count| {
        u64::try_from(count.value).map_err(|_| count.value)
    });
    let count_span = merged.domain_count.map_or(product_id.span, |c| c.span);
    let count_problem = match domain_count {
        Err(negative) => Some(format!(
            "`purchase.domain_count` must be at least 1; found {negative}"
        )),
        Ok(count) if count < names_u64 => Some(format!(
            "`purchase.domain_count` is {count}, below the {names} names of the certificate (`domain` and `domains`)"
        )),
        Ok(count) if product.multi_domain && count < 2 => Some(format!(
            "product {} is multi-domain: `purchase.domain_count` must be more than 1; it is {count}",
            product.id
        )),
        Ok(count) if !product.multi_domain && count != 1 => Some(format!(
            "product {} covers one name: `purchase.domain_count` must be 1{}; it is {count}",
            product.id,
            if merged.domain_count.is_none() {
                " (by default, the number of names)"
            } else {
                ""
            }
        )),
        Ok(_) => None,
    };
    if let Some(problem) = count_problem {
        diagnostics.push(
            Diagnostic::error(
                Code::DomainCount,
                format!("certificate `{}`: {problem}", raw.name.value),
            )
            .at(count_span)
            .note(format!(
                "DomainNum is how many names the certificate covers; product {}: {}",
                product.id, product.name
            ))
            .hint(if product.multi_domain {
                "set `domain_count` to at least the number of names, and at least 2"
            } else {
                "list one name only, or choose a multi-domain product"
            }),
        );
    }
    let years = merged.years.map_or(1, |y| y.value);
    if years > 1 && !product.multi_year {
        let span = merged.years.map_or(merged.span, |y| y.span);
        diagnostics.push(
            Diagnostic::error(
                Code::PurchaseYears,
                format!(
                    "certificate `{}`: product {} is sold for one year only; `purchase.years` is {years}",
                    raw.name.value, product.id
                ),
            )
            .at(span)
            .note(format!("product {}: {}", product.id, product.name))
            .hint("set `years: 1`, or choose a multi-year product"),
        );
    }
    if merged.tags.len() + 1 > TAGS_MAX {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidTag,
                format!(
                    "certificate `{}` would carry {} tags (with `{CERTIFICATE_TAG}`); a resource takes at most {TAGS_MAX}",
                    raw.name.value,
                    merged.tags.len() + 1
                ),
            )
            .at(merged.span),
        );
    }
    if let Some(problem) = value_problem(&raw.name.value) {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidTag,
                format!(
                    "certificate `{}` cannot be bought under this name: it is the value of tag `{CERTIFICATE_TAG}`, and {problem}",
                    crate::source::printable(&raw.name.value)
                ),
            )
            .at(raw.name.span),
        );
    }
    // Tags and years out of range are reported where they are written.
    let bad_tag = merged.tags.iter().any(|(k, v)| {
        k.value == CERTIFICATE_TAG
            || key_problem(&k.value).is_some()
            || value_problem(&v.value).is_some()
    });
    if diagnostics.error_count() != before || !YEARS.contains(&years) || bad_tag {
        return Err(());
    }
    Ok(Some(Purchase {
        product: Sourced {
            value: product.id,
            span: product_id.span,
            secret: false,
        },
        years: u64::try_from(years).unwrap_or(1),
        domain_count: domain_count.unwrap_or(names_u64),
        vouchers: merged.vouchers.is_some_and(|v| v.value),
        tags: merged
            .tags
            .into_iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        layer: merged.layer,
        span: merged.span,
    }))
}

/// Checks the letter one document names: the letter, or `None` when it
/// has none or it is invalid (reported, here, once).
pub(super) fn check_letter(
    letter: Option<&LetterFile>,
    diagnostics: &mut Diagnostics,
) -> Option<ConfirmLetter> {
    let letter = letter?;
    let written = &letter.written;
    let problem = match &letter.bytes {
        Err(LetterUnread::Outside) => return None,
        Err(LetterUnread::Unreadable(why)) => Diagnostic::error(
            Code::ConfirmLetterFile,
            format!("`confirm_letter` {}: {why}", written.quoted()),
        )
        .at(written.span)
        .note("the path is relative to this manifest's directory"),
        Ok(None) => invalid(written, &LetterError::TooLarge { bytes: 0 }, true),
        Ok(Some(bytes)) => match letter::check(bytes) {
            Ok(_) => {
                return Some(ConfirmLetter {
                    path: written.clone(),
                    bytes: bytes.as_slice().into(),
                });
            }
            Err(error) => invalid(written, &error, false),
        },
    };
    diagnostics.push(problem);
    None
}

fn invalid(written: &Sourced<String>, error: &LetterError, larger: bool) -> Diagnostic {
    let why = if larger {
        format!(
            "a confirmation letter must be at most {} bytes (1.4 MB); this file is larger",
            letter::MAX_BYTES
        )
    } else {
        error.to_string()
    };
    Diagnostic::error(
        Code::InvalidConfirmLetter,
        format!("`confirm_letter` {}: {why}", written.quoted()),
    )
    .at(written.span)
    .note("UploadConfirmLetter takes a JPG, JPEG, PNG or PDF file of 1 KB to 1.4 MB")
}

/// The letters of the profiles, checked once each, by profile name.
pub(super) fn profile_letters(
    profiles: &[&RawProfile],
    diagnostics: &mut Diagnostics,
) -> HashMap<String, ConfirmLetter> {
    let mut letters = HashMap::new();
    for profile in profiles {
        if let Some(letter) = check_letter(profile.confirm_letter.as_deref(), diagnostics) {
            letters.insert(profile.name.value.clone(), letter);
        }
    }
    letters
}

/// The certificate's letter: its own (checked here), else the last
/// profile's that names one. `Err(())` when the one that applies is
/// invalid (reported where it is written).
pub(super) fn effective_letter(
    layers: &[&RawProfile],
    raw: &RawCertificate,
    own: Option<ConfirmLetter>,
    profile_letters: &HashMap<String, ConfirmLetter>,
) -> Result<Option<ConfirmLetter>, ()> {
    if raw.confirm_letter.is_some() {
        return own.map(Some).ok_or(());
    }
    match layers.iter().rev().find(|p| p.confirm_letter.is_some()) {
        None => Ok(None),
        Some(profile) => profile_letters
            .get(&profile.name.value)
            .cloned()
            .map(Some)
            .ok_or(()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::certificate::Certificate;
    use crate::manifest::load::{Budget, load_trusted};
    use crate::manifest::testing::PROFILE;
    use crate::manifest::trust::Trust;
    use crate::system::{MapEnvironment, MemoryFileSystem};
    use crate::validate::{Options, validate_with};

    /// A certificate `name` on `acme` without an id; `extra` appended.
    fn bought(name: &str, extra: &str) -> String {
        format!(
            "apiVersion: tccert/v1\nkind: Certificate\nname: {name}\nprofiles: [acme]\ndomain: {name}.acme.example\ncsr:\n  type: online\n{extra}"
        )
    }

    fn pdf(size: usize) -> Vec<u8> {
        let mut bytes = b"%PDF-1.7\n".to_vec();
        bytes.resize(size, b'x');
        bytes
    }

    struct Run {
        certificates: Vec<Certificate>,
        codes: Vec<Code>,
        messages: String,
    }

    fn run_with(fs: MemoryFileSystem, paths: &[&str], env: &MapEnvironment) -> Run {
        let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
        let mut loaded = load_trusted(&paths, &fs, env, Budget::default(), &Trust::default());
        let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
        let validated = validate_with(&loaded, Options::default(), &mut diagnostics);
        let messages = diagnostics
            .iter()
            .map(|d| format!("{}: {}", d.code.as_str(), d.message))
            .collect::<Vec<_>>()
            .join("\n");
        Run {
            certificates: validated.certificates,
            codes: diagnostics.iter().map(|d| d.code).collect(),
            messages,
        }
    }

    fn run(files: &[(&str, &str)]) -> Run {
        let fs = files
            .iter()
            .fold(MemoryFileSystem::default(), |fs, (p, t)| fs.with(p, t));
        let paths: Vec<&str> = files.iter().map(|(p, _)| *p).collect();
        run_with(fs, &paths, &MapEnvironment::default())
    }

    #[test]
    fn a_purchase_takes_its_defaults_and_keeps_where_it_was_written() {
        let shop = bought(
            "shop",
            "domains: [api.acme.example]\npurchase:\n  product: 15\n  tags: {team: web, cost: \"42\"}\n",
        );
        let run = run(&[("p.yaml", PROFILE), ("c.yaml", &shop)]);
        assert!(run.codes.is_empty(), "{}", run.messages);
        let purchase = run.certificates[0].purchase.clone().expect("a purchase");
        assert_eq!(purchase.product.value, 15);
        assert_eq!(
            (purchase.product.span.line, purchase.product.span.column),
            (10, 12)
        );
        assert_eq!(
            (purchase.years, purchase.domain_count, purchase.vouchers),
            (1, 2, false)
        );
        let tags: Vec<(&str, &str)> = purchase
            .tags
            .iter()
            .map(|(k, v)| (k.value.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(tags, [("team", "web"), ("cost", "42")]);
        assert_eq!(purchase.layer, Layer::Certificate("shop".into()));
        assert!(run.certificates[0].certificate_id.is_none());
    }

    #[test]
    fn toml_reads_the_same_purchase() {
        let shop = "apiVersion = \"tccert/v1\"\nkind = \"Certificate\"\nname = \"shop\"\nprofiles = [\"acme\"]\ndomain = \"shop.acme.example\"\n\n[csr]\ntype = \"online\"\n\n[purchase]\nproduct = 9\nyears = 2\nvouchers = true\n\n[purchase.tags]\nteam = \"web\"\n";
        let run = run(&[("p.yaml", PROFILE), ("c.toml", shop)]);
        assert!(run.codes.is_empty(), "{}", run.messages);
        let purchase = run.certificates[0].purchase.clone().expect("a purchase");
        assert_eq!(
            (
                purchase.product.value,
                purchase.years,
                purchase.domain_count,
                purchase.vouchers
            ),
            (9, 2, 1, true)
        );
        assert_eq!(
            (purchase.product.span.line, purchase.product.span.column),
            (11, 11)
        );
        assert_eq!(purchase.tags[0].1.value, "web");
    }

    #[test]
    fn a_profiles_purchase_merges_key_by_key_and_the_certificate_wins() {
        let profile = PROFILE.to_string()
            + "purchase:\n  product: 9\n  years: 3\n  tags: {team: pki, env: prod}\n";
        let shop = bought("shop", "purchase:\n  years: 2\n  tags: {team: web}\n");
        let run = run(&[("p.yaml", &profile), ("c.yaml", &shop)]);
        assert!(run.codes.is_empty(), "{}", run.messages);
        let purchase = run.certificates[0].purchase.clone().expect("a purchase");
        assert_eq!((purchase.product.value, purchase.years), (9, 2));
        let tags: Vec<(&str, &str)> = purchase
            .tags
            .iter()
            .map(|(k, v)| (k.value.as_str(), v.value.as_str()))
            .collect();
        assert_eq!(tags, [("team", "web"), ("env", "prod")]);
        assert_eq!(purchase.layer, Layer::Certificate("shop".into()));

        // A profile's purchase alone: its layer.
        let plain = bought("plain", "");
        let run = super::tests::run(&[("p.yaml", &profile), ("c.yaml", &plain)]);
        assert!(run.codes.is_empty(), "{}", run.messages);
        let purchase = run.certificates[0].purchase.clone().expect("a purchase");
        assert_eq!(purchase.layer, Layer::Profile("acme".into()));
    }

    #[test]
    fn an_id_and_a_purchase_or_neither_are_errors() {
        let both = bought("both", "certificate_id: abc1\npurchase: {product: 9}\n");
        let neither = bought("neither", "");
        let run = run(&[("p.yaml", PROFILE), ("b.yaml", &both), ("n.yaml", &neither)]);
        assert_eq!(
            run.codes,
            [Code::PurchaseAndId, Code::MissingKey],
            "{}",
            run.messages
        );
        assert!(run.certificates.is_empty());
        assert!(
            run.messages
                .contains("certificate `neither` is missing the required key `certificate_id` (or `purchase`, here or in its profiles)"),
            "{}",
            run.messages
        );

        // From a profile, too: the effective certificate has both.
        let profile = PROFILE.to_string() + "purchase:\n  product: 9\n";
        let with_id = bought("www", "certificate_id: abc1\n");
        let run = super::tests::run(&[("p.yaml", &profile), ("c.yaml", &with_id)]);
        assert_eq!(run.codes, [Code::PurchaseAndId], "{}", run.messages);
        assert!(
            run.messages.contains("(from its profile `acme`)"),
            "{}",
            run.messages
        );
    }

    #[test]
    fn products_are_checked_against_the_table_and_the_certificate() {
        let cases = [
            ("{product: 36}", vec![Code::UnknownProduct]),
            ("{product: -1}", vec![Code::UnknownProduct]),
            ("{product: 12}", vec![Code::ProductTypeMismatch]),
            ("{product: 9, domain_count: 0}", vec![Code::DomainCount]),
            ("{product: 15, domain_count: 1}", vec![Code::DomainCount]),
            ("{product: 9, domain_count: 2}", vec![Code::DomainCount]),
            ("{product: 9, years: 0}", vec![Code::PurchaseYears]),
            ("{product: 9, years: 6}", vec![Code::PurchaseYears]),
            (
                "{product: 99, years: 2, domain_count: 2}",
                vec![Code::PurchaseYears],
            ),
            ("{years: 2}", vec![Code::MissingKey]),
            (
                "{product: 9, tags: {\"tccert:certificate\": x}}",
                vec![Code::ReservedTag],
            ),
            (
                "{product: 9, tags: {qcloud-app: x}}",
                vec![Code::InvalidTag],
            ),
            ("{product: 9, tags: {\"\": x}}", vec![Code::InvalidTag]),
            (
                "{product: 9, tags: {team: \"a;b\"}}",
                vec![Code::InvalidTag],
            ),
        ];
        for (purchase, codes) in cases {
            let shop = bought("shop", &format!("purchase: {purchase}\n"));
            let run = run(&[("p.yaml", PROFILE), ("c.yaml", &shop)]);
            assert_eq!(run.codes, codes, "{purchase}: {}", run.messages);
            assert!(run.certificates.is_empty(), "{purchase}");
        }
        // DV both ways: a DV product with `dv: true` is fine; an OV one is not.
        let dv = bought("shop", "dv: true\npurchase: {product: 12}\n");
        let run = run(&[("p.yaml", PROFILE), ("c.yaml", &dv)]);
        assert!(run.codes.is_empty(), "{}", run.messages);
        let dv_ov = bought("shop", "dv: true\npurchase: {product: 9}\n");
        let run = super::tests::run(&[("p.yaml", PROFILE), ("c.yaml", &dv_ov)]);
        assert_eq!(run.codes, [Code::ProductTypeMismatch], "{}", run.messages);
        assert!(
            run.messages.contains("`dv: true`, but product 9 is OV"),
            "{}",
            run.messages
        );
        // Two names on a single-domain product by default.
        let two = bought(
            "shop",
            "domains: [api.acme.example]\npurchase: {product: 9}\n",
        );
        let run = super::tests::run(&[("p.yaml", PROFILE), ("c.yaml", &two)]);
        assert_eq!(run.codes, [Code::DomainCount], "{}", run.messages);
        // 50 tags with tccert's own is one too many.
        let tags: Vec<String> = (0..50).map(|i| format!("t{i}: v")).collect();
        let many = bought(
            "shop",
            &format!("purchase: {{product: 9, tags: {{{}}}}}\n", tags.join(", ")),
        );
        let run = super::tests::run(&[("p.yaml", PROFILE), ("c.yaml", &many)]);
        assert_eq!(run.codes, [Code::InvalidTag], "{}", run.messages);
    }

    #[test]
    fn a_profiles_bad_product_is_reported_once_however_many_use_it() {
        let profile = PROFILE.to_string() + "purchase:\n  product: 1000\n";
        let a = bought("a", "");
        let b = bought("b", "");
        let run = run(&[("p.yaml", &profile), ("a.yaml", &a), ("b.yaml", &b)]);
        assert_eq!(run.codes, [Code::UnknownProduct], "{}", run.messages);
    }

    #[test]
    fn a_tag_value_from_the_environment_is_sent_and_never_shown() {
        let shop = bought(
            "shop",
            "purchase: {product: 9, tags: {team: \"${TEAM}\", bad: \"${BAD}\"}}\n",
        );
        let fs = MemoryFileSystem::default()
            .with("p.yaml", PROFILE)
            .with("c.yaml", &shop);
        let env = MapEnvironment::default()
            .with("TEAM", "web-secret")
            .with("BAD", "semi;colon-secret");
        let run = run_with(fs, &["p.yaml", "c.yaml"], &env);
        assert_eq!(run.codes, [Code::InvalidTag]);
        assert!(
            run.messages.contains("a value from `${BAD}`"),
            "{}",
            run.messages
        );
        assert!(!run.messages.contains("secret"), "{}", run.messages);

        let shop = bought(
            "shop",
            "purchase: {product: 9, tags: {team: \"${TEAM}\"}}\n",
        );
        let fs = MemoryFileSystem::default()
            .with("p.yaml", PROFILE)
            .with("c.yaml", &shop);
        let run = run_with(fs, &["p.yaml", "c.yaml"], &env);
        assert!(run.codes.is_empty(), "{}", run.messages);
        let purchase = run.certificates[0].purchase.clone().expect("a purchase");
        assert!(purchase.tags[0].1.secret);
    }

    fn with_letter(letter: &str, bytes: &[u8]) -> Run {
        let shop = bought(
            "shop",
            &format!("purchase: {{product: 9}}\nconfirm_letter: {letter}\n"),
        );
        let fs = MemoryFileSystem::default()
            .with("p.yaml", PROFILE)
            .with("c.yaml", &shop)
            .with_bytes("letter.pdf", bytes);
        run_with(fs, &["p.yaml", "c.yaml"], &MapEnvironment::default())
    }

    #[test]
    fn a_letter_is_read_and_checked_by_content_and_size() {
        let run = with_letter("letter.pdf", &pdf(2048));
        assert!(run.codes.is_empty(), "{}", run.messages);
        let letter = run.certificates[0]
            .confirm_letter
            .clone()
            .expect("a letter");
        assert_eq!(
            (letter.path.value.as_str(), letter.bytes.len()),
            ("letter.pdf", 2048)
        );
        assert_eq!(letter.path.span.line, 9);

        for (bytes, words) in [
            (pdf(1023), "at least 1024 bytes; this file has 1023"),
            (
                pdf(letter::MAX_BYTES + 1),
                "at most 1468006 bytes (1.4 MB); this file is larger",
            ),
            (vec![b'x'; 2048], "a JPG, JPEG, PNG or PDF file"),
        ] {
            let run = with_letter("letter.pdf", &bytes);
            assert_eq!(run.codes, [Code::InvalidConfirmLetter], "{}", run.messages);
            assert!(run.messages.contains(words), "{}", run.messages);
            assert!(run.certificates.is_empty());
        }
        // The largest letter is taken.
        let run = with_letter("letter.pdf", &pdf(letter::MAX_BYTES));
        assert!(run.codes.is_empty(), "{}", run.messages);

        let run = with_letter("missing.pdf", &pdf(2048));
        assert_eq!(run.codes, [Code::ConfirmLetterFile], "{}", run.messages);
        assert!(
            run.messages.contains("there is no such file"),
            "{}",
            run.messages
        );
    }

    #[test]
    fn the_loader_and_the_check_agree_on_the_largest_letter() {
        assert_eq!(
            crate::manifest::load::MAX_LETTER_BYTES,
            letter::MAX_BYTES as u64
        );
    }

    #[test]
    fn a_profiles_letter_is_checked_once_and_the_certificates_own_wins() {
        let profile = PROFILE.to_string() + "confirm_letter: small.pdf\n";
        let a = bought("a", "purchase: {product: 9}\n");
        let b = bought("b", "purchase: {product: 9}\n");
        let fs = MemoryFileSystem::default()
            .with("p.yaml", &profile)
            .with("a.yaml", &a)
            .with("b.yaml", &b)
            .with_bytes("small.pdf", &pdf(100));
        let run = run_with(
            fs,
            &["p.yaml", "a.yaml", "b.yaml"],
            &MapEnvironment::default(),
        );
        assert_eq!(run.codes, [Code::InvalidConfirmLetter], "{}", run.messages);
        assert!(run.certificates.is_empty());

        let own = bought("a", "purchase: {product: 9}\nconfirm_letter: good.pdf\n");
        let profile = PROFILE.to_string() + "confirm_letter: good.pdf\n";
        let plain = bought("b", "purchase: {product: 9}\n");
        let fs = MemoryFileSystem::default()
            .with("p.yaml", &profile)
            .with("a.yaml", &own)
            .with("b.yaml", &plain)
            .with_bytes("good.pdf", &pdf(4096));
        let run = run_with(
            fs,
            &["p.yaml", "a.yaml", "b.yaml"],
            &MapEnvironment::default(),
        );
        assert!(run.codes.is_empty(), "{}", run.messages);
        let lines: Vec<u32> = run
            .certificates
            .iter()
            .map(|c| c.confirm_letter.as_ref().map_or(0, |l| l.path.span.line))
            .collect();
        // `a`'s own (its line 9), `b` the profile's (the profile's last line).
        assert_eq!(lines[0], 9);
        assert_eq!(lines[1] as usize, profile.lines().count());
    }
}
