//! The one integration test binary (`cargo test --test integration`).
//! Each module drives the real `tccert` binary through [`cli::Test`].
//!
//! - `diagnostics`: every kind of bad input the format spec names, with its
//!   rendered diagnostic snapshotted (tests/integration/snapshots/).
//! - `examples`: everything under examples/ validates and renders.
//! - `commands`: validate/render/schema behaviour, JSON output, exit codes.
//! - `hostile`: hostile files (alias bombs, huge files, bad bytes, loops).
//! - `properties`: property tests of merging and interpolation.
//! - `apply`: plan and apply against the emulator over loopback HTTP.
//! - `resilience`: mixed faults, a server restart, SIGINT, two applies at once.
//! - `secrets`: every command at -vvv with known secrets; none may show.
//! - `successor`: plan and apply with `CertificateInfoSubmit`, alone and
//!   mixed with the contract's API, against the emulator.

mod apply;
mod cli;
mod commands;
mod diagnostics;
mod examples;
mod hostile;
mod properties;
mod resilience;
mod secrets;
mod successor;
