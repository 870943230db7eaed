// Fuzz target: a JSONPath expression (first line) evaluated against a JSON
// document (the rest) through path::JsonPath and path::ValueExpr. Checks the
// contract of json_path.h: the text of a parsed path parses again, an
// indefinite path always yields an array (or States.DataLimitExceeded), and
// a successful Set is seen by the next Evaluate.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/base/random.h"
#include "engine/path/json_path.h"
#include "engine/path/value_expr.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlflowctl;
  fuzz::ExpressionInput in = fuzz::SplitExpressionInput(data, size);
  const std::string expression(in.expression);

  StatusOr<path::JsonPath> parsed = path::JsonPath::Parse(expression);
  if (parsed.ok()) {
    const path::JsonPath& p = *parsed;
    FUZZ_CHECK(path::JsonPath::Parse(p.text()).ok(), "'%s' does not parse again",
               p.text().c_str());
    (void)p.NormalizedText();
    FUZZ_CHECK(!p.IsSimpleNamePath() || p.IsReferencePath(), "'%s': simple but not definite",
               expression.c_str());
    path::Selection selected = p.Evaluate(in.scope());
    if (selected.error) {
      FUZZ_CHECK(!p.IsReferencePath() && !selected.value &&
                     selected.error->name == error_names::kDataLimitExceeded,
                 "'%s' failed with %s", expression.c_str(), selected.error->name.c_str());
    } else if (!p.IsReferencePath()) {
      FUZZ_CHECK(selected.value && selected.value->is_array(), "indefinite '%s' gave no array",
                 expression.c_str());
    }
    Json doc = in.input;
    const Json marker = {{"fuzz-marker", 7}};
    if (p.Set(doc, marker)) {
      path::Scope after{&doc, &in.context, &in.variables};
      std::optional<Json> read = p.Evaluate(after).value;
      FUZZ_CHECK(read.has_value() && *read == marker, "'%s': Set then Evaluate gives %s",
                 expression.c_str(), read ? DumpJson(*read).c_str() : "nothing");
    }
  }

  StatusOr<path::ValueExpr> expr = path::ValueExpr::Parse(expression);
  if (expr.ok()) {
    Random random(1);
    auto result = expr->Evaluate(in.scope(), random, "value.$");
    if (auto* error = std::get_if<Error>(&result)) {
      FUZZ_CHECK(!error->name.empty(), "'%s': error without a name", expression.c_str());
    }
  }
  return 0;
}
