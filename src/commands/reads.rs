//! The reads `status` and `download` share (part of the run layer, beside
//! [`super::runner`]): each certificate's live status, paced as plan's
//! reads (the bulk list first, per account; docs/cli.md "Reading a fleet in
//! bulk"), then the detail where the status needs it, and, for `status`,
//! the domain checks of a certificate waiting for validation. A certificate
//! with `purchase:` and no id is first found by its tag (`tccert:certificate`
//! = its name, [`crate::plan::identity`]), as plan and apply find it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use super::runner::{self, Runner, Runs, accounts_of, write_json_out};
use super::settings::{check_json_out, region};
use super::{
    CommandError, EXIT_FAILURE, invalid_json, load_and_validate, report_diagnostics,
    report_invalid, select_targets,
};
use crate::api::action::Action;
use crate::api::error::ApiError;
use crate::api::request::Body;
use crate::api::request::describe_body;
use crate::api::status::awaits_validation;
use crate::certificate::{CERTIFICATE_TAG, Certificate};
use crate::cli::{ManifestArgs, ReadArgs};
use crate::output::status::Live;
use crate::plan;
use crate::plan::decide::needs_detail;
use crate::plan::identity::{self, Tagged};
use crate::secret::Redactor;
use crate::system::{ProcessEnvironment, RealFileSystem};

/// What `status` and `download` read: the certificates `--target` picked,
/// each with its file, and the runs (per account, or the emulator) to read
/// them with.
pub struct Opened {
    pub certificates: Vec<(Certificate, PathBuf)>,
    pub runner: Runner,
}

/// How opening a reading command ended.
pub enum Opening {
    /// The manifests are invalid: the diagnostics were printed (and the
    /// JSON written for `--json-out`); the command exits with this code,
    /// nothing read.
    Invalid(u8),
    Ready(Opened),
}

/// The start `status` and `download` share: load and validate the
/// manifests (nothing read while any is invalid), pick the `--target`s,
/// and open one paced run per account, or the built-in emulator with the
/// tree's kept state.
pub async fn open(
    manifests: &ManifestArgs,
    read: &ReadArgs,
    emulator: bool,
    emulator_issue_after: Option<f64>,
) -> Result<Opening, CommandError> {
    if let Some(path) = &read.json_out {
        check_json_out(path, &RealFileSystem)?;
    }
    let (loaded, validated, diagnostics) = load_and_validate(manifests)?;
    let Some(validated) = validated else {
        report_invalid(manifests.output, &loaded, &diagnostics);
        let json = invalid_json(&loaded, &diagnostics);
        return Ok(Opening::Invalid(write_json_out(
            read.json_out.as_deref(),
            &json,
            EXIT_FAILURE,
        )?));
    };
    report_diagnostics(manifests.output, &loaded, &diagnostics);
    // `--target`: every manifest was validated; only these are read.
    let certificates: Vec<(Certificate, PathBuf)> =
        select_targets(&manifests.target, validated.certificates)?
            .into_iter()
            .map(|c| {
                let file = loaded.files.path(c.file).to_path_buf();
                (c, file)
            })
            .collect();
    // One paced run per account, as plan: each certificate is read with
    // its own account's credentials.
    let run_accounts = accounts_of(&certificates, &validated.accounts);
    let emulated = if emulator {
        let region = region(read.region.as_deref(), &ProcessEnvironment);
        Some(
            runner::open_emulator(
                &manifests.paths,
                false,
                &certificates,
                &run_accounts,
                region.as_ref(),
                read.rate,
                emulator_issue_after,
            )
            .await?,
        )
    } else {
        None
    };
    let bodies: Vec<Body> = certificates.iter().map(|(c, _)| describe_body(c)).collect();
    let runner = Runner::open_readers(emulated, read, &run_accounts, &bodies)?;
    Ok(Opening::Ready(Opened {
        certificates,
        runner,
    }))
}

/// The code of a certificate with `purchase:` that no certificate of its
/// account carries the tag of yet: not an error of the read; the caller
/// reports it `skipped`, "not bought yet".
pub const NOT_BOUGHT: &str = "tccert.NotBought";

/// One certificate's read: what it showed, or why it failed (masked).
pub type ReadResult = Result<Live, ApiError>;

/// What to read beside the status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// `--deep`: every certificate's detail, no bulk list.
    pub deep: bool,
    /// The domain checks (`CheckCertificateDomainVerification`) of each
    /// certificate waiting for validation (0, 4, 8).
    pub checks: bool,
}

