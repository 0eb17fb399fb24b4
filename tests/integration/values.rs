//! Values in plans (docs/cli.md "JSON output", `changes`): each changed
//! field with its live and desired value in every output, a CSR summarised,
//! secrets named only, `--no-values`, the note on drift, and GitHub
//! annotations at the line that set the field.
//!
//! One scenario serves them all: three certificates on the `acme` profile
//! are applied (`old` also committed, so its information is with the CA),
//! then the manifests change: the profile's contact position and division
//! (from the environment), `www`'s CSR (online to a PEM file), `api`'s key
//! password (from the environment) and domains.

use std::path::Path;

use crate::support::cli::{Run, Test};
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY};
use crate::support::fixtures::{CERTIFICATE, PROFILE};

const CSR: &str = include_str!("../fixtures/www.csr");

/// The division and key passwords, before and after: none may be shown.
const DIVISION: [&str; 2] = ["Division-From-Env-1", "Division-From-Env-2"];
const KEY_PASSWORD: [&str; 2] = ["api-key-password-1", "api-key-password-2"];

fn certificate(name: &str, id: &str) -> String {
    CERTIFICATE
        .replace("name: www", &format!("name: {name}"))
        .replace("abcb1234", id)
        .replace("www.acme.example", &format!("{name}.acme.example"))
}

/// The tree before the change (`after` false) or after it.
fn write_tree(dir: &Path, after: bool) {
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    let position = if after { "CTO" } else { "Engineer" };
    write(
        "profiles/acme.yaml",
        &PROFILE
            .replace("division: IT", "division: ${DIVISION}")
            .replace("position: Engineer", &format!("position: {position}")),
    );
    let mut www = certificate("www", "abcb0001");
    if after {
        www = www.replace("type: online\n", "type: parse\n  file: ../www.csr\n");
    }
    write("certificates/www.yaml", &www);
    write("www.csr", CSR);
    let mut api = certificate("api", "abcb0002").replace(
        "type: online\n",
        "type: online\n  key_password: ${API_KEY_PASSWORD}\n",
    );
    if after {
        api.push_str("domains: [api2.acme.example]\n");
    }
    write("certificates/api.yaml", &api);
    write(
        "certificates/old.yaml",
        &format!("{}commit: true\n", certificate("old", "abcb0003")),
    );
}

struct Scenario {
    emulator: Emulator,
    test: Test,
}

/// The tree applied as it was, then changed; the emulator holds what the
/// first apply sent.
fn scenario() -> Scenario {
    let seed: Vec<(String, String)> = ["www", "api", "old"]
        .iter()
        .enumerate()
        .map(|(i, name)| (format!("abcb000{}", i + 1), format!("{name}.acme.example")))
        .collect();
    let emulator = Emulator::start(&seed, &[], |_| {});
    let test = Test::new();
    write_tree(test.path(), false);
    let first = run_in(test.path(), &emulator, 0, &["apply", "--output", "json"]);
    assert_eq!(first.code(), 0, "{}{}", first.stdout(), first.stderr());
    assert_eq!(emulator.certificate("abcb0003").status, 8);
    write_tree(test.path(), true);
    Scenario { emulator, test }
}

/// A tccert command on the tree at `dir` against the emulator, with the
/// environment of state `which` (0 before the change, 1 after).
fn run_in(dir: &Path, emulator: &Emulator, which: usize, args: &[&str]) -> Run {
    let url = emulator.url();
    let (command, rest) = args.split_first().expect("a command");
    let mut all = vec![*command, ".", "--endpoint", url.as_str()];
    all.extend_from_slice(rest);
    Test::from_dir(dir.to_path_buf())
        .args(all)
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("DIVISION", DIVISION[which])
        .env("API_KEY_PASSWORD", KEY_PASSWORD[which])
        .run()
}

impl Scenario {
    fn plan(&self, args: &[&str]) -> Run {
        let mut all = vec!["plan"];
        all.extend_from_slice(args);
        run_in(self.test.path(), &self.emulator, 1, &all)
    }
}

