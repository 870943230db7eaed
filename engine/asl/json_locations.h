// JsonLocations: where each value of a JSON text sits, by JSON pointer, so
// that definition diagnostics can say line:column. nlohmann's parser does not
// expose positions, hence this small tokenizer. Immutable after Index();
// thread-safe.
#ifndef MLFLOWCTL_ASL_JSON_LOCATIONS_H_
#define MLFLOWCTL_ASL_JSON_LOCATIONS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/base/json_util.h"

namespace mlflowctl::asl {

// "/a~1b/0" from "a/b" and "0": RFC 6901 escaping of one reference token.
std::string AppendPointer(const std::string& pointer, std::string_view token);

class JsonLocations {
 public:
  // Indexes `text`, which should be valid JSON (as ParseJson accepted it).
  // Scanning stops quietly at the first malformed token; what was seen
  // before stays indexed.
  static JsonLocations Index(std::string_view text);

  // Position of `pointer`: of its key when it names an object member, else
  // of its value. A pointer that does not exist resolves to its nearest
  // existing ancestor; the empty pointer is the root value.
  TextPosition Find(const std::string& pointer) const;

  // True if the pointer names a value present in the text.
  bool Contains(const std::string& pointer) const;

  // Members whose key repeats a key of the same object (the later
  // occurrence, which is the one nlohmann keeps).
  const std::vector<std::string>& duplicate_keys() const {
    return duplicate_keys_;
  }

 private:
  TextPosition PositionOfOffset(std::size_t offset) const;

  std::unordered_map<std::string, std::size_t> offsets_;
  std::vector<std::size_t> line_starts_;
  std::vector<std::string> duplicate_keys_;
};

}  // namespace mlflowctl::asl

#endif  // MLFLOWCTL_ASL_JSON_LOCATIONS_H_
