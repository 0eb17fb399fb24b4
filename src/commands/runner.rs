//! The run layer: what every command that talks to the API shares, so that
//! a command is a short script. It opens the runs for a target (the real
//! API with each account's credentials, or the built-in emulator started
//! and seeded here), one [`plan::Run`] per account with its pace and one
//! redactor for all; owns the one interrupt handler; and closes the runs
//! (the handler stopped, the emulator shut down, the stops collected).
//! Also where `plan`/`apply --emulator` keep the emulator's state for a
//! tree, and where `--json-out` is written.
//!
//! Commands read settings ([`super::settings`]) and this layer; none
//! imports another command (tests/integration/layout.rs checks it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use super::settings::{
    AccountConnection, Connection, ConnectionFlags, RunAccounts, api_connections, log_proxy, region,
};
use super::{CommandError, CommandResult, print_note};
use crate::api::credentials::Credentials;
use crate::api::request::Body;
use crate::certificate::{Account, Certificate};
use crate::cli::ReadArgs;
use crate::emulator::{self, EmulatorAccount, EmulatorConfig, RunningEmulator, SeedCertificate};
use crate::outfile::{self, NewFile};
use crate::plan::{self, Mode, Stop, StopReason};
use crate::secret::{Redactor, Secret};
use crate::system::{Environment, ProcessEnvironment, RealFileSystem, STDIN_PATH};
use crate::transport::{Endpoint, HttpTransport, TransportConfig, run_secrets};

/// One account's run.
pub type AccountRun = Arc<plan::Run<HttpTransport>>;

/// What a signal (SIGINT, SIGTERM) does to the runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnSignal {
    /// plan and apply: the first signal stops every run (nothing new is
    /// written; writes in flight settle, paced); a second cuts everything
    /// off at once.
    Settle,
    /// status and import, which only read: the first signal cuts every
    /// read off (nothing to settle).
    CutOff,
}

/// The runs of one command, open: one per account, by account name
/// (`None`: the default credentials), the emulator they talk to if any,
/// and the interrupt handler once [`Runner::handle_signals`] started it.
pub struct Runner {
    runs: Runs,
    /// The same runs in a stable order (the default credentials first,
    /// then by name), for the stops of the report.
    ordered: Vec<AccountRun>,
    redactor: Arc<Redactor>,
    emulator: Option<RunningEmulator>,
    handler: Option<tokio::task::JoinHandle<()>>,
    /// Set by the handler on the first signal, as a flag (for code that
    /// checks between steps) and as a channel (for code that waits).
    flag: Arc<AtomicBool>,
    signalled: Arc<watch::Sender<bool>>,
}

