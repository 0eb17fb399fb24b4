//! From command-line PATHs to raw documents: walking directories, reading
//! files, parsing, the `apiVersion`/`kind` gate, interpolation and the schema.
//!
//! The only manifest code with effects, and those go through
//! [`FileSystem`]/[`Environment`], so tests can run it on memory.
//!
//! Walking rules (docs/manifest-format.md, "Files and documents"): directories recursively in sorted
//! order, files ending `.yaml`, `.yml` or `.toml`, hidden names skipped. A file
//! named on the command line is read whatever its name (as YAML unless it ends
//! `.toml`), the way `kubectl apply -f` treats an explicit file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::files::plain_io;
use crate::certificate::CredentialRef;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::manifest::FORMAT_VERSION;
use crate::manifest::raw::{
    ACCOUNT_CREDENTIAL_KEYS, ACCOUNT_LITERAL_KEYS, CsrFile, RawDocument, from_tree,
};
use crate::manifest::schema::{self, suggest};
use crate::manifest::tree::{Document, Format, Node, Value};
use crate::manifest::trust::Trust;
use crate::manifest::{toml as toml_parser, yaml};
use crate::source::{FileId, Files, Span};
use crate::system::{EntryKind, Environment, FileSystem};

#[allow(clippy::wildcard_imports)]
use super::budget::*;
pub use super::budget::{
    Budget, DEFAULT_MAX_FILES, DEFAULT_MAX_INPUT_BYTES, MAX_CSR_BYTES, MAX_LETTER_BYTES,
    MAX_MANIFEST_BYTES,
};
#[allow(clippy::wildcard_imports)]
use super::document::*;
#[allow(clippy::wildcard_imports)]
use super::walk::*;

/// What a `csr.file` outside the allowed roots reads as: reported once,
/// as `path-outside-tree`, by the loader.
pub const OUTSIDE_TREE: &str = "outside the directories this run may read";

/// Everything read in one run.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Files,
    pub documents: Vec<(FileId, RawDocument)>,
    pub diagnostics: Diagnostics,
    /// Profiles that are referenced, not among the documents read, and may
    /// be in a file or document that failed to read: their references are
    /// not reported (the failure is, with a note); see `excuse_unread`.
    pub unread_profiles: Vec<String>,
    /// Accounts likewise: `account:` references to them are not reported.
    pub unread_accounts: Vec<String>,
    /// Every `${NAME}` interpolated into a field, and where.
    pub references: Vec<(String, Span)>,
}

/// [`load_within`] the default [`Budget`].
pub fn load(paths: &[PathBuf], fs: &dyn FileSystem, env: &dyn Environment) -> Loaded {
    load_within(paths, fs, env, Budget::default())
}

/// Loads every manifest under `paths`, reading no more than `budget` allows,
/// with no limit on the variables and files manifests may name.
pub fn load_within(
    paths: &[PathBuf],
    fs: &dyn FileSystem,
    env: &dyn Environment,
    budget: Budget,
) -> Loaded {
    load_trusted(paths, fs, env, budget, &Trust::default())
}