/// Reads the certificates at `which` at once, each paced by its account's
/// run: the bulk list first (per account, as plan), then the detail of
/// those whose status needs it and of any the list did not return; with
/// `deep`, every certificate's detail; with `checks`, the domain checks of
/// those waiting for validation. Results in the order of `which`. A
/// certificate without an id is looked for by its tag first: found, its id
/// is set in `certificates` (later rounds read it as any other); not found,
/// its result is the [`NOT_BOUGHT`] error.
pub async fn read_all(
    runs: &Runs,
    certificates: &mut [(Certificate, PathBuf)],
    which: &[usize],
    redactor: &Arc<Redactor>,
    options: ReadOptions,
) -> Vec<(usize, ReadResult)> {
    let mut tasks = tokio::task::JoinSet::new();
    let mut results = Vec::new();
    let mut lists: HashMap<usize, Arc<plan::ListChunk>> = HashMap::new();
    if !options.deep {
        let mut by_account: BTreeMap<&Option<String>, Vec<usize>> = BTreeMap::new();
        // A certificate still to find has no id to list: its tag finds it.
        for &i in which
            .iter()
            .filter(|&&i| certificates[i].0.certificate_id.is_some())
        {
            by_account
                .entry(&certificates[i].0.account)
                .or_default()
                .push(i);
        }
        for indices in by_account.into_values() {
            let ids: Vec<(String, bool)> = indices
                .iter()
                .map(|&i| {
                    let (id, secret) = certificates[i].0.id_or_placeholder();
                    (id.to_owned(), secret)
                })
                .collect();
            lists.extend(indices.into_iter().zip(plan::list_chunks(&ids)));
        }
    }
    for &i in which {
        let certificate = certificates[i].0.clone();
        // Every account a certificate names has its run (RunAccounts); a
        // miss would be a bug, said as this certificate's failure.
        let Some(run) = runs.get(&certificate.account).cloned() else {
            results.push((
                i,
                None,
                Err(ApiError::local(
                    "ClientError.NoConnection",
                    "internal error: no connection for this certificate's account",
                )),
            ));
            continue;
        };
        let list = lists.get(&i).cloned();
        let redactor = Arc::clone(redactor);
        tasks.spawn(async move {
            let mut found = None;
            let mut tagged = None;
            let certificate = if certificate.certificate_id.is_some() {
                certificate
            } else {
                match run.find_by_tag(&certificate).await {
                    Ok(Tagged::One(item)) => {
                        let span = certificate
                            .purchase
                            .as_ref()
                            .map_or(certificate.span, |p| p.span);
                        let with_id = certificate.with_found_id(item.certificate_id.clone(), span);
                        found = Some(with_id.clone());
                        tagged = Some(item);
                        with_id
                    }
                    Ok(Tagged::Nothing) => {
                        let why = format!(
                            "not bought yet: no certificate carries the tag {CERTIFICATE_TAG}={}",
                            certificate.name
                        );
                        return (i, None, Err(ApiError::local(NOT_BOUGHT, why)));
                    }
                    Ok(Tagged::Many(ids)) => {
                        let error = ApiError::local(
                            identity::TAGGED_TWICE,
                            identity::tagged_twice_message(&certificate.name, &ids),
                        );
                        return (i, None, Err(error));
                    }
                    Err(error) => return (i, None, Err(ApiError::from(&error))),
                }
            };
            // The tag list told the status, as the bulk list would have.
            if let Some(item) = tagged.filter(|item| !options.deep && !needs_detail(item.status)) {
                let live = Live {
                    status: item.status,
                    status_message: item.status_message.map(|m| redactor.redact(&m)),
                    ..Live::default()
                };
                return (i, found, Ok(live));
            }
            let id = certificate.id_or_placeholder().0.to_owned();
            if let Some(list) = list {
                match list.listed(&run, &id).await {
                    plan::Listed::Found(item) if !needs_detail(item.status) => {
                        // The list's StatusMsg is masked already.
                        let live = Live {
                            status: item.status,
                            status_message: item.status_message,
                            ..Live::default()
                        };
                        return (i, found, Ok(live));
                    }
                    plan::Listed::Stopped(error) => {
                        return (i, found, Err(ApiError::from(&error)));
                    }
                    _ => {}
                }
            }
            let body = describe_body(&certificate);
            let result = run
                .read(Action::DescribeCertificateDetail, &body, &certificate.name)
                .await;
            let read = match result {
                // Text from a successful reply is printed: masked like every
                // error from the network.
                Ok(response) => Live::from_response(&response)
                    .map(|live| live.redacted(&redactor))
                    .ok_or_else(|| {
                        ApiError::local(
                            "ClientError.BadResponse",
                            "DescribeCertificateDetail answered without a Status",
                        )
                    }),
                Err(error) => Err(ApiError::from(&error)),
            };
            let read = match read {
                Ok(mut live) if options.checks && awaits_validation(live.status) => {
                    match run.domain_checks(&certificate).await {
                        Ok(checks) => {
                            live.checks = checks;
                            live = live.redacted(&redactor);
                        }
                        Err(error) => live.checks_error = Some(ApiError::from(&error)),
                    }
                    Ok(live)
                }
                other => other,
            };
            (i, found, read)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    results.sort_by_key(|(i, _, _)| *i);
    results
        .into_iter()
        .map(|(i, found, read)| {
            if let Some(found) = found {
                certificates[i].0 = found;
            }
            (i, read)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::certificate::{ApiChoice, CompanyType, Csr, CsrKey, Layer, Purchase};
    use crate::commands::runner::{Pace, Runner, start_emulator};
    use crate::commands::settings::RunAccounts;
    use crate::emulator::SeedCertificate;
    use crate::emulator::state::{Purchase as Bought, Tag};
    use crate::source::{Files, Sourced, Span};

    fn span() -> Span {
        let mut files = Files::default();
        Span {
            file: files.add("m.yaml".into(), String::new()),
            line: 1,
            column: 1,
            length: 1,
        }
    }

    /// A certificate with `purchase:` and no id.
    fn to_buy(name: &str) -> Certificate {
        let text = |value: &str| Sourced::new(value.to_string(), span());
        Certificate {
            name: name.into(),
            file: span().file,
            span: span(),
            certificate_id: None,
            purchase: Some(Purchase {
                product: Sourced::new(12, span()),
                years: 1,
                domain_count: 1,
                vouchers: false,
                tags: Vec::new(),
                layer: Layer::Certificate(name.into()),
                span: span(),
            }),
            confirm_letter: None,
            domain: text(&format!("{name}.example")),
            domains: Vec::new(),
            dv: true,
            commit: false,
            api: crate::certificate::Api::SubmitCertificateInformation,
            api_choice: ApiChoice::Default,
            csr: Csr::Online {
                key_password: None,
                key: CsrKey::default(),
            },
            fields: std::collections::BTreeMap::new(),
            profiles: Vec::new(),
            account: None,
            company_type: CompanyType::default_for(false),
            company_type_span: None,
        }
    }

    /// Over HTTP against the emulator: a certificate with `purchase:` is
    /// found by its tag and read as that id (and the id kept for later
    /// rounds); one whose tag no certificate carries is `NOT_BOUGHT`,
    /// having sent nothing but the tag list.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_certificate_to_buy_is_found_by_its_tag_or_is_not_bought_yet() {
        let mut certificates = vec![
            (to_buy("shop"), PathBuf::from("m.yaml")),
            (to_buy("blog"), PathBuf::from("m.yaml")),
        ];
        let chosen: Vec<Certificate> = certificates.iter().map(|(c, _)| c.clone()).collect();
        let run_accounts = RunAccounts::of(&chosen, &[]);
        let (connections, emulator) =
            start_emulator(&certificates, &run_accounts, None, 10.0, None, None)
                .await
                .expect("the emulator starts");
        emulator.add_certificate(SeedCertificate {
            certificate_id: "bought1".into(),
            domain: "shop.example".into(),
            owner: None,
        });
        assert!(emulator.edit_certificate("bought1", |cert| {
            cert.status = crate::api::status::ISSUED;
            cert.purchase = Some(Bought {
                product_id: 12,
                domain_num: 1,
                time_span: 1,
                auto_voucher: 0,
                tags: vec![Tag {
                    key: CERTIFICATE_TAG.into(),
                    value: "shop".into(),
                }],
                deal_id: "deal-1".into(),
            });
        }));
        let options = plan::Options {
            mode: plan::Mode::Plan,
            timeout: Duration::from_secs(5),
            ..plan::Options::default()
        };
        let runner =
            Runner::open(connections, None, &[], &options, Pace::Reads).expect("the runs open");
        let reads = read_all(
            runner.runs(),
            &mut certificates,
            &[0, 1],
            runner.redactor(),
            ReadOptions {
                deep: false,
                checks: true,
            },
        )
        .await;
        let shop = reads[0].1.as_ref().expect("shop found and read");
        assert_eq!(shop.status, crate::api::status::ISSUED);
        assert_eq!(
            certificates[0]
                .0
                .certificate_id
                .as_ref()
                .map(|id| id.value.as_str()),
            Some("bought1"),
            "the id found is kept for the next round"
        );
        let blog = reads[1].1.as_ref().expect_err("blog not bought");
        assert_eq!(blog.code, NOT_BOUGHT);
        assert!(
            blog.message
                .contains("no certificate carries the tag tccert:certificate=blog"),
            "{}",
            blog.message
        );
        assert!(certificates[1].0.certificate_id.is_none());
        let counts = emulator.snapshot().requests_by_action;
        assert_eq!(counts.get("DescribeCertificates"), Some(&2), "{counts:?}");
        assert_eq!(
            counts.get("DescribeCertificateDetail"),
            None,
            "issued: the list said so"
        );
        assert_eq!(counts.get("CheckCertificateDomainVerification"), None);
        emulator.shutdown().await;
    }
}
