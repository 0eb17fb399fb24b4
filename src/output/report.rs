//! The plan/apply report: a table a person reads at a glance, one plain line
//! per certificate as it finishes (for CI logs), and the JSON object of
//! docs/cli.md ("JSON output"). Pure: every function returns text or a value.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::certificate::Api;
use crate::plan::changes::{Change, Shown};
use crate::plan::{CertificateReport, Mode, Outcome, Stop, StopReason, Whose};
use crate::source::printable;

use super::colour::{Paint, Stream, paint};

pub fn counts(reports: &[CertificateReport]) -> BTreeMap<Outcome, usize> {
    let mut counts: BTreeMap<Outcome, usize> = Outcome::ALL.iter().map(|o| (*o, 0)).collect();
    for report in reports {
        *counts.entry(report.outcome).or_default() += 1;
    }
    counts
}

pub use crate::diag::plural;

/// What happened beyond the outcome: the action, drift, changes, the error.
pub fn detail(report: &CertificateReport) -> String {
    let mut parts = Vec::new();
    if report.outcome == Outcome::Planned {
        let actions: Vec<&str> = report.actions.iter().map(|a| a.name()).collect();
        parts.push(format!("would send {}", actions.join(" + ")));
    }
    if !report.drift.is_empty() {
        parts.push(format!("drifted: {}", abbreviate(&report.drift)));
    }
    if report.actions.iter().any(|a| a.is_submit()) {
        if report.first_submission {
            parts.push("first submission".into());
        } else if !report.changes.is_empty() {
            let names: Vec<&str> = report.changes.iter().map(|c| c.field).collect();
            parts.push(format!("changed: {}", abbreviate(&names)));
        }
        // Plan already names the action; apply says it when it is not the
        // default, so a mixed run shows which API each certificate went to.
        if report.outcome != Outcome::Planned && report.api != Api::SubmitCertificateInformation {
            parts.push(format!("via {}", report.api));
        }
    }
    if let Some(error) = &report.error {
        // The API's words, and a code that could be anything on the wire.
        parts.push(format!(
            "{}: {}{}",
            printable(&error.code),
            printable(&error.message),
            printable(&error.request_id_suffix())
        ));
    }
    parts.extend(report.notes.iter().map(|n| printable(n).into_owned()));
    parts.join("; ")
}

fn abbreviate(fields: &[&str]) -> String {
    const SHOWN: usize = 4;
    if fields.len() <= SHOWN {
        fields.join(", ")
    } else {
        format!(
            "{} and {} more",
            fields[..SHOWN].join(", "),
            fields.len() - SHOWN
        )
    }
}

/// A JSON value as text: strings quoted and escaped as JSON does, lists
/// as `["a", "b"]`, then anything JSON leaves raw that could still drive a
/// terminal escaped (`printable`).
fn value_text(value: &Json) -> String {
    fn text(value: &Json) -> String {
        match value {
            Json::Array(items) => {
                let items: Vec<String> = items.iter().map(text).collect();
                format!("[{}]", items.join(", "))
            }
            other => other.to_string(),
        }
    }
    printable(&text(value)).into_owned()
}

/// One change as people read it: `ContactPosition: "Engineer" -> "CTO"`,
/// `KeyPassword: (sensitive)`, or (`--no-values`) the name alone.
pub fn change_text(change: &Change) -> String {
    match &change.shown {
        Shown::Values { live, desired } => format!(
            "{}: {} -> {}",
            change.field,
            value_text(live),
            value_text(desired)
        ),
        Shown::Sensitive => format!("{}: (sensitive)", change.field),
        Shown::NameOnly => change.field.to_string(),
    }
}

/// One change in the JSON report: `{"field", "live", "desired"}`,
/// `{"field", "sensitive": true}` or (`--no-values`) `{"field"}`.
pub fn change_json(change: &Change) -> Json {
    match &change.shown {
        Shown::Values { live, desired } => {
            json!({ "field": change.field, "live": live, "desired": desired })
        }
        Shown::Sensitive => json!({ "field": change.field, "sensitive": true }),
        Shown::NameOnly => json!({ "field": change.field }),
    }
}

