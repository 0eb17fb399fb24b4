//! From command-line PATHs to raw documents: walking directories, reading
//! files, parsing, the `apiVersion`/`kind` gate, interpolation and the schema.
//!
//! The only manifest code with effects, and those go through
//! [`FileSystem`]/[`Environment`], so tests can run it on memory.
//!
//! Walking rules (manifest-format.md): directories recursively in sorted
//! order, files ending `.yaml`, `.yml` or `.toml`, hidden names skipped. A file
//! named on the command line is read whatever its name (as YAML unless it ends
//! `.toml`), the way `kubectl apply -f` treats an explicit file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::interpolate::{InterpolationError, interpolate, needs_interpolation};
use crate::manifest::raw::{CsrFile, RawDocument, from_tree};
use crate::manifest::tree::{Document, Format, Node, Value};
use crate::manifest::{toml as toml_parser, yaml};
use crate::schema::{self, API_VERSION, suggest};
use crate::source::{FileId, Files};
use crate::system::{EntryKind, Environment, FileSystem};

/// Largest manifest file read (a manifest is a few KiB).
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// Largest CSR file or inline PEM (a CSR is 1–3 KiB).
pub const MAX_CSR_BYTES: u64 = 64 * 1024;

/// Everything read in one run.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Files,
    pub documents: Vec<(FileId, RawDocument)>,
    pub diagnostics: Diagnostics,
}

pub fn load(paths: &[PathBuf], fs: &dyn FileSystem, env: &dyn Environment) -> Loaded {
    let mut loaded = Loaded::default();
    let mut manifest_paths = Vec::new();
    for path in paths {
        match fs.kind(path) {
            Ok(EntryKind::Directory) => {
                let mut walked = Walked::default();
                walk(
                    fs,
                    path,
                    &mut walked,
                    &mut manifest_paths,
                    &mut loaded.diagnostics,
                );
            }
            Ok(_) => manifest_paths.push(path.clone()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                loaded.diagnostics.push(Diagnostic::error(
                    Code::PathNotFound,
                    format!("{}: no such file or directory", path.display()),
                ))
            }
            Err(error) => loaded.diagnostics.push(Diagnostic::error(
                Code::ReadFailed,
                format!("{}: {error}", path.display()),
            )),
        }
    }
    if manifest_paths.is_empty() && !loaded.diagnostics.has_errors() {
        let named: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        loaded.diagnostics.push(
            Diagnostic::error(Code::NoManifests, format!("no manifest found in {}", named.join(", ")))
                .hint("manifests are files ending .yaml, .yml or .toml; hidden files and folders are skipped"),
        );
    }
    for path in manifest_paths {
        load_file(&mut loaded, fs, env, path);
    }
    loaded
}

fn is_manifest_name(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "toml")
    )
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// The directories of one walk, by canonical path.
#[derive(Default)]
struct Walked {
    /// From the top down to the current directory: meeting one again is a loop.
    ancestors: Vec<PathBuf>,
    /// Every directory walked so far. A directory reached again through
    /// another link is not walked again: its files are already read, and
    /// links fanning out level after level (ten links to the next directory,
    /// ten levels deep) would otherwise mean 10^10 walks.
    done: HashSet<PathBuf>,
}

