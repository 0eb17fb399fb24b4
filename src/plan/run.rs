//! The effectful part of planning and applying: one task per certificate,
//! every request paced per action ([`super::pace`]), retried or settled as
//! [`super::retry`] decides, and stopped on `AuthFailure.*`, an unreachable
//! endpoint or a signal. One [`Run`] per account (the default credentials
//! counting as one): each has its own transport, pacers and stop, so the
//! documented limits apply per account and one account's refused
//! credentials stop only its certificates ([`run_all`]). Never prints: each
//! certificate's [`CertificateReport`] goes to an [`OnDone`] callback and
//! back to the caller.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::{Map, Value as Json};
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::changes::{self, Change, Values};
use super::decide::{
    ListItem, Live, differences, drift_note, list_page, needs_detail, unverifiable_note,
};
use super::identity::{self, CERTIFICATE_TAG, Tagged};
use super::outcome::{CertificateReport, Mode, Outcome, Stop, StopReason, Whose};
use super::pace::{Backoff, Pacer};
use super::retry::{self, CallKind, Next};
use super::saved::{self, Digests, Expected};
use super::step::{Read, RestartPhase, Step, StepOptions, Then, order_not_sent, step};
use crate::api::action::Action;
use crate::api::error::ApiError;
use crate::api::error::CallError;
use crate::api::request::{
    Body, Secrets, describe_body, list_ids_body, order_body, submit_action, submit_body,
    submitted_view, tag_list_body,
};
use crate::api::status::PENDING_SUBMISSION;
use crate::certificate::Certificate;
use crate::transport::Transport;

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
    /// Whose credentials this run sends with: an account's name, `None`
    /// for the default credentials. Named in the errors of what a stop left
    /// unsent.
    pub account: Option<String>,
    /// `--no-values`: the reports name the fields that change, no value.
    pub values: Values,
    /// `apply --plan`: what the saved plan planned, by certificate name. A
    /// certificate here is written only when apply would now do exactly
    /// that (same body, same live state, same writes); else it is `stale`.
    pub saved: BTreeMap<String, Expected>,
    /// `--deep`: read every certificate's detail, as before the bulk list
    /// (docs/cli.md, "Reading a fleet in bulk"), and compare issued ones.
    pub deep: bool,
    /// `--allow-purchase`: apply may buy (`CreateCertificate`).
    pub allow_purchase: bool,
    /// `--restart`: certificates (by name) whose review may be cancelled
    /// and their information submitted again.
    pub restart: BTreeSet<String>,
    /// `--restart-timeout`: how long a restart waits for the cancellation
    /// (and for a resubmit to leave 7 or 2).
    pub restart_timeout: Duration,
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
            account: None,
            values: Values::Shown,
            saved: BTreeMap::new(),
            deep: false,
            allow_purchase: false,
            restart: BTreeSet::new(),
            restart_timeout: Duration::from_secs(600),
        }
    }
}

/// `--restart-timeout`'s default, in seconds.
pub const DEFAULT_RESTART_TIMEOUT_SECONDS: f64 = 600.0;

/// At most this many certificate ids in one `DescribeCertificates` call
/// (`CertIds`). The API documents no limit of its own for `CertIds`; 100
/// keeps each request small and each reply (about 1 to 3 KB a listed
/// certificate, some 60 fields each in the official model) far under the
/// 1 MiB tccert accepts, while 1,000 certificates still take only 10 calls
/// (1 s at the action's 10 a second).
pub const IDS_PER_LIST: usize = 100;

/// At most this many pages of a tag list ([`Run::find_by_tag`]).
pub const TAG_LIST_PAGES: usize = 10;

/// What the bulk list said of one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listed {
    /// Its status, as the list returned it.
    Found(ListItem),
    /// The list was read and did not return it: its own detail read says
    /// why (not found, another account's, ...).
    Missing,
    /// Not listed: `--deep`, or the list could not be read (the run
    /// stopped, or it failed after its retries); read in detail.
    Unread,
    /// The list call this certificate sent stopped the account (an
    /// `AuthFailure`, the endpoint unreachable): its error, said on this
    /// one certificate as a detail read's would be; the others of the
    /// account are not sent.
    Stopped(CallError),
}

/// One `DescribeCertificates` call's worth of certificate ids (at most
/// [`IDS_PER_LIST`], each once) and, once the first certificate that needs
/// it asks, what the list said: read once, shared by the certificates of
/// the call, and read concurrently with the other calls and with the detail
/// reads, each paced by its own action's pacer.
#[derive(Debug)]
pub struct ListChunk {
    ids: Vec<(String, bool)>,
    read: tokio::sync::OnceCell<Option<HashMap<String, ListItem>>>,
}

