//! `tccert status`: each certificate's live status and the domain-validation
//! records the CA wants, read from a `DescribeCertificateDetail` reply and
//! shown as text, JSON or Markdown (docs/cli.md, "status"). Pure: the
//! command reads and prints.

use serde_json::{Map, Value as Json, json};

use super::markdown::{cell, code_span};
use crate::api::error::ApiError;
use crate::api::reply::{CertificateDetail, DomainCheck, ca_check_words, local_check_words};
use crate::api::status::{
    CANCELLED, EXPIRED, ISSUED, PENDING_SUBMISSION, REFUNDED, REVIEW_FAILED, REVOKED, short_name,
};
use crate::secret::Redactor;
use crate::source::printable;

/// One record the CA wants for domain validation: an entry of
/// `DvAuthDetail.DvAuths`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    /// `DvAuthDomain`: the domain (or DNS zone) validated.
    pub domain: String,
    /// `DvAuthVerifyType`: `TXT`, `CNAME` or `FILE`.
    pub kind: String,
    /// `DvAuthKey`: the record's name, or the file's.
    pub name: String,
    /// `DvAuthSubDomain`: the record's host within `domain`.
    pub subdomain: String,
    /// `DvAuthValue`: what the record or the file must hold.
    pub value: String,
    /// `DvAuthPath`: where the file goes (file validation only).
    pub path: Option<String>,
}

/// What one read showed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Live {
    pub status: u64,
    pub status_message: Option<String>,
    pub validation: Vec<Validation>,
    /// The domain checks (`CheckCertificateDomainVerification`), read for a
    /// certificate waiting for validation (0, 4, 8); empty otherwise.
    pub checks: Vec<DomainCheck>,
    /// Why the domain checks could not be read, when they could not.
    pub checks_error: Option<ApiError>,
    /// `PackageType` of the detail (the product's id), when read.
    pub package_type: Option<String>,
    /// `ProductZhName` of the detail, when read.
    pub product_name: Option<String>,
}

impl Live {
    /// With every known secret masked in the text the server sent.
    pub fn redacted(mut self, redactor: &Redactor) -> Self {
        self.status_message = self.status_message.map(|m| redactor.redact(&m));
        for v in &mut self.validation {
            for text in [
                &mut v.domain,
                &mut v.kind,
                &mut v.name,
                &mut v.subdomain,
                &mut v.value,
            ] {
                *text = redactor.redact(text);
            }
            v.path = v.path.take().map(|p| redactor.redact(&p));
        }
        for c in &mut self.checks {
            for text in [&mut c.domain, &mut c.verify_type, &mut c.local_fail_reason]
                .into_iter()
                .chain(c.check_value.iter_mut())
            {
                *text = redactor.redact(text);
            }
        }
        self
    }

    /// From a `DescribeCertificateDetail` reply; `None` without a `Status`.
    pub fn from_response(response: &Map<String, Json>) -> Option<Self> {
        let detail = CertificateDetail::from_response(response);
        let validation = detail
            .dv_auths
            .into_iter()
            .map(|auth| Validation {
                domain: auth.domain,
                kind: auth.verify_type,
                name: auth.key,
                subdomain: auth.sub_domain,
                value: auth.value,
                path: Some(auth.path).filter(|p| !p.is_empty()),
            })
            .collect();
        Some(Self {
            status: detail.status?,
            status_message: detail.status_message.filter(|m| !m.is_empty()),
            validation,
            package_type: detail.package_type,
            product_name: detail.product_name,
            ..Self::default()
        })
    }
}

/// The statuses that waiting cannot change (docs/cli.md, "status"): review
/// failed (2), expired (3), cancelled (7), revoked (10), refunded (14), and
/// pending information (5), where the information or the order is still to
/// be sent.
pub const END_STATES: [u64; 6] = [
    REVIEW_FAILED,
    EXPIRED,
    PENDING_SUBMISSION,
    CANCELLED,
    REVOKED,
    REFUNDED,
];

/// Whether `--wait` is done with a certificate at this status.
pub fn settled(status: u64) -> bool {
    status == ISSUED || END_STATES.contains(&status)
}

