#include "steps/ml/endpoint_predictor.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "steps/ml/csv.h"
#include "steps/ml/encoder.h"
#include "steps/ml/linear_model.h"
#include "steps/ml/model.h"
#include "steps/ml/numeric_csv.h"

namespace mlflowctl::ml {
namespace {

namespace fs = std::filesystem;

// Price = 20000 - 0.1 Mileage + 5000 [Make = Cadillac]; features are
// Mileage, Make=Buick, Make=Cadillac as the preprocess manifest defines them.
class EndpointPredictorTest : public testing::Test {
 protected:
  EndpointPredictorTest() {
    static std::atomic<int> counter{0};
    root_ = fs::temp_directory_path() / ("mlf_endpoint_predictor_test_" +
                                         std::to_string(::getpid()) + "_" +
                                         std::to_string(counter++));
    fs::create_directories(root_ / "s3/bucket/data");
    fs::create_directories(ModelDir());
  }
  ~EndpointPredictorTest() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::string ModelDir() const { return (root_ / "s3/bucket/models/m").string(); }
  EndpointPredictor::UriResolver Resolver() const {
    return [root = root_](const std::string& uri) {
      const std::string prefix = "s3://";
      return uri.rfind(prefix, 0) == 0 ? (root / "s3" / uri.substr(prefix.size())).string()
                                       : uri;
    };
  }

  // Trains the linear learner on the rows and writes the model directory;
  // with `manifest`, also the manifest beside the training data.
  void TrainModel(bool manifest) {
    StatusOr<Encoder> encoder = Encoder::Create(
        "Price", {{"Mileage", ColumnType::kNumeric, {}},
                  {"Make", ColumnType::kCategorical, {"Buick", "Cadillac"}}});
    ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
    LabeledMatrix data;
    data.cols = 3;
    std::string csv;
    for (int i = 0; i < 40; ++i) {
      double mileage = 1000 + 731.0 * i;
      bool cadillac = i % 3 == 0;
      double price = 20000 - 0.1 * mileage + (cadillac ? 5000 : 0);
      data.features.insert(data.features.end(),
                           {mileage, cadillac ? 0.0 : 1.0, cadillac ? 1.0 : 0.0});
      data.labels.push_back(price);
      ++data.rows;
    }
    StatusOr<LinearParams> params =
        ParseLinearLearnerHyperParameters({{"predictor_type", "regressor"}});
    ASSERT_TRUE(params.ok()) << params.status().ToString();
    StatusOr<LinearModel> model = LinearModel::Train(data, *params);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    ASSERT_TRUE(model->Save(ModelDir() + "/" + kLinearModelFile).ok());
    ModelMetadata meta;
    meta.algorithm = kLinearLearnerAlgorithm;
    meta.features = encoder->features();
    meta.feature_count = 3;
    meta.extra["data"] = {{"train", "s3://bucket/data/train.csv"}};
    ASSERT_TRUE(WriteModelMetadata(ModelDir(), meta).ok());
    if (manifest) {
      std::ofstream(root_ / "s3/bucket/data/manifest.json") << encoder->ToManifest().dump();
    }
  }

  std::unique_ptr<EndpointPredictor> Load() {
    auto p = EndpointPredictor::Load(ModelDir(), Resolver());
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return p.ok() ? std::move(p).value() : nullptr;
  }

  // The model's own predictions for rows of features.
  std::vector<double> Direct(const EndpointPredictor& p, const std::vector<double>& rows) {
    auto out = p.model().Predict(rows, rows.size() / 3, 3);
    EXPECT_TRUE(out.ok());
    return out.ok() ? *out : std::vector<double>();
  }

  fs::path root_;
};

TEST_F(EndpointPredictorTest, CsvRowsGetOnePredictionPerLine) {
  TrainModel(false);
  auto p = Load();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->encoder(), nullptr);
  auto r = p->Invoke("8221,1,0\r\n30000,0,1\n", "text/csv; charset=utf-8");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->content_type, "text/csv");
  std::vector<double> want = Direct(*p, {8221, 1, 0, 30000, 0, 1});
  EXPECT_EQ(r->body, FormatDouble(want[0]) + "\n" + FormatDouble(want[1]) + "\n");
  EXPECT_NEAR(want[0], 20000 - 822.1, 1e-6);
  EXPECT_NEAR(want[1], 20000 - 3000 + 5000, 1e-6);
}

