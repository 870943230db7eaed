#include "steps/ml/endpoint_predictor.h"

#include <cctype>
#include <charconv>
#include <filesystem>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "engine/base/status_macros.h"
#include "steps/ml/csv.h"

namespace mlflowctl::ml {
namespace {

namespace fs = std::filesystem;

bool IsFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// Where the preprocess manifest of the model's training data is, or "".
std::string FindManifest(const std::string& model_dir,
                         const ModelMetadata& metadata,
                         const EndpointPredictor::UriResolver& resolve) {
  const Json& extra = metadata.extra;
  for (const char* key : {"manifest_uri", "ManifestUri"}) {
    if (extra.contains(key) && extra[key].is_string()) {
      return resolve(extra[key].get<std::string>());
    }
  }
  if (extra.contains("data") && extra["data"].is_object() &&
      extra["data"].contains("train") && extra["data"]["train"].is_string()) {
    fs::path train = resolve(extra["data"]["train"].get<std::string>());
    std::error_code ec;
    // A channel is a file, or a directory of files (an S3 prefix).
    for (const fs::path& dir :
         {fs::is_directory(train, ec) ? train : train.parent_path(),
          train.parent_path()}) {
      if (IsFile(dir / "manifest.json")) return (dir / "manifest.json").string();
    }
  }
  fs::path beside = fs::path(model_dir) / "manifest.json";
  if (IsFile(beside)) return beside.string();
  return "";
}

std::string Trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Appends `p` and a line break, as FormatDouble writes it.
void AppendScoreLine(double p, std::string* out) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, p);
  (void)ec;  // 64 bytes always hold the shortest form of a double
  out->append(buf, end);
  out->push_back('\n');
}

// A JSON scalar as the text a CSV field would hold; nullopt for other types.
std::optional<std::string> ScalarText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return FormatDouble(v.get<double>());
  return std::nullopt;
}

}  // namespace

std::string MediaType(std::string_view content_type) {
  std::string type = Trim(content_type.substr(0, content_type.find(';')));
  for (char& c : type) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return type;
}

StatusOr<std::unique_ptr<EndpointPredictor>> EndpointPredictor::Load(
    const std::string& model_dir, const UriResolver& resolve) {
  std::unique_ptr<EndpointPredictor> p(new EndpointPredictor());
  MLF_ASSIGN_OR_RETURN(p->model_, Model::Load(model_dir));
  const ModelMetadata& meta = p->model_->metadata();
  std::string manifest = FindManifest(model_dir, meta, resolve);
  if (manifest.empty()) return p;
  // A manifest without raw columns (only "features") cannot encode records.
  StatusOr<Json> manifest_json = ParseJsonFile(manifest);
  if (manifest_json.ok() && !manifest_json->contains("columns")) return p;
  StatusOr<Encoder> encoder = Encoder::FromManifestFile(manifest);
  if (!encoder.ok()) {
    return InvalidArgumentError(fmt::format(
        "the model's manifest {}: {}", manifest, encoder.status().message()));
  }
  if (encoder->feature_count() != p->model_->feature_count() ||
      (!meta.features.empty() && meta.features != encoder->features())) {
    return InvalidArgumentError(fmt::format(
        "the manifest {} defines {} features that are not the model's {}",
        manifest, encoder->feature_count(), p->model_->feature_count()));
  }
  p->encoder_.emplace(std::move(*encoder));
  p->manifest_path_ = manifest;
  return p;
}

std::string EndpointPredictor::ExpectedShape() const {
  std::string shape =
      fmt::format("the model expects {} features", model_->feature_count());
  if (encoder_) {
    shape += fmt::format(" or {} raw columns (", encoder_->columns().size());
    for (std::size_t i = 0; i < encoder_->columns().size(); ++i) {
      shape += (i == 0 ? "" : ",") + encoder_->columns()[i].name;
    }
    shape += ")";
  }
  return shape;
}

