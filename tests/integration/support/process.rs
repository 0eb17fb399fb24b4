//! A tccert child process run by hand (to signal it, or to run two at once),
//! and signals sent to it.

use std::io::Read as _;
use std::process::{Command, Stdio};

use super::emulator::{SECRET_ID, SECRET_KEY};

pub fn tccert(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tccert"));
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // `--emulator` keeps state there: inside the test's own directory
        // (hidden, so walks skip it), never the real home.
        .env("XDG_STATE_HOME", dir.join(".xdg-state"))
        .env("TENCENTCLOUD_SECRET_ID", SECRET_ID)
        .env("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// `apply . --endpoint URL --output json --timeout SECONDS`, started.
pub fn spawn_apply(dir: &std::path::Path, url: &str, timeout: &str) -> std::process::Child {
    tccert(
        dir,
        &[
            "apply",
            ".",
            "--endpoint",
            url,
            "--output",
            "json",
            "--timeout",
            timeout,
        ],
    )
    .spawn()
    .expect("spawn")
}

pub fn finish(mut child: std::process::Child) -> (i32, serde_json::Value, String) {
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    let status = child.wait().expect("wait");
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{stderr}"));
    (status.code().unwrap_or(-1), json, stderr)
}

/// Sends a signal with kill(1): the crate forbids unsafe code, tests included.
pub fn send_signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} {pid}");
}
