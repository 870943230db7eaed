#include "steps/ml/data_quality.h"

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "steps/ml/csv.h"

namespace mlflowctl::ml {
namespace {

std::string TestData(const std::string& name) {
  return (std::filesystem::path(MLF_SOURCE_DIR) / "tests/unit/ml/testdata" / name).string();
}

Json ReadJson(const std::string& name) {
  StatusOr<Json> j = ParseJsonFile(TestData(name));
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? *j : Json();
}

// A CSV with a header as RawDataset (an empty field is missing).
RawDataset FromCsv(const CsvTable& table) {
  RawDataset data;
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    DataColumn column{table.header[c], {}};
    for (const auto& row : table.rows) {
      column.values.push_back(row[c].empty() ? std::nullopt : std::optional<std::string>(row[c]));
    }
    data.columns.push_back(std::move(column));
  }
  return data;
}

DataColumn Column(std::string name, const std::vector<std::string>& values) {
  DataColumn c{std::move(name), {}};
  for (const std::string& v : values) {
    c.values.push_back(v.empty() ? std::nullopt : std::optional<std::string>(v));
  }
  return c;
}

std::vector<std::string> Numbers(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(std::to_string(i));
  return out;
}

std::vector<std::string> Repeat(const std::vector<std::string>& pattern, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(pattern[i % pattern.size()]);
  return out;
}

TEST(DataQualityTest, ClassifiesValuesAsDeequDoes) {
  EXPECT_EQ(ClassifyValue("42"), InferredType::kIntegral);
  EXPECT_EQ(ClassifyValue("-7"), InferredType::kIntegral);
  EXPECT_EQ(ClassifyValue(" +3 "), InferredType::kIntegral);
  EXPECT_EQ(ClassifyValue("1.5"), InferredType::kFractional);
  EXPECT_EQ(ClassifyValue(".5"), InferredType::kFractional);
  EXPECT_EQ(ClassifyValue("5."), InferredType::kFractional);
  EXPECT_EQ(ClassifyValue("1e-5"), InferredType::kFractional);
  EXPECT_EQ(ClassifyValue("2.5E+10"), InferredType::kFractional);
  EXPECT_EQ(ClassifyValue("."), InferredType::kString);
  EXPECT_EQ(ClassifyValue("1e"), InferredType::kString);
  EXPECT_EQ(ClassifyValue("true"), InferredType::kString);
  EXPECT_EQ(ClassifyValue("nan"), InferredType::kString);
  EXPECT_EQ(ClassifyValue("Buick"), InferredType::kString);
  EXPECT_EQ(ClassifyValue("12abc"), InferredType::kString);
}

TEST(DataQualityTest, InfersTheColumnTypeFromAllValues) {
  EXPECT_EQ(InferColumnType(Column("a", {"1", "2", ""}).values), InferredType::kIntegral);
  EXPECT_EQ(InferColumnType(Column("a", {"1", "2.5"}).values), InferredType::kFractional);
  EXPECT_EQ(InferColumnType(Column("a", {"1", "x"}).values), InferredType::kString);
  EXPECT_EQ(InferColumnType(Column("a", {"", ""}).values), InferredType::kUnknown);
  EXPECT_STREQ(InferredTypeName(InferredType::kFractional), "Fractional");
  EXPECT_EQ(ParseInferredType("Boolean"), InferredType::kString);
  EXPECT_EQ(ParseInferredType("Decimal"), std::nullopt);
}

// Golden files: statistics and constraints of testdata/baseline_small.csv,
// computed by hand (mean 40, population std_dev sqrt(200/3) = 8.1649...,
// income std_dev sqrt(2 * 999.75^2 / 3) = 816.29..., 10 buckets min..max).
TEST(DataQualityTest, StatisticsOfASmallCsvMatchTheGoldenFile) {
  StatusOr<CsvTable> table = ReadCsvFile(TestData("baseline_small.csv"));
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  Json stats = ComputeStatistics(FromCsv(*table));
  Json golden = ReadJson("statistics_small.json");
  EXPECT_EQ(stats, golden) << stats.dump(2);
  EXPECT_DOUBLE_EQ(stats["features"][0]["numerical_statistics"]["std_dev"].get<double>(),
                   std::sqrt(200.0 / 3.0));
  EXPECT_DOUBLE_EQ(stats["features"][1]["numerical_statistics"]["std_dev"].get<double>(),
                   816.2924567824941);
}

TEST(DataQualityTest, ConstraintsOfASmallCsvMatchTheGoldenFile) {
  StatusOr<Json> constraints = SuggestConstraints(ReadJson("statistics_small.json"));
  ASSERT_TRUE(constraints.ok()) << constraints.status().ToString();
  EXPECT_EQ(*constraints, ReadJson("constraints_small.json")) << constraints->dump(2);
}

TEST(DataQualityTest, StatisticsPrintVersionAndDistinctCountAsFloatingPoint) {
  RawDataset data{{Column("message", {"a", "a"})}};
  std::string text = ComputeStatistics(data).dump();
  EXPECT_NE(text.find("\"version\":0.0"), std::string::npos) << text;
  EXPECT_NE(text.find("\"distinct_count\":1.0"), std::string::npos) << text;
  EXPECT_NE(text.find("\"item_count\":2"), std::string::npos) << text;
}

TEST(DataQualityTest, NegativeNumbersAndHighCardinalityStringsGetNoSuchConstraint) {
  RawDataset data{{Column("delta", {"-1", "2", "3"}), Column("id", {"a", "b", "c"})}};
  StatusOr<Json> c = SuggestConstraints(ComputeStatistics(data));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)["features"][0]["num_constraints"]["is_non_negative"], false);
  // every id occurs once: no domain (Deequ CategoricalRangeRule)
  EXPECT_FALSE((*c)["features"][1].contains("string_constraints"));
}

