#!/usr/bin/env python3
"""Part 6, parallel groups (issue 17): the same storm through the host into the real Redmine at
the sink's concurrency 1, 2, 4 and 8, in one run, two ways:

  local   the local Redmine (one thin process on loopback, SQLite: one request at a time);
  remote  through bench/latency_proxy.py, 20 ms each way, in front of 3 thin processes of the same
          Redmine package on one PostgreSQL database (bench/redmine_pg.sh): a remote Redmine whose
          workers serve in parallel, as Puma or Passenger workers on MySQL or PostgreSQL do.

Each run: ALERTNAMES x HOSTS fire at once (one group notification per alertname, as Alertmanager
sends them), into a fresh project. Reports the storm's wall time (first POST to the spool
drained), the time to the last ticket (first POST to the end of the last POST /issues.json) and
the Redmine requests by method: they must stay at the floor (one POST per ticket and Root, one PUT
per first host moved under its Root) whatever the concurrency. Writes key=value lines to
RESULTS/concurrency.txt and a table to RESULTS/concurrency.md.

    bench/redmine_concurrency.py BUILD RESULTS [ALERTNAMES HOSTS]
"""
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redmine_common as rc  # noqa: E402

build, results = sys.argv[1], sys.argv[2]
names = int(sys.argv[3]) if len(sys.argv) > 3 else 20
hosts = int(sys.argv[4]) if len(sys.argv) > 4 else 10
concurrencies = [1, 2, 4, 8]
delay_ms = 20
parallel_processes = 3

local_env = rc.redmine_env()
here = os.path.dirname(os.path.abspath(__file__))


def start_parallel_redmine():
    """bench/redmine_pg.sh: the same Redmine package as a second instance on PostgreSQL, served
    by several thin processes: returns its env file's values and the processes' ports."""
    out = subprocess.run([os.path.join(here, "redmine_pg.sh"), "start", str(parallel_processes)],
                         check=True, capture_output=True, text=True).stdout
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    first = int(values["REDMINE_URL"].rsplit(":", 1)[1])
    return values, list(range(first, first + parallel_processes))


def start_proxy(port, upstreams):
    p = subprocess.Popen([sys.executable, os.path.join(here, "latency_proxy.py"), str(port),
                          str(delay_ms)] + [str(u) for u in upstreams],
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    return p


def routes_file(work, env, url, project, concurrency):
    path = os.path.join(work, f"routes-{concurrency}.yaml")
    rc.write_routes(path, os.path.join(work, f"state-{concurrency}"), dict(env, REDMINE_URL=url),
                    project)
    text = open(path).read().replace("    plugin: redmine_grouping\n",
                                     f"    plugin: redmine_grouping\n    concurrency: {concurrency}\n")
    open(path, "w").write(text)
    return path


def cpu_ticks(pid=None):
    """(busy, all) jiffies of the machine, or (utime + stime, 0) of process `pid`."""
    if pid:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12]), 0
    f = [int(x) for x in open("/proc/stat").readline().split()[1:8]]
    return f[0] + f[1] + f[2] + f[5] + f[6], sum(f)


