// Benchmark only: the routing of alerts against a tree of regex routes, the host's own code
// (load_routing_text, match_routes), nothing else: no HTTP, no spool. Written against the API
// that main has had since the routing tree exists, so that bench/routing.sh can build the same
// program against an older commit (the std::regex matchers) and compare.
//
//   tickets-grouping-bench-routing [ALERTS] [ROUNDS]     (default 10000 alerts, 15 rounds)
//
// Prints key=value lines: the time per round (median, fastest) for all the alerts, per alert,
// the alerts per second, and a checksum of the routes matched (equal for equal semantics).
#include "config/route_matcher.hpp"
#include "config/routing_loader.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using tg::host::Labels;

// What an operator's tree looks like: routes by alert name, by host pattern, by team, Kubernetes
// namespaces, exclusions, a continue, nested routes; every matcher a regex, as the comparison is
// about the regex engine.
const char* kRoutes = R"yaml(sinks:
  audit: {plugin: log_sink}
  pager: {plugin: log_sink}
  db: {plugin: log_sink}
  storage: {plugin: log_sink}
  k8s: {plugin: log_sink}
  teams: {plugin: log_sink}
  rest: {plugin: log_sink}
route:
  sink: rest
  routes:
    - matchers: ['alertname=~"Watchdog|InfoInhibitor|DeadMansSwitch"']
      sink: audit
    - matchers: ['alertname=~"(Disk|Filesystem|Volume).*(Full|Low|Fill.*)"', 'mountpoint!~"/boot|/tmp|/run.*"']
      sink: storage
      continue: true
    - matchers: ['namespace=~"kube-.*|monitoring|ingress-.*"', 'severity=~"critical|page"']
      sink: k8s
      routes:
        - matchers: ['pod=~".*-[0-9a-f]{8,10}-[0-9a-z]{5}"']
          sink: k8s
    - matchers: ['instance=~"db-[0-9]+\\.(prod|stg)\\.example\\.com(:[0-9]+)?"']
      sink: db
      routes:
        - matchers: ['alertname=~"[Rr]eplication.*|.*[Ll]ag.*"']
          sink: pager
        - matchers: ['severity=~"critical"']
          sink: pager
    - matchers: ['team=~"team-(0[0-9]|1[0-4])"', 'env!~"dev|qa|test.*"']
      sink: teams
      routes:
        - matchers: ['severity=~"crit.*|page"', 'alertname!~".*Test.*"']
          sink: pager
    - matchers: ['team=~"team-(1[5-9]|2[0-9])"']
      sink: teams
    - matchers: ['job=~"node|blackbox|snmp.*"', 'instance=~"web-[0-9]{3}\\..*"']
      sink: rest
      routes:
        - matchers: ['alertname=~"Host(Cpu|Memory|Load).*"', 'severity=~"critical"']
          sink: pager
    - matchers: ['alertname=~"ディスク.*|メモリ.*"']
      sink: pager
)yaml";

const char* kAlertnames[] = {
    "HostCpuHigh",         "HostMemoryLow",      "HostLoadHigh",        "DiskFull",
    "FilesystemFillingUp", "VolumeLow",          "ReplicationLag",      "MysqlReplicationBroken",
    "KubePodCrashLooping", "KubeNodeNotReady",   "TargetDown",          "Watchdog",
    "InfoInhibitor",       "HttpErrorRateHigh",  "CertificateExpiring", "BackupFailed",
    "ディスク容量不足",    "メモリ使用率高",     "SloBurnRateTest",     "QueueBacklog"};
const char* kSeverities[] = {"critical", "warning", "info", "page"};
const char* kJobs[] = {"node", "blackbox", "snmp-switch", "mysqld", "kube-state-metrics", "app"};
const char* kNamespaces[] = {"", "kube-system", "monitoring", "ingress-nginx", "payments", "web"};
const char* kEnvs[] = {"prod", "prod", "stg", "dev", "qa", "test-7"};
const char* kMounts[] = {"/", "/var", "/boot", "/tmp", "/data", "/run/user/1000"};

struct Rng {  // a fixed sequence: both builds see the same alerts
    uint64_t state = 0x9E3779B97F4A7C15ull;
    uint32_t next() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<uint32_t>(state >> 33);
    }
    template <size_t N>
    const char* pick(const char* const (&list)[N]) {
        return list[next() % N];
    }
};

std::vector<Labels> make_alerts(size_t count) {
    Rng rng;
    std::vector<Labels> alerts;
    alerts.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        Labels l;
        l["alertname"] = rng.pick(kAlertnames);
        l["severity"] = rng.pick(kSeverities);
        l["job"] = rng.pick(kJobs);
        l["env"] = rng.pick(kEnvs);
        char buf[96];
        switch (rng.next() % 3) {
            case 0:
                std::snprintf(buf, sizeof buf, "web-%03u.prod.example.com:9100", rng.next() % 400);
                break;
            case 1:
                std::snprintf(buf, sizeof buf, "db-%u.%s.example.com:9104", rng.next() % 40,
                              rng.next() % 2 ? "prod" : "stg");
                break;
            default:
                std::snprintf(buf, sizeof buf, "10.%u.%u.%u:9100", rng.next() % 256,
                              rng.next() % 256, rng.next() % 256);
        }
        l["instance"] = buf;
        std::snprintf(buf, sizeof buf, "team-%02u", rng.next() % 32);
        l["team"] = buf;
        if (const char* ns = rng.pick(kNamespaces); *ns != '\0') {
            l["namespace"] = ns;
            std::snprintf(buf, sizeof buf, "api-%08x-%05x", rng.next(), rng.next() % 0xFFFFF);
            l["pod"] = buf;
        }
        if (l["alertname"].find("Disk") != std::string::npos ||
            l["alertname"].find("Filesystem") != std::string::npos)
            l["mountpoint"] = rng.pick(kMounts);
        alerts.push_back(std::move(l));
    }
    return alerts;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t count = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 15;
    if (count == 0 || rounds <= 0) {
        std::fprintf(stderr, "usage: %s [ALERTS] [ROUNDS]\n", argv[0]);
        return 2;
    }
    const auto config = tg::host::load_routing_text(kRoutes, "bench.yaml", tg::host::Environment());
    const std::vector<Labels> alerts = make_alerts(count);

    using Clock = std::chrono::steady_clock;
    std::vector<double> round_ms;
    uint64_t checksum = 0;
    size_t matched = 0;
    for (int round = -1; round < rounds; ++round) {  // round -1 warms up
        uint64_t sum = 0;
        size_t leaves = 0;
        const auto start = Clock::now();
        for (const Labels& labels : alerts) {
            for (const tg::host::Route* r : tg::host::match_routes(config.root, labels)) {
                sum = sum * 31 + std::hash<std::string>()(r->path);
                ++leaves;
            }
        }
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
        if (round < 0) continue;
        round_ms.push_back(ms);
        checksum = sum;
        matched = leaves;
    }
    std::sort(round_ms.begin(), round_ms.end());
    const double median = round_ms[round_ms.size() / 2];
    std::printf("alerts=%zu\nrounds=%d\nroutes_matched=%zu\nchecksum=%016llx\n", count, rounds,
                matched, static_cast<unsigned long long>(checksum));
    std::printf("median_ms=%.2f\nfastest_ms=%.2f\nslowest_ms=%.2f\n", median, round_ms.front(),
                round_ms.back());
    std::printf("us_per_alert=%.3f\nalerts_per_s=%.0f\n", 1000.0 * median / count,
                count / (median / 1000.0));
    return 0;
}
