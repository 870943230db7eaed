// Dataset: a typed table read from CSV. Each column is numeric (doubles) or
// categorical (strings); the types are inferred (a column is numeric when
// every value parses as a number) unless the caller fixes them. Keeps the
// source line of each row so later checks can name it. Immutable once built;
// thread-safe to share for reading.
#ifndef MLFLOWCTL_STEPS_ML_DATASET_H_
#define MLFLOWCTL_STEPS_ML_DATASET_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status_or.h"
#include "steps/ml/csv.h"

namespace mlflowctl::ml {

enum class ColumnType { kNumeric, kCategorical };

// "numeric" or "categorical", the words used in manifest.json.
const char* ColumnTypeName(ColumnType type);

struct DatasetColumn {
  std::string name;
  ColumnType type = ColumnType::kNumeric;
  std::vector<double> numbers;       // kNumeric: one per row
  std::vector<std::string> strings;  // kCategorical: one per row
};

// How to type the columns of a CSV.
struct SchemaOptions {
  // Columns left out of the dataset (e.g. an id). Each must exist.
  std::vector<std::string> drop;
  // Columns that must be categorical even when their values are numbers.
  std::vector<std::string> categorical;
  // Columns that must be numeric: a value that is not a number is an error.
  std::vector<std::string> numeric;
  // When true, every column not listed in `categorical` must be numeric;
  // when false, a column not listed anywhere is inferred.
  bool others_numeric = false;
};

class Dataset {
 public:
  // Types the columns of `table` (which must have a header). Returns
  // kInvalidArgument when: a header name is empty or repeated; a name in
  // `options` is not a column, or is both numeric and categorical; a column
  // that must be numeric holds a value that is not a number
  // ("<source>:<line>: 'Price' (column 1) must be numeric: 'abc' is not a
  // number").
  static StatusOr<Dataset> FromCsv(const CsvTable& table, const SchemaOptions& options = {});

  // ReadCsvFile (header expected) then FromCsv.
  static StatusOr<Dataset> ReadCsvFile(const std::string& path, const SchemaOptions& options = {});

  const std::string& source() const { return source_; }
  std::size_t num_rows() const { return lines_.size(); }
  std::size_t num_columns() const { return columns_.size(); }
  const DatasetColumn& column(std::size_t i) const { return columns_[i]; }
  const std::vector<DatasetColumn>& columns() const { return columns_; }
  // The index of the column called `name`, if any.
  std::optional<std::size_t> FindColumn(const std::string& name) const;
  // 1-based source line where row `row` starts.
  int line(std::size_t row) const { return lines_[row]; }
  // The raw text of a cell (a number is formatted with FormatDouble).
  std::string CellText(std::size_t row, std::size_t col) const;

 private:
  std::string source_;
  std::vector<DatasetColumn> columns_;
  std::vector<int> lines_;
};

// SplitMix64 (Steele, Lea and Flood 2014; Vigna's reference constants): a
// small generator whose output depends only on the seed, so a seeded split
// is the same on every platform and standard library (std::shuffle and the
// std distributions are implementation-defined). Not thread-safe.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, bound), without modulo bias (rejection); bound > 0.
  uint64_t Below(uint64_t bound);

 private:
  uint64_t state_;
};

// 0 .. n-1 shuffled by Fisher-Yates (i from n-1 down to 1 swaps i with
// Below(i + 1)) driven by SplitMix64(seed).
std::vector<std::size_t> ShuffledRowOrder(std::size_t n, uint64_t seed);

struct SplitRatios {
  double train = 0.7;
  double validation = 0.15;
  double test = 0.15;
};

struct SplitSizes {
  std::size_t train = 0;
  std::size_t validation = 0;
  std::size_t test = 0;
};

// Row counts for `n` rows. The rule: train = round(n * ratios.train),
// validation = round(n * ratios.validation) (round half away from zero;
// at most n - train), test = the rest (validation takes the rest when
// ratios.test is 0). 804 rows at 0.7/0.15/0.15 give
// 563/121/120. kInvalidArgument when a ratio is negative or not finite, the
// ratios do not sum to 1 (within 1e-9); kFailedPrecondition when a split
// with a positive ratio would get no row.
StatusOr<SplitSizes> ComputeSplitSizes(std::size_t n, const SplitRatios& ratios);

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_DATASET_H_
