// StepFunctionsApi driven with JSON bodies, as the HTTP router calls it, on
// a real SQLite store in a temporary directory and a real Engine: every
// action, paging, and the errors AWS's clients expect.
#include "server/api/step_functions_api.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/ids.h"
#include "engine/runtime/engine.h"
#include "engine/store/sqlite_execution_store.h"
#include "tests/testutil/temp_dir.h"

namespace mlflowctl::api {
namespace {

const char kPassMachine[] = R"({"StartAt": "P", "States": {
    "P": {"Type": "Pass", "Result": {"ok": true}, "ResultPath": "$.r", "End": true}}})";
const char kWaitMachine[] = R"({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 3600, "End": true}}})";
const char kFailMachine[] = R"({"StartAt": "F", "States": {
    "F": {"Type": "Fail", "Error": "Boom", "Cause": "on purpose"}}})";
const char kRole[] = "arn:aws:iam::123456789012:role/test";

struct Reply {
  int status = 0;
  Json body;
  std::string type() const { return body.value("__type", ""); }
  std::string message() const { return body.value("message", ""); }
};

class StepFunctionsApiTest : public testing::Test {
 protected:
  void SetUp() override {
    auto store = store::SqliteExecutionStore::Open(dir_.File("mlflowctl.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    engine_ = std::make_unique<runtime::Engine>(io_, *store_, registry_, *SystemClock::Default());
    ApiOptions options;
    options.log = [this](std::string_view line) { log_.emplace_back(line); };
    options.stop_wait = std::chrono::milliseconds(2000);
    api_ = std::make_unique<StepFunctionsApi>(*engine_, *store_, *SystemClock::Default(), options);
  }

  // Runs the io_context until `done` holds (or 10 s pass).
  void RunUntil(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_one_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(done()) << "timed out";
  }

  // Calls one action and waits for its reply.
  Reply Raw(std::string_view action, const std::string& body) {
    std::optional<ApiReply> got;
    api_->Handle(action, body, [&got](ApiReply r) { got = std::move(r); });
    RunUntil([&] { return got.has_value(); });
    Reply out;
    if (!got) return out;
    out.status = got->http_status;
    out.body = Json::parse(got->body, nullptr, false);
    EXPECT_FALSE(out.body.is_discarded()) << got->body;
    return out;
  }
  Reply Call(std::string_view action, const Json& body) { return Raw(action, body.dump()); }

  std::string CreateMachine(const std::string& name, const std::string& definition) {
    Reply r = Call("CreateStateMachine",
                   Json{{"name", name}, {"definition", definition}, {"roleArn", kRole}});
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body.value("stateMachineArn", "");
  }

  std::string StartExecution(const std::string& machine_arn, const std::string& name = "",
                             const std::string& input = "{}") {
    Json body{{"stateMachineArn", machine_arn}, {"input", input}};
    if (!name.empty()) body["name"] = name;
    Reply r = Call("StartExecution", body);
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body.value("executionArn", "");
  }

  std::string Status(const std::string& execution_arn) {
    return Call("DescribeExecution", Json{{"executionArn", execution_arn}}).body.value("status", "");
  }

  void WaitForStatus(const std::string& execution_arn, const std::string& status) {
    RunUntil([&] { return Status(execution_arn) == status; });
  }

  testutil::TempDir dir_{"api"};
  runtime::asio::io_context io_;
  std::unique_ptr<store::SqliteExecutionStore> store_;
  runtime::ResourceRegistry registry_;
  std::unique_ptr<runtime::Engine> engine_;
  std::unique_ptr<StepFunctionsApi> api_;
  std::vector<std::string> log_;
};

// --- protocol errors -------------------------------------------------------

TEST_F(StepFunctionsApiTest, UnknownActionIsUnknownOperationException) {
  Reply r = Raw("FlyToTheMoon", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.type(), "UnknownOperationException");
}

TEST_F(StepFunctionsApiTest, MalformedBodyIsSerializationException) {
  EXPECT_EQ(Raw("DescribeExecution", "{not json").type(), "SerializationException");
  EXPECT_EQ(Raw("DescribeExecution", "[1, 2]").type(), "SerializationException");
}

TEST_F(StepFunctionsApiTest, MissingMemberIsValidationExceptionWordedAsAws) {
  Reply r = Raw("DescribeStateMachine", "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.type(), "ValidationException");
  EXPECT_EQ(r.message(),
            "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy "
            "constraint: Member must not be null");
  // An empty body counts as {}.
  EXPECT_EQ(Raw("DescribeStateMachine", "").type(), "ValidationException");
  Reply two = Call("CreateStateMachine", Json{{"name", "x"}});
  EXPECT_EQ(two.type(), "ValidationException");
  EXPECT_EQ(two.message().rfind("2 validation errors detected: ", 0), 0u) << two.message();
}

TEST_F(StepFunctionsApiTest, WrongTypeAndRangeAreValidationException) {
  std::string arn = CreateMachine("M", kPassMachine);
  Reply r = Call("ListExecutions", Json{{"stateMachineArn", arn}, {"maxResults", "ten"}});
  EXPECT_EQ(r.type(), "ValidationException");
  r = Call("ListExecutions", Json{{"stateMachineArn", arn}, {"maxResults", 1001}});
  EXPECT_EQ(r.type(), "ValidationException");
  EXPECT_NE(r.message().find("Member must have value less than or equal to 1000"),
            std::string::npos);
  r = Call("ListExecutions", Json{{"stateMachineArn", arn}, {"statusFilter", "DONE"}});
  EXPECT_EQ(r.type(), "ValidationException");
  EXPECT_NE(r.message().find("Member must satisfy enum value set"), std::string::npos);
  r = Call("DescribeExecution", Json{{"executionArn", 42}});
  EXPECT_EQ(r.type(), "ValidationException");
}

TEST_F(StepFunctionsApiTest, MalformedArnIsInvalidArn) {
  Reply r = Call("DescribeExecution", Json{{"executionArn", "not-an-arn"}});
  EXPECT_EQ(r.type(), "InvalidArn");
  EXPECT_EQ(r.message(), "Invalid Arn: 'Invalid ARN prefix: not-an-arn'");
  // A state machine ARN where an execution ARN is expected, and back.
  r = Call("DescribeExecution", Json{{"executionArn", StateMachineArn("M")}});
  EXPECT_EQ(r.type(), "InvalidArn");
  EXPECT_EQ(r.message(), "Invalid Arn: 'Resource type not valid in this context: stateMachine'");
  r = Call("DescribeStateMachine", Json{{"stateMachineArn", ExecutionArn("M", "e")}});
  EXPECT_EQ(r.type(), "InvalidArn");
}

// --- state machines --------------------------------------------------------

TEST_F(StepFunctionsApiTest, StateMachineLifecycle) {
  Reply created = Call("CreateStateMachine", Json{{"name", "Life"},
                                                  {"definition", kPassMachine},
                                                  {"roleArn", kRole}});
  ASSERT_EQ(created.status, 200) << created.body.dump();
  std::string arn = created.body["stateMachineArn"];
  EXPECT_EQ(arn, StateMachineArn("Life"));
  EXPECT_TRUE(created.body["creationDate"].is_number());

  Reply d = Call("DescribeStateMachine", Json{{"stateMachineArn", arn}});
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(d.body["name"], "Life");
  EXPECT_EQ(d.body["definition"], kPassMachine);
  EXPECT_EQ(d.body["roleArn"], kRole);
  EXPECT_EQ(d.body["type"], "STANDARD");
  EXPECT_EQ(d.body["status"], "ACTIVE");
  EXPECT_TRUE(d.body["creationDate"].is_number());

  Reply u = Call("UpdateStateMachine", Json{{"stateMachineArn", arn},
                                            {"definition", kWaitMachine},
                                            {"roleArn", "arn:aws:iam::123456789012:role/other"}});
  ASSERT_EQ(u.status, 200) << u.body.dump();
  EXPECT_TRUE(u.body["updateDate"].is_number());
  EXPECT_TRUE(u.body["revisionId"].is_string());
  d = Call("DescribeStateMachine", Json{{"stateMachineArn", arn}});
  EXPECT_EQ(d.body["definition"], kWaitMachine);
  EXPECT_EQ(d.body["roleArn"], "arn:aws:iam::123456789012:role/other");

  // Role only.
  u = Call("UpdateStateMachine", Json{{"stateMachineArn", arn}, {"roleArn", kRole}});
  ASSERT_EQ(u.status, 200) << u.body.dump();
  EXPECT_EQ(Call("DescribeStateMachine", Json{{"stateMachineArn", arn}}).body["roleArn"], kRole);
  // Nothing to update.
  EXPECT_EQ(Call("UpdateStateMachine", Json{{"stateMachineArn", arn}}).type(),
            "MissingRequiredParameter");
  EXPECT_EQ(Call("UpdateStateMachine",
                 Json{{"stateMachineArn", arn}, {"definition", R"({"StartAt": "X"})"}})
                .type(),
            "InvalidDefinition");
  EXPECT_EQ(Call("UpdateStateMachine",
                 Json{{"stateMachineArn", StateMachineArn("Nope")}, {"roleArn", kRole}})
                .type(),
            "StateMachineDoesNotExist");

  Reply del = Call("DeleteStateMachine", Json{{"stateMachineArn", arn}});
  EXPECT_EQ(del.status, 200);
  EXPECT_EQ(del.body, Json::object());
  Reply gone = Call("DescribeStateMachine", Json{{"stateMachineArn", arn}});
  EXPECT_EQ(gone.type(), "StateMachineDoesNotExist");
  EXPECT_EQ(gone.message(), "State Machine Does Not Exist: '" + arn + "'");
  // Deleting again succeeds, as on AWS.
  EXPECT_EQ(Call("DeleteStateMachine", Json{{"stateMachineArn", arn}}).status, 200);
}

TEST_F(StepFunctionsApiTest, CreateIsIdempotentForTheSameDefinition) {
  std::string arn = CreateMachine("Same", kPassMachine);
  // Same name, definition and type: the same machine (a new role is ignored).
  Reply again = Call("CreateStateMachine",
                     Json{{"name", "Same"},
                          {"definition", kPassMachine},
                          {"roleArn", "arn:aws:iam::123456789012:role/other"}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["stateMachineArn"], arn);
  EXPECT_EQ(Call("DescribeStateMachine", Json{{"stateMachineArn", arn}}).body["roleArn"], kRole);
  // A different definition is StateMachineAlreadyExists.
  Reply other = Call("CreateStateMachine",
                     Json{{"name", "Same"}, {"definition", kWaitMachine}, {"roleArn", kRole}});
  EXPECT_EQ(other.type(), "StateMachineAlreadyExists");
  EXPECT_EQ(other.message(), "State Machine Already Exists: '" + arn + "'");
}

TEST_F(StepFunctionsApiTest, CreateRejectsBadNamesDefinitionsAndRoles) {
  Reply r = Call("CreateStateMachine",
                 Json{{"name", "has space"}, {"definition", kPassMachine}, {"roleArn", kRole}});
  EXPECT_EQ(r.type(), "InvalidName");
  EXPECT_EQ(r.message(), "Invalid Name: 'has space'");
  r = Call("CreateStateMachine", Json{{"name", "Bad"},
                                      {"definition", R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Next": "Nowhere"}}})"},
                                      {"roleArn", kRole}});
  EXPECT_EQ(r.type(), "InvalidDefinition");
  EXPECT_EQ(r.message().rfind("Invalid State Machine Definition: '", 0), 0u) << r.message();
  EXPECT_NE(r.message().find(" at /States/A"), std::string::npos) << r.message();
  r = Call("CreateStateMachine",
           Json{{"name", "Bad"}, {"definition", "{not json"}, {"roleArn", kRole}});
  EXPECT_EQ(r.type(), "InvalidDefinition");
  EXPECT_NE(r.message().find("INVALID_JSON_DESCRIPTION"), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("(line 1, column 3)"), std::string::npos) << r.message();
  r = Call("CreateStateMachine",
           Json{{"name", "Bad"}, {"definition", kPassMachine}, {"roleArn", "role"}});
  EXPECT_EQ(r.type(), "InvalidArn");
  r = Call("CreateStateMachine", Json{{"name", "Bad"},
                                      {"definition", kPassMachine},
                                      {"roleArn", kRole},
                                      {"type", "FAST"}});
  EXPECT_EQ(r.type(), "ValidationException");
}

TEST_F(StepFunctionsApiTest, ListStateMachinesPages) {
  for (const char* name : {"c", "a", "b", "d", "e"}) CreateMachine(name, kPassMachine);
  std::vector<std::string> names;
  Json request{{"maxResults", 2}};
  int pages = 0;
  while (true) {
    Reply r = Call("ListStateMachines", request);
    ASSERT_EQ(r.status, 200) << r.body.dump();
    ++pages;
    for (const auto& m : r.body["stateMachines"]) {
      names.push_back(m["name"]);
      EXPECT_TRUE(m["creationDate"].is_number());
      EXPECT_EQ(m["type"], "STANDARD");
    }
    if (!r.body.contains("nextToken")) break;
    request["nextToken"] = r.body["nextToken"];
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(Call("ListStateMachines", Json::object()).body["stateMachines"].size(), 5u);
  EXPECT_EQ(Call("ListStateMachines", Json{{"nextToken", "garbage"}}).type(), "InvalidToken");
}

TEST_F(StepFunctionsApiTest, ValidateStateMachineDefinition) {
  Reply ok = Call("ValidateStateMachineDefinition", Json{{"definition", kPassMachine}});
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body["result"], "OK");
  EXPECT_EQ(ok.body["diagnostics"], Json::array());
  Reply fail = Call("ValidateStateMachineDefinition",
                    Json{{"definition", R"({"StartAt": "A", "States": {
                        "A": {"Type": "Pass", "Next": "Nowhere"}}})"}});
  ASSERT_EQ(fail.status, 200);
  EXPECT_EQ(fail.body["result"], "FAIL");
  ASSERT_FALSE(fail.body["diagnostics"].empty());
  const Json& d = fail.body["diagnostics"][0];
  EXPECT_EQ(d["severity"], "ERROR");
  EXPECT_TRUE(d["code"].is_string());
  EXPECT_TRUE(d["message"].is_string());
  EXPECT_EQ(d["location"].get<std::string>().rfind("/States", 0), 0u) << d.dump();
  EXPECT_EQ(Raw("ValidateStateMachineDefinition", "{}").type(), "ValidationException");
}

// --- executions ------------------------------------------------------------

TEST_F(StepFunctionsApiTest, StartAndDescribeAnExecution) {
  std::string machine = CreateMachine("M", kPassMachine);
  Reply started = Call("StartExecution", Json{{"stateMachineArn", machine},
                                              {"name", "first"},
                                              {"input", R"({"x": 1})"}});
  ASSERT_EQ(started.status, 200) << started.body.dump();
  std::string arn = started.body["executionArn"];
  EXPECT_EQ(arn, ExecutionArn("M", "first"));
  EXPECT_TRUE(started.body["startDate"].is_number());
  WaitForStatus(arn, "SUCCEEDED");
  Reply d = Call("DescribeExecution", Json{{"executionArn", arn}});
  EXPECT_EQ(d.body["name"], "first");
  EXPECT_EQ(d.body["stateMachineArn"], machine);
  EXPECT_EQ(Json::parse(d.body["input"].get<std::string>()), Json::parse(R"({"x": 1})"));
  EXPECT_EQ(Json::parse(d.body["output"].get<std::string>()),
            Json::parse(R"({"x": 1, "r": {"ok": true}})"));
  EXPECT_TRUE(d.body["startDate"].is_number());
  EXPECT_TRUE(d.body["stopDate"].is_number());
  EXPECT_FALSE(d.body.contains("error"));

  // Without a name: a UUID, and input defaults to {}.
  Reply anon = Call("StartExecution", Json{{"stateMachineArn", machine}});
  ASSERT_EQ(anon.status, 200);
  std::string anon_arn = anon.body["executionArn"];
  EXPECT_EQ(anon_arn.size(), ExecutionArn("M", "").size() + 36);
  WaitForStatus(anon_arn, "SUCCEEDED");

  Reply m = Call("DescribeStateMachineForExecution", Json{{"executionArn", arn}});
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.body["stateMachineArn"], machine);
  EXPECT_EQ(m.body["definition"], kPassMachine);
  EXPECT_TRUE(m.body["updateDate"].is_number());

  // After an update, the execution still reports the version it ran.
  const std::string updated =
      R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 2, "End": true}}})";
  ASSERT_EQ(Call("UpdateStateMachine",
                 Json{{"stateMachineArn", machine}, {"definition", updated}})
                .status,
            200);
  m = Call("DescribeStateMachineForExecution", Json{{"executionArn", arn}});
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.body["definition"], kPassMachine);
  EXPECT_EQ(Call("DescribeStateMachine", Json{{"stateMachineArn", machine}}).body["definition"],
            updated);
}

