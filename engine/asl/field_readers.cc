// Field readers shared by the state, retrier and choice parsers, and the
// BuildContext that collects what they report.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <utility>

#include "engine/asl/internal/build_context.h"
#include "engine/asl/json_locations.h"

namespace mlflowctl::asl::internal {

void BuildContext::Report(std::string code, std::string pointer,
                          std::string message) {
  Diagnostic d;
  d.code = std::move(code);
  d.pointer = std::move(pointer);
  d.message = std::move(message);
  diagnostics_.push_back(std::move(d));
}

bool BuildContext::RegisterStateName(const std::string& name,
                                     const std::string& pointer) {
  auto [it, inserted] = state_names_.try_emplace(name, pointer);
  if (inserted) return true;
  Report(kDuplicateStateName, pointer,
         fmt::format("State name '{}' is already used at {}; state names must "
                     "be unique across the whole definition, including "
                     "Parallel branches and Map processors.",
                     name, it->second));
  return false;
}

std::string TypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

void CheckAllowedFields(const Json& obj, const std::string& pointer,
                        std::initializer_list<std::string_view> allowed,
                        std::string_view what, BuildContext& ctx) {
  for (const auto& [key, value] : obj.items()) {
    bool ok = false;
    for (std::string_view a : allowed) {
      if (a == key) {
        ok = true;
        break;
      }
    }
    if (ok) continue;
    std::string hint;
    if (key == "Arguments" || key == "Output" || key == "Items" ||
        key == "Condition") {
      hint =
          " (it belongs to JSONata mode, which this engine does not "
          "support yet)";
    }
    ctx.Report(kSchema, AppendPointer(pointer, key),
               fmt::format("The field '{}' is not supported by {}{}. Remove "
                           "it, or check its spelling.",
                           key, what, hint));
  }
}

std::optional<path::JsonPath> ReadPath(const Json& obj, const char* field,
                                       const std::string& pointer,
                                       bool reference, BuildContext& ctx) {
  auto it = obj.find(field);
  if (it == obj.end()) return std::nullopt;
  std::string where = AppendPointer(pointer, field);
  if (!it->is_string()) {
    ctx.Report(kSchema, where,
               fmt::format("The field '{}' must be a JSONPath string, not {}.",
                           field, TypeName(*it)));
    return std::nullopt;
  }
  StatusOr<path::JsonPath> parsed =
      path::JsonPath::Parse(it->get<std::string>());
  if (!parsed.ok()) {
    ctx.Report(kSchema, where,
               fmt::format("The value of '{}' is not a valid JSONPath: {}",
                           field, parsed.status().message()));
    return std::nullopt;
  }
  if (reference && !parsed->IsReferencePath()) {
    ctx.Report(kSchema, where,
               fmt::format("The value of '{}' ('{}') must be a reference path, "
                           "one that selects a single node (no wildcards, "
                           "slices, unions, filters or '..').",
                           field, parsed->text()));
    return std::nullopt;
  }
  return std::move(parsed).value();
}

path::OptionalPath ReadOptionalPath(const Json& obj, const char* field,
                                    const std::string& pointer,
                                    bool result_path, BuildContext& ctx) {
  path::OptionalPath out;
  auto it = obj.find(field);
  if (it == obj.end()) return out;
  if (it->is_null()) {
    out.kind = path::OptionalPath::Kind::kNull;
    return out;
  }
  std::optional<path::JsonPath> p =
      ReadPath(obj, field, pointer, result_path, ctx);
  if (!p) return out;
  if (result_path &&
      (!p->IsSimpleNamePath() || p->root() != path::JsonPath::Root::kInput)) {
    ctx.Report(kSchema, AppendPointer(pointer, field),
               fmt::format("The value of '{}' ('{}') must be a reference path "
                           "made of field names under '$' (like '$.result'), "
                           "or null.",
                           field, p->text()));
    return out;
  }
  out.kind = path::OptionalPath::Kind::kPath;
  out.path = std::move(p);
  return out;
}

namespace {

std::optional<path::PayloadTemplate> CompileTemplate(const Json& value,
                                                     const std::string& where,
                                                     BuildContext& ctx) {
  std::vector<path::TemplateProblem> problems;
  path::PayloadTemplate tmpl = path::PayloadTemplate::Compile(value, &problems);
  for (const path::TemplateProblem& p : problems) {
    ctx.Report(
        kSchema, where + p.pointer,
        p.code.empty() ? p.message : fmt::format("{} ({})", p.message, p.code));
  }
  if (!problems.empty()) return std::nullopt;
  return tmpl;
}

// AWS: a variable name starts with a letter or '_' and goes on with
// letters, digits and '_' (Unicode identifier characters are let through
// as bytes >= 0x80); at most 80 characters; "states" is reserved.
std::string CheckVariableName(std::string_view name) {
  if (name.empty()) return "a variable name cannot be empty";
  if (name.size() > 80) return "a variable name has at most 80 characters";
  if (name == "states") {
    return "'states' is reserved for the $states variable of JSONata mode";
  }
  auto letter = [](unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c >= 0x80;
  };
  if (!letter(static_cast<unsigned char>(name[0]))) {
    return "a variable name must start with a letter or '_'";
  }
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (!letter(c) && !(c >= '0' && c <= '9')) {
      return "a variable name may contain only letters, digits and '_'";
    }
  }
  return "";
}

}  // namespace

std::optional<path::PayloadTemplate> ReadTemplate(const Json& obj,
                                                  const char* field,
                                                  const std::string& pointer,
                                                  BuildContext& ctx) {
  auto it = obj.find(field);
  if (it == obj.end()) return std::nullopt;
  std::string where = AppendPointer(pointer, field);
  if (!it->is_object()) {
    ctx.Report(kSchema, where,
               fmt::format("The field '{}' must be an object, not {}.", field,
                           TypeName(*it)));
    return std::nullopt;
  }
  return CompileTemplate(*it, where, ctx);
}

