//! Benchmark: `tccert validate` on 10,000 certificates over 50 profiles, and
//! check-jsonschema (the peer) on the same files with the same schema.
//!
//! Needs in Cargo.toml (a plain `main`, not the libtest harness):
//!
//! ```toml
//! [[bench]]
//! name = "validate"
//! harness = false
//! ```
//!
//! Run with `cargo bench --bench validate`. It prints a Markdown table for
//! BENCHMARKS.md on stdout.
//!
//! Both tools are timed as whole processes, the way a user or CI runs them:
//! start-up, reading and parsing every file, and exit are all part of the
//! cost. Wall time is taken around the process; CPU time (user + system)
//! and peak RSS come from GNU `/usr/bin/time -f '%U %S %M'`. CPU time above
//! wall time means the tool used more than one core. The peer checks the JSON Schema only, while tccert
//! also merges profiles, interpolates, and parses and verifies CSRs, so the
//! ratio flatters the peer rather than tccert.

mod common;

use std::env;
use std::error::Error;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const CERTIFICATES: usize = 10_000;
const PROFILES: usize = 50;
const TCCERT_RUNS: usize = 5;
const PEER_RUNS: usize = 3;
const WARMUP_RUNS: usize = 1;
const TIME: &str = "/usr/bin/time";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("validate benchmark: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode, Box<dyn Error>> {
    let dir = env::temp_dir().join("tccert-bench-validate");
    let scratch = env::temp_dir().join("tccert-bench-validate-time");
    fs::create_dir_all(&scratch)?;
    let files = common::generate(&dir, CERTIFICATES, PROFILES)?;
    // Checked in-process first, so a generator bug shows its diagnostics
    // before any timing starts.
    common::validated(&dir)?;
    print_input(&dir, &files)?;

    let tccert = Path::new(env!("CARGO_BIN_EXE_tccert"));
    let tccert_runs = measure(
        tccert,
        &[vec![
            OsString::from("validate"),
            dir.clone().into_os_string(),
        ]],
        TCCERT_RUNS,
        &scratch,
    )?;
    if tccert_runs.exit_code != 0 {
        // A benchmark of a run that rejects its input measures nothing: show
        // why, so that the generator (or tccert) can be fixed.
        eprintln!(
            "tccert validate exited {} on the generated tree; first lines of its output:\n{}",
            tccert_runs.exit_code, tccert_runs.output_head
        );
        return Ok(ExitCode::FAILURE);
    }

    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/tccert-v1.schema.json");
    let peer = match (find_peer(), schema.is_file()) {
        (Some(program), true) => {
            let batches = peer_batches(&schema, &files, arg_max());
            let runs = measure(&program, &batches, PEER_RUNS, &scratch)?;
            if runs.exit_code != 0 {
                eprintln!(
                    "check-jsonschema exited {}; first lines of its output:\n{}",
                    runs.exit_code, runs.output_head
                );
            }
            Some((peer_version(&program), batches.len(), runs))
        }
        (None, _) => {
            println!(
                "Peer skipped: check-jsonschema is not on PATH (pip install check-jsonschema).\n"
            );
            None
        }
        (Some(_), false) => {
            println!("Peer skipped: {} does not exist.\n", schema.display());
            None
        }
    };

    print_table(&files, &tccert_runs, peer.as_ref());
    Ok(ExitCode::SUCCESS)
}

/// What one tool did over its timed runs.
struct Runs {
    /// Wall time of each timed run (all batches of the run together).
    walls: Vec<Duration>,
    /// User + system CPU time of each timed run.
    cpus: Vec<Duration>,
    /// Largest maximum resident set size of any process, KiB.
    peak_rss_kib: u64,
    /// The first non-zero exit code seen, else 0.
    exit_code: i32,
    /// The start of stderr and stdout of the last failing process.
    output_head: String,
}

impl Runs {
    fn min(&self) -> Duration {
        self.walls.iter().copied().min().unwrap_or_default()
    }

    fn median(&self) -> Duration {
        median(&self.walls)
    }

    fn median_cpu(&self) -> Duration {
        median(&self.cpus)
    }
}

/// The middle value (the upper one of an even count).
fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// Runs `program` once per argument batch, `WARMUP_RUNS` untimed then `runs`
/// timed times. Each process runs under `/usr/bin/time -o FILE`: writing
/// to a file keeps its figure apart from the tool's own stderr.
fn measure(
    program: &Path,
    batches: &[Vec<OsString>],
    runs: usize,
    scratch: &Path,
) -> Result<Runs, Box<dyn Error>> {
    let time_file = scratch.join("time.txt");
    let mut result = Runs {
        walls: Vec::with_capacity(runs),
        cpus: Vec::with_capacity(runs),
        peak_rss_kib: 0,
        exit_code: 0,
        output_head: String::new(),
    };
    for round in 0..=runs {
        let start = Instant::now();
        let mut cpu = Duration::ZERO;
        for args in batches {
            let output = Command::new(TIME)
                .args([OsStr::new("-f"), OsStr::new("%U %S %M"), OsStr::new("-o")])
                .arg(&time_file)
                .arg(program)
                .args(args)
                .output()
                .map_err(|e| format!("cannot run {TIME}: {e}"))?;
            // `time` exits with the status of the command it ran.
            let code = output.status.code().unwrap_or(-1);
            if code != 0 && result.exit_code == 0 {
                result.exit_code = code;
                result.output_head = head(&output.stderr, &output.stdout);
            }
            let report = fs::read_to_string(&time_file)?;
            // On failure GNU time writes "Command exited with non-zero
            // status N" first; the figures are always the last line.
            let (user, system, rss) = report
                .lines()
                .last()
                .and_then(parse_time_report)
                .ok_or_else(|| format!("unexpected {TIME} report: {report:?}"))?;
            cpu += Duration::from_secs_f64(user + system);
            result.peak_rss_kib = result.peak_rss_kib.max(rss);
        }
        if round >= WARMUP_RUNS {
            result.walls.push(start.elapsed());
            result.cpus.push(cpu);
        }
    }
    Ok(result)
}

