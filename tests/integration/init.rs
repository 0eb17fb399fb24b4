//! `tccert init DIR`: the starter tree fails validation on its placeholder
//! certificate id (and only on that), validates and plans once it is
//! replaced; a `.gitignore` keeps keys out; a second init refuses to
//! replace it.

use std::path::Path;

use crate::support::cli::{Test, repo};

const STARTER: [&str; 5] = [
    "profiles/example-org.yaml",
    "certificates/www.yaml",
    "README.md",
    ".tccert/tccert-v1.schema.json",
    ".gitignore",
];

fn in_dir(dir: &Path) -> Test {
    Test::from_dir(dir.to_path_buf())
}

#[test]
fn init_then_validate_and_plan_against_the_emulator() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let run = in_dir(dir.path())
        .args(["init", "certs"])
        .run()
        .success()
        .stdout_contains("wrote a starter tree in certs:\n");
    for file in STARTER {
        assert!(run.stdout().contains(file), "{file} not listed");
        assert!(dir.path().join("certs").join(file).is_file(), "{file}");
    }

    // The schema is the draft-07 one, and each YAML file points at it.
    let draft7 = std::fs::read_to_string(repo().join("schemas/tccert-v1.draft-07.schema.json"))
        .expect("draft-07 file");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("certs/.tccert/tccert-v1.schema.json"))
            .expect("schema"),
        draft7
    );
    for yaml in ["profiles/example-org.yaml", "certificates/www.yaml"] {
        let text = std::fs::read_to_string(dir.path().join("certs").join(yaml)).expect("read");
        assert!(
            text.starts_with("# yaml-language-server: $schema=../.tccert/tccert-v1.schema.json\n"),
            "{yaml}"
        );
    }

    // As written, the certificate id is a placeholder: exactly one error,
    // saying what to put there; nothing can be sent.
    let invalid = in_dir(dir.path())
        .args(["validate", "certs", "--output", "json"])
        .run()
        .failure();
    let diagnostics = invalid.json()["diagnostics"].clone();
    let codes: Vec<&str> = diagnostics
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["placeholder-certificate-id"], "{diagnostics:#}");
    let text = in_dir(dir.path())
        .args(["validate", "certs"])
        .run()
        .failure();
    insta::assert_snapshot!("starter_placeholder", text.stderr());
    in_dir(dir.path())
        .args(["plan", "certs", "--emulator"])
        .run()
        .failure()
        .stderr_contains("error[placeholder-certificate-id]");

    // The .gitignore keeps the key `csr new` is shown writing.
    let gitignore =
        std::fs::read_to_string(dir.path().join("certs/.gitignore")).expect(".gitignore");
    assert!(gitignore.lines().any(|l| l == "*.key"), "{gitignore}");

    let certificate = dir.path().join("certs/certificates/www.yaml");
    let text = std::fs::read_to_string(&certificate).expect("read");
    assert!(text.contains("\ncertificate_id: REPLACE-ME\n"));
    std::fs::write(
        &certificate,
        text.replace("certificate_id: REPLACE-ME", "certificate_id: abcd1234"),
    )
    .expect("write");

    // The hidden schema is not read as a manifest: 2 files, not 3.
    in_dir(dir.path())
        .args(["validate", "certs"])
        .run()
        .success()
        .stdout_contains("valid: 1 certificate and 1 profile in 2 files");
    let plan = in_dir(dir.path())
        .args(["plan", "certs", "--emulator", "--output", "json"])
        .run()
        .success();
    let report = plan.json();
    assert_eq!(report["certificates"][0]["name"], "www");
    assert_eq!(report["certificates"][0]["result"], "planned");
    assert_eq!(report["summary"]["failed"], 0);
}

#[test]
fn init_twice_refuses_without_force() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    in_dir(dir.path()).args(["init", "."]).run().success();
    let profile = dir.path().join("profiles/example-org.yaml");
    std::fs::write(&profile, "# my edits\n").expect("write");

    let again = in_dir(dir.path()).args(["init", "."]).run().failure();
    // The .gitignore the first init wrote is kept, never in the way.
    for file in STARTER.iter().filter(|f| **f != ".gitignore") {
        assert!(
            again
                .stderr()
                .contains(&format!("error: ./{file} already exists\n")),
            "{file} not listed:\n{}",
            again.stderr()
        );
    }
    assert!(
        again
            .stderr()
            .contains("nothing was written (--force replaces these files)")
    );
    assert_eq!(
        std::fs::read_to_string(&profile).expect("read"),
        "# my edits\n"
    );

    in_dir(dir.path())
        .args(["init", ".", "--force"])
        .run()
        .success();
    assert!(
        std::fs::read_to_string(&profile)
            .expect("read")
            .contains("name: example-org")
    );
}

#[test]
fn init_refuses_even_when_only_one_file_is_in_the_way() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::create_dir(dir.path().join("certificates")).expect("mkdir");
    std::fs::write(dir.path().join("certificates/www.yaml"), "mine\n").expect("write");
    let run = in_dir(dir.path()).args(["init", "."]).run().failure();
    assert_eq!(
        run.stderr(),
        "error: ./certificates/www.yaml already exists\nerror: nothing was written (--force replaces these files)\n"
    );
    assert!(!dir.path().join("profiles").exists());
}

/// A `.gitignore` already there is the repository's: neither in the way nor
/// replaced (not even with `--force`), and init says what it should hold.
#[test]
fn init_keeps_an_existing_gitignore() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join(".gitignore"), "target/\n").expect("write");
    for args in [&["init", "."][..], &["init", ".", "--force"][..]] {
        let run = in_dir(dir.path())
            .args(args.iter().copied())
            .run()
            .success();
        assert!(
            run.stdout()
                .contains("kept ./.gitignore as it is; to keep private keys out of the repository it should ignore:\n  *.key\n"),
            "{}",
            run.stdout()
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".gitignore")).expect("read"),
            "target/\n"
        );
    }
}
