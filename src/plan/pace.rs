//! Rate arithmetic, pure: when each request may go, and how long to back off.
//!
//! A [`Pacer`] spreads requests of one action evenly, one every `1/rate`
//! seconds, and never lets two go closer together. It hands out *slots*: the
//! caller asks for the next slot and waits until then, so many requests can be
//! in flight at once (latency does not lower throughput) while the send times
//! stay evenly spaced (no burst can exceed the limit, whatever window the
//! server counts in). [`super::run`] wraps one per action in a mutex and
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

/// How retries wait: exponential backoff with "equal jitter", capped, and a
/// bounded number of tries.
///
/// Equal jitter (half the bound fixed, half random) rather than full jitter:
/// clients still spread out, but the total time retries cover has a floor
/// (about 12 s over the default 8 tries), long enough to ride out a gateway
/// restart instead of burning every try in the first second.
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
            max_attempts: 8,
        }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (1 = the first retry), given a
    /// uniform random `jitter` in [0, 1).
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let bound = self.base.saturating_mul(1u32 << exponent).min(self.cap);
        bound.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
    }

    /// Whether another try may follow try number `attempt`.
    pub fn allows(&self, attempt: u32) -> bool {
        attempt < self.max_attempts
    }

    /// The least total time all retries wait (every jitter at zero).
    pub fn minimum_total(&self) -> Duration {
        (1..self.max_attempts).map(|a| self.delay(a, 0.0)).sum()
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
    fn backoff_grows_then_caps_and_keeps_a_floor() {
        let backoff = Backoff::default();
        assert_eq!(backoff.delay(1, 1.0), Duration::from_millis(250));
        assert_eq!(backoff.delay(2, 1.0), Duration::from_millis(500));
        assert_eq!(backoff.delay(10, 1.0), Duration::from_secs(8));
        assert_eq!(backoff.delay(1, 0.0), Duration::from_millis(125));
        assert!(backoff.allows(7));
        assert!(!backoff.allows(8));
        // Seven retries cover at least ~12 s: a restart of the far end is survivable.
        assert_eq!(
            backoff.minimum_total(),
            Duration::from_millis(125 + 250 + 500 + 1000 + 2000 + 4000 + 4000)
        );
    }
}
