//! Secrets never reach output or logs, at any verbosity: every command runs
//! at -vvv with known secret values, and none of them may appear in stdout,
//! stderr or any file the run leaves behind.

use std::path::Path;

use crate::support::cli::{Run, STATE_DIR, Test};
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY};
use crate::support::fixtures::{CERTIFICATE, PROFILE};

const KEY_PASSWORD_FROM_ENV: &str = "kp-from-env-5f1c9e";
const KEY_PASSWORD_LITERAL: &str = "kp-literal-8a7b6c";
const ADMIN_PHONE_FROM_ENV: &str = "13900000042";
const TOKEN: &str = "sts-token-3d2e1f";
/// The successor certificate's `KeyPass` and company id, from the environment.
const KEY_PASS_FROM_ENV: &str = "kp-successor-4c3b2a";
const COMPANY_ID_FROM_ENV: &str = "8675309246813579";

fn secrets() -> [&'static str; 7] {
    [
        SECRET_KEY,
        KEY_PASSWORD_FROM_ENV,
        KEY_PASSWORD_LITERAL,
        ADMIN_PHONE_FROM_ENV,
        TOKEN,
        KEY_PASS_FROM_ENV,
        COMPANY_ID_FROM_ENV,
    ]
}

/// A profile whose admin phone comes from the environment, a certificate
/// whose key password does, one with a literal key password, and one sent
/// by `CertificateInfoSubmit` whose `KeyPass` and `company_id` do.
fn secret_manifests() -> Test {
    let profile = PROFILE.replace("phone: \"12345678901\"", "phone: ${ADMIN_PHONE}");
    let from_env = CERTIFICATE.replace("type: online", "type: online\n  key_password: ${KEY_PW}");
    let literal = CERTIFICATE
        .replace("name: www", "name: api")
        .replace("abcb1234", "api00001")
        .replace("www.acme.example", "api.acme.example")
        .replace(
            "type: online",
            &format!("type: online\n  key_password: {KEY_PASSWORD_LITERAL}"),
        );
    let successor = CERTIFICATE
        .replace("name: www", "name: new")
        .replace("abcb1234", "new00001")
        .replace("www.acme.example", "new.acme.example")
        .replace(
            "type: online",
            "type: online\n  key_password: ${NEW_KEY_PW}",
        )
        + "api: CertificateInfoSubmit\norganization:\n  company_id: ${COMPANY_ID}\n";
    Test::new()
        .file("acme.yaml", &profile)
        .file("www.yaml", &from_env)
        .file("api.yaml", &literal)
        .file("new.yaml", &successor)
        .env("ADMIN_PHONE", ADMIN_PHONE_FROM_ENV)
        .env("KEY_PW", KEY_PASSWORD_FROM_ENV)
        .env("NEW_KEY_PW", KEY_PASS_FROM_ENV)
        .env("COMPANY_ID", COMPANY_ID_FROM_ENV)
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("TENCENTCLOUD_TOKEN", TOKEN)
}

fn assert_clean(run: &Run, what: &str) {
    for secret in secrets() {
        assert!(
            !run.stdout().contains(secret),
            "{what}: stdout shows {secret}\n{}",
            run.stdout()
        );
        assert!(
            !run.stderr().contains(secret),
            "{what}: stderr shows {secret}\n{}",
            run.stderr()
        );
    }
}

