//! The emulator as a playground: `--emulator` keeps state per tree (so a
//! second apply is in sync), `--emulator-reset`, `emulator --seed` with no
//! variables set, `emulator --tls` with `--ca-cert`, `-` as a PATH, the
//! help texts and `init`'s placeholder.

use std::path::{Path, PathBuf};

use crate::support::cli::{Run, Test, repo};
use crate::support::emulator::results;
use crate::support::fixtures::{CERTIFICATE, PROFILE};

/// A run whose `--emulator` state lives in `state` (shared between runs).
fn with_state(state: &Path) -> Test {
    Test::new().env("XDG_STATE_HOME", &state.display().to_string())
}

/// The one `emulator state: ...` line on stderr, and the file it names.
fn state_line(run: &Run) -> (String, Option<PathBuf>) {
    let stderr = run.stderr();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("emulator state: "))
        .collect();
    assert_eq!(lines.len(), 1, "one state line:\n{stderr}");
    let line = lines[0].to_string();
    let file = line
        .strip_prefix("emulator state: ")
        .and_then(|rest| rest.split(" (").next())
        .filter(|p| p.starts_with('/'))
        .map(PathBuf::from);
    (line, file)
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).map_or(0, |m| m.permissions().mode() & 0o777)
}

fn all_results(run: &Run) -> Vec<String> {
    results(run).into_iter().map(|(_, r)| r).collect()
}

#[test]
fn apply_examples_twice_against_the_emulator_is_in_sync_the_second_time() {
    let state = tempfile::tempdir().expect("a state directory");
    let examples = repo().join("examples");
    let examples = examples.display().to_string();
    let args = ["apply", examples.as_str(), "--emulator", "--output", "json"];
    let first = with_state(state.path()).args(args).run().success();
    let first_results = all_results(&first);
    assert!(!first_results.is_empty());
    assert!(
        first_results
            .iter()
            .all(|r| r == "submitted" || r == "committed"),
        "{first_results:?}"
    );
    let (line, file) = state_line(&first);
    let file = file.unwrap_or_else(|| panic!("no file in {line:?}"));
    assert!(
        file.starts_with(state.path().join("tccert")),
        "{file:?} is under XDG_STATE_HOME/tccert"
    );
    assert!(line.ends_with("--emulator-reset starts afresh)"), "{line}");
    #[cfg(unix)]
    {
        assert_eq!(mode(&file), 0o600, "the state file holds KeyPasswords");
        assert_eq!(mode(&state.path().join("tccert")), 0o700);
    }

    // The same tree named another way (a trailing `/.`) is the same state.
    let again = format!("{examples}/.");
    let second = with_state(state.path())
        .args(["apply", again.as_str(), "--emulator", "--output", "json"])
        .run()
        .success();
    assert_eq!(state_line(&second).1, Some(file.clone()));
    let second_results = all_results(&second);
    assert_eq!(second_results.len(), first_results.len());
    // examples/ has an Account (its variables unset): its certificates are
    // the account's in the kept state too, and every certificate says whose
    // it is (`null`: the default credentials).
    for run in [&first, &second] {
        let report = run.json();
        let certificates = report["certificates"].as_array().expect("a list");
        assert!(certificates.iter().all(|c| c.get("account").is_some()));
        assert!(
            certificates.iter().any(|c| c["account"] == "acme-hk"),
            "{report}"
        );
    }
    assert!(
        second_results.iter().all(|r| r == "in_sync"),
        "{second_results:?}"
    );

    // --emulator-reset: the tree starts afresh, and says so.
    let reset = with_state(state.path())
        .args(args)
        .args(["--emulator-reset"])
        .run()
        .success();
    let (line, _) = state_line(&reset);
    assert!(
        line.ends_with("(started afresh (--emulator-reset))"),
        "{line}"
    );
    assert_eq!(all_results(&reset), first_results);
}

