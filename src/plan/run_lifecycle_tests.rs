//! Test code only: `run_tests.rs` includes this file under `#[cfg(test)]`.
//!
//! The lifecycle against the scripted fake, in paused time: a purchase
//! bought exactly once whatever happens to its reply, found again by its
//! tag, refused without `--allow-purchase`; `partial`; each step of
//! `--restart` and its continuation; the confirmation letter.

use super::*;
use crate::certificate::{ConfirmLetter, Purchase};
use crate::plan::Write;

const CREATE: Action = Action::CreateCertificate;
const CANCEL: Action = Action::CancelAuditCertificate;
const RESUBMIT: Action = Action::ModifyCertificateResubmit;
const LETTER: Action = Action::UploadConfirmLetter;

/// A certificate with `purchase:` and no id.
fn to_buy(name: &str, commit: bool) -> Certificate {
    Certificate {
        certificate_id: None,
        purchase: Some(Purchase {
            product: Sourced::new(9, span()),
            years: 1,
            domain_count: 1,
            vouchers: false,
            tags: vec![(
                Sourced::new("team".into(), span()),
                Sourced::new("web".into(), span()),
            )],
            layer: Layer::Certificate(name.into()),
            span: span(),
        }),
        ..certificate(name, commit)
    }
}

fn with_letter(certificate: Certificate) -> Certificate {
    Certificate {
        confirm_letter: Some(ConfirmLetter {
            path: Sourced::new("letter.pdf".into(), span()),
            bytes: Arc::from(&b"%PDF-1.4 a letter"[..]),
        }),
        ..certificate
    }
}

impl Fake {
    fn tag(&self, id: &str, name: &str) {
        let mut certificates = self.0.certificates.lock().unwrap();
        certificates.entry(id.into()).or_default().status = 5;
        if let Some(c) = certificates.get_mut(id) {
            c.tags.push((CERTIFICATE_TAG.into(), name.into()));
        }
    }

    fn set_submitted(&self, id: &str, organisation: &str) {
        let mut certificates = self.0.certificates.lock().unwrap();
        if let Some(c) = certificates.get_mut(id) {
            c.submitted = json!({ "OrganizationName": organisation })
                .as_object()
                .cloned();
        }
    }

    fn cancel_reads(&self, reads: u32) {
        *self.0.cancel_reads.lock().unwrap() = reads;
    }

    fn status(&self, id: &str) -> u64 {
        self.0.certificates.lock().unwrap()[id].status
    }

    fn letters(&self, id: &str) -> u32 {
        self.0.certificates.lock().unwrap()[id].letters_applied
    }

    fn count(&self, action: Action) -> usize {
        self.log().iter().filter(|s| s.action == action).count()
    }
}

async fn reconcile(
    fake: &Fake,
    certificates: Vec<Certificate>,
    options: Options,
) -> Vec<CertificateReport> {
    let run = Run::new(Arc::new(fake.clone()), options);
    let certificates = certificates
        .into_iter()
        .map(|c| {
            let file = PathBuf::from(format!("{}.yaml", c.name));
            (c, file)
        })
        .collect();
    super::super::run(run, certificates, Arc::new(|_| {})).await
}

fn buying() -> Options {
    Options {
        allow_purchase: true,
        ..options()
    }
}

fn restarting(name: &str) -> Options {
    Options {
        restart: [name.to_string()].into(),
        restart_timeout: Duration::from_secs(60),
        ..options()
    }
}

#[tokio::test(start_paused = true)]
async fn without_allow_purchase_nothing_is_bought_and_the_others_proceed() {
    let fake = Fake::new(&["a"], |_, _, _| Behaviour::Normal);
    let reports = reconcile(
        &fake,
        vec![to_buy("shop", true), certificate("a", false)],
        options(),
    )
    .await;
    assert_eq!(reports[0].outcome, Outcome::Failed);
    assert_eq!(error_code(&reports[0]), "tccert.PurchaseNotAllowed");
    assert!(reports[0].writes.is_empty());
    assert_eq!(reports[1].outcome, Outcome::Submitted);
    assert_eq!(fake.count(CREATE), 0);
}

