"""Shared by the Redmine benchmarks: the local Redmine's env file, fresh projects, Alertmanager
bodies, the host as a child process, and reading the sink's request lines from the host's log."""
import datetime
import http.client
import json
import os
import re
import socket
import subprocess
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV_FILE = os.environ.get("REDMINE_ENV_FILE", "/var/lib/tickets-grouping-redmine/redmine.env")


def machine_load():
    """The load average, and how busy the CPUs were in the last second (see bench/lib.sh)."""
    def sample():
        f = [int(x) for x in open("/proc/stat").readline().split()[1:8]]
        return f[0] + f[1] + f[2] + f[5] + f[6], sum(f)
    a = sample()
    time.sleep(1)
    b = sample()
    busy = 100 * (b[0] - a[0]) / max(1, b[1] - a[1])
    return " ".join(open("/proc/loadavg").read().split()[:3]) + f", CPU {busy:.0f}% busy"


def redmine_env():
    return read_env_file(ENV_FILE)


def new_project(ident):
    """A fresh project of our own (other people use this Redmine): returns its numeric id."""
    out = subprocess.run([os.path.join(ROOT, "scripts/redmine-local.sh"), "new-project", ident],
                         check=True, capture_output=True, text=True).stdout
    return int(out.strip().splitlines()[-1])


def new_project_at(url, api_key, ident):
    """A fresh public project in the Redmine at `url` (another instance than the local one, whose
    new_project goes through scripts/redmine-local.sh), with every tracker: returns its id."""
    client = Http(url, {"X-Redmine-API-Key": api_key})
    _, trackers = client.request("GET", "/trackers.json")
    status, body = client.request("POST", "/projects.json", {"project": {
        "name": ident, "identifier": ident, "is_public": True,
        "tracker_ids": [t["id"] for t in trackers["trackers"]],
        "enabled_module_names": ["issue_tracking"]}})
    assert status == 201, f"POST /projects.json answered {status}: {body}"
    return body["project"]["id"]


def read_env_file(path):
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                env[k] = v
    return env


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def alert(alertname, host, starts, firing=True, ends=None, note=""):
    labels = {"alertname": alertname, "instance": host, "job": "node", "severity": "warning"}
    return {
        "status": "firing" if firing else "resolved",
        "labels": labels,
        "annotations": {"description": f"{alertname} on {host}{note}",
                        "summary": f"{alertname} on {host}"},
        "startsAt": rfc3339(starts),
        "endsAt": rfc3339(ends) if ends else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example.invalid/graph?g0.expr=up",
        "fingerprint": f"{abs(hash((alertname, host))) % (1 << 64):016x}",
    }


def notification(alertname, alerts):
    """One Alertmanager group notification (group_by: [alertname])."""
    return {
        "receiver": "tickets-grouping",
        "status": "firing" if any(a["status"] == "firing" for a in alerts) else "resolved",
        "alerts": alerts,
        "groupLabels": {"alertname": alertname},
        "commonLabels": {"alertname": alertname},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.invalid",
        "version": "4",
        "groupKey": '{}:{alertname="%s"}' % alertname,
        "truncatedAlerts": 0,
    }


class Http:
    """A keep-alive HTTP/1.1 client (http.client), as a plain client would use."""

    def __init__(self, url, headers=None):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.base = u.hostname, u.port or 80, u.path.rstrip("/")
        self.headers = headers or {}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method, path, body=None):
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(3):
            try:
                self.conn.request(method, self.base + path, body=data, headers=headers)
                r = self.conn.getresponse()
                text = r.read()
                return r.status, (json.loads(text) if text.strip() else None)
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 2:
                    raise


def write_routes(path, state_dir, env, project):
    with open(path, "w") as f:
        f.write(f"""state_dir: {state_dir}
server: {{max_threads: 64}}
sinks:
  redmine:
    plugin: redmine_grouping
    config:
      url: {env['REDMINE_URL']}
      api_key: {env['REDMINE_API_KEY']}
      project: "{project}"
      tracker_id: {env['REDMINE_TRACKER_ID']}
      status_done: {env['REDMINE_STATUS_DONE']}
      status_carryover: {env['REDMINE_STATUS_CARRYOVER']}
    retry: {{initial_backoff: 1s, max_backoff: 10s}}
route: {{sink: redmine}}
""")


def start_host(build, routes, port, log_path, level="debug"):
    log = open(log_path, "w")
    return subprocess.Popen([os.path.join(build, "bin/tickets-grouping"), "--config", routes,
                             "--listen", f"127.0.0.1:{port}", "--log-level", level],
                            stdout=log, stderr=subprocess.STDOUT)


def wait_http(port, path="/healthz", timeout=30.0, pause=0.001):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(pause)
    return False


def metrics(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/metrics")
    out = {}
    for line in c.getresponse().read().decode().splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def metric_sum(m, prefix):
    return sum(v for k, v in m.items() if k.startswith(prefix))


def wait_drained(port, timeout=1800):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if metric_sum(metrics(port), "tickets_grouping_spool_depth") == 0:
            return True
        time.sleep(0.2)
    return False


LINE = re.compile(r'^time=(\S+) level=debug msg="redmine request method=(\w+) path=(\S+) '
                  r'status=(\d+) ms=(\d+)"')


def parse_time(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def path_kind(method, path):
    if re.fullmatch(r"/issues/\d+\.json", path):
        return {"PUT": "update issue", "GET": "read issue"}.get(method, method + " issue")
    if path == "/issues.json":
        return {"POST": "create issue", "GET": "list issues"}.get(method, method + " issues")
    return path


def sink_requests(log_path):
    """The sink's own request lines: (end time, method, path, status, ms), in order."""
    out = []
    with open(log_path, errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                out.append((parse_time(m[1]), m[2], m[3], int(m[4]), int(m[5])))
    return out


def redmine_log_requests(offset, end, project_ident, project_id, issue_ids,
                         path="/var/log/redmine/default/production.log"):
    """Redmine's own view (other people use this Redmine too): the requests in its log after
    `offset` that concern our project, by project_id parameter or by issue id."""
    started, params = {}, {}
    with open(path, "rb") as f:
        f.seek(offset)
        for raw in f.read(end - offset).splitlines():
            line = raw.decode("utf-8", "replace")
            m = re.search(r'\[([0-9a-f-]{36})\] Started (\w+) "([^"]+)"', line)
            if m:
                started[m[1]] = (m[2], m[3].split("?")[0], m[3])
                continue
            m = re.search(r'\[([0-9a-f-]{36})\]   Parameters: (.*)$', line)
            if m:
                params[m[1]] = m[2]
    counts = {}
    for uuid, (method, p, full) in started.items():
        p_text = params.get(uuid, "")
        mine = any(t in p_text for t in (f'"project_id"=>"{project_ident}"',
                                          f'"project_id"=>"{project_id}"',
                                          f'"project_id"=>{project_id},',
                                          f'"project_id"=>{project_id}}}')) or \
            f"project_id={project_ident}&" in full
        m = re.fullmatch(r"/issues/(\d+)\.json", p)
        if m and int(m[1]) in issue_ids:
            mine = True
        if mine:
            key = (method, path_kind(method, p))
            counts[key] = counts.get(key, 0) + 1
    return counts


def project_issue_ids(http_client, project):
    ids, offset = set(), 0
    while True:
        _, r = http_client.request(
            "GET", f"/issues.json?project_id={project}&status_id=*&limit=100&offset={offset}")
        for i in r["issues"]:
            ids.add(i["id"])
        offset += len(r["issues"])
        if not r["issues"] or offset >= r["total_count"]:
            return ids
