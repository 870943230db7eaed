// Self-contained digests and codecs for the intrinsic functions: MD5, SHA-1,
// SHA-256, SHA-384, SHA-512 (lowercase hex), Base64 and UTF-16 length.
// Pure functions; thread-safe.
#ifndef MLFLOWCTL_PATH_INTERNAL_ENCODING_H_
#define MLFLOWCTL_PATH_INTERNAL_ENCODING_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mlflowctl::path::internal {

std::string Md5Hex(std::string_view data);
std::string Sha1Hex(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string Sha384Hex(std::string_view data);
std::string Sha512Hex(std::string_view data);

// RFC 4648 Base64 with padding.
std::string Base64Encode(std::string_view data);

// Lenient decoding like Java's MIME decoder, which Step Functions uses:
// characters outside the alphabet are skipped, decoding stops at '=', and a
// trailing group of 2 or 3 characters decodes without padding. nullopt when
// a single character is left over.
std::optional<std::string> Base64DecodeMime(std::string_view text);

// Length in UTF-16 code units (Java's String.length()), the unit of AWS's
// 10,000-character limits.
std::size_t Utf16Length(std::string_view utf8);

}  // namespace mlflowctl::path::internal

#endif  // MLFLOWCTL_PATH_INTERNAL_ENCODING_H_
