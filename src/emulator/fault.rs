//! Injected faults: test-only switches that make the emulator misbehave the
//! way a real network and a real API sometimes do, so that tccert's retry and
//! "outcome unknown" paths can be exercised deterministically.
//!
//! # Syntax (`--fault SPEC`, [`parse_fault`])
//!
//! ```text
//! KIND[:ACTION][@CERTIFICATE_ID][=first:N|=rate:P]
//! ```
//!
//! * `KIND`: `internal-error` (answer `InternalError`), `request-limit-exceeded`
//!   (answer `RequestLimitExceeded`), `http-502` (an HTTP 502 with a plain-text
//!   body, like a failing gateway), `drop-after-write` (carry the action out,
//!   then close the connection without any reply), `slow-MS` (carry the action
//!   out, then reply only after MS milliseconds, e.g. `slow-2000`),
//!   `late-apply-MS` (hold the request MS milliseconds, then carry it out and
//!   reply, even when the client has gone: a slow server whose write lands
//!   after the client's timeout, e.g. `late-apply-2500`).
//! * `ACTION`: only requests of this action (any emulated one, e.g.
//!   `SubmitCertificateInformation` or `CreateCertificate`); all when left
//!   out. A purchase names no certificate, so `@CERTIFICATE_ID` never
//!   matches `CreateCertificate`.
//! * `CERTIFICATE_ID`: only requests naming this certificate; all when left out.
//! * Trigger: `first:N` fires on the first N matching requests **of each
//!   (action, certificate) pair**, so `internal-error=first:1` fails the first
//!   describe and the first submit of every certificate once; `rate:P` fires on
//!   each matching request with probability P (0..=1), drawn from an RNG seeded
//!   by `EmulatorConfig::fault_seed`, so runs repeat exactly. Left out, the rule
//!   fires on every matching request.
//!
//! Examples: `drop-after-write:SubmitCertificateInformation=first:1`,
//! `internal-error=rate:0.2`, `slow-2000:DescribeCertificateDetail@abcb1234=first:1`.
//!
//! Faults are considered only for requests that passed authentication, the
//! rate limit and the parameter checks. Rules are tried in order and the first
//! that fires decides; a rule counts (or draws for) a request only when it is
//! tried. `internal-error`, `request-limit-exceeded` and `http-502` answer
//! before the action takes effect; `drop-after-write` and `slow-MS` answer
//! after it, which is the case a client cannot tell from a lost write.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use crate::api::action::Action;

/// What an injected fault does.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answer `InternalError` without acting.
    InternalError,
    /// Answer `RequestLimitExceeded` without acting (not counted as throttled).
    RequestLimitExceeded,
    /// Answer HTTP 502 with a plain-text body without acting.
    Http502,
    /// Act, then close the connection without a reply.
    DropAfterWrite,
    /// Act, then reply only after this delay.
    SlowReply(Duration),
    /// Wait this long, then act and reply (the client may have timed out).
    LateApply(Duration),
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FaultKind::InternalError => f.write_str("internal-error"),
            FaultKind::RequestLimitExceeded => f.write_str("request-limit-exceeded"),
            FaultKind::Http502 => f.write_str("http-502"),
            FaultKind::DropAfterWrite => f.write_str("drop-after-write"),
            FaultKind::SlowReply(delay) => write!(f, "slow-{}", delay.as_millis()),
            FaultKind::LateApply(delay) => write!(f, "late-apply-{}", delay.as_millis()),
        }
    }
}

/// When a rule fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// The first N matching requests of each (action, certificate) pair.
    FirstN(u32),
    /// Each matching request with this probability (seeded RNG).
    Rate(f64),
}

/// One fault rule: a kind, a filter and a trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    pub kind: FaultKind,
    /// Only this action when `Some`.
    pub action: Option<String>,
    /// Only requests naming this certificate when `Some`.
    pub certificate_id: Option<String>,
    pub trigger: Trigger,
}

