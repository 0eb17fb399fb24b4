//! The paid certificate's life against the emulator over loopback HTTP:
//! a purchase bought exactly once (through a dropped reply; found by its
//! tag afterwards; refused without `--allow-purchase`; two tagged; saved
//! plans), `--restart` (cancel, the wait through 6, resubmit, submit,
//! order), timed out or interrupted and continued by the next `apply
//! --restart`; the letter at 8; `writes` and `partial` in every output.

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
    for (args, says) in [
        (
            &["apply", ".", "--restart-timeout", "0"][..],
            "--restart-timeout takes",
        ),
        (
            &["apply", ".", "--restart", "nope*"][..],
            "--restart nope*: no certificate has that name",
        ),
    ] {
        let out = tccert(dir, args).output().expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
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

/// A tree with the shared profile and `shop`, bought with `purchase`
/// (`product` 9: GeoTrust OV, whose order waits at 8 for a letter), and
/// `extra` lines.
fn shop(extra: &str) -> crate::support::cli::Test {
    crate::support::cli::Test::new()
        .file("profiles/acme.yaml", crate::support::fixtures::PROFILE)
        .file(
            "certificates/shop.yaml",
            &format!(
                "apiVersion: tccert/v1\nkind: Certificate\nname: shop\nprofiles: [acme]\ndomain: shop.acme.example\ncsr:\n  type: online\npurchase:\n  product: 9\n  tags: {{team: web}}\n{extra}"
            ),
        )
}

fn requests(emulator: &Emulator, action: &str) -> u64 {
    emulator
        .snapshot()
        .requests_by_action
        .get(action)
        .copied()
        .unwrap_or(0)
}

/// The ids of the emulator's certificates tagged `tccert:certificate=NAME`.
fn tagged(emulator: &Emulator, name: &str) -> Vec<String> {
    emulator
        .snapshot()
        .certificates
        .values()
        .filter(|c| {
            c.purchase.as_ref().is_some_and(|p| {
                p.tags
                    .iter()
                    .any(|t| t.key == "tccert:certificate" && t.value == name)
            })
        })
        .map(|c| c.certificate_id.clone())
        .collect()
}

#[test]
fn a_purchase_through_a_dropped_reply_is_bought_once_then_submitted_and_ordered() {
    let test = shop("commit: true\n");
    let dir = test.path();
    let emulator = Emulator::start(&[], &["drop-after-write:CreateCertificate=first:1"], |_| {});
    let url = emulator.url();
    let (code, report, stderr) = apply(dir, &url, &["--allow-purchase", "--timeout", "1"]);
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    let result = first(&report);
    assert_eq!(result["result"], "committed", "{report:#}");
    assert_eq!(
        result["writes"],
        serde_json::json!(["purchase", "submit", "order"])
    );
    assert_eq!(requests(&emulator, "CreateCertificate"), 1, "sent once");
    assert!(
        emulator.snapshot().faults_injected >= 1,
        "the reply was dropped"
    );
    let ids = tagged(&emulator, "shop");
    assert_eq!(ids.len(), 1, "bought once: {ids:?}");
    assert_eq!(result["certificate_id"], ids[0].as_str());
    assert!(
        result["notes"]
            .to_string()
            .contains("found the certificate bought"),
        "{report:#}"
    );
    // The reply was lost, so its DealIds were never read.
    assert_eq!(result["deal_ids"], serde_json::json!([]));
    let state = emulator.certificate(&ids[0]);
    assert_eq!(state.status, 8, "an OV order waits for its letter");
    assert_eq!(state.submits_applied, 1);
    let purchase = state.purchase.expect("a purchase");
    assert_eq!(purchase.auto_voucher, 0, "AutoVoucher always sent");
    assert_eq!(purchase.tags[0].key, "tccert:certificate");
    assert_eq!(purchase.tags[1].key, "team");

    // A second apply finds it by its tag and buys nothing.
    let (code, report, _) = apply(dir, &url, &["--allow-purchase"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(first(&report)["result"], "in_sync", "{report:#}");
    assert_eq!(first(&report)["writes"], serde_json::json!([]));
    assert_eq!(requests(&emulator, "CreateCertificate"), 1);
    assert_eq!(tagged(&emulator, "shop").len(), 1);
}

#[test]
fn a_purchase_with_its_reply_carries_deal_ids_and_the_letter_goes_at_8() {
    let letter = {
        let mut bytes = b"%PDF-1.4\n".to_vec();
        bytes.resize(2048, b' ');
        bytes
    };
    let test = shop("commit: true\nconfirm_letter: letter.pdf\n");
    std::fs::write(test.path().join("certificates/letter.pdf"), &letter).expect("letter");
    let dir = test.path();
    let emulator = Emulator::start(&[], &[], |_| {});
    let (code, report, stderr) = apply(dir, &emulator.url(), &["--allow-purchase"]);
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    let result = first(&report);
    assert_eq!(
        result["writes"],
        serde_json::json!(["purchase", "submit", "order", "letter"]),
        "{report:#}"
    );
    assert_eq!(
        result["deal_ids"].as_array().map(Vec::len),
        Some(1),
        "{report:#}"
    );
    let id = result["certificate_id"]
        .as_str()
        .expect("an id")
        .to_string();
    let state = emulator.certificate(&id);
    assert_eq!(state.status, 0, "the letter moved it on");
    assert_eq!(state.confirm_letter_bytes, Some(2048));
    assert_eq!(lifecycle_count(&emulator, &id, "UploadConfirmLetter"), 1);
}

#[test]
fn without_allow_purchase_nothing_is_bought_and_the_others_proceed() {
    let (test, seed) = manifests(1, &[]);
    let test = test.file(
        "certificates/shop.yaml",
        "apiVersion: tccert/v1\nkind: Certificate\nname: shop\nprofiles: [acme]\ndomain: shop.acme.example\ncsr:\n  type: online\npurchase:\n  product: 9\n",
    );
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let (code, report, _) = apply(test.path(), &url, &[]);
    assert_eq!(code, 1, "{report:#}");
    let by_name = |name: &str| {
        report["certificates"]
            .as_array()
            .expect("a list")
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .expect("reported")
    };
    let shop = by_name("shop");
    assert_eq!(shop["result"], "failed");
    assert_eq!(shop["error"]["code"], "tccert.PurchaseNotAllowed");
    assert!(
        shop["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("buying needs --allow-purchase")
    );
    assert_eq!(shop["certificate_id"], Json::Null);
    assert_eq!(by_name("c0")["result"], "submitted");
    assert_eq!(requests(&emulator, "CreateCertificate"), 0);

    // plan shows the purchase and that apply needs the flag.
    let out = tccert(
        test.path(),
        &["plan", ".", "--endpoint", &url, "--output", "json"],
    )
    .output()
    .expect("run");
    let plan: Json = serde_json::from_slice(&out.stdout).expect("JSON");
    let planned = plan["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .find(|c| c["name"] == "shop")
        .cloned()
        .expect("planned");
    assert_eq!(planned["result"], "planned", "{plan:#}");
    assert_eq!(
        planned["actions"],
        serde_json::json!(["CreateCertificate", "SubmitCertificateInformation"])
    );
    assert!(planned["notes"].to_string().contains("--allow-purchase"));
}

#[test]
fn a_landed_purchase_then_a_failing_submit_is_partial() {
    let test = shop("");
    let emulator = Emulator::start(
        &[],
        &["internal-error:SubmitCertificateInformation"],
        |_| {},
    );
    let (code, report, stderr) = apply(
        test.path(),
        &emulator.url(),
        &["--allow-purchase", "--timeout", "0.2"],
    );
    assert_eq!(code, 1, "{report:#}\n{stderr}");
    let result = first(&report);
    assert_eq!(result["result"], "partial", "{report:#}");
    assert_eq!(result["writes"], serde_json::json!(["purchase"]));
    assert_eq!(result["error"]["code"], "InternalError");
    assert_eq!(report["summary"]["partial"], 1);
    assert_eq!(tagged(&emulator, "shop").len(), 1);
}

#[test]
fn two_certificates_with_the_tag_are_an_error_naming_both_and_nothing_is_bought() {
    let test = shop("");
    let dir = test.path();
    let state_file = dir.join(".state.json");
    let kept = state_file.clone();
    let mut emulator = Emulator::start(&[], &[], |c| c.state_file = Some(kept));
    let (code, report, _) = apply(dir, &emulator.url(), &["--allow-purchase"]);
    assert_eq!(code, 0, "{report:#}");
    let id = first(&report)["certificate_id"]
        .as_str()
        .expect("id")
        .to_string();
    emulator.stop();
    // A second certificate with the same tag (another tree, a console copy).
    let mut state: Json =
        serde_json::from_str(&std::fs::read_to_string(&state_file).expect("state")).expect("JSON");
    let mut twin = state["certificates"][&id].clone();
    twin["certificate_id"] = Json::from("twin0001");
    state["certificates"]["twin0001"] = twin;
    std::fs::write(&state_file, state.to_string()).expect("write state");
    let emulator = Emulator::start(&[], &[], |c| c.state_file = Some(state_file));
    let bought_before = requests(&emulator, "CreateCertificate");
    let (code, report, _) = apply(dir, &emulator.url(), &["--allow-purchase"]);
    assert_eq!(code, 1, "{report:#}");
    let error = &first(&report)["error"];
    assert_eq!(error["code"], "tccert.TaggedTwice");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&id) && message.contains("twin0001"),
        "{message}"
    );
    assert!(message.contains("nothing is bought"), "{message}");
    assert_eq!(requests(&emulator, "CreateCertificate"), bought_before);
}

#[test]
fn a_saved_plan_buys_only_with_allow_purchase_on_both_sides_and_never_twice() {
    let test = shop("");
    let dir = test.path();
    let emulator = Emulator::start(&[], &[], |_| {});
    let url = emulator.url();
    let plan = |extra: &[&str]| {
        let mut args = vec!["plan", ".", "--endpoint", &url, "--out", "p.json"];
        args.extend_from_slice(extra);
        let out = tccert(dir, &args).output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let apply_plan = |extra: &[&str]| {
        let mut args = vec![
            "apply",
            "--plan",
            "p.json",
            "--endpoint",
            &url,
            "--output",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = tccert(dir, &args).output().expect("run");
        let report: Json = serde_json::from_slice(&out.stdout).expect("JSON");
        (out.status.code(), report)
    };
    // Planned without the flag: apply --plan with it still buys nothing.
    plan(&[]);
    let (code, report) = apply_plan(&["--allow-purchase"]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(first(&report)["error"]["code"], "tccert.PurchaseNotAllowed");
    assert_eq!(requests(&emulator, "CreateCertificate"), 0);

    plan(&["--allow-purchase"]);
    let saved: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.join("p.json")).expect("plan"))
            .expect("JSON");
    assert_eq!(saved["allow_purchase"], true);
    assert_eq!(saved["certificates"][0]["status"], Json::Null);
    assert_eq!(saved["certificates"][0]["actions"][0], "CreateCertificate");
    // Without the flag at apply: nothing bought.
    let (code, _) = apply_plan(&[]);
    assert_eq!(code, Some(1));
    assert_eq!(requests(&emulator, "CreateCertificate"), 0);
    let (code, report) = apply_plan(&["--allow-purchase"]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        first(&report)["writes"],
        serde_json::json!(["purchase", "submit"])
    );
    // The same plan again: the tag is there now, so it is stale.
    let (code, report) = apply_plan(&["--allow-purchase"]);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(first(&report)["result"], "stale", "{report:#}");
    assert_eq!(requests(&emulator, "CreateCertificate"), 1);

    // Bought and found by its tag: a plan of a change applies as planned
    // (its digest leaves out the id found, as the manifest has none).
    change_division(dir);
    plan(&[]);
    let (code, report) = apply_plan(&[]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(first(&report)["result"], "submitted", "{report:#}");
    assert_eq!(first(&report)["writes"], serde_json::json!(["submit"]));
}

/// The text of what apply says of a purchase refused and a restart not
/// needed (the messages, snapshotted).
#[test]
fn the_lifecycle_messages_in_text() {
    let (test, seed) = manifests(2, &[0, 1]);
    let test = test.file(
        "certificates/shop.yaml",
        "apiVersion: tccert/v1\nkind: Certificate\nname: shop\nprofiles: [acme]\ndomain: shop.acme.example\ncsr:\n  type: online\npurchase:\n  product: 9\n",
    );
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let dir = test.path();
    // c0 and c1 committed (8), in sync.
    let (_, report, _) = apply(dir, &url, &["--target", "c*"]);
    assert_eq!(report["summary"]["committed"], 2, "{report:#}");
    let out = tccert(
        dir,
        &[
            "apply",
            ".",
            "--endpoint",
            &url,
            "--output",
            "text",
            "--restart",
            "c0",
            "--color",
            "never",
        ],
    )
    .output()
    .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let table = stdout
        .find("NAME ")
        .map_or(stdout.as_str(), |i| &stdout[i..]);
    insta::assert_snapshot!("lifecycle_text", table);
}
