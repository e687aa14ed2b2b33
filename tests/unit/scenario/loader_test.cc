// Tests of the scenario loader: the shipped catalogue loads cleanly and
// covers every row S0..S19, and every malformed input is refused with a
// message that points at the right file:line:col.
#include "scenario/loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace smtpeer::scenario {
namespace {

namespace fs = std::filesystem;

const std::string kScenarioDir = SMTPEER_SOURCE_DIR "/scenarios";

// A minimal valid scenario; error cases are variations of it, so the line
// numbers below are easy to count.
constexpr std::string_view kMinimal =
    "id = \"t-min\"\n"                         // 1
    "title = \"minimal\"\n"                    // 2
    "catalogue = [\"S0\"]\n"                   // 3
    "clause = \"RFC 3207 §4\"\n"               // 4
    "requirement = \"a sentence\"\n"           // 5
    "\n"                                       // 6
    "[[step]]\n"                               // 7
    "send = \"EHLO smtpeer.invalid\\r\\n\"\n"  // 8
    "\n"                                       // 9
    "[[step]]\n"                               // 10
    "expect = { code = 250 }\n";               // 11

// header: the five required header lines, then `rest` from line 6 on.
std::string header(std::string_view rest) {
  return std::string(
             "id = \"t-min\"\n"
             "title = \"minimal\"\n"
             "catalogue = [\"S0\"]\n"
             "clause = \"RFC 3207 §4\"\n"
             "requirement = \"a sentence\"\n") +
         std::string(rest);
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("smtpeer-loader-test-" +
             std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  void write(const std::string& rel, std::string_view text) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel, std::ios::binary) << text;
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

TEST(LoaderCatalogue, MinimalLoads) {
  auto sc = load_scenario_text(kMinimal, "min.toml");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  EXPECT_EQ(sc->id, "t-min");
  ASSERT_EQ(sc->steps.size(), 2u);
  EXPECT_EQ(sc->steps[0].kind, StepKind::kSend);
  EXPECT_EQ(sc->steps[0].line, 7);
  ASSERT_EQ(sc->steps[0].parts.size(), 1u);
  EXPECT_EQ(sc->steps[0].parts[0].bytes, "EHLO smtpeer.invalid\r\n");
  EXPECT_EQ(sc->steps[1].kind, StepKind::kExpect);
  EXPECT_EQ(sc->steps[1].expect.codes, std::vector<int>{250});
  EXPECT_EQ(sc->steps[1].on_mismatch, Outcome::kFail);
  EXPECT_EQ(sc->steps[1].timeout_ms, 10000);
  EXPECT_EQ(sc->role, "client");
  EXPECT_EQ(sc->path, "min.toml");
  EXPECT_EQ(sc->id_line, 1);
}

TEST(LoaderCatalogue, EveryShippedScenarioLoads) {
  auto all = load_scenario_dir(kScenarioDir);
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_FALSE(all->empty());

  std::set<std::string> ids;
  std::set<std::string> rows;
  for (const Scenario& sc : *all) {
    SCOPED_TRACE(sc.path);
    EXPECT_TRUE(ids.insert(sc.id).second) << "duplicate id " << sc.id;
    EXPECT_FALSE(sc.clause.empty());
    EXPECT_FALSE(sc.requirement.empty());
    // A probe scenario is judged from the TLS inventory and has no steps.
    EXPECT_NE(sc.steps.empty(), sc.probe.empty());
    // File name = id + ".toml": `smtpeer explain ID` and humans find it.
    EXPECT_EQ(fs::path(sc.path).stem().string(), sc.id);
    rows.insert(sc.catalogue.begin(), sc.catalogue.end());
    // Every judging step says, in operator's words, what went wrong.
    for (const Step& st : sc.steps) {
      bool judges = st.kind == StepKind::kExpect || st.kind == StepKind::kSilence ||
                    st.kind == StepKind::kClose || st.kind == StepKind::kStarttls ||
                    st.kind == StepKind::kRequire;
      if (judges) {
        EXPECT_FALSE(st.why.empty()) << "step at line " << st.line << " has no why";
      }
      for (const Branch& b : st.alternatives) {
        EXPECT_FALSE(b.why.empty()) << "alternative at line " << st.line << " has no why";
      }
    }
  }
  for (int i = 0; i <= 19; ++i) {
    std::string row = "S" + std::to_string(i);
    EXPECT_TRUE(rows.count(row)) << "catalogue row " << row << " has no scenario";
  }
  // Sorted by id, digit runs as numbers: s2 before s10.
  EXPECT_TRUE(std::is_sorted(all->begin(), all->end(), [](const Scenario& a, const Scenario& b) {
    return natural_less(a.id, b.id);
  }));
  auto pos = [&](std::string_view id) {
    return std::find_if(all->begin(), all->end(), [&](const Scenario& s) { return s.id == id; });
  };
  EXPECT_LT(pos("rfc3207-s2-pipelined-ehlo"), pos("rfc3207-s10-starttls-after-tls"));
}

TEST(NaturalLess, DigitRunsCompareAsNumbers) {
  EXPECT_TRUE(natural_less("s2", "s10"));
  EXPECT_FALSE(natural_less("s10", "s2"));
  EXPECT_TRUE(natural_less("s02", "s3"));
  EXPECT_TRUE(natural_less("a", "ab"));
  EXPECT_FALSE(natural_less("ab", "ab"));
  EXPECT_TRUE(natural_less("s6-a", "s6-b"));
}

TEST(LoaderCatalogue, ProfilesLoad) {
  for (const char* name : {"rfc3207", "opportunistic-mx", "mandatory-tls", "submission"}) {
    SCOPED_TRACE(name);
    auto p = load_profile(kScenarioDir + "/profiles", name);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->name, name);
  }
  auto rfc = load_profile(kScenarioDir + "/profiles", "rfc3207");
  ASSERT_TRUE(rfc.ok());
  EXPECT_TRUE(rfc->flags.empty());
  auto mx = load_profile(kScenarioDir + "/profiles", "opportunistic-mx");
  ASSERT_TRUE(mx.ok());
  EXPECT_TRUE(mx->has("starttls-offered"));
  EXPECT_TRUE(mx->has("plaintext-mail-accepted"));
  EXPECT_FALSE(mx->has("tls-required"));
  auto strict =
      load_profile(kScenarioDir + "/profiles", kScenarioDir + "/profiles/mandatory-tls.toml");
  ASSERT_TRUE(strict.ok()) << strict.error().message;
  EXPECT_EQ(strict->min_tls_version, "TLSv1.2");
  EXPECT_FALSE(load_profile(kScenarioDir + "/profiles", "../etc/passwd").ok());
  EXPECT_FALSE(load_profile(kScenarioDir + "/profiles", "no-such-profile").ok());
}

TEST(LoaderFeatures, SendPartsAndWritePlan) {
  auto sc = load_scenario_text(
      header("[[step]]\n"
             "send = [\"EHLO \", { repeat = \"ab\", count = 3 }, { hex = \"0d 0A\" }, "
             "\"\\u0000\"]\n"
             "split_at = [2, 5]\n"
             "delay_ms = 100\n"
             "[[step]]\n"
             "send = [\"STARTTLS\\r\\n\", { tls = \"client_hello\" }]\n"
             "bytewise = true\n"
             "[[step]]\n"
             "starttls = { min_version = \"TLSv1.2\", sni = \"\", security_level = 0 }\n"
             "timeout_ms = 3000\n"),
      "parts.toml");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  const Step& s0 = sc->steps[0];
  ASSERT_EQ(s0.parts.size(), 1u);
  EXPECT_EQ(s0.parts[0].bytes, std::string("EHLO ababab\r\n\0", 14));
  EXPECT_EQ(s0.plan.split_at, (std::vector<std::size_t>{2, 5}));
  EXPECT_EQ(s0.plan.delay_ms, 100);
  const Step& s1 = sc->steps[1];
  ASSERT_EQ(s1.parts.size(), 2u);
  EXPECT_EQ(s1.parts[1].kind, SendPart::Kind::kClientHello);
  EXPECT_TRUE(s1.plan.bytewise);
  const Step& s2 = sc->steps[2];
  EXPECT_EQ(s2.tls.min_version, "TLSv1.2");
  ASSERT_TRUE(s2.tls.sni.has_value());
  EXPECT_EQ(*s2.tls.sni, "");
  EXPECT_EQ(s2.tls.security_level, 0);
  EXPECT_EQ(s2.timeout_ms, 3000);
}

TEST(LoaderFeatures, ExpectAlternativesAndConditions) {
  auto sc = load_scenario_text(
      header("[[step]]\n"
             "require = { advertised = \"STARTTLS\", profile_lacks = [\"tls-required\"] }\n"
             "[[step]]\n"
             "expect = { code = [220], alone = true }\n"
             "or = [ { class = [4, 5], then = \"pass\", why = \"refused\" }, { closed = true } ]\n"
             "when = { not_advertised = \"PIPELINING\" }\n"
             "on_mismatch = \"note\"\n"
             "clause = \"RFC 7457 §2.1\"\n"
             "[[step]]\n"
             "expect_silence = 1000\n"
             "[[step]]\n"
             "expect_close = 15000\n"
             "[[step]]\n"
             "reconnect = true\n"),
      "alt.toml");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  const Step& req = sc->steps[0];
  EXPECT_EQ(req.kind, StepKind::kRequire);
  EXPECT_EQ(req.on_mismatch, Outcome::kSkip);  // the default for require only
  EXPECT_EQ(req.require.advertised, std::vector<std::string>{"STARTTLS"});
  EXPECT_EQ(req.require.profile_lacks, std::vector<std::string>{"tls-required"});
  const Step& ex = sc->steps[1];
  EXPECT_TRUE(ex.expect.alone);
  ASSERT_EQ(ex.alternatives.size(), 2u);
  EXPECT_EQ(ex.alternatives[0].match.classes, (std::vector<int>{4, 5}));
  EXPECT_EQ(ex.alternatives[0].then, Outcome::kPass);
  EXPECT_TRUE(ex.alternatives[1].match.closed);
  EXPECT_EQ(ex.alternatives[1].then, Outcome::kPass);  // `then` defaults to pass
  EXPECT_EQ(ex.when.not_advertised, std::vector<std::string>{"PIPELINING"});
  EXPECT_EQ(ex.on_mismatch, Outcome::kNote);
  EXPECT_EQ(ex.clause, "RFC 7457 §2.1");
  EXPECT_EQ(sc->steps[2].silence_ms, 1000);
  EXPECT_EQ(sc->steps[3].timeout_ms, 15000);
  EXPECT_EQ(sc->steps[4].kind, StepKind::kReconnect);
}

// ---- Errors ----------------------------------------------------------------

struct ErrorCase {
  std::string name;
  std::string text;
  std::string where;    // expected "file:line:col" prefix
  std::string message;  // a substring of the message after the prefix
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << c.name;
}

class LoaderError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(LoaderError, PointsAtTheProblem) {
  const ErrorCase& c = GetParam();
  auto sc = load_scenario_text(c.text, "bad.toml");
  ASSERT_FALSE(sc.ok()) << "loaded although it should not";
  EXPECT_EQ(sc.error().code, ErrorCode::kScenario);
  const std::string& msg = sc.error().message;
  EXPECT_EQ(msg.substr(0, c.where.size() + 2), c.where + ": ") << msg;
  EXPECT_NE(msg.find(c.message), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
}

const ErrorCase kErrorCases[] = {
    {"UnknownTopLevelKey", header("titel = \"x\"\n[[step]]\nsend = \"x\"\n"), "bad.toml:6:1",
     "unknown key 'titel' in the scenario header (expected one of: id, title,"},
    {"UnknownStepKey", header("[[step]]\nsend = \"x\"\nlabl = \"y\"\n"), "bad.toml:8:1",
     "unknown key 'labl' in [[step]] (expected one of: send, expect,"},
    {"TypoInMatchKey", header("[[step]]\nexpect = { code = 250, txt = \"ok\" }\n"), "bad.toml:7:24",
     "unknown key 'txt' in 'expect' (expected one of: code, class, text,"},
    {"CodeAsString", header("[[step]]\nexpect = { code = \"250\" }\n"), "bad.toml:7:19",
     "'code' must be an integer 200..599 or an array of them (found a string)"},
    {"Code999", header("[[step]]\nexpect = { code = [250, 999] }\n"), "bad.toml:7:25",
     "'code' must be an integer 200..599 or an array of them (found 999)"},
    {"StepWithTwoActions", header("[[step]]\nsend = \"x\"\nexpect = { code = 250 }\n"),
     "bad.toml:8:1", "exactly one action, this one has both 'send' and 'expect'"},
    {"StepWithNoAction", header("[[step]]\nlabel = \"nothing\"\n"), "bad.toml:6:1",
     "needs one action key (one of: send, expect, expect_silence,"},
    {"BadHex", header("[[step]]\nsend = [{ hex = \"16 0g\" }]\n"), "bad.toml:7:17",
     "bad hex '16 0g'"},
    {"OddHex", header("[[step]]\nsend = [{ hex = \"160\" }]\n"), "bad.toml:7:17", "bad hex '160'"},
    {"RepeatCountZero", header("[[step]]\nsend = [{ repeat = \"a\", count = 0 }]\n"),
     "bad.toml:7:33", "'count' must be an integer 1..16777216 (found 0)"},
    {"RepeatWithoutCount", header("[[step]]\nsend = [{ repeat = \"a\" }]\n"), "bad.toml:7:9",
     "missing required key 'count'"},
    {"SplitAtNotAscending", header("[[step]]\nsend = \"abcdef\"\nsplit_at = [3, 2]\n"),
     "bad.toml:8:16", "is not above the one before it"},
    {"SplitAtOutside", header("[[step]]\nsend = \"abc\"\nsplit_at = [3]\n"), "bad.toml:8:13",
     "outside 1..2"},
    {"SplitAtWithBytewise", header("[[step]]\nsend = \"abc\"\nsplit_at = [1]\nbytewise = true\n"),
     "bad.toml:9:12", "'split_at' and 'bytewise' exclude each other"},
    {"DelayWithoutSplit", header("[[step]]\nsend = \"abc\"\ndelay_ms = 10\n"), "bad.toml:8:12",
     "'delay_ms' needs 'split_at' or 'bytewise'"},
    {"UnknownThen",
     header("[[step]]\nexpect = { code = 220 }\nor = [ { class = 5, then = \"passs\" } ]\n"),
     "bad.toml:8:28", "'then' must be one of: pass, fail, skip, note, continue (found 'passs')"},
    {"UnknownOnMismatch", header("[[step]]\nexpect = { code = 220 }\non_mismatch = \"ok\"\n"),
     "bad.toml:8:15", "'on_mismatch' must be one of"},
    {"MalformedToml", header("[[step]]\nsend = \"unterminated\n"), "bad.toml:7:21", "TOML syntax:"},
    {"MalformedTomlArray", header("[[step]]\nexpect = { code = [250,, 251] }\n"), "bad.toml:7:24",
     "TOML syntax:"},
    {"UnknownProfileFlagInCondition",
     header("[[step]]\nrequire = { profile_has = \"tls-requird\" }\n"), "bad.toml:7:27",
     "unknown profile flag 'tls-requird' (expected one of: starttls-offered,"},
    {"MissingId",
     "title = \"t\"\ncatalogue = [\"S0\"]\nclause = \"c\"\nrequirement = \"r\"\n"
     "[[step]]\nsend = \"x\"\n",
     "bad.toml:1:1", "missing required key 'id' in the scenario header"},
    {"MissingSteps", header(""), "bad.toml:1:1", "missing required key 'step'"},
    {"StepNotArray", header("[step]\nsend = \"x\"\n"), "bad.toml:6:1",
     "'step' must be an array of tables"},
    {"BadId", "id = \"Bad_Id\"\n", "bad.toml:1:6", "'id' must be lower-case letters"},
    {"BadCatalogueRow", "id = \"x\"\ntitle = \"t\"\ncatalogue = [\"S1\", \"row9\"]\n",
     "bad.toml:3:20", "'catalogue' rows look like S1"},
    {"ClassOutOfRange", header("[[step]]\nexpect = { class = 6 }\n"), "bad.toml:7:20",
     "'class' must be an integer 2..5 or an array of them (found 6)"},
    {"CodeAndClass", header("[[step]]\nexpect = { code = 250, class = 2 }\n"), "bad.toml:7:32",
     "'code' and 'class' exclude each other"},
    {"ClosedWithCode", header("[[step]]\nexpect = { code = 250, closed = true }\n"),
     "bad.toml:7:10", "'closed' matches the absence of a reply"},
    {"OnlyAlone", header("[[step]]\nexpect = { alone = true }\n"), "bad.toml:7:10",
     "needs at least one match key besides 'alone'"},
    {"EmptyExpect", header("[[step]]\nexpect = { }\n"), "bad.toml:7:10",
     "'expect' needs at least one match key"},
    {"OrOnSend", header("[[step]]\nsend = \"x\"\nor = [ { class = 5 } ]\n"), "bad.toml:8:1",
     "'or' does not apply to a 'send' step"},
    {"TimeoutOnSilence", header("[[step]]\nexpect_silence = 100\ntimeout_ms = 5\n"), "bad.toml:8:1",
     "'timeout_ms' does not apply to a 'expect_silence' step (only to: send, expect, starttls, "
     "reconnect)"},
    {"ReconnectFalse", header("[[step]]\nreconnect = false\n"), "bad.toml:7:13",
     "'reconnect' must be true"},
    {"BadTlsVersion", header("[[step]]\nstarttls = { min_version = \"TLS1.2\" }\n"),
     "bad.toml:7:28", "'min_version' must be one of: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3"},
    {"UnknownTlsKey", header("[[step]]\nstarttls = { verfy = true }\n"), "bad.toml:7:14",
     "unknown key 'verfy' in 'starttls'"},
    {"UnknownSendPartKey", header("[[step]]\nsend = [{ hexx = \"00\" }]\n"), "bad.toml:7:11",
     "unknown key 'hexx' in a send part"},
    {"ClientHelloWithoutStarttls",
     header("[[step]]\nsend = [\"STARTTLS\\r\\n\", { tls = \"client_hello\" }]\n"), "bad.toml:6:1",
     "needs a later starttls step"},
    {"SilenceAsString", header("[[step]]\nexpect_silence = \"1s\"\n"), "bad.toml:7:18",
     "'expect_silence' must be an integer 1..3600000 (found a string)"},
    {"EmptyRequire", header("[[step]]\nrequire = {}\n"), "bad.toml:7:11",
     "'require' needs at least one of"},
    {"BadCapability",
     header("[[step]]\nexpect = { code = 250, has_capability = \"AUTH  PLAIN\" }\n"),
     "bad.toml:7:41", "a capability is \"KEYWORD\" or \"KEYWORD PARAM\""},
};

INSTANTIATE_TEST_SUITE_P(Cases, LoaderError, ::testing::ValuesIn(kErrorCases),
                         [](const ::testing::TestParamInfo<ErrorCase>& info) {
                           return info.param.name;
                         });

TEST(LoaderLimits, OversizedInputIsRefusedBeforeParsing) {
  std::string big(2u << 20, '#');
  auto sc = load_scenario_text(big, "big.toml");
  ASSERT_FALSE(sc.ok());
  EXPECT_EQ(sc.error().message.rfind("big.toml:1:1: file is too large", 0), 0u)
      << sc.error().message;
}

// toml++ recurses per nesting level; 30 000 dotted parts overflow its stack.
TEST(LoaderLimits, DeepNestingIsRefusedBeforeParsing) {
  std::string dotted = "a";
  for (int i = 0; i < 40000; ++i) dotted += ".a";
  auto sc = load_scenario_text(dotted + " = 1\n", "deep.toml");
  ASSERT_FALSE(sc.ok());
  EXPECT_EQ(sc.error().message.rfind("deep.toml:1:1026: too many dotted key parts", 0), 0u)
      << sc.error().message;

  auto arrays =
      load_scenario_text("a = " + std::string(65, '[') + std::string(65, ']') + "\n", "deep.toml");
  ASSERT_FALSE(arrays.ok());
  EXPECT_EQ(
      arrays.error().message.rfind("deep.toml:1:69: arrays and tables nested more than 64", 0), 0u)
      << arrays.error().message;

  // Dots and brackets inside strings and comments do not count.
  std::string prose(2000, '.');
  auto ok = load_scenario_text(
      header("# " + prose +
             " [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
             "[[step]]\nsend = \"" +
             prose + "\\\"" + std::string(70, '[') +
             "\"\n"
             "why = '" +
             prose + "'\n"),
      "prose.toml");
  EXPECT_TRUE(ok.ok()) << ok.error().message;
}

TEST(LoaderLimits, SendTooLong) {
  auto sc = load_scenario_text(header("[[step]]\nsend = [{ repeat = \"ab\", count = 16777216 }]\n"),
                               "long.toml");
  ASSERT_FALSE(sc.ok());
  EXPECT_NE(sc.error().message.find("long.toml:7:34: 'repeat' x 'count' makes more than"),
            std::string::npos)
      << sc.error().message;
}

struct ProfileErrorCase {
  std::string name;
  std::string path;
  std::string text;
  std::string where;
  std::string message;
};

void PrintTo(const ProfileErrorCase& c, std::ostream* os) {
  *os << c.name;
}

class LoaderProfileError : public ::testing::TestWithParam<ProfileErrorCase> {};

TEST_P(LoaderProfileError, PointsAtTheProblem) {
  const ProfileErrorCase& c = GetParam();
  auto p = load_profile_text(c.text, c.path);
  ASSERT_FALSE(p.ok());
  const std::string& msg = p.error().message;
  EXPECT_EQ(msg.substr(0, c.where.size() + 2), c.where + ": ") << msg;
  EXPECT_NE(msg.find(c.message), std::string::npos) << msg;
}

const ProfileErrorCase kProfileErrorCases[] = {
    {"UnknownFlag", "profiles/mx.toml",
     "name = \"mx\"\ndescription = \"d\"\nflags = [\"starttls-offered\", \"tls-requird\"]\n",
     "profiles/mx.toml:3:30",
     "unknown profile flag 'tls-requird' (expected one of: starttls-offered,"},
    {"NameMismatch", "profiles/mx.toml", "name = \"mx-backup\"\ndescription = \"d\"\n",
     "profiles/mx.toml:1:8", "profile name 'mx-backup' does not match the file name 'mx.toml'"},
    {"UnknownKey", "profiles/mx.toml", "name = \"mx\"\ndescription = \"d\"\nflag = []\n",
     "profiles/mx.toml:3:1", "unknown key 'flag' in the profile (expected one of: name,"},
    {"BadMinVersion", "profiles/mx.toml",
     "name = \"mx\"\ndescription = \"d\"\nmin_tls_version = \"SSLv3\"\n", "profiles/mx.toml:3:19",
     "'min_tls_version' must be one of"},
    {"MissingDescription", "profiles/mx.toml", "name = \"mx\"\n", "profiles/mx.toml:1:1",
     "missing required key 'description'"},
    {"Malformed", "profiles/mx.toml", "name = \"mx\"\nflags = [\"a\" \"b\"]\n",
     "profiles/mx.toml:2:14", "TOML syntax:"},
};

INSTANTIATE_TEST_SUITE_P(Cases, LoaderProfileError, ::testing::ValuesIn(kProfileErrorCases),
                         [](const ::testing::TestParamInfo<ProfileErrorCase>& info) {
                           return info.param.name;
                         });

TEST(LoaderDir, DuplicateIdsNameBothFiles) {
  TempDir dir;
  dir.write("a/one.toml", kMinimal);
  dir.write("b/two.toml", kMinimal);
  auto all = load_scenario_dir(dir.str());
  ASSERT_FALSE(all.ok());
  const std::string& msg = all.error().message;
  std::string one = (fs::path(dir.str()) / "a/one.toml").string();
  std::string two = (fs::path(dir.str()) / "b/two.toml").string();
  EXPECT_EQ(msg, two + ":1:6: duplicate id 't-min' (also in " + one + ":1:6)");
}

TEST(LoaderDir, SkipsProfilesAndReportsEveryBrokenFile) {
  TempDir dir;
  dir.write("ok.toml", kMinimal);
  dir.write("profiles/rfc3207.toml", "name = \"rfc3207\"\ndescription = \"d\"\n");
  dir.write("notes.txt", "not toml at all [[[");
  auto all = load_scenario_dir(dir.str());
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->size(), 1u);

