//! `tccert import`: the manifest tree for certificates that exist, built
//! from their `DescribeCertificateDetail` replies (docs/cli.md, "import").
//! Pure: certificates in, files (path relative to DIR, text) out; the
//! command reads the API and writes the tree. A manifest generator, as
//! [`crate::starter`] (the tree `tccert init` writes) is.
//!
//! The tree is made so that, with the placeholder variables set, `validate`
//! finds nothing to say and `plan` reports every certificate `in_sync`:
//! every non-empty `SubmittedData` field is written, under the manifest key
//! the field table ([`crate::field`]) gives it, and nothing else.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use crate::field::{Field, Section};
use crate::starter::{SCHEMA_PATH, with_modeline};

/// One certificate as the API showed it.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    pub certificate_id: String,
    /// The detail's `Domain`, used when `SubmittedData` has no
    /// `CertificateDomain`.
    pub domain: String,
    pub status: u64,
    /// `IsDv`.
    pub is_dv: bool,
    /// The value of its `tccert:certificate` tag: the name of the manifest
    /// that bought it, which the imported manifest keeps.
    pub name_tag: Option<String>,
    /// `SubmittedData`.
    pub submitted: Map<String, Json>,
}

/// A file of the tree: its path under DIR (with `/`) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeFile {
    pub path: String,
    pub contents: String,
}

/// What was written for one certificate, for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub name: String,
    pub certificate_id: String,
    pub status: u64,
    pub file: String,
    pub profiles: Vec<String>,
    /// The variable its `key_password` reads, when it has one.
    pub key_password_variable: Option<String>,
    /// The CSR file written for it, when it was uploaded.
    pub csr_file: Option<String>,
}

/// The whole tree and what it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    pub files: Vec<TreeFile>,
    pub certificates: Vec<Written>,
    /// `(name, file)` of each profile.
    pub profiles: Vec<(String, String)>,
}

/// A `SubmittedData` value as text: a non-empty string, else nothing.
fn text<'a>(submitted: &'a Map<String, Json>, api: &str) -> Option<&'a str> {
    submitted
        .get(api)
        .and_then(Json::as_str)
        .filter(|v| !v.is_empty())
}

/// `DomainList` without empty entries (the API may return `[""]`).
fn domain_list(submitted: &Map<String, Json>) -> Vec<&str> {
    submitted
        .get("DomainList")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .filter(|d| !d.is_empty())
        .collect()
}

/// Whether `SubmittedData` holds any information: a non-empty value in any
/// field (a null one, or one of only empty fields, as the API may return
/// once a certificate is issued, holds none).
pub fn has_information(submitted: Option<&Map<String, Json>>) -> bool {
    submitted.is_some_and(|data| {
        data.iter().any(|(key, value)| match value {
            Json::String(s) => !s.is_empty(),
            Json::Array(_) => key == "DomainList" && !domain_list(data).is_empty(),
            _ => false,
        })
    })
}

/// Lower-case ASCII letters and digits, every other run of characters as
/// one `-`, no `-` at either end.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        // Names become file names: a live value of any length must still
        // give one a file system accepts (255 bytes), with room for the
        // id a collision appends and the extension.
        if out.len() >= MAX_SLUG {
            break;
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The longest name part taken from a live value.
const MAX_SLUG: usize = 64;

/// A certificate's name from its domain: `www.acme.example` ->
/// `www-acme-example`, `*.acme.example` -> `wildcard-acme-example`.
pub fn certificate_name(domain: &str) -> String {
    let name = match domain.strip_prefix("*.") {
        Some(rest) => format!("wildcard-{}", slug(rest)),
        None => slug(domain),
    };
    if name.is_empty() || name == "wildcard-" {
        "certificate".to_owned()
    } else {
        name
    }
}

/// The variable a certificate's key password is read from: the name
/// upper-cased, every character other than A-Z and 0-9 as `_`, `CERT_`
/// first when it would start with a digit, then `_KEY_PASSWORD`.
pub fn key_password_variable(name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            let c = c.to_ascii_uppercase();
            if c.is_ascii_uppercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    let prefix = if upper.starts_with(|c: char| c.is_ascii_digit()) {
        "CERT_"
    } else {
        ""
    };
    format!("{prefix}{upper}_KEY_PASSWORD")
}

/// Words a YAML reader may take for null or a boolean (YAML 1.2's, and
/// 1.1's `yes`/`no`/`on`/`off` for older readers such as editors' plugins).
const NOT_STRINGS: [&str; 10] = [
    "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n",
];

/// Whether a string must be quoted to read back as the same string: words
/// and numbers a YAML 1.2 reader types (`089`, `true`, `1e3`, `.inf`), and
/// anything a plain scalar cannot hold (indicators at the start, `: ` or
/// ` #` inside, spaces at either end, control characters).
fn needs_quotes(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return true;
    };
    NOT_STRINGS.contains(&value.to_ascii_lowercase().as_str())
        || first.is_ascii_digit()
        || "-+.?:,[]{}#&*!|>'\"%@`\\".contains(first)
        || first.is_whitespace()
        || value.ends_with(char::is_whitespace)
        || value.ends_with(':')
        || value.contains(": ")
        || value.contains(" #")
        || value
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
}

