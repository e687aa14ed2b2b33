#include "report/json_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report_fixtures.h"

namespace smtpeer::report {
namespace {

using nlohmann::json;
using testing::sample_run;
using testing::second_run;

std::vector<std::string> keys_of(const nlohmann::ordered_json& j) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  return keys;
}

TEST(JsonReport, RunHasDocumentedKeysInOrder) {
  const auto j = nlohmann::ordered_json::parse(to_json(sample_run()));
  EXPECT_EQ(keys_of(j), (std::vector<std::string>{"tool", "version", "target", "profile",
                                                  "started_at", "duration_ms", "connections",
                                                  "interrupted", "totals", "scenarios"}));
  EXPECT_EQ(j["tool"], "smtpeer");
  EXPECT_EQ(j["version"], SMTPEER_VERSION);
  EXPECT_EQ(j["target"], "mx.example.test:25");
  EXPECT_EQ(j["profile"], "opportunistic-mx");
  EXPECT_EQ(j["started_at"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(j["duration_ms"], 4213);
  EXPECT_EQ(j["connections"], 14);
  EXPECT_EQ(j["interrupted"], false);
  EXPECT_EQ(j["totals"],
            nlohmann::ordered_json::parse(R"({"pass":2,"fail":1,"skip":1,"error":1})"));
  ASSERT_EQ(j["scenarios"].size(), 5u);
  EXPECT_EQ(keys_of(j["scenarios"][0]),
            (std::vector<std::string>{"id", "title", "catalogue", "tags", "verdict", "clause",
                                      "requirement", "summary", "notes", "evidence", "failed_step",
                                      "connections", "retries", "duration_ms"}));
}

TEST(JsonReport, ScenarioValues) {
  const auto j = json::parse(to_json(sample_run()));
  const auto& fail = j["scenarios"][1];
  EXPECT_EQ(fail["id"], "rfc3207-s1-pipelined-rset");
  EXPECT_EQ(fail["verdict"], "fail");
  EXPECT_EQ(fail["clause"], "RFC 3207 §4.2");
  EXPECT_EQ(fail["catalogue"], json::parse(R"(["S1","S6"])"));
  EXPECT_EQ(fail["tags"], json::parse(R"(["rfc3207","starttls"])"));
  EXPECT_EQ(fail["failed_step"], 3);
  EXPECT_EQ(fail["duration_ms"], 1234);
  ASSERT_EQ(fail["notes"].size(), 1u);
  ASSERT_EQ(fail["evidence"].size(), 6u);
  EXPECT_EQ(fail["evidence"][2],
            json::parse(R"({"who":"C","tls":false,"text":"STARTTLS\\r\\nRSET\\r\\n"})"));
  EXPECT_EQ(fail["evidence"][5]["tls"], true);

  const auto& pass = j["scenarios"][0];
  EXPECT_EQ(pass["verdict"], "pass");
  EXPECT_TRUE(pass["failed_step"].is_null());
  EXPECT_TRUE(pass["evidence"].is_array());
  EXPECT_TRUE(pass["evidence"].empty());
  EXPECT_EQ(j["scenarios"][2]["verdict"], "skip");
  EXPECT_EQ(j["scenarios"][3]["verdict"], "error");
  EXPECT_EQ(j["scenarios"][3]["retries"], 2);
}

TEST(JsonReport, MultiRunForm) {
  const auto j = json::parse(to_json(std::vector<engine::RunReport>{sample_run(), second_run()}));
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.size(), 1u);
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0], json::parse(to_json(sample_run())));
  EXPECT_EQ(j["runs"][1]["interrupted"], true);
  EXPECT_EQ(json::parse(to_json(std::vector<engine::RunReport>{}))["runs"], json::array());
}

TEST(JsonReport, InvalidUtf8DoesNotThrowAndStaysParseable) {
  auto run = sample_run();
  run.verdicts[0].summary = "banner \xff\xfe with \x1b[31m escape and \"quotes\"";
  std::string out;
  ASSERT_NO_THROW(out = to_json(run));
  const auto j = json::parse(out);
  const std::string summary = j["scenarios"][0]["summary"];
  EXPECT_NE(summary.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
  EXPECT_NE(summary.find("\x1b[31m"), std::string::npos);      // JSON keeps it, escaped
  EXPECT_EQ(out.find('\x1b'), std::string::npos);              // ... as \u001b
}

TEST(JsonReport, EndsWithNewline) {
  const std::string out = to_json(sample_run());
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
}

TEST(Verdict, NamesAndCounts) {
  EXPECT_EQ(engine::to_string(engine::VerdictKind::kPass), "pass");
  EXPECT_EQ(engine::to_string(engine::VerdictKind::kFail), "fail");
  EXPECT_EQ(engine::to_string(engine::VerdictKind::kSkip), "skip");
  EXPECT_EQ(engine::to_string(engine::VerdictKind::kError), "error");
  const auto run = sample_run();
  EXPECT_EQ(run.count(engine::VerdictKind::kPass), 2);
  EXPECT_EQ(run.count(engine::VerdictKind::kFail), 1);
  EXPECT_EQ(engine::RunReport{}.count(engine::VerdictKind::kPass), 0);
}

}  // namespace
}  // namespace smtpeer::report
