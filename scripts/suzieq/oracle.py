#!/usr/bin/env python3
"""Record SuzieQ's own `path show` answers on the fixture, for pathtrace's differential tests.

Run with suzieq==0.25.0 installed (scripts/suzieq/venv.sh makes a throwaway venv):

    python scripts/suzieq/oracle.py tests/fixtures/suzieq/parquet tests/fixtures/suzieq/expected/oracle

For every namespace it picks the endpoints a user would trace between -- every loopback address
of every device and every server address (the servers' bond/host addresses, and for namespaces
without server state the hosts the leaves learned in ARP on their SVIs) -- and asks SuzieQ for
the path between every ordered pair. With `--extra` it writes `<ns>-extra.json` instead: SVI
gateway addresses, hosts seen only in ARP, a few routed link addresses and an address outside the
network, each traced to and from a sample of the main endpoints. One JSON file per namespace: the provenance, the endpoints,
and per flow either SuzieQ's rows (the columns of `path show`, timestamps dropped) or its error.
"""
import ipaddress
import json
import os
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

from suzieq.sqobjects import get_sqobject  # noqa: E402
import suzieq  # noqa: E402

COLUMNS = ["pathid", "hopCount", "hostname", "iif", "oif", "vrf", "isL2", "overlay",
           "mtuMatch", "inMtu", "outMtu", "protocol", "ipLookup", "vtepLookup",
           "macLookup", "nexthopIp", "hopError"]


def endpoints(cfg, ns):
    ifs = get_sqobject("interfaces")(config_file=cfg).get(
        namespace=[ns], columns=["hostname", "ifname", "type", "ipAddressList", "state"])
    dev = get_sqobject("device")(config_file=cfg).get(namespace=[ns], columns=["hostname", "os"])
    servers = set(dev[dev.os.str.contains("linux", case=False)
                      & ~dev.os.str.contains("cumulus", case=False)].hostname)
    owned = set()
    eps = {}
    for r in ifs.itertuples():
        for a in list(r.ipAddressList):
            ip = a.split("/")[0]
            owned.add(ip)
            if ip == "0.0.0.0":
                continue  # EOS's placeholder on SVIs, not an endpoint
            if r.type == "loopback" and not ip.startswith("127."):
                eps.setdefault(ip, f"loopback {r.hostname} {r.ifname}")
            elif r.hostname in servers and r.ifname.startswith("bond"):
                eps.setdefault(ip, f"server {r.hostname} {r.ifname}")
    if not any(v.startswith("server") for v in eps.values()):
        arp = get_sqobject("arpnd")(config_file=cfg).get(
            namespace=[ns], columns=["hostname", "ipAddress", "oif", "remote", "state"])
        for r in arp.itertuples():
            ip = r.ipAddress
            if ":" in ip or ip in owned or r.remote or r.state == "failed":
                continue
            if not r.oif.lower().startswith("vlan") or r.oif.endswith("-v0"):
                continue
            if ipaddress.ip_address(ip).is_link_local:
                continue
            eps.setdefault(ip, f"host in ARP of {r.hostname} {r.oif}")
    return dict(sorted(eps.items(), key=lambda kv: ipaddress.ip_address(kv[0])))


