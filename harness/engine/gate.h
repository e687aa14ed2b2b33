// Gate: how many connections smtpeer may hold to one target at once, and
// until when nobody may open a new one (after a 421 greeting). Shared by the
// scenario scheduler and the prober (DESIGN.md decision 6).
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "net/socket.h"

namespace smtpeer::engine {

class Gate {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Gate(int cap) : cap_(std::max(1, cap)) {}

  // acquire: wait for a slot; false if the run was stopped.
  bool acquire() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (net::stop_flag().load()) return false;
      auto now = Clock::now();
      if (active_ < cap_ && now >= quiet_until_) {
        ++active_;
        return true;
      }
      auto wake = now >= quiet_until_
                      ? now + std::chrono::milliseconds(100)
                      : std::min(quiet_until_, now + std::chrono::milliseconds(100));
      cv_.wait_until(lock, wake);
    }
  }

  void release() {
    std::lock_guard lock(mu_);
    --active_;
    cv_.notify_all();
  }

  // rate_limited: the server refused with 421: one fewer at once, and quiet
  // for `pause`. Returns the new cap.
  int rate_limited(std::chrono::milliseconds pause) {
    std::lock_guard lock(mu_);
    cap_ = std::max(1, cap_ - 1);
    quiet_until_ = std::max(quiet_until_, Clock::now() + pause);
    return cap_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int cap_;
  int active_ = 0;
  Clock::time_point quiet_until_{};
};

}  // namespace smtpeer::engine
