//! What a user can feed tccert besides well-formed manifests: numbers out of
//! range on the command line, more input than a run may read, and special
//! files (FIFOs, devices) named by `csr.file`. Each is a clear error, exit 1,
//! before anything is sent; never a panic (exit 101) or a hang.
//!
//! Runs that could hang go through [`Test::run_measured`], whose watchdog
//! kills the binary and fails the test after a minute.

use crate::support::cli::{Run, Test};
use crate::support::fixtures::{CERTIFICATE, PROFILE};

fn mkfifo(test: &Test, name: &str) {
    let made = std::process::Command::new("mkfifo")
        .arg(test.path().join(name))
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo {name}");
}

/// Asserts a usage error about `flag`: exit 1, the flag named, no panic,
/// nothing on stdout.
fn refused(run: Run, flag: &str, why: &str) {
    let run = run
        .failure()
        .stderr_contains(&format!("for '{flag} <"))
        .stderr_contains(why);
    assert!(run.stdout().is_empty(), "{}", run.stdout());
    assert!(!run.stderr().contains("panicked"), "{}", run.stderr());
}

// --- numbers ----------------------------------------------------------------

/// Each once panicked or was silently accepted: `--timeout 1e20` and
/// `--rate 1e-20` exited 101 from a `Duration` overflow.
#[test]
fn numbers_out_of_range_or_not_numbers_exit_1_naming_the_flag() {
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["plan", "m", "--timeout", "1e20"],
            "--timeout",
            "`1e20` is out of range: --timeout takes more than 0 and at most 3600 seconds",
        ),
        (
            &["apply", "m", "--rate", "1e-20"],
            "--rate",
            "`1e-20` is out of range: --rate takes from 0.01 to 1000 requests a second",
        ),
        (
            &["apply", "m", "--timeout", "0"],
            "--timeout",
            "out of range",
        ),
        (
            &["plan", "m", "--timeout", "3600.5"],
            "--timeout",
            "out of range",
        ),
        (&["plan", "m", "--rate", "1001"], "--rate", "out of range"),
        (&["plan", "m", "--rate", "NaN"], "--rate", "out of range"),
        (
            &["plan", "m", "--timeout", "soon"],
            "--timeout",
            "`soon` is not a number",
        ),
        (
            &["validate", "m", "--max-files", "0"],
            "--max-files",
            "out of range",
        ),
        (
            &["validate", "m", "--max-files", "1e3"],
            "--max-files",
            "is not a whole number",
        ),
        (
            &["render", "m", "--max-input-bytes", "17GiB"],
            "--max-input-bytes",
            "out of range",
        ),
        (
            &["render", "m", "--max-input-bytes", "12MB"],
            "--max-input-bytes",
            "is not a size",
        ),
        (
            &["emulator", "--rate", "1e-20"],
            "--rate",
            "out of range: --rate takes from 0.01 to 1000",
        ),
        (
            &["emulator", "--latency-ms", "86400000"],
            "--latency-ms",
            "out of range",
        ),
        (
            &["emulator", "--latency-ms=-1"],
            "--latency-ms",
            "out of range",
        ),
        (
            &["emulator", "--clock-offset", "-9223372036854775808"],
            "--clock-offset",
            "out of range",
        ),
        (
            &["emulator", "--issue-after=-1"],
            "--issue-after",
            "out of range",
        ),
        (
            &["status", "m", "--interval", "0.5"],
            "--interval",
            "out of range",
        ),
        (
            &["status", "m", "--wait-timeout", "0"],
            "--wait-timeout",
            "out of range",
        ),
        (
            &["emulator", "--fault-seed", "seven"],
            "--fault-seed",
            "is not a whole number",
        ),
        (
            &["emulator", "--listen", "127.0.0.1:70000"],
            "--listen",
            "invalid socket address",
        ),
    ];
    for (args, flag, why) in cases {
        refused(Test::new().args(args.iter().copied()).run(), flag, why);
    }
}

/// A variable that stands in for a flag is checked the same way, and the
/// message names the flag it stands for.
#[test]
fn budget_variables_are_checked_like_their_flags() {
    refused(
        Test::new()
            .env("TCCERT_MAX_FILES", "none")
            .args(["validate", "m"])
            .run(),
        "--max-files",
        "`none` is not a whole number",
    );
    refused(
        Test::new()
            .env("TCCERT_MAX_INPUT_BYTES", "0")
            .args(["validate", "m"])
            .run(),
        "--max-input-bytes",
        "out of range",
    );
}

/// The ends of each range are accepted and work.
#[test]
fn the_ends_of_the_ranges_work() {
    Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", CERTIFICATE)
        .env("XDG_STATE_HOME", "state")
        .args([
            "plan",
            ".",
            "--emulator",
            "--rate",
            "0.01",
            "--timeout",
            "3600",
        ])
        .run()
        .success()
        .stdout_contains("www");
    Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", CERTIFICATE)
        .args([
            "plan",
            ".",
            "--emulator",
            "--rate",
            "1000",
            "--timeout",
            "0.5",
        ])
        .run()
        .success();
}

// --- the input budget -------------------------------------------------------

/// `acme.yaml`, `www.yaml` and `count` comment-only files of `size` bytes
/// (which hold no document, so only their bytes count).
fn tree(count: usize, size: usize) -> Test {
    let comment = format!("#{}\n", "x".repeat(size - 2));
    let mut test = Test::new()
        .file("m/acme.yaml", PROFILE)
        .file("m/www.yaml", CERTIFICATE);
    for i in 0..count {
        test = test.file(&format!("m/filler-{i:03}.yaml"), &comment);
    }
    test
}

