//! Output for GitHub Actions: workflow commands (`::error file=…,line=…,col=…::…`),
//! one per diagnostic and per certificate that failed, drifted or would
//! change, so that problems show on the pull request's "Files changed" tab
//! at the line that caused them. Pure, like [`super::report`].
//!
//! Messages here are built from diagnostics and reports, which never hold a
//! secret's value, so nothing needs masking at this layer.

use std::fmt::Write as _;
use std::path::Path;

use super::report;
use crate::diag::{Diagnostics, Severity};
use crate::plan::changes::Change;
use crate::plan::{CertificateReport, Mode, Outcome, Stop};
use crate::source::{Files, Span};

/// Escapes the message part of a workflow command (GitHub's own rules:
/// `%`, CR and LF).
fn escape_data(text: &str) -> String {
    // Control and bidi characters (an ESC, a U+202E from a file, a file
    // name or a server) as escapes first, as `text` shows them.
    crate::source::printable_but_breaks(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as the message, plus `:` and `,`, which end
/// properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(level: &str, properties: &[(&str, String)], message: &str) -> String {
    let properties: Vec<String> = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect();
    let separator = if properties.is_empty() { "" } else { " " };
    format!(
        "::{level}{separator}{}::{}\n",
        properties.join(","),
        escape_data(message)
    )
}

/// One workflow command per diagnostic.
pub fn github_diagnostics(files: &Files, diagnostics: &Diagnostics) -> String {
    let mut out = String::new();
    for d in diagnostics.sorted() {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut properties = Vec::new();
        if let Some(span) = d.span {
            properties.push(("file", repository_path(files.path(span.file))));
            properties.push(("line", span.line.to_string()));
            properties.push(("col", span.column.to_string()));
        }
        properties.push(("title", format!("tccert {level}[{}]", d.code.as_str())));
        let mut message = d.message.clone();
        if let Some(label) = &d.label {
            let _ = write!(message, ": {label}");
        }
        for related in &d.related {
            let _ = write!(
                message,
                "\n{}:{}:{}: {}",
                files.path(related.span.file).display(),
                related.span.line,
                related.span.column,
                related.message
            );
        }
        for note in &d.notes {
            let _ = write!(message, "\nnote: {note}");
        }
        if let Some(hint) = &d.hint {
            let _ = write!(message, "\nhint: {hint}");
        }
        out.push_str(&command(level, &properties, &message));
    }
    out
}

/// Workflow commands for a plan or apply: an error for each certificate
/// that failed (and, in apply, drifted), a warning for drift in a plan, a
/// notice for what a plan would send.
///
/// A change to information already submitted is annotated where the
/// manifest set the field (a profile line, say), once for every certificate
/// it changes alike, so a reviewer sees it beside the line. The rest is
/// annotated at the certificate's document, with its changes listed: a first
/// submission (every field, which would be a score of annotations per
/// certificate, and GitHub shows only the first few of each kind), fields
/// tccert sets itself, a commit alone, notes (what to do about drift), and
/// every other outcome.
pub fn github_report(
    files: &Files,
    mode: Mode,
    reports: &[CertificateReport],
    stops: &[Stop],
) -> String {
    let mut out = String::new();
    // (level, span, what, field, change text) -> certificate names, in order.
    type AtField<'a> = (&'a str, Span, &'a str, &'a str, String);
    let mut at_fields: Vec<(AtField, Vec<&str>)> = Vec::new();
    for r in reports {
        let (level, what) = match (r.outcome, mode) {
            (Outcome::Failed, _) => ("error", "failed"),
            (Outcome::Unknown, _) => ("error", "outcome unknown"),
            (Outcome::Partial, _) => ("error", "partly written"),
            (Outcome::Stale, _) => ("error", "stale"),
            (Outcome::Drift, Mode::Apply) => ("error", "drifted"),
            (Outcome::Drift, Mode::Plan) => ("warning", "drifted"),
            (Outcome::Planned, _) => ("notice", "would change"),
            (Outcome::Skipped, _) => ("warning", "skipped"),
            _ => continue,
        };
        let changes: &[Change] = if r.outcome.has_changes() {
            &r.changes
        } else {
            &[]
        };
        let mut with_certificate = Vec::new();
        for change in changes {
            match change.source {
                Some(span) if !r.first_submission => {
                    let key = (level, span, what, change.field, report::change_text(change));
                    match at_fields.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, names)) => names.push(&r.name),
                        None => at_fields.push((key, vec![&r.name])),
                    }
                }
                _ => with_certificate.push(change),
            }
        }
        // Notes (what to do about drift, what could not be compared) are
        // about the certificate: they keep its annotation.
        if changes.is_empty() || !with_certificate.is_empty() || !r.notes.is_empty() {
            let properties = [
                ("file", repository_path(&r.file)),
                ("line", r.line.to_string()),
                ("title", format!("tccert: {} {what}", r.name)),
            ];
            let mut message = report::line(r);
            for change in with_certificate {
                let _ = write!(message, "\n  {}", report::change_text(change));
            }
            out.push_str(&command(level, &properties, &message));
        }
    }
    for ((level, span, what, field, text), names) in at_fields {
        let properties = [
            ("file", repository_path(files.path(span.file))),
            ("line", span.line.to_string()),
            ("col", span.column.to_string()),
            ("title", format!("tccert: {field} {what}")),
        ];
        let message = format!(
            "{text}\ncertificate{}: {}",
            report::plural(names.len()),
            names.join(", ")
        );
        out.push_str(&command(level, &properties, &message));
    }
    for stop in stops {
        out.push_str(&command("error", &[], &report::stop_message(stop)));
    }
    out
}

