//! What the test modules share; no tests here.
//!
//! - `cli`: the fluent `Test` builder for one run of the real binary;
//! - `emulator`: the emulator in the test process and runs pointed at it;
//! - `fixtures`: the shared profile and certificate manifests;
//! - `process`: a tccert child process run by hand, and signals;
//! - `pty`: a run with stdin and stderr on a real pseudo-terminal.

pub mod cli;
pub mod emulator;
pub mod fixtures;
pub mod process;
pub mod pty;
