// Client processes: word splitting and placeholders are pure and tested by
// tables; run_client is tested with /bin/sh scripts that misbehave the way a
// client under test can (exit non-zero, hang, leave a grandchild holding the
// pipes, ignore SIGTERM, flood its output), each bounded to a few seconds.
// Every run must end with no child left unreaped and no descendant alive.
#include "engine/client_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace smtpeer::engine {
namespace {

using std::chrono::milliseconds;
using Words = std::vector<std::string>;

// ---- Splitting -----------------------------------------------------------

struct SplitCase {
  const char* name;
  const char* line;
  Words words;
};

class SplitCommandTest : public testing::TestWithParam<SplitCase> {};

TEST_P(SplitCommandTest, Splits) {
  const SplitCase& c = GetParam();
  auto words = split_command(c.line);
  ASSERT_TRUE(words.ok()) << words.error().message;
  EXPECT_EQ(*words, c.words);
}

INSTANTIATE_TEST_SUITE_P(
    Table, SplitCommandTest,
    testing::Values(
        SplitCase{"Empty", "", {}}, SplitCase{"OnlyBlanks", " \t \n", {}},
        SplitCase{"Blanks", "  curl  -v\tsmtp://x \n", {"curl", "-v", "smtp://x"}},
        SplitCase{"SingleQuotes", "sh -c 'echo a  b; exit 3'", {"sh", "-c", "echo a  b; exit 3"}},
        SplitCase{"SingleQuotesKeepBackslash", R"('a\b' 'c\')", {R"(a\b)", "c\\"}},
        SplitCase{"DoubleQuotes", R"(x "a b" "say \"hi\"")", {"x", "a b", "say \"hi\""}},
        SplitCase{"DoubleQuotesEscapedBackslash", R"("a\\b")", {R"(a\b)"}},
        SplitCase{"DoubleQuotesOtherBackslashLiteral", R"("a\nb\$")", {R"(a\nb\$)"}},
        SplitCase{"SingleInsideDouble", R"("it's")", {"it's"}},
        SplitCase{"DoubleInsideSingle", R"('say "hi"')", {"say \"hi\""}},
        SplitCase{"BackslashBlank", R"(a\ b c)", {"a b", "c"}},
        SplitCase{"BackslashQuote", R"(\'x\")", {"'x\""}},
        SplitCase{"Adjacent", R"(pre'mid'"post"end)", {"premidpostend"}},
        SplitCase{"EmptyWords", R"('' "" x)", {"", "", "x"}},
        SplitCase{"EmptyQuotesJoin", R"(a'' b)", {"a", "b"}},
        SplitCase{
            "BracesUntouched", "--url smtp://{host}:{port}", {"--url", "smtp://{host}:{port}"}}),
    [](const testing::TestParamInfo<SplitCase>& info) { return std::string(info.param.name); });

struct SplitErrorCase {
  const char* name;
  const char* line;
  const char* message_part;
};

class SplitCommandErrorTest : public testing::TestWithParam<SplitErrorCase> {};

TEST_P(SplitCommandErrorTest, Fails) {
  const SplitErrorCase& c = GetParam();
  auto words = split_command(c.line);
  ASSERT_FALSE(words.ok());
  EXPECT_EQ(words.error().code, ErrorCode::kUsage);
  EXPECT_NE(words.error().message.find(c.message_part), std::string::npos) << words.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Table, SplitCommandErrorTest,
    testing::Values(SplitErrorCase{"UnterminatedSingle", "sh -c 'echo", "single quote at column 7"},
                    SplitErrorCase{"UnterminatedDouble", R"(x "a b)", "double quote at column 3"},
                    SplitErrorCase{"EscapedClosingDouble", R"("a\")", "unterminated double"},
                    SplitErrorCase{"TrailingBackslash", R"(a b\)", "trailing backslash"}),
    [](const testing::TestParamInfo<SplitErrorCase>& info) {
      return std::string(info.param.name);
    });

// ---- Substitution ----------------------------------------------------------

const std::map<std::string, std::string> kValues{
    {"host", "127.0.0.1"}, {"port", "2525"}, {"ca", "/tmp/ca.pem"}, {"from", "a b@c"}};

struct SubstituteCase {
  const char* name;
  const char* word;
  const char* expanded;  // nullptr: an error whose message holds error_part
  const char* error_part;
};