  dir.write("x/broken1.toml", "id = 1\n");
  dir.write("x/broken2.toml", "id = \"y\"\ntitle = 3\n");
  auto broken = load_scenario_dir(dir.str());
  ASSERT_FALSE(broken.ok());
  const std::string& msg = broken.error().message;
  EXPECT_NE(msg.find("broken1.toml:1:6: 'id' must be a string"), std::string::npos) << msg;
  EXPECT_NE(msg.find("broken2.toml:2:9: 'title' must be a string"), std::string::npos) << msg;
}

TEST(LoaderDir, MissingDirectory) {
  auto all = load_scenario_dir("/nonexistent/smtpeer/scenarios");
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.error().code, ErrorCode::kIo);
}

// ---- Selection ---------------------------------------------------------------

std::vector<std::string> ids_of(const std::vector<Scenario>& v) {
  std::vector<std::string> out;
  for (const Scenario& s : v) out.push_back(s.id);
  return out;
}

class LoaderSelection : public ::testing::Test {
 protected:
  LoaderSelection() {
    auto make = [](std::string id, std::vector<std::string> rows, std::vector<std::string> tags) {
      Scenario s;
      s.id = std::move(id);
      s.catalogue = std::move(rows);
      s.tags = std::move(tags);
      return s;
    };
    all_ = {make("rfc3207-s1-pipelined-rset", {"S1"}, {"rfc3207", "injection"}),
            make("rfc3207-s6-lowercase", {"S6"}, {"rfc3207", "injection"}),
            make("rfc3207-s10-starttls-after-tls", {"S10"}, {"rfc3207", "state"}),
            make("smtp-s19-ehlo-empty", {"S19"}, {"smtp", "ehlo"})};
  }
  std::vector<Scenario> all_;
};

