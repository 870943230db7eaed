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
#include <boost/beast/http/read.hpp>
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
    : core_(std::move(core)), strand_(socket.get_executor()), stream_(std::move(socket)) {
  core_->connections.fetch_add(1, std::memory_order_relaxed);
  remote_ = RemoteOf(stream_.socket());
  beast::error_code ec;
  stream_.socket().set_option(tcp::no_delay(true), ec);
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
  ResetParser();
  DoReadHeader();
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
  log_method_.clear();
  log_target_.clear();
}

void HttpSession::DoWaitIdle() {
  state_ = State::kIdle;
  if (core_->stopping.load()) return Close();
  stream_.expires_after(core_->options.idle_timeout);
  stream_.async_read_some(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](error_code ec, std::size_t n) { self->OnWaitIdle(ec, n); });
}

void HttpSession::OnWaitIdle(error_code ec, std::size_t n) {
  if (ec) return Close();  // the peer left, the idle timeout, or Stop
  buffer_.commit(n);
  DoReadHeader();
}

void HttpSession::DoReadHeader() {
  state_ = State::kReading;
  stream_.expires_after(core_->options.read_timeout);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, std::size_t n) { self->OnReadHeader(ec, n); });
}

void HttpSession::OnReadHeader(error_code ec, std::size_t n) {
  request_bytes_ = n;
  if (ec) return OnReadError(ec);

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
    read_done_ = std::chrono::steady_clock::now();
    return SendError(kUnrecognizedClientStatus, kUnrecognizedClientException,
                     request_.header("Authorization").empty()
                         ? "Missing Authentication Token"
                         : "The security token included in the request is "
                           "invalid.",
                     /*keep_alive=*/!input_left_);
  }

  if (parser_->is_done()) {
    read_done_ = std::chrono::steady_clock::now();
    return Dispatch();
  }
  const auto expect = message[bhttp::field::expect];
  if (!http10_ && beast::iequals(expect, "100-continue")) {
    asio::async_write(
        stream_, asio::buffer(kContinue.data(), kContinue.size()),
        [self = shared_from_this()](error_code wec, std::size_t) { self->OnContinueWritten(wec); });
    return;
  }
  DoReadBody();
}

void HttpSession::OnContinueWritten(error_code ec) {
  if (ec) return Close();
  DoReadBody();
}

void HttpSession::DoReadBody() {
  // Still under the read_timeout set when the request started.
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, std::size_t n) { self->OnReadBody(ec, n); });
}

void HttpSession::OnReadBody(error_code ec, std::size_t n) {
  request_bytes_ += n;
  if (ec) return OnReadError(ec);
  read_done_ = std::chrono::steady_clock::now();
  Dispatch();
}

void HttpSession::OnReadError(error_code ec) {
  read_done_ = std::chrono::steady_clock::now();
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
  // The peer closed, reset, or ran out of read_timeout: nobody to answer.
  Close();
}

void HttpSession::Dispatch() {
  state_ = State::kHandling;
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
  stream_.expires_after(std::max(options.read_timeout, options.idle_timeout));
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_),
                                                  asio::buffer(response_.body)};
  asio::async_write(stream_, buffers, [self = shared_from_this()](error_code ec, std::size_t n) {
    self->OnWrite(ec, n);
  });
}

void HttpSession::OnWrite(error_code ec, std::size_t n) {
  if (core_->options.access_log) {
    AccessLogEntry entry;
    entry.remote = remote_;
    entry.method = log_method_;
    entry.target = log_target_;
    entry.status = response_.status;
    entry.request_bytes = request_bytes_;
    entry.response_bytes = n;
    entry.micros = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - read_done_)
                       .count();
    try {
      core_->options.access_log(entry);
    } catch (...) {
      // A failing access log must not take the connection down.
    }
  }
  std::string().swap(response_.body);
  response_.headers.clear();
  if (ec) return Close();
  if (!keep_alive_ || core_->stopping.load()) return CloseAfterResponse();

  ResetParser();
  if (buffer_.size() > 0) return DoReadHeader();  // pipelined
  if (buffer_.capacity() > kKeepBufferBytes) buffer_.shrink_to_fit();
  DoWaitIdle();
}

void HttpSession::CloseAfterResponse() {
  state_ = State::kClosing;
  error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  // Closing with unread input in the kernel makes it send a reset, which
  // can destroy our reply before the peer reads it: drain first (bounded).
  const std::size_t unread = stream_.socket().available(ec);
  if (!input_left_ && !ec && unread == 0) return Close();
  stream_.expires_after(std::min(core_->options.read_timeout, kMaxLinger));
  DoDrain();
}

void HttpSession::DoDrain() {
  buffer_.clear();
  stream_.async_read_some(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](error_code ec, std::size_t n) { self->OnDrain(ec, n); });
}

void HttpSession::OnDrain(error_code ec, std::size_t) {
  if (ec || state_ != State::kClosing) return Close();
  DoDrain();
}

void HttpSession::Close() {
  state_ = State::kClosing;
  stream_.close();
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