/// `"%U %S %M"`: user seconds, system seconds, maximum RSS in KiB.
fn parse_time_report(line: &str) -> Option<(f64, f64, u64)> {
    let mut fields = line.split_whitespace();
    let user = fields.next()?.parse().ok()?;
    let system = fields.next()?.parse().ok()?;
    let rss = fields.next()?.parse().ok()?;
    Some((user, system, rss))
}

/// The first lines of a failing process's stderr, then stdout.
fn head(stderr: &[u8], stdout: &[u8]) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(stderr),
        String::from_utf8_lossy(stdout)
    );
    text.lines().take(30).collect::<Vec<_>>().join("\n")
}

/// check-jsonschema as found on PATH. A pyenv shim is a shell script that
/// starts `pyenv` before Python on every call; the peer is measured through
/// the real entry point it resolves to, so it is not charged for the shim.
fn find_peer() -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    let found = env::split_paths(&path)
        .map(|dir| dir.join("check-jsonschema"))
        .find(|candidate| candidate.is_file())?;
    if !found.components().any(|c| c.as_os_str() == "shims") {
        return Some(found);
    }
    let output = Command::new("pyenv")
        .args(["which", "check-jsonschema"])
        .output()
        .ok()?;
    let real = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    Some(if output.status.success() && !real.is_empty() {
        PathBuf::from(real)
    } else {
        found
    })
}

fn peer_version(program: &Path) -> String {
    Command::new(program)
        .arg("--version")
        .output()
        .ok()
        // "check-jsonschema, version 0.39.0" -> "check-jsonschema 0.39.0"
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .replace(", version", "")
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "check-jsonschema".to_owned())
}

/// The system's limit on the bytes of arguments plus environment, from
/// `getconf ARG_MAX`; POSIX's minimum when that cannot be read.
fn arg_max() -> usize {
    Command::new("getconf")
        .arg("ARG_MAX")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(4096)
}

/// The peer's argument lists: one invocation holding every file when that
/// fits in half of `ARG_MAX` (the other half is left for the environment),
/// else as few batches as fit, as xargs would make.
fn peer_batches(schema: &Path, files: &[PathBuf], arg_max: usize) -> Vec<Vec<OsString>> {
    let fixed = vec![OsString::from("--schemafile"), schema.into()];
    // Each argument costs its bytes, a NUL and a pointer in argv.
    let cost = |arg: &OsStr| arg.len() + 1 + size_of::<usize>();
    let fixed_cost: usize = fixed.iter().map(|a| cost(a)).sum();
    let budget = arg_max / 2;

    let mut batches = Vec::new();
    let mut batch = fixed.clone();
    let mut used = fixed_cost;
    for file in files {
        let arg = file.as_os_str();
        if used + cost(arg) > budget && batch.len() > fixed.len() {
            batches.push(std::mem::replace(&mut batch, fixed.clone()));
            used = fixed_cost;
        }
        used += cost(arg);
        batch.push(arg.to_owned());
    }
    batches.push(batch);
    batches
}

fn print_input(dir: &Path, files: &[PathBuf]) -> Result<(), Box<dyn Error>> {
    let mut bytes = 0;
    for file in files {
        bytes += fs::metadata(file)?.len();
    }
    let yaml = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "yaml"))
        .count();
    println!(
        "Input: {} ({} certificates, {} profiles; {} files: {} YAML, {} TOML; {:.1} MiB)\n",
        dir.display(),
        CERTIFICATES,
        PROFILES,
        files.len(),
        yaml,
        files.len() - yaml,
        bytes as f64 / (1024.0 * 1024.0),
    );
    Ok(())
}

fn print_table(files: &[PathBuf], tccert: &Runs, peer: Option<&(String, usize, Runs)>) {
    println!(
        "| tool | files | timed runs | min wall | median wall | median CPU (user+sys) | peak RSS | exit |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let row = |name: &str, runs: &Runs| {
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} | {} |",
            files.len(),
            runs.walls.len(),
            seconds(runs.min()),
            seconds(runs.median()),
            seconds(runs.median_cpu()),
            mebibytes(runs.peak_rss_kib),
            runs.exit_code
        );
    };
    row("`tccert validate`", tccert);
    if let Some((version, batches, runs)) = peer {
        let name = if *batches == 1 {
            format!("`{version}`")
        } else {
            format!("`{version}` ({batches} invocations a run)")
        };
        row(&name, runs);
        println!();
        println!(
            "Peer / tccert: median wall {:.1}x, peak RSS {:.1}x.",
            runs.median().as_secs_f64() / tccert.median().as_secs_f64(),
            runs.peak_rss_kib as f64 / tccert.peak_rss_kib as f64
        );
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.3} s", duration.as_secs_f64())
}

fn mebibytes(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
