// The inputs triggers give the executions they start, in the shapes of
// mlops-formats.md: the S3 "Object Created" event as EventBridge delivers it
// and as a classic S3 notification record (§e), the Step Functions
// "Execution Status Change" event (§f), and a schedule's input with
// EventBridge Scheduler's context attributes. Pure functions; thread-safe.
#ifndef MLFLOWCTL_TRIGGERS_TRIGGER_EVENTS_H_
#define MLFLOWCTL_TRIGGERS_TRIGGER_EVENTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/json_util.h"
#include "engine/base/status_or.h"
#include "engine/history/execution_record.h"

namespace mlflowctl::triggers {

// A file that appeared in a watched folder, as an S3 object.
struct ObjectCreated {
  std::string bucket;
  std::string key;        // the path relative to the folder, with '/'
  int64_t size = 0;
  std::string etag;       // MD5 of the content, lowercase hex
  std::string sequencer;  // uppercase hex; grows with the file's mtime
  int64_t time_ms = 0;    // when the event is sent
  std::string id;         // the event's id (a UUID)
  std::string request_id; // 16 characters [0-9A-Z]
};

// {"version": "0", "id", "detail-type": "Object Created", "source": "aws.s3",
//  "account", "time" (seconds, Z), "region", "resources": [bucket ARN],
//  "detail": {"version": "0", "bucket": {"name"}, "object": {"key", "size",
//  "etag", "sequencer"}, "request-id", "requester", "source-ip-address":
//  "127.0.0.1", "reason": "PutObject"}}. The key is not URL-encoded.
Json ObjectCreatedEventBridgeEvent(const ObjectCreated& object);

// {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion",
//  "eventTime" (milliseconds, Z), "eventName": "ObjectCreated:Put",
//  "userIdentity", "requestParameters", "responseElements", "s3":
//  {"s3SchemaVersion": "1.0", "configurationId" (the trigger's name),
//  "bucket": {"name", "ownerIdentity", "arn"}, "object": {"key"
//  (URL-encoded), "size", "eTag", "sequencer"}}}]}.
Json ObjectCreatedS3Record(const ObjectCreated& object, std::string_view configuration_id);

// A key as S3 notifications give it: form-URL-encoded ('+' for a space,
// %XX for other bytes) except unreserved characters and '/'.
std::string S3UrlEncodeKey(std::string_view key);

// The Step Functions "Execution Status Change" event of `record`:
// {"version": "0", "id", "detail-type": "Step Functions Execution Status
// Change", "source": "aws.states", "account", "time" (the stop date, else
// `now_ms`; seconds, Z), "region", "resources": [execution ARN], "detail":
// {"executionArn", "stateMachineArn", "name", "status", "startDate",
// "stopDate" (epoch ms; null while RUNNING), "input" (a JSON string),
// "inputDetails": {"included": true}, "output" (a JSON string; null unless
// SUCCEEDED), "outputDetails" ({"included": true}; null unless SUCCEEDED)}}.
// When the execution has an error and cause (FAILED, TIMED_OUT, ABORTED),
// detail also has "error" and "cause". When the input and output together
// exceed 248 KiB they are left out (null, "included": false), as AWS does.
Json ExecutionStatusChangeEvent(const history::ExecutionRecord& record, std::string_view id,
                                int64_t now_ms);

// The input of an execution started for an event: the event, with the
// members of `input` (a JSON object, the trigger's --input) added at the top
// level; on a name clash the input's member wins. kInvalidArgument when
// `input` is not a JSON object.
StatusOr<Json> EventInput(Json event, const std::optional<std::string>& input);

// The input of a scheduled execution: `input` (default {}) with EventBridge
// Scheduler's context attributes replaced in every string:
// "<aws.scheduler.scheduled-time>" by the slot (seconds, Z),
// "<aws.scheduler.schedule-arn>" by the trigger's schedule ARN,
// "<aws.scheduler.execution-id>" by `execution_id` and
// "<aws.scheduler.attempt-number>" by "1". kInvalidArgument when `input` is
// not JSON.
StatusOr<Json> ScheduleInput(const std::optional<std::string>& input, int64_t slot_ms,
                             std::string_view trigger_name, std::string_view execution_id);

// arn:aws:scheduler:us-east-1:123456789012:schedule/default/NAME
std::string ScheduleArn(std::string_view trigger_name);

}  // namespace mlflowctl::triggers

#endif  // MLFLOWCTL_TRIGGERS_TRIGGER_EVENTS_H_
