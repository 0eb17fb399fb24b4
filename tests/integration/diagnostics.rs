//! Every kind of bad input docs/manifest-format.md names gives exit 1, nothing
//! sent, and a message with file:line:column, the source line, a stable code
//! and a hint where one helps. The rendered diagnostics are snapshotted.

use crate::support::cli::Test;
use crate::support::fixtures::{CERTIFICATE, PROFILE};

/// Runs `validate .` on the given files and snapshots stderr; asserts exit 1.
fn snapshot(name: &str, files: &[(&str, &str)]) {
    let mut test = Test::new();
    for (path, text) in files {
        test = test.file(path, text);
    }
    let run = test.args(["validate", "."]).run().failure();
    assert!(
        run.stdout().is_empty(),
        "nothing on stdout when invalid: {}",
        run.stdout()
    );
    insta::assert_snapshot!(name, run.stderr());
}

#[test]
fn number_where_a_string_belongs() {
    snapshot(
        "type_mismatch_yaml",
        &[
            ("acme.yaml", &PROFILE.replace("\"0755\"", "0755")),
            ("www.yaml", CERTIFICATE),
        ],
    );
}

#[test]
fn number_where_a_string_belongs_in_toml() {
    let toml = "apiVersion = \"tccert/v1\"\nkind = \"Profile\"\nname = \"p\"\n\n[organization]\npostal_code = 518000\n";
    snapshot("type_mismatch_toml", &[("p.toml", toml)]);
}

#[test]
fn unknown_keys_with_suggestions() {
    let profile = PROFILE.replace("  first_name: Leia", "  frist_name: Leia");
    let certificate = format!("{CERTIFICATE}colour: blue\n");
    snapshot(
        "unknown_key",
        &[("acme.yaml", &profile), ("www.yaml", &certificate)],
    );
}

#[test]
fn certificate_only_keys_in_a_profile() {
    snapshot(
        "certificate_key_in_profile",
        &[("acme.yaml", &format!("{PROFILE}domain: x.acme.example\n"))],
    );
}

#[test]
fn wrong_api_version_and_kind() {
    let docs = "apiVersion: tccert/v2\nkind: Profile\nname: a\n---\napiVersion: tccert/v1\nkind: Certificat\nname: b\n---\nname: c\n---\n- just\n- a list\n";
    snapshot("api_version_and_kind", &[("docs.yaml", docs)]);
}

#[test]
fn missing_keys() {
    snapshot(
        "missing_key",
        &[
            ("acme.yaml", PROFILE),
            (
                "www.yaml",
                "apiVersion: tccert/v1\nkind: Certificate\nname: www\nprofiles: [acme]\ncsr:\n  key_password: x\n",
            ),
        ],
    );
}

#[test]
fn invalid_enum_values() {
    let certificate = CERTIFICATE
        .replace("type: online", "type: Online")
        .replace("domain: www", "verify_type: dns\ndomain: www");
    snapshot(
        "invalid_value",
        &[("acme.yaml", PROFILE), ("www.yaml", &certificate)],
    );
}

#[test]
fn missing_profile() {
    snapshot(
        "unknown_profile",
        &[
            ("acme.yaml", PROFILE),
            (
                "www.yaml",
                &CERTIFICATE.replace("[acme]", "[acme, pki-tema]"),
            ),
        ],
    );
}

#[test]
fn profile_cycle() {
    let a = "apiVersion: tccert/v1\nkind: Profile\nname: a\nprofiles: [b]\n";
    let b = "apiVersion: tccert/v1\nkind: Profile\nname: b\nprofiles:\n  - c\n";
    let c = "apiVersion = \"tccert/v1\"\nkind = \"Profile\"\nname = \"c\"\nprofiles = [\"a\"]\n";
    snapshot(
        "profile_cycle",
        &[
            ("a.yaml", a),
            ("b.yaml", b),
            ("c.toml", c),
            ("acme.yaml", PROFILE),
            ("www.yaml", &CERTIFICATE.replace("[acme]", "[acme, a]")),
        ],
    );
}

#[test]
fn unset_variable_and_bad_interpolation() {
    let certificate = CERTIFICATE
        .replace(
            "type: online",
            "type: online\n  key_password: ${WWW_KEY_PASSWORD}",
        )
        .replace("name: www", "name: ${WWW_NAME");
    snapshot(
        "interpolation",
        &[("acme.yaml", PROFILE), ("www.yaml", &certificate)],
    );
}

#[test]
fn duplicate_names_and_ids() {
    let second = CERTIFICATE.replace("abcb1234", "other123");
    let third = CERTIFICATE.replace("name: www", "name: api");
    snapshot(
        "duplicates",
        &[
            ("acme.yaml", PROFILE),
            ("acme-copy.yaml", PROFILE),
            ("a/www.yaml", CERTIFICATE),
            ("b/www.yaml", &second),
            ("c/api.yaml", &third),
        ],
    );
}

