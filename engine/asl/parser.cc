#include "engine/asl/parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <tuple>
#include <utility>

#include "engine/asl/internal/build_context.h"
#include "engine/asl/json_locations.h"

namespace mlflowctl::asl {

std::string Diagnostic::ToString(std::string_view source) const {
  std::string out;
  if (!source.empty()) out = fmt::format("{}:", source);
  if (line > 0) out += fmt::format("{}:{}:", line, column);
  if (!out.empty()) out += " ";
  if (!pointer.empty()) out += fmt::format("{}: ", pointer);
  out += fmt::format("{}: {}", code, message);
  return out;
}

namespace {

bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

// ParseJson's message starts "line L, column C: malformed JSON: ...".
Diagnostic JsonDiagnostic(const Status& status) {
  Diagnostic d;
  d.code = internal::kInvalidJson;
  d.message = status.message();
  int line = 0;
  int column = 0;
  if (std::sscanf(status.message().c_str(), "line %d, column %d", &line,
                  &column) == 2) {
    d.line = line;
    d.column = column;
    if (auto colon = d.message.find(": "); colon != std::string::npos) {
      d.message = d.message.substr(colon + 2);
    }
  }
  d.message += " Fix the JSON syntax at this position.";
  return d;
}

void ReportDuplicateKeys(const JsonLocations& locations,
                         internal::BuildContext& ctx) {
  for (const std::string& p : locations.duplicate_keys()) {
    size_t slash = p.rfind('/');
    std::string parent = p.substr(0, slash);
    bool is_state = parent.size() >= 7 &&
                    parent.compare(parent.size() - 7, 7, "/States") == 0;
    std::string key = p.substr(slash + 1);
    ctx.Report(is_state ? internal::kDuplicateStateName : internal::kSchema, p,
               is_state
                   ? fmt::format("State '{}' is defined twice in the same "
                                 "'States' object; only the last one would "
                                 "be kept. Rename or remove one.",
                                 key)
                   : fmt::format("The field '{}' appears twice in the same "
                                 "object; only the last one would be kept.",
                                 key));
  }
}

// Object members written in `text` (valid JSON): one ':' outside strings each.
std::size_t MembersInText(std::string_view text) {
  std::size_t members = 0;
  ScanOutsideStrings(text, [&members](std::size_t, char c) {
    if (c == ':') ++members;
    return true;
  });
  return members;
}

// Object members in the parsed value; fewer than MembersInText when a key
// repeats (nlohmann keeps one of them).
std::size_t MembersInJson(const Json& value) {
  std::size_t members = 0;
  if (value.is_object()) {
    members += value.size();
    for (const auto& item : value) members += MembersInJson(item);
  } else if (value.is_array()) {
    for (const auto& item : value) members += MembersInJson(item);
  }
  return members;
}

}  // namespace

ParseResult Parse(std::string_view text) {
  ParseResult result;
  if (IsBlank(text)) {
    Diagnostic d;
    d.code = internal::kMissingDescription;
    d.message =
        "The definition is empty; it must be a JSON object with "
        "StartAt and States.";
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  StatusOr<Json> json = ParseJson(text);
  if (!json.ok()) {
    result.diagnostics.push_back(JsonDiagnostic(json.status()));
    return result;
  }
  // Positions are only needed for diagnostics, and a repeated key is the
  // only diagnostic that needs them to be found: index the text only then.
  std::optional<JsonLocations> locations;
  internal::BuildContext ctx;
  if (MembersInText(text) != MembersInJson(*json)) {
    locations = JsonLocations::Index(text);
    ReportDuplicateKeys(*locations, ctx);
  }
  std::shared_ptr<const StateMachine> machine =
      internal::BuildMachine(*json, "", internal::MachineKind::kTop, ctx);
  result.diagnostics = ctx.TakeDiagnostics();
  if (!result.diagnostics.empty() && !locations) locations = JsonLocations::Index(text);
  for (Diagnostic& d : result.diagnostics) {
    TextPosition pos = locations->Find(d.pointer);
    d.line = pos.line;
    d.column = pos.column;
  }
  // Objects come out of nlohmann in key order; report in text order.
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.line, a.column) <
                            std::tie(b.line, b.column);
                   });
  if (result.diagnostics.empty()) result.machine = std::move(machine);
  return result;
}

}  // namespace mlflowctl::asl
