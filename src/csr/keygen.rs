//! Making a private key and a certificate signing request (`tccert csr new`).
//!
//! No file I/O: the key and the CSR come back as PEM text in memory and the
//! caller decides where they go. The one effect is the operating system's
//! random number generator, which key generation cannot do without.
//!
//! ECDSA keys come from `ring` (through rcgen). `ring` cannot generate RSA
//! keys, so those come from the `rsa` crate, encoded as PKCS#8 and loaded into
//! an rcgen key pair, which `ring` can sign with.

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};
use rsa::pkcs8::EncodePrivateKey as _;
use rustls::pki_types::PrivatePkcs8KeyDer;

use crate::secret::Secret;
use crate::syntax as formats;

/// The kinds of key `csr new` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    EcdsaP256,
    Rsa2048,
    Rsa4096,
}

impl KeyType {
    /// As `csr inspect` and the CSR's own key info say it.
    pub fn describe(self) -> &'static str {
        match self {
            KeyType::EcdsaP256 => "EC P-256",
            KeyType::Rsa2048 => "RSA 2048",
            KeyType::Rsa4096 => "RSA 4096",
        }
    }
}

/// A key and the CSR it signed. The key is a [`Secret`]: formatting it prints
/// the mask, so it cannot reach a log line by accident.
pub struct Generated {
    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub key_pem: Secret,
    /// PKCS#10 PEM (`-----BEGIN CERTIFICATE REQUEST-----`).
    pub csr_pem: String,
    /// The subject alternative names, `domain` first.
    pub names: Vec<String>,
}

/// One name that is not a valid certificate domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadName {
    /// The option it came from: `--domain` or `--san`.
    pub option: &'static str,
    pub name: String,
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeygenError {
    /// Every bad name, not just the first.
    InvalidNames(Vec<BadName>),
    Key(String),
    Csr(String),
}

impl std::fmt::Display for KeygenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeygenError::InvalidNames(bad) => {
                let lines: Vec<String> = bad
                    .iter()
                    .map(|b| format!("{} `{}` {}", b.option, b.name, b.why))
                    .collect();
                f.write_str(&lines.join("\n"))
            }
            KeygenError::Key(why) => write!(f, "cannot generate the private key: {why}"),
            KeygenError::Csr(why) => write!(f, "cannot make the CSR: {why}"),
        }
    }
}

/// The subject alternative names of a CSR for `domain` and `sans`: `domain`
/// first, then each SAN in order, without repeats (compared ignoring case, as
/// DNS does). Every name must pass the same domain check `validate` applies,
/// so a CSR made here never fails validation for its names.
pub fn subject_names(domain: &str, sans: &[String]) -> Result<Vec<String>, KeygenError> {
    let all =
        std::iter::once(("--domain", domain)).chain(sans.iter().map(|s| ("--san", s.as_str())));
    let mut names: Vec<String> = Vec::new();
    let mut bad = Vec::new();
    for (option, name) in all {
        if let Err(why) = formats::domain(name) {
            bad.push(BadName {
                option,
                name: name.to_string(),
                why,
            });
        } else if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            names.push(name.to_string());
        }
    }
    if bad.is_empty() {
        Ok(names)
    } else {
        Err(KeygenError::InvalidNames(bad))
    }
}

/// A new key of `key_type` and a CSR signed with it (SHA-256): subject
/// `CN=domain`, subject alternative names from [`subject_names`].
pub fn generate(
    domain: &str,
    sans: &[String],
    key_type: KeyType,
) -> Result<Generated, KeygenError> {
    // Names first: a typo must not cost a 4096-bit key generation.
    let names = subject_names(domain, sans)?;
    let key_pair = key_pair(key_type)?;

    let mut params =
        CertificateParams::new(names.clone()).map_err(|e| KeygenError::Csr(e.to_string()))?;
    // rcgen's default subject is `CN=rcgen self signed cert`; the API wants
    // the common name to be the domain, and nothing else is needed.
    let mut subject = DistinguishedName::new();
    subject.push(DnType::CommonName, domain);
    params.distinguished_name = subject;
    let csr = params
        .serialize_request(&key_pair)
        .and_then(|csr| csr.pem())
        .map_err(|e| KeygenError::Csr(e.to_string()))?;
    Ok(Generated {
        key_pem: Secret::new(key_pair.serialize_pem()),
        csr_pem: csr,
        names,
    })
}

