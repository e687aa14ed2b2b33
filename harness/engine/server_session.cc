#include "engine/server_session.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>

#include "core/ascii.h"
#include "core/bytes.h"
#include "engine/checks.h"
#include "engine/client_process.h"
#include "engine/client_session.h"
#include "net/conn.h"
#include "net/socket.h"
#include "tls/cert_info.h"
#include "tls/session.h"
#include "tls/wire/raw_flight.h"
#include "tls/wire/registry.h"
#include "tls/wire/server_flight.h"

namespace smtpeer::engine {
namespace {

using Clock = std::chrono::steady_clock;
using net::Deadline;
using net::ReadStatus;
using scenario::Outcome;
using scenario::Step;
using scenario::StepKind;
using std::chrono::milliseconds;

// kMaxCommandLine: a client line longer than this is judged as it stands
// (RFC 5321 §4.5.3.1.4 allows 512 octets; clients are given room, not without bound).
constexpr std::size_t kMaxCommandLine = 16 * 1024;

// CommandObservation: what the client did when a command was expected.
struct CommandObservation {
  enum class Kind { kLine, kClosed, kTimeout };
  Kind kind = Kind::kTimeout;
  std::string line;  // the command line as sent, terminator included
  std::string verb;  // its first word, upper-cased
  bool in_tls = false;
};

std::string describe(const CommandObservation& o) {
  switch (o.kind) {
    case CommandObservation::Kind::kLine:
      return fmt::format("\"{}\"{}", escape_bytes(o.line, 120), o.in_tls ? " inside TLS" : "");
    case CommandObservation::Kind::kClosed: return "the client closed the connection";
    case CommandObservation::Kind::kTimeout: break;
  }
  return "nothing from the client in time";
}

bool matches(const scenario::Match& m, const CommandObservation& o) {
  using Kind = CommandObservation::Kind;
  if (m.closed) return o.kind == Kind::kClosed;
  if (m.timeout) return o.kind == Kind::kTimeout;
  if (o.kind != Kind::kLine) return false;
  if (m.any) return true;
  // A pattern is a verb ("MAIL") or a verb and its first argument ("AUTH PLAIN").
  std::string_view rest(o.line);
  rest = rest.substr(std::min(rest.size(), o.verb.size()));
  rest = rest.substr(std::min(rest.size(), rest.find_first_not_of(' ')));
  std::string_view arg = rest.substr(0, rest.find_first_of(" \r\n"));
  return std::any_of(m.commands.begin(), m.commands.end(), [&](const std::string& c) {
    std::string_view pattern(c);
    auto space = pattern.find(' ');
    if (space == std::string_view::npos) return ascii_iequals(pattern, o.verb);
    return ascii_iequals(pattern.substr(0, space), o.verb) &&
           ascii_iequals(pattern.substr(space + 1), arg);
  });
}

std::string describe_expected(const scenario::Match& m) {
  if (m.closed) return "a close";
  if (m.timeout) return "silence";
  if (m.any) return "any command";
  return fmt::format("{}", fmt::join(m.commands, " or "));
}

struct StepResult {
  Outcome outcome = Outcome::kContinue;
  std::string detail;
  bool from_branch = false;
  std::string clause;  // overrides the step's and the scenario's clause (a rule of the engine)
};

std::array<std::uint8_t, 32> random32() {
  std::array<std::uint8_t, 32> r{};
  if (RAND_bytes(r.data(), static_cast<int>(r.size())) != 1) r.fill(0x42);  // only shapes a hello
  return r;
}

// ServerSession: one accepted connection, the scenario's steps from the server's side.
class ServerSession {
 public:
  // `listener` stays open for reconnect steps; `client_done` says the client
  // process has exited (it cannot connect again).
  ServerSession(const scenario::Scenario& sc, const scenario::Profile& profile,
                const ServerTarget& target, net::Socket sock, Clock::time_point start,
                const net::Socket& listener, const std::atomic<bool>& client_done)
      : sc_(sc),
        profile_(profile),
        target_(target),
        start_(start),
        listener_(listener),
        client_done_(client_done),
        rec_(transcript_, start),
        conn_(std::make_unique<net::Conn>(std::move(sock), rec_, 0)) {}

