//! Credentials, found the way tccli and the SDKs find them, in this order:
//!
//! 1. `--profile NAME` given: that profile from the credential files, and
//!    nothing else (as tccli does: an explicit profile is never overridden by
//!    whatever happens to be in the environment);
//! 2. the environment: `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`,
//!    and for temporary credentials `TENCENTCLOUD_TOKEN` or
//!    `TENCENTCLOUD_SECURITY_TOKEN` (the first wins when both are set);
//! 3. the credential files, profile `TENCENTCLOUD_PROFILE`, else
//!    `TCCLI_PROFILE`, else `default`.
//!
//! The files, for profile NAME, first one that has it wins:
//! - the SDKs' INI file, `$TENCENTCLOUD_CREDENTIALS_FILE` or
//!   `~/.tencentcloud/credentials`, section `[NAME]`, keys `secret_id`,
//!   `secret_key` (and `token`, which no SDK writes but costs nothing);
//! - tccli's `~/.tccli/NAME.credential` (the directory is
//!   `$TENCENTCLOUD_SHARED_CREDENTIALS_DIR` when set, as in Terraform), JSON
//!   with `secretId`, `secretKey` and optional `token`.
//!
//! Finding is pure: the files come through [`FileSystem`], the variables
//! through [`Environment`]. The key and token are [`Secret`]s: they print as
//! a mask, whatever the log level, and no error message quotes a file's text.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::certificate::{Account, AccountCredentials, CredentialRef};
use crate::secret::Secret;
use crate::system::{Environment, FileSystem};

#[derive(Clone, Debug)]
pub struct Credentials {
    pub secret_id: String,
    pub secret_key: Secret,
    pub token: Option<Secret>,
}

/// Where credentials were found: safe to print (no values).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    Environment,
    File { profile: String, path: PathBuf },
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Environment => f.write_str("the environment (TENCENTCLOUD_SECRET_ID)"),
            Self::File { profile, path } => {
                write!(f, "profile `{profile}` in {}", path.display())
            }
        }
    }
}

/// Why no credentials could be used. Messages name variables, profiles and
/// paths, never values.
#[derive(Debug, PartialEq, Eq)]
pub enum CredentialError {
    /// Nothing anywhere: the first-time user's case.
    Missing {
        /// Variables that are unset (both, or the one of the pair that is).
        missing: Vec<&'static str>,
        /// The files looked in for the `default` profile.
        searched: Vec<PathBuf>,
    },
    /// A profile that was asked for by name is in none of the files.
    ProfileNotFound {
        profile: String,
        asked_by: &'static str,
        searched: Vec<PathBuf>,
    },
    /// A profile name that would be a path (`../x`), not a name.
    InvalidProfileName {
        profile: String,
        asked_by: &'static str,
    },
    /// A file that has the profile but cannot be used.
    Unusable { path: PathBuf, reason: String },
    /// `TENCENTCLOUD_SECRET_ID` or `_KEY` set but empty: in CI, a secret
    /// that was never defined. Not a reason to use some other identity
    /// from a file.
    Empty { variables: Vec<&'static str> },
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |paths: &[PathBuf]| {
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::Missing { missing, searched } => {
                write!(f, "no credentials: set {}", missing.join(" and "))?;
                if !searched.is_empty() {
                    write!(
                        f,
                        ", or add a `default` profile to {} (or choose one with --profile)",
                        list(searched)
                    )?;
                }
                f.write_str("; or run against the built-in emulator with --emulator")
            }
            Self::ProfileNotFound {
                profile,
                asked_by,
                searched,
            } => write!(
                f,
                "no credential profile `{profile}` (from {asked_by}): looked in {}",
                list(searched)
            ),
            Self::InvalidProfileName { profile, asked_by } => write!(
                f,
                "`{profile}` (from {asked_by}) is not a profile name: names cannot be empty or hold `/` or `\\`, or be `.` or `..`"
            ),
            Self::Unusable { path, reason } => {
                write!(f, "cannot use credentials in {}: {reason}", path.display())
            }
            Self::Empty { variables } => write!(
                f,
                "{} {} set but empty (in CI, a secret that was never defined arrives empty): give {} a value, or unset {} to use the credential files",
                variables.join(" and "),
                if variables.len() == 1 { "is" } else { "are" },
                if variables.len() == 1 { "it" } else { "them" },
                if variables.len() == 1 { "it" } else { "them" },
            ),
        }
    }
}

