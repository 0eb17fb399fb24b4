//! `tccert completions SHELL` and `tccert man`: made from the command-line
//! definition, without the hidden test command.

use crate::support::cli::Test;

#[test]
fn bash_completions_know_the_commands_and_flags() {
    let run = Test::new()
        .args(["completions", "bash"])
        .run()
        .success()
        .stdout_contains("apply")
        .stdout_contains("--detailed-exitcode")
        .stdout_contains("download")
        .stdout_contains("--emulator-issue-after")
        .stdout_contains("inspect")
        .output_lacks("debug-sign");
    assert!(run.stdout().contains("complete -F"), "{}", run.stdout());
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        Test::new()
            .args(["completions", shell])
            .run()
            .success()
            .stdout_contains("apply")
            .output_lacks("debug-sign");
    }
    Test::new().args(["completions", "tcsh"]).run().failure();
}

#[test]
fn man_prints_roff_and_writes_one_page_per_command() {
    let run = Test::new()
        .args(["man"])
        .run()
        .success()
        .stdout_contains(".TH tccert 1")
        .stdout_contains("apply")
        .output_lacks("debug\\-sign")
        .output_lacks("debug-sign");
    assert!(run.stdout().contains(".SH"), "{}", run.stdout());

    let dir = tempfile::tempdir().expect("a temporary directory");
    let wrote = Test::from_dir(dir.path().to_path_buf())
        .args(["man", "--out-dir", "man1"])
        .run()
        .success();
    let mut pages: Vec<String> = std::fs::read_dir(dir.path().join("man1"))
        .expect("the directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "tccert-apply.1",
            "tccert-completions.1",
            "tccert-csr-inspect.1",
            "tccert-csr-new.1",
            "tccert-csr.1",
            "tccert-download.1",
            "tccert-emulator.1",
            "tccert-import.1",
            "tccert-init.1",
            "tccert-man.1",
            "tccert-plan.1",
            "tccert-render.1",
            "tccert-schema.1",
            "tccert-status.1",
            "tccert-validate.1",
            "tccert.1",
        ]
    );
    assert!(wrote.stdout().contains("man1/tccert-plan.1\n"));
    let plan = std::fs::read_to_string(dir.path().join("man1/tccert-plan.1")).expect("read");
    assert!(plan.contains(".TH tccert-plan 1"), "{plan}");
    assert!(plan.contains("detailed\\-exitcode"), "{plan}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("man1/tccert.1")).expect("read"),
        run.stdout()
    );
    // Run again: the pages are replaced, not refused.
    Test::from_dir(dir.path().to_path_buf())
        .args(["man", "--out-dir", "man1"])
        .run()
        .success();
}
