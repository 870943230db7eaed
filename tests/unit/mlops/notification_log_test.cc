#include "engine/mlops/notification_log.h"

#include <gtest/gtest.h>

#include "tests/unit/mlops/temp_store.h"

namespace mlflowctl::mlops {
namespace {

using testing_mlops::TempStore;

Notification Message(std::string id, std::string text) {
  Notification n;
  n.message_id = std::move(id);
  n.topic_arn = "arn:aws:sns:us-east-1:123456789012:models";
  n.subject = "Model trained";
  n.message = std::move(text);
  n.message_attributes = Json{{"kind", {{"DataType", "String"}, {"StringValue", "x"}}}};
  n.execution_arn = "arn:exec";
  return n;
}

TEST(NotificationLogTest, AppendsInOrderAndListsNewestFirst) {
  TempStore t;
  auto first = t.notifications().AppendNotification(Message("m1", "one"));
  t.clock().AdvanceMillis(10);
  auto second = t.notifications().AppendNotification(Message("m2", "two"));
  ASSERT_TRUE(first.ok() && second.ok()) << first.status().ToString();
  EXPECT_EQ(first->timestamp_ms, 1700000000000);
  EXPECT_LT(first->sequence, second->sequence);
  auto list = t.notifications().ListNotifications(0);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].message_id, "m2");
  EXPECT_EQ((*list)[1].message, "one");
  EXPECT_EQ((*list)[1].subject, "Model trained");
  EXPECT_EQ((*list)[1].message_attributes["kind"]["StringValue"], "x");
  EXPECT_EQ((*list)[1].delivery_status, DeliveryStatus::kNotConfigured);
  auto newest = t.notifications().ListNotifications(1);
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->size(), 1u);
  EXPECT_EQ((*newest)[0].message_id, "m2");
}

TEST(NotificationLogTest, DeliveryStatusIsUpdated) {
  TempStore t;
  Notification n = Message("m1", "one");
  n.delivery_status = DeliveryStatus::kPending;
  ASSERT_TRUE(t.notifications().AppendNotification(n).ok());
  ASSERT_TRUE(t.notifications().UpdateDelivery("m1", DeliveryStatus::kFailed, "exit 3").ok());
  auto read = t.notifications().GetNotification("m1");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->delivery_status, DeliveryStatus::kFailed);
  EXPECT_EQ(read->delivery_detail, "exit 3");
  EXPECT_EQ(t.notifications().UpdateDelivery("nope", DeliveryStatus::kDelivered, "").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(t.notifications().GetNotification("nope").status().code(), StatusCode::kNotFound);
}

TEST(NotificationLogTest, DuplicateIdsAndEmptyMessagesAreRefused) {
  TempStore t;
  ASSERT_TRUE(t.notifications().AppendNotification(Message("m1", "one")).ok());
  EXPECT_EQ(t.notifications().AppendNotification(Message("m1", "again")).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(t.notifications().AppendNotification(Message("m2", "")).status().code(),
            StatusCode::kInvalidArgument);
  auto list = t.notifications().ListNotifications(0);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
}

TEST(NotificationLogTest, ReopeningKeepsMessages) {
  TempStore t;
  Notification n = Message("m1", "{\"a\":1}");
  n.subject.reset();
  ASSERT_TRUE(t.notifications().AppendNotification(n).ok());
  t.Reopen();
  auto read = t.notifications().GetNotification("m1");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->message, "{\"a\":1}");
  EXPECT_FALSE(read->subject.has_value());
  EXPECT_EQ(read->execution_arn, "arn:exec");
}

}  // namespace
}  // namespace mlflowctl::mlops
