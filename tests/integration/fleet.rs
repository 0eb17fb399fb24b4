//! Reading a fleet in bulk (docs/cli.md, "Reading a fleet in bulk"), against
//! the emulator, counting its requests by action: plan, apply and status
//! list the certificates with `DescribeCertificates` and read
//! `DescribeCertificateDetail` only where the status needs it; `--deep`
//! reads every detail; issued certificates are `in_sync` without a
//! comparison (so their drift no longer fails a run) unless `--deep`; a
//! saved plan records `--deep` and still refuses a certificate whose status
//! moved.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::cli::{Run, Test};
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY, manifests};

/// Runs `tccert COMMAND . --endpoint URL --output json EXTRA...` in `dir`.
fn tccert(dir: &Path, emulator: &Emulator, command: &str, extra: &[&str]) -> Run {
    let url = emulator.url();
    let mut args = vec![command, ".", "--endpoint", url.as_str(), "--output", "json"];
    args.extend_from_slice(extra);
    Test::from_dir(dir.to_path_buf())
        .args(args)
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
}

/// The emulator's requests by action since `before`.
fn requests_since(emulator: &Emulator, before: &BTreeMap<String, u64>) -> (u64, u64, u64) {
    let now = emulator.snapshot().requests_by_action;
    let count = |action: &str| {
        now.get(action).copied().unwrap_or(0) - before.get(action).copied().unwrap_or(0)
    };
    (
        count("DescribeCertificates"),
        count("DescribeCertificateDetail"),
        count("SubmitCertificateInformation"),
    )
}

/// Five certificates: c0 issued (1) with drifted information, c1 pending
/// (5), c2 with the CA (8), c3 whose id the API does not know, c4 cancelled
/// (7). Returns the emulator and the manifest directory.
fn mixed_fleet() -> (Emulator, PathBuf, Test) {
    let (test, mut seed) = manifests(5, &[]);
    seed.remove(3);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let running = emulator.running();
    assert!(running.set_status("id000000", 1));
    assert!(running.set_submitted_field("id000000", "OrganizationName", Some("Elsewhere Ltd")));
    assert!(running.set_status("id000002", 8));
    assert!(running.set_status("id000004", 7));
    let dir = test.path().to_path_buf();
    (emulator, dir, test)
}

fn result<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["certificates"]
        .as_array()
        .and_then(|list| list.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no certificate {name} in {report}"))
}

#[test]
fn plan_apply_and_status_read_details_only_where_the_status_needs_them() {
    let (emulator, dir, _test) = mixed_fleet();

    // plan: one list call for the five ids; details for c1 (5), c2 (8) and
    // c3 (not listed, so that it gets its own error).
    let before = emulator.snapshot().requests_by_action;
    let plan = tccert(&dir, &emulator, "plan", &["--detailed-exitcode"]).failure();
    assert_eq!(requests_since(&emulator, &before), (1, 3, 0));
    let report = plan.json();
    assert_eq!(result(&report, "c0")["result"], "in_sync");
    assert_eq!(result(&report, "c0")["status"], 1);
    assert_eq!(
        result(&report, "c0")["notes"],
        json!(["issued: information not compared"])
    );
    assert_eq!(result(&report, "c1")["result"], "planned");
    assert_eq!(result(&report, "c2")["status"], 8);
    assert_eq!(result(&report, "c3")["result"], "failed");
    assert_eq!(
        result(&report, "c3")["error"]["code"],
        "FailedOperation.CertificateNotFound"
    );
    assert_eq!(result(&report, "c4")["result"], "skipped");
    assert_eq!(result(&report, "c4")["status"], 7);

    // plan --deep: every certificate's detail, no list; the issued one is
    // compared and its drift shows.
    let before = emulator.snapshot().requests_by_action;
    let deep = tccert(&dir, &emulator, "plan", &["--deep"])
        .failure()
        .json();
    assert_eq!(requests_since(&emulator, &before), (0, 5, 0));
    assert_eq!(result(&deep, "c0")["result"], "drift");
    assert!(
        result(&deep, "c0")["drift"]
            .as_array()
            .is_some_and(|d| d.contains(&json!("OrganizationName")))
    );

    // status: the same reads as plan.
    let before = emulator.snapshot().requests_by_action;
    let status = tccert(&dir, &emulator, "status", &[]).failure().json();
    assert_eq!(requests_since(&emulator, &before), (1, 3, 0));
    assert_eq!(result(&status, "c0")["status"], 1);
    assert_eq!(result(&status, "c0")["validation"], json!([]));
    assert_eq!(result(&status, "c2")["status"], 8);
    assert_eq!(
        result(&status, "c3")["error"]["code"],
        "FailedOperation.CertificateNotFound"
    );
    assert_eq!(result(&status, "c4")["status"], 7);
    let before = emulator.snapshot().requests_by_action;
    tccert(&dir, &emulator, "status", &["--deep"]).failure();
    assert_eq!(requests_since(&emulator, &before), (0, 5, 0));

    // apply: the same reads, and c1's submit follows its own detail read.
    let before = emulator.snapshot().requests_by_action;
    let apply = tccert(&dir, &emulator, "apply", &[]).failure().json();
    assert_eq!(requests_since(&emulator, &before), (1, 3, 1));
    assert_eq!(result(&apply, "c1")["result"], "submitted");
    assert_eq!(result(&apply, "c0")["result"], "in_sync");
    let before = emulator.snapshot().requests_by_action;
    let deep = tccert(&dir, &emulator, "apply", &["--deep"])
        .failure()
        .json();
    assert_eq!(requests_since(&emulator, &before), (0, 5, 0));
    assert_eq!(result(&deep, "c1")["result"], "in_sync");
    assert_eq!(result(&deep, "c0")["result"], "drift");
    assert_eq!(emulator.snapshot().throttled, 0, "each action at its pace");
}

