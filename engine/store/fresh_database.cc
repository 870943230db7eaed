#include "engine/store/fresh_database.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

#include <fmt/format.h>

#include "engine/base/status_macros.h"
#include "engine/store/migrations.h"
#include "engine/store/sqlite_db.h"

namespace mlflowctl::store {
namespace {

Status ErrnoError(const std::string& what, const std::string& path) {
  return UnavailableError(fmt::format("{} '{}': {}", what, path, std::strerror(errno)));
}

// fdatasync of a closed file, so its contents are on disk before the rename
// publishes it.
Status SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open", path);
  int rc = ::fdatasync(fd);
  Status status = rc == 0 ? Status::Ok() : ErrnoError("sync", path);
  ::close(fd);
  return status;
}

// Renames `from` to `to` unless `to` exists. True when renamed, false when
// `to` already existed.
StatusOr<bool> RenameNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
    return true;
  }
  if (errno == EEXIST) return false;
  if (errno != EINVAL && errno != ENOSYS) return ErrnoError("rename to", to);
  // A file system without RENAME_NOREPLACE: link() fails if `to` exists.
  if (::link(from.c_str(), to.c_str()) != 0) {
    if (errno == EEXIST) return false;
    return ErrnoError("link to", to);
  }
  return true;
}

Status Build(const std::string& tmp) {
  SqliteOpenOptions options;
  options.create_parent_directories = true;
  MLF_ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, SqliteDb::Open(tmp, options));
  // No other connection can see this file until it is complete: no
  // rollback journal and no syncs while it is built.
  MLF_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF"));
  MLF_RETURN_IF_ERROR(ApplyMigrations(*db));
  MLF_ASSIGN_OR_RETURN(std::string mode, db->QueryText("PRAGMA journal_mode = WAL"));
  if (mode != "wal") {
    return FailedPreconditionError(
        fmt::format("database '{}' cannot use WAL mode (journal_mode is '{}')", tmp, mode));
  }
  db.reset();
  return SyncFile(tmp);
}

// Removes what processes that died while building `path` left beside it:
// "<path>.new-<pid>" and its "-wal", "-shm" and "-journal" files, for pids no
// longer running. A pid that runs (its builder, or an unrelated process
// that reuses the number) keeps its files.
void RemoveAbandonedBuilds(const std::string& path) {
  const std::filesystem::path target(path);
  const std::string prefix = target.filename().string() + ".new-";
  std::error_code ec;
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::size_t end = prefix.size();
    pid_t pid = 0;
    while (end < name.size() && name[end] >= '0' && name[end] <= '9' && pid < 100000000) {
      pid = pid * 10 + (name[end++] - '0');
    }
    const std::string rest = name.substr(end);
    if (end == prefix.size() || pid <= 0 ||
        !(rest.empty() || rest == "-wal" || rest == "-shm" || rest == "-journal")) {
      continue;
    }
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::filesystem::remove(entry.path(), ec);
  }
}

}  // namespace

Status CreateFreshDatabase(const std::string& path) {
  if (path.empty() || path == ":memory:") return Status::Ok();
  std::error_code ec;
  // (A missing file sets `ec` too: only its type tells.)
  std::filesystem::file_status st = std::filesystem::symlink_status(path, ec);
  if (st.type() != std::filesystem::file_type::not_found) return Status::Ok();
  RemoveAbandonedBuilds(path);
  const std::string tmp = fmt::format("{}.new-{}", path, ::getpid());
  Status status = Build(tmp);
  bool renamed = false;
  if (status.ok()) {
    StatusOr<bool> moved = RenameNoReplace(tmp, path);
    if (moved.ok()) {
      renamed = *moved;
    } else {
      status = moved.status();
    }
  }
  // Whatever is left: the built file when `path` appeared meanwhile (or the
  // link fallback was used), or a partial one after an error.
  if (!renamed || std::filesystem::exists(tmp, ec)) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(tmp + suffix, ec);
    }
  }
  return status;
}

}  // namespace mlflowctl::store
