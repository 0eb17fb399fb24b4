//! What a manifest may reach: a manifest is input from a stranger (CI runs
//! `plan` on pull requests, with credentials in the environment, before
//! anyone has reviewed the change), so the operator, outside the manifests,
//! decides which endpoints, variables and files they may name.
//!
//! - [`Trust::allow_endpoints`]: hosts beyond `*.tencentcloudapi.com` an
//!   Account's `endpoint` may name (`--allow-endpoint`).
//! - [`Trust::env_allow`]: when set, the only variables `${NAME}` may read
//!   (`--env-allow`).
//! - [`Trust::roots`]: when set, the directories `csr.file` (and any other
//!   path a manifest names) must lie in, after symlinks are resolved
//!   (the current directory, the PATHs given, `--allow-path`).
//!
//! Pure: files are resolved through [`FileSystem::canonical`].

use std::path::{Path, PathBuf};

use crate::system::FileSystem;

/// The default credential variables, each with its role.
pub const DEFAULT_CREDENTIAL_VARIABLES: [(&str, Role); 4] = [
    ("TENCENTCLOUD_SECRET_ID", Role::SecretId),
    ("TENCENTCLOUD_SECRET_KEY", Role::SecretKey),
    ("TENCENTCLOUD_TOKEN", Role::Token),
    ("TENCENTCLOUD_SECURITY_TOKEN", Role::Token),
];

/// The one role a credential variable plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    SecretId,
    SecretKey,
    Token,
}

impl Role {
    /// The Account key of this role.
    pub fn key(self) -> &'static str {
        match self {
            Role::SecretId => "secret_id",
            Role::SecretKey => "secret_key",
            Role::Token => "token",
        }
    }

    pub fn of_key(key: &str) -> Option<Self> {
        match key {
            "secret_id" => Some(Role::SecretId),
            "secret_key" => Some(Role::SecretKey),
            "token" => Some(Role::Token),
            _ => None,
        }
    }
}

/// The role of a default credential variable, `None` for any other name.
pub fn default_role(name: &str) -> Option<Role> {
    DEFAULT_CREDENTIAL_VARIABLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, role)| *role)
}

/// What the operator allows manifests to reach, from the command line and
/// the environment (never from a manifest or a saved plan).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trust {
    /// `--allow-endpoint HOST[:PORT]`, as given (compared without case).
    pub allow_endpoints: Vec<String>,
    /// `--env-allow PATTERN`: `None` when not given (every variable may be read).
    pub env_allow: Option<Vec<String>>,
    /// The canonical roots files named in manifests must lie in; `None`
    /// leaves them unconfined (library callers that read from memory).
    pub roots: Option<Vec<PathBuf>>,
}

impl Trust {
    /// Whether `${NAME}` may be read under `--env-allow`.
    pub fn variable_allowed(&self, name: &str) -> bool {
        match &self.env_allow {
            None => true,
            Some(patterns) => patterns.iter().any(|p| crate::select::matches(p, name)),
        }
    }

    /// The roots, canonicalised through `fs` (one that cannot be is left
    /// out: nothing can lie inside a directory that does not exist).
    pub fn with_roots(mut self, fs: &dyn FileSystem, roots: &[PathBuf]) -> Self {
        let mut canonical: Vec<PathBuf> = roots
            .iter()
            .filter_map(|root| fs.canonical(root).ok())
            .collect();
        canonical.sort();
        canonical.dedup();
        self.roots = Some(canonical);
        self
    }

    /// Whether a file a manifest names lies inside a root once every
    /// symlink is resolved. A path that cannot be resolved (it does not
    /// exist, or a step of it cannot be read) is outside as well, so the
    /// answer never tells whether the file exists.
    pub fn path_inside(&self, fs: &dyn FileSystem, path: &Path) -> bool {
        let Some(roots) = &self.roots else {
            return true;
        };
        if let Ok(real) = fs.canonical(path) {
            roots.iter().any(|root| real.starts_with(root))
        } else {
            // A missing file in an allowed directory is reported as
            // unreadable later (`csr-file`): the nearest ancestor that
            // resolves decides, and what follows it must be plain
            // names. A missing file elsewhere is outside, whatever the
            // disk holds.
            use std::path::Component;
            let mut ancestor = path;
            let mut tail = Vec::new();
            loop {
                let Some(parent) = ancestor.parent() else {
                    return false;
                };
                tail.push(ancestor.components().next_back());
                ancestor = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                if let Ok(real) = fs.canonical(ancestor) {
                    return tail.iter().all(|c| matches!(c, Some(Component::Normal(_))))
                        && roots.iter().any(|root| real.starts_with(root));
                }
                if ancestor == Path::new(".") {
                    return false;
                }
            }
        }
    }
}

