// Socket: an owned TCP socket with deadline-bounded connect, read and write.
// Every wait in smtpeer is bounded by a Deadline (DESIGN.md decision 5), and
// waits are sliced so a stop request (SIGINT) is noticed within ~100 ms.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace smtpeer::net {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

inline Deadline deadline_in(std::chrono::milliseconds ms) {
  return Clock::now() + ms;
}

class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() { close(); }

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void close();

 private:
  int fd_ = -1;
};

enum class ReadStatus {
  kData,     // n > 0 bytes read
  kTimeout,  // the deadline passed
  kEof,      // the peer closed (FIN)
  kReset,    // the peer reset (RST) or another socket error
  kStopped,  // the run was asked to stop
  kLimit,    // the peer sent more than smtpeer accepts on one connection
};
std::string_view to_string(ReadStatus s);

struct ReadResult {
  ReadStatus status = ReadStatus::kTimeout;
  std::size_t n = 0;
};

// stop_flag: set by the CLI's signal handler; every wait checks it.
std::atomic<bool>& stop_flag();

// connect_tcp: resolve host (numeric or name) and connect within the deadline.
// The socket has TCP_NODELAY, so one write() leaves as one segment.
Result<Socket> connect_tcp(const std::string& host, std::uint16_t port, Deadline deadline);

// listen_tcp: a listening socket on host:port (port 0 = the kernel picks).
Result<Socket> listen_tcp(const std::string& host, std::uint16_t port);
std::uint16_t local_port(const Socket& s);

// accept_conn: wait for one connection until the deadline (kTimeout error).
Result<Socket> accept_conn(const Socket& listener, Deadline deadline);

// read_some: wait for readable data until the deadline, then read up to cap.
ReadResult read_some(const Socket& s, char* buf, std::size_t cap, Deadline deadline);

// write_all: write every byte (as few write() calls as the kernel allows).
Status write_all(const Socket& s, std::string_view bytes, Deadline deadline);

// split_host_port: "host:port", "[v6]:port"; error message names the input.
Result<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text);

}  // namespace smtpeer::net
