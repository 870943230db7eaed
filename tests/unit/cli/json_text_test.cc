#include "cli/json_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/base/json_util.h"

namespace mlflowctl::cli {
namespace {

TEST(JsonTextTest, AnswersAsNlohmannAcceptsOnHandPickedCases) {
  const std::vector<std::string> cases = {
      "",
      " ",
      "{}",
      "[]",
      " {\"a\" : [1, -2.5e3, true, false, null, \"x\"]}\n",
      "0",
      "-0",
      "01",
      "-",
      "1.",
      ".5",
      "1e",
      "1e+",
      "1E-7",
      "1e400",
      "-1e400",
      "1e-400",
      "[1,]",
      "[,1]",
      "{\"a\"}",
      "{\"a\":}",
      "{\"a\":1,}",
      "{1:2}",
      "[1 2]",
      "{} {}",
      "nul",
      "truex",
      "\"a",
      "\"\\uD83D\\uDE00\"",
      "\"\\uD83D\"",
      "\"\\uDE00\"",
      "\"\\uD83Dx\"",
      "\"\\uD83D\\u0041\"",
      "\"\\u00e9\\u00E9\"",
      "\"\\u12\"",
      "\"\\x\"",
      "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
      "\"a\tb\"",
      "\"\x01\"",
      "\"\x7f\"",
      "\"\xC3\xA9\"",
      "\"\xC0\x80\"",
      "\"\xC3\"",
      "\"\xE0\x80\x80\"",
      "\"\xE0\xA0\x80\"",
      "\"\xED\xA0\x80\"",
      "\"\xED\x9F\xBF\"",
      "\"\xF0\x8F\xBF\xBF\"",
      "\"\xF0\x90\x80\x80\"",
      "\"\xF4\x8F\xBF\xBF\"",
      "\"\xF4\x90\x80\x80\"",
      "\"\xF5\x80\x80\x80\"",
      "\"\xFF\"",
      "\xEF\xBB\xBF{}",
      "\xEF\xBB{}",
      std::string("[1]\0", 4),
      std::string("[1]\0x", 5),
      std::string("[1\0]", 4),
      std::string("\"a\0\"", 4),
      std::string(400, '9'),
      "[" + std::string(5000, '[') + std::string(5000, ']') + "]",
      std::string(5000, '[') + std::string(4999, ']')};
  for (const std::string& text : cases) {
    EXPECT_EQ(IsJsonText(text), Json::accept(text)) << text.substr(0, 60);
  }
}

// Mutations of valid documents: every answer must be nlohmann's.
TEST(JsonTextTest, AnswersAsNlohmannAcceptsOnMutatedDocuments) {
  const std::vector<std::string> seeds = {
      R"({"input":"{\"dataset\":{\"files\":[\"a.parquet\"],\"name\":\"toy\"}}","inputDetails":{"truncated":false},"name":"Step049"})",
      R"({"a":[1,2.5,-3e-2,{"b":null,"c":true,"d":false}],"é":"\u00e9\ud83d\ude00","n":-0.0})",
      R"([{"error":"States.TaskFailed","cause":"line1\nline2 \"q\" \\ \/"},[],{},"",0])",
  };
  const std::string alphabet = std::string("\"\\{}[],:0123456789-+.eEutrfaln \t\n/bx") +
                               std::string(1, '\0') +
                               "\x01\x1f\x7f\x80\xbf\xc2\xc3\xe0\xed\xf0\xf4\xff";
  std::mt19937 random(12345);
  int valid = 0, invalid = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string text = seeds[random() % seeds.size()];
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = random() % text.size();
      switch (random() % 4) {
        case 0:
          text[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          text.insert(at, 1, alphabet[random() % alphabet.size()]);
          break;
        case 2:
          text.erase(at, 1);
          break;
        default:
          text.resize(at);
          break;
      }
    }
    const bool expected = Json::accept(text);
    ASSERT_EQ(IsJsonText(text), expected) << text;
    (expected ? valid : invalid)++;
  }
  // Both answers were exercised.
  EXPECT_GT(valid, 1000);
  EXPECT_GT(invalid, 1000);
}

}  // namespace
}  // namespace mlflowctl::cli
