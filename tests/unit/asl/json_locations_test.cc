#include "engine/asl/json_locations.h"

#include <gtest/gtest.h>

namespace mlflowctl::asl {
namespace {

constexpr char kText[] =
    "{\n"
    "  \"StartAt\": \"A\",\n"
    "  \"States\": {\n"
    "    \"A/B~C\": {\"Type\": \"Pass\", \"End\": true},\n"
    "    \"L\": [1, {\"x\": null}, \"s\"]\n"
    "  }\n"
    "}\n";

TEST(JsonLocationsTest, RootIsAtTheFirstCharacter) {
  JsonLocations loc = JsonLocations::Index(kText);
  TextPosition p = loc.Find("");
  EXPECT_EQ(p.line, 1);
  EXPECT_EQ(p.column, 1);
}

TEST(JsonLocationsTest, MembersPointAtTheirKey) {
  JsonLocations loc = JsonLocations::Index(kText);
  TextPosition p = loc.Find("/StartAt");
  EXPECT_EQ(p.line, 2);
  EXPECT_EQ(p.column, 3);
  p = loc.Find("/States/A~1B~0C/End");
  EXPECT_EQ(p.line, 4);
  EXPECT_EQ(p.column, 31);
}

TEST(JsonLocationsTest, ArrayElementsPointAtTheirValue) {
  JsonLocations loc = JsonLocations::Index(kText);
  TextPosition p = loc.Find("/States/L/1");
  EXPECT_EQ(p.line, 5);
  EXPECT_EQ(p.column, 14);
  p = loc.Find("/States/L/1/x");
  EXPECT_EQ(p.column, 15);
  p = loc.Find("/States/L/2");
  EXPECT_EQ(p.column, 27);
}

TEST(JsonLocationsTest, MissingPointerFallsBackToNearestAncestor) {
  JsonLocations loc = JsonLocations::Index(kText);
  EXPECT_FALSE(loc.Contains("/States/A~1B~0C/Next"));
  TextPosition p = loc.Find("/States/A~1B~0C/Next");
  EXPECT_EQ(p.line, 4);
  EXPECT_EQ(p.column, 5);
}

TEST(JsonLocationsTest, EscapedKeysAreDecoded) {
  JsonLocations loc =
      JsonLocations::Index("{\"a\\\"b\": 1, \"\\u00e9\\ud83d\\ude00\": 2}");
  EXPECT_TRUE(loc.Contains("/a\"b"));
  EXPECT_TRUE(loc.Contains("/\xC3\xA9\xF0\x9F\x98\x80"));
}

TEST(JsonLocationsTest, DuplicateKeysAreListedAndTheLaterOneWins) {
  JsonLocations loc = JsonLocations::Index("{\"a\": {\"b\": 1},\n \"a\": 2}");
  ASSERT_EQ(loc.duplicate_keys().size(), 1u);
  EXPECT_EQ(loc.duplicate_keys()[0], "/a");
  EXPECT_FALSE(loc.Contains("/a/b"));
  EXPECT_EQ(loc.Find("/a").line, 2);
}

TEST(JsonLocationsTest, DeepNestingIsScannedButNotIndexedBelowTheLimit) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  deep = "{\"a\": " + deep + ", \"b\": 1}";
  JsonLocations loc = JsonLocations::Index(deep);
  EXPECT_TRUE(loc.Contains("/a/0/0"));
  EXPECT_TRUE(loc.Contains("/b"));
}

TEST(JsonLocationsTest, MalformedTextStopsQuietly) {
  JsonLocations loc = JsonLocations::Index("{\"a\": [1, }");
  EXPECT_TRUE(loc.Contains("/a/0"));
  EXPECT_EQ(loc.Find("/zzz").line, 1);
}

TEST(JsonLocationsTest, AppendPointerEscapesSlashAndTilde) {
  EXPECT_EQ(AppendPointer("/States", "a/b~c"), "/States/a~1b~0c");
  EXPECT_EQ(AppendPointer("", "x"), "/x");
}

}  // namespace
}  // namespace mlflowctl::asl
