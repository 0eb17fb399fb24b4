//! `tccert import [ID...] --out DIR`: read certificates that exist (the IDs
//! given, or every one `DescribeCertificates` lists at a status with
//! information), and write a manifest tree for them (docs/cli.md, "import").
//! The tree is built in a directory beside DIR and renamed into place, so
//! a failure or a signal leaves nothing half-written.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value as Json};

use super::runner::{self, OnSignal, Runner, write_json_out};
use super::settings::{RunAccounts, check_json_out};
use super::{
    CommandError, CommandResult, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, emit, load_and_validate,
    print_stderr, report_invalid,
};
use crate::api::action::Action;
use crate::api::error::CallError;
use crate::api::reply::{CertificateDetail, ListPaging};
use crate::api::request::detail_body;
use crate::api::status::{
    BEING_REISSUED, DNS_RECORD_ADDED, INFO_SUBMITTED, ISSUED, PENDING_SUBMISSION, UNDER_REVIEW,
};
use crate::certificate::Account;
use crate::cli::{ImportArgs, ManifestArgs, Output};
use crate::import_tree::{self as import, Imported, Tree};
use crate::outfile::{self, NewFile};
use crate::output::format::Report;
use crate::output::{self, import::Skipped};
use crate::plan::{self, StopReason};
use crate::source::printable;
use crate::system::RealFileSystem;
use crate::transport::Transport;

/// The statuses whose certificates are imported when no ID is named: pending
/// information (5) when it holds some, and those whose information is with
/// the CA or done (0, 1, 4, 8, 11).
pub const IMPORTED_STATUSES: [u64; 6] = [
    PENDING_SUBMISSION,
    UNDER_REVIEW,
    ISSUED,
    DNS_RECORD_ADDED,
    INFO_SUBMITTED,
    BEING_REISSUED,
];

type Reader = plan::Run<crate::transport::HttpTransport>;

/// One `DescribeCertificateDetail` reply.
type Reply = Result<Map<String, Json>, CallError>;

pub async fn run(args: &ImportArgs) -> CommandResult {
    if let Some(path) = &args.read.json_out {
        check_json_out(path, &RealFileSystem)?;
    }
    if !args.force && !is_empty_or_absent(&args.out) {
        return Err(CommandError::ImportNotEmpty {
            dir: args.out.clone(),
        });
    }
    // --force replaces DIR whole: never a repository's root, whose history
    // would go with it.
    if args.force && args.out.join(".git").exists() {
        return Err(CommandError::Usage {
            message: format!(
                "--force would replace {} whole, and it holds a git repository (.git); import into a folder of it instead, e.g. {}; nothing was read",
                args.out.display(),
                args.out.join("manifests").display()
            ),
        });
    }
    // `--account NAME`: read with that account's credentials (its site,
    // unless --endpoint replaces it), so only its certificates are listed;
    // the default credentials are not looked for.
    let account = match &args.account {
        Some(name) => match import_account(name, &args.accounts, args.output, &args.trust)? {
            Some(account) => Some(account),
            None => return Ok(EXIT_FAILURE),
        },
        None => None,
    };
    let run_accounts = RunAccounts {
        accounts: account.iter().collect(),
        needs_default: account.is_none(),
    };
    // `--emulator PATH...`: the state `apply PATH... --emulator` kept.
    let emulated = if args.emulator.is_empty() {
        None
    } else {
        Some(
            runner::open_emulator(
                &args.emulator,
                false,
                &[],
                &run_accounts,
                None,
                args.read.rate,
                args.emulator_issue_after,
            )
            .await?,
        )
    };
    let mut runner = Runner::open_readers(emulated, &args.read, &run_accounts, &[])?;
    let run = runner
        .ordered()
        .first()
        .cloned()
        .ok_or_else(|| CommandError::Connection {
            message: "internal error: no connection to read with".into(),
        })?;
    let account_name = account.as_ref().map(|a| a.name.as_str());

    // A signal: stop reading; a tree not yet renamed into place is dropped.
    runner.handle_signals(OnSignal::CutOff);
    let read = read_certificates(&run, &args.ids).await;
    runner.stop_emulator().await;
    if runner.interrupted() {
        runner.close().await;
        print_stderr("tccert: interrupted; nothing was written\n");
        return Ok(EXIT_INTERRUPTED);
    }
    let (certificates, skipped) = read?;
    if certificates.is_empty() {
        runner.close().await;
        print_stderr(&format!(
            "tccert: no certificate with information to import; nothing was written{}\n",
            output::import::skipped_note(&skipped)
        ));
        let tree = Tree::default();
        let report = Report::Import {
            dir: &args.out,
            account: account_name,
            tree: &tree,
            skipped: &skipped,
            written: false,
        };
        emit(args.output, &report);
        let json = output::import::to_json(&args.out, account_name, &tree, &skipped);
        return write_json_out(args.read.json_out.as_deref(), &json, EXIT_OK);
    }
    let tree = import::build(&certificates, account_name);
    let written = write_tree(&args.out, &tree, args.force, runner.signal_flag());
    runner.close().await;
    match written {
        Ok(true) => {}
        Ok(false) => {
            print_stderr("tccert: interrupted; nothing was written\n");
            return Ok(EXIT_INTERRUPTED);
        }
        Err(source) => {
            return Err(CommandError::ImportWrite {
                dir: args.out.clone(),
                source,
            });
        }
    }
    let report = Report::Import {
        dir: &args.out,
        account: account_name,
        tree: &tree,
        skipped: &skipped,
        written: true,
    };
    emit(args.output, &report);
    let json = output::import::to_json(&args.out, account_name, &tree, &skipped);
    write_json_out(args.read.json_out.as_deref(), &json, EXIT_OK)
}

