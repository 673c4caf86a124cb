// What the out-of-tree SDK tests share: running commands that must succeed, installing the SDK
// from this build tree, and building an installed example with a given compiler.
#pragma once

#include "test_support.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

namespace tg::test::sdk {

inline const std::string cmake = TG_TEST_CMAKE;
// Where `cmake --install --component sdk` puts the guide and the examples, under the prefix.
inline const std::string doc_dir = "/share/doc/tickets-grouping-sdk";

// Runs a command, failing the test (with its output) unless it succeeds.
inline std::string run_ok(const std::vector<std::string>& argv) {
    std::string output;
    const int status = run_command(argv, output);
    std::string line;
    for (const auto& a : argv) line += a + " ";
    INFO("$ " << line << "\n" << output);
    REQUIRE(status == 0);
    return output;
}

inline std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// `cmake --install <this build> --prefix <prefix> --component sdk`.
inline void install_sdk(const std::string& prefix) {
    run_ok({cmake, "--install", TG_TEST_BUILD_DIR, "--prefix", prefix, "--component", "sdk"});
}

// Copies an installed example away from the prefix, configures it with `compiler` (-Werror,
// Ninja) against the prefix alone and builds it; returns the build's output.
inline std::string build_installed_example(const std::string& prefix, const std::string& example,
                                           const std::string& source, const std::string& build,
                                           const std::string& compiler) {
    std::filesystem::copy(prefix + doc_dir + "/examples/" + example, source,
                          std::filesystem::copy_options::recursive);
    run_ok({cmake, "-S", source, "-B", build, "-G", "Ninja", "-DCMAKE_CXX_COMPILER=" + compiler,
            "-DCMAKE_CXX_FLAGS=-Werror", "-DCMAKE_PREFIX_PATH=" + prefix});
    return run_ok({cmake, "--build", build});
}

// The compiler named in a module's .comment section: "GCC" or "clang".
inline std::string compiler_of(const std::string& module) {
    const std::string comment = run_ok({"readelf", "-p", ".comment", module});
    return comment.find("clang version") != std::string::npos ? "clang"
           : comment.find("GCC:") != std::string::npos        ? "GCC"
                                                              : "unknown";
}

}  // namespace tg::test::sdk
