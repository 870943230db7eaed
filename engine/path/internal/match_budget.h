// MatchBudget: the serialised size of the values an indefinite JSONPath
// copies (its result array, or a filter operand's list), counted against a
// limit with an early exit, so the work done before the limit is found to be
// passed is bounded by the limit, not by the size of the matches.
// Not thread-safe: one per list being built.
#ifndef MLFLOWCTL_PATH_INTERNAL_MATCH_BUDGET_H_
#define MLFLOWCTL_PATH_INTERNAL_MATCH_BUDGET_H_

#include <cstddef>
#include <optional>
#include <string>

#include "engine/base/json_util.h"

namespace mlflowctl::path::internal {

class MatchBudget {
 public:
  // `limit` in bytes; 0 means no limit.
  explicit MatchBudget(std::size_t limit) : limit_(limit) {}
  MatchBudget(const MatchBudget&) = delete;  // serializer_ writes to scratch_
  MatchBudget& operator=(const MatchBudget&) = delete;

  // Adds `value` as the next element of a JSON array. Returns false once
  // DumpJson of the array "[...]" holding the elements added so far would
  // be longer than the limit, and from then on. Visits at most about
  // `limit` bytes' worth of `value` (plus one scalar) before returning.
  bool Add(const Json& value);

 private:
  bool Charge(std::size_t bytes);
  bool Count(const Json& value);
  bool CountString(const std::string& s);
  bool CountSerialised(const Json& value);

  std::size_t limit_;
  std::size_t used_ = 2;  // "[]"
  bool first_ = true;
  bool exceeded_ = false;
  // Floats and non-ASCII strings are written by nlohmann's serializer (as
  // AppendJson writes them) into scratch_, and measured.
  std::string scratch_;
  std::optional<nlohmann::detail::serializer<Json>> serializer_;
};

}  // namespace mlflowctl::path::internal

#endif  // MLFLOWCTL_PATH_INTERNAL_MATCH_BUDGET_H_
