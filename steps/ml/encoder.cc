#include "steps/ml/encoder.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "steps/ml/csv.h"

namespace mlflowctl::ml {

StatusOr<Encoder> Encoder::Create(std::string target, std::vector<EncoderColumn> columns) {
  Encoder enc;
  enc.target_ = std::move(target);
  std::set<std::string> names;
  for (EncoderColumn& col : columns) {
    if (col.name.empty()) return InvalidArgumentError("encoder column with an empty name");
    if (col.name == enc.target_) {
      return InvalidArgumentError(
          fmt::format("column '{}' is the target and cannot be a feature", col.name));
    }
    if (!names.insert(col.name).second) {
      return InvalidArgumentError(fmt::format("column '{}' appears more than once", col.name));
    }
    if (col.type == ColumnType::kCategorical) {
      std::sort(col.categories.begin(), col.categories.end());
      col.categories.erase(std::unique(col.categories.begin(), col.categories.end()),
                           col.categories.end());
    } else {
      col.categories.clear();
    }
  }
  enc.columns_ = std::move(columns);
  enc.offsets_.resize(enc.columns_.size());
  // Numeric columns first, then the one-hot blocks, each group in source order.
  for (std::size_t c = 0; c < enc.columns_.size(); ++c) {
    if (enc.columns_[c].type != ColumnType::kNumeric) continue;
    enc.offsets_[c] = enc.features_.size();
    enc.features_.push_back(enc.columns_[c].name);
  }
  for (std::size_t c = 0; c < enc.columns_.size(); ++c) {
    if (enc.columns_[c].type != ColumnType::kCategorical) continue;
    enc.offsets_[c] = enc.features_.size();
    for (const std::string& cat : enc.columns_[c].categories) {
      enc.features_.push_back(enc.columns_[c].name + "=" + cat);
    }
  }
  return enc;
}

StatusOr<Encoder> Encoder::FromDataset(const Dataset& dataset, const std::string& target) {
  std::vector<EncoderColumn> columns;
  for (const DatasetColumn& dc : dataset.columns()) {
    if (dc.name == target) continue;
    EncoderColumn col{dc.name, dc.type, {}};
    if (dc.type == ColumnType::kCategorical) col.categories = dc.strings;
    columns.push_back(std::move(col));
  }
  return Create(target, std::move(columns));
}

StatusOr<Encoder> Encoder::FromManifest(const Json& manifest) {
  if (!manifest.is_object()) return InvalidArgumentError("manifest: not a JSON object");
  if (!manifest.contains("target") || !manifest["target"].is_string()) {
    return InvalidArgumentError("manifest: 'target' must be a string");
  }
  if (!manifest.contains("columns") || !manifest["columns"].is_array()) {
    return InvalidArgumentError("manifest: 'columns' must be an array");
  }
  std::vector<EncoderColumn> columns;
  const Json& cols = manifest["columns"];
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const Json& c = cols[i];
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string()) {
      return InvalidArgumentError(fmt::format("manifest: columns[{}].name must be a string", i));
    }
    EncoderColumn col;
    col.name = c["name"].get<std::string>();
    std::string type =
        c.contains("type") && c["type"].is_string() ? c["type"].get<std::string>() : std::string();
    if (type == "numeric") {
      col.type = ColumnType::kNumeric;
    } else if (type == "categorical") {
      col.type = ColumnType::kCategorical;
      if (!c.contains("categories") || !c["categories"].is_array()) {
        return InvalidArgumentError(
            fmt::format("manifest: columns[{}].categories must be an array", i));
      }
      for (const Json& cat : c["categories"]) {
        if (!cat.is_string()) {
          return InvalidArgumentError(
              fmt::format("manifest: columns[{}].categories must hold strings", i));
        }
        if (!col.categories.empty() && !(col.categories.back() < cat.get<std::string>())) {
          return InvalidArgumentError(
              fmt::format("manifest: columns[{}].categories must be sorted and distinct", i));
        }
        col.categories.push_back(cat.get<std::string>());
      }
    } else {
      return InvalidArgumentError(
          fmt::format("manifest: columns[{}].type must be \"numeric\" or \"categorical\"", i));
    }
    columns.push_back(std::move(col));
  }
  StatusOr<Encoder> enc = Create(manifest["target"].get<std::string>(), std::move(columns));
  if (!enc.ok()) return enc.status().WithContext("manifest");
  if (manifest.contains("features")) {
    const Json& features = manifest["features"];
    if (!features.is_array() || features != Json(enc->features())) {
      return InvalidArgumentError(
          "manifest: 'features' does not match the "
          "features its 'columns' define");
    }
  }
  return enc;
}

