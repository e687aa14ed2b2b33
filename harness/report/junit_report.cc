#include "report/junit_report.h"

#include <array>
#include <cstdint>

#include "report/display_text.h"

namespace smtpeer::report {

namespace {

using engine::VerdictKind;

enum class XmlContext { kText, kAttribute };

// kXmlEntities: the characters markup gives meaning to. '>' is escaped too
// so that "]]>" can never appear in text; '"' matters only in attributes
// (all of ours are double-quoted) but escaping it everywhere is harmless.
struct Entity {
  char c;
  std::string_view ref;
};
constexpr std::array<Entity, 4> kXmlEntities{{
    {'<', "&lt;"},
    {'>', "&gt;"},
    {'&', "&amp;"},
    {'"', "&quot;"},
}};

// allowed_in_xml: XML 1.0 §2.2 Char, minus the C1 range §2.2 discourages.
// TAB, LF and CR are handled before this is asked.
bool allowed_in_xml(char32_t cp) {
  if (cp < 0x20) return false;
  if (cp >= 0x7F && cp <= 0x9F) return false;
  return cp != 0xFFFE && cp != 0xFFFF;
}

void append_xml(std::string& out, std::string_view s, XmlContext ctx) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_length(s, i);
    if (len == 0) {
      append_hex_escape(out, static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    const char32_t cp = utf8_decode(s, i, len);
    bool done = false;
    for (const auto& e : kXmlEntities) {
      if (cp == static_cast<unsigned char>(e.c)) {
        out += e.ref;
        done = true;
      }
    }
    if (done) {
      // already written
    } else if (cp == '\n' || cp == '\t') {
      // A parser normalises them to spaces inside attributes.
      if (ctx == XmlContext::kAttribute) {
        out += cp == '\n' ? "&#10;" : "&#9;";
      } else {
        out += static_cast<char>(cp);
      }
    } else if (cp == '\r') {
      out += "&#13;";  // a literal CR is dropped by end-of-line handling
    } else if (!allowed_in_xml(cp)) {
      for (std::size_t k = 0; k < len; ++k)
        append_hex_escape(out, static_cast<unsigned char>(s[i + k]));
    } else {
      out.append(s.substr(i, len));
    }
    i += len;
  }
}

std::string xml(std::string_view s, XmlContext ctx = XmlContext::kText) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  append_xml(out, s, ctx);
  return out;
}

std::string attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml(value, XmlContext::kAttribute) + "\"";
}

// seconds: JUnit times are decimal seconds; milliseconds are exact in three
// decimals, and no floating point means no locale or rounding surprises.
std::string seconds(std::int64_t ms) {
  if (ms < 0) ms = 0;
  std::string frac = std::to_string(ms % 1000);
  return std::to_string(ms / 1000) + "." + std::string(3 - frac.size(), '0') + frac;
}

// timestamp: the Ant JUnit schema wants "YYYY-MM-DDTHH:MM:SS" with no zone;
// started_at is UTC, so dropping its "Z" or fraction loses nothing. Empty
// when started_at does not look like ISO 8601.
std::string timestamp(std::string_view started_at) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (started_at.size() < kShape.size()) return {};
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const char c = started_at[i];
    const bool ok = kShape[i] == 'd' ? (c >= '0' && c <= '9') : c == kShape[i];
    if (!ok) return {};
  }
  return std::string(started_at.substr(0, kShape.size()));
}

struct Counts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  std::int64_t ms = 0;
};

Counts counts_of(const engine::RunReport& run) {
  return {static_cast<int>(run.verdicts.size()), run.count(VerdictKind::kFail),
          run.count(VerdictKind::kError), run.count(VerdictKind::kSkip), run.duration_ms};
}

std::string count_attrs(const Counts& c) {
  return attr("tests", std::to_string(c.tests)) + attr("failures", std::to_string(c.failures)) +
         attr("errors", std::to_string(c.errors)) + attr("skipped", std::to_string(c.skipped)) +
         attr("time", seconds(c.ms));
}

