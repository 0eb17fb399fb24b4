//! Saved plans (`plan --out FILE`, `apply --plan FILE`) and `--target`,
//! against the emulator: a plan applies only what did not move, once; a
//! stale, foreign, edited or truncated plan sends nothing; the file holds no
//! secret in any form.

use std::path::Path;

use sha2::{Digest as _, Sha256};
use tccert::plan::saved;

use crate::support::cli::{Run, Test};
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY, manifests};
use crate::support::fixtures::PROFILE;

const KEY_PASSWORD: &str = "kp-Very-Secret-1234";
const POSITION: &str = "Chief-Secret-Officer-42";

/// `n` certificates (c0..) whose key password and contact position come
/// from the environment.
fn tree(n: usize) -> (Test, Vec<(String, String)>) {
    let (mut test, seed) = manifests(n, &[]);
    test = test.file(
        "profiles/acme.yaml",
        &PROFILE.replace("position: Engineer", "position: ${POSITION}"),
    );
    for i in 0..n {
        let path = test.path().join(format!("certificates/c{i}.yaml"));
        let text = std::fs::read_to_string(&path).expect("a test step");
        std::fs::write(
            &path,
            text.replace("type: online\n", "type: online\n  key_password: ${KP}\n"),
        )
        .expect("a test step");
    }
    (test, seed)
}

/// One run in `dir` with the credentials and the variables of [`tree`].
fn run_in(dir: &Path, args: &[&str]) -> Run {
    Test::from_dir(dir.to_path_buf())
        .args(args.iter().copied())
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("KP", KEY_PASSWORD)
        .env("POSITION", POSITION)
        .run()
}

