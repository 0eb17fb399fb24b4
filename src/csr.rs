//! Reading a PEM certificate signing request: parse, verify its
//! self-signature, and pull out what tccert compares with the manifest
//! (common name, DNS SANs) and what `csr inspect` shows (key type and size).
//! Pure: text in, facts or an error out.

use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;

/// What a CSR says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrInfo {
    pub common_name: Option<String>,
    pub subject: String,
    pub dns_names: Vec<String>,
    /// e.g. `RSA 2048` or `EC P-256`.
    pub key: String,
    pub signature_valid: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsrError {
    NotPem(String),
    WrongLabel(String),
    NotACsr(String),
}

impl std::fmt::Display for CsrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CsrError::NotPem(why) => write!(f, "not PEM text ({why})"),
            CsrError::WrongLabel(label) => {
                write!(
                    f,
                    "the PEM block is a `{label}`, not a `CERTIFICATE REQUEST`"
                )
            }
            CsrError::NotACsr(why) => write!(f, "not a PKCS#10 certificate request ({why})"),
        }
    }
}

pub fn inspect(pem_text: &str) -> Result<CsrInfo, CsrError> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem_text.trim_start().as_bytes())
        .map_err(|e| CsrError::NotPem(e.to_string()))?;
    if !matches!(
        pem.label.as_str(),
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST"
    ) {
        return Err(CsrError::WrongLabel(pem.label));
    }
    let (_, csr) = X509CertificationRequest::from_der(&pem.contents)
        .map_err(|e| CsrError::NotACsr(e.to_string()))?;
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
        Ok(PublicKey::RSA(rsa)) => format!("RSA {}", rsa.key_size()),
        Ok(PublicKey::EC(point)) => match point.key_size() {
            256 => "EC P-256".to_string(),
            384 => "EC P-384".to_string(),
            521 => "EC P-521".to_string(),
            bits => format!("EC {bits}"),
        },
        Ok(_) => "other".to_string(),
        Err(_) => "unreadable".to_string(),
    };
    Ok(CsrInfo {
        common_name,
        subject: info.subject.to_string(),
        dns_names,
        key,
        signature_valid: csr.verify_signature().is_ok(),
    })
}
