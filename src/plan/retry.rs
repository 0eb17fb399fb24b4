//! What to do after a failed call: the retry, settle and stop rules of
//! docs/cli.md ("Pace, retries and faults", "Transport, retries and
//! interrupts") as pure functions. [`super::run`] only carries out what
//! these decide, so every rule is tested here, table-driven, without a clock
//! or a network.
//!
//! The one question behind every rule is whether the server may have acted:
//! - a request that never left (connection refused, name not resolved) or was
//!   refused for the rate limit certainly did nothing: it is retried;
//! - a write that may have been applied (a timeout, a dropped connection, a
//!   5xx, a redirect, an unreadable or oversized reply) is never simply sent
//!   again: its outcome is *settled* by reads first ([`may_resend`]);
//! - a definite refusal (`InvalidParameter`, most `FailedOperation.*`) fails
//!   the certificate; `AuthFailure.*` and repeated connection failures stop
//!   the account, since every other request would fail the same way.

use std::time::Duration;

use super::pace::Backoff;
use crate::api::error::CallError;

/// Whether the failed call was a read or a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    Read,
    Write,
}

/// What the reconciler does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// The server certainly did not act: send the same request again after
    /// this delay.
    Retry(Duration),
    /// A write that may have taken effect: read until its outcome is known.
    Settle,
    /// Give up on this certificate, reporting this error.
    Fail,
    /// Stop every certificate of this account: nothing more is sent with
    /// its credentials.
    StopAccount,
}

/// Connection failures in a row (across the account's certificates) that
/// stop the account: the endpoint is unreachable, and retrying every
/// certificate would only repeat the same error.
pub const CONNECT_FAILURES_TO_STOP: u32 = 3;

/// Why a call failed, in the classes the rules care about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// `AuthFailure.*`.
    Auth,
    /// Refused for the rate limit: not applied.
    Throttled,
    /// The request never left: not applied.
    NotSent,
    /// A passing fault on the server or the way there: a read is tried
    /// again; a write may have been applied.
    Transient,
    /// A reply no API gives (redirect, oversized, no `RequestId`): a read is
    /// not tried again (the same endpoint would answer the same); a write may
    /// have been applied.
    Untrusted,
    /// The order is being processed: the write may be in place; reads tell.
    Processing,
    /// A definite refusal.
    Refused,
}

/// The API error codes that are transient (official error lists; docs/api.md).
fn is_transient_code(code: &str) -> bool {
    code.starts_with("InternalError")
        || code.starts_with("ResourceInUse")
        || code.starts_with("ResourceUnavailable")
        || code.starts_with("ServiceUnavailable")
        || code == "FailedOperation.NetworkError"
        || code == "FailedOperation.CannotGetOrder"
}

pub fn classify(error: &CallError) -> ErrorClass {
    match error {
        CallError::Api { code, .. } if code.starts_with("AuthFailure") => ErrorClass::Auth,
        CallError::Api { .. } if error.is_throttled() => ErrorClass::Throttled,
        CallError::Api { code, .. } if is_transient_code(code) => ErrorClass::Transient,
        CallError::Api { code, .. }
            if code == "FailedOperation.CertificateOrderSubmitProcessing" =>
        {
            ErrorClass::Processing
        }
        CallError::Api { .. } => ErrorClass::Refused,
        CallError::Status(status) if *status >= 500 => ErrorClass::Transient,
        CallError::Status(_) => ErrorClass::Refused,
        CallError::Connect { .. } => ErrorClass::NotSent,
        CallError::Transport { .. } | CallError::Decode(_) => ErrorClass::Transient,
        CallError::Redirect { .. } | CallError::TooLarge | CallError::MissingRequestId => {
            ErrorClass::Untrusted
        }
    }
}

