//! A safe reader of the ZIP archives `DownloadCertificate` answers: bytes
//! in, entries in memory out, nothing written. `tccert download` writes the
//! entries only once the whole archive has passed, so a refused archive
//! leaves nothing behind.
//!
//! Refused, with the entry named: a path that is absolute (`/x`, `\x`,
//! `C:x`), has a `..` component, a backslash, a NUL or another control
//! character (a newline, an escape: a file name that rewrites the terminal
//! of whoever lists the folder) or a bidirectional override (a name that
//! reads other than it is), or is empty; a file that is also a folder
//! (`a` and `a/b`); a file named as a manifest (`.yaml`, `.yml`, `.toml`:
//! unpacked into a manifest tree, as `download . --out certs` does, the next
//! `plan .` would read it as one of the operator's manifests); a link
//! (a Unix symbolic link's mode) or any entry that is neither a file nor a
//! folder; an encrypted entry, a ZIP64 archive or a compression other than
//! stored and deflate; two entries with one path; an entry whose real size
//! differs from the sizes its headers declare, or whose CRC-32 does not
//! match; more than [`MAX_UNPACKED_BYTES`] unpacked in all, or more than
//! [`MAX_ENTRIES`] entries. Declared sizes are never used to allocate: an
//! entry is inflated into a buffer that grows with what actually comes out,
//! stopped at what is left of the total budget.

use std::fmt;

/// The most an archive may unpack to, in all (64 MiB).
pub const MAX_UNPACKED_BYTES: usize = 64 * 1024 * 1024;
/// The most entries an archive may hold.
pub const MAX_ENTRIES: usize = 10_000;

/// One entry of an archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A folder, its path without the trailing `/`.
    Folder(String),
    /// A file and its contents.
    File { path: String, contents: Vec<u8> },
}

impl Entry {
    pub fn path(&self) -> &str {
        match self {
            Entry::Folder(path) | Entry::File { path, .. } => path,
        }
    }
}

/// Why an archive is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArchiveError {
    /// Not a ZIP archive tccert can read (the reason says where).
    Malformed(String),
    /// An entry's path escapes the folder or is not a plain relative path.
    UnsafePath(String),
    /// A link, or an entry that is neither a file nor a folder.
    NotAFile(String),
    /// Encrypted, ZIP64, or compressed other than stored or deflate.
    Unsupported(String),
    /// Two entries with one path.
    Duplicate(String),
    /// A file that other entries have as their folder (`a` and `a/b`).
    FileAndFolder(String),
    /// A file named as tccert's manifests are (`.yaml`, `.yml`, `.toml`).
    ManifestName(String),
    /// An entry's real size or CRC differs from what its headers declare.
    SizeMismatch(String),
    /// More than [`MAX_UNPACKED_BYTES`] unpacked, or more than [`MAX_ENTRIES`].
    TooLarge,
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArchiveError::Malformed(why) => write!(f, "the archive is not a readable ZIP: {why}"),
            ArchiveError::UnsafePath(path) => write!(
                f,
                "the archive entry `{path}` is not a plain relative path (absolute, `..`, a backslash or a control character)"
            ),
            ArchiveError::NotAFile(path) => {
                write!(
                    f,
                    "the archive entry `{path}` is a link or not a regular file or folder"
                )
            }
            ArchiveError::Unsupported(why) => {
                write!(f, "the archive uses {why}, which tccert does not read")
            }
            ArchiveError::Duplicate(path) => write!(f, "the archive holds `{path}` twice"),
            ArchiveError::ManifestName(path) => write!(
                f,
                "the archive entry `{path}` is named as a manifest (.yaml, .yml, .toml): unpacked into a tree of manifests, the next run would read it as one"
            ),
            ArchiveError::FileAndFolder(path) => write!(
                f,
                "the archive holds `{path}` both as a file and as the folder of other entries"
            ),
            ArchiveError::SizeMismatch(path) => write!(
                f,
                "the archive entry `{path}` does not match the size or checksum its headers declare"
            ),
            ArchiveError::TooLarge => write!(
                f,
                "the archive unpacks to more than {} MiB or holds more than {MAX_ENTRIES} entries",
                MAX_UNPACKED_BYTES / 1024 / 1024
            ),
        }
    }
}

impl std::error::Error for ArchiveError {}

