//! plan and apply against the emulator, over real HTTP on loopback: the
//! emulator runs in this test process (so its state can be inspected), the
//! tccert binary is a child process pointed at it with `--endpoint`.

use std::time::Duration;

use crate::support::cli::Test;
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY, apply, manifests, results};
use crate::support::fixtures::{CERTIFICATE, PROFILE};
use crate::support::process::spawn_emulator;

/// Every certificate's SubmittedData now equals what tccert would send.
fn assert_all_submitted(emulator: &Emulator, seed: &[(String, String)]) {
    for (id, domain) in seed {
        let state = emulator.certificate(id);
        let data = state
            .submitted_data
            .unwrap_or_else(|| panic!("{id} has no SubmittedData"));
        assert_eq!(data["CertificateDomain"], domain.as_str());
        assert_eq!(data["OrganizationName"], "Acme Ltd");
        assert_eq!(data["PhoneAreaCode"], "0755");
        assert_eq!(data["CsrType"], "online");
    }
}

#[test]
fn first_apply_submits_and_commits_then_reapply_writes_nothing() {
    let (test, seed) = manifests(4, &[1]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let run = apply(test, &emulator, &[]).success();
    assert_eq!(
        results(&run),
        [
            ("c0", "submitted"),
            ("c1", "committed"),
            ("c2", "submitted"),
            ("c3", "submitted")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let report = run.json();
    assert_eq!(report["summary"]["submitted"], 3);
    assert_eq!(report["summary"]["committed"], 1);
    assert_eq!(report["certificates"][0]["status"], 5);
    assert_eq!(report["certificates"][0]["file"], "./certificates/c0.yaml");
    assert_all_submitted(&emulator, &seed);
    for (id, _) in &seed {
        assert_eq!(
            emulator.certificate(id).submits_received,
            1,
            "{id} written once"
        );
    }
    assert_eq!(emulator.certificate("id000001").status, 8);
    assert_eq!(emulator.certificate("id000001").order_submits_received, 1);
    assert_eq!(emulator.certificate("id000000").status, 5);

    // Again, from the same files: nothing to write.
    let before = emulator.snapshot();
    let again = Test::from_dir(dir);
    let run = apply(again, &emulator, &[]).success();
    assert!(
        results(&run).iter().all(|(_, r)| r == "in_sync"),
        "{:?}",
        results(&run)
    );
    assert_eq!(run.json()["certificates"][1]["status"], 8);
    let after = emulator.snapshot();
    for (id, _) in &seed {
        assert_eq!(
            after.certificates[id].submits_received,
            before.certificates[id].submits_received
        );
        assert_eq!(
            after.certificates[id].order_submits_received,
            before.certificates[id].order_submits_received
        );
    }
}

#[test]
fn commit_flag_commits_every_certificate() {
    let (test, seed) = manifests(2, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let run = apply(test, &emulator, &["--commit"]).success();
    assert!(results(&run).iter().all(|(_, r)| r == "committed"));
    for (id, _) in &seed {
        assert_eq!(emulator.certificate(id).status, 8);
        assert_eq!(emulator.certificate(id).order_submits_applied, 1);
    }
}

#[test]
fn already_submitted_information_is_committed_without_a_resubmit() {
    let (test, seed) = manifests(1, &[0]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    // First apply without the commit (as if commit: true were added later).
    std::fs::write(
        dir.join("certificates/c0.yaml"),
        std::fs::read_to_string(dir.join("certificates/c0.yaml"))
            .unwrap()
            .replace("commit: true\n", ""),
    )
    .unwrap();
    apply(Test::from_dir(dir.clone()), &emulator, &[]).success();
    let run = apply(Test::from_dir(dir), &emulator, &["--commit"]).success();
    assert_eq!(results(&run)[0].1, "committed");
    assert_eq!(emulator.certificate("id000000").submits_received, 1);
    assert_eq!(emulator.certificate("id000000").status, 8);
}

#[test]
fn drift_is_reported_and_nothing_is_sent() {
    let (test, seed) = manifests(2, &[0, 1]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    // Keep the first run: it owns the directory the later runs read.
    let _first = apply(test, &emulator, &[]).success();
    assert!(emulator.running().set_submitted_field(
        "id000000",
        "OrganizationName",
        Some("Someone Else Ltd")
    ));
    assert!(emulator.running().set_submitted_field(
        "id000000",
        "AdminEmail",
        Some("other@acme.example")
    ));
    let writes_before = emulator
        .snapshot()
        .requests_by_action
        .get("SubmitCertificateInformation")
        .copied();

    let run = apply(Test::from_dir(dir.clone()), &emulator, &[]).failure();
    let report = run.json();
    assert_eq!(report["certificates"][0]["result"], "drift");
    assert_eq!(
        report["certificates"][0]["drift"],
        serde_json::json!(["OrganizationName", "AdminEmail"])
    );
    assert_eq!(report["certificates"][1]["result"], "in_sync");
    assert!(report["certificates"][1].get("drift").is_none());
    assert_eq!(report["summary"]["drift"], 1);
    assert_eq!(
        emulator
            .snapshot()
            .requests_by_action
            .get("SubmitCertificateInformation")
            .copied(),
        writes_before
    );

    // plan says the same, and --detailed-exitcode makes it exit 2.
    let url = emulator.url();
    Test::from_dir(dir)
        .args([
            "plan",
            ".",
            "--endpoint",
            url.as_str(),
            "--detailed-exitcode",
        ])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .code_is(2)
        .stdout_contains("drift")
        .stdout_contains("drifted: OrganizationName, AdminEmail");
}

#[test]
fn plan_sends_no_write_and_reports_planned() {
    let (test, seed) = manifests(3, &[2]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let dir = test.path().to_path_buf();
    let run = test
        .args([
            "plan",
            ".",
            "--endpoint",
            url.as_str(),
            "--output",
            "json",
            "--detailed-exitcode",
        ])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .code_is(2);
    assert!(results(&run).iter().all(|(_, r)| r == "planned"));
    assert_eq!(run.json()["summary"]["planned"], 3);
    assert_eq!(
        run.json()["certificates"][2]["actions"],
        serde_json::json!(["SubmitCertificateInformation", "CertificateOrderSubmit"])
    );
    let snapshot = emulator.snapshot();
    assert_eq!(
        snapshot.requests_by_action.keys().collect::<Vec<_>>(),
        ["DescribeCertificateDetail", "DescribeCertificates"]
    );
    // Without --detailed-exitcode a plan with changes is a success.
    Test::from_dir(dir)
        .args(["plan", ".", "--endpoint", url.as_str()])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .success()
        .stdout_contains("plan: 3 certificates: 3 planned");
}

/// Each fault kind on each action: every certificate ends right, and no
/// write is sent twice where once was enough.
#[test]
fn each_fault_kind_is_survived_without_duplicate_writes() {
    let cases: &[(&str, u64)] = &[
        // (fault, submits each certificate may receive: 2 when the first was refused before taking effect)
        ("internal-error:SubmitCertificateInformation=first:1", 2),
        (
            "request-limit-exceeded:SubmitCertificateInformation=first:2",
            3,
        ),
        ("http-502:SubmitCertificateInformation=first:1", 2),
        ("drop-after-write:SubmitCertificateInformation=first:1", 1),
        ("slow-3000:SubmitCertificateInformation=first:1", 1),
        ("internal-error:DescribeCertificateDetail=first:1", 1),
        ("http-502:DescribeCertificateDetail=first:1", 1),
        ("drop-after-write:CertificateOrderSubmit=first:1", 1),
        ("request-limit-exceeded:CertificateOrderSubmit=first:1", 1),
    ];
    for (fault, most_submits) in cases {
        let (test, seed) = manifests(3, &[0, 1, 2]);
        let emulator = Emulator::start(&seed, &[fault], |_| {});
        let run = apply(test, &emulator, &["--timeout", "1"]);
        assert_eq!(run.code(), 0, "{fault}: {}\n{}", run.stdout(), run.stderr());
        assert!(
            results(&run).iter().all(|(_, r)| r == "committed"),
            "{fault}: {:?}",
            results(&run)
        );
        assert_all_submitted(&emulator, &seed);
        let snapshot = emulator.snapshot();
        assert!(snapshot.faults_injected >= 3, "{fault}: the fault fired");
        for (id, _) in &seed {
            let state = &snapshot.certificates[id];
            assert_eq!(state.status, 8, "{fault}: {id} committed");
            assert!(
                state.submits_received <= *most_submits,
                "{fault}: {id} got {} submits",
                state.submits_received
            );
            assert_eq!(state.submits_applied, 1, "{fault}: {id} applied once");
            assert_eq!(state.order_submits_applied, 1, "{fault}: {id} ordered once");
            if fault.contains("drop-after-write:CertificateOrderSubmit") {
                assert_eq!(
                    state.order_submits_received, 1,
                    "{fault}: the dropped order is settled by a read, not resent"
                );
            }
        }
    }
}

#[test]
fn auth_failure_stops_the_run_at_once() {
    let (test, seed) = manifests(5, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let run = test
        .args(["apply", ".", "--endpoint", url.as_str(), "--output", "json"])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", "a-wrong-key")
        .run()
        .failure()
        .output_lacks("a-wrong-key");
    let report = run.json();
    assert_eq!(report["stopped"]["code"], "AuthFailure.SignatureFailure");
    assert_eq!(report["summary"]["failed"], 5);
    assert_eq!(
        emulator.requests(),
        1,
        "nothing is sent after the first AuthFailure"
    );
    assert_eq!(emulator.snapshot().auth_failures, 1);
}

#[test]
fn a_clock_off_by_more_than_five_minutes_is_named() {
    let (test, seed) = manifests(2, &[]);
    let emulator = Emulator::start(&seed, &[], |c| c.clock_offset_seconds = 600);
    let url = emulator.url();
    test.args(["apply", ".", "--endpoint", url.as_str()])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .failure()
        .stdout_contains("AuthFailure.SignatureExpire")
        .stdout_contains("clock");
    assert_eq!(emulator.requests(), 1);
}

#[test]
fn missing_credentials_stop_before_any_request() {
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    test.args(["apply", ".", "--endpoint", url.as_str()])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .run()
        .failure()
        .stderr_contains("TENCENTCLOUD_SECRET_KEY");
    assert_eq!(emulator.requests(), 0);
}

#[test]
fn a_certificate_not_found_fails_alone() {
    let (test, mut seed) = manifests(3, &[]);
    seed.remove(1);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let run = apply(test, &emulator, &[]).failure();
    let report = run.json();
    assert_eq!(report["certificates"][1]["result"], "failed");
    assert_eq!(
        report["certificates"][1]["error"]["code"],
        "FailedOperation.CertificateNotFound"
    );
    assert!(report["certificates"][1]["status"].is_null());
    assert_eq!(report["certificates"][0]["result"], "submitted");
    assert_eq!(report["certificates"][2]["result"], "submitted");
    assert_all_submitted(&emulator, &seed);
}

#[test]
fn statuses_past_submission_are_skipped_failed_or_compared() {
    let (test, seed) = manifests(3, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    emulator.running().set_status("id000000", 7);
    emulator.running().set_status("id000001", 2);
    emulator.running().set_status("id000002", 1);
    let run = apply(test, &emulator, &[]).failure();
    let report = run.json();
    assert_eq!(report["certificates"][0]["result"], "skipped");
    assert_eq!(report["certificates"][1]["result"], "failed");
    // Issued: decided from the bulk list, not compared (without --deep).
    assert_eq!(report["certificates"][2]["result"], "in_sync");
    assert_eq!(
        report["certificates"][2]["notes"],
        serde_json::json!(["issued: information not compared"])
    );
    assert_eq!(
        emulator
            .snapshot()
            .requests_by_action
            .get("SubmitCertificateInformation"),
        None
    );
}

#[test]
fn invalid_manifests_send_nothing() {
    let (test, seed) = manifests(2, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let test = test.file(
        "certificates/bad.yaml",
        &CERTIFICATE
            .replace("name: www", "name: bad")
            .replace("abcb1234", "bad00001")
            .replace("domain: www", "colour: blue\ndomain: www"),
    );
    let url = emulator.url();
    test.args(["apply", ".", "--endpoint", url.as_str()])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .failure()
        .stderr_contains("nothing was sent");
    assert_eq!(emulator.requests(), 0);
}

#[test]
fn the_builtin_emulator_runs_the_examples_end_to_end() {
    let examples = crate::support::cli::repo().join("examples");
    let run = Test::new()
        .args([
            "apply",
            examples.to_str().expect("utf-8"),
            "--emulator",
            "--output",
            "json",
        ])
        .env("WWW_KEY_PASSWORD", "example-only")
        .run()
        .success();
    let report = run.json();
    assert_eq!(report["summary"]["failed"], 0);
    assert!(
        report["summary"]["committed"]
            .as_u64()
            .is_some_and(|n| n >= 1)
    );
    assert_eq!(
        report["summary"]["submitted"].as_u64().unwrap_or(0)
            + report["summary"]["committed"].as_u64().unwrap_or(0),
        report["certificates"]
            .as_array()
            .map_or(0, |c| c.len() as u64)
    );
    // examples/ has an Account (acme-hk) whose `${...}` variables are not
    // set: --emulator reads none, and sends the hk certificates as acme-hk.
    let hk = report["certificates"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "hk-www"));
    assert_eq!(hk.map(|c| c["account"].clone()), Some("acme-hk".into()));
}

#[test]
fn the_emulator_command_prints_its_url_first_and_serves() {
    let (mut child, mut lines) = spawn_emulator([
        "--listen",
        "127.0.0.1:0",
        "--seed-id",
        "abc12345=www.acme.example",
    ]);
    let url = lines.next().and_then(Result::ok).unwrap_or_default();
    let id_line = lines.next().and_then(Result::ok).unwrap_or_default();
    let key_line = lines.next().and_then(Result::ok).unwrap_or_default();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let secret_id = id_line
        .strip_prefix("TENCENTCLOUD_SECRET_ID=")
        .unwrap_or_default()
        .to_string();
    let secret_key = key_line
        .strip_prefix("TENCENTCLOUD_SECRET_KEY=")
        .unwrap_or_default()
        .to_string();
    let certificate = CERTIFICATE.replace("abcb1234", "abc12345");
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .args(["apply", ".", "--endpoint", url.as_str()])
        .env("TENCENTCLOUD_SECRET_ID", &secret_id)
        .env("TENCENTCLOUD_SECRET_KEY", &secret_key)
        .run();
    let _ = child.kill();
    let _ = child.wait();
    let run = run.success();
    assert!(run.stdout().contains("submitted"), "{}", run.stdout());
}

/// `--state` holds what clients sent, `KeyPassword` included: the binary
/// writes it owner-only (0600), and a link planted at the temporary name it
/// once used (`.NAME.tmp-PID`, predictable) is not written through.
#[cfg(unix)]
#[test]
fn the_emulator_state_file_is_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let state = dir.path().join("state.json");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "untouched").expect("write the victim");
    let (mut child, mut lines) = spawn_emulator([
        std::ffi::OsStr::new("--seed-id"),
        std::ffi::OsStr::new("abc12345=www.acme.example"),
        std::ffi::OsStr::new("--state"),
        state.as_os_str(),
    ]);
    // The child's pid is the one the old code put in the temporary name.
    // The link is planted as soon as the pid is known, which is almost
    // always before the emulator's first write (it writes after loading
    // its state, before printing the URL) but cannot be guaranteed from
    // here; `state.rs`'s unit test plants it deterministically.
    let planted = dir.path().join(format!(".state.json.tmp-{}", child.id()));
    std::os::unix::fs::symlink(&victim, &planted).expect("plant a link");
    let url = lines.next().and_then(Result::ok).unwrap_or_default();
    let mode = std::fs::metadata(&state).map(|m| m.permissions().mode() & 0o777);
    let _ = child.kill();
    let _ = child.wait();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(mode.ok(), Some(0o600));
    assert_eq!(
        std::fs::read_to_string(&victim).ok().as_deref(),
        Some("untouched")
    );
}

#[test]
fn writes_are_paced_at_the_rate_limit() {
    // 30 certificates at --rate 20: the submits alone need ~1.5 s; reads
    // are paced at their own 10/s. No request may be throttled.
    let (test, seed) = manifests(30, &[]);
    let emulator = Emulator::start(&seed, &[], |c| c.rate_per_second = 20.0);
    let started = std::time::Instant::now();
    let run = apply(test, &emulator, &["--rate", "20"]).success();
    let elapsed = started.elapsed();
    assert_eq!(run.json()["summary"]["submitted"], 30);
    assert_eq!(emulator.snapshot().throttled, 0);
    // Reads at 10/s bound it from below (29 intervals); this is a sanity
    // bound, not a benchmark (see benches/apply.rs).
    assert!(elapsed >= Duration::from_millis(2900), "{elapsed:?}");
}
