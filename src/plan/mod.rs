//! Planning and applying: read each certificate's live state, decide, act.
//!
//! - [`decide`]: the table of docs/cli.md "Reconciling one certificate", a
//!   pure function of the live state and the desired request body;
//! - [`retry`]: what to do after a failed call, beside it, as pure
//!   functions;
//! - [`pace`]: the rate arithmetic (when each request may go), pure;
//! - [`outcome`]: what happened to each certificate, and why a run stopped;
//! - [`identity`]: a certificate with `purchase:` is found again by its tag
//!   (`tccert:certificate` = its name): none, one or many, pure;
//! - [`saved`]: saved plans (`plan --out`, `apply --plan`): the file, its
//!   digests and checks, pure;
//! - [`step`]: what to do with one certificate, from its live state, what
//!   would be sent and the run's options (`--resubmit`, `apply --plan`
//!   staleness, which writes are sent), and how a failed order counts: pure;
//!   the reconciler reads, calls it, and carries the step out;
//! - [`run`]: the effectful part, the only one here that sleeps or calls
//!   the API: the bulk list (`DescribeCertificates`, 100 ids a call, per
//!   account) and one task per certificate that reads its detail only where
//!   the listed status needs it ([`decide::needs_detail`]; every detail
//!   with `--deep`), every request paced per action,
//!   retried with backoff for the retryable codes, and every write whose
//!   outcome is unknown settled by reading the certificate again before
//!   anything else is sent for it; a purchase (`--allow-purchase`) is sent
//!   at most once while one may exist, settled by listing with the tag, and
//!   `--restart` and the confirmation letter go step by step, each settled.
//!
//! A certificate is written with its API's submit action
//! (`SubmitCertificateInformation` or `CertificateInfoSubmit`, each with its
//! own pacer); whichever it is, the live `SubmittedData` is compared with the
//! body under SubmittedData's names ([`crate::api::request::submitted_view`]).
//!
//! Guarantees:
//! - `AuthFailure.*` stops the account it came from (one [`Run`] per
//!   account, the default credentials counting as one): no request of that
//!   account starts after it; the other accounts go on.
//! - A certificate is reported `submitted`/`committed` only when the server
//!   accepted the write (its answer, or a read that shows the write in place).
//! - A write that took effect is not sent again: after an unknown outcome we
//!   read first, and only re-send when the read shows it did not land. A
//!   purchase, a restart step or a letter is never re-sent after an unknown
//!   outcome in the same run (only after a request that certainly did
//!   nothing: throttled, or refused before it left).
//! - `failed` means nothing was written for the certificate in this run; a
//!   landed write followed by a failure is `partial`.

pub mod changes;
pub mod decide;
pub mod identity;
pub mod outcome;
pub mod pace;
pub mod retry;
pub mod run;
pub mod saved;
pub mod step;

pub use decide::{Decision, Live, decide};
pub use outcome::{CertificateReport, Mode, Outcome, Stop, StopReason, Whose, Write};
pub use run::{
    Completion, ListChunk, Listed, OnDone, Options, Run, list_chunks, run, run_all, stops,
};