TEST(DataQualityTest, ForcedNumericTypeCountsNonNumbersAsMissing) {
  RawDataset data{{Column("x", {"1", "oops", "3", ""})}};
  std::map<std::string, InferredType> types{{"x", InferredType::kIntegral}};
  Json stats = ComputeStatistics(data, {}, &types);
  const Json& f = stats["features"][0];
  EXPECT_EQ(f["inferred_type"], "Integral");
  EXPECT_EQ(f["numerical_statistics"]["common"]["num_present"], 2);
  EXPECT_EQ(f["numerical_statistics"]["common"]["num_missing"], 2);
  EXPECT_EQ(f["numerical_statistics"]["mean"], 2.0);
}

TEST(DataQualityTest, ViolationsSerializeAsConstraintViolationsJson) {
  Json j = ViolationsToJson({{"f", "completeness_check",
                              "Value: 0.5 does not meet the "
                              "constraint requirement! "}});
  EXPECT_EQ(j, Json::parse(R"({"violations": [{"feature_name": "f",
      "constraint_check_type": "completeness_check",
      "description": "Value: 0.5 does not meet the constraint requirement! "}]})"));
}

// A baseline of 200 rows: x = 0..199, price fractional, city over 4 values.
struct Baseline {
  Json statistics;
  Json constraints;
};
Baseline MakeBaseline() {
  std::vector<std::string> price;
  for (int i = 0; i < 200; ++i) price.push_back(std::to_string(i) + ".5");
  RawDataset data{{Column("x", Numbers(0, 200)), Column("price", price),
                   Column("city", Repeat({"Paris", "Lyon", "Nice", "Lille"}, 200))}};
  Baseline b;
  b.statistics = ComputeStatistics(data);
  b.constraints = *SuggestConstraints(b.statistics);
  return b;
}

