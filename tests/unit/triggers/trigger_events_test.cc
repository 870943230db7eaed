#include "engine/triggers/trigger_events.h"

#include <string>

#include <gtest/gtest.h>

#include "engine/triggers/trigger.h"

namespace mlflowctl::triggers {
namespace {

ObjectCreated Object() {
  ObjectCreated o;
  o.bucket = "example-bucket";
  o.key = "new data/IMG_m7fzo3.jpg";
  o.size = 184662;
  o.etag = "4e68adba0abe2dc8653dc3354e14c01d";
  o.sequencer = "006408CAD69598B05E";
  o.time_ms = 1678297814123;  // 2023-03-08T17:50:14.123Z
  o.id = "f5f1e65c-dc3a-93ca-6c1e-b1647eac7963";
  o.request_id = "57H08PA84AB1JZW0";
  return o;
}

TEST(TriggerEventsTest, ObjectCreatedHasTheEventBridgeShape) {
  Json expected = Json::parse(R"({
    "version": "0", "id": "f5f1e65c-dc3a-93ca-6c1e-b1647eac7963", "detail-type": "Object Created",
    "source": "aws.s3", "account": "123456789012", "time": "2023-03-08T17:50:14Z",
    "region": "us-east-1", "resources": ["arn:aws:s3:::example-bucket"],
    "detail": {"version": "0", "bucket": {"name": "example-bucket"},
      "object": {"key": "new data/IMG_m7fzo3.jpg", "size": 184662,
                 "etag": "4e68adba0abe2dc8653dc3354e14c01d", "sequencer": "006408CAD69598B05E"},
      "request-id": "57H08PA84AB1JZW0", "requester": "123456789012",
      "source-ip-address": "127.0.0.1", "reason": "PutObject"}})");
  EXPECT_EQ(ObjectCreatedEventBridgeEvent(Object()), expected);
}

TEST(TriggerEventsTest, ObjectCreatedHasTheClassicRecordShape) {
  Json expected = Json::parse(R"({"Records": [{
    "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
    "eventTime": "2023-03-08T17:50:14.123Z", "eventName": "ObjectCreated:Put",
    "userIdentity": {"principalId": "123456789012"},
    "requestParameters": {"sourceIPAddress": "127.0.0.1"},
    "responseElements": {"x-amz-request-id": "57H08PA84AB1JZW0",
                         "x-amz-id-2": "f5f1e65c-dc3a-93ca-6c1e-b1647eac7963"},
    "s3": {"s3SchemaVersion": "1.0", "configurationId": "incoming",
      "bucket": {"name": "example-bucket", "ownerIdentity": {"principalId": "123456789012"},
                 "arn": "arn:aws:s3:::example-bucket"},
      "object": {"key": "new+data/IMG_m7fzo3.jpg", "size": 184662,
                 "eTag": "4e68adba0abe2dc8653dc3354e14c01d", "sequencer": "006408CAD69598B05E"}}}]})");
  EXPECT_EQ(ObjectCreatedS3Record(Object(), "incoming"), expected);
}

TEST(TriggerEventsTest, KeysAreUrlEncodedAsS3Does) {
  EXPECT_EQ(S3UrlEncodeKey("a b/c+d=e.csv"), "a+b/c%2Bd%3De.csv");
  EXPECT_EQ(S3UrlEncodeKey("caf\xc3\xa9"), "caf%C3%A9");
}

history::ExecutionRecord Ended(history::ExecutionStatus status) {
  history::ExecutionRecord r;
  r.arn = "arn:aws:states:us-east-1:123456789012:execution:train:e1";
  r.name = "e1";
  r.state_machine_arn = "arn:aws:states:us-east-1:123456789012:stateMachine:train";
  r.state_machine_name = "train";
  r.status = status;
  r.input = "{}";
  r.start_ms = 1547148840101;
  r.stop_ms = 1547148840122;
  return r;
}

TEST(TriggerEventsTest, SucceededExecutionHasTheStatusChangeShape) {
  history::ExecutionRecord r = Ended(history::ExecutionStatus::kSucceeded);
  r.output = "\"Hello World!\"";
  Json expected = Json::parse(R"({
    "version": "0", "id": "315c1398-40ff-a850-213b-158f73e60175",
    "detail-type": "Step Functions Execution Status Change", "source": "aws.states",
    "account": "123456789012", "time": "2019-01-10T19:34:00Z", "region": "us-east-1",
    "resources": ["arn:aws:states:us-east-1:123456789012:execution:train:e1"],
    "detail": {"executionArn": "arn:aws:states:us-east-1:123456789012:execution:train:e1",
      "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:train",
      "name": "e1", "status": "SUCCEEDED", "startDate": 1547148840101, "stopDate": 1547148840122,
      "input": "{}", "inputDetails": {"included": true},
      "output": "\"Hello World!\"", "outputDetails": {"included": true}}})");
  EXPECT_EQ(ExecutionStatusChangeEvent(r, "315c1398-40ff-a850-213b-158f73e60175", 0), expected);
}