#[tokio::test(start_paused = true)]
async fn a_purchase_is_tagged_checked_then_submitted_and_ordered_in_the_same_run() {
    let fake = Fake::new(&[], |_, _, _| Behaviour::Normal);
    let reports = reconcile(&fake, vec![to_buy("shop", true)], buying()).await;
    let report = &reports[0];
    assert_eq!(report.outcome, Outcome::Committed, "{report:?}");
    assert_eq!(
        report.writes,
        [Write::Purchase, Write::Submit, Write::Order]
    );
    assert_eq!(report.certificate_id.as_deref(), Some("bought-1"));
    assert_eq!(report.deal_ids, ["deal-1"]);
    assert_eq!(
        report.actions,
        [CREATE, SUBMIT_ACTION, ORDER_ACTION],
        "what was sent, in order"
    );
    assert_eq!(fake.count(CREATE), 1);
    assert_eq!(fake.applied("bought-1"), (1, 1));
    let tags = fake.0.certificates.lock().unwrap()["bought-1"].tags.clone();
    assert_eq!(
        tags,
        [
            (CERTIFICATE_TAG.to_string(), "shop".to_string()),
            ("team".into(), "web".into())
        ],
        "the tool's tag first"
    );

    // A second run finds it by its tag and buys nothing.
    let again = reconcile(&fake, vec![to_buy("shop", true)], buying()).await;
    assert_eq!(again[0].outcome, Outcome::InSync, "{:?}", again[0]);
    assert!(again[0].writes.is_empty());
    assert_eq!(fake.count(CREATE), 1);
}

#[tokio::test(start_paused = true)]
async fn a_purchase_whose_reply_is_dropped_is_found_by_its_tag_and_never_sent_again() {
    let fake = Fake::new(&[], |action, _, nth| match (action, nth) {
        (CREATE, 1) => Behaviour::ActThenDrop,
        _ => Behaviour::Normal,
    });
    let reports = reconcile(&fake, vec![to_buy("shop", false)], buying()).await;
    let report = &reports[0];
    assert_eq!(report.outcome, Outcome::Submitted, "{report:?}");
    assert_eq!(report.writes, [Write::Purchase, Write::Submit]);
    assert_eq!(report.certificate_id.as_deref(), Some("bought-1"));
    assert_eq!(fake.count(CREATE), 1);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("found the certificate bought"))
    );
}

#[tokio::test(start_paused = true)]
async fn a_purchase_never_seen_after_an_unknown_outcome_is_unknown_and_not_sent_again() {
    let fake = Fake::new(&[], |action, _, _| match action {
        CREATE => Behaviour::DropWithoutActing,
        _ => Behaviour::Normal,
    });
    let started = Instant::now();
    let reports = reconcile(&fake, vec![to_buy("shop", false)], buying()).await;
    assert_eq!(reports[0].outcome, Outcome::Unknown, "{:?}", reports[0]);
    assert_eq!(fake.count(CREATE), 1, "never sent twice");
    assert!(
        started.elapsed() >= TIMEOUT * 3,
        "the tag was listed over three timeouts"
    );
    let lists = fake
        .log()
        .iter()
        .filter(|s| s.action == LIST_ACTION)
        .count();
    assert!(lists >= 3, "{lists} tag lists");
}

#[tokio::test(start_paused = true)]
async fn a_throttled_purchase_is_sent_again_as_it_certainly_did_nothing() {
    let fake = Fake::new(&[], |action, _, nth| match (action, nth) {
        (CREATE, 1) => Behaviour::Refuse(api("RequestLimitExceeded")),
        _ => Behaviour::Normal,
    });
    let reports = reconcile(&fake, vec![to_buy("shop", false)], buying()).await;
    assert_eq!(reports[0].outcome, Outcome::Submitted);
    assert_eq!(fake.count(CREATE), 2);
    assert_eq!(*fake.0.bought.lock().unwrap(), 1, "bought once");
}

