//! `tccert plan` and `tccert apply`: validate, settle the run's settings,
//! reconcile every certificate against the API (or the built-in emulator),
//! show progress and the report, and exit as docs/cli.md says. A saved
//! plan (`plan --out`, `apply --plan`) is read, checked and written by
//! `saved_plan`.

mod saved_plan;

use std::collections::BTreeSet;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;

use super::runner::{self, OnSignal, Pace, RunConnection, Runner, run_connections, write_json_out};
use super::settings::{RunAccounts, RunFlags, RunSettings, Target};
use super::{
    CommandError, CommandResult, EXIT_CHANGES, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, emit,
    invalid_json, load_and_validate, print_stderr, report_diagnostics, report_invalid,
    select_targets,
};
use crate::api::request::{Body, order_body, submit_body};
use crate::certificate::Certificate;
use crate::cli::{Output, RunArgs};
use crate::emulator::RunningEmulator;
use crate::output::format::Report;
use crate::output::report;
use crate::plan::saved::{self, SavedPlan};
use crate::plan::{self, CertificateReport, Mode, Outcome, Stop, StopReason};
use crate::select::select;
use crate::system::{ProcessEnvironment, ProcessTerminal, RealFileSystem, Terminal};
use saved_plan::{
    check_account_endpoints, check_endpoint, check_files, files_read, planned_certificates,
    recorded_account_endpoints, recorded_endpoint, recorded_manifests,
};

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

impl Preview {
    /// Records what the plan found; true when there is something to write.
    fn record(&mut self, reports: &[CertificateReport], stops: &[Stop]) -> bool {
        let changes = reports
            .iter()
            .filter(|r| r.outcome == Outcome::Planned)
            .count();
        self.changes = Some(changes);
        self.apply_code = exit_code(Mode::Apply, false, reports, stops);
        changes > 0
    }
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
    let saved = saved_plan::open(args)?;
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
    let (resubmit, restart, chosen) =
        choose(args, saved.as_ref(), validated.certificates, &loaded)?;
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
    let expected = saved_plan::expected(saved.as_ref().map(|(_, plan)| plan));
    // `apply --plan`: a planned body that changed means the manifest files
    // changed, and nothing of the plan is read or sent. The run below then
    // goes with no certificate, and these reports stand for them.
    let changed = saved::changed_bodies(&expected, &certificates);
    let certificates = if changed.is_some() {
        Vec::new()
    } else {
        certificates
    };

    // Where to send, and as whom: the emulator (reading the tree of the
    // plan's PATHs under `apply --plan`), or the real API.
    let (connections, running_emulator) = connect(
        settings.target,
        &manifests.paths,
        EmulatorFlags {
            reset: args.emulator_reset,
            issue_after: args.emulator_issue_after,
        },
        &certificates,
        &run_accounts,
        settings.region.as_ref(),
        settings.write_rate,
    )
    .await?;
    let certificates_count = certificates.len();
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
        // `apply --plan`: only when the plan allowed it too.
        allow_purchase: args.allow_purchase
            && saved.as_ref().is_none_or(|(_, plan)| plan.allow_purchase),
        restart,
        restart_timeout: std::time::Duration::from_secs_f64(
            args.restart_timeout
                .unwrap_or(plan::run::DEFAULT_RESTART_TIMEOUT_SECONDS),
        ),
        ..plan::Options::default()
    };
    let output = settings.output;
    let (reports, stops) = send(
        Runner::open(
            connections,
            running_emulator,
            &bodies,
            &options,
            Pace::Writes,
        )?,
        certificates,
        changed,
        settings
            .progress
            .then(|| progress_bar(mode, certificates_count)),
        output,
    )
    .await?;
    let json = report::to_json(&reports, &stops);
    // The plan shown before apply's question, when stdout carries a
    // document (JSON, Markdown, GitHub): the table, on stderr, so that
    // stdout holds apply's report alone.
    emit(
        output,
        &Report::Run {
            files: &loaded.files,
            mode,
            reports: &reports,
            stops: &stops,
            preview: preview.is_some(),
        },
    );
    for warning in reports.iter().filter(|r| r.outcome == Outcome::Skipped) {
        tracing::warn!(certificate = %warning.name, "skipped: {}", warning.notes.join("; "));
    }
    let mut code = exit_code(mode, settings.detailed_exitcode, &reports, &stops);
    if let Some((_, plan)) = &saved {
        code = saved_plan::with_drift(plan, code);
    }
    if let Some(preview) = preview {
        if preview.record(&reports, &stops) {
            // Apply's own run writes the report of what it did.
            return Ok(code);
        }
        return write_json_out(settings.json_out.as_deref(), &json, preview.apply_code);
    }
    if let Some(out) = &args.out
        && matches!(code, EXIT_OK | EXIT_CHANGES)
    {
        saved_plan::save(
            out,
            args,
            endpoint,
            account_endpoints,
            &files_read,
            &reports,
        )?;
    }
    write_json_out(settings.json_out.as_deref(), &json, code)
}

