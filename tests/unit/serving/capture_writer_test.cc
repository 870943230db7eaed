#include "serving/capture_writer.h"

#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/base/clock.h"
#include "engine/base/json_util.h"
#include "tests/testutil/temp_dir.h"
#include "tests/unit/serving/serving_fixture.h"

namespace mlflowctl::serving {
namespace {

namespace fs = std::filesystem;
using testing_serving::CaptureLines;

// 2022-02-14T17:25:49.123Z
constexpr int64_t kTime = 1644859549123;

CaptureRecord CsvRecord() {
  CaptureRecord r;
  r.endpoint_name = "car-price";
  r.variant_name = "AllTraffic";
  r.time_ms = kTime;
  r.event_id = "74b0dd56-e7c8-368e-94b1-14a138a96000";
  r.input_content_type = "text/csv";
  r.input_body = "9,45,45,42,7,5,0";
  r.input_encoding = "CSV";
  r.output_content_type = "text/csv";
  r.output_body = "0.302709460258";
  r.output_encoding = "CSV";
  return r;
}

TEST(CaptureWriterTest, WritesSageMakersLineUnderTheHourOfTheRecord) {
  testutil::TempDir dir("capture");
  {
    CaptureWriter writer(dir.path());
    writer.Append(CsvRecord());
    ASSERT_TRUE(writer.Flush().ok());
    EXPECT_EQ(writer.written(), 1u);
  }
  std::vector<std::string> files;
  std::vector<std::string> lines = CaptureLines(dir.path(), &files);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0],
            R"({"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT",)"
            R"("data":"9,45,45,42,7,5,0","encoding":"CSV"},"endpointOutput":{)"
            R"("observedContentType":"text/csv","mode":"OUTPUT","data":"0.302709460258",)"
            R"("encoding":"CSV"}},"eventMetadata":{"eventId":"74b0dd56-e7c8-368e-94b1-14a138a96000",)"
            R"("inferenceTime":"2022-02-14T17:25:49Z"},"eventVersion":"0"})");
  ASSERT_EQ(files.size(), 1u);
  fs::path file(files[0]);
  EXPECT_EQ(file.parent_path(), fs::path(dir.path()) / "car-price/AllTraffic/2022/02/14/17");
  std::string name = file.filename().string();
  EXPECT_EQ(name.rfind("2022-02-14-17-25-49-123-", 0), 0u) << name;
  EXPECT_EQ(name.size(), std::string("2022-02-14-17-25-49-123-").size() + 36 + 6) << name;
  EXPECT_EQ(file.extension(), ".jsonl");
}

