//! Test code only: `run.rs` includes this file under `#[cfg(test)]`.
//!
//! The reconciler's loop against a scripted fake server, in paused tokio
//! time: retries, backoff, settle windows, stops and interrupts are checked
//! by the virtual time of every request, without waiting for real seconds.
//! (Over real HTTP, the same rules are tested against the emulator in
//! tests/integration/.)

use std::collections::HashMap;
use std::sync::Mutex as StdMutex;

use serde_json::json;

use super::*;
use crate::certificate::{ApiChoice, Csr, CsrKey, Layer, Setting};
use crate::field::Field;
use crate::plan::decide::unverifiable_fields;
use crate::source::{Files, Sourced, Span};

const TIMEOUT: Duration = Duration::from_secs(1);

/// The actions, short, for the scripts' patterns.
const DESCRIBE_ACTION: Action = Action::DescribeCertificateDetail;
const SUBMIT_ACTION: Action = Action::SubmitCertificateInformation;
const ORDER_ACTION: Action = Action::CertificateOrderSubmit;
const LIST_ACTION: Action = Action::DescribeCertificates;

/// What the fake does with one request.
#[derive(Clone, Debug)]
enum Behaviour {
    /// Carry it out and answer.
    Normal,
    /// Answer this error without acting.
    Refuse(CallError),
    /// Carry it out, then fail as a dropped connection would.
    ActThenDrop,
    /// Fail as a dropped connection would, without acting.
    DropWithoutActing,
    /// Carry it out this long after receiving it, even when the client has
    /// given up (its timeout is [`TIMEOUT`]).
    LateApply(Duration),
    /// Never answer.
    Hang,
    /// Answer this error after this long, without acting.
    RefuseAfter(Duration, CallError),
    /// Panic (a bug inside tccert's task).
    Panic,
    /// Answer this reply without acting.
    Reply(Map<String, Json>),
}

#[derive(Clone, Debug)]
struct Sent {
    action: Action,
    id: String,
    at: Instant,
}

#[derive(Default)]
struct FakeCertificate {
    status: u64,
    status_message: Option<String>,
    submitted: Option<Map<String, Json>>,
    submits_applied: u32,
    orders_applied: u32,
    /// Tags, as `CreateCertificate` set them.
    tags: Vec<(String, String)>,
    /// At 6: how many more reads see 6 before it is 7.
    reads_until_cancelled: u32,
    letters_applied: u32,
}

type Script = Box<dyn Fn(Action, &str, u32) -> Behaviour + Send + Sync>;

struct Inner {
    certificates: StdMutex<HashMap<String, FakeCertificate>>,
    /// After a cancel, how many reads see 6 before 7.
    cancel_reads: StdMutex<u32>,
    /// Certificates bought so far.
    bought: StdMutex<u32>,
    log: StdMutex<Vec<Sent>>,
    script: Script,
    redactor: crate::secret::Redactor,
}

/// A server with certificates at status 5, answering as `script` says for
/// (action, certificate id, nth request of that pair, from 1).
#[derive(Clone)]
struct Fake(Arc<Inner>);

impl Fake {
    fn new(
        ids: &[&str],
        script: impl Fn(Action, &str, u32) -> Behaviour + Send + Sync + 'static,
    ) -> Self {
        let certificates = ids
            .iter()
            .map(|id| {
                (
                    (*id).to_string(),
                    FakeCertificate {
                        status: 5,
                        ..FakeCertificate::default()
                    },
                )
            })
            .collect();
        Self(Arc::new(Inner {
            certificates: StdMutex::new(certificates),
            cancel_reads: StdMutex::new(1),
            bought: StdMutex::new(0),
            log: StdMutex::new(Vec::new()),
            script: Box::new(script),
            redactor: crate::secret::Redactor::new(["hunter2-secret"]),
        }))
    }

    fn log(&self) -> Vec<Sent> {
        self.0.log.lock().unwrap().clone()
    }

    fn sent(&self, action: Action, id: &str) -> Vec<Instant> {
        self.log()
            .into_iter()
            .filter(|s| s.action == action && s.id == id)
            .map(|s| s.at)
            .collect()
    }

    fn set_status(&self, id: &str, status: u64) {
        let mut certificates = self.0.certificates.lock().unwrap();
        if let Some(c) = certificates.get_mut(id) {
            c.status = status;
        }
    }

    fn remove(&self, id: &str) {
        self.0.certificates.lock().unwrap().remove(id);
    }

    fn applied(&self, id: &str) -> (u32, u32) {
        let certificates = self.0.certificates.lock().unwrap();
        let c = &certificates[id];
        (c.submits_applied, c.orders_applied)
    }

    /// Carries a request out on the server's state.
    fn act(inner: &Inner, action: Action, body: &Map<String, Json>) -> Map<String, Json> {
        let id = request_id(body);
        let mut certificates = inner.certificates.lock().unwrap();
        if let Some(reply) = lifecycle_act(inner, &mut certificates, action, body) {
            return reply;
        }
        if action == LIST_ACTION {
            // `CertIds`, paged by `Offset` and `Limit`, as the API.
            let matching: Vec<Json> = body["CertIds"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .filter_map(|id| {
                    certificates.get(id).map(|c| {
                        json!({"CertificateId": id, "Status": c.status, "StatusMsg": c.status_message})
                    })
                })
                .collect();
            let offset = body["Offset"].as_u64().unwrap_or(0) as usize;
            let limit = body["Limit"].as_u64().unwrap_or(10) as usize;
            let mut reply = Map::new();
            reply.insert("TotalCount".into(), json!(matching.len()));
            reply.insert(
                "Certificates".into(),
                Json::Array(matching.into_iter().skip(offset).take(limit).collect()),
            );
            return reply;
        }
        let Some(certificate) = certificates.get_mut(&id) else {
            return Map::new();
        };
        match action {
            DESCRIBE_ACTION => {
                if certificate.status == 6 {
                    if certificate.reads_until_cancelled == 0 {
                        certificate.status = 7;
                    } else {
                        certificate.reads_until_cancelled -= 1;
                    }
                }
                let mut reply = Map::new();
                reply.insert("Status".into(), json!(certificate.status));
                reply.insert("StatusMsg".into(), json!(certificate.status_message));
                reply.insert(
                    "SubmittedData".into(),
                    certificate
                        .submitted
                        .clone()
                        .map_or(Json::Null, Json::Object),
                );
                reply
            }
            SUBMIT_ACTION => {
                let mut data = body.clone();
                data.remove("CertificateId");
                certificate.submitted = Some(data);
                certificate.submits_applied += 1;
                Map::new()
            }
            ORDER_ACTION => {
                certificate.status = 8;
                certificate.orders_applied += 1;
                Map::new()
            }
            _ => Map::new(),
        }
    }
}

fn request_id(body: &Map<String, Json>) -> String {
    body.get("CertificateId")
        .or_else(|| body.get("CertId"))
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

fn dropped() -> CallError {
    CallError::Transport {
        message: "connection closed before a reply".into(),
        timed_out: false,
    }
}

impl Transport for Fake {
    fn redactor(&self) -> &crate::secret::Redactor {
        &self.0.redactor
    }

    async fn call(
        &self,
        action: Action,
        body: Map<String, Json>,
    ) -> Result<Map<String, Json>, CallError> {
        let id = request_id(&body);
        let nth = {
            let mut log = self.0.log.lock().unwrap();
            log.push(Sent {
                action,
                id: id.clone(),
                at: Instant::now(),
            });
            log.iter()
                .filter(|s| s.action == action && s.id == id)
                .count() as u32
        };
        match (self.0.script)(action, &id, nth) {
            Behaviour::Normal
                if action == DESCRIBE_ACTION
                    && !self.0.certificates.lock().unwrap().contains_key(&id) =>
            {
                Err(api("FailedOperation.CertificateNotFound"))
            }
            Behaviour::Normal => Ok(Fake::act(&self.0, action, &body)),
            Behaviour::Refuse(error) => Err(error),
            Behaviour::ActThenDrop => {
                Fake::act(&self.0, action, &body);
                Err(dropped())
            }
            Behaviour::DropWithoutActing => Err(dropped()),
            Behaviour::LateApply(delay) => {
                let inner = Arc::clone(&self.0);
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    Fake::act(&inner, action, &body);
                });
                if delay > TIMEOUT {
                    tokio::time::sleep(TIMEOUT).await;
                    Err(CallError::Transport {
                        message: "timed out".into(),
                        timed_out: true,
                    })
                } else {
                    tokio::time::sleep(delay).await;
                    Ok(Map::new())
                }
            }
            Behaviour::Hang => std::future::pending().await,
            Behaviour::RefuseAfter(delay, error) => {
                tokio::time::sleep(delay).await;
                Err(error)
            }
            Behaviour::Panic => panic!("a bug in a certificate's task"),
            Behaviour::Reply(reply) => Ok(reply),
        }
    }
}

