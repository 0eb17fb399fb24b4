//! `--output github` and `--output markdown`: annotations with file and line
//! for every diagnostic and every failed certificate, the step summary, and
//! a Markdown plan that can be posted on a pull request as it is.

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