#[test]
fn required_fields_missing_after_merge() {
    let partial = "apiVersion: tccert/v1\nkind: Profile\nname: pki\ncontact:\n  first_name: Leia\n  last_name: Sky\n  phone: \"123\"\n  email: pki@acme.example\n  position: PKI\n";
    snapshot(
        "missing_fields",
        &[
            ("pki.yaml", partial),
            ("www.yaml", &CERTIFICATE.replace("[acme]", "[pki]")),
        ],
    );
}

#[test]
fn empty_and_malformed_values() {
    let profile = PROFILE
        .replace("division: IT", "division: \"\"")
        .replace("country: CN", "country: cn")
        .replace("email: admin@acme.example", "email: admin.acme.example");
    let certificate = CERTIFICATE.replace("domain: www.acme.example", "domain: www.acme.example\ndomains: [\"api..acme.example\", \"*.*.acme.example\", www.acme.example]");
    snapshot(
        "malformed_values",
        &[("acme.yaml", &profile), ("www.yaml", &certificate)],
    );
}

#[test]
fn csr_problems() {
    let both = CERTIFICATE.replace(
        "type: online",
        "type: parse\n  file: www.csr\n  pem: |\n    -----BEGIN CERTIFICATE REQUEST-----",
    );
    let neither = CERTIFICATE
        .replace("abcb1234", "id000002")
        .replace("name: www", "name: neither")
        .replace("type: online", "type: parse");
    let password = CERTIFICATE
        .replace("abcb1234", "id000003")
        .replace("name: www", "name: password")
        .replace(
            "type: online",
            "type: parse\n  file: www.csr\n  key_password: hunter2",
        );
    let not_pem = CERTIFICATE
        .replace("abcb1234", "id000004")
        .replace("name: www", "name: notpem")
        .replace("type: online", "type: parse\n  pem: not a csr");
    let missing = CERTIFICATE
        .replace("abcb1234", "id000005")
        .replace("name: www", "name: missing")
        .replace("type: online", "type: parse\n  file: csr/none.csr");
    let online_file = CERTIFICATE
        .replace("abcb1234", "id000006")
        .replace("name: www", "name: onlinefile")
        .replace("type: online", "type: online\n  file: www.csr");
    snapshot(
        "csr_problems",
        &[
            ("acme.yaml", PROFILE),
            ("both.yaml", &both),
            ("neither.yaml", &neither),
            ("password.yaml", &password),
            ("notpem.yaml", &not_pem),
            ("missing.yaml", &missing),
            ("onlinefile.yaml", &online_file),
            ("www.csr", include_str!("../fixtures/www.csr")),
        ],
    );
}

#[test]
fn csr_signature_and_common_name() {
    let tampered = CERTIFICATE.replace("type: online", "type: parse\n  file: tampered.csr");
    let wrong_name = CERTIFICATE
        .replace("abcb1234", "id000002")
        .replace("name: www", "name: api")
        .replace(
            "domain: www.acme.example",
            "domain: api.acme.example\ndomains: [api2.acme.example]",
        )
        .replace("type: online", "type: parse\n  file: www.csr");
    snapshot(
        "csr_signature_and_common_name",
        &[
            ("acme.yaml", PROFILE),
            ("www.yaml", &tampered),
            ("api.yaml", &wrong_name),
            ("tampered.csr", include_str!("../fixtures/tampered.csr")),
            ("www.csr", include_str!("../fixtures/www.csr")),
        ],
    );
}

#[test]
fn domains_missing_from_the_csr_are_a_warning_only() {
    // www.csr names www.acme.example and acme.example; api.acme.example is
    // not in it. The CA may refuse such an order, but the submission itself
    // is valid, so validate warns and still exits 0.
    let certificate = CERTIFICATE
        .replace(
            "domain: www.acme.example",
            "domain: www.acme.example\ndomains:\n  - acme.example\n  - api.acme.example",
        )
        .replace("type: online", "type: parse\n  file: www.csr");
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .file("www.csr", include_str!("../fixtures/www.csr"))
        .args(["validate", "."])
        .run()
        .success()
        .stdout_contains("valid: 1 certificate and 1 profile in 2 files");
    insta::assert_snapshot!("csr_missing_domain", run.stderr());

    let json = Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .file("www.csr", include_str!("../fixtures/www.csr"))
        .args(["validate", ".", "--output", "json"])
        .run()
        .success()
        .json();
    assert_eq!(json["valid"], true);
    assert_eq!(json["warnings"], 1);
    let warning = &json["diagnostics"][0];
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["code"], "csr-missing-domain");
    assert_eq!(warning["file"], "./www.yaml");
    assert_eq!(warning["line"], 9);
    assert_eq!(warning["column"], 5);
}

#[test]
fn yaml_syntax_duplicate_keys_and_aliases() {
    snapshot(
        "yaml_syntax",
        &[(
            "broken.yaml",
            "apiVersion: tccert/v1\nkind: Profile\nname: [a, b\n",
        )],
    );
    snapshot(
        "yaml_duplicate_key",
        &[(
            "dup.yaml",
            "apiVersion: tccert/v1\nkind: Profile\nname: a\nname: b\n",
        )],
    );
    let mut bomb = String::from(
        "apiVersion: tccert/v1\nkind: Profile\nname: bomb\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n",
    );
    for i in 1..7 {
        bomb.push_str(&format!(
            "x{i}: &x{i} [*x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}, *x{p}]\n",
            p = i - 1
        ));
    }
    snapshot("yaml_alias_bomb", &[("bomb.yaml", &bomb)]);
}

