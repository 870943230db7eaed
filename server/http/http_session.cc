#include "server/http/http_session.h"

#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <exception>
#include <utility>

#include "server/http/wire.h"

namespace mlflowctl::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr std::size_t kReadChunk = 16 * 1024;
// The timeout timer ticks this many times per shortest timeout: a deadline
// is enforced within a quarter of its timeout.
constexpr int kTicksPerTimeout = 4;
// A flat_buffer grown past this by a large request is given back once idle.
constexpr std::size_t kKeepBufferBytes = 64 * 1024;
// How long unread input is drained before closing after an error reply.
constexpr std::chrono::milliseconds kMaxLinger{2000};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// A request line or header the parser rejects (answered 400); end-of-stream
// and similar conditions are not malformed requests.
bool IsMalformed(const beast::error_code& ec) {
  if (ec.category() != bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return false;
  }
  switch (static_cast<bhttp::error>(ec.value())) {
    case bhttp::error::bad_line_ending:
    case bhttp::error::bad_method:
    case bhttp::error::bad_target:
    case bhttp::error::bad_version:
    case bhttp::error::bad_status:
    case bhttp::error::bad_reason:
    case bhttp::error::bad_field:
    case bhttp::error::bad_value:
    case bhttp::error::bad_content_length:
    case bhttp::error::bad_transfer_encoding:
    case bhttp::error::bad_chunk:
    case bhttp::error::bad_chunk_extension:
    case bhttp::error::bad_obs_fold:
    case bhttp::error::unexpected_body:
      return true;
    default:
      return false;
  }
}

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

std::string RemoteOf(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return {};
  std::string out =
      ep.address().is_v6() ? "[" + ep.address().to_string(ec) + "]" : ep.address().to_string(ec);
  out += ':';
  out += std::to_string(ep.port());
  return out;
}

}  // namespace

HttpSession::HttpSession(std::shared_ptr<ServerCore> core, tcp::socket socket)
    : core_(std::move(core)),
      strand_(socket.get_executor()),
      socket_(std::move(socket)),
      timer_(strand_),
      tick_(std::max<Clock::duration>(
          std::chrono::milliseconds(1),
          std::min(core_->options.read_timeout, core_->options.idle_timeout) /
              kTicksPerTimeout)) {
  core_->connections.fetch_add(1, std::memory_order_relaxed);
  remote_ = RemoteOf(socket_);
  beast::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  // Synchronous writes return would_block instead of blocking (DoWrite).
  socket_.non_blocking(true, ec);
}

HttpSession::~HttpSession() {
  {
    std::lock_guard<std::mutex> lock(core_->mu);
    core_->sessions.erase(this);
  }
  Uncount();
}

void HttpSession::Start() {
  {
    std::lock_guard<std::mutex> lock(core_->mu);
    core_->sessions.emplace(this, weak_from_this());
  }
  asio::dispatch(strand_, [self = shared_from_this()] { self->OnStart(); });
}

void HttpSession::Shutdown() {
  asio::post(strand_, [self = shared_from_this()] { self->OnShutdown(); });
}

void HttpSession::OnStart() {
  // Registered before this check, so a concurrent Stop either sees this
  // session or is seen here.
  if (core_->stopping.load()) return Close();
  ArmTimer();
  ResetParser();
  // The first request's read_timeout counts from the accept.
  StartRequest();
  DoRead();
}

void HttpSession::OnShutdown() {
  const bool nothing_read =
      state_ == State::kReading && buffer_.size() == 0 && (!parser_ || !parser_->got_some());
  if (state_ == State::kIdle || state_ == State::kClosing || nothing_read) {
    Close();
  }
  // Otherwise a request is under way; DoWrite sees `stopping` and closes.
}

void HttpSession::ResetParser() {
  parser_.emplace();
  const auto& options = core_->options;
  parser_->header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(options.max_header_bytes, UINT32_MAX)));
  parser_->body_limit(options.max_body_bytes);
  request_bytes_ = 0;
  input_left_ = false;
  header_seen_ = false;
  log_method_.clear();
  log_target_.clear();
}

void HttpSession::ArmTimer() {
  timer_.expires_after(tick_);
  // A weak reference: a connection whose Reply was dropped must not be
  // kept alive by its timer.
  timer_.async_wait([weak = weak_from_this()](error_code ec) {
    if (auto self = weak.lock()) self->OnTimer(ec);
  });
}

void HttpSession::OnTimer(error_code ec) {
  if (ec || !socket_.is_open()) return;  // cancelled: closed
  // The read, write or drain under way has run out of time: closing the
  // socket ends it (its handler sees the error and closes).
  if (Clock::now() >= deadline_) return Close();
  ArmTimer();
}

void HttpSession::DoWaitIdle() {
  state_ = State::kIdle;
  if (core_->stopping.load()) return Close();
  deadline_ = Clock::now() + core_->options.idle_timeout;
  DoRead();
}

