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
use crate::plan::{CertificateReport, Mode, Outcome, Stop};
use crate::source::Files;

/// Escapes the message part of a workflow command (GitHub's own rules:
/// `%`, CR and LF).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
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
/// notice for what a plan would send. Placed at the certificate's document.
pub fn github_report(mode: Mode, reports: &[CertificateReport], stops: &[Stop]) -> String {
    let mut out = String::new();
    for r in reports {
        let (level, what) = match (r.outcome, mode) {
            (Outcome::Failed, _) => ("error", "failed"),
            (Outcome::Unknown, _) => ("error", "outcome unknown"),
            (Outcome::Stale, _) => ("error", "stale"),
            (Outcome::Drift, Mode::Apply) => ("error", "drifted"),
            (Outcome::Drift, Mode::Plan) => ("warning", "drifted"),
            (Outcome::Planned, _) => ("notice", "would change"),
            (Outcome::Skipped, _) => ("warning", "skipped"),
            _ => continue,
        };
        let properties = [
            ("file", repository_path(&r.file)),
            ("line", r.line.to_string()),
            ("title", format!("tccert: {} {what}", r.name)),
        ];
        out.push_str(&command(level, &properties, &report::line(r)));
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
        failed.error = Some(("InternalError".into(), "boom".into()));
        let reports = [
            report("www", Outcome::InSync),
            failed,
            report("shop", Outcome::Drift),
            report("blog", Outcome::Planned),
        ];
        let apply = github_report(Mode::Apply, &reports, &[]);
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
            github_report(Mode::Plan, &[dotted], &[])
                .starts_with("::notice file=certificates/dot.yaml,")
        );
        let plan = github_report(
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
        let text = github_report(Mode::Apply, &[hk], &[]);
        assert!(
            text.contains("::failed    hk (hk-id) account acme-hk status 5"),
            "{text}"
        );
    }
}
