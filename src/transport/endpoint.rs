//! Where a run sends: the endpoint, checked before anything connects, and
//! what chose it.

use std::net::IpAddr;

use crate::secret::MASK;

/// Default endpoint: the international site.
pub const INTERNATIONAL_ENDPOINT: &str = "https://ssl.intl.tencentcloudapi.com";
/// `--china`: the China site.
pub const CHINA_ENDPOINT: &str = "https://ssl.tencentcloudapi.com";

/// Where and how to call.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub url: reqwest::Url,
    /// The `Host` header as the server sees it: what gets signed.
    pub host: String,
}

impl Endpoint {
    /// Checks an endpoint before anything connects: https, or http to a
    /// loopback host only (127.0.0.0/8, `::1`, `localhost`), where nothing
    /// crosses a network; no credentials in the URL (they would be sent as
    /// Basic auth and shown in messages).
    pub fn parse(url: &str) -> Result<Self, String> {
        let shown = mask_userinfo(url);
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| format!("endpoint `{shown}` is not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "endpoint `{shown}` must start with https:// (or http:// for a loopback host)"
            ));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(format!(
                "endpoint `{shown}` holds credentials (user:pass@); tccert signs its requests \
                 and sends no others: remove them"
            ));
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("endpoint `{shown}` has no host"))?;
        let host = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        let endpoint = Self { url: parsed, host };
        if endpoint.url.scheme() == "http" && !endpoint.is_loopback() {
            return Err(format!(
                "endpoint `{shown}`: http:// is allowed only for loopback hosts \
                 (127.0.0.0/8, [::1], localhost), where nothing crosses a network; \
                 use https:// for any other host"
            ));
        }
        Ok(endpoint)
    }

    /// 127.0.0.0/8, `::1`, or `localhost` (which tccert resolves to loopback
    /// addresses itself, never through DNS).
    pub fn is_loopback(&self) -> bool {
        match host_ip(&self.url) {
            Some(ip) => ip.is_loopback(),
            None => self.is_localhost(),
        }
    }

    pub(super) fn is_localhost(&self) -> bool {
        self.url
            .host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case("localhost"))
    }
}

/// The URL's host as an IP address, when it is one.
pub fn host_ip(url: &reqwest::Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.parse().ok()
}

/// Which endpoint a run uses, and what chose it (said at `-v`): the flag,
/// `--china`, `TCCERT_ENDPOINT` (an empty value is unset), or the default.
pub fn choose_endpoint(
    flag: Option<&str>,
    china: bool,
    variable: Option<String>,
) -> (String, &'static str) {
    if let Some(url) = flag {
        return (url.to_string(), "--endpoint");
    }
    if china {
        return (CHINA_ENDPOINT.to_string(), "--china");
    }
    match variable.filter(|v| !v.is_empty()) {
        Some(url) => (url, "TCCERT_ENDPOINT"),
        None => (INTERNATIONAL_ENDPOINT.to_string(), "the default"),
    }
}

/// `value` with any `user:pass@` replaced by the mask, for messages.
pub fn mask_userinfo(value: &str) -> String {
    let authority_start = value.find("://").map_or(0, |i| i + 3);
    match value.rfind('@') {
        Some(at) if at >= authority_start => {
            format!("{}{MASK}@{}", &value[..authority_start], &value[at + 1..])
        }
        _ => value.to_string(),
    }
}
