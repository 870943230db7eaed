#include "engine/asl/json_locations.h"

#include <algorithm>
#include <cstdint>
#include <unordered_set>
#include <utility>

namespace mlflowctl::asl {

std::string AppendPointer(const std::string& pointer, std::string_view token) {
  std::string out = pointer;
  out.reserve(pointer.size() + token.size() + 1);
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace {

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A forward-only reader over the JSON text. Every method returns false on a
// malformed token, which ends the scan.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {
    // nlohmann skips a UTF-8 byte order mark; so do we.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  std::size_t pos() const { return pos_; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  void Advance() { ++pos_; }

  void SkipSpace() {
    while (!AtEnd()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool ReadHex4(uint32_t& out) {
    out = 0;
    for (int k = 0; k < 4; ++k) {
      if (AtEnd()) return false;
      char c = text_[pos_++];
      out <<= 4;
      if (c >= '0' && c <= '9') {
        out |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        out |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        out |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }

  // Reads a string token (at '"'), decoding escapes into `out`.
  bool ReadString(std::string& out) {
    out.clear();
    if (Peek() != '"') return false;
    ++pos_;
    while (!AtEnd()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (AtEnd()) return false;
      char e = text_[pos_++];
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!ReadHex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && text_.substr(pos_, 2) == "\\u") {
            pos_ += 2;
            uint32_t low = 0;
            if (!ReadHex4(low)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  // Skips a number, true, false or null.
  bool SkipScalar() {
    std::size_t start = pos_;
    while (!AtEnd()) {
      char c = text_[pos_];
      bool token_char = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                        c == '-' || c == '+' || c == '.' || c == 'E';
      if (!token_char) break;
      ++pos_;
    }
    return pos_ > start;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Values nested deeper than this are scanned but not indexed: pointers
// into them would cost quadratic memory, and no definition needs them.
constexpr std::size_t kMaxIndexedDepth = 256;

struct Frame {
  bool object = false;
  std::string pointer;
  std::size_t index = 0;
  std::unordered_set<std::string> keys;
};

}  // namespace

// Iterative rather than recursive so that deeply nested input cannot
// exhaust the stack; a small state machine over {value, member, after}.
JsonLocations JsonLocations::Index(std::string_view text) {
  JsonLocations loc;
  loc.line_starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') loc.line_starts_.push_back(i + 1);
  }

  Scanner in(text);
  std::vector<Frame> stack;
  std::string pointer;  // of the value about to be read
  enum class Step { kValue, kMember, kAfterValue };
  Step step = Step::kValue;
  in.SkipSpace();
  std::string key;
  while (true) {
    switch (step) {
      case Step::kValue: {
        // A member's key position was recorded already; keep it.
        if (stack.size() <= kMaxIndexedDepth) {
          loc.offsets_.try_emplace(pointer, in.pos());
        }
        char c = in.Peek();
        if (c == '{' || c == '[') {
          in.Advance();
          bool indexed = stack.size() < kMaxIndexedDepth;
          stack.push_back(
              Frame{c == '{', indexed ? pointer : std::string(), 0, {}});
          in.SkipSpace();
          char close = c == '{' ? '}' : ']';
          if (in.Peek() == close) {
            in.Advance();
            stack.pop_back();
            step = Step::kAfterValue;
          } else {
            step = Step::kMember;
          }
        } else if (c == '"') {
          if (!in.ReadString(key)) return loc;
          step = Step::kAfterValue;
        } else {
          if (!in.SkipScalar()) return loc;
          step = Step::kAfterValue;
        }
        break;
      }
      case Step::kMember: {
        Frame& frame = stack.back();
        if (stack.size() > kMaxIndexedDepth) {
          if (frame.object) {
            if (!in.ReadString(key)) return loc;
            in.SkipSpace();
            if (in.Peek() != ':') return loc;
            in.Advance();
            in.SkipSpace();
          }
          step = Step::kValue;
          break;
        }
        if (frame.object) {
          std::size_t key_offset = in.pos();
          if (!in.ReadString(key)) return loc;
          in.SkipSpace();
          if (in.Peek() != ':') return loc;
          in.Advance();
          in.SkipSpace();
          pointer = AppendPointer(frame.pointer, key);
          if (!frame.keys.insert(key).second) {
            loc.duplicate_keys_.push_back(pointer);
            // nlohmann keeps the later value: forget what the earlier
            // occurrence recorded under this member.
            std::erase_if(loc.offsets_, [&pointer](const auto& entry) {
              const std::string& p = entry.first;
              return p == pointer ||
                     (p.size() > pointer.size() &&
                      p.compare(0, pointer.size(), pointer) == 0 &&
                      p[pointer.size()] == '/');
            });
          }
          loc.offsets_[pointer] = key_offset;
        } else {
          pointer = frame.pointer + "/" + std::to_string(frame.index);
        }
        ++frame.index;
        step = Step::kValue;
        break;
      }
      case Step::kAfterValue: {
        in.SkipSpace();
        if (stack.empty()) return loc;
        char c = in.Peek();
        if (c == ',') {
          in.Advance();
          in.SkipSpace();
          step = Step::kMember;
        } else if (c == (stack.back().object ? '}' : ']')) {
          in.Advance();
          stack.pop_back();
        } else {
          return loc;
        }
        break;
      }
    }
  }
}

bool JsonLocations::Contains(const std::string& pointer) const {
  return offsets_.count(pointer) > 0;
}

TextPosition JsonLocations::Find(const std::string& pointer) const {
  std::string p = pointer;
  while (true) {
    auto it = offsets_.find(p);
    if (it != offsets_.end()) return PositionOfOffset(it->second);
    if (p.empty()) return TextPosition{};
    std::size_t slash = p.rfind('/');
    p.resize(slash == std::string::npos ? 0 : slash);
  }
}

TextPosition JsonLocations::PositionOfOffset(std::size_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  std::size_t line = static_cast<std::size_t>(it - line_starts_.begin());
  TextPosition pos;
  pos.line = static_cast<int>(line);
  pos.column = static_cast<int>(offset - line_starts_[line - 1]) + 1;
  return pos;
}

}  // namespace mlflowctl::asl
