// Md5: the MD5 digest (RFC 1321), for the ETag of a watched file: S3 gives a
// single-part object's MD5 as its ETag. Not for security. Not thread-safe
// per object; distinct objects are independent.
#ifndef MLFLOWCTL_TRIGGERS_MD5_H_
#define MLFLOWCTL_TRIGGERS_MD5_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/base/status_or.h"

namespace mlflowctl::triggers {

class Md5 {
 public:
  Md5();
  void Update(std::string_view bytes);
  // The digest as 32 lowercase hex digits. Ends the object's use.
  std::string HexDigest();

 private:
  void Block(const unsigned char* block);

  std::array<uint32_t, 4> state_;
  std::array<unsigned char, 64> buffer_{};
  std::size_t buffered_ = 0;
  uint64_t length_ = 0;  // bytes
};

// MD5 of `bytes`, as lowercase hex.
std::string Md5Hex(std::string_view bytes);
// MD5 of a file's content, read in blocks. kNotFound when it cannot be
// opened, kUnavailable when reading fails.
StatusOr<std::string> Md5OfFile(const std::string& path);

}  // namespace mlflowctl::triggers

#endif  // MLFLOWCTL_TRIGGERS_MD5_H_
