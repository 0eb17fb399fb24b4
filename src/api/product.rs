//! The paid products `CreateCertificate` sells, by `ProductId`: brand,
//! validation level (DV, OV, EV), wildcard, multi-domain and multi-year,
//! from the official table (docs/api.md, "Products", which names its
//! source). Pure data for the client: `purchase.product` is checked against
//! it, OV/EV products wait for a confirmation letter, and
//! `CompleteCertificate` is not sent for the brands the API says it does not
//! serve.

use std::fmt;

/// A product's validation level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    /// Domain validation (域名型).
    Dv,
    /// Organization validation (企业型).
    Ov,
    /// Extended validation (增强型).
    Ev,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Dv => "DV",
            Level::Ov => "OV",
            Level::Ev => "EV",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One product of the official table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Product {
    /// `ProductId`.
    pub id: u64,
    /// The certificate authority's brand as the vendor spells it; empty for
    /// 105, whose official text names none.
    pub brand: &'static str,
    pub level: Level,
    /// Covers `*.name`.
    pub wildcard: bool,
    /// Covers more than one name (`DomainNum` must then be more than 1).
    pub multi_domain: bool,
    /// May be bought for more than one year (`TimeSpan` above 1); the CFCA
    /// multi-domain, wildcard and EV products and 105 may not.
    pub multi_year: bool,
    /// The official name, verbatim.
    pub name: &'static str,
}

impl Product {
    /// OV and EV orders wait for a confirmation letter (status 8).
    pub fn takes_confirm_letter(&self) -> bool {
        self.level != Level::Dv
    }

    /// `CompleteCertificate` serves it: "DNSPod和Wotrus品牌的证书不支持使用此接口".
    pub fn completable(&self) -> bool {
        !matches!(self.brand, "DNSPod" | "WoTrus")
    }
}

use Level::{Dv, Ev, Ov};

const fn product(
    id: u64,
    brand: &'static str,
    level: Level,
    wildcard: bool,
    multi_domain: bool,
    multi_year: bool,
    name: &'static str,
) -> Product {
    Product {
        id,
        brand,
        level,
        wildcard,
        multi_domain,
        multi_year,
        name,
    }
}

