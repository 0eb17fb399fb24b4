//! `apply` on a terminal (a real pseudo-terminal) against the emulator over
//! loopback: the plan, then the question; nothing is sent unless the answer
//! is `yes`. Without a terminal, or with `--auto-approve`, no question.

use crate::support::emulator::{Emulator, manifests};
use crate::support::process::tccert;
use crate::support::pty::run_on_terminal;

const PROMPT: &str = "Only 'yes' goes on:";

fn writes(emulator: &Emulator) -> u64 {
    let snapshot = emulator.snapshot();
    ["SubmitCertificateInformation", "CertificateOrderSubmit"]
        .iter()
        .map(|a| snapshot.requests_by_action.get(*a).copied().unwrap_or(0))
        .sum()
}

#[test]
fn apply_on_a_terminal_shows_the_plan_and_sends_nothing_unless_yes() {
    let (test, seed) = manifests(2, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let apply = || {
        let mut command = tccert(test.path(), &["apply", ".", "--endpoint", &url]);
        command.env("NO_COLOR", "1");
        command
    };

    let no = run_on_terminal(apply(), PROMPT, Some("no"));
    assert_eq!(no.code, 1, "{}\n{}", no.stdout, no.terminal);
    assert!(
        no.stdout.contains("planned"),
        "the plan is shown: {}",
        no.stdout
    );
    assert!(
        no.terminal
            .contains("Apply these 2 changes? Only 'yes' goes on:"),
        "{}",
        no.terminal
    );
    let asked: Vec<&str> = no
        .terminal
        .lines()
        .filter(|l| l.contains("Apply these") || l.contains("cancelled") || l == &"no")
        .collect();
    insta::assert_snapshot!("apply_on_a_terminal_answered_no", asked.join("\n"));
    assert_eq!(writes(&emulator), 0, "nothing was sent on `no`");
    assert_eq!(emulator.certificate(&seed[0].0).submitted_data, None);

    // A bare Enter is not `yes` either.
    let empty = run_on_terminal(apply(), PROMPT, Some(""));
    assert_eq!(empty.code, 1, "{}", empty.terminal);
    assert_eq!(writes(&emulator), 0);

    let yes = run_on_terminal(apply(), PROMPT, Some("yes"));
    assert_eq!(yes.code, 0, "{}\n{}", yes.stdout, yes.terminal);
    assert!(yes.stdout.contains("submitted"), "{}", yes.stdout);
    for (id, _) in &seed {
        assert!(
            emulator.certificate(id).submitted_data.is_some(),
            "{id} sent"
        );
    }

    // Nothing left to write: no question, exit 0.
    let again = run_on_terminal(apply(), PROMPT, None);
    assert_eq!(again.code, 0, "{}", again.terminal);
    assert!(!again.terminal.contains(PROMPT), "{}", again.terminal);
    let said: Vec<&str> = again
        .terminal
        .lines()
        .filter(|l| l.contains("No changes"))
        .collect();
    insta::assert_snapshot!("apply_on_a_terminal_nothing_to_do", said.join("\n"));
}

#[test]
fn auto_approve_on_a_terminal_and_no_terminal_send_at_once() {
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let mut command = tccert(
        test.path(),
        &["apply", ".", "--endpoint", &url, "--auto-approve"],
    );
    command.env("NO_COLOR", "1");
    let run = run_on_terminal(command, PROMPT, None);
    assert_eq!(run.code, 0, "{}", run.terminal);
    assert!(!run.terminal.contains(PROMPT));
    assert!(writes(&emulator) > 0);

    // No terminal (CI): no question, as before (stdin is /dev/null here).
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let output = tccert(test.path(), &["apply", ".", "--endpoint", &emulator.url()])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&output.stderr).contains(PROMPT));
    assert!(writes(&emulator) > 0);
}

#[test]
fn the_emulator_on_a_terminal_does_not_ask() {
    let (test, _) = manifests(1, &[]);
    let mut command = tccert(test.path(), &["apply", ".", "--emulator"]);
    command.env("NO_COLOR", "1");
    let run = run_on_terminal(command, PROMPT, None);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.terminal);
    assert!(!run.terminal.contains(PROMPT));
    assert!(run.stdout.contains("submitted"), "{}", run.stdout);
}

/// `status --wait` on a terminal shows the records to create while it
/// waits, not only at the end.
#[test]
fn status_wait_on_a_terminal_shows_the_records_while_waiting() {
    let (test, seed) = manifests(2, &[1]);
    let emulator = Emulator::start(&seed, &[], |config| {
        config.issue_after = Some(std::time::Duration::from_secs(2));
    });
    let url = emulator.url();
    crate::support::emulator::apply(test, &emulator, &[]).success();
    // The run above kept its directory alive through `test`; run again in
    // a fresh tree with the same certificates.
    let (test, _) = manifests(2, &[1]);
    let mut command = tccert(
        test.path(),
        &[
            "status",
            ".",
            "--endpoint",
            &url,
            "--target",
            "c1",
            "--wait",
            "--interval",
            "1",
        ],
    );
    command.env("NO_COLOR", "1");
    let run = run_on_terminal(command, "", None);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.terminal);
    let shown = run.terminal.find("c1 (id000001): create, then wait here:");
    assert!(shown.is_some(), "{}", run.terminal);
    let record = run.terminal[shown.unwrap_or_default()..]
        .lines()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    assert!(record.contains("record"), "{}", run.terminal);
    assert!(run.stdout.contains("approved (1)"), "{}", run.stdout);
}

/// With `--output json` on a terminal, the plan before the question goes to
/// stderr: stdout is apply's one JSON document.
#[test]
fn apply_json_on_a_terminal_keeps_stdout_one_document() {
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let mut command = tccert(
        test.path(),
        &["apply", ".", "--endpoint", &url, "--output", "json"],
    );
    command.env("NO_COLOR", "1");
    let run = run_on_terminal(command, PROMPT, Some("yes"));
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.terminal);
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("one JSON document ({e}): {}", run.stdout));
    assert_eq!(json["certificates"][0]["result"], "submitted");
    assert!(run.terminal.contains("planned"), "{}", run.terminal);
}