/// Parses `KIND[:ACTION][@CERTIFICATE_ID][=first:N|=rate:P]`; see the module doc.
pub fn parse_fault(spec: &str) -> Result<FaultRule, String> {
    let spec = spec.trim();
    let (rest, trigger) = match spec.split_once('=') {
        Some((rest, trigger)) => (rest, parse_trigger(trigger)?),
        None => (spec, Trigger::Rate(1.0)),
    };
    let (rest, certificate_id) = match rest.split_once('@') {
        Some((_, "")) => return Err(format!("fault `{spec}`: empty certificate id after `@`")),
        Some((rest, id)) => (rest, Some(id.to_owned())),
        None => (rest, None),
    };
    let (kind, action) = match rest.split_once(':') {
        Some((kind, action)) => {
            if Action::from_name(action).is_none() {
                return Err(format!(
                    "fault `{spec}`: unknown action `{action}` (expected one of {})",
                    Action::ALL.map(Action::name).join(", ")
                ));
            }
            (kind, Some(action.to_owned()))
        }
        None => (rest, None),
    };
    let kind = match kind {
        "internal-error" => FaultKind::InternalError,
        "request-limit-exceeded" => FaultKind::RequestLimitExceeded,
        "http-502" => FaultKind::Http502,
        "drop-after-write" => FaultKind::DropAfterWrite,
        other => {
            let millis = |prefix: &str| {
                other
                    .strip_prefix(prefix)
                    .and_then(|ms| ms.parse::<u64>().ok())
                    .map(Duration::from_millis)
            };
            match (millis("slow-"), millis("late-apply-")) {
                (Some(delay), _) => FaultKind::SlowReply(delay),
                (None, Some(delay)) => FaultKind::LateApply(delay),
                (None, None) => {
                    return Err(format!(
                        "fault `{spec}`: unknown kind `{other}` (expected internal-error, \
                         request-limit-exceeded, http-502, drop-after-write, slow-MS or \
                         late-apply-MS)"
                    ));
                }
            }
        }
    };
    Ok(FaultRule {
        kind,
        action,
        certificate_id,
        trigger,
    })
}

fn parse_trigger(text: &str) -> Result<Trigger, String> {
    if let Some(n) = text.strip_prefix("first:") {
        return n
            .parse::<u32>()
            .map(Trigger::FirstN)
            .map_err(|_| format!("trigger `{text}`: N must be a whole number"));
    }
    if let Some(p) = text.strip_prefix("rate:") {
        return match p.parse::<f64>() {
            Ok(p) if (0.0..=1.0).contains(&p) => Ok(Trigger::Rate(p)),
            _ => Err(format!(
                "trigger `{text}`: P must be a probability from 0 to 1"
            )),
        };
    }
    Err(format!("trigger `{text}`: expected `first:N` or `rate:P`"))
}

/// The rules with their counters and RNG: decides, request by request,
/// which fault (if any) applies.
#[derive(Debug)]
pub struct FaultInjector {
    rules: Vec<FaultRule>,
    /// Matching requests seen, per (rule index, action, certificate id).
    seen: HashMap<(usize, String, String), u32>,
    rng: fastrand::Rng,
}

