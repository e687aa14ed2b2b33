// parse_ehlo: the service extensions a server advertised in its EHLO reply
// (RFC 5321 §4.1.1.1).
//
//   ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
//               / ( "250-" Domain [ SP ehlo-greet ] CRLF
//                   *( "250-" ehlo-line CRLF ) "250" SP ehlo-line CRLF )
//   ehlo-line    = ehlo-keyword *( SP ehlo-param )
//   ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//   ehlo-param   = 1*(%d33-126)
//
// Keywords compare case-insensitively and are stored upper-cased. The old
// "AUTH=LOGIN PLAIN" form is read as keyword AUTH with its parameters and
// flagged. Pure: no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "smtp/reply_parser.h"

namespace smtpeer::smtp {

struct Capability {
  std::string keyword;              // upper-cased, e.g. "STARTTLS", "AUTH", "SIZE"
  std::vector<std::string> params;  // as sent, e.g. {"PLAIN", "LOGIN"}
  bool equals_form = false;         // written as "KEYWORD=param" (pre-RFC 2554 AUTH)
  bool loose = false;               // read leniently from a line that is not an ehlo-line
                                    // (the line is also in EhloInfo::malformed)
};

struct EhloInfo {
  std::string domain;                    // the first word of the first line
  std::vector<Capability> capabilities;  // in the order advertised
  std::vector<std::string> malformed;    // extension lines that do not match ehlo-line

  bool has(std::string_view keyword) const;                // case-insensitive
  const Capability* find(std::string_view keyword) const;  // nullptr if absent
  // has_param: keyword advertised with this parameter (case-insensitive), e.g.
  // has_param("AUTH", "PLAIN").
  bool has_param(std::string_view keyword, std::string_view param) const;
};

// parse_ehlo: capabilities from a 250 reply to EHLO. A reply that is not 2xx
// gives an empty EhloInfo.
EhloInfo parse_ehlo(const Reply& reply);

}  // namespace smtpeer::smtp
