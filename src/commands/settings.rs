//! What `plan` and `apply` run with, resolved in two steps the way ripgrep
//! turns its `LowArgs` into `HiArgs`: [`RunFlags::check`] looks at the flags
//! alone, before anything is read; [`RunSettings::resolve`], once the
//! manifests are valid, settles the rest from the flags, the environment and
//! the credential files: where to send (endpoint, region, proxy), as whom
//! (credentials), how fast (rate, timeout) and how to show progress.
//!
//! Both go through [`Environment`] and [`FileSystem`], so the rules are
//! tested with the in-memory ones. Precedence: a flag, then its variable,
//! then the default (docs/cli.md).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::CommandError;
use crate::api::credentials::{self, Credentials};
use crate::certificate::{Account, Certificate, Site};
use crate::cli::{Output, RunArgs};
use crate::plan::Mode;
use crate::system::{EntryKind, Environment, FileSystem};
use crate::transport::proxy::{ProxyChoice, choose_proxy};
use crate::transport::{
    CHINA_ENDPOINT, Endpoint, ExtraRoots, INTERNATIONAL_ENDPOINT, choose_endpoint,
};

/// The checks on the flags alone, made before any manifest is read.
pub struct RunFlags;

impl RunFlags {
    pub fn check(args: &RunArgs, mode: Mode, files: &dyn FileSystem) -> Result<(), CommandError> {
        // --rate and --timeout are in range already (numbers.rs, at parsing).
        if mode == Mode::Apply && args.detailed_exitcode {
            return Err(CommandError::Usage {
                message:
                    "--detailed-exitcode is for plan; apply exits 1 when anything failed or drifted"
                        .into(),
            });
        }
        if mode == Mode::Plan && args.auto_approve {
            return Err(CommandError::Usage {
                message:
                    "--auto-approve is for apply (it skips the confirmation); plan sends nothing"
                        .into(),
            });
        }
        if mode == Mode::Plan && args.restart_timeout.is_some() {
            return Err(CommandError::Usage {
                message:
                    "--restart-timeout is for apply (a restart waits there); plan sends nothing"
                        .into(),
            });
        }
        if let Some(path) = &args.json_out {
            check_json_out(path, files)?;
        }
        check_saved_plan_flags(args, mode, files)
    }
}

/// `plan --out FILE` and `apply --plan FILE` (docs/cli.md, "Saved plans");
/// what cannot stand beside `--plan` clap refuses already.
fn check_saved_plan_flags(
    args: &RunArgs,
    mode: Mode,
    files: &dyn FileSystem,
) -> Result<(), CommandError> {
    let usage = |message: &str| {
        Err(CommandError::Usage {
            message: message.into(),
        })
    };
    match (mode, &args.out, &args.plan) {
        (Mode::Apply, Some(_), _) => {
            usage("--out is for plan (it writes a saved plan); apply takes one with --plan FILE")
        }
        (Mode::Plan, _, Some(_)) => {
            usage("--plan is for apply (it applies a saved plan); plan writes one with --out FILE")
        }
        (Mode::Plan, Some(out), _) if out.as_os_str() == "-" => usage(
            "--out -: a saved plan is written to a file (stdout carries the report); name one, e.g. --out tccert-plan.json",
        ),
        (Mode::Plan, Some(out), _) => {
            // A plan read from stdin could not be read again by apply.
            if args.manifests.paths.iter().any(|p| p.as_os_str() == "-") {
                return usage(
                    "--out cannot be used with `-` among the PATHs: apply --plan reads the manifests again, and stdin cannot be read twice",
                );
            }
            check_output_file("--out", out, files)
        }
        _ => Ok(()),
    }
}

/// `--json-out FILE` is checked before anything is read or sent, so that a
/// typo in it cannot cost a whole apply's report: the directory must exist
/// and FILE must not be one.
pub fn check_json_out(path: &Path, files: &dyn FileSystem) -> Result<(), CommandError> {
    if path.as_os_str() == "-" {
        return Err(CommandError::Usage {
            message: "--json-out takes a file name; `--output json` prints the report on stdout"
                .into(),
        });
    }
    check_output_file("--json-out", path, files)
}

