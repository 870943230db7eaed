#include "cli/json_text.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace mlflowctl::cli {

namespace {

class Checker {
 public:
  explicit Checker(std::string_view text)
      : p_(reinterpret_cast<const unsigned char*>(text.data())), end_(p_ + text.size()) {}

  // The grammar without recursion: `open_` holds '{' or '[' per open
  // container, so nesting depth costs no stack frames.
  bool Document() {
    enum class Next { kValue, kKey, kAfterValue };
    Next next = Next::kValue;
    while (true) {
      SkipSpace();
      switch (next) {
        case Next::kValue:
          if (p_ == end_) return false;
          if (*p_ == '{' || *p_ == '[') {
            const unsigned char open = *p_++;
            SkipSpace();
            if (p_ < end_ && *p_ == (open == '{' ? '}' : ']')) {
              ++p_;
              next = Next::kAfterValue;
            } else {
              open_.push_back(static_cast<char>(open));
              next = open == '{' ? Next::kKey : Next::kValue;
            }
            continue;
          }
          if (!Scalar()) return false;
          next = Next::kAfterValue;
          continue;
        case Next::kKey:
          if (p_ == end_ || *p_ != '"' || !String()) return false;
          SkipSpace();
          if (p_ == end_ || *p_ != ':') return false;
          ++p_;
          next = Next::kValue;
          continue;
        case Next::kAfterValue:
          // As nlohmann's lexer, a NUL byte ends the input.
          if (open_.empty()) return p_ == end_ || *p_ == '\0';
          if (p_ == end_) return false;
          if (*p_ == ',') {
            ++p_;
            next = open_.back() == '{' ? Next::kKey : Next::kValue;
            continue;
          }
          if (*p_ != (open_.back() == '{' ? '}' : ']')) return false;
          ++p_;
          open_.pop_back();
          continue;
      }
    }
  }

 private:
  void SkipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  bool Scalar() {
    switch (*p_) {
      case '"':
        return String();
      case 't':
        return Word("true");
      case 'f':
        return Word("false");
      case 'n':
        return Word("null");
      default:
        return Number();
    }
  }

  bool Word(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size()) return false;
    if (std::string_view(reinterpret_cast<const char*>(p_), word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  // At the opening quote.
  bool String() {
    ++p_;
    while (p_ < end_) {
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        if (!Escape()) return false;
        continue;
      }
      if (c < 0x20) return false;  // control characters must be escaped
      if (c < 0x80) {
        ++p_;
        continue;
      }
      if (!Utf8()) return false;
    }
    return false;
  }

  // At the backslash.
  bool Escape() {
    ++p_;
    if (p_ == end_) return false;
    switch (*p_++) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return true;
      case 'u': {
        uint32_t unit = 0;
        if (!Hex4(unit)) return false;
        if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // a lone low surrogate
        if (unit < 0xD800 || unit > 0xDBFF) return true;
        // A high surrogate must be followed by an escaped low one.
        if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
        p_ += 2;
        uint32_t low = 0;
        return Hex4(low) && low >= 0xDC00 && low <= 0xDFFF;
      }
      default:
        return false;
    }
  }

  bool Hex4(uint32_t& value) {
    if (end_ - p_ < 4) return false;
    for (int i = 0; i < 4; ++i) {
      const unsigned char c = *p_++;
      uint32_t digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return false;
      }
      value = value * 16 + digit;
    }
    return true;
  }

  // One multi-byte UTF-8 sequence (RFC 3629: no overlong forms, no
  // surrogates, nothing above U+10FFFF).
  bool Utf8() {
    const unsigned char c = *p_++;
    int more;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      more = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      more = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      more = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (end_ - p_ < more) return false;
    if (*p_ < lo || *p_ > hi) return false;
    ++p_;
    for (int i = 1; i < more; ++i, ++p_) {
      if (*p_ < 0x80 || *p_ > 0xBF) return false;
    }
    return true;
  }

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, finite as a double.
  bool Number() {
    const unsigned char* start = p_;
    if (*p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      Digits();
    } else {
      return false;
    }
    bool exponent = false;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (Digits() == 0) return false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      exponent = true;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (Digits() == 0) return false;
    }
    // Only an exponent or hundreds of digits can leave a double's range.
    if (exponent || p_ - start > 300) {
      const std::string number(start, p_);
      return std::isfinite(std::strtod(number.c_str(), nullptr));
    }
    return true;
  }

  int Digits() {
    int n = 0;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
      ++p_;
      ++n;
    }
    return n;
  }

  const unsigned char* p_;
  const unsigned char* const end_;
  std::string open_;
};

}  // namespace

bool IsJsonText(std::string_view text) {
  // nlohmann skips a UTF-8 byte order mark at the start.
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return Checker(text).Document();
}

}  // namespace mlflowctl::cli
