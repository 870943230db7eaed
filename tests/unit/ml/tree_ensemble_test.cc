#include "steps/ml/tree_ensemble.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "steps/ml/numeric_csv.h"
#include "steps/ml/xgboost_model.h"
#include "tests/testutil/temp_dir.h"

namespace mlflowctl::ml {
namespace {

using testutil::TempDir;

// examples/data/car_prices.csv (Price first, one-hot encoded), the data the
// training pipeline ships with, without its header line.
LabeledMatrix CarPrices() {
  const auto path = std::filesystem::path(MLF_SOURCE_DIR) / "examples/data/car_prices.csv";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string csv = text.str();
  csv.erase(0, csv.find('\n') + 1);
  StatusOr<LabeledMatrix> m = ParseLabeledCsv(csv, path.string());
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : LabeledMatrix{};
}

// The first `n` rows of `m`.
LabeledMatrix Head(const LabeledMatrix& m, std::size_t n) {
  LabeledMatrix out;
  out.rows = n;
  out.cols = m.cols;
  out.features.assign(m.features.begin(), m.features.begin() + static_cast<long>(n * m.cols));
  out.labels.assign(m.labels.begin(), m.labels.begin() + static_cast<long>(n));
  return out;
}

std::unique_ptr<XgboostModel> Train(const LabeledMatrix& train, const LabeledMatrix* valid,
                                    HyperParameterMap hp) {
  StatusOr<XgboostParams> params = ParseXgboostHyperParameters(hp);
  EXPECT_TRUE(params.ok()) << params.status().ToString();
  if (!params.ok()) return nullptr;
  StatusOr<XgboostTrainResult> result = XgboostModel::Train(train, valid, *params);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result->model) : nullptr;
}

// Native predictions equal XGBoost's inplace and DMatrix predictions, bit
// for bit, row by row.
void ExpectSamePredictions(const XgboostModel& model, const std::vector<double>& features,
                           std::size_t rows, std::size_t cols) {
  ASSERT_TRUE(model.native());
  StatusOr<std::vector<double>> native = model.Predict(features, rows, cols);
  StatusOr<std::vector<double>> inplace = model.PredictXgboost(features, rows, cols);
  StatusOr<std::vector<double>> reference = model.PredictReference(features, rows, cols);
  ASSERT_TRUE(native.ok() && inplace.ok() && reference.ok());
  ASSERT_EQ(native->size(), rows);
  for (std::size_t r = 0; r < rows; ++r) {
    // Every prediction is a float widened to double: compare the floats.
    EXPECT_EQ(static_cast<float>((*native)[r]), static_cast<float>((*inplace)[r])) << "row " << r;
    EXPECT_EQ((*native)[r], (*reference)[r]) << "row " << r;
  }
}

TEST(TreeEnsembleTest, MatchesXgboostOnTheCarPricesWithThePipelinesHyperparameters) {
  LabeledMatrix cars = CarPrices();
  ASSERT_EQ(cars.rows, 804u);
  LabeledMatrix train = Head(cars, 600);
  // workflows/training.json's XGBoost hyperparameters.
  auto model = Train(train, &cars,
                     {{"objective", "reg:squarederror"},
                      {"num_round", "300"},
                      {"max_depth", "4"},
                      {"eta", "0.1"},
                      {"subsample", "0.9"},
                      {"min_child_weight", "1"},
                      {"early_stopping_rounds", "30"},
                      {"seed", "42"}});
  ASSERT_NE(model, nullptr);
  ExpectSamePredictions(*model, cars.features, cars.rows, cars.cols);
}

TEST(TreeEnsembleTest, MatchesXgboostOnDeepTreesAndMissingValues) {
  LabeledMatrix cars = CarPrices();
  // Some values missing in training too, so nodes learn a default branch
  // that is not always the same side.
  std::mt19937 gen(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  LabeledMatrix holed = cars;
  for (double& v : holed.features) {
    if (u(gen) < 0.15) v = std::numeric_limits<double>::quiet_NaN();
  }
  auto model = Train(holed, nullptr,
                     {{"num_round", "80"},
                      {"max_depth", "10"},
                      {"eta", "0.3"},
                      {"colsample_bytree", "0.7"},
                      {"seed", "7"}});
  ASSERT_NE(model, nullptr);
  ExpectSamePredictions(*model, holed.features, holed.rows, holed.cols);
  ExpectSamePredictions(*model, cars.features, cars.rows, cars.cols);
  // Values between and beyond the training values, negative zero, huge.
  std::vector<double> odd;
  for (std::size_t r = 0; r < 200; ++r) {
    for (std::size_t c = 0; c < cars.cols; ++c) {
      double v = cars.Row(r)[c] * (0.5 + u(gen));
      if (r % 17 == 0) v = -0.0;
      if (r % 23 == 0) v = 1e30;
      odd.push_back(v);
    }
  }
  ExpectSamePredictions(*model, odd, 200, cars.cols);
}

TEST(TreeEnsembleTest, MatchesXgboostAfterSaveAndLoad) {
  TempDir dir;
  LabeledMatrix cars = CarPrices();
  auto trained = Train(cars, nullptr, {{"num_round", "50"}, {"max_depth", "6"}});
  ASSERT_NE(trained, nullptr);
  ASSERT_TRUE(trained->Save(dir.File("m.json")).ok());
  StatusOr<std::unique_ptr<XgboostModel>> loaded = XgboostModel::Load(dir.File("m.json"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ExpectSamePredictions(**loaded, cars.features, cars.rows, cars.cols);
}

TEST(TreeEnsembleTest, RowsWithAnInfiniteValueGoToXgboost) {
  LabeledMatrix cars = CarPrices();
  auto model = Train(cars, nullptr, {{"num_round", "20"}});
  ASSERT_NE(model, nullptr);
  std::vector<double> row(cars.Row(0), cars.Row(0) + cars.cols);
  row[0] = std::numeric_limits<double>::infinity();
  StatusOr<std::vector<double>> ours = model->Predict(row, 1, cars.cols);
  StatusOr<std::vector<double>> xgb = model->PredictXgboost(row, 1, cars.cols);
  ASSERT_EQ(ours.ok(), xgb.ok());
  if (ours.ok()) {
    EXPECT_EQ(*ours, *xgb);
  } else {
    EXPECT_EQ(ours.status().message(), xgb.status().message());
  }
}

TEST(TreeEnsembleTest, ObjectivesWithATransformStayWithXgboost) {
  LabeledMatrix cars = CarPrices();
  for (double& y : cars.labels) y = y > 20000 ? 1 : 0;
  auto model = Train(cars, nullptr, {{"num_round", "10"}, {"objective", "binary:logistic"}});
  ASSERT_NE(model, nullptr);
  EXPECT_FALSE(model->native());
  StatusOr<std::vector<double>> ours = model->Predict(cars.features, cars.rows, cars.cols);
  StatusOr<std::vector<double>> xgb = model->PredictXgboost(cars.features, cars.rows, cars.cols);
  ASSERT_TRUE(ours.ok() && xgb.ok());
  EXPECT_EQ(*ours, *xgb);
  for (double p : *ours) {
    EXPECT_GE(p, 0.0);
    EXPECT_LE(p, 1.0);
  }
}

TEST(TreeEnsembleTest, RefusesModelsItDoesNotCover) {
  auto model = [](const std::string& booster, const std::string& objective,
                  const std::string& split_type) {
    return R"({"learner": {"gradient_booster": {"name": ")" + booster +
           R"(", "model": {"tree_info": [0], "trees": [{"left_children": [1, -1, -1],
           "right_children": [2, -1, -1], "split_conditions": [0.5, -1.25, 2.5],
           "split_indices": [1, 0, 0], "default_left": [1, 0, 0], "split_type": )" +
           split_type + R"(, "tree_param": {"size_leaf_vector": "0"}}]}},
           "learner_model_param": {"base_score": "5E-1", "num_class": "0", "num_feature": "2",
           "num_target": "1"}, "objective": {"name": ")" +
           objective + R"("}}, "version": [1, 7, 4]})";
  };
  StatusOr<TreeEnsemble> ok =
      TreeEnsemble::FromXgboostJson(model("gbtree", "reg:squarederror", "[0, 0, 0]"));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->tree_count(), 1u);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float low[] = {0.0f, 0.25f}, high[] = {0.0f, 0.5f}, missing[] = {0.0f, nan};
  EXPECT_EQ(ok->PredictRow(low), 0.5f - 1.25f);
  EXPECT_EQ(ok->PredictRow(high), 0.5f + 2.5f);      // not < 0.5: right
  EXPECT_EQ(ok->PredictRow(missing), 0.5f - 1.25f);  // default left

  for (const auto& [json, what] : std::vector<std::pair<std::string, std::string>>{
           {model("dart", "reg:squarederror", "[0, 0, 0]"), "the booster dart"},
           {model("gbtree", "reg:logistic", "[0, 0, 0]"), "the objective reg:logistic"},
           {model("gbtree", "reg:squarederror", "[1, 0, 0]"), "categorical splits"}}) {
    StatusOr<TreeEnsemble> e = TreeEnsemble::FromXgboostJson(json);
    ASSERT_FALSE(e.ok()) << what;
    EXPECT_EQ(e.status().code(), StatusCode::kFailedPrecondition) << what;
    EXPECT_NE(e.status().message().find(what), std::string::npos) << e.status().message();
  }
}

TEST(TreeEnsembleTest, RejectsMalformedModels) {
  const std::string cycle = R"({"learner": {"gradient_booster": {"name": "gbtree", "model": {
      "trees": [{"left_children": [1, 0], "right_children": [1, 0], "split_conditions": [1, 1],
      "split_indices": [0, 0], "default_left": [0, 0]}]}},
      "learner_model_param": {"base_score": "0", "num_feature": "1"},
      "objective": {"name": "reg:squarederror"}}})";
  for (const std::string& json :
       {std::string("{not json"), std::string(R"({"learner": {}})"), cycle}) {
    StatusOr<TreeEnsemble> e = TreeEnsemble::FromXgboostJson(json);
    ASSERT_FALSE(e.ok()) << json;
    EXPECT_EQ(e.status().code(), StatusCode::kDataLoss) << e.status().ToString();
  }
}

}  // namespace
}  // namespace mlflowctl::ml