TEST_F(StepFunctionsApiTest, StartExecutionErrors) {
  std::string machine = CreateMachine("M", kPassMachine);
  Reply r = Call("StartExecution", Json{{"stateMachineArn", StateMachineArn("Nope")}});
  EXPECT_EQ(r.type(), "StateMachineDoesNotExist");
  r = Call("StartExecution", Json{{"stateMachineArn", machine}, {"input", "{oops"}});
  EXPECT_EQ(r.type(), "InvalidExecutionInput");
  EXPECT_EQ(r.message().rfind("Invalid State Machine Execution Input: '", 0), 0u);
  r = Call("StartExecution", Json{{"stateMachineArn", machine},
                                  {"input", "\"" + std::string(256 * 1024, 'a') + "\""}});
  EXPECT_EQ(r.type(), "InvalidExecutionInput");
  r = Call("StartExecution", Json{{"stateMachineArn", machine}, {"name", "a/b"}});
  EXPECT_EQ(r.type(), "InvalidName");
  EXPECT_EQ(Raw("StartExecution", "{}").type(), "ValidationException");
  r = Call("DescribeExecution", Json{{"executionArn", ExecutionArn("M", "never")}});
  EXPECT_EQ(r.type(), "ExecutionDoesNotExist");
  EXPECT_EQ(r.message(), "Execution Does Not Exist: '" + ExecutionArn("M", "never") + "'");
}

