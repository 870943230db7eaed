#include "engine/history/execution_page_token.h"

#include <gtest/gtest.h>

namespace mlflowctl::history {
namespace {

TEST(ExecutionPageTokenTest, DecodesWhatItEncodes) {
  std::string arn = "arn:aws:states:us-east-1:123456789012:execution:m:e";
  StatusOr<ExecutionPageKey> key =
      DecodeExecutionPageToken(EncodeExecutionPageToken(-5, arn));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->start_ms, -5);
  EXPECT_EQ(key->arn, arn);
}

TEST(ExecutionPageTokenTest, RejectsTokensItDidNotMake) {
  for (const char* token : {"", ":", "12", "12:", ":arn", "x1:arn", "1x:arn",
                            "99999999999999999999:arn"}) {
    EXPECT_EQ(DecodeExecutionPageToken(token).status().code(),
              StatusCode::kInvalidArgument)
        << token;
  }
}

}  // namespace
}  // namespace mlflowctl::history
