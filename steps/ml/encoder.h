// Encoder: turns a raw record (column name -> text) into the model's feature
// vector, as manifest.json describes it. Features are the numeric columns in
// source order, then for each categorical column (in source order) one
// one-hot feature per category, named "<column>=<category>", categories
// sorted byte-wise. A category not in the vocabulary encodes as all zeros.
// Preprocessing builds the encoder from its input data; scoring loads it
// from the manifest, so both encode the same way. Immutable once built;
// thread-safe to share.
#ifndef MLFLOWCTL_STEPS_ML_ENCODER_H_
#define MLFLOWCTL_STEPS_ML_ENCODER_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/base/status_or.h"
#include "steps/ml/dataset.h"

namespace mlflowctl::ml {

// One raw input column (the manifest's "columns" entries).
struct EncoderColumn {
  std::string name;
  ColumnType type = ColumnType::kNumeric;
  std::vector<std::string> categories;  // kCategorical: sorted, distinct
};

// A raw record: column name -> text. Names the encoder does not know (an
// id, the target) are ignored.
using Record = std::map<std::string, std::string, std::less<>>;

class Encoder {
 public:
  // From `columns` (source order; categories are sorted and de-duplicated
  // here). kInvalidArgument if a name is empty or repeated, or equals `target`.
  static StatusOr<Encoder> Create(std::string target, std::vector<EncoderColumn> columns);

  // Every column of `dataset` except `target`, with the categories seen in
  // the data. kInvalidArgument as Create.
  static StatusOr<Encoder> FromDataset(const Dataset& dataset, const std::string& target);

  // From a parsed manifest.json ({"target", "columns", "features"}).
  // kInvalidArgument naming the member when a member is missing or has the
  // wrong type, a type is not "numeric"/"categorical", categories are not
  // sorted and distinct, or "features" (when present) differs from the
  // features the columns define.
  static StatusOr<Encoder> FromManifest(const Json& manifest);
  // Reads and parses `path` first: kNotFound if it cannot be read.
  static StatusOr<Encoder> FromManifestFile(const std::string& path);

  const std::string& target() const { return target_; }
  const std::vector<EncoderColumn>& columns() const { return columns_; }
  const std::vector<std::string>& features() const { return features_; }
  std::size_t feature_count() const { return features_.size(); }

  // {"target", "features", "columns"} in the manifest's shape.
  Json ToManifest() const;

  // Encodes one record into `out` (resized to feature_count()). A missing
  // categorical column encodes as zeros, like an unseen category.
  // kInvalidArgument: "record has no value for numeric column 'Mileage'" or
  // "column 'Mileage': 'abc' is not a number".
  Status Encode(const Record& record, std::vector<double>* out) const;

  // Encodes raw values given in columns() order (`values.size()` must equal
  // columns().size()) into out[0 .. feature_count()). kInvalidArgument on a
  // wrong count or a value of a numeric column that is not a number.
  Status EncodeValues(const std::vector<std::string_view>& values, double* out) const;

  // Encodes every row of `dataset` (which must hold every encoder column,
  // in any order) into a row-major matrix of num_rows x feature_count().
  // kInvalidArgument naming the column, or the source line of a numeric
  // value that is not a number.
  StatusOr<std::vector<double>> EncodeDataset(const Dataset& dataset) const;

 private:
  Encoder() = default;
  // Writes the features of column `c` holding `text` into `out`.
  Status EncodeOne(std::size_t c, std::string_view text, double* out) const;

  std::string target_;
  std::vector<EncoderColumn> columns_;
  std::vector<std::string> features_;
  std::vector<std::size_t> offsets_;  // offsets_[c]: first feature of column c
};

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_ENCODER_H_
