//! The pure step of reconciling one certificate: from what was read (the
//! live state, and whether it is the certificate's own detail read), what
//! would be sent, and the run's options, what to do ([`step`]); and, after
//! the writes, how a failed order counts ([`order_not_sent`]). The
//! reconciler ([`super::run::Run::reconcile`]) reads, calls [`step`], and
//! carries the [`Step`] out: it sends exactly the writes of [`Then::Write`],
//! and nothing when the step says otherwise.
//!
//! Everything here is a function of its arguments: no clock, no network, so
//! every decision of the table in docs/cli.md ("Reconciling one
//! certificate"), `--resubmit`, `apply --plan` staleness and the not-sent
//! classification is tested without a server.

use super::decide::{ISSUED_NOT_COMPARED, Live, comparison_notes, decide};
use super::outcome::Mode;
use super::saved::{Digests, Expected};
use super::{Decision, run::INTERNAL};
use crate::api::action::Action;
use crate::api::error::CallError;
use crate::api::request::Body;
use crate::api::status::{
    self, CANCELLED, CANCELLING, DNS_RECORD_ADDED, INFO_SUBMITTED, ISSUED, PENDING_SUBMISSION,
    UNDER_REVIEW,
};

/// The code of a request the run did not send.
pub const NOT_SENT: &str = "tccert.NotSent";

/// The code of a certificate the review table refused (`--resubmit` at a
/// status other than 5, or the table's own failures).
pub const REVIEW_FAILED: &str = "tccert.ReviewFailed";

/// What the step needs to know of the run, for one certificate.
#[derive(Clone, Copy, Debug)]
pub struct StepOptions<'a> {
    /// `commit: true` in the manifest, or `--commit`.
    pub commit: bool,
    /// `--resubmit` names this certificate.
    pub resubmit: bool,
    /// `apply --plan`: what the saved plan planned for this certificate.
    pub saved: Option<&'a Expected>,
    /// The certificate's submit action (`SubmitCertificateInformation` or
    /// `CertificateInfoSubmit`).
    pub submit_action: Action,
    /// The digests of what would be sent and of the live state now.
    pub digests: &'a Digests,
    pub mode: Mode,
    /// `--restart` names this certificate, and where this run's restart is.
    pub restart: RestartPhase,
    /// `confirm_letter` is set: upload it when the certificate is at 8.
    pub letter: bool,
}

/// `--restart` for one certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartPhase {
    /// Not named by `--restart`.
    Off,
    /// Named: a certificate whose information is with the CA and differs
    /// is cancelled, resubmitted, submitted and ordered.
    On,
    /// This run's resubmit landed: at 5 the information is submitted and
    /// ordered; anywhere else it is compared, never restarted again.
    Resubmitted,
}

/// Where a restart goes next (docs/cli.md, "Restart").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// With the CA (0, 4, 8): `CancelAuditCertificate`, then wait for 7.
    Cancel,
    /// Cancelling (6): wait for 7.
    Wait,
    /// Cancelled (7) or rejected (2): `ModifyCertificateResubmit`.
    Resubmit,
}

impl Restart {
    /// The writes of the whole restart from here, in order.
    pub fn actions(self, submit_action: Action) -> Vec<Action> {
        let mut actions = Vec::new();
        if self == Restart::Cancel {
            actions.push(Action::CancelAuditCertificate);
        }
        actions.extend([
            Action::ModifyCertificateResubmit,
            submit_action,
            Action::CertificateOrderSubmit,
        ]);
        actions
    }
}

/// What was read of one certificate.
#[derive(Clone, Copy, Debug)]
pub struct Read<'a> {
    pub live: &'a Live,
    /// The live state is this certificate's own detail read, not the bulk
    /// list's status alone.
    pub detailed: bool,
}

/// What to do with one certificate: notes first, then [`Then`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Notes that hold whatever follows (comparison, `--resubmit`).
    pub notes: Vec<String>,
    pub then: Then,
}

/// The outcome the step reached, or the writes to carry out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Then {
    /// `apply --plan` and the certificate is not what the plan planned:
    /// nothing sent.
    Stale {
        why: String,
    },
    /// Nothing to send. `unverifiable`: the reconciler adds the note of the
    /// fields `SubmittedData` cannot show (only after a detail read).
    InSync {
        note: Option<String>,
        unverifiable: bool,
    },
    /// The information is with the CA and differs.
    Drift {
        fields: Vec<&'static str>,
    },
    /// Refused by tccert itself: nothing sent.
    Failed {
        code: &'static str,
        message: String,
    },
    Skipped {
        warning: String,
    },
    /// Writes, in this order: the submit action (when `submit`), then
    /// `CertificateOrderSubmit` (when `order`), then the confirmation
    /// letter (when `letter`: now, at 8, when nothing else is written; after
    /// the order, when a read shows it left the certificate at 8). `send`:
    /// apply sends them; plan only reports them.
    Write {
        submit: bool,
        order: bool,
        letter: bool,
        send: bool,
    },
    /// `--restart`: the restart's next step, then the rest of it.
    Restart {
        next: Restart,
        send: bool,
    },
}

