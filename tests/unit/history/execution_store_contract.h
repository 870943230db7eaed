// The ExecutionStore contract as a typed GoogleTest suite, run against every
// store: each test binary defines StoreFactory<Store>::Make and instantiates
// the suite (memory_store_test.cc, sqlite_execution_store_test.cc). Also a
// TempDir helper. Test-only; not thread-safe.
#ifndef MLFLOWCTL_TESTS_UNIT_HISTORY_EXECUTION_STORE_CONTRACT_H_
#define MLFLOWCTL_TESTS_UNIT_HISTORY_EXECUTION_STORE_CONTRACT_H_

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/history/execution_store.h"

namespace mlflowctl::history::testing_contract {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string pattern =
        fmt::format("{}/mlflowctl-test-XXXXXX", base != nullptr ? base : "/tmp");
    char* made = mkdtemp(pattern.data());
    if (made != nullptr) path_ = made;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Specialised by each test binary:
//   static std::unique_ptr<Store> Make(const TempDir& dir);
template <typename Store>
struct StoreFactory;

inline StateMachineRecord MakeMachine(const std::string& name,
                                      const std::string& definition,
                                      int64_t now_ms = 1000) {
  StateMachineRecord r;
  r.arn = "arn:aws:states:us-east-1:123456789012:stateMachine:" + name;
  r.name = name;
  r.definition = definition;
  r.role_arn = "arn:aws:iam::123456789012:role/test";
  r.created_ms = now_ms;
  r.updated_ms = now_ms;
  return r;
}

inline ExecutionRecord MakeExecution(const std::string& name, int64_t start_ms,
                                     const std::string& machine = "m") {
  ExecutionRecord r;
  r.arn = fmt::format("arn:aws:states:us-east-1:123456789012:execution:{}:{}",
                      machine, name);
  r.name = name;
  r.state_machine_arn =
      "arn:aws:states:us-east-1:123456789012:stateMachine:" + machine;
  r.state_machine_name = machine;
  r.input = R"({"x":1})";
  r.start_ms = start_ms;
  return r;
}

// Events first..first+count-1, chained by previousEventId.
inline std::vector<HistoryEvent> MakeEvents(int64_t first, int64_t count) {
  std::vector<HistoryEvent> events;
  for (int64_t id = first; id < first + count; ++id) {
    HistoryEvent e;
    e.id = id;
    e.previous_event_id = id - 1;
    e.timestamp_ms = 1700000000000 + id;
    e.type = id == 1 ? "ExecutionStarted" : "PassStateEntered";
    e.details = {{"name", fmt::format("S{}", id)},
                 {"input", fmt::format("{{\"i\":{}}}", id)}};
    events.push_back(std::move(e));
  }
  return events;
}

inline std::vector<int64_t> Ids(const std::vector<HistoryEvent>& events) {
  std::vector<int64_t> ids;
  for (const HistoryEvent& e : events) ids.push_back(e.id);
  return ids;
}

template <typename Store>
class ExecutionStoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    store_ = StoreFactory<Store>::Make(dir_);
    ASSERT_NE(store_, nullptr);
  }

  void CreateOrDie(const ExecutionRecord& r) {
    Status s = store_->CreateExecution(r);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::vector<std::string> ListNames(const ExecutionFilter& filter) {
    StatusOr<ExecutionPage> page = store_->ListExecutions(filter);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> names;
    if (!page.ok()) return names;
    for (const ExecutionRecord& r : page->executions) names.push_back(r.name);
    return names;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TYPED_TEST_SUITE_P(ExecutionStoreContractTest);

TYPED_TEST_P(ExecutionStoreContractTest, PutStateMachineCreatesVersionOne) {
  StatusOr<StateMachineRecord> put =
      this->store_->PutStateMachine(MakeMachine("m", R"({"A":1})", 1000));
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->version, 1);
  StatusOr<StateMachineRecord> got = this->store_->GetStateMachine(put->arn);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, *put);
  EXPECT_EQ(got->definition, R"({"A":1})");
  EXPECT_EQ(got->type, "STANDARD");
  EXPECT_EQ(got->created_ms, 1000);
}

