//! Diagnostics rendered: as text the way rustc does (header, location, the
//! source line with a caret under the problem, related places, notes and a
//! hint), and as JSON for `--output json`. Pure: both return values; the
//! caller decides where they go.

use std::fmt::Write as _;

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::source::{Files, Span, printable};

/// Renders diagnostics the way rustc does: header, location, the source line
/// with a caret under the problem, related places, notes and a hint.
pub fn render_text(files: &Files, diagnostics: &Diagnostics) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics.sorted() {
        render_one(&mut out, files, diagnostic);
        out.push('\n');
    }
    out
}

fn render_one(out: &mut String, files: &Files, d: &Diagnostic) {
    use super::colour::{Paint, Stream, paint};
    let severity = match d.severity {
        Severity::Error => paint(
            Stream::Stderr,
            Paint::Red,
            &format!("error[{}]", d.code.as_str()),
        ),
        Severity::Warning => paint(
            Stream::Stderr,
            Paint::Yellow,
            &format!("warning[{}]", d.code.as_str()),
        ),
    };
    let _ = writeln!(out, "{severity}: {}", printable(&d.message));
    let width = std::iter::once(d.span)
        .chain(d.related.iter().map(|l| Some(l.span)))
        .flatten()
        .map(|s| s.line.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(width);
    if let Some(span) = d.span {
        let _ = writeln!(out, "{pad}--> {}", files.location(span));
        let label = d.label.as_deref().map(printable);
        snippet(out, files, span, label.as_deref(), '^', &pad);
    }
    for related in &d.related {
        let _ = writeln!(out, "{pad}::: {}", files.location(related.span));
        snippet(
            out,
            files,
            related.span,
            Some(&printable(&related.message)),
            '-',
            &pad,
        );
    }
    for note in &d.notes {
        let _ = writeln!(out, "{pad} = note: {}", printable(note));
    }
    if let Some(hint) = &d.hint {
        let _ = writeln!(out, "{pad} = help: {}", printable(hint));
    }
}

fn snippet(
    out: &mut String,
    files: &Files,
    span: Span,
    label: Option<&str>,
    mark: char,
    pad: &str,
) {
    let Some(line) = files.get(span.file).display_line(span.line) else {
        return;
    };
    let number = format!("{:>width$}", span.line, width = pad.len());
    let length = if files.get(span.file).hides(span.line, span.column) {
        crate::secret::MASK.chars().count()
    } else {
        span.length.max(1) as usize
    };
    let mut shown = window(&line, span.column.saturating_sub(1) as usize, length);
    // A control or bidi character of the file is shown as U+FFFD: one
    // character for one, so the caret still points where it should, and
    // the terminal or CI log never acts on it.
    shown.text = shown
        .text
        .chars()
        .map(|c| {
            if (c.is_control() && c != '\t') || crate::source::is_bidi_control(c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{number} | {}", shown.text);
    let indent: String = shown
        .text
        .chars()
        .take(shown.caret)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let marks = mark.to_string().repeat(shown.marks);
    match label {
        Some(label) => {
            let _ = writeln!(out, "{pad} | {indent}{marks} {label}");
        }
        None => {
            let _ = writeln!(out, "{pad} | {indent}{marks}");
        }
    }
}

/// Widest source excerpt shown, in characters. A minified or generated file
/// can put megabytes on one line; showing it whole for every problem on it
/// would bury the message (and a 4 MB line times 100 problems is 400 MB).
pub const MAX_SHOWN_CHARS: usize = 120;
/// Characters kept before the caret when a long line is cut.
const CONTEXT_BEFORE: usize = 40;

/// What to print of one source line: the text, where the caret starts in it
/// (in characters) and how many marks follow.
#[derive(Debug, PartialEq, Eq)]
struct Window {
    text: String,
    caret: usize,
    marks: usize,
}

/// Cuts a long line to [`MAX_SHOWN_CHARS`] around `column` (0-based, in
/// characters), marking each cut with `…`.
fn window(line: &str, column: usize, length: usize) -> Window {
    let total = line.chars().count();
    if total <= MAX_SHOWN_CHARS {
        return Window {
            text: line.to_string(),
            caret: column,
            marks: length,
        };
    }
    let start = column.saturating_sub(CONTEXT_BEFORE).min(total);
    let end = (start + MAX_SHOWN_CHARS).min(total);
    let mut text = String::new();
    let mut caret = column - start;
    if start > 0 {
        text.push('…');
        caret += 1;
    }
    text.extend(line.chars().skip(start).take(end - start));
    if end < total {
        text.push('…');
    }
    let visible_after_caret = end.saturating_sub(column).max(1);
    Window {
        text,
        caret,
        marks: length.min(visible_after_caret),
    }
}

/// The machine form: one object per diagnostic, for `--output json`.
pub fn to_json(files: &Files, diagnostics: &Diagnostics) -> serde_json::Value {
    let place = |span: Span| {
        serde_json::json!({
            "file": files.path(span.file).display().to_string(),
            "line": span.line,
            "column": span.column,
        })
    };
    let items: Vec<_> = diagnostics
        .sorted()
        .into_iter()
        .map(|d| {
            let mut object = serde_json::json!({
                "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "code": d.code.as_str(),
                "message": d.message,
            });
            if let Some(span) = d.span
                && let (Some(map), serde_json::Value::Object(extra)) = (object.as_object_mut(), place(span)) {
                    map.extend(extra);
                }
            if !d.related.is_empty() {
                object["related"] = d
                    .related
                    .iter()
                    .map(|l| {
                        let mut p = place(l.span);
                        p["message"] = l.message.clone().into();
                        p
                    })
                    .collect();
            }
            if !d.notes.is_empty() {
                object["notes"] = d.notes.clone().into();
            }
            if let Some(hint) = &d.hint {
                object["hint"] = hint.clone().into();
            }
            object
        })
        .collect();
    serde_json::Value::Array(items)
}

#[cfg(test)]
mod window_tests {
    use super::*;

    #[test]
    fn short_lines_are_shown_whole() {
        let shown = window("domain: 1", 8, 1);
        assert_eq!(
            shown,
            Window {
                text: "domain: 1".into(),
                caret: 8,
                marks: 1
            }
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_caret() {
        let line = format!("{}X{}", "a".repeat(10_000), "b".repeat(10_000));
        let shown = window(&line, 10_000, 5);
        assert_eq!(shown.text.chars().count(), MAX_SHOWN_CHARS + 2);
        assert!(shown.text.starts_with('…') && shown.text.ends_with('…'));
        assert_eq!(shown.text.chars().nth(shown.caret), Some('X'));
        assert_eq!(shown.marks, 5);
        // At the start: no leading cut.
        let shown = window(&line, 0, 1);
        assert!(shown.text.starts_with('a') && shown.text.ends_with('…'));
        assert_eq!(shown.caret, 0);
        // At the very end, with a span running past it: marks stay on the line.
        let shown = window(&line, 20_000, 50);
        assert!(shown.text.starts_with('…') && !shown.text.ends_with('…'));
        assert_eq!(shown.text.chars().nth(shown.caret), Some('b'));
        assert_eq!(shown.marks, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Code;

    #[test]
    fn a_caret_under_a_masked_value_does_not_tell_its_length() {
        let mut files = Files::default();
        let id = files.add(
            "m.yaml".into(),
            "csr:\n  key_password: a-long-literal-password\n".into(),
        );
        let span = Span {
            file: id,
            line: 2,
            column: 17,
            length: 24,
        };
        files.redact(span);
        let mut diagnostics = Diagnostics::default();
        diagnostics.push(Diagnostic::warning(Code::UnbracedVariable, "x").at(span));
        let text = render_text(&files, &diagnostics);
        assert!(
            text.contains("2 |   key_password: ********\n  |                 ^^^^^^^^\n"),
            "{text}"
        );
    }

    #[test]
    fn renders_location_source_line_and_caret() {
        let mut files = Files::default();
        let id = files.add(
            "m.yaml".into(),
            "kind: Profile\norganization:\n  phone_area_code: 0755\n".into(),
        );
        let mut diagnostics = Diagnostics::default();
        diagnostics.push(
            Diagnostic::error(Code::TypeMismatch, "expected a string")
                .at(Span {
                    file: id,
                    line: 3,
                    column: 20,
                    length: 4,
                })
                .with_label("an integer to YAML")
                .hint("quote it: \"0755\""),
        );
        let text = render_text(&files, &diagnostics);
        assert_eq!(
            text,
            "error[type-mismatch]: expected a string\n --> m.yaml:3:20\n  |\n3 |   phone_area_code: 0755\n  |                    ^^^^ an integer to YAML\n  = help: quote it: \"0755\"\n\n"
        );
    }
}
