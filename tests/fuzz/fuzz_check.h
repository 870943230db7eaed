// FUZZ_CHECK: an invariant of a fuzz target. When it does not hold the
// target prints what failed and aborts, which libFuzzer (and the replay
// driver) report as a crash with the input that caused it.
#ifndef MLFLOWCTL_TESTS_FUZZ_FUZZ_CHECK_H_
#define MLFLOWCTL_TESTS_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, ...)                                                 \
  do {                                                                        \
    if (!(cond)) {                                                            \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed: ", __FILE__,        \
                   __LINE__, #cond);                                          \
      std::fprintf(stderr, __VA_ARGS__);                                      \
      std::fprintf(stderr, "\n");                                             \
      std::abort();                                                           \
    }                                                                         \
  } while (false)

#endif  // MLFLOWCTL_TESTS_FUZZ_FUZZ_CHECK_H_
