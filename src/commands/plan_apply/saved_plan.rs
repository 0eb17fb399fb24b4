//! Saved plans for `plan --out FILE` and `apply --plan FILE`: read whole and
//! checked (the same files, certificates, accounts and endpoints as when
//! the plan was made), and written whole. The plan file's format and
//! digests are `crate::plan::saved` (pure).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::certificate::Certificate;
use crate::cli::{ApiArg, ManifestArgs, RunArgs};
use crate::commands::CommandError;
use crate::commands::settings::Target;
use crate::commands::{EXIT_FAILURE, EXIT_OK, print_note, print_stderr};
use crate::manifest::load::Loaded;
use crate::manifest::raw::RawDocument;
use crate::outfile::{self, NewFile};
use crate::output::report;
use crate::plan::saved::{self, Expected, PlannedCertificate, SavedPlan};
use crate::plan::{CertificateReport, Outcome};
use crate::system::RealFileSystem;

/// `apply --plan FILE`: the plan, read and checked to be applied from here.
pub(super) fn open(args: &RunArgs) -> Result<Option<(&Path, SavedPlan)>, CommandError> {
    match &args.plan {
        Some(path) => {
            let plan = read_saved_plan(path)?;
            check_same_place(path, &plan, &RealFileSystem)?;
            Ok(Some((path.as_path(), plan)))
        }
        None => Ok(None),
    }
}

/// What apply expects of each planned certificate (empty without a plan).
pub(super) fn expected(plan: Option<&SavedPlan>) -> BTreeMap<String, Expected> {
    plan.map(|plan| {
        plan.certificates
            .iter()
            .map(|c| (c.name.clone(), Expected::from_planned(c)))
            .collect()
    })
    .unwrap_or_default()
}

/// `apply --plan`: drift the plan found fails the apply as it fails `apply
/// PATH...` (nothing is sent for a drifted certificate either way); said
/// on stderr. The exit code, given the run's.
pub(super) fn with_drift(plan: &SavedPlan, code: u8) -> u8 {
    if plan.drift.is_empty() {
        return code;
    }
    print_stderr(&format!(
        "drift: {} (found by the plan; nothing sent for {}): change the manifest back, or cancel the review in the console and plan again\n",
        plan.drift.join(", "),
        if plan.drift.len() == 1 { "it" } else { "them" }
    ));
    if code == EXIT_OK { EXIT_FAILURE } else { code }
}

/// `plan --out FILE`: records what plan read and would write, for `apply
/// --plan FILE`, and says where on stderr.
pub(super) fn save(
    out: &Path,
    args: &RunArgs,
    endpoint: Option<String>,
    account_endpoints: BTreeMap<String, String>,
    files_read: &[PathBuf],
    reports: &[CertificateReport],
) -> Result<(), CommandError> {
    // Paths relative to where plan ran, which is recorded too.
    let here = std::env::current_dir().ok();
    let relative = |path: &Path| match &here {
        Some(dir) => saved::relative_to(dir, path),
        None => path.to_path_buf(),
    };
    // A file under an absolute PATH is named as the loader will name it
    // when apply reads that PATH made relative (`.` + `a.yaml` is
    // `./a.yaml`).
    let relative_file = |file: &Path| {
        args.manifests
            .paths
            .iter()
            .filter(|p| p.is_absolute())
            .find_map(|p| Some(relative(p).join(file.strip_prefix(p).ok()?)))
            .unwrap_or_else(|| relative(file))
    };
    let plan = SavedPlan {
        format: saved::FORMAT.into(),
        format_version: saved::FORMAT_VERSION,
        tccert_version: saved::TCCERT_VERSION.into(),
        endpoint,
        emulator: args.emulator,
        account_endpoints,
        paths: args.manifests.paths.iter().map(|p| relative(p)).collect(),
        files: files_read.iter().map(|p| relative_file(p)).collect(),
        directory: here.clone(),
        api: args.manifests.api.map(|api| {
            crate::certificate::Api::from(api)
                .action()
                .name()
                .to_string()
        }),
        commit: args.commit,
        resubmit: args.resubmit.clone(),
        target: args.manifests.target.clone(),
        deep: args.deep,
        allow_purchase: args.allow_purchase,
        restart: args.restart.clone(),
        certificates: planned(reports)
            .into_iter()
            .map(|c| PlannedCertificate {
                file: relative_file(&c.file),
                ..c
            })
            .collect(),
        drift: reports
            .iter()
            .filter(|r| r.outcome == Outcome::Drift)
            .map(|r| r.name.clone())
            .collect(),
    };
    write_saved_plan(out, &plan)?;
    // On stderr, as Terraform says where it saved a plan: stdout is
    // the report (JSON or Markdown for some callers).
    // The command that applies it, with `--emulator` when the plan was
    // made with it (the plan is applied only where it was made).
    print_note(&format!(
        "saved plan: {} ({} certificate{} to write); apply it with `tccert apply --plan {}{}`\n",
        out.display(),
        plan.certificates.len(),
        report::plural(plan.certificates.len()),
        out.display(),
        if args.emulator { " --emulator" } else { "" }
    ));
    Ok(())
}