TEST_F(EndpointPredictorTest, CsvBodiesReadAsTheCsvReaderReadsThem) {
  TrainModel(false);
  auto p = Load();
  ASSERT_NE(p, nullptr);
  // Feature values only: what ParseNumericCsv reads, ParseCsvBody reads
  // the same; what it refuses (or reads as another shape), ParseCsvBody
  // refuses too.
  for (const std::string body :
       {"8221,1,0", "8221,1,0\n", "\n\n8221,1,0\r\n\r\n30000, 0 ,1", "+1e3,.5,-0.\n",
        " 1,\t2,3\n4,5,6\n\n", "1,2,3\r", "1,2,3\r\r\n", "1,2\n", "1,2,3,4\n",
        "\xEF\xBB\xBF" "1,2,3\n", "\"1\",2,3\n", "1,2,3\n1,2\n", "1,2,3,\n", "1,,3\n", "\n",
        "1e400,0,0\n", "0x10,0,0\n", "1,2,3\n\"4\",\"5\",\"6\"\n"}) {
    CsvOptions options;
    options.has_header = false;
    StatusOr<NumericCsv> want = ParseNumericCsv(body, "body", options);
    std::size_t rows = 0;
    StatusOr<std::vector<double>> got = p->ParseCsvBody(body, &rows);
    if (want.ok() && want->cols == 3 && want->rows > 0) {
      ASSERT_TRUE(got.ok()) << body << ": " << got.status().ToString();
      EXPECT_EQ(rows, want->rows) << body;
      EXPECT_EQ(*got, want->values) << body;
    } else {
      EXPECT_FALSE(got.ok()) << body;
    }
  }
}

TEST_F(EndpointPredictorTest, JsonInstancesGetScores) {
  TrainModel(false);
  auto p = Load();
  ASSERT_NE(p, nullptr);
  auto r = p->Invoke(R"({"instances": [[8221, 1, 0], {"features": [30000, 0, 1]}]})",
                     "application/json");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::vector<double> want = Direct(*p, {8221, 1, 0, 30000, 0, 1});
  Json body = ParseJson(r->body).value();
  ASSERT_EQ(body["predictions"].size(), 2u);
  EXPECT_EQ(body["predictions"][0]["score"].get<double>(), want[0]);
  EXPECT_EQ(body["predictions"][1]["score"].get<double>(), want[1]);

  auto lines = p->Invoke("{\"features\": [8221, 1, 0]}\n[30000, 0, 1]\n", "application/jsonlines");
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(lines->body, Json({{"score", want[0]}}).dump() + "\n" +
                             Json({{"score", want[1]}}).dump() + "\n");
}

TEST_F(EndpointPredictorTest, RawRecordsAreEncodedWithTheManifest) {
  TrainModel(true);
  auto p = Load();
  ASSERT_NE(p, nullptr);
  ASSERT_NE(p->encoder(), nullptr);
  EXPECT_EQ(p->manifest_path(), (root_ / "s3/bucket/data/manifest.json").string());
  std::vector<double> want = Direct(*p, {8221, 1, 0, 30000, 0, 1, 5000, 0, 0});
  auto r = p->Invoke(
      R"({"instances": [{"Mileage": 8221, "Make": "Buick", "Price": 1},
                        {"Mileage": "30000", "Make": "Cadillac"},
                        {"Mileage": 5000, "Make": "Saab"}]})",
      "application/json");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Json body = ParseJson(r->body).value();
  ASSERT_EQ(body["predictions"].size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(body["predictions"][i]["score"].get<double>(), want[i]) << i;
  }
  // A CSV line may hold the raw columns in the manifest's order too.
  auto csv = p->Invoke("8221,Buick\n30000,Cadillac\n", "text/csv");
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(csv->body, FormatDouble(want[0]) + "\n" + FormatDouble(want[1]) + "\n");
}

TEST_F(EndpointPredictorTest, WrongValueCountNamesTheRow) {
  TrainModel(true);
  auto p = Load();
  ASSERT_NE(p, nullptr);
  auto r = p->Invoke(R"({"instances": [[1, 0, 0], [1, 2, 3, 4]]})", "application/json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "row 2 has 4 values; the model expects 3 features or 2 raw columns "
            "(Mileage,Make)");
  auto csv = p->Invoke("1,0,0\nabc,0,1\n", "text/csv");
  ASSERT_FALSE(csv.ok());
  EXPECT_EQ(csv.status().message(), "row 2, column 1: 'abc' is not a number");
  auto record = p->Invoke(R"({"Make": "Buick"})", "application/json");
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.status().message().find("row 1"), std::string::npos);
  EXPECT_NE(record.status().message().find("Mileage"), std::string::npos);
}

TEST_F(EndpointPredictorTest, RawRecordsWithoutAManifestAreRefusedClearly) {
  TrainModel(false);
  auto p = Load();
  ASSERT_NE(p, nullptr);
  auto r = p->Invoke(R"({"instances": [{"Mileage": 1, "Make": "Buick"}]})", "application/json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("manifest"), std::string::npos) << r.status().ToString();
}

TEST_F(EndpointPredictorTest, UnsupportedContentTypeAndEmptyBodyAreErrors) {
  TrainModel(false);
  auto p = Load();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->Invoke("1,0,0", "application/x-npy").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(p->Invoke("", "text/csv").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(p->Invoke(R"({"instances": []})", "application/json").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MediaType(" Text/CSV ; header=absent"), "text/csv");
}

TEST_F(EndpointPredictorTest, MissingModelDirectoryIsNotFound) {
  auto p = EndpointPredictor::Load((root_ / "nowhere").string(), Resolver());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace mlflowctl::ml
