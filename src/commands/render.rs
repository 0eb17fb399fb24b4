//! `tccert render`: each effective certificate, which layer set each field,
//! and the exact request it would send, secrets masked.

use super::{
    CommandResult, EXIT_FAILURE, EXIT_OK, load_and_validate, print_stdout, report_diagnostics,
    report_invalid, select_targets,
};
use crate::cli::{ManifestArgs, Output};
use crate::output::render;

pub fn run(args: &ManifestArgs) -> CommandResult {
    let (loaded, validated, diagnostics) = load_and_validate(args)?;
    let Some(validated) = validated else {
        report_invalid(args.output, &loaded, &diagnostics);
        return Ok(EXIT_FAILURE);
    };
    report_diagnostics(args.output, &loaded, &diagnostics);
    let mut validated = validated;
    validated.certificates = select_targets(&args.target, validated.certificates)?;
    match args.output {
        Output::Text | Output::Github => {
            print_stdout(&render::render_text(&loaded.files, &validated.certificates))
        }
        Output::Markdown => print_stdout(&format!(
            "```text\n{}```\n",
            render::render_text(&loaded.files, &validated.certificates)
        )),
        Output::Json => print_stdout(&format!(
            "{:#}\n",
            render::render_json(&loaded.files, &validated.certificates)
        )),
    }
    Ok(EXIT_OK)
}
