//! Where a webhook may go (spec §5.12): `http`/`https` URLs whose host resolves only to public
//! addresses, unless private targets are allowed. The checked address is the one connected
//! to, so a DNS answer that changes between the check and the request cannot swap it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// A checked webhook target.
#[derive(Debug, Clone)]
pub struct Target {
    /// The URL.
    pub url: reqwest::Url,
    /// The host name to pin to `addr`, when the URL names a host rather than an address.
    pub domain: Option<String>,
    /// The address to connect to.
    pub addr: SocketAddr,
}

/// Whether `ip` is loopback, private, link-local, unspecified or broadcast (IPv4-mapped IPv6
/// addresses are judged as the IPv4 address they carry).
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_non_public(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_non_public(v4),
            None => v6_non_public(v6),
        },
    }
}

fn v4_non_public(ip: Ipv4Addr) -> bool {
    ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified() || ip.is_broadcast()
}

fn v6_non_public(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || (first & 0xfe00) == 0xfc00 // fc00::/7 unique local
        || (first & 0xffc0) == 0xfe80 // fe80::/10 link-local
}

/// Parses and resolves `url`; refuses it (with the reason) when it is not `http`/`https` or,
/// unless `allow_private`, when ANY address of its host is not public.
pub async fn check(url: &str, allow_private: bool) -> Result<Target, String> {
    let url = reqwest::Url::parse(url).map_err(|e| format!("invalid webhook URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("refused: unsupported scheme {:?}", url.scheme()));
    }
    let host = url.host_str().ok_or("invalid webhook URL: no host")?.to_string();
    let port = url.port_or_known_default().ok_or("invalid webhook URL: no port")?;
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let (domain, addrs) = match literal.parse::<IpAddr>() {
        Ok(ip) => (None, vec![SocketAddr::new(ip, port)]),
        Err(_) => {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
                .await
                .map_err(|e| format!("cannot resolve {host}: {e}"))?
                .collect();
            (Some(host.clone()), addrs)
        }
    };
    let Some(first) = addrs.first().copied() else {
        return Err(format!("cannot resolve {host}: no addresses"));
    };
    if !allow_private && let Some(bad) = addrs.iter().find(|a| is_non_public(a.ip())) {
        return Err(format!(
            "refused: {host} resolves to the non-public address {} (loopback, private or link-local targets are not allowed)",
            bad.ip()
        ));
    }
    Ok(Target {
        url,
        domain,
        addr: first,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_addresses() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_non_public(bad.parse().expect("ip")), "{bad}");
        }
        for good in [
            "8.8.8.8",
            "172.32.0.1",
            "1.1.1.1",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_non_public(good.parse().expect("ip")), "{good}");
        }
    }

    #[tokio::test]
    async fn refuses_private_targets_unless_allowed() {
        assert!(check("http://127.0.0.1:9/x", false).await.is_err());
        assert!(check("http://[::1]:9/x", false).await.is_err());
        assert!(check("http://localhost:9/x", false).await.is_err());
        assert!(check("ftp://example.com/x", true).await.is_err());
        let t = check("http://127.0.0.1:9/x", true).await.expect("allowed");
        assert_eq!(t.addr, "127.0.0.1:9".parse().expect("addr"));
        assert!(t.domain.is_none());
    }
}
