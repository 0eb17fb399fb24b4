//! The emulator's TLS identity for `tccert emulator --tls`.

use std::sync::Arc;

/// What `tccert emulator --tls` serves with, made afresh at every start: a
/// certificate authority of its own (the PEM to trust, `--tls-ca-out`) and
/// a server certificate it signed for `localhost`, 127.0.0.1 and ::1. A CA
/// rather than one self-signed certificate, because clients (Python's
/// `requests`, Go, rustls) are built to trust an authority, and a fresh one
/// each run means no private key is ever kept on disk.
pub struct TlsIdentity {
    pub config: Arc<rustls::ServerConfig>,
    pub ca_pem: String,
}

pub fn make_tls_identity() -> Result<TlsIdentity, String> {
    use rcgen::{
        CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
    };
    let failed = |what: &str, error: rcgen::Error| format!("cannot make the {what}: {error}");
    let ca = super::issuer::self_signed_ca("tccert emulator CA (local testing only)", "CA")?;
    // `ssl.localhost` too: the official Node.js SDK takes the service name
    // from the endpoint's first label, so it must be pointed at a host
    // named `ssl.…` (docs/cli.md, "Official clients against the emulator").
    let mut leaf_params = CertificateParams::new(vec![
        "localhost".to_string(),
        "ssl.localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])
    .map_err(|e| failed("server certificate's parameters", e))?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    leaf_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.use_authority_key_identifier_extension = true;
    let leaf_key = KeyPair::generate().map_err(|e| failed("server key", e))?;
    let leaf = leaf_params
        .signed_by(&leaf_key, &ca)
        .map_err(|e| failed("server certificate", e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), ca.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    // The server speaks HTTP/1.1 only; say so to clients that ask (ALPN).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsIdentity {
        config: Arc::new(config),
        ca_pem: ca.pem(),
    })
}
