// Fuzz target: a Step Functions API request. The first byte picks the
// action (modulo the list below, which ends with an unknown one), the rest
// is the request body, handed to api::StepFunctionsApi::Handle as the HTTP
// router hands it. The API runs over a real SqliteExecutionStore in a
// temporary directory and an Engine in virtual time with no Task resources,
// all kept across inputs (and replaced every kInputsPerStore inputs so the
// store stays small); a state machine "fuzz" with one execution "first"
// exists from the start so that requests naming them reach past the lookup.
//
// Checks: every request is answered, synchronous or not, once every
// execution it started has ended; the answer is 200 with a JSON object or a
// 4xx AWS error {"__type", "message"}; never a 5xx, which would mean the
// store or the engine failed on a client's input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "engine/base/clock.h"
#include "engine/base/json_util.h"
#include "engine/runtime/engine.h"
#include "engine/runtime/resource_registry.h"
#include "engine/store/sqlite_execution_store.h"
#include "server/api/step_functions_api.h"
#include "tests/fuzz/fuzz_check.h"

namespace mlflowctl::fuzz {
namespace {

constexpr std::string_view kActions[] = {
    "CreateStateMachine",  "DescribeStateMachine", "ListStateMachines",
    "UpdateStateMachine",  "DeleteStateMachine",   "ValidateStateMachineDefinition",
    "StartExecution",      "StartSyncExecution",   "StopExecution",
    "RedriveExecution",    "DescribeExecution",    "DescribeStateMachineForExecution",
    "ListExecutions",      "GetExecutionHistory",  "NoSuchAction",
};
constexpr int kInputsPerStore = 5000;

// One store, engine and API in a fresh directory.
class ApiEnv {
 public:
  explicit ApiEnv(const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    auto store = store::SqliteExecutionStore::Open((dir / "mlflowctl.db").string());
    FUZZ_CHECK(store.ok(), "cannot open the store: %s", store.status().ToString().c_str());
    store_ = std::move(*store);
    runtime::EngineOptions options;
    options.fake_clock = &clock_;
    options.worker_threads = 1;
    options.random_seed = 1;
    options.max_history_events = 500;  // every execution ends, loops too
    engine_ = std::make_unique<runtime::Engine>(io_, *store_, registry_, clock_, options);
    api::ApiOptions api_options;
    api_options.log = [](std::string_view) {};
    api_options.stop_wait = std::chrono::milliseconds(20);
    api_ = std::make_unique<api::StepFunctionsApi>(*engine_, *store_, clock_, api_options);
    Json machine = {{"name", "fuzz"},
                    {"roleArn", "arn:aws:iam::123456789012:role/fuzz"},
                    {"definition", R"({"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}})"}};
    FUZZ_CHECK(Call("CreateStateMachine", machine.dump()).http_status == 200, "setup");
    Json start = {{"stateMachineArn", "arn:aws:states:us-east-1:123456789012:stateMachine:fuzz"},
                  {"name", "first"},
                  {"input", R"({"a": 1})"}};
    FUZZ_CHECK(Call("StartExecution", start.dump()).http_status == 200, "setup");
  }

  // Handles one request and runs every execution it started to its end.
  api::ApiReply Call(std::string_view action, std::string_view body) {
    std::optional<api::ApiReply> reply;
    api_->Handle(action, body, [&reply](api::ApiReply r) {
      FUZZ_CHECK(!reply.has_value(), "answered twice");
      reply = std::move(r);
    });
    engine_->RunUntilIdle();
    // StopExecution may wait (stop_wait, a real timer) for the engine.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!reply && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_one_for(std::chrono::milliseconds(10));
      engine_->RunUntilIdle();
    }
    FUZZ_CHECK(reply.has_value(), "%.*s was never answered", static_cast<int>(action.size()),
               action.data());
    FUZZ_CHECK(engine_->running() == 0, "%zu executions still running", engine_->running());
    return *reply;
  }

 private:
  FakeClock clock_;
  runtime::asio::io_context io_;
  runtime::ResourceRegistry registry_;
  std::unique_ptr<store::SqliteExecutionStore> store_;
  std::unique_ptr<runtime::Engine> engine_;
  std::unique_ptr<api::StepFunctionsApi> api_;
};

std::filesystem::path& BaseDir() {
  static std::filesystem::path dir;
  return dir;
}

void RemoveBaseDir() {
  std::error_code ec;
  std::filesystem::remove_all(BaseDir(), ec);
}

ApiEnv& Env() {
  static ApiEnv* env = nullptr;
  static int inputs = 0;
  static int generation = 0;
  if (BaseDir().empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mlf_fuzz_api_XXXXXX").string();
    FUZZ_CHECK(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp failed");
    BaseDir() = tmpl;
    std::atexit(RemoveBaseDir);
  }
  if (env == nullptr || ++inputs % kInputsPerStore == 0) {
    delete env;
    std::error_code ec;
    std::filesystem::remove_all(BaseDir() / std::to_string(generation), ec);
    env = new ApiEnv(BaseDir() / std::to_string(++generation));
  }
  return *env;
}

void CheckReply(std::string_view action, const api::ApiReply& reply) {
  StatusOr<Json> body = ParseJson(reply.body);
  FUZZ_CHECK(body.ok() && body->is_object(), "%.*s: body is not a JSON object: %s",
             static_cast<int>(action.size()), action.data(), reply.body.c_str());
  if (reply.http_status == 200) return;
  FUZZ_CHECK(reply.http_status >= 400 && reply.http_status < 500, "%.*s: HTTP %d: %s",
             static_cast<int>(action.size()), action.data(), reply.http_status,
             reply.body.c_str());
  FUZZ_CHECK(body->contains("__type") && (*body)["__type"].is_string() &&
                 !(*body)["__type"].get<std::string>().empty() && body->contains("message"),
             "%.*s: error without __type/message: %s", static_cast<int>(action.size()),
             action.data(), reply.body.c_str());
}

}  // namespace
}  // namespace mlflowctl::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlflowctl::fuzz;
  if (size == 0) return 0;
  constexpr size_t kCount = sizeof(kActions) / sizeof(kActions[0]);
  std::string_view action = kActions[data[0] % kCount];
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  CheckReply(action, Env().Call(action, body));
  return 0;
}
