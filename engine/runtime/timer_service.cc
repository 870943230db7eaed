#include "engine/runtime/timer_service.h"

#include <boost/system/error_code.hpp>

namespace mlflowctl::runtime {

Awaitable<bool> TimerService::SleepUntil(TimePoint deadline, CancelToken& cancel) {
  if (cancel.cancelled()) co_return false;
  auto sleeper = std::make_shared<Sleeper>(io_);
  std::pair<int64_t, uint64_t> key{ToEpochMillis(deadline), seq_++};
  if (virtual_time()) {
    if (deadline <= clock_.Now()) co_return true;
    sleeper->timer.expires_at(asio::system_timer::time_point::max());
    sleepers_.emplace(key, sleeper);
  } else {
    // The Clock is the system clock here; convert to the timer's clock
    // through the remaining duration so a test clock offset cannot skew it.
    auto remaining = deadline - clock_.Now();
    if (remaining <= TimePoint::duration::zero()) co_return true;
    sleeper->timer.expires_after(remaining);
  }
  int reg = cancel.Register([sleeper] { sleeper->timer.cancel(); });
  boost::system::error_code ec;
  co_await sleeper->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  cancel.Unregister(reg);
  if (virtual_time()) {
    sleepers_.erase(key);
    co_return sleeper->fired && !cancel.cancelled();
  }
  co_return !ec && !cancel.cancelled();
}

bool TimerService::FireNext() {
  if (sleepers_.empty()) return false;
  auto it = sleepers_.begin();
  int64_t now = ToEpochMillis(clock_.Now());
  if (it->first.first > now) fake_clock_->AdvanceMillis(it->first.first - now);
  it->second->fired = true;
  it->second->timer.cancel();
  sleepers_.erase(it);
  return true;
}

Awaitable<void> SleepThen(TimerService& timers, TimePoint deadline,
                          std::shared_ptr<CancelToken> cancel,
                          std::function<void()> then) {
  // gcc 12 miscompiles `if (co_await ...)` in a detached coroutine (the
  // frame is resumed in an invalid state): await into a variable first.
  bool reached = co_await timers.SleepUntil(deadline, *cancel);
  if (reached) then();
  co_return;
}

}  // namespace mlflowctl::runtime