/// Every file under `dir` except the manifests we wrote is free of secrets.
fn assert_files_clean(dir: &Path) {
    for entry in walk(dir) {
        let name = entry
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        // The inputs we wrote: the manifests, and the credential file that
        // holds the key on purpose.
        if [
            "acme.yaml",
            "www.yaml",
            "api.yaml",
            "new.yaml",
            "ci.credential",
        ]
        .contains(&name.as_str())
        {
            continue;
        }
        let text = String::from_utf8_lossy(&std::fs::read(&entry).unwrap_or_default()).into_owned();
        for secret in secrets() {
            assert!(
                !text.contains(secret),
                "{} contains {secret}",
                entry.display()
            );
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        // `--emulator` keeps the emulator's state there (XDG_STATE_HOME):
        // the emulator's own database, holding what it was sent, as a
        // server does (docs/security.md, "What is kept"; mode 0600, checked
        // in playground.rs). It is not output of the run.
        if path.file_name().and_then(|n| n.to_str()) == Some(STATE_DIR) {
            continue;
        }
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn no_command_shows_a_secret_at_any_verbosity() {
    let seed = vec![
        ("abcb1234".to_string(), "www.acme.example".to_string()),
        ("api00001".to_string(), "api.acme.example".to_string()),
        ("new00001".to_string(), "new.acme.example".to_string()),
    ];
    let emulator = Emulator::start(
        &seed,
        &[
            "drop-after-write:SubmitCertificateInformation=first:1",
            "drop-after-write:CertificateInfoSubmit=first:1",
        ],
        |_| {},
    );
    let url = emulator.url();
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("validate", vec!["validate", ".", "-vvv"]),
        (
            "validate json",
            vec!["validate", ".", "-vvv", "--output", "json"],
        ),
        ("render", vec!["render", ".", "-vvv"]),
        (
            "render json",
            vec!["render", ".", "-vvv", "--output", "json"],
        ),
        ("plan", vec!["plan", ".", "-vvv", "--endpoint", &url]),
        (
            "apply",
            vec!["apply", ".", "-vvv", "--endpoint", &url, "--commit"],
        ),
        // Again: now SubmittedData holds the KeyPassword the API echoes back.
        (
            "plan after apply",
            vec!["plan", ".", "-vvv", "--endpoint", &url, "--output", "json"],
        ),
        // A saved plan, with live KeyPasswords to digest (checked below
        // with every other file the run left).
        (
            "plan --out",
            vec![
                "plan",
                ".",
                "-vvv",
                "--endpoint",
                &url,
                "--out",
                "saved.json",
            ],
        ),
        (
            "apply after apply",
            vec!["apply", ".", "-vvv", "--endpoint", &url],
        ),
        (
            "apply --emulator",
            vec!["apply", ".", "-vvv", "--emulator", "--commit"],
        ),
        // Every certificate through CertificateInfoSubmit (KeyPass).
        (
            "render --api",
            vec!["render", ".", "-vvv", "--api", "CertificateInfoSubmit"],
        ),
        (
            "render json --api",
            vec![
                "render",
                ".",
                "-vvv",
                "--output",
                "json",
                "--api",
                "CertificateInfoSubmit",
            ],
        ),
        (
            "plan --api",
            vec![
                "plan",
                ".",
                "-vvv",
                "--endpoint",
                &url,
                "--api",
                "CertificateInfoSubmit",
            ],
        ),
        // CI outputs: annotations, the step summary file, Markdown.
        (
            "validate github",
            vec!["validate", ".", "-vvv", "--output", "github"],
        ),
        (
            "render markdown",
            vec!["render", ".", "-vvv", "--output", "markdown"],
        ),
        (
            "plan github",
            vec![
                "plan",
                ".",
                "-vvv",
                "--endpoint",
                &url,
                "--output",
                "github",
            ],
        ),
        (
            "plan markdown",
            vec![
                "plan",
                ".",
                "-vvv",
                "--endpoint",
                &url,
                "--output",
                "markdown",
            ],
        ),
        (
            "apply github",
            vec![
                "apply",
                ".",
                "-vvv",
                "--endpoint",
                &url,
                "--output",
                "github",
            ],
        ),
        // Credentials from a tccli file instead of the environment.
        (
            "plan --profile",
            vec!["plan", ".", "-vvv", "--endpoint", &url, "--profile", "ci"],
        ),
        (
            "apply --emulator --api",
            vec![
                "apply",
                ".",
                "-vvv",
                "--emulator",
                "--api",
                "CertificateInfoSubmit",
            ],
        ),
    ];
    for (what, args) in runs {
        let run = secret_manifests()
            .file(
                ".tccli/ci.credential",
                &format!(r#"{{"secretId": "{SECRET_ID}", "secretKey": "{SECRET_KEY}", "token": "{TOKEN}"}}"#),
            )
            .env("GITHUB_STEP_SUMMARY", "step-summary.md")
            .args(args)
            .run();
        assert!(
            run.code() == 0 || run.code() == 2,
            "{what}: exit {}\n{}\n{}",
            run.code(),
            run.stdout(),
            run.stderr()
        );
        assert_clean(&run, what);
        if what == "apply" {
            assert!(
                run.stderr().contains("DEBUG") || run.stderr().contains("TRACE"),
                "{what}: -vvv logs something"
            );
        }
        if what.ends_with("github") && what != "validate github" {
            assert!(
                run._dir.path().join("step-summary.md").is_file(),
                "{what}: the step summary was written (and checked below)"
            );
        }
        assert_files_clean(run._dir.path());
    }
    // The emulator did receive the real values: masking is on output only.
    let data = emulator
        .certificate("abcb1234")
        .submitted_data
        .expect("submitted");
    assert_eq!(data["KeyPassword"], KEY_PASSWORD_FROM_ENV);
    assert_eq!(data["AdminPhoneNum"], ADMIN_PHONE_FROM_ENV);
    let new = emulator.certificate("new00001");
    assert_eq!(new.submitted_by.as_deref(), Some("CertificateInfoSubmit"));
    assert_eq!(
        new.info_submits_received, 1,
        "the dropped reply was settled"
    );
    let data = new.submitted_data.expect("submitted");
    assert_eq!(data["KeyPassword"], KEY_PASS_FROM_ENV);
    assert_eq!(data["AdminPhoneNum"], ADMIN_PHONE_FROM_ENV);
    assert_eq!(
        new.successor_params.expect("parameters")["CompanyId"],
        COMPANY_ID_FROM_ENV
    );
}

#[test]
fn invalid_values_from_the_environment_are_not_quoted_in_errors() {
    let run = secret_manifests()
        .file(
            "bad.yaml",
            &CERTIFICATE
                .replace("name: www", "name: bad")
                .replace("abcb1234", "${BAD_ID}")
                .replace("domain: www.acme.example", "domain: ${BAD_DOMAIN}"),
        )
        .env("BAD_ID", KEY_PASSWORD_LITERAL)
        .env("BAD_DOMAIN", TOKEN)
        .args(["validate", ".", "-vvv"])
        .run()
        .failure()
        .stderr_contains("error[invalid-domain]");
    assert_clean(&run, "validate with bad secret values");
}

#[test]
fn credentials_print_as_a_mask_in_debug_output() {
    let credentials = tccert::api::credentials::Credentials {
        secret_id: SECRET_ID.into(),
        secret_key: tccert::secret::Secret::new(SECRET_KEY),
        token: Some(tccert::secret::Secret::new(TOKEN)),
    };
    let shown = format!("{credentials:?}");
    assert!(
        !shown.contains(SECRET_KEY) && !shown.contains(TOKEN),
        "{shown}"
    );
    assert!(shown.contains(tccert::secret::MASK));
}

/// A certificate id read from the environment is masked by the client
/// everywhere; the built-in emulator of `--emulator` logs each request with
/// its id, so at -vvv its request lines must stay out of a client command's
/// log (only `tccert emulator` shows them).
#[test]
fn a_certificate_id_from_the_environment_stays_out_of_the_built_in_emulators_log() {
    const ID_FROM_ENV: &str = "idsecret7f3a9c";
    let certificate = CERTIFICATE.replace("abcb1234", "${CERT_ID}");
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .env("CERT_ID", ID_FROM_ENV)
        .args(["plan", ".", "-vvv", "--emulator"])
        .run();
    assert_eq!(run.code(), 0, "{}", run.stderr());
    assert!(run.stdout().contains("www"), "{}", run.stdout());
    for text in [run.stdout(), run.stderr()] {
        assert!(!text.contains(ID_FROM_ENV), "{text}");
    }
}
