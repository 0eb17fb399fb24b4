//! The calls of `status` and `download` beyond the status read, on the
//! run's pacers, retries and stops like every other call of [`super`]:
//! the domain checks (`CheckCertificateDomainVerification`) and the
//! download (`DownloadCertificate`), two reads; and `CompleteCertificate`,
//! a write settled by reads as apply's writes are. A child module of
//! `run.rs` so that it shares the run's private state.

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::api::reply::{DomainCheck, domain_checks, download_zip};
use crate::api::status::awaits_validation;

/// How a `CompleteCertificate` ended.
#[derive(Debug)]
pub enum Completion {
    /// Accepted, or a read after an unknown outcome showed the certificate
    /// past validation; with what happened on the way.
    Landed(Vec<String>),
    /// Certainly not carried out (refused, or never sent).
    Failed(CallError),
    /// Sent, and neither the reply nor the reads that followed could tell
    /// whether it took effect.
    Unknown(CallError),
}

impl<T: Transport> Run<T> {
    /// The certificate's domain checks, one per domain (none while the
    /// API has none), paced and retried as every read.
    pub async fn domain_checks(
        &self,
        certificate: &Certificate,
    ) -> Result<Vec<DomainCheck>, CallError> {
        self.read_as(
            Action::CheckCertificateDomainVerification,
            &describe_body(certificate),
            &certificate.name,
            Purpose::Work,
            |response| domain_checks(&response),
        )
        .await
    }

    /// The issued certificate's ZIP (`DownloadCertificate`, decoded from
    /// base64; not yet checked: [`crate::archive::read`] does that), paced
    /// and retried as every read.
    pub async fn download(&self, certificate: &Certificate) -> Result<Vec<u8>, CallError> {
        self.read_as(
            Action::DownloadCertificate,
            &describe_body(certificate),
            &certificate.name,
            Purpose::Work,
            |response| download_zip(&response),
        )
        .await
    }

    /// `CompleteCertificate` once, paced as a write. It is sent again only
    /// when it certainly did not arrive (throttled, never sent). An outcome
    /// that is not known (a timeout, a dropped connection, a 5xx) is settled
    /// by reads of the certificate: a status past validation (no longer 0,
    /// 4 or 8) shows it landed; otherwise it stays unknown and is never sent
    /// again. Unlike apply's writes, a status still waiting does not show
    /// that it did not arrive: it only asks the CA to check, and the status
    /// moves when the CA is done.
    pub async fn complete(&self, certificate: &Certificate) -> Completion {
        let action = Action::CompleteCertificate;
        let body = describe_body(certificate);
        let landed = |live: &Live| !awaits_validation(live.status);
        let mut attempt = 1;
        loop {
            let sent = self
                .call(action, &body, &certificate.name, attempt, Purpose::Work)
                .await;
            let error = match sent.result {
                Ok(_) => return Completion::Landed(Vec::new()),
                Err(error) => error,
            };
            match self.after_error(&error, CallKind::Write, attempt, sent.connect_failures) {
                Next::Retry(delay) => {
                    if !self
                        .sleep_until(Instant::now() + delay, Purpose::Work)
                        .await
                    {
                        return Completion::Failed(self.not_sent());
                    }
                }
                Next::Fail | Next::StopAccount => return Completion::Failed(error),
                Next::Settle => {
                    return match self.settle(certificate, sent.sent_at, &landed).await {
                        Settled::Landed => Completion::Landed(vec![format!(
                            "{action}: {}; a read showed the write in place",
                            error.code()
                        )]),
                        Settled::Absent | Settled::Unknown => Completion::Unknown(error),
                    };
                }
            }
            attempt += 1;
        }
    }
}
