// dump_reply, dump_ehlo, run_reply_stream: readable dumps of parser results,
// one field per line, shared by the golden tests (.ref files) and the unit
// tests (to compare two parses in one assertion, with a readable diff).
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.h"
#include "smtp/ehlo_parser.h"
#include "smtp/reply_parser.h"

namespace smtpeer::smtp::testing {

inline std::string quote_bytes(std::string_view bytes) {
  return "\"" + escape_bytes(bytes) + "\"";
}

inline std::string dump_reply(const Reply& r) {
  std::string out;
  out += "code " + std::to_string(r.code) + "\n";
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    out += "line " + std::to_string(i) + ": " + quote_bytes(r.lines[i]) + "\n";
  }
  if (r.enhanced) {
    out += "enhanced " + std::to_string(r.enhanced->klass) + "." +
           std::to_string(r.enhanced->subject) + "." + std::to_string(r.enhanced->detail) + "\n";
  } else {
    out += "enhanced none\n";
  }
  out += std::string("mixed_codes ") + (r.mixed_codes ? "true" : "false") + "\n";
  out += std::string("bare_lf ") + (r.bare_lf ? "true" : "false") + "\n";
  out += "raw " + quote_bytes(r.raw) + "\n";
  return out;
}

inline std::string dump_ehlo(const EhloInfo& info) {
  std::string out = "domain " + quote_bytes(info.domain) + "\n";
  for (const auto& cap : info.capabilities) {
    out += "capability " + cap.keyword;
    for (const auto& p : cap.params) out += " " + quote_bytes(p);
    if (cap.equals_form) out += " (equals form)";
    out += "\n";
  }
  for (const auto& m : info.malformed) out += "malformed " + quote_bytes(m) + "\n";
  return out;
}

// run_reply_stream: feed all of `in` at once, taking every reply it holds;
// the dump lists each reply with the bytes its feed consumed, then how the
// stream ended (need more / error) and how many bytes were left unconsumed.
inline std::string run_reply_stream(std::string_view in, const ReplyLimits& limits = {}) {
  ReplyParser parser(limits);
  std::string out;
  int n = 0;
  while (true) {
    const auto step = parser.feed(in);
    in.remove_prefix(step.consumed);
    if (step.state == ReplyParser::State::kReply) {
      out += "reply " + std::to_string(++n) + "\n";
      out += "consumed " + std::to_string(step.consumed) + "\n";
      out += dump_reply(parser.take());
      continue;
    }
    if (step.state == ReplyParser::State::kError) {
      out += "error: " + parser.error() + "\n";
    } else {
      out += "need more\n";
    }
    out += "unconsumed " + std::to_string(in.size()) + "\n";
    return out;
  }
}

// run_reply_stream_bytewise: the same, as seen through a transport that
// delivers one byte per read: a buffer that grows by one byte, fed after each
// byte, with what was consumed erased. Produces the same dump when the parser
// does not depend on how its input was split.
inline std::string run_reply_stream_bytewise(std::string_view in, const ReplyLimits& limits = {}) {
  ReplyParser parser(limits);
  std::string out;
  std::string buffer;
  int n = 0;
  std::size_t consumed_for_reply = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    buffer += in[i];
    while (true) {
      const auto step = parser.feed(buffer);
      buffer.erase(0, step.consumed);
      consumed_for_reply += step.consumed;
      if (step.state == ReplyParser::State::kReply) {
        out += "reply " + std::to_string(++n) + "\n";
        out += "consumed " + std::to_string(consumed_for_reply) + "\n";
        out += dump_reply(parser.take());
        consumed_for_reply = 0;
        continue;  // the buffer may already hold (part of) the next reply
      }
      if (step.state == ReplyParser::State::kError) {
        out += "error: " + parser.error() + "\n";
        // Everything not yet consumed, including what never got delivered.
        const std::size_t undelivered = in.size() - i - 1;
        out += "unconsumed " + std::to_string(buffer.size() + undelivered) + "\n";
        return out;
      }
      break;
    }
  }
  out += "need more\n";
  out += "unconsumed " + std::to_string(buffer.size()) + "\n";
  return out;
}

}  // namespace smtpeer::smtp::testing
