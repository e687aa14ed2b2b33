#include "smtp/syntax.h"

#include <fmt/format.h>

#include <array>
#include <optional>

#include "core/bytes.h"

namespace smtpeer::smtp {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_let_dig(char c) {
  return is_alpha(c) || is_digit(c);
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (to_lower(s[i]) != to_lower(prefix[i])) return false;
  }
  return true;
}

// RFC 5321 §4.5.3.1.2: "The maximum total length of a domain name or number
// is 255 octets." RFC 1035 §2.3.4: "labels 63 octets or less".
constexpr std::size_t kMaxDomain = 255;
constexpr std::size_t kMaxLabel = 63;

// domain_problem: why `s` is not a Domain, or nullopt if it is one.
//   Domain     = sub-domain *("." sub-domain)
//   sub-domain = Let-dig [Ldh-str]
//   Ldh-str    = *( ALPHA / DIGIT / "-" ) Let-dig
std::optional<std::string> domain_problem(std::string_view s) {
  if (s.size() > kMaxDomain) {
    return fmt::format("domain is {} octets, longer than {}", s.size(), kMaxDomain);
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) return std::string("empty label (leading, trailing or doubled '.')");
    if (label.size() > kMaxLabel) {
      return fmt::format("label of {} octets, longer than {}", label.size(), kMaxLabel);
    }
    for (const char c : label) {
      if (!is_let_dig(c) && c != '-') {
        return fmt::format("'{}' is not allowed in a domain",
                           escape_bytes(std::string_view(&c, 1)));
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return fmt::format("label \"{}\" starts or ends with '-'", label);
    }
    if (dot == std::string_view::npos) return std::nullopt;
    start = dot + 1;
  }
}

// ipv4_problem: Snum = 1*3DIGIT ; "representing a decimal integer value in
// the range 0 through 255"; IPv4-address-literal = Snum 3("." Snum).
std::optional<std::string> ipv4_problem(std::string_view s) {
  std::size_t octets = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t n = 0;
    int value = 0;
    while (i < s.size() && is_digit(s[i])) {
      if (++n > 3) return std::string("more than 3 digits in an octet");
      value = value * 10 + (s[i] - '0');
      ++i;
    }
    if (n == 0) return std::string("expected 4 dot-separated decimal octets");
    if (value > 255) return fmt::format("octet {} > 255", value);
    ++octets;
    if (i == s.size()) break;
    if (s[i] != '.' || octets == 4) return std::string("expected 4 dot-separated decimal octets");
    ++i;
  }
  if (octets != 4) return std::string("expected 4 dot-separated decimal octets");
  return std::nullopt;
}

// Groups: what one side of an IPv6 address holds.
struct Groups {
  std::size_t hex = 0;  // IPv6-hex groups
  bool v4 = false;      // ends in an IPv4-address-literal
};

// parse_groups: IPv6-hex *(":" IPv6-hex), optionally ending in ":" IPv4 (or
// being only the IPv4 part, right after "::"). Empty input is zero groups.
std::optional<Groups> parse_groups(std::string_view s, bool allow_v4) {
  Groups g;
  if (s.empty()) return g;
  while (true) {
    const std::size_t colon = s.find(':');
    const std::string_view piece = s.substr(0, colon);
    if (colon == std::string_view::npos && allow_v4 && piece.find('.') != std::string_view::npos) {
      if (ipv4_problem(piece)) return std::nullopt;
      g.v4 = true;
      return g;
    }
    if (piece.empty() || piece.size() > 4) return std::nullopt;
    for (const char c : piece) {
      if (!is_hex(c)) return std::nullopt;
    }
    ++g.hex;
    if (colon == std::string_view::npos) return g;
    s.remove_prefix(colon + 1);
  }
}

// General-address-literal = Standardized-tag ":" 1*dcontent
// Standardized-tag = Ldh-str; dcontent = %d33-90 / %d94-126
bool is_general_literal(std::string_view s) {
  const std::size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  const std::string_view tag = s.substr(0, colon);
  for (const char c : tag) {
    if (!is_let_dig(c) && c != '-') return false;
  }
  if (!is_let_dig(tag.back())) return false;
  for (const char c : s.substr(colon + 1)) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 33 || b > 126 || (b >= 91 && b <= 93)) return false;
  }
  return true;
}

