#!/usr/bin/env python3
"""Part 2, Redmine requests: a storm through the host into the real local Redmine, in a fresh
project of its own. 50 alertnames x 20 hosts fire (one group notification per alertname, as
Alertmanager sends them), then every notification again, then 10% resolve (2 hosts of each
group), then those re-fire. Counts the Redmine requests by method and path kind three ways (the
sink's debug lines, its metrics, Redmine's own log), computes the floor of writes the scenario
needs, and times the same writes made by a plain client (http.client, keep-alive) into fresh
projects, once before and once after the host. Writes key=value lines to RESULTS/redmine.txt and
the counts to redmine-requests.tsv.

    bench/redmine_storm.py BUILD RESULTS [ALERTNAMES HOSTS]
"""
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redmine_common as rc  # noqa: E402

build, results = sys.argv[1], sys.argv[2]
names = int(sys.argv[3]) if len(sys.argv) > 3 else 50
hosts = int(sys.argv[4]) if len(sys.argv) > 4 else 20
resolved_per_group = max(1, hosts // 10)  # 10% of the alerts

env = rc.redmine_env()
stamp = time.strftime("%Y%m%d%H%M%S")
ident = f"bench-storm-{stamp}"
project_id = rc.new_project(ident)
work = tempfile.mkdtemp(prefix="tg-bench-storm-")
routes = os.path.join(work, "routes.yaml")
rc.write_routes(routes, os.path.join(work, "state"), env, ident)
port = rc.free_port()
host_log = os.path.join(results, "redmine-storm-host.log")
redmine_log = "/var/log/redmine/default/production.log"

# ---------------------------------------------------------------- the plain client
# The same writes, in the same order, straight to Redmine: no spool, no state, no reads.
# Run once before and once after the host, into fresh projects: the machine's load changes over
# minutes, and the mean of the two brackets the host's run.
tracker = int(env["REDMINE_TRACKER_ID"])
client = rc.Http(env["REDMINE_URL"], {"X-Redmine-API-Key": env["REDMINE_API_KEY"]})


def create(plain_project, subject, parent=None):
    issue = {"project_id": plain_project, "tracker_id": tracker, "subject": subject,
             "description": "plain client " + subject}
    if parent:
        issue["parent_issue_id"] = parent
    status, r = client.request("POST", "/issues.json", {"issue": issue})
    assert status == 201, (status, r)
    return r["issue"]["id"]


def put(issue_id, fields):
    status, _ = client.request("PUT", f"/issues/{issue_id}.json", {"issue": fields})
    assert status == 204, status


def plain_client(tag):
    """The scenario's writes, in the sink's order; returns (seconds, load at the start)."""
    p = rc.new_project(f"bench-plain{tag}-{stamp}")
    load = rc.machine_load()
    started = time.time()
    ticket = {}
    for a in alertnames:
        ticket[(a, hostnames[0])] = create(p, f"[Alert] {a} ({hostnames[0]})")
        if hosts > 1:
            root = create(p, f"[Root] [Alert] {a}")
            put(ticket[(a, hostnames[0])], {"parent_issue_id": root})
            for h in hostnames[1:]:
                ticket[(a, h)] = create(p, f"[Alert] {a} ({h})", root)
    for a in alertnames:
        for h in hostnames[:resolved_per_group]:
            put(ticket[(a, h)], {"notes": f"解消: {a} on {h}"})
    for a in alertnames:
        for h in hostnames[:resolved_per_group]:
            put(ticket[(a, h)], {"notes": f"再発: {a} on {h}"})
    return time.time() - started, load



alertnames = [f"BenchStorm{n:02d}" for n in range(1, names + 1)]
hostnames = [f"bench-host-{h:02d}" for h in range(1, hosts + 1)]
plain_before, plain_before_load = plain_client("a")

load_start = rc.machine_load()
log_offset = os.path.getsize(redmine_log)
host = rc.start_host(build, routes, port, host_log)
try:
    assert rc.wait_http(port), "the host did not come up"
    webhook = rc.Http(f"http://127.0.0.1:{port}")
    t0 = time.time() - 3600
    firing = {a: [rc.alert(a, h, t0) for h in hostnames] for a in alertnames}
    phases = []
    phases.append(("fire", [rc.notification(a, firing[a]) for a in alertnames]))
    phases.append(("repeat", [rc.notification(a, firing[a]) for a in alertnames]))
    resolved = {a: [rc.alert(a, h, t0, firing=False, ends=t0 + 1800) if i < resolved_per_group
                    else firing[a][i] for i, h in enumerate(hostnames)] for a in alertnames}
    phases.append(("resolve", [rc.notification(a, resolved[a]) for a in alertnames]))
    refired = {a: [rc.alert(a, h, t0 + 2400) if i < resolved_per_group else firing[a][i]
                   for i, h in enumerate(hostnames)] for a in alertnames}
    phases.append(("refire", [rc.notification(a, refired[a]) for a in alertnames]))

    posted = 0
    first_post = time.time()
    for _, bodies in phases:
        for body in bodies:
            status, _ = webhook.request("POST", "/webhook", body)
            assert status == 200, status
            posted += 1
    assert rc.wait_drained(port), "the spool did not drain"
    drained = time.time()
    m = rc.metrics(port)
finally:
    host.terminate()
    host.wait()
    log_end = os.path.getsize(redmine_log)  # before our own reads below

# ---------------------------------------------------------------- what the sink did
requests = rc.sink_requests(host_log)
by_kind = {}
for _, method, path, status, _ in requests:
    key = (method, rc.path_kind(method, path))
    by_kind[key] = by_kind.get(key, 0) + 1
writes = [r for r in requests if r[1] in ("POST", "PUT")]
failed = [r for r in requests if not 200 <= r[3] < 300]
first_write_start = writes[0][0] - writes[0][4] / 1000
host_write_seconds = writes[-1][0] - first_write_start
actions = {k.split('action="')[1].rstrip('"}'): int(v) for k, v in m.items()
           if k.startswith("tickets_grouping_sink_redmine_actions_total")}
metric_requests = {}  # the sink's request histogram: counts by method
for k, v in m.items():
    if "redmine_request_duration_seconds_count" in k:
        method = k.split('method="')[1].split('"')[0]
        metric_requests[method] = metric_requests.get(method, 0) + int(v)

# The floor: the writes the scenario needs.
creates = names * hosts                       # one POST per ticket
roots = names if hosts > 1 else 0             # one POST per Root
reparents = names if hosts > 1 else 0         # the first host's ticket moves under its Root
notes = 2 * names * resolved_per_group        # a resolved note, then a recurrence note
floor = creates + roots + reparents + notes
reads = len(requests) - len(writes)

# ---------------------------------------------------------------- Redmine's own log
load_end = rc.machine_load()
ids = rc.project_issue_ids(client, ident)
redmine_counts = rc.redmine_log_requests(log_offset, log_end, ident, project_id, ids)

plain_after, plain_after_load = plain_client("b")
plain_seconds = (plain_before + plain_after) / 2

# ---------------------------------------------------------------- results
with open(os.path.join(results, "redmine-requests.tsv"), "w") as f:
    f.write("method\tpath kind\tsink log\tredmine log\n")
    for key in sorted(set(by_kind) | set(redmine_counts)):
        f.write(f"{key[0]}\t{key[1]}\t{by_kind.get(key, 0)}\t{redmine_counts.get(key, 0)}\n")
state_file = os.path.join(work, "state", "redmine", "redmine_state.sqlite3")
state_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in
                  os.walk(os.path.join(work, "state")) for f in fs
                  if f.startswith("redmine_state"))
