//! The paid certificate's life against the emulator over loopback HTTP:
//! `--restart` (cancel, the wait through 6, resubmit, submit, order),
//! interrupted at each step and continued by the next `apply --restart`;
//! `writes` and `partial` in the JSON results.

use std::time::{Duration, Instant};

use serde_json::Value as Json;

use crate::support::emulator::{Emulator, manifests};
use crate::support::process::{send_signal, tccert};

/// `apply . --endpoint URL --output json EXTRA...`: exit code, report,
/// stderr.
fn apply(dir: &std::path::Path, url: &str, extra: &[&str]) -> (i32, Json, String) {
    let mut args = vec!["apply", ".", "--endpoint", url, "--output", "json"];
    args.extend_from_slice(extra);
    let out = tccert(dir, &args).output().expect("run tccert");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (out.status.code().unwrap_or(-1), report, stderr)
}

fn first(report: &Json) -> &Json {
    &report["certificates"][0]
}

/// The profile's division changed: the information with the CA differs.
fn change_division(dir: &std::path::Path) {
    let path = dir.join("profiles/acme.yaml");
    let text = std::fs::read_to_string(&path).expect("the profile");
    std::fs::write(&path, text.replace("division: IT", "division: Platform"))
        .expect("write the profile");
}

fn lifecycle_count(emulator: &Emulator, id: &str, action: &str) -> u64 {
    emulator
        .certificate(id)
        .lifecycle_received
        .get(action)
        .copied()
        .unwrap_or(0)
}

