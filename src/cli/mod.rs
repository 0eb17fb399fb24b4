//! The command line, as clap types only: no I/O, no defaults computed here
//! beyond what clap states. The contract is `docs/cli.md`.

pub mod man_and_completions;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::numbers;

#[derive(Debug, Parser)]
#[command(
    name = "tccert",
    version,
    about = "Declarative submission of paid SSL certificate information to Tencent Cloud",
    long_about = None,
    after_help = "Exit codes: 0 success; 1 invalid input, an error, a failed or drifted certificate; 2 (plan --detailed-exitcode) something to submit or drifted; 130 interrupted (SIGINT/SIGTERM)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// More logging on stderr: -v info, -vv debug, -vvv trace. Secrets are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Colour in tables and diagnostics: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, value_enum, value_name = "WHEN", global = true, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

/// `--color WHEN`, as ls, git and cargo spell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour when the output is a terminal and NO_COLOR is not set.
    Auto,
    /// Colour always, even into a pipe or a file.
    Always,
    /// No colour.
    Never,
}

/// Where `plan` and `apply` find credentials (src/api/credentials.rs, in
/// that order), shown under their `--help`: the first question of a new user.
pub const CREDENTIALS_HELP: &str = "\
Credentials (not needed with --emulator), the first found wins:
  1. --profile NAME: that profile of the files below, nothing else
  2. TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, and for temporary
     credentials TENCENTCLOUD_TOKEN or TENCENTCLOUD_SECURITY_TOKEN (the first
     wins when both are set)
  3. the profile TENCENTCLOUD_PROFILE, else TCCLI_PROFILE, else `default`, of:
     ~/.tencentcloud/credentials (or $TENCENTCLOUD_CREDENTIALS_FILE), the SDKs'
     INI file, keys secret_id, secret_key and token; then
     ~/.tccli/NAME.credential (the directory is $TENCENTCLOUD_SHARED_CREDENTIALS_DIR
     when set), tccli's JSON file, keys secretId, secretKey and token
Secrets are never printed or logged. With --emulator nothing leaves the machine.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load, merge and validate manifests; send nothing.
    Validate(ManifestArgs),
    /// Print each effective certificate, where each field came from, and the request it would send (secrets masked).
    #[command(mut_arg("strict", |arg| arg.hide(true)))]
    Render(ManifestArgs),
    /// Print the JSON Schema of a manifest document.
    Schema(SchemaArgs),
    /// Read live state and print what apply would do; send no write.
    // `--plan` is apply's alone (hidden here, a usage error when given, as
    // `--out` is on apply): plan always reads PATHs.
    #[command(
        after_help = CREDENTIALS_HELP,
        mut_arg("plan", |arg| arg.hide(true)),
        mut_arg("auto_approve", |arg| arg.hide(true))
    )]
    Plan(RunArgs),
    /// Submit what is pending and report on every certificate.
    // `--detailed-exitcode` and `--out` are plan's alone: hidden here, and a
    // usage error when given (commands/settings.rs), so `apply --help` does
    // not offer them.
    #[command(
        after_help = CREDENTIALS_HELP,
        mut_arg("detailed_exitcode", |arg| arg.hide(true)),
        mut_arg("out", |arg| arg.hide(true))
    )]
    Apply(RunArgs),
    /// Serve a local emulator of the Tencent Cloud SSL API.
    Emulator(EmulatorArgs),
    /// Write manifests for certificates that exist (all with information, or the IDs given) into DIR.
    Import(ImportArgs),
    /// Show each certificate's live status and the domain-validation records the CA wants; --wait follows them to issuance.
    #[command(mut_arg("strict", |arg| arg.hide(true)))]
    Status(StatusArgs),
    /// Write each issued certificate's files (the ZIP DownloadCertificate answers, unpacked) into DIR/NAME/.
    #[command(mut_arg("strict", |arg| arg.hide(true)))]
    Download(DownloadArgs),
    /// Make a private key and CSR locally, or show what a CSR holds.
    #[command(subcommand)]
    Csr(CsrCommand),
    /// Write a starter manifest tree (a profile, a certificate, a README, the schema) into DIR.
    Init(InitArgs),
    /// Print a shell completion script on stdout.
    Completions(CompletionsArgs),
    /// Print the man page on stdout, or write one page per command into a directory.
    Man(ManArgs),
    /// Print the headers tccert would send for a body read from stdin (for the SDK conformance test).
    #[command(hide = true)]
    DebugSign(DebugSignArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// For people: aligned text, a progress bar on a terminal.
    Text,
    /// For machines: one JSON object on stdout.
    Json,
    /// For GitHub Actions: plain lines plus workflow-command annotations (file and line) for every problem; the Markdown summary is appended to $GITHUB_STEP_SUMMARY when set.
    Github,
    /// A Markdown summary on stdout, to post on a pull request.
    Markdown,
}