#[test]
fn toml_syntax() {
    snapshot(
        "toml_syntax",
        &[(
            "broken.toml",
            "apiVersion = \"tccert/v1\"\nkind = Profile\n",
        )],
    );
}

#[test]
fn secrets_never_appear_in_diagnostics() {
    // A bad email that came from the environment, and a literal key
    // password on a line a diagnostic quotes.
    let profile = PROFILE.replace("email: admin@acme.example", "email: ${ADMIN_EMAIL}");
    let certificate = CERTIFICATE.replace(
        "type: online",
        "type: online\n  key_password: hunter2-literal\n  pem: x",
    );
    let run = Test::new()
        .file("acme.yaml", &profile)
        .file("www.yaml", &certificate)
        .env("ADMIN_EMAIL", "not-an-email-sekrit")
        .args(["validate", "."])
        .run()
        .failure()
        .stderr_contains("error[invalid-email]")
        .stderr_contains("error[csr-source]")
        .output_lacks("not-an-email-sekrit")
        .output_lacks("hunter2-literal");
    insta::assert_snapshot!("secrets_masked", run.stderr());
}

#[test]
fn paths_that_do_not_exist_or_hold_nothing() {
    Test::new()
        .args(["validate", "nowhere"])
        .run()
        .failure()
        .stderr_contains("error[path-not-found]: nowhere");
    Test::new()
        .file("docs/readme.md", "# not a manifest")
        .file("docs/.hidden.yaml", CERTIFICATE)
        .args(["validate", "docs"])
        .run()
        .failure()
        .stderr_contains("error[no-manifests]");
}

#[test]
fn json_output_lists_every_diagnostic_with_positions() {
    let run = Test::new()
        .file("acme.yaml", &PROFILE.replace("\"0755\"", "0755"))
        .file("www.yaml", &CERTIFICATE.replace("[acme]", "[acme, nope]"))
        .args(["validate", ".", "--output", "json"])
        .run()
        .failure();
    let report = run.json();
    assert_eq!(report["valid"], false);
    let diagnostics = report["diagnostics"].as_array().expect("a list");
    let codes: Vec<&str> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["type-mismatch", "unknown-profile"]);
    assert_eq!(diagnostics[0]["file"], "./acme.yaml");
    assert_eq!(diagnostics[0]["line"], 12);
    assert_eq!(diagnostics[0]["column"], 20);
    assert!(
        diagnostics[0]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("\"0755\""))
    );
}

/// Runs `validate` with `args` on the given files, asserts exit 0 and
/// snapshots stderr (the warnings).
fn snapshot_warnings(name: &str, files: &[(&str, &str)], args: &[&str]) {
    let mut test = Test::new();
    for (path, text) in files {
        test = test.file(path, text);
    }
    let run = test
        .args(["validate", "."])
        .args(args.iter().copied())
        .run()
        .success()
        .stdout_contains("valid: ");
    insta::assert_snapshot!(name, run.stderr());
}

/// A certificate named `name` (id `id`, domain `name.acme.example`) with
/// `api: CertificateInfoSubmit` and `extra` lines appended.
fn successor(name: &str, id: &str, profiles: &str, extra: &str) -> String {
    format!(
        "apiVersion: tccert/v1\nkind: Certificate\nname: {name}\ncertificate_id: {id}\nprofiles: {profiles}\ndomain: {name}.acme.example\napi: CertificateInfoSubmit\ncsr:\n  type: online\n{extra}"
    )
}

#[test]
fn successor_required_fields() {
    // Only the admin and contact: without company_id or manager_id the
    // organization is required too.
    let people = "apiVersion: tccert/v1\nkind: Profile\nname: people\nadmin:\n  first_name: Luke\n  last_name: Sky\n  phone: \"123\"\n  email: admin@acme.example\n  position: CTO\ncontact:\n  first_name: Leia\n  last_name: Sky\n  phone: \"456\"\n  position: PKI\n";
    snapshot(
        "successor_missing_fields",
        &[
            ("people.yaml", people),
            // No organization, no ids: the eight Org* fields are missing
            // (the contact email is not required by the successor).
            ("a.yaml", &successor("a", "id000001", "[people]", "")),
            // company_id stands in for the organization, not for people.
            (
                "b.yaml",
                &successor(
                    "b",
                    "id000002",
                    "[]",
                    "organization:\n  company_id: \"1001\"\n",
                ),
            ),
            // "0" names no company: the organization is required.
            (
                "c.yaml",
                &successor(
                    "c",
                    "id000003",
                    "[people]",
                    "organization:\n  company_id: \"0\"\n",
                ),
            ),
            // DV is CompanyType 1: only the contact email is required.
            ("d.yaml", &successor("d", "id000004", "[]", "dv: true\n")),
            // An empty contact email is no contact email.
            (
                "g.yaml",
                &successor("g", "id000007", "[]", "dv: true\ncontact:\n  email: \"\"\n"),
            ),
            // manager_id stands in for everything: valid.
            (
                "e.yaml",
                &successor("e", "id000005", "[]", "admin:\n  manager_id: \"2002\"\n"),
            ),
            // DV with a contact email: valid.
            (
                "f.yaml",
                &successor(
                    "f",
                    "id000006",
                    "[]",
                    "dv: true\ncontact:\n  email: pki@acme.example\n",
                ),
            ),
        ],
    );
}

