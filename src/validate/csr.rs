//! The CSR of each certificate: an online CSR's key, or the user's own CSR
//! (read by the loader), parsed, its signature verified and its names held
//! against `domain` and `domains`.

use super::shown;
use crate::certificate::{Csr, CsrKey, KeyAlgorithm, KeyParameter};
use crate::csr;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::manifest::load::MAX_CSR_BYTES;
use crate::manifest::raw::{CsrType, RawCertificate};
use crate::source::Files;

/// The key of an online CSR: `key_algorithm` and `key_parameter`, each
/// defaulting from the other, RSA 2048 when neither is given. `None` when
/// they contradict each other (reported).
fn check_csr_key(raw: &RawCertificate, diagnostics: &mut Diagnostics) -> Option<CsrKey> {
    let csr = &raw.csr;
    // Values outside the enums are schema errors already: read them as unset.
    let algorithm = csr
        .key_algorithm
        .as_ref()
        .and_then(|a| KeyAlgorithm::parse(&a.value).map(|v| (v, a.span)));
    let parameter = csr
        .key_parameter
        .as_ref()
        .and_then(|p| KeyParameter::parse(&p.value).map(|v| (v, p.span)));
    match (algorithm, parameter) {
        (None, None) => Some(CsrKey::default()),
        (Some((algorithm, span)), None) => Some(CsrKey {
            algorithm,
            parameter: algorithm.default_parameter(),
            span: Some(span),
        }),
        (None, Some((parameter, span))) => Some(CsrKey {
            algorithm: parameter.algorithm(),
            parameter,
            span: Some(span),
        }),
        (Some((algorithm, algorithm_span)), Some((parameter, span))) => {
            if parameter.algorithm() == algorithm {
                return Some(CsrKey {
                    algorithm,
                    parameter,
                    span: Some(algorithm_span),
                });
            }
            let choices: Vec<String> = KeyParameter::ALL
                .into_iter()
                .filter(|p| p.algorithm() == algorithm)
                .map(|p| format!("`{}`", p.as_str()))
                .collect();
            diagnostics.push(
                Diagnostic::error(
                    Code::CsrKeyMismatch,
                    format!(
                        "`csr.key_parameter: {}` is not a parameter of {} keys",
                        parameter.as_str(),
                        algorithm.as_str()
                    ),
                )
                .at(span)
                .related(
                    algorithm_span,
                    format!("the key algorithm is {}", algorithm.as_str()),
                )
                .hint(format!(
                    "for {} use {}",
                    algorithm.as_str(),
                    choices.join(" or ")
                )),
            );
            None
        }
    }
}

