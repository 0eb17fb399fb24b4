//! Writing the files tccert makes (`csr new`, `init`, `man --out-dir`,
//! the folders `download` unpacks, the
//! emulator's `--state` file): an effect at the edge, used by `commands/` and
//! the emulator.
//!
//! Two rules:
//! - Nothing that exists is replaced unless the caller says so (`--force`),
//!   and a run writes all of its files or none of them.
//! - A private file (a private key) is created with mode 0600 from the
//!   start: it is never, even for a moment, readable by others, as a file
//!   created 0644 and then narrowed with chmod would be.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// One file to write.
pub struct NewFile<'a> {
    pub path: &'a Path,
    pub contents: &'a [u8],
    /// Readable and writable by the owner only (0600 on Unix).
    pub private: bool,
}

/// Which file could not be written, and why.
#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub error: io::Error,
    /// Files already in place when the error came. Empty but for a rename
    /// failing part way through a replace (a directory's permissions
    /// changing under the run, say).
    pub written: Vec<PathBuf>,
}

/// `cannot write PATH: WHY; nothing was written` (or which files were).
impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write {}: {}; ", self.path.display(), self.error)?;
        if self.written.is_empty() {
            f.write_str("nothing was written")
        } else {
            let written: Vec<String> = self
                .written
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            write!(
                f,
                "only {} {} written",
                written.join(", "),
                if written.len() == 1 { "was" } else { "were" }
            )
        }
    }
}

/// The paths among `paths` that exist (a dangling symbolic link counts: it
/// would be written through or replaced).
pub fn existing<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Vec<&'a Path> {
    paths
        .into_iter()
        .filter(|p| std::fs::symlink_metadata(p).is_ok())
        .collect()
}

/// Writes every file, or none.
///
/// Without `replace`, each file is created with `O_EXCL` (`create_new`): a
/// file that appeared since the caller looked is an error, never
/// overwritten; if one file fails, the files this call created are removed.
///
/// With `replace`, each file is first written to a new temporary file beside
/// it (created with the final mode), and only when all are written are they
/// renamed into place. A replaced file so gets the new mode rather than
/// keeping a looser one, and a symbolic link in the way is replaced, not
/// written through.
pub fn write_all(files: &[NewFile<'_>], replace: bool) -> Result<(), WriteError> {
    let mut created: Vec<PathBuf> = Vec::new();
    let cleanup = |created: &[PathBuf]| {
        for path in created {
            let _ = std::fs::remove_file(path);
        }
    };
    for file in files {
        let target = if replace {
            temporary_sibling(file.path)
        } else {
            file.path.to_path_buf()
        };
        if let Err(error) = create_and_write(&target, file) {
            // A temporary file that was created is in `created` only once
            // written; remove one left half-written too.
            if replace {
                let _ = std::fs::remove_file(&target);
            }
            cleanup(&created);
            return Err(WriteError {
                path: file.path.to_path_buf(),
                error,
                written: Vec::new(),
            });
        }
        created.push(target);
    }
    if replace {
        for (index, (file, temporary)) in files.iter().zip(&created).enumerate() {
            if let Err(error) = std::fs::rename(temporary, file.path) {
                // Those renamed already are in place; the rest are dropped.
                cleanup(&created[index..]);
                return Err(WriteError {
                    path: file.path.to_path_buf(),
                    error,
                    written: files[..index]
                        .iter()
                        .map(|f| f.path.to_path_buf())
                        .collect(),
                });
            }
        }
    }
    Ok(())
}

/// `.NAME.tccert-RANDOM.tmp` in the same directory, so the rename is within
/// one file system (and so atomic).
/// Whether two paths name the same directory entry, however they are
/// spelled: `sub/../key.pem` and `key.pem`, or a path through a symbolic
/// link to the directory. The directories are resolved (they must exist to
/// be written into); the last component is compared as written, because
/// [`write_all`] replaces a link there instead of writing through it.
pub fn same_destination(a: &Path, b: &Path) -> bool {
    fn resolved(path: &Path) -> Option<PathBuf> {
        let name = path.file_name()?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        Some(std::fs::canonicalize(parent).ok()?.join(name))
    }
    match (resolved(a), resolved(b)) {
        (Some(a), Some(b)) => a == b,
        // A directory that does not exist cannot be written into anyway;
        // compare as written so that the same spelling still counts.
        _ => std::path::absolute(a).ok() == std::path::absolute(b).ok(),
    }
}

fn temporary_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tccert-{:016x}.tmp", fastrand::u64(..)))
}

