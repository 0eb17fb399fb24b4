//! `tccert render`: each effective certificate, which layer set each field,
//! and the exact request body it would send, secrets masked. Pure: returns
//! text or JSON.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::api::action::Action;
use crate::api::param::Param;
use crate::api::request::{
    Body, Secrets, company_type, create_body, letter_body, order_body, sent_name, submit_action,
    submit_body,
};
use crate::certificate::{
    Api, ApiChoice, CERTIFICATE_TAG, Certificate, ConfirmLetter, Csr, Purchase,
};
use crate::field::Field;
use crate::secret::MASK;
use crate::source::{Files, printable};

/// "CertificateInfoSubmit (set by `api:` at www.yaml:7:6)".
fn api_line(files: &Files, certificate: &Certificate) -> String {
    let why = match certificate.api_choice {
        ApiChoice::Manifest(span) => format!("set by `api:` at {}", files.location(span)),
        ApiChoice::Flag => "from --api".to_string(),
        ApiChoice::Default => "the default".to_string(),
    };
    format!("{} ({why})", certificate.api)
}

fn api_choice_name(choice: ApiChoice) -> &'static str {
    match choice {
        ApiChoice::Manifest(_) => "manifest",
        ApiChoice::Flag => "flag",
        ApiChoice::Default => "default",
    }
}

/// The name a fixed (non-table) parameter has in the certificate's API.
fn named(certificate: &Certificate, param: Param) -> String {
    certificate.api.param(param).to_string()
}

fn shown(value: &str, secret: bool) -> String {
    if secret {
        MASK.to_string()
    } else {
        printable(value).into_owned()
    }
}

/// "product 9 (GeoTrust OV), 1 year, 2 names, vouchers not used".
fn purchase_summary(purchase: &Purchase) -> String {
    let product =
        crate::api::product::lookup(purchase.product.value).map_or_else(String::new, |p| {
            let brand = if p.brand.is_empty() { "" } else { " " };
            format!(" ({}{brand}{})", p.brand, p.level)
        });
    format!(
        "product {}{product}, {} year{}, {} name{}, vouchers {}",
        purchase.product.value,
        purchase.years,
        if purchase.years == 1 { "" } else { "s" },
        purchase.domain_count,
        if purchase.domain_count == 1 { "" } else { "s" },
        if purchase.vouchers {
            "used"
        } else {
            "not used"
        }
    )
}

/// "PDF, 20480 bytes": what is shown of a letter (never its content).
fn letter_summary(letter: &ConfirmLetter) -> String {
    let kind = crate::validate::letter::sniff(&letter.bytes).map_or("?", |t| t.name());
    format!("{kind}, {} bytes", letter.bytes.len())
}

/// `UploadConfirmLetter`'s body as shown: the letter's type and size in
/// place of its base64 content.
fn letter_body_shown(
    certificate: &Certificate,
    letter: &ConfirmLetter,
) -> serde_json::Map<String, Json> {
    let mut body = letter_body(certificate).to_json(Secrets::Mask);
    body.insert(
        "ConfirmLetter".into(),
        Json::from(format!("({})", letter_summary(letter))),
    );
    body
}

fn pretty(body: &serde_json::Map<String, Json>) -> String {
    let text = serde_json::to_string_pretty(&Json::Object(body.clone())).unwrap_or_default();
    // JSON escapes control characters; bidi controls too, here.
    crate::source::without_bidi(&text).into_owned()
}

fn write_request(out: &mut String, action: impl std::fmt::Display, body: &str) {
    let _ = writeln!(out, "\n  request {action}:");
    for line in body.lines() {
        let _ = writeln!(out, "    {line}");
    }
}

