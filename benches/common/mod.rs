//! Generator of a large, realistic manifest tree, shared by the benchmarks.
//!
//! The tree looks like `examples/` scaled up: organization profiles built on
//! address profiles, contact-only team profiles, and certificates that list
//! one to three of them and override a field or two. It is written one
//! document per file, half YAML and half TOML, so that single-document tools
//! such as check-jsonschema can read exactly the same files as tccert.
//!
//! Everything is derived from a fixed seed, so two runs (and two machines)
//! benchmark byte-identical input.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use tccert::manifest::load::Budget;
use tccert::output::diagnostics::render_text;
use tccert::pipeline::{self, Valid};
use tccert::system::{ProcessEnvironment, RealFileSystem};
use tccert::validate::Options;

/// The CSRs of `examples/csr/`, reused so that about one certificate in ten
/// exercises CSR parsing and signature checks, as real trees do. Their common
/// names fix those certificates' `domain`.
const WILDCARD_CSR: &str = include_str!("../../examples/csr/wildcard-acme.csr");
const WILDCARD_DOMAIN: &str = "*.acme.example";
const API_CSR: &str = include_str!("../../examples/csr/api-acme.csr");
const API_DOMAIN: &str = "api.acme.example";
const API_DOMAINS: [&str; 2] = ["api-v2.acme.example", "gateway.acme.example"];

/// Schema directives as in `examples/`, so that every file starts as a
/// committed one would. The generated tree is outside the repository and
/// nothing resolves these paths.
const YAML_HEADER: &str = "# yaml-language-server: $schema=../../schemas/tccert-v1.schema.json\n";
const TOML_HEADER: &str = "#:schema ../../schemas/tccert-v1.schema.json\n";

const COMPANIES: [&str; 20] = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "vandelay",
    "wonka",
    "stark",
    "wayne",
    "tyrell",
    "cyberdyne",
    "soylent",
    "aperture",
    "oscorp",
    "monarch",
    "nakatomi",
    "gringotts",
    "duff",
    "piedpiper",
    "massive",
];

/// country, region, city, postal code, phone area code
const LOCATIONS: [[&str; 5]; 10] = [
    ["CN", "Guangdong Province", "Shenzhen", "518000", "0755"],
    ["CN", "Beijing", "Beijing", "100000", "010"],
    ["CN", "Shanghai", "Shanghai", "200000", "021"],
    ["CN", "Zhejiang Province", "Hangzhou", "310000", "0571"],
    ["HK", "Hong Kong", "Hong Kong", "999077", "852"],
    ["SG", "Singapore", "Singapore", "018956", "65"],
    ["US", "California", "San Jose", "95113", "408"],
    ["DE", "Berlin", "Berlin", "10115", "030"],
    ["JP", "Tokyo", "Chiyoda", "100-0005", "03"],
    ["GB", "England", "London", "EC1A 1BB", "020"],
];

const STREETS: [&str; 6] = [
    "Example Road",
    "Harbour Road",
    "Science Park Avenue",
    "Market Street",
    "Innovation Drive",
    "Station Square",
];
const FIRST_NAMES: [&str; 10] = [
    "Luke", "Leia", "Mei", "Wei", "Anna", "Kenji", "Priya", "Omar", "Sofia", "Lars",
];
const LAST_NAMES: [&str; 10] = [
    "Sky", "Organa", "Chan", "Zhang", "Muller", "Sato", "Patel", "Haddad", "Rossi", "Berg",
];
const POSITIONS: [&str; 6] = [
    "CTO",
    "IT Director",
    "PKI Engineer",
    "Site Reliability Engineer",
    "Security Officer",
    "Operations Manager",
];
const DIVISIONS: [&str; 6] = [
    "IT",
    "Web",
    "Platform",
    "Security",
    "Payments",
    "Operations",
];
const HOSTS: [&str; 10] = [
    "www", "api", "shop", "mail", "vpn", "portal", "pay", "cdn", "auth", "status",
];
const VERIFY_TYPES: [&str; 3] = ["DNS_AUTO", "DNS", "FILE"];

