//! Manifests for unit tests, loaded from memory: a full profile (`acme`), a
//! certificate that uses it, and the loader run on them without a disk.

use std::path::PathBuf;

use super::load::{Loaded, load};
use crate::system::{MapEnvironment, MemoryFileSystem};

/// A profile with every field `SubmitCertificateInformation` requires, and
/// a postal code; the integration tests' profile too.
pub const PROFILE: &str = include_str!("../../tests/fixtures/profile.yaml");

/// A certificate named `name` with id `id` on `acme`, online CSR; `extra`
/// is appended as more top-level YAML.
pub fn certificate(name: &str, id: &str, extra: &str) -> String {
    format!(
        "apiVersion: tccert/v1
kind: Certificate
name: {name}
certificate_id: {id}
profiles: [acme]
domain: {name}.acme.example
csr:
  type: online
{extra}"
    )
}

/// The files (path, text) in memory, the paths in order.
pub fn files(files: &[(&str, &str)]) -> (MemoryFileSystem, Vec<PathBuf>) {
    let fs = files
        .iter()
        .fold(MemoryFileSystem::default(), |fs, (path, text)| {
            fs.with(path, text)
        });
    let paths = files.iter().map(|(p, _)| PathBuf::from(p)).collect();
    (fs, paths)
}

/// The loader on `files` with an empty environment.
pub fn loaded(files_: &[(&str, &str)]) -> Loaded {
    let (fs, paths) = files(files_);
    load(&paths, &fs, &MapEnvironment::default())
}
