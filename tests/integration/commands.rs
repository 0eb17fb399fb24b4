//! validate, render and schema as a user drives them.

use crate::support::cli::{Test, repo};
use crate::support::fixtures::{CERTIFICATE, PROFILE};

#[test]
fn validate_reports_counts_and_exits_zero() {
    Test::new()
        .file("profiles/acme.yaml", PROFILE)
        .file("certs/www.yaml", CERTIFICATE)
        .args(["validate", "profiles", "certs"])
        .run()
        .success()
        .stdout_contains("valid: 1 certificate and 1 profile in 2 files");
}

#[test]
fn several_documents_per_yaml_file_and_toml() {
    let toml = r#"apiVersion = "tccert/v1"
kind = "Certificate"
name = "api"
certificate_id = "api12345"
profiles = ["acme"]
domain = "api.acme.example"
domains = ["api2.acme.example"]

[csr]
type = "online"

[organization]
division = "Platform"
"#;
    let run = Test::new()
        .file(
            "all.yaml",
            &format!("# comments only\n---\n{PROFILE}---\n{CERTIFICATE}---\n# trailing empty\n"),
        )
        .file("api.toml", toml)
        .args(["render", ".", "--output", "json"])
        .run()
        .success();
    let report = run.json();
    let api = report["certificates"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == "api"))
        .expect("certificate api");
    assert_eq!(api["name"], "api");
    assert_eq!(
        api["requests"][0]["body"]["OrganizationDivision"],
        "Platform"
    );
    assert_eq!(
        api["provenance"]["OrganizationDivision"]["layer"],
        "certificate api"
    );
    assert_eq!(
        api["provenance"]["OrganizationName"]["layer"],
        "profile acme"
    );
    assert_eq!(api["provenance"]["OrganizationName"]["file"], "./all.yaml");
    assert_eq!(api["provenance"]["OrganizationName"]["line"], 7);
    assert_eq!(
        api["requests"][0]["body"]["DomainList"],
        serde_json::json!(["api2.acme.example"])
    );
}

#[test]
fn merging_is_depth_first_left_to_right_maps_by_key_lists_whole() {
    let base = "apiVersion: tccert/v1\nkind: Profile\nname: base\norganization:\n  name: Base Ltd\n  division: Base\nverify_type: FILE\n";
    let left = "apiVersion: tccert/v1\nkind: Profile\nname: left\nprofiles: [base]\norganization:\n  division: Left\n";
    let right = "apiVersion: tccert/v1\nkind: Profile\nname: right\nprofiles: [base]\norganization:\n  city: Right City\n";
    let certificate = CERTIFICATE.replace("profiles: [acme]", "profiles: [acme, left, right]");
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file("base.yaml", base)
        .file("left.yaml", left)
        .file("right.yaml", right)
        .file("www.yaml", &certificate)
        .args(["render", ".", "-o", "json"])
        .run()
        .success();
    let report = run.json();
    let body = &report["certificates"][0]["requests"][0]["body"];
    // base is applied once, before left: right does not re-apply it over left.
    assert_eq!(
        report["certificates"][0]["profiles"],
        serde_json::json!(["acme", "base", "left", "right"])
    );
    assert_eq!(body["OrganizationName"], "Base Ltd");
    assert_eq!(body["OrganizationDivision"], "Left");
    assert_eq!(body["OrganizationCity"], "Right City");
    assert_eq!(body["OrganizationCountry"], "CN");
    assert_eq!(body["VerifyType"], "FILE");
}