TEST_F(LoaderSelection, NoFilterSelectsAll) {
  EXPECT_EQ(select_scenarios(all_, {}, {}).size(), 4u);
}

TEST_F(LoaderSelection, TagsMatchAny) {
  EXPECT_EQ(ids_of(select_scenarios(all_, {"injection"}, {})),
            (std::vector<std::string>{"rfc3207-s1-pipelined-rset", "rfc3207-s6-lowercase"}));
  EXPECT_EQ(select_scenarios(all_, {"state", "ehlo"}, {}).size(), 2u);
  EXPECT_TRUE(select_scenarios(all_, {"nope"}, {}).empty());
}

TEST_F(LoaderSelection, IdsMatchExactIdOrCatalogueRow) {
  EXPECT_EQ(ids_of(select_scenarios(all_, {}, {"rfc3207-s6-lowercase"})),
            std::vector<std::string>{"rfc3207-s6-lowercase"});
  // A row is matched exactly, case-insensitively: "s1" is S1, not S10 or S19.
  EXPECT_EQ(ids_of(select_scenarios(all_, {}, {"s1"})),
            std::vector<std::string>{"rfc3207-s1-pipelined-rset"});
  EXPECT_EQ(ids_of(select_scenarios(all_, {}, {"S10", "S19"})),
            (std::vector<std::string>{"rfc3207-s10-starttls-after-tls", "smtp-s19-ehlo-empty"}));
  EXPECT_TRUE(select_scenarios(all_, {}, {"rfc3207-s6"}).empty());  // no prefix matching
}