class SubstituteTest : public testing::TestWithParam<SubstituteCase> {};

TEST_P(SubstituteTest, Substitutes) {
  const SubstituteCase& c = GetParam();
  auto out = substitute_placeholders(c.word, kValues);
  if (c.expanded != nullptr) {
    ASSERT_TRUE(out.ok()) << out.error().message;
    EXPECT_EQ(*out, c.expanded);
  } else {
    ASSERT_FALSE(out.ok()) << *out;
    EXPECT_EQ(out.error().code, ErrorCode::kUsage);
    EXPECT_NE(out.error().message.find(c.error_part), std::string::npos) << out.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, SubstituteTest,
    testing::Values(
        SubstituteCase{"Plain", "--verbose", "--verbose", nullptr},
        SubstituteCase{"HostPort", "smtp://{host}:{port}", "smtp://127.0.0.1:2525", nullptr},
        SubstituteCase{"Whole", "{ca}", "/tmp/ca.pem", nullptr},
        SubstituteCase{"ValueWithSpace", "--from={from}", "--from=a b@c", nullptr},
        SubstituteCase{"LiteralBraces", "{{x}}", "{x}", nullptr},
        SubstituteCase{"BracedPlaceholder", "{{{port}}}", "{2525}", nullptr},
        SubstituteCase{"Unknown", "--to={to}", nullptr, "unknown placeholder {to}"},
        SubstituteCase{"UnknownListsAll", "{a}{b}{a}", nullptr, "placeholders {a}, {b} (known:"},
        SubstituteCase{"KnownListed", "{x}", nullptr, "{ca} {from} {host} {port}"},
        SubstituteCase{"LoneOpen", "a{b", nullptr, "lone '{'"},
        SubstituteCase{"LoneClose", "a}b", nullptr, "lone '}'"},
        SubstituteCase{"EmptyName", "{}", nullptr, "lone '{'"},
        SubstituteCase{"NameWithBlank", "{a b}", nullptr, "lone '{'"}),
    [](const testing::TestParamInfo<SubstituteCase>& info) {
      return std::string(info.param.name);
    });

ClientCommand command(std::string line) {
  ClientCommand c;
  c.command_line = std::move(line);
  c.port = 2525;
  c.ca = "/tmp/ca.pem";
  return c;
}

TEST(SubstituteCommandTest, SubstitutesAfterSplitting) {
  ClientCommand c = command("swaks --server {host}:{port} --header 'Subject: {subject}'");
  c.values["subject"] = "two words";
  auto argv = expand_command(c);
  ASSERT_TRUE(argv.ok()) << argv.error().message;
  EXPECT_EQ(*argv,
            (Words{"swaks", "--server", "127.0.0.1:2525", "--header", "Subject: two words"}));
}

TEST(SubstituteCommandTest, UnknownNamesFromAllWordsInOneError) {
  auto argv = expand_command(command("curl {one} --x {two}"));
  ASSERT_FALSE(argv.ok());
  EXPECT_NE(argv.error().message.find("{one}, {two}"), std::string::npos) << argv.error().message;
}

TEST(SubstituteCommandTest, PortAndCaWithoutValue) {
  ClientCommand c = command("curl smtp://{host}:{port}");
  c.port = 0;
  auto argv = expand_command(c);
  ASSERT_FALSE(argv.ok());
  EXPECT_NE(argv.error().message.find("{port} is used but has no value"), std::string::npos)
      << argv.error().message;
  c = command("curl --cacert {ca}");
  c.ca.clear();
  argv = expand_command(c);
  ASSERT_FALSE(argv.ok());
  EXPECT_NE(argv.error().message.find("{ca}"), std::string::npos) << argv.error().message;
  // Unused, they are no error.
  c = command("curl -V");
  c.port = 0;
  c.ca.clear();
  EXPECT_TRUE(expand_command(c).ok());
}

TEST(SubstituteCommandTest, EmptyCommand) {
  auto argv = expand_command(command("  "));
  ASSERT_FALSE(argv.ok());
  EXPECT_EQ(argv.error().code, ErrorCode::kUsage);
}

// ---- Running ---------------------------------------------------------------

using Clock = net::Clock;

std::int64_t ms_since(Clock::time_point t0) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - t0).count();
}

