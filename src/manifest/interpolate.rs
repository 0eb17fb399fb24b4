//! `${NAME}` interpolation of string values (pure: the environment is a function).
//!
//! The rules, as in a POSIX shell but deliberately narrower:
//! - `${NAME}`: the variable NAME; unset is an error, and so is set but empty
//!   (an unset secret must not silently become an empty field, and in CI a
//!   secret that was never defined arrives as an empty string).
//! - `${NAME:-default}`: NAME if set and not empty, else `default` (taken as
//!   written, up to the first `}`). `${NAME:-}` says that empty is fine.
//! - `$$`: a literal `$`.
//! - any other `$` is kept as written, so a password such as `pa$word` needs no
//!   escaping. Bare `$NAME` is *not* expanded: addresses and passwords contain
//!   `$` far more often than anyone means a variable. When it looks like one
//!   (see [`unbraced_names`]) the loader warns.
//!
//! A value is marked secret when an environment variable was read into it.

/// The result of interpolating one string.
#[derive(Debug, PartialEq, Eq)]
pub struct Interpolated {
    pub text: String,
    /// True when any part came from an environment variable.
    pub from_environment: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum InterpolationError {
    Unset {
        name: String,
    },
    /// `${NAME}` with NAME set to the empty string.
    Empty {
        name: String,
    },
    Unterminated,
    BadName {
        name: String,
    },
}

impl std::fmt::Display for InterpolationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InterpolationError::Unset { name } => {
                write!(f, "environment variable `{name}` is not set")
            }
            InterpolationError::Empty { name } => {
                write!(f, "environment variable `{name}` is set but empty")
            }
            InterpolationError::Unterminated => f.write_str("`${` without a closing `}`"),
            InterpolationError::BadName { name } => write!(
                f,
                "`{name}` is not a variable name (letters, digits and `_`, not starting with a digit)"
            ),
        }
    }
}

/// True when `text` holds anything interpolation would change.
pub fn needs_interpolation(text: &str) -> bool {
    text.contains('$')
}

pub fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Interpolated, InterpolationError> {
    let mut out = String::with_capacity(text.len());
    let mut from_environment = false;
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body_and_tail) = after.strip_prefix('{') {
            let close = body_and_tail
                .find('}')
                .ok_or(InterpolationError::Unterminated)?;
            let body = &body_and_tail[..close];
            let (name, default) = match body.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (body, None),
            };
            if !is_name(name) {
                return Err(InterpolationError::BadName {
                    name: name.to_string(),
                });
            }
            // Any `${...}` form counts as from the environment, its
            // default included: which branch was taken is itself a fact
            // about the environment.
            from_environment = true;
            match (lookup(name).filter(|v| !v.is_empty()), default) {
                (Some(value), _) => out.push_str(&value),
                (None, Some(default)) => out.push_str(default),
                (None, None) => {
                    // Set but empty is refused too: a CI secret that was
                    // never defined arrives as "", and would silently drop
                    // the field. `${NAME:-}` is how to say empty is fine.
                    let name = name.to_string();
                    return Err(if lookup(&name).is_some() {
                        InterpolationError::Empty { name }
                    } else {
                        InterpolationError::Unset { name }
                    });
                }
            }
            rest = &body_and_tail[close + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(Interpolated {
        text: out,
        from_environment,
    })
}

/// The names written as `$NAME` without braces that look like environment
/// variables: the whole name a shell would read (`[A-Za-z_][A-Za-z0-9_]*`)
/// is in capitals, digits and `_` (`[A-Z_][A-Z0-9_]*`). They are kept as
/// written, which is seldom what `$WWW_KEY_PASSWORD` meant. `$$NAME` is the
/// escape and does not count; `pa$word` and `$Sword` are not names in
/// capitals, so passwords with a `$` are left alone. Names inside a
/// `${...:-default}` count too: the default is not interpolated either.
pub fn unbraced_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            rest = tail;
            continue;
        }
        let length = after
            .char_indices()
            .find(|(i, c)| {
                !(c.is_ascii_alphabetic() || *c == '_' || (*i > 0 && c.is_ascii_digit()))
            })
            .map_or(after.len(), |(i, _)| i);
        let name = &after[..length];
        if !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            names.push(name);
        }
        rest = &after[length..];
    }
    names
}

