//! The reconciler: read each certificate's live state, decide, act.
//!
//! [`decide`] is the table of docs/cli.md "Reconciling one certificate", as a
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

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use serde_json::{Map, Value as Json};
use tokio::sync::Mutex;

use crate::api::action::Action;
use crate::api::client::{CallError, Transport};
use crate::api::status::{self, PENDING_SUBMISSION};
use crate::model::Api;
use crate::model::Certificate;
use crate::pace::{Backoff, Pacer};
use crate::request::{
    Body, Secrets, comparable_fields, describe_body, order_body, submit_action, submit_body,
    submitted_view,
};
use crate::retry::{self, CallKind, Next};

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
    /// A write was sent and its outcome could not be settled.
    Unknown,
    /// `apply --plan`: the certificate moved since the plan; nothing sent.
    Stale,
}

impl Outcome {
    pub const ALL: [Outcome; 9] = [
        Outcome::Submitted,
        Outcome::Committed,
        Outcome::Planned,
        Outcome::InSync,
        Outcome::Drift,
        Outcome::Skipped,
        Outcome::Failed,
        Outcome::Unknown,
        Outcome::Stale,
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
            Outcome::Unknown => "unknown",
            Outcome::Stale => "stale",
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
/// `IsDV` is not compared (SubmittedData does not return it); an empty
/// `DomainList` (`[]`, `[""]`, null) reads the same as none; `KeyPassword` is
/// compared by name only (never shown), and a live one that is null or empty
/// cannot be compared ([`comparison_notes`] says so) rather than differing.
pub fn differences(submitted: Option<&Map<String, Json>>, desired: &Body) -> Vec<&'static str> {
    let empty = Map::new();
    let live = submitted.unwrap_or(&empty);
    comparable_fields(desired)
        .filter(|field| {
            let current = live.get(field.name);
            match field.name {
                "DomainList" => domain_list(current) != domain_list(Some(&field.value)),
                "KeyPassword" => current
                    .and_then(Json::as_str)
                    .filter(|live| !live.is_empty())
                    .is_some_and(|live| Some(live) != field.value.as_str()),
                _ => current.and_then(Json::as_str) != field.value.as_str(),
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

/// The reconcile table of docs/cli.md ("Reconciling one certificate").
pub fn decide(live: &Live, desired: &Body, commit: bool) -> Decision {
    match live.status {
        PENDING_SUBMISSION => {
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
            warning: format!(
                "status {status} ({}): nothing to do",
                status::short_name(status)
            ),
        },
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
    pub api: Api,
    /// What plan would send, or what apply sent.
    pub actions: Vec<Action>,
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
    /// One request's limit (`--timeout`): the settle window is three of
    /// them, and an interrupted run ends within one of them plus 5 s.
    pub timeout: Duration,
    /// `--resubmit`: certificates (by name) submitted at status 5 even when
    /// every comparable field agrees.
    pub resubmit: BTreeSet<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            mode: Mode::Apply,
            commit_all: false,
            write_rate: 10.0,
            read_rate: 10.0,
            backoff: Backoff::default(),
            timeout: Duration::from_secs(30),
            resubmit: BTreeSet::new(),
        }
    }
}

/// Why the run stopped early, if it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// `AuthFailure.*`: the credentials are refused; nothing more is sent.
    AuthFailure { code: String, message: String },
    /// [`retry::CONNECT_FAILURES_TO_STOP`] connection failures in a row: the
    /// endpoint cannot be reached; nothing more is sent.
    Unreachable { code: String, message: String },
    /// SIGINT or SIGTERM.
    Interrupted,
}

/// Why a request is sent: ordinary work, or a read that settles a write
/// already sent (allowed to go on, paced, after an interrupt).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Work,
    Settle,
}

/// After an interrupt, how long past one request's timeout the settle reads
/// may go on: the run ends within `--timeout` + 5 s (docs/cli.md), and the
/// last second is left for the report.
const GRACE_AFTER_TIMEOUT: Duration = Duration::from_secs(4);

#[derive(Clone, Debug, Default)]
struct StopState {
    reason: Option<StopReason>,
    /// After an interrupt: when every request still going is cut off and
    /// every wait ends. A second signal moves it to now.
    cut_off: Option<Instant>,
}

/// How one write ended.
enum Written {
    /// The server accepted it, or reads showed it in place.
    Done,
    /// Certainly not in place (refused, or never sent).
    Failed(CallError),
    /// Sent, and neither a reply nor the reads could tell whether it took
    /// effect.
    Unknown(CallError),
}

/// What the reads after an unknown outcome showed.
enum Settled {
    Landed,
    /// Absent in reads spread over the settle window: it may be sent again.
    Absent,
    Unknown,
}

/// One send: its result, when it left, and the account's connection
/// failures in a row after it.
struct Attempt {
    result: Result<Map<String, Json>, CallError>,
    sent_at: Instant,
    connect_failures: u32,
}

/// Shared between the tasks of a run (one account): the pacers and the stop.
pub struct Run<T: Transport> {
    transport: Arc<T>,
    pacers: HashMap<Action, Mutex<Pacer>>,
    options: Options,
    stop_state: tokio::sync::watch::Sender<StopState>,
    /// Connection failures in a row, across the certificates.
    connect_failures: AtomicU32,
}

/// Something to call when each certificate is done (progress display).
pub type OnDone = Arc<dyn Fn(&CertificateReport) + Send + Sync>;

/// The error of a request that was not sent because the run stopped.
fn not_sent(reason: Option<&StopReason>) -> CallError {
    let message = match reason {
        Some(StopReason::AuthFailure { code, .. } | StopReason::Unreachable { code, .. }) => {
            format!("not sent: the run stopped at {code}")
        }
        _ => "not sent: the run was interrupted".to_string(),
    };
    CallError::Api {
        code: NOT_SENT.into(),
        message,
        request_id: None,
    }
}

/// The code of a request the run did not send.
pub const NOT_SENT: &str = "tccert.NotSent";

impl<T: Transport> Run<T> {
    pub fn new(transport: Arc<T>, options: Options) -> Arc<Self> {
        let mut pacers = HashMap::new();
        pacers.insert(
            Action::DescribeCertificateDetail,
            Mutex::new(Pacer::new(options.read_rate)),
        );
        pacers.insert(
            Action::SubmitCertificateInformation,
            Mutex::new(Pacer::new(options.write_rate)),
        );
        pacers.insert(
            Action::CertificateInfoSubmit,
            Mutex::new(Pacer::new(options.write_rate)),
        );
        pacers.insert(
            Action::CertificateOrderSubmit,
            Mutex::new(Pacer::new(options.write_rate)),
        );
        Arc::new(Self {
            transport,
            pacers,
            options,
            stop_state: tokio::sync::watch::channel(StopState::default()).0,
            connect_failures: AtomicU32::new(0),
        })
    }

    /// Stops the run: nothing new is written. After an interrupt, reads that
    /// settle writes already sent go on, paced, until the cut-off; after any
    /// other stop nothing at all is sent (the same credentials or endpoint
    /// would fail the same way).
    pub fn stop(&self, reason: StopReason) {
        let grace = self.options.timeout + GRACE_AFTER_TIMEOUT;
        self.stop_state.send_modify(|state| {
            if reason == StopReason::Interrupted && state.cut_off.is_none() {
                state.cut_off = Some(Instant::now() + grace);
            }
            state.reason.get_or_insert(reason);
        });
    }

    /// A second signal: every request still going is cut off, every wait
    /// ends, now.
    pub fn cut_off_now(&self) {
        self.stop_state.send_modify(|state| {
            state.reason.get_or_insert(StopReason::Interrupted);
            state.cut_off = Some(Instant::now());
        });
    }

    pub fn stop_reason(&self) -> Option<StopReason> {
        self.stop_state.borrow().reason.clone()
    }

    /// Whether a request for `purpose` may be sent now.
    fn may_send(&self, purpose: Purpose) -> bool {
        let state = self.stop_state.borrow();
        match (&state.reason, purpose) {
            (None, _) => true,
            (Some(_), Purpose::Work) => false,
            (Some(StopReason::Interrupted), Purpose::Settle) => {
                state.cut_off.is_some_and(|cut| Instant::now() < cut)
            }
            (Some(_), Purpose::Settle) => false,
        }
    }

    /// Resolves when waiting for `purpose` must end: for work, when the run
    /// stops; for settling, at the cut-off (at once after a stop that was not
    /// an interrupt).
    async fn halted(&self, purpose: Purpose) {
        let mut state = self.stop_state.subscribe();
        loop {
            let (stopped, cut_off) = {
                let now = state.borrow_and_update();
                (now.reason.is_some(), now.cut_off)
            };
            let deadline = match purpose {
                Purpose::Work if stopped => return,
                Purpose::Settle if stopped && cut_off.is_none() => return,
                Purpose::Work | Purpose::Settle => cut_off,
            };
            match deadline {
                Some(deadline) => {
                    tokio::select! {
                        () = tokio::time::sleep_until(deadline) => return,
                        changed = state.changed() => if changed.is_err() { return },
                    }
                }
                None => {
                    if state.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Resolves at the cut-off after an interrupt; never otherwise.
    async fn cut_off(&self) {
        let mut state = self.stop_state.subscribe();
        loop {
            let cut_off = state.borrow_and_update().cut_off;
            match cut_off {
                Some(deadline) => tokio::select! {
                    () = tokio::time::sleep_until(deadline) => return,
                    changed = state.changed() => if changed.is_err() { return std::future::pending().await },
                },
                None => {
                    if state.changed().await.is_err() {
                        return std::future::pending().await;
                    }
                }
            }
        }
    }

    /// Sleeps until `when`; false when the wait was ended by a stop.
    async fn sleep_until(&self, when: Instant, purpose: Purpose) -> bool {
        tokio::select! {
            biased;
            () = self.halted(purpose) => false,
            () = tokio::time::sleep_until(when) => true,
        }
    }

    /// One send, paced by its action's pacer, with the stop checked before it
    /// goes and the cut-off racing it while it is in flight.
    async fn call(
        &self,
        action: Action,
        body: &Body,
        certificate: &str,
        attempt: u32,
        purpose: Purpose,
    ) -> Attempt {
        let refused = |run: &Self| Attempt {
            result: Err(not_sent(run.stop_reason().as_ref())),
            sent_at: Instant::now(),
            connect_failures: 0,
        };
        if !self.may_send(purpose) {
            return refused(self);
        }
        if let Some(pacer) = self.pacers.get(&action) {
            let slot = pacer.lock().await.reserve(Instant::now().into_std());
            if !self.sleep_until(Instant::from_std(slot), purpose).await {
                return refused(self);
            }
        }
        if !self.may_send(purpose) {
            return refused(self);
        }
        tracing::debug!(action = %action, certificate, attempt, "sending");
        let sent_at = Instant::now();
        let result = tokio::select! {
            result = self.transport.call(action, body.to_json(Secrets::Reveal)) => result,
            () = self.cut_off() => Err(CallError::Transport {
                message: "cut off: the run was interrupted while the request was in flight".into(),
                timed_out: true,
            }),
        };
        let connect_failures = match &result {
            Err(error) if error.is_connect_failure() => {
                self.connect_failures.fetch_add(1, Ordering::SeqCst) + 1
            }
            _ => {
                self.connect_failures.store(0, Ordering::SeqCst);
                0
            }
        };
        match &result {
            Ok(_) => tracing::debug!(action = %action, certificate, attempt, "accepted"),
            Err(error) => {
                tracing::info!(action = %action, certificate, attempt, code = %error.code(), "call failed");
            }
        }
        Attempt {
            result,
            sent_at,
            connect_failures,
        }
    }

    /// The decision after a failed call; stops the account when it says so.
    fn after_error(
        &self,
        error: &CallError,
        kind: CallKind,
        attempt: u32,
        connect_failures: u32,
    ) -> Next {
        let next = retry::after_error(
            error,
            kind,
            attempt,
            connect_failures,
            &self.options.backoff,
            fastrand::f64(),
        );
        if next == Next::StopAccount {
            let (code, message) = (error.code(), error.message());
            self.stop(if error.is_auth_failure() {
                StopReason::AuthFailure { code, message }
            } else {
                StopReason::Unreachable { code, message }
            });
        }
        next
    }

    /// A read, retried while the rules say so.
    async fn describe(
        &self,
        certificate: &Certificate,
        purpose: Purpose,
    ) -> Result<Live, CallError> {
        let body = describe_body(certificate);
        let mut attempt = 1;
        loop {
            let sent = self
                .call(
                    Action::DescribeCertificateDetail,
                    &body,
                    &certificate.name,
                    attempt,
                    purpose,
                )
                .await;
            let error = match sent
                .result
                .and_then(|response| Live::from_response(&response))
            {
                Ok(mut live) => {
                    // StatusMsg is the one text from a successful reply that
                    // is printed: masked like every error from the network.
                    live.status_message = live
                        .status_message
                        .map(|message| self.transport.redactor().redact(&message));
                    return Ok(live);
                }
                Err(error) => error,
            };
            match self.after_error(&error, CallKind::Read, attempt, sent.connect_failures) {
                Next::Retry(delay) => {
                    if !self.sleep_until(Instant::now() + delay, purpose).await {
                        return Err(error);
                    }
                }
                Next::Settle | Next::Fail | Next::StopAccount => return Err(error),
            }
            attempt += 1;
        }
    }

    /// Reads after a write of unknown outcome, sent at `sent_at`, until the
    /// reads show it in place, or show it absent over the settle window.
    async fn settle(
        &self,
        certificate: &Certificate,
        sent_at: Instant,
        landed: &impl Fn(&Live) -> bool,
    ) -> Settled {
        loop {
            let Ok(live) = self.describe(certificate, Purpose::Settle).await else {
                return Settled::Unknown;
            };
            if landed(&live) {
                return Settled::Landed;
            }
            let elapsed = sent_at.elapsed();
            if retry::may_resend(elapsed, self.options.timeout) {
                return Settled::Absent;
            }
            let next = sent_at + retry::next_settle_read(elapsed, self.options.timeout);
            if !self.sleep_until(next, Purpose::Settle).await {
                return Settled::Unknown;
            }
        }
    }

    /// A write. Certainly not applied (throttled, never sent): retried. Any
    /// other failure that may have been applied is settled by reads before
    /// anything else is sent for the certificate, and sent again only when
    /// reads spread over [`retry::SETTLE_TIMEOUTS`] timeouts show it absent.
    async fn write(
        &self,
        action: Action,
        body: &Body,
        certificate: &Certificate,
        landed: impl Fn(&Live) -> bool,
        notes: &mut Vec<String>,
    ) -> Written {
        let mut attempt = 1;
        loop {
            let sent = self
                .call(action, body, &certificate.name, attempt, Purpose::Work)
                .await;
            let error = match sent.result {
                Ok(_) => return Written::Done,
                Err(error) => error,
            };
            match self.after_error(&error, CallKind::Write, attempt, sent.connect_failures) {
                Next::Retry(delay) => {
                    if !self
                        .sleep_until(Instant::now() + delay, Purpose::Work)
                        .await
                    {
                        return Written::Failed(not_sent(self.stop_reason().as_ref()));
                    }
                }
                Next::Fail | Next::StopAccount => return Written::Failed(error),
                Next::Settle => {
                    tracing::info!(action = %action, certificate = %certificate.name, code = %error.code(), "outcome unknown; reading the certificate to settle it");
                    match self.settle(certificate, sent.sent_at, &landed).await {
                        Settled::Landed => {
                            notes.push(format!(
                                "{action}: {}; a read showed the write in place",
                                error.code()
                            ));
                            return Written::Done;
                        }
                        Settled::Unknown => return Written::Unknown(error),
                        Settled::Absent if !self.options.backoff.allows(attempt) => {
                            return Written::Failed(error);
                        }
                        Settled::Absent if !self.may_send(Purpose::Work) => {
                            notes.push(format!(
                                "{action}: {}; reads showed it did not take effect",
                                error.code()
                            ));
                            return Written::Failed(not_sent(self.stop_reason().as_ref()));
                        }
                        Settled::Absent => {}
                    }
                }
            }
            attempt += 1;
        }
    }

    /// Reconciles one certificate.
    pub async fn reconcile(&self, certificate: &Certificate) -> CertificateReport {
        let mut report = CertificateReport::new(certificate);
        let live = match self.describe(certificate, Purpose::Work).await {
            Ok(live) => live,
            Err(error) => {
                report.fail(&error);
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
        let resubmit = self.options.resubmit.contains(&certificate.name);
        report.notes.extend(comparison_notes(&live, &desired));
        let decision = match decide(&live, &desired, commit) {
            Decision::InSync { .. } | Decision::Commit
                if resubmit && live.status == PENDING_SUBMISSION =>
            {
                report
                    .notes
                    .push("--resubmit: submitted although every comparable field agrees".into());
                Decision::Submit { commit }
            }
            _ if resubmit && live.status != PENDING_SUBMISSION => Decision::Failed {
                message: format!(
                    "--resubmit: the information can be submitted again only at status 5 (pending information); this certificate is at status {} ({})",
                    live.status,
                    status::short_name(live.status)
                ),
            },
            decision => decision,
        };
        let (submit, order) = match decision {
            Decision::Submit { commit } => (true, commit),
            Decision::Commit => (false, true),
            Decision::InSync { note } => {
                report.outcome = Outcome::InSync;
                report.notes.extend(note);
                report.notes.extend(unverifiable_note(certificate, &body));
                return report;
            }
            Decision::Drift { fields } => {
                report.outcome = Outcome::Drift;
                report.drift = fields;
                report.notes.extend(unverifiable_note(certificate, &body));
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
        } else {
            report.notes.extend(unverifiable_note(certificate, &body));
        }
        if order {
            report.actions.push(Action::CertificateOrderSubmit);
        }
        if self.options.mode == Mode::Plan {
            report.outcome = Outcome::Planned;
            return report;
        }
        if submit {
            let landed = |live: &Live| differences(live.submitted.as_ref(), &desired).is_empty();
            match self
                .write(action, &body, certificate, landed, &mut report.notes)
                .await
            {
                Written::Done => report.outcome = Outcome::Submitted,
                Written::Failed(error) => {
                    self.settle_conflict(certificate, &desired, &error, &mut report)
                        .await;
                    return report;
                }
                Written::Unknown(error) => {
                    report.unknown(action, &error);
                    return report;
                }
            }
        }
        if order {
            if submit && !self.may_send(Purpose::Work) {
                report.notes.push(format!(
                    "{} not sent: the run stopped after the information was submitted; apply again to commit",
                    Action::CertificateOrderSubmit
                ));
                return report;
            }
            let landed = |live: &Live| live.status != PENDING_SUBMISSION;
            match self
                .write(
                    Action::CertificateOrderSubmit,
                    &order_body(certificate),
                    certificate,
                    landed,
                    &mut report.notes,
                )
                .await
            {
                Written::Done => report.outcome = Outcome::Committed,
                Written::Failed(error) if submit && is_not_sent(&error) => {
                    report.notes.push(format!(
                        "{} not sent: the run stopped after the information was submitted; apply again to commit",
                    Action::CertificateOrderSubmit
                    ));
                }
                Written::Failed(error) => {
                    self.settle_conflict(certificate, &desired, &error, &mut report)
                        .await;
                }
                Written::Unknown(error) => report.unknown(Action::CertificateOrderSubmit, &error),
            }
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
            && live.status != PENDING_SUBMISSION
            && differences(live.submitted.as_ref(), desired).is_empty()
        {
            report.outcome = if report.actions.contains(&Action::CertificateOrderSubmit) {
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
        report.fail(error);
    }
}

fn is_not_sent(error: &CallError) -> bool {
    matches!(error, CallError::Api { code, .. } if code == NOT_SENT)
}

/// Notes on what the comparison could not see: a `KeyPassword` the manifest
/// sets that the live data does not echo (null or empty).
fn comparison_notes(live: &Live, desired: &Body) -> Option<String> {
    let sets_password = desired.fields.iter().any(|f| f.name == "KeyPassword");
    let live_password = live
        .submitted
        .as_ref()
        .and_then(|data| data.get("KeyPassword"))
        .and_then(Json::as_str)
        .filter(|value| !value.is_empty());
    (sets_password && live.submitted.is_some() && live_password.is_none()).then(|| {
        "KeyPassword could not be compared: the live SubmittedData does not show one".to_string()
    })
}

/// The fields sent that `SubmittedData` cannot show, so a change to them is
/// never seen: said whenever the information is not about to be sent.
fn unverifiable_note(certificate: &Certificate, body: &Body) -> Option<String> {
    let fields = unverifiable_fields(certificate, body);
    (!fields.is_empty()).then(|| {
        format!(
            "{} cannot be verified (SubmittedData does not show {}); `apply --resubmit {}` sends them at status 5",
            fields.join(", "),
            if fields.len() == 1 { "it" } else { "them" },
            certificate.name
        )
    })
}

/// The sent fields without a `SubmittedData` name, less `CompanyId` and
/// `ManagerId` at their "none" value `0`, which the certificate does not set.
pub fn unverifiable_fields(certificate: &Certificate, body: &Body) -> Vec<&'static str> {
    if certificate.api != crate::model::Api::CertificateInfoSubmit {
        return Vec::new();
    }
    body.fields
        .iter()
        .filter(|f| crate::request::legacy_name(f.name).is_none())
        .filter(|f| !(matches!(f.name, "CompanyId" | "ManagerId") && f.value == "0"))
        .map(|f| f.name)
        .collect()
}

impl CertificateReport {
    /// The report before anything is known: failed until decided otherwise.
    fn new(certificate: &Certificate) -> Self {
        Self {
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
            api: certificate.api,
            actions: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn fail(&mut self, error: &CallError) {
        self.outcome = Outcome::Failed;
        self.error = Some((error.code(), error.message()));
    }

    /// A write was sent and could not be settled: it may or may not be in
    /// place. `plan` (or another apply, which reads first) will tell.
    fn unknown(&mut self, action: Action, error: &CallError) {
        self.outcome = Outcome::Unknown;
        self.error = Some((error.code(), error.message()));
        self.notes.push(format!(
            "{action} was sent and its outcome could not be settled by reads; run plan to see whether it took effect"
        ));
    }
}

/// Reconciles every certificate, concurrently, and reports in input order.
/// A certificate whose task panicked is reported `failed` (`tccert.Internal`),
/// never dropped.
pub async fn run<T: Transport>(
    run: Arc<Run<T>>,
    certificates: Vec<(Certificate, PathBuf)>,
    on_done: OnDone,
) -> Vec<CertificateReport> {
    let mut tasks = Vec::with_capacity(certificates.len());
    for (certificate, file) in certificates {
        let mut skeleton = CertificateReport::new(&certificate);
        skeleton.file.clone_from(&file);
        let run = Arc::clone(&run);
        let on_done = Arc::clone(&on_done);
        let task = tokio::spawn(async move {
            let mut report = run.reconcile(&certificate).await;
            report.file = file;
            on_done(&report);
            report
        });
        tasks.push((skeleton, task));
    }
    let mut reports = Vec::with_capacity(tasks.len());
    for (mut skeleton, task) in tasks {
        let report = match task.await {
            Ok(report) => report,
            Err(error) => {
                tracing::error!(certificate = %skeleton.name, "a certificate task failed: {error}");
                skeleton.error = Some((
                    INTERNAL.into(),
                    "tccert failed internally while reconciling this certificate; its live state is unknown: run plan".into(),
                ));
                on_done(&skeleton);
                skeleton
            }
        };
        reports.push(report);
    }
    reports
}

/// The code of a certificate whose reconciling failed inside tccert.
pub const INTERNAL: &str = "tccert.Internal";

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
            api: Api::SubmitCertificateInformation,
            actions: Vec::new(),
            notes: Vec::new(),
        }
    }
}

#[cfg(test)]
mod run_tests;

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
        // Null fields, as the API returns them once a certificate is issued.
        assert!(matches!(
            decide(
                &live(
                    1,
                    Some(json!({"OrganizationName": null, "DomainList": null}))
                ),
                &desired,
                false
            ),
            Decision::InSync { note: Some(_) }
        ));
        // One real value is enough to compare.
        assert!(matches!(
            decide(
                &live(
                    1,
                    Some(json!({"OrganizationName": null, "CsrType": "online"}))
                ),
                &desired,
                false
            ),
            Decision::Drift { .. }
        ));
    }

    #[test]
    fn key_passwords_are_compared_but_a_missing_live_one_is_only_a_note() {
        let desired = body(&[
            ("OrganizationName", json!("Acme")),
            ("KeyPassword", json!("pw")),
        ]);
        let same = json!({"OrganizationName": "Acme", "KeyPassword": "pw"});
        assert!(differences(same.as_object(), &desired).is_empty());
        let other = json!({"OrganizationName": "Acme", "KeyPassword": "old"});
        assert_eq!(differences(other.as_object(), &desired), ["KeyPassword"]);
        for missing in [json!(null), json!("")] {
            let data = json!({"OrganizationName": "Acme", "KeyPassword": missing});
            assert!(differences(data.as_object(), &desired).is_empty());
            let note = comparison_notes(&live(5, Some(data)), &desired);
            assert!(note.is_some_and(|n| n.contains("KeyPassword could not be compared")));
        }
        let absent = live(5, Some(json!({"OrganizationName": "Acme"})));
        assert!(comparison_notes(&absent, &desired).is_some());
        // Nothing to say when the manifest sets none, or the live one is there.
        let without = body(&[("OrganizationName", json!("Acme"))]);
        assert!(comparison_notes(&absent, &without).is_none());
        assert!(comparison_notes(&live(5, Some(same)), &desired).is_none());
        // A first submission has nothing live to compare: no note either.
        assert!(comparison_notes(&live(5, None), &desired).is_none());
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