#[test]
fn drift_on_an_issued_certificate_fails_a_run_only_with_deep() {
    let (test, seed) = manifests(2, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    for (id, _) in &seed {
        assert!(emulator.running().set_status(id, 1));
        assert!(emulator.running().set_submitted_field(
            id,
            "OrganizationName",
            Some("Elsewhere Ltd")
        ));
    }
    tccert(&dir, &emulator, "plan", &["--detailed-exitcode"]).success();
    tccert(&dir, &emulator, "apply", &[]).success();
    tccert(&dir, &emulator, "plan", &["--detailed-exitcode", "--deep"]).code_is(2);
    tccert(&dir, &emulator, "apply", &["--deep"]).failure();
    assert_eq!(
        emulator
            .snapshot()
            .requests_by_action
            .get("SubmitCertificateInformation"),
        None
    );
    drop(test);
}

/// The saved plan of `dir` (`plan.json`).
fn saved_plan(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).expect("plan.json"))
        .expect("JSON")
}

fn apply_plan(dir: &Path, emulator: &Emulator) -> Run {
    let url = emulator.url();
    Test::from_dir(dir.to_path_buf())
        .args([
            "apply",
            "--plan",
            "plan.json",
            "--endpoint",
            url.as_str(),
            "--output",
            "json",
        ])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
}

#[test]
fn a_saved_plan_without_deep_still_refuses_a_certificate_whose_status_moved() {
    let (test, seed) = manifests(3, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    tccert(&dir, &emulator, "plan", &["--out", "plan.json"]).success();
    assert_eq!(saved_plan(&dir)["deep"], false);
    // Since the plan: c0 issued (decided from the list alone), c1 with the
    // CA with other information (read in detail), c2 cancelled.
    let running = emulator.running();
    assert!(running.set_status("id000000", 1));
    assert!(running.set_status("id000001", 8));
    assert!(running.set_submitted_field("id000001", "OrganizationName", Some("Other Ltd")));
    assert!(running.set_status("id000002", 7));
    let before = emulator.snapshot().requests_by_action;
    let run = apply_plan(&dir, &emulator).failure().json();
    for name in ["c0", "c1", "c2"] {
        let certificate = result(&run, name);
        assert_eq!(certificate["result"], "stale", "{certificate}");
        assert!(
            certificate["notes"].as_array().is_some_and(|n| n
                .iter()
                .any(|n| n.as_str().is_some_and(|n| n.contains("the plan read 5")))),
            "{certificate}"
        );
    }
    // Listed in bulk as the plan was, c1 alone read in detail; nothing sent.
    assert_eq!(requests_since(&emulator, &before), (1, 1, 0));
    drop(test);
}

#[test]
fn a_saved_plan_records_deep_and_apply_reads_as_the_plan_did() {
    let (test, seed) = manifests(2, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    tccert(&dir, &emulator, "plan", &["--deep", "--out", "plan.json"]).success();
    assert_eq!(saved_plan(&dir)["deep"], true);
    let before = emulator.snapshot().requests_by_action;
    let run = apply_plan(&dir, &emulator).success().json();
    assert_eq!(run["summary"]["submitted"], 2);
    assert_eq!(requests_since(&emulator, &before), (0, 2, 2), "no list");
    drop(test);
}

#[test]
fn deep_beside_a_saved_plan_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("a test step");
    std::fs::write(dir.path().join("plan.json"), "{}").expect("a test step");
    Test::from_dir(dir.path().to_path_buf())
        .args(["apply", "--plan", "plan.json", "--deep", "--emulator"])
        .run()
        .code_is(1)
        .stderr_contains("cannot be used with");
}