/// The Account `--account NAME` names, from the manifests of `--accounts
/// PATH...` (validated as any manifests; their variables are read later,
/// when connecting, as for a real endpoint). `None`: the manifests are not
/// valid, and their diagnostics were shown.
fn import_account(
    name: &str,
    paths: &[PathBuf],
    output: Output,
    trust: &crate::cli::TrustArgs,
) -> Result<Option<Account>, CommandError> {
    let manifests = ManifestArgs {
        output,
        trust: trust.clone(),
        ..ManifestArgs::new(paths.to_vec())
    };
    let (loaded, validated, diagnostics) = load_and_validate(&manifests)?;
    let Some(validated) = validated else {
        report_invalid(output, &loaded, &diagnostics);
        print_stderr("tccert: --accounts: the manifests are not valid; nothing was read\n");
        return Ok(None);
    };
    // Their warnings (an Account no certificate uses, above all) say
    // nothing about an import, which reads the Account alone.
    let known: Vec<String> = validated.accounts.iter().map(|a| a.name.clone()).collect();
    match validated.accounts.into_iter().find(|a| a.name == name) {
        Some(account) => Ok(Some(account)),
        None => Err(CommandError::Usage {
            message: format!(
                "--account {}: no Account document of that name in --accounts {} ({}); nothing was read",
                printable(name),
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                if known.is_empty() {
                    "they hold no Account".to_owned()
                } else {
                    format!("accounts there: {}", known.join(", "))
                }
            ),
        }),
    }
}

/// True when `dir` does not exist or is an empty directory.
fn is_empty_or_absent(dir: &Path) -> bool {
    match std::fs::symlink_metadata(dir) {
        Err(error) => error.kind() == std::io::ErrorKind::NotFound,
        Ok(meta) if meta.is_dir() => std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()),
        Ok(_) => false,
    }
}

