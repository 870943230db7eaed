// The table of intrinsic functions (name, arity) and their implementations,
// applied to already evaluated arguments. Stateless; thread-safe apart from
// the caller's Random.
#ifndef MLFLOWCTL_PATH_INTERNAL_INTRINSIC_FUNCTIONS_H_
#define MLFLOWCTL_PATH_INTERNAL_INTRINSIC_FUNCTIONS_H_

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/json_util.h"
#include "engine/base/random.h"

namespace mlflowctl::path::internal {

enum class IntrinsicId {
  kFormat, kStringToJson, kJsonToString, kArray, kArrayPartition, kArrayContains,
  kArrayRange, kArrayGetItem, kArrayLength, kArrayUnique, kBase64Encode,
  kBase64Decode, kHash, kJsonMerge, kMathRandom, kMathAdd, kStringSplit, kUuid,
};

struct IntrinsicSpec {
  std::string_view name;  // "States.Format"
  IntrinsicId id;
  int min_args;
  int max_args;  // -1: unbounded
};

// nullptr when `name` is not one of the 18 functions.
const IntrinsicSpec* FindIntrinsic(std::string_view name);

// Applies the function. `format_raw` is the first argument's literal text
// with its escapes intact when it was a string literal (States.Format needs
// to tell "\{" from "{"), else nullptr. Errors are States.Runtime
// "Invalid arguments in States.X", as AWS reports them.
std::variant<Json, Error> CallIntrinsic(const IntrinsicSpec& spec, std::vector<Json>& args,
                                        const std::string* format_raw, Random& random);

}  // namespace mlflowctl::path::internal

#endif  // MLFLOWCTL_PATH_INTERNAL_INTRINSIC_FUNCTIONS_H_