/// A file tccert will write at the end of a run: its directory must exist
/// and it must not be a directory, checked before anything is sent.
fn check_output_file(flag: &str, path: &Path, files: &dyn FileSystem) -> Result<(), CommandError> {
    let usage = |message: String| Err(CommandError::Usage { message });
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let is_directory = |path: &Path| matches!(files.kind(path), Ok(EntryKind::Directory));
    if !is_directory(parent) {
        return usage(format!(
            "{flag} {}: {} is not a directory; nothing was sent",
            path.display(),
            parent.display()
        ));
    }
    if is_directory(path) {
        return usage(format!(
            "{flag} {} is a directory; nothing was sent",
            path.display()
        ));
    }
    Ok(())
}

/// What the run's certificates need in credentials.
#[derive(Debug, Default)]
pub struct RunAccounts<'a> {
    /// The accounts used by some certificate of the run.
    pub accounts: Vec<&'a Account>,
    /// Some certificate has no account (or there is none at all): the
    /// default credentials are needed.
    pub needs_default: bool,
}

impl<'a> RunAccounts<'a> {
    /// From the run's certificates and the manifests' accounts (every name
    /// a certificate uses is among them: validation checked it).
    pub fn of(certificates: &[Certificate], accounts: &'a [Account]) -> Self {
        Self {
            accounts: accounts
                .iter()
                .filter(|a| {
                    certificates
                        .iter()
                        .any(|c| c.account.as_deref() == Some(&a.name))
                })
                .collect(),
            // A run with no certificate at all still wants them, as before
            // accounts: the default credentials are dropped only when every
            // certificate has an account.
            needs_default: certificates.is_empty()
                || certificates.iter().any(|c| c.account.is_none()),
        }
    }
}

/// Where the requests go.
#[derive(Debug)]
pub enum Target {
    /// `--emulator`: the built-in emulator, which the command starts; no
    /// credentials (not even an account's variables), endpoint or proxy
    /// variable is read.
    Emulator,
    /// The API: the default credentials' connection, when some certificate
    /// has no account (`None` otherwise: no default credentials are needed),
    /// and each account's.
    Api {
        default: Option<Box<Connection>>,
        accounts: Vec<AccountConnection>,
    },
}

/// How one account's certificates are sent.
#[derive(Debug)]
pub struct AccountConnection {
    pub name: String,
    pub connection: Connection,
    /// The account's `region`, else the run's.
    pub region: Option<String>,
    /// The account's `rate`, else `--rate`.
    pub write_rate: f64,
}

/// The API endpoint, the credentials and the proxy of a run.
#[derive(Debug)]
pub struct Connection {
    pub endpoint: Endpoint,
    /// What chose the endpoint (said at `-v`).
    pub endpoint_chosen_by: &'static str,
    pub credentials: Credentials,
    /// `None`: connect directly.
    pub proxy: Option<ProxyChoice>,
    /// `--ca-cert FILE` / `TCCERT_CA_CERT`: authorities trusted beside the system's.
    pub ca_cert: Option<ExtraRoots>,
}

/// Everything `plan` and `apply` need beyond the certificates.
#[derive(Debug)]
pub struct RunSettings {
    pub mode: Mode,
    pub target: Target,
    /// `X-TC-Region`, when given.
    pub region: Option<String>,
    /// Writes a second, per write action.
    pub write_rate: f64,
    /// One request's limit.
    pub timeout: Duration,
    pub commit_all: bool,
    pub detailed_exitcode: bool,
    pub output: Output,
    /// `--json-out FILE`: the JSON report, written whatever `output` is.
    pub json_out: Option<PathBuf>,
    /// A progress bar on stderr: only for text output to a terminal.
    pub progress: bool,
}

