//! tccert: declarative submission of paid SSL certificate information to
//! Tencent Cloud (`SubmitCertificateInformation`, or per certificate its
//! maintained successor `CertificateInfoSubmit`).
//!
//! # Architecture
//!
//! A pure core turns text into requests; effects live at the edge. Each
//! folder is one stage; docs/architecture.md gives the rule of each (what it
//! may import, what it must not).
//!
//! ```text
//!  main ─► app (parse, log, dispatch; prints a CommandError, picks the exit code)
//!           └─► commands/<command> (one file per command, a short script; none imports another) over
//!                 commands/ mod (the front door's caller, emit, printing),
//!                           runner (open the runs for a target: accounts, pace, redactor, emulator;
//!                                   the one interrupt handler; close),
//!                           settings (flags + environment + files → what a run uses)
//!
//!  A command that talks to the API (plan, apply, status, import), as data flows:
//!   settings ─► runner::Runner::open (the API per account, or the emulator started and seeded;
//!   one plan::Run per account, paced; one Redactor) ─► plan::run_all / Run::read (typed by
//!   api/reply) ─► Runner::close (stops) ─► a Report ─► commands::emit ─► output::format::of(--output)
//!   .render ─► stdout, stderr, $GITHUB_STEP_SUMMARY
//!
//!  PATHs ─► pipeline::load_and_validate (the front door: certificates only when nothing is invalid)
//!            │
//!            ├─► manifest/   load (walks PATHs through system::FileSystem/Environment; the budget)
//!            │                ├─► yaml, toml ─► tree::Node (every value with file:line:col)
//!            │                ├─► interpolate (${NAME}, ${NAME:-default}, $$; env values marked secret)
//!            │                ├─► schema      (JSON Schema, generated from field.rs; errors mapped back)
//!            │                ├─► raw         (raw documents: Sourced<T> values)
//!            │                └─► files       (csr.file, confirm_letter: inside the roots, read bounded)
//!            │
//!            └─► validate/   merge (profiles depth-first, provenance per field), formats, names,
//!                             required, csr, purchase (+ letter; against api/product), not_sent
//!                             ─► certificate::Certificate
//!                                                            │
//!        ┌───────────────────────────────────────────────────┤
//!        ▼                                                   ▼
//!   output/render         api/request (the body in the certificate's API; secrets masked for display)
//!                                    │
//!                         plan/  decide · step · retry · pace (pure) ─► run (async: reads, calls
//!                                    │                 step, carries the Step out; run_send: the sends)
//!                                    ▼                            │
//!                  output/format (Report ─► Format::render        ▼
//!                  ─► Rendered { stdout, stderr,         api/ signed (pure: the SignedRequest, headers
//!                  step_summary }; text, json, github,       and TC3 signature), sign, action, param, status,
//!                  markdown) over report, status, ...        reply (typed replies of the reads, paging),
//!                  ─► commands::emit prints it               error (ApiError with RequestId), credentials
//!                                                            │
//!                                                            ▼
//!                                                       transport/ endpoint, proxy, http (reqwest; the only
//!                                                            network code; sends a SignedRequest)
//!
//!  Names and constants of the API: api/action (actions, SSL_API_VERSION), api/status,
//!  api/param (fixed parameters), api/product (the products CreateCertificate sells),
//!  field.rs (profile fields: the const table FIELDS), certificate::Api (which submit).
//!  The floor: syntax/ (country, domain, email checks; the country table), imported by
//!  validate and csr, importing nothing of the crate; the emulator keeps its own.
//!  Lifecycle building blocks: validate/letter (confirmation letters by content and size),
//!  archive (a safe reader of the ZIP DownloadCertificate answers, into memory).
//!
//!  Beside the pipeline (no manifest involved):
//!   csr new      csr/keygen (names checked by syntax; key + CSR as PEM) ─► outfile (0600, no clobber)
//!   csr inspect  csr/inspect (parse, verify, describe)
//!   init         starter (the starter tree as text) ─► outfile
//!   import       plan::run reads (DescribeCertificates, DescribeCertificateDetail; api/reply) ─► import_tree (the tree as text) ─► a directory renamed into place
//!   completions, man   cli/man_and_completions (from the clap definition in cli)
//!   emulator     emulator/ (the API on loopback, for tests and --emulator)
//! ```
//!
//! Invariants:
//! - Nothing is sent while any manifest is invalid: [`pipeline::load_and_validate`]
//!   hands out certificates ([`pipeline::Checked::valid`]) only when the run
//!   has no error, and every command, benchmark and fuzz target goes through it.
//! - Every problem is a [`diag::Diagnostic`] with a stable [`diag::Code`];
//!   checks collect them instead of stopping at the first.
//! - Secrets (environment values, `key_password`, credentials) are marked at
//!   the point they enter and never formatted unmasked: see [`secret`].
//! - Text from files, file names and the API reaches human output through
//!   [`source::printable`] (control characters escaped), and names must be
//!   plain (`invalid-name`), so no input can start a line a terminal or a CI
//!   runner would act on.
//! - Every number a user types is range-checked once, by [`numbers`], when
//!   the command line is parsed; the run never sees one out of range.
//! - The pure core (`source`, `diag`, `field`, `certificate`, `secret`,
//!   `numbers`, `select`, `pipeline`, `starter`, `import_tree`, `archive`, `manifest/`, `validate/`,
//!   `output/`, `csr/`, `cli/`, `syntax/`, `plan/` but `plan::run`, and all
//!   of `api/`) imports no tokio, reqwest, hyper or `std::fs`:
//!   files and the environment come through [`system`], the network through
//!   [`transport::Transport`]. `csr::keygen` reads only the system's random
//!   numbers; the files tccert makes are written by [`outfile`], from [`commands`].
//!   tests/integration/layout.rs checks the import rule, and that no two
//!   top-level modules (nor two files of one folder) import each other in a
//!   cycle.

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod archive;
pub mod certificate;
pub mod cli;
pub mod commands;
pub mod csr;
pub mod diag;
pub mod emulator;
pub mod field;
pub mod import_tree;
pub mod manifest;
pub mod numbers;
pub mod outfile;
pub mod output;
pub mod pipeline;
pub mod plan;
pub mod secret;
pub mod select;
pub mod source;
pub mod starter;
pub mod syntax;
pub mod system;
pub mod transport;
pub mod validate;