/// One certificate's line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub certificate_id: String,
    pub file: String,
    /// Whose credentials read it (`None`: the default credentials).
    pub account: Option<String>,
    /// The last read, if any succeeded.
    pub live: Option<Live>,
    /// Why the last read failed: `(code, message)`, masked already.
    pub error: Option<crate::api::error::ApiError>,
    /// The writes that landed in this run, in order (`complete`), as
    /// apply's results name them.
    pub writes: Vec<crate::plan::Write>,
    /// What the run has to say of it (why `CompleteCertificate` was not
    /// sent, how it ended).
    pub notes: Vec<String>,
    /// Why it was not read: a certificate with `purchase:` that is not
    /// bought yet (no certificate carries its tag).
    pub skipped: Option<String>,
    /// Whether `certificate_id` is the certificate's id (written, or found
    /// by its tag), not the placeholder of one still to buy.
    pub id_known: bool,
}

impl Entry {
    pub fn issued(&self) -> bool {
        self.live.as_ref().is_some_and(|l| l.status == ISSUED)
    }

    /// `--wait` is done with it: issued, at an end state, unreadable, or
    /// not bought yet (waiting does not buy it).
    pub fn done(&self) -> bool {
        self.error.is_some()
            || self.skipped.is_some()
            || self.live.as_ref().is_some_and(|l| settled(l.status))
    }

    fn status_text(&self) -> String {
        if let Some(why) = &self.skipped {
            return format!("skipped: {}", printable(why));
        }
        match (&self.live, &self.error) {
            (_, Some(error)) => {
                format!(
                    "failed: {}: {}{}",
                    printable(&error.code),
                    printable(&error.message),
                    printable(&error.request_id_suffix())
                )
            }
            (Some(live), None) => {
                let mut text = format!("{} ({})", short_name(live.status), live.status);
                if let Some(message) = &live.status_message {
                    text.push_str(&format!(", {}", printable(message)));
                }
                text
            }
            (None, None) => "not read".to_owned(),
        }
    }

    /// The one line `--wait` prints when a certificate's status changes.
    pub fn line(&self) -> String {
        match &self.account {
            Some(account) => format!(
                "{} (account {}): {}",
                self.name,
                printable(account),
                self.status_text()
            ),
            None => format!("{}: {}", self.name, self.status_text()),
        }
    }
}

/// Whether any certificate has an account: only then do the text and
/// Markdown reports show an account column (as plan's do), so that a run
/// without accounts reads as it always did.
fn any_account(entries: &[Entry]) -> bool {
    entries.iter().any(|e| e.account.is_some())
}

/// The account as a cell: its name, `-` for the default credentials.
fn account_cell(entry: &Entry) -> String {
    entry
        .account
        .as_deref()
        .map_or("-".into(), |a| printable(a).into_owned())
}

/// The JSON report: `{"certificates": [...]}` in the shape docs/cli.md
/// shows; `validation` is always there (`[]` when the CA wants nothing).
pub fn to_json(entries: &[Entry]) -> Json {
    let certificates: Vec<Json> = entries
        .iter()
        .map(|entry| {
            let live = entry.live.as_ref();
            let validation: Vec<Json> = live
                .map(|l| l.validation.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|v| {
                    json!({"domain": v.domain, "type": v.kind, "name": v.name,
                           "subdomain": v.subdomain, "value": v.value, "path": v.path})
                })
                .collect();
            let mut object = json!({
                "name": entry.name,
                "certificate_id": entry.certificate_id,
                "file": entry.file,
                "account": entry.account,
                "status": live.map(|l| l.status),
                "status_name": live.map(|l| short_name(l.status)),
                "status_message": live.and_then(|l| l.status_message.clone()),
                "validation": validation,
                "checks": live.map(|l| l.checks.as_slice()).unwrap_or_default().iter().map(check_json).collect::<Vec<Json>>(),
                "writes": entry.writes.iter().map(|w| w.as_str()).collect::<Vec<_>>(),
                "notes": entry.notes,
            });
            if let (Some(error), Some(map)) = (&entry.error, object.as_object_mut()) {
                map.insert(
                    "error".into(),
                    json!({"code": error.code, "message": error.message, "request_id": error.request_id}),
                );
                map.insert("request_id".into(), json!(error.request_id));
            }
            if let (Some(why), Some(map)) = (&entry.skipped, object.as_object_mut()) {
                map.insert("skipped".into(), json!(why));
            }
            if let (Some(error), Some(map)) = (
                live.and_then(|l| l.checks_error.as_ref()),
                object.as_object_mut(),
            ) {
                map.insert(
                    "checks_error".into(),
                    json!({"code": error.code, "message": error.message, "request_id": error.request_id}),
                );
            }
            object
        })
        .collect();
    json!({ "certificates": certificates })
}