fn create_and_write(path: &Path, file: &NewFile<'_>) -> io::Result<()> {
    let mut handle = open_new(path, file.private)?;
    // A key that reached the disk only half is worse than none.
    let written = handle
        .write_all(file.contents)
        .and_then(|()| handle.sync_all());
    if written.is_err() {
        // This call created the file (`create_new`): remove what a full
        // disk left of it, so that an empty key file does not block the
        // next try.
        drop(handle);
        let _ = std::fs::remove_file(path);
    }
    written
}

fn open_new(path: &Path, private: bool) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // The mode is applied by open(2) itself, less the umask.
        options.mode(if private { 0o600 } else { 0o666 });
    }
    #[cfg(not(unix))]
    let _ = private;
    options.open(path)
}

/// What [`write_folder`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolderWrite {
    /// The folder was not there: written.
    Created,
    /// A folder with other content was there: replaced (`replace`).
    Replaced,
    /// The folder holds exactly these entries already: left as it is.
    Same,
}

/// Why [`write_folder`] wrote nothing.
#[derive(Debug)]
pub enum FolderError {
    /// Something else is there (other files, other content, a link or a
    /// file in its place) and `replace` was not given: left alone.
    Differs(PathBuf),
    /// Writing failed; nothing was put in place (the temporary folder is
    /// removed).
    Io { path: PathBuf, error: io::Error },
    /// `replace`: the new folder could not be renamed in, and the old one,
    /// moved aside, could not be put back either: it is kept at `aside`.
    OldAside {
        target: PathBuf,
        aside: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for FolderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FolderError::Differs(path) => write!(
                f,
                "{} exists with other content; left alone (--force replaces it)",
                path.display()
            ),
            FolderError::Io { path, error } => write!(
                f,
                "cannot write {}: {error}; nothing was written",
                path.display()
            ),
            FolderError::OldAside {
                target,
                aside,
                error,
            } => write!(
                f,
                "cannot put the new folder at {}: {error}; the old one could not be put back and is kept, whole, at {}",
                target.display(),
                aside.display()
            ),
        }
    }
}

/// Writes `entries` (an archive's, already checked: relative paths, no
/// `..`) as the folder `dir/name`: every file 0600, every folder 0700 (on
/// Unix, less the umask), `dir` made 0700 when missing.
///
/// The folder is written whole under a temporary name in `dir`
/// (`.NAME.tccert-RANDOM.tmp`) and renamed into place, so a reader never
/// sees half of it. When `dir/name` exists: the same files with the same
/// bytes and the same folders (nothing else, no link) is [`FolderWrite::Same`]
/// and nothing is written; anything else is [`FolderError::Differs`] unless
/// `replace`, which moves the old one aside under a temporary name, renames
/// the new one in and removes the old (a link in the way is moved aside,
/// never followed).
pub fn write_folder(
    dir: &Path,
    name: &str,
    entries: &[crate::archive::Entry],
    replace: bool,
) -> Result<FolderWrite, FolderError> {
    let target = dir.join(name);
    let io_error = |path: &Path, error: io::Error| FolderError::Io {
        path: path.to_path_buf(),
        error,
    };
    let exists = std::fs::symlink_metadata(&target).is_ok();
    if exists {
        if holds_exactly(&target, entries) {
            return Ok(FolderWrite::Same);
        }
        if !replace {
            return Err(FolderError::Differs(target));
        }
    }
    create_private_dirs(dir).map_err(|e| io_error(dir, e))?;
    let temporary = temporary_sibling(&target);
    if let Err(error) = fill_folder(&temporary, entries) {
        let _ = std::fs::remove_dir_all(&temporary);
        return Err(io_error(&target, error));
    }
    if !exists {
        return put_new_folder(&temporary, &target, entries);
    }
    let old = temporary_sibling(&target).with_extension("old");
    if let Err(error) = std::fs::rename(&target, &old) {
        let _ = std::fs::remove_dir_all(&temporary);
        return Err(io_error(&target, error));
    }
    if let Err(error) = std::fs::rename(&temporary, &target) {
        let _ = std::fs::remove_dir_all(&temporary);
        // Put the old one back: nothing changed. If even that fails, say
        // where the old content is rather than leave it to be found.
        if std::fs::rename(&old, &target).is_err() {
            return Err(FolderError::OldAside {
                target,
                aside: old,
                error,
            });
        }
        return Err(io_error(&target, error));
    }
    let removed = if std::fs::symlink_metadata(&old).is_ok_and(|m| m.is_dir()) {
        std::fs::remove_dir_all(&old)
    } else {
        std::fs::remove_file(&old)
    };
    if let Err(error) = removed {
        tracing::warn!(path = %old.display(), %error, "cannot remove the folder download replaced");
    }
    Ok(FolderWrite::Replaced)
}

