#include "engine/client_session.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <deque>
#include <memory>
#include <optional>

#include "core/bytes.h"
#include "engine/checks.h"
#include "net/conn.h"
#include "smtp/command_parser.h"
#include "smtp/ehlo_parser.h"
#include "tls/session.h"

namespace smtpeer::engine {

using net::Clock;
using net::Deadline;
using net::ReadStatus;
using scenario::Outcome;
using scenario::Step;
using scenario::StepKind;
using std::chrono::milliseconds;

namespace {

// StepResult: what one step decided.
struct StepResult {
  Outcome outcome = Outcome::kContinue;
  std::string detail;        // what was observed, for the summary
  bool from_branch = false;  // decided by an `or` alternative, whose `why` is in detail
  // Set by the engine's own rules, which hold whatever the step says: the
  // clause they cite, and the detail is then the whole explanation.
  std::optional<std::string> clause;
};

std::string hex_prefix(std::string_view bytes, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < n; ++i)
    out += fmt::format("{}{:02x}", i ? " " : "", static_cast<unsigned char>(bytes[i]));
  if (bytes.size() > n) out += " …";
  return out;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// ClientSession: one scenario run. States are the step kinds; do_<kind>
// handles each, run() dispatches.
class ClientSession {
 public:
  ClientSession(const scenario::Scenario& sc, const scenario::Profile& profile,
                const ClientTarget& target, std::atomic<int>& connections)
      : sc_(sc),
        profile_(profile),
        target_(target),
        connections_(connections),
        start_(Clock::now()),
        rec_(transcript_, start_),
        parser_(target.limits) {}

  ScenarioRun run();

 private:
  StepResult dispatch(const Step& step, std::size_t index);
  StepResult do_send(const Step& step, std::size_t index);
  StepResult do_expect(const Step& step);
  StepResult do_silence(const Step& step);
  StepResult do_close(const Step& step);
  StepResult do_starttls(const Step& step);
  StepResult do_reconnect(const Step& step);
  StepResult do_require(const Step& step);

  bool connect();
  Deadline step_deadline(int timeout_ms) const;
  ReplyObservation read_reply(Deadline deadline);
  tls::ClientConfig tls_config(const scenario::TlsOptions& o) const;
  void track_sent_commands(std::string_view bytes);
  const Step* next_starttls_after(std::size_t index) const;

