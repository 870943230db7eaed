#include "engine/runtime/resource_registry.h"

namespace mlflowctl::runtime {

void ResourceRegistry::Register(const std::string& resource,
                                std::shared_ptr<TaskHandler> handler) {
  exact_[resource] = std::move(handler);
}

void ResourceRegistry::RegisterPrefix(const std::string& prefix,
                                      std::shared_ptr<TaskHandler> handler) {
  prefixes_[prefix] = std::move(handler);
}

TaskHandler* ResourceRegistry::Find(const std::string& resource) const {
  if (auto it = exact_.find(resource); it != exact_.end()) return it->second.get();
  TaskHandler* best = nullptr;
  size_t best_len = 0;
  for (const auto& [prefix, handler] : prefixes_) {
    if (resource.compare(0, prefix.size(), prefix) == 0 && prefix.size() >= best_len) {
      best = handler.get();
      best_len = prefix.size();
    }
  }
  return best;
}

std::vector<std::string> ResourceRegistry::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, h] : exact_) names.push_back(name);
  for (const auto& [name, h] : prefixes_) names.push_back(name + "*");
  return names;
}

}  // namespace mlflowctl::runtime