TYPED_TEST_P(ExecutionStoreContractTest,
             PutStateMachineWithNewDefinitionAddsAVersion) {
  ASSERT_TRUE(this->store_->PutStateMachine(MakeMachine("m", "v1", 1000)).ok());
  StatusOr<StateMachineRecord> second =
      this->store_->PutStateMachine(MakeMachine("m", "v2", 2000));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->version, 2);
  EXPECT_EQ(second->created_ms, 1000);
  EXPECT_EQ(second->updated_ms, 2000);
  StatusOr<StateMachineRecord> old =
      this->store_->GetStateMachineVersion(second->arn, 1);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->definition, "v1");
  EXPECT_EQ(old->version, 1);
  StatusOr<StateMachineRecord> current =
      this->store_->GetStateMachineVersion(second->arn, 2);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->definition, "v2");
  EXPECT_EQ(this->store_->GetStateMachineVersion(second->arn, 3).status().code(),
            StatusCode::kNotFound);
}

TYPED_TEST_P(ExecutionStoreContractTest,
             PutStateMachineWithSameDefinitionKeepsTheVersion) {
  ASSERT_TRUE(this->store_->PutStateMachine(MakeMachine("m", "v1", 1000)).ok());
  StateMachineRecord again = MakeMachine("m", "v1", 2000);
  again.role_arn = "arn:aws:iam::123456789012:role/other";
  StatusOr<StateMachineRecord> put = this->store_->PutStateMachine(again);
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(put->version, 1);
  EXPECT_EQ(this->store_->GetStateMachine(put->arn)->role_arn,
            "arn:aws:iam::123456789012:role/other");
}

