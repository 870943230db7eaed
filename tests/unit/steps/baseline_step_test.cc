#include "steps/baseline_step.h"

#include <stdlib.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "steps/ml/linear_model.h"
#include "steps/ml/model.h"

namespace mlflowctl::steps {
namespace {

namespace fs = std::filesystem;
using runtime::StepResult;
using runtime::TaskRequest;

class BaselineStepTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "baseline_step_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    env_.home = dir_ + "/home";
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
    return path;
  }

  StepResult Run(Json input) {
    BaselineStep step(env_);
    TaskRequest r;
    r.resource = "mlflowctl:baseline";
    r.input = std::move(input);
    r.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:Training:exec-7";
    r.state_name = "Baseline";
    r.cancelled = &cancelled_;
    return step.Invoke(r);
  }

  Json Ok(Json input) {
    StepResult r = Run(std::move(input));
    if (std::holds_alternative<Error>(r)) {
      ADD_FAILURE() << std::get<Error>(r).name << ": " << std::get<Error>(r).cause;
      return Json();
    }
    return std::get<Json>(r);
  }

  std::string ErrorName(Json input) {
    StepResult r = Run(std::move(input));
    return std::holds_alternative<Error>(r) ? std::get<Error>(r).name : "(no error)";
  }

  Json ReadUri(const Json& uri) {
    StatusOr<Json> j = ParseJsonFile(ResolveUri(env_, uri.get<std::string>()));
    EXPECT_TRUE(j.ok()) << j.status().ToString();
    return j.ok() ? *j : Json();
  }

  // A training-format split (target first, no header) and its manifest.
  void WriteTrainingFormat() {
    Write("home/s3/data/train.csv", "10,100.5,0,1\n12,200,1,0\n14,300.25,1,0\n16,400,0,1\n");
    Write("home/s3/data/manifest.json", R"({"target": "Price",
        "features": ["Mileage", "Make=Buick", "Make=Saab"],
        "columns": [{"name": "Mileage", "type": "numeric"},
                    {"name": "Make", "type": "categorical", "categories": ["Buick", "Saab"]}]})");
  }

  std::string dir_;
  StepEnv env_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(BaselineStepTest, ProfilesTheTrainingFormatNamedByTheManifest) {
  WriteTrainingFormat();
  Json out = Ok({{"DataUri", "s3://data/train.csv"},
                 {"ManifestUri", "s3://data/manifest.json"},
                 {"OutputUri", "s3://out/baseline/"}});
  EXPECT_EQ(out["StatisticsUri"], "s3://out/baseline/statistics.json");
  EXPECT_EQ(out["ConstraintsUri"], "s3://out/baseline/constraints.json");
  EXPECT_FALSE(out.contains("ModelQualityStatisticsUri"));
  EXPECT_EQ(out["Summary"], Json::parse(R"({"ItemCount": 4, "Features": 3, "NumericFeatures": 3,
      "StringFeatures": 0, "IncompleteFeatures": []})"));

  Json stats = ReadUri(out["StatisticsUri"]);
  ASSERT_EQ(stats["features"].size(), 3u);  // the target is left out
  const Json& mileage = stats["features"][0];
  EXPECT_EQ(mileage["name"], "Mileage");
  EXPECT_EQ(mileage["inferred_type"], "Fractional");
  // 100.5 + 200 + 300.25 + 400 = 1000.75
  EXPECT_EQ(mileage["numerical_statistics"]["sum"], 1000.75);
  EXPECT_EQ(mileage["numerical_statistics"]["mean"], 1000.75 / 4);
  EXPECT_EQ(mileage["numerical_statistics"]["distribution"]["kll"]["sketch"]["data"],
            Json::parse("[[100.5, 200.0, 300.25, 400.0]]"));
  EXPECT_EQ(stats["features"][1]["name"], "Make=Buick");
  EXPECT_EQ(stats["features"][1]["inferred_type"], "Integral");

  Json constraints = ReadUri(out["ConstraintsUri"]);
  EXPECT_EQ(constraints["features"][1], Json::parse(R"({"name": "Make=Buick",
      "inferred_type": "Integral", "completeness": 1.0,
      "num_constraints": {"is_non_negative": true}})"));
  EXPECT_EQ(constraints["monitoring_config"]["distribution_constraints"]["comparison_threshold"],
            0.1);
}