/// The certificates a plan run would write, with what the saved plan
/// records of each.
pub(super) fn planned(reports: &[CertificateReport]) -> Vec<PlannedCertificate> {
    reports
        .iter()
        .filter(|r| r.outcome == Outcome::Planned)
        .filter_map(|r| {
            let digests = r.digests.as_ref()?;
            Some(PlannedCertificate {
                name: r.name.clone(),
                file: r.file.clone(),
                actions: r.actions.iter().map(|a| a.name().to_string()).collect(),
                // A planned purchase has no status (nothing to read yet).
                status: r.status,
                body_digest: digests.body.clone(),
                live_digest: digests.live.clone(),
                account: r.account.clone(),
            })
        })
        .collect()
}

/// Writes the saved plan whole (a temporary file renamed over FILE), so an
/// interrupted write never leaves half a plan. Not private: it holds no
/// secret, and CI hands it from job to job.
pub(super) fn write_saved_plan(path: &Path, plan: &SavedPlan) -> Result<(), CommandError> {
    let text = saved::to_text(plan).map_err(|message| CommandError::Usage {
        message: format!(
            "--out {}: cannot record the plan: {message}",
            path.display()
        ),
    })?;
    let file = NewFile {
        path,
        contents: text.as_bytes(),
        private: false,
    };
    outfile::write_all(&[file], true).map_err(|error| CommandError::PlanOut { error })?;
    Ok(())
}

/// The most a plan file may hold: far more than any real plan (a few hundred
/// bytes a certificate), and a bound on what a wrong FILE can make us read.
const MAX_PLAN_BYTES: u64 = 64 << 20;

/// Reads and checks `apply --plan FILE`: whole, a plan, from this tccert,
/// unedited.
pub(super) fn read_saved_plan(path: &Path) -> Result<SavedPlan, CommandError> {
    let fail = |message: String| CommandError::SavedPlan {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut std::io::Read::take(file, MAX_PLAN_BYTES + 1),
        &mut text,
    )
    .map_err(|e| fail(e.to_string()))?;
    if text.len() as u64 > MAX_PLAN_BYTES {
        return Err(fail(format!(
            "larger than {} MiB: not a plan file",
            MAX_PLAN_BYTES >> 20
        )));
    }
    saved::parse(&text).map_err(|e| fail(e.to_string()))
}

