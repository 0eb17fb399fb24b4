//! `tccert plan` and `tccert apply`: validate, settle the run's settings,
//! reconcile every certificate against the API (or the built-in emulator),
//! show progress and the report, and exit as docs/cli.md says.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::emulator::{self as commands_emulator, TreeState};
use super::settings::{
    AccountConnection, Connection, RunAccounts, RunFlags, RunSettings, Target, log_proxy,
};
use super::{
    CommandError, CommandResult, EXIT_CHANGES, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK,
    append_step_summary, invalid_json, load_and_validate, print_note, print_stderr, print_stdout,
    report_diagnostics, report_invalid, select_targets, wait_for_signal,
};
use crate::api::credentials::Credentials;
use crate::api::request::{Body, order_body, submit_body};
use crate::certificate::{Account, Certificate};
use crate::cli::{ApiArg, ManifestArgs, Output, RunArgs};
use crate::emulator::{self, EmulatorAccount, EmulatorConfig, RunningEmulator, SeedCertificate};
use crate::manifest::load::Loaded;
use crate::manifest::raw::RawDocument;
use crate::outfile::{self, NewFile};
use crate::output::{github, markdown, report};
use crate::plan::saved::{self, Expected, PlannedCertificate, SavedPlan};
use crate::plan::{self, CertificateReport, Mode, Outcome, Stop, StopReason};
use crate::secret::{Redactor, Secret};
use crate::select::select;
use crate::system::{ProcessEnvironment, ProcessTerminal, RealFileSystem, Terminal};
use crate::transport::{Endpoint, HttpTransport, TransportConfig, run_secrets};

pub async fn run(args: &RunArgs, mode: Mode) -> CommandResult {
    run_with(args, mode, &ProcessTerminal).await
}

/// Whether apply asks before sending (docs/cli.md, "Apply on a terminal"):
/// on a terminal, unless `--auto-approve`, `--plan FILE` (the plan was the
/// review) or `--emulator` (nothing leaves the machine; the quick start
/// stays one command).
pub fn asks_first(args: &RunArgs, mode: Mode, interactive: bool) -> bool {
    mode == Mode::Apply
        && interactive
        && !args.auto_approve
        && args.plan.is_none()
        && !args.emulator
}

/// The question, for `changes` certificates with something to write.
pub fn question(changes: usize) -> String {
    format!("Apply these {changes} changes? Only 'yes' goes on: ")
}

/// Only `yes` goes on, as in Terraform (surrounding blanks aside).
pub fn approved(answer: &str) -> bool {
    answer.trim() == "yes"
}

/// What the plan shown before the question found.
#[derive(Debug, Default)]
struct Preview {
    /// Certificates with something to write; `None`: the run did not get
    /// as far as reading (invalid manifests, an error).
    changes: Option<usize>,
    /// The exit code apply would give with nothing to write.
    apply_code: u8,
}

/// `run`, with the terminal given.
pub async fn run_with(args: &RunArgs, mode: Mode, terminal: &dyn Terminal) -> CommandResult {
    RunFlags::check(args, mode, &RealFileSystem)?;
    if asks_first(args, mode, terminal.interactive()) {
        // The plan first, read live and shown as plan shows it.
        let mut preview = Preview::default();
        let code = run_mode(args, Mode::Plan, Some(&mut preview)).await?;
        let Some(changes) = preview.changes else {
            return Ok(code);
        };
        if changes == 0 {
            print_stderr("No changes: nothing to apply.\n");
            return Ok(preview.apply_code);
        }
        let answer = terminal
            .ask(&question(changes))
            .map_err(|source| CommandError::Stdin { source })?;
        if !approved(&answer) {
            print_stderr("apply cancelled: only 'yes' goes on; nothing sent\n");
            return Ok(EXIT_FAILURE);
        }
    }
    run_mode(args, mode, None).await
}

