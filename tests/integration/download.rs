//! `tccert download` against the emulator over loopback HTTP: a real chain
//! (the leaf the emulator's CA signed names the domain), files 0600 and
//! folders 0700, a second download with the same content (`in_sync`), a
//! folder with other content refused without `--force` and replaced with
//! it, a certificate not issued `skipped`; and against a hostile server,
//! archives with a `..` path, a link or 65 MiB unpacked refused with
//! nothing written.

use std::net::Ipv4Addr;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value as Json, json};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use crate::support::cli::{Run, Test};
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY, apply, manifests};
use crate::transport::{Answer, Hostile, http_json};

fn download(dir: &Path, url: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "download",
        ".",
        "--out",
        "certs",
        "--endpoint",
        url,
        "--output",
        "json",
    ];
    args.extend_from_slice(extra);
    Test::from_dir(dir.to_path_buf())
        .args(args)
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Every file and folder under `root`, relative, sorted.
fn tree(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a folder") {
            let path = entry.expect("an entry").path();
            let relative = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                stack.push(path);
                out.push(format!("{relative}/"));
            } else {
                out.push(relative);
            }
        }
    }
    out.sort();
    out
}

/// The first two PEM certificates of a chain, DER.
fn chain_ders(pem: &str) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    pem.split("-----BEGIN CERTIFICATE-----")
        .skip(1)
        .filter_map(|block| block.split("-----END CERTIFICATE-----").next())
        .map(|b64| {
            let text: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .expect("base64")
        })
        .collect()
}

