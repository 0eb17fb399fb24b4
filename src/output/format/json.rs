//! `--output json`: for machines, one JSON object on stdout; diagnostics
//! beside a report, and progress lines, on stderr.

use super::{Format, Rendered, Report, diagnostics_text, invalid_json};
use crate::manifest::raw::RawDocument;
use crate::output::{diagnostics as diagnostics_output, download, import, render, report, status};

pub struct Json;

/// A JSON document on stdout, as every command prints one.
fn document(json: &serde_json::Value) -> Rendered {
    Rendered::stdout(format!("{json:#}\n"))
}

impl Format for Json {
    fn render(&self, report: &Report<'_>) -> Rendered {
        match *report {
            Report::Diagnostics { files, diagnostics } => {
                Rendered::stderr(diagnostics_text(files, diagnostics))
            }
            Report::Invalid { files, diagnostics } => document(&invalid_json(files, diagnostics)),
            Report::Validate {
                loaded,
                valid,
                diagnostics,
                targeted,
            } => {
                // What was read, valid or not: an invalid run still says
                // what it looked at.
                let (profiles, certificates, accounts) =
                    loaded
                        .documents
                        .iter()
                        .fold((0, 0, 0), |(p, c, a), (_, document)| match document {
                            RawDocument::Profile(_) => (p + 1, c, a),
                            RawDocument::Certificate(_) => (p, c + 1, a),
                            RawDocument::Account(_) => (p, c, a + 1),
                        });
                let mut json = serde_json::json!({
                    "valid": valid.is_some(),
                    "files": loaded.files.len(),
                    "profiles": profiles,
                    "certificates": certificates,
                    "accounts": accounts,
                    "errors": diagnostics.error_count(),
                    "warnings": diagnostics.warning_count(),
                    "diagnostics": diagnostics_output::to_json(&loaded.files, diagnostics),
                });
                if let (true, Some(valid)) = (targeted, valid) {
                    json["targets"] = valid
                        .certificates
                        .iter()
                        .map(|c| serde_json::Value::from(c.name.clone()))
                        .collect();
                }
                document(&json)
            }
            Report::Render {
                files,
                certificates,
            } => document(&render::render_json(files, certificates)),
            Report::RunLine(_) => Rendered::default(),
            Report::Run {
                mode,
                reports,
                stops,
                preview: true,
                ..
            } => Rendered::stderr(report::table(mode, reports, stops)),
            Report::Run { reports, stops, .. } => document(&report::to_json(reports, stops)),
            Report::StatusLine(line) => Rendered::stderr(format!("{line}\n")),
            Report::Status { entries } => document(&status::to_json(entries)),
            Report::Download { results } => document(&download::to_json(results)),
            Report::Import {
                dir,
                account,
                tree,
                skipped,
                ..
            } => document(&import::to_json(dir, account, tree, skipped)),
        }
    }
}
