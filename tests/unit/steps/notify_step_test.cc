#include "steps/notify_step.h"

#include <atomic>
#include <filesystem>

#include <gtest/gtest.h>

#include "engine/base/json_util.h"
#include "tests/unit/mlops/temp_store.h"

namespace mlflowctl::steps {
namespace {

using testing_mlops::TempStore;

std::atomic<bool> kNotifyNotCancelled{false};
constexpr char kNotifyExecution[] = "arn:aws:states:us-east-1:123456789012:execution:training:e1";

runtime::StepResult Call(NotifyStep& step, const char* resource, Json input) {
  runtime::TaskRequest r;
  r.resource = resource;
  r.input = std::move(input);
  r.execution_arn = kNotifyExecution;
  r.state_name = "Notify";
  r.task_token = "t";
  r.cancelled = &kNotifyNotCancelled;
  return step.Invoke(r);
}

Json Publish() {
  return {{"TopicArn", "arn:aws:sns:us-east-1:123456789012:models"},
          {"Subject", "Model not better"},
          {"Message", {{"Reason", "validation:rmse 3100 >= champion's 3012.4"}}},
          {"MessageAttributes", {{"group", {{"DataType", "String"}, {"StringValue", "car-price"}}}}}};
}

TEST(NotifyStepTest, PublishStoresTheMessageAndReturnsItsId) {
  TempStore t;
  NotifyStep step(&t.notifications(), {});
  runtime::StepResult result = Call(step, kSnsPublishResource, Publish());
  ASSERT_TRUE(std::holds_alternative<Json>(result)) << std::get<Error>(result).cause;
  const Json& out = std::get<Json>(result);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out["MessageId"].is_string());
  auto stored = t.notifications().GetNotification(out["MessageId"].get<std::string>());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->message, "{\"Reason\":\"validation:rmse 3100 >= champion's 3012.4\"}");
  EXPECT_EQ(stored->subject, "Model not better");
  EXPECT_EQ(stored->execution_arn, kNotifyExecution);
  EXPECT_EQ(stored->message_attributes["group"]["StringValue"], "car-price");
  EXPECT_EQ(stored->delivery_status, mlops::DeliveryStatus::kNotConfigured);
}

TEST(NotifyStepTest, DeliveryCommandGetsTheEnvelopeOnStdin) {
  TempStore t;
  std::string file = t.dir() + "/delivered.json";
  NotifyStep step(&t.notifications(), {"sh", "-c", "cat > \"$0\"", file});
  runtime::StepResult result = Call(step, kNotifyResource, Publish());
  ASSERT_TRUE(std::holds_alternative<Json>(result)) << std::get<Error>(result).cause;
  std::string id = std::get<Json>(result)["MessageId"].get<std::string>();
  StatusOr<Json> envelope = ParseJsonFile(file);
  ASSERT_TRUE(envelope.ok()) << envelope.status().ToString();
  EXPECT_EQ((*envelope)["Type"], "Notification");
  EXPECT_EQ((*envelope)["MessageId"], id);
  EXPECT_EQ((*envelope)["TopicArn"], "arn:aws:sns:us-east-1:123456789012:models");
  EXPECT_EQ((*envelope)["Subject"], "Model not better");
  EXPECT_EQ((*envelope)["Timestamp"], "2023-11-14T22:13:20.000Z");
  EXPECT_EQ((*envelope)["MessageAttributes"]["group"],
            (Json{{"Type", "String"}, {"Value", "car-price"}}));
  auto stored = t.notifications().GetNotification(id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->delivery_status, mlops::DeliveryStatus::kDelivered);
}

TEST(NotifyStepTest, FailedDeliveryIsRecordedButThePublishSucceeds) {
  TempStore t;
  NotifyStep step(&t.notifications(), {"sh", "-c", "echo webhook down >&2; exit 3"});
  runtime::StepResult result = Call(step, kSnsPublishResource, Publish());
  ASSERT_TRUE(std::holds_alternative<Json>(result));
  auto stored =
      t.notifications().GetNotification(std::get<Json>(result)["MessageId"].get<std::string>());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->delivery_status, mlops::DeliveryStatus::kFailed);
  EXPECT_NE(stored->delivery_detail.find("status 3"), std::string::npos);
  EXPECT_NE(stored->delivery_detail.find("webhook down"), std::string::npos);

  NotifyStep missing(&t.notifications(), {"/nonexistent/mlflowctl-notify"});
  result = Call(missing, kSnsPublishResource, Publish());
  ASSERT_TRUE(std::holds_alternative<Json>(result));
  stored =
      t.notifications().GetNotification(std::get<Json>(result)["MessageId"].get<std::string>());
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->delivery_status, mlops::DeliveryStatus::kFailed);
  EXPECT_NE(stored->delivery_detail.find("cannot run"), std::string::npos);
}

TEST(NotifyStepTest, FifoTopicsGetASequenceNumber) {
  TempStore t;
  NotifyStep step(&t.notifications(), {});
  Json in = Publish();
  in["TopicArn"] = "arn:aws:sns:us-east-1:123456789012:models.fifo";
  runtime::StepResult missing_group = Call(step, kSnsPublishResource, in);
  ASSERT_TRUE(std::holds_alternative<Error>(missing_group));
  in["MessageGroupId"] = "g";
  runtime::StepResult result = Call(step, kSnsPublishResource, in);
  ASSERT_TRUE(std::holds_alternative<Json>(result));
  EXPECT_EQ(std::get<Json>(result)["SequenceNumber"], "00000000000000000001");
}

TEST(NotifyStepTest, BadRequestsAreRefusedAndNotStored) {
  TempStore t;
  NotifyStep step(&t.notifications(), {});
  auto error = [&](const char* resource, Json in) {
    runtime::StepResult r = Call(step, resource, std::move(in));
    return std::holds_alternative<Error>(r) ? std::get<Error>(r).name : std::string("ok");
  };
  Json no_topic = Publish();
  no_topic.erase("TopicArn");
  EXPECT_EQ(error(kSnsPublishResource, no_topic), "SNS.InvalidParameterException");
  EXPECT_EQ(error(kNotifyResource, no_topic), "Mlflow.InvalidInput");
  Json bad_subject = Publish();
  bad_subject["Subject"] = "two\nlines";
  EXPECT_EQ(error(kSnsPublishResource, bad_subject), "SNS.InvalidParameterException");
  Json bad_attribute = Publish();
  bad_attribute["MessageAttributes"]["group"].erase("DataType");
  EXPECT_EQ(error(kSnsPublishResource, bad_attribute), "SNS.InvalidParameterException");
  Json no_message = Publish();
  no_message.erase("Message");
  EXPECT_EQ(error(kSnsPublishResource, no_message), "SNS.InvalidParameterException");
  EXPECT_TRUE(t.notifications().ListNotifications(0)->empty());
}

TEST(NotifyStepTest, CommandComesFromTheEnvironmentSplitOnSpaces) {
  ASSERT_EQ(setenv("MLFLOWCTL_NOTIFY_COMMAND", " curl  -d @- http://localhost/hook ", 1), 0);
  EXPECT_EQ(NotifyStep::DeliveryCommandFromEnvironment(),
            (std::vector<std::string>{"curl", "-d", "@-", "http://localhost/hook"}));
  ASSERT_EQ(unsetenv("MLFLOWCTL_NOTIFY_COMMAND"), 0);
  EXPECT_TRUE(NotifyStep::DeliveryCommandFromEnvironment().empty());
}

}  // namespace
}  // namespace mlflowctl::steps
