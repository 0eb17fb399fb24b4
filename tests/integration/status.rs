//! `tccert status` against the emulator: the report in text, JSON and
//! Markdown (snapshots), `--target`, `--json-out`, and `--wait` following
//! certificates to issuance with the emulator's `issue_after`, its end
//! states, `--wait-timeout` and a signal.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::cli::{Run, Test};
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY, apply, manifests};
use crate::support::process::{send_signal, tccert};

/// Three certificates applied, c1 committed (waiting for validation).
fn applied(issue_after: Option<Duration>) -> (Emulator, PathBuf, Run) {
    let (test, seed) = manifests(3, &[1]);
    let emulator = Emulator::start(&seed, &[], |config| config.issue_after = issue_after);
    let run = apply(test, &emulator, &[]).success();
    let dir = run._dir.path().to_path_buf();
    (emulator, dir, run)
}

fn status(dir: &Path, emulator: &Emulator, extra: &[&str]) -> Run {
    let url = emulator.url();
    let mut args = vec!["status", ".", "--endpoint", url.as_str()];
    args.extend_from_slice(extra);
    Test::from_dir(dir.to_path_buf())
        .args(args)
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
}

#[test]
fn status_reports_each_certificate_and_the_records_the_ca_wants() {
    let (emulator, dir, _run) = applied(None);
    let text = status(&dir, &emulator, &[]).success();
    insta::assert_snapshot!("status_text", text.stdout());

    let json = status(&dir, &emulator, &["--output", "json"])
        .success()
        .json();
    let certificates = json["certificates"].as_array().expect("a list");
    assert_eq!(certificates.len(), 3);
    let committed = &certificates[1];
    assert_eq!(committed["name"], "c1");
    assert_eq!(committed["certificate_id"], "id000001");
    assert_eq!(committed["account"], serde_json::Value::Null);
    assert_eq!(committed["status"], 8);
    assert_eq!(
        committed["status_name"],
        "information submitted, pending confirmation letter"
    );
    let record = &committed["validation"][0];
    assert_eq!(record["domain"], "acme.example");
    assert_eq!(record["type"], "TXT");
    assert_eq!(record["name"], "_dnsauth.c1");
    assert_eq!(record["subdomain"], "_dnsauth.c1");
    assert_eq!(record["path"], serde_json::Value::Null);
    assert!(record["value"].as_str().is_some_and(|v| !v.is_empty()));
    assert_eq!(certificates[0]["status"], 5);
    assert_eq!(certificates[0]["validation"], json!([]), "always present");

    let markdown = status(&dir, &emulator, &["--output", "markdown"]).success();
    insta::assert_snapshot!("status_markdown", markdown.stdout());
    assert_eq!(emulator.snapshot().throttled, 0, "paced under the limit");
}

#[test]
fn target_selects_and_a_pattern_matching_nothing_reads_nothing() {
    let (emulator, dir, _run) = applied(None);
    let before = emulator.certificate("id000002").describes;
    let run = status(
        &dir,
        &emulator,
        &[
            "--target",
            "c[01]",
            "--output",
            "json",
            "--json-out",
            "status.json",
        ],
    )
    .success();
    let names: Vec<String> = run.json()["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(names, ["c0", "c1"]);
    assert_eq!(
        emulator.certificate("id000002").describes,
        before,
        "c2 not read"
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("status.json")).expect("json-out"))
            .expect("JSON");
    assert_eq!(written, run.json(), "--json-out holds the same report");

    let requests = emulator.requests();
    status(&dir, &emulator, &["--target", "c0", "--target", "nope*"])
        .failure()
        .stderr_contains("--target nope*: no certificate has that name");
    assert_eq!(emulator.requests(), requests, "nothing read");
}