fn span() -> Span {
    let mut files = Files::default();
    let file = files.add("m.yaml".into(), String::new());
    Span {
        file,
        line: 1,
        column: 1,
        length: 1,
    }
}

fn certificate(name: &str, commit: bool) -> Certificate {
    let text = |value: &str| Sourced::new(value.to_string(), span());
    let mut fields = std::collections::BTreeMap::new();
    fields.insert(
        Field::OrganizationName,
        Setting {
            value: "Acme".into(),
            layer: Layer::Certificate(name.into()),
            span: span(),
            secret: false,
        },
    );
    Certificate {
        name: name.into(),
        file: span().file,
        span: span(),
        certificate_id: Some(text(name)),
        purchase: None,
        confirm_letter: None,
        domain: text(&format!("{name}.example")),
        domains: Vec::new(),
        dv: false,
        commit,
        api: crate::certificate::Api::SubmitCertificateInformation,
        api_choice: ApiChoice::Default,
        csr: Csr::Online {
            key_password: None,
            key: CsrKey::default(),
        },
        fields,
        profiles: Vec::new(),
        account: None,
        company_type: crate::certificate::CompanyType::default_for(false),
        company_type_span: None,
    }
}

fn options() -> Options {
    Options {
        backoff: Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(1),
            max_attempts: 4,
        },
        timeout: TIMEOUT,
        ..Options::default()
    }
}

async fn run_all(
    fake: &Fake,
    names: &[&str],
    commit: bool,
    options: Options,
) -> (Vec<CertificateReport>, Arc<Run<Fake>>) {
    let run = Run::new(Arc::new(fake.clone()), options);
    let certificates = names
        .iter()
        .map(|n| (certificate(n, commit), PathBuf::from(format!("{n}.yaml"))))
        .collect();
    let reports = super::run(Arc::clone(&run), certificates, Arc::new(|_| {})).await;
    (reports, run)
}

fn error_code(report: &CertificateReport) -> &str {
    report.error.as_ref().map_or("", |e| e.code.as_str())
}

fn api(code: &str) -> CallError {
    CallError::Api {
        code: code.into(),
        message: "m".into(),
        request_id: Some("r".into()),
    }
}

