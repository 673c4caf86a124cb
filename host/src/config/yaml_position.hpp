// Where a character of a YAML scalar stands in the file, for messages that point into a value.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace tg::host {

// The 1-based column, in characters, of the `char_column`th character (1-based) of `scalar`, the
// value of a node that yaml-cpp placed at `mark` in `file_text`; 0 where that cannot be told (the
// value is not written there as it reads up to that character: escapes, folded lines, ...).
int scalar_char_column(std::string_view file_text, const YAML::Mark& mark, std::string_view scalar,
                       size_t char_column);

}  // namespace tg::host