// details: the body of a <failure> or <error>: what a developer reading the
// CI page needs to act without opening the JSON report.
std::string details(const engine::Verdict& v) {
  std::string out;
  if (!v.clause.empty() || !v.requirement.empty()) {
    out += v.clause;
    if (!v.requirement.empty()) out += (v.clause.empty() ? "\"" : ": \"") + v.requirement + "\"";
    out += "\n";
  }
  out += v.summary + "\n";
  if (v.failed_step >= 0) {
    out += "failed at step " + std::to_string(v.failed_step + 1) + " (counting from 1)\n";
  }
  if (!v.evidence.empty()) {
    out += "evidence (C = client, S = server, * = smtpeer's observation):\n";
    for (const auto& line : v.evidence) {
      out += line.who + (line.tls ? "[tls]" : "") + ": " + line.text + "\n";
    }
  }
  return out;
}

void append_testcase(std::string& out, const engine::Verdict& v) {
  const std::string classname = "smtpeer." + (v.tags.empty() ? std::string("scenario") : v.tags[0]);
  const std::string name = v.title.empty() ? v.scenario_id : v.scenario_id + ": " + v.title;
  out += "    <testcase" + attr("classname", classname) + attr("name", name) +
         attr("time", seconds(v.duration_ms)) + ">\n";
  switch (v.kind) {
    case VerdictKind::kFail: {
      const std::string message = v.clause.empty() ? v.summary : v.clause + ": " + v.summary;
      const std::string type = v.clause.empty() ? std::string("finding") : v.clause;
      out += "      <failure" + attr("message", message) + attr("type", type) + ">" +
             xml(details(v)) + "</failure>\n";
      break;
    }
    case VerdictKind::kError:
      out += "      <error" + attr("message", v.summary) + attr("type", "error") + ">" +
             xml(details(v)) + "</error>\n";
      break;
    case VerdictKind::kSkip: out += "      <skipped" + attr("message", v.summary) + "/>\n"; break;
    case VerdictKind::kPass: break;
  }
  if (!v.notes.empty()) {
    std::string notes;
    for (const auto& n : v.notes) notes += n + "\n";
    out += "      <system-out>" + xml(notes) + "</system-out>\n";
  }
  out += "    </testcase>\n";
}

void append_property(std::string& out, std::string_view name, std::string_view value) {
  out += "      <property" + attr("name", name) + attr("value", value) + "/>\n";
}

void append_testsuite(std::string& out, const engine::RunReport& run) {
  const std::string name = "smtpeer " + run.target + " (" + run.profile + ")";
  const std::string ts = timestamp(run.started_at);
  out += "  <testsuite" + attr("name", name) + count_attrs(counts_of(run)) +
         (ts.empty() ? std::string() : attr("timestamp", ts)) + ">\n";
  out += "    <properties>\n";
  append_property(out, "target", run.target);
  append_property(out, "profile", run.profile);
  append_property(out, "started_at", run.started_at);
  append_property(out, "connections", std::to_string(run.connections));
  append_property(out, "interrupted", run.interrupted ? "true" : "false");
  out += "    </properties>\n";
  for (const auto& v : run.verdicts) append_testcase(out, v);
  out += "  </testsuite>\n";
}

}  // namespace

std::string to_junit(const std::vector<engine::RunReport>& runs) {
  Counts total;
  for (const auto& run : runs) {
    const Counts c = counts_of(run);
    total.tests += c.tests;
    total.failures += c.failures;
    total.errors += c.errors;
    total.skipped += c.skipped;
    total.ms += c.ms;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites" + attr("name", "smtpeer") + count_attrs(total) + ">\n";
  for (const auto& run : runs) append_testsuite(out, run);
  out += "</testsuites>\n";
  return out;
}

}  // namespace smtpeer::report
