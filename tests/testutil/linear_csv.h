// Training data for tests that need a small model quickly: `rows` CSV rows
// "y,x1,x2" with y = 3 + 2 x1 - x2 + shift (so "1,1" predicts shift + 4),
// deterministic.
#ifndef MLFLOWCTL_TESTS_TESTUTIL_LINEAR_CSV_H_
#define MLFLOWCTL_TESTS_TESTUTIL_LINEAR_CSV_H_

#include <string>

#include <fmt/format.h>

namespace mlflowctl::testutil {

inline std::string LinearCsv(int rows, double shift) {
  std::string out;
  for (int i = 0; i < rows; ++i) {
    double x1 = (i * 37 % 101) / 10.0, x2 = (i * 53 % 89) / 7.0;
    out += fmt::format("{},{},{}\n", 3 + 2 * x1 - x2 + shift, x1, x2);
  }
  return out;
}

}  // namespace mlflowctl::testutil

#endif  // MLFLOWCTL_TESTS_TESTUTIL_LINEAR_CSV_H_