impl FaultInjector {
    pub fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        Self {
            rules,
            seen: HashMap::new(),
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    /// The fault for this request, if one fires.
    pub fn decide(&mut self, action: &str, certificate_id: &str) -> Option<FaultKind> {
        for (index, rule) in self.rules.iter().enumerate() {
            let matches = rule.action.as_deref().is_none_or(|a| a == action)
                && rule
                    .certificate_id
                    .as_deref()
                    .is_none_or(|c| c == certificate_id);
            if !matches {
                continue;
            }
            let fires = match rule.trigger {
                Trigger::FirstN(n) => {
                    let seen = self
                        .seen
                        .entry((index, action.to_owned(), certificate_id.to_owned()))
                        .or_insert(0);
                    *seen = seen.saturating_add(1);
                    *seen <= n
                }
                Trigger::Rate(p) => self.rng.f64() < p,
            };
            if fires {
                return Some(rule.kind.clone());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_examples() {
        assert_eq!(
            parse_fault("drop-after-write:SubmitCertificateInformation=first:1"),
            Ok(FaultRule {
                kind: FaultKind::DropAfterWrite,
                action: Some("SubmitCertificateInformation".into()),
                certificate_id: None,
                trigger: Trigger::FirstN(1),
            })
        );
        assert_eq!(
            parse_fault("internal-error=rate:0.2"),
            Ok(FaultRule {
                kind: FaultKind::InternalError,
                action: None,
                certificate_id: None,
                trigger: Trigger::Rate(0.2),
            })
        );
        assert_eq!(
            parse_fault("slow-2000:DescribeCertificateDetail@abcb1234=first:1"),
            Ok(FaultRule {
                kind: FaultKind::SlowReply(Duration::from_secs(2)),
                action: Some("DescribeCertificateDetail".into()),
                certificate_id: Some("abcb1234".into()),
                trigger: Trigger::FirstN(1),
            })
        );
        assert_eq!(
            parse_fault("http-502@x").map(|r| (r.kind, r.certificate_id, r.trigger)),
            Ok((FaultKind::Http502, Some("x".into()), Trigger::Rate(1.0)))
        );
        assert_eq!(
            parse_fault("request-limit-exceeded").map(|r| r.kind),
            Ok(FaultKind::RequestLimitExceeded)
        );
        assert_eq!(
            parse_fault("drop-after-write:CertificateInfoSubmit@abcb1234=first:1").map(|r| (
                r.kind,
                r.action,
                r.certificate_id
            )),
            Ok((
                FaultKind::DropAfterWrite,
                Some("CertificateInfoSubmit".into()),
                Some("abcb1234".into())
            ))
        );
    }

    #[test]
    fn display_round_trips_the_kind() {
        for spec in [
            "internal-error",
            "request-limit-exceeded",
            "http-502",
            "drop-after-write",
            "slow-250",
        ] {
            assert_eq!(
                parse_fault(spec).map(|r| r.kind.to_string()),
                Ok(spec.into())
            );
        }
    }

    #[test]
    fn rejects_bad_specs() {
        for bad in [
            "",
            "boom",
            "slow",
            "slow-x",
            "internal-error:NoSuchAction",
            "internal-error@",
            "internal-error=first:-1",
            "internal-error=first:",
            "internal-error=rate:1.5",
            "internal-error=rate:x",
            "internal-error=always",
        ] {
            assert!(parse_fault(bad).is_err(), "{bad:?}");
        }
    }

    fn rule(spec: &str) -> FaultRule {
        match parse_fault(spec) {
            Ok(rule) => rule,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn first_n_counts_per_action_and_certificate_pair() {
        let mut faults = FaultInjector::new(vec![rule("internal-error=first:2")], 1);
        let s = "SubmitCertificateInformation";
        let d = "DescribeCertificateDetail";
        assert!(faults.decide(s, "a").is_some());
        assert!(faults.decide(s, "a").is_some());
        assert!(faults.decide(s, "a").is_none());
        assert!(faults.decide(s, "b").is_some());
        assert!(faults.decide(d, "a").is_some());
        assert!(faults.decide(d, "a").is_some());
        assert!(faults.decide(d, "a").is_none());
    }

    #[test]
    fn filters_by_action_and_certificate() {
        let mut faults =
            FaultInjector::new(vec![rule("http-502:CertificateOrderSubmit@a=first:5")], 1);
        assert_eq!(faults.decide("SubmitCertificateInformation", "a"), None);
        assert_eq!(faults.decide("CertificateOrderSubmit", "b"), None);
        assert_eq!(
            faults.decide("CertificateOrderSubmit", "a"),
            Some(FaultKind::Http502)
        );
    }

    #[test]
    fn first_rule_that_fires_wins_and_later_rules_are_not_counted() {
        let mut faults = FaultInjector::new(
            vec![
                rule("internal-error=first:1"),
                rule("drop-after-write=first:1"),
            ],
            1,
        );
        let a = "DescribeCertificateDetail";
        assert_eq!(faults.decide(a, "x"), Some(FaultKind::InternalError));
        assert_eq!(faults.decide(a, "x"), Some(FaultKind::DropAfterWrite));
        assert_eq!(faults.decide(a, "x"), None);
    }

    #[test]
    fn rate_is_deterministic_for_a_seed_and_roughly_right() {
        let run = |seed| {
            let mut faults = FaultInjector::new(vec![rule("internal-error=rate:0.2")], seed);
            (0..1000)
                .map(|_| faults.decide("DescribeCertificateDetail", "x").is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        let fired = run(7).iter().filter(|f| **f).count();
        assert!((120..=280).contains(&fired), "fired {fired} of 1000");

        let mut never = FaultInjector::new(vec![rule("internal-error=rate:0")], 7);
        assert!((0..100).all(|_| never.decide("CertificateOrderSubmit", "x").is_none()));
        let mut always = FaultInjector::new(vec![rule("internal-error")], 7);
        assert!((0..100).all(|_| always.decide("CertificateOrderSubmit", "x").is_some()));
    }
}
