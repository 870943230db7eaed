// TestClient: a blocking HTTP/1.1 client on a plain socket for the server
// tests. Every wait is bounded (kWait), so a broken server fails a test
// instead of hanging it. One client per thread.
#ifndef MLFLOWCTL_TESTS_UNIT_HTTP_TEST_CLIENT_H_
#define MLFLOWCTL_TESTS_UNIT_HTTP_TEST_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mlflowctl::http::testing {

struct TestResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class TestClient {
 public:
  static constexpr std::chrono::milliseconds kWait{5000};

  explicit TestClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~TestClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // The next response (a 100 Continue counts as one); nullopt when the
  // connection closes or nothing arrives within kWait.
  std::optional<TestResponse> Read() {
    std::size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    TestResponse response;
    std::string_view head(in_.data(), end);
    const std::size_t line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/") {
      return std::nullopt;
    }
    response.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    std::string_view rest =
        line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
    while (!rest.empty()) {
      const std::size_t eol = rest.find("\r\n");
      const std::string_view line = rest.substr(0, eol);
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 2);
      const std::size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(c));
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers[name] = std::string(value);
    }
    in_.erase(0, end + 4);
    if (response.status == 100) return response;
    const std::size_t length =
        static_cast<std::size_t>(std::atoll(response.header("content-length").c_str()));
    while (in_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    response.body = in_.substr(0, length);
    in_.erase(0, length);
    return response;
  }

  // True when the server closes the connection (end of stream or reset)
  // within kWait; whatever else arrives is discarded.
  bool WaitClosed() {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Fill()) return !timed_out_;
      in_.clear();
    }
    return false;
  }

 private:
  // Appends what arrives; false on end of stream, error or timeout.
  bool Fill() {
    timed_out_ = false;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(kWait.count()));
    if (ready <= 0) {
      timed_out_ = ready == 0;
      return false;
    }
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    in_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool timed_out_ = false;
  std::string in_;
};

}  // namespace mlflowctl::http::testing

#endif  // MLFLOWCTL_TESTS_UNIT_HTTP_TEST_CLIENT_H_
