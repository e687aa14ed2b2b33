// The client role's step machine against small scripted servers on
// 127.0.0.1, including one that delivers every byte in its own write (where
// framing bugs hide), and against the built-in reference peers.
#include "engine/client_session.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/reference_peer.h"
#include "engine/scheduler.h"
#include "net/conn.h"
#include "net/socket.h"
#include "scenario/loader.h"

namespace smtpeer::engine {
namespace {

using namespace std::chrono_literals;

// ScriptedServer: accepts connections; for each, runs `script` with the socket.
class ScriptedServer {
 public:
  using Script = std::function<void(const net::Socket&)>;
  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    auto l = net::listen_tcp("127.0.0.1", 0);
    EXPECT_TRUE(l.ok());
    listener_ = std::move(l).value();
    port_ = net::local_port(listener_);
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        auto s = net::accept_conn(listener_, net::deadline_in(100ms));
        if (!s) continue;
        script_(*s);
        ++served_;
      }
    });
  }
  ~ScriptedServer() {
    stop_ = true;
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  int served() const { return served_.load(); }

 private:
  Script script_;
  net::Socket listener_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> served_{0};
  std::thread thread_;
};

void send_bytewise(const net::Socket& s, std::string_view bytes) {
  for (char c : bytes) {
    ASSERT_TRUE(net::write_all(s, std::string_view(&c, 1), net::deadline_in(1s)).ok());
    std::this_thread::sleep_for(1ms);
  }
}

// read_line: read until `want` has arrived (bounded).
std::string read_until(const net::Socket& s, std::string_view want) {
  std::string got;
  auto deadline = net::deadline_in(5s);
  while (got.find(want) == std::string::npos) {
    char buf[512];
    auto r = net::read_some(s, buf, sizeof buf, deadline);
    if (r.status != net::ReadStatus::kData) break;
    got.append(buf, r.n);
  }
  return got;
}

scenario::Scenario load(std::string_view steps) {
  std::string text = std::string(R"(id = "t"
title = "test"
catalogue = ["S0"]
clause = "RFC 3207 §4"
requirement = "test"
deadline_ms = 20000
)") + std::string(steps);
  auto sc = scenario::load_scenario_text(text, "test.toml");
  EXPECT_TRUE(sc.ok()) << (sc.ok() ? "" : sc.error().message);
  return sc.ok() ? *sc : scenario::Scenario{};
}

ClientTarget target(std::uint16_t port) {
  ClientTarget t;
  t.host = "127.0.0.1";
  t.port = port;
  return t;
}

const char kGreetEhlo[] = R"(
[[step]]
expect = { code = 220 }
[[step]]
send = "EHLO smtpeer.invalid\r\n"
[[step]]
expect = { code = 250, has_capability = ["PIPELINING", "STARTTLS"] }
why = "EHLO"
)";