async fn run_mode(args: &RunArgs, mode: Mode, preview: Option<&mut Preview>) -> CommandResult {
    // `apply --plan FILE`: the manifests, options and certificates are the
    // plan's; the flags given may only say how to connect.
    let saved = match &args.plan {
        Some(path) => {
            let plan = read_saved_plan(path)?;
            check_same_place(path, &plan, &RealFileSystem)?;
            Some((path.as_path(), plan))
        }
        None => None,
    };
    let recorded;
    let manifests = match &saved {
        Some((path, plan)) => {
            recorded = recorded_manifests(path, plan, &args.manifests)?;
            &recorded
        }
        None => &args.manifests,
    };
    let (loaded, validated, diagnostics) = load_and_validate(manifests)?;
    let Some(validated) = validated else {
        report_invalid(args.manifests.output, &loaded, &diagnostics);
        let json = invalid_json(&loaded, &diagnostics);
        return write_json_out(args.json_out.as_deref(), &json, EXIT_FAILURE);
    };
    report_diagnostics(args.manifests.output, &loaded, &diagnostics);
    let files_read = files_read(&loaded);
    if let Some((path, plan)) = &saved {
        check_files(path, plan, &files_read)?;
    }
    let resubmit_patterns = saved
        .as_ref()
        .map_or(&args.resubmit, |(_, plan)| &plan.resubmit);
    let resubmit = select(
        resubmit_patterns,
        validated.certificates.iter().map(|c| c.name.as_str()),
    )
    .map_err(|names| CommandError::UnknownResubmit { names })?;
    let chosen = match &saved {
        Some((path, plan)) => planned_certificates(path, plan, validated.certificates, &loaded)?,
        None => select_targets(&args.manifests.target, validated.certificates)?,
    };
    if let Some((path, plan)) = &saved
        && plan.emulator != args.emulator
    {
        // Before credentials are looked for: the plan cannot be applied here.
        check_endpoint(path, plan, (!args.emulator).then_some("the API"))?;
    }
    // Only the accounts of the certificates this run sends need their
    // credentials (`--target`, a saved plan's certificates).
    let run_accounts = RunAccounts::of(&chosen, &validated.accounts);
    let mut settings = RunSettings::resolve(
        args,
        mode,
        &run_accounts,
        &ProcessEnvironment,
        &RealFileSystem,
        std::io::stderr().is_terminal(),
    )?;
    let endpoint = recorded_endpoint(&settings.target);
    let account_endpoints = recorded_account_endpoints(&settings.target);
    if let Some((path, plan)) = &saved {
        check_endpoint(path, plan, endpoint.as_deref())?;
        check_account_endpoints(path, plan, &account_endpoints)?;
        settings.commit_all = plan.commit;
    }
    let certificates: Vec<(Certificate, PathBuf)> = chosen
        .into_iter()
        .map(|c| {
            let file = loaded.files.path(c.file).to_path_buf();
            (c, file)
        })
        .collect();
    let expected: BTreeMap<String, Expected> = saved
        .as_ref()
        .map(|(_, plan)| {
            plan.certificates
                .iter()
                .map(|c| (c.name.clone(), Expected::from_planned(c)))
                .collect()
        })
        .unwrap_or_default();
    // `apply --plan`: a planned body that changed means the manifest files
    // changed, and nothing of the plan is read or sent. The run below then
    // goes with no certificate, and these reports stand for them.
    let changed = saved::changed_bodies(&expected, &certificates);
    let certificates = if changed.is_some() {
        Vec::new()
    } else {
        certificates
    };

    // Where to send, and as whom: the emulator, or the real API; one
    // connection per account (the default credentials counting as one).
    let (connections, running_emulator) = match settings.target {
        Target::Emulator => {
            // The tree read: the plan's PATHs under `apply --plan`.
            let state = emulator_state(&manifests.paths, args.emulator_reset)?;
            let (connections, running) = start_emulator(
                &certificates,
                &run_accounts,
                settings.region.as_ref(),
                settings.write_rate,
                state,
            )
            .await?;
            (connections, Some(running))
        }
        Target::Api { default, accounts } => (
            run_connections(
                default.map(|d| *d),
                accounts,
                settings.region.as_ref(),
                settings.write_rate,
            ),
            None,
        ),
    };
    let bodies: Vec<Body> = certificates
        .iter()
        .flat_map(|(c, _)| [submit_body(c), order_body(c)])
        .collect();
    let options = plan::Options {
        mode,
        commit_all: settings.commit_all,
        timeout: settings.timeout,
        resubmit,
        values: if args.no_values {
            plan::changes::Values::Withheld
        } else {
            plan::changes::Values::Shown
        },
        saved: expected,
        // `apply --plan`: read as the plan read (`--deep` beside `--plan`
        // is refused).
        deep: saved.as_ref().map_or(args.deep, |(_, plan)| plan.deep),
        ..plan::Options::default()
    };
    let (runs, _) = account_runs(connections, &bodies, &options, Pace::Writes)?;
    let mut work = Vec::with_capacity(certificates.len());
    for (certificate, file) in certificates {
        let run =
            runs.get(&certificate.account)
                .cloned()
                .ok_or_else(|| CommandError::Connection {
                    message: format!(
                        "internal error: no connection for the account of certificate `{}`",
                        certificate.name
                    ),
                })?;
        work.push((run, certificate, file));
    }
    // In a stable order (the default credentials first, then by name), for
    // the stops of the report.
    let mut runs: Vec<(Option<String>, Arc<plan::Run<HttpTransport>>)> = runs.into_iter().collect();
    runs.sort_by(|a, b| a.0.cmp(&b.0));
    let runs: Vec<Arc<plan::Run<HttpTransport>>> = runs.into_iter().map(|(_, r)| r).collect();

    let output = settings.output;
    let progress = settings.progress.then(|| progress_bar(mode, work.len()));
    let on_done: plan::OnDone = match (&progress, output) {
        (Some(bar), _) => {
            let bar = bar.clone();
            Arc::new(move |report: &CertificateReport| {
                if report.outcome == Outcome::Failed {
                    bar.println(report::line(report));
                }
                bar.inc(1);
            })
        }
        (None, Output::Text | Output::Github) => Arc::new(|report: &CertificateReport| {
            print_stdout(&format!("{}\n", report::line(report)))
        }),
        // stdout is the Markdown document; progress lines go to the log.
        (None, Output::Markdown) => Arc::new(|report: &CertificateReport| {
            print_stderr(&format!("{}\n", report::line(report)))
        }),
        (None, Output::Json) => Arc::new(|_: &CertificateReport| {}),
    };

    // SIGINT/SIGTERM: write nothing new, settle what is in flight (paced),
    // report. A second signal cuts everything off at once.
    // Every account's run stops at once.
    let interrupt = {
        let runs = runs.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            runs.iter()
                .for_each(|run| run.stop(StopReason::Interrupted));
            wait_for_signal().await;
            runs.iter().for_each(|run| run.cut_off_now());
        })
    };
    for report in changed.iter().flatten() {
        on_done(report);
    }
    let reports = plan::run_all(work, on_done).await;
    let reports = changed.unwrap_or(reports);
    interrupt.abort();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Some(running) = running_emulator {
        running.shutdown().await;
    }

    let stops = plan::stops(&runs);
    let json = report::to_json(&reports, &stops);
    match output {
        // The plan shown before apply's question, when stdout carries a
        // document (JSON, Markdown, GitHub): the table, on stderr, so that
        // stdout holds apply's report alone.
        _ if preview.is_some() && output != Output::Text => {
            print_stderr(&report::table(mode, &reports, &stops));
        }
        Output::Json => print_stdout(&format!("{json:#}\n")),
        Output::Text | Output::Github => {
            if !reports.is_empty() {
                print_stdout("\n");
            }
            print_stdout(&report::table(mode, &reports, &stops));
            if output == Output::Github {
                print_stdout(&github::github_report(
                    &loaded.files,
                    mode,
                    &reports,
                    &stops,
                ));
                append_step_summary(&markdown::markdown_report(mode, &reports, &stops));
            }
        }
        Output::Markdown => print_stdout(&markdown::markdown_report(mode, &reports, &stops)),
    }
    for warning in reports.iter().filter(|r| r.outcome == Outcome::Skipped) {
        tracing::warn!(certificate = %warning.name, "skipped: {}", warning.notes.join("; "));
    }
    let mut code = exit_code(mode, settings.detailed_exitcode, &reports, &stops);
    // `apply --plan`: drift the plan found fails the apply as it fails
    // `apply PATH...` (nothing is sent for a drifted certificate either way).
    if let Some((_, plan)) = &saved
        && !plan.drift.is_empty()
    {
        print_stderr(&format!(
            "drift: {} (found by the plan; nothing sent for {}): change the manifest back, or cancel the review in the console and plan again\n",
            plan.drift.join(", "),
            if plan.drift.len() == 1 { "it" } else { "them" }
        ));
        if code == EXIT_OK {
            code = EXIT_FAILURE;
        }
    }
    if let Some(preview) = preview {
        let changes = reports
            .iter()
            .filter(|r| r.outcome == Outcome::Planned)
            .count();
        preview.changes = Some(changes);
        preview.apply_code = exit_code(Mode::Apply, false, &reports, &stops);
        if changes > 0 {
            // Apply's own run writes the report of what it did.
            return Ok(code);
        }
        return write_json_out(settings.json_out.as_deref(), &json, preview.apply_code);
    }
    if let Some(out) = &args.out
        && matches!(code, EXIT_OK | EXIT_CHANGES)
    {
        // Paths relative to where plan ran, which is recorded too.
        let here = std::env::current_dir().ok();
        let relative = |path: &Path| match &here {
            Some(dir) => saved::relative_to(dir, path),
            None => path.to_path_buf(),
        };
        // A file under an absolute PATH is named as the loader will name it
        // when apply reads that PATH made relative (`.` + `a.yaml` is
        // `./a.yaml`).
        let relative_file = |file: &Path| {
            args.manifests
                .paths
                .iter()
                .filter(|p| p.is_absolute())
                .find_map(|p| Some(relative(p).join(file.strip_prefix(p).ok()?)))
                .unwrap_or_else(|| relative(file))
        };
        let plan = SavedPlan {
            format: saved::FORMAT.into(),
            format_version: saved::FORMAT_VERSION,
            tccert_version: saved::TCCERT_VERSION.into(),
            endpoint,
            emulator: args.emulator,
            account_endpoints,
            paths: args.manifests.paths.iter().map(|p| relative(p)).collect(),
            files: files_read.iter().map(|p| relative_file(p)).collect(),
            directory: here.clone(),
            api: args.manifests.api.map(|api| {
                crate::certificate::Api::from(api)
                    .action()
                    .name()
                    .to_string()
            }),
            commit: args.commit,
            resubmit: args.resubmit.clone(),
            target: args.manifests.target.clone(),
            deep: args.deep,
            certificates: planned(&reports)
                .into_iter()
                .map(|c| PlannedCertificate {
                    file: relative_file(&c.file),
                    ..c
                })
                .collect(),
            drift: reports
                .iter()
                .filter(|r| r.outcome == Outcome::Drift)
                .map(|r| r.name.clone())
                .collect(),
        };
        write_saved_plan(out, &plan)?;
        // On stderr, as Terraform says where it saved a plan: stdout is
        // the report (JSON or Markdown for some callers).
        // The command that applies it, with `--emulator` when the plan was
        // made with it (the plan is applied only where it was made).
        print_note(&format!(
            "saved plan: {} ({} certificate{} to write); apply it with `tccert apply --plan {}{}`\n",
            out.display(),
            plan.certificates.len(),
            report::plural(plan.certificates.len()),
            out.display(),
            if args.emulator { " --emulator" } else { "" }
        ));
    }
    write_json_out(settings.json_out.as_deref(), &json, code)
}

