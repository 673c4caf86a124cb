// libFuzzer harness: see targets.hpp.
#include "targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return tg::fuzz::redmine_config(data, size);
}
