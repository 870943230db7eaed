#include "steps/ml/linear_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/testutil/temp_dir.h"

namespace mlflowctl::ml {
namespace {


using testutil::TempDir;

// y = 3 + 2 * x1 - x2 on a grid, without noise.
LabeledMatrix Plane() {
  LabeledMatrix m;
  m.cols = 2;
  for (int i = 0; i < 10; ++i) {
    for (int k = 0; k < 7; ++k) {
      double x1 = i * 0.5 - 2, x2 = k * 3.0 + 100;
      m.features.insert(m.features.end(), {x1, x2});
      m.labels.push_back(3 + 2 * x1 - x2);
      ++m.rows;
    }
  }
  return m;
}

LinearParams Params(HyperParameterMap hp) {
  hp.emplace("predictor_type", "regressor");
  StatusOr<LinearParams> p = ParseLinearLearnerHyperParameters(hp);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return *p;
}

TEST(LinearModelTest, RecoversKnownCoefficients) {
  auto model = LinearModel::Train(Plane(), Params({}));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_NEAR(model->RawIntercept(), 3.0, 1e-9);
  std::vector<double> w = model->RawWeights();
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NEAR(w[0], 2.0, 1e-12);
  EXPECT_NEAR(w[1], -1.0, 1e-12);
  std::vector<double> row{1.0, 5.0};  // 3 + 2 - 5
  auto pred = model->Predict(row, 1, 2);
  ASSERT_TRUE(pred.ok());
  EXPECT_NEAR((*pred)[0], 0.0, 1e-9);
}

TEST(LinearModelTest, StandardisesWithTrainingMeansAndStds) {
  // x = 1, 2, 3, 4: mean 2.5, population std sqrt(1.25).
  LabeledMatrix m;
  m.cols = 1;
  for (double x : {1.0, 2.0, 3.0, 4.0}) {
    m.features.push_back(x);
    m.labels.push_back(3 + 2 * x);
    ++m.rows;
  }
  auto model = LinearModel::Train(m, Params({}));
  ASSERT_TRUE(model.ok());
  EXPECT_DOUBLE_EQ(model->means()[0], 2.5);
  EXPECT_DOUBLE_EQ(model->stds()[0], std::sqrt(1.25));
  EXPECT_DOUBLE_EQ(model->intercept(), 8.0);  // mean of y = 3 + 2 * 2.5
  EXPECT_NEAR(model->weights()[0], 2 * std::sqrt(1.25), 1e-12);
}

TEST(LinearModelTest, WeightDecayShrinksTheWeightAsHandComputed) {
  // With one standardised feature z (mean 0, variance 1), minimising
  // (1/n)||y - ybar - w z||^2 + wd w^2 gives w = cov(z, y) / (1 + wd).
  // y = 3 + 2x, so cov(z, y) = 2 * std(x) and, with wd = 1, w = std(x):
  // the raw slope halves from 2 to 1.
  LabeledMatrix m;
  m.cols = 1;
  for (double x : {1.0, 2.0, 3.0, 4.0}) {
    m.features.push_back(x);
    m.labels.push_back(3 + 2 * x);
    ++m.rows;
  }
  auto model = LinearModel::Train(m, Params({{"wd", "1"}}));
  ASSERT_TRUE(model.ok());
  EXPECT_NEAR(model->weights()[0], std::sqrt(1.25), 1e-12);
  EXPECT_NEAR(model->RawWeights()[0], 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(model->intercept(), 8.0);  // the intercept is not shrunk
}

TEST(LinearModelTest, ConstantFeatureGetsUnitStdAndNoWeight) {
  LabeledMatrix m = Plane();
  LabeledMatrix c;
  c.rows = m.rows;
  c.cols = 3;
  c.labels = m.labels;
  for (std::size_t i = 0; i < m.rows; ++i) {
    c.features.insert(c.features.end(), {m.Row(i)[0], 0.1, m.Row(i)[1]});
  }
  auto model = LinearModel::Train(c, Params({}));
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->stds()[1], 1.0);
  EXPECT_NEAR(model->weights()[1], 0.0, 1e-12);
  EXPECT_NEAR(model->RawWeights()[0], 2.0, 1e-9);
  EXPECT_NEAR(model->RawWeights()[2], -1.0, 1e-9);
}

TEST(LinearModelTest, FullOneHotBlockWithoutDecayStillFits) {
  // Two one-hot columns that always sum to 1 are collinear with the
  // intercept; the minimum-norm solution still fits exactly.
  LabeledMatrix m;
  m.cols = 3;
  for (int i = 0; i < 20; ++i) {
    double x = i, a = i % 2 == 0 ? 1 : 0, b = 1 - a;
    m.features.insert(m.features.end(), {x, a, b});
    m.labels.push_back(1 + 0.5 * x + 4 * a);
    ++m.rows;
  }
  auto model = LinearModel::Train(m, Params({}));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto pred = model->Predict(m.features, m.rows, m.cols);
  ASSERT_TRUE(pred.ok());
  for (std::size_t i = 0; i < m.rows; ++i) EXPECT_NEAR((*pred)[i], m.labels[i], 1e-9);
  // Minimum norm: the one-hot pair shares the effect symmetrically.
  EXPECT_NEAR(model->weights()[1], -model->weights()[2], 1e-9);
}

TEST(LinearModelTest, WithoutBiasFitsThroughTheOrigin) {
  LabeledMatrix m;
  m.cols = 1;
  for (double x : {1.0, 2.0, 3.0}) {
    m.features.push_back(x);
    m.labels.push_back(2 * x + 1);
    ++m.rows;
  }
  auto model = LinearModel::Train(m, Params({{"use_bias", "false"}}));
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(model->intercept(), 0.0);
  EXPECT_EQ(model->means()[0], 0.0);
  // Least squares through the origin: sum(xy)/sum(x^2) = (3+10+21)/14.
  EXPECT_NEAR(model->RawWeights()[0], 34.0 / 14.0, 1e-12);
}

TEST(LinearModelTest, SaveThenLoadPredictsIdentically) {
  TempDir dir;
  LabeledMatrix m = Plane();
  auto model = LinearModel::Train(m, Params({{"wd", "0.01"}}));
  ASSERT_TRUE(model.ok());
  ASSERT_TRUE(model->Save(dir.File("linear-model.json")).ok());
  auto loaded = LinearModel::Load(dir.File("linear-model.json"));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->intercept(), model->intercept());
  EXPECT_EQ(loaded->weights(), model->weights());
  EXPECT_EQ(loaded->means(), model->means());
  EXPECT_EQ(loaded->stds(), model->stds());
  auto a = model->Predict(m.features, m.rows, m.cols);
  auto b = loaded->Predict(m.features, m.rows, m.cols);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(LinearModelTest, TrainingIsDeterministic) {
  LabeledMatrix m = Plane();
  auto a = LinearModel::Train(m, Params({{"wd", "0.1"}}));
  auto b = LinearModel::Train(m, Params({{"wd", "0.1"}}));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->ToJson().dump(), b->ToJson().dump());
}

TEST(LinearModelTest, LoadReportsMissingAndMalformedFiles) {
  TempDir dir;
  EXPECT_EQ(LinearModel::Load(dir.File("none.json")).status().code(), StatusCode::kNotFound);
  {
    std::ofstream out(dir.File("bad.json"));
    out << R"({"format": "mlflowctl-linear-learner", "intercept": 1, "weights": [1, 2],)"
        << R"( "feature_means": [0], "feature_stds": [1, 1]})";
  }
  EXPECT_EQ(LinearModel::Load(dir.File("bad.json")).status().code(), StatusCode::kDataLoss);
  {
    std::ofstream out(dir.File("other.json"));
    out << R"({"learner": {}})";
  }
  EXPECT_EQ(LinearModel::Load(dir.File("other.json")).status().code(), StatusCode::kDataLoss);
}

TEST(LinearModelTest, ParsesSageMakerHyperParameters) {
  LinearParams p = Params({{"wd", "0.5"},
                           {"epochs", "15"},
                           {"l1", "auto"},
                           {"feature_dim", "2"},
                           {"loss", "squared_loss"}});
  EXPECT_EQ(p.wd, 0.5);
  EXPECT_TRUE(p.use_bias);
  ASSERT_TRUE(p.feature_dim.has_value());
  EXPECT_EQ(*p.feature_dim, 2u);
  EXPECT_EQ(p.effective.at("predictor_type"), "regressor");
  EXPECT_EQ(p.effective.at("epochs"), "15");
  EXPECT_EQ(Params({}).effective.at("wd"), "0");
  EXPECT_EQ(Params({{"wd", "auto"}}).wd, 0.0);
}

TEST(LinearModelTest, RejectsBadHyperParametersNamingThem) {
  struct Case {
    HyperParameterMap hp;
    std::string name;
  };
  std::vector<Case> cases = {
      {{}, "predictor_type"},
      {{{"predictor_type", "binary_classifier"}}, "predictor_type"},
      {{{"predictor_type", "regressor"}, {"wd", "-1"}}, "wd"},
      {{{"predictor_type", "regressor"}, {"l1", "0.1"}}, "l1"},
      {{{"predictor_type", "regressor"}, {"use_bias", "maybe"}}, "use_bias"},
      {{{"predictor_type", "regressor"}, {"loss", "hinge_loss"}}, "loss"},
      {{{"predictor_type", "regressor"}, {"num_round", "3"}}, "num_round"},
  };
  for (const Case& c : cases) {
    StatusOr<LinearParams> p = ParseLinearLearnerHyperParameters(c.hp);
    ASSERT_FALSE(p.ok()) << c.name;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(p.status().message().find(c.name), std::string::npos) << p.status().message();
  }
  auto wrong_dim = LinearModel::Train(Plane(), Params({{"feature_dim", "5"}}));
  ASSERT_FALSE(wrong_dim.ok());
  EXPECT_NE(wrong_dim.status().message().find("feature_dim"), std::string::npos);
}

TEST(LinearModelTest, PredictRejectsTheWrongShape) {
  auto model = LinearModel::Train(Plane(), Params({}));
  ASSERT_TRUE(model.ok());
  std::vector<double> x{1, 2, 3};
  EXPECT_EQ(model->Predict(x, 1, 3).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(model->Predict(x, 2, 2).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mlflowctl::ml
