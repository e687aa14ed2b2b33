#include "engine/reference_peer.h"

#include <fmt/format.h>

#include <algorithm>
#include <list>
#include <mutex>
#include <thread>

#include "net/conn.h"
#include "net/socket.h"
#include "smtp/command_parser.h"
#include "tls/pki.h"
#include "tls/self_signed.h"
#include "tls/wire/hello_edit.h"
#include "tls/wire/registry.h"

namespace smtpeer::engine {

using net::Clock;
using net::Deadline;
using net::ReadStatus;
using smtp::Verb;
using std::chrono::milliseconds;

namespace {

constexpr const char* kHostname = kReferenceHostname;
constexpr milliseconds kIdleTimeout{30000};
constexpr milliseconds kHandshakeTimeout{10000};
// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with CRLF.
constexpr std::size_t kCommandLineLimit = 512;

}  // namespace

const std::vector<PeerSpec>& reference_peers() {
  static const std::vector<PeerSpec> peers = [] {
    std::vector<PeerSpec> v;
    v.push_back({"reference-mx",
                 "conformant MX: STARTTLS offered, mail accepted without TLS",
                 {},
                 false,
                 "opportunistic-mx",
                 {},
                 {}});
    v.push_back({"reference-submission",
                 "conformant submission server: TLS required before mail and AUTH",
                 {},
                 true,
                 "submission",
                 {},
                 {}});
    PeerSpec p;
    p = {"knob-pipelined-after-starttls",
         "executes plaintext pipelined behind STARTTLS inside TLS",
         {},
         false,
         "opportunistic-mx",
         {"rfc3207-s1-pipelined-rset", "rfc3207-s2-pipelined-ehlo", "rfc3207-s3-pipelined-noops",
          "rfc3207-s4-pipelined-transaction", "rfc3207-s6-lowercase", "rfc3207-s6-bare-lf",
          "rfc3207-s6-no-crlf", "rfc3207-s6-trailing-space"},
         {"rfc3207-s5-second-write"}};
    p.knobs.execute_pipelined_after_starttls = true;
    v.push_back(p);
    p = {"knob-keeps-state",
         "keeps the EHLO name and the transaction across STARTTLS",
         {},
         false,
         "opportunistic-mx",
         {"rfc3207-s11-state-reset-ehlo", "rfc3207-s12-transaction-reset",
          "rfc3207-s13-ehlo-name-reset"},
         {}};
    p.knobs.keep_state_across_starttls = true;
    v.push_back(p);
    p = {"knob-starttls-after-tls", "advertises and accepts STARTTLS after TLS", {}, false,
         "opportunistic-mx",        {"rfc3207-s10-starttls-after-tls"},          {}};
    p.knobs.starttls_after_tls = true;
    v.push_back(p);
    p = {"knob-starttls-parameters", "accepts \"STARTTLS x\"",       {}, false,
         "opportunistic-mx",         {"rfc3207-s8-starttls-params"}, {}};
    p.knobs.accept_starttls_parameters = true;
    v.push_back(p);
    p = {"knob-tls-not-enforced",
         "is configured to require TLS but does not enforce it",
         {},
         true,
         "submission",
         {"rfc3207-s15-tls-required"},
         {}};
    p.knobs.skip_tls_enforcement = true;
    v.push_back(p);
    p = {"knob-empty-ehlo",
         "accepts an EHLO without a domain",
         {},
         false,
         "opportunistic-mx",
         {"smtp-s19-ehlo-empty"},
         {}};
    p.knobs.accept_empty_ehlo = true;
    v.push_back(p);
    p = {"knob-hangs-after-long-line",
         "stops answering after a command line over 512 octets",
         {},
         false,
         "opportunistic-mx",
         {"smtp-s19-ehlo-long"},
         {}};
    p.knobs.hang_after_long_line = true;
    v.push_back(p);
    p = {"knob-starttls-unadvertised",
         "answers STARTTLS with 220 though it does not advertise it",
         {},
         false,
         "rfc3207",
         {"rfc3207-s9-not-advertised"},
         {}};
    p.knobs.starttls_unadvertised = true;
    v.push_back(p);
    // TLS knobs, caught by the TLS inventory rows (tag tls).
    p = {"knob-tls10", "accepts TLS 1.0 and 1.1", {}, false, "rfc3207", {"tls-t1-protocols"}, {}};
    p.knobs.allow_tls10 = true;
    v.push_back(p);
    p = {"knob-null-suites",
         "accepts suites without encryption (NULL)",
         {},
         false,
         "rfc3207",
         {"tls-t3-weak-suites"},
         {}};
    p.knobs.null_suites = true;
    v.push_back(p);
    auto cert_peer = [&](std::string name, std::string what, PeerCertificate c) {
      PeerSpec q{std::move(name),    std::move(what),        {}, false,
                 "opportunistic-mx", {"tls-t5-certificate"}, {}};
      q.knobs.certificate = c;
      v.push_back(q);
    };
    cert_peer("knob-cert-wrong-name", "presents a certificate for another name",
              PeerCertificate::kWrongName);
    cert_peer("knob-cert-expired", "presents an expired certificate", PeerCertificate::kExpired);
    cert_peer("knob-cert-self-signed", "presents a self-signed certificate",
              PeerCertificate::kSelfSigned);
    cert_peer("knob-cert-rsa1024", "presents a certificate with a 1024-bit RSA key",
              PeerCertificate::kRsa1024);
    p = {"knob-banner-mismatch",
         "greets with a name its certificate is not for",
         {},
         false,
         "opportunistic-mx",
         {"tls-t5-certificate"},
         {}};
    p.knobs.banner_name = "other.smtpeer.invalid";
    v.push_back(p);
    p = {"knob-ignores-fallback-scsv",
         "serves a downgraded hello that carries TLS_FALLBACK_SCSV",
         {},
         false,
         "opportunistic-mx",
         {"tls-s21-fallback-scsv"},
         {}};
    p.knobs.ignore_fallback_scsv = true;
    v.push_back(p);
    return v;
  }();
  return peers;
}

const PeerSpec* find_reference_peer(const std::string& name) {
  for (const auto& p : reference_peers())
    if (p.name == name) return &p;
  return nullptr;
}

// PeerSession: the server role's state machine for one connection.
class PeerSession {
 public:
  enum class State { kGreeting, kCommand, kData, kHandshake, kHung, kClosed };

