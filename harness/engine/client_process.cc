#include "engine/client_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <thread>
#include <utility>

// Boost.Process is header-only, but search_path and path-typed executables
// pull in boost::filesystem, which smtpeer does not link: the program is
// resolved here and passed as a plain string.
#include <boost/process.hpp>
#include <boost/process/extend.hpp>

namespace smtpeer::engine {
namespace {

namespace bp = boost::process;
using net::Clock;
using std::chrono::milliseconds;

// ---- Splitting -----------------------------------------------------------

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

Error usage(std::string message) {
  return make_error(ErrorCode::kUsage, std::move(message));
}

// ---- Substitution ----------------------------------------------------------

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

// substitute_into: the work of substitute_placeholders; unknown names are
// collected (not failed on at once) so that one error can list them all.
Status substitute_into(std::string_view word, const std::map<std::string, std::string>& values,
                       std::string& out, std::vector<std::string>& unknown) {
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    if (c == '}') {
      if (i + 1 < word.size() && word[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      return usage("lone '}' in \"" + std::string(word) + "\" (write }} for a literal brace)");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < word.size() && word[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const std::size_t close = word.find('}', i + 1);
    const std::string_view name =
        close == std::string_view::npos ? std::string_view{} : word.substr(i + 1, close - i - 1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char)) {
      return usage("lone '{' in \"" + std::string(word) +
                   "\" (a placeholder is {name}; write {{ for a literal brace)");
    }
    const auto it = values.find(std::string(name));
    if (it == values.end()) {
      if (std::find(unknown.begin(), unknown.end(), name) == unknown.end()) {
        unknown.emplace_back(name);
      }
    } else {
      out += it->second;
    }
    i = close;
  }
  return {};
}

Error unknown_error(const std::vector<std::string>& unknown,
                    const std::map<std::string, std::string>& values) {
  std::string message = "unknown placeholder";
  message += unknown.size() > 1 ? "s" : "";
  for (std::size_t i = 0; i < unknown.size(); ++i) {
    message += (i == 0 ? " {" : ", {") + unknown[i] + "}";
  }
  message += " (known:";
  for (const auto& [name, value] : values) message += " {" + name + "}";
  message += ")";
  return usage(std::move(message));
}

// ---- Finding the program ---------------------------------------------------

std::string env_value(const std::vector<std::string>& env, std::string_view name) {
  for (auto it = env.rbegin(); it != env.rend(); ++it) {
    if (it->size() > name.size() && it->compare(0, name.size(), name) == 0 &&
        (*it)[name.size()] == '=') {
      return it->substr(name.size() + 1);
    }
  }
  const char* inherited = std::getenv(std::string(name).c_str());
  return inherited == nullptr ? std::string{} : std::string(inherited);
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

Result<std::string> resolve_program(const std::string& word, const std::vector<std::string>& env) {
  if (word.empty()) return usage("empty program name");
  if (word.find('/') != std::string::npos) {
    if (is_executable_file(word)) return word;
    return usage(word + ": no such executable file");
  }
  std::string path = env_value(env, "PATH");
  if (path.empty()) path = "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";  // POSIX: an empty PATH entry is the current directory
    std::string candidate = dir + "/" + word;
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return usage(word + ": not found in PATH; install it (ci/install-deps.sh)");
}

// ---- Reading output --------------------------------------------------------

// Output: one of the client's output pipes, read without blocking.
struct Output {
  int fd = -1;
  std::string* text = nullptr;
  bool* truncated = nullptr;
  std::uint64_t* total = nullptr;
};

class Pump {
 public:
  Pump(Output out, Output err, int pidfd, std::size_t max_output)
      : outputs_{out, err}, pidfd_(pidfd), max_(max_output) {}
  ~Pump() {
    for (Output& o : outputs_) close_fd(o);
  }
  Pump(const Pump&) = delete;
  Pump& operator=(const Pump&) = delete;

  bool open() const { return outputs_[0].fd >= 0 || outputs_[1].fd >= 0; }

  // step: wait until output arrives, the child exits (when a pidfd is
  // available) or until, at most 50 ms so a stop request is noticed; then
  // read what is there.
  void step(Clock::time_point until) {
    const auto now = Clock::now();
    auto wait = std::chrono::duration_cast<milliseconds>(until - now) + milliseconds(1);
    wait = std::clamp(wait, milliseconds(0), milliseconds(50));
    std::array<pollfd, 3> fds{};
    nfds_t n = 0;
    for (const Output& o : outputs_) {
      if (o.fd >= 0) fds[n++] = pollfd{o.fd, POLLIN, 0};
    }
    if (pidfd_ >= 0) fds[n++] = pollfd{pidfd_, POLLIN, 0};
    const int rc = ::poll(fds.data(), n, static_cast<int>(wait.count()));
    if (rc > 0) read_available();
  }

  void read_available() {
    for (Output& o : outputs_) {
      while (o.fd >= 0) {
        const ssize_t got = ::read(o.fd, buf_.data(), buf_.size());
        if (got > 0) {
          keep(o, static_cast<std::size_t>(got));
        } else if (got == 0) {
          close_fd(o);
        } else if (errno == EINTR) {
          continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
          break;
        } else {
          close_fd(o);
        }
      }
    }
  }

 private:
  void keep(Output& o, std::size_t n) {
    *o.total += n;
    const std::size_t room = o.text->size() < max_ ? max_ - o.text->size() : 0;
    o.text->append(buf_.data(), std::min(room, n));
    if (n > room) *o.truncated = true;
  }
  static void close_fd(Output& o) {
    if (o.fd >= 0) ::close(o.fd);
    o.fd = -1;
  }

  std::array<Output, 2> outputs_;
  int pidfd_;
  std::size_t max_;
  std::array<char, 65536> buf_{};
};

// Fd: an owned descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// leader_exited: true once the client (the group leader) has exited. It is
// not reaped (WNOWAIT), so its pid, which is the group id, cannot be reused
// while the rest of the group is still being killed.
bool leader_exited(pid_t pid) {
  siginfo_t info{};
  for (;;) {
    if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0) {
      return info.si_pid != 0;
    }
    if (errno != EINTR) return true;  // ECHILD: someone else reaped it (SIGCHLD ignored)
  }
}

// Grace periods (DESIGN.md decision 5: every wait bounded).
constexpr milliseconds kTermGrace{1000};      // SIGTERM to SIGKILL
constexpr milliseconds kDrainAfterExit{500};  // a grandchild may still hold the pipes
constexpr milliseconds kFinalDrain{100};      // after SIGKILL, for bytes already in the pipes

// child_setup: runs in the child between fork and exec (async-signal-safe
// calls only). Own process group, so one kill() reaches every descendant and
// the terminal's Ctrl-C does not; signals smtpeer ignores or blocks (SIGPIPE
// for its sockets) are restored, since exec keeps them; every inherited
// descriptor above stderr is closed at exec, so a client started by one
// thread does not hold another thread's pipes or sockets open. Boost's own
// error pipe is close-on-exec already, so it still reports an exec failure.
void child_setup() {
  ::setpgid(0, 0);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) ::signal(sig, SIG_DFL);
  ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
}

std::string base_name(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Signal names for summaries (strsignal is not thread-safe).
struct SignalName {
  int number;
  std::string_view name;
};
constexpr std::array<SignalName, 10> kSignalNames{{
    {SIGHUP, "SIGHUP"},
    {SIGINT, "SIGINT"},
    {SIGQUIT, "SIGQUIT"},
    {SIGILL, "SIGILL"},
    {SIGABRT, "SIGABRT"},
    {SIGBUS, "SIGBUS"},
    {SIGKILL, "SIGKILL"},
    {SIGSEGV, "SIGSEGV"},
    {SIGPIPE, "SIGPIPE"},
    {SIGTERM, "SIGTERM"},
}};

std::string signal_name(int sig) {
  for (const SignalName& s : kSignalNames) {
    if (s.number == sig) return std::string(s.name);
  }
  return "signal " + std::to_string(sig);
}

std::string seconds(std::int64_t ms) {
  const std::int64_t tenths = (ms + 50) / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

// tail_lines: the last non-empty lines of text, joined by " | ", at most
// max_chars (the end is kept: that is where a client says why it failed).
std::string tail_lines(std::string_view text, int max_lines, std::size_t max_chars) {
  std::vector<std::string_view> lines;
  while (!text.empty() && static_cast<int>(lines.size()) < max_lines) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (text.empty()) break;
    const std::size_t nl = text.find_last_of('\n');
    const std::size_t start = nl == std::string_view::npos ? 0 : nl + 1;
    std::string_view line = text.substr(start);
    while (!line.empty() && (line.back() == '\r' || is_blank(line.back()))) line.remove_suffix(1);
    if (!line.empty()) lines.push_back(line);
    text = text.substr(0, start);
  }
  std::string out;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (!out.empty()) out += " | ";
    out += *it;
  }
  if (out.size() > max_chars) out = "..." + out.substr(out.size() - max_chars);
  return out;
}

}  // namespace

Result<std::vector<std::string>> split_command(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // true once a word started, even if it is '' (empty)
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (is_blank(c)) {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (i + 1 == line.size()) {
        return usage("trailing backslash at column " + std::to_string(i + 1) + " of the command");
      }
      word += line[++i];
    } else if (c == '\'') {
      const std::size_t close = line.find('\'', i + 1);
      if (close == std::string_view::npos) {
        return usage("unterminated single quote at column " + std::to_string(i + 1) +
                     " of the command");
      }
      word.append(line.substr(i + 1, close - i - 1));
      i = close;
    } else if (c == '"') {
      const std::size_t open = i;
      for (++i;; ++i) {
        if (i >= line.size()) {
          return usage("unterminated double quote at column " + std::to_string(open + 1) +
                       " of the command");
        }
        if (line[i] == '"') break;
        if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) {
          ++i;
        }
        word += line[i];
      }
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<std::string> substitute_placeholders(std::string_view word,
                                            const std::map<std::string, std::string>& values) {
  std::string out;
  std::vector<std::string> unknown;
  if (Status st = substitute_into(word, values, out, unknown); !st) return st.error();
  if (!unknown.empty()) return unknown_error(unknown, values);
  return out;
}

namespace {

std::map<std::string, std::string> placeholder_values(const ClientCommand& command,
                                                      std::vector<std::string>& missing) {
  std::map<std::string, std::string> values = command.values;
  values["host"] = command.host;
  if (command.port != 0) {
    values["port"] = std::to_string(command.port);
  } else {
    missing.emplace_back("port");
  }
  if (!command.ca.empty()) {
    values["ca"] = command.ca;
  } else {
    missing.emplace_back("ca");
  }
  return values;
}

// expand_words: substitution over words; names without a value yet ({port}
// before the server listens) are told apart from names nobody knows.
Result<std::vector<std::string>> expand_words(const std::vector<std::string>& words,
                                              const ClientCommand& command) {
  std::vector<std::string> missing;
  const auto values = placeholder_values(command, missing);
  std::vector<std::string> out;
  std::vector<std::string> unknown;
  for (const std::string& word : words) {
    std::string expanded;
    if (Status st = substitute_into(word, values, expanded, unknown); !st) return st.error();
    out.push_back(std::move(expanded));
  }
  std::vector<std::string> unset;
  std::erase_if(unknown, [&](const std::string& name) {
    if (std::find(missing.begin(), missing.end(), name) == missing.end()) return false;
    unset.push_back(name);
    return true;
  });
  if (!unknown.empty()) return unknown_error(unknown, values);
  if (!unset.empty()) {
    return usage("placeholder {" + unset.front() + "} is used but has no value (" +
                 (unset.front() == "port" ? "no port" : "no CA file") + " given)");
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> expand_command(const ClientCommand& command) {
  auto words = split_command(command.command_line);
  if (!words) return words.error();
  if (words->empty()) return usage("empty client command");
  return expand_words(*words, command);
}

ClientRun run_client(const ClientCommand& command, net::Deadline deadline, std::size_t max_output) {
  ClientRun run;
  const auto t0 = Clock::now();
  auto argv = expand_command(command);
  if (!argv) {
    run.error = argv.error().message;
    return run;
  }
  run.argv = std::move(*argv);
  auto env_entries = expand_words(command.env, command);
  if (!env_entries) {
    run.error = "client environment: " + env_entries.error().message;
    return run;
  }
  auto program = resolve_program(run.argv.front(), *env_entries);
  if (!program) {
    run.error = program.error().message;
    return run;
  }
  run.program = *program;

  std::array<int, 2> out_pipe{-1, -1};
  std::array<int, 2> err_pipe{-1, -1};
  if (::pipe2(out_pipe.data(), O_CLOEXEC) != 0) {
    run.error = std::string("pipe: ") + std::strerror(errno);
    return run;
  }
  Fd out_read(out_pipe[0]);
  if (::pipe2(err_pipe.data(), O_CLOEXEC) != 0) {
    ::close(out_pipe[1]);
    run.error = std::string("pipe: ") + std::strerror(errno);
    return run;
  }
  Fd err_read(err_pipe[0]);
  // Boost closes the write ends in smtpeer once the child has them.
  bp::pipe out_pipe_bp(-1, out_pipe[1]);
  bp::pipe err_pipe_bp(-1, err_pipe[1]);

  bp::environment env = boost::this_process::environment();
  for (const std::string& entry : *env_entries) {
    const std::size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) {
      run.error = "client environment: \"" + entry + "\" is not NAME=value";
      return run;
    }
    env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  const std::vector<std::string> args(run.argv.begin() + 1, run.argv.end());

  std::error_code ec;
  bp::child child;
  try {
    child = bp::child(
        bp::exe = run.program, bp::args = args, bp::env = env,
        bp::std_in<bp::null, bp::std_out> out_pipe_bp, bp::std_err > err_pipe_bp,
        bp::extend::on_exec_setup = [](auto&) { child_setup(); },
        // The child wrote why exec failed and exited; Boost does not reap it.
        bp::extend::on_error =
            [](auto& exec, const std::error_code&) {
              if (exec.pid > 0) ::waitpid(exec.pid, nullptr, 0);
            },
        ec);
  } catch (const std::exception& e) {  // Boost may still throw (e.g. bad_alloc)
    run.error = run.argv.front() + ": could not start: " + e.what();
    return run;
  }
  if (ec || !child.valid()) {
    run.error = run.argv.front() + ": could not start: " + ec.message();
    return run;
  }
  run.started = true;
  const pid_t pid = child.id();  // also the process group id (child_setup)

  for (int fd : {out_read.get(), err_read.get()}) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  // pidfd: wakes poll() when the client exits; without it (old kernel) the
  // 50 ms poll slice notices the exit instead.
  // XXX: syscall(), not pidfd_open(): glibc 2.36's <sys/pidfd.h> lacks
  // extern "C", so the C++ declaration does not link.
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  Pump pump({out_read.release(), &run.stdout_text, &run.stdout_truncated, &run.stdout_bytes},
            {err_read.release(), &run.stderr_text, &run.stderr_truncated, &run.stderr_bytes},
            pidfd.get(), max_output);

  auto ended = Clock::time_point{};
  for (;;) {
    if (leader_exited(pid)) break;
    if (net::stop_flag().load()) {
      run.stopped = true;
      break;
    }
    if (Clock::now() >= deadline) {
      run.timed_out = true;
      break;
    }
    pump.step(deadline);
  }
  if (run.timed_out || run.stopped) {
    run.killed = true;
    ::kill(-pid, SIGTERM);
    const auto grace_end = Clock::now() + kTermGrace;
    while (!leader_exited(pid) && Clock::now() < grace_end) pump.step(grace_end);
    if (!leader_exited(pid)) ::kill(-pid, SIGKILL);
    ended = Clock::now();
  } else {
    ended = Clock::now();
    const auto drain_end = std::min(deadline, ended + kDrainAfterExit);
    while (pump.open() && Clock::now() < drain_end && !net::stop_flag().load()) {
      pump.step(drain_end);
    }
  }
  // Nothing of the client outlives the call: whatever is left in its group
  // (a daemonized helper, a background job holding the pipes) goes now. The
  // leader is still unreaped, so the group id cannot name anyone else.
  ::kill(-pid, SIGKILL);
  child.wait(ec);
  if (ec) {
    run.error = "waiting for " + run.argv.front() + ": " + ec.message();
  } else {
    const int status = child.native_exit_code();
    if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  }
  // Bytes already in the pipes are still readable after the writers died;
  // EOF follows unless a process that left the group holds them.
  const auto final_end = Clock::now() + kFinalDrain;
  pump.read_available();
  while (pump.open() && Clock::now() < final_end) pump.step(final_end);
  run.duration_ms = std::chrono::duration_cast<milliseconds>(ended - t0).count();
  return run;
}

std::string summary(const ClientRun& run) {
  const std::string name = run.argv.empty() ? "client" : base_name(run.argv.front());
  if (!run.started) return name + " did not start: " + run.error;
  std::string out = name;
  const std::string after = " after " + seconds(run.duration_ms);
  if (run.timed_out) {
    out += " timed out" + after + " and was killed";
  } else if (run.stopped) {
    out += " was stopped (smtpeer interrupted)" + after;
  } else if (run.signal != 0) {
    out += " was killed by " + signal_name(run.signal) + after;
  } else {
    out += " exited " + std::to_string(run.exit_code) + after;
  }
  if (run.killed && run.signal != 0) out += " (" + signal_name(run.signal) + ")";
  if (!run.error.empty()) out += "; " + run.error;
  const std::string err = tail_lines(run.stderr_text, 3, 300);
  if (!err.empty()) out += "; stderr: " + err;
  if (run.stdout_truncated || run.stderr_truncated) {
    out += "; output truncated (stdout " + std::to_string(run.stdout_bytes) + " bytes, stderr " +
           std::to_string(run.stderr_bytes) + " bytes)";
  }
  return out;
}

}  // namespace smtpeer::engine