/// Reconciles every certificate with the runs of `runner` (`changed`: the
/// reports of a saved plan whose bodies changed, sent for nothing), showing
/// each as it is done, under the one interrupt handler: a signal writes
/// nothing new and settles what is in flight (paced), a second cuts
/// everything off. The reports and the runs' stops.
async fn send(
    mut runner: Runner,
    certificates: Vec<(Certificate, PathBuf)>,
    changed: Option<Vec<CertificateReport>>,
    progress: Option<indicatif::ProgressBar>,
    output: Output,
) -> Result<(Vec<CertificateReport>, Vec<Stop>), CommandError> {
    let mut work = Vec::with_capacity(certificates.len());
    for (certificate, file) in certificates {
        let run = runner.run_for(&certificate.account, &certificate.name)?;
        work.push((run, certificate, file));
    }
    let on_done = on_done(progress.clone(), output);
    runner.handle_signals(OnSignal::Settle);
    for report in changed.iter().flatten() {
        on_done(report);
    }
    let reports = plan::run_all(work, on_done).await;
    let reports = changed.unwrap_or(reports);
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    Ok((reports, runner.close().await))
}

/// Certificate names a flag chose.
type Names = BTreeSet<String>;

/// `--resubmit` and `--restart` (the plan's under `apply --plan`) and the
/// certificates this run sends: the plan's, else those `--target` chooses.
fn choose(
    args: &RunArgs,
    saved: Option<&(&std::path::Path, SavedPlan)>,
    certificates: Vec<Certificate>,
    loaded: &crate::manifest::load::Loaded,
) -> Result<(Names, Names, Vec<Certificate>), CommandError> {
    let patterns = saved.map_or(&args.resubmit, |(_, plan)| &plan.resubmit);
    let resubmit = select(patterns, certificates.iter().map(|c| c.name.as_str()))
        .map_err(|names| CommandError::UnknownResubmit { names })?;
    let patterns = saved.map_or(&args.restart, |(_, plan)| &plan.restart);
    let restart = select(patterns, certificates.iter().map(|c| c.name.as_str()))
        .map_err(|names| CommandError::UnknownRestart { names })?;
    let chosen = match saved {
        Some((path, plan)) => planned_certificates(path, plan, certificates, loaded)?,
        None => select_targets(&args.manifests.target, certificates)?,
    };
    Ok((resubmit, restart, chosen))
}

/// The connections of a run: one per account (the default credentials
/// counting as one), to the built-in emulator (started here, with the
/// state kept for the tree of `paths`) or to the real API.
/// `--emulator-reset` and `--emulator-issue-after`.
#[derive(Clone, Copy)]
struct EmulatorFlags {
    reset: bool,
    issue_after: Option<f64>,
}

async fn connect(
    target: Target,
    paths: &[PathBuf],
    emulator: EmulatorFlags,
    certificates: &[(Certificate, PathBuf)],
    run_accounts: &RunAccounts<'_>,
    region: Option<&String>,
    rate: f64,
) -> Result<(Vec<RunConnection>, Option<RunningEmulator>), CommandError> {
    Ok(match target {
        Target::Emulator => {
            let (connections, running) = runner::open_emulator(
                paths,
                emulator.reset,
                certificates,
                run_accounts,
                region,
                rate,
                emulator.issue_after,
            )
            .await?;
            (connections, Some(running))
        }
        Target::Api { default, accounts } => (
            run_connections(default.map(|d| *d), accounts, region, rate),
            None,
        ),
    })
}

/// What is shown as each certificate is done: a tick of the progress bar
/// (a failure printed above it), else the format's line.
fn on_done(progress: Option<indicatif::ProgressBar>, output: Output) -> plan::OnDone {
    match progress {
        Some(bar) => Arc::new(move |report: &CertificateReport| {
            if matches!(report.outcome, Outcome::Failed | Outcome::Partial) {
                bar.println(report::line(report));
            }
            bar.inc(1);
        }),
        None => Arc::new(move |report: &CertificateReport| {
            emit(output, &Report::RunLine(report));
        }),
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
    if !stops.is_empty()
        || any(Outcome::Failed)
        || any(Outcome::Unknown)
        || any(Outcome::Stale)
        || any(Outcome::Partial)
    {
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
        for bad in [
            Outcome::Failed,
            Outcome::Unknown,
            Outcome::Stale,
            Outcome::Partial,
        ] {
            let run = reports(&[Outcome::Submitted, bad]);
            assert_eq!(exit_code(Mode::Apply, false, &run, &[]), EXIT_FAILURE);
            assert_eq!(exit_code(Mode::Plan, true, &run, &[]), EXIT_FAILURE);
        }
        let committed = reports(&[Outcome::Committed, Outcome::Skipped]);
        assert_eq!(exit_code(Mode::Apply, false, &committed, &[]), EXIT_OK);
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
