#include "report/output_file.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "report_fixtures.h"

namespace smtpeer::report {
namespace {

using testing::read_all;
using testing::TempDir;

std::vector<std::string> names_in(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(WriteFile, WritesAndReplacesLeavingNoTemporaryFile) {
  TempDir tmp;
  const auto path = tmp.path() / "report.json";
  ASSERT_TRUE(write_file(path.string(), "first version, longer than the second\n").ok());
  EXPECT_EQ(read_all(path), "first version, longer than the second\n");
  ASSERT_TRUE(write_file(path.string(), "second\n").ok());
  EXPECT_EQ(read_all(path), "second\n");
  EXPECT_EQ(names_in(tmp.path()), std::vector<std::string>{"report.json"});
}

TEST(WriteFile, BinaryAndEmptyContent) {
  TempDir tmp;
  const auto path = tmp.path() / "bin";
  const std::string bytes("\0\r\n\xff", 4);
  ASSERT_TRUE(write_file(path.string(), bytes).ok());
  EXPECT_EQ(read_all(path), bytes);
  ASSERT_TRUE(write_file(path.string(), "").ok());
  EXPECT_EQ(read_all(path), "");
}

TEST(WriteFile, MissingDirectoryIsAnIoErrorAndLeavesNothing) {
  TempDir tmp;
  Status st = write_file((tmp.path() / "no" / "such" / "report.json").string(), "x");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kIo);
  EXPECT_NE(st.error().message.find("no/such"), std::string::npos) << st.error().message;
  EXPECT_TRUE(names_in(tmp.path()).empty());
}

TEST(WriteFile, RenameOntoADirectoryFailsAndCleansUp) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.path() / "taken" / "child");
  Status st = write_file((tmp.path() / "taken").string(), "x");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kIo);
  EXPECT_EQ(names_in(tmp.path()), std::vector<std::string>{"taken"});
}

// Concurrent writers of the same file (two shards sharing an output
// directory) never mix their content: the file is one of the two, whole.
TEST(WriteFile, ConcurrentWritersNeverInterleave) {
  TempDir tmp;
  const auto path = tmp.path() / "shared.json";
  const std::string a(200000, 'a');
  const std::string b(200000, 'b');
  std::thread t1([&] {
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(write_file(path.string(), a).ok());
  });
  std::thread t2([&] {
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(write_file(path.string(), b).ok());
  });
  t1.join();
  t2.join();
  const std::string got = read_all(path);
  EXPECT_TRUE(got == a || got == b);
  EXPECT_EQ(names_in(tmp.path()), std::vector<std::string>{"shared.json"});
}

}  // namespace
}  // namespace smtpeer::report