/// `--api`: the submit action of certificates whose manifest has no `api:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ApiArg {
    /// The contract's API (the default).
    #[value(name = "SubmitCertificateInformation")]
    SubmitCertificateInformation,
    /// The maintained successor.
    #[value(name = "CertificateInfoSubmit")]
    CertificateInfoSubmit,
}

impl From<ApiArg> for crate::certificate::Api {
    fn from(arg: ApiArg) -> Self {
        match arg {
            ApiArg::SubmitCertificateInformation => {
                crate::certificate::Api::SubmitCertificateInformation
            }
            ApiArg::CertificateInfoSubmit => crate::certificate::Api::CertificateInfoSubmit,
        }
    }
}

#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// Manifest files or directories (walked recursively, sorted; hidden entries skipped).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,

    /// The API that submits certificates whose manifest does not say (`api:` in a certificate wins) [default: SubmitCertificateInformation].
    #[arg(long, value_enum, value_name = "API")]
    pub api: Option<ApiArg>,

    /// Most bytes read in this run, manifests, CSR files and letters together (a number, or with KiB, MiB or GiB).
    #[arg(
        long,
        value_name = "SIZE",
        env = "TCCERT_MAX_INPUT_BYTES",
        default_value = numbers::MAX_INPUT_BYTES.default,
        value_parser = numbers::parse_max_input_bytes
    )]
    pub max_input_bytes: u64,

    /// Most files read in this run, manifests, CSR files and letters together.
    #[arg(
        long,
        value_name = "N",
        env = "TCCERT_MAX_FILES",
        default_value = numbers::MAX_FILES.default,
        value_parser = numbers::parse_max_files
    )]
    pub max_files: u64,

    /// Only this certificate (a name or a glob: `*`, `?`, `[...]`; repeatable): every manifest is still loaded and validated; a pattern matching no certificate is an error.
    #[arg(long, value_name = "NAME")]
    pub target: Vec<String>,

    #[command(flatten)]
    pub trust: TrustArgs,

    /// Warnings found before anything is sent count as errors: exit 1, nothing sent (for CI).
    #[arg(long)]
    pub strict: bool,
}

/// What the operator lets manifests reach (a manifest may come from a
/// stranger's pull request): never read from a manifest or a saved plan.
#[derive(Clone, Debug, Default, Args)]
pub struct TrustArgs {
    /// Allow an Account's `endpoint` on this host (HOST or HOST:PORT; repeatable) beside hosts under tencentcloudapi.com; `http://` only for loopback.
    #[arg(
        long = "allow-endpoint",
        value_name = "HOST[:PORT]",
        env = "TCCERT_ALLOW_ENDPOINTS",
        value_delimiter = ','
    )]
    pub allow_endpoint: Vec<String>,

    /// Manifests may interpolate only variables matching this glob (repeatable; Account credentials too).
    #[arg(
        long = "env-allow",
        value_name = "PATTERN",
        env = "TCCERT_ENV_ALLOW",
        value_delimiter = ','
    )]
    pub env_allow: Vec<String>,

    /// Another directory `csr.file` may name files in, beside the current directory and the PATHs given (repeatable).
    #[arg(long = "allow-path", value_name = "DIR")]
    pub allow_path: Vec<PathBuf>,
}

impl ManifestArgs {
    /// PATHs with every other option at its default (benchmarks, tests).
    pub fn new(paths: Vec<PathBuf>) -> Self {
        let budget = crate::manifest::load::Budget::default();
        Self {
            paths,
            output: Output::Text,
            api: None,
            max_input_bytes: budget.max_bytes,
            max_files: budget.max_files,
            target: Vec::new(),
            trust: TrustArgs::default(),
            strict: false,
        }
    }

