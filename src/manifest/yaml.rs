//! YAML text into [`Node`] trees, with positions.
//!
//! Built on `saphyr-parser`, the maintained YAML 1.2 parser of the saphyr
//! project (serde_yaml is archived and only reports the position of a parse
//! error, never of a value). We read its event stream ourselves, which gives
//! three things a typed deserializer would not: a position for every value and
//! key, the YAML 1.2 core schema applied exactly (so `0755` is an integer and
//! `NO` is a string, never coerced behind the user's back), and a hard budget
//! on alias expansion and nesting, so a hostile file cannot exhaust memory.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan, Tag};

use super::tree::{Document, Entry, Format, Node, Text, Value};
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// Most nodes one file may expand to, aliases included, all its documents
/// together (a per-document budget would let a file of a thousand small alias
/// bombs through). A certificate manifest has well under a hundred; this stops
/// "billion laughs" early. The TOML reader applies the same budget.
pub const MAX_NODES: usize = 100_000;
/// Deepest nesting accepted. The format is three levels deep.
pub const MAX_DEPTH: usize = 64;

/// Parses every document of a YAML file. Empty documents (only comments) are
/// dropped. A syntax error ends the file (the parser cannot resynchronise),
/// but documents before it are kept.
pub fn parse(file: FileId, text: &str) -> (Vec<Document>, Vec<Diagnostic>) {
    let mut builder = Builder {
        file,
        anchors: HashMap::new(),
        stack: Vec::new(),
        nodes: 0,
        aliased: false,
        documents: Vec::new(),
        diagnostics: Vec::new(),
    };
    for event in Parser::new_from_str(text) {
        match event {
            Ok((event, span)) => {
                if let Err(diagnostic) = builder.event(event, span) {
                    builder.diagnostics.push(*diagnostic);
                    break;
                }
            }
            Err(error) => {
                let marker = error.marker();
                let span = Span {
                    file,
                    line: to_u32(marker.line().max(1)),
                    column: to_u32(marker.col() + 1),
                    length: 1,
                };
                let diagnostic = match misindented(text, marker.line().max(1)) {
                    // The parser stops at the line after a dedented key;
                    // the mistake is the line out of step with both of its
                    // neighbours.
                    Some(odd) => Diagnostic::error(
                        Code::YamlSyntax,
                        format!(
                            "YAML syntax error: `{}` is indented {} space{}, the lines around it {}",
                            odd.key,
                            odd.indent,
                            if odd.indent == 1 { "" } else { "s" },
                            odd.neighbours
                        ),
                    )
                    .at(Span {
                        file,
                        line: to_u32(odd.line),
                        column: to_u32(odd.indent + 1),
                        length: to_u32(odd.key.chars().count().max(1)),
                    })
                    .with_label("out of line")
                    .note(format!(
                        "the parser stopped at line {}: {}",
                        span.line,
                        error.info()
                    ))
                    .hint(format!(
                        "indent `{}:` by {} spaces, as the lines around it are",
                        odd.key, odd.neighbours
                    )),
                    None => Diagnostic::error(
                        Code::YamlSyntax,
                        format!("YAML syntax error: {}", error.info()),
                    )
                    .at(span),
                };
                builder.diagnostics.push(diagnostic);
                break;
            }
        }
    }
    (builder.documents, builder.diagnostics)
}

/// A `key:` line indented differently from its neighbours, which are
/// indented alike.
#[derive(Debug, PartialEq, Eq)]
struct Misindented {
    /// 1-based.
    line: usize,
    key: String,
    indent: usize,
    neighbours: usize,
}