impl Runner {
    /// Opens one run per connection (see [`account_runs`]); `emulator`, the
    /// one the connections lead to, is shut down by [`Runner::close`].
    pub fn open(
        connections: Vec<RunConnection>,
        emulator: Option<RunningEmulator>,
        bodies: &[Body],
        options: &plan::Options,
        pace: Pace,
    ) -> Result<Self, CommandError> {
        let (runs, redactor) = account_runs(connections, bodies, options, pace)?;
        let mut ordered: Vec<(Option<String>, AccountRun)> = runs
            .iter()
            .map(|(k, v)| (k.clone(), Arc::clone(v)))
            .collect();
        ordered.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Self {
            runs,
            ordered: ordered.into_iter().map(|(_, r)| r).collect(),
            redactor,
            emulator,
            handler: None,
            flag: Arc::new(AtomicBool::new(false)),
            signalled: Arc::new(watch::channel(false).0),
        })
    }

    /// The runs of a command that only reads (`status`, `import`), one per
    /// account its certificates use (the default credentials counting as
    /// one, needed only when some certificate has no account), each with
    /// its own transport, pacers and stop, reading at the documented rate
    /// or the account's `rate` (else `--rate`) when that is lower.
    ///
    /// With `emulated` (`--emulator`), the connections are those of the
    /// built-in emulator, already started; no variable is read.
    pub fn open_readers(
        emulated: Option<(Vec<RunConnection>, RunningEmulator)>,
        read: &ReadArgs,
        run_accounts: &RunAccounts<'_>,
        bodies: &[Body],
    ) -> Result<Self, CommandError> {
        let (connections, emulator) = match emulated {
            Some((connections, emulator)) => (Some(connections), Some(emulator)),
            None => (None, None),
        };
        let connections = match connections {
            Some(connections) => connections,
            None => read_connections(read, run_accounts)?,
        };
        Self::open(
            connections,
            emulator,
            bodies,
            &read_options(read),
            Pace::Reads,
        )
    }

    /// The runs by account name.
    pub fn runs(&self) -> &Runs {
        &self.runs
    }

    /// The runs in a stable order (the default credentials first).
    pub fn ordered(&self) -> &[AccountRun] {
        &self.ordered
    }

    /// Masks every secret of the run in what the server sends back.
    pub fn redactor(&self) -> &Arc<Redactor> {
        &self.redactor
    }

    /// The run of `account`, for certificate `name`: every account a
    /// certificate names has its run (RunAccounts); a miss is a bug.
    pub fn run_for(
        &self,
        account: &Option<String>,
        name: &str,
    ) -> Result<AccountRun, CommandError> {
        self.runs
            .get(account)
            .cloned()
            .ok_or_else(|| CommandError::Connection {
                message: format!(
                    "internal error: no connection for the account of certificate `{name}`"
                ),
            })
    }

    /// Starts the one interrupt handler of the command (see [`OnSignal`]).
    pub fn handle_signals(&mut self, on: OnSignal) {
        let runs = self.ordered.clone();
        let flag = Arc::clone(&self.flag);
        let signalled = Arc::clone(&self.signalled);
        self.handler = Some(tokio::spawn(async move {
            wait_for_signal().await;
            // The runs are stopped before anyone is told: a command woken
            // by `until_interrupted` may close the runner at once (on
            // another worker thread), and the stops it reads then must
            // already say `Interrupted` (else status exited 1, not 130).
            match on {
                OnSignal::Settle => runs
                    .iter()
                    .for_each(|run| run.stop(StopReason::Interrupted)),
                OnSignal::CutOff => runs.iter().for_each(|run| run.cut_off_now()),
            }
            flag.store(true, Ordering::SeqCst);
            signalled.send_replace(true);
            if matches!(on, OnSignal::Settle) {
                wait_for_signal().await;
                runs.iter().for_each(|run| run.cut_off_now());
            }
        }));
    }

    /// Whether a signal came.
    pub fn interrupted(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// The flag a signal sets, for work that checks it between steps.
    pub fn signal_flag(&self) -> &AtomicBool {
        &self.flag
    }

    /// Resolves when a signal comes (at once if one came): woken by the
    /// handler, no polling.
    pub async fn until_interrupted(&self) {
        let mut signalled = self.signalled.subscribe();
        // The sender lives as long as `self`: `wait_for` ends on the signal.
        let _ = signalled.wait_for(|s| *s).await;
    }

    /// Shuts the emulator down, if the runs talk to one (the runs stay
    /// open, the handler listening).
    pub async fn stop_emulator(&mut self) {
        if let Some(running) = self.emulator.take() {
            running.shutdown().await;
        }
    }

    /// Closes the runs: the handler stopped, the emulator shut down; the
    /// stops of the runs, for the report.
    pub async fn close(mut self) -> Vec<Stop> {
        if let Some(handler) = self.handler.take() {
            handler.abort();
        }
        self.stop_emulator().await;
        plan::stops(&self.ordered)
    }
}

