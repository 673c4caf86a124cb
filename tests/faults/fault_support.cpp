#include "fault_support.hpp"

#include <Poco/JSON/Array.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace tg::faults {
namespace {

sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

void reset_and_close(int fd) {
    linger l{1, 0};  // RST, as a dying server's kernel would send
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

}  // namespace

TcpProxy::TcpProxy(int target_port) : target_port_(target_port), port_(test::free_port()) {
    listen();
}

TcpProxy::~TcpProxy() {
    stopping_ = true;
    down();
    std::vector<std::thread> pumps;
    {
        std::lock_guard lock(mutex_);
        pumps.swap(pumps_);
    }
    for (auto& t : pumps) t.join();
}

void TcpProxy::listen() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    auto address = loopback(port_);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd, 128) != 0) {
        ::close(fd);
        throw std::runtime_error("proxy: cannot listen on " + std::to_string(port_));
    }
    std::lock_guard lock(mutex_);
    listener_ = fd;
    acceptor_ = std::thread([this, fd] { accept_loop(fd); });
}

void TcpProxy::up() {
    if (acceptor_.joinable()) return;
    listen();
}

void TcpProxy::down() {
    std::thread acceptor;
    {
        std::lock_guard lock(mutex_);
        if (listener_ >= 0) ::shutdown(listener_, SHUT_RDWR);
        for (int fd : open_) {  // RST on close, and wake the pumps now
            linger l{1, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            ::shutdown(fd, SHUT_RDWR);
        }
        acceptor.swap(acceptor_);
    }
    if (acceptor.joinable()) acceptor.join();
    std::lock_guard lock(mutex_);
    if (listener_ >= 0) ::close(listener_);
    listener_ = -1;
}

void TcpProxy::accept_loop(int listener) {
    for (;;) {
        const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) {
            if (errno == EINTR) continue;
            return;  // shut down
        }
        const int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        auto target = loopback(target_port_);
        if (::connect(upstream, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
            reset_and_close(client);
            ::close(upstream);
            continue;
        }
        ++connections_;
        std::lock_guard lock(mutex_);
        open_.insert(client);
        open_.insert(upstream);
        pumps_.emplace_back([this, client, upstream] { pump(client, upstream); });
    }
}

void TcpProxy::lose_answers(const std::string& request_start, int count) {
    std::lock_guard lock(mutex_);
    lose_prefix_ = request_start;
    lose_count_ = count;
}

void TcpProxy::refuse(const std::string& part) {
    std::lock_guard lock(mutex_);
    refuse_part_ = part;
}

void TcpProxy::pump(int client, int upstream) {
    char buffer[16384];
    pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    bool losing = false;  // this connection's current request is one whose answer is lost
    for (bool open = true; open;) {
        if (::poll(fds, 2, 200) < 0 && errno != EINTR) break;
        for (int i = 0; i < 2 && open; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const ssize_t n = ::recv(fds[i].fd, buffer, sizeof buffer, 0);
            if (n <= 0) {
                open = false;
                break;
            }
            if (i == 0) {
                std::lock_guard lock(mutex_);
                if (!refuse_part_.empty() &&
                    std::string_view(buffer, static_cast<size_t>(n)).find(refuse_part_) !=
                        std::string_view::npos) {
                    static const std::string answer =
                        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                        "Content-Length: 13\r\nConnection: close\r\n\r\nproxy refused";
                    ::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
                    ++refused_;
                    open = false;
                    break;
                }
                if (lose_count_ > 0 && static_cast<size_t>(n) >= lose_prefix_.size() &&
                    std::string_view(buffer, lose_prefix_.size()) == lose_prefix_) {
                    --lose_count_;
                    losing = true;
                }
            } else if (losing) {  // the target answered: that answer never reaches the client
                ++answers_lost_;
                linger l{1, 0};
                ::setsockopt(client, SOL_SOCKET, SO_LINGER, &l, sizeof l);
                open = false;
                break;
            }
            for (ssize_t done = 0; done < n;) {
                const ssize_t w = ::send(fds[1 - i].fd, buffer + done,
                                         static_cast<size_t>(n - done), MSG_NOSIGNAL);
                if (w <= 0) {
                    open = false;
                    break;
                }
                done += w;
            }
        }
    }
    std::lock_guard lock(mutex_);
    open_.erase(client);
    open_.erase(upstream);
    ::close(client);
    ::close(upstream);
}

int connect_loopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto address = loopback(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

RawAnswer read_answer(int fd, std::chrono::milliseconds timeout) {
    RawAnswer answer;
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + timeout;
    char buffer[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
            if (answer.status < 0) answer.status = 0;
            break;
        }
        answer.text.append(buffer, static_cast<size_t>(n));
        if (answer.status < 0 && answer.text.find("\r\n") != std::string::npos) {
            int code = 0;
            if (std::sscanf(answer.text.c_str(), "HTTP/1.%*d %d", &code) == 1) answer.status = code;
        }
        // One answer is enough: stop at the end of its body when it has a Content-Length.
        const auto end = answer.text.find("\r\n\r\n");
        if (answer.status > 0 && end != std::string::npos) {
            const auto cl = answer.text.find("Content-Length: ");
            if (cl != std::string::npos && cl < end &&
                answer.text.size() >= end + 4 + std::stoul(answer.text.substr(cl + 16)))
                break;
        }
    }
    answer.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return answer;
}

RawAnswer raw_exchange(int port, const std::string& request, bool shutdown_write,
                       std::chrono::milliseconds timeout) {
    const int fd = connect_loopback(port);
    if (fd < 0) return RawAnswer{0, "connect failed", 0};
    for (size_t done = 0; done < request.size();) {
        const ssize_t n = ::send(fd, request.data() + done, request.size() - done, MSG_NOSIGNAL);
        if (n <= 0) break;  // the server may close early (413): read what it said
        done += static_cast<size_t>(n);
    }
    if (shutdown_write) ::shutdown(fd, SHUT_WR);
    auto answer = read_answer(fd, timeout);
    ::close(fd);
    return answer;
}

std::string group_body(const std::string& alertname, const std::vector<std::string>& hosts,
                       const std::string& status, const std::string& external_url) {
    std::ostringstream out;
    out << R"({"version":"4","status":")" << status
        << R"(","receiver":"tickets-grouping","groupKey":"{}:{alertname=\")" << alertname
        << R"(\"}","groupLabels":{"alertname":")" << alertname
        << R"("},"commonLabels":{"alertname":")" << alertname << R"("},"externalURL":")"
        << external_url << R"(","truncatedAlerts":0,"alerts":[)";
    for (size_t i = 0; i < hosts.size(); ++i) {
        out << (i ? "," : "") << R"({"status":")" << status << R"(","labels":{"alertname":")"
            << alertname << R"(","instance":")" << hosts[i]
            << R"(","severity":"warning"},"annotations":{"description":")" << alertname << " on "
            << hosts[i] << R"("},"startsAt":"2026-11-27T09:00:00.000Z","endsAt":")"
            << (status == "resolved" ? "2026-11-27T09:30:00.000Z" : "0001-01-01T00:00:00Z")
            << R"(","generatorURL":"http://prometheus:9090/graph"})";
    }
    out << "]}";
    return out.str();
}

