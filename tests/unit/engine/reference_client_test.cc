// The reference SMTP client against a small scripted server on 127.0.0.1:
// the conformant kind delivers only inside verified TLS and stops wherever
// RFC 3207 says stop; each flawed kind goes wrong in its one place and in no
// other; hostile replies end the client within its timeout. The server
// records every command line and whether it arrived inside TLS, so the tests
// judge what was on the wire, as the server role does.
#include "engine/reference_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "net/conn.h"
#include "net/socket.h"
#include "tls/pki.h"
#include "tls/session.h"

namespace smtpeer::engine {
namespace {

using namespace std::chrono_literals;

// Pki: the test PKI (generated once per process: key generation is the slow
// part) and its CA as a file, as the client takes it; the file goes with the process.
struct Pki {
  tls::TestPki pki;
  std::string ca_file;

  Pki() {
    tls::PkiOptions options;
    options.name = "localhost";
    auto generated = tls::generate_pki(options);
    EXPECT_TRUE(generated.ok()) << (generated.ok() ? "" : generated.error().message);
    if (generated.ok()) pki = *generated;
    ca_file = (std::filesystem::temp_directory_path() /
               ("smtpeer-reference-client-ca-" + std::to_string(::getpid()) + ".pem"))
                  .string();
    std::ofstream(ca_file) << pki.ca.cert;
  }
  ~Pki() {
    std::error_code ignored;
    std::filesystem::remove(ca_file, ignored);
  }
  Pki(const Pki&) = delete;
  Pki& operator=(const Pki&) = delete;
};

const Pki& pki() {
  static const Pki made;
  return made;
}

// Seen: one command line the server received, and whether inside TLS.
struct Seen {
  std::string line;
  bool tls = false;
  int connection = 0;
};

// Plan: how the scripted server answers. The defaults are a conformant
// submission server with STARTTLS, AUTH PLAIN LOGIN and the good certificate.
struct Plan {
  std::string greeting = "220 localhost ESMTP test\r\n";
  std::string ehlo = "250-localhost\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n";
  std::string starttls = "220 2.0.0 Ready to start TLS\r\n";
  std::string tls_ehlo = "250-localhost\r\n250 AUTH PLAIN LOGIN\r\n";
  std::string auth = "235 2.7.0 Authentication successful\r\n";
  std::string mail = "250 2.1.0 Ok\r\n";
  const tls::PemPair* cert = nullptr;  // nullptr: the good certificate
  tls::ServerConfig tls;               // versions, security level (cert filled in)
  bool silent_in_tls = false;          // inside TLS, record but never answer
  bool bytewise = false;               // every reply one byte per write()
  int connections = 1;
  // custom: replaces the whole dialogue of a connection (hostile servers).
  std::function<void(const net::Socket&)> custom;
};

// ScriptedServer: serves plan.connections connections on a thread; joins on
// destruction or on join(), after which seen() is stable.
class ScriptedServer {
 public:
  explicit ScriptedServer(Plan plan) : plan_(std::move(plan)) {
    auto l = net::listen_tcp("127.0.0.1", 0);
    EXPECT_TRUE(l.ok());
    if (l.ok()) listener_ = std::move(l).value();
    port_ = net::local_port(listener_);
    thread_ = std::thread([this] {
      for (int i = 0; i < plan_.connections; ++i) {
        auto s = net::accept_conn(listener_, net::deadline_in(3s));
        if (!s) return;
        if (plan_.custom)
          plan_.custom(*s);
        else
          serve(std::move(s).value(), i);
      }
    });
  }
  ~ScriptedServer() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::uint16_t port() const { return port_; }
  const std::vector<Seen>& seen() const { return seen_; }

  // verbs: the first word of each line received, "+" marking lines inside TLS.
  std::string verbs() const {
    std::string out;
    for (const Seen& s : seen_) {
      std::string verb = s.line.substr(0, s.line.find(' '));
      out += (out.empty() ? "" : " ") + std::string(s.tls ? "+" : "") + verb;
    }
    return out;
  }
  bool saw(std::string_view verb, bool tls) const {
    return std::any_of(seen_.begin(), seen_.end(),
                       [&](const Seen& s) { return s.tls == tls && s.line.rfind(verb, 0) == 0; });
  }
  bool saw(std::string_view verb) const { return saw(verb, false) || saw(verb, true); }

