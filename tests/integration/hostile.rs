//! Hostile and unusual files: each gives a clear error (or works, for a BOM
//! and CRLF line ends) within bounded memory and time.
//!
//! Every test runs the real binary under `/usr/bin/time` ([`Test::run_measured`])
//! and asserts the sanity bounds of [`Measured::bounded`] (peak RSS under
//! 200 MiB, under 10 s, debug build) or tighter ones where the point is that
//! a file is *not* read whole. docs/limits.md lists the limits these prove.

use std::path::Path;

use crate::support::cli::{Run, Test};
use crate::support::fixtures::{CERTIFICATE, PROFILE};

/// `validate` on `paths`, measured and held to the default bounds.
fn validate(test: Test, paths: &[&str]) -> Run {
    test.args(["validate"])
        .args(paths.iter().copied())
        .run_measured()
        .bounded()
}

fn write_bytes(test: &Test, path: &str, bytes: &[u8]) {
    let full = test.path().join(path);
    if let Some(parent) = full.parent() {
        std::fs::create_dir_all(parent).expect("create folders");
    }
    std::fs::write(full, bytes).expect("write a test file");
}

fn symlink(test: &Test, target: impl AsRef<Path>, link: &str) {
    std::os::unix::fs::symlink(target, test.path().join(link)).expect("create a symlink");
}

/// 1-based line and character column of the first `needle` in `text`.
fn position(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("needle in text");
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (
        text[..at].matches('\n').count() + 1,
        text[line_start..at].chars().count() + 1,
    )
}

// --- alias bombs -----------------------------------------------------------

/// The classic: nine levels of ten aliases each, 10^9 strings if expanded.
#[test]
fn alias_bomb_of_nested_lists() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let items = vec![format!("*a{}", i - 1); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    validate(Test::new().file("bomb.yaml", &text), &["bomb.yaml"])
        .failure()
        .stderr_contains("error[yaml-alias-limit]: this file expands to more than 100000 values")
        .stderr_contains("--> bomb.yaml:5:");
}

/// The same with mappings, in block style.
#[test]
fn alias_bomb_of_nested_mappings() {
    let keys = |value: &str| {
        (0..10)
            .map(|k| format!("  k{k}: {value}\n"))
            .collect::<String>()
    };
    let mut text = format!("m0: &m0\n{}", keys("lol"));
    for i in 1..10 {
        text.push_str(&format!("m{i}: &m{i}\n{}", keys(&format!("*m{}", i - 1))));
    }
    validate(Test::new().file("bomb.yaml", &text), &["bomb.yaml"])
        .failure()
        .stderr_contains("error[yaml-alias-limit]")
        .stderr_contains("--> bomb.yaml:");
}

/// One level, wide: an anchor of a thousand values aliased a thousand times.
#[test]
fn alias_bomb_wide() {
    let text = format!(
        "a: &a [{}]\nb: [{}]\n",
        vec!["x"; 1000].join(", "),
        vec!["*a"; 1000].join(", ")
    );
    validate(Test::new().file("bomb.yaml", &text), &["bomb.yaml"])
        .failure()
        .stderr_contains("error[yaml-alias-limit]")
        .stderr_contains("--> bomb.yaml:2:");
}

/// A 4 MiB file of 1,400 documents, each a small bomb under the node budget.
/// Before the budget was per file this took 10 GB and 26 s.
#[test]
fn alias_bombs_in_many_documents() {
    let document = format!(
        "---\n- &a [{}]\n- [{}]\n",
        vec!["x"; 100].join(","),
        vec!["*a"; 900].join(",")
    );
    let text = document.repeat(4_000_000 / document.len());
    validate(Test::new().file("bombs.yaml", &text), &["bombs.yaml"])
        .failure()
        .stderr_contains("error[yaml-alias-limit]")
        .stderr_contains("--> bombs.yaml:6:")
        // The first document (a list, complete within budget) is reported
        // too; the bomb ends the file.
        .stderr_contains("error[not-a-mapping]")
        .stderr_contains("2 errors, 0 warnings; nothing was sent");
}

