//! Accounts (`kind: Account`): several sets of credentials in one run,
//! against the emulator serving accounts: each certificate written with its
//! own account's key pair, an account's refused credentials stopping only
//! its certificates, each account at its own pace, `emulator --seed` with
//! accounts, `render`, the diagnostics, `status` reading each certificate
//! with its own account's key pair, and `import --account` round trips.
//! (`apply examples/ --emulator`, whose Account's variables are unset, is
//! in `apply`.)

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tccert::emulator::{EmulatorAccount, SeedCertificate};

use crate::support::cli::{Run, Test};
use crate::support::emulator::{Emulator, SECRET_ID, SECRET_KEY};
use crate::support::fixtures::{CERTIFICATE, PROFILE};

const HK_ID: &str = "AKIDaccountHK000000000000000000000000";
const HK_KEY: &str = "hk-account-secret-key-4b1d";
const CN_ID: &str = "AKIDaccountCN000000000000000000000000";
const CN_KEY: &str = "cn-account-secret-key-9e2a";
const CN_TOKEN: &str = "cn-sts-token-77c1";

fn account(name: &str, variable: &str) -> String {
    format!(
        "apiVersion: tccert/v1\nkind: Account\nname: {name}\nsite: china\nsecret_id: ${{{variable}_ID}}\nsecret_key: ${{{variable}_KEY}}\ntoken: ${{{variable}_TOKEN:-}}\n"
    )
}

/// Certificate `name` (id `{name}-id`, domain `{name}.acme.example`), with
/// `account: ...` when given.
fn certificate(name: &str, account: Option<&str>) -> String {
    let mut text = CERTIFICATE
        .replace("name: www", &format!("name: {name}"))
        .replace("abcb1234", &format!("{name}-id"))
        .replace("www.acme.example", &format!("{name}.acme.example"));
    if let Some(account) = account {
        text.push_str(&format!("account: {account}\n"));
    }
    text
}

fn seed(name: &str, owner: Option<&str>) -> SeedCertificate {
    SeedCertificate {
        certificate_id: format!("{name}-id"),
        domain: format!("{name}.acme.example"),
        owner: owner.map(str::to_string),
    }
}

fn emulator_account(name: &str, id: &str, key: &str) -> EmulatorAccount {
    EmulatorAccount {
        name: name.into(),
        secret_id: id.into(),
        secret_key: key.into(),
        key_variable: None,
    }
}

/// The emulator with the default pair, `hk` and `cn`; `www` owned by the
/// default, `pay` by hk, `shop` by cn.
fn three_owners(rate: f64) -> Emulator {
    Emulator::start(&[], &[], |config| {
        config.rate_per_second = rate;
        config.accounts = vec![
            emulator_account("hk", HK_ID, HK_KEY),
            emulator_account("cn", CN_ID, CN_KEY),
        ];
        config.seed = vec![
            seed("www", None),
            seed("pay", Some("hk")),
            seed("shop", Some("cn")),
        ];
    })
}

/// The manifests of [`three_owners`]: hk through the certificate itself,
/// cn through a profile.
fn three_manifests() -> Test {
    let cn_profile = "apiVersion: tccert/v1\nkind: Profile\nname: cn-team\naccount: cn\n";
    let shop = certificate("shop", None).replace("profiles: [acme]", "profiles: [acme, cn-team]");
    Test::new()
        .file("profiles/acme.yaml", PROFILE)
        .file("profiles/cn-team.yaml", cn_profile)
        .file("accounts/hk.yaml", &account("hk", "HK"))
        .file("accounts/cn.yaml", &account("cn", "CN"))
        .file("certificates/www.yaml", &certificate("www", None))
        .file("certificates/pay.yaml", &certificate("pay", Some("hk")))
        .file("certificates/shop.yaml", &shop)
}

fn apply(test: Test, emulator: &Emulator, extra: &[&str]) -> Run {
    let url = emulator.url();
    let mut args = vec!["apply", ".", "--endpoint", url.as_str(), "--output", "json"];
    args.extend_from_slice(extra);
    test.args(args)
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("HK_ID", HK_ID)
        .env("HK_KEY", HK_KEY)
        .env("CN_ID", CN_ID)
        .env("CN_KEY", CN_KEY)
        .env("CN_TOKEN", CN_TOKEN)
        .run()
}

