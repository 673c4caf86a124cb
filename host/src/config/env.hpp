// Environment variables: an operator's .env file layered over the process environment, and
// ${VAR} expansion.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tg::host {

class Environment {
  public:
    Environment() = default;  // empty: no process variables, no file variables

    // A snapshot of the process environment (environ) taken now.
    static Environment from_process();

    // Reads a .env / systemd EnvironmentFile= style file; its values take precedence over the
    // process environment (later lines and later files win). Format, per line:
    //   blank lines and lines whose first non-blank character is '#' are ignored;
    //   [export ]KEY=VALUE with KEY = [A-Za-z_][A-Za-z0-9_]*, blanks around '=' tolerated;
    //   VALUE is either
    //     "double quoted": escapes \" \\ \n \t \r \$ (any other backslash is kept as is),
    //     'single quoted': literal,
    //     or unquoted: the rest of the line, trimmed; " #" (blank then #) starts a comment.
    //   After a closing quote only blanks and a "# comment" may follow. A trailing \r (CRLF) and
    //   a UTF-8 BOM are ignored; the bytes of values (UTF-8, Japanese...) are kept exactly.
    //   Values are NOT ${}-expanded. Quoted values cannot span lines.
    // Throws ConfigError("file", line, KEY, problem) on a malformed line (never printing the
    // value: it may be a secret), or ConfigError(file, 0, "", ...) when it cannot be read.
    void load_env_file(const std::string& path);
    // The same on text already read (file_name is used in messages).
    void load_env_text(std::string_view text, const std::string& file_name);

    // Sets a variable in the file layer (it wins over the process environment).
    void set(const std::string& name, std::string value);

    // The file's value first, then the process environment's; nullopt when neither has it.
    std::optional<std::string> get(const std::string& name) const;

    // Expands ${VAR} and ${VAR:-default} (default used when VAR is unset OR empty; the default
    // text is itself expanded) and $$ (a literal $). Any other '$' is kept as is ("foo$", "$1").
    // Throws std::invalid_argument naming the variable when it is unset and has no default, or
    // on an unterminated "${" / a bad variable name.
    std::string expand(std::string_view text) const;

    // Same variables and values (a reload compares what its sinks were created with).
    bool operator==(const Environment&) const = default;

  private:
    std::map<std::string, std::string> file_vars_;
    std::map<std::string, std::string> process_vars_;
};

}  // namespace tg::host
