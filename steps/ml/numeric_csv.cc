#include "steps/ml/numeric_csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "engine/base/json_util.h"
#include "steps/ml/csv.h"

namespace mlflowctl::ml {

namespace {

Status Append(const LabeledMatrix& part, const std::string& source, LabeledMatrix* all) {
  if (all->rows > 0 && part.cols != all->cols) {
    return InvalidArgumentError(fmt::format("{}: {} feature columns, the files before it have {}",
                                            source, part.cols, all->cols));
  }
  all->cols = part.cols;
  all->rows += part.rows;
  all->labels.insert(all->labels.end(), part.labels.begin(), part.labels.end());
  all->features.insert(all->features.end(), part.features.begin(), part.features.end());
  return Status::Ok();
}

StatusOr<LabeledMatrix> ReadOneFile(const std::string& path) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseLabeledCsv(*text, path);
}

}  // namespace

StatusOr<LabeledMatrix> ParseLabeledCsv(std::string_view text, std::string source) {
  CsvOptions options;
  options.has_header = false;
  StatusOr<NumericCsv> csv = ParseNumericCsv(text, source, options);
  if (!csv.ok()) return csv.status();
  if (csv->rows == 0) return InvalidArgumentError(fmt::format("{}: no data rows", source));
  if (csv->cols < 2) {
    return InvalidArgumentError(fmt::format(
        "{}: a row needs the target and at least one feature, found {} column", source, csv->cols));
  }
  LabeledMatrix m;
  m.rows = csv->rows;
  m.cols = csv->cols - 1;
  m.labels.reserve(m.rows);
  m.features.reserve(m.rows * m.cols);
  for (std::size_t r = 0; r < m.rows; ++r) {
    const double* row = csv->values.data() + r * csv->cols;
    m.labels.push_back(row[0]);
    m.features.insert(m.features.end(), row + 1, row + csv->cols);
  }
  return m;
}

StatusOr<LabeledMatrix> ReadLabeledCsv(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    if (!fs::exists(path, ec)) return NotFoundError(fmt::format("'{}' does not exist", path));
    return ReadOneFile(path);
  }
  std::vector<std::string> files;
  for (const fs::directory_entry& e : fs::directory_iterator(path, ec)) {
    if (e.is_regular_file(ec) && e.path().filename().string().rfind('.', 0) != 0) {
      files.push_back(e.path().string());
    }
  }
  if (files.empty()) return NotFoundError(fmt::format("directory '{}' has no data files", path));
  std::sort(files.begin(), files.end());
  LabeledMatrix all;
  for (const std::string& f : files) {
    StatusOr<LabeledMatrix> part = ReadOneFile(f);
    if (!part.ok()) return part.status();
    Status s = Append(*part, f, &all);
    if (!s.ok()) return s;
  }
  return all;
}

}  // namespace mlflowctl::ml
