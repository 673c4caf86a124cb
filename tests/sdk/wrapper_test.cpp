// The C++ wrapper (sink.hpp) on its own, without the host: a sink compiled into this test is
// driven through the C table its TG_SINK_PLUGIN exports, the way the host drives a plugin.
#include <tickets_grouping/sink.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

class WrapperTestSink : public tg::Sink {
  public:
    explicit WrapperTestSink(const tg::SinkContext& context) : host_(context.host) {
        if (context.config_json.find("bad config") != std::string::npos)
            throw std::invalid_argument("wrapper_test_sink: bad config in " +
                                        context.instance_name);
        if (context.config_json.find("not yet") != std::string::npos)
            throw tg::RetryLater("wrapper_test_sink: the backend is not up yet");
        host_.info("created " + context.instance_name + " in " + context.state_dir +
                   " shared_store=[" + context.shared_store + "]");
    }

    // The notification text names what to do.
    void deliver(const tg::Delivery& d) override {
        const std::string what(d.notification_json);
        if (what == "drop") throw tg::Drop("rejected: the project is archived");
        if (what == "retry") throw tg::RetryLater("Redmine answered 503");
        if (what == "runtime") throw std::runtime_error("socket reset");
        if (what == "invalid") throw std::invalid_argument("bad alert in deliver");
        if (what == "int") throw 42;
        if (what == "long") throw tg::Drop(long_message());
        if (what == "env") {
            auto value = host_.env("LONG_VALUE");
            host_.info(value ? "env=" + *value : "env unset");
            auto missing = host_.env("MISSING");
            host_.info(missing ? "missing=" + *missing : "missing unset");
            return;
        }
        host_.info("delivered key=" + std::string(d.idempotency_key) +
                   " route=" + std::string(d.route) + " dry_run=" + std::to_string(d.dry_run) +
                   " attempt=" + std::to_string(d.attempt));
    }

    std::vector<tg::Hook> hooks() const override {
        return {{"heartbeat", "*/5 * * * *", ""}, {"carry_over", "0 9 * * 1-5", "Asia/Tokyo"}};
    }

    void run_hook(const tg::HookRun& run) override {
        if (run.name != "heartbeat") tg::Sink::run_hook(run);
        host_.info("heartbeat at " + std::to_string(run.scheduled_unix_ms) +
                   (run.dry_run ? " (dry run)" : ""));
    }

    bool check() override {
        host_.error("wrapper_test_sink: the API key is refused");
        return false;
    }

    static std::string long_message() {
        std::string text = "チケットを作成できません: ";
        for (int i = 0; i < 40; ++i) text += "日本語のエラーメッセージ";
        return text;
    }

  private:
    tg::HostServices host_;
};

}  // namespace

TG_SINK_PLUGIN(WrapperTestSink, "wrapper_test_sink", "9.8.7")

namespace {

// What the host gives a sink: logs are collected, variables come from a map.
struct FakeHost {
    std::map<std::string, std::string> env;
    std::vector<std::string> logs;
    int env_calls = 0;
    tg_host_services services{};

    FakeHost() {
        services.struct_size = sizeof services;
        services.abi_major = TG_SINK_ABI_MAJOR;
        services.abi_minor = TG_SINK_ABI_MINOR;
        services.host_ctx = this;
        services.log = [](void* ctx, tg_log_level level, tg_str message) {
            static_cast<FakeHost*>(ctx)->logs.push_back(std::to_string(level) + " " +
                                                        std::string(tg::view(message)));
        };
        services.get_env = [](void* ctx, tg_str name, char* buffer, size_t capacity) -> size_t {
            auto* self = static_cast<FakeHost*>(ctx);
            ++self->env_calls;
            auto it = self->env.find(std::string(tg::view(name)));
            if (it == self->env.end()) return TG_ENV_UNSET;
            std::memcpy(buffer, it->second.data(), std::min(capacity, it->second.size()));
            return it->second.size();
        };
    }
    bool logged(const std::string& text) const {
        for (const auto& line : logs)
            if (line.find(text) != std::string::npos) return true;
        return false;
    }
};

// One instance created through the exported table, destroyed at scope exit.
struct Created {
    const tg_sink_plugin* plugin = tg_sink_entry();
    void* instance = nullptr;
    tg_status status;
    std::string error;