  Verdict run();
  int connections() const { return conn_index_ + 1; }

 private:
  StepResult dispatch(const Step& step);
  StepResult do_send(const Step& step);
  StepResult do_expect(const Step& step);
  StepResult do_silence(const Step& step);
  StepResult do_close(const Step& step);
  StepResult do_starttls(const Step& step);
  StepResult do_raw_tls(const Step& step);
  StepResult do_reconnect(const Step& step);
  // after_hello: what every ClientHello is checked for, whoever answers it.
  std::optional<StepResult> after_hello(const tls::wire::ClientHelloInfo& hello);
  // skip_tls_records: drop whole TLS records at the front of input_ (what a
  // client writes after smtpeer refused TLS), reading until plaintext, a
  // close or the deadline; says what was dropped.
  std::string skip_tls_records(Deadline deadline);

  CommandObservation read_command(Deadline deadline);
  Deadline step_deadline(int timeout_ms) const {
    return std::min(Clock::now() + milliseconds(timeout_ms),
                    start_ + milliseconds(sc_.deadline_ms));
  }

  const scenario::Scenario& sc_;
  const scenario::Profile& profile_;
  const ServerTarget& target_;
  Clock::time_point start_;
  const net::Socket& listener_;
  const std::atomic<bool>& client_done_;
  transcript::Transcript transcript_;
  net::Recorder rec_;
  std::unique_ptr<net::Conn> conn_;
  int conn_index_ = 0;
  bool closed_ = false;  // smtpeer closed this connection (a raw "close" step)
  std::optional<std::uint16_t> best_version_;  // the highest version any hello offered
  std::string input_;  // client bytes received and not yet taken as a command
  std::vector<std::string> notes_;
  std::string error_;
};

CommandObservation ServerSession::read_command(Deadline deadline) {
  CommandObservation o;
  if (closed_) {
    o.kind = CommandObservation::Kind::kClosed;
    return o;
  }
  for (;;) {
    o.in_tls = conn_->tls_active();
    auto nl = input_.find('\n');
    if (nl != std::string::npos || input_.size() >= kMaxCommandLine) {
      std::size_t n = nl == std::string::npos ? input_.size() : nl + 1;
      o.kind = CommandObservation::Kind::kLine;
      o.line = input_.substr(0, n);
      input_.erase(0, n);
      std::string_view word(o.line);
      word = word.substr(0, word.find_first_of(" \r\n"));
      o.verb.assign(word);
      for (char& c : o.verb) c = ascii_upper(c);
      return o;
    }
    net::ReadResult r = conn_->read(input_, deadline);
    switch (r.status) {
      case ReadStatus::kData: continue;
      case ReadStatus::kTimeout: o.kind = CommandObservation::Kind::kTimeout; return o;
      case ReadStatus::kStopped:
        error_ = "run stopped";
        o.kind = CommandObservation::Kind::kTimeout;
        return o;
      case ReadStatus::kEof:
      case ReadStatus::kReset:
      case ReadStatus::kLimit:
        if (!input_.empty()) {
          // A last line without its terminator still says what the client did.
          input_.push_back('\n');
          continue;
        }
        o.kind = CommandObservation::Kind::kClosed;
        return o;
    }
  }
}

StepResult ServerSession::do_send(const Step& step) {
  std::string bytes;
  for (const auto& part : step.parts) bytes += part.bytes;
  net::Boundaries b;
  b.split_at = step.plan.split_at;
  b.bytewise = step.plan.bytewise;
  b.delay = milliseconds(step.plan.delay_ms);
  if (Status st = conn_->send(bytes, b, step_deadline(10000)); !st)
    return {step.on_mismatch,
            "the client was gone before smtpeer could send: " + st.error().message};
  return {};
}

StepResult ServerSession::do_expect(const Step& step) {
  CommandObservation o = read_command(step_deadline(step.timeout_ms));
  std::string seen = describe(o);
  if (matches(step.expect, o)) return {Outcome::kContinue, seen};
  for (const auto& alt : step.alternatives) {
    if (!matches(alt.match, o)) continue;
    if (alt.then == Outcome::kNote) notes_.push_back(alt.why + " (" + seen + ")");
    if (alt.then == Outcome::kNote || alt.then == Outcome::kContinue)
      return {Outcome::kContinue, seen};
    return {alt.then, alt.why.empty() ? seen : alt.why + " (got " + seen + ")", true};
  }
  return {step.on_mismatch,
          fmt::format("expected {}; got {}", describe_expected(step.expect), seen)};
}

StepResult ServerSession::do_silence(const Step& step) {
  CommandObservation o = read_command(step_deadline(step.silence_ms));
  if (o.kind == CommandObservation::Kind::kLine)
    return {step.on_mismatch,
            fmt::format("the client sent {} while smtpeer stayed silent", describe(o))};
  return {};
}

StepResult ServerSession::do_close(const Step& step) {
  CommandObservation o = read_command(step_deadline(step.timeout_ms));
  if (o.kind == CommandObservation::Kind::kClosed) return {};
  return {step.on_mismatch, o.kind == CommandObservation::Kind::kLine
                                ? fmt::format("the client sent {} instead of closing", describe(o))
                                : "the client kept the connection open"};
}

StepResult ServerSession::do_starttls(const Step& step) {
  // RFC 3207 §4: the client must not send anything after STARTTLS before
  // the 220; plaintext behind it would be taken as the first TLS bytes.
  std::string leftover;
  if (!input_.empty()) {
    if (tls::looks_like_tls_record(input_)) {
      leftover = std::move(input_);
    } else {
      notes_.push_back(fmt::format("the client sent \"{}\" behind STARTTLS before TLS started",
                                   escape_bytes(input_, 80)));
    }
    input_.clear();
  }
  const tls::TestPki& pki = *target_.pki;
  const std::string& which = step.tls.certificate.empty() ? "good" : step.tls.certificate;
  const std::pair<std::string_view, const tls::PemPair*> kCerts[] = {
      {"good", &pki.good},
      {"wrong-name", &pki.wrong_name},
      {"expired", &pki.expired},
      {"not-yet-valid", &pki.not_yet_valid},
      {"self-signed", &pki.self_signed},
      {"rsa1024", &pki.rsa1024},
      {"sha1", &pki.sha1},
      {"ecdsa", &pki.ecdsa}};
  const tls::PemPair* pair = &pki.good;
  for (const auto& [name, p] : kCerts)
    if (name == which) pair = p;
  tls::ServerConfig cfg;
  // The chain as a server sends it: the leaf, then the CA (a self-signed leaf alone).
  cfg.cert_pem = pair->cert + (which == "self-signed" ? std::string() : pki.ca.cert);
  cfg.key_pem = pair->key;
  cfg.min_version = step.tls.min_version;
  cfg.max_version = step.tls.max_version;
  cfg.ciphers = step.tls.ciphers;
  // Weak certificates must be loadable: the client is the one to refuse them.
  cfg.security_level = step.tls.security_level >= 0 ? step.tls.security_level : 0;
  auto info = conn_->server_handshake(cfg, leftover, step_deadline(step.timeout_ms));
  if (!info) {
    error_ = info.error().message;
    return {};
  }
  tls::wire::HelloRead hr = tls::wire::read_client_hello(conn_->handshake_bytes());
  if (hr.state == tls::wire::HelloRead::State::kHello) {
    if (auto verdict = after_hello(hr.hello)) return *verdict;
  }
  if (!info->ok) return {step.on_mismatch, info->summary()};
  return {Outcome::kContinue, info->summary()};
}

std::optional<StepResult> ServerSession::after_hello(const tls::wire::ClientHelloInfo& hello) {
  rec_.note(conn_->index(), tls::wire::describe_hello(hello));
  std::uint16_t v = hello.highest_version();
  // RFC 7507 §4: a hello below the best version the client offered before
  // (a fallback retry) carries TLS_FALLBACK_SCSV, so a server can refuse it.
  if (best_version_ && v < *best_version_ && !hello.fallback_scsv) {
    return StepResult{
        Outcome::kFail,
        fmt::format("the client retried with a hello up to {} after offering {}, without "
                    "TLS_FALLBACK_SCSV (0x5600): a downgrade no server can detect",
                    tls::wire::version_name(v), tls::wire::version_name(*best_version_)),
        true, "RFC 7507 §4"};
  }
  best_version_ = std::max(v, best_version_.value_or(0));
  return std::nullopt;
}

std::string ServerSession::skip_tls_records(Deadline deadline) {
  std::vector<std::string> seen;
  for (;;) {
    tls::wire::RecordParse r = tls::wire::parse_record(input_);
    if (r.state == tls::wire::ParseState::kOk) {
      auto type = static_cast<tls::wire::ContentType>(r.record.type);
      std::string what = type == tls::wire::ContentType::kAlert       ? "an alert"
                         : type == tls::wire::ContentType::kHandshake ? "a handshake record"
                                                                      : "a TLS record";
      if (type == tls::wire::ContentType::kHandshake && !r.record.payload.empty() &&
          r.record.payload[0] == 1)
        what = "a ClientHello";
      if (type == tls::wire::ContentType::kAlert) {
        if (auto a = tls::wire::parse_alert(r.record.payload)) {
          std::string_view name = tls::wire::alert_name(a->description);
          what = fmt::format("alert {}", name.empty() ? "unknown" : name);
        }
      }
      if (seen.empty() || seen.back() != what) seen.push_back(what);
      input_.erase(0, r.consumed);
      continue;
    }
    if (r.state == tls::wire::ParseState::kError) break;  // plaintext: the next step's
    net::ReadResult rr = conn_->read(input_, deadline);
    if (rr.status != ReadStatus::kData) break;
  }
  if (seen.empty()) return "no TLS bytes";
  return fmt::format("{}", fmt::join(seen, ", then "));
}

StepResult ServerSession::do_raw_tls(const Step& step) {
  using tls::wire::ClientAnswer;
  using tls::wire::HelloRead;
  Deadline deadline = step_deadline(step.timeout_ms);
  const std::string& raw = step.tls.raw;
  if (raw == "close") {
    conn_->close();
    closed_ = true;
    return {Outcome::kContinue, "smtpeer closed the connection right after its 220"};
  }
  if (raw == "eof") {
    conn_->shutdown_write();
    std::string after = skip_tls_records(deadline);
    return {Outcome::kContinue,
            "smtpeer half-closed right after its 220; the client sent " + after};
  }
  // The ClientHello first: the flight is fitted to it.
  HelloRead hr;
  for (;;) {
    hr = tls::wire::read_client_hello(input_);
    if (hr.state != HelloRead::State::kNeedMore) break;
    net::ReadResult r = conn_->read(input_, deadline);
    if (r.status == ReadStatus::kData) continue;
    if (r.status == ReadStatus::kStopped) {
      error_ = "run stopped";
      return {};
    }
    if (r.status == ReadStatus::kTimeout && input_.empty())
      return {Outcome::kNote, "the client sent no ClientHello after the 220"};
    return {Outcome::kContinue, "the client closed without completing a ClientHello"};
  }
  if (hr.state == HelloRead::State::kNotTls) {
    // Plaintext behind the 220: the next step reads it as a command.
    return {Outcome::kNote, "the client did not start TLS after the 220 (" + hr.error + ")"};
  }
  input_.erase(0, hr.consumed);
  if (auto verdict = after_hello(hr.hello)) return *verdict;

  auto kind = tls::wire::parse_raw_flight(raw);
  if (!kind) {
    error_ = "internal: unknown raw flight '" + raw + "'";  // the loader checks the name
    return {};
  }
  auto der = tls::pem_to_der(target_.pki->good.cert);
  if (!der) {
    error_ = "the good certificate: " + der.error().message;
    return {};
  }
  tls::wire::FlightPlan plan = tls::wire::build_raw_flight(*kind, hr.hello, *der, random32());
  if (Status st = conn_->send(plan.bytes, {}, deadline); !st)
    return {Outcome::kContinue,
            "the client was gone before smtpeer could answer its hello: " + st.error().message};

  ClientAnswer a;
  for (;;) {
    a = tls::wire::read_client_answer(input_);
    if (a.kind != ClientAnswer::Kind::kNeedMore) break;
    net::ReadResult r = conn_->read(input_, deadline);
    if (r.status == ReadStatus::kData) continue;
    if (r.status == ReadStatus::kStopped) {
      error_ = "run stopped";
      return {};
    }
    if (r.status == ReadStatus::kTimeout)
      return {Outcome::kNote,
              "after " + plan.description + " the client neither aborted nor went on in time"};
    input_.clear();  // a partial record before the close says nothing more
    rec_.note(conn_->index(), "after " + plan.description + " the client closed (aborted)");
    return {Outcome::kContinue,
            "after " + plan.description + " the client closed the connection (aborted)"};
  }
  switch (a.kind) {
    case ClientAnswer::Kind::kAlert:
      input_.erase(0, a.consumed);
      rec_.note(conn_->index(), "after " + plan.description + " the client aborted: " + a.what);
      return {Outcome::kContinue,
              "after " + plan.description + " the client aborted with a " + a.what};
    case ClientAnswer::Kind::kWentOn:
      // The rest of its flight (ChangeCipherSpec, Finished) is not a command:
      // drop it, so a step that follows does not read it as plaintext.
      input_.erase(0, a.consumed);
      (void)skip_tls_records(std::min(deadline, Clock::now() + milliseconds(300)));
      return {step.on_mismatch,
              "after " + plan.description + " the client went on: it sent " + a.what};
    case ClientAnswer::Kind::kPlaintext:
      input_.erase(0, a.consumed);
      return {Outcome::kContinue, "after " + plan.description +
                                      " the client left TLS and wrote plaintext on the connection"};
    case ClientAnswer::Kind::kNeedMore: break;
  }
  return {};
}

StepResult ServerSession::do_reconnect(const Step& step) {
  // The old connection is over: a client retrying opens a new one.
  if (!closed_) conn_->close();
  Deadline until = step_deadline(step.timeout_ms);
  Result<net::Socket> sock = make_error(ErrorCode::kTimeout, "no new connection");
  while (Clock::now() < until && !net::stop_flag().load()) {
    bool exited = client_done_.load();
    sock = net::accept_conn(listener_, std::min(until, Clock::now() + milliseconds(100)));
    // A client that has exited cannot connect again; one already queued still counts.
    if (sock || exited) break;
  }
  if (!sock) {
    return {step.on_mismatch,
            client_done_.load()
                ? "the client exited without connecting again"
                : fmt::format("the client did not connect again within {} ms", step.timeout_ms)};
  }
  ++conn_index_;
  conn_ = std::make_unique<net::Conn>(std::move(*sock), rec_, conn_index_);
  closed_ = false;
  input_.clear();
  rec_.note(conn_index_, "the client connected again");
  return {Outcome::kContinue,
          fmt::format("the client connected again (connection {})", conn_index_ + 1)};
}

StepResult ServerSession::dispatch(const Step& step) {
  switch (step.kind) {
    case StepKind::kSend: return do_send(step);
    case StepKind::kExpect: return do_expect(step);
    case StepKind::kSilence: return do_silence(step);
    case StepKind::kClose: return do_close(step);
    case StepKind::kStarttls: return step.tls.raw.empty() ? do_starttls(step) : do_raw_tls(step);
    case StepKind::kRequire:
      return condition_holds(step.require, profile_, nullptr)
                 ? StepResult{}
                 : StepResult{step.on_mismatch, "the condition does not hold"};
    case StepKind::kReconnect: return do_reconnect(step);
  }
  return {};
}

Verdict ServerSession::run() {
  Verdict v = verdict_header(sc_);
  auto finish = [&](VerdictKind kind, std::string summary) {
    v.kind = kind;
    v.summary = std::move(summary);
    v.notes = notes_;
    v.connections = connections();
    v.duration_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start_).count();
    v.evidence = evidence_from(transcript_, 40, /*smtpeer_is_client=*/false);
    v.transcript = std::move(transcript_);
    return v;
  };
  for (std::size_t i = 0; i < sc_.steps.size(); ++i) {
    const Step& step = sc_.steps[i];
    if (!step.when.empty() && !condition_holds(step.when, profile_, nullptr)) continue;
    StepResult r = dispatch(step);
    if (net::stop_flag().load() || error_ == "run stopped")
      return finish(VerdictKind::kError, "interrupted");
    if (!error_.empty())
      return finish(VerdictKind::kError, fmt::format("step {}: {}", i + 1, error_));
    if (r.outcome == Outcome::kNote) {
      notes_.push_back(step.why.empty() ? r.detail : step.why + " (" + r.detail + ")");
      continue;
    }
    if (r.outcome == Outcome::kContinue) continue;
    std::string label =
        step.label.empty() ? std::string(scenario::to_string(step.kind)) : step.label;
    std::string head = step.why.empty() || r.from_branch ? "" : step.why;
    std::string summary = head.empty()
                              ? fmt::format("step {} ({}): {}", i + 1, label, r.detail)
                              : fmt::format("{} — step {} ({}): {}", head, i + 1, label, r.detail);
    switch (r.outcome) {
      case Outcome::kFail:
        v.failed_step = static_cast<int>(i);
        if (step.clause) v.clause = *step.clause;
        if (!r.clause.empty()) v.clause = r.clause;
        return finish(VerdictKind::kFail, summary);
      case Outcome::kSkip: return finish(VerdictKind::kSkip, head.empty() ? r.detail : head);
      case Outcome::kPass: {
        // A pass that ends the script early still says what was noted on the way.
        std::string why = head.empty() ? r.detail : head;
        return finish(VerdictKind::kPass,
                      notes_.empty() ? why : why + "; with a note: " + notes_.front());
      }
      case Outcome::kNote:
      case Outcome::kContinue: break;
    }
  }
  // Passed: the first note, if any, is what a reader most needs to see.
  return finish(VerdictKind::kPass, notes_.empty() ? "the client behaved as the scenario requires"
                                                   : "passed with a note: " + notes_.front());
}

// run_one: one scenario: listen, start the client, play the server, collect the client.
Verdict run_one(const scenario::Scenario& sc, const scenario::Profile& profile,
                const ServerTarget& target, std::atomic<int>& connections) {
  auto start = Clock::now();
  Deadline end = start + milliseconds(sc.deadline_ms);
  auto listener = net::listen_tcp(target.listen_host, target.listen_port);
  if (!listener) {
    Verdict v = verdict_header(sc);
    v.kind = VerdictKind::kError;
    v.summary = "cannot listen: " + listener.error().message;
    return v;
  }
  ClientCommand cmd;
  cmd.command_line = target.client_cmd;
  cmd.host = target.listen_host;
  cmd.port = net::local_port(*listener);
  cmd.ca = target.ca_file;
  cmd.values = target.values;
  ClientRun client;
  std::atomic<bool> client_done{false};
  std::thread runner([&] {
    client = run_client(cmd, end);
    client_done = true;
  });

  // The client connects once; a client that exits or never comes ends the wait early.
  Deadline accept_until = std::min(end, Clock::now() + target.connect_timeout);
  Result<net::Socket> sock = make_error(ErrorCode::kTimeout, "the client never connected");
  while (Clock::now() < accept_until && !net::stop_flag().load()) {
    bool exited = client_done.load();
    sock = net::accept_conn(*listener, std::min(accept_until, Clock::now() + milliseconds(200)));
    if (sock || exited) break;
  }
  Verdict v;
  if (sock) {
    ServerSession session(sc, profile, target, std::move(*sock), start, *listener, client_done);
    v = session.run();
    // The listener first, then the connection (when `session` goes): a
    // client that retries at once finds the port closed, every time.
    listener->close();
    connections += session.connections();
  } else {
    v = verdict_header(sc);
    v.kind = VerdictKind::kError;
    v.summary = net::stop_flag().load() ? "interrupted" : "the client never connected";
  }
  // The listener stays open while the session runs (a reconnect step takes
  // the retry); closing it now refuses any later one.
  listener->close();
  runner.join();
  v.evidence.push_back({"*", "client: " + summary(client), false});
  // The client's own account, whole (as bounded by run_client), goes into
  // the scenario's transcript (OUT/<id>.jsonl) next to the wire.
  if (client.started) {
    auto add_note = [&](std::string text) {
      transcript::Event e;
      e.t_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
      e.text = std::move(text);
      v.transcript.push_back(std::move(e));
    };
    add_note("client argv: " + fmt::format("{}", fmt::join(client.argv, " ")));
    add_note("client: " + summary(client));
    if (!client.stdout_text.empty()) add_note("client stdout:\n" + client.stdout_text);
    if (!client.stderr_text.empty()) add_note("client stderr:\n" + client.stderr_text);
  }
  if (!client.started) {
    v.kind = VerdictKind::kError;
    v.summary = "the client could not be started: " + client.error;
  } else if (client.signal == SIGPIPE && !client.killed) {
    // Writing to a connection smtpeer had closed, with SIGPIPE not ignored:
    // an abrupt exit, but the kernel's doing, not a crash on input.
    v.notes.push_back(
        "the client was killed by SIGPIPE writing to a connection smtpeer had closed");
  } else if (client.signal != 0 && !client.killed) {
    // Engine rule, whatever the steps said: a client that dies of a signal
    // smtpeer did not send crashed on what the peer sent it (C15 and all).
    v.kind = VerdictKind::kFail;
    v.summary = fmt::format("the client crashed: {}", summary(client));
  } else if (client.timed_out) {
    v.notes.push_back("the client was still running at the scenario's deadline and was killed");
  }
  v.duration_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
  return v;
}

}  // namespace

