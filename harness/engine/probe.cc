#include "engine/probe.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "engine/gate.h"
#include "engine/scheduler.h"
#include "net/socket.h"
#include "smtp/ehlo_parser.h"
#include "smtp/reply_parser.h"
#include "tls/session.h"
#include "tls/wire/client_hello.h"
#include "tls/wire/registry.h"
#include "tls/wire/server_flight.h"

namespace smtpeer::engine {

namespace wire = tls::wire;
using Clock = std::chrono::steady_clock;

const ProtocolSeen* ProbeResult::protocol(std::uint16_t version) const {
  for (const ProtocolSeen& p : protocols)
    if (p.version == version) return &p;
  return nullptr;
}

std::uint16_t ProbeResult::best_version() const {
  std::uint16_t best = 0;
  for (const ProtocolSeen& p : protocols)
    if (p.accepted && p.version != wire::kSsl2) best = std::max(best, p.version);
  if (best == 0 && protocol(wire::kSsl2) && protocol(wire::kSsl2)->accepted) best = wire::kSsl2;
  return best;
}

namespace {

// --corpus bounds: distinct flights kept, and bytes of each.
constexpr std::size_t kMaxCorpusFiles = 64;
constexpr std::size_t kMaxCorpusBytes = 64 * 1024;

// The versions probed, oldest first (the order of ProbeResult::protocols).
constexpr std::uint16_t kVersions[] = {wire::kSsl2,  wire::kSsl3,  wire::kTls10,
                                       wire::kTls11, wire::kTls12, wire::kTls13};

// Groups a TLS 1.3 server may pick (RFC 8446 §4.2.7, RFC 8734), x25519 first
// because it is the one smtpeer sends a key share for.
constexpr std::uint16_t kTls13Groups[] = {29, 23, 24, 25, 30, 256, 257, 258, 259, 260, 31, 32, 33};
constexpr std::uint16_t kX25519 = 29;

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    // Randomness only keeps hellos from looking replayed; a counter would do.
    static std::atomic<unsigned> counter{0};
    unsigned c = ++counter;
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>((c >> (8 * (i % 4))) ^ i);
  }
  return out;
}

// suites_for: every registry suite a hello of `version` may offer, in
// registry order (SCSVs are added by the hello when wanted).
std::vector<std::uint16_t> suites_for(std::uint16_t version) {
  std::vector<std::uint16_t> out;
  for (const wire::CipherSuite& s : wire::cipher_suites()) {
    if (s.kx == wire::Kx::kScsv) continue;
    if (version == wire::kTls13) {
      if (wire::is_tls13(s)) out.push_back(s.id);
    } else if (!wire::is_tls13(s) && s.min_version <= version) {
      out.push_back(s.id);
    }
  }
  return out;
}

std::vector<std::uint16_t> ec_groups() {
  std::vector<std::uint16_t> out;
  for (const wire::NamedGroup& g : wire::named_groups())
    if (!g.ffdhe && g.id < 0xff00) out.push_back(g.id);
  // x25519 and the NIST curves first: old servers stop at the first they know.
  std::stable_partition(out.begin(), out.end(),
                        [](std::uint16_t g) { return g == 29 || g == 23 || g == 24 || g == 25; });
  return out;
}

std::vector<std::uint16_t> all_signature_schemes() {
  std::vector<std::uint16_t> out;
  for (const wire::SignatureScheme& s : wire::signature_schemes()) out.push_back(s.id);
  return out;
}

std::string suite_name(std::uint16_t id) {
  if (const wire::CipherSuite* s = wire::find_suite(id)) return std::string(s->name);
  return fmt::format("0x{:04x}", id);
}

// Answer: what one hello got back.
struct Answer {
  enum class Kind {
    kFlight,   // a ServerHello (or SSLv2 SERVER-HELLO) and what followed
    kAlert,    // an alert before any ServerHello
    kClosed,   // the server closed (or reset) without a ServerHello
    kTimeout,  // no answer in time
    kNotTls,   // bytes that are not TLS
    kNoTls,    // the connection never reached the TLS switch (see detail)
  };
  Kind kind = Kind::kNoTls;
  wire::Flight flight;
  std::string detail;
  std::string raw;  // the server's bytes after the hello (bounded), for the corpus
};

std::string describe(const Answer& a) {
  switch (a.kind) {
    case Answer::Kind::kFlight:
      if (a.flight.sslv2) return "SSLv2 SERVER-HELLO";
      if (a.flight.hello)
        return fmt::format(
            "{} {} {}", a.flight.hello->hello_retry_request ? "HelloRetryRequest" : "ServerHello",
            wire::version_name(a.flight.hello->version), suite_name(a.flight.hello->suite));
      return "flight without ServerHello";
    case Answer::Kind::kAlert: {
      const auto& al = *a.flight.alert;
      std::string_view name = wire::alert_name(al.description);
      return fmt::format("alert {}",
                         name.empty() ? fmt::format("{}", al.description) : std::string(name));
    }
    case Answer::Kind::kClosed: return "connection closed";
    case Answer::Kind::kTimeout: return "no answer (timeout)";
    case Answer::Kind::kNotTls: return "not TLS: " + a.detail;
    case Answer::Kind::kNoTls: return a.detail;
  }
  return "?";
}

