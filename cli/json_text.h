// IsJsonText: a check that text is one JSON value, for output that copies
// stored JSON text instead of parsing and printing it again. Pure; thread-safe.
#ifndef MLFLOWCTL_CLI_JSON_TEXT_H_
#define MLFLOWCTL_CLI_JSON_TEXT_H_

#include <string_view>

namespace mlflowctl::cli {

// True when `text` is one JSON value (RFC 8259) with optional whitespace
// around it: the same answer as nlohmann::json::accept(text), including its
// UTF-8 and surrogate-pair checks and its rejection of numbers beyond a
// double's range, but without building tokens or values (a single pass, no
// allocation except a stack of the open arrays and objects).
bool IsJsonText(std::string_view text);

}  // namespace mlflowctl::cli

#endif  // MLFLOWCTL_CLI_JSON_TEXT_H_