// no_unreaped_children: smtpeer's test process has no child left (zombie or
// alive) once run_client returned.
bool no_unreaped_children() {
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

// process_gone: dead; a zombie counts (the grandchild's parent is init by
// then, which reaps it in its own time).
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const std::size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

bool gone_within(pid_t pid, milliseconds limit) {
  const auto end = Clock::now() + limit;
  while (!process_gone(pid)) {
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

pid_t first_pid(const std::string& text) {
  pid_t pid = 0;
  std::from_chars(text.data(), text.data() + text.size(), pid);
  return pid;
}

ClientRun run(std::string line, milliseconds limit, std::size_t max_output = 1 << 20) {
  return run_client(command(std::move(line)), net::deadline_in(limit), max_output);
}

TEST(ClientProcessTest, ExitCodeAndOutputs) {
  const ClientRun r = run("/bin/sh -c 'echo hi; echo err >&2; exit 3'", milliseconds(2000));
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.killed);
  EXPECT_EQ(r.stdout_text, "hi\n");
  EXPECT_EQ(r.stderr_text, "err\n");
  EXPECT_FALSE(r.stdout_truncated);
  EXPECT_EQ(r.argv, (Words{"/bin/sh", "-c", "echo hi; echo err >&2; exit 3"}));
  EXPECT_LT(r.duration_ms, 1000);
  EXPECT_EQ(summary(r).rfind("sh exited 3 after 0.", 0), 0u) << summary(r);
  EXPECT_NE(summary(r).find("; stderr: err"), std::string::npos) << summary(r);
  EXPECT_TRUE(no_unreaped_children());
}

TEST(ClientProcessTest, SearchesPathAndClosesStdin) {
  // cat would wait forever on an open stdin; /dev/null ends it at once.
  const ClientRun r = run("cat", milliseconds(2000));
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.program.back(), 't');
  EXPECT_NE(r.program.find('/'), std::string::npos);
}

TEST(ClientProcessTest, EnvironmentWithPlaceholders) {
  ClientCommand c = command("/bin/sh -c 'echo \"$SMTPEER_T\"'");
  c.env = {"SMTPEER_T=to {host}:{port}"};
  const ClientRun r = run_client(c, net::deadline_in(milliseconds(2000)));
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.stdout_text, "to 127.0.0.1:2525\n");
}

TEST(ClientProcessTest, DiesBySignal) {
  const ClientRun r = run("/bin/sh -c 'kill -SEGV $$'", milliseconds(2000));
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_FALSE(r.killed);
  EXPECT_EQ(summary(r).rfind("sh was killed by SIGSEGV after", 0), 0u) << summary(r);
}

TEST(ClientProcessTest, DeadlineKillsHangingClient) {
  const auto t0 = Clock::now();
  const ClientRun r = run("sleep 30", milliseconds(500));
  EXPECT_LT(ms_since(t0), 2000);
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(r.killed);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_GE(r.duration_ms, 450);
  EXPECT_EQ(summary(r).rfind("sleep timed out after 0.", 0), 0u) << summary(r);
  EXPECT_NE(summary(r).find("and was killed (SIGTERM)"), std::string::npos) << summary(r);
  EXPECT_TRUE(no_unreaped_children());
}

TEST(ClientProcessTest, SigkillAfterGraceWhenSigtermIgnored) {
  const auto t0 = Clock::now();
  const ClientRun r = run("/bin/sh -c 'trap \"\" TERM; echo $$; sleep 30'", milliseconds(300));
  EXPECT_LT(ms_since(t0), 2500);
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_TRUE(no_unreaped_children());
}

TEST(ClientProcessTest, ClosedStdoutStillKilledAtDeadline) {
  const auto t0 = Clock::now();
  const ClientRun r = run("/bin/sh -c 'exec >&- 2>&-; sleep 30'", milliseconds(500));
  EXPECT_LT(ms_since(t0), 2000);
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(r.killed);
  EXPECT_TRUE(no_unreaped_children());
}

TEST(ClientProcessTest, GrandchildHoldingPipesAfterExitIsKilled) {
  const auto t0 = Clock::now();
  const ClientRun r = run("/bin/sh -c 'sleep 30 & echo $!; exit 0'", milliseconds(2500));
  EXPECT_LT(ms_since(t0), 1500);  // the 500 ms drain, not the deadline
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
  const pid_t grandchild = first_pid(r.stdout_text);
  ASSERT_GT(grandchild, 0) << r.stdout_text;
  EXPECT_TRUE(gone_within(grandchild, milliseconds(1000)));
  EXPECT_TRUE(no_unreaped_children());
}