#[test]
fn certificates_added_later_join_the_kept_state_at_status_5() {
    let state = tempfile::tempdir().expect("a state directory");
    let tree = tempfile::tempdir().expect("a tree");
    let write = |path: &str, text: &str| {
        let full = tree.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a parent")).expect("mkdir");
        std::fs::write(full, text).expect("write");
    };
    write("profiles/acme.yaml", PROFILE);
    write("certificates/www.yaml", CERTIFICATE);
    let dir = tree.path().display().to_string();
    let apply = || {
        with_state(state.path())
            .args(["apply", dir.as_str(), "--emulator", "--output", "json"])
            .run()
            .success()
    };
    assert_eq!(results(&apply()), [("www".into(), "submitted".into())]);
    write(
        "certificates/api.yaml",
        &CERTIFICATE
            .replace("name: www", "name: api")
            .replace("abcb1234", "abcb5678")
            .replace("www.acme.example", "api.acme.example"),
    );
    let run = apply();
    let mut got = results(&run);
    got.sort();
    assert_eq!(
        got,
        [
            ("api".into(), "submitted".into()),
            ("www".into(), "in_sync".into())
        ]
    );
    let report = run.json();
    let api = report["certificates"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "api"))
        .expect("api reported");
    assert_eq!(api["status"], 5);

    // Another tree (a subset of the PATHs) keeps a state of its own.
    let certificates = tree.path().join("certificates").display().to_string();
    let profiles = tree.path().join("profiles").display().to_string();
    let subset = with_state(state.path())
        .args([
            "plan",
            profiles.as_str(),
            certificates.as_str(),
            "--emulator",
            "--output",
            "json",
        ])
        .run()
        .success();
    assert!(
        all_results(&subset).iter().all(|r| r == "planned"),
        "{}",
        subset.stdout()
    );
}

#[test]
fn a_broken_state_file_is_a_clear_error_and_reset_mends_it() {
    let state = tempfile::tempdir().expect("a state directory");
    let test = || with_state(state.path());
    let tree = tempfile::tempdir().expect("a tree");
    std::fs::write(tree.path().join("p.yaml"), PROFILE).expect("write");
    std::fs::write(tree.path().join("c.yaml"), CERTIFICATE).expect("write");
    let dir = tree.path().display().to_string();
    let first = test()
        .args(["plan", dir.as_str(), "--emulator"])
        .run()
        .success();
    let file = state_line(&first).1.expect("a state file");
    std::fs::write(&file, "{not json").expect("break it");
    let broken = test()
        .args(["plan", dir.as_str(), "--emulator"])
        .run()
        .failure();
    assert!(
        broken
            .stderr()
            .contains("(--emulator-reset starts this tree's state afresh)"),
        "{}",
        broken.stderr()
    );
    test()
        .args(["plan", dir.as_str(), "--emulator", "--emulator-reset"])
        .run()
        .success()
        .stdout_contains("planned");
}

#[test]
fn emulator_reset_needs_emulator() {
    Test::new()
        .file("c.yaml", CERTIFICATE)
        .args(["plan", "c.yaml", "--emulator-reset"])
        .run()
        .failure()
        .stderr_contains("--emulator");
}

#[test]
fn without_a_state_directory_the_state_lasts_one_run_and_says_so() {
    let tree = tempfile::tempdir().expect("a tree");
    std::fs::write(tree.path().join("p.yaml"), PROFILE).expect("write");
    std::fs::write(tree.path().join("c.yaml"), CERTIFICATE).expect("write");
    let dir = tree.path().display().to_string();
    let run = Test::new()
        .env("HOME", "")
        .env("XDG_STATE_HOME", "")
        .args(["apply", dir.as_str(), "--emulator", "--output", "json"])
        .run()
        .success();
    assert_eq!(
        state_line(&run).0,
        "emulator state: not kept, this run only (neither XDG_STATE_HOME nor HOME is set)"
    );
    assert_eq!(results(&run), [("www".into(), "submitted".into())]);
}

