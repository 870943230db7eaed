// ResolveTransitions: the checks that need every state of a machine at once:
// transition targets, reachability from StartAt and a terminal state.
#include <fmt/format.h>

#include <deque>

#include "engine/asl/internal/build_context.h"
#include "engine/asl/json_locations.h"

namespace mlflowctl::asl::internal {

namespace {

const char* Scope(MachineKind kind) {
  switch (kind) {
    case MachineKind::kTop:
      return "the state machine";
    case MachineKind::kBranch:
      return "this Parallel branch (a branch's states may only transition "
             "within the branch)";
    case MachineKind::kItemProcessor:
      return "this Map ItemProcessor (its states may only transition within "
             "it)";
  }
  return "the state machine";
}

int Resolve(const std::string& name, const std::string& where,
            const char* field, MachineKind kind,
            const std::unordered_map<std::string, int>& index,
            BuildContext& ctx) {
  auto it = index.find(name);
  if (it != index.end()) return it->second;
  // AWS words every dangling target "Missing 'Next' target: X", whatever
  // the field (Next, Default, Catch Next, StartAt).
  ctx.Report(kMissingTransitionTarget, where,
             fmt::format("Missing '{}' target: {} (no state of {} has that name).",
                         field, name, Scope(kind)));
  return kNoState;
}

// Every state this one may transition to.
std::vector<int> Successors(const State& s) {
  std::vector<int> out;
  if (s.next != kNoState) out.push_back(s.next);
  for (const ChoiceRule& rule : s.choices) {
    if (rule.next != kNoState) out.push_back(rule.next);
  }
  if (s.default_next != kNoState) out.push_back(s.default_next);
  for (const Catcher& c : s.catch_) {
    if (c.next != kNoState) out.push_back(c.next);
  }
  return out;
}

}  // namespace

void ResolveTransitions(const std::string& pointer, MachineKind kind,
                        std::vector<State>& states,
                        const std::unordered_map<std::string, int>& index,
                        int start_at, BuildContext& ctx) {
  bool has_terminal = false;
  for (State& s : states) {
    if (s.end || s.type == StateType::kSucceed || s.type == StateType::kFail) {
      has_terminal = true;
    }
    if (!s.next_name.empty()) {
      s.next = Resolve(s.next_name, AppendPointer(s.pointer, "Next"), "Next",
                       kind, index, ctx);
    }
    for (ChoiceRule& rule : s.choices) {
      if (!rule.next_name.empty()) {
        rule.next = Resolve(rule.next_name, AppendPointer(rule.pointer, "Next"),
                            "Next", kind, index, ctx);
      }
    }
    if (!s.default_name.empty()) {
      s.default_next =
          Resolve(s.default_name, AppendPointer(s.pointer, "Default"),
                  "Default", kind, index, ctx);
    }
    for (size_t i = 0; i < s.catch_.size(); ++i) {
      Catcher& c = s.catch_[i];
      if (c.next_name.empty()) continue;
      std::string where = AppendPointer(
          AppendPointer(AppendPointer(s.pointer, "Catch"), std::to_string(i)),
          "Next");
      c.next = Resolve(c.next_name, where, "Next", kind, index, ctx);
    }
  }

  // ASL: a state machine must have a terminal state (End, Succeed or Fail).
  // As on AWS, a machine without one is not also walked for unreachable
  // states.
  if (!has_terminal) {
    ctx.Report(kMissingEndState, AppendPointer(pointer, "States"),
               fmt::format("Workflow has no terminal state: {} needs a state with "
                           "\"End\": true, or a Succeed or Fail state.",
                           Scope(kind)));
    return;
  }

  // Unreachable states (AWS: MISSING_TRANSITION_TARGET, 'State "X" is not
  // reachable.' at /States/X). With an unknown StartAt nothing is reachable.
  std::vector<bool> seen(states.size(), false);
  std::deque<int> todo;
  if (start_at != kNoState) {
    todo.push_back(start_at);
    seen[static_cast<size_t>(start_at)] = true;
  }
  while (!todo.empty()) {
    int cur = todo.front();
    todo.pop_front();
    for (int next : Successors(states[static_cast<size_t>(cur)])) {
      if (!seen[static_cast<size_t>(next)]) {
        seen[static_cast<size_t>(next)] = true;
        todo.push_back(next);
      }
    }
  }
  for (size_t i = 0; i < states.size(); ++i) {
    if (seen[i]) continue;
    ctx.Report(kMissingTransitionTarget, states[i].pointer,
               fmt::format("State \"{}\" is not reachable. Transition to it from "
                           "another state or remove it.",
                           states[i].name));
  }
}

}  // namespace mlflowctl::asl::internal
