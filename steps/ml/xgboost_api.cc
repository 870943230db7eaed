#include "steps/ml/xgboost_api.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <mutex>

#ifndef MLF_XGBOOST_LIBRARY
#error "MLF_XGBOOST_LIBRARY (the library's SONAME or path) is set by CMakeLists.txt"
#endif

namespace mlflowctl::ml {
namespace {

constexpr char kOverrideVariable[] = "MLFLOWCTL_XGBOOST_LIBRARY";

std::string DlError() {
  const char* e = dlerror();
  return e != nullptr ? e : "unknown error";
}

Status Unavailable(const std::string& library, const std::string& why) {
  return FailedPreconditionError(
      fmt::format("XGBoost is not available: cannot load {}: {} (install XGBoost's shared library, "
                  "Debian package libxgboost0, or set {} to its path)",
                  library, why, kOverrideVariable));
}

}  // namespace

std::string XgboostApi::LibraryName() {
  const char* override_name = std::getenv(kOverrideVariable);
  if (override_name != nullptr && *override_name != '\0') return override_name;
  return MLF_XGBOOST_LIBRARY;
}

StatusOr<std::unique_ptr<XgboostApi>> XgboostApi::Open(const std::string& library) {
  // RTLD_LOCAL: XGBoost's symbols (and its libgomp/libdmlc) stay out of the
  // global namespace; only this table reaches them.
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return Unavailable(library, DlError());
  auto api = std::make_unique<XgboostApi>();
#define MLF_XGBOOST_API_RESOLVE(name)                                              \
  api->name = reinterpret_cast<decltype(api->name)>(dlsym(handle, #name));         \
  if (api->name == nullptr) {                                                      \
    std::string why = fmt::format("it has no function {} ({})", #name, DlError()); \
    dlclose(handle);                                                               \
    return Unavailable(library, why);                                              \
  }
  MLF_XGBOOST_API_FUNCTIONS(MLF_XGBOOST_API_RESOLVE)
#undef MLF_XGBOOST_API_RESOLVE
  return api;
}

StatusOr<const XgboostApi*> XgboostApi::Get() {
  static std::once_flag once;
  static std::unique_ptr<XgboostApi> api;
  static Status error;
  std::call_once(once, [] {
    StatusOr<std::unique_ptr<XgboostApi>> opened = Open(LibraryName());
    if (opened.ok()) {
      api = std::move(*opened);
    } else {
      error = opened.status();
    }
  });
  if (!api) return error;
  return static_cast<const XgboostApi*>(api.get());
}

}  // namespace mlflowctl::ml
