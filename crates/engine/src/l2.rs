//! Layer 2: broadcast domains, their spanning trees and the ARP view of them.
//!
//! The L2 graph has four kinds of node: a *bridge* (one device's instance of
//! one VLAN), an L3 *interface* (routed port, subinterface, SVI or wireless
//! dynamic interface), a *host* and a *cloud attachment*. Links join the
//! nodes their two ports carry for each wire tag (untagged or an 802.1Q tag);
//! an SVI joins its device's bridge for its VLAN. A connected component is a
//! broadcast domain. In each domain a spanning tree is computed the way STP
//! elects one — root = the bridge with the lowest (priority, hostname, VLAN),
//! then breadth-first with ties broken by port name — so the L2 path between
//! two endpoints is unique and deterministic: L2 never load-balances.

use std::collections::{HashMap, VecDeque};

use rustc_hash::FxHashMap;
use std::net::IpAddr;

/// Index of a node in the L2 graph.
pub type NodeIx = u32;

/// What an L2 node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// Device `dev`'s instance of VLAN `vlan`.
    Bridge {
        /// Device index.
        dev: u32,
        /// VLAN id.
        vlan: u16,
    },
    /// An L3 interface (its index in the data plane).
    Iface(u32),
    /// A host (its index).
    Host(u32),
    /// A cloud attachment: (cloud index, attachment index).
    Cloud(u32, u32),
}

#[derive(Debug, Clone, Copy)]
struct Edge {
    to: NodeIx,
    /// Physical port on this node's side (None for internal SVI/host edges).
    port_here: Option<u32>,
    /// Physical port on the other side.
    port_there: Option<u32>,
}

/// One bridge traversed by an L2 path: device `dev` switches the frame in
/// `vlan` from `in_port` to `out_port` (None where the frame starts or ends
/// at the device itself, e.g. at an SVI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L2Step {
    /// Device index.
    pub dev: u32,
    /// VLAN.
    pub vlan: u16,
    /// Physical ingress port.
    pub in_port: Option<u32>,
    /// Physical egress port.
    pub out_port: Option<u32>,
}

/// An L2 path between two endpoint nodes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct L2Path {
    /// Physical port by which the frame leaves the source endpoint (a routed port).
    pub first_port: Option<u32>,
    /// Bridges traversed, in order.
    pub steps: Vec<L2Step>,
    /// Physical port by which the frame reaches the target endpoint.
    pub last_port: Option<u32>,
}

/// The L2 graph with its domains and spanning trees.
#[derive(Debug, Default)]
pub struct L2 {
    kinds: Vec<NodeKind>,
    index: HashMap<NodeKind, NodeIx>,
    adj: Vec<Vec<Edge>>,
    /// Bridge priority key per node (bridges only): (priority, hostname rank).
    prio: Vec<(u16, u32)>,
    comp: Vec<u32>,
    parent: Vec<Option<Edge>>,
    depth: Vec<u32>,
    /// (component, IP) → the endpoint owning it.
    arp: FxHashMap<(u32, IpAddr), NodeIx>,
    /// Cloud attachment nodes per component.
    clouds: HashMap<u32, Vec<NodeIx>>,
}

impl L2 {
    /// The node for `kind`, created on first use. `prio` orders bridges for
    /// the root election (ignored for other kinds).
    pub fn node(&mut self, kind: NodeKind, prio: (u16, u32)) -> NodeIx {
        if let Some(&n) = self.index.get(&kind) {
            return n;
        }
        let n = self.kinds.len() as NodeIx;
        self.kinds.push(kind);
        self.adj.push(Vec::new());
        self.prio.push(prio);
        self.index.insert(kind, n);
        n
    }

    /// The node for `kind`, if it exists.
    pub fn find(&self, kind: NodeKind) -> Option<NodeIx> {
        self.index.get(&kind).copied()
    }

    /// What node `n` is.
    pub fn kind(&self, n: NodeIx) -> NodeKind {
        self.kinds[n as usize]
    }

    /// Join two nodes; the ports are the physical ports on each side.
    pub fn connect(&mut self, a: NodeIx, port_a: Option<u32>, b: NodeIx, port_b: Option<u32>) {
        self.adj[a as usize].push(Edge {
            to: b,
            port_here: port_a,
            port_there: port_b,
        });
        self.adj[b as usize].push(Edge {
            to: a,
            port_here: port_b,
            port_there: port_a,
        });
    }

