// TimerService: sleeping until a point in time on the engine's io_context,
// for Wait states, Retry intervals and timeouts. With a real clock it uses
// Asio timers, so any number of executions can wait without threads. In
// virtual-time mode (tests) nothing sleeps: the driver calls FireNext() when
// the engine is otherwise idle, which advances the FakeClock to the earliest
// deadline. Only used from the io_context thread.
#ifndef MLFLOWCTL_RUNTIME_TIMER_SERVICE_H_
#define MLFLOWCTL_RUNTIME_TIMER_SERVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "engine/base/clock.h"
#include "engine/runtime/asio.h"
#include "engine/runtime/cancel_token.h"

namespace mlflowctl::runtime {

class TimerService {
 public:
  // `fake_clock` non-null selects virtual time; it must be the engine's clock.
  TimerService(asio::io_context& io, const Clock& clock, FakeClock* fake_clock)
      : io_(io), clock_(clock), fake_clock_(fake_clock) {}

  // Returns true when `deadline` was reached, false when `cancel` was
  // cancelled first (also when it already was).
  Awaitable<bool> SleepUntil(TimePoint deadline, CancelToken& cancel);

  bool virtual_time() const { return fake_clock_ != nullptr; }
  bool HasSleepers() const { return !sleepers_.empty(); }
  // Virtual time: advances the clock to the earliest deadline and wakes its
  // sleeper. Returns false if nobody sleeps.
  bool FireNext();

 private:
  struct Sleeper {
    explicit Sleeper(asio::io_context& io) : timer(io) {}
    asio::system_timer timer;
    bool fired = false;
  };

  asio::io_context& io_;
  const Clock& clock_;
  FakeClock* fake_clock_;
  // Virtual time: deadline (epoch ms), sequence -> sleeper.
  std::map<std::pair<int64_t, uint64_t>, std::shared_ptr<Sleeper>> sleepers_;
  uint64_t seq_ = 0;
};

// Sleeps until `deadline` and then calls `then`, unless `cancel` is
// cancelled first. Everything is taken by value so the coroutine may be
// detached (co_spawn) and outlive its caller.
Awaitable<void> SleepThen(TimerService& timers, TimePoint deadline,
                          std::shared_ptr<CancelToken> cancel,
                          std::function<void()> then);

}  // namespace mlflowctl::runtime

#endif  // MLFLOWCTL_RUNTIME_TIMER_SERVICE_H_