/// Near a syntax error at `error_line` (1-based): the line itself or the
/// one before it, when it is a `key:` line whose indentation differs from
/// both its previous and next non-blank lines, which agree. `None` when no
/// line stands out so (the parser's words are shown as they are).
fn misindented(text: &str, error_line: usize) -> Option<Misindented> {
    let lines: Vec<&str> = text.lines().collect();
    let content = |i: usize| {
        let line = lines.get(i)?;
        let trimmed = line.trim_start_matches(' ');
        (!trimmed.is_empty() && !trimmed.starts_with('#') && !line.starts_with('\t'))
            .then(|| (line.len() - trimmed.len(), trimmed))
    };
    let previous = |i: usize| (0..i).rev().find(|&j| content(j).is_some());
    let next = |i: usize| (i + 1..lines.len()).find(|&j| content(j).is_some());
    let at = error_line.checked_sub(1)?;
    let candidates = [previous(at), Some(at)];
    candidates.into_iter().flatten().find_map(|i| {
        let (indent, trimmed) = content(i)?;
        let key = trimmed.split_once(':')?.0;
        if key.is_empty() || key.contains([' ', '"', '\'', '-', '[', '{']) {
            return None;
        }
        let (before, _) = content(previous(i)?)?;
        let (after, _) = content(next(i)?)?;
        (before == after && before != indent && before > 0).then(|| Misindented {
            line: i + 1,
            key: key.to_string(),
            indent,
            neighbours: before,
        })
    })
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

enum Frame {
    Sequence {
        span: Span,
        anchor: usize,
        items: Vec<Node>,
    },
    Mapping {
        span: Span,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<Node>,
    },
}

struct Builder {
    file: FileId,
    anchors: HashMap<usize, Node>,
    stack: Vec<Frame>,
    /// Nodes so far in the whole file, aliases counted at their full size.
    nodes: usize,
    /// Whether an alias was expanded: a budget overrun is then a bomb.
    aliased: bool,
    documents: Vec<Document>,
    diagnostics: Vec<Diagnostic>,
}

type Step = Result<(), Box<Diagnostic>>;

impl Builder {
    fn span(&self, span: YamlSpan) -> Span {
        let start = span.start;
        let length = if span.end.line() == start.line() {
            span.end.col().saturating_sub(start.col()).max(1)
        } else {
            1
        };
        Span {
            file: self.file,
            line: to_u32(start.line().max(1)),
            column: to_u32(start.col() + 1),
            length: to_u32(length),
        }
    }

    fn event(&mut self, event: Event<'_>, span: YamlSpan) -> Step {
        let at = self.span(span);
        match event {
            Event::DocumentStart(_) => {
                // Anchors are per document; the node budget is per file.
                self.anchors.clear();
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = self.scalar(text, style, tag.as_deref(), at)?;
                self.finish(node, anchor)
            }
            Event::Alias(id) => {
                let Some(size) = self.anchors.get(&id).map(Node::size) else {
                    return Err(Box::new(
                        Diagnostic::error(Code::YamlSyntax, "alias to an unknown anchor").at(at),
                    ));
                };
                self.aliased = true;
                // Counted before it is copied, so an over-budget alias is never built.
                self.count(size, at)?;
                let Some(node) = self.anchors.get(&id).cloned() else {
                    return Ok(());
                };
                // The alias stands where it is written: point errors there.
                self.finish(Node { span: at, ..node }, 0)
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_collection_tag(tag.as_deref(), "seq", at)?;
                self.open(at)?;
                self.stack.push(Frame::Sequence {
                    span: at,
                    anchor,
                    items: Vec::new(),
                });
                Ok(())
            }
            Event::MappingStart(anchor, tag) => {
                self.check_collection_tag(tag.as_deref(), "map", at)?;
                self.open(at)?;
                self.stack.push(Frame::Mapping {
                    span: at,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                });
                Ok(())
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Frame::Sequence {
                    span,
                    anchor,
                    items,
                }) => self.finish(
                    Node {
                        span,
                        value: Value::Sequence(items),
                    },
                    anchor,
                ),
                _ => Err(Box::new(
                    Diagnostic::error(Code::YamlSyntax, "unbalanced sequence").at(at),
                )),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Mapping {
                    span,
                    anchor,
                    entries,
                    ..
                }) => self.finish(
                    Node {
                        span,
                        value: Value::Mapping(entries),
                    },
                    anchor,
                ),
                _ => Err(Box::new(
                    Diagnostic::error(Code::YamlSyntax, "unbalanced mapping").at(at),
                )),
            },
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
        }
    }

    fn open(&mut self, at: Span) -> Step {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Box::new(
                Diagnostic::error(
                    Code::YamlUnsupported,
                    format!("nesting deeper than {MAX_DEPTH} levels"),
                )
                .at(at),
            ));
        }
        self.count(1, at)
    }

    fn count(&mut self, nodes: usize, at: Span) -> Step {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes <= MAX_NODES {
            return Ok(());
        }
        Err(Box::new(if self.aliased {
            Diagnostic::error(
                Code::YamlAliasLimit,
                format!("this file expands to more than {MAX_NODES} values"),
            )
            .at(at)
            .note("aliases (`*name`) copy what their anchor holds; nested aliases multiply")
            .hint("share values between certificates with profiles, not YAML aliases")
        } else {
            too_many_values(at)
        }))
    }

    /// A finished node goes into its parent, or becomes a document.
    fn finish(&mut self, node: Node, anchor: usize) -> Step {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if node.value != Value::Null {
                    self.documents.push(Document {
                        format: Format::Yaml,
                        root: node,
                    });
                }
                Ok(())
            }
            Some(Frame::Sequence { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Mapping { entries, key, .. }) => match key.take() {
                None => {
                    *key = Some(node);
                    Ok(())
                }
                Some(key_node) => {
                    let key_span = key_node.span;
                    let key = match key_node.value {
                        Value::String(t) => t.text,
                        Value::Integer(i) => i.to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Null => String::new(),
                        _ => {
                            return Err(Box::new(
                                Diagnostic::error(
                                    Code::YamlUnsupported,
                                    "a mapping key must be a plain word",
                                )
                                .at(key_span),
                            ));
                        }
                    };
                    if key == "<<" {
                        return Err(Box::new(
                            Diagnostic::error(
                                Code::YamlUnsupported,
                                "YAML merge keys (`<<`) are not supported",
                            )
                            .at(key_span)
                            .hint("share values between documents with `profiles`"),
                        ));
                    }
                    if let Some(first) = entries.iter().find(|e| e.key == key) {
                        let first = first.key_span;
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::DuplicateKey,
                                format!("key `{key}` appears twice in this mapping"),
                            )
                            .at(key_span)
                            .related(first, "first here"),
                        );
                        return Ok(());
                    }
                    entries.push(Entry {
                        key,
                        key_span,
                        value: node,
                    });
                    Ok(())
                }
            },
        }
    }

    fn check_collection_tag(&self, tag: Option<&Tag>, expected: &str, at: Span) -> Step {
        match tag {
            None => Ok(()),
            Some(tag) if is_core(tag) && tag.suffix == expected => Ok(()),
            Some(tag) => Err(Box::new(
                Diagnostic::error(
                    Code::YamlUnsupported,
                    format!("YAML tag `{tag}` is not supported"),
                )
                .at(at),
            )),
        }
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<&Tag>,
        at: Span,
    ) -> Result<Node, Box<Diagnostic>> {
        self.count(1, at)?;
        let string = |text: Cow<'_, str>| {
            Value::String(Text {
                text: text.into_owned(),
                secret: false,
            })
        };
        let value = match tag {
            Some(tag) if tag.handle == "!" && tag.suffix.is_empty() => string(text),
            Some(tag) if is_core(tag) => match tag.suffix.as_str() {
                "str" => string(text),
                "int" | "float" | "bool" | "null" => match resolve_plain(&text) {
                    Some(v) if core_type(&v) == tag.suffix => v,
                    _ => {
                        return Err(Box::new(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                format!("`{text}` is not a valid !!{}", tag.suffix),
                            )
                            .at(at),
                        ));
                    }
                },
                _ => {
                    return Err(Box::new(
                        Diagnostic::error(
                            Code::YamlUnsupported,
                            format!("YAML tag `{tag}` is not supported"),
                        )
                        .at(at),
                    ));
                }
            },
            Some(tag) => {
                return Err(Box::new(
                    Diagnostic::error(
                        Code::YamlUnsupported,
                        format!("YAML tag `{tag}` is not supported"),
                    )
                    .at(at),
                ));
            }
            None if style == ScalarStyle::Plain => {
                resolve_plain(&text).unwrap_or_else(|| string(text))
            }
            None => string(text),
        };
        Ok(Node { span: at, value })
    }
}