/// `apply --plan` resolves the plan's paths from its own current directory:
/// when none of the files the plan read is there, apply runs from another
/// place than plan did, and says so (rather than "no manifest found" or a
/// misleading `stale`).
pub(super) fn check_same_place(
    path: &Path,
    plan: &SavedPlan,
    files: &dyn crate::system::FileSystem,
) -> Result<(), CommandError> {
    let here = |p: &PathBuf| files.kind(p).is_ok();
    if plan.files.is_empty() || plan.files.iter().any(here) {
        return Ok(());
    }
    let made_in = plan.directory.as_ref().map_or_else(
        || "another directory".to_string(),
        |dir| dir.display().to_string(),
    );
    let paths: Vec<String> = plan.paths.iter().map(|p| p.display().to_string()).collect();
    Err(CommandError::SavedPlan {
        path: path.to_path_buf(),
        message: format!(
            "none of the files it read is here: {} is not found from this directory. The plan was made in {made_in} (PATH {}); run apply from the same place in the tree, where {} is",
            plan.files[0].display(),
            paths.join(" "),
            plan.files[0].display(),
        ),
    })
}

/// The manifests as the plan read them: its PATHs and `--api`, with this
/// run's output format and input budget.
pub(super) fn recorded_manifests(
    path: &Path,
    plan: &SavedPlan,
    given: &ManifestArgs,
) -> Result<ManifestArgs, CommandError> {
    use clap::ValueEnum as _;
    let api = match &plan.api {
        Some(name) => Some(
            ApiArg::from_str(name, false).map_err(|_| CommandError::SavedPlan {
                path: path.to_path_buf(),
                message: format!("it names an API this tccert does not know: {name}"),
            })?,
        ),
        None => None,
    };
    Ok(ManifestArgs {
        paths: plan.paths.clone(),
        output: given.output,
        api,
        max_input_bytes: given.max_input_bytes,
        max_files: given.max_files,
        target: Vec::new(),
        // Never from the plan: this command line's own.
        trust: given.trust.clone(),
        strict: given.strict,
    })
}

/// Every file a run read: the manifests, then the CSR files they name.
pub(super) fn files_read(loaded: &Loaded) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = loaded.files.paths().map(Path::to_path_buf).collect();
    for (_, document) in &loaded.documents {
        if let RawDocument::Certificate(certificate) = document
            && let Some(csr) = &certificate.csr.loaded_file
            && !files.contains(&csr.path)
        {
            files.push(csr.path.clone());
        }
    }
    files
}

/// The files read now must be the ones the plan read: none gone, none new.
pub(super) fn check_files(
    path: &Path,
    plan: &SavedPlan,
    now: &[PathBuf],
) -> Result<(), CommandError> {
    let gone: Vec<String> = plan
        .files
        .iter()
        .filter(|f| !now.contains(f))
        .map(|f| format!("{} was read by the plan and is gone", f.display()))
        .collect();
    let new: Vec<String> = now
        .iter()
        .filter(|f| !plan.files.contains(f))
        .map(|f| {
            format!(
                "{} is read now and was not when the plan was made",
                f.display()
            )
        })
        .collect();
    if gone.is_empty() && new.is_empty() {
        return Ok(());
    }
    Err(CommandError::SavedPlan {
        path: path.to_path_buf(),
        message: format!(
            "the manifest files changed since the plan:\n{}",
            [gone, new].concat().join("\n")
        ),
    })
}

