// Splits a fuzz input into an expression (up to the first newline) and a
// JSON document (the rest), and builds the scope the expression reads:
// "$" is the document (or a fixed one when the rest is not JSON), "$$" a
// context object holding it, "$doc" and "$n" variables.
#ifndef MLFLOWCTL_TESTS_FUZZ_FUZZ_INPUT_H_
#define MLFLOWCTL_TESTS_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/base/json_util.h"
#include "engine/path/scope.h"

namespace mlflowctl::fuzz {

struct ExpressionInput {
  std::string_view expression;
  Json input;
  Json context;
  Json variables;

  path::Scope scope() const { return path::Scope{&input, &context, &variables}; }
};

inline ExpressionInput SplitExpressionInput(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  ExpressionInput in;
  size_t newline = all.find('\n');
  in.expression = all.substr(0, newline);
  std::string_view rest =
      newline == std::string_view::npos ? std::string_view() : all.substr(newline + 1);
  StatusOr<Json> doc = ParseJson(rest);
  if (doc.ok()) {
    in.input = std::move(*doc);
  } else {
    in.input = {{"a", {1, 2, {{"b", "x"}}}}, {"s", "a,b,c"}, {"n", 3}, {"o", {{"k", true}}}};
  }
  in.context = {{"Execution", {{"Id", "arn:aws:states:us-east-1:123456789012:execution:m:e"},
                               {"Input", in.input},
                               {"Name", "e"}}},
                {"State", {{"Name", "S"}, {"RetryCount", 0}}},
                {"Map", {{"Item", {{"Index", 0}, {"Value", in.input}}}}}};
  in.variables = {{"doc", in.input}, {"n", 1}};
  return in;
}

}  // namespace mlflowctl::fuzz

#endif  // MLFLOWCTL_TESTS_FUZZ_FUZZ_INPUT_H_
