#include "cli/progress.h"

#include <cstdio>

#include <fmt/format.h>

namespace mlflowctl::cli {

namespace {
bool EndsWith(const std::string& s, const char* suffix) {
  std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}
}  // namespace

Progress::Progress(bool enabled, bool tty)
    : enabled_(enabled),
      tty_(tty),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double Progress::Elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Redraw(const std::string& current) {
  auto now = std::chrono::steady_clock::now();
  if (line_drawn_ && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_draw_ = now;
  std::fprintf(stderr, "\r\033[K  %7.2fs  %lld states done  \u25b6 %s", Elapsed(),
               static_cast<long long>(exited_), current.c_str());
  std::fflush(stderr);
  line_drawn_ = true;
}

void Progress::OnEvent(const history::HistoryEvent& e) {
  if (!enabled_) return;
  const std::string name =
      e.details.is_object() && e.details.contains("name") && e.details["name"].is_string()
          ? e.details["name"].get<std::string>()
          : "";
  std::string line;
  if (EndsWith(e.type, "StateEntered")) {
    ++entered_;
    entered_at_ms_[name] = static_cast<int64_t>(Elapsed() * 1000);
    if (tty_) {
      Redraw(fmt::format("{} ({})", name, e.type.substr(0, e.type.size() - 12)));
      return;
    }
    line = fmt::format("{:8.3f}s  entered  {}", Elapsed(), name);
  } else if (EndsWith(e.type, "StateExited")) {
    ++exited_;
    int64_t took = static_cast<int64_t>(Elapsed() * 1000) - entered_at_ms_[name];
    if (tty_) {
      Redraw(name);
      return;
    }
    line = fmt::format("{:8.3f}s  exited   {} ({} ms)", Elapsed(), name, took);
  } else if (e.type == "TaskFailed" || e.type == "TaskTimedOut" ||
             e.type == "ExecutionFailed" || e.type == "MapIterationFailed") {
    std::string err = e.details.value("error", "");
    std::string cause = e.details.value("cause", "");
    if (cause.size() > 200) cause = cause.substr(0, 200) + "...";
    line = fmt::format("{:8.3f}s  {}  {} {}", Elapsed(), e.type, err, cause);
  } else {
    return;
  }
  if (tty_ && line_drawn_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "%s\n", line.c_str());
  line_drawn_ = false;
}

void Progress::Finish() {
  if (enabled_ && tty_ && line_drawn_) std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace mlflowctl::cli
