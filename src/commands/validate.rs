//! `tccert validate`: load and validate, show every problem, and say what
//! was read.

use super::{
    CommandResult, EXIT_FAILURE, EXIT_OK, load_and_validate, print_stdout, report_diagnostics,
    select_targets,
};
use crate::cli::{ManifestArgs, Output};
use crate::manifest::raw::RawDocument;
use crate::output::diagnostics as diagnostics_output;
use crate::output::report::plural;

pub fn run(args: &ManifestArgs) -> CommandResult {
    let (loaded, mut validated, diagnostics) = load_and_validate(args)?;
    let valid = validated.is_some();
    // `--target`: every manifest is validated; only the matching
    // certificates are counted and named.
    if let Some(validated) = &mut validated {
        validated.certificates =
            select_targets(&args.target, std::mem::take(&mut validated.certificates))?;
    }
    match args.output {
        Output::Json => {
            // What was read, valid or not: an invalid run still says what
            // it looked at.
            let (profiles, certificates, accounts) = loaded.documents.iter().fold(
                (0, 0, 0),
                |(p, c, a), (_, document)| match document {
                    RawDocument::Profile(_) => (p + 1, c, a),
                    RawDocument::Certificate(_) => (p, c + 1, a),
                    RawDocument::Account(_) => (p, c, a + 1),
                },
            );
            let mut report = serde_json::json!({
                "valid": valid,
                "files": loaded.files.len(),
                "profiles": profiles,
                "certificates": certificates,
                "accounts": accounts,
                "errors": diagnostics.error_count(),
                "warnings": diagnostics.warning_count(),
                "diagnostics": diagnostics_output::to_json(&loaded.files, &diagnostics),
            });
            if let (false, Some(validated)) = (args.target.is_empty(), &validated) {
                report["targets"] = validated
                    .certificates
                    .iter()
                    .map(|c| serde_json::Value::from(c.name.clone()))
                    .collect();
            }
            print_stdout(&format!("{report:#}\n"));
        }
        Output::Text | Output::Github | Output::Markdown => {
            report_diagnostics(args.output, &loaded, &diagnostics);
            if let Some(validated) = &validated {
                // Accounts are named only when there are some, so that
                // runs without them read as before.
                let accounts = validated.accounts.len();
                let (and, accounts) = if accounts == 0 {
                    (" and", String::new())
                } else {
                    (",", format!(" and {accounts} account{}", plural(accounts)))
                };
                let counts = format!(
                    "valid: {} certificate{}{and} {} profile{}{accounts} in {} file{}\n",
                    validated.certificates.len(),
                    plural(validated.certificates.len()),
                    validated.profile_count,
                    plural(validated.profile_count),
                    loaded.files.len(),
                    plural(loaded.files.len()),
                );
                // In Markdown, a headline of its own, or a line after the
                // warnings' list.
                let lead = match (args.output, diagnostics.is_empty()) {
                    (Output::Markdown, true) => "### tccert: ",
                    (Output::Markdown, false) => "\ntccert: ",
                    _ => "",
                };
                print_stdout(&format!("{lead}{counts}"));
            }
        }
    }
    Ok(if valid { EXIT_OK } else { EXIT_FAILURE })
}
