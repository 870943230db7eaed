// Runs every data-driven case under tests/cases/ in-process: each directory
// with a definition.json is one test (STYLE.md "Data-driven tests").
// Runtime cases run on a MemoryStore with virtual time and mocked tasks;
// validation cases (expected.json has "valid") check the diagnostics.
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/asl/parser.h"
#include "engine/base/clock.h"
#include "engine/base/ids.h"
#include "engine/base/json_util.h"
#include "engine/history/memory_store.h"
#include "engine/runtime/engine.h"
#include "steps/mock_step.h"

namespace mlflowctl {
namespace {

namespace fs = std::filesystem;

Json Load(const fs::path& p, const Json& fallback = Json()) {
  if (!fs::exists(p)) return fallback;
  StatusOr<Json> j = ParseJsonFile(p.string());
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? *j : fallback;
}

// Removes `pointer` from `doc` if present.
void Erase(Json& doc, const std::string& pointer) {
  Json::json_pointer ptr(pointer);
  if (!doc.contains(ptr)) return;
  Json& parent = doc[ptr.parent_pointer()];
  if (parent.is_object()) {
    parent.erase(ptr.back());
  } else if (parent.is_array()) {
    parent.erase(static_cast<std::size_t>(std::stoul(ptr.back())));
  }
}

void RunValidationCase(const fs::path& dir, const std::string& text, const Json& expected) {
  asl::ParseResult result = asl::Parse(text);
  bool valid = expected.value("valid", true);
  std::string all;
  for (const auto& d : result.diagnostics) all += d.ToString("definition.json") + "\n";
  ASSERT_EQ(result.ok(), valid) << dir << "\n" << all;
  if (!expected.contains("diagnostics")) return;
  for (const Json& want : expected["diagnostics"]) {
    std::string pointer = want.value("pointer", "");
    std::string code = want.value("code", "");
    bool found = false;
    for (const auto& d : result.diagnostics) {
      // We may locate a problem more precisely than AWS does (the field
      // rather than its state): a diagnostic inside `pointer` counts.
      bool inside = d.pointer == pointer || d.pointer.rfind(pointer + "/", 0) == 0;
      if (inside && (code.empty() || d.code == code)) found = true;
    }
    EXPECT_TRUE(found) << "no diagnostic at " << pointer << " with code '" << code
                       << "'; got:\n"
                       << all;
  }
}

void RunExecutionCase(const fs::path& dir, const std::string& text, const Json& expected) {
  asl::ParseResult parsed = asl::Parse(text);
  std::string all;
  for (const auto& d : parsed.diagnostics) all += d.ToString("definition.json") + "\n";
  ASSERT_TRUE(parsed.ok()) << "definition is invalid:\n" << all;

  Json input = Load(dir / "input.json", Json::object());
  Json mocks = Load(dir / "mocks.json", Json::object());
  ASSERT_TRUE(steps::MockStep::Check(mocks).ok());
  runtime::ResourceRegistry registry;
  registry.RegisterPrefix("", std::make_shared<steps::MockStep>(mocks, nullptr));

  history::MemoryStore store;
  FakeClock clock(1704067200000);  // 2024-01-01T00:00:00.000Z
  runtime::EngineOptions options;
  options.fake_clock = &clock;
  options.random_seed = 42;
  runtime::asio::io_context io;
  runtime::Engine engine(io, store, registry, clock, options);

  history::StateMachineRecord machine;
  machine.name = "TestMachine";
  machine.arn = StateMachineArn(machine.name);
  machine.definition = text;
  machine.role_arn = "arn:aws:iam::123456789012:role/TestRole";
  ASSERT_TRUE(store.PutStateMachine(machine).ok());

  std::optional<history::ExecutionRecord> result;
  runtime::StartRequest request;
  request.machine = machine;
  request.parsed = parsed.machine;
  request.name = "TestExecution";
  request.input = DumpJson(input);
  auto started = engine.StartExecution(
      request, [&](const history::ExecutionRecord& r) { result = r; });
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  engine.RunUntilIdle();
  ASSERT_TRUE(result.has_value()) << "the execution did not finish";

  std::string status(history::ExecutionStatusName(result->status));
  std::string detail = "error=" + result->error.value_or("") +
                       "\ncause=" + result->cause.value_or("") +
                       "\noutput=" + result->output.value_or("");
  EXPECT_EQ(status, expected.value("status", "")) << detail;

  if (expected.contains("output")) {
    Json actual = Json::parse(result->output.value_or("null"), nullptr, false);
    Json want = expected["output"];
    if (expected.contains("match_patterns")) {
      for (auto it = expected["match_patterns"].begin(); it != expected["match_patterns"].end();
           ++it) {
        Json::json_pointer ptr(it.key());
        ASSERT_TRUE(actual.contains(ptr)) << "output has nothing at " << it.key();
        const Json& v = actual[ptr];
        std::string s = v.is_string() ? v.get<std::string>() : v.dump();
        EXPECT_TRUE(std::regex_search(s, std::regex(it.value().get<std::string>())))
            << it.key() << " = " << s << " does not match " << it.value();
        Erase(actual, it.key());
        Erase(want, it.key());
      }
    }
    for (const Json& p : expected.value("ignore_paths", Json::array())) {
      Erase(actual, p.get<std::string>());
      Erase(want, p.get<std::string>());
    }
    EXPECT_EQ(actual, want) << "actual: " << actual.dump() << "\nwanted: " << want.dump()
                            << "\n" << detail;
  }
  if (expected.contains("error")) {
    EXPECT_EQ(result->error.value_or(""), expected["error"].get<std::string>()) << detail;
  }
  if (expected.contains("cause")) {
    EXPECT_EQ(result->cause.value_or(""), expected["cause"].get<std::string>()) << detail;
  }
  if (expected.contains("cause_pattern")) {
    std::string pattern = expected["cause_pattern"].get<std::string>();
    EXPECT_TRUE(std::regex_search(result->cause.value_or(""), std::regex(pattern)))
        << "cause '" << result->cause.value_or("") << "' does not match " << pattern;
  }

  auto events = store.GetHistory(result->arn, {});
  ASSERT_TRUE(events.ok());
  for (std::size_t i = 0; i < events->size(); ++i) {
    EXPECT_EQ((*events)[i].id, static_cast<int64_t>(i + 1)) << "event ids must be dense";
  }
  if (expected.contains("events")) {
    std::vector<std::string> types;
    for (const auto& e : *events) types.push_back(e.type);
    EXPECT_EQ(Json(types), expected["events"]);
  }
}

class CaseTest : public testing::Test {
 public:
  explicit CaseTest(fs::path dir) : dir_(std::move(dir)) {}
  void TestBody() override {
    StatusOr<std::string> text = ReadFile((dir_ / "definition.json").string());
    ASSERT_TRUE(text.ok());
    Json expected = Load(dir_ / "expected.json", Json::object());
    if (expected.contains("valid")) {
      RunValidationCase(dir_, *text, expected);
    } else {
      RunExecutionCase(dir_, *text, expected);
    }
  }

 private:
  fs::path dir_;
};

void RegisterCases(const fs::path& root) {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().filename() == "definition.json") {
      dirs.push_back(entry.path().parent_path());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    fs::path rel = fs::relative(dir, root);
    std::string suite = rel.has_parent_path() ? rel.parent_path().string() : "cases";
    std::string name = rel.filename().string();
    for (char& c : suite) {
      if (c == '/') c = '_';
    }
    testing::RegisterTest(suite.c_str(), name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [dir]() -> testing::Test* { return new CaseTest(dir); });
  }
}

}  // namespace
}  // namespace mlflowctl

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  const char* dir = std::getenv("MLF_CASES_DIR");
  mlflowctl::RegisterCases(dir != nullptr ? dir : MLF_CASES_DIR);
  return RUN_ALL_TESTS();
}