impl RunSettings {
    /// Settles the run's settings. `stderr_is_terminal` is the terminal's
    /// answer, asked by the caller (the one fact not in the environment).
    ///
    /// `accounts` are the accounts the run's certificates use, and
    /// `needs_default` whether any certificate has none: the default
    /// credentials are looked for only then (docs/manifest-format.md,
    /// "Accounts"). Every account's variables are read here, before any
    /// request, and none under `--emulator`.
    pub fn resolve(
        args: &RunArgs,
        mode: Mode,
        run: &RunAccounts<'_>,
        environment: &dyn Environment,
        files: &dyn FileSystem,
        stderr_is_terminal: bool,
    ) -> Result<Self, CommandError> {
        let region = args
            .region
            .clone()
            .or_else(|| environment.var("TENCENTCLOUD_REGION"))
            .filter(|r| !r.is_empty());
        let target = if args.emulator {
            Target::Emulator
        } else {
            let flags = ConnectionFlags {
                endpoint: args.endpoint.as_deref(),
                china: args.china,
                profile: args.profile.as_deref(),
                ca_cert: args.ca_cert.as_deref(),
            };
            let (default, accounts) =
                api_connections(&flags, args.rate, region.as_ref(), run, environment, files)?;
            Target::Api {
                default: default.map(Box::new),
                accounts,
            }
        };
        let output = args.manifests.output;
        Ok(Self {
            mode,
            target,
            region,
            write_rate: args.rate,
            timeout: Duration::from_secs_f64(args.timeout),
            commit_all: args.commit,
            detailed_exitcode: args.detailed_exitcode,
            output,
            json_out: args.json_out.clone(),
            progress: crate::output::format::of(output).draws_progress() && stderr_is_terminal,
        })
    }
}

/// The connections of a run against the API (plan, apply, status,
/// import): the default credentials' when `run` needs them, and each
/// account's. The extra authorities are read once, for all of them; every
/// account's variables are read here, before any request.
pub fn api_connections(
    flags: &ConnectionFlags<'_>,
    rate: f64,
    region: Option<&String>,
    run: &RunAccounts<'_>,
    environment: &dyn Environment,
    files: &dyn FileSystem,
) -> Result<(Option<Connection>, Vec<AccountConnection>), CommandError> {
    let ca_cert = ca_cert(flags.ca_cert, environment, files)?;
    let default = if run.needs_default {
        Some(connect_with_roots(
            flags,
            environment,
            files,
            ca_cert.clone(),
        )?)
    } else {
        None
    };
    let accounts = run
        .accounts
        .iter()
        .map(|account| {
            account_connection(
                flags.endpoint,
                rate,
                account,
                region,
                environment,
                files,
                ca_cert.clone(),
            )
        })
        .collect::<Result<_, _>>()?;
    Ok((default, accounts))
}

/// An account's connection: its credentials, its site (unless
/// `--endpoint` or `TCCERT_ENDPOINT` replaces every account's site;
/// `--china` is for the default credentials only), the proxy for that
/// endpoint, its region and rate (`rate`: the run's, which the account's
/// own `rate` replaces).
fn account_connection(
    endpoint_flag: Option<&str>,
    rate: f64,
    account: &Account,
    region: Option<&String>,
    environment: &dyn Environment,
    files: &dyn FileSystem,
    ca_cert: Option<ExtraRoots>,
) -> Result<AccountConnection, CommandError> {
    let name = &account.name;
    let failed = |message: String| CommandError::Account {
        account: name.clone(),
        message,
    };
    let (credentials, source) =
        credentials::for_account(account, environment, files).map_err(failed)?;
    tracing::info!(account = %name, "credentials from {source}");
    if let Some(warning) = credentials::account_source(account, environment, files)
        .and_then(|source| credentials::mode_warning(&source, files))
    {
        super::print_stderr(&format!("{warning}\n"));
    }
    let (url, endpoint_chosen_by) = match (
        endpoint_flag,
        environment.var("TCCERT_ENDPOINT").filter(|v| !v.is_empty()),
    ) {
        (Some(url), _) => (url.to_string(), "--endpoint"),
        (None, Some(url)) => (url, "TCCERT_ENDPOINT"),
        (None, None) => match &account.site {
            Site::Intl => (INTERNATIONAL_ENDPOINT.to_string(), "the account's site"),
            Site::China => (CHINA_ENDPOINT.to_string(), "the account's site"),
            Site::Endpoint(url) => (url.clone(), "the account's endpoint"),
        },
    };
    let endpoint = Endpoint::parse(&url).map_err(failed)?;
    tracing::info!(account = %name, "endpoint {} (chosen by {endpoint_chosen_by})", endpoint.url);
    let proxy = choose_proxy(&endpoint, environment).map_err(failed)?;
    log_proxy(proxy.as_ref());
    Ok(AccountConnection {
        name: name.clone(),
        connection: Connection {
            endpoint,
            endpoint_chosen_by,
            credentials,
            proxy,
            ca_cert,
        },
        region: account.region.clone().or_else(|| region.cloned()),
        write_rate: account.rate.unwrap_or(rate),
    })
}

