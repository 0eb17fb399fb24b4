//! The floor: pure syntax checks of single values (a country code, a
//! domain name, an email address), with the country table they need. They
//! import nothing of the crate, so every stage that needs them (manifest
//! validation in [`crate::validate`], `csr new` in [`crate::csr`]) stands
//! above them without a cycle. The emulator does not use them: it keeps its
//! own checks, so that a mistake on either side shows
//! (tests/integration/layout.rs forbids the import).

pub mod countries;

/// An ISO 3166-1 alpha-2 code, officially assigned. Why not reads as the
/// rest of a sentence after the value (`` `China` is not ... ``), with the
/// code meant when the value is one in lower case, a country's name or its
/// alpha-3 code.
pub fn country(code: &str) -> Result<(), String> {
    if countries::is_code(code) {
        return Ok(());
    }
    let upper = code.to_ascii_uppercase();
    let meant = if countries::is_code(&upper) {
        Some(upper.as_str())
    } else {
        countries::code_for(code)
    };
    Err(match meant {
        Some(meant) => format!("is not an ISO 3166-1 alpha-2 code; did you mean `{meant}`?"),
        None => {
            "is not an ISO 3166-1 alpha-2 code (two capital letters, such as CN, HK, US)".into()
        }
    })
}

/// A domain name as a certificate may name it: LDH labels, at least two, an
/// optional leading `*.` wildcard.
pub fn domain(name: &str) -> Result<(), String> {
    let bare = name.strip_prefix("*.").unwrap_or(name);
    if bare.contains('*') {
        return Err("has a `*` that is not the whole first label, as in `*.example.com`".into());
    }
    if !bare.is_ascii() {
        return Err("is not ASCII; write internationalized names in punycode (`xn--...`)".into());
    }
    if name.len() > 253 {
        return Err("is longer than 253 characters".into());
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
            return Err(format!("has a label longer than 63 characters: `{label}`"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(format!(
                "has a label with a character other than letters, digits and `-`: `{label}`"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!(
                "has a label that starts or ends with `-`: `{label}`"
            ));
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
        return Err("has a part before `@` that is empty or longer than 64 characters".into());
    }
    const SPECIAL: &str = "!#$%&'*+/=?^_`{|}~-.";
    if !local
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c))
    {
        return Err("has a character before `@` that email does not allow there".into());
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err("has a misplaced dot before `@`".into());
    }
    if host.starts_with("*.") {
        return Err("has a wildcard domain after `@`".into());
    }
    domain(host).map_err(|why| format!("has a domain after `@` that {why}"))
}
