#include "engine/triggers/trigger_store.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/store/sqlite_trigger_store.h"
#include "tests/unit/triggers/trigger_test_env.h"

namespace mlflowctl::triggers {
namespace {

using testing::TriggerTestEnv;

Trigger Nightly() {
  Trigger t;
  t.name = "nightly";
  t.machine = "train";
  t.schedule_expression = "cron(0 2 * * ? *)";
  t.time_zone = "Europe/Paris";
  t.missed = MissedPolicy::kAll;
  t.input = R"({"rmse_threshold": 4000})";
  return t;
}

TEST(TriggerStoreTest, CreatesListsAndRemovesTriggers) {
  TriggerTestEnv env;
  StatusOr<Trigger> created = env.store().CreateTrigger(Nightly());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_FALSE(created->id.empty());
  EXPECT_EQ(created->created_ms, TriggerTestEnv::kT0);

  Trigger watch;
  watch.name = "incoming";
  watch.machine = "train";
  watch.kind = TriggerKind::kWatch;
  watch.watch_dir = env.dir().File("in");
  watch.suffix = ".csv";
  watch.event_shape = EventShape::kS3;
  ASSERT_TRUE(env.store().CreateTrigger(watch).ok());

  StatusOr<std::vector<Trigger>> list = env.store().ListTriggers();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "incoming");
  EXPECT_EQ((*list)[0].suffix, ".csv");
  EXPECT_EQ((*list)[0].event_shape, EventShape::kS3);
  EXPECT_EQ((*list)[1], *created);

  EXPECT_EQ(env.store().CreateTrigger(Nightly()).status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(env.store().DeleteTrigger("nightly").ok());
  EXPECT_EQ(env.store().GetTrigger("nightly").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(env.store().DeleteTrigger("nightly").code(), StatusCode::kNotFound);
}

TEST(TriggerStoreTest, InvalidTriggersAreNotStored) {
  TriggerTestEnv env;
  Trigger t = Nightly();
  t.schedule_expression = "cron(0 12 * * * *)";
  EXPECT_EQ(env.store().CreateTrigger(t).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(env.store().ListTriggers()->empty());
}

TEST(TriggerStoreTest, AFiringIsClaimedOnceAcrossConnections) {
  TriggerTestEnv env;
  Trigger t = env.Add(Nightly());
  testing::Connection other = env.Connect();
  Firing f{t.id, t.name, "2026-01-01T02:00:00Z", 1767232800000, TriggerTestEnv::kT0, {}, {}};
  EXPECT_TRUE(*env.store().ClaimFiring(f));
  EXPECT_FALSE(*other.triggers->ClaimFiring(f));
  EXPECT_FALSE(*env.store().ClaimFiring(f));
  EXPECT_TRUE(*other.triggers->HasFiring(t.id, f.key));

  ASSERT_TRUE(other.triggers->FinishFiring(t.id, f.key, std::string("arn:x"), std::nullopt).ok());
  std::vector<Firing> firings = env.Firings(t);
  ASSERT_EQ(firings.size(), 1u);
  EXPECT_EQ(firings[0].execution_arn, "arn:x");
  EXPECT_EQ(firings[0].trigger_name, "nightly");
  EXPECT_EQ(*env.store().LastSlot(t.id), 1767232800000);
  EXPECT_EQ(env.store().FinishFiring(t.id, "nope", std::nullopt, std::string("e")).code(),
            StatusCode::kNotFound);
}

TEST(TriggerStoreTest, FiringsAreListedNewestFirstAndGoWithTheirTrigger) {
  TriggerTestEnv env;
  Trigger t = env.Add(Nightly());
  for (int i = 0; i < 5; ++i) {
    Firing f{t.id, t.name, "k" + std::to_string(i), i * 1000, i, {}, {}};
    ASSERT_TRUE(*env.store().ClaimFiring(f));
  }
  StatusOr<std::vector<Firing>> two = env.store().ListFirings(t.id, 2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].key, "k4");
  EXPECT_EQ((*two)[1].key, "k3");
  EXPECT_EQ(*env.store().LastSlot(t.id), 4000);

  ASSERT_TRUE(env.store().DeleteTrigger(t.name).ok());
  EXPECT_TRUE(env.store().ListFirings(t.id, 0)->empty());
  Firing late{t.id, t.name, "k9", std::nullopt, 9, {}, {}};
  EXPECT_EQ(env.store().ClaimFiring(late).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace mlflowctl::triggers