Status EndpointPredictor::AppendValues(const std::vector<std::string>& values,
                                       std::size_t row,
                                       std::vector<double>* out) const {
  const std::size_t n = model_->feature_count();
  const std::size_t start = out->size();
  if (values.size() == n) {
    out->resize(start + n);
    for (std::size_t c = 0; c < n; ++c) {
      if (!ParseDouble(values[c], &(*out)[start + c])) {
        out->resize(start);
        return InvalidArgumentError(
            fmt::format("row {}, column {}: '{}' is not a number", row, c + 1,
                        values[c]));
      }
    }
    return Status::Ok();
  }
  if (encoder_ && values.size() == encoder_->columns().size()) {
    std::vector<std::string_view> views(values.begin(), values.end());
    out->resize(start + n);
    Status s = encoder_->EncodeValues(views, out->data() + start);
    if (!s.ok()) {
      out->resize(start);
      return InvalidArgumentError(fmt::format("row {}: {}", row, s.message()));
    }
    return Status::Ok();
  }
  return InvalidArgumentError(fmt::format("row {} has {} values; {}", row,
                                          values.size(), ExpectedShape()));
}

Status EndpointPredictor::AppendJsonInstance(const Json& instance,
                                             std::size_t row,
                                             std::vector<double>* out) const {
  const Json* values = &instance;
  if (instance.is_object() && instance.contains("features")) {
    values = &instance["features"];
  }
  if (values->is_array()) {
    std::vector<std::string> texts;
    for (const Json& v : *values) {
      std::optional<std::string> text = ScalarText(v);
      if (!text) {
        return InvalidArgumentError(fmt::format(
            "row {}: {} is not a number or a string", row, DumpJson(v)));
      }
      texts.push_back(std::move(*text));
    }
    return AppendValues(texts, row, out);
  }
  if (!instance.is_object()) {
    return InvalidArgumentError(fmt::format(
        "row {}: an instance is an array of feature values, "
        "{{\"features\": [...]}} or a record of raw columns, not {}",
        row, DumpJson(instance)));
  }
  if (!encoder_) {
    return InvalidArgumentError(fmt::format(
        "row {}: a record of raw columns needs the preprocess manifest, and "
        "none was found for this model; send feature values instead",
        row));
  }
  Record record;
  for (auto it = instance.begin(); it != instance.end(); ++it) {
    std::optional<std::string> text = ScalarText(it.value());
    if (text) record[it.key()] = std::move(*text);
  }
  std::vector<double> features;
  Status s = encoder_->Encode(record, &features);
  if (!s.ok()) {
    return InvalidArgumentError(fmt::format("row {}: {}", row, s.message()));
  }
  out->insert(out->end(), features.begin(), features.end());
  return Status::Ok();
}

bool EndpointPredictor::ParsePlainCsv(std::string_view body,
                                      std::vector<double>* out,
                                      std::size_t* rows) const {
  // What ParseCsv reads the same way: no byte-order mark, no quotes; empty
  // lines skipped; records end at LF or CRLF.
  if (body.substr(0, 3) == "\xEF\xBB\xBF" ||
      body.find('"') != std::string_view::npos) {
    return false;
  }
  const std::size_t n = model_->feature_count();
  std::size_t count = 0;
  std::size_t pos = 0;
  while (pos < body.size()) {
    if (body[pos] == '\n') {
      ++pos;
      continue;
    }
    if (body.substr(pos, 2) == "\r\n") {
      pos += 2;
      continue;
    }
    std::size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) end = body.size();
    std::size_t next = end == body.size() ? end : end + 1;
    if (end < body.size() && end > pos && body[end - 1] == '\r') --end;
    std::string_view line = body.substr(pos, end - pos);
    pos = next;
    std::size_t fields = 0;
    while (true) {
      const std::size_t comma = line.find(',');
      double v = 0;
      if (fields == n || !ParseDouble(line.substr(0, comma), &v)) return false;
      out->push_back(v);
      ++fields;
      if (comma == std::string_view::npos) break;
      line.remove_prefix(comma + 1);
    }
    if (fields != n) return false;
    ++count;
  }
  if (count == 0) return false;
  *rows = count;
  return true;
}