    /// Compute domains and spanning trees. `port_name` gives the sort key of
    /// a port for deterministic tie-breaking.
    pub fn finish(&mut self, port_name: impl Fn(u32) -> String) {
        let n = self.kinds.len();
        // Sort every adjacency list by (port here, port there, neighbour) so BFS is deterministic.
        let names: HashMap<u32, String> = self
            .adj
            .iter()
            .flat_map(|es| es.iter().flat_map(|e| [e.port_here, e.port_there]))
            .flatten()
            .map(|p| (p, port_name(p)))
            .collect();
        let key = |p: Option<u32>| p.and_then(|p| names.get(&p).cloned()).unwrap_or_default();
        for es in &mut self.adj {
            es.sort_by_cached_key(|e| (key(e.port_here), key(e.port_there), e.to));
        }
        self.comp = vec![u32::MAX; n];
        self.parent = vec![None; n];
        self.depth = vec![0; n];
        // Components first (plain BFS), then a root per component.
        let mut comps: Vec<Vec<NodeIx>> = Vec::new();
        for start in 0..n {
            if self.comp[start] != u32::MAX {
                continue;
            }
            let c = comps.len() as u32;
            let mut members = vec![start as NodeIx];
            self.comp[start] = c;
            let mut i = 0;
            while i < members.len() {
                let m = members[i] as usize;
                i += 1;
                for e in &self.adj[m] {
                    if self.comp[e.to as usize] == u32::MAX {
                        self.comp[e.to as usize] = c;
                        members.push(e.to);
                    }
                }
            }
            comps.push(members);
        }
        for members in &comps {
            let root = members
                .iter()
                .copied()
                .min_by_key(|&m| {
                    let is_bridge = matches!(self.kinds[m as usize], NodeKind::Bridge { .. });
                    let vlan = match self.kinds[m as usize] {
                        NodeKind::Bridge { vlan, .. } => vlan,
                        _ => 0,
                    };
                    (!is_bridge, self.prio[m as usize], vlan, m)
                })
                .unwrap_or(0);
            let mut seen = vec![false; 0];
            seen.resize(n, false);
            let mut q = VecDeque::from([root]);
            seen[root as usize] = true;
            while let Some(m) = q.pop_front() {
                // Endpoints are leaves: a tree never passes *through* an L3
                // interface, host or cloud (they do not bridge).
                if m != root && !matches!(self.kinds[m as usize], NodeKind::Bridge { .. }) {
                    continue;
                }
                let d = self.depth[m as usize];
                for e in self.adj[m as usize].clone() {
                    if !seen[e.to as usize] {
                        seen[e.to as usize] = true;
                        self.parent[e.to as usize] = Some(Edge {
                            to: m,
                            port_here: e.port_there,
                            port_there: e.port_here,
                        });
                        self.depth[e.to as usize] = d + 1;
                        q.push_back(e.to);
                    }
                }
            }
        }
        for (i, k) in self.kinds.iter().enumerate() {
            if let NodeKind::Cloud(..) = k {
                self.clouds
                    .entry(self.comp[i])
                    .or_default()
                    .push(i as NodeIx);
            }
        }
    }

    /// Record that endpoint node `n` answers ARP for `ip`.
    pub fn add_arp(&mut self, n: NodeIx, ip: IpAddr) {
        let c = self.comp[n as usize];
        self.arp.entry((c, ip)).or_insert(n);
    }

    /// The endpoint in `from`'s domain that answers ARP for `ip`.
    pub fn resolve(&self, from: NodeIx, ip: IpAddr) -> Option<NodeIx> {
        self.arp.get(&(self.comp[from as usize], ip)).copied()
    }

    /// Cloud attachments in `from`'s domain.
    pub fn clouds_in_domain(&self, from: NodeIx) -> &[NodeIx] {
        self.clouds
            .get(&self.comp[from as usize])
            .map_or(&[], Vec::as_slice)
    }

    /// The domain (connected component) of a node.
    pub fn domain(&self, n: NodeIx) -> u32 {
        self.comp[n as usize]
    }

