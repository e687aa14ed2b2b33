#include "smtp/ehlo_parser.h"

#include <optional>

#include "core/ascii.h"

namespace smtpeer::smtp {

namespace {

bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// is_ehlo_param: ehlo-param = 1*(%d33-126): no SP, no controls, no 8-bit bytes.
bool is_ehlo_param(std::string_view p) {
  if (p.empty()) return false;
  for (const char c : p) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 33 || b > 126) return false;
  }
  return true;
}

// split_params: *( SP ehlo-param ) after the keyword, each separated by exactly
// one SP as the grammar says; a doubled or trailing SP makes the line malformed
// (it is kept in EhloInfo::malformed, where a check can report it).
std::optional<std::vector<std::string>> split_params(std::string_view rest) {
  std::vector<std::string> params;
  while (true) {
    const std::size_t sp = rest.find(' ');
    const std::string_view param = rest.substr(0, sp);
    if (!is_ehlo_param(param)) return std::nullopt;
    params.emplace_back(param);
    if (sp == std::string_view::npos) return params;
    rest.remove_prefix(sp + 1);
  }
}

// parse_ehlo_line: ehlo-line = ehlo-keyword *( SP ehlo-param ), with
// ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"). Also the pre-RFC 2554
// form "AUTH=LOGIN PLAIN" that old servers still send next to the real line.
std::optional<Capability> parse_ehlo_line(std::string_view line) {
  if (line.empty() || !is_alnum(line[0])) return std::nullopt;
  std::size_t end = 1;
  while (end < line.size() && (is_alnum(line[end]) || line[end] == '-')) ++end;

  Capability cap;
  cap.keyword.reserve(end);
  for (std::size_t i = 0; i < end; ++i) cap.keyword += ascii_upper(line[i]);
  if (end == line.size()) return cap;

  switch (line[end]) {
    case ' ': break;
    case '=': cap.equals_form = true; break;
    default: return std::nullopt;
  }
  auto params = split_params(line.substr(end + 1));
  if (!params) return std::nullopt;
  cap.params = std::move(*params);
  return cap;
}

// parse_loose_line: what a lenient client reads from a line that is not an
// ehlo-line: the first word (up to '=') as keyword, the other words as params.
std::optional<Capability> parse_loose_line(std::string_view line) {
  std::vector<std::string_view> words;
  while (!line.empty()) {
    const std::size_t b = line.find_first_not_of(" \t");
    if (b == std::string_view::npos) break;
    line.remove_prefix(b);
    const std::size_t e = line.find_first_of(" \t");
    words.push_back(line.substr(0, e));
    if (e == std::string_view::npos) break;
    line.remove_prefix(e);
  }
  if (words.empty()) return std::nullopt;
  Capability cap;
  cap.loose = true;
  std::string_view head = words.front();
  if (const std::size_t eq = head.find('='); eq != std::string_view::npos) {
    cap.equals_form = true;
    if (eq + 1 < head.size()) cap.params.emplace_back(head.substr(eq + 1));
    head = head.substr(0, eq);
  }
  if (head.empty()) return std::nullopt;
  for (const char c : head) cap.keyword += ascii_upper(c);
  for (std::size_t i = 1; i < words.size(); ++i) cap.params.emplace_back(words[i]);
  return cap;
}

}  // namespace

bool EhloInfo::has(std::string_view keyword) const {
  return find(keyword) != nullptr;
}

const Capability* EhloInfo::find(std::string_view keyword) const {
  for (const auto& cap : capabilities) {
    if (ascii_iequals(cap.keyword, keyword)) return &cap;
  }
  return nullptr;
}

bool EhloInfo::has_param(std::string_view keyword, std::string_view param) const {
  // A server may advertise a keyword twice (AUTH and AUTH=); any line counts.
  for (const auto& cap : capabilities) {
    if (!ascii_iequals(cap.keyword, keyword)) continue;
    for (const auto& p : cap.params) {
      if (ascii_iequals(p, param)) return true;
    }
  }
  return false;
}

EhloInfo parse_ehlo(const Reply& reply) {
  EhloInfo info;
  if (reply.klass() != 2 || reply.lines.empty()) return info;
  const std::string_view first = reply.lines.front();
  info.domain = std::string(first.substr(0, first.find(' ')));
  // The first line is the greeting ("Domain [ SP ehlo-greet ]"), never a
  // capability: a single-line "250 host" advertises nothing.
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    auto cap = parse_ehlo_line(reply.lines[i]);
    if (cap) {
      info.capabilities.push_back(std::move(*cap));
      continue;
    }
    info.malformed.push_back(reply.lines[i]);
    // Real servers send "STARTTLS " (trailing SP) or Exim's "PIPE_CONNECT";
    // a client would still see those extensions, so the checks must too.
    if (auto loose = parse_loose_line(reply.lines[i]))
      info.capabilities.push_back(std::move(*loose));
  }
  return info;
}

}  // namespace smtpeer::smtp
