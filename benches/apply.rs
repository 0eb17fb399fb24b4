//! Benchmark: `tccert apply` of 500 pending certificates against the
//! emulator with 150 ms added to every reply, and the peer (a sequential loop
//! of the official Python SDK, `benches/peer_apply.py`) doing the same
//! describe-then-submit on a fresh emulator in the same run.
//!
//! Run with `cargo bench --bench apply`. It prints a Markdown table for
//! BENCHMARKS.md on stdout. `TCCERT_BENCH_LATENCIES_MS=0,150,500` measures
//! tccert at several latencies (default: 150); the peer runs at the first.
//! `TCCERT_BENCH_CERTIFICATES=N` changes the 500 (a quick check in debug).
//!
//! `TCCERT_BENCH_ACCOUNTS=K` (K >= 2) is the accounts mode: the same
//! certificates spread over K Account documents (`bench-0`...), each with
//! its key pair in its own variables, the emulator owning each certificate
//! for its account with a bucket per account and action; 2 x 250 by
//! default. Its table adds, per run, the certificates whose `SubmittedData`
//! was written with another key pair than their account's (must be 0). The
//! floor is then per account: the busiest account's submits / 10 s. The
//! peer is not run in this mode (its loop knows one key pair).
//!
//! The floor is what the rate limit allows: each write action may be called
//! 10 times a second, so `N` submits cannot take less than `N / 10` seconds.
//! "Share of the floor" is floor / wall: 100% means tccert used the whole
//! limit from the first request to the last. The emulator answers
//! `RequestLimitExceeded` to any request over its token bucket (10 a second,
//! burst 10, per action); "throttled" counts those answers.

mod common;

use std::collections::BTreeMap;
use std::env;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use tccert::emulator::{
    self, EmulatorAccount, EmulatorConfig, RunningEmulator, SeedCertificate, StateSnapshot,
};

const CERTIFICATES: usize = 500;
const PROFILES: usize = 12;
/// The accounts mode's key pairs: `bench-K` signs with these plus K.
const ACCOUNT_ID_PREFIX: &str = "AKIDbenchAccount";
const ACCOUNT_KEY_PREFIX: &str = "bench-account-secret-key-";
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
    /// Accounts mode: the most submits any one account sent.
    busiest_account_submits: u64,
    /// Accounts mode: certificates written with another key pair than
    /// their account's.
    wrong_key_pair: usize,
}

