//! The reads `status` and `download` share (part of the run layer, beside
//! [`super::runner`]): each certificate's live status, paced as plan's
//! reads (the bulk list first, per account; docs/cli.md "Reading a fleet in
//! bulk"), then the detail where the status needs it, and, for `status`,
//! the domain checks of a certificate waiting for validation.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use super::runner::Runs;
use crate::api::action::Action;
use crate::api::error::ApiError;
use crate::api::request::describe_body;
use crate::api::status::awaits_validation;
use crate::certificate::Certificate;
use crate::output::status::Live;
use crate::plan;
use crate::plan::decide::needs_detail;
use crate::secret::Redactor;

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
/// those waiting for validation. Results in the order of `which`.
pub async fn read_all(
    runs: &Runs,
    certificates: &[(Certificate, PathBuf)],
    which: &[usize],
    redactor: &Arc<Redactor>,
    options: ReadOptions,
) -> Vec<(usize, ReadResult)> {
    let mut tasks = tokio::task::JoinSet::new();
    let mut results = Vec::new();
    let mut lists: HashMap<usize, Arc<plan::ListChunk>> = HashMap::new();
    if !options.deep {
        let mut by_account: BTreeMap<&Option<String>, Vec<usize>> = BTreeMap::new();
        for &i in which {
            by_account
                .entry(&certificates[i].0.account)
                .or_default()
                .push(i);
        }
        for indices in by_account.into_values() {
            let ids: Vec<(String, bool)> = indices
                .iter()
                .map(|&i| {
                    let id = &certificates[i].0.certificate_id;
                    (id.value.clone(), id.secret)
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
            let id = certificate.certificate_id.value.clone();
            if let Some(list) = list {
                match list.listed(&run, &id).await {
                    plan::Listed::Found(item) if !needs_detail(item.status) => {
                        // The list's StatusMsg is masked already.
                        let live = Live {
                            status: item.status,
                            status_message: item.status_message,
                            ..Live::default()
                        };
                        return (i, Ok(live));
                    }
                    plan::Listed::Stopped(error) => {
                        return (i, Err(ApiError::from(&error)));
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
            (i, read)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Ok(result) = joined {
            results.push(result);
        }
    }
    results.sort_by_key(|(i, _)| *i);
    results
}
