// Parsers for what a TLS server sends back to a ClientHello: records, alerts,
// ServerHello, Certificate, ServerKeyExchange, ServerHelloDone, and the SSLv2
// SERVER-HELLO; and ServerFlight, which reads a server's first flight from a
// byte stream as it arrives. Pure: no I/O, bounded, any input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace smtpeer::tls::wire {

enum class ContentType : std::uint8_t {
  kChangeCipherSpec = 20,
  kAlert = 21,
  kHandshake = 22,
  kApplicationData = 23,
  kHeartbeat = 24,
};

enum class HandshakeType : std::uint8_t {
  kHelloRequest = 0,
  kClientHello = 1,
  kServerHello = 2,
  kNewSessionTicket = 4,
  kEncryptedExtensions = 8,
  kCertificate = 11,
  kServerKeyExchange = 12,
  kCertificateRequest = 13,
  kServerHelloDone = 14,
  kCertificateStatus = 22,
};

// Record: one TLS record (RFC 5246 §6.2.1). payload is a view into the input.
struct Record {
  std::uint8_t type = 0;
  std::uint16_t version = 0;
  std::string_view payload;
};

enum class ParseState { kOk, kNeedMore, kError };

struct RecordParse {
  ParseState state = ParseState::kNeedMore;
  Record record;
  std::size_t consumed = 0;  // bytes of the input the record took (kOk only)
  std::string error;         // kError only: why these bytes are not a TLS record
};

// parse_record: the record at the start of `in`. kError when the header is not
// a TLS record (unknown content type, major version not 3, length over
// 2^14 + 2048): the caller then has plaintext or garbage, e.g. an SMTP reply.
RecordParse parse_record(std::string_view in);

struct Alert {
  std::uint8_t level = 0;  // 1 warning, 2 fatal
  std::uint8_t description = 0;
};
Result<Alert> parse_alert(std::string_view payload);

struct HandshakeMessage {
  std::uint8_t type = 0;
  std::string_view body;
};

// ServerHello (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3).
struct ServerHello {
  std::uint16_t legacy_version = 0;
  std::uint16_t version = 0;  // negotiated: supported_versions if present, else legacy_version
  std::string random;
  std::string session_id;
  std::uint16_t suite = 0;
  std::uint8_t compression = 0;
  std::vector<std::uint16_t> extensions;  // types, in order
  bool hello_retry_request = false;       // random is the HRR value (RFC 8446 §4.1.3)
  bool renegotiation_info = false;        // extension present (RFC 5746)
  bool heartbeat = false;                 // extension present (RFC 6520)
  bool extended_master_secret = false;
  std::optional<std::uint16_t> key_share_group;  // TLS 1.3 (HRR: the selected group)
  // downgrade_sentinel: last 8 bytes of random are "DOWNGRD\1" or "DOWNGRD\0"
  // (RFC 8446 §4.1.3): a TLS 1.3 server negotiated below its best version.
  bool downgrade_sentinel = false;
};
// parse_server_hello: the body of a server_hello handshake message.
Result<ServerHello> parse_server_hello(std::string_view body);

// parse_certificate: DER certificates of a Certificate message body, leaf
// first. `tls13` selects the RFC 8446 §4.4.2 layout (context + per-entry extensions).
Result<std::vector<std::string>> parse_certificate(std::string_view body, bool tls13);

// KeyExchange: sizes from a ServerKeyExchange (T4).
struct KeyExchange {
  int dh_bits = 0;                     // DHE: bits of the prime p
  std::optional<std::uint16_t> group;  // ECDHE: named curve (curve_type 3)
  bool explicit_curve = false;         // ECDHE with explicit parameters (curve_type 1/2)
  int rsa_export_bits = 0;             // RSA_EXPORT: bits of the temporary modulus
};
// parse_server_key_exchange: `suite` decides the layout (DHE/ECDHE/RSA_EXPORT);
// other key exchanges give a KeyExchange with nothing set.
Result<KeyExchange> parse_server_key_exchange(std::string_view body, std::uint16_t suite);

// Sslv2ServerHello: the SSLv2 SERVER-HELLO (server accepts SSLv2).
struct Sslv2ServerHello {
  std::uint16_t version = 0;
  std::string certificate;  // DER
  std::vector<std::uint32_t> ciphers;
};
// parse_sslv2_server_hello: a whole SSLv2 record (2- or 3-byte header).
Result<Sslv2ServerHello> parse_sslv2_server_hello(std::string_view record);

// Flight: everything the server's first flight showed.
struct Flight {
  std::optional<ServerHello> hello;
  std::optional<Sslv2ServerHello> sslv2;
  std::vector<std::string> certificates;  // DER, leaf first (TLS <= 1.2; TLS 1.3 encrypts them)
  std::optional<KeyExchange> key_exchange;
  bool certificate_request = false;  // server asked for a client certificate (TLS <= 1.2)
  bool hello_done = false;
  std::optional<Alert> alert;  // first alert received
  std::size_t records = 0;
  std::size_t bytes = 0;
};

// ServerFlight: feed the server's bytes as they arrive; the state says when
// the flight is complete. Done means: ServerHelloDone (TLS <= 1.2), a
// ServerHello that negotiated TLS 1.3 or is a HelloRetryRequest (the rest is
// encrypted), an SSLv2 SERVER-HELLO, or an alert. kError: the bytes are not
// TLS (the error says what they look like: "plaintext SMTP reply", "not a TLS
// record", "handshake message too large").
class ServerFlight {
 public:
  enum class State { kNeedMore, kDone, kAlert, kError };

  struct Limits {
    std::size_t max_bytes = 1 << 20;       // whole flight
    std::size_t max_message = 256 * 1024;  // one handshake message (certificate chains)
  };
  ServerFlight() = default;
  explicit ServerFlight(Limits limits) : limits_(limits) {}

  // feed: append bytes; returns the state after them. Once not kNeedMore, the
  // state sticks and further bytes are ignored.
  State feed(std::string_view bytes);
  State state() const { return state_; }
  const Flight& flight() const { return flight_; }
  const std::string& error() const { return error_; }

 private:
  State step();  // parse as much of buffer_ as possible
  Limits limits_;
  State state_ = State::kNeedMore;
  Flight flight_;
  std::string error_;
  std::string buffer_;     // unparsed record bytes
  std::string handshake_;  // handshake bytes not yet forming a whole message
};

}  // namespace smtpeer::tls::wire