 private:
  void serve(net::Socket socket, int index) {
    transcript::Transcript transcript;
    net::Recorder recorder(transcript, net::Clock::now());
    net::Conn conn(std::move(socket), recorder, index);
    std::string buf;
    auto send = [&](std::string_view bytes) {
      net::Boundaries b;
      b.bytewise = plan_.bytewise;
      return conn.send(bytes, b, net::deadline_in(2s)).ok();
    };
    auto next_line = [&]() -> std::optional<std::string> {
      auto deadline = net::deadline_in(2s);
      for (;;) {
        if (auto at = buf.find("\r\n"); at != std::string::npos) {
          std::string line = buf.substr(0, at);
          buf.erase(0, at + 2);
          return line;
        }
        if (buf.size() > 100000) return std::nullopt;
        if (conn.read(buf, deadline).status != net::ReadStatus::kData) return std::nullopt;
      }
    };
    if (!send(plan_.greeting)) return;
    while (auto line = next_line()) {
      bool tls = conn.tls_active();
      seen_.push_back({*line, tls, index});
      if (tls && plan_.silent_in_tls) continue;
      std::string verb = line->substr(0, line->find(' '));
      if (verb == "EHLO") {
        send(tls ? plan_.tls_ehlo : plan_.ehlo);
      } else if (verb == "HELO") {
        send("250 localhost\r\n");
      } else if (verb == "STARTTLS") {
        send(plan_.starttls);
        if (plan_.starttls.rfind("220 ", 0) != 0) continue;
        tls::ServerConfig cfg = plan_.tls;
        const tls::PemPair& cert = plan_.cert ? *plan_.cert : pki().pki.good;
        cfg.cert_pem = cert.cert;
        cfg.key_pem = cert.key;
        auto hs = conn.server_handshake(cfg, buf, net::deadline_in(2s));
        buf.clear();
        if (!hs || !hs->ok) return;
      } else if (verb == "AUTH") {
        if (line->find("LOGIN") != std::string::npos) {
          send("334 VXNlcm5hbWU6\r\n");
          if (auto user = next_line()) seen_.push_back({*user, conn.tls_active(), index});
          send("334 UGFzc3dvcmQ6\r\n");
          if (auto pass = next_line()) seen_.push_back({*pass, conn.tls_active(), index});
        }
        send(plan_.auth);
      } else if (verb == "MAIL") {
        send(plan_.mail);
      } else if (verb == "RCPT") {
        send("250 2.1.5 Ok\r\n");
      } else if (verb == "DATA") {
        send("354 End data with <CR><LF>.<CR><LF>\r\n");
        while (auto body = next_line())
          if (*body == ".") break;
        send("250 2.0.0 Ok: queued\r\n");
      } else if (verb == "QUIT") {
        send("221 2.0.0 Bye\r\n");
        break;
      } else {
        send("500 5.5.2 Error: command not recognized\r\n");
      }
    }
    conn.close();
  }