/// The certificates a plan run would write, with what the saved plan
/// records of each.
fn planned(reports: &[CertificateReport]) -> Vec<PlannedCertificate> {
    reports
        .iter()
        .filter(|r| r.outcome == Outcome::Planned)
        .filter_map(|r| {
            let digests = r.digests.as_ref()?;
            Some(PlannedCertificate {
                name: r.name.clone(),
                file: r.file.clone(),
                actions: r.actions.iter().map(|a| a.name().to_string()).collect(),
                status: r.status?,
                body_digest: digests.body.clone(),
                live_digest: digests.live.clone(),
                account: r.account.clone(),
            })
        })
        .collect()
}

/// Writes the saved plan whole (a temporary file renamed over FILE), so an
/// interrupted write never leaves half a plan. Not private: it holds no
/// secret, and CI hands it from job to job.
fn write_saved_plan(path: &Path, plan: &SavedPlan) -> Result<(), CommandError> {
    let text = saved::to_text(plan).map_err(|message| CommandError::Usage {
        message: format!(
            "--out {}: cannot record the plan: {message}",
            path.display()
        ),
    })?;
    let file = NewFile {
        path,
        contents: text.as_bytes(),
        private: false,
    };
    outfile::write_all(&[file], true).map_err(|error| CommandError::PlanOut { error })?;
    Ok(())
}