// The capture line as nlohmann's ordered_json writes it: SageMaker's key
// order, the configured encoding unless the body is not UTF-8, invalid
// UTF-8 elsewhere replaced. The oracle for CaptureLine's bytes.
std::string ReferenceLine(const CaptureRecord& r) {
  using OrderedJson = nlohmann::ordered_json;
  auto valid = [](const std::string& s) {
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::ignore) ==
           nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) &&
           s.find('\xff') == std::string::npos;
  };
  auto base64 = [](const std::string& in) {
    static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
      uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
      out += {k[n >> 18 & 63], k[n >> 12 & 63], k[n >> 6 & 63], k[n & 63]};
    }
    if (i + 1 == in.size()) {
      uint32_t n = uint8_t(in[i]) << 16;
      out += {k[n >> 18 & 63], k[n >> 12 & 63], '=', '='};
    } else if (i + 2 == in.size()) {
      uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
      out += {k[n >> 18 & 63], k[n >> 12 & 63], k[n >> 6 & 63], '='};
    }
    return out;
  };
  auto payload = [&](const std::string& type, const char* mode, const std::string& body,
                     const std::string& encoding) {
    std::string enc = encoding == "CSV" || encoding == "JSON" ? encoding : "BASE64";
    if (enc != "BASE64" && !valid(body)) enc = "BASE64";
    OrderedJson j;
    j["observedContentType"] = type;
    j["mode"] = mode;
    j["data"] = enc == "BASE64" ? base64(body) : body;
    j["encoding"] = enc;
    return j;
  };
  OrderedJson capture = OrderedJson::object();
  if (r.capture_input) {
    capture["endpointInput"] = payload(r.input_content_type, "INPUT", r.input_body,
                                       r.input_encoding);
  }
  if (r.capture_output) {
    capture["endpointOutput"] = payload(r.output_content_type, "OUTPUT", r.output_body,
                                        r.output_encoding);
  }
  std::time_t secs = static_cast<std::time_t>(r.time_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  OrderedJson metadata;
  metadata["eventId"] = r.event_id;
  if (!r.inference_id.empty()) metadata["inferenceId"] = r.inference_id;
  metadata["inferenceTime"] =
      fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  OrderedJson line;
  line["captureData"] = std::move(capture);
  line["eventMetadata"] = std::move(metadata);
  line["eventVersion"] = "0";
  return line.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

TEST(CaptureWriterTest, LinesAreTheBytesNlohmannWrites) {
  std::mt19937 gen(11);
  // Text from bytes that need escaping, multi-byte UTF-8, and invalid bytes.
  const std::vector<std::string> pieces = {
      "9,45.5,-1e3", "\"", "\\", "/", "\n", "\r\n", "\t", "\b", "\f", std::string(1, '\0'),
      "\x01", "\x1f", "\x7f", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xc3",
      "\xff", "\xed\xa0\x80", "text/csv", "{\"score\": 1}", " "};
  auto text = [&](int max_pieces) {
    std::string s;
    int n = std::uniform_int_distribution<int>(0, max_pieces)(gen);
    for (int i = 0; i < n; ++i) {
      s += pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(gen)];
    }
    return s;
  };
  const std::vector<std::string> encodings = {"CSV", "JSON", "BASE64", ""};
  auto encoding = [&] {
    return encodings[std::uniform_int_distribution<std::size_t>(0, encodings.size() - 1)(gen)];
  };
  for (int i = 0; i < 3000; ++i) {
    CaptureRecord r = CsvRecord();
    if (i > 0) {
      r.time_ms = std::uniform_int_distribution<int64_t>(0, 4102444800000)(gen);
      r.event_id = text(3);
      r.inference_id = i % 3 == 0 ? "" : text(3);
      r.capture_input = i % 5 != 1;
      r.capture_output = i % 7 != 2;
      r.input_content_type = text(2);
      r.output_content_type = text(2);
      r.input_body = text(6);
      r.output_body = text(6);
      r.input_encoding = encoding();
      r.output_encoding = encoding();
    }
    ASSERT_EQ(CaptureLine(r), ReferenceLine(r)) << "record " << i;
  }
}

TEST(CaptureWriterTest, EncodesBase64ByDefaultAndAddsTheInferenceId) {
  CaptureRecord r = CsvRecord();
  r.input_content_type = "application/octet-stream";
  r.input_body = "hello";
  r.input_encoding = "";
  r.output_content_type = "application/json";
  r.output_body = R"({"predictions": [{"score": 1.5}]})";
  r.output_encoding = "JSON";
  r.inference_id = "req-7";
  StatusOr<Json> line = ParseJson(CaptureLine(r));
  ASSERT_TRUE(line.ok());
  const Json& data = (*line)["captureData"];
  EXPECT_EQ(data["endpointInput"]["encoding"], "BASE64");
  EXPECT_EQ(data["endpointInput"]["data"], "aGVsbG8=");
  EXPECT_EQ(data["endpointInput"]["mode"], "INPUT");
  EXPECT_EQ(data["endpointOutput"]["encoding"], "JSON");
  EXPECT_EQ(data["endpointOutput"]["data"], R"({"predictions": [{"score": 1.5}]})");
  EXPECT_EQ((*line)["eventMetadata"]["inferenceId"], "req-7");
  // SageMaker's key order: eventId, inferenceId, inferenceTime.
  EXPECT_NE(CaptureLine(r).find(R"("eventId":"74b0dd56-e7c8-368e-94b1-14a138a96000",)"
                                R"("inferenceId":"req-7","inferenceTime")"),
            std::string::npos);
}

TEST(CaptureWriterTest, FallsBackToBase64ForBinaryBodies) {
  CaptureRecord r = CsvRecord();
  r.input_body = std::string("\xff\xfe", 2);
  StatusOr<Json> line = ParseJson(CaptureLine(r));
  ASSERT_TRUE(line.ok());
  EXPECT_EQ((*line)["captureData"]["endpointInput"]["encoding"], "BASE64");
  EXPECT_EQ((*line)["captureData"]["endpointInput"]["data"], "//4=");
}

