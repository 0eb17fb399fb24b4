//! `tccert validate`: load and validate, show every problem, and say what
//! was read.

use super::{CommandResult, EXIT_FAILURE, EXIT_OK, emit, load_and_validate, select_targets};
use crate::cli::ManifestArgs;
use crate::output::format::Report;

pub fn run(args: &ManifestArgs) -> CommandResult {
    let (loaded, mut validated, diagnostics) = load_and_validate(args)?;
    let valid = validated.is_some();
    // `--target`: every manifest is validated; only the matching
    // certificates are counted and named.
    if let Some(validated) = &mut validated {
        validated.certificates =
            select_targets(&args.target, std::mem::take(&mut validated.certificates))?;
    }
    emit(
        args.output,
        &Report::Validate {
            loaded: &loaded,
            valid: validated.as_ref(),
            diagnostics: &diagnostics,
            targeted: !args.target.is_empty(),
        },
    );
    Ok(if valid { EXIT_OK } else { EXIT_FAILURE })
}
