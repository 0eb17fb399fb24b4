//! Well-formedness of the values the API is strict about: email addresses,
//! ISO 3166-1 alpha-2 country codes and domain names. Pure functions; each
//! returns why a value is wrong, for the diagnostic, and [`check_values`] and
//! [`check_domains`] report them where the values are written.

use std::collections::HashMap;

use super::shown;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::field::Check;
use crate::manifest::raw::{FieldValues, RawCertificate};
use crate::source::Sourced;

/// ISO 3166-1 alpha-2, officially assigned codes.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

pub fn country(code: &str) -> Result<(), String> {
    if COUNTRIES.split(' ').any(|c| c == code) {
        return Ok(());
    }
    let upper = code.to_ascii_uppercase();
    if COUNTRIES.split(' ').any(|c| c == upper) {
        return Err(format!("country codes are upper case: `{upper}`"));
    }
    Err("not an ISO 3166-1 alpha-2 country code (two letters, such as CN, HK, US)".into())
}

/// A domain name as a certificate may name it: LDH labels, at least two, an
/// optional leading `*.` wildcard.
pub fn domain(name: &str) -> Result<(), String> {
    let bare = name.strip_prefix("*.").unwrap_or(name);
    if bare.contains('*') {
        return Err("a wildcard may only be the whole first label: `*.example.com`".into());
    }
    if !bare.is_ascii() {
        return Err("not ASCII: write internationalized names in punycode (`xn--...`)".into());
    }
    if name.len() > 253 {
        return Err("longer than 253 characters".into());
    }
    let labels: Vec<&str> = bare.split('.').collect();
    if labels.len() < 2 {
        return Err("needs at least two labels, such as `example.com`".into());
    }
    for label in &labels {
        if label.is_empty() {
            return Err("has an empty label (two dots in a row, or a dot at an end)".into());
        }
        if label.len() > 63 {
            return Err(format!("label `{label}` is longer than 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(format!(
                "label `{label}` may hold only letters, digits and `-`"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!("label `{label}` starts or ends with `-`"));
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("ends in a number: an IP address is not a domain name".into());
    }
    Ok(())
}

/// An email address of the ordinary form `local@domain.tld`.
pub fn email(address: &str) -> Result<(), String> {
    let Some((local, host)) = address.rsplit_once('@') else {
        return Err("has no `@`".into());
    };
    if local.is_empty() || local.len() > 64 {
        return Err("the part before `@` is empty or longer than 64 characters".into());
    }
    const SPECIAL: &str = "!#$%&'*+/=?^_`{|}~-.";
    if !local
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c))
    {
        return Err("the part before `@` holds a character email does not allow here".into());
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("the part before `@` has a misplaced dot".into());
    }
    if host.starts_with("*.") {
        return Err("the domain after `@` is a wildcard".into());
    }
    domain(host).map_err(|why| format!("the domain after `@` {why}"))
}

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
            let shown = if value.secret {
                "a value from the environment".to_string()
            } else {
                format!("`{}`", value.value)
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
            let value = if domain.secret {
                "a value from the environment".to_string()
            } else {
                format!("`{}`", domain.value)
            };
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
        assert!(country("cn").unwrap_err().contains("`CN`"));
        assert!(country("UK").is_err());
        assert!(country("CHN").is_err());
        assert_eq!(COUNTRIES.split(' ').count(), 249);
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