/// Resolves on SIGINT or SIGTERM (Ctrl-C elsewhere).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The built-in emulator for a run, started (see [`start_emulator`]) with
/// the state kept for the tree of `paths` (see [`emulator_state`]).
/// `issue_after` (`--emulator-issue-after`): the emulator issues ordered
/// certificates this long after the order; the tree's state remembers it,
/// so a later run without the flag issues on the same delay.
pub async fn open_emulator(
    paths: &[PathBuf],
    reset: bool,
    certificates: &[(Certificate, PathBuf)],
    run_accounts: &RunAccounts<'_>,
    region: Option<&String>,
    rate: f64,
    issue_after: Option<f64>,
) -> Result<(Vec<RunConnection>, RunningEmulator), CommandError> {
    let state = emulator_state(paths, reset)?;
    let issue_after = issue_after.map(Duration::from_secs_f64);
    start_emulator(certificates, run_accounts, region, rate, state, issue_after).await
}

/// The connections of a reading command to the API, from its read flags.
fn read_connections(
    read: &ReadArgs,
    run_accounts: &RunAccounts<'_>,
) -> Result<Vec<RunConnection>, CommandError> {
    let region = region(read.region.as_deref(), &ProcessEnvironment);
    let flags = ConnectionFlags {
        endpoint: read.endpoint.as_deref(),
        china: read.china,
        profile: read.profile.as_deref(),
        ca_cert: read.ca_cert.as_deref(),
    };
    let (default, accounts) = api_connections(
        &flags,
        read.rate,
        region.as_ref(),
        run_accounts,
        &ProcessEnvironment,
        &RealFileSystem,
    )?;
    Ok(run_connections(
        default,
        accounts,
        region.as_ref(),
        read.rate,
    ))
}

/// The options of a reading command's runs.
fn read_options(read: &ReadArgs) -> plan::Options {
    plan::Options {
        mode: Mode::Plan,
        read_rate: READ_RATE,
        timeout: Duration::from_secs_f64(read.timeout),
        ..plan::Options::default()
    }
}

/// What an account's rate (else `--rate`) bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// plan and apply: each write action (reads go at the documented rate).
    Writes,
    /// status and import, which only read: each read action too, never
    /// over the documented rate.
    Reads,
}

/// The runs of a map from account name (`None`: the default credentials).
pub type Runs = HashMap<Option<String>, Arc<plan::Run<HttpTransport>>>;

/// One [`plan::Run`] per connection (account), by account name (`None`: the
/// default credentials), with `options` and the account's rate: each with
/// its own transport, pacers and stop, and
/// one redactor for all (returned too), so that whatever comes back from
/// the network is masked for every credential of the run.
pub fn account_runs(
    connections: Vec<RunConnection>,
    bodies: &[Body],
    options: &plan::Options,
    pace: Pace,
) -> Result<(Runs, Arc<Redactor>), CommandError> {
    let mut secrets: Vec<String> = connections
        .iter()
        .flat_map(|c| {
            run_secrets(
                &c.connection.credentials,
                c.connection.proxy.as_ref(),
                bodies,
            )
        })
        .collect();
    secrets.sort();
    secrets.dedup();
    let redactor = Arc::new(Redactor::new(secrets));
    let mut runs = HashMap::new();
    for c in connections {
        let transport = transport(
            c.connection,
            c.region,
            options.timeout,
            Arc::clone(&redactor),
        )?;
        let options = plan::Options {
            write_rate: c.write_rate,
            read_rate: match pace {
                Pace::Writes => options.read_rate,
                Pace::Reads => options.read_rate.min(c.write_rate),
            },
            account: c.account.clone(),
            ..options.clone()
        };
        runs.insert(c.account, plan::Run::new(Arc::new(transport), options));
    }
    Ok((runs, redactor))
}

/// One set of credentials of a run and where it sends.
pub struct RunConnection {
    /// `None`: the default credentials.
    account: Option<String>,
    connection: Connection,
    region: Option<String>,
    /// The account's `rate`, else `--rate`.
    write_rate: f64,
}

