//! One parsed document's tree, before the schema: `${NAME}` interpolation
//! over every text, the warnings for unbraced `$NAME`, the keys that take
//! literals only, and the masking of a `KeyPassword` in the file's text.

use crate::diag::{Code, Diagnostic};
use crate::manifest::interpolate::{
    InterpolationError, interpolate, needs_interpolation, referenced_names, unbraced_names,
};
use crate::manifest::schema;
use crate::manifest::tree::{Document, Node, Value};
use crate::manifest::trust::{Trust, default_role};
use crate::source::{Files, Span};
use crate::system::Environment;

/// A literal `csr.key_password` is in the file text itself: mask it in every
/// quoted source line, whatever else is wrong with the document. A value
/// made only of `${NAME}` shows a name, not the password; one that also
/// holds an unbraced `$NAME` is literal text after all.
pub(super) fn redact_key_password(files: &mut Files, document: &Document) {
    let Some(password) = document.root.pointer("/csr/key_password") else {
        return;
    };
    let written = files.text_at(password.span).unwrap_or_default();
    if !written.contains("${") || !unbraced_names(&written).is_empty() {
        files.redact(password.span);
    }
}

/// `unbraced-variable` warnings, looked for in the text as written (before
/// interpolation, so a value from the environment is never looked into).
/// `key` is the key the value is under: for `key_password` the warning
/// names no variable, since the name is part of the literal password.
pub(super) fn warn_unbraced(node: &Node, key: Option<&str>, problems: &mut Vec<Diagnostic>) {
    match &node.value {
        Value::String(text) => {
            let names = unbraced_names(&text.text);
            let Some(first) = names.first() else {
                return;
            };
            let warning = if key == Some("key_password") {
                Diagnostic::warning(
                    Code::UnbracedVariable,
                    "`csr.key_password` holds `$` and a name in capitals, which is kept as written, not read from the environment",
                )
                .hint("write `${NAME}` to read a variable, or `$$` for a literal `$`")
            } else {
                let shown: Vec<String> = names.iter().map(|n| format!("`${n}`")).collect();
                Diagnostic::warning(
                    Code::UnbracedVariable,
                    format!(
                        "{} {} kept as written: only `${{NAME}}` reads an environment variable",
                        shown.join(", "),
                        if names.len() == 1 { "is" } else { "are" }
                    ),
                )
                .hint(format!(
                    "write `${{{first}}}` to read the variable, or `$${first}` to keep the text as written"
                ))
            };
            problems.push(warning.at(node.span));
        }
        Value::Sequence(items) => items.iter().for_each(|n| warn_unbraced(n, key, problems)),
        Value::Mapping(entries) => entries
            .iter()
            .for_each(|e| warn_unbraced(&e.value, Some(&e.key), problems)),
        _ => {}
    }
}

pub(super) fn describe(node: &Node) -> String {
    match &node.value {
        Value::String(_) => schema::quoted_value(node),
        _ => node.type_name().to_string(),
    }
}

/// What interpolating one document needs and finds.
pub(super) struct Reading<'a> {
    pub(super) env: &'a dyn Environment,
    pub(super) trust: &'a Trust,
    /// Each text read from the environment (a variable's value, a whole
    /// interpolated string) and the variables it came from: diagnostics
    /// name the variables in their place.
    pub(super) reads: Vec<(String, Vec<String>)>,
    /// Each variable read, with its value.
    pub(super) values: Vec<(String, String)>,
    /// Every `${NAME}` in an interpolated field, and where.
    pub(super) references: Vec<(String, Span)>,
}

impl Reading<'_> {
    /// `variable-not-allowed` for each `${NAME}` under `node` that no
    /// `--env-allow` pattern matches; true when there is none.
    pub(super) fn check_allowed(&self, node: &Node, problems: &mut Vec<Diagnostic>) -> bool {
        let mut ok = true;
        for_each_text(node, &mut |text, span| {
            for name in referenced_names(text) {
                if !self.trust.variable_allowed(name) {
                    ok = false;
                    problems.push(
                        Diagnostic::error(
                            Code::VariableNotAllowed,
                            format!("`${{{name}}}` is not among the variables this run may read"),
                        )
                        .at(span)
                        .note("the operator limits what manifests may read with --env-allow (or TCCERT_ENV_ALLOW); a `${NAME:-default}` counts whichever branch would be taken")
                        .hint(format!("read an allowed variable, or (the operator) add `--env-allow {name}`")),
                    );
                }
            }
        });
        ok
    }
}

/// Calls `f` on every string under `node`, without recursion (a YAML
/// nesting cannot exhaust the stack).
pub(super) fn for_each_text(node: &Node, f: &mut dyn FnMut(&str, crate::source::Span)) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::String(text) => f(&text.text, node.span),
            Value::Sequence(items) => stack.extend(items.iter().rev()),
            Value::Mapping(entries) => stack.extend(entries.iter().rev().map(|e| &e.value)),
            _ => {}
        }
    }
}

