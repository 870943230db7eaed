// SqliteExecutionStore::ScanHistory: the events GetHistory returns, with
// their details as the stored text.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/store/sqlite_db.h"
#include "engine/store/sqlite_execution_store.h"
#include "tests/unit/history/execution_store_contract.h"

namespace mlflowctl::store {
namespace {

using history::HistoryEvent;
using history::HistoryQuery;
using history::testing_contract::MakeEvents;
using history::testing_contract::MakeExecution;
using history::testing_contract::TempDir;

struct Scanned {
  int64_t id = 0;
  int64_t previous_event_id = 0;
  int64_t timestamp_ms = 0;
  std::string type;
  std::string frame;
  std::optional<std::string> details;
};

class ScanHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteExecutionStore::Open(dir_.File("scan.db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    ASSERT_TRUE(store_->CreateExecution(MakeExecution("e", 1000)).ok());
    std::vector<HistoryEvent> events = MakeEvents(1, 7);
    events[2].details = nullptr;  // stored as NULL
    events[3].details = {{"a", 1.5}, {"b", "é\n\"q\""}, {"c", {1, nullptr}}};
    events[4].frame = "b0";
    ASSERT_TRUE(store_->AppendEvents(arn_, events).ok());
  }

  std::vector<Scanned> Scan(const HistoryQuery& query) {
    std::vector<Scanned> out;
    Status s = store_->ScanHistory(arn_, query, [&](const StoredHistoryEvent& e) {
      Scanned row{e.id,
                  e.previous_event_id,
                  e.timestamp_ms,
                  std::string(e.type),
                  std::string(e.frame),
                  std::nullopt};
      if (e.details) row.details = std::string(*e.details);
      out.push_back(std::move(row));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  // Compares a scan with GetHistory for the same query.
  void ExpectSameAsGetHistory(const HistoryQuery& query) {
    StatusOr<std::vector<HistoryEvent>> got = store_->GetHistory(arn_, query);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::vector<Scanned> scanned = Scan(query);
    ASSERT_EQ(scanned.size(), got->size());
    for (std::size_t i = 0; i < scanned.size(); ++i) {
      const HistoryEvent& e = (*got)[i];
      EXPECT_EQ(scanned[i].id, e.id);
      EXPECT_EQ(scanned[i].previous_event_id, e.previous_event_id);
      EXPECT_EQ(scanned[i].timestamp_ms, e.timestamp_ms);
      EXPECT_EQ(scanned[i].type, e.type);
      EXPECT_EQ(scanned[i].frame, e.frame);
      if (e.details.is_null()) {
        EXPECT_FALSE(scanned[i].details.has_value()) << e.id;
      } else {
        ASSERT_TRUE(scanned[i].details.has_value()) << e.id;
        // The stored text is the compact serialisation of the details.
        EXPECT_EQ(*scanned[i].details, DumpJson(e.details));
      }
    }
  }

  TempDir dir_;
  std::unique_ptr<SqliteExecutionStore> store_;
  const std::string arn_ = MakeExecution("e", 1000).arn;
};

TEST_F(ScanHistoryTest, VisitsWhatGetHistoryReturnsInEveryDirection) {
  ExpectSameAsGetHistory(HistoryQuery{});
  ExpectSameAsGetHistory(HistoryQuery{.reverse = true});
  ExpectSameAsGetHistory(HistoryQuery{.reverse = false, .limit = 3, .after_id = 2});
  ExpectSameAsGetHistory(HistoryQuery{.reverse = true, .limit = 2, .after_id = 5});
  std::vector<Scanned> all = Scan(HistoryQuery{});
  ASSERT_EQ(all.size(), 7u);
  EXPECT_FALSE(all[2].details.has_value());
  EXPECT_EQ(all[4].frame, "b0");
  EXPECT_EQ(*all[3].details, R"({"a":1.5,"b":"é\n\"q\"","c":[1,null]})");
}

TEST_F(ScanHistoryTest, SeesBufferedEvents) {
  ASSERT_TRUE(store_->AppendEvents(arn_, MakeEvents(8, 2)).ok());
  ASSERT_GT(store_->PendingWrites(), 0);
  EXPECT_EQ(Scan(HistoryQuery{}).size(), 9u);
}

TEST_F(ScanHistoryTest, UnknownExecutionIsNotFound) {
  bool called = false;
  Status s = store_->ScanHistory(arn_ + "x", HistoryQuery{}, [&](const StoredHistoryEvent&) {
    called = true;
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_FALSE(called);
}

TEST_F(ScanHistoryTest, StopsAtTheFirstErrorOfTheCallback) {
  int calls = 0;
  Status s = store_->ScanHistory(arn_, HistoryQuery{}, [&](const StoredHistoryEvent& e) {
    ++calls;
    return e.id == 3 ? DataLossError("stop here") : Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(calls, 3);
  // The statement was reset: the store answers the next query.
  EXPECT_EQ(Scan(HistoryQuery{}).size(), 7u);
}

TEST_F(ScanHistoryTest, GetHistoryStillReportsUnreadableDetailsAsDataLoss) {
  ASSERT_TRUE(store_->Sync().ok());
  {
    auto db = SqliteDb::Open(dir_.File("scan.db"), SqliteOpenOptions());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Exec("UPDATE history_events SET details = '{\"a\":' WHERE id = 4").ok());
  }
  StatusOr<std::vector<HistoryEvent>> got = store_->GetHistory(arn_, HistoryQuery{});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss) << got.status().ToString();
  EXPECT_NE(got.status().message().find("event 4"), std::string::npos) << got.status().ToString();
}

}  // namespace
}  // namespace mlflowctl::store