impl std::error::Error for CredentialError {}

/// Credential files are a few hundred bytes; anything past this is not one.
const FILE_LIMIT: u64 = 64 * 1024;

impl Credentials {
    /// The environment only (the hidden `debug-sign` command, the emulator).
    pub fn from_environment(env: &dyn Environment) -> Result<Self, CredentialError> {
        empty_variables(env)?;
        match from_variables(env) {
            Variables::Complete(credentials) => Ok(credentials),
            Variables::Partial(missing) | Variables::Unset(missing) => {
                Err(CredentialError::Missing {
                    missing,
                    searched: Vec::new(),
                })
            }
        }
    }

    /// The full search described in the module documentation.
    pub fn find(
        profile_flag: Option<&str>,
        env: &dyn Environment,
        files: &dyn FileSystem,
    ) -> Result<(Self, CredentialSource), CredentialError> {
        let places = Places::from_environment(env);
        if let Some(profile) = profile_flag {
            return from_files(profile, "--profile", &places, files);
        }
        empty_variables(env)?;
        let missing = match from_variables(env) {
            Variables::Complete(credentials) => {
                return Ok((credentials, CredentialSource::Environment));
            }
            // Half a pair is a mistake to report, not a reason to quietly
            // use some other identity from a file.
            Variables::Partial(missing) => {
                return Err(CredentialError::Missing {
                    missing,
                    searched: Vec::new(),
                });
            }
            Variables::Unset(missing) => missing,
        };
        let named = [
            ("TENCENTCLOUD_PROFILE", "TENCENTCLOUD_PROFILE"),
            ("TCCLI_PROFILE", "TCCLI_PROFILE"),
        ]
        .into_iter()
        .find_map(|(variable, asked_by)| {
            non_empty(env, variable).map(|profile| (profile, asked_by))
        });
        match named {
            Some((profile, asked_by)) => from_files(&profile, asked_by, &places, files),
            None => match from_files("default", "the default", &places, files) {
                Err(CredentialError::ProfileNotFound { searched, .. }) => {
                    Err(CredentialError::Missing { missing, searched })
                }
                found => found,
            },
        }
    }
}

/// An account's credentials: its variables, or its profile of the
/// credential files. The error names the account, the key and the
/// variable, never a value.
pub fn for_account(
    account: &Account,
    env: &dyn Environment,
    files: &dyn FileSystem,
) -> Result<(Credentials, String), String> {
    match &account.credentials {
        AccountCredentials::Profile(profile) => {
            let places = Places::from_environment(env);
            from_files(profile, "an Account's `profile`", &places, files)
                .map(|(credentials, source)| (credentials, source.to_string()))
                .map_err(|error| error.to_string())
        }
        AccountCredentials::Variables {
            secret_id,
            secret_key,
            token,
        } => {
            let lookup = |name: &str| env.var(name);
            let required = |key: &str, reference: &CredentialRef| {
                reference
                    .resolve(&lookup)
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| {
                        format!(
                            "`{key}` reads {}, which is unset or empty; set it, or run against the built-in emulator with --emulator",
                            reference.variable
                        )
                    })
            };
            let id = required("secret_id", secret_id)?;
            let key = required("secret_key", secret_key)?;
            // An empty token is no token (`${NAME:-}`: only when set).
            let token_value = token
                .as_ref()
                .and_then(|t| t.resolve(&lookup))
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
            let mut names = vec![secret_id.variable.as_str(), secret_key.variable.as_str()];
            if let (Some(reference), Some(_)) = (token, &token_value) {
                names.push(&reference.variable);
            }
            Ok((
                Credentials {
                    secret_id: id,
                    secret_key: Secret::new(key),
                    token: token_value.map(Secret::new),
                },
                format!("the environment ({})", names.join(", ")),
            ))
        }
    }
}

