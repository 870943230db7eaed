// Propagation macros for Status and StatusOr, as in abseil's status_macros.
#ifndef MLFLOWCTL_BASE_STATUS_MACROS_H_
#define MLFLOWCTL_BASE_STATUS_MACROS_H_

#include "engine/base/status.h"
#include "engine/base/status_or.h"

#define MLF_RETURN_IF_ERROR(expr)            \
  do {                                       \
    ::mlflowctl::Status mlf_status_ = (expr); \
    if (!mlf_status_.ok()) return mlf_status_; \
  } while (0)

#define MLF_CONCAT_INNER_(a, b) a##b
#define MLF_CONCAT_(a, b) MLF_CONCAT_INNER_(a, b)

// MLF_ASSIGN_OR_RETURN(auto x, Foo()); returns Foo()'s status if not OK.
#define MLF_ASSIGN_OR_RETURN(lhs, expr) \
  MLF_ASSIGN_OR_RETURN_IMPL_(MLF_CONCAT_(mlf_statusor_, __LINE__), lhs, expr)
#define MLF_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#endif  // MLFLOWCTL_BASE_STATUS_MACROS_H_