/// The certificates to import and the ones left out. A named ID that cannot
/// be read or holds no information fails the import; so does any read that
/// fails when listing (an import that silently missed some would look whole).
async fn read_certificates(
    run: &Arc<Reader>,
    ids: &[String],
) -> Result<(Vec<Imported>, Vec<Skipped>), CommandError> {
    let fail = |problems: Vec<String>| CommandError::ImportUnavailable { problems };
    let named = !ids.is_empty();
    let mut skipped = Vec::new();
    let wanted: Vec<String> = if named {
        let mut unique = Vec::new();
        for id in ids {
            if !unique.contains(id) {
                unique.push(id.clone());
            }
        }
        unique
    } else {
        let listed = list(run)
            .await
            .map_err(|e| fail(vec![format!("DescribeCertificates failed: {e}")]))?;
        let mut wanted = Vec::new();
        for (id, status) in listed {
            if IMPORTED_STATUSES.contains(&status) {
                wanted.push(id);
            } else {
                skipped.push(Skipped {
                    certificate_id: id,
                    status: Some(status),
                    reason: format!(
                        "status {status} ({})",
                        crate::api::status::short_name(status)
                    ),
                });
            }
        }
        wanted
    };

    let mut tasks = tokio::task::JoinSet::new();
    for (index, id) in wanted.iter().enumerate() {
        let run = Arc::clone(run);
        let id = id.clone();
        tasks.spawn(async move {
            let result = run
                .read(Action::DescribeCertificateDetail, &detail_body(&id), &id)
                .await;
            (index, result)
        });
    }
    let mut replies: Vec<(usize, Reply)> = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(reply) = joined {
            replies.push(reply);
        }
    }
    replies.sort_by_key(|(i, _)| *i);

    let mut problems = Vec::new();
    let mut certificates = Vec::new();
    for (index, reply) in replies {
        let id = &wanted[index];
        let response = match reply {
            Ok(response) => response,
            Err(error) => {
                problems.push(format!("{id}: {error}"));
                continue;
            }
        };
        let detail = CertificateDetail::from_response(&response);
        let status = detail.status;
        if !import::has_information(detail.submitted.as_ref()) {
            let reason = "its SubmittedData holds no information".to_owned();
            if named {
                problems.push(format!("{id}: {reason}"));
            } else {
                skipped.push(Skipped {
                    certificate_id: id.clone(),
                    status,
                    reason,
                });
            }
            continue;
        }
        let name_tag = detail
            .tag(crate::certificate::CERTIFICATE_TAG)
            .map(str::to_owned);
        certificates.push(Imported {
            certificate_id: id.clone(),
            domain: detail.domain.unwrap_or_default(),
            status: status.unwrap_or_default(),
            is_dv: detail.is_dv,
            name_tag,
            submitted: detail.submitted.unwrap_or_default(),
        });
    }
    for stop in plan::stops(std::slice::from_ref(run)) {
        if stop.reason != StopReason::Interrupted {
            problems.push(crate::output::report::stop_message(&stop));
        }
    }
    if problems.is_empty() {
        Ok((certificates, skipped))
    } else {
        Err(fail(problems))
    }
}

/// Every certificate `DescribeCertificates` lists, `(id, status)`, page by
/// page at the read pace (the paging: [`ListPaging`]).
async fn list<T: Transport>(run: &plan::Run<T>) -> Result<Vec<(String, u64)>, CallError> {
    let mut paging = ListPaging::default();
    loop {
        let page = run
            .read(
                Action::DescribeCertificates,
                &paging.next_body(),
                "DescribeCertificates",
            )
            .await?;
        if paging.take(&page)? {
            return Ok(paging
                .into_items()
                .into_iter()
                .map(|item| (item.certificate_id, item.status))
                .collect());
        }
    }
}

/// A directory being built beside DIR; removed when dropped unless kept.
struct Staging {
    path: PathBuf,
    keep: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A hidden sibling of `dir` that nobody else names: created exclusively.
fn sibling(dir: &Path, what: &str) -> std::io::Result<PathBuf> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let name = dir
        .file_name()
        .map_or_else(|| "import".into(), |n| n.to_string_lossy().into_owned());
    Ok(parent.join(format!(
        ".{name}.tccert-{what}-{}-{:08x}",
        std::process::id(),
        fastrand::u32(..)
    )))
}