/// An alias where a certificate wants a list: the loader stops at the
/// budget, before the schema or any check sees a million domains.
#[test]
fn alias_bomb_inside_a_certificate() {
    let certificate = CERTIFICATE.replace(
        "domain: www.acme.example\n",
        &format!(
            "domain: www.acme.example\nx-ten: &ten [{}]\nx-thousand: &k [{}]\ndomains: [{}]\n",
            ["a.acme.example"; 10].join(", "),
            vec!["*ten"; 100].join(", "),
            vec!["*k"; 1000].join(", ")
        ),
    );
    validate(
        Test::new()
            .file("acme.yaml", PROFILE)
            .file("www.yaml", &certificate),
        &["."],
    )
    .failure()
    .stderr_contains("error[yaml-alias-limit]")
    .stderr_contains("--> ./www.yaml:9:")
    .output_lacks("error[unknown-key]");
}

// --- size ------------------------------------------------------------------

/// 50 MB is refused by its first 4 MiB: the peak RSS stays far below 50 MB.
#[test]
fn a_fifty_megabyte_file_is_refused_without_reading_it_whole() {
    let test = Test::new();
    let line = "# padding padding padding padding padding padding padding\n";
    let huge = line.repeat(50_000_000 / line.len() + 1);
    write_bytes(&test, "manifests/huge.yaml", huge.as_bytes());
    drop(huge);
    let test = test.file("manifests/acme.yaml", PROFILE);
    test.args(["validate", "manifests"])
        .run_measured()
        .within(64, 10)
        .failure()
        .stderr_contains("error[file-too-large]: manifests/huge.yaml: larger than 4 MiB");
}

/// A million domains in 4 MB of YAML (block list), under the size cap.
#[test]
fn a_million_domains_in_a_yaml_list() {
    let certificate = CERTIFICATE.replace(
        "domain: www.acme.example\n",
        &format!(
            "domain: www.acme.example\ndomains:\n{}",
            "- a\n".repeat(1_000_000)
        ),
    );
    assert!(certificate.len() < 4 * 1024 * 1024);
    validate(Test::new().file("www.yaml", &certificate), &["www.yaml"])
        .failure()
        .stderr_contains("error[file-too-large]: this file holds more than 100000 values")
        .stderr_contains("--> www.yaml:")
        .stderr_contains("1 error, 0 warnings; nothing was sent");
}

/// Two million values in a flow list on one line.
#[test]
fn two_million_values_in_a_yaml_flow_list() {
    let text = format!("domains: [{}]\n", "a,".repeat(2_000_000));
    validate(Test::new().file("flow.yaml", &text), &["flow.yaml"])
        .failure()
        .stderr_contains("error[file-too-large]")
        .stderr_contains("--> flow.yaml:1:");
}

/// A million domains in 4 MB of TOML.
#[test]
fn a_million_domains_in_a_toml_array() {
    let text = format!(
        "apiVersion = \"tccert/v1\"\nkind = \"Certificate\"\nname = \"www\"\ncertificate_id = \"abcb1234\"\ndomain = \"www.acme.example\"\ndomains = [{}]\n[csr]\ntype = \"online\"\n",
        "\"a\",".repeat(1_000_000)
    );
    assert!(text.len() < 4 * 1024 * 1024);
    validate(Test::new().file("www.toml", &text), &["www.toml"])
        .failure()
        .stderr_contains("error[file-too-large]: this file holds more than 200000 keys and values")
        .stderr_contains("--> www.toml:6:")
        .stderr_contains("1 error, 0 warnings; nothing was sent");
}

// --- nesting ---------------------------------------------------------------

