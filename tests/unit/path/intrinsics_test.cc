#include "engine/path/intrinsics.h"

#include <regex>

#include <gtest/gtest.h>

namespace mlflowctl::path {
namespace {

class IntrinsicTest : public ::testing::Test {
 protected:
  std::variant<Json, Error> Run(const std::string& text, const Json& input = Json::object()) {
    auto call = Intrinsic::Parse(text);
    EXPECT_TRUE(call.ok()) << text << ": " << call.status().ToString();
    if (!call.ok()) return Error{"ParseFailed", call.status().message()};
    Json context = Json::parse(R"({"Execution":{"Input":{"suffix":"run"}}})");
    Scope scope{&input, &context, nullptr};
    return call->Evaluate(scope, random_, "value.$");
  }
  Json Value(const std::string& text, const Json& input = Json::object()) {
    auto result = Run(text, input);
    if (auto* error = std::get_if<Error>(&result)) {
      ADD_FAILURE() << text << " failed: " << error->name << ": " << error->cause;
      return Json();
    }
    return std::get<Json>(result);
  }
  Error Failure(const std::string& text, const Json& input = Json::object()) {
    auto result = Run(text, input);
    if (!std::holds_alternative<Error>(result)) {
      ADD_FAILURE() << text << " did not fail: " << std::get<Json>(result).dump();
      return Error{};
    }
    return std::get<Error>(result);
  }
  void ExpectInvalidArguments(const std::string& text, const std::string& function,
                              const Json& input = Json::object()) {
    Error error = Failure(text, input);
    EXPECT_EQ(error.name, "States.Runtime") << text;
    EXPECT_EQ(error.cause, "Invalid arguments in " + function) << text;
  }

