//! Nothing is lost: faults mixed at high rates, the server going away and
//! coming back, interrupts, and two applies racing. Each test checks the
//! emulator's final state, how many writes each certificate received, the
//! report and the exit code.

use std::time::{Duration, Instant};

use tccert::emulator::EmulatorConfig;

use crate::support::emulator::{Emulator, manifests};
use crate::support::process::{finish, send_signal, spawn_apply, tccert};

/// Every certificate ended committed, each write applied exactly once.
fn assert_committed_once(emulator: &Emulator, seed: &[(String, String)]) {
    let snapshot = emulator.snapshot();
    for (id, domain) in seed {
        let state = &snapshot.certificates[id];
        assert_eq!(state.status, 8, "{id} committed");
        assert_eq!(
            state.submits_applied, 1,
            "{id}: submitted information applied once"
        );
        assert_eq!(state.order_submits_applied, 1, "{id}: order applied once");
        let data = state.submitted_data.as_ref().expect("SubmittedData");
        assert_eq!(data["CertificateDomain"], domain.as_str());
    }
}

#[test]
fn mixed_faults_at_high_rates() {
    let (test, seed) = manifests(20, &(0..20).collect::<Vec<_>>());
    let faults = [
        "internal-error=rate:0.08",
        "request-limit-exceeded=rate:0.08",
        "http-502=rate:0.06",
        "drop-after-write=rate:0.08",
    ];
    let emulator = Emulator::start(&seed, &faults, |c| c.fault_seed = 7);
    let url = emulator.url();
    let child = spawn_apply(test.path(), &url, "2");
    let (code, report, stderr) = finish(child);
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    assert_eq!(report["summary"]["committed"], 20, "{report:#}");
    assert!(
        emulator.snapshot().faults_injected >= 5,
        "faults fired: {}",
        emulator.snapshot().faults_injected
    );
    assert_committed_once(&emulator, &seed);
}

/// The server going away mid-run: three connection failures in a row stop
/// the run (docs/cli.md "Pace, retries and faults") rather than retrying every
/// certificate against a dead endpoint. Nothing is lost: what the report calls
/// submitted or committed is in place, nothing is written twice, and a rerun
/// once the server is back finishes the job.
#[test]
fn the_server_going_away_stops_the_run_and_a_rerun_finishes_it() {
    let (test, seed) = manifests(16, &(0..16).collect::<Vec<_>>());
    let state = test.path().join("emulator-state.json");
    let state_for_first = state.clone();
    let mut emulator = Emulator::start(&seed, &[], |c| c.state_file = Some(state_for_first));
    let address = emulator.running().addr();
    let url = emulator.url();
    let apply = || spawn_apply(test.path(), &url, "2");
    let child = apply();
    std::thread::sleep(Duration::from_millis(700));
    let seen_before = emulator.requests();
    emulator.stop();
    let (code, report, stderr) = finish(child);
    assert!(
        seen_before > 0,
        "the run had started before the server went away"
    );
    assert_eq!(code, 1, "{report:#}\n{stderr}");
    assert_eq!(report["stopped"]["reason"], "unreachable", "{report:#}");
    assert_eq!(report["stopped"]["code"], "ClientError.ConnectFailed");

    let back = Emulator::start(&seed, &[], |c: &mut EmulatorConfig| {
        c.listen = address;
        c.state_file = Some(state);
    });
    // What the first run said it did, it did; then the rerun finishes.
    let snapshot = back.snapshot();
    for certificate in report["certificates"].as_array().into_iter().flatten() {
        let id = certificate["certificate_id"].as_str().unwrap_or_default();
        let state = &snapshot.certificates[id];
        match certificate["result"].as_str().unwrap_or_default() {
            "committed" => assert_eq!(state.order_submits_applied, 1, "{certificate:#}"),
            "submitted" => assert_eq!(state.submits_applied, 1, "{certificate:#}"),
            "unknown" => {}
            _ => assert_eq!(state.submits_applied, 0, "{certificate:#}"),
        }
    }
    let (code, report, stderr) = finish(apply());
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    assert_committed_once(&back, &seed);
}

