#!/usr/bin/env python3
"""Writes RESULTS/report.md from the raw files of the bench/*.sh and bench/*.py parts: each
figure beside its target, with the machine load at the time. Parts that did not run are named."""
import csv
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redmine_common as rc  # noqa: E402

results = sys.argv[1]


def kv(name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        return None
    out = {}
    for line in open(path):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            out[k] = v
    return out


def verdict(ok):
    return "**met**" if ok else "**not met**"


def mb(kb_or_bytes, unit=1):
    n = float(kb_or_bytes) * unit
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


lines = ["# Benchmark report", ""]
meta = kv("meta.txt") or {}
parts_run = ", ".join(f"{k[5:]} {v}" for k, v in meta.items() if k.startswith("part_"))
lines += [f"Date: {meta.get('date', '?')} (parts: {parts_run}). Commit: {meta.get('commit', '?')}.",
          f"Machine: {meta.get('machine', '?')}.",
          f"Redmine: {meta.get('redmine', '?')}.",
          "Release build. Other engineers build and test on this machine at the same time: "
          "each figure carries the load when it was taken: the load average (1, 5, 15 min, which "
          "also counts the benchmark's own threads and decays over minutes) and how busy the CPUs "
          "were in the second before, with the benchmark idle.", ""]

# ---------------------------------------------------------------- 1. ingest
lines += ["## 1. Ingest (wrk, 2 threads, POST of a real fixture to /webhook)", ""]
tsv = os.path.join(results, "ingest.tsv")
if os.path.exists(tsv):
    rows = list(csv.DictReader(open(tsv), delimiter="\t"))
    ceiling = {r["connections"]: float(r["rps"]) for r in rows if r["target"] == "ceiling"}
    lines += ["| host | connections | notifications/s | p50 | p99 | p99.9 | errors | RSS before → end | load | target |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        rps = float(r["rps"])
        if r["target"] == "spool":
            share = rps / ceiling[r["connections"]] if r["connections"] in ceiling else 0
            target = f"≥ 1/3 of the ceiling: {share:.2f} {verdict(share >= 1 / 3)}"
            if r["connections"] == "32":
                ok = rps >= 10000 and float(r["p99_ms"]) <= 10
                target = f"≥ 10,000/s and p99 ≤ 10 ms: {verdict(ok)}; " + target
            name = "durable spool"
        else:
            name, target = "no spool (ceiling)", "—"
        lines.append(
            f"| {name} | {r['connections']} | {rps:,.0f} | {float(r['p50_ms']):.2f} ms | "
            f"{float(r['p99_ms']):.2f} ms | {float(r['p999_ms']):.2f} ms | {r['errors']} | "
            f"{mb(r['rss_before_kb'], 1000)} → {mb(r['rss_end_kb'], 1000)} | {r['load']} | {target} |")
    lines += ["", "Raw: `ingest-*.txt` (wrk), `ingest.tsv`.", ""]
else:
    lines += ["Not run.", ""]

# ---------------------------------------------------------------- 2. Redmine requests
lines += ["## 2. Redmine requests: the storm through the host into the real Redmine", ""]
r = kv("redmine.txt")
if r:
    lines += [f"{r['alertnames']} alertnames × {r['hosts']} hosts fire (one group notification "
              f"per alertname), every notification again, 10% resolve, those re-fire: "
              f"{r['notifications_posted']} notifications, {r['alerts_posted']} alerts; "
              f"fresh project `{r['project']}`, empty state. Load {r['load_start']} → "
              f"{r['load_end']}.", "",
              "| method | path kind | sink's debug lines | Redmine's log |", "| --- | --- | --- | --- |"]
    for row in csv.DictReader(open(os.path.join(results, "redmine-requests.tsv")), delimiter="\t"):
        lines.append(f"| {row['method']} | {row['path kind']} | {row['sink log']} | {row['redmine log']} |")
    reqs = rc.sink_requests(os.path.join(results, "redmine-storm-host.log"))
    writes_only = [q for q in reqs if q[1] in ("POST", "PUT")]
    window = [q for q in reqs if writes_only and q[0] <= writes_only[-1][0] and
              q[0] - q[4] / 1000 >= writes_only[0][0] - writes_only[0][4] / 1000 - 0.001]
    in_requests = sum(q[4] for q in window) / 1000
    r_gap = float(r['host_write_seconds']) - in_requests

    def med(method):
        xs = [q[4] for q in reqs if q[1] == method]
        return f"{statistics.median(xs):.0f}" if xs else "—"

    reads = {row['path kind']: int(row['sink log']) for row in
             csv.DictReader(open(os.path.join(results, "redmine-requests.tsv")), delimiter="\t")
             if row['method'] == "GET"}
    lines += ["",
              f"The reads beyond the floor: {reads.get('list issues', 0)} issue list page(s), the "
              "one-time rebuild of the empty state from Redmine (cold, before the first write), and "
              f"{reads.get('read issue', 0)} issue read(s): the sink reads an issue it believes open "
              "before noting a re-fire on it (a person may have closed it meanwhile), one per "
              "re-fired alert. Everything else (the repeats, the firing alerts repeated inside the "
              "resolve and re-fire notifications) cost no request.", "",
              f"Sink metrics: requests by method {r['metric_request_counts']}; "
              f"redmine_actions_total {r['actions']}. Failed requests: {r['failed_requests']}.", "",
              f"Floor (the writes the scenario needs): {r['floor_creates']} ticket POSTs + "
              f"{r['floor_roots']} Root POSTs + {r['floor_reparents']} reparent PUTs + "
              f"{r['floor_notes']} note PUTs = **{r['floor_writes']}**.", "",
              "| figure | value | target |", "| --- | --- | --- |",
              f"| writes / floor | {r['writes']} / {r['floor_writes']} = {float(r['writes_over_floor']):.2f} | 1.00 {verdict(float(r['writes_over_floor']) <= 1.0)} |",
              f"| all requests / floor | {r['requests_total']} / {r['floor_writes']} = {float(r['requests_over_floor']):.2f} | 1.00 {verdict(float(r['requests_over_floor']) <= 1.0)} (the reads: see below) |",
              f"| wall time, first POST → last write, through the host | {r['host_write_seconds']} s | |",
              f"| the same writes by a plain client (keep-alive, sequential): mean of a run before and one after the host's | {r['plain_write_seconds']} s ({r['plain_before_seconds']} s at load {r['plain_before_load']}; {r['plain_after_seconds']} s at load {r['plain_after_load']}) | |",
              f"| host / plain client | {float(r['host_over_plain']):.2f}× | ≤ 1.2× {verdict(float(r['host_over_plain']) <= 1.2)} |",
              f"| first webhook → spool drained | {r['post_to_drained_seconds']} s | |",
              f"| of the host's window: time in Redmine requests (as the sink timed them) | {in_requests:.2f} s; median POST {med('POST')} ms, PUT {med('PUT')} ms, GET {med('GET')} ms | |",
              f"| of the host's window: the host's own time between requests | {r_gap:.2f} s ({r_gap * 1000 / max(1, len(reqs) - 1):.1f} ms per request) | |",
              f"| sink state file after the storm | {int(r['state_bytes']) / 1024:.0f} KiB | |", ""]
else:
    lines += ["Not run.", ""]

# ---------------------------------------------------------------- 3. memory
lines += ["## 3. Memory and files after 100,000 alerts", ""]
m = kv("memory.txt")
if m:
    shrunk = int(m["spool_after_bytes"]) < int(m["spool_peak_bytes"]) / 4
    lines += [f"{m['accepted_alerts']} distinct single-alert notifications accepted (wrk, 2 × 32 "
              f"connections), log_sink as the sink. Load {m['load_start']} → {m['load_end']}.", "",
              "| figure | value | target |", "| --- | --- | --- |",
              f"| RSS idle | {mb(m['rss_idle_kb'], 1000)} | |",
              f"| RSS right after the alerts | {mb(m['rss_after_ingest_kb'], 1000)} | |",
              f"| RSS once all delivered | {mb(m['rss_after_kb'], 1000)} | |",
              f"| spool (db + WAL) idle | {mb(m['spool_idle_bytes'])} | |",
              f"| spool at its peak | {mb(m['spool_peak_bytes'])} | |",
              f"| spool once delivered | {mb(m['spool_after_bytes'])} | shrinks once delivered: {verdict(shrunk)} |",
              f"| spool after a restart | {mb(m['spool_after_restart_bytes'])} | |",
              f"| sink output (alerts.jsonl) | {mb(m['sink_output_bytes'])}, {m['sink_output_lines']} lines | |",
              f"| drained after the last POST | {m['drain_seconds_after_ingest']} s | |", ""]
else:
    lines += ["Not run.", ""]

# ---------------------------------------------------------------- 4. cold start
lines += ["## 4. Cold start and reconciliation", ""]
c = kv("cold_start.txt")
if c:
    lines += [f"Fresh project `{c['project']}` seeded with {c['seeded_open_issues']} open alert "
              f"issues (rails runner bulk insert, {c['seed_seconds']} s); the host starts on an "
              f"empty state. Load {c['load_start']} → {c['load_end']}.", "",
              "| figure | value |", "| --- | --- |",
              f"| process start → first 200 on /healthz (3 starts; median) | {c['healthz_first_200_ms']} ms; {c['healthz_first_200_ms_median']} ms |",
              f"| process start → first webhook accepted (median) | {c['webhook_first_200_ms_median']} ms |",
              f"| reconciliation: state rebuilt from {c['seeded_open_issues']} open issues | {c['rebuild_seconds']} s ({c['rebuild_list_requests']} list requests, {c['rebuild_requests_ms_sum']} ms of them in Redmine) |",
              f"| first webhook → delivered (the rebuild included) | {c['webhook_to_delivered_seconds']} s |",
              f"| writes caused by the rebuild | {c['writes_after_rebuild']} |",
              f"| sink state after the rebuild | {int(c['state_bytes_after_rebuild']) / 1024:.0f} KiB |",
              "", f"The sink's line: `{c['rebuild_line']}`.", ""]
else:
    lines += ["Not run.", ""]

# ---------------------------------------------------------------- 5. routing
lines += ["## 5. Routing: 10,000 alerts through a tree of regex routes", ""]
g = kv("routing.txt")
if g:
    lines += ["`bench/routing.sh` (bench/routing/routing.cpp): the host's `load_routing_text` and "
              "`match_routes`, no HTTP, no spool; the median of the rounds, in the least disturbed "
              "of the trials (the two builds run alternately). The checksum of the routes matched "
              "is equal where both builds read the routes alike.", "",
              "| build | engine | 10,000 alerts | per alert | alerts/s | trials (median ms) | routes matched | checksum | load |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for prefix, name in (("before_", g.get("before_commit", "")), ("", g.get("commit", "?"))):
        if prefix + "median_ms" not in g:
            continue
        lines.append(f"| {name} | {g.get(prefix + 'engine', '?')} | {g[prefix + 'median_ms']} ms "
                     f"(fastest {g[prefix + 'fastest_ms']}) | {g[prefix + 'us_per_alert']} µs | "
                     f"{int(float(g[prefix + 'alerts_per_s'])):,} | "
                     f"{g.get(prefix + 'trial_medians_ms', '').replace(',', ', ')} | {g[prefix + 'routes_matched']} | "
                     f"{g[prefix + 'checksum']} | {g[prefix + 'load']} |")
    lines.append("")
else:
    lines += ["Not run.", ""]

# ---------------------------------------------------------------- 6. concurrency
lines += ["## 6. Parallel groups: the storm at the sink's concurrency 1, 2, 4 and 8", ""]
k = kv("concurrency.txt")
if k:
    lines += [open(os.path.join(results, "concurrency.md")).read().rstrip(), ""]

    def conc(mode, c, key):
        return float(k[f"{mode}.{c}.{key}"])

    ratio = conc("remote", 4, "last_ticket_seconds") / conc("remote", 1, "last_ticket_seconds")
    at_floor = all(conc(m, c, key) == conc(m, 1, key) for m in ("local", "remote")
                   for c in (2, 4, 8) for key in ("gets", "posts", "puts"))
    lines += ["| figure | value | target |", "| --- | --- | --- |",
              f"| remote: last ticket at concurrency 4 / at 1 | {ratio:.2f} | ≤ 0.35 {verdict(ratio <= 0.35)} |",
              f"| requests by method at 2, 4, 8 equal to those at 1 (local and remote) | "
              f"{'yes' if at_floor else 'no'} | parallelism adds no request {verdict(at_floor)} |",
              ""]
else:
    lines += ["Not run.", ""]

# ---------------------------------------------------------------- 7. time to ticket
lines += ["## 7. Time to ticket when idle", ""]
t = kv("time_to_ticket.txt")
if t:
    ok = float(t["ticket_p99_ms"]) <= float(t["target_p99_ms"])
    lines += [open(os.path.join(results, "time_to_ticket.md")).read().rstrip(), "",
              "| figure | value | target |", "| --- | --- | --- |",
              f"| POST → issue created, p99 | {t['ticket_p99_ms']} ms | ≤ Redmine's create p99 + "
              f"15 ms = {float(t['target_p99_ms']):.1f} ms {verdict(ok)} |", ""]
else:
    lines += ["Not run.", ""]

open(os.path.join(results, "report.md"), "w").write("\n".join(lines))
print("\n".join(lines))
