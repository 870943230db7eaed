#include "engine/base/ids.h"

#include <cstdint>
#include <random>

#include <fmt/format.h>

namespace mlflowctl {

std::string NewUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32,
                     (a >> 16) & 0xffff, a & 0xffff, b >> 48,
                     b & 0xffffffffffffULL);
}

std::string StateMachineArn(std::string_view name) {
  return fmt::format("arn:aws:states:{}:{}:stateMachine:{}", kLocalRegion,
                     kLocalAccount, name);
}

std::string ExecutionArn(std::string_view machine, std::string_view name) {
  return fmt::format("arn:aws:states:{}:{}:execution:{}:{}", kLocalRegion,
                     kLocalAccount, machine, name);
}

std::string CheckResourceName(std::string_view name) {
  if (name.empty() || name.size() > 80) {
    return "must be 1 to 80 characters long";
  }
  static constexpr std::string_view kForbidden = " <>{}[]?*\"#%\\^|~`$&,;:/";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || (c >= 0x7f && c <= 0x9f)) {
      return "must not contain control characters";
    }
    if (kForbidden.find(static_cast<char>(c)) != std::string_view::npos ||
        c == '\t' || c == '\n') {
      return fmt::format("must not contain '{}'", static_cast<char>(c));
    }
  }
  return "";
}

}  // namespace mlflowctl
