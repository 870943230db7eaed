// TempDir: a fresh directory under the system temp directory for one test,
// removed with everything in it when the object goes out of scope. Not
// thread-safe per object; distinct objects are independent.
#ifndef MLFLOWCTL_TESTS_TESTUTIL_TEMP_DIR_H_
#define MLFLOWCTL_TESTS_TESTUTIL_TEMP_DIR_H_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace mlflowctl::testutil {

class TempDir {
 public:
  // `tag` names the directory ("mlf_<tag>_<pid>_<n>") so leftovers are traceable.
  explicit TempDir(const std::string& tag = "test") {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("mlf_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  std::string path() const { return path_.string(); }
  std::string File(const std::string& name) const { return (path_ / name).string(); }
  // Writes `text` to File(name), creating parent directories.
  void Write(const std::string& name, const std::string& text) const {
    std::filesystem::path p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace mlflowctl::testutil

#endif  // MLFLOWCTL_TESTS_TESTUTIL_TEMP_DIR_H_
