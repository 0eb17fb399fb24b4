//! `purchase:` and `confirm_letter:` through the binary: what `validate`
//! and `render` make of them in YAML and TOML, and the letter's file rules
//! (the roots and `--allow-path`, stdin `-`, special files, a huge file read
//! no further than the largest letter). The diagnostics themselves are
//! snapshotted in `diagnostics`; hostile trees are in `pull_request`.

use crate::support::cli::Test;
use crate::support::fixtures::PROFILE;

/// A certificate on `acme` without an id; `extra` is appended.
fn to_buy(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: tccert/v1\nkind: Certificate\nname: {name}\nprofiles: [acme]\ndomain: {name}.acme.example\ncsr:\n  type: online\n{extra}"
    )
}

/// A PDF by its first bytes, `size` bytes long.
fn pdf(size: usize) -> String {
    let mut text = String::from("%PDF-1.7\n");
    text.push_str(&"x".repeat(size - text.len()));
    text
}

const SHOP_TOML: &str = "apiVersion = \"tccert/v1\"\nkind = \"Certificate\"\nname = \"shop\"\nprofiles = [\"acme\"]\ndomain = \"shop.acme.example\"\ndomains = [\"www.shop.acme.example\"]\nconfirm_letter = \"letters/shop.pdf\"\n\n[csr]\ntype = \"online\"\n\n[purchase]\nproduct = 15\nyears = 2\n\n[purchase.tags]\nteam = \"web\"\nowner = \"${OWNER}\"\n";

#[test]
fn render_shows_what_a_purchase_sends_in_yaml_and_toml() {
    let yaml = to_buy(
        "shop",
        "domains: [www.shop.acme.example]\nconfirm_letter: letters/shop.pdf\npurchase:\n  product: 15\n  years: 2\n  tags:\n    team: web\n    owner: ${OWNER}\n",
    );
    let mut texts = Vec::new();
    for (name, manifest) in [("shop.yaml", yaml.as_str()), ("shop.toml", SHOP_TOML)] {
        let run = Test::new()
            .file("acme.yaml", PROFILE)
            .file(name, manifest)
            .file("letters/shop.pdf", &pdf(4096))
            .env("OWNER", "owner-from-the-environment")
            .args(["render", "."])
            .run()
            .success()
            .output_lacks("owner-from-the-environment")
            .output_lacks("JVBER");
        let text = run.stdout();
        assert!(
            text.contains("certificate `shop` (CertificateId (assigned when bought))"),
            "{text}"
        );
        assert!(
            text.contains("  purchase   product 15 (TrustAsia OV), 2 years, 2 names, vouchers not used; set by certificate `shop` at "),
            "{text}"
        );
        assert!(
            text.contains("  letter     letters/shop.pdf (PDF, 4096 bytes) at "),
            "{text}"
        );
        assert!(text.contains("\n  request CreateCertificate:\n"), "{text}");
        assert!(
            text.contains("\n  request UploadConfirmLetter:\n"),
            "{text}"
        );
        // The body parts that do not depend on the file's format.
        let from = text.find("request CreateCertificate:").unwrap_or(0);
        let to = text
            .find("request SubmitCertificateInformation:")
            .unwrap_or(text.len());
        texts.push(text[from..to].to_string());

        let run = Test::new()
            .file("acme.yaml", PROFILE)
            .file(name, manifest)
            .file("letters/shop.pdf", &pdf(4096))
            .env("OWNER", "owner-from-the-environment")
            .args(["render", ".", "--output", "json"])
            .run()
            .success()
            .output_lacks("owner-from-the-environment");
        let json = run.json();
        let shop = &json["certificates"][0];
        assert_eq!(shop["purchase"]["product"], 15);
        assert_eq!(shop["purchase"]["domain_count"], 2);
        assert_eq!(shop["confirm_letter"]["bytes"], 4096);
        let create = &shop["requests"][0];
        assert_eq!(create["action"], "CreateCertificate");
        assert_eq!(create["body"]["Tags"][0]["TagKey"], "tccert:certificate");
        assert_eq!(create["body"]["Tags"][0]["TagValue"], "shop");
        assert_eq!(create["body"]["Tags"][1]["TagValue"], "web");
        assert_ne!(
            create["body"]["Tags"][2]["TagValue"],
            "owner-from-the-environment"
        );
    }
    assert_eq!(texts[0], texts[1], "YAML and TOML send the same purchase");
    insta::assert_snapshot!("render_purchase", texts[0]);
}

