//! Benchmark: `tccert plan` and `tccert status` of a fleet of 1,000
//! certificates of which 950 are issued, against the emulator with 150 ms
//! added to every reply: the bulk read (`DescribeCertificates`, then
//! `DescribeCertificateDetail` only where the status needs it) beside
//! `--deep` (every certificate's detail, the path before the bulk read), in
//! one run, each on a fresh emulator seeded with the same statuses.
//!
//! Run with `cargo bench --bench fleet`; it prints a Markdown table for
//! BENCHMARKS.md on stdout. `TCCERT_BENCH_FLEET_CERTIFICATES=N`,
//! `TCCERT_BENCH_FLEET_OTHERS=M` (the certificates not issued) and
//! `TCCERT_BENCH_LATENCY_MS=MS` change the 1,000, the 50 and the 150 ms, so
//! that a small run works in a debug build too:
//! `TCCERT_BENCH_FLEET_CERTIFICATES=40 TCCERT_BENCH_FLEET_OTHERS=4 cargo test --bench fleet`.
//!
//! The fleet: the certificates in the order tccert reads them, one in every
//! N / M not issued (spread over the fleet, as a fleet's renewals are), at
//! 5, 8, 0, 4 and 2 in turn (each needs its detail read); every other one
//! issued (1).
//!
//! Floors, from the API's limits (10 requests a second for each action) and
//! the latency L:
//! - bulk read: the first list call's reply comes after L; the M detail
//!   reads then go 0.1 s apart, the last one's reply L later: `2L + (M - 1)
//!   / 10` (the list calls, `ceil(N / 100)` at 10 a second, run beside the
//!   detail reads and end sooner). The sequential reading of the same
//!   limits, list calls then detail reads, `ceil(N / 100) / 10 + M / 10`, is
//!   printed too.
//! - `--deep`: N detail reads 0.1 s apart, the last one's reply L later:
//!   `(N - 1) / 10 + L`.
//!
//! "Share of the floor" is floor / wall (100%: the run took no longer than
//! the limits force). Wall time is the whole process, from start to exit:
//! loading and validating the 1,000 manifests is in it.

mod common;

use std::env;
use std::error::Error;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use tccert::emulator::{self, EmulatorConfig, RunningEmulator, SeedCertificate};

const CERTIFICATES: usize = 1000;
const OTHERS: usize = 50;
const PROFILES: usize = 12;
const LATENCY_MS: u64 = 150;
const RATE: f64 = 10.0;
const IDS_PER_LIST: usize = 100;
/// The statuses of the certificates not issued, in turn.
const OTHER_STATUSES: [u64; 5] = [5, 8, 0, 4, 2];
const SECRET_ID: &str = "AKIDbenchFleet000000000000000000000";
const SECRET_KEY: &str = "bench-fleet-secret-key-0123456789";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("fleet benchmark: {error}");
            ExitCode::FAILURE
        }
    }
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> Result<T, Box<dyn Error>> {
    match env::var(name) {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("{name}={text} is not a number").into()),
        Err(_) => Ok(default),
    }
}

struct Measured {
    what: String,
    wall: Duration,
    floor: f64,
    sequential_floor: Option<f64>,
    lists: u64,
    details: u64,
    throttled: u64,
    exit_code: i32,
    /// Each certificate's `result` (plan) or `status` (status), in order.
    results: Vec<serde_json::Value>,
}

