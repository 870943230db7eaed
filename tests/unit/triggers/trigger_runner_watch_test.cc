// TriggerRunner with watched folders: real files in a temporary folder,
// settling measured on a FakeClock (Poll is called directly), and one test
// through Start() on a running io_context with the system clock.
#include "engine/triggers/trigger_runner.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "engine/triggers/md5.h"
#include "tests/unit/triggers/trigger_test_env.h"

namespace mlflowctl::triggers {
namespace {

using testing::TriggerTestEnv;
namespace fs = std::filesystem;

class TriggerRunnerWatchTest : public ::testing::Test {
 protected:
  TriggerRunnerWatchTest() : folder_(env_.dir().File("incoming")) {
    fs::create_directories(folder_);
  }

  Trigger AddWatch(EventShape shape = EventShape::kEventBridge, std::string suffix = "") {
    Trigger t;
    t.name = "incoming";
    t.machine = "train";
    t.kind = TriggerKind::kWatch;
    t.watch_dir = folder_;
    t.event_shape = shape;
    t.suffix = std::move(suffix);
    return env_.Add(t);
  }

  void Write(const std::string& name, const std::string& text, bool append = false) {
    fs::path p = fs::path(folder_) / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, append ? std::ios::binary | std::ios::app : std::ios::binary) << text;
  }

  // Polls at now + ms.
  void PollAfter(TriggerRunner& runner, int64_t ms) {
    env_.clock().AdvanceMillis(ms);
    runner.Poll();
  }

  std::vector<std::string> Keys() {
    std::vector<std::string> keys;
    for (const auto& s : env_.started()) {
      const Json& in = s.input;
      keys.push_back(in.contains("Records") ? in["Records"][0]["s3"]["object"]["key"].get<std::string>()
                                            : in["detail"]["object"]["key"].get<std::string>());
    }
    return keys;
  }

  TriggerTestEnv env_;
  std::string folder_;
};

TEST_F(TriggerRunnerWatchTest, AFileStillBeingWrittenIsNotTakenBeforeItSettles) {
  AddWatch();
  boost::asio::io_context io;
  auto runner = env_.Runner(io, env_.store());
  Write("train.csv", "a,b\n");
  runner->Poll();
  PollAfter(*runner, 600);
  Write("train.csv", "1,2\n", /*append=*/true);  // grew between polls
  PollAfter(*runner, 600);
  EXPECT_TRUE(env_.started().empty());
  PollAfter(*runner, 600);
  EXPECT_TRUE(env_.started().empty());
  PollAfter(*runner, 600);
  ASSERT_EQ(env_.started().size(), 1u);

  const Json& event = env_.started()[0].input;
  EXPECT_EQ(event["detail-type"], "Object Created");
  EXPECT_EQ(event["source"], "aws.s3");
  EXPECT_EQ(event["resources"], Json::array({"arn:aws:s3:::incoming"}));
  EXPECT_EQ(event["detail"]["bucket"]["name"], "incoming");
  EXPECT_EQ(event["detail"]["object"]["key"], "train.csv");
  EXPECT_EQ(event["detail"]["object"]["size"], 8);
  EXPECT_EQ(event["detail"]["object"]["etag"], Md5Hex("a,b\n1,2\n"));
  EXPECT_EQ(event["detail"]["object"]["sequencer"].get<std::string>().size(), 18u);
  EXPECT_EQ(event["detail"]["reason"], "PutObject");
}

TEST_F(TriggerRunnerWatchTest, EachFileFiresOnceAndARewriteFiresAgain) {
  Trigger t = AddWatch();
  boost::asio::io_context io;
  auto runner = env_.Runner(io, env_.store());
  Write("a.csv", "1");
  Write("sub/dir/b.csv", "22");
  runner->Poll();
  for (int i = 0; i < 5; ++i) PollAfter(*runner, 1000);
  std::vector<std::string> keys = Keys();
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"a.csv", "sub/dir/b.csv"}));

  // A restart (new runner, same store) does not fire them again.
  auto restarted = env_.Runner(io, env_.store());
  restarted->Poll();
  for (int i = 0; i < 3; ++i) PollAfter(*restarted, 1000);
  EXPECT_EQ(env_.started().size(), 2u);

  Write("a.csv", "333");  // rewritten: new size and mtime
  restarted->Poll();
  for (int i = 0; i < 3; ++i) PollAfter(*restarted, 1000);
  ASSERT_EQ(env_.started().size(), 3u);
  EXPECT_EQ(env_.started()[2].input["detail"]["object"]["size"], 3);
  EXPECT_EQ(env_.Firings(t).size(), 3u);
}