/// The lines to paste into the certificate's manifest for a CSR made for
/// `names` (`domain` first) and written to `csr_path`.
pub fn manifest_snippet(names: &[String], csr_path: &str) -> String {
    let mut out = String::new();
    if let Some((domain, others)) = names.split_first() {
        out.push_str(&format!("domain: {}\n", yaml_scalar(domain)));
        if !others.is_empty() {
            let list: Vec<String> = others.iter().map(|n| yaml_scalar(n)).collect();
            out.push_str(&format!("domains: [{}]\n", list.join(", ")));
        }
    }
    out.push_str(&format!(
        "csr:\n  type: parse\n  file: {}\n",
        yaml_scalar(csr_path)
    ));
    out
}

/// `text` as a YAML scalar that reads back as the same string: plain when
/// that is safe, else double-quoted (JSON's quoting is valid YAML). Plain
/// needs a first letter (`*.a.b` would be an alias, `1.5` a number, `-x`
/// may start a list) and no character YAML gives a meaning to.
fn yaml_scalar(text: &str) -> String {
    let plain = text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'))
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off"
        );
    if plain {
        text.to_string()
    } else {
        serde_json::Value::from(text).to_string()
    }
}

fn key_pair(key_type: KeyType) -> Result<KeyPair, KeygenError> {
    let bits = match key_type {
        KeyType::EcdsaP256 => {
            return KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
                .map_err(|e| KeygenError::Key(e.to_string()));
        }
        KeyType::Rsa2048 => 2048,
        KeyType::Rsa4096 => 4096,
    };
    let private = rsa::PrivateKey::new(&mut getrandom::SysRng, bits)
        .map_err(|e| KeygenError::Key(e.to_string()))?;
    // The PKCS#8 document zeroes itself when dropped; rcgen keeps its own copy.
    let pkcs8 = private
        .to_pkcs8_der()
        .map_err(|e| KeygenError::Key(e.to_string()))?;
    KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(pkcs8.as_bytes()),
        &rcgen::PKCS_RSA_SHA256,
    )
    .map_err(|e| KeygenError::Key(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr;

    /// `deny.toml` ignores RUSTSEC-2023-0071 (timing of `rsa`'s decryption
    /// and signing) because tccert only generates keys with `rsa`: the CSR
    /// is signed by ring. This keeps that true: any other use of `rsa`, here
    /// or elsewhere, fails until the ignore is reconsidered.
    #[test]
    fn rsa_is_used_only_to_generate_keys() {
        fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    rust_files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["src", "tests", "benches"] {
            rust_files(&root.join(dir), &mut files);
        }
        assert!(files.len() > 20, "{files:?}");
        // Shipped code only: a file's unit tests (this one included) start
        // at its `#[cfg(test)]`.
        let mut uses = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let shipped = text.lines().take_while(|l| !l.starts_with("#[cfg(test)]"));
            for line in shipped {
                let code = line.split("//").next().unwrap_or_default();
                if code.contains("rsa::") {
                    let name = file.strip_prefix(root).unwrap().display().to_string();
                    uses.push(format!("{name}: {}", code.trim()));
                }
            }
        }
        assert_eq!(
            uses,
            [
                "src/csr/keygen.rs: use rsa::pkcs8::EncodePrivateKey as _;",
                "src/csr/keygen.rs: let private = rsa::PrivateKey::new(&mut getrandom::SysRng, bits)",
            ]
        );
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(std::string::ToString::to_string).collect()
    }

    #[test]
    fn names_put_the_domain_first_and_drop_repeats_ignoring_case() {
        let names = subject_names(
            "www.acme.example",
            &strings(&[
                "acme.example",
                "WWW.acme.example",
                "*.acme.example",
                "ACME.example",
            ]),
        )
        .unwrap();
        assert_eq!(
            names,
            ["www.acme.example", "acme.example", "*.acme.example"]
        );
    }

    #[test]
    fn every_bad_name_is_reported_with_its_option() {
        let error = subject_names(
            "localhost",
            &strings(&["ok.acme.example", "a..b", "1.2.3.4"]),
        )
        .unwrap_err();
        let KeygenError::InvalidNames(bad) = &error else {
            panic!("{error:?}");
        };
        let named: Vec<(&str, &str)> = bad.iter().map(|b| (b.option, b.name.as_str())).collect();
        assert_eq!(
            named,
            [
                ("--domain", "localhost"),
                ("--san", "a..b"),
                ("--san", "1.2.3.4")
            ]
        );
        assert!(
            error
                .to_string()
                .contains("--domain `localhost` needs at least two labels")
        );
    }

    #[test]
    fn bad_names_fail_before_any_key_is_made() {
        // An RSA 4096 key takes seconds; a bad name must answer at once.
        let started = std::time::Instant::now();
        let error = generate("bad name", &[], KeyType::Rsa4096).err();
        assert!(matches!(error, Some(KeygenError::InvalidNames(_))));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    /// The public key inside a CSR, as raw bytes (the RSA key's PKCS#1 DER,
    /// the EC point), to compare with the private key's public half.
    fn csr_public_key(pem: &str) -> Vec<u8> {
        use x509_parser::prelude::FromDer as _;
        let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
        let (_, request) =
            x509_parser::certification_request::X509CertificationRequest::from_der(&block.contents)
                .unwrap();
        request
            .certification_request_info
            .subject_pki
            .subject_public_key
            .data
            .to_vec()
    }

    /// What the CSR says about itself, read back with the parser `validate` uses.
    fn read_back(generated: &Generated) -> csr::CsrInfo {
        csr::inspect(&generated.csr_pem).unwrap()
    }

    #[test]
    fn ecdsa_p256_csr_names_the_domain_and_verifies() {
        let generated = generate(
            "*.acme.example",
            &strings(&["acme.example"]),
            KeyType::EcdsaP256,
        )
        .unwrap();
        let info = read_back(&generated);
        assert_eq!(info.common_name.as_deref(), Some("*.acme.example"));
        assert_eq!(info.subject, "CN=*.acme.example");
        assert_eq!(info.dns_names, ["*.acme.example", "acme.example"]);
        assert_eq!(info.key.to_string(), "EC P-256");
        assert_eq!(info.signature_algorithm, "ecdsa-with-SHA256");
        assert!(info.signature_valid());
        let key = generated.key_pem.expose();
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{key}");
        // The key reads back and is the one whose public half is in the CSR.
        let reloaded = KeyPair::from_pem(key).unwrap();
        assert!(reloaded.is_compatible(&rcgen::PKCS_ECDSA_P256_SHA256));
        assert_eq!(
            reloaded.public_key_raw(),
            csr_public_key(&generated.csr_pem)
        );
        assert!(
            generated
                .csr_pem
                .starts_with("-----BEGIN CERTIFICATE REQUEST-----\n")
        );
    }

    #[test]
    fn rsa_2048_key_from_the_rsa_crate_signs_through_ring() {
        let generated = generate("www.acme.example", &[], KeyType::Rsa2048).unwrap();
        let info = read_back(&generated);
        assert_eq!(info.key.to_string(), "RSA 2048");
        assert_eq!(info.signature_algorithm, "sha256WithRSAEncryption");
        assert!(info.signature_valid());
        assert_eq!(info.dns_names, ["www.acme.example"]);
        // PKCS#8, not PKCS#1 (`BEGIN RSA PRIVATE KEY`).
        let key = generated.key_pem.expose();
        assert!(key.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{key}");
        let reloaded = KeyPair::from_pem(key).unwrap();
        assert!(reloaded.is_compatible(&rcgen::PKCS_RSA_SHA256));
        assert_eq!(
            reloaded.public_key_raw(),
            csr_public_key(&generated.csr_pem)
        );
    }

    #[test]
    fn rsa_4096() {
        let generated = generate("www.acme.example", &[], KeyType::Rsa4096).unwrap();
        let info = read_back(&generated);
        assert_eq!(info.key.to_string(), "RSA 4096");
        assert!(info.signature_valid());
    }

    #[test]
    fn two_runs_make_two_different_keys() {
        let a = generate("www.acme.example", &[], KeyType::EcdsaP256).unwrap();
        let b = generate("www.acme.example", &[], KeyType::EcdsaP256).unwrap();
        assert_ne!(a.key_pem.expose(), b.key_pem.expose());
    }

    #[test]
    fn the_snippet_quotes_what_yaml_would_misread() {
        let names = strings(&["*.acme.example", "acme.example"]);
        assert_eq!(
            manifest_snippet(&names, "csr/wildcard.csr"),
            "domain: \"*.acme.example\"\ndomains: [acme.example]\ncsr:\n  type: parse\n  file: csr/wildcard.csr\n"
        );
        assert_eq!(
            manifest_snippet(&strings(&["www.acme.example"]), "../my keys/1.csr"),
            "domain: www.acme.example\ncsr:\n  type: parse\n  file: \"../my keys/1.csr\"\n"
        );
        for odd in ["true", "No", "123", "-x", "a: b", "a#b", "\"q\""] {
            assert!(yaml_scalar(odd).starts_with('"'), "{odd}");
        }
    }

    #[test]
    fn the_key_is_masked_when_formatted() {
        let generated = generate("www.acme.example", &[], KeyType::EcdsaP256).unwrap();
        assert_eq!(format!("{:?}", generated.key_pem), crate::secret::MASK);
    }
}
