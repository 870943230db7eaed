// NotificationLog: the messages that workflows published (SNS Publish's
// shape: TopicArn, Subject, Message, MessageAttributes, MessageId) with when
// they were published and whether delivery to a configured sink worked.
// Plain records plus an abstract interface; implementations must be
// thread-safe and make every successful write durable before returning.
#ifndef MLFLOWCTL_MLOPS_NOTIFICATION_LOG_H_
#define MLFLOWCTL_MLOPS_NOTIFICATION_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/base/status.h"
#include "engine/base/status_or.h"

namespace mlflowctl::mlops {

enum class DeliveryStatus {
  kNotConfigured,  // stored only: no sink is configured
  kPending,        // stored; delivery has started
  kDelivered,
  kFailed,
};

// "NOT_CONFIGURED", "PENDING", "DELIVERED", "FAILED".
std::string_view DeliveryStatusName(DeliveryStatus status);
std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name);

struct Notification {
  std::string message_id;                   // a UUID
  std::string topic_arn;
  std::optional<std::string> subject;
  std::string message;                      // the text as published
  Json message_attributes = Json::object(); // {name: {DataType, StringValue}}
  std::string execution_arn;                // who published; empty for none
  int64_t timestamp_ms = 0;                 // set by the log when 0
  int64_t sequence = 0;                     // set by the log: 1, 2, ...
  DeliveryStatus delivery_status = DeliveryStatus::kNotConfigured;
  std::string delivery_detail;              // e.g. "exit status 3: ..."
};

class NotificationLog {
 public:
  virtual ~NotificationLog() = default;

  // Stores a message and returns it as stored (timestamp and sequence set).
  // Errors: kInvalidArgument for an empty message id, topic or message;
  // kAlreadyExists if the message id is taken; a store error.
  virtual StatusOr<Notification> AppendNotification(
      const Notification& notification) = 0;
  // Records the outcome of delivering a message; kNotFound for an unknown
  // message id.
  virtual Status UpdateDelivery(const std::string& message_id,
                                DeliveryStatus status,
                                const std::string& detail) = 0;
  // kNotFound for an unknown message id.
  virtual StatusOr<Notification> GetNotification(
      const std::string& message_id) = 0;
  // The newest `limit` messages (all when limit <= 0), newest first.
  virtual StatusOr<std::vector<Notification>> ListNotifications(int limit) = 0;
};

}  // namespace mlflowctl::mlops

#endif  // MLFLOWCTL_MLOPS_NOTIFICATION_LOG_H_
