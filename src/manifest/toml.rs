//! TOML text into a [`Node`] tree, with positions.
//!
//! `toml`'s `DeTable` keeps a byte span on every key and value; we resolve
//! those to lines and columns. A TOML file is one document, or none when it
//! holds no key (empty, or only comments). The `toml`
//! parser itself refuses deep nesting ("recursion limit"); the node budget of
//! the YAML reader ([`super::yaml::MAX_NODES`]) applies here too.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::tree::{Document, Entry, Format, Node, Text, Value};
use super::yaml::{MAX_NODES, too_many_values};
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, SourceFile};

/// Keys and values a file may hold before `toml` is asked to build it: see
/// `lexed_over_budget`. Twice the node budget, because every value but an
/// array item comes with a key.
pub const MAX_TOKENS: usize = 2 * MAX_NODES;

pub fn parse(file: FileId, source: &SourceFile) -> (Vec<Document>, Vec<Diagnostic>) {
    if let Some(range) = lexed_over_budget(&source.text) {
        return (
            Vec::new(),
            vec![
                Diagnostic::error(
                    Code::FileTooLarge,
                    format!("this file holds more than {MAX_TOKENS} keys and values"),
                )
                .at(source.span_of_bytes(file, range))
                .note(
                    "a manifest holds well under a hundred values; this limit keeps memory bounded",
                )
                .hint("split the certificates over several files"),
            ],
        );
    }
    let (table, errors) = DeTable::parse_recoverable(&source.text);
    if let Some(diagnostic) = unclosed(file, source, &errors) {
        return (Vec::new(), vec![diagnostic]);
    }
    // `key: value` (YAML's way) on a line: one error for that line, saying
    // to use `=`, instead of the parser's two.
    let mut colon_lines: Vec<usize> = Vec::new();
    let mut colon_diagnostics: Vec<Diagnostic> = Vec::new();
    for error in &errors {
        if let Some(range) = error.span()
            && let Some((line_start, key)) = yaml_style_key(&source.text, range.start)
        {
            if colon_lines.contains(&line_start) {
                continue;
            }
            colon_lines.push(line_start);
            let key_start = line_start + source.text[line_start..].find(key).unwrap_or(0);
            let rest = source.text[line_start..]
                .lines()
                .next()
                .and_then(|l| l.split_once(':'))
                .map_or("", |(_, v)| v.trim());
            colon_diagnostics.push(
                Diagnostic::error(
                    Code::TomlSyntax,
                    format!("TOML syntax error: `{key}:` is YAML; TOML sets a key with `=`"),
                )
                .at(source.span_of_bytes(file, key_start..key_start + key.len() + 1))
                .with_label("`=` expected")
                .hint(format!("use `=`: {key} = {rest}")),
            );
        }
    }
    let on_colon_line = |start: usize| {
        let line_start = source.text[..start].rfind('\n').map_or(0, |i| i + 1);
        colon_lines.contains(&line_start)
    };
    let mut diagnostics: Vec<Diagnostic> = colon_diagnostics;
    diagnostics.extend(
        errors
            .iter()
            .filter(|error| !error.span().is_some_and(|r| on_colon_line(r.start)))
            .map(|error| {
                let message = error.message().trim_end();
                match error.span() {
                Some(range) => match leading_zero(&source.text, message, range.start) {
                    // Said as the YAML reader's type-mismatch says it.
                    Some(number) => Diagnostic::error(
                        Code::TomlSyntax,
                        format!(
                            "TOML syntax error: `{}` is not a number TOML reads (no leading zeros)",
                            &source.text[number.clone()]
                        ),
                    )
                    .at(source.span_of_bytes(file, number.clone()))
                    .hint(format!(
                        "quote it to keep it exactly as written: \"{}\"",
                        &source.text[number]
                    )),
                    None => {
                        Diagnostic::error(Code::TomlSyntax, format!("TOML syntax error: {message}"))
                            .at(source.span_of_bytes(file, range))
                    }
                },
                // Some errors ("recursion limit") come without a place: the
                // message must still say which file.
                None => Diagnostic::error(
                    Code::TomlSyntax,
                    format!("{}: TOML syntax error: {message}", source.path.display()),
                ),
            }
            }),
    );
    if !diagnostics.is_empty() {
        return (Vec::new(), diagnostics);
    }
    if let Some(range) = over_budget(table.get_ref()) {
        return (
            Vec::new(),
            vec![too_many_values(source.span_of_bytes(file, range))],
        );
    }
    if table.get_ref().is_empty() {
        // Empty or only comments: no document, as a YAML file of comments
        // has none (a run of such files is `no-manifests`).
        return (Vec::new(), diagnostics);
    }
    let span = source.span_of_bytes(file, 0..0);
    let root = Node {
        span,
        value: Value::Mapping(entries(file, source, table.get_ref(), &mut diagnostics)),
    };
    (
        vec![Document {
            format: Format::Toml,
            root,
        }],
        diagnostics,
    )
}

