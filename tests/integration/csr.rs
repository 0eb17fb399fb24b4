//! `csr new` and `csr inspect`: keys and CSRs made here, and what a CSR holds.
//! The proof that a CSR made here is what a manifest needs: paste the lines
//! `csr new` prints into a certificate, and `validate` passes.

use std::path::Path;

use crate::support::cli::{Run, Test};
use crate::support::fixtures::PROFILE;

/// A directory that outlives single runs, for a sequence of commands.
fn workspace() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

fn in_dir(dir: &Path) -> Test {
    Test::from_dir(dir.to_path_buf())
}

/// The manifest lines `csr new` prints after its blank-line-separated intro.
fn snippet(run: &Run) -> String {
    let stdout = run.stdout();
    let (_, after) = stdout
        .split_once(
            "(`file` is read relative to the manifest; --manifest-dir DIR for another folder):\n\n",
        )
        .unwrap_or_else(|| panic!("no manifest snippet in\n{stdout}"));
    after.to_string()
}

/// A certificate document around the pasted lines.
fn certificate_with(snippet: &str) -> String {
    format!(
        "apiVersion: tccert/v1\nkind: Certificate\nname: www\ncertificate_id: abcb1234\nprofiles: [acme]\n{snippet}"
    )
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// The base64 lines of a PEM file, none of which may be printed.
fn pem_body_lines(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::to_string)
        .collect()
}

#[test]
fn csr_new_default_rsa_2048_validates_in_a_certificate_manifest() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("csr")).expect("mkdir");
    let run = in_dir(dir.path())
        .args([
            "-vvv",
            "csr",
            "new",
            "--domain",
            "www.acme.example",
            "--san",
            "acme.example",
            "--san",
            "WWW.acme.example",
            "--san",
            "api.acme.example",
            "--key-out",
            "www.key",
            "--csr-out",
            "csr/www.csr",
        ])
        .run()
        .success()
        .stdout_contains("wrote www.key: the private key (RSA 2048, PKCS#8 PEM")
        .stdout_contains("wrote csr/www.csr: the CSR, CN=www.acme.example")
        .stdout_contains("names (SAN): www.acme.example, acme.example, api.acme.example\n");
    assert_eq!(
        snippet(&run),
        "domain: www.acme.example\ndomains: [acme.example, api.acme.example]\ncsr:\n  type: parse\n  file: csr/www.csr\n"
    );

    let key = std::fs::read_to_string(dir.path().join("www.key")).expect("the key file");
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{key}");
    #[cfg(unix)]
    assert_eq!(mode(&dir.path().join("www.key")), 0o600);
    // The key is never printed, not even at -vvv.
    for line in pem_body_lines(&key) {
        assert!(!run.stdout().contains(&line) && !run.stderr().contains(&line));
    }

    // Pasted into a certificate next to the CSR's folder, the lines validate
    // with no warning: every `domains` entry is in the CSR.
    std::fs::write(dir.path().join("acme.yaml"), PROFILE).expect("write");
    std::fs::write(
        dir.path().join("www.yaml"),
        certificate_with(&snippet(&run)),
    )
    .expect("write");
    let validated = in_dir(dir.path())
        .args(["validate", "acme.yaml", "www.yaml"])
        .run()
        .success()
        .stdout_contains("valid: 1 certificate and 1 profile in 2 files");
    assert_eq!(validated.stderr(), "");

    in_dir(dir.path())
        .args(["csr", "inspect", "csr/www.csr"])
        .run()
        .success()
        .stdout_contains("subject:    CN=www.acme.example\n")
        .stdout_contains("names:      www.acme.example, acme.example, api.acme.example\n")
        .stdout_contains("key:        RSA 2048\n")
        .stdout_contains("signature:  sha256WithRSAEncryption, valid\n");
}

