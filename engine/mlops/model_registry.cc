#include "engine/mlops/model_registry.h"

#include <fmt/format.h>

#include "engine/base/ids.h"

namespace mlflowctl::mlops {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

}  // namespace

std::string ModelPackageGroupArn(std::string_view group) {
  return fmt::format("arn:aws:sagemaker:{}:{}:model-package-group/{}",
                     kLocalRegion, kLocalAccount, group);
}

std::string ModelPackageArn(std::string_view group, int64_t version) {
  return fmt::format("arn:aws:sagemaker:{}:{}:model-package/{}/{}",
                     kLocalRegion, kLocalAccount, group, version);
}

std::string CheckModelGroupName(std::string_view name) {
  // ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$: alphanumerics, hyphens only between
  // them, at most 63 characters.
  if (name.empty()) return "a model group name must not be empty";
  if (name.size() > 63) return "a model group name has at most 63 characters";
  if (!IsAlnum(name.front()) || !IsAlnum(name.back())) {
    return "a model group name starts and ends with a letter or digit";
  }
  for (char c : name) {
    if (!IsAlnum(c) && c != '-') {
      return fmt::format("'{}' is not allowed in a model group name (only "
                         "letters, digits and hyphens)",
                         c);
    }
  }
  return "";
}

std::string CheckAliasName(std::string_view name) {
  if (name.empty()) return "an alias must not be empty";
  if (name.size() > 63) return "an alias has at most 63 characters";
  char first = name.front();
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) {
    return "an alias starts with a letter";
  }
  for (char c : name) {
    if (!IsAlnum(c) && c != '-' && c != '_') {
      return fmt::format("'{}' is not allowed in an alias (only letters, "
                         "digits, '-' and '_')",
                         c);
    }
  }
  return "";
}

}  // namespace mlflowctl::mlops
