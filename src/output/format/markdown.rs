//! `--output markdown`: a Markdown document on stdout, to post on a pull
//! request; progress lines on stderr.

use super::{Format, Rendered, Report};
use crate::output::{download, markdown, render, report, status};

pub struct Markdown;

impl Format for Markdown {
    fn render(&self, shown: &Report<'_>) -> Rendered {
        match *shown {
            Report::Diagnostics { files, diagnostics } | Report::Invalid { files, diagnostics } => {
                if diagnostics.is_empty() {
                    return Rendered::default();
                }
                Rendered::stdout(markdown::markdown_diagnostics(files, diagnostics))
            }
            Report::Validate {
                loaded,
                valid,
                diagnostics,
                ..
            } => {
                let problems = self.render(&Report::Diagnostics {
                    files: &loaded.files,
                    diagnostics,
                });
                let Some(valid) = valid else {
                    return problems;
                };
                // A headline of its own, or a line after the warnings' list.
                let lead = if diagnostics.is_empty() {
                    "### tccert: "
                } else {
                    "\ntccert: "
                };
                problems.then(Rendered::stdout(format!(
                    "{lead}{}",
                    super::valid_line(loaded, valid)
                )))
            }
            Report::Render {
                files,
                certificates,
            } => Rendered::stdout(format!(
                "```text\n{}```\n",
                render::render_text(files, certificates)
            )),
            // stdout is the Markdown document; progress lines go to the log.
            Report::RunLine(done) => Rendered::stderr(format!("{}\n", report::line(done))),
            Report::Run {
                mode,
                reports,
                stops,
                preview: true,
                ..
            } => Rendered::stderr(report::table(mode, reports, stops)),
            Report::Run {
                mode,
                reports,
                stops,
                ..
            } => Rendered::stdout(markdown::markdown_report(mode, reports, stops)),
            Report::StatusLine(line) => Rendered::stderr(format!("{line}\n")),
            Report::Status { entries } => Rendered::stdout(status::markdown(entries)),
            Report::Download { results } => Rendered::stdout(download::markdown(results)),
            Report::Import { .. } => Rendered::stdout(super::import_text(shown)),
        }
    }
}
