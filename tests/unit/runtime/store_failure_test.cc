// The engine when the store refuses a write (a full disk, an I/O error): a
// failed commit never becomes a recorded end (DESIGN.md §5, STYLE.md "Error
// model" 4); the execution stays RUNNING at its last recorded event.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/asl/parser.h"
#include "engine/base/ids.h"
#include "engine/history/memory_store.h"
#include "engine/runtime/engine.h"

namespace mlflowctl::runtime {
namespace {

using history::ExecutionRecord;
using history::ExecutionStatus;
using history::HistoryEvent;

// Refuses the append that carries the execution's end, as a disk that
// fills up during the last write would.
class FullAtTheEndStore : public history::MemoryStore {
 public:
  Status AppendEvents(const std::string& arn, const std::vector<HistoryEvent>& events) override {
    for (const HistoryEvent& e : events) {
      if (e.type == "ExecutionSucceeded") {
        return UnavailableError("sqlite: database or disk is full (code 13)");
      }
    }
    return MemoryStore::AppendEvents(arn, events);
  }
};

TEST(StoreFailureTest, AnEndWhoseEventsCannotBeWrittenIsNotRecorded) {
  asio::io_context io;
  FullAtTheEndStore store;
  ResourceRegistry registry;
  Engine engine(io, store, registry, *SystemClock::Default());
  const std::string definition = R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": true}}})";
  asl::ParseResult parsed = asl::Parse(definition);
  ASSERT_TRUE(parsed.ok());
  StartRequest request;
  request.machine.name = "M";
  request.machine.arn = StateMachineArn("M");
  request.machine.definition = definition;
  request.parsed = parsed.machine;
  request.input = "{}";
  std::map<std::string, ExecutionRecord> done;
  auto started = engine.StartExecution(
      request, [&done](const ExecutionRecord& r) { done[r.arn] = r; });
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  engine.RunUntilIdle();

  ASSERT_EQ(done.count(started->arn), 1u);
  const ExecutionRecord& reported = done[started->arn];
  EXPECT_EQ(reported.status, ExecutionStatus::kRunning);
  EXPECT_EQ(reported.error.value_or(""), "mlflowctl.StoreError");
  EXPECT_NE(reported.cause.value_or("").find("disk is full"), std::string::npos);
  auto stored = store.GetExecution(started->arn);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->status, ExecutionStatus::kRunning)
      << "the store holds an end without the events that lead to it";
}

}  // namespace
}  // namespace mlflowctl::runtime
