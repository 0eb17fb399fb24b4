//! The front door of the pipeline: from PATHs to the certificates a run may
//! send. Every command that reads manifests, the benchmarks and the fuzz
//! targets come in here, so the safety rule below is kept in one place.
//!
//! Invariant: nothing is sent while any manifest is invalid. [`load_and_validate`]
//! loads and validates everything first, and [`Checked::valid`] hands out
//! certificates only when the whole run, every file and every document, has
//! no error; a clean certificate beside a broken one is not sendable.

use std::path::PathBuf;

use crate::certificate::{Account, Certificate};
use crate::diag::Diagnostics;
use crate::manifest::load::{Budget, Loaded, load_trusted};
use crate::system::{Environment, FileSystem};
use crate::validate::{self, Options};

/// What a run found valid: there is no error anywhere in its manifests.
#[derive(Debug, Default)]
pub struct Valid {
    pub certificates: Vec<Certificate>,
    pub profile_count: usize,
    /// Every Account of the manifests (validated; used or not).
    pub accounts: Vec<Account>,
}

/// What loading and validating found.
#[derive(Debug)]
pub struct Checked {
    /// The files read and the documents in them, valid or not.
    pub loaded: Loaded,
    /// Every problem found, errors and warnings.
    pub diagnostics: Diagnostics,
    valid: Option<Valid>,
}

impl Checked {
    /// The certificates to send; `None` when any manifest has an error.
    pub fn valid(&self) -> Option<&Valid> {
        self.valid.as_ref()
    }

    /// The parts, the certificates only when there is no error.
    pub fn into_parts(self) -> (Loaded, Diagnostics, Option<Valid>) {
        (self.loaded, self.diagnostics, self.valid)
    }
}

