//! Inventory: network devices (list with filters, by id, by IP, count),
//! hosts, interfaces of a device, and the physical topology (contract §6,
//! §7). Nearly every field is a string on the wire; the few numbers and
//! booleans are read tolerantly ([`crate::de`]); unknown fields are ignored.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{Client, push, push_all, segment};
use crate::de;
use crate::error::{Error, Result};

/// A network device (`network-device`). Its `id` equals the `id` of its
/// elements in a path.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Device id (= `instanceUuid`).
    #[serde(default, deserialize_with = "de::string_or_empty")]
    pub id: String,
    /// Instance UUID (= `id`).
    #[serde(default, deserialize_with = "de::string")]
    pub instance_uuid: Option<String>,
    /// Tenant.
    #[serde(default, deserialize_with = "de::string")]
    pub instance_tenant_id: Option<String>,
    /// Hostname.
    #[serde(default, deserialize_with = "de::string")]
    pub hostname: Option<String>,
    /// Management IP.
    #[serde(default, deserialize_with = "de::string")]
    pub management_ip_address: Option<String>,
    /// MAC address.
    #[serde(default, deserialize_with = "de::string")]
    pub mac_address: Option<String>,
    /// Serial number.
    #[serde(default, deserialize_with = "de::string")]
    pub serial_number: Option<String>,
    /// Platform (e.g. `C9300-48U`).
    #[serde(default, deserialize_with = "de::string")]
    pub platform_id: Option<String>,
    /// Series.
    #[serde(default, deserialize_with = "de::string")]
    pub series: Option<String>,
    /// Family (`Switches and Hubs`, `Routers`, …).
    #[serde(default, deserialize_with = "de::string")]
    pub family: Option<String>,
    /// Device type (`type`).
    #[serde(default, rename = "type", deserialize_with = "de::string")]
    pub device_type: Option<String>,
    /// Role (`ACCESS`, `DISTRIBUTION`, `CORE`, …).
    #[serde(default, deserialize_with = "de::string")]
    pub role: Option<String>,
    /// Where the role came from.
    #[serde(default, deserialize_with = "de::string")]
    pub role_source: Option<String>,
    /// E.g. `17.9.4a`.
    #[serde(default, deserialize_with = "de::string")]
    pub software_version: Option<String>,
    /// Software type (`IOS-XE`, …).
    #[serde(default, deserialize_with = "de::string")]
    pub software_type: Option<String>,
    /// Vendor.
    #[serde(default, deserialize_with = "de::string")]
    pub vendor: Option<String>,
    /// Uptime as text (`21 days, 3:04:05.00`).
    #[serde(default, deserialize_with = "de::string")]
    pub up_time: Option<String>,
    /// Uptime in seconds.
    #[serde(default, deserialize_with = "de::int")]
    pub uptime_seconds: Option<i64>,
    /// Boot time (text).
    #[serde(default, deserialize_with = "de::string")]
    pub boot_date_time: Option<String>,
    /// Epoch ms.
    #[serde(default, deserialize_with = "de::int")]
    pub last_update_time: Option<i64>,
    /// Human-readable, e.g. `2024-05-18 20:55:20`.
    #[serde(default, deserialize_with = "de::string")]
    pub last_updated: Option<String>,
    /// `Reachable`, `Unreachable`, …
    #[serde(default, deserialize_with = "de::string")]
    pub reachability_status: Option<String>,
    /// Why unreachable.
    #[serde(default, deserialize_with = "de::string")]
    pub reachability_failure_reason: Option<String>,
    /// Inventory collection status (`Managed`, …).
    #[serde(default, deserialize_with = "de::string")]
    pub collection_status: Option<String>,
    /// Inventory collection interval.
    #[serde(default, deserialize_with = "de::string")]
    pub collection_interval: Option<String>,
    /// Inventory status detail.
    #[serde(default, deserialize_with = "de::string")]
    pub inventory_status_detail: Option<String>,
    /// Management state.
    #[serde(default, deserialize_with = "de::string")]
    pub management_state: Option<String>,
    /// Inventory error code.
    #[serde(default, deserialize_with = "de::string")]
    pub error_code: Option<String>,
    /// Inventory error text.
    #[serde(default, deserialize_with = "de::string")]
    pub error_description: Option<String>,
    /// Location id.
    #[serde(default, deserialize_with = "de::string")]
    pub location: Option<String>,
    /// Location name.
    #[serde(default, deserialize_with = "de::string")]
    pub location_name: Option<String>,
    /// SNMP contact.
    #[serde(default, deserialize_with = "de::string")]
    pub snmp_contact: Option<String>,
    /// SNMP location.
    #[serde(default, deserialize_with = "de::string")]
    pub snmp_location: Option<String>,
    /// Memory size (text).
    #[serde(default, deserialize_with = "de::string")]
    pub memory_size: Option<String>,
    /// Number of interfaces (text).
    #[serde(default, deserialize_with = "de::string")]
    pub interface_count: Option<String>,
    /// Number of line cards (text).
    #[serde(default, deserialize_with = "de::string")]
    pub line_card_count: Option<String>,
    /// Line card ids.
    #[serde(default, deserialize_with = "de::string")]
    pub line_card_id: Option<String>,
    /// Number of tags (text).
    #[serde(default, deserialize_with = "de::string")]
    pub tag_count: Option<String>,
    /// Tunnel UDP port (APs).
    #[serde(default, deserialize_with = "de::string")]
    pub tunnel_udp_port: Option<String>,
    /// AP manager interface IP (WLCs).
    #[serde(default, deserialize_with = "de::string")]
    pub ap_manager_interface_ip: Option<String>,
    /// Associated WLC (APs).
    #[serde(default, deserialize_with = "de::string")]
    pub associated_wlc_ip: Option<String>,
    /// AP Ethernet MAC (APs).
    #[serde(default, deserialize_with = "de::string")]
    pub ap_ethernet_mac_address: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "de::string")]
    pub description: Option<String>,
    /// Support level.
    #[serde(default, deserialize_with = "de::string")]
    pub device_support_level: Option<String>,
    /// Management address as resolved.
    #[serde(default, deserialize_with = "de::string")]
    pub dns_resolved_management_address: Option<String>,
    /// Whether it was ever managed.
    #[serde(default, deserialize_with = "de::boolean")]
    pub managed_atleast_once: Option<bool>,
}

