#include "engine/triggers/md5.h"

#include <string>

#include <gtest/gtest.h>

#include "tests/testutil/temp_dir.h"

namespace mlflowctl::triggers {
namespace {

TEST(Md5Test, MatchesTheRfc1321TestSuite) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Md5Hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(Md5Hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(Md5Test, IncrementalUpdatesGiveTheSameDigest) {
  std::string text(1000, 'x');
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>('a' + i % 26);
  Md5 md5;
  for (std::size_t i = 0; i < text.size(); i += 7) md5.Update(text.substr(i, 7));
  EXPECT_EQ(md5.HexDigest(), Md5Hex(text));
}

TEST(Md5Test, HashesAFileAsItsContent) {
  testutil::TempDir dir("md5");
  dir.Write("f.bin", "The quick brown fox jumps over the lazy dog");
  StatusOr<std::string> digest = Md5OfFile(dir.File("f.bin"));
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(Md5OfFile(dir.File("missing")).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace mlflowctl::triggers