// TlsLink: an OpenSSL session over a socket that reached the TLS switch,
// for the connections that complete a handshake and talk SMTP inside it.
class TlsLink {
 public:
  TlsLink(const net::Socket& sock, tls::Session& session) : sock_(sock), s_(session) {}

  // handshake: true when it completed; `leftover` arrived behind the 220.
  bool handshake(std::string_view leftover, net::Deadline deadline) {
    if (!leftover.empty()) s_.feed(leftover);
    char buf[16384];
    for (;;) {
      tls::Session::Step st = s_.handshake();
      std::string out = s_.drain();
      if (!out.empty() && !net::write_all(sock_, out, deadline)) return false;
      if (st == tls::Session::Step::kDone) return true;
      if (st != tls::Session::Step::kWantRead) return false;
      net::ReadResult rr = net::read_some(sock_, buf, sizeof buf, deadline);
      if (rr.status != net::ReadStatus::kData) return false;
      s_.feed(std::string_view(buf, rr.n));
    }
  }

  Status send(std::string_view text, net::Deadline deadline) {
    if (Status st = s_.write(text); !st) return st;
    return net::write_all(sock_, s_.drain(), deadline);
  }

  Result<smtp::Reply> reply(const smtp::ReplyLimits& limits, net::Deadline deadline) {
    smtp::ReplyParser parser(limits);
    char buf[16384];
    for (;;) {
      auto step = parser.feed(plain_);
      plain_.erase(0, step.consumed);
      if (step.state == smtp::ReplyParser::State::kReply) return parser.take();
      if (step.state == smtp::ReplyParser::State::kError)
        return make_error(ErrorCode::kProtocol, "malformed reply: " + parser.error());
      tls::Session::ReadState rs = s_.read(plain_);
      if (std::string out = s_.drain(); !out.empty()) (void)net::write_all(sock_, out, deadline);
      if (rs == tls::Session::ReadState::kData) continue;
      if (rs != tls::Session::ReadState::kWantRead)
        return make_error(ErrorCode::kClosed, "the connection was closed inside TLS");
      net::ReadResult rr = net::read_some(sock_, buf, sizeof buf, deadline);
      if (rr.status != net::ReadStatus::kData)
        return make_error(ErrorCode::kClosed,
                          fmt::format("no reply inside TLS ({})", net::to_string(rr.status)));
      s_.feed(std::string_view(buf, rr.n));
    }
  }

 private:
  const net::Socket& sock_;
  tls::Session& s_;
  std::string plain_;
};

class Prober {
 public:
  explicit Prober(const ProbeOptions& o)
      : o_(o), gate_(o.parallel), deadline_(Clock::now() + o.deadline) {
    const ClientTarget& t = o_.target;
    if (!t.sni.empty())
      sni_ = t.sni;
    else if (!is_ip_literal(t.host))
      sni_ = t.host;
  }

  ProbeResult run();

 private:
  // Reaching the TLS switch: connect, greeting, EHLO, STARTTLS, 220.
  struct Dialed {
    net::Socket sock;
    std::string leftover;  // bytes behind the 220 (a server speaking first)
    std::string greeting;
    bool starttls_offered = false;
  };
  Result<Dialed> dial(net::Deadline deadline, bool& rate_limited);
  Result<Dialed> dial_with_retries();
  Result<smtp::Reply> read_reply(const net::Socket& s, std::string& buf, net::Deadline deadline);

  Answer exchange(const std::string& hello);
  // ask: exchange, retried when the connection never reached the TLS switch
  // (a late greeting, a reset); what still fails is noted as incomplete.
  Answer ask(const std::string& hello, const std::string& what);
  void certificate_handshake(ProbeResult& r);
  ClientCertTry try_client_cert(const std::string& name);
  void probe_client_certs(ProbeResult& r);

  wire::ClientHelloSpec hello_for(std::uint16_t version, std::vector<std::uint16_t> suites) const;
  void probe_version(std::uint16_t version, ProtocolSeen& out);
  void probe_order(ProtocolSeen& p);
  void probe_groups_tls13(const ProtocolSeen& p, std::vector<std::uint16_t>& found);
  void probe_groups_tls12(const ProtocolSeen& p, std::vector<std::uint16_t>& found);
  void probe_features(ProbeResult& r);
  void probe_fallback(ProbeResult& r);
  void probe_sni(ProbeResult& r);
  void note_flight(const wire::Flight& f, std::uint16_t version);
  void progress(const std::string& msg) {
    if (o_.on_progress) o_.on_progress(msg);
  }
  // stopped: the run was interrupted, or the probe's own deadline passed
  // (noted once as incomplete: a server answering every hello just before
  // the read timeout must not stretch the probe to hours).
  bool stopped() {
    if (net::stop_flag().load()) return true;
    if (Clock::now() < deadline_) return false;
    std::lock_guard lock(mu_);
    if (!deadline_noted_) {
      deadline_noted_ = true;
      incomplete_.push_back(
          fmt::format("the probe's deadline ({} s) passed",
                      std::chrono::duration_cast<std::chrono::seconds>(o_.deadline).count()));
    }
    return true;
  }

