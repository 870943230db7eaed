// Crash simulation for the resume and redrive tests: runs an execution on a
// real SqliteExecutionStore in a temp dir through CrashableStore, which
// forwards writes to SQLite only at Sync() (the durability points of
// DESIGN.md §5) and, from a chosen Sync on, drops every write, as a killed
// process would. The "crashed" engine then runs on to its end without
// recording anything (so its coroutines unwind cleanly), the store is
// closed and reopened, and a new Engine resumes. Test-only; not
// thread-safe except CountingHandler.
#ifndef MLFLOWCTL_TESTS_UNIT_RUNTIME_CRASH_HARNESS_H_
#define MLFLOWCTL_TESTS_UNIT_RUNTIME_CRASH_HARNESS_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/asl/parser.h"
#include "engine/base/ids.h"
#include "engine/history/execution_store.h"
#include "engine/runtime/engine.h"
#include "engine/store/sqlite_execution_store.h"

namespace mlflowctl::runtime::testing_crash {

using history::ExecutionRecord;
using history::HistoryEvent;

// Writes reach the inner store only at Sync(); once crashed, every write is
// dropped (reported as done).
class CrashableStore : public history::ExecutionStore {
 public:
  // Crashes at the `crash_at_sync`-th Sync (1-based; 0 = never), after
  // that Sync has made its writes durable.
  CrashableStore(history::ExecutionStore& inner, int crash_at_sync)
      : inner_(inner), crash_at_sync_(crash_at_sync) {}

  void Crash() { crashed_ = true; }
  bool crashed() const { return crashed_; }
  int syncs() const { return syncs_; }

  StatusOr<history::StateMachineRecord> PutStateMachine(
      const history::StateMachineRecord& r) override {
    return inner_.PutStateMachine(r);
  }
  StatusOr<history::StateMachineRecord> GetStateMachine(const std::string& arn) override {
    return inner_.GetStateMachine(arn);
  }
  StatusOr<history::StateMachineRecord> GetStateMachineVersion(const std::string& arn,
                                                               int64_t version) override {
    return inner_.GetStateMachineVersion(arn, version);
  }
  StatusOr<std::vector<history::StateMachineRecord>> ListStateMachines() override {
    return inner_.ListStateMachines();
  }
  Status DeleteStateMachine(const std::string& arn) override {
    return inner_.DeleteStateMachine(arn);
  }
  Status CreateExecution(const ExecutionRecord& r) override {
    if (crashed_) return Status::Ok();
    return inner_.CreateExecution(r);
  }
  Status UpdateExecution(const ExecutionRecord& r) override {
    if (!crashed_) pending_.push_back([this, r] { return inner_.UpdateExecution(r); });
    return Status::Ok();
  }
  StatusOr<ExecutionRecord> ClaimExecution(const std::string& arn, bool redrive,
                                           int64_t now_ms) override {
    return inner_.ClaimExecution(arn, redrive, now_ms);
  }
  StatusOr<ExecutionRecord> GetExecution(const std::string& arn) override {
    return inner_.GetExecution(arn);
  }
  StatusOr<ExecutionRecord> FindExecutionByName(const std::string& name) override {
    return inner_.FindExecutionByName(name);
  }
  StatusOr<history::ExecutionPage> ListExecutions(
      const history::ExecutionFilter& f) override {
    return inner_.ListExecutions(f);
  }
  Status AppendEvents(const std::string& arn,
                      const std::vector<HistoryEvent>& events) override {
    if (!crashed_) {
      pending_.push_back([this, arn, events] { return inner_.AppendEvents(arn, events); });
    }
    return Status::Ok();
  }
  StatusOr<std::vector<HistoryEvent>> GetHistory(const std::string& arn,
                                                 const history::HistoryQuery& q) override {
    return inner_.GetHistory(arn, q);
  }
  Status Sync() override {
    if (crashed_) return Status::Ok();
    for (auto& op : pending_) {
      Status s = op();
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    pending_.clear();
    Status s = inner_.Sync();
    if (++syncs_ == crash_at_sync_) crashed_ = true;
    return s;
  }

 private:
  history::ExecutionStore& inner_;
  int crash_at_sync_;
  int syncs_ = 0;
  std::atomic<bool> crashed_{false};
  std::vector<std::function<Status()>> pending_;
};

// A task handler that counts its side effects per (state, input): each
// distinct pair should run once. Returns {"n": input.n + 1, "item": ...}.
// `crash_in_call` (1-based) crashes the store right after that call's side
// effect, before its result can be recorded. `fail` decides an error.
class CountingHandler : public TaskHandler {
 public:
  StepResult Invoke(const TaskRequest& r) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (store_ != nullptr && store_->crashed()) return Error{"Test.Crashed", "after the crash"};
    std::string key = r.state_name + " " + DumpJson(r.input);
    ++counts_[key];
    ++calls_;
    if (calls_ == crash_in_call_ && store_ != nullptr) {
      store_->Crash();
      in_flight_at_crash_ = key;
    }
    if (fail_ && fail_(r)) return Error{"Test.Broken", "broken: " + key};
    Json out = Json::object();
    int64_t n = r.input.is_object() ? r.input.value("n", int64_t{0}) : 0;
    out["n"] = n + 1;
    if (r.input.is_object() && r.input.contains("item")) out["item"] = r.input["item"];
    out["by"] = r.state_name;
    return out;
  }