#[tokio::test(start_paused = true)]
async fn a_reply_without_exactly_one_id_names_them() {
    let two = json!({"CertificateIds": ["x1", "x2"], "DealIds": ["d"]});
    let fake = Fake::new(&[], move |action, _, _| match action {
        CREATE => Behaviour::Reply(two.as_object().cloned().unwrap()),
        _ => Behaviour::Normal,
    });
    let reports = reconcile(&fake, vec![to_buy("shop", true)], buying()).await;
    assert_eq!(reports[0].outcome, Outcome::Partial);
    let message = &reports[0].error.as_ref().unwrap().message;
    assert!(message.contains("2 certificate ids (x1, x2)"), "{message}");
    assert_eq!(fake.count(SUBMIT_ACTION), 0);

    let none = Fake::new(&[], |action, _, _| match action {
        CREATE => Behaviour::Reply(Map::new()),
        _ => Behaviour::Normal,
    });
    let reports = reconcile(&none, vec![to_buy("shop", true)], buying()).await;
    assert_eq!(reports[0].outcome, Outcome::Failed, "nothing known bought");
    assert!(
        reports[0]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("0 certificate ids (none)")
    );
}

#[tokio::test(start_paused = true)]
async fn a_bought_certificate_without_its_tag_fails_loudly_naming_it() {
    let ghost = json!({"CertificateIds": ["ghost"], "DealIds": []});
    let fake = Fake::new(&[], move |action, _, _| match action {
        CREATE => Behaviour::Reply(ghost.as_object().cloned().unwrap()),
        _ => Behaviour::Normal,
    });
    let reports = reconcile(&fake, vec![to_buy("shop", true)], buying()).await;
    let report = &reports[0];
    assert_eq!(report.outcome, Outcome::Partial);
    assert_eq!(report.writes, [Write::Purchase]);
    assert_eq!(report.certificate_id.as_deref(), Some("ghost"));
    let message = &report.error.as_ref().unwrap().message;
    assert!(
        message.contains("bought ghost, but the tag tccert:certificate=shop is not found on it"),
        "{message}"
    );
    assert_eq!(fake.count(SUBMIT_ACTION), 0);
}

#[tokio::test(start_paused = true)]
async fn a_landed_purchase_then_a_refused_submit_is_partial() {
    let fake = Fake::new(&[], |action, _, _| match action {
        SUBMIT_ACTION => Behaviour::Refuse(api("InvalidParameterValue.X")),
        _ => Behaviour::Normal,
    });
    let reports = reconcile(&fake, vec![to_buy("shop", true)], buying()).await;
    assert_eq!(reports[0].outcome, Outcome::Partial);
    assert_eq!(reports[0].writes, [Write::Purchase]);
    assert_eq!(error_code(&reports[0]), "InvalidParameterValue.X");
}

#[tokio::test(start_paused = true)]
async fn two_certificates_with_the_tag_are_an_error_and_nothing_is_bought() {
    let fake = Fake::new(&[], |_, _, _| Behaviour::Normal);
    fake.tag("t1", "shop");
    fake.tag("t2", "shop");
    let reports = reconcile(&fake, vec![to_buy("shop", true)], buying()).await;
    assert_eq!(reports[0].outcome, Outcome::Failed);
    let message = &reports[0].error.as_ref().unwrap().message;
    assert!(message.contains("t1, t2"), "{message}");
    assert_eq!(fake.count(CREATE), 0);
}

#[tokio::test(start_paused = true)]
async fn a_plan_shows_the_purchase_and_its_writes() {
    let fake = Fake::new(&[], |_, _, _| Behaviour::Normal);
    let options = Options {
        mode: Mode::Plan,
        ..options()
    };
    let reports = reconcile(&fake, vec![to_buy("shop", true)], options).await;
    assert_eq!(reports[0].outcome, Outcome::Planned);
    assert_eq!(reports[0].actions, [CREATE, SUBMIT_ACTION, ORDER_ACTION]);
    assert!(
        reports[0]
            .notes
            .iter()
            .any(|n| n.contains("--allow-purchase"))
    );
    assert_eq!(fake.count(CREATE), 0);
}