/// `toml` recovers after an error and goes on, so one array left open (a
/// missing `]`) swallowed the rest of the file and gave an error on every
/// token after it: 11 for a ten-line manifest. When the parser reports an
/// unclosed array or inline table and one is open where its first error
/// is, that opening bracket is the one cause: it is reported alone.
/// When the line holding byte `at` reads `key: ...` (a bare key, then a
/// colon, as YAML writes it): the line's start and the key.
fn yaml_style_key(text: &str, at: usize) -> Option<(usize, &str)> {
    let at = at.min(text.len());
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next()?;
    let (key, _) = line.split_once(':')?;
    let key = key.trim();
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    (bare && !line.contains('=')).then_some((line_start, key))
}

fn unclosed(file: FileId, source: &SourceFile, errors: &[toml::de::Error]) -> Option<Diagnostic> {
    if !errors.iter().any(|e| e.message().contains("unclosed")) {
        return None;
    }
    let first = errors
        .iter()
        .filter_map(toml::de::Error::span)
        .map(|r| r.start)
        .min()?;
    let (range, array) = open_bracket_at(&source.text, first)?;
    let (what, close) = if array {
        ("list", ']')
    } else {
        ("inline table", '}')
    };
    Some(
        Diagnostic::error(
            Code::TomlSyntax,
            format!("TOML syntax error: this {what} is never closed"),
        )
        .at(source.span_of_bytes(file, range))
        .with_label(format!("no `{close}` closes this"))
        .note("everything after it was read as part of it, so this is the only error shown")
        .hint(format!("add `{close}` after its last item")),
    )
}

/// The innermost array (`true`) or inline table left open at byte `offset`,
/// by its opening bracket. A `[` where a key may start is a table header,
/// not an array.
fn open_bracket_at(text: &str, offset: usize) -> Option<(std::ops::Range<usize>, bool)> {
    use toml_parser::lexer::TokenKind;
    let mut open: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
    // Whether the next token starts a value (after `=`, or in an array).
    let mut value = false;
    for token in toml_parser::Source::new(text).lex() {
        let span = token.span();
        if span.start() >= offset {
            break;
        }
        let in_array = open.last().is_some_and(|(_, array)| *array);
        match token.kind() {
            TokenKind::Equals => value = true,
            TokenKind::Comma => value = in_array,
            TokenKind::LeftSquareBracket if value || in_array => {
                open.push((span.start()..span.end(), true));
                value = true;
            }
            TokenKind::LeftCurlyBracket if value || in_array => {
                open.push((span.start()..span.end(), false));
                value = false;
            }
            TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => {
                open.pop();
                value = false;
            }
            TokenKind::Newline if open.is_empty() => value = false,
            TokenKind::Whitespace | TokenKind::Comment | TokenKind::Newline => {}
            _ => value = false,
        }
    }
    open.pop()
}

/// For "unexpected leading zero" (`phone_area_code = 0571`, which TOML
/// refuses), where the number as written is, around byte `at`.
fn leading_zero(text: &str, message: &str, at: usize) -> Option<std::ops::Range<usize>> {
    if !message.contains("leading zero") {
        return None;
    }
    toml_parser::Source::new(text).lex().find_map(|token| {
        let span = token.span();
        (token.kind() == toml_parser::lexer::TokenKind::Atom
            && span.start() <= at
            && at < span.end())
        .then(|| span.start()..span.end())
    })
}