EhloArg invalid(std::string reason) {
  return EhloArg{EhloArgKind::kInvalid, std::move(reason)};
}

struct KindName {
  EhloArgKind kind;
  std::string_view name;
};
constexpr std::array<KindName, 6> kKindNames{{
    {EhloArgKind::kEmpty, "empty"},
    {EhloArgKind::kDomain, "domain"},
    {EhloArgKind::kAddressV4, "address-v4"},
    {EhloArgKind::kAddressV6, "address-v6"},
    {EhloArgKind::kAddressGeneral, "address-general"},
    {EhloArgKind::kInvalid, "invalid"},
}};

}  // namespace

std::string_view to_string(EhloArgKind kind) {
  for (const auto& row : kKindNames) {
    if (row.kind == kind) return row.name;
  }
  return "invalid";
}

bool is_ipv4_literal(std::string_view text) {
  return !ipv4_problem(text);
}

// RFC 5321 §4.1.3:
//   IPv6-full   = IPv6-hex 7(":" IPv6-hex)
//   IPv6-comp   = [IPv6-hex *5(":" IPv6-hex)] "::" [IPv6-hex *5(":" IPv6-hex)]
//                 ; The "::" represents at least 2 16-bit groups of zeros. No
//                 ; more than 6 groups in addition to the "::" may be present.
//   IPv6v4-full = IPv6-hex 5(":" IPv6-hex) ":" IPv4-address-literal
//   IPv6v4-comp = [IPv6-hex *3(":" IPv6-hex)] "::"
//                 [IPv6-hex *3(":" IPv6-hex) ":"] IPv4-address-literal
//                 ; ... No more than 4 groups in addition to the "::" and
//                 ; IPv4-address-literal may be present.
// So "1:2:3:4:5:6:7::" (where "::" would stand for one group) is not valid
// here, though RFC 4291 would allow it.
bool is_ipv6_literal(std::string_view text) {
  const std::size_t gap = text.find("::");
  if (gap == std::string_view::npos) {
    const auto g = parse_groups(text, true);
    return g && (g->v4 ? g->hex == 6 : g->hex == 8);
  }
  const auto left = parse_groups(text.substr(0, gap), false);
  const auto right = parse_groups(text.substr(gap + 2), true);
  if (!left || !right) return false;  // a second "::" leaves an empty group
  const std::size_t groups = left->hex + right->hex;
  return right->v4 ? groups <= 4 : groups <= 6;
}

EhloArg classify_ehlo_argument(std::string_view arg) {
  if (arg.empty()) return EhloArg{EhloArgKind::kEmpty, {}};
  if (arg.front() != '[') {
    if (auto problem = domain_problem(arg)) return invalid(std::move(*problem));
    return EhloArg{EhloArgKind::kDomain, {}};
  }
  if (arg.back() != ']' || arg.size() < 2) return invalid("address literal without closing ']'");
  const std::string_view inner = arg.substr(1, arg.size() - 2);
  if (inner.empty()) return invalid("empty address literal");
  // ABNF strings are case-insensitive (RFC 5234 §2.3), so "ipv6:" is the tag too.
  constexpr std::string_view kV6Tag = "IPv6:";
  if (istarts_with(inner, kV6Tag)) {
    if (is_ipv6_literal(inner.substr(kV6Tag.size()))) return EhloArg{EhloArgKind::kAddressV6, {}};
    return invalid(fmt::format("\"{}\" is not an RFC 5321 IPv6 address",
                               escape_bytes(inner.substr(kV6Tag.size()), 64)));
  }
  if (inner.find(':') != std::string_view::npos) {
    if (is_general_literal(inner)) return EhloArg{EhloArgKind::kAddressGeneral, {}};
    return invalid("malformed general address literal (tag:content)");
  }
  if (auto problem = ipv4_problem(inner)) return invalid(std::move(*problem));
  return EhloArg{EhloArgKind::kAddressV4, {}};
}

}  // namespace smtpeer::smtp
