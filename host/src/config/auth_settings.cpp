#include "config/auth_settings.hpp"

#include "system/file_read.hpp"

namespace tg::host {
namespace {

std::string read_secret_file(const SettingText& file) {
    if (file.value.empty()) throw SettingError(file.name, file.line, "must not be empty");
    const auto read = common::read_whole_file(file.value);
    if (!read.content)
        throw SettingError(file.name, file.line,
                           "cannot read \"" + file.value + "\": " + read.error);
    std::string v = *read.content;
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    if (v.empty()) throw SettingError(file.name, file.line, "the file is empty");
    return v;
}

// A secret given inline or in a file, never both.
std::optional<std::string> secret(const std::optional<SettingText>& inline_value,
                                  const std::optional<SettingText>& file) {
    if (inline_value && file)
        throw SettingError(file->name, file->line,
                           "give " + inline_value->name + " or " + file->name + ", not both");
    if (file) return read_secret_file(*file);
    if (!inline_value) return std::nullopt;
    if (inline_value->value.empty())
        throw SettingError(inline_value->name, inline_value->line, "must not be empty");
    return inline_value->value;
}

std::optional<SettingText> variable(const Environment& env, const char* name) {
    auto value = env.get(name);
    if (!value) return std::nullopt;
    return SettingText{*value, name, 0};
}

}  // namespace

WebhookAuth resolve_webhook_auth(const WebhookAuthSource& source) {
    WebhookAuth auth;
    auth.bearer_token = secret(source.bearer_token, source.bearer_token_file);
    auth.basic_password = secret(source.basic_password, source.basic_password_file);
    const auto& password_setting =
        source.basic_password ? source.basic_password : source.basic_password_file;
    if (source.basic_username) {
        const SettingText& user = *source.basic_username;
        if (user.value.empty()) throw SettingError(user.name, user.line, "must not be empty");
        if (user.value.find(':') != std::string::npos)
            throw SettingError(user.name, user.line, "must not contain ':' (basic auth)");
        if (!auth.basic_password)
            throw SettingError(user.name, user.line, "basic auth needs a password too");
        auth.basic_username = user.value;
    } else if (password_setting) {
        throw SettingError(password_setting->name, password_setting->line,
                           "basic auth needs a username too");
    }
    if (auth.bearer_token && auth.basic_username) {
        const auto& bearer = source.bearer_token ? source.bearer_token : source.bearer_token_file;
        throw SettingError(bearer->name, bearer->line,
                           "choose a bearer token or basic auth, not both: Alertmanager sends "
                           "only one");
    }
    return auth;
}

WebhookAuthSource webhook_auth_from_env(const Environment& env) {
    WebhookAuthSource source;
    source.bearer_token = variable(env, "WEBHOOK_BEARER_TOKEN");
    source.bearer_token_file = variable(env, "WEBHOOK_BEARER_TOKEN_FILE");
    source.basic_username = variable(env, "WEBHOOK_BASIC_USERNAME");
    source.basic_password = variable(env, "WEBHOOK_BASIC_PASSWORD");
    source.basic_password_file = variable(env, "WEBHOOK_BASIC_PASSWORD_FILE");
    return source;
}

}  // namespace tg::host
