// build_server_hello and friends: the server's first flight as bytes, for a
// fake server that must send what OpenSSL 3 refuses to (a ServerHello picking
// a 40-bit export suite, a TLS 1.0-only or SSLv3 ServerHello, an SSLv2
// SERVER-HELLO, export RSA and small DHE ServerKeyExchanges). The client is
// expected to abort, so nothing here is cryptographically valid: keys and
// signatures are whatever bytes the caller passes. Pure: randomness comes
// from the caller, so every message is a deterministic function of its input.
//
// Handshake builders return one handshake message (4-byte header included)
// without the record layer; wrap_records adds it. Lengths that overflow their
// prefix are truncated to it, as Writer::close does: hostile sizes are the
// caller's to choose.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tls/wire/client_hello.h"
#include "tls/wire/registry.h"

namespace smtpeer::tls::wire {

// kHelloRetryRequestRandom: RFC 8446 §4.1.3, SHA-256("HelloRetryRequest"); a
// ServerHello with this random is a HelloRetryRequest.
inline constexpr std::array<std::uint8_t, 32> kHelloRetryRequestRandom = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// ServerHelloSpec: everything a ServerHello says. Defaults make a TLS 1.2
// ServerHello with no extensions. Extensions are written in field order:
// renegotiation_info, extended_master_secret, supported_versions, key_share,
// then extra_extensions.
struct ServerHelloSpec {
  // version: the negotiated version. kTls13 writes legacy_version 0x0303 and
  // supported_versions 0x0304 (RFC 8446 §4.1.3) unless selected_version is set.
  std::uint16_t version = kTls12;
  // record_version: for the records that carry the flight; 0 = automatic
  // (see record_version_for). build_server_hello itself has no record layer.
  std::uint16_t record_version = 0;
  std::array<std::uint8_t, 32> random{};  // server random; ignored for a HelloRetryRequest
  std::string session_id;                 // sent as given (0..32 legal; longer is hostile)
  std::uint16_t suite = 0xC02F;           // cipher suite picked, any value
  std::uint8_t compression = 0;           // 0 null, 1 DEFLATE (RFC 3749)
  bool renegotiation_info = false;        // empty renegotiation_info (RFC 5746 §3.6)
  bool extended_master_secret = false;    // empty extended_master_secret (RFC 7627)
  // selected_version: supported_versions with this version (RFC 8446 §4.2.1),
  // sent whatever `version` is; nullopt = automatic (only for kTls13).
  std::optional<std::uint16_t> selected_version;
  // key_share: one KeyShareEntry (RFC 8446 §4.2.8); for a HelloRetryRequest
  // only its group is written (the selected_group form).
  std::optional<KeyShareEntry> key_share;
  bool hello_retry_request = false;  // random = kHelloRetryRequestRandom (RFC 8446 §4.1.3)
  std::vector<std::pair<std::uint16_t, std::string>> extra_extensions;  // (type, data), as given
  // omit_extensions: no extensions block even if some are set (the SSLv3
  // layout). Without it the block is written iff it holds an extension.
  bool omit_extensions = false;
};

// record_version_for: spec.record_version, or when 0 the version a server
// puts on its records: SSLv3 0x0300, TLS 1.0..1.2 that version, and 0x0303
// for TLS 1.3 (RFC 8446 §5.1: legacy_record_version of a ServerHello).
std::uint16_t record_version_for(const ServerHelloSpec& spec);

// build_handshake: a handshake message of `type` around `body` (RFC 5246 §7.4).
std::string build_handshake(std::uint8_t type, std::string_view body);

// build_server_hello: the ServerHello handshake message (type 2).
std::string build_server_hello(const ServerHelloSpec& spec);

// build_certificate: a Certificate message (type 11), leaf first. `tls13`
// selects the RFC 8446 §4.4.2 layout: an empty certificate_request_context
// and empty extensions per entry.
std::string build_certificate(const std::vector<std::string>& der_chain, bool tls13 = false);

// build_server_key_exchange_*: a ServerKeyExchange message (type 12). The
// params are followed by the signed part: with `sigalg` != 0 the TLS 1.2
// layout (SignatureAndHashAlgorithm, then signature<0..2^16-1>, RFC 5246
// §7.4.3); with sigalg 0 the TLS <= 1.1 layout (signature<0..2^16-1>); with
// sigalg 0 and an empty signature no signed part at all (anonymous suites).
//
// _dhe: ServerDHParams {dh_p, dh_g, dh_Ys} (RFC 5246 §7.4.3).
std::string build_server_key_exchange_dhe(std::string_view p, std::string_view g,
                                          std::string_view ys, std::string_view signature,
                                          std::uint16_t sigalg);
// _ecdhe: ServerECDHParams with a named_curve (RFC 8422 §5.4).
std::string build_server_key_exchange_ecdhe(std::uint16_t group, std::string_view point,
                                            std::string_view signature, std::uint16_t sigalg);
// _rsa_export: ServerRSAParams {rsa_modulus, rsa_exponent} (RFC 2246 §7.4.3),
// the temporary RSA key of an RSA_EXPORT suite.
std::string build_server_key_exchange_rsa_export(std::string_view modulus,
                                                 std::string_view exponent,
                                                 std::string_view signature,
                                                 std::uint16_t sigalg = 0);

// build_server_hello_done: ServerHelloDone (type 14, empty body, RFC 5246 §7.4.5).
std::string build_server_hello_done();

// build_alert: an alert record payload (level 1 warning / 2 fatal, RFC 5246 §7.2).
std::string build_alert(std::uint8_t level, std::uint8_t description);

// wrap_records: `payload` cut into records of `content_type` and `version`
// with at most `max_fragment` bytes each (clamped to 1..65535; RFC 5246
// §6.2.1 allows up to 16384). An empty payload gives one empty record.
std::string wrap_records(std::uint8_t content_type, std::uint16_t version, std::string_view payload,
                         std::size_t max_fragment = 16384);

// build_sslv2_server_hello: a whole SSLv2 SERVER-HELLO record with a 2-byte
// header (SSL 2.0 draft: SESSION-ID-HIT 0, CERTIFICATE-TYPE X.509, version
// 0x0002). `ciphers` are 3-byte CIPHER-KINDs. A message over 32767 bytes does
// not fit the header and has its length truncated.
std::string build_sslv2_server_hello(std::string_view cert_der,
                                     const std::vector<std::uint32_t>& ciphers,
                                     std::string_view connection_id);

}  // namespace smtpeer::tls::wire