    /// What the loader may read in this run.
    pub fn budget(&self) -> crate::manifest::load::Budget {
        crate::manifest::load::Budget {
            max_bytes: self.max_input_bytes,
            max_files: self.max_files,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaDraft {
    /// JSON Schema 2020-12, what tccert validates with.
    #[value(name = "2020-12")]
    Draft2020_12,
    /// Draft-07, for yaml-language-server.
    #[value(name = "7")]
    Draft07,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which JSON Schema draft to print.
    #[arg(long, value_enum, default_value_t = SchemaDraft::Draft2020_12)]
    pub draft: SchemaDraft,
}

#[derive(Debug, Args)]
// PATHs, or (apply) a saved plan instead: clap says which is missing.
#[command(mut_arg("paths", |arg| arg.required(false).required_unless_present("plan")))]
pub struct RunArgs {
    #[command(flatten)]
    pub manifests: ManifestArgs,

    /// API endpoint [env: TCCERT_ENDPOINT] [default: https://ssl.intl.tencentcloudapi.com]
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Use the China site endpoint, https://ssl.tencentcloudapi.com (instead of the international one).
    #[arg(long, conflicts_with = "endpoint")]
    pub china: bool,

    /// Sent as X-TC-Region when given [env: TENCENTCLOUD_REGION].
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,

    /// Most write requests a second, for each write action (0.01 to 1000).
    #[arg(long, value_name = "N", default_value = numbers::RATE.default, value_parser = numbers::parse_rate)]
    pub rate: f64,

    /// One request's time limit, in seconds (more than 0, at most 3600).
    #[arg(long, value_name = "SECONDS", default_value = numbers::TIMEOUT.default, value_parser = numbers::parse_timeout)]
    pub timeout: f64,

    /// Start the built-in emulator on loopback, seeded with the certificates of PATH..., and run against it.
    /// Its state is kept per tree (the PATHs given) under $XDG_STATE_HOME/tccert (else ~/.local/state/tccert), so a second apply reports in_sync.
    #[arg(long, conflicts_with_all = ["endpoint", "china"])]
    pub emulator: bool,

    /// With --emulator: start this tree's emulator state afresh (every certificate back at status 5, nothing submitted).
    #[arg(long, requires = "emulator")]
    pub emulator_reset: bool,

    /// With --emulator: the emulator issues ordered certificates this many seconds after the order (default: never).
    #[arg(long, value_name = "SECONDS", requires = "emulator", value_parser = numbers::parse_emulator_issue_after)]
    pub emulator_issue_after: Option<f64>,

    /// (plan) Exit 2 when anything would be written or has drifted.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Treat every certificate as `commit: true`.
    #[arg(long)]
    pub commit: bool,

    /// Submit this certificate (a name or a glob; repeatable) at status 5 even when every comparable field agrees, for fields SubmittedData cannot show.
    #[arg(long, value_name = "NAME")]
    pub resubmit: Vec<String>,

    /// Also trust the certificate authorities in FILE (PEM), beside the system's [env: TCCERT_CA_CERT]: for `tccert emulator --tls --tls-ca-out FILE`, or a private endpoint.
    #[arg(long, value_name = "FILE", conflicts_with = "emulator")]
    pub ca_cert: Option<PathBuf>,

    /// Credentials from this profile of ~/.tencentcloud/credentials or ~/.tccli/NAME.credential, ignoring TENCENTCLOUD_SECRET_ID/KEY.
    #[arg(long, value_name = "NAME", conflicts_with = "emulator")]
    pub profile: Option<String>,

    /// Also write the JSON report (as `--output json` prints it) to FILE, whatever --output is; replaced whole, never half-written.
    #[arg(long, value_name = "FILE")]
    pub json_out: Option<PathBuf>,

    /// Leave field values out of every output: changes name their fields only (for public repositories).
    #[arg(long)]
    pub no_values: bool,

    /// Read every certificate's detail (DescribeCertificateDetail) instead of listing them in bulk first, and compare issued ones too (recorded in a saved plan).
    #[arg(long)]
    pub deep: bool,

    /// (plan) Also write a saved plan to FILE, for `apply --plan FILE` (only when plan exits 0 or 2).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// (apply) Apply exactly this saved plan, instead of PATHs: only where nothing moved since it was made.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["paths", "target", "commit", "resubmit", "api", "deep", "restart"]
    )]
    pub plan: Option<PathBuf>,

    /// (apply) Do not ask for confirmation on a terminal: send at once.
    #[arg(long)]
    pub auto_approve: bool,

    /// Let apply buy the certificates with `purchase:` that no certificate carries the tag of (CreateCertificate); needed on both `plan --out` and `apply --plan`.
    #[arg(long)]
    pub allow_purchase: bool,

    /// Restart this certificate (a name or a glob; repeatable) when its information is with the CA and differs: cancel the review, wait, resubmit, submit and order (recorded in a saved plan).
    #[arg(long, value_name = "NAME")]
    pub restart: Vec<String>,

    /// (apply) How long a restart waits for the cancellation, in seconds [default: 600].
    #[arg(long, value_name = "SECONDS", value_parser = numbers::parse_restart_timeout)]
    pub restart_timeout: Option<f64>,
}

/// How `status` and `import` reach the API: the connection flags of plan.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// API endpoint [env: TCCERT_ENDPOINT] [default: https://ssl.intl.tencentcloudapi.com]
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Use the China site endpoint, https://ssl.tencentcloudapi.com (instead of the international one).
    #[arg(long, conflicts_with = "endpoint")]
    pub china: bool,