/// One domain check in JSON: the codes as the API sent them and in words.
fn check_json(c: &DomainCheck) -> Json {
    json!({
        "domain": c.domain,
        "verify_type": c.verify_type,
        "local_check": c.local_check,
        "local_check_text": c.local_check.map(|code| local_check_words(code, c.frequently)),
        "local_check_reason": Some(&c.local_fail_reason).filter(|r| !r.is_empty()),
        "ca_check": c.ca_check,
        "ca_check_text": c.ca_check.map(ca_check_words),
        "found": c.check_value,
        "rate_limited": c.frequently,
        "issued": c.issued,
        "passed": c.local_passed(),
    })
}

/// How a domain check is shown in text: Tencent Cloud's own check and the
/// CA's, in words with their codes, and what the check found.
fn check_text(c: &DomainCheck) -> String {
    let local = c.local_check.map_or_else(
        || "not reported".to_owned(),
        |code| format!("{} ({code})", local_check_words(code, c.frequently)),
    );
    let ca = c.ca_check.map_or_else(
        || "not reported".to_owned(),
        |code| format!("{} ({code})", ca_check_words(code)),
    );
    let how = if c.verify_type.is_empty() {
        String::new()
    } else {
        format!(" ({})", printable(&c.verify_type))
    };
    let mut text = format!(
        "check {}{how}: local check {local}; CA check {ca}",
        printable(&c.domain)
    );
    if !c.check_value.is_empty() {
        let found: Vec<String> = c
            .check_value
            .iter()
            .map(|v| format!("\"{}\"", printable(v)))
            .collect();
        text.push_str(&format!("; found {}", found.join(", ")));
    }
    text
}

/// The lines shown under a certificate after its records: its domain
/// checks (or why they could not be read), then the run's notes.
fn detail_lines(entry: &Entry) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(live) = &entry.live {
        lines.extend(live.checks.iter().map(check_text));
        if let Some(error) = &live.checks_error {
            lines.push(format!(
                "domain checks not read: {}: {}{}",
                printable(&error.code),
                printable(&error.message),
                printable(&error.request_id_suffix())
            ));
        }
    }
    lines.extend(entry.notes.iter().map(|n| printable(n).into_owned()));
    lines
}

/// How a record is shown in text: what to create, where.
fn validation_text(v: &Validation) -> String {
    // Every part comes from the server: escaped, so that no value can move
    // the cursor, clear the screen or start a GitHub workflow command.
    let (kind, domain, value) = (
        printable(&v.kind),
        printable(&v.domain),
        printable(&v.value),
    );
    match &v.path {
        Some(path) => format!("{kind} file {} on {domain}: {value}", printable(path)),
        None => format!(
            "{kind} record {} in {domain}: {value}",
            printable(&v.subdomain)
        ),
    }
}

