#include "engine/base/json_writer.h"

#include <array>
#include <charconv>
#include <cstring>
#include <cstdint>
#include <optional>

namespace mlflowctl {
namespace {

using Json = nlohmann::json;
using Serializer = nlohmann::detail::serializer<Json>;

// Bytes an ASCII character grows by when escaped: \u00XX for control
// characters without a short form, \n and the like for the others.
constexpr std::array<unsigned char, 128> MakeExtra() {
  std::array<unsigned char, 128> extra{};
  for (int c = 0; c < 0x20; ++c) extra[c] = 5;
  for (char c : {'\b', '\f', '\n', '\r', '\t', '"', '\\'}) {
    extra[static_cast<unsigned char>(c)] = 1;
  }
  return extra;
}
constexpr std::array<unsigned char, 128> kExtra = MakeExtra();

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void Value(const Json& v) {
    switch (v.type()) {
      case Json::value_t::null:
        out_.append("null");
        return;
      case Json::value_t::boolean:
        out_.append(v.get_ref<const Json::boolean_t&>() ? "true" : "false");
        return;
      case Json::value_t::number_integer:
        Integer(v.get_ref<const Json::number_integer_t&>());
        return;
      case Json::value_t::number_unsigned:
        Integer(v.get_ref<const Json::number_unsigned_t&>());
        return;
      case Json::value_t::string:
        if (!String(v.get_ref<const std::string&>())) Fallback(v);
        return;
      case Json::value_t::object: {
        if (v.empty()) {
          out_.append("{}");
          return;
        }
        out_.push_back('{');
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
          if (!first) out_.push_back(',');
          first = false;
          if (!String(it.key())) Fallback(Json(it.key()));
          out_.push_back(':');
          Value(it.value());
        }
        out_.push_back('}');
        return;
      }
      case Json::value_t::array: {
        if (v.empty()) {
          out_.append("[]");
          return;
        }
        out_.push_back('[');
        bool first = true;
        for (const Json& item : v) {
          if (!first) out_.push_back(',');
          first = false;
          Value(item);
        }
        out_.push_back(']');
        return;
      }
      default:  // floats, binary, discarded: nlohmann's own formatting
        Fallback(v);
        return;
    }
  }

 private:
  template <typename T>
  void Integer(T n) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
    (void)ec;  // 24 bytes hold any 64-bit integer
    out_.append(buf, end);
  }

  // Writes an ASCII string escaped as nlohmann escapes it; false (writing
  // nothing) when it holds a non-ASCII byte, whose UTF-8 nlohmann checks.
  // The escaped size is counted first, so the text is written in place.
  bool String(const std::string& s) {
    std::size_t extra = 0;
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c >= 0x80) return false;
      extra += kExtra[c];
    }
    const std::size_t at = out_.size();
    out_.resize(at + s.size() + extra + 2);
    char* w = out_.data() + at;
    *w++ = '"';
    if (extra == 0) {
      std::memcpy(w, s.data(), s.size());
      w += s.size();
    } else {
      for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (kExtra[c] == 0) {
          *w++ = ch;
          continue;
        }
        *w++ = '\\';
        switch (c) {
          case '"': *w++ = '"'; break;
          case '\\': *w++ = '\\'; break;
          case '\b': *w++ = 'b'; break;
          case '\f': *w++ = 'f'; break;
          case '\n': *w++ = 'n'; break;
          case '\r': *w++ = 'r'; break;
          case '\t': *w++ = 't'; break;
          default: {
            static constexpr char kHex[] = "0123456789abcdef";
            *w++ = 'u';
            *w++ = '0';
            *w++ = '0';
            *w++ = kHex[c >> 4];
            *w++ = kHex[c & 0xf];
          }
        }
      }
    }
    *w = '"';
    return true;
  }

  void Fallback(const Json& v) {
    if (!serializer_) {
      serializer_.emplace(nlohmann::detail::output_adapter<char>(out_), ' ',
                          Json::error_handler_t::replace);
    }
    serializer_->dump(v, false, false, 0);
  }

  std::string& out_;
  std::optional<Serializer> serializer_;
};

}  // namespace

void AppendJson(const Json& value, std::string& out) { Writer(out).Value(value); }

}  // namespace mlflowctl
