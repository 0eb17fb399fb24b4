//! Reading a PEM certificate signing request: parse, verify its
//! self-signature, and pull out what tccert compares with the manifest
//! (common name, DNS SANs) and what `csr inspect` shows (key type and size,
//! signature algorithm). Pure: text in, facts or an error out.

use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::error::X509Error;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::oid_registry::{
    OID_EC_P256, OID_NIST_EC_P384, OID_NIST_EC_P521, OID_PKCS1_RSASSAPSS,
};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;

/// What a CSR says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrInfo {
    pub common_name: Option<String>,
    pub subject: String,
    pub dns_names: Vec<String>,
    pub key: KeyInfo,
    /// The short name (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`), or
    /// the dotted OID of an algorithm x509-parser does not name.
    pub signature_algorithm: String,
    pub signature: Signature,
}

impl CsrInfo {
    pub fn signature_valid(&self) -> bool {
        self.signature == Signature::Valid
    }
}

impl CsrInfo {
    /// What `csr inspect` prints, one aligned line per fact.
    pub fn render_text(&self) -> String {
        let names = if self.dns_names.is_empty() {
            "(none)".to_string()
        } else {
            self.dns_names.join(", ")
        };
        format!(
            "subject:    {}\nnames:      {names}\nkey:        {}\nsignature:  {}, {}\n",
            if self.subject.is_empty() {
                "(empty)"
            } else {
                &self.subject
            },
            self.key,
            self.signature_algorithm,
            self.signature.as_str(),
        )
    }

    /// What `csr inspect --output json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        let mut key = serde_json::json!({ "type": self.key.kind() });
        if let Some(bits) = self.key.bits() {
            key["bits"] = bits.into();
        }
        if let KeyInfo::Ec {
            curve: Some(curve), ..
        } = self.key
        {
            key["curve"] = curve.into();
        }
        serde_json::json!({
            "subject": self.subject,
            "common_name": self.common_name,
            "dns_names": self.dns_names,
            "key": key,
            "signature_algorithm": self.signature_algorithm,
            "signature": self.signature.as_str(),
        })
    }
}

/// The CSR's public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyInfo {
    Rsa {
        bits: usize,
    },
    Ec {
        /// `P-256`, `P-384`, `P-521`; `None` for another curve.
        curve: Option<&'static str>,
        bits: usize,
    },
    /// Another algorithm (Ed25519, DSA, ...), or a key that does not parse.
    Other(String),
}

impl KeyInfo {
    /// `RSA`, `EC` or what the other algorithm is.
    pub fn kind(&self) -> &str {
        match self {
            KeyInfo::Rsa { .. } => "RSA",
            KeyInfo::Ec { .. } => "EC",
            KeyInfo::Other(what) => what,
        }
    }

    pub fn bits(&self) -> Option<usize> {
        match self {
            KeyInfo::Rsa { bits } | KeyInfo::Ec { bits, .. } => Some(*bits),
            KeyInfo::Other(_) => None,
        }
    }
}

/// `RSA 2048`, `EC P-256`, `EC 233` (an unnamed curve, in bits).
impl std::fmt::Display for KeyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyInfo::Rsa { bits } => write!(f, "RSA {bits}"),
            KeyInfo::Ec {
                curve: Some(curve), ..
            } => write!(f, "EC {curve}"),
            KeyInfo::Ec { curve: None, bits } => write!(f, "EC {bits}"),
            KeyInfo::Other(what) => f.write_str(what),
        }
    }
}

/// The outcome of checking the CSR's self-signature with its own public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signature {
    Valid,
    /// The signature does not match: the CSR was altered or is corrupt.
    Invalid,
    /// An algorithm x509-parser cannot verify: neither good nor bad is known.
    Unsupported,
    /// An RSA key under 2048 bits: ring will not verify with it, and CAs
    /// refuse such keys anyway.
    WeakKey,
}

impl Signature {
    pub fn as_str(self) -> &'static str {
        match self {
            Signature::Valid => "valid",
            Signature::Invalid => "invalid",
            Signature::Unsupported => "unsupported",
            Signature::WeakKey => "weak-key",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsrError {
    NotPem(String),
    WrongLabel(String),
    NotACsr(String),
    /// More PEM after the CSR. `CsrContent` is the file's text, so a key
    /// saved in the same file would be sent along: refuse.
    ExtraBlock(String),
}

impl std::fmt::Display for CsrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CsrError::NotPem(why) => write!(f, "not PEM text: {why}"),
            // Read after "... is": "www.key is a `PRIVATE KEY` PEM block, ..."
            CsrError::WrongLabel(label) => {
                write!(f, "a `{label}` PEM block, not a `CERTIFICATE REQUEST`")
            }
            CsrError::NotACsr(why) => write!(f, "not a PKCS#10 certificate request: {why}"),
            CsrError::ExtraBlock(label) => write!(
                f,
                "a CSR followed by a `{label}` PEM block: a CSR file must hold the CSR alone (its text is sent as it is, and a private key must never leave this machine)"
            ),
        }
    }
}

