#include "engine/runtime/retry_backoff.h"

#include <algorithm>
#include <cmath>

namespace mlflowctl::runtime {

double RetryDelaySeconds(const asl::Retrier& retrier, int retry, Random& random) {
  double delay = retrier.interval_seconds * std::pow(retrier.backoff_rate, retry);
  if (retrier.max_delay_seconds) delay = std::min(delay, *retrier.max_delay_seconds);
  if (retrier.jitter_full) delay = random.NextDouble() * delay;
  return delay;
}

}  // namespace mlflowctl::runtime