impl ListChunk {
    /// What the list says of `certificate_id`, reading the list first if
    /// no certificate of this call has yet.
    pub async fn listed<T: Transport>(&self, run: &Run<T>, certificate_id: &str) -> Listed {
        let mut sent_by_me = None;
        let read = self
            .read
            .get_or_init(|| async {
                let (found, error) = run.list_ids(&self.ids).await;
                sent_by_me = error;
                found
            })
            .await;
        match read {
            None => match sent_by_me {
                Some(error) if !run.may_send(Purpose::Work) => Listed::Stopped(error),
                _ => Listed::Unread,
            },
            Some(found) => found
                .get(certificate_id)
                .cloned()
                .map_or(Listed::Missing, Listed::Found),
        }
    }
}

/// The bulk list's calls for these certificate ids (`(id, secret)`, in run
/// order, one account's): each call holds at most [`IDS_PER_LIST`] distinct
/// ids. Returns, for each id given, the call that lists it (an id given
/// twice is listed once).
pub fn list_chunks(ids: &[(String, bool)]) -> Vec<Arc<ListChunk>> {
    let mut groups: Vec<Vec<(String, bool)>> = Vec::new();
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    let mut assigned = Vec::with_capacity(ids.len());
    for (id, secret) in ids {
        let index = if let Some(&index) = index_of.get(id.as_str()) {
            index
        } else {
            if groups.last().is_none_or(|g| g.len() >= IDS_PER_LIST) {
                groups.push(Vec::new());
            }
            let index = groups.len() - 1;
            if let Some(group) = groups.last_mut() {
                group.push((id.clone(), *secret));
            }
            index_of.insert(id, index);
            index
        };
        assigned.push(index);
    }
    let chunks: Vec<Arc<ListChunk>> = groups
        .into_iter()
        .map(|ids| {
            Arc::new(ListChunk {
                ids,
                read: tokio::sync::OnceCell::new(),
            })
        })
        .collect();
    assigned
        .into_iter()
        .map(|index| Arc::clone(&chunks[index]))
        .collect()
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
    /// The server accepted it (its reply), or reads showed it in place
    /// (`None`).
    Done(Option<Map<String, Json>>),
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

/// Shared between the tasks of one account: the transport (its
/// credentials and endpoint), the pacers and the stop.
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

/// The error of a request that was not sent because the run (or the
/// certificate's account) stopped.
fn not_sent(reason: Option<&StopReason>, account: Option<&str>) -> CallError {
    let message = match (reason, account) {
        (
            Some(StopReason::AuthFailure { code, .. } | StopReason::Unreachable { code, .. }),
            Some(account),
        ) => format!("not sent: account `{account}` stopped at {code}"),
        (
            Some(StopReason::AuthFailure { code, .. } | StopReason::Unreachable { code, .. }),
            None,
        ) => {
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

pub use super::step::NOT_SENT;

impl<T: Transport> Run<T> {
    pub fn new(transport: Arc<T>, options: Options) -> Arc<Self> {
        let mut pacers = HashMap::new();
        pacers.insert(
            Action::DescribeCertificateDetail,
            Mutex::new(Pacer::new(options.read_rate)),
        );
        pacers.insert(
            Action::DescribeCertificates,
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
        // Every write action on its own pacer (each has its own limit per
        // account, docs/api.md §3).
        for action in [
            Action::CertificateOrderSubmit,
            Action::CreateCertificate,
            Action::CancelAuditCertificate,
            Action::ModifyCertificateResubmit,
            Action::UploadConfirmLetter,
        ] {
            pacers.insert(action, Mutex::new(Pacer::new(options.write_rate)));
        }
        // status and download (run_status.rs): two reads and a write.
        for (action, rate) in [
            (
                Action::CheckCertificateDomainVerification,
                options.read_rate,
            ),
            (Action::DownloadCertificate, options.read_rate),
            (Action::CompleteCertificate, options.write_rate),
        ] {
            pacers.insert(action, Mutex::new(Pacer::new(rate)));
        }
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

    /// The account this run sends for (`None`: the default credentials).
    pub fn account(&self) -> Option<&str> {
        self.options.account.as_deref()
    }

    fn not_sent(&self) -> CallError {
        not_sent(self.stop_reason().as_ref(), self.account())
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

    /// One read, one step, and its writes. `Some(phase)`: a restart step
    /// landed, read and step again in that phase.
    pub(super) async fn reconcile_once(
        &self,
        certificate: &Certificate,
        list: Option<&ListChunk>,
        report: &mut CertificateReport,
        restart: RestartPhase,
        saved: Option<&Expected>,
    ) -> Option<RestartPhase> {
        let listed = match list {
            Some(chunk) if !self.options.deep => {
                chunk.listed(self, certificate.id_or_placeholder().0).await
            }
            _ => Listed::Unread,
        };
        // `detailed`: the live state is this certificate's own detail read,
        // not the list's status alone.
        let (live, detailed) = match listed {
            Listed::Found(item) if !needs_detail(item.status) => (
                Live {
                    status: item.status,
                    status_message: item.status_message,
                    submitted: None,
                },
                false,
            ),
            Listed::Stopped(error) => {
                report.fail(&error);
                return None;
            }
            Listed::Found(_) | Listed::Missing | Listed::Unread => {
                match self.describe(certificate, Purpose::Work).await {
                    Ok(live) => (live, true),
                    Err(error) => {
                        report.fail(&error);
                        return None;
                    }
                }
            }
        };
        report.status.get_or_insert(live.status);
        let action = submit_action(certificate);
        let body = submit_body(certificate);
        // What SubmittedData shows once the body is in place: the comparison
        // for drift, for "in sync" and for settling an unknown outcome.
        let desired = submitted_view(certificate, &body);
        let digests = Digests {
            body: saved::certificate_body_digest(certificate),
            live: saved::live_digest(&live, &desired),
        };
        let options = StepOptions {
            commit: certificate.commit || self.options.commit_all,
            resubmit: self.options.resubmit.contains(&certificate.name),
            saved,
            submit_action: action,
            digests: &digests,
            mode: self.options.mode,
            restart,
            letter: certificate.confirm_letter.is_some(),
        };
        let read = Read {
            live: &live,
            detailed,
        };
        let Step { notes, then } = step(read, &desired, &options);
        report.notes.extend(notes);
        let (submit, order, letter, send) = match then {
            Then::Write {
                submit,
                order,
                letter,
                send,
            } => (submit, order, letter, send),
            Then::Restart { next, send } => {
                report.actions.extend(next.actions(action));
                report.digests = Some(digests);
                if !send {
                    report.outcome = Outcome::Planned;
                    return None;
                }
                return self.restart_step(certificate, next, &live, report).await;
            }
            Then::Stale { why } => {
                report.outcome = Outcome::Stale;
                report.notes.push(why);
                return None;
            }
            Then::InSync { note, unverifiable } => {
                report.outcome = Outcome::InSync;
                report.notes.extend(note);
                if unverifiable {
                    report.notes.extend(unverifiable_note(certificate, &body));
                }
                return None;
            }
            Then::Drift { fields } => {
                report.outcome = Outcome::Drift;
                report.drift = fields;
                report.changes = self.changes(certificate, &live, &desired);
                report
                    .notes
                    .push(drift_note(live.status, &certificate.name));
                report.notes.extend(unverifiable_note(certificate, &body));
                return None;
            }
            Then::Failed { code, message } => {
                report.outcome = Outcome::Failed;
                report.error = Some(ApiError::local(code, message));
                return None;
            }
            Then::Skipped { warning } => {
                report.outcome = Outcome::Skipped;
                report.notes.push(warning);
                return None;
            }
        };
        if submit {
            report.actions.push(action);
            report.first_submission = live.submitted.is_none();
            report.changes = self.changes(certificate, &live, &desired);
        } else {
            report.notes.extend(unverifiable_note(certificate, &body));
        }
        if order {
            report.actions.push(Action::CertificateOrderSubmit);
        }
        let letter_now = letter && !submit && !order;
        if letter_now {
            report.actions.push(Action::UploadConfirmLetter);
        }
        report.digests = Some(digests);
        if !send {
            report.outcome = Outcome::Planned;
            return None;
        }
        if submit {
            let landed = |live: &Live| differences(live.submitted.as_ref(), &desired).is_empty();
            match self
                .write(action, &body, certificate, landed, &mut report.notes)
                .await
            {
                Written::Done(_) => {
                    report.landed(action);
                    report.outcome = Outcome::Submitted;
                }
                Written::Failed(error) => {
                    self.settle_conflict(certificate, &desired, &error, report)
                        .await;
                    return None;
                }
                Written::Unknown(error) => {
                    report.unknown(action, &error);
                    return None;
                }
            }
        }
        if order {
            if submit && !self.may_send(Purpose::Work) {
                report.notes.push(format!(
                    "{} not sent: the run stopped after the information was submitted; apply again to commit",
                    Action::CertificateOrderSubmit
                ));
                return None;
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
                Written::Done(_) => {
                    report.landed(Action::CertificateOrderSubmit);
                    report.outcome = Outcome::Committed;
                }
                // The submit landed and the order certainly did nothing (the
                // run stopped before sending it, or it never left: connection
                // refused): the information is in place, so the certificate is
                // `submitted`, not `failed` (docs/cli.md "Interrupts").
                Written::Failed(error) => {
                    match order_not_sent(submit, &error) {
                        Some(note) => report.notes.push(note),
                        None => {
                            self.settle_conflict(certificate, &desired, &error, report)
                                .await;
                        }
                    }
                    return None;
                }
                Written::Unknown(error) => {
                    report.unknown(Action::CertificateOrderSubmit, &error);
                    return None;
                }
            }
        }
        if letter {
            self.upload_letter(certificate, letter_now, report).await;
        }
        None
    }

    /// The changes from `live` to `desired`, with any secret this run knows
    /// masked in the values shown (the live data comes from the network).
    fn changes(&self, certificate: &Certificate, live: &Live, desired: &Body) -> Vec<Change> {
        let redactor = self.transport.redactor();
        let mut list = changes::changes(
            certificate,
            live.submitted.as_ref(),
            desired,
            self.options.values,
        );
        for change in &mut list {
            change.mask_values(|text| redactor.redact(text));
        }
        list
    }
}

/// Reconciles every certificate with one set of credentials; see [`run_all`].
pub async fn run<T: Transport>(
    run: Arc<Run<T>>,
    certificates: Vec<(Certificate, PathBuf)>,
    on_done: OnDone,
) -> Vec<CertificateReport> {
    let certificates = certificates
        .into_iter()
        .map(|(certificate, file)| (Arc::clone(&run), certificate, file))
        .collect();
    run_all(certificates, on_done).await
}

/// Reconciles every certificate, each with its account's [`Run`],
/// concurrently, and reports in input order. A certificate whose task
/// panicked is reported `failed` (`tccert.Internal`), never dropped.
pub async fn run_all<T: Transport>(
    certificates: Vec<(Arc<Run<T>>, Certificate, PathBuf)>,
    on_done: OnDone,
) -> Vec<CertificateReport> {
    let lists = send::bulk_lists(&certificates);
    let mut tasks = Vec::with_capacity(certificates.len());
    for ((run, certificate, file), list) in certificates.into_iter().zip(lists) {
        let mut skeleton = CertificateReport::new(&certificate);
        skeleton.file.clone_from(&file);
        let on_done = Arc::clone(&on_done);
        let task = tokio::spawn(async move {
            let mut report = run.reconcile(&certificate, list.as_deref()).await;
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
                skeleton.error = Some(ApiError::local(
                    INTERNAL,
                    "tccert failed internally while reconciling this certificate; its live state is unknown: run plan",
                ));
                on_done(&skeleton);
                skeleton
            }
        };
        reports.push(report);
    }
    reports
}

/// Why the runs stopped, one entry per account that stopped; an interrupt,
/// which stops every account at once, is one stop of the whole run. With
/// one run only (no accounts), its stop is the run's.
pub fn stops<T: Transport>(runs: &[Arc<Run<T>>]) -> Vec<Stop> {
    let reasons: Vec<(Option<&str>, StopReason)> = runs
        .iter()
        .filter_map(|run| run.stop_reason().map(|reason| (run.account(), reason)))
        .collect();
    if reasons.iter().any(|(_, r)| *r == StopReason::Interrupted) {
        return vec![Stop::run(StopReason::Interrupted)];
    }
    let alone = runs.len() == 1 && runs.iter().all(|run| run.account().is_none());
    reasons
        .into_iter()
        .map(|(account, reason)| Stop {
            whose: match account {
                _ if alone => Whose::Run,
                Some(name) => Whose::Account(name.to_string()),
                None => Whose::Default,
            },
            reason,
        })
        .collect()
}

/// The code of a certificate whose reconciling failed inside tccert.
pub const INTERNAL: &str = "tccert.Internal";

#[path = "run_send.rs"]
mod send;

#[path = "run_lifecycle.rs"]
mod lifecycle;
#[path = "run_status.rs"]
mod status_calls;
pub use status_calls::Completion;

#[cfg(test)]
use super::decide::ISSUED_NOT_COMPARED;

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
