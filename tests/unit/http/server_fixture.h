// ServerFixture: an http::Server on 127.0.0.1 with a free port and two
// threads running its io_context, plus PendingReplies for handlers that
// answer later. Every wait is bounded.
#ifndef MLFLOWCTL_TESTS_UNIT_HTTP_SERVER_FIXTURE_H_
#define MLFLOWCTL_TESTS_UNIT_HTTP_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "server/http/http_server.h"
#include "tests/unit/http/test_client.h"

namespace mlflowctl::http::testing {

inline constexpr std::chrono::seconds kBound{10};

// Requests held by a handler until the test answers them.
class PendingReplies {
 public:
  void Add(Request request, Reply reply) {
    std::lock_guard<std::mutex> lock(mu_);
    pending_.emplace_back(std::move(request), std::move(reply));
    cv_.notify_all();
  }
  // The oldest held request, waiting up to kBound for one.
  std::optional<std::pair<Request, Reply>> Take() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, kBound, [&] { return !pending_.empty(); })) {
      return std::nullopt;
    }
    auto front = std::move(pending_.front());
    pending_.pop_front();
    return front;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Request, Reply>> pending_;
};

// Echoes the body; x-method and x-target say what was asked.
inline void Echo(Request request, Reply reply) {
  Response response;
  response.content_type = "text/plain";
  response.headers = {{"x-method", request.method}, {"x-target", request.target}};
  response.body = std::move(request.body);
  reply(std::move(response));
}

class ServerFixture : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options, Handler handler) {
    options.bind = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(io_, std::move(options), std::move(handler));
    const Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_NE(server_->port(), 0);
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] {
        io_.run();
        std::lock_guard<std::mutex> lock(mu_);
        ++returned_;
        cv_.notify_all();
      });
    }
  }

  uint16_t port() const { return server_->port(); }

  // True when every io thread's run() has returned within kBound.
  bool WaitRunReturns() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kBound, [&] { return returned_ == threads_.size(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (!WaitRunReturns()) {
      ADD_FAILURE() << "io_context::run() did not return after Stop()";
      io_.stop();
    }
    for (auto& thread : threads_) thread.join();
    server_.reset();
  }

  static std::string Post(std::string_view target, std::string_view body,
                          std::string_view extra_headers = "") {
    std::string out = "POST ";
    out += target;
    out += " HTTP/1.1\r\nHost: localhost\r\nContent-Length: ";
    out += std::to_string(body.size());
    out += "\r\n";
    out += extra_headers;
    out += "\r\n";
    out += body;
    return out;
  }

  boost::asio::io_context io_;
  std::unique_ptr<Server> server_;

 private:
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t returned_ = 0;
};

}  // namespace mlflowctl::http::testing

#endif  // MLFLOWCTL_TESTS_UNIT_HTTP_SERVER_FIXTURE_H_
