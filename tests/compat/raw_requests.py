"""The DNA Center notebook's raw `requests` style (API contract §9.3) over plain HTTP, plus
the transport rules the clients rely on (§2.3, §3): JSON everywhere, 202 on initiate,
401/404 with the {"response": {"errorCode", "message", "detail"}, "version"} error shape.

Runs against http://127.0.0.1:PATHTRACE_HTTP_PORT. Exits 1 on the first failed assertion.
"""

import os
import sys
import time

import requests

BASE = f"http://127.0.0.1:{os.environ['PATHTRACE_HTTP_PORT']}"
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


def json_of(r, what):
    ctype = r.headers.get("Content-Type", "")
    check("application/json" in ctype, f"{what}: Content-Type {ctype!r}, expected application/json")
    try:
        return r.json()
    except ValueError:
        fail(f"{what}: body is not JSON: {r.text!r}")


def check_error(r, status, what):
    check(r.status_code == status, f"{what}: HTTP {r.status_code}, expected {status}: {r.text}")
    body = json_of(r, what)
    resp = body.get("response") if isinstance(body, dict) else None
    check(isinstance(resp, dict) and isinstance(resp.get("errorCode"), str)
          and isinstance(resp.get("message"), str),
          f"{what}: error body {body!r} is not "
          '{"response": {"errorCode": ..., "message": ..., "detail": ...}, "version": ...}')


def main():
    # §9.3, as the notebook would do it.
    r = requests.post(f"{BASE}/api/system/v1/auth/token", auth=("devnetuser", "Cisco123!"),
                      headers={"content-type": "application/json"}, verify=False)
    check(r.status_code == 200, f"token: HTTP {r.status_code}: {r.text}")
    tok = json_of(r, "token").get("Token")
    check(isinstance(tok, str) and tok, f"token: no Token in {r.text}")
    H = {"x-auth-token": tok, "content-type": "application/json"}

    r = requests.post(f"{BASE}/api/v1/flow-analysis", headers=H, verify=False,
                      json={"sourceIP": "10.10.22.114", "destIP": "10.10.22.98",
                            "periodicRefresh": False, "inclusions": ["DEVICE-STATS"]})
    assert r.status_code == 202, f"initiate: HTTP {r.status_code}, expected 202: {r.text}"
    init = json_of(r, "initiate")
    check(init.get("version") == "1.0", f"initiate: version {init.get('version')!r}")
    tid, fid = init["response"]["taskId"], init["response"]["flowAnalysisId"]
    print(f"initiate: 202, flow analysis {fid}, task {tid}")

    deadline = time.monotonic() + 15
    while not (t := json_of(requests.get(f"{BASE}/api/v1/task/{tid}", headers=H, verify=False),
                            "task")["response"]).get("endTime"):
        check(not t.get("isError"), f"task failed: {t}")
        check(time.monotonic() < deadline, f"task not finished after 15 s: {t}")
        time.sleep(1)
    check(t.get("isError") is False, f"task: isError {t.get('isError')!r}, expected false")
    check(t.get("progress") == fid, f"task: progress {t.get('progress')!r}, expected {fid}")

    r = requests.get(f"{BASE}/api/v1/flow-analysis/{t['progress']}", headers=H, verify=False)
    check(r.status_code == 200, f"result: HTTP {r.status_code}: {r.text}")
    res = json_of(r, "result")["response"]
    check(res["request"]["status"] == "COMPLETED", f"result: status {res['request']['status']!r}")
    got = [(e.get("name"), e.get("ip")) for e in res["networkElementsInfo"]]
    check(got == PATH, f"result path {got}, expected {PATH}")
    for e in res["networkElementsInfo"]:
        if "name" in e:
            r = requests.get(f"{BASE}/api/v1/network-device/{e['id']}", headers=H, verify=False)
            check(r.status_code == 200, f"network-device/{e['id']} ({e['name']}): HTTP "
                                        f"{r.status_code}: {r.text}")
            dev = json_of(r, "network-device")["response"]
            check(isinstance(dev.get("softwareVersion"), str) and dev["softwareVersion"],
                  f"network-device/{e['id']} ({e['name']}): softwareVersion "
                  f"{dev.get('softwareVersion')!r}")
            print(e["name"], e.get("deviceStatistics"), dev["softwareVersion"])

    # The other login paths answer the same way.
    r = requests.post(f"{BASE}/dna/system/api/v1/auth/token", auth=("devnetuser", "Cisco123!"))
    check(r.status_code == 200 and isinstance(json_of(r, "dna token").get("Token"), str),
          f"/dna/system/api/v1/auth/token: HTTP {r.status_code}: {r.text}")
    r = requests.post(f"{BASE}/api/v1/ticket", json={"username": "devnetuser",
                                                     "password": "Cisco123!"})
    check(r.status_code == 200, f"/api/v1/ticket: HTTP {r.status_code}: {r.text}")
    ticket = json_of(r, "ticket").get("response", {}).get("serviceTicket")
    check(isinstance(ticket, str) and ticket, f"/api/v1/ticket: no serviceTicket in {r.text}")
    r = requests.get(f"{BASE}/dna/intent/api/v1/flow-analysis/{fid}",
                     headers={"X-Auth-Token": ticket})
    check(r.status_code == 200, f"a uniq ticket on /dna/intent/...: HTTP {r.status_code}: {r.text}")

    # Errors: JSON, with the object-shaped error body.
    check_error(requests.post(f"{BASE}/api/system/v1/auth/token", auth=("devnetuser", "nope")),
                401, "token with a wrong password")
    check_error(requests.get(f"{BASE}/api/v1/flow-analysis/{fid}"), 401, "no X-Auth-Token")
    check_error(requests.get(f"{BASE}/api/v1/flow-analysis/{fid}",
                             headers={"X-Auth-Token": "not-a-token"}), 401, "a bad X-Auth-Token")
    check_error(requests.get(f"{BASE}/api/v1/flow-analysis/00000000-0000-4000-8000-000000000000",
                             headers=H), 404, "an unknown flow analysis")
    print("raw requests: all checks passed")


if __name__ == "__main__":
    main()
