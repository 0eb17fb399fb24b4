//! A local emulator of the Tencent Cloud SSL API (version 2019-12-05), so
//! that tccert can be tested end to end, fast and offline, against the same
//! wire contract as the real service.
//!
//! It serves `POST /` on loopback with `DescribeCertificateDetail` (with
//! `DvAuthDetail` while an order waits for domain validation),
//! `DescribeCertificates` (paged), `SubmitCertificateInformation`, its
//! successor `CertificateInfoSubmit` and `CertificateOrderSubmit`, and issues
//! ordered certificates after [`EmulatorConfig::issue_after`]; checks the
//! TC3-HMAC-SHA256 signature and the five-minute timestamp window; limits each
//! action with a token bucket; keeps each certificate's status, `SubmittedData`
//! and order; and answers in the API's own envelope and error codes (HTTP 200
//! with `{"Response": {...}}`). See [`server`] for the order of the checks,
//! [`actions`] for the status machine, [`lifecycle`] for the purchase,
//! cancellation, resubmit, letter, domain checks, completion and download,
//! [`issuer`] for the CA that signs downloaded certificates and [`fault`] for
//! injected faults.
//!
//! Two ways in:
//! * Rust tests: [`start`] an [`EmulatorConfig`], talk to [`RunningEmulator::url`],
//!   assert on [`RunningEmulator::snapshot`], bend state with
//!   [`RunningEmulator::set_status`] / [`RunningEmulator::set_submitted_field`].
//! * The CLI (`tccert emulator`): [`run_cli`] prints the URL as its first line
//!   and serves until Ctrl-C or SIGTERM. Black-box tests read
//!   `GET /_emulator/state` (the [`StateSnapshot`] as JSON) and patch
//!   certificates with `POST /_emulator/certificates/{id}` and a body such as
//!   `{"status": 8}` or `{"SubmittedData": {"OrganizationName": "X"}}` (fields
//!   merged, `null` removes one; `"SubmittedData": null` clears it;
//!   `{"domain": "d"}` creates a missing certificate). These two endpoints are
//!   unsigned and answer only loopback peers.
//!
//! Accounts ([`EmulatorConfig::accounts`]): each has its own key pair and
//! rate buckets, and owns the certificates seeded with its name; the
//! default pairs own the rest. A certificate answers only its owner's key
//! pair (any other gets `FailedOperation.CertificateNotFound`), and the
//! state records which SecretId wrote its `SubmittedData` last.
//!
//! With a state file, state is loaded at start (seed certificates that are
//! missing are added) and written atomically after every change to a
//! certificate; the counters in it are as of that last write.

pub mod actions;
pub mod bucket;
pub mod call;
mod envelope;
pub mod fault;
pub mod issuer;
pub mod lifecycle;
pub mod params;
pub mod server;
pub mod state;
mod tls;

#[cfg(test)]
mod tests;

use std::fmt;
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use fault::{FaultKind, FaultRule, Trigger, parse_fault};
pub use state::{CertificateState, SeedCertificate, StateSnapshot};

use server::Shared;

/// How to run an emulator.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// Where to listen; must be a loopback address. Port 0 picks a free one.
    pub listen: SocketAddr,
    /// Accepted `(SecretId, SecretKey)` pairs of the default owner. With
    /// none (and no account), every request is refused
    /// `AuthFailure.SecretIdNotFound` ([`run_cli`] generates a pair).
    pub credentials: Vec<(String, String)>,
    /// Accounts, each with its key pair: a certificate seeded with an
    /// `owner` answers only that account's key pair (any other gets
    /// `FailedOperation.CertificateNotFound`, as another Tencent Cloud
    /// account would), and each account has its own rate buckets.
    pub accounts: Vec<EmulatorAccount>,
    /// Certificates that start at status 5 with their domain (unless the
    /// state file already has them).
    pub seed: Vec<SeedCertificate>,
    pub state_file: Option<PathBuf>,
    pub faults: Vec<FaultRule>,
    /// Seed of the RNG behind `rate:P` fault triggers, for repeatable runs.
    pub fault_seed: u64,
    /// Added to every reply, to model network latency in benchmarks.
    pub latency: Duration,
    /// Requests a second allowed per action (bursts of the same size). Zero
    /// or less disables the limit.
    pub rate_per_second: f64,
    /// The emulator's clock minus the real one, in seconds, to test skew.
    pub clock_offset_seconds: i64,
    /// Issuance after a delay (`tccert emulator --issue-after SECONDS`):
    /// this long after its `CertificateOrderSubmit` was accepted, a
    /// certificate still waiting for the CA (status 0, 4 or 8) is issued
    /// (1). `None`: never, as before.
    pub issue_after: Option<Duration>,
    /// When the local check of `CheckCertificateDomainVerification` passes,
    /// counted from the order; `None`: at the issue time (`issue_after`),
    /// as the official checks pass when the CA can issue. Set shorter than
    /// `issue_after` (or with no `issue_after`) by tests of `status
    /// --complete`, which acts on a passed local check before issuance.
    pub local_check_after: Option<Duration>,
    /// The state file remembers `issue_after` (`tccert plan/apply/status/
    /// download --emulator`, whose state is kept per tree): set, it is
    /// written to the state; not set (`None`), the one the state remembers
    /// is used, so `status --wait --emulator` after `apply --emulator
    /// --emulator-issue-after 2` issues without the flag again. Off for
    /// `tccert emulator --state FILE`, which issues only with `--issue-after`.
    pub keep_issue_after: bool,
    /// How long a certificate stays cancelling (6) after a
    /// `CancelAuditCertificate` before it is cancelled (7)
    /// (`tccert emulator --cancel-after SECONDS`; zero: at the next read).
    pub cancel_after: Duration,
    /// Serve HTTPS with this configuration ([`server::make_tls_identity`]).
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            credentials: Vec::new(),
            accounts: Vec::new(),
            seed: Vec::new(),
            state_file: None,
            faults: Vec::new(),
            fault_seed: 0x007c_ce27,
            latency: Duration::ZERO,
            rate_per_second: 10.0,
            clock_offset_seconds: 0,
            issue_after: None,
            local_check_after: None,
            keep_issue_after: false,
            cancel_after: Duration::ZERO,
            tls: None,
        }
    }
}

