#include "report/junit_report.h"

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "report_fixtures.h"

namespace smtpeer::report {
namespace {

using testing::sample_run;
using testing::second_run;

// A tiny XML reader, enough to check that the report is well-formed XML 1.0
// (balanced tags, quoted attributes, known entities, only legal characters)
// and to look at its tree. Entities are decoded in attribute values and text.
struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;
  std::vector<std::unique_ptr<Element>> children;
  const Element* parent = nullptr;

  std::vector<const Element*> all(const std::string& n) const {
    std::vector<const Element*> out;
    for (const auto& c : children) {
      if (c->name == n) out.push_back(c.get());
    }
    return out;
  }
};

class XmlReader {
 public:
  explicit XmlReader(std::string_view s) : s_(s) {}

  // parse: the root element, or nullptr with error() set.
  std::unique_ptr<Element> parse() {
    const std::string_view decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    if (s_.substr(0, decl.size()) != decl) return fail("missing XML declaration");
    pos_ = decl.size();
    auto root = element(nullptr);
    if (!root) return nullptr;
    while (pos_ < s_.size() && (s_[pos_] == '\n' || s_[pos_] == ' ')) ++pos_;
    if (pos_ != s_.size()) return fail("content after the root element");
    return root;
  }
  const std::string& error() const { return error_; }
  std::map<std::string, int> counts;

 private:
  std::unique_ptr<Element> fail(std::string why) {
    if (error_.empty()) error_ = why + " at offset " + std::to_string(pos_);
    return nullptr;
  }

  bool legal(unsigned char c) const { return c >= 0x20 || c == '\t' || c == '\n' || c == '\r'; }

  // chars: text or attribute value up to `stop`, decoding entities.
  bool chars(char stop, std::string& out) {
    while (pos_ < s_.size() && s_[pos_] != stop) {
      const char c = s_[pos_];
      if (!legal(static_cast<unsigned char>(c))) {
        fail("illegal character " + std::to_string(static_cast<unsigned char>(c)));
        return false;
      }
      if (c == '<') {
        fail("'<' in text or value");
        return false;
      }
      if (c == '&') {
        const std::size_t semi = s_.find(';', pos_);
        if (semi == std::string_view::npos || semi - pos_ > 8) {
          fail("unterminated entity");
          return false;
        }
        const std::string_view ent = s_.substr(pos_ + 1, semi - pos_ - 1);
        static const std::map<std::string_view, std::string> kNamed{
            {"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"quot", "\""}, {"apos", "'"}};
        if (const auto it = kNamed.find(ent); it != kNamed.end()) {
          out += it->second;
        } else if (ent == "#9" || ent == "#10" || ent == "#13") {
          out += static_cast<char>(std::stoi(std::string(ent.substr(1))));
        } else {
          fail("unknown entity &" + std::string(ent) + ";");
          return false;
        }
        pos_ = semi + 1;
        continue;
      }
      out += c;
      ++pos_;
    }
    return true;
  }

