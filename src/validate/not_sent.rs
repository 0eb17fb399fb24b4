//! The `field-not-sent` warning: values set that a certificate's API cannot
//! send, gathered over the whole run.

use std::collections::{BTreeMap, HashSet};

use crate::certificate::{Api, ApiChoice, Layer, Setting};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::field::Field;
use crate::manifest::raw::RawCertificate;
use crate::source::Span;

/// Values set that the certificate's API cannot send, gathered over every
/// certificate so that a profile value used by fifty certificates is one
/// warning, at the place it is written, naming the certificates.
///
/// A value that some other certificate does send is not reported: a profile
/// shared by certificates of both APIs would otherwise warn on every run,
/// about something nobody can fix short of splitting the profile. `render`
/// still shows, per certificate, what is not sent.
#[derive(Default)]
pub(super) struct NotSent {
    /// By where the value is written and what it is.
    items: BTreeMap<(Span, String), NotSentItem>,
    /// Where values are written that at least one certificate sends.
    sent_somewhere: HashSet<Span>,
}

struct NotSentItem {
    api: Api,
    api_field: &'static str,
    layer: String,
    certificates: Vec<String>,
    /// Every certificate got this API by default (no `api:`, no `--api`).
    by_default: bool,
}

impl NotSent {
    fn note(
        &mut self,
        raw: &RawCertificate,
        api: Api,
        choice: ApiChoice,
        at: (Span, String),
        api_field: &'static str,
        layer: String,
    ) {
        let item = self.items.entry(at).or_insert_with(|| NotSentItem {
            api,
            api_field,
            layer,
            certificates: Vec::new(),
            by_default: true,
        });
        item.certificates.push(raw.name.value.clone());
        item.by_default &= choice == ApiChoice::Default;
    }

    pub(super) fn note_fields(
        &mut self,
        raw: &RawCertificate,
        api: Api,
        choice: ApiChoice,
        fields: &BTreeMap<Field, Setting>,
    ) {
        for (field, setting) in fields {
            if api.sends(*field) {
                self.sent_somewhere.insert(setting.span);
                continue;
            }
            let layer = match &setting.layer {
                Layer::Profile(name) => format!("profile `{name}`"),
                Layer::Certificate(_) => "the certificate".to_string(),
            };
            self.note(
                raw,
                api,
                choice,
                (setting.span, field.path()),
                field.api_name(),
                layer,
            );
        }
    }

    /// `company_type` on a `SubmitCertificateInformation` certificate, which
    /// has no `CompanyType` (only `IsDV`).
    pub(super) fn note_company_type(&mut self, raw: &RawCertificate, choice: ApiChoice) {
        if let Some(value) = &raw.company_type {
            self.note(
                raw,
                Api::SubmitCertificateInformation,
                choice,
                (value.span, "company_type".to_string()),
                "CompanyType",
                "the certificate".into(),
            );
        }
    }

    /// `csr.key_algorithm`/`key_parameter` on a `SubmitCertificateInformation`
    /// certificate, which has no such parameters.
    pub(super) fn note_csr_key(&mut self, raw: &RawCertificate, choice: ApiChoice) {
        for (name, api_field, value) in [
            (
                "csr.key_algorithm",
                "CsrEncryptAlgo",
                &raw.csr.key_algorithm,
            ),
            (
                "csr.key_parameter",
                "CsrKeyParameter",
                &raw.csr.key_parameter,
            ),
        ] {
            if let Some(value) = value {
                self.note(
                    raw,
                    Api::SubmitCertificateInformation,
                    choice,
                    (value.span, name.to_string()),
                    api_field,
                    "the certificate".into(),
                );
            }
        }
    }

    pub(super) fn report(self, diagnostics: &mut Diagnostics) {
        for ((span, path), item) in self.items {
            if self.sent_somewhere.contains(&span) {
                continue;
            }
            let names = abbreviate_names(&item.certificates);
            let whose = if item.certificates.len() == 1 {
                format!("certificate {names}")
            } else {
                format!("certificates {names}")
            };
            let (message, hint) = match item.api {
                Api::CertificateInfoSubmit => (
                    format!(
                        "`{path}` is not sent for {whose}: CertificateInfoSubmit has no {}",
                        item.api_field
                    ),
                    "remove it, or keep it for certificates that use SubmitCertificateInformation"
                        .to_string(),
                ),
                Api::SubmitCertificateInformation => (
                    format!(
                        "`{path}` is not sent for {whose}: SubmitCertificateInformation has no {}",
                        item.api_field
                    ),
                    if item.by_default {
                        "it is sent only with `api: CertificateInfoSubmit` on the certificate or `--api CertificateInfoSubmit`".to_string()
                    } else {
                        "it is sent only to CertificateInfoSubmit".to_string()
                    },
                ),
            };
            diagnostics.push(
                Diagnostic::warning(Code::FieldNotSent, message)
                    .at(span)
                    .with_label(format!("set by {}", item.layer))
                    .hint(hint),
            );
        }
    }
}

/// "`a`, `b`, `c` and 4 more".
fn abbreviate_names(names: &[String]) -> String {
    const SHOWN: usize = 3;
    let quoted: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    match names.len() {
        n if n > SHOWN => format!("{} and {} more", quoted.join(", "), n - SHOWN),
        _ => quoted.join(", "),
    }
}
