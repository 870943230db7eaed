#include "engine/base/json_writer.h"

#include <cstdint>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "engine/base/json_util.h"

namespace mlflowctl {
namespace {

std::string Nlohmann(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Ours(const Json& v) {
  std::string out = "prefix:";  // appends, keeping what is there
  AppendJson(v, out);
  return out.substr(7);
}

TEST(JsonWriterTest, WritesWhatNlohmannWrites) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  controls += "\x7f \"quoted\" back\\slash /";
  const Json values[] = {
      Json(),
      Json(true),
      Json(false),
      Json(0),
      Json(-1),
      Json(std::numeric_limits<int64_t>::min()),
      Json(std::numeric_limits<int64_t>::max()),
      Json(std::numeric_limits<uint64_t>::max()),
      Json(0.5),
      Json(2.0),
      Json(-1e-300),
      Json(1e300),
      Json(""),
      Json("plain"),
      Json(controls),
      Json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),  // valid UTF-8
      Json("bad \xff\xfe utf-8 \xc3"),                      // invalid: replaced
      Json::object(),
      Json::array(),
      Json::parse(R"({"b":[1,2.5,{"c":null}],"a":{"x\ny":"\"v\"","":[]},"z":[[],{}]})"),
      Json{{"k\xc3\xa9y", "v"}, {"\x01", 1}, {"input", R"({"a":"b\\c"})"}},
  };
  for (const Json& v : values) {
    EXPECT_EQ(Ours(v), Nlohmann(v)) << Nlohmann(v);
  }
}

TEST(JsonWriterTest, DumpJsonIsTheWriter) {
  Json v = Json::parse(R"({"name":"S1","input":"{\"a\":1}","inputDetails":{"truncated":false}})");
  EXPECT_EQ(DumpJson(v), Nlohmann(v));
  std::string buf = "old contents";
  DumpJsonTo(v, buf);
  EXPECT_EQ(buf, Nlohmann(v));
  EXPECT_EQ(JsonSize(v), Nlohmann(v).size());
}

}  // namespace
}  // namespace mlflowctl
