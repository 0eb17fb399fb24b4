//! Certificate signing requests, outside any manifest: [`inspect`] reads
//! one (for `csr inspect` and the manifest checks), [`keygen`] makes a key
//! and a CSR (`csr new`).

pub mod inspect;
pub mod keygen;

pub use inspect::{CsrError, CsrInfo, Signature, inspect};