std::optional<path::PayloadTemplate> ReadAssign(const Json& obj,
                                                const std::string& pointer,
                                                BuildContext& ctx) {
  auto it = obj.find("Assign");
  if (it == obj.end()) return std::nullopt;
  std::string where = AppendPointer(pointer, "Assign");
  if (!it->is_object()) {
    ctx.Report(kSchema, where,
               fmt::format("The field 'Assign' must be an object of variable "
                           "names, not {}.",
                           TypeName(*it)));
    return std::nullopt;
  }
  bool names_ok = true;
  for (const auto& [key, value] : it->items()) {
    std::string_view name = key;
    if (name.size() >= 2 && name.substr(name.size() - 2) == ".$") {
      name.remove_suffix(2);
    }
    std::string why = CheckVariableName(name);
    if (!why.empty()) {
      names_ok = false;
      ctx.Report(
          kSchema, AppendPointer(where, key),
          fmt::format("'{}' is not a valid variable name: {}.", name, why));
    }
  }
  std::optional<path::PayloadTemplate> tmpl = CompileTemplate(*it, where, ctx);
  if (!names_ok) return std::nullopt;
  return tmpl;
}

std::optional<std::string> ReadString(const Json& obj, const char* field,
                                      const std::string& pointer,
                                      BuildContext& ctx) {
  auto it = obj.find(field);
  if (it == obj.end()) return std::nullopt;
  if (!it->is_string()) {
    ctx.Report(kSchema, AppendPointer(pointer, field),
               fmt::format("The field '{}' must be a string, not {}.", field,
                           TypeName(*it)));
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<int64_t> ReadInt(const Json& obj, const char* field,
                               const std::string& pointer, int64_t min,
                               int64_t max, BuildContext& ctx) {
  auto it = obj.find(field);
  if (it == obj.end()) return std::nullopt;
  std::string where = AppendPointer(pointer, field);
  // 5.0 is accepted as 5, as JSON does not tell them apart.
  bool integral = it->is_number_integer() ||
                  (it->is_number_float() &&
                   std::trunc(it->get<double>()) == it->get<double>() &&
                   std::fabs(it->get<double>()) < 9e15);
  if (!integral) {
    ctx.Report(kSchema, where,
               fmt::format("The field '{}' must be an integer, not {}.", field,
                           TypeName(*it)));
    return std::nullopt;
  }
  bool too_big = it->is_number_unsigned() &&
                 it->get<uint64_t>() >
                     static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  int64_t v =
      too_big ? std::numeric_limits<int64_t>::max()
              : (it->is_number_float() ? static_cast<int64_t>(it->get<double>())
                                       : it->get<int64_t>());
  if (v < min || v > max) {
    ctx.Report(kSchema, where,
               max == std::numeric_limits<int64_t>::max()
                   ? fmt::format("The field '{}' must be at least {}; got {}.",
                                 field, min, it->dump())
                   : fmt::format("The field '{}' must be between {} and {}; "
                                 "got {}.",
                                 field, min, max, it->dump()));
    return std::nullopt;
  }
  return v;
}

std::optional<double> ReadNumber(const Json& obj, const char* field,
                                 const std::string& pointer, double min,
                                 double max, BuildContext& ctx) {
  auto it = obj.find(field);
  if (it == obj.end()) return std::nullopt;
  std::string where = AppendPointer(pointer, field);
  if (!it->is_number()) {
    ctx.Report(kSchema, where,
               fmt::format("The field '{}' must be a number, not {}.", field,
                           TypeName(*it)));
    return std::nullopt;
  }
  double v = it->get<double>();
  if (!(v >= min && v <= max)) {
    ctx.Report(kSchema, where,
               max == std::numeric_limits<double>::max()
                   ? fmt::format("The field '{}' must be at least {}; got {}.",
                                 field, min, it->dump())
                   : fmt::format("The field '{}' must be between {} and {}; "
                                 "got {}.",
                                 field, min, max, it->dump()));
    return std::nullopt;
  }
  return v;
}

IntOrPath ReadIntOrPath(const Json& obj, const char* field,
                        const char* path_field, const std::string& pointer,
                        int64_t min, int64_t max, BuildContext& ctx) {
  IntOrPath out;
  if (obj.contains(field) && obj.contains(path_field)) {
    ctx.Report(kSchema, AppendPointer(pointer, path_field),
               fmt::format("'{}' and '{}' cannot both be set; keep one.", field,
                           path_field));
    return out;
  }
  out.value = ReadInt(obj, field, pointer, min, max, ctx);
  out.path = ReadPath(obj, path_field, pointer, /*reference=*/true, ctx);
  return out;
}

void CheckQueryLanguage(const Json& obj, const std::string& pointer,
                        BuildContext& ctx) {
  auto it = obj.find("QueryLanguage");
  if (it == obj.end()) return;
  std::string where = AppendPointer(pointer, "QueryLanguage");
  if (*it == "JSONPath") return;
  if (*it == "JSONata") {
    ctx.Report(kUnsupportedFeature, where,
               "QueryLanguage 'JSONata' is not supported yet; write this "
               "definition in JSONPath mode (omit QueryLanguage).");
    return;
  }
  ctx.Report(kSchema, where,
             fmt::format("QueryLanguage must be 'JSONPath' or 'JSONata', not "
                         "{}.",
                         it->dump()));
}

}  // namespace mlflowctl::asl::internal
