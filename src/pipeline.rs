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
use crate::manifest::load::{Budget, Loaded, load_within};
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
    let mut loaded = load_within(paths, fs, env, budget);
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
}