/// The reports whose changes are shown: what was or would be written, and
/// what drifted, when anything differs.
pub fn with_changes(reports: &[CertificateReport]) -> impl Iterator<Item = &CertificateReport> {
    reports
        .iter()
        .filter(|r| r.outcome.has_changes() && !r.changes.is_empty())
}

/// The heading of a certificate's changes: `www (abcb1234) planned:`.
pub fn changes_heading(report: &CertificateReport) -> String {
    format!(
        "{} ({}) {}:",
        printable(&report.name),
        printable(report.id_shown()),
        report.outcome.as_str().replace('_', " ")
    )
}

/// Each certificate's changes, one field a line under its name, as the
/// text output prints them below the table.
pub fn changes_text(reports: &[CertificateReport]) -> String {
    let mut out = String::new();
    for report in with_changes(reports) {
        let _ = writeln!(out, "{}", changes_heading(report));
        for change in &report.changes {
            let _ = writeln!(out, "  {}", change_text(change));
        }
    }
    out
}

/// One line for a finished certificate, for logs (no terminal).
pub fn line(report: &CertificateReport) -> String {
    // A status not read (a stale or refused certificate) is left out, not
    // shown as `status -`.
    let status = report.status.map_or(String::new(), |s| {
        format!(" status {}", status_cell(Some(s)))
    });
    let detail = detail(report);
    let mut line = format!(
        "{:<9} {} ({}){}{status}",
        report.outcome.as_str(),
        printable(&report.name),
        printable(report.id_shown()),
        report
            .account
            .as_ref()
            .map_or(String::new(), |a| format!(" account {}", printable(a)))
    );
    if !detail.is_empty() {
        line.push_str(" — ");
        line.push_str(&detail);
    }
    line
}