/// The budget overrun of a file without aliases (a huge list, say); the TOML
/// reader reports the same.
pub fn too_many_values(at: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FileTooLarge,
        format!("this file holds more than {MAX_NODES} values"),
    )
    .at(at)
    .note("a manifest holds well under a hundred values; this limit keeps memory bounded")
    .hint("split the certificates over several files")
}

fn is_core(tag: &Tag) -> bool {
    tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!"
}

fn core_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Integer(_) => "int",
        Value::Float(_) => "float",
        _ => "str",
    }
}

/// The YAML 1.2 core schema for plain scalars (spec §10.3.2). `None` means
/// the scalar is a string.
pub fn resolve_plain(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Value::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Value::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Value::Float(f64::NAN)),
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if let Some(octal) = text.strip_prefix("0o") {
        return radix_integer(octal, 8);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return radix_integer(hex, 16);
    }
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        // Too large for i64 is still a number to YAML, never a string.
        return Some(text.parse::<i64>().map_or_else(
            |_| Value::Float(text.parse().unwrap_or(f64::NAN)),
            Value::Integer,
        ));
    }
    if is_core_float(unsigned) {
        return text.parse::<f64>().ok().map(Value::Float);
    }
    None
}

fn radix_integer(digits: &str, radix: u32) -> Option<Value> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(i64::from_str_radix(digits, radix).map_or(Value::Float(f64::NAN), Value::Integer))
}

