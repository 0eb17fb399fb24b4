//! Everything checked after loading: unique names and ids, profile
//! references, and each merged certificate against the API's own rules. The
//! result is the list of validated [`Certificate`]s, or the diagnostics that
//! explain why there is none to send.

use std::collections::HashMap;

use crate::checks;
use crate::csr;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::field::{Check, Field};
use crate::manifest::load::{Loaded, MAX_CSR_BYTES};
use crate::manifest::raw::{CsrType, RawCertificate, RawDocument, RawProfile, Sourced};
use crate::merge::{ProfileIndex, merge_fields};
use crate::model::{Certificate, Csr, Setting};
use crate::source::{FileId, Files};

/// What validation found.
#[derive(Debug, Default)]
pub struct Validated {
    pub certificates: Vec<Certificate>,
    pub profile_count: usize,
}

pub fn validate(loaded: &Loaded, diagnostics: &mut Diagnostics) -> Validated {
    let mut profiles: Vec<&RawProfile> = Vec::new();
    let mut certificates: Vec<(FileId, &RawCertificate)> = Vec::new();
    for (file, document) in &loaded.documents {
        match document {
            RawDocument::Profile(p) => profiles.push(p),
            RawDocument::Certificate(c) => certificates.push((*file, c.as_ref())),
        }
    }
    unique(
        profiles.iter().map(|p| &p.name),
        "profile",
        Code::DuplicateName,
        diagnostics,
    );
    unique(
        certificates.iter().map(|(_, c)| &c.name),
        "certificate",
        Code::DuplicateName,
        diagnostics,
    );
    unique(
        certificates.iter().map(|(_, c)| &c.certificate_id),
        "certificate_id",
        Code::DuplicateCertificateId,
        diagnostics,
    );

    // Value formats are checked once per document, where they are written,
    // not once per certificate that merges them (which would repeat a bad
    // profile value for every certificate using it).
    for profile in &profiles {
        check_values(&profile.fields, false, diagnostics);
    }
    for (_, certificate) in &certificates {
        check_values(
            &certificate.fields,
            certificate.dv.as_ref().is_some_and(|d| d.value),
            diagnostics,
        );
    }

    let index = ProfileIndex::new(profiles.iter().copied());
    index.check(&profiles, diagnostics);

    let mut valid = Vec::new();
    for (file, raw) in certificates {
        let Some(layers) = index.linearize(raw, diagnostics) else {
            continue;
        };
        let fields = merge_fields(&layers, raw);
        let before = diagnostics.error_count();
        check_fields(raw, &fields, &layers, diagnostics);
        let csr = check_csr(&loaded.files, raw, diagnostics);
        check_domains(raw, diagnostics);
        if let (Some(csr), true) = (csr, diagnostics.error_count() == before) {
            valid.push(Certificate {
                name: raw.name.value.clone(),
                file,
                span: raw.name.span,
                certificate_id: raw.certificate_id.clone(),
                domain: raw.domain.clone(),
                domains: raw
                    .domains
                    .as_ref()
                    .map(|d| d.value.clone())
                    .unwrap_or_default(),
                dv: raw.dv.as_ref().is_some_and(|d| d.value),
                commit: raw.commit.as_ref().is_some_and(|c| c.value),
                csr,
                fields,
                profiles: layers.iter().map(|p| p.name.value.clone()).collect(),
            });
        }
    }
    Validated {
        certificates: valid,
        profile_count: profiles.len(),
    }
}

fn unique<'a>(
    values: impl Iterator<Item = &'a Sourced<String>>,
    what: &str,
    code: Code,
    diagnostics: &mut Diagnostics,
) {
    let mut seen: HashMap<&str, &Sourced<String>> = HashMap::new();
    for value in values {
        match seen.get(value.value.as_str()) {
            Some(first) => diagnostics.push(
                Diagnostic::error(code, format!("{what} `{}` is defined twice", shown(value)))
                    .at(value.span)
                    .with_label("defined again here")
                    .related(first.span, "first defined here"),
            ),
            None => {
                seen.insert(&value.value, value);
            }
        }
    }
}

fn shown(value: &Sourced<String>) -> &str {
    if value.secret {
        crate::secret::MASK
    } else {
        &value.value
    }
}

