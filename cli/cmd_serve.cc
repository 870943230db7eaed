// mlflowctl serve: the Step Functions API (AWS JSON 1.0) and the model
// endpoints over HTTP, on the same engine and store as `run`.
//
// Threads: the main thread runs the engine's io_context (the engine, the
// API, the signal handler); N threads run the HTTP io_context (the server
// and endpoint invocations). On SIGTERM/SIGINT the server stops accepting,
// requests in flight are answered, and the engine stops without finishing
// its executions: they stay RUNNING in the store and resume on the next
// start.
#include <atomic>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/services.h"
#include "engine/base/clock.h"
#include "engine/base/ids.h"
#include "engine/runtime/engine.h"
#include "engine/store/sqlite_trigger_store.h"
#include "engine/triggers/trigger_runner.h"
#include "server/api/step_functions_api.h"
#include "server/http/http_server.h"
#include "server/router.h"

namespace mlflowctl::cli {

namespace {

namespace asio = boost::asio;

struct ServeOptions {
  std::string bind = "127.0.0.1";
  int port = 8080;
  std::string auth_token;
  int threads = 2;
  bool quiet = false;
};

bool IsLoopback(const std::string& bind) {
  return bind == "localhost" || bind == "::1" || bind.rfind("127.", 0) == 0;
}

int Serve(const ServeOptions& o) {
  if (!IsLoopback(o.bind) && o.auth_token.empty()) {
    return Fail(InvalidArgumentError(fmt::format(
        "refusing to bind {} without --auth-token: anything but loopback must check a token "
        "(clients send it as AWS_ACCESS_KEY_ID or 'Authorization: Bearer TOKEN')",
        o.bind)));
  }
  auto store = OpenStore();
  if (!store.ok()) return Fail(store.status());
  const Clock& clock = *SystemClock::Default();
  Services services(**store, clock, HomeDir());
  std::mutex log_mu;
  auto log_line = [&log_mu](std::string_view line) {
    std::lock_guard<std::mutex> lock(log_mu);
    std::cerr << "mlflowctl: " << line << std::endl;
  };

  asio::io_context engine_io;
  runtime::Engine engine(engine_io, **store, services.builtins, clock);
  // Triggers fire on the engine thread; execution-event triggers hear of
  // every execution's end through the API.
  store::SqliteTriggerStore trigger_store(store->get(), &clock);
  std::unique_ptr<triggers::TriggerRunner> trigger_runner;
  api::ApiOptions api_options;
  api_options.log = log_line;
  api_options.on_execution_end = [&trigger_runner](const history::ExecutionRecord& r) {
    if (trigger_runner) trigger_runner->OnExecutionStatus(r);
  };
  api::StepFunctionsApi api(engine, **store, clock, api_options);
  StatusOr<int> resumed = api.ResumeAll();
  if (!resumed.ok()) return Fail(resumed.status());
  if (*resumed > 0 && !o.quiet) log_line(fmt::format("resumed {} running executions", *resumed));

  triggers::TriggerRunnerOptions trigger_options;
  trigger_options.log = [&log_line](std::string_view l) {
    log_line(fmt::format("triggers: {}", l));
  };
  // A trigger starts its machine as StartExecution does (StartExecution
  // answers before Handle returns).
  auto start = [&api](const std::string& machine,
                      const std::string& input) -> StatusOr<std::string> {
    Json request{{"stateMachineArn", machine.starts_with("arn:") ? machine : StateMachineArn(machine)},
                 {"input", input}};
    StatusOr<std::string> arn = InternalError("StartExecution did not answer");
    api.Handle("StartExecution", DumpJson(request), [&arn](api::ApiReply reply) {
      StatusOr<Json> body = ParseJson(reply.body);
      if (reply.http_status == 200 && body.ok()) {
        arn = body->value("executionArn", "");
      } else {
        arn = FailedPreconditionError(body.ok() ? body->value("message", reply.body) : reply.body);
      }
    });
    return arn;
  };
  trigger_runner = std::make_unique<triggers::TriggerRunner>(engine_io, clock, trigger_store,
                                                             start, trigger_options);
  trigger_runner->Start();

  asio::io_context http_io;
  http::ServerOptions server_options;
  server_options.bind = o.bind;
  server_options.port = static_cast<uint16_t>(o.port);
  server_options.auth_token = o.auth_token;
  if (!o.quiet) {
    server_options.access_log = [&log_mu](const http::AccessLogEntry& e) {
      std::lock_guard<std::mutex> lock(log_mu);
      std::cerr << fmt::format("{} {} {} {}µs\n", e.method, e.target, e.status, e.micros);
    };
  }
  http::Server server(http_io, server_options,
                      server::MakeRouter(engine_io, api, &services.host));
  if (Status s = server.Start(); !s.ok()) return Fail(s);
  // Tests wait for this line (with --port 0 it says which port was picked).
  log_line(fmt::format("listening on {}:{}", o.bind, server.port()));

  std::vector<std::thread> http_threads;
  for (int i = 0; i < o.threads; ++i) http_threads.emplace_back([&http_io] { http_io.run(); });

  auto work = asio::make_work_guard(engine_io);
  asio::signal_set signals(engine_io, SIGINT, SIGTERM);
  std::thread joiner;
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (!o.quiet) log_line(fmt::format("signal {}: shutting down", signal));
    trigger_runner->Stop();
    server.Stop();
    api.Shutdown();
    // The HTTP threads return once every request in flight is answered;
    // some of those answers need this thread, which keeps running until
    // then.
    joiner = std::thread([&] {
      for (std::thread& t : http_threads) t.join();
      asio::post(engine_io, [&] {
        work.reset();
        engine_io.stop();  // executions stay where they are: RUNNING, resumable
      });
    });
  });
  engine_io.run();
  if (joiner.joinable()) joiner.join();

  int code = kExitOk;
  if (Status s = (*store)->Sync(); !s.ok()) code = Fail(s);
  if (Status s = services.capture.Flush(); !s.ok()) code = Fail(s);
  if (!o.quiet) log_line(fmt::format("stopped; {} executions left running", engine.running()));
  return code;
}

}  // namespace

void AddServeCommand(CLI::App& app, Runner& run) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand(
      "serve", "Serve the Step Functions API and the model endpoints over HTTP");
  cmd->add_option("--bind", o->bind, "Address to listen on (default 127.0.0.1)");
  cmd->add_option("--port", o->port, "Port (default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--auth-token", o->auth_token,
                  "Require this token on every request (needed for a non-loopback --bind)");
  cmd->add_option("--threads", o->threads, "HTTP threads (default 2)")->check(CLI::Range(1, 64));
  cmd->add_flag("--quiet,-q", o->quiet, "No access log on stderr");
  cmd->callback([&run, o] { run = [o] { return Serve(*o); }; });
}

}  // namespace mlflowctl::cli