/// `a` at 4, its information with the CA differing from the manifest's.
fn drifted_at(status: u64) -> Fake {
    let fake = Fake::new(&["a"], |_, _, _| Behaviour::Normal);
    fake.set_submitted("a", "Old");
    fake.set_status("a", status);
    fake
}

#[tokio::test(start_paused = true)]
async fn a_restart_cancels_waits_through_6_resubmits_submits_and_orders() {
    let fake = drifted_at(4);
    fake.cancel_reads(2);
    let reports = reconcile(&fake, vec![certificate("a", false)], restarting("a")).await;
    let report = &reports[0];
    assert_eq!(report.outcome, Outcome::Committed, "{report:?}");
    assert_eq!(
        report.writes,
        [Write::Cancel, Write::Resubmit, Write::Submit, Write::Order]
    );
    assert_eq!(report.status, Some(4), "the status read before acting");
    assert_eq!(fake.applied("a"), (1, 1));
    assert_eq!(fake.status("a"), 8);
}

#[tokio::test(start_paused = true)]
async fn a_restart_not_cancelled_in_time_is_unknown_and_the_next_run_continues() {
    let fake = drifted_at(0);
    fake.cancel_reads(1000);
    let mut short = restarting("a");
    short.restart_timeout = Duration::from_secs(5);
    let started = Instant::now();
    let reports = reconcile(&fake, vec![certificate("a", false)], short).await;
    let report = &reports[0];
    assert_eq!(report.outcome, Outcome::Unknown, "{report:?}");
    assert_eq!(report.writes, [Write::Cancel]);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("--restart-timeout") && n.contains("apply --restart a continues"))
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(7),
        "{waited:?}"
    );
    assert_eq!(fake.status("a"), 6);

    // Without --restart, 6 waits and says how to go on.
    let plain = reconcile(&fake, vec![certificate("a", false)], options()).await;
    assert_eq!(plain[0].outcome, Outcome::Skipped);
    assert!(
        plain[0]
            .notes
            .iter()
            .any(|n| n.contains("apply --restart NAME"))
    );

    // The cancellation lands; the next apply --restart goes on from 6.
    fake.cancel_reads(0);
    if let Some(c) = fake.0.certificates.lock().unwrap().get_mut("a") {
        c.reads_until_cancelled = 0;
    }
    let reports = reconcile(&fake, vec![certificate("a", false)], restarting("a")).await;
    assert_eq!(reports[0].outcome, Outcome::Committed, "{:?}", reports[0]);
    assert_eq!(
        reports[0].writes,
        [Write::Resubmit, Write::Submit, Write::Order]
    );
    assert_eq!(fake.count(CANCEL), 1, "cancelled once in all");
}

#[tokio::test(start_paused = true)]
async fn a_restart_from_7_or_2_resubmits_and_a_refused_cancel_is_failed() {
    for status in [7, 2] {
        let fake = drifted_at(status);
        let reports = reconcile(&fake, vec![certificate("a", false)], restarting("a")).await;
        assert_eq!(
            reports[0].writes,
            [Write::Resubmit, Write::Submit, Write::Order],
            "{status}"
        );
        assert_eq!(fake.count(CANCEL), 0);
    }
    let fake = Fake::new(&["a"], |action, _, _| match action {
        CANCEL => Behaviour::Reply(json!({"Result": false}).as_object().cloned().unwrap()),
        _ => Behaviour::Normal,
    });
    fake.set_submitted("a", "Old");
    fake.set_status("a", 8);
    let reports = reconcile(&fake, vec![certificate("a", false)], restarting("a")).await;
    assert_eq!(reports[0].outcome, Outcome::Failed);
    assert!(reports[0].writes.is_empty());
    assert!(
        reports[0]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("Result false")
    );
    assert_eq!(fake.count(RESUBMIT), 0);
}