  Plan plan_;
  net::Socket listener_;
  std::uint16_t port_ = 0;
  std::vector<Seen> seen_;
  std::thread thread_;
};

ReferenceClientOptions options(std::uint16_t port, ClientFlaw flaw) {
  ReferenceClientOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.server_name = "localhost";
  o.ca_file = pki().ca_file;
  o.flaw = flaw;
  o.read_timeout = 1000ms;
  return o;
}

// Outcome: the client's result and what the server saw, after both have ended.
struct Outcome {
  ReferenceClientResult result;
  std::string verbs;
  std::vector<Seen> seen;
  std::chrono::milliseconds took{0};
};

Outcome drive(Plan plan, ClientFlaw flaw, std::chrono::milliseconds read_timeout = 1000ms) {
  ScriptedServer server(std::move(plan));
  ReferenceClientOptions o = options(server.port(), flaw);
  o.read_timeout = read_timeout;
  auto start = std::chrono::steady_clock::now();
  Outcome r;
  r.result = run_reference_client(o);
  r.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
  server.join();
  // SMTPEER_SHOW_CLIENT_LOG=1: print every client log, to read them as evidence.
  if (std::getenv("SMTPEER_SHOW_CLIENT_LOG") != nullptr) std::printf("%s", r.result.log.c_str());
  r.verbs = server.verbs();
  r.seen = server.seen();
  return r;
}

#define EXPECT_RUN(r, code, verbs_)                            \
  do {                                                         \
    EXPECT_EQ((r).result.exit_code, (code)) << (r).result.log; \
    EXPECT_EQ((r).verbs, (verbs_)) << (r).result.log;          \
  } while (0)

// ---- Names -----------------------------------------------------------------

TEST(ReferenceClientFlaw, EveryNameParsesBackToItsKind) {
  ASSERT_EQ(client_flaws().size(), 7u);
  EXPECT_EQ(client_flaws().front().flaw, ClientFlaw::kNone);
  for (const ClientFlawInfo& f : client_flaws()) {
    SCOPED_TRACE(std::string(f.name));
    EXPECT_EQ(parse_client_flaw(f.name), f.flaw);
    EXPECT_EQ(to_string(f.flaw), f.name);
    EXPECT_FALSE(f.description.empty());
  }
  EXPECT_EQ(parse_client_flaw("acts-on-injection"), ClientFlaw::kActsOnInjection);
  EXPECT_EQ(parse_client_flaw("Good"), std::nullopt);
  EXPECT_EQ(parse_client_flaw(""), std::nullopt);
  EXPECT_EQ(parse_client_flaw("no_verify"), std::nullopt);
}

// ---- The conformant client ---------------------------------------------------

TEST(ReferenceClient, GoodDeliversOnlyInsideVerifiedTls) {
  Outcome r = drive(Plan{}, ClientFlaw::kNone);
  EXPECT_RUN(r, kClientDelivered, "EHLO STARTTLS +EHLO +AUTH +MAIL +RCPT +DATA +QUIT");
  // AUTH PLAIN with the credentials u / p, never shown in the log.
  EXPECT_EQ(r.seen[3].line, "AUTH PLAIN AHUAcA==");
  EXPECT_EQ(r.result.log.find("AHUAcA=="), std::string::npos);
  EXPECT_NE(r.result.log.find("> EHLO "), std::string::npos) << r.result.log;
  EXPECT_NE(r.result.log.find("< 250 AUTH PLAIN LOGIN"), std::string::npos) << r.result.log;
  EXPECT_NE(r.result.log.find("TLS: TLSv1.3"), std::string::npos) << r.result.log;
  EXPECT_NE(r.result.log.find("verified"), std::string::npos) << r.result.log;
  EXPECT_NE(r.result.log.find("exit 0: message accepted"), std::string::npos) << r.result.log;
}

TEST(ReferenceClient, GoodUsesLoginWhenOnlyLoginIsOffered) {
  Plan plan;
  plan.tls_ehlo = "250-localhost\r\n250 AUTH LOGIN CRAM-MD5\r\n";
  Outcome r = drive(plan, ClientFlaw::kNone);
  EXPECT_RUN(r, kClientDelivered, "EHLO STARTTLS +EHLO +AUTH +dQ== +cA== +MAIL +RCPT +DATA +QUIT");
}

// STYLE.md 13: framing bugs hide where every byte is its own write().
TEST(ReferenceClient, GoodDeliversWhenEveryReplyByteIsItsOwnWrite) {
  Plan plan;
  plan.bytewise = true;
  Outcome r = drive(plan, ClientFlaw::kNone);
  EXPECT_RUN(r, kClientDelivered, "EHLO STARTTLS +EHLO +AUTH +MAIL +RCPT +DATA +QUIT");
}

// C7: STARTTLS advertised again inside TLS is never used.
TEST(ReferenceClient, GoodNeverSendsStartTlsTwice) {
  Plan plan;
  plan.tls_ehlo = "250-localhost\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n";
  Outcome r = drive(plan, ClientFlaw::kNone);
  EXPECT_RUN(r, kClientDelivered, "EHLO STARTTLS +EHLO +AUTH +MAIL +RCPT +DATA +QUIT");
  EXPECT_NE(r.result.log.find("STARTTLS advertised again"), std::string::npos) << r.result.log;
}

// C14: a non-2xx greeting: QUIT, no EHLO, no credentials.
TEST(ReferenceClient, GoodQuitsOnRefusingGreeting) {
  Plan plan;
  plan.greeting = "421 4.3.2 Service not available\r\n";
  Outcome r = drive(plan, ClientFlaw::kNone);
  EXPECT_RUN(r, kClientRefused, "QUIT");
}

TEST(ReferenceClient, GoodQuitsWhenTheServerRefusesMail) {
  Plan plan;
  plan.mail = "550 5.7.1 Not you\r\n";
  Outcome r = drive(plan, ClientFlaw::kNone);
  EXPECT_RUN(r, kClientRefused, "EHLO STARTTLS +EHLO +AUTH +MAIL +QUIT");
}

// ---- Table: one misbehaving server, each kind's verdict ------------------------

struct KindCase {
  const char* name;
  std::function<Plan()> plan;
  ClientFlaw flaw;
  int exit_code;
  const char* verbs;  // what the server saw; "+" = inside TLS
};

void PrintTo(const KindCase& c, std::ostream* os) {
  *os << c.name;
}

class ReferenceClientKinds : public testing::TestWithParam<KindCase> {};

TEST_P(ReferenceClientKinds, DoesWhatItsKindDoes) {
  const KindCase& c = GetParam();
  Outcome r = drive(c.plan(), c.flaw);
  EXPECT_RUN(r, c.exit_code, c.verbs);
  EXPECT_LT(r.took, 1900ms) << r.result.log;
}

Plan stripped() {
  Plan p;
  p.ehlo = "250-localhost\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n";
  return p;
}
Plan refused_454() {
  Plan p;
  p.starttls = "454 4.7.0 TLS not available\r\n";
  return p;
}
// C5: a whole transaction's replies stacked behind the 454.
Plan stacked_454() {
  Plan p;
  p.starttls =
      "454 4.7.0 TLS not available\r\n235 2.7.0 Ok\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
      "354 Go on\r\n250 2.0.0 Ok: queued\r\n";
  return p;
}
Plan ehlo_500() {
  Plan p;
  p.ehlo = "500 5.5.1 Command unrecognized\r\n";
  return p;
}
// C4: lines injected behind the 220; the EHLO inside TLS is never answered.
Plan injected() {
  Plan p;
  p.starttls = "220 2.0.0 Ready to start TLS\r\n250-localhost\r\n250 AUTH PLAIN\r\n";
  p.silent_in_tls = true;
  return p;
}
// C6: AUTH PLAIN LOGIN before TLS, only XOAUTH2 after.
Plan caps_change() {
  Plan p;
  p.tls_ehlo = "250-localhost\r\n250 AUTH XOAUTH2\r\n";
  return p;
}
Plan wrong_name() {
  Plan p;
  p.cert = &pki().pki.wrong_name;
  return p;
}
Plan wrong_name_twice() {
  Plan p = wrong_name();
  p.connections = 2;  // the plaintext retry comes back
  return p;
}
Plan self_signed() {
  Plan p;
  p.cert = &pki().pki.self_signed;
  return p;
}
// C10: a server that speaks TLS 1.0 only.
Plan tls10_only() {
  Plan p;
  p.tls.min_version = "TLSv1";
  p.tls.max_version = "TLSv1";
  p.tls.security_level = 0;
  return p;
}

const KindCase kKindCases[] = {
    // C1: STARTTLS stripped.
    {"Stripped_Good", stripped, ClientFlaw::kNone, kClientNoTls, "EHLO QUIT"},
    {"Stripped_Opportunistic", stripped, ClientFlaw::kOpportunistic, kClientDelivered,
     "EHLO MAIL RCPT DATA QUIT"},
    {"Stripped_PlaintextRetry", stripped, ClientFlaw::kPlaintextRetry, kClientNoTls, "EHLO QUIT"},
    // C2: STARTTLS refused.
    {"Refused454_Good", refused_454, ClientFlaw::kNone, kClientNoTls, "EHLO STARTTLS QUIT"},
    {"Refused454_Opportunistic", refused_454, ClientFlaw::kOpportunistic, kClientDelivered,
     "EHLO STARTTLS MAIL RCPT DATA QUIT"},
    // C5: replies stacked behind the 454 are never taken as answers.
    {"Stacked454_Good", stacked_454, ClientFlaw::kNone, kClientNoTls, "EHLO STARTTLS QUIT"},
    {"Stacked454_Opportunistic", stacked_454, ClientFlaw::kOpportunistic, kClientBroken,
     "EHLO STARTTLS QUIT"},
    // C3: EHLO 500 is HELO-fallback bait.
    {"Ehlo500_Good", ehlo_500, ClientFlaw::kNone, kClientNoTls, "EHLO QUIT"},
    {"Ehlo500_Opportunistic", ehlo_500, ClientFlaw::kOpportunistic, kClientDelivered,
     "EHLO HELO MAIL RCPT DATA QUIT"},
    // C4: reply injection. The good client closes without TLS; the flawed one
    // answers the injected "AUTH PLAIN" inside TLS without waiting.
    {"Injected_Good", injected, ClientFlaw::kNone, kClientNoTls, "EHLO STARTTLS"},
    {"Injected_NoVerify", injected, ClientFlaw::kNoVerify, kClientNoTls, "EHLO STARTTLS"},
    {"Injected_ActsOnInjection", injected, ClientFlaw::kActsOnInjection, kClientBroken,
     "EHLO STARTTLS +EHLO +AUTH +QUIT"},
    // C6: only the post-TLS list counts.
    {"CapsChange_Good", caps_change, ClientFlaw::kNone, kClientDelivered,
     "EHLO STARTTLS +EHLO +MAIL +RCPT +DATA +QUIT"},
    {"CapsChange_ReusesPreTlsCaps", caps_change, ClientFlaw::kReusesPreTlsCaps, kClientDelivered,
     "EHLO STARTTLS +EHLO +AUTH +MAIL +RCPT +DATA +QUIT"},
    // C8: certificates.
    {"WrongName_Good", wrong_name, ClientFlaw::kNone, kClientTlsFailed, "EHLO STARTTLS"},
    {"WrongName_NoVerify", wrong_name, ClientFlaw::kNoVerify, kClientDelivered,
     "EHLO STARTTLS +EHLO +AUTH +MAIL +RCPT +DATA +QUIT"},
    {"WrongName_Opportunistic", wrong_name, ClientFlaw::kOpportunistic, kClientDelivered,
     "EHLO STARTTLS +EHLO +AUTH +MAIL +RCPT +DATA +QUIT"},
    {"WrongName_ActsOnInjection", wrong_name, ClientFlaw::kActsOnInjection, kClientTlsFailed,
     "EHLO STARTTLS"},
    // C11 class: after the failed handshake, a second connection in plaintext.
    {"WrongName_PlaintextRetry", wrong_name_twice, ClientFlaw::kPlaintextRetry, kClientDelivered,
     "EHLO STARTTLS EHLO MAIL RCPT DATA QUIT"},
    {"SelfSigned_Good", self_signed, ClientFlaw::kNone, kClientTlsFailed, "EHLO STARTTLS"},
    // C10: TLS 1.0 only.
    {"Tls10_Good", tls10_only, ClientFlaw::kNone, kClientTlsFailed, "EHLO STARTTLS"},
    {"Tls10_NoVerify", tls10_only, ClientFlaw::kNoVerify, kClientTlsFailed, "EHLO STARTTLS"},
    {"Tls10_AcceptsLegacyTls", tls10_only, ClientFlaw::kAcceptsLegacyTls, kClientDelivered,
     "EHLO STARTTLS +EHLO +AUTH +MAIL +RCPT +DATA +QUIT"},
};

INSTANTIATE_TEST_SUITE_P(Servers, ReferenceClientKinds, testing::ValuesIn(kKindCases),
                         [](const testing::TestParamInfo<KindCase>& info) {
                           return std::string(info.param.name);
                         });

struct CertCase {
  const char* name;
  const tls::PemPair& (*cert)();
  const char* reason;
};

void PrintTo(const CertCase& c, std::ostream* os) {
  *os << c.name;
}

class ReferenceClientCertificates : public testing::TestWithParam<CertCase> {};

// The abort names the reason, like curl -v: the log is the client's evidence.
TEST_P(ReferenceClientCertificates, AbortSaysWhy) {
  Plan plan;
  plan.cert = &GetParam().cert();
  Outcome r = drive(plan, ClientFlaw::kNone);
  EXPECT_RUN(r, kClientTlsFailed, "EHLO STARTTLS");
  EXPECT_NE(
      r.result.log.find(std::string("abort: certificate verify failed: ") + GetParam().reason),
      std::string::npos)
      << r.result.log;
}

const CertCase kCertCases[] = {
    {"WrongName", []() -> const tls::PemPair& { return pki().pki.wrong_name; },
     "hostname mismatch"},
    {"Expired", []() -> const tls::PemPair& { return pki().pki.expired; },
     "certificate has expired"},
    {"SelfSigned", []() -> const tls::PemPair& { return pki().pki.self_signed; }, "self-signed"},
};

INSTANTIATE_TEST_SUITE_P(Bad, ReferenceClientCertificates, testing::ValuesIn(kCertCases),
                         [](const testing::TestParamInfo<CertCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(ReferenceClient, InjectionIsNamedInTheLog) {
  Outcome r = drive(injected(), ClientFlaw::kNone);
  EXPECT_NE(r.result.log.find("bytes behind the 220"), std::string::npos) << r.result.log;
  EXPECT_NE(r.result.log.find("250 AUTH PLAIN"), std::string::npos) << r.result.log;
}

// ---- Hostile servers: exit 4, within the timeout -----------------------------

// flood: `prefix`, then `unit` again and again until the client goes away.
std::function<void(const net::Socket&)> flood(std::string prefix, std::string unit) {
  return [prefix, unit](const net::Socket& s) {
    std::string block;
    while (block.size() < 16384) block += unit;
    if (!net::write_all(s, prefix, net::deadline_in(1s)).ok()) return;
    auto until = net::deadline_in(3s);
    while (net::Clock::now() < until)
      if (!net::write_all(s, block, net::deadline_in(500ms)).ok()) return;
  };
}

TEST(ReferenceClient, EndlessReplyLineEndsTheClientQuickly) {
  Plan plan;
  plan.custom = flood("220-", "x");
  Outcome r = drive(plan, ClientFlaw::kNone, 1500ms);
  EXPECT_EQ(r.result.exit_code, kClientBroken) << r.result.log;
  EXPECT_LT(r.took, 1500ms);
  EXPECT_NE(r.result.log.find("abort: malformed reply"), std::string::npos) << r.result.log;
  EXPECT_LT(r.result.log.size(), 4096u) << r.result.log;
}

TEST(ReferenceClient, EndlessContinuationLinesEndTheClientQuickly) {
  Plan plan;
  plan.custom = flood("", "250-x\r\n");
  Outcome r = drive(plan, ClientFlaw::kNone, 1500ms);
  EXPECT_EQ(r.result.exit_code, kClientBroken) << r.result.log;
  EXPECT_LT(r.took, 1500ms);
  EXPECT_LT(r.result.log.size(), 8192u) << r.result.log;
}

TEST(ReferenceClient, ReplyDrippedSlowerThanTheTimeoutEndsTheClient) {
  Plan plan;
  plan.custom = [](const net::Socket& s) {
    for (char c : std::string("220 slow server\r\n")) {
      if (!net::write_all(s, std::string_view(&c, 1), net::deadline_in(1s)).ok()) return;
      std::this_thread::sleep_for(50ms);
    }
  };
  Outcome r = drive(plan, ClientFlaw::kNone, 300ms);
  EXPECT_EQ(r.result.exit_code, kClientBroken) << r.result.log;
  EXPECT_LT(r.took, 1000ms);
  EXPECT_NE(r.result.log.find("no complete reply within 300 ms"), std::string::npos)
      << r.result.log;
}

TEST(ReferenceClient, MixedCodesAreMalformed) {
  Plan plan;
  plan.ehlo = "250-localhost\r\n550 STARTTLS\r\n";
  Outcome r = drive(plan, ClientFlaw::kNone);
  EXPECT_RUN(r, kClientBroken, "EHLO QUIT");
}

TEST(ReferenceClient, NoServerIsExitFour) {
  std::uint16_t port = 0;
  {
    auto l = net::listen_tcp("127.0.0.1", 0);
    ASSERT_TRUE(l.ok());
    port = net::local_port(*l);
  }  // closed: nobody listens there now
  ReferenceClientResult r = run_reference_client(options(port, ClientFlaw::kNone));
  EXPECT_EQ(r.exit_code, kClientBroken) << r.log;
  EXPECT_NE(r.log.find("abort: cannot connect"), std::string::npos) << r.log;
}

TEST(ReferenceClient, EchoSeesEveryLogLineAsItIsWritten) {
  ScriptedServer server(Plan{});
  ReferenceClientOptions o = options(server.port(), ClientFlaw::kNone);
  std::string echoed;
  o.echo = [&](const std::string& line) { echoed += line + "\n"; };
  ReferenceClientResult r = run_reference_client(o);
  server.join();
  EXPECT_EQ(r.exit_code, kClientDelivered) << r.log;
  EXPECT_EQ(echoed, r.log);
}

}  // namespace
}  // namespace smtpeer::engine