TYPED_TEST_P(ExecutionStoreContractTest,
             PutStateMachineRejectsANameTakenByAnotherArn) {
  ASSERT_TRUE(this->store_->PutStateMachine(MakeMachine("m", "v1")).ok());
  StateMachineRecord other = MakeMachine("m", "v1");
  other.arn += "-other";
  EXPECT_EQ(this->store_->PutStateMachine(other).status().code(),
            StatusCode::kAlreadyExists);
  StateMachineRecord nameless = MakeMachine("", "v1");
  EXPECT_EQ(this->store_->PutStateMachine(nameless).status().code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST_P(ExecutionStoreContractTest, UnknownStateMachineIsNotFound) {
  EXPECT_EQ(this->store_->GetStateMachine("arn:nope").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(this->store_->DeleteStateMachine("arn:nope").code(),
            StatusCode::kNotFound);
}

TYPED_TEST_P(ExecutionStoreContractTest, ListStateMachinesReturnsAllByArn) {
  ASSERT_TRUE(this->store_->PutStateMachine(MakeMachine("b", "{}")).ok());
  ASSERT_TRUE(this->store_->PutStateMachine(MakeMachine("a", "{}")).ok());
  StatusOr<std::vector<StateMachineRecord>> all =
      this->store_->ListStateMachines();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "a");
  EXPECT_EQ((*all)[1].name, "b");
}

TYPED_TEST_P(ExecutionStoreContractTest, DeleteStateMachineKeepsItsExecutions) {
  StatusOr<StateMachineRecord> m =
      this->store_->PutStateMachine(MakeMachine("m", "v1"));
  ASSERT_TRUE(m.ok());
  this->CreateOrDie(MakeExecution("e1", 10));
  ASSERT_TRUE(this->store_->AppendEvents(MakeExecution("e1", 10).arn,
                                         MakeEvents(1, 3)).ok());
  ASSERT_TRUE(this->store_->DeleteStateMachine(m->arn).ok());
  EXPECT_EQ(this->store_->GetStateMachine(m->arn).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(this->store_->GetExecution(MakeExecution("e1", 10).arn).ok());
  EXPECT_EQ(this->store_->GetHistory(MakeExecution("e1", 10).arn, {})->size(),
            3u);
  // A machine made again under the same name starts over at version 1.
  StatusOr<StateMachineRecord> again =
      this->store_->PutStateMachine(MakeMachine("m", "v9"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, 1);
}

TYPED_TEST_P(ExecutionStoreContractTest, CreateExecutionKeepsEveryField) {
  ExecutionRecord r = MakeExecution("e1", 1234);
  r.state_machine_version = 3;
  r.status = ExecutionStatus::kFailed;
  r.output = R"({"out":true})";
  r.error = "States.TaskFailed";
  r.cause = "boom";
  r.stop_ms = 5678;
  this->CreateOrDie(r);
  StatusOr<ExecutionRecord> got = this->store_->GetExecution(r.arn);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, r);
}

TYPED_TEST_P(ExecutionStoreContractTest, CreateExecutionTwiceIsAlreadyExists) {
  this->CreateOrDie(MakeExecution("e1", 1));
  Status again = this->store_->CreateExecution(MakeExecution("e1", 2));
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.ToString();
  EXPECT_EQ(this->store_->GetExecution(MakeExecution("e1", 1).arn)->start_ms, 1);
}

TYPED_TEST_P(ExecutionStoreContractTest, CreateExecutionWithoutArnIsRejected) {
  ExecutionRecord r = MakeExecution("e1", 1);
  r.arn.clear();
  EXPECT_EQ(this->store_->CreateExecution(r).code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST_P(ExecutionStoreContractTest, UpdateExecutionReplacesOnlyTheOutcome) {
  ExecutionRecord r = MakeExecution("e1", 100);
  this->CreateOrDie(r);
  ExecutionRecord update = r;
  update.name = "ignored";
  update.input = "ignored";
  update.start_ms = 1;
  update.status = ExecutionStatus::kSucceeded;
  update.output = R"({"ok":1})";
  update.stop_ms = 200;
  ASSERT_TRUE(this->store_->UpdateExecution(update).ok());
  StatusOr<ExecutionRecord> got = this->store_->GetExecution(r.arn);
  ASSERT_TRUE(got.ok());
  ExecutionRecord expected = r;
  expected.status = ExecutionStatus::kSucceeded;
  expected.output = R"({"ok":1})";
  expected.stop_ms = 200;
  EXPECT_EQ(*got, expected);
  // Optional fields are cleared when the update leaves them empty.
  update.output.reset();
  update.error = "E";
  update.status = ExecutionStatus::kPendingRedrive;
  ASSERT_TRUE(this->store_->UpdateExecution(update).ok());
  got = this->store_->GetExecution(r.arn);
  EXPECT_FALSE(got->output.has_value());
  EXPECT_EQ(got->error, "E");
  EXPECT_EQ(got->status, ExecutionStatus::kPendingRedrive);
}

TYPED_TEST_P(ExecutionStoreContractTest, UnknownExecutionIsNotFound) {
  ExecutionRecord r = MakeExecution("ghost", 1);
  EXPECT_EQ(this->store_->UpdateExecution(r).code(), StatusCode::kNotFound);
  EXPECT_EQ(this->store_->GetExecution(r.arn).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(this->store_->AppendEvents(r.arn, MakeEvents(1, 1)).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(this->store_->GetHistory(r.arn, {}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(this->store_->FindExecutionByName("ghost").status().code(),
            StatusCode::kNotFound);
}

TYPED_TEST_P(ExecutionStoreContractTest, FindExecutionByNameReturnsTheNewest) {
  this->CreateOrDie(MakeExecution("daily", 100, "m1"));
  this->CreateOrDie(MakeExecution("daily", 300, "m2"));
  this->CreateOrDie(MakeExecution("daily", 200, "m3"));
  this->CreateOrDie(MakeExecution("other", 400, "m1"));
  StatusOr<ExecutionRecord> found = this->store_->FindExecutionByName("daily");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->state_machine_name, "m2");
}

TYPED_TEST_P(ExecutionStoreContractTest, ListExecutionsIsNewestFirst) {
  this->CreateOrDie(MakeExecution("a", 100));
  this->CreateOrDie(MakeExecution("c", 300));
  this->CreateOrDie(MakeExecution("b", 200));
  this->CreateOrDie(MakeExecution("b2", 200));
  EXPECT_EQ(this->ListNames({}),
            (std::vector<std::string>{"c", "b2", "b", "a"}));
}

TYPED_TEST_P(ExecutionStoreContractTest,
             ListExecutionsFiltersByStatusAndStateMachine) {
  this->CreateOrDie(MakeExecution("a", 1, "m1"));
  this->CreateOrDie(MakeExecution("b", 2, "m2"));
  this->CreateOrDie(MakeExecution("c", 3, "m1"));
  ExecutionRecord c = MakeExecution("c", 3, "m1");
  c.status = ExecutionStatus::kFailed;
  ASSERT_TRUE(this->store_->UpdateExecution(c).ok());

  ExecutionFilter by_machine;
  by_machine.state_machine_arn = c.state_machine_arn;
  EXPECT_EQ(this->ListNames(by_machine), (std::vector<std::string>{"c", "a"}));
  ExecutionFilter running;
  running.status = ExecutionStatus::kRunning;
  EXPECT_EQ(this->ListNames(running), (std::vector<std::string>{"b", "a"}));
  ExecutionFilter both = by_machine;
  both.status = ExecutionStatus::kFailed;
  EXPECT_EQ(this->ListNames(both), (std::vector<std::string>{"c"}));
  both.status = ExecutionStatus::kAborted;
  EXPECT_TRUE(this->ListNames(both).empty());
}

TYPED_TEST_P(ExecutionStoreContractTest,
             ListExecutionsPagesThroughEverythingOnce) {
  // 25 executions, several sharing a start time, so that page boundaries
  // fall inside runs of equal start_ms.
  for (int i = 0; i < 25; ++i) {
    this->CreateOrDie(MakeExecution(fmt::format("e{:02}", i), 1000 + i / 4));
  }
  ExecutionFilter filter;
  filter.limit = 10;
  std::vector<std::string> seen;
  std::vector<std::size_t> sizes;
  for (int guard = 0; guard < 10; ++guard) {
    StatusOr<ExecutionPage> page = this->store_->ListExecutions(filter);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    sizes.push_back(page->executions.size());
    for (const ExecutionRecord& r : page->executions) seen.push_back(r.name);
    if (!page->next_token.has_value()) break;
    filter.page_token = page->next_token;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{10, 10, 5}));
  ExecutionFilter everything;
  everything.limit = 1000;
  EXPECT_EQ(seen, this->ListNames(everything));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 25u);
}

TYPED_TEST_P(ExecutionStoreContractTest,
             ListExecutionsGivesNoTokenWhenThePageIsExactlyFull) {
  for (int i = 0; i < 4; ++i) {
    this->CreateOrDie(MakeExecution(fmt::format("e{}", i), i));
  }
  ExecutionFilter filter;
  filter.limit = 4;
  StatusOr<ExecutionPage> page = this->store_->ListExecutions(filter);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->executions.size(), 4u);
  EXPECT_FALSE(page->next_token.has_value());
}

TYPED_TEST_P(ExecutionStoreContractTest, ListExecutionsRejectsAMalformedToken) {
  ExecutionFilter filter;
  filter.page_token = "not-a-token";
  EXPECT_EQ(this->store_->ListExecutions(filter).status().code(),
            StatusCode::kInvalidArgument);
}

TYPED_TEST_P(ExecutionStoreContractTest, AppendedEventsComeBackUnchanged) {
  ExecutionRecord r = MakeExecution("e1", 1);
  this->CreateOrDie(r);
  std::vector<HistoryEvent> events = MakeEvents(1, 3);
  events[1].details = nullptr;
  events[1].type = "ParallelStateStarted";
  events[2].details = {{"output", "{\"a\":[1,2.5,\"x\"]}"},
                       {"nested", {{"k", {1, 2, 3}}, {"u", "\u00e9\u2603"}}}};
  ASSERT_TRUE(this->store_->AppendEvents(r.arn, events).ok());
  StatusOr<std::vector<HistoryEvent>> got = this->store_->GetHistory(r.arn, {});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, events);
}

TYPED_TEST_P(ExecutionStoreContractTest, AppendEventsRequiresDenseIds) {
  ExecutionRecord r = MakeExecution("e1", 1);
  this->CreateOrDie(r);
  EXPECT_EQ(this->store_->AppendEvents(r.arn, MakeEvents(2, 1)).code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(this->store_->AppendEvents(r.arn, MakeEvents(1, 3)).ok());
  // A repeat, a gap, and a batch that is broken in the middle.
  EXPECT_EQ(this->store_->AppendEvents(r.arn, MakeEvents(3, 1)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(this->store_->AppendEvents(r.arn, MakeEvents(5, 1)).code(),
            StatusCode::kFailedPrecondition);
  std::vector<HistoryEvent> broken = MakeEvents(4, 3);
  broken[2].id = 9;
  EXPECT_EQ(this->store_->AppendEvents(r.arn, broken).code(),
            StatusCode::kFailedPrecondition);
  std::vector<HistoryEvent> untyped = MakeEvents(4, 1);
  untyped[0].type.clear();
  EXPECT_EQ(this->store_->AppendEvents(r.arn, untyped).code(),
            StatusCode::kInvalidArgument);
  // Nothing of a rejected batch was kept.
  EXPECT_EQ(Ids(*this->store_->GetHistory(r.arn, {})),
            (std::vector<int64_t>{1, 2, 3}));
  EXPECT_TRUE(this->store_->AppendEvents(r.arn, MakeEvents(4, 2)).ok());
  EXPECT_TRUE(this->store_->AppendEvents(r.arn, {}).ok());
  EXPECT_EQ(this->store_->GetHistory(r.arn, {})->size(), 5u);
}

TYPED_TEST_P(ExecutionStoreContractTest, HistoriesOfExecutionsAreSeparate) {
  ExecutionRecord a = MakeExecution("a", 1);
  ExecutionRecord b = MakeExecution("b", 2);
  this->CreateOrDie(a);
  this->CreateOrDie(b);
  ASSERT_TRUE(this->store_->AppendEvents(a.arn, MakeEvents(1, 2)).ok());
  ASSERT_TRUE(this->store_->AppendEvents(b.arn, MakeEvents(1, 4)).ok());
  ASSERT_TRUE(this->store_->AppendEvents(a.arn, MakeEvents(3, 1)).ok());
  EXPECT_EQ(this->store_->GetHistory(a.arn, {})->size(), 3u);
  EXPECT_EQ(this->store_->GetHistory(b.arn, {})->size(), 4u);
  ExecutionRecord empty = MakeExecution("empty", 3);
  this->CreateOrDie(empty);
  StatusOr<std::vector<HistoryEvent>> none =
      this->store_->GetHistory(empty.arn, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TYPED_TEST_P(ExecutionStoreContractTest, GetHistoryPagesForward) {
  ExecutionRecord r = MakeExecution("e1", 1);
  this->CreateOrDie(r);
  ASSERT_TRUE(this->store_->AppendEvents(r.arn, MakeEvents(1, 10)).ok());
  HistoryQuery q;
  q.limit = 4;
  EXPECT_EQ(Ids(*this->store_->GetHistory(r.arn, q)),
            (std::vector<int64_t>{1, 2, 3, 4}));
  q.after_id = 4;
  EXPECT_EQ(Ids(*this->store_->GetHistory(r.arn, q)),
            (std::vector<int64_t>{5, 6, 7, 8}));
  q.after_id = 8;
  EXPECT_EQ(Ids(*this->store_->GetHistory(r.arn, q)),
            (std::vector<int64_t>{9, 10}));
  q.after_id = 10;
  EXPECT_TRUE(this->store_->GetHistory(r.arn, q)->empty());
  q.after_id = 7;
  q.limit = 0;
  EXPECT_EQ(Ids(*this->store_->GetHistory(r.arn, q)),
            (std::vector<int64_t>{8, 9, 10}));
}

TYPED_TEST_P(ExecutionStoreContractTest, GetHistoryPagesInReverse) {
  ExecutionRecord r = MakeExecution("e1", 1);
  this->CreateOrDie(r);
  ASSERT_TRUE(this->store_->AppendEvents(r.arn, MakeEvents(1, 6)).ok());
  HistoryQuery q;
  q.reverse = true;
  EXPECT_EQ(Ids(*this->store_->GetHistory(r.arn, q)),
            (std::vector<int64_t>{6, 5, 4, 3, 2, 1}));
  q.limit = 4;
  EXPECT_EQ(Ids(*this->store_->GetHistory(r.arn, q)),
            (std::vector<int64_t>{6, 5, 4, 3}));
  q.after_id = 3;
  EXPECT_EQ(Ids(*this->store_->GetHistory(r.arn, q)),
            (std::vector<int64_t>{2, 1}));
  q.after_id = 1;
  EXPECT_TRUE(this->store_->GetHistory(r.arn, q)->empty());
  q.after_id = 100;
  q.limit = 2;
  EXPECT_EQ(Ids(*this->store_->GetHistory(r.arn, q)),
            (std::vector<int64_t>{6, 5}));
}

TYPED_TEST_P(ExecutionStoreContractTest, ReadsSeeWritesBeforeSync) {
  ExecutionRecord r = MakeExecution("e1", 1);
  this->CreateOrDie(r);
  ASSERT_TRUE(this->store_->AppendEvents(r.arn, MakeEvents(1, 2)).ok());
  r.status = ExecutionStatus::kSucceeded;
  ASSERT_TRUE(this->store_->UpdateExecution(r).ok());
  EXPECT_EQ(this->store_->GetHistory(r.arn, {})->size(), 2u);
  EXPECT_EQ(this->store_->GetExecution(r.arn)->status,
            ExecutionStatus::kSucceeded);
  ExecutionFilter succeeded;
  succeeded.status = ExecutionStatus::kSucceeded;
  EXPECT_EQ(this->ListNames(succeeded), (std::vector<std::string>{"e1"}));
  EXPECT_TRUE(this->store_->Sync().ok());
  EXPECT_TRUE(this->store_->Sync().ok());
  EXPECT_EQ(this->store_->GetHistory(r.arn, {})->size(), 2u);
}

TYPED_TEST_P(ExecutionStoreContractTest,
             TenThousandEventHistoryComesBackInOrder) {
  ExecutionRecord r = MakeExecution("big", 1);
  this->CreateOrDie(r);
  constexpr int64_t kEvents = 10000;
  for (int64_t first = 1; first <= kEvents; first += 100) {
    Status s = this->store_->AppendEvents(r.arn, MakeEvents(first, 100));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  ASSERT_TRUE(this->store_->Sync().ok());
  StatusOr<std::vector<HistoryEvent>> all = this->store_->GetHistory(r.arn, {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), static_cast<std::size_t>(kEvents));
  EXPECT_EQ(*all, MakeEvents(1, kEvents));
  HistoryQuery last;
  last.reverse = true;
  last.limit = 1;
  EXPECT_EQ(Ids(*this->store_->GetHistory(r.arn, last)),
            (std::vector<int64_t>{kEvents}));
}

TYPED_TEST_P(ExecutionStoreContractTest, ConcurrentWritersKeepEveryEvent) {
  constexpr int kThreads = 8;
  constexpr int64_t kBatches = 50;
  for (int t = 0; t < kThreads; ++t) {
    this->CreateOrDie(MakeExecution(fmt::format("t{}", t), t));
  }
  std::vector<std::thread> threads;
  std::vector<Status> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &results] {
      std::string arn = MakeExecution(fmt::format("t{}", t), t).arn;
      HistoryQuery first;
      first.limit = 1;
      for (int64_t b = 0; b < kBatches; ++b) {
        Status s = this->store_->AppendEvents(arn, MakeEvents(b * 3 + 1, 3));
        if (s.ok() && b % 10 == 0) s = this->store_->Sync();
        if (s.ok()) s = this->store_->GetHistory(arn, first).status();
        if (!s.ok()) {
          results[t] = s;
          return;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(this->store_->Sync().ok());
  for (int t = 0; t < kThreads; ++t) {
    std::string arn = MakeExecution(fmt::format("t{}", t), t).arn;
    EXPECT_EQ(*this->store_->GetHistory(arn, {}), MakeEvents(1, kBatches * 3));
  }
}

REGISTER_TYPED_TEST_SUITE_P(
    ExecutionStoreContractTest, PutStateMachineCreatesVersionOne,
    PutStateMachineWithNewDefinitionAddsAVersion,
    PutStateMachineWithSameDefinitionKeepsTheVersion,
    PutStateMachineRejectsANameTakenByAnotherArn, UnknownStateMachineIsNotFound,
    ListStateMachinesReturnsAllByArn, DeleteStateMachineKeepsItsExecutions,
    CreateExecutionKeepsEveryField, CreateExecutionTwiceIsAlreadyExists,
    CreateExecutionWithoutArnIsRejected, UpdateExecutionReplacesOnlyTheOutcome,
    UnknownExecutionIsNotFound, FindExecutionByNameReturnsTheNewest,
    ListExecutionsIsNewestFirst, ListExecutionsFiltersByStatusAndStateMachine,
    ListExecutionsPagesThroughEverythingOnce,
    ListExecutionsGivesNoTokenWhenThePageIsExactlyFull,
    ListExecutionsRejectsAMalformedToken, AppendedEventsComeBackUnchanged,
    AppendEventsRequiresDenseIds, HistoriesOfExecutionsAreSeparate,
    GetHistoryPagesForward, GetHistoryPagesInReverse, ReadsSeeWritesBeforeSync,
    TenThousandEventHistoryComesBackInOrder, ConcurrentWritersKeepEveryEvent);

}  // namespace mlflowctl::history::testing_contract

#endif  // MLFLOWCTL_TESTS_UNIT_HISTORY_EXECUTION_STORE_CONTRACT_H_