#[test]
fn company_type_rules() {
    snapshot(
        "company_type_rules",
        &[
            // A company's DV certificate (CompanyType 2) needs what any
            // company needs: with no profile, the organization and people.
            (
                "a.yaml",
                &successor(
                    "a",
                    "id000001",
                    "[]",
                    "dv: true\ncompany_type: company\ncontact:\n  email: pki@acme.example\n",
                ),
            ),
            // An individual (CompanyType 1) is for DV certificates only.
            (
                "b.yaml",
                &successor(
                    "b",
                    "id000002",
                    "[]",
                    "company_type: individual\ncontact:\n  email: pki@acme.example\n",
                ),
            ),
            // Only the two values.
            (
                "c.yaml",
                &successor(
                    "c",
                    "id000003",
                    "[]",
                    "dv: true\ncompany_type: person\ncontact:\n  email: pki@acme.example\n",
                ),
            ),
            // A company DV certificate whose admin id stands in: valid.
            (
                "d.yaml",
                &successor(
                    "d",
                    "id000004",
                    "[]",
                    "dv: true\ncompany_type: company\nadmin:\n  manager_id: \"2002\"\n",
                ),
            ),
            // Said out loud, the default for DV: valid.
            (
                "e.yaml",
                &successor(
                    "e",
                    "id000005",
                    "[]",
                    "dv: true\ncompany_type: individual\ncontact:\n  email: pki@acme.example\n",
                ),
            ),
        ],
    );
}

/// The contract's API has no CompanyType: `company_type` on a certificate
/// sent with it is a warning (it is not sent), not silently dropped.
#[test]
fn company_type_with_the_contracts_api_is_not_sent() {
    let certificate = CERTIFICATE.replace("csr:", "dv: true\ncompany_type: company\ncsr:");
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .args(["validate", "."])
        .run()
        .success()
        .stderr_contains("warning[field-not-sent]: `company_type` is not sent for certificate `www`: SubmitCertificateInformation has no CompanyType");
    assert!(run.stdout().contains("valid: 1 certificate"));
    Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .args(["validate", ".", "--api", "CertificateInfoSubmit"])
        .run()
        .success()
        .output_lacks("`company_type` is not sent");
}

#[test]
fn the_api_flag_applies_the_successor_rules_where_the_manifest_does_not_say() {
    // manager_id alone: valid for CertificateInfoSubmit, not for the
    // contract's API (it lacks the 18 fields).
    let manager_only = "apiVersion: tccert/v1\nkind: Certificate\nname: www\ncertificate_id: abcb1234\ndomain: www.acme.example\ncsr:\n  type: online\nadmin:\n  manager_id: \"2002\"\n";
    Test::new()
        .file("www.yaml", manager_only)
        .args(["validate", "."])
        .run()
        .failure()
        .stderr_contains("error[missing-field]")
        .stderr_contains("the API requires");
    Test::new()
        .file("www.yaml", manager_only)
        .args(["validate", ".", "--api", "CertificateInfoSubmit"])
        .run()
        .success();
    // The manifest's choice wins over the flag.
    Test::new()
        .file(
            "www.yaml",
            &format!("{manager_only}api: SubmitCertificateInformation\n"),
        )
        .args(["validate", ".", "--api", "CertificateInfoSubmit"])
        .run()
        .failure()
        .stderr_contains("error[missing-field]");
    Test::new()
        .file("www.yaml", manager_only)
        .args(["validate", ".", "--api", "CertificateInfoSubmt"])
        .run()
        .failure()
        .stderr_contains("CertificateInfoSubmit");
}

#[test]
fn fields_the_chosen_api_cannot_send() {
    let shared = PROFILE.replace(
        "  phone_number: \"86013388\"\n",
        "  phone_number: \"86013388\"\n  company_id: \"1001\"\n",
    );
    // Only legacy certificates use this profile.
    let ids = "apiVersion: tccert/v1\nkind: Profile\nname: ids\nadmin:\n  manager_id: \"2002\"\n";
    let legacy = CERTIFICATE.replace("profiles: [acme]", "profiles: [acme, ids]");
    let legacy_key = legacy
        .replace("name: www", "name: legacy-key")
        .replace("abcb1234", "id000009")
        .replace("www.acme.example", "key.acme.example")
        .replace("type: online", "type: online\n  key_algorithm: ECC");
    snapshot_warnings(
        "field_not_sent",
        &[
            // The successor certificate `new` sends acme's company_id, so the
            // three legacy certificates that also inherit it get no warning
            // about it: the value is not useless.
            ("acme.yaml", &shared),
            // Nobody sends ids' manager_id: one warning, at the profile,
            // naming the three certificates.
            ("ids.yaml", ids),
            ("www.yaml", &legacy),
            (
                "api.yaml",
                &legacy
                    .replace("name: www", "name: api")
                    .replace("abcb1234", "id000002")
                    .replace("www.acme", "api.acme"),
            ),
            ("key.yaml", &legacy_key),
            // A successor certificate cannot send the profile's postal code,
            // nor its own.
            (
                "new.yaml",
                &successor(
                    "new",
                    "id000003",
                    "[acme]",
                    "organization:\n  postal_code: \"518001\"\n",
                ),
            ),
        ],
        &[],
    );
}

