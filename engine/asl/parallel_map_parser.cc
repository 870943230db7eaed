// The fields of Parallel (Branches) and Map (inline: ItemProcessor or the
// legacy Iterator, ItemsPath, ItemSelector or the legacy Parameters,
// MaxConcurrency, ToleratedFailure*). Each branch and item processor is a
// machine of its own; Distributed Map is reported as not supported.
#include <fmt/format.h>

#include <limits>

#include "engine/asl/internal/build_context.h"
#include "engine/asl/json_locations.h"

namespace mlflowctl::asl::internal {

namespace {

void CheckProcessorConfig(const Json& processor, const std::string& pointer,
                          BuildContext& ctx, State& out) {
  auto it = processor.find("ProcessorConfig");
  if (it == processor.end()) return;
  std::string where = AppendPointer(pointer, "ProcessorConfig");
  if (!it->is_object()) {
    ctx.Report(kSchema, where,
               fmt::format("'ProcessorConfig' must be an object, not {}.",
                           TypeName(*it)));
    return;
  }
  CheckAllowedFields(*it, where, {"Mode", "ExecutionType"}, "ProcessorConfig",
                     ctx);
  if (std::optional<std::string> mode = ReadString(*it, "Mode", where, ctx)) {
    if (*mode == "INLINE" || *mode == "DISTRIBUTED") {
      // A Distributed Map runs its child workflows in this process, like an
      // inline one; its ItemReader/ResultWriter/ItemBatcher are reported
      // separately as unsupported.
      out.item_processor_mode = *mode;
    } else {
      ctx.Report(kSchema, AppendPointer(where, "Mode"),
                 fmt::format("Mode must be \"INLINE\" or \"DISTRIBUTED\", not "
                             "\"{}\".",
                             *mode));
    }
  }
  if (std::optional<std::string> type =
          ReadString(*it, "ExecutionType", where, ctx);
      type && *type != "STANDARD" && *type != "EXPRESS") {
    ctx.Report(kSchema, AppendPointer(where, "ExecutionType"),
               fmt::format("ExecutionType must be \"STANDARD\" or \"EXPRESS\", "
                           "not \"{}\".",
                           *type));
  }
}

}  // namespace

void ParseParallelFields(const Json& def, const std::string& pointer,
                         BuildContext& ctx, State& out) {
  auto it = def.find("Branches");
  std::string where = AppendPointer(pointer, "Branches");
  if (it == def.end()) {
    ctx.Report(kSchema, pointer,
               "A Parallel state needs 'Branches', a non-empty array of "
               "machines ({\"StartAt\": ..., \"States\": {...}}).");
    return;
  }
  if (!it->is_array() || it->empty()) {
    ctx.Report(kSchema, where,
               fmt::format("'Branches' must be a non-empty array; got {}.",
                           it->is_array() ? "an empty array" : TypeName(*it)));
    return;
  }
  for (size_t i = 0; i < it->size(); ++i) {
    out.branches.push_back(BuildMachine((*it)[i],
                                        AppendPointer(where, std::to_string(i)),
                                        MachineKind::kBranch, ctx));
  }
}

void ParseMapFields(const Json& def, const std::string& pointer,
                    BuildContext& ctx, State& out) {
  bool has_processor = def.contains("ItemProcessor");
  bool has_iterator = def.contains("Iterator");
  if (has_processor && has_iterator) {
    ctx.Report(kSchema, AppendPointer(pointer, "Iterator"),
               "A Map state cannot have both 'ItemProcessor' and its legacy "
               "name 'Iterator'; keep 'ItemProcessor'.");
  } else if (!has_processor && !has_iterator) {
    ctx.Report(kSchema, pointer,
               "A Map state needs 'ItemProcessor' (or the legacy "
               "'Iterator'): the machine run for each item.");
  } else {
    const char* field = has_processor ? "ItemProcessor" : "Iterator";
    std::string where = AppendPointer(pointer, field);
    const Json& processor = def.at(field);
    if (processor.is_object()) CheckProcessorConfig(processor, where, ctx, out);
    out.item_processor =
        BuildMachine(processor, where, MachineKind::kItemProcessor, ctx);
  }

  out.items_path = ReadPath(def, "ItemsPath", pointer, true, ctx);
  // Parameters is the legacy name of ItemSelector.
  if (def.contains("ItemSelector") && def.contains("Parameters")) {
    ctx.Report(kSchema, AppendPointer(pointer, "Parameters"),
               "A Map state cannot have both 'ItemSelector' and its legacy "
               "name 'Parameters'; keep 'ItemSelector'.");
  } else {
    out.parameters = ReadTemplate(
        def, def.contains("ItemSelector") ? "ItemSelector" : "Parameters",
        pointer, ctx);
  }

  out.max_concurrency =
      ReadIntOrPath(def, "MaxConcurrency", "MaxConcurrencyPath", pointer, 0,
                    std::numeric_limits<int64_t>::max(), ctx);
  out.tolerated_failure_count =
      ReadIntOrPath(def, "ToleratedFailureCount", "ToleratedFailureCountPath",
                    pointer, 0, std::numeric_limits<int64_t>::max(), ctx);
  if (def.contains("ToleratedFailurePercentage") &&
      def.contains("ToleratedFailurePercentagePath")) {
    ctx.Report(kSchema,
               AppendPointer(pointer, "ToleratedFailurePercentagePath"),
               "'ToleratedFailurePercentage' and "
               "'ToleratedFailurePercentagePath' cannot both be set; keep "
               "one.");
  } else {
    out.tolerated_failure_percentage.value =
        ReadNumber(def, "ToleratedFailurePercentage", pointer, 0.0, 100.0, ctx);
    out.tolerated_failure_percentage.path =
        ReadPath(def, "ToleratedFailurePercentagePath", pointer, true, ctx);
  }
  (void)ReadString(def, "Label", pointer, ctx);

  for (const char* field : {"ItemReader", "ResultWriter", "ItemBatcher"}) {
    if (def.contains(field)) {
      ctx.Report(kUnsupportedFeature, AppendPointer(pointer, field),
                 fmt::format("'{}' belongs to Distributed Map, which is not "
                             "supported locally; pass the items in the state "
                             "input and use ItemsPath.",
                             field));
    }
  }
}

}  // namespace mlflowctl::asl::internal
