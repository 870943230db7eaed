#include "steps/preprocess_step.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <sstream>

#include "engine/base/json_util.h"
#include "engine/runtime/resource_registry.h"
#include "steps/ml/csv.h"
#include "steps/ml/dataset.h"
#include "steps/ml/encoder.h"
#include "steps/registry.h"

namespace mlflowctl::steps {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kArn[] = "arn:aws:states:local:000000000000:execution:training:exec-1";

fs::path RepoRoot() { return fs::path(MLF_SOURCE_DIR); }

std::string TidyCsv() { return (RepoRoot() / "examples/data/car_prices_tidy.csv").string(); }

std::string Slurp(const fs::path& path) {
  StatusOr<std::string> text = ReadFile(path.string());
  EXPECT_TRUE(text.ok()) << path;
  return text.ok() ? *text : "";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class PreprocessStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() /
            ("mlflowctl_preprocess_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(home_);
    fs::create_directories(home_);
    env_.home = home_.string();
  }
  void TearDown() override { fs::remove_all(home_); }

  runtime::StepResult Run(const Json& input, const std::string& arn = kArn) {
    PreprocessStep step(env_);
    runtime::TaskRequest request;
    request.resource = "mlflowctl:preprocess";
    request.input = input;
    request.execution_arn = arn;
    request.state_name = "Preprocess";
    request.cancelled = &cancelled_;
    return step.Invoke(request);
  }

  Json MustSucceed(const Json& input) {
    runtime::StepResult r = Run(input);
    if (const Error* e = std::get_if<Error>(&r)) {
      ADD_FAILURE() << e->name << ": " << e->cause;
      return Json();
    }
    return std::get<Json>(r);
  }

  Error MustFail(const Json& input) {
    runtime::StepResult r = Run(input);
    EXPECT_TRUE(std::holds_alternative<Error>(r)) << DumpJson(std::get<Json>(r));
    return std::holds_alternative<Error>(r) ? std::get<Error>(r) : Error{};
  }

  // Writes a CSV input under the home directory; returns its path.
  std::string WriteInput(const std::string& name, const std::string& content) {
    std::string path = (home_ / "in" / name).string();
    EXPECT_TRUE(ml::WriteFileAtomically(path, content).ok());
    return path;
  }

  fs::path Local(const std::string& uri) { return ResolveUri(env_, uri); }

  fs::path home_;
  StepEnv env_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(PreprocessStepTest, SplitsTheCarDataIntoTrainingFormatFilesAndAManifest) {
  Json out = MustSucceed(
      {{"InputUri", TidyCsv()}, {"Target", "Price"}, {"OutputUri", "s3://bucket/prep/"}});
  EXPECT_EQ(out["TrainUri"], "s3://bucket/prep/train.csv");
  EXPECT_EQ(out["ValidationUri"], "s3://bucket/prep/validation.csv");
  EXPECT_EQ(out["TestUri"], "s3://bucket/prep/test.csv");
  EXPECT_EQ(out["ManifestUri"], "s3://bucket/prep/manifest.json");
  EXPECT_EQ(out["OutputUri"], "s3://bucket/prep");
  EXPECT_EQ(out["Target"], "Price");
  // 804 rows: train round(562.8) = 563, validation round(120.6) = 121, test the
  // rest.
  EXPECT_EQ(out["Rows"], Json::parse(R"({"train": 563, "validation": 121, "test": 120})"));
  EXPECT_EQ(out["Features"], Json::parse(
                                 R"(["Mileage", "Cylinder", "Doors", "Cruise", "Sound", "Leather",
                "Make=Buick", "Make=Cadillac", "Make=Chevy", "Make=Pontiac", "Make=Saab",
                "Make=Saturn", "Type=convertible", "Type=coupe", "Type=hatchback",
                "Type=sedan", "Type=wagon"])"));

  // car_prices.csv is the same data one-hot encoded by its authors, with its
  // columns in the order of our features: the splits, concatenated, must be
  // its rows in the seeded order, value for value.
  StatusOr<ml::NumericCsv> reference =
      ml::ReadNumericCsvFile((RepoRoot() / "examples/data/car_prices.csv").string());
  ASSERT_TRUE(reference.ok()) << reference.status().ToString();
  ASSERT_EQ(reference->rows, 804u);
  ASSERT_EQ(reference->cols, 18u);
  std::vector<double> all;
  std::size_t rows = 0;
  for (const char* name : {"train.csv", "validation.csv", "test.csv"}) {
    StatusOr<ml::NumericCsv> split = ml::ReadNumericCsvFile(
        (Local("s3://bucket/prep") / name).string(), ml::CsvOptions{.has_header = false});
    ASSERT_TRUE(split.ok()) << split.status().ToString();
    ASSERT_EQ(split->cols, 18u) << name;
    rows += split->rows;
    all.insert(all.end(), split->values.begin(), split->values.end());
  }
  ASSERT_EQ(rows, 804u);
  std::vector<std::size_t> order = ml::ShuffledRowOrder(804, 42);
  for (std::size_t i = 0; i < 804; ++i) {
    for (std::size_t c = 0; c < 18; ++c) {
      ASSERT_EQ(all[i * 18 + c], reference->at(order[i], c)) << "row " << i << " col " << c;
    }
  }
  std::string train = Slurp(Local("s3://bucket/prep/train.csv"));
  EXPECT_EQ(train.find('\r'), std::string::npos);
  EXPECT_EQ(Lines(train).size(), 563u);

  StatusOr<Json> manifest = ParseJsonFile(Local("s3://bucket/prep/manifest.json").string());
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ((*manifest)["target"], "Price");
  EXPECT_EQ((*manifest)["features"], out["Features"]);
  EXPECT_EQ((*manifest)["source"], TidyCsv());
  EXPECT_EQ((*manifest)["seed"], 42);
  EXPECT_EQ((*manifest)["ratios"],
            Json::parse(R"({"train": 0.7, "validation": 0.15, "test": 0.15})"));
  EXPECT_EQ((*manifest)["rows"], out["Rows"]);
  EXPECT_EQ((*manifest)["columns"][1],
            Json::parse(R"({"name": "Make", "type": "categorical", "categories":
                ["Buick", "Cadillac", "Chevy", "Pontiac", "Saab", "Saturn"]})"));
  EXPECT_EQ((*manifest)["columns"].size(), 8u);
}

TEST_F(PreprocessStepTest, ManifestEncoderReproducesTheTestSplitFromRawRows) {
  MustSucceed({{"InputUri", TidyCsv()}, {"Target", "Price"}, {"OutputUri", "s3://b/p"}});
  StatusOr<ml::Encoder> encoder =
      ml::Encoder::FromManifestFile(Local("s3://b/p/manifest.json").string());
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  StatusOr<ml::CsvTable> raw = ml::ReadCsvFile(TidyCsv());
  ASSERT_TRUE(raw.ok());
  StatusOr<ml::NumericCsv> test = ml::ReadNumericCsvFile(Local("s3://b/p/test.csv").string(),
                                                         ml::CsvOptions{.has_header = false});
  ASSERT_TRUE(test.ok());
  ASSERT_EQ(test->rows, 120u);
  std::vector<std::size_t> order = ml::ShuffledRowOrder(804, 42);
  for (std::size_t i = 0; i < test->rows; ++i) {
    const std::vector<std::string>& fields = raw->rows[order[684 + i]];
    ml::Record record;
    for (std::size_t c = 0; c < fields.size(); ++c) record[raw->header[c]] = fields[c];
    std::vector<double> features;
    ASSERT_TRUE(encoder->Encode(record, &features).ok());
    ASSERT_EQ(features.size() + 1, test->cols);
    EXPECT_EQ(test->at(i, 0), std::stod(record["Price"]));
    for (std::size_t f = 0; f < features.size(); ++f) {
      ASSERT_EQ(test->at(i, f + 1), features[f]) << "row " << i << " feature " << f;
    }
  }
}

TEST_F(PreprocessStepTest, SameInputAndSeedGiveByteIdenticalFiles) {
  Json in = {{"InputUri", TidyCsv()}, {"Target", "Price"}, {"Seed", 7}};
  in["OutputUri"] = "s3://b/one";
  MustSucceed(in);
  in["OutputUri"] = "s3://b/two";
  MustSucceed(in);
  for (const char* name : {"train.csv", "validation.csv", "test.csv", "manifest.json"}) {
    std::string one = Slurp(Local("s3://b/one") / name);
    EXPECT_FALSE(one.empty()) << name;
    EXPECT_EQ(one, Slurp(Local("s3://b/two") / name)) << name;
  }
}

TEST_F(PreprocessStepTest, ADifferentSeedGivesADifferentSplitOfTheSameRows) {
  MustSucceed({{"InputUri", TidyCsv()}, {"Target", "Price"}, {"OutputUri", "s3://b/s1"}});
  MustSucceed(
      {{"InputUri", TidyCsv()}, {"Target", "Price"}, {"OutputUri", "s3://b/s2"}, {"Seed", 43}});
  EXPECT_NE(Slurp(Local("s3://b/s1/train.csv")), Slurp(Local("s3://b/s2/train.csv")));
  auto all_rows = [&](const std::string& dir) {
    std::vector<std::string> rows;
    for (const char* name : {"train.csv", "validation.csv", "test.csv"}) {
      for (std::string& l : Lines(Slurp(Local(dir) / name))) rows.push_back(std::move(l));
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  };
  EXPECT_EQ(all_rows("s3://b/s1"), all_rows("s3://b/s2"));
}

TEST_F(PreprocessStepTest, DefaultOutputUriIsUnderTheExecutionName) {
  Json out = MustSucceed({{"InputUri", TidyCsv()}, {"Target", "Price"}});
  EXPECT_EQ(out["OutputUri"], "s3://mlflowctl/executions/exec-1/preprocess");
  EXPECT_TRUE(fs::exists(home_ / "s3/mlflowctl/executions/exec-1/preprocess/train.csv"));
  EXPECT_TRUE(fs::exists(home_ / "s3/mlflowctl/executions/exec-1/preprocess/manifest.json"));
}

TEST_F(PreprocessStepTest, ReadsQuotedCrlfCsvWithDroppedAndCategoricalColumns) {
  std::string path = WriteInput("cars.csv",
                                "\"id\",\"Price\",\"Make\",\"Doors\"\r\n"
                                "a,100.5,\"Saab, 9-3\",2\r\n"
                                "b,200,Chevy,4\r\n"
                                "c,300,\"Saab, 9-3\",4\r\n"
                                "d,400,Buick,2");
  Json out = MustSucceed({{"InputUri", path},
                          {"Target", "Price"},
                          {"OutputUri", "s3://b/small"},
                          {"Drop", {"id"}},
                          {"Categorical", {"Make", "Doors"}},
                          {"Ratios", {{"train", 0.5}, {"validation", 0.25}, {"test", 0.25}}}});
  EXPECT_EQ(out["Features"], Json::parse(R"(["Make=Buick", "Make=Chevy", "Make=Saab, 9-3",
                                             "Doors=2", "Doors=4"])"));
  EXPECT_EQ(out["Rows"], Json::parse(R"({"train": 2, "validation": 1, "test": 1})"));
  const std::vector<std::string> encoded = {"100.5,0,0,1,1,0", "200,0,1,0,0,1", "300,0,0,1,0,1",
                                            "400,1,0,0,1,0"};
  std::vector<std::size_t> order = ml::ShuffledRowOrder(4, 42);
  EXPECT_EQ(Slurp(Local("s3://b/small/train.csv")),
            encoded[order[0]] + "\n" + encoded[order[1]] + "\n");
  EXPECT_EQ(Slurp(Local("s3://b/small/validation.csv")), encoded[order[2]] + "\n");
  EXPECT_EQ(Slurp(Local("s3://b/small/test.csv")), encoded[order[3]] + "\n");
}

TEST_F(PreprocessStepTest, RequiredParametersAndBadValuesAreInvalidParameters) {
  Error e = MustFail({{"Target", "Price"}});
  EXPECT_EQ(e.name, "Mlflow.InvalidParameters");
  EXPECT_EQ(e.cause, "mlflowctl:preprocess: InputUri is required (a non-empty string)");
  e = MustFail({{"InputUri", TidyCsv()}});
  EXPECT_EQ(e.cause, "mlflowctl:preprocess: Target is required (a non-empty string)");
  e = MustFail({{"InputUri", TidyCsv()}, {"Target", "Price"}, {"Seed", -1}});
  EXPECT_EQ(e.cause, "mlflowctl:preprocess: Seed must be an integer >= 0");
  e = MustFail({{"InputUri", TidyCsv()}, {"Target", "Price"}, {"Ratios", {{"training", 1}}}});
  EXPECT_THAT(e.cause, HasSubstr("Ratios has an unknown key 'training'"));
  e = MustFail({{"InputUri", TidyCsv()}, {"Target", "Price"}, {"Drop", {"Price"}}});
  EXPECT_EQ(e.cause, "mlflowctl:preprocess: the target 'Price' cannot be dropped");
}

TEST_F(PreprocessStepTest, RatiosThatDoNotSumToOneAreInvalidParameters) {
  Error e = MustFail({{"InputUri", TidyCsv()},
                      {"Target", "Price"},
                      {"Ratios", {{"train", 0.8}, {"validation", 0.15}, {"test", 0.15}}}});
  EXPECT_EQ(e.name, "Mlflow.InvalidParameters");
  EXPECT_THAT(e.cause, HasSubstr("ratios must sum to 1: train 0.8 + validation 0.15 + test 0.15"));
}

TEST_F(PreprocessStepTest, MissingInputIsInputNotFound) {
  Error e = MustFail({{"InputUri", "s3://nowhere/cars.csv"}, {"Target", "Price"}});
  EXPECT_EQ(e.name, "Mlflow.InputNotFound");
  EXPECT_THAT(e.cause, HasSubstr("cannot read InputUri 's3://nowhere/cars.csv'"));
}

TEST_F(PreprocessStepTest, RaggedRowIsInvalidCsvNamingFileAndLine) {
  std::string path = WriteInput("bad.csv", "Price,Make\n1,\"multi\nline\"\n2\n");
  Error e = MustFail({{"InputUri", path}, {"Target", "Price"}});
  EXPECT_EQ(e.name, "Mlflow.InvalidCsv");
  EXPECT_EQ(e.cause, path + ":4: expected 2 fields (as in the header), found 1");
}

TEST_F(PreprocessStepTest, SchemaProblemsAreSchemaMismatch) {
  std::string path = WriteInput("cars.csv", "Price,Make,Type\n1,Buick,sedan\n2,Saab,coupe\n");
  Error e = MustFail({{"InputUri", path}, {"Target", "Cost"}});
  EXPECT_EQ(e.name, "Mlflow.SchemaMismatch");
  EXPECT_EQ(e.cause, path + ": target column 'Cost' is not in the header (Price, Make, Type)");
  e = MustFail({{"InputUri", path}, {"Target", "Make"}});
  EXPECT_EQ(e.name, "Mlflow.SchemaMismatch");
  EXPECT_EQ(e.cause, path + ":2: 'Make' (column 2) must be numeric: 'Buick' is not a number");
  // Listing the categorical columns makes every other column numeric.
  e = MustFail({{"InputUri", path}, {"Target", "Price"}, {"Categorical", {"Make"}}});
  EXPECT_EQ(e.cause, path + ":2: 'Type' (column 3) must be numeric: 'sedan' is not a number");
  e = MustFail({{"InputUri", path}, {"Target", "Price"}, {"Drop", {"id"}}});
  EXPECT_THAT(e.cause, HasSubstr("dropped column 'id' is not in the header"));
}

TEST_F(PreprocessStepTest, TooFewRowsIsNotEnoughRows) {
  std::string path = WriteInput("tiny.csv", "Price,Mileage\n1,2\n3,4\n5,6\n");
  Error e = MustFail({{"InputUri", path}, {"Target", "Price"}});
  EXPECT_EQ(e.name, "Mlflow.NotEnoughRows");
  EXPECT_EQ(e.cause, path +
                         ": 3 rows are too few to split 0.7/0.15/0.15: the validation split "
                         "would get no row");
  path = WriteInput("header_only.csv", "Price,Mileage\n");
  e = MustFail({{"InputUri", path}, {"Target", "Price"}});
  EXPECT_EQ(e.name, "Mlflow.NotEnoughRows");
  path = WriteInput("empty.csv", "");
  e = MustFail({{"InputUri", path}, {"Target", "Price"}});
  EXPECT_EQ(e.name, "Mlflow.InvalidCsv");
  EXPECT_EQ(e.cause, path + ":1: empty file (expected a header line)");
}

TEST_F(PreprocessStepTest, IsRegisteredAsMlflowctlPreprocess) {
  runtime::ResourceRegistry registry;
  RegisterBuiltinSteps(registry, env_);
  EXPECT_NE(registry.Find("mlflowctl:preprocess"), nullptr);
}

}  // namespace
}  // namespace mlflowctl::steps
