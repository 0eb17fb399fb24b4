//! `tccert download PATH... --out DIR`: read each certificate (paced as
//! status's reads), and for each issued one (1) ask `DownloadCertificate`
//! for its ZIP, check the archive whole ([`crate::archive`]: no `..`, no
//! absolute path, no link, at most 64 MiB unpacked) and unpack it into
//! `DIR/NAME/` ([`crate::outfile::write_folder`]: files 0600, folders 0700,
//! written under a temporary name and renamed into place). A folder with
//! other content is left alone unless `--force` (docs/cli.md, "download").
//! No file's content is printed or logged: a downloaded private key goes
//! to its file only.

use std::path::Path;

use super::reads::{self, NOT_BOUGHT, Opened, Opening, ReadOptions, read_all};
use super::runner::{OnSignal, Runner, write_json_out};
use super::{CommandResult, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, emit, print_stderr};
use crate::api::error::ApiError;
use crate::api::status::{ISSUED, short_name};
use crate::archive;
use crate::certificate::Certificate;
use crate::cli::DownloadArgs;
use crate::outfile::{self, FolderError, FolderWrite};
use crate::output::download::{Downloaded, Result as Done};
use crate::output::format::Report;
use crate::plan::StopReason;

/// The archive `DownloadCertificate` answered was refused (unsafe or
/// unreadable): nothing written for the certificate.
pub const UNSAFE_ARCHIVE: &str = "tccert.UnsafeArchive";
/// `DIR/NAME/` holds something else and `--force` was not given.
pub const FOLDER_EXISTS: &str = "tccert.FolderExists";
/// Writing `DIR/NAME/` failed: nothing put in place.
pub const WRITE_FAILED: &str = "tccert.WriteFailed";
/// The certificate's name cannot name a folder (`/`, `..`).
pub const UNSAFE_NAME: &str = "tccert.UnsafeName";

pub async fn run(args: &DownloadArgs) -> CommandResult {
    let Opened {
        mut certificates,
        mut runner,
    } = match reads::open(
        &args.manifests,
        &args.read,
        args.emulator,
        args.emulator_issue_after,
    )
    .await?
    {
        Opening::Ready(opened) => opened,
        Opening::Invalid(code) => return Ok(code),
    };
    runner.handle_signals(OnSignal::CutOff);

    let all: Vec<usize> = (0..certificates.len()).collect();
    let reads = read_all(
        runner.runs(),
        &mut certificates,
        &all,
        runner.redactor(),
        ReadOptions {
            deep: false,
            checks: false,
        },
    )
    .await;
    let mut results = Vec::with_capacity(reads.len());
    for (i, read) in reads {
        let (certificate, file) = &certificates[i];
        let mut done = Downloaded {
            name: certificate.name.clone(),
            certificate_id: match certificate.id_or_placeholder() {
                (_, true) => crate::secret::MASK.to_owned(),
                (id, false) => id.to_owned(),
            },
            file: file.display().to_string(),
            account: certificate.account.clone(),
            result: Done::Failed,
            status: None,
            path: None,
            files: Vec::new(),
            note: None,
            error: None,
        };
        match read {
            Err(error) if error.code == NOT_BOUGHT => {
                done.result = Done::Skipped;
                done.note = Some(error.message);
            }
            Err(error) => done.error = Some(error),
            Ok(live) if live.status != ISSUED => {
                done.status = Some(live.status);
                done.result = Done::Skipped;
                done.note = Some(format!(
                    "not issued: {} ({})",
                    short_name(live.status),
                    live.status
                ));
            }
            Ok(live) => {
                done.status = Some(live.status);
                if runner.interrupted() {
                    done.error = Some(ApiError::local(
                        crate::plan::run::NOT_SENT,
                        "not sent: the run was interrupted",
                    ));
                } else {
                    download_one(&runner, certificate, args, &mut done).await;
                }
            }
        }
        results.push(done);
    }
    let stops = runner.close().await;
    let json = crate::output::download::to_json(&results);
    emit(
        args.manifests.output,
        &Report::Download { results: &results },
    );
    let interrupted = stops.iter().any(|s| s.reason == StopReason::Interrupted);
    for stop in stops.iter().filter(|s| s.reason != StopReason::Interrupted) {
        print_stderr(&format!(
            "tccert: {}\n",
            crate::output::report::stop_message(stop)
        ));
    }
    let code = if interrupted {
        EXIT_INTERRUPTED
    } else if results.iter().any(|d| d.result == Done::Failed) {
        EXIT_FAILURE
    } else {
        EXIT_OK
    };
    write_json_out(args.read.json_out.as_deref(), &json, code)
}

/// Whether `name` can name one folder inside DIR: one plain component,
/// not `.` or `..`, no separator.
fn folder_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && Path::new(name).components().count() == 1
}

/// Downloads one issued certificate into `DIR/NAME/`, saying in `done`
/// what became of it.
async fn download_one(
    runner: &Runner,
    certificate: &Certificate,
    args: &DownloadArgs,
    done: &mut Downloaded,
) {
    let fail = |done: &mut Downloaded, code: &str, message: String| {
        done.result = Done::Failed;
        done.error = Some(ApiError::local(code, message));
    };
    if !folder_name(&certificate.name) {
        fail(
            done,
            UNSAFE_NAME,
            format!(
                "the name `{}` cannot name a folder in {} (a `/`, `\\` or a `..`); nothing downloaded",
                certificate.name,
                args.out.display()
            ),
        );
        return;
    }
    let run = match runner.run_for(&certificate.account, &certificate.name) {
        Ok(run) => run,
        Err(error) => {
            fail(done, "ClientError.NoConnection", error.to_string());
            return;
        }
    };
    let zip = match run.download(certificate).await {
        Ok(zip) => zip,
        Err(error) => {
            done.error = Some(ApiError::from(&error));
            return;
        }
    };
    let entries = match archive::read(&zip) {
        Ok(entries) => entries,
        Err(error) => {
            fail(
                done,
                UNSAFE_ARCHIVE,
                format!(
                    "the archive DownloadCertificate answered was refused: {error}; nothing written"
                ),
            );
            return;
        }
    };
    let path = args.out.join(&certificate.name);
    done.path = Some(path.display().to_string());
    let files: Vec<String> = entries
        .iter()
        .filter_map(|e| match e {
            archive::Entry::File { path, .. } => Some(path.clone()),
            archive::Entry::Folder(_) => None,
        })
        .collect();
    match outfile::write_folder(&args.out, &certificate.name, &entries, args.force) {
        Ok(FolderWrite::Created) => {
            done.result = Done::Downloaded;
            done.files = files;
        }
        Ok(FolderWrite::Replaced) => {
            done.result = Done::Downloaded;
            done.files = files;
            done.note = Some("replaced what was there (--force)".into());
        }
        Ok(FolderWrite::Same) => {
            done.result = Done::InSync;
            done.files = files;
            done.note = Some("already there with the same content; left as it is".into());
        }
        Err(error @ FolderError::Differs(_)) => fail(done, FOLDER_EXISTS, error.to_string()),
        Err(error @ (FolderError::Io { .. } | FolderError::OldAside { .. })) => {
            fail(done, WRITE_FAILED, error.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_plain_component_names_a_folder() {
        for good in ["www", "shop.acme", "a b", ".hidden"] {
            assert!(folder_name(good), "{good}");
        }
        for bad in ["", ".", "..", "a/b", "a\\b", "/abs", "x\0"] {
            assert!(!folder_name(bad), "{bad:?}");
        }
    }
}
