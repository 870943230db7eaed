// RequestReader: reads the members of one API request body and collects the
// problems AWS reports as a ValidationException, worded as AWS words them
// ("1 validation error detected: Value null at 'stateMachineArn' failed to
// satisfy constraint: Member must not be null"; several are joined by "; ").
// A member that is present but null counts as absent. Not thread-safe (one
// reader per request).
#ifndef MLFLOWCTL_SERVER_API_REQUEST_READER_H_
#define MLFLOWCTL_SERVER_API_REQUEST_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/json_util.h"
#include "server/api/api_types.h"

namespace mlflowctl::api {

struct StringLimits {
  std::size_t min_length = 0;
  std::size_t max_length = 0;  // 0: no limit
};

// botocore's Arn shape (stateMachineArn, executionArn): 1 to 256 characters.
inline constexpr StringLimits kArnLimits{1, 256};
// Page size of the List* actions and GetExecutionHistory when maxResults is
// absent or 0.
inline constexpr int64_t kDefaultPageSize = 100;

class RequestReader {
 public:
  // `body` must be a JSON object (the API checks that first).
  explicit RequestReader(const Json& body) : body_(body) {}

  // A required string; "" (and a recorded problem) when absent or invalid.
  std::string RequiredString(std::string_view member, StringLimits limits = {});
  std::optional<std::string> OptionalString(std::string_view member, StringLimits limits = {});
  // One of `values` (botocore's enum).
  std::optional<std::string> OptionalEnum(std::string_view member,
                                          const std::vector<std::string_view>& values);
  // An integer within [min, max].
  std::optional<int64_t> OptionalInt(std::string_view member, int64_t min, int64_t max);
  std::optional<bool> OptionalBool(std::string_view member);

  // The ValidationException for every problem found so far, if any.
  std::optional<ApiError> Error() const;

 private:
  const Json* Member(std::string_view member) const;
  void Problem(const std::string& value, std::string_view member, const std::string& constraint);
  bool CheckLength(const std::string& value, std::string_view member, StringLimits limits);

  const Json& body_;
  std::vector<std::string> problems_;
};

}  // namespace mlflowctl::api

#endif  // MLFLOWCTL_SERVER_API_REQUEST_READER_H_
