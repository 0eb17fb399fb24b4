//! `tccert emulator`: the built-in emulator as a server of its own, seeded
//! from manifests (their ids, domains and accounts only) and `--seed-id`, with
//! optional faults and TLS, until Ctrl-C or SIGTERM. Also where
//! `plan`/`apply --emulator` keep the emulator's state for a tree.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::{
    CommandError, CommandResult, EXIT_FAILURE, EXIT_OK, ManifestInput, print_stderr,
    report_diagnostics,
};
use crate::certificate::CredentialRef;
use crate::cli::{EmulatorArgs, Output};
use crate::diag::{Code, Diagnostic, Diagnostics, Severity};
use crate::emulator::{self, EmulatorAccount, EmulatorConfig, SeedCertificate};
use crate::manifest::load::{Budget, Loaded, load_trusted};
use crate::manifest::raw::{RawAccount, RawCertificate, RawDocument};
use crate::outfile::{self, NewFile};
use crate::source::{Sourced, Span};
use crate::system::{Environment, ProcessEnvironment, STDIN_PATH};

pub async fn run(args: EmulatorArgs) -> CommandResult {
    let environment = ProcessEnvironment;
    let mut seed = Vec::new();
    let mut accounts = Vec::new();
    if !args.seed.is_empty() {
        match read_seed(&args.seed, &environment, &args.trust)? {
            Ok(read) => {
                seed.extend(read.certificates);
                accounts.extend(read.accounts);
            }
            Err((loaded, diagnostics)) => {
                report_diagnostics(Output::Text, &loaded, &diagnostics);
                return Ok(EXIT_FAILURE);
            }
        }
    }
    for pair in &args.seed_id {
        match pair.split_once('=') {
            Some((id, domain)) if !id.is_empty() && !domain.is_empty() => {
                seed.push(SeedCertificate {
                    certificate_id: id.to_string(),
                    domain: domain.to_string(),
                    owner: None,
                });
            }
            _ => {
                return Err(CommandError::Usage {
                    message: format!("--seed-id takes ID=DOMAIN, not `{pair}`"),
                });
            }
        }
    }
    let mut faults = Vec::new();
    for spec in &args.fault {
        let rule = emulator::parse_fault(spec).map_err(|message| CommandError::Usage {
            message: format!("--fault {spec}: {message}"),
        })?;
        faults.push(rule);
    }
    let credentials = match (
        environment.var("TENCENTCLOUD_SECRET_ID"),
        environment.var("TENCENTCLOUD_SECRET_KEY"),
    ) {
        (Some(id), Some(key)) if !id.is_empty() && !key.is_empty() => vec![(id, key)],
        _ => Vec::new(),
    };
    let tls = if args.tls {
        Some(tls_identity(args.tls_ca_out.as_deref())?)
    } else {
        None
    };
    let config = EmulatorConfig {
        listen: args.listen,
        credentials,
        accounts,
        seed,
        state_file: args.state,
        faults,
        fault_seed: args.fault_seed,
        latency: Duration::from_millis(args.latency_ms),
        rate_per_second: args.rate,
        clock_offset_seconds: args.clock_offset,
        issue_after: args.issue_after.map(Duration::from_secs_f64),
        cancel_after: Duration::from_secs_f64(args.cancel_after),
        tls,
    };
    emulator::run_cli(config)
        .await
        .map_err(|source| CommandError::Emulator { source })?;
    Ok(EXIT_OK)
}

/// A `--seed` Account in the emulator: the key pair its variables give
/// when both are set (so a run with those variables works unchanged), else
/// a generated one (also for `profile:`, and for a literal the manifests
/// should not hold). Printed as an `ACCOUNT` line either way, the key only
/// when generated.
fn seed_account(account: &RawAccount, environment: &dyn Environment) -> EmulatorAccount {
    let lookup = |name: &str| environment.var(name);
    let read = |value: &Option<Sourced<String>>| {
        value
            .as_ref()
            .and_then(|v| CredentialRef::parse(&v.value))
            .and_then(|reference| reference.resolve(&lookup))
            .filter(|v| !v.trim().is_empty())
    };
    let pair = match account.profile {
        Some(_) => None,
        None => read(&account.secret_id).zip(read(&account.secret_key)),
    };
    let key_variable = pair.as_ref().and_then(|_| {
        account
            .secret_key
            .as_ref()
            .and_then(|v| CredentialRef::parse(&v.value))
            .map(|reference| reference.variable)
    });
    let (secret_id, secret_key) = pair.unwrap_or_else(emulator::generate_credentials);
    EmulatorAccount {
        name: account.name.value.clone(),
        secret_id,
        secret_key,
        key_variable,
    }
}

