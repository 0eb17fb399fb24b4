//! A string that must never be printed: credentials, `KeyPassword`, and every
//! value that came from the environment. `Debug` and `Display` both print a
//! fixed mask, so a secret cannot leak through `{:?}` in a log line by accident;
//! reading the value takes an explicit call to [`Secret::expose`].
//!
//! [`Redactor`] covers the other direction: text that came from outside (an
//! API error message, a transport error) may quote a secret back, so every
//! known secret value is masked in it before it is shown or logged.

use std::fmt;

/// What every secret prints as.
pub const MASK: &str = "********";

/// A redacted string. Compare and clone it freely; print it and you get [`MASK`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The real value, for signing and for the request body only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// Values shorter than this are not masked: a 3-character key password
/// masked everywhere would also mask every "abc" in a server's message and
/// make it unreadable, while hiding almost nothing (docs/security.md).
pub const MIN_MASKED_CHARS: usize = 4;

/// Masks every known secret value in a text, as it is and JSON-escaped (a
/// server that echoes the request body quotes it in JSON).
///
/// Built once per run from every secret in use; cheap to share in an `Arc`.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Distinct patterns, longest first.
    patterns: Vec<String>,
}

impl Redactor {
    /// A redactor for these values; values under [`MIN_MASKED_CHARS`]
    /// characters are left out.
    pub fn new<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut patterns: Vec<String> = Vec::new();
        for value in values {
            let value = value.as_ref();
            if value.chars().count() < MIN_MASKED_CHARS {
                continue;
            }
            patterns.push(value.to_string());
            // Inside a JSON string: quotes, backslashes, control characters
            // and (serde_json's choice) nothing else are escaped.
            let escaped = serde_json::to_string(value).unwrap_or_default();
            let escaped = escaped
                .strip_prefix('"')
                .and_then(|e| e.strip_suffix('"'))
                .unwrap_or_default();
            if escaped != value && !escaped.is_empty() {
                patterns.push(escaped.to_string());
            }
        }
        patterns.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        patterns.dedup();
        Self { patterns }
    }

    /// The redactor that masks nothing.
    pub fn none() -> &'static Redactor {
        static NONE: Redactor = Redactor {
            patterns: Vec::new(),
        };
        &NONE
    }

    /// How many patterns (values and their escaped forms) it masks.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// `text` with every occurrence of every value replaced by [`MASK`].
    /// Occurrences that overlap or touch (two secrets sharing characters) are
    /// masked as one span, so no part of either shows between two masks.
    pub fn redact(&self, text: &str) -> String {
        if self.patterns.is_empty() {
            return text.to_string();
        }
        // Byte ranges to mask, found in the original text (masking one value
        // first could break up an overlapping one and let part of it show).
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for pattern in &self.patterns {
            let mut from = 0;
            while let Some(found) = text[from..].find(pattern.as_str()) {
                let start = from + found;
                spans.push((start, start + pattern.len()));
                // The next char boundary: overlapping occurrences count too.
                from = start + text[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
        if spans.is_empty() {
            return text.to_string();
        }
        spans.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut written = 0;
        let mut current: Option<(usize, usize)> = None;
        for (start, end) in spans {
            match current {
                Some((_, current_end)) if start <= current_end => {
                    if let Some(span) = current.as_mut() {
                        span.1 = span.1.max(end);
                    }
                }
                _ => {
                    if let Some((s, e)) = current {
                        out.push_str(&text[written..s]);
                        out.push_str(MASK);
                        written = e;
                    }
                    current = Some((start, end));
                }
            }
        }
        if let Some((s, e)) = current {
            out.push_str(&text[written..s]);
            out.push_str(MASK);
            written = e;
        }
        out.push_str(&text[written..]);
        out
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The patterns are the secrets: never print them.
        write!(f, "Redactor({} patterns)", self.patterns.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_not_masked() {
        let redactor = Redactor::new(["abc", "", "abcd"]);
        assert_eq!(redactor.redact("abc abcd"), format!("abc {MASK}"));
        // Four characters, not four bytes: "密码" is 6 bytes, 2 characters.
        assert!(Redactor::new(["密码"]).is_empty());
        assert_eq!(
            Redactor::new(["密码密码"]).redact("x密码密码y"),
            format!("x{MASK}y")
        );
    }

    #[test]
    fn the_json_escaped_form_is_masked_too() {
        let secret = "pa\"ss\\word\n";
        let redactor = Redactor::new([secret]);
        let echoed = serde_json::json!({ "KeyPassword": secret }).to_string();
        assert!(
            !echoed.contains(secret),
            "the escaped form differs: {echoed}"
        );
        let shown = redactor.redact(&format!("bad body {echoed} (raw: {secret})"));
        assert_eq!(
            shown,
            format!("bad body {{\"KeyPassword\":\"{MASK}\"}} (raw: {MASK})")
        );
    }

    #[test]
    fn overlapping_and_repeated_values_leave_nothing_between_masks() {
        let redactor = Redactor::new(["abcdef", "defghi", "hunter2"]);
        // The two overlap in "def": one mask over the whole span.
        assert_eq!(redactor.redact("<abcdefghi>"), format!("<{MASK}>"));
        // Touching values too: no seam shows where one ends.
        assert_eq!(redactor.redact("abcdefdefghi"), format!("{MASK}"));
        assert_eq!(
            redactor.redact("hunter2, again hunter2"),
            format!("{MASK}, again {MASK}")
        );
        // One value inside a longer one: the longer span wins.
        let nested = Redactor::new(["secret-token-1234", "token"]);
        assert_eq!(
            nested.redact("x secret-token-1234 y"),
            format!("x {MASK} y")
        );
        // Overlapping occurrences of the same value.
        assert_eq!(Redactor::new(["aaaa"]).redact("aaaaa!"), format!("{MASK}!"));
    }

    #[test]
    fn nothing_to_mask_leaves_text_alone_and_debug_hides_values() {
        assert_eq!(Redactor::none().redact("as is"), "as is");
        let redactor = Redactor::new(["hunter22"]);
        assert_eq!(redactor.redact("no secret"), "no secret");
        assert!(!format!("{redactor:?}").contains("hunter22"));
    }

    #[test]
    fn debug_and_display_are_masked() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?} {secret}"), format!("{MASK} {MASK}"));
        assert_eq!(secret.expose(), "hunter2");
    }
}
