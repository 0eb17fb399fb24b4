//! A string that must never be printed: credentials, `KeyPassword`, and every
//! value that came from the environment. `Debug` and `Display` both print a
//! fixed mask, so a secret cannot leak through `{:?}` in a log line by accident;
//! reading the value takes an explicit call to [`Secret::expose`].

use std::fmt;

/// What every secret prints as.
pub const MASK: &str = "********";

/// A redacted string. Compare and clone it freely; print it and you get [`MASK`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The real value, for signing and for the request body only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_masked() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?} {secret}"), format!("{MASK} {MASK}"));
        assert_eq!(secret.expose(), "hunter2");
    }
}
