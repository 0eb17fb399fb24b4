//! plan and apply with `CertificateInfoSubmit` (per certificate with `api:`,
//! or by `--api`) against the emulator over loopback HTTP: the first apply,
//! a re-apply that writes nothing, the commit, drift, unknown outcomes
//! settled without a second write, and runs that mix both APIs.

use serde_json::{Value, json};

use crate::support::cli::Test;
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY, apply, manifests, results};

const INFO_SUBMIT: &str = "CertificateInfoSubmit";
const SUBMIT: &str = "SubmitCertificateInformation";

/// `manifests(n, commit)` with `api: CertificateInfoSubmit` on the
/// certificates whose index is in `successor`.
fn mixed(n: usize, commit: &[usize], successor: &[usize]) -> (Test, Vec<(String, String)>) {
    let (test, seed) = manifests(n, commit);
    let dir = test.path().to_path_buf();
    for i in successor {
        let path = dir.join(format!("certificates/c{i}.yaml"));
        let text = std::fs::read_to_string(&path).expect("a certificate");
        std::fs::write(&path, format!("{text}api: {INFO_SUBMIT}\n")).expect("write");
    }
    (test, seed)
}

fn writes(emulator: &Emulator, action: &str) -> u64 {
    emulator
        .snapshot()
        .requests_by_action
        .get(action)
        .copied()
        .unwrap_or(0)
}

/// What the emulator holds for a certificate the successor submitted: the
/// information under SubmittedData's (old) names, written once.
fn assert_submitted_by_successor(emulator: &Emulator, id: &str, domain: &str) {
    let state = emulator.certificate(id);
    assert_eq!(state.submitted_by.as_deref(), Some(INFO_SUBMIT), "{id}");
    assert_eq!(state.info_submits_received, 1, "{id} written once");
    assert_eq!(state.info_submits_applied, 1, "{id}");
    assert_eq!(state.submits_received, 0, "{id}: the old API was not used");
    let data = state.submitted_data.expect("SubmittedData");
    assert_eq!(data["CertificateDomain"], domain);
    assert_eq!(data["CsrType"], "online");
    assert_eq!(data["OrganizationName"], "Acme Ltd");
    assert_eq!(data["PhoneAreaCode"], "0755");
    assert_eq!(data["AdminPhoneNum"], "12345678901");
    assert_eq!(data["AdminPosition"], "CTO");
    assert_eq!(data["ContactEmail"], "pki@acme.example");
    assert_eq!(data["ContactNumber"], "12345678902");
    assert!(
        data.get("PostalCode").is_none(),
        "CertificateInfoSubmit cannot send it"
    );
    let params = state.successor_params.expect("successor parameters");
    assert_eq!(
        Value::Object(params),
        json!({"CompanyType": 2, "CompanyId": "0", "CsrKeyParameter": "2048",
               "CsrEncryptAlgo": "RSA", "ManagerId": "0"})
    );
}

