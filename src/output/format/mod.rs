//! The one home of the output formats (`--output`). A command builds a
//! [`Report`], what it has to show, and hands it to
//! `crate::commands::emit`; the chosen [`Format`] renders it into
//! [`Rendered`] text for each place (stdout, stderr, GitHub's step
//! summary). A new format is one new file here implementing [`Format`]
//! for every kind of report, plus its `--output` name (`crate::cli`) and
//! one line in [`of`]: no command changes.

mod github;
mod json;
mod markdown;
mod text;

use std::path::Path;

use serde_json::Value as Json;

use crate::certificate::Certificate;
use crate::cli::Output;
use crate::diag::Diagnostics;
use crate::import_tree::Tree;
use crate::manifest::load::Loaded;
use crate::pipeline::Valid;
use crate::plan::{CertificateReport, Mode, Stop};
use crate::source::Files;

use super::download::Downloaded;
use super::import::Skipped;
use super::status::Entry;

/// What a command has to show, whatever the format.
#[derive(Clone, Copy)]
pub enum Report<'a> {
    /// Problems found in the manifests, beside the command's own report
    /// (nothing when there are none).
    Diagnostics {
        files: &'a Files,
        diagnostics: &'a Diagnostics,
    },
    /// A command stopped by invalid manifests: their problems.
    Invalid {
        files: &'a Files,
        diagnostics: &'a Diagnostics,
    },
    /// `tccert validate`: the problems, and what was read.
    Validate {
        loaded: &'a Loaded,
        /// `None`: the manifests are not valid.
        valid: Option<&'a Valid>,
        diagnostics: &'a Diagnostics,
        /// `--target` was given: name the certificates it chose.
        targeted: bool,
    },
    /// `tccert render`: each effective certificate and its request.
    Render {
        files: &'a Files,
        certificates: &'a [Certificate],
    },
    /// plan and apply: one certificate done, as it happens.
    RunLine(&'a CertificateReport),
    /// plan and apply: the report at the end.
    Run {
        files: &'a Files,
        mode: Mode,
        reports: &'a [CertificateReport],
        stops: &'a [Stop],
        /// The plan shown before apply's question: stdout is left to
        /// apply's own report, unless that is text.
        preview: bool,
    },
    /// `status --wait`: a certificate's status changed.
    StatusLine(&'a str),
    /// `tccert status`: the report at the end.
    Status { entries: &'a [Entry] },
    /// `tccert download`: what became of each certificate.
    Download { results: &'a [Downloaded] },
    /// `tccert import`: what was written where (`written`: the tree is in
    /// place; else nothing was, and only the JSON report says so), and what
    /// was left out.
    Import {
        dir: &'a Path,
        account: Option<&'a str>,
        tree: &'a Tree,
        skipped: &'a [Skipped],
        written: bool,
    },
}

/// A report rendered: what goes to each place (empty: nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    pub stdout: String,
    pub stderr: String,
    /// Appended to `$GITHUB_STEP_SUMMARY` when that is set.
    pub step_summary: Option<String>,
}

impl Rendered {
    pub fn stdout(text: impl Into<String>) -> Self {
        Self {
            stdout: text.into(),
            ..Self::default()
        }
    }

    pub fn stderr(text: impl Into<String>) -> Self {
        Self {
            stderr: text.into(),
            ..Self::default()
        }
    }

    /// Both, `self`'s first in each place.
    pub fn then(mut self, other: Rendered) -> Self {
        self.stdout.push_str(&other.stdout);
        self.stderr.push_str(&other.stderr);
        self.step_summary = match (self.step_summary, other.step_summary) {
            (Some(a), Some(b)) => Some(format!("{a}\n{b}")),
            (a, b) => a.or(b),
        };
        self
    }
}

/// One output format.
pub trait Format: Sync {
    /// Renders `report` in this format.
    fn render(&self, report: &Report<'_>) -> Rendered;

    /// Whether a progress bar may be drawn on a terminal (`--progress`).
    fn draws_progress(&self) -> bool {
        false
    }
}

/// The format `--output` names.
pub fn of(output: Output) -> &'static dyn Format {
    match output {
        Output::Text => &text::Text,
        Output::Json => &json::Json,
        Output::Github => &github::Github,
        Output::Markdown => &markdown::Markdown,
    }
}

/// The JSON object of a command stopped by invalid input (also what
/// `--json-out` writes then).
pub fn invalid_json(files: &Files, diagnostics: &Diagnostics) -> Json {
    serde_json::json!({
        "errors": diagnostics.error_count(),
        "warnings": diagnostics.warning_count(),
        "diagnostics": super::diagnostics::to_json(files, diagnostics),
    })
}

/// The text report of `tccert import`: what was written (nothing when the
/// tree was not).
fn import_text(report: &Report<'_>) -> String {
    match *report {
        Report::Import {
            dir,
            account,
            tree,
            skipped,
            written: true,
        } => super::import::text(dir, account, tree, skipped),
        _ => String::new(),
    }
}

/// The `valid:` line of `tccert validate`, for the formats that show it.
fn valid_line(loaded: &Loaded, valid: &Valid) -> String {
    use super::report::plural;
    // Accounts are named only when there are some, so that runs without
    // them read as before.
    let accounts = valid.accounts.len();
    let (and, accounts) = if accounts == 0 {
        (" and", String::new())
    } else {
        (",", format!(" and {accounts} account{}", plural(accounts)))
    };
    format!(
        "valid: {} certificate{}{and} {} profile{}{accounts} in {} file{}\n",
        valid.certificates.len(),
        plural(valid.certificates.len()),
        valid.profile_count,
        plural(valid.profile_count),
        loaded.files.len(),
        plural(loaded.files.len()),
    )
}

/// Diagnostics as text, with the closing count line; nothing when there
/// are none.
fn diagnostics_text(files: &Files, diagnostics: &Diagnostics) -> String {
    if diagnostics.is_empty() {
        return String::new();
    }
    let mut text = super::diagnostics::render_text(files, diagnostics);
    if diagnostics.has_errors() {
        text.push_str(&format!(
            "error: {}; nothing was sent\n",
            diagnostics.counts()
        ));
    } else {
        text.push_str(&format!("warning: {}\n", diagnostics.counts()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Outcome;

    /// Every format renders every kind of report it is given to the place
    /// its contract says: the run's lines on stdout for people and GitHub,
    /// on stderr beside a Markdown document, nowhere beside JSON.
    #[test]
    fn each_format_puts_each_report_in_its_place() {
        let report = CertificateReport::example("www", Outcome::Planned);
        let line = of(Output::Text).render(&Report::RunLine(&report));
        assert!(line.stdout.contains("www") && line.stderr.is_empty());
        assert_eq!(of(Output::Github).render(&Report::RunLine(&report)), line);
        let md = of(Output::Markdown).render(&Report::RunLine(&report));
        assert_eq!(
            (md.stdout.as_str(), md.stderr.as_str()),
            ("", line.stdout.as_str())
        );
        assert_eq!(
            of(Output::Json).render(&Report::RunLine(&report)),
            Rendered::default()
        );

        let status = Report::StatusLine("www: approved");
        assert_eq!(of(Output::Text).render(&status).stdout, "www: approved\n");
        assert_eq!(of(Output::Json).render(&status).stderr, "www: approved\n");

        let tree = Tree::default();
        let import = |written| Report::Import {
            dir: Path::new("out"),
            account: None,
            tree: &tree,
            skipped: &[],
            written,
        };
        let json = crate::output::import::to_json(Path::new("out"), None, &tree, &[]);
        for written in [true, false] {
            assert_eq!(
                of(Output::Json).render(&import(written)).stdout,
                format!("{json:#}\n")
            );
        }
        let text = crate::output::import::text(Path::new("out"), None, &tree, &[]);
        assert!(
            text.starts_with("imported 0 certificates into out"),
            "{text}"
        );
        for output in [Output::Text, Output::Github, Output::Markdown] {
            assert_eq!(of(output).render(&import(true)).stdout, text);
            assert_eq!(of(output).render(&import(false)), Rendered::default());
        }
        assert!(of(Output::Text).draws_progress());
        assert!(!of(Output::Github).draws_progress());
    }

    #[test]
    fn only_github_writes_a_step_summary_of_a_run() {
        let reports = [CertificateReport::example("www", Outcome::Planned)];
        let files = Files::default();
        let run = Report::Run {
            files: &files,
            mode: Mode::Plan,
            reports: &reports,
            stops: &[],
            preview: false,
        };
        for output in [Output::Text, Output::Json, Output::Markdown] {
            assert_eq!(of(output).render(&run).step_summary, None, "{output:?}");
        }
        let github = of(Output::Github).render(&run);
        assert!(github.step_summary.is_some());
        assert!(
            github
                .stdout
                .starts_with(&of(Output::Text).render(&run).stdout)
        );
        // Before apply's question, a document format shows the table on
        // stderr and leaves stdout to apply's report.
        let preview = Report::Run {
            files: &files,
            mode: Mode::Plan,
            reports: &reports,
            stops: &[],
            preview: true,
        };
        for output in [Output::Json, Output::Github, Output::Markdown] {
            let shown = of(output).render(&preview);
            assert!(
                shown.stdout.is_empty() && !shown.stderr.is_empty(),
                "{output:?}"
            );
            assert_eq!(shown.step_summary, None);
        }
        assert_eq!(
            of(Output::Text).render(&preview),
            of(Output::Text).render(&run)
        );
    }

    /// An API error reaches every format with the server's RequestId: text,
    /// GitHub and Markdown (and the step summary) say `(RequestId …)`, JSON
    /// carries `request_id`; for plan/apply's reports, their lines and
    /// stops, and for status's entries.
    #[test]
    fn every_format_shows_the_request_id_of_an_api_error() {
        use crate::api::error::ApiError;
        use crate::plan::StopReason;
        let error = ApiError {
            code: "FailedOperation.CertificateNotFound".into(),
            message: "gone".into(),
            request_id: Some("req-42".into()),
        };
        let mut failed = CertificateReport::example("www", Outcome::Failed);
        failed.error = Some(error.clone());
        let reports = [failed];
        let stops = [Stop::run(StopReason::AuthFailure {
            code: "AuthFailure.SignatureFailure".into(),
            message: "m".into(),
            request_id: Some("req-43".into()),
        })];
        let files = Files::default();
        let run = Report::Run {
            files: &files,
            mode: Mode::Apply,
            reports: &reports,
            stops: &stops,
            preview: false,
        };
        let entries = [Entry {
            name: "www".into(),
            certificate_id: "abc".into(),
            file: "www.yaml".into(),
            account: None,
            live: None,
            error: Some(error),
            writes: Vec::new(),
            notes: Vec::new(),
            skipped: None,
            id_known: true,
        }];
        let status = Report::Status { entries: &entries };
        for output in [Output::Text, Output::Github, Output::Markdown] {
            let format = of(output);
            let line = format.render(&Report::RunLine(&reports[0]));
            let shown = format.render(&run);
            let said = format!("{}{}{}", line.stdout, line.stderr, shown.stdout);
            assert!(said.contains("(RequestId req-42)"), "{output:?}: {said}");
            assert!(said.contains("(RequestId req-43)"), "{output:?}: {said}");
            if let Some(summary) = &shown.step_summary {
                assert!(summary.contains("(RequestId req-42)"), "{summary}");
                assert!(summary.contains("(RequestId req-43)"), "{summary}");
            }
            let status = format.render(&status).stdout;
            assert!(
                status.contains("(RequestId req-42)"),
                "{output:?}: {status}"
            );
        }
        let json = |rendered: Rendered| -> Json { serde_json::from_str(&rendered.stdout).unwrap() };
        let run = json(of(Output::Json).render(&run));
        assert_eq!(run["certificates"][0]["request_id"], "req-42");
        assert_eq!(run["certificates"][0]["error"]["request_id"], "req-42");
        assert_eq!(run["stops"][0]["request_id"], "req-43", "{run:#}");
        let status = json(of(Output::Json).render(&status));
        assert_eq!(
            status["certificates"][0]["request_id"], "req-42",
            "{status:#}"
        );
        assert_eq!(status["certificates"][0]["error"]["request_id"], "req-42");
    }
}