/// Writes `certificates` certificate manifests over `profiles` profiles into
/// `dir` and returns every manifest file written, sorted.
///
/// `dir` is emptied first (removed and made again): callers pass a directory
/// under `std::env::temp_dir()` that belongs to the benchmark. Profiles go to
/// `dir/profiles/`, certificates to `dir/certificates/<company>/`, the CSRs
/// they reference to `dir/csr/`.
/// [`validated`] checks the result through tccert's own front door.
///
/// Profiles come in threes: an address profile (`<company>-base`), an
/// organization profile that builds on it (`<company>`, with the admin), and
/// a contact-only team profile (`<company>-pki`). At least 3 profiles are
/// needed so that every kind exists.
pub fn generate(dir: &Path, certificates: usize, profiles: usize) -> io::Result<Vec<PathBuf>> {
    assert!(profiles >= 3, "need at least 3 profiles, got {profiles}");
    if dir.exists() {
        fs::remove_dir_all(dir)?;
    }
    fs::create_dir_all(dir.join("profiles"))?;
    fs::create_dir_all(dir.join("csr"))?;
    fs::write(dir.join("csr/wildcard.csr"), WILDCARD_CSR)?;
    fs::write(dir.join("csr/api.csr"), API_CSR)?;

    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut files = Vec::with_capacity(certificates + profiles);
    let mut organizations = Vec::new();
    let mut teams = Vec::new();

    for k in 0..profiles {
        let company = company_slug(k / 3);
        let doc = match k % 3 {
            0 => base_profile(&company, &mut rng),
            1 => {
                organizations.push(company.clone());
                organization_profile(&company, &mut rng)
            }
            _ => {
                teams.push(format!("{company}-pki"));
                team_profile(&company, &mut rng)
            }
        };
        let name = doc.name.clone();
        let format = if k % 2 == 0 {
            Format::Yaml
        } else {
            Format::Toml
        };
        let path = dir
            .join("profiles")
            .join(format!("{name}.{}", format.extension()));
        fs::write(&path, doc.render(format))?;
        files.push(path);
    }

    for i in 0..certificates {
        let organization = &organizations[rng.below(organizations.len())];
        let doc = certificate(i, organization, &teams, &mut rng);
        let folder = dir.join("certificates").join(organization);
        fs::create_dir_all(&folder)?;
        // Alternating by index gives exactly half of each format.
        let format = if i % 2 == 0 {
            Format::Yaml
        } else {
            Format::Toml
        };
        let path = folder.join(format!("{}.{}", doc.name, format.extension()));
        fs::write(&path, doc.render(format))?;
        files.push(path);
    }
    files.sort();
    Ok(files)
}

/// Company `n`'s slug: the list first, then the list again with a number, so
/// any profile count gives unique names.
fn company_slug(n: usize) -> String {
    let base = COMPANIES[n % COMPANIES.len()];
    match n / COMPANIES.len() {
        0 => base.to_owned(),
        round => format!("{base}{}", round + 1),
    }
}

fn base_profile(company: &str, rng: &mut XorShift) -> Document {
    let [country, region, city, postal_code, area_code] = rng.pick(&LOCATIONS);
    let address = format!("{} {}", 1 + rng.below(300), rng.pick(&STREETS));
    let mut doc = Document::new("Profile", &format!("{company}-base"));
    doc.section(
        "organization",
        vec![
            ("address", address),
            ("country", country.to_owned()),
            ("region", region.to_owned()),
            ("city", city.to_owned()),
            ("postal_code", postal_code.to_owned()),
            ("phone_area_code", area_code.to_owned()),
            ("phone_number", rng.digits(8)),
        ],
    );
    doc
}

fn organization_profile(company: &str, rng: &mut XorShift) -> Document {
    let mut doc = Document::new("Profile", company);
    doc.list("profiles", vec![format!("{company}-base")]);
    if rng.below(2) == 0 {
        doc.scalar("verify_type", rng.pick(&VERIFY_TYPES));
    }
    doc.section(
        "organization",
        vec![
            ("name", format!("{} Ltd", title_case(company))),
            ("division", rng.pick(&DIVISIONS).to_owned()),
        ],
    );
    doc.section("admin", person(company, "admin", rng));
    doc
}

fn team_profile(company: &str, rng: &mut XorShift) -> Document {
    let mut doc = Document::new("Profile", &format!("{company}-pki"));
    doc.section("contact", person(company, "pki", rng));
    doc
}

/// The five fields of `admin` or `contact`.
fn person(company: &str, mailbox: &str, rng: &mut XorShift) -> Vec<(&'static str, String)> {
    vec![
        ("first_name", rng.pick(&FIRST_NAMES).to_owned()),
        ("last_name", rng.pick(&LAST_NAMES).to_owned()),
        ("phone", format!("1{}", rng.digits(10))),
        ("email", format!("{mailbox}@{company}.example")),
        ("position", rng.pick(&POSITIONS).to_owned()),
    ]
}