/// The text report: one aligned row per certificate, then the records it
/// waits for, indented under it.
pub fn text(entries: &[Entry]) -> String {
    let name_width = entries.iter().map(|e| e.name.len()).max().unwrap_or(0);
    let id_width = entries
        .iter()
        .map(|e| e.certificate_id.len())
        .max()
        .unwrap_or(0);
    let with_account = any_account(entries);
    let account_width = entries
        .iter()
        .map(|e| account_cell(e).chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for entry in entries {
        let account = if with_account {
            format!("{:account_width$}  ", account_cell(entry))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{:name_width$}  {account}{:id_width$}  {}\n",
            entry.name,
            printable(&entry.certificate_id),
            entry.status_text()
        ));
        for v in entry.live.iter().flat_map(|l| &l.validation) {
            out.push_str(&format!("    {}\n", validation_text(v)));
        }
        for line in detail_lines(entry) {
            out.push_str(&format!("    {line}\n"));
        }
    }
    out.push_str(&summary(entries));
    out.push('\n');
    out
}

/// What `status --wait` shows on a terminal while it waits: for each
/// certificate not done, the records to create (empty when none is asked
/// for). Shown again only when it changes.
pub fn records_text(entries: &[Entry]) -> String {
    let mut out = String::new();
    for entry in entries.iter().filter(|e| !e.done()) {
        let records: Vec<String> = entry
            .live
            .iter()
            .flat_map(|l| &l.validation)
            .map(validation_text)
            .chain(detail_lines(entry))
            .collect();
        if records.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "{} ({}): create, then wait here:\n",
            printable(&entry.name),
            printable(&entry.certificate_id)
        ));
        for record in records {
            out.push_str(&format!("    {record}\n"));
        }
    }
    out
}

/// `3 certificates: 1 issued, 2 not yet; 1 failed to read`.
pub fn summary(entries: &[Entry]) -> String {
    let issued = entries.iter().filter(|e| e.issued()).count();
    let failed = entries.iter().filter(|e| e.error.is_some()).count();
    let waiting = entries.len() - issued - failed;
    let mut text = format!(
        "{} certificate{}: {issued} issued, {waiting} not issued",
        entries.len(),
        super::report::plural(entries.len())
    );
    if failed > 0 {
        text.push_str(&format!(", {failed} could not be read"));
    }
    text
}