/// GitHub matches annotation paths against the repository's files, so
/// `./manifests/a.yaml` must be given as `manifests/a.yaml`.
pub(super) fn repository_path(path: &Path) -> String {
    use std::path::Component;
    let cleaned: std::path::PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    cleaned.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Diagnostic};
    use crate::output::markdown::markdown_diagnostics;
    use crate::source::Span;

    fn report(name: &str, outcome: Outcome) -> CertificateReport {
        CertificateReport::example(name, outcome)
    }

    #[test]
    fn workflow_commands_escape_what_github_parses() {
        assert_eq!(
            command(
                "error",
                &[("file", "a,b:c.yaml".into()), ("line", "7".into())],
                "50% done\nnext"
            ),
            "::error file=a%2Cb%3Ac.yaml,line=7::50%25 done%0Anext\n"
        );
        assert_eq!(command("notice", &[], "x"), "::notice::x\n");
    }

    #[test]
    fn diagnostics_become_annotations_at_their_place() {
        let mut files = Files::default();
        let file = files.add("m.yaml".into(), "a: 1\nb: 2\n".into());
        let mut diagnostics = Diagnostics::default();
        let mut d = Diagnostic::error(Code::UnknownKey, "unknown key `b`");
        d.span = Some(Span {
            file,
            line: 2,
            column: 1,
            length: 1,
        });
        d.hint = Some("did you mean `a`?".into());
        diagnostics.push(d);
        diagnostics.push(Diagnostic::warning(Code::UnknownKey, "no place"));
        let text = github_diagnostics(&files, &diagnostics);
        assert_eq!(
            text,
            "::warning title=tccert warning[unknown-key]::no place\n\
             ::error file=m.yaml,line=2,col=1,title=tccert error[unknown-key]::unknown key `b`%0Ahint: did you mean `a`?\n"
        );
        let markdown = markdown_diagnostics(&files, &diagnostics);
        assert!(markdown.starts_with("### tccert: 1 error, 1 warning; nothing was sent\n"));
        assert!(markdown.contains(
            "- **error[unknown-key]** `m.yaml:2:1`: unknown key `b` _hint: did you mean `a`?_\n"
        ));
    }

    #[test]
    fn report_annotations_by_outcome_and_mode() {
        let mut failed = report("api", Outcome::Failed);
        failed.error = Some(crate::api::error::ApiError::local("InternalError", "boom"));
        let reports = [
            report("www", Outcome::InSync),
            failed,
            report("shop", Outcome::Drift),
            report("blog", Outcome::Planned),
        ];
        let files = Files::default();
        let apply = github_report(&files, Mode::Apply, &reports, &[]);
        assert!(!apply.contains("www"), "{apply}");
        assert!(apply.contains(
            "::error file=certificates/api.yaml,line=3,title=tccert%3A api failed::failed"
        ));
        assert!(apply.contains("InternalError: boom"));
        assert!(
            apply.contains(
                "::error file=certificates/shop.yaml,line=3,title=tccert%3A shop drifted::"
            )
        );
        let mut dotted = report("dot", Outcome::Planned);
        dotted.file = "./certificates/dot.yaml".into();
        assert!(
            github_report(&files, Mode::Plan, &[dotted], &[])
                .starts_with("::notice file=certificates/dot.yaml,")
        );
        let plan = github_report(
            &files,
            Mode::Plan,
            &reports,
            &[crate::plan::Stop::run(crate::plan::StopReason::Interrupted)],
        );
        assert!(plan.contains("::warning file=certificates/shop.yaml"));
        assert!(plan.contains("::notice file=certificates/blog.yaml"));
        assert!(plan.ends_with("::error::interrupted: nothing new was written after the signal; writes in flight were settled by reads where they could be (any still `unknown`: run plan to see)\n"));
    }

    #[test]
    fn annotations_name_the_account() {
        let mut hk = report("hk", Outcome::Failed);
        hk.account = Some("acme-hk".into());
        let text = github_report(&Files::default(), Mode::Apply, &[hk], &[]);
        assert!(
            text.contains("::failed    hk (hk-id) account acme-hk status pending information (5)"),
            "{text}"
        );
    }

    #[test]
    fn changes_are_annotated_where_the_manifest_set_them_once_for_all_alike() {
        use crate::plan::changes::{Change, Shown};
        use serde_json::json;
        let mut files = Files::default();
        let profile = files.add("./profiles/acme.yaml".into(), String::new());
        let at = |line| Span {
            file: profile,
            line,
            column: 13,
            length: 3,
        };
        let position = Change {
            field: "ContactPosition",
            shown: Shown::Values {
                live: json!("Engineer"),
                desired: json!("CTO"),
            },
            source: Some(at(25)),
        };
        let password = Change {
            field: "KeyPassword",
            shown: Shown::Sensitive,
            source: Some(at(9)),
        };
        let online = Change {
            field: "CsrType",
            shown: Shown::Values {
                live: json!("parse"),
                desired: json!("online"),
            },
            source: None,
        };
        let mut www = report("www", Outcome::Planned);
        www.changes = vec![position.clone(), password];
        let mut api = report("api", Outcome::Planned);
        api.changes = vec![position.clone(), online];
        let mut new = report("new", Outcome::Planned);
        new.first_submission = true;
        new.changes = vec![position];
        let text = github_report(&files, Mode::Plan, &[www, api, new], &[]);
        let lines: Vec<&str> = text.lines().collect();
        // `api` keeps a notice at its document for the field without a
        // line; `new` (a first submission) has every change there.
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[0].starts_with("::notice file=certificates/api.yaml,line=3,"),
            "{text}"
        );
        assert!(
            lines[0].ends_with("%0A  CsrType: \"parse\" -> \"online\""),
            "{text}"
        );
        assert!(
            lines[1].starts_with("::notice file=certificates/new.yaml,line=3,"),
            "{text}"
        );
        assert!(
            lines[1].contains("%0A  ContactPosition: \"Engineer\" -> \"CTO\""),
            "{text}"
        );
        assert_eq!(
            lines[2],
            "::notice file=profiles/acme.yaml,line=25,col=13,title=tccert%3A ContactPosition would change::ContactPosition: \"Engineer\" -> \"CTO\"%0Acertificates: www, api"
        );
        assert_eq!(
            lines[3],
            "::notice file=profiles/acme.yaml,line=9,col=13,title=tccert%3A KeyPassword would change::KeyPassword: (sensitive)%0Acertificate: www"
        );
    }
}