#[test]
fn a_certificate_the_api_does_not_know_fails_the_run() {
    let (emulator, dir, _run) = applied(None);
    std::fs::write(
        dir.join("certificates/ghost.yaml"),
        crate::support::fixtures::CERTIFICATE
            .replace("name: www", "name: ghost")
            .replace("abcb1234", "ghost1"),
    )
    .expect("write");
    let run = status(&dir, &emulator, &["--output", "json"]).failure();
    let ghost = run.json()["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|c| c["name"] == "ghost")
        .cloned()
        .expect("ghost listed");
    assert_eq!(
        ghost["error"]["code"],
        "FailedOperation.CertificateNotFound"
    );
    assert_eq!(ghost["status"], serde_json::Value::Null);
    assert_eq!(ghost["validation"], json!([]));
}

#[test]
fn wait_follows_committed_certificates_to_issuance() {
    let (emulator, dir, _run) = applied(Some(Duration::from_secs(2)));
    let started = Instant::now();
    let run = status(
        &dir,
        &emulator,
        &["--target", "c1", "--wait", "--interval", "1"],
    )
    .success();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_secs(30),
        "{waited:?}"
    );
    // Plain lines (no terminal): the first read, then the change.
    let out = run.stdout();
    assert!(
        out.starts_with(
            "c1: information submitted, pending confirmation letter (8), PENDING-DCV\nc1: approved (1)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("1 certificate: 1 issued, 0 not issued"),
        "{out}"
    );
    assert_eq!(emulator.certificate("id000001").status, 1);
    // Polls are paced by --interval: a handful of reads, not a busy loop.
    let reads = emulator.certificate("id000001").describes;
    assert!((2..=6).contains(&reads), "{reads} reads");
}

#[test]
fn wait_ends_at_once_at_pending_information_and_exits_1() {
    let (emulator, dir, _run) = applied(Some(Duration::from_secs(1)));
    let started = Instant::now();
    let run = status(
        &dir,
        &emulator,
        &["--wait", "--interval", "1", "--output", "json"],
    )
    .failure();
    let report = run.json();
    assert_eq!(report["certificates"][1]["status"], 1, "c1 issued");
    assert_eq!(
        report["certificates"][0]["status"], 5,
        "c0 cannot be by waiting"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    // Progress lines go to stderr when stdout is JSON.
    assert!(
        run.stderr().contains("c1: approved (1)"),
        "{}",
        run.stderr()
    );
}

#[test]
fn wait_timeout_bounds_the_wait() {
    let (emulator, dir, _run) = applied(None);
    let started = Instant::now();
    status(
        &dir,
        &emulator,
        &[
            "--target",
            "c1",
            "--wait",
            "--interval",
            "1",
            "--wait-timeout",
            "2",
        ],
    )
    .failure()
    .stderr_contains("--wait-timeout 2s reached");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1800) && waited < Duration::from_secs(30),
        "{waited:?}"
    );
    status(&dir, &emulator, &["--wait", "--interval", "0.5"])
        .failure()
        .stderr_contains("--interval");
}

#[test]
fn a_signal_ends_the_wait_with_130() {
    let (emulator, dir, _run) = applied(None);
    let url = emulator.url();
    let child = tccert(
        &dir,
        &[
            "status",
            ".",
            "--endpoint",
            &url,
            "--wait",
            "--interval",
            "1",
        ],
    )
    .spawn()
    .expect("spawn");
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    send_signal(child.id(), "INT");
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(130));
    assert!(started.elapsed() < Duration::from_secs(10));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("3 certificates: 0 issued, 3 not issued"),
        "{stdout}"
    );
}

#[test]
fn status_against_the_built_in_emulator_needs_no_credentials() {
    let (test, _seed) = manifests(2, &[]);
    let run = test
        .args(["status", ".", "--emulator", "--output", "json"])
        .run()
        .success();
    let report = run.json();
    assert_eq!(report["certificates"][0]["status"], 5);
    assert_eq!(
        report["certificates"][1]["status_name"],
        "pending information"
    );
    // --wait ends at once: pending information cannot change by waiting.
    let (test, _seed) = manifests(1, &[]);
    test.args(["status", ".", "--emulator", "--wait"])
        .run()
        .failure()
        .stdout_contains("c0: pending information (5)");
}

/// The `tccert emulator --issue-after` flag, end to end: apply with
/// `--commit` against the emulator binary, then `status --wait` sees the
/// certificate issued after the delay.
#[test]
fn the_emulator_binary_issues_after_the_delay() {
    let (mut child, mut lines) = crate::support::process::spawn_emulator([
        "--seed-id",
        "id000000=c0.acme.example",
        "--issue-after",
        "1",
    ]);
    let url = lines.next().and_then(Result::ok).unwrap_or_default();
    let secret_id = lines.next().and_then(Result::ok).unwrap_or_default();
    let secret_key = lines.next().and_then(Result::ok).unwrap_or_default();
    let secret_id = secret_id
        .trim_start_matches("TENCENTCLOUD_SECRET_ID=")
        .to_owned();
    let secret_key = secret_key
        .trim_start_matches("TENCENTCLOUD_SECRET_KEY=")
        .to_owned();
    let (test, _seed) = manifests(1, &[0]);
    let applied = test
        .args(["apply", ".", "--endpoint", url.as_str()])
        .env("TENCENTCLOUD_SECRET_ID", &secret_id)
        .env("TENCENTCLOUD_SECRET_KEY", &secret_key)
        .run();
    let waited = Test::from_dir(applied._dir.path().to_path_buf())
        .args([
            "status",
            ".",
            "--endpoint",
            url.as_str(),
            "--wait",
            "--interval",
            "1",
        ])
        .env("TENCENTCLOUD_SECRET_ID", &secret_id)
        .env("TENCENTCLOUD_SECRET_KEY", &secret_key)
        .run();
    let _ = child.kill();
    let _ = child.wait();
    applied.success();
    waited.success().stdout_contains("c0: approved (1)");
}

