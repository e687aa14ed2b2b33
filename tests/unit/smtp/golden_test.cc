// Golden tests (STYLE.md 14): tests/golden/<kind>/<name>.in holds raw bytes as
// a peer sent them (real CRLF; tests/golden/.gitattributes keeps git from
// touching them), <name>.ref the readable dump of the parse. A new case is two
// files, no C++. SMTPEER_UPDATE_GOLDEN=1 rewrites the .ref files; review the
// diff before committing it.
//
//   reply/  ReplyParser over the whole stream (every reply in it, then how the
//           stream ended); the same stream fed one byte at a time must give
//           the identical dump.
//   ehlo/   the first reply of the stream, through parse_ehlo.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dump.h"
#include "smtp/ehlo_parser.h"
#include "smtp/reply_parser.h"

namespace smtpeer::smtp {
namespace {

namespace fs = std::filesystem;

const fs::path kGoldenDir = fs::path(SMTPEER_TEST_DATA) / "golden";

struct GoldenCase {
  std::string kind;  // subdirectory: "reply" or "ehlo"
  fs::path in;       // the .in file
};

std::ostream& operator<<(std::ostream& os, const GoldenCase& c) {
  return os << c.in.string();
}

std::vector<GoldenCase> list_cases(const std::string& kind) {
  std::vector<GoldenCase> cases;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kGoldenDir / kind, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".in") {
      cases.push_back({kind, entry.path()});
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const GoldenCase& a, const GoldenCase& b) { return a.in < b.in; });
  return cases;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool update_requested() {
  const char* env = std::getenv("SMTPEER_UPDATE_GOLDEN");
  return env != nullptr && std::string_view(env) == "1";
}

std::string render(const GoldenCase& c, const std::string& input) {
  if (c.kind == "reply") return testing::run_reply_stream(input);
  ReplyParser parser;
  const auto step = parser.feed(input);
  if (step.state != ReplyParser::State::kReply) {
    return "no complete reply" +
           (step.state == ReplyParser::State::kError ? ": " + parser.error() : std::string()) +
           "\n";
  }
  return testing::dump_ehlo(parse_ehlo(parser.take()));
}

class Golden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(Golden, MatchesRef) {
  const GoldenCase& c = GetParam();
  const std::string input = read_file(c.in);
  const std::string got = render(c, input);
  if (c.kind == "reply") {
    EXPECT_EQ(testing::run_reply_stream_bytewise(input), got)
        << "one-byte-at-a-time parse differs from whole-buffer parse";
  }

  fs::path ref = c.in;
  ref.replace_extension(".ref");
  if (update_requested()) {
    std::ofstream(ref, std::ios::binary) << got;
    return;
  }
  ASSERT_TRUE(fs::exists(ref)) << ref << " is missing; run with SMTPEER_UPDATE_GOLDEN=1";
  EXPECT_EQ(got, read_file(ref)) << "for " << c.in;
}

std::string case_name(const ::testing::TestParamInfo<GoldenCase>& info) {
  std::string name = info.param.kind + "_" + info.param.in.stem().string();
  for (char& ch : name) {
    const bool alnum =
        (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    if (!alnum) ch = '_';
  }
  return name;
}

// An empty directory instantiates nothing; GoldenFiles.ArePresent reports that.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Golden);
INSTANTIATE_TEST_SUITE_P(Reply, Golden, ::testing::ValuesIn(list_cases("reply")), case_name);
INSTANTIATE_TEST_SUITE_P(Ehlo, Golden, ::testing::ValuesIn(list_cases("ehlo")), case_name);

// A golden directory that went missing must not pass as "zero cases".
TEST(GoldenFiles, ArePresent) {
  EXPECT_GE(list_cases("reply").size(), 10u);
  EXPECT_GE(list_cases("ehlo").size(), 3u);
}

}  // namespace
}  // namespace smtpeer::smtp