  Random random_{42};
};

TEST_F(IntrinsicTest, RecognisesCalls) {
  EXPECT_TRUE(Intrinsic::LooksLikeCall("States.Array($.a)"));
  EXPECT_FALSE(Intrinsic::LooksLikeCall("$.a"));
  EXPECT_FALSE(Intrinsic::LooksLikeCall("States.Array"));
}

TEST_F(IntrinsicTest, FormatDocsExamples) {
  Json input = Json::parse(R"({"name":"Arnav","template":"Hello, my name is {}."})");
  EXPECT_EQ(Value("States.Format('Hello, my name is {}.', $.name)", input),
            "Hello, my name is Arnav.");
  EXPECT_EQ(Value("States.Format($.template, $.name)", input), "Hello, my name is Arnav.");
  EXPECT_EQ(Value("States.Format('Your name is {}, we are in the year {}', $.name, 2020)", input),
            "Your name is Arnav, we are in the year 2020");
}

TEST_F(IntrinsicTest, FormatPrintsScalarsNaturally) {
  Json input = Json::parse(R"({"a":"x","b":2,"c":true,"n":null,"f":3.5})");
  EXPECT_EQ(Value("States.Format('{} {} {} {} {}', $.a, $.b, $.c, $.n, $.f)", input),
            "x 2 true null 3.5");
  EXPECT_EQ(Value("States.Format('no placeholders')"), "no placeholders");
  EXPECT_EQ(Value("States.Format('{}:{}', $.a, $$.Execution.Input.suffix)", input), "x:run");
}

TEST_F(IntrinsicTest, FormatHonoursEscapes) {
  Json input = {{"name", "Gabriel"}};
  EXPECT_EQ(Value(R"(States.Format('Name: \'{}\'', $.name))", input), "Name: 'Gabriel'");
  EXPECT_EQ(Value(R"(States.Format('\{\} {} \\', $.name))", input), R"({} Gabriel \)");
}

TEST_F(IntrinsicTest, FormatRejectsMismatchedPlaceholders) {
  Json input = {{"a", "x"}, {"b", "y"}, {"t", 123}};
  ExpectInvalidArguments("States.Format('{} {}', $.a)", "States.Format", input);
  ExpectInvalidArguments("States.Format('{}', $.a, $.b)", "States.Format", input);
  ExpectInvalidArguments("States.Format('Hello {', $.a)", "States.Format", input);
  ExpectInvalidArguments("States.Format('}')", "States.Format", input);
  ExpectInvalidArguments("States.Format('Hello {{}}', $.a)", "States.Format", input);
  ExpectInvalidArguments("States.Format($.t, $.a)", "States.Format", input);
}

TEST_F(IntrinsicTest, StringToJsonParsesText) {
  EXPECT_EQ(Value("States.StringToJson($.s)", {{"s", "{\"foo\": \"bar\"}"}}),
            Json::parse(R"({"foo":"bar"})"));
  EXPECT_EQ(Value("States.StringToJson($.s)", {{"s", " [1,2] "}}), Json::parse("[1,2]"));
  EXPECT_EQ(Value("States.StringToJson($.s)", {{"s", ""}}), Json());
  ExpectInvalidArguments("States.StringToJson($.s)", "States.StringToJson", {{"s", "{bad json}"}});
  ExpectInvalidArguments("States.StringToJson($.s)", "States.StringToJson", {{"s", 123}});
}

TEST_F(IntrinsicTest, JsonToStringWritesCompactJson) {
  Json input = Json::parse(R"({"unescapedJson":{"foo":"bar"},"someJson":{"name":"Foo","year":2020}})");
  EXPECT_EQ(Value("States.JsonToString($.unescapedJson)", input), R"({"foo":"bar"})");
  EXPECT_EQ(Value("States.JsonToString($.someJson)", input), R"({"name":"Foo","year":2020})");
}

TEST_F(IntrinsicTest, ArrayCollectsArguments) {
  Json input = Json::parse(R"({"Id":123456,"someJson":{"random":"abcdefg"}})");
  EXPECT_EQ(Value("States.Array($.Id)", input), Json::parse("[123456]"));
  EXPECT_EQ(Value("States.Array('Foo', 2020, $.someJson, null)", input),
            Json::parse(R"(["Foo",2020,{"random":"abcdefg"},null])"));
  EXPECT_EQ(Value("States.Array()"), Json::array());
  EXPECT_EQ(Value("States.Array(1, States.Array(2, 3))"), Json::parse("[1,[2,3]]"));
  EXPECT_EQ(Value("States.Array( true , false )"), Json::parse("[true,false]"));
}

TEST_F(IntrinsicTest, ArrayPartitionChunksArrays) {
  Json input = Json::parse(R"({"inputArray":[1,2,3,4,5,6,7,8,9]})");
  EXPECT_EQ(Value("States.ArrayPartition($.inputArray,4)", input),
            Json::parse("[[1,2,3,4],[5,6,7,8],[9]]"));
  EXPECT_EQ(Value("States.ArrayPartition($.inputArray, 2.6)", {{"inputArray", {1, 2, 3, 4, 5}}}),
            Json::parse("[[1,2],[3,4],[5]]"));
  EXPECT_EQ(Value("States.ArrayPartition(States.Array(), 3)"), Json::array());
  ExpectInvalidArguments("States.ArrayPartition($.inputArray, 0)", "States.ArrayPartition", input);
  ExpectInvalidArguments("States.ArrayPartition($.inputArray, 0.49)", "States.ArrayPartition",
                         input);
  ExpectInvalidArguments("States.ArrayPartition($.inputArray, -1)", "States.ArrayPartition", input);
  ExpectInvalidArguments("States.ArrayPartition('not-array', 2)", "States.ArrayPartition");
  ExpectInvalidArguments("States.ArrayPartition($.inputArray, '2')", "States.ArrayPartition", input);
}

TEST_F(IntrinsicTest, ArrayContainsSearchesValues) {
  Json input = Json::parse(R"({"inputArray":[1,2,3,4,5,6,7,8,9],"lookingFor":5})");
  EXPECT_EQ(Value("States.ArrayContains($.inputArray, $.lookingFor)", input), true);
  EXPECT_EQ(Value("States.ArrayContains($.inputArray, 'x')", input), false);
  ExpectInvalidArguments("States.ArrayContains($.lookingFor, 5)", "States.ArrayContains", input);
}

TEST_F(IntrinsicTest, ArrayRangeBuildsRanges) {
  EXPECT_EQ(Value("States.ArrayRange(1, 9, 2)"), Json::parse("[1,3,5,7,9]"));
  EXPECT_EQ(Value("States.ArrayRange(5, 1, -2)"), Json::parse("[5,3,1]"));
  EXPECT_EQ(Value("States.ArrayRange(5, 1, 1)"), Json::array());
  EXPECT_EQ(Value("States.ArrayRange(1.4, 5.6, 2.2)"), Json::parse("[1,3,5]"));
  EXPECT_EQ(Value("States.ArrayRange(1, 1000, 1)").size(), 1000u);
  ExpectInvalidArguments("States.ArrayRange(1, 1001, 1)", "States.ArrayRange");
  ExpectInvalidArguments("States.ArrayRange(1, 10, 0)", "States.ArrayRange");
  ExpectInvalidArguments("States.ArrayRange(1, 10, 0.49)", "States.ArrayRange");
  ExpectInvalidArguments("States.ArrayRange('a', 5, 1)", "States.ArrayRange");
}

TEST_F(IntrinsicTest, ArrayGetItemReturnsTheElement) {
  Json input = Json::parse(R"({"inputArray":[1,2,3,4,5,6,7,8,9],"index":5,"empty":[]})");
  EXPECT_EQ(Value("States.ArrayGetItem($.inputArray, $.index)", input), 6);
  EXPECT_EQ(Value("States.ArrayGetItem($.inputArray, 1.2)", input), 2);
  EXPECT_EQ(Value("States.ArrayGetItem($.empty, 999)", input), Json());
  ExpectInvalidArguments("States.ArrayGetItem($.inputArray, 9)", "States.ArrayGetItem", input);
  ExpectInvalidArguments("States.ArrayGetItem($.inputArray, -1)", "States.ArrayGetItem", input);
  ExpectInvalidArguments("States.ArrayGetItem($.inputArray, '1')", "States.ArrayGetItem", input);
  ExpectInvalidArguments("States.ArrayGetItem('not-array', 0)", "States.ArrayGetItem");
}

TEST_F(IntrinsicTest, ArrayLengthAndUnique) {
  Json input = Json::parse(R"({"a":[1,2,3,3,3,3,3,3,4]})");
  EXPECT_EQ(Value("States.ArrayLength($.a)", input), 9);
  EXPECT_EQ(Value("States.ArrayUnique($.a)", input), Json::parse("[1,2,3,4]"));
  ExpectInvalidArguments("States.ArrayLength('x')", "States.ArrayLength");
  ExpectInvalidArguments("States.ArrayUnique(1)", "States.ArrayUnique");
}

TEST_F(IntrinsicTest, Base64RoundTrips) {
  EXPECT_EQ(Value("States.Base64Encode($.input)", {{"input", "Data to encode"}}),
            "RGF0YSB0byBlbmNvZGU=");
  EXPECT_EQ(Value("States.Base64Decode($.b)", {{"b", "RGF0YSB0byBlbmNvZGU="}}), "Data to encode");
  EXPECT_EQ(Value("States.Base64Decode('4pyT')"), "\xE2\x9C\x93");
  EXPECT_EQ(Value("States.Base64Decode(' YWJjZA== ')"), "abcd");
  EXPECT_EQ(Value("States.Base64Decode(States.Base64Encode('hello'))"), "hello");
  ExpectInvalidArguments("States.Base64Encode(123)", "States.Base64Encode");
  ExpectInvalidArguments("States.Base64Decode($.s)", "States.Base64Decode",
                         {{"s", std::string(10001, 'A')}});
}

TEST_F(IntrinsicTest, HashSupportsTheFiveAlgorithms) {
  EXPECT_EQ(Value("States.Hash($.Data, $.Algorithm)", {{"Data", "input data"}, {"Algorithm", "SHA-1"}}),
            "aaff4a450a104cd177d28d18d74485e8cae074b7");
  EXPECT_EQ(Value("States.Hash('hello', 'MD5')"), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(Value("States.Hash('hello', 'SHA-256')"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_EQ(Value("States.Hash('hello', 'SHA-384')"),
            "59e1748777448c69de6b800d7a33bbfb9ff1b463e44354c3553bcdb9c666fa90125a3c79f90397bdf5f6a13de828684f");
  EXPECT_EQ(Value("States.Hash('hello', 'SHA-512')"),
            "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043");
  EXPECT_EQ(Value("States.Hash('', 'SHA-256')"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Value("States.Hash($.s, 'MD5')", {{"s", std::string("abc\0def", 7)}}),
            "a5e4d5963ae44c1f4bfb37b1a3d55a3c");
  EXPECT_EQ(Value("States.Hash($.s, 'SHA-256')", {{"s", "\xE2\x9C\x93"}}),
            "1dabba21cdad44541f6b15796f8d22978fc7ea10c46aeceeeeb66c23b3ac7604");
  EXPECT_EQ(Value("States.Hash($.s, 'SHA-256')", {{"s", std::string(10000, 'a')}})
                .get<std::string>()
                .size(),
            64u);
  ExpectInvalidArguments("States.Hash($.s, 'SHA-256')", "States.Hash",
                         {{"s", std::string(10001, 'a')}});
  ExpectInvalidArguments("States.Hash('data', 'sha-256')", "States.Hash");
  ExpectInvalidArguments("States.Hash('data', 'SHA256')", "States.Hash");
  ExpectInvalidArguments("States.Hash('hello', 123)", "States.Hash");
}

TEST_F(IntrinsicTest, JsonMergeIsShallow) {
  Json input = Json::parse(
      R"({"json1":{"a":{"a1":1,"a2":2},"b":2},"json2":{"a":{"a3":1,"a4":2},"c":3}})");
  EXPECT_EQ(Value("States.JsonMerge($.json1, $.json2, false)", input),
            Json::parse(R"({"a":{"a3":1,"a4":2},"b":2,"c":3})"));
  ExpectInvalidArguments("States.JsonMerge($.json1, $.json2, true)", "States.JsonMerge", input);
  ExpectInvalidArguments("States.JsonMerge($.json1, 'x', false)", "States.JsonMerge", input);
}

TEST_F(IntrinsicTest, MathRandomStaysInRange) {
  for (int i = 0; i < 50; ++i) {
    Json n = Value("States.MathRandom(1, 999)");
    ASSERT_TRUE(n.is_number_integer());
    EXPECT_GE(n.get<int64_t>(), 1);
    EXPECT_LT(n.get<int64_t>(), 999);
  }
  EXPECT_EQ(Value("States.MathRandom(1, 100, 42)"), Value("States.MathRandom(1, 100, 42)"));
  EXPECT_EQ(Value("States.MathRandom(1, 2)"), 1);
  ExpectInvalidArguments("States.MathRandom(1, 1)", "States.MathRandom");
  ExpectInvalidArguments("States.MathRandom(10, 5)", "States.MathRandom");
  ExpectInvalidArguments("States.MathRandom('a', 10)", "States.MathRandom");
  ExpectInvalidArguments("States.MathRandom(1, 10, null)", "States.MathRandom");
}

TEST_F(IntrinsicTest, MathAddAddsThirtyTwoBitIntegers) {
  EXPECT_EQ(Value("States.MathAdd($.value1, $.step)", {{"value1", 111}, {"step", -1}}), 110);
  EXPECT_EQ(Value("States.MathAdd($.a, $.b)", {{"a", 1.6}, {"b", 2.7}}), 5);
  EXPECT_EQ(Value("States.MathAdd(2147483646, 1)"), 2147483647);
  EXPECT_EQ(Value("States.MathAdd(States.MathAdd($.x, 1), 2)", {{"x", 5}}), 8);
  ExpectInvalidArguments("States.MathAdd(2147483647, 1)", "States.MathAdd");
  ExpectInvalidArguments("States.MathAdd(3000000000, 1)", "States.MathAdd");
  ExpectInvalidArguments("States.MathAdd('1', 2)", "States.MathAdd");
  ExpectInvalidArguments("States.MathAdd(true, 1)", "States.MathAdd");
}

TEST_F(IntrinsicTest, StringSplitSplitsAtAnyDelimiterCharacter) {
  EXPECT_EQ(Value("States.StringSplit($.inputString, $.splitter)",
                  {{"inputString", "1,2,3,4,5"}, {"splitter", ","}}),
            Json::parse(R"(["1","2","3","4","5"])"));
  EXPECT_EQ(Value("States.StringSplit($.inputString, $.splitter)",
                  {{"inputString", "This.is+a,test=string"}, {"splitter", ".+,="}}),
            Json::parse(R"(["This","is","a","test","string"])"));
  EXPECT_EQ(Value("States.StringSplit($.s, ',')", {{"s", ",a,,b,"}}), Json::parse(R"(["a","b"])"));
  EXPECT_EQ(Value("States.StringSplit('', ',')"), Json::array());
  ExpectInvalidArguments("States.StringSplit($.v, ',')", "States.StringSplit", {{"v", 123}});
  ExpectInvalidArguments("States.StringSplit('a,b', null)", "States.StringSplit");
}

TEST_F(IntrinsicTest, UuidIsVersionFour) {
  Json id = Value("States.UUID()");
  ASSERT_TRUE(id.is_string());
  EXPECT_TRUE(std::regex_match(id.get<std::string>(),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << id;
  EXPECT_NE(id, Value("States.UUID()"));
}

// The guide's nine-deep example uses '{}.{}.{}' with two values, which AWS
// rejects; this is the same nesting with matching placeholders.
TEST_F(IntrinsicTest, NestedCallsFromTheDocs) {
  Json input = Json::parse(R"({"ImageRecipe":{"Arn":"arn:aws:imagebuilder:us-east-1:1:image-recipe/my.recipe.name/1.0.0"}})");
  EXPECT_EQ(Value("States.Format('{}.{}', States.ArrayGetItem(States.StringSplit("
                  "States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), "
                  "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit("
                  "$.ImageRecipe.Arn, '/'), 2), '.'), 1))",
                  input),
            "1.0");
}

TEST_F(IntrinsicTest, MissingPathArgumentNamesTheField) {
  Error error = Failure("States.Hash($.missing, 'SHA-256')");
  EXPECT_EQ(error.name, "States.Runtime");
  EXPECT_EQ(error.cause,
            "The JSONPath '$.missing' specified for the field 'value.$' could not be found in "
            "the input '{}'");
}

TEST_F(IntrinsicTest, PathArgumentsMayContainFilters) {
  Json input = Json::parse(R"({"a":[{"p":1},{"p":5}]})");
  EXPECT_EQ(Value("States.ArrayLength($.a[?(@.p > 2)])", input), 1);
}

TEST_F(IntrinsicTest, RejectsMalformedCalls) {
  for (const char* text :
       {"States.Array(", "States.Array($.a) trailing", "States.Array([1,2])", "States.Array(1.)",
        "States.Array(.5)", "States.Nope(1)", "States.ArrayGetItem($.arr, )",
        "States.Format('open \\escape')", "States.Format('unterminated)",
        "States.ArrayRange(1, 5)", "States.MathRandom(1, 10, 5, 99)", "States.UUID(1)",
        "States.Hash()", "States.JsonMerge($.a, $.b)"}) {
    auto call = Intrinsic::Parse(text);
    EXPECT_FALSE(call.ok()) << text;
    if (!call.ok()) {
      EXPECT_EQ(call.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST_F(IntrinsicTest, LimitsNestingToTen) {
  std::string ten = "1";
  for (int i = 0; i < 10; ++i) ten = "States.Array(" + ten + ")";
  EXPECT_TRUE(Intrinsic::Parse(ten).ok());
  EXPECT_FALSE(Intrinsic::Parse("States.Array(" + ten + ")").ok());
}

}  // namespace
}  // namespace mlflowctl::path