  const ProbeOptions& o_;
  Gate gate_;
  std::string sni_;
  std::atomic<int> connections_{0};
  std::atomic<int> rate_limited_{0};
  std::mutex mu_;  // guards what follows
  std::map<std::string, std::pair<std::vector<std::string>, std::string>>
      leaves_;  // leaf DER → chain, source
  std::vector<std::string> leaf_order_;
  std::vector<std::string> incomplete_;
  std::set<std::string> corpus_;  // distinct server flights, for --corpus
  std::string banner_name_;       // from the first connection's greeting
  Clock::time_point deadline_;
  bool deadline_noted_ = false;
  bool saw_tls12_hello_ = false;
  bool saw_renegotiation_info_ = false;
};

Result<smtp::Reply> Prober::read_reply(const net::Socket& s, std::string& buf,
                                       net::Deadline deadline) {
  smtp::ReplyParser parser(o_.target.limits);
  for (;;) {
    auto step = parser.feed(buf);
    buf.erase(0, step.consumed);
    if (step.state == smtp::ReplyParser::State::kReply) return parser.take();
    if (step.state == smtp::ReplyParser::State::kError)
      return make_error(ErrorCode::kProtocol, "malformed reply: " + parser.error());
    char tmp[4096];
    net::ReadResult r = net::read_some(s, tmp, sizeof tmp, deadline);
    if (r.status != net::ReadStatus::kData)
      return make_error(
          r.status == net::ReadStatus::kTimeout ? ErrorCode::kTimeout : ErrorCode::kClosed,
          fmt::format("no reply ({})", net::to_string(r.status)));
    buf.append(tmp, r.n);
  }
}

Result<Prober::Dialed> Prober::dial(net::Deadline deadline, bool& rate_limited) {
  rate_limited = false;
  ++connections_;
  auto sock = net::connect_tcp(o_.target.host, o_.target.port, deadline);
  if (!sock) return sock.error();
  Dialed d;
  d.sock = std::move(*sock);
  std::string buf;
  auto greeting = read_reply(d.sock, buf, deadline);
  if (!greeting) return make_error(greeting.error().code, "greeting: " + greeting.error().message);
  d.greeting = greeting->lines.empty() ? "" : greeting->lines.front();
  if (greeting->code == 421) {
    rate_limited = true;
    return make_error(ErrorCode::kUnreachable, "421 greeting: " + d.greeting);
  }
  if (greeting->code != 220)
    return make_error(ErrorCode::kUnreachable,
                      fmt::format("greeting {} {}", greeting->code, d.greeting));
  if (Status st = net::write_all(d.sock, "EHLO " + o_.ehlo_name + "\r\n", deadline); !st)
    return st.error();
  auto ehlo = read_reply(d.sock, buf, deadline);
  if (!ehlo) return make_error(ehlo.error().code, "EHLO: " + ehlo.error().message);
  d.starttls_offered = ehlo->code == 250 && smtp::parse_ehlo(*ehlo).has("STARTTLS");
  if (!d.starttls_offered) return d;
  if (Status st = net::write_all(d.sock, "STARTTLS\r\n", deadline); !st) return st.error();
  auto ready = read_reply(d.sock, buf, deadline);
  if (!ready) return make_error(ready.error().code, "STARTTLS: " + ready.error().message);
  if (ready->code == 421) {
    rate_limited = true;
    return make_error(ErrorCode::kUnreachable, "421 to STARTTLS: " + ready->text());
  }
  if (ready->code != 220)
    return make_error(ErrorCode::kProtocol,
                      fmt::format("STARTTLS answered {} {}", ready->code, ready->text()));
  d.leftover = std::move(buf);
  return d;
}

Result<Prober::Dialed> Prober::dial_with_retries() {
  auto pause = o_.backoff;
  for (int attempt = 0;; ++attempt) {
    if (!gate_.acquire()) return make_error(ErrorCode::kUnreachable, "interrupted");
    bool limited = false;
    auto d = dial(net::deadline_in(o_.timeout), limited);
    if (limited && attempt < o_.max_retries && !stopped()) {
      ++rate_limited_;
      int cap = gate_.rate_limited(pause);
      gate_.release();
      progress(fmt::format("server answered 421 (rate limit); pausing {} ms, {} at once",
                           pause.count(), cap));
      pause = std::min(pause * 2, std::chrono::milliseconds(30000));
      continue;
    }
    if (!d) gate_.release();
    return d;
  }
}