enum Variables {
    Complete(Credentials),
    Partial(Vec<&'static str>),
    Unset(Vec<&'static str>),
}

fn non_empty(env: &dyn Environment, name: &str) -> Option<String> {
    env.var(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `TENCENTCLOUD_SECRET_ID` or `_KEY` set to the empty string is an error
/// naming it: no fallback to the credential files.
fn empty_variables(env: &dyn Environment) -> Result<(), CredentialError> {
    let variables: Vec<&'static str> = ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"]
        .into_iter()
        .filter(|name| env.var(name).is_some_and(|v| v.is_empty()))
        .collect();
    if variables.is_empty() {
        Ok(())
    } else {
        Err(CredentialError::Empty { variables })
    }
}

fn from_variables(env: &dyn Environment) -> Variables {
    let secret_id = non_empty(env, "TENCENTCLOUD_SECRET_ID");
    let secret_key = non_empty(env, "TENCENTCLOUD_SECRET_KEY");
    let token = non_empty(env, "TENCENTCLOUD_TOKEN")
        .or_else(|| non_empty(env, "TENCENTCLOUD_SECURITY_TOKEN"));
    match (secret_id, secret_key) {
        (Some(secret_id), Some(secret_key)) => Variables::Complete(Credentials {
            secret_id,
            secret_key: Secret::new(secret_key),
            token: token.map(Secret::new),
        }),
        (None, None) => Variables::Unset(vec!["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"]),
        (None, Some(_)) => Variables::Partial(vec!["TENCENTCLOUD_SECRET_ID"]),
        (Some(_), None) => Variables::Partial(vec!["TENCENTCLOUD_SECRET_KEY"]),
    }
}

/// Where the credential files are, from the environment.
struct Places {
    /// The SDKs' INI file.
    ini: Option<PathBuf>,
    /// tccli's directory of `NAME.credential` files.
    tccli_dir: Option<PathBuf>,
}

impl Places {
    fn from_environment(env: &dyn Environment) -> Self {
        let home = non_empty(env, "HOME").map(PathBuf::from);
        Self {
            ini: non_empty(env, "TENCENTCLOUD_CREDENTIALS_FILE")
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(".tencentcloud/credentials"))),
            tccli_dir: non_empty(env, "TENCENTCLOUD_SHARED_CREDENTIALS_DIR")
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(".tccli"))),
        }
    }
}

fn from_files(
    profile: &str,
    asked_by: &'static str,
    places: &Places,
    files: &dyn FileSystem,
) -> Result<(Credentials, CredentialSource), CredentialError> {
    // A profile name is a file name for tccli: refuse `../x` and the like
    // before any file is read, rather than read some other file.
    if profile.is_empty() || profile.contains(['/', '\\']) || profile == "." || profile == ".." {
        return Err(CredentialError::InvalidProfileName {
            profile: profile.to_string(),
            asked_by,
        });
    }
    let mut searched = Vec::new();
    if let Some(path) = &places.ini {
        searched.push(path.clone());
        if let Some(text) = read_text(files, path)? {
            let unusable = |reason: String| CredentialError::Unusable {
                path: path.clone(),
                reason,
            };
            let sections = parse_ini(&text).map_err(unusable)?;
            if let Some((_, entries)) = sections.iter().find(|(name, _)| name == profile) {
                let get = |key: &str| {
                    entries
                        .iter()
                        .find(|(k, _)| k == key)
                        .map(|(_, v)| v.clone())
                        .filter(|v| !v.is_empty())
                };
                if get("role_arn").is_some() {
                    return Err(unusable(role_refusal(profile)));
                }
                let credentials = pair(
                    get("secret_id"),
                    get("secret_key"),
                    get("token"),
                    ("secret_id", "secret_key"),
                    profile,
                )
                .map_err(unusable)?;
                return Ok((credentials, source(profile, path)));
            }
        }
    }
    if let Some(dir) = &places.tccli_dir {
        let path = dir.join(format!("{profile}.credential"));
        searched.push(path.clone());
        if let Some(text) = read_text(files, &path)? {
            let credentials =
                parse_tccli(&text, profile).map_err(|reason| CredentialError::Unusable {
                    path: path.clone(),
                    reason,
                })?;
            return Ok((credentials, source(profile, &path)));
        }
    }
    Err(CredentialError::ProfileNotFound {
        profile: profile.to_string(),
        asked_by,
        searched,
    })
}

