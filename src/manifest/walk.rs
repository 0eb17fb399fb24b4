//! Walking the command line's PATHs: directories recursively in sorted
//! order, the files whose names make them manifests, hidden names skipped.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::manifest::trust::Trust;
use crate::system::{EntryKind, FileSystem};

pub(super) fn is_manifest_name(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "toml")
    )
}

pub(super) fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// The directories of one walk, by canonical path.
pub(super) struct Walked<'a> {
    /// Where files may be read from.
    pub(super) trust: &'a Trust,
    /// From the top down to the current directory: meeting one again is a loop.
    pub(super) ancestors: Vec<PathBuf>,
    /// Every directory walked so far. A directory reached again through
    /// another link is not walked again: its files are already read, and
    /// links fanning out level after level (ten links to the next directory,
    /// ten levels deep) would otherwise mean 10^10 walks.
    pub(super) done: HashSet<PathBuf>,
}

/// Adds the manifests under `dir` to `out`, stopping once `out` holds more
/// than `most`.
pub(super) fn walk(
    fs: &dyn FileSystem,
    dir: &Path,
    walked: &mut Walked<'_>,
    out: &mut Vec<PathBuf>,
    most: usize,
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
        if out.len() > most {
            break;
        }
        if is_hidden(&entry) {
            continue;
        }
        match fs.kind(&entry) {
            // A directory linked in from outside the roots is not listed:
            // the names of the files there would show in diagnostics.
            Ok(EntryKind::Directory) if !walked.trust.path_inside(fs, &entry) => {
                diagnostics.push(
                    Diagnostic::error(
                        Code::PathOutsideTree,
                        format!(
                            "{}: a symbolic link to outside the directories this run may read; not read",
                            entry.display()
                        ),
                    )
                    .note("directories found by walking must lie, once symlinks are resolved, in the current directory, a PATH given or an --allow-path DIR"),
                );
            }
            Ok(EntryKind::Directory) => walk(fs, &entry, walked, out, most, diagnostics),
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