/// The decision after `error` on try number `attempt` (1 = the first send),
/// with `connect_failures` the account's connection failures in a row,
/// this one included, and `jitter` uniform in [0, 1).
pub fn after_error(
    error: &CallError,
    kind: CallKind,
    attempt: u32,
    connect_failures: u32,
    backoff: &Backoff,
    jitter: f64,
) -> Next {
    let retry = || {
        if backoff.allows(attempt) {
            Next::Retry(backoff.delay(attempt, jitter))
        } else {
            Next::Fail
        }
    };
    match (classify(error), kind) {
        (ErrorClass::Auth, _) => Next::StopAccount,
        (ErrorClass::NotSent, _) if connect_failures >= CONNECT_FAILURES_TO_STOP => {
            Next::StopAccount
        }
        (ErrorClass::NotSent | ErrorClass::Throttled, _) => retry(),
        (ErrorClass::Transient, CallKind::Read) => retry(),
        (
            ErrorClass::Transient | ErrorClass::Untrusted | ErrorClass::Processing,
            CallKind::Write,
        ) => Next::Settle,
        (ErrorClass::Untrusted | ErrorClass::Processing | ErrorClass::Refused, CallKind::Read)
        | (ErrorClass::Refused, CallKind::Write) => Next::Fail,
    }
}

/// How many timeouts of reads, counted from the send, must show a write
/// absent before it may be sent again: a slow server may still apply a write
/// whose reply timed out, so one read right after a timeout proves nothing.
pub const SETTLE_TIMEOUTS: u32 = 3;

/// Whether a write sent at `elapsed_at_read` before a read that showed it
/// absent may be sent again.
pub fn may_resend(elapsed_at_read: Duration, timeout: Duration) -> bool {
    elapsed_at_read >= timeout.saturating_mul(SETTLE_TIMEOUTS)
}

