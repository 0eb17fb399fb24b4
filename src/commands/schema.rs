//! `tccert schema`: the JSON Schema of manifests, in the draft asked for.

use super::{CommandResult, EXIT_OK, print_stdout};
use crate::cli::{SchemaArgs, SchemaDraft};
use crate::manifest::schema::{Draft, schema_text};

pub fn run(args: &SchemaArgs) -> CommandResult {
    let draft = match args.draft {
        SchemaDraft::Draft2020_12 => Draft::Draft2020_12,
        SchemaDraft::Draft07 => Draft::Draft07,
    };
    print_stdout(&schema_text(draft));
    Ok(EXIT_OK)
}