#[test]
fn the_request_body_holds_exactly_what_is_set() {
    let certificate = CERTIFICATE
        .replace("type: online", "type: online\n  key_password: ${PW}")
        .replace("name: www", "name: www\ndv: false");
    let run = Test::new()
        .file(
            "acme.yaml",
            &PROFILE.replace("  postal_code: \"518000\"\n", ""),
        )
        .file("www.yaml", &certificate)
        .env("PW", "pa55word")
        .args(["render", ".", "-o", "json"])
        .run()
        .success()
        .output_lacks("pa55word");
    let report = run.json();
    let body = report["certificates"][0]["requests"][0]["body"]
        .as_object()
        .expect("an object")
        .clone();
    let keys: Vec<&str> = body.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "CertificateId",
            "CsrType",
            "CertificateDomain",
            "KeyPassword",
            "OrganizationName",
            "OrganizationDivision",
            "OrganizationAddress",
            "OrganizationCountry",
            "OrganizationCity",
            "OrganizationRegion",
            "PhoneAreaCode",
            "PhoneNumber",
            "AdminFirstName",
            "AdminLastName",
            "AdminPhoneNum",
            "AdminEmail",
            "AdminPosition",
            "ContactFirstName",
            "ContactLastName",
            "ContactEmail",
            "ContactNumber",
            "ContactPosition",
        ]
    );
    assert_eq!(body["KeyPassword"], "********");
}

/// An empty string unsets an optional field: a certificate takes back its
/// profile's postal code, and `${NAME:-}` with NAME unset sends no key
/// password. Nothing goes out as `""`.
#[test]
fn empty_strings_unset_optional_fields() {
    let certificate = CERTIFICATE.replace("type: online", "type: online\n  key_password: ${PW:-}")
        + "organization:\n  postal_code: \"\"\n";
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .args(["render", ".", "-o", "json"])
        .run()
        .success();
    let body = &run.json()["certificates"][0]["requests"][0]["body"];
    assert!(body.get("PostalCode").is_none(), "{body}");
    assert!(body.get("KeyPassword").is_none(), "{body}");
    assert_eq!(body["OrganizationName"], "Acme Ltd");
    // A required field cannot be emptied that way: it is an error.
    Test::new()
        .file("acme.yaml", PROFILE)
        .file(
            "www.yaml",
            &(CERTIFICATE.to_string() + "organization:\n  city: \"\"\n"),
        )
        .args(["validate", "."])
        .run()
        .failure()
        .stderr_contains("error[empty-value]: `organization.city` is empty");
}

#[test]
fn dv_certificates_need_no_organization() {
    let dv = "apiVersion: tccert/v1\nkind: Certificate\nname: dv\ncertificate_id: dv000001\ndomain: dv.acme.example\ndv: true\ncsr:\n  type: online\n";
    let run = Test::new()
        .file("dv.yaml", dv)
        .args(["render", ".", "-o", "json"])
        .run()
        .success();
    let body = &run.json()["certificates"][0]["requests"][0]["body"];
    assert_eq!(body["IsDV"], true);
    assert!(body.get("OrganizationName").is_none());
}

#[test]
fn environment_values_are_masked_in_render() {
    let profile = PROFILE
        .replace("position: CTO", "position: ${ADMIN_POSITION}")
        .replace(
            "phone_number: \"86013388\"",
            "phone_number: \"${PHONE:-86013388}\"",
        );
    let run = Test::new()
        .file("acme.yaml", &profile)
        .file("www.yaml", CERTIFICATE)
        .env("ADMIN_POSITION", "Chief-Secret-Officer")
        .args(["render", "."])
        .run()
        .success()
        .output_lacks("Chief-Secret-Officer")
        // A default taken counts as from the environment too.
        .output_lacks("86013388");
    assert!(
        run.stdout().contains("AdminPosition         ********"),
        "{}",
        run.stdout()
    );
    assert!(
        run.stdout().contains("PhoneNumber           ********"),
        "{}",
        run.stdout()
    );
}

#[test]
fn schema_prints_the_committed_schema() {
    let committed =
        std::fs::read_to_string(repo().join("schemas/tccert-v1.schema.json")).expect("schema file");
    let run = Test::new().args(["schema"]).run().success();
    assert_eq!(run.stdout(), committed);
    let draft7 = std::fs::read_to_string(repo().join("schemas/tccert-v1.draft-07.schema.json"))
        .expect("draft-07 file");
    assert_eq!(
        Test::new()
            .args(["schema", "--draft", "7"])
            .run()
            .success()
            .stdout(),
        draft7
    );
}