fn run() -> Result<ExitCode, Box<dyn Error>> {
    let dir = env::temp_dir().join("tccert-bench-apply");
    let accounts = number("TCCERT_BENCH_ACCOUNTS", 0)?;
    if accounts == 1 {
        return Err("TCCERT_BENCH_ACCOUNTS takes 2 or more (unset: one set of credentials)".into());
    }
    let mut files = common::generate(
        &dir,
        number("TCCERT_BENCH_CERTIFICATES", CERTIFICATES)?,
        PROFILES,
    )?;
    if accounts > 0 {
        files.extend(spread_over_accounts(&dir, &files, accounts)?);
    }
    let validated = common::validated(&dir)?;
    let seed: Vec<SeedCertificate> = validated
        .certificates
        .iter()
        .filter_map(|c| {
            Some(SeedCertificate {
                certificate_id: c.certificate_id.as_ref()?.value.clone(),
                domain: c.domain.value.clone(),
                owner: c.account.clone(),
            })
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
        let emulator = start_emulator(&runtime, &seed, latency_ms, accounts)?;
        let started = Instant::now();
        let mut command = Command::new(tccert);
        command
            .args(["apply", "--output", "json", "--endpoint"])
            .arg(emulator.url())
            .arg(&dir)
            .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
            .stderr(Stdio::inherit());
        for k in 0..accounts {
            let (id, key) = account_pair(k);
            command
                .env(format!("TCCERT_BENCH_ACCOUNT_{k}_ID"), id)
                .env(format!("TCCERT_BENCH_ACCOUNT_{k}_KEY"), key);
        }
        let output = command.output()?;
        let wall = started.elapsed();
        let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
        eprintln!("tccert at {latency_ms} ms: {}", report["summary"]);
        results.push(measured(
            if accounts > 0 {
                "tccert apply, accounts"
            } else {
                "tccert apply"
            },
            latency_ms,
            wall,
            &emulator.snapshot(),
            output.status.code().unwrap_or(-1),
        ));
        runtime.block_on(emulator.shutdown());
    }

    if accounts > 0 {
        eprintln!("peer skipped: the accounts mode (its loop signs with one key pair)");
        print_accounts_table(&results, accounts);
        return Ok(exit(&results));
    }

    // The peer, at the first latency, on a fresh emulator.
    let latency_ms = latencies[0];
    let render = Command::new(tccert)
        .args(["render", "--output", "json"])
        .arg(&dir)
        .output()?;
    let requests = env::temp_dir().join("tccert-bench-apply-requests.json");
    fs::write(&requests, &render.stdout)?;
    let emulator = start_emulator(&runtime, &seed, latency_ms, 0)?;
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
    Ok(exit(&results))
}

/// The bench fails on tccert's targets only; the peer's figures are
/// reported whatever they are (at low latency a sequential loop without
/// retries overruns the limit and loses certificates, which is the point).
fn exit(results: &[Measured]) -> ExitCode {
    let all_good = results
        .iter()
        .filter(|r| r.tool.starts_with("tccert"))
        .all(|r| {
            r.exit_code == 0 && r.left_pending == 0 && r.throttled == 0 && r.wrong_key_pair == 0
        });
    if all_good {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A whole number from the environment, `default` when unset.
fn number(variable: &str, default: usize) -> Result<usize, Box<dyn Error>> {
    match env::var(variable) {
        Ok(text) => Ok(text
            .trim()
            .parse()
            .map_err(|_| format!("{variable}={text} is not a whole number"))?),
        Err(_) => Ok(default),
    }
}

/// Account `bench-K`'s key pair.
fn account_pair(k: usize) -> (String, String) {
    (
        format!("{ACCOUNT_ID_PREFIX}{k:020}"),
        format!("{ACCOUNT_KEY_PREFIX}{k:010}"),
    )
}

/// Writes `accounts` Account documents (credentials in variables) and gives
/// the generated certificates `account: bench-K`, round robin; returns the
/// files written.
fn spread_over_accounts(
    dir: &Path,
    files: &[PathBuf],
    accounts: usize,
) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    fs::create_dir_all(dir.join("accounts"))?;
    let mut written = Vec::new();
    for k in 0..accounts {
        let path = dir.join("accounts").join(format!("bench-{k}.yaml"));
        fs::write(
            &path,
            format!(
                "apiVersion: tccert/v1\nkind: Account\nname: bench-{k}\nsecret_id: ${{TCCERT_BENCH_ACCOUNT_{k}_ID}}\nsecret_key: ${{TCCERT_BENCH_ACCOUNT_{k}_KEY}}\n"
            ),
        )?;
        written.push(path);
    }
    let certificates = files
        .iter()
        .filter(|f| f.starts_with(dir.join("certificates")));
    for (i, path) in certificates.enumerate() {
        let toml = path.extension().is_some_and(|e| e == "toml");
        let line = if toml {
            format!("account = \"bench-{}\"", i % accounts)
        } else {
            format!("account: bench-{}", i % accounts)
        };
        // After the top-level `name`: in TOML, a key after a table header
        // would belong to that table.
        let text = fs::read_to_string(path)?;
        let mut out = String::with_capacity(text.len() + line.len() + 1);
        let mut placed = false;
        for l in text.lines() {
            out.push_str(l);
            out.push('\n');
            if !placed && (l.starts_with("name:") || l.starts_with("name =")) {
                out.push_str(&line);
                out.push('\n');
                placed = true;
            }
        }
        if !placed {
            return Err(format!("{}: no top-level name", path.display()).into());
        }
        fs::write(path, out)?;
    }
    Ok(written)
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
    env::var_os("PYTHON").map_or_else(|| PathBuf::from("python3"), PathBuf::from)
}

fn start_emulator(
    runtime: &tokio::runtime::Runtime,
    seed: &[SeedCertificate],
    latency_ms: u64,
    accounts: usize,
) -> Result<RunningEmulator, Box<dyn Error>> {
    let config = EmulatorConfig {
        credentials: vec![(SECRET_ID.into(), SECRET_KEY.into())],
        accounts: (0..accounts)
            .map(|k| {
                let (secret_id, secret_key) = account_pair(k);
                EmulatorAccount {
                    name: format!("bench-{k}"),
                    secret_id,
                    secret_key,
                    key_variable: None,
                }
            })
            .collect(),
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
        busiest_account_submits: {
            let mut by_owner: BTreeMap<Option<&str>, u64> = BTreeMap::new();
            for c in state.certificates.values() {
                *by_owner.entry(c.owner.as_deref()).or_default() += c.submits_received;
            }
            by_owner.into_values().max().unwrap_or(0)
        },
        wrong_key_pair: state
            .certificates
            .values()
            .filter(|c| {
                let expected = match c.owner.as_deref() {
                    Some(owner) => owner
                        .strip_prefix("bench-")
                        .and_then(|k| k.parse().ok())
                        .map(|k| account_pair(k).0),
                    None => Some(SECRET_ID.to_string()),
                };
                c.written_with.is_some() && c.written_with != expected
            })
            .count(),
    }
}

/// floor / wall, in percent.
fn share_of_floor(floor: f64, wall: Duration) -> f64 {
    if wall.is_zero() {
        0.0
    } else {
        100.0 * floor / wall.as_secs_f64()
    }
}

/// The accounts mode's table.
fn print_accounts_table(results: &[Measured], accounts: usize) {
    println!(
        "| tool | accounts | latency | wall | floor (busiest account's submits / 10 s) | share of floor | describes | submits | throttled | written with another account's key pair | left pending | exit |"
    );
    println!(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    for r in results {
        let floor = r.busiest_account_submits as f64 / RATE;
        let share = share_of_floor(floor, r.wall);
        println!(
            "| {} | {accounts} | {} ms | {:.2} s | {:.1} s | {:.1}% | {} | {} | {} | {} | {} | {} |",
            r.tool,
            r.latency_ms,
            r.wall.as_secs_f64(),
            floor,
            share,
            r.describes,
            r.submits,
            r.throttled,
            r.wrong_key_pair,
            r.left_pending,
            r.exit_code
        );
    }
}

fn print_table(results: &[Measured]) {
    println!(
        "| tool | latency | wall | floor (submits / 10 s) | share of floor | describes | submits | most submits to one certificate | throttled | left pending | exit |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in results {
        let floor = r.submits as f64 / RATE;
        let share = share_of_floor(floor, r.wall);
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