/// The most a plan file may hold: far more than any real plan (a few hundred
/// bytes a certificate), and a bound on what a wrong FILE can make us read.
const MAX_PLAN_BYTES: u64 = 64 << 20;

/// Reads and checks `apply --plan FILE`: whole, a plan, from this tccert,
/// unedited.
fn read_saved_plan(path: &Path) -> Result<SavedPlan, CommandError> {
    let fail = |message: String| CommandError::SavedPlan {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut std::io::Read::take(file, MAX_PLAN_BYTES + 1),
        &mut text,
    )
    .map_err(|e| fail(e.to_string()))?;
    if text.len() as u64 > MAX_PLAN_BYTES {
        return Err(fail(format!(
            "larger than {} MiB: not a plan file",
            MAX_PLAN_BYTES >> 20
        )));
    }
    saved::parse(&text).map_err(|e| fail(e.to_string()))
}

/// `apply --plan` resolves the plan's paths from its own current directory:
/// when none of the files the plan read is there, apply runs from another
/// place than plan did, and says so (rather than "no manifest found" or a
/// misleading `stale`).
fn check_same_place(
    path: &Path,
    plan: &SavedPlan,
    files: &dyn crate::system::FileSystem,
) -> Result<(), CommandError> {
    let here = |p: &PathBuf| files.kind(p).is_ok();
    if plan.files.is_empty() || plan.files.iter().any(here) {
        return Ok(());
    }
    let made_in = plan.directory.as_ref().map_or_else(
        || "another directory".to_string(),
        |dir| dir.display().to_string(),
    );
    let paths: Vec<String> = plan.paths.iter().map(|p| p.display().to_string()).collect();
    Err(CommandError::SavedPlan {
        path: path.to_path_buf(),
        message: format!(
            "none of the files it read is here: {} is not found from this directory. The plan was made in {made_in} (PATH {}); run apply from the same place in the tree, where {} is",
            plan.files[0].display(),
            paths.join(" "),
            plan.files[0].display(),
        ),
    })
}

/// The manifests as the plan read them: its PATHs and `--api`, with this
/// run's output format and input budget.
fn recorded_manifests(
    path: &Path,
    plan: &SavedPlan,
    given: &ManifestArgs,
) -> Result<ManifestArgs, CommandError> {
    use clap::ValueEnum as _;
    let api = match &plan.api {
        Some(name) => Some(
            ApiArg::from_str(name, false).map_err(|_| CommandError::SavedPlan {
                path: path.to_path_buf(),
                message: format!("it names an API this tccert does not know: {name}"),
            })?,
        ),
        None => None,
    };
    Ok(ManifestArgs {
        paths: plan.paths.clone(),
        output: given.output,
        api,
        max_input_bytes: given.max_input_bytes,
        max_files: given.max_files,
        target: Vec::new(),
        // Never from the plan: this command line's own.
        trust: given.trust.clone(),
        strict: given.strict,
    })
}

/// Every file a run read: the manifests, then the CSR files they name.
fn files_read(loaded: &Loaded) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = loaded.files.paths().map(Path::to_path_buf).collect();
    for (_, document) in &loaded.documents {
        if let RawDocument::Certificate(certificate) = document
            && let Some(csr) = &certificate.csr.loaded_file
            && !files.contains(&csr.path)
        {
            files.push(csr.path.clone());
        }
    }
    files
}

/// The files read now must be the ones the plan read: none gone, none new.
fn check_files(path: &Path, plan: &SavedPlan, now: &[PathBuf]) -> Result<(), CommandError> {
    let gone: Vec<String> = plan
        .files
        .iter()
        .filter(|f| !now.contains(f))
        .map(|f| format!("{} was read by the plan and is gone", f.display()))
        .collect();
    let new: Vec<String> = now
        .iter()
        .filter(|f| !plan.files.contains(f))
        .map(|f| {
            format!(
                "{} is read now and was not when the plan was made",
                f.display()
            )
        })
        .collect();
    if gone.is_empty() && new.is_empty() {
        return Ok(());
    }
    Err(CommandError::SavedPlan {
        path: path.to_path_buf(),
        message: format!(
            "the manifest files changed since the plan:\n{}",
            [gone, new].concat().join("\n")
        ),
    })
}

