//! The starter tree `tccert init DIR` writes: a profile, a certificate that
//! uses it, a README and the draft-07 schema for editors. Pure: the files as
//! (path relative to DIR, text); `commands/init.rs` writes them.
//!
//! The schema sits in a hidden directory (`.tccert/`): the top level holds
//! only what people edit, and directory walks skip hidden entries, so
//! `tccert validate DIR` never reads it.

use crate::manifest::schema::{Draft, schema_text};

/// Where the schema goes, relative to DIR.
pub const SCHEMA_PATH: &str = ".tccert/tccert-v1.schema.json";

/// Where the `.gitignore` goes, relative to DIR. Written only when DIR has
/// none (a repository's own is never replaced, not even with `--force`).
pub const GITIGNORE_PATH: &str = ".gitignore";

/// Keeps private keys out of the repository: `tccert csr new --key-out
/// FILE` writes a PKCS#8 PEM key wherever it is told, and the starter
/// certificate suggests `www.key`. CSRs (`*.csr`) are meant to be committed
/// (a manifest's `csr.file` names them), so `*.pem` as a whole is not
/// ignored, only the names keys usually get.
pub const GITIGNORE: &str = "\
# Private keys never belong in a repository (tccert csr new --key-out FILE
# writes one; keep it in a secret store). CSRs (*.csr) are meant to be committed.
*.key
*.key.pem
*-key.pem
*_key.pem
*.p12
*.pfx
";

/// One file of the starter tree.
pub struct StarterFile {
    /// Relative to DIR, with `/` separators.
    pub path: &'static str,
    pub contents: String,
}

/// Every file of the starter tree, in the order they are listed to the user.
pub fn starter_files() -> Vec<StarterFile> {
    vec![
        StarterFile {
            path: "profiles/example-org.yaml",
            contents: with_modeline("profiles/example-org.yaml", PROFILE),
        },
        StarterFile {
            path: "certificates/www.yaml",
            contents: with_modeline("certificates/www.yaml", CERTIFICATE),
        },
        StarterFile {
            path: "README.md",
            contents: README.to_string(),
        },
        StarterFile {
            path: SCHEMA_PATH,
            contents: schema_text(Draft::Draft07),
        },
    ]
}

/// The yaml-language-server modeline, with the schema's path relative to
/// the file (the language server resolves it from the file's directory).
pub fn with_modeline(path: &str, body: &str) -> String {
    let depth = path.matches('/').count();
    format!(
        "# yaml-language-server: $schema={}{SCHEMA_PATH}\n{body}",
        "../".repeat(depth)
    )
}

const PROFILE: &str = r#"#
# Who you are, written once: the organization, the certificate administrator
# and the contact. Every certificate that lists `example-org` under
# `profiles:` gets these values; a certificate may override single fields.
# The API requires all 18 fields below for OV/EV certificates (a `dv: true`
# certificate needs none of them). Replace the example values with yours.
apiVersion: tccert/v1
kind: Profile
name: example-org
organization:
  name: Example Ltd
  division: IT
  address: 1 Example Road
  country: CN                   # ISO 3166-1 alpha-2: CN, HK, US, ...
  region: Guangdong Province    # province or state
  city: Shenzhen
  # Quote anything that looks like a number: unquoted, YAML reads 0755 as the
  # integer 755, and tccert rejects it rather than lose the zero.
  postal_code: "518000"
  phone_area_code: "0755"
  phone_number: "86013388"
admin:
  first_name: Luke
  last_name: Sky
  phone: "13800138000"
  email: admin@example.com
  position: CTO
contact:
  # Values may come from the environment: ${NAME}, or ${NAME:-default} to
  # fall back when NAME is unset or empty (as in a shell). tccert never
  # prints a value it read from the environment. Here the defaults let the
  # tree validate as it is; set TCCERT_CONTACT_EMAIL in CI to override.
  first_name: Leia
  last_name: Sky
  phone: "${TCCERT_CONTACT_PHONE:-13800138001}"
  email: ${TCCERT_CONTACT_EMAIL:-pki@example.com}
  position: Engineer
"#;