/// `CreateCertificate`'s body as shown: a tag value from the environment
/// masked one by one, so the others (`tccert:certificate` first) show.
fn create_shown(certificate: &Certificate) -> serde_json::Map<String, Json> {
    let body: Body = create_body(certificate);
    let mut shown_body = body.to_json(Secrets::Mask);
    if let Some(purchase) = &certificate.purchase {
        let mut tags = vec![json!({ "TagKey": CERTIFICATE_TAG, "TagValue": certificate.name })];
        tags.extend(purchase.tags.iter().map(|(k, v)| {
            json!({ "TagKey": shown(&k.value, k.secret), "TagValue": shown(&v.value, v.secret) })
        }));
        shown_body.insert("Tags".into(), Json::from(tags));
    }
    shown_body
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
            printable(&certificate.name),
            {
                let (id, secret) = certificate.id_or_placeholder();
                shown(id, secret)
            }
        );
        let _ = writeln!(out, "  defined at {}", files.location(certificate.span));
        let profiles = if certificate.profiles.is_empty() {
            "none".to_string()
        } else {
            printable(&certificate.profiles.join(" → ")).into_owned()
        };
        let _ = writeln!(out, "  profiles   {profiles}");
        // Only when it has one, so a tree without accounts renders as before.
        if let Some(account) = &certificate.account {
            let _ = writeln!(out, "  account    {}", printable(account));
        }
        let _ = writeln!(
            out,
            "  commit     {}",
            if certificate.commit {
                "yes: CertificateOrderSubmit after submitting"
            } else {
                "no"
            }
        );
        let _ = writeln!(out, "  api        {}", api_line(files, certificate));
        if let Some(purchase) = &certificate.purchase {
            let _ = writeln!(
                out,
                "  purchase   {}; set by {} at {}",
                purchase_summary(purchase),
                printable(&purchase.layer.to_string()),
                files.location(purchase.span)
            );
        }
        if let Some(letter) = &certificate.confirm_letter {
            let _ = writeln!(
                out,
                "  letter     {} ({}) at {}",
                shown(&letter.path.value, letter.path.secret),
                letter_summary(letter),
                files.location(letter.path.span)
            );
        }
        let mut rows: Vec<(String, String, String)> = Vec::new();
        rows.push((
            named(certificate, Param::Domain),
            shown(&certificate.domain.value, certificate.domain.secret),
            format!("certificate at {}", files.location(certificate.domain.span)),
        ));
        for domain in &certificate.domains {
            rows.push((
                named(certificate, Param::DomainList),
                shown(&domain.value, domain.secret),
                format!("certificate at {}", files.location(domain.span)),
            ));
        }
        let csr_type = named(certificate, Param::CsrType);
        match &certificate.csr {
            Csr::Online { key_password, key } => {
                rows.push((csr_type, "online".into(), "certificate".into()));
                if let Some(password) = key_password {
                    rows.push((
                        named(certificate, Param::KeyPassword),
                        MASK.into(),
                        format!("certificate at {}", files.location(password.span)),
                    ));
                }
                if certificate.api == Api::CertificateInfoSubmit {
                    let origin = key.span.map_or("default".to_string(), |span| {
                        format!("certificate at {}", files.location(span))
                    });
                    rows.push((
                        "CsrEncryptAlgo".into(),
                        key.algorithm.as_str().into(),
                        origin.clone(),
                    ));
                    rows.push((
                        "CsrKeyParameter".into(),
                        key.parameter.as_str().into(),
                        origin,
                    ));
                }
            }
            Csr::Parse { pem, span } => {
                rows.push((csr_type, "parse".into(), "certificate".into()));
                rows.push((
                    named(certificate, Param::CsrContent),
                    format!("(PEM, {} bytes)", pem.len()),
                    format!("certificate at {}", files.location(*span)),
                ));
            }
        }
        if certificate.api == Api::CertificateInfoSubmit {
            rows.push((
                "CompanyType".into(),
                company_type(certificate).to_string(),
                match (certificate.company_type_span, certificate.dv) {
                    (Some(span), _) => format!(
                        "certificate at {} (company_type: {})",
                        files.location(span),
                        certificate.company_type.as_str()
                    ),
                    (None, true) => "default for dv: true (an individual)".into(),
                    (None, false) => "default (a company)".into(),
                },
            ));
            for field in [Field::CompanyId, Field::ManagerId] {
                if !certificate.fields.contains_key(&field) {
                    rows.push((field.api_name().into(), "0".into(), "unset".into()));
                }
            }
        }
        for field in Field::ALL {
            if let Some(setting) = certificate.fields.get(&field) {
                let (name, origin) = match sent_name(certificate, field) {
                    Some(name) => (name.to_string(), setting.provenance(files)),
                    None => (
                        format!("({})", field.path()),
                        format!(
                            "not sent by {}; {}",
                            certificate.api,
                            setting.provenance(files)
                        ),
                    ),
                };
                rows.push((name, shown(&setting.value, setting.secret), origin));
            }
        }
        if certificate.dv && certificate.api == Api::SubmitCertificateInformation {
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
            let origin = printable(&origin);
            let _ = writeln!(
                out,
                "  {name:<name_width$}  {value:<value_width$}  {origin}"
            );
        }
        if certificate.purchase.is_some() {
            write_request(
                &mut out,
                Action::CreateCertificate,
                &pretty(&create_shown(certificate)),
            );
        }
        write_request(
            &mut out,
            submit_action(certificate),
            &pretty(&submit_body(certificate).to_json(Secrets::Mask)),
        );
        if let Some(letter) = &certificate.confirm_letter {
            write_request(
                &mut out,
                Action::UploadConfirmLetter,
                &pretty(&letter_body_shown(certificate, letter)),
            );
        }
    }
    out
}