/// The flags that choose the endpoint and the credentials, whichever
/// command has them (plan and apply, status, import).
pub struct ConnectionFlags<'a> {
    pub endpoint: Option<&'a str>,
    pub china: bool,
    pub profile: Option<&'a str>,
    pub ca_cert: Option<&'a Path>,
}

/// `X-TC-Region`: the flag, else `TENCENTCLOUD_REGION`; empty is unset.
pub fn region(flag: Option<&str>, environment: &dyn Environment) -> Option<String> {
    flag.map(str::to_owned)
        .or_else(|| environment.var("TENCENTCLOUD_REGION"))
        .filter(|r| !r.is_empty())
}

/// The endpoint, credentials, proxy and extra authorities, as plan resolves
/// them.
pub fn connect(
    flags: &ConnectionFlags<'_>,
    environment: &dyn Environment,
    files: &dyn FileSystem,
) -> Result<Connection, CommandError> {
    let roots = ca_cert(flags.ca_cert, environment, files)?;
    connect_with_roots(flags, environment, files, roots)
}

/// [`connect`] with the extra authorities already read.
fn connect_with_roots(
    flags: &ConnectionFlags<'_>,
    environment: &dyn Environment,
    files: &dyn FileSystem,
    ca_cert: Option<ExtraRoots>,
) -> Result<Connection, CommandError> {
    let (credentials, source) = Credentials::find(flags.profile, environment, files)?;
    tracing::info!("credentials from {source}");
    if let Some(warning) = credentials::mode_warning(&source, files) {
        super::print_stderr(&format!("{warning}\n"));
    }
    let (url, endpoint_chosen_by) = choose_endpoint(
        flags.endpoint,
        flags.china,
        environment.var("TCCERT_ENDPOINT"),
    );
    let endpoint = Endpoint::parse(&url).map_err(|message| CommandError::Connection { message })?;
    tracing::info!("endpoint {} (chosen by {endpoint_chosen_by})", endpoint.url);
    let proxy = choose_proxy(&endpoint, environment)
        .map_err(|message| CommandError::Connection { message })?;
    log_proxy(proxy.as_ref());
    Ok(Connection {
        endpoint,
        endpoint_chosen_by,
        credentials,
        proxy,
        ca_cert,
    })
}

/// Largest `--ca-cert` file read: a bundle of every public root is ~250 KiB.
const MAX_CA_CERT_BYTES: u64 = 1 << 20;

/// `--ca-cert FILE`, else `TCCERT_CA_CERT` (empty is unset), read whole;
/// whether it holds certificates is checked where they are used.
fn ca_cert(
    flag: Option<&Path>,
    environment: &dyn Environment,
    files: &dyn FileSystem,
) -> Result<Option<ExtraRoots>, CommandError> {
    let (path, named_by) = match (flag, environment.var("TCCERT_CA_CERT")) {
        (Some(path), _) => (path.to_path_buf(), "--ca-cert"),
        (None, Some(path)) if !path.is_empty() => (PathBuf::from(path), "TCCERT_CA_CERT"),
        _ => return Ok(None),
    };
    let pem = files
        .read(&path, MAX_CA_CERT_BYTES)
        .map_err(|error| CommandError::Connection {
            message: format!("{named_by} {}: {error}", path.display()),
        })?;
    tracing::info!(
        "also trusting the certificate authorities in {}",
        path.display()
    );
    Ok(Some(ExtraRoots { from: path, pem }))
}

