//! What happened to each certificate of a run, and why a run stopped early:
//! the values the printers in [`crate::output`] turn into text and JSON.

use std::path::PathBuf;

use super::changes::Change;
use crate::api::action::Action;
use crate::api::error::{ApiError, CallError};
use crate::certificate::{Api, Certificate};

/// The two digests of one certificate at one moment (what
/// [`super::saved`] writes into a plan and checks on `apply --plan`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digests {
    pub body: String,
    pub live: String,
}

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

    /// The results that carry `changes` (docs/cli.md "JSON output"): what
    /// was or would be written, and what drifted.
    pub fn has_changes(self) -> bool {
        matches!(
            self,
            Outcome::Planned | Outcome::Submitted | Outcome::Committed | Outcome::Drift
        )
    }

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

/// One certificate's line of the report.
#[derive(Clone, Debug, PartialEq)]
pub struct CertificateReport {
    pub name: String,
    /// `None` while a certificate to buy has none (nothing found by its
    /// tag, not bought yet).
    pub certificate_id: Option<String>,
    pub file: PathBuf,
    pub line: u32,
    /// The live status read before acting.
    pub status: Option<u64>,
    pub outcome: Outcome,
    pub drift: Vec<&'static str>,
    /// For a submit or a drift: the fields that differ from the live data,
    /// with what may be shown of their values (for a first submission, every
    /// field sent); empty for a commit alone.
    pub changes: Vec<Change>,
    /// A submit with no live data to compare: `changes` lists every field.
    pub first_submission: bool,
    pub error: Option<ApiError>,
    /// The submit action of the certificate's API.
    pub api: Api,
    /// What plan would send, or what apply sent.
    pub actions: Vec<Action>,
    pub notes: Vec<String>,
    /// The account that sent it (`None`: the default credentials).
    pub account: Option<String>,
    /// For a write decided (planned or sent): the digests a saved plan
    /// records (`plan --out`, [`super::saved`]).
    pub digests: Option<Digests>,
}

/// Why the run stopped early, if it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// `AuthFailure.*`: the credentials are refused; nothing more is sent.
    AuthFailure {
        code: String,
        message: String,
        request_id: Option<String>,
    },
    /// [`retry::CONNECT_FAILURES_TO_STOP`] connection failures in a row: the
    /// endpoint cannot be reached; nothing more is sent.
    Unreachable { code: String, message: String },
    /// SIGINT or SIGTERM.
    Interrupted,
}

/// Whose requests a stop ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Whose {
    /// The whole run: an interrupt, or a run with one set of credentials.
    Run,
    /// The default credentials' certificates, in a run that also has accounts.
    Default,
    /// One account's certificates (any other account went on).
    Account(String),
}

/// A stop and whose certificates it ended (docs/cli.md: stops are per
/// account, the default credentials counting as one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    pub whose: Whose,
    pub reason: StopReason,
}

impl Stop {
    /// A stop of the whole run.
    pub fn run(reason: StopReason) -> Self {
        Self {
            whose: Whose::Run,
            reason,
        }
    }

    /// The account's name; `None` for the default credentials or the run.
    pub fn account(&self) -> Option<&str> {
        match &self.whose {
            Whose::Account(name) => Some(name),
            Whose::Run | Whose::Default => None,
        }
    }
}

impl CertificateReport {
    /// The id as tables and lines show it: `-` while there is none.
    pub fn id_shown(&self) -> &str {
        self.certificate_id.as_deref().unwrap_or("-")
    }

    /// The report before anything is known: failed until decided otherwise.
    pub(super) fn new(certificate: &Certificate) -> Self {
        Self {
            name: certificate.name.clone(),
            certificate_id: certificate.certificate_id.as_ref().map(|id| {
                if id.secret {
                    crate::secret::MASK.into()
                } else {
                    id.value.clone()
                }
            }),
            file: PathBuf::new(),
            line: certificate.span.line,
            status: None,
            outcome: Outcome::Failed,
            drift: Vec::new(),
            changes: Vec::new(),
            first_submission: false,
            error: None,
            api: certificate.api,
            actions: Vec::new(),
            notes: Vec::new(),
            account: certificate.account.clone(),
            digests: None,
        }
    }

    pub(super) fn fail(&mut self, error: &CallError) {
        self.outcome = Outcome::Failed;
        self.error = Some(ApiError::from(error));
    }

    /// A write was sent and could not be settled: it may or may not be in
    /// place. `plan` (or another apply, which reads first) will tell.
    pub(super) fn unknown(&mut self, action: Action, error: &CallError) {
        self.outcome = Outcome::Unknown;
        self.error = Some(ApiError::from(error));
        self.notes.push(format!(
            "{action} was sent and its outcome could not be settled by reads; run plan to see whether it took effect"
        ));
    }
}

#[cfg(test)]
impl CertificateReport {
    /// A report with everything but the name and outcome plain, for tests of
    /// the printers (`output::{report, github, markdown}`).
    pub fn example(name: &str, outcome: Outcome) -> Self {
        Self {
            name: name.into(),
            certificate_id: Some(format!("{name}-id")),
            file: format!("certificates/{name}.yaml").into(),
            line: 3,
            status: Some(5),
            outcome,
            drift: Vec::new(),
            changes: Vec::new(),
            first_submission: false,
            error: None,
            api: Api::SubmitCertificateInformation,
            actions: Vec::new(),
            notes: Vec::new(),
            account: None,
            digests: None,
        }
    }
}
