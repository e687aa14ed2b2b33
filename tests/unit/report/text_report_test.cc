#include "report/text_report.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

#include "report/display_text.h"
#include "report/output_file.h"
#include "report_fixtures.h"

namespace smtpeer::report {
namespace {

using testing::sample_run;
using testing::second_run;

engine::RunReport truncated_evidence_run() {
  auto run = sample_run();
  run.verdicts.resize(2);  // the pass and the failure
  auto& fail = run.verdicts[1];
  std::string long_line;
  for (int i = 0; i < 120; ++i) long_line += "250-X-EXTENSION-" + std::to_string(i) + "\\r\\n";
  fail.evidence.insert(fail.evidence.begin() + 2, {"S", long_line, false});
  for (int i = 0; i < 30; ++i) {
    fail.evidence.push_back({"C", "NOOP\\r\\n", true});
    fail.evidence.push_back({"S", "250 2.0.0 Ok\\r\\n", true});
  }
  return run;
}

engine::RunReport hostile_run() {
  auto run = sample_run();
  run.target = "evil.example.test:25\x1b]0;pwned\x07";
  run.verdicts.resize(2);
  auto& fail = run.verdicts[1];
  fail.scenario_id = "rfc3207-s1-pipelined-rset";
  fail.summary =
      "banner said \x1b[2J\x1b[31mALL GOOD\x1b[0m, then \xe2\x80\xae"
      "evil\xe2\x80\xac, then \xff\xfe, then " +
      std::string(300, 'Z') + " and a\ttab";
  fail.notes = {"note with CR\rLF\n inside"};
  fail.evidence = {{"S",
                    "220 \x1b[2J\xc2\x9b"
                    "31m",
                    false}};
  return run;
}

engine::RunReport empty_run() {
  engine::RunReport r;
  r.target = "127.0.0.1:2525";
  r.profile = "mandatory-tls";
  r.started_at = "2024-05-01T13:00:00Z";
  return r;
}

engine::RunReport all_skipped_run() {
  auto r = empty_run();
  r.duration_ms = 125000;
  r.verdicts = {testing::skip_legal_pipelining(), testing::skip_legal_pipelining()};
  r.verdicts[1].scenario_id = "rfc3207-s14-submission-auth";
  r.verdicts[1].summary = "the profile is not 'submission'";
  return r;
}

struct GoldenCase {
  const char* name;
  std::vector<engine::RunReport> (*runs)();
  TextOptions options;
};

std::vector<engine::RunReport> one() {
  return {sample_run()};
}
std::vector<engine::RunReport> two() {
  return {sample_run(), second_run()};
}
std::vector<engine::RunReport> truncated() {
  return {truncated_evidence_run()};
}
std::vector<engine::RunReport> hostile() {
  return {hostile_run()};
}
std::vector<engine::RunReport> empty() {
  return {empty_run()};
}
std::vector<engine::RunReport> skipped() {
  return {all_skipped_run()};
}

TextOptions opts(bool color, bool verbose, std::size_t evidence = 24, std::size_t width = 120) {
  TextOptions o;
  o.color = color;
  o.verbose = verbose;
  o.evidence_lines = evidence;
  o.width = width;
  return o;
}

const GoldenCase kGoldenCases[] = {
    {"single_run", one, opts(false, false)},
    {"single_run_verbose", one, opts(false, true)},
    {"single_run_color", one, opts(true, false)},
    {"two_runs", two, opts(false, false)},
    {"evidence_truncated", truncated, opts(false, false, 5)},
    {"evidence_unlimited", truncated, opts(false, false, 0)},
    {"narrow", one, opts(false, true, 24, 72)},
    {"hostile_peer", hostile, opts(false, false)},
    {"empty_run", empty, opts(false, false)},
    {"all_skipped", skipped, opts(false, false)},
    {"all_skipped_verbose", skipped, opts(false, true)},
};

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t nl = s.find('\n', pos);
    lines.push_back(s.substr(pos, nl - pos));
    pos = nl == std::string::npos ? s.size() : nl + 1;
  }
  return lines;
}