RunReport run_server_suite(const std::vector<scenario::Scenario>& scenarios,
                           const scenario::Profile& profile, const ServerTarget& target,
                           const SuiteOptions& options) {
  RunReport report;
  report.target = "client: " + target.client_cmd;
  report.profile = profile.name;
  report.started_at = now_iso8601();
  auto t0 = Clock::now();
  std::atomic<int> connections{0};
  // One client at a time by default: clients under test may share files (a
  // queue, a config), and a fixed --listen port takes one scenario at once.
  // With port 0 and --parallel N, N scenarios run at once, each with its
  // own listener and client.
  std::size_t workers = target.listen_port == 0 && options.parallel > 1
                            ? std::min<std::size_t>(options.parallel, scenarios.size())
                            : 1;
  std::vector<Verdict> verdicts(scenarios.size());
  std::atomic<std::size_t> next{0};
  std::mutex callbacks;
  auto work = [&] {
    for (std::size_t i = next++; i < scenarios.size(); i = next++) {
      const scenario::Scenario& sc = scenarios[i];
      if (net::stop_flag().load()) {
        verdicts[i] = not_run(sc);
        continue;
      }
      if (options.on_start) {
        std::lock_guard lock(callbacks);
        options.on_start(sc.id);
      }
      Verdict v;
      if (!sc.disabled.empty()) {
        v = verdict_header(sc);
        v.kind = VerdictKind::kSkip;
        v.summary = "disabled: " + sc.disabled;
      } else {
        v = run_one(sc, profile, target, connections);
      }
      if (options.on_finish) {
        std::lock_guard lock(callbacks);
        options.on_finish(v);
      }
      verdicts[i] = std::move(v);
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  report.verdicts = std::move(verdicts);
  report.interrupted = net::stop_flag().load();
  report.connections = connections.load();
  report.duration_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
  return report;
}

}  // namespace smtpeer::engine
