//! Source files and positions.
//!
//! Every manifest is kept in a [`Files`] registry so that any value, however far
//! it travels (through interpolation, profile merging, validation), can still
//! point back at `file:line:column` and show the line it came from.
//! Positions are stored resolved (line and column), because both parsers hand
//! them out differently (YAML: character markers, TOML: byte ranges) and the
//! renderer only ever needs lines.

use std::path::{Path, PathBuf};

/// Index of a file in [`Files`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(u32);

/// A place in a source file: 1-based line and column (in characters) and the
/// length of the marked text on that line (at least 1 when rendered).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub line: u32,
    pub column: u32,
    pub length: u32,
}

/// A value and where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Sourced<T> {
    pub value: T,
    pub span: Span,
    /// Came (partly) from the environment, or is a key password: never printed.
    pub secret: bool,
}

impl<T> Sourced<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self {
            value,
            span,
            secret: false,
        }
    }
}

/// Marks the start and end of a value from the environment inside a
/// diagnostic's text (Unicode private-use characters, which no message
/// holds otherwise). The collector of diagnostics replaces each marked span
/// by `` a value from ${NAME} `` (or "a value from the environment") before
/// anything can print it: see [`crate::diag::Diagnostics`].
pub const FROM_ENVIRONMENT: (char, char) = ('\u{e000}', '\u{e001}');

/// A value as a message quotes it: `` `value` ``, or, for a value from the
/// environment, the value between [`FROM_ENVIRONMENT`] marks, which the
/// collector of diagnostics replaces by the variable's name.
pub fn quote(value: &str, from_environment: bool) -> String {
    if from_environment {
        let value: String = value
            .chars()
            .filter(|c| *c != FROM_ENVIRONMENT.0 && *c != FROM_ENVIRONMENT.1)
            .collect();
        format!("{}{value}{}", FROM_ENVIRONMENT.0, FROM_ENVIRONMENT.1)
    } else {
        format!("`{value}`")
    }
}

impl Sourced<String> {
    /// The value as a message quotes it ([`quote`]).
    pub fn quoted(&self) -> String {
        quote(&self.value, self.secret)
    }
}

/// One loaded file: its path as the user named it, and its text.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
    /// Byte ranges whose text must never be shown (literal `key_password`s):
    /// a diagnostic that quotes such a line shows a mask instead.
    redacted: Vec<std::ops::Range<usize>>,
}

impl SourceFile {
    fn new(path: PathBuf, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            path,
            text,
            line_starts,
            redacted: Vec::new(),
        }
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line(&self, line: u32) -> Option<&str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        let text = self.text.get(start..end)?;
        Some(text.trim_end_matches(['\n', '\r']))
    }

    /// The line as a diagnostic may show it: redacted ranges replaced by a mask.
    pub fn display_line(&self, line: u32) -> Option<String> {
        let text = self.line(line)?;
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = self.line_starts[index];
        let end = start + text.len();
        let mut shown = String::new();
        let mut cursor = start;
        let mut hidden: Vec<_> = self
            .redacted
            .iter()
            .filter(|r| r.start < end && r.end > start)
            .cloned()
            .collect();
        hidden.sort_by_key(|r| r.start);
        for range in hidden {
            let from = range.start.max(cursor);
            if from > cursor {
                shown.push_str(self.text.get(cursor..from)?);
            }
            if range.end > cursor {
                shown.push_str(crate::secret::MASK);
                cursor = range.end.min(end);
            }
        }
        if cursor < end {
            shown.push_str(self.text.get(cursor..end)?);
        }
        Some(shown)
    }

    /// Whether the text at a 1-based line and column is redacted: a caret
    /// there covers the mask, since one as long as the hidden text would
    /// tell its length.
    pub fn hides(&self, line: u32, column: u32) -> bool {
        self.byte_offset(line, column)
            .is_some_and(|at| self.redacted.iter().any(|r| r.contains(&at)))
    }

    /// Resolves a byte range (as the TOML parser gives it) to a [`Span`].
    pub fn span_of_bytes(&self, file: FileId, range: std::ops::Range<usize>) -> Span {
        let start = range.start.min(self.text.len());
        let index = match self.line_starts.binary_search(&start) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.line_starts[index];
        let column = self
            .text
            .get(line_start..start)
            .map_or(0, |t| t.chars().count())
            + 1;
        let line_end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        let end = range.end.clamp(start, line_end);
        let length = self.text.get(start..end).map_or(1, |t| {
            t.trim_end_matches(['\n', '\r']).chars().count().max(1)
        });
        Span {
            file,
            line: to_u32(index + 1),
            column: to_u32(column),
            length: to_u32(length),
        }
    }

    /// The byte offset of a 1-based line and character column.
    pub fn byte_offset(&self, line: u32, column: u32) -> Option<usize> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let text = self.line(line)?;
        let skip = usize::try_from(column).ok()?.saturating_sub(1);
        let within = text.char_indices().nth(skip).map_or(text.len(), |(i, _)| i);
        Some(start + within)
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A path as a message shows it: `.` steps dropped and `dir/..` folded
/// (`./certs/../csr/www.csr` -> `csr/www.csr`), without touching the disk.
/// Only for display: with symbolic links, `a/..` need not be where `a`
/// started, so the path read stays the one written.
pub fn tidy(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut parts: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return PathBuf::from(".");
    }
    parts.iter().collect()
}