/// The connections to the API, the default credentials' first: `region`
/// and `rate` are the run's, which an account's own replace (already in
/// `accounts`).
pub fn run_connections(
    default: Option<Connection>,
    accounts: Vec<AccountConnection>,
    region: Option<&String>,
    rate: f64,
) -> Vec<RunConnection> {
    let mut connections: Vec<RunConnection> = Vec::new();
    if let Some(default) = default {
        connections.push(RunConnection {
            account: None,
            connection: default,
            region: region.cloned(),
            write_rate: rate,
        });
    }
    connections.extend(accounts.into_iter().map(|a| RunConnection {
        account: Some(a.name),
        connection: a.connection,
        region: a.region,
        write_rate: a.write_rate,
    }));
    connections
}

/// Starts the built-in emulator on loopback, seeded with the run's
/// certificates, each owned by its account, and fresh credentials for the
/// default and for each account (made here and handed over in-process: no
/// account's variables are read). The connections to it use no proxy
/// (loopback never does, and no proxy variable is even read).
/// `region` and `rate` are the run's (`--region`, `--rate`).
pub async fn start_emulator(
    certificates: &[(Certificate, PathBuf)],
    run_accounts: &RunAccounts<'_>,
    region: Option<&String>,
    rate: f64,
    state_file: Option<PathBuf>,
    issue_after: Option<Duration>,
) -> Result<(Vec<RunConnection>, RunningEmulator), CommandError> {
    let (secret_id, secret_key) = emulator::generate_credentials();
    let accounts: Vec<(&Account, EmulatorAccount)> = run_accounts
        .accounts
        .iter()
        .map(|account| {
            let (secret_id, secret_key) = emulator::generate_credentials();
            let emulated = EmulatorAccount {
                name: account.name.clone(),
                secret_id,
                secret_key,
                key_variable: None,
            };
            (*account, emulated)
        })
        .collect();
    let config = EmulatorConfig {
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        credentials: vec![(secret_id.clone(), secret_key.clone())],
        accounts: accounts.iter().map(|(_, a)| a.clone()).collect(),
        state_file,
        issue_after,
        keep_issue_after: true,
        seed: certificates
            .iter()
            // A certificate still to buy is not seeded: apply buys it from
            // the emulator as from Tencent Cloud.
            .filter_map(|(c, _)| {
                Some(SeedCertificate {
                    certificate_id: c.certificate_id.as_ref()?.value.clone(),
                    domain: c.domain.value.clone(),
                    owner: c.account.clone(),
                })
            })
            .collect(),
        ..EmulatorConfig::default()
    };
    let started = emulator::start(config).await.map_err(|source| {
        // An unreadable state file is the one start failure a user can fix.
        let source = if source.kind() == std::io::ErrorKind::InvalidData {
            std::io::Error::new(
                source.kind(),
                format!("{source} (--emulator-reset starts this tree's state afresh)"),
            )
        } else {
            source
        };
        CommandError::EmulatorStart { source }
    })?;
    let url = started.url();
    print_note(&format!(
        "using the built-in emulator at {url} (no account needed; nothing leaves this machine)\n"
    ));
    let endpoint = Endpoint::parse(&url).map_err(|message| CommandError::Connection { message })?;
    tracing::info!("endpoint {} (chosen by --emulator)", endpoint.url);
    log_proxy(None);
    let connection = |secret_id: String, secret_key: String| Connection {
        endpoint: endpoint.clone(),
        endpoint_chosen_by: "--emulator",
        credentials: Credentials {
            secret_id,
            secret_key: Secret::new(secret_key),
            token: None,
        },
        proxy: None,
        ca_cert: None,
    };
    let mut connections = Vec::new();
    if run_accounts.needs_default {
        connections.push(RunConnection {
            account: None,
            connection: connection(secret_id, secret_key),
            region: region.cloned(),
            write_rate: rate,
        });
    }
    for (account, emulated) in accounts {
        connections.push(RunConnection {
            account: Some(emulated.name),
            connection: connection(emulated.secret_id, emulated.secret_key),
            region: account.region.clone().or_else(|| region.cloned()),
            write_rate: account.rate.unwrap_or(rate),
        });
    }
    Ok((connections, started))
}

