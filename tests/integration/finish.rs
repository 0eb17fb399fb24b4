//! The finish a Terraform user expects: `--strict`, `--color`, status names
//! in the tables, and the small things of the first real use.

use crate::support::cli::Test;
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY};
use crate::support::fixtures::{CERTIFICATE, PROFILE};

/// A valid tree with one warning (`$DIVISION` without braces).
fn with_a_warning() -> Test {
    Test::new()
        .file(
            "acme.yaml",
            &PROFILE.replace("division: IT", "division: $DIVISION"),
        )
        .file("www.yaml", CERTIFICATE)
}

#[test]
fn strict_makes_warnings_errors_in_validate() {
    with_a_warning()
        .args(["validate", "."])
        .run()
        .success()
        .stderr_contains("warning[unbraced-variable]");
    let run = with_a_warning()
        .args(["validate", ".", "--strict"])
        .run()
        .failure();
    insta::assert_snapshot!("strict_validate", run.stderr());
    let json = with_a_warning()
        .args(["validate", ".", "--strict", "--output", "json"])
        .run()
        .failure()
        .json();
    assert_eq!(json["valid"], false);
    assert_eq!(json["diagnostics"][0]["severity"], "error");
}

#[test]
fn strict_plan_and_apply_send_nothing() {
    let seed = [("abcb1234".to_string(), "www.acme.example".to_string())];
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    for command in ["plan", "apply"] {
        let run = with_a_warning()
            .args([command, ".", "--strict", "--endpoint", url.as_str()])
            .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
            .run()
            .failure()
            .stderr_contains("error[unbraced-variable]")
            .stderr_contains("nothing was sent");
        assert_eq!(run.code(), 1);
    }
    assert_eq!(emulator.requests(), 0, "nothing was sent under --strict");
    // Without --strict the same tree is applied.
    with_a_warning()
        .args(["apply", ".", "--endpoint", url.as_str()])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .success();
    assert!(emulator.certificate("abcb1234").submitted_data.is_some());
}

#[test]
fn color_always_never_auto_and_no_color() {
    const ESC: &str = "\x1b[";
    let stderr = |args: &[&str], no_color: Option<&str>| {
        let mut test = with_a_warning().args(args.iter().copied());
        if let Some(value) = no_color {
            test = test.env("NO_COLOR", value);
        }
        test.run().stderr()
    };
    // Not a terminal: auto is plain.
    assert!(!stderr(&["validate", "."], None).contains(ESC));
    let always = stderr(&["validate", ".", "--color", "always"], Some("1"));
    assert!(
        always.contains("\x1b[1;33mwarning[unbraced-variable]\x1b[0m: "),
        "{always:?}"
    );
    assert!(!stderr(&["validate", ".", "--color", "never"], None).contains(ESC));
    // The table's RESULT column.
    let run = with_a_warning()
        .args(["plan", ".", "--emulator", "--color", "always"])
        .run()
        .success();
    assert!(
        run.stdout().contains("\x1b[1;33mplanned"),
        "{:?}",
        run.stdout()
    );
}

#[test]
fn plan_and_apply_tables_name_the_status_with_its_code() {
    let run = with_a_warning()
        .args(["plan", ".", "--emulator"])
        .run()
        .success();
    let stdout = run.stdout();
    let table: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("NAME"))
        .take_while(|l| !l.is_empty())
        .collect();
    insta::assert_snapshot!("plan_table_status_names", table.join("\n"));
}

