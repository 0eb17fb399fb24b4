//! Confirmation letters (`confirm_letter:`): the type by content, never by
//! name, and the size the API takes ("格式应为jpg、jpeg、png、pdf，大小应在1kb
//! 与1.4M之间": 1,024 to 1,468,006 bytes inclusive, 1.4 MiB rounded down).
//! Pure: the caller reads the file (within its roots) and passes the bytes.

use std::fmt;

/// The smallest letter the API takes, in bytes.
pub const MIN_BYTES: usize = 1024;
/// The largest letter the API takes, in bytes.
pub const MAX_BYTES: usize = 1_468_006;

/// What a letter is, by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterType {
    /// JPG or JPEG (the same format): `FF D8 FF`.
    Jpeg,
    /// `89 50 4E 47 0D 0A 1A 0A`.
    Png,
    /// `%PDF-`.
    Pdf,
}

impl LetterType {
    pub fn name(self) -> &'static str {
        match self {
            LetterType::Jpeg => "JPEG",
            LetterType::Png => "PNG",
            LetterType::Pdf => "PDF",
        }
    }
}

/// Why a file cannot be a letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterError {
    TooSmall {
        bytes: usize,
    },
    TooLarge {
        bytes: usize,
    },
    /// Not a JPG/JPEG, PNG or PDF by content.
    UnknownType,
}

impl fmt::Display for LetterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LetterError::TooSmall { bytes } => write!(
                f,
                "a confirmation letter must be at least {MIN_BYTES} bytes; this file has {bytes}"
            ),
            LetterError::TooLarge { bytes } => write!(
                f,
                "a confirmation letter must be at most {MAX_BYTES} bytes (1.4 MB); this file has {bytes}"
            ),
            LetterError::UnknownType => f.write_str(
                "a confirmation letter must be a JPG, JPEG, PNG or PDF file (judged by its content, not its name)",
            ),
        }
    }
}

/// The type of `bytes` by content, if a letter may have it.
pub fn sniff(bytes: &[u8]) -> Option<LetterType> {
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(LetterType::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(LetterType::Png)
    } else if bytes.starts_with(b"%PDF-") {
        Some(LetterType::Pdf)
    } else {
        None
    }
}

/// Checks a letter as the API will: size first (as the API's codes come),
/// then type.
pub fn check(bytes: &[u8]) -> Result<LetterType, LetterError> {
    let len = bytes.len();
    if len < MIN_BYTES {
        return Err(LetterError::TooSmall { bytes: len });
    }
    if len > MAX_BYTES {
        return Err(LetterError::TooLarge { bytes: len });
    }
    sniff(bytes).ok_or(LetterError::UnknownType)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(head: &[u8], len: usize) -> Vec<u8> {
        let mut bytes = head.to_vec();
        bytes.resize(len, 0);
        bytes
    }

    #[test]
    fn types_by_content() {
        assert_eq!(
            check(&file(&[0xff, 0xd8, 0xff, 0xe0], 2000)),
            Ok(LetterType::Jpeg)
        );
        assert_eq!(
            check(&file(b"\x89PNG\r\n\x1a\n", 2000)),
            Ok(LetterType::Png)
        );
        assert_eq!(check(&file(b"%PDF-1.7", 2000)), Ok(LetterType::Pdf));
        assert_eq!(check(&file(b"GIF89a", 2000)), Err(LetterError::UnknownType));
        // A PNG's name on a PDF's bytes is still a PDF; a text file named .pdf is nothing.
        assert_eq!(
            check(&file(b"PDF-1.7 %", 2000)),
            Err(LetterError::UnknownType)
        );
        assert_eq!(
            check(&file(&[0xff, 0xd8], 2000)),
            Err(LetterError::UnknownType)
        );
    }

    #[test]
    fn sizes_at_the_edges() {
        assert_eq!(
            check(&file(b"%PDF-", 1023)),
            Err(LetterError::TooSmall { bytes: 1023 })
        );
        assert_eq!(check(&file(b"%PDF-", 1024)), Ok(LetterType::Pdf));
        assert_eq!(check(&file(b"%PDF-", 1_468_006)), Ok(LetterType::Pdf));
        assert_eq!(
            check(&file(b"%PDF-", 1_468_007)),
            Err(LetterError::TooLarge { bytes: 1_468_007 })
        );
        assert_eq!(check(&[]), Err(LetterError::TooSmall { bytes: 0 }));
        assert!(
            LetterError::UnknownType
                .to_string()
                .contains("by its content")
        );
    }
}
