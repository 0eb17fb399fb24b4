//! Every number a user types, with its range, parsed and checked here and
//! nowhere else: the connection flags of `plan` and `apply`, the input
//! budget of every manifest command, and the emulator's flags.
//!
//! Each `parse_*` function is a clap value parser, so a bad value stops the
//! run before any work, as a usage error that names the flag (exit 1, see
//! `app::main`); environment variables clap reads for a flag go through the
//! same parser. The ranges also keep every later conversion safe:
//! `Duration::from_secs_f64(1e20)` and `1.0 / 1e-20` used to panic deep in
//! the run (`--timeout 1e20`, `--rate 1e-20`).
//!
//! `docs/cli.md` holds [`markdown_table`]; a test keeps the two in step.

/// The values a number may take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// A real number; `max` is included, `min` only when `min_included`.
    Real {
        min: f64,
        min_included: bool,
        max: f64,
    },
    /// A whole number, both ends included.
    Whole { min: i128, max: i128 },
    /// A size in bytes, both ends included; written as bytes or with a
    /// 1024-based suffix (`KiB`, `MiB`, `GiB`).
    Bytes { min: u64, max: u64 },
}

/// One number a user can type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number {
    /// The flag, as the user types it (`--timeout`).
    pub flag: &'static str,
    /// The environment variable that stands in for the flag, if any.
    pub env: Option<&'static str>,
    /// The commands that take it, for the documentation.
    pub commands: &'static str,
    /// What one unit is (`seconds`), for messages.
    pub unit: &'static str,
    pub range: Range,
    /// The default, as the documentation shows it.
    pub default: &'static str,
}

pub const RATE: Number = Number {
    flag: "--rate",
    env: None,
    commands: "plan, apply, status, download, import",
    unit: "requests a second",
    range: Range::Real {
        min: 0.01,
        min_included: true,
        max: 1000.0,
    },
    default: "10",
};

pub const TIMEOUT: Number = Number {
    flag: "--timeout",
    env: None,
    commands: "plan, apply, status, download, import",
    unit: "seconds",
    range: Range::Real {
        min: 0.0,
        min_included: false,
        max: 3600.0,
    },
    default: "30",
};

pub const MAX_INPUT_BYTES: Number = Number {
    flag: "--max-input-bytes",
    env: Some("TCCERT_MAX_INPUT_BYTES"),
    commands: "validate, render, plan, apply",
    unit: "bytes",
    range: Range::Bytes {
        min: 1,
        max: 16 << 30,
    },
    default: "256MiB",
};

pub const MAX_FILES: Number = Number {
    flag: "--max-files",
    env: Some("TCCERT_MAX_FILES"),
    commands: "validate, render, plan, apply",
    unit: "files",
    range: Range::Whole {
        min: 1,
        max: 10_000_000,
    },
    default: "100000",
};

/// The emulator's own limit per action: the same range as the client's.
pub const EMULATOR_RATE: Number = Number {
    commands: "emulator",
    ..RATE
};

pub const LATENCY_MS: Number = Number {
    flag: "--latency-ms",
    env: None,
    commands: "emulator",
    unit: "milliseconds",
    range: Range::Whole {
        min: 0,
        max: 60_000,
    },
    default: "0",
};

/// Ten years either way: far beyond any clock-skew test, far from overflow.
pub const CLOCK_OFFSET: Number = Number {
    flag: "--clock-offset",
    env: None,
    commands: "emulator",
    unit: "seconds",
    range: Range::Whole {
        min: -315_360_000,
        max: 315_360_000,
    },
    default: "0",
};

pub const FAULT_SEED: Number = Number {
    flag: "--fault-seed",
    env: None,
    commands: "emulator",
    unit: "",
    range: Range::Whole {
        min: 0,
        max: u64::MAX as i128,
    },
    default: "1",
};

/// From 1970 to the last second of 9999, the years a calendar date of four
/// digits (the signature's credential scope) can show.
pub const TIMESTAMP: Number = Number {
    flag: "--timestamp",
    env: None,
    commands: "debug-sign (hidden, for the SDK conformance test)",
    unit: "seconds since 1970 (UTC)",
    range: Range::Whole {
        min: 0,
        max: 253_402_300_799,
    },
    default: "none",
};

/// `status --wait`: seconds between two reads of a certificate; at least
/// one, so a typo cannot turn the wait into a busy loop.
pub const INTERVAL: Number = Number {
    flag: "--interval",
    env: None,
    commands: "status",
    unit: "seconds",
    range: Range::Real {
        min: 1.0,
        min_included: true,
        max: 86_400.0,
    },
    default: "30",
};

