//! `--output github` and `--output markdown`: annotations with file and line
//! for every diagnostic and every failed certificate, the step summary, and
//! a Markdown plan that can be posted on a pull request as it is; and
//! `--json-out FILE`, the JSON report beside any of them.

use crate::support::cli::Test;
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY, manifests};
use crate::support::fixtures::{CERTIFICATE, PROFILE};

#[test]
fn github_annotates_every_diagnostic_at_its_line() {
    let bad = CERTIFICATE
        .replace("domain: www.acme.example", "domian: www.acme.example")
        .replace("certificate_id: abcb1234", "certificate_id: 1234");
    let run = Test::new()
        .file("profiles/acme.yaml", PROFILE)
        .file("certificates/www.yaml", &bad)
        .args(["validate", ".", "--output", "github"])
        .run()
        .failure();
    let annotations: Vec<String> = run
        .stdout()
        .lines()
        .filter(|l| l.starts_with("::error "))
        .map(str::to_string)
        .collect();
    // The same problems as the text output, one annotation each.
    let text_errors = run.stderr().matches("error[").count();
    assert!(annotations.len() >= 2, "{annotations:#?}");
    assert_eq!(annotations.len(), text_errors, "{}", run.stderr());
    assert!(
        annotations.iter().any(|a| a.starts_with(
            "::error file=certificates/www.yaml,line=6,col=1,title=tccert error[unknown-key]::"
        )),
        "{annotations:#?}"
    );
    assert!(
        annotations
            .iter()
            .any(|a| a.starts_with("::error file=certificates/www.yaml,line=4,")),
        "{annotations:#?}"
    );
}

#[test]
fn github_annotates_failed_certificates_and_writes_the_step_summary() {
    let (test, mut seed) = manifests(3, &[]);
    seed.remove(1); // c1 does not exist on the server
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let summary_dir = tempfile::tempdir().expect("a directory");
    let summary = summary_dir.path().join("summary.md");
    let run = test
        .args(["apply", ".", "--endpoint", url.as_str(), "--output", "github"])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("GITHUB_STEP_SUMMARY", &summary.display().to_string())
        .run()
        .failure()
        .stdout_contains(
            "::error file=certificates/c1.yaml,line=3,title=tccert%3A c1 failed::failed    c1 (id000001)",
        )
        .stdout_contains("FailedOperation.CertificateNotFound")
        // The plain lines and the table are still there for the log.
        .stdout_contains("submitted c0 (id000000)")
        .stdout_contains("apply: 3 certificates: 2 submitted");
    assert_eq!(
        run.stdout().matches("::error").count(),
        1,
        "{}",
        run.stdout()
    );
    let written = std::fs::read_to_string(&summary).expect("the step summary");
    assert!(
        written.starts_with("### tccert apply: 3 certificates: 2 submitted"),
        "{written}"
    );
    assert!(
        written.contains("| c1 | `id000001` | `certificates/c1.yaml:3` | - | **failed** |"),
        "{written}"
    );
}

