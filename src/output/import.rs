//! `tccert import`'s report: what was written where, what was left out
//! and why, the variables to set, and what to run next; as text or JSON.
//! (The tree itself is `crate::import_tree`.)

use std::path::Path;

use serde_json::{Value as Json, json};

use crate::import_tree::Tree;
use crate::source::printable;

/// A certificate left out, and why.
pub struct Skipped {
    pub certificate_id: String,
    pub status: Option<u64>,
    pub reason: String,
}

/// ` (N certificates left out)`, or nothing.
pub fn skipped_note(skipped: &[Skipped]) -> String {
    if skipped.is_empty() {
        String::new()
    } else {
        format!(
            " ({} certificate{} left out)",
            skipped.len(),
            crate::output::report::plural(skipped.len())
        )
    }
}

/// The JSON report (`--output json`, `--json-out`): the files written
/// under `dir` (none when nothing was), and what was left out.
pub fn to_json(dir: &Path, account: Option<&str>, tree: &Tree, skipped: &[Skipped]) -> Json {
    let shown = |path: &str| dir.join(path).display().to_string();
    json!({
        "out": dir.display().to_string(),
        "account": account,
        "certificates": tree.certificates.iter().map(|c| json!({
            "name": c.name,
            "certificate_id": c.certificate_id,
            "status": c.status,
            "file": shown(&c.file),
            "profiles": c.profiles,
            "key_password_variable": c.key_password_variable,
            "csr_file": c.csr_file.as_deref().map(shown),
        })).collect::<Vec<_>>(),
        "profiles": tree.profiles.iter().map(|(name, file)| json!({
            "name": name, "file": shown(file),
        })).collect::<Vec<_>>(),
        "skipped": skipped.iter().map(|s| json!({
            "certificate_id": s.certificate_id, "status": s.status, "reason": s.reason,
        })).collect::<Vec<_>>(),
    })
}

/// The text report of a tree written into `dir`: its files, what was left
/// out, the variables to set, and what to run next.
pub fn text(dir: &Path, account: Option<&str>, tree: &Tree, skipped: &[Skipped]) -> String {
    let shown = |path: &str| dir.join(path).display().to_string();
    let n = tree.certificates.len();
    let mut out = format!(
        "imported {n} certificate{}{} into {} ({} shared profile{}):\n",
        crate::output::report::plural(n),
        account.map_or(String::new(), |a| format!(" of account {}", printable(a))),
        dir.display(),
        tree.profiles.len(),
        crate::output::report::plural(tree.profiles.len())
    );
    for (_, file) in &tree.profiles {
        out.push_str(&format!("  {}\n", shown(file)));
    }
    for c in &tree.certificates {
        out.push_str(&format!(
            "  {}  ({})\n",
            shown(&c.file),
            printable(&c.certificate_id)
        ));
    }
    if !skipped.is_empty() {
        out.push_str(&format!(
            "left out {} certificate{}:\n",
            skipped.len(),
            crate::output::report::plural(skipped.len())
        ));
        for s in skipped {
            out.push_str(&format!(
                "  {}: {}\n",
                printable(&s.certificate_id),
                printable(&s.reason)
            ));
        }
    }
    let variables: Vec<(&str, &str)> = tree
        .certificates
        .iter()
        .filter_map(|c| {
            c.key_password_variable
                .as_deref()
                .map(|v| (v, c.name.as_str()))
        })
        .collect();
    if !variables.is_empty() {
        out.push_str("set these variables before validate or plan (the values are not written):\n");
        for (variable, name) in variables {
            out.push_str(&format!("  {variable}  (the key password of {name})\n"));
        }
    }
    out.push_str(&format!(
        "next:\n  tccert validate {0}\n  tccert plan {0}\n",
        dir.display()
    ));
    out
}