TEST(ClientProcessTest, GrandchildKilledWithHangingClient) {
  const auto t0 = Clock::now();
  const ClientRun r = run("/bin/sh -c 'sleep 30 & echo $!; sleep 30'", milliseconds(500));
  EXPECT_LT(ms_since(t0), 2000);
  EXPECT_TRUE(r.timed_out);
  const pid_t grandchild = first_pid(r.stdout_text);
  ASSERT_GT(grandchild, 0) << r.stdout_text;
  EXPECT_TRUE(gone_within(grandchild, milliseconds(1000)));
}

TEST(ClientProcessTest, OutputBeyondMaxIsCountedAndDropped) {
  const ClientRun r =
      run("/bin/sh -c 'head -c 300000 /dev/zero; echo tail >&2'", milliseconds(2000), 1000);
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.stdout_text.size(), 1000u);
  EXPECT_EQ(r.stdout_bytes, 300000u);
  EXPECT_TRUE(r.stdout_truncated);
  EXPECT_FALSE(r.stderr_truncated);
  EXPECT_EQ(r.stderr_text, "tail\n");
  EXPECT_NE(summary(r).find("output truncated (stdout 300000 bytes"), std::string::npos)
      << summary(r);
}

TEST(ClientProcessTest, MissingProgram) {
  ClientRun r = run("smtpeer-no-such-client --help", milliseconds(1000));
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.error, "smtpeer-no-such-client: not found in PATH; install it (ci/install-deps.sh)");
  EXPECT_EQ(summary(r), "smtpeer-no-such-client did not start: " + r.error);
  r = run("/nonexistent/smtpeer-client", milliseconds(1000));
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.error.find("/nonexistent/smtpeer-client: no such executable"), std::string::npos);
  r = run("curl {nope}", milliseconds(1000));
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.error.find("{nope}"), std::string::npos);
}

TEST(ClientProcessTest, ExecFailureIsReportedAndReaped) {
  // Executable but neither ELF nor a script: execve fails with ENOEXEC.
  char path[] = "/tmp/smtpeer-client-process-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "\x01\x02\x03\x04", 4), 4);
  ::fchmod(fd, 0700);
  ::close(fd);
  const ClientRun r = run(path, milliseconds(1000));
  ::unlink(path);
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.error.find("could not start"), std::string::npos) << r.error;
  EXPECT_TRUE(no_unreaped_children());
}

// StopFlagReset: the flag is process-wide; leave it as found.
struct StopFlagReset {
  ~StopFlagReset() { net::stop_flag().store(false); }
};

TEST(ClientProcessTest, StopFlagEndsTheWait) {
  StopFlagReset reset;
  std::thread stopper([] {
    std::this_thread::sleep_for(milliseconds(200));
    net::stop_flag().store(true);
  });
  const auto t0 = Clock::now();
  const ClientRun r = run("sleep 30", milliseconds(10000));
  stopper.join();
  EXPECT_LT(ms_since(t0), 2000);
  EXPECT_TRUE(r.stopped);
  EXPECT_TRUE(r.killed);
  EXPECT_FALSE(r.timed_out);
  EXPECT_NE(summary(r).find("stopped"), std::string::npos) << summary(r);
  EXPECT_TRUE(no_unreaped_children());
}

TEST(ClientProcessTest, ParallelCallsKeepTheirOwnOutput) {
  constexpr int kThreads = 4;
  std::vector<ClientRun> runs(kThreads);
  std::vector<std::thread> threads;
  const auto t0 = Clock::now();
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&runs, i] {
      // Each waits a little so the others start while its pipes are open.
      runs[i] = run("/bin/sh -c 'sleep 0.2; echo " + std::to_string(i) + "'", milliseconds(2000));
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LT(ms_since(t0), 1500);  // no call waits for another's child to close a pipe
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(runs[i].exit_code, 0) << runs[i].error;
    EXPECT_EQ(runs[i].stdout_text, std::to_string(i) + "\n");
  }
  EXPECT_TRUE(no_unreaped_children());
}

}  // namespace
}  // namespace smtpeer::engine
