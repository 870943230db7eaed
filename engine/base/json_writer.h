// AppendJson: the compact JSON text of a value, byte for byte what
// nlohmann's dump() writes (no spaces, UTF-8 kept, invalid UTF-8 replaced by
// U+FFFD), without its per-character work on ASCII strings and integers,
// which is what history events and state payloads are mostly made of.
// Thread-safe (no shared state).
#ifndef MLFLOWCTL_BASE_JSON_WRITER_H_
#define MLFLOWCTL_BASE_JSON_WRITER_H_

#include <string>

#include <nlohmann/json.hpp>

namespace mlflowctl {

// Appends the compact serialisation of `value` to `out`.
void AppendJson(const nlohmann::json& value, std::string& out);

}  // namespace mlflowctl

#endif  // MLFLOWCTL_BASE_JSON_WRITER_H_