    /// Whether two nodes share a domain.
    pub fn same_domain(&self, a: NodeIx, b: NodeIx) -> bool {
        self.comp[a as usize] == self.comp[b as usize]
    }

    /// The spanning-tree path from endpoint `a` to endpoint `b` (same domain).
    pub fn path(&self, a: NodeIx, b: NodeIx) -> Option<L2Path> {
        let mut out = L2Path::default();
        self.path_into(a, b, &mut out).then_some(out)
    }

    /// [`L2::path`] into a reusable buffer (no allocation once it has grown).
    /// Returns false when there is no path (different domains, or `a == b`).
    #[allow(clippy::many_single_char_names)]
    pub fn path_into(&self, a: NodeIx, b: NodeIx, out: &mut L2Path) -> bool {
        out.steps.clear();
        out.first_port = None;
        out.last_port = None;
        if !self.same_domain(a, b) || a == b {
            return false;
        }
        // Lowest common ancestor by depth.
        let (mut x, mut y) = (a, b);
        while self.depth[x as usize] > self.depth[y as usize] {
            let Some(e) = self.parent[x as usize] else {
                return false;
            };
            x = e.to;
        }
        while self.depth[y as usize] > self.depth[x as usize] {
            let Some(e) = self.parent[y as usize] else {
                return false;
            };
            y = e.to;
        }
        while x != y {
            let (Some(ex), Some(ey)) = (self.parent[x as usize], self.parent[y as usize]) else {
                return false;
            };
            x = ex.to;
            y = ey.to;
        }
        let lca = x;
        // Up from a: each tree edge (child → parent) enters the parent by
        // `port_there` and leaves the child by `port_here`.
        let mut prev_in: Option<Option<u32>> = None; // port by which we entered the current node
        let mut cur = a;
        while cur != lca {
            let Some(e) = self.parent[cur as usize] else {
                return false;
            };
            if let Some(inp) = prev_in {
                if !self.push_bridge(cur, inp, e.port_here, out) {
                    return false;
                }
            } else {
                out.first_port = e.port_here;
            }
            prev_in = Some(e.port_there);
            cur = e.to;
        }
        // Down to b: collect b's side upwards, then emit it reversed.
        let mark = out.steps.len();
        let mut down_in: Option<u32> = None; // port by which the lca is left toward b
        let mut cur = b;
        let mut next_in: Option<Option<u32>> = None; // port by which the node below entered... (from b's side)
        while cur != lca {
            let Some(e) = self.parent[cur as usize] else {
                return false;
            };
            // Going down, the frame enters `cur` by e.port_here and leaves it toward
            // the node below by the port recorded in `next_in`.
            if let Some(out_port) = next_in {
                if !self.push_bridge(cur, e.port_here, out_port, out) {
                    return false;
                }
            } else {
                out.last_port = e.port_here;
            }
            next_in = Some(e.port_there);
            down_in = e.port_there;
            cur = e.to;
        }
        // The lca itself (unless it is an endpoint, i.e. a or b).
        if lca != a && lca != b {
            let in_port = prev_in.flatten();
            let out_port = down_in;
            out.steps.insert(
                mark,
                L2Step {
                    dev: 0,
                    vlan: 0,
                    in_port: None,
                    out_port: None,
                },
            );
            let NodeKind::Bridge { dev, vlan } = self.kinds[lca as usize] else {
                return false;
            };
            out.steps[mark] = L2Step {
                dev,
                vlan,
                in_port,
                out_port,
            };
            out.steps[mark + 1..].reverse();
        } else {
            out.steps[mark..].reverse();
            if lca == a {
                out.first_port = down_in;
            }
            if lca == b {
                out.last_port = prev_in.flatten();
            }
        }
        true
    }

    fn push_bridge(
        &self,
        n: NodeIx,
        in_port: Option<u32>,
        out_port: Option<u32>,
        out: &mut L2Path,
    ) -> bool {
        if let NodeKind::Bridge { dev, vlan } = self.kinds[n as usize] {
            out.steps.push(L2Step {
                dev,
                vlan,
                in_port,
                out_port,
            });
            true
        } else {
            // Endpoints are leaves: a path never passes through one.
            false
        }
    }
}