/// Filters and paging of `GET network-device`. Several values of one
/// filter are sent as repeated keys; values may use DNA Center's `.*`
/// wildcard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceQuery {
    /// Hostnames.
    pub hostname: Vec<String>,
    /// Management IPs.
    pub management_ip_address: Vec<String>,
    /// Families (`Switches and Hubs`, `Routers`, …).
    pub family: Vec<String>,
    /// Roles (`ACCESS`, …).
    pub role: Vec<String>,
    /// Platform ids.
    pub platform_id: Vec<String>,
    /// Software versions.
    pub software_version: Vec<String>,
    /// Serial numbers.
    pub serial_number: Vec<String>,
    /// Device ids.
    pub id: Vec<String>,
    /// Any other filter, as `(name, value)` (e.g. `("series", "…")`).
    pub other: Vec<(String, String)>,
    /// 1-based index of the first item.
    pub offset: Option<u32>,
    /// Page size (at most 500).
    pub limit: Option<u32>,
}

impl DeviceQuery {
    /// The query pairs.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        push_all(&mut q, "hostname", &self.hostname);
        push_all(&mut q, "managementIpAddress", &self.management_ip_address);
        push_all(&mut q, "family", &self.family);
        push_all(&mut q, "role", &self.role);
        push_all(&mut q, "platformId", &self.platform_id);
        push_all(&mut q, "softwareVersion", &self.software_version);
        push_all(&mut q, "serialNumber", &self.serial_number);
        push_all(&mut q, "id", &self.id);
        q.extend(self.other.iter().cloned());
        push(&mut q, "offset", self.offset);
        push(&mut q, "limit", self.limit);
        q
    }
}