/// Why text is not PEM, in plain words (the parser's own are
/// `Parsing Error: MissingHeader`).
fn pem_problem(error: &x509_parser::nom::Err<x509_parser::error::PEMError>) -> String {
    use x509_parser::error::PEMError;
    let error = match error {
        x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => e,
        x509_parser::nom::Err::Incomplete(_) => return "it is cut short".into(),
    };
    match error {
        PEMError::MissingHeader => "it has no `-----BEGIN CERTIFICATE REQUEST-----` line",
        PEMError::InvalidHeader => "its `-----BEGIN ...-----` line is malformed",
        PEMError::IncompletePEM => {
            "it has no `-----END CERTIFICATE REQUEST-----` line, or is cut short"
        }
        PEMError::Base64DecodeError => {
            "the text between its BEGIN and END lines is not valid base64"
        }
        PEMError::IOError(_) => "it cannot be read",
    }
    .into()
}

/// Why the bytes inside the PEM are not a CSR, in plain words (the
/// parser's own are `Der(UnexpectedTag { expected: Some(Tag(16)) ... })`).
fn der_problem(error: &x509_parser::nom::Err<X509Error>) -> String {
    match error {
        x509_parser::nom::Err::Error(X509Error::Der(_))
        | x509_parser::nom::Err::Failure(X509Error::Der(_))
        | x509_parser::nom::Err::Incomplete(_) => {
            "the data between its BEGIN and END lines does not decode as one (damaged, cut short, or another kind of data)".into()
        }
        // The others are already words ("invalid X.509 name").
        x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => e.to_string(),
    }
}

pub fn inspect(pem_text: &str) -> Result<CsrInfo, CsrError> {
    let (rest, pem) = x509_parser::pem::parse_x509_pem(pem_text.trim_start().as_bytes())
        .map_err(|e| CsrError::NotPem(pem_problem(&e)))?;
    if !matches!(
        pem.label.as_str(),
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST"
    ) {
        return Err(CsrError::WrongLabel(pem.label));
    }
    if let Some(start) = rest.windows(11).position(|w| w == b"-----BEGIN ") {
        // The label as the BEGIN line names it, whether or not the block
        // itself would decode.
        let after = String::from_utf8_lossy(&rest[start + 11..]);
        let label = after
            .split("-----")
            .next()
            .unwrap_or_default()
            .chars()
            .take(40)
            .collect();
        return Err(CsrError::ExtraBlock(label));
    }
    let (_, csr) = X509CertificationRequest::from_der(&pem.contents)
        .map_err(|e| CsrError::NotACsr(der_problem(&e)))?;
    let info = &csr.certification_request_info;
    let common_name = info
        .subject
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string);
    let mut dns_names = Vec::new();
    if let Some(extensions) = csr.requested_extensions() {
        for extension in extensions {
            if let ParsedExtension::SubjectAlternativeName(san) = extension {
                for name in &san.general_names {
                    if let GeneralName::DNSName(dns) = name {
                        dns_names.push((*dns).to_string());
                    }
                }
            }
        }
    }
    let key = match info.subject_pki.parsed() {
        Ok(PublicKey::RSA(rsa)) => KeyInfo::Rsa {
            bits: rsa.key_size(),
        },
        Ok(PublicKey::EC(point)) => {
            // The curve is named by the algorithm's parameters; the point's
            // size alone cannot tell P-256 from another 256-bit curve.
            let curve = info
                .subject_pki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .and_then(|oid| {
                    [
                        (OID_EC_P256, "P-256"),
                        (OID_NIST_EC_P384, "P-384"),
                        (OID_NIST_EC_P521, "P-521"),
                    ]
                    .into_iter()
                    .find(|(known, _)| *known == oid)
                    .map(|(_, name)| name)
                });
            KeyInfo::Ec {
                curve,
                // The point's size is rounded to whole bytes (528 for P-521).
                bits: if curve == Some("P-521") {
                    521
                } else {
                    point.key_size()
                },
            }
        }
        Ok(_) => KeyInfo::Other(algorithm_name(&info.subject_pki.algorithm.algorithm)),
        Err(_) => KeyInfo::Other("unreadable".to_string()),
    };
    // Two cases the verifier reports as a plain failure, which would read as
    // "altered or corrupt": RSA-PSS (x509-parser cannot check its
    // parameters) and RSA keys too small for ring.
    let signature = if matches!(key, KeyInfo::Rsa { bits } if bits < 2048) {
        Signature::WeakKey
    } else if csr.signature_algorithm.algorithm == OID_PKCS1_RSASSAPSS {
        Signature::Unsupported
    } else {
        match csr.verify_signature() {
            Ok(()) => Signature::Valid,
            Err(X509Error::SignatureUnsupportedAlgorithm) => Signature::Unsupported,
            Err(_) => Signature::Invalid,
        }
    };
    Ok(CsrInfo {
        common_name,
        subject: info.subject.to_string(),
        dns_names,
        key,
        signature_algorithm: algorithm_name(&csr.signature_algorithm.algorithm),
        signature,
    })
}

