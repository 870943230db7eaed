#include "engine/store/sqlite_notification_log.h"

#include <optional>
#include <utility>

#include <fmt/format.h>

#include "engine/base/json_util.h"
#include "engine/base/status_macros.h"

namespace mlflowctl::store {
namespace {

using mlops::DeliveryStatus;
using mlops::Notification;

constexpr char kColumns[] =
    "seq, message_id, topic_arn, subject, message, attributes, execution_arn, "
    "timestamp_ms, delivery_status, delivery_detail";

StatusOr<Notification> ReadNotification(const SqliteStatement& stmt) {
  Notification n;
  n.sequence = stmt.ColumnInt64(0);
  n.message_id = stmt.ColumnText(1);
  n.topic_arn = stmt.ColumnText(2);
  n.subject = stmt.ColumnOptionalText(3);
  n.message = stmt.ColumnText(4);
  StatusOr<Json> attributes = ParseJson(stmt.ColumnText(5));
  if (!attributes.ok()) {
    return DataLossError(fmt::format(
        "notification '{}' has unreadable attributes: {}", n.message_id,
        attributes.status().message()));
  }
  n.message_attributes = std::move(attributes).value();
  n.execution_arn = stmt.ColumnText(6);
  n.timestamp_ms = stmt.ColumnInt64(7);
  std::string status = stmt.ColumnText(8);
  std::optional<DeliveryStatus> parsed = mlops::ParseDeliveryStatus(status);
  if (!parsed.has_value()) {
    return DataLossError(fmt::format(
        "notification '{}' has unknown delivery status '{}'", n.message_id,
        status));
  }
  n.delivery_status = *parsed;
  n.delivery_detail = stmt.ColumnText(9);
  return n;
}

}  // namespace

StatusOr<Notification> SqliteNotificationLog::AppendNotification(
    const Notification& notification) {
  if (notification.message_id.empty() || notification.topic_arn.empty()) {
    return InvalidArgumentError(
        "a notification needs a message id and a topic ARN");
  }
  if (notification.message.empty()) {
    return InvalidArgumentError("a notification needs a message");
  }
  if (!notification.message_attributes.is_object()) {
    return InvalidArgumentError("message attributes must be a JSON object");
  }
  Notification stored = notification;
  if (stored.timestamp_ms == 0) stored.timestamp_ms = ToEpochMillis(clock_->Now());
  MLF_RETURN_IF_ERROR(store_->WriteShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * insert,
        db.Cached("INSERT INTO notifications (message_id, topic_arn, subject, "
                  "message, attributes, execution_arn, timestamp_ms, "
                  "delivery_status, delivery_detail) VALUES (?1, ?2, ?3, ?4, "
                  "?5, ?6, ?7, ?8, ?9) RETURNING seq"));
    ScopedReset reset(insert);
    MLF_RETURN_IF_ERROR(insert->BindText(1, stored.message_id));
    MLF_RETURN_IF_ERROR(insert->BindText(2, stored.topic_arn));
    MLF_RETURN_IF_ERROR(insert->BindOptionalText(3, stored.subject));
    MLF_RETURN_IF_ERROR(insert->BindText(4, stored.message));
    MLF_RETURN_IF_ERROR(insert->BindText(5, DumpJson(stored.message_attributes)));
    MLF_RETURN_IF_ERROR(insert->BindText(6, stored.execution_arn));
    MLF_RETURN_IF_ERROR(insert->BindInt64(7, stored.timestamp_ms));
    MLF_RETURN_IF_ERROR(insert->BindText(
        8, mlops::DeliveryStatusName(stored.delivery_status)));
    MLF_RETURN_IF_ERROR(insert->BindText(9, stored.delivery_detail));
    StatusOr<bool> row = insert->Step();
    if (row.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExistsError(fmt::format(
          "notification '{}' already exists", stored.message_id));
    }
    if (!row.ok()) return row.status();
    if (!*row) return InternalError("INSERT ... RETURNING returned no row");
    stored.sequence = insert->ColumnInt64(0);
    // Finish the statement so the insert is complete before RELEASE.
    return insert->Run();
  }));
  return stored;
}

Status SqliteNotificationLog::UpdateDelivery(const std::string& message_id,
                                             DeliveryStatus status,
                                             const std::string& detail) {
  return store_->WriteShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * update,
        db.Cached("UPDATE notifications SET delivery_status = ?2, "
                  "delivery_detail = ?3 WHERE message_id = ?1"));
    ScopedReset reset(update);
    MLF_RETURN_IF_ERROR(update->BindText(1, message_id));
    MLF_RETURN_IF_ERROR(update->BindText(2, mlops::DeliveryStatusName(status)));
    MLF_RETURN_IF_ERROR(update->BindText(3, detail));
    MLF_RETURN_IF_ERROR(update->Run());
    if (db.Changes() == 0) {
      return NotFoundError(
          fmt::format("notification '{}' does not exist", message_id));
    }
    return Status::Ok();
  });
}

StatusOr<Notification> SqliteNotificationLog::GetNotification(
    const std::string& message_id) {
  std::optional<Notification> found;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached(fmt::format(
            "SELECT {} FROM notifications WHERE message_id = ?1", kColumns)));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindText(1, message_id));
    MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return Status::Ok();
    MLF_ASSIGN_OR_RETURN(found, ReadNotification(*stmt));
    return Status::Ok();
  }));
  if (!found.has_value()) {
    return NotFoundError(
        fmt::format("notification '{}' does not exist", message_id));
  }
  return std::move(*found);
}

StatusOr<std::vector<Notification>> SqliteNotificationLog::ListNotifications(
    int limit) {
  std::vector<Notification> out;
  MLF_RETURN_IF_ERROR(store_->ReadShared([&](SqliteDb& db) -> Status {
    MLF_ASSIGN_OR_RETURN(
        SqliteStatement * stmt,
        db.Cached(fmt::format(
            "SELECT {} FROM notifications ORDER BY seq DESC LIMIT ?1",
            kColumns)));
    ScopedReset reset(stmt);
    MLF_RETURN_IF_ERROR(stmt->BindInt64(1, limit > 0 ? limit : -1));
    while (true) {
      MLF_ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      MLF_ASSIGN_OR_RETURN(Notification n, ReadNotification(*stmt));
      out.push_back(std::move(n));
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace mlflowctl::store