#[test]
fn a_letter_outside_the_tree_needs_allow_path_and_stdin_resolves_from_here() {
    let outside = tempfile::tempdir().expect("a directory");
    std::fs::write(outside.path().join("shop.pdf"), pdf(2048)).expect("write");
    let letter = outside.path().join("shop.pdf");
    let manifest = to_buy(
        "shop",
        &format!(
            "purchase: {{product: 9}}\nconfirm_letter: {}\n",
            letter.display()
        ),
    );
    let tree = || {
        Test::new()
            .file("acme.yaml", PROFILE)
            .file("shop.yaml", &manifest)
    };
    tree()
        .args(["validate", "."])
        .run()
        .failure()
        .stderr_contains("error[path-outside-tree]: `confirm_letter` `")
        .stderr_contains("` is outside the directories this run may read");
    let allowed = outside.path().display().to_string();
    tree()
        .args(["validate", ".", "--allow-path", allowed.as_str()])
        .run()
        .success();
    // A missing letter outside is told the same way as one that exists.
    let missing = to_buy(
        "shop",
        &format!(
            "purchase: {{product: 9}}\nconfirm_letter: {}\n",
            outside.path().join("none.pdf").display()
        ),
    );
    let said = |manifest: &str| {
        Test::new()
            .file("acme.yaml", PROFILE)
            .file("shop.yaml", manifest)
            .args(["validate", "."])
            .run()
            .failure()
            .stderr()
            .replace("none.pdf", "shop.pdf")
    };
    assert_eq!(said(&missing), said(&manifest));

    // From stdin `-`, the path is relative to the current directory.
    Test::new()
        .file("acme.yaml", PROFILE)
        .file("letters/shop.pdf", &pdf(2048))
        .stdin(&to_buy(
            "shop",
            "purchase: {product: 9}\nconfirm_letter: letters/shop.pdf\n",
        ))
        .args(["validate", "acme.yaml", "-"])
        .run()
        .success();
}

#[test]
fn special_and_huge_letters_are_errors_never_a_hang_or_a_whole_read() {
    let fifo = Test::new().file("acme.yaml", PROFILE).file(
        "shop.yaml",
        &to_buy("shop", "purchase: {product: 9}\nconfirm_letter: pipe.pdf\n"),
    );
    let made = std::process::Command::new("mkfifo")
        .arg(fifo.path().join("pipe.pdf"))
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    fifo.args(["validate", "."])
        .run_measured()
        .bounded()
        .failure()
        .stderr_contains(
            "error[confirm-letter-file]: `confirm_letter` `pipe.pdf`: not a regular file",
        );

    Test::new()
        .file("acme.yaml", PROFILE)
        .file(
            "shop.yaml",
            &to_buy(
                "shop",
                "purchase: {product: 9}\nconfirm_letter: /dev/zero\n",
            ),
        )
        .args(["validate", ".", "--allow-path", "/dev"])
        .run_measured()
        .bounded()
        .failure()
        .stderr_contains(
            "error[confirm-letter-file]: `confirm_letter` `/dev/zero`: not a regular file",
        );

    // 64 MiB: read up to the largest letter and one byte more.
    let huge = Test::new().file("acme.yaml", PROFILE).file(
        "shop.yaml",
        &to_buy("shop", "purchase: {product: 9}\nconfirm_letter: huge.pdf\n"),
    );
    {
        use std::io::Write as _;
        let mut file = std::fs::File::create(huge.path().join("huge.pdf")).expect("create");
        file.write_all(b"%PDF-1.7\n").expect("write");
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..64 {
            file.write_all(&chunk).expect("write");
        }
    }
    huge.args(["validate", "."])
        .run_measured()
        .within(40, 10)
        .failure()
        .stderr_contains("error[invalid-confirm-letter]: `confirm_letter` `huge.pdf`: a confirmation letter must be at most 1468006 bytes (1.4 MB); this file is larger");
}

/// A letter counts against the run's input budget like a CSR file.
#[test]
fn letters_count_against_the_input_budget() {
    let tree = || {
        Test::new()
            .file("acme.yaml", PROFILE)
            .file(
                "shop.yaml",
                &to_buy("shop", "purchase: {product: 9}\nconfirm_letter: shop.pdf\n"),
            )
            .file("shop.pdf", &pdf(64 * 1024))
    };
    tree()
        .args(["validate", ".", "--max-input-bytes", "32KiB"])
        .run()
        .failure()
        .stderr_contains("error[input-budget]")
        .stderr_contains("stopped before ./shop.pdf");
    tree()
        .args(["validate", ".", "--max-input-bytes", "128KiB"])
        .run()
        .success();
    tree()
        .args(["validate", ".", "--max-files", "2"])
        .run()
        .failure()
        .stderr_contains("error[input-budget]: more than 2 files");
}
