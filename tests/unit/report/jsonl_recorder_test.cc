#include "transcript/jsonl_recorder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report_fixtures.h"

namespace smtpeer::transcript {
namespace {

using report::testing::read_all;
using report::testing::TempDir;

Event ev(std::int64_t t, Direction d, EventKind k, bool tls, int write, std::string bytes,
         std::string text, int conn = 0) {
  Event e;
  e.t_us = t;
  e.dir = d;
  e.kind = k;
  e.tls = tls;
  e.write_index = write;
  e.bytes = std::move(bytes);
  e.text = std::move(text);
  e.connection = conn;
  return e;
}

// A session with every kind of event and bytes that need escaping.
Transcript sample() {
  using D = Direction;
  using K = EventKind;
  return {
      ev(0, D::kLocal, K::kConnect, false, -1, "", "127.0.0.1:25"),
      ev(1500, D::kReceived, K::kData, false, -1, "220 mx ESMTP\r\n", ""),
      ev(2000, D::kSent, K::kData, false, 0, "STARTTLS\r\nRSET\r\n", ""),
      ev(2100, D::kSent, K::kData, false, 1, std::string("\0\xff\\x41\x1b[2J", 10), ""),
      ev(3000, D::kReceived, K::kTlsRecords, false, -1,
         std::string("\x16\x03\x03\x00\x02\x02\x28", 7), ""),
      ev(4000, D::kLocal, K::kTls, false, -1, "", "handshake ok TLSv1.3 TLS_AES_256_GCM_SHA384"),
      ev(5000, D::kReceived, K::kData, true, -1, "250 2.0.0 Ok\r\n", ""),
      ev(6000, D::kLocal, K::kTimeout, true, -1, "", "no reply within 5 s"),
      ev(7000, D::kLocal, K::kNote, false, -1, "", "step 4: expect 220 \"quoted\" \\ §"),
      ev(8000, D::kLocal, K::kClose, false, -1, "", "peer closed (EOF)", 1),
      ev(9000, D::kReceived, K::kData, false, -1, "", ""),  // an empty read is still an event
  };
}

void expect_same(const Transcript& a, const Transcript& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    EXPECT_EQ(a[i].t_us, b[i].t_us);
    EXPECT_EQ(a[i].dir, b[i].dir);
    EXPECT_EQ(a[i].kind, b[i].kind);
    EXPECT_EQ(a[i].tls, b[i].tls);
    EXPECT_EQ(a[i].write_index, b[i].write_index);
    EXPECT_EQ(a[i].bytes, b[i].bytes);
    EXPECT_EQ(a[i].text, b[i].text);
    EXPECT_EQ(a[i].connection, b[i].connection);
  }
}

TEST(JsonlRecorder, RoundTripsEveryEventKind) {
  const Transcript t = sample();
  const std::string jsonl = to_jsonl(t);
  auto back = parse_jsonl(jsonl);
  ASSERT_TRUE(back.ok()) << back.error().message;
  expect_same(t, *back);
  // And the second generation is byte-identical.
  EXPECT_EQ(to_jsonl(*back), jsonl);
}

TEST(JsonlRecorder, OneObjectPerLineWithDocumentedKeys) {
  const std::string jsonl = to_jsonl(sample());
  std::size_t lines = 0;
  std::size_t pos = 0;
  while (pos < jsonl.size()) {
    const std::size_t nl = jsonl.find('\n', pos);
    ASSERT_NE(nl, std::string::npos) << "last line lacks its newline";
    const auto j = nlohmann::json::parse(jsonl.substr(pos, nl - pos));
    ASSERT_TRUE(j.is_object());
    for (const char* key : {"t_us", "conn", "dir", "kind", "tls"}) {
      EXPECT_TRUE(j.contains(key)) << key << " in line " << lines;
    }
    EXPECT_NE(j.contains("bytes"), j.contains("text")) << "line " << lines;
    pos = nl + 1;
    ++lines;
  }
  EXPECT_EQ(lines, sample().size());
}

TEST(JsonlRecorder, SentDataCarriesWriteBoundaryAndEscapedBytes) {
  const std::string jsonl = to_jsonl(sample());
  // Line 3: the first write of the step, exactly as the wire saw it.
  EXPECT_NE(jsonl.find(R"({"t_us":2000,"conn":0,"dir":"sent","kind":"data","tls":false,"write":0,)"
                       R"("bytes":"STARTTLS\\r\\nRSET\\r\\n"})"),
            std::string::npos)
      << jsonl;
  EXPECT_NE(jsonl.find(R"("write":1,"bytes":"\\x00\\xFF\\\\x41\\x1B[2J")"), std::string::npos)
      << jsonl;
  EXPECT_NE(jsonl.find(R"("kind":"tls","tls":false,"text":"handshake ok)"), std::string::npos);
}

TEST(JsonlRecorder, LargeDataIsNotTruncated) {
  Transcript t{ev(1, Direction::kReceived, EventKind::kData, false, -1,
                  std::string(1 << 20, 'a') + "\r\n", "")};
  auto back = parse_jsonl(to_jsonl(t));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->at(0).bytes.size(), (1u << 20) + 2);
}

TEST(JsonlRecorder, AcceptsBlankLinesAndCrlfAndDefaults) {
  auto t =
      parse_jsonl("\n{\"t_us\":5,\"dir\":\"local\",\"kind\":\"note\",\"text\":\"x\"}\r\n\n  \n");
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ(t->at(0).connection, 0);
  EXPECT_EQ(t->at(0).write_index, -1);
  EXPECT_FALSE(t->at(0).tls);
  EXPECT_EQ(t->at(0).text, "x");
}

struct BadLine {
  const char* name;
  const char* jsonl;
  const char* message;  // a part of the expected error message
};

class JsonlRejects : public ::testing::TestWithParam<BadLine> {};

TEST_P(JsonlRejects, NamesTheLine) {
  auto t = parse_jsonl(GetParam().jsonl);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kProtocol);
  EXPECT_NE(t.error().message.find(GetParam().message), std::string::npos) << t.error().message;
}

constexpr const char* kGood = R"({"t_us":1,"dir":"local","kind":"note","text":"ok"})"
                              "\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonlRejects,
    ::testing::Values(
        BadLine{"NotJson", "{\"t_us\":1,", "line 1: not valid JSON"},
        BadLine{"NotObject", "[1,2]", "line 1: expected a JSON object"},
        BadLine{"MissingTime", R"({"dir":"local","kind":"note"})", "missing \"t_us\""},
        BadLine{"TimeNotInt", R"({"t_us":1.5,"dir":"local","kind":"note"})", "\"t_us\" must be"},
        BadLine{"BadDir", R"({"t_us":1,"dir":"up","kind":"note"})", "\"dir\" must be"},
        BadLine{"BadKind", R"({"t_us":1,"dir":"local","kind":"dance"})", "unknown \"kind\""},
        BadLine{"UnknownKey", R"({"t_us":1,"dir":"local","kind":"note","txet":"x"})",
                "unknown key \"txet\""},
        BadLine{"NegativeConn", R"({"t_us":1,"conn":-1,"dir":"local","kind":"note"})",
                "\"conn\" must be"},
        BadLine{"HugeWrite", R"({"t_us":1,"write":99999999999,"dir":"sent","kind":"data"})",
                "\"write\" must be"},
        BadLine{"TlsNotBool", R"({"t_us":1,"tls":1,"dir":"local","kind":"note"})",
                "\"tls\" must be"},
        BadLine{"BadEscape", R"({"t_us":1,"dir":"sent","kind":"data","bytes":"\\q"})",
                "malformed escape"},
        BadLine{"BytesNotString", R"({"t_us":1,"dir":"sent","kind":"data","bytes":7})",
                "\"bytes\" must be"},
        BadLine{"SecondLine", "{\"t_us\":1,\"dir\":\"local\",\"kind\":\"note\"}\n{}",
                "line 2: missing"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(JsonlRecorder, GoodLineParses) {
  EXPECT_TRUE(parse_jsonl(kGood).ok());
}

struct FileNameCase {
  const char* id;
  const char* file;
};

class TranscriptFileName : public ::testing::TestWithParam<FileNameCase> {};

TEST_P(TranscriptFileName, StaysInsideTheDirectory) {
  EXPECT_EQ(transcript_file_name(GetParam().id), GetParam().file);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, TranscriptFileName,
    ::testing::Values(FileNameCase{"rfc3207-s1-pipelined-rset", "rfc3207-s1-pipelined-rset.jsonl"},
                      FileNameCase{"a.b_c", "a.b_c.jsonl"},
                      FileNameCase{"../../etc/passwd", "_.._.._etc_passwd.jsonl"},
                      FileNameCase{".hidden", "_.hidden.jsonl"}, FileNameCase{"", "_.jsonl"},
                      FileNameCase{"sp ace/\xc3\xa9", "sp_ace___.jsonl"}));

TEST(JsonlRecorder, WriteTranscriptCreatesDirectories) {
  TempDir tmp;
  const std::string out = (tmp.path() / "out" / "run1").string();
  Status st = write_transcript(out, "rfc3207-s1-pipelined-rset", sample());
  ASSERT_TRUE(st.ok()) << st.error().message;
  const auto file = std::filesystem::path(out) / "transcripts" / "rfc3207-s1-pipelined-rset.jsonl";
  const std::string text = read_all(file);
  EXPECT_EQ(text, to_jsonl(sample()));
  auto back = parse_jsonl(text);
  ASSERT_TRUE(back.ok());
  expect_same(sample(), *back);
}

TEST(JsonlRecorder, WriteTranscriptReportsIoErrors) {
  TempDir tmp;
  // A file where the directory should be.
  const auto blocker = tmp.path() / "file";
  { std::ofstream(blocker) << "x"; }
  Status st = write_transcript(blocker.string(), "x", sample());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kIo);
}

TEST(EventNames, RoundTrip) {
  for (auto d : {Direction::kSent, Direction::kReceived, Direction::kLocal}) {
    EXPECT_EQ(parse_direction(to_string(d)), d);
  }
  for (auto k : {EventKind::kConnect, EventKind::kData, EventKind::kTlsRecords, EventKind::kTls,
                 EventKind::kTimeout, EventKind::kClose, EventKind::kNote}) {
    EXPECT_EQ(parse_event_kind(to_string(k)), k);
  }
  EXPECT_EQ(to_string(Direction::kSent), "sent");
  EXPECT_EQ(to_string(EventKind::kTlsRecords), "tls_records");
  EXPECT_FALSE(parse_direction("SENT").has_value());
}

}  // namespace
}  // namespace smtpeer::transcript
