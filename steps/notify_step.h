// NotifyStep: the `mlflowctl:notify` and `arn:aws:states:::sns:publish` Task
// resources. Takes SNS Publish's request:
//   {"TopicArn" (or "TargetArn"), "Message": string or JSON, "Subject"?,
//    "MessageStructure"?, "MessageAttributes"?: {name: {DataType,
//    StringValue | BinaryValue}}, "MessageGroupId"? (FIFO topics)}
// stores the message in the notification log and returns Publish's
// response: {"MessageId": uuid} plus "SequenceNumber" for a ".fifo" topic.
// When a delivery command is configured (MLFLOWCTL_NOTIFY_COMMAND, an argv
// split on spaces, run without a shell), it gets the SNS delivery envelope
// ({"Type": "Notification", MessageId, TopicArn, Subject, Message,
// Timestamp, MessageAttributes}) as JSON on stdin; its exit status becomes
// the message's delivery status. As with SNS, a failed delivery does not
// fail the publish. Errors: SNS.InvalidParameterException (sns:publish) or
// Mlflow.InvalidInput (mlflowctl:notify) for a bad request; Mlflow.StoreError
// when the log cannot be written. Thread-safe (the log is; each delivery is
// its own process).
#ifndef MLFLOWCTL_STEPS_NOTIFY_STEP_H_
#define MLFLOWCTL_STEPS_NOTIFY_STEP_H_

#include <string>
#include <vector>

#include "engine/mlops/notification_log.h"
#include "engine/runtime/task_handler.h"

namespace mlflowctl::steps {

inline constexpr char kNotifyResource[] = "mlflowctl:notify";
inline constexpr char kSnsPublishResource[] = "arn:aws:states:::sns:publish";

class NotifyStep : public runtime::TaskHandler {
 public:
  // `log` is not owned and must outlive the step. `delivery_command` is the
  // argv run for each message; empty for none.
  NotifyStep(mlops::NotificationLog* log,
             std::vector<std::string> delivery_command);
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

  // MLFLOWCTL_NOTIFY_COMMAND split on spaces; empty when unset or blank.
  static std::vector<std::string> DeliveryCommandFromEnvironment();

 private:
  mlops::NotificationLog* log_;
  const std::vector<std::string> delivery_command_;
};

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_NOTIFY_STEP_H_