Answer Prober::exchange(const std::string& hello) {
  Answer a;
  auto d = dial_with_retries();
  if (!d) {
    a.detail = d.error().message;
    return a;
  }
  if (!d->starttls_offered) {
    gate_.release();
    a.detail = "STARTTLS not advertised";
    return a;
  }
  net::Deadline deadline = net::deadline_in(o_.timeout);
  wire::ServerFlight flight;
  if (Status st = net::write_all(d->sock, hello, deadline); !st) {
    gate_.release();
    a.kind = Answer::Kind::kClosed;
    a.detail = st.error().message;
    return a;
  }
  auto state = flight.feed(d->leftover);
  // What the server sent, kept for --corpus (a flight is bounded by ServerFlight's limits).
  const bool keep = !o_.corpus_dir.empty();
  if (keep) a.raw = d->leftover;
  char buf[16384];
  while (state == wire::ServerFlight::State::kNeedMore) {
    net::ReadResult r = net::read_some(d->sock, buf, sizeof buf, deadline);
    if (r.status != net::ReadStatus::kData) {
      a.kind =
          r.status == net::ReadStatus::kTimeout ? Answer::Kind::kTimeout : Answer::Kind::kClosed;
      a.detail = std::string(net::to_string(r.status));
      break;
    }
    state = flight.feed(std::string_view(buf, r.n));
    if (keep && a.raw.size() < kMaxCorpusBytes)
      a.raw.append(buf, std::min<std::size_t>(r.n, kMaxCorpusBytes - a.raw.size()));
  }
  if (keep && !a.raw.empty()) {
    std::lock_guard lock(mu_);
    if (corpus_.size() < kMaxCorpusFiles) corpus_.insert(a.raw);
  }
  d->sock.close();
  gate_.release();
  a.flight = flight.flight();
  switch (state) {
    case wire::ServerFlight::State::kDone: a.kind = Answer::Kind::kFlight; break;
    case wire::ServerFlight::State::kAlert:
      a.kind = a.flight.hello ? Answer::Kind::kFlight : Answer::Kind::kAlert;
      break;
    case wire::ServerFlight::State::kError:
      a.kind = a.flight.hello ? Answer::Kind::kFlight : Answer::Kind::kNotTls;
      a.detail = flight.error();
      break;
    case wire::ServerFlight::State::kNeedMore:
      // Closed or timed out mid-flight: a ServerHello still tells what was chosen.
      if (a.flight.hello || a.flight.sslv2) a.kind = Answer::Kind::kFlight;
      break;
  }
  return a;
}

Answer Prober::ask(const std::string& hello, const std::string& what) {
  constexpr int kAttempts = 3;
  Answer a;
  for (int i = 0; i < kAttempts && !stopped(); ++i) {
    a = exchange(hello);
    if (a.kind != Answer::Kind::kNoTls || a.detail == "STARTTLS not advertised") return a;
    progress(fmt::format("{}: {} (attempt {} of {})", what, a.detail, i + 1, kAttempts));
  }
  if (a.kind == Answer::Kind::kNoTls && !stopped()) {
    std::lock_guard lock(mu_);
    incomplete_.push_back(fmt::format("{}: {}", what, a.detail));
  }
  return a;
}

wire::ClientHelloSpec Prober::hello_for(std::uint16_t version,
                                        std::vector<std::uint16_t> suites) const {
  wire::ClientHelloSpec spec;
  spec.version = version;
  spec.suites = std::move(suites);
  std::string rnd = random_bytes(32);
  std::copy(rnd.begin(), rnd.end(), reinterpret_cast<char*>(spec.random.data()));
  if (version == wire::kSsl3) {
    // SSLv3 has no extensions; the SCSV asks for secure renegotiation (RFC 5746 §3.3).
    spec.renegotiation_scsv = true;
    return spec;
  }
  if (!sni_.empty()) spec.sni = sni_;
  // RFC 5246 §7.4.1.4.1: only a hello that offers TLS 1.2 may carry it.
  if (version >= wire::kTls12) spec.signature_algorithms = all_signature_schemes();
  if (version == wire::kTls13) {
    spec.groups.assign(std::begin(kTls13Groups), std::end(kTls13Groups));
    spec.key_shares.push_back({kX25519, random_bytes(32)});
  } else {
    spec.groups = ec_groups();
  }
  return spec;
}

void Prober::note_flight(const wire::Flight& f, std::uint16_t version) {
  std::lock_guard lock(mu_);
  if (f.hello && f.hello->version <= wire::kTls12) {
    saw_tls12_hello_ = true;
    saw_renegotiation_info_ = saw_renegotiation_info_ || f.hello->renegotiation_info;
  }
  if (!f.certificates.empty() && !leaves_.contains(f.certificates.front())) {
    std::string source = fmt::format("{} flight, suite {}", wire::version_name(version),
                                     f.hello ? suite_name(f.hello->suite) : std::string("SSLv2"));
    leaves_.emplace(f.certificates.front(), std::make_pair(f.certificates, source));
    leaf_order_.push_back(f.certificates.front());
  }
}

