#include "server/http/wire.h"

#include <array>
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <cstdio>

namespace mlflowctl::http {
namespace {

void AppendJsonString(std::string_view s, std::string& out) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          std::array<char, 8> hex{};
          std::snprintf(hex.data(), hex.size(), "\\u%04x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += hex.data();
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void AppendNumber(uint64_t n, std::string& out) {
  std::array<char, 24> digits{};
  auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), n);
  out.append(digits.data(), end);
}

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Headers the server writes itself; a handler's copy would break framing.
bool IsReservedHeader(std::string_view name) {
  return IEquals(name, "Content-Length") || IEquals(name, "Content-Type") ||
         IEquals(name, "Transfer-Encoding") || IEquals(name, "Connection") ||
         IEquals(name, "Server");
}

}  // namespace

Response ErrorResponse(int status, std::string_view type, std::string_view message) {
  Response response;
  response.status = status;
  response.content_type = std::string(kAwsJsonContentType);
  response.body.reserve(32 + type.size() + message.size());
  response.body = "{\"__type\":";
  AppendJsonString(type, response.body);
  response.body += ",\"message\":";
  AppendJsonString(message, response.body);
  response.body += '}';
  response.headers.emplace_back("x-amzn-ErrorType", std::string(type));
  return response;
}

void SerializeResponseHead(const Response& response, bool keep_alive, bool http10_client,
                           std::string& out) {
  int status = response.status;
  if (status < 100 || status > 599) status = 500;
  auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  if (reason == "<unknown-status>") reason = "Unknown";

  out.clear();
  out += "HTTP/1.1 ";
  AppendNumber(static_cast<uint64_t>(status), out);
  out += ' ';
  out.append(reason.data(), reason.size());
  out += "\r\nServer: mlflowctl\r\n";
  if (!response.content_type.empty() && !HasLineBreak(response.content_type)) {
    out += "Content-Type: ";
    out += response.content_type;
    out += "\r\n";
  }
  out += "Content-Length: ";
  AppendNumber(response.body.size(), out);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || HasLineBreak(name) || HasLineBreak(value) ||
        name.find(':') != std::string::npos || IsReservedHeader(name)) {
      continue;
    }
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (http10_client) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of the longer string is visited, so the time leaks only the
  // lengths, never where the first difference is.
  const std::size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

}  // namespace mlflowctl::http
