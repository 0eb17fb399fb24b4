//! `tccert render`: each effective certificate, which layer set each field,
//! and the exact request body it would send, secrets masked. Pure: returns
//! text or JSON.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::field::Field;
use crate::model::{Certificate, Csr};
use crate::request::{SUBMIT_ACTION, Secrets, order_body, submit_body};
use crate::secret::MASK;
use crate::source::Files;

fn shown(value: &str, secret: bool) -> String {
    if secret {
        MASK.to_string()
    } else {
        value.to_string()
    }
}

pub fn render_text(files: &Files, certificates: &[Certificate]) -> String {
    let mut out = String::new();
    for (i, certificate) in certificates.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "certificate `{}` (CertificateId {})",
            certificate.name,
            shown(
                &certificate.certificate_id.value,
                certificate.certificate_id.secret
            )
        );
        let _ = writeln!(out, "  defined at {}", files.location(certificate.span));
        let profiles = if certificate.profiles.is_empty() {
            "none".to_string()
        } else {
            certificate.profiles.join(" → ")
        };
        let _ = writeln!(out, "  profiles   {profiles}");
        let _ = writeln!(
            out,
            "  commit     {}",
            if certificate.commit {
                "yes: CertificateOrderSubmit after submitting"
            } else {
                "no"
            }
        );
        let mut rows: Vec<(String, String, String)> = Vec::new();
        rows.push((
            "CertificateDomain".into(),
            shown(&certificate.domain.value, certificate.domain.secret),
            format!("certificate at {}", files.location(certificate.domain.span)),
        ));
        for domain in &certificate.domains {
            rows.push((
                "DomainList".into(),
                shown(&domain.value, domain.secret),
                format!("certificate at {}", files.location(domain.span)),
            ));
        }
        match &certificate.csr {
            Csr::Online { key_password } => {
                rows.push(("CsrType".into(), "online".into(), "certificate".into()));
                if let Some(password) = key_password {
                    rows.push((
                        "KeyPassword".into(),
                        MASK.into(),
                        format!("certificate at {}", files.location(password.span)),
                    ));
                }
            }
            Csr::Parse { pem, span } => {
                rows.push(("CsrType".into(), "parse".into(), "certificate".into()));
                rows.push((
                    "CsrContent".into(),
                    format!("(PEM, {} bytes)", pem.len()),
                    format!("certificate at {}", files.location(*span)),
                ));
            }
        }
        for field in Field::ALL {
            if let Some(setting) = certificate.fields.get(&field) {
                rows.push((
                    field.api_name().into(),
                    shown(&setting.value, setting.secret),
                    setting.provenance(files),
                ));
            }
        }
        if certificate.dv {
            rows.push(("IsDV".into(), "true".into(), "certificate".into()));
        }
        let name_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        let value_width = rows
            .iter()
            .map(|r| r.1.chars().count())
            .max()
            .unwrap_or(0)
            .min(40);
        let _ = writeln!(out);
        for (name, value, origin) in rows {
            let _ = writeln!(
                out,
                "  {name:<name_width$}  {value:<value_width$}  {origin}"
            );
        }
        let body = serde_json::to_string_pretty(&Json::Object(
            submit_body(certificate).to_json(Secrets::Mask),
        ))
        .unwrap_or_default();
        let _ = writeln!(out, "\n  request {SUBMIT_ACTION}:");
        for line in body.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    out
}

pub fn render_json(files: &Files, certificates: &[Certificate]) -> Json {
    let items: Vec<Json> = certificates
        .iter()
        .map(|certificate| {
            let mut provenance = serde_json::Map::new();
            for (field, setting) in &certificate.fields {
                provenance.insert(
                    field.api_name().into(),
                    json!({
                        "layer": setting.layer.to_string().replace('`', ""),
                        "file": files.path(setting.span.file).display().to_string(),
                        "line": setting.span.line,
                        "column": setting.span.column,
                    }),
                );
            }
            let mut requests = vec![json!({
                "action": SUBMIT_ACTION,
                "body": Json::Object(submit_body(certificate).to_json(Secrets::Mask)),
            })];
            if certificate.commit {
                requests.push(json!({
                    "action": crate::request::ORDER_ACTION,
                    "body": Json::Object(order_body(certificate).to_json(Secrets::Mask)),
                }));
            }
            json!({
                "name": certificate.name,
                "certificate_id": shown(&certificate.certificate_id.value, certificate.certificate_id.secret),
                "file": files.path(certificate.file).display().to_string(),
                "line": certificate.span.line,
                "profiles": certificate.profiles,
                "commit": certificate.commit,
                "provenance": provenance,
                "requests": requests,
            })
        })
        .collect();
    json!({ "certificates": items })
}