/// The planned certificates, in the plan's order, each still defined in the
/// file it was planned from.
fn planned_certificates(
    path: &Path,
    plan: &SavedPlan,
    mut certificates: Vec<Certificate>,
    loaded: &Loaded,
) -> Result<Vec<Certificate>, CommandError> {
    let mut chosen = Vec::with_capacity(plan.certificates.len());
    for planned in &plan.certificates {
        let fail = |message: String| CommandError::SavedPlan {
            path: path.to_path_buf(),
            message,
        };
        let Some(index) = certificates.iter().position(|c| c.name == planned.name) else {
            return Err(fail(format!(
                "certificate {} is no longer in the manifests",
                planned.name
            )));
        };
        let certificate = certificates.swap_remove(index);
        let file = loaded.files.path(certificate.file);
        if file != planned.file {
            return Err(fail(format!(
                "certificate {} is now in {}, the plan has it in {}",
                planned.name,
                file.display(),
                planned.file.display()
            )));
        }
        // Another account's credentials would read and write another
        // Tencent Cloud account's certificate: not what was reviewed.
        if certificate.account != planned.account {
            let whose = |account: &Option<String>| {
                account
                    .as_ref()
                    .map_or("the default credentials".to_string(), |a| {
                        format!("account {a}")
                    })
            };
            return Err(fail(format!(
                "certificate {} is now sent with {}, the plan has {}",
                planned.name,
                whose(&certificate.account),
                whose(&planned.account)
            )));
        }
        chosen.push(certificate);
    }
    Ok(chosen)
}

/// What a saved plan records as where it read: the endpoint URL, or `None`
/// for the built-in emulator (whose port changes every run).
///
/// With accounts: the default credentials' endpoint when some certificate
/// uses them, else the first account's (by name). Each account's own
/// endpoint comes from its manifest, which apply reads again and checks.
fn recorded_endpoint(target: &Target) -> Option<String> {
    match target {
        Target::Emulator => None,
        Target::Api { default, accounts } => default
            .as_ref()
            .map(|c| &c.endpoint)
            .or_else(|| {
                accounts
                    .iter()
                    .min_by(|a, b| a.name.cmp(&b.name))
                    .map(|a| &a.connection.endpoint)
            })
            .map(|endpoint| endpoint.url.to_string()),
    }
}

/// Each account's endpoint URL, by account name (none with `--emulator`).
fn recorded_account_endpoints(target: &Target) -> BTreeMap<String, String> {
    match target {
        Target::Emulator => BTreeMap::new(),
        Target::Api { accounts, .. } => accounts
            .iter()
            .map(|a| (a.name.clone(), a.connection.endpoint.url.to_string()))
            .collect(),
    }
}

/// Every account this apply sends with sends where plan read: an Account's
/// `site` or `endpoint` edited after the plan would otherwise send reviewed
/// bodies somewhere nobody reviewed.
fn check_account_endpoints(
    path: &Path,
    plan: &SavedPlan,
    now: &BTreeMap<String, String>,
) -> Result<(), CommandError> {
    for (account, url) in now {
        let message = match plan.account_endpoints.get(account) {
            Some(planned) if planned == url => continue,
            Some(planned) => format!(
                "account `{account}`: it was made against {planned}, and this run would send to {url}"
            ),
            None => format!(
                "account `{account}`: it records no endpoint for this account, and this run would send to {url}"
            ),
        };
        return Err(CommandError::SavedPlan {
            path: path.to_path_buf(),
            message,
        });
    }
    Ok(())
}

/// A plan is applied where it was made: the same endpoint, or the emulator
/// both times.
fn check_endpoint(path: &Path, plan: &SavedPlan, now: Option<&str>) -> Result<(), CommandError> {
    let mismatch = match (plan.emulator, plan.endpoint.as_deref(), now) {
        (true, _, None) => None,
        (true, _, Some(url)) => Some(format!(
            "it was made with --emulator, and this run would send to {url}; add --emulator"
        )),
        (false, Some(planned), None) => Some(format!(
            "it was made against {planned}, and this run uses --emulator"
        )),
        (false, Some(planned), Some(url)) if planned != url => Some(format!(
            "it was made against {planned}, and this run would send to {url}"
        )),
        (false, Some(_), Some(_)) => None,
        (false, None, _) => Some("it records no endpoint".to_string()),
    };
    match mismatch {
        Some(message) => Err(CommandError::SavedPlan {
            path: path.to_path_buf(),
            message,
        }),
        None => Ok(()),
    }
}

/// Writes the JSON report to `--json-out FILE`: the bytes `--output json`
/// prints, in a temporary file beside FILE renamed over it, so a reader never
/// sees half a report. The run's own exit code stands unless the report
/// cannot be written ([`CommandError::JsonOut`]).
pub(super) fn write_json_out(
    path: Option<&Path>,
    json: &serde_json::Value,
    code: u8,
) -> CommandResult {
    let Some(path) = path else {
        return Ok(code);
    };
    let text = crate::source::without_bidi(&format!("{json:#}\n")).into_owned();
    let file = NewFile {
        path,
        contents: text.as_bytes(),
        private: false,
    };
    outfile::write_all(&[file], true).map_err(|error| CommandError::JsonOut {
        error,
        run_code: code,
    })?;
    Ok(code)
}

