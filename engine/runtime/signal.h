// Signal: a one-shot event that coroutines on the engine's io_context can
// await. Notify() wakes every waiter, now and later. Only used from the
// io_context thread (not thread-safe).
#ifndef MLFLOWCTL_RUNTIME_SIGNAL_H_
#define MLFLOWCTL_RUNTIME_SIGNAL_H_

#include <boost/system/error_code.hpp>

#include "engine/runtime/asio.h"

namespace mlflowctl::runtime {

class Signal {
 public:
  explicit Signal(asio::io_context& io)
      : timer_(io, asio::system_timer::time_point::max()) {}

  bool notified() const { return notified_; }

  void Notify() {
    notified_ = true;
    timer_.cancel();
  }

  Awaitable<void> Wait() {
    while (!notified_) {
      boost::system::error_code ec;
      co_await timer_.async_wait(
          asio::redirect_error(asio::use_awaitable, ec));
    }
  }

 private:
  asio::system_timer timer_;
  bool notified_ = false;
};

}  // namespace mlflowctl::runtime

#endif  // MLFLOWCTL_RUNTIME_SIGNAL_H_