  const scenario::Scenario& sc_;
  const scenario::Profile& profile_;
  const ClientTarget& target_;
  std::atomic<int>& connections_;
  Clock::time_point start_;
  transcript::Transcript transcript_;
  net::Recorder rec_;
  std::unique_ptr<net::Conn> conn_;
  int conn_count_ = 0;
  std::string inbox_;  // application bytes received and not yet parsed
  smtp::ReplyParser parser_;
  std::deque<smtp::Verb> awaiting_;     // commands sent whose replies have not arrived
  std::optional<smtp::EhloInfo> ehlo_;  // last EHLO reply in the current TLS state
  std::vector<std::string> notes_;
  bool sent_on_conn_ = false;  // smtpeer has sent bytes on this connection
  bool rate_limited_ = false;
  std::string error_;  // a harness problem (not the peer's fault)
};

Deadline ClientSession::step_deadline(int timeout_ms) const {
  Deadline scenario_end = start_ + milliseconds(sc_.deadline_ms);
  return std::min(Clock::now() + milliseconds(timeout_ms), scenario_end);
}

bool ClientSession::connect() {
  if (conn_) conn_->close();
  conn_.reset();
  inbox_.clear();
  parser_.reset();
  awaiting_.clear();
  ehlo_.reset();
  sent_on_conn_ = false;
  auto sock = net::connect_tcp(target_.host, target_.port, step_deadline(10000));
  ++connections_;
  int index = conn_count_++;
  transcript::Event e;
  e.dir = transcript::Direction::kLocal;
  e.kind = transcript::EventKind::kConnect;
  e.connection = index;
  if (!sock) {
    e.text = sock.error().message;
    rec_.add(std::move(e));
    error_ = net::stop_flag().load() ? "run stopped" : sock.error().message;
    return false;
  }
  e.text = fmt::format("connected to {}:{}", target_.host, target_.port);
  rec_.add(std::move(e));
  conn_ = std::make_unique<net::Conn>(std::move(sock).value(), rec_, index);
  return true;
}

void ClientSession::track_sent_commands(std::string_view bytes) {
  // Each line sent is a command whose reply is due, in order (RFC 2920 §3.2).
  while (!bytes.empty()) {
    auto nl = bytes.find('\n');
    std::string_view line = bytes.substr(0, nl == std::string_view::npos ? bytes.size() : nl + 1);
    auto sp = line.find_first_of(" \r\n");
    awaiting_.push_back(smtp::verb_from_name(line.substr(0, sp)));
    if (nl == std::string_view::npos) break;
    bytes.remove_prefix(nl + 1);
  }
}

ReplyObservation ClientSession::read_reply(Deadline deadline) {
  ReplyObservation obs;
  obs.in_tls = conn_ && conn_->tls_active();
  if (!conn_) {
    obs.closed = true;
    return obs;
  }
  for (;;) {
    auto step = parser_.feed(inbox_);
    inbox_.erase(0, step.consumed);
    if (step.state == smtp::ReplyParser::State::kReply) {
      obs.reply = parser_.take();
      obs.bytes_behind = inbox_.size();
      if (obs.reply->mixed_codes)
        notes_.push_back(
            fmt::format("reply lines carry different codes (RFC 5321 §4.2.1: the "
                        "code MUST be the same on every line): \"{}\"",
                        escape_bytes(obs.reply->raw, 120)));
      smtp::Verb verb = smtp::Verb::kUnknown;
      if (!awaiting_.empty()) {
        verb = awaiting_.front();
        awaiting_.pop_front();
      }
      if (verb == smtp::Verb::kEhlo && obs.reply->klass() == 2) {
        obs.ehlo = smtp::parse_ehlo(*obs.reply);
        ehlo_ = obs.ehlo;
      }
      return obs;
    }
    if (step.state == smtp::ReplyParser::State::kError) {
      obs.parse_error = parser_.error();
      rec_.note(conn_->index(), "reply parse error: " + parser_.error());
      return obs;
    }
    net::ReadResult r = conn_->read(inbox_, deadline);
    switch (r.status) {
      case ReadStatus::kData: continue;
      case ReadStatus::kTimeout: {
        obs.timeout = true;
        transcript::Event e;
        e.kind = transcript::EventKind::kTimeout;
        e.connection = conn_->index();
        e.text = inbox_.empty() ? "no reply before the deadline"
                                : fmt::format("incomplete reply before the deadline ({} bytes)",
                                              inbox_.size());
        rec_.add(std::move(e));
        return obs;
      }
      case ReadStatus::kStopped:
        error_ = "run stopped";
        obs.timeout = true;
        return obs;
      case ReadStatus::kLimit: obs.limit = true; return obs;
      case ReadStatus::kEof:
      case ReadStatus::kReset: obs.closed = true; return obs;
    }
  }
}

tls::ClientConfig ClientSession::tls_config(const scenario::TlsOptions& o) const {
  tls::ClientConfig cfg;
  cfg.min_version = o.min_version;
  cfg.max_version = o.max_version;
  cfg.ciphers = o.ciphers;
  cfg.ciphersuites = o.ciphersuites;
  cfg.verify = o.verify;
  cfg.security_level = o.security_level;
  cfg.ca_file = target_.ca_file;
  cfg.expect_name = target_.expect_name;
  cfg.cert_file = target_.client_cert;
  cfg.key_file = target_.client_key;
  if (o.sni)
    cfg.sni = *o.sni;
  else if (!target_.sni.empty())
    cfg.sni = target_.sni;
  else if (!is_ip_literal(target_.host))
    cfg.sni = target_.host;
  return cfg;
}

const Step* ClientSession::next_starttls_after(std::size_t index) const {
  for (std::size_t i = index + 1; i < sc_.steps.size(); ++i)
    if (sc_.steps[i].kind == StepKind::kStarttls) return &sc_.steps[i];
  return nullptr;
}

StepResult ClientSession::do_send(const Step& step, std::size_t index) {
  if (!conn_) return {Outcome::kContinue, "not connected"};
  std::string bytes;
  std::string commands;  // the SMTP part of the bytes, whose replies are due
  for (const auto& part : step.parts) {
    if (part.kind == scenario::SendPart::Kind::kBytes) {
      bytes += part.bytes;
      commands += part.bytes;
      continue;
    }
    const Step* st = next_starttls_after(index);
    scenario::TlsOptions opts = st ? st->tls : scenario::TlsOptions{};
    auto hello = conn_->prepare_client_hello(tls_config(opts));
    if (!hello) {
      error_ = "cannot build a ClientHello: " + hello.error().message;
      return {Outcome::kContinue, error_};
    }
    bytes += *hello;
  }
  net::Boundaries b;
  b.split_at = step.plan.split_at;
  b.bytewise = step.plan.bytewise;
  b.delay = milliseconds(step.plan.delay_ms);
  track_sent_commands(commands);
  sent_on_conn_ = true;
  Status st = conn_->send(bytes, b, step_deadline(step.timeout_ms));
  if (!st) rec_.note(conn_->index(), "send failed: " + st.error().message);
  return {};
}

StepResult ClientSession::do_expect(const Step& step) {
  ReplyObservation obs = read_reply(step_deadline(step.timeout_ms));
  // A 421 greeting is how busy servers (Exim: "421 too many connections")
  // refuse; it says nothing about the scenario, so the scheduler retries.
  if (obs.reply && obs.reply->code == 421 && !sent_on_conn_) {
    rate_limited_ = true;
    return {Outcome::kSkip, "rate limited (421 greeting)"};
  }
  std::string seen = describe(obs);
  if (matches(step.expect, obs)) return {Outcome::kContinue, seen};
  for (const auto& alt : step.alternatives) {
    if (!matches(alt.match, obs)) continue;
    if (alt.then == Outcome::kNote || alt.then == Outcome::kContinue) {
      // A command that got no reply in time is given up on, so later
      // replies are matched to the commands sent after it.
      if (obs.timeout && !awaiting_.empty()) awaiting_.pop_front();
      if (alt.then == Outcome::kNote) notes_.push_back(alt.why + " (" + seen + ")");
      return {Outcome::kContinue, seen};
    }
    return {alt.then, alt.why.empty() ? seen : alt.why + " (got " + seen + ")", true};
  }
  return {step.on_mismatch, fmt::format("expected {}; got {}", describe(step.expect), seen)};
}

StepResult ClientSession::do_silence(const Step& step) {
  if (!conn_) return {};
  Deadline until = step_deadline(step.silence_ms);
  if (inbox_.empty()) {
    net::ReadResult r = conn_->read(inbox_, until);
    if (r.status == ReadStatus::kStopped) error_ = "run stopped";
    if (r.status == ReadStatus::kLimit)
      return {step.on_mismatch, "the peer flooded the connection while smtpeer waited in silence"};
    if (r.status == ReadStatus::kEof || r.status == ReadStatus::kReset) {
      rec_.note(conn_->index(), "peer closed while smtpeer waited in silence");
      return {};
    }
  }
  if (inbox_.empty()) return {};
  // Something arrived unprompted: show it, as a reply if it is one.
  std::string what = escape_bytes(inbox_, 120);
  if (auto reply = smtp::parse_reply(inbox_, target_.limits))
    what = fmt::format("reply {} \"{}\"", reply->code, escape_bytes(reply->raw, 100));
  return {step.on_mismatch, fmt::format("{} arrived {} without smtpeer sending anything", what,
                                        conn_->tls_active() ? "inside TLS" : "in plaintext")};
}

StepResult ClientSession::do_close(const Step& step) {
  if (!conn_) return {};
  Deadline until = step_deadline(step.timeout_ms);
  // What may arrive before the close: TLS records (an alert), and a 421
  // line (RFC 5321 §3.8: a server that must close says 421 first; Exim does
  // so in plaintext when a handshake never started). Anything else fails.
  std::string got = std::move(inbox_);
  inbox_.clear();
  std::string fatal_alert;  // a fatal alert ends the TLS attempt even if the socket stays open
  for (;;) {
    // Strip whole TLS records from the front.
    while (!conn_->tls_active() && got.size() >= 5 && tls::looks_like_tls_record(got)) {
      std::size_t len = (static_cast<std::size_t>(static_cast<unsigned char>(got[3])) << 8) |
                        static_cast<unsigned char>(got[4]);
      if (got.size() < 5 + len) break;
      if (got[0] == '\x15' && len >= 2 && got[5] == '\x02')
        fatal_alert = fmt::format("fatal alert {}", static_cast<unsigned char>(got[6]));
      got.erase(0, 5 + len);
    }
    bool partial_record = !conn_->tls_active() && tls::looks_like_tls_record(got);
    if (!got.empty() && !partial_record) {
      auto nl = got.find('\n');
      bool reply = tls::looks_like_smtp_reply(got);
      bool closing = reply && got.rfind("421", 0) == 0;
      if (closing && nl != std::string::npos) {
        notes_.push_back(fmt::format("the server sent \"{}\" before closing",
                                     escape_bytes(got.substr(0, nl + 1), 100)));
        got.erase(0, nl + 1);
        continue;
      }
      if (reply && !closing)
        return {step.on_mismatch, fmt::format("answered with an SMTP reply {}: \"{}\"",
                                              conn_->tls_active() ? "inside TLS" : "in plaintext",
                                              escape_bytes(got, 100))};
      if (!reply && got.size() >= 4)
        return {step.on_mismatch,
                fmt::format("sent bytes that are neither TLS records nor an SMTP reply: \"{}\"",
                            escape_bytes(got, 100))};
    }
    net::ReadResult r = conn_->read(got, until);
    switch (r.status) {
      case ReadStatus::kData: continue;
      case ReadStatus::kEof:
      case ReadStatus::kReset: return {};
      case ReadStatus::kStopped: error_ = "run stopped"; return {};
      case ReadStatus::kLimit:
        return {step.on_mismatch, "the peer flooded the connection instead of closing it"};
      case ReadStatus::kTimeout:
        if (!fatal_alert.empty() && got.empty()) {
          notes_.push_back(
              fmt::format("the server sent a {} but left the connection open for {} "
                          "ms",
                          fatal_alert, step.timeout_ms));
          return {};
        }
        return {step.on_mismatch,
                fmt::format("the connection was still open after {} ms{}", step.timeout_ms,
                            got.empty() ? "" : " (received \"" + escape_bytes(got, 60) + "\")")};
    }
  }
}

StepResult ClientSession::do_starttls(const Step& step) {
  if (!conn_) return {step.on_mismatch, "not connected"};
  std::string leftover = std::move(inbox_);
  inbox_.clear();
  parser_.reset();
  auto info =
      conn_->client_handshake(tls_config(step.tls), leftover, step_deadline(step.timeout_ms));
  if (!info) {
    error_ = "TLS set-up: " + info.error().message;
    return {Outcome::kContinue, error_};
  }
  if (net::stop_flag().load()) {
    error_ = "run stopped";
    return {};
  }
  // RFC 3207 §4.2: the client MUST discard what it learnt before TLS.
  ehlo_.reset();
  awaiting_.clear();
  if (info->ok) {
    int floor = tls::version_from_name(profile_.min_tls_version);
    int got = tls::version_from_name(info->version);
    if (floor > 0 && got > 0 && got < floor)
      return {Outcome::kFail,
              fmt::format("negotiated {} below the profile's minimum {} ({})", info->version,
                          profile_.min_tls_version, info->summary()),
              true, "profile " + profile_.name + " (min_tls_version)"};
    return {Outcome::kContinue, info->summary()};
  }
  const std::string& raw = conn_->handshake_bytes();
  // RFC 3207 §4: after the 220 the server starts the TLS negotiation. Judge
  // the claim, not the shape: a positive plaintext reply there (2xx, 3xx)
  // shows the server executed something it read in plaintext, which fails
  // whatever the step allows for a failed handshake. A plaintext error
  // (4xx, 5xx: "421 timeout", "500 unrecognised") executed nothing; the
  // handshake failed, which the step judges, and the odd reply is a note.
  if (tls::looks_like_smtp_reply(raw)) {
    if (raw[0] == '2' || raw[0] == '3')
      return {Outcome::kFail,
              fmt::format("the server sent a plaintext SMTP reply where its TLS handshake should "
                          "start: \"{}\"",
                          escape_bytes(raw, 120)),
              true, "RFC 3207 §4"};
    notes_.push_back(fmt::format(
        "the server answered in plaintext where its TLS handshake should start, with an error "
        "that executes nothing: \"{}\" (a TLS alert is expected there, RFC 3207 §4)",
        escape_bytes(raw, 120)));
    return {step.on_mismatch, info->summary()};
  }
  std::string detail = info->summary();
  if (!raw.empty() && !tls::looks_like_tls_record(raw))
    detail += fmt::format("; received non-TLS bytes: {}", hex_prefix(raw, 16));
  return {step.on_mismatch, detail};
}

StepResult ClientSession::do_reconnect(const Step&) {
  if (!connect()) return {Outcome::kContinue, error_};
  return {};
}

StepResult ClientSession::do_require(const Step& step) {
  const smtp::EhloInfo* ehlo = ehlo_ ? &*ehlo_ : nullptr;
  if (condition_holds(step.require, profile_, ehlo)) return {};
  return {step.on_mismatch, "condition not met: " + describe(step.require)};
}

StepResult ClientSession::dispatch(const Step& step, std::size_t index) {
  switch (step.kind) {
    case StepKind::kSend: return do_send(step, index);
    case StepKind::kExpect: return do_expect(step);
    case StepKind::kSilence: return do_silence(step);
    case StepKind::kClose: return do_close(step);
    case StepKind::kStarttls: return do_starttls(step);
    case StepKind::kReconnect: return do_reconnect(step);
    case StepKind::kRequire: return do_require(step);
  }
  return {};
}

ScenarioRun ClientSession::run() {
  ScenarioRun run;
  run.verdict = verdict_header(sc_);
  Verdict& v = run.verdict;

  auto finish = [&](VerdictKind kind, std::string summary) {
    v.kind = kind;
    v.summary = std::move(summary);
    v.notes = notes_;
    v.connections = conn_count_;
    if (conn_) conn_->close();
    v.duration_ms = std::chrono::duration_cast<milliseconds>(Clock::now() - start_).count();
    v.evidence = evidence_from(transcript_, 40);
    v.transcript = std::move(transcript_);
    return std::move(run);
  };

  if (!sc_.disabled.empty()) return finish(VerdictKind::kSkip, "disabled: " + sc_.disabled);

  // require steps before any network step are checked without connecting
  // (a profile condition needs no server), with the same rules as later.
  std::size_t first = 0;
  for (; first < sc_.steps.size() && sc_.steps[first].kind == StepKind::kRequire; ++first) {
    const Step& step = sc_.steps[first];
    if (!step.when.empty() && !condition_holds(step.when, profile_, nullptr)) continue;
    StepResult r = do_require(step);
    std::string why = step.why.empty() ? r.detail : step.why;
    switch (r.outcome) {
      case Outcome::kSkip: return finish(VerdictKind::kSkip, why);
      case Outcome::kPass: return finish(VerdictKind::kPass, why);
      case Outcome::kFail:
        v.failed_step = static_cast<int>(first);
        if (step.clause) v.clause = *step.clause;
        return finish(VerdictKind::kFail, why);
      case Outcome::kNote: notes_.push_back(why); break;
      case Outcome::kContinue: break;
    }
  }
  if (!connect()) {
    if (error_ == "run stopped") return finish(VerdictKind::kError, "interrupted");
    run.unreachable = true;
    return finish(VerdictKind::kError, "target unreachable: " + error_);
  }
  for (std::size_t i = first; i < sc_.steps.size(); ++i) {
    const Step& step = sc_.steps[i];
    if (!step.when.empty() && !condition_holds(step.when, profile_, ehlo_ ? &*ehlo_ : nullptr)) {
      rec_.note(conn_ ? conn_->index() : 0,
                fmt::format("step {} passed over: {}", i + 1, describe(step.when)));
      continue;
    }
    StepResult r = dispatch(step, i);
    // A stop request ends the scenario unjudged: what the peer did while
    // smtpeer (and, in the demo, the peer itself) was stopping is no evidence.
    if (net::stop_flag().load()) return finish(VerdictKind::kError, "interrupted");
    if (rate_limited_) {
      run.rate_limited = true;
      return finish(VerdictKind::kSkip, "rate limited: the server greeted with 421");
    }
    if (!error_.empty()) {
      if (error_ == "run stopped") return finish(VerdictKind::kError, "interrupted");
      if (step.kind == StepKind::kReconnect) run.unreachable = true;
      return finish(VerdictKind::kError, fmt::format("step {}: {}", i + 1, error_));
    }
    if (r.outcome == Outcome::kNote) {
      notes_.push_back(step.why.empty() ? r.detail : step.why + " (" + r.detail + ")");
      continue;
    }
    if (r.outcome == Outcome::kContinue) continue;
    std::string label =
        step.label.empty() ? std::string(scenario::to_string(step.kind)) : step.label;
    std::string head = step.why.empty() || r.from_branch || r.clause ? "" : step.why;
    switch (r.outcome) {
      case Outcome::kFail:
        v.failed_step = static_cast<int>(i);
        if (r.clause)
          v.clause = *r.clause;
        else if (step.clause)
          v.clause = *step.clause;
        return finish(VerdictKind::kFail,
                      head.empty()
                          ? fmt::format("step {} ({}): {}", i + 1, label, r.detail)
                          : fmt::format("{} — step {} ({}): {}", head, i + 1, label, r.detail));
      case Outcome::kSkip:
        // The step's own reason first, then what was seen (a require step's
        // detail only restates its condition).
        return finish(VerdictKind::kSkip, head.empty() ? r.detail
                                          : step.kind == StepKind::kRequire
                                              ? head
                                              : fmt::format("{} ({})", head, r.detail));
      case Outcome::kPass:
        // A pass through on_mismatch is an alternative conformant answer:
        // say which, in the scenario's words.
        return finish(VerdictKind::kPass,
                      head.empty() ? r.detail : fmt::format("{} ({})", head, r.detail));
      default: break;
    }
  }
  return finish(VerdictKind::kPass, notes_.empty() ? "conformant" : "conformant, with notes");
}

}  // namespace

std::vector<EvidenceLine> evidence_from(const transcript::Transcript& t, std::size_t max_lines,
                                        bool smtpeer_is_client) {
  std::vector<EvidenceLine> out;
  std::size_t from = t.size() > max_lines ? t.size() - max_lines : 0;
  if (from > 0)
    out.push_back({"*", fmt::format("… {} earlier events in the transcript", from), false});
  const char* us = smtpeer_is_client ? "C" : "S";
  const char* them = smtpeer_is_client ? "S" : "C";
  for (std::size_t i = from; i < t.size(); ++i) {
    const transcript::Event& e = t[i];
    EvidenceLine line;
    line.tls = e.tls;
    switch (e.kind) {
      case transcript::EventKind::kData:
        line.who = e.dir == transcript::Direction::kSent ? us : them;
        line.text = escape_bytes(e.bytes, 300);
        break;
      case transcript::EventKind::kTlsRecords:
        line.who = e.dir == transcript::Direction::kSent ? us : them;
        line.text =
            tls::looks_like_tls_record(e.bytes)
                ? fmt::format("[TLS records, {} bytes: {}]", e.bytes.size(), hex_prefix(e.bytes, 8))
                : escape_bytes(e.bytes, 300);
        break;
      default:
        line.who = "*";
        line.text = e.text;
        break;
    }
    out.push_back(std::move(line));
  }
  return out;
}

Verdict verdict_header(const scenario::Scenario& sc) {
  Verdict v;
  v.scenario_id = sc.id;
  v.title = sc.title;
  v.catalogue = sc.catalogue;
  v.tags = sc.tags;
  v.clause = sc.clause;
  v.requirement = sc.requirement;
  return v;
}

Verdict not_run(const scenario::Scenario& sc) {
  Verdict v = verdict_header(sc);
  v.kind = VerdictKind::kSkip;
  v.summary = "not run: the run was interrupted";
  return v;
}

ScenarioRun run_client_scenario(const scenario::Scenario& sc, const scenario::Profile& profile,
                                const ClientTarget& target, std::atomic<int>& connections) {
  ClientSession session(sc, profile, target, connections);
  return session.run();
}

}  // namespace smtpeer::engine