/// Settles the state file of `--emulator` for these PATHs (docs/cli.md,
/// "The emulator's state") and says on stderr which one is used (one line,
/// whatever `--output` is). `--emulator-reset` removes it first.
pub fn emulator_state(paths: &[PathBuf], reset: bool) -> Result<Option<PathBuf>, CommandError> {
    match tree_state(paths, &ProcessEnvironment)? {
        TreeState::File(path) => {
            if reset {
                match std::fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(source) => return Err(CommandError::EmulatorState { path, source }),
                }
            }
            let how = if reset {
                "started afresh (--emulator-reset)"
            } else {
                "kept between runs on these PATHs; --emulator-reset starts afresh"
            };
            print_note(&format!("emulator state: {} ({how})\n", path.display()));
            Ok(Some(path))
        }
        TreeState::NotKept(why) => {
            print_note(&format!(
                "emulator state: not kept, this run only ({why})\n"
            ));
            Ok(None)
        }
    }
}

/// One connection's transport, masking with `redactor`.
fn transport(
    connection: Connection,
    region: Option<String>,
    timeout: std::time::Duration,
    redactor: Arc<Redactor>,
) -> Result<HttpTransport, CommandError> {
    HttpTransport::new(TransportConfig {
        endpoint: connection.endpoint,
        credentials: connection.credentials,
        region,
        timeout,
        proxy: connection.proxy,
        redactor,
        extra_roots: connection.ca_cert,
    })
    .map_err(|message| CommandError::Connection { message })
}

/// Writes the JSON report to `--json-out FILE`: the bytes `--output json`
/// prints, in a temporary file beside FILE renamed over it, so a reader never
/// sees half a report. The run's own exit code stands unless the report
/// cannot be written ([`CommandError::JsonOut`]).
pub fn write_json_out(path: Option<&Path>, json: &serde_json::Value, code: u8) -> CommandResult {
    let Some(path) = path else {
        return Ok(code);
    };
    let text = crate::source::without_bidi(&format!("{json:#}\n")).into_owned();
    let file = NewFile {
        path,
        contents: text.as_bytes(),
        private: false,
    };
    outfile::write_all(&[file], true).map_err(|error| CommandError::JsonOut {
        error,
        run_code: code,
    })?;
    Ok(code)
}

/// The documented limit of each read action (docs/api.md): 10 a second.
pub const READ_RATE: f64 = 10.0;

/// The accounts `certificates` use, among `accounts`.
pub fn accounts_of<'a>(
    certificates: &[(Certificate, PathBuf)],
    accounts: &'a [Account],
) -> RunAccounts<'a> {
    let chosen: Vec<Certificate> = certificates.iter().map(|(c, _)| c.clone()).collect();
    RunAccounts::of(&chosen, accounts)
}