out = {
    "project": ident, "plain_projects": f"bench-plaina-{stamp}, bench-plainb-{stamp}",
    "alertnames": names, "hosts": hosts,
    "notifications_posted": posted, "alerts_posted": posted * hosts,
    "requests_total": len(requests), "writes": len(writes), "reads": reads,
    "failed_requests": len(failed), "floor_writes": floor,
    "floor_creates": creates, "floor_roots": roots, "floor_reparents": reparents,
    "floor_notes": notes,
    "writes_over_floor": round(len(writes) / floor, 3),
    "requests_over_floor": round(len(requests) / floor, 3),
    "redmine_log_total": sum(redmine_counts.values()),
    "issues_in_project": len(ids),
    "host_write_seconds": round(host_write_seconds, 2),
    "plain_write_seconds": round(plain_seconds, 2),
    "plain_before_seconds": round(plain_before, 2), "plain_before_load": plain_before_load,
    "plain_after_seconds": round(plain_after, 2), "plain_after_load": plain_after_load,
    "host_over_plain": round(host_write_seconds / plain_seconds, 3),
    "post_to_drained_seconds": round(drained - first_post, 2),
    "actions": json.dumps(actions, sort_keys=True),
    "metric_request_counts": json.dumps(metric_requests, sort_keys=True),
    "state_bytes": state_bytes,
    "load_start": load_start, "load_end": load_end,
}
with open(os.path.join(results, "redmine.txt"), "w") as f:
    for k, v in out.items():
        f.write(f"{k}={v}\n")
print(json.dumps(out, indent=1, ensure_ascii=False))
