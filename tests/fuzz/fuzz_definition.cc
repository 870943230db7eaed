// Fuzz target: bytes -> asl::Parse, the definition parser and validator.
// Besides not crashing, hanging or leaking it checks the parser's contract:
// - a definition that parses has no diagnostics, every Next index is in
//   range and every state is reachable from StartAt (also inside Parallel
//   branches and Map item processors);
// - one that does not has at least one diagnostic, each with a code, and
//   when the text is JSON each pointer is an RFC 6901 pointer to a value of
//   the document or to a missing member of one of its objects or arrays.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/asl/parser.h"
#include "engine/asl/state_machine.h"
#include "engine/base/json_util.h"
#include "tests/fuzz/fuzz_check.h"

namespace mlflowctl::asl {
namespace {

void CheckTarget(const StateMachine& machine, int target, std::vector<int>& todo) {
  if (target == kNoState) return;
  FUZZ_CHECK(target >= 0 && static_cast<size_t>(target) < machine.states().size(),
             "transition to index %d of %zu states", target, machine.states().size());
  todo.push_back(target);
}

void CheckMachine(const StateMachine& machine, int depth) {
  FUZZ_CHECK(depth < 10000, "machine nesting %d", depth);
  const std::vector<State>& states = machine.states();
  FUZZ_CHECK(!states.empty(), "a valid machine without states");
  std::vector<bool> seen(states.size(), false);
  std::vector<int> todo;
  CheckTarget(machine, machine.start_at(), todo);
  FUZZ_CHECK(!todo.empty(), "StartAt '%s' unresolved", machine.start_at_name().c_str());
  while (!todo.empty()) {
    int index = todo.back();
    todo.pop_back();
    if (seen[static_cast<size_t>(index)]) continue;
    seen[static_cast<size_t>(index)] = true;
    const State& state = machine.state(index);
    FUZZ_CHECK(machine.Find(state.name) == index, "Find('%s') != %d", state.name.c_str(),
               index);
    CheckTarget(machine, state.next, todo);
    CheckTarget(machine, state.default_next, todo);
    for (const ChoiceRule& rule : state.choices) CheckTarget(machine, rule.next, todo);
    for (const Catcher& catcher : state.catch_) CheckTarget(machine, catcher.next, todo);
    for (const auto& branch : state.branches) {
      FUZZ_CHECK(branch != nullptr, "null branch in '%s'", state.name.c_str());
      CheckMachine(*branch, depth + 1);
    }
    if (state.item_processor) CheckMachine(*state.item_processor, depth + 1);
  }
  for (size_t i = 0; i < states.size(); ++i) {
    FUZZ_CHECK(seen[i], "state '%s' is not reachable yet the definition is valid",
               states[i].name.c_str());
  }
}

// RFC 6901 syntax: empty, or "/"-separated tokens where "~" is "~0" or "~1".
bool IsPointerSyntax(const std::string& pointer) {
  if (pointer.empty()) return true;
  if (pointer[0] != '/') return false;
  for (size_t i = 0; i < pointer.size(); ++i) {
    if (pointer[i] == '~' &&
        (i + 1 == pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1'))) {
      return false;
    }
  }
  return true;
}

// The pointer names a value of the document, or a member missing from an
// object or array that exists ("/StartAt" of a definition without one).
bool PointsIntoDocument(const Json& doc, const std::string& pointer) {
  if (pointer.empty()) return true;
  if (doc.contains(Json::json_pointer(pointer))) return true;
  std::string parent = pointer.substr(0, pointer.rfind('/'));
  if (parent.empty()) return doc.is_structured();
  Json::json_pointer parent_ptr(parent);
  return doc.contains(parent_ptr) && doc.at(parent_ptr).is_structured();
}

}  // namespace
}  // namespace mlflowctl::asl

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlflowctl;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  asl::ParseResult result = asl::Parse(text);
  if (result.ok()) {
    FUZZ_CHECK(result.diagnostics.empty(), "%zu diagnostics on a valid machine",
               result.diagnostics.size());
    asl::CheckMachine(*result.machine, 0);
    return 0;
  }
  FUZZ_CHECK(!result.diagnostics.empty(), "invalid definition without a diagnostic");
  StatusOr<Json> json = ParseJson(text);
  for (const asl::Diagnostic& d : result.diagnostics) {
    FUZZ_CHECK(!d.code.empty(), "diagnostic without a code: %s", d.message.c_str());
    FUZZ_CHECK(d.line >= 0 && d.column >= 0, "position %d:%d", d.line, d.column);
    (void)d.ToString("fuzz.json");
    if (!json.ok()) continue;
    FUZZ_CHECK(asl::IsPointerSyntax(d.pointer), "pointer '%s' (%s)", d.pointer.c_str(),
               d.code.c_str());
    FUZZ_CHECK(asl::PointsIntoDocument(*json, d.pointer), "pointer '%s' (%s) is not in the document",
               d.pointer.c_str(), d.code.c_str());
  }
  return 0;
}
