// SqliteNotificationLog: the NotificationLog in the notifications table of
// schema 0002, on the connection of a SqliteExecutionStore (one connection
// per process). Thread-safe: every call runs under the store's mutex; every
// write commits before it returns.
#ifndef MLFLOWCTL_STORE_SQLITE_NOTIFICATION_LOG_H_
#define MLFLOWCTL_STORE_SQLITE_NOTIFICATION_LOG_H_

#include <string>
#include <vector>

#include "engine/base/clock.h"
#include "engine/mlops/notification_log.h"
#include "engine/store/sqlite_execution_store.h"

namespace mlflowctl::store {

class SqliteNotificationLog : public mlops::NotificationLog {
 public:
  // `store` and `clock` are not owned and must outlive this object.
  SqliteNotificationLog(SqliteExecutionStore* store, const Clock* clock)
      : store_(store), clock_(clock) {}

  // NotificationLog. Besides the documented codes, any method may return
  // what SqliteStatus maps SQLite's errors to, and kDataLoss for a row that
  // cannot be read.
  StatusOr<mlops::Notification> AppendNotification(
      const mlops::Notification& notification) override;
  Status UpdateDelivery(const std::string& message_id,
                        mlops::DeliveryStatus status,
                        const std::string& detail) override;
  StatusOr<mlops::Notification> GetNotification(
      const std::string& message_id) override;
  StatusOr<std::vector<mlops::Notification>> ListNotifications(
      int limit) override;

 private:
  SqliteExecutionStore* store_;
  const Clock* clock_;
};

}  // namespace mlflowctl::store

#endif  // MLFLOWCTL_STORE_SQLITE_NOTIFICATION_LOG_H_
