//! Everything a person or a CI system reads, rendered as text or JSON by
//! pure functions; only the commands (`crate::commands::emit`) write it out.
//!
//! - [`format`]: the one home of the `--output` formats: a command's
//!   [`format::Report`] rendered by the chosen [`format::Format`];
//! - [`diagnostics`]: problems found in the manifests, rustc-style or JSON;
//! - [`render`]: `tccert render`, each effective certificate and its request;
//! - [`report`]: the plan/apply table, per-certificate lines and JSON;
//! - [`github`]: GitHub Actions workflow commands (annotations);
//! - [`markdown`]: Markdown summaries for pull requests and step summaries;
//! - [`status`]: `tccert status`, live statuses and validation records;
//! - [`import`]: `tccert import`'s report (what was written, what was left out).
//!
//! (The manifest tree `tccert import` writes is not output but a manifest
//! generator: `crate::import_tree`, beside `crate::starter`.)

pub mod diagnostics;
pub mod download;
pub mod format;
pub mod github;
pub mod import;
pub mod markdown;
pub mod render;
pub mod report;
pub mod status;

/// Colour (`--color WHEN`), settled once at start by [`crate::app`] for
/// each stream and read by the text printers: the plan/apply table (stdout)
/// and diagnostics' severities (stderr). Plain text unless set.
pub mod colour {
    use std::sync::atomic::{AtomicBool, Ordering};

    static STDOUT: AtomicBool = AtomicBool::new(false);
    static STDERR: AtomicBool = AtomicBool::new(false);

    /// Which stream a text goes to.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Stream {
        Stdout,
        Stderr,
    }

    /// What `--color` says for a stream: `auto` is colour on a terminal
    /// unless `NO_COLOR` is set (to anything but the empty string,
    /// no-color.org); `always` and `never` ignore both.
    pub fn wanted(when: crate::cli::ColorWhen, terminal: bool, no_color: Option<&str>) -> bool {
        match when {
            crate::cli::ColorWhen::Always => true,
            crate::cli::ColorWhen::Never => false,
            crate::cli::ColorWhen::Auto => terminal && no_color.is_none_or(str::is_empty),
        }
    }

    pub fn set(stdout: bool, stderr: bool) {
        STDOUT.store(stdout, Ordering::Relaxed);
        STDERR.store(stderr, Ordering::Relaxed);
    }

    pub fn on(stream: Stream) -> bool {
        match stream {
            Stream::Stdout => STDOUT.load(Ordering::Relaxed),
            Stream::Stderr => STDERR.load(Ordering::Relaxed),
        }
    }

    /// ANSI styles, as terraform and cargo use them.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Paint {
        Red,
        Green,
        Yellow,
        Cyan,
        Bold,
        Dim,
    }

    impl Paint {
        fn code(self) -> &'static str {
            match self {
                Paint::Red => "1;31",
                Paint::Green => "32",
                Paint::Yellow => "1;33",
                Paint::Cyan => "36",
                Paint::Bold => "1",
                Paint::Dim => "2",
            }
        }
    }

    /// `text` in `paint` when colour is on for `stream`, else unchanged.
    pub fn paint(stream: Stream, paint: Paint, text: &str) -> String {
        paint_if(on(stream), paint, text)
    }

    pub fn paint_if(on: bool, paint: Paint, text: &str) -> String {
        if on && !text.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", paint.code())
        } else {
            text.to_string()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::cli::ColorWhen;

        #[test]
        fn auto_is_colour_on_a_terminal_without_no_color() {
            assert!(wanted(ColorWhen::Auto, true, None));
            assert!(wanted(ColorWhen::Auto, true, Some("")));
            assert!(!wanted(ColorWhen::Auto, true, Some("1")));
            assert!(!wanted(ColorWhen::Auto, false, None));
            assert!(wanted(ColorWhen::Always, false, Some("1")));
            assert!(!wanted(ColorWhen::Never, true, None));
            assert_eq!(paint_if(true, Paint::Red, "x"), "\x1b[1;31mx\x1b[0m");
            assert_eq!(paint_if(false, Paint::Red, "x"), "x");
        }
    }
}