/// Renames the filled `temporary` folder to `target`, which was absent. When
/// the rename fails because something took the place meanwhile (another
/// download into the same DIR), a folder holding exactly these entries is
/// the same outcome, not a failure.
fn put_new_folder(
    temporary: &Path,
    target: &Path,
    entries: &[crate::archive::Entry],
) -> Result<FolderWrite, FolderError> {
    match std::fs::rename(temporary, target) {
        Ok(()) => Ok(FolderWrite::Created),
        Err(error) => {
            let _ = std::fs::remove_dir_all(temporary);
            if holds_exactly(target, entries) {
                return Ok(FolderWrite::Same);
            }
            Err(FolderError::Io {
                path: target.to_path_buf(),
                error,
            })
        }
    }
}

/// Makes `dir` and its missing parents, each 0700 (an existing one keeps
/// its mode: the user chose it).
fn create_private_dirs(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Writes the entries into the new folder `root`.
fn fill_folder(root: &Path, entries: &[crate::archive::Entry]) -> io::Result<()> {
    use crate::archive::Entry;
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(root)?;
    builder.recursive(true);
    for entry in entries {
        let path = entry_path(root, entry.path());
        match entry {
            Entry::Folder(_) => builder.create(&path)?,
            Entry::File { contents, .. } => {
                if let Some(parent) = path.parent() {
                    builder.create(parent)?;
                }
                create_and_write(
                    &path,
                    &NewFile {
                        path: &path,
                        contents,
                        private: true,
                    },
                )?;
            }
        }
    }
    Ok(())
}

/// An archive path (`/`-separated, relative, checked) under `root`.
fn entry_path(root: &Path, path: &str) -> PathBuf {
    path.split('/')
        .filter(|part| !part.is_empty())
        .fold(root.to_path_buf(), |p, part| p.join(part))
}

/// Whether the folder `root` holds exactly `entries`: the same files with
/// the same bytes, the same folders (those named and those files are in),
/// and nothing else (a link or anything that is neither file nor folder
/// differs). Reads at most what the archive holds, plus one byte a file.
fn holds_exactly(root: &Path, entries: &[crate::archive::Entry]) -> bool {
    use crate::archive::Entry;
    use std::collections::{BTreeMap, BTreeSet};
    let mut files: BTreeMap<PathBuf, &[u8]> = BTreeMap::new();
    let mut folders: BTreeSet<PathBuf> = BTreeSet::new();
    for entry in entries {
        let path = entry_path(Path::new(""), entry.path());
        let mut parent = path.parent();
        while let Some(p) = parent.filter(|p| !p.as_os_str().is_empty()) {
            folders.insert(p.to_path_buf());
            parent = p.parent();
        }
        match entry {
            Entry::Folder(_) => {
                folders.insert(path);
            }
            Entry::File { contents, .. } => {
                files.insert(path, contents);
            }
        }
    }
    let Ok(meta) = std::fs::symlink_metadata(root) else {
        return false;
    };
    if !meta.is_dir() {
        return false;
    }
    let mut seen_files = 0;
    let mut seen_folders = 0;
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        let Ok(listing) = std::fs::read_dir(root.join(&relative)) else {
            return false;
        };
        for item in listing {
            let Ok(item) = item else { return false };
            let path = relative.join(item.file_name());
            let Ok(kind) = item.file_type() else {
                return false;
            };
            if kind.is_dir() && folders.contains(&path) {
                seen_folders += 1;
                stack.push(path);
            } else if kind.is_file()
                && let Some(expected) = files.get(&path)
            {
                if !same_bytes(&root.join(&path), expected) {
                    return false;
                }
                seen_files += 1;
            } else {
                return false;
            }
        }
    }
    seen_files == files.len() && seen_folders == folders.len()
}