impl Then {
    /// The actions this step sends (or, in a plan, would send), in order.
    pub fn actions(&self, submit_action: Action) -> Vec<Action> {
        match self {
            Then::Write {
                submit,
                order,
                letter,
                ..
            } => {
                let mut actions = writes(*submit, *order, submit_action);
                if *letter && actions.is_empty() {
                    actions.push(Action::UploadConfirmLetter);
                }
                actions
            }
            Then::Restart { next, .. } => next.actions(submit_action),
            _ => Vec::new(),
        }
    }
}

/// The writes in the order they are sent.
fn writes(submit: bool, order: bool, submit_action: Action) -> Vec<Action> {
    let mut actions = Vec::new();
    if submit {
        actions.push(submit_action);
    }
    if order {
        actions.push(Action::CertificateOrderSubmit);
    }
    actions
}

/// The note of a certificate `--resubmit` submits although it is in sync.
pub const RESUBMIT_NOTE: &str = "--resubmit: submitted although every comparable field agrees";

/// Decides what to do with one certificate. `desired` is what
/// `SubmittedData` shows once the body is in place.
pub fn step(read: Read<'_>, desired: &Body, options: &StepOptions<'_>) -> Step {
    let live = read.live;
    let mut notes: Vec<String> = comparison_notes(live, desired).into_iter().collect();
    let decided = if !read.detailed && live.status == ISSUED {
        Decision::InSync {
            note: Some(ISSUED_NOT_COMPARED.into()),
        }
    } else {
        decide(live, desired, options.commit)
    };
    let send = options.mode == Mode::Apply;
    let restart = options.restart;
    let decision = match decided {
        Decision::InSync { .. } | Decision::Commit
            if options.resubmit && live.status == PENDING_SUBMISSION =>
        {
            notes.push(RESUBMIT_NOTE.into());
            Decision::Submit {
                commit: options.commit,
            }
        }
        _ if options.resubmit && live.status != PENDING_SUBMISSION => Decision::Failed {
            message: format!(
                "--resubmit: the information can be submitted again only at status 5 (pending information); this certificate is at status {} ({})",
                live.status,
                status::short_name(live.status)
            ),
        },
        // A restart orders what it submits: the certificate was with the CA.
        _ if restart != RestartPhase::Off && live.status == PENDING_SUBMISSION => {
            decide(live, desired, true)
        }
        decision => decision,
    };
    let then = match (restart, live.status) {
        (RestartPhase::On, UNDER_REVIEW | DNS_RECORD_ADDED | INFO_SUBMITTED)
            if matches!(decision, Decision::Drift { .. }) =>
        {
            Then::Restart {
                next: Restart::Cancel,
                send,
            }
        }
        (RestartPhase::On, CANCELLING) => Then::Restart {
            next: Restart::Wait,
            send,
        },
        (RestartPhase::On, CANCELLED | status::REVIEW_FAILED) => Then::Restart {
            next: Restart::Resubmit,
            send,
        },
        (RestartPhase::On, status)
            if !matches!(
                status,
                PENDING_SUBMISSION | UNDER_REVIEW | DNS_RECORD_ADDED | INFO_SUBMITTED
            ) =>
        {
            Then::Failed {
                code: RESTART_FAILED,
                message: restart_refused(status),
            }
        }
        _ => then_of(decision, read, options),
    };
    let then = match then {
        // Without --restart, a rejected one can be resubmitted with it.
        Then::Failed { code, message }
            if restart == RestartPhase::Off && live.status == status::REVIEW_FAILED =>
        {
            Then::Failed {
                code,
                message: format!(
                    "{message}; fix what the CA refused, then apply --restart NAME resubmits it"
                ),
            }
        }
        // Without --restart, a cancelled or cancelling certificate waits
        // for one; a restart that is not needed says so.
        Then::Skipped { warning }
            if restart == RestartPhase::Off && matches!(live.status, CANCELLING | CANCELLED) =>
        {
            Then::Skipped {
                warning: format!("{warning}; {RESTART_HINT}"),
            }
        }
        Then::InSync { .. } | Then::Write { .. }
            if restart == RestartPhase::On
                && matches!(
                    live.status,
                    UNDER_REVIEW | DNS_RECORD_ADDED | INFO_SUBMITTED
                ) =>
        {
            notes.push(RESTART_NOT_NEEDED.into());
            then
        }
        then => then,
    };
    // `apply --plan`: in sync is in sync (a plan applied twice writes once);
    // anything else must be exactly what the plan planned. An issued
    // certificate decided from the list was not compared: its status moved
    // since the plan, and that is all that is known.
    if let Some(expected) = options.saved
        && (!read.detailed || !matches!(then, Then::InSync { .. }))
    {
        let actions = then.actions(options.submit_action);
        if let Some(why) = expected.stale_reason(options.digests, live.status, &actions) {
            return Step {
                notes,
                then: Then::Stale { why },
            };
        }
    }
    Step { notes, then }
}

