// Language, templates and key labels without Redmine: what the texts and keys look like, and that
// a broken template is a configuration error naming its setting.
#include "alert_key.hpp"
#include "config.hpp"
#include "text.hpp"

#include <catch2/catch.hpp>

using namespace tg::redmine;
using Catch::Matchers::Contains;

namespace {
const EnvLookup kEnv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "REDMINE_URL") return "http://127.0.0.1:3100";
    if (name == "REDMINE_API_KEY") return "0123456789abcdef";
    if (name == "REDMINE_PROJECT_ID") return "alerts";
    return std::nullopt;
};
Alert pod(const std::string& name, const std::string& cluster) {
    Alert a;
    a.labels = {{"alertname", "PodCrashLooping"},
                {"namespace", "shop"},
                {"pod", name},
                {"cluster", cluster}};
    return a;
}
}  // namespace

TEST_CASE("templates and language are checked when the configuration is parsed", "[config]") {
    Config c = parse_config(R"({"language":"en","templates":{"subject":"{{alertname}}!"}})", kEnv);
    CHECK(c.language == Language::en);
    CHECK(c.templates.at("subject") == "{{alertname}}!");
    CHECK(parse_config("{}", kEnv).language == Language::ja);
    CHECK_THROWS_WITH(parse_config(R"({"templates":{"description":"{{#labels}}x"}})", kEnv),
                      Contains("'templates.description': bad template"));
    CHECK_THROWS_WITH(parse_config(R"({"templates":{"subjet":"x"}})", kEnv),
                      Contains("'templates.subjet': unknown template"));
    CHECK_THROWS_WITH(parse_config(R"({"custom_fields":{"4":"{{unclosed"}})", kEnv),
                      Contains("'custom_fields.4': bad template"));
    CHECK_THROWS_WITH(parse_config(R"({"custom_fields":{"x":"a"}})", kEnv),
                      Contains("'custom_fields.x'"));
    CHECK_THROWS_WITH(parse_config(R"({"language":"fr"})", kEnv), Contains("'language'"));
    // A misspelt name would render empty at night: it is an error now.
    CHECK_THROWS_WITH(
        parse_config(R"({"templates":{"subject":"{{lables.severity}} {{alertname}}"}})", kEnv),
        Contains("'templates.subject': bad template: unknown variable 'lables.severity'"));
    CHECK_THROWS_WITH(parse_config(R"({"templates":{"description":"{{name}}"}})", kEnv),
                      Contains("unknown variable 'name'"));
    CHECK_THROWS_WITH(parse_config(R"({"templates":{"description":"{{> footer}}"}})", kEnv),
                      Contains("partials"));
    CHECK_NOTHROW(parse_config(
        R"({"templates":{"description":"{{! a comment }}{{#labels_list}}{{name}}={{{value}}} {{/labels_list}}{{^annotations.runbook}}none{{/annotations.runbook}}{{& labels.any_label }}"}})",
        kEnv));
}

TEST_CASE("every variable a template may name is given to it", "[text]") {
    TextBuilder builder(TextFormat::textile, "Asia/Tokyo", Language::en, {});
    Alert a;
    a.labels = {{"alertname", "HighCPU"}, {"instance", "server01"}};
    a.annotations = {{"summary", "hot"}};
    a.starts_at = parse_rfc3339("2026-11-27T07:51:27Z");
    a.ends_at = parse_rfc3339("2026-11-27T08:51:27Z");
    a.generator_url = "http://prometheus:9090/graph";
    a.fingerprint = "0123456789abcdef";
    TextContext ctx;
    ctx.alert = &a;
    ctx.key = "[Alert] HighCPU (server01)";
    ctx.root_key = "[Alert] HighCPU";
    ctx.external_url = "http://alertmanager:9093";
    ctx.group_tickets = 2;
    ctx.issue_id = 7;
    ctx.issue_subject = ctx.key;
    for (const auto& name : template_variables()) {
        TextBuilder one(TextFormat::textile, "Asia/Tokyo", Language::en,
                        {{"description", "{{#" + name + "}}given{{/" + name + "}}"}});
        INFO(name);
        CHECK_THAT(one.shape("description", ctx, "built-in"), Contains("given"));  // lists: each
    }
}

TEST_CASE("key labels and field settings are validated", "[config]") {
    Config c = parse_config(
        R"({"ticket_key_labels":["alertname","namespace","pod"],"root_key_labels":["alertname","cluster"],
            "priorities":{"critical":"急いで","warning":2},"assignee":7,"watchers":["ops",5],
            "private":true,"alert_key_field":"3"})",
        kEnv);
    CHECK(c.key_labels.ticket == std::vector<std::string>{"alertname", "namespace", "pod"});
    CHECK(c.key_labels.root == std::vector<std::string>{"alertname", "cluster"});
    CHECK(c.priorities.at("warning") == "2");
    CHECK(c.assignee == "7");
    CHECK(c.watchers == std::vector<std::string>{"ops", "5"});
    CHECK(c.is_private);
    CHECK(c.alert_key_field == 3);
    CHECK(parse_config("{}", kEnv).key_labels == KeyLabels{});
    CHECK_THROWS_WITH(parse_config(R"({"ticket_key_labels":[]})", kEnv),
                      Contains("'ticket_key_labels'"));
    CHECK_THROWS_WITH(parse_config(R"({"root_key_labels":["a b"]})", kEnv),
                      Contains("'root_key_labels'"));
    CHECK_THROWS_WITH(parse_config(R"({"ticket_key_labels":"alertname"})", kEnv),
                      Contains("expected a list"));
    CHECK_THROWS_WITH(parse_config(R"({"alert_key_field":3,"custom_fields":{"3":"x"}})", kEnv),
                      Contains("alert_key_field"));
}

TEST_CASE("default keys are the subjects of earlier versions", "[text]") {
    Alert a;
    a.labels = {{"alertname", "HighCPU"}, {"instance", "server01"}};
    const KeyLabels defaults;
    CHECK(ticket_key(a, defaults) == "[Alert] HighCPU (server01)");
    CHECK(root_key(a, defaults) == "[Root] [Alert] HighCPU");
    CHECK(group_of(a, defaults) == "HighCPU");
    CHECK(group_of_ticket_subject("[Alert] HighCPU (server01)", defaults) == "HighCPU");
    CHECK(group_of_root_subject("[Root] [Alert] HighCPU") == "HighCPU");
}

TEST_CASE("kubernetes keys: a ticket per pod, a Root per cluster", "[text]") {
    const KeyLabels k8s{{"alertname", "namespace", "pod"}, {"alertname", "cluster"}};
    const Alert a = pod("api-1", "tokyo");
    CHECK(ticket_key(a, k8s) == "[Alert] PodCrashLooping (shop, api-1)");
    CHECK(root_key(a, k8s) == "[Root] [Alert] PodCrashLooping (tokyo)");
    CHECK(group_of(a, k8s) == "PodCrashLooping\x1ftokyo");
    CHECK(group_of_root_subject(root_key(a, k8s)) == group_of(a, k8s));
    // The cluster is not in the ticket's key: a lone ticket's group cannot be read back.
    CHECK_FALSE(group_of_ticket_subject(ticket_key(a, k8s), k8s));
    const KeyLabels by_namespace{{"alertname", "namespace", "pod"}, {"alertname", "namespace"}};
    CHECK(group_of_ticket_subject(ticket_key(a, by_namespace), by_namespace) ==
          group_of(a, by_namespace));
    Alert no_cluster = pod("api-2", "");
    CHECK(root_key(no_cluster, k8s) == "[Root] [Alert] PodCrashLooping");
    CHECK(group_of_root_subject(root_key(no_cluster, k8s)) == group_of(no_cluster, k8s));
}

TEST_CASE("english texts and rendered templates", "[text]") {
    TextBuilder en(
        TextFormat::textile, "Asia/Tokyo", Language::en,
        {{"subject", "{{labels.severity}}: {{alertname}}\non {{instance}}"},
         {"description", "{{{default}}}\n{{#labels_list}}{{name}}={{value}};{{/labels_list}}"},
         {"resolved_note", "{{annotations.summary}} {{labels.job}}"}});
    Alert a;
    a.labels = {{"alertname", "HighCPU"},
                {"instance", "server01"},
                {"severity", "critical"},
                {"job", "node|x"}};
    a.annotations = {{"summary", "High *CPU*"}};
    a.starts_at = parse_rfc3339("2026-11-27T07:51:27Z");
    TextContext ctx;
    ctx.alert = &a;
    ctx.key = "[Alert] HighCPU (server01)";
    CHECK(en.shape("subject", ctx, ctx.key) == "critical: HighCPU on server01");  // one line
    const std::string d = en.shape("description", ctx, en.description(a, ""));
    CHECK_THAT(d, Contains("|_. Label |_. Value |"));
    CHECK_THAT(d, Contains("*Started:* 2026-11-27 16:51:27 JST"));
    CHECK_THAT(d, Contains("alertname=HighCPU;instance=server01;job=node&#124;x;"));
    // {{x}} is escaped for the text formatting; {{{x}}} is not.
    CHECK(en.shape("resolved_note", ctx, "") == "High &#42;CPU&#42; node&#124;x");
    CHECK(en.shape("recurrence_note", ctx, "built-in") == "built-in");  // no template
    CHECK(en.root_description("HighCPU") ==
          "Alert HighCPU is firing on more than one host. Each host's ticket is a subtask of this "
          "one.");
    CHECK(en.carry_over_note(*parse_rfc3339("2026-11-28T00:00:00Z")) ==
          "*Carried over:* still open at 2026-11-28 09:00:00 JST, carried over.");
    // A subject template that renders nothing falls back to the key.
    TextBuilder empty(TextFormat::textile, "UTC", Language::ja, {{"subject", "{{labels.none}}"}});
    CHECK(empty.shape("subject", ctx, ctx.key) == ctx.key);
}

TEST_CASE("japanese stays the default, word for word", "[text]") {
    TextBuilder ja(TextFormat::textile, "Asia/Tokyo");
    CHECK(ja.root_description("HighCPU") ==
          "アラート HighCPU が複数のホストで発生しています。各ホストのチケットは子チケットです。");
    CHECK(ja.root_closed_note(*parse_rfc3339("2026-11-28T00:00:00Z")) ==
          "*解消:* すべての子チケットが終了しました (2026-11-28 09:00:00 JST)");
    CHECK(ja.carry_over_note(*parse_rfc3339("2026-11-28T00:00:00Z")) ==
          "*持ち越し:* 2026-11-28 09:00:00 JST 時点で未完了のため持ち越します。");
}

TEST_CASE("the example description template of etc/routes.yaml shows the runbook only when set",
          "[text]") {
    const std::string source =
        "{{{default}}}\n\n{{#annotations.runbook_url}}Runbook: "
        "{{{annotations.runbook_url}}}{{/annotations.runbook_url}}";
    TextBuilder t(TextFormat::textile, "UTC", Language::ja, {{"description", source}});
    Alert a;
    a.labels = {{"alertname", "HighCPU"}};
    TextContext ctx;
    ctx.alert = &a;
    CHECK(t.shape("description", ctx, "built-in") == "built-in");
    a.annotations = {{"runbook_url", "http://wiki/x?a=1&b=2"}};
    CHECK(t.shape("description", ctx, "built-in") == "built-in\n\nRunbook: http://wiki/x?a=1&b=2");
}
