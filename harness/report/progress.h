// Progress: what a long run shows while it runs, so that nobody wonders
// whether it hangs.
//
// On a terminal, one status line rewritten in place,
//   [ 12/40] 3 running · 1 failed · rfc3207-s1-pipelined-rset …
// with a permanent line for each FAIL or ERROR as it happens, and the
// status line cleared at the end. Elsewhere (CI logs, pipes), one line per
// finished scenario:
//   [12/40] FAIL rfc3207-s1-pipelined-rset (1.2 s)
// The scheduler calls it from worker threads; every member is thread-safe.
#pragma once

#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "engine/verdict.h"

namespace smtpeer::report {

class Progress {
 public:
  // out is not owned; tty selects the in-place status line; total is the
  // number of scenarios the run will report.
  Progress(std::FILE* out, bool tty, std::size_t total);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();  // calls clear()

  void started(const std::string& id);
  void finished(const engine::Verdict& verdict);
  // message: a line of its own (a warning, "waiting 30 s after 421"), kept
  // above the status line.
  void message(const std::string& text);
  // clear: removes the status line (before the final report is printed).
  // Later calls draw it again.
  void clear();

 private:
  void erase_locked();
  void draw_locked();
  std::size_t columns() const;

  std::mutex mu_;
  std::FILE* out_;
  bool tty_;
  std::size_t total_;
  std::size_t done_ = 0;
  std::size_t failed_ = 0;
  std::size_t errors_ = 0;
  std::vector<std::string> running_;  // ids, in start order
  bool drawn_ = false;                // a status line is on the screen
};

}  // namespace smtpeer::report
