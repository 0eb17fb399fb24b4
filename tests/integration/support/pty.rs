//! A tccert run with stdin and stderr on a real pseudo-terminal (openpty),
//! stdout on a pipe, answering one question the way a person would.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::os::fd::OwnedFd;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a run on a terminal printed, and how it ended.
pub struct TerminalRun {
    pub code: i32,
    pub stdout: String,
    /// All the terminal showed (stderr and the echoed answer), `\r\n` as `\n`.
    pub terminal: String,
}

/// Runs `command` with stdin and stderr on a new pseudo-terminal; when the
/// terminal shows `prompt`, types `answer` and Enter. With `answer` `None`,
/// nothing is typed (a run that must not ask).
pub fn run_on_terminal(mut command: Command, prompt: &str, answer: Option<&str>) -> TerminalRun {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master: OwnedFd =
        openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).expect("openpt");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname(&master, Vec::new()).expect("ptsname");
    let slave: OwnedFd = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().expect("a UTF-8 name"))
        .expect("open the terminal")
        .into();
    command
        .stdin(Stdio::from(slave.try_clone().expect("dup")))
        .stderr(Stdio::from(slave.try_clone().expect("dup")))
        .stdout(Stdio::piped());
    let mut child = command.spawn().expect("spawn tccert");
    // Only the child holds the terminal now (the command kept its copies
    // until dropped): its exit ends the reads below.
    drop(command);
    drop(slave);
    let seen = Arc::new(Mutex::new(Vec::<u8>::new()));
    let mut reader = File::from(master.try_clone().expect("dup"));
    let reading = {
        let seen = seen.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            // EIO once the child has closed the terminal: the end.
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                seen.lock().expect("lock").extend_from_slice(&buffer[..n]);
            }
        })
    };
    let mut stdout = child.stdout.take().expect("stdout");
    let collecting = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    if let Some(answer) = answer {
        let start = Instant::now();
        loop {
            let shown = String::from_utf8_lossy(&seen.lock().expect("lock")).into_owned();
            if shown.contains(prompt) {
                break;
            }
            if start.elapsed() > Duration::from_secs(60)
                || child.try_wait().ok().flatten().is_some()
            {
                let _ = child.kill();
                panic!("the terminal never showed {prompt:?}; it showed:\n{shown}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut writer = File::from(master.try_clone().expect("dup"));
        writer
            .write_all(format!("{answer}\n").as_bytes())
            .expect("type the answer");
    }
    let status = child.wait().expect("wait");
    let stdout = collecting.join().expect("stdout");
    drop(master);
    let _ = reading.join();
    let terminal = String::from_utf8_lossy(&seen.lock().expect("lock")).replace("\r\n", "\n");
    TerminalRun {
        code: status.code().unwrap_or(-1),
        stdout,
        terminal,
    }
}