TEST_F(StepFunctionsApiTest, StartExecutionIsIdempotentForARunningExecution) {
  std::string machine = CreateMachine("W", kWaitMachine);
  std::string arn = StartExecution(machine, "once", R"({"a": 1})");
  // Same name and input while RUNNING: the same execution.
  Reply again = Call("StartExecution", Json{{"stateMachineArn", machine},
                                            {"name", "once"},
                                            {"input", R"({ "a" : 1 })"}});
  ASSERT_EQ(again.status, 200) << again.body.dump();
  EXPECT_EQ(again.body["executionArn"], arn);
  // Different input: ExecutionAlreadyExists.
  Reply other = Call("StartExecution", Json{{"stateMachineArn", machine},
                                            {"name", "once"},
                                            {"input", R"({"a": 2})"}});
  EXPECT_EQ(other.type(), "ExecutionAlreadyExists");
  EXPECT_EQ(other.message(), "Execution Already Exists: '" + arn + "'");
  // Once closed, even the same input is ExecutionAlreadyExists.
  ASSERT_EQ(Call("StopExecution", Json{{"executionArn", arn}}).status, 200);
  Reply closed = Call("StartExecution", Json{{"stateMachineArn", machine},
                                             {"name", "once"},
                                             {"input", R"({"a": 1})"}});
  EXPECT_EQ(closed.type(), "ExecutionAlreadyExists");
}

