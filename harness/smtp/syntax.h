// RFC 5321 syntax of the EHLO/HELO argument (§4.1.1.1, §4.1.3):
//
//   Domain          = sub-domain *("." sub-domain)
//   sub-domain      = Let-dig [Ldh-str]
//   address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
//                           General-address-literal ) "]"
//
// Pure: no I/O.
#pragma once

#include <string>
#include <string_view>

namespace smtpeer::smtp {

enum class EhloArgKind {
  kEmpty,           // nothing after the verb
  kDomain,          // a syntactically valid Domain
  kAddressV4,       // [192.0.2.1]
  kAddressV6,       // [IPv6:::1]
  kAddressGeneral,  // [tag:content] with a standardized-tag other than IPv6
  kInvalid,         // anything else (reason says why)
};

std::string_view to_string(EhloArgKind kind);

struct EhloArg {
  EhloArgKind kind = EhloArgKind::kInvalid;
  std::string reason;  // for kInvalid, e.g. "octet 999 > 255"
};

// classify_ehlo_argument: what the argument of EHLO/HELO is.
EhloArg classify_ehlo_argument(std::string_view arg);

// is_ipv4_literal / is_ipv6_literal: the text inside the brackets (IPv6
// without the "IPv6:" tag), per RFC 5321 §4.1.3.
bool is_ipv4_literal(std::string_view text);
bool is_ipv6_literal(std::string_view text);

}  // namespace smtpeer::smtp
