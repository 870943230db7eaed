#include "server/api/api_types.h"

namespace mlflowctl::api {

ApiReply ApiResult::ToReply() const {
  if (error) {
    Json shaped{{"__type", error->type}, {"message", error->message}};
    return ApiReply{error->http_status, DumpJson(shaped)};
  }
  return ApiReply{200, DumpJson(body)};
}

ApiResult InternalFailure(const Status& status) {
  if (status.code() == StatusCode::kUnavailable) {
    return ApiResult::Fail("ServiceUnavailable", status.message(), 503);
  }
  return ApiResult::Fail("InternalFailure", status.ToString(), 500);
}

}  // namespace mlflowctl::api
