// ParseJson on hostile input: arrays and objects nested deeper than 512
// levels are an error that says where, not a stack overflow later (a Json is
// copied, compared and serialised recursively), and so is a number beyond a
// double's range.
#include "engine/base/json_util.h"

#include <string>

#include <gtest/gtest.h>

namespace mlflowctl {
namespace {

std::string DeepArray(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(ParseJsonTest, AcceptsNestingUpTo512Levels) {
  StatusOr<Json> json = ParseJson(DeepArray(512));
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ(DumpJson(*json), DeepArray(512));
}

TEST(ParseJsonTest, RejectsA513thLevelSayingWhere) {
  StatusOr<Json> json = ParseJson("{\"a\":\n" + DeepArray(600) + "}", "input.json");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().code(), StatusCode::kInvalidArgument);
  // The 513th '[' is column 512 of line 2 (the object is level 1).
  EXPECT_EQ(json.status().message(),
            "input.json:2:512: malformed JSON: arrays and objects nested deeper than 512 "
            "levels");
}

TEST(ParseJsonTest, RejectsAMillionLevelsWithoutOverflowingTheStack) {
  StatusOr<Json> json = ParseJson(DeepArray(1000000));
  if (json.ok()) {
    // What callers do with a parsed value; each recurses once per level.
    Json copy = *json;
    EXPECT_EQ(copy, *json);
    EXPECT_FALSE(DumpJson(copy).empty());
  }
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("line 1, column 513: malformed JSON: arrays and "
                                         "objects nested deeper than 512 levels"),
            std::string::npos)
      << json.status().message();
}

TEST(ParseJsonTest, CountsOnlyBracketsOutsideStrings) {
  std::string brackets(2000, '[');
  StatusOr<Json> json = ParseJson("{\"s\": \"" + brackets + "\\\"[\", \"t\": [[1]]}");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ((*json)["s"], brackets + "\"[");
}

TEST(ParseJsonTest, ReportsASyntaxErrorBeforeTheDeepPartAsSuch) {
  StatusOr<Json> json = ParseJson("[1 2, " + DeepArray(1000) + "]");
  ASSERT_FALSE(json.ok());
  EXPECT_NE(json.status().message().find("line 1, column 4: malformed JSON: syntax error"),
            std::string::npos)
      << json.status().message();
}

// Found by fuzz_intrinsics: nlohmann reports a number beyond a double's range
// with out_of_range, not parse_error, which escaped ParseJson (terminate).
TEST(ParseJsonTest, RejectsANumberBeyondADoubleSayingWhere) {
  StatusOr<Json> json = ParseJson("{\"s\": \"1e400\",\n \"a\": [1, 1e400]}", "input.json");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(json.status().message(),
            "input.json:2:11: malformed JSON: number overflow parsing '1e400'");
}

}  // namespace
}  // namespace mlflowctl
