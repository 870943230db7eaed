// Server: the listener. It accepts on its own strand, gives every
// connection a strand of its own (HttpSession), refuses connections beyond
// max_connections, and drives Stop().
#include "server/http/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "server/http/http_session.h"
#include "server/http/wire.h"

namespace mlflowctl::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// After an accept error other than cancellation (e.g. out of descriptors),
// wait this long instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetry{50};

// The whole reply to a connection beyond max_connections.
const std::string& BusyReply() {
  static const std::string reply = [] {
    const Response response =
        ErrorResponse(503, kServiceUnavailable, "The server has too many open connections.");
    std::string out;
    SerializeResponseHead(response, /*keep_alive=*/false,
                          /*http10_client=*/false, out);
    return out + response.body;
  }();
  return reply;
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& context, ServerOptions options, Handler handler)
      : io(context),
        core(std::make_shared<ServerCore>(std::move(options), std::move(handler))),
        strand(asio::make_strand(context)),
        acceptor(strand),
        retry_timer(strand) {}

  void DoAccept();
  void OnAccept(error_code ec, tcp::socket socket);
  void RejectBusy(tcp::socket& socket);

  asio::io_context& io;
  const std::shared_ptr<ServerCore> core;
  asio::strand<asio::io_context::executor_type> strand;
  // Used on `strand` only, once accepting has started.
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  std::atomic<uint16_t> port{0};
  bool started = false;  // Start/Stop thread only
};

void Server::Impl::DoAccept() {
  acceptor.async_accept(asio::make_strand(io),
                        [self = shared_from_this()](error_code ec, tcp::socket socket) {
                          self->OnAccept(ec, std::move(socket));
                        });
}

void Server::Impl::OnAccept(error_code ec, tcp::socket socket) {
  if (ec) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open() || core->stopping.load()) {
      return;
    }
    retry_timer.expires_after(kAcceptRetry);
    retry_timer.async_wait([self = shared_from_this()](error_code wec) {
      if (!wec && !self->core->stopping.load()) self->DoAccept();
    });
    return;
  }
  if (core->stopping.load()) {
    socket.close(ec);
    return;
  }
  // Counted and checked on this strand only, so the limit holds.
  if (core->connections.load() >= core->options.max_connections) {
    RejectBusy(socket);
  } else {
    std::make_shared<HttpSession>(core, std::move(socket))->Start();
  }
  DoAccept();
}

void Server::Impl::RejectBusy(tcp::socket& socket) {
  // Best effort and never blocking: the socket's send buffer is empty, so a
  // few hundred bytes go out at once; the connection is closed either way.
  error_code ec;
  socket.non_blocking(true, ec);
  const std::string& reply = BusyReply();
  socket.write_some(asio::buffer(reply), ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

Server::Server(asio::io_context& io, ServerOptions options, Handler handler)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(handler))) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  if (impl_->started) return FailedPreconditionError("server already started");
  const ServerOptions& options = impl_->core->options;
  error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.bind, ec);
  if (ec) {
    return InvalidArgumentError("invalid bind address '" + options.bind + "': " + ec.message());
  }
  const tcp::endpoint endpoint(address, options.port);
  const std::string where = options.bind + ":" + std::to_string(options.port);
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    return UnavailableError("cannot listen on " + where + ": " + ec.message());
  }
  impl_->port.store(acceptor.local_endpoint(ec).port());
  impl_->started = true;
  asio::dispatch(impl_->strand, [impl = impl_] { impl->DoAccept(); });
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->port.load(); }

void Server::Stop() {
  const std::shared_ptr<ServerCore>& core = impl_->core;
  if (core->stopping.exchange(true)) return;
  asio::dispatch(impl_->strand, [impl = impl_] {
    error_code ec;
    impl->acceptor.close(ec);
    impl->retry_timer.cancel();
  });
  // Sessions register before checking `stopping`, so each one is either in
  // this snapshot or closes itself.
  std::vector<std::shared_ptr<HttpSession>> sessions;
  {
    std::lock_guard<std::mutex> lock(core->mu);
    sessions.reserve(core->sessions.size());
    for (const auto& [raw, weak] : core->sessions) {
      if (auto session = weak.lock()) sessions.push_back(std::move(session));
    }
  }
  for (const auto& session : sessions) session->Shutdown();
}

std::size_t Server::connections() const { return impl_->core->connections.load(); }

}  // namespace mlflowctl::http
