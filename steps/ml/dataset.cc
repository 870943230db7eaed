#include "steps/ml/dataset.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "engine/base/status_macros.h"

namespace mlflowctl::ml {

namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Every name in `names` must be a column of `header`.
Status CheckNamesExist(const CsvTable& table, const std::vector<std::string>& names,
                       const char* what) {
  for (const std::string& name : names) {
    if (!Contains(table.header, name)) {
      return InvalidArgumentError(fmt::format("{}: {} column '{}' is not in the header ({})",
                                              table.source, what, name,
                                              fmt::join(table.header, ", ")));
    }
  }
  return Status::Ok();
}

}  // namespace

const char* ColumnTypeName(ColumnType type) {
  return type == ColumnType::kNumeric ? "numeric" : "categorical";
}

StatusOr<Dataset> Dataset::FromCsv(const CsvTable& table, const SchemaOptions& options) {
  if (table.header.empty()) {
    return InvalidArgumentError(fmt::format("{}: a dataset needs a header line", table.source));
  }
  std::set<std::string> seen;
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    const std::string& name = table.header[c];
    if (name.empty()) {
      return InvalidArgumentError(
          fmt::format("{}:1: column {} has an empty name", table.source, c + 1));
    }
    if (!seen.insert(name).second) {
      return InvalidArgumentError(
          fmt::format("{}:1: column name '{}' appears more than once", table.source, name));
    }
  }
  MLF_RETURN_IF_ERROR(CheckNamesExist(table, options.drop, "dropped"));
  MLF_RETURN_IF_ERROR(CheckNamesExist(table, options.categorical, "categorical"));
  MLF_RETURN_IF_ERROR(CheckNamesExist(table, options.numeric, "numeric"));
  for (const std::string& name : options.numeric) {
    if (Contains(options.categorical, name)) {
      return InvalidArgumentError(fmt::format(
          "{}: column '{}' cannot be both numeric and categorical", table.source, name));
    }
  }

  Dataset ds;
  ds.source_ = table.source;
  ds.lines_ = table.row_lines;
  const std::size_t n = table.rows.size();
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    const std::string& name = table.header[c];
    if (Contains(options.drop, name)) continue;
    DatasetColumn col;
    col.name = name;
    bool categorical = Contains(options.categorical, name);
    bool must_be_numeric =
        Contains(options.numeric, name) || (options.others_numeric && !categorical);
    if (!categorical) {
      col.numbers.resize(n);
      std::size_t bad = n;
      for (std::size_t r = 0; r < n; ++r) {
        if (!ParseDouble(table.rows[r][c], &col.numbers[r])) {
          bad = r;
          break;
        }
      }
      if (bad < n && must_be_numeric) {
        return InvalidArgumentError(fmt::format("{}:{}: {} must be numeric: '{}' is not a number",
                                                table.source, table.FieldLine(bad, c),
                                                table.ColumnLabel(c), table.rows[bad][c]));
      }
      categorical = bad < n;
    }
    if (categorical) {
      col.type = ColumnType::kCategorical;
      col.numbers.clear();
      col.strings.reserve(n);
      for (std::size_t r = 0; r < n; ++r) col.strings.push_back(table.rows[r][c]);
    }
    ds.columns_.push_back(std::move(col));
  }
  return ds;
}

StatusOr<Dataset> Dataset::ReadCsvFile(const std::string& path, const SchemaOptions& options) {
  StatusOr<CsvTable> table = ml::ReadCsvFile(path, CsvOptions{.has_header = true});
  if (!table.ok()) return table.status();
  return FromCsv(*table, options);
}

std::optional<std::size_t> Dataset::FindColumn(const std::string& name) const {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return i;
  }
  return std::nullopt;
}

std::string Dataset::CellText(std::size_t row, std::size_t col) const {
  const DatasetColumn& c = columns_[col];
  return c.type == ColumnType::kNumeric ? FormatDouble(c.numbers[row]) : c.strings[row];
}

uint64_t SplitMix64::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t SplitMix64::Below(uint64_t bound) {
  // Values below 2^64 mod bound would make the low residues more likely.
  const uint64_t threshold = (0 - bound) % bound;
  while (true) {
    uint64_t r = Next();
    if (r >= threshold) return r % bound;
  }
}

std::vector<std::size_t> ShuffledRowOrder(std::size_t n, uint64_t seed) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  SplitMix64 rng(seed);
  for (std::size_t i = n; i > 1; --i) {
    std::size_t j = static_cast<std::size_t>(rng.Below(i));
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

StatusOr<SplitSizes> ComputeSplitSizes(std::size_t n, const SplitRatios& ratios) {
  const double parts[] = {ratios.train, ratios.validation, ratios.test};
  const char* names[] = {"train", "validation", "test"};
  for (int i = 0; i < 3; ++i) {
    if (!std::isfinite(parts[i]) || parts[i] < 0 || parts[i] > 1) {
      return InvalidArgumentError(
          fmt::format("ratio '{}' must be between 0 and 1, got {}", names[i], parts[i]));
    }
  }
  double sum = ratios.train + ratios.validation + ratios.test;
  if (std::fabs(sum - 1.0) > 1e-9) {
    return InvalidArgumentError(
        fmt::format("ratios must sum to 1: train {} + validation {} + test {} = {}", ratios.train,
                    ratios.validation, ratios.test, sum));
  }
  auto rounded = [n](double ratio) {
    return static_cast<std::size_t>(std::llround(static_cast<double>(n) * ratio));
  };
  SplitSizes sizes;
  sizes.train = std::min(n, rounded(ratios.train));
  sizes.validation = std::min(n - sizes.train, rounded(ratios.validation));
  if (ratios.test == 0) sizes.validation = n - sizes.train;  // no rounding remainder to test
  sizes.test = n - sizes.train - sizes.validation;
  const std::size_t got[] = {sizes.train, sizes.validation, sizes.test};
  for (int i = 0; i < 3; ++i) {
    if (parts[i] > 0 && got[i] == 0) {
      return FailedPreconditionError(
          fmt::format("{} rows are too few to split {}/{}/{}: the {} split would get no "
                      "row",
                      n, ratios.train, ratios.validation, ratios.test, names[i]));
    }
  }
  return sizes;
}

}  // namespace mlflowctl::ml