/// Said at `-v`: the proxy chosen, or none.
pub fn log_proxy(proxy: Option<&ProxyChoice>) {
    if let Some(proxy) = proxy {
        tracing::info!("proxy {proxy}");
    } else {
        tracing::info!("no proxy: connecting directly");
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::cli::{Cli, Command};
    use crate::system::{MapEnvironment, MemoryFileSystem};

    fn run_args(args: &[&str]) -> RunArgs {
        let all = ["tccert"].iter().chain(args).copied();
        match Cli::try_parse_from(all).map(|cli| cli.command) {
            Ok(Command::Plan(args) | Command::Apply(args)) => args,
            other => panic!("not plan or apply: {other:?}"),
        }
    }

    fn credentials() -> MapEnvironment {
        MapEnvironment::default()
            .with("TENCENTCLOUD_SECRET_ID", "AKIDexample")
            .with("TENCENTCLOUD_SECRET_KEY", "key")
    }

    fn resolve(args: &[&str], environment: &MapEnvironment) -> Result<RunSettings, CommandError> {
        RunSettings::resolve(
            &run_args(args),
            Mode::Plan,
            &DEFAULT_ONLY,
            environment,
            &MemoryFileSystem::default(),
            true,
        )
    }

    /// A run whose certificates all use the default credentials.
    const DEFAULT_ONLY: RunAccounts<'static> = RunAccounts {
        accounts: Vec::new(),
        needs_default: true,
    };

    fn connection(settings: &RunSettings) -> &Connection {
        match &settings.target {
            Target::Api {
                default: Some(connection),
                ..
            } => connection,
            other => panic!("no default connection: {other:?}"),
        }
    }

    #[test]
    fn the_emulator_reads_no_credentials_and_no_proxy() {
        let environment = MapEnvironment::default().with("HTTPS_PROXY", "::not a url::");
        let settings = resolve(&["plan", "m", "--emulator"], &environment);
        assert!(matches!(settings.map(|s| s.target), Ok(Target::Emulator)));
    }

    #[test]
    fn the_flag_wins_over_its_variable_and_empty_is_unset() {
        let environment = credentials()
            .with("TCCERT_ENDPOINT", "https://ssl.tencentcloudapi.com")
            .with("TENCENTCLOUD_REGION", "ap-guangzhou");
        let from_variables = resolve(&["plan", "m"], &environment).unwrap();
        let api = connection(&from_variables);
        assert_eq!(
            api.endpoint.url.as_str(),
            "https://ssl.tencentcloudapi.com/"
        );
        assert_eq!(api.endpoint_chosen_by, "TCCERT_ENDPOINT");
        assert_eq!(from_variables.region.as_deref(), Some("ap-guangzhou"));

        let from_flags = resolve(
            &[
                "plan",
                "m",
                "--endpoint",
                "https://127.0.0.1:9/",
                "--region",
                "ap-hongkong",
            ],
            &environment,
        )
        .unwrap();
        assert_eq!(connection(&from_flags).endpoint_chosen_by, "--endpoint");
        assert_eq!(from_flags.region.as_deref(), Some("ap-hongkong"));

        let unset = credentials()
            .with("TCCERT_ENDPOINT", "")
            .with("TENCENTCLOUD_REGION", "");
        let defaults = resolve(&["plan", "m"], &unset).unwrap();
        assert_eq!(connection(&defaults).endpoint_chosen_by, "the default");
        assert_eq!(defaults.region, None);
    }

    #[test]
    fn credentials_come_from_the_files_when_the_environment_has_none() {
        let files = MemoryFileSystem::default().with(
            "/home/u/.tencentcloud/credentials",
            "[default]\nsecret_id = AKIDfile\nsecret_key = filekey\n",
        );
        let environment = MapEnvironment::default().with("HOME", "/home/u");
        let settings = RunSettings::resolve(
            &run_args(&["plan", "m"]),
            Mode::Plan,
            &DEFAULT_ONLY,
            &environment,
            &files,
            false,
        )
        .unwrap();
        assert_eq!(connection(&settings).credentials.secret_id, "AKIDfile");

        let none = resolve(&["plan", "m"], &MapEnvironment::default());
        let message = none.map(|_| ()).unwrap_err().to_string();
        assert!(
            message.starts_with("no credentials: set TENCENTCLOUD_SECRET_ID"),
            "{message}"
        );
    }

    #[test]
    fn a_bad_endpoint_or_proxy_is_an_error_before_anything_is_sent() {
        let endpoint = resolve(
            &["plan", "m", "--endpoint", "http://example.com/"],
            &credentials(),
        );
        assert!(matches!(endpoint, Err(CommandError::Connection { .. })));
        let proxy = resolve(
            &["plan", "m"],
            &credentials().with("HTTPS_PROXY", "socks5://127.0.0.1:1080"),
        );
        assert!(matches!(proxy, Err(CommandError::Connection { .. })));
        let chosen = resolve(
            &["plan", "m"],
            &credentials().with("HTTPS_PROXY", "http://proxy.internal:3128"),
        )
        .unwrap();
        let proxy = connection(&chosen).proxy.as_ref().map(|p| p.variable);
        assert_eq!(proxy, Some("HTTPS_PROXY"));
    }

    #[test]
    fn rate_timeout_and_progress() {
        let settings = resolve(
            &[
                "plan",
                "m",
                "--emulator",
                "--rate",
                "2.5",
                "--timeout",
                "0.5",
            ],
            &MapEnvironment::default(),
        )
        .unwrap();
        assert_eq!(settings.write_rate, 2.5);
        assert_eq!(settings.timeout, Duration::from_millis(500));
        assert!(settings.progress, "text to a terminal");
        let json = resolve(
            &["plan", "m", "--emulator", "--output", "json"],
            &MapEnvironment::default(),
        )
        .unwrap();
        assert!(!json.progress);
        let piped = RunSettings::resolve(
            &run_args(&["plan", "m", "--emulator"]),
            Mode::Plan,
            &DEFAULT_ONLY,
            &MapEnvironment::default(),
            &MemoryFileSystem::default(),
            false,
        )
        .unwrap();
        assert!(!piped.progress);
    }

    #[test]
    fn detailed_exitcode_is_for_plan_only() {
        let args = run_args(&["apply", "m", "--detailed-exitcode"]);
        let files = MemoryFileSystem::default();
        assert!(RunFlags::check(&args, Mode::Plan, &files).is_ok());
        let refused = RunFlags::check(&args, Mode::Apply, &files).map_err(|e| e.to_string());
        assert_eq!(
            refused,
            Err(
                "--detailed-exitcode is for plan; apply exits 1 when anything failed or drifted"
                    .into()
            )
        );
    }

    #[test]
    fn auto_approve_is_for_apply() {
        let files = MemoryFileSystem::default();
        let args = run_args(&["plan", "m", "--auto-approve"]);
        assert_eq!(
            RunFlags::check(&args, Mode::Plan, &files).map_err(|e| e.to_string()),
            Err(
                "--auto-approve is for apply (it skips the confirmation); plan sends nothing"
                    .into()
            )
        );
        assert!(RunFlags::check(&args, Mode::Apply, &files).is_ok());
    }

    #[test]
    fn json_out_must_name_a_file_in_a_directory_that_exists() {
        let files = MemoryFileSystem::default()
            .with("reports/old.json", "{}")
            .with("reports/taken/x", "");
        let check = |path: &str| {
            let args = run_args(&["apply", "m", "--json-out", path]);
            RunFlags::check(&args, Mode::Apply, &files).map_err(|e| e.to_string())
        };
        assert_eq!(check("reports/new.json"), Ok(()));
        assert_eq!(check("reports/old.json"), Ok(()), "replaced whole");
        assert_eq!(
            check("-"),
            Err("--json-out takes a file name; `--output json` prints the report on stdout".into())
        );
        assert_eq!(
            check("missing/r.json"),
            Err("--json-out missing/r.json: missing is not a directory; nothing was sent".into())
        );
        assert_eq!(
            check("reports/taken"),
            Err("--json-out reports/taken is a directory; nothing was sent".into())
        );
    }

    fn account(name: &str, site: Site) -> Account {
        let reference = |variable: &str, default: Option<&str>| crate::certificate::CredentialRef {
            variable: variable.into(),
            default: default.map(str::to_string),
        };
        let credentials = crate::certificate::AccountCredentials::Variables {
            secret_id: reference("HK_ID", None),
            secret_key: reference("HK_KEY", None),
            token: Some(reference("HK_TOKEN", Some(""))),
        };
        Account {
            region: Some("ap-hongkong".into()),
            rate: Some(4.0),
            ..Account::example(name, site, credentials)
        }
    }

    fn resolve_accounts(
        args: &[&str],
        run: &RunAccounts<'_>,
        environment: &MapEnvironment,
    ) -> Result<RunSettings, CommandError> {
        RunSettings::resolve(
            &run_args(args),
            Mode::Plan,
            run,
            environment,
            &MemoryFileSystem::default(),
            false,
        )
    }

    #[test]
    fn an_accounts_variables_site_region_and_rate_and_no_default_credentials() {
        let hk = account("hk", Site::China);
        let run = RunAccounts {
            accounts: vec![&hk],
            needs_default: false,
        };
        // No TENCENTCLOUD_* at all: every certificate has an account.
        let environment = MapEnvironment::default()
            .with("HK_ID", "AKIDhk")
            .with("HK_KEY", "hk-key")
            .with("HK_TOKEN", "");
        let settings =
            resolve_accounts(&["plan", "m", "--china", "--rate", "2"], &run, &environment).unwrap();
        let Target::Api { default, accounts } = &settings.target else {
            panic!("the API");
        };
        assert!(default.is_none());
        let hk = &accounts[0];
        assert_eq!(hk.connection.credentials.secret_id, "AKIDhk");
        assert!(hk.connection.credentials.token.is_none(), "empty: no token");
        assert_eq!(
            hk.connection.endpoint.url.as_str(),
            "https://ssl.tencentcloudapi.com/"
        );
        assert_eq!(
            (hk.region.as_deref(), hk.write_rate),
            (Some("ap-hongkong"), 4.0)
        );

        // --endpoint replaces every account's site; --china does not.
        let intl = account("intl", Site::Intl);
        let run = RunAccounts {
            accounts: vec![&intl],
            needs_default: false,
        };
        let china = resolve_accounts(&["plan", "m", "--china"], &run, &environment).unwrap();
        let Target::Api { accounts, .. } = &china.target else {
            panic!("the API");
        };
        assert_eq!(
            accounts[0].connection.endpoint.url.as_str(),
            "https://ssl.intl.tencentcloudapi.com/"
        );
        let replaced = resolve_accounts(
            &["plan", "m", "--endpoint", "http://127.0.0.1:9"],
            &run,
            &environment,
        )
        .unwrap();
        let Target::Api { accounts, .. } = &replaced.target else {
            panic!("the API");
        };
        assert_eq!(
            accounts[0].connection.endpoint.url.as_str(),
            "http://127.0.0.1:9/"
        );
    }

    #[test]
    fn an_unset_or_empty_account_variable_is_an_error_naming_it_and_the_emulator_reads_none() {
        let hk = account("hk", Site::Intl);
        let run = RunAccounts {
            accounts: vec![&hk],
            needs_default: false,
        };
        for environment in [
            MapEnvironment::default().with("HK_KEY", "k"),
            MapEnvironment::default()
                .with("HK_ID", "")
                .with("HK_KEY", "k"),
        ] {
            let message = resolve_accounts(&["plan", "m"], &run, &environment)
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert_eq!(
                message,
                "account `hk`: `secret_id` reads HK_ID, which is unset or empty; set it, or run against the built-in emulator with --emulator"
            );
        }
        let emulator = resolve_accounts(
            &["plan", "m", "--emulator"],
            &run,
            &MapEnvironment::default(),
        );
        assert!(matches!(emulator.map(|s| s.target), Ok(Target::Emulator)));
        // Some certificate without an account: the default credentials too.
        let mixed = RunAccounts {
            accounts: vec![&hk],
            needs_default: true,
        };
        let environment = MapEnvironment::default()
            .with("HK_ID", "i")
            .with("HK_KEY", "k");
        let message = resolve_accounts(&["plan", "m"], &mixed, &environment)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("no credentials"), "{message}");
    }

    #[test]
    fn out_is_for_plan_and_plan_is_for_apply() {
        let files = MemoryFileSystem::default()
            .with("plans/old.json", "{}")
            .with("plans/dir/x", "");
        let check = |mode: Mode, args: &[&str]| {
            RunFlags::check(&run_args(args), mode, &files).map_err(|e| e.to_string())
        };
        assert_eq!(
            check(Mode::Plan, &["plan", "m", "--out", "plans/p.json"]),
            Ok(())
        );
        assert_eq!(
            check(Mode::Apply, &["apply", "--plan", "plans/old.json"]),
            Ok(())
        );
        let refused = [
            (
                Mode::Apply,
                &["apply", "m", "--out", "p.json"][..],
                "--out is for plan",
            ),
            (
                Mode::Plan,
                &["plan", "--plan", "p.json"],
                "--plan is for apply",
            ),
            (
                Mode::Plan,
                &["plan", "m", "--out", "-"],
                "a saved plan is written to a file",
            ),
            (
                Mode::Plan,
                &["plan", "m", "-", "--out", "p.json"],
                "`-` among the PATHs",
            ),
            (
                Mode::Plan,
                &["plan", "m", "--out", "none/p.json"],
                "--out none/p.json: none is not a directory",
            ),
            (
                Mode::Plan,
                &["plan", "m", "--out", "plans/dir"],
                "--out plans/dir is a directory",
            ),
        ];
        for (mode, args, expected) in refused {
            let error = check(mode, args).expect_err(expected);
            assert!(error.contains(expected), "{args:?}: {error}");
        }
    }
}
