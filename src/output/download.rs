//! `tccert download`: what became of each certificate (downloaded into
//! `DIR/NAME/`, already there, skipped, failed), as text, JSON or Markdown
//! (docs/cli.md, "download"). Pure: the command reads, writes and prints.
//! No file's content is ever shown (a downloaded private key is written to
//! its file only): only the files' paths.

use serde_json::{Value as Json, json};

use super::markdown::{cell, code_span};
use crate::api::error::ApiError;
use crate::api::status::short_name;
use crate::source::printable;

/// What became of one certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Result {
    /// Unpacked into `DIR/NAME/` (new, or replacing other content with
    /// `--force`).
    Downloaded,
    /// `DIR/NAME/` already holds exactly what was downloaded: left as is.
    InSync,
    /// Not issued (or not bought yet): nothing to download.
    Skipped,
    /// Nothing written for it.
    Failed,
}

impl Result {
    pub const ALL: [Result; 4] = [
        Result::Downloaded,
        Result::InSync,
        Result::Skipped,
        Result::Failed,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Result::Downloaded => "downloaded",
            Result::InSync => "in_sync",
            Result::Skipped => "skipped",
            Result::Failed => "failed",
        }
    }
}

/// One certificate's line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Downloaded {
    pub name: String,
    /// The id, masked when it came from the environment.
    pub certificate_id: String,
    pub file: String,
    pub account: Option<String>,
    pub result: Result,
    /// The status read, if any.
    pub status: Option<u64>,
    /// `DIR/NAME` when the certificate was issued and downloaded (or
    /// already there, or in the way).
    pub path: Option<String>,
    /// The archive's files, relative to `path`, when written or in sync.
    pub files: Vec<String>,
    /// Why it was skipped or failed, or what was done (`replaced`).
    pub note: Option<String>,
    /// The API's error, when a call failed (masked already).
    pub error: Option<ApiError>,
}

impl Downloaded {
    fn what(&self) -> String {
        if let Some(error) = &self.error {
            return format!(
                "{}: {}{}",
                printable(&error.code),
                printable(&error.message),
                printable(&error.request_id_suffix())
            );
        }
        let mut text = match (&self.path, self.result) {
            (Some(path), Result::Downloaded | Result::InSync) => format!(
                "{} ({} file{})",
                printable(path),
                self.files.len(),
                super::report::plural(self.files.len())
            ),
            _ => String::new(),
        };
        if let Some(note) = &self.note {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&printable(note));
        }
        text
    }
}

/// `3 certificates: 1 downloaded, 1 in sync, 1 skipped, 0 failed`.
pub fn summary(results: &[Downloaded]) -> String {
    let count = |r: Result| results.iter().filter(|d| d.result == r).count();
    format!(
        "{} certificate{}: {} downloaded, {} in sync, {} skipped, {} failed",
        results.len(),
        super::report::plural(results.len()),
        count(Result::Downloaded),
        count(Result::InSync),
        count(Result::Skipped),
        count(Result::Failed)
    )
}

/// The text report: one aligned line per certificate, then the summary.
pub fn text(results: &[Downloaded]) -> String {
    let width = |f: fn(&Downloaded) -> usize| results.iter().map(f).max().unwrap_or(0);
    let name_width = width(|d| d.name.chars().count());
    let id_width = width(|d| d.certificate_id.chars().count());
    let result_width = width(|d| d.result.name().len());
    let mut out = String::new();
    for d in results {
        let line = format!(
            "{:name_width$}  {:id_width$}  {:result_width$}  {}",
            printable(&d.name),
            printable(&d.certificate_id),
            d.result.name(),
            d.what()
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&summary(results));
    out.push('\n');
    out
}

/// The JSON report: `{"certificates": [...], "summary": {...}}`.
pub fn to_json(results: &[Downloaded]) -> Json {
    let certificates: Vec<Json> = results
        .iter()
        .map(|d| {
            let mut object = json!({
                "name": d.name,
                "certificate_id": d.certificate_id,
                "file": d.file,
                "account": d.account,
                "result": d.result.name(),
                "status": d.status,
                "status_name": d.status.map(short_name),
                "path": d.path,
                "files": d.files,
                "note": d.note,
                // The API writes of this run: download makes none.
                "writes": Vec::<&str>::new(),
            });
            if let (Some(error), Some(map)) = (&d.error, object.as_object_mut()) {
                map.insert(
                    "error".into(),
                    json!({"code": error.code, "message": error.message, "request_id": error.request_id}),
                );
                map.insert("request_id".into(), json!(error.request_id));
            }
            object
        })
        .collect();
    let mut summary = serde_json::Map::new();
    for r in Result::ALL {
        let n = results.iter().filter(|d| d.result == r).count();
        summary.insert(r.name().into(), json!(n));
    }
    json!({ "certificates": certificates, "summary": summary })
}

/// The Markdown report: a table, then the summary.
pub fn markdown(results: &[Downloaded]) -> String {
    let mut out = String::from(
        "### tccert download\n\n| Certificate | Id | Result | Where, or why |\n| --- | --- | --- | --- |\n",
    );
    for d in results {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            code_span(&d.name),
            code_span(&d.certificate_id),
            d.result.name(),
            cell(&d.what())
        ));
    }
    out.push_str(&format!("\n{}\n", summary(results)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, result: Result) -> Downloaded {
        Downloaded {
            name: name.into(),
            certificate_id: format!("id-{name}"),
            file: format!("{name}.yaml"),
            account: None,
            result,
            status: Some(1),
            path: None,
            files: Vec::new(),
            note: None,
            error: None,
        }
    }

    #[test]
    fn each_result_is_shown_in_text_json_and_markdown() {
        let mut www = one("www", Result::Downloaded);
        www.path = Some("certs/www".into());
        www.files = vec!["a/b.crt".into(), "a/b.key".into()];
        let mut api = one("api", Result::Skipped);
        api.status = Some(0);
        api.note = Some("not issued: under review (0)".into());
        let mut pay = one("pay", Result::Failed);
        pay.error = Some(ApiError::local("tccert.Unsafe\u{1b}", "bad \n zip"));
        let results = [www, api, pay];
        let text = text(&results);
        assert!(
            text.contains("www  id-www  downloaded  certs/www (2 files)\n"),
            "{text}"
        );
        assert!(
            text.contains("api  id-api  skipped     not issued: under review (0)\n"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(
            text.ends_with("3 certificates: 1 downloaded, 0 in sync, 1 skipped, 1 failed\n"),
            "{text}"
        );
        let json = to_json(&results);
        assert_eq!(
            json["certificates"][0]["files"],
            json!(["a/b.crt", "a/b.key"])
        );
        assert_eq!(json["certificates"][1]["status_name"], "under review");
        assert_eq!(
            json["certificates"][2]["error"]["code"],
            "tccert.Unsafe\u{1b}"
        );
        assert_eq!(
            json["summary"],
            json!({"downloaded": 1, "in_sync": 0, "skipped": 1, "failed": 1})
        );
        let markdown = markdown(&results);
        assert!(
            markdown.contains("| `www` | `id-www` | downloaded | certs/www (2 files) |"),
            "{markdown}"
        );
    }
}