/// Why an Account's `endpoint` is not one a manifest may name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointRefusal {
    /// Not `https://host` (or `http://` to an allowed loopback host), or it
    /// has userinfo, a path, a query or a fragment.
    Form(&'static str),
    /// A host outside `tencentcloudapi.com` that no `--allow-endpoint` names.
    Host,
}

/// The Tencent Cloud API's own domain: every host under it may be named.
pub const API_DOMAIN: &str = "tencentcloudapi.com";

/// Checks an Account's literal `endpoint` (part of "A manifest is untrusted
/// input"): `https://` to a host under `tencentcloudapi.com` with no port,
/// path, query or userinfo; or a host (with its port, if any) that the
/// operator allows, `http://` only when that host is loopback.
pub fn check_endpoint(endpoint: &str, allowed: &[String]) -> Result<(), EndpointRefusal> {
    let (scheme, rest) = endpoint
        .split_once("://")
        .ok_or(EndpointRefusal::Form("it is not an https:// URL"))?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(EndpointRefusal::Form("it is not an https:// URL"));
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#']) {
        return Err(EndpointRefusal::Form(
            "it has a path, a query or a fragment",
        ));
    }
    if authority.contains('@') {
        return Err(EndpointRefusal::Form("it has a user name or password"));
    }
    if authority.is_empty()
        || authority
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\' || c == '%')
    {
        return Err(EndpointRefusal::Form("its host is not a host name"));
    }
    let authority = authority.to_ascii_lowercase();
    let (host, port) = split_port(&authority);
    if allowed
        .iter()
        .any(|a| allowed_matches(&a.to_ascii_lowercase(), host, port))
    {
        if scheme == "http" && !is_loopback(host) {
            return Err(EndpointRefusal::Form(
                "`http://` is for a loopback host only (credentials travel in its requests)",
            ));
        }
        return Ok(());
    }
    if scheme != "https" {
        return Err(EndpointRefusal::Form("it is not an https:// URL"));
    }
    let under = host == API_DOMAIN
        || host
            .strip_suffix(API_DOMAIN)
            .is_some_and(|head| head.ends_with('.') && is_dns_name(head.trim_end_matches('.')));
    if !under {
        return Err(EndpointRefusal::Host);
    }
    if port.is_some() {
        return Err(EndpointRefusal::Form("it names a port"));
    }
    Ok(())
}

fn is_dns_name(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `host:port` → (`host`, `Some(port)`), an IPv6 `[::1]:8080` likewise.
fn split_port(authority: &str) -> (&str, Option<&str>) {
    if let Some(rest) = authority.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':')),
            None => (authority, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    }
}

/// `--allow-endpoint HOST[:PORT]`: the host alone allows it on the default
/// port only; with a port, on that port only.
fn allowed_matches(allowed: &str, host: &str, port: Option<&str>) -> bool {
    let allowed = allowed.trim();
    let (a_host, a_port) = split_port(allowed);
    a_host == host && a_port == port
}