/// `status --wait`: how long to wait in all.
pub const WAIT_TIMEOUT: Number = Number {
    flag: "--wait-timeout",
    env: None,
    commands: "status",
    unit: "seconds",
    range: Range::Real {
        min: 0.0,
        min_included: false,
        max: 2_592_000.0,
    },
    default: "3600",
};

/// `apply --restart-timeout`: how long a restart waits for the
/// cancellation (and for a resubmit to take effect).
pub const RESTART_TIMEOUT: Number = Number {
    flag: "--restart-timeout",
    env: None,
    commands: "apply",
    unit: "seconds",
    range: Range::Real {
        min: 0.0,
        min_included: false,
        max: 2_592_000.0,
    },
    default: "600",
};

/// `emulator --issue-after`: seconds from an order to issuance.
pub const ISSUE_AFTER: Number = Number {
    flag: "--issue-after",
    env: None,
    commands: "emulator",
    unit: "seconds",
    range: Range::Real {
        min: 0.0,
        min_included: true,
        max: 2_592_000.0,
    },
    default: "none",
};

/// `emulator --cancel-after`: seconds from a `CancelAuditCertificate` to
/// status 7.
pub const CANCEL_AFTER: Number = Number {
    flag: "--cancel-after",
    env: None,
    commands: "emulator",
    unit: "seconds",
    range: Range::Real {
        min: 0.0,
        min_included: true,
        max: 2_592_000.0,
    },
    default: "0",
};

/// `emulator --local-check-after`: seconds from an order to a passing local
/// domain check.
pub const LOCAL_CHECK_AFTER: Number = Number {
    flag: "--local-check-after",
    env: None,
    commands: "emulator",
    unit: "seconds",
    range: Range::Real {
        min: 0.0,
        min_included: true,
        max: 2_592_000.0,
    },
    default: "none",
};

/// `--emulator-issue-after` (every command with `--emulator`): the built-in
/// emulator's `--issue-after`.
pub const EMULATOR_ISSUE_AFTER: Number = Number {
    flag: "--emulator-issue-after",
    env: None,
    commands: "plan, apply, status, download, import",
    unit: "seconds",
    range: Range::Real {
        min: 0.0,
        min_included: true,
        max: 2_592_000.0,
    },
    default: "none",
};

/// Every number above, in the order the documentation lists them.
pub const ALL: [Number; 16] = [
    RATE,
    TIMEOUT,
    RESTART_TIMEOUT,
    INTERVAL,
    WAIT_TIMEOUT,
    EMULATOR_ISSUE_AFTER,
    MAX_INPUT_BYTES,
    MAX_FILES,
    EMULATOR_RATE,
    LATENCY_MS,
    CLOCK_OFFSET,
    ISSUE_AFTER,
    LOCAL_CHECK_AFTER,
    CANCEL_AFTER,
    FAULT_SEED,
    TIMESTAMP,
];

const KIB: u64 = 1024;
const SUFFIXES: [(&str, u64); 4] = [
    ("GiB", KIB * KIB * KIB),
    ("MiB", KIB * KIB),
    ("KiB", KIB),
    ("B", 1),
];

impl Number {
    /// "more than 0 and at most 3600 seconds", "from 1 to 10000000 files".
    pub fn describe(&self) -> String {
        let unit = if self.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        match self.range {
            Range::Real {
                min,
                min_included: true,
                max,
            } => format!("from {min} to {max}{unit}"),
            Range::Real { min, max, .. } => format!("more than {min} and at most {max}{unit}"),
            Range::Whole { min, max } => format!("a whole number from {min} to {max}{unit}"),
            Range::Bytes { min, max } => {
                format!("from {} to {}", show_bytes(min), show_bytes(max))
            }
        }
    }

    fn not_a_number(&self, text: &str, what: &str) -> String {
        format!(
            "`{}` is not {what}: {} takes {}",
            crate::source::printable(text),
            self.flag,
            self.describe()
        )
    }

    fn out_of_range(&self, text: &str) -> String {
        format!(
            "`{}` is out of range: {} takes {}",
            crate::source::printable(text),
            self.flag,
            self.describe()
        )
    }