/// One connection's transport, masking with `redactor`.
fn transport(
    connection: Connection,
    region: Option<String>,
    timeout: std::time::Duration,
    redactor: Arc<Redactor>,
) -> Result<HttpTransport, CommandError> {
    HttpTransport::new(TransportConfig {
        endpoint: connection.endpoint,
        credentials: connection.credentials,
        region,
        timeout,
        proxy: connection.proxy,
        redactor,
        extra_roots: connection.ca_cert,
    })
    .map_err(|message| CommandError::Connection { message })
}

/// What an account's rate (else `--rate`) bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Pace {
    /// plan and apply: each write action (reads go at the documented rate).
    Writes,
    /// status and import, which only read: each read action too, never
    /// over the documented rate.
    Reads,
}

/// The runs of a map from account name (`None`: the default credentials).
pub(super) type Runs = HashMap<Option<String>, Arc<plan::Run<HttpTransport>>>;

/// One [`plan::Run`] per connection (account), by account name (`None`: the
/// default credentials), with `options` and the account's rate: each with
/// its own transport, pacers and stop, and
/// one redactor for all (returned too), so that whatever comes back from
/// the network is masked for every credential of the run.
pub(super) fn account_runs(
    connections: Vec<RunConnection>,
    bodies: &[Body],
    options: &plan::Options,
    pace: Pace,
) -> Result<(Runs, Arc<Redactor>), CommandError> {
    let mut secrets: Vec<String> = connections
        .iter()
        .flat_map(|c| {
            run_secrets(
                &c.connection.credentials,
                c.connection.proxy.as_ref(),
                bodies,
            )
        })
        .collect();
    secrets.sort();
    secrets.dedup();
    let redactor = Arc::new(Redactor::new(secrets));
    let mut runs = HashMap::new();
    for c in connections {
        let transport = transport(
            c.connection,
            c.region,
            options.timeout,
            Arc::clone(&redactor),
        )?;
        let options = plan::Options {
            write_rate: c.write_rate,
            read_rate: match pace {
                Pace::Writes => options.read_rate,
                Pace::Reads => options.read_rate.min(c.write_rate),
            },
            account: c.account.clone(),
            ..options.clone()
        };
        runs.insert(c.account, plan::Run::new(Arc::new(transport), options));
    }
    Ok((runs, redactor))
}

/// One set of credentials of a run and where it sends.
pub(super) struct RunConnection {
    /// `None`: the default credentials.
    account: Option<String>,
    connection: Connection,
    region: Option<String>,
    /// The account's `rate`, else `--rate`.
    write_rate: f64,
}

/// The connections to the API, the default credentials' first: `region`
/// and `rate` are the run's, which an account's own replace (already in
/// `accounts`).
pub(super) fn run_connections(
    default: Option<Connection>,
    accounts: Vec<AccountConnection>,
    region: Option<&String>,
    rate: f64,
) -> Vec<RunConnection> {
    let mut connections: Vec<RunConnection> = Vec::new();
    if let Some(default) = default {
        connections.push(RunConnection {
            account: None,
            connection: default,
            region: region.cloned(),
            write_rate: rate,
        });
    }
    connections.extend(accounts.into_iter().map(|a| RunConnection {
        account: Some(a.name),
        connection: a.connection,
        region: a.region,
        write_rate: a.write_rate,
    }));
    connections
}

/// Starts the built-in emulator on loopback, seeded with the run's
/// certificates, each owned by its account, and fresh credentials for the
/// default and for each account (made here and handed over in-process: no
/// account's variables are read). The connections to it use no proxy
/// (loopback never does, and no proxy variable is even read).
/// `region` and `rate` are the run's (`--region`, `--rate`).
pub(super) async fn start_emulator(
    certificates: &[(Certificate, PathBuf)],
    run_accounts: &RunAccounts<'_>,
    region: Option<&String>,
    rate: f64,
    state_file: Option<PathBuf>,
) -> Result<(Vec<RunConnection>, RunningEmulator), CommandError> {
    let (secret_id, secret_key) = emulator::generate_credentials();
    let accounts: Vec<(&Account, EmulatorAccount)> = run_accounts
        .accounts
        .iter()
        .map(|account| {
            let (secret_id, secret_key) = emulator::generate_credentials();
            let emulated = EmulatorAccount {
                name: account.name.clone(),
                secret_id,
                secret_key,
                key_variable: None,
            };
            (*account, emulated)
        })
        .collect();
    let config = EmulatorConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        credentials: vec![(secret_id.clone(), secret_key.clone())],
        accounts: accounts.iter().map(|(_, a)| a.clone()).collect(),
        state_file,
        seed: certificates
            .iter()
            .map(|(c, _)| SeedCertificate {
                certificate_id: c.certificate_id.value.clone(),
                domain: c.domain.value.clone(),
                owner: c.account.clone(),
            })
            .collect(),
        ..EmulatorConfig::default()
    };
    let started = emulator::start(config).await.map_err(|source| {
        // An unreadable state file is the one start failure a user can fix.
        let source = if source.kind() == std::io::ErrorKind::InvalidData {
            std::io::Error::new(
                source.kind(),
                format!("{source} (--emulator-reset starts this tree's state afresh)"),
            )
        } else {
            source
        };
        CommandError::EmulatorStart { source }
    })?;
    let url = started.url();
    print_note(&format!(
        "using the built-in emulator at {url} (no account needed; nothing leaves this machine)\n"
    ));
    let endpoint = Endpoint::parse(&url).map_err(|message| CommandError::Connection { message })?;
    tracing::info!("endpoint {} (chosen by --emulator)", endpoint.url);
    log_proxy(None);
    let connection = |secret_id: String, secret_key: String| Connection {
        endpoint: endpoint.clone(),
        endpoint_chosen_by: "--emulator",
        credentials: Credentials {
            secret_id,
            secret_key: Secret::new(secret_key),
            token: None,
        },
        proxy: None,
        ca_cert: None,
    };
    let mut connections = Vec::new();
    if run_accounts.needs_default {
        connections.push(RunConnection {
            account: None,
            connection: connection(secret_id, secret_key),
            region: region.cloned(),
            write_rate: rate,
        });
    }
    for (account, emulated) in accounts {
        connections.push(RunConnection {
            account: Some(emulated.name),
            connection: connection(emulated.secret_id, emulated.secret_key),
            region: account.region.clone().or_else(|| region.cloned()),
            write_rate: account.rate.unwrap_or(rate),
        });
    }
    Ok((connections, started))
}