/// `credentials-file-mode`: the warning for a credentials file its group
/// or others may read, `None` when only its owner can (or the system does
/// not say).
pub fn mode_warning(source: &CredentialSource, files: &dyn FileSystem) -> Option<String> {
    let CredentialSource::File { path, .. } = source else {
        return None;
    };
    let mode = files.mode(path).ok()?;
    (mode & 0o077 != 0).then(|| {
        format!(
            "warning[credentials-file-mode]: {} holds credentials and is readable by {} (mode {mode:o}): run `chmod 600 {}`",
            crate::source::printable(&path.display().to_string()),
            if mode & 0o007 != 0 { "others" } else { "its group" },
            crate::source::printable(&path.display().to_string()),
        )
    })
}

/// Where an Account's `profile:` credentials are read from (`None` for one
/// with variables, or a profile that is not found).
pub fn account_source(
    account: &Account,
    env: &dyn Environment,
    files: &dyn FileSystem,
) -> Option<CredentialSource> {
    let AccountCredentials::Profile(profile) = &account.credentials else {
        return None;
    };
    let places = Places::from_environment(env);
    from_files(profile, "an Account's `profile`", &places, files)
        .ok()
        .map(|(_, source)| source)
}

fn source(profile: &str, path: &Path) -> CredentialSource {
    CredentialSource::File {
        profile: profile.to_string(),
        path: path.to_path_buf(),
    }
}

/// The file's text, `None` when it does not exist.
fn read_text(files: &dyn FileSystem, path: &Path) -> Result<Option<String>, CredentialError> {
    let unusable = |reason: String| CredentialError::Unusable {
        path: path.to_path_buf(),
        reason,
    };
    match files.read(path, FILE_LIMIT) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| unusable("not UTF-8 text".into())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(unusable(error.to_string())),
    }
}

fn pair(
    secret_id: Option<String>,
    secret_key: Option<String>,
    token: Option<String>,
    names: (&str, &str),
    profile: &str,
) -> Result<Credentials, String> {
    match (secret_id, secret_key) {
        (Some(secret_id), Some(secret_key)) => Ok(Credentials {
            secret_id,
            secret_key: Secret::new(secret_key),
            token: token.map(Secret::new),
        }),
        (id, _) => Err(format!(
            "profile `{profile}` has no `{}`",
            if id.is_none() { names.0 } else { names.1 }
        )),
    }
}

/// A `[name]` and its `key = value` pairs, in file order.
pub type IniSection = (String, Vec<(String, String)>);

/// Sections of an INI file in order, each with its `key = value` pairs
/// (values trimmed). `#` and `;` start comment lines. Errors name a line
/// number only: the line itself may hold a key.
pub fn parse_ini(text: &str) -> Result<Vec<IniSection>, String> {
    let mut sections: Vec<IniSection> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            sections.push((name.trim().to_string(), Vec::new()));
            continue;
        }
        // Python's configparser, which reads this file for the SDK,
        // accepts `key: value` as well.
        let Some(separator) = line.find(['=', ':']) else {
            return Err(format!(
                "line {} is neither `[profile]` nor `key = value`",
                index + 1
            ));
        };
        let (key, value) = (&line[..separator], &line[separator + 1..]);
        let Some((_, entries)) = sections.last_mut() else {
            return Err(format!("line {} comes before any `[profile]`", index + 1));
        };
        entries.push((key.trim().to_string(), value.trim().to_string()));
    }
    Ok(sections)
}

/// Using the base keys of a profile that assumes a role would act as a
/// different identity than the profile means; say so instead of guessing.
fn role_refusal(profile: &str) -> String {
    format!(
        "profile `{profile}` assumes a role (role_arn, role-arn or cvm-role), which tccert does not do; \
         put temporary credentials in TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY and TENCENTCLOUD_TOKEN"
    )
}

