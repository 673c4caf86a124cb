/* The frozen layouts of sink_abi.h as a C compiler sees them (a C plugin's view). */
#include "abi_layout.h"

/* A translation unit with nothing but the assertions must still define something. */
int tg_test_abi_layout_c_checked(void) { return TG_SINK_ABI_MINOR; }