    // `struct_size`: what the host's ABI version knows of the arguments (sizeof: this one's).
    Created(FakeHost& host, const std::string& config, const std::string& shared_store = "",
            uint32_t struct_size = sizeof(tg_sink_create_args)) {
        tg_sink_create_args args{};
        args.struct_size = struct_size;
        args.shared_store = tg::borrow(shared_store);
        args.instance_name = tg::borrow("unit");
        args.config_json = tg::borrow(config);
        args.state_dir = tg::borrow("/nonexistent/state");
        args.host = &host.services;
        char buffer[256] = "";
        tg_error_buf error_buf{buffer, sizeof buffer};
        status = plugin->create(&args, &instance, &error_buf);
        error = buffer;
    }
    ~Created() {
        if (instance) plugin->destroy(instance);
    }

    // Delivers `text` as the notification; returns the status and sets `error`.
    tg_status deliver(const std::string& text, size_t capacity = 4096, uint32_t flags = 0,
                      uint32_t attempt = 1) {
        tg_delivery d{};
        d.struct_size = sizeof d;
        d.notification_json = tg::borrow(text);
        d.idempotency_key = tg::borrow("k-123");
        d.route = tg::borrow("route.routes[0]");
        d.flags = flags;
        d.attempt = attempt;
        // A guard byte past the capacity, then a NUL so that an untouched buffer reads as "###".
        std::vector<char> buffer(capacity + 2, '#');
        buffer.back() = '\0';
        tg_error_buf error_buf{buffer.data(), capacity};
        const tg_status result = plugin->deliver(instance, &d, &error_buf);
        CHECK(buffer[capacity] == '#');
        error = buffer.data();
        return result;
    }
};

bool is_utf8_prefix(const std::string& prefix, const std::string& whole) {
    return whole.compare(0, prefix.size(), prefix) == 0 &&
           (prefix.size() == whole.size() ||
            (static_cast<unsigned char>(whole[prefix.size()]) & 0xC0) != 0x80);
}

}  // namespace

TEST_CASE("TG_SINK_PLUGIN exports a complete table of this SDK's ABI") {
    const tg_sink_plugin* plugin = tg_sink_entry();
    REQUIRE(plugin != nullptr);
    CHECK(plugin == tg_sink_entry());  // one static table
    CHECK(plugin->struct_size == sizeof(tg_sink_plugin));
    CHECK(plugin->abi_major == TG_SINK_ABI_MAJOR);
    CHECK(plugin->abi_minor == TG_SINK_ABI_MINOR);
    CHECK(std::string(plugin->plugin_name) == "wrapper_test_sink");
    CHECK(std::string(plugin->plugin_version) == "9.8.7");
    CHECK(plugin->create);
    CHECK(plugin->destroy);
    CHECK(plugin->deliver);
    CHECK(plugin->hook_count);
    CHECK(plugin->hook_get);
    CHECK(plugin->run_hook);
    CHECK(plugin->check);
}

TEST_CASE(
    "create: invalid_argument becomes DROP, RetryLater becomes RETRY_LATER, with the message") {
    FakeHost host;
    {
        Created ok(host, "{}");
        CHECK(ok.status == TG_OK);
        CHECK(ok.instance != nullptr);
        CHECK(ok.error.empty());
        CHECK(host.logged("1 created unit in /nonexistent/state"));
    }
    {
        Created bad(host, R"({"x":"bad config"})");
        CHECK(bad.status == TG_DROP);
        CHECK(bad.instance == nullptr);
        CHECK(bad.error == "wrapper_test_sink: bad config in unit");
    }
    {
        Created later(host, R"({"x":"not yet"})");
        CHECK(later.status == TG_RETRY_LATER);
        CHECK(later.instance == nullptr);
        CHECK(later.error == "wrapper_test_sink: the backend is not up yet");
    }
    // Missing arguments are refused, not dereferenced.
    char buffer[128] = "";
    tg_error_buf error{buffer, sizeof buffer};
    void* instance = nullptr;
    CHECK(tg_sink_entry()->create(nullptr, &instance, &error) == TG_DROP);
    CHECK(std::string(buffer) == "create called without arguments");
}

