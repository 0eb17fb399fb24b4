//! `--output github`: for GitHub Actions, the text output plus workflow
//! commands (annotations at a file and line) on stdout, and the Markdown
//! summary for `$GITHUB_STEP_SUMMARY`.

use super::text::Text;
use super::{Format, Rendered, Report};
use crate::output::{github, markdown, report};

pub struct Github;

impl Format for Github {
    fn render(&self, shown: &Report<'_>) -> Rendered {
        match *shown {
            Report::Diagnostics { files, diagnostics } | Report::Invalid { files, diagnostics } => {
                if diagnostics.is_empty() {
                    return Rendered::default();
                }
                let mut rendered =
                    Text.render(shown)
                        .then(Rendered::stdout(github::github_diagnostics(
                            files,
                            diagnostics,
                        )));
                if diagnostics.has_errors() {
                    rendered.step_summary =
                        Some(markdown::markdown_diagnostics(files, diagnostics));
                }
                rendered
            }
            Report::Validate {
                loaded,
                diagnostics,
                valid,
                ..
            } => {
                let problems = self.render(&Report::Diagnostics {
                    files: &loaded.files,
                    diagnostics,
                });
                match valid {
                    Some(valid) => {
                        problems.then(Rendered::stdout(super::valid_line(loaded, valid)))
                    }
                    None => problems,
                }
            }
            Report::Run {
                mode,
                reports,
                stops,
                preview: true,
                ..
            } => Rendered::stderr(report::table(mode, reports, stops)),
            Report::Run {
                files,
                mode,
                reports,
                stops,
                preview: false,
            } => {
                let mut rendered =
                    Text.render(shown)
                        .then(Rendered::stdout(github::github_report(
                            files, mode, reports, stops,
                        )));
                rendered.step_summary = Some(markdown::markdown_report(mode, reports, stops));
                rendered
            }
            Report::Render { .. }
            | Report::RunLine(_)
            | Report::StatusLine(_)
            | Report::Status { .. }
            | Report::Download { .. }
            | Report::Import { .. } => Text.render(shown),
        }
    }
}