/// When (after the send) the next settle read goes, given that the last read
/// went `elapsed` after the send: one read every `timeout`, so the reads
/// spread over the settle window, and one at its end.
pub fn next_settle_read(elapsed: Duration, timeout: Duration) -> Duration {
    let window = timeout.saturating_mul(SETTLE_TIMEOUTS);
    (elapsed + timeout).min(window).max(elapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: &str) -> CallError {
        CallError::Api {
            code: code.into(),
            message: String::new(),
            request_id: Some("r".into()),
        }
    }

    const BACKOFF: Backoff = Backoff {
        base: Duration::from_millis(100),
        cap: Duration::from_secs(2),
        max_attempts: 4,
    };

    fn next(error: &CallError, kind: CallKind) -> Next {
        after_error(error, kind, 1, 1, &BACKOFF, 0.0)
    }

    /// Every error class, for a read and for a write, on a first try.
    #[test]
    fn every_error_class_has_its_rule() {
        let dropped = CallError::Transport {
            message: "closed".into(),
            timed_out: false,
        };
        let timed_out = CallError::Transport {
            message: "timeout".into(),
            timed_out: true,
        };
        let refused = CallError::Connect {
            message: "refused".into(),
        };
        let retry = Next::Retry(Duration::from_millis(50));
        use CallKind::{Read, Write};
        use Next::{Fail, Settle, StopAccount};
        let table: Vec<(CallError, Next, Next)> = vec![
            (
                api("AuthFailure.SignatureFailure"),
                StopAccount,
                StopAccount,
            ),
            (api("AuthFailure.SignatureExpire"), StopAccount, StopAccount),
            (api("RequestLimitExceeded"), retry, retry),
            (api("RequestLimitExceeded.UinLimitExceeded"), retry, retry),
            (api("LimitExceeded.RateLimitExceeded"), retry, retry),
            (refused.clone(), retry, retry),
            (api("InternalError"), retry, Settle),
            (api("InternalError.BackendResponseError"), retry, Settle),
            (api("FailedOperation.NetworkError"), retry, Settle),
            (api("FailedOperation.CannotGetOrder"), retry, Settle),
            (api("ResourceInUse"), retry, Settle),
            (api("ResourceUnavailable.X"), retry, Settle),
            (api("ServiceUnavailable"), retry, Settle),
            (CallError::Status(502), retry, Settle),
            (CallError::Status(500), retry, Settle),
            (dropped, retry, Settle),
            (timed_out, retry, Settle),
            (CallError::Decode("<html>".into()), retry, Settle),
            (CallError::Redirect { status: 301 }, Fail, Settle),
            (CallError::Redirect { status: 307 }, Fail, Settle),
            (CallError::TooLarge, Fail, Settle),
            (CallError::MissingRequestId, Fail, Settle),
            (
                api("FailedOperation.CertificateOrderSubmitProcessing"),
                Fail,
                Settle,
            ),
            (CallError::Status(404), Fail, Fail),
            (CallError::Status(400), Fail, Fail),
            (api("InvalidParameter"), Fail, Fail),
            (api("InvalidParameterValue.X"), Fail, Fail),
            (api("MissingParameter"), Fail, Fail),
            (api("UnknownParameter"), Fail, Fail),
            (api("FailedOperation.CertificateNotFound"), Fail, Fail),
            (
                api("FailedOperation.InvalidCertificateStatusCode"),
                Fail,
                Fail,
            ),
            (api("UnknownError"), Fail, Fail),
        ];
        for (error, read, write) in table {
            assert_eq!(next(&error, Read), read, "read after {error}");
            assert_eq!(next(&error, Write), write, "write after {error}");
        }
    }

    #[test]
    fn retries_back_off_and_end() {
        let throttled = api("RequestLimitExceeded");
        let delays: Vec<Next> = (1..=4)
            .map(|attempt| after_error(&throttled, CallKind::Write, attempt, 0, &BACKOFF, 0.99))
            .collect();
        let bound = |ms: u64| Next::Retry(Duration::from_millis(ms).mul_f64(0.995));
        assert_eq!(delays, vec![bound(100), bound(200), bound(400), Next::Fail]);
        // A read's transient errors end the same way.
        assert_eq!(
            after_error(&api("InternalError"), CallKind::Read, 4, 0, &BACKOFF, 0.0),
            Next::Fail
        );
        // A write of unknown outcome is settled whatever the attempt: the
        // resend decision is may_resend's, after reads.
        assert_eq!(
            after_error(&api("InternalError"), CallKind::Write, 9, 0, &BACKOFF, 0.0),
            Next::Settle
        );
    }

    #[test]
    fn the_third_connection_failure_in_a_row_stops_the_account() {
        let refused = CallError::Connect {
            message: "connection refused".into(),
        };
        for kind in [CallKind::Read, CallKind::Write] {
            assert!(matches!(
                after_error(&refused, kind, 1, 1, &BACKOFF, 0.0),
                Next::Retry(_)
            ));
            assert!(matches!(
                after_error(&refused, kind, 1, 2, &BACKOFF, 0.0),
                Next::Retry(_)
            ));
            assert_eq!(
                after_error(&refused, kind, 1, 3, &BACKOFF, 0.0),
                Next::StopAccount
            );
            assert_eq!(
                after_error(&refused, kind, 1, 7, &BACKOFF, 0.0),
                Next::StopAccount
            );
        }
        // Other errors never count as connection failures.
        assert_eq!(
            after_error(&api("InternalError"), CallKind::Write, 1, 5, &BACKOFF, 0.0),
            Next::Settle
        );
    }

    #[test]
    fn a_write_is_resent_only_after_reads_spread_over_three_timeouts() {
        let timeout = Duration::from_secs(1);
        assert!(!may_resend(Duration::ZERO, timeout));
        assert!(!may_resend(Duration::from_millis(2999), timeout));
        assert!(may_resend(Duration::from_secs(3), timeout));
        assert!(may_resend(Duration::from_secs(4), timeout));
        // Reads go at most one timeout apart, the last at the window's end.
        assert_eq!(
            next_settle_read(Duration::from_secs(1), timeout),
            Duration::from_secs(2)
        );
        assert_eq!(
            next_settle_read(Duration::from_millis(2500), timeout),
            Duration::from_secs(3)
        );
        assert_eq!(
            next_settle_read(Duration::from_millis(3500), timeout),
            Duration::from_millis(3500)
        );
    }
}