#[test]
fn csr_new_ecdsa_wildcard_and_rsa_4096() {
    let dir = workspace();
    let run = in_dir(dir.path())
        .args([
            "csr",
            "new",
            "--domain",
            "*.acme.example",
            "--key-type",
            "ecdsa-p256",
            "--key-out",
            "wild.key",
            "--csr-out",
            "wild.csr",
        ])
        .run()
        .success()
        .stdout_contains("(EC P-256, PKCS#8 PEM");
    // YAML would read an unquoted `*.acme.example` as an alias.
    assert!(
        snippet(&run).starts_with("domain: \"*.acme.example\"\ncsr:\n"),
        "{}",
        snippet(&run)
    );
    std::fs::write(dir.path().join("acme.yaml"), PROFILE).expect("write");
    std::fs::write(
        dir.path().join("wild.yaml"),
        certificate_with(&snippet(&run)),
    )
    .expect("write");
    in_dir(dir.path())
        .args(["validate", "acme.yaml", "wild.yaml"])
        .run()
        .success();
    let inspected = in_dir(dir.path())
        .args(["csr", "inspect", "wild.csr", "--output", "json"])
        .run()
        .success()
        .json();
    assert_eq!(
        inspected["key"],
        serde_json::json!({"type": "EC", "bits": 256, "curve": "P-256"})
    );
    assert_eq!(inspected["signature_algorithm"], "ecdsa-with-SHA256");
    assert_eq!(
        inspected["dns_names"],
        serde_json::json!(["*.acme.example"])
    );

    in_dir(dir.path())
        .args([
            "csr",
            "new",
            "--domain",
            "big.acme.example",
            "--key-type",
            "rsa-4096",
            "--key-out",
            "big.key",
            "--csr-out",
            "big.csr",
        ])
        .run()
        .success();
    let big = in_dir(dir.path())
        .args(["csr", "inspect", "big.csr", "-o", "json"])
        .run()
        .success()
        .json();
    assert_eq!(big["key"], serde_json::json!({"type": "RSA", "bits": 4096}));
    assert_eq!(big["signature"], "valid");
}

#[test]
fn csr_new_never_replaces_a_file_without_force() {
    let dir = workspace();
    std::fs::write(dir.path().join("www.key"), "the old key").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(
            dir.path().join("www.key"),
            std::fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");
    }
    let args = [
        "csr",
        "new",
        "--domain",
        "www.acme.example",
        "--key-type",
        "ecdsa-p256",
        "--key-out",
        "www.key",
        "--csr-out",
        "www.csr",
    ];
    in_dir(dir.path())
        .args(args)
        .run()
        .failure()
        .stderr_contains("error: www.key already exists; nothing was written (--force replaces)");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("www.key")).expect("read"),
        "the old key"
    );
    assert!(!dir.path().join("www.csr").exists());

    // --force replaces it, and the new key is 0600 whatever the old file was.
    in_dir(dir.path())
        .args(args)
        .args(["--force"])
        .run()
        .success();
    let key = std::fs::read_to_string(dir.path().join("www.key")).expect("read");
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"));
    #[cfg(unix)]
    assert_eq!(mode(&dir.path().join("www.key")), 0o600);
    assert!(dir.path().join("www.csr").exists());
}

#[test]
fn csr_new_refuses_bad_input_before_writing_anything() {
    let dir = workspace();
    let run = in_dir(dir.path())
        .args([
            "csr",
            "new",
            "--domain",
            "localhost",
            "--san",
            "ok.acme.example",
            "--san",
            "*.*.acme.example",
            "--key-out",
            "k.pem",
            "--csr-out",
            "c.pem",
        ])
        .run()
        .failure()
        .stderr_contains("error: --domain `localhost` needs at least two labels")
        .stderr_contains(
            "error: --san `*.*.acme.example` has a `*` that is not the whole first label",
        );
    assert!(!run.stderr().contains("ok.acme.example"));

    in_dir(dir.path())
        .args([
            "csr",
            "new",
            "--domain",
            "www.acme.example",
            "--key-out",
            "same.pem",
            "--csr-out",
            "./same.pem",
        ])
        .run()
        .failure()
        .stderr_contains("error: --key-out and --csr-out name the same file");
    // Spelled through `..`, with --force: still refused, nothing written.
    std::fs::create_dir_all(dir.path().join("sub")).expect("a folder");
    in_dir(dir.path())
        .args([
            "csr",
            "new",
            "--domain",
            "www.acme.example",
            "--key-type",
            "ecdsa-p256",
            "--key-out",
            "sub/../twice.pem",
            "--csr-out",
            "twice.pem",
            "--force",
        ])
        .run()
        .failure()
        .stderr_contains("error: --key-out and --csr-out name the same file");
    assert!(!dir.path().join("twice.pem").exists());
    std::fs::remove_dir(dir.path().join("sub")).expect("an empty folder");

    // The CSR's folder is missing: the key written first is removed again.
    in_dir(dir.path())
        .args([
            "csr",
            "new",
            "--domain",
            "www.acme.example",
            "--key-type",
            "ecdsa-p256",
            "--key-out",
            "www.key",
            "--csr-out",
            "missing/www.csr",
        ])
        .run()
        .failure()
        .stderr_contains("error: cannot write missing/www.csr: ")
        .stderr_contains("; nothing was written");
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    Test::new()
        .args(["csr", "new", "--domain", "www.acme.example"])
        .run()
        .failure()
        .stderr_contains("--key-out <FILE>");
}