void Prober::probe_version(std::uint16_t version, ProtocolSeen& out) {
  out.version = version;
  if (version == wire::kSsl2) {
    std::vector<std::uint32_t> kinds;
    for (const wire::Sslv2Cipher& c : wire::sslv2_ciphers()) kinds.push_back(c.id);
    Answer a = ask(wire::build_sslv2_client_hello(kinds, random_bytes(16)), "SSLv2 hello");
    out.answer = describe(a);
    if (a.kind == Answer::Kind::kFlight && a.flight.sslv2) {
      out.accepted = true;
      out.sslv2_ciphers = a.flight.sslv2->ciphers;
      if (!a.flight.sslv2->certificate.empty()) {
        wire::Flight f;
        f.certificates.push_back(a.flight.sslv2->certificate);
        note_flight(f, version);
      }
    }
    progress(fmt::format("SSLv2: {}", out.accepted ? "accepted" : "refused (" + out.answer + ")"));
    return;
  }
  std::vector<std::uint16_t> offered = suites_for(version);
  const std::size_t rounds = offered.size();
  for (std::size_t i = 0; i <= rounds && !offered.empty() && !stopped(); ++i) {
    Answer a = ask(wire::build_client_hello(hello_for(version, offered)),
                   fmt::format("{} suites", wire::version_name(version)));
    if (i == 0) out.answer = describe(a);
    if (a.kind != Answer::Kind::kFlight || !a.flight.hello) break;
    const wire::ServerHello& sh = *a.flight.hello;
    if (sh.version != version) {
      if (i == 0)
        out.answer = fmt::format("ServerHello {} (not {})", wire::version_name(sh.version),
                                 wire::version_name(version));
      break;
    }
    auto it = std::find(offered.begin(), offered.end(), sh.suite);
    if (it == offered.end()) {
      out.foreign_suite = sh.suite;
      break;
    }
    out.accepted = true;
    SuiteSeen seen{sh.suite};
    if (a.flight.key_exchange) {
      seen.dh_bits = a.flight.key_exchange->dh_bits;
      seen.group = a.flight.key_exchange->group;
    }
    if (sh.key_share_group) seen.group = sh.key_share_group;
    out.suites.push_back(seen);
    offered.erase(it);
    note_flight(a.flight, version);
  }
  progress(fmt::format("{}: {}{}", wire::version_name(version),
                       out.accepted ? fmt::format("{} suites", out.suites.size()) : "refused",
                       out.accepted ? "" : " (" + out.answer + ")"));
}

void Prober::probe_order(ProtocolSeen& p) {
  if (p.suites.size() < 2 || p.version == wire::kSsl2) return;
  std::vector<std::uint16_t> reversed;
  for (auto it = p.suites.rbegin(); it != p.suites.rend(); ++it) reversed.push_back(it->id);
  Answer a = ask(wire::build_client_hello(hello_for(p.version, reversed)),
                 fmt::format("{} server order", wire::version_name(p.version)));
  if (a.kind != Answer::Kind::kFlight || !a.flight.hello) return;
  std::uint16_t chosen = a.flight.hello->suite;
  if (chosen == p.suites.front().id)
    p.server_order = true;
  else if (chosen == p.suites.back().id)
    p.server_order = false;
  else
    p.server_order = true;  // neither end: the server picked by a preference of its own
}

void Prober::probe_groups_tls13(const ProtocolSeen& p, std::vector<std::uint16_t>& found) {
  std::vector<std::uint16_t> suites;
  for (const SuiteSeen& s : p.suites) suites.push_back(s.id);
  std::vector<std::uint16_t> offered(std::begin(kTls13Groups), std::end(kTls13Groups));
  for (std::size_t i = 0; i <= std::size(kTls13Groups) && !offered.empty() && !stopped(); ++i) {
    wire::ClientHelloSpec spec = hello_for(wire::kTls13, suites);
    spec.groups = offered;
    spec.key_shares.clear();
    if (std::find(offered.begin(), offered.end(), kX25519) != offered.end())
      spec.key_shares.push_back({kX25519, random_bytes(32)});
    else
      spec.empty_key_share = true;  // the HelloRetryRequest names the group
    Answer a = ask(wire::build_client_hello(spec), "groups");
    if (a.kind != Answer::Kind::kFlight || !a.flight.hello || !a.flight.hello->key_share_group)
      break;
    std::uint16_t g = *a.flight.hello->key_share_group;
    auto it = std::find(offered.begin(), offered.end(), g);
    if (it == offered.end()) break;
    found.push_back(g);
    offered.erase(it);
  }
}

void Prober::probe_groups_tls12(const ProtocolSeen& p, std::vector<std::uint16_t>& found) {
  std::vector<std::uint16_t> suites;
  for (const SuiteSeen& s : p.suites) {
    const wire::CipherSuite* cs = wire::find_suite(s.id);
    if (cs && (cs->kx == wire::Kx::kEcdhe || cs->kx == wire::Kx::kEcdhePsk)) suites.push_back(s.id);
  }
  if (suites.empty()) return;
  std::vector<std::uint16_t> offered = ec_groups();
  const std::size_t rounds = offered.size();
  for (std::size_t i = 0; i <= rounds && !offered.empty() && !stopped(); ++i) {
    wire::ClientHelloSpec spec = hello_for(p.version, suites);
    spec.groups = offered;
    Answer a = ask(wire::build_client_hello(spec), "groups");
    if (a.kind != Answer::Kind::kFlight || !a.flight.key_exchange || !a.flight.key_exchange->group)
      break;
    std::uint16_t g = *a.flight.key_exchange->group;
    auto it = std::find(offered.begin(), offered.end(), g);
    if (it == offered.end()) break;
    found.push_back(g);
    offered.erase(it);
  }
}

