//! Test code only: `step.rs` includes this file under `#[cfg(test)]`.
//!
//! Every branch of the pure step: the decision table's outcomes, which
//! writes are sent (and in which order), `--resubmit`, `apply --plan`
//! staleness, plan against apply, and how a failed order counts.

use serde_json::{Value as Json, json};

use super::*;
use crate::api::request::BodyField;

const SUBMIT: Action = Action::SubmitCertificateInformation;
const ORDER: Action = Action::CertificateOrderSubmit;

fn body(fields: &[(&'static str, Json)]) -> Body {
    Body {
        fields: fields
            .iter()
            .map(|(name, value)| BodyField {
                name,
                value: value.clone(),
                secret: false,
            })
            .collect(),
    }
}

/// What would be sent: one organisation name.
fn desired() -> Body {
    body(&[("OrganizationName", json!("Acme"))])
}

fn live(status: u64, organisation: Option<&str>) -> Live {
    Live {
        status,
        status_message: Some("why".into()),
        submitted: organisation.map(|name| {
            json!({ "OrganizationName": name })
                .as_object()
                .cloned()
                .expect("an object")
        }),
    }
}

fn digests() -> Digests {
    Digests {
        body: "body".into(),
        live: "live".into(),
    }
}

/// A saved plan that matches `digests()` at `status` with these writes.
fn expected(status: u64, actions: &[Action]) -> Expected {
    Expected {
        actions: actions.iter().map(|a| a.name().to_string()).collect(),
        status: Some(status),
        digests: digests(),
    }
}

struct Case {
    live: Live,
    detailed: bool,
    commit: bool,
    resubmit: bool,
    saved: Option<Expected>,
    mode: Mode,
    restart: RestartPhase,
    letter: bool,
}

impl Case {
    fn new(live: Live) -> Self {
        Self {
            live,
            detailed: true,
            commit: false,
            resubmit: false,
            saved: None,
            mode: Mode::Apply,
            restart: RestartPhase::Off,
            letter: false,
        }
    }

    fn listed(mut self) -> Self {
        self.detailed = false;
        self
    }

    fn commit(mut self) -> Self {
        self.commit = true;
        self
    }

    fn resubmit(mut self) -> Self {
        self.resubmit = true;
        self
    }

    fn saved(mut self, expected: Expected) -> Self {
        self.saved = Some(expected);
        self
    }

    fn plan(mut self) -> Self {
        self.mode = Mode::Plan;
        self
    }

    fn step_with(&self, desired: &Body) -> Step {
        let digests = digests();
        let options = StepOptions {
            commit: self.commit,
            resubmit: self.resubmit,
            saved: self.saved.as_ref(),
            submit_action: SUBMIT,
            digests: &digests,
            mode: self.mode,
            restart: self.restart,
            letter: self.letter,
        };
        step(
            Read {
                live: &self.live,
                detailed: self.detailed,
            },
            desired,
            &options,
        )
    }

    fn step(&self) -> Step {
        self.step_with(&desired())
    }

    fn then(&self) -> Then {
        self.step().then
    }
}

fn write(submit: bool, order: bool) -> Then {
    Then::Write {
        submit,
        order,
        letter: false,
        send: true,
    }
}

#[test]
fn pending_information_that_differs_is_submitted_then_ordered_when_asked() {
    assert_eq!(Case::new(live(5, Some("Old"))).then(), write(true, false));
    assert_eq!(
        Case::new(live(5, Some("Old"))).commit().then(),
        write(true, true)
    );
    assert_eq!(Case::new(live(5, None)).then(), write(true, false));
}

#[test]
fn pending_information_in_place_is_only_ordered_or_in_sync() {
    assert_eq!(
        Case::new(live(5, Some("Acme"))).commit().then(),
        write(false, true)
    );
    assert_eq!(
        Case::new(live(5, Some("Acme"))).then(),
        Then::InSync {
            note: None,
            unverifiable: true
        }
    );
}

#[test]
fn a_plan_reports_the_writes_without_sending_them() {
    assert_eq!(
        Case::new(live(5, Some("Old"))).commit().plan().then(),
        Then::Write {
            submit: true,
            order: true,
            letter: false,
            send: false
        }
    );
    assert_eq!(
        Case::new(live(5, Some("Acme"))).commit().plan().then(),
        Then::Write {
            submit: false,
            order: true,
            letter: false,
            send: false
        }
    );
}

#[test]
fn the_actions_follow_the_writes_in_order() {
    assert_eq!(write(true, true).actions(SUBMIT), vec![SUBMIT, ORDER]);
    assert_eq!(write(true, false).actions(SUBMIT), vec![SUBMIT]);
    assert_eq!(write(false, true).actions(SUBMIT), vec![ORDER]);
    assert_eq!(
        write(true, false).actions(Action::CertificateInfoSubmit),
        vec![Action::CertificateInfoSubmit]
    );
    assert!(
        Then::InSync {
            note: None,
            unverifiable: false
        }
        .actions(SUBMIT)
        .is_empty()
    );
}

#[test]
fn an_issued_certificate_from_the_list_alone_is_not_compared() {
    assert_eq!(
        Case::new(live(1, None)).listed().then(),
        Then::InSync {
            note: Some(ISSUED_NOT_COMPARED.into()),
            unverifiable: false
        }
    );
    // Read in detail (`--deep`), it is compared.
    assert_eq!(
        Case::new(live(1, Some("Old"))).then(),
        Then::Drift {
            fields: vec!["OrganizationName"]
        }
    );
    assert_eq!(
        Case::new(live(1, Some("Acme"))).then(),
        Then::InSync {
            note: None,
            unverifiable: true
        }
    );
}

#[test]
fn review_failed_and_other_statuses_send_nothing() {
    assert_eq!(
        Case::new(live(2, None)).then(),
        Then::Failed {
            code: REVIEW_FAILED,
            message: "review failed (status 2): why; fix what the CA refused, then apply --restart NAME resubmits it".into()
        }
    );
    assert!(matches!(
        Case::new(live(7, None)).commit().then(),
        Then::Skipped { warning } if warning.starts_with("status 7 ")
    ));
}

#[test]
fn no_write_rests_on_the_list_alone() {
    for case in [
        Case::new(live(5, Some("Old"))).listed(),
        Case::new(live(5, Some("Acme"))).commit().listed(),
    ] {
        assert!(matches!(
            case.then(),
            Then::Failed { code: INTERNAL, message } if message.contains("nothing sent")
        ));
    }
}

#[test]
fn resubmit_submits_in_sync_information_at_status_5() {
    let step = Case::new(live(5, Some("Acme"))).resubmit().step();
    assert_eq!(step.then, write(true, false));
    assert_eq!(step.notes, vec![RESUBMIT_NOTE.to_string()]);
    // In place and committed: submitted again, then ordered.
    let step = Case::new(live(5, Some("Acme"))).resubmit().commit().step();
    assert_eq!(step.then, write(true, true));
    assert_eq!(step.notes, vec![RESUBMIT_NOTE.to_string()]);
    // Differing information is submitted anyway, with no note.
    let step = Case::new(live(5, Some("Old"))).resubmit().step();
    assert_eq!(step.then, write(true, false));
    assert!(step.notes.is_empty());
    // Without --resubmit, no note.
    assert!(Case::new(live(5, Some("Acme"))).step().notes.is_empty());
}

#[test]
fn resubmit_at_another_status_fails() {
    for status in [1, 0, 2, 7] {
        match Case::new(live(status, Some("Acme"))).resubmit().then() {
            Then::Failed { code, message } => {
                assert_eq!(code, REVIEW_FAILED);
                assert!(
                    message.contains(&format!("this certificate is at status {status} (")),
                    "{message}"
                );
            }
            other => panic!("status {status}: {other:?}"),
        }
    }
}

#[test]
fn a_saved_plan_that_still_holds_is_carried_out() {
    let case = Case::new(live(5, Some("Old")))
        .commit()
        .saved(expected(5, &[SUBMIT, ORDER]));
    assert_eq!(case.then(), write(true, true));
    let case = Case::new(live(5, Some("Old"))).saved(expected(5, &[SUBMIT]));
    assert_eq!(case.then(), write(true, false));
    let case = Case::new(live(5, Some("Acme")))
        .commit()
        .saved(expected(5, &[ORDER]));
    assert_eq!(case.then(), write(false, true));
}

#[test]
fn a_saved_plan_with_other_writes_is_stale() {
    for (case, planned) in [
        (Case::new(live(5, Some("Old"))).commit(), vec![SUBMIT]),
        (Case::new(live(5, Some("Old"))), vec![SUBMIT, ORDER]),
        (
            Case::new(live(5, Some("Acme"))).commit(),
            vec![SUBMIT, ORDER],
        ),
        (Case::new(live(2, None)), vec![SUBMIT]),
    ] {
        let step = case.saved(expected(5, &planned)).step();
        assert!(
            matches!(&step.then, Then::Stale { why } if why.starts_with("apply would now send")
                || why.starts_with("the live status is 2")),
            "{planned:?}: {step:?}"
        );
    }
    // A planned status that moved.
    let step = Case::new(live(5, Some("Old")))
        .saved(expected(0, &[SUBMIT]))
        .step();
    assert!(matches!(step.then, Then::Stale { why } if why.starts_with("the live status is 5")));
}

#[test]
fn in_sync_is_in_sync_whatever_the_saved_plan_planned() {
    // Read in detail and in sync: a plan applied twice writes once.
    let case = Case::new(live(5, Some("Acme"))).saved(expected(5, &[SUBMIT]));
    assert_eq!(
        case.then(),
        Then::InSync {
            note: None,
            unverifiable: true
        }
    );
    // From the list alone, its status moved since the plan: stale.
    let case = Case::new(live(1, None))
        .listed()
        .saved(expected(5, &[SUBMIT]));
    assert!(matches!(case.then(), Then::Stale { .. }));
    // Unless the plan saw it issued too.
    let case = Case::new(live(1, None)).listed().saved(expected(1, &[]));
    assert!(matches!(case.then(), Then::InSync { .. }));
}

#[test]
fn a_key_password_the_live_data_does_not_show_is_noted() {
    let desired = body(&[
        ("OrganizationName", json!("Acme")),
        ("KeyPassword", json!("secret")),
    ]);
    let step = Case::new(live(5, Some("Acme")))
        .resubmit()
        .step_with(&desired);
    assert_eq!(step.notes.len(), 2);
    assert!(step.notes[0].starts_with("KeyPassword could not be compared"));
    assert_eq!(step.notes[1], RESUBMIT_NOTE);
}

fn api(code: &str) -> CallError {
    CallError::Api {
        code: code.into(),
        message: "m".into(),
        request_id: None,
    }
}

#[test]
fn not_sent_is_the_run_s_own_code_only() {
    assert!(is_not_sent(&api(NOT_SENT)));
    assert!(!is_not_sent(&api("FailedOperation.Other")));
    assert!(!is_not_sent(&CallError::Connect {
        message: "refused".into()
    }));
}

#[test]
fn an_order_never_left_when_unsent_or_refused_at_connect() {
    assert!(order_never_left(&api(NOT_SENT)));
    assert!(order_never_left(&CallError::Connect {
        message: "refused".into()
    }));
    assert!(!order_never_left(&api("FailedOperation.Other")));
    assert!(!order_never_left(&CallError::Transport {
        message: "dropped".into(),
        timed_out: false
    }));
}

#[test]
fn a_failed_order_after_a_landed_submit_counts_as_submitted_only_if_it_never_left() {
    assert_eq!(
        order_not_sent(true, &api(NOT_SENT)).as_deref(),
        Some(
            "CertificateOrderSubmit not sent: the run stopped after the information was submitted; apply again to commit"
        )
    );
    assert_eq!(
        order_not_sent(
            true,
            &CallError::Connect {
                message: "refused".into()
            }
        )
        .as_deref(),
        Some(
            "CertificateOrderSubmit not sent: ClientError.ConnectFailed, after the information was submitted; apply again to commit"
        )
    );
    // Sent and refused, or sent with no answer: the order's failure stands.
    assert_eq!(order_not_sent(true, &api("FailedOperation.Other")), None);
    assert_eq!(
        order_not_sent(
            true,
            &CallError::Transport {
                message: "dropped".into(),
                timed_out: true
            }
        ),
        None
    );
    // Only an order: nothing was written, so its failure stands.
    assert_eq!(order_not_sent(false, &api(NOT_SENT)), None);
    assert_eq!(
        order_not_sent(
            false,
            &CallError::Connect {
                message: "refused".into()
            }
        ),
        None
    );
}

impl Case {
    fn restart(mut self, phase: RestartPhase) -> Self {
        self.restart = phase;
        self
    }

    fn letter(mut self) -> Self {
        self.letter = true;
        self
    }
}

fn restart(next: Restart) -> Then {
    Then::Restart { next, send: true }
}

#[test]
fn a_restart_cancels_what_differs_with_the_ca_and_leaves_what_agrees() {
    for status in [0, 4, 8] {
        assert_eq!(
            Case::new(live(status, Some("Old")))
                .restart(RestartPhase::On)
                .then(),
            restart(Restart::Cancel),
            "{status}"
        );
        let agrees = Case::new(live(status, Some("Acme")))
            .restart(RestartPhase::On)
            .step();
        assert_eq!(
            agrees.then,
            Then::InSync {
                note: None,
                unverifiable: true
            }
        );
        assert!(agrees.notes.contains(&RESTART_NOT_NEEDED.to_string()));
    }
}

#[test]
fn a_restart_continues_from_6_7_and_2_and_orders_at_5() {
    let on = |status, organisation| {
        Case::new(live(status, organisation))
            .restart(RestartPhase::On)
            .then()
    };
    assert_eq!(on(6, None), restart(Restart::Wait));
    assert_eq!(on(7, Some("Old")), restart(Restart::Resubmit));
    assert_eq!(on(2, Some("Acme")), restart(Restart::Resubmit));
    // At 5 the order always follows (the certificate was with the CA).
    assert_eq!(on(5, Some("Old")), write(true, true));
    assert_eq!(on(5, Some("Acme")), write(false, true));
    assert_eq!(
        Case::new(live(5, Some("Acme")))
            .restart(RestartPhase::Resubmitted)
            .then(),
        write(false, true)
    );
}

#[test]
fn after_this_runs_resubmit_a_certificate_with_the_ca_is_compared_never_restarted_again() {
    assert_eq!(
        Case::new(live(4, Some("Old")))
            .restart(RestartPhase::Resubmitted)
            .then(),
        Then::Drift {
            fields: vec!["OrganizationName"]
        }
    );
    assert!(matches!(
        Case::new(live(7, Some("Old")))
            .restart(RestartPhase::Resubmitted)
            .then(),
        Then::Skipped { .. }
    ));
}

#[test]
fn restart_is_refused_where_nothing_can_be_restarted() {
    for status in [1, 3, 9, 10, 11, 12, 13, 14, 15] {
        match Case::new(live(status, Some("Old")))
            .restart(RestartPhase::On)
            .then()
        {
            Then::Failed { code, message } => {
                assert_eq!(code, RESTART_FAILED);
                assert!(
                    message.starts_with(&format!("--restart: status {status} (")),
                    "{message}"
                );
            }
            other => panic!("{status}: {other:?}"),
        }
    }
    assert!(restart_refused(1).contains("issued"));
}

#[test]
fn without_restart_6_and_7_are_skipped_with_a_hint_naming_it() {
    for status in [6, 7] {
        match Case::new(live(status, None)).then() {
            Then::Skipped { warning } => assert!(warning.ends_with(RESTART_HINT), "{warning}"),
            other => panic!("{status}: {other:?}"),
        }
    }
}

#[test]
fn a_plan_shows_a_restarts_steps_and_a_saved_plan_holds_them() {
    assert_eq!(
        Case::new(live(4, Some("Old")))
            .restart(RestartPhase::On)
            .plan()
            .then(),
        Then::Restart {
            next: Restart::Cancel,
            send: false
        }
    );
    assert_eq!(
        restart(Restart::Cancel).actions(SUBMIT),
        [
            Action::CancelAuditCertificate,
            Action::ModifyCertificateResubmit,
            SUBMIT,
            ORDER
        ]
    );
    assert_eq!(
        restart(Restart::Wait).actions(SUBMIT),
        [Action::ModifyCertificateResubmit, SUBMIT, ORDER]
    );
    let planned = Restart::Cancel.actions(SUBMIT);
    assert_eq!(
        Case::new(live(4, Some("Old")))
            .restart(RestartPhase::On)
            .saved(expected(4, &planned))
            .then(),
        restart(Restart::Cancel)
    );
    assert!(matches!(
        Case::new(live(4, Some("Old")))
            .restart(RestartPhase::On)
            .saved(expected(4, &[]))
            .then(),
        Then::Stale { .. }
    ));
}

#[test]
fn the_letter_goes_at_8_or_after_an_order() {
    let at_8 = Case::new(live(8, Some("Acme"))).letter().then();
    assert_eq!(
        at_8,
        Then::Write {
            submit: false,
            order: false,
            letter: true,
            send: true
        }
    );
    assert_eq!(at_8.actions(SUBMIT), [Action::UploadConfirmLetter]);
    // Drift at 8: no letter for information that differs.
    assert!(matches!(
        Case::new(live(8, Some("Old"))).letter().then(),
        Then::Drift { .. }
    ));
    let ordered = Case::new(live(5, Some("Old"))).commit().letter().then();
    assert_eq!(
        ordered,
        Then::Write {
            submit: true,
            order: true,
            letter: true,
            send: true
        }
    );
    // Whether the order leaves it at 8 is read after the order.
    assert_eq!(ordered.actions(SUBMIT), [SUBMIT, ORDER]);
    // Without commit nothing reaches 8.
    assert_eq!(
        Case::new(live(5, Some("Old"))).letter().then(),
        write(true, false)
    );
}
