#include "net/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace smtpeer::net {
namespace {

// kSlice: the longest single wait, so that stop_flag() is noticed promptly.
constexpr std::chrono::milliseconds kSlice{100};

int poll_ms(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  return static_cast<int>(std::min(left, kSlice).count());
}

// wait_for: poll one fd for `events` until the deadline or a stop request.
// Returns 1 ready, 0 timeout, -1 stopped, -2 error.
int wait_for(int fd, short events, Deadline deadline) {
  for (;;) {
    if (stop_flag().load()) return -1;
    int ms = poll_ms(deadline);
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, ms);
    if (r > 0) return 1;
    if (r < 0 && errno != EINTR) return -2;
    if (r == 0 && Clock::now() >= deadline) return 0;
  }
}

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

std::atomic<bool>& stop_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

std::string_view to_string(ReadStatus s) {
  switch (s) {
    case ReadStatus::kData: return "data";
    case ReadStatus::kTimeout: return "timeout";
    case ReadStatus::kEof: return "eof";
    case ReadStatus::kReset: return "reset";
    case ReadStatus::kStopped: return "stopped";
    case ReadStatus::kLimit: return "limit";
  }
  return "?";
}

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void Socket::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Result<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return make_error(
          ErrorCode::kUsage,
          fmt::format("'{}': expected HOST:PORT, with [ADDRESS]:PORT for IPv6", text));
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return make_error(ErrorCode::kUsage, fmt::format("'{}': expected HOST:PORT", text));
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || ec != std::errc() || ptr != port.data() + port.size() || value == 0 ||
      value > 65535)
    return make_error(ErrorCode::kUsage,
                      fmt::format("'{}': expected HOST:PORT with a port 1..65535", text));
  return std::pair<std::string, std::uint16_t>{std::string(host),
                                               static_cast<std::uint16_t>(value)};
}

Result<Socket> connect_tcp(const std::string& host, std::uint16_t port, Deadline deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0)
    return make_error(ErrorCode::kUnreachable,
                      fmt::format("{}: cannot resolve: {}", host, ::gai_strerror(rc)));
  std::string last_error = "no address";
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    Socket s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!s.valid()) continue;
    set_nonblocking(s.fd());
    set_nodelay(s.fd());
    int rc = ::connect(s.fd(), ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno != EINPROGRESS) {
      last_error = std::strerror(errno);
      continue;
    }
    if (rc != 0) {
      int w = wait_for(s.fd(), POLLOUT, deadline);
      if (w == 0) {
        last_error = "connect timed out";
        continue;
      }
      if (w < 0) {
        last_error = w == -1 ? "stopped" : std::strerror(errno);
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        last_error = std::strerror(err);
        continue;
      }
    }
    ::freeaddrinfo(res);
    return s;
  }
  ::freeaddrinfo(res);
  return make_error(ErrorCode::kUnreachable,
                    fmt::format("{}:{}: cannot connect: {}", host, port, last_error));
}

Result<Socket> listen_tcp(const std::string& host, std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1)
    return make_error(ErrorCode::kUsage, fmt::format("'{}': listen needs an IPv4 address", host));
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return make_error(ErrorCode::kIo, std::strerror(errno));
  int one = 1;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return make_error(ErrorCode::kIo,
                      fmt::format("bind {}:{}: {}", host, port, std::strerror(errno)));
  if (::listen(s.fd(), 64) != 0) return make_error(ErrorCode::kIo, std::strerror(errno));
  set_nonblocking(s.fd());
  return s;
}

std::uint16_t local_port(const Socket& s) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return 0;
}

Result<Socket> accept_conn(const Socket& listener, Deadline deadline) {
  for (;;) {
    int w = wait_for(listener.fd(), POLLIN, deadline);
    if (w == 0) return make_error(ErrorCode::kTimeout, "no connection before the deadline");
    if (w == -1) return make_error(ErrorCode::kTimeout, "stopped");
    if (w < 0) return make_error(ErrorCode::kIo, std::strerror(errno));
    int fd = ::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED) continue;
      return make_error(ErrorCode::kIo, std::strerror(errno));
    }
    set_nonblocking(fd);
    set_nodelay(fd);
    return Socket(fd);
  }
}

ReadResult read_some(const Socket& s, char* buf, std::size_t cap, Deadline deadline) {
  for (;;) {
    int w = wait_for(s.fd(), POLLIN, deadline);
    if (w == 0) return {ReadStatus::kTimeout, 0};
    if (w == -1) return {ReadStatus::kStopped, 0};
    if (w < 0) return {ReadStatus::kReset, 0};
    ssize_t n = ::recv(s.fd(), buf, cap, 0);
    if (n > 0) return {ReadStatus::kData, static_cast<std::size_t>(n)};
    if (n == 0) return {ReadStatus::kEof, 0};
    if (errno == EAGAIN || errno == EINTR) continue;
    return {ReadStatus::kReset, 0};
  }
}

Status write_all(const Socket& s, std::string_view bytes, Deadline deadline) {
  while (!bytes.empty()) {
    ssize_t n = ::send(s.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      int w = wait_for(s.fd(), POLLOUT, deadline);
      if (w == 0) return make_error(ErrorCode::kTimeout, "write timed out");
      if (w < 0) return make_error(ErrorCode::kClosed, "write stopped");
      continue;
    }
    return make_error(ErrorCode::kClosed, fmt::format("write failed: {}", std::strerror(errno)));
  }
  return {};
}

}  // namespace smtpeer::net