def storm(mode, env, url, concurrency, stamp):
    ident = f"bench-conc-{mode}{concurrency}-{stamp}"
    if mode == "local":
        rc.new_project(ident)
    else:
        rc.new_project_at(env["REDMINE_URL"], env["REDMINE_API_KEY"], ident)
    work = tempfile.mkdtemp(prefix="tg-bench-conc-")
    port = rc.free_port()
    host_log = os.path.join(results, f"concurrency-{mode}-{concurrency}-host.log")
    load = rc.machine_load()
    host = rc.start_host(build, routes_file(work, env, url, ident, concurrency), port, host_log)
    try:
        assert rc.wait_http(port), "the host did not come up"
        webhook = rc.Http(f"http://127.0.0.1:{port}")
        t0 = time.time() - 3600
        bodies = [rc.notification(a, [rc.alert(a, h, t0) for h in hostnames]) for a in alertnames]
        machine_before, host_before = cpu_ticks(), cpu_ticks(host.pid)
        first_post = time.time()
        for body in bodies:
            status, _ = webhook.request("POST", "/webhook", body)
            assert status == 200, status
        assert rc.wait_drained(port), "the spool did not drain"
        drained = time.time()
        machine_after, host_after = cpu_ticks(), cpu_ticks(host.pid)
    finally:
        host.terminate()
        host.wait()
    requests = rc.sink_requests(host_log)
    creates = [r for r in requests if r[1] == "POST" and r[2] == "/issues.json" and r[3] == 201]
    by_method = {}
    for r in requests:
        by_method[r[1]] = by_method.get(r[1], 0) + 1
    failed = [r for r in requests if not 200 <= r[3] < 300]
    return {
        "mode": mode, "concurrency": concurrency, "project": ident,
        "wall_seconds": round(drained - first_post, 2),
        "last_ticket_seconds": round(max(r[0] for r in creates) - first_post, 2),
        "tickets_created": len(creates), "requests": len(requests),
        "posts": by_method.get("POST", 0), "puts": by_method.get("PUT", 0),
        "gets": by_method.get("GET", 0), "failed_requests": len(failed), "load": load,
        # Where the machine's 2 cores went during the storm: all of it (Redmine, its database,
        # the proxy, the host) and the host's own share.
        "cpu_busy_percent": round(100 * (machine_after[0] - machine_before[0]) /
                                  max(1, machine_after[1] - machine_before[1])),
        "host_cpu_seconds": round((host_after[0] - host_before[0]) / os.sysconf("SC_CLK_TCK"), 2),
    }


alertnames = [f"BenchConc{n:02d}" for n in range(1, names + 1)]
hostnames = [f"bench-host-{h:02d}" for h in range(1, hosts + 1)]
floor_writes = names * hosts + (2 * names if hosts > 1 else 0)
stamp = time.strftime("%Y%m%d%H%M%S")
runs = []
remote_env, remote_ports = start_parallel_redmine()
proxy_port = rc.free_port()
proxy = start_proxy(proxy_port, remote_ports)
try:
    for mode, env, url in (("local", local_env, local_env["REDMINE_URL"]),
                           ("remote", remote_env, f"http://127.0.0.1:{proxy_port}")):
        for c in concurrencies:
            runs.append(storm(mode, env, url, c, stamp))
            print(runs[-1], flush=True)
finally:
    proxy.terminate()
    subprocess.run([os.path.join(here, "redmine_pg.sh"), "stop"], check=False)

with open(os.path.join(results, "concurrency.txt"), "w") as f:
    f.write(f"alertnames={names}\nhosts={hosts}\nfloor_writes={floor_writes}\n"
            f"delay_ms_each_way={delay_ms}\nremote_redmine_processes={parallel_processes}\n")
    for r in runs:
        for k, v in r.items():
            f.write(f"{r['mode']}.{r['concurrency']}.{k}={v}\n")
with open(os.path.join(results, "concurrency.md"), "w") as f:
    f.write(f"{names} alertnames × {hosts} hosts fire at once; floor {floor_writes} writes. "
            f"local: the local Redmine (one thin process, SQLite). remote: {delay_ms} ms each way "
            f"(bench/latency_proxy.py) in front of {parallel_processes} thin processes of the "
            "same Redmine on one PostgreSQL database (bench/redmine_pg.sh).\n\n")
    f.write("| Redmine | concurrency | storm wall s | last ticket s | vs c=1 | POST | PUT | GET | "
            "failed | CPU busy during | host CPU s | load at start |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    for r in runs:
        base = next(x for x in runs if x["mode"] == r["mode"] and x["concurrency"] == 1)
        ratio = r["last_ticket_seconds"] / base["last_ticket_seconds"]
        f.write(f"| {r['mode']} | {r['concurrency']} | {r['wall_seconds']} | "
                f"{r['last_ticket_seconds']} | {ratio:.2f} | {r['posts']} | {r['puts']} | "
                f"{r['gets']} | {r['failed_requests']} | {r['cpu_busy_percent']}% | "
                f"{r['host_cpu_seconds']} | {r['load']} |\n")
print(open(os.path.join(results, "concurrency.md")).read())
