"""dnacentersdk (2.11.0, the newest release that installs on Python 3.11) against the HTTP port:
the API contract §9.2, plus the history list, delete, and a wrong password.

Runs against http://127.0.0.1:PATHTRACE_HTTP_PORT; the SDK authenticates lazily at
POST /dna/system/api/v1/auth/token (Basic) and uses the /dna/intent/api/v1/... paths.
Set PATHTRACE_SDK_VERSION to pick the SDK's API version (default: the SDK's default, 3.1.6.0;
every accepted version uses the same URLs for these endpoints). Exits 1 on the first failed
assertion, printing what was expected and what came back.
"""

import os
import sys
import time

from dnacentersdk import DNACenterAPI
from dnacentersdk.exceptions import ApiError

BASE = f"http://127.0.0.1:{os.environ['PATHTRACE_HTTP_PORT']}"
VERSION = os.environ.get("PATHTRACE_SDK_VERSION") or None
PATH = [
    (None, "10.10.22.114"),
    ("cat_9k_2.abc.inc", "10.10.22.70"),
    ("cs3850.abc.inc", "10.10.22.69"),
    ("cat_9k_1.abc.inc", "10.10.22.66"),
    (None, "10.10.22.98"),
]


def fail(msg):
    print(f"FAILED: {msg}")
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def api_for(password):
    kwargs = dict(base_url=BASE, username="devnetuser", password=password, verify=False)
    if VERSION:
        kwargs["version"] = VERSION
    return DNACenterAPI(**kwargs)