#[test]
fn invalid_ids_csr_keys_and_api_values() {
    let profile = PROFILE
        .replace("  position: CTO\n", "  position: CTO\n  manager_id: 2002\n")
        .replace(
            "  phone_number: \"86013388\"\n",
            "  phone_number: \"86013388\"\n  company_id: \"10-01\"\n",
        );
    snapshot(
        "successor_invalid_values",
        &[
            ("acme.yaml", &profile),
            (
                "a.yaml",
                &successor("a", "id000001", "[acme]", "  key_parameter: 2048\n"),
            ),
            (
                "b.yaml",
                &successor(
                    "b",
                    "id000002",
                    "[acme]",
                    "  key_algorithm: ECC\n  key_parameter: \"4096\"\n",
                ),
            ),
            (
                "c.yaml",
                &successor("c", "id000003", "[acme]", "").replace(
                    "type: online",
                    "type: parse\n  pem: x\n  key_algorithm: RSA",
                ),
            ),
            (
                "d.yaml",
                &successor("d", "id000004", "[acme]", "")
                    .replace("api: CertificateInfoSubmit", "api: CertificateInfoSubmt"),
            ),
            (
                "p.yaml",
                "apiVersion: tccert/v1\nkind: Profile\nname: p\napi: CertificateInfoSubmit\n",
            ),
        ],
    );
}

/// Names are printed in every report, log line and CI annotation: one from
/// the environment would print a secret, one starting with `:` or `#` or
/// holding control characters could be acted on by a CI runner or terminal.
#[test]
fn names_that_cannot_be_printed_safely() {
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file(
            "spaced.yaml",
            "apiVersion: tccert/v1\nkind: Profile\nname: \" spaced\"\n",
        )
        .file(
            "env.yaml",
            &CERTIFICATE.replace("name: www", "name: ${CERT_NAME}"),
        )
        .file(
            "hash.yaml",
            &CERTIFICATE
                .replace("name: www", "name: \"#www\"")
                .replace("abcb1234", "id000002"),
        )
        .file(
            "escape.yaml",
            &CERTIFICATE
                .replace("name: www", "name: \"www\\e[2J\"")
                .replace("abcb1234", "id000003"),
        )
        .env("CERT_NAME", "secret-name-123")
        .args(["validate", "."])
        .run()
        .failure()
        .output_lacks("secret-name-123")
        .output_lacks("\u{1b}");
    insta::assert_snapshot!("invalid_names", run.stderr());
}

/// `CsrContent` is the file's text as it is, so a private key saved after
/// the CSR in the same file would be sent to Tencent Cloud: refused, and the
/// key is not quoted.
#[test]
fn a_private_key_in_the_csr_file_is_never_sent() {
    let csr = std::fs::read_to_string(crate::support::cli::repo().join("tests/fixtures/www.csr"))
        .expect("the fixture CSR");
    let key_body = "MC4CAQAwBQYDK2VwBCIEIKEYMATERIALNOTTOBESHOWN0000000000000";
    let certificate = CERTIFICATE.replace("type: online", "type: parse\n  file: www.csr");
    Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .file(
            "www.csr",
            &format!("{csr}-----BEGIN PRIVATE KEY-----\n{key_body}\n-----END PRIVATE KEY-----\n"),
        )
        .args(["validate", "."])
        .run()
        .failure()
        .stderr_contains("followed by a `PRIVATE KEY` PEM block")
        .output_lacks(key_body);
}

/// `${NAME}` set but empty is an error (`${NAME:-}` opts out); `$NAME`
/// without braces is a warning, which for `key_password` names nothing of
/// the literal password; `$$NAME` is the escape and says nothing.
#[test]
fn empty_and_unbraced_variables() {
    let profile = PROFILE
        .replace("division: IT", "division: $DIVISION")
        .replace("city: Shenzhen", "city: \"$$CITY ${EMPTY_OK:-}Shenzhen\"");
    let empty = CERTIFICATE.replace(
        "type: online",
        "type: online\n  key_password: ${WWW_KEY_PASSWORD}",
    );
    let unbraced = CERTIFICATE
        .replace("name: www", "name: api")
        .replace("abcb1234", "id000002")
        .replace("www.acme", "api.acme")
        .replace(
            "type: online",
            "type: online\n  key_password: hunter$SECRET_PART_OF_IT",
        );
    let run = Test::new()
        .file("acme.yaml", &profile)
        .file("www.yaml", &empty)
        .file("api.yaml", &unbraced)
        .env("WWW_KEY_PASSWORD", "")
        .env("EMPTY_OK", "")
        .args(["validate", "."])
        .run()
        .failure()
        .output_lacks("SECRET_PART_OF_IT")
        .output_lacks("hunter")
        .output_lacks("$CITY");
    insta::assert_snapshot!("empty_and_unbraced_variables", run.stderr());
}

