#include "engine/mlops/notification_log.h"

namespace mlflowctl::mlops {

std::string_view DeliveryStatusName(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::kNotConfigured: return "NOT_CONFIGURED";
    case DeliveryStatus::kPending: return "PENDING";
    case DeliveryStatus::kDelivered: return "DELIVERED";
    case DeliveryStatus::kFailed: return "FAILED";
  }
  return "NOT_CONFIGURED";
}

std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view name) {
  for (DeliveryStatus s :
       {DeliveryStatus::kNotConfigured, DeliveryStatus::kPending,
        DeliveryStatus::kDelivered, DeliveryStatus::kFailed}) {
    if (DeliveryStatusName(s) == name) return s;
  }
  return std::nullopt;
}

}  // namespace mlflowctl::mlops