void Prober::probe_features(ProbeResult& r) {
  // One hello asks three things of the best version up to TLS 1.2: DEFLATE
  // compression (CRIME), the heartbeat extension, and secure renegotiation.
  const ProtocolSeen* p = nullptr;
  for (const ProtocolSeen& q : r.protocols)
    if (q.accepted && q.version >= wire::kSsl3 && q.version <= wire::kTls12) p = &q;
  if (p == nullptr) {
    // TLS 1.3 only: no compression and no renegotiation exist there (RFC 8446 §4.1.2, §4.1.3).
    if (r.best_version() == wire::kTls13) {
      r.compression = Tristate::kNo;
      r.secure_renegotiation = Tristate::kNo;
    }
    return;
  }
  std::vector<std::uint16_t> suites;
  for (const SuiteSeen& s : p->suites) suites.push_back(s.id);
  wire::ClientHelloSpec spec = hello_for(p->version, suites);
  spec.compression = {1, 0};
  spec.heartbeat = p->version >= wire::kTls10;
  if (p->version == wire::kSsl3) spec.force_extensions = true;
  Answer a = ask(wire::build_client_hello(spec), "features");
  if (a.kind == Answer::Kind::kFlight && a.flight.hello) {
    r.compression = a.flight.hello->compression != 0 ? Tristate::kYes : Tristate::kNo;
    r.heartbeat = a.flight.hello->heartbeat ? Tristate::kYes : Tristate::kNo;
    note_flight(a.flight, p->version);
  }
  std::lock_guard lock(mu_);
  if (saw_tls12_hello_)
    r.secure_renegotiation = saw_renegotiation_info_ ? Tristate::kYes : Tristate::kNo;
}

void Prober::probe_fallback(ProbeResult& r) {
  // RFC 7507 §3: a hello below the server's best version that carries
  // TLS_FALLBACK_SCSV must get a fatal inappropriate_fallback alert.
  std::uint16_t best = r.best_version();
  if (best <= wire::kSsl3) {
    r.fallback_detail = "no version below the best one to fall back to";
    return;
  }
  const ProtocolSeen* lower = nullptr;
  for (const ProtocolSeen& q : r.protocols)
    if (q.accepted && q.version >= wire::kSsl3 && q.version < best) lower = &q;
  std::uint16_t v = lower ? lower->version : static_cast<std::uint16_t>(best - 1);
  std::vector<std::uint16_t> suites;
  if (lower) {
    for (const SuiteSeen& s : lower->suites) suites.push_back(s.id);
  } else {
    suites = suites_for(v);
  }
  wire::ClientHelloSpec spec = hello_for(v, suites);
  spec.fallback_scsv = true;
  Answer a = ask(wire::build_client_hello(spec), "fallback hello");
  std::string what = describe(a);
  r.fallback_detail = fmt::format("{} hello with TLS_FALLBACK_SCSV (best is {}): {}",
                                  wire::version_name(v), wire::version_name(best), what);
  if (a.kind == Answer::Kind::kAlert &&
      a.flight.alert->description == wire::kAlertInappropriateFallback) {
    r.fallback_scsv = Tristate::kYes;
  } else if (a.kind == Answer::Kind::kFlight) {
    r.fallback_scsv = Tristate::kNo;
  } else if (lower != nullptr &&
             (a.kind == Answer::Kind::kAlert || a.kind == Answer::Kind::kClosed)) {
    r.fallback_scsv = Tristate::kNo;  // refused, but not with the alert RFC 7507 asks for
  }
}

void Prober::probe_sni(ProbeResult& r) {
  // S20: server names a TLS stack may choke on, at the best version: a
  // backslash and a NUL inside the name and 1000 bytes are legal on the wire
  // (RFC 6066 §3: HostName is opaque<1..2^16-1>); the empty name is not, on
  // purpose: the catalogue asks how servers take it.
  std::uint16_t v = r.best_version();
  const ProtocolSeen* p = r.protocol(v);
  if (p == nullptr || v < wire::kTls10) return;
  std::vector<std::uint16_t> suites;
  for (const SuiteSeen& s : p->suites) suites.push_back(s.id);
  static constexpr char kBackslashNul[] = "mx\\\0.example";  // "mx", '\\', NUL, ".example"
  const std::pair<std::string, std::string> kOdd[] = {
      {"backslash-nul", std::string(kBackslashNul, sizeof kBackslashNul - 1)},
      {"oversized", std::string(1000, 'a')},
      {"empty", std::string()},
  };
  for (const auto& [name, sni] : kOdd) {
    wire::ClientHelloSpec spec = hello_for(v, suites);
    spec.sni = sni;
    Answer a = ask(wire::build_client_hello(spec), "SNI " + name);
    SniTry t;
    t.name = name;
    t.answer = describe(a);
    t.clean = a.kind == Answer::Kind::kFlight || a.kind == Answer::Kind::kAlert ||
              a.kind == Answer::Kind::kClosed;
    if (a.kind == Answer::Kind::kNoTls) continue;  // noted as incomplete by ask()
    r.sni_tries.push_back(std::move(t));
  }
  // The server keeps serving: a plain hello still gets its ServerHello.
  Answer after = ask(wire::build_client_hello(hello_for(v, suites)), "hello after the SNI tries");
  if (after.kind != Answer::Kind::kNoTls)
    r.serves_after_sni =
        after.kind == Answer::Kind::kFlight && after.flight.hello ? Tristate::kYes : Tristate::kNo;
  progress(fmt::format("SNI oddities: {} tried, serves after: {}", r.sni_tries.size(),
                       to_string(r.serves_after_sni)));
}