/// Whether a host names this machine.
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `region` is a region name such as `ap-guangzhou` or `na-siliconvalley`:
/// `[a-z]+(-[a-z0-9]+)+`.
pub fn is_region(region: &str) -> bool {
    let mut parts = region.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()));
    let mut rest = 0;
    let rest_ok = parts.all(|p| {
        rest += 1;
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    first_ok && rest_ok && rest > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::MemoryFileSystem;

    #[test]
    fn endpoints_under_the_api_domain_pass_and_others_do_not() {
        for ok in [
            "https://ssl.tencentcloudapi.com",
            "https://ssl.tencentcloudapi.com/",
            "https://SSL.ap-guangzhou.TencentCloudAPI.com",
            "https://tencentcloudapi.com",
        ] {
            assert_eq!(check_endpoint(ok, &[]), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("https://attacker.example", EndpointRefusal::Host),
            (
                "https://tencentcloudapi.com.attacker.example",
                EndpointRefusal::Host,
            ),
            ("https://eviltencentcloudapi.com", EndpointRefusal::Host),
            ("https://127.0.0.1:8080", EndpointRefusal::Host),
            (
                "https://ssl.tencentcloudapi.com:8443",
                EndpointRefusal::Form("it names a port"),
            ),
            ("https://localhost", EndpointRefusal::Host),
        ] {
            assert_eq!(check_endpoint(bad, &[]), Err(why), "{bad}");
        }
        for bad in [
            "http://ssl.tencentcloudapi.com",
            "https://ssl.tencentcloudapi.com:443",
            "https://ssl.tencentcloudapi.com/x",
            "https://ssl.tencentcloudapi.com?x=1",
            "https://ssl.tencentcloudapi.com#x",
            "https://u:p@ssl.tencentcloudapi.com",
            "https://attacker.example\\@ssl.tencentcloudapi.com",
            "https://ssl.tencentcloudapi.com%2f.attacker.example",
            "https://a b.tencentcloudapi.com",
            "https://a\r\n.tencentcloudapi.com",
            "ftp://ssl.tencentcloudapi.com",
            "ssl.tencentcloudapi.com",
            "https://",
            "https://..tencentcloudapi.com",
            // U+3002, which URL parsers read as a dot.
            "https://ssl.tencentcloudapi.com\u{3002}attacker.example",
            "https://attacker.example\u{3002}tencentcloudapi.com",
            "https://ssl.tencentcloudapi.com.",
            "https://ssl.tencentcloudapi.com@attacker.example",
        ] {
            assert!(check_endpoint(bad, &[]).is_err(), "{bad}");
        }
    }

    #[test]
    fn allowed_hosts_follow_the_scheme_rule() {
        let allowed = vec!["127.0.0.1:8080".to_string(), "api.internal".to_string()];
        assert_eq!(check_endpoint("http://127.0.0.1:8080", &allowed), Ok(()));
        assert_eq!(check_endpoint("https://127.0.0.1:8080", &allowed), Ok(()));
        assert!(check_endpoint("http://127.0.0.1:8081", &allowed).is_err());
        assert!(check_endpoint("http://127.0.0.1", &allowed).is_err());
        assert_eq!(check_endpoint("https://api.internal", &allowed), Ok(()));
        assert!(check_endpoint("http://api.internal", &allowed).is_err());
        assert!(check_endpoint("https://api.internal:444", &allowed).is_err());
        assert!(check_endpoint("https://api.internal/path", &allowed).is_err());
    }

    #[test]
    fn regions() {
        for ok in [
            "ap-guangzhou",
            "na-siliconvalley",
            "ap-shanghai-fsi",
            "eu-frankfurt1",
        ] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in [
            "",
            "ap",
            "Ap-guangzhou",
            "ap-",
            "-ap",
            "ap--x",
            "ap-gz\r\n",
            "ap-gz x",
            "1a-b",
        ] {
            assert!(!is_region(bad), "{bad:?}");
        }
    }

    #[test]
    fn variables_under_env_allow() {
        let open = Trust::default();
        assert!(open.variable_allowed("ANYTHING"));
        let closed = Trust {
            env_allow: Some(vec!["ACME_*".into(), "PW".into()]),
            ..Trust::default()
        };
        assert!(closed.variable_allowed("ACME_CN_SECRET_ID"));
        assert!(closed.variable_allowed("PW"));
        assert!(!closed.variable_allowed("GITHUB_TOKEN"));
    }

    #[test]
    fn paths_inside_roots_after_resolving() {
        let fs = MemoryFileSystem::default()
            .with("/tree/a.csr", "x")
            .with("/tree/sub/b.csr", "x")
            .with("/etc/passwd", "x");
        let trust = Trust::default().with_roots(&fs, &[PathBuf::from("/tree")]);
        assert!(trust.path_inside(&fs, Path::new("/tree/a.csr")));
        assert!(trust.path_inside(&fs, Path::new("/tree/sub/b.csr")));
        assert!(trust.path_inside(&fs, Path::new("/tree/missing.csr")));
        assert!(!trust.path_inside(&fs, Path::new("/etc/passwd")));
        assert!(!trust.path_inside(&fs, Path::new("/etc/missing")));
        assert!(!trust.path_inside(&fs, Path::new("/tree/../etc/passwd")));
        assert!(!trust.path_inside(&fs, Path::new("/nowhere/x")));
        assert!(Trust::default().path_inside(&fs, Path::new("/etc/passwd")));
    }
}
