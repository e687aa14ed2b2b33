// fuzz_client_hello: parse_client_hello and parse_sslv2_client_hello over
// arbitrary bytes, with a build→parse round trip on whatever parses.
//
// Input: a ClientHello handshake body (RFC 5246 §7.4.1.2, without the record
// header and the 4-byte handshake header), fed to parse_client_hello. An
// input whose first byte is 0x01 is instead an SSLv2 CLIENT-HELLO message
// (starting at its msg_type byte, which is 0x01; RFC 5246 E.2) fed to
// parse_sslv2_client_hello. A real TLS body starts with its legacy_version
// (0x03 ..), so both kinds of corpus file are the plain wire bytes.
//
// Properties: neither parser crashes on any input; a failure is kProtocol
// with an offset inside the input. When a TLS body parses, the ClientHelloSpec
// rebuilt from what the parser reported goes through build_client_hello and
// parses again to the same version, random, session_id, suites, compression,
// SNI, groups, signature algorithms, key-share groups, supported_versions and
// flags. When an SSLv2 message parses, its rebuild has a consistent 2-byte
// header and parses again to the same version, cipher kinds and challenge.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tls/wire/client_hello.h"
#include "tls/wire/registry.h"

namespace {

using smtpeer::ErrorCode;
using smtpeer::tls::wire::ClientHelloInfo;
using smtpeer::tls::wire::ClientHelloSpec;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool has_extension(const ClientHelloInfo& info, std::uint16_t type) {
  for (const std::uint16_t t : info.extensions) {
    if (t == type) return true;
  }
  return false;
}

// message_of: the records build_client_hello wrote, payloads concatenated,
// with the framing checked on the way.
std::string message_of(std::string_view wire, std::size_t max_record) {
  std::string message;
  while (!wire.empty()) {
    check(wire.size() >= 5 && wire[0] == 22);
    const std::size_t n = static_cast<std::size_t>(static_cast<std::uint8_t>(wire[3]) << 8 |
                                                   static_cast<std::uint8_t>(wire[4]));
    check(n >= 1 && n <= max_record && wire.size() >= 5 + n);
    message.append(wire.substr(5, n));
    wire.remove_prefix(5 + n);
  }
  return message;
}

void check_error(const smtpeer::Error& e) {
  check(e.code == ErrorCode::kProtocol);
  check(e.message.find(" at offset ") != std::string::npos);
}

void round_trip_tls(const ClientHelloInfo& info, std::size_t max_record) {
  ClientHelloSpec spec;
  spec.version = info.legacy_version;
  spec.supported_versions = info.supported_versions;
  spec.suites = info.suites;  // SCSVs included, so the flags stay off
  spec.fallback_scsv = false;
  spec.renegotiation_scsv = false;
  spec.compression = info.compression;
  check(info.random.size() == spec.random.size());
  for (std::size_t i = 0; i < spec.random.size(); ++i) {
    spec.random[i] = static_cast<std::uint8_t>(info.random[i]);
  }
  spec.session_id = info.session_id;
  spec.sni = info.sni;
  spec.groups = info.groups;
  spec.signature_algorithms = info.signature_algorithms;
  // The parser keeps the groups, not the keys; any non-empty key will do.
  for (const std::uint16_t g : info.key_share_groups) spec.key_shares.push_back({g, "k"});
  // Only the extensions the original carried, so the rebuild is no larger.
  spec.ec_point_formats = has_extension(info, smtpeer::tls::wire::kExtEcPointFormats);
  spec.psk_modes = has_extension(info, smtpeer::tls::wire::kExtPskKeyExchangeModes);
  spec.renegotiation_info = has_extension(info, smtpeer::tls::wire::kExtRenegotiationInfo);
  spec.heartbeat = info.heartbeat;
  spec.extended_master_secret = has_extension(info, smtpeer::tls::wire::kExtExtendedMasterSecret);
  spec.session_ticket = has_extension(info, smtpeer::tls::wire::kExtSessionTicket);
  spec.force_extensions = !info.extensions.empty();
  spec.max_record = max_record;

  const std::string message = message_of(smtpeer::tls::wire::build_client_hello(spec), max_record);
  check(message.size() >= 4 && message[0] == 1);
  const auto again = smtpeer::tls::wire::parse_client_hello(std::string_view(message).substr(4));
  check(again.ok());
  const ClientHelloInfo& b = *again;
  // legacy_version is min(version, TLS 1.2); a TLS 1.3 one adds supported_versions.
  if (info.legacy_version <= smtpeer::tls::wire::kTls12) {
    check(b.legacy_version == info.legacy_version);
  }
  if (!info.supported_versions.empty() || info.legacy_version != smtpeer::tls::wire::kTls13) {
    check(b.supported_versions == info.supported_versions);
    check(b.highest_version() == info.highest_version() ||
          info.legacy_version > smtpeer::tls::wire::kTls12);
  }
  check(b.random == info.random && b.session_id == info.session_id);
  check(b.suites == info.suites && b.compression == info.compression);
  check(b.sni == info.sni);
  check(b.groups == info.groups && b.signature_algorithms == info.signature_algorithms);
  check(b.key_share_groups == info.key_share_groups);
  check(b.fallback_scsv == info.fallback_scsv);
  check(b.renegotiation_info == info.renegotiation_info);
  check(b.heartbeat == info.heartbeat);
}

void fuzz_tls(std::string_view body) {
  const auto parsed = smtpeer::tls::wire::parse_client_hello(body);
  if (!parsed.ok()) {
    check_error(parsed.error());
    return;
  }
  const ClientHelloInfo& info = *parsed;
  check(!info.sslv2 && info.random.size() == 32 && info.session_id.size() <= 32);
  check(!info.suites.empty() && !info.compression.empty());
  check(info.suites.size() * 2 + info.compression.size() + 4 * info.extensions.size() <=
        body.size());
  // The extensions block has a 16-bit length; a rebuild larger than the
  // original could overflow it near that size, which is not a parser bug.
  if (body.size() > 60000) return;
  // Split the rebuild over small records when the input says so, to cover
  // the record splitting with the same check.
  const std::size_t max_record = body.size() % 7 == 0 ? 1 + body.size() % 61 : 16384;
  round_trip_tls(info, max_record);
}

void fuzz_sslv2(std::string_view message) {
  const auto parsed = smtpeer::tls::wire::parse_sslv2_client_hello(message);
  if (!parsed.ok()) {
    check_error(parsed.error());
    return;
  }
  const ClientHelloInfo& info = *parsed;
  check(info.sslv2 && !info.sslv2_ciphers.empty());
  check(info.random.size() >= 16 && info.random.size() <= 32);
  for (const std::uint32_t kind : info.sslv2_ciphers) check(kind <= 0xffffff);
  if (message.size() > 0x7fff) return;  // the 2-byte header holds 15 bits

  const std::string wire = smtpeer::tls::wire::build_sslv2_client_hello(
      info.sslv2_ciphers, info.random, info.legacy_version);
  check(wire.size() >= 2 && (static_cast<std::uint8_t>(wire[0]) & 0x80) != 0);
  const std::size_t n = static_cast<std::size_t>(static_cast<std::uint8_t>(wire[0]) & 0x7f) << 8 |
                        static_cast<std::uint8_t>(wire[1]);
  check(n == wire.size() - 2);
  const auto again = smtpeer::tls::wire::parse_sslv2_client_hello(std::string_view(wire).substr(2));
  check(again.ok());
  check(again->legacy_version == info.legacy_version);
  check(again->sslv2_ciphers == info.sslv2_ciphers && again->suites == info.suites);
  check(again->random == info.random);
  check(again->fallback_scsv == info.fallback_scsv &&
        again->renegotiation_info == info.renegotiation_info);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  if (!in.empty() && in[0] == 0x01) {
    fuzz_sslv2(in);
  } else {
    fuzz_tls(in);
  }
  return 0;
}
