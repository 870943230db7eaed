// CancelToken: cooperative cancellation of an execution, a Parallel branch
// or a Map iteration. Cancelling a token cancels its children and wakes the
// sleeps and task waits registered with it. Only used from the engine's
// io_context thread (not thread-safe).
#ifndef MLFLOWCTL_RUNTIME_CANCEL_TOKEN_H_
#define MLFLOWCTL_RUNTIME_CANCEL_TOKEN_H_

#include <algorithm>
#include <functional>
#include <vector>

namespace mlflowctl::runtime {

class CancelToken {
 public:
  CancelToken() = default;
  explicit CancelToken(CancelToken* parent) : parent_(parent) {
    if (parent_) {
      parent_->children_.push_back(this);
      cancelled_ = parent_->cancelled_;
    }
  }
  ~CancelToken() {
    if (parent_) {
      auto& c = parent_->children_;
      c.erase(std::remove(c.begin(), c.end(), this), c.end());
    }
  }
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  bool cancelled() const { return cancelled_; }

  void Cancel() {
    if (cancelled_) return;
    cancelled_ = true;
    // Callbacks may unregister themselves; iterate over copies.
    auto callbacks = callbacks_;
    for (auto& [id, cb] : callbacks) cb();
    auto children = children_;
    for (CancelToken* child : children) child->Cancel();
  }

  // Registers `cb` to run on Cancel(); returns an id for Unregister.
  int Register(std::function<void()> cb) {
    int id = next_id_++;
    callbacks_.emplace_back(id, std::move(cb));
    return id;
  }
  void Unregister(int id) {
    callbacks_.erase(std::remove_if(callbacks_.begin(), callbacks_.end(),
                                    [id](const auto& p) { return p.first == id; }),
                     callbacks_.end());
  }

 private:
  CancelToken* parent_ = nullptr;
  bool cancelled_ = false;
  std::vector<CancelToken*> children_;
  std::vector<std::pair<int, std::function<void()>>> callbacks_;
  int next_id_ = 0;
};

}  // namespace mlflowctl::runtime

#endif  // MLFLOWCTL_RUNTIME_CANCEL_TOKEN_H_