pub(super) fn check_csr(
    files: &Files,
    raw: &RawCertificate,
    diagnostics: &mut Diagnostics,
) -> Option<Csr> {
    let csr = &raw.csr;
    match csr.kind.value {
        CsrType::Online => {
            for (key, value) in [("file", &csr.file), ("pem", &csr.pem)] {
                if let Some(value) = value {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::CsrSource,
                            format!("`csr.{key}` is only read with `type: parse`"),
                        )
                        .at(value.span)
                        .related(
                            csr.kind.span,
                            "the CSR type is `online`: Tencent Cloud makes the key and CSR",
                        ),
                    );
                }
            }
            let key = check_csr_key(raw, diagnostics)?;
            Some(Csr::Online {
                // Empty is unset, as for every other field.
                key_password: csr.key_password.clone().filter(|p| !p.value.is_empty()),
                key,
            })
        }
        CsrType::Parse => {
            for (key, value) in [
                ("key_algorithm", &csr.key_algorithm),
                ("key_parameter", &csr.key_parameter),
            ] {
                if let Some(value) = value {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::CsrKeyWithParse,
                            format!("`csr.{key}` is only used with `type: online`"),
                        )
                        .at(value.span)
                        .related(
                            csr.kind.span,
                            "with `type: parse` the key is the one your CSR holds",
                        )
                        .hint(format!("remove `{key}`")),
                    );
                }
            }
            if let Some(password) = &csr.key_password {
                diagnostics.push(
                    Diagnostic::error(
                        Code::KeyPasswordWithParse,
                        "`csr.key_password` is only used with `type: online`",
                    )
                    .at(password.span)
                    .related(
                        csr.kind.span,
                        "with `type: parse` you hold the private key yourself",
                    )
                    .hint("remove `key_password`"),
                );
            }
            let (pem, span) = match (&csr.file, &csr.pem, &csr.loaded_file) {
                (Some(file), None, Some(loaded)) => match &loaded.text {
                    Ok(text) => (text.clone(), file.span),
                    // `path-outside-tree`, reported by the loader.
                    Err(why) if why == crate::manifest::load::OUTSIDE_TREE => return None,
                    Err(why) => {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::CsrFile,
                                format!(
                                    "cannot read CSR file {}: {why}",
                                    crate::source::tidy(&loaded.path).display()
                                ),
                            )
                            .at(file.span)
                            .note("the path is relative to the manifest file"),
                        );
                        return None;
                    }
                },
                (None, Some(pem), _) => {
                    if pem.value.len() as u64 > MAX_CSR_BYTES {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::CsrParse,
                                format!(
                                    "the inline CSR is larger than {} KiB",
                                    MAX_CSR_BYTES >> 10
                                ),
                            )
                            .at(pem.span),
                        );
                        return None;
                    }
                    (pem.value.clone(), pem.span)
                }
                (Some(file), Some(pem), _) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::CsrSource,
                            "`csr` has both `file` and `pem`; give exactly one",
                        )
                        .at(pem.span)
                        .related(file.span, "`file` is also given here"),
                    );
                    return None;
                }
                _ => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::CsrSource,
                            "`csr.type: parse` needs the CSR: `file: path.csr` or `pem: |`",
                        )
                        .at(csr.kind.span),
                    );
                    return None;
                }
            };
            match csr::inspect(&pem) {
                Err(why) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::CsrParse,
                            format!("the CSR of certificate `{}` is {why}", raw.name.value),
                        )
                        .at(span),
                    );
                    None
                }
                Ok(info) => {
                    let before = diagnostics.error_count();
                    match info.signature {
                        csr::Signature::Valid => {}
                        csr::Signature::Invalid => diagnostics.push(
                            Diagnostic::error(Code::CsrSignature, format!("the CSR of certificate `{}` has a signature that does not verify", raw.name.value))
                                .at(span)
                                .note("the CSR was altered after it was signed, or is corrupt; make it again"),
                        ),
                        // Not known to be bad, but not known to be good either:
                        // refuse, as before, and say which it is.
                        csr::Signature::WeakKey => diagnostics.push(
                            Diagnostic::error(Code::CsrSignature, format!("the CSR of certificate `{}` has an RSA key under 2048 bits", raw.name.value))
                                .at(span)
                                .note("CAs refuse such keys, and tccert cannot verify a signature made with one")
                                .hint("make the CSR with an RSA 2048+ or ECDSA key (`tccert csr new`)"),
                        ),
                        csr::Signature::Unsupported => diagnostics.push(
                            Diagnostic::error(Code::CsrSignature, format!("the CSR of certificate `{}` is signed with {}, which tccert cannot verify", raw.name.value, info.signature_algorithm))
                                .at(span)
                                .hint("make the CSR with an RSA or ECDSA key and SHA-256 (`tccert csr new`)"),
                        ),
                    }
                    match &info.common_name {
                        Some(cn) if cn.eq_ignore_ascii_case(&raw.domain.value) => {}
                        other => diagnostics.push(
                            Diagnostic::error(
                                Code::CsrCommonName,
                                format!(
                                    "the CSR's common name is {}, but `domain` is `{}`",
                                    other
                                        .as_ref()
                                        .map_or("missing".to_string(), |cn| format!("`{cn}`")),
                                    shown(&raw.domain)
                                ),
                            )
                            .at(span)
                            .related(raw.domain.span, "the API requires them to be equal"),
                        ),
                    }
                    if let Some(domains) = &raw.domains {
                        for domain in &domains.value {
                            if !info
                                .dns_names
                                .iter()
                                .any(|n| n.eq_ignore_ascii_case(&domain.value))
                            {
                                diagnostics.push(
                                    Diagnostic::warning(Code::CsrMissingDomain, format!("`{}` is in `domains` but not among the CSR's subject alternative names", shown(domain)))
                                        .at(domain.span)
                                        .related(span, "the CSR")
                                        .note(missing_domain_note(&info.dns_names))
                                        .hint("make the CSR again with every domain, e.g. `tccert csr new --domain DOMAIN --san NAME ...`, or drop the name from `domains`"),
                                );
                            }
                        }
                    }
                    let _ = files;
                    (diagnostics.error_count() == before).then_some(Csr::Parse { pem, span })
                }
            }
        }
    }
}

/// What the CSR does name, for the `csr-missing-domain` warning.
fn missing_domain_note(dns_names: &[String]) -> String {
    if dns_names.is_empty() {
        "the CSR has no DNS subject alternative names".to_string()
    } else {
        format!(
            "the CSR's DNS names: {}",
            dns_names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
