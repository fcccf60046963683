//! Interface names: Cisco abbreviations and matching.
//!
//! References in a model file (links, hosts, clouds, static routes) may use
//! the abbreviated names engineers type (`Gi1/0/1`, `Te1/1/1`, `Po1`); they
//! resolve to the interface whose full name they abbreviate.

/// Known interface-type prefixes, longest full name first where prefixes overlap.
const TYPES: &[&str] = &[
    "TwentyFiveGigE",
    "TwoGigabitEthernet",
    "FiveGigabitEthernet",
    "TenGigabitEthernet",
    "FortyGigabitEthernet",
    "HundredGigE",
    "AppGigabitEthernet",
    "GigabitEthernet",
    "FastEthernet",
    "Ethernet",
    "Port-channel",
    "Loopback",
    "Vlan",
    "Tunnel",
    "Serial",
    "Null",
    "Management",
];

/// Canonical form of an interface name: the full type name in the case used
/// by IOS, followed by the unit number, for the known abbreviations
/// (`gi1/0/1` → `GigabitEthernet1/0/1`, `Te1/1/1` → `TenGigabitEthernet1/1/1`).
/// Unknown names are returned unchanged.
pub fn canonical(name: &str) -> String {
    let split = name
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(name.len());
    let (prefix, rest) = name.split_at(split);
    if prefix.is_empty() || rest.is_empty() {
        return name.to_string();
    }
    let lower = prefix.to_ascii_lowercase();
    // Exact full names first, then the common two-letter and longer abbreviations.
    if let Some(full) = TYPES.iter().find(|t| t.to_ascii_lowercase() == lower) {
        return format!("{full}{rest}");
    }
    let full = match lower.as_str() {
        "gi" | "gig" | "ge" => "GigabitEthernet",
        "te" | "ten" | "xe" => "TenGigabitEthernet",
        "tw" | "two" => "TwoGigabitEthernet",
        "twe" => "TwentyFiveGigE",
        "fi" | "five" => "FiveGigabitEthernet",
        "fo" | "for" => "FortyGigabitEthernet",
        "hu" => "HundredGigE",
        "fa" => "FastEthernet",
        "eth" | "e" | "et" => "Ethernet",
        "po" => "Port-channel",
        "lo" => "Loopback",
        "vl" => "Vlan",
        "tu" => "Tunnel",
        "se" => "Serial",
        "nu" => "Null",
        _ => return name.to_string(),
    };
    format!("{full}{rest}")
}

/// Whether `reference` names the interface called `full`: equal, equal
/// ignoring case, or equal after expanding abbreviations.
pub fn matches(reference: &str, full: &str) -> bool {
    reference == full
        || reference.eq_ignore_ascii_case(full)
        || canonical(reference).eq_ignore_ascii_case(&canonical(full))
}

/// Whether the name is the discard interface (`Null0`).
pub fn is_null(name: &str) -> bool {
    canonical(name).eq_ignore_ascii_case("Null0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_expand() {
        assert_eq!(canonical("Gi1/0/9"), "GigabitEthernet1/0/9");
        assert_eq!(canonical("te1/1/1"), "TenGigabitEthernet1/1/1");
        assert_eq!(canonical("Vlan15"), "Vlan15");
        assert_eq!(canonical("clientinterface"), "clientinterface");
        assert!(matches("Gi5/38", "GigabitEthernet5/38"));
        assert!(!matches("Gi5/3", "GigabitEthernet5/38"));
        assert!(is_null("Null0"));
        assert!(is_null("nu0"));
    }
}
