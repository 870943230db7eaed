#include "engine/triggers/trigger_events.h"

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/ids.h"
#include "engine/triggers/trigger.h"

namespace mlflowctl::triggers {
namespace {

// Step Functions leaves input and output out of the event beyond this.
constexpr std::size_t kMaxEventPayload = 248 * 1024;

std::string BucketArn(std::string_view bucket) { return fmt::format("arn:aws:s3:::{}", bucket); }

std::string IsoMillis(int64_t ms) { return FormatIso8601(FromEpochMillis(ms)); }

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

void ReplaceInStrings(Json& value, std::string_view from, std::string_view to) {
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    ReplaceAll(text, from, to);
    value = text;
  } else if (value.is_object() || value.is_array()) {
    for (Json& child : value) ReplaceInStrings(child, from, to);
  }
}

}  // namespace

Json ObjectCreatedEventBridgeEvent(const ObjectCreated& o) {
  return Json{
      {"version", "0"},
      {"id", o.id},
      {"detail-type", "Object Created"},
      {"source", "aws.s3"},
      {"account", kLocalAccount},
      {"time", FormatIsoSeconds(o.time_ms)},
      {"region", kLocalRegion},
      {"resources", Json::array({BucketArn(o.bucket)})},
      {"detail",
       {{"version", "0"},
        {"bucket", {{"name", o.bucket}}},
        {"object",
         {{"key", o.key}, {"size", o.size}, {"etag", o.etag}, {"sequencer", o.sequencer}}},
        {"request-id", o.request_id},
        {"requester", kLocalAccount},
        {"source-ip-address", "127.0.0.1"},
        {"reason", "PutObject"}}}};
}

Json ObjectCreatedS3Record(const ObjectCreated& o, std::string_view configuration_id) {
  Json record{
      {"eventVersion", "2.1"},
      {"eventSource", "aws:s3"},
      {"awsRegion", kLocalRegion},
      {"eventTime", IsoMillis(o.time_ms)},
      {"eventName", "ObjectCreated:Put"},
      {"userIdentity", {{"principalId", kLocalAccount}}},
      {"requestParameters", {{"sourceIPAddress", "127.0.0.1"}}},
      {"responseElements", {{"x-amz-request-id", o.request_id}, {"x-amz-id-2", o.id}}},
      {"s3",
       {{"s3SchemaVersion", "1.0"},
        {"configurationId", configuration_id},
        {"bucket",
         {{"name", o.bucket},
          {"ownerIdentity", {{"principalId", kLocalAccount}}},
          {"arn", BucketArn(o.bucket)}}},
        {"object",
         {{"key", S3UrlEncodeKey(o.key)},
          {"size", o.size},
          {"eTag", o.etag},
          {"sequencer", o.sequencer}}}}}};
  return Json{{"Records", Json::array({record})}};
}

std::string S3UrlEncodeKey(std::string_view key) {
  std::string out;
  for (char ch : key) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~' || c == '/') {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

Json ExecutionStatusChangeEvent(const history::ExecutionRecord& r, std::string_view id,
                                int64_t now_ms) {
  bool succeeded = r.status == history::ExecutionStatus::kSucceeded;
  std::size_t payload = r.input.size() + (r.output ? r.output->size() : 0);
  bool included = payload <= kMaxEventPayload;
  Json detail{{"executionArn", r.arn},
              {"stateMachineArn", r.state_machine_arn},
              {"name", r.name},
              {"status", ExecutionStatusName(r.status)},
              {"startDate", r.start_ms},
              {"stopDate", r.stop_ms ? Json(*r.stop_ms) : Json(nullptr)},
              {"input", included ? Json(r.input) : Json(nullptr)},
              {"inputDetails", {{"included", included}}},
              {"output", nullptr},
              {"outputDetails", nullptr}};
  if (succeeded) {
    detail["output"] = included && r.output ? Json(*r.output) : Json(nullptr);
    detail["outputDetails"] = Json{{"included", included}};
  }
  if (r.error) detail["error"] = *r.error;
  if (r.cause) detail["cause"] = *r.cause;
  return Json{{"version", "0"},
              {"id", id},
              {"detail-type", "Step Functions Execution Status Change"},
              {"source", "aws.states"},
              {"account", kLocalAccount},
              {"time", FormatIsoSeconds(r.stop_ms ? *r.stop_ms : now_ms)},
              {"region", kLocalRegion},
              {"resources", Json::array({r.arn})},
              {"detail", detail}};
}

StatusOr<Json> EventInput(Json event, const std::optional<std::string>& input) {
  if (!input.has_value()) return event;
  StatusOr<Json> extra = ParseJson(*input, "trigger input");
  if (!extra.ok()) return extra.status();
  if (!extra->is_object()) return InvalidArgumentError("trigger input must be a JSON object");
  for (auto& [key, value] : extra->items()) event[key] = value;
  return event;
}

StatusOr<Json> ScheduleInput(const std::optional<std::string>& input, int64_t slot_ms,
                             std::string_view trigger_name, std::string_view execution_id) {
  Json value = Json::object();
  if (input.has_value()) {
    StatusOr<Json> parsed = ParseJson(*input, "trigger input");
    if (!parsed.ok()) return parsed.status();
    value = *std::move(parsed);
  }
  ReplaceInStrings(value, "<aws.scheduler.scheduled-time>", FormatIsoSeconds(slot_ms));
  ReplaceInStrings(value, "<aws.scheduler.schedule-arn>", ScheduleArn(trigger_name));
  ReplaceInStrings(value, "<aws.scheduler.execution-id>", execution_id);
  ReplaceInStrings(value, "<aws.scheduler.attempt-number>", "1");
  return value;
}

std::string ScheduleArn(std::string_view trigger_name) {
  return fmt::format("arn:aws:scheduler:{}:{}:schedule/default/{}", kLocalRegion, kLocalAccount,
                     trigger_name);
}

}  // namespace mlflowctl::triggers