// Hand-written so that secret keys never reach a log through `{:?}`.
impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret_ids: Vec<&str> = self.credentials.iter().map(|(id, _)| id.as_str()).collect();
        let accounts: Vec<(&str, &str)> = self
            .accounts
            .iter()
            .map(|a| (a.name.as_str(), a.secret_id.as_str()))
            .collect();
        f.debug_struct("EmulatorConfig")
            .field("listen", &self.listen)
            .field("credentials (SecretIds)", &secret_ids)
            .field("accounts (names, SecretIds)", &accounts)
            .field("seed", &self.seed)
            .field("state_file", &self.state_file)
            .field("faults", &self.faults)
            .field("fault_seed", &self.fault_seed)
            .field("latency", &self.latency)
            .field("rate_per_second", &self.rate_per_second)
            .field("clock_offset_seconds", &self.clock_offset_seconds)
            .field("issue_after", &self.issue_after)
            .field("local_check_after", &self.local_check_after)
            .field("keep_issue_after", &self.keep_issue_after)
            .field("cancel_after", &self.cancel_after)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

/// An account of the emulator: a name (the manifests' Account name) and
/// the one key pair that opens its certificates.
#[derive(Clone, PartialEq, Eq)]
pub struct EmulatorAccount {
    pub name: String,
    pub secret_id: String,
    pub secret_key: String,
    /// The variable the key was read from (`--seed` with the account's
    /// variables set): the `ACCOUNT` line then names it instead of printing
    /// a key the user already holds, which may be a real one. `None`: the
    /// emulator made the pair, and the line prints the key.
    pub key_variable: Option<String>,
}

// Hand-written so that the key never reaches a log through `{:?}`.
impl fmt::Debug for EmulatorAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorAccount")
            .field("name", &self.name)
            .field("secret_id", &self.secret_id)
            .finish_non_exhaustive()
    }
}

/// A random test credential pair: `AKIDemu…` and a 32-character key.
pub fn generate_credentials() -> (String, String) {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let random = |n: usize| -> String {
        (0..n)
            .map(|_| char::from(ALNUM[fastrand::usize(..ALNUM.len())]))
            .collect()
    };
    (format!("AKIDemu{}", random(29)), random(32))
}