std::string strip_sgr(const std::string& s) {
  return std::regex_replace(s, std::regex("\x1b\\[[0-9;]*m"), "");
}

class TextGolden : public ::testing::TestWithParam<GoldenCase> {};

// A golden file pins the whole layout; SMTPEER_UPDATE_GOLDEN=1 rewrites it
// (then review the diff: it is what an operator will read).
TEST_P(TextGolden, MatchesReferenceFile) {
  const GoldenCase& gc = GetParam();
  const std::string got = render_text(gc.runs(), gc.options);
  const std::string path = std::string(SMTPEER_TEST_DATA) + "/golden/report/" + gc.name + ".ref";
  const char* update = std::getenv("SMTPEER_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    ASSERT_TRUE(write_file(path, got).ok()) << path;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path))
      << path << " is missing; run with SMTPEER_UPDATE_GOLDEN=1 to create it";
  EXPECT_EQ(got, testing::read_all(path))
      << "golden file " << path << " differs (SMTPEER_UPDATE_GOLDEN=1 rewrites it)";
}

TEST_P(TextGolden, LinesFitAndNothingDrivesTheTerminal) {
  const GoldenCase& gc = GetParam();
  const std::string got = render_text(gc.runs(), gc.options);
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), '\n');
  for (const auto& line : lines_of(got)) {
    const std::string plain = strip_sgr(line);
    EXPECT_LE(display_width(plain), gc.options.width) << line;
    for (const char ch : plain) {
      EXPECT_GE(static_cast<unsigned char>(ch), 0x20) << "control byte in: " << line;
    }
    EXPECT_EQ(line.find_last_not_of(' '), line.size() - 1) << "trailing blank: " << line;
  }
  if (!gc.options.color) {
    EXPECT_EQ(got.find('\x1b'), std::string::npos);
  }
}

TEST_P(TextGolden, EndsWithTotals) {
  const GoldenCase& gc = GetParam();
  const auto lines = lines_of(render_text(gc.runs(), gc.options));
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(std::regex_match(lines.back(),
                               std::regex(R"(\d+ passed, \d+ failed, \d+ skipped, \d+ errors)")))
      << lines.back();
}

INSTANTIATE_TEST_SUITE_P(Cases, TextGolden, ::testing::ValuesIn(kGoldenCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(TextReport, OverallLineSumsAllRuns) {
  const auto lines = lines_of(render_text(two(), {}));
  EXPECT_EQ(lines.back(), "3 passed, 1 failed, 2 skipped, 1 errors");
  EXPECT_EQ(lines[lines.size() - 2], "All 2 runs together:");
}

TEST(TextReport, FailureBlockHasWhatAnOperatorNeeds) {
  const std::string out = render_text(one(), {});
  for (const char* expected : {
           "FAIL rfc3207-s1-pipelined-rset: Plaintext command pipelined behind STARTTLS\n",
           "  clause: RFC 3207 §4.2\n",
           "  requirement: \"Upon completion of the TLS handshake",
           "  C: STARTTLS\\r\\nRSET\\r\\n\n",
           "  S: 220 2.0.0 Ready to start TLS\\r\\n\n",
           "  S[tls]: 250 2.0.0 Ok\\r\\n\n",
           "  *: TLS handshake ok TLSv1.3 TLS_AES_256_GCM_SHA384\n",
           "ERROR rfc3207-s18-silence-after-220",
           "1 scenario was skipped because it does not apply",
       }) {
    EXPECT_NE(out.find(expected), std::string::npos) << expected << "\n--- in ---\n" << out;
  }
  // Skips are counted, not listed, unless verbose.
  EXPECT_EQ(out.find("rfc3207-s16-legal-pipelining"), std::string::npos);
  EXPECT_NE(render_text(one(), opts(false, true)).find("rfc3207-s16-legal-pipelining"),
            std::string::npos);
}

TEST(TextReport, TruncatedEvidencePointsAtTheTranscript) {
  const std::string out = render_text(truncated(), opts(false, false, 5));
  EXPECT_NE(out.find("  \u2026 62 more lines (see transcripts/rfc3207-s1-pipelined-rset.jsonl)\n"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace smtpeer::report