  PeerSession(const PeerSpec& spec, const tls::Identity& id, net::Socket sock,
              const std::atomic<bool>& stopping)
      : spec_(spec),
        id_(id),
        stopping_(stopping),
        rec_(transcript_, Clock::now()),
        conn_(std::move(sock), rec_, 0) {}

  void run() {
    while (state_ != State::kClosed && !stopping_.load()) {
      switch (state_) {
        case State::kGreeting: do_greeting(); break;
        case State::kCommand: do_command(); break;
        case State::kData: do_data(); break;
        case State::kHandshake: do_handshake(); break;
        case State::kHung: do_hung(); break;
        case State::kClosed: break;
      }
      // The transcript is not kept: a long session must not grow it without bound.
      transcript_.clear();
    }
    conn_.close();
  }

 private:
  void reply(std::string_view text) {
    if (!conn_.send(text, {}, net::deadline_in(milliseconds(5000)))) state_ = State::kClosed;
  }

  // fill: read more input; false (and state closed) on EOF, error or idle timeout.
  bool fill() {
    Deadline idle = Clock::now() + kIdleTimeout;
    while (!stopping_.load()) {
      net::ReadResult r = conn_.read(input_, std::min(idle, Clock::now() + milliseconds(200)));
      if (r.status == ReadStatus::kData) return true;
      if (r.status == ReadStatus::kTimeout && Clock::now() < idle) continue;
      if (r.status == ReadStatus::kTimeout && state_ != State::kHung)
        reply("421 4.4.2 reference.smtpeer.invalid Error: timeout exceeded\r\n");
      break;
    }
    state_ = State::kClosed;
    return false;
  }

