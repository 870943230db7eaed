#include "steps/notify_step.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "engine/base/clock.h"
#include "engine/base/ids.h"

extern char** environ;

namespace mlflowctl::steps {
namespace {

using runtime::StepResult;
using runtime::TaskRequest;

constexpr std::size_t kMaxMessageBytes = 256 * 1024;  // SNS's limit
constexpr std::size_t kMaxDetail = 1000;
constexpr auto kDeliveryTimeout = std::chrono::seconds(60);

// A temporary file, unlinked at once; the descriptor keeps it alive.
int AnonymousFile() {
  const char* dir = std::getenv("TMPDIR");
  std::string pattern =
      fmt::format("{}/mlflowctl-notify-XXXXXX", dir != nullptr && *dir ? dir : "/tmp");
  int fd = mkstemp(pattern.data());
  if (fd >= 0) unlink(pattern.c_str());
  return fd;
}

std::string ReadAll(int fd) {
  std::string out;
  lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n = 0;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

std::string DetailTail(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s.size() <= kMaxDetail ? s : "..." + s.substr(s.size() - kMaxDetail);
}

struct Delivery {
  bool ok = false;
  std::string detail;
};

// Runs `argv` with `input` on stdin and its stdout and stderr captured in a
// file (so a chatty command can never block on a full pipe); kills it when
// the task is cancelled or it runs past kDeliveryTimeout.
Delivery Deliver(const std::vector<std::string>& argv_s, const std::string& input,
                 const std::atomic<bool>* cancelled) {
  int in_fd = AnonymousFile();
  int out_fd = AnonymousFile();
  if (in_fd < 0 || out_fd < 0) {
    if (in_fd >= 0) close(in_fd);
    if (out_fd >= 0) close(out_fd);
    return {false, fmt::format("cannot create a temporary file: {}", std::strerror(errno))};
  }
  if (write(in_fd, input.data(), input.size()) != static_cast<ssize_t>(input.size())) {
    close(in_fd);
    close(out_fd);
    return {false, "cannot write the message to a temporary file"};
  }
  lseek(in_fd, 0, SEEK_SET);
  std::vector<std::string> copy = argv_s;
  std::vector<char*> argv;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(in_fd);
  if (rc != 0) {
    close(out_fd);
    return {false, fmt::format("cannot run '{}': {}", argv_s[0], std::strerror(rc))};
  }
  const auto deadline = std::chrono::steady_clock::now() + kDeliveryTimeout;
  int status = 0;
  bool killed = false;
  std::string why_killed;
  while (true) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (!killed && (cancelled->load() || std::chrono::steady_clock::now() > deadline)) {
      why_killed = cancelled->load() ? "the task was cancelled" : "it ran for over 60 s";
      kill(-pid, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string output = DetailTail(ReadAll(out_fd));
  close(out_fd);
  std::string suffix = output.empty() ? "" : ": " + output;
  if (killed) return {false, fmt::format("'{}' was killed: {}", argv_s[0], why_killed)};
  if (WIFSIGNALED(status)) {
    return {false, fmt::format("'{}' was killed by signal {}{}", argv_s[0], WTERMSIG(status),
                               suffix)};
  }
  int code = WEXITSTATUS(status);
  // The output matters only when delivery failed.
  return {code == 0, fmt::format("'{}' exited with status {}{}", argv_s[0], code,
                                 code == 0 ? "" : suffix)};
}

// SNS's Subject rule: printable ASCII, no line breaks, under 100 characters.
std::string CheckSubject(const std::string& s) {
  if (s.empty() || s.size() >= 100) return "Subject must have 1 to 99 characters";
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) {
      return "Subject must be printable ASCII without line breaks";
    }
  }
  return "";
}

std::string CheckAttributes(const Json& attributes) {
  if (!attributes.is_object()) return "MessageAttributes must be an object";
  for (auto it = attributes.begin(); it != attributes.end(); ++it) {
    const Json& a = it.value();
    if (!a.is_object() || !a.contains("DataType") || !a["DataType"].is_string()) {
      return fmt::format("MessageAttributes.{} needs a DataType", it.key());
    }
    const std::string type = a["DataType"].get<std::string>();
    std::string base = type.substr(0, type.find('.'));
    if (base != "String" && base != "Number" && base != "Binary") {
      return fmt::format("MessageAttributes.{}: DataType '{}' is not String, Number, "
                         "Binary or String.Array",
                         it.key(), type);
    }
    const char* value_key = base == "Binary" ? "BinaryValue" : "StringValue";
    if (!a.contains(value_key) || !a[value_key].is_string()) {
      return fmt::format("MessageAttributes.{} needs a {}", it.key(), value_key);
    }
  }
  return "";
}

// The envelope SNS delivers to HTTP and email-json endpoints (without the
// signature fields, which need AWS's keys).
Json Envelope(const mlops::Notification& n) {
  Json attributes = Json::object();
  for (auto it = n.message_attributes.begin(); it != n.message_attributes.end(); ++it) {
    const Json& a = it.value();
    std::string type = a["DataType"].get<std::string>();
    const char* value_key = type.rfind("Binary", 0) == 0 ? "BinaryValue" : "StringValue";
    attributes[it.key()] = Json{{"Type", type}, {"Value", a[value_key]}};
  }
  Json envelope{{"Type", "Notification"},
                {"MessageId", n.message_id},
                {"TopicArn", n.topic_arn},
                {"Message", n.message},
                {"Timestamp", FormatIso8601(FromEpochMillis(n.timestamp_ms))},
                {"MessageAttributes", attributes}};
  if (n.subject) envelope["Subject"] = *n.subject;
  return envelope;
}

}  // namespace

NotifyStep::NotifyStep(mlops::NotificationLog* log, std::vector<std::string> delivery_command)
    : log_(log), delivery_command_(std::move(delivery_command)) {
  // A delivery command that exits without reading stdin must not kill us.
  ::signal(SIGPIPE, SIG_IGN);
}

std::vector<std::string> NotifyStep::DeliveryCommandFromEnvironment() {
  std::vector<std::string> argv;
  const char* value = std::getenv("MLFLOWCTL_NOTIFY_COMMAND");
  if (value == nullptr) return argv;
  std::istringstream words(value);
  std::string word;
  while (words >> word) argv.push_back(word);
  return argv;
}

StepResult NotifyStep::Invoke(const TaskRequest& request) {
  const bool sns = request.resource == kSnsPublishResource;
  auto invalid = [&](std::string cause) {
    return sns ? Error{"SNS.InvalidParameterException", std::move(cause)}
               : Error{"Mlflow.InvalidInput", fmt::format("{}: {}", kNotifyResource, cause)};
  };
  const Json& in = request.input;
  if (!in.is_object()) return invalid("the input must be an object");
  mlops::Notification n;
  for (const char* key : {"TopicArn", "TargetArn"}) {
    if (n.topic_arn.empty() && in.contains(key) && in[key].is_string()) {
      n.topic_arn = in[key].get<std::string>();
    }
  }
  if (n.topic_arn.empty()) return invalid("TopicArn (or TargetArn) is required");
  if (!in.contains("Message") || in["Message"].is_null()) return invalid("Message is required");
  n.message = in["Message"].is_string() ? in["Message"].get<std::string>()
                                        : DumpJson(in["Message"]);
  if (n.message.empty()) return invalid("Message must not be empty");
  if (n.message.size() > kMaxMessageBytes) {
    return invalid(fmt::format("Message has {} bytes; at most {} are allowed",
                               n.message.size(), kMaxMessageBytes));
  }
  if (in.contains("MessageStructure")) {
    // MessageStructure "json": Message is {"default": ..., "<protocol>": ...}.
    Json parsed = Json::parse(n.message, nullptr, false);
    if (in["MessageStructure"] != "json" || !parsed.is_object() ||
        !parsed.contains("default")) {
      return invalid("with MessageStructure \"json\", Message must be a JSON object with a "
                     "\"default\" member");
    }
  }
  if (in.contains("Subject")) {
    if (!in["Subject"].is_string()) return invalid("Subject must be a string");
    n.subject = in["Subject"].get<std::string>();
    if (std::string why = CheckSubject(*n.subject); !why.empty()) return invalid(why);
  }
  if (in.contains("MessageAttributes")) {
    if (std::string why = CheckAttributes(in["MessageAttributes"]); !why.empty()) {
      return invalid(why);
    }
    n.message_attributes = in["MessageAttributes"];
  }
  const bool fifo = n.topic_arn.size() > 5 &&
                    n.topic_arn.compare(n.topic_arn.size() - 5, 5, ".fifo") == 0;
  if (fifo && !(in.contains("MessageGroupId") && in["MessageGroupId"].is_string())) {
    return invalid("a FIFO topic needs MessageGroupId");
  }
  n.message_id = NewUuid();
  n.execution_arn = request.execution_arn;
  n.delivery_status = delivery_command_.empty() ? mlops::DeliveryStatus::kNotConfigured
                                                : mlops::DeliveryStatus::kPending;
  StatusOr<mlops::Notification> stored = log_->AppendNotification(n);
  if (!stored.ok()) {
    return Error{"Mlflow.StoreError", fmt::format("{}: {}", request.resource,
                                                  stored.status().message())};
  }
  Json out{{"MessageId", stored->message_id}};
  if (fifo) out["SequenceNumber"] = fmt::format("{:020}", stored->sequence);
  if (delivery_command_.empty()) return out;

  Delivery delivery = Deliver(delivery_command_, DumpJson(Envelope(*stored)) + "\n",
                              request.cancelled);
  Status updated = log_->UpdateDelivery(
      stored->message_id,
      delivery.ok ? mlops::DeliveryStatus::kDelivered : mlops::DeliveryStatus::kFailed,
      delivery.detail);
  if (!updated.ok()) {
    return Error{"Mlflow.StoreError", fmt::format("{}: {}", request.resource,
                                                  updated.message())};
  }
  return out;
}

}  // namespace mlflowctl::steps