fn run() -> Result<ExitCode, Box<dyn Error>> {
    let certificates: usize = number("TCCERT_BENCH_FLEET_CERTIFICATES", CERTIFICATES)?;
    let others: usize = number("TCCERT_BENCH_FLEET_OTHERS", OTHERS)?;
    let latency_ms: u64 = number("TCCERT_BENCH_LATENCY_MS", LATENCY_MS)?;
    if others == 0 || others > certificates {
        return Err("TCCERT_BENCH_FLEET_OTHERS must be between 1 and the certificates".into());
    }
    let dir = env::temp_dir().join("tccert-bench-fleet");
    let files = common::generate(&dir, certificates, PROFILES)?;
    let validated = common::validated(&dir)?;
    let seed: Vec<SeedCertificate> = validated
        .certificates
        .iter()
        .filter_map(|c| {
            Some(SeedCertificate {
                certificate_id: c.certificate_id.as_ref()?.value.clone(),
                domain: c.domain.value.clone(),
                owner: None,
            })
        })
        .collect();
    let every = certificates / others;
    let statuses: Vec<(String, u64)> = seed
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let status = if i % every == 0 && i / every < others {
                OTHER_STATUSES[(i / every) % OTHER_STATUSES.len()]
            } else {
                1
            };
            (c.certificate_id.clone(), status)
        })
        .collect();
    let not_issued = statuses.iter().filter(|(_, s)| *s != 1).count();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let tccert = Path::new(env!("CARGO_BIN_EXE_tccert"));
    let latency = latency_ms as f64 / 1000.0;
    let n = seed.len() as f64;
    let m = not_issued as f64;
    let lists = seed.len().div_ceil(IDS_PER_LIST) as f64;
    println!(
        "Input: {} certificates over {PROFILES} profiles, {} files in {}; {} issued, {} not (at {:?} in turn, one in every {every}); {latency_ms} ms latency.\n",
        seed.len(),
        files.len(),
        dir.display(),
        seed.len() - not_issued,
        not_issued,
        OTHER_STATUSES,
    );

    let runs: [(&str, &[&str], f64, Option<f64>); 4] = [
        (
            "plan",
            &["plan"],
            2.0 * latency + (m - 1.0) / RATE,
            Some(lists / RATE + m / RATE),
        ),
        (
            "plan --deep",
            &["plan", "--deep"],
            (n - 1.0) / RATE + latency,
            None,
        ),
        (
            "status",
            &["status"],
            2.0 * latency + (m - 1.0) / RATE,
            Some(lists / RATE + m / RATE),
        ),
        (
            "status --deep",
            &["status", "--deep"],
            (n - 1.0) / RATE + latency,
            None,
        ),
    ];
    let mut results = Vec::new();
    for (what, args, floor, sequential_floor) in runs {
        let emulator = start_emulator(&runtime, &seed, latency_ms)?;
        for (id, status) in &statuses {
            emulator.set_status(id, *status);
        }
        let started = Instant::now();
        let output = Command::new(tccert)
            .args(args)
            .args(["--output", "json", "--endpoint"])
            .arg(emulator.url())
            .arg(&dir)
            .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
            .stderr(Stdio::inherit())
            .output()?;
        let wall = started.elapsed();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        let state = emulator.snapshot();
        let count = |action: &str| state.requests_by_action.get(action).copied().unwrap_or(0);
        eprintln!(
            "{what}: {:.2} s, {}",
            wall.as_secs_f64(),
            if report["summary"].is_null() {
                format!(
                    "{} certificates",
                    report["certificates"].as_array().map_or(0, Vec::len)
                )
            } else {
                report["summary"].to_string()
            }
        );
        results.push(Measured {
            what: format!("tccert {what}"),
            wall,
            floor,
            sequential_floor,
            lists: count("DescribeCertificates"),
            details: count("DescribeCertificateDetail"),
            throttled: state.throttled,
            exit_code: output.status.code().unwrap_or(-1),
            results: report["certificates"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|c| {
                            if c["result"].is_null() {
                                c["status"].clone()
                            } else {
                                c["result"].clone()
                            }
                        })
                        .collect()
                })
                .unwrap_or_default(),
        });
        runtime.block_on(emulator.shutdown());
    }
    print_table(&results);
    let speedup =
        |a: usize, b: usize| results[b].wall.as_secs_f64() / results[a].wall.as_secs_f64();
    println!(
        "\nplan: the bulk read is {:.1}x faster than --deep; status: {:.1}x.",
        speedup(0, 1),
        speedup(2, 3)
    );
    // The bulk read must decide as --deep does on this fleet (issued
    // certificates whose SubmittedData the emulator keeps empty are in_sync
    // either way; the review-failed ones make plan exit 1 either way), and
    // nothing may be throttled.
    let mut failed = results.iter().any(|r| r.throttled > 0);
    for pair in results.chunks(2) {
        if let [bulk, deep] = pair
            && (bulk.exit_code != deep.exit_code || bulk.results != deep.results)
        {
            eprintln!("{} and {} decided differently", bulk.what, deep.what);
            failed = true;
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn start_emulator(
    runtime: &tokio::runtime::Runtime,
    seed: &[SeedCertificate],
    latency_ms: u64,
) -> Result<RunningEmulator, Box<dyn Error>> {
    let config = EmulatorConfig {
        credentials: vec![(SECRET_ID.into(), SECRET_KEY.into())],
        seed: seed.to_vec(),
        latency: Duration::from_millis(latency_ms),
        rate_per_second: RATE,
        ..EmulatorConfig::default()
    };
    Ok(runtime.block_on(emulator::start(config))?)
}

fn print_table(results: &[Measured]) {
    println!(
        "| run | wall | floor | share of floor | floor, list then details | list calls | detail reads | throttled | exit |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in results {
        let share = 100.0 * r.floor / r.wall.as_secs_f64();
        println!(
            "| {} | {:.2} s | {:.2} s | {:.1}% | {} | {} | {} | {} | {} |",
            r.what,
            r.wall.as_secs_f64(),
            r.floor,
            share,
            r.sequential_floor
                .map_or("-".to_string(), |f| format!("{f:.2} s")),
            r.lists,
            r.details,
            r.throttled,
            r.exit_code
        );
    }
}