#[test]
fn csr_inspect_shows_what_a_csr_holds() {
    let run = Test::new()
        .file("www.csr", include_str!("../fixtures/www.csr"))
        .args(["csr", "inspect", "www.csr"])
        .run()
        .success();
    assert_eq!(
        run.stdout(),
        "file:       www.csr\n\
         subject:    C=CN, O=Acme Ltd, CN=www.acme.example\n\
         names:      www.acme.example, acme.example\n\
         key:        EC P-256\n\
         signature:  ecdsa-with-SHA256, valid\n"
    );
    let json = Test::new()
        .file("www.csr", include_str!("../fixtures/www.csr"))
        .args(["csr", "inspect", "www.csr", "-o", "json"])
        .run()
        .success()
        .json();
    assert_eq!(json["file"], "www.csr");
    assert_eq!(json["common_name"], "www.acme.example");
    assert_eq!(json["signature"], "valid");
}

#[test]
fn csr_inspect_says_why_it_fails() {
    // An altered CSR: the facts are shown, and the verdict is exit 1.
    let tampered = Test::new()
        .file("tampered.csr", include_str!("../fixtures/tampered.csr"))
        .args(["csr", "inspect", "tampered.csr"])
        .run()
        .failure()
        .stdout_contains("signature:  ecdsa-with-SHA256, invalid")
        .stderr_contains(
            "error: tampered.csr: the signature does not verify: the CSR was altered after it was signed, or is corrupt",
        );
    assert_eq!(
        tampered.stderr().lines().count(),
        1,
        "{}",
        tampered.stderr()
    );
    let json = Test::new()
        .file("tampered.csr", include_str!("../fixtures/tampered.csr"))
        .args(["csr", "inspect", "tampered.csr", "-o", "json"])
        .run()
        .failure()
        .json();
    assert_eq!(json["signature"], "invalid");

    Test::new()
        .args(["csr", "inspect", "nowhere.csr"])
        .run()
        .failure()
        .stderr_contains("error: cannot read nowhere.csr: ");
    Test::new()
        .file("www.yaml", "apiVersion: tccert/v1\n")
        .args(["csr", "inspect", "www.yaml"])
        .run()
        .failure()
        .stderr_contains("error: www.yaml is not PEM text");
    Test::new()
        .file(
            "www.key",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .args(["csr", "inspect", "www.key"])
        .run()
        .failure()
        .stderr_contains(
            "error: www.key is a `PRIVATE KEY` PEM block, not a `CERTIFICATE REQUEST`",
        );
    let binary = Test::new().file("www.der", "");
    std::fs::write(binary.path().join("www.der"), [0x30, 0x82, 0xff, 0xfe]).expect("write");
    binary
        .args(["csr", "inspect", "www.der"])
        .run()
        .failure()
        .stderr_contains("error: www.der is not a PEM CSR: it is binary");
}

/// A disk that fills up while `csr new` writes (here a file-size limit of
/// 1 KiB, under which the 2048-bit key's PEM cannot be written: the write
/// fails with EFBIG as on a full disk) leaves no file behind, so the next
/// try, with room, succeeds.
#[test]
fn a_full_disk_leaves_no_empty_key_file_behind() {
    let dir = workspace();
    let args = "csr new --domain www.acme.example --key-out www.key --csr-out www.csr";
    let full = std::process::Command::new("bash")
        .arg("-c")
        // SIGXFSZ ignored (inherited through exec), so the write fails
        // instead of killing the process.
        .arg(format!("trap '' XFSZ; ulimit -f 1; exec \"$0\" {args}"))
        .arg(env!("CARGO_BIN_EXE_tccert"))
        .current_dir(dir.path())
        .output()
        .expect("bash");
    let stderr = String::from_utf8_lossy(&full.stderr);
    assert_eq!(full.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    for name in ["www.key", "www.csr"] {
        assert!(!dir.path().join(name).exists(), "{name} was left behind");
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    in_dir(dir.path()).args(args.split(' ')).run().success();
    assert!(dir.path().join("www.key").exists());
}
