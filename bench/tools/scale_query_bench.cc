// The in-process cost of the history queries `mlflowctl executions` makes,
// with the same JSON rendering as its --json output (cli/format.h), on an
// existing store. Prints one JSON object per figure on stdout:
//   {"figure", "reps", "rows", "bytes", "median_us", "p90_us", "p99_us", "min_us", "max_us",
//    "cpu_median_us"}   (wall times, and the median of the thread's CPU time)
//
//   scale_query_bench DB EXECUTION_NAME [REPS [FIGURE,...]]
//
// Figures: history (the named execution's whole history as
// `executions history NAME --json` prints it: FindExecutionByName + the
// stored-text rendering), history_scan (the lookup and range scan alone,
// no rendering), history_parsed (the same events through
// GetHistory and HistoryEvent::ToApiJson().dump(), the rendering before
// the stored text was copied), list_newest_100 (`executions list --limit
// 100 --json`), list_status_100 (with --status SUCCEEDED), and
// open_and_history (a fresh connection per repetition: open, schema check,
// then the history).
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/format.h"
#include "engine/store/sqlite_execution_store.h"

namespace {

using mlflowctl::Status;
using mlflowctl::StatusOr;
using mlflowctl::store::SqliteExecutionStore;
namespace history = mlflowctl::history;

[[noreturn]] void Die(const Status& s) {
  std::fprintf(stderr, "scale_query_bench: %s\n", s.ToString().c_str());
  std::exit(1);
}

// Runs `once` `reps` times after `warmup` unmeasured runs; `once` returns
// the rows and bytes it produced.
// CPU time of this thread: unlike wall time, it leaves out the time other
// processes on a busy machine had the core.
double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

std::string only;  // the figures to measure, comma-separated; empty = all

void Measure(const std::string& figure, int reps, int warmup,
             const std::function<std::pair<std::size_t, std::size_t>()>& once) {
  if (!only.empty() && ("," + only + ",").find("," + figure + ",") == std::string::npos) return;
  std::vector<double> us;
  std::vector<double> cpu_us;
  us.reserve(static_cast<std::size_t>(reps));
  cpu_us.reserve(static_cast<std::size_t>(reps));
  std::pair<std::size_t, std::size_t> size;
  for (int i = 0; i < warmup + reps; ++i) {
    const double c0 = ThreadCpuMicros();
    auto t0 = std::chrono::steady_clock::now();
    size = once();
    auto t1 = std::chrono::steady_clock::now();
    const double c1 = ThreadCpuMicros();
    if (i >= warmup) {
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      cpu_us.push_back(c1 - c0);
    }
  }
  std::sort(us.begin(), us.end());
  std::sort(cpu_us.begin(), cpu_us.end());
  auto at = [&](double q) {
    return us[std::min(us.size() - 1,
                       static_cast<std::size_t>(q * static_cast<double>(us.size())))];
  };
  std::printf(
      "{\"figure\":\"%s\",\"reps\":%d,\"rows\":%zu,\"bytes\":%zu,\"median_us\":%.1f,"
      "\"p90_us\":%.1f,\"p99_us\":%.1f,\"min_us\":%.1f,\"max_us\":%.1f,"
      "\"cpu_median_us\":%.1f}\n",
      figure.c_str(), reps, size.first, size.second, at(0.5), at(0.9), at(0.99), us.front(),
      us.back(), cpu_us[cpu_us.size() / 2]);
  std::fflush(stdout);
}

std::unique_ptr<SqliteExecutionStore> OpenOrDie(const std::string& path) {
  auto store = SqliteExecutionStore::Open(path);
  if (!store.ok()) Die(store.status());
  return std::move(store).value();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: scale_query_bench DB EXECUTION_NAME [REPS [FIGURE,...]]\n");
    return 2;
  }
  const std::string path = argv[1];
  const std::string name = argv[2];
  const int reps = argc > 3 ? std::atoi(argv[3]) : 1000;
  if (argc > 4) only = argv[4];
  std::unique_ptr<SqliteExecutionStore> store = OpenOrDie(path);

