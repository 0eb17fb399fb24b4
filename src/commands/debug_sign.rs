//! `tccert debug-sign` (hidden): the headers tccert sends for a body on
//! stdin, for the signing conformance test against the official SDK.

use std::io::Read as _;

use super::{CommandError, CommandResult, EXIT_OK, print_stdout};
use crate::api::credentials::Credentials;
use crate::api::sign::debug_sign;
use crate::cli::DebugSignArgs;
use crate::system::ProcessEnvironment;

pub fn run(args: &DebugSignArgs) -> CommandResult {
    let credentials = Credentials::from_environment(&ProcessEnvironment)?;
    let mut body = String::new();
    std::io::stdin()
        .read_to_string(&mut body)
        .map_err(|source| CommandError::Stdin { source })?;
    let signed = debug_sign(
        &credentials.secret_id,
        credentials.secret_key.expose(),
        &args.host,
        &args.action,
        &args.version,
        args.timestamp,
        &body,
    );
    print_stdout(&format!("{signed}\n"));
    Ok(EXIT_OK)
}