/// `tccert emulator ARGS` in `dir` with only PATH set (and `env`), and its
/// stdout by lines.
fn spawn_emulator(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (
    std::process::Child,
    std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tccert"))
        .arg("emulator")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn the emulator");
    let lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    (child, lines)
}

/// A certificate whose key password and contact email come from variables
/// that are not set.
fn with_unset_variables() -> String {
    format!("{CERTIFICATE}  key_password: ${{UNSET_VAR}}\ncontact:\n  email: ${{ALSO_UNSET}}\n")
}

#[test]
fn emulator_seed_reads_ids_and_domains_and_needs_no_variable() {
    let dir = tempfile::tempdir().expect("a directory");
    std::fs::write(dir.path().join("acme.yaml"), PROFILE).expect("write");
    std::fs::write(dir.path().join("www.yaml"), with_unset_variables()).expect("write");
    // The same manifests do not validate: the variables are needed there.
    Test::from_dir(dir.path().to_path_buf())
        .args(["validate", "acme.yaml", "www.yaml"])
        .run()
        .failure()
        .stderr_contains("UNSET_VAR");

    let (mut child, mut lines) = spawn_emulator(
        dir.path(),
        &["--seed", "acme.yaml", "www.yaml", "--state", "state.json"],
        &[],
    );
    let url = lines.next().and_then(Result::ok).unwrap_or_default();
    // The state is written at start, before the URL line.
    let state = std::fs::read_to_string(dir.path().join("state.json")).unwrap_or_default();
    let _ = child.kill();
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}\n{stderr}");
    assert!(!stderr.contains("UNSET"), "{stderr}");
    let state: serde_json::Value = serde_json::from_str(&state).expect("JSON state");
    let www = &state["certificates"]["abcb1234"];
    assert_eq!(www["domain"], "www.acme.example");
    assert_eq!(www["status"], 5);
}

