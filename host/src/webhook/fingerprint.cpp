#include "webhook/fingerprint.hpp"

#include <cstdint>
#include <cstdio>

namespace tg::host {

std::string alertmanager_fingerprint(const std::map<std::string, std::string>& labels) {
    constexpr uint64_t offset_basis = 14695981039346656037ULL;
    constexpr uint64_t prime = 1099511628211ULL;
    uint64_t hash = offset_basis;
    auto add = [&](const std::string& bytes) {
        for (unsigned char c : bytes) {
            hash ^= c;
            hash *= prime;
        }
        hash ^= 0xFFu;  // model.SeparatorByte
        hash *= prime;
    };
    for (const auto& [name, value] : labels) {  // std::map iterates sorted by name
        add(name);
        add(value);
    }
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

}  // namespace tg::host
