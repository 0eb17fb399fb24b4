//! The lifecycle half of [`super`]: a certificate found by its tag or
//! bought (`CreateCertificate`, exactly once), the steps of `--restart`
//! (`CancelAuditCertificate`, the wait for 7, `ModifyCertificateResubmit`)
//! and the confirmation letter (`UploadConfirmLetter`). A child module of
//! `run.rs`, as `run_send.rs` is; what to do is decided by the pure
//! [`crate::plan::step`], and each write is paced on its own action's
//! pacer and settled by reads like the others (docs/lifecycle.md).

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::api::reply::{Bought, flag};
use crate::api::request::{create_body, id_body, letter_body};
use crate::api::status::{CANCELLED, CANCELLING, INFO_SUBMITTED, REVIEW_FAILED};
use crate::plan::step::{RESTART_FAILED, Restart};

/// The longest pause between two reads of a restart's wait.
const WAIT_INTERVAL_CAP: Duration = Duration::from_secs(10);

/// The code of a purchase whose reply or tag is not what tccert needs.
pub const PURCHASE_FAILED: &str = "tccert.PurchaseFailed";
/// The code of a certificate to buy without `--allow-purchase`.
pub const PURCHASE_NOT_ALLOWED: &str = "tccert.PurchaseNotAllowed";
/// The code of a `false` answer of a write that answers with a Boolean.
pub const REFUSED: &str = "tccert.Refused";

impl<T: Transport> Run<T> {
    /// Reconciles one certificate. With `list` (and no `--deep`), the bulk
    /// list's status decides first: only the statuses that need it
    /// ([`needs_detail`]) and a certificate the list did not return are read
    /// in detail; every write follows this certificate's own detail read. A
    /// certificate with `purchase:` and no id is the one its tag names, or
    /// is bought. The result is `partial` when a write landed and a later
    /// step failed.
    pub async fn reconcile(
        &self,
        certificate: &Certificate,
        list: Option<&ListChunk>,
    ) -> CertificateReport {
        let report = CertificateReport::new(certificate);
        let report = if certificate.certificate_id.is_some() {
            let saved = self.options.saved.get(&certificate.name);
            self.reconcile_known(certificate, list, report, saved).await
        } else {
            self.reconcile_tagged(certificate, report).await
        };
        report.finish()
    }

    /// Reconciles a certificate whose id is known, continuing `report`
    /// (a purchase's, or a new one). With `--restart`, each step of the
    /// restart is followed by a new read and a new step, until the
    /// certificate is submitted and ordered, or a step ends the run for it.
    pub(super) async fn reconcile_known(
        &self,
        certificate: &Certificate,
        list: Option<&ListChunk>,
        mut report: CertificateReport,
        saved: Option<&Expected>,
    ) -> CertificateReport {
        let mut restart = if self.options.restart.contains(&certificate.name) {
            RestartPhase::On
        } else {
            RestartPhase::Off
        };
        let mut list = list;
        // `apply --plan` checks the first step only: what the plan planned.
        let mut saved = saved;
        loop {
            match self
                .reconcile_once(certificate, list, &mut report, restart, saved)
                .await
            {
                Some(next) => restart = next,
                None => return report,
            }
            list = None;
            saved = None;
        }
    }

    /// `purchase:` and no id: the certificate is the one its tag names.
    async fn reconcile_tagged(
        &self,
        certificate: &Certificate,
        mut report: CertificateReport,
    ) -> CertificateReport {
        let saved = self.options.saved.get(&certificate.name);
        match self.find_by_tag(certificate).await {
            Err(error) => report.fail(&error),
            Ok(Tagged::One(item)) => {
                report.notes.push(format!(
                    "found by its tag {CERTIFICATE_TAG}={}",
                    certificate.name
                ));
                if saved.is_some_and(|expected| expected.status.is_none()) {
                    report.certificate_id = Some(item.certificate_id.clone());
                    report.outcome = Outcome::Stale;
                    report.notes.push(format!(
                        "the plan planned a purchase, and {} now carries the tag; nothing bought, plan again",
                        item.certificate_id
                    ));
                    return report;
                }
                let found = self.found(certificate, item.certificate_id, &mut report);
                return self.reconcile_known(&found, None, report, saved).await;
            }
            Ok(Tagged::Many(ids)) => {
                report.error = Some(ApiError::local(
                    identity::TAGGED_TWICE,
                    identity::tagged_twice_message(&certificate.name, &ids),
                ));
            }
            Ok(Tagged::Nothing) if saved.is_some_and(|e| e.status.is_some()) => {
                report.outcome = Outcome::Stale;
                report.notes.push(format!(
                    "the plan found a certificate tagged {CERTIFICATE_TAG}={}, and none carries it now; nothing sent, plan again",
                    certificate.name
                ));
            }
            Ok(Tagged::Nothing) => return self.to_buy(certificate, report).await,
        }
        report
    }