void Prober::certificate_handshake(ProbeResult& r) {
  // The first connection: greeting and EHLO for the banner and STARTTLS, then
  // a full OpenSSL handshake, as permissive as OpenSSL allows, for the chain
  // as a real client receives it (TLS 1.3 encrypts it, so raw hellos cannot).
  auto d = dial_with_retries();
  if (!d) {
    r.error = d.error().message;
    return;
  }
  r.greeting = d->greeting;
  r.banner_name = d->greeting.substr(0, d->greeting.find(' '));
  banner_name_ = r.banner_name;
  r.starttls_offered = d->starttls_offered;
  if (!d->starttls_offered) {
    gate_.release();
    r.error = "the server does not advertise STARTTLS in its EHLO reply";
    return;
  }
  tls::ClientConfig cfg;
  cfg.security_level = 0;
  cfg.legacy_server_connect = true;  // a server without RFC 5746 still shows its certificate
  cfg.min_version = "TLSv1";
  cfg.ciphers = "ALL:COMPLEMENTOFALL:@SECLEVEL=0";
  cfg.sni = sni_;
  cfg.ca_file = o_.target.ca_file;
  cfg.cert_file = o_.target.client_cert;
  cfg.key_file = o_.target.client_key;
  auto session = tls::Session::client(cfg);
  if (!session) {
    gate_.release();
    r.error = session.error().message;
    return;
  }
  net::Deadline deadline = net::deadline_in(o_.timeout);
  TlsLink link(d->sock, *session);
  (void)link.handshake(d->leftover, deadline);
  tls::HandshakeInfo info = session->info();
  if (info.ok) {
    session->close_notify();
    (void)net::write_all(d->sock, session->drain(), deadline);
  }
  d->sock.close();
  gate_.release();
  r.handshake = info.ok ? Tristate::kYes : Tristate::kNo;
  r.handshake_detail = info.summary();
  r.client_cert_requested = info.certificate_requested ? Tristate::kYes
                            : info.ok                  ? Tristate::kNo
                                                       : Tristate::kUnknown;
  if (!info.peer_chain.empty()) {
    std::lock_guard lock(mu_);
    const std::string& leaf = info.peer_chain.front();
    std::string source =
        info.ok ? fmt::format("{} handshake (OpenSSL), {}", info.version, info.cipher)
                : "the Certificate message of a handshake that failed (" + info.summary() + ")";
    leaves_.emplace(leaf, std::make_pair(info.peer_chain, source));
    leaf_order_.insert(leaf_order_.begin(), leaf);
  }
  progress(fmt::format("handshake: {}", info.summary()));
}

ClientCertTry Prober::try_client_cert(const std::string& name) {
  ClientCertTry t;
  t.name = name;
  auto d = dial_with_retries();
  if (!d) {
    t.detail = "could not reach the TLS switch: " + d.error().message;
    return t;
  }
  struct Release {
    Gate& g;
    ~Release() { g.release(); }
  } release{gate_};
  if (!d->starttls_offered) {
    t.detail = "STARTTLS not advertised";
    return t;
  }
  tls::ClientConfig cfg;
  cfg.security_level = 0;
  cfg.sni = sni_;
  if (name != "none") {
    cfg.cert_file = o_.client_pki + "/" + name + ".pem";
    cfg.key_file = o_.client_pki + "/" + name + ".key";
  }
  auto session = tls::Session::client(cfg);
  if (!session) {
    t.detail = session.error().message;
    return t;
  }
  net::Deadline deadline = net::deadline_in(o_.timeout);
  TlsLink link(d->sock, *session);
  if (!link.handshake(d->leftover, deadline)) {
    tls::HandshakeInfo info = session->info();
    t.detail = "refused in the handshake: " +
               (info.alert_received.empty() ? info.error : "alert " + info.alert_received);
    return t;
  }
  // The first transaction: a server that checks the certificate after the
  // handshake (Postfix's check_ccert_access) refuses here.
  const std::pair<std::string, std::string> commands[] = {
      {"EHLO", "EHLO " + o_.ehlo_name + "\r\n"},
      {"MAIL", "MAIL FROM:<>\r\n"},
      // postmaster@ the name the server greets with: a domain it serves. A
      // bare <postmaster> will not do: RFC 5321 §4.5.1 has servers accept it
      // from anyone, so it cannot show a refusal.
      {"RCPT", fmt::format("RCPT TO:<postmaster@{}>\r\n",
                           banner_name_.empty() ? std::string("localhost") : banner_name_)}};
  std::vector<std::string> seen;
  for (const auto& [verb, line] : commands) {
    if (Status st = link.send(line, deadline); !st) {
      t.detail = fmt::format("closed before {}: {}", verb, st.error().message);
      return t;
    }
    auto reply = link.reply(o_.target.limits, deadline);
    if (!reply) {
      t.detail = fmt::format("{}: {}", verb, reply.error().message);
      return t;
    }
    if (reply->klass() != 2) {
      t.detail = fmt::format("{} answered {} {}", verb, reply->code,
                             reply->lines.empty() ? "" : reply->lines.front());
      return t;
    }
    seen.push_back(fmt::format("{} {}", verb, reply->code));
  }
  (void)link.send("QUIT\r\n", deadline);
  t.accepted = true;
  t.detail = fmt::format("{}", fmt::join(seen, ", "));
  return t;
}