bool Sender::deliver(const std::string& body, std::chrono::seconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        ++sent;
        const auto answer = test::http_post(port, "/webhook", body);
        if (answer.status == 200) {
            ++acknowledged;
            return true;
        }
        ++(answer.status == 0 ? unanswered : refused);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

void parallel_for(size_t count, size_t threads, const std::function<void(size_t)>& work) {
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (size_t i; (i = next++) < count;) work(i);
        });
    for (auto& t : pool) t.join();
}

int64_t metric(int port, const std::string& series) {
    const std::string text = "\n" + test::http_get(port, "/metrics").body;
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos
               ? -1
               : static_cast<int64_t>(std::stod(text.substr(at + series.size() + 2)));
}

Census census(const std::vector<Poco::JSON::Object::Ptr>& issues,
              const std::vector<std::string>& alertnames, const std::vector<std::string>& hosts) {
    Census c;
    std::map<std::string, size_t> count;
    std::map<int64_t, std::string> subject_of;
    for (const auto& issue : issues) {
        const auto subject = issue->getValue<std::string>("subject");
        ++count[subject];
        c.ids[subject] = issue->getValue<int64_t>("id");
        subject_of[issue->getValue<int64_t>("id")] = subject;
    }
    c.issues = issues.size();
    c.distinct_subjects = count.size();
    c.duplicates = c.issues - c.distinct_subjects;
    auto problem = [&](const std::string& text) {
        if (c.problems.size() < 10) c.problems.push_back(text);
    };
    for (const auto& [subject, n] : count)
        if (n > 1) problem(subject + " ×" + std::to_string(n));
    for (const auto& a : alertnames) {
        const std::string root = "[Root] [Alert] " + a;
        if (count.count(root)) {
            ++c.roots;
            ++c.expected_found;
        } else {
            problem("missing " + root);
        }
        for (const auto& h : hosts) {
            const std::string subject = "[Alert] " + a + " (" + h + ")";
            if (!count.count(subject)) {
                problem("missing " + subject);
                continue;
            }
            ++c.children;
            ++c.expected_found;
        }
    }
    for (const auto& issue : issues) {
        const auto subject = issue->getValue<std::string>("subject");
        if (subject.rfind("[Alert] ", 0) != 0) continue;
        const auto open = subject.find(" (");
        const std::string root = "[Root] [Alert] " + subject.substr(8, open - 8);
        auto parent = issue->getObject("parent");
        const int64_t parent_id = parent ? parent->getValue<int64_t>("id") : 0;
        if (!subject_of.count(parent_id) || subject_of[parent_id] != root) {
            ++c.wrong_parent;
            problem(subject + " has parent #" + std::to_string(parent_id));
        }
    }
    return c;
}

std::vector<std::string> names(const std::string& prefix, size_t count) {
    std::vector<std::string> out;
    char buffer[16];
    for (size_t i = 1; i <= count; ++i) {
        std::snprintf(buffer, sizeof buffer, "%02zu", i);
        out.push_back(prefix + buffer);
    }
    return out;
}

void report(const std::string& scenario, uint64_t sent, uint64_t acknowledged, size_t expected,
            size_t found, size_t duplicates, double seconds, const std::string& extra) {
    std::cout << "FAULTS " << scenario << ": sent " << sent << ", acknowledged " << acknowledged
              << ", tickets expected " << expected << ", tickets found " << found << ", duplicates "
              << duplicates << ", time " << static_cast<int>(seconds) << " s"
              << (extra.empty() ? "" : ", ") << extra << std::endl;
}

}  // namespace tg::faults
