// FolderWatcher: polls one folder, recursively, and reports each file once
// it has settled: its size and modification time unchanged for settle_ms,
// so a file still being written is not taken early. Dotfiles, files in
// dot-folders and names ending ".tmp" or ".part" are ignored (the usual
// names of partial downloads and atomic-rename temporaries). A folder that
// is missing is reported as such and watched again when it reappears. Time
// comes from the caller (now_ms), so tests run in virtual time. Not
// thread-safe: one owner calls Scan.
#ifndef MLFLOWCTL_TRIGGERS_FOLDER_WATCHER_H_
#define MLFLOWCTL_TRIGGERS_FOLDER_WATCHER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlflowctl::triggers {

struct WatchedFile {
  std::string relative;  // path below the folder, with '/'
  std::string path;      // full path
  int64_t size = 0;
  int64_t mtime_ns = 0;  // since the epoch

  // "<relative>|<size>|<mtime_ns>": a rewritten file has a new key.
  std::string Key() const;
};

class FolderWatcher {
 public:
  FolderWatcher(std::string dir, std::string prefix, std::string suffix, int64_t settle_ms);

  struct ScanResult {
    bool present = true;  // false: the folder does not exist (or is not a folder)
    std::string error;    // why a scan failed part-way, if it did
    // Files that settled since the last scan (each (path, size, mtime) once,
    // unless Retry asks for it again).
    std::vector<WatchedFile> settled;
  };
  // Scans the folder at `now_ms`.
  ScanResult Scan(int64_t now_ms);

  // Reports `file` again at the next scan if it is still unchanged (its
  // firing could not be recorded).
  void Retry(const WatchedFile& file);

  const std::string& dir() const { return dir_; }

 private:
  struct Observation {
    int64_t size = 0;
    int64_t mtime_ns = 0;
    int64_t stable_since_ms = 0;
    bool reported = false;
  };

  bool Wanted(const std::string& relative) const;

  std::string dir_;
  std::string prefix_;
  std::string suffix_;
  int64_t settle_ms_;
  std::map<std::string, Observation> seen_;  // by relative path
};

}  // namespace mlflowctl::triggers

#endif  // MLFLOWCTL_TRIGGERS_FOLDER_WATCHER_H_