fn walk(
    fs: &dyn FileSystem,
    dir: &Path,
    walked: &mut Walked,
    out: &mut Vec<PathBuf>,
    diagnostics: &mut Diagnostics,
) {
    let canonical = match fs.canonical(dir) {
        Ok(c) => c,
        Err(error) => {
            diagnostics.push(Diagnostic::error(
                Code::ReadFailed,
                format!("{}: {error}", dir.display()),
            ));
            return;
        }
    };
    if walked.ancestors.contains(&canonical) {
        diagnostics.push(
            Diagnostic::error(
                Code::ReadFailed,
                format!("{}: symbolic link loop", dir.display()),
            )
            .note(format!("it leads back to {}", canonical.display())),
        );
        return;
    }
    if !walked.done.insert(canonical.clone()) {
        return;
    }
    let mut entries = match fs.list(dir) {
        Ok(entries) => entries,
        Err(error) => {
            diagnostics.push(Diagnostic::error(
                Code::ReadFailed,
                format!("{}: {error}", dir.display()),
            ));
            return;
        }
    };
    entries.sort();
    walked.ancestors.push(canonical);
    for entry in entries {
        if is_hidden(&entry) {
            continue;
        }
        match fs.kind(&entry) {
            Ok(EntryKind::Directory) => walk(fs, &entry, walked, out, diagnostics),
            Ok(EntryKind::File) if is_manifest_name(&entry) => out.push(entry),
            // A FIFO, socket or device named like a manifest: reading it could
            // block for ever (a FIFO without a writer), and skipping it
            // silently would lose a manifest the user meant. Named on the
            // command line it is read (`tccert validate <(envsubst < m.yaml)`).
            Ok(EntryKind::Other) if is_manifest_name(&entry) => diagnostics.push(
                Diagnostic::error(
                    Code::ReadFailed,
                    format!(
                        "{}: not a regular file (a FIFO, socket or device); not read",
                        entry.display()
                    ),
                )
                .hint("name it on the command line to read it anyway"),
            ),
            Ok(_) => {}
            // A dangling symlink or a loop of file links: only an error if it
            // would have been a manifest.
            Err(error) if is_manifest_name(&entry) => {
                diagnostics.push(Diagnostic::error(
                    Code::ReadFailed,
                    format!("{}: {error}", entry.display()),
                ));
            }
            Err(_) => {}
        }
    }
    walked.ancestors.pop();
}

fn load_file(loaded: &mut Loaded, fs: &dyn FileSystem, env: &dyn Environment, path: PathBuf) {
    let bytes = match fs.read(&path, MAX_MANIFEST_BYTES) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::FileTooLarge => {
            loaded.diagnostics.push(
                Diagnostic::error(
                    Code::FileTooLarge,
                    format!(
                        "{}: larger than {} MiB",
                        path.display(),
                        MAX_MANIFEST_BYTES >> 20
                    ),
                )
                .note("a manifest holds a few KiB; this limit keeps memory bounded"),
            );
            return;
        }
        Err(error) => {
            loaded.diagnostics.push(Diagnostic::error(
                Code::ReadFailed,
                format!("{}: {error}", path.display()),
            ));
            return;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let valid = String::from_utf8_lossy(&error.as_bytes()[..offset]).into_owned();
            let line = valid.matches('\n').count() + 1;
            loaded.diagnostics.push(
                Diagnostic::error(
                    Code::NotUtf8,
                    format!(
                        "{}: not valid UTF-8 (byte {offset}, line {line})",
                        path.display()
                    ),
                )
                .hint("save the file as UTF-8"),
            );
            return;
        }
    };
    // A byte-order mark is legal at the start of YAML and harmless in TOML
    // editors produce; drop it so positions match what the user sees.
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let format = if path.extension().and_then(|e| e.to_str()) == Some("toml") {
        Format::Toml
    } else {
        Format::Yaml
    };
    let file = loaded.files.add(path, text);
    let (documents, parse_diagnostics) = match format {
        Format::Yaml => yaml::parse(file, &loaded.files.get(file).text),
        Format::Toml => toml_parser::parse(file, loaded.files.get(file)),
    };
    for d in parse_diagnostics {
        loaded.diagnostics.push(d);
    }
    for mut document in documents {
        let mut problems = Vec::new();
        let gate_passed = check_document(loaded, &mut document, env, &mut problems);
        let clean = problems.is_empty();
        for d in problems {
            loaded.diagnostics.push(d);
        }
        if !gate_passed {
            continue;
        }
        // A document with schema errors is still read as far as it is well
        // typed, so that the checks after merging can report their problems
        // in the same run (and references to it do not read as missing).
        // The run has errors, so nothing built from it is ever sent.
        match from_tree(&document.root, !clean) {
            Some(mut raw) => {
                if let RawDocument::Certificate(certificate) = &mut raw {
                    // A literal password is in the file text itself: mask it
                    // in every quoted source line. `${NAME}` shows only a name.
                    if let Some(password) = &certificate.csr.key_password {
                        let written = loaded.files.text_at(password.span).unwrap_or_default();
                        if !written.contains("${") {
                            loaded.files.redact(password.span);
                        }
                    }
                    if let Some(file_ref) = &certificate.csr.file {
                        let base = loaded
                            .files
                            .path(file)
                            .parent()
                            .map(Path::to_path_buf)
                            .unwrap_or_default();
                        let csr_path = base.join(&file_ref.value);
                        let text = fs
                            .read(&csr_path, MAX_CSR_BYTES)
                            .map_err(|e| match e.kind() {
                                std::io::ErrorKind::FileTooLarge => {
                                    format!("larger than {} KiB", MAX_CSR_BYTES >> 10)
                                }
                                _ => e.to_string(),
                            })
                            .and_then(|b| {
                                String::from_utf8(b).map_err(|_| "not UTF-8 text".to_string())
                            });
                        certificate.csr.loaded_file = Some(CsrFile {
                            path: csr_path,
                            text,
                        });
                    }
                }
                loaded.documents.push((file, raw));
            }
            None if clean => loaded.diagnostics.push(
                Diagnostic::error(
                    Code::Schema,
                    "internal error: a schema-valid document could not be read",
                )
                .at(document.root.span),
            ),
            None => {}
        }
    }
}

