// The frozen layouts of sink_abi.h (abi_layout.h) as C++ sees them, and the table TG_SINK_PLUGIN
// exports: the struct_size it writes is this minor's frozen size.
#include "abi_layout.h"

#include <tickets_grouping/sink.hpp>

#include <catch2/catch.hpp>

extern "C" int tg_test_abi_layout_c_checked(void);
extern "C" const tg_sink_plugin* tg_sink_entry(void);  // wrapper_test.cpp's sink

TEST_CASE("every minor of this major has its layout frozen") {
    INFO("sink ABI 1." << TG_SINK_ABI_MINOR
                       << " is not in tests/sdk/abi_layout.h: freeze it there");
    CHECK(TG_SINK_ABI_MINOR <= TG_LAST_FROZEN_MINOR);
    CHECK(tg_test_abi_layout_c_checked() == TG_SINK_ABI_MINOR);  // the C view was compiled too
}

TEST_CASE("TG_SINK_PLUGIN's table carries this minor's frozen size") {
    const tg_sink_plugin* table = tg_sink_entry();
    CHECK(table->struct_size == sizeof(tg_sink_plugin));
    CHECK(table->struct_size >= TG_SIZE_PLUGIN_1_2);
    CHECK(table->abi_major == 1);
    CHECK(table->abi_minor == TG_SINK_ABI_MINOR);
}
