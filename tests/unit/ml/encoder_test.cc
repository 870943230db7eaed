#include "steps/ml/encoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mlflowctl::ml {
namespace {

using ::testing::ElementsAre;

constexpr char kCarRows[] =
    "Price,Mileage,Make,Type,Doors\n"
    "22661.05,20105,Chevy,sedan,4\n"
    "21725.01,13457,Buick,coupe,2\n"
    "29142.71,31655,Saab,convertible,2\n"
    "30731.94,22479,Chevy,coupe,2\n";

Dataset Cars() {
  StatusOr<CsvTable> table = ParseCsv(kCarRows, "cars.csv");
  EXPECT_TRUE(table.ok());
  StatusOr<Dataset> ds = Dataset::FromCsv(*table);
  EXPECT_TRUE(ds.ok()) << ds.status().ToString();
  return *ds;
}

Encoder CarEncoder() {
  StatusOr<Encoder> enc = Encoder::FromDataset(Cars(), "Price");
  EXPECT_TRUE(enc.ok()) << enc.status().ToString();
  return *enc;
}

TEST(EncoderTest, FeaturesAreNumericColumnsThenSortedOneHots) {
  Encoder enc = CarEncoder();
  EXPECT_EQ(enc.target(), "Price");
  EXPECT_THAT(enc.features(),
              ElementsAre("Mileage", "Doors", "Make=Buick", "Make=Chevy", "Make=Saab",
                          "Type=convertible", "Type=coupe", "Type=sedan"));
  ASSERT_EQ(enc.columns().size(), 4u);
  EXPECT_EQ(enc.columns()[1].name, "Make");
  EXPECT_THAT(enc.columns()[1].categories, ElementsAre("Buick", "Chevy", "Saab"));
}

TEST(EncoderTest, EncodesARecordAsNumbersAndOneHots) {
  std::vector<double> out;
  Status s = CarEncoder().Encode(
      {{"Mileage", "1000.5"}, {"Make", "Saab"}, {"Type", "coupe"}, {"Doors", "2"}}, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_THAT(out, ElementsAre(1000.5, 2, 0, 0, 1, 0, 1, 0));
}

TEST(EncoderTest, UnseenOrMissingCategoryEncodesAsZeros) {
  std::vector<double> out;
  ASSERT_TRUE(
      CarEncoder()
          .Encode({{"Mileage", "5"}, {"Make", "Ferrari"}, {"Doors", "4"}, {"id", "x"}}, &out)
          .ok());
  EXPECT_THAT(out, ElementsAre(5, 4, 0, 0, 0, 0, 0, 0));
}

TEST(EncoderTest, MissingNumericColumnIsAClearError) {
  std::vector<double> out;
  Status s = CarEncoder().Encode({{"Make", "Saab"}, {"Doors", "2"}}, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "record has no value for numeric column 'Mileage'");
}

TEST(EncoderTest, TextInANumericColumnIsAnError) {
  std::vector<double> out;
  Status s = CarEncoder().Encode({{"Mileage", "lots"}, {"Doors", "2"}}, &out);
  EXPECT_EQ(s.message(), "column 'Mileage': 'lots' is not a number");
}

TEST(EncoderTest, EncodeValuesTakesRawValuesInColumnOrder) {
  Encoder enc = CarEncoder();
  std::vector<double> out(enc.feature_count(), -1);
  ASSERT_TRUE(enc.EncodeValues({"7", "Buick", "wagon", "4"}, out.data()).ok());
  EXPECT_THAT(out, ElementsAre(7, 4, 1, 0, 0, 0, 0, 0));
  Status s = enc.EncodeValues({"7", "Buick"}, out.data());
  EXPECT_EQ(s.message(), "expected 4 values (one per input column), got 2");
}

TEST(EncoderTest, EncodeDatasetMatchesRecordByRecordEncoding) {
  Dataset ds = Cars();
  Encoder enc = CarEncoder();
  StatusOr<std::vector<double>> matrix = enc.EncodeDataset(ds);
  ASSERT_TRUE(matrix.ok());
  ASSERT_EQ(matrix->size(), ds.num_rows() * enc.feature_count());
  for (std::size_t r = 0; r < ds.num_rows(); ++r) {
    Record record;
    for (std::size_t c = 0; c < ds.num_columns(); ++c) {
      record[ds.column(c).name] = ds.CellText(r, c);
    }
    std::vector<double> row;
    ASSERT_TRUE(enc.Encode(record, &row).ok());
    EXPECT_EQ(std::vector<double>(matrix->begin() + r * enc.feature_count(),
                                  matrix->begin() + (r + 1) * enc.feature_count()),
              row);
  }
}

TEST(EncoderTest, EncodeDatasetNamesTheLineOfABadValue) {
  Encoder enc = CarEncoder();
  StatusOr<CsvTable> table =
      ParseCsv("Mileage,Make,Type,Doors\n1,Saab,coupe,2\nmany,Saab,coupe,2\n", "score.csv");
  ASSERT_TRUE(table.ok());
  StatusOr<Dataset> ds = Dataset::FromCsv(*table);
  ASSERT_TRUE(ds.ok());
  StatusOr<std::vector<double>> matrix = enc.EncodeDataset(*ds);
  ASSERT_FALSE(matrix.ok());
  EXPECT_EQ(matrix.status().message(), "score.csv:3: column 'Mileage': 'many' is not a number");
}

TEST(EncoderTest, ManifestRoundTripEncodesTheSame) {
  Encoder enc = CarEncoder();
  Json manifest = enc.ToManifest();
  EXPECT_EQ(manifest["columns"][1], Json::parse(R"({"name": "Make", "type": "categorical",
                            "categories": ["Buick", "Chevy", "Saab"]})"));
  EXPECT_EQ(manifest["columns"][0], Json::parse(R"({"name": "Mileage", "type": "numeric"})"));
  // Through text, as the manifest file would go.
  StatusOr<Json> reparsed = ParseJson(manifest.dump(2));
  ASSERT_TRUE(reparsed.ok());
  StatusOr<Encoder> loaded = Encoder::FromManifest(*reparsed);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->features(), enc.features());
  EXPECT_EQ(loaded->target(), "Price");
  Record record{{"Mileage", "3"}, {"Make", "Chevy"}, {"Type", "sedan"}, {"Doors", "4"}};
  std::vector<double> a, b;
  ASSERT_TRUE(enc.Encode(record, &a).ok());
  ASSERT_TRUE(loaded->Encode(record, &b).ok());
  EXPECT_EQ(a, b);
}

std::string ManifestError(const char* text) {
  StatusOr<Encoder> enc = Encoder::FromManifest(Json::parse(text));
  EXPECT_FALSE(enc.ok());
  return enc.ok() ? "" : enc.status().message();
}

TEST(EncoderTest, BadManifestsAreRejectedNamingTheMember) {
  EXPECT_EQ(ManifestError(R"({"columns": []})"), "manifest: 'target' must be a string");
  EXPECT_EQ(ManifestError(R"({"target": "y"})"), "manifest: 'columns' must be an array");
  EXPECT_EQ(ManifestError(R"({"target": "y", "columns": [{"name": "a", "type": "text"}]})"),
            "manifest: columns[0].type must be \"numeric\" or \"categorical\"");
  EXPECT_EQ(ManifestError(
                R"({"target": "y", "columns": [{"name": "a", "type": "categorical",
                              "categories": ["b", "a"]}]})"),
            "manifest: columns[0].categories must be sorted and distinct");
  EXPECT_EQ(ManifestError(
                R"({"target": "y", "columns": [{"name": "a", "type": "numeric"}],
                              "features": ["b"]})"),
            "manifest: 'features' does not match the features its 'columns' define");
  EXPECT_EQ(ManifestError(R"({"target": "y", "columns": [{"name": "y", "type": "numeric"}]})"),
            "manifest: column 'y' is the target and cannot be a feature");
  EXPECT_EQ(ManifestError(
                R"({"target": "y", "columns": [{"name": "a", "type": "numeric"},
                                                           {"name": "a", "type": "numeric"}]})"),
            "manifest: column 'a' appears more than once");
}

TEST(EncoderTest, ManifestFileThatCannotBeReadIsNotFound) {
  StatusOr<Encoder> enc = Encoder::FromManifestFile("/nonexistent/manifest.json");
  ASSERT_FALSE(enc.ok());
  EXPECT_EQ(enc.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace mlflowctl::ml