/// `( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Files;

    fn parse_one(text: &str) -> (Vec<Document>, Vec<Diagnostic>) {
        let mut files = Files::default();
        let id = files.add("t.yaml".into(), text.into());
        parse(id, text)
    }

    #[test]
    fn the_line_out_of_step_with_its_neighbours_is_found() {
        let text = "a:\n  b: 1\nc: 2\n  d: 3\n";
        let odd = misindented(text, 4).expect("found");
        assert_eq!(
            (odd.line, odd.key.as_str(), odd.indent, odd.neighbours),
            (3, "c", 0, 2)
        );
        let text = "a:\n  b: 1\n c: 2\n  d: 3\n";
        assert_eq!(misindented(text, 3).map(|o| o.line), Some(3));
        // Lines in step: nothing to point at.
        assert_eq!(misindented("a:\n  b: 1\n  c: [\n", 3), None);
        assert_eq!(misindented("", 1), None);
    }

    #[test]
    fn core_schema_never_turns_numbers_into_strings() {
        assert_eq!(resolve_plain("0755"), Some(Value::Integer(755)));
        assert_eq!(resolve_plain("0o17"), Some(Value::Integer(15)));
        assert_eq!(resolve_plain("0x1F"), Some(Value::Integer(31)));
        assert_eq!(resolve_plain("1.5e3"), Some(Value::Float(1500.0)));
        assert_eq!(
            resolve_plain("12345678901"),
            Some(Value::Integer(12_345_678_901))
        );
        assert!(matches!(
            resolve_plain("99999999999999999999999"),
            Some(Value::Float(_))
        ));
        assert_eq!(resolve_plain("~"), Some(Value::Null));
        assert_eq!(resolve_plain("True"), Some(Value::Bool(true)));
        // YAML 1.1 booleans and sexagesimals are plain strings in 1.2.
        assert_eq!(resolve_plain("NO"), None);
        assert_eq!(resolve_plain("yes"), None);
        assert_eq!(resolve_plain("1:20"), None);
        assert_eq!(resolve_plain("+86 755"), None);
        assert_eq!(resolve_plain("1.2.3"), None);
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let (docs, diags) = parse_one("a: 1\nb:\n  c: \"0755\"\n");
        assert!(diags.is_empty(), "{diags:?}");
        let root = &docs[0].root;
        let c = root.pointer("/b/c").unwrap();
        assert_eq!((c.span.line, c.span.column, c.span.length), (3, 6, 6));
        assert_eq!(
            c.value,
            Value::String(Text {
                text: "0755".into(),
                secret: false
            })
        );
        let key = root.key_span("/b", "c").unwrap();
        assert_eq!((key.line, key.column), (3, 3));
    }

    #[test]
    fn splits_documents_and_drops_empty_ones() {
        let (docs, diags) = parse_one("# only a comment\n---\n# another\n---\na: 1\n---\nb: 2\n");
        assert!(diags.is_empty());
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].root.span.line, 7);
    }

    #[test]
    fn alias_bombs_hit_the_node_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let (_, diags) = parse_one(&text);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::YamlAliasLimit);
    }

    #[test]
    fn the_budget_is_per_file_not_per_document() {
        // Each document stays under the budget; together they would hold
        // millions of nodes (this took 10 GB before the budget was per file).
        let document = format!(
            "---\n- &a [{}]\n- [{}]\n",
            vec!["x"; 100].join(","),
            vec!["*a"; 900].join(",")
        );
        let (docs, diags) = parse_one(&document.repeat(3));
        assert_eq!(docs.len(), 1);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::YamlAliasLimit);
        assert_eq!(diags[0].span.map(|s| s.line), Some(6));
    }

    #[test]
    fn a_huge_list_without_aliases_is_too_large_not_a_bomb() {
        let text = format!("domains:\n{}", "- a\n".repeat(MAX_NODES + 10));
        let (_, diags) = parse_one(&text);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::FileTooLarge);
        assert!(diags[0].message.contains("more than 100000 values"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        let (_, diags) = parse_one(&text);
        assert_eq!(diags[0].code, Code::YamlUnsupported);
    }

    #[test]
    fn duplicate_keys_and_merge_keys_are_errors() {
        let (_, diags) = parse_one("a: 1\na: 2\n");
        assert_eq!(diags[0].code, Code::DuplicateKey);
        assert_eq!(diags[0].related[0].span.line, 1);
        let (_, diags) = parse_one("base: &b {x: 1}\nother:\n  <<: *b\n");
        assert_eq!(diags[0].code, Code::YamlUnsupported);
    }

    #[test]
    fn tags_str_quotes_and_syntax_errors() {
        let (docs, _) = parse_one("a: !!str 0755\nb: '0755'\n");
        assert!(matches!(
            docs[0].root.pointer("/a").unwrap().value,
            Value::String(_)
        ));
        assert!(matches!(
            docs[0].root.pointer("/b").unwrap().value,
            Value::String(_)
        ));
        let (_, diags) = parse_one("a: [1, 2\nb: c");
        assert_eq!(diags[0].code, Code::YamlSyntax);
        assert!(diags[0].span.is_some());
    }
}
