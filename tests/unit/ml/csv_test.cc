#include "steps/ml/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "engine/base/json_util.h"

namespace mlflowctl::ml {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Rows = std::vector<std::vector<std::string>>;

CsvTable MustParse(std::string_view text, CsvOptions options = {}) {
  StatusOr<CsvTable> t = ParseCsv(text, "data.csv", options);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : CsvTable{};
}

std::string ParseError(std::string_view text, CsvOptions options = {}) {
  StatusOr<CsvTable> t = ParseCsv(text, "data.csv", options);
  EXPECT_FALSE(t.ok());
  if (t.ok()) return "";
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  return t.status().message();
}

TEST(CsvTest, ParsesQuotedFieldsWithCommasAndEscapedQuotes) {
  CsvTable t = MustParse(
      "name,comment\n"
      "\"Saab, 9-3\",\"He said \"\"fine\"\"\"\n"
      "plain,\"\"\n");
  EXPECT_THAT(t.header, ElementsAre("name", "comment"));
  EXPECT_EQ(t.rows, (Rows{{"Saab, 9-3", "He said \"fine\""}, {"plain", ""}}));
  EXPECT_THAT(t.row_lines, ElementsAre(2, 3));
}

TEST(CsvTest, CrlfAndLfGiveTheSameRecords) {
  CsvTable lf = MustParse("a,b\n1,2\n3,4\n");
  CsvTable crlf = MustParse("a,b\r\n1,2\r\n3,4\r\n");
  EXPECT_EQ(lf.header, crlf.header);
  EXPECT_EQ(lf.rows, crlf.rows);
  EXPECT_EQ(crlf.rows, (Rows{{"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(lf.row_lines, crlf.row_lines);
}

TEST(CsvTest, TrailingNewlineIsOptional) {
  EXPECT_EQ(MustParse("a,b\n1,2").rows, (Rows{{"1", "2"}}));
  EXPECT_EQ(MustParse("a,b\r\n1,2").rows, (Rows{{"1", "2"}}));
  EXPECT_EQ(MustParse("a,b\n1,\"2\"").rows, (Rows{{"1", "2"}}));
}

TEST(CsvTest, EmptyTrailingFieldsAreKept) {
  EXPECT_EQ(MustParse("a,b,c\n1,,\n,,\n").rows, (Rows{{"1", "", ""}, {"", "", ""}}));
}

TEST(CsvTest, ByteOrderMarkIsSkipped) {
  CsvTable t = MustParse("\xEF\xBB\xBFPrice,Make\n1,Buick\n");
  EXPECT_THAT(t.header, ElementsAre("Price", "Make"));
}

TEST(CsvTest, EmbeddedNewlinesStayInTheFieldAndCountAsLines) {
  CsvTable t = MustParse(
      "id,note\n"
      "1,\"two\nlines\"\n"
      "2,\"three\r\nmore\nlines\"\n"
      "3,x\n");
  EXPECT_EQ(t.rows, (Rows{{"1", "two\nlines"}, {"2", "three\r\nmore\nlines"}, {"3", "x"}}));
  EXPECT_THAT(t.row_lines, ElementsAre(2, 4, 7));
}

TEST(CsvTest, RaggedRowErrorNamesFileAndLine) {
  EXPECT_EQ(ParseError("a,b,c\n1,2,3\n4,5\n"),
            "data.csv:3: expected 3 fields (as in the header), found 2");
  EXPECT_EQ(ParseError("1,2\n3,4,5\n", CsvOptions{.has_header = false}),
            "data.csv:2: expected 2 fields (as in the first record), found 3");
}

TEST(CsvTest, LineNumbersInErrorsCountLinesInsideQuotes) {
  // The quoted field on line 2 spans lines 2-4, so the short row is on line 5.
  EXPECT_EQ(ParseError("a,b\n1,\"x\ny\nz\"\n2\n"),
            "data.csv:5: expected 2 fields (as in the header), found 1");
  // Empty lines are skipped but still counted.
  EXPECT_EQ(ParseError("a,b\n\n1,2\n\r\n3\n"),
            "data.csv:5: expected 2 fields (as in the header), found 1");
}

TEST(CsvTest, UnterminatedQuoteNamesTheLineWhereItOpens) {
  std::string msg = ParseError("Price,Make\n1,Buick\n2,\"Saab\n3,Chevy\n");
  EXPECT_THAT(msg, HasSubstr("data.csv:3: 'Make' (column 2): unterminated quoted field"));
}

TEST(CsvTest, TextAfterAClosingQuoteIsAnError) {
  EXPECT_EQ(ParseError("a,b\n1,\"ab\"c\n"),
            "data.csv:2: 'b' (column 2): unexpected character 'c' after the "
            "closing quote (a "
            "quote inside a quoted field must be doubled)");
}

TEST(CsvTest, QuoteInsideAnUnquotedFieldIsData) {
  EXPECT_EQ(MustParse("a\n5'10\"\n").rows, (Rows{{"5'10\""}}));
}

TEST(CsvTest, EmptyFileNeedsAHeaderOnlyWhenOneIsExpected) {
  EXPECT_EQ(ParseError(""), "data.csv:1: empty file (expected a header line)");
  EXPECT_EQ(ParseError("\n\n"), "data.csv:1: empty file (expected a header line)");
  CsvTable t = MustParse("", CsvOptions{.has_header = false});
  EXPECT_TRUE(t.rows.empty());
  EXPECT_EQ(t.num_columns(), 0u);
}

TEST(CsvTest, HeaderOnlyFileHasColumnsAndNoRows) {
  CsvTable t = MustParse("Price,Make\n");
  EXPECT_THAT(t.header, ElementsAre("Price", "Make"));
  EXPECT_TRUE(t.rows.empty());
  EXPECT_EQ(t.num_columns(), 2u);
}

TEST(CsvTest, ParseDoubleAcceptsDecimalNumbersOnly) {
  double v = -1;
  EXPECT_TRUE(ParseDouble("22661.05", &v));
  EXPECT_EQ(v, 22661.05);
  EXPECT_TRUE(ParseDouble(" -1.5e3\t", &v));
  EXPECT_EQ(v, -1500);
  EXPECT_TRUE(ParseDouble("+.5", &v));
  EXPECT_EQ(v, 0.5);
  EXPECT_TRUE(ParseDouble("7.", &v));
  EXPECT_EQ(v, 7);
  for (const char* bad : {"", " ", "abc", "1,5", "1e", "e5", ".", "-", "nan", "inf", "0x10",
                          "1.2.3", "12abc", "1e999"}) {
    double w = 42;
    EXPECT_FALSE(ParseDouble(bad, &w)) << bad;
    EXPECT_EQ(w, 42) << bad;
  }
}

TEST(CsvTest, NumericCsvErrorNamesLineAndColumn) {
  StatusOr<NumericCsv> csv = ParseNumericCsv("Price,Mileage\n1,2\n3,abc\n", "train.csv");
  ASSERT_FALSE(csv.ok());
  EXPECT_EQ(csv.status().message(), "train.csv:3: 'Mileage' (column 2): 'abc' is not a number");
  csv = ParseNumericCsv("1,2\n\n3,\n", "train.csv", CsvOptions{.has_header = false});
  ASSERT_FALSE(csv.ok());
  EXPECT_EQ(csv.status().message(), "train.csv:3: column 2: '' is not a number");
}

TEST(CsvTest, NumericCsvParsesARowMajorMatrix) {
  StatusOr<NumericCsv> csv =
      ParseNumericCsv("1,2,3\r\n4,5,6", "train.csv", CsvOptions{.has_header = false});
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(csv->rows, 2u);
  EXPECT_EQ(csv->cols, 3u);
  EXPECT_THAT(csv->values, ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_EQ(csv->at(1, 2), 6);
}

TEST(CsvTest, FormatDoubleIsShortestAndRoundTrips) {
  EXPECT_EQ(FormatDouble(22661.05), "22661.05");
  EXPECT_EQ(FormatDouble(20105), "20105");
  EXPECT_EQ(FormatDouble(0.1), "0.1");
  EXPECT_EQ(FormatDouble(0), "0");
  EXPECT_EQ(FormatDouble(1e100), "1e+100");
  const double values[] = {1.0 / 3,      0.1 + 0.2, -2.5e-300,           DBL_MAX, DBL_MIN,
                           DBL_TRUE_MIN, -0.0,      123456789.123456789, 1e21,    5e-324};
  for (double v : values) {
    double back = 0;
    ASSERT_TRUE(ParseDouble(FormatDouble(v), &back)) << FormatDouble(v);
    EXPECT_EQ(std::memcmp(&v, &back, sizeof v), 0) << FormatDouble(v);
  }
}

class CsvFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mlflowctl_csv_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(CsvFileTest, WrittenNumericCsvReadsBackExactly) {
  NumericCsv csv;
  csv.header = {"Price", "odd,name"};
  csv.rows = 3;
  csv.cols = 2;
  csv.values = {22661.05, 1.0 / 3, -0.0, 1e-310, 70755.47, 0.1 + 0.2};
  std::string path = (dir_ / "sub" / "out.csv").string();
  ASSERT_TRUE(WriteFileAtomically(path, FormatNumericCsv(csv)).ok());
  StatusOr<std::string> text = ReadFile(path);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->substr(0, text->find('\n')), "Price,\"odd,name\"");
  EXPECT_EQ(text->back(), '\n');
  StatusOr<NumericCsv> back = ReadNumericCsvFile(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->header, csv.header);
  ASSERT_EQ(back->values.size(), csv.values.size());
  for (std::size_t i = 0; i < csv.values.size(); ++i) {
    EXPECT_EQ(std::memcmp(&back->values[i], &csv.values[i], sizeof(double)), 0) << i;
  }
  // No temporary file is left beside the result.
  int files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir_ / "sub")) {
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST_F(CsvFileTest, MissingFileIsNotFound) {
  StatusOr<CsvTable> t = ReadCsvFile((dir_ / "nope.csv").string());
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kNotFound);
}

TEST_F(CsvFileTest, FileErrorsNameThePath) {
  std::string path = (dir_ / "bad.csv").string();
  ASSERT_TRUE(WriteFileAtomically(path, "a,b\r\n1,2\r\n3\r\n").ok());
  StatusOr<CsvTable> t = ReadCsvFile(path);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), path + ":3: expected 2 fields (as in the header), found 1");
}

}  // namespace
}  // namespace mlflowctl::ml
