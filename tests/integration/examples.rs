//! What we ship under examples/ must work: it is the first thing a user runs.

use crate::support::cli::{Test, repo};

#[test]
fn every_example_validates() {
    let examples = repo().join("examples");
    Test::new()
        .args(["validate", examples.to_str().expect("utf-8 path")])
        .run()
        .success()
        .stdout_contains("valid: ");
}

#[test]
fn each_example_file_validates_with_its_profiles() {
    // Certificates need their profiles (and the hk profile its account),
    // so validate each certificate file together with those folders.
    let certificates =
        std::fs::read_dir(repo().join("examples/certificates")).expect("examples/certificates");
    let mut count = 0;
    for entry in certificates {
        let path = entry.expect("an entry").path();
        Test::new()
            .args([
                "validate",
                path.to_str().expect("utf-8"),
                repo().join("examples/profiles").to_str().expect("utf-8"),
                repo().join("examples/accounts").to_str().expect("utf-8"),
                // The CSRs are beside, not under, the files named.
                "--allow-path",
                repo().join("examples/csr").to_str().expect("utf-8"),
            ])
            .run()
            .success();
        count += 1;
    }
    assert!(
        count >= 6,
        "examples/ should hold at least six certificates"
    );
}

#[test]
fn examples_render_with_provenance_and_masked_secrets() {
    let examples = repo().join("examples");
    let run = Test::new()
        .args([
            "render",
            examples.to_str().expect("utf-8"),
            "--output",
            "json",
        ])
        .env("WWW_KEY_PASSWORD", "example-secret-value")
        .run()
        .success()
        .output_lacks("example-secret-value");
    let report = run.json();
    let certificates = report["certificates"].as_array().expect("a list");
    assert!(certificates.len() >= 6);
    for certificate in certificates {
        let body = &certificate["requests"][0]["body"];
        let (id, domain) = match certificate["api"].as_str() {
            Some("CertificateInfoSubmit") => ("CertId", "CertCommonName"),
            _ => ("CertificateId", "CertificateDomain"),
        };
        assert_eq!(certificate["requests"][0]["action"], certificate["api"]);
        assert!(body[id].is_string());
        assert!(body[domain].is_string());
        assert!(certificate["provenance"].is_object());
    }
    // shop.yaml shows the successor API.
    let shop = certificates.iter().find(|c| c["name"] == "shop");
    assert_eq!(
        shop.map(|c| c["requests"][0]["body"]["CsrEncryptAlgo"].clone()),
        Some("ECC".into())
    );
    let with_password = certificates
        .iter()
        .find(|c| c["requests"][0]["body"].get("KeyPassword").is_some());
    assert_eq!(
        with_password.map(|c| c["requests"][0]["body"]["KeyPassword"].clone()),
        Some("********".into())
    );
}

/// The placeholder default of www.yaml's key password, there only so that
/// examples/ runs on a fresh clone with no variable set.
const EXAMPLE_DEFAULT: &str = "${WWW_KEY_PASSWORD:-example-only-not-a-secret}";

/// A copy of examples/ at `DIR/manifests/`, with www.yaml's key password
/// written as the CI recipes ask a secret to be: `${WWW_KEY_PASSWORD}`, no
/// default.
fn examples_as_ci_manifests(dir: &std::path::Path) {
    fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a folder of examples/") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, files);
            } else {
                files.push(path);
            }
        }
    }
    let examples = repo().join("examples");
    let mut files = Vec::new();
    walk(&examples, &mut files);
    let mut replaced = false;
    for path in files {
        let relative = path.strip_prefix(&examples).expect("under examples/");
        let mut text = std::fs::read_to_string(&path).expect("an example file");
        if relative == std::path::Path::new("certificates/www.yaml") {
            assert!(text.contains(EXAMPLE_DEFAULT), "www.yaml changed: {text}");
            text = text.replace(EXAMPLE_DEFAULT, "${WWW_KEY_PASSWORD}");
            replaced = true;
        }
        let target = dir.join("manifests").join(relative);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("create folders");
        std::fs::write(target, text).expect("write a manifest");
    }
    assert!(replaced, "examples/certificates/www.yaml not found");
}