/// `--tls`: a fresh CA and server certificate; the CA's PEM goes to
/// `--tls-ca-out FILE` (replaced whole, so a client never reads half of
/// it) before the URL line is printed, so a client that waits for that line
/// finds the file ready.
fn tls_identity(ca_out: Option<&Path>) -> Result<Arc<rustls::ServerConfig>, CommandError> {
    let identity =
        emulator::server::make_tls_identity().map_err(|message| CommandError::Emulator {
            source: std::io::Error::other(message),
        })?;
    match ca_out {
        Some(path) => {
            let file = NewFile {
                path,
                contents: identity.ca_pem.as_bytes(),
                private: false,
            };
            outfile::write_all(&[file], true)?;
            print_stderr(&format!(
                "TLS: the CA certificate to trust is in {}\n",
                path.display()
            ));
        }
        None => print_stderr(
            "TLS: no --tls-ca-out FILE, so no client can verify this server's certificate\n",
        ),
    }
    Ok(identity.config)
}

/// What `--seed` gives the emulator.
struct Seed {
    certificates: Vec<SeedCertificate>,
    accounts: Vec<EmulatorAccount>,
}

/// The certificates of the `--seed` manifests, their ids, domains and
/// owners, and their Accounts; nothing else. The emulator needs no more,
/// so nothing else need be settable: a `${VAR}` that is unset (a key
/// password, a contact's email, an account's credentials) does not stop
/// the seed, and profiles are not merged or checked (only followed to a
/// certificate's account, when the seed has accounts). What does stop it
/// (exit 1, with the diagnostics): a file that cannot be read or parsed, a
/// document that is not a manifest, any problem with a certificate's
/// `certificate_id` or `domain` itself (an unset variable there included),
/// since the emulator would serve a wrong certificate, and anything that
/// would make an owner wrong ([`crate::validate::accounts::seed_owners`]).
#[allow(clippy::type_complexity)]
fn read_seed(
    paths: &[PathBuf],
    environment: &dyn Environment,
    trust: &crate::cli::TrustArgs,
) -> Result<Result<Seed, (Loaded, Diagnostics)>, CommandError> {
    let budget = Budget::default();
    let input = ManifestInput::read(paths, budget)?;
    // `--env-allow` and the roots hold here too; Account endpoints are
    // not checked (the seed sends nothing).
    let trust = super::trust(trust, &input.paths)?;
    let mut loaded = load_trusted(
        &input.paths,
        &input.file_system(),
        &ProcessEnvironment,
        budget,
        &trust,
    );
    let all = std::mem::take(&mut loaded.diagnostics);
    let (certificates, accounts, fatal) = seed_of(&loaded, &all);
    if fatal.has_errors() {
        return Ok(Err((loaded, fatal)));
    }
    let accounts = accounts
        .iter()
        .map(|account| seed_account(account, environment))
        .collect();
    Ok(Ok(Seed {
        certificates,
        accounts,
    }))
}

