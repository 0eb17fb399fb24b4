//! A fluent builder for one run of the real binary in a scratch directory.
//!
//! ```ignore
//! Test::new()
//!     .file("m.yaml", "...")
//!     .args(["validate", "m.yaml"])
//!     .run()
//!     .failure()
//!     .stderr_contains("error[unknown-key]");
//! ```
//! The binary runs with the scratch directory as its working directory, so
//! paths in messages are short and stable for snapshots, and with a clean
//! environment (only PATH, HOME and XDG_STATE_HOME, both in the scratch
//! directory), so nothing on the developer's machine leaks into results and
//! no run writes to the real home (`--emulator` keeps its state under
//! XDG_STATE_HOME). A test that wants two runs to share that state sets
//! XDG_STATE_HOME itself with `.env`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where XDG_STATE_HOME points, inside the scratch directory: hidden, so a
/// walk of `.` never reads it.
pub const STATE_DIR: &str = ".xdg-state";

pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<String>,
    /// Where the binary runs, when not the scratch directory.
    cwd: Option<PathBuf>,
}

impl Test {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            cwd: None,
        }
    }

    /// A run in a directory an earlier run left (kept alive by the caller).
    pub fn from_dir(path: PathBuf) -> Self {
        let dir = tempfile::Builder::new()
            .tempdir_in(&path)
            .expect("a scratch directory");
        // Run where the files are: the new empty scratch dir only owns cleanup.
        Self {
            dir,
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            cwd: Some(path),
        }
    }

    /// Writes a file under the scratch directory (creating folders).
    pub fn file(self, path: &str, contents: &str) -> Self {
        let full = self.dir.path().join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).expect("create folders");
        }
        std::fs::write(full, contents).expect("write a test file");
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    pub fn stdin(mut self, text: &str) -> Self {
        self.stdin = Some(text.into());
        self
    }

    pub fn path(&self) -> &Path {
        self.cwd.as_deref().unwrap_or(self.dir.path())
    }

    pub fn run(self) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tccert"));
        command
            .args(&self.args)
            .current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join(STATE_DIR))
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        let output = match &self.stdin {
            None => command.stdin(std::process::Stdio::null()).output(),
            Some(text) => {
                use std::io::Write;
                command
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped());
                let mut child = command.spawn().expect("spawn tccert");
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(text.as_bytes())
                    .expect("write stdin");
                child.wait_with_output()
            }
        }
        .expect("run tccert");
        Run {
            output,
            _dir: self.dir,
        }
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The outcome of a run, with assertions that print everything on failure.
pub struct Run {
    pub output: Output,
    /// Keeps the scratch directory alive as long as the run is looked at.
    pub _dir: tempfile::TempDir,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn describe(&self) -> String {
        format!(
            "exit code {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }

    pub fn code_is(self, code: i32) -> Self {
        assert_eq!(self.code(), code, "{}", self.describe());
        self
    }

    pub fn success(self) -> Self {
        self.code_is(0)
    }

    pub fn failure(self) -> Self {
        self.code_is(1)
    }

    pub fn stdout_contains(self, text: &str) -> Self {
        assert!(
            self.stdout().contains(text),
            "stdout lacks {text:?}\n{}",
            self.describe()
        );
        self
    }

    pub fn stderr_contains(self, text: &str) -> Self {
        assert!(
            self.stderr().contains(text),
            "stderr lacks {text:?}\n{}",
            self.describe()
        );
        self
    }

    pub fn output_lacks(self, text: &str) -> Self {
        assert!(
            !self.stdout().contains(text) && !self.stderr().contains(text),
            "output contains {text:?}\n{}",
            self.describe()
        );
        self
    }

    /// A JSON file the run wrote, relative to its scratch directory.
    pub fn json_file(&self, path: &str) -> serde_json::Value {
        let text = std::fs::read_to_string(self._dir.path().join(path))
            .unwrap_or_else(|e| panic!("{path}: {e}\n{}", self.stderr()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"))
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{}", self.describe()))
    }
}

/// A run measured by `/usr/bin/time`: the child's peak resident memory and
/// the wall time, for the sanity bounds of the hostile-input tests.
pub struct Measured {
    pub run: Run,
    pub peak_rss_kib: u64,
    pub wall: std::time::Duration,
}

/// Longest a measured run may take before it is killed and the test fails
/// (a hang must fail the test, not stall the suite).
const WATCHDOG: std::time::Duration = std::time::Duration::from_secs(60);

impl Test {
    /// Like [`Test::run`], under `/usr/bin/time -f %M` (GNU time; the
    /// integration tests forbid `unsafe`, so no `wait4` here). The child is
    /// killed after a minute.
    pub fn run_measured(self) -> Measured {
        use std::io::Read;
        use std::process::Stdio;
        assert!(self.stdin.is_none(), "run_measured does not feed stdin");
        let report = self.dir.path().join(".time-report");
        let mut command = Command::new("/usr/bin/time");
        command
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&report)
            .arg(env!("CARGO_BIN_EXE_tccert"))
            .args(&self.args)
            .current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_STATE_HOME", self.dir.path().join(STATE_DIR))
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = std::time::Instant::now();
        let mut child = command.spawn().expect("spawn /usr/bin/time tccert");
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut bytes);
                }
                bytes
            })
        };
        let stdout = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for tccert") {
                break status;
            }
            if started.elapsed() > WATCHDOG {
                let _ = child.kill();
                let _ = child.wait();
                panic!("tccert {:?} did not finish within {WATCHDOG:?}", self.args);
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        let wall = started.elapsed();
        let report_text = std::fs::read_to_string(&report).unwrap_or_default();
        // GNU time writes "Command exited with non-zero status N" before the
        // figures when the child fails; the figure is the last line.
        let peak_rss_kib = report_text
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("no peak RSS in /usr/bin/time's report: {report_text:?}"));
        let output = Output {
            status,
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
        };
        Measured {
            run: Run {
                output,
                _dir: self.dir,
            },
            peak_rss_kib,
            wall,
        }
    }
}

impl Measured {
    /// Asserts the sanity bounds (peak RSS under `max_mib` MiB, wall time
    /// under `max_secs` seconds) and hands back the run for more assertions.
    pub fn within(self, max_mib: u64, max_secs: u64) -> Run {
        assert!(
            self.peak_rss_kib < max_mib * 1024,
            "peak RSS {} KiB, over {max_mib} MiB\n{}",
            self.peak_rss_kib,
            self.run.describe()
        );
        assert!(
            self.wall < std::time::Duration::from_secs(max_secs),
            "took {:?}, over {max_secs} s\n{}",
            self.wall,
            self.run.describe()
        );
        self.run
    }

    /// The default bounds for hostile input: under 200 MiB and 10 seconds.
    pub fn bounded(self) -> Run {
        self.within(200, 10)
    }
}
