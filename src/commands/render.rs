//! `tccert render`: each effective certificate, which layer set each field,
//! and the exact request it would send, secrets masked.

use super::{
    CommandResult, EXIT_FAILURE, EXIT_OK, emit, load_and_validate, report_diagnostics,
    report_invalid, select_targets,
};
use crate::cli::ManifestArgs;
use crate::output::format::Report;

pub fn run(args: &ManifestArgs) -> CommandResult {
    let (loaded, validated, diagnostics) = load_and_validate(args)?;
    let Some(validated) = validated else {
        report_invalid(args.output, &loaded, &diagnostics);
        return Ok(EXIT_FAILURE);
    };
    report_diagnostics(args.output, &loaded, &diagnostics);
    let mut validated = validated;
    validated.certificates = select_targets(&args.target, validated.certificates)?;
    emit(
        args.output,
        &Report::Render {
            files: &loaded.files,
            certificates: &validated.certificates,
        },
    );
    Ok(EXIT_OK)
}
