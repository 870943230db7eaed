#include "steps/evaluate_step.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/base/clock.h"
#include "steps/train_step.h"

namespace mlflowctl::steps {
namespace {

namespace fs = std::filesystem;
using runtime::StepResult;
using runtime::TaskRequest;

std::string MakeEvalCsv(int rows, int offset) {
  std::string out;
  for (int i = 0; i < rows; ++i) {
    int k = i + offset;
    double x1 = (k * 37 % 101) / 10.0, x2 = (k * 53 % 89) / 7.0;
    double y = 3 + 2 * x1 - x2 + (x1 > 5 ? 4 : 0) + (k % 7) * 0.1;
    out += fmt::format("{},{},{}\n", y, x1, x2);
  }
  return out;
}

class EvaluateStepTest : public testing::Test {
 protected:
  EvaluateStepTest() {
    static std::atomic<int> counter{0};
    root_ = fs::temp_directory_path() / ("mlf_evaluate_step_test_" + std::to_string(::getpid()) +
                                         "_" + std::to_string(counter++));
    env_.home = (root_ / "home").string();
    env_.clock = &clock_;
    Write("s3/b/data/train.csv", MakeEvalCsv(200, 0));
    Write("s3/b/data/validation.csv", MakeEvalCsv(50, 700));
  }
  ~EvaluateStepTest() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  void Write(const std::string& rel, const std::string& text) {
    fs::path p = fs::path(env_.home) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << text;
  }

  StepResult Invoke(runtime::TaskHandler& step, const std::string& resource, Json input) {
    TaskRequest r;
    r.resource = resource;
    r.input = std::move(input);
    r.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:M:e1";
    r.state_name = "Evaluate";
    r.cancelled = &cancelled_;
    return step.Invoke(r);
  }
  StepResult Evaluate(Json input) {
    EvaluateStep step(env_);
    return Invoke(step, "mlflowctl:evaluate", std::move(input));
  }
  Json Train(const std::string& algorithm, Json hp) {
    TrainStep step(env_);
    StepResult r = Invoke(step, "mlflowctl:train",
                          Json{{"Algorithm", algorithm},
                               {"JobName", algorithm + "-job"},
                               {"TrainUri", "s3://b/data/train.csv"},
                               {"ValidationUri", "s3://b/data/validation.csv"},
                               {"OutputUri", "s3://b/models"},
                               {"HyperParameters", std::move(hp)}});
    EXPECT_TRUE(std::holds_alternative<Json>(r)) << std::get<Error>(r).cause;
    return std::holds_alternative<Json>(r) ? std::get<Json>(r) : Json();
  }
  static Json Ok(const StepResult& r) {
    EXPECT_TRUE(std::holds_alternative<Json>(r))
        << std::get<Error>(r).name << ": " << std::get<Error>(r).cause;
    return std::holds_alternative<Json>(r) ? std::get<Json>(r) : Json();
  }
  static std::string ErrName(const StepResult& r) {
    EXPECT_TRUE(std::holds_alternative<Error>(r));
    return std::holds_alternative<Error>(r) ? std::get<Error>(r).name : "";
  }
  static double Metric(const Json& out, const std::string& name) {
    for (const Json& m : out["FinalMetricDataList"]) {
      if (m["MetricName"] == name) return m["Value"].get<double>();
    }
    ADD_FAILURE() << "no metric " << name;
    return NAN;
  }

