//! `tccert status PATH... [--wait]`: read each certificate (paced as plan's
//! reads), show its status and the domain-validation records the CA wants;
//! with `--wait`, read again every `--interval` until each is issued or can
//! no longer be by waiting (docs/cli.md, "status").

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::time::Duration;

use tokio::time::Instant;

use super::reads::{self, NOT_BOUGHT, Opened, Opening, ReadOptions, read_all};
use super::runner::{AccountRun, OnSignal, Runner, write_json_out};
use super::{CommandResult, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, emit, print_stderr};
use crate::api::action::Action;
use crate::api::error::ApiError;
use crate::api::product::complete_refused_brand;
use crate::api::reply::DomainCheck;
use crate::api::status::awaits_validation;
use crate::certificate::Certificate;
use crate::cli::StatusArgs;
use crate::output::format::{self, Report};
use crate::output::status::{self, Entry};
use crate::plan::{Completion, StopReason};

pub async fn run(args: &StatusArgs) -> CommandResult {
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

    let output = args.manifests.output;
    let progress =
        (args.wait && format::of(output).draws_progress() && std::io::stderr().is_terminal())
            .then(|| progress_bar(certificates.len()));
    let mut entries: Vec<Entry> = certificates
        .iter()
        .map(|(c, file)| Entry {
            name: c.name.clone(),
            // Read from the environment: a secret, shown as the mask.
            certificate_id: match c.id_or_placeholder() {
                (_, true) => crate::secret::MASK.to_owned(),
                (id, false) => id.to_owned(),
            },
            file: file.display().to_string(),
            account: c.account.clone(),
            live: None,
            error: None,
            id_known: c.certificate_id.is_some(),
            writes: Vec::new(),
            notes: Vec::new(),
            skipped: None,
        })
        .collect();

    // A signal: no new read, the ones in flight cut off (nothing to settle).
    runner.handle_signals(OnSignal::CutOff);
    let interval = Duration::from_secs_f64(args.interval);
    let deadline = Instant::now() + Duration::from_secs_f64(args.wait_timeout);
    let mut timed_out = false;
    // On a terminal, the records to create, shown while waiting (again
    // when they change).
    let mut records_shown = String::new();
    // `--complete`: the certificates CompleteCertificate was sent for (or
    // decided against) in this run: once each.
    let mut attempted = vec![false; entries.len()];
    // A CompleteCertificate that failed or whose outcome is unknown: exit 1.
    let mut complete_failed = false;
    loop {
        let round_start = Instant::now();
        let pending: Vec<usize> = (0..entries.len()).filter(|&i| !entries[i].done()).collect();
        let reads = read_all(
            runner.runs(),
            &mut certificates,
            &pending,
            runner.redactor(),
            ReadOptions {
                deep: args.deep,
                checks: true,
            },
        )
        .await;
        if runner.interrupted() {
            break;
        }
        for (i, result) in reads {
            let before = entries[i].live.as_ref().map(|l| l.status);
            match result {
                Ok(live) => entries[i].live = Some(live),
                // `purchase:` and no certificate with its tag yet.
                Err(error) if error.code == NOT_BOUGHT => entries[i].skipped = Some(error.message),
                Err(error) => entries[i].error = Some(error),
            }
            // Found by its tag: shown by the id found.
            if let (Some(id), false) = (&certificates[i].0.certificate_id, entries[i].id_known) {
                entries[i].certificate_id.clone_from(&id.value);
                entries[i].id_known = true;
            }
            let after = entries[i].live.as_ref().map(|l| l.status);
            if args.wait && (before != after || entries[i].error.is_some()) {
                let line = entries[i].line();
                match &progress {
                    Some(bar) => bar.println(line),
                    None => emit(output, &Report::StatusLine(&line)),
                }
            }
        }
        if let Some(bar) = &progress {
            let records = status::records_text(&entries);
            if records != records_shown {
                // A bar indicatif hides (a terminal it does not draw on)
                // prints nothing: then plainly on stderr.
                if !records.is_empty() && bar.is_hidden() {
                    print_stderr(&records);
                } else if !records.is_empty() {
                    bar.println(records.trim_end());
                }
                records_shown = records;
            }
            bar.set_position(entries.iter().filter(|e| e.issued()).count() as u64);
        }
        // `--complete`: CompleteCertificate once for each certificate whose
        // every domain passed the local check; read again at once after.
        let completed = if args.complete {
            let (landed, failed) =
                complete_ready(&runner, &certificates, &mut entries, &mut attempted).await;
            complete_failed |= failed;
            landed
        } else {
            false
        };
        if runner.interrupted() {
            break;
        }
        if completed {
            continue;
        }
        // A stopped account's certificates failed their reads (done); the
        // other accounts' go on.
        if !args.wait || entries.iter().all(Entry::done) {
            break;
        }
        let next = round_start + interval;
        let wake = next.min(deadline);
        tokio::select! {
            () = tokio::time::sleep_until(wake) => {}
            () = runner.until_interrupted() => break,
        }
        if wake == deadline {
            timed_out = true;
            break;
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let stops = runner.close().await;
    let json = status::to_json(&entries);
    emit(output, &Report::Status { entries: &entries });
    if timed_out {
        print_stderr(&format!(
            "tccert: --wait-timeout {}s reached before every certificate was issued\n",
            args.wait_timeout
        ));
    }
    let interrupted = stops.iter().any(|s| s.reason == StopReason::Interrupted);
    for stop in stops.iter().filter(|s| s.reason != StopReason::Interrupted) {
        print_stderr(&format!(
            "tccert: {}\n",
            crate::output::report::stop_message(stop)
        ));
    }
    let code = if interrupted {
        EXIT_INTERRUPTED
    } else if complete_failed {
        EXIT_FAILURE
    } else if args.wait {
        if entries.iter().all(Entry::issued) {
            EXIT_OK
        } else {
            EXIT_FAILURE
        }
    } else if entries
        .iter()
        .all(|e| e.error.is_none() && (e.live.is_some() || e.skipped.is_some()))
    {
        EXIT_OK
    } else {
        EXIT_FAILURE
    };
    write_json_out(args.read.json_out.as_deref(), &json, code)
}

/// `status --complete`: for each certificate still waiting for validation
/// (0, 4, 8) whose every domain passed the local check, and for which
/// nothing was tried yet in this run, `CompleteCertificate` once, paced as
/// a write and settled by reads when its outcome is unknown (the run's
/// `complete`); not for the brands the API does not serve (DNSPod, WoTrus),
/// told from the detail's product. Sent one certificate after another.
/// Returns whether any landed (the caller reads again at once) and whether
/// any failed or ended unknown.
async fn complete_ready(
    runner: &Runner,
    certificates: &[(Certificate, PathBuf)],
    entries: &mut [Entry],
    attempted: &mut [bool],
) -> (bool, bool) {
    let mut landed = false;
    let mut failed = false;
    for (i, entry) in entries.iter_mut().enumerate() {
        let Some(live) = &entry.live else { continue };
        let ready = !attempted[i]
            && entry.error.is_none()
            && awaits_validation(live.status)
            && !live.checks.is_empty()
            && live.checks.iter().all(DomainCheck::local_passed);
        if !ready {
            continue;
        }
        attempted[i] = true;
        if let Some(brand) =
            complete_refused_brand(live.package_type.as_deref(), live.product_name.as_deref())
        {
            entry.notes.push(format!(
                "{}: not sent: the API does not serve {brand} certificates; the CA checks them on its own",
                Action::CompleteCertificate
            ));
            continue;
        }
        let certificate = &certificates[i].0;
        let run: AccountRun = match runner.run_for(&certificate.account, &certificate.name) {
            Ok(run) => run,
            Err(error) => {
                failed = true;
                entry
                    .notes
                    .push(format!("{} not sent: {error}", Action::CompleteCertificate));
                continue;
            }
        };
        match run.complete(certificate).await {
            Completion::Landed(notes) => {
                entry.writes.push(crate::plan::Write::Complete);
                entry.notes.extend(notes);
                entry.notes.push(format!(
                    "{}: sent: every domain passed the local check",
                    Action::CompleteCertificate
                ));
                landed = true;
            }
            Completion::Failed(error) => {
                failed = true;
                let error = ApiError::from(&error);
                entry.notes.push(format!(
                    "{} failed: {}: {}{}",
                    Action::CompleteCertificate,
                    error.code,
                    error.message,
                    error.request_id_suffix()
                ));
            }
            Completion::Unknown(error) => {
                failed = true;
                let error = ApiError::from(&error);
                entry.notes.push(format!(
                    "{}: outcome unknown ({}); reads could not tell whether it took effect: run status again",
                    Action::CompleteCertificate,
                    error.code
                ));
            }
        }
    }
    (landed, failed)
}

fn progress_bar(total: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} waiting for issuance [{bar:30}] {pos}/{len} issued, {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}
