//! Stable ids: UUIDv5 of `pathtrace:{network}:{kind}:{name}` in the URL namespace.
//!
//! A path element's `id` therefore equals the `network-device` id of that
//! device across restarts and replicas (design.md, Conventions).

use uuid::Uuid;

/// What an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A device; name = hostname.
    Device,
    /// An interface; name = `hostname/ifname`.
    Interface,
    /// A host; name = its IP address.
    Host,
    /// An unmanaged cloud; name = the cloud's name.
    Cloud,
}

impl IdKind {
    fn as_str(self) -> &'static str {
        match self {
            IdKind::Device => "device",
            IdKind::Interface => "interface",
            IdKind::Host => "host",
            IdKind::Cloud => "cloud",
        }
    }
}

/// The stable id of an object of `kind` called `name` in `network`.
pub fn stable_id(network: &str, kind: IdKind, name: &str) -> Uuid {
    let key = format!("pathtrace:{network}:{}:{name}", kind.as_str());
    Uuid::new_v5(&Uuid::NAMESPACE_URL, key.as_bytes())
}

/// Id of a device.
pub fn device_id(network: &str, hostname: &str) -> Uuid {
    stable_id(network, IdKind::Device, hostname)
}

/// Id of an interface.
pub fn interface_id(network: &str, hostname: &str, ifname: &str) -> Uuid {
    stable_id(network, IdKind::Interface, &format!("{hostname}/{ifname}"))
}

/// Id of a host (named by its IP address, without prefix length).
pub fn host_id(network: &str, ip: &std::net::IpAddr) -> Uuid {
    stable_id(network, IdKind::Host, &ip.to_string())
}

/// Id of a cloud.
pub fn cloud_id(network: &str, name: &str) -> Uuid {
    stable_id(network, IdKind::Cloud, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = device_id("demo", "CAMPUS-Access1");
        assert_eq!(a, device_id("demo", "CAMPUS-Access1"));
        assert_ne!(a, device_id("other", "CAMPUS-Access1"));
        assert_ne!(a, cloud_id("demo", "CAMPUS-Access1"));
        assert_eq!(a.get_version_num(), 5);
    }
}
