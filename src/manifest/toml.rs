//! TOML text into a [`Node`] tree, with positions.
//!
//! `toml`'s `DeTable` keeps a byte span on every key and value; we resolve
//! those to lines and columns. A TOML file is exactly one document.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::tree::{Document, Entry, Format, Node, Text, Value};
use crate::diag::{Code, Diagnostic};
use crate::source::{FileId, SourceFile};

pub fn parse(file: FileId, source: &SourceFile) -> (Vec<Document>, Vec<Diagnostic>) {
    let (table, errors) = DeTable::parse_recoverable(&source.text);
    let mut diagnostics: Vec<Diagnostic> = errors
        .iter()
        .map(|error| {
            let mut d = Diagnostic::error(
                Code::TomlSyntax,
                format!("TOML syntax error: {}", error.message().trim_end()),
            );
            if let Some(range) = error.span() {
                d = d.at(source.span_of_bytes(file, range));
            }
            d
        })
        .collect();
    if !diagnostics.is_empty() {
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
}
