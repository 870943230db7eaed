// The sizes counted here are those of base/json_writer.h (AppendJson, the
// serialisation behind JsonSize and the payload limit): ASCII strings and
// integers are counted directly; floats and non-ASCII strings are written,
// one at a time, by the nlohmann serializer AppendJson falls back to.
#include "engine/path/internal/match_budget.h"

#include <charconv>

namespace mlflowctl::path::internal {

bool MatchBudget::Add(const Json& value) {
  if (limit_ == 0) return true;
  if (exceeded_) return false;
  if (!first_ && !Charge(1)) return false;  // ','
  first_ = false;
  return Count(value);
}

bool MatchBudget::Charge(std::size_t bytes) {
  used_ += bytes;
  if (used_ > limit_) exceeded_ = true;
  return !exceeded_;
}

bool MatchBudget::CountString(const std::string& s) {
  std::size_t size = s.size() + 2;  // quotes
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) return CountSerialised(Json(s));  // UTF-8 checked, maybe replaced
    if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' ||
        c == '\t') {
      size += 1;
    } else if (c < 0x20) {
      size += 5;  // \u00XX
    }
  }
  return Charge(size);
}

bool MatchBudget::Count(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return Charge(4);
    case Json::value_t::boolean:
      return Charge(value.get<bool>() ? 4 : 5);
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: {
      char buf[24];
      auto [end, ec] =
          value.is_number_unsigned()
              ? std::to_chars(buf, buf + sizeof(buf), value.get<Json::number_unsigned_t>())
              : std::to_chars(buf, buf + sizeof(buf), value.get<Json::number_integer_t>());
      (void)ec;  // 24 bytes hold any 64-bit integer
      return Charge(static_cast<std::size_t>(end - buf));
    }
    case Json::value_t::string:
      return CountString(value.get_ref<const std::string&>());
    case Json::value_t::object: {
      if (!Charge(2)) return false;  // "{}"
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first && !Charge(1)) return false;  // ','
        first = false;
        if (!CountString(it.key()) || !Charge(1) || !Count(it.value())) return false;
      }
      return true;
    }
    case Json::value_t::array: {
      if (!Charge(2)) return false;  // "[]"
      bool first = true;
      for (const Json& item : value) {
        if (!first && !Charge(1)) return false;  // ','
        first = false;
        if (!Count(item)) return false;
      }
      return true;
    }
    default:  // floats, binary, discarded
      return CountSerialised(value);
  }
}

bool MatchBudget::CountSerialised(const Json& value) {
  scratch_.clear();
  if (!serializer_) {
    serializer_.emplace(nlohmann::detail::output_adapter<char>(scratch_), ' ',
                        Json::error_handler_t::replace);
  }
  serializer_->dump(value, false, false, 0);
  return Charge(scratch_.size());
}

}  // namespace mlflowctl::path::internal
