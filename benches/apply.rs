//! Benchmark: `tccert apply` of 500 pending certificates against the
//! emulator with 150 ms added to every reply, and the peer (a sequential loop
//! of the official Python SDK, `benches/peer_apply.py`) doing the same
//! describe-then-submit on a fresh emulator in the same run.
//!
//! Run with `cargo bench --bench apply`. It prints a Markdown table for
//! BENCHMARKS.md on stdout. `TCCERT_BENCH_LATENCIES_MS=0,150,500` measures
//! tccert at several latencies (default: 150); the peer runs at the first.
//!
//! The floor is what the rate limit allows: each write action may be called
//! 10 times a second, so `N` submits cannot take less than `N / 10` seconds.
//! "Share of the floor" is floor / wall: 100% means tccert used the whole
//! limit from the first request to the last. The emulator answers
//! `RequestLimitExceeded` to any request over its token bucket (10 a second,
//! burst 10, per action); "throttled" counts those answers.

mod common;

use std::env;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use tccert::emulator::{self, EmulatorConfig, RunningEmulator, SeedCertificate, StateSnapshot};

const CERTIFICATES: usize = 500;
const PROFILES: usize = 12;
const RATE: f64 = 10.0;
const SECRET_ID: &str = "AKIDbenchApply000000000000000000000";
const SECRET_KEY: &str = "bench-apply-secret-key-0123456789";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("apply benchmark: {error}");
            ExitCode::FAILURE
        }
    }
}

/// One measured run of one tool.
struct Measured {
    tool: String,
    latency_ms: u64,
    wall: Duration,
    submits: u64,
    describes: u64,
    throttled: u64,
    /// Most `SubmitCertificateInformation` requests any certificate got.
    max_submits_per_certificate: u64,
    /// Certificates that did not end with submitted data.
    left_pending: usize,
    exit_code: i32,
}

fn run() -> Result<ExitCode, Box<dyn Error>> {
    let dir = env::temp_dir().join("tccert-bench-apply");
    let files = common::generate(&dir, CERTIFICATES, PROFILES)?;
    let validated = common::validated(&dir)?;
    let seed: Vec<SeedCertificate> = validated
        .certificates
        .iter()
        .map(|c| SeedCertificate {
            certificate_id: c.certificate_id.value.clone(),
            domain: c.domain.value.clone(),
            owner: c.account.clone(),
        })
        .collect();
    let commits = validated.certificates.iter().filter(|c| c.commit).count();
    let latencies = latencies()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let tccert = Path::new(env!("CARGO_BIN_EXE_tccert"));

    println!(
        "Input: {} certificates ({} with `commit: true`) over {PROFILES} profiles, {} files in {}.\n",
        seed.len(),
        commits,
        files.len(),
        dir.display()
    );

    let mut results = Vec::new();
    for &latency_ms in &latencies {
        let emulator = start_emulator(&runtime, &seed, latency_ms)?;
        let started = Instant::now();
        let output = Command::new(tccert)
            .args(["apply", "--output", "json", "--endpoint"])
            .arg(emulator.url())
            .arg(&dir)
            .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
            .stderr(Stdio::inherit())
            .output()?;
        let wall = started.elapsed();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        eprintln!("tccert at {latency_ms} ms: {}", report["summary"]);
        results.push(measured(
            "tccert apply",
            latency_ms,
            wall,
            &emulator.snapshot(),
            output.status.code().unwrap_or(-1),
        ));
        runtime.block_on(emulator.shutdown());
    }

    // The peer, at the first latency, on a fresh emulator.
    let latency_ms = latencies[0];
    let render = Command::new(tccert)
        .args(["render", "--output", "json"])
        .arg(&dir)
        .output()?;
    let requests = env::temp_dir().join("tccert-bench-apply-requests.json");
    fs::write(&requests, &render.stdout)?;
    let emulator = start_emulator(&runtime, &seed, latency_ms)?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer_apply.py");
    let started = Instant::now();
    let peer = Command::new(python())
        .arg(&script)
        .arg(emulator.url().trim_start_matches("http://"))
        .arg(&requests)
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .stderr(Stdio::inherit())
        .output();
    let wall = started.elapsed();
    match peer {
        Ok(peer) if peer.status.code().is_some() => {
            eprintln!("peer: {}", String::from_utf8_lossy(&peer.stdout).trim());
            results.push(measured(
                "Python SDK, sequential",
                latency_ms,
                wall,
                &emulator.snapshot(),
                peer.status.code().unwrap_or(-1),
            ));
        }
        Ok(peer) => eprintln!("peer skipped: it ended by a signal ({})", peer.status),
        Err(error) => eprintln!("peer skipped: cannot run {}: {error}", python().display()),
    }
    runtime.block_on(emulator.shutdown());

    print_table(&results);
    // The bench fails on tccert's targets only; the peer's figures are
    // reported whatever they are (at low latency a sequential loop without
    // retries overruns the limit and loses certificates, which is the point).
    let all_good = results
        .iter()
        .filter(|r| r.tool.starts_with("tccert"))
        .all(|r| r.exit_code == 0 && r.left_pending == 0 && r.throttled == 0);
    Ok(if all_good {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn latencies() -> Result<Vec<u64>, Box<dyn Error>> {
    let text = env::var("TCCERT_BENCH_LATENCIES_MS").unwrap_or_else(|_| "150".into());
    let latencies = text
        .split(',')
        .map(|s| s.trim().parse::<u64>())
        .collect::<Result<Vec<_>, _>>()?;
    if latencies.is_empty() {
        return Err("TCCERT_BENCH_LATENCIES_MS names no latency".into());
    }
    Ok(latencies)
}

fn python() -> PathBuf {
    env::var_os("PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"))
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

fn measured(
    tool: &str,
    latency_ms: u64,
    wall: Duration,
    state: &StateSnapshot,
    exit_code: i32,
) -> Measured {
    let count = |action: &str| state.requests_by_action.get(action).copied().unwrap_or(0);
    Measured {
        tool: tool.into(),
        latency_ms,
        wall,
        submits: count("SubmitCertificateInformation"),
        describes: count("DescribeCertificateDetail"),
        throttled: state.throttled,
        max_submits_per_certificate: state
            .certificates
            .values()
            .map(|c| c.submits_received)
            .max()
            .unwrap_or(0),
        left_pending: state
            .certificates
            .values()
            .filter(|c| c.submitted_data.is_none())
            .count(),
        exit_code,
    }
}

fn print_table(results: &[Measured]) {
    println!(
        "| tool | latency | wall | floor (submits / 10 s) | share of floor | describes | submits | most submits to one certificate | throttled | left pending | exit |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in results {
        let floor = r.submits as f64 / RATE;
        let share = if r.wall.is_zero() {
            0.0
        } else {
            100.0 * floor / r.wall.as_secs_f64()
        };
        println!(
            "| {} | {} ms | {:.2} s | {:.1} s | {:.1}% | {} | {} | {} | {} | {} | {} |",
            r.tool,
            r.latency_ms,
            r.wall.as_secs_f64(),
            floor,
            share,
            r.describes,
            r.submits,
            r.max_submits_per_certificate,
            r.throttled,
            r.left_pending,
            r.exit_code
        );
    }
}
