//! Who a request comes from, for budgets: the address the deployment trusts, and the bucket
//! it is counted in.
//!
//! The runtime shell reports the peer: on Workers `CF-Connecting-IP` (set by Cloudflare's
//! edge, which a client cannot forge), on Spin `spin-client-addr` (the TCP peer). Behind an
//! ingress or load balancer every citizen's peer is the proxy, so a deployment may name the
//! header its proxy writes ([`ClientAddress`], off by default). A header is never believed
//! unless the deployment configured it: anyone can send `X-Forwarded-For`.
//!
//! Buckets: an IPv4 address counts alone; an IPv6 client counts by its /64 (one subscriber's
//! network, which can hold 2^64 addresses); a request with no usable address shares one
//! bucket with every other such request, so it is limited too.

use std::net::IpAddr;

/// Where the client's address comes from (the variable `MINYI_CLIENT_IP_HEADER`, with
/// `MINYI_TRUSTED_PROXY_HOPS` for `X-Forwarded-For`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ClientAddress {
    /// The peer the runtime reports (the default).
    #[default]
    Peer,
    /// `X-Forwarded-For`: the entry written by the outermost of `hops` trusted proxies,
    /// counted from the right (1: the last entry, written by the proxy in front of us).
    ForwardedFor {
        /// Trusted proxies in front of the runtime (1–10).
        hops: u8,
    },
    /// A header holding one address, written by the trusted proxy (`X-Real-IP`).
    Header(String),
}

impl ClientAddress {
    /// The setting from the variables' values: `header` empty means the peer.
    pub fn parse(header: Option<&str>, hops: Option<&str>) -> Result<Self, String> {
        let Some(header) = header.map(str::trim).filter(|h| !h.is_empty()) else {
            return Ok(Self::Peer);
        };
        let name = header.to_ascii_lowercase();
        if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(format!(
                "MINYI_CLIENT_IP_HEADER is not a header name: {header:?}"
            ));
        }
        if name == "x-forwarded-for" {
            let hops = match hops.map(str::trim).filter(|h| !h.is_empty()) {
                None => 1,
                Some(h) => h
                    .parse::<u8>()
                    .ok()
                    .filter(|n| (1..=10).contains(n))
                    .ok_or_else(|| format!("MINYI_TRUSTED_PROXY_HOPS must be 1–10, not {h:?}"))?,
            };
            Ok(Self::ForwardedFor { hops })
        } else {
            Ok(Self::Header(name))
        }
    }

    /// The client's address: from the configured header when it names a valid address,
    /// otherwise the peer's.
    pub fn resolve(
        &self,
        peer: Option<&str>,
        header: impl Fn(&str) -> Option<String>,
    ) -> Option<String> {
        // The address as written, once it parses as one (no formatting code for addresses).
        let valid = |text: &str| parse(text).is_some().then(|| unbracket(text).to_owned());
        let from_header = match self {
            Self::Peer => None,
            Self::ForwardedFor { hops } => header("x-forwarded-for").and_then(|list| {
                let entries: Vec<&str> = list.split(',').map(str::trim).collect();
                let index = entries.len().checked_sub(usize::from(*hops))?;
                valid(entries[index])
            }),
            Self::Header(name) => header(name).and_then(|v| valid(v.trim())),
        };
        from_header.or_else(|| peer.map(str::to_owned))
    }
}

/// An address as written in a header or by a runtime: `1.2.3.4`, `2001:db8::1`, `[::1]`.
fn parse(text: &str) -> Option<IpAddr> {
    unbracket(text).parse().ok()
}

fn unbracket(text: &str) -> &str {
    let text = text.trim();
    text.strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text)
}

/// The bucket a client's requests are counted in: `v4:<address, hex>`, `v6:<first 64 bits,
/// hex>/64`, or `none` for a request without a usable address.
pub fn bucket(client: Option<&str>) -> String {
    let hex = minyi::hex::encode;
    match client.and_then(parse) {
        Some(IpAddr::V4(v4)) => format!("v4:{}", hex(&v4.octets())),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("v4:{}", hex(&v4.octets())),
            None => format!("v6:{}/64", hex(&v6.octets()[..8])),
        },
        None => "none".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            owned
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn headers_are_ignored_unless_configured() {
        let forged = headers(&[("x-forwarded-for", "1.1.1.1"), ("x-real-ip", "2.2.2.2")]);
        assert_eq!(
            ClientAddress::Peer
                .resolve(Some("10.0.0.1"), &forged)
                .as_deref(),
            Some("10.0.0.1")
        );
        assert_eq!(
            ClientAddress::parse(None, Some("3")),
            Ok(ClientAddress::Peer)
        );
        assert_eq!(
            ClientAddress::parse(Some(" "), None),
            Ok(ClientAddress::Peer)
        );
    }

    #[test]
    fn forwarded_for_counts_trusted_hops_from_the_right() {
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.5, 10.0.0.2")]);
        let one = ClientAddress::parse(Some("X-Forwarded-For"), None).expect("valid");
        assert_eq!(one, ClientAddress::ForwardedFor { hops: 1 });
        assert_eq!(
            one.resolve(Some("10.0.0.1"), &h).as_deref(),
            Some("10.0.0.2")
        );
        let two = ClientAddress::parse(Some("x-forwarded-for"), Some("2")).expect("valid");
        assert_eq!(
            two.resolve(Some("10.0.0.1"), &h).as_deref(),
            Some("203.0.113.5")
        );
        // Fewer entries than trusted hops, or garbage: the peer, never a client's claim.
        let five = ClientAddress::ForwardedFor { hops: 5 };
        assert_eq!(
            five.resolve(Some("10.0.0.1"), &h).as_deref(),
            Some("10.0.0.1")
        );
        let junk = headers(&[("x-forwarded-for", "not-an-ip")]);
        assert_eq!(
            one.resolve(Some("10.0.0.1"), &junk).as_deref(),
            Some("10.0.0.1")
        );
        assert!(ClientAddress::parse(Some("x-forwarded-for"), Some("0")).is_err());
        assert!(ClientAddress::parse(Some("bad header"), None).is_err());
    }

    #[test]
    fn a_single_address_header() {
        let real = ClientAddress::parse(Some("X-Real-IP"), None).expect("valid");
        let h = headers(&[("x-real-ip", "[2001:db8::7]")]);
        assert_eq!(real.resolve(None, &h).as_deref(), Some("2001:db8::7"));
    }

    #[test]
    fn ipv6_clients_share_their_64_and_no_address_is_one_bucket() {
        assert_eq!(
            bucket(Some("2001:db8:1:2:aaaa::1")),
            bucket(Some("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(
            bucket(Some("2001:db8:1:2::1")),
            bucket(Some("2001:db8:1:3::1"))
        );
        assert_eq!(bucket(Some("203.0.113.9")), "v4:cb007109");
        assert_eq!(bucket(Some("::ffff:203.0.113.9")), "v4:cb007109");
        assert_eq!(bucket(Some("2001:db8:1:2::1")), "v6:20010db800010002/64");
        assert_eq!(bucket(None), "none");
        assert_eq!(bucket(Some("garbage")), "none");
    }
}