    /// Sent as X-TC-Region when given [env: TENCENTCLOUD_REGION].
    #[arg(long, value_name = "NAME")]
    pub region: Option<String>,

    /// Most read requests a second, for each read action (0.01 to 1000); reads never go faster than the documented 10 a second.
    #[arg(long, value_name = "N", default_value = numbers::RATE.default, value_parser = numbers::parse_rate)]
    pub rate: f64,

    /// One request's time limit, in seconds (more than 0, at most 3600).
    #[arg(long, value_name = "SECONDS", default_value = numbers::TIMEOUT.default, value_parser = numbers::parse_timeout)]
    pub timeout: f64,

    /// Credentials from this profile of ~/.tencentcloud/credentials or ~/.tccli/NAME.credential, ignoring TENCENTCLOUD_SECRET_ID/KEY.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Also trust the certificate authorities in FILE (PEM), beside the system's [env: TCCERT_CA_CERT]: for `tccert emulator --tls --tls-ca-out FILE`, or a private endpoint.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    /// Also write the JSON report (as `--output json` prints it) to FILE, whatever --output is; replaced whole, never half-written.
    #[arg(long, value_name = "FILE")]
    pub json_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub manifests: ManifestArgs,

    #[command(flatten)]
    pub read: ReadArgs,

    /// Read from the built-in emulator on loopback, with the state `apply --emulator` keeps for these PATHs (seeded with their certificates).
    #[arg(long, conflicts_with_all = ["endpoint", "china", "profile", "ca_cert"])]
    pub emulator: bool,

    /// With --emulator: the emulator issues ordered certificates this many seconds after the order (default: never).
    #[arg(long, value_name = "SECONDS", requires = "emulator", value_parser = numbers::parse_emulator_issue_after)]
    pub emulator_issue_after: Option<f64>,

    /// Read every certificate's detail (DescribeCertificateDetail) instead of listing them in bulk first.
    #[arg(long)]
    pub deep: bool,

    /// Read again every --interval until each certificate is issued (1) or can no longer be by waiting.
    #[arg(long)]
    pub wait: bool,

    /// (--wait) Seconds between two reads of a certificate (at least 1).
    #[arg(long, value_name = "SECONDS", default_value = numbers::INTERVAL.default, value_parser = numbers::parse_interval)]
    pub interval: f64,

    /// (--wait) The longest wait in all, in seconds.
    #[arg(long, value_name = "SECONDS", default_value = numbers::WAIT_TIMEOUT.default, value_parser = numbers::parse_wait_timeout)]
    pub wait_timeout: f64,

    /// Once every domain of a certificate passes Tencent Cloud's local check, send CompleteCertificate once (not for DNSPod and WoTrus certificates, which the API does not serve).
    #[arg(long)]
    pub complete: bool,
}

#[derive(Debug, Args)]
pub struct DownloadArgs {
    #[command(flatten)]
    pub manifests: ManifestArgs,

    #[command(flatten)]
    pub read: ReadArgs,

    /// The directory to write into: each issued certificate's files go to DIR/NAME/ (made 0700, files 0600).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Replace DIR/NAME/ when it holds something other than what was downloaded.
    #[arg(long)]
    pub force: bool,

