//! tccert: declarative submission of paid SSL certificate information to
//! Tencent Cloud (`SubmitCertificateInformation`, or per certificate its
//! maintained successor `CertificateInfoSubmit`).
//!
//! # Architecture
//!
//! A pure core turns text into requests; effects live at the edge.
//!
//! ```text
//!  PATHs ──► manifest::load ──► manifest::{yaml,toml} ──► tree::Node (every value with file:line:col)
//!             (FileSystem,        │
//!              Environment)       ├─► interpolate  (${NAME}, ${NAME:-default}, $$; env values marked secret)
//!                                 ├─► schema       (JSON Schema, generated from field.rs; errors mapped back to positions)
//!                                 └─► manifest::raw (raw documents: Sourced<T> values)
//!                                          │
//!                     validate ◄── merge ◄─┘  (profiles depth-first, provenance per field)
//!                        │          checks, csr (pure)
//!                        ▼
//!                  model::Certificate ──► request (the body of the certificate's API, Submit-
//!                        │                   │      CertificateInformation or CertificateInfoSubmit;
//!                        │                   │      secrets masked for display)
//!                        ▼                   ▼
//!                     render            plan / reconcile ──► api (sign: pure TC3; client: reqwest;
//!                                            │    ▲               credentials: flag > env > files)
//!                                            │  pace (rate arithmetic, pure) · emulator (the API, locally)
//!                                            ▼
//!                                 report (table, lines, JSON) · ci (GitHub annotations, Markdown)
//!
//!  Beside the pipeline (no manifest involved):
//!   csr new      keygen (names checked by checks; key + CSR as PEM in memory) ──► outfile (0600, no clobber)
//!   csr inspect  csr (parse, verify, describe)
//!   init         init (the starter tree as text) ──► outfile
//!   completions, man   manual (from the clap definition in cli)
//! ```
//!
//! Invariants:
//! - Nothing is sent while any manifest is invalid: `validate` returns
//!   certificates only when the run has no error.
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
//! - The modules `manifest::{tree,yaml,toml,raw}`, `interpolate`, `schema`,
//!   `field`, `merge`, `checks`, `csr`, `validate`, `model`, `request`,
//!   `render`, `numbers`, `api::sign`, `init` and `manual` do no I/O; effects go through
//!   [`system`]. `keygen` reads only the system's random numbers; the files
//!   tccert makes are written by [`outfile`], from `app`.

#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod ci;
pub mod cli;
pub mod csr;
pub mod diag;
pub mod emulator;
pub mod field;
pub mod init;
pub mod interpolate;
pub mod keygen;
pub mod manifest;
pub mod manual;
pub mod model;
pub mod numbers;
pub mod outfile;
pub mod pipeline;
pub mod plan;
pub mod render;
pub mod report;
pub mod request;
pub mod schema;
pub mod secret;
pub mod select;
pub mod source;
pub mod system;
pub mod validate;