  void do_greeting() {
    const std::string& name = spec_.knobs.banner_name;
    reply(fmt::format("220 {} ESMTP smtpeer reference peer\r\n", name.empty() ? kHostname : name));
    if (state_ != State::kClosed) state_ = State::kCommand;
  }

  void do_hung() {
    input_.clear();
    fill();  // read and discard until the client gives up
  }

  bool tls_required_now() const {
    return spec_.require_tls && !conn_.tls_active() && !spec_.knobs.skip_tls_enforcement;
  }

  std::string ehlo_reply(const std::string& name) {
    std::vector<std::string> lines = {fmt::format("{} Hello {} [127.0.0.1]", kHostname, name),
                                      "PIPELINING", "SIZE 10240000", "8BITMIME"};
    bool offer_tls =
        conn_.tls_active() ? spec_.knobs.starttls_after_tls : !spec_.knobs.starttls_unadvertised;
    if (offer_tls) lines.push_back("STARTTLS");
    if (conn_.tls_active() && spec_.require_tls) lines.push_back("AUTH PLAIN LOGIN");
    lines.push_back("ENHANCEDSTATUSCODES");
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i)
      out += fmt::format("250{}{}\r\n", i + 1 == lines.size() ? ' ' : '-', lines[i]);
    return out;
  }

  void do_command() {
    smtp::CommandLimits limits;
    limits.max_line = 4096;
    smtp::CommandParse p = smtp::parse_command(input_, limits);
    if (p.state == smtp::CommandParse::State::kNeedMore) {
      if (spec_.knobs.hang_after_long_line && input_.size() > kCommandLineLimit) {
        state_ = State::kHung;
        return;
      }
      fill();
      return;
    }
    if (p.state == smtp::CommandParse::State::kError) {
      if (spec_.knobs.hang_after_long_line) {
        state_ = State::kHung;
        return;
      }
      reply("500 5.5.2 Error: line too long\r\n");
      state_ = State::kClosed;
      return;
    }
    input_.erase(0, p.consumed);
    const smtp::Command& cmd = p.command;
    if (spec_.knobs.hang_after_long_line && cmd.raw.size() > kCommandLineLimit) {
      state_ = State::kHung;
      return;
    }
    execute(cmd);
  }

