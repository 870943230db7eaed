// Helpers for the asl tests: parse a definition and look for a diagnostic
// by code and pointer. Header-only; no shared state.
#ifndef MLFLOWCTL_TESTS_UNIT_ASL_DIAGNOSTIC_MATCHERS_H_
#define MLFLOWCTL_TESTS_UNIT_ASL_DIAGNOSTIC_MATCHERS_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/asl/parser.h"

namespace mlflowctl::asl::testing {

inline std::string Describe(const ParseResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += "  " + d.ToString("") + "\n";
  return out.empty() ? "  (no diagnostics)\n" : out;
}

// The diagnostic with this code and pointer, or null.
inline const Diagnostic* FindDiagnostic(const ParseResult& r,
                                        const std::string& code,
                                        const std::string& pointer) {
  for (const Diagnostic& d : r.diagnostics) {
    if (d.code == code && d.pointer == pointer) return &d;
  }
  return nullptr;
}

// Asserts that parsing `text` fails with (at least) this diagnostic.
inline ::testing::AssertionResult HasDiagnostic(const std::string& text,
                                                const std::string& code,
                                                const std::string& pointer) {
  ParseResult r = Parse(text);
  if (r.ok()) return ::testing::AssertionFailure() << "definition is valid";
  if (FindDiagnostic(r, code, pointer) != nullptr) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "no " << code << " at '" << pointer << "'; got:\n"
         << Describe(r);
}

inline ::testing::AssertionResult IsValid(const std::string& text) {
  ParseResult r = Parse(text);
  if (r.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "diagnostics:\n" << Describe(r);
}

// A machine whose only state is `state` (named "S"), as JSON text.
inline std::string OneState(const std::string& state) {
  return R"({"StartAt": "S", "States": {"S": )" + state + "}}";
}

// A machine: "S" (given) followed by a terminal "Done" Pass state.
inline std::string WithDone(const std::string& state) {
  return R"({"StartAt": "S", "States": {"S": )" + state +
         R"(, "Done": {"Type": "Succeed"}}})";
}

inline constexpr char kSchema[] = "SCHEMA_VALIDATION_FAILED";

// A Task "S" ending the machine, with `extra` fields (", \"X\": 1").
inline std::string Task(const std::string& extra) {
  return OneState(R"({"Type": "Task", "Resource": "mlflowctl:x", "End": true)" +
                  extra + "}");
}

// A Choice state "S" with one rule (fields without Next) going to "Done".
inline std::string Choice(const std::string& rule_fields) {
  return WithDone(R"({"Type": "Choice", "Choices": [{)" + rule_fields +
                  R"(, "Next": "Done"}]})");
}

// A Map "S" ending the machine with a one-state ItemProcessor and `extra`.
inline std::string Map(const std::string& extra) {
  return OneState(
      R"({"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "I",
          "States": {"I": {"Type": "Succeed"}}})" +
      extra + "}");
}

}  // namespace mlflowctl::asl::testing

#endif  // MLFLOWCTL_TESTS_UNIT_ASL_DIAGNOSTIC_MATCHERS_H_
