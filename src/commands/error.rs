//! The one error type of the commands: everything that stops a command
//! other than problems in the manifests (those are diagnostics, shown in the
//! chosen output). [`crate::app`] prints it, every line as `error: …` on
//! stderr, and takes the exit code from [`CommandError::exit_code`].

use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{EXIT_FAILURE, EXIT_INTERRUPTED};
use crate::api::credentials::CredentialError;
use crate::csr::keygen::KeygenError;
use crate::outfile::WriteError;

#[derive(Debug, Error)]
pub enum CommandError {
    /// Flags that cannot work together, or a value that cannot be used.
    #[error("{message}")]
    Usage { message: String },
    /// `--resubmit` patterns that match no certificate.
    #[error(
        "--resubmit {}: no certificate has {}",
        names.join(", --resubmit "),
        if names.len() == 1 { "that name" } else { "those names" }
    )]
    UnknownResubmit { names: Vec<String> },
    /// `--restart` patterns that match no certificate.
    #[error(
        "--restart {}: no certificate has {}",
        names.join(", --restart "),
        if names.len() == 1 { "that name" } else { "those names" }
    )]
    UnknownRestart { names: Vec<String> },
    /// `--target` patterns that match no certificate.
    #[error(
        "--target {}: no certificate has {}; nothing was sent",
        names.join(", --target "),
        if names.len() == 1 { "that name" } else { "those names" }
    )]
    UnknownTarget { names: Vec<String> },
    /// `import --out DIR`: DIR holds something and `--force` was not given.
    #[error("{} is not empty; nothing was written (--force replaces it)", dir.display())]
    ImportNotEmpty { dir: PathBuf },
    /// `import`: certificates that cannot be imported, one line each.
    #[error("{}nothing was written", problems.iter().map(|p| format!("{p}\n")).collect::<String>())]
    ImportUnavailable { problems: Vec<String> },
    /// `import`: the tree could not be written (nothing of it is left).
    #[error("cannot write {}: {source}; nothing was written", dir.display())]
    ImportWrite { dir: PathBuf, source: io::Error },
    /// `apply --plan FILE`: the saved plan cannot be applied as it stands.
    #[error("cannot apply the saved plan {}: {message}\nnothing was sent", path.display())]
    SavedPlan { path: PathBuf, message: String },
    /// `plan --out FILE` could not be written; the plan itself ran.
    #[error("--out: {error}")]
    PlanOut { error: WriteError },
    /// No usable credentials.
    #[error("{source}")]
    Credentials { source: CredentialError },
    /// An account's credentials or site cannot be used.
    #[error("account `{account}`: {message}")]
    Account { account: String, message: String },
    /// The endpoint, the proxy or the HTTP client cannot be set up.
    #[error("{message}")]
    Connection { message: String },
    /// The built-in emulator did not start.
    #[error("cannot start the built-in emulator: {source}")]
    EmulatorStart { source: io::Error },
    /// `--emulator`: the directory or a PATH that keys the state is unusable.
    #[error("cannot keep the emulator's state ({}): {source}", path.display())]
    EmulatorState { path: PathBuf, source: io::Error },
    /// `tccert emulator` stopped with an error.
    #[error("emulator: {source}")]
    Emulator { source: io::Error },
    /// The async runtime did not start.
    #[error("cannot start the async runtime: {source}")]
    Runtime { source: io::Error },
    /// Standard input could not be read (`debug-sign`'s body, a `-` PATH).
    #[error("cannot read standard input: {source}")]
    Stdin { source: io::Error },
    /// A CSR `csr inspect` cannot read or vouch for.
    #[error("{message}")]
    Csr { message: String },
    /// Names `csr new` refuses, or a key it could not make (one line each).
    #[error("{error}")]
    Keygen { error: KeygenError },
    /// `csr new`: the key or CSR file is there already.
    #[error(
        "{} already exist{}; nothing was written (--force replaces)",
        path_list(paths),
        if paths.len() == 1 { "s" } else { "" }
    )]
    Exists { paths: Vec<PathBuf> },
    /// `init`: files of the starter tree are there already.
    #[error(
        "{}nothing was written (--force replaces these files)",
        paths.iter().map(|p| format!("{} already exists\n", p.display())).collect::<String>()
    )]
    StarterExists { paths: Vec<PathBuf> },
    /// A directory to write into could not be made.
    #[error("cannot create {}: {source}", path.display())]
    CreateDir { path: PathBuf, source: io::Error },
    /// Files could not be written (none was replaced half-way).
    #[error("{error}")]
    Write { error: WriteError },
    /// `--json-out FILE` could not be written; the run itself is over.
    #[error("--json-out: {error}")]
    JsonOut { error: WriteError, run_code: u8 },
    /// The man pages could not be rendered.
    #[error("cannot render the man {what}: {source}")]
    ManPage {
        what: &'static str,
        source: io::Error,
    },
}

