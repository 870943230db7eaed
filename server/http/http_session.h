// HttpSession: one accepted connection of http::Server (private to mlf_http).
// It reads one request at a time (header, then body, with 100-continue),
// hands it to the Handler, writes the reply with one gathered write and
// loops while keep-alive holds; the next request is read only after the
// reply is written, so pipelined requests are answered in order.
// The hot path costs one completion per request: bytes read are parsed at
// once (Beast's parser fed synchronously, no composed read operations), the
// reply is written at once when the socket takes it (it nearly always does),
// and timeouts are deadlines checked by one timer per connection that ticks
// every quarter of the shorter timeout, not a timer armed per operation.
// Threading: everything runs on the connection's strand. Shutdown() and the
// Reply given to the Handler may be called from any thread; they post there.
#ifndef MLFLOWCTL_SERVER_HTTP_HTTP_SESSION_H_
#define MLFLOWCTL_SERVER_HTTP_HTTP_SESSION_H_

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/http/http_server.h"

namespace mlflowctl::http {

class HttpSession;

// What the listener and its sessions share. Outlives the Server while
// sessions still run.
struct ServerCore {
  ServerCore(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  const ServerOptions options;
  const Handler handler;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};

  std::mutex mu;
  std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions;  // mu
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `socket` must be bound to its own strand.
  HttpSession(std::shared_ptr<ServerCore> core, boost::asio::ip::tcp::socket socket);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Registers with the core and starts reading the first request.
  void Start();
  // Server::Stop: closes the connection if it waits for a request; one
  // being read or handled is answered first (with Connection: close).
  void Shutdown();

 private:
  using error_code = boost::beast::error_code;
  enum class State { kIdle, kReading, kHandling, kWriting, kClosing };

  using Clock = std::chrono::steady_clock;

  void OnStart();
  void OnShutdown();
  void ResetParser();
  // Between requests: wait for the first byte for up to idle_timeout.
  void DoWaitIdle();
  // A request must then arrive whole within read_timeout: StartRequest sets
  // that deadline, ParseBuffered feeds what has arrived to the parser and
  // reads more (DoRead/OnRead) until the request is complete.
  void StartRequest();
  void ParseBuffered();
  void DoRead();
  void OnRead(error_code ec, std::size_t n);
  // The header is in: fills request_, checks the token, answers
  // 100-continue. False when it has taken over (an error reply, or the
  // interim response being written).
  bool OnHeader();
  void OnContinueWritten(error_code ec);
  void OnReadError(error_code ec);
  // Timeouts: the connection is closed once Clock::now() passes deadline_
  // (Clock::time_point::max() while the handler holds the request).
  void ArmTimer();
  void OnTimer(error_code ec);
  void Dispatch();
  void OnReply(uint64_t seq, Response response);
  // An AWS-shaped error reply; the connection closes after it unless
  // `keep_alive` (and the request asked for keep-alive).
  void SendError(int status, std::string_view type, std::string_view message,
                 bool keep_alive = false);
  // Writes what the socket takes at once, the rest asynchronously.
  void DoWrite();
  void OnWrite(error_code ec, std::size_t n, bool inline_call);
  // After a final response: close, draining unread input first so the
  // peer gets our reply instead of a reset.
  void CloseAfterResponse();
  void DoDrain();
  void OnDrain(error_code ec, std::size_t n);
  void Close();
  // Drops this connection from ServerCore::connections, once.
  void Uncount();

  const std::shared_ptr<ServerCore> core_;
  const boost::asio::any_io_executor strand_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer timer_;
  const Clock::duration tick_;
  Clock::time_point deadline_ = Clock::time_point::max();
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::string remote_;

  State state_ = State::kReading;
  uint64_t seq_ = 0;  // the request being handled; stale Replies are dropped
  bool keep_alive_ = true;
  bool http10_ = false;
  bool input_left_ = false;  // the request's body was not read
  bool header_seen_ = false;  // OnHeader ran for the request being read
  bool counted_ = true;      // in ServerCore::connections

  // The request being handled and the reply being written.
  Request request_;
  std::string log_method_;
  std::string log_target_;
  std::size_t request_bytes_ = 0;
  std::chrono::steady_clock::time_point read_done_;
  Response response_;
  std::string head_;
  // While the handler holds the request: counts as io_context work, so
  // run() keeps going after Stop() until the Reply arrives.
  boost::asio::any_io_executor handler_work_;
};

}  // namespace mlflowctl::http

#endif  // MLFLOWCTL_SERVER_HTTP_HTTP_SESSION_H_