#[test]
fn download_unpacks_a_real_chain_privately_and_again_only_when_asked() {
    // c0 committed (issued at once by the emulator), c1 left at 5.
    let (test, seed) = manifests(2, &[0]);
    let emulator = Emulator::start(&seed, &[], |config| {
        config.issue_after = Some(Duration::ZERO);
    });
    let applied = apply(test, &emulator, &[]).success();
    let dir = applied._dir.path().to_path_buf();
    let url = emulator.url();

    // At -vvv: the key must still be in its file only.
    let run = download(&dir, &url, &["-vvv"]).success();
    assert!(run.stderr().contains("DEBUG"), "-vvv logs something");
    let report = run.json();
    let c0 = &report["certificates"][0];
    assert_eq!(c0["result"], "downloaded", "{report}");
    assert_eq!(c0["path"], "certs/c0");
    let c1 = &report["certificates"][1];
    assert_eq!(c1["result"], "skipped");
    assert_eq!(c1["status"], 5);
    assert_eq!(c1["note"], "not issued: pending information (5)");
    assert_eq!(
        report["summary"],
        json!({"downloaded": 1, "in_sync": 0, "skipped": 1, "failed": 0})
    );
    let out = dir.join("certs");
    let folder = "c0.acme.example_nginx";
    assert_eq!(
        tree(&out),
        [
            "c0/".to_owned(),
            format!("c0/{folder}/"),
            format!("c0/{folder}/c0.acme.example.key"),
            format!("c0/{folder}/c0.acme.example_bundle.crt"),
            format!("c0/{folder}/c0.acme.example_bundle.pem"),
        ]
    );
    assert_eq!(c0["files"].as_array().map(Vec::len), Some(3));
    #[cfg(unix)]
    {
        for folder_path in [out.clone(), out.join("c0"), out.join("c0").join(folder)] {
            assert_eq!(mode(&folder_path), 0o700, "{}", folder_path.display());
        }
        for file in tree(&out).iter().filter(|p| !p.ends_with('/')) {
            assert_eq!(mode(&out.join(file)), 0o600, "{file}");
        }
    }
    // The private key is in its file, and nowhere in what was printed.
    let key = std::fs::read_to_string(out.join(format!("c0/{folder}/c0.acme.example.key")))
        .expect("the key");
    assert!(key.contains("PRIVATE KEY"), "{key}");
    let key_body = key.lines().nth(1).unwrap_or_default().to_owned();
    assert!(key_body.len() > 40, "{key_body}");
    run.output_lacks(&key_body);

    // A real chain: the leaf names the domain and is signed by the CA after it.
    let chain =
        std::fs::read_to_string(out.join(format!("c0/{folder}/c0.acme.example_bundle.crt")))
            .expect("the chain");
    let ders = chain_ders(&chain);
    assert_eq!(ders.len(), 2, "leaf and CA");
    let (_, leaf) = X509Certificate::from_der(&ders[0]).expect("the leaf parses");
    let (_, ca) = X509Certificate::from_der(&ders[1]).expect("the CA parses");
    let cn: Vec<&str> = leaf
        .subject()
        .iter_common_name()
        .filter_map(|cn| cn.as_str().ok())
        .collect();
    assert_eq!(cn, ["c0.acme.example"]);
    let sans: Vec<String> = leaf
        .subject_alternative_name()
        .expect("a SAN extension")
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    GeneralName::DNSName(d) => Some((*d).to_owned()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(sans.iter().any(|s| s == "c0.acme.example"), "{sans:?}");
    assert_eq!(leaf.issuer(), ca.subject());
    leaf.verify_signature(Some(ca.public_key()))
        .expect("the emulator's CA signed the leaf");

    // Again: the same content, nothing written.
    let again = download(&dir, &url, &[]).success();
    assert_eq!(again.json()["certificates"][0]["result"], "in_sync");
    assert_eq!(
        emulator.certificate("id000000").lifecycle_received["DownloadCertificate"],
        2
    );

    // Other content in the folder: left alone, failed, exit 1.
    let crt = out.join(format!("c0/{folder}/c0.acme.example_bundle.crt"));
    std::fs::write(&crt, "edited").expect("edit");
    let refused = download(&dir, &url, &[]).failure();
    let c0 = &refused.json()["certificates"][0];
    assert_eq!(c0["result"], "failed");
    assert_eq!(c0["error"]["code"], "tccert.FolderExists");
    assert!(
        c0["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("--force")),
        "{c0}"
    );
    assert_eq!(std::fs::read_to_string(&crt).expect("read"), "edited");
    // --force replaces it whole.
    let forced = download(&dir, &url, &["--force"]).success();
    assert_eq!(forced.json()["certificates"][0]["result"], "downloaded");
    assert_eq!(std::fs::read_to_string(&crt).expect("read"), chain);
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["c0"], "no temporary or old folder left");

    // Text: one line per certificate, no content.
    let text = Test::from_dir(dir.clone())
        .args(["download", ".", "--out", "certs", "--endpoint", &url])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .success();
    insta::assert_snapshot!("download_text", text.stdout());
}

/// A minimal ZIP writer for hostile archives: each entry with its method
/// (0 stored, 8 deflate), its Unix mode and its declared sizes true.
fn zip(entries: &[(&str, u32, &[u8], bool)]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffff_u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for &(name, unix_mode, data, deflate) in entries {
        let offset = u32::try_from(out.len()).expect("small");
        let packed = if deflate {
            miniz_oxide::deflate::compress_to_vec(data, 6)
        } else {
            data.to_vec()
        };
        let method: u16 = if deflate { 8 } else { 0 };
        let crc = crc32(data);
        let (size, packed_size) = (
            u32::try_from(data.len()).expect("u32"),
            u32::try_from(packed.len()).expect("u32"),
        );
        let name_len = u16::try_from(name.len()).expect("short");
        let mut local = Vec::new();
        local.extend_from_slice(&0x0403_4b50_u32.to_le_bytes());
        for v in [20_u16, 0x0800, method, 0, 0x21] {
            local.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, packed_size, size] {
            local.extend_from_slice(&v.to_le_bytes());
        }
        local.extend_from_slice(&name_len.to_le_bytes());
        local.extend_from_slice(&0_u16.to_le_bytes());
        local.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&local);
        out.extend_from_slice(&packed);
        central.extend_from_slice(&0x0201_4b50_u32.to_le_bytes());
        for v in [0x0314_u16, 20, 0x0800, method, 0, 0x21] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, packed_size, size] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        for v in [name_len, 0, 0, 0, 0] {
            central.extend_from_slice(&v.to_le_bytes());
        }
        central.extend_from_slice(&(unix_mode << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = u32::try_from(out.len()).expect("small");
    let count = u16::try_from(entries.len()).expect("few");
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50_u32.to_le_bytes());
    for v in [0_u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&u32::try_from(central.len()).expect("small").to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0_u16.to_le_bytes());
    out
}

#[test]
fn hostile_archives_are_refused_with_nothing_written() {
    use base64::Engine as _;
    const FILE: u32 = 0o100_600;
    let zeros = vec![0_u8; 65 * 1024 * 1024];
    let archives: Vec<(&str, Vec<u8>)> = vec![
        (
            "traversal",
            zip(&[
                ("ok/a.crt", FILE, b"x", false),
                ("../evil.txt", FILE, b"evil", false),
            ]),
        ),
        (
            "link",
            zip(&[
                ("ok/a.crt", FILE, b"x", false),
                ("ok/key", 0o120_777, b"/etc/passwd", false),
            ]),
        ),
        ("bomb", zip(&[("ok/zeros", FILE, &zeros, true)])),
        (
            "absolute",
            zip(&[("/tmp/tccert-evil", FILE, b"evil", false)]),
        ),
    ];
    drop(zeros);
    let contents: std::collections::HashMap<String, String> = archives
        .iter()
        .map(|(id, bytes)| {
            (
                (*id).to_owned(),
                base64::engine::general_purpose::STANDARD.encode(bytes),
            )
        })
        .collect();
    let ids: Vec<String> = archives.iter().map(|(id, _)| (*id).to_owned()).collect();
    let listed = ids.clone();
    let server = Hostile::start(Ipv4Addr::LOCALHOST, move |request| {
        let body: Json = serde_json::from_str(&request.body).unwrap_or(Json::Null);
        let reply = match request.action.as_str() {
            "DescribeCertificates" => json!({
                "TotalCount": listed.len(),
                "Certificates": listed
                    .iter()
                    .map(|id| json!({"CertificateId": id, "Status": 1}))
                    .collect::<Vec<_>>(),
                "RequestId": "req-list",
            }),
            "DownloadCertificate" => {
                let id = body["CertificateId"].as_str().unwrap_or_default();
                json!({
                    "Content": contents.get(id).cloned().unwrap_or_default(),
                    "ContentType": "application/zip",
                    "RequestId": format!("req-{id}"),
                })
            }
            _ => json!({"Error": {"Code": "InvalidAction", "Message": "no"}, "RequestId": "req-x"}),
        };
        Answer::Raw(http_json(200, &json!({ "Response": reply })))
    });
    let mut test = Test::new().file("profiles/acme.yaml", crate::support::fixtures::PROFILE);
    for id in &ids {
        test = test.file(
            &format!("certificates/{id}.yaml"),
            &crate::support::fixtures::CERTIFICATE
                .replace("name: www", &format!("name: {id}"))
                .replace("abcb1234", id),
        );
    }
    let dir = test.path().to_path_buf();
    let run = download(&dir, &server.url(), &[]).failure();
    let report = run.json();
    for id in &ids {
        let result = report["certificates"]
            .as_array()
            .and_then(|all| all.iter().find(|c| c["name"] == id.as_str()))
            .unwrap_or_else(|| panic!("{id} reported: {report}"));
        assert_eq!(result["result"], "failed", "{result}");
        assert_eq!(result["error"]["code"], "tccert.UnsafeArchive", "{result}");
        assert!(
            result["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("nothing written")),
            "{result}"
        );
    }
    assert_eq!(server.count("DownloadCertificate"), ids.len());
    assert!(!dir.join("certs").exists(), "nothing written, not even DIR");
    assert!(!dir.join("evil.txt").exists());
    assert!(!Path::new("/tmp/tccert-evil").exists());
    let text = Test::from_dir(dir.clone())
        .args([
            "download",
            ".",
            "--out",
            "certs",
            "--endpoint",
            &server.url(),
        ])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .failure();
    insta::assert_snapshot!("download_hostile_text", text.stdout());
}

/// The newcomer's path of docs/cli.md, on a copy of examples/: `apply
/// --emulator --emulator-issue-after 2`, then `status --wait --emulator`
/// (no flag: the tree's kept state remembers the delay), then `download
/// --out certs --emulator`, each its own process sharing the tree's state.
#[test]
fn the_newcomer_path_buys_nothing_and_downloads_from_the_emulator() {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("a folder");
        for entry in std::fs::read_dir(from).expect("examples/") {
            let path = entry.expect("an entry").path();
            let target = to.join(path.file_name().expect("a name"));
            if path.is_dir() {
                copy(&path, &target);
            } else {
                std::fs::copy(&path, &target).expect("copy");
            }
        }
    }
    let job = tempfile::tempdir().expect("a job directory");
    copy(
        &crate::support::cli::repo().join("examples"),
        &job.path().join("examples"),
    );
    let state = job.path().join(".state");
    let state = state.to_string_lossy().into_owned();
    let step = |args: &[&str]| {
        Test::from_dir(job.path().to_path_buf())
            .args(args.iter().copied())
            .env("XDG_STATE_HOME", &state)
            .run()
    };
    step(&[
        "apply",
        "examples/",
        "--emulator",
        "--emulator-issue-after",
        "2",
    ])
    .success()
    .stdout_contains("2 committed");
    let waited = step(&[
        "status",
        "examples/",
        "--wait",
        "--emulator",
        "--interval",
        "1",
        "--output",
        "json",
    ])
    .failure();
    let issued: Vec<String> = waited.json()["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|c| c["status"] == 1)
        .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(issued, ["hk-www", "www"], "{}", waited.stdout());
    let run = step(&[
        "download",
        "examples/",
        "--out",
        "certs",
        "--emulator",
        "--output",
        "json",
    ])
    .success();
    let report = run.json();
    assert_eq!(
        report["summary"],
        json!({"downloaded": 2, "in_sync": 0, "skipped": 6, "failed": 0}),
        "{report}"
    );
    let chain = job
        .path()
        .join("certs/www/www.acme.example_nginx/www.acme.example_bundle.crt");
    assert!(
        std::fs::read_to_string(&chain)
            .expect("the chain")
            .starts_with("-----BEGIN CERTIFICATE-----"),
        "{}",
        chain.display()
    );
    // Again, as another process: the kept state answers the same chain.
    let again = step(&[
        "download",
        "examples/",
        "--out",
        "certs",
        "--emulator",
        "--output",
        "json",
    ])
    .success();
    assert_eq!(again.json()["summary"]["in_sync"], 2);
}

#[test]
fn emulator_issue_after_needs_the_emulator_and_a_number_in_range() {
    for command in ["plan", "apply", "status", "download"] {
        let mut args = vec![command, ".", "--emulator-issue-after", "2"];
        if command == "download" {
            args.extend(["--out", "certs"]);
        }
        Test::new()
            .args(args)
            .run()
            .failure()
            .stderr_contains("--emulator");
    }
    Test::new()
        .args(["status", ".", "--emulator", "--emulator-issue-after", "1e9"])
        .run()
        .failure()
        .stderr_contains("--emulator-issue-after takes from 0 to 2592000 seconds");
    // download needs --out.
    Test::new()
        .args(["download", ".", "--emulator"])
        .run()
        .failure()
        .stderr_contains("--out");
}

/// A certificate with `purchase:` and no id: `status` and `download` find
/// it by its tag (`tccert:certificate` = its name) and read it as that id;
/// one no certificate carries the tag of yet is `skipped`, "not bought yet",
/// and neither fails the run.
#[test]
fn a_bought_certificate_is_found_by_its_tag_and_one_not_bought_is_skipped() {
    let bought = |name: &str| {
        format!(
            "apiVersion: tccert/v1\nkind: Certificate\nname: {name}\nprofiles: [acme]\n\
             domain: {name}.acme.example\ndv: true\npurchase:\n  product: 104\ncsr:\n  type: online\n"
        )
    };
    let test = Test::new()
        .file("profiles/acme.yaml", crate::support::fixtures::PROFILE)
        .file("certificates/shop.yaml", &bought("shop"))
        .file("certificates/blog.yaml", &bought("blog"));
    let dir = test.path().to_path_buf();
    let emulator = Emulator::start(&[], &[], |_| {});
    emulator
        .running()
        .add_certificate(tccert::emulator::SeedCertificate {
            certificate_id: "bought01".into(),
            domain: "shop.acme.example".into(),
            owner: None,
        });
    assert!(emulator.running().edit_certificate("bought01", |cert| {
        cert.status = 1;
        cert.purchase = Some(
            serde_json::from_value(json!({
                "ProductId": 104, "DomainNum": 1, "TimeSpan": 1, "AutoVoucher": 0,
                "Tags": [{"TagKey": "tccert:certificate", "TagValue": "shop"}],
                "DealId": "deal-1",
            }))
            .expect("a purchase"),
        );
    }));
    let url = emulator.url();
    let status = Test::from_dir(dir.clone())
        .args([
            "status",
            ".",
            "--endpoint",
            url.as_str(),
            "--output",
            "json",
        ])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .success();
    let report = status.json();
    let by_name = |name: &str| {
        report["certificates"]
            .as_array()
            .and_then(|all| all.iter().find(|c| c["name"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("{name} reported: {report}"))
    };
    let shop = by_name("shop");
    assert_eq!(shop["certificate_id"], "bought01", "{shop}");
    assert_eq!(shop["status"], 1);
    let blog = by_name("blog");
    assert_eq!(blog["status"], Json::Null);
    assert!(
        blog["skipped"]
            .as_str()
            .is_some_and(|s| s.starts_with("not bought yet")),
        "{blog}"
    );
    assert!(blog.get("error").is_none(), "{blog}");

    let run = download(&dir, &url, &[]).success();
    let report = run.json();
    let results: Vec<(String, String, String)> = report["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["certificate_id"].as_str().unwrap_or_default().to_owned(),
                c["result"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        results.contains(&("shop".into(), "bought01".into(), "downloaded".into())),
        "{report}"
    );
    let blog = report["certificates"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == "blog"))
        .cloned()
        .expect("blog reported");
    assert_eq!(blog["result"], "skipped", "{blog}");
    assert!(
        blog["note"]
            .as_str()
            .is_some_and(|n| n.contains("no certificate carries the tag tccert:certificate=blog")),
        "{blog}"
    );
    assert!(
        dir.join("certs/shop/shop.acme.example_nginx/shop.acme.example_bundle.crt")
            .is_file()
    );
    assert!(!dir.join("certs/blog").exists());
}

/// A server that does not filter or page a tag list honestly: it answers
/// the tag of `other` with a certificate that does not carry it, the same
/// page for ever for `again`, and pages of expired certificates without
/// end for `gone`. None of them is taken for the certificate: `download`
/// writes nothing and sends no `DownloadCertificate`, and `plan` never
/// says "to be bought" on a list it could not read whole.
#[test]
fn a_tag_list_that_lies_is_not_trusted() {
    let server = Hostile::start(Ipv4Addr::LOCALHOST, |request| {
        let body: Json = serde_json::from_str(&request.body).unwrap_or(Json::Null);
        let name = body["Tags"][0]["TagValue"].as_str().unwrap_or_default();
        let offset = body["Offset"].as_u64().unwrap_or_default();
        let ours = json!([{"TagKey": "tccert:certificate", "TagValue": name}]);
        let reply = match (request.action.as_str(), name) {
            ("DescribeCertificates", "other") => json!({
                "TotalCount": 1,
                "Certificates": [{"CertificateId": "victim9", "Status": 1,
                                  "Tags": [{"TagKey": "team", "TagValue": "web"}]}],
            }),
            ("DescribeCertificates", "again") => json!({
                "TotalCount": 100_000,
                "Certificates": [{"CertificateId": "same1", "Status": 1, "Tags": ours}],
            }),
            ("DescribeCertificates", _) => json!({
                "TotalCount": 100_000,
                "Certificates": (0..100)
                    .map(|i| json!({"CertificateId": format!("gone{}", offset + i), "Status": 3, "Tags": ours}))
                    .collect::<Vec<_>>(),
            }),
            _ => json!({"Error": {"Code": "InvalidAction", "Message": "no"}}),
        };
        let mut reply = reply;
        reply["RequestId"] = json!("req-tag");
        Answer::Raw(http_json(200, &json!({ "Response": reply })))
    });
    let mut test = Test::new().file("profiles/acme.yaml", crate::support::fixtures::PROFILE);
    for name in ["other", "again", "gone"] {
        test = test.file(
            &format!("certificates/{name}.yaml"),
            &format!(
                "apiVersion: tccert/v1\nkind: Certificate\nname: {name}\nprofiles: [acme]\n\
                 domain: {name}.acme.example\ndv: true\npurchase:\n  product: 104\ncsr:\n  type: online\n"
            ),
        );
    }
    let dir = test.path().to_path_buf();
    let report = download(&dir, &server.url(), &[]).failure().json();
    for name in ["other", "again", "gone"] {
        let result = report["certificates"]
            .as_array()
            .and_then(|all| all.iter().find(|c| c["name"] == name))
            .unwrap_or_else(|| panic!("{name} reported: {report}"));
        assert_eq!(result["result"], "failed", "{result}");
        assert_eq!(
            result["error"]["code"], "ClientError.BadResponse",
            "{result}"
        );
    }
    assert_eq!(server.count("DownloadCertificate"), 0);
    assert!(!dir.join("certs").exists());

    let plan = Test::from_dir(dir.clone())
        .args(["plan", ".", "--endpoint", &server.url(), "--output", "json"])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .run()
        .failure();
    let report = plan.json();
    for certificate in report["certificates"].as_array().expect("a list") {
        assert_eq!(certificate["result"], "failed", "{certificate}");
    }
    assert!(!plan.stdout().contains("to be bought"), "{}", plan.stdout());
}
