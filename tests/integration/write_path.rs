//! The write path's trust, over real HTTP against the emulator: a slow server
//! gets each write once, settle reads after an interrupt keep the pace, a
//! second signal ends the run at once, an unreachable endpoint stops the run
//! after three failures, and `--resubmit` sends what SubmittedData cannot
//! show. Each test checks the emulator's own counts, not only the report.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY, manifests};
use crate::support::process::{finish, send_signal, spawn_apply, tccert};

fn certificates(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["certificates"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_slow_server_gets_each_write_exactly_once() {
    // Every write lands 2.5 s after it arrives; tccert gives up on a reply
    // after 1 s. Reads must show the write absent over 3 s before it may go
    // again, and the order waits until the submit has landed.
    let (test, seed) = manifests(2, &[0, 1]);
    let emulator = Emulator::start(
        &seed,
        &[
            "late-apply-2500:SubmitCertificateInformation",
            "late-apply-2500:CertificateOrderSubmit",
        ],
        |_| {},
    );
    let url = emulator.url();
    let child = spawn_apply(test.path(), &url, "1");
    let (code, report, stderr) = finish(child);
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    assert_eq!(report["summary"]["committed"], 2, "{report:#}");
    let snapshot = emulator.snapshot();
    for (id, _) in &seed {
        let state = &snapshot.certificates[id];
        assert_eq!(state.submits_received, 1, "{id}: one submit sent");
        assert_eq!(state.submits_applied, 1, "{id}");
        assert_eq!(state.order_submits_received, 1, "{id}: one order sent");
        assert_eq!(state.order_submits_applied, 1, "{id}");
        assert_eq!(state.status, 8, "{id}");
    }
}

#[cfg(unix)]
#[test]
fn after_sigint_settle_reads_keep_the_pace_and_landed_writes_are_not_failed() {
    // Writes land 1.5 s after they arrive and tccert gives up at 1 s, so at
    // the signal many writes are unsettled: their reads must keep the pace
    // (none refused for the limit) and each certificate's report must match
    // what the server holds.
    let (test, seed) = manifests(40, &(0..40).collect::<Vec<_>>());
    let emulator = Emulator::start(
        &seed,
        &["late-apply-1500:SubmitCertificateInformation"],
        |_| {},
    );
    let url = emulator.url();
    let child = spawn_apply(test.path(), &url, "1");
    std::thread::sleep(Duration::from_millis(2500));
    let signalled = Instant::now();
    send_signal(child.id(), "INT");
    let (code, report, stderr) = finish(child);
    let took = signalled.elapsed();
    assert!(
        took < Duration::from_secs(1 + 5),
        "ended {took:?} after the signal, over --timeout + 5 s"
    );
    assert_eq!(code, 130, "{report:#}\n{stderr}");
    std::thread::sleep(Duration::from_millis(1600)); // let late writes land
    let snapshot = emulator.snapshot();
    assert_eq!(snapshot.throttled, 0, "no request over the limit");
    let mut unknown_or_submitted = 0;
    for certificate in certificates(&report) {
        let id = certificate["certificate_id"].as_str().unwrap_or_default();
        let state = &snapshot.certificates[id];
        let result = certificate["result"].as_str().unwrap_or_default();
        match result {
            "submitted" => {
                assert_eq!(state.submits_applied, 1, "{certificate:#}");
                assert_eq!(state.order_submits_received, 0, "{certificate:#}");
                unknown_or_submitted += 1;
            }
            "unknown" => {
                assert_eq!(state.submits_received, 1, "{certificate:#}");
                unknown_or_submitted += 1;
            }
            "failed" => {
                assert_eq!(certificate["error"]["code"], "tccert.NotSent");
                assert_eq!(state.submits_received, 0, "{certificate:#}");
            }
            other => panic!("{other}: {certificate:#}"),
        }
        assert!(state.submits_received <= 1, "{id}: sent twice");
    }
    assert!(unknown_or_submitted > 0, "{report:#}");
    assert!(report["summary"]["unknown"].is_u64(), "{report:#}");
}

#[cfg(unix)]
#[test]
fn a_second_signal_ends_the_run_at_once() {
    // Every submit is answered only after 20 s; the timeout is 30 s, so
    // after one signal the run would wait for them.
    let (test, seed) = manifests(3, &[]);
    let emulator = Emulator::start(&seed, &["slow-20000:SubmitCertificateInformation"], |_| {});
    let url = emulator.url();
    let child = tccert(
        test.path(),
        &["apply", ".", "--endpoint", &url, "--output", "json"],
    )
    .spawn()
    .expect("spawn");
    std::thread::sleep(Duration::from_millis(1500));
    send_signal(child.id(), "INT");
    std::thread::sleep(Duration::from_millis(300));
    let second = Instant::now();
    send_signal(child.id(), "TERM");
    let (code, report, stderr) = finish(child);
    assert!(
        second.elapsed() < Duration::from_secs(2),
        "{:?} after the second signal",
        second.elapsed()
    );
    assert_eq!(code, 130, "{report:#}\n{stderr}");
    assert_eq!(report["summary"]["unknown"], 3, "{report:#}");
}

#[test]
fn an_unreachable_endpoint_stops_after_three_connection_failures() {
    // A port nothing listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let (test, _) = manifests(60, &[]);
    let started = Instant::now();
    let child = tccert(
        test.path(),
        &[
            "apply",
            ".",
            "--endpoint",
            &format!("http://127.0.0.1:{port}"),
        ],
    )
    .spawn()
    .expect("spawn");
    let output = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // The cause (the connection error's own words) is said once, in the
    // stop line; besides the (at most 3) certificates whose own request hit
    // it, each in its line and its table row, every certificate says only
    // that it was not sent.
    assert_eq!(
        stdout
            .matches("could not be reached 3 times in a row")
            .count(),
        1,
        "{stdout}"
    );
    assert!(
        stdout.matches("Connection refused").count() <= 2 * 3 + 1,
        "{stdout}"
    );
    assert!(stdout.contains("not sent: the run stopped at ClientError.ConnectFailed"));
}

#[test]
fn resubmit_sends_an_in_sync_certificate_again_and_refuses_unknown_names() {
    let (test, seed) = manifests(2, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let run = |args: &[&str]| {
        let mut all = vec!["apply", ".", "--endpoint", &url, "--output", "json"];
        all.extend_from_slice(args);
        finish(tccert(test.path(), &all).spawn().expect("spawn"))
    };
    let (code, _, stderr) = run(&[]);
    assert_eq!(code, 0, "{stderr}");
    let (code, report, stderr) = run(&["--resubmit", "c0*"]);
    assert_eq!(code, 0, "{stderr}");
    let results: Vec<String> = certificates(&report)
        .iter()
        .map(|c| c["result"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(results, ["submitted", "in_sync"], "{report:#}");
    let (first, _) = &seed[0];
    assert_eq!(emulator.certificate(first).submits_applied, 2);

    let output = tccert(
        test.path(),
        &["plan", ".", "--endpoint", &url, "--resubmit", "nope*"],
    )
    .output()
    .expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--resubmit nope*: no certificate"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `SubmittedData.KeyPassword` is compared (names only): a changed key
/// password makes the certificate pending again, and no output shows it.
#[test]
fn a_changed_key_password_is_a_change_and_never_shown() {
    let test = crate::support::cli::Test::new()
        .file(
            "certificates/www.yaml",
            &crate::support::fixtures::CERTIFICATE
                .replace("certificate_id: abcb1234", "certificate_id: kp0001")
                .replace(
                    "  type: online\n",
                    "  type: online\n  key_password: ${WWW_KEY_PASSWORD}\n",
                ),
        )
        .file("profiles/acme.yaml", crate::support::fixtures::PROFILE);
    let seed = vec![("kp0001".to_string(), "www.acme.example".to_string())];
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let run = |command: &str, password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tccert"));
        child
            .args([command, ".", "--endpoint", &url, "--output", "json", "-vvv"])
            .current_dir(test.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
            .env("WWW_KEY_PASSWORD", password);
        let output = child.output().expect("run");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!all.contains(password), "{password} shown:\n{all}");
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {all}"));
        (output.status.code(), report)
    };
    let (code, report) = run("apply", "first-key-password");
    assert_eq!(code, Some(0), "{report:#}");
    let (_, report) = run("plan", "first-key-password");
    assert_eq!(report["certificates"][0]["result"], "in_sync", "{report:#}");
    let (_, report) = run("plan", "second-key-password");
    assert_eq!(report["certificates"][0]["result"], "planned", "{report:#}");
    assert_eq!(
        report["certificates"][0]["changes"],
        serde_json::json!([{"field": "KeyPassword", "sensitive": true}]),
        "{report:#}"
    );
}