    /// A real number inside a [`Range::Real`].
    pub fn real(&self, text: &str) -> Result<f64, String> {
        let Range::Real {
            min,
            min_included,
            max,
        } = self.range
        else {
            return Err(format!(
                "internal error: {} is not a real number",
                self.flag
            ));
        };
        let value: f64 = text
            .trim()
            .parse()
            .map_err(|_| self.not_a_number(text, "a number"))?;
        // Written so that NaN, which compares false with everything, fails.
        let above_min = if min_included {
            value >= min
        } else {
            value > min
        };
        if above_min && value <= max {
            Ok(value)
        } else {
            Err(self.out_of_range(text))
        }
    }

    /// A whole number inside a [`Range::Whole`].
    pub fn whole(&self, text: &str) -> Result<i128, String> {
        let Range::Whole { min, max } = self.range else {
            return Err(format!(
                "internal error: {} is not a whole number",
                self.flag
            ));
        };
        let trimmed = text.trim();
        let value: i128 = match trimmed.parse() {
            Ok(value) => value,
            // Digits too many for i128 are still a number, just out of range.
            Err(_) if is_integer_syntax(trimmed) => return Err(self.out_of_range(text)),
            Err(_) => return Err(self.not_a_number(text, "a whole number")),
        };
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(self.out_of_range(text))
        }
    }

    /// A size inside a [`Range::Bytes`]: `1048576`, `512KiB`, `256 MiB`.
    pub fn bytes(&self, text: &str) -> Result<u64, String> {
        let Range::Bytes { min, max } = self.range else {
            return Err(format!("internal error: {} is not a size", self.flag));
        };
        let trimmed = text.trim();
        let digits_end = trimmed
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(trimmed.len());
        let (digits, suffix) = trimmed.split_at(digits_end);
        let suffix = suffix.trim();
        let multiplier = if suffix.is_empty() {
            Some(1)
        } else {
            SUFFIXES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(suffix))
                .map(|(_, m)| *m)
        };
        let (Some(multiplier), false) = (multiplier, digits.is_empty()) else {
            return Err(self.not_a_number(text, "a size (bytes, or a number with KiB, MiB or GiB)"));
        };
        let value = digits
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(multiplier))
            .ok_or_else(|| self.out_of_range(text))?;
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(self.out_of_range(text))
        }
    }
}

/// An optional sign, then digits only.
fn is_integer_syntax(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `256 MiB`, `1 byte`, `1536 bytes`: the largest suffix that divides exactly.
pub fn show_bytes(bytes: u64) -> String {
    for (name, multiplier) in SUFFIXES {
        if multiplier > 1 && bytes >= multiplier && bytes.is_multiple_of(multiplier) {
            return format!("{} {name}", bytes / multiplier);
        }
    }
    format!("{bytes} byte{}", if bytes == 1 { "" } else { "s" })
}

fn to<T: TryFrom<i128>>(number: &Number, value: i128) -> Result<T, String> {
    T::try_from(value).map_err(|_| number.out_of_range(&value.to_string()))
}

/// `plan`/`apply --rate`.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    RATE.real(text)
}

/// `plan`/`apply --timeout`.
pub fn parse_timeout(text: &str) -> Result<f64, String> {
    TIMEOUT.real(text)
}

/// `--max-input-bytes` / `TCCERT_MAX_INPUT_BYTES`.
pub fn parse_max_input_bytes(text: &str) -> Result<u64, String> {
    MAX_INPUT_BYTES.bytes(text)
}

/// `--max-files` / `TCCERT_MAX_FILES`.
pub fn parse_max_files(text: &str) -> Result<u64, String> {
    to(&MAX_FILES, MAX_FILES.whole(text)?)
}

/// `emulator --rate`.
pub fn parse_emulator_rate(text: &str) -> Result<f64, String> {
    EMULATOR_RATE.real(text)
}

/// `emulator --latency-ms`.
pub fn parse_latency_ms(text: &str) -> Result<u64, String> {
    to(&LATENCY_MS, LATENCY_MS.whole(text)?)
}

/// `emulator --clock-offset`.
pub fn parse_clock_offset(text: &str) -> Result<i64, String> {
    to(&CLOCK_OFFSET, CLOCK_OFFSET.whole(text)?)
}

/// `status --interval`.
pub fn parse_interval(text: &str) -> Result<f64, String> {
    INTERVAL.real(text)
}

/// `apply --restart-timeout`.
pub fn parse_restart_timeout(text: &str) -> Result<f64, String> {
    RESTART_TIMEOUT.real(text)
}

/// `status --wait-timeout`.
pub fn parse_wait_timeout(text: &str) -> Result<f64, String> {
    WAIT_TIMEOUT.real(text)
}