fn parse_tccli(text: &str, profile: &str) -> Result<Credentials, String> {
    // serde_json's messages give a position, never the text around it.
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    let get = |key: &str| {
        value
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    if get("type").as_deref() == Some("cvm-role") || get("role-arn").is_some() {
        return Err(role_refusal(profile));
    }
    pair(
        get("secretId"),
        get("secretKey"),
        get("token"),
        ("secretId", "secretKey"),
        profile,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::{MapEnvironment, MemoryFileSystem};

    const INI: &str = "\
# the SDKs' file
[default]
secret_id = AKIDini
secret_key = ini-key

[prod]
secret_id=AKIDprod
secret_key = prod-key
";
    const TCCLI: &str =
        r#"{"secretId": "AKIDtccli", "secretKey": "tccli-key", "token": "tccli-token"}"#;

    fn home() -> MapEnvironment {
        MapEnvironment::default().with("HOME", "/home/u")
    }

    fn env_pair(env: MapEnvironment) -> MapEnvironment {
        env.with("TENCENTCLOUD_SECRET_ID", "AKIDenv")
            .with("TENCENTCLOUD_SECRET_KEY", "env-key")
    }

    fn files() -> MemoryFileSystem {
        MemoryFileSystem::default()
            .with("/home/u/.tencentcloud/credentials", INI)
            .with("/home/u/.tccli/default.credential", TCCLI)
            .with("/home/u/.tccli/staging.credential", TCCLI)
    }

    fn found(
        flag: Option<&str>,
        env: &MapEnvironment,
        fs: &MemoryFileSystem,
    ) -> (String, CredentialSource) {
        let (credentials, source) = Credentials::find(flag, env, fs).unwrap();
        (credentials.secret_id, source)
    }

    #[test]
    fn reads_the_pair_and_the_first_token() {
        let env = env_pair(MapEnvironment::default())
            .with("TENCENTCLOUD_TOKEN", "t1")
            .with("TENCENTCLOUD_SECURITY_TOKEN", "t2");
        let credentials = Credentials::from_environment(&env).unwrap();
        assert_eq!(credentials.token.as_ref().map(Secret::expose), Some("t1"));
        assert!(!format!("{credentials:?}").contains("env-key"));
        assert!(!format!("{credentials:?}").contains("t1"));
        let env = env_pair(MapEnvironment::default()).with("TENCENTCLOUD_SECURITY_TOKEN", "t2");
        assert_eq!(
            Credentials::from_environment(&env)
                .unwrap()
                .token
                .map(|t| t.expose().to_string()),
            Some("t2".into())
        );
    }

    #[test]
    fn set_but_empty_variables_are_an_error_not_a_reason_to_read_the_files() {
        for (id, key, named) in [
            ("", "env-key", "TENCENTCLOUD_SECRET_ID is set but empty"),
            ("AKIDenv", "", "TENCENTCLOUD_SECRET_KEY is set but empty"),
            (
                "",
                "",
                "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are set but empty",
            ),
        ] {
            let env = home()
                .with("TENCENTCLOUD_SECRET_ID", id)
                .with("TENCENTCLOUD_SECRET_KEY", key);
            // The files hold a default profile: it is not used.
            let error = Credentials::find(None, &env, &files()).unwrap_err();
            assert!(error.to_string().starts_with(named), "{error}");
            assert!(!error.to_string().contains("env-key"));
            assert!(Credentials::from_environment(&env).is_err());
        }
        // --profile names the files on purpose: the variables do not matter.
        let env = home().with("TENCENTCLOUD_SECRET_ID", "");
        assert!(Credentials::find(Some("default"), &env, &files()).is_ok());
    }

    #[test]
    fn a_credentials_file_others_can_read_is_warned_about() {
        for (mode, warned) in [
            (0o600, None),
            (0o640, Some("its group")),
            (0o644, Some("others")),
        ] {
            let fs = files().with_mode("/home/u/.tencentcloud/credentials", mode);
            let (_, source) = Credentials::find(None, &home(), &fs).unwrap();
            let warning = mode_warning(&source, &fs);
            assert_eq!(
                warning
                    .as_deref()
                    .map(|w| w.contains(warned.unwrap_or("-"))),
                warned.map(|_| true),
                "{mode:o}: {warning:?}"
            );
            if let Some(warning) = warning {
                assert!(warning.starts_with(
                    "warning[credentials-file-mode]: /home/u/.tencentcloud/credentials"
                ));
                assert!(!warning.contains("env-key") && !warning.contains("ini-key"));
            }
        }
        assert_eq!(mode_warning(&CredentialSource::Environment, &files()), None);
    }

    #[test]
    fn precedence_is_flag_then_environment_then_files() {
        let fs = files();
        // --profile wins over the environment.
        let (id, source) = found(Some("prod"), &env_pair(home()), &fs);
        assert_eq!(id, "AKIDprod");
        assert_eq!(
            source,
            CredentialSource::File {
                profile: "prod".into(),
                path: "/home/u/.tencentcloud/credentials".into()
            }
        );
        // The environment wins over the files.
        assert_eq!(found(None, &env_pair(home()), &fs).0, "AKIDenv");
        // Then the files, profile `default`; the INI file before tccli's.
        assert_eq!(found(None, &home(), &fs).0, "AKIDini");
        // A profile only tccli has.
        let (credentials, source) = Credentials::find(Some("staging"), &home(), &fs).unwrap();
        assert_eq!(credentials.secret_id, "AKIDtccli");
        assert_eq!(
            credentials.token.as_ref().map(Secret::expose),
            Some("tccli-token")
        );
        assert_eq!(
            source.to_string(),
            "profile `staging` in /home/u/.tccli/staging.credential"
        );
    }

    #[test]
    fn the_profile_can_come_from_the_environment() {
        let fs = files();
        let env = home().with("TCCLI_PROFILE", "staging");
        assert_eq!(found(None, &env, &fs).0, "AKIDtccli");
        // TENCENTCLOUD_PROFILE first, as Terraform reads it.
        let env = env.with("TENCENTCLOUD_PROFILE", "prod");
        assert_eq!(found(None, &env, &fs).0, "AKIDprod");
        // A named profile that is nowhere is an error, not a fallback.
        let env = home().with("TENCENTCLOUD_PROFILE", "nope");
        let error = Credentials::find(None, &env, &fs).unwrap_err();
        assert!(matches!(
            error,
            CredentialError::ProfileNotFound {
                asked_by: "TENCENTCLOUD_PROFILE",
                ..
            }
        ));
    }

    #[test]
    fn file_locations_follow_the_override_variables() {
        let fs = MemoryFileSystem::default()
            .with("/etc/tc/creds", INI)
            .with("/srv/tccli/ci.credential", TCCLI);
        let env = home()
            .with("TENCENTCLOUD_CREDENTIALS_FILE", "/etc/tc/creds")
            .with("TENCENTCLOUD_SHARED_CREDENTIALS_DIR", "/srv/tccli");
        assert_eq!(found(Some("prod"), &env, &fs).0, "AKIDprod");
        assert_eq!(found(Some("ci"), &env, &fs).0, "AKIDtccli");
    }

    #[test]
    fn says_what_is_missing_and_where_it_looked() {
        let error = Credentials::find(None, &home(), &MemoryFileSystem::default()).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"),
            "{message}"
        );
        assert!(
            message.contains("/home/u/.tencentcloud/credentials"),
            "{message}"
        );
        assert!(
            message.contains("/home/u/.tccli/default.credential"),
            "{message}"
        );
        assert!(message.contains("--emulator"), "{message}");

        // Half a pair in the environment: name the missing half, do not
        // fall back to a file.
        let env = home().with("TENCENTCLOUD_SECRET_ID", "AKIDx");
        let error = Credentials::find(None, &env, &files()).unwrap_err();
        assert_eq!(
            error,
            CredentialError::Missing {
                missing: vec!["TENCENTCLOUD_SECRET_KEY"],
                searched: vec![]
            }
        );

        let error = Credentials::find(Some("nope"), &home(), &files()).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("no credential profile `nope` (from --profile)")
        );
    }

    #[test]
    fn unusable_files_are_reported_without_their_text() {
        let broken = MemoryFileSystem::default().with(
            "/home/u/.tencentcloud/credentials",
            "[default]\nsecret_id = AKIDx\nsecret-key-without-equals-SECRETVALUE\n",
        );
        let message = Credentials::find(None, &home(), &broken)
            .unwrap_err()
            .to_string();
        assert!(message.contains("line 3"), "{message}");
        assert!(!message.contains("SECRETVALUE"), "{message}");

        let half = MemoryFileSystem::default().with(
            "/home/u/.tencentcloud/credentials",
            "[default]\nsecret_id = AKIDx\n",
        );
        let message = Credentials::find(None, &home(), &half)
            .unwrap_err()
            .to_string();
        assert!(message.contains("has no `secret_key`"), "{message}");

        let json = MemoryFileSystem::default().with(
            "/home/u/.tccli/default.credential",
            "{\"secretId\": \"SECRETVALUE\"",
        );
        let message = Credentials::find(None, &home(), &json)
            .unwrap_err()
            .to_string();
        assert!(message.contains("not JSON"), "{message}");
        assert!(!message.contains("SECRETVALUE"), "{message}");

        let role = MemoryFileSystem::default().with(
            "/home/u/.tccli/default.credential",
            r#"{"secretId": "a", "secretKey": "b", "role-arn": "qcs::cam::uin/1:roleName/x"}"#,
        );
        let message = Credentials::find(None, &home(), &role)
            .unwrap_err()
            .to_string();
        assert!(message.contains("assumes a role"), "{message}");
        let role = MemoryFileSystem::default().with(
            "/home/u/.tencentcloud/credentials",
            "[default]\nsecret_id = a\nsecret_key = b\nrole_arn = qcs::cam::uin/1:roleName/x\n",
        );
        let message = Credentials::find(None, &home(), &role)
            .unwrap_err()
            .to_string();
        assert!(message.contains("assumes a role"), "{message}");
    }

    #[test]
    fn profile_names_cannot_escape_the_directory() {
        let fs = MemoryFileSystem::default().with("/home/u/secret.credential", TCCLI);
        let error = Credentials::find(Some("../secret"), &home(), &fs).unwrap_err();
        assert!(matches!(error, CredentialError::InvalidProfileName { .. }));
        assert!(
            error.to_string().contains("is not a profile name"),
            "{error}"
        );
    }

    #[test]
    fn ini_parsing() {
        let sections = parse_ini("; c\n[a]\nk = v = w\n\n[ b ]\n").unwrap();
        assert_eq!(
            sections,
            vec![
                (
                    "a".to_string(),
                    vec![("k".to_string(), "v = w".to_string())]
                ),
                ("b".to_string(), vec![])
            ]
        );
        assert!(parse_ini("k = v\n").unwrap_err().contains("before any"));
        // configparser's other separator.
        assert_eq!(
            parse_ini("[a]\nsecret_id: AKID=x\n").unwrap()[0].1,
            vec![("secret_id".to_string(), "AKID=x".to_string())]
        );
    }

    fn account(credentials: AccountCredentials) -> Account {
        Account::example("hk", crate::certificate::Site::Intl, credentials)
    }

    #[test]
    fn an_accounts_profile_is_read_from_the_files_whatever_the_environment_holds() {
        let hk = account(AccountCredentials::Profile("prod".into()));
        let (credentials, source) = for_account(&hk, &env_pair(home()), &files()).unwrap();
        assert_eq!(credentials.secret_id, "AKIDprod");
        assert_eq!(
            source,
            "profile `prod` in /home/u/.tencentcloud/credentials"
        );
        let missing = account(AccountCredentials::Profile("nope".into()));
        let error = for_account(&missing, &home(), &files())
            .map(|_| ())
            .unwrap_err();
        assert!(
            error.starts_with("no credential profile `nope` (from an Account's `profile`)"),
            "{error}"
        );
    }

    #[test]
    fn an_accounts_variables_give_its_credentials_and_an_empty_token_is_none() {
        let reference = |variable: &str, default: Option<&str>| CredentialRef {
            variable: variable.into(),
            default: default.map(str::to_string),
        };
        let hk = account(AccountCredentials::Variables {
            secret_id: reference("HK_ID", None),
            secret_key: reference("HK_KEY", Some("fallback-key")),
            token: Some(reference("HK_TOKEN", Some(""))),
        });
        let env = MapEnvironment::default().with("HK_ID", "AKIDhk");
        let (credentials, source) = for_account(&hk, &env, &files()).unwrap();
        assert_eq!(credentials.secret_id, "AKIDhk");
        assert_eq!(credentials.secret_key.expose(), "fallback-key");
        assert!(credentials.token.is_none());
        assert_eq!(source, "the environment (HK_ID, HK_KEY)");
        let with_token = env.with("HK_TOKEN", "sts");
        let (credentials, source) = for_account(&hk, &with_token, &files()).unwrap();
        assert_eq!(
            credentials.token.map(|t| t.expose().to_string()),
            Some("sts".into())
        );
        assert_eq!(source, "the environment (HK_ID, HK_KEY, HK_TOKEN)");
    }
}