void Prober::probe_client_certs(ProbeResult& r) {
  static constexpr const char* kTries[] = {"none", "client-good", "client-wrong-cn",
                                           "client-expired", "client-untrusted"};
  r.client_cert_tries.resize(std::size(kTries));
  std::vector<std::thread> pool;
  for (std::size_t i = 0; i < std::size(kTries); ++i)
    pool.emplace_back([this, &r, i] { r.client_cert_tries[i] = try_client_cert(kTries[i]); });
  for (auto& t : pool) t.join();
  for (const ClientCertTry& t : r.client_cert_tries)
    progress(fmt::format("client certificate {}: {} ({})", t.name,
                         t.accepted ? "accepted" : "refused", t.detail));
}

ProbeResult Prober::run() {
  ProbeResult r;
  r.target = fmt::format("{}:{}", o_.target.host, o_.target.port);
  r.started_at = now_iso8601();
  auto t0 = Clock::now();
  auto finish = [&] {
    r.connections = connections_.load();
    r.rate_limited = rate_limited_.load();
    r.interrupted = net::stop_flag().load();
    r.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  };

  certificate_handshake(r);
  if (!r.error.empty()) {
    finish();
    return r;
  }

  // Phase 1: every version at once, each a sequence of strike-and-offer hellos.
  r.protocols.resize(std::size(kVersions));
  {
    std::vector<std::thread> pool;
    for (std::size_t i = 0; i < std::size(kVersions); ++i)
      pool.emplace_back([this, &r, i] { probe_version(kVersions[i], r.protocols[i]); });
    for (auto& t : pool) t.join();
  }

  // Phase 2: what needs the accepted lists: server order, groups, features, fallback.
  {
    std::vector<std::uint16_t> groups13, groups12;
    std::vector<std::thread> pool;
    for (ProtocolSeen& p : r.protocols) pool.emplace_back([this, &p] { probe_order(p); });
    if (const ProtocolSeen* p = r.protocol(wire::kTls13); p && p->accepted)
      pool.emplace_back([this, p, &groups13] { probe_groups_tls13(*p, groups13); });
    const ProtocolSeen* best12 = nullptr;
    for (const ProtocolSeen& q : r.protocols)
      if (q.accepted && q.version >= wire::kTls10 && q.version <= wire::kTls12) best12 = &q;
    if (best12)
      pool.emplace_back([this, best12, &groups12] { probe_groups_tls12(*best12, groups12); });
    pool.emplace_back([this, &r] { probe_features(r); });
    if (!o_.client_pki.empty()) pool.emplace_back([this, &r] { probe_client_certs(r); });
    pool.emplace_back([this, &r] { probe_fallback(r); });
    pool.emplace_back([this, &r] { probe_sni(r); });
    for (auto& t : pool) t.join();
    for (std::uint16_t g : groups13) r.groups.push_back(g);
    for (std::uint16_t g : groups12)
      if (std::find(r.groups.begin(), r.groups.end(), g) == r.groups.end()) r.groups.push_back(g);
  }

  for (const ProtocolSeen& p : r.protocols) {
    for (const SuiteSeen& s : p.suites) {
      if (s.dh_bits <= 0) continue;
      r.dh_bits_min = r.dh_bits_min == 0 ? s.dh_bits : std::min(r.dh_bits_min, s.dh_bits);
      r.dh_bits_max = std::max(r.dh_bits_max, s.dh_bits);
    }
  }

  // Certificates: the OpenSSL handshake's chain first, then other leaves seen.
  const auto now = std::chrono::system_clock::now();
  const std::string expected =
      !o_.target.expect_name.empty() ? o_.target.expect_name : o_.target.host;
  for (const std::string& leaf : leaf_order_) {
    const auto& [chain, source] = leaves_.at(leaf);
    CertificateSeen c;
    c.source = source;
    for (const std::string& der : chain) {
      auto facts = tls::inspect_certificate(der, now);
      if (facts) c.chain.push_back(std::move(*facts));
    }
    tls::ChainVerdict v = tls::verify_chain(chain, o_.target.ca_file, now);
    c.chain_verified = v.verified;
    c.verify_error = v.error;
    c.ca_file = o_.target.ca_file;
    c.expected_name = expected;
    c.matches_expected = tls::name_matches(leaf, expected) ? Tristate::kYes : Tristate::kNo;
    c.banner_name = r.banner_name;
    if (!r.banner_name.empty())
      c.matches_banner = tls::name_matches(leaf, r.banner_name) ? Tristate::kYes : Tristate::kNo;
    r.certificates.push_back(std::move(c));
  }
  r.incomplete = incomplete_;
  r.flights.assign(corpus_.begin(), corpus_.end());
  finish();
  return r;
}

}  // namespace

ProbeResult run_probe(const ProbeOptions& options) {
  Prober p(options);
  return p.run();
}

}  // namespace smtpeer::engine