  void Arm(CrashableStore* store, int crash_in_call) {
    std::lock_guard<std::mutex> lock(mu_);
    store_ = store;
    crash_in_call_ = crash_in_call;
    calls_ = 0;
  }
  void SetFail(std::function<bool(const TaskRequest&)> fail) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = std::move(fail);
  }
  std::map<std::string, int> counts() {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_;
  }
  int total() {
    std::lock_guard<std::mutex> lock(mu_);
    int t = 0;
    for (const auto& [k, c] : counts_) t += c;
    return t;
  }
  std::string in_flight_at_crash() {
    std::lock_guard<std::mutex> lock(mu_);
    return in_flight_at_crash_;
  }
  void Reset() {
    std::lock_guard<std::mutex> lock(mu_);
    counts_.clear();
    in_flight_at_crash_.clear();
    store_ = nullptr;
    crash_in_call_ = 0;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> counts_;
  CrashableStore* store_ = nullptr;
  int crash_in_call_ = 0;
  int calls_ = 0;
  std::string in_flight_at_crash_;
  std::function<bool(const TaskRequest&)> fail_;
};

inline history::StateMachineRecord Machine(const std::string& definition) {
  history::StateMachineRecord m;
  m.name = "M";
  m.arn = StateMachineArn("M");
  m.definition = definition;
  m.role_arn = "arn:aws:iam::123456789012:role/test";
  return m;
}

inline std::shared_ptr<const asl::StateMachine> Parse(const std::string& definition) {
  asl::ParseResult parsed = asl::Parse(definition);
  std::string all;
  for (const auto& d : parsed.diagnostics) all += d.ToString("def") + "\n";
  EXPECT_TRUE(parsed.ok()) << all;
  return parsed.machine;
}

inline std::unique_ptr<store::SqliteExecutionStore> OpenSqlite(const std::string& path) {
  auto s = store::SqliteExecutionStore::Open(path);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

// The checks every finished history must pass: ids 1..N in order, each
// previousEventId earlier, one ExecutionStarted first, one end last.
inline void ExpectWellFormed(const std::vector<HistoryEvent>& events) {
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().type, "ExecutionStarted");
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].id, static_cast<int64_t>(i + 1));
    EXPECT_LT(events[i].previous_event_id, events[i].id) << events[i].type;
    if (i > 0) {
      EXPECT_NE(events[i].type, "ExecutionStarted");
    }
  }
}

// How many events of each type.
inline std::map<std::string, int> TypeCounts(const std::vector<HistoryEvent>& events,
                                             bool skip_redriven = true) {
  std::map<std::string, int> counts;
  for (const auto& e : events) {
    if (skip_redriven && e.type == "ExecutionRedriven") continue;
    ++counts[e.type];
  }
  return counts;
}

}  // namespace mlflowctl::runtime::testing_crash

#endif  // MLFLOWCTL_TESTS_UNIT_RUNTIME_CRASH_HARNESS_H_