    /// Download from the built-in emulator on loopback, with the state `apply --emulator` keeps for these PATHs.
    #[arg(long, conflicts_with_all = ["endpoint", "china", "profile", "ca_cert"])]
    pub emulator: bool,

    /// With --emulator: the emulator issues ordered certificates this many seconds after the order (default: never).
    #[arg(long, value_name = "SECONDS", requires = "emulator", value_parser = numbers::parse_emulator_issue_after)]
    pub emulator_issue_after: Option<f64>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Certificate ids to import; none: every certificate with information at status 5, 0, 1, 4, 8 or 11.
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,

    /// The directory to write (empty or absent, unless --force).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Replace DIR even when it holds files.
    #[arg(long)]
    pub force: bool,

    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = Output::Text)]
    pub output: Output,

    /// Read with this Account's credentials (an Account document in --accounts PATH...), list only its certificates, and write `account: NAME` on each.
    #[arg(long, value_name = "NAME", requires = "accounts")]
    pub account: Option<String>,

    /// (--account) Manifest files or directories holding the Account document.
    #[arg(long, value_name = "PATH", num_args = 1.., requires = "account")]
    pub accounts: Vec<PathBuf>,

    /// Read from the built-in emulator with the state `apply PATH... --emulator` keeps for these PATHs (no credentials): to try import locally.
    #[arg(
        long,
        value_name = "PATH",
        num_args = 1..,
        conflicts_with_all = ["account", "endpoint", "china", "profile", "ca_cert"]
    )]
    pub emulator: Vec<PathBuf>,

    /// With --emulator: the emulator issues ordered certificates this many seconds after the order (default: never).
    #[arg(long, value_name = "SECONDS", requires = "emulator", value_parser = numbers::parse_emulator_issue_after)]
    pub emulator_issue_after: Option<f64>,

    #[command(flatten)]
    pub read: ReadArgs,

    #[command(flatten)]
    pub trust: TrustArgs,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: std::net::SocketAddr,

    /// Manifests whose certificates the emulator starts with (status 5).
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub seed: Vec<PathBuf>,

    /// A certificate to start with, as ID=DOMAIN (repeatable).
    #[arg(long, value_name = "ID=DOMAIN")]
    pub seed_id: Vec<String>,

    /// Keep state in this JSON file across restarts.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Serve HTTPS (the URL line is then https://...) with a certificate for localhost, ssl.localhost and 127.0.0.1 signed by a CA made at start, for clients that speak only HTTPS (tccli, the SDKs, Terraform).
    #[arg(long)]
    pub tls: bool,

    /// With --tls: write the CA certificate (PEM) here before the URL line, for clients to trust (tccert --ca-cert; the Python SDK's HttpProfile(certification=FILE); each official client in docs/cli.md).
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub tls_ca_out: Option<PathBuf>,

    /// Test only: inject a fault, KIND[:ACTION][@CERTIFICATE_ID][=first:N|=rate:P] (repeatable).
    #[arg(long, value_name = "SPEC")]
    pub fault: Vec<String>,

    /// Test only: delay added to every reply, in milliseconds (at most 60000).
    #[arg(long, value_name = "MS", default_value = numbers::LATENCY_MS.default, value_parser = numbers::parse_latency_ms)]
    pub latency_ms: u64,

    /// Requests a second each action accepts (0.01 to 1000).
    #[arg(long, value_name = "N", default_value = numbers::EMULATOR_RATE.default, value_parser = numbers::parse_emulator_rate)]
    pub rate: f64,

    /// Test only: the emulator's clock minus the real one, in seconds (at most ten years either way).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value = numbers::CLOCK_OFFSET.default,
        value_parser = numbers::parse_clock_offset,
        allow_hyphen_values = true
    )]
    pub clock_offset: i64,

    /// Test only: seed of the random fault triggers.
    #[arg(long, value_name = "N", default_value = numbers::FAULT_SEED.default, value_parser = numbers::parse_fault_seed)]
    pub fault_seed: u64,

    /// Issue ordered certificates (status 0, 4 or 8 after CertificateOrderSubmit) this many seconds after the order; without it they wait for ever.
    #[arg(long, value_name = "SECONDS", value_parser = numbers::parse_issue_after)]
    pub issue_after: Option<f64>,

    /// Test only: CheckCertificateDomainVerification's local check passes this many seconds after the order (default: at the issue time), so `status --complete` can be tried before issuance.
    #[arg(long, value_name = "SECONDS", value_parser = numbers::parse_local_check_after)]
    pub local_check_after: Option<f64>,

    /// Seconds a certificate stays cancelling (6) after CancelAuditCertificate before it is cancelled (7).
    #[arg(long, value_name = "SECONDS", default_value = numbers::CANCEL_AFTER.default, value_parser = numbers::parse_cancel_after)]
    pub cancel_after: f64,

    #[command(flatten)]
    pub trust: TrustArgs,
}