/// A string as a YAML scalar: plain when that reads back as the same
/// string, else double-quoted with escapes.
pub fn yaml_string(value: &str) -> String {
    if !needs_quotes(value) {
        return value.to_owned();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A live value as written: every `$` doubled (a literal `$` to the
/// interpolation), then quoted as YAML needs.
pub fn live_value(value: &str) -> String {
    yaml_string(&value.replace('$', "$$"))
}

/// The fields of a section that `SubmittedData` shows, in the table's order.
fn section_fields(section: Section) -> impl Iterator<Item = (&'static str, &'static str)> {
    Field::ALL.into_iter().filter_map(move |field| {
        let info = field.info();
        (info.section == Some(section) && info.legacy).then_some((info.key, info.api))
    })
}

/// One section's values on one certificate: `(manifest key, value)`.
type Set = Vec<(&'static str, String)>;

fn section_set(submitted: &Map<String, Json>, section: Section) -> Set {
    section_fields(section)
        .filter_map(|(key, api)| text(submitted, api).map(|v| (key, v.to_owned())))
        .collect()
}

fn write_section(out: &mut String, section: Section, set: &Set) {
    if set.is_empty() {
        return;
    }
    out.push_str(&format!("{}:\n", section.key()));
    for (key, value) in set {
        out.push_str(&format!("  {key}: {}\n", live_value(value)));
    }
}

/// The name of a profile holding `set`, before making it unique.
fn profile_base_name(section: Section, set: &Set) -> String {
    let value = |key: &str| {
        set.iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v.as_str())
    };
    let (prefix, from) = match section {
        Section::Organization => ("", value("name").to_owned()),
        Section::Admin => (
            "admin",
            format!("{} {}", value("first_name"), value("last_name")),
        ),
        Section::Contact => (
            "contact",
            format!("{} {}", value("first_name"), value("last_name")),
        ),
    };
    let slug = slug(&from);
    match (prefix, slug.is_empty()) {
        ("", true) => section.key().to_owned(),
        ("", false) => slug,
        (prefix, true) => prefix.to_owned(),
        (prefix, false) => format!("{prefix}-{slug}"),
    }
}

/// A name not taken yet: `base`, else `base-2`, `base-3`, ...
fn unique(base: String, taken: &mut BTreeSet<String>) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// A `tccert:certificate` tag's value that can be a manifest's name and a
/// file name as it is: letters, digits, `-`, `_` and `.` (not first), at
/// most 64 characters. Any other value (the tag is the server's text) is
/// not used.
fn usable_tag_name(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && !value.starts_with('.')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Names for every certificate: the name its `tccert:certificate` tag
/// gives (a certificate tccert bought keeps the name it was bought under,
/// so the manifest written for it names the same certificate), else from
/// the domain; the id is appended to every certificate of a name that two
/// would share.
fn names(certificates: &[Imported]) -> Vec<String> {
    let bases: Vec<String> = certificates
        .iter()
        .map(
            |c| match c.name_tag.as_deref().filter(|t| usable_tag_name(t)) {
                Some(tag) => tag.to_owned(),
                None => {
                    certificate_name(text(&c.submitted, "CertificateDomain").unwrap_or(&c.domain))
                }
            },
        )
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for base in &bases {
        *counts.entry(base).or_default() += 1;
    }
    let mut taken = BTreeSet::new();
    bases
        .iter()
        .zip(certificates)
        .map(|(base, c)| {
            let name = if counts[base.as_str()] > 1 {
                format!("{base}-{}", slug(&c.certificate_id))
            } else {
                base.clone()
            };
            unique(name, &mut taken)
        })
        .collect()
}

/// The path of `target` (under DIR) as seen from a file at `from`.
fn relative(from: &str, target: &str) -> String {
    format!("{}{target}", "../".repeat(from.matches('/').count()))
}

/// Builds the tree: profiles for the organization, admin and contact sets
/// that two or more certificates share, one file per certificate holding
/// the rest, uploaded CSRs under `csr/`, and the schema. With `account`
/// (`import --account NAME`), every certificate says `account: NAME`, so
/// that validate and plan read it with that account's credentials.
pub fn build(certificates: &[Imported], account: Option<&str>) -> Tree {
    let names = names(certificates);
    let mut order: Vec<usize> = (0..certificates.len()).collect();
    order.sort_by(|a, b| names[*a].cmp(&names[*b]));

    // Which sets are shared, per section, and their profiles' names, given
    // in the order of the certificates' names so that runs agree.
    let mut profile_of: BTreeMap<(Section, Set), String> = BTreeMap::new();
    let mut profiles = Vec::new();
    let mut files = Vec::new();
    let mut taken = BTreeSet::new();
    for section in Section::ALL {
        let mut counts: BTreeMap<Set, usize> = BTreeMap::new();
        for c in certificates {
            let set = section_set(&c.submitted, section);
            if !set.is_empty() {
                *counts.entry(set).or_default() += 1;
            }
        }
        for &i in &order {
            let set = section_set(&certificates[i].submitted, section);
            if counts.get(&set).copied().unwrap_or(0) < 2
                || profile_of.contains_key(&(section, set.clone()))
            {
                continue;
            }
            let name = unique(profile_base_name(section, &set), &mut taken);
            let path = format!("profiles/{name}.yaml");
            let mut body = format!("apiVersion: tccert/v1\nkind: Profile\nname: {name}\n");
            write_section(&mut body, section, &set);
            files.push(TreeFile {
                path: path.clone(),
                contents: with_modeline(&path, &body),
            });
            profiles.push((name.clone(), path));
            profile_of.insert((section, set), name);
        }
    }

    let mut written = Vec::new();
    for &i in &order {
        let c = &certificates[i];
        let name = &names[i];
        let path = format!("certificates/{name}.yaml");
        let data = &c.submitted;
        let mut body = format!(
            "apiVersion: tccert/v1\nkind: Certificate\nname: {name}\ncertificate_id: {}\n",
            live_value(&c.certificate_id)
        );
        if let Some(account) = account {
            body.push_str(&format!("account: {}\n", yaml_string(account)));
        }
        let mut own = Vec::new();
        let mut used = Vec::new();
        for section in Section::ALL {
            let set = section_set(data, section);
            match profile_of.get(&(section, set.clone())) {
                Some(profile) => used.push(profile.clone()),
                None => own.push((section, set)),
            }
        }
        if !used.is_empty() {
            body.push_str("profiles:\n");
            for profile in &used {
                body.push_str(&format!("  - {profile}\n"));
            }
        }
        let domain = text(data, "CertificateDomain").unwrap_or(&c.domain);
        body.push_str(&format!("domain: {}\n", live_value(domain)));
        let domains = domain_list(data);
        if !domains.is_empty() {
            body.push_str("domains:\n");
            for d in domains {
                body.push_str(&format!("  - {}\n", live_value(d)));
            }
        }
        if c.is_dv {
            body.push_str("dv: true\n");
        }
        if let Some(verify_type) = text(data, "VerifyType") {
            body.push_str(&format!("verify_type: {}\n", live_value(verify_type)));
        }
        let mut password_variable = None;
        let mut csr_file = None;
        match (text(data, "CsrType"), text(data, "CsrContent")) {
            (Some("parse") | None, Some(pem)) => {
                let csr_path = format!("csr/{name}.csr");
                body.push_str(&format!(
                    "csr:\n  type: parse\n  file: {}\n",
                    yaml_string(&relative(&path, &csr_path))
                ));
                files.push(TreeFile {
                    path: csr_path.clone(),
                    contents: pem.to_owned(),
                });
                csr_file = Some(csr_path);
            }
            (Some(csr_type), _) => {
                body.push_str(&format!("csr:\n  type: {}\n", live_value(csr_type)));
                // A key password goes with an online CSR only.
                if csr_type == "online" && text(data, "KeyPassword").is_some() {
                    let variable = key_password_variable(name);
                    body.push_str(&format!("  key_password: ${{{variable}}}\n"));
                    password_variable = Some(variable);
                }
            }
            (None, None) => {}
        }
        for (section, set) in &own {
            write_section(&mut body, *section, set);
        }
        files.push(TreeFile {
            path: path.clone(),
            contents: with_modeline(&path, &body),
        });
        written.push(Written {
            name: name.clone(),
            certificate_id: c.certificate_id.clone(),
            status: c.status,
            file: path,
            profiles: used,
            key_password_variable: password_variable,
            csr_file,
        });
    }
    files.push(TreeFile {
        path: SCHEMA_PATH.to_owned(),
        contents: crate::manifest::schema::schema_text(crate::manifest::schema::Draft::Draft07),
    });
    Tree {
        files,
        certificates: written,
        profiles,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_from_domains() {
        assert_eq!(certificate_name("www.acme.example"), "www-acme-example");
        assert_eq!(certificate_name("*.acme.example"), "wildcard-acme-example");
        assert_eq!(certificate_name("Shop.ACME.example"), "shop-acme-example");
        assert_eq!(certificate_name("a--b..c"), "a-b-c");
        assert_eq!(certificate_name("例え.jp"), "jp");
        assert_eq!(certificate_name(""), "certificate");
        assert_eq!(certificate_name("*."), "certificate");
        // Any length of live value gives a name a file system accepts.
        let long = certificate_name(&format!("{}.example", "x".repeat(300)));
        assert_eq!(long, "x".repeat(MAX_SLUG));
        let dashed = certificate_name(&format!("{}-.b", "a".repeat(MAX_SLUG - 1)));
        assert!(
            !dashed.ends_with('-') && dashed.len() < MAX_SLUG,
            "{dashed}"
        );
    }

    #[test]
    fn placeholder_variables() {
        assert_eq!(
            key_password_variable("www-acme-example"),
            "WWW_ACME_EXAMPLE_KEY_PASSWORD"
        );
        assert_eq!(
            key_password_variable("1shop.eu"),
            "CERT_1SHOP_EU_KEY_PASSWORD"
        );
        assert_eq!(
            key_password_variable("wildcard-a-b"),
            "WILDCARD_A_B_KEY_PASSWORD"
        );
    }

    #[test]
    fn yaml_quoting_keeps_strings_strings() {
        for ambiguous in [
            "089",
            "0755",
            "518000",
            "1e3",
            "true",
            "False",
            "NULL",
            "~",
            "yes",
            "off",
            ".inf",
            "-1",
            "+1",
            "",
            " padded",
            "trailing ",
            "a: b",
            "a #b",
            "*alias",
            "&anchor",
            "!tag",
            "- item",
            "[x]",
            "{x}",
            "'q'",
            "\"q\"",
            "%x",
            "@x",
            "`x",
            "|x",
            ">x",
            "?x",
            "key:",
            "line\nbreak",
            "tab\there",
        ] {
            let written = yaml_string(ambiguous);
            assert!(written.starts_with('"'), "{ambiguous:?} -> {written}");
        }
        for plain in [
            "Acme Ltd",
            "admin@acme.example",
            "CN",
            "Guangdong Province",
            "a:b",
            "a#b",
            "O'Neil",
            "深圳",
        ] {
            assert_eq!(yaml_string(plain), plain);
        }
        assert_eq!(yaml_string("say \"hi\"\\"), "say \"hi\"\\");
        assert_eq!(yaml_string("\"a\\b\""), "\"\\\"a\\\\b\\\"\"");
        assert_eq!(yaml_string("x\u{1b}y "), "\"x\\u001by \"");
        assert_eq!(live_value("Pay$5"), "Pay$$5");
        assert_eq!(live_value("${HOME}"), "$${HOME}");
        assert_eq!(live_value("$1"), "$$1");
    }

    fn submitted(org: &str, admin: &str, extra: Json) -> Map<String, Json> {
        let mut data = json!({
            "CsrType": "online", "CertificateDomain": "www.acme.example",
            "OrganizationName": org, "OrganizationDivision": "IT", "OrganizationAddress": "1 Road",
            "OrganizationCountry": "CN", "OrganizationCity": "Shenzhen",
            "OrganizationRegion": "Guangdong", "PostalCode": "518000", "PhoneAreaCode": "0755",
            "PhoneNumber": "86013388",
            "AdminFirstName": admin, "AdminLastName": "Sky", "AdminPhoneNum": "13800138000",
            "AdminEmail": "admin@acme.example", "AdminPosition": "CTO",
            "ContactFirstName": "Leia", "ContactLastName": "Sky", "ContactNumber": "13800138001",
            "ContactEmail": "pki@acme.example", "ContactPosition": "Engineer",
            "KeyPassword": "", "DomainList": [""], "VerifyType": ""
        });
        if let (Some(data), Some(extra)) = (data.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                data.insert(k.clone(), v.clone());
            }
        }
        data.as_object().cloned().unwrap_or_default()
    }

    fn imported(id: &str, data: Map<String, Json>) -> Imported {
        Imported {
            certificate_id: id.into(),
            domain: "ignored.example".into(),
            status: 5,
            is_dv: false,
            name_tag: None,
            submitted: data,
        }
    }

    #[test]
    fn a_certificate_tccert_bought_keeps_the_name_of_its_tag() {
        let mut bought = imported("Bought1", submitted("Acme", "Luke", json!({})));
        bought.name_tag = Some("shop".into());
        let mut odd = imported(
            "Odd1",
            submitted(
                "Acme",
                "Luke",
                json!({"CertificateDomain": "odd.acme.example"}),
            ),
        );
        // The tag is the server's text: a value that cannot be a file name
        // as it is falls back to the domain.
        odd.name_tag = Some("../etc/passwd".into());
        let plain = imported(
            "Plain1",
            submitted(
                "Acme",
                "Luke",
                json!({"CertificateDomain": "plain.acme.example"}),
            ),
        );
        let names = names(&[bought, odd, plain]);
        assert_eq!(names[0], "shop");
        assert_ne!(names[1], "../etc/passwd");
        assert!(!names[1].contains('/'));
        assert!(usable_tag_name("shop-2.eu_west"));
        assert!(!usable_tag_name(".hidden"));
        assert!(!usable_tag_name(""));
        assert!(!usable_tag_name(&"a".repeat(65)));
    }

    fn file<'t>(tree: &'t Tree, path: &str) -> &'t str {
        tree.files.iter().find(|f| f.path == path).map_or_else(
            || {
                panic!(
                    "no {path} in {:?}",
                    tree.files.iter().map(|f| &f.path).collect::<Vec<_>>()
                )
            },
            |f| f.contents.as_str(),
        )
    }

    #[test]
    fn shared_sets_become_profiles_and_certificates_keep_the_rest() {
        let tree = build(
            &[
                imported(
                    "a1",
                    submitted(
                        "Acme Ltd",
                        "Luke",
                        json!({"CertificateDomain": "www.acme.example"}),
                    ),
                ),
                imported(
                    "b2",
                    submitted(
                        "Acme Ltd",
                        "Han",
                        json!({"CertificateDomain": "api.acme.example"}),
                    ),
                ),
                imported(
                    "c3",
                    submitted(
                        "Other $Co",
                        "Han",
                        json!({"CertificateDomain": "*.other.example"}),
                    ),
                ),
            ],
            None,
        );
        let profiles: Vec<&str> = tree.profiles.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(profiles, ["acme-ltd", "admin-han-sky", "contact-leia-sky"]);
        assert_eq!(
            file(&tree, "profiles/acme-ltd.yaml"),
            "# yaml-language-server: $schema=../.tccert/tccert-v1.schema.json\n\
             apiVersion: tccert/v1\nkind: Profile\nname: acme-ltd\norganization:\n  name: Acme Ltd\n  \
             division: IT\n  address: \"1 Road\"\n  country: CN\n  city: Shenzhen\n  region: Guangdong\n  \
             postal_code: \"518000\"\n  phone_area_code: \"0755\"\n  phone_number: \"86013388\"\n"
        );
        let www = file(&tree, "certificates/www-acme-example.yaml");
        assert!(!www.contains("account:"), "no account unless asked: {www}");
        assert!(
            www.contains("profiles:\n  - acme-ltd\n  - contact-leia-sky\n"),
            "{www}"
        );
        assert!(
            www.contains("admin:\n  first_name: Luke\n"),
            "its own admin, in full: {www}"
        );
        assert!(!www.contains("organization:"), "{www}");
        assert!(!www.contains("domains:"), "[\"\"] is no list: {www}");
        assert!(!www.contains("verify_type"), "{www}");
        assert!(
            !www.contains("key_password"),
            "an empty KeyPassword is none: {www}"
        );
        let other = file(&tree, "certificates/wildcard-other-example.yaml");
        assert!(other.contains("  name: Other $$Co\n"), "{other}");
        assert!(
            other.contains("profiles:\n  - admin-han-sky\n  - contact-leia-sky\n"),
            "{other}"
        );
        assert_eq!(tree.certificates.len(), 3);
        assert!(file(&tree, SCHEMA_PATH).contains("\"$schema\""));
    }

    #[test]
    fn collisions_dv_csr_and_key_passwords() {
        let pem = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n";
        let mut first = imported(
            "AbC1",
            submitted(
                "Acme",
                "Luke",
                json!({"KeyPassword": "s3cret$", "VerifyType": "DNS",
                                              "DomainList": ["api.acme.example", "true"]}),
            ),
        );
        first.is_dv = true;
        let second = imported(
            "xyz9",
            submitted(
                "Acme",
                "Luke",
                json!({"CsrType": "parse", "CsrContent": pem}),
            ),
        );
        let tree = build(&[first, second], Some("acme-hk"));
        let names: Vec<&str> = tree.certificates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["www-acme-example-abc1", "www-acme-example-xyz9"]);
        let online = file(&tree, "certificates/www-acme-example-abc1.yaml");
        assert!(
            online.contains("\ncertificate_id: AbC1\naccount: acme-hk\n"),
            "import --account names the account on every certificate: {online}"
        );
        assert!(
            file(&tree, "certificates/www-acme-example-xyz9.yaml").contains("\naccount: acme-hk\n")
        );
        assert!(online.contains("dv: true\n"), "{online}");
        assert!(online.contains("verify_type: DNS\n"), "{online}");
        assert!(
            online.contains("domains:\n  - api.acme.example\n  - \"true\"\n"),
            "{online}"
        );
        assert!(
            online.contains(
                "csr:\n  type: online\n  key_password: ${WWW_ACME_EXAMPLE_ABC1_KEY_PASSWORD}\n"
            ),
            "{online}"
        );
        assert!(!online.contains("s3cret"), "never the value");
        assert_eq!(
            tree.certificates[0].key_password_variable.as_deref(),
            Some("WWW_ACME_EXAMPLE_ABC1_KEY_PASSWORD")
        );
        let parsed = file(&tree, "certificates/www-acme-example-xyz9.yaml");
        assert!(
            parsed.contains("csr:\n  type: parse\n  file: \"../csr/www-acme-example-xyz9.csr\"\n"),
            "{parsed}"
        );
        assert_eq!(
            file(&tree, "csr/www-acme-example-xyz9.csr"),
            pem,
            "the PEM as the API holds it"
        );
        assert!(!parsed.contains("dv:"));
    }

    #[test]
    fn information_means_a_non_empty_value() {
        assert!(!has_information(None));
        let empty = json!({"CsrType": "", "DomainList": [""], "KeyPassword": null});
        assert!(!has_information(empty.as_object()));
        let some = json!({"CsrType": "", "OrganizationName": "Acme"});
        assert!(has_information(some.as_object()));
        let domains = json!({"DomainList": ["a.example"]});
        assert!(has_information(domains.as_object()));
    }
}