TEST(ClientSession, RepliesDeliveredOneByteAtATime) {
  ScriptedServer server([](const net::Socket& s) {
    send_bytewise(s, "220 mx ESMTP\r\n");
    read_until(s, "\r\n");
    send_bytewise(s, "250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
    read_until(s, "QUIT");
  });
  std::atomic<int> conns{0};
  auto run = run_client_scenario(load(kGreetEhlo), {}, target(server.port()), conns);
  EXPECT_EQ(run.verdict.kind, VerdictKind::kPass) << run.verdict.summary;
  EXPECT_EQ(conns.load(), 1);
  EXPECT_FALSE(run.verdict.evidence.empty());
}

TEST(ClientSession, BytesBehindThe220AreAFinding) {
  ScriptedServer server([](const net::Socket& s) {
    ASSERT_TRUE(net::write_all(s, "220 mx\r\n", net::deadline_in(1s)).ok());
    read_until(s, "STARTTLS\r\n");
    ASSERT_TRUE(net::write_all(s, "220 go\r\n250 injected\r\n", net::deadline_in(1s)).ok());
    read_until(s, "never");
  });
  std::atomic<int> conns{0};
  auto sc = load(R"(
[[step]]
expect = { code = 220 }
[[step]]
send = "STARTTLS\r\n"
[[step]]
expect = { code = 220, alone = true }
why = "bytes behind the 220"
)");
  auto run = run_client_scenario(sc, {}, target(server.port()), conns);
  EXPECT_EQ(run.verdict.kind, VerdictKind::kFail);
  EXPECT_NE(run.verdict.summary.find("bytes behind"), std::string::npos) << run.verdict.summary;
  EXPECT_EQ(run.verdict.failed_step, 2);
}

TEST(ClientSession, Greeting421IsRateLimitNotVerdict) {
  ScriptedServer server([](const net::Socket& s) {
    (void)net::write_all(s, "421 4.7.0 too many connections\r\n", net::deadline_in(1s));
  });
  std::atomic<int> conns{0};
  auto run = run_client_scenario(load(kGreetEhlo), {}, target(server.port()), conns);
  EXPECT_TRUE(run.rate_limited);
}

TEST(Scheduler, RetriesAfter421UntilServed) {
  std::atomic<int> n{0};
  ScriptedServer server([&](const net::Socket& s) {
    if (n.fetch_add(1) < 2) {
      (void)net::write_all(s, "421 4.7.0 too many connections\r\n", net::deadline_in(1s));
      return;
    }
    (void)net::write_all(s, "220 mx\r\n", net::deadline_in(1s));
    read_until(s, "\r\n");
    (void)net::write_all(s, "250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n", net::deadline_in(1s));
    read_until(s, "never");
  });
  SuiteOptions opts;
  opts.backoff = 50ms;
  auto report = run_suite({load(kGreetEhlo)}, {}, target(server.port()), opts);
  ASSERT_EQ(report.verdicts.size(), 1u);
  EXPECT_EQ(report.verdicts[0].kind, VerdictKind::kPass) << report.verdicts[0].summary;
  EXPECT_EQ(report.verdicts[0].retries, 2);
  EXPECT_EQ(report.connections, 3);
}

TEST(ClientSession, SilentServerEndsWithAVerdictInsideTheDeadline) {
  ScriptedServer server([](const net::Socket& s) { read_until(s, "never"); });
  std::atomic<int> conns{0};
  auto sc = load(R"(
[[step]]
expect = { code = 220 }
timeout_ms = 500
why = "no greeting"
)");
  auto t0 = std::chrono::steady_clock::now();
  auto run = run_client_scenario(sc, {}, target(server.port()), conns);
  EXPECT_EQ(run.verdict.kind, VerdictKind::kFail);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 3s);
}

TEST(ClientSession, EndlessLineIsBounded) {
  ScriptedServer server([](const net::Socket& s) {
    std::string chunk(65536, 'x');
    (void)net::write_all(s, "220 ", net::deadline_in(1s));
    for (int i = 0; i < 64; ++i)
      if (!net::write_all(s, chunk, net::deadline_in(1s)).ok()) break;
  });
  std::atomic<int> conns{0};
  auto run = run_client_scenario(load(kGreetEhlo), {}, target(server.port()), conns);
  EXPECT_EQ(run.verdict.kind, VerdictKind::kFail);
  EXPECT_NE(run.verdict.summary.find("not an SMTP reply"), std::string::npos)
      << run.verdict.summary;
}

TEST(ClientSession, UnreachableIsAnError) {
  auto l = net::listen_tcp("127.0.0.1", 0);
  ASSERT_TRUE(l.ok());
  std::uint16_t port = net::local_port(*l);
  l->close();
  std::atomic<int> conns{0};
  auto run = run_client_scenario(load(kGreetEhlo), {}, target(port), conns);
  EXPECT_TRUE(run.unreachable);
  EXPECT_EQ(run.verdict.kind, VerdictKind::kError);
}

// expect_close: an alert record then FIN is the expected answer; a 421 line
// before the close is tolerated as a note; any other reply is a finding.
struct CloseCase {
  std::string name;
  std::string server_sends;
  VerdictKind expected;
  std::string summary_has;
};

class CloseTest : public testing::TestWithParam<CloseCase> {};

