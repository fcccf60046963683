#!/usr/bin/env python3
"""Compare a notebook's stdout with its expected output.

Usage:
    compare.py --expected FILE --actual FILE [--result-check apic_em|dnac] [--regex]

Normalisation (only what legitimately differs from run to run; see README.md):
  * ``http(s)://127.0.0.1:PORT``        -> ``http(s)://<host>``
  * UUIDs                               -> ``<uuid>``
  * ``"lastUpdate": "<any string>"``    -> ``"lastUpdate": "<date>"``
  * 13-digit integers (epoch ms)        -> ``<ms>``
  * consecutive identical ``…/api/v1/task/<uuid>`` lines (the DNA Center login module prints
    every task poll; how many polls happen depends on timing) -> one line.

The line ``<result-json>`` in an expected file stands for the pretty-printed flow-analysis
result (``json.dumps(apic.serialize(pathTrace.response), indent=4)``): its fields cannot all be
known in advance, so that block is cut out of the actual output, parsed, and checked
structurally instead (``--result-check``: the path, the fields the seed notebook shows, and the
identities flowAnalysisId == url suffix == task.progress == request.id, taskId == task.id ==
task.rootId). Everything else must match exactly.

With ``--regex`` every expected line is a regular expression that must match the whole
(normalised) actual line.

Exit status: 0 when everything matches, 1 otherwise (a unified diff and/or the failed
structural checks are printed on stdout).
"""

import argparse
import difflib
import json
import re
import sys

UUID_RE = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
UUID = re.compile(UUID_RE)
RESULT_PLACEHOLDER = "<result-json>"
TASK_POLL = re.compile(r"https?://<host>/api/v1/task/<uuid>")


def normalise(text):
    """Return (normalised text, number of task-poll lines collapsed away)."""
    text = re.sub(r"(https?)://127\.0\.0\.1:\d+", r"\1://<host>", text)
    text = UUID.sub("<uuid>", text)
    text = re.sub(r'"lastUpdate": "[^"]*"', '"lastUpdate": "<date>"', text)
    text = re.sub(r"(?<![\w.])\d{13}(?![\w.])", "<ms>", text)
    out, collapsed = [], 0
    for line in text.split("\n"):
        if out and line == out[-1] and TASK_POLL.fullmatch(line):
            collapsed += 1
            continue
        out.append(line)
    return "\n".join(out), collapsed


def json_blocks(lines):
    """Top-level pretty-printed JSON objects: a line '{' up to the next line '}'."""
    blocks, i = [], 0
    while i < len(lines):
        if lines[i] == "{":
            for j in range(i + 1, len(lines)):
                if lines[j] == "}":
                    blocks.append((i, j))
                    i = j
                    break
            else:
                blocks.append((i, None))  # unterminated: the program died while printing
                break
        i += 1
    return blocks


# --------------------------------------------------------------------------------------------
# Structural checks of the flow-analysis result (what the seed notebooks show of it).


class Exact(dict):
    """A spec dict whose keys must be exactly these (a plain dict spec is a subset)."""


ANY_UUID = object()

# uniq prints only the non-None fields of FlowAnalysis; the seed's request has exactly these.
SEED_REQUEST_KEYS = {"id", "status", "createTime", "lastUpdateTime", "periodicRefresh",
                     "sourceIP", "destIP"}

PROFILES = {
    # APIC-EM notebook (seeds/apic-em-async-pathtrace.txt, In [20] and In [22]).
    "apic_em": {
        "source": "10.1.15.117",
        "dest": "10.2.1.22",
        "detailedStatus": {"aclTraceCalculation": "SUCCESS"},
        "path": [
            (None, "10.1.15.117"),
            ("AP7081.059f.19ca", "10.1.14.3"),
            ("CAMPUS-Access1", "10.1.12.1"),
            ("CAMPUS-Dist1", "10.255.1.5"),
            ("Campus-WLC-5508", "10.1.14.2"),
            ("CAMPUS-Dist1", "10.255.1.5"),
            ("CAMPUS-Core2", "10.1.10.1"),
            ("CAMPUS-Router2", "10.1.4.2"),
            ("UNKNOWN", "UNKNOWN"),
            ("Branch-Router2", "10.2.2.2"),
            ("Branch-Access1", "10.2.1.17"),
            (None, "10.2.1.22"),
        ],
        # The two elements the seed prints in full.
        "elements": {
            0: Exact({"ip": "10.1.15.117", "linkInformationSource": "Switched", "id": ANY_UUID,
                      "type": "wireless"}),
            1: Exact({"ip": "10.1.14.3", "name": "AP7081.059f.19ca", "tunnels": ["CAPWAP Tunnel"],
                      "id": ANY_UUID, "type": "Unified AP", "role": "ACCESS",
                      "linkInformationSource": "Switched"}),
        },
    },
    # DNA Center notebook (seeds/dnac-async-pathtrace.txt, In [6] and In [7]).
    "dnac": {
        "source": "10.10.22.114",
        "dest": "10.10.22.98",
        "detailedStatus": None,  # the seed's printout is cut before it
        "path": [
            (None, "10.10.22.114"),
            ("cat_9k_2.abc.inc", "10.10.22.70"),
            ("cs3850.abc.inc", "10.10.22.69"),
            ("cat_9k_1.abc.inc", "10.10.22.66"),
            (None, "10.10.22.98"),
        ],
        "elements": {
            0: Exact({"type": "wired", "linkInformationSource": "Wired", "id": ANY_UUID,
                      "ip": "10.10.22.114"}),
            # The seed shows this element's interfaces, then is cut off.
            1: {
                "ingressInterface": Exact({
                    "physicalInterface": {"name": "TenGigabitEthernet1/0/24", "id": ANY_UUID},
                    "virtualInterface": [{"name": "Vlan1", "id": ANY_UUID}],
                }),
                "egressInterface": Exact({
                    "physicalInterface": {"name": "TenGigabitEthernet1/1/1", "id": ANY_UUID},
                }),
                "id": ANY_UUID,
            },
        },
    },
}


