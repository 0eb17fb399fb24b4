//! Credentials, read the way tccli and the Terraform provider read them:
//! `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, and for temporary
//! credentials `TENCENTCLOUD_TOKEN` or `TENCENTCLOUD_SECURITY_TOKEN` (the
//! first wins when both are set). The key and token are [`Secret`]s: they
//! print as a mask, whatever the log level.

use crate::secret::Secret;
use crate::system::Environment;

#[derive(Clone, Debug)]
pub struct Credentials {
    pub secret_id: String,
    pub secret_key: Secret,
    pub token: Option<Secret>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct MissingCredentials {
    pub missing: Vec<&'static str>,
}

impl std::fmt::Display for MissingCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "no credentials: set {} (or run against the built-in emulator with --emulator)",
            self.missing.join(" and ")
        )
    }
}

impl Credentials {
    pub fn from_environment(env: &dyn Environment) -> Result<Self, MissingCredentials> {
        let read = |name: &str| {
            env.var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let secret_id = read("TENCENTCLOUD_SECRET_ID");
        let secret_key = read("TENCENTCLOUD_SECRET_KEY");
        let token = read("TENCENTCLOUD_TOKEN").or_else(|| read("TENCENTCLOUD_SECURITY_TOKEN"));
        match (secret_id, secret_key) {
            (Some(secret_id), Some(secret_key)) => Ok(Self {
                secret_id,
                secret_key: Secret::new(secret_key),
                token: token.map(Secret::new),
            }),
            (id, key) => {
                let mut missing = Vec::new();
                if id.is_none() {
                    missing.push("TENCENTCLOUD_SECRET_ID");
                }
                if key.is_none() {
                    missing.push("TENCENTCLOUD_SECRET_KEY");
                }
                Err(MissingCredentials { missing })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::MapEnvironment;

    #[test]
    fn reads_the_pair_and_the_first_token() {
        let env = MapEnvironment::default()
            .with("TENCENTCLOUD_SECRET_ID", "AKIDx")
            .with("TENCENTCLOUD_SECRET_KEY", "key")
            .with("TENCENTCLOUD_TOKEN", "t1")
            .with("TENCENTCLOUD_SECURITY_TOKEN", "t2");
        let credentials = Credentials::from_environment(&env).unwrap();
        assert_eq!(credentials.token.as_ref().map(Secret::expose), Some("t1"));
        assert!(!format!("{credentials:?}").contains("key\""));
        assert!(!format!("{credentials:?}").contains("t1"));
        let env = MapEnvironment::default()
            .with("TENCENTCLOUD_SECRET_ID", "AKIDx")
            .with("TENCENTCLOUD_SECRET_KEY", "key")
            .with("TENCENTCLOUD_SECURITY_TOKEN", "t2");
        assert_eq!(
            Credentials::from_environment(&env)
                .unwrap()
                .token
                .map(|t| t.expose().to_string()),
            Some("t2".into())
        );
    }

    #[test]
    fn names_what_is_missing() {
        let env = MapEnvironment::default().with("TENCENTCLOUD_SECRET_ID", "AKIDx");
        let error = Credentials::from_environment(&env).unwrap_err();
        assert_eq!(error.missing, vec!["TENCENTCLOUD_SECRET_KEY"]);
        assert!(error.to_string().contains("--emulator"));
    }
}
