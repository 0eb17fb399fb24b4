//! `tccert status PATH... [--wait]`: read each certificate (paced as plan's
//! reads), show its status and the domain-validation records the CA wants;
//! with `--wait`, read again every `--interval` until each is issued or can
//! no longer be by waiting (docs/cli.md, "status").

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::plan_apply::{emulator_state, http_transport, start_emulator, write_json_out};
use super::settings::{Connection, ConnectionFlags, check_json_out, connect, region};
use super::{
    CommandError, CommandResult, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, invalid_json,
    load_and_validate, print_stderr, print_stdout, report_diagnostics, report_invalid,
    select_targets, wait_for_signal,
};
use crate::api::action::Action;
use crate::api::client::HttpTransport;
use crate::api::request::{Body, describe_body};
use crate::certificate::Certificate;
use crate::cli::{Output, ReadArgs, StatusArgs};
use crate::output::status::{self, Entry, Live};
use crate::plan::{self, Mode, StopReason};
use crate::secret::Redactor;
use crate::system::{ProcessEnvironment, RealFileSystem};

/// The documented limit of each read action (docs/api.md): 10 a second.
pub const READ_RATE: f64 = 10.0;

/// The transport and the reconciler's pacing for a command that only reads
/// (`status`, `import`): reads at the documented rate, or `--rate` when
/// that is lower.
pub(super) fn reader(
    connection: Connection,
    read: &ReadArgs,
    bodies: &[Body],
) -> Result<(Arc<plan::Run<HttpTransport>>, Arc<Redactor>), CommandError> {
    let timeout = Duration::from_secs_f64(read.timeout);
    let region = region(read.region.as_deref(), &ProcessEnvironment);
    let transport = http_transport(connection, region, timeout, bodies)?;
    let redactor = Arc::clone(transport.redactor());
    let options = plan::Options {
        mode: Mode::Plan,
        read_rate: READ_RATE.min(read.rate),
        timeout,
        ..plan::Options::default()
    };
    Ok((plan::Run::new(Arc::new(transport), options), redactor))
}

/// The flags that choose the endpoint and credentials.
pub(super) fn connection(read: &ReadArgs) -> Result<Connection, CommandError> {
    connect(
        &ConnectionFlags {
            endpoint: read.endpoint.as_deref(),
            china: read.china,
            profile: read.profile.as_deref(),
            ca_cert: read.ca_cert.as_deref(),
        },
        &ProcessEnvironment,
        &RealFileSystem,
    )
}

