#include "steps/train_step.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "steps/ml/linear_model.h"

namespace mlflowctl::steps {
namespace {

namespace fs = std::filesystem;
using runtime::StepResult;
using runtime::TaskRequest;

// A clock that moves one second forward each time it is read.
class TickingClock : public Clock {
 public:
  TimePoint Now() const override { return FromEpochMillis(1700000000000 + 1000 * ticks_++); }

 private:
  mutable std::atomic<int64_t> ticks_{0};
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Rows "y,x1,x2,x3" with y = 3 + 2 x1 - x2 + (x3 > 0 ? 1.5 x3 : 0): linear
// in x1 and x2, with a kink in x3 that trees pick up.
std::string MakeCsv(int rows, int offset, bool linear_only) {
  std::string out;
  for (int i = 0; i < rows; ++i) {
    int k = i + offset;
    double x1 = (k * 37 % 101) / 10.0, x2 = (k * 53 % 89) / 7.0, x3 = (k * 29 % 23) - 11.0;
    double y = 3 + 2 * x1 - x2 + (linear_only ? 0 : (x3 > 0 ? 1.5 * x3 : 0));
    out += fmt::format("{},{},{},{}\n", y, x1, x2, x3);
  }
  return out;
}

class TrainStepTest : public testing::Test {
 protected:
  TrainStepTest() {
    static std::atomic<int> counter{0};
    root_ = fs::temp_directory_path() /
            ("mlf_train_step_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    env_.home = (root_ / "home").string();
    env_.clock = &clock_;
    Write("s3/bucket/data/train.csv", MakeCsv(300, 0, false));
    Write("s3/bucket/data/validation.csv", MakeCsv(80, 1000, false));
    Write("s3/bucket/data/manifest.json", R"({"target": "y", "features": ["x1", "x2", "x3"]})");
    Write("s3/bucket/plane/train.csv", MakeCsv(100, 0, true));
    Write("s3/bucket/plane/validation.csv", MakeCsv(30, 500, true));
  }
  ~TrainStepTest() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  void Write(const std::string& rel, const std::string& text) {
    fs::path p = fs::path(env_.home) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << text;
  }
  std::string Home(const std::string& rel) const { return (fs::path(env_.home) / rel).string(); }

  StepResult Run(Json input, const std::string& resource = "mlflowctl:train") {
    TrainStep step(env_);
    TaskRequest r;
    r.resource = resource;
    r.input = std::move(input);
    r.execution_arn = "arn:aws:states:us-east-1:123456789012:execution:Training:exec-7";
    r.state_name = "Train Linear";
    r.task_token = "token";
    r.cancelled = &cancelled_;
    return step.Invoke(r);
  }

  static Json SageMakerRequest(const std::string& name, Json hyperparameters) {
    return Json{
        {"TrainingJobName", name},
        {"AlgorithmSpecification",
         {{"TrainingImage", "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"},
          {"TrainingInputMode", "File"}}},
        {"RoleArn", "arn:aws:iam::123456789012:role/SageMakerRole"},
        {"HyperParameters", std::move(hyperparameters)},
        {"InputDataConfig",
         {{{"ChannelName", "train"},
           {"ContentType", "text/csv"},
           {"DataSource",
            {{"S3DataSource",
              {{"S3DataType", "S3Prefix"}, {"S3Uri", "s3://bucket/data/train.csv"}}}}}},
          {{"ChannelName", "validation"},
           {"ContentType", "text/csv"},
           {"DataSource",
            {{"S3DataSource",
              {{"S3DataType", "S3Prefix"}, {"S3Uri", "s3://bucket/data/validation.csv"}}}}}}}},
        {"OutputDataConfig", {{"S3OutputPath", "s3://bucket/models/"}}},
        {"ResourceConfig",
         {{"InstanceCount", 1}, {"InstanceType", "ml.m5.xlarge"}, {"VolumeSizeInGB", 10}}},
        {"StoppingCondition", {{"MaxRuntimeInSeconds", 3600}}}};
  }

  static double Metric(const Json& out, const std::string& name) {
    for (const Json& m : out["FinalMetricDataList"]) {
      if (m["MetricName"] == name) return m["Value"].get<double>();
    }
    ADD_FAILURE() << "no metric " << name;
    return NAN;
  }

  static Json Ok(const StepResult& r) {
    EXPECT_TRUE(std::holds_alternative<Json>(r))
        << std::get<Error>(r).name << ": " << std::get<Error>(r).cause;
    return std::holds_alternative<Json>(r) ? std::get<Json>(r) : Json();
  }

  static Error Err(const StepResult& r) {
    EXPECT_TRUE(std::holds_alternative<Error>(r)) << std::get<Json>(r).dump();
    return std::holds_alternative<Error>(r) ? std::get<Error>(r) : Error{};
  }

  fs::path root_;
  FakeClock clock_{1700000000000};
  StepEnv env_;
  std::atomic<bool> cancelled_{false};
};

TEST_F(TrainStepTest, SageMakerRequestTrainsXgboostAndDescribesTheJob) {
  Json out = Ok(
      Run(SageMakerRequest("car-xgb-1", {{"num_round", "60"}, {"max_depth", "4"}, {"eta", "0.2"}}),
          "arn:aws:states:::sagemaker:createTrainingJob.sync"));
  EXPECT_EQ(out["TrainingJobName"], "car-xgb-1");
  EXPECT_EQ(out["TrainingJobArn"],
            "arn:aws:sagemaker:us-east-1:123456789012:training-job/car-xgb-1");
  EXPECT_EQ(out["TrainingJobStatus"], "Completed");
  EXPECT_EQ(out["SecondaryStatus"], "Completed");
  EXPECT_EQ(out["ModelArtifacts"]["S3ModelArtifacts"], "s3://bucket/models/car-xgb-1/output/model");
  EXPECT_EQ(out["HyperParameters"],
            Json({{"num_round", "60"}, {"max_depth", "4"}, {"eta", "0.2"}}));
  EXPECT_EQ(out["AlgorithmSpecification"]["TrainingInputMode"], "File");
  EXPECT_EQ(out["ResourceConfig"]["InstanceType"], "ml.m5.xlarge");
  EXPECT_EQ(out["StoppingCondition"]["MaxRuntimeInSeconds"], 3600);
  EXPECT_EQ(out["CreationTime"], 1700000000.0);
  EXPECT_EQ(out["TrainingEndTime"], 1700000000.0);
  EXPECT_EQ(out["TrainingTimeInSeconds"], 0);

  const Json& metrics = out["FinalMetricDataList"];
  ASSERT_EQ(metrics.size(), 8u);
  EXPECT_EQ(metrics[0]["MetricName"], "validation:rmse");
  EXPECT_EQ(metrics[0]["Timestamp"], 1700000000.0);
  std::vector<std::string> names;
  for (const Json& m : metrics) names.push_back(m["MetricName"]);
  EXPECT_EQ(names, (std::vector<std::string>{"validation:rmse", "validation:mae", "validation:mse",
                                             "validation:r2", "train:rmse", "train:mae",
                                             "train:mse", "train:r2"}));
  EXPECT_LT(Metric(out, "validation:rmse"), 1.0);
  EXPECT_GT(Metric(out, "validation:r2"), 0.95);
  EXPECT_DOUBLE_EQ(Metric(out, "validation:mse"),
                   Metric(out, "validation:rmse") * Metric(out, "validation:rmse"));

  std::string dir = Home("s3/bucket/models/car-xgb-1/output/model");
  EXPECT_TRUE(fs::is_regular_file(dir + "/xgboost-model.json"));
  StatusOr<Json> meta = ParseJsonFile(dir + "/metadata.json");
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ((*meta)["algorithm"], "xgboost");
  EXPECT_EQ((*meta)["features"], Json({"x1", "x2", "x3"}));  // from manifest.json beside train
  EXPECT_EQ((*meta)["feature_count"], 3);
  EXPECT_EQ((*meta)["hyperparameters"]["max_depth"], "4");
  EXPECT_EQ((*meta)["hyperparameters"]["subsample"], "1");  // defaults recorded
  EXPECT_EQ((*meta)["metrics"]["validation"]["rmse"].get<double>(), Metric(out, "validation:rmse"));
  EXPECT_EQ((*meta)["metrics"]["validation"]["count"], 80);
  EXPECT_EQ((*meta)["training_job_name"], "car-xgb-1");
}

TEST_F(TrainStepTest, ShortFormTrainsTheLinearLearner) {
  Json out = Ok(Run(Json{{"Algorithm", "linear-learner"},
                         {"TrainUri", "s3://bucket/plane/train.csv"},
                         {"ValidationUri", "s3://bucket/plane/validation.csv"},
                         {"OutputUri", "s3://bucket/models"},
                         {"HyperParameters", {{"wd", 0}}}}));
  // Default job name: execution name and state name.
  EXPECT_EQ(out["TrainingJobName"], "exec-7-Train-Linear");
  EXPECT_EQ(out["ModelArtifacts"]["S3ModelArtifacts"],
            "s3://bucket/models/exec-7-Train-Linear/output/model");
  EXPECT_EQ(out["HyperParameters"], Json({{"wd", "0"}, {"predictor_type", "regressor"}}));
  EXPECT_EQ(out["AlgorithmSpecification"]["AlgorithmName"], "linear-learner");
  EXPECT_EQ(out["InputDataConfig"].size(), 2u);
  EXPECT_LT(Metric(out, "validation:rmse"), 1e-9);
  EXPECT_NEAR(Metric(out, "validation:r2"), 1.0, 1e-12);

  std::string dir = Home("s3/bucket/models/exec-7-Train-Linear/output/model");
  auto model = ml::LinearModel::Load(dir + "/linear-model.json");
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_NEAR(model->RawIntercept(), 3.0, 1e-9);
  std::vector<double> w = model->RawWeights();
  EXPECT_NEAR(w[0], 2.0, 1e-9);
  EXPECT_NEAR(w[1], -1.0, 1e-9);
  EXPECT_NEAR(w[2], 0.0, 1e-9);
  StatusOr<Json> meta = ParseJsonFile(dir + "/metadata.json");
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ((*meta)["algorithm"], "linear-learner");
  EXPECT_EQ((*meta)["features"], Json::array());  // no manifest beside plane/train.csv
}

TEST_F(TrainStepTest, SameDataAndSeedGiveIdenticalModelAndMetrics) {
  Json hp = {{"num_round", "40"}, {"subsample", "0.8"}, {"colsample_bytree", "0.7"}, {"seed", "7"}};
  Json a = Ok(Run(SageMakerRequest("run-a", hp)));
  Json b = Ok(Run(SageMakerRequest("run-b", hp)));
  std::string model_a = ReadAll(Home("s3/bucket/models/run-a/output/model/xgboost-model.json"));
  std::string model_b = ReadAll(Home("s3/bucket/models/run-b/output/model/xgboost-model.json"));
  ASSERT_FALSE(model_a.empty());
  EXPECT_EQ(model_a, model_b);
  EXPECT_EQ(a["FinalMetricDataList"], b["FinalMetricDataList"]);

  // Retraining under the same job name replaces the model with the same bytes.
  Json again = Ok(Run(SageMakerRequest("run-a", hp)));
  EXPECT_EQ(ReadAll(Home("s3/bucket/models/run-a/output/model/xgboost-model.json")), model_a);
  EXPECT_EQ(again["FinalMetricDataList"], a["FinalMetricDataList"]);

  Json la = Ok(Run(Json{{"Algorithm", "linear-learner"},
                        {"JobName", "lin-a"},
                        {"TrainUri", "s3://bucket/data/train.csv"},
                        {"OutputUri", "s3://bucket/models"},
                        {"HyperParameters", {{"wd", "0.01"}}}}));
  Json lb = Ok(Run(Json{{"Algorithm", "linear-learner"},
                        {"JobName", "lin-b"},
                        {"TrainUri", "s3://bucket/data/train.csv"},
                        {"OutputUri", "s3://bucket/models"},
                        {"HyperParameters", {{"wd", "0.01"}}}}));
  EXPECT_EQ(ReadAll(Home("s3/bucket/models/lin-a/output/model/linear-model.json")),
            ReadAll(Home("s3/bucket/models/lin-b/output/model/linear-model.json")));
  EXPECT_EQ(la["FinalMetricDataList"], lb["FinalMetricDataList"]);
  // Without a validation channel only the train metrics are reported.
  EXPECT_EQ(la["FinalMetricDataList"][0]["MetricName"], "train:rmse");
}

TEST_F(TrainStepTest, AcceptsNumbersAsHyperParameterValues) {
  Json out = Ok(Run(SageMakerRequest("numbers", {{"num_round", 5}, {"eta", 0.5}})));
  EXPECT_EQ(out["HyperParameters"], Json({{"num_round", "5"}, {"eta", "0.5"}}));
}

TEST_F(TrainStepTest, EarlyStoppingUsesTheValidationChannel) {
  Json out = Ok(Run(SageMakerRequest(
      "early", {{"num_round", "500"}, {"early_stopping_rounds", "3"}, {"eta", "0.5"}})));
  StatusOr<Json> meta = ParseJsonFile(Home("s3/bucket/models/early/output/model/metadata.json"));
  ASSERT_TRUE(meta.ok());
  ASSERT_TRUE(meta->contains("best_iteration"));
  EXPECT_LT((*meta)["rounds_trained"].get<int>(), 500);
  EXPECT_EQ((*meta)["rounds_trained"].get<int>(), (*meta)["best_iteration"].get<int>() + 1 + 3);
}

TEST_F(TrainStepTest, BadHyperParametersAreNamed) {
  Error e = Err(Run(SageMakerRequest("bad", {{"num_round", "10"}, {"max_depth", "deep"}})));
  EXPECT_EQ(e.name, "Mlflow.InvalidHyperParameter");
  EXPECT_NE(e.cause.find("max_depth"), std::string::npos) << e.cause;

  e = Err(Run(SageMakerRequest("bad", {{"eta", "0.1"}})));
  EXPECT_EQ(e.name, "Mlflow.InvalidHyperParameter");
  EXPECT_NE(e.cause.find("num_round"), std::string::npos) << e.cause;

  e = Err(Run(SageMakerRequest("bad", {{"num_round", "10"}, {"colour", "blue"}})));
  EXPECT_EQ(e.name, "Mlflow.InvalidHyperParameter");
  EXPECT_NE(e.cause.find("colour"), std::string::npos) << e.cause;

  e = Err(Run(Json{{"Algorithm", "linear-learner"},
                   {"TrainUri", "s3://bucket/data/train.csv"},
                   {"OutputUri", "s3://bucket/models"},
                   {"HyperParameters", {{"feature_dim", "4"}}}}));
  EXPECT_EQ(e.name, "Mlflow.InvalidHyperParameter");
  EXPECT_NE(e.cause.find("feature_dim"), std::string::npos) << e.cause;

  Json no_validation =
      SageMakerRequest("bad", {{"num_round", "10"}, {"early_stopping_rounds", "2"}});
  no_validation["InputDataConfig"].erase(1);
  e = Err(Run(no_validation));
  EXPECT_EQ(e.name, "Mlflow.InvalidHyperParameter");
  EXPECT_NE(e.cause.find("early_stopping_rounds"), std::string::npos) << e.cause;
}

TEST_F(TrainStepTest, MissingOrBadDataIsReported) {
  Json req = SageMakerRequest("data", {{"num_round", "5"}});
  req["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = "s3://bucket/none.csv";
  Error e = Err(Run(req));
  EXPECT_EQ(e.name, "Mlflow.DataNotFound");
  EXPECT_NE(e.cause.find("s3://bucket/none.csv"), std::string::npos) << e.cause;

  Write("s3/bucket/broken/train.csv", "1,2,3,4\n5,6,oops,8\n");
  req["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"] = "s3://bucket/broken/train.csv";
  e = Err(Run(req));
  EXPECT_EQ(e.name, "Mlflow.InvalidCsv");
  EXPECT_NE(e.cause.find("train.csv:2"), std::string::npos) << e.cause;

  Write("s3/bucket/narrow/validation.csv", "1,2\n3,4\n");
  req = SageMakerRequest("data", {{"num_round", "5"}});
  req["InputDataConfig"][1]["DataSource"]["S3DataSource"]["S3Uri"] =
      "s3://bucket/narrow/validation.csv";
  e = Err(Run(req));
  EXPECT_EQ(e.name, "Mlflow.SchemaMismatch");

  Write("s3/bucket/data/manifest2.json", R"({"features": ["only", "two"]})");
  e = Err(Run(Json{{"Algorithm", "xgboost"},
                   {"TrainUri", "s3://bucket/data/train.csv"},
                   {"ManifestUri", "s3://bucket/data/manifest2.json"},
                   {"OutputUri", "s3://bucket/models"},
                   {"HyperParameters", {{"num_round", "2"}}}}));
  EXPECT_EQ(e.name, "Mlflow.SchemaMismatch");
}

TEST_F(TrainStepTest, MalformedRequestsAreInvalidParameters) {
  Json req = SageMakerRequest("bad name!", {{"num_round", "5"}});
  EXPECT_EQ(Err(Run(req)).name, "Mlflow.InvalidParameters");

  req = SageMakerRequest("kmeans", {{"num_round", "5"}});
  req["AlgorithmSpecification"]["TrainingImage"] =
      "382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1";
  Error e = Err(Run(req));
  EXPECT_EQ(e.name, "Mlflow.InvalidParameters");
  EXPECT_NE(e.cause.find("kmeans"), std::string::npos);

  req = SageMakerRequest("no-output", {{"num_round", "5"}});
  req.erase("OutputDataConfig");
  EXPECT_EQ(Err(Run(req)).name, "Mlflow.InvalidParameters");

  req = SageMakerRequest("no-train", {{"num_round", "5"}});
  req["InputDataConfig"].erase(0);
  EXPECT_EQ(Err(Run(req)).name, "Mlflow.InvalidParameters");

  req = SageMakerRequest("parquet", {{"num_round", "5"}});
  req["InputDataConfig"][0]["ContentType"] = "application/x-parquet";
  EXPECT_EQ(Err(Run(req)).name, "Mlflow.InvalidParameters");

  EXPECT_EQ(Err(Run(Json{{"Algorithm", "svm"}, {"TrainUri", "a"}, {"OutputUri", "b"}})).name,
            "Mlflow.InvalidParameters");
  EXPECT_EQ(Err(Run(Json{{"Algorithm", "xgboost"}, {"OutputUri", "b"}})).name,
            "Mlflow.InvalidParameters");
  EXPECT_EQ(Err(Run(Json::array())).name, "Mlflow.InvalidParameters");
  // The ARN resource always expects the SageMaker shape.
  EXPECT_EQ(
      Err(Run(Json{{"Algorithm", "xgboost"}}, "arn:aws:states:::sagemaker:createTrainingJob.sync"))
          .name,
      "Mlflow.InvalidParameters");
}

TEST_F(TrainStepTest, CancelledRequestStopsTraining) {
  cancelled_ = true;
  Error e = Err(Run(SageMakerRequest("cancelled", {{"num_round", "50"}})));
  EXPECT_EQ(e.name, "Mlflow.TrainingStopped");
  EXPECT_NE(e.cause.find("round 1 of 50"), std::string::npos) << e.cause;
  e = Err(Run(Json{{"Algorithm", "linear-learner"},
                   {"TrainUri", "s3://bucket/data/train.csv"},
                   {"OutputUri", "s3://bucket/models"}}));
  EXPECT_EQ(e.name, "Mlflow.TrainingStopped");
}

TEST_F(TrainStepTest, MaxRuntimeStopsBetweenBoostingRounds) {
  TickingClock ticking;
  env_.clock = &ticking;
  Json req = SageMakerRequest("slow", {{"num_round", "100"}});
  req["StoppingCondition"]["MaxRuntimeInSeconds"] = 5;
  Error e = Err(Run(req));
  EXPECT_EQ(e.name, "Mlflow.TrainingStopped");
  EXPECT_NE(e.cause.find("MaxRuntimeInSeconds (5) exceeded"), std::string::npos) << e.cause;
  EXPECT_NE(e.cause.find("round 6 of 100"), std::string::npos) << e.cause;
}

}  // namespace
}  // namespace mlflowctl::steps
