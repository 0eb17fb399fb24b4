//! The position-keeping document tree both parsers produce.
//!
//! YAML and TOML are parsed into the same [`Node`] tree, so everything after
//! parsing (interpolation, schema validation, building the raw types) is
//! written once. Every node and every mapping key keeps its [`Span`].

use crate::source::Span;

/// Which parser produced a document: error messages speak its language
/// ("YAML reads 0755 as an integer").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Yaml => "YAML",
            Format::Toml => "TOML",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(Text),
    Sequence(Vec<Node>),
    Mapping(Vec<Entry>),
}

/// A string value and whether any of it came from the environment.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub text: String,
    /// Set by interpolation when an environment variable was read into it:
    /// such a value is never printed.
    pub secret: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn string(text: impl Into<String>, span: Span) -> Self {
        Node {
            span,
            value: Value::String(Text {
                text: text.into(),
                secret: false,
            }),
        }
    }

    /// The entry for `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Mapping(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The type word a user understands, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::String(_) => "a string",
            Value::Sequence(_) => "a list",
            Value::Mapping(_) => "a mapping",
        }
    }

    /// Number of nodes in this subtree; bounds alias expansion.
    pub fn size(&self) -> usize {
        1 + match &self.value {
            Value::Sequence(items) => items.iter().map(Node::size).sum(),
            Value::Mapping(entries) => entries.iter().map(|e| e.value.size()).sum(),
            _ => 0,
        }
    }

    /// The JSON value the schema validator checks. Non-finite floats have no
    /// JSON form; they become null, which no field accepts, and the message
    /// is written from the node, not from the JSON.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Integer(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(t) => J::String(t.text.clone()),
            Value::Sequence(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Mapping(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// Follows a JSON pointer (`/organization/name`, `/domains/2`) to the node
    /// it names, for turning schema errors back into positions.
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        let mut node = self;
        for raw in pointer.split('/').skip(1) {
            let segment = raw.replace("~1", "/").replace("~0", "~");
            node = match &node.value {
                Value::Mapping(entries) => &entries.iter().find(|e| e.key == segment)?.value,
                Value::Sequence(items) => items.get(segment.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Like [`Node::pointer`], but for the last segment returns the span of
    /// the mapping key rather than of the value (unknown keys point at the key).
    pub fn key_span(&self, pointer: &str, key: &str) -> Option<Span> {
        self.pointer(pointer)?.get(key).map(|e| e.key_span)
    }
}

/// One document of a file, as parsed.
#[derive(Clone, Debug)]
pub struct Document {
    pub format: Format,
    pub root: Node,
}