/// The planned certificates, in the plan's order, each still defined in the
/// file it was planned from.
pub(super) fn planned_certificates(
    path: &Path,
    plan: &SavedPlan,
    mut certificates: Vec<Certificate>,
    loaded: &Loaded,
) -> Result<Vec<Certificate>, CommandError> {
    let mut chosen = Vec::with_capacity(plan.certificates.len());
    for planned in &plan.certificates {
        let fail = |message: String| CommandError::SavedPlan {
            path: path.to_path_buf(),
            message,
        };
        let Some(index) = certificates.iter().position(|c| c.name == planned.name) else {
            return Err(fail(format!(
                "certificate {} is no longer in the manifests",
                planned.name
            )));
        };
        let certificate = certificates.swap_remove(index);
        let file = loaded.files.path(certificate.file);
        if file != planned.file {
            return Err(fail(format!(
                "certificate {} is now in {}, the plan has it in {}",
                planned.name,
                file.display(),
                planned.file.display()
            )));
        }
        // Another account's credentials would read and write another
        // Tencent Cloud account's certificate: not what was reviewed.
        if certificate.account != planned.account {
            let whose = |account: &Option<String>| {
                account
                    .as_ref()
                    .map_or("the default credentials".to_string(), |a| {
                        format!("account {a}")
                    })
            };
            return Err(fail(format!(
                "certificate {} is now sent with {}, the plan has {}",
                planned.name,
                whose(&certificate.account),
                whose(&planned.account)
            )));
        }
        chosen.push(certificate);
    }
    Ok(chosen)
}

/// What a saved plan records as where it read: the endpoint URL, or `None`
/// for the built-in emulator (whose port changes every run).
///
/// With accounts: the default credentials' endpoint when some certificate
/// uses them, else the first account's (by name). Each account's own
/// endpoint comes from its manifest, which apply reads again and checks.
pub(super) fn recorded_endpoint(target: &Target) -> Option<String> {
    match target {
        Target::Emulator => None,
        Target::Api { default, accounts } => default
            .as_ref()
            .map(|c| &c.endpoint)
            .or_else(|| {
                accounts
                    .iter()
                    .min_by(|a, b| a.name.cmp(&b.name))
                    .map(|a| &a.connection.endpoint)
            })
            .map(|endpoint| endpoint.url.to_string()),
    }
}

/// Each account's endpoint URL, by account name (none with `--emulator`).
pub(super) fn recorded_account_endpoints(target: &Target) -> BTreeMap<String, String> {
    match target {
        Target::Emulator => BTreeMap::new(),
        Target::Api { accounts, .. } => accounts
            .iter()
            .map(|a| (a.name.clone(), a.connection.endpoint.url.to_string()))
            .collect(),
    }
}

/// Every account this apply sends with sends where plan read: an Account's
/// `site` or `endpoint` edited after the plan would otherwise send reviewed
/// bodies somewhere nobody reviewed.
pub(super) fn check_account_endpoints(
    path: &Path,
    plan: &SavedPlan,
    now: &BTreeMap<String, String>,
) -> Result<(), CommandError> {
    for (account, url) in now {
        let message = match plan.account_endpoints.get(account) {
            Some(planned) if planned == url => continue,
            Some(planned) => format!(
                "account `{account}`: it was made against {planned}, and this run would send to {url}"
            ),
            None => format!(
                "account `{account}`: it records no endpoint for this account, and this run would send to {url}"
            ),
        };
        return Err(CommandError::SavedPlan {
            path: path.to_path_buf(),
            message,
        });
    }
    Ok(())
}

