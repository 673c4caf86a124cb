// Webhook authentication as Alertmanager's http_config sends it, TLS on the listener, and no
// secret in any log line or answer.
#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <memory>

using namespace tg::test;

namespace {

const std::string body = R"({"alerts":[{"labels":{"alertname":"test","instance":"server01"}}]})";

std::string routes(const TempDir& dir, const std::string& server) {
    return "server:\n" + server +
           "sinks:\n  logs:\n    plugin: log_sink\n    config:\n      path: " +
           (dir / "alerts.jsonl") + "\nroute:\n  sink: logs\n";
}

HttpResult post_with(int port, const std::string& authorization) {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    if (!authorization.empty()) headers["Authorization"] = authorization;
    return http_request(port, "POST", "/webhook", body, headers);
}

}  // namespace

TEST_CASE("a bearer token from a variable is required on /webhook and /-/reload, never logged") {
    TempDir dir;
    const std::string token = "s3cret-bearer-token-4711";
    write_file(dir / "routes.yaml",
               routes(dir, "  auth:\n    bearer_token: ${TG_TEST_WEBHOOK_TOKEN}\n"));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log", {{"TG_TEST_WEBHOOK_TOKEN", token}});
    REQUIRE(host.wait_ready());
    CHECK(post_with(host.port(), "").status == 401);
    CHECK(post_with(host.port(), "Bearer wrong").status == 401);
    CHECK(post_with(host.port(), "Basic " + token).status == 401);
    const auto ok = post_with(host.port(), "Bearer " + token);
    CHECK(ok.status == 200);
    CHECK(http_post(host.port(), "/-/reload", "").status == 401);
    CHECK(http_get(host.port(), "/healthz").status == 200);  // probes need no credentials
    const auto metrics = http_get(host.port(), "/metrics");
    CHECK(metrics.body.find(R"(reason="unauthorized"} 4)") != std::string::npos);
    CHECK(metrics.body.find(token) == std::string::npos);
    host.terminate();
    CHECK(host.log().find(token) == std::string::npos);
}

TEST_CASE("basic auth with the password in a file, a wrong user or password is refused") {
    TempDir dir;
    write_file(dir / "password", "pa55-w0rd-from-file\n");
    write_file(
        dir / "routes.yaml",
        routes(dir, "  auth:\n    basic_auth:\n      username: am-user\n      password_file: " +
                        (dir / "password") + "\n"));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    // base64("am-user:pa55-w0rd-from-file"), base64("am-user:wrong"),
    // base64("other:pa55-w0rd-from-file")
    CHECK(post_with(host.port(), "Basic YW0tdXNlcjpwYTU1LXcwcmQtZnJvbS1maWxl").status == 200);
    CHECK(post_with(host.port(), "Basic YW0tdXNlcjp3cm9uZw==").status == 401);
    CHECK(post_with(host.port(), "Basic b3RoZXI6cGE1NS13MHJkLWZyb20tZmlsZQ==").status == 401);
    CHECK(post_with(host.port(), "Basic !!!").status == 401);
    CHECK(post_with(host.port(), "").status == 401);
    std::string output;
    CHECK(run_command({host_binary(), "--config", dir / "routes.yaml", "--state-dir", dir / "state",
                       "--check-config"},
                      output) == 0);
    CHECK(output.find("pa55-w0rd") == std::string::npos);
    host.terminate();
    CHECK(host.log().find("pa55-w0rd") == std::string::npos);
}

TEST_CASE("auth settings that cannot work are configuration errors naming the key") {
    TempDir dir;
    std::string output;
    write_file(dir / "routes.yaml", routes(dir, "  auth:\n    basic_auth:\n      username: am\n"));
    CHECK(run_command({host_binary(), "--config", dir / "routes.yaml", "--check-config"}, output) !=
          0);
    CHECK(output.find("server.auth.basic_auth") != std::string::npos);
    write_file(dir / "routes.yaml",
               routes(dir, "  auth:\n    bearer_token_file: /nonexistent/token\n"));
    CHECK(run_command({host_binary(), "--config", dir / "routes.yaml", "--check-config"}, output) !=
          0);
    CHECK(output.find("bearer_token_file") != std::string::npos);
}

TEST_CASE("TLS on the listener: TLS 1.2 and later only") {
    TempDir dir;
    std::string output;
    REQUIRE(run_command(
                {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                 "/CN=127.0.0.1", "-keyout", dir / "key.pem", "-out", dir / "cert.pem"},
                output) == 0);
    write_file(dir / "routes.yaml", routes(dir, "  tls:\n    cert_file: " + (dir / "cert.pem") +
                                                    "\n    key_file: " + (dir / "key.pem") + "\n"));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    const std::string url = "https://127.0.0.1:" + std::to_string(host.port());
    REQUIRE(eventually([&] {
        return run_command({"curl", "-sk", "--max-time", "2", url + "/healthz"}, output) == 0;
    }));
    CHECK(run_command({"curl", "-sk", "--max-time", "5", "-H", "Content-Type: application/json",
                       "-d", body, url + "/webhook"},
                      output) == 0);
    CHECK(output == R"({"status":"ok"})");
    CHECK(run_command(
              {"curl", "-sk", "--max-time", "5", "--tlsv1.1", "--tls-max", "1.1", url + "/healthz"},
              output) != 0);
    CHECK(http_get(host.port(), "/healthz").status == 0);  // plain HTTP gets no answer
}

