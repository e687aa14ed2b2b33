// run_client: starts one SMTP client under test (curl, swaks, msmtp, Python
// smtplib, Postfix's smtp) against smtpeer's fake server, and brings back its
// exit status and output as evidence. The client runs without a shell, in its
// own process group, and nothing of it outlives the call: on the deadline or a
// stop request the whole group is sent SIGTERM, then SIGKILL after 1 s; when
// the client exits on its own, whatever it left behind in its group is killed
// too. Boost.Process is used in client_process.cc only (it is heavy to
// compile), so this header includes no Boost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "net/socket.h"

namespace smtpeer::engine {

// ClientCommand: how to start one client. command_line is split into words
// like a shell would (split_command) but never run by one; then each word
// has its {placeholders} replaced (substitute_placeholders), so a value with
// spaces stays one word. {host}, {port} and {ca} come from the fields of the
// same name, any other {name} from values; {{ and }} are literal braces.
struct ClientCommand {
  std::string command_line;  // e.g. "curl --ssl-reqd --cacert {ca} smtp://{host}:{port}"
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: {port} is an error (no server yet)
  std::string ca;          // PEM file of the CA the client should trust; empty: {ca} is an error
  std::map<std::string, std::string> values;  // further placeholders, e.g. {"from", "a@b"}
  // env: "NAME=value" entries set on top of smtpeer's own environment; values
  // take placeholders too (SSL_CERT_FILE={ca}). A PATH given here is also the
  // one searched for the program.
  std::vector<std::string> env;
};

// split_command: shell-like word splitting without a shell. Blanks separate
// words; '...' is literal; "..." is literal except \" and \\; a backslash
// outside quotes takes the next character literally. '' and "" give an empty
// word. An unterminated quote or a trailing backslash is a kUsage error
// naming the column.
[[nodiscard]] Result<std::vector<std::string>> split_command(std::string_view line);

// substitute_placeholders: one word with every {name} replaced from values.
// Names not in values are a kUsage error listing all of them; a lone { or }
// is an error too (write {{ or }}), so a typo never reaches the client.
[[nodiscard]] Result<std::string> substitute_placeholders(
    std::string_view word, const std::map<std::string, std::string>& values);

// expand_command: split_command then substitute_placeholders on every word
// (with host, port, ca and values); unknown names from all words are
// reported in one error.
[[nodiscard]] Result<std::vector<std::string>> expand_command(const ClientCommand& command);

// ClientRun: what became of one client process. Filled as far as it got: a
// client that never started has started = false and error says why.
struct ClientRun {
  std::vector<std::string> argv;  // after substitution, argv[0] as written
  std::string program;            // the file executed (argv[0] resolved through PATH)
  bool started = false;
  std::string error;                     // why it did not start, or what went wrong while waiting
  int exit_code = -1;                    // the status it exited with; -1 if it died by a signal
  int signal = 0;                        // the signal that ended it (0: it exited)
  bool timed_out = false;                // the deadline passed while it was running
  bool stopped = false;                  // net::stop_flag() was set while it was running
  bool killed = false;                   // smtpeer signalled it (timed_out or stopped)
  std::string stdout_text, stderr_text;  // the first max_output bytes of each
  bool stdout_truncated = false, stderr_truncated = false;
  std::uint64_t stdout_bytes = 0, stderr_bytes = 0;  // all bytes seen, kept or not
  std::int64_t duration_ms = 0;                      // from start until it ended
};

// run_client: run the command until it exits, the deadline passes or
// net::stop_flag() is set. stdin is /dev/null; stdout and stderr are read
// concurrently, max_output bytes each. Output a lingering grandchild writes
// after the client exited is read for at most 500 ms (never past the
// deadline). Safe to call from several threads at once.
ClientRun run_client(const ClientCommand& command, net::Deadline deadline,
                     std::size_t max_output = std::size_t{1} << 20);

// summary: one line for evidence, e.g. "curl exited 35 after 0.3 s; stderr:
// curl: (35) ...": how it ended, then the last lines of stderr (bounded).
std::string summary(const ClientRun& run);

}  // namespace smtpeer::engine
