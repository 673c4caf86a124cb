#!/usr/bin/env python3
"""Time to ticket when idle (issue 17): one alert at a time into an idle host and the real local
Redmine, each a new alertname (so each creates one issue), spaced out so that every alert finds
the host, the sink and Redmine idle. Measures, per alert:

  ack       the POST /webhook until its 200 (parsing, routing, the spool's fsynced commit);
  ticket    the POST /webhook until the issue is visible in Redmine: the end of the sink's own
            POST /issues.json (its debug line `redmine request ... ms=`, stamped when the request
            returned, on the same clock); one GET /issues.json?subject=~ afterwards confirms it;
  first     the POST /webhook until the sink's first Redmine request started (end - ms): the
            dispatcher's wake-up and the sink's work before it talks to Redmine;
  create    Redmine's own create: the sink's POST /issues.json ms, and a plain keep-alive client
            POSTing the same issue fields directly (`direct`), COUNT times after the host is gone;
  requests  the sink's Redmine requests per alert by kind (the floor is one POST).

p50/p99 of each; the host's overhead is ticket - create. Writes key=value lines to
RESULTS/time_to_ticket.txt and a table to RESULTS/time_to_ticket.md.

    bench/time_to_ticket.py BUILD RESULTS [COUNT]
"""
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redmine_common as rc  # noqa: E402

build, results = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 60
gap_s = 0.3  # after an alert's delivery ended: the sink's own writes after the create are done

env = rc.redmine_env()
os.makedirs(results, exist_ok=True)


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def summary(values):
    return {"p50": round(pct(values, 50), 1), "p99": round(pct(values, 99), 1),
            "mean": round(statistics.mean(values), 1), "max": round(max(values), 1)}


class LogTail:
    """The host's log as it grows: the sink's request lines since the last read."""

    def __init__(self, path):
        self.f = open(path, errors="replace")
        self.partial = ""

    def requests(self):
        out = []
        text = self.partial + self.f.read()
        lines = text.split("\n")
        self.partial = lines.pop()
        for line in lines:
            m = rc.LINE.match(line)
            if m:
                out.append((rc.parse_time(m[1]), m[2], m[3], int(m[4]), int(m[5])))
        return out


def wait_create(tail, seen, timeout=30.0):
    """Collects the sink's requests until a POST /issues.json returned; then a short quiet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.extend(tail.requests())
        if any(r[1] == "POST" and r[2] == "/issues.json" for r in seen):
            return True
        time.sleep(0.0005)
    return False


def through_host(ident, project_id):
    work = tempfile.mkdtemp(prefix="tg-bench-ttt-")
    routes = os.path.join(work, "routes.yaml")
    rc.write_routes(routes, os.path.join(work, "state"), env, ident)
    port = rc.free_port()
    host_log = os.path.join(results, "time_to_ticket-host.log")
    host = rc.start_host(build, routes, port, host_log)
    samples = []
    try:
        assert rc.wait_http(port), "the host did not come up"
        webhook = rc.Http(f"http://127.0.0.1:{port}")
        redmine = rc.Http(env["REDMINE_URL"], {"X-Redmine-API-Key": env["REDMINE_API_KEY"]})
        tail = LogTail(host_log)
        stamp = time.strftime("%H%M%S")
        # One alert first, not counted: the sink's first delivery learns the tracker, statuses
        # and text formatting; every later one is the idle steady state measured here.
        for i in range(count + 1):
            name = f"BenchTtt{stamp}N{i:03d}"
            body = rc.notification(name, [rc.alert(name, "bench-host-01", time.time() - 60)])
            tail.requests()
            seen = []
            t0 = time.time()
            status, _ = webhook.request("POST", "/webhook", body)
            t_ack = time.time()
            assert status == 200, status
            assert wait_create(tail, seen), f"no issue created for {name}"
            time.sleep(gap_s)
            seen.extend(tail.requests())
            _, found = redmine.request(
                "GET", f"/issues.json?project_id={project_id}&status_id=*&subject=~{name}")
            assert found["total_count"] == 1, (name, found["total_count"])
            if i == 0:
                continue
            create = next(r for r in seen if r[1] == "POST" and r[2] == "/issues.json")
            before = [r for r in seen if r[0] <= create[0]]
            samples.append({
                "ack": (t_ack - t0) * 1000,
                "ticket": (create[0] - t0) * 1000,
                "first": (before[0][0] - before[0][4] / 1000 - t0) * 1000,
                "create": float(create[4]),
                "before_create": len(before) - 1,
                "after_create": len(seen) - len(before),
                "kinds": [rc.path_kind(r[1], r[2]) for r in seen],
            })
    finally:
        host.terminate()
        host.wait()
    return samples


def direct(ident, project_id):
    """A plain client creating the same issue in Redmine itself: Redmine's own create time."""
    redmine = rc.Http(env["REDMINE_URL"], {"X-Redmine-API-Key": env["REDMINE_API_KEY"]})
    times = []
    for i in range(count):
        issue = {"issue": {"project_id": project_id, "tracker_id": int(env["REDMINE_TRACKER_ID"]),
                           "subject": f"[FIRING] BenchTttDirect{i:03d} on bench-host-01",
                           "description": f"BenchTttDirect{i:03d} on bench-host-01\n" * 4}}
        t0 = time.time()
        status, _ = redmine.request("POST", "/issues.json", issue)
        times.append((time.time() - t0) * 1000)
        assert status == 201, status
        time.sleep(gap_s)
    return times