TEST(CaptureWriterTest, LeavesOutTheModesNotCaptured) {
  CaptureRecord r = CsvRecord();
  r.capture_output = false;
  StatusOr<Json> line = ParseJson(CaptureLine(r));
  ASSERT_TRUE(line.ok());
  EXPECT_TRUE((*line)["captureData"].contains("endpointInput"));
  EXPECT_FALSE((*line)["captureData"].contains("endpointOutput"));
}

TEST(CaptureWriterTest, PicksTheEncodingFromTheContentTypeLists) {
  std::vector<std::string> csv = {"text/csv"}, json = {"application/json"};
  EXPECT_EQ(CaptureEncoding("text/csv", csv, json), "CSV");
  EXPECT_EQ(CaptureEncoding("Text/CSV; charset=utf-8", csv, json), "CSV");
  EXPECT_EQ(CaptureEncoding("application/json", csv, json), "JSON");
  EXPECT_EQ(CaptureEncoding("application/jsonlines", csv, json), "BASE64");
  EXPECT_EQ(CaptureEncoding("text/csv", {}, {}), "BASE64");
}

TEST(CaptureWriterTest, DestructorWritesEverythingAppended) {
  testutil::TempDir dir("capture");
  {
    CaptureWriter writer(dir.path());
    for (int i = 0; i < 2000; ++i) {
      CaptureRecord r = CsvRecord();
      r.input_body = std::to_string(i);
      writer.Append(std::move(r));
    }
  }  // no Flush
  std::vector<std::string> lines = CaptureLines(dir.path());
  ASSERT_EQ(lines.size(), 2000u);
  for (int i = 0; i < 2000; ++i) {
    StatusOr<Json> line = ParseJson(lines[i]);
    ASSERT_TRUE(line.ok());
    EXPECT_EQ((*line)["captureData"]["endpointInput"]["data"], std::to_string(i));
  }
}

TEST(CaptureWriterTest, OneFilePerHourAndVariant) {
  testutil::TempDir dir("capture");
  CaptureWriter writer(dir.path());
  CaptureRecord a = CsvRecord();
  CaptureRecord b = CsvRecord();
  b.time_ms = kTime + 60 * 1000;  // same hour
  CaptureRecord c = CsvRecord();
  c.time_ms = kTime + 3600 * 1000;  // next hour
  CaptureRecord d = CsvRecord();
  d.variant_name = "Shadow";
  for (CaptureRecord* r : {&a, &b, &c, &d}) writer.Append(*r);
  ASSERT_TRUE(writer.Flush().ok());
  writer.Append(CsvRecord());  // a later batch goes to the same file
  ASSERT_TRUE(writer.Flush().ok());
  std::vector<std::string> files;
  EXPECT_EQ(CaptureLines(dir.path(), &files).size(), 5u);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_NE(files[0].find("/AllTraffic/2022/02/14/17/"), std::string::npos);
  EXPECT_NE(files[1].find("/AllTraffic/2022/02/14/18/"), std::string::npos);
  EXPECT_NE(files[2].find("/Shadow/2022/02/14/17/"), std::string::npos);
}

TEST(CaptureWriterTest, ConcurrentAppendsAreAllWritten) {
  testutil::TempDir dir("capture");
  CaptureWriter writer(dir.path());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&writer] {
      for (int i = 0; i < 500; ++i) writer.Append(CsvRecord());
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(writer.Flush().ok());
  EXPECT_EQ(writer.written(), 2000u);
  EXPECT_EQ(CaptureLines(dir.path()).size(), 2000u);
}

TEST(CaptureWriterTest, DropsRecordsWhoseNamesAreNotPathSegments) {
  testutil::TempDir dir("capture");
  CaptureWriter writer(dir.path());
  CaptureRecord r = CsvRecord();
  r.endpoint_name = "..";
  writer.Append(r);
  Status s = writer.Flush();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(writer.dropped(), 1u);
  EXPECT_TRUE(writer.Flush().ok());  // the error is reported once
  EXPECT_TRUE(CaptureLines(dir.path()).empty());
}

TEST(CaptureWriterTest, ReportsAnUnwritableRoot) {
  testutil::TempDir dir("capture");
  dir.Write("file", "not a directory");
  CaptureWriter writer(dir.File("file"));
  writer.Append(CsvRecord());
  Status s = writer.Flush();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(writer.dropped(), 1u);
  EXPECT_EQ(writer.written(), 0u);
}

}  // namespace
}  // namespace mlflowctl::serving
