// fuzz_command_parser: parse_command over arbitrary client bytes, plus the
// EHLO-argument classifier on whatever arguments come out.
//
// Input: the first byte picks the limits ("@": the defaults; "H": bare LF
// rejected); the rest is the stream a client sent. Commands are taken off the front one by one, as
// the server role does. Each must be exactly the bytes it consumed, split consistently into verb
// and arguments, and must not be complete one byte earlier (framing does not depend on how the
// bytes were split).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "smtp/command_parser.h"
#include "smtp/syntax.h"

namespace {

using smtpeer::smtp::CommandLimits;
using smtpeer::smtp::CommandParse;
using smtpeer::smtp::EhloArgKind;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

constexpr std::array<std::size_t, 8> kMaxLine = {4096, 512, 64, 16, 6, 2, 1, 0};

void check_ehlo_argument(std::string_view arg) {
  const auto a = smtpeer::smtp::classify_ehlo_argument(arg);
  check(!smtpeer::smtp::to_string(a.kind).empty());
  check((a.kind == EhloArgKind::kInvalid) != a.reason.empty());
  check((a.kind == EhloArgKind::kEmpty) == arg.empty());
  const bool literal = a.kind == EhloArgKind::kAddressV4 || a.kind == EhloArgKind::kAddressV6 ||
                       a.kind == EhloArgKind::kAddressGeneral;
  if (literal) check(arg.size() >= 3 && arg.front() == '[' && arg.back() == ']');
  if (a.kind == EhloArgKind::kAddressV4) {
    check(smtpeer::smtp::is_ipv4_literal(arg.substr(1, arg.size() - 2)));
  }
  if (a.kind == EhloArgKind::kAddressV6) {
    check(smtpeer::smtp::is_ipv6_literal(arg.substr(6, arg.size() - 7)));  // "[IPv6:" ... "]"
  }
  if (a.kind == EhloArgKind::kDomain) check(arg.size() <= 255);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t config = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);

  CommandLimits limits;
  limits.max_line = kMaxLine[config & 7];
  limits.accept_bare_lf = (config & 8) == 0;

  while (true) {
    const CommandParse p = smtpeer::smtp::parse_command(rest, limits);
    if (p.state == CommandParse::State::kNeedMore) {
      check(p.consumed == 0 && p.error.empty());
      check(rest.find('\n') == std::string_view::npos);
      check(rest.empty() || rest.size() < limits.max_line);
      break;
    }
    if (p.state == CommandParse::State::kError) {
      check(p.consumed == 0 && !p.error.empty());
      break;
    }
    const auto& c = p.command;
    check(p.consumed > 0 && p.consumed <= rest.size() && p.consumed <= limits.max_line);
    check(c.raw == rest.substr(0, p.consumed));
    check(c.raw.back() == '\n');
    check(c.bare_lf == (c.raw.size() < 2 || c.raw[c.raw.size() - 2] != '\r'));
    check(!c.bare_lf || limits.accept_bare_lf);
    // The line is not complete one byte earlier.
    check(smtpeer::smtp::parse_command(rest.substr(0, p.consumed - 1), limits).state ==
          CommandParse::State::kNeedMore);
    // Verb and arguments are pieces of the line, in order.
    check(c.verb_text.find(' ') == std::string::npos);
    check(c.verb_text.find('\n') == std::string::npos && c.args.find('\n') == std::string::npos);
    check(c.raw.starts_with(c.verb_text));
    check(c.args.empty() || c.args.front() != ' ');
    check(c.has_separator || c.args.empty());
    check(c.has_separator ==
          (c.raw.size() > c.verb_text.size() && c.raw[c.verb_text.size()] == ' '));
    const std::string_view line_end = c.bare_lf ? "\n" : "\r\n";
    check(std::string_view(c.raw).ends_with(c.args + std::string(line_end)));
    check(c.verb == smtpeer::smtp::verb_from_name(c.verb_text));
    check(smtpeer::smtp::command_info(c.verb).verb == c.verb);
    check(!smtpeer::smtp::to_string(c.verb).empty());

    check_ehlo_argument(c.args);
    rest.remove_prefix(p.consumed);
  }

  const auto round = smtpeer::unescape_bytes(smtpeer::escape_bytes(rest));
  check(round.has_value() && *round == rest);
  return 0;
}
