//! The reconciler: read each certificate's live state, decide, act.
//!
//! [`decide`] is the table of spec/cli.md "Reconciling one certificate", as a
//! pure function of the live state and the desired request body. [`run`] is
//! the effectful part: one task per certificate, every request paced per
//! action ([`crate::pace`]), retried with backoff for the retryable codes,
//! and every write whose outcome is unknown settled by reading the
//! certificate again before anything else is sent for it.
//!
//! A certificate is written with its API's submit action
//! (`SubmitCertificateInformation` or `CertificateInfoSubmit`, each with its
//! own pacer); whichever it is, the live `SubmittedData` is compared with the
//! body under SubmittedData's names ([`crate::request::submitted_view`]).
//!
//! Guarantees:
//! - `AuthFailure.*` stops the whole run: no request starts after it.
//! - A certificate is reported `submitted`/`committed` only when the server
//!   accepted the write (its answer, or a read that shows the write in place).
//! - A write that took effect is not sent again: after an unknown outcome we
//!   read first, and only re-send when the read shows it did not land.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Map, Value as Json};
use tokio::sync::Mutex;

use crate::api::client::{CallError, Transport};
use crate::model::Certificate;
use crate::pace::{Backoff, Pacer};
use crate::request::{
    Body, DESCRIBE_ACTION, INFO_SUBMIT_ACTION, ORDER_ACTION, SUBMIT_ACTION, Secrets,
    comparable_fields, describe_body, order_body, submit_action, submit_body, submitted_view,
};

/// Status "pending information submission".
pub const STATUS_PENDING: u64 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Read only; report what apply would do.
    Plan,
    Apply,
}

/// What happened to one certificate; the `result` of the JSON output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Submitted,
    Committed,
    Planned,
    InSync,
    Drift,
    Skipped,
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Submitted,
        Outcome::Committed,
        Outcome::Planned,
        Outcome::InSync,
        Outcome::Drift,
        Outcome::Skipped,
        Outcome::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Submitted => "submitted",
            Outcome::Committed => "committed",
            Outcome::Planned => "planned",
            Outcome::InSync => "in_sync",
            Outcome::Drift => "drift",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
        }
    }
}

/// The live state that matters, from `DescribeCertificateDetail`.
#[derive(Clone, Debug, PartialEq)]
pub struct Live {
    pub status: u64,
    pub status_message: Option<String>,
    pub submitted: Option<Map<String, Json>>,
}

impl Live {
    pub fn from_response(response: &Map<String, Json>) -> Result<Self, CallError> {
        let status = response
            .get("Status")
            .and_then(Json::as_u64)
            .ok_or_else(|| {
                CallError::Decode("DescribeCertificateDetail answered without a Status".into())
            })?;
        Ok(Self {
            status,
            status_message: response
                .get("StatusMsg")
                .and_then(Json::as_str)
                .map(str::to_string),
            submitted: response
                .get("SubmittedData")
                .and_then(Json::as_object)
                .cloned(),
        })
    }
}

/// What to do about one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Status 5 and the live data differs: submit (then commit, if asked).
    Submit {
        commit: bool,
    },
    /// Status 5, data in place, commit asked: only the order.
    Commit,
    InSync {
        note: Option<String>,
    },
    Drift {
        fields: Vec<&'static str>,
    },
    Failed {
        message: String,
    },
    Skipped {
        warning: String,
    },
}

/// The API fields whose live value differs from what would be sent.
/// `desired` holds `SubmittedData`'s (the old API's) names: for a
/// `CertificateInfoSubmit` certificate, [`submitted_view`] of its body.
/// `KeyPassword` and `IsDV` are not compared (SubmittedData does not return
/// them); an empty `DomainList` (`[]`, `[""]`, null) reads the same as none.
pub fn differences(submitted: Option<&Map<String, Json>>, desired: &Body) -> Vec<&'static str> {
    let empty = Map::new();
    let live = submitted.unwrap_or(&empty);
    comparable_fields(desired)
        .filter(|field| {
            let current = live.get(field.name);
            if field.name == "DomainList" {
                domain_list(current) != domain_list(Some(&field.value))
            } else {
                current.and_then(Json::as_str) != field.value.as_str()
            }
        })
        .map(|field| field.name)
        .collect()
}