TEST_F(BaselineStepTest, IncludeTargetProfilesTheFirstColumnToo) {
  WriteTrainingFormat();
  Json out = Ok({{"DataUri", "s3://data/train.csv"},
                 {"ManifestUri", "s3://data/manifest.json"},
                 {"IncludeTarget", true}});
  Json stats = ReadUri(out["StatisticsUri"]);
  ASSERT_EQ(stats["features"].size(), 4u);
  EXPECT_EQ(stats["features"][0]["name"], "Price");
  EXPECT_EQ(stats["features"][0]["numerical_statistics"]["mean"], 13.0);
}

TEST_F(BaselineStepTest, DefaultOutputIsUnderTheExecution) {
  WriteTrainingFormat();
  Json out = Ok({{"DataUri", "s3://data/train.csv"}, {"ManifestUri", "s3://data/manifest.json"}});
  EXPECT_EQ(out["OutputUri"], "s3://mlflowctl/executions/exec-7/baseline");
  EXPECT_TRUE(fs::exists(env_.home + "/s3/mlflowctl/executions/exec-7/baseline/statistics.json"));
  EXPECT_TRUE(fs::exists(env_.home + "/s3/mlflowctl/executions/exec-7/baseline/constraints.json"));
}

TEST_F(BaselineStepTest, ACsvWithHeaderGetsStringFeaturesAndDomains) {
  std::string path = Write("tidy.csv",
                           "id,Price,Make,Doors\n"
                           "1,100,Buick,4\n2,120,Saab,\n3,90,Buick,2\n4,110,Saab,4\n");
  Json out = Ok({{"DataUri", path}, {"ExcludeColumns", {"id"}}, {"OutputUri", dir_ + "/out"}});
  EXPECT_EQ(out["Summary"]["Features"], 3);
  EXPECT_EQ(out["Summary"]["StringFeatures"], 1);
  EXPECT_EQ(out["Summary"]["IncompleteFeatures"], Json::parse(R"(["Doors"])"));
  Json constraints = ReadUri(out["ConstraintsUri"]);
  EXPECT_EQ(constraints["features"][1], Json::parse(R"({"name": "Make",
      "inferred_type": "String", "completeness": 1.0,
      "string_constraints": {"domains": ["Buick", "Saab"]}})"));
  EXPECT_EQ(constraints["features"][2]["completeness"], 0.75);
}

TEST_F(BaselineStepTest, WritesTheModelQualityBaselineOfARealModel) {
  // Train y = 2x + 3 exactly; the test labels add errors +1, -1, +2, 0.
  Write("home/s3/data/fit.csv", "3,0\n5,1\n7,2\n9,3\n11,4\n");
  StatusOr<ml::LabeledMatrix> fit = ml::ReadLabeledCsv(env_.home + "/s3/data/fit.csv");
  ASSERT_TRUE(fit.ok());
  StatusOr<ml::LinearModel> linear = ml::LinearModel::Train(*fit, ml::LinearParams{});
  ASSERT_TRUE(linear.ok()) << linear.status().ToString();
  std::string model_dir = env_.home + "/s3/models/job/output/model";
  fs::create_directories(model_dir);
  ASSERT_TRUE(linear->Save(model_dir + "/" + ml::kLinearModelFile).ok());
  ml::ModelMetadata meta;
  meta.algorithm = ml::kLinearLearnerAlgorithm;
  meta.features = {"x"};
  meta.feature_count = 1;
  ASSERT_TRUE(ml::WriteModelMetadata(model_dir, meta).ok());
  Write("home/s3/data/test.csv", "4,0\n6,2\n11,3\n13,5\n");

  Write("home/s3/data/m.json", R"({"target": "y", "features": ["x"]})");
  Json out = Ok({{"DataUri", "s3://data/fit.csv"},
                 {"ManifestUri", "s3://data/m.json"},
                 {"ModelUri", "s3://models/job/output/model"},
                 {"TestUri", "s3://data/test.csv"},
                 {"OutputUri", "s3://out/b"}});
  EXPECT_EQ(out["ModelQualityStatisticsUri"], "s3://out/b/model_quality_statistics.json");
  EXPECT_EQ(out["ModelQualityConstraintsUri"], "s3://out/b/model_quality_constraints.json");
  // predictions 3, 7, 9, 13, errors 1, -1, 2, 0: mse 6/4, mae 1; labels
  // mean 8.5, SS_tot 20.25 + 6.25 + 6.25 + 20.25 = 53, r2 = 1 - 6/53
  const Json mq = ReadUri(out["ModelQualityStatisticsUri"]);
  const Json& m = mq["regression_metrics"];
  EXPECT_NEAR(m["mse"]["value"].get<double>(), 1.5, 1e-9);
  EXPECT_NEAR(m["rmse"]["value"].get<double>(), std::sqrt(1.5), 1e-9);
  EXPECT_NEAR(m["mae"]["value"].get<double>(), 1.0, 1e-9);
  EXPECT_NEAR(m["r2"]["value"].get<double>(), 1 - 6.0 / 53.0, 1e-9);
  EXPECT_EQ(m["r2"]["standard_deviation"], "NaN");  // fewer than 200 rows
  EXPECT_EQ(mq["dataset"]["item_count"], 4);
  EXPECT_NEAR(out["Summary"]["ModelQuality"]["rmse"].get<double>(), std::sqrt(1.5), 1e-9);

  const Json mc = ReadUri(out["ModelQualityConstraintsUri"]);
  EXPECT_EQ(mc["regression_constraints"]["rmse"]["comparison_operator"], "GreaterThanThreshold");
  EXPECT_EQ(mc["regression_constraints"]["r2"]["comparison_operator"], "LessThanThreshold");
  EXPECT_EQ(mc["regression_constraints"]["rmse"]["threshold"], m["rmse"]["value"]);
}