  fs::path root_;
  FakeClock clock_;
  StepEnv env_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(EvaluateStepTest, ReproducesTheTrainingJobsValidationMetrics) {
  for (const auto& [algorithm, hp] :
       {std::pair<std::string, Json>{"xgboost", {{"num_round", "30"}, {"max_depth", "3"}}},
        std::pair<std::string, Json>{"linear-learner", {{"wd", "0.001"}}}}) {
    Json job = Train(algorithm, hp);
    Json out = Ok(Evaluate({{"ModelUri", job["ModelArtifacts"]["S3ModelArtifacts"]},
                            {"DataUri", "s3://b/data/validation.csv"}}));
    EXPECT_EQ(out["count"], 50) << algorithm;
    // Bit for bit: the same model file, the same prediction path.
    EXPECT_EQ(out["rmse"].get<double>(), Metric(job, "validation:rmse")) << algorithm;
    EXPECT_EQ(out["mae"].get<double>(), Metric(job, "validation:mae")) << algorithm;
    EXPECT_EQ(out["mse"].get<double>(), Metric(job, "validation:mse")) << algorithm;
    EXPECT_EQ(out["r2"].get<double>(), Metric(job, "validation:r2")) << algorithm;
    Json on_train = Ok(Evaluate({{"ModelUri", job["ModelArtifacts"]["S3ModelArtifacts"]},
                                 {"DataUri", "s3://b/data/train.csv"}}));
    EXPECT_EQ(on_train["rmse"].get<double>(), Metric(job, "train:rmse")) << algorithm;
  }
}

TEST_F(EvaluateStepTest, MatchesHandComputedMetrics) {
  // prediction = 1 + 2x (mean 0, std 1). Rows (y, x): (3, 1) -> 3, error 0;
  // (6, 2) -> 5, error 1; (5, 3) -> 7, error -2. MSE = 5/3, MAE = 1,
  // mean y = 14/3, SS_tot = 42/9, R2 = 1 - 5 / (42/9) = -1/14.
  Write("s3/b/hand/model/linear-model.json",
        R"({"format": "mlflowctl-linear-learner", "format_version": 1, "intercept": 1,
            "weights": [2], "feature_means": [0], "feature_stds": [1]})");
  Write("s3/b/hand/model/metadata.json",
        R"({"algorithm": "linear-learner", "feature_count": 1, "features": ["x"]})");
  Write("s3/b/hand/data.csv", "3,1\n6,2\n5,3\n");
  Json out = Ok(Evaluate({{"ModelUri", "s3://b/hand/model"}, {"DataUri", "s3://b/hand/data.csv"}}));
  EXPECT_EQ(out["count"], 3);
  EXPECT_DOUBLE_EQ(out["mse"].get<double>(), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(out["rmse"].get<double>(), std::sqrt(5.0 / 3.0));
  EXPECT_DOUBLE_EQ(out["mae"].get<double>(), 1.0);
  EXPECT_NEAR(out["r2"].get<double>(), -1.0 / 14.0, 1e-12);
}

TEST_F(EvaluateStepTest, ErrorsNameWhatIsWrong) {
  Json job = Train("linear-learner", Json::object());
  std::string model = job["ModelArtifacts"]["S3ModelArtifacts"];
  EXPECT_EQ(ErrName(Evaluate({{"ModelUri", model}})), "Mlflow.InvalidParameters");
  EXPECT_EQ(ErrName(Evaluate({{"ModelUri", 5}, {"DataUri", "x"}})), "Mlflow.InvalidParameters");
  EXPECT_EQ(
      ErrName(Evaluate({{"ModelUri", "s3://b/nothing"}, {"DataUri", "s3://b/data/train.csv"}})),
      "Mlflow.ModelNotFound");
  EXPECT_EQ(ErrName(Evaluate({{"ModelUri", model}, {"DataUri", "s3://b/none.csv"}})),
            "Mlflow.DataNotFound");
  Write("s3/b/wide.csv", "1,2,3,4\n");
  EXPECT_EQ(ErrName(Evaluate({{"ModelUri", model}, {"DataUri", "s3://b/wide.csv"}})),
            "Mlflow.SchemaMismatch");
  Write("s3/b/bad.csv", "1,2,3\n1,two,3\n");
  EXPECT_EQ(ErrName(Evaluate({{"ModelUri", model}, {"DataUri", "s3://b/bad.csv"}})),
            "Mlflow.InvalidCsv");
  Write("s3/b/corrupt/metadata.json", R"({"algorithm": "xgboost", "feature_count": 2})");
  Write("s3/b/corrupt/xgboost-model.json", "{not json");
  EXPECT_EQ(
      ErrName(Evaluate({{"ModelUri", "s3://b/corrupt"}, {"DataUri", "s3://b/data/train.csv"}})),
      "Mlflow.InvalidModel");
}

}  // namespace
}  // namespace mlflowctl::steps
