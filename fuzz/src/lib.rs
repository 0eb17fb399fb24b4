//! What the fuzz targets share: the whole loader and validator run on one
//! manifest held in memory, next to the example profiles and CSRs so that
//! inputs seeded from examples/ reach merging and CSR checks too.

use std::path::PathBuf;

use tccert::manifest::load::Budget;
use tccert::pipeline;
use tccert::system::{MapEnvironment, MemoryFileSystem};
use tccert::validate::Options;

/// The files of examples/ an input may refer to (`profiles: [acme]`,
/// `account: acme-hk`, `file: ../csr/api-acme.csr`), compiled in.
const FIXED: &[(&str, &str)] = &[
    (
        "profiles/acme.yaml",
        include_str!("../../examples/profiles/acme.yaml"),
    ),
    (
        "profiles/acme-hk.toml",
        include_str!("../../examples/profiles/acme-hk.toml"),
    ),
    (
        "profiles/pki-team.yaml",
        include_str!("../../examples/profiles/pki-team.yaml"),
    ),
    // The acme-hk profile names this account.
    (
        "accounts/acme-hk.yaml",
        include_str!("../../examples/accounts/acme-hk.yaml"),
    ),
    (
        "csr/api-acme.csr",
        include_str!("../../examples/csr/api-acme.csr"),
    ),
    (
        "csr/wildcard-acme.csr",
        include_str!("../../examples/csr/wildcard-acme.csr"),
    ),
];

/// Loads `bytes` as `certificates/<name>` (with the fixed profiles) and
/// validates the lot through the pipeline's front door, as `tccert validate`
/// does, but on memory. Any panic is a finding; the diagnostics themselves
/// are not judged here, except that they must render.
pub fn load_and_validate(name: &str, bytes: &[u8]) {
    let mut fs = MemoryFileSystem::default();
    for (path, text) in FIXED {
        fs = fs.with(path, text);
    }
    let manifest = format!("certificates/{name}");
    let fs = fs.with_bytes(&manifest, bytes);
    let env = MapEnvironment::default()
        .with("WWW_KEY_PASSWORD", "from-the-environment")
        .with("EMPTY", "");
    let mut paths: Vec<PathBuf> = FIXED
        .iter()
        .filter(|(p, _)| p.starts_with("profiles/") || p.starts_with("accounts/"))
        .map(|(p, _)| PathBuf::from(p))
        .collect();
    paths.push(PathBuf::from(manifest));
    let checked =
        pipeline::load_and_validate(&paths, &fs, &env, Budget::default(), Options::default());
    let _ = tccert::output::diagnostics::render_text(&checked.loaded.files, &checked.diagnostics);
}