#[tokio::test(start_paused = true)]
async fn a_restart_interrupted_after_the_resubmit_continues_at_5() {
    // The resubmit landed, its reply lost, and the run stopped: the
    // certificate is at 5; the next apply --restart submits and orders.
    let fake = drifted_at(7);
    let run = Run::new(Arc::new(fake.clone()), restarting("a"));
    let stopper = Arc::clone(&run);
    let task = tokio::spawn(async move {
        super::super::run(
            run,
            vec![(certificate("a", false), PathBuf::from("a.yaml"))],
            Arc::new(|_| {}),
        )
        .await
    });
    // Stop once the resubmit has been sent.
    loop {
        tokio::time::sleep(Duration::from_millis(10)).await;
        if fake.count(RESUBMIT) > 0 {
            stopper.stop(StopReason::Interrupted);
            break;
        }
    }
    let reports = task.await.unwrap();
    assert!(
        reports[0].writes.contains(&Write::Resubmit),
        "{:?}",
        reports[0]
    );
    assert_eq!(fake.status("a"), 5);
    assert_eq!(fake.applied("a"), (0, 0), "nothing new after the signal");
    let reports = reconcile(&fake, vec![certificate("a", false)], restarting("a")).await;
    assert_eq!(reports[0].outcome, Outcome::Committed);
    assert_eq!(reports[0].writes, [Write::Submit, Write::Order]);
}

#[tokio::test(start_paused = true)]
async fn restart_refuses_issued_expired_and_revoked_and_a_plan_shows_the_steps() {
    for status in [1, 3, 9, 10, 11, 12, 13, 14, 15] {
        let fake = drifted_at(status);
        let reports = reconcile(&fake, vec![certificate("a", false)], restarting("a")).await;
        assert_eq!(reports[0].outcome, Outcome::Failed, "{status}");
        assert_eq!(error_code(&reports[0]), "tccert.RestartRefused", "{status}");
        assert_eq!(fake.count(CANCEL) + fake.count(RESUBMIT), 0);
    }
    let fake = drifted_at(4);
    let mut options = restarting("a");
    options.mode = Mode::Plan;
    let reports = reconcile(&fake, vec![certificate("a", false)], options).await;
    assert_eq!(reports[0].outcome, Outcome::Planned);
    assert_eq!(
        reports[0].actions,
        [CANCEL, RESUBMIT, SUBMIT_ACTION, ORDER_ACTION]
    );
    assert_eq!(fake.count(CANCEL), 0);
}

#[tokio::test(start_paused = true)]
async fn a_letter_goes_at_8_once_and_after_an_order_that_leaves_it_at_8() {
    // At 8, in sync: the letter alone.
    let fake = Fake::new(&["a"], |_, _, _| Behaviour::Normal);
    reconcile(&fake, vec![certificate("a", false)], options()).await;
    fake.set_status("a", 8);
    let reports = reconcile(&fake, vec![with_letter(certificate("a", false))], options()).await;
    assert_eq!(reports[0].outcome, Outcome::Committed, "{:?}", reports[0]);
    assert_eq!(reports[0].writes, [Write::Letter]);
    assert_eq!(fake.letters("a"), 1);
    assert_eq!(fake.status("a"), 0);

    // Submitted, ordered (the fake goes to 8), then the letter.
    let fake = Fake::new(&["b"], |_, _, _| Behaviour::Normal);
    let reports = reconcile(&fake, vec![with_letter(certificate("b", true))], options()).await;
    assert_eq!(
        reports[0].writes,
        [Write::Submit, Write::Order, Write::Letter]
    );
    assert_eq!(fake.letters("b"), 1);

    // IsSuccess false: a failure of that step, after the writes before it.
    let fake = Fake::new(&["c"], |action, _, _| match action {
        LETTER => Behaviour::Reply(json!({"IsSuccess": false}).as_object().cloned().unwrap()),
        _ => Behaviour::Normal,
    });
    let reports = reconcile(&fake, vec![with_letter(certificate("c", true))], options()).await;
    assert_eq!(reports[0].outcome, Outcome::Partial);
    assert_eq!(reports[0].writes, [Write::Submit, Write::Order]);
    assert!(
        reports[0]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("IsSuccess false")
    );

    // A letter dropped without effect is not sent twice in a run.
    let fake = Fake::new(&["d"], |action, _, _| match action {
        LETTER => Behaviour::DropWithoutActing,
        _ => Behaviour::Normal,
    });
    reconcile(&fake, vec![certificate("d", false)], options()).await;
    fake.set_status("d", 8);
    let reports = reconcile(&fake, vec![with_letter(certificate("d", false))], options()).await;
    assert_eq!(reports[0].outcome, Outcome::Unknown);
    assert_eq!(fake.count(LETTER), 1);
}

