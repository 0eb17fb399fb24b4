//! The sending half of [`super`]: one send, its pacing and stop checks
//! ([`Run::call`]), reads with retries, the bulk list's calls, and the
//! writes with their settling reads. A child module of `run.rs` so that it
//! shares the run's private state; the decisions it follows are pure
//! ([`crate::plan::retry`], [`crate::plan::step`]).

#[allow(clippy::wildcard_imports)]
use super::*;

impl<T: Transport> Run<T> {
    /// One send, paced by its action's pacer, with the stop checked before it
    /// goes and the cut-off racing it while it is in flight.
    pub(super) async fn call(
        &self,
        action: Action,
        body: &Body,
        certificate: &str,
        attempt: u32,
        purpose: Purpose,
    ) -> Attempt {
        let refused = |run: &Self| Attempt {
            result: Err(run.not_sent()),
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
    pub(super) fn after_error(
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
                StopReason::AuthFailure {
                    code,
                    message,
                    request_id: error.request_id(),
                }
            } else {
                StopReason::Unreachable { code, message }
            });
        }
        next
    }

    /// A read, retried while the rules say so.
    pub(super) async fn describe(
        &self,
        certificate: &Certificate,
        purpose: Purpose,
    ) -> Result<Live, CallError> {
        let body = describe_body(certificate);
        let mut live = self
            .read_as(
                Action::DescribeCertificateDetail,
                &body,
                &certificate.name,
                purpose,
                |response| Live::from_response(&response),
            )
            .await?;
        // StatusMsg is the one text from a successful reply that is printed:
        // masked like every error from the network.
        live.status_message = live
            .status_message
            .map(|message| self.transport.redactor().redact(&message));
        Ok(live)
    }

    /// One read (`DescribeCertificateDetail`, `DescribeCertificates`) for
    /// `status` and `import`: paced at the read rate, retried and stopped
    /// exactly as plan's reads. `label` names what is read in the log.
    pub async fn read(
        &self,
        action: Action,
        body: &Body,
        label: &str,
    ) -> Result<Map<String, Json>, CallError> {
        self.read_as(action, body, label, Purpose::Work, Ok).await
    }

    /// A read whose reply `decode` turns into a value; a reply it refuses
    /// is retried like any other unreadable answer.
    pub(super) async fn read_as<R>(
        &self,
        action: Action,
        body: &Body,
        label: &str,
        purpose: Purpose,
        decode: impl Fn(Map<String, Json>) -> Result<R, CallError>,
    ) -> Result<R, CallError> {
        let mut attempt = 1;
        loop {
            let sent = self.call(action, body, label, attempt, purpose).await;
            let error = match sent.result.and_then(&decode) {
                Ok(value) => return Ok(value),
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

    /// One call of the bulk list: `DescribeCertificates` of these ids
    /// (`CertIds`, `Limit` their number), paged by `TotalCount`, at the
    /// list's own pace. `None` when the list cannot be used (it failed after
    /// its retries, the run stopped, or its `TotalCount` shows the filter
    /// was not applied): the certificates are then read in detail, each
    /// getting its own result.
    pub(super) async fn list_ids(
        &self,
        ids: &[(String, bool)],
    ) -> (Option<HashMap<String, ListItem>>, Option<CallError>) {
        let wanted: HashSet<&str> = ids.iter().map(|(id, _)| id.as_str()).collect();
        let mut found = HashMap::new();
        let mut offset = 0;
        loop {
            let page = self
                .read_as(
                    Action::DescribeCertificates,
                    &list_ids_body(ids, offset),
                    "DescribeCertificates",
                    Purpose::Work,
                    |response| list_page(&response),
                )
                .await;
            let (total, items) = match page {
                Ok(page) => page,
                Err(error) => {
                    if self.may_send(Purpose::Work) {
                        tracing::warn!(
                            code = %error.code(),
                            certificates = ids.len(),
                            "DescribeCertificates failed; reading these certificates in detail instead"
                        );
                    }
                    return (None, Some(error));
                }
            };
            if total > ids.len() as u64 {
                tracing::warn!(
                    total,
                    certificates = ids.len(),
                    "DescribeCertificates counted more certificates than the ids asked for (the CertIds filter was not applied); reading these certificates in detail instead"
                );
                return (None, None);
            }
            let count = items.len() as u64;
            for mut item in items {
                if wanted.contains(item.certificate_id.as_str()) {
                    // Printed by status and in skip warnings: masked like
                    // every text from the network.
                    item.status_message = item
                        .status_message
                        .map(|message| self.transport.redactor().redact(&message));
                    found.insert(item.certificate_id.clone(), item);
                }
            }
            offset += count;
            if count == 0 || offset >= total {
                return (Some(found), None);
            }
        }
    }

    /// The certificates of this account carrying `certificate`'s tag
    /// ([`crate::plan::identity`]): `DescribeCertificates` with `Tags`, paced
    /// as every list call, paged by `TotalCount` for at most
    /// [`TAG_LIST_PAGES`] pages (a server that keeps counting more cannot
    /// keep the run reading: a list cut short is an error unless it holds
    /// two or more already; [`identity::TagPaging`] says what else is
    /// refused).
    pub async fn find_by_tag(&self, certificate: &Certificate) -> Result<Tagged, CallError> {
        self.find_by_tag_for(certificate, Purpose::Work).await
    }

    pub(super) async fn find_by_tag_for(
        &self,
        certificate: &Certificate,
        purpose: Purpose,
    ) -> Result<Tagged, CallError> {
        let mut paging = identity::TagPaging::new(&certificate.name);
        let mut whole = false;
        for _ in 0..TAG_LIST_PAGES {
            let response = self
                .read_as(
                    Action::DescribeCertificates,
                    &tag_list_body(CERTIFICATE_TAG, &certificate.name, paging.offset()),
                    &certificate.name,
                    purpose,
                    |response| {
                        // A list page, or the read is retried as any read.
                        list_page(&response)?;
                        Ok(response)
                    },
                )
                .await?;
            whole = paging.take(&response)?;
            if whole {
                break;
            }
        }
        paging.finish(whole)
    }

    /// Reads after a write of unknown outcome, sent at `sent_at`, until the
    /// reads show it in place, or show it absent over the settle window.
    pub(super) async fn settle(
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
    pub(super) async fn write(
        &self,
        action: Action,
        body: &Body,
        certificate: &Certificate,
        landed: impl Fn(&Live) -> bool,
        notes: &mut Vec<String>,
    ) -> Written {
        self.write_sent(action, body, certificate, landed, notes, false)
            .await
    }

    /// A write sent at most once after it may have been carried out (the
    /// restart's steps, the letter): as [`Self::write`], but reads that show
    /// it absent leave it `unknown` instead of sending it again. A request
    /// that certainly did nothing (throttled, never sent) is still retried.
    pub(super) async fn write_once(
        &self,
        action: Action,
        body: &Body,
        certificate: &Certificate,
        landed: impl Fn(&Live) -> bool,
        notes: &mut Vec<String>,
    ) -> Written {
        self.write_sent(action, body, certificate, landed, notes, true)
            .await
    }

    async fn write_sent(
        &self,
        action: Action,
        body: &Body,
        certificate: &Certificate,
        landed: impl Fn(&Live) -> bool,
        notes: &mut Vec<String>,
        once: bool,
    ) -> Written {
        let mut attempt = 1;
        loop {
            let sent = self
                .call(action, body, &certificate.name, attempt, Purpose::Work)
                .await;
            let error = match sent.result {
                Ok(reply) => return Written::Done(Some(reply)),
                Err(error) => error,
            };
            match self.after_error(&error, CallKind::Write, attempt, sent.connect_failures) {
                Next::Retry(delay) => {
                    if !self
                        .sleep_until(Instant::now() + delay, Purpose::Work)
                        .await
                    {
                        return Written::Failed(self.not_sent());
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
                            return Written::Done(None);
                        }
                        Settled::Unknown => return Written::Unknown(error),
                        Settled::Absent if once => {
                            notes.push(format!(
                                "{action}: {}; reads did not show it in place, and it is not sent twice in a run",
                                error.code()
                            ));
                            return Written::Unknown(error);
                        }
                        Settled::Absent if !self.options.backoff.allows(attempt) => {
                            return Written::Failed(error);
                        }
                        Settled::Absent if !self.may_send(Purpose::Work) => {
                            notes.push(format!(
                                "{action}: {}; reads showed it did not take effect",
                                error.code()
                            ));
                            return Written::Failed(self.not_sent());
                        }
                        Settled::Absent => {}
                    }
                }
            }
            attempt += 1;
        }
    }

    /// A write refused for the certificate's status may mean another run got
    /// there first (two applies at once). Read again: if the information is
    /// in place, that is not a failure of this run.
    pub(super) async fn settle_conflict(
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

/// The bulk list's call for each certificate (docs/cli.md, "Reading a fleet
/// in bulk"): per run (account), its certificates' ids in calls of at most
/// [`IDS_PER_LIST`]; `None` for every certificate of a `--deep` run.
pub(super) fn bulk_lists<T: Transport>(
    certificates: &[(Arc<Run<T>>, Certificate, PathBuf)],
) -> Vec<Option<Arc<ListChunk>>> {
    let mut lists = vec![None; certificates.len()];
    let mut by_run: Vec<(&Arc<Run<T>>, Vec<usize>)> = Vec::new();
    for (i, (run, _, _)) in certificates.iter().enumerate() {
        if run.options.deep {
            continue;
        }
        match by_run.iter_mut().find(|(r, _)| Arc::ptr_eq(r, run)) {
            Some((_, indices)) => indices.push(i),
            None => by_run.push((run, vec![i])),
        }
    }
    for (_, indices) in by_run {
        // A certificate to buy has no id to list: it is found by its tag.
        let indices: Vec<usize> = indices
            .into_iter()
            .filter(|&i| certificates[i].1.certificate_id.is_some())
            .collect();
        let ids: Vec<(String, bool)> = indices
            .iter()
            .map(|&i| {
                let (id, secret) = certificates[i].1.id_or_placeholder();
                (id.to_owned(), secret)
            })
            .collect();
        for (i, chunk) in indices.into_iter().zip(list_chunks(&ids)) {
            lists[i] = Some(chunk);
        }
    }
    lists
}
