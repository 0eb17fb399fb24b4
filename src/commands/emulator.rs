//! `tccert emulator`: the built-in emulator as a server of its own, seeded
//! from manifests (through the front door) and `--seed-id`, with optional
//! faults, until Ctrl-C or SIGTERM.

use std::time::Duration;

use super::{
    CommandError, CommandResult, EXIT_FAILURE, EXIT_OK, load_and_validate, report_diagnostics,
};
use crate::certificate::{Account, AccountCredentials};
use crate::cli::{EmulatorArgs, ManifestArgs, Output};
use crate::emulator::{self, EmulatorAccount, EmulatorConfig, SeedCertificate};
use crate::system::{Environment, ProcessEnvironment};

pub async fn run(args: EmulatorArgs) -> CommandResult {
    let environment = ProcessEnvironment;
    let mut seed = Vec::new();
    let mut accounts = Vec::new();
    if !args.seed.is_empty() {
        let manifest_args = ManifestArgs::new(args.seed.clone());
        let (loaded, validated, diagnostics) = load_and_validate(&manifest_args);
        report_diagnostics(Output::Text, &loaded, &diagnostics);
        let Some(validated) = validated else {
            return Ok(EXIT_FAILURE);
        };
        seed.extend(validated.certificates.iter().map(|c| SeedCertificate {
            certificate_id: c.certificate_id.value.clone(),
            domain: c.domain.value.clone(),
            owner: c.account.clone(),
        }));
        accounts.extend(
            validated
                .accounts
                .iter()
                .map(|account| seed_account(account, &environment)),
        );
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
    };
    emulator::run_cli(config)
        .await
        .map_err(|source| CommandError::Emulator { source })?;
    Ok(EXIT_OK)
}

/// A `--seed` Account in the emulator: the key pair its variables give
/// when both are set (so a run with those variables works unchanged), else
/// a generated one. Printed as an `ACCOUNT` line either way.
fn seed_account(account: &Account, environment: &dyn Environment) -> EmulatorAccount {
    let lookup = |name: &str| environment.var(name);
    let pair = match &account.credentials {
        AccountCredentials::Variables {
            secret_id,
            secret_key,
            ..
        } => secret_id
            .resolve(&lookup)
            .zip(secret_key.resolve(&lookup))
            .filter(|(id, key)| !id.trim().is_empty() && !key.trim().is_empty()),
        AccountCredentials::Profile(_) => None,
    };
    let (secret_id, secret_key) = pair.unwrap_or_else(emulator::generate_credentials);
    EmulatorAccount {
        name: account.name.clone(),
        secret_id,
        secret_key,
    }
}