/// Writes the tree into a fresh directory beside `dir` and renames it into
/// place (moving a `--force`d old DIR aside first, and removing it after).
/// `Ok(false)`: a signal came before the rename, and nothing was left.
fn write_tree(
    dir: &Path,
    tree: &Tree,
    force: bool,
    signalled: &AtomicBool,
) -> std::io::Result<bool> {
    let path = sibling(dir, "import")?;
    std::fs::create_dir(&path)?;
    let mut staging = Staging { path, keep: false };
    for file in &tree.files {
        let target = staging.path.join(&file.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        outfile::write_all(
            &[NewFile {
                path: &target,
                contents: file.contents.as_bytes(),
                private: false,
            }],
            false,
        )
        .map_err(|e| std::io::Error::new(e.error.kind(), e.to_string()))?;
    }
    if signalled.load(Ordering::SeqCst) {
        return Ok(false);
    }
    if !is_empty_or_absent(dir) {
        if !force {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "it is no longer empty",
            ));
        }
        let old = sibling(dir, "replaced")?;
        std::fs::rename(dir, &old)?;
        if let Err(error) = std::fs::rename(&staging.path, dir) {
            let _ = std::fs::rename(&old, dir);
            return Err(error);
        }
        staging.keep = true;
        let removed = if old.is_dir() {
            std::fs::remove_dir_all(&old)
        } else {
            std::fs::remove_file(&old)
        };
        if let Err(error) = removed {
            tracing::warn!("cannot remove the replaced {}: {error}", old.display());
        }
        return Ok(true);
    }
    if dir.exists() {
        // An empty directory: rename does not replace one everywhere.
        std::fs::remove_dir(dir)?;
    }
    std::fs::rename(&staging.path, dir)?;
    staging.keep = true;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Lists 5 certificates two at a time (a server may send fewer than
    /// `Limit`), and notes each page asked for.
    struct Pages {
        asked: std::sync::Mutex<Vec<(u64, u64)>>,
    }

    impl Transport for Pages {
        async fn call(&self, action: Action, body: Map<String, Json>) -> Reply {
            assert_eq!(action, Action::DescribeCertificates);
            let number = |key: &str| body.get(key).and_then(Json::as_u64).unwrap_or(0);
            let (offset, limit) = (number("Offset"), number("Limit"));
            self.asked.lock().unwrap().push((offset, limit));
            let items: Vec<Json> = (offset..5)
                .take(2)
                .map(|i| json!({"CertificateId": format!("id{i}"), "Status": i}))
                .collect();
            Ok(json!({"TotalCount": 5, "Certificates": items})
                .as_object()
                .cloned()
                .unwrap())
        }
    }

    #[tokio::test]
    async fn listing_pages_until_the_total_is_reached() {
        let pages = Arc::new(Pages {
            asked: std::sync::Mutex::new(Vec::new()),
        });
        let options = plan::Options {
            read_rate: 1000.0,
            ..plan::Options::default()
        };
        let run = plan::Run::new(Arc::clone(&pages), options);
        let listed = list(&run).await.unwrap();
        let ids: Vec<&str> = listed.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["id0", "id1", "id2", "id3", "id4"]);
        assert_eq!(listed[3].1, 3);
        assert_eq!(
            *pages.asked.lock().unwrap(),
            [(0, 100), (2, 100), (4, 100)],
            "Limit is 100 (a page of 1000 could pass the reply limit); Offset follows what came"
        );
    }

    #[test]
    fn only_an_absent_or_empty_directory_is_free() {
        let dir = tempfile::tempdir().unwrap();
        assert!(is_empty_or_absent(&dir.path().join("absent")));
        assert!(is_empty_or_absent(dir.path()));
        std::fs::write(dir.path().join("f"), "x").unwrap();
        assert!(!is_empty_or_absent(dir.path()));
        assert!(
            !is_empty_or_absent(&dir.path().join("f")),
            "a file is in the way"
        );
    }

    #[test]
    fn a_signal_before_the_rename_leaves_nothing() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        let tree = crate::import_tree::build(&[], None);
        let stop = AtomicBool::new(true);
        assert!(matches!(write_tree(&out, &tree, false, &stop), Ok(false)));
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0);
        let go = AtomicBool::new(false);
        assert!(matches!(write_tree(&out, &tree, false, &go), Ok(true)));
        assert!(out.join(crate::starter::SCHEMA_PATH).is_file());
        // --force replaces a tree, leaving no sibling behind.
        std::fs::write(out.join("old.yaml"), "x").unwrap();
        assert!(matches!(write_tree(&out, &tree, true, &go), Ok(true)));
        assert!(!out.join("old.yaml").exists());
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 1);
        // Without --force a tree that appeared meanwhile is not touched.
        std::fs::write(out.join("new.yaml"), "x").unwrap();
        assert!(write_tree(&out, &tree, false, &go).is_err());
        assert!(out.join("new.yaml").exists());
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 1);
    }
}
