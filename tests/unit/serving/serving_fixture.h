// ServingFixture: a temporary store with hosting records on real models for
// the serving tests. Models are linear learners trained here on exact data
// (y = intercept + 2 x1 - x2), so a prediction tells which model answered.
// Test-only; not thread-safe (the host under test is).
#ifndef MLFLOWCTL_TESTS_UNIT_SERVING_SERVING_FIXTURE_H_
#define MLFLOWCTL_TESTS_UNIT_SERVING_SERVING_FIXTURE_H_

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/mlops/endpoint_store.h"
#include "engine/store/sqlite_endpoint_store.h"
#include "steps/ml/linear_model.h"
#include "steps/ml/model.h"
#include "steps/ml/numeric_csv.h"
#include "tests/unit/mlops/temp_store.h"

namespace mlflowctl::testing_serving {

struct VariantSpec {
  std::string variant;
  std::string model;
  double weight = 1.0;
};

class ServingFixture : public testing::Test {
 protected:
  ServingFixture() : endpoints_(&temp_.store(), &temp_.clock()) {}

  std::string Home() const { return temp_.dir() + "/home"; }
  std::string CaptureRoot() const { return temp_.dir() + "/capture"; }
  // "s3://b/k" -> <home>/s3/b/k, as steps::ResolveUri does.
  std::function<std::string(const std::string&)> Resolver() const {
    return [home = Home()](const std::string& uri) {
      return uri.rfind("s3://", 0) == 0 ? home + "/s3/" + uri.substr(5) : uri;
    };
  }

  // Trains y = intercept + 2 x1 - x2 and writes its model directory under
  // s3://bucket/models/<name>; returns the URI.
  std::string TrainModel(const std::string& name, double intercept) {
    std::string uri = "s3://bucket/models/" + name;
    std::string dir = Resolver()(uri);
    std::filesystem::create_directories(dir);
    ml::LabeledMatrix data;
    data.cols = 2;
    for (int i = 0; i < 30; ++i) {
      double x1 = i % 7, x2 = (i * 3) % 11;
      data.features.insert(data.features.end(), {x1, x2});
      data.labels.push_back(intercept + 2 * x1 - x2);
      ++data.rows;
    }
    auto params = ml::ParseLinearLearnerHyperParameters({{"predictor_type", "regressor"}});
    EXPECT_TRUE(params.ok()) << params.status().ToString();
    auto model = ml::LinearModel::Train(data, *params);
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    EXPECT_TRUE(model->Save(dir + "/" + ml::kLinearModelFile).ok());
    ml::ModelMetadata meta;
    meta.algorithm = ml::kLinearLearnerAlgorithm;
    meta.features = {"x1", "x2"};
    meta.feature_count = 2;
    EXPECT_TRUE(ml::WriteModelMetadata(dir, meta).ok());
    return uri;
  }

  // A hosted model on a freshly trained model.
  void MakeModel(const std::string& name, double intercept) {
    mlops::HostedModel m;
    m.name = name;
    m.primary_container.image = "linear-learner";
    m.primary_container.model_data_url = TrainModel(name, intercept);
    m.execution_role_arn = "arn:aws:iam::123456789012:role/r";
    auto made = endpoints_.CreateModel(m);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
  }

  void MakeConfig(const std::string& name, const std::vector<VariantSpec>& variants,
                  std::optional<mlops::DataCaptureConfig> capture = std::nullopt) {
    mlops::EndpointConfig c;
    c.name = name;
    for (const VariantSpec& v : variants) {
      mlops::ProductionVariant pv;
      pv.variant_name = v.variant;
      pv.model_name = v.model;
      pv.initial_variant_weight = v.weight;
      c.production_variants.push_back(pv);
    }
    c.data_capture = std::move(capture);
    auto made = endpoints_.CreateEndpointConfig(c);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
  }

  // Creates the endpoint and marks it InService (as a hosting step would).
  void MakeEndpoint(const std::string& name, const std::string& config) {
    ASSERT_TRUE(endpoints_.CreateEndpoint(name, config).ok());
    ASSERT_TRUE(endpoints_.FinishChange(name, true, "", "test").ok());
  }

  // Switches the endpoint to `config` in the store only (another process).
  void UpdateInStore(const std::string& name, const std::string& config) {
    ASSERT_TRUE(endpoints_.BeginUpdate(name, config).ok());
    ASSERT_TRUE(endpoints_.FinishChange(name, true, "", "test").ok());
  }

  static mlops::DataCaptureConfig Capture(double percentage) {
    mlops::DataCaptureConfig c;
    c.enable_capture = true;
    c.initial_sampling_percentage = percentage;
    c.destination_s3_uri = "s3://bucket/capture";
    c.csv_content_types = {"text/csv"};
    c.json_content_types = {"application/json"};
    return c;
  }

  testing_mlops::TempStore temp_;
  store::SqliteEndpointStore endpoints_;
};

// Every line of every .jsonl file under `root`, files in path order.
inline std::vector<std::string> CaptureLines(const std::string& root,
                                             std::vector<std::string>* files = nullptr) {
  std::vector<std::string> paths;
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) return {};
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".jsonl") {
      paths.push_back(e.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> lines;
  for (const std::string& p : paths) {
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  if (files != nullptr) *files = paths;
  return lines;
}

}  // namespace mlflowctl::testing_serving

#endif  // MLFLOWCTL_TESTS_UNIT_SERVING_SERVING_FIXTURE_H_
