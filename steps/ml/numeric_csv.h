// Labeled numeric data in SageMaker's training format: every field a
// number, no header, the target in the first column ("Price,Mileage,...", as
// mlflowctl:preprocess writes train.csv / validation.csv / test.csv).
// Parsing is csv.h's RFC 4180 reader; this file splits off the target.
// LabeledMatrix is a plain value; the functions are pure and thread-safe.
#ifndef MLFLOWCTL_STEPS_ML_NUMERIC_CSV_H_
#define MLFLOWCTL_STEPS_ML_NUMERIC_CSV_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status_or.h"

namespace mlflowctl::ml {

// Labels and a dense row-major feature matrix (rows x cols).
struct LabeledMatrix {
  std::size_t rows = 0;
  std::size_t cols = 0;          // feature columns (CSV columns minus the target)
  std::vector<double> labels;    // size rows
  std::vector<double> features;  // size rows * cols, row-major

  const double* Row(std::size_t r) const { return features.data() + r * cols; }
};

// Parses headerless numeric CSV text with the target in the first column.
// kInvalidArgument "<source>:<line>: ..." for a field that is not a number or
// a row with another field count (see csv.h), for text without rows and for
// rows with fewer than 2 fields.
StatusOr<LabeledMatrix> ParseLabeledCsv(std::string_view text, std::string source);

// Reads a SageMaker channel: `path` is one CSV file, or a directory whose
// regular files (names not starting with '.', in name order) are read and
// concatenated, as S3Prefix selects every object under a prefix.
// kNotFound when `path` does not exist (or the directory has no files);
// otherwise as ParseLabeledCsv, and the files of a directory must agree on
// the column count.
StatusOr<LabeledMatrix> ReadLabeledCsv(const std::string& path);

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_NUMERIC_CSV_H_
