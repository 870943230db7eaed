// JsonPath: a compiled JSONPath expression as ASL uses it (InputPath,
// OutputPath, "x.$" values, Choice Variable, ItemsPath, *Path fields).
// Roots: "$" (input), "$$" (context object), "$name" (a variable).
// Supports dot and bracket child access, quoted names, array indexes
// (negative too), wildcards ("*", "[*]"), slices, unions, deep scan ("..")
// and filters ("[?(@.price < 10)]", comparisons, &&, ||, !).
// Immutable after Parse; safe to share between threads.
#ifndef MLFLOWCTL_PATH_JSON_PATH_H_
#define MLFLOWCTL_PATH_JSON_PATH_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/error.h"
#include "engine/base/json_util.h"
#include "engine/base/status_or.h"
#include "engine/path/scope.h"

namespace mlflowctl::path {

// What JsonPath::Evaluate selected: `value` is the node of a definite path
// (empty when it selects nothing) or the array of an indefinite path's
// matches. `error` is set instead when that array, or a list a filter
// operand compares, would be larger than scope.max_match_bytes:
// States.DataLimitExceeded, naming the path (the runtime prefixes the
// state). Work stops as soon as the limit is passed.
struct Selection {
  std::optional<Json> value;
  std::optional<Error> error;
};

class JsonPath {
 public:
  enum class Root { kInput, kContext, kVariable };

  // kInvalidArgument with a message saying what is wrong and at which
  // character, e.g. "invalid JSONPath '$.a[': unterminated '[' at 4".
  static StatusOr<JsonPath> Parse(std::string_view text);

  const std::string& text() const;
  Root root() const;
  // The variable name for Root::kVariable ("$foo.bar" -> "foo").
  const std::string& variable() const;

  // True if the path can only select one node (no wildcard, slice, union,
  // filter or deep scan): a "reference path" in ASL terms.
  bool IsReferencePath() const;
  // True if the path is definite and has only child names (no indexes),
  // as a ResultPath must be.
  bool IsSimpleNamePath() const;

  // Evaluates against the scope. A definite path selects the node, or
  // nothing when it does not exist. An indefinite path selects a JSON array
  // of the matches (empty array when none), as AWS does, or fails with
  // States.DataLimitExceeded when its matches pass scope.max_match_bytes
  // (see Selection). A definite path never fails: it copies one node.
  [[nodiscard]] Selection Evaluate(const Scope& scope) const;

  // Jayway's normalized form used in AWS messages: "$['a']['b'][0]" for a
  // definite input path; other paths are returned as written.
  std::string NormalizedText() const;

  // For ResultPath: stores `value` at this path inside `doc` (whose root is
  // "$"), creating missing intermediate objects. An index must name an
  // existing array element. Returns false (leaving `doc` possibly partly
  // changed, so callers work on a copy) when a node on the way exists and is
  // not an object/array as required, or the path is not a definite "$" path.
  // "$" itself replaces `doc`. See io_processing.h for the ResultPath rules.
  bool Set(Json& doc, Json value) const;

  JsonPath(JsonPath&&) noexcept;
  JsonPath& operator=(JsonPath&&) noexcept;
  JsonPath(const JsonPath&);
  JsonPath& operator=(const JsonPath&);
  ~JsonPath();

 private:
  struct Impl;
  explicit JsonPath(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace mlflowctl::path

#endif  // MLFLOWCTL_PATH_JSON_PATH_H_
