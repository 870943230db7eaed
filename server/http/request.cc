// Request's accessors and CheckToken (declared in http_server.h).
#include <string_view>

#include "server/http/http_server.h"
#include "server/http/wire.h"

namespace mlflowctl::http {
namespace {

constexpr std::string_view kBearer = "Bearer";
constexpr std::string_view kSigV4 = "AWS4-HMAC-SHA256";
constexpr std::string_view kCredential = "Credential=";

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimLeft(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  return s;
}

std::string_view Trim(std::string_view s) {
  s = TrimLeft(s);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// True when `value` starts with `scheme` (case-insensitive) and a space;
// `rest` is then what follows.
bool StripScheme(std::string_view value, std::string_view scheme, std::string_view& rest) {
  if (value.size() <= scheme.size() || !IEquals(value.substr(0, scheme.size()), scheme) ||
      !IsSpace(value[scheme.size()])) {
    return false;
  }
  rest = TrimLeft(value.substr(scheme.size()));
  return true;
}

// The access key id of a SigV4 Authorization value's parameters
// ("Credential=<key>/<date>/<region>/<service>/aws4_request, ..."); empty
// when there is none.
std::string_view SigV4AccessKey(std::string_view params) {
  while (!params.empty()) {
    const std::size_t comma = params.find(',');
    std::string_view param = Trim(params.substr(0, comma));
    params = comma == std::string_view::npos ? std::string_view() : params.substr(comma + 1);
    if (param.size() > kCredential.size() &&
        IEquals(param.substr(0, kCredential.size()), kCredential)) {
      std::string_view credential = param.substr(kCredential.size());
      const std::size_t slash = credential.find('/');
      if (slash == std::string_view::npos) return {};
      return credential.substr(0, slash);
    }
  }
  return {};
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (IEquals(key, name)) return value;
  }
  return {};
}

std::string_view Request::path() const {
  std::string_view t(target);
  return t.substr(0, t.find('?'));
}

bool CheckToken(const Request& request, std::string_view token) {
  // An empty token never matches: callers check "auth configured" first,
  // and failing closed is the safe reading of a missing secret.
  if (token.empty()) return false;
  const std::string_view authorization = Trim(request.header("Authorization"));
  std::string_view rest;
  if (StripScheme(authorization, kBearer, rest)) {
    return ConstantTimeEquals(Trim(rest), token);
  }
  if (StripScheme(authorization, kSigV4, rest)) {
    const std::string_view key = SigV4AccessKey(rest);
    return !key.empty() && ConstantTimeEquals(key, token);
  }
  return false;
}

}  // namespace mlflowctl::http