/// Where `plan`/`apply --emulator` keep the emulator's state for one tree.
#[derive(Debug, PartialEq, Eq)]
pub enum TreeState {
    /// This file, under the state directory.
    File(PathBuf),
    /// Nothing is kept: the state lasts this run only, for this reason.
    NotKept(&'static str),
}

/// The state directory: `$XDG_STATE_HOME/tccert` when that is an absolute
/// path (the XDG Base Directory specification says to ignore a relative
/// one), else `$HOME/.local/state/tccert`.
pub fn state_dir(environment: &dyn Environment) -> Option<PathBuf> {
    let nonempty = |name: &str| environment.var(name).filter(|v| !v.is_empty());
    if let Some(xdg) = nonempty("XDG_STATE_HOME").map(PathBuf::from)
        && xdg.is_absolute()
    {
        return Some(xdg.join("tccert"));
    }
    nonempty("HOME").map(|home| PathBuf::from(home).join(".local/state/tccert"))
}

/// The state file of the tree named by `canonical` (the PATHs given,
/// canonicalised). The key is the sorted, de-duplicated list of those
/// absolute paths: `plan a b` and `apply b ./a` share one state, and
/// another tree never sees it. The file is named
/// `emulator-NAME-HASH.json`: NAME is the last component of the first path
/// (for people listing the directory), HASH the first 16 hex digits of the
/// SHA-256 of the paths joined by newlines.
pub fn tree_state_file(dir: &Path, canonical: &[PathBuf]) -> PathBuf {
    let mut key: Vec<String> = canonical
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    key.sort();
    key.dedup();
    let hash = crate::api::sign::sha256_hex(key.join("\n").as_bytes());
    let name: String = key
        .first()
        .and_then(|first| Path::new(first).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    let name = if name.is_empty() { "root".into() } else { name };
    dir.join(format!("emulator-{name}-{}.json", &hash[..16]))
}

/// Settles where the emulator's state for `paths` lives and makes its
/// directory (0700). `-` (standard input) cannot name a tree: documents
/// read from a pipe differ from run to run, so their state is not kept.
pub fn tree_state(
    paths: &[PathBuf],
    environment: &dyn Environment,
) -> Result<TreeState, CommandError> {
    if paths.iter().any(|p| p.as_os_str() == STDIN_PATH) {
        return Ok(TreeState::NotKept(
            "`-` reads standard input, which names no tree",
        ));
    }
    let Some(dir) = state_dir(environment) else {
        return Ok(TreeState::NotKept("neither XDG_STATE_HOME nor HOME is set"));
    };
    let mut canonical = Vec::with_capacity(paths.len());
    for path in paths {
        let absolute =
            std::fs::canonicalize(path).map_err(|source| CommandError::EmulatorState {
                path: path.clone(),
                source,
            })?;
        canonical.push(absolute);
    }
    create_private_dir(&dir).map_err(|source| CommandError::EmulatorState {
        path: dir.clone(),
        source,
    })?;
    Ok(TreeState::File(tree_state_file(&dir, &canonical)))
}

/// Creates `dir` and its missing parents owner-only (0700): the state files
/// in it hold what was submitted, `KeyPassword`s included. A directory that
/// exists keeps its mode (the user chose it).
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::MapEnvironment;

    #[test]
    fn the_state_directory_follows_xdg_then_home() {
        let both = MapEnvironment::default()
            .with("XDG_STATE_HOME", "/x/state")
            .with("HOME", "/home/u");
        assert_eq!(state_dir(&both), Some(PathBuf::from("/x/state/tccert")));
        // A relative XDG_STATE_HOME is ignored, as the XDG specification says.
        let relative = MapEnvironment::default()
            .with("XDG_STATE_HOME", "state")
            .with("HOME", "/home/u");
        assert_eq!(
            state_dir(&relative),
            Some(PathBuf::from("/home/u/.local/state/tccert"))
        );
        let empty = MapEnvironment::default().with("XDG_STATE_HOME", "");
        assert_eq!(state_dir(&empty), None);
    }

    #[test]
    fn the_key_is_the_sorted_set_of_absolute_paths() {
        let dir = Path::new("/s");
        let ab = tree_state_file(dir, &["/t/a".into(), "/t/b".into()]);
        let ba = tree_state_file(dir, &["/t/b".into(), "/t/a".into(), "/t/a".into()]);
        assert_eq!(ab, ba);
        assert_ne!(ab, tree_state_file(dir, &["/t/a".into()]));
        assert_ne!(ab, tree_state_file(dir, &["/u/a".into(), "/t/b".into()]));
        let name = ab.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("emulator-a-") && name.ends_with(".json"),
            "{name}"
        );
        assert_eq!(name.len(), "emulator-a-".len() + 16 + ".json".len());
        let odd = tree_state_file(dir, &["/t/my certs.d".into()]);
        assert!(
            odd.to_string_lossy().starts_with("/s/emulator-my_certs_d-"),
            "{odd:?}"
        );
        assert!(
            tree_state_file(dir, &["/".into()])
                .to_string_lossy()
                .starts_with("/s/emulator-root-")
        );
    }
}
