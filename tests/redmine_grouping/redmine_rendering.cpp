#include "redmine_rendering.hpp"

#include "redmine_test_support.hpp"
#include "test_support.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <thread>

namespace rgtest {

namespace {

std::string marked_line(const std::string& output, const std::string& marker) {
    const size_t at = output.find(marker);
    if (at == std::string::npos) FAIL("rails runner printed no " << marker << ":\n" << output);
    const size_t end = output.find('\n', at);
    return output.substr(at + marker.size(),
                         end == std::string::npos ? end : end - at - marker.size());
}

}  // namespace

Rendered render(const std::map<std::string, std::string>& texts,
                const std::vector<std::string>& formats) {
    TempDir dir;  // under /tmp: www-data reads the texts there
    Poco::JSON::Object input;
    for (const auto& [name, text] : texts) input.set(name, text);
    const std::string in = (dir.path / "texts.json").string();
    {
        std::ofstream out(in);
        input.stringify(out);
    }
    std::string list;
    for (const auto& f : formats) list += (list.empty() ? "" : ",") + f;
    const std::string json = marked_line(
        rails_runner("rendering/render.rb", {"TG_IN=" + in, "TG_FORMATS=" + list}), "TG_RENDERED ");
    Rendered out;
    auto parsed = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    for (const auto& [name, per_format] : *parsed) {
        auto object = per_format.extract<Poco::JSON::Object::Ptr>();
        for (const auto& f : formats) out[name][f] = object->getValue<std::string>(f);
    }
    return out;
}

std::string text_formatting() {
    return marked_line(rails_runner("rendering/text_formatting.rb"), "TG_TEXT_FORMATTING=");
}

std::filesystem::path output_dir() {
    const std::filesystem::path dir = TG_RG_OUTPUT_DIR;
    std::filesystem::create_directories(dir);
    return dir;
}

std::filesystem::path TextFormattingSwitch::saved_file() {
    return output_dir() / "text_formatting.saved";
}

TextFormattingSwitch::TextFormattingSwitch(const std::string& format) {
    // A file left by a test that died holds the site's own value.
    std::ifstream saved(saved_file());
    if (!(saved && std::getline(saved, before_))) before_ = text_formatting();
    tg::test::write_file(saved_file().string(), before_ + "\n");
    const std::string now = marked_line(
        rails_runner("rendering/text_formatting.rb", {"TG_SET=" + format}), "TG_TEXT_FORMATTING=");
    REQUIRE(now == format);
}

TextFormattingSwitch::~TextFormattingSwitch() {
    std::string output;
    const int status =
        rails_runner_status("rendering/text_formatting.rb", {"TG_SET=" + before_}, output);
    if (status == 0 && output.find("TG_TEXT_FORMATTING=" + before_ + "\n") != std::string::npos)
        std::filesystem::remove(saved_file());  // else the cleanup fixture tries again
}

namespace {

// Redmine's session cookie (`_redmine_session`, or as config/additional_environment.rb names
// it: Debian's package calls it `Redmine`).
Poco::Net::HTTPCookie session_cookie(const Poco::Net::HTTPResponse& response) {
    std::vector<Poco::Net::HTTPCookie> cookies;
    response.getCookies(cookies);
    REQUIRE(cookies.size() == 1);
    return cookies.front();
}

// The admin's session cookie (name=value), from Redmine's own login form.
std::string admin_session() {
    const Poco::URI base(redmine_env().url);
    Poco::Net::HTTPClientSession http(base.getHost(), base.getPort());
    Poco::Net::HTTPRequest form(Poco::Net::HTTPRequest::HTTP_GET, "/login",
                                Poco::Net::HTTPMessage::HTTP_1_1);
    http.sendRequest(form);
    Poco::Net::HTTPResponse page;
    std::string body;
    Poco::StreamCopier::copyToString(http.receiveResponse(page), body);
    const Poco::Net::HTTPCookie session = session_cookie(page);
    std::smatch token;
    REQUIRE(std::regex_search(body, token,
                              std::regex(R"re(name="authenticity_token" value="([^"]+)")re")));
    std::string encoded_token, encoded_password;
    Poco::URI::encode(token[1].str(), "+/=&", encoded_token);
    Poco::URI::encode(redmine_env().vars.at("REDMINE_ADMIN_PASSWORD"), "+/=&?%#", encoded_password);
    const std::string fields = "authenticity_token=" + encoded_token +
                               "&username=" + redmine_env().vars.at("REDMINE_ADMIN_LOGIN") +
                               "&password=" + encoded_password;
    Poco::Net::HTTPRequest login(Poco::Net::HTTPRequest::HTTP_POST, "/login",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
    login.setContentType("application/x-www-form-urlencoded");
    login.setContentLength(static_cast<std::streamsize>(fields.size()));
    Poco::Net::NameValueCollection cookies;
    cookies.add(session.getName(), session.getValue());
    login.setCookies(cookies);
    http.sendRequest(login) << fields;
    Poco::Net::HTTPResponse answer;
    Poco::StreamCopier::copyToString(http.receiveResponse(answer), body);
    INFO("POST /login answered " << answer.getStatus());
    REQUIRE(answer.getStatus() == Poco::Net::HTTPResponse::HTTP_FOUND);
    REQUIRE(answer.get("Location", "").find("/login") == std::string::npos);
    const Poco::Net::HTTPCookie logged_in = session_cookie(answer);
    return logged_in.getName() + "=" + logged_in.getValue();
}

// Hands Chromium the admin's session: cookies ignore ports, so one set by 127.0.0.1:<any>
// goes along to Redmine on 127.0.0.1:3100.
class HandOver : public Poco::Net::HTTPRequestHandler {
  public:
    HandOver(std::string cookie, std::string target)
        : cookie_(std::move(cookie)), target_(std::move(target)) {}
    void handleRequest(Poco::Net::HTTPServerRequest&,
                       Poco::Net::HTTPServerResponse& response) override {
        response.set("Set-Cookie", cookie_ + "; path=/; HttpOnly");
        response.redirect(target_, Poco::Net::HTTPResponse::HTTP_FOUND);
    }

  private:
    std::string cookie_, target_;
};

class HandOverFactory : public Poco::Net::HTTPRequestHandlerFactory {
  public:
    HandOverFactory(std::string cookie, std::string target)
        : cookie_(std::move(cookie)), target_(std::move(target)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
        return new HandOver(cookie_, target_);
    }

  private:
    std::string cookie_, target_;
};

}  // namespace

void screenshot_issue(int64_t issue_id, const std::filesystem::path& png) {
    const std::string target = redmine_env().url + "/issues/" + std::to_string(issue_id);
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    Poco::Net::HTTPServer server(new HandOverFactory(admin_session(), target), socket,
                                 new Poco::Net::HTTPServerParams);
    server.start();
    TempDir profile;  // a new, empty user-data-dir
    std::filesystem::remove(png);
    std::string output;
    const int status = tg::test::run_command(
        {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--user-data-dir=" + profile.path.string(), "--hide-scrollbars",
         "--window-size=1280,1600", "--screenshot=" + png.string(),
         "http://127.0.0.1:" + std::to_string(socket.address().port()) + "/"},
        output);
    server.stop();
    INFO(output);
    REQUIRE(status == 0);
    REQUIRE(std::filesystem::exists(png));
    CHECK(std::filesystem::file_size(png) > 10000);  // a page, not a blank
}

std::string visible_text(const std::string& html) {
    const std::string text = std::regex_replace(html, std::regex("<[^>]*>"), "");
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '&') {
            out += text[i];
            continue;
        }
        const size_t end = text.find(';', i);
        const std::string name = end == std::string::npos ? "" : text.substr(i + 1, end - i - 1);
        unsigned long code = 0;
        if (name == "amp")
            code = '&';
        else if (name == "lt")
            code = '<';
        else if (name == "gt")
            code = '>';
        else if (name == "quot")
            code = '"';
        else if (name.size() > 1 && name[0] == '#')
            code = name[1] == 'x' ? std::stoul(name.substr(2), nullptr, 16)
                                  : std::stoul(name.substr(1));
        if (code == 0) {
            out += '&';
            continue;
        }
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
        i = end;
    }
    return out;
}

std::vector<std::string> hrefs(const std::string& html) {
    std::vector<std::string> out;
    const std::regex href(R"re(<[a-zA-Z][^>]*\shref="([^"]*)")re");  // in a tag, not in text
    for (auto it = std::sregex_iterator(html.begin(), html.end(), href);
         it != std::sregex_iterator(); ++it)
        out.push_back((*it)[1].str());
    return out;
}

}  // namespace rgtest
