#include "engine/asl/state_machine.h"

#include <utility>

namespace mlflowctl::asl {

const char* StateTypeName(StateType type) {
  switch (type) {
    case StateType::kPass:
      return "Pass";
    case StateType::kTask:
      return "Task";
    case StateType::kChoice:
      return "Choice";
    case StateType::kWait:
      return "Wait";
    case StateType::kSucceed:
      return "Succeed";
    case StateType::kFail:
      return "Fail";
    case StateType::kParallel:
      return "Parallel";
    case StateType::kMap:
      return "Map";
  }
  return "Unknown";
}

StateMachine::StateMachine(std::string start_at_name, int start_at,
                           std::vector<State> states,
                           std::optional<int64_t> timeout_seconds,
                           std::string comment)
    : start_at_name_(std::move(start_at_name)),
      start_at_(start_at),
      states_(std::move(states)),
      timeout_seconds_(timeout_seconds),
      comment_(std::move(comment)) {
  for (size_t i = 0; i < states_.size(); ++i) {
    index_.emplace(states_[i].name, static_cast<int>(i));
  }
}

int StateMachine::Find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? kNoState : it->second;
}

}  // namespace mlflowctl::asl
