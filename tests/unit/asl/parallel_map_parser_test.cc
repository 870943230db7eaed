// Validation of Parallel and Map states through Parse().
#include "engine/asl/parser.h"

#include <string>

#include <gtest/gtest.h>

#include "tests/unit/asl/diagnostic_matchers.h"

namespace mlflowctl::asl {
namespace {

using testing::HasDiagnostic;
using testing::IsValid;
using testing::kSchema;
using testing::Map;
using testing::OneState;

// ---- Parallel and Map ----------------------------------------------------

TEST(ParallelMapParserTest, ParallelWithoutBranchesIsReported) {
  EXPECT_TRUE(HasDiagnostic(OneState(R"({"Type": "Parallel", "End": true})"),
                            kSchema, "/States/S"));
  EXPECT_TRUE(HasDiagnostic(
      OneState(R"({"Type": "Parallel", "Branches": [], "End": true})"), kSchema,
      "/States/S/Branches"));
}

TEST(ParallelMapParserTest, BranchesAreValidatedAsMachines) {
  EXPECT_TRUE(
      HasDiagnostic(OneState(R"({"Type": "Parallel", "End": true, "Branches": [
          {"States": {"B": {"Type": "Succeed"}}}]})"),
                    kSchema, "/States/S/Branches/0"));
  EXPECT_TRUE(
      HasDiagnostic(OneState(R"({"Type": "Parallel", "End": true, "Branches": [
          {"StartAt": "B", "States": {"B": {"Type": "Pass"}}}]})"),
                    kSchema, "/States/S/Branches/0/States/B"));
}

TEST(ParallelMapParserTest, BranchStatesCannotTransitionOutOfTheBranch) {
  EXPECT_TRUE(HasDiagnostic(R"({"StartAt": "P", "States": {
      "P": {"Type": "Parallel", "Next": "After", "Branches": [
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "After"}}}]},
      "After": {"Type": "Succeed"}}})",
                            "MISSING_TRANSITION_TARGET",
                            "/States/P/Branches/0/States/B/Next"));
}

TEST(ParallelMapParserTest, MapWithoutProcessorIsReported) {
  EXPECT_TRUE(HasDiagnostic(OneState(R"({"Type": "Map", "End": true})"),
                            kSchema, "/States/S"));
}

TEST(ParallelMapParserTest, MapWithItemSelectorAndParametersIsReported) {
  EXPECT_TRUE(HasDiagnostic(
      Map(R"(, "ItemSelector": {"a": 1}, "Parameters": {"a": 1})"), kSchema,
      "/States/S/Parameters"));
}

TEST(ParallelMapParserTest, MapWithBothProcessorAndIteratorIsReported) {
  EXPECT_TRUE(
      HasDiagnostic(Map(R"(, "Iterator": {})"), kSchema, "/States/S/Iterator"));
}

TEST(ParallelMapParserTest, MapLimitsAreChecked) {
  EXPECT_TRUE(HasDiagnostic(Map(R"(, "ToleratedFailurePercentage": 101)"),
                            kSchema, "/States/S/ToleratedFailurePercentage"));
  EXPECT_TRUE(HasDiagnostic(Map(R"(, "ToleratedFailurePercentage": -1)"),
                            kSchema, "/States/S/ToleratedFailurePercentage"));
  EXPECT_TRUE(HasDiagnostic(Map(R"(, "MaxConcurrency": -1)"), kSchema,
                            "/States/S/MaxConcurrency"));
  EXPECT_TRUE(HasDiagnostic(Map(R"(, "ToleratedFailureCount": -2)"), kSchema,
                            "/States/S/ToleratedFailureCount"));
  EXPECT_TRUE(HasDiagnostic(
      Map(R"(, "MaxConcurrency": 1, "MaxConcurrencyPath": "$.m")"), kSchema,
      "/States/S/MaxConcurrencyPath"));
  EXPECT_TRUE(IsValid(Map(R"(, "MaxConcurrency": 0,
      "ToleratedFailurePercentage": 100, "ToleratedFailureCountPath": "$.n")")));
}

TEST(ParallelMapParserTest, DistributedMapRunsLocallyButItemReaderIsUnsupported) {
  EXPECT_TRUE(IsValid(
      OneState(R"({"Type": "Map", "End": true, "ItemProcessor": {
          "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
          "StartAt": "I", "States": {"I": {"Type": "Succeed"}}}})")));
  EXPECT_TRUE(HasDiagnostic(Map(R"(, "ItemReader": {})"), "UNSUPPORTED_FEATURE",
                            "/States/S/ItemReader"));
}

TEST(ParallelMapParserTest, ItemProcessorStatesAreValidated) {
  EXPECT_TRUE(
      HasDiagnostic(OneState(R"({"Type": "Map", "End": true, "ItemProcessor": {
          "StartAt": "I", "States": {"I": {"Type": "Task"}}}})"),
                    kSchema, "/States/S/ItemProcessor/States/I"));
}

TEST(ParallelMapParserTest, MapItemsPathMustBeAReferencePath) {
  EXPECT_TRUE(HasDiagnostic(Map(R"(, "ItemsPath": "$..items")"), kSchema,
                            "/States/S/ItemsPath"));
}

TEST(ParallelMapParserTest, DeeplyNestedParallelsAreReported) {
  std::string machine = R"({"StartAt": "L", "States": {"L": {"Type": "Succeed"}}})";
  for (int i = 0; i < 60; ++i) {
    std::string name = "P" + std::to_string(i);
    machine = R"({"StartAt": ")" + name + R"(", "States": {")" + name +
              R"(": {"Type": "Parallel", "End": true, "Branches": [)" +
              machine + "]}}}";
  }
  ParseResult r = Parse(machine);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.at(0).code, "TOO_DEEPLY_NESTED")
      << testing::Describe(r);
}

}  // namespace
}  // namespace mlflowctl::asl