/// The variable names a text's `${NAME}` and `${NAME:-default}` forms
/// read (as interpolation would parse them; `$$` escapes one), whichever
/// branch of a default would be taken. Malformed forms are left out: they
/// are an error of their own.
pub fn referenced_names(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(dollar) = rest.find('$') {
        let after = &rest[dollar + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            rest = tail;
        } else if let Some(body_and_tail) = after.strip_prefix('{') {
            let Some(close) = body_and_tail.find('}') else {
                break;
            };
            let body = &body_and_tail[..close];
            let name = body.split_once(":-").map_or(body, |(name, _)| name);
            if is_name(name) {
                names.push(name);
            }
            rest = &body_and_tail[close + 1..];
        } else {
            rest = after;
        }
    }
    names
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "PW" => Some("s3cret".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn run(text: &str) -> Result<Interpolated, InterpolationError> {
        interpolate(text, &env)
    }

    #[test]
    fn substitutes_defaults_and_escapes() {
        assert_eq!(
            run("x${PW}y").unwrap(),
            Interpolated {
                text: "xs3crety".into(),
                from_environment: true
            }
        );
        assert_eq!(
            run("${NOPE:-fallback}").unwrap(),
            Interpolated {
                text: "fallback".into(),
                from_environment: true
            }
        );
        assert_eq!(run("${EMPTY:-fallback}").unwrap().text, "fallback");
        assert_eq!(run("${PW:-fallback}").unwrap().text, "s3cret");
        assert_eq!(run("${NOPE:-}").unwrap().text, "");
        assert_eq!(
            run("cost $$5").unwrap(),
            Interpolated {
                text: "cost $5".into(),
                from_environment: false
            }
        );
        assert_eq!(run("pa$word $ 5$").unwrap().text, "pa$word $ 5$");
        assert_eq!(run("$${PW}").unwrap().text, "${PW}");
        assert_eq!(run("${EMPTY:-}").unwrap().text, "");
        assert_eq!(run("a${PW:-}b").unwrap().text, "as3cretb");
    }

    #[test]
    fn set_but_empty_is_an_error_unless_a_default_is_given() {
        assert_eq!(
            run("${EMPTY}"),
            Err(InterpolationError::Empty {
                name: "EMPTY".into()
            })
        );
        assert_eq!(
            run("${EMPTY}").unwrap_err().to_string(),
            "environment variable `EMPTY` is set but empty"
        );
        assert_eq!(
            run("${EMPTY:-}"),
            Ok(Interpolated {
                text: String::new(),
                from_environment: true
            })
        );
        assert_eq!(run("${EMPTY:-x}").unwrap().text, "x");
    }

    #[test]
    fn unbraced_variables_are_found_and_the_escape_is_not() {
        assert_eq!(unbraced_names("$WWW_KEY_PASSWORD"), ["WWW_KEY_PASSWORD"]);
        assert_eq!(unbraced_names("a-$PW1-b $_X"), ["PW1", "_X"]);
        assert_eq!(unbraced_names("${PW:-$FALLBACK}"), ["FALLBACK"]);
        // The escape, braces, lower case, a digit first, a lone `$`.
        for quiet in [
            "$$NAME", "$$$$NAME", "${NAME}", "pa$word", "pa$Sword", "$5 $ 5$", "$1ABC", "",
        ] {
            assert!(unbraced_names(quiet).is_empty(), "{quiet}");
        }
        // `$$` then a real `$NAME`.
        assert_eq!(unbraced_names("$$$NAME"), ["NAME"]);
    }

    #[test]
    fn referenced_names_cover_both_branches_and_skip_the_escape() {
        assert_eq!(referenced_names("a${X}b${Y:-d}$${Z}$W${}"), ["X", "Y"]);
        assert_eq!(referenced_names("${A:-${B}}"), ["A"]);
        assert!(referenced_names("plain $ text").is_empty());
    }

    #[test]
    fn reports_unset_and_malformed() {
        assert_eq!(
            run("${NOPE}"),
            Err(InterpolationError::Unset {
                name: "NOPE".into()
            })
        );
        assert_eq!(run("${PW"), Err(InterpolationError::Unterminated));
        assert_eq!(
            run("${1X}"),
            Err(InterpolationError::BadName { name: "1X".into() })
        );
        assert_eq!(
            run("${}"),
            Err(InterpolationError::BadName {
                name: String::new()
            })
        );
    }
}
