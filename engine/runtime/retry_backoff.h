// RetryBackoff: the delay before a retry, as the ASL Retrier defines it:
// IntervalSeconds * BackoffRate^(retries so far), capped by MaxDelaySeconds,
// and with JitterStrategy FULL a uniform random delay in [0, that].
// Pure functions.
#ifndef MLFLOWCTL_RUNTIME_RETRY_BACKOFF_H_
#define MLFLOWCTL_RUNTIME_RETRY_BACKOFF_H_

#include "engine/asl/state_machine.h"
#include "engine/base/random.h"

namespace mlflowctl::runtime {

// Seconds to wait before retry number `retry` (0 for the first retry).
double RetryDelaySeconds(const asl::Retrier& retrier, int retry, Random& random);

}  // namespace mlflowctl::runtime

#endif  // MLFLOWCTL_RUNTIME_RETRY_BACKOFF_H_