/// A plan is applied where it was made: the same endpoint, or the emulator
/// both times.
pub(super) fn check_endpoint(
    path: &Path,
    plan: &SavedPlan,
    now: Option<&str>,
) -> Result<(), CommandError> {
    let mismatch = match (plan.emulator, plan.endpoint.as_deref(), now) {
        (true, _, None) => None,
        (true, _, Some(url)) => Some(format!(
            "it was made with --emulator, and this run would send to {url}; add --emulator"
        )),
        (false, Some(planned), None) => Some(format!(
            "it was made against {planned}, and this run uses --emulator"
        )),
        (false, Some(planned), Some(url)) if planned != url => Some(format!(
            "it was made against {planned}, and this run would send to {url}"
        )),
        (false, Some(_), Some(_)) => None,
        (false, None, _) => Some("it records no endpoint".to_string()),
    };
    match mismatch {
        Some(message) => Err(CommandError::SavedPlan {
            path: path.to_path_buf(),
            message,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved_plan(emulator: bool, endpoint: Option<&str>) -> SavedPlan {
        SavedPlan {
            format: saved::FORMAT.into(),
            format_version: saved::FORMAT_VERSION,
            tccert_version: saved::TCCERT_VERSION.into(),
            endpoint: endpoint.map(str::to_string),
            emulator,
            account_endpoints: BTreeMap::new(),
            directory: None,
            paths: vec!["m".into()],
            files: vec!["m/a.yaml".into(), "m/b.yaml".into()],
            api: None,
            commit: false,
            resubmit: Vec::new(),
            target: Vec::new(),
            deep: false,
            allow_purchase: false,
            restart: Vec::new(),
            certificates: Vec::new(),
            drift: Vec::new(),
        }
    }

    #[test]
    fn a_plan_applies_only_where_it_was_made() {
        let path = Path::new("p.json");
        let api = saved_plan(false, Some("https://ssl.intl.tencentcloudapi.com/"));
        let check =
            |plan: &SavedPlan, now| check_endpoint(path, plan, now).map_err(|e| e.to_string());
        assert!(check(&api, Some("https://ssl.intl.tencentcloudapi.com/")).is_ok());
        let other = check(&api, Some("https://ssl.tencentcloudapi.com/")).unwrap_err();
        assert!(
            other.contains("would send to https://ssl.tencentcloudapi.com/"),
            "{other}"
        );
        assert!(other.ends_with("nothing was sent"), "{other}");
        assert!(check(&api, None).unwrap_err().contains("uses --emulator"));
        let emulated = saved_plan(true, None);
        assert!(check(&emulated, None).is_ok());
        assert!(
            check(&emulated, Some("https://ssl.intl.tencentcloudapi.com/"))
                .unwrap_err()
                .contains("made with --emulator")
        );
    }

    /// An Account's site or endpoint edited after the plan: the plan's
    /// bodies still match, but would go where nobody reviewed.
    #[test]
    fn every_account_sends_where_the_plan_was_made() {
        let path = Path::new("p.json");
        let mut plan = saved_plan(false, Some("https://ssl.intl.tencentcloudapi.com/"));
        plan.account_endpoints
            .insert("hk".into(), "https://127.0.0.1:36301/".into());
        let now = |url: &str| BTreeMap::from([("hk".to_string(), url.to_string())]);
        let check = |now: &BTreeMap<String, String>| {
            check_account_endpoints(path, &plan, now).map_err(|e| e.to_string())
        };
        assert!(check(&now("https://127.0.0.1:36301/")).is_ok());
        assert!(check(&BTreeMap::new()).is_ok(), "no account sends");
        let moved = check(&now("https://127.0.0.1:36302/")).unwrap_err();
        assert!(
            moved.contains("account `hk`: it was made against https://127.0.0.1:36301/, and this run would send to https://127.0.0.1:36302/"),
            "{moved}"
        );
        assert!(moved.ends_with("nothing was sent"), "{moved}");
        let unknown = BTreeMap::from([("cn".to_string(), "https://x.example/".to_string())]);
        assert!(check(&unknown).unwrap_err().contains("records no endpoint"));
    }

    #[test]
    fn the_files_read_must_be_the_planned_ones() {
        let path = Path::new("p.json");
        let plan = saved_plan(false, Some("https://x.example/"));
        let check = |now: &[&str]| {
            let now: Vec<PathBuf> = now.iter().map(PathBuf::from).collect();
            check_files(path, &plan, &now).map_err(|e| e.to_string())
        };
        assert!(check(&["m/a.yaml", "m/b.yaml"]).is_ok());
        let gone = check(&["m/a.yaml"]).unwrap_err();
        assert!(
            gone.contains("m/b.yaml was read by the plan and is gone"),
            "{gone}"
        );
        let new = check(&["m/a.yaml", "m/b.yaml", "m/c.yaml"]).unwrap_err();
        assert!(new.contains("m/c.yaml is read now and was not"), "{new}");
    }
}
