//! `tccert emulator`: the built-in emulator as a server of its own, seeded
//! from manifests (their ids, domains and accounts only) and `--seed-id`, with
//! optional faults and TLS, until Ctrl-C or SIGTERM. (Where `plan`/`apply
//! --emulator` keep the emulator's state for a tree: the run layer,
//! `commands/runner.rs`.)

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
use crate::system::{Environment, ProcessEnvironment};

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
        local_check_after: args.local_check_after.map(Duration::from_secs_f64),
        tls,
        ..EmulatorConfig::default()
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
        .flat_map(|c| {
            c.certificate_id
                .as_ref()
                .map(|id| id.span)
                .into_iter()
                .chain([c.domain.span])
        })
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
    // A certificate without an id (`purchase:`) is bought, not seeded.
    let seed = certificates
        .iter()
        .zip(owners)
        .filter_map(|(c, owner)| {
            Some(SeedCertificate {
                certificate_id: c.certificate_id.as_ref()?.value.clone(),
                domain: c.domain.value.clone(),
                owner,
            })
        })
        .collect();
    (seed, accounts, fatal)
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
}