fn domain_list(value: Option<&Json>) -> Vec<String> {
    let mut list: Vec<String> = value
        .and_then(Json::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Json::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    list.sort();
    list
}

/// True when SubmittedData carries nothing to compare (null, or every field
/// empty), as the API may return once a certificate is issued.
fn is_blank(submitted: Option<&Map<String, Json>>) -> bool {
    submitted.is_none_or(|data| {
        data.values().all(|v| match v {
            Json::Null => true,
            Json::String(s) => s.is_empty(),
            Json::Array(items) => items.iter().all(|i| i.as_str().is_none_or(str::is_empty)),
            _ => false,
        })
    })
}

/// The reconcile table of spec/cli.md.
pub fn decide(live: &Live, desired: &Body, commit: bool) -> Decision {
    match live.status {
        STATUS_PENDING => {
            let differ = differences(live.submitted.as_ref(), desired);
            match (differ.is_empty(), commit) {
                (false, commit) => Decision::Submit { commit },
                (true, true) => Decision::Commit,
                (true, false) => Decision::InSync { note: None },
            }
        }
        0 | 1 | 4 | 8 | 11 => {
            if is_blank(live.submitted.as_ref()) {
                return Decision::InSync {
                    note: Some(format!(
                        "status {}: the API no longer returns the submitted information, so it cannot be compared",
                        live.status
                    )),
                };
            }
            let fields = differences(live.submitted.as_ref(), desired);
            if fields.is_empty() {
                Decision::InSync { note: None }
            } else {
                Decision::Drift { fields }
            }
        }
        2 => Decision::Failed {
            message: format!(
                "review failed (status 2){}",
                live.status_message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
        },
        status => Decision::Skipped {
            warning: format!("status {status} ({}): nothing to do", status_name(status)),
        },
    }
}

pub fn status_name(status: u64) -> &'static str {
    match status {
        0 => "under review",
        1 => "approved",
        2 => "review failed",
        3 => "expired",
        4 => "DNS record added",
        5 => "pending information",
        6 => "order being cancelled",
        7 => "cancelled",
        8 => "information submitted, pending confirmation letter",
        9 => "being revoked",
        10 => "revoked",
        11 => "being reissued",
        12 => "pending revocation letter",
        13 => "free certificate pending information",
        14 => "refunded",
        15 => "being migrated",
        _ => "unknown",
    }
}

/// One certificate's line of the report.
#[derive(Clone, Debug, PartialEq)]
pub struct CertificateReport {
    pub name: String,
    pub certificate_id: String,
    pub file: PathBuf,
    pub line: u32,
    /// The live status read before acting.
    pub status: Option<u64>,
    pub outcome: Outcome,
    pub drift: Vec<&'static str>,
    /// For a submit: the fields that differ from the live data (`None`: the
    /// first submission, nothing live to compare).
    pub changes: Option<Vec<&'static str>>,
    pub error: Option<(String, String)>,
    /// The submit action of the certificate's API.
    pub api: &'static str,
    /// What plan would send, or what apply sent.
    pub actions: Vec<&'static str>,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Options {
    pub mode: Mode,
    /// `--commit`: every certificate as `commit: true`.
    pub commit_all: bool,
    /// Writes a second, per write action (`--rate`).
    pub write_rate: f64,
    /// Reads a second (DescribeCertificateDetail's documented limit).
    pub read_rate: f64,
    pub backoff: Backoff,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            mode: Mode::Apply,
            commit_all: false,
            write_rate: 10.0,
            read_rate: 10.0,
            backoff: Backoff::default(),
        }
    }
}