/// What the fake does for the lifecycle's actions (and a list by tag):
/// `None` for the others.
fn lifecycle_act(
    inner: &Inner,
    certificates: &mut HashMap<String, FakeCertificate>,
    action: Action,
    body: &Map<String, Json>,
) -> Option<Map<String, Json>> {
    let object = |value: Json| value.as_object().cloned().unwrap_or_default();
    match action {
        LIST_ACTION if body.contains_key("Tags") => {
            let tag = &body["Tags"][0];
            let wanted = (
                tag["TagKey"].as_str().unwrap_or_default().to_string(),
                tag["TagValue"].as_str().unwrap_or_default().to_string(),
            );
            let mut ids: Vec<&String> = certificates
                .iter()
                .filter(|(_, c)| c.tags.contains(&wanted))
                .map(|(id, _)| id)
                .collect();
            ids.sort();
            let items: Vec<Json> = ids
                .iter()
                .map(|id| json!({"CertificateId": id, "Status": certificates[*id].status}))
                .collect();
            Some(object(
                json!({"TotalCount": items.len(), "Certificates": items}),
            ))
        }
        Action::CreateCertificate => {
            let mut bought = inner.bought.lock().unwrap();
            *bought += 1;
            let id = format!("bought-{bought}");
            let tags = body["Tags"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|t| {
                    (
                        t["TagKey"].as_str().unwrap_or_default().to_string(),
                        t["TagValue"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            certificates.insert(
                id.clone(),
                FakeCertificate {
                    status: 5,
                    tags,
                    ..FakeCertificate::default()
                },
            );
            Some(object(
                json!({"CertificateIds": [id], "DealIds": [format!("deal-{bought}")]}),
            ))
        }
        Action::CancelAuditCertificate => {
            // These three take `CertificateId` (the order takes `CertId`).
            assert!(body.contains_key("CertificateId"), "{body:?}");
            let certificate = certificates.get_mut(&request_id(body))?;
            let ok = matches!(certificate.status, 0 | 4 | 8);
            if ok {
                certificate.status = 6;
                certificate.reads_until_cancelled = *inner.cancel_reads.lock().unwrap();
            }
            Some(object(json!({"Result": ok})))
        }
        Action::ModifyCertificateResubmit => {
            assert!(body.contains_key("CertificateId"), "{body:?}");
            let certificate = certificates.get_mut(&request_id(body))?;
            if matches!(certificate.status, 2 | 7) {
                certificate.status = 5;
            }
            Some(Map::new())
        }
        Action::UploadConfirmLetter => {
            assert!(body.contains_key("CertificateId"), "{body:?}");
            let certificate = certificates.get_mut(&request_id(body))?;
            let ok = certificate.status == 8;
            if ok {
                certificate.status = 0;
                certificate.letters_applied += 1;
            }
            Some(object(json!({"IsSuccess": ok})))
        }
        _ => None,
    }
}

#[path = "run_lifecycle_tests.rs"]
mod lifecycle;

#[tokio::test(start_paused = true)]
async fn a_persistent_transient_read_error_is_tried_max_attempts_times_with_backoff() {
    let fake = Fake::new(&["a"], |action, _, _| match action {
        DESCRIBE_ACTION => Behaviour::Refuse(api("InternalError")),
        _ => Behaviour::Normal,
    });
    let (reports, _) = run_all(&fake, &["a"], false, options()).await;
    assert_eq!(reports[0].outcome, Outcome::Failed);
    assert_eq!(error_code(&reports[0]), "InternalError");
    let sends = fake.sent(DESCRIBE_ACTION, "a");
    assert_eq!(sends.len(), 4, "max_attempts tries, no more");
    // Equal-jitter backoff: at least half of 100, 200, 400 ms between tries.
    for (gap, least) in sends.windows(2).map(|w| w[1] - w[0]).zip([50, 100, 200]) {
        assert!(gap >= Duration::from_millis(least), "{gap:?} < {least} ms");
    }
}

#[tokio::test(start_paused = true)]
async fn throttled_writes_are_retried_after_a_backoff_without_reads() {
    let fake = Fake::new(&["a"], |action, _, nth| match (action, nth) {
        (SUBMIT_ACTION, 1 | 2) => Behaviour::Refuse(api("RequestLimitExceeded")),
        _ => Behaviour::Normal,
    });
    // A write pace far above the backoff, so the gaps below are the backoff's.
    let mut options = options();
    options.write_rate = 1000.0;
    let (reports, _) = run_all(&fake, &["a"], false, options).await;
    assert_eq!(reports[0].outcome, Outcome::Submitted);
    assert_eq!(fake.sent(DESCRIBE_ACTION, "a").len(), 1, "no settle read");
    let submits = fake.sent(SUBMIT_ACTION, "a");
    assert_eq!(submits.len(), 3);
    assert!(submits[1] - submits[0] >= Duration::from_millis(50));
    assert!(submits[2] - submits[1] >= Duration::from_millis(100));
    assert_eq!(fake.applied("a"), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn a_refused_write_is_not_sent_again() {
    let fake = Fake::new(&["a"], |action, _, _| match action {
        SUBMIT_ACTION => Behaviour::Refuse(api("InvalidParameterValue.X")),
        _ => Behaviour::Normal,
    });
    let (reports, _) = run_all(&fake, &["a"], true, options()).await;
    assert_eq!(reports[0].outcome, Outcome::Failed);
    assert_eq!(error_code(&reports[0]), "InvalidParameterValue.X");
    assert_eq!(fake.sent(SUBMIT_ACTION, "a").len(), 1);
    assert!(fake.sent(ORDER_ACTION, "a").is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_dropped_write_that_landed_is_settled_by_a_read_and_not_sent_again() {
    let fake = Fake::new(&["a"], |action, _, nth| match (action, nth) {
        (SUBMIT_ACTION, 1) => Behaviour::ActThenDrop,
        _ => Behaviour::Normal,
    });
    let (reports, _) = run_all(&fake, &["a"], true, options()).await;
    assert_eq!(reports[0].outcome, Outcome::Committed, "{:?}", reports[0]);
    assert_eq!(fake.sent(SUBMIT_ACTION, "a").len(), 1);
    assert_eq!(fake.applied("a"), (1, 1));
    assert!(
        reports[0]
            .notes
            .iter()
            .any(|n| n.contains("a read showed the write in place"))
    );
}

#[tokio::test(start_paused = true)]
async fn a_write_is_sent_again_only_after_reads_over_three_timeouts_show_it_absent() {
    let fake = Fake::new(&["a"], |action, _, nth| match (action, nth) {
        (SUBMIT_ACTION, 1) => Behaviour::DropWithoutActing,
        _ => Behaviour::Normal,
    });
    let (reports, _) = run_all(&fake, &["a"], false, options()).await;
    assert_eq!(reports[0].outcome, Outcome::Submitted);
    let submits = fake.sent(SUBMIT_ACTION, "a");
    assert_eq!(submits.len(), 2);
    assert!(
        submits[1] - submits[0] >= 3 * TIMEOUT,
        "resent after {:?}",
        submits[1] - submits[0]
    );
    // The reads between were spread over the window, not bunched at its start.
    let reads: Vec<Duration> = fake
        .sent(DESCRIBE_ACTION, "a")
        .into_iter()
        .filter(|at| *at >= submits[0] && *at <= submits[1])
        .map(|at| at - submits[0])
        .collect();
    assert!(reads.len() >= 4, "{reads:?}");
    // One read a timeout, not one a pacer slot: at most one more than the
    // window's timeouts.
    assert!(reads.len() <= 5, "{reads:?}");
    assert!(
        reads.last().is_some_and(|last| *last >= 3 * TIMEOUT),
        "{reads:?}"
    );
    assert!(
        reads.iter().any(|r| *r >= TIMEOUT && *r < 2 * TIMEOUT),
        "{reads:?}"
    );
    assert_eq!(fake.applied("a"), (1, 0));
}

#[tokio::test(start_paused = true)]
async fn a_slow_server_gets_each_write_once_and_no_order_while_a_submit_may_be_in_flight() {
    // Every write lands 2.5 s after it is received; the client gives up at 1 s.
    let fake = Fake::new(&["a"], |action, _, _| match action {
        SUBMIT_ACTION | ORDER_ACTION => Behaviour::LateApply(Duration::from_millis(2500)),
        _ => Behaviour::Normal,
    });
    let (reports, _) = run_all(&fake, &["a"], true, options()).await;
    assert_eq!(reports[0].outcome, Outcome::Committed, "{:?}", reports[0]);
    assert_eq!(fake.applied("a"), (1, 1), "each write applied exactly once");
    let submits = fake.sent(SUBMIT_ACTION, "a");
    let orders = fake.sent(ORDER_ACTION, "a");
    assert_eq!((submits.len(), orders.len()), (1, 1));
    assert!(
        orders[0] >= submits[0] + Duration::from_millis(2500),
        "the order went only once the submit had landed"
    );
}

#[tokio::test(start_paused = true)]
async fn a_write_never_settled_is_unknown_and_not_sent_again() {
    let fake = Fake::new(&["a"], |action, _, nth| match (action, nth) {
        (SUBMIT_ACTION, _) => Behaviour::DropWithoutActing,
        (DESCRIBE_ACTION, 1) => Behaviour::Normal,
        (DESCRIBE_ACTION, _) => Behaviour::Refuse(api("InvalidParameter")),
        _ => Behaviour::Normal,
    });
    let (reports, _) = run_all(&fake, &["a"], false, options()).await;
    assert_eq!(reports[0].outcome, Outcome::Unknown, "{:?}", reports[0]);
    assert_eq!(error_code(&reports[0]), "ClientError.NetworkError");
    assert_eq!(fake.sent(SUBMIT_ACTION, "a").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_auth_failure_stops_every_certificate_and_nothing_more_is_sent() {
    let names = ["a", "b", "c", "d", "e"];
    let fake = Fake::new(&names, |_, _, _| {
        Behaviour::Refuse(api("AuthFailure.SignatureFailure"))
    });
    let (reports, run) = run_all(&fake, &names, false, options()).await;
    assert!(matches!(
        run.stop_reason(),
        Some(StopReason::AuthFailure { .. })
    ));
    // The first request is the bulk list; refused, nothing follows it, and
    // every certificate says the run stopped at that code.
    let log = fake.log();
    assert_eq!(log.len(), 1, "nothing after the first refusal");
    assert_eq!(log[0].action, LIST_ACTION);
    // The certificate whose task sent it carries the refusal, the others
    // say they were not sent.
    assert!(reports.iter().all(|r| r.outcome == Outcome::Failed));
    assert_eq!(
        reports.iter().filter(|r| error_code(r) == NOT_SENT).count(),
        4
    );
    assert_eq!(
        reports
            .iter()
            .filter(|r| error_code(r) == "AuthFailure.SignatureFailure")
            .count(),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn three_connection_failures_in_a_row_stop_the_account() {
    let names: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let fake = Fake::new(&names, |_, _, _| {
        Behaviour::Refuse(CallError::Connect {
            message: "connection refused".into(),
        })
    });
    let (reports, run) = run_all(&fake, &names, false, options()).await;
    assert!(matches!(
        run.stop_reason(),
        Some(StopReason::Unreachable { .. })
    ));
    assert_eq!(fake.log().len(), 3, "the third failure in a row stops it");
    // The cause is named once (the stop); every certificate is failed, either
    // with the connection error or as not sent because of it.
    for report in &reports {
        assert_eq!(report.outcome, Outcome::Failed);
        let crate::api::error::ApiError { code, message, .. } =
            report.error.clone().unwrap_or_default();
        assert!(
            code == "ClientError.ConnectFailed"
                || (code == NOT_SENT && message.contains("ClientError.ConnectFailed")),
            "{report:?}"
        );
    }
}

/// The server goes away between a certificate's submit and its order: the
/// order's connection is refused until the account stops. The submit is in
/// place and the order never left, so the certificate is `submitted` with a
/// note, not `failed` (a `failed` report means nothing was written).
#[tokio::test(start_paused = true)]
async fn an_order_refused_a_connection_after_its_submit_landed_is_submitted() {
    let fake = Fake::new(&["a"], |action, _, _| match action {
        ORDER_ACTION => Behaviour::Refuse(CallError::Connect {
            message: "connection refused".into(),
        }),
        _ => Behaviour::Normal,
    });
    let (reports, run) = run_all(&fake, &["a"], true, options()).await;
    assert!(matches!(
        run.stop_reason(),
        Some(StopReason::Unreachable { .. })
    ));
    assert_eq!(fake.applied("a"), (1, 0), "submit applied, order not");
    let report = &reports[0];
    assert_eq!(report.outcome, Outcome::Submitted, "{report:?}");
    assert_eq!(report.error, None);
    assert!(
        report.notes.iter().any(|n| n
            == "CertificateOrderSubmit not sent: ClientError.ConnectFailed, after the information was submitted; apply again to commit"),
        "{report:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_success_between_connection_failures_resets_the_count() {
    // a's describes fail to connect on tries 1, 2, 4, 5; b's succeed between.
    let fake = Fake::new(&["a", "b"], |action, id, nth| match (action, id, nth) {
        (DESCRIBE_ACTION, "a", 1 | 2 | 4 | 5) => Behaviour::Refuse(CallError::Connect {
            message: "refused".into(),
        }),
        _ => Behaviour::Normal,
    });
    let mut options = options();
    options.backoff.max_attempts = 8;
    // Reads at 1 a second leave the other certificate's read between a's tries.
    options.read_rate = 1.0;
    let (reports, run) = run_all(&fake, &["a", "b"], false, options).await;
    assert_eq!(run.stop_reason(), None);
    assert!(
        reports.iter().all(|r| r.outcome == Outcome::Submitted),
        "{reports:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn after_an_interrupt_settle_reads_keep_the_pace_and_nothing_new_is_written() {
    let names: Vec<String> = (0..30).map(|i| format!("c{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    // Every submit lands 1.5 s after it arrives; the client gives up at 1 s.
    let fake = Fake::new(&names, |action, _, _| match action {
        SUBMIT_ACTION => Behaviour::LateApply(Duration::from_millis(1500)),
        _ => Behaviour::Normal,
    });
    let run = Run::new(Arc::new(fake.clone()), options());
    let certificates = names
        .iter()
        .map(|n| (certificate(n, true), PathBuf::from(format!("{n}.yaml"))))
        .collect();
    let stopper = {
        let run = Arc::clone(&run);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            run.stop(StopReason::Interrupted);
            Instant::now()
        })
    };
    let started = Instant::now();
    let reports = super::run(Arc::clone(&run), certificates, Arc::new(|_| {})).await;
    let stopped_at = stopper.await.unwrap();
    assert!(
        stopped_at.elapsed() <= TIMEOUT + GRACE_AFTER_TIMEOUT,
        "ended {:?} after the stop",
        stopped_at.elapsed()
    );
    let log = fake.log();
    // No write was sent after the stop.
    assert!(
        log.iter()
            .filter(|s| s.action != DESCRIBE_ACTION)
            .all(|s| s.at <= stopped_at),
        "a write after the stop"
    );
    // Reads kept the pace of 10 a second, before and after the stop.
    let reads: Vec<Instant> = log
        .iter()
        .filter(|s| s.action == DESCRIBE_ACTION)
        .map(|s| s.at)
        .collect();
    let after_stop = reads.iter().filter(|at| **at > stopped_at).count();
    assert!(
        after_stop >= 5,
        "settle reads went on after the stop: {after_stop}"
    );
    for pair in reads.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(99),
            "reads {:?} apart at {:?}",
            pair[1] - pair[0],
            pair[0] - started
        );
    }
    // Every certificate whose submit landed is reported submitted, with the
    // order not sent; those never settled are unknown; none is failed
    // except the ones never written.
    for report in &reports {
        let (applied, _) = fake.applied(&report.name);
        let submits = fake.sent(SUBMIT_ACTION, &report.name).len();
        match report.outcome {
            Outcome::Submitted => {
                assert_eq!(applied, 1, "{report:?}");
                assert!(report.notes.iter().any(|n| n.contains("not sent")));
            }
            Outcome::Unknown => assert_eq!(submits, 1, "{report:?}"),
            Outcome::Failed => {
                assert_eq!(submits, 0, "{report:?}");
                assert_eq!(error_code(report), NOT_SENT);
            }
            other => panic!("{other:?}: {report:?}"),
        }
    }
    assert!(reports.iter().any(|r| r.outcome == Outcome::Submitted));
    assert!(fake.log().iter().all(|s| s.action != ORDER_ACTION));
}

/// Runs certificate `a` while `interrupt` acts on the run from another task
/// (signals, as app.rs sends them); returns the reports and the instant the
/// interrupt was done.
async fn run_a_interrupted<F, Fut>(fake: &Fake, interrupt: F) -> (Vec<CertificateReport>, Instant)
where
    F: FnOnce(Arc<Run<Fake>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let run = Run::new(Arc::new(fake.clone()), options());
    let acting = interrupt(Arc::clone(&run));
    let stopper = tokio::spawn(async move {
        acting.await;
        Instant::now()
    });
    let reports = super::run(
        run,
        vec![(certificate("a", false), "a.yaml".into())],
        Arc::new(|_| {}),
    )
    .await;
    (reports, stopper.await.unwrap())
}

#[tokio::test(start_paused = true)]
async fn a_second_signal_cuts_off_requests_in_flight_at_once() {
    let fake = Fake::new(&["a"], |action, _, _| match action {
        SUBMIT_ACTION => Behaviour::Hang,
        _ => Behaviour::Normal,
    });
    let (reports, cut_at) = run_a_interrupted(&fake, |run| async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        run.stop(StopReason::Interrupted);
        tokio::time::sleep(Duration::from_millis(100)).await;
        run.cut_off_now();
    })
    .await;
    assert!(cut_at.elapsed() < Duration::from_millis(10));
    assert_eq!(reports[0].outcome, Outcome::Unknown, "{:?}", reports[0]);
}

#[tokio::test(start_paused = true)]
async fn an_interrupted_write_in_flight_ends_by_the_cut_off() {
    let fake = Fake::new(&["a"], |action, _, _| match action {
        SUBMIT_ACTION => Behaviour::Hang,
        _ => Behaviour::Normal,
    });
    let (reports, stopped_at) = run_a_interrupted(&fake, |run| async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        run.stop(StopReason::Interrupted);
    })
    .await;
    assert_eq!(stopped_at.elapsed(), TIMEOUT + GRACE_AFTER_TIMEOUT);
    assert_eq!(reports[0].outcome, Outcome::Unknown);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_task_is_reported_failed_and_counted() {
    let fake = Fake::new(&["a", "b"], |action, id, _| match (action, id) {
        (SUBMIT_ACTION, "b") => Behaviour::Panic,
        _ => Behaviour::Normal,
    });
    let done = Arc::new(StdMutex::new(Vec::new()));
    let run = Run::new(Arc::new(fake.clone()), options());
    let seen = Arc::clone(&done);
    let reports = super::run(
        run,
        vec![
            (certificate("a", false), "a.yaml".into()),
            (certificate("b", false), "b.yaml".into()),
        ],
        Arc::new(move |r: &CertificateReport| seen.lock().unwrap().push(r.name.clone())),
    )
    .await;
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].outcome, Outcome::Submitted);
    assert_eq!(reports[1].outcome, Outcome::Failed);
    assert_eq!(reports[1].name, "b");
    assert_eq!(reports[1].file, PathBuf::from("b.yaml"));
    assert_eq!(error_code(&reports[1]), INTERNAL);
    assert_eq!(done.lock().unwrap().len(), 2, "progress saw both");
}

#[tokio::test(start_paused = true)]
async fn resubmit_sends_at_status_5_even_when_in_sync_and_fails_elsewhere() {
    let fake = Fake::new(&["a", "b"], |_, _, _| Behaviour::Normal);
    // First run puts the information in place; b is then committed.
    let (first, _) = run_all(&fake, &["a", "b"], false, options()).await;
    assert!(first.iter().all(|r| r.outcome == Outcome::Submitted));
    fake.0
        .certificates
        .lock()
        .unwrap()
        .get_mut("b")
        .unwrap()
        .status = 8;
    let mut options = options();
    options.resubmit = ["a".to_string(), "b".to_string()].into();
    let (second, _) = run_all(&fake, &["a", "b"], false, options).await;
    assert_eq!(second[0].outcome, Outcome::Submitted, "{:?}", second[0]);
    assert_eq!(fake.applied("a"), (2, 0));
    assert_eq!(second[1].outcome, Outcome::Failed);
    assert!(
        second[1]
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("status 5")
    );
    assert_eq!(fake.applied("b"), (1, 0));
    // Without --resubmit, in sync.
    let (third, _) = run_all(&fake, &["a"], false, self::options()).await;
    assert_eq!(third[0].outcome, Outcome::InSync);
}

#[tokio::test(start_paused = true)]
async fn plan_sends_no_write_even_with_resubmit() {
    let fake = Fake::new(&["a"], |_, _, _| Behaviour::Normal);
    let mut options = options();
    options.mode = Mode::Plan;
    options.resubmit = ["a".to_string()].into();
    let (reports, _) = run_all(&fake, &["a"], true, options).await;
    assert_eq!(reports[0].outcome, Outcome::Planned);
    assert!(
        fake.log()
            .iter()
            .all(|s| s.action == DESCRIBE_ACTION || s.action == LIST_ACTION)
    );
}

#[test]
fn fields_submitted_data_cannot_show_are_named_for_the_successor_only() {
    let legacy = certificate("a", false);
    assert!(unverifiable_fields(&legacy, &submit_body(&legacy)).is_empty());
    let mut successor = certificate("b", false);
    successor.api = crate::certificate::Api::CertificateInfoSubmit;
    let fields = unverifiable_fields(&successor, &submit_body(&successor));
    assert_eq!(fields, ["CompanyType", "CsrKeyParameter", "CsrEncryptAlgo"]);
    successor.fields.insert(
        Field::CompanyId,
        Setting {
            value: "12345".into(),
            layer: Layer::Certificate("b".into()),
            span: span(),
            secret: false,
        },
    );
    let fields = unverifiable_fields(&successor, &submit_body(&successor));
    assert!(fields.contains(&"CompanyId") && !fields.contains(&"ManagerId"));
    let note = unverifiable_note(&successor, &submit_body(&successor)).unwrap_or_default();
    assert!(note.contains("apply --resubmit b"), "{note}");
}

#[tokio::test(start_paused = true)]
async fn a_status_message_quoting_a_secret_is_masked() {
    let fake = Fake::new(&["a"], |_, _, _| Behaviour::Normal);
    {
        let mut certificates = fake.0.certificates.lock().unwrap();
        let a = certificates.get_mut("a").unwrap();
        a.status = 2;
        a.status_message = Some("rejected: password hunter2-secret is weak".into());
    }
    let (reports, _) = run_all(&fake, &["a"], false, options()).await;
    let message = reports[0].error.clone().unwrap_or_default().message;
    assert!(!message.contains("hunter2-secret"), "{message}");
    assert!(message.contains(crate::secret::MASK), "{message}");
}

#[tokio::test(start_paused = true)]
async fn an_auth_failure_wakes_every_waiting_certificate_at_once() {
    // 50 reads at 10 a second: the last would wait 4.9 s for its slot.
    let names: Vec<String> = (0..50).map(|i| format!("c{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let fake = Fake::new(&names, |_, _, _| {
        Behaviour::Refuse(api("AuthFailure.SecretIdNotFound"))
    });
    let started = Instant::now();
    let (reports, _) = run_all(&fake, &names, false, options()).await;
    assert!(
        started.elapsed() < Duration::from_millis(10),
        "waited {:?} after the stop",
        started.elapsed()
    );
    assert_eq!(fake.log().len(), 1);
    assert_eq!(reports.len(), 50);
}

#[tokio::test(start_paused = true)]
async fn an_auth_failure_ends_a_settle_window_at_once_leaving_the_write_unknown() {
    // a's submit is lost; while a settles (next read at 1 s), b's read is
    // refused with AuthFailure at 0.5 s: nothing more may be sent, so a
    // cannot be settled and must not wait for anything.
    let fake = Fake::new(&["a", "b"], |action, id, _| match (action, id) {
        (SUBMIT_ACTION, "a") => Behaviour::DropWithoutActing,
        (DESCRIBE_ACTION, "b") => Behaviour::RefuseAfter(
            Duration::from_millis(500),
            api("AuthFailure.SignatureFailure"),
        ),
        _ => Behaviour::Normal,
    });
    let started = Instant::now();
    let (reports, run) = run_all(&fake, &["a", "b"], false, options()).await;
    assert!(matches!(
        run.stop_reason(),
        Some(StopReason::AuthFailure { .. })
    ));
    assert!(
        // The next settle read was due at 1 s after the send: not waited for.
        started.elapsed() < Duration::from_millis(900),
        "ended {:?} after the start",
        started.elapsed()
    );
    assert_eq!(reports[0].outcome, Outcome::Unknown, "{:?}", reports[0]);
    assert_eq!(fake.sent(SUBMIT_ACTION, "a").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn after_an_interrupt_a_write_settled_absent_is_not_sent_again() {
    // a's submit is lost at once; the interrupt comes during the settle
    // window, whose reads (allowed after an interrupt) show it absent over
    // 3 timeouts, before the cut-off at 1 + 4 s: settled, not resent.
    let fake = Fake::new(&["a"], |action, _, _| match action {
        SUBMIT_ACTION => Behaviour::DropWithoutActing,
        _ => Behaviour::Normal,
    });
    let (reports, _) = run_a_interrupted(&fake, |run| async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        run.stop(StopReason::Interrupted);
    })
    .await;
    assert_eq!(fake.sent(SUBMIT_ACTION, "a").len(), 1, "not resent");
    assert!(
        fake.sent(DESCRIBE_ACTION, "a").len() >= 4,
        "the window was read"
    );
    assert_eq!(reports[0].outcome, Outcome::Failed);
    assert_eq!(error_code(&reports[0]), NOT_SENT);
    assert!(
        reports[0]
            .notes
            .iter()
            .any(|n| n.contains("reads showed it did not take effect")),
        "{:?}",
        reports[0]
    );
}

/// Runs the certificates, failing the test if the run does not end within
/// an hour of virtual time (a retry loop that never ends).
async fn run_bounded(fake: &Fake, names: &[&str], options: Options) -> Vec<CertificateReport> {
    tokio::time::timeout(
        Duration::from_secs(3600),
        run_all(fake, names, false, options),
    )
    .await
    .map(|(reports, _)| reports)
    .expect("the run ends")
}

#[tokio::test(start_paused = true)]
async fn a_write_always_throttled_is_tried_max_attempts_times() {
    let fake = Fake::new(&["a"], |action, _, _| match action {
        SUBMIT_ACTION => Behaviour::Refuse(api("RequestLimitExceeded")),
        _ => Behaviour::Normal,
    });
    let reports = run_bounded(&fake, &["a"], options()).await;
    assert_eq!(reports[0].outcome, Outcome::Failed);
    assert_eq!(error_code(&reports[0]), "RequestLimitExceeded");
    assert_eq!(fake.sent(SUBMIT_ACTION, "a").len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_write_always_lost_is_sent_at_most_max_attempts_times() {
    let fake = Fake::new(&["a"], |action, _, _| match action {
        SUBMIT_ACTION => Behaviour::DropWithoutActing,
        _ => Behaviour::Normal,
    });
    let reports = run_bounded(&fake, &["a"], options()).await;
    assert_eq!(reports[0].outcome, Outcome::Failed, "{:?}", reports[0]);
    assert_eq!(error_code(&reports[0]), "ClientError.NetworkError");
    assert_eq!(fake.sent(SUBMIT_ACTION, "a").len(), 4);
    assert_eq!(fake.applied("a"), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn other_errors_between_do_not_count_as_connection_failures() {
    // Two transient errors, then one connection failure: not three
    // connection failures in a row.
    let fake = Fake::new(&["a"], |action, _, nth| match (action, nth) {
        (DESCRIBE_ACTION, 1 | 2) => Behaviour::Refuse(api("InternalError")),
        (DESCRIBE_ACTION, 3) => Behaviour::Refuse(CallError::Connect {
            message: "refused".into(),
        }),
        _ => Behaviour::Normal,
    });
    let (reports, run) = run_all(&fake, &["a"], false, options()).await;
    assert_eq!(run.stop_reason(), None);
    assert_eq!(reports[0].outcome, Outcome::Submitted, "{:?}", reports[0]);
}

#[tokio::test(start_paused = true)]
async fn a_write_refused_because_another_run_got_there_is_not_a_failure() {
    // Between our read and our submit, another run submitted the same
    // information and committed: the refusal is settled by a read.
    let fake = Fake::new(&["a"], |action, _, _| match action {
        SUBMIT_ACTION => Behaviour::Refuse(api("FailedOperation.InvalidCertificateStatusCode")),
        _ => Behaviour::Normal,
    });
    let (first, _) = run_all(&fake, &["a"], false, options()).await;
    assert_eq!(
        first[0].outcome,
        Outcome::Failed,
        "still pending: a failure"
    );
    {
        let mut certificates = fake.0.certificates.lock().unwrap();
        let a = certificates.get_mut("a").unwrap();
        a.status = 8;
        let mut data = submit_body(&certificate("a", false)).to_json(Secrets::Reveal);
        data.remove("CertificateId");
        a.submitted = Some(data);
    }
    // Live status 8 and in place: in sync without any write.
    let (second, _) = run_all(&fake, &["a"], false, options()).await;
    assert_eq!(second[0].outcome, Outcome::InSync);
    // Our read says 5 (stale), the write is refused, the settle read says 8.
    let stale_read = Fake::new(&["a"], |action, _, nth| match (action, nth) {
        (SUBMIT_ACTION, _) => {
            Behaviour::Refuse(api("FailedOperation.InvalidCertificateStatusCode"))
        }
        _ => Behaviour::Normal,
    });
    {
        let shared = Arc::clone(&stale_read.0);
        let mut certificates = shared.certificates.lock().unwrap();
        let a = certificates.get_mut("a").unwrap();
        let mut data = submit_body(&certificate("a", false)).to_json(Secrets::Reveal);
        data.remove("CertificateId");
        data.insert("OrganizationName".into(), json!("Other"));
        a.submitted = Some(data);
    }
    let reports = {
        let fake = stale_read.clone();
        let run = Run::new(Arc::new(fake.clone()), options());
        // After the first read, another run puts the information in place.
        let flip = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let mut certificates = fake.0.certificates.lock().unwrap();
            let a = certificates.get_mut("a").unwrap();
            a.status = 8;
            let mut data = submit_body(&certificate("a", false)).to_json(Secrets::Reveal);
            data.remove("CertificateId");
            a.submitted = Some(data);
        });
        let reports = super::run(
            run,
            vec![(certificate("a", false), "a.yaml".into())],
            Arc::new(|_| {}),
        )
        .await;
        flip.await.unwrap();
        reports
    };
    assert_eq!(reports[0].outcome, Outcome::InSync, "{:?}", reports[0]);
    assert!(reports[0].notes.iter().any(|n| n.contains("another run")));
}

/// Two accounts, each its own [`Run`] over its own fake server: the
/// certificates `{prefix}{i}` for i in 0..n.
fn account_certificates(
    run: &Arc<Run<Fake>>,
    account: &str,
    n: usize,
) -> Vec<(Arc<Run<Fake>>, Certificate, PathBuf)> {
    (0..n)
        .map(|i| {
            let mut certificate = certificate(&format!("{account}{i}"), false);
            certificate.account = Some(account.to_string());
            (Arc::clone(run), certificate, PathBuf::from("m.yaml"))
        })
        .collect()
}

fn account_options(account: &str) -> Options {
    Options {
        account: Some(account.to_string()),
        ..options()
    }
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

#[tokio::test(start_paused = true)]
async fn two_accounts_write_at_twice_one_accounts_pace() {
    const N: usize = 20;
    let time_for = |accounts: &'static [&'static str]| async move {
        let mut work = Vec::new();
        let mut fakes = Vec::new();
        for account in accounts {
            let ids = names(account, N);
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let fake = Fake::new(&ids, |_, _, _| Behaviour::Normal);
            let run = Run::new(Arc::new(fake.clone()), account_options(account));
            work.extend(account_certificates(&run, account, N));
            fakes.push(fake);
        }
        let started = Instant::now();
        let reports = super::run_all(work, Arc::new(|_| {})).await;
        assert!(reports.iter().all(|r| r.outcome == Outcome::Submitted));
        // Each account's writes alone keep its pace: never two within
        // 100 ms (10 a second) for one account.
        for fake in &fakes {
            let mut writes: Vec<Instant> = fake
                .log()
                .into_iter()
                .filter(|s| s.action == SUBMIT_ACTION)
                .map(|s| s.at)
                .collect();
            writes.sort();
            assert_eq!(writes.len(), N);
            for pair in writes.windows(2) {
                assert!(pair[1] - pair[0] >= Duration::from_millis(99), "{pair:?}");
            }
        }
        started.elapsed()
    };
    let one = time_for(&["a"]).await;
    let two = time_for(&["a", "b"]).await;
    // 20 reads then 20 writes at 10 a second: about 2 s either way; two
    // accounts add nothing since each has its own pacers.
    assert!(one >= Duration::from_millis(1900), "{one:?}");
    assert!(
        two < one + Duration::from_millis(150),
        "two accounts took {two:?}, one {one:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn an_auth_failure_stops_only_its_accounts_certificates() {
    let bad_ids = names("bad", 5);
    let bad_ids: Vec<&str> = bad_ids.iter().map(String::as_str).collect();
    let good_ids = names("good", 5);
    let good_ids: Vec<&str> = good_ids.iter().map(String::as_str).collect();
    let bad = Fake::new(&bad_ids, |_, _, _| {
        Behaviour::Refuse(api("AuthFailure.SecretIdNotFound"))
    });
    let good = Fake::new(&good_ids, |_, _, _| Behaviour::Normal);
    let bad_run = Run::new(Arc::new(bad.clone()), account_options("bad"));
    let good_run = Run::new(Arc::new(good.clone()), account_options("good"));
    let mut work = account_certificates(&bad_run, "bad", 5);
    work.extend(account_certificates(&good_run, "good", 5));
    let reports = super::run_all(work, Arc::new(|_| {})).await;

    assert_eq!(
        bad.log().len(),
        1,
        "nothing more with the refused credentials"
    );
    assert!(matches!(
        bad_run.stop_reason(),
        Some(StopReason::AuthFailure { .. })
    ));
    assert_eq!(good_run.stop_reason(), None);
    let (bad_reports, good_reports) = reports.split_at(5);
    assert!(good_reports.iter().all(|r| r.outcome == Outcome::Submitted));
    assert!(
        good_reports
            .iter()
            .all(|r| r.account.as_deref() == Some("good"))
    );
    assert!(bad_reports.iter().all(|r| r.outcome == Outcome::Failed));
    // The cause named once per certificate: the refusal, or not sent
    // because of it, naming the account.
    for report in bad_reports {
        let crate::api::error::ApiError { code, message, .. } =
            report.error.clone().unwrap_or_default();
        assert!(
            code == "AuthFailure.SecretIdNotFound"
                || (code == NOT_SENT
                    && message
                        == "not sent: account `bad` stopped at AuthFailure.SecretIdNotFound"),
            "{report:?}"
        );
    }
    let stops = super::stops(&[Arc::clone(&good_run), Arc::clone(&bad_run)]);
    assert_eq!(stops.len(), 1);
    assert_eq!(stops[0].account(), Some("bad"));
}

#[tokio::test(start_paused = true)]
async fn connection_failures_stop_their_account_and_an_interrupt_is_one_stop_of_the_run() {
    let down = Fake::new(&["x0", "x1", "x2", "x3"], |_, _, _| {
        Behaviour::Refuse(CallError::Connect {
            message: "connection refused".into(),
        })
    });
    let up = Fake::new(&["y0"], |_, _, _| Behaviour::Normal);
    let down_run = Run::new(Arc::new(down.clone()), options());
    let up_run = Run::new(Arc::new(up), account_options("y"));
    let mut work: Vec<(Arc<Run<Fake>>, Certificate, PathBuf)> = ["x0", "x1", "x2", "x3"]
        .iter()
        .map(|n| (Arc::clone(&down_run), certificate(n, false), PathBuf::new()))
        .collect();
    work.extend(account_certificates(&up_run, "y", 1));
    let reports = super::run_all(work, Arc::new(|_| {})).await;
    assert_eq!(down.log().len(), 3);
    assert_eq!(reports[4].outcome, Outcome::Submitted);
    let runs = [Arc::clone(&down_run), Arc::clone(&up_run)];
    let stops = super::stops(&runs);
    assert_eq!(stops.len(), 1);
    assert_eq!(
        stops[0].whose,
        Whose::Default,
        "the default credentials, among accounts"
    );
    // Alone, the default credentials' stop is the run's.
    assert_eq!(super::stops(&runs[..1])[0].whose, Whose::Run);
    up_run.stop(StopReason::Interrupted);
    assert_eq!(
        super::stops(&runs),
        [Stop::run(StopReason::Interrupted)],
        "an interrupt stops every account: one stop"
    );
}

#[tokio::test(start_paused = true)]
async fn changes_carry_values_masked_and_withheld_as_asked() {
    let fake = Fake::new(&["a", "b"], |_, _, _| Behaviour::Normal);
    {
        let mut certificates = fake.0.certificates.lock().unwrap();
        // `a`: at status 5, a live value quoting a secret the run knows.
        certificates.get_mut("a").unwrap().submitted = Some(
            json!({"OrganizationName": "Old hunter2-secret Ltd"})
                .as_object()
                .cloned()
                .unwrap(),
        );
        // `b`: with the CA, drifted.
        let b = certificates.get_mut("b").unwrap();
        b.status = 8;
        b.submitted = json!({"OrganizationName": "Other", "CsrType": "online", "CertificateDomain": "b.example"})
            .as_object()
            .cloned();
    }
    let mut plan = options();
    plan.mode = Mode::Plan;
    let (reports, _) = run_all(&fake, &["a", "b"], false, plan.clone()).await;
    let organization = |report: &CertificateReport| {
        report
            .changes
            .iter()
            .find(|c| c.field == "OrganizationName")
            .map(|c| c.shown.clone())
    };
    assert_eq!(reports[0].outcome, Outcome::Planned);
    assert!(!reports[0].first_submission);
    assert_eq!(
        organization(&reports[0]),
        Some(changes::Shown::Values {
            live: json!(format!("Old {} Ltd", crate::secret::MASK)),
            desired: json!("Acme"),
        })
    );
    assert_eq!(reports[1].outcome, Outcome::Drift);
    assert_eq!(reports[1].drift, ["OrganizationName"]);
    assert_eq!(reports[1].changes.len(), 1);
    assert!(
        reports[1]
            .notes
            .iter()
            .any(|n| n.contains("cancel the review")),
        "{:?}",
        reports[1].notes
    );

    plan.values = Values::Withheld;
    let (reports, _) = run_all(&fake, &["a", "b"], false, plan).await;
    for report in &reports {
        assert_eq!(organization(report), Some(changes::Shown::NameOnly));
    }
}

/// A mixed fleet: issued (1), pending (5), with the CA (8), review failed
/// (2), cancelled (7) and an id the server does not know.
fn mixed_fleet() -> (Fake, [&'static str; 6]) {
    let names = [
        "issued",
        "pending",
        "at-ca",
        "rejected",
        "cancelled",
        "missing",
    ];
    let fake = Fake::new(&names, |_, _, _| Behaviour::Normal);
    fake.set_status("issued", 1);
    fake.set_status("at-ca", 8);
    fake.set_status("rejected", 2);
    fake.set_status("cancelled", 7);
    fake.remove("missing");
    (fake, names)
}

fn detail_reads(fake: &Fake) -> Vec<String> {
    let mut ids: Vec<String> = fake
        .log()
        .into_iter()
        .filter(|s| s.action == DESCRIBE_ACTION)
        .map(|s| s.id)
        .collect();
    ids.sort();
    ids
}

#[tokio::test(start_paused = true)]
async fn the_list_decides_issued_and_final_statuses_and_details_are_read_where_they_matter() {
    let (fake, names) = mixed_fleet();
    let mut options = options();
    options.mode = Mode::Plan;
    let (reports, _) = run_all(&fake, &names, false, options).await;
    let outcome = |name: &str| {
        let report = reports.iter().find(|r| r.name == name).unwrap();
        (report.outcome, report.status)
    };
    assert_eq!(outcome("issued"), (Outcome::InSync, Some(1)));
    assert_eq!(outcome("pending"), (Outcome::Planned, Some(5)));
    assert_eq!(outcome("rejected"), (Outcome::Failed, Some(2)));
    assert_eq!(outcome("cancelled"), (Outcome::Skipped, Some(7)));
    assert_eq!(outcome("missing").0, Outcome::Failed);
    let missing = reports.iter().find(|r| r.name == "missing").unwrap();
    assert_eq!(error_code(missing), "FailedOperation.CertificateNotFound");
    let issued = reports.iter().find(|r| r.name == "issued").unwrap();
    assert_eq!(issued.notes, [ISSUED_NOT_COMPARED]);
    // One list call for the six ids; details for 5, 8, 2 and the missing one.
    let lists: Vec<Sent> = fake
        .log()
        .into_iter()
        .filter(|s| s.action == LIST_ACTION)
        .collect();
    assert_eq!(lists.len(), 1);
    assert_eq!(
        detail_reads(&fake),
        ["at-ca", "missing", "pending", "rejected"]
    );
}

#[tokio::test(start_paused = true)]
async fn deep_reads_every_detail_and_lists_nothing() {
    let (fake, names) = mixed_fleet();
    let mut options = options();
    options.mode = Mode::Plan;
    options.deep = true;
    let (reports, _) = run_all(&fake, &names, false, options).await;
    assert!(fake.log().iter().all(|s| s.action == DESCRIBE_ACTION));
    assert_eq!(detail_reads(&fake).len(), 6);
    // Issued and compared: SubmittedData is null here, so the note of part
    // 1 ("cannot be compared"), not the list's.
    let issued = reports.iter().find(|r| r.name == "issued").unwrap();
    assert_eq!(issued.outcome, Outcome::InSync);
    assert!(issued.notes.iter().all(|n| n != ISSUED_NOT_COMPARED));
}

#[tokio::test(start_paused = true)]
async fn the_list_goes_100_ids_a_call_at_its_own_pace_beside_the_detail_reads() {
    let names: Vec<String> = (0..250).map(|i| format!("c{i:03}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let fake = Fake::new(&refs, |_, _, _| Behaviour::Normal);
    let mut options = options();
    options.mode = Mode::Plan;
    let start = Instant::now();
    let (reports, _) = run_all(&fake, &refs, false, options).await;
    assert!(reports.iter().all(|r| r.outcome == Outcome::Planned));
    let log = fake.log();
    let lists: Vec<&Sent> = log.iter().filter(|s| s.action == LIST_ACTION).collect();
    assert_eq!(lists.len(), 3, "250 ids: 100 + 100 + 50");
    // Each list call at the list's own 10 a second.
    for pair in lists.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_millis(100));
    }
    let details: Vec<&Sent> = log.iter().filter(|s| s.action == DESCRIBE_ACTION).collect();
    assert_eq!(details.len(), 250);
    // Concurrent: detail reads began before the last list call went.
    assert!(
        details[0].at < lists[2].at,
        "{:?} {:?}",
        details[0].at - start,
        lists[2].at - start
    );
    for pair in details.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_millis(100));
    }
    // 250 detail reads at 10 a second: 24.9 s from the first, not 25 + 0.3.
    assert!(details[249].at - start < Duration::from_secs(25));
}

#[tokio::test(start_paused = true)]
async fn a_list_that_cannot_be_used_falls_back_to_detail_reads() {
    // Refused (a CAM policy may allow the detail and not the list).
    let (fake, names) = mixed_fleet();
    let refusing = Fake::new(&names, |action, _, _| match action {
        LIST_ACTION => Behaviour::Refuse(api("UnauthorizedOperation")),
        _ => Behaviour::Normal,
    });
    drop(fake);
    let mut options = options();
    options.mode = Mode::Plan;
    let (reports, run) = run_all(&refusing, &names, false, options.clone()).await;
    assert!(run.stop_reason().is_none());
    assert_eq!(detail_reads(&refusing).len(), 6);
    assert!(
        reports
            .iter()
            .all(|r| r.outcome == Outcome::Planned || r.name == "missing")
    );
}

#[tokio::test(start_paused = true)]
async fn a_list_whose_filter_was_not_applied_falls_back_to_detail_reads() {
    // A server that ignores CertIds: TotalCount counts more than was asked.
    let fake = Fake::new(&["a", "b", "other1", "other2"], |_, _, _| Behaviour::Normal);
    let ignoring = Fake(Arc::clone(&fake.0));
    let mut options = options();
    options.mode = Mode::Plan;
    fake.set_status("a", 1);
    // Ask for a and b only; the fake lists what it is asked, so wrap it.
    struct Unfiltered(Fake);
    impl Transport for Unfiltered {
        fn redactor(&self) -> &crate::secret::Redactor {
            self.0.redactor()
        }
        async fn call(
            &self,
            action: Action,
            mut body: Map<String, Json>,
        ) -> Result<Map<String, Json>, CallError> {
            if action == LIST_ACTION {
                body.insert("CertIds".into(), json!(["a", "b", "other1", "other2"]));
                body.insert("Limit".into(), json!(4));
            }
            self.0.call(action, body).await
        }
    }
    let run = Run::new(Arc::new(Unfiltered(ignoring)), options);
    let certificates = ["a", "b"]
        .iter()
        .map(|n| (certificate(n, false), PathBuf::from(format!("{n}.yaml"))))
        .collect();
    let reports = super::run(Arc::clone(&run), certificates, Arc::new(|_| {})).await;
    assert_eq!(detail_reads(&fake), ["a", "b"], "both read in detail");
    // Read in detail, the issued one is compared as --deep would.
    assert!(reports[0].notes.iter().all(|n| n != ISSUED_NOT_COMPARED));
}

#[tokio::test(start_paused = true)]
async fn a_saved_plan_refuses_a_certificate_the_list_shows_moved() {
    let fake = Fake::new(&["a", "b"], |_, _, _| Behaviour::Normal);
    let mut plan_options = options();
    plan_options.mode = Mode::Plan;
    let (planned, _) = run_all(&fake, &["a", "b"], false, plan_options).await;
    let expected = |report: &CertificateReport| Expected {
        actions: report
            .actions
            .iter()
            .map(|a| a.name().to_string())
            .collect(),
        status: report.status,
        digests: report.digests.clone().unwrap(),
    };
    let mut apply_options = options();
    apply_options.saved = planned
        .iter()
        .map(|r| (r.name.clone(), expected(r)))
        .collect();
    // Issued since the plan (decided from the list, not compared), and
    // cancelled.
    fake.set_status("a", 1);
    fake.set_status("b", 7);
    let (applied, _) = run_all(&fake, &["a", "b"], false, apply_options).await;
    for report in &applied {
        assert_eq!(report.outcome, Outcome::Stale, "{report:?}");
        assert!(
            report.notes.iter().any(|n| n.contains("the plan read 5")),
            "{report:?}"
        );
    }
    assert!(fake.sent(SUBMIT_ACTION, "a").is_empty());
    assert!(fake.sent(SUBMIT_ACTION, "b").is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_list_answered_in_short_pages_is_paged_on_by_total_count() {
    let names: Vec<String> = (0..100).map(|i| format!("c{i:03}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let fake = Fake::new(&refs, |_, _, _| Behaviour::Normal);
    for name in &refs {
        fake.set_status(name, 1);
    }
    // A server that returns at most 30 items a page, whatever `Limit` asks.
    struct ShortPages(Fake);
    impl Transport for ShortPages {
        fn redactor(&self) -> &crate::secret::Redactor {
            self.0.redactor()
        }
        async fn call(
            &self,
            action: Action,
            mut body: Map<String, Json>,
        ) -> Result<Map<String, Json>, CallError> {
            if action == LIST_ACTION {
                body.insert("Limit".into(), json!(30));
            }
            self.0.call(action, body).await
        }
    }
    let mut options = options();
    options.mode = Mode::Plan;
    let run = Run::new(Arc::new(ShortPages(Fake(Arc::clone(&fake.0)))), options);
    let certificates = refs
        .iter()
        .map(|n| (certificate(n, false), PathBuf::from(format!("{n}.yaml"))))
        .collect();
    let reports = super::run(Arc::clone(&run), certificates, Arc::new(|_| {})).await;
    assert!(
        reports
            .iter()
            .all(|r| r.outcome == Outcome::InSync && r.notes == [ISSUED_NOT_COMPARED])
    );
    let lists = fake
        .log()
        .into_iter()
        .filter(|s| s.action == LIST_ACTION)
        .count();
    assert_eq!(lists, 4, "30 + 30 + 30 + 10");
    assert!(detail_reads(&fake).is_empty());
}

/// status's domain checks and `--complete` go on their own pacers, at the
/// read and the write rate: 15 at once are spread over 1.4 s each.
#[tokio::test(start_paused = true)]
async fn domain_checks_and_completes_are_paced_per_action() {
    let ids: Vec<String> = (0..15).map(|i| format!("c{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let fake = Fake::new(&refs, |_, _, _| Behaviour::Normal);
    let run = Run::new(Arc::new(fake.clone()), options());
    let mut tasks = Vec::new();
    for id in &ids {
        let run = Arc::clone(&run);
        let certificate = certificate(id, false);
        tasks.push(tokio::spawn(async move {
            let checks = run.domain_checks(&certificate).await;
            let completed = run.complete(&certificate).await;
            (checks, completed)
        }));
    }
    for task in tasks {
        let (checks, completed) = task.await.unwrap();
        assert_eq!(checks.unwrap(), [], "no VerificationResults: no check yet");
        assert!(matches!(completed, Completion::Landed(_)), "{completed:?}");
    }
    for action in [
        Action::CheckCertificateDomainVerification,
        Action::CompleteCertificate,
    ] {
        let mut at: Vec<Instant> = fake
            .log()
            .into_iter()
            .filter(|s| s.action == action)
            .map(|s| s.at)
            .collect();
        at.sort();
        assert_eq!(at.len(), 15, "{action}: each once");
        for gap in at.windows(2).map(|w| w[1] - w[0]) {
            assert!(gap >= Duration::from_millis(99), "{action}: {gap:?} apart");
        }
    }
}

/// A `CompleteCertificate` whose reply is lost is never sent again, even
/// when reads over the settle window show the certificate still waiting:
/// it only asks the CA to check, so the status cannot show that it did not
/// arrive. A throttled one (certainly not carried out) is sent again.
#[tokio::test(start_paused = true)]
async fn a_complete_whose_reply_is_lost_is_not_sent_again() {
    let fake = Fake::new(&["c0", "c1"], |action, id, nth| match (action, id, nth) {
        (Action::CompleteCertificate, "c0", _) => Behaviour::ActThenDrop,
        (Action::CompleteCertificate, "c1", 1) => Behaviour::Refuse(api("RequestLimitExceeded")),
        _ => Behaviour::Normal,
    });
    fake.set_status("c0", 4);
    fake.set_status("c1", 4);
    let run = Run::new(Arc::new(fake.clone()), options());
    let lost = run.complete(&certificate("c0", false)).await;
    assert!(matches!(lost, Completion::Unknown(_)), "{lost:?}");
    assert_eq!(fake.sent(Action::CompleteCertificate, "c0").len(), 1);
    let throttled = run.complete(&certificate("c1", false)).await;
    assert!(matches!(throttled, Completion::Landed(_)), "{throttled:?}");
    assert_eq!(fake.sent(Action::CompleteCertificate, "c1").len(), 2);
}

#[test]
fn a_replaced_confirmation_letter_changes_the_saved_plans_body_digest() {
    use crate::certificate::ConfirmLetter;
    let plain = certificate("www", true);
    let with_letter = |bytes: &[u8]| Certificate {
        confirm_letter: Some(ConfirmLetter {
            path: Sourced::new("letters/www.pdf".to_string(), span()),
            bytes: std::sync::Arc::from(bytes),
        }),
        ..plain.clone()
    };
    let digest = saved::certificate_body_digest;
    let one = digest(&with_letter(b"%PDF-1 first"));
    assert_eq!(one, digest(&with_letter(b"%PDF-1 first")));
    assert_ne!(one, digest(&with_letter(b"%PDF-1 other")));
    assert_ne!(one, digest(&plain));
    // A certificate without a letter keeps the digest it always had, so
    // plans saved before letters existed stay valid.
    assert_eq!(
        digest(&plain),
        saved::body_digest(
            submit_action(&plain),
            &submit_body(&plain),
            &order_body(&plain)
        )
    );
}