#[derive(Debug, Args)]
pub struct DebugSignArgs {
    #[arg(long)]
    pub host: String,
    #[arg(long)]
    pub action: String,
    #[arg(long, default_value = "2019-12-05")]
    pub version: String,
    #[arg(long, allow_hyphen_values = true, value_parser = numbers::parse_timestamp)]
    pub timestamp: i64,
}

#[derive(Debug, Subcommand)]
pub enum CsrCommand {
    /// Generate a private key and a CSR for it, here, for `csr: {type: parse, file: ...}`.
    New(CsrNewArgs),
    /// Show a CSR's subject, names, key and signature, and check the signature.
    Inspect(CsrInspectArgs),
}

/// The key types `csr new` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeyTypeArg {
    /// ECDSA on P-256: small and fast; every current client accepts it.
    #[value(name = "ecdsa-p256")]
    EcdsaP256,
    /// RSA 2048 bits: what Tencent Cloud's own CSRs use; the widest compatibility.
    #[value(name = "rsa-2048")]
    Rsa2048,
    /// RSA 4096 bits: larger and slower, for policies that ask for it.
    #[value(name = "rsa-4096")]
    Rsa4096,
}

#[derive(Debug, Args)]
pub struct CsrNewArgs {
    /// The certificate's domain: the CSR's common name and first subject alternative name.
    #[arg(long, value_name = "DOMAIN")]
    pub domain: String,

    /// Another name for the certificate (repeatable); the manifest's `domains`.
    #[arg(long, value_name = "NAME")]
    pub san: Vec<String>,

    /// The private key's type.
    #[arg(long, value_enum, default_value_t = KeyTypeArg::Rsa2048)]
    pub key_type: KeyTypeArg,

    /// Where to write the private key (PKCS#8 PEM, created with mode 0600).
    #[arg(long, value_name = "FILE")]
    pub key_out: PathBuf,

    /// Where to write the CSR (PEM).
    #[arg(long, value_name = "FILE")]
    pub csr_out: PathBuf,

    /// The folder of the manifest that will name the CSR: the printed `file:` is relative to it [default: certificates when that folder is here, else .].
    #[arg(long, value_name = "DIR")]
    pub manifest_dir: Option<PathBuf>,

    /// Replace FILEs that exist.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CsrInspectArgs {
    /// A PEM certificate signing request.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value_t = InspectOutput::Text)]
    pub output: InspectOutput,
}

/// `csr inspect` describes one file: there is nothing to annotate or post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InspectOutput {
    /// Aligned text.
    Text,
    /// One JSON object on stdout.
    Json,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to write into (created when missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Replace files that exist.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write tccert.1 and one tccert-COMMAND.1 per command here, instead of printing tccert.1.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    /// clap's own consistency checks, which include that every default
    /// (`numbers::*.default`) passes its flag's value parser.
    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory as _;
        super::Cli::command().debug_assert();
    }

    #[test]
    fn defaults_come_through_the_range_checks() {
        use clap::Parser as _;
        let cli = super::Cli::try_parse_from(["tccert", "plan", "m"]).unwrap();
        let super::Command::Plan(args) = cli.command else {
            panic!("not plan");
        };
        assert_eq!((args.rate, args.timeout), (10.0, 30.0));
        assert_eq!(
            args.manifests.budget(),
            crate::manifest::load::Budget::default()
        );
        let cli = super::Cli::try_parse_from([
            "tccert",
            "validate",
            "m",
            "--max-files",
            "5",
            "--max-input-bytes",
            "1MiB",
        ])
        .unwrap();
        let super::Command::Validate(args) = cli.command else {
            panic!("not validate");
        };
        assert_eq!(
            args.budget(),
            crate::manifest::load::Budget {
                max_bytes: 1 << 20,
                max_files: 5
            }
        );
    }
}