/// Certificate `i` of `company`. About 5% are DV (a team profile, domain and
/// CSR only), 10% bring their own CSR, the rest let Tencent Cloud make it.
fn certificate(i: usize, company: &str, teams: &[String], rng: &mut XorShift) -> Document {
    let host = rng.pick(&HOSTS);
    let name = format!("{company}-{host}-{i:05}");
    let mut doc = Document::new("Certificate", &name);
    doc.scalar("certificate_id", &certificate_id(i));
    let team = &teams[rng.below(teams.len())];

    if i % 20 == 7 {
        doc.list("profiles", vec![team.clone()]);
        doc.scalar("domain", &format!("{host}-{i}.{company}.example"));
        doc.boolean("dv", true);
        doc.section("csr", vec![("type", "online".to_owned())]);
        return doc;
    }

    // One profile and an inline contact (20%), organization + team (50%), or
    // organization + team + a second team whose contact wins (30%).
    let shape = rng.below(10);
    let mut profiles = vec![company.to_owned()];
    if shape >= 2 {
        profiles.push(team.clone());
    }
    if shape >= 7 {
        profiles.push(teams[rng.below(teams.len())].clone());
    }
    doc.list("profiles", profiles);

    if i % 10 == 3 {
        // Bring-your-own CSR: alternate file and inline PEM, wildcard and
        // multi-domain. The common name fixes the domain.
        let (domain, domains, pem, file) = match (i / 10) % 4 {
            0 => (WILDCARD_DOMAIN, &[][..], WILDCARD_CSR, "wildcard.csr"),
            1 => (API_DOMAIN, &API_DOMAINS[..], API_CSR, "api.csr"),
            2 => (WILDCARD_DOMAIN, &[][..], WILDCARD_CSR, ""),
            _ => (API_DOMAIN, &API_DOMAINS[..], API_CSR, ""),
        };
        doc.scalar("domain", domain);
        if !domains.is_empty() {
            doc.list("domains", domains.iter().map(|d| (*d).to_owned()).collect());
        }
        doc.scalar("verify_type", "DNS");
        let source = if file.is_empty() {
            ("pem", pem.to_owned())
        } else {
            ("file", format!("../../csr/{file}"))
        };
        doc.section("csr", vec![("type", "parse".to_owned()), source]);
    } else {
        doc.scalar("domain", &format!("{host}-{i}.{company}.example"));
        if rng.below(4) == 0 {
            doc.list(
                "domains",
                vec![
                    format!("{host}-{i}-alt.{company}.example"),
                    format!("{host}-{i}.{company}-cdn.example"),
                ],
            );
        }
        if rng.below(3) != 0 {
            doc.scalar("verify_type", rng.pick(&VERIFY_TYPES));
        }
        let mut csr = vec![("type", "online".to_owned())];
        if rng.below(4) == 0 {
            // Interpolation with a default, so validate needs no environment.
            csr.push((
                "key_password",
                "${BENCH_KEY_PASSWORD:-bench-only}".to_owned(),
            ));
        }
        doc.section("csr", csr);
        if rng.below(10) == 0 {
            doc.boolean("commit", true);
        }
    }

    // The overrides: the contact when no team profile supplies one, else a
    // field or two of organization, admin or contact.
    if shape < 2 {
        doc.section("contact", person(company, "ops", rng));
    } else {
        match rng.below(4) {
            0 => doc.section(
                "organization",
                vec![("division", rng.pick(&DIVISIONS).to_owned())],
            ),
            1 => doc.section(
                "contact",
                vec![("email", format!("{host}-owners@{company}.example"))],
            ),
            2 => doc.section(
                "admin",
                vec![
                    ("position", rng.pick(&POSITIONS).to_owned()),
                    ("phone", format!("1{}", rng.digits(10))),
                ],
            ),
            _ => {}
        }
    }
    doc
}

/// An id in Tencent's shape (8 letters and digits), unique for every index:
/// multiplying by a constant coprime to 62^8 (odd, and not a multiple of 31)
/// permutes 0..62^8, so distinct indexes give distinct ids that still look
/// random.
fn certificate_id(i: usize) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const SPACE: u128 = 62u128.pow(8);
    const MULTIPLIER: u128 = 0x9E37_79B9_7F4A_7C15;
    let mut n = (i as u128 + 1) * MULTIPLIER % SPACE;
    let mut id = [0u8; 8];
    for byte in id.iter_mut().rev() {
        *byte = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    id.iter().map(|&b| char::from(b)).collect()
}

fn title_case(slug: &str) -> String {
    let mut chars = slug.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// xorshift64: enough randomness for varied test data, no dependency, and the
/// same sequence everywhere.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform enough in `0..n` for test data (modulo bias is irrelevant here).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

#[derive(Clone, Copy)]
enum Format {
    Yaml,
    Toml,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Toml => "toml",
        }
    }
}

enum Value {
    Text(String),
    Bool(bool),
    List(Vec<String>),
}

/// One manifest document: top-level fields in order, then the maps
/// (`csr`, `organization`, `admin`, `contact`), rendered as YAML or TOML.
struct Document {
    name: String,
    fields: Vec<(&'static str, Value)>,
    sections: Vec<(&'static str, Vec<(&'static str, String)>)>,
}