TEST_F(StepFunctionsApiTest, StartSyncExecutionRepliesWhenItEnds) {
  std::string machine = CreateMachine("M", kPassMachine);
  Reply r = Call("StartSyncExecution",
                 Json{{"stateMachineArn", machine}, {"name", "sync"}, {"input", R"({"v": 2})"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["status"], "SUCCEEDED");
  EXPECT_EQ(r.body["executionArn"], ExecutionArn("M", "sync"));
  EXPECT_EQ(r.body["name"], "sync");
  EXPECT_EQ(Json::parse(r.body["output"].get<std::string>()),
            Json::parse(R"({"v": 2, "r": {"ok": true}})"));
  EXPECT_TRUE(r.body["startDate"].is_number());
  EXPECT_TRUE(r.body["stopDate"].is_number());
  EXPECT_GE(r.body["billingDetails"]["billedDurationInMilliseconds"].get<int64_t>(), 100);
  EXPECT_EQ(r.body["billingDetails"]["billedMemoryUsedInMB"], 64);

  std::string failing = CreateMachine("F", kFailMachine);
  r = Call("StartSyncExecution", Json{{"stateMachineArn", failing}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "FAILED");
  EXPECT_EQ(r.body["error"], "Boom");
  EXPECT_EQ(r.body["cause"], "on purpose");
  EXPECT_FALSE(r.body.contains("output"));
  EXPECT_EQ(api_->waiting(), 0u);
}

TEST_F(StepFunctionsApiTest, ShutdownAnswersWaitingSyncExecutions) {
  std::string machine = CreateMachine("W", kWaitMachine);
  std::optional<ApiReply> got;
  api_->Handle("StartSyncExecution", Json{{"stateMachineArn", machine}, {"name", "s"}}.dump(),
               [&got](ApiReply r) { got = std::move(r); });
  io_.poll();
  EXPECT_FALSE(got.has_value());
  EXPECT_EQ(api_->waiting(), 1u);
  api_->Shutdown();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->http_status, 503);
  EXPECT_EQ(Json::parse(got->body)["__type"], "ServiceUnavailable");
  // The execution itself is left RUNNING.
  EXPECT_EQ(Status(ExecutionArn("W", "s")), "RUNNING");
  // New sync requests are refused while shutting down.
  Reply r = Call("StartSyncExecution", Json{{"stateMachineArn", machine}});
  EXPECT_EQ(r.type(), "ServiceUnavailable");
}

TEST_F(StepFunctionsApiTest, StopExecutionAbortsAWaitingExecution) {
  std::string machine = CreateMachine("W", kWaitMachine);
  std::string arn = StartExecution(machine, "waiting");
  io_.poll();
  EXPECT_EQ(Status(arn), "RUNNING");
  Reply stop = Call("StopExecution",
                    Json{{"executionArn", arn}, {"error", "Stopped.ByTest"}, {"cause", "enough"}});
  ASSERT_EQ(stop.status, 200) << stop.body.dump();
  EXPECT_TRUE(stop.body["stopDate"].is_number());
  // Answered once the end is recorded.
  Reply d = Call("DescribeExecution", Json{{"executionArn", arn}});
  EXPECT_EQ(d.body["status"], "ABORTED");
  EXPECT_EQ(d.body["error"], "Stopped.ByTest");
  EXPECT_EQ(d.body["cause"], "enough");
  Reply h = Call("GetExecutionHistory", Json{{"executionArn", arn}, {"reverseOrder", true}});
  EXPECT_EQ(h.body["events"][0]["type"], "ExecutionAborted");
  EXPECT_EQ(h.body["events"][0]["executionAbortedEventDetails"]["error"], "Stopped.ByTest");
  // Stopping a closed execution changes nothing.
  Reply again = Call("StopExecution", Json{{"executionArn", arn}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body["stopDate"], d.body["stopDate"]);
  EXPECT_EQ(Call("StopExecution", Json{{"executionArn", ExecutionArn("W", "none")}}).type(),
            "ExecutionDoesNotExist");
  EXPECT_EQ(Call("StopExecution",
                 Json{{"executionArn", arn}, {"error", std::string(300, 'e')}})
                .type(),
            "ValidationException");
}

TEST_F(StepFunctionsApiTest, RedriveExecution) {
  std::string machine = CreateMachine("F", kFailMachine);
  std::string arn = StartExecution(machine, "failed");
  WaitForStatus(arn, "FAILED");
  Reply r = Call("RedriveExecution", Json{{"executionArn", arn}});
  // The execution runs (and fails) again.
  ASSERT_EQ(r.status, 200) << r.body.dump();
  EXPECT_TRUE(r.body["redriveDate"].is_number());
  WaitForStatus(arn, "FAILED");
  Reply d = Call("DescribeExecution", Json{{"executionArn", arn}});
  EXPECT_EQ(d.body["redriveCount"], 1);
  EXPECT_TRUE(d.body["redriveDate"].is_number());
  EXPECT_EQ(d.body["redriveStatus"], "REDRIVABLE");
  std::string ok_machine = CreateMachine("P", kPassMachine);
  std::string ok = StartExecution(ok_machine, "ok");
  WaitForStatus(ok, "SUCCEEDED");
  r = Call("RedriveExecution", Json{{"executionArn", ok}});
  EXPECT_EQ(r.type(), "ExecutionNotRedrivable");
  EXPECT_EQ(Call("RedriveExecution", Json{{"executionArn", ExecutionArn("P", "x")}}).type(),
            "ExecutionDoesNotExist");
}

TEST_F(StepFunctionsApiTest, ListExecutionsFiltersAndPages) {
  std::string pass = CreateMachine("P", kPassMachine);
  std::string wait = CreateMachine("W", kWaitMachine);
  std::vector<std::string> done;
  for (int i = 0; i < 5; ++i) done.push_back(StartExecution(pass, "p" + std::to_string(i)));
  std::string waiting = StartExecution(wait, "w");
  for (const auto& arn : done) WaitForStatus(arn, "SUCCEEDED");

  Reply all = Call("ListExecutions", Json{{"stateMachineArn", pass}});
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.body["executions"].size(), 5u);
  const Json& item = all.body["executions"][0];
  EXPECT_EQ(item["status"], "SUCCEEDED");
  EXPECT_EQ(item["stateMachineArn"], pass);
  EXPECT_TRUE(item["startDate"].is_number());
  EXPECT_TRUE(item["stopDate"].is_number());

  std::vector<std::string> seen;
  Json request{{"stateMachineArn", pass}, {"maxResults", 2}};
  while (true) {
    Reply r = Call("ListExecutions", request);
    ASSERT_EQ(r.status, 200) << r.body.dump();
    EXPECT_LE(r.body["executions"].size(), 2u);
    for (const auto& e : r.body["executions"]) seen.push_back(e["executionArn"]);
    if (!r.body.contains("nextToken")) break;
    request["nextToken"] = r.body["nextToken"];
  }
  EXPECT_EQ(seen.size(), 5u);

  Reply running = Call("ListExecutions", Json{{"stateMachineArn", wait}, {"statusFilter", "RUNNING"}});
  ASSERT_EQ(running.body["executions"].size(), 1u);
  EXPECT_EQ(running.body["executions"][0]["executionArn"], waiting);
  EXPECT_EQ(Call("ListExecutions", Json{{"stateMachineArn", pass}, {"statusFilter", "FAILED"}})
                .body["executions"]
                .size(),
            0u);
  EXPECT_EQ(Call("ListExecutions", Json{{"stateMachineArn", StateMachineArn("Nope")}}).type(),
            "StateMachineDoesNotExist");
  EXPECT_EQ(Call("ListExecutions", Json{{"stateMachineArn", pass}, {"nextToken", "bogus"}}).type(),
            "InvalidToken");
  EXPECT_EQ(Raw("ListExecutions", "{}").type(), "ValidationException");
}

TEST_F(StepFunctionsApiTest, GetExecutionHistoryPagesBothWays) {
  std::string machine = CreateMachine("M", R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "C"},
      "C": {"Type": "Pass", "End": true}}})");
  std::string arn = StartExecution(machine, "h", R"({"secret": 1})");
  WaitForStatus(arn, "SUCCEEDED");

  Reply whole = Call("GetExecutionHistory", Json{{"executionArn", arn}});
  ASSERT_EQ(whole.status, 200);
  const Json& events = whole.body["events"];
  ASSERT_EQ(events.size(), 8u);  // started, 3 x (entered, exited), succeeded
  EXPECT_FALSE(whole.body.contains("nextToken"));
  EXPECT_EQ(events[0]["type"], "ExecutionStarted");
  EXPECT_EQ(events[0]["id"], 1);
  EXPECT_EQ(events[0]["previousEventId"], 0);
  EXPECT_TRUE(events[0]["timestamp"].is_number());
  EXPECT_TRUE(events[0]["executionStartedEventDetails"].contains("input"));
  EXPECT_EQ(events[7]["type"], "ExecutionSucceeded");

  for (bool reverse : {false, true}) {
    std::vector<int64_t> ids;
    Json request{{"executionArn", arn}, {"maxResults", 3}, {"reverseOrder", reverse}};
    int pages = 0;
    while (true) {
      Reply r = Call("GetExecutionHistory", request);
      ASSERT_EQ(r.status, 200) << r.body.dump();
      ++pages;
      for (const auto& e : r.body["events"]) ids.push_back(e["id"]);
      if (!r.body.contains("nextToken")) break;
      request["nextToken"] = r.body["nextToken"];
    }
    EXPECT_EQ(pages, 3);
    std::vector<int64_t> expected = {1, 2, 3, 4, 5, 6, 7, 8};
    if (reverse) std::reverse(expected.begin(), expected.end());
    EXPECT_EQ(ids, expected);
  }

  Reply bare = Call("GetExecutionHistory", Json{{"executionArn", arn}, {"includeExecutionData", false}});
  ASSERT_EQ(bare.status, 200);
  EXPECT_FALSE(bare.body["events"][0]["executionStartedEventDetails"].contains("input"));
  EXPECT_TRUE(bare.body["events"][0]["executionStartedEventDetails"].contains("roleArn"));
  EXPECT_FALSE(bare.body["events"][7]["executionSucceededEventDetails"].contains("output"));

  Reply first = Call("GetExecutionHistory", Json{{"executionArn", arn}, {"maxResults", 2}});
  // A forward token does not page a reverse listing.
  EXPECT_EQ(Call("GetExecutionHistory", Json{{"executionArn", arn},
                                             {"reverseOrder", true},
                                             {"nextToken", first.body["nextToken"]}})
                .type(),
            "InvalidToken");
  EXPECT_EQ(Call("GetExecutionHistory", Json{{"executionArn", arn}, {"nextToken", "x"}}).type(),
            "InvalidToken");
  EXPECT_EQ(Call("GetExecutionHistory", Json{{"executionArn", ExecutionArn("M", "no")}}).type(),
            "ExecutionDoesNotExist");
}