    /// The certificate as found or bought: the id in the report too.
    fn found(
        &self,
        certificate: &Certificate,
        id: String,
        report: &mut CertificateReport,
    ) -> Certificate {
        let span = certificate
            .purchase
            .as_ref()
            .map_or(certificate.span, |p| p.span);
        report.certificate_id = Some(id.clone());
        certificate.with_found_id(id, span)
    }

    /// A certificate with `purchase:` that its account does not hold yet:
    /// planned, refused without `--allow-purchase`, or bought and then
    /// submitted (and ordered) in the same run.
    async fn to_buy(
        &self,
        certificate: &Certificate,
        mut report: CertificateReport,
    ) -> CertificateReport {
        report.actions.push(Action::CreateCertificate);
        let to_be_bought = format!(
            "no certificate carries the tag {CERTIFICATE_TAG}={}: it is to be bought (a certificate renamed before it has a certificate_id is bought anew)",
            certificate.name
        );
        if self.options.mode == Mode::Plan || !self.options.allow_purchase {
            report.notes.push(to_be_bought);
        }
        let commit = certificate.commit || self.options.commit_all;
        match self.options.mode {
            Mode::Plan => {
                report.actions.push(submit_action(certificate));
                if commit {
                    report.actions.push(Action::CertificateOrderSubmit);
                }
                if !self.options.allow_purchase {
                    report
                        .notes
                        .push("apply buys it only with --allow-purchase".into());
                }
                report.digests = Some(Digests {
                    body: saved::certificate_body_digest(certificate),
                    live: saved::sha256("nothing tagged"),
                });
                report.outcome = Outcome::Planned;
                report
            }
            Mode::Apply if !self.options.allow_purchase => {
                report.error = Some(ApiError::local(
                    PURCHASE_NOT_ALLOWED,
                    "buying needs --allow-purchase; nothing was bought",
                ));
                report
            }
            Mode::Apply => {
                report.actions.clear();
                let Some(id) = self.purchase(certificate, &mut report).await else {
                    return report;
                };
                report.notes.push(format!(
                    "bought {id}, tagged {CERTIFICATE_TAG}={}",
                    certificate.name
                ));
                let bought = self.found(certificate, id, &mut report);
                // What the plan planned was this purchase and what follows
                // it: nothing of the bought certificate to compare.
                self.reconcile_known(&bought, None, report, None).await
            }
        }
    }

    /// `CreateCertificate`, exactly once. A reply is read for exactly one
    /// id, which must then carry the tag. A reply that never came (timeout,
    /// dropped connection, 5xx) is settled by listing with the tag, spread
    /// over the settle window; the purchase is never sent again after it
    /// may have been carried out (only a request that certainly did nothing,
    /// throttled or never sent, is sent again). The id, when bought.
    async fn purchase(
        &self,
        certificate: &Certificate,
        report: &mut CertificateReport,
    ) -> Option<String> {
        let action = Action::CreateCertificate;
        report.actions.push(action);
        if certificate.purchase.is_none() {
            report.error = Some(ApiError::local(INTERNAL, "no purchase to send"));
            return None;
        }
        let body = create_body(certificate);
        let mut attempt = 1;
        loop {
            let sent = self
                .call(action, &body, &certificate.name, attempt, Purpose::Work)
                .await;
            let error = match sent.result {
                Ok(reply) => return self.bought(certificate, &reply, report).await,
                Err(error) => error,
            };
            match self.after_error(&error, CallKind::Write, attempt, sent.connect_failures) {
                Next::Retry(delay) => {
                    if !self
                        .sleep_until(Instant::now() + delay, Purpose::Work)
                        .await
                    {
                        report.fail(&self.not_sent());
                        return None;
                    }
                }
                Next::Fail | Next::StopAccount => {
                    report.fail(&error);
                    return None;
                }
                Next::Settle => {
                    tracing::info!(certificate = %certificate.name, code = %error.code(), "purchase outcome unknown; listing by the tag to settle it");
                    return self
                        .settle_purchase(certificate, sent.sent_at, &error, report)
                        .await;
                }
            }
            attempt += 1;
        }
    }

