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

  // States.IntrinsicFailure on bad arguments at run time, with AWS's wording
  // where AWS documents it. ArrayRange is limited to 1,000 items.
  std::variant<Json, Error> Evaluate(const Scope& scope, Random& random) const;

  struct Call;  // parsed call tree, defined in intrinsics.cc

 private:
  explicit Intrinsic(std::shared_ptr<const Call> call) : call_(std::move(call)) {}
  std::shared_ptr<const Call> call_;
};

}  // namespace mlflowctl::path

#endif  // MLFLOWCTL_PATH_INTRINSICS_H_