fn check_fields(
    raw: &RawCertificate,
    fields: &std::collections::BTreeMap<Field, Setting>,
    layers: &[&RawProfile],
    diagnostics: &mut Diagnostics,
) {
    let dv = raw.dv.as_ref().is_some_and(|d| d.value);
    // A field dropped for a type error in a layer would be reported again
    // here as missing: say it once.
    let layer_had_errors = raw.had_errors || layers.iter().any(|p| p.had_errors);
    if !dv && !layer_had_errors {
        let missing: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|f| f.info().required && !fields.contains_key(f))
            .collect();
        if !missing.is_empty() {
            let list: Vec<String> = missing
                .iter()
                .map(|f| format!("{} ({})", f.path(), f.api_name()))
                .collect();
            let merged = if layers.is_empty() {
                "it uses no profiles".to_string()
            } else {
                format!(
                    "merged from profiles: {}",
                    layers
                        .iter()
                        .map(|p| p.name.value.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            diagnostics.push(
                Diagnostic::error(
                    Code::MissingField,
                    format!("certificate `{}` lacks {} field{} the API requires: {}", raw.name.value, missing.len(), if missing.len() == 1 { "" } else { "s" }, list.join(", ")),
                )
                .at(raw.name.span)
                .note(merged)
                .hint("set them in the certificate or in one of its profiles, or mark a DV certificate with `dv: true`"),
            );
        }
    }
}

fn check_values(
    fields: &crate::manifest::raw::FieldValues,
    dv: bool,
    diagnostics: &mut Diagnostics,
) {
    for (field, value) in fields {
        let info = field.info();
        if value.value.trim().is_empty() {
            if info.required && !dv {
                diagnostics.push(
                    Diagnostic::error(Code::EmptyValue, format!("`{}` is empty", field.path()))
                        .at(value.span)
                        .note(format!("the API requires {}", field.api_name())),
                );
            }
            continue;
        }
        let (result, code) = match info.check {
            Check::Email => (checks::email(&value.value), Code::InvalidEmail),
            Check::Country => (checks::country(&value.value), Code::InvalidCountry),
            Check::Text | Check::VerifyType => (Ok(()), Code::Schema),
        };
        if let Err(why) = result {
            let shown = if value.secret {
                "a value from the environment".to_string()
            } else {
                format!("`{}`", value.value)
            };
            diagnostics.push(
                Diagnostic::error(code, format!("`{}`: {shown} {why}", field.path()))
                    .at(value.span),
            );
        }
    }
}

fn check_domains(raw: &RawCertificate, diagnostics: &mut Diagnostics) {
    let all = std::iter::once(("domain", &raw.domain)).chain(
        raw.domains
            .iter()
            .flat_map(|d| d.value.iter())
            .map(|d| ("domains", d)),
    );
    let mut seen: HashMap<String, &Sourced<String>> = HashMap::new();
    for (key, domain) in all {
        if let Err(why) = checks::domain(&domain.value) {
            let value = if domain.secret {
                "a value from the environment".to_string()
            } else {
                format!("`{}`", domain.value)
            };
            diagnostics.push(
                Diagnostic::error(Code::InvalidDomain, format!("`{key}`: {value} {why}"))
                    .at(domain.span),
            );
            continue;
        }
        let folded = domain.value.to_ascii_lowercase();
        if let Some(first) = seen.get(&folded) {
            diagnostics.push(
                Diagnostic::warning(
                    Code::DuplicateDomain,
                    format!(
                        "`{}` is listed twice on certificate `{}`",
                        shown(domain),
                        raw.name.value
                    ),
                )
                .at(domain.span)
                .related(first.span, "first here"),
            );
        } else {
            seen.insert(folded, domain);
        }
    }
}

fn check_csr(files: &Files, raw: &RawCertificate, diagnostics: &mut Diagnostics) -> Option<Csr> {
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
            Some(Csr::Online {
                key_password: csr.key_password.clone(),
            })
        }
        CsrType::Parse => {
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
                    Err(why) => {
                        diagnostics.push(
                            Diagnostic::error(
                                Code::CsrFile,
                                format!("cannot read CSR file {}: {why}", loaded.path.display()),
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
