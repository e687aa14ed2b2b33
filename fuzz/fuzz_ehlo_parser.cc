// fuzz_ehlo_parser: parse_ehlo over arbitrary EHLO replies.
//
// Input: a server's bytes. If they frame as a reply, that reply is used; if
// not, the input is cut at LF into the lines of a synthetic 250 reply, so the
// keyword and parameter grammar is fuzzed even when the framing is broken.
// Every extension line must end up as a capability or as malformed, and what
// is advertised must be found by the lookups.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "smtp/ehlo_parser.h"
#include "smtp/reply_parser.h"
#include "smtp/syntax.h"

namespace {

using smtpeer::smtp::Reply;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool is_keyword_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

Reply synthetic_reply(std::string_view in) {
  Reply r;
  r.code = 250;
  while (true) {
    const std::size_t lf = in.find('\n');
    r.lines.emplace_back(in.substr(0, lf));
    if (lf == std::string_view::npos) break;
    in.remove_prefix(lf + 1);
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  smtpeer::smtp::ReplyLimits limits;
  limits.max_line = 1024;
  auto parsed = smtpeer::smtp::parse_reply(in, limits);
  const Reply reply = parsed ? std::move(*parsed) : synthetic_reply(in);

  const auto info = smtpeer::smtp::parse_ehlo(reply);
  if (reply.klass() != 2 || reply.lines.empty()) {
    check(info.domain.empty() && info.capabilities.empty() && info.malformed.empty());
    return 0;
  }
  std::size_t strict = 0;
  for (const auto& cap : info.capabilities) strict += cap.loose ? 0 : 1;
  check(strict + info.malformed.size() == reply.lines.size() - 1);
  check(info.capabilities.size() - strict <= info.malformed.size());
  check(info.domain.find(' ') == std::string::npos);
  check(reply.lines.front().starts_with(info.domain));

  for (const auto& cap : info.capabilities) {
    check(!cap.keyword.empty());
    check(info.has(cap.keyword));
    if (cap.loose) continue;  // read leniently: the grammar checks below do not apply
    check(cap.keyword.front() != '-');
    for (const char c : cap.keyword) check(is_keyword_char(c));
    check(info.has(cap.keyword));
    check(info.find(cap.keyword) != nullptr);
    check(!cap.equals_form || !cap.params.empty());
    for (const auto& p : cap.params) {
      check(!p.empty());
      for (const char c : p) {
        const auto b = static_cast<unsigned char>(c);
        check(b >= 33 && b <= 126);
      }
      check(info.has_param(cap.keyword, p));
    }
  }

  // The greeting names the server; classify it as the server role classifies
  // a client's EHLO argument (no crash, consistent answer).
  const auto arg = smtpeer::smtp::classify_ehlo_argument(info.domain);
  check((arg.kind == smtpeer::smtp::EhloArgKind::kInvalid) != arg.reason.empty());
  return 0;
}
