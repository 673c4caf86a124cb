#!/usr/bin/env python3
"""Part 4, cold start: the time from process start to the first 200 (GET /healthz, then the
first accepted POST /webhook), and the reconciliation: the Redmine sink rebuilding an empty
state from a Redmine project holding 5,000 open alert issues (seeded in bulk with a rails runner
into a fresh project of our own). Key=value lines in RESULTS/cold_start.txt.

    bench/cold_start.py BUILD RESULTS [ISSUES]
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redmine_common as rc  # noqa: E402

build, results = sys.argv[1], sys.argv[2]
issues = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
env = rc.redmine_env()
ident = "bench-recon-" + time.strftime("%Y%m%d%H%M%S")
project_id = rc.new_project(ident)

# ---------------------------------------------------------------- seed 5,000 open alert issues
seed_started = time.time()
script = os.path.join(tempfile.mkdtemp(prefix="tg-bench-seed-"), "seed.rb")
shutil.copy(os.path.join(rc.ROOT, "bench/seed_issues.rb"), script)
os.chmod(os.path.dirname(script), 0o755)
os.chmod(script, 0o644)
for attempt in range(3):  # other people use this Redmine: its SQLite may be busy a moment
    seed = subprocess.run(
        ["runuser", "-u", "www-data", "--", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
         "LANG=C.UTF-8", "HOME=/var/www", "REDMINE_INSTANCE=default", "RAILS_ENV=production",
         f"TG_PROJECT={project_id}", f"TG_COUNT={issues}",
         f"TG_TRACKER={env['REDMINE_TRACKER_ID']}",
         f"TG_AUTHOR={env.get('REDMINE_ADMIN_LOGIN', 'admin')}", "/usr/bin/ruby", "bin/rails",
         "runner", script], cwd="/usr/share/redmine", capture_output=True, text=True)
    if seed.returncode == 0:
        break
    print(f"seeding failed (attempt {attempt + 1}):\n{seed.stderr[-3000:]}", file=sys.stderr)
    time.sleep(5)
seed.check_returncode()
out = seed.stdout
seeded = int([l for l in out.splitlines() if l.startswith("TG_SEEDED")][0].split()[1])
seed_seconds = time.time() - seed_started
assert seeded == issues, out

work = tempfile.mkdtemp(prefix="tg-bench-cold-")
load_start = rc.machine_load()


def cold_start(state):
    """Starts the host on an empty state; returns (ms to first /healthz 200, ms to the first
    accepted webhook, the host process, its port, its log)."""
    routes = os.path.join(work, f"routes-{state}.yaml")
    rc.write_routes(routes, os.path.join(work, state), env, ident)
    port = rc.free_port()
    log = os.path.join(work, f"{state}.log")
    started = time.monotonic()
    host = rc.start_host(build, routes, port, log)
    assert rc.wait_http(port, pause=0.0005), "the host did not come up"
    healthz_ms = (time.monotonic() - started) * 1000
    return healthz_ms, host, port, log


# An alert on one of the seeded issues that started before Redmine last saw it: after the
# rebuild it is known and old, so the reconciliation is the only Redmine work it causes.
body = rc.notification("BenchRecon01", [rc.alert("BenchRecon01", "recon-host-00001",
                                                  time.time() - 86400)])
healthz, webhook = [], []
for run in range(3):  # the first 200s, three cold starts
    h_ms, host, port, log = cold_start(f"state-{run}")
    t = time.monotonic()
    status, _ = rc.Http(f"http://127.0.0.1:{port}").request("POST", "/webhook", body)
    assert status == 200
    healthz.append(h_ms)
    webhook.append(h_ms + (time.monotonic() - t) * 1000)
    if run == 0:
        reconcile_started = time.time()
        assert rc.wait_drained(port, timeout=600), "the spool did not drain"
        drained = time.time()
        m = rc.metrics(port)
    host.terminate()
    host.wait()
    if run == 0:
        shutil.copy(log, os.path.join(results, "cold-start-host.log"))

# ---------------------------------------------------------------- the reconciliation, from the log
requests = rc.sink_requests(os.path.join(work, "state-0.log"))
lists = [r for r in requests if r[1] == "GET" and r[2] == "/issues.json"]
rebuilt_line = next(l for l in open(os.path.join(work, "state-0.log"))
                    if "state rebuilt from Redmine" in l)
rebuilt_at = rc.parse_time(rebuilt_line.split()[0].split("=", 1)[1])
rebuild_seconds = rebuilt_at - (lists[0][0] - lists[0][4] / 1000)
writes = [r for r in requests if r[1] in ("POST", "PUT")]
state_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in
                  os.walk(os.path.join(work, "state-0")) for f in fs
                  if f.startswith("redmine_state"))
out = {
    "project": ident, "seeded_open_issues": seeded, "seed_seconds": round(seed_seconds, 1),
    "healthz_first_200_ms": ";".join(f"{v:.1f}" for v in healthz),
    "healthz_first_200_ms_median": round(statistics.median(healthz), 1),
    "webhook_first_200_ms_median": round(statistics.median(webhook), 1),
    "rebuild_list_requests": len(lists),
    "rebuild_requests_ms_sum": sum(r[4] for r in lists),
    "rebuild_seconds": round(rebuild_seconds, 2),
    "rebuild_line": rebuilt_line.split('msg="', 1)[1].split('"', 1)[0],
    "webhook_to_delivered_seconds": round(drained - reconcile_started, 2),
    "writes_after_rebuild": len(writes),
    "state_bytes_after_rebuild": state_bytes,
    "load_start": load_start,
    "load_end": rc.machine_load(),
}
with open(os.path.join(results, "cold_start.txt"), "w") as f:
    for k, v in out.items():
        f.write(f"{k}={v}\n")
for k, v in out.items():
    print(f"{k}={v}")
shutil.rmtree(work, ignore_errors=True)