impl CommandError {
    /// The exit code of a command stopped by this error (docs/cli.md, "Exit
    /// codes").
    pub fn exit_code(&self) -> u8 {
        match self {
            // A report that cannot be written fails a run that succeeded
            // (the caller asked for it); an interrupted run keeps its 130.
            CommandError::JsonOut {
                run_code: EXIT_INTERRUPTED,
                ..
            } => EXIT_INTERRUPTED,
            _ => EXIT_FAILURE,
        }
    }

    /// The text for stderr: every line as `error: …`, so no line of a
    /// message (a path, a name) stands on its own.
    pub fn render(&self) -> String {
        self.to_string()
            .lines()
            .map(|line| format!("error: {line}\n"))
            .collect()
    }
}

impl From<CredentialError> for CommandError {
    fn from(source: CredentialError) -> Self {
        CommandError::Credentials { source }
    }
}

impl From<KeygenError> for CommandError {
    fn from(error: KeygenError) -> Self {
        CommandError::Keygen { error }
    }
}

impl From<WriteError> for CommandError {
    fn from(error: WriteError) -> Self {
        CommandError::Write { error }
    }
}

/// "a, b and c" for a list of paths in a message.
fn path_list(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    match shown.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => shown.join(""),
    }
}

/// Paths as owned values, for an error that outlives the command's borrows.
pub(super) fn owned(paths: &[&Path]) -> Vec<PathBuf> {
    paths.iter().map(|p| p.to_path_buf()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_is_an_error_line() {
        let error = CommandError::StarterExists {
            paths: vec!["t/a.yaml".into(), "t/b.yaml".into()],
        };
        assert_eq!(
            error.render(),
            "error: t/a.yaml already exists\nerror: t/b.yaml already exists\n\
             error: nothing was written (--force replaces these files)\n"
        );
        assert_eq!(error.exit_code(), EXIT_FAILURE);
    }

    #[test]
    fn lists_read_as_sentences() {
        let one = CommandError::Exists {
            paths: vec!["k.pem".into()],
        };
        assert_eq!(
            one.to_string(),
            "k.pem already exists; nothing was written (--force replaces)"
        );
        let two = CommandError::Exists {
            paths: vec!["k.pem".into(), "c.csr".into()],
        };
        assert_eq!(
            two.to_string(),
            "k.pem and c.csr already exist; nothing was written (--force replaces)"
        );
        let names = CommandError::UnknownResubmit {
            names: vec!["a*".into(), "b".into()],
        };
        assert_eq!(
            names.to_string(),
            "--resubmit a*, --resubmit b: no certificate has those names"
        );
    }

    #[test]
    fn an_unwritten_json_report_fails_the_run_but_keeps_an_interrupt() {
        let error = |run_code| CommandError::JsonOut {
            error: WriteError {
                path: "r.json".into(),
                error: io::ErrorKind::PermissionDenied.into(),
                written: Vec::new(),
            },
            run_code,
        };
        assert_eq!(error(EXIT_INTERRUPTED).exit_code(), EXIT_INTERRUPTED);
        assert_eq!(error(0).exit_code(), EXIT_FAILURE);
        assert_eq!(error(2).exit_code(), EXIT_FAILURE);
        assert!(
            error(0)
                .render()
                .starts_with("error: --json-out: cannot write r.json: "),
            "{}",
            error(0).render()
        );
    }
}
