//! `tccert init DIR`: the starter tree validates and plans as written, and a
//! second init refuses to replace it.

use std::path::Path;

use crate::support::cli::{Test, repo};

const STARTER: [&str; 4] = [
    "profiles/example-org.yaml",
    "certificates/www.yaml",
    "README.md",
    ".tccert/tccert-v1.schema.json",
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
    for file in STARTER {
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
