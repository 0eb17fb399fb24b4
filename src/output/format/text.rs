//! `--output text` (the default): for people, aligned text on stdout,
//! diagnostics on stderr, a progress bar on a terminal.

use super::{Format, Rendered, Report, diagnostics_text, valid_line};
use crate::output::{download, render, report, status};

pub struct Text;

impl Format for Text {
    fn render(&self, report: &Report<'_>) -> Rendered {
        match *report {
            Report::Diagnostics { files, diagnostics } | Report::Invalid { files, diagnostics } => {
                Rendered::stderr(diagnostics_text(files, diagnostics))
            }
            Report::Validate {
                loaded,
                valid,
                diagnostics,
                ..
            } => {
                let shown = Rendered::stderr(diagnostics_text(&loaded.files, diagnostics));
                match valid {
                    Some(valid) => shown.then(Rendered::stdout(valid_line(loaded, valid))),
                    None => shown,
                }
            }
            Report::Render {
                files,
                certificates,
            } => Rendered::stdout(render::render_text(files, certificates)),
            Report::RunLine(done) => Rendered::stdout(format!("{}\n", report::line(done))),
            Report::Run {
                mode,
                reports,
                stops,
                ..
            } => {
                let gap = if reports.is_empty() { "" } else { "\n" };
                Rendered::stdout(format!("{gap}{}", report::table(mode, reports, stops)))
            }
            Report::StatusLine(line) => Rendered::stdout(format!("{line}\n")),
            Report::Status { entries } => Rendered::stdout(status::text(entries)),
            Report::Download { results } => Rendered::stdout(download::text(results)),
            Report::Import { .. } => Rendered::stdout(super::import_text(report)),
        }
    }

    fn draws_progress(&self) -> bool {
        true
    }
}
