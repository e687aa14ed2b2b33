#include "tls/wire/raw_flight.h"

#include <fmt/format.h>

#include <algorithm>

#include "tls/wire/registry.h"
#include "tls/wire/server_flight.h"
#include "tls/wire/server_hello.h"

namespace smtpeer::tls::wire {
namespace {

// kMaxHello: a ClientHello longer than this is not one smtpeer waits for
// (real ones are under 2 KiB; RFC 8446 allows 2^24 but no client sends that).
constexpr std::size_t kMaxHello = 64 * 1024;

constexpr std::uint8_t kFatal = 2;
constexpr std::uint8_t kHandshakeFailure = 40;
constexpr std::uint16_t kRsaAes128Sha = 0x002F;  // TLS_RSA_WITH_AES_128_CBC_SHA
constexpr std::uint16_t kRsaExportRc4 = 0x0003;  // TLS_RSA_EXPORT_WITH_RC4_40_MD5

struct FlightName {
  std::string_view name;
  RawFlight kind;
};
constexpr FlightName kFlights[] = {{"export", RawFlight::kExport},
                                   {"freak", RawFlight::kFreak},
                                   {"tls1.0", RawFlight::kTls10},
                                   {"sslv3", RawFlight::kSsl3},
                                   {"alert", RawFlight::kAlert}};

bool offered(const ClientHelloInfo& h, std::uint16_t id) {
  return std::find(h.suites.begin(), h.suites.end(), id) != h.suites.end();
}

// pick_suite: the first suite of the client's offer that `fits`, else `fallback`.
template <typename Pred>
std::uint16_t pick_suite(const ClientHelloInfo& h, Pred fits, std::uint16_t fallback) {
  for (std::uint16_t id : h.suites) {
    const CipherSuite* s = find_suite(id);
    if (s != nullptr && s->kx != Kx::kScsv && fits(*s)) return id;
  }
  return fallback;
}

std::string suite_label(const ClientHelloInfo& h, std::uint16_t id) {
  const CipherSuite* s = find_suite(id);
  std::string name = s != nullptr ? std::string(s->name) : fmt::format("0x{:04x}", id);
  return name + (offered(h, id) ? " (offered)" : " (not offered)");
}

// export_rsa_key: a 512-bit "temporary RSA key" as an export server sends it.
// The client must refuse it before using it, so its value does not matter;
// it is shaped like one (top bit set, odd) so only the defect is tested.
std::string export_rsa_modulus(const std::array<std::uint8_t, 32>& random) {
  std::string m(64, '\0');
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = static_cast<char>(random[i % 32] ^ (i * 37));
  m.front() = static_cast<char>(static_cast<unsigned char>(m.front()) | 0x80);
  m.back() = static_cast<char>(static_cast<unsigned char>(m.back()) | 0x01);
  return m;
}

}  // namespace

std::optional<RawFlight> parse_raw_flight(std::string_view name) {
  for (const FlightName& f : kFlights)
    if (f.name == name) return f.kind;
  return std::nullopt;
}

HelloRead read_client_hello(std::string_view in) {
  HelloRead out;
  if (in.empty()) return out;
  // An SSLv2-compatible hello: 2-byte header with the high bit set, then msg_type 1.
  if ((static_cast<unsigned char>(in[0]) & 0x80) != 0) {
    if (in.size() < 3) return out;
    std::size_t len =
        (static_cast<std::size_t>(in[0] & 0x7f) << 8) | static_cast<unsigned char>(in[1]);
    if (in[2] != 1) {
      out.state = HelloRead::State::kNotTls;
      out.error = "a 2-byte record header that does not start an SSLv2 CLIENT-HELLO";
      return out;
    }
    if (in.size() < 2 + len) return out;
    auto h = parse_sslv2_client_hello(in.substr(2, len));
    if (!h) {
      out.state = HelloRead::State::kNotTls;
      out.error = "a malformed SSLv2 CLIENT-HELLO: " + h.error().message;
      return out;
    }
    out.state = HelloRead::State::kHello;
    out.hello = std::move(*h);
    out.consumed = 2 + len;
    return out;
  }
  std::string handshake;  // the handshake bytes of consecutive records
  std::size_t at = 0;
  for (;;) {
    if (handshake.size() >= 4) {
      std::size_t len = (static_cast<std::size_t>(static_cast<unsigned char>(handshake[1])) << 16) |
                        (static_cast<std::size_t>(static_cast<unsigned char>(handshake[2])) << 8) |
                        static_cast<unsigned char>(handshake[3]);
      if (handshake[0] != static_cast<char>(HandshakeType::kClientHello)) {
        out.state = HelloRead::State::kNotTls;
        out.error = fmt::format("the first handshake message is type {}, not client_hello",
                                static_cast<int>(static_cast<unsigned char>(handshake[0])));
        return out;
      }
      if (len > kMaxHello) {
        out.state = HelloRead::State::kNotTls;
        out.error =
            fmt::format("a ClientHello of {} bytes (smtpeer reads up to {})", len, kMaxHello);
        return out;
      }
      if (handshake.size() >= 4 + len) {
        auto h = parse_client_hello(std::string_view(handshake).substr(4, len));
        if (!h) {
          out.state = HelloRead::State::kNotTls;
          out.error = "a malformed ClientHello: " + h.error().message;
          return out;
        }
        out.state = HelloRead::State::kHello;
        out.hello = std::move(*h);
        out.consumed = at;
        return out;
      }
    }
    RecordParse r = parse_record(in.substr(at));
    if (r.state == ParseState::kNeedMore) return out;
    if (r.state == ParseState::kError) {
      out.state = HelloRead::State::kNotTls;
      out.error = r.error;
      return out;
    }
    if (r.record.type != static_cast<std::uint8_t>(ContentType::kHandshake)) {
      out.state = HelloRead::State::kNotTls;
      out.error = fmt::format("a record of content type {} before the ClientHello",
                              static_cast<int>(r.record.type));
      return out;
    }
    handshake.append(r.record.payload);
    at += r.consumed;
  }
}

std::string describe_hello(const ClientHelloInfo& h) {
  std::size_t exports = std::count_if(h.suites.begin(), h.suites.end(), [](std::uint16_t id) {
    const CipherSuite* s = find_suite(id);
    return s != nullptr && s->export_grade;
  });
  std::size_t real = std::count_if(h.suites.begin(), h.suites.end(), [](std::uint16_t id) {
    const CipherSuite* s = find_suite(id);
    return s == nullptr || s->kx != Kx::kScsv;
  });
  return fmt::format("ClientHello{}: up to {}, {} suites ({}), SNI {}, {}",
                     h.sslv2 ? " (SSLv2 format)" : "", version_name(h.highest_version()), real,
                     exports == 0 ? std::string("no export") : fmt::format("{} export", exports),
                     h.sni ? *h.sni : std::string("none"),
                     h.fallback_scsv ? "TLS_FALLBACK_SCSV" : "no TLS_FALLBACK_SCSV");
}

FlightPlan build_raw_flight(RawFlight kind, const ClientHelloInfo& hello, std::string_view cert_der,
                            const std::array<std::uint8_t, 32>& random) {
  FlightPlan plan;
  if (kind == RawFlight::kAlert) {
    plan.bytes = wrap_records(static_cast<std::uint8_t>(ContentType::kAlert), kTls12,
                              build_alert(kFatal, kHandshakeFailure));
    plan.description = "a fatal handshake_failure alert instead of a ServerHello";
    return plan;
  }
  ServerHelloSpec sh;
  sh.random = random;
  sh.version =
      std::min<std::uint16_t>(std::max<std::uint16_t>(hello.highest_version(), kTls10), kTls12);
  sh.renegotiation_info = hello.renegotiation_info;
  auto rsa_kx = [](const CipherSuite& s) {
    return s.kx == Kx::kRsa && !s.export_grade && s.min_version <= kTls10;
  };
  std::string key_exchange;
  switch (kind) {
    case RawFlight::kExport:
      sh.suite = pick_suite(
          hello, [](const CipherSuite& s) { return s.export_grade; }, kRsaExportRc4);
      // Export RSA suites carry the temporary 512-bit key in a ServerKeyExchange.
      key_exchange = build_server_key_exchange_rsa_export(
          export_rsa_modulus(random), std::string("\x01\x00\x01", 3), std::string(64, '\x5a'),
          sh.version >= kTls12 ? 0x0401 : 0);
      break;
    case RawFlight::kFreak:
      sh.suite = pick_suite(hello, rsa_kx, kRsaAes128Sha);
      key_exchange = build_server_key_exchange_rsa_export(
          export_rsa_modulus(random), std::string("\x01\x00\x01", 3), std::string(64, '\x5a'),
          sh.version >= kTls12 ? 0x0401 : 0);
      break;
    case RawFlight::kTls10:
      sh.version = kTls10;
      sh.suite = pick_suite(hello, rsa_kx, kRsaAes128Sha);
      break;
    case RawFlight::kSsl3:
      sh.version = kSsl3;
      sh.suite = pick_suite(hello, rsa_kx, kRsaAes128Sha);
      sh.renegotiation_info = false;
      sh.omit_extensions = true;  // SSLv3 has no extensions block
      break;
    case RawFlight::kAlert: break;
  }
  std::string messages = build_server_hello(sh);
  messages += build_certificate({std::string(cert_der)});
  messages += key_exchange;
  messages += build_server_hello_done();
  plan.bytes = wrap_records(static_cast<std::uint8_t>(ContentType::kHandshake),
                            record_version_for(sh), messages);
  plan.description =
      fmt::format("ServerHello {}, {}{}", version_name(sh.version), suite_label(hello, sh.suite),
                  key_exchange.empty() ? "" : ", then a 512-bit export RSA ServerKeyExchange");
  return plan;
}

ClientAnswer read_client_answer(std::string_view in) {
  ClientAnswer a;
  std::size_t at = 0;
  while (at < in.size()) {
    RecordParse r = parse_record(in.substr(at));
    if (r.state == ParseState::kNeedMore) return a;
    if (r.state == ParseState::kError) {
      a.kind = ClientAnswer::Kind::kPlaintext;
      a.consumed = at;
      a.what = "bytes that are not TLS";
      return a;
    }
    at += r.consumed;
    const Record& rec = r.record;
    switch (static_cast<ContentType>(rec.type)) {
      case ContentType::kAlert: {
        auto alert = parse_alert(rec.payload);
        if (!alert) break;  // a malformed alert decides nothing; read on
        if (alert->level != kFatal && alert->description != 0) break;  // a warning
        a.kind = ClientAnswer::Kind::kAlert;
        a.alert_level = alert->level;
        a.alert = alert->description;
        std::string_view name = alert_name(alert->description);
        a.what = fmt::format("{} alert {} ({})", alert->level == kFatal ? "fatal" : "warning",
                             name.empty() ? "unknown" : name, alert->description);
        a.consumed = at;
        return a;
      }
      case ContentType::kHandshake: {
        if (rec.payload.empty()) break;
        static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
            {1, "a second client_hello"},
            {11, "certificate"},
            {15, "certificate_verify"},
            {16, "client_key_exchange"},
            {20, "finished"}};
        auto type = static_cast<std::uint8_t>(rec.payload[0]);
        a.what = fmt::format("handshake message type {}", static_cast<int>(type));
        for (const auto& [t, n] : kNames)
          if (t == type) a.what = std::string(n);
        a.kind = ClientAnswer::Kind::kWentOn;
        a.consumed = at;
        return a;
      }
      case ContentType::kChangeCipherSpec:
        a.kind = ClientAnswer::Kind::kWentOn;
        a.what = "change_cipher_spec";
        a.consumed = at;
        return a;
      case ContentType::kApplicationData:
        a.kind = ClientAnswer::Kind::kWentOn;
        a.what = "application data";
        a.consumed = at;
        return a;
      case ContentType::kHeartbeat: break;
    }
  }
  return a;
}

}  // namespace smtpeer::tls::wire