/// Whether the file at `path` holds exactly `expected` (read no further
/// than one byte past it).
fn same_bytes(path: &Path, expected: &[u8]) -> bool {
    use std::io::Read as _;
    let Ok(file) = File::open(path) else {
        return false;
    };
    let mut bytes = Vec::new();
    let limit = expected.len() as u64 + 1;
    file.take(limit).read_to_end(&mut bytes).is_ok() && bytes == expected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_destination_sees_through_dot_dot_and_linked_directories() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let key = dir.path().join("same.pem");
        assert!(same_destination(&sub.join("../same.pem"), &key));
        assert!(same_destination(&dir.path().join("./same.pem"), &key));
        // Windows makes directory links only with privileges.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path(), dir.path().join("link")).unwrap();
            assert!(same_destination(&dir.path().join("link/same.pem"), &key));
        }
        assert!(!same_destination(&sub.join("same.pem"), &key));
        assert!(!same_destination(&dir.path().join("other.pem"), &key));
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_new_files_and_refuses_existing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        let files = [
            NewFile {
                path: &a,
                contents: b"one",
                private: false,
            },
            NewFile {
                path: &b,
                contents: b"two",
                private: true,
            },
        ];
        write_all(&files, false).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"one");
        assert_eq!(
            existing([a.as_path(), b.as_path(), dir.path().join("c").as_path()]).len(),
            2
        );

        // b exists now: the whole write fails, and the file it created first
        // (c) is removed again.
        std::fs::remove_file(&a).unwrap();
        let c = dir.path().join("c");
        let again = [
            NewFile {
                path: &c,
                contents: b"three",
                private: false,
            },
            NewFile {
                path: &b,
                contents: b"changed",
                private: true,
            },
        ];
        let error = write_all(&again, false).unwrap_err();
        assert_eq!(error.path, b);
        assert_eq!(error.error.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&b).unwrap(), b"two");
        assert_eq!(leftovers(dir.path()), ["b"]);
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_0600_even_when_replacing_a_looser_file() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.pem");
        std::fs::write(&key, "old").unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let file = NewFile {
            path: &key,
            contents: b"new",
            private: true,
        };
        write_all(std::slice::from_ref(&file), true).unwrap();
        assert_eq!(std::fs::read(&key).unwrap(), b"new");
        assert_eq!(mode(&key), 0o600);
        // No temporary file is left behind.
        assert_eq!(leftovers(dir.path()), ["k.pem"]);

        let fresh = dir.path().join("fresh.pem");
        write_all(
            &[NewFile {
                path: &fresh,
                contents: b"x",
                private: true,
            }],
            false,
        )
        .unwrap();
        assert_eq!(mode(&fresh), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn replacing_a_symbolic_link_does_not_write_through_it() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, "untouched").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let file = NewFile {
            path: &link,
            contents: b"key",
            private: true,
        };
        assert_eq!(
            write_all(std::slice::from_ref(&file), false)
                .unwrap_err()
                .error
                .kind(),
            io::ErrorKind::AlreadyExists
        );
        write_all(std::slice::from_ref(&file), true).unwrap();
        assert_eq!(std::fs::read(&elsewhere).unwrap(), b"untouched");
        assert_eq!(std::fs::read(&link).unwrap(), b"key");
        assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
    }

    #[test]
    fn a_folder_another_download_put_in_place_first_is_the_same_outcome() {
        use crate::archive::Entry;
        let dir = tempfile::tempdir().unwrap();
        let entries = vec![Entry::File {
            path: "a.crt".into(),
            contents: b"chain".to_vec(),
        }];
        // Two downloads into one DIR: both saw no `www`, both filled a
        // temporary folder; the other one renamed its folder in first.
        let target = dir.path().join("www");
        fill_folder(&target, &entries).unwrap();
        let mine = dir.path().join(".www.tmp");
        fill_folder(&mine, &entries).unwrap();
        assert_eq!(
            put_new_folder(&mine, &target, &entries).unwrap(),
            FolderWrite::Same
        );
        assert!(!mine.exists(), "the temporary folder is removed");
        // Other content in its place is still a failure, and is kept.
        let other = vec![Entry::File {
            path: "a.crt".into(),
            contents: b"other".to_vec(),
        }];
        fill_folder(&mine, &other).unwrap();
        assert!(put_new_folder(&mine, &target, &other).is_err());
        assert!(!mine.exists());
        assert_eq!(std::fs::read(target.join("a.crt")).unwrap(), b"chain");
    }

    #[test]
    fn an_old_folder_that_could_not_be_put_back_is_named() {
        // The two renames failing in a row cannot be brought about in a
        // test run as root; the message is what the user then has.
        let error = FolderError::OldAside {
            target: "certs/www".into(),
            aside: "certs/.www.tccert-x.old".into(),
            error: io::Error::other("no space left"),
        };
        let message = error.to_string();
        assert!(message.contains("certs/www"), "{message}");
        assert!(
            message.contains("kept, whole, at certs/.www.tccert-x.old"),
            "{message}"
        );
    }

    #[test]
    fn a_failed_replace_leaves_the_old_files_and_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept");
        std::fs::write(&kept, "old").unwrap();
        let missing_dir = dir.path().join("no-such-dir").join("f");
        let files = [
            NewFile {
                path: &kept,
                contents: b"new",
                private: false,
            },
            NewFile {
                path: &missing_dir,
                contents: b"x",
                private: false,
            },
        ];
        let error = write_all(&files, true).unwrap_err();
        assert_eq!(error.path, missing_dir);
        assert!(
            error.to_string().ends_with("; nothing was written"),
            "{error}"
        );
        assert_eq!(std::fs::read(&kept).unwrap(), b"old");
        assert_eq!(leftovers(dir.path()), ["kept"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_is_written_private_then_kept_or_refused_or_replaced() {
        use crate::archive::Entry;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("certs");
        let entries = vec![
            Entry::Folder("a_nginx".into()),
            Entry::File {
                path: "a_nginx/a.crt".into(),
                contents: b"chain".to_vec(),
            },
            Entry::File {
                path: "deep/er/a.key".into(),
                contents: b"key".to_vec(),
            },
        ];
        assert_eq!(
            write_folder(&out, "www", &entries, false).unwrap(),
            FolderWrite::Created
        );
        let www = out.join("www");
        assert_eq!(std::fs::read(www.join("a_nginx/a.crt")).unwrap(), b"chain");
        for folder in [&out, &www, &www.join("a_nginx"), &www.join("deep/er")] {
            assert_eq!(mode(folder), 0o700, "{folder:?}");
        }
        for file in ["a_nginx/a.crt", "deep/er/a.key"] {
            assert_eq!(mode(&www.join(file)), 0o600, "{file}");
        }
        assert_eq!(leftovers(&out), ["www"], "no temporary folder left");
        // The same content again: nothing written.
        assert_eq!(
            write_folder(&out, "www", &entries, false).unwrap(),
            FolderWrite::Same
        );
        // Other content: left alone without replace, replaced with it.
        let other = vec![Entry::File {
            path: "a_nginx/a.crt".into(),
            contents: b"other".to_vec(),
        }];
        let refused = write_folder(&out, "www", &other, false).unwrap_err();
        assert!(matches!(refused, FolderError::Differs(_)), "{refused}");
        assert_eq!(std::fs::read(www.join("a_nginx/a.crt")).unwrap(), b"chain");
        // An extra file is other content too.
        std::fs::write(www.join("extra"), b"x").unwrap();
        assert!(write_folder(&out, "www", &entries, false).is_err());
        assert_eq!(
            write_folder(&out, "www", &other, true).unwrap(),
            FolderWrite::Replaced
        );
        assert_eq!(std::fs::read(www.join("a_nginx/a.crt")).unwrap(), b"other");
        assert!(!www.join("deep").exists() && !www.join("extra").exists());
        assert_eq!(leftovers(&out), ["www"], "the old folder removed");
        // A link in the way differs, and is replaced, not followed.
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("api")).unwrap();
        assert!(write_folder(&out, "api", &entries, false).is_err());
        write_folder(&out, "api", &entries, true).unwrap();
        assert!(
            !std::fs::symlink_metadata(out.join("api"))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(
            leftovers(&elsewhere),
            Vec::<String>::new(),
            "nothing written through the link"
        );
    }
}