def main():
    api = api_for("Cisco123!")

    # Initiate (202), read the task until it is done.
    r = api.path_trace.initiate_a_new_pathtrace(sourceIP="10.10.22.114", destIP="10.10.22.98",
                                                periodicRefresh=False)
    resp = r.response
    fid, tid = resp.flowAnalysisId, resp.taskId
    check(fid and tid, f"initiate: no flowAnalysisId/taskId in {r}")
    # The contract does not say which family's path the /dna/intent answer's url names.
    check(resp.url in (f"/api/v1/flow-analysis/{fid}", f"/dna/intent/api/v1/flow-analysis/{fid}"),
          f"initiate: url {resp.url!r}, expected /api/v1/flow-analysis/{fid} "
          f"(or /dna/intent/api/v1/flow-analysis/{fid})")
    print(f"initiated flow analysis {fid}, task {tid}, url {resp.url}")

    deadline = time.monotonic() + 15
    while True:
        t = api.task.get_task_by_id(task_id=tid).response
        if t.endTime or t.isError:
            break
        check(time.monotonic() < deadline, f"task {tid} not finished after 15 s: {t}")
        time.sleep(0.5)
    check(t.isError is False, f"task failed: {t}")
    check(t.id == tid and t.progress == fid,
          f"task: id {t.id!r} (expected {tid}), progress {t.progress!r} (expected {fid})")
    print(f"task done: progress {t.progress}")

    # The result: the five elements, in order; every device's id is its network-device id.
    res = api.path_trace.retrieves_previous_pathtrace(flow_analysis_id=fid).response
    check(res.request.status == "COMPLETED", f"result: request.status {res.request.status!r}")
    got = [(e.name, e.ip) for e in res.networkElementsInfo]
    check(got == PATH, f"result path {got}, expected {PATH}")
    for e in res.networkElementsInfo:
        if e.name is None:
            continue
        dev = api.devices.get_device_by_id(id=e.id).response
        check(isinstance(dev.softwareVersion, str) and dev.softwareVersion,
              f"get_device_by_id({e.id}) ({e.name}): softwareVersion {dev.softwareVersion!r}")
        check(dev.hostname == e.name and dev.managementIpAddress == e.ip,
              f"get_device_by_id({e.id}): hostname {dev.hostname!r}, managementIpAddress "
              f"{dev.managementIpAddress!r}; the element is {e.name} {e.ip}")
        print(f"{e.name} {e.ip} softwareVersion {dev.softwareVersion}")

    # All five inclusions: every field the contract lists for each, with its JSON type
    # (dnacentersdk hands the JSON through as MyDict; the types are checked, not only presence).
    r = api.path_trace.initiate_a_new_pathtrace(
        sourceIP="10.10.22.114", destIP="10.10.22.98", periodicRefresh=False,
        inclusions=["INTERFACE-STATS", "QOS-STATS", "DEVICE-STATS", "PERFORMANCE-STATS",
                    "ACL-TRACE"])
    fid5, tid5 = r.response.flowAnalysisId, r.response.taskId
    deadline = time.monotonic() + 15
    while not api.task.get_task_by_id(task_id=tid5).response.endTime:
        check(time.monotonic() < deadline, f"task {tid5} not finished after 15 s")
        time.sleep(0.2)
    res5 = api.path_trace.retrieves_previous_pathtrace(flow_analysis_id=fid5).response
    integer = lambda v: isinstance(v, int) and not isinstance(v, bool)
    fields = {
        "cpuStatistics": (["fiveSecsUsageInPercentage", "oneMinUsageInPercentage",
                           "fiveMinUsageInPercentage"], ["refreshedAt"]),
        "memoryStatistics": ([], ["memoryUsage", "totalMemory", "refreshedAt"]),
        "interfaceStatistics": ([], ["inputPackets", "inputQueueCount", "inputQueueDrops",
                                     "inputQueueFlushes", "inputQueueMaxDepth", "inputRatebps",
                                     "outputDrop", "outputPackets", "outputQueueCount",
                                     "outputQueueDepth", "outputRatebps", "refreshedAt"]),
        "qosStatistics": ([], ["dropRate", "numBytes", "numPackets", "offeredRate", "queueDepth",
                               "queueNoBufferDrops", "queueTotalDrops", "refreshedAt"]),
        "perfMonitorStatistics": ([], ["byteRate", "packetBytes", "packetCount", "packetLoss",
                                       "ipv4TTL", "refreshedAt"]),
    }
    def typed(what, obj):
        floats, ints = fields[what]
        for f in floats:
            check(isinstance(obj.get(f), float), f"{what}.{f} must be a float: {obj}")
        for f in ints:
            check(integer(obj.get(f)), f"{what}.{f} must be an integer: {obj}")
    seen = set()
    for e in res5.networkElementsInfo:
        if e.name is None:
            check(e.get("deviceStatistics") is None, f"a host with deviceStatistics: {e}")
            continue
        check(e.deviceStatsCollection == "SUCCESS", f"{e.name}: deviceStatsCollection")
        typed("cpuStatistics", e.deviceStatistics.cpuStatistics)
        typed("memoryStatistics", e.deviceStatistics.memoryStatistics)
        check(e.perfMonCollection == "SUCCESS", f"{e.name}: perfMonCollection")
        for rec in e.perfMonitorStatistics:
            typed("perfMonitorStatistics", rec)
            seen.add("perfMonitorStatistics")
        for side in ("ingressInterface", "egressInterface"):
            phys = (e.get(side) or {}).get("physicalInterface")
            if not phys:
                continue
            check(phys.interfaceStatsCollection == "SUCCESS", f"{e.name} {side}: interfaceStatsCollection")
            typed("interfaceStatistics", phys.interfaceStatistics)
            check(phys.qosStatsCollection == "SUCCESS", f"{e.name} {side}: qosStatsCollection")
            for cls in phys.qosStatistics:
                typed("qosStatistics", cls)
                seen.add("qosStatistics")
            seen.add("interfaceStatistics")
        check(isinstance(e.detailedStatus.aclTraceCalculation, str), f"{e.name}: detailedStatus")
        seen.add("deviceStatistics")
    check(seen == {"deviceStatistics", "interfaceStatistics", "qosStatistics",
                   "perfMonitorStatistics"}, f"statistics seen: {seen}")
    print("five inclusions: every statistic present with the contract's types")
    api.path_trace.deletes_pathtrace_by_id(flow_analysis_id=fid5)

    # The history list, newest first, holds it.
    summary = api.path_trace.retrieves_all_previous_pathtraces_summary(
        limit=10, offset=1, order="desc", sort_by="createTime").response
    check(isinstance(summary, list), f"summary: response is not a list: {summary!r}")
    ids = [s.id for s in summary]
    check(fid in ids, f"summary(limit=10, offset=1, desc by createTime): {fid} not in {ids}")
    check(ids[0] == fid, f"summary desc by createTime: the newest analysis {fid} is not first: {ids}")
    times = [s.createTime for s in summary]
    check(times == sorted(times, reverse=True), f"summary not sorted desc by createTime: {times}")
    mine = summary[ids.index(fid)]
    for key in ("id", "status", "createTime", "lastUpdateTime", "sourceIP", "destIP"):
        check(mine.get(key) is not None, f"summary item lacks {key}: {mine}")
    print(f"summary lists {len(ids)} analyses, newest first")

    # Delete; then the analysis is gone (404).
    d = api.path_trace.deletes_pathtrace_by_id(flow_analysis_id=fid)
    check(d.response.taskId, f"delete: no taskId in {d}")
    try:
        gone = api.path_trace.retrieves_previous_pathtrace(flow_analysis_id=fid)
    except ApiError as e:
        check(e.status_code == 404, f"after delete: expected ApiError 404, got {e.status_code}: {e}")
        print(f"deleted; reading it again: {e}")
    else:
        fail(f"after delete: the analysis is still there: {gone}")

    # A wrong password is an ApiError 401.
    try:
        bad = api_for("wrong-password")
        bad.path_trace.retrieves_all_previous_pathtraces_summary(limit=1)
    except ApiError as e:
        check(e.status_code == 401, f"wrong password: expected ApiError 401, got {e.status_code}: {e}")
        print(f"wrong password: {e}")
    else:
        fail("wrong password: the call succeeded")

    print("dnacentersdk: all checks passed")


if __name__ == "__main__":
    main()