/// Loads every manifest under `paths` (within `budget`) and validates them.
/// Every problem is collected, so the user sees all of them in one run:
/// documents that did load are checked even when another file failed.
pub fn load_and_validate(
    paths: &[PathBuf],
    fs: &dyn FileSystem,
    env: &dyn Environment,
    budget: Budget,
    options: Options,
) -> Checked {
    let mut loaded = load_trusted(paths, fs, env, budget, &options.trust);
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    let validated = validate::validate_with(&loaded, options, &mut diagnostics);
    let valid = (!diagnostics.has_errors()).then_some(Valid {
        certificates: validated.certificates,
        profile_count: validated.profile_count,
        accounts: validated.accounts,
    });
    Checked {
        loaded,
        diagnostics,
        valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::testing::{PROFILE, certificate, files};
    use crate::system::MapEnvironment;

    fn check(list: &[(&str, &str)]) -> Checked {
        let (fs, paths) = files(list);
        load_and_validate(
            &paths,
            &fs,
            &MapEnvironment::default(),
            Budget::default(),
            Options::default(),
        )
    }

    #[test]
    fn a_valid_run_hands_out_every_certificate() {
        let www = certificate("www", "abc1", "");
        let api = certificate("api", "abc2", "");
        let checked = check(&[("p.yaml", PROFILE), ("www.yaml", &www), ("api.yaml", &api)]);
        let valid = checked.valid().map(|v| {
            let names: Vec<&str> = v.certificates.iter().map(|c| c.name.as_str()).collect();
            (names, v.profile_count)
        });
        assert_eq!(valid, Some((vec!["www", "api"], 1)));
        assert!(!checked.diagnostics.has_errors());
    }

    #[test]
    fn one_invalid_certificate_withholds_the_clean_ones() {
        let www = certificate("www", "abc1", "");
        // A second certificate with the same id: an error on that one only.
        let again = certificate("again", "abc1", "");
        let checked = check(&[
            ("p.yaml", PROFILE),
            ("www.yaml", &www),
            ("again.yaml", &again),
        ]);
        assert!(checked.diagnostics.has_errors());
        assert!(checked.valid().is_none());
        let (loaded, diagnostics, valid) = checked.into_parts();
        assert!(valid.is_none());
        assert_eq!(loaded.documents.len(), 3, "what was read is still there");
        assert!(diagnostics.error_count() >= 1);
    }

    #[test]
    fn a_file_that_does_not_load_withholds_the_rest_and_the_rest_is_still_checked() {
        let www = certificate("www", "abc1", "");
        let broken = "apiVersion: tccert/v1\nkind: [";
        // `bad` is valid YAML whose certificate is checked although
        // another file failed to parse.
        let bad =
            certificate("bad", "abc3", "").replace("domain: bad.acme.example", "domain: -bad-");
        let checked = check(&[
            ("p.yaml", PROFILE),
            ("www.yaml", &www),
            ("broken.yaml", broken),
            ("bad.yaml", &bad),
        ]);
        assert!(checked.valid().is_none());
        let codes: Vec<&str> = checked
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert!(codes.contains(&"yaml-syntax"), "{codes:?}");
        assert!(codes.contains(&"invalid-domain"), "{codes:?}");
    }

    use crate::manifest::trust::Trust;

    fn check_with(list: &[(&str, &str)], env: MapEnvironment, trust: Trust) -> Checked {
        let (fs, paths) = files(list);
        load_and_validate(
            &paths,
            &fs,
            &env,
            Budget::default(),
            Options {
                trust,
                ..Options::default()
            },
        )
    }

    fn codes(checked: &Checked) -> Vec<&'static str> {
        checked
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect()
    }

    fn everything(checked: &Checked) -> String {
        format!("{:?}", checked.diagnostics.iter().collect::<Vec<_>>())
    }

    const ACCOUNT: &str = "apiVersion: tccert/v1\nkind: Account\nname: hk\nsecret_id: ${HK_ID}\nsecret_key: ${HK_KEY}\n";

    fn with_account(extra: &str) -> Vec<(String, String)> {
        vec![
            ("a.yaml".into(), format!("{ACCOUNT}{extra}")),
            ("p.yaml".into(), PROFILE.into()),
            (
                "www.yaml".into(),
                certificate("www", "abc1", "account: hk\n"),
            ),
        ]
    }

    fn run(list: &[(String, String)], env: MapEnvironment, trust: Trust) -> Checked {
        let list: Vec<(&str, &str)> = list.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        check_with(&list, env, trust)
    }

    #[test]
    fn account_endpoints_are_tencent_cloud_hosts_unless_allowed() {
        let ok = run(
            &with_account("endpoint: https://ssl.tencentcloudapi.com\n"),
            MapEnvironment::default(),
            Trust::default(),
        );
        assert!(ok.valid().is_some(), "{}", everything(&ok));
        for endpoint in [
            "https://attacker.example",
            "http://127.0.0.1:8080",
            "https://ssl.tencentcloudapi.com/path",
            "https://ssl.tencentcloudapi.com:8443",
            "https://user@ssl.tencentcloudapi.com",
        ] {
            let checked = run(
                &with_account(&format!("endpoint: \"{endpoint}\"\n")),
                MapEnvironment::default(),
                Trust::default(),
            );
            assert_eq!(codes(&checked), ["endpoint-not-allowed"], "{endpoint}");
            assert!(checked.valid().is_none());
        }
        let allowed = Trust {
            allow_endpoints: vec!["127.0.0.1:8080".into()],
            ..Trust::default()
        };
        let loopback = run(
            &with_account("endpoint: http://127.0.0.1:8080\n"),
            MapEnvironment::default(),
            allowed.clone(),
        );
        assert!(loopback.valid().is_some(), "{}", everything(&loopback));
        let other_port = run(
            &with_account("endpoint: http://127.0.0.1:9090\n"),
            MapEnvironment::default(),
            allowed,
        );
        assert_eq!(codes(&other_port), ["endpoint-not-allowed"]);
    }

    #[test]
    fn endpoint_and_region_are_literal_and_regions_are_names() {
        let env = MapEnvironment::default()
            .with("HOST", "attacker.example")
            .with("R", "ap-guangzhou");
        let checked = run(
            &with_account("endpoint: https://${HOST}\nregion: ${R:-ap-guangzhou}\n"),
            env,
            Trust::default(),
        );
        assert_eq!(
            codes(&checked),
            ["interpolated-endpoint", "interpolated-endpoint"]
        );
        assert!(!everything(&checked).contains("attacker.example"));
        for region in ["\"ap-gz\\r\\nX-Evil: 1\"", "AP-GZ", "ap"] {
            let checked = run(
                &with_account(&format!("region: {region}\n")),
                MapEnvironment::default(),
                Trust::default(),
            );
            assert_eq!(codes(&checked), ["invalid-region"], "{region}");
        }
        let fine = run(
            &with_account("region: ap-guangzhou\n"),
            MapEnvironment::default(),
            Trust::default(),
        );
        assert!(fine.valid().is_some(), "{}", everything(&fine));
    }

    #[test]
    fn credential_variables_are_never_read_into_fields() {
        let env = MapEnvironment::default()
            .with("TENCENTCLOUD_SECRET_KEY", "default-key-value")
            .with("HK_KEY", "account-key-value");
        let mut list = with_account("");
        list[2].1 = certificate(
            "www",
            "abc1",
            "account: hk\ncontact:\n  email: \"${TENCENTCLOUD_SECRET_KEY}@x.example\"\n  phone_number: \"${HK_KEY:-1}\"\n",
        );
        let checked = run(&list, env, Trust::default());
        let found = codes(&checked);
        assert_eq!(
            found
                .iter()
                .filter(|c| **c == "credential-variable")
                .count(),
            2,
            "{found:?}"
        );
        let all = everything(&checked);
        assert!(
            !all.contains("default-key-value") && !all.contains("account-key-value"),
            "{all}"
        );
    }

    #[test]
    fn each_credential_variable_has_one_role() {
        let swapped = "apiVersion: tccert/v1\nkind: Account\nname: hk\nsecret_id: ${TENCENTCLOUD_SECRET_KEY}\nsecret_key: ${HK_KEY}\ntoken: ${HK_KEY}\n";
        let list = vec![
            ("a.yaml".to_string(), swapped.to_string()),
            ("p.yaml".into(), PROFILE.into()),
            (
                "www.yaml".into(),
                certificate("www", "abc1", "account: hk\n"),
            ),
        ];
        let checked = run(&list, MapEnvironment::default(), Trust::default());
        assert_eq!(codes(&checked), ["credential-role", "credential-role"]);
    }

    #[test]
    fn env_allow_limits_every_reference_both_branches_and_account_credentials() {
        let trust = Trust {
            env_allow: Some(vec!["HK_*".into(), "ACME_*".into()]),
            ..Trust::default()
        };
        let env = MapEnvironment::default().with("GITHUB_TOKEN", "ghp_secretvalue");
        let mut list = with_account("");
        list[0].1 = list[0].1.replace("${HK_ID}", "${OTHER_ID}");
        list[2].1 = certificate(
            "www",
            "abc1",
            "account: hk\ncontact:\n  email: \"${GITHUB_TOKEN:-a}@x.example\"\n  phone_number: \"${NOT_SET:-1}\"\n",
        );
        let checked = run(&list, env, trust);
        assert_eq!(
            codes(&checked)
                .iter()
                .filter(|c| **c == "variable-not-allowed")
                .count(),
            3,
            "{}",
            everything(&checked)
        );
        assert!(!everything(&checked).contains("ghp_secretvalue"));
    }

    #[test]
    fn values_from_the_environment_are_named_not_quoted() {
        let env = MapEnvironment::default().with("SECRET", "TopSecretValue42");
        let www = certificate(
            "www",
            "abc1",
            "domains: [\"x.${SECRET}_.com\"]\nprofiles: [\"${SECRET}\"]\n",
        )
        .replace("profiles: [acme]\n", "");
        let checked = check_with(
            &[("p.yaml", PROFILE), ("www.yaml", &www)],
            env,
            Trust::default(),
        );
        let all = everything(&checked);
        assert!(!all.to_lowercase().contains("topsecretvalue42"), "{all}");
        assert!(all.contains("a value from ${SECRET}"), "{all}");
        assert!(codes(&checked).contains(&"invalid-domain"), "{all}");
    }

    #[test]
    fn csr_files_outside_the_roots_are_not_read_and_not_described() {
        let csr = "csr:\n  type: parse\n  file: ../outside/key.pem\n";
        let www = certificate("www", "abc1", "").replace("csr:\n  type: online\n", csr);
        let (fs, paths) = files(&[("/tree/p.yaml", PROFILE), ("/tree/www.yaml", &www)]);
        let fs = fs
            .with(
                "/outside/key.pem",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n",
            )
            .with_link("/tree/link.csr", "/outside/key.pem");
        let trust = Trust::default().with_roots(&fs, &[PathBuf::from("/tree")]);
        let options = Options {
            trust,
            ..Options::default()
        };
        let checked = load_and_validate(
            &paths,
            &fs,
            &MapEnvironment::default(),
            Budget::default(),
            options.clone(),
        );
        assert_eq!(codes(&checked), ["path-outside-tree"]);
        let all = everything(&checked);
        assert!(!all.contains("OPENSSH") && !all.contains("exist"), "{all}");
        // The same through a link inside the tree, and to a file that is not there.
        for file in ["link.csr", "../outside/none.pem"] {
            let www = certificate("www", "abc1", "").replace(
                "csr:\n  type: online\n",
                &format!("csr:\n  type: parse\n  file: {file}\n"),
            );
            let fs = fs.clone().with("/tree/www.yaml", &www);
            let checked = load_and_validate(
                &paths,
                &fs,
                &MapEnvironment::default(),
                Budget::default(),
                options.clone(),
            );
            assert_eq!(codes(&checked), ["path-outside-tree"], "{file}");
        }
    }

    #[test]
    fn naming_variables_costs_no_more_with_many_interpolated_values() {
        // 20,000 distinct interpolated domains, each invalid: 20,000
        // diagnostics, each checked against what came from the environment.
        let domains: Vec<String> = (0..20_000)
            .map(|i| format!("\"${{SECRET}}{i}_\""))
            .collect();
        let www = certificate(
            "www",
            "abc1",
            &format!("domains: [{}]\n", domains.join(", ")),
        );
        let env = MapEnvironment::default().with("SECRET", "TopSecretValue42");
        let started = std::time::Instant::now();
        let checked = check_with(
            &[("p.yaml", PROFILE), ("www.yaml", &www)],
            env,
            Trust::default(),
        );
        let took = started.elapsed();
        assert!(checked.diagnostics.error_count() >= 20_000);
        assert!(!everything(&checked).contains("TopSecretValue42"));
        assert!(took < std::time::Duration::from_secs(20), "{took:?}");
    }
}