TEST_F(LoaderSelection, TagsAndIdsBothApply) {
  EXPECT_EQ(ids_of(select_scenarios(all_, {"injection"}, {"S6", "S10"})),
            std::vector<std::string>{"rfc3207-s6-lowercase"});
}

// A multi-line string may end with extra quotes ('''a'''' is "a'"): the
// nesting scanner must not lose track of the string there, or the dotted
// keys behind it would reach toml++ unchecked.
TEST(LoaderLimits, QuoteRunsClosingMultiLineStringsAreScanned) {
  for (std::string q : {std::string(3, '\''), std::string(3, '"')}) {
    std::string dotted = "a";
    for (int i = 0; i < 40000; ++i) dotted += ".a";
    std::string text = "x = { y = " + q + "a" + q + q.substr(0, 1) + ", " + dotted + " = 1 }\n";
    auto sc = load_scenario_text(text, "quotes.toml");
    ASSERT_FALSE(sc.ok());
    EXPECT_NE(sc.error().message.find("too many dotted key parts"), std::string::npos)
        << sc.error().message.substr(0, 200);
  }
}

// ---- Profiles: the [tls] table (TlsPolicy) ----------------------------------

// tls_profile: a profile "mx" whose [tls] table starts on line 4.
std::string tls_profile(std::string_view rest) {
  return "name = \"mx\"\ndescription = \"d\"\n[tls]\n" + std::string(rest);
}

