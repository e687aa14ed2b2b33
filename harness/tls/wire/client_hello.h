// build_client_hello / parse_client_hello: ClientHellos of any version, with
// any suite list and extension set, including what OpenSSL 3 refuses to send
// (SSLv3 and SSLv2-compatible hellos, export, NULL, anonymous, RC4 and 3DES
// offers, TLS_FALLBACK_SCSV, heartbeat). Pure: randomness and key shares come
// from the caller, so a hello is a deterministic function of its spec.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace smtpeer::tls::wire {

struct KeyShareEntry {
  std::uint16_t group = 0;
  std::string key_exchange;  // public value (x25519: 32 bytes; secp256r1: 65 bytes uncompressed)
};

// ClientHelloSpec: everything a hello says. Defaults make a plain TLS 1.2 hello.
struct ClientHelloSpec {
  // Highest version offered. For kTls13 the legacy_version is 0x0303 and the
  // supported_versions extension carries the list (RFC 8446 §4.1.2, §4.2.1).
  std::uint16_t version = 0x0303;
  // Record-layer version; 0 = automatic (0x0301 from TLS 1.0 on, 0x0300 for SSLv3).
  std::uint16_t record_version = 0;
  // supported_versions list; empty = automatic: {0x0304} when version is
  // kTls13, none otherwise. Non-empty: sent as given, whatever `version` is.
  std::vector<std::uint16_t> supported_versions;
  std::vector<std::uint16_t> suites;            // in preference order, as sent
  bool fallback_scsv = false;                   // append TLS_FALLBACK_SCSV (RFC 7507)
  bool renegotiation_scsv = false;              // append TLS_EMPTY_RENEGOTIATION_INFO_SCSV
  std::vector<std::uint8_t> compression = {0};  // 1 = DEFLATE (RFC 3749)
  std::array<std::uint8_t, 32> random{};
  std::string session_id;  // 0..32 bytes
  // Extensions. None are sent for SSLv3 hellos unless `force_extensions`.
  std::optional<std::string> sni;  // host name bytes, sent as given (may hold NUL, any length ≤
                                   // 65535); nullopt = no extension
  std::vector<std::uint16_t> groups;                // supported_groups; empty = no extension
  bool ec_point_formats = true;                     // sent when `groups` has an EC group
  std::vector<std::uint16_t> signature_algorithms;  // empty = no extension
  std::vector<KeyShareEntry> key_shares;            // sent when non-empty
  // empty_key_share: send key_share with no entries when `key_shares` is
  // empty. RFC 8446 §4.2.8 allows it: the server answers with a
  // HelloRetryRequest naming the group it wants, which is how a prober
  // learns groups it has no key for.
  bool empty_key_share = false;
  bool psk_modes = true;           // psk_key_exchange_modes {psk_dhe_ke} with supported_versions
  bool renegotiation_info = true;  // empty renegotiation_info extension (RFC 5746)
  bool heartbeat = false;          // heartbeat, peer_allowed_to_send (RFC 6520)
  bool extended_master_secret = false;
  bool session_ticket = false;
  bool force_extensions = false;
  // Split the handshake message over records of at most this many bytes
  // (a hello larger than one record is legal and some stacks mishandle it).
  std::size_t max_record = 16384;
};

// build_client_hello: one or more TLS records holding the ClientHello, ready to write.
std::string build_client_hello(const ClientHelloSpec& spec);

// build_sslv2_client_hello: an SSLv2 CLIENT-HELLO record (2-byte header).
// `ciphers` are 3-byte kinds; TLS suites are written as 0x00XXXX, which is how
// an SSLv2-compatible hello offers SSLv3/TLS suites. `version` is what the
// hello claims: 0x0002 for SSLv2 itself, 0x0301 for a compatible TLS 1.0 hello.
std::string build_sslv2_client_hello(const std::vector<std::uint32_t>& ciphers,
                                     std::string_view challenge,  // 16..32 bytes
                                     std::uint16_t version = 0x0002);

// ClientHelloInfo: what a ClientHello said (for the server role and the fuzzer).
struct ClientHelloInfo {
  bool sslv2 = false;  // came as an SSLv2 CLIENT-HELLO
  std::uint16_t legacy_version = 0;
  std::string random;
  std::string session_id;
  std::vector<std::uint16_t> suites;         // TLS suites (for SSLv2: kinds with a 0x00 high byte)
  std::vector<std::uint32_t> sslv2_ciphers;  // SSLv2 kinds (sslv2 only)
  std::vector<std::uint8_t> compression;
  std::vector<std::uint16_t> extensions;  // types, in order
  std::optional<std::string> sni;         // first host_name entry
  std::vector<std::uint16_t> supported_versions;
  std::vector<std::uint16_t> groups;
  std::vector<std::uint16_t> signature_algorithms;
  std::vector<std::uint16_t> key_share_groups;
  bool fallback_scsv = false;
  bool renegotiation_info = false;  // extension or SCSV
  bool heartbeat = false;
  // highest_version: the best version offered (supported_versions if present,
  // else legacy_version).
  std::uint16_t highest_version() const;
};

// parse_client_hello: the body of a handshake message of type client_hello
// (1), without the 4-byte handshake header. Strict: trailing bytes, bad
// vector lengths and duplicate extensions are errors (kProtocol).
Result<ClientHelloInfo> parse_client_hello(std::string_view body);
// parse_sslv2_client_hello: an SSLv2 CLIENT-HELLO message body (after the
// 2-byte record header, starting at msg_type 1).
Result<ClientHelloInfo> parse_sslv2_client_hello(std::string_view message);

}  // namespace smtpeer::tls::wire
