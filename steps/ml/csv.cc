#include "steps/ml/csv.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "engine/base/json_util.h"

namespace mlflowctl::ml {

namespace {

// The text of a field for messages: at most 40 characters, line breaks shown
// as escapes.
std::string Excerpt(std::string_view field) {
  std::string out;
  for (char c : field.substr(0, 40)) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  if (field.size() > 40) out += "...";
  return out;
}

// RFC 4180 record parser over a whole buffer. Tracks the physical line so
// that every message can name it.
class CsvParser {
 public:
  CsvParser(std::string_view text, const std::string& source) : text_(text), source_(source) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte-order mark
  }

  // Parses the next record into `fields` and its first line into
  // `record_line`; returns false at the end of the input. `header` (may be
  // empty) names columns in messages.
  StatusOr<bool> Next(const std::vector<std::string>& header, std::vector<std::string>* fields,
                      int* record_line) {
    SkipEmptyLines();
    fields->clear();
    if (pos_ >= text_.size()) return false;
    *record_line = line_;
    while (true) {
      std::string field;
      if (text_[pos_] == '"') {
        Status s = ReadQuoted(header, fields->size(), &field);
        if (!s.ok()) return s;
      } else {
        ReadUnquoted(&field);
      }
      fields->push_back(std::move(field));
      // After a field: a comma, a line break or the end of the input.
      if (pos_ >= text_.size()) return true;
      char c = text_[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      if (c == '\n' || (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n')) {
        pos_ += c == '\n' ? 1 : 2;
        ++line_;
        return true;
      }
      return InvalidArgumentError(fmt::format(
          "{}:{}: {}: unexpected character '{}' after the closing "
          "quote (a quote inside a "
          "quoted field must be doubled)",
          source_, line_, Label(header, fields->size() - 1), Excerpt(text_.substr(pos_, 1))));
    }
  }

 private:
  void SkipEmptyLines() {
    while (pos_ < text_.size()) {
      if (text_[pos_] == '\n') {
        pos_ += 1;
      } else if (text_.substr(pos_, 2) == "\r\n") {
        pos_ += 2;
      } else {
        return;
      }
      ++line_;
    }
  }

  // A field up to the next comma or line break. A lone CR or a quote inside
  // an unquoted field is kept as data.
  void ReadUnquoted(std::string* field) {
    std::size_t start = pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ',' || c == '\n') break;
      if (c == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') break;
      ++pos_;
    }
    field->assign(text_.substr(start, pos_ - start));
  }

  // A quoted field; `pos_` is at the opening quote.
  Status ReadQuoted(const std::vector<std::string>& header, std::size_t index, std::string* field) {
    int open_line = line_;
    ++pos_;
    while (pos_ < text_.size()) {
      // Copy the run up to the next quote in one go.
      std::size_t quote = text_.find('"', pos_);
      std::size_t end = quote == std::string_view::npos ? text_.size() : quote;
      std::string_view run = text_.substr(pos_, end - pos_);
      for (char c : run) line_ += c == '\n' ? 1 : 0;
      field->append(run);
      pos_ = end;
      if (quote == std::string_view::npos) break;
      if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        field->push_back('"');
        pos_ += 2;
        continue;
      }
      ++pos_;  // the closing quote
      return Status::Ok();
    }
    return InvalidArgumentError(
        fmt::format("{}:{}: {}: unterminated quoted field (the quote opened on line {} is "
                    "never closed)",
                    source_, open_line, Label(header, index), open_line));
  }