/// Loads every manifest under `paths`, reading no more than `budget` allows
/// and no variable or file that `trust` does not allow.
pub fn load_trusted(
    paths: &[PathBuf],
    fs: &dyn FileSystem,
    env: &dyn Environment,
    budget: Budget,
    trust: &Trust,
) -> Loaded {
    let mut loaded = Loaded::default();
    let mut spending = Spending::new(budget);
    let mut manifest_paths = Vec::new();
    // The walk stops once it has found more manifests than may be read, so
    // a huge tree costs no more than the budget either.
    let most = usize::try_from(budget.max_files).unwrap_or(usize::MAX);
    for path in paths {
        if manifest_paths.len() > most {
            break;
        }
        match fs.kind(path) {
            Ok(EntryKind::Directory) => {
                let mut walked = Walked {
                    trust,
                    ancestors: Vec::new(),
                    done: HashSet::new(),
                };
                walk(
                    fs,
                    path,
                    &mut walked,
                    &mut manifest_paths,
                    most,
                    &mut loaded.diagnostics,
                );
            }
            Ok(_) => manifest_paths.push(path.clone()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                loaded.diagnostics.push(Diagnostic::error(
                    Code::PathNotFound,
                    format!("{}: no such file or directory", path.display()),
                ));
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
    if let Some(first_over) = manifest_paths.get(most) {
        // More manifests than may be read: say so before reading any.
        let diagnostic = spending.diagnostic(Over::Files, first_over);
        loaded.diagnostics.push(diagnostic);
        return loaded;
    }
    // A manifest found by walking (not named on the command line) is read
    // only inside the roots, once symlinks are resolved: a pull request may
    // add `leak.yaml -> ~/.tencentcloud/credentials`, whose text a parse
    // error would quote.
    manifest_paths.retain(|path| {
        if paths.contains(path) || trust.path_inside(fs, path) {
            return true;
        }
        loaded.diagnostics.push(
            Diagnostic::error(
                Code::PathOutsideTree,
                format!(
                    "{}: a symbolic link to outside the directories this run may read; not read",
                    path.display()
                ),
            )
            .note("files found by walking must lie, once symlinks are resolved, in the current directory, a PATH given or an --allow-path DIR")
            .hint("name the file on the command line to read it anyway"),
        );
        false
    });
    let found_files = !manifest_paths.is_empty();
    for path in manifest_paths {
        load_file(&mut loaded, fs, env, trust, path, &mut spending);
        if spending.over {
            // Checks over part of the input would only mislead (a profile
            // in an unread file reads as missing): the budget error stands
            // alone, with whatever the files read so far showed.
            loaded.documents.clear();
            break;
        }
    }
    if found_files && loaded.documents.is_empty() && !loaded.diagnostics.has_errors() {
        loaded
            .diagnostics
            .push(no_documents(paths, loaded.files.len()));
    }
    check_credential_variables(&mut loaded);
    excuse_unread(&mut loaded);
    loaded
}

/// `credential-role` and `credential-variable`: each variable tccert reads
/// as a credential has one role (the default ones theirs by name, an
/// Account's the key it is named under), and no field interpolates one.
fn check_credential_variables(loaded: &mut Loaded) {
    use crate::manifest::trust::{DEFAULT_CREDENTIAL_VARIABLES, Role};
    use std::collections::BTreeMap;
    let mut roles: BTreeMap<String, (Role, Option<Span>)> = DEFAULT_CREDENTIAL_VARIABLES
        .iter()
        .map(|(name, role)| (name.to_string(), (*role, None)))
        .collect();
    let mut problems = Vec::new();
    for (_, document) in &loaded.documents {
        let RawDocument::Account(account) = document else {
            continue;
        };
        for (key, value) in [
            ("secret_id", &account.secret_id),
            ("secret_key", &account.secret_key),
            ("token", &account.token),
        ] {
            let (Some(value), Some(role)) = (value, Role::of_key(key)) else {
                continue;
            };
            let Some(reference) = CredentialRef::parse(&value.value) else {
                continue;
            };
            let name = reference.variable;
            match roles.get(&name) {
                Some((first, _)) if *first == role => {}
                Some((first, at)) => {
                    let mut d = Diagnostic::error(
                        Code::CredentialRole,
                        format!(
                            "`${{{name}}}` is named as `{key}` here, but it is {}",
                            match at {
                                Some(_) => format!("a `{}` elsewhere", first.key()),
                                None => format!("the default `{}`", first.key()),
                            }
                        ),
                    )
                    .at(value.span)
                    .note("each credential variable has one role: the SecretId travels in clear in the Authorization header, the SecretKey never does")
                    .hint("name a variable that holds this account's own credential of this kind");
                    if let Some(at) = at {
                        d = d.related(*at, format!("named as `{}` here", first.key()));
                    }
                    problems.push(d);
                }
                None => {
                    roles.insert(name, (role, Some(value.span)));
                }
            }
        }
    }
    for (name, span) in &loaded.references {
        if crate::manifest::trust::default_role(name).is_some() {
            continue; // reported where it was interpolated
        }
        if let Some((role, Some(at))) = roles.get(name) {
            problems.push(
                Diagnostic::error(
                    Code::CredentialVariable,
                    format!(
                        "`${{{name}}}` is an Account's `{}`: no field may read it",
                        role.key()
                    ),
                )
                .at(*span)
                .related(*at, "named as a credential here")
                .note("credentials go in the Authorization header to Tencent Cloud only; a field's value is sent, printed and saved")
                .hint("remove the reference"),
            );
        }
    }
    for d in problems {
        loaded.diagnostics.push(d);
    }
}

/// Whether a diagnostic means documents were lost: a PATH, file or
/// document that could not be read as far as its `kind` and `name`.
fn loses_documents(code: Code) -> bool {
    matches!(
        code,
        Code::PathNotFound
            | Code::ReadFailed
            | Code::NotUtf8
            | Code::FileTooLarge
            | Code::YamlSyntax
            | Code::TomlSyntax
            | Code::YamlUnsupported
            | Code::YamlAliasLimit
            | Code::DuplicateKey
            | Code::NotAMapping
            | Code::ApiVersion
            | Code::Kind
    )
}

/// After a file fails to parse, what it would have defined reads as
/// missing: a tab in a profile's file gave one `unknown-profile` error per
/// certificate using it, before the real cause. So a missing profile whose
/// name is in the text of a file that failed (or that failed with no text
/// to look in: unreadable, not UTF-8, a PATH not found) is not reported;
/// the failure gets a note naming the profile and its users instead. A
/// name in no failed file is still reported as missing.
fn excuse_unread(loaded: &mut Loaded) {
    let failures: Vec<(usize, Option<FileId>)> = loaded
        .diagnostics
        .iter()
        .enumerate()
        .filter(|(_, d)| d.severity == crate::diag::Severity::Error && loses_documents(d.code))
        .map(|(i, d)| (i, d.span.map(|s| s.file)))
        .collect();
    if failures.is_empty() {
        return;
    }
    // Profiles and Accounts, by (kind, name): a failed file may have
    // defined either.
    let defined: HashSet<(&str, &str)> = loaded
        .documents
        .iter()
        .filter_map(|(_, d)| match d {
            RawDocument::Profile(p) => Some(("profile", p.name.value.as_str())),
            RawDocument::Account(a) => Some(("account", a.name.value.as_str())),
            RawDocument::Certificate(_) => None,
        })
        .collect();
    // Missing names in first-use order, each with the documents using it.
    let mut missing: Vec<((&str, String), Vec<String>)> = Vec::new();
    for (_, document) in &loaded.documents {
        let (user, references, account) = match document {
            RawDocument::Profile(p) => (&p.name.value, &p.profiles, &p.account),
            RawDocument::Certificate(c) => (&c.name.value, &c.profiles, &c.account),
            RawDocument::Account(_) => continue,
        };
        let references = references
            .iter()
            .map(|r| ("profile", r))
            .chain(account.iter().map(|a| ("account", a)));
        for (kind, reference) in references {
            if defined.contains(&(kind, reference.value.as_str())) || reference.secret {
                continue;
            }
            let key = (kind, reference.value.clone());
            match missing.iter_mut().find(|(k, _)| *k == key) {
                Some((_, users)) if !users.contains(user) => users.push(user.clone()),
                Some(_) => {}
                None => missing.push((key, vec![user.clone()])),
            }
        }
    }
    let mut notes: Vec<(usize, String)> = Vec::new();
    for ((kind, name), users) in missing {
        let place = failures.iter().find(|(_, file)| {
            file.is_none_or(|file| loaded.files.get(file).text.contains(name.as_str()))
        });
        if let Some((index, _)) = place {
            let users: Vec<String> = users.iter().map(|u| format!("`{u}`")).collect();
            notes.push((
                *index,
                format!(
                    "{kind} `{name}`, used by {}, is in no document read; it may be defined here, so its uses are not checked until this is fixed",
                    users.join(", ")
                ),
            ));
            match kind {
                "account" => loaded.unread_accounts.push(name),
                _ => loaded.unread_profiles.push(name),
            }
        }
    }
    for (index, note) in notes {
        loaded.diagnostics.add_note(index, note);
    }
}

/// Files were found but none holds a document (each is empty or only
/// comments): as with no files at all, there is nothing to act on, and
/// "valid: 0 certificates" would hide a wrong PATH. Parse and gate errors
/// are reported instead, so this is only for a run with no other error.
fn no_documents(paths: &[PathBuf], files: usize) -> Diagnostic {
    let named: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    Diagnostic::error(
        Code::NoManifests,
        format!(
            "no manifest document in {}: the {files} file{} read {} empty or only comments",
            named.join(", "),
            crate::diag::plural(files),
            if files == 1 { "is" } else { "are" }
        ),
    )
    .hint("a manifest document starts with `apiVersion: tccert/v1` and `kind: Certificate` or `kind: Profile`")
}

fn load_file(
    loaded: &mut Loaded,
    fs: &dyn FileSystem,
    env: &dyn Environment,
    trust: &Trust,
    path: PathBuf,
    spending: &mut Spending,
) {
    let limit = match spending.next_file(MAX_MANIFEST_BYTES) {
        Ok(limit) => limit,
        Err(over) => return loaded.diagnostics.push(spending.diagnostic(over, &path)),
    };
    let bytes = match fs.read(&path, limit) {
        Ok(bytes) => {
            spending.spend(bytes.len());
            bytes
        }
        Err(error) if error.kind() == std::io::ErrorKind::FileTooLarge => {
            if let Some(over) = spending.too_large(limit, MAX_MANIFEST_BYTES) {
                return loaded.diagnostics.push(spending.diagnostic(over, &path));
            }
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
        redact_key_password(&mut loaded.files, &document);
        let mut problems = Vec::new();
        let mut reading = Reading {
            env,
            trust,
            reads: Vec::new(),
            values: Vec::new(),
            references: Vec::new(),
        };
        let gate_passed = check_document(loaded, &mut document, &mut reading, &mut problems);
        for (text, names) in reading.reads {
            loaded.diagnostics.from_environment(&text, &names);
        }
        for (value, name) in reading.values {
            loaded.diagnostics.variable_value(&value, &name);
        }
        loaded.references.extend(reading.references);
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
                if let RawDocument::Account(account) = &raw {
                    // A literal credential is in the file text itself: mask
                    // it in every quoted source line (`literal-secret`
                    // reports it without its value).
                    for value in [&account.secret_id, &account.secret_key, &account.token]
                        .into_iter()
                        .flatten()
                    {
                        if CredentialRef::parse(&value.value).is_none() {
                            loaded.files.redact(value.span);
                        }
                    }
                }
                super::files::load_letter(
                    (&loaded.files, &mut loaded.diagnostics),
                    fs,
                    trust,
                    file,
                    &document.root,
                    &mut raw,
                    spending,
                );
                if let RawDocument::Certificate(certificate) = &mut raw
                    && let Some(file_ref) = &certificate.csr.file
                {
                    let csr_path = super::files::base_of(&loaded.files, file).join(&file_ref.value);
                    if !trust.path_inside(fs, &csr_path) {
                        // Never read, and the message tells nothing of
                        // what is there: not even whether it exists.
                        loaded
                            .diagnostics
                            .push(super::files::outside_tree("csr.file", file_ref, "the CSR"));
                        certificate.csr.loaded_file = Some(CsrFile {
                            path: csr_path,
                            text: Err(OUTSIDE_TREE.to_string()),
                        });
                        loaded.documents.push((file, raw));
                        continue;
                    }
                    let text = match read_csr_file(fs, &csr_path, spending) {
                        Ok(text) => text,
                        Err(over) => {
                            let diagnostic = spending.diagnostic(over, &csr_path);
                            loaded.diagnostics.push(diagnostic.at(file_ref.span));
                            Err("not read: the run's input budget is spent".to_string())
                        }
                    };
                    certificate.csr.loaded_file = Some(CsrFile {
                        path: csr_path,
                        text,
                    });
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

/// Reads a `csr.file`: the text, or why not (a `csr-file` error later); the
/// outer error is the run's budget running out.
///
/// Only a regular file is opened. Opening a FIFO blocks until something
/// writes to it (for ever, if nothing does) and a device may never end, so
/// the kind is checked first; unlike a manifest named on the command line,
/// a path inside a manifest is not something the user just typed. (The
/// check and the open are two steps: swapping the file in between takes
/// write access to the manifest tree, which already decides what is sent.)
fn read_csr_file(
    fs: &dyn FileSystem,
    path: &Path,
    spending: &mut Spending,
) -> Result<Result<String, String>, Over> {
    match fs.kind(path) {
        Ok(EntryKind::File) => {}
        Ok(EntryKind::Directory) => return Ok(Err("it is a directory".to_string())),
        Ok(EntryKind::Other) => {
            return Ok(Err(
                "not a regular file (a FIFO, socket or device); not read".to_string(),
            ));
        }
        Err(error) => return Ok(Err(plain_io(&error))),
    }
    if spending.over {
        return Ok(Err("not read: the run's input budget is spent".to_string()));
    }
    let limit = spending.next_file(MAX_CSR_BYTES)?;
    match fs.read(path, limit) {
        Ok(bytes) => {
            spending.spend(bytes.len());
            Ok(String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string()))
        }
        Err(error) if error.kind() == std::io::ErrorKind::FileTooLarge => {
            match spending.too_large(limit, MAX_CSR_BYTES) {
                Some(over) => Err(over),
                None => Ok(Err(format!("larger than {} KiB", MAX_CSR_BYTES >> 10))),
            }
        }
        Err(error) => Ok(Err(plain_io(&error))),
    }
}

/// The gate every document passes before the schema: a mapping, the right
/// `apiVersion`, a known `kind`; then interpolation and the schema itself.
/// Returns whether the document passed the gate (so its kind is known).
fn check_document(
    loaded: &Loaded,
    document: &mut Document,
    reading: &mut Reading,
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
                .hint(format!("add `apiVersion: {FORMAT_VERSION}`")),
        ),
        Some(node) if !matches!(&node.value, Value::String(t) if t.text == FORMAT_VERSION) => {
            problems.push(
                Diagnostic::error(
                    Code::ApiVersion,
                    format!("unsupported apiVersion {}", describe(node)),
                )
                .at(node.span)
                .hint(format!(
                    "this version of tccert reads `apiVersion: {FORMAT_VERSION}`"
                )),
            );
        }
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
            if !matches!(kind, Some("Profile" | "Certificate" | "Account")) {
                let mut d =
                    Diagnostic::error(Code::Kind, format!("unknown kind {}", describe(node)))
                        .at(node.span)
                        .note(
                            "a document is `kind: Profile`, `kind: Certificate` or `kind: Account`",
                        );
                if let Some(near) =
                    kind.and_then(|k| suggest(k, ["Profile", "Certificate", "Account"]))
                {
                    d = d.hint(format!("did you mean `{near}`?"));
                }
                problems.push(d);
            }
        }
    }
    if !problems.is_empty() {
        return false;
    }
    let is_account = matches!(
        document.root.get("kind").map(|e| &e.value.value),
        Some(Value::String(t)) if t.text == "Account"
    );
    match &mut document.root.value {
        // An Account's credentials stay as written (`${NAME}`): they are
        // read only when a run talks to a real endpoint, and checked for
        // that form in validation (`literal-secret`, which also covers an
        // unbraced `$NAME` there without quoting the value).
        Value::Mapping(entries) if is_account => {
            for e in entries.iter_mut() {
                if ACCOUNT_CREDENTIAL_KEYS.contains(&e.key.as_str()) {
                    // Not interpolated, but `--env-allow` holds for them too.
                    reading.check_allowed(&e.value, problems);
                    continue;
                }
                warn_unbraced(&e.value, Some(&e.key), problems);
                if ACCOUNT_LITERAL_KEYS.contains(&e.key.as_str()) {
                    literal_only(&e.key, &mut e.value, problems);
                    continue;
                }
                interpolate_tree(&mut e.value, reading, problems);
            }
        }
        _ => {
            warn_unbraced(&document.root, None, problems);
            interpolate_tree(&mut document.root, reading, problems);
        }
    }
    schema::validate(&loaded.files, document, problems);
    true
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

    /// `count` comment-only manifests of `size` bytes each under `m/`.
    fn comments(count: usize, size: usize) -> crate::system::MemoryFileSystem {
        let text = format!("#{}\n", "x".repeat(size - 2));
        (0..count).fold(crate::system::MemoryFileSystem::default(), |fs, i| {
            fs.with(&format!("m/{i}.yaml"), &text)
        })
    }

    fn codes(loaded: &Loaded) -> Vec<Code> {
        loaded.diagnostics.iter().map(|d| d.code).collect()
    }

    #[test]
    fn the_byte_budget_covers_the_whole_run_not_each_file() {
        let env = MapEnvironment::default();
        let paths = [PathBuf::from("m")];
        let budget = |max_bytes| Budget {
            max_bytes,
            max_files: 100,
        };
        // Exactly the five files' 500 bytes: all read (they hold no
        // document, which is the only complaint).
        let fs = comments(5, 100);
        let loaded = load_within(&paths, &fs, &env, budget(500));
        assert_eq!(codes(&loaded), [Code::NoManifests]);
        assert_eq!(loaded.files.len(), 5);
        // One byte less: the fifth file is not read, and says so.
        let loaded = load_within(&paths, &fs, &env, budget(499));
        assert_eq!(codes(&loaded), [Code::InputBudget]);
        assert_eq!(loaded.files.len(), 4);
        let message = &loaded.diagnostics.iter().next().map(|d| d.message.clone());
        assert_eq!(
            message.as_deref(),
            Some(
                "more than 499 bytes to read in this run (manifests, CSR files and letters together): stopped before m/4.yaml"
            )
        );
        // Each file is under its own 4 MiB cap; the default budget is not
        // the per-file cap.
        assert_eq!(
            codes(&load(&paths, &comments(3, 100), &env)),
            [Code::NoManifests]
        );
    }

    #[test]
    fn too_many_manifests_are_refused_before_any_is_read() {
        let env = MapEnvironment::default();
        let fs = comments(5, 10);
        let budget = |max_files| Budget {
            max_bytes: 1 << 20,
            max_files,
        };
        let loaded = load_within(&[PathBuf::from("m")], &fs, &env, budget(4));
        assert_eq!(codes(&loaded), [Code::InputBudget]);
        assert_eq!(loaded.files.len(), 0, "nothing read");
        let loaded = load_within(&[PathBuf::from("m")], &fs, &env, budget(5));
        assert_eq!(codes(&loaded), [Code::NoManifests], "all read");
    }

    #[test]
    fn a_profile_in_a_file_that_failed_is_not_reported_missing() {
        let env = MapEnvironment::default();
        let uses =
            |profiles: &str| CERTIFICATE.replace("dv: true", &format!("profiles: [{profiles}]"));
        let fs = crate::system::MemoryFileSystem::default()
            .with(
                "m/acme.yaml",
                "apiVersion: tccert/v1\nkind: Profile\nname: acme\norganization:\n\tname: x\n",
            )
            .with("m/www.yaml", &uses("acme, other"));
        let loaded = load(&[PathBuf::from("m")], &fs, &env);
        assert_eq!(codes(&loaded), [Code::YamlSyntax]);
        assert_eq!(
            loaded.unread_profiles,
            ["acme"],
            "`other` is not in acme.yaml"
        );
        let notes: Vec<&String> = loaded.diagnostics.iter().flat_map(|d| &d.notes).collect();
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].starts_with("profile `acme`, used by `www`,"),
            "{notes:?}"
        );
        // Nothing failed: nothing is excused.
        let fs = fs.with(
            "m/acme.yaml",
            "apiVersion: tccert/v1\nkind: Profile\nname: acme\n",
        );
        assert!(
            load(&[PathBuf::from("m")], &fs, &env)
                .unread_profiles
                .is_empty()
        );
        // A document that fails its gate counts too; a PATH not found may
        // hold anything.
        let fs = fs.with(
            "m/acme.yaml",
            "apiVersion: tccert/v1\nkind: Profil\nname: acme\n",
        );
        assert_eq!(
            load(&[PathBuf::from("m")], &fs, &env).unread_profiles,
            ["acme"]
        );
        let fs = crate::system::MemoryFileSystem::default().with("m/www.yaml", &uses("acme"));
        let loaded = load(&[PathBuf::from("m"), PathBuf::from("gone")], &fs, &env);
        assert_eq!(codes(&loaded), [Code::PathNotFound]);
        assert_eq!(loaded.unread_profiles, ["acme"]);
    }

    #[test]
    fn files_without_a_document_are_no_manifests() {
        let env = MapEnvironment::default();
        let paths = [PathBuf::from("m")];
        let fs = crate::system::MemoryFileSystem::default()
            .with("m/empty.yaml", "")
            .with("m/comments.toml", "# nothing yet\n")
            .with("m/separators.yaml", "# a\n---\n# b\n---\n");
        let loaded = load(&paths, &fs, &env);
        assert_eq!(codes(&loaded), [Code::NoManifests]);
        let message = loaded.diagnostics.iter().next().map(|d| d.message.clone());
        assert_eq!(
            message.as_deref(),
            Some("no manifest document in m: the 3 files read are empty or only comments")
        );
        // One document anywhere is enough.
        let fs = fs.with("m/www.yaml", CERTIFICATE);
        assert!(!codes(&load(&paths, &fs, &env)).contains(&Code::NoManifests));
        // A file that does not parse says so, not that nothing was found.
        let fs = crate::system::MemoryFileSystem::default().with("m/bad.yaml", "a: [\n");
        assert_eq!(codes(&load(&paths, &fs, &env)), [Code::YamlSyntax]);
    }

    const CERTIFICATE: &str = "apiVersion: tccert/v1\nkind: Certificate\nname: www\ncertificate_id: a\ndomain: www.example.com\ndv: true\ncsr:\n  type: parse\n  file: www.csr\n";

    fn csr_text(loaded: &Loaded) -> Option<Result<String, String>> {
        loaded.documents.iter().find_map(|(_, d)| match d {
            RawDocument::Certificate(c) => c.csr.loaded_file.as_ref().map(|f| f.text.clone()),
            RawDocument::Profile(_) | RawDocument::Account(_) => None,
        })
    }

    #[test]
    fn a_special_csr_file_is_never_opened() {
        let why = |fs: crate::system::MemoryFileSystem| {
            let fs = fs.with("www.yaml", CERTIFICATE);
            let loaded = load(
                &[PathBuf::from("www.yaml")],
                &fs,
                &MapEnvironment::default(),
            );
            csr_text(&loaded).and_then(Result::err)
        };
        // MemoryFileSystem fails any read of a special file, so the message
        // below also proves it was never opened.
        assert_eq!(
            why(crate::system::MemoryFileSystem::default().with_special("www.csr")).as_deref(),
            Some("not a regular file (a FIFO, socket or device); not read")
        );
        assert_eq!(
            why(crate::system::MemoryFileSystem::default().with("www.csr/x", "")).as_deref(),
            Some("it is a directory")
        );
    }

    #[test]
    fn csr_files_count_against_the_budget() {
        let fs = crate::system::MemoryFileSystem::default()
            .with("www.yaml", CERTIFICATE)
            .with("www.csr", "-----BEGIN CERTIFICATE REQUEST-----\n");
        let env = MapEnvironment::default();
        let paths = [PathBuf::from("www.yaml")];
        let files = |max_files| Budget {
            max_bytes: 1 << 20,
            max_files,
        };
        let loaded = load_within(&paths, &fs, &env, files(2));
        assert!(codes(&loaded).is_empty(), "{:?}", codes(&loaded));
        assert!(matches!(csr_text(&loaded), Some(Ok(_))));
        let loaded = load_within(&paths, &fs, &env, files(1));
        assert_eq!(codes(&loaded), [Code::InputBudget]);
        assert!(loaded.documents.is_empty(), "no partial checks");
        // Bytes: the manifest fits, the CSR after it does not.
        let bytes = Budget {
            max_bytes: CERTIFICATE.len() as u64 + 10,
            max_files: 10,
        };
        let loaded = load_within(&paths, &fs, &env, bytes);
        assert_eq!(codes(&loaded), [Code::InputBudget]);
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