#[test]
fn emulator_seed_stops_on_an_unset_variable_in_an_id_or_a_broken_file() {
    let id_from_variable = CERTIFICATE.replace("abcb1234", "${CERT_ID}");
    for (file, text, expected) in [
        ("id.yaml", id_from_variable.as_str(), "unset-variable"),
        (
            "broken.yaml",
            "apiVersion: tccert/v1\nkind: [",
            "yaml-syntax",
        ),
        (
            "other.yaml",
            "apiVersion: tccert/v1\nkind: Secret\n",
            "kind",
        ),
    ] {
        let dir = tempfile::tempdir().expect("a directory");
        std::fs::write(dir.path().join(file), text).expect("write");
        let (child, _) = spawn_emulator(dir.path(), &["--seed", file], &[]);
        let output = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{file}: {stderr}");
        assert!(
            stderr.contains(&format!("error[{expected}]")),
            "{file}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "{file}: no URL line");
    }
}

const STDIN_TREE: &str = "---\n";

/// The shared profile and certificate as one YAML stream.
fn stream() -> String {
    format!("{PROFILE}{STDIN_TREE}{CERTIFICATE}")
}

#[test]
fn a_dash_reads_manifests_from_standard_input() {
    Test::new()
        .args(["validate", "-"])
        .stdin(&stream())
        .run()
        .success()
        .stdout_contains("valid: 1 certificate and 1 profile in 1 file");
    // Beside files, and named <stdin> in diagnostics and reports.
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .args(["validate", "acme.yaml", "-"])
        .stdin(&CERTIFICATE.replace("www.acme.example", "www..acme"))
        .run()
        .failure();
    assert!(run.stderr().contains("--> <stdin>:6:"), "{}", run.stderr());
    let plan = Test::new()
        .args(["plan", "-", "--emulator", "--output", "json"])
        .stdin(&stream())
        .run()
        .success();
    assert_eq!(plan.json()["certificates"][0]["file"], "<stdin>");
    assert_eq!(plan.json()["certificates"][0]["result"], "planned");
    assert_eq!(
        state_line(&plan).0,
        "emulator state: not kept, this run only (`-` reads standard input, which names no tree)"
    );
    let apply = Test::new()
        .args(["apply", "-", "--emulator", "--output", "json"])
        .stdin(&stream())
        .run()
        .success();
    assert_eq!(results(&apply), [("www".into(), "submitted".into())]);
    Test::new()
        .args(["render", "-"])
        .stdin(&stream())
        .run()
        .success()
        .stdout_contains("www.acme.example");
}

#[test]
fn a_dash_twice_is_an_error_and_stdin_is_bounded_by_the_input_budget() {
    Test::new()
        .args(["validate", "-", "-"])
        .stdin(&stream())
        .run()
        .failure()
        .stderr_contains("error: `-` (standard input) may be given once among the PATHs");
    let big = format!("{}# {}\n", stream(), "x".repeat(4096));
    Test::new()
        .args(["validate", "-", "--max-input-bytes", "2KiB"])
        .stdin(&big)
        .run()
        .failure()
        .stderr_contains("error[input-budget]");
}

#[test]
fn plan_and_apply_help_name_the_credential_variables_and_files() {
    let plan = Test::new().args(["plan", "--help"]).run().success();
    let apply = Test::new().args(["apply", "--help"]).run().success();
    for run in [&plan, &apply] {
        for name in [
            "TENCENTCLOUD_SECRET_ID",
            "TENCENTCLOUD_SECRET_KEY",
            "TENCENTCLOUD_TOKEN",
            "TENCENTCLOUD_SECURITY_TOKEN",
            "~/.tencentcloud/credentials",
            "~/.tccli/NAME.credential",
        ] {
            assert!(run.stdout().contains(name), "{name} missing");
        }
    }
    // --detailed-exitcode is plan's only.
    assert!(plan.stdout().contains("--detailed-exitcode"));
    assert!(!apply.stdout().contains("--detailed-exitcode"));
    insta::assert_snapshot!("plan_help", plan.stdout());
    insta::assert_snapshot!("apply_help", apply.stdout());
}

#[test]
fn apply_with_detailed_exitcode_is_a_usage_error() {
    Test::new()
        .file("c.yaml", CERTIFICATE)
        .args(["apply", "c.yaml", "--emulator", "--detailed-exitcode"])
        .run()
        .failure()
        .stderr_contains("error: --detailed-exitcode is for plan");
}

/// `tccert emulator --tls --tls-ca-out ca.pem` in `dir`, seeded from the
/// manifests there: the child, its URL and the pair it printed.
fn spawn_tls_emulator(dir: &Path) -> (std::process::Child, String, String, String) {
    let (child, mut lines) = spawn_emulator(
        dir,
        &["--tls", "--tls-ca-out", "ca.pem", "--seed", "."],
        &[],
    );
    let mut next = || lines.next().and_then(Result::ok).unwrap_or_default();
    let url = next();
    let id = next()
        .strip_prefix("TENCENTCLOUD_SECRET_ID=")
        .unwrap_or_default()
        .to_string();
    let key = next()
        .strip_prefix("TENCENTCLOUD_SECRET_KEY=")
        .unwrap_or_default()
        .to_string();
    (child, url, id, key)
}

#[test]
fn plan_and_apply_over_https_to_the_tls_emulator_trusting_its_ca() {
    let dir = tempfile::tempdir().expect("a directory");
    std::fs::write(dir.path().join("acme.yaml"), PROFILE).expect("write");
    std::fs::write(dir.path().join("www.yaml"), CERTIFICATE).expect("write");
    let (mut child, url, id, key) = spawn_tls_emulator(dir.path());
    let ca = dir.path().join("ca.pem");
    let ca_text = ca.display().to_string();
    let localhost = url.replace("127.0.0.1", "localhost");
    let run_at = |endpoint: &str, command: &str, extra: &[&str], env: &[(&str, &str)]| {
        let mut test = Test::from_dir(dir.path().to_path_buf())
            .args([command, "acme.yaml", "www.yaml", "--endpoint", endpoint])
            .args(["--output", "json"])
            .args(extra.iter().copied())
            .env("TENCENTCLOUD_SECRET_ID", &id)
            .env("TENCENTCLOUD_SECRET_KEY", &key);
        for (name, value) in env {
            test = test.env(name, value);
        }
        test.run()
    };
    let run = |command: &str, extra: &[&str], env: &[(&str, &str)]| {
        run_at(url.as_str(), command, extra, env)
    };
    // Not trusted: the server's certificate is refused, nothing is sent.
    let untrusted = run("plan", &["--timeout", "5"], &[]);
    // Trusted through the flag, then through the variable.
    let plan = run("plan", &["--ca-cert", ca_text.as_str()], &[]);
    let apply = run("apply", &[], &[("TCCERT_CA_CERT", ca_text.as_str())]);
    let again = run("plan", &["--ca-cert", ca_text.as_str()], &[]);
    // The server certificate names localhost too.
    let by_name = run_at(&localhost, "plan", &["--ca-cert", ca_text.as_str()], &[]);
    let _ = child.kill();
    let _ = child.wait();

    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let pem = std::fs::read_to_string(&ca).expect("the CA file");
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    assert_eq!(untrusted.code(), 1);
    assert!(
        untrusted.stdout().contains("UnknownIssuer"),
        "{}",
        untrusted.stdout()
    );
    assert_eq!(results(&plan.success()), [("www".into(), "planned".into())]);
    assert_eq!(
        results(&apply.success()),
        [("www".into(), "submitted".into())]
    );
    assert_eq!(
        results(&again.success()),
        [("www".into(), "in_sync".into())]
    );
    assert_eq!(
        results(&by_name.success()),
        [("www".into(), "in_sync".into())]
    );
}

#[test]
fn a_ca_cert_that_cannot_be_used_is_a_clear_error_before_any_request() {
    let test = || {
        Test::new()
            .file("acme.yaml", PROFILE)
            .file("www.yaml", CERTIFICATE)
            .file("not-pem.txt", "hello\n")
            .env("TENCENTCLOUD_SECRET_ID", "AKIDexample")
            .env("TENCENTCLOUD_SECRET_KEY", "key")
    };
    // Port 9 on loopback: nothing is sent anyway, the error comes first.
    let endpoint = ["--endpoint", "https://127.0.0.1:9"];
    test()
        .args(["plan", ".", "--ca-cert", "missing.pem"])
        .args(endpoint)
        .run()
        .failure()
        .stderr_contains("error: --ca-cert missing.pem: ");
    test()
        .args(["plan", "."])
        .args(endpoint)
        .env("TCCERT_CA_CERT", "missing.pem")
        .run()
        .failure()
        .stderr_contains("error: TCCERT_CA_CERT missing.pem: ");
    test()
        .args(["plan", ".", "--ca-cert", "not-pem.txt"])
        .args(endpoint)
        .run()
        .failure()
        .stderr_contains("error: --ca-cert not-pem.txt: holds no PEM certificate");
    Test::new()
        .args(["emulator", "--tls-ca-out", "ca.pem"])
        .run()
        .failure()
        .stderr_contains("--tls");
    // --tls alone serves, and says that no client can verify it.
    let dir = tempfile::tempdir().expect("a directory");
    let (mut child, mut lines) = spawn_emulator(dir.path(), &["--tls"], &[]);
    let url = lines.next().and_then(Result::ok).unwrap_or_default();
    let _ = child.kill();
    let output = child.wait_with_output().expect("wait");
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(
            "TLS: no --tls-ca-out FILE, so no client can verify this server's certificate"
        ),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Two runs at once on one tree: each works from the state as it was when
/// it started, and each write replaces the file whole (docs/cli.md, "The
/// emulator's state"): the file is never torn, both runs succeed, and as
/// they sent the same thing, the next run is in sync.
#[test]
fn two_applies_at_once_on_one_tree_leave_a_whole_state_file() {
    let state = tempfile::tempdir().expect("a state directory");
    let tree = tempfile::tempdir().expect("a tree");
    std::fs::write(tree.path().join("acme.yaml"), PROFILE).expect("write");
    for i in 0..5 {
        let text = CERTIFICATE
            .replace("name: www", &format!("name: c{i}"))
            .replace("abcb1234", &format!("id{i:06}"))
            .replace("www.acme.example", &format!("c{i}.acme.example"));
        std::fs::write(tree.path().join(format!("c{i}.yaml")), text).expect("write");
    }
    let dir = tree.path().display().to_string();
    let apply = || {
        with_state(state.path())
            .args(["apply", dir.as_str(), "--emulator", "--output", "json"])
            .run()
    };
    let (first, second) = std::thread::scope(|scope| {
        let a = scope.spawn(apply);
        let b = scope.spawn(apply);
        (a.join().expect("a run"), b.join().expect("a run"))
    });
    let first = first.success();
    second.success();
    let file = state_line(&first).1.expect("a state file");
    let text = std::fs::read_to_string(&file).expect("the state file");
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("whole JSON");
    assert_eq!(
        parsed["certificates"].as_object().map(serde_json::Map::len),
        Some(5)
    );
    let leftovers: Vec<_> = std::fs::read_dir(file.parent().expect("a directory"))
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");
    let third = apply().success();
    assert!(
        all_results(&third).iter().all(|r| r == "in_sync"),
        "{}",
        third.stdout()
    );
}

#[test]
fn apply_plan_with_the_emulator_uses_the_state_of_the_plans_tree() {
    let state = tempfile::tempdir().expect("a state directory");
    let tree = tempfile::tempdir().expect("a tree");
    std::fs::write(tree.path().join("p.yaml"), PROFILE).expect("write");
    std::fs::write(tree.path().join("c.yaml"), CERTIFICATE).expect("write");
    let dir = tree.path().display().to_string();
    let plan_file = state.path().join("plan.json").display().to_string();
    let run = |args: &[&str]| with_state(state.path()).args(args.iter().copied()).run();
    run(&["apply", dir.as_str(), "--emulator"]).success();
    // A change after the first apply: the plan reads the kept state
    // (status 5, the first apply's data), and so must apply --plan.
    std::fs::write(
        tree.path().join("p.yaml"),
        PROFILE.replace("position: Engineer", "position: CTO"),
    )
    .expect("write");
    run(&[
        "plan",
        dir.as_str(),
        "--emulator",
        "--out",
        plan_file.as_str(),
    ])
    .success();
    let applied = run(&[
        "apply",
        "--plan",
        plan_file.as_str(),
        "--emulator",
        "--output",
        "json",
    ])
    .success();
    assert_eq!(all_results(&applied), ["submitted"], "{}", applied.stdout());
}

/// An Account's endpoint edited between `plan --out` and `apply --plan`:
/// the bodies are the same, but they would go where nobody reviewed. The
/// plan records every account's endpoint, not only the first one's;
/// apply refuses (exit 1) before any request, and the new endpoint received
/// nothing. Two TLS emulators, since an Account's endpoint is https only.
#[test]
fn a_saved_plan_is_not_applied_to_an_account_endpoint_edited_since() {
    const ACCOUNTS: &str = "apiVersion: tccert/v1\nkind: Account\nname: acme-a\nendpoint: A_URL\nsecret_id: ${A_ID}\nsecret_key: ${A_KEY}\n---\napiVersion: tccert/v1\nkind: Account\nname: acme-z\nendpoint: Z_URL\nsecret_id: ${Z_ID}\nsecret_key: ${Z_KEY}\n";
    let pairs = [
        ("A_ID", "AKIDplanAccountA0001"),
        ("A_KEY", "plan-account-key-a-0001"),
        ("Z_ID", "AKIDplanAccountZ0001"),
        ("Z_KEY", "plan-account-key-z-0001"),
    ];
    let dir = tempfile::tempdir().expect("a directory");
    let write =
        |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    let accounts = |a: &str, z: &str| ACCOUNTS.replace("A_URL", a).replace("Z_URL", z);
    write("acme.yaml", PROFILE);
    write("www.yaml", &format!("{CERTIFICATE}account: acme-a\n"));
    let shop = CERTIFICATE
        .replace("name: www", "name: shop")
        .replace("abcb1234", "shop0001")
        .replace("www.acme.example", "shop.acme.example");
    write("shop.yaml", &format!("{shop}account: acme-z\n"));
    write(
        "accounts.yaml",
        &accounts("https://127.0.0.1:1", "https://127.0.0.1:1"),
    );
    let tls = |ca: &str| {
        let (child, mut lines) = spawn_emulator(
            dir.path(),
            &["--tls", "--tls-ca-out", ca, "--seed", "."],
            &pairs,
        );
        let url = lines.next().and_then(Result::ok).unwrap_or_default();
        // Its stdout stays open: an emulator whose next line meets a closed
        // pipe stops.
        (child, url, lines)
    };
    let (mut reviewed, reviewed_url, _reviewed_out) = tls("ca1.pem");
    let (mut other, other_url, _other_out) = tls("ca2.pem");
    let bundle = [
        std::fs::read_to_string(dir.path().join("ca1.pem")).expect("ca1"),
        std::fs::read_to_string(dir.path().join("ca2.pem")).expect("ca2"),
    ]
    .concat();
    write("bundle.pem", &bundle);
    // The operator allows both loopback emulators (a manifest alone may
    // name only hosts under tencentcloudapi.com).
    let host = |url: &str| {
        url.trim_start_matches("https://")
            .trim_end_matches('/')
            .to_string()
    };
    let allowed = [host(&reviewed_url), host(&other_url)];
    let run = |args: &[&str]| {
        let mut test = Test::from_dir(dir.path().to_path_buf())
            .args(args.iter().copied())
            .args(["--ca-cert", "bundle.pem", "--output", "json"])
            .args([
                "--allow-endpoint",
                &allowed[0],
                "--allow-endpoint",
                &allowed[1],
            ]);
        for (name, value) in pairs {
            test = test.env(name, value);
        }
        test.run()
    };
    let manifests = ["acme.yaml", "www.yaml", "shop.yaml", "accounts.yaml"];
    write("accounts.yaml", &accounts(&reviewed_url, &reviewed_url));
    let plan = run(&[&["plan"][..], &manifests, &["--out", "plan.json"]].concat());
    // acme-a (the first account, whose endpoint is the plan's `endpoint`)
    // stays; acme-z moves.
    write("accounts.yaml", &accounts(&reviewed_url, &other_url));
    let apply = run(&["apply", "--plan", "plan.json"]);
    // Where the accounts point now: nothing was submitted anywhere.
    let after = run(&[&["plan"][..], &manifests].concat());
    let _ = (reviewed.kill(), other.kill(), reviewed.wait(), other.wait());

    let planned = |name: &str| (name.to_string(), "planned".to_string());
    assert_eq!(results(&plan.success()), [planned("www"), planned("shop")]);
    assert_eq!(apply.code(), 1, "{}", apply.stderr());
    assert!(
        apply.stderr().contains(&format!(
            "account `acme-z`: it was made against {reviewed_url}/, and this run would send to {other_url}/"
        )),
        "{}",
        apply.stderr()
    );
    assert_eq!(
        results(&after.success()),
        [planned("www"), planned("shop")],
        "nothing was submitted, at the reviewed endpoint or the other"
    );
}
