#include "steps/command_step.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

extern char** environ;

namespace mlflowctl::steps {

namespace {

constexpr std::size_t kMaxCapture = 16 * 1024 * 1024;

Error Failed(std::string cause) {
  return Error{error_names::kTaskFailed, std::move(cause)};
}

// The last stderr line that is a JSON object with an "error" member.
std::optional<Error> ErrorFromStderr(const std::string& err) {
  std::istringstream lines(err);
  std::string line;
  std::optional<Error> found;
  while (std::getline(lines, line)) {
    auto start = line.find('{');
    if (start == std::string::npos) continue;
    StatusOr<Json> parsed = ParseJson(std::string_view(line).substr(start));
    if (!parsed.ok()) continue;
    const Json& j = *parsed;
    if (!j.is_object() || !j.contains("error") || !j["error"].is_string()) continue;
    Error e{j["error"].get<std::string>(), ""};
    if (j.contains("cause")) {
      e.cause = j["cause"].is_string() ? j["cause"].get<std::string>() : DumpJson(j["cause"]);
    }
    found = e;
  }
  return found;
}

std::string Tail(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : "..." + s.substr(s.size() - n);
}

}  // namespace

CommandStep::CommandStep() { ::signal(SIGPIPE, SIG_IGN); }

runtime::StepResult CommandStep::Invoke(const runtime::TaskRequest& request) {
  const Json& in = request.input;
  if (!in.is_object() || !in.contains("Command") || !in["Command"].is_array() ||
      in["Command"].empty()) {
    return Error{"States.Runtime",
                 "mlflowctl:command needs Parameters.Command, a non-empty array of "
                 "strings (the argv to run)"};
  }
  std::vector<std::string> argv_s;
  for (const Json& a : in["Command"]) {
    if (!a.is_string()) {
      return Error{"States.Runtime", "every element of Parameters.Command must be a string"};
    }
    argv_s.push_back(a.get<std::string>());
  }
  std::string stdin_data = DumpJson(in.contains("Payload") ? in["Payload"] : in);
  stdin_data += '\n';
  std::string workdir;
  if (in.contains("WorkingDirectory") && in["WorkingDirectory"].is_string()) {
    workdir = in["WorkingDirectory"].get<std::string>();
  }
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) env_s.emplace_back(*e);
  if (in.contains("Environment") && in["Environment"].is_object()) {
    for (auto it = in["Environment"].begin(); it != in["Environment"].end(); ++it) {
      std::string v = it.value().is_string() ? it.value().get<std::string>() : DumpJson(it.value());
      env_s.push_back(it.key() + "=" + v);
    }
  }
  env_s.push_back("MLFLOWCTL_EXECUTION_ARN=" + request.execution_arn);
  env_s.push_back("MLFLOWCTL_STATE_NAME=" + request.state_name);
  env_s.push_back("MLFLOWCTL_TASK_TOKEN=" + request.task_token);
  std::vector<char*> argv, envp;
  for (auto& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);

  int in_pipe[2], out_pipe[2], err_pipe[2], exec_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
      pipe2(err_pipe, O_CLOEXEC) != 0 || pipe2(exec_pipe, O_CLOEXEC) != 0) {
    return Failed(fmt::format("cannot create pipes: {}", std::strerror(errno)));
  }
  pid_t pid = fork();
  if (pid < 0) return Failed(fmt::format("cannot fork: {}", std::strerror(errno)));
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    setpgid(0, 0);
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (!workdir.empty() && chdir(workdir.c_str()) != 0) {
      int err = errno;
      (void)!write(exec_pipe[1], &err, sizeof err);
      _exit(127);
    }
    execvpe(argv[0], argv.data(), envp.data());
    int err = errno;
    (void)!write(exec_pipe[1], &err, sizeof err);
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(exec_pipe[1]);
  int exec_errno = 0;
  bool exec_failed = read(exec_pipe[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
  close(exec_pipe[0]);

  fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  std::string out, err;
  std::size_t written = 0;
  int in_fd = in_pipe[1], out_fd = out_pipe[0], err_fd = err_pipe[0];
  bool killed = false;
  while (out_fd >= 0 || err_fd >= 0) {
    if (request.cancelled->load() && !killed) {
      kill(-pid, SIGKILL);
      killed = true;
    }
    pollfd fds[3];
    int n = 0;
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
    if (poll(fds, static_cast<nfds_t>(n), 50) < 0 && errno != EINTR) break;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_fd) {
        ssize_t w = write(in_fd, stdin_data.data() + written, stdin_data.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if (w < 0 && errno != EAGAIN) written = stdin_data.size();
        if (written == stdin_data.size()) {
          close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      char buf[65536];
      ssize_t r = read(fds[i].fd, buf, sizeof buf);
      std::string& target = fds[i].fd == out_fd ? out : err;
      if (r > 0) {
        if (target.size() < kMaxCapture) target.append(buf, static_cast<std::size_t>(r));
      } else if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) {
        close(fds[i].fd);
        (fds[i].fd == out_fd ? out_fd : err_fd) = -1;
      }
    }
  }
  if (in_fd >= 0) close(in_fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (exec_failed) {
    return Failed(fmt::format("cannot run '{}': {}", argv_s[0], std::strerror(exec_errno)));
  }
  if (killed) return Failed(fmt::format("'{}' was killed (cancelled)", argv_s[0]));
  if (WIFSIGNALED(status)) {
    return Failed(fmt::format("'{}' was killed by signal {}: {}", argv_s[0],
                              WTERMSIG(status), Tail(err, 2000)));
  }
  int code = WEXITSTATUS(status);
  if (code != 0) {
    if (std::optional<Error> e = ErrorFromStderr(err)) return *e;
    return Failed(fmt::format("'{}' exited with status {}: {}", argv_s[0], code,
                              Tail(err, 2000)));
  }
  std::size_t first = out.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return Json();
  // ParseJson, not Json::parse: it bounds nesting and reports numbers out
  // of range instead of throwing.
  StatusOr<Json> result = ParseJson(out);
  if (!result.ok()) {
    return Failed(fmt::format("'{}' printed output that is not JSON ({}): {}", argv_s[0],
                              result.status().message(), Tail(out, 500)));
  }
  return std::move(*result);
}

}  // namespace mlflowctl::steps
