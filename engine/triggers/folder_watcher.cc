#include "engine/triggers/folder_watcher.h"

#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace mlflowctl::triggers {
namespace {

namespace fs = std::filesystem;

bool Ignored(const std::string& name) {
  return name.empty() || name.front() == '.' || name.ends_with(".tmp") || name.ends_with(".part");
}

}  // namespace

std::string WatchedFile::Key() const { return fmt::format("{}|{}|{}", relative, size, mtime_ns); }

FolderWatcher::FolderWatcher(std::string dir, std::string prefix, std::string suffix,
                             int64_t settle_ms)
    : dir_(std::move(dir)),
      prefix_(std::move(prefix)),
      suffix_(std::move(suffix)),
      settle_ms_(settle_ms) {}

bool FolderWatcher::Wanted(const std::string& relative) const {
  return relative.starts_with(prefix_) && relative.ends_with(suffix_);
}

FolderWatcher::ScanResult FolderWatcher::Scan(int64_t now_ms) {
  ScanResult result;
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) {
    result.present = false;
    seen_.clear();  // everything settles afresh when the folder returns
    return result;
  }
  std::set<std::string> present;
  fs::recursive_directory_iterator it(dir_, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    result.error = fmt::format("cannot list '{}': {}", dir_, ec.message());
    return result;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::directory_entry& entry = *it;
    std::string name = entry.path().filename().string();
    std::error_code type_ec;
    bool is_dir = entry.is_directory(type_ec);
    if (Ignored(name)) {
      if (is_dir) it.disable_recursion_pending();
      continue;
    }
    if (is_dir || !entry.is_regular_file(type_ec)) continue;
    std::string relative = entry.path().lexically_relative(dir_).generic_string();
    if (!Wanted(relative)) continue;
    struct stat st;
    if (::stat(entry.path().c_str(), &st) != 0) continue;  // gone meanwhile
    int64_t size = static_cast<int64_t>(st.st_size);
    int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    present.insert(relative);
    auto [obs, inserted] = seen_.try_emplace(relative);
    Observation& o = obs->second;
    if (inserted || o.size != size || o.mtime_ns != mtime_ns) {
      o = Observation{size, mtime_ns, now_ms, false};
      continue;  // (re)started settling
    }
    if (!o.reported && now_ms - o.stable_since_ms >= settle_ms_) {
      o.reported = true;
      result.settled.push_back(WatchedFile{relative, entry.path().string(), size, mtime_ns});
    }
  }
  if (ec) {
    // The folder changed under the iterator (or vanished); the next scan
    // sees the rest. Keep what was seen so nothing restarts settling.
    result.error = fmt::format("listing '{}' stopped: {}", dir_, ec.message());
    return result;
  }
  for (auto i = seen_.begin(); i != seen_.end();) {
    i = present.count(i->first) ? std::next(i) : seen_.erase(i);
  }
  return result;
}

void FolderWatcher::Retry(const WatchedFile& file) {
  auto it = seen_.find(file.relative);
  if (it != seen_.end() && it->second.size == file.size && it->second.mtime_ns == file.mtime_ns) {
    it->second.reported = false;
  }
}

}  // namespace mlflowctl::triggers