/// Every product of the official table, by id.
pub const PRODUCTS: &[Product] = &[
    product(
        3,
        "SecureSite",
        Ev,
        false,
        false,
        true,
        "SecureSite 增强型企业版（EV Pro）",
    ),
    product(
        4,
        "SecureSite",
        Ev,
        false,
        false,
        true,
        "SecureSite 增强型（EV）",
    ),
    product(
        5,
        "SecureSite",
        Ov,
        false,
        false,
        true,
        "SecureSite 企业型专业版（OV Pro）",
    ),
    product(
        6,
        "SecureSite",
        Ov,
        false,
        false,
        true,
        "SecureSite 企业型（OV）",
    ),
    product(
        7,
        "SecureSite",
        Ov,
        true,
        false,
        true,
        "SecureSite 企业型（OV）通配符",
    ),
    product(
        8,
        "GeoTrust",
        Ev,
        false,
        false,
        true,
        "Geotrust 增强型（EV）",
    ),
    product(
        9,
        "GeoTrust",
        Ov,
        false,
        false,
        true,
        "Geotrust 企业型（OV）",
    ),
    product(
        10,
        "GeoTrust",
        Ov,
        true,
        false,
        true,
        "Geotrust 企业型（OV）通配符",
    ),
    product(
        11,
        "TrustAsia",
        Dv,
        false,
        true,
        true,
        "TrustAsia 域名型多域名 SSL 证书",
    ),
    product(
        12,
        "TrustAsia",
        Dv,
        true,
        false,
        true,
        "TrustAsia 域名型（DV）通配符",
    ),
    product(
        13,
        "TrustAsia",
        Ov,
        true,
        false,
        true,
        "TrustAsia 企业型通配符（OV）SSL 证书（D3）",
    ),
    product(
        14,
        "TrustAsia",
        Ov,
        false,
        false,
        true,
        "TrustAsia 企业型（OV）SSL 证书（D3）",
    ),
    product(
        15,
        "TrustAsia",
        Ov,
        false,
        true,
        true,
        "TrustAsia 企业型多域名 （OV）SSL 证书（D3）",
    ),
    product(
        16,
        "TrustAsia",
        Ev,
        false,
        false,
        true,
        "TrustAsia 增强型 （EV）SSL 证书（D3）",
    ),
    product(
        17,
        "TrustAsia",
        Ev,
        false,
        true,
        true,
        "TrustAsia 增强型多域名（EV）SSL 证书（D3）",
    ),
    product(
        18,
        "GlobalSign",
        Ov,
        false,
        false,
        true,
        "GlobalSign 企业型（OV）SSL 证书",
    ),
    product(
        19,
        "GlobalSign",
        Ov,
        true,
        false,
        true,
        "GlobalSign 企业型通配符 （OV）SSL 证书",
    ),
    product(
        20,
        "GlobalSign",
        Ev,
        false,
        false,
        true,
        "GlobalSign 增强型 （EV）SSL 证书",
    ),
    product(
        21,
        "TrustAsia",
        Ov,
        true,
        true,
        true,
        "TrustAsia 企业型通配符多域名（OV）SSL 证书（D3）",
    ),
    product(
        22,
        "GlobalSign",
        Ov,
        false,
        true,
        true,
        "GlobalSign 企业型多域名（OV）SSL 证书",
    ),
    product(
        23,
        "GlobalSign",
        Ov,
        true,
        true,
        true,
        "GlobalSign 企业型通配符多域名（OV）SSL 证书",
    ),
    product(
        24,
        "GlobalSign",
        Ev,
        false,
        true,
        true,
        "GlobalSign 增强型多域名（EV）SSL 证书",
    ),
    product(25, "WoTrus", Dv, false, false, true, "Wotrus 域名型证书"),
    product(
        26,
        "WoTrus",
        Dv,
        false,
        true,
        true,
        "Wotrus 域名型多域名证书",
    ),
    product(
        27,
        "WoTrus",
        Dv,
        true,
        false,
        true,
        "Wotrus 域名型通配符证书",
    ),
    product(28, "WoTrus", Ov, false, false, true, "Wotrus 企业型证书"),
    product(
        29,
        "WoTrus",
        Ov,
        false,
        true,
        true,
        "Wotrus 企业型多域名证书",
    ),
    product(
        30,
        "WoTrus",
        Ov,
        true,
        false,
        true,
        "Wotrus 企业型通配符证书",
    ),
    product(31, "WoTrus", Ev, false, false, true, "Wotrus 增强型证书"),
    product(
        32,
        "WoTrus",
        Ev,
        false,
        true,
        true,
        "Wotrus 增强型多域名证书",
    ),
    product(
        33,
        "WoTrus",
        Dv,
        false,
        false,
        true,
        "WoTrus-国密域名型证书",
    ),
    product(
        34,
        "WoTrus",
        Dv,
        false,
        true,
        true,
        "WoTrus-国密域名型证书（多域名）",
    ),
    product(
        35,
        "WoTrus",
        Dv,
        true,
        false,
        true,
        "WoTrus-国密域名型证书（通配符）",
    ),
    product(
        37,
        "WoTrus",
        Ov,
        false,
        false,
        true,
        "WoTrus-国密企业型证书",
    ),
    product(
        38,
        "WoTrus",
        Ov,
        false,
        true,
        true,
        "WoTrus-国密企业型证书（多域名）",
    ),
    product(
        39,
        "WoTrus",
        Ov,
        true,
        false,
        true,
        "WoTrus-国密企业型证书（通配符）",
    ),
    product(
        40,
        "WoTrus",
        Ev,
        false,
        false,
        true,
        "WoTrus-国密增强型证书",
    ),
    product(
        41,
        "WoTrus",
        Ev,
        false,
        true,
        true,
        "WoTrus-国密增强型证书（多域名）",
    ),
    product(
        42,
        "TrustAsia",
        Dv,
        true,
        true,
        true,
        "TrustAsia-域名型证书（通配符多域名）",
    ),
    product(
        43,
        "DNSPod",
        Ov,
        false,
        false,
        true,
        "DNSPod-企业型(OV)SSL证书",
    ),
    product(
        44,
        "DNSPod",
        Ov,
        true,
        false,
        true,
        "DNSPod-企业型(OV)通配符SSL证书",
    ),
    product(
        45,
        "DNSPod",
        Ov,
        false,
        true,
        true,
        "DNSPod-企业型(OV)多域名SSL证书",
    ),
    product(
        46,
        "DNSPod",
        Ev,
        false,
        false,
        true,
        "DNSPod-增强型(EV)SSL证书",
    ),
    product(
        47,
        "DNSPod",
        Ev,
        false,
        true,
        true,
        "DNSPod-增强型(EV)多域名SSL证书",
    ),
    product(
        48,
        "DNSPod",
        Dv,
        false,
        false,
        true,
        "DNSPod-域名型(DV)SSL证书",
    ),
    product(
        49,
        "DNSPod",
        Dv,
        true,
        false,
        true,
        "DNSPod-域名型(DV)通配符SSL证书",
    ),
    product(
        50,
        "DNSPod",
        Dv,
        false,
        true,
        true,
        "DNSPod-域名型(DV)多域名SSL证书",
    ),
    product(
        51,
        "DNSPod",
        Ov,
        false,
        false,
        true,
        "DNSPod（国密）-企业型(OV)SSL证书",
    ),
    product(
        52,
        "DNSPod",
        Ov,
        true,
        false,
        true,
        "DNSPod（国密）-企业型(OV)通配符SSL证书",
    ),
    product(
        53,
        "DNSPod",
        Ov,
        false,
        true,
        true,
        "DNSPod（国密）-企业型(OV)多域名SSL证书",
    ),
    product(
        54,
        "DNSPod",
        Dv,
        false,
        false,
        true,
        "DNSPod（国密）-域名型(DV)SSL证书",
    ),
    product(
        55,
        "DNSPod",
        Dv,
        true,
        false,
        true,
        "DNSPod（国密）-域名型(DV)通配符SSL证书",
    ),
    product(
        56,
        "DNSPod",
        Dv,
        false,
        true,
        true,
        "DNSPod（国密）-域名型(DV)多域名SSL证书",
    ),
    product(
        57,
        "SecureSite",
        Ov,
        false,
        true,
        true,
        "SecureSite 企业型专业版多域名(OV Pro)",
    ),
    product(
        58,
        "SecureSite",
        Ov,
        false,
        true,
        true,
        "SecureSite 企业型多域名(OV)",
    ),
    product(
        59,
        "SecureSite",
        Ev,
        false,
        true,
        true,
        "SecureSite 增强型专业版多域名(EV Pro)",
    ),
    product(
        60,
        "SecureSite",
        Ev,
        false,
        true,
        true,
        "SecureSite 增强型多域名(EV)",
    ),
    product(
        61,
        "GeoTrust",
        Ev,
        false,
        true,
        true,
        "Geotrust 增强型多域名(EV)",
    ),
    product(
        75,
        "SecureSite",
        Ov,
        false,
        false,
        true,
        "SecureSite 企业型(OV)",
    ),
    product(
        76,
        "SecureSite",
        Ov,
        true,
        false,
        true,
        "SecureSite 企业型(OV)通配符",
    ),
    product(
        77,
        "SecureSite",
        Ev,
        false,
        false,
        true,
        "SecureSite 增强型(EV)",
    ),
    product(
        81,
        "GlobalSign",
        Ov,
        false,
        false,
        true,
        "GlobalSign 企业型（OV）SSL证书",
    ),
    product(
        82,
        "GlobalSign",
        Ov,
        true,
        false,
        true,
        "GlobalSign 企业型通配符 （OV）SSL证书",
    ),
    product(
        85,
        "GlobalSign",
        Ev,
        false,
        false,
        true,
        "GlobalSign 增强型 （EV）SSL证书",
    ),
    product(
        88,
        "GlobalSign",
        Ov,
        true,
        true,
        true,
        "GlobalSign 企业型通配符多域名 （OV）SSL证书",
    ),
    product(
        89,
        "GlobalSign",
        Ov,
        false,
        true,
        true,
        "GlobalSign 企业型多域名 （OV）SSL证书",
    ),
    product(
        90,
        "GlobalSign",
        Ev,
        false,
        true,
        true,
        "GlobalSign 增强型多域名（EV） SSL证书",
    ),
    product(
        92,
        "SecureSite",
        Ov,
        false,
        true,
        true,
        "SecureSite 企业型专业版多域名(OV Pro)",
    ),
    product(
        93,
        "SecureSite",
        Ov,
        false,
        true,
        true,
        "SecureSite 企业型多域名(OV)",
    ),
    product(
        94,
        "SecureSite",
        Ev,
        false,
        true,
        true,
        "SecureSite 增强型专业版多域名(EV Pro)",
    ),
    product(
        95,
        "SecureSite",
        Ev,
        false,
        true,
        true,
        "SecureSite 增强型多域名(EV)",
    ),
    product(
        96,
        "SecureSite",
        Ev,
        false,
        false,
        true,
        "SecureSite 增强型专业版(EV Pro)",
    ),
    product(
        97,
        "SecureSite",
        Ov,
        false,
        false,
        true,
        "SecureSite 企业型专业版(OV Pro)",
    ),
    product(98, "CFCA", Ov, false, false, true, "CFCA 企业型(OV)SSL证书"),
    product(
        99,
        "CFCA",
        Ov,
        false,
        true,
        false,
        "CFCA 企业型多域名(OV)SSL证书，不支持多年期",
    ),
    product(
        100,
        "CFCA",
        Ov,
        true,
        false,
        false,
        "CFCA 企业型通配符(OV)SSL证书，不支持多年期",
    ),
    product(
        101,
        "CFCA",
        Ev,
        false,
        false,
        false,
        "CFCA 增强型(EV)SSL证书，不支持多年期",
    ),
    product(
        102,
        "Rapid",
        Dv,
        false,
        false,
        true,
        "Rapid-域名型(DV)SSL证书",
    ),
    product(
        103,
        "Rapid",
        Dv,
        true,
        false,
        true,
        "Rapid-域名型(DV)SSL证书(通配符)",
    ),
    product(
        104,
        "TrustAsia",
        Dv,
        false,
        false,
        true,
        "TrustAsia-域名型(单域名)",
    ),
    product(105, "", Dv, false, false, false, "SSL单域名证书(一年期)"),
];

