#include "steps/ml/dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace mlflowctl::ml {
namespace {

using ::testing::ElementsAre;

CsvTable Table(std::string_view text) {
  StatusOr<CsvTable> t = ParseCsv(text, "cars.csv");
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : CsvTable{};
}

std::string SchemaError(std::string_view text, const SchemaOptions& options) {
  StatusOr<Dataset> ds = Dataset::FromCsv(Table(text), options);
  EXPECT_FALSE(ds.ok());
  if (ds.ok()) return "";
  EXPECT_EQ(ds.status().code(), StatusCode::kInvalidArgument);
  return ds.status().message();
}

SchemaOptions Options(std::vector<std::string> drop, std::vector<std::string> categorical,
                      std::vector<std::string> numeric, bool others_numeric = false) {
  SchemaOptions o;
  o.drop = std::move(drop);
  o.categorical = std::move(categorical);
  o.numeric = std::move(numeric);
  o.others_numeric = others_numeric;
  return o;
}

constexpr char kCars[] =
    "Price,Mileage,Make,Doors\n"
    "22661.05,20105,Buick,4\n"
    "21725.01,13457,Chevy,2\n"
    "29142.71,31655,Saab,2\n";

TEST(DatasetTest, InfersNumericAndCategoricalColumns) {
  StatusOr<Dataset> ds = Dataset::FromCsv(Table(kCars));
  ASSERT_TRUE(ds.ok()) << ds.status().ToString();
  EXPECT_EQ(ds->num_rows(), 3u);
  ASSERT_EQ(ds->num_columns(), 4u);
  EXPECT_EQ(ds->column(0).type, ColumnType::kNumeric);
  EXPECT_THAT(ds->column(0).numbers, ElementsAre(22661.05, 21725.01, 29142.71));
  EXPECT_EQ(ds->column(2).type, ColumnType::kCategorical);
  EXPECT_THAT(ds->column(2).strings, ElementsAre("Buick", "Chevy", "Saab"));
  EXPECT_EQ(ds->FindColumn("Doors"), 3u);
  EXPECT_EQ(ds->FindColumn("Nope"), std::nullopt);
  EXPECT_EQ(ds->line(2), 4);
  EXPECT_EQ(ds->CellText(0, 1), "20105");
}

TEST(DatasetTest, ForcedCategoricalKeepsTheText) {
  StatusOr<Dataset> ds = Dataset::FromCsv(Table(kCars), Options({}, {"Doors"}, {}));
  ASSERT_TRUE(ds.ok());
  EXPECT_EQ(ds->column(3).type, ColumnType::kCategorical);
  EXPECT_THAT(ds->column(3).strings, ElementsAre("4", "2", "2"));
}

TEST(DatasetTest, DroppedColumnsAreLeftOut) {
  StatusOr<Dataset> ds = Dataset::FromCsv(Table(kCars), Options({"Mileage", "Doors"}, {}, {}));
  ASSERT_TRUE(ds.ok());
  ASSERT_EQ(ds->num_columns(), 2u);
  EXPECT_EQ(ds->column(0).name, "Price");
  EXPECT_EQ(ds->column(1).name, "Make");
}

TEST(DatasetTest, ForcedNumericColumnWithTextNamesLineAndColumn) {
  EXPECT_EQ(SchemaError(kCars, Options({}, {}, {"Make"})),
            "cars.csv:2: 'Make' (column 3) must be numeric: 'Buick' is not a number");
}

TEST(DatasetTest, NumericErrorLineCountsNewlinesInsideEarlierQuotedFields) {
  // Row 2 starts on line 3; its 'value' field is on line 4, after the
  // quoted note that holds a line break.
  EXPECT_EQ(SchemaError("note,value\nok,1\n\"two\nlines\",abc\n", Options({}, {}, {"value"})),
            "cars.csv:4: 'value' (column 2) must be numeric: 'abc' is not a number");
}

TEST(DatasetTest, OthersNumericRejectsTextInAnUnlistedColumn) {
  EXPECT_EQ(SchemaError("Price,Make,Type\n1,Buick,sedan\n", Options({}, {"Make"}, {}, true)),
            "cars.csv:2: 'Type' (column 3) must be numeric: 'sedan' is not a number");
}

TEST(DatasetTest, AnEmptyCellMakesAColumnCategoricalUnlessItMustBeNumeric) {
  constexpr char kText[] = "Price,Mileage\n1,10\n2,\n";
  StatusOr<Dataset> ds = Dataset::FromCsv(Table(kText));
  ASSERT_TRUE(ds.ok());
  EXPECT_EQ(ds->column(1).type, ColumnType::kCategorical);
  EXPECT_EQ(SchemaError(kText, Options({}, {}, {"Mileage"})),
            "cars.csv:3: 'Mileage' (column 2) must be numeric: '' is not a number");
}

TEST(DatasetTest, UnknownOrConflictingColumnNamesAreErrors) {
  EXPECT_EQ(SchemaError(kCars, Options({"id"}, {}, {})),
            "cars.csv: dropped column 'id' is not in the header (Price, "
            "Mileage, Make, Doors)");
  EXPECT_EQ(SchemaError(kCars, Options({}, {"Model"}, {})),
            "cars.csv: categorical column 'Model' is not in the header (Price, "
            "Mileage, Make, "
            "Doors)");
  EXPECT_EQ(SchemaError(kCars, Options({}, {"Doors"}, {"Doors"})),
            "cars.csv: column 'Doors' cannot be both numeric and categorical");
}

TEST(DatasetTest, RepeatedOrEmptyHeaderNamesAreErrors) {
  EXPECT_EQ(SchemaError("a,b,a\n1,2,3\n", {}),
            "cars.csv:1: column name 'a' appears more than once");
  EXPECT_EQ(SchemaError("a,,c\n1,2,3\n", {}), "cars.csv:1: column 2 has an empty name");
}

TEST(DatasetTest, HeaderOnlyFileGivesAnEmptyDataset) {
  StatusOr<Dataset> ds = Dataset::FromCsv(Table("Price,Make\n"));
  ASSERT_TRUE(ds.ok());
  EXPECT_EQ(ds->num_rows(), 0u);
  EXPECT_EQ(ds->num_columns(), 2u);
}

TEST(DatasetTest, SplitMix64MatchesTheReferenceOutputs) {
  // Reference values of Vigna's splitmix64.c for seed 1234567.
  SplitMix64 rng(1234567);
  EXPECT_EQ(rng.Next(), 6457827717110365317ull);
  EXPECT_EQ(rng.Next(), 3203168211198807973ull);
  EXPECT_EQ(rng.Next(), 9817491932198370423ull);
  EXPECT_EQ(rng.Next(), 4593380528125082431ull);
  EXPECT_EQ(rng.Next(), 16408922859458223821ull);
  EXPECT_EQ(SplitMix64(0).Next(), 0xE220A8397B1DCDAFull);
}

TEST(DatasetTest, BelowStaysInRange) {
  SplitMix64 rng(7);
  std::set<uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    uint64_t v = rng.Below(5);
    ASSERT_LT(v, 5u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(rng.Below(1), 0u);
}

TEST(DatasetTest, ShuffledRowOrderIsAFixedPermutationOfTheSeed) {
  // Golden orders, computed independently from the algorithm's definition;
  // they must not change across platforms or library versions.
  EXPECT_THAT(ShuffledRowOrder(10, 42), ElementsAre(0, 9, 5, 8, 6, 4, 7, 2, 1, 3));
  EXPECT_THAT(ShuffledRowOrder(10, 7), ElementsAre(8, 1, 5, 9, 0, 4, 3, 2, 6, 7));
  std::vector<std::size_t> order = ShuffledRowOrder(804, 42);
  EXPECT_THAT(std::vector<std::size_t>(order.begin(), order.begin() + 5),
              ElementsAre(191, 395, 310, 194, 533));
  std::vector<std::size_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_TRUE(ShuffledRowOrder(0, 1).empty());
  EXPECT_THAT(ShuffledRowOrder(1, 1), ElementsAre(0));
}

TEST(DatasetTest, SplitSizesRoundTrainAndValidationAndGiveTheRestToTest) {
  // 804 * 0.7 = 562.8 -> 563; 804 * 0.15 = 120.6 -> 121; test = 804 - 563 -
  // 121.
  StatusOr<SplitSizes> s = ComputeSplitSizes(804, {0.7, 0.15, 0.15});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->train, 563u);
  EXPECT_EQ(s->validation, 121u);
  EXPECT_EQ(s->test, 120u);
  // 10 * 0.25 = 2.5 rounds half away from zero to 3.
  s = ComputeSplitSizes(10, {0.5, 0.25, 0.25});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->train, 5u);
  EXPECT_EQ(s->validation, 3u);
  EXPECT_EQ(s->test, 2u);
  // With no test share, validation takes the rest.
  s = ComputeSplitSizes(7, {0.7, 0.3, 0});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->train, 5u);
  EXPECT_EQ(s->validation, 2u);
  EXPECT_EQ(s->test, 0u);
}

TEST(DatasetTest, SplitSizesRejectBadRatiosAndTooFewRows) {
  StatusOr<SplitSizes> s = ComputeSplitSizes(804, {0.7, 0.2, 0.2});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.status().message(),
            "ratios must sum to 1: train 0.7 + validation 0.2 + test 0.2 = "
            "1.0999999999999999");
  s = ComputeSplitSizes(804, {1.2, -0.1, -0.1});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "ratio 'train' must be between 0 and 1, got 1.2");
  s = ComputeSplitSizes(3, {0.7, 0.15, 0.15});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.status().message(),
            "3 rows are too few to split 0.7/0.15/0.15: "
            "the validation split would get no row");
  s = ComputeSplitSizes(0, {1, 0, 0});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace mlflowctl::ml