TEST(TriggerEventsTest, FailedExecutionHasNullOutputAndItsError) {
  history::ExecutionRecord r = Ended(history::ExecutionStatus::kFailed);
  r.error = "Mlflow.Broken";
  r.cause = "on purpose";
  Json event = ExecutionStatusChangeEvent(r, "id", 0);
  EXPECT_EQ(event["detail"]["status"], "FAILED");
  EXPECT_TRUE(event["detail"]["output"].is_null());
  EXPECT_TRUE(event["detail"]["outputDetails"].is_null());
  EXPECT_EQ(event["detail"]["error"], "Mlflow.Broken");
  EXPECT_EQ(event["detail"]["cause"], "on purpose");
}

TEST(TriggerEventsTest, LargePayloadsAreLeftOutOfTheEvent) {
  history::ExecutionRecord r = Ended(history::ExecutionStatus::kSucceeded);
  r.input = "\"" + std::string(200 * 1024, 'x') + "\"";
  r.output = r.input;
  Json detail = ExecutionStatusChangeEvent(r, "id", 0)["detail"];
  EXPECT_TRUE(detail["input"].is_null());
  EXPECT_EQ(detail["inputDetails"]["included"], false);
  EXPECT_TRUE(detail["output"].is_null());
  EXPECT_EQ(detail["outputDetails"]["included"], false);
}

TEST(TriggerEventsTest, TriggerInputMembersAreAddedToTheEvent) {
  StatusOr<Json> input = EventInput(Json{{"source", "aws.s3"}, {"detail", 1}},
                                    std::string(R"({"threshold": 5, "detail": 2})"));
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(*input, (Json{{"source", "aws.s3"}, {"detail", 2}, {"threshold", 5}}));
  EXPECT_EQ(EventInput(Json::object(), std::string("[1]")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(TriggerEventsTest, ScheduleInputGetsTheSchedulerContext) {
  StatusOr<Json> input = ScheduleInput(
      std::string(R"({"at": "<aws.scheduler.scheduled-time>", "n": [1, "<aws.scheduler.schedule-arn>"]})"),
      1767268800000, "nightly", "x");
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(*input, Json::parse(R"({"at": "2026-01-01T12:00:00Z",
      "n": [1, "arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly"]})"));
  EXPECT_EQ(*ScheduleInput(std::nullopt, 0, "t", "x"), Json::object());
}

Trigger Schedule(const std::string& expression) {
  Trigger t;
  t.name = "nightly";
  t.machine = "train";
  t.schedule_expression = expression;
  return t;
}

TEST(TriggerTest, InvalidScheduleExpressionsAreRejectedWithTheParserMessage) {
  EXPECT_TRUE(ValidateTrigger(Schedule("cron(0 12 * * ? *)")).ok());
  Status bad = ValidateTrigger(Schedule("rate(5 hour)"));
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("plural"), std::string::npos) << bad.message();
  Trigger zone = Schedule("cron(0 12 * * ? *)");
  zone.time_zone = "Mars/Base";
  EXPECT_EQ(ValidateTrigger(zone).code(), StatusCode::kInvalidArgument);
}

TEST(TriggerTest, WatchAndEventTriggersAreChecked) {
  Trigger watch;
  watch.name = "incoming";
  watch.machine = "train";
  watch.kind = TriggerKind::kWatch;
  watch.watch_dir = "relative/dir";
  EXPECT_EQ(ValidateTrigger(watch).code(), StatusCode::kInvalidArgument);
  watch.watch_dir = "/data/incoming";
  EXPECT_TRUE(ValidateTrigger(watch).ok());
  watch.input = "[1]";
  EXPECT_EQ(ValidateTrigger(watch).code(), StatusCode::kInvalidArgument);

  Trigger chain;
  chain.name = "after-train";
  chain.machine = "deploy";
  chain.kind = TriggerKind::kExecutionEvent;
  chain.source_machine = "train";
  chain.statuses = {"SUCCEEDED", "FAILED"};
  EXPECT_TRUE(ValidateTrigger(chain).ok());
  chain.statuses = {"RUNNING"};
  EXPECT_EQ(ValidateTrigger(chain).code(), StatusCode::kInvalidArgument);
  chain.statuses = {};
  chain.source_machine = "arn:aws:states:us-east-1:123456789012:stateMachine:deploy";
  EXPECT_EQ(ValidateTrigger(chain).code(), StatusCode::kInvalidArgument);
}

TEST(TriggerTest, SpecRoundTripsThroughJson) {
  Trigger t;
  t.kind = TriggerKind::kWatch;
  t.watch_dir = "/d";
  t.suffix = ".csv";
  t.event_shape = EventShape::kS3;
  Trigger back;
  back.kind = TriggerKind::kWatch;
  ASSERT_TRUE(TriggerSpecFromJson(TriggerSpecJson(t), back).ok());
  EXPECT_EQ(back, t);
}

}  // namespace
}  // namespace mlflowctl::triggers
