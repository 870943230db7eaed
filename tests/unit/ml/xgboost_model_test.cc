#include "steps/ml/xgboost_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/json_util.h"
#include "steps/ml/metrics.h"

#include "tests/testutil/temp_dir.h"

namespace mlflowctl::ml {
namespace {


using testutil::TempDir;

// y = x1^2 - 3 * x2 + (x3 > 0.5 ? 4 : 0), a function trees can learn.
LabeledMatrix Synthetic(std::size_t rows, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-2.0, 2.0);
  LabeledMatrix m;
  m.rows = rows;
  m.cols = 3;
  for (std::size_t i = 0; i < rows; ++i) {
    double x1 = u(gen), x2 = u(gen), x3 = u(gen);
    m.features.insert(m.features.end(), {x1, x2, x3});
    m.labels.push_back(x1 * x1 - 3 * x2 + (x3 > 0.5 ? 4 : 0));
  }
  return m;
}

double StdDev(const std::vector<double>& v) {
  double mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size()));
}

XgboostParams XgbParams(HyperParameterMap hp) {
  StatusOr<XgboostParams> p = ParseXgboostHyperParameters(hp);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(XgboostModelTest, FillsInSageMakerDefaults) {
  XgboostParams p = XgbParams({{"num_round", "10"}});
  EXPECT_EQ(p.num_round, 10);
  EXPECT_EQ(p.early_stopping_rounds, 0);
  EXPECT_EQ(p.effective.at("max_depth"), "6");
  EXPECT_EQ(p.effective.at("eta"), "0.3");
  EXPECT_EQ(p.effective.at("subsample"), "1");
  EXPECT_EQ(p.effective.at("min_child_weight"), "1");
  EXPECT_EQ(p.effective.at("objective"), "reg:squarederror");
  EXPECT_EQ(p.effective.at("seed"), "0");
  EXPECT_EQ(p.effective.at("nthread"), "1");
  ASSERT_FALSE(p.booster_params.empty());
  EXPECT_EQ(p.booster_params.front().first, "nthread");
  for (const auto& [name, value] : p.booster_params) EXPECT_NE(name, "num_round");
}

TEST(XgboostModelTest, RejectsBadHyperParametersNamingThem) {
  struct Case {
    HyperParameterMap hp;
    std::string name;
  };
  std::vector<Case> cases = {
      {{}, "num_round"},
      {{{"num_round", "0"}}, "num_round"},
      {{{"num_round", "ten"}}, "num_round"},
      {{{"num_round", "5"}, {"eta", "1.5"}}, "eta"},
      {{{"num_round", "5"}, {"max_depth", "2.5"}}, "max_depth"},
      {{{"num_round", "5"}, {"subsample", "0"}}, "subsample"},
      {{{"num_round", "5"}, {"objective", "multi:softmax"}}, "objective"},
      {{{"num_round", "5"}, {"learning_rate", "0.1"}}, "learning_rate"},
  };
  for (const Case& c : cases) {
    StatusOr<XgboostParams> p = ParseXgboostHyperParameters(c.hp);
    ASSERT_FALSE(p.ok()) << c.name;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find(c.name), std::string::npos) << p.status().message();
  }
}

TEST(XgboostModelTest, IgnoresSageMakerToolingHyperParameters) {
  XgboostParams p = XgbParams({{"num_round", "3"},
                            {"_tuning_objective_metric", "validation:rmse"},
                            {"sagemaker_program", "x"}});
  EXPECT_EQ(p.effective.count("_tuning_objective_metric"), 0u);
}

