// PayloadTemplate: a compiled Parameters / ItemSelector / ResultSelector /
// Assign object. Keys ending in ".$" take their value from a JSONPath or an
// intrinsic function call ("States.Format('{}', $.x)"); other values are
// copied. Nested objects and arrays are walked. Immutable; thread-safe.
#ifndef MLFLOWCTL_PATH_PAYLOAD_TEMPLATE_H_
#define MLFLOWCTL_PATH_PAYLOAD_TEMPLATE_H_

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "engine/base/error.h"
#include "engine/base/json_util.h"
#include "engine/base/random.h"
#include "engine/base/status_or.h"
#include "engine/path/scope.h"

namespace mlflowctl::path {

// One problem found while compiling a template, located by a JSON pointer
// relative to the template root ("/foo.$").
struct TemplateProblem {
  std::string pointer;
  std::string code;     // e.g. "InvalidJsonPath", "InvalidIntrinsic"
  std::string message;
};

class PayloadTemplate {
 public:
  // Compiles every ".$" value. Returns all problems found (empty on success)
  // through `problems`; the template is usable only when none were found.
  static PayloadTemplate Compile(const Json& tmpl,
                                 std::vector<TemplateProblem>* problems);

  // Evaluates against the scope. Errors are ASL errors with AWS's wording:
  // a path that selects nothing is States.Runtime ("The JSONPath '$.x'
  // specified for the field 'y.$' could not be found in the input '...'"),
  // a failing intrinsic is States.Runtime ("Invalid arguments in States.X"),
  // as AWS reports it; a path whose matches pass scope.max_match_bytes is
  // States.DataLimitExceeded. Never throws.
  std::variant<Json, Error> Evaluate(const Scope& scope, Random& random) const;

  PayloadTemplate();
  PayloadTemplate(PayloadTemplate&&) noexcept;
  PayloadTemplate& operator=(PayloadTemplate&&) noexcept;
  PayloadTemplate(const PayloadTemplate&);
  PayloadTemplate& operator=(const PayloadTemplate&);
  ~PayloadTemplate();

  struct Node;  // compiled tree; defined in payload_template.cc

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace mlflowctl::path

#endif  // MLFLOWCTL_PATH_PAYLOAD_TEMPLATE_H_