TEST_P(CloseTest, JudgesWhatArrivesBeforeTheClose) {
  const CloseCase& c = GetParam();
  ScriptedServer server([&](const net::Socket& s) {
    (void)net::write_all(s, "220 mx\r\n", net::deadline_in(1s));
    read_until(s, "RSET\r\n");
    (void)net::write_all(s, c.server_sends, net::deadline_in(1s));
  });
  std::atomic<int> conns{0};
  auto sc = load(R"(
[[step]]
expect = { code = 220 }
[[step]]
send = "RSET\r\n"
[[step]]
expect_close = 3000
why = "no clean close"
)");
  auto run = run_client_scenario(sc, {}, target(server.port()), conns);
  EXPECT_EQ(run.verdict.kind, c.expected) << run.verdict.summary;
  std::string all = run.verdict.summary;
  for (const auto& n : run.verdict.notes) all += " | " + n;
  EXPECT_NE(all.find(c.summary_has), std::string::npos) << all;
}

INSTANTIATE_TEST_SUITE_P(
    Engine, CloseTest,
    testing::Values(
        CloseCase{"alert_then_close", std::string("\x15\x03\x03\x00\x02\x02\x0a", 7),
                  VerdictKind::kPass, "conformant"},
        CloseCase{"close_at_once", "", VerdictKind::kPass, "conformant"},
        CloseCase{"plaintext_421_then_close", "421 4.4.2 timeout\r\n", VerdictKind::kPass,
                  "421 4.4.2 timeout"},
        CloseCase{"alert_then_421", std::string("\x15\x03\x03\x00\x02\x02\x0a", 7) + "421 bye\r\n",
                  VerdictKind::kPass, "421 bye"},
        CloseCase{"plaintext_250", "250 2.0.0 Ok\r\n", VerdictKind::kFail,
                  "SMTP reply in plaintext"},
        CloseCase{"421_then_250", "421 bye\r\n250 Ok\r\n", VerdictKind::kFail,
                  "SMTP reply in plaintext"},
        CloseCase{"garbage", "hello there\r\n", VerdictKind::kFail, "neither TLS records"}),
    [](const testing::TestParamInfo<CloseCase>& info) { return info.param.name; });

TEST(ClientSession, ExpectCloseTimesOutOnAnOpenConnection) {
  ScriptedServer server([](const net::Socket& s) {
    (void)net::write_all(s, "220 mx\r\n", net::deadline_in(1s));
    read_until(s, "never");
  });
  std::atomic<int> conns{0};
  auto sc = load(R"(
[[step]]
expect = { code = 220 }
[[step]]
expect_close = 300
why = "no close"
)");
  auto run = run_client_scenario(sc, {}, target(server.port()), conns);
  EXPECT_EQ(run.verdict.kind, VerdictKind::kFail);
  EXPECT_NE(run.verdict.summary.find("still open"), std::string::npos) << run.verdict.summary;
}

TEST(ClientSession, UnpromptedBytesBreakSilence) {
  ScriptedServer server([](const net::Socket& s) {
    (void)net::write_all(s, "220 mx\r\n", net::deadline_in(1s));
    std::this_thread::sleep_for(100ms);
    (void)net::write_all(s, "250 unprompted\r\n", net::deadline_in(1s));
    read_until(s, "never");
  });
  std::atomic<int> conns{0};
  auto sc = load(R"(
[[step]]
expect = { code = 220 }
[[step]]
expect_silence = 1000
why = "spoke unprompted"
)");
  auto run = run_client_scenario(sc, {}, target(server.port()), conns);
  EXPECT_EQ(run.verdict.kind, VerdictKind::kFail);
  EXPECT_NE(run.verdict.summary.find("250 unprompted"), std::string::npos) << run.verdict.summary;
}

// What a server writes in plaintext where its TLS handshake belongs, after
// the ClientHello has started: run through a starttls step that passes a
// failed handshake (as in S5, S7).
ScenarioRun run_with_plaintext_in_handshake(std::string reply) {
  ScriptedServer server([reply](const net::Socket& s) {
    (void)net::write_all(s, "220 mx\r\n", net::deadline_in(1s));
    read_until(s, "STARTTLS\r\n");
    (void)net::write_all(s, "220 go ahead\r\n", net::deadline_in(1s));
    read_until(s, "\x16");  // the ClientHello has started
    (void)net::write_all(s, reply, net::deadline_in(1s));
    read_until(s, "never");
  });
  std::atomic<int> conns{0};
  auto sc = load(R"(
[[step]]
expect = { code = 220 }
[[step]]
send = "STARTTLS\r\n"
[[step]]
expect = { code = 220 }
[[step]]
starttls = {}
timeout_ms = 3000
on_mismatch = "pass"
why = "failed cleanly"
)");
  return run_client_scenario(sc, {}, target(server.port()), conns);
}