    /// A purchase's reply: exactly one id, which the tag list then names.
    async fn bought(
        &self,
        certificate: &Certificate,
        reply: &Map<String, Json>,
        report: &mut CertificateReport,
    ) -> Option<String> {
        let bought = Bought::from_response(reply);
        report.deal_ids = bought.deal_ids;
        let id = match bought.certificate_ids.as_slice() {
            [id] => id.clone(),
            ids => {
                if !ids.is_empty() {
                    report.landed(Action::CreateCertificate);
                }
                report.error = Some(ApiError::local(
                    PURCHASE_FAILED,
                    format!(
                        "CreateCertificate answered {} certificate ids ({}) where one certificate was bought; nothing more sent for it: check the account's certificates",
                        ids.len(),
                        if ids.is_empty() {
                            "none".to_string()
                        } else {
                            ids.join(", ")
                        }
                    ),
                ));
                return None;
            }
        };
        report.landed(Action::CreateCertificate);
        report.certificate_id = Some(id.clone());
        let tagged = self.find_by_tag_for(certificate, Purpose::Settle).await;
        let why = match tagged {
            Ok(Tagged::One(item)) if item.certificate_id == id => return Some(id),
            Ok(Tagged::One(item)) => format!("the tag is on {} instead", item.certificate_id),
            Ok(Tagged::Many(ids)) => format!("the tag is on {}", ids.join(", ")),
            Ok(Tagged::Nothing) => "no certificate carries it".to_string(),
            Err(error) => format!("the list could not be read ({})", error.code()),
        };
        report.error = Some(ApiError::local(
            PURCHASE_FAILED,
            format!(
                "bought {id}, but the tag {CERTIFICATE_TAG}={} is not found on it: {why}. Nothing more sent: put `certificate_id: {id}` in the manifest (and remove `purchase`), or tag {id} in the console, before applying again, or the next run buys another",
                certificate.name
            ),
        ));
        None
    }

    /// After a purchase whose outcome is unknown: lists by the tag, spread
    /// over the settle window, until one certificate carries it. Absent for
    /// the whole window: `unknown`, never sent again in this run (the next
    /// run lists by the tag first).
    async fn settle_purchase(
        &self,
        certificate: &Certificate,
        sent_at: Instant,
        error: &CallError,
        report: &mut CertificateReport,
    ) -> Option<String> {
        let action = Action::CreateCertificate;
        loop {
            match self.find_by_tag_for(certificate, Purpose::Settle).await {
                Ok(Tagged::One(item)) => {
                    report.landed(action);
                    report.notes.push(format!(
                        "{action}: {}; a list by the tag {CERTIFICATE_TAG}={} found the certificate bought",
                        error.code(),
                        certificate.name
                    ));
                    return Some(item.certificate_id);
                }
                Ok(Tagged::Many(ids)) => {
                    report.landed(action);
                    report.error = Some(ApiError::local(
                        identity::TAGGED_TWICE,
                        identity::tagged_twice_message(&certificate.name, &ids),
                    ));
                    return None;
                }
                Ok(Tagged::Nothing) => {}
                Err(_) => break,
            }
            let elapsed = sent_at.elapsed();
            if retry::may_resend(elapsed, self.options.timeout) {
                break;
            }
            let next = sent_at + retry::next_settle_read(elapsed, self.options.timeout);
            if !self.sleep_until(next, Purpose::Settle).await {
                break;
            }
        }
        report.unknown(action, error);
        report.notes.push(format!(
            "the purchase is not sent again in this run: the next plan or apply lists by the tag {CERTIFICATE_TAG}={} first and finds it if it was made",
            certificate.name
        ));
        None
    }

    /// One step of `--restart` from `next`, then the wait for where it
    /// leads. `Some(Resubmitted)`: the resubmit landed and the certificate
    /// left 7 or 2; read and step again.
    pub(super) async fn restart_step(
        &self,
        certificate: &Certificate,
        next: Restart,
        live: &Live,
        report: &mut CertificateReport,
    ) -> Option<RestartPhase> {
        if next == Restart::Cancel {
            let landed = |live: &Live| matches!(live.status, CANCELLING | CANCELLED);
            if !self
                .write_flagged(
                    Action::CancelAuditCertificate,
                    &id_body(certificate),
                    certificate,
                    landed,
                    "Result",
                    report,
                )
                .await
            {
                return None;
            }
        }
        if matches!(next, Restart::Cancel | Restart::Wait) {
            // Until 7, through 6; the status read before the cancel may
            // still show for a moment.
            let waiting = [CANCELLING, live.status];
            if !self
                .wait_status(
                    certificate,
                    |s| s == CANCELLED,
                    &waiting,
                    "the cancellation",
                    report,
                )
                .await
            {
                return None;
            }
        }
        let landed = |live: &Live| !matches!(live.status, CANCELLED | REVIEW_FAILED);
        if !self
            .write_flagged(
                Action::ModifyCertificateResubmit,
                &id_body(certificate),
                certificate,
                landed,
                "",
                report,
            )
            .await
        {
            return None;
        }
        // The emulator goes to 5; where the real API goes is not
        // documented: whatever it is, the next step compares it.
        let waiting = [CANCELLED, REVIEW_FAILED];
        if !self
            .wait_status(
                certificate,
                |s| !waiting.contains(&s),
                &waiting,
                "the resubmit",
                report,
            )
            .await
        {
            return None;
        }
        Some(RestartPhase::Resubmitted)
    }