pub fn summary_line(mode: Mode, reports: &[CertificateReport]) -> String {
    let counts = counts(reports);
    let verb = match mode {
        Mode::Plan => "plan",
        Mode::Apply => "apply",
    };
    let parts: Vec<String> = Outcome::ALL
        .iter()
        .filter(|o| mode == Mode::Plan || **o != Outcome::Planned)
        .filter(|o| mode == Mode::Apply || !matches!(o, Outcome::Submitted | Outcome::Committed))
        // Rare outcomes are named only when they happened (JSON always has them).
        .filter(|o| !matches!(o, Outcome::Unknown | Outcome::Stale) || counts[o] > 0)
        .map(|o| format!("{} {}", counts[o], o.as_str().replace('_', " ")))
        .collect();
    format!(
        "{verb}: {} certificate{}: {}",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

/// Whether any certificate of the run has an account: only then do the
/// table and the Markdown report show an account column.
pub fn any_account(reports: &[CertificateReport]) -> bool {
    reports.iter().any(|r| r.account.is_some())
}

/// A status as `status` shows it: its name and code, `pending information
/// (5)`; `-` when it was not read.
pub fn status_cell(status: Option<u64>) -> String {
    status.map_or("-".into(), |s| {
        format!("{} ({s})", crate::api::status::short_name(s))
    })
}

/// The colour of a RESULT cell: red for what needs a person, yellow for
/// what is about to change or moved, green for what was written.
fn outcome_paint(cell: &str) -> Option<Paint> {
    match cell.trim_end() {
        "submitted" | "committed" => Some(Paint::Green),
        "planned" | "drift" | "skipped" => Some(Paint::Yellow),
        "failed" | "unknown" | "stale" => Some(Paint::Red),
        _ => None,
    }
}

/// The table printed at the end of a run.
pub fn table(mode: Mode, reports: &[CertificateReport], stops: &[Stop]) -> String {
    // The account rides in the name column's neighbour only when the run
    // has accounts, so that a run without them reads as it always did.
    let with_account = any_account(reports);
    let headers = if with_account {
        [
            "NAME",
            "ACCOUNT",
            "CERTIFICATE ID",
            "STATUS",
            "RESULT",
            "DETAIL",
        ]
    } else {
        ["NAME", "", "CERTIFICATE ID", "STATUS", "RESULT", "DETAIL"]
    };
    let rows: Vec<[String; 6]> = reports
        .iter()
        .map(|r| {
            [
                printable(&r.name).into_owned(),
                r.account
                    .as_deref()
                    .map_or("-".into(), |a| printable(a).into_owned()),
                printable(r.id_shown()).into_owned(),
                status_cell(r.status),
                r.outcome.as_str().to_string(),
                detail(r),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (i, cell) in row.iter().enumerate().take(5) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let format_row = |cells: [&str; 6]| {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == 1 && !with_account {
                continue;
            }
            if i < 5 {
                let padded = format!("{cell:<width$}  ", width = widths[i]);
                // Colour around the padded cell, so widths stay those of
                // the text.
                match (i, outcome_paint(cell)) {
                    (4, Some(colour)) => line.push_str(&paint(Stream::Stdout, colour, &padded)),
                    _ => line.push_str(&padded),
                }
            } else {
                line.push_str(cell);
            }
        }
        line.trim_end().to_string()
    };
    // No certificate: no empty table, the summary says it.
    if !rows.is_empty() {
        let _ = writeln!(out, "{}", format_row(headers));
    }
    for row in &rows {
        let _ = writeln!(
            out,
            "{}",
            format_row([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]])
        );
    }
    let changes = changes_text(reports);
    if !changes.is_empty() {
        let _ = write!(out, "\n{changes}");
    }
    let _ = writeln!(out, "\n{}", summary_line(mode, reports));
    for stop in stops {
        let _ = writeln!(out, "{}", stop_message(stop));
    }
    out
}

/// What a stop means, in one line (two for a clock that is off).
pub fn stop_message(stop: &Stop) -> String {
    // Whose certificates it ended: said when the run had accounts. Other
    // accounts go on, which their own lines show.
    let (prefix, nothing_more) = match &stop.whose {
        Whose::Run => (String::new(), "nothing more was sent"),
        Whose::Default => (
            "default credentials: ".to_string(),
            "nothing more was sent with them",
        ),
        Whose::Account(name) => (
            format!("account `{}`: ", printable(name)),
            "nothing more was sent with its credentials",
        ),
    };
    match &stop.reason {
        StopReason::AuthFailure {
            code,
            message,
            request_id,
        } => {
            let id = request_id
                .as_deref()
                .map_or(String::new(), |id| format!(" (RequestId {id})"));
            let mut text = format!("{prefix}stopped at {code}: {message}{id}; {nothing_more}");
            if code == "AuthFailure.SignatureExpire" {
                text.push_str("\nthe clock of this machine is off by more than five minutes: set it right (NTP) and run again");
            }
            text
        }
        StopReason::Unreachable { code, message } => format!(
            "{prefix}stopped: the endpoint could not be reached {} times in a row ({code}: {message}); {nothing_more}",
            crate::plan::retry::CONNECT_FAILURES_TO_STOP
        ),
        StopReason::Interrupted => {
            "interrupted: nothing new was written after the signal; writes in flight were settled by reads where they could be (any still `unknown`: run plan to see)"
                .into()
        }
    }
}

/// The JSON object of docs/cli.md ("JSON output").
pub fn to_json(reports: &[CertificateReport], stops: &[Stop]) -> Json {
    let certificates: Vec<Json> = reports
        .iter()
        .map(|r| {
            let mut object = json!({
                "name": r.name,
                "certificate_id": r.certificate_id,
                "file": r.file.display().to_string(),
                "status": r.status,
                "result": r.outcome.as_str(),
                "api": r.api.name(),
                "account": r.account,
            });
            if !r.drift.is_empty() {
                object["drift"] = json!(r.drift);
            }
            if let Some(error) = &r.error {
                object["error"] = json!({
                    "code": error.code,
                    "message": error.message,
                    "request_id": error.request_id,
                });
                object["request_id"] = json!(error.request_id);
            }
            if !r.actions.is_empty() {
                object["actions"] = json!(r.actions);
            }
            if r.outcome.has_changes() {
                object["changes"] = r.changes.iter().map(change_json).collect();
            }
            if !r.notes.is_empty() {
                object["notes"] = json!(r.notes);
            }
            object
        })
        .collect();
    let summary: serde_json::Map<String, Json> = counts(reports)
        .into_iter()
        .map(|(o, n)| (o.as_str().to_string(), json!(n)))
        .collect();
    let mut report = json!({ "certificates": certificates, "summary": summary });
    let stop_json = |stop: &Stop| {
        let mut object = match &stop.reason {
            StopReason::AuthFailure {
                code,
                message,
                request_id,
            } => {
                json!({ "reason": "auth_failure", "code": code, "message": message, "request_id": request_id })
            }
            StopReason::Unreachable { code, message } => {
                json!({ "reason": "unreachable", "code": code, "message": message })
            }
            StopReason::Interrupted => json!({ "reason": "interrupted" }),
        };
        object["account"] = json!(stop.account());
        object
    };
    // `stopped`: the first stop, as before accounts; `stops`: every one
    // (one per account that stopped).
    if let Some(first) = stops.first() {
        report["stopped"] = stop_json(first);
        report["stops"] = Json::Array(stops.iter().map(stop_json).collect());
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::action::Action;

    fn report(name: &str, outcome: Outcome) -> CertificateReport {
        CertificateReport::example(name, outcome)
    }

    #[test]
    fn json_has_every_summary_key_and_only_applicable_fields() {
        let mut drifted = report("b", Outcome::Drift);
        drifted.drift = vec!["OrganizationName"];
        let value = to_json(&[report("a", Outcome::Submitted), drifted], &[]);
        assert_eq!(
            value["summary"],
            json!({"submitted": 1, "committed": 0, "planned": 0, "in_sync": 0, "drift": 1, "skipped": 0, "failed": 0, "unknown": 0, "stale": 0})
        );
        assert!(value["certificates"][0].get("drift").is_none());
        assert!(value["certificates"][0].get("error").is_none());
        assert_eq!(
            value["certificates"][1]["drift"],
            json!(["OrganizationName"])
        );
    }

    #[test]
    fn names_and_api_messages_cannot_start_a_line() {
        let mut failed = report("www\n::error::injected", Outcome::Failed);
        failed.error = Some(crate::api::error::ApiError::local(
            "InternalError",
            "boom\n::set-output name=x::y",
        ));
        for text in [line(&failed), table(Mode::Apply, &[failed.clone()], &[])] {
            assert!(
                !text.lines().any(|l| l.trim_start().starts_with("::")),
                "{text}"
            );
            assert!(text.contains("www\\n::error::injected"), "{text}");
        }
    }

    #[test]
    fn apply_names_the_successor_api() {
        let mut successor = report("shop", Outcome::Submitted);
        successor.api = Api::CertificateInfoSubmit;
        successor.actions = vec![Action::CertificateInfoSubmit];
        successor.first_submission = true;
        assert!(line(&successor).ends_with("first submission; via CertificateInfoSubmit"));
        let mut legacy = report("www", Outcome::Submitted);
        legacy.actions = vec![Action::SubmitCertificateInformation];
        legacy.first_submission = true;
        assert!(line(&legacy).ends_with("first submission"));
    }

    #[test]
    fn no_certificate_no_empty_table_header_and_a_line_without_status_says_none() {
        let text = table(Mode::Apply, &[], &[]);
        assert!(!text.contains("NAME"), "{text}");
        assert!(text.contains("apply: 0 certificates"), "{text}");
        let mut stale = report("www", Outcome::Stale);
        stale.status = None;
        stale.notes.push("moved since the plan".into());
        let shown = line(&stale);
        assert!(!shown.contains("status"), "{shown}");
        assert!(shown.ends_with(" — moved since the plan"), "{shown}");
    }

    #[test]
    fn table_aligns_and_summarises() {
        let text = table(
            Mode::Apply,
            &[
                report("www", Outcome::Submitted),
                report("api-long-name", Outcome::InSync),
            ],
            &[],
        );
        assert_eq!(
            text,
            "NAME           CERTIFICATE ID    STATUS                   RESULT     DETAIL\nwww            www-id            pending information (5)  submitted\napi-long-name  api-long-name-id  pending information (5)  in_sync\n\napply: 2 certificates: 1 submitted, 0 committed, 1 in sync, 0 drift, 0 skipped, 0 failed\n"
        );
    }

    #[test]
    fn accounts_show_in_the_line_the_table_and_json_and_stops_name_theirs() {
        let mut hk = report("hk", Outcome::Failed);
        hk.account = Some("acme-hk".into());
        let plain = report("www", Outcome::Submitted);
        assert!(
            line(&hk)
                .starts_with("failed    hk (hk-id) account acme-hk status pending information (5)")
        );
        assert!(line(&plain).starts_with("submitted www (www-id) status pending information (5)"));
        let stop = Stop {
            whose: Whose::Account("acme-hk".into()),
            reason: StopReason::AuthFailure {
                code: "AuthFailure.SecretIdNotFound".into(),
                message: "m".into(),
                request_id: Some("req-1".into()),
            },
        };
        let text = table(
            Mode::Apply,
            &[hk.clone(), plain.clone()],
            std::slice::from_ref(&stop),
        );
        assert!(
            text.starts_with("NAME  ACCOUNT  CERTIFICATE ID  STATUS"),
            "{text}"
        );
        assert!(text.contains("\nwww   -        www-id"), "{text}");
        assert!(
            text.ends_with("account `acme-hk`: stopped at AuthFailure.SecretIdNotFound: m (RequestId req-1); nothing more was sent with its credentials\n"),
            "{text}"
        );
        let value = to_json(&[hk, plain], &[stop]);
        assert_eq!(value["certificates"][0]["account"], json!("acme-hk"));
        assert_eq!(value["certificates"][1]["account"], Json::Null);
        assert_eq!(value["stopped"]["account"], json!("acme-hk"));
        assert_eq!(value["stops"].as_array().map(Vec::len), Some(1));
    }

    fn change(field: &'static str, shown: Shown) -> Change {
        Change {
            field,
            shown,
            source: None,
        }
    }

    #[test]
    fn changes_show_both_values_or_say_sensitive_or_name_only() {
        let position = change(
            "ContactPosition",
            Shown::Values {
                live: json!("Engineer"),
                desired: json!("CTO"),
            },
        );
        let domains = change(
            "DomainList",
            Shown::Values {
                live: Json::Null,
                desired: json!(["a.example", "b\u{1b}[2J.example"]),
            },
        );
        let password = change("KeyPassword", Shown::Sensitive);
        let withheld = change("OrganizationName", Shown::NameOnly);
        assert_eq!(
            change_text(&position),
            r#"ContactPosition: "Engineer" -> "CTO""#
        );
        assert_eq!(
            change_text(&domains),
            r#"DomainList: null -> ["a.example", "b\u001b[2J.example"]"#
        );
        assert_eq!(change_text(&password), "KeyPassword: (sensitive)");
        assert_eq!(change_text(&withheld), "OrganizationName");
        assert_eq!(
            change_json(&position),
            json!({"field": "ContactPosition", "live": "Engineer", "desired": "CTO"})
        );
        assert_eq!(
            change_json(&password),
            json!({"field": "KeyPassword", "sensitive": true})
        );
        assert_eq!(change_json(&withheld), json!({"field": "OrganizationName"}));

        let mut planned = report("www", Outcome::Planned);
        planned.actions = vec![Action::SubmitCertificateInformation];
        planned.changes = vec![position, password];
        let mut failed = report("api", Outcome::Failed);
        failed.changes = vec![withheld];
        let reports = [planned, failed, report("in", Outcome::InSync)];
        let text = table(Mode::Plan, &reports, &[]);
        assert!(
            text.contains(
                "would send SubmitCertificateInformation; changed: ContactPosition, KeyPassword\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("\nwww (www-id) planned:\n  ContactPosition: \"Engineer\" -> \"CTO\"\n  KeyPassword: (sensitive)\n\nplan: 3 certificates"),
            "{text}"
        );
        assert!(!text.contains("api (api-id)"), "{text}");
        // `changes` on the results that write or drift, even when empty.
        let value = to_json(&reports, &[]);
        assert_eq!(value["certificates"][0]["changes"][1]["sensitive"], true);
        assert!(value["certificates"][1].get("changes").is_none());
        assert!(value["certificates"][2].get("changes").is_none());
        let committed = to_json(&[report("c", Outcome::Committed)], &[]);
        assert_eq!(committed["certificates"][0]["changes"], json!([]));
    }
}