TEST_F(BaselineStepTest, TheShippedCarDataGivesTheSameFilesTwice) {
  std::string cars =
      (fs::path(MLF_SOURCE_DIR) / "examples/data/car_prices_tidy.csv").string();
  if (!fs::exists(cars)) GTEST_SKIP() << "examples/data/car_prices_tidy.csv not present";
  Json a = Ok({{"DataUri", cars}, {"OutputUri", dir_ + "/a"}});
  Json b = Ok({{"DataUri", cars}, {"OutputUri", dir_ + "/b"}});
  EXPECT_EQ(a["Summary"]["ItemCount"], 804);
  EXPECT_EQ(a["Summary"]["Features"], 9);
  StatusOr<std::string> sa = ReadFile(dir_ + "/a/statistics.json");
  StatusOr<std::string> sb = ReadFile(dir_ + "/b/statistics.json");
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ(*sa, *sb);
  Json constraints = ReadUri(a["ConstraintsUri"]);
  std::map<std::string, std::string> types;
  for (const Json& f : constraints["features"]) types[f["name"]] = f["inferred_type"];
  EXPECT_EQ(types["Price"], "Fractional");
  EXPECT_EQ(types["Mileage"], "Integral");
  EXPECT_EQ(types["Make"], "String");
  EXPECT_TRUE(constraints["features"][2].contains("string_constraints"));
}

TEST_F(BaselineStepTest, BadInputsAreNamedErrors) {
  WriteTrainingFormat();
  EXPECT_EQ(ErrorName(Json::object()), "Mlflow.InvalidParameters");
  EXPECT_EQ(ErrorName({{"DataUri", 5}}), "Mlflow.InvalidParameters");
  EXPECT_EQ(ErrorName({{"DataUri", "s3://data/nope.csv"}}), "Mlflow.InputNotFound");
  EXPECT_EQ(ErrorName({{"DataUri", "s3://data/train.csv"},
                       {"ManifestUri", "s3://data/manifest.json"},
                       {"ModelUri", "s3://models/x"}}),
            "Mlflow.InvalidParameters");
  Write("home/s3/data/short.json", R"({"target": "Price", "features": ["Mileage"]})");
  EXPECT_EQ(
      ErrorName({{"DataUri", "s3://data/train.csv"}, {"ManifestUri", "s3://data/short.json"}}),
      "Mlflow.SchemaMismatch");
  std::string bad = Write("bad.csv", "a,b\n1,\"x\n");
  EXPECT_EQ(ErrorName({{"DataUri", bad}}), "Mlflow.InvalidCsv");
  EXPECT_EQ(ErrorName({{"DataUri", "s3://data/train.csv"},
                       {"ManifestUri", "s3://data/manifest.json"},
                       {"ModelUri", "s3://models/none"},
                       {"TestUri", "s3://data/train.csv"}}),
            "Mlflow.ModelLoadFailed");
  std::string csv = Write("h.csv", "a,b\n1,2\n");
  EXPECT_EQ(ErrorName({{"DataUri", csv}, {"ExcludeColumns", {"zzz"}}}), "Mlflow.SchemaMismatch");
}

}  // namespace
}  // namespace mlflowctl::steps
