//! The files a manifest names besides itself: `csr.file` and
//! `confirm_letter`. Both are resolved from the manifest's directory (from
//! the current directory for stdin `-`), then through symlinks, and must lie
//! inside a root ([`Trust::path_inside`]); outside, the one
//! `path-outside-tree` message, which names the path as written and never
//! says whether the target exists. A confirmation letter is read up to the
//! largest letter and one byte more, never further.

use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::manifest::raw::{LetterFile, LetterUnread, RawDocument, confirm_letter_ref};
use crate::manifest::tree::Node;
use crate::manifest::trust::Trust;
use crate::source::{FileId, Files, Sourced};
use crate::system::{EntryKind, FileSystem};

use super::budget::{MAX_LETTER_BYTES, Over, Spending};

/// `path-outside-tree` for a file a manifest names under `key`
/// (`csr.file`, `confirm_letter`): the same words for every such key.
pub(super) fn outside_tree(key: &str, written: &Sourced<String>, keep: &str) -> Diagnostic {
    Diagnostic::error(
        Code::PathOutsideTree,
        format!(
            "`{key}` `{}` is outside the directories this run may read",
            written.value
        ),
    )
    .at(written.span)
    .note("files named in manifests must lie, once symlinks are resolved, in the current directory, a PATH given on the command line (or a file's directory), or an --allow-path DIR")
    .hint(format!(
        "keep {keep} beside the manifests, or (the operator) add --allow-path DIR"
    ))
}

/// The manifest's directory, which paths in it are relative to (empty for
/// stdin `-`: the current directory).
pub(super) fn base_of(files: &Files, file: FileId) -> PathBuf {
    files
        .path(file)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Reads the `confirm_letter` a profile or certificate names, if any, into
/// the raw document; `path-outside-tree` and the input budget are reported
/// here, everything else (unreadable, type, size) in validation.
pub(super) fn load_letter(
    (files, diagnostics): (&Files, &mut Diagnostics),
    fs: &dyn FileSystem,
    trust: &Trust,
    file: FileId,
    root: &Node,
    raw: &mut RawDocument,
    spending: &mut Spending,
) {
    let Some(written) = confirm_letter_ref(root) else {
        return;
    };
    if matches!(raw, RawDocument::Account(_)) {
        return;
    }
    let path = base_of(files, file).join(&written.value);
    let bytes = if trust.path_inside(fs, &path) {
        match read_letter(fs, &path, spending) {
            Ok(bytes) => bytes,
            Err(over) => {
                let diagnostic = spending.diagnostic(over, &path);
                diagnostics.push(diagnostic.at(written.span));
                Err(LetterUnread::Unreadable(
                    "not read: the run's input budget is spent".to_string(),
                ))
            }
        }
    } else {
        // Never read, and the message tells nothing of what is there.
        diagnostics.push(outside_tree("confirm_letter", &written, "the letter"));
        Err(LetterUnread::Outside)
    };
    let letter = LetterFile {
        written,
        path,
        bytes,
    };
    match raw {
        RawDocument::Profile(profile) => profile.confirm_letter = Some(Box::new(letter)),
        RawDocument::Certificate(certificate) => certificate.confirm_letter = Some(letter),
        RawDocument::Account(_) => {}
    }
}

/// Reads a letter: its bytes (`None` when larger than the largest letter),
/// or why not; the outer error is the run's budget running out. Only a
/// regular file is opened (a FIFO would block for ever).
fn read_letter(
    fs: &dyn FileSystem,
    path: &Path,
    spending: &mut Spending,
) -> Result<Result<Option<Vec<u8>>, LetterUnread>, Over> {
    let unreadable = |why: &str| Ok(Err(LetterUnread::Unreadable(why.to_string())));
    match fs.kind(path) {
        Ok(EntryKind::File) => {}
        Ok(EntryKind::Directory) => return unreadable("it is a directory"),
        Ok(EntryKind::Other) => {
            return unreadable("not a regular file (a FIFO, socket or device); not read");
        }
        Err(error) => return unreadable(&plain_io(&error)),
    }
    if spending.over {
        return unreadable("not read: the run's input budget is spent");
    }
    let limit = spending.next_file(MAX_LETTER_BYTES)?;
    match fs.read(path, limit) {
        Ok(bytes) => {
            spending.spend(bytes.len());
            Ok(Ok(Some(bytes)))
        }
        Err(error) if error.kind() == std::io::ErrorKind::FileTooLarge => {
            if let Some(over) = spending.too_large(limit, MAX_LETTER_BYTES) {
                return Err(over);
            }
            // Read up to the limit and one byte more, then dropped.
            spending.spend(usize::try_from(limit + 1).unwrap_or(usize::MAX));
            Ok(Ok(None))
        }
        Err(error) => unreadable(&plain_io(&error)),
    }
}

/// Why a file cannot be read, in plain words: the reason, without the
/// system's error number ("No such file or directory (os error 2)").
pub(super) fn plain_io(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "there is no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        kind => kind.to_string(),
    }
}
