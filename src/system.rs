//! The effects the pure core must not perform itself, behind small traits:
//! reading files and directories, and reading the environment. The real
//! implementations are here; tests use the in-memory ones.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// What a directory entry is, as far as the loader cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Directory,
    Other,
}

pub trait FileSystem: Sync {
    /// Reads at most `limit` bytes; a longer file is an error of kind
    /// `FileTooLarge` so that a 50 MB file is never held in memory whole.
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>>;
    fn kind(&self, path: &Path) -> io::Result<EntryKind>;
    /// Entries of a directory, unsorted.
    fn list(&self, path: &Path) -> io::Result<Vec<PathBuf>>;
    /// A path that names the same directory however it was reached, for
    /// detecting symlink loops.
    fn canonical(&self, path: &Path) -> io::Result<PathBuf>;
    /// The file's permission bits (`0o600`), where the system has them.
    fn mode(&self, _path: &Path) -> io::Result<u32> {
        Err(io::ErrorKind::Unsupported.into())
    }
}

pub trait Environment: Sync {
    fn var(&self, name: &str) -> Option<String>;
}

/// `-` as a PATH: manifests read from standard input (as `kubectl -f -`).
pub const STDIN_PATH: &str = "-";
/// What diagnostics and reports call standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// The real disk.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFileSystem;

impl FileSystem for RealFileSystem {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        use std::io::Read;
        let file = std::fs::File::open(path)?;
        let mut bytes = Vec::new();
        file.take(limit + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("larger than {limit} bytes"),
            ));
        }
        Ok(bytes)
    }

    fn kind(&self, path: &Path) -> io::Result<EntryKind> {
        let meta = std::fs::metadata(path)?;
        Ok(if meta.is_dir() {
            EntryKind::Directory
        } else if meta.is_file() {
            EntryKind::File
        } else {
            EntryKind::Other
        })
    }

    fn list(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect()
    }

    fn canonical(&self, path: &Path) -> io::Result<PathBuf> {
        std::fs::canonicalize(path)
    }

    #[cfg(unix)]
    fn mode(&self, path: &Path) -> io::Result<u32> {
        use std::os::unix::fs::PermissionsExt as _;
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o7777)
    }
}

/// The disk, with standard input read beforehand under the name
/// [`STDIN_NAME`] (a `-` PATH): a file like any other to the loader, which
/// applies the same size limits and budget to it.
pub struct WithStdin<'a> {
    pub disk: &'a dyn FileSystem,
    /// At most one byte more than the largest read the loader may ask for,
    /// so that too much input is told apart from just enough.
    pub stdin: Vec<u8>,
}

impl WithStdin<'_> {
    fn is_stdin(path: &Path) -> bool {
        path.as_os_str() == STDIN_NAME
    }
}

impl FileSystem for WithStdin<'_> {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        if !Self::is_stdin(path) {
            return self.disk.read(path, limit);
        }
        if self.stdin.len() as u64 > limit {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("larger than {limit} bytes"),
            ));
        }
        Ok(self.stdin.clone())
    }

    fn kind(&self, path: &Path) -> io::Result<EntryKind> {
        if Self::is_stdin(path) {
            return Ok(EntryKind::File);
        }
        self.disk.kind(path)
    }

    fn list(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        self.disk.list(path)
    }

    fn canonical(&self, path: &Path) -> io::Result<PathBuf> {
        if Self::is_stdin(path) {
            return Ok(path.to_path_buf());
        }
        self.disk.canonical(path)
    }
}

/// A person at a terminal, for `apply`'s confirmation (docs/cli.md, "Apply
/// on a terminal").
pub trait Terminal {
    /// Whether stdin and stderr are both terminals: someone can answer.
    fn interactive(&self) -> bool;
    /// Shows `question` on stderr and reads one line of answer from stdin
    /// (end of input: an empty answer).
    fn ask(&self, question: &str) -> io::Result<String>;
}

/// The process's own stdin and stderr.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessTerminal;

impl Terminal for ProcessTerminal {
    fn interactive(&self) -> bool {
        use std::io::IsTerminal as _;
        io::stdin().is_terminal() && io::stderr().is_terminal()
    }

    fn ask(&self, question: &str) -> io::Result<String> {
        use std::io::{BufRead as _, Write as _};
        let mut stderr = io::stderr().lock();
        stderr.write_all(question.as_bytes())?;
        stderr.flush()?;
        drop(stderr);
        let mut answer = String::new();
        io::stdin().lock().read_line(&mut answer)?;
        Ok(answer)
    }
}

/// The process environment.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProcessEnvironment;

impl Environment for ProcessEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// An environment given as a map, for tests.
#[derive(Clone, Debug, Default)]
pub struct MapEnvironment(pub BTreeMap<String, String>);

impl MapEnvironment {
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.0.insert(name.into(), value.into());
        self
    }
}

impl Environment for MapEnvironment {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// Files held in memory, for tests of the loader that should not touch disk.
#[derive(Clone, Debug, Default)]
pub struct MemoryFileSystem {
    files: BTreeMap<PathBuf, Vec<u8>>,
    /// FIFOs, sockets and devices: listed, never readable here, so a test
    /// sees at once if the loader tries.
    special: std::collections::BTreeSet<PathBuf>,
    /// Symbolic links: the link's path and the path it points to.
    links: BTreeMap<PathBuf, PathBuf>,
    /// Permission bits of files that have them set here.
    modes: BTreeMap<PathBuf, u32>,
}

impl MemoryFileSystem {
    pub fn with(self, path: &str, text: &str) -> Self {
        self.with_bytes(path, text.as_bytes())
    }