void HttpSession::StartRequest() {
  state_ = State::kReading;
  deadline_ = Clock::now() + core_->options.read_timeout;
}

void HttpSession::DoRead() {
  socket_.async_read_some(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](error_code ec, std::size_t n) { self->OnRead(ec, n); });
}

void HttpSession::OnRead(error_code ec, std::size_t n) {
  // The peer left or reset, a timeout or Stop closed the socket: there is
  // nobody to answer (as for a request cut short).
  if (ec || state_ == State::kClosing) return Close();
  buffer_.commit(n);
  if (state_ == State::kIdle) StartRequest();  // the next request's first byte
  ParseBuffered();
}

void HttpSession::ParseBuffered() {
  for (;;) {
    if (buffer_.size() == 0) return DoRead();
    error_code ec;
    const std::size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    request_bytes_ += used;
    if (ec == bhttp::error::need_more) return DoRead();
    if (ec) return OnReadError(ec);
    if (!header_seen_ && parser_->is_header_done()) {
      header_seen_ = true;
      if (!OnHeader()) return;
    }
    if (parser_->is_done()) {
      read_done_ = Clock::now();
      return Dispatch();
    }
    if (used == 0) return DoRead();  // no progress without more input
  }
}

bool HttpSession::OnHeader() {
  const auto& message = parser_->get();
  keep_alive_ = message.keep_alive();
  http10_ = message.version() < 11;
  request_.method.assign(View(message.method_string()));
  request_.target.assign(View(message.target()));
  request_.headers.clear();
  for (const auto& field : message) {
    request_.headers.emplace_back(View(field.name_string()), View(field.value()));
  }
  request_.remote = remote_;
  if (core_->options.access_log) {
    log_method_ = request_.method;
    log_target_ = request_.target;
  }

  if (!core_->options.auth_token.empty() && !CheckToken(request_, core_->options.auth_token)) {
    // The body (if any) is left unread, so keep-alive is only possible when
    // there is none.
    input_left_ = !parser_->is_done();
    read_done_ = Clock::now();
    SendError(kUnrecognizedClientStatus, kUnrecognizedClientException,
              request_.header("Authorization").empty()
                  ? "Missing Authentication Token"
                  : "The security token included in the request is "
                    "invalid.",
              /*keep_alive=*/!input_left_);
    return false;
  }
  if (parser_->is_done()) return true;
  const auto expect = message[bhttp::field::expect];
  if (!http10_ && beast::iequals(expect, "100-continue")) {
    // Still under the read_timeout set when the request started.
    asio::async_write(
        socket_, asio::buffer(kContinue.data(), kContinue.size()),
        [self = shared_from_this()](error_code wec, std::size_t) { self->OnContinueWritten(wec); });
    return false;
  }
  return true;
}

void HttpSession::OnContinueWritten(error_code ec) {
  if (ec || state_ == State::kClosing) return Close();
  ParseBuffered();
}

void HttpSession::OnReadError(error_code ec) {
  read_done_ = Clock::now();
  input_left_ = true;
  if (ec == bhttp::error::header_limit) {
    return SendError(431, kRequestHeaderFieldsTooLarge,
                     "The request's headers exceed " +
                         std::to_string(core_->options.max_header_bytes) + " bytes.");
  }
  if (ec == bhttp::error::body_limit) {
    if (core_->options.access_log && log_method_.empty()) {
      // Over the limit by its Content-Length: the start line was parsed.
      log_method_.assign(View(parser_->get().method_string()));
      log_target_.assign(View(parser_->get().target()));
    }
    return SendError(
        413, kRequestEntityTooLarge,
        "The request's body exceeds " + std::to_string(core_->options.max_body_bytes) + " bytes.");
  }
  if (IsMalformed(ec)) {
    return SendError(400, kSerializationException, "Malformed HTTP request: " + ec.message());
  }
  // Nothing else comes from the parser fed whole buffers; close.
  Close();
}

void HttpSession::Dispatch() {
  state_ = State::kHandling;
  deadline_ = Clock::time_point::max();  // the handler takes its time
  const uint64_t seq = ++seq_;
  handler_work_ = asio::prefer(strand_, asio::execution::outstanding_work.tracked);
  request_.body = std::move(parser_->get().body());
  Reply reply = [self = shared_from_this(), seq](Response response) {
    // Runs inline when the handler answers on the strand, else posts.
    asio::dispatch(self->strand_, [self, seq, r = std::move(response)]() mutable {
      self->OnReply(seq, std::move(r));
    });
  };
  // server/http is a catch site (STYLE.md, error model 5): a throwing
  // handler becomes a 500 instead of taking down the io_context thread.
  try {
    core_->handler(std::move(request_), std::move(reply));
  } catch (const std::exception& e) {
    OnReply(seq, ErrorResponse(500, kInternalFailure, e.what()));
  } catch (...) {
    OnReply(seq, ErrorResponse(500, kInternalFailure, "unknown exception"));
  }
}

