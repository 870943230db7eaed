// CSV reading and writing for the ML steps. The reader follows RFC 4180:
// fields separated by commas, records ended by CRLF or LF (the last one may
// be missing), fields optionally enclosed in double quotes, a quote inside a
// quoted field written as two quotes, commas and line breaks allowed inside
// quotes. A UTF-8 byte-order mark at the start is skipped, and empty lines
// are skipped. Every error names the source, the 1-based physical line (line
// breaks inside quoted fields count) and, where it applies, the column.
// All functions are pure or touch only the files they are given;
// thread-safe.
#ifndef MLFLOWCTL_STEPS_ML_CSV_H_
#define MLFLOWCTL_STEPS_ML_CSV_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/status_or.h"

namespace mlflowctl::ml {

struct CsvOptions {
  bool has_header = true;  // the first record names the columns
};

// A parsed CSV file: the header (empty when the file has none), the records
// as strings, and for each record the physical line it starts on.
struct CsvTable {
  std::string source;  // file name used in messages
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> row_lines;  // row_lines[i]: 1-based line where rows[i] starts

  std::size_t num_columns() const;
  // "'Price' (column 1)" with a header, "column 1" without; `index` 0-based.
  std::string ColumnLabel(std::size_t index) const;
  // The physical line of field `col` of row `row` (a row can span lines when
  // a quoted field holds a line break).
  int FieldLine(std::size_t row, std::size_t col) const;
};

// Parses `text`. `source` names the input in messages ("data.csv").
// Returns kInvalidArgument, with a message "<source>:<line>: ...", for:
// a record whose field count differs from the header's (or the first
// record's), an unterminated quoted field (the line where its quote opens),
// a character other than a comma or line break after a closing quote, and an
// empty input when a header is expected.
StatusOr<CsvTable> ParseCsv(std::string_view text, std::string source,
                            const CsvOptions& options = {});

// Reads and parses a file (`path` is the source in messages). kNotFound if
// it cannot be read; otherwise as ParseCsv.
StatusOr<CsvTable> ReadCsvFile(const std::string& path, const CsvOptions& options = {});

// Parses a number: optional sign, digits, optional fraction and exponent
// ("12", "-1.5e3", "+.5"); surrounding spaces and tabs are allowed. NaN,
// infinities, hex and empty text are not numbers. Returns false when `text`
// is not a number; `out` is then unchanged.
bool ParseDouble(std::string_view text, double* out);

// An all-numeric CSV: `values` holds rows * cols doubles, row-major.
struct NumericCsv {
  std::vector<std::string> header;  // empty: no header line
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;

  double at(std::size_t row, std::size_t col) const { return values[row * cols + col]; }
};

// Parses a CSV whose every field must be a number (the training format).
// Errors as ParseCsv, plus kInvalidArgument "<source>:<line>: <column>: 'x'
// is not a number".
StatusOr<NumericCsv> ParseNumericCsv(std::string_view text, std::string source,
                                     const CsvOptions& options = {});
StatusOr<NumericCsv> ReadNumericCsvFile(const std::string& path, const CsvOptions& options = {});

// The shortest decimal text that reads back as exactly `value`
// (std::to_chars): "22661.05", "20105", "1e+100", "-0". Not-finite values
// print as "nan", "inf", "-inf".
std::string FormatDouble(double value);

// Appends one record: `n` values separated by commas, then "\n".
void AppendNumericCsvRow(const double* values, std::size_t n, std::string* out);

// Renders `csv`: the header when not empty (names quoted only when needed),
// then one line per row; "\n" line ends, no trailing blank line.
std::string FormatNumericCsv(const NumericCsv& csv);

// Writes `content` to `path` through a temporary file in the same directory
// and a rename, so readers never see a half-written file. Creates missing
// parent directories. kUnavailable when the file cannot be written.
Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_CSV_H_
