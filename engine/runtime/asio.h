// The Boost.Asio parts the runtime uses, in one place (C++20 coroutines).
// Not thread-safe by itself: see each user.
#ifndef MLFLOWCTL_RUNTIME_ASIO_H_
#define MLFLOWCTL_RUNTIME_ASIO_H_

#include <coroutine>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace mlflowctl::runtime {
namespace asio = boost::asio;
template <typename T>
using Awaitable = asio::awaitable<T>;
}  // namespace mlflowctl::runtime

#endif  // MLFLOWCTL_RUNTIME_ASIO_H_
