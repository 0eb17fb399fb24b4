//! Benchmark: `tccert import` of 500 certificates with information against
//! the emulator with 150 ms added to every reply.
//!
//! Run with `cargo bench --bench import`; it prints a Markdown table on
//! stdout, tccert then the peer: the official Python SDK in a sequential
//! loop doing the reads of an import (`benches/peer_import.py`), on a fresh
//! emulator with the same latency, in the same run (skipped, saying so,
//! when the SDK is not installed). `TCCERT_BENCH_IMPORT_CERTIFICATES=N` changes the count and
//! `TCCERT_BENCH_LATENCY_MS=MS` the latency, so that a small run works in a
//! debug build too: `TCCERT_BENCH_IMPORT_CERTIFICATES=20 cargo test --bench
//! import`.
//!
//! The floor is what the read limits allow: `DescribeCertificates` and
//! `DescribeCertificateDetail` may each be called 10 times a second, and the
//! import needs one list page per 1000 certificates, then one detail read
//! per certificate, in that order, so it cannot take less than
//! `pages / 10 + N / 10` seconds. "Share of the floor" is floor / wall.

use std::env;
use std::error::Error;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use tccert::emulator::{self, EmulatorConfig, RunningEmulator, SeedCertificate};

const CERTIFICATES: usize = 500;
const LATENCY_MS: u64 = 150;
const RATE: f64 = 10.0;
/// Organizations the certificates are spread over (shared ones become
/// profiles).
const ORGANIZATIONS: usize = 12;
const SECRET_ID: &str = "AKIDbenchImport00000000000000000000";
const SECRET_KEY: &str = "bench-import-secret-key-012345678";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("import benchmark: {error}");
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

/// The information of certificate `i`: an online CSR, one of
/// [`ORGANIZATIONS`] organizations, the same admin and contact everywhere.
fn information(i: usize) -> Vec<(&'static str, String)> {
    vec![
        ("CsrType", "online".into()),
        ("CertificateDomain", format!("c{i}.acme.example")),
        (
            "OrganizationName",
            format!("Acme {} Ltd", i % ORGANIZATIONS),
        ),
        ("OrganizationDivision", "IT".into()),
        ("OrganizationAddress", "1 Example Road".into()),
        ("OrganizationCountry", "CN".into()),
        ("OrganizationCity", "Shenzhen".into()),
        ("OrganizationRegion", "Guangdong Province".into()),
        ("PostalCode", "518000".into()),
        ("PhoneAreaCode", "0755".into()),
        ("PhoneNumber", "86013388".into()),
        ("AdminFirstName", "Luke".into()),
        ("AdminLastName", "Sky".into()),
        ("AdminPhoneNum", "12345678901".into()),
        ("AdminEmail", "admin@acme.example".into()),
        ("AdminPosition", "CTO".into()),
        ("ContactFirstName", "Leia".into()),
        ("ContactLastName", "Sky".into()),
        ("ContactNumber", "12345678902".into()),
        ("ContactEmail", "pki@acme.example".into()),
        ("ContactPosition", "Engineer".into()),
    ]
}

fn count_in(state: &tccert::emulator::StateSnapshot, action: &str) -> u64 {
    state.requests_by_action.get(action).copied().unwrap_or(0)
}

fn start_emulator(
    runtime: &tokio::runtime::Runtime,
    n: usize,
    latency_ms: u64,
) -> Result<RunningEmulator, Box<dyn Error>> {
    let seed: Vec<SeedCertificate> = (0..n)
        .map(|i| SeedCertificate {
            certificate_id: format!("id{i:06}"),
            domain: format!("c{i}.acme.example"),
            owner: None,
        })
        .collect();
    let config = EmulatorConfig {
        credentials: vec![(SECRET_ID.into(), SECRET_KEY.into())],
        seed,
        latency: Duration::from_millis(latency_ms),
        rate_per_second: RATE,
        ..EmulatorConfig::default()
    };
    let emulator = runtime.block_on(emulator::start(config))?;
    for i in 0..n {
        let id = format!("id{i:06}");
        for (field, value) in information(i) {
            if !emulator.set_submitted_field(&id, field, Some(&value)) {
                return Err(format!("the emulator lost {id}").into());
            }
        }
    }
    Ok(emulator)
}

fn run() -> Result<ExitCode, Box<dyn Error>> {
    let n: usize = number("TCCERT_BENCH_IMPORT_CERTIFICATES", CERTIFICATES)?;
    let latency_ms: u64 = number("TCCERT_BENCH_LATENCY_MS", LATENCY_MS)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let emulator = start_emulator(&runtime, n, latency_ms)?;
    let out = env::temp_dir().join(format!("tccert-bench-import-{}", std::process::id()));
    let tccert = Path::new(env!("CARGO_BIN_EXE_tccert"));

    let started = Instant::now();
    let output = Command::new(tccert)
        .args(["import", "--output", "json", "--force", "--endpoint"])
        .arg(emulator.url())
        .arg("--out")
        .arg(&out)
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .stderr(Stdio::inherit())
        .output()?;
    let wall = started.elapsed();
    let state = emulator.snapshot();
    runtime.block_on(emulator.shutdown());

    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("the import's report is not JSON: {e}"))?;
    let imported = report["certificates"].as_array().map_or(0, Vec::len);
    let profiles = report["profiles"].as_array().map_or(0, Vec::len);
    let pages = count_in(&state, "DescribeCertificates");
    let details = count_in(&state, "DescribeCertificateDetail");
    let floor = (pages + details) as f64 / RATE;
    let share = 100.0 * floor / wall.as_secs_f64().max(f64::EPSILON);
    let code = output.status.code().unwrap_or(-1);
    let _ = std::fs::remove_dir_all(&out);

    println!(
        "| certificates | latency | wall | floor ((pages + details) / 10 s) | share of floor | list pages | detail reads | throttled | imported | profiles | exit |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    println!(
        "| {n} | {latency_ms} ms | {:.2} s | {floor:.1} s | {share:.1}% | {pages} | {details} | {} | {imported} | {profiles} | {code} |",
        wall.as_secs_f64(),
        state.throttled
    );
    let good = code == 0 && state.throttled == 0 && imported == n;

    // The peer, on a fresh emulator with the same certificates and latency.
    let emulator = start_emulator(&runtime, n, latency_ms)?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer_import.py");
    let hostport = emulator.url().trim_start_matches("http://").to_string();
    let started = Instant::now();
    let peer = Command::new(env::var_os("PYTHON").unwrap_or_else(|| "python3".into()))
        .arg(&script)
        .arg(&hostport)
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .stderr(Stdio::inherit())
        .output();
    let wall = started.elapsed();
    let state = emulator.snapshot();
    runtime.block_on(emulator.shutdown());
    match peer {
        Ok(peer) if peer.status.success() => {
            let pages = count_in(&state, "DescribeCertificates");
            let details = count_in(&state, "DescribeCertificateDetail");
            let floor = (pages + details) as f64 / RATE;
            println!(
                "| {n} (Python SDK, sequential reads) | {latency_ms} ms | {:.2} s | {floor:.1} s | {:.1}% | {pages} | {details} | {} | — | — | 0 |",
                wall.as_secs_f64(),
                100.0 * floor / wall.as_secs_f64().max(f64::EPSILON),
                state.throttled
            );
        }
        Ok(peer) => eprintln!(
            "peer did not finish (exit {}): is tencentcloud-sdk-python-common installed? {}",
            peer.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&peer.stdout).trim()
        ),
        Err(error) => eprintln!("peer not run: {error}"),
    }
    Ok(if good {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