const ProfileErrorCase kTlsPolicyErrorCases[] = {
    {"TlsUnknownKey", "profiles/mx.toml", tls_profile("versions = [\"TLSv1.2\"]\nmin_dh = 2048\n"),
     "profiles/mx.toml:5:1",
     "unknown key 'min_dh' in [tls] (expected one of: versions, required_versions, "
     "min_cipher_bits, forbid, suites, suite_order, min_dh_bits, min_ecdh_bits, compression, "
     "secure_renegotiation, heartbeat, fallback_scsv, client_certificate, certificate)"},
    {"CertificateUnknownKey", "profiles/mx.toml",
     tls_profile("[tls.certificate]\nverify = true\nmatch_cn = true\n"), "profiles/mx.toml:6:1",
     "unknown key 'match_cn' in [tls.certificate] (expected one of: verify, current, match_name, "
     "match_banner, min_rsa_bits, min_ec_bits, self_signed, sha1, warn_days)"},
    {"UnknownSuite", "profiles/mx.toml",
     tls_profile("suites = [\"ECDHE-RSA-AES128-GCM-SHA256\", \"ECDHE-RSA-AES129-GCM-SHA256\"]\n"),
     "profiles/mx.toml:4:42", "unknown cipher suite 'ECDHE-RSA-AES129-GCM-SHA256'"},
    {"SuiteOrderWithoutSuites", "profiles/mx.toml", tls_profile("suite_order = true\n"),
     "profiles/mx.toml:4:15", "'suite_order' needs the 'suites' list"},
    {"EmptySuiteList", "profiles/mx.toml", tls_profile("suites = []\n"), "profiles/mx.toml:4:10",
     "'suites' must not be empty"},
    {"BadVersionName", "profiles/mx.toml", tls_profile("versions = [\"TLSv1.2\", \"TLS1.3\"]\n"),
     "profiles/mx.toml:4:24",
     "unknown version 'TLS1.3' (expected one of: SSLv2, SSLv3, TLSv1.0, TLSv1.1, TLSv1.2, "
     "TLSv1.3)"},
    {"BadRequiredVersion", "profiles/mx.toml", tls_profile("required_versions = \"TLSv1.4\"\n"),
     "profiles/mx.toml:4:21", "unknown version 'TLSv1.4'"},
    {"UnknownSuiteClass", "profiles/mx.toml", tls_profile("forbid = [\"rc4\", \"sweet32\"]\n"),
     "profiles/mx.toml:4:18", "unknown suite class 'sweet32' (expected one of: export, null,"},
    {"ClientCertificateBoolean", "profiles/mx.toml", tls_profile("client_certificate = true\n"),
     "profiles/mx.toml:4:22", "'client_certificate' must be"},
    {"ClientCertificateUnknownMode", "profiles/mx.toml",
     tls_profile("client_certificate = \"optional\"\n"), "profiles/mx.toml:4:22",
     "'client_certificate' must be one of: required, any (found 'optional')"},
    {"MinDhBitsOutOfRange", "profiles/mx.toml", tls_profile("min_dh_bits = 100000\n"),
     "profiles/mx.toml:4:15", "'min_dh_bits' must be an integer 0..16384 (found 100000)"},
    {"CompressionNotBoolean", "profiles/mx.toml", tls_profile("compression = \"no\"\n"),
     "profiles/mx.toml:4:15", "'compression' must be true or false"},
    {"CertificateNotATable", "profiles/mx.toml", tls_profile("certificate = true\n"),
     "profiles/mx.toml:4:15", "'certificate' must be a table"},
    {"WarnDaysString", "profiles/mx.toml", tls_profile("[tls.certificate]\nwarn_days = \"30\"\n"),
     "profiles/mx.toml:5:13", "'warn_days' must be an integer 0..3650"},
    {"TlsNotATable", "profiles/mx.toml", "name = \"mx\"\ndescription = \"d\"\ntls = \"yes\"\n",
     "profiles/mx.toml:3:7", "'tls' must be a table"},
};