pub fn render_json(files: &Files, certificates: &[Certificate]) -> Json {
    let items: Vec<Json> = certificates
        .iter()
        .map(|certificate| {
            let mut provenance = serde_json::Map::new();
            let mut not_sent = Vec::new();
            for (field, setting) in &certificate.fields {
                let Some(name) = sent_name(certificate, *field) else {
                    not_sent.push(field.path());
                    continue;
                };
                provenance.insert(
                    name.into(),
                    json!({
                        "layer": setting.layer.to_string().replace('`', ""),
                        "file": files.path(setting.span.file).display().to_string(),
                        "line": setting.span.line,
                        "column": setting.span.column,
                    }),
                );
            }
            let mut requests = Vec::new();
            if certificate.purchase.is_some() {
                requests.push(json!({
                    "action": Action::CreateCertificate,
                    "body": Json::Object(create_shown(certificate)),
                }));
            }
            requests.push(json!({
                "action": submit_action(certificate),
                "body": Json::Object(submit_body(certificate).to_json(Secrets::Mask)),
            }));
            if certificate.commit {
                requests.push(json!({
                    "action": Action::CertificateOrderSubmit,
                    "body": Json::Object(order_body(certificate).to_json(Secrets::Mask)),
                }));
            }
            if let Some(letter) = &certificate.confirm_letter {
                requests.push(json!({
                    "action": Action::UploadConfirmLetter,
                    "body": Json::Object(letter_body_shown(certificate, letter)),
                }));
            }
            let purchase = certificate.purchase.as_ref().map(|p| {
                let product = crate::api::product::lookup(p.product.value);
                json!({
                    "product": p.product.value,
                    "brand": product.map(|p| p.brand),
                    "level": product.map(|p| p.level.name()),
                    "years": p.years,
                    "domain_count": p.domain_count,
                    "vouchers": p.vouchers,
                    "tags": p.tags.iter().map(|(k, v)| json!({
                        "key": shown(&k.value, k.secret),
                        "value": shown(&v.value, v.secret),
                    })).collect::<Vec<_>>(),
                    "layer": p.layer.to_string().replace('`', ""),
                    "file": files.path(p.span.file).display().to_string(),
                    "line": p.span.line,
                    "column": p.span.column,
                })
            });
            let letter = certificate.confirm_letter.as_ref().map(|l| {
                json!({
                    "path": shown(&l.path.value, l.path.secret),
                    "type": crate::validate::letter::sniff(&l.bytes).map(crate::validate::letter::LetterType::name),
                    "bytes": l.bytes.len(),
                    "file": files.path(l.path.span.file).display().to_string(),
                    "line": l.path.span.line,
                    "column": l.path.span.column,
                })
            });
            json!({
                "name": certificate.name,
                "certificate_id": certificate.certificate_id.as_ref().map(|id| shown(&id.value, id.secret)),
                "file": files.path(certificate.file).display().to_string(),
                "line": certificate.span.line,
                "profiles": certificate.profiles,
                "account": certificate.account,
                "commit": certificate.commit,
                "api": certificate.api.name(),
                "api_choice": api_choice_name(certificate.api_choice),
                "purchase": purchase,
                "confirm_letter": letter,
                "provenance": provenance,
                "not_sent": not_sent,
                "requests": requests,
            })
        })
        .collect();
    json!({ "certificates": items })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::load::Budget;
    use crate::manifest::testing::{PROFILE, certificate, files};
    use crate::pipeline::{self, Checked};
    use crate::system::MapEnvironment;
    use crate::validate::Options;

    /// The profile (it has a postal code) and one certificate, through the
    /// front door.
    fn checked(extra: &str) -> Checked {
        let www = certificate("www", "abc1", extra);
        let (fs, paths) = files(&[("p.yaml", PROFILE), ("www.yaml", &www)]);
        let checked = pipeline::load_and_validate(
            &paths,
            &fs,
            &MapEnvironment::default(),
            Budget::default(),
            Options::default(),
        );
        assert!(checked.valid().is_some(), "{:?}", checked.diagnostics);
        checked
    }

    fn certificates(checked: &Checked) -> &[Certificate] {
        checked.valid().map_or(&[], |v| v.certificates.as_slice())
    }

    #[test]
    fn text_shows_each_value_with_where_it_was_set_and_masks_the_key_password() {
        let checked = checked("  key_password: hunter2-secret\n");
        let text = render_text(&checked.loaded.files, certificates(&checked));
        assert!(
            text.starts_with("certificate `www` (CertificateId abc1)\n  defined at www.yaml:3:7\n"),
            "{text}"
        );
        assert!(text.contains("  profiles   acme\n"), "{text}");
        assert!(!text.contains("  account "), "no account, no line: {text}");
        assert!(
            text.contains("  api        SubmitCertificateInformation (the default)\n"),
            "{text}"
        );
        let organization = text
            .lines()
            .find(|l| l.trim_start().starts_with("OrganizationName"))
            .expect("a row for OrganizationName");
        assert!(organization.contains("Acme Ltd"), "{organization}");
        assert!(
            organization.ends_with("set by profile `acme` at p.yaml:5:9"),
            "{organization}"
        );
        assert!(!text.contains("hunter2-secret"), "{text}");
        assert!(
            text.contains(&format!("\"KeyPassword\": \"{MASK}\"")),
            "{text}"
        );
        assert!(
            text.contains("\n  request SubmitCertificateInformation:\n"),
            "{text}"
        );
    }

    #[test]
    fn json_names_fields_as_the_api_does_and_lists_what_it_cannot_send() {
        let checked = checked("api: CertificateInfoSubmit\ncommit: true\n");
        let json = render_json(&checked.loaded.files, certificates(&checked));
        let www = &json["certificates"][0];
        assert_eq!(www["api"], "CertificateInfoSubmit");
        assert_eq!(www["api_choice"], "manifest");
        assert_eq!(
            www["provenance"]["OrgOrganization"]["layer"],
            "profile acme"
        );
        assert_eq!(www["provenance"]["OrgOrganization"]["file"], "p.yaml");
        assert!(www["provenance"].get("OrganizationName").is_none());
        assert_eq!(
            www["not_sent"],
            serde_json::json!(["organization.postal_code"])
        );
        let actions: Vec<&str> = www["requests"]
            .as_array()
            .map(|r| r.iter().filter_map(|q| q["action"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(actions, ["CertificateInfoSubmit", "CertificateOrderSubmit"]);
        assert_eq!(
            www["requests"][0]["body"]["CertCommonName"],
            "www.acme.example"
        );
        assert_eq!(www["requests"][0]["body"]["CompanyType"], 2);
    }

    #[test]
    fn a_purchase_shows_the_create_body_and_a_letter_its_size_only() {
        let shop = "apiVersion: tccert/v1\nkind: Certificate\nname: shop\nprofiles: [acme]\ndomain: shop.acme.example\ncsr:\n  type: online\npurchase:\n  product: 9\n  tags: {team: web, owner: \"${OWNER}\"}\nconfirm_letter: shop.pdf\n";
        let mut letter = b"%PDF-1.7\n".to_vec();
        letter.resize(2048, b'L');
        let (fs, paths) = files(&[("p.yaml", PROFILE), ("shop.yaml", shop)]);
        let fs = fs.with_bytes("shop.pdf", &letter);
        let env = MapEnvironment::default().with("OWNER", "owner-from-env");
        let checked =
            pipeline::load_and_validate(&paths, &fs, &env, Budget::default(), Options::default());
        assert!(checked.valid().is_some(), "{:?}", checked.diagnostics);
        let text = render_text(&checked.loaded.files, certificates(&checked));
        assert!(
            text.starts_with("certificate `shop` (CertificateId (assigned when bought))\n"),
            "{text}"
        );
        assert!(
            text.contains("  purchase   product 9 (GeoTrust OV), 1 year, 1 name, vouchers not used; set by certificate `shop` at shop.yaml:9:3\n"),
            "{text}"
        );
        assert!(
            text.contains("  letter     shop.pdf (PDF, 2048 bytes) at shop.yaml:11:17\n"),
            "{text}"
        );
        let create = text
            .find("request CreateCertificate:")
            .expect("the purchase");
        let submit = text
            .find("request SubmitCertificateInformation:")
            .expect("the submit");
        let upload = text
            .find("request UploadConfirmLetter:")
            .expect("the letter");
        assert!(create < submit && submit < upload, "{text}");
        assert!(text.contains("\"ProductId\": 9"), "{text}");
        assert!(text.contains("\"AutoVoucher\": 0"), "{text}");
        assert!(
            text.contains("\"TagKey\": \"tccert:certificate\",\n          \"TagValue\": \"shop\""),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "\"TagKey\": \"owner\",\n          \"TagValue\": \"{MASK}\""
            )),
            "{text}"
        );
        assert!(
            text.contains("\"ConfirmLetter\": \"(PDF, 2048 bytes)\""),
            "{text}"
        );
        assert!(
            !text.contains("owner-from-env") && !text.contains("JVBER"),
            "{text}"
        );

        let json = render_json(&checked.loaded.files, certificates(&checked));
        let shop = &json["certificates"][0];
        assert_eq!(shop["certificate_id"], Json::Null);
        assert_eq!(shop["purchase"]["product"], 9);
        assert_eq!(shop["purchase"]["level"], "OV");
        assert_eq!(shop["purchase"]["tags"][1]["value"], MASK);
        assert_eq!(shop["confirm_letter"]["bytes"], 2048);
        assert_eq!(shop["confirm_letter"]["type"], "PDF");
        let actions: Vec<&str> = shop["requests"]
            .as_array()
            .map(|r| r.iter().filter_map(|q| q["action"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            actions,
            [
                "CreateCertificate",
                "SubmitCertificateInformation",
                "UploadConfirmLetter"
            ]
        );
        let all = json.to_string();
        assert!(
            !all.contains("owner-from-env") && !all.contains("JVBER"),
            "{all}"
        );
    }
}