TEST_CASE("deliver: each kind of exception becomes the right status and message") {
    FakeHost host;
    Created sink(host, "{}");
    REQUIRE(sink.status == TG_OK);

    CHECK(sink.deliver("drop") == TG_DROP);
    CHECK(sink.error == "rejected: the project is archived");
    CHECK(sink.deliver("retry") == TG_RETRY_LATER);
    CHECK(sink.error == "Redmine answered 503");
    CHECK(sink.deliver("runtime") == TG_RETRY_LATER);
    CHECK(sink.error == "socket reset");
    // invalid_argument means "bad config" only when thrown by the constructor.
    CHECK(sink.deliver("invalid") == TG_RETRY_LATER);
    CHECK(sink.error == "bad alert in deliver");
    CHECK(sink.deliver("int") == TG_RETRY_LATER);
    CHECK(sink.error == "unknown exception in sink");

    CHECK(sink.deliver("fine", 64, TG_FLAG_DRY_RUN, 3) == TG_OK);
    CHECK(sink.error == std::string(65, '#'));  // the buffer is untouched on success
    CHECK(host.logged("delivered key=k-123 route=route.routes[0] dry_run=1 attempt=3"));
    CHECK(sink.deliver("fine") == TG_OK);
    CHECK(host.logged("dry_run=0 attempt=1"));
}

TEST_CASE("a message longer than the host's buffer is cut on a UTF-8 boundary") {
    FakeHost host;
    Created sink(host, "{}");
    REQUIRE(sink.status == TG_OK);
    const std::string whole = WrapperTestSink::long_message();
    REQUIRE(whole.size() > 1000);

    CHECK(sink.deliver("long", 4096) == TG_DROP);
    CHECK(sink.error == whole);  // fits: whole

    for (size_t capacity = 1; capacity <= 80; ++capacity) {
        INFO("capacity " << capacity);
        CHECK(sink.deliver("long", capacity) == TG_DROP);
        CHECK(sink.error.size() < capacity);           // room for the NUL
        CHECK(sink.error.size() + 3 >= capacity - 1);  // loses at most a partial character
        CHECK(is_utf8_prefix(sink.error, whole));
    }
    // Every Japanese character is 3 bytes: a 20-byte buffer holds 19 bytes, cut back to 18.
    CHECK(sink.deliver("long", 20) == TG_DROP);
    CHECK(sink.error == "チケットを作");

    // No buffer or a zero capacity: nothing is written, nothing crashes.
    CHECK(sink.deliver("long", 0) == TG_DROP);
    CHECK(sink.error == "#");  // the guard byte, untouched
    tg_delivery d{};
    d.struct_size = sizeof d;
    d.notification_json = tg::borrow("long");
    CHECK(sink.plugin->deliver(sink.instance, &d, nullptr) == TG_DROP);
    tg_error_buf no_data{nullptr, 100};
    CHECK(sink.plugin->deliver(sink.instance, &d, &no_data) == TG_DROP);
}

TEST_CASE("tg::set_error on its own: exact fit, one byte short, empty message") {
    char buffer[8];
    tg_error_buf error{buffer, sizeof buffer};
    tg::set_error(&error, "1234567");
    CHECK(std::string(buffer) == "1234567");
    tg::set_error(&error, "12345678");
    CHECK(std::string(buffer) == "1234567");
    tg::set_error(&error, "12345日");  // 5 + 3 bytes: the character does not fit
    CHECK(std::string(buffer) == "12345");
    tg::set_error(&error, "");
    CHECK(std::string(buffer).empty());
}

TEST_CASE(
    "hooks declared by the sink come back through hook_count and hook_get, within struct_size") {
    FakeHost host;
    Created sink(host, "{}");
    REQUIRE(sink.status == TG_OK);
    const tg_sink_plugin* p = sink.plugin;
    REQUIRE(p->hook_count(sink.instance) == 2);

    tg_hook_decl decl{};
    decl.struct_size = sizeof decl;
    REQUIRE(p->hook_get(sink.instance, 0, &decl) == TG_OK);
    CHECK(std::string(decl.name) == "heartbeat");
    CHECK(std::string(decl.default_cron) == "*/5 * * * *");
    CHECK(std::string(decl.time_zone).empty());
    REQUIRE(p->hook_get(sink.instance, 1, &decl) == TG_OK);
    CHECK(std::string(decl.name) == "carry_over");
    CHECK(std::string(decl.default_cron) == "0 9 * * 1-5");
    CHECK(std::string(decl.time_zone) == "Asia/Tokyo");
    CHECK(p->hook_get(sink.instance, 2, &decl) == TG_DROP);
    CHECK(p->hook_get(sink.instance, 0, nullptr) == TG_DROP);

    // A struct_size too small for the declaration's fields: nothing is written past it.
    for (const uint32_t too_small : {0u, 8u, uint32_t(offsetof(tg_hook_decl, time_zone))}) {
        INFO("struct_size " << too_small);
        tg_hook_decl small{};
        small.struct_size = too_small;
        CHECK(p->hook_get(sink.instance, 0, &small) == TG_DROP);
        CHECK(small.name == nullptr);
        CHECK(small.default_cron == nullptr);
        CHECK(small.time_zone == nullptr);
    }

    char buffer[256] = "";
    tg_error_buf error{buffer, sizeof buffer};
    tg_hook_run run{};
    run.struct_size = sizeof run;
    run.name = tg::borrow("heartbeat");
    run.scheduled_unix_ms = 1700000000000;
    run.flags = TG_FLAG_DRY_RUN;
    CHECK(p->run_hook(sink.instance, &run, &error) == TG_OK);
    CHECK(host.logged("heartbeat at 1700000000000 (dry run)"));
    run.name = tg::borrow("nope");
    CHECK(p->run_hook(sink.instance, &run, &error) == TG_DROP);
    CHECK(std::string(buffer) == "this sink has no hook named 'nope'");

    // check(): problems are logged at error level and the call reports DROP.
    CHECK(p->check(sink.instance, &error) == TG_DROP);
    CHECK(std::string(buffer) == "configuration check failed");
    CHECK(host.logged(std::to_string(TG_LOG_ERROR) + " wrapper_test_sink: the API key is refused"));
}