  static std::string trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return "";
    auto e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
  }

  void execute(const smtp::Command& cmd) {
    std::string args = trim(cmd.args);
    switch (cmd.verb) {
      case Verb::kEhlo:
      case Verb::kHelo: {
        if (args.empty() && !(cmd.verb == Verb::kEhlo && spec_.knobs.accept_empty_ehlo))
          return reply(fmt::format("501 5.5.4 Syntax: {} hostname\r\n", cmd.verb_text));
        // The knob's server never forgets: not the first name, not the transaction.
        if (!spec_.knobs.keep_state_across_starttls || helo_.empty()) helo_ = args;
        if (!spec_.knobs.keep_state_across_starttls) mail_ = rcpt_ = false;
        if (cmd.verb == Verb::kHelo) return reply(fmt::format("250 {}\r\n", kHostname));
        return reply(ehlo_reply(helo_));
      }
      case Verb::kStarttls: {
        if (!args.empty() && !spec_.knobs.accept_starttls_parameters)
          return reply("501 5.5.4 Syntax: STARTTLS (no parameters allowed)\r\n");
        if (conn_.tls_active() && !spec_.knobs.starttls_after_tls)
          return reply("554 5.5.1 Error: TLS already active\r\n");
        if (helo_.empty()) return reply("503 5.5.1 Error: send EHLO first\r\n");
        reply("220 2.0.0 Ready to start TLS\r\n");
        if (conn_.tls_active()) return;  // the knob answers; a nested handshake is not played
        state_ = State::kHandshake;
        return;
      }
      case Verb::kMail:
        if (tls_required_now()) return must_starttls();
        if (helo_.empty()) return reply("503 5.5.1 Error: send HELO/EHLO first\r\n");
        if (mail_) return reply("503 5.5.1 Error: nested MAIL command\r\n");
        mail_ = true;
        return reply("250 2.1.0 Ok\r\n");
      case Verb::kRcpt:
        if (tls_required_now()) return must_starttls();
        if (!mail_) return reply("503 5.5.1 Error: need MAIL command\r\n");
        rcpt_ = true;
        return reply("250 2.1.5 Ok\r\n");
      case Verb::kData:
        if (tls_required_now()) return must_starttls();
        if (!rcpt_) return reply("503 5.5.1 Error: need RCPT command\r\n");
        reply("354 End data with <CR><LF>.<CR><LF>\r\n");
        state_ = State::kData;
        return;
      case Verb::kRset: mail_ = rcpt_ = false; return reply("250 2.0.0 Ok\r\n");
      case Verb::kNoop: return reply("250 2.0.0 Ok\r\n");
      case Verb::kQuit:
        reply("221 2.0.0 Bye\r\n");
        state_ = State::kClosed;
        return;
      case Verb::kHelp:
        if (tls_required_now()) return must_starttls();
        return reply("214 2.0.0 See RFC 5321\r\n");
      case Verb::kVrfy:
        if (tls_required_now()) return must_starttls();
        return reply("252 2.0.0 Cannot VRFY user, but will accept message\r\n");
      case Verb::kAuth:
        if (!conn_.tls_active()) return must_starttls();
        if (!spec_.require_tls) return reply("503 5.5.1 Error: authentication not enabled\r\n");
        if (authenticated_) return reply("503 5.5.1 Error: already authenticated\r\n");
        authenticated_ = true;
        return reply("235 2.7.0 Authentication successful\r\n");
      default: return reply("500 5.5.2 Error: command not recognized\r\n");
    }
  }

  void must_starttls() { reply("530 5.7.0 Must issue a STARTTLS command first\r\n"); }

  void do_data() {
    for (;;) {
      auto end = input_.find("\r\n.\r\n");
      if (end != std::string::npos || input_.rfind(".\r\n", 0) == 0) {
        std::size_t cut = end != std::string::npos ? end + 5 : 3;
        input_.erase(0, cut);
        mail_ = rcpt_ = false;
        reply("250 2.0.0 Ok: queued (and discarded)\r\n");
        if (state_ != State::kClosed) state_ = State::kCommand;
        return;
      }
      if (input_.size() > (16u << 20)) {
        reply("552 5.3.4 Error: message too big\r\n");
        state_ = State::kClosed;
        return;
      }
      if (!fill()) return;
    }
  }

  void do_handshake() {
    // RFC 3207 §4.2 / RFC 7457 §2.1: plaintext that arrived behind STARTTLS
    // is discarded. Bytes that are already TLS records (a client that sent its
    // ClientHello in the same write) go to the handshake.
    std::string leftover;
    std::string pipelined;
    if (spec_.knobs.ignore_fallback_scsv) {
      // Wait for the whole first record of the hello, then take the SCSV out.
      while (!tls::wire::first_record_size(input_) && input_.size() < 16384 + 5 &&
             (input_.empty() || tls::looks_like_tls_record(input_)) && fill()) {
      }
      if (state_ == State::kClosed) return;
      if (auto edited = tls::wire::without_suite(input_, tls::wire::kFallbackScsv))
        input_ = std::move(*edited);
    }
    // An SSLv2 hello (high bit set) is handshake input too.
    bool handshake_bytes = !input_.empty() && (tls::looks_like_tls_record(input_) ||
                                               (static_cast<unsigned char>(input_[0]) & 0x80));
    if (handshake_bytes)
      leftover = std::move(input_);
    else
      pipelined = std::move(input_);
    input_.clear();
    tls::ServerConfig cfg;
    cfg.cert_pem = id_.cert_pem;
    cfg.key_pem = id_.key_pem;
    // Conformant peers speak TLS 1.2 and 1.3 whatever the system's OpenSSL
    // configuration says; the knobs widen that.
    cfg.min_version = "TLSv1.2";
    if (spec_.knobs.allow_tls10) {
      cfg.min_version = "TLSv1";
      cfg.security_level = 0;
      cfg.ciphers = "DEFAULT:@SECLEVEL=0";
    }
    if (spec_.knobs.null_suites) {
      cfg.security_level = 0;
      // DEFAULT removes eNULL for good ("!eNULL"); ALL leaves it to be added.
      cfg.ciphers = "ALL:eNULL:@SECLEVEL=0";
    }
    if (spec_.knobs.certificate == PeerCertificate::kRsa1024) cfg.security_level = 0;
    auto info = conn_.server_handshake(cfg, leftover, Clock::now() + kHandshakeTimeout);
    if (!info || !info->ok) {
      state_ = State::kClosed;
      return;
    }
    if (!spec_.knobs.keep_state_across_starttls) {
      helo_.clear();
      mail_ = rcpt_ = false;
    }
    if (spec_.knobs.execute_pipelined_after_starttls) input_ = std::move(pipelined);
    state_ = State::kCommand;
  }

  const PeerSpec& spec_;
  const tls::Identity& id_;
  const std::atomic<bool>& stopping_;
  transcript::Transcript transcript_;
  net::Recorder rec_;
  net::Conn conn_;
  State state_ = State::kGreeting;
  std::string input_;
  std::string helo_;
  bool mail_ = false;
  bool rcpt_ = false;
  bool authenticated_ = false;
};