  std::string name() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '-' || s_[pos_] == '_')) {
      ++pos_;
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  void blanks() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n')) ++pos_;
  }

  std::unique_ptr<Element> element(const Element* parent) {
    if (pos_ >= s_.size() || s_[pos_] != '<') return fail("expected '<'");
    ++pos_;
    auto e = std::make_unique<Element>();
    e->parent = parent;
    e->name = name();
    if (e->name.empty()) return fail("element without a name");
    ++counts[e->name];
    for (;;) {
      blanks();
      if (pos_ >= s_.size()) return fail("unterminated start tag");
      if (s_.substr(pos_, 2) == "/>") {
        pos_ += 2;
        return e;
      }
      if (s_[pos_] == '>') {
        ++pos_;
        break;
      }
      const std::string key = name();
      if (key.empty() || s_.substr(pos_, 2) != "=\"") return fail("malformed attribute");
      pos_ += 2;
      std::string value;
      if (!chars('"', value)) return nullptr;
      if (pos_ >= s_.size()) return fail("unterminated attribute");
      ++pos_;
      if (!e->attrs.emplace(key, value).second) return fail("duplicate attribute " + key);
    }
    for (;;) {
      if (!chars('<', e->text)) return nullptr;
      if (pos_ >= s_.size()) return fail("unterminated element " + e->name);
      if (s_.substr(pos_, 2) == "</") {
        pos_ += 2;
        if (name() != e->name || pos_ >= s_.size() || s_[pos_] != '>') {
          return fail("mismatched end tag for " + e->name);
        }
        ++pos_;
        return e;
      }
      auto child = element(e.get());
      if (!child) return nullptr;
      e->children.push_back(std::move(child));
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string error_;
};

struct Parsed {
  std::unique_ptr<Element> root;
  std::map<std::string, int> counts;
};

Parsed parse_ok(const std::string& xml) {
  XmlReader r(xml);
  Parsed p;
  p.root = r.parse();
  EXPECT_NE(p.root, nullptr) << r.error();
  p.counts = r.counts;
  return p;
}

// The Jenkins/GitLab JUnit schema: which children each element may have.
void expect_schema(const Element& e) {
  static const std::map<std::string, std::set<std::string>> kChildren{
      {"testsuites", {"testsuite"}},
      {"testsuite", {"properties", "testcase", "system-out", "system-err"}},
      {"properties", {"property"}},
      {"property", {}},
      {"testcase", {"failure", "error", "skipped", "system-out", "system-err"}},
      {"failure", {}},
      {"error", {}},
      {"skipped", {}},
      {"system-out", {}},
  };
  const auto it = kChildren.find(e.name);
  ASSERT_NE(it, kChildren.end()) << "unexpected element " << e.name;
  for (const auto& c : e.children) {
    EXPECT_TRUE(it->second.count(c->name)) << c->name << " inside " << e.name;
    expect_schema(*c);
  }
}

TEST(JunitReport, StructureAndCounts) {
  const std::string xml = to_junit({sample_run(), second_run()});
  auto p = parse_ok(xml);
  ASSERT_NE(p.root, nullptr);
  expect_schema(*p.root);
  EXPECT_EQ(p.counts["testsuites"], 1);
  EXPECT_EQ(p.counts["testsuite"], 2);
  EXPECT_EQ(p.counts["testcase"], 7);
  EXPECT_EQ(p.counts["failure"], 1);
  EXPECT_EQ(p.counts["error"], 1);
  EXPECT_EQ(p.counts["skipped"], 2);
  EXPECT_EQ(p.counts["system-out"], 2);  // one per verdict with notes

  const Element& root = *p.root;
  EXPECT_EQ(root.name, "testsuites");
  EXPECT_EQ(root.attrs.at("name"), "smtpeer");
  EXPECT_EQ(root.attrs.at("tests"), "7");
  EXPECT_EQ(root.attrs.at("failures"), "1");
  EXPECT_EQ(root.attrs.at("errors"), "1");
  EXPECT_EQ(root.attrs.at("skipped"), "2");
  EXPECT_EQ(root.attrs.at("time"), "6.713");

  const auto suites = root.all("testsuite");
  ASSERT_EQ(suites.size(), 2u);
  const Element& s = *suites[0];
  EXPECT_EQ(s.attrs.at("name"), "smtpeer mx.example.test:25 (opportunistic-mx)");
  EXPECT_EQ(s.attrs.at("tests"), "5");
  EXPECT_EQ(s.attrs.at("failures"), "1");
  EXPECT_EQ(s.attrs.at("errors"), "1");
  EXPECT_EQ(s.attrs.at("skipped"), "1");
  EXPECT_EQ(s.attrs.at("time"), "4.213");
  EXPECT_EQ(s.attrs.at("timestamp"), "2024-05-01T12:00:00");

  const auto cases = s.all("testcase");
  ASSERT_EQ(cases.size(), 5u);
  EXPECT_EQ(cases[0]->attrs.at("classname"), "smtpeer.rfc3207");
  EXPECT_EQ(cases[0]->attrs.at("name"),
            "rfc3207-s0-baseline: Greeting, EHLO and a clean STARTTLS handshake");
  EXPECT_EQ(cases[0]->attrs.at("time"), "0.350");
  EXPECT_TRUE(cases[0]->children.empty());
  EXPECT_EQ(cases[4]->attrs.at("classname"), "smtpeer.smtp");

  const auto failure = cases[1]->all("failure");
  ASSERT_EQ(failure.size(), 1u);
  EXPECT_EQ(failure[0]->attrs.at("type"), "RFC 3207 §4.2");
  EXPECT_EQ(failure[0]->attrs.at("message").rfind("RFC 3207 §4.2: the server executed the RSET", 0),
            0u);
  EXPECT_NE(failure[0]->text.find("C: STARTTLS\\r\\nRSET\\r\\n\n"), std::string::npos);
  EXPECT_NE(failure[0]->text.find("S[tls]: 250 2.0.0 Ok\\r\\n\n"), std::string::npos);
  EXPECT_NE(failure[0]->text.find("failed at step 4"), std::string::npos);
  EXPECT_NE(failure[0]->text.find("\"Upon completion"), std::string::npos);
  ASSERT_EQ(cases[1]->all("system-out").size(), 1u);
  EXPECT_NE(cases[1]->all("system-out")[0]->text.find("PIPELINING"), std::string::npos);
  // The result element comes before system-out, as the schema orders them.
  EXPECT_EQ(cases[1]->children[0]->name, "failure");

  const auto skipped = cases[2]->all("skipped");
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0]->attrs.at("message"),
            "the server does not advertise PIPELINING, so this check does not apply");
  EXPECT_EQ(cases[3]->all("error").size(), 1u);
  EXPECT_EQ(cases[3]->all("error")[0]->attrs.at("message"),
            "could not connect to mx.example.test:25: connection refused");

  std::map<std::string, std::string> props;
  for (const auto* prop : suites[1]->all("properties")[0]->all("property")) {
    props[prop->attrs.at("name")] = prop->attrs.at("value");
  }
  EXPECT_EQ(props["target"], "submission.example.test:587");
  EXPECT_EQ(props["interrupted"], "true");
  EXPECT_EQ(props["connections"], "3");
}

