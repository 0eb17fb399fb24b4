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
use crate::api::status::{self, ISSUED, PENDING_SUBMISSION};

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
    /// `CertificateOrderSubmit` (when `order`). `send`: apply sends them;
    /// plan only reports them.
    Write {
        submit: bool,
        order: bool,
        send: bool,
    },
}

impl Then {
    /// The actions this step sends (or, in a plan, would send), in order.
    pub fn actions(&self, submit_action: Action) -> Vec<Action> {
        match self {
            Then::Write { submit, order, .. } => writes(*submit, *order, submit_action),
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

/// The writes a decision asks for: (submit, order).
fn decision_writes(decision: &Decision) -> Option<(bool, bool)> {
    match decision {
        Decision::Submit { commit } => Some((true, *commit)),
        Decision::Commit => Some((false, true)),
        Decision::InSync { .. }
        | Decision::Drift { .. }
        | Decision::Failed { .. }
        | Decision::Skipped { .. } => None,
    }
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
        decision => decision,
    };
    // `apply --plan`: in sync is in sync (a plan applied twice writes once);
    // anything else must be exactly what the plan planned. An issued
    // certificate decided from the list was not compared: its status moved
    // since the plan, and that is all that is known.
    if let Some(expected) = options.saved
        && (!read.detailed || !matches!(decision, Decision::InSync { .. }))
    {
        let actions = decision_writes(&decision)
            .map(|(submit, order)| writes(submit, order, options.submit_action))
            .unwrap_or_default();
        if let Some(why) = expected.stale_reason(options.digests, live.status, &actions) {
            return Step {
                notes,
                then: Then::Stale { why },
            };
        }
    }
    let then = match decision {
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
            send: options.mode == Mode::Apply,
        },
        Decision::Commit => Then::Write {
            submit: false,
            order: true,
            send: options.mode == Mode::Apply,
        },
    };
    Step { notes, then }
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