def match_spec(actual, spec, where, errors):
    if spec is ANY_UUID:
        if not (isinstance(actual, str) and UUID.fullmatch(actual)):
            errors.append(f"{where}: expected a UUID string, got {actual!r}")
        return
    if isinstance(spec, dict):
        if not isinstance(actual, dict):
            errors.append(f"{where}: expected an object, got {actual!r}")
            return
        if isinstance(spec, Exact) and set(actual) != set(spec):
            errors.append(f"{where}: keys {sorted(actual)}; the seed shows exactly {sorted(spec)}")
        for key, sub in spec.items():
            if key not in actual:
                errors.append(f"{where}.{key}: missing")
            else:
                match_spec(actual[key], sub, f"{where}.{key}", errors)
        return
    if isinstance(spec, list):
        if not isinstance(actual, list) or len(actual) != len(spec):
            errors.append(f"{where}: expected a list of {len(spec)}, got {actual!r}")
            return
        for n, (a, s) in enumerate(zip(actual, spec)):
            match_spec(a, s, f"{where}[{n}]", errors)
        return
    if actual != spec or type(actual) is not type(spec):
        errors.append(f"{where}: expected {spec!r}, got {actual!r}")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_result(profile, res, fid, errors):
    p = PROFILES[profile]
    if not isinstance(res, dict):
        errors.append(f"result: expected an object, got {res!r}")
        return
    req = res.get("request")
    if not isinstance(req, dict):
        errors.append("result.request: missing")
    else:
        if set(req) != SEED_REQUEST_KEYS:
            errors.append(f"result.request: keys {sorted(req)}; the seed shows exactly "
                          f"{sorted(SEED_REQUEST_KEYS)} (fields not requested must be absent)")
        match_spec(req, {"id": fid, "status": "COMPLETED", "sourceIP": p["source"],
                         "destIP": p["dest"], "periodicRefresh": False},
                   "result.request", errors)
        ct, lu = req.get("createTime"), req.get("lastUpdateTime")
        if not (is_int(ct) and is_int(lu) and ct <= lu):
            errors.append(f"result.request: createTime {ct!r} <= lastUpdateTime {lu!r} "
                          "(epoch-ms integers) does not hold")
    if not (isinstance(res.get("lastUpdate"), str) and res["lastUpdate"]):
        errors.append(f"result.lastUpdate: expected a date string, got {res.get('lastUpdate')!r}")
    if p["detailedStatus"] is not None:
        match_spec(res.get("detailedStatus"), Exact(p["detailedStatus"]),
                   "result.detailedStatus", errors)
    elif "detailedStatus" in res and not isinstance(res["detailedStatus"], dict):
        errors.append("result.detailedStatus: expected an object")
    nei = res.get("networkElementsInfo")
    if not (isinstance(nei, list) and all(isinstance(e, dict) for e in nei)):
        errors.append(f"result.networkElementsInfo: expected a list of objects, got {nei!r}")
        return
    got = [(e.get("name"), e.get("ip")) for e in nei]
    if got != p["path"]:
        errors.append(f"result.networkElementsInfo: path {got}, expected {p['path']}")
        return
    for n, spec in p["elements"].items():
        match_spec(nei[n], spec, f"result.networkElementsInfo[{n}]", errors)
    last = nei[-1]
    for key in ("name", "linkInformationSource"):
        if key in last:
            errors.append(f"result.networkElementsInfo[-1]: the destination host carries no {key}")
    for n, e in enumerate(nei):
        if e.get("name") not in (None, "UNKNOWN") or n in (0, len(nei) - 1):
            match_spec(e.get("id"), ANY_UUID, f"result.networkElementsInfo[{n}].id", errors)


