#include "natural_order.hpp"

#include <cctype>
#include <string_view>

namespace tg::redmine {

bool natural_less(const std::string& a, const std::string& b) {
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (std::isdigit(static_cast<unsigned char>(a[i])) &&
            std::isdigit(static_cast<unsigned char>(b[j]))) {
            size_t ei = i, ej = j;
            while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
            while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
            const std::string_view x = std::string_view(a).substr(i, ei - i),
                                   y = std::string_view(b).substr(j, ej - j);
            const auto nx = x.find_first_not_of('0'), ny = y.find_first_not_of('0');
            const auto vx = nx == x.npos ? std::string_view() : x.substr(nx);
            const auto vy = ny == y.npos ? std::string_view() : y.substr(ny);
            if (vx.size() != vy.size()) return vx.size() < vy.size();
            if (vx != vy) return vx < vy;
            i = ei;
            j = ej;
        } else {
            if (a[i] != b[j])  // bytes, as std::string compares them (UTF-8 in code point order)
                return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
            ++i;
            ++j;
        }
    }
    if (a.size() - i != b.size() - j) return a.size() - i < b.size() - j;
    return a < b;  // equal but for leading zeros: still one order
}

}  // namespace tg::redmine
