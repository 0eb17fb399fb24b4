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

/// Every `tccert ...` command in the CI recipes of examples/ci/ runs as
/// written (on examples/ instead of manifests/, against the emulator), so a
/// renamed flag cannot leave the recipes behind. That includes the commands
/// the GitHub Action runs: its `command:` and `args:` inputs.
#[test]
fn the_ci_recipes_run_as_written() {
    let examples = repo().join("examples");
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
            // Commands, not prose: they name the manifests.
            if command.contains("manifests/") {
                commands.push((recipe, command.to_string()));
            }
        }
    }
    assert!(commands.len() >= 6, "{commands:?}");
    for (recipe, command) in commands {
        let mut args: Vec<String> = command
            .split_whitespace()
            .map(|a| {
                if a == "manifests/" {
                    examples.display().to_string()
                } else {
                    a.to_string()
                }
            })
            .collect();
        if args[0] != "validate" {
            args.push("--emulator".into());
        }
        let run = Test::new().args(args).run();
        assert!(
            matches!(run.code(), 0 | 2),
            "{recipe}: `tccert {command}` exited {}\n{}\n{}",
            run.code(),
            run.stdout(),
            run.stderr()
        );
    }
}