INSTANTIATE_TEST_SUITE_P(TlsPolicy, LoaderProfileError, ::testing::ValuesIn(kTlsPolicyErrorCases),
                         [](const ::testing::TestParamInfo<ProfileErrorCase>& info) {
                           return info.param.name;
                         });

TEST(LoaderTlsPolicy, EveryErrorIsOneScenarioErrorLine) {
  for (const ProfileErrorCase& c : kTlsPolicyErrorCases) {
    SCOPED_TRACE(c.name);
    auto p = load_profile_text(c.text, c.path);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().code, ErrorCode::kScenario);
    EXPECT_EQ(p.error().message.find('\n'), std::string::npos) << p.error().message;
  }
}

TEST(LoaderTlsPolicy, FullTableLoads) {
  auto p = load_profile_text(tls_profile("versions = [\"TLSv1.2\", \"TLSv1.3\"]\n"
                                         "required_versions = \"TLSv1.2\"\n"
                                         "min_cipher_bits = 128\n"
                                         "forbid = [\"export\", \"rsa-kx\"]\n"
                                         "suite_order = true\n"  // before `suites`: order is free
                                         "suites = [\"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384\", "
                                         "\"ECDHE-RSA-AES128-GCM-SHA256\"]\n"
                                         "min_dh_bits = 3072\n"
                                         "min_ecdh_bits = 256\n"
                                         "compression = false\n"
                                         "secure_renegotiation = true\n"
                                         "fallback_scsv = false\n"
                                         "client_certificate = \"required\"\n"
                                         "[tls.certificate]\n"
                                         "verify = true\n"
                                         "match_banner = true\n"
                                         "min_rsa_bits = 3072\n"
                                         "min_ec_bits = 384\n"
                                         "self_signed = false\n"
                                         "sha1 = false\n"
                                         "warn_days = 14\n"),
                             "profiles/mx.toml");
  ASSERT_TRUE(p.ok()) << p.error().message;
  const TlsPolicy& t = p->tls;
  EXPECT_TRUE(t.present);
  EXPECT_EQ(t.versions, (std::vector<std::string>{"TLSv1.2", "TLSv1.3"}));
  EXPECT_EQ(t.required_versions, (std::vector<std::string>{"TLSv1.2"}));
  EXPECT_EQ(t.min_cipher_bits, 128);
  EXPECT_EQ(t.forbid, (std::vector<std::string>{"export", "rsa-kx"}));
  EXPECT_EQ(t.suites, (std::vector<std::string>{"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
                                                "ECDHE-RSA-AES128-GCM-SHA256"}));
  EXPECT_TRUE(t.suite_order);
  EXPECT_EQ(t.min_dh_bits, 3072);
  EXPECT_EQ(t.min_ecdh_bits, 256);
  EXPECT_EQ(t.compression, std::optional<bool>(false));
  EXPECT_EQ(t.secure_renegotiation, std::optional<bool>(true));
  EXPECT_EQ(t.heartbeat, std::nullopt);  // not given: not judged
  EXPECT_EQ(t.fallback_scsv, std::optional<bool>(false));
  EXPECT_TRUE(t.client_certificate);
  const CertificatePolicy& c = t.certificate;
  EXPECT_TRUE(c.verify);
  EXPECT_FALSE(c.current);
  EXPECT_FALSE(c.match_name);
  EXPECT_TRUE(c.match_banner);
  EXPECT_EQ(c.min_rsa_bits, 3072);
  EXPECT_EQ(c.min_ec_bits, 384);
  EXPECT_FALSE(c.self_signed);
  EXPECT_FALSE(c.sha1);
  EXPECT_EQ(c.warn_days, 14);
}

