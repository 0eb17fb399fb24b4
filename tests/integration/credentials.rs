//! Where `plan` and `apply` find credentials: `--profile`, then the
//! environment, then the SDKs' INI file and tccli's JSON files, in a scratch
//! HOME. Each run goes to the emulator, which accepts only the right key, so
//! a run that picked the wrong source fails with `AuthFailure`.

use crate::support::cli::Test;
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY, manifests};

const WRONG_KEY: &str = "wrong-key-that-the-emulator-refuses";

fn ini(profile: &str, key: &str) -> String {
    format!("[{profile}]\nsecret_id = {SECRET_ID}\nsecret_key = {key}\n")
}

fn tccli(key: &str) -> String {
    format!(r#"{{"secretId": "{SECRET_ID}", "secretKey": "{key}"}}"#)
}

fn plan(test: Test, emulator: &Emulator, extra: &[&str]) -> crate::support::cli::Run {
    let url = emulator.url();
    let mut args = vec!["plan", ".", "-v", "--endpoint", url.as_str()];
    args.extend_from_slice(extra);
    test.args(args).run()
}

#[test]
fn the_default_profile_of_tccli_is_used_when_the_environment_has_none() {
    let (test, seed) = manifests(2, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let test = test.file(".tccli/default.credential", &tccli(SECRET_KEY));
    plan(test, &emulator, &[])
        .success()
        .stderr_contains("credentials from profile `default` in ")
        .stderr_contains(".tccli/default.credential")
        .output_lacks(SECRET_KEY);
    assert_eq!(emulator.snapshot().auth_failures, 0);
    // One bulk list and the two certificates' detail reads (status 5).
    assert_eq!(emulator.requests(), 3);
}

#[test]
fn profile_flag_wins_over_the_environment() {
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let test = test
        .file(
            ".tencentcloud/credentials",
            &format!("{}\n{}", ini("default", WRONG_KEY), ini("prod", SECRET_KEY)),
        )
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", WRONG_KEY);
    plan(test, &emulator, &["--profile", "prod"])
        .success()
        .stderr_contains("credentials from profile `prod`")
        .output_lacks(SECRET_KEY);
    assert_eq!(emulator.snapshot().auth_failures, 0);
}

#[test]
fn the_environment_wins_over_the_files() {
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let test = test
        .file(".tencentcloud/credentials", &ini("default", WRONG_KEY))
        .file(".tccli/default.credential", &tccli(WRONG_KEY))
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY);
    plan(test, &emulator, &[])
        .success()
        .stderr_contains("credentials from the environment");
    assert_eq!(emulator.snapshot().auth_failures, 0);
}

#[test]
fn the_profile_named_by_the_environment_is_read_from_the_files() {
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let test = test
        .file(".tccli/default.credential", &tccli(WRONG_KEY))
        .file(".tccli/ci.credential", &tccli(SECRET_KEY))
        .env("TCCLI_PROFILE", "ci");
    plan(test, &emulator, &[])
        .success()
        .stderr_contains("credentials from profile `ci`");
    assert_eq!(emulator.snapshot().auth_failures, 0);
}

#[test]
fn a_missing_profile_stops_before_any_request_and_says_where_it_looked() {
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let test = test.file(".tccli/default.credential", &tccli(SECRET_KEY));
    plan(test, &emulator, &["--profile", "prod"])
        .failure()
        .stderr_contains("no credential profile `prod` (from --profile)")
        .stderr_contains(".tencentcloud/credentials")
        .stderr_contains(".tccli/prod.credential");
    assert_eq!(emulator.requests(), 0);
}

#[test]
fn a_broken_credential_file_is_named_without_its_contents() {
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let test = test.file(
        ".tccli/default.credential",
        &format!("{{\"secretId\": \"{SECRET_ID}\", \"secretKey\": \"{SECRET_KEY}\""),
    );
    plan(test, &emulator, &[])
        .failure()
        .stderr_contains("default.credential: not JSON")
        .output_lacks(SECRET_KEY);
    assert_eq!(emulator.requests(), 0);
}

/// A credentials file its group or others can read is used, with a
/// `credentials-file-mode` warning naming it; at 0600 there is none.
#[test]
fn a_credentials_file_others_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt as _;
    for (mode, warned) in [(0o644, true), (0o600, false)] {
        let (test, seed) = manifests(1, &[]);
        let emulator = Emulator::start(&seed, &[], |_| {});
        let test = test.file(".tencentcloud/credentials", &ini("default", SECRET_KEY));
        let file = test.path().join(".tencentcloud/credentials");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).expect("chmod");
        let run = plan(test, &emulator, &[])
            .success()
            .output_lacks(SECRET_KEY);
        assert_eq!(
            run.stderr().contains("warning[credentials-file-mode]: "),
            warned,
            "{mode:o}: {}",
            run.stderr()
        );
        if warned {
            assert!(
                run.stderr().contains("readable by others (mode 644)"),
                "{}",
                run.stderr()
            );
        }
    }
}

/// `TENCENTCLOUD_SECRET_ID` set but empty stops the run naming it, and the
/// default profile of the files is not used in its place.
#[test]
fn an_empty_secret_id_is_an_error_not_a_fallback_to_the_files() {
    let (test, seed) = manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let test = test
        .file(".tencentcloud/credentials", &ini("default", SECRET_KEY))
        .env("TENCENTCLOUD_SECRET_ID", "")
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY);
    plan(test, &emulator, &[])
        .failure()
        .stderr_contains("TENCENTCLOUD_SECRET_ID is set but empty")
        .output_lacks(SECRET_KEY);
    assert_eq!(emulator.requests(), 0);
}
