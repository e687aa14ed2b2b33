// fuzz_server_hello: the message parsers of a server's first flight, one per input.
//
// Input: byte 0 picks the parser ('0' ServerHello, '1' Certificate in the
// TLS <= 1.2 layout, '2' Certificate in the TLS 1.3 layout, '3'
// ServerKeyExchange, '4' SSLv2 SERVER-HELLO record, '5' alert; any byte works,
// taken modulo 6); byte 1 picks the cipher suite the ServerKeyExchange is read
// for, from kSuites (ignored by the other parsers); the rest is the message
// body. Checked: no crash, and every result agrees with the bytes it came
// from: the negotiated version is legacy_version unless supported_versions
// was sent, the flags match the extension list, there are no duplicate
// extensions, certificates and key sizes fit in the input, and a key
// exchange reports only what the suite's key exchange can carry.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tls/wire/registry.h"
#include "tls/wire/server_flight.h"

namespace {

namespace w = smtpeer::tls::wire;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Suites covering every ServerKeyExchange layout, and some without one.
constexpr std::array<std::uint16_t, 12> kSuites = {
    0xC02F,  // ECDHE_RSA_WITH_AES_128_GCM_SHA256
    0x0033,  // DHE_RSA_WITH_AES_128_CBC_SHA
    0x0034,  // DH_anon_WITH_AES_128_CBC_SHA
    0x0003,  // RSA_EXPORT_WITH_RC4_40_MD5
    0x0064,  // RSA_EXPORT1024_WITH_RC4_56_SHA
    0x0090,  // DHE_PSK_WITH_AES_128_CBC_SHA
    0xC035,  // ECDHE_PSK_WITH_AES_128_CBC_SHA
    0xC02B,  // ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
    0x008C,  // PSK_WITH_AES_128_CBC_SHA
    0x002F,  // RSA_WITH_AES_128_CBC_SHA
    0x1301,  // TLS_AES_128_GCM_SHA256
    0xFFFF,  // not a suite
};

bool has(const w::ServerHello& h, std::uint16_t ext) {
  return std::find(h.extensions.begin(), h.extensions.end(), ext) != h.extensions.end();
}

void server_hello(std::string_view body) {
  const auto r = w::parse_server_hello(body);
  if (!r) {
    check(!r.error().message.empty());
    return;
  }
  const w::ServerHello& h = *r;
  check(h.random.size() == 32 && h.session_id.size() <= 32);
  // version, random, session_id, suite, compression, then 4 bytes per extension.
  check(2 + 32 + 1 + h.session_id.size() + 2 + 1 + 4 * h.extensions.size() <= body.size());
  check(h.random == body.substr(2, 32));
  if (!has(h, w::kExtSupportedVersions)) check(h.version == h.legacy_version);
  check(h.renegotiation_info == has(h, w::kExtRenegotiationInfo));
  check(h.heartbeat == has(h, w::kExtHeartbeat));
  check(h.extended_master_secret == has(h, w::kExtExtendedMasterSecret));
  check(h.key_share_group.has_value() == has(h, w::kExtKeyShare));
  auto sorted = h.extensions;
  std::sort(sorted.begin(), sorted.end());
  check(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  check(h.downgrade_sentinel ==
        (h.random.substr(24, 7) == "DOWNGRD" && (h.random[31] == 0 || h.random[31] == 1)));
  if (h.hello_retry_request) check(static_cast<std::uint8_t>(h.random[0]) == 0xCF);
}

void certificate(std::string_view body, bool tls13) {
  const auto r = w::parse_certificate(body, tls13);
  if (!r) {
    check(!r.error().message.empty());
    return;
  }
  // List length, then per certificate its length (and TLS 1.3 extensions).
  std::size_t total = 3 + (tls13 ? 1 : 0);
  for (const auto& c : *r) {
    check(!c.empty());
    total += c.size() + 3 + (tls13 ? 2 : 0);
  }
  check(total <= body.size());
  if (!tls13) check(total == body.size());
}

void key_exchange(std::string_view body, std::uint16_t suite) {
  const auto r = w::parse_server_key_exchange(body, suite);
  if (!r) {
    check(!r.error().message.empty());
    return;
  }
  const w::KeyExchange& kx = *r;
  check(kx.dh_bits >= 0 && static_cast<std::size_t>(kx.dh_bits) <= body.size() * 8);
  check(kx.rsa_export_bits >= 0 && static_cast<std::size_t>(kx.rsa_export_bits) <= body.size() * 8);
  check(!(kx.group && kx.explicit_curve));
  const w::CipherSuite* s = w::find_suite(suite);
  const w::Kx k = s ? s->kx : w::Kx::kNull;
  const bool dh = k == w::Kx::kDhe || k == w::Kx::kDhePsk;
  const bool ec = k == w::Kx::kEcdhe || k == w::Kx::kEcdhePsk;
  if (!dh) check(kx.dh_bits == 0);
  if (!ec) check(!kx.group && !kx.explicit_curve);
  if (k != w::Kx::kRsaExport) check(kx.rsa_export_bits == 0);
  // A parsed ECDHE key exchange names its curve one way or the other.
  if (ec) check(kx.group.has_value() || kx.explicit_curve);
}

void sslv2(std::string_view record) {
  const auto r = w::parse_sslv2_server_hello(record);
  if (!r) {
    check(!r.error().message.empty());
    return;
  }
  // Header, 11 bytes of fixed fields, certificate, 3 bytes per cipher.
  check(2 + 11 + r->certificate.size() + 3 * r->ciphers.size() <= record.size());
  for (const std::uint32_t c : r->ciphers) check(c <= 0xFFFFFF);
}

void alert(std::string_view payload) {
  const auto r = w::parse_alert(payload);
  check(r.ok() == (payload.size() == 2));
  if (r) {
    check(r->level == static_cast<std::uint8_t>(payload[0]));
    check(r->description == static_cast<std::uint8_t>(payload[1]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint16_t suite = kSuites[data[1] % kSuites.size()];
  const std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  switch (data[0] % 6) {
    case 0: server_hello(body); break;
    case 1: certificate(body, false); break;
    case 2: certificate(body, true); break;
    case 3: key_exchange(body, suite); break;
    case 4: sslv2(body); break;
    case 5: alert(body); break;
  }
  return 0;
}
