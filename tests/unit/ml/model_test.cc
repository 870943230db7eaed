#include "steps/ml/model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "steps/ml/linear_model.h"
#include "steps/ml/numeric_csv.h"
#include "steps/ml/xgboost_model.h"

#include "tests/testutil/temp_dir.h"

namespace mlflowctl::ml {
namespace {


using testutil::TempDir;

LabeledMatrix Data() {
  LabeledMatrix m;
  m.cols = 2;
  for (int i = 0; i < 60; ++i) {
    double x1 = i % 10, x2 = (i * 7) % 11;
    m.features.insert(m.features.end(), {x1, x2});
    m.labels.push_back(3 + 2 * x1 - x2 + (x1 > 5 ? 10 : 0));
    ++m.rows;
  }
  return m;
}

ModelMetadata Metadata(const std::string& algorithm) {
  ModelMetadata meta;
  meta.algorithm = algorithm;
  meta.features = {"a", "b"};
  meta.feature_count = 2;
  meta.hyperparameters = {{"num_round", "5"}};
  meta.metrics = {{"validation", {{"rmse", 1.5}}}};
  meta.extra = {{"training_job_name", "job-1"}};
  return meta;
}

TEST(ModelTest, LoadsAnXgboostDirectoryAndPredictsAsTheBooster) {
  TempDir dir;
  LabeledMatrix data = Data();
  auto params = ParseXgboostHyperParameters({{"num_round", "5"}});
  ASSERT_TRUE(params.ok());
  auto trained = XgboostModel::Train(data, nullptr, *params);
  ASSERT_TRUE(trained.ok());
  ASSERT_TRUE(trained->model->Save(dir.File(kXgboostModelFile)).ok());
  ASSERT_TRUE(WriteModelMetadata(dir.path(), Metadata(kXgboostAlgorithm)).ok());

  auto model = Model::Load(dir.path());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->metadata().algorithm, "xgboost");
  EXPECT_EQ((*model)->feature_count(), 2u);
  EXPECT_EQ((*model)->metadata().features, (std::vector<std::string>{"a", "b"}));
  auto got = (*model)->Predict(data.features, data.rows, data.cols);
  auto want = trained->model->Predict(data.features, data.rows, data.cols);
  ASSERT_TRUE(got.ok() && want.ok());
  EXPECT_EQ(*got, *want);
}

TEST(ModelTest, LoadsALinearDirectoryAndPredictsAsTheLinearModel) {
  TempDir dir;
  LabeledMatrix data = Data();
  auto params = ParseLinearLearnerHyperParameters({{"predictor_type", "regressor"}});
  ASSERT_TRUE(params.ok());
  auto trained = LinearModel::Train(data, *params);
  ASSERT_TRUE(trained.ok());
  ASSERT_TRUE(trained->Save(dir.File(kLinearModelFile)).ok());
  ASSERT_TRUE(WriteModelMetadata(dir.path(), Metadata(kLinearLearnerAlgorithm)).ok());

  auto model = Model::Load(dir.path());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto got = (*model)->Predict(data.features, data.rows, data.cols);
  auto want = trained->Predict(data.features, data.rows, data.cols);
  ASSERT_TRUE(got.ok() && want.ok());
  EXPECT_EQ(*got, *want);
  EXPECT_EQ((*model)->Predict(data.features, data.rows * 2, 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ModelTest, LoadReportsWhatIsWrong) {
  TempDir dir;
  EXPECT_EQ(Model::Load(dir.File("missing")).status().code(), StatusCode::kNotFound);
  // No metadata.json.
  EXPECT_EQ(Model::Load(dir.path()).status().code(), StatusCode::kNotFound);
  // Metadata naming an unknown algorithm.
  ASSERT_TRUE(WriteModelMetadata(dir.path(), Metadata("kmeans")).ok());
  auto unknown = Model::Load(dir.path());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("kmeans"), std::string::npos);
  // Metadata for XGBoost without the model file.
  ASSERT_TRUE(WriteModelMetadata(dir.path(), Metadata(kXgboostAlgorithm)).ok());
  EXPECT_EQ(Model::Load(dir.path()).status().code(), StatusCode::kNotFound);
  // A feature count that disagrees with the model file.
  auto params = ParseLinearLearnerHyperParameters({{"predictor_type", "regressor"}});
  auto trained = LinearModel::Train(Data(), *params);
  ASSERT_TRUE(trained.ok());
  ASSERT_TRUE(trained->Save(dir.File(kLinearModelFile)).ok());
  ModelMetadata meta = Metadata(kLinearLearnerAlgorithm);
  meta.features.clear();
  meta.feature_count = 3;
  ASSERT_TRUE(WriteModelMetadata(dir.path(), meta).ok());
  EXPECT_EQ(Model::Load(dir.path()).status().code(), StatusCode::kInvalidArgument);
  // Malformed metadata.
  dir.Write(kMetadataFile, R"({"algorithm": "linear-learner", "feature_count": "two"})");
  EXPECT_EQ(Model::Load(dir.path()).status().code(), StatusCode::kInvalidArgument);
}

TEST(ModelTest, MetadataRoundTripsAndKeepsExtraMembers) {
  ModelMetadata meta = Metadata(kXgboostAlgorithm);
  auto back = ModelMetadata::FromJson(meta.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToJson(), meta.ToJson());
  EXPECT_EQ(back->extra["training_job_name"], "job-1");
  EXPECT_EQ(meta.ToJson()["feature_count"], 2);
}

TEST(ModelTest, HyperParametersFromJsonAcceptsStringsAndNumbers) {
  Json j = {{"num_round", "10"}, {"max_depth", 4}, {"eta", 0.25}, {"use_bias", true}};
  auto hp = HyperParametersFromJson(j);
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->at("num_round"), "10");
  EXPECT_EQ(hp->at("max_depth"), "4");
  EXPECT_EQ(hp->at("eta"), "0.25");
  EXPECT_EQ(hp->at("use_bias"), "true");
  EXPECT_TRUE(HyperParametersFromJson(Json()).ok());
  auto bad = HyperParametersFromJson({{"eta", Json::array({1})}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("eta"), std::string::npos);
  EXPECT_FALSE(HyperParametersFromJson(Json::array()).ok());
}

TEST(ModelTest, HyperParameterParsersCheckRangeAndSyntax) {
  EXPECT_EQ(*ParseIntHyperParameter("n", "10", 1, 100), 10);
  EXPECT_EQ(*ParseIntHyperParameter("n", "10.0", 1, 100), 10);
  EXPECT_FALSE(ParseIntHyperParameter("n", "10.5", 1, 100).ok());
  EXPECT_FALSE(ParseIntHyperParameter("n", "", 1, 100).ok());
  EXPECT_FALSE(ParseIntHyperParameter("n", "101", 1, 100).ok());
  EXPECT_FALSE(ParseIntHyperParameter("n", "1e3", 1, 10000).ok());
  EXPECT_EQ(*ParseDoubleHyperParameter("x", "0.5", 0, 1), 0.5);
  EXPECT_EQ(*ParseDoubleHyperParameter("x", "1e-3", 0, 1), 0.001);
  EXPECT_FALSE(ParseDoubleHyperParameter("x", "nan", 0, 1).ok());
  EXPECT_FALSE(ParseDoubleHyperParameter("x", "0.5x", 0, 1).ok());
  EXPECT_TRUE(*ParseBoolHyperParameter("b", "True"));
  EXPECT_FALSE(*ParseBoolHyperParameter("b", "0"));
  EXPECT_FALSE(ParseBoolHyperParameter("b", "yes").ok());
}

TEST(ModelTest, ReadsLabeledCsvFilesAndDirectories) {
  TempDir dir;
  dir.Write("one.csv", "1,2,3\r\n4,5,6\r\n");
  auto one = ReadLabeledCsv(dir.File("one.csv"));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->rows, 2u);
  EXPECT_EQ(one->cols, 2u);
  EXPECT_EQ(one->labels, (std::vector<double>{1, 4}));
  EXPECT_EQ(one->features, (std::vector<double>{2, 3, 5, 6}));
  // A directory is read like an S3 prefix: its files in name order.
  dir.Write("prefix/b.csv", "7,8,9\n");
  dir.Write("prefix/a.csv", "1,2,3\n");
  dir.Write("prefix/.hidden", "junk\n");
  auto prefix = ReadLabeledCsv(dir.File("prefix"));
  ASSERT_TRUE(prefix.ok()) << prefix.status().ToString();
  EXPECT_EQ(prefix->labels, (std::vector<double>{1, 7}));
  EXPECT_EQ(ReadLabeledCsv(dir.File("nope.csv")).status().code(), StatusCode::kNotFound);
  dir.Write("bad.csv", "1,2\n3,x\n");
  auto bad = ReadLabeledCsv(dir.File("bad.csv"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("bad.csv:2"), std::string::npos) << bad.status().message();
  dir.Write("narrow.csv", "1\n2\n");
  EXPECT_EQ(ReadLabeledCsv(dir.File("narrow.csv")).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mlflowctl::ml