StatusOr<Encoder> Encoder::FromManifestFile(const std::string& path) {
  StatusOr<Json> manifest = ParseJsonFile(path);
  if (!manifest.ok()) return manifest.status();
  StatusOr<Encoder> enc = FromManifest(*manifest);
  if (!enc.ok()) return enc.status().WithContext(path);
  return enc;
}

Json Encoder::ToManifest() const {
  Json columns = Json::array();
  for (const EncoderColumn& col : columns_) {
    Json c = {{"name", col.name}, {"type", ColumnTypeName(col.type)}};
    if (col.type == ColumnType::kCategorical) c["categories"] = col.categories;
    columns.push_back(std::move(c));
  }
  return Json{{"target", target_}, {"features", features_}, {"columns", std::move(columns)}};
}

Status Encoder::EncodeOne(std::size_t c, std::string_view text, double* out) const {
  const EncoderColumn& col = columns_[c];
  if (col.type == ColumnType::kNumeric) {
    if (!ParseDouble(text, out + offsets_[c])) {
      return InvalidArgumentError(fmt::format("column '{}': '{}' is not a number", col.name, text));
    }
    return Status::Ok();
  }
  auto it = std::lower_bound(col.categories.begin(), col.categories.end(), text);
  if (it != col.categories.end() && *it == text) {
    out[offsets_[c] + static_cast<std::size_t>(it - col.categories.begin())] = 1.0;
  }
  return Status::Ok();
}

Status Encoder::Encode(const Record& record, std::vector<double>* out) const {
  out->assign(features_.size(), 0.0);
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    auto it = record.find(columns_[c].name);
    if (it == record.end()) {
      if (columns_[c].type == ColumnType::kNumeric) {
        return InvalidArgumentError(
            fmt::format("record has no value for numeric column '{}'", columns_[c].name));
      }
      continue;
    }
    Status s = EncodeOne(c, it->second, out->data());
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status Encoder::EncodeValues(const std::vector<std::string_view>& values, double* out) const {
  if (values.size() != columns_.size()) {
    return InvalidArgumentError(fmt::format("expected {} values (one per input column), got {}",
                                            columns_.size(), values.size()));
  }
  std::fill(out, out + features_.size(), 0.0);
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    Status s = EncodeOne(c, values[c], out);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<std::vector<double>> Encoder::EncodeDataset(const Dataset& dataset) const {
  std::vector<std::size_t> source(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    std::optional<std::size_t> idx = dataset.FindColumn(columns_[c].name);
    if (!idx) {
      return InvalidArgumentError(
          fmt::format("{}: no column '{}'", dataset.source(), columns_[c].name));
    }
    source[c] = *idx;
  }
  const std::size_t n = dataset.num_rows(), width = features_.size();
  std::vector<double> out(n * width, 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    double* row = out.data() + r * width;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      const DatasetColumn& dc = dataset.column(source[c]);
      if (columns_[c].type == ColumnType::kNumeric && dc.type == ColumnType::kNumeric) {
        row[offsets_[c]] = dc.numbers[r];
        continue;
      }
      Status s = EncodeOne(c, dataset.CellText(r, source[c]), row);
      if (!s.ok()) return s.WithContext(fmt::format("{}:{}", dataset.source(), dataset.line(r)));
    }
  }
  return out;
}

}  // namespace mlflowctl::ml
