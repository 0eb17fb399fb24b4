//! Output as Markdown: a summary to post as a pull-request comment or to
//! append to `$GITHUB_STEP_SUMMARY`. Pure, like [`super::report`].
//!
//! Messages here are built from diagnostics and reports, which never hold a
//! secret's value; what could break the Markdown (`|`, `<`, line breaks,
//! backticks) is escaped.

use std::fmt::Write as _;
use std::path::Path;

use super::github::repository_path;
use super::report::{self, plural};
use crate::diag::{Diagnostics, Severity};
use crate::plan::{CertificateReport, Mode, Outcome, Stop};
use crate::source::Files;

/// Escapes text for a Markdown table cell: `|` would end the cell, `<`
/// could open or close HTML (the `<details>` fold), a line break would end
/// the table.
pub(crate) fn cell(text: &str) -> String {
    crate::source::printable_but_breaks(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace(['\r', '\n'], " ")
}

/// A code span inside a table cell. GitHub splits cells on `|` even inside
/// backticks, so it is escaped there too (and shown as `|`); a backtick
/// would end the span early, so it becomes `'`.
pub(crate) fn code_span(text: &str) -> String {
    let text = crate::source::printable_but_breaks(text)
        .replace('`', "'")
        .replace('|', "\\|");
    format!("`{}`", text.replace(['\r', '\n'], " "))
}

/// Diagnostics as a Markdown list, in the order of `Diagnostics::sorted` (by place).
pub fn markdown_diagnostics(files: &Files, diagnostics: &Diagnostics) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### tccert: {}{}\n",
        diagnostics.counts(),
        if diagnostics.has_errors() {
            "; nothing was sent"
        } else {
            ""
        }
    );
    for d in diagnostics.sorted() {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let place = d.span.map_or(String::new(), |span| {
            format!(
                " {}",
                code_span(&format!(
                    "{}:{}:{}",
                    files.path(span.file).display(),
                    span.line,
                    span.column
                ))
            )
        });
        let _ = write!(
            out,
            "- **{level}[{}]**{place}: {}",
            d.code.as_str(),
            cell(&d.message)
        );
        if let Some(hint) = &d.hint {
            let _ = write!(out, " _hint: {}_", cell(hint));
        }
        out.push('\n');
    }
    out
}

/// A plan or apply as Markdown: a headline with the counts, a table of the
/// certificates that need attention, and the ones in sync folded away.
pub fn markdown_report(mode: Mode, reports: &[CertificateReport], stops: &[Stop]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### tccert {}\n", report::summary_line(mode, reports));
    for stop in stops {
        let _ = writeln!(out, "> **{}**\n", cell(&report::stop_message(stop)));
    }
    let with_account = report::any_account(reports);
    let quiet = |r: &&CertificateReport| r.outcome == Outcome::InSync;
    let attention: Vec<&CertificateReport> = reports.iter().filter(|r| !quiet(r)).collect();
    let in_sync: Vec<&CertificateReport> = reports.iter().filter(quiet).collect();
    if attention.is_empty() && !reports.is_empty() {
        out.push_str("Nothing to do: every certificate is in sync.\n\n");
    } else if !attention.is_empty() {
        table(&mut out, &attention, with_account);
        changes(&mut out, reports);
    }
    if !in_sync.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>{} certificate{} in sync</summary>\n",
            in_sync.len(),
            plural(in_sync.len())
        );
        table(&mut out, &in_sync, with_account);
        out.push_str("</details>\n");
    }
    out
}

/// With `with_account`, a column naming each certificate's account (`-`
/// for the default credentials).
fn table(out: &mut String, reports: &[&CertificateReport], with_account: bool) {
    if with_account {
        out.push_str("| certificate | account | id | manifest | status | result | detail |\n");
        out.push_str("| --- | --- | --- | --- | ---: | --- | --- |\n");
    } else {
        out.push_str("| certificate | id | manifest | status | result | detail |\n");
        out.push_str("| --- | --- | --- | ---: | --- | --- |\n");
    }
    for r in reports {
        let account = if with_account {
            format!(" {} |", r.account.as_deref().map_or("-".into(), cell))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "| {} |{account} {} | {} | {} | **{}** | {} |",
            cell(&r.name),
            code_span(r.id_shown()),
            code_span(&place(&r.file, r.line)),
            r.status.map_or("-".into(), |s| s.to_string()),
            r.outcome.as_str(),
            cell(&report::detail(r)),
        );
    }
    out.push('\n');
}

/// GitHub refuses a comment over 65,536 characters: past this much of the
/// document, the changes of the remaining certificates are left out (with a
/// line saying so) rather than have the whole comment refused.
const CHANGES_BUDGET: usize = 50_000;