TEST_CASE("files the host creates are not readable by other users") {
    TempDir dir;
    write_file(dir / "routes.yaml", routes(dir, "  max_threads: 8\n"));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    REQUIRE(post_with(host.port(), "").status == 200);
    REQUIRE(eventually([&] { return read_lines(dir / "alerts.jsonl").size() == 1; }));
    host.terminate();
    size_t checked = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "state")) {
        INFO(entry.path().string());
        CHECK((entry.status().permissions() & std::filesystem::perms::others_all) ==
              std::filesystem::perms::none);
        ++checked;
    }
    CHECK(checked >= 3);  // the spool, the sinks' directory, log_sink's state directory
}

namespace {

void make_certificate(const TempDir& dir, const std::string& name, const std::string& cn) {
    std::string output;
    REQUIRE(run_command(
                {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                 "/CN=" + cn, "-keyout", dir / (name + ".key"), "-out", dir / (name + ".pem")},
                output) == 0);
}

// curl's exit status against the host's TLS port, with `extra` options.
int curl_tls(int port, const std::vector<std::string>& extra, std::string& output) {
    std::vector<std::string> argv{"curl", "-sk", "--max-time", "5"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("https://127.0.0.1:" + std::to_string(port) + "/healthz");
    return run_command(argv, output);
}

std::string tls_routes(const TempDir& dir, const std::string& extra = "") {
    return routes(dir, "  tls:\n    cert_file: " + (dir / "tls.pem") +
                           "\n    key_file: " + (dir / "tls.key") + "\n" + extra);
}

// A host on TLS with a certificate for `cn`, once it answers.
std::unique_ptr<HostProcess> tls_host(const TempDir& dir, const std::string& cn) {
    make_certificate(dir, "tls", cn);
    write_file(dir / "routes.yaml", tls_routes(dir));
    auto host = std::make_unique<HostProcess>(
        std::vector<std::string>{"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
        dir / "host.log");
    std::string output;
    REQUIRE(eventually([&] { return curl_tls(host->port(), {}, output) == 0; }));
    return host;
}

}  // namespace

TEST_CASE("TLS listener: a modern cipher list (ECDHE with AEAD only) and TLS 1.2 minimum") {
    TempDir dir;
    const auto running = tls_host(dir, "127.0.0.1");
    auto& host = *running;
    std::string output;
    const std::vector<std::string> tls12{"--tlsv1.2", "--tls-max", "1.2", "--ciphers"};
    auto with = [&](const std::string& cipher) {
        auto options = tls12;
        options.push_back(cipher);
        return curl_tls(host.port(), options, output);
    };
    CHECK(with("ECDHE-RSA-AES128-GCM-SHA256") == 0);
    CHECK(with("ECDHE-RSA-CHACHA20-POLY1305") == 0);
    CHECK(with("AES128-SHA") != 0);               // static RSA key exchange, CBC
    CHECK(with("AES256-GCM-SHA384") != 0);        // static RSA key exchange
    CHECK(with("ECDHE-RSA-AES128-SHA") != 0);     // CBC with SHA-1
    CHECK(with("ECDHE-RSA-AES256-SHA384") != 0);  // CBC
    CHECK(curl_tls(host.port(), {"--tlsv1.3"}, output) == 0);
    CHECK(curl_tls(host.port(), {"--tlsv1.1", "--tls-max", "1.1"}, output) != 0);
}

TEST_CASE("TLS listener: the certificate is read again on reload") {
    TempDir dir;
    const auto running = tls_host(dir, "first.example");
    auto& host = *running;
    std::string output;
    CHECK(curl_tls(host.port(), {"-v"}, output) == 0);
    CHECK(output.find("CN=first.example") != std::string::npos);
    make_certificate(dir, "tls", "renewed.example");  // the same files, renewed
    CHECK(curl_tls(host.port(), {"-v"}, output) == 0);
    CHECK(output.find("CN=first.example") != std::string::npos);  // until the reload
    host.send_signal(SIGHUP);
    REQUIRE(eventually([&] {
        return curl_tls(host.port(), {"-v"}, output) == 0 &&
               output.find("CN=renewed.example") != std::string::npos;
    }));
    // A certificate that does not load refuses the reload; the running one stays.
    write_file(dir / "tls.pem", "not a certificate\n");
    REQUIRE(run_command({"curl", "-sk", "--max-time", "5", "-XPOST",
                         "https://127.0.0.1:" + std::to_string(host.port()) + "/-/reload"},
                        output) == 0);
    CHECK(output.find("reload refused") != std::string::npos);
    CHECK(curl_tls(host.port(), {"-v"}, output) == 0);
    CHECK(output.find("CN=renewed.example") != std::string::npos);
}

TEST_CASE(
    "a reload that changes tls, listen or threads says so: TLS applies, threads need a "
    "restart") {
    TempDir dir;
    make_certificate(dir, "tls", "127.0.0.1");
    write_file(dir / "routes.yaml", routes(dir, "  max_threads: 16\n"));
    HostProcess host({"--config", dir / "routes.yaml", "--state-dir", dir / "state"},
                     dir / "host.log");
    REQUIRE(host.wait_ready());
    write_file(dir / "routes.yaml", tls_routes(dir, "  max_threads: 8\n  max_queued: 99\n"));
    const auto reload = http_post(host.port(), "/-/reload", "");
    CHECK(reload.status == 200);
    INFO(reload.body);
    CHECK(reload.body.find("server.max_threads changed from 16 to 8: restart the host to apply "
                           "it") != std::string::npos);
    CHECK(reload.body.find("server.max_queued changed from 256 to 99") != std::string::npos);
    CHECK(host.log().find("server.max_threads changed from 16 to 8") != std::string::npos);
    // TLS itself is applied: new connections speak TLS.
    std::string output;
    CHECK(curl_tls(host.port(), {}, output) == 0);
    CHECK(http_get(host.port(), "/healthz").status == 0);
}
