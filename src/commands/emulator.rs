//! `tccert emulator`: the built-in emulator as a server of its own, seeded
//! from manifests (through the front door) and `--seed-id`, with optional
//! faults, until Ctrl-C or SIGTERM.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{
    CommandError, CommandResult, EXIT_FAILURE, EXIT_OK, load_and_validate, report_diagnostics,
};
use crate::cli::{EmulatorArgs, ManifestArgs, Output};
use crate::emulator::{self, EmulatorConfig, SeedCertificate};
use crate::system::{Environment, ProcessEnvironment, STDIN_PATH};

pub async fn run(args: EmulatorArgs) -> CommandResult {
    let environment = ProcessEnvironment;
    let mut seed = Vec::new();
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
        }));
    }
    for pair in &args.seed_id {
        match pair.split_once('=') {
            Some((id, domain)) if !id.is_empty() && !domain.is_empty() => {
                seed.push(SeedCertificate {
                    certificate_id: id.to_string(),
                    domain: domain.to_string(),
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