struct ReferencePeer::Impl {
  PeerSpec spec;
  tls::Identity identity;
  net::Socket listener;
  std::uint16_t port = 0;
  std::atomic<bool> stopping{false};
  std::thread acceptor;
  std::mutex mu;
  std::list<std::thread> sessions;

  void accept_loop() {
    while (!stopping.load()) {
      auto sock = net::accept_conn(listener, Clock::now() + milliseconds(200));
      if (!sock) continue;
      std::lock_guard lock(mu);
      sessions.emplace_back([this, s = std::move(sock).value()]() mutable {
        PeerSession session(spec, identity, std::move(s), stopping);
        session.run();
      });
    }
  }
};

ReferencePeer::ReferencePeer(Key, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ReferencePeer::~ReferencePeer() {
  stop();
}

namespace {

// reference_pki: one test PKI for every built-in peer of the process
// (generating keys takes about a second; peers start many times in a run).
Result<const tls::TestPki*> reference_pki() {
  static const Result<tls::TestPki> pki = [] {
    tls::PkiOptions o;
    o.name = kHostname;
    return tls::generate_pki(o);
  }();
  if (!pki) return pki.error();
  return &*pki;
}

}  // namespace

Result<std::string> reference_ca_pem() {
  auto pki = reference_pki();
  if (!pki) return pki.error();
  return (*pki)->ca.cert;
}

Result<std::unique_ptr<ReferencePeer>> ReferencePeer::start(const PeerSpec& spec) {
  auto impl = std::make_unique<Impl>();
  impl->spec = spec;
  auto pki = reference_pki();
  if (!pki) return pki.error();
  const tls::PemPair* pair = &(*pki)->good;
  switch (spec.knobs.certificate) {
    case PeerCertificate::kGood: break;
    case PeerCertificate::kWrongName: pair = &(*pki)->wrong_name; break;
    case PeerCertificate::kExpired: pair = &(*pki)->expired; break;
    case PeerCertificate::kSelfSigned: pair = &(*pki)->self_signed; break;
    case PeerCertificate::kRsa1024: pair = &(*pki)->rsa1024; break;
  }
  impl->identity = tls::Identity{pair->cert + (*pki)->ca.cert, pair->key};
  auto listener = net::listen_tcp("127.0.0.1", 0);
  if (!listener) return listener.error();
  impl->listener = std::move(listener).value();
  impl->port = net::local_port(impl->listener);
  Impl* raw = impl.get();
  impl->acceptor = std::thread([raw] { raw->accept_loop(); });
  return std::make_unique<ReferencePeer>(Key{}, std::move(impl));
}

std::uint16_t ReferencePeer::port() const {
  return impl_->port;
}

void ReferencePeer::stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  if (impl_->acceptor.joinable()) impl_->acceptor.join();
  std::lock_guard lock(impl_->mu);
  for (auto& t : impl_->sessions)
    if (t.joinable()) t.join();
  impl_->listener.close();
}

}  // namespace smtpeer::engine