/// A host (`host`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    /// Host id.
    #[serde(default, deserialize_with = "de::string_or_empty")]
    pub id: String,
    /// Host name.
    #[serde(default, deserialize_with = "de::string")]
    pub host_name: Option<String>,
    /// The host's IP.
    #[serde(default, deserialize_with = "de::string")]
    pub host_ip: Option<String>,
    /// MAC address.
    #[serde(default, deserialize_with = "de::string")]
    pub host_mac: Option<String>,
    /// `wired` or `wireless`.
    #[serde(default, deserialize_with = "de::string")]
    pub host_type: Option<String>,
    /// Sub-type.
    #[serde(default, deserialize_with = "de::string")]
    pub sub_type: Option<String>,
    /// VLAN.
    #[serde(default, deserialize_with = "de::string")]
    pub vlan_id: Option<String>,
    /// The device it attaches to.
    #[serde(default, deserialize_with = "de::string")]
    pub connected_network_device_id: Option<String>,
    /// That device's management IP.
    #[serde(default, deserialize_with = "de::string")]
    pub connected_network_device_ip_address: Option<String>,
    /// The interface it attaches to.
    #[serde(default, deserialize_with = "de::string")]
    pub connected_interface_id: Option<String>,
    /// That interface's name.
    #[serde(default, deserialize_with = "de::string")]
    pub connected_interface_name: Option<String>,
    /// The AP it associates with (wireless).
    #[serde(
        default,
        rename = "connectedAPMacAddress",
        deserialize_with = "de::string"
    )]
    pub connected_ap_mac_address: Option<String>,
    /// That AP's name.
    #[serde(default, rename = "connectedAPName", deserialize_with = "de::string")]
    pub connected_ap_name: Option<String>,
    /// Point of attachment.
    #[serde(default, deserialize_with = "de::string")]
    pub point_of_attachment: Option<String>,
    /// Point of presence.
    #[serde(default, deserialize_with = "de::string")]
    pub point_of_presence: Option<String>,
    /// Last update (text).
    #[serde(default, deserialize_with = "de::string")]
    pub last_updated: Option<String>,
    /// Where it was learnt.
    #[serde(default, deserialize_with = "de::string")]
    pub source: Option<String>,
    /// Average update frequency.
    #[serde(default, deserialize_with = "de::string")]
    pub avg_update_frequency: Option<String>,
    /// Other attributes.
    #[serde(default)]
    pub attribute_info: Option<Value>,
}

/// Filters and paging of `GET host`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostQuery {
    /// Host IPs.
    pub host_ip: Vec<String>,
    /// Host MACs.
    pub host_mac: Vec<String>,
    /// Host name.
    pub host_name: Option<String>,
    /// `wired` or `wireless`.
    pub host_type: Option<String>,
    /// IPs of the devices the hosts attach to.
    pub connected_network_device_ip_address: Vec<String>,
    /// Any other filter, as `(name, value)`.
    pub other: Vec<(String, String)>,
    /// 1-based index of the first item.
    pub offset: Option<u32>,
    /// Page size (at most 500).
    pub limit: Option<u32>,
}

impl HostQuery {
    /// The query pairs.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        push_all(&mut q, "hostIp", &self.host_ip);
        push_all(&mut q, "hostMac", &self.host_mac);
        push(&mut q, "hostName", self.host_name.as_deref());
        push(&mut q, "hostType", self.host_type.as_deref());
        push_all(
            &mut q,
            "connectedNetworkDeviceIpAddress",
            &self.connected_network_device_ip_address,
        );
        q.extend(self.other.iter().cloned());
        push(&mut q, "offset", self.offset);
        push(&mut q, "limit", self.limit);
        q
    }
}