TEST(DataQualityTest, DataLikeTheBaselineHasNoViolation) {
  Baseline b = MakeBaseline();
  std::vector<std::string> price;
  for (int i = 0; i < 100; ++i) price.push_back(std::to_string(2 * i) + ".5");
  RawDataset current{{Column("x", Numbers(50, 150)), Column("price", price),
                      Column("city", Repeat({"Lyon", "Paris", "Lille", "Nice"}, 100))}};
  StatusOr<DataQualityReport> r = CheckDataQuality(current, b.statistics, b.constraints);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->violations.empty()) << ViolationsToJson(r->violations).dump(2);
  EXPECT_EQ(r->statistics["dataset"]["item_count"], 100);
  EXPECT_EQ(r->statistics["features"][0]["inferred_type"], "Integral");
}

TEST(DataQualityTest, DriftedDataViolatesEveryCheck) {
  Baseline b = MakeBaseline();
  // x: shifted by 150 (half of it beyond the baseline max) and one string;
  // price: 30% missing; city: mostly unknown values; "city" becomes "town".
  std::vector<std::string> x = Numbers(150, 249);
  x.push_back("n/a");
  std::vector<std::string> price =
      Repeat({"1.5", "2.5", "", "3.5", "4.5", "", "5.5", "6.5", "", "7.5"}, 100);
  RawDataset current{
      {Column("x", x), Column("price", price), Column("town", Repeat({"Paris"}, 100))}};
  StatusOr<DataQualityReport> r = CheckDataQuality(current, b.statistics, b.constraints);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::pair<std::string, std::string>> got;
  for (const Violation& v : r->violations)
    got.emplace_back(v.feature_name, v.constraint_check_type);
  std::vector<std::pair<std::string, std::string>> want{{"x", "baseline_drift_check"},
                                                        {"price", "completeness_check"},
                                                        {"price", "baseline_drift_check"},
                                                        {"city", "missing_column_check"},
                                                        {"town", "extra_column_check"}};
  EXPECT_EQ(got, want) << ViolationsToJson(r->violations).dump(2);
  // 1 value in 100 is not Integral: below datatype_check_threshold 0.1.
  EXPECT_EQ(r->violations[1].description, "Value: 0.7 does not meet the constraint requirement! ");
  EXPECT_EQ(r->violations[3].description,
            "There are missing columns in current dataset. Number of columns "
            "in current "
            "dataset: 3, Number of columns in baseline constraints: 3");
}

TEST(DataQualityTest, TypesAndUnknownCategoriesAreChecked) {
  Baseline b = MakeBaseline();
  std::vector<std::string> x = Repeat({"1", "2", "x"}, 90);   // a third are strings
  std::vector<std::string> price = Repeat({"1", "2.5"}, 90);  // integral values are fine
  std::vector<std::string> city = Repeat({"Paris", "Rome", "Oslo"}, 90);
  RawDataset current{{Column("x", x), Column("price", price), Column("city", city)}};
  StatusOr<DataQualityReport> r = CheckDataQuality(current, b.statistics, b.constraints);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> checks;
  for (const Violation& v : r->violations)
    checks.push_back(v.feature_name + ":" + v.constraint_check_type);
  EXPECT_EQ(checks, (std::vector<std::string>{
                        "x:data_type_check", "x:baseline_drift_check", "price:baseline_drift_check",
                        "city:categorical_values_check", "city:baseline_drift_check"}));
  EXPECT_EQ(r->violations[0].description,
            "Data type match requirement is not met. Expected data type: "
            "Integral, Expected "
            "match: 90.0%. Observed: Only " +
                fmt::format("{}", 60 / 90.0 * 100) + "% of data is Integral.");
  EXPECT_EQ(r->violations[3].description,
            fmt::format("Value: {} does not meet the constraint requirement! ", 30 / 90.0));
}

