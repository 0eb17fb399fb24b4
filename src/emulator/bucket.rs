//! The per-action request-rate limiter of the emulator: a token bucket.
//!
//! Tencent Cloud limits each action to N requests a second and answers
//! `RequestLimitExceeded` beyond that. The bucket is a plain struct that is
//! told the time on every call, so its arithmetic is tested without sleeping.

use std::time::{Duration, Instant};

/// A token bucket holding at most `capacity` tokens and refilled at `rate`
/// tokens a second. It starts full.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    rate: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A bucket allowing `rate` requests a second with bursts of `rate`.
    ///
    /// The capacity is at least one token, so that a rate below 1/s still
    /// lets a request through now and then. A rate that is not a positive
    /// finite number means "unlimited": [`TokenBucket::try_take`] always succeeds.
    pub fn new(rate: f64, now: Instant) -> Self {
        let capacity = if rate.is_finite() && rate > 0.0 {
            rate.max(1.0)
        } else {
            f64::INFINITY
        };
        Self {
            capacity,
            rate,
            tokens: capacity,
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        // A clock that went backwards adds nothing instead of panicking.
        let elapsed = now.saturating_duration_since(self.last);
        self.last = self.last.max(now);
        self.tokens = (self.tokens + elapsed.as_secs_f64() * self.rate).min(self.capacity);
    }

    /// Takes one token if there is one; `false` means the request is over the limit.
    pub fn try_take(&mut self, now: Instant) -> bool {
        if self.capacity.is_infinite() {
            return true;
        }
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// The tokens available at `now` (for tests and diagnostics).
    pub fn available(&mut self, now: Instant) -> f64 {
        if self.capacity.is_infinite() {
            return f64::INFINITY;
        }
        self.refill(now);
        self.tokens
    }

    /// How long until one token is available, measured from `now`.
    pub fn wait_time(&mut self, now: Instant) -> Duration {
        let available = self.available(now);
        if available >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - available) / self.rate)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn starts_full_and_allows_a_burst_of_rate() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(10.0, t0);
        for i in 0..10 {
            assert!(bucket.try_take(t0), "request {i}");
        }
        assert!(!bucket.try_take(t0));
    }

    #[test]
    fn refills_at_rate_per_second() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(10.0, t0);
        for _ in 0..10 {
            assert!(bucket.try_take(t0));
        }
        assert!(!bucket.try_take(t0 + ms(99)));
        assert!(bucket.try_take(t0 + ms(100)));
        assert!(!bucket.try_take(t0 + ms(150)));
        assert!(bucket.try_take(t0 + ms(200)));
        assert_eq!(bucket.wait_time(t0 + ms(250)), ms(50));
    }

    #[test]
    fn never_holds_more_than_capacity() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(10.0, t0);
        assert_eq!(bucket.available(t0 + Duration::from_secs(60)), 10.0);
        let later = t0 + Duration::from_secs(60);
        for _ in 0..10 {
            assert!(bucket.try_take(later));
        }
        assert!(!bucket.try_take(later));
    }

    #[test]
    fn an_even_pace_at_the_limit_is_never_refused() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(10.0, t0);
        // 100 requests spaced 100 ms apart, after draining the initial burst.
        for _ in 0..10 {
            assert!(bucket.try_take(t0));
        }
        for i in 1..=100u64 {
            assert!(bucket.try_take(t0 + ms(100 * i)), "request {i}");
        }
    }

    #[test]
    fn slow_rates_keep_one_token_and_zero_means_unlimited() {
        let t0 = Instant::now();
        let mut slow = TokenBucket::new(0.5, t0);
        assert!(slow.try_take(t0));
        assert!(!slow.try_take(t0 + ms(1_000)));
        assert!(slow.try_take(t0 + ms(2_000)));

        let mut unlimited = TokenBucket::new(0.0, t0);
        for _ in 0..10_000 {
            assert!(unlimited.try_take(t0));
        }
        let mut nan = TokenBucket::new(f64::NAN, t0);
        assert!(nan.try_take(t0));
    }

    #[test]
    fn time_going_backwards_is_harmless() {
        let t1 = Instant::now() + Duration::from_secs(10);
        let mut bucket = TokenBucket::new(1.0, t1);
        assert!(bucket.try_take(t1));
        assert!(!bucket.try_take(t1.checked_sub(Duration::from_secs(5)).unwrap()));
        assert!(bucket.try_take(t1 + Duration::from_secs(1)));
    }
}