/// `toml` builds the whole table before the node budget can be checked, and
/// a million-item array costs it about 200 MB. Its lexer streams tokens
/// without keeping them, so count keys, values and container openings first
/// and refuse a file past [`MAX_TOKENS`] at the token where it got there.
fn lexed_over_budget(text: &str) -> Option<std::ops::Range<usize>> {
    use toml_parser::lexer::TokenKind;
    let mut count = 0usize;
    for token in toml_parser::Source::new(text).lex() {
        if matches!(
            token.kind(),
            TokenKind::Atom
                | TokenKind::BasicString
                | TokenKind::LiteralString
                | TokenKind::MlBasicString
                | TokenKind::MlLiteralString
                | TokenKind::LeftSquareBracket
                | TokenKind::LeftCurlyBracket
        ) {
            count += 1;
            if count > MAX_TOKENS {
                let span = token.span();
                return Some(span.start()..span.end());
            }
        }
    }
    None
}

/// The span of the first value past [`MAX_NODES`], counting as the YAML
/// reader does (every key's value and every array item is one node), or
/// `None` within budget. Walks without building anything.
fn over_budget(table: &DeTable<'_>) -> Option<std::ops::Range<usize>> {
    fn walk<'a>(
        values: &mut dyn Iterator<Item = &'a Spanned<DeValue<'a>>>,
        nodes: &mut usize,
    ) -> Option<std::ops::Range<usize>> {
        for value in values {
            *nodes += 1;
            if *nodes > MAX_NODES {
                return Some(value.span());
            }
            let found = match value.get_ref() {
                DeValue::Array(items) => walk(&mut items.iter(), nodes),
                DeValue::Table(table) => walk(&mut table.values(), nodes),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    walk(&mut table.values(), &mut 1)
}

fn entries(
    file: FileId,
    source: &SourceFile,
    table: &DeTable<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Entry> {
    table
        .iter()
        .map(|(key, value)| Entry {
            key: key.get_ref().to_string(),
            key_span: source.span_of_bytes(file, key.span()),
            value: node(file, source, value, diagnostics),
        })
        .collect()
}

fn node(
    file: FileId,
    source: &SourceFile,
    value: &Spanned<DeValue<'_>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Node {
    let span = source.span_of_bytes(file, value.span());
    let value = match value.get_ref() {
        DeValue::String(s) => Value::String(Text {
            text: s.to_string(),
            secret: false,
        }),
        DeValue::Integer(i) => {
            Value::Integer(i64::from_str_radix(i.as_str(), i.radix()).unwrap_or(i64::MAX))
        }
        DeValue::Float(f) => Value::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(datetime) => {
            // No field takes a date; reported here because JSON has no date type
            // to hand the schema. The value goes on as a string so that the same
            // problem is not reported twice.
            diagnostics.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    "expected a string, but TOML reads this as a date-time",
                )
                .at(span)
                .hint(format!("write it as a string: \"{datetime}\"")),
            );
            Value::String(Text {
                text: datetime.to_string(),
                secret: false,
            })
        }
        DeValue::Array(items) => Value::Sequence(
            items
                .iter()
                .map(|v| node(file, source, v, diagnostics))
                .collect(),
        ),
        DeValue::Table(table) => Value::Mapping(entries(file, source, table, diagnostics)),
    };
    Node { span, value }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Files;

    #[test]
    fn values_and_keys_keep_positions() {
        let mut files = Files::default();
        let text = "apiVersion = \"tccert/v1\"\n[organization]\nphone_area_code = 0755\n";
        let id = files.add("a.toml".into(), text.into());
        let (docs, diags) = parse(id, files.get(id));
        // TOML forbids leading zeros: a syntax error, with a position.
        assert_eq!(docs.len(), 0);
        assert_eq!(diags[0].code, Code::TomlSyntax);
        assert_eq!(diags[0].span.map(|s| s.line), Some(3));

        let text = "apiVersion = \"tccert/v1\"\n[organization]\nphone_area_code = 755\nwhen = 2024-01-01\n";
        let id = files.add("b.toml".into(), text.into());
        let (docs, diags) = parse(id, files.get(id));
        let root = &docs[0].root;
        let code = root.pointer("/organization/phone_area_code").unwrap();
        assert_eq!(code.value, Value::Integer(755));
        assert_eq!(
            (code.span.line, code.span.column, code.span.length),
            (3, 19, 3)
        );
        assert_eq!(
            root.key_span("/organization", "phone_area_code")
                .map(|s| s.column),
            Some(1)
        );
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::TypeMismatch);
    }

    #[test]
    fn an_unclosed_array_is_one_error_at_its_bracket() {
        let mut files = Files::default();
        let text = "name = \"www\"\nprofiles = [\"acme\"\ndomain = \"www.example.com\"\n\n[csr]\ntype = \"online\"\n";
        let id = files.add("a.toml".into(), text.into());
        let (docs, diags) = parse(id, files.get(id));
        assert!(docs.is_empty());
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(
            diags[0].message,
            "TOML syntax error: this list is never closed"
        );
        let span = diags[0].span.unwrap();
        assert_eq!((span.line, span.column, span.length), (2, 12, 1));
        // Nested, and an inline table.
        assert_eq!(
            open_bracket_at("a = [[1, 2]\nb = 1\n", 12),
            Some((4..5, true))
        );
        assert_eq!(
            open_bracket_at("a = { b = [1] \nc = 1\n", 15),
            Some((4..5, false))
        );
        // Table headers and closed arrays are not open.
        assert_eq!(open_bracket_at("[t]\na = [1]\n[[u]]\nb = 2\n", 22), None);
        // A bad item inside a closed multi-line array keeps every error.
        let id = files.add("b.toml".into(), "d = [\n  \"a\",\n  b,\n]\n".into());
        let (_, diags) = parse(id, files.get(id));
        assert!(diags.iter().all(|d| !d.message.contains("never closed")));
    }

    #[test]
    fn a_leading_zero_gets_the_quoting_hint() {
        let mut files = Files::default();
        let id = files.add(
            "p.toml".into(),
            "[organization]\nphone_area_code = 0571\n".into(),
        );
        let (_, diags) = parse(id, files.get(id));
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].message,
            "TOML syntax error: `0571` is not a number TOML reads (no leading zeros)"
        );
        assert_eq!(diags[0].span.map(|s| (s.column, s.length)), Some((19, 4)));
        assert_eq!(
            diags[0].hint.as_deref(),
            Some("quote it to keep it exactly as written: \"0571\"")
        );
    }

    #[test]
    fn a_file_of_comments_holds_no_document() {
        let mut files = Files::default();
        let id = files.add("c.toml".into(), "# later\n\n# more\n".into());
        let (docs, diags) = parse(id, files.get(id));
        assert_eq!((docs.len(), diags.len()), (0, 0));
        let id = files.add("k.toml".into(), "name = \"x\"\n".into());
        assert_eq!(parse(id, files.get(id)).0.len(), 1);
    }

    #[test]
    fn huge_arrays_hit_the_node_budget() {
        let mut files = Files::default();
        let text = format!("domains = [{}]\n", "\"a\",".repeat(MAX_NODES + 1));
        let id = files.add("big.toml".into(), text);
        let (docs, diags) = parse(id, files.get(id));
        assert!(docs.is_empty());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::FileTooLarge);
        assert_eq!(diags[0].span.map(|s| s.line), Some(1));

        let text = format!("domains = [{}]\n", "\"a\",".repeat(MAX_NODES - 2));
        let id = files.add("fits.toml".into(), text);
        let (docs, diags) = parse(id, files.get(id));
        assert_eq!((docs.len(), diags.len()), (1, 0));
    }

    #[test]
    fn the_lexer_refuses_what_toml_would_build_at_great_cost() {
        let mut files = Files::default();
        let text = format!(
            "name = \"x\"\ndomains = [{}]\n",
            "\"a\",".repeat(MAX_TOKENS)
        );
        let id = files.add("huge.toml".into(), text);
        let (docs, diags) = parse(id, files.get(id));
        assert!(docs.is_empty());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::FileTooLarge);
        assert!(
            diags[0]
                .message
                .contains("more than 200000 keys and values")
        );
        assert_eq!(diags[0].span.map(|s| s.line), Some(2));
        // Just past the node budget but under the token budget: the exact
        // node count decides, as before.
        assert!(lexed_over_budget(&format!("d = [{}]\n", "1,".repeat(MAX_NODES + 1))).is_none());
    }

    #[test]
    fn errors_without_a_place_name_the_file() {
        let mut files = Files::default();
        let text = format!("[{}]\n", vec!["a"; 10_000].join("."));
        let id = files.add("deep.toml".into(), text);
        let (docs, diags) = parse(id, files.get(id));
        assert!(docs.is_empty());
        assert_eq!(diags[0].code, Code::TomlSyntax);
        assert!(diags[0].span.is_some() || diags[0].message.starts_with("deep.toml: "));
    }
}