TEST(DataQualityTest, OverridesAndDisabledComparisonSilenceChecks) {
  Baseline b = MakeBaseline();
  RawDataset current{{Column("x", Numbers(1000, 1100)), Column("price", Repeat({"1.5"}, 100)),
                      Column("city", Repeat({"Rome"}, 100))}};
  Json constraints = b.constraints;
  constraints["features"][0]["monitoringConfigOverrides"] = {{"comparison_threshold", 1.0}};
  constraints["features"][2]["string_constraints"]["monitoring_config_overrides"] = {
      {"evaluate_constraints", "Disabled"}};
  constraints["monitoring_config"]["distribution_constraints"]["comparison_method"] = "linf_simple";
  StatusOr<DataQualityReport> r = CheckDataQuality(current, b.statistics, constraints);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<std::string> checks;
  for (const Violation& v : r->violations)
    checks.push_back(v.feature_name + ":" + v.constraint_check_type);
  // x: simple distance 1.0 is not > 1.0; city: no categorical_values_check.
  EXPECT_EQ(checks,
            (std::vector<std::string>{"price:baseline_drift_check", "city:baseline_drift_check"}));
  EXPECT_EQ(r->violations[1].description, "Baseline drift distance: 1.0 exceeds threshold: 0.1");

  constraints["monitoring_config"]["distribution_constraints"]["perform_comparison"] = "Disabled";
  r = CheckDataQuality(current, b.statistics, constraints);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->violations.empty()) << ViolationsToJson(r->violations).dump(2);
}

TEST(DataQualityTest, ChiSquaredDriftFiresOnASmallPValue) {
  Baseline b = MakeBaseline();
  Json constraints = b.constraints;
  constraints["monitoring_config"]["distribution_constraints"]["categorical_drift_method"] =
      "ChiSquared";
  RawDataset same{{Column("city", Repeat({"Paris", "Lyon", "Nice", "Lille"}, 100))}};
  RawDataset skewed{
      {Column("city", Repeat({"Paris", "Paris", "Paris", "Lyon", "Nice", "Lille"}, 120))}};
  auto drift = [&](const RawDataset& d) {
    StatusOr<DataQualityReport> r = CheckDataQuality(d, b.statistics, constraints);
    EXPECT_TRUE(r.ok());
    int n = 0;
    for (const Violation& v : r->violations) n += v.constraint_check_type == "baseline_drift_check";
    return n;
  };
  EXPECT_EQ(drift(same), 0);
  EXPECT_EQ(drift(skewed), 1);
}

// The SDK's real files use other keys (enable_comparisons, overrides inside
// string_constraints); they must be accepted.
TEST(DataQualityTest, AcceptsTheSdkTestFiles) {
  Json stats = ReadJson("sdk_statistics.json");
  Json constraints = ReadJson("sdk_constraints.json");
  std::vector<std::string> message = Repeat({"preproc-not-YET-supported-for-csv-json"}, 100);
  message[0] = "hello";
  RawDataset current{{Column("message", message)}};
  StatusOr<DataQualityReport> r = CheckDataQuality(current, stats, constraints);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->violations.empty()) << ViolationsToJson(r->violations).dump(2);

  RawDataset other{{Column("message", Repeat({"hello"}, 100))}};
  r = CheckDataQuality(other, stats, constraints);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->violations.size(), 1u) << ViolationsToJson(r->violations).dump(2);
  EXPECT_EQ(r->violations[0].constraint_check_type, "categorical_values_check");
  EXPECT_EQ(r->violations[0].description, "Value: 0.0 does not meet the constraint requirement! ");
}

TEST(DataQualityTest, RejectsMalformedBaselines) {
  RawDataset current{{Column("x", {"1"})}};
  EXPECT_FALSE(CheckDataQuality(current, Json::object(), Json::parse("[]")).ok());
  Json bad_type = Json::parse(R"({"features": [{"name": "x", "inferred_type": "Decimal"}]})");
  EXPECT_FALSE(CheckDataQuality(current, Json::object(), bad_type).ok());
  Json bad_method = Json::parse(R"({"features": [],
      "monitoring_config": {"distribution_constraints": {"comparison_method": "Fancy"}}})");
  EXPECT_FALSE(CheckDataQuality(current, Json::object(), bad_method).ok());
  EXPECT_FALSE(SuggestConstraints(Json::parse(R"({"features": 1})")).ok());
}

}  // namespace
}  // namespace mlflowctl::ml