// --- resume ----------------------------------------------------------------

TEST_F(StepFunctionsApiTest, ResumeAllHandlesExecutionsLeftRunning) {
  std::string machine = CreateMachine("W", kWaitMachine);
  // An execution a previous process left RUNNING: in the store, not here.
  history::ExecutionRecord left;
  left.arn = ExecutionArn("W", "left");
  left.name = "left";
  left.state_machine_arn = machine;
  left.state_machine_name = "W";
  left.input = "{}";
  left.start_ms = ToEpochMillis(SystemClock::Default()->Now());
  ASSERT_TRUE(store_->CreateExecution(left).ok());
  history::HistoryEvent started;
  started.id = 1;
  started.timestamp_ms = left.start_ms;
  started.type = "ExecutionStarted";
  started.details = Json{{"input", "{}"}, {"inputDetails", {{"truncated", false}}}};
  ASSERT_TRUE(store_->AppendEvents(left.arn, {started}).ok());
  ASSERT_TRUE(store_->Sync().ok());

  StatusOr<int> resumed = api_->ResumeAll();
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(*resumed, 1);
  EXPECT_TRUE(engine_->IsRunning(left.arn));
  EXPECT_TRUE(log_.empty());
  // Running again here, so it stops through the engine.
  Reply stop = Call("StopExecution", Json{{"executionArn", left.arn}, {"error", "E"}});
  ASSERT_EQ(stop.status, 200) << stop.body.dump();
  EXPECT_EQ(Status(left.arn), "ABORTED");
  Reply h = Call("GetExecutionHistory", Json{{"executionArn", left.arn}, {"reverseOrder", true}});
  EXPECT_EQ(h.body["events"][0]["type"], "ExecutionAborted");
}

}  // namespace
}  // namespace mlflowctl::api