/// An emulator serving in the background of the current tokio runtime.
/// Dropping it stops the server too; [`RunningEmulator::shutdown`] also
/// waits for it.
pub struct RunningEmulator {
    addr: SocketAddr,
    tls: bool,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

/// Starts an emulator: loads the state file, adds the seed, binds, serves.
pub async fn start(mut config: EmulatorConfig) -> io::Result<RunningEmulator> {
    if !config.listen.ip().is_loopback() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "the emulator listens on loopback only (it prints and accepts test \
                 credentials); {} is not a loopback address",
                config.listen
            ),
        ));
    }
    // One key pair opens one account's certificates: a SecretId given to
    // two owners would make one of them unreachable, silently.
    let mut owners: std::collections::HashMap<&str, Option<&str>> = config
        .credentials
        .iter()
        .map(|(id, _)| (id.as_str(), None))
        .collect();
    for account in &config.accounts {
        if let Some(other) = owners.insert(&account.secret_id, Some(&account.name)) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "account `{}` has the same SecretId as {}: each account needs its own key pair",
                    account.name,
                    other.map_or("the default pair".to_string(), |o| format!("account `{o}`"))
                ),
            ));
        }
    }
    let mut snapshot = match &config.state_file {
        Some(path) => state::load(path)?.unwrap_or_default(),
        None => StateSnapshot::default(),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .saturating_add(config.clock_offset_seconds);
    snapshot.add_seed(&config.seed, now);
    if config.keep_issue_after {
        config.issue_after = config.issue_after.or_else(|| {
            snapshot
                .issue_after_ms
                .map(std::time::Duration::from_millis)
        });
        snapshot.issue_after_ms = config
            .issue_after
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    }
    if let Some(path) = &config.state_file {
        state::save_atomic(path, &snapshot)?;
    }

    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let issuer = issuer::Issuer::new().map_err(io::Error::other)?;
    let shared = Arc::new(Shared::new(&config, snapshot, issuer));
    let (stop, stopped) = watch::channel(false);
    let tls = config.tls.is_some();
    let task = tokio::spawn(server::serve(
        listener,
        Arc::clone(&shared),
        config.tls.clone(),
        stopped,
    ));
    tracing::info!(
        %addr,
        certificates = shared.snapshot().certificates.len(),
        faults = config.faults.len(),
        rate_per_second = config.rate_per_second,
        clock_offset_seconds = config.clock_offset_seconds,
        "emulator listening"
    );
    Ok(RunningEmulator {
        addr,
        tls,
        shared,
        stop,
        task,
    })
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT` (`https://` with TLS), the endpoint to give
    /// tccert.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A copy of the whole state and every counter.
    pub fn snapshot(&self) -> StateSnapshot {
        self.shared.snapshot()
    }

    /// Moves a certificate to `status`, as the CA would; `false` if unknown.
    pub fn set_status(&self, certificate_id: &str, status: u64) -> bool {
        self.shared
            .mutate(|state| match state.certificates.get_mut(certificate_id) {
                Some(cert) => {
                    cert.status = status;
                    (true, true)
                }
                None => (false, false),
            })
    }

    /// Sets (`Some`) or removes (`None`) one `SubmittedData` field, to
    /// simulate drift made elsewhere; `DomainList` takes a comma-separated
    /// list. `false` if the certificate is unknown.
    pub fn set_submitted_field(
        &self,
        certificate_id: &str,
        api_field: &str,
        value: Option<&str>,
    ) -> bool {
        self.shared
            .mutate(|state| match state.certificates.get_mut(certificate_id) {
                Some(cert) => {
                    state::set_submitted_field(cert, api_field, value);
                    (true, true)
                }
                None => (false, false),
            })
    }

    /// Changes a certificate as `edit` says (a test's way to make a state
    /// the API would reach otherwise, such as a bought product); `false`
    /// if unknown.
    pub fn edit_certificate(
        &self,
        certificate_id: &str,
        edit: impl FnOnce(&mut CertificateState),
    ) -> bool {
        self.shared
            .mutate(|state| match state.certificates.get_mut(certificate_id) {
                Some(cert) => {
                    edit(cert);
                    (true, true)
                }
                None => (false, false),
            })
    }

    /// Adds a certificate at status 5 (no-op if it exists).
    pub fn add_certificate(&self, seed: SeedCertificate) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        self.shared.mutate(|state| {
            let existed = state.certificates.contains_key(&seed.certificate_id);
            if !existed {
                state.add_seed(std::slice::from_ref(&seed), now);
            }
            ((), !existed)
        });
    }

    /// Stops accepting, lets in-flight requests finish (two seconds at most)
    /// and waits for the server task.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::warn!(%error, "emulator task ended abnormally");
        }
    }
}

/// `tccert emulator`: starts the server, prints its URL as the first line on
/// stdout and, when `config.credentials` is empty, a generated test pair as
/// `TENCENTCLOUD_SECRET_ID=…` and `TENCENTCLOUD_SECRET_KEY=…` lines; then one
/// `ACCOUNT NAME SECRET_ID SECRET_KEY` line per account; then serves until
/// Ctrl-C or SIGTERM.
///
/// Generated keys are printed on purpose: they only open this emulator. An
/// account's key taken from its variables is never printed (it may be a
/// real one): its line names the variable, `${NAME}`, in the key's place.
pub async fn run_cli(mut config: EmulatorConfig) -> io::Result<()> {
    let generated = if config.credentials.is_empty() {
        let pair = generate_credentials();
        config.credentials.push(pair.clone());
        Some(pair)
    } else {
        None
    };
    let accounts = config.accounts.clone();
    let emulator = start(config).await?;
    {
        let mut out = io::stdout().lock();
        writeln!(out, "{}", emulator.url())?;
        if let Some((secret_id, secret_key)) = &generated {
            writeln!(out, "TENCENTCLOUD_SECRET_ID={secret_id}")?;
            writeln!(out, "TENCENTCLOUD_SECRET_KEY={secret_key}")?;
        }
        for account in &accounts {
            writeln!(out, "{}", account_line(account))?;
        }
        out.flush()?;
    }
    wait_for_termination().await?;
    tracing::info!("emulator stopping");
    emulator.shutdown().await;
    Ok(())
}

/// `ACCOUNT NAME SECRET_ID SECRET_KEY`: how `tccert emulator` tells a
/// script each account's key pair; a key read from a variable is shown as
/// `${VARIABLE}`, never its value.
pub fn account_line(account: &EmulatorAccount) -> String {
    let key = match &account.key_variable {
        Some(variable) => format!("${{{variable}}}"),
        None => account.secret_key.clone(),
    };
    format!("ACCOUNT {} {} {key}", account.name, account.secret_id)
}

async fn wait_for_termination() -> io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
