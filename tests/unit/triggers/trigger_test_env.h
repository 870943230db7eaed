// The environment of the trigger tests: a SQLite store in a temporary
// directory (reopenable, and openable a second time as another process
// would), a SqliteTriggerStore on it, a FakeClock, and a StartFn that
// records what it was asked to start. Test-only; not thread-safe.
#ifndef MLFLOWCTL_TESTS_UNIT_TRIGGERS_TRIGGER_TEST_ENV_H_
#define MLFLOWCTL_TESTS_UNIT_TRIGGERS_TRIGGER_TEST_ENV_H_

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/base/clock.h"
#include "engine/base/json_util.h"
#include "engine/store/sqlite_execution_store.h"
#include "engine/store/sqlite_trigger_store.h"
#include "engine/triggers/trigger_runner.h"
#include "tests/testutil/temp_dir.h"

namespace mlflowctl::triggers::testing {

struct Started {
  std::string machine;
  Json input;
};

// One connection to the database, as one process has.
struct Connection {
  std::unique_ptr<store::SqliteExecutionStore> executions;
  std::unique_ptr<store::SqliteTriggerStore> triggers;
};

class TriggerTestEnv {
 public:
  // 2026-01-01T00:00:00Z.
  static constexpr int64_t kT0 = 1767225600000;
  static constexpr int64_t kMinute = 60000;

  TriggerTestEnv() : dir_("triggers"), clock_(kT0) { main_ = Connect(); }

  Connection Connect() {
    Connection c;
    auto opened = store::SqliteExecutionStore::Open(dir_.File("mlflowctl.db"));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (!opened.ok()) return c;
    c.executions = std::move(opened).value();
    c.triggers = std::make_unique<store::SqliteTriggerStore>(c.executions.get(), &clock_);
    return c;
  }

  store::SqliteTriggerStore& store() { return *main_.triggers; }
  FakeClock& clock() { return clock_; }
  const testutil::TempDir& dir() const { return dir_; }
  int64_t Now() const { return ToEpochMillis(clock_.Now()); }
  void AdvanceTo(int64_t ms) { clock_.AdvanceMillis(ms - Now()); }

  Trigger Add(Trigger t) {
    StatusOr<Trigger> created = store().CreateTrigger(t);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : t;
  }

  // A StartFn that records each start and answers an execution ARN, or
  // `fail` when set.
  StartFn Recorder(std::optional<Status> fail = std::nullopt) {
    return [this, fail](const std::string& machine, const std::string& input) -> StatusOr<std::string> {
      StatusOr<Json> parsed = ParseJson(input);
      EXPECT_TRUE(parsed.ok()) << input;
      started_.push_back(Started{machine, parsed.ok() ? *parsed : Json()});
      if (fail) return *fail;
      return fmt::format("arn:aws:states:us-east-1:123456789012:execution:{}:e{}", machine,
                         started_.size());
    };
  }

  std::unique_ptr<TriggerRunner> Runner(boost::asio::io_context& io, TriggerStore& store,
                                        TriggerRunnerOptions options = {}) {
    if (!options.log) options.log = [this](std::string_view line) { logs_.emplace_back(line); };
    return std::make_unique<TriggerRunner>(io, clock_, store, Recorder(), std::move(options));
  }

  std::vector<Started>& started() { return started_; }
  std::vector<std::string>& logs() { return logs_; }

  std::vector<Firing> Firings(const Trigger& t) {
    StatusOr<std::vector<Firing>> list = store().ListFirings(t.id, 0);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? *list : std::vector<Firing>();
  }

 private:
  testutil::TempDir dir_;
  FakeClock clock_;
  Connection main_;
  std::vector<Started> started_;
  std::vector<std::string> logs_;
};

}  // namespace mlflowctl::triggers::testing

#endif  // MLFLOWCTL_TESTS_UNIT_TRIGGERS_TRIGGER_TEST_ENV_H_