/// Why the run stopped early, if it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopReason {
    AuthFailure { code: String, message: String },
    Interrupted,
}

/// Why a request is sent: ordinary work, or a read that settles a write
/// already sent (allowed to finish after an interrupt).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Work,
    Settle,
}

/// Shared between the tasks of a run: the pacers and the stop switch.
pub struct Run<T: Transport> {
    transport: Arc<T>,
    pacers: HashMap<&'static str, Mutex<Pacer>>,
    options: Options,
    stopped: AtomicBool,
    stop_reason: std::sync::Mutex<Option<StopReason>>,
    /// Wakes every task sleeping for a slot or a backoff when the run stops.
    stop_signal: tokio::sync::watch::Sender<bool>,
}

/// Something to call when each certificate is done (progress display).
pub type OnDone = Arc<dyn Fn(&CertificateReport) + Send + Sync>;

impl<T: Transport> Run<T> {
    pub fn new(transport: Arc<T>, options: Options) -> Arc<Self> {
        let mut pacers = HashMap::new();
        pacers.insert(DESCRIBE_ACTION, Mutex::new(Pacer::new(options.read_rate)));
        pacers.insert(SUBMIT_ACTION, Mutex::new(Pacer::new(options.write_rate)));
        pacers.insert(
            INFO_SUBMIT_ACTION,
            Mutex::new(Pacer::new(options.write_rate)),
        );
        pacers.insert(ORDER_ACTION, Mutex::new(Pacer::new(options.write_rate)));
        Arc::new(Self {
            transport,
            pacers,
            options,
            stopped: AtomicBool::new(false),
            stop_reason: std::sync::Mutex::new(None),
            stop_signal: tokio::sync::watch::channel(false).0,
        })
    }

    /// Stops the run: nothing new is sent; what is in flight settles.
    pub fn stop(&self, reason: StopReason) {
        if let Ok(mut current) = self.stop_reason.lock() {
            current.get_or_insert(reason);
        }
        self.stopped.store(true, Ordering::SeqCst);
        self.stop_signal.send_replace(true);
    }