impl Document {
    fn new(kind: &'static str, name: &str) -> Self {
        Document {
            name: name.to_owned(),
            fields: vec![
                ("apiVersion", Value::Text("tccert/v1".to_owned())),
                ("kind", Value::Text(kind.to_owned())),
                ("name", Value::Text(name.to_owned())),
            ],
            sections: Vec::new(),
        }
    }

    fn scalar(&mut self, key: &'static str, value: &str) {
        self.fields.push((key, Value::Text(value.to_owned())));
    }

    fn boolean(&mut self, key: &'static str, value: bool) {
        self.fields.push((key, Value::Bool(value)));
    }

    fn list(&mut self, key: &'static str, values: Vec<String>) {
        self.fields.push((key, Value::List(values)));
    }

    fn section(&mut self, key: &'static str, entries: Vec<(&'static str, String)>) {
        self.sections.push((key, entries));
    }

    fn render(&self, format: Format) -> String {
        match format {
            Format::Yaml => self.yaml(),
            Format::Toml => self.toml(),
        }
    }

    fn yaml(&self) -> String {
        let mut out = String::from(YAML_HEADER);
        for (key, value) in &self.fields {
            match value {
                Value::Text(text) => writeln!(out, "{key}: {}", yaml_scalar(text)),
                Value::Bool(flag) => writeln!(out, "{key}: {flag}"),
                Value::List(items) => {
                    let items: Vec<String> = items.iter().map(|s| yaml_scalar(s)).collect();
                    writeln!(out, "{key}: [{}]", items.join(", "))
                }
            }
            .expect("writing to a String cannot fail");
        }
        for (section, entries) in &self.sections {
            out.push_str(section);
            out.push_str(":\n");
            for (key, value) in entries {
                if value.contains('\n') {
                    // A PEM: a literal block keeps it byte for byte.
                    writeln!(out, "  {key}: |").expect("writing to a String cannot fail");
                    for line in value.lines() {
                        writeln!(out, "    {line}").expect("writing to a String cannot fail");
                    }
                } else {
                    writeln!(out, "  {key}: {}", yaml_scalar(value))
                        .expect("writing to a String cannot fail");
                }
            }
        }
        out
    }

    fn toml(&self) -> String {
        let mut out = String::from(TOML_HEADER);
        for (key, value) in &self.fields {
            match value {
                Value::Text(text) => writeln!(out, "{key} = {}", toml_string(text)),
                Value::Bool(flag) => writeln!(out, "{key} = {flag}"),
                Value::List(items) => {
                    let items: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
                    writeln!(out, "{key} = [{}]", items.join(", "))
                }
            }
            .expect("writing to a String cannot fail");
        }
        for (section, entries) in &self.sections {
            writeln!(out, "\n[{section}]").expect("writing to a String cannot fail");
            for (key, value) in entries {
                if value.contains('\n') {
                    // A multi-line basic string; the newline right after the
                    // opening quotes is trimmed by TOML, so the PEM is exact.
                    writeln!(out, "{key} = \"\"\"\n{value}\"\"\"")
                        .expect("writing to a String cannot fail");
                } else {
                    writeln!(out, "{key} = {}", toml_string(value))
                        .expect("writing to a String cannot fail");
                }
            }
        }
        out
    }
}

/// A YAML scalar that reads back as the same string: plain when that is
/// unambiguous (as a person would write it), else double-quoted. Digit
/// strings such as `"0755"` are always quoted, or YAML would read a number.
fn yaml_scalar(text: &str) -> String {
    let plain = text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " .-_@/()".contains(c))
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "true" | "false" | "on" | "off" | "null"
        );
    if plain {
        text.to_owned()
    } else {
        toml_string(text)
    }
}

/// A double-quoted string; the escapes needed here (`\` and `"`) are the
/// same in TOML basic strings and YAML double-quoted scalars.
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The generated tree through the pipeline's front door, as `tccert validate`
/// reads it: the certificates, or the first diagnostics when the generator
/// wrote something tccert rejects (a benchmark of rejected input measures
/// nothing).
pub fn validated(dir: &Path) -> Result<Valid, String> {
    let checked = pipeline::load_and_validate(
        &[dir.to_path_buf()],
        &RealFileSystem,
        &ProcessEnvironment,
        Budget::default(),
        Options::default(),
    );
    let (loaded, diagnostics, valid) = checked.into_parts();
    valid.ok_or_else(|| {
        let text = render_text(&loaded.files, &diagnostics);
        let head: Vec<&str> = text.lines().take(20).collect();
        format!(
            "the generated tree does not validate; first lines:\n{}",
            head.join("\n")
        )
    })
}
