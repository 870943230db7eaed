// mlflowctl notifications list: the messages workflows published (newest
// first) and whether delivery worked. --json prints each message in SNS's
// delivery envelope shape, with the local fields (execution, delivery)
// added.
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/format.h"
#include "engine/base/clock.h"
#include "engine/store/sqlite_notification_log.h"

namespace mlflowctl::cli {

namespace {

std::string OneLine(const std::string& text, std::size_t max) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  return out.size() <= max ? out : out.substr(0, max - 3) + "...";
}

int PrintNotifications(int limit, bool json) {
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  store::SqliteNotificationLog log(store->get(), SystemClock::Default());
  auto list = log.ListNotifications(limit);
  if (!list.ok()) return Fail(list.status());
  if (json) {
    Json items = Json::array();
    for (const auto& n : *list) {
      Json j{{"Type", "Notification"},
             {"MessageId", n.message_id},
             {"TopicArn", n.topic_arn},
             {"Message", n.message},
             {"Timestamp", FormatIso8601(FromEpochMillis(n.timestamp_ms))},
             {"MessageAttributes", n.message_attributes},
             {"ExecutionArn", n.execution_arn},
             {"DeliveryStatus", mlops::DeliveryStatusName(n.delivery_status)},
             {"DeliveryDetail", n.delivery_detail}};
      if (n.subject) j["Subject"] = *n.subject;
      items.push_back(std::move(j));
    }
    std::cout << Json{{"Notifications", items}}.dump(2) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : *list) {
    std::string topic = n.topic_arn.substr(n.topic_arn.rfind(':') + 1);
    rows.push_back({FormatLocalTime(n.timestamp_ms), topic, n.subject.value_or(""),
                    std::string(mlops::DeliveryStatusName(n.delivery_status)),
                    OneLine(n.message, 60)});
  }
  PrintTable({"TIME", "TOPIC", "SUBJECT", "DELIVERY", "MESSAGE"}, rows);
  return kExitOk;
}

}  // namespace

void AddNotificationsCommand(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("notifications", "Inspect published notifications");
  cmd->require_subcommand(1);
  auto limit = std::make_shared<int>(20);
  auto json = std::make_shared<bool>(false);
  auto* list = cmd->add_subcommand("list", "List notifications, newest first");
  list->add_option("--limit", *limit, "At most this many (default 20)")
      ->check(CLI::Range(1, 10000));
  list->add_flag("--json", *json, "SNS delivery envelopes plus delivery status");
  list->callback([&run, limit, json] { run = [=] { return PrintNotifications(*limit, *json); }; });
}

}  // namespace mlflowctl::cli