/// Settles the state file of `--emulator` for these PATHs (docs/cli.md,
/// "The emulator's state") and says on stderr which one is used (one line,
/// whatever `--output` is). `--emulator-reset` removes it first.
pub(super) fn emulator_state(
    paths: &[PathBuf],
    reset: bool,
) -> Result<Option<PathBuf>, CommandError> {
    match commands_emulator::tree_state(paths, &ProcessEnvironment)? {
        TreeState::File(path) => {
            if reset {
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(source) => return Err(CommandError::EmulatorState { path, source }),
                }
            }
            let how = if reset {
                "started afresh (--emulator-reset)"
            } else {
                "kept between runs on these PATHs; --emulator-reset starts afresh"
            };
            print_note(&format!("emulator state: {} ({how})\n", path.display()));
            Ok(Some(path))
        }
        TreeState::NotKept(why) => {
            print_note(&format!(
                "emulator state: not kept, this run only ({why})\n"
            ));
            Ok(None)
        }
    }
}

fn progress_bar(mode: Mode, total: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {pos}/{len} certificates, {elapsed}, about {eta} left",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(if mode == Mode::Plan {
        "planning"
    } else {
        "applying"
    });
    bar
}

/// The exit codes of docs/cli.md ("Exit codes").
pub fn exit_code(mode: Mode, detailed: bool, reports: &[CertificateReport], stops: &[Stop]) -> u8 {
    if stops.iter().any(|s| s.reason == StopReason::Interrupted) {
        return EXIT_INTERRUPTED;
    }
    let any = |outcome: Outcome| reports.iter().any(|r| r.outcome == outcome);
    if !stops.is_empty() || any(Outcome::Failed) || any(Outcome::Unknown) || any(Outcome::Stale) {
        return EXIT_FAILURE;
    }
    match mode {
        Mode::Apply if any(Outcome::Drift) => EXIT_FAILURE,
        Mode::Plan if detailed && (any(Outcome::Planned) || any(Outcome::Drift)) => EXIT_CHANGES,
        _ => EXIT_OK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reports(outcomes: &[Outcome]) -> Vec<CertificateReport> {
        outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| CertificateReport::example(&format!("c{i}"), *o))
            .collect()
    }

    #[test]
    fn apply_asks_on_a_terminal_only_and_only_yes_goes_on() {
        use clap::Parser as _;
        let args = |line: &[&str]| {
            let cli = crate::cli::Cli::try_parse_from(line).unwrap();
            match cli.command {
                crate::cli::Command::Apply(args) | crate::cli::Command::Plan(args) => args,
                _ => panic!("not plan or apply"),
            }
        };
        let plain = args(&["tccert", "apply", "m"]);
        assert!(asks_first(&plain, Mode::Apply, true));
        assert!(!asks_first(&plain, Mode::Apply, false), "no terminal: CI");
        assert!(!asks_first(&plain, Mode::Plan, true));
        for flag in [
            &["tccert", "apply", "m", "--auto-approve"][..],
            &["tccert", "apply", "m", "--emulator"],
            &["tccert", "apply", "--plan", "p.json"],
        ] {
            assert!(!asks_first(&args(flag), Mode::Apply, true), "{flag:?}");
        }
        assert!(approved("yes\n"));
        assert!(approved("  yes \r\n"));
        for no in ["", "\n", "y", "YES", "Yes\n", "yes please", "no"] {
            assert!(!approved(no), "{no:?}");
        }
        assert_eq!(question(3), "Apply these 3 changes? Only 'yes' goes on: ");
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        let planned = reports(&[Outcome::InSync, Outcome::Planned]);
        assert_eq!(exit_code(Mode::Plan, false, &planned, &[]), EXIT_OK);
        assert_eq!(exit_code(Mode::Plan, true, &planned, &[]), EXIT_CHANGES);
        let drift = reports(&[Outcome::Drift]);
        assert_eq!(exit_code(Mode::Plan, true, &drift, &[]), EXIT_CHANGES);
        assert_eq!(exit_code(Mode::Apply, false, &drift, &[]), EXIT_FAILURE);
        for bad in [Outcome::Failed, Outcome::Unknown, Outcome::Stale] {
            let run = reports(&[Outcome::Submitted, bad]);
            assert_eq!(exit_code(Mode::Apply, false, &run, &[]), EXIT_FAILURE);
            assert_eq!(exit_code(Mode::Plan, true, &run, &[]), EXIT_FAILURE);
        }
        let committed = reports(&[Outcome::Committed, Outcome::Skipped]);
        assert_eq!(exit_code(Mode::Apply, false, &committed, &[]), EXIT_OK);
    }

    fn saved_plan(emulator: bool, endpoint: Option<&str>) -> SavedPlan {
        SavedPlan {
            format: saved::FORMAT.into(),
            format_version: saved::FORMAT_VERSION,
            tccert_version: saved::TCCERT_VERSION.into(),
            endpoint: endpoint.map(str::to_string),
            emulator,
            account_endpoints: BTreeMap::new(),
            directory: None,
            paths: vec!["m".into()],
            files: vec!["m/a.yaml".into(), "m/b.yaml".into()],
            api: None,
            commit: false,
            resubmit: Vec::new(),
            target: Vec::new(),
            deep: false,
            certificates: Vec::new(),
            drift: Vec::new(),
        }
    }

    #[test]
    fn a_plan_applies_only_where_it_was_made() {
        let path = Path::new("p.json");
        let api = saved_plan(false, Some("https://ssl.intl.tencentcloudapi.com/"));
        let check =
            |plan: &SavedPlan, now| check_endpoint(path, plan, now).map_err(|e| e.to_string());
        assert!(check(&api, Some("https://ssl.intl.tencentcloudapi.com/")).is_ok());
        let other = check(&api, Some("https://ssl.tencentcloudapi.com/")).unwrap_err();
        assert!(
            other.contains("would send to https://ssl.tencentcloudapi.com/"),
            "{other}"
        );
        assert!(other.ends_with("nothing was sent"), "{other}");
        assert!(check(&api, None).unwrap_err().contains("uses --emulator"));
        let emulated = saved_plan(true, None);
        assert!(check(&emulated, None).is_ok());
        assert!(
            check(&emulated, Some("https://ssl.intl.tencentcloudapi.com/"))
                .unwrap_err()
                .contains("made with --emulator")
        );
    }

    /// An Account's site or endpoint edited after the plan: the plan's
    /// bodies still match, but would go where nobody reviewed.
    #[test]
    fn every_account_sends_where_the_plan_was_made() {
        let path = Path::new("p.json");
        let mut plan = saved_plan(false, Some("https://ssl.intl.tencentcloudapi.com/"));
        plan.account_endpoints
            .insert("hk".into(), "https://127.0.0.1:36301/".into());
        let now = |url: &str| BTreeMap::from([("hk".to_string(), url.to_string())]);
        let check = |now: &BTreeMap<String, String>| {
            check_account_endpoints(path, &plan, now).map_err(|e| e.to_string())
        };
        assert!(check(&now("https://127.0.0.1:36301/")).is_ok());
        assert!(check(&BTreeMap::new()).is_ok(), "no account sends");
        let moved = check(&now("https://127.0.0.1:36302/")).unwrap_err();
        assert!(
            moved.contains("account `hk`: it was made against https://127.0.0.1:36301/, and this run would send to https://127.0.0.1:36302/"),
            "{moved}"
        );
        assert!(moved.ends_with("nothing was sent"), "{moved}");
        let unknown = BTreeMap::from([("cn".to_string(), "https://x.example/".to_string())]);
        assert!(check(&unknown).unwrap_err().contains("records no endpoint"));
    }

    #[test]
    fn the_files_read_must_be_the_planned_ones() {
        let path = Path::new("p.json");
        let plan = saved_plan(false, Some("https://x.example/"));
        let check = |now: &[&str]| {
            let now: Vec<PathBuf> = now.iter().map(PathBuf::from).collect();
            check_files(path, &plan, &now).map_err(|e| e.to_string())
        };
        assert!(check(&["m/a.yaml", "m/b.yaml"]).is_ok());
        let gone = check(&["m/a.yaml"]).unwrap_err();
        assert!(
            gone.contains("m/b.yaml was read by the plan and is gone"),
            "{gone}"
        );
        let new = check(&["m/a.yaml", "m/b.yaml", "m/c.yaml"]).unwrap_err();
        assert!(new.contains("m/c.yaml is read now and was not"), "{new}");
    }

    #[test]
    fn a_stop_fails_the_run_and_an_interrupt_is_130_whatever_happened() {
        let fine = reports(&[Outcome::Submitted]);
        let refused = StopReason::AuthFailure {
            code: "AuthFailure.SignatureFailure".into(),
            message: "m".into(),
            request_id: Some("req-1".into()),
        };
        assert_eq!(
            exit_code(Mode::Apply, false, &fine, &[Stop::run(refused)]),
            EXIT_FAILURE
        );
        let failed = reports(&[Outcome::Failed]);
        assert_eq!(
            exit_code(
                Mode::Apply,
                false,
                &failed,
                &[Stop::run(StopReason::Interrupted)]
            ),
            EXIT_INTERRUPTED
        );
    }
}