// A positive plaintext reply there shows execution: a finding even where a
// failed handshake would pass.
TEST(ClientSession, PositivePlaintextReplyDuringHandshakeIsAlwaysAFinding) {
  auto run = run_with_plaintext_in_handshake("250 2.0.0 Ok\r\n");
  EXPECT_EQ(run.verdict.kind, VerdictKind::kFail) << run.verdict.summary;
  EXPECT_NE(run.verdict.summary.find("plaintext SMTP reply"), std::string::npos)
      << run.verdict.summary;
}

// A plaintext error (a server's "421 timeout" after it discarded the bytes
// sent before its 220) executed nothing: the step judges the failed
// handshake, and the reply is a note.
TEST(ClientSession, PlaintextErrorDuringHandshakeIsJudgedAsAFailedHandshake) {
  auto run = run_with_plaintext_in_handshake("421 4.4.2 mx Error: timeout exceeded\r\n");
  EXPECT_EQ(run.verdict.kind, VerdictKind::kPass) << run.verdict.summary;
  ASSERT_EQ(run.verdict.notes.size(), 1u);
  EXPECT_NE(run.verdict.notes[0].find("421 4.4.2"), std::string::npos) << run.verdict.notes[0];
}

TEST(ClientSession, FloodIsAFindingNotAClose) {
  ScriptedServer server([](const net::Socket& s) {
    (void)net::write_all(s, "220 mx\r\n", net::deadline_in(1s));
    read_until(s, "RSET\r\n");
    // Well-formed TLS records (application data, 16 KiB each): only the
    // byte limit can stop them.
    std::string record = std::string("\x17\x03\x03\x40\x00", 5) + std::string(1 << 14, 'x');
    std::string chunk;
    for (int i = 0; i < 4; ++i) chunk += record;
    for (int i = 0; i < 400; ++i)
      if (!net::write_all(s, chunk, net::deadline_in(2s)).ok()) break;
  });
  std::atomic<int> conns{0};
  auto sc = load(R"(
[[step]]
expect = { code = 220 }
[[step]]
send = "RSET\r\n"
[[step]]
expect_close = 20000
why = "no clean close"
)");
  auto run = run_client_scenario(sc, {}, target(server.port()), conns);
  EXPECT_EQ(run.verdict.kind, VerdictKind::kFail) << run.verdict.summary;
  EXPECT_NE(run.verdict.summary.find("flooded"), std::string::npos) << run.verdict.summary;
  std::size_t recorded = 0;
  for (const auto& e : run.verdict.transcript) recorded += e.bytes.size();
  EXPECT_LE(recorded, net::Recorder::kMaxBytes) << "the transcript must stay bounded";
}

// The catalogue's S1 against the conformant peer and against the knob that
// executes pipelined plaintext inside TLS.
TEST(ReferencePeer, S1PassesOnConformantAndFailsOnKnob) {
  auto sc = scenario::load_scenario_file(std::string(SMTPEER_SOURCE_DIR) +
                                         "/scenarios/rfc3207/rfc3207-s1-pipelined-rset.toml");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  for (const char* name : {"reference-mx", "knob-pipelined-after-starttls"}) {
    SCOPED_TRACE(name);
    const PeerSpec* spec = find_reference_peer(name);
    ASSERT_NE(spec, nullptr);
    auto peer = ReferencePeer::start(*spec);
    ASSERT_TRUE(peer.ok());
    std::atomic<int> conns{0};
    auto run = run_client_scenario(*sc, {}, target((*peer)->port()), conns);
    (*peer)->stop();
    bool knob = spec->knobs.execute_pipelined_after_starttls;
    EXPECT_EQ(run.verdict.kind, knob ? VerdictKind::kFail : VerdictKind::kPass)
        << run.verdict.summary;
    if (knob) {
      bool saw_injected_reply = false;
      for (const auto& e : run.verdict.evidence)
        if (e.who == "S" && e.tls && e.text.find("250") != std::string::npos)
          saw_injected_reply = true;
      EXPECT_TRUE(saw_injected_reply) << "evidence must show the 250 that arrived inside TLS";
    }
  }
}

}  // namespace
}  // namespace smtpeer::engine
