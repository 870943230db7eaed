// Fuzz target: an intrinsic function call (first line, e.g.
// "States.Format('{} {}', $.a, States.ArrayRange(1, 9, 2))") evaluated
// against a JSON input (the rest) through path::Intrinsic. Every call must
// end in a value or a named error, within the time and memory libFuzzer
// allows: ranges, splits, partitions and decoders must not allocate in
// proportion to a number in the input rather than to its size.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "engine/base/random.h"
#include "engine/path/intrinsics.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlflowctl;
  fuzz::ExpressionInput in = fuzz::SplitExpressionInput(data, size);
  const std::string expression(in.expression);
  (void)path::Intrinsic::LooksLikeCall(expression);
  StatusOr<path::Intrinsic> call = path::Intrinsic::Parse(expression);
  if (!call.ok()) {
    FUZZ_CHECK(!call.status().message().empty(), "'%s' rejected without a message",
               expression.c_str());
    return 0;
  }
  Random random(size);
  std::variant<Json, Error> result = call->Evaluate(in.scope(), random, "value.$");
  if (auto* error = std::get_if<Error>(&result)) {
    FUZZ_CHECK(!error->name.empty() && !error->cause.empty(), "'%s': error '%s' '%s'",
               expression.c_str(), error->name.c_str(), error->cause.c_str());
  } else {
    (void)JsonSize(std::get<Json>(result));
  }
  return 0;
}