fn malformed(why: &str) -> ArchiveError {
    ArchiveError::Malformed(why.to_owned())
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16, ArchiveError> {
    bytes
        .get(at..at + 2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
        .ok_or_else(|| malformed("a header runs past the end"))
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32, ArchiveError> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| malformed("a header runs past the end"))
}

fn slice(bytes: &[u8], at: usize, len: usize) -> Result<&[u8], ArchiveError> {
    at.checked_add(len)
        .and_then(|end| bytes.get(at..end))
        .ok_or_else(|| malformed("an entry runs past the end"))
}

/// CRC-32 (IEEE), as ZIP records it, a byte at a time through a table.
fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut n = 0;
        while n < 256 {
            let mut c = n as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 == 1 {
                    (c >> 1) ^ 0xedb8_8320
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[n] = c;
            n += 1;
        }
        table
    };
    let mut crc = 0xffff_ffff_u32;
    for &byte in data {
        crc = TABLE[((crc ^ u32::from(byte)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

/// A path safe to join under a folder, or why not.
fn check_path(name: &str) -> Result<(), ArchiveError> {
    let unsafe_path = || ArchiveError::UnsafePath(name.to_owned());
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    if trimmed.is_empty()
        || name.starts_with('/')
        || name.contains('\\')
        || name
            .chars()
            .any(|c| c.is_control() || bidirectional_control(c))
        || name.as_bytes().get(1) == Some(&b':')
    {
        return Err(unsafe_path());
    }
    if trimmed
        .split('/')
        .any(|part| part.is_empty() || part == "." || part == "..")
    {
        return Err(unsafe_path());
    }
    Ok(())
}

/// The Unicode characters that reorder the text around them (explicit
/// embeddings, overrides, isolates, marks): a name holding one can display
/// as another (`cert\u{202e}gnp.exe` shows as `certexe.png`).
fn bidirectional_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether a file of this name would be read as a manifest by a walk of
/// the folder it lands in (the walk's extensions, in any case).
fn manifest_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, extension)| {
        ["yaml", "yml", "toml"]
            .iter()
            .any(|m| extension.eq_ignore_ascii_case(m))
    })
}

const EOCD: u32 = 0x0605_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;

/// Reads every entry of `zip`, or refuses the archive whole.
pub fn read(zip: &[u8]) -> Result<Vec<Entry>, ArchiveError> {
    // The end record: the last signature within the comment's reach.
    let search_from = zip.len().saturating_sub(22 + usize::from(u16::MAX));
    let eocd = (search_from..=zip.len().saturating_sub(22))
        .rev()
        .find(|&at| u32_at(zip, at).ok() == Some(EOCD))
        .ok_or_else(|| malformed("no end-of-central-directory record"))?;
    let count = usize::from(u16_at(zip, eocd + 10)?);
    let central_size = u32_at(zip, eocd + 12)? as usize;
    let central_at = u32_at(zip, eocd + 16)? as usize;
    if count == usize::from(u16::MAX) || central_at == u32::MAX as usize {
        return Err(ArchiveError::Unsupported("ZIP64".into()));
    }
    if count > MAX_ENTRIES {
        return Err(ArchiveError::TooLarge);
    }
    let central = slice(zip, central_at, central_size)?;
    let mut entries: Vec<Entry> = Vec::new();
    let mut unpacked = 0usize;
    let mut at = 0usize;
    for _ in 0..count {
        if u32_at(central, at)? != CENTRAL {
            return Err(malformed("a central directory record is missing"));
        }
        let made_by_host = u16_at(central, at + 4)? >> 8;
        let flags = u16_at(central, at + 8)?;
        let method = u16_at(central, at + 10)?;
        let crc = u32_at(central, at + 16)?;
        let packed = u32_at(central, at + 20)?;
        let size = u32_at(central, at + 24)?;
        let name_len = usize::from(u16_at(central, at + 28)?);
        let extra_len = usize::from(u16_at(central, at + 30)?);
        let comment_len = usize::from(u16_at(central, at + 32)?);
        let external = u32_at(central, at + 38)?;
        let local_at = u32_at(central, at + 42)? as usize;
        let name_bytes = slice(central, at + 46, name_len)?;
        at += 46 + name_len + extra_len + comment_len;

        let name = std::str::from_utf8(name_bytes)
            .map_err(|_| {
                ArchiveError::UnsafePath(String::from_utf8_lossy(name_bytes).into_owned())
            })?
            .to_owned();
        check_path(&name)?;
        if packed == u32::MAX || size == u32::MAX || local_at == u32::MAX as usize {
            return Err(ArchiveError::Unsupported("ZIP64".into()));
        }
        if flags & 1 != 0 {
            return Err(ArchiveError::Unsupported(format!("encryption (`{name}`)")));
        }
        let folder = name.ends_with('/');
        if !folder && manifest_name(&name) {
            return Err(ArchiveError::ManifestName(name));
        }
        // Unix hosts keep the mode in the high half of the external attributes.
        if made_by_host == 3 {
            let kind = (external >> 16) & 0o170_000;
            let expected = if folder { 0o040_000 } else { 0o100_000 };
            if kind != 0 && kind != expected {
                return Err(ArchiveError::NotAFile(name));
            }
        }
        let path = name.trim_end_matches('/').to_owned();
        if entries.iter().any(|e| e.path() == path) {
            return Err(ArchiveError::Duplicate(path));
        }

        // The local header must name the same entry.
        if u32_at(zip, local_at)? != LOCAL {
            return Err(malformed("a local header is missing"));
        }
        let local_flags = u16_at(zip, local_at + 6)?;
        let local_method = u16_at(zip, local_at + 8)?;
        let local_packed = u32_at(zip, local_at + 18)?;
        let local_size = u32_at(zip, local_at + 22)?;
        let local_name_len = usize::from(u16_at(zip, local_at + 26)?);
        let local_extra_len = usize::from(u16_at(zip, local_at + 28)?);
        if slice(zip, local_at + 30, local_name_len)? != name_bytes || local_method != method {
            return Err(malformed(
                "a local header disagrees with the central directory",
            ));
        }
        let deferred = local_flags & 0x08 != 0;
        if !deferred && (local_packed != packed || local_size != size) {
            return Err(ArchiveError::SizeMismatch(path));
        }
        let data = slice(
            zip,
            local_at + 30 + local_name_len + local_extra_len,
            packed as usize,
        )?;

        let budget = MAX_UNPACKED_BYTES - unpacked;
        let contents = match method {
            0 => {
                if data.len() > budget {
                    return Err(ArchiveError::TooLarge);
                }
                data.to_vec()
            }
            8 => miniz_oxide::inflate::decompress_to_vec_with_limit(data, budget).map_err(|e| {
                if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                    ArchiveError::TooLarge
                } else {
                    ArchiveError::Malformed(format!("`{path}` does not inflate"))
                }
            })?,
            other => {
                return Err(ArchiveError::Unsupported(format!(
                    "compression method {other} (`{path}`)"
                )));
            }
        };
        if contents.len() != size as usize || crc32(&contents) != crc {
            return Err(ArchiveError::SizeMismatch(path));
        }
        unpacked += contents.len();
        if folder {
            if !contents.is_empty() {
                return Err(ArchiveError::SizeMismatch(path));
            }
            entries.push(Entry::Folder(path));
        } else {
            entries.push(Entry::File { path, contents });
        }
    }
    // A file cannot also be the folder of another entry: unpacking would
    // fail half-way, so the archive is refused whole, as a duplicate is.
    let files: std::collections::HashSet<&str> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::File { path, .. } => Some(path.as_str()),
            Entry::Folder(_) => None,
        })
        .collect();
    for entry in &entries {
        let path = entry.path();
        let mut cut = path.len();
        while let Some(slash) = path[..cut].rfind('/') {
            if files.contains(&path[..slash]) {
                return Err(ArchiveError::FileAndFolder(path[..slash].to_owned()));
            }
            cut = slash;
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One entry to build: name, contents, method, Unix mode.
    struct Spec<'a> {
        name: &'a str,
        data: &'a [u8],
        deflate: bool,
        mode: u32,
        /// Declared uncompressed size, when it should lie.
        declared: Option<u32>,
    }

    fn spec<'a>(name: &'a str, data: &'a [u8]) -> Spec<'a> {
        Spec {
            name,
            data,
            deflate: false,
            mode: if name.ends_with('/') {
                0o040_755
            } else {
                0o100_644
            },
            declared: None,
        }
    }

    fn build(specs: &[Spec<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        let put16 = |v: &mut Vec<u8>, x: u16| v.extend_from_slice(&x.to_le_bytes());
        let put32 = |v: &mut Vec<u8>, x: u32| v.extend_from_slice(&x.to_le_bytes());
        for s in specs {
            let packed = if s.deflate {
                miniz_oxide::deflate::compress_to_vec(s.data, 1)
            } else {
                s.data.to_vec()
            };
            let size = s.declared.unwrap_or(s.data.len() as u32);
            let crc = crc32(s.data);
            let method = if s.deflate { 8 } else { 0 };
            let offset = out.len() as u32;
            put32(&mut out, LOCAL);
            for x in [20, 0x0800, method, 0, 0x21] {
                put16(&mut out, x);
            }
            for x in [crc, packed.len() as u32, size] {
                put32(&mut out, x);
            }
            put16(&mut out, s.name.len() as u16);
            put16(&mut out, 0);
            out.extend_from_slice(s.name.as_bytes());
            out.extend_from_slice(&packed);
            put32(&mut central, CENTRAL);
            for x in [0x0314, 20, 0x0800, method, 0, 0x21] {
                put16(&mut central, x);
            }
            for x in [crc, packed.len() as u32, size] {
                put32(&mut central, x);
            }
            for x in [s.name.len() as u16, 0, 0, 0, 0] {
                put16(&mut central, x);
            }
            put32(&mut central, s.mode << 16);
            put32(&mut central, offset);
            central.extend_from_slice(s.name.as_bytes());
        }
        let central_at = out.len() as u32;
        out.extend_from_slice(&central);
        put32(&mut out, EOCD);
        for x in [0, 0, specs.len() as u16, specs.len() as u16] {
            put16(&mut out, x);
        }
        put32(&mut out, central.len() as u32);
        put32(&mut out, central_at);
        put16(&mut out, 0);
        out
    }

    #[test]
    fn crc_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn reads_stored_and_deflated_entries_and_folders() {
        let big = vec![b'x'; 100_000];
        let zip = build(&[
            spec("site_nginx/", b""),
            spec(
                "site_nginx/site_bundle.crt",
                b"-----BEGIN CERTIFICATE-----\n",
            ),
            Spec {
                deflate: true,
                ..spec("site_nginx/site.key", &big)
            },
        ]);
        let entries = read(&zip).unwrap();
        assert_eq!(entries[0], Entry::Folder("site_nginx".into()));
        assert_eq!(entries[1].path(), "site_nginx/site_bundle.crt");
        assert_eq!(
            entries[2],
            Entry::File {
                path: "site_nginx/site.key".into(),
                contents: big
            }
        );
    }

    #[test]
    fn refuses_paths_that_escape_or_are_not_plain() {
        for name in [
            "../evil",
            "a/../../evil",
            "/etc/passwd",
            "\\evil",
            "a\\b",
            "C:evil",
            "a//b",
            "./a",
            "a/./b",
            "",
            "/",
            "evil\u{1b}[31mred.pem",
            "two\nlines.pem",
            "bell\u{7}",
            "del\u{7f}",
            "c1\u{9b}31m",
            "cert\u{202e}gnp.exe",
            "iso\u{2066}late",
        ] {
            let zip = build(&[spec(name, b"x")]);
            assert!(
                matches!(read(&zip), Err(ArchiveError::UnsafePath(_))),
                "{name:?}: {:?}",
                read(&zip)
            );
        }
        assert!(
            read(&build(&[spec("a..b/c..", b"x")])).is_ok(),
            "dots inside names are fine"
        );
    }

    #[test]
    fn refuses_links_and_special_files() {
        let link = Spec {
            mode: 0o120_777,
            ..spec("site/link", b"/etc/passwd")
        };
        assert_eq!(
            read(&build(&[link])),
            Err(ArchiveError::NotAFile("site/link".into()))
        );
        let fifo = Spec {
            mode: 0o010_644,
            ..spec("fifo", b"")
        };
        assert!(matches!(
            read(&build(&[fifo])),
            Err(ArchiveError::NotAFile(_))
        ));
        let folder_as_file = Spec {
            mode: 0o040_755,
            ..spec("file", b"x")
        };
        assert!(matches!(
            read(&build(&[folder_as_file])),
            Err(ArchiveError::NotAFile(_))
        ));
    }

    #[test]
    fn refuses_sizes_that_lie_and_duplicates() {
        let lying = Spec {
            declared: Some(3),
            ..spec("a", b"hello")
        };
        assert_eq!(
            read(&build(&[lying])),
            Err(ArchiveError::SizeMismatch("a".into()))
        );
        // A deflated entry that declares a small size but inflates larger.
        let bomb_like = Spec {
            deflate: true,
            declared: Some(10),
            ..spec("b", &[0u8; 5000])
        };
        assert_eq!(
            read(&build(&[bomb_like])),
            Err(ArchiveError::SizeMismatch("b".into()))
        );
        let mut zip = build(&[spec("a", b"hello")]);
        let at = zip.windows(5).position(|w| w == b"hello").unwrap();
        zip[at] = b'j';
        assert_eq!(
            read(&zip),
            Err(ArchiveError::SizeMismatch("a".into())),
            "CRC"
        );
        assert_eq!(
            read(&build(&[spec("a", b"1"), spec("a", b"2")])),
            Err(ArchiveError::Duplicate("a".into()))
        );
        assert_eq!(
            read(&build(&[spec("d/", b""), spec("d", b"2")])),
            Err(ArchiveError::Duplicate("d".into()))
        );
        // A file that is also another entry's folder, in either order.
        for pair in [["a", "a/b/c"], ["a/b/c", "a"], ["x/a", "x/a/b"]] {
            let zip = build(&[spec(pair[0], b"1"), spec(pair[1], b"2")]);
            let file = if pair[0].len() < pair[1].len() {
                pair[0]
            } else {
                pair[1]
            };
            assert_eq!(
                read(&zip),
                Err(ArchiveError::FileAndFolder(file.into())),
                "{pair:?}"
            );
        }
        // A file the next walk of a tree would read as a manifest.
        for name in ["evil.yaml", "site/x.YML", "a.toml"] {
            assert_eq!(
                read(&build(&[spec(name, b"kind: Certificate")])),
                Err(ArchiveError::ManifestName(name.into())),
                "{name}"
            );
        }
        assert!(
            read(&build(&[spec("conf.yaml/", b""), spec("x.yaml.pem", b"1")])).is_ok(),
            "a folder so named, or another extension, is fine"
        );
        assert!(
            read(&build(&[spec("ab", b"1"), spec("a/b", b"2")])).is_ok(),
            "a name that only starts like another is fine"
        );
    }

    #[test]
    fn refuses_more_than_64_mib_unpacked_whatever_the_headers_say() {
        // 65 MiB of zeros deflates to some 65 KB; it declares its true size.
        let zeros = vec![0u8; MAX_UNPACKED_BYTES + 1024 * 1024];
        let one = Spec {
            deflate: true,
            ..spec("big", &zeros)
        };
        assert_eq!(read(&build(&[one])), Err(ArchiveError::TooLarge));
        // Two entries of 40 MiB each: each fits, together they do not.
        let forty = vec![0u8; 40 * 1024 * 1024];
        let two = build(&[
            Spec {
                deflate: true,
                ..spec("a", &forty)
            },
            Spec {
                deflate: true,
                ..spec("b", &forty)
            },
        ]);
        assert_eq!(read(&two), Err(ArchiveError::TooLarge));
        // Declared sizes are not allocated: a header claiming 4 GiB - 2 is a mismatch, not an OOM.
        let claims = Spec {
            declared: Some(u32::MAX - 1),
            ..spec("c", b"tiny")
        };
        assert_eq!(
            read(&build(&[claims])),
            Err(ArchiveError::SizeMismatch("c".into()))
        );
    }

    #[test]
    fn refuses_garbage_and_truncation_without_panicking() {
        assert!(matches!(read(b""), Err(ArchiveError::Malformed(_))));
        assert!(matches!(
            read(b"PK\x05\x06"),
            Err(ArchiveError::Malformed(_))
        ));
        let zip = build(&[spec("a", b"hello"), spec("b/c", b"world")]);
        for cut in 0..zip.len() {
            let _ = read(&zip[..cut]);
            let mut flipped = zip.clone();
            flipped[cut] ^= 0xff;
            let _ = read(&flipped);
        }
        let encrypted = {
            let mut zip = build(&[spec("a", b"hello")]);
            let central = zip
                .windows(4)
                .position(|w| w == CENTRAL.to_le_bytes())
                .unwrap();
            zip[central + 8] |= 1;
            zip
        };
        assert!(matches!(
            read(&encrypted),
            Err(ArchiveError::Unsupported(_))
        ));
    }

    #[test]
    fn reads_what_the_emulator_writes() {
        let zip = crate::emulator::issuer::zip_stored(&[
            ("d/".to_owned(), Vec::new()),
            ("d/a.crt".to_owned(), b"chain".to_vec()),
        ]);
        assert_eq!(
            read(&zip),
            Ok(vec![
                Entry::Folder("d".into()),
                Entry::File {
                    path: "d/a.crt".into(),
                    contents: b"chain".to_vec()
                }
            ])
        );
    }
}
