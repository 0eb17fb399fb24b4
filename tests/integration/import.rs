//! `tccert import` against the emulator: the round trip (import, then
//! `validate` gives no warning and `plan` finds every certificate
//! `in_sync`), which certificates are read, named IDs, DIR rules, `--force`,
//! the JSON report and `--json-out`, and a signal leaving nothing behind.

use std::path::Path;
use std::time::Duration;

use crate::support::cli::{Run, Test};
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY, apply};
use crate::support::fixtures::PROFILE;
use crate::support::process::{send_signal, tccert};

const KEY_PASSWORD: &str = "pa$$hunter2-$HOME";

/// A tree that exercises every rule: a shared profile, an online CSR with a
/// key password, an uploaded CSR (whose domain collides with the first),
/// a DV certificate, a wildcard with its own organization holding `$`, a
/// number-like and a boolean-like value, and a `DomainList`.
fn tree() -> (Test, Vec<(String, String)>) {
    let www = "apiVersion: tccert/v1\nkind: Certificate\nname: www\ncertificate_id: idwww\n\
               profiles: [acme]\ndomain: www.acme.example\ncommit: true\n\
               csr:\n  type: online\n  key_password: ${KP}\n";
    let upload = "apiVersion: tccert/v1\nkind: Certificate\nname: upload\ncertificate_id: idupload\n\
                  profiles: [acme]\ndomain: www.acme.example\nverify_type: FILE\n\
                  csr:\n  type: parse\n  file: ../www.csr\n";
    let dv = "apiVersion: tccert/v1\nkind: Certificate\nname: shop\ncertificate_id: idshop\n\
              profiles: [acme]\ndomain: shop.acme.example\ndv: true\ncsr:\n  type: online\n";
    let wild = "apiVersion: tccert/v1\nkind: Certificate\nname: wild\ncertificate_id: idwild\n\
                profiles: [acme]\ndomain: \"*.acme.example\"\ndomains: [acme.example]\n\
                csr:\n  type: online\norganization:\n  name: \"Wild $$5 Co\"\n  division: \"true\"\n  \
                phone_area_code: \"089\"\n";
    let test = Test::new()
        .file("m/profiles/acme.yaml", PROFILE)
        .file("m/certificates/www.yaml", www)
        .file("m/certificates/upload.yaml", upload)
        .file("m/certificates/shop.yaml", dv)
        .file("m/certificates/wild.yaml", wild)
        .file(
            "m/www.csr",
            &std::fs::read_to_string(crate::support::cli::repo().join("tests/fixtures/www.csr"))
                .expect("the fixture CSR"),
        );
    let seed = [
        ("idwww", "www.acme.example"),
        ("idupload", "www.acme.example"),
        ("idshop", "shop.acme.example"),
        ("idwild", "*.acme.example"),
        ("idempty", "empty.acme.example"),
        ("idfailed", "failed.acme.example"),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .to_vec();
    (test, seed)
}

fn applied() -> (Emulator, Run) {
    let (test, seed) = tree();
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let run = test
        .args(["apply", "m", "--endpoint", url.as_str(), "--output", "json"])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("KP", KEY_PASSWORD)
        .run()
        .success();
    // One with information at a status import leaves out.
    let running = emulator.running();
    assert!(running.set_submitted_field("idfailed", "OrganizationName", Some("Gone Ltd")));
    assert!(running.set_status("idfailed", 2));
    (emulator, run)
}

fn import(dir: &Path, emulator: &Emulator, extra: &[&str]) -> Run {
    let url = emulator.url();
    let mut args = vec!["import", "--endpoint", url.as_str()];
    args.extend_from_slice(extra);
    Test::from_dir(dir.to_path_buf())
        .args(args)
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
}

/// No staged or replaced tree is left beside DIR.
fn assert_no_staging_left(dir: &Path) {
    let leftovers: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tccert-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn import_round_trips_through_validate_and_plan() {
    let (emulator, applied) = applied();
    let dir = applied._dir.path();
    let run = import(
        dir,
        &emulator,
        &[
            "--out",
            "out",
            "--output",
            "json",
            "--json-out",
            "import.json",
        ],
    )
    .success();
    let report = run.json();
    let names: Vec<&str> = report["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "shop-acme-example",
            "wildcard-acme-example",
            "www-acme-example-idupload",
            "www-acme-example-idwww"
        ]
    );
    let skipped: Vec<(&str, &str)> = report["skipped"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| {
            (
                s["certificate_id"].as_str().unwrap_or_default(),
                s["reason"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        [
            ("idfailed", "status 2 (review failed)"),
            ("idempty", "its SubmittedData holds no information")
        ]
    );
    let written: serde_json::Value =
        serde_json::from_str(&read(&dir.join("import.json"))).expect("JSON");
    assert_eq!(written, report);

    let out = dir.join("out");
    let www = read(&out.join("certificates/www-acme-example-idwww.yaml"));
    assert!(
        www.starts_with("# yaml-language-server: $schema=../.tccert/tccert-v1.schema.json\n"),
        "{www}"
    );
    assert!(
        www.contains("  key_password: ${WWW_ACME_EXAMPLE_IDWWW_KEY_PASSWORD}\n"),
        "{www}"
    );
    assert!(!www.contains("hunter2"), "never the key password");
    assert!(
        www.contains("profiles:\n  - acme-ltd\n  - admin-luke-sky\n  - contact-leia-sky\n"),
        "{www}"
    );
    let upload = read(&out.join("certificates/www-acme-example-idupload.yaml"));
    assert!(
        upload.contains("  type: parse\n  file: \"../csr/www-acme-example-idupload.csr\"\n"),
        "{upload}"
    );
    assert!(upload.contains("verify_type: FILE\n"), "{upload}");
    assert_eq!(
        read(&out.join("csr/www-acme-example-idupload.csr")),
        read(&dir.join("m/www.csr"))
    );
    assert!(read(&out.join("certificates/shop-acme-example.yaml")).contains("dv: true\n"));
    let wild = read(&out.join("certificates/wildcard-acme-example.yaml"));
    assert!(wild.contains("  name: Wild $$5 Co\n"), "{wild}");
    assert!(wild.contains("  division: \"true\"\n"), "{wild}");
    assert!(wild.contains("  phone_area_code: \"089\"\n"), "{wild}");
    assert!(wild.contains("domains:\n  - acme.example\n"), "{wild}");
    assert!(
        !wild.contains("acme-ltd"),
        "its organization differs: {wild}"
    );
    assert!(out.join(".tccert/tccert-v1.schema.json").is_file());
    assert!(read(&out.join("profiles/acme-ltd.yaml")).contains("kind: Profile\n"));

    // The round trip: no warning, and nothing to do.
    let variable = ("WWW_ACME_EXAMPLE_IDWWW_KEY_PASSWORD", KEY_PASSWORD);
    let validated = Test::from_dir(dir.to_path_buf())
        .args(["validate", "out"])
        .env(variable.0, variable.1)
        .run()
        .success();
    assert_eq!(validated.stderr(), "", "no warning");
    let url = emulator.url();
    let planned = Test::from_dir(dir.to_path_buf())
        .args([
            "plan",
            "out",
            "--endpoint",
            url.as_str(),
            "--output",
            "json",
        ])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env(variable.0, variable.1)
        .run()
        .success();
    let results: Vec<(String, String)> = planned.json()["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["result"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(results.len(), 4);
    assert!(results.iter().all(|(_, r)| r == "in_sync"), "{results:?}");
}

#[test]
fn import_reads_only_what_it_must_at_the_read_pace() {
    let (emulator, applied) = applied();
    let dir = applied._dir.path();
    let before = emulator.snapshot().requests_by_action;
    let run = import(dir, &emulator, &["--out", "out", "-vvv"])
        .success()
        .output_lacks("hunter2")
        .output_lacks(SECRET_KEY);
    insta::assert_snapshot!("import_text", run.stdout());
    let www = read(&dir.join("out/certificates/www-acme-example-idwww.yaml"));
    insta::assert_snapshot!("import_certificate", www);
    let after = emulator.snapshot();
    let count = |action: &str| {
        after.requests_by_action.get(action).copied().unwrap_or(0)
            - before.get(action).copied().unwrap_or(0)
    };
    assert_eq!(count("DescribeCertificates"), 1, "one page holds six");
    assert_eq!(
        count("DescribeCertificateDetail"),
        5,
        "all but the refused review"
    );
    assert_eq!(after.throttled, 0);
}

#[test]
fn named_ids_and_the_output_directory() {
    let (emulator, applied) = applied();
    let dir = applied._dir.path();
    import(dir, &emulator, &["idshop", "--out", "one"])
        .success()
        .stdout_contains("imported 1 certificate into one (0 shared profiles)");
    assert!(
        dir.join("one/certificates/shop-acme-example.yaml")
            .is_file()
    );

    // A named id without information, or unknown: exit 1, nothing written.
    import(
        dir,
        &emulator,
        &["idshop", "idempty", "idnope", "--out", "two"],
    )
    .failure()
    .stderr_contains("error: idempty: its SubmittedData holds no information")
    .stderr_contains("error: idnope: FailedOperation.CertificateNotFound")
    .stderr_contains("error: nothing was written");
    assert!(!dir.join("two").exists());

    // DIR must be empty or absent, unless --force.
    import(dir, &emulator, &["idwww", "--out", "one"])
        .failure()
        .stderr_contains("one is not empty; nothing was written (--force replaces it)");
    assert!(
        dir.join("one/certificates/shop-acme-example.yaml")
            .is_file()
    );
    std::fs::create_dir(dir.join("empty")).expect("mkdir");
    import(dir, &emulator, &["idshop", "--out", "empty"]).success();
    import(dir, &emulator, &["idwww", "--out", "one", "--force"]).success();
    assert!(
        !dir.join("one/certificates/shop-acme-example.yaml").exists(),
        "replaced whole"
    );
    assert!(
        dir.join("one/certificates/www-acme-example.yaml").is_file(),
        "alone, its name needs no id"
    );
    // --force never replaces a repository's root (its history would go).
    std::fs::create_dir_all(dir.join("repo/.git")).expect("mkdir");
    std::fs::write(dir.join("repo/README"), "mine").expect("write");
    import(dir, &emulator, &["idwww", "--out", "repo", "--force"])
        .failure()
        .stderr_contains("holds a git repository (.git)");
    assert!(dir.join("repo/.git").is_dir() && dir.join("repo/README").is_file());
    assert_no_staging_left(dir);
}

#[test]
fn a_signal_during_import_leaves_nothing() {
    let (test, seed) = crate::support::emulator::manifests(2, &[]);
    let emulator = Emulator::start(&seed, &[], |config| {
        config.latency = Duration::from_millis(1500);
    });
    let applied = apply(test, &emulator, &[]).success();
    let dir = applied._dir.path();
    let url = emulator.url();
    let child = tccert(dir, &["import", "--out", "out", "--endpoint", &url])
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(700));
    send_signal(child.id(), "INT");
    let output = child.wait_with_output().expect("wait");
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!dir.join("out").exists());
    assert_no_staging_left(dir);
}