/// Splits what loading found into the seed (its certificates and Accounts)
/// and the problems that stop it ([`read_seed`]).
fn seed_of<'a>(
    loaded: &'a Loaded,
    found: &Diagnostics,
) -> (Vec<SeedCertificate>, Vec<&'a RawAccount>, Diagnostics) {
    let certificates: Vec<&RawCertificate> = loaded
        .documents
        .iter()
        .filter_map(|(_, d)| match d {
            RawDocument::Certificate(c) => Some(c.as_ref()),
            RawDocument::Profile(_) | RawDocument::Account(_) => None,
        })
        .collect();
    let key_spans: Vec<Span> = certificates
        .iter()
        .flat_map(|c| [c.certificate_id.span, c.domain.span])
        .collect();
    let is_interpolation = |d: &Diagnostic| {
        matches!(
            d.code,
            Code::UnsetVariable | Code::InterpolationSyntax | Code::EmptyVariable
        )
    };
    // Where a variable could not be filled in, the schema saw `${NAME}`
    // itself; what it says about that text is not about a value either.
    let uninterpolated: Vec<Span> = found
        .iter()
        .filter(|d| is_interpolation(d))
        .filter_map(|d| d.span)
        .collect();
    let mut fatal = Diagnostics::default();
    for d in found.iter().filter(|d| d.severity == Severity::Error) {
        let on_key = d.span.is_some_and(|s| key_spans.contains(&s));
        let about_a_value =
            is_interpolation(d) || d.span.is_some_and(|s| uninterpolated.contains(&s));
        if on_key || !about_a_value {
            fatal.push(d.clone());
        }
    }
    let (owners, accounts) = crate::validate::accounts::seed_owners(&loaded.documents, &mut fatal);
    let seed = certificates
        .iter()
        .zip(owners)
        .map(|(c, owner)| SeedCertificate {
            certificate_id: c.certificate_id.value.clone(),
            domain: c.domain.value.clone(),
            owner,
        })
        .collect();
    (seed, accounts, fatal)
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

    /// The seed of `files` loaded with no variable set: (id, domain) pairs
    /// and the codes of the problems that stop it.
    fn seed(files: &[(&str, &str)]) -> (Vec<(String, String)>, Vec<&'static str>) {
        let mut loaded = crate::manifest::testing::loaded(files);
        let found = std::mem::take(&mut loaded.diagnostics);
        let (seed, _, fatal) = seed_of(&loaded, &found);
        (
            seed.into_iter()
                .map(|s| (s.certificate_id, s.domain))
                .collect(),
            fatal.iter().map(|d| d.code.as_str()).collect(),
        )
    }

    /// An Account whose credentials read `HK_ID` and `HK_KEY`.
    const ACCOUNT: &str = "apiVersion: tccert/v1\nkind: Account\nname: hk\nsecret_id: ${HK_ID}\nsecret_key: ${HK_KEY}\nregion: ap-hongkong\n";

    #[test]
    fn the_seed_reads_owners_and_accounts_with_no_variable_set() {
        use crate::manifest::testing::{PROFILE, certificate};
        let profile = PROFILE.replace("name: acme\n", "name: acme\naccount: hk\n");
        let inherited = certificate("www", "abc1", "");
        let own = certificate("api", "abc2", "account: cn\n");
        let cn = ACCOUNT.replace("name: hk", "name: cn");
        let mut loaded = crate::manifest::testing::loaded(&[
            ("a.yaml", ACCOUNT),
            ("cn.yaml", &cn),
            ("p.yaml", &profile),
            ("www.yaml", &inherited),
            ("api.yaml", &own),
        ]);
        let found = std::mem::take(&mut loaded.diagnostics);
        let (seeded, accounts, fatal) = seed_of(&loaded, &found);
        assert!(
            !fatal.has_errors(),
            "{:?}",
            fatal.iter().collect::<Vec<_>>()
        );
        let owners: Vec<(&str, Option<&str>)> = seeded
            .iter()
            .map(|s| (s.certificate_id.as_str(), s.owner.as_deref()))
            .collect();
        assert_eq!(owners, [("abc1", Some("hk")), ("abc2", Some("cn"))]);
        let names: Vec<&str> = accounts.iter().map(|a| a.name.value.as_str()).collect();
        assert_eq!(names, ["hk", "cn"]);

        // An owner that is no Account would serve the certificate to no
        // key pair: it stops the seed.
        let stray = certificate("www", "abc1", "account: nobody\n");
        assert_eq!(
            seed(&[("a.yaml", ACCOUNT), ("www.yaml", &stray)]).1,
            ["unknown-account"]
        );
        // With accounts, a certificate's profiles are followed to its owner.
        let lost = certificate("www", "abc1", "").replace("profiles: [acme]", "profiles: [gone]");
        assert_eq!(
            seed(&[("a.yaml", ACCOUNT), ("www.yaml", &lost)]).1,
            ["unknown-profile"]
        );
    }

    #[test]
    fn a_seed_account_takes_its_variables_when_set_else_a_generated_pair() {
        let mut loaded = crate::manifest::testing::loaded(&[("a.yaml", ACCOUNT)]);
        let found = std::mem::take(&mut loaded.diagnostics);
        let (_, accounts, _) = seed_of(&loaded, &found);
        let set = MapEnvironment::default()
            .with("HK_ID", "AKIDhk")
            .with("HK_KEY", "hk-key");
        let from_variables = seed_account(accounts[0], &set);
        assert_eq!(
            (
                from_variables.name.as_str(),
                from_variables.secret_id.as_str(),
                from_variables.secret_key.as_str()
            ),
            ("hk", "AKIDhk", "hk-key")
        );
        assert_eq!(
            crate::emulator::account_line(&from_variables),
            "ACCOUNT hk AKIDhk ${HK_KEY}",
            "a key from a variable is named, never printed"
        );
        for environment in [
            MapEnvironment::default(),
            MapEnvironment::default().with("HK_ID", "AKIDhk"),
            set.clone().with("HK_KEY", " "),
        ] {
            let generated = seed_account(accounts[0], &environment);
            assert_ne!(generated.secret_id, "AKIDhk");
            assert!(!generated.secret_id.is_empty() && !generated.secret_key.trim().is_empty());
            assert!(
                crate::emulator::account_line(&generated).ends_with(&generated.secret_key),
                "a generated key is printed: it only opens this emulator"
            );
        }
    }

    #[test]
    fn the_seed_ignores_unset_variables_outside_ids_and_domains() {
        use crate::manifest::testing::{PROFILE, certificate};
        let profile = PROFILE.replace("email: ", "email: ${CONTACT_EMAIL}\n  # was: ");
        let www = certificate("www", "abc1", "").replace(
            "type: online",
            "type: online\n  key_password: ${KEY_PASSWORD}",
        );
        let (seeded, fatal) = seed(&[("p.yaml", &profile), ("www.yaml", &www)]);
        assert_eq!(seeded, [("abc1".into(), "www.acme.example".into())]);
        assert!(fatal.is_empty(), "{fatal:?}");

        // In an id or a domain, the same unset variable stops the seed.
        let id = certificate("www", "${CERT_ID}", "");
        assert_eq!(seed(&[("www.yaml", &id)]).1, ["unset-variable"]);
        let domain = certificate("www", "abc1", "").replace("www.acme.example", "${DOMAIN}");
        assert_eq!(seed(&[("www.yaml", &domain)]).1, ["unset-variable"]);
        // And so does anything that is not about a value.
        let unknown = certificate("www", "abc1", "colour: blue\n");
        assert_eq!(seed(&[("www.yaml", &unknown)]).1, ["unknown-key"]);
    }

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