#[test]
fn a_certificate_id_from_the_environment_is_never_shown() {
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let text = std::fs::read_to_string(dir.join("certificates/c0.yaml")).expect("read");
    std::fs::write(
        dir.join("certificates/c0.yaml"),
        text.replace("certificate_id: id000000", "certificate_id: ${CID}"),
    )
    .expect("write");
    let url = emulator.url();
    let run = test
        .args([
            "status",
            ".",
            "--endpoint",
            url.as_str(),
            "--output",
            "json",
        ])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("CID", "id000000")
        .run()
        .success()
        .output_lacks("id000000");
    assert_eq!(run.json()["certificates"][0]["certificate_id"], "********");
    assert_eq!(
        run.json()["certificates"][0]["status"],
        5,
        "read with the real id"
    );
}

/// One certificate, c0, ordered (`commit: true`, status 8) against an
/// emulator whose local check passes `local_check_after` after the order
/// and that never issues by delay.
fn ordered(local_check_after: Option<Duration>, faults: &[&str]) -> (Emulator, PathBuf, Run) {
    let (test, seed) = manifests(1, &[0]);
    let emulator = Emulator::start(&seed, faults, |config| {
        config.local_check_after = local_check_after;
    });
    let run = apply(test, &emulator, &[]).success();
    let dir = run._dir.path().to_path_buf();
    (emulator, dir, run)
}

fn received(emulator: &Emulator, id: &str, action: &str) -> u64 {
    emulator
        .certificate(id)
        .lifecycle_received
        .get(action)
        .copied()
        .unwrap_or(0)
}

#[test]
fn status_shows_the_domain_checks_in_words_beside_the_records() {
    let (emulator, dir, _run) = applied(None);
    let text = status(&dir, &emulator, &["--target", "c1"]).success();
    insta::assert_snapshot!("status_checks_text", text.stdout());
    assert!(
        text.stdout().contains(
            "    check c1.acme.example (DNS): local check TXT record not found (-1); CA check not passed (-1)\n"
        ),
        "{}",
        text.stdout()
    );
    assert_eq!(
        received(&emulator, "id000001", "CheckCertificateDomainVerification"),
        1,
        "one check read for the one certificate waiting for validation"
    );

    let json = status(&dir, &emulator, &["--output", "json"])
        .success()
        .json();
    let c1 = &json["certificates"][1];
    assert_eq!(
        c1["checks"],
        json!([{
            "domain": "c1.acme.example",
            "verify_type": "DNS",
            "local_check": -1,
            "local_check_text": "TXT record not found",
            "local_check_reason": "txt record not found",
            "ca_check": -1,
            "ca_check_text": "not passed",
            "found": [],
            "rate_limited": false,
            "issued": false,
            "passed": false,
        }])
    );
    assert_eq!(c1["writes"], json!([]), "status alone writes nothing");
    // Not waiting for validation (5): no check read, `checks` still there.
    assert_eq!(json["certificates"][0]["checks"], json!([]));
    assert_eq!(
        received(&emulator, "id000000", "CheckCertificateDomainVerification"),
        0
    );
    let markdown = status(&dir, &emulator, &["--target", "c1", "--output", "markdown"]).success();
    assert!(
        markdown
            .stdout()
            .contains("| `c1` | `c1.acme.example` | TXT record not found (-1) | not passed (-1) |"),
        "{}",
        markdown.stdout()
    );
    assert_eq!(emulator.snapshot().throttled, 0, "paced under the limit");
}

#[test]
fn wait_complete_sends_complete_certificate_once_when_the_local_checks_pass() {
    let (emulator, dir, _run) = ordered(Some(Duration::from_secs(1)), &[]);
    // Without --complete nothing is written, whatever the checks say.
    let plain = status(&dir, &emulator, &["--output", "json"]).success();
    assert_eq!(plain.json()["certificates"][0]["writes"], json!([]));
    let run = status(
        &dir,
        &emulator,
        &[
            "--wait",
            "--complete",
            "--interval",
            "1",
            "--wait-timeout",
            "20",
            "--output",
            "json",
        ],
    )
    .success();
    let c0 = &run.json()["certificates"][0];
    assert_eq!(c0["status"], 1, "{c0}");
    assert_eq!(c0["writes"], json!(["complete"]));
    assert_eq!(
        received(&emulator, "id000000", "CompleteCertificate"),
        1,
        "sent once"
    );
    assert_eq!(
        emulator.snapshot().requests_by_action["CompleteCertificate"],
        1
    );
    let notes = c0["notes"].to_string();
    assert!(
        notes.contains("CompleteCertificate: sent: every domain passed the local check"),
        "{notes}"
    );
    // Issued now: a second run has nothing to complete.
    status(
        &dir,
        &emulator,
        &["--wait", "--complete", "--interval", "1"],
    )
    .success()
    .stdout_contains("c0: approved (1)");
    assert_eq!(received(&emulator, "id000000", "CompleteCertificate"), 1);
}

