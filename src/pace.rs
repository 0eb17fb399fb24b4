//! Rate arithmetic, pure: when each request may go, and how long to back off.
//!
//! A [`Pacer`] spreads requests of one action evenly, one every `1/rate`
//! seconds, and never lets two go closer together. It hands out *slots*: the
//! caller asks for the next slot and waits until then, so many requests can be
//! in flight at once (latency does not lower throughput) while the send times
//! stay evenly spaced (no burst can exceed the limit, whatever window the
//! server counts in). [`crate::reconcile`] wraps one per action in a mutex and
//! sleeps; the arithmetic here takes the time as an argument.

use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct Pacer {
    interval: Duration,
    next_slot: Option<Instant>,
}

impl Pacer {
    /// `rate` requests a second; a non-positive or non-finite rate means no limit.
    pub fn new(rate: f64) -> Self {
        let interval = if rate.is_finite() && rate > 0.0 {
            Duration::from_secs_f64(1.0 / rate)
        } else {
            Duration::ZERO
        };
        Self {
            interval,
            next_slot: None,
        }
    }

    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Reserves the next slot at or after `now` and returns when it is.
    pub fn reserve(&mut self, now: Instant) -> Instant {
        let slot = match self.next_slot {
            Some(next) if next > now => next,
            _ => now,
        };
        self.next_slot = Some(slot + self.interval);
        slot
    }
}

/// How retries wait: exponential backoff with full jitter, capped, and a
/// bounded number of tries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(250),
            cap: Duration::from_secs(8),
            max_attempts: 6,
        }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (1 = the first retry), given a
    /// uniform random `jitter` in [0, 1). Full jitter: anywhere between zero
    /// and the exponential bound, so that clients retrying together spread out.
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let bound = self.base.saturating_mul(1u32 << exponent).min(self.cap);
        // Keep at least a tenth of the bound so a retry never fires at once.
        bound.mul_f64(0.1 + 0.9 * jitter.clamp(0.0, 1.0))
    }

    pub fn allows(&self, attempt: u32) -> bool {
        attempt < self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_evenly_spaced_and_never_closer_than_the_interval() {
        let start = Instant::now();
        let mut pacer = Pacer::new(10.0);
        let slots: Vec<Duration> = (0..5).map(|_| pacer.reserve(start) - start).collect();
        assert_eq!(
            slots,
            (0..5)
                .map(|i| Duration::from_millis(100 * i))
                .collect::<Vec<_>>()
        );
        // Idle time is not banked into a burst: after a pause the next slot is now.
        let later = start + Duration::from_secs(10);
        assert_eq!(pacer.reserve(later), later);
        assert_eq!(pacer.reserve(later) - later, Duration::from_millis(100));
    }

    #[test]
    fn n_requests_take_n_over_rate() {
        let start = Instant::now();
        let mut pacer = Pacer::new(10.0);
        let last = (0..500).map(|_| pacer.reserve(start)).last().unwrap();
        assert_eq!(last - start, Duration::from_millis(49_900));
    }

    #[test]
    fn no_limit_means_now() {
        let now = Instant::now();
        let mut pacer = Pacer::new(0.0);
        assert_eq!(pacer.reserve(now), now);
        assert_eq!(pacer.reserve(now), now);
    }

    #[test]
    fn backoff_grows_then_caps_and_stays_positive() {
        let backoff = Backoff::default();
        assert_eq!(backoff.delay(1, 1.0), Duration::from_millis(250));
        assert_eq!(backoff.delay(2, 1.0), Duration::from_millis(500));
        assert_eq!(backoff.delay(10, 1.0), Duration::from_secs(8));
        assert_eq!(backoff.delay(1, 0.0), Duration::from_millis(25));
        assert!(backoff.allows(5));
        assert!(!backoff.allows(6));
    }
}