#[tokio::test(start_paused = true)]
async fn a_saved_purchase_is_stale_once_the_tag_is_found_and_goes_on_after_buying() {
    let planned = |status| {
        let mut options = buying();
        options.saved.insert(
            "shop".into(),
            Expected {
                actions: vec![CREATE.name().into(), SUBMIT_ACTION.name().into()],
                status,
                digests: Digests {
                    body: saved::certificate_body_digest(&to_buy("shop", false)),
                    live: "x".into(),
                },
            },
        );
        options
    };
    // Nothing tagged: bought, then submitted without a stale check.
    let fake = Fake::new(&[], |_, _, _| Behaviour::Normal);
    let reports = reconcile(&fake, vec![to_buy("shop", false)], planned(None)).await;
    assert_eq!(reports[0].outcome, Outcome::Submitted, "{:?}", reports[0]);
    // Tagged now: stale, nothing bought.
    let reports = reconcile(&fake, vec![to_buy("shop", false)], planned(None)).await;
    assert_eq!(reports[0].outcome, Outcome::Stale, "{:?}", reports[0]);
    assert_eq!(fake.count(CREATE), 1);
    // The plan found one by its tag, and now none carries it: stale.
    let empty = Fake::new(&[], |_, _, _| Behaviour::Normal);
    let reports = reconcile(&empty, vec![to_buy("shop", false)], planned(Some(5))).await;
    assert_eq!(reports[0].outcome, Outcome::Stale);
    assert_eq!(empty.count(CREATE), 0);
}

#[tokio::test(start_paused = true)]
async fn each_restart_step_whose_reply_is_lost_is_settled_by_reads_and_sent_once() {
    let fake = Fake::new(&["a"], |action, _, nth| match (action, nth) {
        (CANCEL | RESUBMIT, 1) => Behaviour::ActThenDrop,
        _ => Behaviour::Normal,
    });
    fake.set_submitted("a", "Old");
    fake.set_status("a", 8);
    let reports = reconcile(&fake, vec![certificate("a", false)], restarting("a")).await;
    let report = &reports[0];
    assert_eq!(report.outcome, Outcome::Committed, "{report:?}");
    assert_eq!(
        report.writes,
        [Write::Cancel, Write::Resubmit, Write::Submit, Write::Order]
    );
    assert_eq!(fake.count(CANCEL), 1);
    assert_eq!(fake.count(RESUBMIT), 1);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("a read showed the write in place")),
        "{report:?}"
    );

    // A cancel whose reply is lost and that never shows: unknown, not sent
    // again in the run.
    let fake = Fake::new(&["b"], |action, _, _| match action {
        CANCEL => Behaviour::DropWithoutActing,
        _ => Behaviour::Normal,
    });
    fake.set_submitted("b", "Old");
    fake.set_status("b", 4);
    let reports = reconcile(&fake, vec![certificate("b", false)], restarting("b")).await;
    assert_eq!(reports[0].outcome, Outcome::Unknown, "{:?}", reports[0]);
    assert_eq!(fake.count(CANCEL), 1);
    assert_eq!(fake.count(RESUBMIT), 0);
}
