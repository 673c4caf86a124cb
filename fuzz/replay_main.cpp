// Replays inputs through a fuzz entry point (as the libFuzzer harness would), for the normal test
// suite: replay TARGET DIR_OR_FILE... ; an input that breaks a property aborts.
#include "targets.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s webhook|matcher|routing DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    const auto target = tg::fuzz::find_target(argv[1]);
    if (!target) {
        std::fprintf(stderr, "unknown target %s\n", argv[1]);
        return 2;
    }
    size_t replayed = 0;
    for (int i = 2; i < argc; ++i) {
        std::vector<std::filesystem::path> files;
        if (std::filesystem::is_directory(argv[i])) {
            for (const auto& entry : std::filesystem::directory_iterator(argv[i]))
                if (entry.is_regular_file() && entry.path().filename().string()[0] != '.')
                    files.push_back(entry.path());
        } else if (std::filesystem::exists(argv[i])) {
            files.emplace_back(argv[i]);
        }
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            std::ifstream in(file, std::ios::binary);
            const std::string data((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
            std::printf("%s: %s (%zu bytes)\n", argv[1], file.c_str(), data.size());
            std::fflush(stdout);
            target(reinterpret_cast<const uint8_t*>(data.data()), data.size());
            ++replayed;
        }
    }
    std::printf("%zu inputs replayed through %s\n", replayed, argv[1]);
    return 0;
}