#[test]
fn a_complete_whose_reply_is_lost_is_settled_by_a_read_and_not_sent_again() {
    let (emulator, dir, _run) = ordered(
        Some(Duration::ZERO),
        &["drop-after-write:CompleteCertificate=first:1"],
    );
    let run = status(
        &dir,
        &emulator,
        &["--complete", "--output", "json", "--timeout", "2"],
    )
    .success();
    let c0 = &run.json()["certificates"][0];
    assert_eq!(c0["writes"], json!(["complete"]), "{c0}");
    assert_eq!(c0["status"], 1, "read again after the complete");
    let notes = c0["notes"].to_string();
    assert!(
        notes.contains("a read showed the write in place"),
        "{notes}"
    );
    assert_eq!(received(&emulator, "id000000", "CompleteCertificate"), 1);
}

#[test]
fn complete_is_not_sent_for_a_dnspod_or_wotrus_product() {
    for product in [48, 25] {
        let (emulator, dir, _run) = ordered(Some(Duration::ZERO), &[]);
        assert!(emulator.running().edit_certificate("id000000", |cert| {
            cert.purchase = Some(
                serde_json::from_value(json!({
                    "ProductId": product, "DomainNum": 1, "TimeSpan": 1, "AutoVoucher": 0,
                    "Tags": [], "DealId": "deal-1",
                }))
                .expect("a purchase"),
            );
        }));
        let run = status(&dir, &emulator, &["--complete", "--output", "json"]).success();
        let c0 = &run.json()["certificates"][0];
        assert_eq!(c0["writes"], json!([]));
        assert_eq!(c0["checks"][0]["passed"], true, "{c0}");
        let brand = if product == 48 { "DNSPod" } else { "WoTrus" };
        assert!(
            c0["notes"][0]
                .as_str()
                .is_some_and(|n| n.contains(&format!("does not serve {brand} certificates"))),
            "{c0}"
        );
        assert_eq!(received(&emulator, "id000000", "CompleteCertificate"), 0);
        if product == 48 {
            let text = status(&dir, &emulator, &["--complete"]).success();
            insta::assert_snapshot!("status_complete_not_served_text", text.stdout());
        }
        // --wait goes on waiting for the CA; it does not send it later.
        status(
            &dir,
            &emulator,
            &[
                "--wait",
                "--complete",
                "--interval",
                "1",
                "--wait-timeout",
                "2",
            ],
        )
        .failure()
        .stderr_contains("--wait-timeout 2s reached");
        assert_eq!(received(&emulator, "id000000", "CompleteCertificate"), 0);
    }
}

/// A fleet's domain checks and downloads stay under the documented 10 a
/// second: 15 certificates checked and downloaded, and the emulator (10 a
/// second, bursts of 10, as the API) throttles none of them. (Each check
/// follows its certificate's paced detail read, so this would hold even
/// without the checks' own pacer: `plan::run`'s unit test
/// `domain_checks_and_completes_are_paced_per_action` proves that pacer.)
#[test]
fn checks_and_downloads_of_a_fleet_are_paced_under_the_limit() {
    let all: Vec<usize> = (0..15).collect();
    let (test, seed) = manifests(15, &all);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let run = apply(test, &emulator, &[]).success();
    let dir = run._dir.path().to_path_buf();
    let started = Instant::now();
    status(&dir, &emulator, &["--output", "json"]).success();
    assert_eq!(
        emulator.snapshot().requests_by_action["CheckCertificateDomainVerification"],
        15
    );
    assert_eq!(emulator.snapshot().throttled, 0, "checks paced");
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "15 checks at 10 a second take at least 0.4 s after the first 10"
    );
    for (id, _) in &seed {
        assert!(emulator.running().set_status(id, 1));
    }
    let url = emulator.url();
    Test::from_dir(dir.clone())
        .args([
            "download",
            ".",
            "--out",
            "certs",
            "--endpoint",
            url.as_str(),
        ])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .success()
        .stdout_contains("15 certificates: 15 downloaded");
    assert_eq!(
        emulator.snapshot().requests_by_action["DownloadCertificate"],
        15
    );
    assert_eq!(emulator.snapshot().throttled, 0, "downloads paced");
}
