// StatusOr<T>: either a value or a non-OK Status. Same thread-safety as T.
#ifndef MLFLOWCTL_BASE_STATUS_OR_H_
#define MLFLOWCTL_BASE_STATUS_OR_H_

#include <cassert>
#include <optional>
#include <utility>

#include "engine/base/status.h"

namespace mlflowctl {

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  // A non-OK status; constructing from an OK status is a programmer error.
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok());
    if (status_.ok()) status_ = InternalError("StatusOr built from OK status");
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace mlflowctl

#endif  // MLFLOWCTL_BASE_STATUS_OR_H_