    /// A write of the restart or the letter, sent at most once in this run
    /// after it may have been carried out; `flag_name`: the Boolean of its
    /// reply that must be true (`""`: none). True when it landed.
    async fn write_flagged(
        &self,
        action: Action,
        body: &Body,
        certificate: &Certificate,
        landed: impl Fn(&Live) -> bool,
        flag_name: &str,
        report: &mut CertificateReport,
    ) -> bool {
        match self
            .write_once(action, body, certificate, landed, &mut report.notes)
            .await
        {
            Written::Done(Some(reply)) if !flag_name.is_empty() && !flag(&reply, flag_name) => {
                report.outcome = Outcome::Failed;
                report.error = Some(ApiError::local(
                    REFUSED,
                    format!("{action} answered {flag_name} false: the step was not carried out"),
                ));
                false
            }
            Written::Done(_) => {
                report.landed(action);
                true
            }
            Written::Failed(error) => {
                report.fail(&error);
                false
            }
            Written::Unknown(error) => {
                report.unknown(action, &error);
                false
            }
        }
    }

    /// Paced reads until `done(status)`, while the status is one of
    /// `waiting`, for at most `--restart-timeout`. False (the report says
    /// why) when it ended otherwise: `unknown` at the timeout or a stop,
    /// with a note that the next `apply --restart` continues from there.
    async fn wait_status(
        &self,
        certificate: &Certificate,
        done: impl Fn(u64) -> bool,
        waiting: &[u64],
        what: &str,
        report: &mut CertificateReport,
    ) -> bool {
        let deadline = Instant::now() + self.options.restart_timeout;
        let mut pause = Duration::from_secs(1);
        let continues = format!(
            "apply --restart {} continues from where it is",
            certificate.name
        );
        loop {
            let live = match self.describe(certificate, Purpose::Work).await {
                Ok(live) => live,
                Err(error) if !self.may_send(Purpose::Work) => {
                    report.outcome = Outcome::Unknown;
                    report.error = Some(ApiError::from(&error));
                    report
                        .notes
                        .push(format!("stopped while waiting for {what}; {continues}"));
                    return false;
                }
                Err(error) => {
                    report.fail(&error);
                    return false;
                }
            };
            if done(live.status) {
                return true;
            }
            if !waiting.contains(&live.status) {
                report.outcome = Outcome::Failed;
                report.error = Some(ApiError::local(
                    RESTART_FAILED,
                    format!(
                        "--restart: waiting for {what}, the certificate went to status {} ({}); nothing more sent",
                        live.status,
                        crate::api::status::short_name(live.status)
                    ),
                ));
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                report.outcome = Outcome::Unknown;
                report.notes.push(format!(
                    "--restart: {what} did not finish within --restart-timeout ({} s): status {} ({}); {continues}",
                    self.options.restart_timeout.as_secs_f64(),
                    live.status,
                    crate::api::status::short_name(live.status)
                ));
                return false;
            }
            if !self
                .sleep_until((now + pause).min(deadline), Purpose::Work)
                .await
            {
                report.outcome = Outcome::Unknown;
                report.notes.push(format!(
                    "--restart: interrupted while waiting for {what} (status {}); {continues}",
                    live.status
                ));
                return false;
            }
            pause = (pause * 2).min(WAIT_INTERVAL_CAP);
        }
    }

    /// The confirmation letter: at 8 now (`now`), or after this run's order
    /// when a read shows it left the certificate at 8. At most once a run.
    pub(super) async fn upload_letter(
        &self,
        certificate: &Certificate,
        now: bool,
        report: &mut CertificateReport,
    ) {
        if certificate.confirm_letter.is_none() {
            return;
        }
        let body = letter_body(certificate);
        if !now {
            match self.describe(certificate, Purpose::Work).await {
                Ok(live) if live.status == INFO_SUBMITTED => {}
                Ok(_) => return,
                Err(error) => {
                    if self.may_send(Purpose::Work) {
                        report.fail(&error);
                    }
                    return;
                }
            }
            if !self.may_send(Purpose::Work) {
                return;
            }
            report.actions.push(Action::UploadConfirmLetter);
        }
        let landed = |live: &Live| live.status != INFO_SUBMITTED;
        if self
            .write_flagged(
                Action::UploadConfirmLetter,
                &body,
                certificate,
                landed,
                "IsSuccess",
                report,
            )
            .await
            && !matches!(report.outcome, Outcome::Submitted | Outcome::Committed)
        {
            report.outcome = Outcome::Committed;
        }
    }
}