TEST_F(TriggerRunnerWatchTest, PartialAndHiddenFilesAreIgnored) {
  AddWatch(EventShape::kEventBridge, ".csv");
  boost::asio::io_context io;
  auto runner = env_.Runner(io, env_.store());
  Write(".hidden.csv", "x");
  Write("upload.csv.part", "x");
  Write("upload.tmp", "x");
  Write(".staging/c.csv", "x");
  Write("notes.txt", "x");
  Write("ok.csv", "x");
  runner->Poll();
  for (int i = 0; i < 3; ++i) PollAfter(*runner, 1000);
  EXPECT_EQ(Keys(), std::vector<std::string>{"ok.csv"});
}

TEST_F(TriggerRunnerWatchTest, ClassicS3RecordsAreBuiltWhenChosen) {
  AddWatch(EventShape::kS3);
  boost::asio::io_context io;
  auto runner = env_.Runner(io, env_.store());
  Write("new data/my file.csv", "hello");
  runner->Poll();
  PollAfter(*runner, 1000);
  ASSERT_EQ(env_.started().size(), 1u);
  const Json& record = env_.started()[0].input["Records"][0];
  EXPECT_EQ(record["eventSource"], "aws:s3");
  EXPECT_EQ(record["eventName"], "ObjectCreated:Put");
  EXPECT_EQ(record["s3"]["configurationId"], "incoming");
  EXPECT_EQ(record["s3"]["bucket"]["arn"], "arn:aws:s3:::incoming");
  EXPECT_EQ(record["s3"]["object"]["key"], "new+data/my+file.csv");
  EXPECT_EQ(record["s3"]["object"]["size"], 5);
  EXPECT_EQ(record["s3"]["object"]["eTag"], Md5Hex("hello"));
}

TEST_F(TriggerRunnerWatchTest, AFolderThatDisappearsIsWaitedFor) {
  AddWatch();
  boost::asio::io_context io;
  auto runner = env_.Runner(io, env_.store());
  Write("a.csv", "1");
  runner->Poll();
  PollAfter(*runner, 1000);
  ASSERT_EQ(env_.started().size(), 1u);

  fs::remove_all(folder_);
  for (int i = 0; i < 4; ++i) PollAfter(*runner, 1000);
  ASSERT_EQ(env_.logs().size(), 1u);
  EXPECT_NE(env_.logs()[0].find("does not exist"), std::string::npos) << env_.logs()[0];

  fs::create_directories(folder_);
  Write("b.csv", "2");
  runner->Poll();
  PollAfter(*runner, 1000);
  EXPECT_EQ(Keys(), (std::vector<std::string>{"a.csv", "b.csv"}));
  EXPECT_EQ(env_.logs().size(), 2u);  // "... is back"
}

TEST_F(TriggerRunnerWatchTest, TwoRunnersOnOneStoreFireAFileOnce) {
  AddWatch();
  testing::Connection other = env_.Connect();
  boost::asio::io_context io;
  auto a = env_.Runner(io, env_.store());
  auto b = env_.Runner(io, *other.triggers);
  Write("a.csv", "1");
  a->Poll();
  b->Poll();
  env_.clock().AdvanceMillis(1000);
  b->Poll();
  a->Poll();
  EXPECT_EQ(env_.started().size(), 1u);
}

TEST_F(TriggerRunnerWatchTest, StartedRunnerPicksUpAFileOnItsOwn) {
  AddWatch();
  boost::asio::io_context io;
  std::vector<std::string> started;
  TriggerRunnerOptions options;
  options.poll_interval_ms = 20;
  options.settle_ms = 50;
  options.log = [](std::string_view) {};
  TriggerRunner runner(io, *SystemClock::Default(), env_.store(),
                       [&](const std::string& machine, const std::string&) -> StatusOr<std::string> {
                         started.push_back(machine);
                         return std::string("arn:e");
                       },
                       options);
  runner.Start();
  Write("a.csv", "1");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (started.empty() && std::chrono::steady_clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(50));
  }
  runner.Stop();
  io.run_for(std::chrono::seconds(5));  // runs out once the timer is cancelled
  EXPECT_EQ(started, std::vector<std::string>{"train"});
}

}  // namespace
}  // namespace mlflowctl::triggers