/// Each certificate's changes as a code block under its name, one field a
/// line as the text output shows them. Every line starts with a field name,
/// so no value can close the fence; values are JSON-escaped on one line.
fn changes(out: &mut String, reports: &[CertificateReport]) {
    let listed: Vec<&CertificateReport> = report::with_changes(reports).collect();
    for (i, r) in listed.iter().enumerate() {
        let mut block = format!(
            "**{}** {} {}:\n\n```text\n",
            cell(&r.name),
            code_span(r.id_shown()),
            r.outcome.as_str().replace('_', " ")
        );
        for change in &r.changes {
            let _ = writeln!(block, "{}", report::change_text(change));
        }
        block.push_str("```\n\n");
        if out.len() + block.len() > CHANGES_BUDGET {
            let left = listed.len() - i;
            let _ = writeln!(
                out,
                "_The changes of {left} more certificate{} are left out to keep this under GitHub's size limit for a comment; the text and JSON outputs have them all._\n",
                plural(left)
            );
            return;
        }
        out.push_str(&block);
    }
}

fn place(file: &Path, line: u32) -> String {
    format!("{}:{line}", repository_path(file))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(name: &str, outcome: Outcome) -> CertificateReport {
        CertificateReport::example(name, outcome)
    }

    #[test]
    fn markdown_report_folds_what_is_in_sync() {
        let mut planned = report("www|x", Outcome::Planned);
        planned.actions = vec![crate::api::action::Action::SubmitCertificateInformation];
        planned.first_submission = true;
        let reports = [planned, report("api", Outcome::InSync)];
        let text = markdown_report(Mode::Plan, &reports, &[]);
        assert!(
            text.starts_with("### tccert plan: 2 certificates: "),
            "{text}"
        );
        assert!(text.contains("| www\\|x | `www\\|x-id` | `certificates/www\\|x.yaml:3` | 5 | **planned** | would send SubmitCertificateInformation; first submission |"), "{text}");
        // Every row has the header's six cells, whatever the names hold.
        let mut odd = report("</details> a—b", Outcome::Failed);
        odd.error = Some(crate::api::error::ApiError::local(
            "Code",
            "line\nbreak | pipe",
        ));
        let odd_text = markdown_report(Mode::Apply, &[odd], &[]);
        let row = odd_text
            .lines()
            .find(|l| l.contains("details"))
            .expect("a row");
        assert_eq!(row.matches(" | ").count(), 5, "{row}");
        assert!(row.contains("&lt;/details>"), "{row}");
        // The line break is written as an escape (`\n`, its backslash
        // doubled for Markdown), so the table row stays one line.
        assert!(row.contains("line\\\\nbreak \\| pipe"), "{row}");
        assert!(text.contains("<details><summary>1 certificate in sync</summary>"));
        let all_in_sync = markdown_report(Mode::Plan, &[report("api", Outcome::InSync)], &[]);
        assert!(all_in_sync.contains("Nothing to do"));
    }

    #[test]
    fn an_account_column_and_the_accounts_stop_when_the_run_has_accounts() {
        let mut hk = report("hk", Outcome::Failed);
        hk.account = Some("acme-hk".into());
        let stop = crate::plan::Stop {
            whose: crate::plan::Whose::Account("acme-hk".into()),
            reason: crate::plan::StopReason::AuthFailure {
                code: "AuthFailure.SecretIdNotFound".into(),
                message: "m".into(),
                request_id: Some("req-1".into()),
            },
        };
        let text = markdown_report(
            Mode::Apply,
            &[hk, report("www", Outcome::Submitted)],
            &[stop],
        );
        assert!(text.contains("| certificate | account | id |"), "{text}");
        assert!(text.contains("| hk | acme-hk | `hk-id` |"), "{text}");
        assert!(text.contains("| www | - | `www-id` |"), "{text}");
        assert!(
            text.contains("> **account `acme-hk`: stopped at AuthFailure.SecretIdNotFound"),
            "{text}"
        );
    }

    #[test]
    fn markdown_lists_each_certificates_changes_in_a_code_block() {
        use crate::plan::changes::{Change, Shown};
        let mut drifted = report("www", Outcome::Drift);
        drifted.drift = vec!["OrganizationName"];
        drifted.changes = vec![Change {
            field: "OrganizationName",
            shown: Shown::Values {
                live: serde_json::json!("Old ```\n| Co"),
                desired: serde_json::json!("Acme"),
            },
            source: None,
        }];
        let text = markdown_report(Mode::Plan, &[drifted], &[]);
        assert!(
            text.contains(
                "**www** `www-id` drift:\n\n```text\nOrganizationName: \"Old ```\\n| Co\" -> \"Acme\"\n```\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_long_list_of_changes_is_cut_before_github_would_refuse_the_comment() {
        use crate::plan::changes::{Change, Shown};
        let reports: Vec<CertificateReport> = (0..200)
            .map(|i| {
                let mut r = report(&format!("c{i}"), Outcome::Planned);
                r.first_submission = true;
                r.changes = vec![
                    Change {
                        field: "OrganizationAddress",
                        shown: Shown::Values {
                            live: serde_json::Value::Null,
                            desired: serde_json::json!("x".repeat(200)),
                        },
                        source: None,
                    };
                    3
                ];
                r
            })
            .collect();
        let text = markdown_report(Mode::Plan, &reports, &[]);
        assert!(text.len() < 65_536, "{}", text.len());
        assert!(
            text.contains("**c0** `c0-id` planned:"),
            "the first ones are listed"
        );
        assert!(!text.contains("**c199** "), "the last ones are not");
        assert!(
            text.contains(" more certificates are left out"),
            "and it says so"
        );
    }
}