/// An interface of a device (`interface`, DeviceIfDTO).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInterface {
    /// Interface id.
    #[serde(default, deserialize_with = "de::string_or_empty")]
    pub id: String,
    /// Instance UUID (= `id`).
    #[serde(default, deserialize_with = "de::string")]
    pub instance_uuid: Option<String>,
    /// The device's id.
    #[serde(default, deserialize_with = "de::string")]
    pub device_id: Option<String>,
    /// Name, e.g. `GigabitEthernet1/0/1`.
    #[serde(default, deserialize_with = "de::string")]
    pub port_name: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "de::string")]
    pub description: Option<String>,
    /// `Physical` or `Virtual`.
    #[serde(default, deserialize_with = "de::string")]
    pub interface_type: Option<String>,
    /// Port type.
    #[serde(default, deserialize_with = "de::string")]
    pub port_type: Option<String>,
    /// `access`, `trunk`, `routed`.
    #[serde(default, deserialize_with = "de::string")]
    pub port_mode: Option<String>,
    /// Operational status.
    #[serde(default, deserialize_with = "de::string")]
    pub status: Option<String>,
    /// Administrative state (`up`/`down`).
    #[serde(default, deserialize_with = "de::string")]
    pub admin_status: Option<String>,
    /// ifIndex.
    #[serde(default, deserialize_with = "de::string")]
    pub if_index: Option<String>,
    /// Speed (text).
    #[serde(default, deserialize_with = "de::string")]
    pub speed: Option<String>,
    /// Duplex.
    #[serde(default, deserialize_with = "de::string")]
    pub duplex: Option<String>,
    /// Media type.
    #[serde(default, deserialize_with = "de::string")]
    pub media_type: Option<String>,
    /// MTU.
    #[serde(default, deserialize_with = "de::string")]
    pub mtu: Option<String>,
    /// VLAN.
    #[serde(default, deserialize_with = "de::string")]
    pub vlan_id: Option<String>,
    /// Native VLAN.
    #[serde(default, deserialize_with = "de::string")]
    pub native_vlan_id: Option<String>,
    /// Voice VLAN.
    #[serde(default, deserialize_with = "de::string")]
    pub voice_vlan: Option<String>,
    /// MAC address.
    #[serde(default, deserialize_with = "de::string")]
    pub mac_address: Option<String>,
    /// IPv4 address.
    #[serde(default, deserialize_with = "de::string")]
    pub ipv4_address: Option<String>,
    /// IPv4 mask.
    #[serde(default, deserialize_with = "de::string")]
    pub ipv4_mask: Option<String>,
    /// Whether OSPF runs here (text).
    #[serde(default, deserialize_with = "de::string")]
    pub ospf_support: Option<String>,
    /// Whether IS-IS runs here (text).
    #[serde(default, deserialize_with = "de::string")]
    pub isis_support: Option<String>,
    /// The physical interface under it.
    #[serde(default, deserialize_with = "de::string")]
    pub mapped_physical_interface_id: Option<String>,
    /// That interface's name.
    #[serde(default, deserialize_with = "de::string")]
    pub mapped_physical_interface_name: Option<String>,
    /// The device's serial number.
    #[serde(default, deserialize_with = "de::string")]
    pub serial_no: Option<String>,
    /// Series.
    #[serde(default, deserialize_with = "de::string")]
    pub series: Option<String>,
    /// The device's product id.
    #[serde(default, deserialize_with = "de::string")]
    pub pid: Option<String>,
    /// Interface class.
    #[serde(default, deserialize_with = "de::string")]
    pub class_name: Option<String>,
    /// Last update (text).
    #[serde(default, deserialize_with = "de::string")]
    pub last_updated: Option<String>,
}

/// The physical topology: nodes and links.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Topology {
    /// Topology id.
    #[serde(default, deserialize_with = "de::string")]
    pub id: Option<String>,
    /// Devices and hosts.
    #[serde(default, deserialize_with = "de::list")]
    pub nodes: Vec<TopologyNode>,
    /// Links between them.
    #[serde(default, deserialize_with = "de::list")]
    pub links: Vec<TopologyLink>,
}

/// A topology node (NodeWrapper).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopologyNode {
    /// Node id (the device id for devices).
    #[serde(default, deserialize_with = "de::string_or_empty")]
    pub id: String,
    /// Hostname.
    #[serde(default, deserialize_with = "de::string")]
    pub label: Option<String>,
    /// Management or host IP.
    #[serde(default, deserialize_with = "de::string")]
    pub ip: Option<String>,
    /// `device` or `host`.
    #[serde(default, deserialize_with = "de::string")]
    pub node_type: Option<String>,
    /// Device type (`type`).
    #[serde(default, deserialize_with = "de::string")]
    pub device_type: Option<String>,
    /// Family (`Switches and Hubs`, `Routers`, …).
    #[serde(default, deserialize_with = "de::string")]
    pub family: Option<String>,
    /// Role (`ACCESS`, `DISTRIBUTION`, `CORE`, …).
    #[serde(default, deserialize_with = "de::string")]
    pub role: Option<String>,
    /// Platform (e.g. `C9300-48U`).
    #[serde(default, deserialize_with = "de::string")]
    pub platform_id: Option<String>,
    /// Software version.
    #[serde(default, deserialize_with = "de::string")]
    pub software_version: Option<String>,
    /// Software type.
    #[serde(default, deserialize_with = "de::string")]
    pub os_type: Option<String>,
    /// VLAN.
    #[serde(default, deserialize_with = "de::string")]
    pub vlan_id: Option<String>,
    /// Greyed out in the UI.
    #[serde(default, deserialize_with = "de::boolean")]
    pub grey_out: Option<bool>,
    /// Tags.
    #[serde(default, deserialize_with = "de::strings")]
    pub tags: Vec<String>,
    /// Custom parameters.
    #[serde(default)]
    pub custom_param: Option<Value>,
}