/// The case that used to slip through: CI passes an undefined secret as an
/// empty string, and the key password was silently left out of the
/// request. Now nothing is sent; `${NAME:-}` still says "empty is fine".
#[test]
fn an_empty_ci_secret_stops_apply_instead_of_dropping_the_key_password() {
    use crate::support::emulator::{Emulator, apply};
    let certificate = CERTIFICATE.replace(
        "type: online",
        "type: online\n  key_password: ${WWW_KEY_PASSWORD}",
    );
    let seed = [("abcb1234".to_string(), "www.acme.example".to_string())];
    let emulator = Emulator::start(&seed, &[], |_| {});
    let test = Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .env("WWW_KEY_PASSWORD", "");
    let run = apply(test, &emulator, &[]).failure();
    assert_eq!(
        run.json()["diagnostics"][0]["message"],
        "environment variable `WWW_KEY_PASSWORD` is set but empty"
    );
    assert_eq!(run.json()["diagnostics"][0]["code"], "empty-variable");
    assert_eq!(emulator.requests(), 0, "nothing sent");
    assert!(emulator.certificate("abcb1234").submitted_data.is_none());

    // Set: sent (the emulator keeps what it was sent).
    let test = Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .env("WWW_KEY_PASSWORD", "kp-from-ci");
    apply(test, &emulator, &[]).success();
    let data = emulator
        .certificate("abcb1234")
        .submitted_data
        .expect("submitted");
    assert_eq!(data["KeyPassword"], "kp-from-ci");

    // `${NAME:-}`: empty on purpose, so no password and no error.
    let opted_out = CERTIFICATE
        .replace("abcb1234", "id000002")
        .replace("www.acme", "api.acme")
        .replace("name: www", "name: api")
        .replace(
            "type: online",
            "type: online\n  key_password: ${API_KEY_PASSWORD:-}",
        );
    let emulator = Emulator::start(
        &[("id000002".to_string(), "api.acme.example".to_string())],
        &[],
        |_| {},
    );
    let test = Test::new()
        .file("acme.yaml", PROFILE)
        .file("api.yaml", &opted_out)
        .env("API_KEY_PASSWORD", "");
    apply(test, &emulator, &[]).success();
    let data = emulator
        .certificate("id000002")
        .submitted_data
        .expect("submitted");
    assert!(!data.contains_key("KeyPassword"), "{data:?}");
}

/// PATHs that hold no manifest document: an empty directory, files that are
/// empty or only comments. Exit 1 with `no-manifests`, as for no files.
#[test]
fn paths_with_no_manifest_document() {
    let test = Test::new();
    std::fs::create_dir_all(test.path().join("empty")).expect("a directory");
    test.args(["validate", "empty"])
        .run()
        .failure()
        .stderr_contains("error[no-manifests]: no manifest found in empty");
    let run = Test::new()
        .file("m/a.yaml", "# to do\n---\n# later\n")
        .file("m/b.toml", "# nothing yet\n")
        .file("m/c.yml", "")
        .args(["validate", "m", "--output", "json"])
        .run()
        .failure();
    let json = run.json();
    assert_eq!(json["valid"], false);
    assert_eq!(json["diagnostics"][0]["code"], "no-manifests");
    assert_eq!(
        json["diagnostics"][0]["message"],
        "no manifest document in m: the 3 files read are empty or only comments"
    );
    // plan stops there too, before any connection.
    Test::new()
        .file("m/a.yaml", "# to do\n")
        .args(["plan", "m", "--endpoint", "http://127.0.0.1:9"])
        .run()
        .failure()
        .stderr_contains("error[no-manifests]")
        .stderr_contains("nothing was sent");
}

/// Every output format ends with the count of errors and of warnings.
#[test]
fn the_summary_counts_errors_and_warnings_in_every_format() {
    // One error (an unknown key) and one warning (an unbraced variable).
    let profile = PROFILE.replace("division: IT", "division: $DIVISION");
    let certificate = format!("{CERTIFICATE}colour: blue\n");
    let files = |test: Test| {
        test.file("acme.yaml", &profile)
            .file("www.yaml", &certificate)
    };
    files(Test::new())
        .args(["validate", "."])
        .run()
        .failure()
        .stderr_contains("\nerror: 1 error, 1 warning; nothing was sent\n");
    let json = files(Test::new())
        .args(["validate", ".", "--output", "json"])
        .run()
        .failure()
        .json();
    assert_eq!(
        (json["errors"].clone(), json["warnings"].clone()),
        (1.into(), 1.into())
    );
    for command in ["render", "plan", "apply"] {
        let mut args = vec![command, ".", "--output", "json"];
        if command != "render" {
            args.extend(["--endpoint", "http://127.0.0.1:9"]);
        }
        let json = files(Test::new()).args(args).run().failure().json();
        assert_eq!(json["errors"], 1, "{command}");
        assert_eq!(json["warnings"], 1, "{command}");
        assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(2));
    }
    files(Test::new())
        .args([
            "plan",
            ".",
            "--output",
            "markdown",
            "--endpoint",
            "http://127.0.0.1:9",
        ])
        .run()
        .failure()
        .stdout_contains("### tccert: 1 error, 1 warning; nothing was sent");
    files(Test::new())
        .args(["validate", ".", "--output", "github"])
        .run()
        .failure()
        .stderr_contains("error: 1 error, 1 warning; nothing was sent");
    // Warnings alone: counted, and the run goes on.
    Test::new()
        .file("acme.yaml", &profile)
        .args(["validate", "."])
        .run()
        .success()
        .stderr_contains("\nwarning: 0 errors, 1 warning\n")
        .stdout_contains("valid: 0 certificates and 1 profile in 1 file");
}