fn algorithm_name(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry())
        .map_or_else(|_| oid.to_id_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WWW: &str = include_str!("../../tests/fixtures/www.csr");
    const TAMPERED: &str = include_str!("../../tests/fixtures/tampered.csr");
    const WILDCARD_RSA: &str = include_str!("../../examples/csr/wildcard-acme.csr");

    #[test]
    fn reads_subject_names_key_and_signature() {
        let info = inspect(WWW).unwrap();
        assert_eq!(info.common_name.as_deref(), Some("www.acme.example"));
        assert_eq!(info.subject, "C=CN, O=Acme Ltd, CN=www.acme.example");
        assert_eq!(info.dns_names, ["www.acme.example", "acme.example"]);
        assert_eq!(
            info.key,
            KeyInfo::Ec {
                curve: Some("P-256"),
                bits: 256
            }
        );
        assert_eq!(info.key.to_string(), "EC P-256");
        assert_eq!(info.signature_algorithm, "ecdsa-with-SHA256");
        assert_eq!(info.signature, Signature::Valid);
    }

    #[test]
    fn text_and_json_forms() {
        let info = inspect(WWW).unwrap();
        assert_eq!(
            info.render_text(),
            "subject:    C=CN, O=Acme Ltd, CN=www.acme.example\n\
             names:      www.acme.example, acme.example\n\
             key:        EC P-256\n\
             signature:  ecdsa-with-SHA256, valid\n"
        );
        assert_eq!(
            info.to_json(),
            serde_json::json!({
                "subject": "C=CN, O=Acme Ltd, CN=www.acme.example",
                "common_name": "www.acme.example",
                "dns_names": ["www.acme.example", "acme.example"],
                "key": {"type": "EC", "bits": 256, "curve": "P-256"},
                "signature_algorithm": "ecdsa-with-SHA256",
                "signature": "valid",
            })
        );
        let rsa = inspect(WILDCARD_RSA).unwrap().to_json();
        assert_eq!(rsa["key"], serde_json::json!({"type": "RSA", "bits": 2048}));
    }

    #[test]
    fn rsa_key_size() {
        let info = inspect(WILDCARD_RSA).unwrap();
        assert_eq!(info.key, KeyInfo::Rsa { bits: 2048 });
        assert_eq!(info.key.to_string(), "RSA 2048");
        assert_eq!(info.signature_algorithm, "sha256WithRSAEncryption");
        assert!(info.signature_valid());
    }

    #[test]
    fn an_altered_csr_does_not_verify() {
        // One byte of the common name changed after signing.
        let info = inspect(TAMPERED).unwrap();
        assert_eq!(info.common_name.as_deref(), Some("xww.acme.example"));
        assert_eq!(info.signature, Signature::Invalid);
        assert!(!info.signature_valid());
    }

    #[test]
    fn what_is_not_a_csr_says_why() {
        assert!(matches!(inspect("hello"), Err(CsrError::NotPem(_))));
        let certificate = WWW.replace("CERTIFICATE REQUEST", "CERTIFICATE");
        assert_eq!(
            inspect(&certificate),
            Err(CsrError::WrongLabel("CERTIFICATE".into()))
        );
        let garbage =
            "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
        assert!(matches!(inspect(garbage), Err(CsrError::NotACsr(_))));
    }

    /// Plain words, never the parser's debug text.
    #[test]
    fn parse_errors_are_in_plain_words() {
        let said = |text: &str| inspect(text).unwrap_err().to_string();
        assert_eq!(
            said("not a csr"),
            "not PEM text: it has no `-----BEGIN CERTIFICATE REQUEST-----` line"
        );
        let garbage =
            "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n";
        assert_eq!(
            said(garbage),
            "not a PKCS#10 certificate request: the data between its BEGIN and END lines does not decode as one (damaged, cut short, or another kind of data)"
        );
        let cut = &WWW[..WWW.len() / 2];
        let bad_base64 = WWW.replacen("MII", "M*I", 1);
        for text in [cut, bad_base64.as_str()] {
            let why = said(text);
            assert!(
                !why.contains("Error") && !why.contains('{') && !why.contains("Tag("),
                "{why}"
            );
        }
    }

    /// Neither reads as "altered or corrupt": openssl made both, and they
    /// are intact.
    #[test]
    fn weak_keys_and_rsa_pss_are_named_for_what_they_are() {
        let weak = inspect(include_str!("../../tests/fixtures/rsa1024.csr")).unwrap();
        assert_eq!(weak.key, KeyInfo::Rsa { bits: 1024 });
        assert_eq!(weak.signature, Signature::WeakKey);
        let pss = inspect(include_str!("../../tests/fixtures/rsa-pss.csr")).unwrap();
        assert_eq!(pss.signature, Signature::Unsupported);
        assert!(!pss.signature_valid());
    }

    #[test]
    fn a_key_saved_after_the_csr_is_refused() {
        let key =
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n";
        let error = inspect(&format!("{WWW}{key}")).unwrap_err();
        assert_eq!(error, CsrError::ExtraBlock("PRIVATE KEY".into()));
        assert!(error.to_string().contains("must never leave this machine"));
        // Text after the CSR that is not PEM (a comment) is fine.
        assert!(inspect(&format!("{WWW}\nmade with tccert csr new\n")).is_ok());
    }
}
