#include "cli/format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/store/sqlite_execution_store.h"
#include "tests/unit/history/execution_store_contract.h"

namespace mlflowctl::history::testing_contract {
// Only the helpers of the contract header are used here.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ExecutionStoreContractTest);
}  // namespace mlflowctl::history::testing_contract

namespace mlflowctl::cli {
namespace {

using history::HistoryEvent;
using history::testing_contract::MakeExecution;
using history::testing_contract::TempDir;

// The rendering of `e` from its stored form (details as DumpJson text).
std::string FromStored(const HistoryEvent& e) {
  std::string details = DumpJson(e.details);
  store::StoredHistoryEvent stored;
  stored.id = e.id;
  stored.previous_event_id = e.previous_event_id;
  stored.timestamp_ms = e.timestamp_ms;
  stored.type = e.type;
  if (!e.details.is_null()) stored.details = details;
  std::string out;
  Status s = AppendHistoryEventJson(stored, out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

HistoryEvent Event(std::string type, Json details, int64_t timestamp_ms = 1733486048123) {
  HistoryEvent e;
  e.id = 12;
  e.previous_event_id = 11;
  e.timestamp_ms = timestamp_ms;
  e.type = std::move(type);
  e.details = std::move(details);
  return e;
}

TEST(FormatTest, HistoryEventOfEveryTypeIsPrintedAsToApiJsonPrintsIt) {
  const Json details = {{"name", "Train"},
                        {"input", R"({"a":[1,2.5,"x"]})"},
                        {"inputDetails", {{"truncated", false}}}};
  for (std::string_view type : history::HistoryEventTypes()) {
    HistoryEvent e = Event(std::string(type), details);
    EXPECT_EQ(FromStored(e), e.ToApiJson().dump()) << type;
    HistoryEvent bare = Event(std::string(type), nullptr);
    EXPECT_EQ(FromStored(bare), bare.ToApiJson().dump()) << type;
  }
}

TEST(FormatTest, HistoryEventDetailsKeepTheirTextExactly) {
  const std::vector<Json> cases = {
      Json::object(),
      {{"output", "{\"é\":\"\\u0001\\t\"}"}, {"outputDetails", {{"truncated", true}}}},
      {{"error", "States.TaskFailed"}, {"cause", "line1\nline2 \"quoted\" \\ / 😀"}},
      {{"n", -0.0},
       {"big", 18446744073709551615u},
       {"neg", -9223372036854775807LL},
       {"f", 1e-7},
       {"g", 123456789.125},
       {"h", 1.0}},
      {{"nested", {{"a", {1, {2, {3, nullptr}}}}, {"b", true}}}},
  };
  for (const Json& details : cases) {
    HistoryEvent e = Event("TaskSucceeded", details);
    EXPECT_EQ(FromStored(e), e.ToApiJson().dump()) << details.dump();
  }
}

TEST(FormatTest, HistoryEventTimestampsArePrintedAsToApiJsonPrintsThem) {
  std::vector<int64_t> stamps = {0,
                                 1,
                                 999,
                                 1000,
                                 1001,
                                 1733486048000,
                                 1733486048100,
                                 1733486048120,
                                 1733486048123,
                                 4102444800999,
                                 999999999999999};
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> any(0, 4102444800000);
  for (int i = 0; i < 20000; ++i) stamps.push_back(any(random));
  for (int64_t ms = 1733486040000; ms < 1733486050000; ++ms) stamps.push_back(ms);
  for (int64_t ms : stamps) {
    HistoryEvent e = Event("PassStateEntered", {{"name", "S"}}, ms);
    ASSERT_EQ(FromStored(e), e.ToApiJson().dump()) << ms;
  }
}

TEST(FormatTest, HistoryEventWithUnreadableDetailsIsDataLoss) {
  store::StoredHistoryEvent e;
  e.id = 4;
  e.type = "TaskSucceeded";
  e.details = std::string_view(R"({"output":)");
  std::string out;
  Status s = AppendHistoryEventJson(e, out);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss) << s.ToString();
  EXPECT_NE(s.message().find("event 4"), std::string::npos) << s.ToString();
}

TEST(FormatTest, HistoryJsonOfAStoreMatchesTheParsedRendering) {
  TempDir dir;
  auto opened = store::SqliteExecutionStore::Open(dir.File("format.db"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store::SqliteExecutionStore& s = **opened;
  history::ExecutionRecord r = MakeExecution("e", 1000);
  ASSERT_TRUE(s.CreateExecution(r).ok());
  std::vector<HistoryEvent> events;
  const char* types[] = {"ExecutionStarted", "PassStateEntered",    "ParallelStateStarted",
                         "TaskScheduled",    "MapIterationStarted", "ExecutionSucceeded"};
  for (int i = 0; i < 6; ++i) {
    HistoryEvent e =
        Event(types[i], i == 2 ? Json() : Json{{"name", "S"}, {"index", i}}, 1733486048000 + 7 * i);
    e.id = i + 1;
    e.previous_event_id = i;
    events.push_back(e);
  }
  ASSERT_TRUE(s.AppendEvents(r.arn, events).ok());
  for (history::HistoryQuery q :
       {history::HistoryQuery{}, history::HistoryQuery{.reverse = true, .limit = 4},
        history::HistoryQuery{.reverse = false, .limit = 2, .after_id = 3}}) {
    StatusOr<std::vector<HistoryEvent>> got = s.GetHistory(r.arn, q);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::string expected = "{\"events\":[";
    for (std::size_t i = 0; i < got->size(); ++i) {
      if (i) expected += ",";
      expected += (*got)[i].ToApiJson().dump();
    }
    expected += "]}\n";
    StatusOr<std::string> text = HistoryJson(s, r.arn, q);
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    EXPECT_EQ(*text, expected);
  }
  StatusOr<std::string> missing = HistoryJson(s, r.arn + "x", {});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(FormatTest, ListExecutionsJsonHasTheItemsAndTheNextToken) {
  history::ExecutionPage page;
  page.executions.push_back(MakeExecution("a", 2000));
  page.executions.push_back(MakeExecution("b", 1500));
  page.executions.back().status = history::ExecutionStatus::kSucceeded;
  page.executions.back().stop_ms = 1750;
  page.next_token = "1500:arn";
  StatusOr<Json> parsed = ParseJson(ListExecutionsJson(page));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ((*parsed)["executions"].size(), 2u);
  EXPECT_EQ((*parsed)["executions"][0]["name"], "a");
  EXPECT_EQ((*parsed)["executions"][0]["startDate"], 2.0);
  EXPECT_FALSE((*parsed)["executions"][0].contains("stopDate"));
  EXPECT_EQ((*parsed)["executions"][1]["status"], "SUCCEEDED");
  EXPECT_EQ((*parsed)["executions"][1]["stopDate"], 1.75);
  EXPECT_EQ((*parsed)["nextToken"], "1500:arn");
  page.next_token.reset();
  parsed = ParseJson(ListExecutionsJson(page));
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->contains("nextToken"));
}

}  // namespace
}  // namespace mlflowctl::cli