ident = f"bench-ttt-{time.strftime('%Y%m%d%H%M%S')}"
project_id = rc.new_project(ident)
load = rc.machine_load()
samples = through_host(ident, project_id)
direct_ms = direct(ident, project_id)
load_end = rc.machine_load()

figures = {k: summary([s[k] for s in samples]) for k in ("ack", "first", "ticket", "create")}
figures["direct"] = summary(direct_ms)
figures["overhead"] = summary([s["ticket"] - s["create"] for s in samples])
kinds = {}
for s in samples:
    for k in s["kinds"]:
        kinds[k] = kinds.get(k, 0) + 1
with open(os.path.join(results, "time_to_ticket.txt"), "w") as f:
    f.write(f"count={len(samples)}\nproject={ident}\ngap_ms={int(gap_s * 1000)}\n"
            f"load_start={load}\nload_end={load_end}\n")
    for name, fig in figures.items():
        for k, v in fig.items():
            f.write(f"{name}_{k}_ms={v}\n")
    f.write(f"target_p99_ms={figures['create']['p99'] + 15}\n")
    for k, v in sorted(kinds.items()):
        f.write(f"requests_per_alert.{k.replace(' ', '_')}={v / len(samples):.2f}\n")
    f.write(f"requests_before_create_per_alert="
            f"{statistics.mean(s['before_create'] for s in samples):.2f}\n")
labels = {"ack": "POST /webhook → 200 (spool commit)",
          "first": "POST /webhook → sink's first Redmine request starts",
          "ticket": "POST /webhook → issue created (sink's POST /issues.json returned)",
          "create": "Redmine's create as the sink timed it (POST /issues.json ms)",
          "direct": "Redmine's create from a plain client",
          "overhead": "ticket − create: the host's and the sink's own time"}
with open(os.path.join(results, "time_to_ticket.md"), "w") as f:
    f.write(f"{len(samples)} single alerts, one at a time, {int(gap_s * 1000)} ms apart, into "
            f"an idle host and the local Redmine. Load {load} (end {load_end}).\n\n"
            "| what | p50 ms | p99 ms | mean ms | max ms |\n|---|---|---|---|---|\n")
    for name, fig in figures.items():
        f.write(f"| {labels[name]} | {fig['p50']} | {fig['p99']} | {fig['mean']} | "
                f"{fig['max']} |\n")
    f.write("\nRedmine requests per alert: " +
            ", ".join(f"{k} {v / len(samples):.2f}" for k, v in sorted(kinds.items())) + "\n")
print(open(os.path.join(results, "time_to_ticket.md")).read())