/// Every `tccert ...` command in the CI recipes of examples/ci/ runs as
/// written (on a copy of examples/ as manifests/, against the emulator), so
/// a renamed flag cannot leave the recipes behind. That includes the
/// commands the GitHub Action runs: its `command:` and `args:` inputs. They
/// run in order in one directory, as a job's steps do, so the saved plan
/// that `plan --out` writes is the one the `apply --plan` after it applies.
/// The copy's key password has no default, as the recipes ask of secrets:
/// each command succeeds with the secret set, and before that fails (exit 1,
/// naming the variable, writing no plan) when the CI did not define it:
/// unset, or empty as GitHub passes an undefined `${{ secrets.X }}`.
/// Nothing falls back to a value.
#[test]
fn the_ci_recipes_run_as_written() {
    let mut commands = Vec::new();
    for recipe in [
        "examples/ci/.github/workflows/certificates.yml",
        "examples/ci/.gitlab-ci.yml",
    ] {
        let text = std::fs::read_to_string(repo().join(recipe)).expect("a recipe");
        let mut action_command = None;
        for line in text.lines() {
            let input = line.trim_start();
            if let Some(command) = input.strip_prefix("command: ") {
                action_command = Some(command.trim().to_string());
                continue;
            }
            if let (Some(args), Some(command)) =
                (input.strip_prefix("args: "), action_command.take())
            {
                commands.push((recipe, format!("{command} {}", args.trim())));
                continue;
            }
            let Some(start) = line.find("tccert ") else {
                continue;
            };
            let command = &line[start + "tccert ".len()..];
            // Up to a redirection or a shell operator.
            let command = command
                .split(['>', '|'])
                .next()
                .expect("split gives one part")
                .trim();
            // Commands, not prose: they name the manifests, or a saved plan.
            if command.contains("manifests/") || command.contains("--plan ") {
                commands.push((recipe, command.to_string()));
            }
        }
    }
    assert!(commands.len() >= 6, "{commands:?}");
    for recipe in ["certificates.yml", ".gitlab-ci.yml"] {
        let saved = |flag: &str| {
            commands
                .iter()
                .any(|(r, c)| r.ends_with(recipe) && c.contains(flag))
        };
        assert!(
            saved("--out ") && saved("--plan "),
            "{recipe}: {commands:?}"
        );
    }
    let job = tempfile::tempdir().expect("a job directory");
    examples_as_ci_manifests(job.path());
    let mut applied_plans = 0;
    for (recipe, command) in commands {
        // Words as the shell gives them: single quotes (around a glob
        // for --env-allow) removed.
        let mut args: Vec<String> = command
            .split_whitespace()
            .map(|w| w.trim_matches('\'').to_string())
            .collect();
        if args[0] != "validate" {
            args.push("--emulator".into());
        }
        let writes_a_plan = args
            .iter()
            .position(|a| a == "--out")
            .map(|i| job.path().join(&args[i + 1]));
        for (secret, code) in [(None, "unset-variable"), (Some(""), "empty-variable")] {
            if let Some(plan) = &writes_a_plan {
                let _ = std::fs::remove_file(plan);
            }
            let mut test = Test::from_dir(job.path().to_path_buf()).args(args.clone());
            if let Some(value) = secret {
                test = test.env("WWW_KEY_PASSWORD", value);
            }
            let run = test.run();
            // Where the diagnostic goes depends on --output; it names the
            // variable.
            let output = format!("{}{}", run.stdout(), run.stderr());
            assert!(
                run.code() == 1 && output.contains(code) && output.contains("WWW_KEY_PASSWORD"),
                "{recipe}: `tccert {command}` with the secret {secret:?} exited {}: {output}",
                run.code()
            );
            if let Some(plan) = &writes_a_plan {
                assert!(
                    !plan.exists(),
                    "{recipe}: a failed plan wrote {}",
                    plan.display()
                );
            }
        }
        let run = Test::from_dir(job.path().to_path_buf())
            .args(args.clone())
            .env("WWW_KEY_PASSWORD", "a-secret-from-the-store")
            .run();
        if command.contains("--plan ") {
            // The plan's certificates were sent: nothing stale, nothing failed.
            assert_eq!(
                run.code(),
                0,
                "{recipe}: `tccert {command}`\n{}",
                run.stderr()
            );
            applied_plans += 1;
        }
        assert!(
            matches!(run.code(), 0 | 2),
            "{recipe}: `tccert {command}` exited {}\n{}\n{}",
            run.code(),
            run.stdout(),
            run.stderr()
        );
    }
    assert_eq!(applied_plans, 2);
}

/// The purchase example lives under docs/ (`apply examples/ --emulator`
/// runs without --allow-purchase): it validates with the example profiles,
/// and render shows what it buys and its letter.
#[test]
fn the_purchase_example_validates_and_renders() {
    let args = |command: &str| -> Vec<String> {
        vec![
            command.into(),
            repo().join("docs/examples/purchase").display().to_string(),
            repo()
                .join("examples/profiles/acme.yaml")
                .display()
                .to_string(),
            repo()
                .join("examples/profiles/pki-team.yaml")
                .display()
                .to_string(),
            "--output".into(),
            "json".into(),
        ]
    };
    Test::new().args(args("validate")).run().success();
    let run = Test::new().args(args("render")).run().success();
    let report = run.json();
    let certificates = report["certificates"].as_array().expect("a list");
    assert_eq!(certificates.len(), 2);
    for certificate in certificates {
        assert_eq!(certificate["requests"][0]["action"], "CreateCertificate");
        assert_eq!(certificate["confirm_letter"]["type"], "PDF");
    }
}