/// saphyr-parser's own recursion limit is met before ours (64 levels).
#[test]
fn a_hundred_thousand_open_brackets_in_yaml() {
    let text = format!("{}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    validate(Test::new().file("deep.yaml", &text), &["deep.yaml"])
        .failure()
        .stderr_contains("error[yaml-syntax]: YAML syntax error: recursion limit exceeded")
        .stderr_contains("--> deep.yaml:1:");
}

#[test]
fn a_hundred_thousand_open_braces_in_yaml() {
    let text = format!("{}1{}\n", "{a: ".repeat(100_000), "}".repeat(100_000));
    validate(Test::new().file("deep.yaml", &text), &["deep.yaml"])
        .failure()
        .stderr_contains("error[yaml-syntax]: YAML syntax error: recursion limit exceeded")
        .stderr_contains("--> deep.yaml:1:");
}

/// Block nesting by indentation, a thousand levels.
#[test]
fn a_thousand_levels_of_indentation_in_yaml() {
    let text: String = (0..1000)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    validate(Test::new().file("deep.yaml", &text), &["deep.yaml"])
        .failure()
        .stderr_contains("error[yaml-unsupported]: nesting deeper than 64 levels")
        .stderr_contains("--> deep.yaml:65:65");
}

#[test]
fn a_hundred_thousand_open_brackets_in_toml() {
    let text = format!("a = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    validate(Test::new().file("deep.toml", &text), &["deep.toml"])
        .failure()
        .stderr_contains("error[toml-syntax]: TOML syntax error:")
        .stderr_contains("--> deep.toml:1:");
}

/// Sixty thousand: deep enough for `toml`'s recursion limit, and under
/// the token budget that would refuse the file before parsing.
#[test]
fn sixty_thousand_inline_tables_in_toml() {
    let text = format!("a = {}1{}\n", "{a = ".repeat(60_000), "}".repeat(60_000));
    validate(Test::new().file("deep.toml", &text), &["deep.toml"])
        .failure()
        .stderr_contains("error[toml-syntax]: TOML syntax error:")
        .stderr_contains("--> deep.toml:1:");
}

/// A table header of 100k dotted keys: the `toml` parser reports its
/// recursion limit without a place, so the message itself names the file.
#[test]
fn a_hundred_thousand_dotted_keys_in_toml() {
    let header = format!("[{}]\nx = 1\n", vec!["a"; 100_000].join("."));
    let assignment = format!("{} = 1\n", vec!["a"; 100_000].join("."));
    validate(
        Test::new()
            .file("header.toml", &header)
            .file("dotted.toml", &assignment),
        &["header.toml", "dotted.toml"],
    )
    .failure()
    .stderr_contains("error[toml-syntax]: header.toml: TOML syntax error: recursion limit")
    .stderr_contains("error[toml-syntax]: dotted.toml: TOML syntax error: recursion limit");
}

// --- encodings and line ends -----------------------------------------------

/// A UTF-8 byte-order mark works, and does not shift line 1's columns.
#[test]
fn a_byte_order_mark_works_and_keeps_positions() {
    let bom = |text: &str| format!("\u{feff}{text}");
    let toml = "apiVersion = \"tccert/v1\"\nkind = \"Profile\"\nname = \"pki\"\n[contact]\nemail = \"pki@acme.example\"\n";
    validate(
        Test::new()
            .file("acme.yaml", &bom(PROFILE))
            .file("www.yaml", &bom(CERTIFICATE))
            .file("pki.toml", &bom(toml)),
        &["."],
    )
    .success()
    .stdout_contains("valid: 1 certificate and 2 profiles in 3 files");

    validate(
        Test::new()
            .file("v.yaml", &bom(&PROFILE.replace("tccert/v1", "tccert/v2")))
            .file("v.toml", &bom(&toml.replace("tccert/v1", "tccert/v2"))),
        &["v.yaml", "v.toml"],
    )
    .failure()
    .stderr_contains("--> v.yaml:1:13")
    .stderr_contains("--> v.toml:1:14")
    .output_lacks("\u{feff}");
}

/// CRLF line ends work; columns are counted without the `\r`, and quoted
/// source lines do not carry it.
#[test]
fn crlf_line_ends_work_and_keep_columns() {
    let crlf = |text: &str| text.replace('\n', "\r\n");
    let toml = "apiVersion = \"tccert/v1\"\nkind = \"Profile\"\nname = \"pki\"\n[contact]\nemail = \"pki@acme.example\"\n";
    validate(
        Test::new()
            .file("acme.yaml", &crlf(PROFILE))
            .file("www.yaml", &crlf(CERTIFICATE))
            .file("pki.toml", &crlf(toml)),
        &["."],
    )
    .success()
    .stdout_contains("valid: 1 certificate and 2 profiles in 3 files");

    let yaml = PROFILE.replace("\"0755\"", "0755");
    let (line, column) = position(&yaml, "0755");
    let toml = toml.replace("\"pki@acme.example\"", "42");
    let (toml_line, toml_column) = position(&toml, "42");
    let run = validate(
        Test::new()
            .file("acme.yaml", &crlf(&yaml))
            .file("pki.toml", &crlf(&toml)),
        &["."],
    )
    .failure()
    .stderr_contains(&format!("--> ./acme.yaml:{line}:{column}"))
    .stderr_contains(&format!("--> ./pki.toml:{toml_line}:{toml_column}"));
    assert!(!run.stderr().contains('\r'), "{:?}", run.stderr());
}

/// Bytes that are not UTF-8: the error names the file, the byte and the line.
#[test]
fn bytes_that_are_not_utf8_are_named_by_offset_and_line() {
    let test = Test::new();
    let mut yaml = PROFILE.as_bytes().to_vec();
    let at = PROFILE.find("Acme Ltd").expect("a name");
    yaml.splice(at..=at, [0xff]);
    let (line, _) = position(PROFILE, "Acme Ltd");
    write_bytes(&test, "latin1.yaml", &yaml);
    write_bytes(&test, "bad.toml", b"name = \"caf\xe9\"\n");
    // UTF-16 with its byte-order mark, as some Windows editors save.
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain("kind: Profile\n".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    write_bytes(&test, "utf16.yaml", &utf16);
    validate(test, &["latin1.yaml", "bad.toml", "utf16.yaml"])
        .failure()
        .stderr_contains(&format!(
            "error[not-utf8]: latin1.yaml: not valid UTF-8 (byte {at}, line {line})"
        ))
        .stderr_contains("error[not-utf8]: bad.toml: not valid UTF-8 (byte 11, line 1)")
        .stderr_contains("error[not-utf8]: utf16.yaml: not valid UTF-8 (byte 0, line 1)")
        .stderr_contains("3 errors, 0 warnings; nothing was sent");
}

// --- the file system -------------------------------------------------------

/// `a/to-b` → `../b` and `b/to-a` → `../a`, plus a link to itself.
#[test]
fn a_symlink_loop_between_directories_is_an_error_not_a_hang() {
    let test = Test::new()
        .file("a/acme.yaml", PROFILE)
        .file("b/www.yaml", CERTIFICATE);
    symlink(&test, "../b", "a/to-b");
    symlink(&test, "../a", "b/to-a");
    symlink(&test, ".", "a/here");
    validate(test, &["."])
        .failure()
        .stderr_contains("error[read-failed]: ./a/here: symbolic link loop")
        .stderr_contains("error[read-failed]: ./a/to-b/to-a: symbolic link loop")
        // Each manifest is read once, so no duplicate-name errors follow.
        .output_lacks("error[duplicate-name]");
}

/// Ten levels of ten links each to the next level: 10^10 paths, but each
/// directory is walked once and the manifests at the bottom are read once.
#[test]
fn symlinks_fanning_out_walk_each_directory_once() {
    let mut test = Test::new()
        .file("tree/d10/acme.yaml", PROFILE)
        .file("tree/d10/www.yaml", CERTIFICATE);
    for level in 0..10 {
        test = test.file(&format!("tree/d{level}/.keep"), "");
        for k in 0..10 {
            symlink(
                &test,
                format!("../d{}", level + 1),
                &format!("tree/d{level}/l{k}"),
            );
        }
    }
    validate(test, &["tree/d0"])
        .success()
        .stdout_contains("valid: 1 certificate and 1 profile in 2 files");
}

/// As root, `chmod 000` does not stop a read, so unreadable files are made
/// honestly in other ways:
/// - `mem.yaml` links to `/proc/self/mem`: a regular file that opens (as
///   root) but whose first read fails with EIO, the read-error path proper;
/// - `gone.yaml` is a dangling symlink: listed by the walk, but nothing to open;
/// - `pipe.yaml` is a FIFO with no writer: reading it would block for ever,
///   so the walk reports it instead of reading it (or silently skipping it).
#[test]
fn unreadable_files_are_errors_that_name_them() {
    let test = Test::new().file("m/acme.yaml", PROFILE);
    symlink(&test, "/proc/self/mem", "m/mem.yaml");
    symlink(&test, "nowhere.yaml", "m/gone.yaml");
    let fifo = test.path().join("m/pipe.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    // /proc is outside the tree: a walked link to it is read only when the
    // operator allows it.
    validate(test, &["m", "--allow-path", "/proc"])
        .failure()
        .stderr_contains("error[read-failed]: m/mem.yaml: Input/output error")
        .stderr_contains("error[read-failed]: m/gone.yaml: No such file or directory")
        .stderr_contains("error[read-failed]: m/pipe.yaml: not a regular file")
        .stderr_contains("3 errors, 0 warnings; nothing was sent");
}

/// A FIFO named on the command line is read like any file, as
/// `tccert validate <(envsubst < m.yaml)` needs.
#[test]
fn a_fifo_named_on_the_command_line_is_read() {
    let test = Test::new().file("acme.yaml", PROFILE);
    let fifo = test.path().join("www.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success());
    let writer = std::thread::spawn(move || std::fs::write(fifo, CERTIFICATE));
    validate(test, &["acme.yaml", "www.yaml"])
        .success()
        .stdout_contains("valid: 1 certificate and 1 profile in 2 files");
    writer
        .join()
        .expect("the writer thread")
        .expect("write into the FIFO");
}

/// A directory named like a manifest is walked as a directory.
#[test]
fn a_directory_named_like_a_manifest_is_walked() {
    validate(
        Test::new()
            .file("x.yaml/acme.yaml", PROFILE)
            .file("x.yaml/www.yaml", CERTIFICATE),
        &["x.yaml"],
    )
    .success()
    .stdout_contains("valid: 1 certificate and 1 profile in 2 files");
}

// --- CSRs ------------------------------------------------------------------

fn big_pem(bytes: usize) -> String {
    let line = format!("{}\n", "A".repeat(64));
    format!(
        "-----BEGIN CERTIFICATE REQUEST-----\n{}-----END CERTIFICATE REQUEST-----\n",
        line.repeat(bytes / line.len())
    )
}

#[test]
fn a_one_megabyte_csr_file_is_refused() {
    let certificate = CERTIFICATE.replace("type: online", "type: parse\n  file: csr/www.csr");
    let (line, column) = position(&certificate, "csr/www.csr");
    validate(
        Test::new()
            .file("acme.yaml", PROFILE)
            .file("www.yaml", &certificate)
            .file("csr/www.csr", &big_pem(1 << 20)),
        &["acme.yaml", "www.yaml"],
    )
    .failure()
    .stderr_contains("larger than 64 KiB")
    .stderr_contains(&format!("--> www.yaml:{line}:{column}"))
    .stderr_contains("1 error, 0 warnings; nothing was sent");
}

#[test]
fn a_one_megabyte_inline_pem_is_refused() {
    let pem: String = big_pem(1 << 20)
        .lines()
        .map(|l| format!("    {l}\n"))
        .collect();
    let certificate = CERTIFICATE.replace("type: online", &format!("type: parse\n  pem: |\n{pem}"));
    let (line, _) = position(&certificate, "    -----BEGIN");
    validate(
        Test::new()
            .file("acme.yaml", PROFILE)
            .file("www.yaml", &certificate),
        &["acme.yaml", "www.yaml"],
    )
    .failure()
    .stderr_contains("the inline CSR is larger than 64 KiB")
    .stderr_contains(&format!("--> www.yaml:{line}:"))
    .stderr_contains("1 error, 0 warnings; nothing was sent");
}

/// Two thousand problems on one 30 kB line: each is shown with a window of
/// the line around its column, not the whole line, so the output stays a
/// few hundred bytes a problem.
#[test]
fn many_problems_on_one_long_line_keep_the_output_small() {
    let keys: Vec<String> = (0..2000).map(|i| format!("unknown{i:04}: 1")).collect();
    let text = format!(
        "{{apiVersion: tccert/v1, kind: Profile, name: acme, {}}}\n",
        keys.join(", ")
    );
    assert!(text.len() > 30_000);
    let run = validate(Test::new().file("wide.yaml", &text), &["wide.yaml"]).failure();
    let stderr = run.stderr();
    assert_eq!(
        stderr.matches("error[unknown-key]").count(),
        2000,
        "{}",
        &stderr[..2000]
    );
    assert!(
        stderr.len() < 2_000 * 600,
        "{} bytes of output",
        stderr.len()
    );
    let longest = stderr.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 200, "a line of {longest} characters");
    // The window still shows the key each problem is about.
    assert!(
        stderr.contains("unknown1999: 1}"),
        "{}",
        &stderr[stderr.len() - 1500..]
    );
}