/// The product with this `ProductId`.
pub fn lookup(id: u64) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| p.id == id)
}

/// The brand `CompleteCertificate` does not serve ("DNSPod和Wotrus品牌的证书不支持使用此接口"),
/// if the certificate is one of them, judged from what its
/// `DescribeCertificateDetail` says: `PackageType` (the product's id, as a
/// string) when it names a product of the table, else `ProductZhName` (the
/// product's name, which starts with the brand). `None`: not known to be
/// refused (a product outside the table, or no product named), so
/// `status --complete` sends it.
pub fn complete_refused_brand(
    package_type: Option<&str>,
    product_name: Option<&str>,
) -> Option<&'static str> {
    let by_id = package_type
        .and_then(|id| id.trim().parse::<u64>().ok())
        .and_then(lookup);
    if let Some(product) = by_id {
        return (!product.completable()).then_some(product.brand);
    }
    let name = product_name.unwrap_or_default().to_lowercase();
    if name.contains("dnspod") {
        Some("DNSPod")
    } else if name.contains("wotrus") {
        Some("WoTrus")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of products for `docs/products.md` (kept in step by a test).
    fn products_markdown() -> String {
        use std::fmt::Write as _;
        let mut out = String::from(
            "# Products (`purchase.product`)\n\n\
             The `ProductId`s `CreateCertificate` sells, from the official description of the field \
             (the Go SDK's `CreateCertificateRequestParams`, the same list on the API's page; docs/api.md, \
             \"Products\", says how each column is read from the official name). \
             `purchase.product` must be one of them (`unknown-product`); a DV product needs `dv: true`, \
             an OV or EV one must not have it (`product-type-mismatch`); a multi-domain product needs \
             `domain_count` above 1, any other exactly 1 (`domain-count`); `years` above 1 needs a \
             multi-year product (`purchase-years`). OV and EV orders wait for a confirmation letter \
             (`confirm_letter`). 36 is not in the table.\n\n\
             Generated from `src/api/product.rs` (`TCCERT_BLESS=1 cargo test product` rewrites it; a test \
             fails when they differ).\n\n\
             | ProductId | brand | type | wildcard | multi-domain | multi-year | official name |\n\
             | --- | --- | --- | --- | --- | --- | --- |\n",
        );
        let yes = |b: bool| if b { "yes" } else { "no" };
        for p in PRODUCTS {
            let brand = if p.brand.is_empty() {
                "(none)"
            } else {
                p.brand
            };
            let _ = writeln!(
                out,
                "| {} | {brand} | {} | {} | {} | {} | {} |",
                p.id,
                p.level,
                yes(p.wildcard),
                yes(p.multi_domain),
                yes(p.multi_year),
                p.name
            );
        }
        out
    }

    #[test]
    fn ids_are_unique_and_sorted_and_every_official_number_is_there() {
        assert!(PRODUCTS.windows(2).all(|w| w[0].id < w[1].id));
        let ids: Vec<u64> = PRODUCTS.iter().map(|p| p.id).collect();
        let expected: Vec<u64> = (3..=61)
            .filter(|id| *id != 36)
            .chain([75, 76, 77, 81, 82, 85, 88, 89, 90])
            .chain(92..=105)
            .collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn levels_and_kinds_follow_the_names() {
        for p in PRODUCTS {
            let level = if p.name.contains("增强型") {
                Ev
            } else if p.name.contains("企业型") {
                Ov
            } else {
                Dv
            };
            assert_eq!(p.level, level, "{}", p.name);
            assert_eq!(p.wildcard, p.name.contains("通配符"), "{}", p.name);
            assert_eq!(p.multi_domain, p.name.contains("多域名"), "{}", p.name);
            assert!(
                p.brand.is_empty() || p.name.to_lowercase().starts_with(&p.brand.to_lowercase()),
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn lookups() {
        let geotrust_ov = lookup(9).map(|p| (p.brand, p.level, p.takes_confirm_letter()));
        assert_eq!(geotrust_ov, Some(("GeoTrust", Ov, true)));
        assert_eq!(lookup(12).map(|p| (p.level, p.wildcard)), Some((Dv, true)));
        assert_eq!(
            lookup(42).map(|p| (p.wildcard, p.multi_domain)),
            Some((true, true))
        );
        assert_eq!(lookup(48).map(Product::completable), Some(false));
        assert_eq!(lookup(33).map(Product::completable), Some(false));
        assert_eq!(lookup(102).map(Product::completable), Some(true));
        assert_eq!(lookup(99).map(|p| p.multi_year), Some(false));
        assert_eq!(
            lookup(105).map(|p| (p.brand, p.multi_year)),
            Some(("", false))
        );
        assert_eq!(lookup(36), None);
        assert_eq!(Level::Ev.to_string(), "EV");
    }

    #[test]
    fn docs_list_every_product() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/products.md");
        if std::env::var_os("TCCERT_BLESS").is_some() {
            std::fs::write(path, products_markdown()).unwrap();
        }
        let docs = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            docs == products_markdown(),
            "docs/products.md is stale: run `TCCERT_BLESS=1 cargo test product`"
        );
        assert_eq!(
            docs.lines()
                .filter(|l| l.starts_with("| ")
                    && !l.starts_with("| ProductId")
                    && !l.starts_with("| ---"))
                .count(),
            81
        );
    }

    #[test]
    fn the_brands_complete_certificate_refuses_are_found_by_id_then_by_name() {
        assert_eq!(complete_refused_brand(Some("48"), None), Some("DNSPod"));
        assert_eq!(complete_refused_brand(Some(" 25 "), None), Some("WoTrus"));
        assert_eq!(complete_refused_brand(Some("33"), None), Some("WoTrus"));
        // The id wins over the name.
        assert_eq!(
            complete_refused_brand(Some("9"), Some("DNSPod-域名型(DV)SSL证书")),
            None
        );
        // No product of the table: the name decides.
        assert_eq!(
            complete_refused_brand(Some("83"), Some("DNSPod（国密）-企业型")),
            Some("DNSPod")
        );
        assert_eq!(
            complete_refused_brand(None, Some("Wotrus 域名型证书")),
            Some("WoTrus")
        );
        assert_eq!(
            complete_refused_brand(Some("83"), Some("TrustAsia C1 DV Free")),
            None
        );
        assert_eq!(complete_refused_brand(None, None), None);
        assert_eq!(complete_refused_brand(Some(""), Some("")), None);
    }
}
