// fuzz_reply_parser: ReplyParser over arbitrary server bytes.
//
// Input: the first byte picks the limits (so the fuzzer reaches the line and
// line-count limits with small inputs; "@" selects the defaults, so corpus
// files read as "@220 Ready\r\n"); the rest is the byte stream a server sent. The stream is parsed
// three ways, whole buffer, in chunks whose sizes come from the input, and one byte per read, and
// the three results must be identical: framing must not depend on how TCP split the bytes. Every
// reply must be exactly the bytes it consumed, and re-parse to itself.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "smtp/ehlo_parser.h"
#include "smtp/reply_parser.h"

namespace {

using smtpeer::smtp::BareLf;
using smtpeer::smtp::Reply;
using smtpeer::smtp::ReplyLimits;
using smtpeer::smtp::ReplyParser;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Trace: everything the parser made of a stream.
struct Trace {
  std::vector<Reply> replies;
  ReplyParser::State end = ReplyParser::State::kNeedMore;
  std::string error;
  std::size_t pending = 0;     // consumed by lines of a reply that did not complete
  std::size_t unconsumed = 0;  // never consumed
};

bool same_reply(const Reply& a, const Reply& b) {
  return a.code == b.code && a.lines == b.lines && a.enhanced == b.enhanced &&
         a.mixed_codes == b.mixed_codes && a.bare_lf == b.bare_lf && a.raw == b.raw;
}

bool same_trace(const Trace& a, const Trace& b) {
  if (a.replies.size() != b.replies.size()) return false;
  for (std::size_t i = 0; i < a.replies.size(); ++i) {
    if (!same_reply(a.replies[i], b.replies[i])) return false;
  }
  return a.end == b.end && a.error == b.error && a.pending == b.pending &&
         a.unconsumed == b.unconsumed;
}

// parse_chunked: deliver `in` in reads of the given sizes (cycled), keeping a
// buffer like a real transport; chunk size 0 means "the rest at once".
Trace parse_chunked(std::string_view in, const ReplyLimits& limits,
                    const std::vector<std::size_t>& chunks) {
  ReplyParser parser(limits);
  Trace t;
  std::string buffer;
  std::size_t delivered = 0;
  std::size_t next_chunk = 0;
  while (true) {
    // Drain what is buffered before reading more.
    while (true) {
      const auto step = parser.feed(buffer);
      check(step.consumed <= buffer.size());
      const std::string_view took(buffer.data(), step.consumed);
      t.pending += step.consumed;
      if (step.state == ReplyParser::State::kReply) {
        Reply r = parser.take();
        // A reply is exactly the lines its feeds consumed; this feed ends it.
        check(!r.raw.empty() && r.raw.back() == '\n');
        check(r.raw.size() >= took.size() && r.raw.ends_with(took));
        check(r.raw.size() == t.pending);
        t.pending = 0;
        t.replies.push_back(std::move(r));
        buffer.erase(0, step.consumed);
        continue;
      }
      buffer.erase(0, step.consumed);
      if (step.state == ReplyParser::State::kError) {
        check(!parser.error().empty());
        t.end = step.state;
        t.error = parser.error();
        t.unconsumed = buffer.size() + (in.size() - delivered);
        // The error sticks until reset().
        check(parser.feed("250 ok\r\n").state == ReplyParser::State::kError);
        return t;
      }
      break;
    }
    if (delivered == in.size()) break;
    std::size_t n = chunks.empty() ? 0 : chunks[next_chunk++ % chunks.size()];
    if (n == 0 || n > in.size() - delivered) n = in.size() - delivered;
    buffer.append(in.substr(delivered, n));
    delivered += n;
  }
  t.end = ReplyParser::State::kNeedMore;
  t.unconsumed = buffer.size();
  return t;
}

constexpr std::array<std::size_t, 8> kMaxLine = {4096, 512, 64, 16, 5, 4, 1, 0};
constexpr std::array<std::size_t, 4> kMaxLines = {1000, 8, 2, 1};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t config = data[0];
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);

  ReplyLimits limits;
  limits.max_line = kMaxLine[config & 7];
  limits.max_lines = kMaxLines[(config >> 3) & 3];
  limits.bare_lf = (config & 0x20) ? BareLf::kReject : BareLf::kAccept;

  // Read sizes from the input itself: deterministic, and the fuzzer can steer them.
  std::vector<std::size_t> chunks;
  for (std::size_t i = 0; i < in.size() && chunks.size() < 16; i += 7) {
    chunks.push_back(static_cast<unsigned char>(in[i]) % 13 + 1);
  }

  const Trace whole = parse_chunked(in, limits, {});
  const Trace chunked = parse_chunked(in, limits, chunks);
  const Trace bytewise = parse_chunked(in, limits, {1});
  check(same_trace(whole, chunked));
  check(same_trace(whole, bytewise));

  std::size_t consumed = 0;
  for (const Reply& r : whole.replies) {
    // Replies are the stream's bytes, in order, without gaps.
    check(in.substr(consumed, r.raw.size()) == r.raw);
    consumed += r.raw.size();
    check(!r.lines.empty() && r.lines.size() <= limits.max_lines);
    check(r.code >= 0 && r.code <= 999);
    check(r.raw.size() <= limits.max_line * r.lines.size());
    if (r.enhanced) {
      const int k = r.enhanced->klass;
      check(k == 2 || k == 4 || k == 5);
      check(r.enhanced->subject <= 999 && r.enhanced->detail <= 999);
    }
    // A reply re-parses to itself, consuming all of it.
    ReplyParser again(limits);
    const auto step = again.feed(r.raw);
    check(step.state == ReplyParser::State::kReply && step.consumed == r.raw.size());
    check(same_reply(again.take(), r));
    check(r.text().size() + 1 >= r.lines.size());
    // The EHLO view of any reply: every extension line lands somewhere.
    const auto ehlo = smtpeer::smtp::parse_ehlo(r);
    if (r.klass() == 2) {
      std::size_t strict = 0;
      for (const auto& cap : ehlo.capabilities) strict += cap.loose ? 0 : 1;
      check(strict + ehlo.malformed.size() == r.lines.size() - 1);
    }
  }
  check(consumed + whole.pending + whole.unconsumed == in.size());

  // Evidence shows these bytes escaped; the escape must be lossless.
  const auto round = smtpeer::unescape_bytes(smtpeer::escape_bytes(in));
  check(round.has_value() && *round == in);
  return 0;
}
