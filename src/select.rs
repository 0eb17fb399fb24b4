//! Choosing certificates by name: the patterns of `--resubmit` (and of any
//! flag that names certificates). A pattern is a certificate name or a glob
//! over the whole name: `*` any run of characters, `?` one character,
//! `[abc]`, `[a-z]` and `[!a-z]` one character of (or not of) a set.
//! Case-sensitive. Pure: names in, names out.

use std::collections::BTreeSet;

/// Whether `pattern` matches the whole of `name`.
pub fn matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    matches_from(&pattern, &name)
}

fn matches_from(pattern: &[char], name: &[char]) -> bool {
    // Iterative with one backtrack point for the last `*`: linear in
    // practice, never exponential on patterns like `*a*a*a*b`.
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, n));
                p += 1;
                continue;
            }
            Some('?') => {
                p += 1;
                n += 1;
                continue;
            }
            Some('[') => {
                if let Some((matched, next)) = class(pattern, p, name[n]) {
                    if matched {
                        p = next;
                        n += 1;
                        continue;
                    }
                } else if name[n] == '[' {
                    // An unclosed `[` is a literal.
                    p += 1;
                    n += 1;
                    continue;
                }
            }
            Some(c) if *c == name[n] => {
                p += 1;
                n += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((star_p, star_n)) => {
                p = star_p + 1;
                n = star_n + 1;
                star = Some((star_p, star_n + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// The set `[...]` starting at `pattern[start]`: whether `c` is in it, and
/// where the pattern goes on; `None` when the `[` is not closed.
fn class(pattern: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negated = matches!(pattern.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    loop {
        let current = *pattern.get(i)?;
        if current == ']' && !first {
            return Some((found != negated, i + 1));
        }
        first = false;
        if pattern.get(i + 1) == Some(&'-') && pattern.get(i + 2).is_some_and(|e| *e != ']') {
            let end = pattern[i + 2];
            found |= current <= c && c <= end;
            i += 3;
        } else {
            found |= current == c;
            i += 1;
        }
    }
}

/// The names each pattern matches, all together; `Err` lists the patterns
/// that match no name (a typo must not silently select nothing).
pub fn select<'a>(
    patterns: &[String],
    names: impl IntoIterator<Item = &'a str> + Clone,
) -> Result<BTreeSet<String>, Vec<String>> {
    let mut chosen = BTreeSet::new();
    let mut unmatched = Vec::new();
    for pattern in patterns {
        let mut any = false;
        for name in names.clone() {
            if matches(pattern, name) {
                any = true;
                chosen.insert(name.to_string());
            }
        }
        if !any {
            unmatched.push(pattern.clone());
        }
    }
    if unmatched.is_empty() {
        Ok(chosen)
    } else {
        Err(unmatched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_names() {
        let cases = [
            ("www", "www", true),
            ("www", "www2", false),
            ("www", "WWW", false),
            ("*", "anything", true),
            ("*", "", true),
            ("w*", "www", true),
            ("*w", "shop", false),
            ("shop-*", "shop-eu", true),
            ("shop-*", "shop", false),
            ("*-eu", "shop-eu", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false),
            ("?", "a", true),
            ("?", "ab", false),
            ("w?w", "waw", true),
            ("[ab]x", "bx", true),
            ("[ab]x", "cx", false),
            ("[a-c]1", "b1", true),
            ("[a-c]1", "d1", false),
            ("[!a-c]1", "d1", true),
            ("[!a-c]1", "a1", false),
            ("[^a]", "b", true),
            ("[]]", "]", true),
            ("[a-]", "-", true),
            ("[ab", "[ab", true),
            ("[ab", "a", false),
            ("ü*", "über", true),
        ];
        for (pattern, name, expected) in cases {
            assert_eq!(matches(pattern, name), expected, "{pattern} ~ {name}");
        }
    }

    #[test]
    fn select_reports_patterns_that_match_nothing() {
        let names = ["www", "api", "shop-eu", "shop-us"];
        let chosen = select(&["shop-*".into(), "www".into()], names).unwrap();
        assert_eq!(
            chosen.into_iter().collect::<Vec<_>>(),
            ["shop-eu", "shop-us", "www"]
        );
        assert_eq!(
            select(&["ww".into(), "api".into(), "x*".into()], names),
            Err(vec!["ww".to_string(), "x*".to_string()])
        );
    }
}
