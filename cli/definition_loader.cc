#include "cli/definition_loader.h"

#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "engine/base/json_util.h"

namespace mlflowctl::cli {

LoadedDefinition LoadDefinition(const std::string& path) {
  LoadedDefinition out;
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    out.read_error = text.status();
    return out;
  }
  if (text->size() > kMaxDefinitionBytes) {
    out.read_error = InvalidArgumentError(
        fmt::format("{}: the definition is {} bytes; the limit is {} bytes (1 MiB)", path,
                    text->size(), kMaxDefinitionBytes));
    return out;
  }
  out.text = std::move(*text);
  out.result = asl::Parse(out.text);
  return out;
}

void PrintDiagnostics(const std::string& path, const asl::ParseResult& result) {
  for (const asl::Diagnostic& d : result.diagnostics) {
    std::cerr << d.ToString(path) << "\n";
  }
  if (!result.ok()) {
    std::cerr << fmt::format("{}: {} problem{} found; the definition is not valid\n", path,
                             result.diagnostics.size(),
                             result.diagnostics.size() == 1 ? "" : "s");
  }
}

std::string MachineNameFromPath(const std::string& path) {
  std::string stem = std::filesystem::path(path).stem().string();
  std::string name;
  for (char c : stem) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    name += ok ? c : '-';
  }
  if (name.empty()) name = "machine";
  return name.substr(0, 80);
}

}  // namespace mlflowctl::cli