    /// Sleeps until `deadline`, or until the run stops, whichever is first.
    async fn sleep_until(&self, deadline: Instant) {
        let mut stopped = self.stop_signal.subscribe();
        if *stopped.borrow() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep_until(deadline.into()) => {}
            _ = stopped.changed() => {}
        }
    }

    pub fn stop_reason(&self) -> Option<StopReason> {
        self.stop_reason.lock().ok().and_then(|r| r.clone())
    }

    fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    fn stopped_error(&self) -> CallError {
        let message = match self.stop_reason() {
            Some(StopReason::AuthFailure { code, .. }) => {
                format!("not sent: the run stopped at {code}")
            }
            _ => "not sent: the run was interrupted".to_string(),
        };
        CallError::Api {
            code: "tccert.NotSent".into(),
            message,
            request_id: None,
        }
    }

    /// Waits for this action's next slot.
    async fn pace(&self, action: &'static str) {
        if let Some(pacer) = self.pacers.get(action) {
            let slot = pacer.lock().await.reserve(Instant::now());
            self.sleep_until(slot).await;
        }
    }

    async fn backoff(&self, attempt: u32) {
        self.sleep_until(Instant::now() + self.options.backoff.delay(attempt, fastrand::f64()))
            .await;
    }

    /// Whether a new request may go. After an interrupt, reads that settle a
    /// write already sent still go (that is what "settle what is in flight"
    /// means); after an AuthFailure nothing goes.
    fn may_send(&self, purpose: Purpose) -> bool {
        !self.is_stopped()
            || (purpose == Purpose::Settle && self.stop_reason() == Some(StopReason::Interrupted))
    }

    /// One call, paced, with the stop switch checked before it goes.
    async fn call(
        &self,
        action: &'static str,
        body: &Body,
        certificate: &str,
        attempt: u32,
        purpose: Purpose,
    ) -> Result<Map<String, Json>, CallError> {
        if !self.may_send(purpose) {
            return Err(self.stopped_error());
        }
        self.pace(action).await;
        if !self.may_send(purpose) {
            return Err(self.stopped_error());
        }
        tracing::debug!(action, certificate, attempt, "sending");
        let result = self
            .transport
            .call(action, body.to_json(Secrets::Reveal))
            .await;
        match &result {
            Ok(_) => tracing::debug!(action, certificate, attempt, "accepted"),
            Err(error) => {
                tracing::info!(action, certificate, attempt, code = %error.code(), "call failed");
                if error.is_auth_failure() {
                    self.stop(StopReason::AuthFailure {
                        code: error.code(),
                        message: error.message(),
                    });
                }
            }
        }
        result
    }

    /// A read, retried while the error is retryable.
    async fn describe(
        &self,
        certificate: &Certificate,
        purpose: Purpose,
    ) -> Result<Live, CallError> {
        let body = describe_body(certificate);
        let mut attempt = 1;
        loop {
            match self
                .call(DESCRIBE_ACTION, &body, &certificate.name, attempt, purpose)
                .await
            {
                Ok(response) => return Live::from_response(&response),
                Err(error) if error.is_retryable() && self.options.backoff.allows(attempt) => {
                    self.backoff(attempt).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// A write. Throttled: certainly not applied, so just retried. Any other
    /// retryable failure leaves the outcome unknown: a read settles it before
    /// anything else is sent, and only if the read shows the write did not
    /// land is it sent again.
    async fn write(
        &self,
        action: &'static str,
        body: &Body,
        certificate: &Certificate,
        landed: impl Fn(&Live) -> bool,
        notes: &mut Vec<String>,
    ) -> Result<(), CallError> {
        let mut attempt = 1;
        loop {
            match self
                .call(action, body, &certificate.name, attempt, Purpose::Work)
                .await
            {
                Ok(_) => return Ok(()),
                Err(error) if error.is_throttled() && self.options.backoff.allows(attempt) => {
                    self.backoff(attempt).await;
                }
                Err(error) if error.is_retryable() => {
                    tracing::info!(action, certificate = %certificate.name, code = %error.code(), "outcome unknown; reading the certificate to settle it");
                    let live = self.describe(certificate, Purpose::Settle).await?;
                    if landed(&live) {
                        notes.push(format!(
                            "{action}: {}; a read showed the write in place",
                            error.code()
                        ));
                        return Ok(());
                    }
                    if !self.options.backoff.allows(attempt) {
                        return Err(error);
                    }
                    self.backoff(attempt).await;
                }
                Err(error) => return Err(error),
            }
            attempt += 1;
        }
    }

    /// Reconciles one certificate.
    pub async fn reconcile(&self, certificate: &Certificate) -> CertificateReport {
        let mut report = CertificateReport {
            name: certificate.name.clone(),
            certificate_id: if certificate.certificate_id.secret {
                crate::secret::MASK.into()
            } else {
                certificate.certificate_id.value.clone()
            },
            file: PathBuf::new(),
            line: certificate.span.line,
            status: None,
            outcome: Outcome::Failed,
            drift: Vec::new(),
            changes: None,
            error: None,
            api: submit_action(certificate),
            actions: Vec::new(),
            notes: Vec::new(),
        };
        let fail = |report: &mut CertificateReport, error: &CallError| {
            report.outcome = Outcome::Failed;
            report.error = Some((error.code(), error.message()));
        };
        let live = match self.describe(certificate, Purpose::Work).await {
            Ok(live) => live,
            Err(error) => {
                fail(&mut report, &error);
                return report;
            }
        };
        report.status = Some(live.status);
        let action = submit_action(certificate);
        let body = submit_body(certificate);
        // What SubmittedData shows once the body is in place: the comparison
        // for drift, for "in sync" and for settling an unknown outcome.
        let desired = submitted_view(certificate, &body);
        let commit = certificate.commit || self.options.commit_all;
        let decision = decide(&live, &desired, commit);
        let (submit, order) = match decision {
            Decision::Submit { commit } => (true, commit),
            Decision::Commit => (false, true),
            Decision::InSync { note } => {
                report.outcome = Outcome::InSync;
                report.notes.extend(note);
                return report;
            }
            Decision::Drift { fields } => {
                report.outcome = Outcome::Drift;
                report.drift = fields;
                return report;
            }
            Decision::Failed { message } => {
                report.outcome = Outcome::Failed;
                report.error = Some(("tccert.ReviewFailed".into(), message));
                return report;
            }
            Decision::Skipped { warning } => {
                report.outcome = Outcome::Skipped;
                report.notes.push(warning);
                return report;
            }
        };
        if submit {
            report.actions.push(action);
            report.changes = live
                .submitted
                .as_ref()
                .map(|_| differences(live.submitted.as_ref(), &desired));
        }
        if order {
            report.actions.push(ORDER_ACTION);
        }
        if self.options.mode == Mode::Plan {
            report.outcome = Outcome::Planned;
            return report;
        }
        if submit {
            let landed = |live: &Live| differences(live.submitted.as_ref(), &desired).is_empty();
            if let Err(error) = self
                .write(action, &body, certificate, landed, &mut report.notes)
                .await
            {
                self.settle_conflict(certificate, &desired, &error, &mut report)
                    .await;
                return report;
            }
            report.outcome = Outcome::Submitted;
        }
        if order {
            let landed = |live: &Live| live.status != STATUS_PENDING;
            if let Err(error) = self
                .write(
                    ORDER_ACTION,
                    &order_body(certificate),
                    certificate,
                    landed,
                    &mut report.notes,
                )
                .await
            {
                self.settle_conflict(certificate, &desired, &error, &mut report)
                    .await;
                return report;
            }
            report.outcome = Outcome::Committed;
        }
        report
    }

    /// A write refused for the certificate's status may mean another run got
    /// there first (two applies at once). Read again: if the information is
    /// in place, that is not a failure of this run.
    async fn settle_conflict(
        &self,
        certificate: &Certificate,
        desired: &Body,
        error: &CallError,
        report: &mut CertificateReport,
    ) {
        let conflict = matches!(error, CallError::Api { code, .. }
            if code == "FailedOperation.InvalidCertificateStatusCode" || code == "FailedOperation.CertificateInfoSubmitStatusInvalid");
        if conflict
            && let Ok(live) = self.describe(certificate, Purpose::Settle).await
            && live.status != STATUS_PENDING
            && differences(live.submitted.as_ref(), desired).is_empty()
        {
            report.outcome = if report.actions.contains(&ORDER_ACTION) {
                Outcome::Committed
            } else {
                Outcome::InSync
            };
            report.notes.push(format!(
                "status is now {}: another run submitted the same information",
                live.status
            ));
            return;
        }
        report.outcome = Outcome::Failed;
        report.error = Some((error.code(), error.message()));
    }
}

/// Reconciles every certificate, concurrently, and reports in input order.
pub async fn run<T: Transport>(
    run: Arc<Run<T>>,
    certificates: Vec<(Certificate, PathBuf)>,
    on_done: OnDone,
) -> Vec<CertificateReport> {
    let mut tasks = Vec::with_capacity(certificates.len());
    for (certificate, file) in certificates {
        let run = Arc::clone(&run);
        let on_done = Arc::clone(&on_done);
        tasks.push(tokio::spawn(async move {
            let mut report = run.reconcile(&certificate).await;
            report.file = file;
            on_done(&report);
            report
        }));
    }
    let mut reports = Vec::with_capacity(tasks.len());
    for task in tasks {
        match task.await {
            Ok(report) => reports.push(report),
            Err(error) => tracing::error!("a certificate task failed: {error}"),
        }
    }
    reports
}

/// How long the writes of `n` certificates take at `rate`: the floor the
/// benchmark compares against.
pub fn floor(n: usize, rate: f64) -> Duration {
    Duration::from_secs_f64(n as f64 / rate)
}

#[cfg(test)]
impl CertificateReport {
    /// A report with everything but the name and outcome plain, for tests of
    /// the printers (`report`, `ci`).
    pub fn example(name: &str, outcome: Outcome) -> Self {
        Self {
            name: name.into(),
            certificate_id: format!("{name}-id"),
            file: format!("certificates/{name}.yaml").into(),
            line: 3,
            status: Some(5),
            outcome,
            drift: Vec::new(),
            changes: None,
            error: None,
            api: crate::request::SUBMIT_ACTION,
            actions: Vec::new(),
            notes: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(fields: &[(&'static str, Json)]) -> Body {
        Body {
            fields: fields
                .iter()
                .map(|(n, v)| crate::request::BodyField {
                    name: n,
                    value: v.clone(),
                    secret: false,
                })
                .collect(),
        }
    }

    fn live(status: u64, submitted: Option<Json>) -> Live {
        Live {
            status,
            status_message: Some("CA-REVIEWING".into()),
            submitted: submitted.and_then(|s| s.as_object().cloned()),
        }
    }

    #[test]
    fn pending_certificates_are_submitted_unless_equal() {
        let desired = body(&[
            ("CertificateId", json!("a")),
            ("OrganizationName", json!("Acme")),
            ("KeyPassword", json!("x")),
        ]);
        assert_eq!(
            decide(&live(5, None), &desired, false),
            Decision::Submit { commit: false }
        );
        assert_eq!(
            decide(&live(5, None), &desired, true),
            Decision::Submit { commit: true }
        );
        let same = Some(json!({"OrganizationName": "Acme", "PostalCode": "518000"}));
        assert_eq!(
            decide(&live(5, same.clone()), &desired, false),
            Decision::InSync { note: None }
        );
        assert_eq!(decide(&live(5, same), &desired, true), Decision::Commit);
    }

    #[test]
    fn submitted_certificates_are_compared_for_drift() {
        let desired = body(&[
            ("OrganizationName", json!("Acme")),
            ("DomainList", json!(["b.example", "a.example"])),
        ]);
        let same = json!({"OrganizationName": "Acme", "DomainList": ["a.example", "b.example"]});
        assert_eq!(
            decide(&live(8, Some(same)), &desired, false),
            Decision::InSync { note: None }
        );
        let changed = json!({"OrganizationName": "Other", "DomainList": ["a.example"]});
        assert_eq!(
            decide(&live(0, Some(changed)), &desired, false),
            Decision::Drift {
                fields: vec!["OrganizationName", "DomainList"]
            }
        );
        assert!(matches!(
            decide(&live(1, None), &desired, false),
            Decision::InSync { note: Some(_) }
        ));
        assert!(matches!(
            decide(
                &live(1, Some(json!({"OrganizationName": "", "DomainList": [""]}))),
                &desired,
                false
            ),
            Decision::InSync { note: Some(_) }
        ));
    }

    #[test]
    fn empty_domain_lists_read_as_none() {
        let desired = body(&[("OrganizationName", json!("Acme"))]);
        let live_data = json!({"OrganizationName": "Acme", "DomainList": [""]});
        assert!(differences(live_data.as_object(), &desired).is_empty());
    }

    #[test]
    fn other_statuses_fail_or_skip() {
        let desired = body(&[]);
        assert!(
            matches!(decide(&live(2, None), &desired, false), Decision::Failed { message } if message.contains("CA-REVIEWING"))
        );
        for status in [3, 6, 7, 9, 10, 12, 13, 14, 15] {
            assert!(
                matches!(
                    decide(&live(status, None), &desired, false),
                    Decision::Skipped { .. }
                ),
                "{status}"
            );
        }
    }
}