/// The gate every document passes before the schema: a mapping, the right
/// `apiVersion`, a known `kind`; then interpolation and the schema itself.
/// Returns whether the document passed the gate (so its kind is known).
fn check_document(
    loaded: &Loaded,
    document: &mut Document,
    env: &dyn Environment,
    problems: &mut Vec<Diagnostic>,
) -> bool {
    let root = &document.root;
    if !matches!(root.value, Value::Mapping(_)) {
        problems.push(
            Diagnostic::error(Code::NotAMapping, format!("a manifest document must be a mapping, not {}", root.type_name()))
                .at(root.span)
                .hint("start the document with `apiVersion: tccert/v1` and `kind: Certificate` or `kind: Profile`"),
        );
        return false;
    }
    let first_key = |root: &Node| match &root.value {
        Value::Mapping(entries) => entries.first().map_or(root.span, |e| e.key_span),
        _ => root.span,
    };
    match root.get("apiVersion").map(|e| &e.value) {
        None => problems.push(
            Diagnostic::error(Code::ApiVersion, "document has no `apiVersion`")
                .at(first_key(root))
                .hint(format!("add `apiVersion: {API_VERSION}`")),
        ),
        Some(node) if !matches!(&node.value, Value::String(t) if t.text == API_VERSION) => problems
            .push(
                Diagnostic::error(
                    Code::ApiVersion,
                    format!("unsupported apiVersion {}", describe(node)),
                )
                .at(node.span)
                .hint(format!(
                    "this version of tccert reads `apiVersion: {API_VERSION}`"
                )),
            ),
        Some(_) => {}
    }
    match root.get("kind").map(|e| &e.value) {
        None => problems.push(
            Diagnostic::error(Code::Kind, "document has no `kind`")
                .at(first_key(root))
                .hint("add `kind: Certificate` or `kind: Profile`"),
        ),
        Some(node) => {
            let kind = match &node.value {
                Value::String(t) => Some(t.text.as_str()),
                _ => None,
            };
            if !matches!(kind, Some("Profile" | "Certificate")) {
                let mut d =
                    Diagnostic::error(Code::Kind, format!("unknown kind {}", describe(node)))
                        .at(node.span)
                        .note("a document is `kind: Profile` or `kind: Certificate`");
                if let Some(near) = kind.and_then(|k| suggest(k, ["Profile", "Certificate"])) {
                    d = d.hint(format!("did you mean `{near}`?"));
                }
                problems.push(d);
            }
        }
    }
    if !problems.is_empty() {
        return false;
    }
    interpolate_tree(&mut document.root, env, problems);
    schema::validate(&loaded.files, document, problems);
    true
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::String(_) => schema::quoted_value(node),
        _ => node.type_name().to_string(),
    }
}