/// An Account's `endpoint` and `region` are literal: a `${...}` there is
/// `interpolated-endpoint` (a variable could carry a secret into a URL or
/// a host name, and so to a DNS server). The value is left as written and
/// marked secret, so nothing quotes it.
pub(super) fn literal_only(key: &str, node: &mut Node, problems: &mut Vec<Diagnostic>) {
    if let Value::String(text) = &mut node.value
        && !referenced_names(&text.text).is_empty()
    {
        text.secret = true;
        problems.push(
            Diagnostic::error(
                Code::InterpolatedEndpoint,
                format!("an Account's `{key}` is read as written: it may not hold `${{...}}`"),
            )
            .at(node.span)
            .note("where requests go is the operator's choice, not a manifest's: a variable in a URL could carry a secret to any host")
            .hint(if key == "endpoint" {
                "write the endpoint literally (`https://ssl.tencentcloudapi.com`), or (the operator) give --endpoint"
            } else {
                "write the region literally, as `ap-guangzhou`"
            }),
        );
    }
}

/// Interpolates every string value in place, marking environment values
/// secret. Iterative: a deep nesting cannot exhaust the stack.
///
/// A value under `key_password` (a secret) whose variable is unset gets no
/// "give a default" hint: a default would be sent in the secret's place
/// (docs/manifest-format.md, "Interpolation").
pub(super) fn interpolate_tree(
    root: &mut Node,
    reading: &mut Reading,
    problems: &mut Vec<Diagnostic>,
) {
    let mut stack = vec![(root, false)];
    while let Some((node, under_secret_key)) = stack.pop() {
        let span = node.span;
        match &mut node.value {
            Value::String(text) if needs_interpolation(&text.text) => {
                interpolate_text(text, span, under_secret_key, reading, problems);
            }
            Value::Sequence(items) => {
                stack.extend(items.iter_mut().rev().map(|n| (n, under_secret_key)));
            }
            Value::Mapping(entries) => stack.extend(
                entries
                    .iter_mut()
                    .rev()
                    .map(|e| (&mut e.value, e.key == "key_password")),
            ),
            _ => {}
        }
    }
}

pub(super) fn interpolate_text(
    text: &mut crate::manifest::tree::Text,
    span: crate::source::Span,
    under_secret_key: bool,
    reading: &mut Reading,
    problems: &mut Vec<Diagnostic>,
) {
    let names: Vec<String> = referenced_names(&text.text)
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut refused = false;
    reading
        .references
        .extend(names.iter().map(|n| (n.clone(), span)));
    for name in &names {
        if let Some(role) = default_role(name) {
            refused = true;
            problems.push(
                Diagnostic::error(
                    Code::CredentialVariable,
                    format!(
                        "`${{{name}}}` is a credential variable (the default `{}`): no field may read it",
                        role.key()
                    ),
                )
                .at(span)
                .note("credentials go in the Authorization header to Tencent Cloud only; a field's value is sent, printed and saved")
                .hint("remove the reference; credentials are read by tccert itself"),
            );
        }
    }
    // The two checks on names come before any value is read: a refused
    // variable is never interpolated.
    let node = Node::string(text.text.clone(), span);
    if !reading.check_allowed(&node, problems) || refused {
        text.secret = true;
        return;
    }
    let env = reading.env;
    let mut values: Vec<(String, String)> = Vec::new();
    let result = interpolate(&text.text, &|name| env.var(name));
    match result {
        Ok(done) => {
            for name in &names {
                if let Some(value) = env.var(name).filter(|v| !v.is_empty()) {
                    values.push((value, name.clone()));
                }
            }
            if !names.is_empty() {
                reading.reads.push((done.text.clone(), names.clone()));
            }
            reading.values.extend(values);
            text.text = done.text;
            text.secret |= done.from_environment;
        }
        Err(error) => {
            let (code, hint) = match &error {
                InterpolationError::Unset { name } if under_secret_key => (
                    Code::UnsetVariable,
                    format!(
                        "set {name} in the environment (in CI, as a masked secret); a secret takes no default, which would be sent in its place"
                    ),
                ),
                InterpolationError::Unset { name } => (
                    Code::UnsetVariable,
                    format!("set {name} in the environment, or give a default: ${{{name}:-value}}"),
                ),
                InterpolationError::Empty { name } => (
                    Code::EmptyVariable,
                    format!(
                        "give {name} a value (in CI, a secret that is not defined arrives empty), or write ${{{name}:-}} if empty is meant"
                    ),
                ),
                _ => (
                    Code::InterpolationSyntax,
                    "write `${NAME}` or `${NAME:-default}`; `$$` is a literal `$`".to_string(),
                ),
            };
            problems.push(
                Diagnostic::error(code, error.to_string())
                    .at(span)
                    .hint(hint),
            );
        }
    }
}