/// A tab in a profile's file: one error, at the tab, with a note naming the
/// profile and its users; no `unknown-profile` for each certificate using
/// it. A profile that is in no failed file is still reported as missing.
#[test]
fn a_file_that_fails_to_parse_has_no_follow_on_errors() {
    let certificate = |name: &str, id: &str| {
        CERTIFICATE
            .replace("name: www", &format!("name: {name}"))
            .replace("abcb1234", id)
            .replace("www.acme", &format!("{name}.acme"))
    };
    snapshot(
        "parse_failure_without_follow_ons",
        &[
            (
                "acme.yaml",
                &PROFILE.replace("  name: Acme Ltd", "\tname: Acme Ltd"),
            ),
            ("api.yaml", &certificate("api", "id000001")),
            ("mail.yaml", &certificate("mail", "id000002")),
            (
                "www.yaml",
                &certificate("www", "id000003").replace("[acme]", "[acme, pki-tema]"),
            ),
        ],
    );
}

/// An unclosed TOML array is one error at its `[`, not one per token after
/// it; `phone_area_code = 0571` (a syntax error in TOML: no leading zeros)
/// gets the quoting hint YAML's `0571` gets.
#[test]
fn toml_unclosed_array_and_leading_zero() {
    let unclosed = "apiVersion = \"tccert/v1\"\nkind = \"Certificate\"\nname = \"www\"\ncertificate_id = \"abcb1234\"\nprofiles = [\"acme\"\ndomain = \"www.acme.example\"\n\n[csr]\ntype = \"online\"\n";
    let zero = "apiVersion = \"tccert/v1\"\nkind = \"Profile\"\nname = \"p\"\n\n[organization]\nphone_area_code = 0571\n";
    snapshot(
        "toml_unclosed_and_leading_zero",
        &[("www.toml", unclosed), ("p.toml", zero)],
    );
}

/// Hints where the fix is obvious: `dv: yes` -> `true`, one string where a
/// list belongs -> brackets, a key close to a known one (in any section),
/// a country's name -> its code. Messages read as sentences.
#[test]
fn obvious_fixes_are_hinted() {
    let profile = PROFILE
        .replace("country: CN", "country: China")
        .replace("postal_code:", "postcode:")
        .replace("  position: CTO", "  title: CTO");
    let yaml = CERTIFICATE
        .replace("profiles: [acme]", "profiles: acme")
        .replace("csr:", "dv: yes\ncsr:");
    let toml = "apiVersion = \"tccert/v1\"\nkind = \"Certificate\"\nname = \"api\"\ncertificate_id = \"id000002\"\nprofiles = \"acme\"\ndomain = \"api.acme.example\"\ndv = \"no\"\n\n[csr]\ntype = \"online\"\n";
    let hk = "apiVersion: tccert/v1\nkind: Profile\nname: hk\norganization:\n  country: HKG\n";
    snapshot(
        "obvious_fixes",
        &[
            ("acme.yaml", &profile),
            ("www.yaml", &yaml),
            ("api.toml", toml),
            ("hk.yaml", hk),
        ],
    );
    // A value from the environment gets no suggestion: it would say what
    // the value is.
    Test::new()
        .file(
            "acme.yaml",
            &PROFILE.replace("country: CN", "country: ${COUNTRY}"),
        )
        .env("COUNTRY", "China")
        .args(["validate", "."])
        .run()
        .failure()
        .stderr_contains("a value from `${COUNTRY}` is not an ISO 3166-1 alpha-2 code\n")
        .output_lacks("did you mean")
        .output_lacks("China");
}

/// CSR problems in plain words (never the parser's `Der(UnexpectedTag ...)`
/// or `Parsing Error: MissingHeader`), CSR paths tidied (`./certs/../csr`
/// is `csr`), no system error numbers.
#[test]
fn csr_errors_in_plain_words() {
    let parse = |name: &str, id: &str, source: &str| {
        CERTIFICATE
            .replace("name: www", &format!("name: {name}"))
            .replace("abcb1234", id)
            .replace("www.acme", &format!("{name}.acme"))
            .replace("type: online", &format!("type: parse\n  {source}"))
    };
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file(
            "certs/garbage.yaml",
            &parse("garbage", "id000001", "file: ../csr/./garbage.csr"),
        )
        .file(
            "certs/gone.yaml",
            &parse("gone", "id000002", "file: ../csr/gone.csr"),
        )
        .file(
            "certs/headless.yaml",
            &parse("headless", "id000003", "pem: MIIBfoo"),
        )
        .file(
            "csr/garbage.csr",
            "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
        )
        .args(["validate", "."])
        .run()
        .failure()
        .output_lacks("Der(")
        .output_lacks("Parsing Error")
        .output_lacks("os error")
        .output_lacks("/../");
    insta::assert_snapshot!("csr_plain_words", run.stderr());
}