/// Interpolates every string value in place, marking environment values secret.
fn interpolate_tree(node: &mut Node, env: &dyn Environment, problems: &mut Vec<Diagnostic>) {
    match &mut node.value {
        Value::String(text) if needs_interpolation(&text.text) => {
            match interpolate(&text.text, &|name| env.var(name)) {
                Ok(done) => {
                    text.text = done.text;
                    text.secret |= done.from_environment;
                }
                Err(error) => {
                    let (code, hint) = match &error {
                        InterpolationError::Unset { name } => (
                            Code::UnsetVariable,
                            format!(
                                "set {name} in the environment, or give a default: ${{{name}:-value}}"
                            ),
                        ),
                        _ => (
                            Code::InterpolationSyntax,
                            "write `${NAME}` or `${NAME:-default}`; `$$` is a literal `$`"
                                .to_string(),
                        ),
                    };
                    problems.push(
                        Diagnostic::error(code, error.to_string())
                            .at(node.span)
                            .hint(hint),
                    );
                }
            }
        }
        Value::Sequence(items) => items
            .iter_mut()
            .for_each(|n| interpolate_tree(n, env, problems)),
        Value::Mapping(entries) => entries
            .iter_mut()
            .for_each(|e| interpolate_tree(&mut e.value, env, problems)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::MapEnvironment;
    use std::io;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Directories `d0`..`d{levels}`; each but the last holds `fan` links to
    /// the next (`dN/lK` → `d{N+1}`), plus a FIFO named `pipe.yaml` in `d0`.
    struct FanOut {
        levels: usize,
        fan: usize,
        lists: AtomicUsize,
    }

    impl FanOut {
        /// The directory level a path names (`d3` or any `.../lK` link to it).
        fn level(&self, path: &Path) -> Option<usize> {
            let name = path.file_name()?.to_str()?;
            if let Some(n) = name.strip_prefix('d') {
                return n.parse().ok();
            }
            name.strip_prefix('l')?;
            Some(self.level(path.parent()?)? + 1)
        }
    }

    impl FileSystem for FanOut {
        fn read(&self, _: &Path, _: u64) -> io::Result<Vec<u8>> {
            Err(io::ErrorKind::NotFound.into())
        }
        fn kind(&self, path: &Path) -> io::Result<EntryKind> {
            if path.ends_with("pipe.yaml") {
                return Ok(EntryKind::Other);
            }
            match self.level(path) {
                Some(n) if n <= self.levels => Ok(EntryKind::Directory),
                _ => Err(io::ErrorKind::NotFound.into()),
            }
        }
        fn list(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
            self.lists.fetch_add(1, Ordering::Relaxed);
            let level = self.level(path).ok_or(io::ErrorKind::NotFound)?;
            let mut entries = Vec::new();
            if level < self.levels {
                entries.extend((0..self.fan).map(|k| path.join(format!("l{k}"))));
            }
            if level == 0 {
                entries.push(path.join("pipe.yaml"));
            }
            Ok(entries)
        }
        fn canonical(&self, path: &Path) -> io::Result<PathBuf> {
            let level = self.level(path).ok_or(io::ErrorKind::NotFound)?;
            Ok(PathBuf::from(format!("/d{level}")))
        }
    }

    #[test]
    fn links_fanning_out_walk_each_directory_once_and_fifos_are_reported() {
        let fs = FanOut {
            levels: 10,
            fan: 10,
            lists: AtomicUsize::new(0),
        };
        let loaded = load(&[PathBuf::from("d0")], &fs, &MapEnvironment::default());
        // 11 directories, not 10^10 paths through them.
        assert_eq!(fs.lists.load(Ordering::Relaxed), 11);
        let messages: Vec<&str> = loaded
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("pipe.yaml: not a regular file")),
            "{messages:?}"
        );
    }

    #[test]
    fn many_small_alias_bombs_in_one_file_are_one_bomb() {
        let document = format!(
            "---\n- &a [{}]\n- [{}]\n",
            vec!["x"; 100].join(","),
            vec!["*a"; 900].join(",")
        );
        let fs = crate::system::MemoryFileSystem::default().with("m.yaml", &document.repeat(50));
        let loaded = load(&[PathBuf::from("m.yaml")], &fs, &MapEnvironment::default());
        let codes: Vec<Code> = loaded.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.contains(&Code::YamlAliasLimit), "{codes:?}");
    }
}