def extra_endpoints(cfg, ns, main_eps):
    """Endpoints beyond loopbacks and servers: SVI gateway addresses, hosts seen
    only in ARP, routed link addresses, and an address outside the network."""
    ifs = get_sqobject("interfaces")(config_file=cfg).get(
        namespace=[ns], columns=["hostname", "ifname", "type", "ipAddressList", "state", "master"])
    eps = {}
    links = 0
    for r in ifs.sort_values(["hostname", "ifname"]).itertuples():
        for a in list(r.ipAddressList):
            ip = a.split("/")[0]
            if ip in main_eps or ip.startswith(("127.", "0.")) or ip.startswith("192.168.") \
                    or ip.startswith("10.255."):
                continue
            if r.ifname.lower().startswith("vlan") and not r.ifname.endswith("-v0"):
                eps.setdefault(ip, f"SVI {r.hostname} {r.ifname} vrf {r.master or 'default'}")
            elif r.type in ("ethernet", "subinterface") and a.endswith(("/30", "/31")) and links < 4:
                if ip not in eps:
                    links += 1
                    eps[ip] = f"link {r.hostname} {r.ifname}"
    arp = get_sqobject("arpnd")(config_file=cfg).get(
        namespace=[ns], columns=["hostname", "ipAddress", "oif", "remote", "state"])
    owned = {a.split("/")[0] for x in ifs.ipAddressList for a in list(x)}
    for r in arp.sort_values(["hostname", "ipAddress"]).itertuples():
        ip = r.ipAddress
        if ":" in ip or ip in owned or ip in main_eps or r.state == "failed":
            continue
        if ip.startswith("192.168.") or ip.startswith("10.255."):
            continue
        eps.setdefault(ip, f"host in ARP of {r.hostname} {r.oif}")
    eps["8.8.8.8"] = "outside the network"
    return eps


def run_pairs(cfg, ns, pairs):
    flows = []
    for src, dst in pairs:
        rec = {"src": src, "dst": dst}
        # A fresh path object per flow, as `suzieq-cli path show` has: SuzieQ
        # caches next-hop lookups per object (functools.lru_cache on a method,
        # keyed without the flow's source), so a reused object can answer a
        # flow with what it computed for an earlier one.
        path = get_sqobject("path")(config_file=cfg)
        try:
            df = path.get(namespace=[ns], src=src, dest=dst)
            rows = json.loads(df.to_json(orient="records"))
            rec["rows"] = [{c: r.get(c) for c in COLUMNS} for r in rows]
        except Exception as e:  # SuzieQ's answer is its error
            rec["error"] = f"{type(e).__name__}: {e}"
        flows.append(rec)
    return flows


def main():
    data, out = sys.argv[1], sys.argv[2]
    extra = "--extra" in sys.argv[3:]
    only = [a for a in sys.argv[3:] if not a.startswith("--")] or None
    os.makedirs(out, exist_ok=True)
    tmp = tempfile.mkdtemp()
    cfg = os.path.join(tmp, "sq.yml")
    with open(cfg, "w") as f:
        f.write(f"data-directory: {os.path.abspath(data)}\ntemp-directory: {tmp}\n"
                "logging-level: ERROR\nanalyzer:\n  timezone: UTC\n")
    namespaces = sorted(os.listdir(os.path.join(data, "routes", "sqvers=2.0")))
    for nsdir in namespaces:
        ns = nsdir.split("=", 1)[1]
        if only and ns not in only:
            continue
        eps = endpoints(cfg, ns)
        t0 = time.time()
        if extra:
            main_eps = list(eps)
            xs = extra_endpoints(cfg, ns, eps)
            # Each extra endpoint to and from every fourth main endpoint.
            sample = main_eps[::4]
            pairs = [(x, m) for x in xs for m in sample] + \
                    [(m, x) for x in xs for m in sample if x != "8.8.8.8"]
            eps = xs
        else:
            pairs = [(s, d) for s in eps for d in eps if s != d]
        flows = run_pairs(cfg, ns, pairs)
        doc = {
            "provenance": {
                "tool": f"suzieq {getattr(suzieq, '__version__', '0.25.0')} (PyPI), "
                        "suzieq.sqobjects path.get, engine pandas",
                "data": "tests/fixtures/suzieq/parquet (see ../README.md)",
                "generated_by": "scripts/suzieq/oracle.py",
                "seconds": round(time.time() - t0, 1),
            },
            "namespace": ns,
            "endpoints": eps,
            "flows": flows,
        }
        name = f"{ns}-extra.json" if extra else f"{ns}.json"
        with open(os.path.join(out, name), "w") as f:
            json.dump(doc, f, indent=None, separators=(",", ":"))
            f.write("\n")
        print(ns, len(eps), "endpoints", len(flows), "flows",
              sum(1 for x in flows if "error" in x), "errors", round(time.time() - t0, 1), "s")


if __name__ == "__main__":
    main()
