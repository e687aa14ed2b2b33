#include "report/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <regex>
#include <thread>

#include "report_fixtures.h"

namespace smtpeer::report {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

engine::Verdict verdict(engine::VerdictKind kind, std::string id, std::int64_t ms) {
  engine::Verdict v;
  v.kind = kind;
  v.scenario_id = std::move(id);
  v.duration_ms = ms;
  return v;
}

TEST(Progress, NonTtyPrintsOneLinePerFinishedScenario) {
  File f(std::tmpfile());
  ASSERT_NE(f, nullptr);
  {
    Progress p(f.get(), /*tty=*/false, 12);
    p.started("rfc3207-s0-baseline");
    p.started("rfc3207-s1-pipelined-rset");
    p.finished(verdict(engine::VerdictKind::kPass, "rfc3207-s0-baseline", 350));
    p.message("421 from the target: waiting 30 s");
    p.finished(verdict(engine::VerdictKind::kFail, "rfc3207-s1-pipelined-rset", 1234));
    p.finished(verdict(engine::VerdictKind::kSkip, "never-started", 0));
    p.finished(verdict(engine::VerdictKind::kError, "evil\x1b[2J", 61000));
  }
  EXPECT_EQ(contents(f.get()),
            "[1/12] PASS rfc3207-s0-baseline (350 ms)\n"
            "421 from the target: waiting 30 s\n"
            "[2/12] FAIL rfc3207-s1-pipelined-rset (1.2 s)\n"
            "[3/12] SKIP never-started (0 ms)\n"
            "[4/12] ERROR evil\\x1B[2J (1 min 01 s)\n");
}

TEST(Progress, TtyRewritesOneStatusLineAndClearsIt) {
  File f(std::tmpfile());
  ASSERT_NE(f, nullptr);
  {
    Progress p(f.get(), /*tty=*/true, 40);
    p.started("a");
    p.started("rfc3207-s1-pipelined-rset");
    p.finished(verdict(engine::VerdictKind::kFail, "a", 1200));
  }
  const std::string out = contents(f.get());
  // No newline except after the permanent FAIL line; everything else is
  // rewritten in place.
  EXPECT_EQ(out,
            "\r\x1b[K[  0/40] 1 running \u00b7 0 failed \u00b7 a \u2026"
            "\r\x1b[K[  0/40] 2 running \u00b7 0 failed \u00b7 rfc3207-s1-pipelined-rset \u2026"
            "\r\x1b[KFAIL a (1.2 s)\n"
            "\r\x1b[K[  1/40] 1 running \u00b7 1 failed \u00b7 rfc3207-s1-pipelined-rset \u2026"
            "\r\x1b[K");
}

TEST(Progress, TtyMessageKeepsStatusLineBelow) {
  File f(std::tmpfile());
  ASSERT_NE(f, nullptr);
  {
    Progress p(f.get(), /*tty=*/true, 2);
    p.message("before anything ran");
    p.started("x");
    p.message("hello");
    p.clear();
  }
  EXPECT_EQ(contents(f.get()),
            "before anything ran\n"
            "\r\x1b[K[ 0/2] 1 running \u00b7 0 failed \u00b7 x \u2026"
            "\r\x1b[Khello\n"
            "\r\x1b[K[ 0/2] 1 running \u00b7 0 failed \u00b7 x \u2026"
            "\r\x1b[K");
}

// Worker threads report concurrently; each line must come out whole.
TEST(Progress, ThreadSafeLinesNeverInterleave) {
  File f(std::tmpfile());
  ASSERT_NE(f, nullptr);
  constexpr int kThreads = 6;
  constexpr int kPerThread = 50;
  {
    Progress p(f.get(), /*tty=*/false, kThreads * kPerThread);
    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
      workers.emplace_back([&p, t] {
        for (int i = 0; i < kPerThread; ++i) {
          const std::string id = "scenario-" + std::to_string(t) + "-" + std::to_string(i);
          p.started(id);
          p.finished(verdict(engine::VerdictKind::kPass, id, 10));
        }
      });
    }
    for (auto& w : workers) w.join();
  }
  const std::string out = contents(f.get());
  const std::regex line_re(R"(\[(\d+)/300\] PASS scenario-\d-\d+ \(10 ms\))");
  std::size_t pos = 0;
  int n = 0;
  while (pos < out.size()) {
    const std::size_t nl = out.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    std::smatch m;
    const std::string line = out.substr(pos, nl - pos);
    ASSERT_TRUE(std::regex_match(line, m, line_re)) << line;
    EXPECT_EQ(std::stoi(m[1]), ++n);  // the counter is monotonic
    pos = nl + 1;
  }
  EXPECT_EQ(n, kThreads * kPerThread);
}

}  // namespace
}  // namespace smtpeer::report