void HttpSession::OnReply(uint64_t seq, Response response) {
  // A second Reply, or one for an earlier request, is a handler bug: drop it.
  if (seq != seq_ || state_ != State::kHandling) return;
  handler_work_ = asio::any_io_executor();
  response_ = std::move(response);
  DoWrite();
}

void HttpSession::SendError(int status, std::string_view type, std::string_view message,
                            bool keep_alive) {
  if (!keep_alive) keep_alive_ = false;
  response_ = ErrorResponse(status, type, message);
  DoWrite();
}

void HttpSession::DoWrite() {
  state_ = State::kWriting;
  if (response_.status < 100 || response_.status > 599) response_.status = 500;
  keep_alive_ = keep_alive_ && !input_left_ && !core_->stopping.load();
  SerializeResponseHead(response_, keep_alive_, http10_, head_);
  const auto& options = core_->options;
  deadline_ = Clock::now() + std::max(options.read_timeout, options.idle_timeout);
  const std::size_t total = head_.size() + response_.body.size();
  // The socket's send buffer nearly always takes a reply whole: write it
  // now, without an asynchronous operation.
  error_code ec;
  const std::size_t n = socket_.write_some(
      std::array<asio::const_buffer, 2>{asio::buffer(head_), asio::buffer(response_.body)}, ec);
  if (ec != asio::error::would_block && ec != asio::error::try_again && (ec || n == total)) {
    return OnWrite(ec, ec ? 0 : n, /*inline_call=*/true);
  }
  const std::size_t done = ec ? 0 : n;
  std::array<asio::const_buffer, 2> rest{};
  if (done < head_.size()) {
    rest = {asio::buffer(head_) + done, asio::buffer(response_.body)};
  } else {
    rest = {asio::const_buffer(), asio::buffer(response_.body) + (done - head_.size())};
  }
  asio::async_write(socket_, rest,
                    [self = shared_from_this(), done](error_code wec, std::size_t m) {
                      self->OnWrite(wec, done + m, /*inline_call=*/false);
                    });
}

void HttpSession::OnWrite(error_code ec, std::size_t n, bool inline_call) {
  if (core_->options.access_log) {
    AccessLogEntry entry;
    entry.remote = remote_;
    entry.method = log_method_;
    entry.target = log_target_;
    entry.status = response_.status;
    entry.request_bytes = request_bytes_;
    entry.response_bytes = n;
    entry.micros =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - read_done_).count();
    try {
      core_->options.access_log(entry);
    } catch (...) {
      // A failing access log must not take the connection down.
    }
  }
  // Keeps the body's capacity for the next reply unless it grew large.
  if (response_.body.capacity() > kKeepBufferBytes) {
    std::string().swap(response_.body);
  } else {
    response_.body.clear();
  }
  response_.headers.clear();
  if (ec || state_ == State::kClosing) return Close();
  if (!keep_alive_ || core_->stopping.load()) return CloseAfterResponse();

  ResetParser();
  if (buffer_.size() > 0) {  // pipelined
    StartRequest();
    if (!inline_call) return ParseBuffered();
    // Called from within the previous request's handling: go on from the
    // strand's queue so pipelined requests do not nest on the stack.
    asio::post(strand_, [self = shared_from_this()] {
      if (self->state_ == State::kReading) self->ParseBuffered();
    });
    return;
  }
  if (buffer_.capacity() > kKeepBufferBytes) buffer_.shrink_to_fit();
  DoWaitIdle();
}

void HttpSession::CloseAfterResponse() {
  state_ = State::kClosing;
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  // Closing with unread input in the kernel makes it send a reset, which
  // can destroy our reply before the peer reads it: drain first (bounded).
  const std::size_t unread = socket_.available(ec);
  if (!input_left_ && !ec && unread == 0) return Close();
  deadline_ = Clock::now() + std::min<Clock::duration>(core_->options.read_timeout, kMaxLinger);
  DoDrain();
}

void HttpSession::DoDrain() {
  buffer_.clear();
  socket_.async_read_some(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](error_code ec, std::size_t n) { self->OnDrain(ec, n); });
}

void HttpSession::OnDrain(error_code ec, std::size_t) {
  if (ec || !socket_.is_open()) return Close();
  DoDrain();
}

void HttpSession::Close() {
  state_ = State::kClosing;
  error_code ec;
  socket_.close(ec);
  timer_.cancel();
  // A Reply still held by the handler may keep this object alive; the
  // connection itself no longer counts.
  Uncount();
}

void HttpSession::Uncount() {
  if (!counted_) return;
  counted_ = false;
  core_->connections.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace mlflowctl::http
