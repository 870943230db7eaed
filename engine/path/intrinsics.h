// Intrinsic functions of ASL (JSONPath mode): States.Format, StringToJson,
// JsonToString, Array, ArrayPartition, ArrayContains, ArrayRange,
// ArrayGetItem, ArrayLength, ArrayUnique, Base64Encode, Base64Decode, Hash,
// JsonMerge, MathRandom, MathAdd, StringSplit, UUID; nested calls; string
// literals in single quotes with \' \{ \} \\ escapes.
// An Intrinsic is immutable after Parse and thread-safe.
#ifndef MLFLOWCTL_PATH_INTRINSICS_H_
#define MLFLOWCTL_PATH_INTRINSICS_H_

#include <memory>
#include <string_view>
#include <variant>

#include "engine/base/error.h"
#include "engine/base/json_util.h"
#include "engine/base/random.h"
#include "engine/base/status_or.h"
#include "engine/path/scope.h"

namespace mlflowctl::path {

class Intrinsic {
 public:
  // True if `text` looks like a call ("States.X(...)"): the caller then
  // parses it as an intrinsic rather than a path.
  static bool LooksLikeCall(std::string_view text);

  // Checks syntax, function names and argument counts/literal types that
  // can be known statically. kInvalidArgument with a message otherwise.
  static StatusOr<Intrinsic> Parse(std::string_view text);

  // Bad arguments at run time fail as AWS fails them: States.Runtime with the
  // cause "Invalid arguments in States.X" (AWS does not raise
  // States.IntrinsicFailure for these; see intrinsic_functions.cc). A path
  // argument that selects nothing is States.Runtime "The JSONPath '$.x'
  // specified for the field '<field>' could not be found in the input '...'".
  // A path argument whose matches pass scope.max_match_bytes is
  // States.DataLimitExceeded. ArrayRange is limited to 1,000 items. Never
  // throws.
  std::variant<Json, Error> Evaluate(const Scope& scope, Random& random) const;
  // Same, naming `field` (e.g. "value.$") in path-not-found messages.
  std::variant<Json, Error> Evaluate(const Scope& scope, Random& random,
                                     std::string_view field) const;

  struct Call;  // parsed call tree, defined in intrinsics.cc

 private:
  explicit Intrinsic(std::shared_ptr<const Call> call) : call_(std::move(call)) {}
  std::shared_ptr<const Call> call_;
};

}  // namespace mlflowctl::path

#endif  // MLFLOWCTL_PATH_INTRINSICS_H_
