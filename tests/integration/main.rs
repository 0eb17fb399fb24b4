//! The one integration test binary (`cargo test --test integration`).
//! Each module drives the real `tccert` binary through
//! [`support::cli::Test`]; what the modules share (the builder, the
//! emulator helper, the shared manifests, process helpers) is in
//! `support/`, which holds no tests.
//!
//! - `diagnostics`: every kind of bad input docs/manifest-format.md names, with its
//!   rendered diagnostic snapshotted (tests/integration/snapshots/).
//! - `examples`: everything under examples/ validates and renders.
//! - `finish`: `--strict`, `--color`, status names in tables, the small
//!   things of a first real use.
//! - `commands`: validate/render/schema behaviour, JSON output, exit codes.
//! - `csr`: `csr new` (keys, files, a CSR that validates) and `csr inspect`.
//! - `init`: the starter tree validates and plans; a second init refuses.
//! - `manual`: shell completions and man pages.
//! - `hostile`: hostile files (alias bombs, huge files, bad bytes, loops).
//! - `input`: numbers out of range, the run's input budget, FIFOs and
//!   devices named by `csr.file`: each exit 1, never a panic or a hang.
//! - `playground`: the emulator as a playground: state kept per tree and
//!   `--emulator-reset`, `emulator --seed` with no variables, `emulator
//!   --tls` and `--ca-cert`, `-` (stdin) as a PATH, help texts, `init`.
//! - `properties`: property tests of merging and interpolation.
//! - `purchase`: `purchase:` and `confirm_letter:` in validate and render
//!   (YAML and TOML), the letter's roots, `--allow-path`, stdin, special
//!   and huge files.
//! - `accounts`: several accounts in one run against the emulator serving
//!   accounts (own key pairs, stops and pace), `--seed` with accounts, the
//!   account diagnostics, `status` with accounts and `import --account`.
//! - `apply`: plan and apply against the emulator over loopback HTTP.
//! - `ci_output`: --output github (annotations, step summary) and markdown.
//! - `credentials`: --profile, the environment and the credential files, in order.
//! - `fleet`: the bulk list of plan, apply and status (detail reads counted
//!   by action for a mixed fleet, with and without `--deep`), drift on
//!   issued certificates, saved plans and `--deep`.
//! - `resilience`: mixed faults, a server restart, SIGINT, two applies at once.
//! - `secrets`: every command at -vvv with known secrets; none may show.
//! - `transport`: hostile servers and proxies: redirects, an endless reply,
//!   a success without RequestId, echoed secrets, proxy variables, connect
//!   failures told apart from lost requests, https redirected to http.
//! - `saved_plan`: `plan --out` and `apply --plan` (stale, applied twice,
//!   usage errors, foreign/edited/truncated files, files gone, endpoint
//!   mismatch, no secret in the file) and `--target`, against the emulator.
//! - `successor`: plan and apply with `CertificateInfoSubmit`, alone and
//!   mixed with the contract's API, against the emulator.
//! - `lifecycle`: buying exactly once (`--allow-purchase`, a dropped
//!   reply, found by its tag, two tagged, saved plans), `--restart` (to the
//!   end, timed out, interrupted and continued, refused), letters, `writes`
//!   and `partial`, against the emulator.
//! - `layout`: the layout rules of docs/architecture.md on the source text
//!   (every file placed; the pure core names no effects). Reads files only.
//! - `values`: values in plans: `changes` with live and desired values in
//!   every output (snapshots), CSRs summarised, secrets named only,
//!   `--no-values`, the drift note, annotations at the field's line.
//! - `status`: `tccert status` against the emulator: text/JSON/Markdown,
//!   `--target`, `--wait` to issuance (`issue_after`), end states, timeout,
//!   a signal.
//! - `download`: `tccert download` against the emulator (a real chain,
//!   modes, in_sync, --force, skipped) and hostile archives from a hostile
//!   server (`..`, links, a bomb): refused, nothing written.
//! - `import`: `tccert import` against the emulator: the round trip through
//!   validate and plan, which certificates are read, DIR rules, a signal.
//! - `terminal`: apply on a real pseudo-terminal: the plan, the question, `yes`.
//! - `write_path`: a slow server gets each write once, pacing after SIGINT, a
//!   second signal, an unreachable endpoint, `--resubmit`, KeyPassword drift.

mod accounts;
mod apply;
mod ci_output;
mod commands;
mod credentials;
mod csr;
mod diagnostics;
mod download;
mod examples;
mod finish;
mod fleet;
mod hostile;
mod import;
mod init;
mod input;
mod layout;
mod lifecycle;
mod manual;
mod playground;
mod properties;
mod pull_request;
mod purchase;
mod resilience;
mod saved_plan;
mod secrets;
mod status;
mod successor;
mod support;
mod terminal;
mod transport;
mod values;
mod write_path;