pub async fn run(args: &StatusArgs) -> CommandResult {
    if let Some(path) = &args.read.json_out {
        check_json_out(path, &RealFileSystem)?;
    }
    let (loaded, validated, diagnostics) = load_and_validate(&args.manifests)?;
    let Some(validated) = validated else {
        report_invalid(args.manifests.output, &loaded, &diagnostics);
        let json = invalid_json(&loaded, &diagnostics);
        return write_json_out(args.read.json_out.as_deref(), &json, EXIT_FAILURE);
    };
    report_diagnostics(args.manifests.output, &loaded, &diagnostics);
    // `--target`: every manifest was validated; only these are read.
    let certificates: Vec<(Certificate, PathBuf)> =
        select_targets(&args.manifests.target, validated.certificates)?
            .into_iter()
            .map(|c| {
                let file = loaded.files.path(c.file).to_path_buf();
                (c, file)
            })
            .collect();

    let (connection, running_emulator) = if args.emulator {
        let state = emulator_state(&args.manifests.paths, false)?;
        let (connection, running) = start_emulator(&certificates, state).await?;
        (connection, Some(running))
    } else {
        (connection(&args.read)?, None)
    };
    let bodies: Vec<Body> = certificates.iter().map(|(c, _)| describe_body(c)).collect();
    let (run, redactor) = reader(connection, &args.read, &bodies)?;

    let output = args.manifests.output;
    let progress = (args.wait && output == Output::Text && std::io::stderr().is_terminal())
        .then(|| progress_bar(certificates.len()));
    let mut entries: Vec<Entry> = certificates
        .iter()
        .map(|(c, file)| Entry {
            name: c.name.clone(),
            // Read from the environment: a secret, shown as the mask.
            certificate_id: if c.certificate_id.secret {
                crate::secret::MASK.to_owned()
            } else {
                c.certificate_id.value.clone()
            },
            file: file.display().to_string(),
            live: None,
            error: None,
        })
        .collect();

    // A signal: no new read, the ones in flight cut off (nothing to settle).
    let interrupt = {
        let run = Arc::clone(&run);
        tokio::spawn(async move {
            wait_for_signal().await;
            run.cut_off_now();
        })
    };
    let interval = Duration::from_secs_f64(args.interval);
    let deadline = Instant::now() + Duration::from_secs_f64(args.wait_timeout);
    let mut timed_out = false;
    loop {
        let round_start = Instant::now();
        let pending: Vec<usize> = (0..entries.len()).filter(|&i| !entries[i].done()).collect();
        let reads = read_all(&run, &certificates, &pending, &redactor).await;
        if interrupted(&run) {
            break;
        }
        for (i, result) in reads {
            let before = entries[i].live.as_ref().map(|l| l.status);
            match result {
                Ok(live) => entries[i].live = Some(live),
                Err(error) => entries[i].error = Some(error),
            }
            let after = entries[i].live.as_ref().map(|l| l.status);
            if args.wait && (before != after || entries[i].error.is_some()) {
                let line = entries[i].line();
                match (&progress, output) {
                    (Some(bar), _) => bar.println(line),
                    (None, Output::Text | Output::Github) => print_stdout(&format!("{line}\n")),
                    (None, Output::Json | Output::Markdown) => print_stderr(&format!("{line}\n")),
                }
            }
        }
        if let Some(bar) = &progress {
            bar.set_position(entries.iter().filter(|e| e.issued()).count() as u64);
        }
        if !args.wait || entries.iter().all(Entry::done) || run.stop_reason().is_some() {
            break;
        }
        let next = round_start + interval;
        let wake = next.min(deadline);
        tokio::select! {
            () = tokio::time::sleep_until(wake) => {}
            () = stopped(&run) => break,
        }
        if wake == deadline {
            timed_out = true;
            break;
        }
    }
    interrupt.abort();
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if let Some(running) = running_emulator {
        running.shutdown().await;
    }

    let stop = run.stop_reason();
    let json = status::to_json(&entries);
    match output {
        Output::Json => print_stdout(&format!("{json:#}\n")),
        Output::Text | Output::Github => print_stdout(&status::text(&entries)),
        Output::Markdown => print_stdout(&status::markdown(&entries)),
    }
    if timed_out {
        print_stderr(&format!(
            "tccert: --wait-timeout {}s reached before every certificate was issued\n",
            args.wait_timeout
        ));
    }
    if let Some(reason) = &stop
        && *reason != StopReason::Interrupted
    {
        print_stderr(&format!(
            "tccert: {}\n",
            crate::output::report::stop_message(reason)
        ));
    }
    let code = if matches!(stop, Some(StopReason::Interrupted)) {
        EXIT_INTERRUPTED
    } else if args.wait {
        if entries.iter().all(Entry::issued) {
            EXIT_OK
        } else {
            EXIT_FAILURE
        }
    } else if entries
        .iter()
        .all(|e| e.error.is_none() && e.live.is_some())
    {
        EXIT_OK
    } else {
        EXIT_FAILURE
    };
    write_json_out(args.read.json_out.as_deref(), &json, code)
}

fn interrupted(run: &plan::Run<HttpTransport>) -> bool {
    matches!(run.stop_reason(), Some(StopReason::Interrupted))
}

/// Resolves once the run is stopped (a signal, or a stop of the account).
async fn stopped(run: &plan::Run<HttpTransport>) {
    while run.stop_reason().is_none() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

type ReadResult = Result<Live, (String, String)>;

/// Reads the certificates at `which` at once, each paced by the run.
async fn read_all(
    run: &Arc<plan::Run<HttpTransport>>,
    certificates: &[(Certificate, PathBuf)],
    which: &[usize],
    redactor: &Arc<Redactor>,
) -> Vec<(usize, ReadResult)> {
    let mut tasks = tokio::task::JoinSet::new();
    for &i in which {
        let run = Arc::clone(run);
        let certificate = &certificates[i].0;
        let body = describe_body(certificate);
        let name = certificate.name.clone();
        let redactor = Arc::clone(redactor);
        tasks.spawn(async move {
            let result = run
                .read(Action::DescribeCertificateDetail, &body, &name)
                .await;
            let read = match result {
                // Text from a successful reply is printed: masked like every
                // error from the network.
                Ok(response) => Live::from_response(&response)
                    .map(|live| live.redacted(&redactor))
                    .ok_or_else(|| {
                        (
                            "ClientError.BadResponse".to_owned(),
                            "DescribeCertificateDetail answered without a Status".to_owned(),
                        )
                    }),
                Err(error) => Err((error.code(), error.message())),
            };
            (i, read)
        });
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    results.sort_by_key(|(i, _)| *i);
    results
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