TEST_CASE("HostServices::env returns values longer than its first buffer whole") {
    FakeHost host;
    std::string long_value;
    for (int i = 0; i < 100; ++i) long_value += "値" + std::to_string(i) + ",";
    REQUIRE(long_value.size() > 256);
    host.env["LONG_VALUE"] = long_value;
    host.env["SHORT"] = "abc";
    host.env["EMPTY"] = "";

    tg::HostServices services(&host.services);
    CHECK(services.env("LONG_VALUE") == long_value);
    CHECK(host.env_calls == 2);  // once too small, once sized
    CHECK(services.env("SHORT") == "abc");
    CHECK(host.env_calls == 3);
    CHECK(services.env("EMPTY") == "");
    CHECK_FALSE(services.env("MISSING").has_value());
    // Exactly the first buffer's size: no second call needed.
    host.env["EXACT"] = std::string(256, 'e');
    host.env_calls = 0;
    CHECK(services.env("EXACT") == std::string(256, 'e'));
    CHECK(host.env_calls == 1);

    // A value that grows between the calls is asked for again until it fits.
    host.env_calls = 0;
    tg_host_services growing = host.services;
    growing.get_env = [](void* ctx, tg_str, char* buffer, size_t capacity) -> size_t {
        auto* self = static_cast<FakeHost*>(ctx);
        const size_t size = std::min<size_t>(300 * static_cast<size_t>(++self->env_calls), 600);
        const std::string value(size, 'g');
        std::memcpy(buffer, value.data(), std::min(capacity, value.size()));
        return value.size();
    };
    CHECK(tg::HostServices(&growing).env("GROWING") == std::string(600, 'g'));
    CHECK(host.env_calls == 3);  // 300 > 256, then 600 > 300, then 600 fits

    // Through a sink's deliver, as a plugin would use it.
    Created sink(host, "{}");
    REQUIRE(sink.status == TG_OK);
    CHECK(sink.deliver("env") == TG_OK);
    CHECK(host.logged("env=" + long_value));
    CHECK(host.logged("missing unset"));

    // A host whose services end before get_env, or no services at all: nothing, no crash.
    tg_host_services old = host.services;
    old.struct_size = offsetof(tg_host_services, get_env);
    CHECK_FALSE(tg::HostServices(&old).env("SHORT").has_value());
    CHECK_FALSE(tg::HostServices(nullptr).env("SHORT").has_value());
    tg::HostServices(nullptr).info("dropped");  // logging without a host is a no-op
}

TEST_CASE("the shared store reaches the sink from a 1.2 host, an older host gives none") {
    FakeHost host;
    {
        Created created(host, "{}", "host=db dbname=tg user=router");
        REQUIRE(created.status == TG_OK);
        CHECK(host.logged("shared_store=[host=db dbname=tg user=router]"));
    }
    host.logs.clear();
    {
        // A 1.1 host's arguments end before shared_store: whatever lies there is not read.
        Created created(host, "{}", "host=garbage", offsetof(tg_sink_create_args, shared_store));
        REQUIRE(created.status == TG_OK);
        CHECK(host.logged("shared_store=[]"));
    }
}
