// CreateFreshDatabase: makes a new store file without the cost of SQLite's
// first transaction. Creating a database the ordinary way switches a new
// file to WAL mode through a rollback journal (three fdatasyncs, a
// directory sync, a journal created and deleted) and then parses and runs
// every migration under the write lock. Here the file is built beside its
// final name with no journal and no syncs (no other process can see it),
// synced once, and renamed into place only if nothing is there yet, so a
// crash at any moment leaves either no store or a complete one.
#ifndef MLFLOWCTL_STORE_FRESH_DATABASE_H_
#define MLFLOWCTL_STORE_FRESH_DATABASE_H_

#include <string>

#include "engine/base/status.h"

namespace mlflowctl::store {

// If nothing exists at `path`, creates it as a database in WAL mode with
// every migration applied (creating its parent directories). OK when `path`
// already exists, also when another process created it meanwhile; nothing
// is done for ":memory:". On error nothing is left behind, and opening
// `path` the ordinary way reports the cause. A process killed while building
// leaves "<path>.new-<pid>": the next creation removes it once that pid no
// longer runs.
Status CreateFreshDatabase(const std::string& path);

}  // namespace mlflowctl::store

#endif  // MLFLOWCTL_STORE_FRESH_DATABASE_H_