#[cfg(unix)]
#[test]
fn sigint_stops_new_writes_settles_and_exits_130_then_a_rerun_finishes() {
    let (test, seed) = manifests(40, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let child = tccert(
        test.path(),
        &["apply", ".", "--endpoint", &url, "--output", "json"],
    )
    .spawn()
    .expect("spawn");
    std::thread::sleep(Duration::from_millis(1500));
    let signalled = Instant::now();
    send_signal(child.id(), "INT");
    let (code, report, stderr) = finish(child);
    assert!(
        signalled.elapsed() < Duration::from_secs(3),
        "stops promptly, not after the whole run"
    );
    assert_eq!(code, 130, "{report:#}\n{stderr}");
    assert_eq!(report["stopped"]["reason"], "interrupted");
    let submitted = report["summary"]["submitted"].as_u64().unwrap_or(0);
    let not_sent = report["certificates"].as_array().map_or(0, |c| {
        c.iter()
            .filter(|c| c["error"]["code"] == "tccert.NotSent")
            .count()
    });
    assert!(
        submitted > 0 && not_sent > 0,
        "some done, some not: {report:#}"
    );
    assert_eq!(
        submitted as usize + not_sent,
        40,
        "every certificate is accounted for: {report:#}"
    );
    // What the report says was done, was done; what it says was not, was not.
    let snapshot = emulator.snapshot();
    for certificate in report["certificates"].as_array().into_iter().flatten() {
        let id = certificate["certificate_id"].as_str().unwrap_or_default();
        let applied = snapshot.certificates[id].submits_applied;
        match certificate["result"].as_str() {
            Some("submitted") => assert_eq!(applied, 1, "{id}"),
            _ => assert_eq!(applied, 0, "{id}"),
        }
    }

    let child = tccert(
        test.path(),
        &["apply", ".", "--endpoint", &url, "--output", "json"],
    )
    .spawn()
    .expect("spawn");
    let (code, report, stderr) = finish(child);
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    assert_eq!(
        report["summary"]["in_sync"].as_u64().unwrap_or(0),
        submitted
    );
    assert_eq!(
        report["summary"]["submitted"].as_u64().unwrap_or(0),
        40 - submitted
    );
    for (id, _) in &seed {
        let state = &emulator.snapshot().certificates[id];
        assert_eq!(state.submits_received, 1, "{id}: no duplicate write");
        assert_eq!(state.submits_applied, 1, "{id}");
    }
}

#[test]
fn two_applies_at_once_both_succeed_and_every_certificate_ends_right() {
    let (test, seed) = manifests(12, &(0..12).collect::<Vec<_>>());
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let first = tccert(
        test.path(),
        &["apply", ".", "--endpoint", &url, "--output", "json"],
    )
    .spawn()
    .expect("spawn");
    let second = tccert(
        test.path(),
        &["apply", ".", "--endpoint", &url, "--output", "json"],
    )
    .spawn()
    .expect("spawn");
    let (code_a, report_a, stderr_a) = finish(first);
    let (code_b, report_b, stderr_b) = finish(second);
    assert_eq!(code_a, 0, "{report_a:#}\n{stderr_a}");
    assert_eq!(code_b, 0, "{report_b:#}\n{stderr_b}");
    for report in [&report_a, &report_b] {
        assert_eq!(report["summary"]["failed"], 0);
        assert_eq!(report["summary"]["drift"], 0);
    }
    let snapshot = emulator.snapshot();
    for (id, _) in &seed {
        let state = &snapshot.certificates[id];
        assert_eq!(state.status, 8, "{id}");
        // Each run may submit once (both read status 5 before either wrote);
        // never more. The order lands once; the other run sees it done.
        assert!(
            state.submits_applied <= 2,
            "{id}: {} submits",
            state.submits_applied
        );
        assert_eq!(state.order_submits_applied, 1, "{id}");
    }
}