#[test]
fn usage_errors_exit_one_not_two() {
    Test::new().args(["validate"]).run().failure();
    Test::new()
        .args(["plan", "--no-such-flag", "."])
        .run()
        .failure();
    Test::new()
        .args(["--help"])
        .run()
        .success()
        .stdout_contains("validate");
}

#[test]
fn debug_sign_reproduces_the_sdk_vector() {
    // Vector B of src/api/sign.rs (`vector_b_ssl_sdk_code_path`), derived
    // with the official Python SDK.
    let run = Test::new()
        .args([
            "debug-sign",
            "--host",
            "ssl.tencentcloudapi.com",
            "--action",
            "DescribeCertificateDetail",
            "--timestamp",
            "1551113065",
        ])
        .env("TENCENTCLOUD_SECRET_ID", "AKIDEXAMPLE")
        .env(
            "TENCENTCLOUD_SECRET_KEY",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        )
        .stdin(r#"{"CertificateId": "LqQxgqUe"}"#)
        .run()
        .success()
        .output_lacks("Gu5t9xGARNpq86cd98joQYCN3EXAMPLE");
    let authorization = run.json()["headers"]["Authorization"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        authorization.ends_with(
            "Signature=34e655f63a81bb9ee022cb13154675640198b2e5f697c74f89f3d2ddcb713792"
        ),
        "{authorization}"
    );
    assert!(authorization.starts_with("TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2019-02-25/ssl/tc3_request, SignedHeaders=content-type;host, "));
}

#[test]
fn render_shows_the_api_who_chose_it_and_the_successor_body() {
    let successor = CERTIFICATE
        .replace("name: www", "name: new")
        .replace("abcb1234", "new00001")
        .replace("www.acme.example", "new.acme.example")
        .replace(
            "type: online",
            "type: online\n  key_password: ${NEW_KEY_PW}\n  key_algorithm: ECC",
        )
        + "api: CertificateInfoSubmit\norganization:\n  company_id: \"1001\"\n";
    let test = || {
        Test::new()
            .file("acme.yaml", PROFILE)
            .file("www.yaml", CERTIFICATE)
            .file("new.yaml", &successor)
            .env("NEW_KEY_PW", "new-key-password-77")
    };
    let run = test()
        .args(["render", ".", "--output", "json"])
        .run()
        .success()
        .output_lacks("new-key-password-77");
    let report = run.json();
    let find = |name: &str| {
        report["certificates"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["name"] == name))
            .cloned()
            .expect("a certificate")
    };
    let new = find("new");
    assert_eq!(new["api"], "CertificateInfoSubmit");
    assert_eq!(new["api_choice"], "manifest");
    assert_eq!(new["requests"][0]["action"], "CertificateInfoSubmit");
    let body = &new["requests"][0]["body"];
    assert_eq!(body["CertId"], "new00001");
    assert_eq!(body["CertCommonName"], "new.acme.example");
    assert_eq!(body["CompanyType"], 2);
    assert_eq!(body["CompanyId"], "1001");
    assert_eq!(body["ManagerId"], "0");
    assert_eq!(body["KeyPass"], "********");
    assert_eq!(body["CsrEncryptAlgo"], "ECC");
    assert_eq!(body["CsrKeyParameter"], "prime256v1", "defaulted from ECC");
    assert_eq!(body["OrgPhoneArea"], "0755");
    assert!(body.get("PostalCode").is_none());
    assert_eq!(
        new["not_sent"],
        serde_json::json!(["organization.postal_code"])
    );
    assert_eq!(
        new["provenance"]["OrgOrganization"]["layer"],
        "profile acme"
    );
    assert_eq!(new["provenance"]["CompanyId"]["layer"], "certificate new");

    let www = find("www");
    assert_eq!(www["api"], "SubmitCertificateInformation");
    assert_eq!(www["api_choice"], "default");
    assert_eq!(www["requests"][0]["action"], "SubmitCertificateInformation");
    assert_eq!(www["requests"][0]["body"]["PostalCode"], "518000");
    assert_eq!(www["not_sent"], serde_json::json!([]));

    // --api moves the certificates that do not say; `new` said.
    let run = test()
        .args(["render", ".", "--api", "CertificateInfoSubmit"])
        .run()
        .success()
        .stdout_contains("api        CertificateInfoSubmit (from --api)")
        .stdout_contains("api        CertificateInfoSubmit (set by `api:` at ./new.yaml:")
        .stdout_contains("request CertificateInfoSubmit:")
        .stdout_contains("\"OrgOrganization\": \"Acme Ltd\"")
        .stderr_contains("warning[field-not-sent]")
        .output_lacks("new-key-password-77");
    assert!(
        !run.stdout()
            .contains("request SubmitCertificateInformation")
    );
}