/// The step a decision reaches without `--restart`'s own steps.
fn then_of(decision: Decision, read: Read<'_>, options: &StepOptions<'_>) -> Then {
    let send = options.mode == Mode::Apply;
    // The letter goes at 8 (or after an order that leaves it there).
    let letter_now = options.letter && read.live.status == INFO_SUBMITTED;
    match decision {
        Decision::InSync { .. } if letter_now && read.detailed => Then::Write {
            submit: false,
            order: false,
            letter: true,
            send,
        },
        Decision::InSync { note } => Then::InSync {
            note,
            unverifiable: read.detailed,
        },
        Decision::Drift { fields } => Then::Drift { fields },
        Decision::Failed { message } => Then::Failed {
            code: REVIEW_FAILED,
            message,
        },
        Decision::Skipped { warning } => Then::Skipped { warning },
        // No write rests on the list alone: a write is decided only at
        // status 5, which is always read in detail (`needs_detail`).
        Decision::Submit { .. } | Decision::Commit if !read.detailed => Then::Failed {
            code: INTERNAL,
            message: "a write was decided without this certificate's detail read; nothing sent"
                .into(),
        },
        Decision::Submit { commit } => Then::Write {
            submit: true,
            order: commit,
            letter: commit && options.letter,
            send,
        },
        Decision::Commit => Then::Write {
            submit: false,
            order: true,
            letter: options.letter,
            send,
        },
    }
}

/// The code of a certificate `--restart` cannot restart.
pub const RESTART_FAILED: &str = "tccert.RestartRefused";

/// Said of a certificate at 6 or 7 without `--restart`.
pub const RESTART_HINT: &str =
    "apply --restart NAME continues the restart (resubmits, submits and orders)";

/// Said of a certificate `--restart` names whose information with the CA
/// agrees.
pub const RESTART_NOT_NEEDED: &str =
    "--restart: the information with the CA agrees with the manifest; nothing to restart";

/// Why `--restart` refuses a certificate at `status` (1, 3, 9 to 15).
pub fn restart_refused(status: u64) -> String {
    let why = match status {
        ISSUED => {
            "it is issued: its information can no longer change (a new certificate is bought or reissued instead)"
        }
        status::EXPIRED => "it has expired",
        status::REVOKED | status::REVOKING => "it is revoked or being revoked",
        status::REFUNDED => "it is refunded",
        _ => {
            "only a certificate with the CA (0, 4, 8), cancelling (6), cancelled (7), rejected (2) or pending information (5) can be restarted"
        }
    };
    format!(
        "--restart: status {status} ({}): {why}; nothing sent",
        status::short_name(status)
    )
}

/// Whether `error` is a request the run did not send (it stopped).
pub fn is_not_sent(error: &CallError) -> bool {
    matches!(error, CallError::Api { code, .. } if code == NOT_SENT)
}

/// A write that certainly never reached the server: not sent because the run
/// stopped, or its connection was refused before a byte left.
pub fn order_never_left(error: &CallError) -> bool {
    is_not_sent(error) || error.is_connect_failure()
}

/// After the order failed with `error`: when the submit was sent and landed
/// (`submitted`) and the order certainly did nothing (the run stopped
/// before sending it, or it never left: connection refused), the
/// information is in place, so the certificate counts as `submitted`, not
/// `failed` (docs/cli.md "Interrupts"): the note that says so. `None`: the
/// order's failure is the certificate's.
pub fn order_not_sent(submitted: bool, error: &CallError) -> Option<String> {
    if !(submitted && order_never_left(error)) {
        return None;
    }
    let why = if is_not_sent(error) {
        "the run stopped after the information was submitted".to_string()
    } else {
        format!("{}, after the information was submitted", error.code())
    };
    Some(format!(
        "{} not sent: {why}; apply again to commit",
        Action::CertificateOrderSubmit
    ))
}

#[cfg(test)]
#[path = "step_tests.rs"]
mod tests;