const CERTIFICATE: &str = r"#
# One paid certificate. Replace `certificate_id` with the id of your
# certificate (Tencent Cloud console, SSL Certificates > ID, e.g. abcd1234),
# and `domain` with the name it is for. Until then `tccert validate` fails
# with `placeholder-certificate-id`, so nothing is sent for a made-up id.
apiVersion: tccert/v1
kind: Certificate
name: www
certificate_id: REPLACE-ME
profiles: [example-org]         # merged left to right
domain: www.example.com
# domains: [example.com]        # more names on the same certificate
verify_type: DNS                # DNS_AUTO (DNS hosted on Tencent Cloud), DNS or FILE
csr:
  # Tencent Cloud makes the private key and the CSR. To keep the key
  # yourself instead, make them here and point the manifest at the CSR:
  #   tccert csr new --domain www.example.com --key-out www.key --csr-out www.csr
  # (here, in this folder), then `type: parse` and `file: www.csr`
  # (relative to this file). The .gitignore init wrote at the top of this
  # tree keeps `*.key` files out of the repository.
  type: online
# commit: true                  # also send the order to the CA once submitted
";

const README: &str = r"# Certificates

Manifests for tccert: the information Tencent Cloud needs for each paid SSL
certificate, submitted with `SubmitCertificateInformation`.

```
profiles/example-org.yaml   organization, admin and contact, shared
certificates/www.yaml       one certificate, using the profile
.tccert/                    the JSON Schema (draft-07) editors read
```

Each YAML file's first line points the YAML language server at the schema,
so editors complete keys and flag mistakes as you type.

Put your certificate's id in `certificates/www.yaml` first (`certificate_id`,
from the SSL console): until then `tccert validate .` fails with
`placeholder-certificate-id`. The `.gitignore` keeps private keys (`*.key`)
out of the repository.

```sh
tccert validate .               # check everything; sends nothing
tccert render .                 # each certificate after merging, and its request (secrets masked)
tccert plan . --emulator        # a dry run against the built-in emulator: no account needed
tccert apply . --emulator       # the emulator remembers this tree: run it again, all in sync
tccert plan . --emulator --emulator-reset   # start the emulator's state afresh
tccert plan .                   # what apply would do, against the real API
tccert apply .                  # submit what is pending
```

`plan` and `apply` read `TENCENTCLOUD_SECRET_ID` and `TENCENTCLOUD_SECRET_KEY`.
The manifest format is documented in tccert's `docs/manifest-format.md`;
`tccert schema` prints the JSON Schema, and `tccert --help` lists the commands.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_yaml_file_starts_with_a_modeline_that_reaches_the_schema() {
        let files = starter_files();
        let mut yaml = 0;
        for file in &files {
            if !file.path.ends_with(".yaml") {
                continue;
            }
            yaml += 1;
            let first = file.contents.lines().next().unwrap_or_default();
            let relative = first
                .strip_prefix("# yaml-language-server: $schema=")
                .unwrap_or_else(|| panic!("{}: {first}", file.path));
            // Resolve the relative path from the file's directory.
            let dir = std::path::Path::new(file.path).parent().unwrap();
            let resolved: std::path::PathBuf = dir.join(relative).components().fold(
                std::path::PathBuf::new(),
                |mut path, part| {
                    match part {
                        std::path::Component::ParentDir => {
                            path.pop();
                        }
                        other => path.push(other),
                    }
                    path
                },
            );
            assert_eq!(resolved, std::path::Path::new(SCHEMA_PATH), "{}", file.path);
        }
        assert_eq!(yaml, 2);
    }

    fn starter_certificate() -> String {
        starter_files()
            .into_iter()
            .find(|f| f.path == "certificates/www.yaml")
            .unwrap()
            .contents
    }

    #[test]
    fn the_certificate_holds_the_placeholder_the_schema_refuses() {
        use crate::manifest::schema::PLACEHOLDER_CERTIFICATE_ID;
        assert!(
            starter_certificate()
                .contains(&format!("\ncertificate_id: {PLACEHOLDER_CERTIFICATE_ID}\n"))
        );
    }

    #[test]
    fn the_gitignore_keeps_the_key_csr_new_is_shown_writing() {
        assert!(starter_certificate().contains("--key-out www.key"));
        // The .gitignore is inside the tree init writes, at its top.
        assert!(starter_certificate().contains("The .gitignore init wrote at the top of this"));
        assert!(!starter_certificate().contains("beside the tree"));
        assert!(GITIGNORE.lines().any(|l| l == "*.key"));
        assert!(!GITIGNORE.lines().any(|l| l == "*.csr" || l == "*.pem"));
    }

    #[test]
    fn the_schema_is_the_draft_07_one() {
        let files = starter_files();
        let schema = files.iter().find(|f| f.path == SCHEMA_PATH).unwrap();
        assert_eq!(schema.contents, schema_text(Draft::Draft07));
        assert!(schema.contents.contains("draft-07"));
    }
}