  static std::string Label(const std::vector<std::string>& header, std::size_t index) {
    if (index < header.size()) return fmt::format("'{}' (column {})", header[index], index + 1);
    return fmt::format("column {}", index + 1);
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// True when `s` matches [+-]? (digits ('.' digits?)? | '.' digits) ([eE] [+-]?
// digits)?
bool IsDecimalNumber(std::string_view s) {
  std::size_t i = 0, n = s.size();
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < n && IsDigit(s[i])) ++i, ++int_digits;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < n && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == n;
}

bool NeedsQuotes(std::string_view s) {
  return s.find_first_of(",\"\r\n") != std::string_view::npos;
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::size_t CsvTable::num_columns() const {
  if (!header.empty()) return header.size();
  return rows.empty() ? 0 : rows.front().size();
}

std::string CsvTable::ColumnLabel(std::size_t index) const {
  if (index < header.size()) return fmt::format("'{}' (column {})", header[index], index + 1);
  return fmt::format("column {}", index + 1);
}

int CsvTable::FieldLine(std::size_t row, std::size_t col) const {
  int line = row_lines[row];
  for (std::size_t c = 0; c < col && c < rows[row].size(); ++c) {
    for (char ch : rows[row][c]) line += ch == '\n' ? 1 : 0;
  }
  return line;
}

StatusOr<CsvTable> ParseCsv(std::string_view text, std::string source, const CsvOptions& options) {
  CsvTable table;
  table.source = std::move(source);
  CsvParser parser(text, table.source);
  std::vector<std::string> fields;
  int line = 0;
  std::size_t expected = 0;
  bool first = true;
  while (true) {
    StatusOr<bool> more = parser.Next(table.header, &fields, &line);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (first) {
      first = false;
      expected = fields.size();
      if (options.has_header) {
        table.header = std::move(fields);
        fields = {};
        continue;
      }
    } else if (fields.size() != expected) {
      return InvalidArgumentError(fmt::format(
          "{}:{}: expected {} fields ({}), found {}", table.source, line, expected,
          options.has_header ? "as in the header" : "as in the first record", fields.size()));
    }
    table.rows.push_back(std::move(fields));
    table.row_lines.push_back(line);
    fields = {};
  }
  if (first && options.has_header) {
    return InvalidArgumentError(
        fmt::format("{}:1: empty file (expected a header line)", table.source));
  }
  return table;
}

StatusOr<CsvTable> ReadCsvFile(const std::string& path, const CsvOptions& options) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseCsv(*text, path, options);
}

bool ParseDouble(std::string_view text, double* out) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (!IsDecimalNumber(text)) return false;
  if (text.front() == '+') text.remove_prefix(1);  // from_chars takes no '+'
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  *out = value;
  return true;
}

StatusOr<NumericCsv> ParseNumericCsv(std::string_view text, std::string source,
                                     const CsvOptions& options) {
  StatusOr<CsvTable> table = ParseCsv(text, std::move(source), options);
  if (!table.ok()) return table.status();
  NumericCsv csv;
  csv.rows = table->rows.size();
  csv.cols = table->num_columns();
  csv.values.reserve(csv.rows * csv.cols);
  for (std::size_t r = 0; r < csv.rows; ++r) {
    for (std::size_t c = 0; c < csv.cols; ++c) {
      double v = 0;
      if (!ParseDouble(table->rows[r][c], &v)) {
        return InvalidArgumentError(fmt::format("{}:{}: {}: '{}' is not a number", table->source,
                                                table->FieldLine(r, c), table->ColumnLabel(c),
                                                Excerpt(table->rows[r][c])));
      }
      csv.values.push_back(v);
    }
  }
  csv.header = std::move(table->header);
  return csv;
}

StatusOr<NumericCsv> ReadNumericCsvFile(const std::string& path, const CsvOptions& options) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseNumericCsv(*text, path, options);
}

std::string FormatDouble(double value) {
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;  // 64 bytes always hold the shortest form of a double
  return std::string(buf, ptr);
}

void AppendNumericCsvRow(const double* values, std::size_t n, std::string* out) {
  char buf[64];
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out->push_back(',');
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, values[i]);
    (void)ec;
    out->append(buf, ptr);
  }
  out->push_back('\n');
}

std::string FormatNumericCsv(const NumericCsv& csv) {
  std::string out;
  if (!csv.header.empty()) {
    for (std::size_t i = 0; i < csv.header.size(); ++i) {
      if (i > 0) out += ',';
      out += NeedsQuotes(csv.header[i]) ? Quoted(csv.header[i]) : csv.header[i];
    }
    out += '\n';
  }
  for (std::size_t r = 0; r < csv.rows; ++r) {
    AppendNumericCsvRow(csv.values.data() + r * csv.cols, csv.cols, &out);
  }
  return out;
}

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target(path);
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) {
      return UnavailableError(fmt::format("cannot create directory '{}': {}",
                                          target.parent_path().string(), ec.message()));
    }
  }
  static std::atomic<unsigned> counter{0};
  std::string tmp = fmt::format("{}.tmp.{}.{}", path, static_cast<long>(::getpid()), counter++);
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    return UnavailableError(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  }
  bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  ok = std::fflush(f) == 0 && ok;
  int saved_errno = errno;
  ok = std::fclose(f) == 0 && ok;
  if (ok && std::rename(tmp.c_str(), path.c_str()) != 0) {
    saved_errno = errno;
    ok = false;
  }
  if (!ok) {
    std::remove(tmp.c_str());
    return UnavailableError(fmt::format("cannot write '{}': {}", path, std::strerror(saved_errno)));
  }
  return Status::Ok();
}

}  // namespace mlflowctl::ml
