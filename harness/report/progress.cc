#include "report/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "report/display_text.h"

namespace smtpeer::report {

namespace {

constexpr std::string_view kEraseLine = "\r\x1b[K";  // to column 0, clear to end of line
constexpr std::size_t kDefaultColumns = 80;

std::string counter(std::size_t done, std::size_t total, bool aligned) {
  std::string d = std::to_string(done);
  const std::string t = std::to_string(total);
  // On a terminal the counter keeps its width so the line does not jitter.
  if (aligned && d.size() < t.size()) d.insert(0, t.size() - d.size(), ' ');
  return "[" + std::string(aligned ? " " : "") + d + "/" + t + "]";
}

void put(std::FILE* out, std::string_view s) {
  std::fwrite(s.data(), 1, s.size(), out);
}

}  // namespace

Progress::Progress(std::FILE* out, bool tty, std::size_t total)
    : out_(out), tty_(tty), total_(total) {}

Progress::~Progress() {
  clear();
}

void Progress::started(const std::string& id) {
  std::lock_guard lock(mu_);
  running_.push_back(terminal_safe(id));
  if (tty_) draw_locked();
}

void Progress::finished(const engine::Verdict& verdict) {
  std::lock_guard lock(mu_);
  const std::string id = terminal_safe(verdict.scenario_id);
  // A scenario may finish without having been started (skipped before it
  // ran); then there is nothing to remove.
  if (const auto it = std::find(running_.rbegin(), running_.rend(), id); it != running_.rend()) {
    running_.erase(std::next(it).base());
  }
  ++done_;
  if (verdict.kind == engine::VerdictKind::kFail) ++failed_;
  if (verdict.kind == engine::VerdictKind::kError) ++errors_;

  std::string word(to_string(verdict.kind));  // "fail" -> "FAIL", as in the text report
  for (char& ch : word) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const std::string detail = word + " " + id + " (" + format_duration(verdict.duration_ms) + ")";
  if (!tty_) {
    put(out_, counter(done_, total_, false) + " " + detail + "\n");
  } else {
    const bool bad =
        verdict.kind == engine::VerdictKind::kFail || verdict.kind == engine::VerdictKind::kError;
    if (bad) {
      erase_locked();
      put(out_, fit_width(detail, columns() - 1) + "\n");
    }
    draw_locked();
  }
  std::fflush(out_);
}

void Progress::message(const std::string& text) {
  std::lock_guard lock(mu_);
  if (tty_) erase_locked();
  put(out_, terminal_safe(text) + "\n");
  if (tty_ && done_ + running_.size() > 0) draw_locked();
  std::fflush(out_);
}

void Progress::clear() {
  std::lock_guard lock(mu_);
  erase_locked();
  std::fflush(out_);
}

void Progress::erase_locked() {
  if (!drawn_) return;
  put(out_, kEraseLine);
  drawn_ = false;
}

void Progress::draw_locked() {
  std::string line = counter(done_, total_, true) + " " + std::to_string(running_.size()) +
                     " running \u00b7 " + std::to_string(failed_) + " failed";
  if (errors_ > 0)
    line += " \u00b7 " + plural(static_cast<std::int64_t>(errors_), "error", "errors");
  if (!running_.empty()) line += " \u00b7 " + running_.back() + " \u2026";
  // One column short of the width: a line that fills the terminal wraps on
  // some terminals, and then \r no longer returns to its start.
  put(out_, std::string(kEraseLine) + fit_width(line, columns() - 1));
  drawn_ = true;
  std::fflush(out_);
}

std::size_t Progress::columns() const {
  winsize ws{};
  if (::ioctl(::fileno(out_), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col;
  return kDefaultColumns;
}

}  // namespace smtpeer::report