fn plan_out(dir: &Path, emulator: &Emulator, extra: &[&str]) -> Run {
    let url = emulator.url();
    let mut args = vec!["plan", ".", "--endpoint", &url, "--out", "plan.json"];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

fn apply_plan(dir: &Path, emulator: &Emulator) -> Run {
    let url = emulator.url();
    run_in(
        dir,
        &[
            "apply",
            "--plan",
            "plan.json",
            "--endpoint",
            &url,
            "--output",
            "json",
        ],
    )
}

fn results(run: &Run) -> Vec<(String, String)> {
    crate::support::emulator::results(run)
}

fn submits(emulator: &Emulator) -> u64 {
    emulator
        .snapshot()
        .certificates
        .values()
        .map(|c| c.submits_received)
        .sum()
}

fn reads(emulator: &Emulator) -> u64 {
    emulator
        .snapshot()
        .requests_by_action
        .get("DescribeCertificateDetail")
        .copied()
        .unwrap_or(0)
}

/// Rewrites the plan file through `change`, with a digest that matches
/// again (what only a deliberate edit would do).
fn rewrite_plan(dir: &Path, change: impl FnOnce(&mut saved::SavedPlan)) {
    let path = dir.join("plan.json");
    let text = std::fs::read_to_string(&path).expect("a test step");
    let mut plan = saved::parse(&text).expect("a test step");
    change(&mut plan);
    std::fs::write(&path, saved::to_text(&plan).expect("a test step")).expect("a test step");
}

#[test]
fn a_saved_plan_applies_once_and_a_second_apply_is_in_sync() {
    let (test, seed) = tree(2);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _keep = test.args(["validate", "."]).run();
    plan_out(&dir, &emulator, &["--detailed-exitcode"]).code_is(2);
    assert_eq!(submits(&emulator), 0, "plan sends no write");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).expect("a test step"))
            .expect("a test step");
    assert_eq!(plan["format"], "tccert-plan");
    assert_eq!(plan["tccert_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(plan["paths"], serde_json::json!(["."]));
    assert_eq!(
        plan["certificates"].as_array().expect("a test step").len(),
        2
    );
    assert_eq!(
        plan["certificates"][0]["actions"],
        serde_json::json!(["SubmitCertificateInformation"])
    );

    let run = apply_plan(&dir, &emulator).success();
    assert_eq!(
        results(&run),
        [
            ("c0".to_string(), "submitted".to_string()),
            ("c1".to_string(), "submitted".to_string())
        ]
    );
    assert_eq!(submits(&emulator), 2);
    let position = emulator
        .certificate("id000000")
        .submitted_data
        .expect("a test step")["ContactPosition"]
        .clone();
    assert_eq!(position, POSITION, "the secret itself is sent");

    // The same plan again: in sync, nothing written twice.
    let run = apply_plan(&dir, &emulator).success();
    assert!(results(&run).iter().all(|(_, r)| r == "in_sync"));
    assert_eq!(submits(&emulator), 2);
}

#[test]
fn the_plan_file_holds_no_secret_nor_a_hash_of_one() {
    let (test, seed) = tree(1);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _keep = test.args(["validate", "."]).run();
    plan_out(&dir, &emulator, &[]).success();
    let text = std::fs::read_to_string(dir.join("plan.json")).expect("a test step");
    for secret in [KEY_PASSWORD, POSITION, SECRET_KEY] {
        let hash = hex::encode(Sha256::digest(secret.as_bytes()));
        for form in [secret.to_string(), hash.clone(), hash.to_uppercase()] {
            assert!(!text.contains(&form), "{form} in the plan file:\n{text}");
        }
    }
    // A change to a secret alone does not make the plan stale.
    let url = emulator.url();
    Test::from_dir(dir.clone())
        .args(["apply", "--plan", "plan.json", "--endpoint", &url])
        .args(["--output", "json"])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("KP", "another-password-5678")
        .env("POSITION", "Another-Officer-77")
        .run()
        .success();
    assert_eq!(submits(&emulator), 1);
}

/// A changed body means the manifest files changed since the plan: that
/// certificate is stale, and nothing of the plan is sent or even read.
#[test]
fn a_changed_body_makes_the_plan_stale_and_sends_nothing() {
    let (test, seed) = tree(2);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _keep = test.args(["validate", "."]).run();
    plan_out(&dir, &emulator, &[]).success();
    let reads_after_plan = emulator.requests();
    let path = dir.join("certificates/c1.yaml");
    let text = std::fs::read_to_string(&path).expect("a test step");
    std::fs::write(&path, text.replace("c1.acme.example", "other.acme.example"))
        .expect("a test step");

    let run = apply_plan(&dir, &emulator).failure();
    assert_eq!(
        results(&run),
        [
            ("c0".to_string(), "stale".to_string()),
            ("c1".to_string(), "stale".to_string())
        ]
    );
    let report = run.json();
    assert_eq!(report["summary"]["stale"], 2);
    let notes = |i: usize| report["certificates"][i]["notes"].to_string();
    assert!(notes(1).contains("manifests changed"), "{report:#}");
    assert!(
        notes(0).contains("the manifests of c1 changed"),
        "{report:#}"
    );
    assert_eq!(
        emulator.requests(),
        reads_after_plan,
        "nothing read or sent"
    );

    // Back as planned: the plan applies.
    std::fs::write(&path, text).expect("a test step");
    let run = apply_plan(&dir, &emulator).success();
    assert!(results(&run).iter().all(|(_, r)| r == "submitted"));
}

#[test]
fn live_state_that_moved_makes_the_certificate_stale() {
    let (test, seed) = tree(3);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _keep = test.args(["validate", "."]).run();
    plan_out(&dir, &emulator, &[]).success();
    // Someone else submitted c1's information; c2's review failed.
    assert!(emulator.running().set_submitted_field(
        "id000001",
        "OrganizationName",
        Some("Elsewhere Ltd")
    ));
    assert!(emulator.running().set_status("id000002", 2));

    let run = apply_plan(&dir, &emulator).failure();
    assert_eq!(
        results(&run)
            .into_iter()
            .map(|(_, r)| r)
            .collect::<Vec<_>>(),
        ["submitted", "stale", "stale"]
    );
    assert_eq!(emulator.certificate("id000001").submits_received, 0);
    assert_eq!(emulator.certificate("id000002").submits_received, 0);
    let notes = run.json()["certificates"][2]["notes"].to_string();
    assert!(notes.contains("live status is 2"), "{notes}");
}

#[test]
fn certificates_the_plan_did_not_plan_are_neither_read_nor_listed() {
    let (test, seed) = tree(2);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _keep = test.args(["validate", "."]).run();
    // c0 is in sync before the plan: the plan plans c1 only.
    let url = emulator.url();
    run_in(&dir, &["apply", ".", "--endpoint", &url, "--target", "c0"]).success();
    plan_out(&dir, &emulator, &[]).success();
    let before = reads(&emulator);
    let run = apply_plan(&dir, &emulator).success();
    assert_eq!(results(&run), [("c1".to_string(), "submitted".to_string())]);
    assert_eq!(reads(&emulator) - before, 1, "only c1 is read");
}

#[test]
fn flags_beside_a_saved_plan_are_usage_errors() {
    let dir = tempfile::tempdir().expect("a test step");
    std::fs::write(dir.path().join("plan.json"), "{}").expect("a test step");
    for extra in [
        &["."][..],
        &["--target", "c0"],
        &["--commit"],
        &["--resubmit", "c0"],
        &["--api", "CertificateInfoSubmit"],
    ] {
        let mut args = vec!["apply", "--plan", "plan.json", "--emulator"];
        args.extend_from_slice(extra);
        run_in(dir.path(), &args)
            .failure()
            .stderr_contains("cannot be used with");
    }
    run_in(dir.path(), &["apply"])
        .failure()
        .stderr_contains("<PATH>");
    run_in(dir.path(), &["apply", ".", "--out", "p.json", "--emulator"])
        .failure()
        .stderr_contains("--out is for plan");
    run_in(dir.path(), &["plan", "--plan", "plan.json", "--emulator"])
        .failure()
        .stderr_contains("--plan is for apply");
    run_in(dir.path(), &["plan", "-", "--out", "p.json", "--emulator"])
        .failure()
        .stderr_contains("--out cannot be used with `-`");
    run_in(
        dir.path(),
        &["plan", ".", "--out", "no/such/p.json", "--emulator"],
    )
    .failure()
    .stderr_contains("is not a directory");
    assert!(!dir.path().join("p.json").exists());
}

#[test]
fn a_truncated_edited_or_foreign_plan_sends_nothing() {
    let (test, seed) = tree(1);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _keep = test.args(["validate", "."]).run();
    plan_out(&dir, &emulator, &[]).success();
    let path = dir.join("plan.json");
    let good = std::fs::read_to_string(&path).expect("a test step");
    let cases = [
        (good[..good.len() / 2].to_string(), "truncated"),
        (
            good.replace("\"status\": 5", "\"status\": 4"),
            "edited or damaged",
        ),
        (String::new(), "truncated"),
        ("{\"hello\": 1}".to_string(), "not a tccert plan"),
    ];
    for (text, expected) in cases {
        std::fs::write(&path, text).expect("a test step");
        apply_plan(&dir, &emulator)
            .failure()
            .stderr_contains(expected)
            .stderr_contains("nothing was sent");
    }
    std::fs::write(&path, &good).expect("a test step");
    rewrite_plan(&dir, |plan| plan.tccert_version = "0.0.1".into());
    apply_plan(&dir, &emulator)
        .failure()
        .stderr_contains("made by tccert 0.0.1");
    std::fs::write(&path, &good).expect("a test step");
    std::fs::remove_file(&path).expect("a test step");
    apply_plan(&dir, &emulator)
        .failure()
        .stderr_contains("cannot apply the saved plan plan.json");
    assert_eq!(submits(&emulator), 0);
    assert_eq!(
        emulator.requests(),
        2,
        "only plan's reads (its list and one detail)"
    );
}

#[test]
fn files_gone_or_new_make_the_plan_unusable() {
    let (test, seed) = tree(2);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _keep = test.args(["validate", "."]).run();
    plan_out(&dir, &emulator, &[]).success();
    let reads_after_plan = emulator.requests();

    let c1 = dir.join("certificates/c1.yaml");
    let moved = dir.join("c1.yaml.away");
    std::fs::rename(&c1, &moved).expect("a test step");
    apply_plan(&dir, &emulator)
        .failure()
        .stderr_contains("certificates/c1.yaml was read by the plan and is gone");
    std::fs::rename(&moved, &c1).expect("a test step");

    let extra = dir.join("certificates/c9.yaml");
    let text = std::fs::read_to_string(&c1)
        .expect("a test step")
        .replace("name: c1", "name: c9")
        .replace("id000001", "id000009");
    std::fs::write(&extra, text).expect("a test step");
    apply_plan(&dir, &emulator)
        .failure()
        .stderr_contains("c9.yaml is read now and was not when the plan was made");
    std::fs::remove_file(&extra).expect("a test step");

    // A planned certificate renamed in its file.
    let text = std::fs::read_to_string(&c1).expect("a test step");
    std::fs::write(&c1, text.replace("name: c1", "name: c1-renamed")).expect("a test step");
    apply_plan(&dir, &emulator)
        .failure()
        .stderr_contains("certificate c1 is no longer in the manifests");
    assert_eq!(
        emulator.requests(),
        reads_after_plan,
        "nothing read or sent"
    );
}

#[test]
fn a_plan_is_applied_only_where_it_was_made() {
    let (test, seed) = tree(1);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let other = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _keep = test.args(["validate", "."]).run();
    plan_out(&dir, &emulator, &[]).success();
    apply_plan(&dir, &other)
        .failure()
        .stderr_contains("would send to http://127.0.0.1");
    run_in(&dir, &["apply", "--plan", "plan.json", "--emulator"])
        .failure()
        .stderr_contains("this run uses --emulator");
    assert_eq!(other.requests(), 0);
    assert_eq!(submits(&emulator), 0);

    // Made with --emulator: applied with it, and only with it.
    run_in(&dir, &["plan", ".", "--emulator", "--out", "plan.json"]).success();
    let url = emulator.url();
    run_in(&dir, &["apply", "--plan", "plan.json", "--endpoint", &url])
        .failure()
        .stderr_contains("made with --emulator");
    assert_eq!(submits(&emulator), 0);
    let run = run_in(
        &dir,
        &[
            "apply",
            "--plan",
            "plan.json",
            "--emulator",
            "--output",
            "json",
        ],
    );
    // Today each --emulator run starts from the seeded state, which is what
    // the plan saw.
    assert_eq!(results(&run.success()), [("c0".into(), "submitted".into())]);
}

#[test]
fn recorded_options_are_applied_from_the_plan() {
    let (test, seed) = tree(2);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _keep = test.args(["validate", "."]).run();
    plan_out(&dir, &emulator, &["--commit", "--target", "c1"]).success();
    let run = apply_plan(&dir, &emulator).success();
    assert_eq!(results(&run), [("c1".to_string(), "committed".to_string())]);
    assert_eq!(emulator.certificate("id000000").submits_received, 0);
    assert_ne!(emulator.certificate("id000001").status, 5);
}

#[test]
fn a_plan_that_fails_writes_no_plan_file() {
    let (test, seed) = tree(1);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _keep = test.args(["validate", "."]).run();
    assert!(emulator.running().set_status("id000000", 2));
    plan_out(&dir, &emulator, &[]).failure();
    assert!(!dir.join("plan.json").exists());
}

/// `--target`: everything is validated, only the matching certificates are
/// read, written and reported; a pattern matching nothing sends nothing.
#[test]
fn targets_choose_certificates_by_glob() {
    let (test, seed) = tree(3);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    let _keep = test.args(["validate", "."]).run();
    let url = emulator.url();
    let run = run_in(
        &dir,
        &[
            "apply",
            ".",
            "--endpoint",
            &url,
            "--output",
            "json",
            "--target",
            "c[02]",
        ],
    )
    .success();
    assert_eq!(
        results(&run),
        [
            ("c0".to_string(), "submitted".to_string()),
            ("c2".to_string(), "submitted".to_string())
        ]
    );
    assert_eq!(reads(&emulator), 2);
    assert_eq!(emulator.certificate("id000001").submits_received, 0);

    let before = emulator.requests();
    run_in(
        &dir,
        &[
            "apply",
            ".",
            "--endpoint",
            &url,
            "--target",
            "c1",
            "--target",
            "nope*",
        ],
    )
    .failure()
    .stderr_contains("--target nope*: no certificate has that name");
    assert_eq!(emulator.requests(), before, "nothing read or sent");
    // Case-sensitive, whole names.
    run_in(&dir, &["plan", ".", "--endpoint", &url, "--target", "C1"]).failure();
    run_in(&dir, &["plan", ".", "--endpoint", &url, "--target", "c"]).failure();

    run_in(&dir, &["validate", ".", "--target", "c?"])
        .success()
        .stdout_contains("valid: 3 certificates");
    let run = run_in(&dir, &["validate", ".", "--target", "c1", "-o", "json"]).success();
    assert_eq!(run.json()["targets"], serde_json::json!(["c1"]));
    run_in(&dir, &["validate", ".", "--target", "x"]).failure();
    let run = run_in(&dir, &["render", ".", "--target", "c2", "-o", "json"]).success();
    let rendered = run.json().to_string();
    assert!(rendered.contains("c2.acme.example") && !rendered.contains("c1.acme.example"));

    // A broken manifest elsewhere still stops the run.
    std::fs::write(
        dir.join("certificates/broken.yaml"),
        "apiVersion: tccert/v1\nkind: Certificate\n",
    )
    .expect("a test step");
    run_in(&dir, &["validate", ".", "--target", "c1"]).failure();
}

/// `--env-allow` (like `--allow-endpoint` and `--allow-path`) is never read
/// from a saved plan: `apply --plan` takes it from its own command line. A
/// plan made with `--env-allow` naming the tree's variables applies without
/// the flag (no allow-list: any variable); an apply whose own `--env-allow`
/// leaves one out refuses the manifests and sends nothing.
#[test]
fn the_allow_flags_of_apply_plan_are_its_own() {
    let (test, seed) = tree(1);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let dir = test.path().to_path_buf();
    plan_out(
        &dir,
        &emulator,
        &["--env-allow", "KP", "--env-allow", "POSITION"],
    )
    .success();
    let plan = std::fs::read_to_string(dir.join("plan.json")).expect("the plan");
    assert!(
        !plan.contains("env-allow") && !plan.contains("POSITION\""),
        "{plan}"
    );
    let url = emulator.url();
    let only_kp = [
        "apply",
        "--plan",
        "plan.json",
        "--endpoint",
        &url,
        "--env-allow",
        "KP",
    ];
    run_in(&dir, &only_kp)
        .failure()
        .stderr_contains("error[variable-not-allowed]: `${POSITION}`");
    assert_eq!(submits(&emulator), 0);
    apply_plan(&dir, &emulator).success();
    assert_eq!(submits(&emulator), 1);
    drop(test);
}

/// Copies the regular files of `from` (not the hidden ones: scratch and
/// state directories) into `to`, as a second checkout of the same tree.
fn checkout(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read a directory") {
        let entry = entry.expect("an entry");
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') || name == "plan.json" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().expect("a type").is_dir() {
            std::fs::create_dir_all(&target).expect("create a directory");
            checkout(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// The plan job and the apply job of a CI recipe run in different
/// checkouts: the saved plan keeps paths relative to where plan ran (even
/// when PATH was absolute) and applies from the same place in another copy
/// of the tree. From a directory without the tree, the error names where
/// the plan was made and says to run apply from the same place.
#[test]
fn a_plan_made_in_one_checkout_applies_in_another_and_elsewhere_says_where() {
    let (plan_job, seed) = tree(2);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let absolute = plan_job.path().display().to_string();
    run_in(
        plan_job.path(),
        &["plan", &absolute, "--endpoint", &url, "--out", "plan.json"],
    )
    .success();
    let plan_file = plan_job.path().join("plan.json");
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_file).expect("the plan"))
            .expect("JSON");
    assert_eq!(recorded["paths"], serde_json::json!(["."]), "{recorded:#}");
    assert_eq!(recorded["directory"], absolute.as_str());
    assert!(
        recorded["files"]
            .as_array()
            .expect("files")
            .iter()
            .all(|f| !f.as_str().expect("a path").starts_with('/')),
        "{recorded:#}"
    );

    // Nowhere near the tree: nothing sent, the error says where to run.
    let elsewhere = tempfile::tempdir().expect("a directory");
    std::fs::copy(&plan_file, elsewhere.path().join("plan.json")).expect("copy the plan");
    let run = apply_plan(elsewhere.path(), &emulator).failure();
    let error = run.stderr().replace(&absolute, "<plan directory>");
    insta::assert_snapshot!("apply_plan_from_elsewhere", error);
    assert_eq!(submits(&emulator), 0, "nothing sent");

    // Another checkout of the same tree (the apply job's): applied.
    let apply_job = tempfile::tempdir().expect("a directory");
    checkout(plan_job.path(), apply_job.path());
    std::fs::copy(&plan_file, apply_job.path().join("plan.json")).expect("copy the plan");
    let run = apply_plan(apply_job.path(), &emulator).success();
    assert_eq!(
        results(&run),
        vec![
            ("c0".to_string(), "submitted".to_string()),
            ("c1".to_string(), "submitted".to_string())
        ]
    );
}

/// Drift the plan found fails `apply --plan` as it fails `apply PATH...`
/// (exit 1, nothing sent for it), while the planned certificates are sent.
#[test]
fn drift_found_by_the_plan_fails_the_apply_of_the_plan() {
    let (test, seed) = manifests(2, &[0]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let first = crate::support::emulator::apply(test, &emulator, &[]).success();
    let dir = first._dir.path().to_path_buf();
    // c0 was ordered (its information is with the CA); c1 was submitted.
    let profile = dir.join("profiles/acme.yaml");
    let text = std::fs::read_to_string(&profile).expect("the profile");
    std::fs::write(&profile, text.replace("city: Shenzhen", "city: Guangzhou"))
        .expect("edit the profile");
    let planned = run_in(
        &dir,
        &["plan", ".", "--endpoint", &url, "--out", "plan.json"],
    )
    .success();
    assert!(planned.stdout().contains("drift"), "{}", planned.stdout());
    let applied = apply_plan(&dir, &emulator).failure();
    assert_eq!(
        results(&applied),
        vec![("c1".to_string(), "submitted".to_string())]
    );
    let stderr = applied.stderr();
    let line: Vec<&str> = stderr.lines().filter(|l| l.starts_with("drift:")).collect();
    insta::assert_snapshot!("apply_plan_with_drift", line.join("\n"));
}