/// Once 150 comment-only files of 4 MiB took 620 MB: total input had no
/// bound. The same shape, scaled down under a small override.
#[test]
fn more_bytes_than_the_budget_stop_the_run_before_anything_is_sent() {
    let run = tree(20, 64 << 10)
        .args(["validate", "m", "--max-input-bytes", "512KiB"])
        .run_measured()
        .bounded()
        .failure()
        .stderr_contains("error[input-budget]: more than 512 KiB to read in this run (manifests, CSR files and letters together): stopped before m/filler-00")
        .stderr_contains("raise --max-input-bytes (or TCCERT_MAX_INPUT_BYTES)");
    // The budget error stands alone: no check ran over half the tree.
    assert!(
        run.stderr()
            .contains("1 error, 0 warnings; nothing was sent"),
        "{}",
        run.stderr()
    );

    // The variable does the same; under the budget the tree is valid.
    tree(20, 64 << 10)
        .env("TCCERT_MAX_INPUT_BYTES", "512KiB")
        .args(["validate", "m"])
        .run()
        .failure()
        .stderr_contains("error[input-budget]");
    tree(20, 64 << 10)
        .args(["validate", "m", "--max-input-bytes", "2MiB"])
        .run()
        .success()
        .stdout_contains("valid: 1 certificate and 1 profile in 22 files");

    // plan and apply stop before the emulator even starts.
    for command in ["plan", "apply"] {
        tree(20, 64 << 10)
            .env("XDG_STATE_HOME", "state")
            .args([command, "m", "--emulator", "--max-input-bytes", "512KiB"])
            .run()
            .failure()
            .stderr_contains("error[input-budget]")
            .output_lacks("using the built-in emulator");
    }
}

#[test]
fn more_files_than_the_budget_are_refused_before_any_is_read() {
    let run = tree(5, 16)
        .args(["validate", "m", "--max-files", "3", "--output", "json"])
        .run()
        .failure();
    let report = run.json();
    assert_eq!(
        report["diagnostics"][0]["code"], "input-budget",
        "{report:#}"
    );
    assert_eq!(report["files"], 0, "nothing was read: {report:#}");
    let message = report["diagnostics"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with("more than 3 files to read in this run"),
        "{message}"
    );
    // The flag wins over the variable.
    tree(5, 16)
        .env("TCCERT_MAX_FILES", "3")
        .args(["validate", "m", "--max-files", "7"])
        .run()
        .success();
    tree(5, 16)
        .env("TCCERT_MAX_FILES", "3")
        .args(["validate", "m"])
        .run()
        .failure()
        .stderr_contains("error[input-budget]: more than 3 files");
}

/// A CSR file is input too, counted each time a certificate names it.
#[test]
fn csr_files_count_against_the_budget() {
    let parse = CERTIFICATE.replace("type: online", "type: parse\n  file: www.csr");
    let test = || {
        Test::new()
            .file("acme.yaml", PROFILE)
            .file("www.yaml", &parse)
            .file("www.csr", include_str!("../fixtures/www.csr"))
    };
    test()
        .args(["validate", "acme.yaml", "www.yaml", "--max-files", "2"])
        .run()
        .failure()
        .stderr_contains("error[input-budget]: more than 2 files to read in this run (manifests, CSR files and letters together): stopped before www.csr")
        .stderr_contains("--> www.yaml:");
    test()
        .args(["validate", "acme.yaml", "www.yaml", "--max-files", "3"])
        .run()
        .success();
}

// --- special files named by csr.file ----------------------------------------

/// A FIFO with no writer: opening it to read blocks for ever. Before, it
/// hung validate, plan and apply; now it is refused without being opened.
#[test]
fn a_fifo_as_csr_file_is_an_error_not_a_hang() {
    let parse = CERTIFICATE.replace("type: online", "type: parse\n  file: pipe.csr");
    for args in [
        &["validate", "."][..],
        &["render", "."],
        &["plan", ".", "--emulator"],
        &["apply", ".", "--emulator"],
    ] {
        let test = Test::new()
            .file("acme.yaml", PROFILE)
            .file("www.yaml", &parse)
            .env("XDG_STATE_HOME", "state");
        mkfifo(&test, "pipe.csr");
        test.args(args.iter().copied())
            .run_measured()
            .within(200, 20)
            .failure()
            .stderr_contains("error[csr-file]: cannot read CSR file pipe.csr: not a regular file (a FIFO, socket or device); not read")
            .output_lacks("using the built-in emulator");
    }
}

/// A device never ends (`/dev/zero`) or blocks (a terminal): not read either.
#[test]
fn a_device_as_csr_file_is_an_error() {
    let parse = CERTIFICATE.replace("type: online", "type: parse\n  file: /dev/zero");
    Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &parse)
        // Outside the tree unless allowed (`path-outside-tree`).
        .args(["validate", ".", "--allow-path", "/dev"])
        .run_measured()
        .bounded()
        .failure()
        .stderr_contains("error[csr-file]: cannot read CSR file /dev/zero: not a regular file");
}

/// A FIFO a walked directory holds under a manifest's name is reported, not
/// opened, by every command that loads manifests.
#[test]
fn a_fifo_found_by_walking_is_reported_by_plan_and_render_too() {
    for args in [&["render", "m"][..], &["plan", "m", "--emulator"]] {
        let test = Test::new()
            .file("m/acme.yaml", PROFILE)
            .file("m/www.yaml", CERTIFICATE)
            .env("XDG_STATE_HOME", "state");
        mkfifo(&test, "m/pipe.yaml");
        test.args(args.iter().copied())
            .run_measured()
            .within(200, 20)
            .failure()
            .stderr_contains("error[read-failed]: m/pipe.yaml: not a regular file");
    }
}