TEST(XgboostModelTest, LearnsSyntheticDataToLowRmse) {
  LabeledMatrix train = Synthetic(600, 1), valid = Synthetic(200, 2);
  auto result = XgboostModel::Train(train, &valid, XgbParams({{"num_round", "100"}}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rounds_trained, 100);
  ASSERT_EQ(result->eval_log.size(), 100u);
  EXPECT_NE(result->eval_log.back().find("validation-rmse:"), std::string::npos);
  auto pred = result->model->Predict(valid.features, valid.rows, valid.cols);
  ASSERT_TRUE(pred.ok()) << pred.status().ToString();
  RegressionMetrics m = ComputeRegressionMetrics(valid.labels, *pred);
  EXPECT_LT(m.rmse, 0.1 * StdDev(valid.labels));
  EXPECT_GT(m.r2, 0.98);
}

TEST(XgboostModelTest, SaveThenLoadPredictsIdentically) {
  TempDir dir;
  LabeledMatrix train = Synthetic(300, 3), test = Synthetic(50, 4);
  auto result = XgboostModel::Train(train, nullptr, XgbParams({{"num_round", "20"}}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_TRUE(result->model->Save(dir.File("xgboost-model.json")).ok());
  auto loaded = XgboostModel::Load(dir.File("xgboost-model.json"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ((*loaded)->feature_count(), 3u);
  auto before = result->model->Predict(test.features, test.rows, test.cols);
  auto after = (*loaded)->Predict(test.features, test.rows, test.cols);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(*before, *after);
  // The file is XGBoost's JSON model format.
  StatusOr<Json> j = ParseJsonFile(dir.File("xgboost-model.json"));
  ASSERT_TRUE(j.ok());
  EXPECT_TRUE(j->contains("learner"));
}

TEST(XgboostModelTest, FastPathMatchesTheDMatrixReference) {
  LabeledMatrix train = Synthetic(300, 5), test = Synthetic(80, 6);
  auto result = XgboostModel::Train(train, nullptr, XgbParams({{"num_round", "30"}}));
  ASSERT_TRUE(result.ok());
  auto fast = result->model->Predict(test.features, test.rows, test.cols);
  auto ref = result->model->PredictReference(test.features, test.rows, test.cols);
  ASSERT_TRUE(fast.ok() && ref.ok());
  EXPECT_EQ(*fast, *ref);
}

TEST(XgboostModelTest, SameDataAndSeedGiveByteIdenticalModels) {
  TempDir dir;
  LabeledMatrix train = Synthetic(400, 7), valid = Synthetic(100, 8);
  HyperParameterMap hp = {
      {"num_round", "25"}, {"subsample", "0.7"}, {"colsample_bytree", "0.8"}, {"seed", "42"}};
  auto a = XgboostModel::Train(train, &valid, XgbParams(hp));
  auto b = XgboostModel::Train(train, &valid, XgbParams(hp));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(a->model->Save(dir.File("a.json")).ok());
  ASSERT_TRUE(b->model->Save(dir.File("b.json")).ok());
  EXPECT_EQ(ReadAll(dir.File("a.json")), ReadAll(dir.File("b.json")));
  EXPECT_EQ(a->eval_log, b->eval_log);
  // Another seed samples other rows, so the model differs.
  hp["seed"] = "43";
  auto c = XgboostModel::Train(train, &valid, XgbParams(hp));
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->model->Save(dir.File("c.json")).ok());
  EXPECT_NE(ReadAll(dir.File("a.json")), ReadAll(dir.File("c.json")));
}

TEST(XgboostModelTest, EarlyStoppingKeepsTheTreesUpToTheBestRound) {
  TempDir dir;
  LabeledMatrix train = Synthetic(300, 9);
  // Validation labels unrelated to the features: the validation error soon
  // stops improving.
  LabeledMatrix valid = Synthetic(100, 10);
  std::mt19937 gen(11);
  std::uniform_real_distribution<double> u(-5, 5);
  for (double& y : valid.labels) y = u(gen);
  auto result = XgboostModel::Train(train, &valid,
                                    XgbParams({{"num_round", "200"}, {"early_stopping_rounds", "5"}}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_GE(result->best_iteration, 0);
  EXPECT_LT(result->rounds_trained, 200);
  EXPECT_EQ(result->rounds_trained, result->best_iteration + 1 + 5);
  ASSERT_TRUE(result->model->Save(dir.File("m.json")).ok());
  StatusOr<Json> j = ParseJsonFile(dir.File("m.json"));
  ASSERT_TRUE(j.ok());
  const Json& learner = (*j)["learner"];
  EXPECT_EQ(learner["gradient_booster"]["model"]["trees"].size(),
            static_cast<std::size_t>(result->best_iteration + 1));
  EXPECT_EQ(learner["attributes"]["best_iteration"], std::to_string(result->best_iteration));
}

TEST(XgboostModelTest, EarlyStoppingWithoutValidationIsAnError) {
  LabeledMatrix train = Synthetic(50, 12);
  auto result = XgboostModel::Train(train, nullptr,
                                    XgbParams({{"num_round", "10"}, {"early_stopping_rounds", "2"}}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
}

TEST(XgboostModelTest, StopRequestEndsTrainingBetweenRounds) {
  LabeledMatrix train = Synthetic(100, 13);
  int calls = 0;
  auto result = XgboostModel::Train(train, nullptr, XgbParams({{"num_round", "50"}}),
                                    [&calls] { return ++calls > 3; });
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kAborted);
  EXPECT_NE(result.status().message().find("round 4"), std::string::npos)
      << result.status().message();
}

TEST(XgboostModelTest, RejectsInputsOfTheWrongShape) {
  LabeledMatrix train = Synthetic(100, 14);
  auto result = XgboostModel::Train(train, nullptr, XgbParams({{"num_round", "2"}}));
  ASSERT_TRUE(result.ok());
  std::vector<double> two_cols{1, 2, 3, 4};
  auto pred = result->model->Predict(two_cols, 2, 2);
  ASSERT_FALSE(pred.ok());
  EXPECT_EQ(pred.status().code(), StatusCode::kInvalidArgument);
  auto short_buffer = result->model->Predict(two_cols, 2, 3);
  EXPECT_EQ(short_buffer.status().code(), StatusCode::kInvalidArgument);
  auto empty = result->model->Predict({}, 0, 3);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());

  LabeledMatrix other = Synthetic(10, 15);
  other.cols = 2;
  other.features.resize(20);
  auto mismatch = XgboostModel::Train(train, &other, XgbParams({{"num_round", "2"}}));
  EXPECT_EQ(mismatch.status().code(), StatusCode::kInvalidArgument);
}

TEST(XgboostModelTest, ConcurrentPredictionsMatchSequentialOnes) {
  LabeledMatrix train = Synthetic(300, 16), test = Synthetic(64, 17);
  auto result = XgboostModel::Train(train, nullptr, XgbParams({{"num_round", "20"}}));
  ASSERT_TRUE(result.ok());
  const XgboostModel& model = *result->model;
  std::vector<double> expected;
  for (std::size_t r = 0; r < test.rows; ++r) {
    auto p = model.PredictReference({test.Row(r), test.cols}, 1, test.cols);
    ASSERT_TRUE(p.ok());
    expected.push_back((*p)[0]);
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int rep = 0; rep < 20; ++rep) {
        for (std::size_t r = 0; r < test.rows; ++r) {
          auto p = model.Predict({test.Row(r), test.cols}, 1, test.cols);
          if (!p.ok() || (*p)[0] != expected[r]) ++mismatches;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(XgboostModelTest, LoadReportsMissingAndCorruptFiles) {
  TempDir dir;
  auto missing = XgboostModel::Load(dir.File("nope.json"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  {
    std::ofstream out(dir.File("bad.json"));
    out << "{\"not\": \"a model\"";
  }
  auto bad = XgboostModel::Load(dir.File("bad.json"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace mlflowctl::ml
