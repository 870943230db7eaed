// A SqliteExecutionStore in a fresh temporary directory, reopenable, with
// the model registry, parameter store and notification log on it and a
// FakeClock. Test-only; not thread-safe.
#ifndef MLFLOWCTL_TESTS_UNIT_MLOPS_TEMP_STORE_H_
#define MLFLOWCTL_TESTS_UNIT_MLOPS_TEMP_STORE_H_

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/base/clock.h"
#include "engine/store/sqlite_execution_store.h"
#include "engine/store/sqlite_model_registry.h"
#include "engine/store/sqlite_notification_log.h"
#include "engine/store/sqlite_parameter_store.h"

namespace mlflowctl::testing_mlops {

class TempStore {
 public:
  TempStore() {
    const char* base = getenv("TMPDIR");
    std::string pattern =
        fmt::format("{}/mlflowctl-mlops-XXXXXX", base != nullptr ? base : "/tmp");
    char* made = mkdtemp(pattern.data());
    if (made != nullptr) dir_ = made;
    Reopen();
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;
  ~TempStore() {
    Close();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  // Closes the database and opens it again (everything committed survives).
  void Reopen() {
    Close();
    auto opened = store::SqliteExecutionStore::Open(dir_ + "/mlflowctl.db");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
    models_ = std::make_unique<store::SqliteModelRegistry>(store_.get(), &clock_);
    parameters_ = std::make_unique<store::SqliteParameterStore>(store_.get(), &clock_);
    notifications_ = std::make_unique<store::SqliteNotificationLog>(store_.get(), &clock_);
  }

  store::SqliteExecutionStore& store() { return *store_; }
  store::SqliteModelRegistry& models() { return *models_; }
  store::SqliteParameterStore& parameters() { return *parameters_; }
  store::SqliteNotificationLog& notifications() { return *notifications_; }
  FakeClock& clock() { return clock_; }
  const std::string& dir() const { return dir_; }
  std::string db_path() const { return dir_ + "/mlflowctl.db"; }

 private:
  void Close() {
    models_.reset();
    parameters_.reset();
    notifications_.reset();
    store_.reset();
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<store::SqliteExecutionStore> store_;
  std::unique_ptr<store::SqliteModelRegistry> models_;
  std::unique_ptr<store::SqliteParameterStore> parameters_;
  std::unique_ptr<store::SqliteNotificationLog> notifications_;
};

}  // namespace mlflowctl::testing_mlops

#endif  // MLFLOWCTL_TESTS_UNIT_MLOPS_TEMP_STORE_H_