TEST(LoaderTlsPolicy, ClientCertificateModes) {
  auto required =
      load_profile_text(tls_profile("client_certificate = \"required\"\n"), "profiles/mx.toml");
  ASSERT_TRUE(required.ok()) << required.error().message;
  EXPECT_TRUE(required->tls.client_certificate);
  auto any = load_profile_text(tls_profile("client_certificate = \"any\"\n"), "profiles/mx.toml");
  ASSERT_TRUE(any.ok()) << any.error().message;
  EXPECT_FALSE(any->tls.client_certificate);
  auto absent = load_profile_text(tls_profile(""), "profiles/mx.toml");
  ASSERT_TRUE(absent.ok()) << absent.error().message;
  EXPECT_TRUE(absent->tls.present);  // an empty [tls] table still means "the profile decides"
  EXPECT_FALSE(absent->tls.client_certificate);
}

TEST(LoaderTlsPolicy, NoTableMeansNoPolicy) {
  auto p = load_profile_text("name = \"mx\"\ndescription = \"d\"\n", "profiles/mx.toml");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE(p->tls.present);
  EXPECT_TRUE(p->tls.certificate.self_signed);  // defaults allow what is not asked for
  EXPECT_TRUE(p->tls.certificate.sha1);
}

TEST(LoaderCatalogue, EveryShippedProfileLoads) {
  // Every file, not a list of names: a new profile is checked as soon as it exists.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kScenarioDir + "/profiles"))
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  ASSERT_FALSE(names.empty());
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    auto p = load_profile(kScenarioDir + "/profiles", name);
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->name, name);
    EXPECT_FALSE(p->description.empty());
    if (p->tls.suite_order) {
      EXPECT_FALSE(p->tls.suites.empty());
    }
  }
  for (const char* name :
       {"tls12-strict", "mozilla-intermediate", "mandatory-tls", "opportunistic-mx"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  auto strict = load_profile(kScenarioDir + "/profiles", "tls12-strict");
  ASSERT_TRUE(strict.ok()) << strict.error().message;
  EXPECT_EQ(strict->tls.versions, std::vector<std::string>{"TLSv1.2"});
  EXPECT_TRUE(strict->tls.suite_order);
  EXPECT_EQ(strict->tls.suites.size(), 8u);
  auto mandatory = load_profile(kScenarioDir + "/profiles", "mandatory-tls");
  ASSERT_TRUE(mandatory.ok()) << mandatory.error().message;
  EXPECT_TRUE(mandatory->tls.client_certificate);
  EXPECT_TRUE(mandatory->tls.certificate.verify);
}

// ---- Scenarios judged from the TLS inventory (probe = "T1") ---------------------

TEST(LoaderProbe, ProbeScenarioWithoutStepsLoads) {
  auto sc = load_scenario_text(header("probe = \"T1\"\n"), "probe.toml");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  EXPECT_EQ(sc->probe, "T1");
  EXPECT_TRUE(sc->steps.empty());
  for (const char* row : {"T2", "T3", "T4", "T5", "T6", "T7", "S20", "S21"}) {
    SCOPED_TRACE(row);
    auto other = load_scenario_text(header("probe = \"" + std::string(row) + "\"\n"), "p.toml");
    ASSERT_TRUE(other.ok()) << other.error().message;
    EXPECT_EQ(other->probe, row);
  }
}

TEST(LoaderProbe, ScenarioWithoutProbeHasNone) {
  auto sc = load_scenario_text(kMinimal, "min.toml");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  EXPECT_TRUE(sc->probe.empty());
}

TEST(LoaderProbe, ShippedProbeScenariosCoverEveryRow) {
  auto all = load_scenario_dir(kScenarioDir + "/tls");
  ASSERT_TRUE(all.ok()) << all.error().message;
  std::set<std::string> probes;
  for (const Scenario& sc : *all) {
    SCOPED_TRACE(sc.path);
    if (sc.probe.empty()) continue;
    EXPECT_TRUE(sc.steps.empty());
    EXPECT_TRUE(probes.insert(sc.probe).second) << "two scenarios for " << sc.probe;
    EXPECT_NE(std::find(sc.catalogue.begin(), sc.catalogue.end(), sc.probe), sc.catalogue.end())
        << "catalogue should name the row " << sc.probe;
  }
  EXPECT_EQ(probes,
            (std::set<std::string>{"T1", "T2", "T3", "T4", "T5", "T6", "T7", "S20", "S21"}));
}

const ErrorCase kProbeErrorCases[] = {
    {"ProbeUnknownRow", header("probe = \"T9\"\n"), "bad.toml:6:9",
     "'probe' must be one of: T1, T2, T3, T4, T5, T6, T7, S20, S21 (found 'T9')"},
    {"ProbeLowerCase", header("probe = \"t1\"\n"), "bad.toml:6:9", "'probe' must be one of:"},
    {"ProbeNotAString", header("probe = 1\n"), "bad.toml:6:9", "'probe' must be"},
    {"ProbeWithSteps", header("probe = \"T1\"\n\n[[step]]\nsend = \"x\"\n"), "bad.toml:8:1",
     "a scenario with 'probe' is judged from the TLS inventory and has no steps"},
};

INSTANTIATE_TEST_SUITE_P(Probe, LoaderError, ::testing::ValuesIn(kProbeErrorCases),
                         [](const ::testing::TestParamInfo<ErrorCase>& info) {
                           return info.param.name;
                         });

// Server-role scenarios (the target is a client): `expect` reads commands,
// `starttls` may choose a certificate; keys of the other role are errors.
const ErrorCase kRoleErrorCases[] = {
    {"ServerExpectsReplyCode",
     header("role = \"server\"\n\n[[step]]\nexpect = { code = 250 }\nwhy = \"x\"\n"),
     "bad.toml:8:1", "in a server-role scenario 'expect' reads the client's command"},
    {"ServerAlternativeWithReplyKey",
     header("role = \"server\"\n\n[[step]]\nexpect = { command = \"EHLO\" }\n"
            "or = [ { class = 5, then = \"fail\", why = \"y\" } ]\nwhy = \"x\"\n"),
     "bad.toml:8:1", "reply keys such as 'code' are for role = \"client\""},
    {"ClientExpectsCommand", header("\n[[step]]\nexpect = { command = \"EHLO\" }\nwhy = \"x\"\n"),
     "bad.toml:7:1", "'command' matches what a client sends: it needs role = \"server\""},
    {"ClientCannotSendRawFlight",
     header("\n[[step]]\nstarttls = { raw = \"export\" }\nwhy = \"x\"\n"), "bad.toml:7:1",
     "'raw' answers the client's ClientHello as a server"},
    {"RawFlightWithVersions",
     header("role = \"server\"\n\n[[step]]\nstarttls = { raw = \"tls1.0\", max_version = "
            "\"TLSv1.2\" }\n"),
     "bad.toml:8:1", "'raw' sends a fixed flight"},
    {"UnknownRawFlight", header("role = \"server\"\n\n[[step]]\nstarttls = { raw = \"sslv2\" }\n"),
     "bad.toml:9:20", "'raw' must be one of: export, freak, tls1.0, sslv3, alert, close, eof"},
    {"ClientCannotChooseCertificate",
     header("\n[[step]]\nstarttls = { certificate = \"expired\" }\nwhy = \"x\"\n"), "bad.toml:7:1",
     "'certificate' chooses what smtpeer presents as a server"},
    {"UnknownCertificate",
     header(
         "role = \"server\"\n\n[[step]]\nstarttls = { certificate = \"ancient\" }\nwhy = \"x\"\n"),
     "bad.toml:9:28", "'certificate' must be one of: good, wrong-name, expired"},
    {"CommandNotAVerb", header("role = \"server\"\n\n[[step]]\nexpect = { command = \"E.HLO\" }\n"),
     "bad.toml:9:22", "a command is an SMTP verb"},
    {"CommandWithTwoArguments",
     header("role = \"server\"\n\n[[step]]\nexpect = { command = \"AUTH PLAIN x\" }\n"),
     "bad.toml:9:22", "optionally with its first argument"},
};

INSTANTIATE_TEST_SUITE_P(Roles, LoaderError, ::testing::ValuesIn(kRoleErrorCases),
                         [](const ::testing::TestParamInfo<ErrorCase>& info) {
                           return info.param.name;
                         });

TEST(LoaderRoles, ServerScenarioWithCommandsAndCertificateLoads) {
  auto sc = load_scenario_text(
      header("role = \"server\"\n\n[[step]]\nsend = \"220 x\\r\\n\"\n\n[[step]]\n"
             "expect = { command = [\"EHLO\", \"HELO\"] }\n"
             "or = [ { closed = true, then = \"pass\", why = \"gone\" } ]\nwhy = \"no EHLO\"\n\n"
             "[[step]]\nstarttls = { certificate = \"wrong-name\" }\non_mismatch = \"pass\"\n"
             "why = \"refused\"\n"),
      "ok.toml");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  EXPECT_EQ(sc->role, "server");
  ASSERT_EQ(sc->steps.size(), 3u);
  EXPECT_EQ(sc->steps[1].expect.commands, (std::vector<std::string>{"EHLO", "HELO"}));
  EXPECT_EQ(sc->steps[2].tls.certificate, "wrong-name");
}

TEST(LoaderRoles, ServerScenarioWithRawFlightReconnectAndCommandArgument) {
  auto sc = load_scenario_text(
      header("role = \"server\"\n\n[[step]]\nstarttls = { raw = \"alert\" }\n\n[[step]]\n"
             "reconnect = true\ntimeout_ms = 3000\non_mismatch = \"pass\"\nwhy = \"no retry\"\n\n"
             "[[step]]\nexpect = { command = [\"AUTH XOAUTH2\"] }\nwhy = \"x\"\n"),
      "ok.toml");
  ASSERT_TRUE(sc.ok()) << sc.error().message;
  ASSERT_EQ(sc->steps.size(), 3u);
  EXPECT_EQ(sc->steps[0].tls.raw, "alert");
  EXPECT_EQ(sc->steps[1].kind, StepKind::kReconnect);
  EXPECT_EQ(sc->steps[1].timeout_ms, 3000);
  EXPECT_EQ(sc->steps[2].expect.commands, (std::vector<std::string>{"AUTH XOAUTH2"}));
}

}  // namespace
}  // namespace smtpeer::scenario