#[test]
fn first_apply_with_the_successor_then_a_reapply_writes_nothing() {
    let (test, seed) = mixed(3, &[1], &[0, 1, 2]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();

    // plan first: what it would send, and nothing sent.
    let url = emulator.url();
    let plan = Test::from_dir(dir.clone())
        .args(["plan", ".", "--endpoint", url.as_str(), "--output", "json"])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .success();
    let report = plan.json();
    assert_eq!(report["summary"]["planned"], 3);
    assert_eq!(report["certificates"][0]["api"], INFO_SUBMIT);
    assert_eq!(report["certificates"][0]["actions"], json!([INFO_SUBMIT]));
    assert_eq!(
        report["certificates"][1]["actions"],
        json!([INFO_SUBMIT, "CertificateOrderSubmit"])
    );
    assert_eq!(writes(&emulator, INFO_SUBMIT), 0);

    let run = apply(test, &emulator, &[]).success();
    assert_eq!(
        results(&run),
        [
            ("c0", "submitted"),
            ("c1", "committed"),
            ("c2", "submitted")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let report = run.json();
    assert_eq!(report["certificates"][0]["actions"], json!([INFO_SUBMIT]));
    assert!(
        run.stdout().contains("\"api\": \"CertificateInfoSubmit\""),
        "{}",
        run.stdout()
    );
    for (id, domain) in &seed {
        assert_submitted_by_successor(&emulator, id, domain);
    }
    assert_eq!(writes(&emulator, SUBMIT), 0);
    let committed = emulator.certificate("id000001");
    assert_eq!(committed.status, 8);
    assert_eq!(committed.order_submits_applied, 1);
    assert_eq!(emulator.certificate("id000000").status, 5);

    // Again: SubmittedData (old names) equals the successor body mapped back.
    let before = writes(&emulator, INFO_SUBMIT);
    let again = apply(Test::from_dir(dir), &emulator, &[]).success();
    assert!(
        results(&again).iter().all(|(_, r)| r == "in_sync"),
        "{:?}",
        results(&again)
    );
    assert_eq!(writes(&emulator, INFO_SUBMIT), before);
    assert_eq!(writes(&emulator, "CertificateOrderSubmit"), 1);
}

#[test]
fn information_in_place_is_committed_without_a_resubmit() {
    let (test, seed) = manifests(2, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _first = apply(test, &emulator, &["--api", INFO_SUBMIT]).success();
    let run = apply(
        Test::from_dir(dir),
        &emulator,
        &["--api", INFO_SUBMIT, "--commit"],
    )
    .success();
    assert!(results(&run).iter().all(|(_, r)| r == "committed"));
    assert_eq!(
        run.json()["certificates"][0]["actions"],
        json!(["CertificateOrderSubmit"])
    );
    for (id, domain) in &seed {
        assert_submitted_by_successor(&emulator, id, domain);
        assert_eq!(emulator.certificate(id).status, 8);
    }
}

#[test]
fn drift_is_seen_in_the_fields_the_successor_sends_and_only_those() {
    let (test, seed) = mixed(3, &[0, 1, 2], &[0, 1, 2]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _first = apply(test, &emulator, &[]).success();
    let running = emulator.running();
    // Changed elsewhere: fields the successor sends (under their old names).
    assert!(running.set_submitted_field("id000000", "OrganizationName", Some("Other Ltd")));
    assert!(running.set_submitted_field("id000000", "AdminPosition", Some("CEO")));
    assert!(running.set_submitted_field("id000000", "ContactEmail", Some("x@acme.example")));
    // A field it cannot send is not compared: PostalCode.
    assert!(running.set_submitted_field("id000001", "PostalCode", Some("999999")));
    // Nor one missing from the live data that it does not send at all.
    let before = writes(&emulator, INFO_SUBMIT);

    let run = apply(Test::from_dir(dir.clone()), &emulator, &[]).failure();
    let report = run.json();
    assert_eq!(report["certificates"][0]["result"], "drift");
    assert_eq!(
        report["certificates"][0]["drift"],
        json!(["OrganizationName", "AdminPosition", "ContactEmail"])
    );
    assert_eq!(report["certificates"][1]["result"], "in_sync");
    assert_eq!(report["certificates"][2]["result"], "in_sync");
    assert_eq!(
        writes(&emulator, INFO_SUBMIT),
        before,
        "drift sends nothing"
    );

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
        .stdout_contains("drifted: OrganizationName, AdminPosition, ContactEmail");
}

/// Each fault on the successor's write: every certificate ends committed,
/// its information applied once, and no write sent twice where once was
/// enough (dropped or slow replies are settled by a read).
#[test]
fn faults_on_the_successor_write_are_survived_without_duplicate_writes() {
    let cases: &[(&str, u64)] = &[
        // (fault, CertificateInfoSubmits each certificate may receive)
        ("drop-after-write:CertificateInfoSubmit=first:1", 1),
        ("slow-3000:CertificateInfoSubmit=first:1", 1),
        ("internal-error:CertificateInfoSubmit=first:1", 2),
        ("http-502:CertificateInfoSubmit=first:1", 2),
        ("request-limit-exceeded:CertificateInfoSubmit=first:2", 3),
    ];
    for (fault, most) in cases {
        let (test, seed) = mixed(3, &[0, 1, 2], &[0, 1, 2]);
        let emulator = Emulator::start(&seed, &[fault], |_| {});
        let run = apply(test, &emulator, &["--timeout", "1"]);
        assert_eq!(run.code(), 0, "{fault}: {}\n{}", run.stdout(), run.stderr());
        assert!(
            results(&run).iter().all(|(_, r)| r == "committed"),
            "{fault}: {:?}",
            results(&run)
        );
        let snapshot = emulator.snapshot();
        assert!(snapshot.faults_injected >= 3, "{fault}: the fault fired");
        for (id, domain) in &seed {
            let state = &snapshot.certificates[id];
            assert_eq!(state.status, 8, "{fault}: {id}");
            assert_eq!(state.info_submits_applied, 1, "{fault}: {id} applied once");
            assert!(
                state.info_submits_received <= *most,
                "{fault}: {id} got {} CertificateInfoSubmits",
                state.info_submits_received
            );
            assert_eq!(state.order_submits_applied, 1, "{fault}: {id}");
            let data = state.submitted_data.as_ref().expect("SubmittedData");
            assert_eq!(data["CertificateDomain"], domain.as_str());
        }
        if fault.starts_with("drop-after-write") || fault.starts_with("slow") {
            let notes = run.json()["certificates"][0]["notes"].to_string();
            assert!(
                notes.contains("a read showed the write in place"),
                "{fault}: settled by a read: {notes}"
            );
        }
    }
}

#[test]
fn a_mixed_run_sends_each_certificate_through_its_own_api() {
    // c0, c2, c4 say CertificateInfoSubmit; c1, c3, c5 say nothing, so
    // SubmitCertificateInformation; c6 is a DV certificate on the successor
    // (CompanyType 1: only its contact email).
    let (test, mut seed) = mixed(6, &[0, 1], &[0, 2, 4]);
    let dv = "apiVersion: tccert/v1\nkind: Certificate\nname: status\ncertificate_id: dv000001\ndomain: status.acme.example\ndv: true\napi: CertificateInfoSubmit\ncsr:\n  type: online\n  key_algorithm: ECC\ncontact:\n  email: pki@acme.example\n";
    let test = test.file("certificates/status.yaml", dv);
    seed.push(("dv000001".into(), "status.acme.example".into()));
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let run = apply(test, &emulator, &[]).success();
    assert_eq!(run.json()["summary"]["failed"], 0);
    assert_eq!(run.json()["summary"]["committed"], 2);

    let report = run.json();
    for certificate in report["certificates"].as_array().into_iter().flatten() {
        let id = certificate["certificate_id"].as_str().unwrap_or_default();
        let state = emulator.certificate(id);
        let expected = certificate["api"].as_str().unwrap_or_default();
        assert_eq!(state.submitted_by.as_deref(), Some(expected), "{id}");
        assert_eq!(
            state.submits_received + state.info_submits_received,
            1,
            "{id}"
        );
    }
    for id in ["id000000", "id000002", "id000004", "dv000001"] {
        assert_eq!(
            emulator.certificate(id).submitted_by.as_deref(),
            Some(INFO_SUBMIT)
        );
    }
    for id in ["id000001", "id000003", "id000005"] {
        let state = emulator.certificate(id);
        assert_eq!(state.submitted_by.as_deref(), Some(SUBMIT));
        assert_eq!(
            state.submitted_data.expect("SubmittedData")["PostalCode"],
            "518000",
            "{id}: the old API sends PostalCode"
        );
    }
    let dv_state = emulator.certificate("dv000001");
    assert_eq!(
        Value::Object(dv_state.submitted_data.expect("SubmittedData")),
        json!({"CsrType": "online", "CertificateDomain": "status.acme.example",
               "ContactEmail": "pki@acme.example"})
    );
    assert_eq!(
        dv_state.successor_params.expect("parameters")["CompanyType"],
        1
    );
    assert_eq!(writes(&emulator, INFO_SUBMIT), 4);
    assert_eq!(writes(&emulator, SUBMIT), 3);
    assert_eq!(emulator.snapshot().throttled, 0);

    // Re-applied with --api CertificateInfoSubmit, the certificates that do
    // not say now compare against the successor's body: the same
    // information (less PostalCode), so nothing is written.
    let again = apply(Test::from_dir(dir), &emulator, &["--api", INFO_SUBMIT]).success();
    assert!(
        results(&again).iter().all(|(_, r)| r == "in_sync"),
        "{:?}",
        results(&again)
    );
    assert_eq!(writes(&emulator, INFO_SUBMIT), 4);
    assert_eq!(writes(&emulator, SUBMIT), 3);
}

/// `dv: true` alone is an individual (CompanyType 1); a company's DV
/// certificate says `company_type: company` and is sent as CompanyType 2,
/// with the organization and people a company sends. A re-apply is in sync.
#[test]
fn a_company_dv_certificate_is_sent_as_company_type_2() {
    let (test, seed) = mixed(2, &[], &[0, 1]);
    let dir = test.path().to_path_buf();
    for (i, company_type) in [(0, "company_type: company\n"), (1, "")] {
        let path = dir.join(format!("certificates/c{i}.yaml"));
        let text = std::fs::read_to_string(&path).expect("a certificate");
        std::fs::write(&path, format!("{text}dv: true\n{company_type}")).expect("write");
    }
    let emulator = Emulator::start(&seed, &[], |_| {});
    let run = apply(test, &emulator, &[]).success();
    assert_eq!(run.json()["summary"]["submitted"], 2, "{}", run.stdout());

    let company = emulator.certificate("id000000");
    let params = company.successor_params.expect("parameters");
    assert_eq!(params["CompanyType"], 2);
    let data = company.submitted_data.expect("SubmittedData");
    assert_eq!(data["OrganizationName"], "Acme Ltd");
    assert_eq!(data["AdminPosition"], "CTO");
    assert_eq!(data["ContactEmail"], "pki@acme.example");

    let individual = emulator.certificate("id000001");
    assert_eq!(
        individual.successor_params.expect("parameters")["CompanyType"],
        1
    );

    let again = apply(Test::from_dir(dir), &emulator, &[]).success();
    assert!(
        results(&again).iter().all(|(_, r)| r == "in_sync"),
        "{:?}",
        results(&again)
    );
    assert_eq!(writes(&emulator, INFO_SUBMIT), 2);
}

#[test]
fn the_manifest_choice_wins_over_the_flag() {
    let (test, seed) = manifests(2, &[]);
    let dir = test.path().to_path_buf();
    let path = dir.join("certificates/c1.yaml");
    let text = std::fs::read_to_string(&path).expect("c1");
    std::fs::write(&path, format!("{text}api: {SUBMIT}\n")).expect("write");
    let emulator = Emulator::start(&seed, &[], |_| {});
    let run = apply(test, &emulator, &["--api", INFO_SUBMIT]).success();
    assert_eq!(run.json()["certificates"][0]["api"], INFO_SUBMIT);
    assert_eq!(run.json()["certificates"][1]["api"], SUBMIT);
    assert_eq!(
        emulator.certificate("id000000").submitted_by.as_deref(),
        Some(INFO_SUBMIT)
    );
    assert_eq!(
        emulator.certificate("id000001").submitted_by.as_deref(),
        Some(SUBMIT)
    );
}

#[test]
fn successor_writes_are_paced_at_the_rate_limit() {
    // 10 certificates on each API at the emulator's 10 a second per action:
    // neither write action is throttled.
    let successor: Vec<usize> = (0..20).filter(|i| i % 2 == 0).collect();
    let (test, seed) = mixed(20, &[], &successor);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let run = apply(test, &emulator, &[]).success();
    assert_eq!(run.json()["summary"]["submitted"], 20);
    assert_eq!(emulator.snapshot().throttled, 0);
    assert_eq!(writes(&emulator, INFO_SUBMIT), 10);
    assert_eq!(writes(&emulator, SUBMIT), 10);

    // CertificateInfoSubmit is paced at --rate, not only behind the reads:
    // 12 writes at 4 a second need 11/4 s, while the reads (10 a second)
    // are done in 1.1 s.
    let (test, seed) = mixed(12, &[], &(0..12).collect::<Vec<_>>());
    let emulator = Emulator::start(&seed, &[], |c| c.rate_per_second = 100.0);
    let started = std::time::Instant::now();
    let run = apply(test, &emulator, &["--rate", "4"]).success();
    let elapsed = started.elapsed();
    assert_eq!(run.json()["summary"]["submitted"], 12);
    assert!(
        elapsed >= std::time::Duration::from_millis(2700),
        "{elapsed:?}"
    );
}