/// The table and what follows it: the progress lines before it come in the
/// order the certificates finish.
fn from_table(stdout: &str) -> &str {
    stdout
        .find("NAME ")
        .map_or(stdout, |start| &stdout[start..])
}

/// A CSR's digest as the summary shows it.
fn csr_digest() -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(CSR.as_bytes()))
}

#[test]
fn json_changes_carry_both_values_and_name_sensitive_fields_only() {
    let scenario = scenario();
    let run = scenario.plan(&["--output", "json"]);
    assert_eq!(run.code(), 0, "{}", run.stderr());
    let report = run.json();
    let certificates = report["certificates"].as_array().expect("a list");
    let by_name = |name: &str| {
        certificates
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let division = serde_json::json!({"field": "OrganizationDivision", "sensitive": true});
    let position =
        serde_json::json!({"field": "ContactPosition", "live": "Engineer", "desired": "CTO"});

    let www = by_name("www");
    assert_eq!(www["result"], "planned");
    let summary = format!(
        "CSR C=CN, O=Acme Ltd, CN=www.acme.example, sha256:{}",
        csr_digest()
    );
    assert_eq!(
        www["changes"],
        serde_json::json!([
            {"field": "CsrType", "live": "online", "desired": "parse"},
            {"field": "CsrContent", "live": null, "desired": summary},
            division,
            position,
        ]),
        "{report:#}"
    );

    let api = by_name("api");
    assert_eq!(
        api["changes"],
        serde_json::json!([
            {"field": "DomainList", "live": null, "desired": ["api2.acme.example"]},
            {"field": "KeyPassword", "sensitive": true},
            division,
            position,
        ]),
        "{report:#}"
    );

    // Drift: the same objects, the names in `drift`, and what to do.
    let old = by_name("old");
    assert_eq!(old["result"], "drift");
    assert_eq!(
        old["drift"],
        serde_json::json!(["OrganizationDivision", "ContactPosition"])
    );
    assert_eq!(old["changes"], serde_json::json!([division, position]));
    let notes = old["notes"].to_string();
    assert!(
        notes.contains("apply with --restart old to cancel the review"),
        "{notes}"
    );
    assert!(
        notes.contains("change the manifest back to the live values"),
        "{notes}"
    );
}

#[test]
fn a_first_submission_lists_every_field_sent_with_live_null() {
    let (test, seed) = crate::support::emulator::manifests(1, &[]);
    let emulator = Emulator::start(&seed, &[], |_| {});
    let url = emulator.url();
    let run = test
        .args(["plan", ".", "--endpoint", url.as_str(), "--output", "json"])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .success();
    let changes = run.json()["certificates"][0]["changes"].clone();
    let changes = changes.as_array().expect("a list");
    let fields: Vec<&str> = changes.iter().filter_map(|c| c["field"].as_str()).collect();
    // The profile's 19 fields, the CSR type and the domain; no IsDV, no id.
    assert_eq!(fields.len(), 21, "{fields:?}");
    assert_eq!(fields[..2], ["CsrType", "CertificateDomain"]);
    assert!(changes.iter().all(|c| c["live"].is_null()), "{changes:?}");
    assert!(changes.contains(&serde_json::json!(
        {"field": "OrganizationName", "live": null, "desired": "Acme Ltd"}
    )));
}

#[test]
fn text_markdown_and_github_show_the_values() {
    let scenario = scenario();
    let text = scenario.plan(&[]);
    assert_eq!(text.code(), 0, "{}", text.stderr());
    let digest = csr_digest();
    insta::assert_snapshot!(
        "values_text",
        from_table(&text.stdout()).replace(&digest, "<sha256>")
    );
    let markdown = scenario.plan(&["--output", "markdown"]);
    insta::assert_snapshot!(
        "values_markdown",
        markdown.stdout().replace(&digest, "<sha256>")
    );
    let github = scenario.plan(&["--output", "github"]);
    let stdout = github.stdout();
    let annotations: String = stdout
        .lines()
        .filter(|l| l.starts_with("::"))
        .map(|l| format!("{}\n", l.replace(&digest, "<sha256>")))
        .collect();
    insta::assert_snapshot!("values_github", annotations);
}

#[test]
fn no_values_leaves_every_value_out_of_every_format() {
    let scenario = scenario();
    let values = [
        "Engineer",
        "\"CTO\"",
        "sha256:",
        "api2.acme.example",
        "\"online\"",
        "\"parse\"",
        "\"live\"",
        "\"desired\"",
    ];
    for output in ["text", "json", "markdown", "github"] {
        let json_out = scenario.test.path().join("report.json");
        let json_out = json_out.to_string_lossy();
        let run = scenario.plan(&["--no-values", "--output", output, "--json-out", &json_out]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        let written = std::fs::read_to_string(json_out.as_ref()).expect("the JSON report");
        let all = format!("{}{}{written}", run.stdout(), run.stderr());
        for value in values {
            assert!(!all.contains(value), "{output}: {value} shown:\n{all}");
        }
        // The fields are still named.
        assert!(all.contains("ContactPosition"), "{output}:\n{all}");
        assert!(all.contains("CsrContent"), "{output}:\n{all}");
        if output == "json" {
            let report = run.json();
            assert_eq!(report["certificates"][0]["name"], "api");
            assert_eq!(
                report["certificates"][0]["changes"],
                serde_json::json!([
                    {"field": "DomainList"},
                    {"field": "KeyPassword", "sensitive": true},
                    {"field": "OrganizationDivision", "sensitive": true},
                    {"field": "ContactPosition"},
                ])
            );
        }
        if output == "text" {
            assert!(
                all.contains("api (abcb0002) planned:\n  DomainList\n  KeyPassword: (sensitive)\n"),
                "{all}"
            );
        }
    }
    // apply too, which reports what it submitted.
    let run = run_in(
        scenario.test.path(),
        &scenario.emulator,
        1,
        &["apply", "--no-values", "--output", "json"],
    );
    let all = format!("{}{}", run.stdout(), run.stderr());
    assert_eq!(
        run.json()["certificates"][0]["result"],
        "submitted",
        "{all}"
    );
    for value in values {
        assert!(!all.contains(value), "apply: {value} shown:\n{all}");
    }
    assert!(all.contains("\"field\": \"DomainList\""), "{all}");
}

#[test]
fn no_secret_is_shown_in_any_output_with_or_without_values() {
    let scenario = scenario();
    for no_values in [false, true] {
        for output in ["text", "json", "markdown", "github"] {
            let mut args = vec!["-vvv", "--output", output];
            if no_values {
                args.push("--no-values");
            }
            let run = scenario.plan(&args);
            assert_eq!(run.code(), 0, "{}", run.stderr());
            let all = format!("{}{}", run.stdout(), run.stderr());
            for secret in DIVISION.iter().chain(&KEY_PASSWORD) {
                assert!(
                    !all.contains(secret),
                    "{output} {no_values}: {secret}:\n{all}"
                );
            }
            assert!(all.contains("KeyPassword"), "{output}:\n{all}");
        }
        // And apply, which sends them.
        let mut args = vec!["apply", "-vvv"];
        if no_values {
            args.push("--no-values");
        }
        let run = run_in(scenario.test.path(), &scenario.emulator, 1, &args);
        let all = format!("{}{}", run.stdout(), run.stderr());
        for secret in DIVISION.iter().chain(&KEY_PASSWORD) {
            assert!(!all.contains(secret), "apply {no_values}: {secret}:\n{all}");
        }
        // Put the first state back for the next round.
        write_tree(scenario.test.path(), false);
        let back = run_in(scenario.test.path(), &scenario.emulator, 0, &["apply"]);
        assert!(back.code() <= 1, "{}", back.stderr());
        write_tree(scenario.test.path(), true);
    }
}
