#include "engine/checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/ascii.h"
#include "core/bytes.h"

namespace smtpeer::engine {
namespace {

bool contains_ci(std::string_view hay, std::string_view needle) {
  return ascii_lowered(hay).find(ascii_lowered(needle)) != std::string::npos;
}

// advertised: "AUTH" (keyword) or "AUTH PLAIN" (keyword with that parameter).
bool advertised(const smtp::EhloInfo& ehlo, std::string_view cap) {
  auto sp = cap.find(' ');
  if (sp == std::string_view::npos) return ehlo.has(cap);
  return ehlo.has_param(cap.substr(0, sp), cap.substr(sp + 1));
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string join_ints(const std::vector<int>& v, std::string_view suffix = "") {
  std::string out;
  for (int i : v) {
    if (!out.empty()) out += "/";
    out += fmt::format("{}{}", i, suffix);
  }
  return out;
}

}  // namespace

bool matches(const scenario::Match& m, const ReplyObservation& obs) {
  if (!obs.reply) {
    if (m.closed && obs.closed) return true;
    if (m.timeout && obs.timeout) return true;
    return false;
  }
  const smtp::Reply& r = *obs.reply;
  bool constrained = !m.codes.empty() || !m.classes.empty() || m.text || m.text_absent ||
                     !m.has_capability.empty() || !m.lacks_capability.empty() || m.any;
  if (!constrained) return false;  // a match of only closed/timeout wants no reply
  if (!m.codes.empty() && std::find(m.codes.begin(), m.codes.end(), r.code) == m.codes.end())
    return false;
  if (!m.classes.empty() &&
      std::find(m.classes.begin(), m.classes.end(), r.klass()) == m.classes.end())
    return false;
  if (m.text && !contains_ci(r.text(), *m.text)) return false;
  if (m.text_absent && contains_ci(r.text(), *m.text_absent)) return false;
  if (!m.has_capability.empty() || !m.lacks_capability.empty()) {
    smtp::EhloInfo ehlo = obs.ehlo ? *obs.ehlo : smtp::parse_ehlo(r);
    for (const auto& cap : m.has_capability)
      if (!advertised(ehlo, cap)) return false;
    for (const auto& cap : m.lacks_capability)
      if (advertised(ehlo, cap)) return false;
  }
  if (m.alone && obs.bytes_behind > 0) return false;
  return true;
}

bool condition_holds(const scenario::Condition& c, const scenario::Profile& profile,
                     const smtp::EhloInfo* ehlo) {
  for (const auto& kw : c.advertised)
    if (ehlo == nullptr || !advertised(*ehlo, kw)) return false;
  for (const auto& kw : c.not_advertised)
    if (ehlo != nullptr && advertised(*ehlo, kw)) return false;
  for (const auto& flag : c.profile_has)
    if (!profile.has(flag)) return false;
  for (const auto& flag : c.profile_lacks)
    if (profile.has(flag)) return false;
  return true;
}

std::string describe(const ReplyObservation& obs) {
  if (obs.reply) {
    const smtp::Reply& r = *obs.reply;
    std::string first = r.lines.empty() ? "" : r.lines.front();
    std::string s = fmt::format("{} {}", r.code, escape_bytes(first, 80));
    if (r.lines.size() > 1) s += fmt::format(" (+{} more lines)", r.lines.size() - 1);
    if (obs.bytes_behind > 0) s += fmt::format(" (+{} bytes behind it)", obs.bytes_behind);
    if (r.mixed_codes) s += " (lines with different codes)";
    return s;
  }
  if (obs.limit) return "more bytes than smtpeer accepts on one connection, and no complete reply";
  if (!obs.parse_error.empty()) return "bytes that are not an SMTP reply (" + obs.parse_error + ")";
  if (obs.closed) return "the connection closed without a reply";
  if (obs.timeout) return "no reply before the deadline";
  return "nothing";
}

std::string describe(const scenario::Match& m) {
  std::vector<std::string> parts;
  if (!m.codes.empty()) parts.push_back("reply " + join_ints(m.codes));
  if (!m.classes.empty()) parts.push_back("a " + join_ints(m.classes, "xx") + " reply");
  if (m.any) parts.push_back("any reply");
  if (m.text) parts.push_back("text containing \"" + *m.text + "\"");
  if (m.text_absent) parts.push_back("text without \"" + *m.text_absent + "\"");
  if (!m.has_capability.empty()) parts.push_back("advertising " + join(m.has_capability, ", "));
  if (!m.lacks_capability.empty())
    parts.push_back("not advertising " + join(m.lacks_capability, ", "));
  if (m.alone) parts.push_back("arriving alone");
  if (m.closed) parts.push_back("the connection closing");
  if (m.timeout) parts.push_back("no reply");
  return parts.empty() ? "nothing" : join(parts, ", ");
}

std::string describe(const scenario::Condition& c) {
  std::vector<std::string> parts;
  if (!c.advertised.empty()) parts.push_back(join(c.advertised, ", ") + " advertised");
  if (!c.not_advertised.empty()) parts.push_back(join(c.not_advertised, ", ") + " not advertised");
  if (!c.profile_has.empty()) parts.push_back("profile has " + join(c.profile_has, ", "));
  if (!c.profile_lacks.empty()) parts.push_back("profile lacks " + join(c.profile_lacks, ", "));
  return parts.empty() ? "always" : join(parts, "; ");
}

}  // namespace smtpeer::engine