#[test]
fn markdown_plan_is_a_pull_request_comment() {
    let (test, seed) = manifests(3, &[2]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let run = test
        .args([
            "plan",
            ".",
            "--endpoint",
            url.as_str(),
            "--output",
            "markdown",
        ])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .success();
    let stdout = run.stdout();
    assert!(
        stdout.starts_with("### tccert plan: 3 certificates: 3 planned"),
        "{stdout}"
    );
    assert!(stdout.contains("| certificate | id | manifest | status | result | detail |"));
    assert!(stdout.contains(
        "| c2 | `id000002` | `certificates/c2.yaml:3` | 5 | **planned** | would send SubmitCertificateInformation + CertificateOrderSubmit; first submission |"
    ), "{stdout}");
    // Progress lines go to stderr, so stdout is only the document.
    assert!(!stdout.contains("planned   c0"), "{stdout}");
    assert!(run.stderr().contains("planned   c0 (id000000)"));
}

#[test]
fn markdown_validate_lists_problems_with_places() {
    Test::new()
        .file(
            "m.yaml",
            &CERTIFICATE.replace("profiles: [acme]", "profiles: [nope]"),
        )
        .args(["validate", "m.yaml", "--output", "markdown"])
        .run()
        .failure()
        .stdout_contains("### tccert: ")
        .stdout_contains("nothing was sent")
        .stdout_contains(
            "- **error[unknown-profile]** `m.yaml:5:12`: certificate `www` uses profile `nope`",
        );
}

/// Text from a manifest cannot become a workflow command: a key holding a
/// newline is escaped in the human text and in the annotations, and a name
/// starting with `::` is refused.
#[test]
fn manifest_text_cannot_inject_workflow_commands() {
    let profile = PROFILE.replace(
        "name: acme\n",
        "name: acme\n\"zz\\n::error file=evil.yaml,line=1::INJECTED\": 1\n",
    );
    let run = Test::new()
        .file("profiles/acme.yaml", &profile)
        .file(
            "certificates/www.yaml",
            &CERTIFICATE.replace("name: www", "name: \"::warning::NAME\""),
        )
        .args(["validate", ".", "--output", "github"])
        .run()
        .failure()
        .stderr_contains("error[invalid-name]: `::warning::NAME` cannot be a certificate name")
        .stderr_contains("zz\\n::error file=evil.yaml");
    for line in run.stdout().lines().chain(run.stderr().lines()) {
        let line = line.trim_start();
        assert!(
            !line.starts_with("::error file=evil") && !line.starts_with("::warning::NAME"),
            "an injected command: {line}"
        );
    }
}

/// `--json-out FILE` holds exactly what `--output json` prints, whatever
/// `--output` is: the same plan run both ways gives the same bytes.
#[test]
fn json_out_holds_what_output_json_prints() {
    let (test, seed) = manifests(2, &[1]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let plan = |test: Test, extra: &[&str]| {
        let mut args = vec!["plan", ".", "--endpoint", url.as_str()];
        args.extend_from_slice(extra);
        test.args(args)
            .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
            .run()
            .success()
    };
    let (second, _) = manifests(2, &[1]);
    let printed = plan(second, &["--output", "json"]).stdout();
    let run = plan(test, &["--output", "markdown", "--json-out", "plan.json"]);
    assert!(
        run.stdout().starts_with("### tccert plan"),
        "{}",
        run.stdout()
    );
    let written = std::fs::read_to_string(run._dir.path().join("plan.json")).expect("the report");
    assert_eq!(written, printed);
    assert_eq!(run.json_file("plan.json")["summary"]["planned"], 2);
}

/// Beside the annotations of `--output github`, the report lands in FILE,
/// replacing an older one whole, with no temporary file left behind; a
/// failed certificate is in it with its error.
#[test]
fn json_out_replaces_the_file_beside_annotations() {
    let (test, mut seed) = manifests(3, &[]);
    seed.remove(1); // c1 does not exist on the server
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let run = test
        .file("out/report.json", "{\"an older\": \"report\"}\n")
        .args([
            "apply",
            ".",
            "--endpoint",
            url.as_str(),
            "--output",
            "github",
            "--json-out",
            "out/report.json",
        ])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .failure()
        .stdout_contains("::error file=certificates/c1.yaml,line=3,");
    let report = run.json_file("out/report.json");
    assert_eq!(report["summary"]["submitted"], 2, "{report:#}");
    assert_eq!(report["summary"]["failed"], 1, "{report:#}");
    let c1 = &report["certificates"][1];
    assert_eq!(c1["name"], "c1");
    assert_eq!(c1["result"], "failed");
    assert_eq!(c1["error"]["code"], "FailedOperation.CertificateNotFound");
    let left: Vec<_> = std::fs::read_dir(run._dir.path().join("out"))
        .expect("out/")
        .map(|e| e.expect("an entry").file_name())
        .collect();
    assert_eq!(left, ["report.json"]);
}

/// Invalid input still writes a report (its diagnostics), as `--output json`
/// prints one, so a CI step can read why nothing was sent.
#[test]
fn json_out_reports_invalid_input() {
    let run = Test::new()
        .file(
            "m.yaml",
            &CERTIFICATE.replace("profiles: [acme]", "profiles: [nope]"),
        )
        .args(["plan", "m.yaml", "--emulator", "--json-out", "r.json"])
        .run()
        .failure()
        .stderr_contains("error[unknown-profile]");
    let report = run.json_file("r.json");
    assert_eq!(
        report["diagnostics"][0]["code"], "unknown-profile",
        "{report:#}"
    );
}

/// A `--json-out` that cannot be written is refused before anything is
/// read or sent: its folder is missing, it is a folder, or it is `-`.
#[test]
fn json_out_is_checked_before_anything_is_sent() {
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let test = test.file("taken/keep", "");
    let dir = test.path().to_path_buf();
    for (target, message) in [
        (
            "missing/r.json",
            "--json-out missing/r.json: missing is not a directory; nothing was sent",
        ),
        ("taken", "--json-out taken is a directory; nothing was sent"),
        ("-", "--json-out takes a file name"),
    ] {
        Test::from_dir(dir.clone())
            .args([
                "apply",
                ".",
                "--endpoint",
                url.as_str(),
                "--json-out",
                target,
            ])
            .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
            .run()
            .failure()
            .stderr_contains(message);
    }
    assert_eq!(emulator.requests(), 0);
    assert!(!dir.join("missing").exists());
}