/// Logs are plain text when stderr is not a terminal (CI, files): colour
/// codes there only clutter the log.
#[test]
fn logs_have_no_colour_codes_off_a_terminal() {
    Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", CERTIFICATE)
        .args(["plan", ".", "--emulator", "-vv"])
        .run()
        .success()
        .stderr_contains("INFO")
        .output_lacks("\u{1b}[");
}

#[test]
fn apply_refuses_detailed_exitcode() {
    Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", CERTIFICATE)
        .args(["apply", ".", "--emulator", "--detailed-exitcode"])
        .run()
        .failure()
        .stderr_contains("--detailed-exitcode is for plan");
}

/// Everything a certificate holds itself is checked even when its profiles
/// are missing, and an empty certificate id is an error.
#[test]
fn one_run_shows_problems_beside_a_missing_profile() {
    let certificate = CERTIFICATE
        .replace("profiles: [acme]", "profiles: [acme, nope]")
        .replace(
            "domain: www.acme.example",
            "domain: www.acme.example\ndomains: [bad..domain]",
        )
        .replace("certificate_id: abcb1234", "certificate_id: \"\"");
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file("www.yaml", &certificate)
        .args(["validate", ".", "--output", "json"])
        .run()
        .failure();
    let report = run.json();
    let codes: Vec<&str> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    for code in ["unknown-profile", "invalid-domain", "empty-value"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    // What was read is counted even though it is invalid.
    assert_eq!(report["profiles"], 1);
    assert_eq!(report["certificates"], 1);
}

/// A certificate whose profile has a missing or cyclic parent cannot be
/// merged: the one cause is reported, never the follow-on "missing field"
/// errors a half-merged certificate would produce.
#[test]
fn a_missing_or_cyclic_grandparent_profile_stops_the_merge() {
    let certificate =
        crate::support::fixtures::CERTIFICATE.replace("profiles: [acme]", "profiles: [a]");
    let cases = [
        (
            "missing",
            "apiVersion: tccert/v1\nkind: Profile\nname: a\nprofiles: [missing]\norganization:\n  name: Acme\n",
            "unknown-profile",
        ),
        (
            "cycle",
            "apiVersion: tccert/v1\nkind: Profile\nname: a\nprofiles: [b]\n---\napiVersion: tccert/v1\nkind: Profile\nname: b\nprofiles: [a]\n",
            "profile-cycle",
        ),
    ];
    for (case, profiles, code) in cases {
        let run = Test::new()
            .file("certificates/www.yaml", &certificate)
            .file("profiles/p.yaml", profiles)
            .args(["validate", ".", "--output", "json"])
            .run()
            .failure();
        let report = run.json();
        let codes: Vec<&str> = report["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["severity"] == "error")
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert_eq!(codes, [code], "{case}: {report:#}");
    }
}
