#include "engine/reference_client.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <vector>

#include "net/conn.h"
#include "net/socket.h"
#include "smtp/ehlo_parser.h"
#include "smtp/reply_parser.h"
#include "tls/cert_info.h"
#include "tls/session.h"
#include "transcript/event.h"

namespace smtpeer::engine {

namespace {

using namespace std::chrono_literals;

constexpr std::array<ClientFlawInfo, 7> kFlaws{{
    {ClientFlaw::kNone, "good", "requires TLS, verifies the certificate, RFC 3207 done right"},
    {ClientFlaw::kOpportunistic, "opportunistic",
     "goes on in plaintext without STARTTLS; does not verify (curl --ssl -k)"},
    {ClientFlaw::kNoVerify, "no-verify", "requires TLS but accepts any certificate"},
    {ClientFlaw::kActsOnInjection, "acts-on-injection",
     "reads bytes buffered behind the 220 as its post-TLS EHLO reply (CVE-2021-22947 class)"},
    {ClientFlaw::kReusesPreTlsCaps, "reuses-pre-tls-caps",
     "picks its AUTH mechanism from the EHLO reply before TLS"},
    {ClientFlaw::kAcceptsLegacyTls, "accepts-legacy-tls",
     "allows TLS 1.0 and security level 0; does not verify"},
    {ClientFlaw::kPlaintextRetry, "plaintext-retry",
     "after a failed handshake, delivers again in plaintext"},
}};

// Policy: every decision a flaw can change. One row per kind: a flaw changes
// the row of the conformant client in its own place only.
struct Policy {
  bool require_tls;             // no STARTTLS, no delivery (RFC 3207 §6 "require TLS")
  bool verify;                  // chain to ca_file and name (RFC 8314 §5)
  const char* min_version;      // lowest TLS version offered
  int security_level;           // OpenSSL security level; -1 = default
  bool trust_bytes_behind_220;  // RFC 7457 §2.1 says the buffer must be empty
  bool auth_from_pre_tls_caps;  // RFC 3207 §4.2 says forget them
  bool retry_in_plaintext;      // after a failed handshake
};

struct PolicyRow {
  ClientFlaw flaw;
  Policy policy;
};

constexpr Policy kConformant{true, true, "TLSv1.2", -1, false, false, false};

constexpr std::array<PolicyRow, 7> kPolicies{{
    {ClientFlaw::kNone, kConformant},
    {ClientFlaw::kOpportunistic, {false, false, "TLSv1.2", -1, false, false, false}},
    {ClientFlaw::kNoVerify, {true, false, "TLSv1.2", -1, false, false, false}},
    {ClientFlaw::kActsOnInjection, {true, true, "TLSv1.2", -1, true, false, false}},
    {ClientFlaw::kReusesPreTlsCaps, {true, true, "TLSv1.2", -1, false, true, false}},
    {ClientFlaw::kAcceptsLegacyTls, {true, false, "TLSv1", 0, false, false, false}},
    {ClientFlaw::kPlaintextRetry, {true, true, "TLSv1.2", -1, false, false, true}},
}};

Policy policy_of(ClientFlaw flaw) {
  for (const PolicyRow& row : kPolicies)
    if (row.flaw == flaw) return row.policy;
  return kConformant;
}

// kAuthMechanisms: the SASL mechanisms the client can do, in the order it
// prefers them (RFC 4616 PLAIN, the de-facto LOGIN).
constexpr std::array<std::string_view, 2> kAuthMechanisms{"PLAIN", "LOGIN"};

constexpr std::size_t kMaxLog = 64u << 10;
constexpr std::size_t kMaxLoggedLinesPerReply = 20;
constexpr std::size_t kMaxLoggedLine = 200;

// printable: bytes as a log shows them: control and non-ASCII bytes escaped,
// long text cut (the log is evidence, not a copy of the flood).
std::string printable(std::string_view bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (out.size() >= kMaxLoggedLine) {
      out += fmt::format("…({} bytes)", bytes.size());
      break;
    }
    auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\')
      out += static_cast<char>(c);
    else if (c == '\r')
      out += "\\r";
    else if (c == '\n')
      out += "\\n";
    else
      out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

bool is_ip_literal(const std::string& name) {
  unsigned char buf[16];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

// handshake_failure: why a handshake failed, certificate problems first
// (they are what a verifying client is for). OpenSSL only says "certificate
// verify failed" when it stops the handshake itself, so the chain the server
// sent is checked again here for the reason a -v client would print.
std::string handshake_failure(const tls::HandshakeInfo& info, const tls::ClientConfig& cfg) {
  bool cert_refused =
      info.verify_result != 0 || info.error.find("certificate verify failed") != std::string::npos;
  if (cert_refused) {
    std::string why = info.verify_error;
    if (why.empty() && !info.peer_chain.empty()) {
      tls::ChainVerdict chain =
          tls::verify_chain(info.peer_chain, cfg.ca_file, std::chrono::system_clock::now());
      if (!chain.verified)
        why = chain.error;
      else if (!cfg.expect_name.empty() && !tls::name_matches(info.peer_chain[0], cfg.expect_name))
        why = fmt::format("hostname mismatch (the certificate is not for {})", cfg.expect_name);
    }
    return "certificate verify failed: " + (why.empty() ? info.error : why);
  }
  std::string why = "TLS handshake failed";
  if (!info.error.empty()) why += ": " + info.error;
  if (!info.alert_received.empty()) why += "; server sent alert " + info.alert_received;
  if (!info.alert_sent.empty()) why += "; sent alert " + info.alert_sent;
  return why;
}

// TlsMode: what this connection does about STARTTLS.
enum class TlsMode {
  kRequired,       // no TLS, no delivery
  kOpportunistic,  // TLS when offered, plaintext otherwise
  kNever,          // the plaintext retry: STARTTLS is not even tried
};

// Client: the state machine, one handler per state (do_<state>), driven by run().
class Client {
 public:
  explicit Client(const ReferenceClientOptions& options)
      : opt_(options), policy_(policy_of(options.flaw)) {}

  int run();
  std::string take_log() { return std::move(log_); }

 private:
  enum class State {
    kConnect,
    kGreeting,
    kEhlo,
    kHelo,
    kStartTls,
    kHandshake,
    kTlsEhlo,
    kAuth,
    kMail,
    kRcpt,
    kData,
    kQuit,   // send QUIT (and wait for 221 if the dialogue is still sound), close
    kClose,  // close without a word
    kDone,
  };

  State do_connect();
  State do_greeting();
  State do_ehlo();
  State do_helo();
  State do_starttls();
  State do_handshake();
  State do_tls_ehlo();
  State do_auth();
  State do_auth_plain();
  State do_auth_login();
  State do_mail();
  State do_rcpt();
  State do_data();
  State do_quit();
  State do_close();

  // finish: record how the run ends, say why, and choose the way out.
  State finish(int code, std::string why, State next);
  // broken: the dialogue failed on an I/O or parse error (exit 4).
  State broken(const Error& e);

  void log(std::string line);
  [[nodiscard]] Status send_command(std::string_view line, std::string_view shown,
                                    bool allow_buffered = false);
  [[nodiscard]] Result<smtp::Reply> read_reply(std::chrono::milliseconds timeout);
  [[nodiscard]] Result<smtp::Reply> command(std::string_view line, std::string_view shown);
  tls::ClientConfig tls_config() const;

  const ReferenceClientOptions& opt_;
  Policy policy_;
  transcript::Transcript transcript_;  // Conn wants a recorder; the log is what counts here
  std::unique_ptr<net::Recorder> recorder_;
  std::unique_ptr<net::Conn> conn_;
  TlsMode mode_ = TlsMode::kRequired;
  bool retried_ = false;
  std::string inbuf_;  // bytes received and not yet parsed into a reply
  smtp::ReplyParser parser_;
  smtp::EhloInfo caps_;          // what the server advertised last
  smtp::EhloInfo pre_tls_caps_;  // kept only so that the kReusesPreTlsCaps flaw can misuse it
  int exit_ = kClientBroken;
  bool log_full_ = false;
  std::string log_;
};

void Client::log(std::string line) {
  if (log_full_) return;
  if (log_.size() + line.size() + 1 > kMaxLog) {
    log_full_ = true;
    line = "* log limit reached: further lines are not kept";
  }
  if (opt_.echo) opt_.echo(line);
  log_ += line;
  log_ += '\n';
}

int Client::run() {
  mode_ = policy_.require_tls ? TlsMode::kRequired : TlsMode::kOpportunistic;
  State state = State::kConnect;
  // Every state either advances or ends the run, and the one loop back
  // (kHandshake → kConnect) is taken once: the run is bounded.
  for (int steps = 0; state != State::kDone && steps < 64; ++steps) {
    switch (state) {
      case State::kConnect: state = do_connect(); break;
      case State::kGreeting: state = do_greeting(); break;
      case State::kEhlo: state = do_ehlo(); break;
      case State::kHelo: state = do_helo(); break;
      case State::kStartTls: state = do_starttls(); break;
      case State::kHandshake: state = do_handshake(); break;
      case State::kTlsEhlo: state = do_tls_ehlo(); break;
      case State::kAuth: state = do_auth(); break;
      case State::kMail: state = do_mail(); break;
      case State::kRcpt: state = do_rcpt(); break;
      case State::kData: state = do_data(); break;
      case State::kQuit: state = do_quit(); break;
      case State::kClose: state = do_close(); break;
      case State::kDone: break;
    }
  }
  static constexpr std::array<std::string_view, 5> kMeaning{
      "message accepted", "the server refused", "TLS required and not available",
      "TLS handshake failed", "the dialogue broke"};
  log(fmt::format("exit {}: {}", exit_,
                  exit_ >= 0 && exit_ < static_cast<int>(kMeaning.size()) ? kMeaning[exit_] : "?"));
  return exit_;
}

Client::State Client::finish(int code, std::string why, State next) {
  exit_ = code;
  if (!why.empty()) log(std::move(why));
  return next;
}

Client::State Client::broken(const Error& e) {
  exit_ = kClientBroken;
  log("abort: " + e.message);
  // A closed connection takes no QUIT; a timed-out or garbled one gets a
  // QUIT on the way out, without waiting for its answer.
  return e.code == ErrorCode::kClosed ? State::kClose : State::kQuit;
}

Status Client::send_command(std::string_view line, std::string_view shown, bool allow_buffered) {
  // The client never pipelines, so bytes waiting when it is about to speak
  // answer nothing it said: replies stacked by the server or by someone in
  // the path (RFC 2920 §3.1: replies are taken in order, each for its command).
  if (!inbuf_.empty() && !allow_buffered)
    return make_error(ErrorCode::kProtocol,
                      fmt::format("{} bytes arrived that answer no command: \"{}\"", inbuf_.size(),
                                  printable(inbuf_)));
  log(fmt::format("> {}", shown));
  std::string bytes = std::string(line) + "\r\n";
  if (Status st = conn_->send(bytes, {}, net::deadline_in(opt_.read_timeout)); !st)
    return make_error(ErrorCode::kClosed, "cannot send: " + st.error().message);
  return {};
}

Result<smtp::Reply> Client::read_reply(std::chrono::milliseconds timeout) {
  // One deadline for the whole reply: a server that drips a byte a second
  // cannot stretch it.
  net::Deadline deadline = net::deadline_in(timeout);
  for (;;) {
    smtp::ReplyParser::Step step = parser_.feed(inbuf_);
    inbuf_.erase(0, step.consumed);
    if (step.state == smtp::ReplyParser::State::kError) {
      std::string why = parser_.error();
      parser_.reset();
      return make_error(ErrorCode::kProtocol, "malformed reply: " + why);
    }
    if (step.state == smtp::ReplyParser::State::kReply) {
      smtp::Reply reply = parser_.take();
      std::size_t shown = 0, start = 0;
      while (start < reply.raw.size()) {
        std::size_t end = reply.raw.find('\n', start);
        if (end == std::string::npos) end = reply.raw.size();
        std::string_view line(reply.raw.data() + start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (shown++ < kMaxLoggedLinesPerReply) log("< " + printable(line));
        start = end + 1;
      }
      if (shown > kMaxLoggedLinesPerReply)
        log(fmt::format("< …({} more lines)", shown - kMaxLoggedLinesPerReply));
      // RFC 5321 §4.2.1: every line of a reply carries the same code.
      if (reply.mixed_codes)
        return make_error(ErrorCode::kProtocol, "malformed reply: lines with different codes");
      return reply;
    }
    net::ReadResult r = conn_->read(inbuf_, deadline);
    switch (r.status) {
      case net::ReadStatus::kData: break;
      case net::ReadStatus::kTimeout:
      case net::ReadStatus::kStopped:
        return make_error(ErrorCode::kTimeout,
                          fmt::format("no complete reply within {} ms", timeout.count()));
      case net::ReadStatus::kEof:
        return make_error(ErrorCode::kClosed, "the server closed the connection");
      case net::ReadStatus::kReset:
        return make_error(ErrorCode::kClosed, "the connection was reset");
      case net::ReadStatus::kLimit:
        return make_error(ErrorCode::kLimit, "the server sent too many bytes");
    }
  }
}

Result<smtp::Reply> Client::command(std::string_view line, std::string_view shown) {
  if (Status st = send_command(line, shown); !st) return st.error();
  return read_reply(opt_.read_timeout);
}

tls::ClientConfig Client::tls_config() const {
  tls::ClientConfig cfg;
  cfg.min_version = policy_.min_version;
  cfg.security_level = policy_.security_level;
  cfg.verify = policy_.verify;
  cfg.ca_file = opt_.ca_file;
  // The name is always checked so the log can say what verification would
  // have found; only a verifying client stops on it. RFC 6066 §3: SNI
  // carries host names, never address literals.
  cfg.expect_name = opt_.server_name;
  if (!is_ip_literal(opt_.server_name)) cfg.sni = opt_.server_name;
  return cfg;
}

Client::State Client::do_connect() {
  conn_.reset();
  recorder_ = std::make_unique<net::Recorder>(transcript_, net::Clock::now());
  inbuf_.clear();
  parser_.reset();
  caps_ = {};
  pre_tls_caps_ = {};
  auto socket = net::connect_tcp(opt_.host, opt_.port, net::deadline_in(opt_.read_timeout));
  if (!socket)
    return finish(kClientBroken,
                  fmt::format("abort: cannot connect to {}:{}: {}", opt_.host, opt_.port,
                              socket.error().message),
                  State::kDone);
  conn_ = std::make_unique<net::Conn>(std::move(socket).value(), *recorder_, retried_ ? 1 : 0);
  log(fmt::format("* connected to {} port {}{}", opt_.host, opt_.port,
                  mode_ == TlsMode::kNever ? " (plaintext, no STARTTLS)" : ""));
  return State::kGreeting;
}

Client::State Client::do_greeting() {
  auto reply = read_reply(opt_.read_timeout);
  if (!reply) return broken(reply.error());
  if (reply->klass() != 2)
    return finish(kClientRefused, fmt::format("abort: the server greeted with {}", reply->code),
                  State::kQuit);
  return State::kEhlo;
}

Client::State Client::do_ehlo() {
  auto reply = command("EHLO " + opt_.ehlo_name, "EHLO " + opt_.ehlo_name);
  if (!reply) return broken(reply.error());
  if (reply->klass() == 5) {
    // A client that requires TLS cannot fall back to HELO: HELO has no
    // STARTTLS (RFC 3207 §4 needs the EHLO keyword).
    if (mode_ == TlsMode::kRequired)
      return finish(
          kClientNoTls,
          fmt::format("abort: EHLO refused with {}; HELO would mean no STARTTLS", reply->code),
          State::kQuit);
    log(fmt::format("* EHLO refused with {}: falling back to HELO", reply->code));
    return State::kHelo;
  }
  if (reply->klass() != 2)
    return finish(kClientRefused, fmt::format("abort: EHLO answered {}", reply->code),
                  State::kQuit);
  caps_ = smtp::parse_ehlo(*reply);
  pre_tls_caps_ = caps_;
  if (mode_ == TlsMode::kNever) return State::kAuth;
  if (caps_.has("STARTTLS")) return State::kStartTls;
  if (mode_ == TlsMode::kRequired)
    return finish(kClientNoTls, "abort: STARTTLS not offered and TLS is required", State::kQuit);
  log("* STARTTLS not offered: going on in plaintext");
  return State::kAuth;
}

Client::State Client::do_helo() {
  auto reply = command("HELO " + opt_.ehlo_name, "HELO " + opt_.ehlo_name);
  if (!reply) return broken(reply.error());
  if (reply->klass() != 2)
    return finish(kClientRefused, fmt::format("abort: HELO answered {}", reply->code),
                  State::kQuit);
  caps_ = {};
  log("* HELO: no extensions, no STARTTLS: going on in plaintext");
  return State::kAuth;
}

Client::State Client::do_starttls() {
  auto reply = command("STARTTLS", "STARTTLS");
  if (!reply) return broken(reply.error());
  if (reply->code != 220) {
    if (mode_ == TlsMode::kRequired)
      return finish(kClientNoTls,
                    fmt::format("abort: STARTTLS answered {} and TLS is required", reply->code),
                    State::kQuit);
    log(fmt::format("* STARTTLS answered {}: going on in plaintext", reply->code));
    return State::kAuth;
  }
  if (!inbuf_.empty()) {
    // RFC 7457 §2.1: when TLS starts, the plaintext input buffer must be
    // empty; anything in it was put there before the protection began, by
    // the server or by someone in the path.
    log(fmt::format("* {} bytes already buffered behind the 220: \"{}\"", inbuf_.size(),
                    printable(inbuf_)));
    if (!policy_.trust_bytes_behind_220)
      return finish(kClientNoTls,
                    "abort: bytes behind the 220 to STARTTLS (reply injection): closing "
                    "without TLS",
                    State::kClose);
  }
  return State::kHandshake;
}

Client::State Client::do_handshake() {
  tls::ClientConfig cfg = tls_config();
  log(fmt::format(
      "* TLS handshake: {} minimum{}, {}", cfg.min_version,
      cfg.security_level >= 0 ? fmt::format(", security level {}", cfg.security_level) : "",
      cfg.verify ? fmt::format("verifying against {} for {}",
                               cfg.ca_file.empty() ? "(no CA file)" : cfg.ca_file, cfg.expect_name)
                 : "certificate not verified"));
  auto result = conn_->client_handshake(cfg, "", net::deadline_in(opt_.read_timeout));
  if (!result)
    return finish(kClientTlsFailed, "abort: cannot set up TLS: " + result.error().message,
                  State::kClose);
  const tls::HandshakeInfo& info = *result;
  if (!info.ok) {
    finish(kClientTlsFailed, "abort: " + handshake_failure(info, cfg), State::kClose);
    if (policy_.retry_in_plaintext && !retried_) {
      conn_->close();
      retried_ = true;
      mode_ = TlsMode::kNever;
      log("* retrying in plaintext, without STARTTLS");
      return State::kConnect;
    }
    return State::kClose;
  }
  std::string cert;
  if (info.peer_subject.empty())
    cert = "no certificate";
  else if (cfg.verify)
    cert = fmt::format("certificate {} verified", info.peer_subject);
  else
    cert = fmt::format("certificate {} not checked (verification would say: {})", info.peer_subject,
                       info.verify_result == 0 ? "ok" : info.verify_error);
  log(fmt::format("TLS: {} {}; {}", info.version, info.cipher, cert));
  // RFC 3207 §4.2: the client MUST discard any knowledge obtained from the
  // server which was not obtained from the TLS negotiation itself.
  caps_ = {};
  if (!policy_.trust_bytes_behind_220) inbuf_.clear();
  return State::kTlsEhlo;
}

Client::State Client::do_tls_ehlo() {
  // RFC 3207 §4.2: the first command after TLS SHOULD be EHLO.
  if (Status st = send_command("EHLO " + opt_.ehlo_name, "EHLO " + opt_.ehlo_name,
                               policy_.trust_bytes_behind_220);
      !st)
    return broken(st.error());
  auto reply = read_reply(opt_.read_timeout);
  if (!reply) return broken(reply.error());
  if (reply->klass() != 2)
    return finish(kClientRefused, fmt::format("abort: EHLO inside TLS answered {}", reply->code),
                  State::kQuit);
  caps_ = smtp::parse_ehlo(*reply);
  // RFC 3207 §4.2: a client MUST NOT attempt to start TLS if it is already active.
  if (caps_.has("STARTTLS")) log("* STARTTLS advertised again inside TLS: ignored");
  return State::kAuth;
}

Client::State Client::do_auth() {
  // RFC 4954 §4: no password mechanism over plaintext. Every kind keeps to
  // this, so a plaintext continuation shows MAIL, never credentials.
  if (!conn_->tls_active()) {
    log("* no AUTH without TLS");
    return State::kMail;
  }
  const smtp::EhloInfo& list = policy_.auth_from_pre_tls_caps ? pre_tls_caps_ : caps_;
  const smtp::Capability* auth = list.find("AUTH");
  if (auth == nullptr) {
    log("* AUTH not offered: sending without it");
    return State::kMail;
  }
  for (std::string_view mech : kAuthMechanisms) {
    if (!list.has_param("AUTH", mech)) continue;
    return mech == "PLAIN" ? do_auth_plain() : do_auth_login();
  }
  std::string offered;
  for (const std::string& p : auth->params) offered += (offered.empty() ? "" : " ") + p;
  log(fmt::format("* no usable AUTH mechanism (offered: {}): sending without AUTH",
                  printable(offered)));
  return State::kMail;
}

Client::State Client::do_auth_plain() {
  // RFC 4616 §2: authzid NUL authcid NUL passwd.
  std::string token = base64(std::string(1, '\0') + opt_.user + '\0' + opt_.password);
  auto reply = command("AUTH PLAIN " + token, "AUTH PLAIN [credentials]");
  if (!reply) return broken(reply.error());
  if (reply->code != 235)
    return finish(kClientRefused, fmt::format("abort: AUTH PLAIN answered {}", reply->code),
                  State::kQuit);
  return State::kMail;
}

Client::State Client::do_auth_login() {
  struct Round {
    std::string line;
    std::string_view shown;
    int expect;
  };
  const std::array<Round, 3> rounds{{{"AUTH LOGIN", "AUTH LOGIN", 334},
                                     {base64(opt_.user), "[username]", 334},
                                     {base64(opt_.password), "[password]", 235}}};
  for (const Round& round : rounds) {
    auto reply = command(round.line, round.shown);
    if (!reply) return broken(reply.error());
    if (reply->code != round.expect)
      return finish(
          kClientRefused,
          fmt::format("abort: AUTH LOGIN answered {} (expected {})", reply->code, round.expect),
          State::kQuit);
  }
  return State::kMail;
}

Client::State Client::do_mail() {
  std::string line = fmt::format("MAIL FROM:<{}>", opt_.from);
  auto reply = command(line, line);
  if (!reply) return broken(reply.error());
  if (reply->klass() != 2)
    return finish(kClientRefused, fmt::format("abort: MAIL answered {}", reply->code),
                  State::kQuit);
  return State::kRcpt;
}

Client::State Client::do_rcpt() {
  std::string line = fmt::format("RCPT TO:<{}>", opt_.to);
  auto reply = command(line, line);
  if (!reply) return broken(reply.error());
  if (reply->klass() != 2)
    return finish(kClientRefused, fmt::format("abort: RCPT answered {}", reply->code),
                  State::kQuit);
  return State::kData;
}

Client::State Client::do_data() {
  auto reply = command("DATA", "DATA");
  if (!reply) return broken(reply.error());
  if (reply->code != 354)
    return finish(kClientRefused, fmt::format("abort: DATA answered {}", reply->code),
                  State::kQuit);
  // No line of the message starts with '.', so no dot-stuffing is needed
  // (RFC 5321 §4.5.2).
  std::string message = fmt::format(
      "From: <{}>\r\nTo: <{}>\r\nSubject: smtpeer reference client\r\n\r\n"
      "A test message from smtpeer's reference SMTP client.\r\n.\r\n",
      opt_.from, opt_.to);
  if (!inbuf_.empty())
    return broken(make_error(
        ErrorCode::kProtocol,
        fmt::format("{} bytes arrived behind the 354: \"{}\"", inbuf_.size(), printable(inbuf_))));
  log(fmt::format("> (message, {} bytes)", message.size() - 3));
  log("> .");
  if (Status st = conn_->send(message, {}, net::deadline_in(opt_.read_timeout)); !st)
    return broken(make_error(ErrorCode::kClosed, "cannot send: " + st.error().message));
  auto end = read_reply(opt_.read_timeout);
  if (!end) return broken(end.error());
  if (end->klass() != 2)
    return finish(kClientRefused, fmt::format("abort: the message was refused with {}", end->code),
                  State::kQuit);
  return finish(kClientDelivered, "* message accepted", State::kQuit);
}

Client::State Client::do_quit() {
  // QUIT is sent whatever is buffered: nothing more is read from that.
  inbuf_.clear();
  if (!send_command("QUIT", "QUIT").ok()) return State::kClose;
  // After a timeout or a garbled reply, waiting for 221 could only wait again.
  if (exit_ != kClientBroken)
    (void)read_reply(std::min(opt_.read_timeout, std::chrono::milliseconds(2000)));
  return State::kClose;
}

Client::State Client::do_close() {
  if (conn_) conn_->close();
  log("* connection closed");
  return State::kDone;
}

}  // namespace

std::span<const ClientFlawInfo> client_flaws() {
  return kFlaws;
}

std::string_view to_string(ClientFlaw flaw) {
  for (const ClientFlawInfo& f : kFlaws)
    if (f.flaw == flaw) return f.name;
  return "?";
}

std::optional<ClientFlaw> parse_client_flaw(std::string_view name) {
  for (const ClientFlawInfo& f : kFlaws)
    if (f.name == name) return f.flaw;
  return std::nullopt;
}

ReferenceClientResult run_reference_client(const ReferenceClientOptions& options) {
  ReferenceClientResult result;
  try {
    Client client(options);
    result.exit_code = client.run();
    result.log = client.take_log();
  } catch (const std::exception& e) {
    // XXX: only allocation can throw here; the promise is no exceptions
    // across the module boundary, so it becomes an exit code.
    result.exit_code = kClientBroken;
    result.log += fmt::format("abort: internal error: {}\n", e.what());
  }
  return result;
}

}  // namespace smtpeer::engine
