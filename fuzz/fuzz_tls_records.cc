// fuzz_tls_records: ServerFlight and parse_record over arbitrary server bytes.
//
// Input: the bytes a TLS server (or something pretending to be one) sent in
// answer to a ClientHello; corpus files are real flights captured from
// `openssl s_server`. The stream is fed to ServerFlight three ways, whole, in
// chunks whose sizes come from the input, and one byte per feed, under the
// default limits and under tight limits derived from the input length: the
// state, the error and the flight must be the same every way (framing must
// not depend on how TCP split the bytes). The flight counts no more bytes
// than it was given, a terminal state sticks, and a done flight holds what
// "done" promises. parse_record is looped over the input: each record is
// exactly its header plus payload, and a verdict never changes with more
// bytes (every shorter prefix of a record is kNeedMore, every prefix of an
// error is kNeedMore or the same error).
//
// The same bytes, read as a client's (the server role, C9-C11):
// read_client_hello takes no more than it was given, and a hello it found is
// found again in exactly the bytes it consumed; read_client_answer consumes
// no more than it was given, and only a decisive answer consumes anything.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tls/wire/raw_flight.h"
#include "tls/wire/registry.h"
#include "tls/wire/server_flight.h"

namespace {

using smtpeer::tls::wire::Flight;
using smtpeer::tls::wire::KeyExchange;
using smtpeer::tls::wire::ParseState;
using smtpeer::tls::wire::ServerFlight;
using smtpeer::tls::wire::ServerHello;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool same_hello(const ServerHello& a, const ServerHello& b) {
  return a.legacy_version == b.legacy_version && a.version == b.version && a.random == b.random &&
         a.session_id == b.session_id && a.suite == b.suite && a.compression == b.compression &&
         a.extensions == b.extensions && a.hello_retry_request == b.hello_retry_request &&
         a.renegotiation_info == b.renegotiation_info && a.heartbeat == b.heartbeat &&
         a.extended_master_secret == b.extended_master_secret &&
         a.key_share_group == b.key_share_group && a.downgrade_sentinel == b.downgrade_sentinel;
}

bool same_kx(const KeyExchange& a, const KeyExchange& b) {
  return a.dh_bits == b.dh_bits && a.group == b.group && a.explicit_curve == b.explicit_curve &&
         a.rsa_export_bits == b.rsa_export_bits;
}

template <typename T, typename Eq>
bool same_optional(const std::optional<T>& a, const std::optional<T>& b, Eq eq) {
  if (a.has_value() != b.has_value()) return false;
  return !a || eq(*a, *b);
}

bool same_flight(const ServerFlight& x, const ServerFlight& y) {
  const Flight& a = x.flight();
  const Flight& b = y.flight();
  if (x.state() != y.state() || x.error() != y.error()) return false;
  if (!same_optional(a.hello, b.hello, same_hello)) return false;
  if (!same_optional(a.key_exchange, b.key_exchange, same_kx)) return false;
  if (!same_optional(a.sslv2, b.sslv2, [](const auto& p, const auto& q) {
        return p.version == q.version && p.certificate == q.certificate && p.ciphers == q.ciphers;
      })) {
    return false;
  }
  if (!same_optional(a.alert, b.alert, [](const auto& p, const auto& q) {
        return p.level == q.level && p.description == q.description;
      })) {
    return false;
  }
  return a.certificates == b.certificates && a.certificate_request == b.certificate_request &&
         a.hello_done == b.hello_done && a.records == b.records && a.bytes == b.bytes;
}

// feed_chunked: deliver `in` in feeds of the given sizes (cycled); an empty
// list means everything in one feed.
void feed_chunked(ServerFlight& flight, std::string_view in,
                  const std::vector<std::size_t>& chunks) {
  std::size_t pos = 0;
  std::size_t next = 0;
  while (pos < in.size()) {
    std::size_t n = chunks.empty() ? in.size() : chunks[next++ % chunks.size()];
    if (n > in.size() - pos) n = in.size() - pos;
    const auto state = flight.feed(in.substr(pos, n));
    check(state == flight.state());
    pos += n;
  }
}

void check_flight(const ServerFlight& f, std::string_view in, const ServerFlight::Limits& limits) {
  const Flight& fl = f.flight();
  check(fl.bytes <= in.size() && fl.bytes <= limits.max_bytes);
  // Every record has a header: 5 bytes for TLS, 2 for the SSLv2 SERVER-HELLO.
  check(fl.records * 2 <= fl.bytes);
  check((f.state() == ServerFlight::State::kError) == !f.error().empty());
  switch (f.state()) {
    case ServerFlight::State::kNeedMore: break;
    case ServerFlight::State::kAlert: check(fl.alert.has_value()); break;
    case ServerFlight::State::kDone:
      check(fl.hello_done || fl.sslv2.has_value() ||
            (fl.hello &&
             (fl.hello->hello_retry_request || fl.hello->version >= smtpeer::tls::wire::kTls13)));
      break;
    case ServerFlight::State::kError: break;
  }
  if (fl.hello_done || !fl.certificates.empty() || fl.key_exchange || fl.certificate_request) {
    check(fl.hello.has_value());
  }
  std::size_t cert_bytes = 0;
  for (const auto& c : fl.certificates) {
    check(!c.empty());
    cert_bytes += c.size();
  }
  check(cert_bytes <= fl.bytes);
}

void run_flights(std::string_view in, const ServerFlight::Limits& limits,
                 const std::vector<std::size_t>& chunks) {
  ServerFlight whole(limits);
  ServerFlight chunked(limits);
  ServerFlight bytewise(limits);
  feed_chunked(whole, in, {});
  feed_chunked(chunked, in, chunks);
  feed_chunked(bytewise, in, {1});
  check(same_flight(whole, chunked));
  check(same_flight(whole, bytewise));
  check_flight(whole, in, limits);

  // A terminal state sticks: later bytes change nothing.
  if (whole.state() != ServerFlight::State::kNeedMore) {
    const auto before = whole.flight().bytes;
    check(whole.feed("\x16\x03\x03\x00\x04\x0e\x00\x00\x00") == whole.state());
    check(same_flight(whole, chunked) && whole.flight().bytes == before);
  }
}

void check_records(std::string_view in) {
  std::size_t pos = 0;
  while (pos < in.size()) {
    const std::string_view rest = in.substr(pos);
    const auto rec = smtpeer::tls::wire::parse_record(rest);
    if (rec.state == ParseState::kOk) {
      check(rec.consumed <= rest.size());
      check(rec.consumed == 5 + rec.record.payload.size());
      check(rec.record.payload.data() == rest.data() + 5);
      check(rec.record.type >= 20 && rec.record.type <= 24);
      check(rec.record.version >> 8 == 3);
      check(rec.error.empty());
      // A record is complete at its last byte and not before.
      for (std::size_t k : {std::size_t{0}, std::size_t{1}, std::size_t{4}, rec.consumed - 1}) {
        if (k >= rec.consumed) continue;
        check(smtpeer::tls::wire::parse_record(rest.substr(0, k)).state == ParseState::kNeedMore);
      }
      pos += rec.consumed;
      continue;
    }
    check(rec.consumed == 0);
    if (rec.state == ParseState::kError) {
      check(!rec.error.empty());
      // The error is decided by a prefix of at most the header; any prefix is
      // either undecided or the same verdict.
      for (std::size_t k = 1; k <= 5 && k <= rest.size(); ++k) {
        const auto p = smtpeer::tls::wire::parse_record(rest.substr(0, k));
        check(p.state == ParseState::kNeedMore ||
              (p.state == ParseState::kError && p.error == rec.error));
      }
    } else {
      check(rec.error.empty());
    }
    break;
  }
  check(pos <= in.size());
}

void check_client_reads(std::string_view in) {
  using smtpeer::tls::wire::ClientAnswer;
  using smtpeer::tls::wire::HelloRead;
  HelloRead h = smtpeer::tls::wire::read_client_hello(in);
  check(h.consumed <= in.size());
  if (h.state == HelloRead::State::kHello) {
    HelloRead again = smtpeer::tls::wire::read_client_hello(in.substr(0, h.consumed));
    check(again.state == HelloRead::State::kHello && again.consumed == h.consumed);
    check(again.hello.suites == h.hello.suites);
    check(!smtpeer::tls::wire::describe_hello(h.hello).empty());
  }
  ClientAnswer a = smtpeer::tls::wire::read_client_answer(in);
  check(a.consumed <= in.size());
  check(a.kind != ClientAnswer::Kind::kNeedMore || a.consumed == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  // Read sizes from the input itself: deterministic, and the fuzzer can steer them.
  std::vector<std::size_t> chunks;
  for (std::size_t i = 0; i < in.size() && chunks.size() < 16; i += 7) {
    chunks.push_back(static_cast<unsigned char>(in[i]) % 23 + 1);
  }

  run_flights(in, ServerFlight::Limits{}, chunks);
  // Tight limits, so small inputs reach "flight larger than" and "too large".
  ServerFlight::Limits tight;
  tight.max_bytes = in.size() / 2 + 1;
  tight.max_message = size > 0 ? data[size - 1] : 0;
  run_flights(in, tight, chunks);

  check_records(in);
  check_client_reads(in);
  return 0;
}
