// XgboostApi: the functions of XGBoost's C API that mlflowctl uses, resolved
// from libxgboost with dlopen on first use, so a process that never trains,
// loads or predicts with an XGBoost model never loads libxgboost (nor the
// libgomp and libdmlc it needs). The library's name (its SONAME) is found
// by CMake at configure time; MLFLOWCTL_XGBOOST_LIBRARY overrides it.
// Thread-safe: Get() loads once; the table is immutable afterwards.
#ifndef MLFLOWCTL_STEPS_ML_XGBOOST_API_H_
#define MLFLOWCTL_STEPS_ML_XGBOOST_API_H_

#include <xgboost/c_api.h>

#include <memory>
#include <string>

#include "engine/base/status_or.h"

namespace mlflowctl::ml {

// X(name): every C API function in the table, one member per function with
// the function's own type (declared by xgboost/c_api.h, never linked).
#define MLF_XGBOOST_API_FUNCTIONS(X) \
  X(XGBGetLastError)                 \
  X(XGDMatrixCreateFromMat_omp)      \
  X(XGDMatrixSetFloatInfo)           \
  X(XGDMatrixFree)                   \
  X(XGProxyDMatrixCreate)            \
  X(XGBoosterCreate)                 \
  X(XGBoosterFree)                   \
  X(XGBoosterSetParam)               \
  X(XGBoosterUpdateOneIter)          \
  X(XGBoosterEvalOneIter)            \
  X(XGBoosterSlice)                  \
  X(XGBoosterSetAttr)                \
  X(XGBoosterGetNumFeature)          \
  X(XGBoosterLoadModel)              \
  X(XGBoosterSaveModel)              \
  X(XGBoosterSaveModelToBuffer)      \
  X(XGBoosterPredictFromDense)       \
  X(XGBoosterPredictFromDMatrix)

struct XgboostApi {
#define MLF_XGBOOST_API_MEMBER(name) decltype(&::name) name = nullptr;
  MLF_XGBOOST_API_FUNCTIONS(MLF_XGBOOST_API_MEMBER)
#undef MLF_XGBOOST_API_MEMBER

  // The process's table, loaded on the first call from
  // $MLFLOWCTL_XGBOOST_LIBRARY when set, else from the library found at
  // configure time. A failure is remembered: every later call returns the
  // same kFailedPrecondition ("XGBoost is not available: cannot load ...").
  static StatusOr<const XgboostApi*> Get();

  // Opens `library` (a file name searched as dlopen does, or a path) and
  // resolves every function. Never unloaded. kFailedPrecondition naming the
  // library and dlerror()'s reason when it cannot be opened or lacks a
  // function (the message names it).
  static StatusOr<std::unique_ptr<XgboostApi>> Open(const std::string& library);

  // The library Get() opens: the override or the configured name.
  static std::string LibraryName();
};

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_XGBOOST_API_H_
