//! What one run may read: the per-file caps and the run's [`Budget`] of
//! bytes and files, and what is spent against it.

use std::path::Path;

use crate::diag::{Code, Diagnostic};

/// Largest manifest file read (a manifest is a few KiB).
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// Largest CSR file or inline PEM (a CSR is 1–3 KiB).
pub const MAX_CSR_BYTES: u64 = 64 * 1024;
/// Largest `confirm_letter` file the API takes (1,468,006 bytes, 1.4 MiB
/// rounded down; `validate::letter::MAX_BYTES`, which a test keeps equal):
/// a letter is read up to this and one byte more, never further.
pub const MAX_LETTER_BYTES: u64 = 1_468_006;
/// Default of `--max-input-bytes`: every byte one run reads, manifests and
/// CSR files together. The 10,000-certificate benchmark reads 4.3 MiB.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 256 << 20;
/// Default of `--max-files`: every file one run reads (a CSR file counts
/// each time a certificate names it). The benchmark reads 10,550.
pub const DEFAULT_MAX_FILES: u64 = 100_000;

/// What one run may read in all. The per-file caps above bound each file;
/// this bounds their sum, which they alone do not: 150 comment-only files
/// of 4 MiB each once took 620 MB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub max_bytes: u64,
    pub max_files: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_INPUT_BYTES,
            max_files: DEFAULT_MAX_FILES,
        }
    }
}

/// Which part of the [`Budget`] ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Over {
    Files,
    Bytes,
}

/// What the run has read so far against its [`Budget`].
pub(super) struct Spending {
    pub(super) budget: Budget,
    pub(super) bytes: u64,
    pub(super) files: u64,
    /// Set at the first file over the budget: nothing more is read.
    pub(super) over: bool,
}

impl Spending {
    pub(super) fn new(budget: Budget) -> Self {
        Self {
            budget,
            bytes: 0,
            files: 0,
            over: false,
        }
    }

    /// Opens the account for one more file whose own cap is `cap`: the most
    /// bytes it may be read up to, or [`Over::Files`] when the file count is
    /// spent (which also stops the run's reading).
    pub(super) fn next_file(&mut self, cap: u64) -> Result<u64, Over> {
        if self.files >= self.budget.max_files {
            self.over = true;
            return Err(Over::Files);
        }
        self.files += 1;
        Ok(cap.min(self.budget.max_bytes.saturating_sub(self.bytes)))
    }

    /// A read refused as too large under `limit` from [`Spending::next_file`]:
    /// the budget's doing when `limit` is below the file's own cap.
    pub(super) fn too_large(&mut self, limit: u64, cap: u64) -> Option<Over> {
        self.over |= limit < cap;
        (limit < cap).then_some(Over::Bytes)
    }

    pub(super) fn spend(&mut self, bytes: usize) {
        self.bytes = self.bytes.saturating_add(bytes as u64);
    }

    /// The `input-budget` error, at the first file not read.
    pub(super) fn diagnostic(&self, over: Over, path: &Path) -> Diagnostic {
        let (what, option) = match over {
            Over::Files => (
                format!("more than {} files", self.budget.max_files),
                "--max-files (or TCCERT_MAX_FILES)",
            ),
            Over::Bytes => (
                format!(
                    "more than {}",
                    crate::numbers::show_bytes(self.budget.max_bytes)
                ),
                "--max-input-bytes (or TCCERT_MAX_INPUT_BYTES)",
            ),
        };
        Diagnostic::error(
            Code::InputBudget,
            format!(
                "{what} to read in this run (manifests, CSR files and letters together): stopped before {}",
                path.display()
            ),
        )
        .note("nothing after it was read, and no manifest was checked further; this bounds memory whatever the PATHs hold")
        .hint(format!("raise {option} if these files are meant to be read in one run"))
    }
}