/// A topology link (LinkWrapper).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopologyLink {
    /// Id.
    #[serde(default, deserialize_with = "de::string")]
    pub id: Option<String>,
    /// The source node's id.
    #[serde(default, deserialize_with = "de::string_or_empty")]
    pub source: String,
    /// The target node's id.
    #[serde(default, deserialize_with = "de::string_or_empty")]
    pub target: String,
    /// Link status.
    #[serde(default, deserialize_with = "de::string")]
    pub link_status: Option<String>,
    /// Source-side interface id.
    #[serde(default, rename = "startPortID", deserialize_with = "de::string")]
    pub start_port_id: Option<String>,
    /// Source-side interface name.
    #[serde(default, deserialize_with = "de::string")]
    pub start_port_name: Option<String>,
    /// Source-side speed.
    #[serde(default, deserialize_with = "de::string")]
    pub start_port_speed: Option<String>,
    /// Source-side IPv4 address.
    #[serde(default, deserialize_with = "de::string")]
    pub start_port_ipv4_address: Option<String>,
    /// Source-side IPv4 mask.
    #[serde(default, deserialize_with = "de::string")]
    pub start_port_ipv4_mask: Option<String>,
    /// Target-side interface id.
    #[serde(default, rename = "endPortID", deserialize_with = "de::string")]
    pub end_port_id: Option<String>,
    /// Target-side interface name.
    #[serde(default, deserialize_with = "de::string")]
    pub end_port_name: Option<String>,
    /// Target-side speed.
    #[serde(default, deserialize_with = "de::string")]
    pub end_port_speed: Option<String>,
    /// Target-side IPv4 address.
    #[serde(default, deserialize_with = "de::string")]
    pub end_port_ipv4_address: Option<String>,
    /// Target-side IPv4 mask.
    #[serde(default, deserialize_with = "de::string")]
    pub end_port_ipv4_mask: Option<String>,
    /// Greyed out in the UI.
    #[serde(default, deserialize_with = "de::boolean")]
    pub grey_out: Option<bool>,
    /// Other fields the controller sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Client {
    /// `GET network-device` with filters.
    pub async fn network_devices(&self, query: &DeviceQuery) -> Result<Vec<Device>> {
        let v: Vec<Device> = self
            .call(Method::GET, "/network-device", &query.to_pairs(), None)
            .await?;
        Ok(v)
    }

    /// `GET network-device/{id}`.
    pub async fn network_device(&self, id: &str) -> Result<Device> {
        self.call(
            Method::GET,
            &format!("/network-device/{}", segment(id)),
            &[],
            None,
        )
        .await
    }

    /// `GET network-device/ip-address/{ip}`.
    pub async fn network_device_by_ip(&self, ip: &str) -> Result<Device> {
        self.call(
            Method::GET,
            &format!("/network-device/ip-address/{}", segment(ip)),
            &[],
            None,
        )
        .await
    }

    /// `GET network-device/count`.
    pub async fn network_device_count(&self) -> Result<u64> {
        let url = self.url("/network-device/count");
        let v: Value = self
            .call(Method::GET, "/network-device/count", &[], None)
            .await?;
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .ok_or_else(|| {
                Error::bad_response(
                    &url,
                    200,
                    format!("the count is not a number: {v}"),
                    v.to_string().as_bytes(),
                )
            })
    }

    /// `GET host` with filters.
    pub async fn hosts(&self, query: &HostQuery) -> Result<Vec<Host>> {
        let v: Vec<Host> = self
            .call(Method::GET, "/host", &query.to_pairs(), None)
            .await?;
        Ok(v)
    }

    /// `GET interface/network-device/{deviceId}`: a device's interfaces.
    pub async fn interfaces_by_device(&self, device_id: &str) -> Result<Vec<DeviceInterface>> {
        let v: Vec<DeviceInterface> = self
            .call(
                Method::GET,
                &format!("/interface/network-device/{}", segment(device_id)),
                &[],
                None,
            )
            .await?;
        Ok(v)
    }

    /// `GET interface/{id}`.
    pub async fn interface(&self, id: &str) -> Result<DeviceInterface> {
        self.call(
            Method::GET,
            &format!("/interface/{}", segment(id)),
            &[],
            None,
        )
        .await
    }

    /// `GET topology/physical-topology`.
    pub async fn physical_topology(&self) -> Result<Topology> {
        self.call(Method::GET, "/topology/physical-topology", &[], None)
            .await
    }
}
