// Propagation macros for Status and StatusOr, as in abseil's status_macros.
#ifndef MLFLOWCTL_BASE_STATUS_MACROS_H_
#define MLFLOWCTL_BASE_STATUS_MACROS_H_

#include "engine/base/status.h"
#include "engine/base/status_or.h"

#define MLF_CONCAT_INNER_(a, b) a##b
#define MLF_CONCAT_(a, b) MLF_CONCAT_INNER_(a, b)

// Returns the Status of `expr` if it is not OK. The local is named after the
// line so nested uses do not shadow each other.
#define MLF_RETURN_IF_ERROR(expr) \
  MLF_RETURN_IF_ERROR_IMPL_(MLF_CONCAT_(mlf_status_, __LINE__), expr)
#define MLF_RETURN_IF_ERROR_IMPL_(tmp, expr)  \
  do {                                        \
    ::mlflowctl::Status tmp = (expr);         \
    if (!tmp.ok()) return tmp;                \
  } while (0)

// MLF_ASSIGN_OR_RETURN(auto x, Foo()); returns Foo()'s status if not OK.
#define MLF_ASSIGN_OR_RETURN(lhs, expr) \
  MLF_ASSIGN_OR_RETURN_IMPL_(MLF_CONCAT_(mlf_statusor_, __LINE__), lhs, expr)
#define MLF_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

#endif  // MLFLOWCTL_BASE_STATUS_MACROS_H_