/// The Markdown report: a table of statuses, then one of the records.
pub fn markdown(entries: &[Entry]) -> String {
    let mut out = String::from("### tccert status\n\n");
    let with_account = any_account(entries);
    if with_account {
        out.push_str("| Certificate | Account | Id | Status |\n| --- | --- | --- | --- |\n");
    } else {
        out.push_str("| Certificate | Id | Status |\n| --- | --- | --- |\n");
    }
    for entry in entries {
        let account = if with_account {
            format!(" {} |", cell(&account_cell(entry)))
        } else {
            String::new()
        };
        out.push_str(&format!(
            "| {} |{account} {} | {} |\n",
            code_span(&entry.name),
            code_span(&entry.certificate_id),
            cell(&entry.status_text())
        ));
    }
    let records: Vec<(&Entry, &Validation)> = entries
        .iter()
        .flat_map(|e| {
            e.live
                .iter()
                .flat_map(move |l| l.validation.iter().map(move |v| (e, v)))
        })
        .collect();
    if !records.is_empty() {
        out.push_str("\n#### Domain validation\n\n");
        out.push_str(
            "| Certificate | Domain | Type | Name | Value |\n| --- | --- | --- | --- | --- |\n",
        );
        for (entry, v) in records {
            let name = v.path.as_deref().unwrap_or(&v.subdomain);
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                code_span(&entry.name),
                code_span(&printable(&v.domain)),
                cell(&printable(&v.kind)),
                code_span(&printable(name)),
                code_span(&printable(&v.value))
            ));
        }
    }
    let checks: Vec<(&Entry, &DomainCheck)> = entries
        .iter()
        .flat_map(|e| {
            e.live
                .iter()
                .flat_map(move |l| l.checks.iter().map(move |c| (e, c)))
        })
        .collect();
    if !checks.is_empty() {
        out.push_str("\n#### Domain checks\n\n");
        out.push_str(
            "| Certificate | Domain | Local check | CA check |\n| --- | --- | --- | --- |\n",
        );
        for (entry, c) in checks {
            let local = c.local_check.map_or_else(String::new, |code| {
                format!("{} ({code})", local_check_words(code, c.frequently))
            });
            let ca = c.ca_check.map_or_else(String::new, |code| {
                format!("{} ({code})", ca_check_words(code))
            });
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                code_span(&entry.name),
                code_span(&printable(&c.domain)),
                cell(&local),
                cell(&ca)
            ));
        }
    }
    out.push_str(&format!("\n{}\n", summary(entries)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(status: u64, auths: Json) -> Map<String, Json> {
        json!({"Status": status, "StatusMsg": "PENDING-DCV",
               "DvAuthDetail": {"DvAuthKey": "x", "DvAuths": auths}})
        .as_object()
        .cloned()
        .unwrap_or_default()
    }

    fn entry(name: &str, live: Option<Live>) -> Entry {
        Entry {
            name: name.into(),
            certificate_id: format!("id-{name}"),
            file: format!("{name}.yaml"),
            account: None,
            live,
            error: None,
            writes: Vec::new(),
            notes: Vec::new(),
            skipped: None,
            id_known: true,
        }
    }

    #[test]
    fn validation_comes_from_dv_auths_only() {
        let reply = detail(
            8,
            json!([
                {"DvAuthDomain": "acme.example", "DvAuthVerifyType": "TXT", "DvAuthKey": "_dnsauth.www",
                 "DvAuthSubDomain": "_dnsauth.www", "DvAuthValue": "v1", "DvAuthPath": ""},
                {"DvAuthDomain": "shop.example", "DvAuthVerifyType": "FILE", "DvAuthKey": "fileauth.txt",
                 "DvAuthSubDomain": "", "DvAuthValue": "v2", "DvAuthPath": "/.well-known/pki-validation/fileauth.txt"}
            ]),
        );
        let live = Live::from_response(&reply).unwrap();
        assert_eq!(live.status, 8);
        assert_eq!(live.validation.len(), 2);
        assert_eq!(live.validation[0].path, None, "an empty path is no path");
        assert_eq!(
            live.validation[1].path.as_deref(),
            Some("/.well-known/pki-validation/fileauth.txt")
        );
        let none = Live::from_response(&detail(1, Json::Null)).unwrap();
        assert!(none.validation.is_empty());
        assert_eq!(Live::from_response(&Map::new()), None);

        let json = to_json(&[entry("www", Some(live)), entry("api", Some(none))]);
        assert_eq!(
            json["certificates"][0]["validation"][0],
            json!({"domain": "acme.example", "type": "TXT", "name": "_dnsauth.www",
                   "subdomain": "_dnsauth.www", "value": "v1", "path": null})
        );
        assert_eq!(json["certificates"][1]["validation"], json!([]));
        assert_eq!(json["certificates"][1]["account"], Json::Null);
        assert_eq!(
            json["certificates"][0]["status_name"],
            "information submitted, pending confirmation letter"
        );
    }

    #[test]
    fn wait_ends_at_issued_and_at_the_states_waiting_cannot_change() {
        for status in [1, 2, 3, 5, 7, 10, 14] {
            assert!(settled(status), "{status}");
        }
        for status in [0, 4, 6, 8, 9, 11, 12, 13, 15] {
            assert!(!settled(status), "{status}");
        }
        let mut failed = entry("x", None);
        assert!(!failed.done());
        failed.error = Some(crate::api::error::ApiError {
            code: "FailedOperation.CertificateNotFound".into(),
            message: "gone".into(),
            request_id: Some("req-gone".into()),
        });
        assert!(
            failed.done(),
            "a read that failed for good ends the wait for it"
        );
        assert!(!failed.issued());
    }

    #[test]
    fn server_text_is_masked_and_made_printable() {
        let redactor = Redactor::new(vec!["hunter2".to_owned()]);
        let live = Live {
            status: 0,
            status_message: Some("key hunter2 \u{1b}[31m".into()),
            validation: vec![Validation {
                domain: "acme.example".into(),
                kind: "TXT".into(),
                name: "_dnsauth".into(),
                subdomain: "_dnsauth".into(),
                value: "hunter2\nx".into(),
                path: Some("/hunter2".into()),
            }],
            ..Live::default()
        }
        .redacted(&redactor);
        let entries = [entry("www", Some(live))];
        for shown in [
            text(&entries),
            markdown(&entries),
            to_json(&entries).to_string(),
        ] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(!shown.contains('\u{1b}'), "{shown}");
        }
        assert!(text(&entries).contains("\\u{1b}[31m"), "{}", text(&entries));
    }

    /// Validation records come from the server: in text (which `--output
    /// github` also prints) none can clear the screen, write the clipboard
    /// or start a line with a workflow command.
    #[test]
    fn validation_records_are_printed_escaped() {
        let hostile = "a\n::error::inj\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}\r\u{202e}";
        let live = Live {
            status: 8,
            status_message: None,
            // A DNS record and a file, every field hostile.
            validation: [None, Some(hostile.to_string())]
                .into_iter()
                .map(|path| Validation {
                    domain: hostile.into(),
                    kind: hostile.into(),
                    name: hostile.into(),
                    subdomain: hostile.into(),
                    value: hostile.into(),
                    path,
                })
                .collect(),
            ..Live::default()
        };
        let shown = text(&[entry("www", Some(live))]);
        for raw in ['\u{1b}', '\u{7}', '\r', '\u{202e}'] {
            assert!(!shown.contains(raw), "{raw:?} in {shown}");
        }
        assert!(shown.lines().all(|line| !line.starts_with("::")), "{shown}");
        assert!(shown.contains("a\\n::error::inj\\u{1b}[2J"), "{shown}");
    }

    #[test]
    fn accounts_are_named_in_json_text_and_markdown_only_when_some_certificate_has_one() {
        let live = || Live {
            status: 1,
            status_message: None,
            validation: Vec::new(),
            ..Live::default()
        };
        let mut hk = entry("hk", Some(live()));
        hk.account = Some("acme-hk".into());
        let entries = [hk, entry("www", Some(live()))];
        let json = to_json(&entries);
        assert_eq!(json["certificates"][0]["account"], "acme-hk");
        assert_eq!(json["certificates"][1]["account"], Json::Null);
        let shown = text(&entries);
        assert!(
            shown.contains("hk   acme-hk  id-hk   approved (1)\n"),
            "{shown}"
        );
        assert!(
            shown.contains("www  -        id-www  approved (1)\n"),
            "{shown}"
        );
        let table = markdown(&entries);
        assert!(
            table.contains("| Certificate | Account | Id | Status |"),
            "{table}"
        );
        assert!(
            table.contains("| `hk` | acme-hk | `id-hk` | approved (1) |"),
            "{table}"
        );
        assert!(table.contains("| `www` | - | `id-www` |"), "{table}");
        assert_eq!(entries[0].line(), "hk (account acme-hk): approved (1)");
        assert_eq!(entries[1].line(), "www: approved (1)");
        let without = [entry("www", Some(live()))];
        assert!(
            text(&without).starts_with("www  id-www  approved (1)\n"),
            "{}",
            text(&without)
        );
        assert!(!markdown(&without).contains("Account"));
    }

    #[test]
    fn text_and_markdown_escape_and_summarise() {
        let live = Live {
            status: 0,
            status_message: None,
            validation: vec![Validation {
                domain: "acme.example".into(),
                kind: "TXT".into(),
                name: "_dnsauth".into(),
                subdomain: "_dnsauth".into(),
                value: "a|b".into(),
                path: None,
            }],
            ..Live::default()
        };
        let entries = [entry("www", Some(live)), entry("api", None)];
        let text = text(&entries);
        assert!(text.contains("www  id-www  under review (0)\n"), "{text}");
        assert!(
            text.contains("    TXT record _dnsauth in acme.example: a|b\n"),
            "{text}"
        );
        assert!(
            text.ends_with("2 certificates: 0 issued, 2 not issued\n"),
            "{text}"
        );
        let markdown = markdown(&entries);
        assert!(
            markdown.contains("| `www` | `acme.example` | TXT | `_dnsauth` | `a\\|b` |"),
            "{markdown}"
        );
    }
}