TEST(JunitReport, EmptyRunListIsValid) {
  auto p = parse_ok(to_junit({}));
  ASSERT_NE(p.root, nullptr);
  EXPECT_EQ(p.root->attrs.at("tests"), "0");
  EXPECT_EQ(p.root->attrs.at("time"), "0.000");
  engine::RunReport empty;
  empty.started_at = "yesterday";  // not ISO 8601: no timestamp attribute at all
  auto q = parse_ok(to_junit({empty}));
  ASSERT_NE(q.root, nullptr);
  EXPECT_EQ(q.root->all("testsuite")[0]->attrs.count("timestamp"), 0u);
}

struct EscapeCase {
  const char* name;
  std::string input;     // put into summary, title, a note and an evidence line
  std::string expected;  // what a parser reads back
};

class JunitEscaping : public ::testing::TestWithParam<EscapeCase> {};

TEST_P(JunitEscaping, SurvivesAParser) {
  auto run = sample_run();
  auto& v = run.verdicts[1];  // the failure
  v.summary = GetParam().input;
  v.title = GetParam().input;
  v.clause = GetParam().input;
  v.notes = {GetParam().input};
  v.evidence = {{"S", GetParam().input, false}};
  const std::string xml = to_junit({run});
  auto p = parse_ok(xml);
  ASSERT_NE(p.root, nullptr);
  const Element& tc = *p.root->all("testsuite")[0]->all("testcase")[1];
  const Element& failure = *tc.all("failure")[0];
  const std::string& expected = GetParam().expected;
  EXPECT_EQ(tc.attrs.at("name"), "rfc3207-s1-pipelined-rset: " + expected);
  EXPECT_EQ(failure.attrs.at("type"), expected);
  EXPECT_EQ(failure.attrs.at("message"), expected + ": " + expected);
  EXPECT_NE(failure.text.find("S: " + expected + "\n"), std::string::npos);
  EXPECT_EQ(tc.all("system-out")[0]->text, expected + "\n");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JunitEscaping,
    ::testing::Values(EscapeCase{"Markup", "a < b && c > d \"q\" 'a'", "a < b && c > d \"q\" 'a'"},
                      EscapeCase{"CdataEnd", "]]> end", "]]> end"},
                      EscapeCase{"EntityLookalike", "&amp; &#0;", "&amp; &#0;"},
                      EscapeCase{"ControlBytes",
                                 std::string("nul\0bel\x07"
                                             "esc\x1b[2J",
                                             15),
                                 "nul\\x00bel\\x07esc\\x1B[2J"},
                      EscapeCase{"CrLfTab", "a\r\nb\tc", "a\r\nb\tc"},
                      EscapeCase{"Del", "x\x7fy", "x\\x7Fy"},
                      EscapeCase{"InvalidUtf8", "bad \xff\xfe \xc3( ok \xc3\xa9",
                                 "bad \\xFF\\xFE \\xC3( ok \xc3\xa9"},
                      EscapeCase{"NonCharacter", "\xef\xbf\xbf!", "\\xEF\\xBF\\xBF!"},
                      EscapeCase{"Surrogate", "\xed\xa0\x80", "\\xED\\xA0\\x80"},
                      EscapeCase{"Emoji", "ok \xf0\x9f\x94\x92", "ok \xf0\x9f\x94\x92"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(JunitReport, OneMebibyteEvidenceLine) {
  auto run = sample_run();
  std::string big(1 << 20, 'A');
  for (std::size_t i = 0; i < big.size(); i += 1000) big[i] = '<';
  big[5] = '\x01';
  run.verdicts[1].evidence.push_back({"S", big, true});
  const std::string xml = to_junit({run});
  auto p = parse_ok(xml);
  ASSERT_NE(p.root, nullptr);
  const std::string& text =
      p.root->all("testsuite")[0]->all("testcase")[1]->all("failure")[0]->text;
  std::string expected = big;
  expected.replace(5, 1, "\\x01");
  EXPECT_NE(text.find("S[tls]: " + expected + "\n"), std::string::npos);
}

}  // namespace
}  // namespace smtpeer::report
