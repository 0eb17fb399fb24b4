//! Well-formedness of the values the API is strict about: email addresses,
//! ISO 3166-1 alpha-2 country codes and domain names. Pure functions; each
//! returns why a value is wrong, for the diagnostic, and [`check_values`] and
//! [`check_domains`] report them where the values are written.

use std::collections::HashMap;

pub use crate::syntax::{country, domain, email};

use super::shown;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::field::Check;
use crate::manifest::raw::{FieldValues, RawCertificate};
use crate::source::Sourced;

pub(super) fn check_values(fields: &FieldValues, dv: bool, diagnostics: &mut Diagnostics) {
    for (field, value) in fields {
        let info = field.info();
        if value.value.trim().is_empty() {
            if info.required && !dv {
                diagnostics.push(
                    Diagnostic::error(Code::EmptyValue, format!("`{}` is empty", field.path()))
                        .at(value.span)
                        .note(format!("the API requires {}", field.api_name())),
                );
            }
            continue;
        }
        let (result, code) = match info.check {
            Check::Email => (email(&value.value), Code::InvalidEmail),
            Check::Country => (country(&value.value), Code::InvalidCountry),
            // Enums and the digits pattern are the schema's to check.
            Check::Text | Check::VerifyType | Check::Digits => (Ok(()), Code::Schema),
        };
        if let Err(why) = result {
            let (shown, why) = if value.secret {
                // A suggestion would tell what the secret value is like.
                let why = why
                    .split_once("; did you mean")
                    .map_or(why.as_str(), |(w, _)| w);
                (value.quoted(), why.to_string())
            } else {
                (format!("`{}`", value.value), why)
            };
            diagnostics.push(
                Diagnostic::error(code, format!("`{}`: {shown} {why}", field.path()))
                    .at(value.span),
            );
        }
    }
}

pub(super) fn check_domains(raw: &RawCertificate, diagnostics: &mut Diagnostics) {
    let all = std::iter::once(("domain", &raw.domain)).chain(
        raw.domains
            .iter()
            .flat_map(|d| d.value.iter())
            .map(|d| ("domains", d)),
    );
    let mut seen: HashMap<String, &Sourced<String>> = HashMap::new();
    for (key, domain) in all {
        if let Err(why) = self::domain(&domain.value) {
            let value = domain.quoted();
            diagnostics.push(
                Diagnostic::error(Code::InvalidDomain, format!("`{key}`: {value} {why}"))
                    .at(domain.span),
            );
            continue;
        }
        let folded = domain.value.to_ascii_lowercase();
        if let Some(first) = seen.get(&folded) {
            diagnostics.push(
                Diagnostic::warning(
                    Code::DuplicateDomain,
                    format!(
                        "`{}` is listed twice on certificate `{}`",
                        shown(domain),
                        raw.name.value
                    ),
                )
                .at(domain.span)
                .related(first.span, "first here"),
            );
        } else {
            seen.insert(folded, domain);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries() {
        assert!(country("CN").is_ok());
        assert!(country("HK").is_ok());
        let meant = |value: &str| country(value).unwrap_err();
        assert_eq!(
            meant("China"),
            "is not an ISO 3166-1 alpha-2 code; did you mean `CN`?"
        );
        assert!(meant("cn").ends_with("did you mean `CN`?"));
        assert!(meant("CHN").ends_with("did you mean `CN`?"));
        assert!(meant("UK").ends_with("did you mean `GB`?"));
        assert_eq!(
            meant("Atlantis"),
            "is not an ISO 3166-1 alpha-2 code (two capital letters, such as CN, HK, US)"
        );
    }

    #[test]
    fn domains() {
        for good in [
            "www.acme.example",
            "*.acme.example",
            "a-b.c0.io",
            "xn--fiqs8s.example",
        ] {
            assert!(domain(good).is_ok(), "{good}");
        }
        for bad in [
            "localhost",
            "a..b",
            "-a.com",
            "a.*.com",
            "*a.com",
            "1.2.3.4",
            "ex ample.com",
            "例子.com",
            ".a.com",
            "a.com.",
        ] {
            assert!(domain(bad).is_err(), "{bad}");
        }
        assert!(domain(&format!("{}.com", "a".repeat(64))).is_err());
        // Each reason reads as the rest of a sentence about the value.
        for bad in ["a.*.com", "例子.com", "a_b.com", "-a.com", "a..b"] {
            let why = domain(bad).unwrap_err();
            assert!(
                ["is ", "has ", "needs ", "ends "]
                    .iter()
                    .any(|v| why.starts_with(v)),
                "{bad}: {why}"
            );
        }
    }

    #[test]
    fn emails() {
        for good in ["pki@acme.example", "first.last+tag@mail.acme.example"] {
            assert!(email(good).is_ok(), "{good}");
        }
        for bad in [
            "acme.example",
            "@acme.example",
            "a@",
            "a@b",
            "a..b@acme.example",
            "a b@acme.example",
            "a@*.acme.example",
            ".a@acme.example",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }
}
