//! Which proxy, if any, a run goes through: decided once, here, from the
//! endpoint and the environment, by a pure function, so that the HTTP client
//! never reads proxy variables itself (it is built with `no_proxy()` plus at
//! most the one proxy chosen here).
//!
//! The variables are read the way curl and reqwest read them:
//! `HTTPS_PROXY`/`https_proxy` for an https endpoint (`HTTP_PROXY`/
//! `http_proxy` for an http one), else `ALL_PROXY`/`all_proxy`, the upper-case
//! name first (reqwest's order); an empty value counts as unset; a value
//! without a scheme means `http://`. `NO_PROXY`/`no_proxy` lists hosts that go
//! direct: `*`, host names (which also match their subdomains; a leading dot
//! is allowed), IP addresses and CIDR ranges, separated by commas.
//!
//! Loopback endpoints (which includes the built-in emulator) never use a
//! proxy: a proxy variable meant for the corporate network must not get the
//! request body, `KeyPassword` included, of a local test run. A proxy scheme
//! tccert cannot speak (SOCKS) is an error rather than silently going direct.
//! Proxy credentials (`user:pass@`) are secrets: no message shows them.

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

pub use super::endpoint::mask_userinfo;
use super::endpoint::{Endpoint, host_ip};
use crate::secret::Secret;
use crate::system::Environment;

/// The proxy a run goes through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyChoice {
    /// The variable it came from, e.g. `HTTPS_PROXY`.
    pub variable: &'static str,
    /// `scheme://host:port/`, credentials removed.
    pub url: Url,
    /// `user:pass@` from the variable, if any.
    pub credentials: Option<ProxyCredentials>,
}

/// A proxy's user name and password, percent-decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyCredentials {
    pub username: Secret,
    pub password: Secret,
    /// The two as the variable wrote them (percent-encoded), so that a
    /// message quoting the URL is masked as well.
    raw: [Secret; 2],
}

impl ProxyCredentials {
    /// Every form of the two values, for the run's redactor.
    pub fn secret_values(&self) -> Vec<String> {
        [&self.username, &self.password, &self.raw[0], &self.raw[1]]
            .into_iter()
            .map(|s| s.expose().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

impl fmt::Display for ProxyChoice {
    /// Safe to log: the URL without credentials, and where it came from.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (from {}", self.url, self.variable)?;
        if self.credentials.is_some() {
            f.write_str(", with credentials")?;
        }
        f.write_str(")")
    }
}

impl ProxyChoice {
    /// The proxy for reqwest: every request of the client goes through it
    /// (the client only ever talks to the one endpoint it was chosen for).
    pub fn to_reqwest(&self) -> Result<reqwest::Proxy, String> {
        let proxy = reqwest::Proxy::all(self.url.clone()).map_err(|e| {
            format!(
                "{} ({}) cannot be used as a proxy: {e}",
                self.variable, self.url
            )
        })?;
        Ok(match &self.credentials {
            Some(credentials) => {
                proxy.basic_auth(credentials.username.expose(), credentials.password.expose())
            }
            None => proxy,
        })
    }
}

/// The proxy for `endpoint`, from `environment`; `None`: connect directly.
/// An unusable value in the variable that applies is an error (exit 1).
pub fn choose_proxy(
    endpoint: &Endpoint,
    environment: &dyn Environment,
) -> Result<Option<ProxyChoice>, String> {
    if endpoint.is_loopback() {
        return Ok(None);
    }
    let var = |name: &'static str| {
        environment
            .var(name)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (name, v))
    };
    let no_proxy = var("NO_PROXY").or_else(|| var("no_proxy"));
    if let Some((_, list)) = &no_proxy
        && no_proxy_matches(list, &endpoint.url)
    {
        return Ok(None);
    }
    let chosen = match endpoint.url.scheme() {
        "https" => var("HTTPS_PROXY").or_else(|| var("https_proxy")),
        _ => var("HTTP_PROXY").or_else(|| var("http_proxy")),
    }
    .or_else(|| var("ALL_PROXY"))
    .or_else(|| var("all_proxy"));
    match chosen {
        None => Ok(None),
        Some((variable, value)) => parse_proxy(variable, value.trim()).map(Some),
    }
}