/// The registry of every file read in a run.
#[derive(Debug, Default)]
pub struct Files {
    files: Vec<SourceFile>,
}

impl Files {
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile::new(path, text));
        FileId(to_u32(self.files.len() - 1))
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.get(id).path
    }

    /// Marks the text under `span` as never to be shown (see [`SourceFile::display_line`]).
    pub fn redact(&mut self, span: Span) {
        let file = &mut self.files[span.file.0 as usize];
        if let (Some(start), Some(end)) = (
            file.byte_offset(span.line, span.column),
            file.byte_offset(span.line, span.column + span.length),
        ) {
            file.redacted.push(start..end);
        }
    }

    /// The text under a span (on its line), as written in the file.
    pub fn text_at(&self, span: Span) -> Option<String> {
        let line = self.get(span.file).line(span.line)?;
        Some(
            line.chars()
                .skip(span.column.saturating_sub(1) as usize)
                .take(span.length as usize)
                .collect(),
        )
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Every file's path, in the order read.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// `path:line:column`, the form editors and CI annotations understand.
    pub fn location(&self, span: Span) -> String {
        format!(
            "{}:{}:{}",
            printable(&self.path(span.file).display().to_string()),
            span.line,
            span.column
        )
    }
}

/// Text from a file, a file name or the API, made safe to print on a line of
/// human output: control characters other than tab are written as escapes
/// (`\n`, `\u{1b}`). A key or value holding a newline cannot then start a
/// line of its own, where a terminal would act on an escape sequence or a CI
/// runner on a workflow command (`::set-output`, `::error`).
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| (c.is_control() && c != '\t') || is_bidi_control(c))
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Text for a JSON document or any output stream, with every bidi control
/// written as the JSON escape `\u202e` (valid inside a JSON string, and
/// plain text elsewhere). JSON itself escapes the other control characters.
pub fn without_bidi(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_bidi_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_bidi_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Text for a line whose line breaks the format encodes itself (a GitHub
/// workflow command, a Markdown cell): as [`printable`], but `\n` and `\r`
/// are left for the caller.
pub fn printable_but_breaks(text: &str) -> std::borrow::Cow<'_, str> {
    if !text
        .chars()
        .any(|c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || is_bidi_control(c))
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || is_bidi_control(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The Unicode characters that reorder the text around them (the
/// "Trojan Source" characters, CVE-2021-42574): printed raw, a value from a
/// server could make a diff read differently from what it holds.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_bidi_controls() {
        assert_eq!(
            printable("Acme \u{202e}dtL\u{202c} \u{2066}x\u{2069}"),
            "Acme \\u{202e}dtL\\u{202c} \\u{2066}x\\u{2069}"
        );
        assert!(matches!(
            printable("例え Ünïcode"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn json_and_line_forms_escape_bidi_and_controls() {
        assert_eq!(without_bidi("a\u{202e}b"), "a\\u202eb");
        let json = serde_json::to_string(&without_bidi("x\u{2066}y")).unwrap_or_default();
        assert!(!json.contains('\u{2066}'));
        assert_eq!(
            printable_but_breaks("a\u{1b}[2J\nb\u{202e}"),
            "a\\u{1b}[2J\nb\\u{202e}"
        );
    }

    #[test]
    fn printable_escapes_control_characters_but_tabs() {
        assert!(matches!(
            printable("plain\ttext"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            printable("a\n::error::x\r\u{1b}[2J"),
            "a\\n::error::x\\r\\u{1b}[2J"
        );
    }

    #[test]
    fn byte_ranges_resolve_to_lines_and_character_columns() {
        let mut files = Files::default();
        let id = files.add("a.toml".into(), "a = 1\nname = \"héllo\"\r\nx = 2".into());
        let file = files.get(id);
        let start = file.text.find("\"h").unwrap();
        let span = file.span_of_bytes(id, start..start + "\"héllo\"".len());
        assert_eq!((span.line, span.column, span.length), (2, 8, 7));
        assert_eq!(file.line(2), Some("name = \"héllo\""));
        assert_eq!(file.line(3), Some("x = 2"));
        assert_eq!(file.line(4), None);
    }

    #[test]
    fn redacted_text_is_masked_in_displayed_lines() {
        let mut files = Files::default();
        let id = files.add(
            "a.yaml".into(),
            "csr:\n  key_password: hunter2 # x\n".into(),
        );
        files.redact(Span {
            file: id,
            line: 2,
            column: 17,
            length: 7,
        });
        let shown = files.get(id).display_line(2).unwrap();
        assert_eq!(shown, "  key_password: ******** # x");
        assert!(!shown.contains("hunter2"));
    }

    #[test]
    fn paths_are_tidied_for_display() {
        for (path, shown) in [
            ("./csr/none.csr", "csr/none.csr"),
            ("certs/../csr/www.csr", "csr/www.csr"),
            ("../up/./x.csr", "../up/x.csr"),
            ("/abs/./a/../b.csr", "/abs/b.csr"),
            ("./", "."),
        ] {
            assert_eq!(tidy(Path::new(path)), PathBuf::from(shown), "{path}");
        }
    }
}
