//! The emulator's certificate authority and what `DownloadCertificate`
//! answers: a leaf certificate signed by a CA the emulator makes at start,
//! naming the certificate's domain (subject CN and first SAN) and its
//! `DomainList`, for the public key of the submitted CSR, or for a key the
//! emulator makes when the CSR type is `online` (that key is then in the
//! ZIP too, as the real service puts the key it made there). The ZIP is
//! written by hand, entries stored (no compression): the format is simple
//! and needs no dependency.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, PublicKeyData, SignatureAlgorithm,
};
use x509_parser::prelude::FromDer;

/// The emulator's own issuing CA, made afresh at every start.
pub struct Issuer {
    ca: CertifiedIssuer<'static, KeyPair>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer").finish_non_exhaustive()
    }
}

/// A CSR's public key, as rcgen signs for it.
struct CsrKey {
    algorithm: &'static SignatureAlgorithm,
    bits: Vec<u8>,
}

impl PublicKeyData for CsrKey {
    fn der_bytes(&self) -> &[u8] {
        &self.bits
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        self.algorithm
    }
}

/// The public key of a PEM CSR whose signature verifies, or why not.
fn csr_key(pem: &str) -> Result<CsrKey, String> {
    let der = pem_body(pem, "CERTIFICATE REQUEST").ok_or("the CSR is not PEM")?;
    let (_, csr) = x509_parser::certification_request::X509CertificationRequest::from_der(&der)
        .map_err(|e| format!("the CSR cannot be parsed: {e}"))?;
    csr.verify_signature()
        .map_err(|_| "the CSR's signature does not verify".to_owned())?;
    let spki = &csr.certification_request_info.subject_pki;
    let oid = spki.algorithm.algorithm.to_id_string();
    let algorithm: &'static SignatureAlgorithm = match oid.as_str() {
        "1.2.840.113549.1.1.1" => &rcgen::PKCS_RSA_SHA256,
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => &rcgen::PKCS_ECDSA_P256_SHA256,
                Some("1.3.132.0.34") => &rcgen::PKCS_ECDSA_P384_SHA384,
                _ => return Err("the CSR's elliptic curve is not P-256 or P-384".into()),
            }
        }
        other => return Err(format!("the CSR's key algorithm {other} is not RSA or EC")),
    };
    Ok(CsrKey {
        algorithm,
        bits: spki.subject_public_key.data.to_vec(),
    })
}

/// The DER inside the first PEM block with this label.
fn pem_body(pem: &str, label: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = start + pem[start..].find(&end)?;
    let text: String = pem[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// What a download holds.
#[derive(Debug)]
pub struct Issued {
    /// The leaf, then the CA, PEM.
    pub chain_pem: String,
    /// The key the emulator made (`online`), PKCS#8 PEM.
    pub key_pem: Option<String>,
}

/// A self-signed CA that may sign leaves only (path length 0), with a new
/// key: the emulator's issuing CA and the CA of its TLS identity.
pub(super) fn self_signed_ca(
    common_name: &str,
    what: &str,
) -> Result<CertifiedIssuer<'static, KeyPair>, String> {
    let failed = |part: &str, error: rcgen::Error| format!("cannot make the {what}{part}: {error}");
    let mut params =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| failed("'s parameters", e))?;
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().map_err(|e| failed("'s key", e))?;
    CertifiedIssuer::self_signed(params, key).map_err(|e| failed("", e))
}

