//! Names: unique where they must be, and plain text, since they start
//! report lines, table rows, log lines and CI annotations.

use std::collections::HashMap;

use super::shown;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::source::Sourced;

pub(super) fn unique<'a>(
    values: impl Iterator<Item = &'a Sourced<String>>,
    what: &str,
    code: Code,
    diagnostics: &mut Diagnostics,
) {
    let mut seen: HashMap<&str, &Sourced<String>> = HashMap::new();
    for value in values {
        match seen.get(value.value.as_str()) {
            Some(first) => diagnostics.push(
                Diagnostic::error(code, format!("{what} `{}` is defined twice", shown(value)))
                    .at(value.span)
                    .with_label("defined again here")
                    .related(first.span, "first defined here"),
            ),
            None => {
                seen.insert(&value.value, value);
            }
        }
    }
}

/// Names are printed at the start of report lines and table rows, in logs
/// and CI annotations, so they must be plain text: not from the environment
/// (which would print a secret), and nothing a terminal or a CI runner would
/// act on (a leading `::` is a GitHub workflow command, `#` a comment in
/// some logs, control characters are escape sequences).
pub(super) fn check_name(name: &Sourced<String>, what: &str, diagnostics: &mut Diagnostics) {
    let problem = if name.secret {
        Some("it comes from the environment, and names are printed in every report".to_string())
    } else if name.value.trim().is_empty() {
        Some("it is empty".to_string())
    } else if name
        .value
        .starts_with(|c: char| c.is_whitespace() || c == ':' || c == '#')
    {
        Some("it starts with a space, `:` or `#`".to_string())
    } else if name.value.chars().any(char::is_control) {
        Some("it holds control characters".to_string())
    } else {
        None
    };
    if let Some(problem) = problem {
        let shown = if name.secret {
            crate::source::quote(&name.value, true)
        } else {
            format!("`{}`", crate::source::printable(&name.value))
        };
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidName,
                format!("{shown} cannot be a {what} name: {problem}"),
            )
            .at(name.span)
            .hint("use letters, digits, `-`, `_` and `.`, written in the file"),
        );
    }
}
