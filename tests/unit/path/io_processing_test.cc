#include "engine/path/io_processing.h"

#include <cstddef>
#include <variant>

#include <gtest/gtest.h>

namespace mlflowctl::path {
namespace {

OptionalPath PathOf(const char* text) {
  OptionalPath p;
  p.kind = OptionalPath::Kind::kPath;
  auto parsed = JsonPath::Parse(text);
  EXPECT_TRUE(parsed.ok());
  p.path = std::move(*parsed);
  return p;
}

OptionalPath NullPath() {
  OptionalPath p;
  p.kind = OptionalPath::Kind::kNull;
  return p;
}

const Json kContext = Json::object();

std::variant<Json, Error> ApplySelectPath(const OptionalPath& path, const Json& data,
                                          const Json& context, const Json* variables,
                                          const char* field,
                                          std::size_t max_match_bytes = kDefaultMaxMatchBytes) {
  return path::ApplySelectPath(path, Scope{&data, &context, variables, max_match_bytes}, field);
}

TEST(IoProcessingTest, SelectPathDefaultPassesDataThrough) {
  Json data = {{"a", 1}};
  auto out = ApplySelectPath(OptionalPath{}, data, kContext, nullptr, "InputPath");
  EXPECT_EQ(std::get<Json>(out), data);
}

TEST(IoProcessingTest, SelectPathNullGivesAnEmptyObject) {
  auto out = ApplySelectPath(NullPath(), {{"a", 1}}, kContext, nullptr, "OutputPath");
  EXPECT_EQ(std::get<Json>(out), Json::object());
}

TEST(IoProcessingTest, SelectPathSelectsANode) {
  auto out = ApplySelectPath(PathOf("$.a.b"), Json::parse(R"({"a":{"b":[1]}})"), kContext,
                             nullptr, "InputPath");
  EXPECT_EQ(std::get<Json>(out), Json::parse("[1]"));
}

TEST(IoProcessingTest, SelectPathWithoutResultIsARuntimeError) {
  auto out = ApplySelectPath(PathOf("$.x"), {{"a", 1}}, kContext, nullptr, "InputPath");
  ASSERT_TRUE(std::holds_alternative<Error>(out));
  EXPECT_EQ(std::get<Error>(out).name, "States.Runtime");
  EXPECT_EQ(std::get<Error>(out).cause, "Invalid path '$.x' : No results for path: $['x']");
  auto nested = ApplySelectPath(PathOf("$.a.b"), {{"a", 1}}, kContext, nullptr, "OutputPath");
  EXPECT_EQ(std::get<Error>(nested).cause,
            "Invalid path '$.a.b' : No results for path: $['a']['b']");
}

TEST(IoProcessingTest, SelectPathCanReadTheContext) {
  Json context = Json::parse(R"({"Execution":{"Name":"n1"}})");
  auto out = ApplySelectPath(PathOf("$$.Execution.Name"), Json::object(), context, nullptr,
                             "InputPath");
  EXPECT_EQ(std::get<Json>(out), "n1");
}

TEST(IoProcessingTest, SelectPathMatchesOverTheLimitAreADataLimitError) {
  Json data = Json::parse(R"({"a":[1,2,3],"b":[4,5,6]})");
  // "[[1,2,3],[4,5,6]]" is 17 bytes.
  EXPECT_EQ(std::get<Json>(ApplySelectPath(PathOf("$.*"), data, kContext, nullptr,
                                           "InputPath", 17)),
            Json::parse("[[1,2,3],[4,5,6]]"));
  auto out = ApplySelectPath(PathOf("$.*"), data, kContext, nullptr, "OutputPath", 16);
  ASSERT_TRUE(std::holds_alternative<Error>(out));
  EXPECT_EQ(std::get<Error>(out).name, "States.DataLimitExceeded");
  EXPECT_EQ(std::get<Error>(out).cause,
            "The matches of the JSONPath '$.*' exceed the maximum number of bytes service "
            "limit (16).");
}

TEST(IoProcessingTest, ResultPathDefaultReplacesTheInput) {
  auto out = ApplyResultPath(OptionalPath{}, {{"a", 1}}, "result");
  EXPECT_EQ(std::get<Json>(out), "result");
  auto dollar = ApplyResultPath(PathOf("$"), {{"a", 1}}, "result");
  EXPECT_EQ(std::get<Json>(dollar), "result");
}

TEST(IoProcessingTest, ResultPathNullKeepsTheInput) {
  Json input = {{"a", 1}};
  EXPECT_EQ(std::get<Json>(ApplyResultPath(NullPath(), input, "result")), input);
}

TEST(IoProcessingTest, ResultPathStoresTheResultInsideTheInput) {
  Json input = Json::parse(R"({"comment":"x","details":"keep"})");
  auto out = ApplyResultPath(PathOf("$.taskresult"), input, {{"ok", true}});
  EXPECT_EQ(std::get<Json>(out),
            Json::parse(R"({"comment":"x","details":"keep","taskresult":{"ok":true}})"));
}

TEST(IoProcessingTest, ResultPathCreatesMissingObjectsAndOverwrites) {
  auto created = ApplyResultPath(PathOf("$.a.b.c"), {{"z", 0}}, 1);
  EXPECT_EQ(std::get<Json>(created), Json::parse(R"({"z":0,"a":{"b":{"c":1}}})"));
  auto overwritten = ApplyResultPath(PathOf("$.a"), {{"a", {{"old", 1}}}}, 2);
  EXPECT_EQ(std::get<Json>(overwritten), Json::parse(R"({"a":2})"));
}

TEST(IoProcessingTest, ResultPathOnANonObjectInputFails) {
  auto out = ApplyResultPath(PathOf("$.partitioned"), "text", 1);
  ASSERT_TRUE(std::holds_alternative<Error>(out));
  EXPECT_EQ(std::get<Error>(out).name, "States.ResultPathMatchFailure");
  EXPECT_EQ(std::get<Error>(out).cause, "Unable to apply ReferencePath $.partitioned to input \"text\"");
  auto through = ApplyResultPath(PathOf("$.a.b"), {{"a", 5}}, 1);
  ASSERT_TRUE(std::holds_alternative<Error>(through));
  EXPECT_EQ(std::get<Error>(through).cause, "Unable to apply ReferencePath $.a.b to input {\"a\":5}");
  auto array_input = ApplyResultPath(PathOf("$.x"), Json::parse("[1,2]"), 1);
  EXPECT_TRUE(std::holds_alternative<Error>(array_input));
}

}  // namespace
}  // namespace mlflowctl::path