  std::string sink;  // keeps the rendering from being optimised away
  auto history_once = [&](SqliteExecutionStore& s) -> std::size_t {
    StatusOr<history::ExecutionRecord> r = s.FindExecutionByName(name);
    if (!r.ok()) Die(r.status());
    StatusOr<std::string> out = mlflowctl::cli::HistoryJson(s, r->arn, history::HistoryQuery());
    if (!out.ok()) Die(out.status());
    sink = std::move(*out);
    return sink.size();
  };
  // The event count, once, for the report.
  std::size_t events = 0;
  {
    StatusOr<history::ExecutionRecord> r = store->FindExecutionByName(name);
    if (!r.ok()) Die(r.status());
    auto all = store->GetHistory(r->arn, history::HistoryQuery());
    if (!all.ok()) Die(all.status());
    events = all->size();
    // The two renderings agree byte for byte.
    std::string parsed = "{\"events\":[";
    for (std::size_t i = 0; i < all->size(); ++i) {
      if (i) parsed += ",";
      parsed += (*all)[i].ToApiJson().dump();
    }
    parsed += "]}\n";
    auto text = mlflowctl::cli::HistoryJson(*store, r->arn, history::HistoryQuery());
    if (!text.ok()) Die(text.status());
    if (*text != parsed) {
      std::fprintf(stderr, "scale_query_bench: the stored-text rendering differs\n");
      return 1;
    }
  }

  Measure("history", reps, reps / 10 + 1,
          [&] { return std::make_pair(events, history_once(*store)); });
  Measure("history_scan", reps, reps / 10 + 1, [&] {
    // The store's part alone: the lookup and the range scan, no rendering.
    StatusOr<history::ExecutionRecord> r = store->FindExecutionByName(name);
    if (!r.ok()) Die(r.status());
    std::size_t rows = 0, bytes = 0;
    Status s = store->ScanHistory(r->arn, history::HistoryQuery(),
                                  [&](const mlflowctl::store::StoredHistoryEvent& e) {
                                    ++rows;
                                    bytes += e.type.size() + e.details.value_or("").size();
                                    return Status::Ok();
                                  });
    if (!s.ok()) Die(s);
    return std::make_pair(rows, bytes);
  });
  Measure("history_parsed", reps, reps / 10 + 1, [&] {
    StatusOr<history::ExecutionRecord> r = store->FindExecutionByName(name);
    if (!r.ok()) Die(r.status());
    auto all = store->GetHistory(r->arn, history::HistoryQuery());
    if (!all.ok()) Die(all.status());
    sink = "{\"events\":[";
    for (std::size_t i = 0; i < all->size(); ++i) {
      if (i) sink += ",";
      sink += (*all)[i].ToApiJson().dump();
    }
    sink += "]}\n";
    return std::make_pair(all->size(), sink.size());
  });
  auto list_once = [&](std::optional<history::ExecutionStatus> status) {
    history::ExecutionFilter filter;
    filter.limit = 100;
    filter.status = status;
    StatusOr<history::ExecutionPage> page = store->ListExecutions(filter);
    if (!page.ok()) Die(page.status());
    sink = mlflowctl::cli::ListExecutionsJson(*page);
    return std::make_pair(page->executions.size(), sink.size());
  };
  Measure("list_newest_100", reps, reps / 10 + 1, [&] { return list_once(std::nullopt); });
  Measure("list_status_100", reps, reps / 10 + 1,
          [&] { return list_once(history::ExecutionStatus::kSucceeded); });
  store.reset();
  const int fresh = std::max(10, reps / 20);
  Measure("open_and_history", fresh, 1, [&] {
    std::unique_ptr<SqliteExecutionStore> s = OpenOrDie(path);
    return std::make_pair(events, history_once(*s));
  });
  return 0;
}