StatusOr<std::vector<double>> EndpointPredictor::ParseCsvBody(
    std::string_view body, std::size_t* rows) const {
  std::vector<double> plain;
  plain.reserve(model_->feature_count());
  if (ParsePlainCsv(body, &plain, rows)) return plain;
  CsvOptions options;
  options.has_header = false;
  StatusOr<CsvTable> table = ParseCsv(body, "request body", options);
  if (!table.ok()) return table.status();
  if (table->rows.empty()) {
    return InvalidArgumentError("the request body has no records");
  }
  std::vector<double> out;
  for (std::size_t r = 0; r < table->rows.size(); ++r) {
    MLF_RETURN_IF_ERROR(AppendValues(table->rows[r], r + 1, &out));
  }
  *rows = table->rows.size();
  return out;
}

StatusOr<std::vector<double>> EndpointPredictor::ParseJsonBody(
    std::string_view body, std::size_t* rows) const {
  MLF_ASSIGN_OR_RETURN(Json j, ParseJson(body, "request body"));
  const Json* instances = &j;
  Json single = Json::array();
  if (j.is_object() && j.contains("instances")) {
    instances = &j["instances"];
  } else if (j.is_object()) {
    single.push_back(j);  // one instance: {"features": [...]} or a record
    instances = &single;
  }
  if (!instances->is_array() || instances->empty()) {
    return InvalidArgumentError(
        "the request body has no instances (expected {\"instances\": [...]})");
  }
  std::vector<double> out;
  for (std::size_t r = 0; r < instances->size(); ++r) {
    MLF_RETURN_IF_ERROR(AppendJsonInstance((*instances)[r], r + 1, &out));
  }
  *rows = instances->size();
  return out;
}

StatusOr<std::vector<double>> EndpointPredictor::ParseJsonLinesBody(
    std::string_view body, std::size_t* rows) const {
  std::vector<double> out;
  std::size_t row = 0;
  while (!body.empty()) {
    std::size_t end = body.find('\n');
    std::string line = Trim(body.substr(0, end));
    body.remove_prefix(end == std::string_view::npos ? body.size() : end + 1);
    if (line.empty()) continue;
    ++row;
    StatusOr<Json> instance = ParseJson(line, fmt::format("row {}", row));
    if (!instance.ok()) return instance.status();
    MLF_RETURN_IF_ERROR(AppendJsonInstance(*instance, row, &out));
  }
  if (row == 0) return InvalidArgumentError("the request body has no records");
  *rows = row;
  return out;
}

StatusOr<EndpointPredictor::Response> EndpointPredictor::Invoke(
    std::string_view body, std::string_view content_type) const {
  const std::string type = MediaType(content_type);
  std::size_t rows = 0;
  StatusOr<std::vector<double>> matrix = InvalidArgumentError("");
  if (type == "text/csv") {
    matrix = ParseCsvBody(body, &rows);
  } else if (type == "application/json") {
    matrix = ParseJsonBody(body, &rows);
  } else if (type == "application/jsonlines") {
    matrix = ParseJsonLinesBody(body, &rows);
  } else {
    return InvalidArgumentError(fmt::format(
        "content type '{}' is not supported (text/csv, application/json, "
        "application/jsonlines)",
        content_type));
  }
  if (!matrix.ok()) return matrix.status();
  MLF_ASSIGN_OR_RETURN(
      std::vector<double> predictions,
      model_->Predict(*matrix, rows, model_->feature_count()));
  Response response;
  response.content_type = type;
  if (type == "text/csv") {
    for (double p : predictions) AppendScoreLine(p, &response.body);
  } else if (type == "application/json") {
    Json list = Json::array();
    for (double p : predictions) list.push_back({{"score", p}});
    response.body = DumpJson(Json{{"predictions", list}});
  } else {
    for (double p : predictions) {
      response.body += DumpJson(Json{{"score", p}}) + "\n";
    }
  }
  return response;
}

}  // namespace mlflowctl::ml
