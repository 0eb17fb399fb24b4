//! `tccert csr new` (a private key and a CSR, made here) and `tccert csr
//! inspect` (what a CSR holds, and whether its signature verifies).

use super::error::owned;
use super::{CommandError, CommandResult, EXIT_OK, print_stdout};
use crate::cli::{CsrInspectArgs, CsrNewArgs, InspectOutput, KeyTypeArg};
use crate::csr::keygen::{self, KeyType};
use crate::csr::{self, Signature};
use crate::manifest::load::MAX_CSR_BYTES;
use crate::outfile::{self, NewFile};
use crate::system::{FileSystem as _, RealFileSystem};

/// `tccert csr new`.
pub fn new(args: &CsrNewArgs) -> CommandResult {
    // Writing the CSR over the key would lose the key.
    if outfile::same_destination(&args.key_out, &args.csr_out) {
        return Err(CommandError::Usage {
            message: "--key-out and --csr-out name the same file".into(),
        });
    }
    // The cheap checks first: a typo or a file in the way must not cost a
    // key generation (seconds for RSA 4096).
    keygen::subject_names(&args.domain, &args.san)?;
    if !args.force {
        let taken = outfile::existing([args.key_out.as_path(), args.csr_out.as_path()]);
        if !taken.is_empty() {
            return Err(CommandError::Exists {
                paths: owned(&taken),
            });
        }
    }
    let key_type = match args.key_type {
        KeyTypeArg::EcdsaP256 => KeyType::EcdsaP256,
        KeyTypeArg::Rsa2048 => KeyType::Rsa2048,
        KeyTypeArg::Rsa4096 => KeyType::Rsa4096,
    };
    tracing::info!(domain = %args.domain, key = key_type.describe(), "generating a private key and a CSR");
    let generated = keygen::generate(&args.domain, &args.san, key_type)?;
    let files = [
        NewFile {
            path: &args.key_out,
            contents: generated.key_pem.expose().as_bytes(),
            private: true,
        },
        NewFile {
            path: &args.csr_out,
            contents: generated.csr_pem.as_bytes(),
            private: false,
        },
    ];
    outfile::write_all(&files, args.force)?;
    let mode = if cfg!(unix) { ", mode 0600" } else { "" };
    // `file:` is read relative to the manifest: relative to the folder the
    // manifest will be in (`certificates/` of a tree, as `init` makes it).
    let manifest_dir = args.manifest_dir.clone().unwrap_or_else(|| {
        if std::path::Path::new("certificates").is_dir() {
            "certificates".into()
        } else {
            ".".into()
        }
    });
    let here = std::env::current_dir().unwrap_or_default();
    let from_manifest = relative_path(&here.join(&manifest_dir), &here.join(&args.csr_out))
        .display()
        .to_string();
    print_stdout(&format!(
        "wrote {}: the private key ({}, PKCS#8 PEM{mode}); keep it secret, never commit it\n\
         wrote {}: the CSR, CN={}, signed with SHA-256\n\
         names (SAN): {}\n\n\
         For a certificate manifest in {}/ (`file` is read relative to the manifest; --manifest-dir DIR for another folder):\n\n{}",
        args.key_out.display(),
        key_type.describe(),
        args.csr_out.display(),
        args.domain,
        generated.names.join(", "),
        manifest_dir.display().to_string().trim_end_matches('/'),
        keygen::manifest_snippet(&generated.names, &from_manifest),
    ));
    Ok(EXIT_OK)
}

/// `to` relative to the directory `from` (both absolute), lexically: `.`
/// and `..` resolved by name, no symlink followed.
fn relative_path(from: &std::path::Path, to: &std::path::Path) -> std::path::PathBuf {
    use std::path::{Component, PathBuf};
    fn normal(p: &std::path::Path) -> Vec<Component<'_>> {
        let mut out: Vec<Component<'_>> = Vec::new();
        for c in p.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                    out.pop();
                }
                other => out.push(other),
            }
        }
        out
    }
    let (from, to) = (normal(from), normal(to));
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    for c in &to[common..] {
        path.push(c.as_os_str());
    }
    path
}

/// `tccert csr inspect`: the facts are printed even when the signature does
/// not verify; the error after them says so, and the exit code is 1.
pub fn inspect(args: &CsrInspectArgs) -> CommandResult {
    let path = args.file.display();
    let refuse = |message: String| CommandError::Csr { message };
    let bytes = RealFileSystem
        .read(&args.file, MAX_CSR_BYTES)
        .map_err(|error| {
            if error.kind() == std::io::ErrorKind::FileTooLarge {
                refuse(format!(
                    "{path} is larger than {} KiB: not a CSR",
                    MAX_CSR_BYTES >> 10
                ))
            } else {
                refuse(format!("cannot read {path}: {error}"))
            }
        })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        refuse(format!(
            "{path} is not a PEM CSR: it is binary (a DER CSR? `openssl req -inform DER -in {path} -out csr.pem` converts it)"
        ))
    })?;
    let info = csr::inspect(&text).map_err(|why| refuse(format!("{path} is {why}")))?;
    match args.output {
        InspectOutput::Text => print_stdout(&format!("file:       {path}\n{}", info.render_text())),
        InspectOutput::Json => {
            let mut report = serde_json::json!({ "file": path.to_string() });
            if let (Some(object), serde_json::Value::Object(facts)) =
                (report.as_object_mut(), info.to_json())
            {
                object.extend(facts);
            }
            print_stdout(&format!("{report:#}\n"));
        }
    }
    match info.signature {
        Signature::Valid => Ok(EXIT_OK),
        Signature::Invalid => Err(refuse(format!(
            "{path}: the signature does not verify: the CSR was altered after it was signed, or is corrupt"
        ))),
        Signature::WeakKey => Err(refuse(format!(
            "{path}: an RSA key under 2048 bits: CAs refuse it, and its signature cannot be verified"
        ))),
        Signature::Unsupported => Err(refuse(format!(
            "{path}: cannot verify a {} signature",
            info.signature_algorithm
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::relative_path;
    use std::path::{Path, PathBuf};

    #[test]
    fn a_csr_path_is_made_relative_to_the_manifest_folder() {
        let rel = |from: &str, to: &str| relative_path(Path::new(from), Path::new(to));
        assert_eq!(
            rel("/t/certificates", "/t/csr/www.csr"),
            PathBuf::from("../csr/www.csr")
        );
        assert_eq!(
            rel("/t/./certificates/", "/t/certificates/www.csr"),
            PathBuf::from("www.csr")
        );
        assert_eq!(rel("/t/.", "/t/csr/../www.csr"), PathBuf::from("www.csr"));
        assert_eq!(rel("/t/a/b", "/t/c"), PathBuf::from("../../c"));
    }
}