def check_identities(blocks_json, raw_lines, errors):
    """initiate -> task -> result ids must agree (the seeds show this)."""
    init, task = blocks_json[0], blocks_json[1]
    resp = init.get("response", {}) if isinstance(init, dict) else {}
    fid, tid = resp.get("flowAnalysisId"), resp.get("taskId")
    if resp.get("url") != f"/api/v1/flow-analysis/{fid}":
        errors.append(f"initiate: url {resp.get('url')!r} is not /api/v1/flow-analysis/{fid}")
    if isinstance(task, dict):
        for key, want in (("id", tid), ("rootId", tid), ("progress", fid)):
            if task.get(key) != want:
                errors.append(f"task.{key} = {task.get(key)!r}, expected {want!r}")
        st, et, lu = task.get("startTime"), task.get("endTime"), task.get("lastUpdate")
        if not (is_int(st) and is_int(et) and is_int(lu) and st <= et and st <= lu):
            errors.append(f"task: startTime {st!r}, endTime {et!r}, lastUpdate {lu!r}: "
                          "expected epoch-ms integers with startTime <= endTime, lastUpdate")
    for line in raw_lines:
        m = re.fullmatch(r"https?://[^/]+/api/v1/task/(" + UUID_RE + ")", line)
        if m and m.group(1) != tid:
            errors.append(f"polled task {m.group(1)}, but the initiate answer's taskId is {tid}")
        m = re.fullmatch(r"https?://[^/]+/api/v1/flow-analysis/(" + UUID_RE + ")", line)
        if m and m.group(1) != fid:
            errors.append(f"fetched flow analysis {m.group(1)}, but flowAnalysisId is {fid}")
    return fid


def compare_regex(expected, actual):
    exp_lines, act_lines = expected.split("\n"), actual.split("\n")
    ok = len(exp_lines) == len(act_lines) and all(
        re.fullmatch(e, a) for e, a in zip(exp_lines, act_lines))
    if not ok:
        print("expected (regular expressions, one per line) vs actual:")
        for n in range(max(len(exp_lines), len(act_lines))):
            e = exp_lines[n] if n < len(exp_lines) else "<none>"
            a = act_lines[n] if n < len(act_lines) else "<none>"
            mark = " " if n < len(exp_lines) and n < len(act_lines) and re.fullmatch(e, a) else "!"
            print(f"{mark} {e}\n{mark} {a}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--expected", required=True)
    ap.add_argument("--actual", required=True)
    ap.add_argument("--result-check", choices=sorted(PROFILES))
    ap.add_argument("--regex", action="store_true")
    args = ap.parse_args()

    with open(args.expected, encoding="utf-8") as f:
        expected = f.read()
    with open(args.actual, encoding="utf-8") as f:
        raw = f.read()

    errors = []
    raw_lines = raw.split("\n")
    exp_lines = expected.split("\n")
    if RESULT_PLACEHOLDER in exp_lines:
        k = exp_lines[:exp_lines.index(RESULT_PLACEHOLDER)].count("{")
        blocks = json_blocks(raw_lines)
        parsed = []
        for (i, j) in blocks:
            try:
                parsed.append(json.loads("\n".join(raw_lines[i:j + 1])) if j is not None else None)
            except ValueError as e:
                parsed.append(None)
                errors.append(f"JSON block at output line {i + 1} does not parse: {e}")
        if len(blocks) <= k or blocks[k][1] is None:
            errors.append(f"the result JSON (block {k + 1} of the output) is missing")
        else:
            i, j = blocks[k]
            if args.result_check and k >= 2:
                fid = check_identities(parsed, raw_lines, errors)
                check_result(args.result_check, parsed[k], fid, errors)
            raw_lines = raw_lines[:i] + [RESULT_PLACEHOLDER] + raw_lines[j + 1:]
    actual, collapsed = normalise("\n".join(raw_lines))

    if args.regex:
        ok = compare_regex(expected, actual)
    else:
        ok = expected == actual
        if not ok:
            diff = difflib.unified_diff(expected.splitlines(keepends=True),
                                        actual.splitlines(keepends=True),
                                        fromfile=args.expected,
                                        tofile=args.actual + " (normalised)")
            sys.stdout.writelines(diff)
            if expected.rstrip("\n") == actual.rstrip("\n"):
                print(f"(only trailing newlines differ: expected ends {expected[-3:]!r}, "
                      f"actual ends {actual[-3:]!r})")
    if collapsed:
        print(f"note: the task was polled {collapsed + 1} times (collapsed to one line); "
              "a task finished before the first poll is polled once")
    for e in errors:
        print(f"structure: {e}")
    return 0 if ok and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