impl Issuer {
    pub fn new() -> Result<Self, String> {
        let ca = self_signed_ca(
            "tccert emulator issuing CA (local testing only)",
            "issuing CA",
        )?;
        Ok(Self { ca })
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    /// Signs a leaf for `names` (the first is the subject CN), for the
    /// CSR's key, or for `online_key` (a PKCS#8 PEM the caller keeps) when
    /// there is no CSR. Returns the chain, and the key when it was made here.
    pub fn issue(
        &self,
        names: &[String],
        csr_pem: Option<&str>,
        online_key: Option<&str>,
    ) -> Result<Issued, String> {
        let failed = |what: &str, error: rcgen::Error| format!("cannot make the {what}: {error}");
        let first = names.first().ok_or("the certificate names no domain")?;
        let mut params = CertificateParams::new(names.to_vec())
            .map_err(|e| failed("certificate's parameters", e))?;
        params.distinguished_name.push(DnType::CommonName, first);
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let (leaf, key_pem) = match (csr_pem, online_key) {
            (Some(csr), _) => {
                let key = csr_key(csr)?;
                let leaf = params
                    .signed_by(&key, &self.ca)
                    .map_err(|e| failed("certificate", e))?;
                (leaf, None)
            }
            (None, Some(key_pem)) => {
                let key = KeyPair::from_pem(key_pem).map_err(|e| failed("key", e))?;
                let leaf = params
                    .signed_by(&key, &self.ca)
                    .map_err(|e| failed("certificate", e))?;
                (leaf, Some(key_pem.to_owned()))
            }
            (None, None) => return Err("neither a CSR nor a key to certify".into()),
        };
        Ok(Issued {
            chain_pem: format!("{}{}", leaf.pem(), self.ca.pem()),
            key_pem,
        })
    }
}

/// A fresh key for an `online` certificate, PKCS#8 PEM.
pub fn make_online_key() -> Result<String, String> {
    KeyPair::generate()
        .map(|k| k.serialize_pem())
        .map_err(|e| format!("cannot make the key: {e}"))
}

/// CRC-32 (IEEE), as ZIP records it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffff_u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A ZIP archive of `(name, contents)` entries, stored (method 0), with
/// its central directory: what an unzip tool or the client's reader opens.
/// Names ending in `/` are folders.
pub fn zip_stored(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, v: usize) {
        out.extend_from_slice(&u16::try_from(v).unwrap_or(u16::MAX).to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, v: usize) {
        out.extend_from_slice(&u32::try_from(v).unwrap_or(u32::MAX).to_le_bytes());
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len();
        let crc = crc32(data) as usize;
        let folder = name.ends_with('/');
        // Local file header.
        u32le(&mut out, 0x0403_4b50);
        u16le(&mut out, 20); // version needed
        u16le(&mut out, 0x0800); // flags: UTF-8 names
        u16le(&mut out, 0); // stored
        u16le(&mut out, 0); // time
        u16le(&mut out, 0x21); // date: 1980-01-01
        u32le(&mut out, crc);
        u32le(&mut out, data.len());
        u32le(&mut out, data.len());
        u16le(&mut out, name.len());
        u16le(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // Its central directory record.
        u32le(&mut central, 0x0201_4b50);
        u16le(&mut central, 0x0314); // made by: Unix, 2.0
        u16le(&mut central, 20);
        u16le(&mut central, 0x0800);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u16le(&mut central, 0x21);
        u32le(&mut central, crc);
        u32le(&mut central, data.len());
        u32le(&mut central, data.len());
        u16le(&mut central, name.len());
        u16le(&mut central, 0); // extra
        u16le(&mut central, 0); // comment
        u16le(&mut central, 0); // disk
        u16le(&mut central, 0); // internal attributes
        let mode: usize = if folder { 0o040_700 } else { 0o100_600 };
        u32le(&mut central, (mode << 16) | (usize::from(folder) * 0x10));
        u32le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len();
    out.extend_from_slice(&central);
    // End of central directory.
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, entries.len());
    u16le(&mut out, entries.len());
    u32le(&mut out, central.len());
    u32le(&mut out, central_offset);
    u16le(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::{GeneralName, X509Certificate};

    fn leaf_of(chain: &str) -> Vec<u8> {
        pem_body(chain, "CERTIFICATE").unwrap_or_default()
    }

    #[test]
    fn crc_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn an_online_leaf_names_the_domains_and_chains_to_the_ca() {
        let issuer = Issuer::new().unwrap();
        let key = make_online_key().unwrap();
        let names = vec!["www.example.com".to_owned(), "api.example.com".to_owned()];
        let issued = issuer.issue(&names, None, Some(&key)).unwrap();
        assert_eq!(issued.key_pem.as_deref(), Some(key.as_str()));
        let der = leaf_of(&issued.chain_pem);
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        let cn: Vec<&str> = cert
            .subject()
            .iter_common_name()
            .filter_map(|c| c.as_str().ok())
            .collect();
        assert_eq!(cn, ["www.example.com"]);
        let sans: Vec<String> = cert
            .subject_alternative_name()
            .ok()
            .flatten()
            .map(|e| {
                e.value
                    .general_names
                    .iter()
                    .filter_map(|n| match n {
                        GeneralName::DNSName(d) => Some((*d).to_owned()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(sans, names);
        let ca_der = pem_body(&issuer.ca_pem(), "CERTIFICATE").unwrap();
        let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
        assert!(cert.verify_signature(Some(ca.public_key())).is_ok());
        assert!(issued.chain_pem.ends_with(&issuer.ca_pem()));
        // The leaf is for the key made here.
        let made = KeyPair::from_pem(&key).unwrap();
        assert_eq!(
            cert.public_key().raw,
            made.subject_public_key_info().as_slice()
        );
    }

    #[test]
    fn a_csr_leaf_is_for_the_csrs_key_and_a_bad_csr_is_refused() {
        let issuer = Issuer::new().unwrap();
        let key = KeyPair::generate().unwrap();
        let csr = CertificateParams::new(vec!["ignored.example.com".to_owned()])
            .unwrap()
            .serialize_request(&key)
            .unwrap()
            .pem()
            .unwrap();
        let issued = issuer
            .issue(&["shop.example.com".to_owned()], Some(&csr), None)
            .unwrap();
        assert_eq!(issued.key_pem, None);
        let der = leaf_of(&issued.chain_pem);
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        assert_eq!(
            cert.public_key().raw,
            key.subject_public_key_info().as_slice()
        );
        assert!(
            issuer
                .issue(&["a.example.com".into()], Some("junk"), None)
                .is_err()
        );
        let tampered = csr.replacen("MII", "MIJ", 1);
        assert!(
            issuer
                .issue(&["a.example.com".into()], Some(&tampered), None)
                .is_err()
        );
    }

    #[test]
    fn the_zip_has_its_entries_and_directory() {
        let zip = zip_stored(&[
            ("d/".to_owned(), Vec::new()),
            ("d/a.txt".to_owned(), b"hello".to_vec()),
        ]);
        assert_eq!(&zip[..4], b"PK\x03\x04");
        assert_eq!(&zip[zip.len() - 22..zip.len() - 18], b"PK\x05\x06");
        let count = u16::from_le_bytes([zip[zip.len() - 12], zip[zip.len() - 11]]);
        assert_eq!(count, 2);
        assert!(zip.windows(5).any(|w| w == b"hello"));
    }
}