/// Every API error shown carries the server's RequestId: the text of plan,
/// apply and status, and `request_id` on the certificate's JSON result.
#[test]
fn api_errors_carry_the_request_id() {
    // The emulator knows no certificate abcb1234: its reads answer
    // FailedOperation.CertificateNotFound with a RequestId.
    let emulator = Emulator::start(&[], &[], |_| {});
    let url = emulator.url();
    let tree = || {
        Test::new()
            .file("acme.yaml", PROFILE)
            .file("www.yaml", CERTIFICATE)
            .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
    };
    let json = tree()
        .args(["plan", ".", "--endpoint", url.as_str(), "--output", "json"])
        .run()
        .failure()
        .json();
    let result = &json["certificates"][0];
    assert_eq!(result["result"], "failed");
    let id = result["request_id"].as_str().expect("a request_id");
    assert!(!id.is_empty());
    assert_eq!(result["error"]["request_id"], id);
    let text = tree()
        .args(["apply", ".", "--endpoint", url.as_str()])
        .run()
        .failure()
        .stdout();
    assert!(text.contains("(RequestId "), "{text}");
    let status = tree()
        .args(["status", ".", "--endpoint", url.as_str()])
        .run()
        .failure();
    assert!(
        status.stdout().contains("(RequestId "),
        "{}",
        status.stdout()
    );
    let shown: String = text
        .lines()
        .filter(|l| l.contains("RequestId"))
        .map(|l| {
            // The id changes with every run.
            let start = l.find("(RequestId ").expect("found") + "(RequestId ".len();
            let end = start + l[start..].find(')').expect("closed");
            format!("{}<id>{}", &l[..start], &l[end..])
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("api_error_with_request_id", shown);
}

/// An indentation slip is shown at the line of the mistake, with a hint,
/// not as the parser's words at the line after it.
#[test]
fn a_dedented_key_is_shown_at_its_own_line_with_a_hint() {
    for (name, indent) in [("dedented_city_to_0", ""), ("dedented_city_to_1", " ")] {
        let run = Test::new()
            .file(
                "acme.yaml",
                &PROFILE.replace("  city: Shenzhen", &format!("{indent}city: Shenzhen")),
            )
            .args(["validate", "."])
            .run()
            .failure()
            .stderr_contains("acme.yaml:10:");
        insta::assert_snapshot!(name, run.stderr());
    }
}

/// A key of a block written outside it gets the block's did-you-mean.
#[test]
fn a_key_outside_its_block_is_pointed_back_into_it() {
    let certificate = CERTIFICATE.replace("type: online\n", "type: online\nkey_password: x\n");
    assert!(certificate.contains("\nkey_password: x\n"), "{certificate}");
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .args(["validate", "."])
        .run()
        .failure()
        .stderr_contains("did you mean `csr.key_password`?");
    insta::assert_snapshot!("key_outside_its_block", run.stderr());
}

/// `import --emulator PATH...` reads the state `apply PATH... --emulator`
/// kept: import tried locally in one command, no credentials.
#[test]
fn import_from_the_kept_emulator_state_in_one_command() {
    let test = Test::new()
        .file("m/acme.yaml", PROFILE)
        .file("m/www.yaml", CERTIFICATE);
    let applied = test.args(["apply", "m", "--emulator"]).run().success();
    // The same XDG_STATE_HOME for the runs below: the kept state.
    let dir = applied._dir.path().to_path_buf();
    let state = dir.join(".xdg-state");
    let run = Test::from_dir(dir.clone())
        .args(["import", "--emulator", "m", "--out", "imported"])
        .env("XDG_STATE_HOME", state.to_str().expect("UTF-8"))
        .run()
        .success()
        .stdout_contains("imported 1 certificate into imported");
    assert!(
        dir.join("imported/certificates/www-acme-example.yaml")
            .exists(),
        "{}",
        run.stdout()
    );
    Test::from_dir(dir)
        .args(["validate", "imported"])
        .run()
        .success();
    // Beside a real endpoint's flags: a usage error.
    Test::new()
        .args([
            "import",
            "--emulator",
            "m",
            "--out",
            "x",
            "--endpoint",
            "http://127.0.0.1:1",
        ])
        .run()
        .failure()
        .stderr_contains("cannot be used with");
}

/// `-q` leaves out the notes (the emulator's state, the saved plan); the
/// saved plan's hint names `--emulator` when the plan was made with it.
#[test]
fn quiet_leaves_out_notes_and_the_plan_hint_names_the_emulator() {
    let run = with_a_warning()
        .args(["plan", ".", "--emulator", "--out", "p.json"])
        .run()
        .success();
    let hint: Vec<&str> = run
        .stderr()
        .lines()
        .filter(|l| l.starts_with("saved plan:"))
        .map(|_| "")
        .collect();
    assert_eq!(hint.len(), 1, "{}", run.stderr());
    assert!(
        run.stderr()
            .contains("apply it with `tccert apply --plan p.json --emulator`"),
        "{}",
        run.stderr()
    );
    let quiet = Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", CERTIFICATE)
        .args(["-q", "plan", ".", "--emulator", "--out", "p.json"])
        .run()
        .success();
    assert_eq!(quiet.stderr(), "", "-q: only errors on stderr");
}

/// A TOML `key: value` is one error saying to use `=`.
#[test]
fn a_yaml_colon_in_toml_is_one_error_saying_use_equals() {
    let run = Test::new()
        .file(
            "acme.toml",
            "apiVersion = \"tccert/v1\"\nkind = \"Profile\"\nname = \"acme\"\n[organization]\nname = \"Acme\"\ndivision: \"x\"\n",
        )
        .args(["validate", "."])
        .run()
        .failure();
    insta::assert_snapshot!("toml_colon", run.stderr());
}

/// An unset variable for a secret gets no "give a default" hint.
#[test]
fn an_unset_secret_variable_is_not_offered_a_default() {
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file(
            "www.yaml",
            &CERTIFICATE.replace(
                "type: online\n",
                "type: online\n  key_password: ${WWW_KEY_PASSWORD}\n",
            ),
        )
        .args(["validate", "."])
        .run()
        .failure()
        .output_lacks(":-value");
    insta::assert_snapshot!("unset_secret_variable", run.stderr());
}

/// `csr new` in a tree prints `file:` relative to `certificates/`, where
/// the manifest goes, so the lines paste as they are.
#[test]
fn csr_new_prints_the_path_from_the_manifest_folder() {
    let test = Test::new().file("certificates/.keep", "");
    std::fs::create_dir_all(test.path().join("csr")).expect("a folder");
    let run = test
        .args([
            "csr",
            "new",
            "--domain",
            "www.acme.example",
            "--key-type",
            "ecdsa-p256",
            "--key-out",
            "csr/www.key",
            "--csr-out",
            "csr/www.csr",
        ])
        .run()
        .success()
        .stdout_contains("For a certificate manifest in certificates/")
        .stdout_contains("  file: \"../csr/www.csr\"\n");
    let tail: String = run
        .stdout()
        .lines()
        .skip_while(|l| !l.starts_with("For a certificate"))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("csr_new_manifest_folder", tail);
}