/// `emulator --issue-after`.
pub fn parse_issue_after(text: &str) -> Result<f64, String> {
    ISSUE_AFTER.real(text)
}

/// `emulator --local-check-after`.
pub fn parse_local_check_after(text: &str) -> Result<f64, String> {
    LOCAL_CHECK_AFTER.real(text)
}

/// `--emulator-issue-after`.
pub fn parse_emulator_issue_after(text: &str) -> Result<f64, String> {
    EMULATOR_ISSUE_AFTER.real(text)
}

/// `emulator --cancel-after`.
pub fn parse_cancel_after(text: &str) -> Result<f64, String> {
    CANCEL_AFTER.real(text)
}

/// `emulator --fault-seed`.
pub fn parse_fault_seed(text: &str) -> Result<u64, String> {
    to(&FAULT_SEED, FAULT_SEED.whole(text)?)
}

/// `debug-sign --timestamp`.
pub fn parse_timestamp(text: &str) -> Result<i64, String> {
    to(&TIMESTAMP, TIMESTAMP.whole(text)?)
}

/// The table of `docs/cli.md`, "Numbers".
pub fn markdown_table() -> String {
    let mut out = String::from("| command | flag | range | default |\n| --- | --- | --- | --- |\n");
    for number in ALL {
        let flag = match number.env {
            Some(env) => format!("`{}` (env `{env}`)", number.flag),
            None => format!("`{}`", number.flag),
        };
        out.push_str(&format!(
            "| {} | {flag} | {} | {} |\n",
            number.commands,
            number.describe(),
            number.default
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::load::{DEFAULT_MAX_FILES, DEFAULT_MAX_INPUT_BYTES};

    #[test]
    fn restart_timeout_takes_its_range() {
        assert_eq!(parse_restart_timeout("600"), Ok(600.0));
        assert_eq!(parse_restart_timeout("0.5"), Ok(0.5));
        assert_eq!(parse_restart_timeout("2592000"), Ok(2_592_000.0));
        for bad in ["0", "-1", "2592001", "NaN", "inf", "soon"] {
            let error = parse_restart_timeout(bad).unwrap_err();
            assert!(error.contains("--restart-timeout"), "{bad}: {error}");
        }
    }

    #[test]
    fn rate_and_timeout_take_their_ranges_and_nothing_else() {
        assert_eq!(parse_rate("10"), Ok(10.0));
        assert_eq!(parse_rate("0.01"), Ok(0.01));
        assert_eq!(parse_rate("1000"), Ok(1000.0));
        assert_eq!(parse_rate(" 2.5 "), Ok(2.5));
        for bad in ["1e-20", "0.0099", "0", "-1", "1000.5", "inf", "NaN", "-inf"] {
            let error = parse_rate(bad).unwrap_err();
            assert!(
                error.contains("out of range: --rate takes from 0.01 to 1000 requests a second"),
                "{bad}: {error}"
            );
        }
        assert_eq!(parse_timeout("30"), Ok(30.0));
        assert_eq!(parse_timeout("3600"), Ok(3600.0));
        assert_eq!(parse_timeout("0.001"), Ok(0.001));
        for bad in ["0", "-0", "3600.01", "1e20", "NaN", "infinity"] {
            let error = parse_timeout(bad).unwrap_err();
            assert!(
                error.contains("--timeout takes more than 0 and at most 3600 seconds"),
                "{bad}: {error}"
            );
        }
        let error = parse_timeout("soon").unwrap_err();
        assert_eq!(
            error,
            "`soon` is not a number: --timeout takes more than 0 and at most 3600 seconds"
        );
        assert!(
            parse_rate("")
                .unwrap_err()
                .contains("is not a number: --rate")
        );
    }

    #[test]
    fn the_extremes_of_each_range_are_safe_to_use() {
        // What the run does with them: these would panic if the ranges let
        // a wilder value through.
        for text in ["0.01", "1000"] {
            let rate = parse_rate(text).unwrap();
            let _ = std::time::Duration::from_secs_f64(1.0 / rate);
        }
        let _ = std::time::Duration::from_secs_f64(parse_timeout("3600").unwrap());
        let _ = std::time::Duration::from_millis(parse_latency_ms("60000").unwrap());
        for text in ["-315360000", "315360000"] {
            let offset = parse_clock_offset(text).unwrap();
            let _ = crate::api::sign::utc_date(i64::from(u32::MAX).saturating_add(offset));
        }
        assert_eq!(
            crate::api::sign::utc_date(parse_timestamp("253402300799").unwrap()),
            "9999-12-31"
        );
    }

    #[test]
    fn whole_numbers_refuse_fractions_signs_out_of_range_and_junk() {
        assert_eq!(parse_max_files("100000"), Ok(100_000));
        assert_eq!(parse_max_files("1"), Ok(1));
        assert!(
            parse_max_files("0").unwrap_err().contains(
                "out of range: --max-files takes a whole number from 1 to 10000000 files"
            )
        );
        assert!(parse_max_files("-5").unwrap_err().contains("out of range"));
        assert!(
            parse_max_files("1e3")
                .unwrap_err()
                .contains("`1e3` is not a whole number: --max-files")
        );
        assert!(
            parse_max_files("2.5")
                .unwrap_err()
                .contains("is not a whole number")
        );
        assert!(
            parse_max_files("999999999999999999999999999999999999999999")
                .unwrap_err()
                .contains("out of range")
        );
        assert_eq!(parse_clock_offset("-600"), Ok(-600));
        assert_eq!(parse_clock_offset("+600"), Ok(600));
        assert!(
            parse_clock_offset("315360001")
                .unwrap_err()
                .contains("--clock-offset")
        );
        assert_eq!(parse_fault_seed("18446744073709551615"), Ok(u64::MAX));
        assert!(
            parse_fault_seed("18446744073709551616")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(parse_fault_seed("-1").unwrap_err().contains("out of range"));
        assert_eq!(parse_latency_ms("0"), Ok(0));
        assert!(
            parse_latency_ms("60001")
                .unwrap_err()
                .contains("--latency-ms")
        );
        assert!(parse_timestamp("-1").unwrap_err().contains("--timestamp"));
        assert!(
            parse_emulator_rate("0")
                .unwrap_err()
                .contains("--rate takes from 0.01")
        );
        assert_eq!(parse_emulator_rate("1000"), Ok(1000.0));
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_max_input_bytes("1"), Ok(1));
        assert_eq!(parse_max_input_bytes("4096"), Ok(4096));
        assert_eq!(parse_max_input_bytes("512KiB"), Ok(512 * 1024));
        assert_eq!(parse_max_input_bytes("256 MiB"), Ok(256 << 20));
        assert_eq!(parse_max_input_bytes("16gib"), Ok(16 << 30));
        assert_eq!(parse_max_input_bytes("10B"), Ok(10));
        for bad in [
            "17GiB",
            "0",
            "0KiB",
            "99999999999999999999",
            "18446744073709551615GiB",
        ] {
            assert!(
                parse_max_input_bytes(bad)
                    .unwrap_err()
                    .contains("out of range: --max-input-bytes takes from 1 byte to 16 GiB"),
                "{bad}"
            );
        }
        for bad in ["MiB", "1.5MiB", "12 MB", "-1", "lots", ""] {
            assert!(
                parse_max_input_bytes(bad)
                    .unwrap_err()
                    .contains("is not a size"),
                "{bad}"
            );
        }
    }

    #[test]
    fn messages_do_not_echo_control_characters() {
        let error = parse_timeout("\u{1b}[31m").unwrap_err();
        assert!(!error.contains('\u{1b}'), "{error:?}");
    }

    #[test]
    fn show_bytes_picks_the_largest_exact_unit() {
        assert_eq!(show_bytes(256 << 20), "256 MiB");
        assert_eq!(show_bytes(1), "1 byte");
        assert_eq!(show_bytes(1536), "1536 bytes");
        assert_eq!(show_bytes(16 << 30), "16 GiB");
        assert_eq!(show_bytes(DEFAULT_MAX_INPUT_BYTES), "256 MiB");
    }

    #[test]
    fn the_documented_defaults_are_the_real_ones() {
        assert_eq!(
            parse_max_input_bytes(MAX_INPUT_BYTES.default),
            Ok(DEFAULT_MAX_INPUT_BYTES)
        );
        assert_eq!(parse_max_files(MAX_FILES.default), Ok(DEFAULT_MAX_FILES));
        for number in [RATE, TIMEOUT, EMULATOR_RATE] {
            assert!(number.real(number.default).is_ok(), "{}", number.flag);
        }
        for number in [LATENCY_MS, CLOCK_OFFSET, FAULT_SEED] {
            assert!(number.whole(number.default).is_ok(), "{}", number.flag);
        }
    }

    #[test]
    fn docs_cli_md_shows_every_range() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cli.md");
        let docs = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            docs.contains(&markdown_table()),
            "docs/cli.md must hold this table (from numbers::markdown_table):\n{}",
            markdown_table()
        );
    }
}
