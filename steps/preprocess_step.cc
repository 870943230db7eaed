#include "steps/preprocess_step.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "steps/ml/csv.h"
#include "steps/ml/dataset.h"
#include "steps/ml/encoder.h"
#include "steps/step_errors.h"

namespace mlflowctl::steps {

namespace {


struct PreprocessParams {
  std::string input_uri;
  std::string target;
  std::string output_uri;
  ml::SplitRatios ratios;
  uint64_t seed = 42;
  std::optional<std::vector<std::string>> categorical;
  std::vector<std::string> drop;
};

Error InvalidPreprocess(std::string cause) {
  return Error{kInvalidParameters, "mlflowctl:preprocess: " + std::move(cause)};
}

// The execution's name: the last field of its ARN
// (arn:aws:states:<region>:<account>:execution:<machine>:<name>).
std::string PreprocessExecutionName(const std::string& arn) {
  std::size_t colon = arn.rfind(':');
  std::string name = colon == std::string::npos ? arn : arn.substr(colon + 1);
  return name.empty() ? "local" : name;
}

std::optional<Error> ReadStringList(const Json& in, const char* key,
                                    std::vector<std::string>* out) {
  const Json& v = in[key];
  if (!v.is_array()) return InvalidPreprocess(fmt::format("{} must be an array of column names", key));
  for (const Json& e : v) {
    if (!e.is_string()) return InvalidPreprocess(fmt::format("{} must be an array of column names", key));
    out->push_back(e.get<std::string>());
  }
  return std::nullopt;
}

std::optional<Error> ReadRatios(const Json& v, ml::SplitRatios* ratios) {
  if (!v.is_object()) {
    return InvalidPreprocess(
        "Ratios must be an object like {\"train\": 0.7, \"validation\": 0.15, "
        "\"test\": 0.15}");
  }
  *ratios = ml::SplitRatios{0, 0, 0};
  for (auto it = v.begin(); it != v.end(); ++it) {
    double* slot = it.key() == "train"        ? &ratios->train
                   : it.key() == "validation" ? &ratios->validation
                   : it.key() == "test"       ? &ratios->test
                                              : nullptr;
    if (slot == nullptr) {
      return InvalidPreprocess(fmt::format(
          "Ratios has an unknown key '{}' (expected train, validation, test)", it.key()));
    }
    if (!it.value().is_number()) {
      return InvalidPreprocess(fmt::format("Ratios.{} must be a number", it.key()));
    }
    *slot = it.value().get<double>();
  }
  return std::nullopt;
}

std::optional<Error> ParseParams(const runtime::TaskRequest& request, PreprocessParams* p) {
  const Json& in = request.input;
  if (!in.is_object()) return InvalidPreprocess("the input must be an object");
  for (const char* key : {"InputUri", "Target"}) {
    if (!in.contains(key) || !in[key].is_string() || in[key].get<std::string>().empty()) {
      return InvalidPreprocess(fmt::format("{} is required (a non-empty string)", key));
    }
  }
  p->input_uri = in["InputUri"].get<std::string>();
  p->target = in["Target"].get<std::string>();
  if (in.contains("OutputUri")) {
    if (!in["OutputUri"].is_string() || in["OutputUri"].get<std::string>().empty()) {
      return InvalidPreprocess("OutputUri must be a non-empty string");
    }
    p->output_uri = in["OutputUri"].get<std::string>();
  } else {
    p->output_uri =
        "s3://mlflowctl/executions/" + PreprocessExecutionName(request.execution_arn) + "/preprocess";
  }
  while (p->output_uri.size() > 1 && p->output_uri.back() == '/') p->output_uri.pop_back();
  if (in.contains("Ratios")) {
    if (auto e = ReadRatios(in["Ratios"], &p->ratios)) return e;
  }
  if (in.contains("Seed")) {
    const Json& seed = in["Seed"];
    if (seed.is_number_unsigned()) {
      p->seed = seed.get<uint64_t>();
    } else if (seed.is_number_integer() && seed.get<int64_t>() >= 0) {
      p->seed = static_cast<uint64_t>(seed.get<int64_t>());
    } else {
      return InvalidPreprocess("Seed must be an integer >= 0");
    }
  }
  if (in.contains("Categorical")) {
    p->categorical.emplace();
    if (auto e = ReadStringList(in, "Categorical", &*p->categorical)) return e;
  }
  if (in.contains("Drop")) {
    if (auto e = ReadStringList(in, "Drop", &p->drop)) return e;
  }
  if (std::find(p->drop.begin(), p->drop.end(), p->target) != p->drop.end()) {
    return InvalidPreprocess(fmt::format("the target '{}' cannot be dropped", p->target));
  }
  if (p->categorical && std::find(p->categorical->begin(), p->categorical->end(), p->target) !=
                            p->categorical->end()) {
    return InvalidPreprocess(fmt::format("the target '{}' must be numeric, not categorical", p->target));
  }
  return std::nullopt;
}

// Reads the CSV and types its columns. The target must be a numeric column.
std::variant<ml::Dataset, Error> LoadDataset(const PreprocessParams& p, const std::string& path) {
  StatusOr<ml::CsvTable> table = ml::ReadCsvFile(path);
  if (!table.ok()) {
    bool missing = table.status().code() == StatusCode::kNotFound;
    return Error{missing ? kInputNotFound : kInvalidCsv,
                 missing ? fmt::format("cannot read InputUri '{}' ({}): {}", p.input_uri, path,
                                       table.status().message())
                         : table.status().message()};
  }
  if (std::find(table->header.begin(), table->header.end(), p.target) == table->header.end()) {
    return Error{kSchemaMismatch, fmt::format("{}: target column '{}' is not in the header ({})",
                                              path, p.target, fmt::join(table->header, ", "))};
  }
  ml::SchemaOptions schema;
  schema.drop = p.drop;
  schema.numeric = {p.target};
  if (p.categorical) {
    schema.categorical = *p.categorical;
    schema.others_numeric = true;
  }
  StatusOr<ml::Dataset> ds = ml::Dataset::FromCsv(*table, schema);
  if (!ds.ok()) return Error{kSchemaMismatch, ds.status().message()};
  return std::move(ds).value();
}

// The rows of `order[begin, end)` as training-format CSV: target, features.
std::string SplitCsv(const std::vector<double>& labels, const std::vector<double>& features,
                     std::size_t width, const std::vector<std::size_t>& order, std::size_t begin,
                     std::size_t end) {
  std::string out;
  std::vector<double> row(width + 1);
  for (std::size_t i = begin; i < end; ++i) {
    std::size_t r = order[i];
    row[0] = labels[r];
    std::copy_n(features.begin() + static_cast<std::ptrdiff_t>(r * width), width, row.begin() + 1);
    ml::AppendNumericCsvRow(row.data(), row.size(), &out);
  }
  return out;
}

}  // namespace

runtime::StepResult PreprocessStep::Invoke(const runtime::TaskRequest& request) {
  PreprocessParams p;
  if (auto e = ParseParams(request, &p)) return *e;
  const std::string input_path = ResolveUri(env_, p.input_uri);
  auto loaded = LoadDataset(p, input_path);
  if (auto* e = std::get_if<Error>(&loaded)) return *e;
  const ml::Dataset& ds = std::get<ml::Dataset>(loaded);

  StatusOr<ml::SplitSizes> sizes = ml::ComputeSplitSizes(ds.num_rows(), p.ratios);
  if (!sizes.ok()) {
    bool too_few = sizes.status().code() == StatusCode::kFailedPrecondition;
    return Error{too_few ? kNotEnoughRows : kInvalidParameters,
                 fmt::format("{}: {}", input_path, sizes.status().message())};
  }
  StatusOr<ml::Encoder> encoder = ml::Encoder::FromDataset(ds, p.target);
  if (!encoder.ok()) return Error{kSchemaMismatch, encoder.status().message()};
  StatusOr<std::vector<double>> features = encoder->EncodeDataset(ds);
  if (!features.ok()) return Error{kSchemaMismatch, features.status().message()};
  const std::vector<double>& labels = ds.column(*ds.FindColumn(p.target)).numbers;
  const std::size_t width = encoder->feature_count();
  const std::vector<std::size_t> order = ml::ShuffledRowOrder(ds.num_rows(), p.seed);

  const std::size_t ends[] = {sizes->train, sizes->train + sizes->validation, ds.num_rows()};
  const char* names[] = {"train", "validation", "test"};
  const char* keys[] = {"TrainUri", "ValidationUri", "TestUri"};
  Json result = Json::object();
  std::size_t begin = 0;
  for (int i = 0; i < 3; ++i) {
    if (request.cancelled->load()) {
      return Error{error_names::kTaskFailed, "mlflowctl:preprocess was cancelled"};
    }
    std::string uri = fmt::format("{}/{}.csv", p.output_uri, names[i]);
    Status s = ml::WriteFileAtomically(ResolveUri(env_, uri),
                                       SplitCsv(labels, *features, width, order, begin, ends[i]));
    if (!s.ok()) return Error{kOutputFailed, s.message()};
    begin = ends[i];
    result[keys[i]] = uri;
  }

  Json rows = {{"train", sizes->train}, {"validation", sizes->validation}, {"test", sizes->test}};
  Json manifest = encoder->ToManifest();
  manifest["source"] = p.input_uri;
  manifest["seed"] = p.seed;
  manifest["ratios"] = {
      {"train", p.ratios.train}, {"validation", p.ratios.validation}, {"test", p.ratios.test}};
  manifest["rows"] = rows;
  // Written last: a reader that finds the manifest finds the splits too.
  std::string manifest_uri = p.output_uri + "/manifest.json";
  Status s =
      ml::WriteFileAtomically(ResolveUri(env_, manifest_uri),
                              manifest.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
  if (!s.ok()) return Error{kOutputFailed, s.message()};

  result["ManifestUri"] = manifest_uri;
  result["OutputUri"] = p.output_uri;
  result["Rows"] = std::move(rows);
  result["Features"] = encoder->features();
  result["Target"] = p.target;
  return result;
}

}  // namespace mlflowctl::steps