fn wait_for_status(emulator: &Emulator, id: &str, status: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while emulator.certificate(id).status != status {
        assert!(Instant::now() < deadline, "{id} never reached {status}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_restart_timed_out_at_6_is_unknown_and_the_next_apply_restart_finishes_it() {
    let (test, seed) = manifests(1, &[0]);
    let emulator = Emulator::start(&seed, &[], |c| c.cancel_after = Duration::from_secs(4));
    let url = emulator.url();
    let dir = test.path();
    let (code, report, stderr) = apply(dir, &url, &[]);
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    assert_eq!(
        first(&report)["writes"],
        serde_json::json!(["submit", "order"])
    );
    assert_eq!(emulator.certificate("id000000").status, 8);

    change_division(dir);
    // Without --restart: drift, and the hint names it.
    let (code, report, _) = apply(dir, &url, &[]);
    assert_eq!(code, 1);
    assert_eq!(first(&report)["result"], "drift");
    assert!(
        first(&report)["notes"]
            .to_string()
            .contains("apply with --restart c0"),
        "{report:#}"
    );
    assert_eq!(first(&report)["writes"], serde_json::json!([]));

    // The cancellation takes 4 s; the restart waits 1 s.
    let (code, report, stderr) = apply(dir, &url, &["--restart", "c0", "--restart-timeout", "1"]);
    assert_eq!(code, 1, "{report:#}\n{stderr}");
    let result = first(&report);
    assert_eq!(result["result"], "unknown", "{report:#}");
    assert_eq!(result["writes"], serde_json::json!(["cancel"]));
    assert!(
        result["notes"]
            .to_string()
            .contains("apply --restart c0 continues"),
        "{report:#}"
    );
    assert_eq!(report["summary"]["unknown"], 1);
    assert_eq!(emulator.certificate("id000000").status, 6);

    // Without --restart, 6 is skipped with the hint.
    let (_, report, _) = apply(dir, &url, &[]);
    assert_eq!(first(&report)["result"], "skipped", "{report:#}");
    assert!(
        first(&report)["notes"]
            .to_string()
            .contains("--restart NAME")
    );

    // Continued: it waits through 6, resubmits, submits and orders.
    let (code, report, stderr) = apply(dir, &url, &["--restart", "c0"]);
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    let result = first(&report);
    assert_eq!(result["result"], "committed", "{report:#}");
    assert_eq!(
        result["writes"],
        serde_json::json!(["resubmit", "submit", "order"])
    );
    let state = emulator.certificate("id000000");
    assert_eq!(state.status, 8);
    assert_eq!(
        state.submitted_data.as_ref().expect("submitted")["OrganizationDivision"],
        "Platform"
    );
    assert_eq!(
        lifecycle_count(&emulator, "id000000", "CancelAuditCertificate"),
        1
    );
    assert_eq!(
        lifecycle_count(&emulator, "id000000", "ModifyCertificateResubmit"),
        1
    );

    // In sync now: a restart has nothing to do and sends nothing.
    let (code, report, _) = apply(dir, &url, &["--restart", "c0"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(first(&report)["result"], "in_sync", "{report:#}");
    assert_eq!(
        lifecycle_count(&emulator, "id000000", "CancelAuditCertificate"),
        1
    );
}

#[test]
fn a_restart_interrupted_while_waiting_is_continued_to_the_end() {
    let (test, seed) = manifests(1, &[0]);
    let emulator = Emulator::start(&seed, &[], |c| c.cancel_after = Duration::from_secs(3));
    let url = emulator.url();
    let dir = test.path();
    let (code, _, _) = apply(dir, &url, &[]);
    assert_eq!(code, 0);
    change_division(dir);

    // SIGINT once the cancel has landed (status 6): nothing new is sent.
    let child = tccert(
        dir,
        &[
            "apply",
            ".",
            "--endpoint",
            &url,
            "--output",
            "json",
            "--restart",
            "c0",
        ],
    )
    .spawn()
    .expect("spawn apply");
    wait_for_status(&emulator, "id000000", 6);
    std::thread::sleep(Duration::from_millis(300));
    send_signal(child.id(), "INT");
    let out = child.wait_with_output().expect("wait");
    let report: Json = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(out.status.code(), Some(130), "{report:#}");
    let result = first(&report);
    assert_eq!(result["result"], "unknown", "{report:#}");
    assert_eq!(result["writes"], serde_json::json!(["cancel"]));
    assert_eq!(
        lifecycle_count(&emulator, "id000000", "ModifyCertificateResubmit"),
        0
    );

    // The next apply --restart goes on from where it is (6 or 7).
    let (code, report, stderr) = apply(dir, &url, &["--restart", "c0"]);
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    assert_eq!(
        first(&report)["writes"],
        serde_json::json!(["resubmit", "submit", "order"])
    );
    assert_eq!(
        lifecycle_count(&emulator, "id000000", "CancelAuditCertificate"),
        1
    );
    assert_eq!(emulator.certificate("id000000").status, 8);
}

#[test]
fn a_restart_is_refused_at_issued_and_with_a_saved_plan() {
    let (test, seed) = manifests(1, &[0]);
    let emulator = Emulator::start(&seed, &[], |c| c.issue_after = Some(Duration::ZERO));
    let url = emulator.url();
    let dir = test.path();
    let (code, _, _) = apply(dir, &url, &[]);
    assert_eq!(code, 0);
    wait_for_status(&emulator, "id000000", 1);
    let (code, report, _) = apply(dir, &url, &["--restart", "c0", "--deep"]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(first(&report)["result"], "failed");
    assert_eq!(first(&report)["error"]["code"], "tccert.RestartRefused");
    assert_eq!(
        lifecycle_count(&emulator, "id000000", "CancelAuditCertificate"),
        0
    );

    let out = tccert(dir, &["apply", "--plan", "p.json", "--restart", "c0"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "a usage error");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--restart"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = tccert(dir, &["plan", ".", "--restart-timeout", "5"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--restart-timeout is for apply"));
}

#[test]
fn a_landed_write_then_a_failure_is_partial_in_every_output() {
    let (test, seed) = manifests(1, &[0]);
    let dir = test.path();
    let committed = dir.join(".committed-state.json");
    let kept = committed.clone();
    let mut emulator = Emulator::start(&seed, &[], |c| c.state_file = Some(kept));
    let (code, _, _) = apply(dir, &emulator.url(), &[]);
    assert_eq!(code, 0);
    emulator.stop();
    change_division(dir);
    // From that state each time, with every submit failing: the restart's
    // cancel and resubmit land, the submit does not.
    for (output, expected) in [
        ("json", ""),
        ("text", "landed: cancel, resubmit"),
        ("github", "partly written"),
        ("markdown", "partial"),
    ] {
        let state_file = dir.join(format!(".state-{output}.json"));
        std::fs::copy(&committed, &state_file).expect("copy the state");
        let emulator = Emulator::start(
            &seed,
            &["internal-error:SubmitCertificateInformation"],
            |c| c.state_file = Some(state_file),
        );
        let url = emulator.url();
        let out = tccert(
            dir,
            &[
                "apply",
                ".",
                "--endpoint",
                &url,
                "--output",
                output,
                "--restart",
                "c0",
                "--timeout",
                "0.2",
            ],
        )
        .output()
        .expect("run");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let all = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "{all}");
        assert_eq!(emulator.certificate("id000000").status, 5);
        if output != "json" {
            assert!(all.contains(expected), "{output}: {all}");
            continue;
        }
        let report: Json = serde_json::from_str(&stdout).expect("JSON");
        let result = first(&report);
        assert_eq!(result["result"], "partial", "{report:#}");
        assert_eq!(result["writes"], serde_json::json!(["cancel", "resubmit"]));
        assert_eq!(result["error"]["code"], "InternalError");
        assert_eq!(report["summary"]["partial"], 1);
        assert_eq!(report["summary"]["failed"], 0);
    }
}
