#include "cli/format.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <iostream>

#include <fmt/format.h>

#include "cli/json_text.h"

namespace mlflowctl::cli {

double SecondsFromMillis(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

namespace {

Json ParsedOrString(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  return j.is_discarded() ? Json(text) : j;
}

}  // namespace

Json DescribeExecutionJson(const history::ExecutionRecord& r) {
  Json j{{"executionArn", r.arn},
         {"stateMachineArn", r.state_machine_arn},
         {"name", r.name},
         {"status", std::string(history::ExecutionStatusName(r.status))},
         {"startDate", SecondsFromMillis(r.start_ms)},
         {"input", r.input},
         {"inputDetails", {{"included", true}}}};
  if (r.stop_ms) j["stopDate"] = SecondsFromMillis(*r.stop_ms);
  if (r.output) {
    j["output"] = *r.output;
    j["outputDetails"] = {{"included", true}};
  }
  if (r.error) j["error"] = *r.error;
  if (r.cause) j["cause"] = *r.cause;
  return j;
}

Json ExecutionListItemJson(const history::ExecutionRecord& r) {
  Json j{{"executionArn", r.arn},
         {"stateMachineArn", r.state_machine_arn},
         {"name", r.name},
         {"status", std::string(history::ExecutionStatusName(r.status))},
         {"startDate", SecondsFromMillis(r.start_ms)}};
  if (r.stop_ms) j["stopDate"] = SecondsFromMillis(*r.stop_ms);
  return j;
}

Json RunResultJson(const history::ExecutionRecord& r) {
  Json j{{"executionArn", r.arn},
         {"name", r.name},
         {"status", std::string(history::ExecutionStatusName(r.status))},
         {"output", r.output ? ParsedOrString(*r.output) : Json()},
         {"startDate", SecondsFromMillis(r.start_ms)},
         {"stopDate", r.stop_ms ? Json(SecondsFromMillis(*r.stop_ms)) : Json()}};
  if (r.status != history::ExecutionStatus::kSucceeded) {
    j["error"] = r.error ? Json(*r.error) : Json();
    j["cause"] = r.cause ? Json(*r.cause) : Json();
  }
  return j;
}

std::string ListExecutionsJson(const history::ExecutionPage& page) {
  Json items = Json::array();
  for (const auto& r : page.executions) items.push_back(ExecutionListItemJson(r));
  Json out{{"executions", std::move(items)}};
  if (page.next_token) out["nextToken"] = *page.next_token;
  return out.dump(2) + "\n";
}

namespace {

// A JSON string as nlohmann prints it; event types are plain ASCII names,
// so the escaping serialiser is only the fallback.
void AppendJsonString(std::string_view text, std::string& out) {
  bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
    return;
  }
  out += DumpJson(Json(std::string(text)));
}

// ToApiJson's timestamp (epoch seconds as a double) printed as nlohmann
// prints a double.
void AppendSeconds(int64_t ms, std::string& out) {
  const double seconds = static_cast<double>(ms) / 1000.0;
  std::array<char, 64> buf;
  char* end = nlohmann::detail::to_chars(buf.data(), buf.data() + buf.size(), seconds);
  out.append(buf.data(), static_cast<std::size_t>(end - buf.data()));
}

}  // namespace

Status AppendHistoryEventJson(const store::StoredHistoryEvent& e, std::string& out) {
  // ToApiJson builds an object, which nlohmann prints with its keys sorted;
  // the details member goes where its key sorts among the fixed ones.
  const std::string_view key = history::DetailsKey(e.type);
  const std::string_view details = e.details.value_or(std::string_view());
  bool pending = !key.empty() && e.details.has_value() && details != "null";
  if (pending && !IsJsonText(details)) {
    return DataLossError(fmt::format("event {} has unreadable details", e.id));
  }
  auto details_before = [&](std::string_view next_key) {
    if (!pending || key >= next_key) return;
    out += '"';
    out += key;
    out += "\":";
    out += details;
    out += ',';
    pending = false;
  };
  out += '{';
  details_before("id");
  fmt::format_to(std::back_inserter(out), "\"id\":{},", e.id);
  details_before("previousEventId");
  fmt::format_to(std::back_inserter(out), "\"previousEventId\":{},", e.previous_event_id);
  details_before("timestamp");
  out += "\"timestamp\":";
  AppendSeconds(e.timestamp_ms, out);
  out += ',';
  details_before("type");
  out += "\"type\":";
  AppendJsonString(e.type, out);
  if (pending) {
    out += ",\"";
    out += key;
    out += "\":";
    out += details;
  }
  out += '}';
  return Status::Ok();
}

StatusOr<std::string> HistoryJson(store::SqliteExecutionStore& store,
                                  const std::string& execution_arn,
                                  const history::HistoryQuery& query) {
  std::string out = "{\"events\":[";
  bool first = true;
  Status scanned = store.ScanHistory(
      execution_arn, query, [&](const store::StoredHistoryEvent& e) -> Status {
        if (!first) out += ',';
        first = false;
        Status appended = AppendHistoryEventJson(e, out);
        if (!appended.ok()) {
          return appended.WithContext(fmt::format("execution '{}'", execution_arn));
        }
        return Status::Ok();
      });
  if (!scanned.ok()) return scanned;
  out += "]}\n";
  return out;
}

std::string FormatLocalTime(int64_t epoch_ms) {
  std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string FormatDuration(int64_t ms) {
  if (ms < 1000) return fmt::format("{}ms", ms);
  if (ms < 60000) return fmt::format("{:.3f}s", static_cast<double>(ms) / 1000.0);
  int64_t s = ms / 1000;
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m{:02}s", s / 3600, s / 60 % 60, s % 60);
}

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c + 1 == row.size()) {
        line += row[c];
      } else {
        line += fmt::format("{:<{}}  ", row[c], width[c]);
      }
    }
    std::cout << line << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

std::string EventSummary(const history::HistoryEvent& e) {
  const Json& d = e.details;
  if (!d.is_object()) return "";
  std::string s;
  auto add = [&](const char* key, std::size_t max) {
    if (!d.contains(key)) return;
    std::string v = d[key].is_string() ? d[key].get<std::string>() : d[key].dump();
    if (v.size() > max) v = v.substr(0, max) + "...";
    if (!s.empty()) s += " ";
    s += fmt::format("{}={}", key, v);
  };
  add("name", 80);
  add("index", 20);
  add("length", 20);
  add("resource", 60);
  add("error", 80);
  add("cause", 120);
  add("input", 80);
  add("output", 80);
  return s;
}

}  // namespace mlflowctl::cli