/// A certificate on `acme` without an id; `extra` is appended.
fn to_buy(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: tccert/v1\nkind: Certificate\nname: {name}\nprofiles: [acme]\ndomain: {name}.acme.example\ncsr:\n  type: online\n{extra}"
    )
}

#[test]
fn a_purchase_beside_an_id_or_neither() {
    let profile = format!(
        "{PROFILE}---\napiVersion: tccert/v1\nkind: Profile\nname: buyer\npurchase:\n  product: 9\n"
    );
    snapshot(
        "purchase_and_id",
        &[
            ("acme.yaml", &profile),
            (
                "both.yaml",
                &to_buy("both", "certificate_id: abc1\npurchase:\n  product: 9\n"),
            ),
            (
                "inherited.yaml",
                &to_buy("inherited", "certificate_id: abc2\n").replace("[acme]", "[acme, buyer]"),
            ),
            ("neither.yaml", &to_buy("neither", "")),
        ],
    );
}

#[test]
fn purchase_products_counts_and_years() {
    snapshot(
        "unknown_product",
        &[
            ("acme.yaml", PROFILE),
            ("shop.yaml", &to_buy("shop", "purchase:\n  product: 36\n")),
        ],
    );
    snapshot(
        "product_type_mismatch",
        &[
            ("acme.yaml", PROFILE),
            (
                "ov.yaml",
                &to_buy("ov", "dv: true\npurchase:\n  product: 9\n"),
            ),
            ("dv.yaml", &to_buy("dv", "purchase:\n  product: 12\n")),
        ],
    );
    snapshot(
        "domain_count",
        &[
            ("acme.yaml", PROFILE),
            (
                "below.yaml",
                &to_buy(
                    "below",
                    "domains: [a.acme.example, b.acme.example]\npurchase:\n  product: 15\n  domain_count: 2\n",
                ),
            ),
            (
                "multi.yaml",
                &to_buy("multi", "purchase:\n  product: 15\n  domain_count: 1\n"),
            ),
            (
                "single.yaml",
                &to_buy(
                    "single",
                    "domains: [a.acme.example]\npurchase:\n  product: 9\n",
                ),
            ),
        ],
    );
    snapshot(
        "purchase_years",
        &[
            ("acme.yaml", PROFILE),
            (
                "long.yaml",
                &to_buy("long", "purchase:\n  product: 9\n  years: 6\n"),
            ),
            (
                "cfca.yaml",
                &to_buy("cfca", "purchase:\n  product: 101\n  years: 2\n"),
            ),
        ],
    );
}

#[test]
fn purchase_tags_tccert_owns_or_the_api_refuses() {
    let toml = "apiVersion = \"tccert/v1\"\nkind = \"Certificate\"\nname = \"shop\"\nprofiles = [\"acme\"]\ndomain = \"shop.acme.example\"\n\n[csr]\ntype = \"online\"\n\n[purchase]\nproduct = 9\n\n[purchase.tags]\n\"tccert:certificate\" = \"other\"\nqcloud-app = \"x\"\nteam = \"a;b\"\n";
    snapshot(
        "purchase_tags",
        &[("acme.yaml", PROFILE), ("shop.toml", toml)],
    );
}

#[test]
fn confirm_letters_unreadable_of_the_wrong_kind_or_outside_the_tree() {
    let mut small = String::from("%PDF-1.7\n");
    small.push_str(&"x".repeat(100));
    let text = "not a letter\n".repeat(100);
    snapshot(
        "confirm_letter",
        &[
            ("acme.yaml", PROFILE),
            ("small.pdf", &small),
            ("letter.pdf", &text),
            (
                "a.yaml",
                &to_buy("a", "purchase: {product: 9}\nconfirm_letter: small.pdf\n"),
            ),
            (
                "b.yaml",
                &to_buy("b", "purchase: {product: 9}\nconfirm_letter: letter.pdf\n"),
            ),
            (
                "c.yaml",
                &to_buy(
                    "c",
                    "purchase: {product: 9}\nconfirm_letter: letters/c.pdf\n",
                ),
            ),
            (
                "d.yaml",
                &to_buy("d", "purchase: {product: 9}\nconfirm_letter: /etc/passwd\n"),
            ),
        ],
    );
}

#[test]
fn purchase_values_of_the_wrong_type_are_never_coerced() {
    snapshot(
        "purchase_types",
        &[
            ("acme.yaml", PROFILE),
            (
                "shop.yaml",
                &to_buy(
                    "shop",
                    "purchase:\n  product: 9.0\n  years: \"2\"\n  vouchers: yes\n  tags: {cost: 42}\n",
                ),
            ),
        ],
    );
}