    /// A file that need not be UTF-8 text (for tests of the byte checks).
    pub fn with_bytes(mut self, path: &str, bytes: &[u8]) -> Self {
        self.files.insert(PathBuf::from(path), bytes.to_vec());
        self
    }

    /// A FIFO, socket or device at `path`.
    pub fn with_special(mut self, path: &str) -> Self {
        self.special.insert(PathBuf::from(path));
        self
    }

    /// A symbolic link at `path` to `target` (absolute, or relative to the
    /// link's directory), resolved by [`FileSystem::canonical`] only.
    pub fn with_link(mut self, path: &str, target: &str) -> Self {
        self.links
            .insert(PathBuf::from(path), PathBuf::from(target));
        self
    }

    /// Permission bits for the file at `path`.
    pub fn with_mode(mut self, path: &str, mode: u32) -> Self {
        self.modes.insert(PathBuf::from(path), mode);
        self
    }

    fn exists(&self, path: &Path) -> bool {
        self.files.contains_key(path)
            || self.special.contains(path)
            || self.files.keys().any(|p| p.starts_with(path))
    }
}

impl FileSystem for MemoryFileSystem {
    fn read(&self, path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        if self.special.contains(path) {
            return Err(io::Error::other("test: a special file was opened"));
        }
        let bytes = self.files.get(path).ok_or(io::ErrorKind::NotFound)?;
        if bytes.len() as u64 > limit {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("larger than {limit} bytes"),
            ));
        }
        Ok(bytes.clone())
    }

    fn kind(&self, path: &Path) -> io::Result<EntryKind> {
        if self.special.contains(path) {
            Ok(EntryKind::Other)
        } else if self.files.contains_key(path) {
            Ok(EntryKind::File)
        } else if self.files.keys().any(|p| p.starts_with(path)) {
            Ok(EntryKind::Directory)
        } else {
            Err(io::ErrorKind::NotFound.into())
        }
    }

    fn list(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let mut children: Vec<PathBuf> = self
            .files
            .keys()
            .chain(&self.special)
            .filter_map(|p| {
                p.strip_prefix(path)
                    .ok()?
                    .components()
                    .next()
                    .map(|c| path.join(c))
            })
            .collect();
        children.dedup();
        Ok(children)
    }

    fn mode(&self, path: &Path) -> io::Result<u32> {
        self.modes
            .get(path)
            .copied()
            .ok_or_else(|| io::ErrorKind::NotFound.into())
    }

    /// Resolves `.`, `..` and links step by step, as the disk does; a path
    /// that names nothing is `NotFound`. Forty links in a row are a loop.
    fn canonical(&self, path: &Path) -> io::Result<PathBuf> {
        use std::path::Component;
        let mut pending: Vec<PathBuf> = vec![path.to_path_buf()];
        let mut resolved = PathBuf::new();
        let mut hops = 0;
        while let Some(next) = pending.pop() {
            let mut components: Vec<Component> = next.components().collect();
            components.reverse();
            while let Some(component) = components.pop() {
                match component {
                    Component::CurDir => {}
                    Component::ParentDir => {
                        resolved.pop();
                    }
                    Component::RootDir | Component::Prefix(_) => {
                        resolved = PathBuf::from(component.as_os_str());
                    }
                    Component::Normal(name) => {
                        let candidate = resolved.join(name);
                        if let Some(target) = self.links.get(&candidate) {
                            hops += 1;
                            if hops > 40 {
                                return Err(io::Error::other("too many levels of links"));
                            }
                            let rest: PathBuf = components.iter().rev().collect();
                            pending.push(rest);
                            pending.push(target.clone());
                            components.clear();
                        } else {
                            resolved = candidate;
                        }
                    }
                }
            }
        }
        if resolved.as_os_str().is_empty() {
            resolved.push(".");
        }
        if resolved == Path::new(".") || self.exists(&resolved) {
            Ok(resolved)
        } else {
            Err(io::ErrorKind::NotFound.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_reads_as_a_file_within_the_limit_and_the_disk_stays_reachable() {
        let disk = MemoryFileSystem::default().with("m.yaml", "on disk");
        let fs = WithStdin {
            disk: &disk,
            stdin: b"from a pipe".to_vec(),
        };
        let stdin = Path::new(STDIN_NAME);
        assert!(matches!(fs.kind(stdin), Ok(EntryKind::File)));
        assert_eq!(fs.read(stdin, 100).ok(), Some(b"from a pipe".to_vec()));
        assert_eq!(
            fs.read(stdin, 4).map_err(|e| e.kind()).err(),
            Some(io::ErrorKind::FileTooLarge)
        );
        assert_eq!(fs.canonical(stdin).ok(), Some(PathBuf::from(STDIN_NAME)));
        assert_eq!(
            fs.read(Path::new("m.yaml"), 100).ok(),
            Some(b"on disk".to_vec())
        );
    }
}