fn parse_proxy(variable: &'static str, value: &str) -> Result<ProxyChoice, String> {
    let shown = mask_userinfo(value);
    let with_scheme = if value.contains("://") {
        value.to_string()
    } else {
        format!("http://{value}")
    };
    let mut url = Url::parse(&with_scheme)
        .map_err(|e| format!("{variable} ({shown}) is not a proxy URL: {e}"))?;
    match url.scheme() {
        "http" | "https" => {}
        scheme if scheme.starts_with("socks") => {
            return Err(format!(
                "{variable} ({shown}) names a SOCKS proxy, which tccert does not support; \
                 use an HTTP or HTTPS proxy (http://HOST:PORT), or unset {variable} \
                 (NO_PROXY lists hosts that go direct)"
            ));
        }
        scheme => {
            return Err(format!(
                "{variable} ({shown}): tccert does not support `{scheme}` proxies; \
                 use http://HOST:PORT or https://HOST:PORT"
            ));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{variable} ({shown}) names no proxy host"));
    }
    let credentials = if url.username().is_empty() && url.password().is_none() {
        None
    } else {
        let raw_user = url.username().to_string();
        let raw_password = url.password().unwrap_or_default().to_string();
        let decode = |s: &str| percent_decode(s);
        let credentials = ProxyCredentials {
            username: Secret::new(decode(&raw_user)),
            password: Secret::new(decode(&raw_password)),
            raw: [Secret::new(raw_user), Secret::new(raw_password)],
        };
        // Neither setter fails on an http(s) URL with a host.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Some(credentials)
    };
    url.set_path("/");
    url.set_query(None);
    url.set_fragment(None);
    Ok(ProxyChoice {
        variable,
        url,
        credentials,
    })
}

/// `%XX` decoded (as curl and reqwest decode proxy credentials); anything
/// that is not a valid escape is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `NO_PROXY`'s list names the endpoint's host.
fn no_proxy_matches(list: &str, url: &Url) -> bool {
    let ip = host_ip(url);
    let name = url.host_str().unwrap_or_default().to_ascii_lowercase();
    list.split(',').map(str::trim).any(|entry| {
        if entry == "*" {
            return true;
        }
        if let Some(ip) = ip {
            return ip_entry_matches(entry, ip);
        }
        let entry = entry
            .strip_prefix('.')
            .unwrap_or(entry)
            .to_ascii_lowercase();
        !entry.is_empty() && (name == entry || name.ends_with(&format!(".{entry}")))
    })
}

/// `entry` as an address or a CIDR range, matched against `ip`.
fn ip_entry_matches(entry: &str, ip: IpAddr) -> bool {
    let entry = entry.trim_start_matches('[').trim_end_matches(']');
    let (address, prefix) = match entry.split_once('/') {
        Some((address, prefix)) => match prefix.parse::<u32>() {
            Ok(prefix) => (address, Some(prefix)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    let Ok(address) = address.parse::<IpAddr>() else {
        return false;
    };
    match (address, ip) {
        (IpAddr::V4(net), IpAddr::V4(ip)) => {
            let prefix = prefix.unwrap_or(32);
            if prefix > 32 {
                return false;
            }
            let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
            u32::from(net) & mask == u32::from(ip) & mask
        }
        (IpAddr::V6(net), IpAddr::V6(ip)) => {
            let prefix = prefix.unwrap_or(128);
            if prefix > 128 {
                return false;
            }
            let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
            u128::from(net) & mask == u128::from(ip) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::MASK;
    use crate::system::MapEnvironment;

    fn endpoint(url: &str) -> Endpoint {
        Endpoint::parse(url).unwrap()
    }

    /// The choice as a short string: "none", "VAR url [creds]", or "error: ...".
    fn choice(url: &str, vars: &[(&str, &str)]) -> String {
        let environment = vars
            .iter()
            .fold(MapEnvironment::default(), |e, (k, v)| e.with(k, v));
        match choose_proxy(&endpoint(url), &environment) {
            Ok(None) => "none".into(),
            Ok(Some(choice)) => format!(
                "{} {}{}",
                choice.variable,
                choice.url,
                match &choice.credentials {
                    Some(c) => format!(" {}:{}", c.username.expose(), c.password.expose()),
                    None => String::new(),
                }
            ),
            Err(message) => format!("error: {message}"),
        }
    }

    const REAL: &str = "https://ssl.intl.tencentcloudapi.com";

    /// An endpoint, the variables set, the choice expected.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

    #[test]
    fn the_proxy_is_chosen_as_curl_and_reqwest_choose_it() {
        let table: &[Case] = &[
            (REAL, &[], "none"),
            (
                REAL,
                &[("HTTPS_PROXY", "http://proxy.corp:3128")],
                "HTTPS_PROXY http://proxy.corp:3128/",
            ),
            (
                REAL,
                &[("https_proxy", "proxy.corp:3128")],
                "https_proxy http://proxy.corp:3128/",
            ),
            // Upper case first, as reqwest reads them.
            (
                REAL,
                &[("HTTPS_PROXY", "http://a:1"), ("https_proxy", "http://b:2")],
                "HTTPS_PROXY http://a:1/",
            ),
            // An empty value is unset.
            (
                REAL,
                &[("HTTPS_PROXY", ""), ("https_proxy", "http://b:2")],
                "https_proxy http://b:2/",
            ),
            // HTTP_PROXY is for http destinations only.
            (REAL, &[("HTTP_PROXY", "http://p:1")], "none"),
            (
                REAL,
                &[("ALL_PROXY", "http://all:8080")],
                "ALL_PROXY http://all:8080/",
            ),
            (
                REAL,
                &[("all_proxy", "https://all:8443")],
                "all_proxy https://all:8443/",
            ),
            (
                REAL,
                &[("HTTPS_PROXY", "http://s:1"), ("ALL_PROXY", "http://all:2")],
                "HTTPS_PROXY http://s:1/",
            ),
            // Credentials are taken out of the URL and decoded.
            (
                REAL,
                &[("HTTPS_PROXY", "http://u%40corp:p%3Ass@proxy:3128/path")],
                "HTTPS_PROXY http://proxy:3128/ u@corp:p:ss",
            ),
            // NO_PROXY: the host, a parent domain, a leading dot, `*`, case.
            (
                REAL,
                &[
                    ("HTTPS_PROXY", "http://p:1"),
                    ("NO_PROXY", "tencentcloudapi.com"),
                ],
                "none",
            ),
            (
                REAL,
                &[
                    ("HTTPS_PROXY", "http://p:1"),
                    ("no_proxy", "x.org, .TencentCloudAPI.com"),
                ],
                "none",
            ),
            (
                REAL,
                &[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", "*")],
                "none",
            ),
            (
                REAL,
                &[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", "cloudapi.com")],
                "HTTPS_PROXY http://p:1/",
            ),
            // Addresses and CIDR ranges.
            (
                "https://10.1.2.3",
                &[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", "10.0.0.0/8")],
                "none",
            ),
            (
                "https://10.1.2.3",
                &[
                    ("HTTPS_PROXY", "http://p:1"),
                    ("NO_PROXY", "10.1.2.4,11.0.0.0/8"),
                ],
                "HTTPS_PROXY http://p:1/",
            ),
            (
                "https://[2001:db8::5]",
                &[("HTTPS_PROXY", "http://p:1"), ("NO_PROXY", "2001:db8::/32")],
                "none",
            ),
            // Loopback never goes through a proxy, whatever the variables say.
            (
                "http://127.0.0.1:4000",
                &[
                    ("HTTP_PROXY", "http://p:1"),
                    ("HTTPS_PROXY", "http://p:1"),
                    ("ALL_PROXY", "socks5://p:1"),
                ],
                "none",
            ),
            (
                "https://localhost:4000",
                &[("HTTPS_PROXY", "http://p:1")],
                "none",
            ),
            ("http://[::1]:4000", &[("ALL_PROXY", "http://p:1")], "none"),
            // NO_PROXY first: an excluded host does not look at the value.
            (
                REAL,
                &[("ALL_PROXY", "socks5://p:1"), ("NO_PROXY", "*")],
                "none",
            ),
        ];
        for (url, vars, expected) in table {
            assert_eq!(choice(url, vars), *expected, "{url} {vars:?}");
        }
    }

    #[test]
    fn unsupported_or_broken_proxies_are_errors_that_hide_credentials() {
        for (value, wanted) in [
            ("socks5://user:hunter22@p:1080", "SOCKS"),
            ("socks5h://p:1080", "SOCKS"),
            ("ftp://user:hunter22@p:21", "`ftp`"),
            ("http://user:hunter22@", "not a proxy URL"),
        ] {
            let got = choice(REAL, &[("ALL_PROXY", value)]);
            assert!(got.starts_with("error: ALL_PROXY"), "{value}: {got}");
            assert!(got.contains(wanted), "{value}: {got}");
            assert!(!got.contains("hunter22"), "{value}: {got}");
            assert!(!got.contains("user"), "{value}: {got}");
        }
    }

    #[test]
    fn credentials_never_show_in_display_or_debug() {
        let environment =
            MapEnvironment::default().with("HTTPS_PROXY", "http://alice:s3cr%2Ft@proxy:3128");
        let choice = choose_proxy(&endpoint(REAL), &environment)
            .unwrap()
            .unwrap();
        let shown = format!("{choice} {choice:?}");
        for secret in ["alice", "s3cr", "s3cr/t", "s3cr%2Ft"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert_eq!(
            choice.to_string(),
            "http://proxy:3128/ (from HTTPS_PROXY, with credentials)"
        );
        let mut values = choice.credentials.unwrap().secret_values();
        values.sort();
        assert_eq!(values, ["alice", "alice", "s3cr%2Ft", "s3cr/t"]);
    }

    #[test]
    fn userinfo_is_masked_in_any_text() {
        assert_eq!(
            mask_userinfo("http://u:p@h:1"),
            format!("http://{MASK}@h:1")
        );
        assert_eq!(mask_userinfo("u:p@h:1"), format!("{MASK}@h:1"));
        // A password holding `@` is masked whole (the last `@` ends it).
        assert_eq!(mask_userinfo("http://u:a@b@h"), format!("http://{MASK}@h"));
        assert_eq!(mask_userinfo("http://h:1"), "http://h:1");
    }
}
