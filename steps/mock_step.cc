#include "steps/mock_step.h"

#include <fmt/format.h>

namespace mlflowctl::steps {

Status MockStep::Check(const Json& mocks) {
  if (!mocks.is_object()) return InvalidArgumentError("mocks must be a JSON object");
  for (auto it = mocks.begin(); it != mocks.end(); ++it) {
    if (!it.value().is_array() || it.value().empty()) {
      return InvalidArgumentError(
          fmt::format("/{}: must be a non-empty array of responses", it.key()));
    }
    for (std::size_t i = 0; i < it.value().size(); ++i) {
      const Json& r = it.value()[i];
      if (!r.is_object() || (!r.contains("output") && !r.contains("error"))) {
        return InvalidArgumentError(fmt::format(
            "/{}/{}: a response is {{\"output\": ...}} or {{\"error\": ..., \"cause\": ...}}",
            it.key(), i));
      }
    }
  }
  return Status::Ok();
}

runtime::StepResult MockStep::Invoke(const runtime::TaskRequest& request) {
  auto it = mocks_.find(request.state_name);
  if (it == mocks_.end()) {
    runtime::TaskHandler* h = fallback_ ? fallback_->Find(request.resource) : nullptr;
    if (h == nullptr) {
      return Error{"States.Runtime",
                   fmt::format("no mock for state '{}' and resource '{}' is not known",
                               request.state_name, request.resource)};
    }
    return h->Invoke(request);
  }
  std::size_t n;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = calls_[request.state_name]++;
  }
  const Json& list = *it;
  const Json& r = list[std::min(n, list.size() - 1)];
  if (r.contains("error")) {
    return Error{r["error"].get<std::string>(),
                 r.contains("cause") && r["cause"].is_string() ? r["cause"].get<std::string>()
                                                               : ""};
  }
  return r["output"];
}

}  // namespace mlflowctl::steps