/// (name, result, account) of every certificate in a JSON report.
fn results(run: &Run) -> Vec<(String, String, Option<String>)> {
    run.json()["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["result"].as_str().unwrap_or_default().to_string(),
                c["account"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn row(name: &str, result: &str, account: Option<&str>) -> (String, String, Option<String>) {
    (name.into(), result.into(), account.map(str::to_string))
}

/// The run of [`three_manifests`] submitted every certificate, each with
/// its account's key pair: the emulator answers a certificate only to its
/// owner's key pair, and says which SecretId wrote it.
fn each_written_with_its_own_key_pair(run: &Run, emulator: &Emulator) {
    assert_eq!(
        results(run),
        [
            row("pay", "submitted", Some("hk")),
            row("shop", "submitted", Some("cn")),
            row("www", "submitted", None),
        ]
    );
    let written = |id: &str| emulator.certificate(id).written_with;
    assert_eq!(written("www-id").as_deref(), Some(SECRET_ID));
    assert_eq!(written("pay-id").as_deref(), Some(HK_ID));
    assert_eq!(written("shop-id").as_deref(), Some(CN_ID));
}

#[test]
fn each_certificate_is_written_with_its_own_accounts_key_pair() {
    let emulator = three_owners(1000.0);
    let run = apply(three_manifests(), &emulator, &["-vvv"]).success();
    each_written_with_its_own_key_pair(&run, &emulator);
    // No credential of any account shows, at -vvv (`--endpoint` replaced
    // every account's `site: china`).
    for secret in [SECRET_KEY, HK_KEY, CN_KEY, CN_TOKEN, HK_ID, CN_ID] {
        assert!(
            !run.stdout().contains(secret) && !run.stderr().contains(secret),
            "{secret} shown:\n{}",
            run.stderr()
        );
    }
    assert!(run.stderr().contains("account=hk"), "{}", run.stderr());
}

#[test]
fn an_accounts_refused_credentials_stop_only_its_certificates() {
    let emulator = three_owners(1000.0);
    let test = three_manifests()
        .file("certificates/pay2.yaml", &certificate("pay2", Some("hk")))
        .env("HK_KEY", "not-the-key");
    let url = emulator.url();
    // hk's key is wrong (HK_KEY above); the others are right.
    let run = test
        .args(["apply", ".", "--endpoint", url.as_str(), "--output", "json"])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("HK_ID", HK_ID)
        .env("CN_ID", CN_ID)
        .env("CN_KEY", CN_KEY)
        .run()
        .failure();
    let json = run.json();
    let by_name = |name: &str| {
        json["certificates"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["name"] == name))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(by_name("www")["result"], "submitted");
    assert_eq!(by_name("shop")["result"], "submitted");
    for name in ["pay", "pay2"] {
        let hk = by_name(name);
        assert_eq!(hk["result"], "failed", "{hk}");
        let code = hk["error"]["code"].as_str().unwrap_or_default();
        let message = hk["error"]["message"].as_str().unwrap_or_default();
        assert!(
            code == "AuthFailure.SignatureFailure"
                || message == "not sent: account `hk` stopped at AuthFailure.SignatureFailure",
            "{hk}"
        );
    }
    assert_eq!(json["stopped"]["account"], "hk");
    assert_eq!(json["stopped"]["code"], "AuthFailure.SignatureFailure");
    assert_eq!(json["stops"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        emulator.snapshot().auth_failures,
        1,
        "nothing more sent as hk"
    );
}

#[test]
fn an_account_variable_unset_is_an_error_before_any_request() {
    let emulator = three_owners(1000.0);
    let url = emulator.url();
    three_manifests()
        .args(["apply", ".", "--endpoint", url.as_str()])
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("HK_ID", HK_ID)
        .env("HK_KEY", "")
        .env("CN_ID", CN_ID)
        .env("CN_KEY", CN_KEY)
        .run()
        .failure()
        .stderr_contains("error: account `hk`: `secret_key` reads HK_KEY, which is unset or empty");
    assert_eq!(emulator.requests(), 0);
}

#[test]
fn default_credentials_are_needed_only_for_certificates_without_an_account() {
    let emulator = Emulator::start(&[], &[], |config| {
        config.credentials.clear();
        config.accounts = vec![emulator_account("hk", HK_ID, HK_KEY)];
        config.seed = vec![seed("pay", Some("hk"))];
    });
    let url = emulator.url();
    let run = Test::new()
        .file("profiles/acme.yaml", PROFILE)
        .file("accounts/hk.yaml", &account("hk", "HK"))
        .file("pay.yaml", &certificate("pay", Some("hk")))
        .args(["apply", ".", "--endpoint", url.as_str(), "--output", "json"])
        .env("HK_ID", HK_ID)
        .env("HK_KEY", HK_KEY)
        .run()
        .success();
    assert_eq!(results(&run), [row("pay", "submitted", Some("hk"))]);
}

#[test]
fn another_accounts_certificate_is_not_found() {
    // The emulator has pay under cn; the manifest sends it as hk.
    let emulator = Emulator::start(&[], &[], |config| {
        config.accounts = vec![
            emulator_account("hk", HK_ID, HK_KEY),
            emulator_account("cn", CN_ID, CN_KEY),
        ];
        config.seed = vec![seed("pay", Some("cn"))];
    });
    let test = Test::new()
        .file("profiles/acme.yaml", PROFILE)
        .file("accounts/hk.yaml", &account("hk", "HK"))
        .file("pay.yaml", &certificate("pay", Some("hk")));
    let run = apply(test, &emulator, &[]).failure();
    let json = run.json();
    assert_eq!(
        json["certificates"][0]["error"]["code"],
        "FailedOperation.CertificateNotFound"
    );
}

#[test]
fn two_accounts_write_at_twice_the_limit_over_http() {
    // 2 accounts x 40 certificates, the emulator enforcing 10 a second per
    // action and account. One account would need 79 intervals of 100 ms
    // for its 80 writes (7.9 s); two accounts each write 40 (about 4 s),
    // with nothing throttled.
    const N: usize = 40;
    let emulator = Emulator::start(&[], &[], |config| {
        config.rate_per_second = 10.0;
        config.accounts = vec![
            emulator_account("hk", HK_ID, HK_KEY),
            emulator_account("cn", CN_ID, CN_KEY),
        ];
        config.seed = (0..N)
            .flat_map(|i| {
                [
                    seed(&format!("h{i}"), Some("hk")),
                    seed(&format!("c{i}"), Some("cn")),
                ]
            })
            .collect();
    });
    let mut test = Test::new()
        .file("profiles/acme.yaml", PROFILE)
        .file("accounts/hk.yaml", &account("hk", "HK"))
        .file("accounts/cn.yaml", &account("cn", "CN"));
    for i in 0..N {
        test = test
            .file(
                &format!("h/h{i}.yaml"),
                &certificate(&format!("h{i}"), Some("hk")),
            )
            .file(
                &format!("c/c{i}.yaml"),
                &certificate(&format!("c{i}"), Some("cn")),
            );
    }
    let started = Instant::now();
    let run = apply(test, &emulator, &[]).success();
    let wall = started.elapsed();
    let results = results(&run);
    assert_eq!(results.len(), 2 * N);
    assert!(
        results.iter().all(|(_, r, _)| r == "submitted"),
        "{results:?}"
    );
    let state = emulator.snapshot();
    assert_eq!(state.throttled, 0, "no account went over its limit");
    // One account could not do it under 7.9 s: 80 writes at 10 a second,
    // the first at 0 s and the last at 7.9 s at the earliest (reads before
    // them not counted). Two accounts need about half.
    assert!(
        wall < Duration::from_millis(7_900),
        "80 writes took {wall:?}: not faster than one account's limit allows"
    );
}

#[test]
fn the_standalone_emulator_prints_one_line_per_account() {
    let test = three_manifests();
    let dir = test.path().to_path_buf();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tccert"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed", "."])
        .current_dir(&dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // hk's variables are set: its line uses them; cn's are not: made up.
        .env("HK_ID", HK_ID)
        .env("HK_KEY", HK_KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the emulator");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut next = || lines.next().and_then(Result::ok).unwrap_or_default();
    let url = next();
    let default_id = next();
    let default_key = next();
    let accounts = [next(), next()];
    let _ = child.kill();
    let _ = child.wait();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(
        default_id.starts_with("TENCENTCLOUD_SECRET_ID="),
        "{default_id}"
    );
    assert!(
        default_key.starts_with("TENCENTCLOUD_SECRET_KEY="),
        "{default_key}"
    );
    // In the order the manifests hold them: accounts/cn.yaml, accounts/hk.yaml.
    let cn: Vec<&str> = accounts[0].split(' ').collect();
    assert_eq!(cn.len(), 4, "{accounts:?}");
    assert_eq!(&cn[..2], ["ACCOUNT", "cn"]);
    assert!(cn[2].starts_with("AKIDemu"), "generated: {accounts:?}");
    // A key read from the account's variables is never printed (it may be
    // a real one): the line names the variable instead.
    assert_eq!(accounts[1], format!("ACCOUNT hk {HK_ID} ${{HK_KEY}}"));
    assert!(!accounts.concat().contains(HK_KEY), "{accounts:?}");
}

#[test]
fn literal_secret_diagnostic() {
    let account = account("hk", "HK").replace("${HK_KEY}", "sk-literal-do-not-show");
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file("hk.yaml", &account)
        .file("www.yaml", &certificate("www", Some("hk")))
        .args(["validate", "."])
        .run()
        .failure()
        .output_lacks("sk-literal-do-not-show");
    insta::assert_snapshot!("literal_secret", run.stderr());
}

#[test]
fn unknown_and_unused_account_diagnostics() {
    let profile = PROFILE.replace("name: acme\n", "name: acme\naccount: hq\n");
    let run = Test::new()
        .file("acme.yaml", &profile)
        .file("hk.yaml", &account("hk", "HK"))
        .file("www.yaml", &certificate("www", Some("hkk")))
        .args(["validate", "."])
        .run()
        .failure();
    insta::assert_snapshot!("unknown_and_unused_account", run.stderr());
}

#[test]
fn an_account_in_toml_validates_and_an_unused_one_is_a_warning() {
    let toml = "apiVersion = \"tccert/v1\"\nkind = \"Account\"\nname = \"spare\"\nprofile = \"spare\"\nrate = 2.5\n";
    let run = Test::new()
        .file("acme.yaml", PROFILE)
        .file("spare.toml", toml)
        .file("www.yaml", &certificate("www", None))
        .args(["validate", "."])
        .run()
        .success()
        .stdout_contains("valid: 1 certificate, 1 profile and 1 account in 3 files");
    insta::assert_snapshot!("unused_account", run.stderr());
}

#[test]
fn render_names_each_certificates_account_and_reads_no_variable() {
    let run = three_manifests()
        .args(["render", ".", "--output", "json"])
        .run()
        .success();
    let accounts: Vec<serde_json::Value> = run.json()["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["account"].clone())
        .collect();
    assert_eq!(
        accounts,
        [
            serde_json::json!("hk"),
            "cn".into(),
            serde_json::Value::Null
        ]
    );
}

/// One run in `dir` with every credential of [`three_manifests`].
fn run_in(dir: &std::path::Path, args: &[&str]) -> Run {
    Test::from_dir(dir.to_path_buf())
        .args(args.iter().copied())
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .env("HK_ID", HK_ID)
        .env("HK_KEY", HK_KEY)
        .env("CN_ID", CN_ID)
        .env("CN_KEY", CN_KEY)
        .env("CN_TOKEN", CN_TOKEN)
        .run()
}

#[test]
fn a_saved_plan_over_two_accounts_applies_each_certificate_with_its_own_account() {
    let emulator = three_owners(1000.0);
    let test = three_manifests();
    let dir = test.path().to_path_buf();
    let url = emulator.url();
    let plan = [
        "plan",
        ".",
        "--endpoint",
        &url,
        "--out",
        "plan.json",
        "--detailed-exitcode",
    ];
    run_in(&dir, &plan).code_is(2);
    let saved = std::fs::read_to_string(dir.join("plan.json")).expect("the plan file");
    let saved: serde_json::Value = serde_json::from_str(&saved).expect("JSON");
    let accounts: Vec<(&str, Option<&str>)> = saved["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default(),
                c["account"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        accounts,
        [("pay", Some("hk")), ("shop", Some("cn")), ("www", None)]
    );
    let apply = [
        "apply",
        "--plan",
        "plan.json",
        "--endpoint",
        &url,
        "--output",
        "json",
    ];
    // A certificate moved to another account since the plan: nothing is
    // sent, as for a certificate moved to another file.
    let pay = dir.join("certificates/pay.yaml");
    let planned_pay = std::fs::read_to_string(&pay).expect("pay");
    std::fs::write(&pay, planned_pay.replace("account: hk", "account: cn")).expect("write");
    let moved = run_in(&dir, &apply).failure();
    assert!(
        moved
            .stderr()
            .contains("certificate pay is now sent with account cn, the plan has account hk"),
        "{}",
        moved.stderr()
    );
    assert_eq!(emulator.certificate("www-id").written_with, None);
    std::fs::write(&pay, planned_pay).expect("write");
    let applied = run_in(&dir, &apply).success();
    each_written_with_its_own_key_pair(&applied, &emulator);
}

#[test]
fn a_target_needs_only_its_accounts_credentials() {
    let emulator = three_owners(1000.0);
    let url = emulator.url();
    // Only hk's variables: the default credentials and cn's are not read,
    // since the one certificate targeted is hk's.
    let run = three_manifests()
        .args([
            "apply",
            ".",
            "--target",
            "pay",
            "--endpoint",
            &url,
            "--output",
            "json",
        ])
        .env("HK_ID", HK_ID)
        .env("HK_KEY", HK_KEY)
        .run()
        .success();
    assert_eq!(results(&run), [row("pay", "submitted", Some("hk"))]);
    assert_eq!(
        emulator.certificate("pay-id").written_with.as_deref(),
        Some(HK_ID)
    );
}

/// `tccert ARGS` in `dir` (a tree an earlier run left), with the variables
/// of `accounts` (`HK`, `CN`) and, with `default`, the default credentials.
fn read_in(dir: &std::path::Path, args: &[&str], accounts: &[&str], default: bool) -> Run {
    let mut test = Test::from_dir(dir.to_path_buf()).args(args.iter().copied());
    if default {
        test = test
            .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
            .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY);
    }
    for account in accounts {
        let (id, key) = match *account {
            "HK" => (HK_ID, HK_KEY),
            _ => (CN_ID, CN_KEY),
        };
        test = test
            .env(&format!("{account}_ID"), id)
            .env(&format!("{account}_KEY"), key);
    }
    test.run()
}

/// (name, account, status) of each certificate of a status JSON report.
fn statuses(run: &Run) -> Vec<(String, Option<String>, u64)> {
    run.json()["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_string(),
                c["account"].as_str().map(str::to_string),
                c["status"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn status_reads_each_certificate_with_its_own_accounts_key_pair() {
    let emulator = three_owners(1000.0);
    let applied = apply(three_manifests(), &emulator, &["--commit"]).success();
    let dir = applied._dir.path();
    let url = emulator.url();
    // `status . --endpoint URL EXTRA...` with the accounts' variables, and
    // the default credentials with `default`.
    let status = |extra: &[&str], default: bool| {
        let mut args = vec!["status", ".", "--endpoint", url.as_str()];
        args.extend_from_slice(extra);
        read_in(dir, &args, &["HK", "CN"], default)
    };
    let describes = |id: &str| emulator.certificate(id).describes;
    let before: Vec<u64> = ["www-id", "pay-id", "shop-id"].map(describes).to_vec();
    let run = status(&["--output", "json", "-vvv"], true).success();
    // The emulator answers a certificate to its owner's key pair only
    // (another gets CertificateNotFound, a failed read and exit 1).
    let pending = 8;
    assert_eq!(
        statuses(&run),
        [
            ("pay".to_string(), Some("hk".to_string()), pending),
            ("shop".to_string(), Some("cn".to_string()), pending),
            ("www".to_string(), None, pending),
        ]
    );
    for certificate in run.json()["certificates"].as_array().expect("a list") {
        assert!(
            !certificate["validation"]
                .as_array()
                .expect("a list")
                .is_empty(),
            "each owner sees its order's validation records: {certificate}"
        );
    }
    let after: Vec<u64> = ["www-id", "pay-id", "shop-id"].map(describes).to_vec();
    assert_eq!(
        after,
        before.iter().map(|n| n + 1).collect::<Vec<_>>(),
        "one read each"
    );
    for secret in [SECRET_KEY, HK_KEY, CN_KEY, HK_ID, CN_ID] {
        assert!(
            !run.stdout().contains(secret) && !run.stderr().contains(secret),
            "{secret} shown"
        );
    }

    // Text and Markdown name the account, `-` for the default credentials.
    let text = status(&[], true).success().stdout();
    let account_of = |name: &str| -> Option<String> {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
    };
    assert_eq!(account_of("pay").as_deref(), Some("hk"), "{text}");
    assert_eq!(account_of("www").as_deref(), Some("-"), "{text}");
    let markdown = status(&["--output", "markdown"], true).success().stdout();
    assert!(
        markdown.contains("| `shop` | cn | `shop-id` |"),
        "{markdown}"
    );

    // Only the accounts' certificates: no default credentials are needed.
    let accounts_only = status(
        &["--output", "json", "--target", "pay", "--target", "shop"],
        false,
    )
    .success();
    assert_eq!(statuses(&accounts_only).len(), 2);
    // The default credentials are needed for www: a clear error, no read.
    let reads = emulator.requests();
    status(&[], false)
        .failure()
        .stderr_contains("TENCENTCLOUD_SECRET_ID");
    assert_eq!(emulator.requests(), reads, "nothing read");
}

#[test]
fn status_an_accounts_refused_credentials_fail_only_its_certificates() {
    let emulator = three_owners(1000.0);
    let applied = apply(three_manifests(), &emulator, &[]).success();
    let url = emulator.url();
    let run = Test::from_dir(applied._dir.path().to_path_buf())
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
        .env("HK_ID", HK_ID)
        .env("HK_KEY", "not-hk-s-key")
        .env("CN_ID", CN_ID)
        .env("CN_KEY", CN_KEY)
        .run()
        .failure()
        .stderr_contains("account `hk`: stopped at AuthFailure.SignatureFailure");
    let json = run.json();
    let certificates = json["certificates"].as_array().expect("a list");
    let error = |i: usize| certificates[i]["error"]["code"].clone();
    assert_eq!(certificates[0]["name"], "pay");
    assert_eq!(error(0), "AuthFailure.SignatureFailure");
    assert_eq!(
        (certificates[1]["status"].clone(), error(1)),
        (serde_json::json!(5), serde_json::Value::Null),
        "cn goes on"
    );
    assert_eq!(
        certificates[2]["status"], 5,
        "the default credentials go on"
    );
}

#[test]
fn status_emulator_with_accounts_reads_no_variable() {
    let run = three_manifests()
        .args(["status", ".", "--emulator", "--output", "json"])
        .run()
        .success();
    assert_eq!(
        statuses(&run),
        [
            ("pay".to_string(), Some("hk".to_string()), 5),
            ("shop".to_string(), Some("cn".to_string()), 5),
            ("www".to_string(), None, 5),
        ]
    );
}

#[test]
fn import_account_round_trips_with_that_accounts_key_pair_only() {
    let emulator = three_owners(1000.0);
    let applied = apply(three_manifests(), &emulator, &[]).success();
    let dir = applied._dir.path();
    let url = emulator.url();
    // Only hk's variables: neither the default credentials nor cn's (the
    // other Account in accounts/) are read.
    let run = read_in(
        dir,
        &[
            "import",
            "--account",
            "hk",
            "--accounts",
            "accounts",
            "--endpoint",
            &url,
            "--out",
            "out",
            "--output",
            "json",
        ],
        &["HK"],
        false,
    )
    .success();
    let report = run.json();
    assert_eq!(report["account"], "hk");
    let names: Vec<&str> = report["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["pay-acme-example"],
        "hk lists only its own certificates"
    );
    let written: Vec<String> = std::fs::read_dir(dir.join("out/certificates"))
        .expect("the certificates")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written, ["pay-acme-example.yaml"]);
    let pay = std::fs::read_to_string(dir.join("out/certificates/pay-acme-example.yaml"))
        .expect("the certificate");
    assert!(
        pay.contains("\ncertificate_id: pay-id\naccount: hk\n"),
        "{pay}"
    );

    // validate: the imported tree and the Account file, no warning.
    let validated = read_in(dir, &["validate", "out", "accounts/hk.yaml"], &[], false).success();
    assert!(
        !validated.stdout().contains("warning") && !validated.stderr().contains("warning"),
        "{}{}",
        validated.stdout(),
        validated.stderr()
    );
    // plan: in sync, read with hk's key pair (any other gets
    // CertificateNotFound); --endpoint replaces the account's site.
    let reads = emulator.certificate("pay-id").describes;
    let planned = read_in(
        dir,
        &[
            "plan",
            "out",
            "accounts/hk.yaml",
            "--endpoint",
            &url,
            "--output",
            "json",
        ],
        &["HK"],
        false,
    )
    .success();
    assert_eq!(
        results(&planned),
        [row("pay-acme-example", "in_sync", Some("hk"))]
    );
    assert_eq!(emulator.certificate("pay-id").describes, reads + 1);
}

#[test]
fn import_account_unknown_or_without_its_variables_is_an_error_before_any_read() {
    let emulator = three_owners(1000.0);
    let test = three_manifests();
    let dir = test.path().to_path_buf();
    let url = emulator.url();
    let import = |account: &str, variables: &[&str]| {
        read_in(
            &dir,
            &[
                "import",
                "--account",
                account,
                "--accounts",
                "accounts",
                "--endpoint",
                &url,
                "--out",
                "out",
            ],
            variables,
            true,
        )
    };
    import("nope", &["HK", "CN"])
        .failure()
        .stderr_contains("--account nope: no Account document of that name in --accounts accounts (accounts there: cn, hk)");
    import("hk", &["CN"])
        .failure()
        .stderr_contains("account `hk`: `secret_id` reads HK_ID, which is unset or empty");
    assert_eq!(emulator.requests(), 0, "nothing read");
    assert!(!dir.join("out").exists(), "nothing written");
    drop(test);
}

/// `download` reads and downloads each certificate with its own account's
/// key pair: the emulator answers a certificate to its owner only, so
/// three downloads prove three key pairs.
#[test]
fn download_fetches_each_certificate_with_its_own_accounts_key_pair() {
    let emulator = Emulator::start(&[], &[], |config| {
        config.rate_per_second = 1000.0;
        config.issue_after = Some(std::time::Duration::ZERO);
        config.accounts = vec![
            emulator_account("hk", HK_ID, HK_KEY),
            emulator_account("cn", CN_ID, CN_KEY),
        ];
        config.seed = vec![
            seed("www", None),
            seed("pay", Some("hk")),
            seed("shop", Some("cn")),
        ];
    });
    let applied = apply(three_manifests(), &emulator, &["--commit"]).success();
    let dir = applied._dir.path();
    let url = emulator.url();
    let run = read_in(
        dir,
        &[
            "download",
            ".",
            "--out",
            "certs",
            "--endpoint",
            &url,
            "--output",
            "json",
        ],
        &["HK", "CN"],
        true,
    )
    .success();
    let report = run.json();
    let rows: Vec<(String, Option<String>, String)> = report["certificates"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["account"].as_str().map(str::to_owned),
                c["result"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "pay".to_owned(),
                Some("hk".to_owned()),
                "downloaded".to_owned()
            ),
            (
                "shop".to_owned(),
                Some("cn".to_owned()),
                "downloaded".to_owned()
            ),
            ("www".to_owned(), None, "downloaded".to_owned()),
        ],
        "{report}"
    );
    for (name, id) in [("pay", "pay-id"), ("shop", "shop-id"), ("www", "www-id")] {
        assert!(
            dir.join(format!(
                "certs/{name}/{name}.acme.example_nginx/{name}.acme.example_bundle.crt"
            ))
            .is_file(),
            "{name}"
        );
        assert_eq!(
            emulator
                .certificate(id)
                .lifecycle_received
                .get("DownloadCertificate"),
            Some(&1),
            "{name}"
        );
    }
}
