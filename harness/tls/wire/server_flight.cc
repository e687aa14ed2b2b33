#include "tls/wire/server_flight.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "tls/wire/cursor.h"
#include "tls/wire/registry.h"
#include "tls/wire/server_hello.h"

namespace smtpeer::tls::wire {

namespace {

// RFC 8446 §5.1: "The length MUST NOT exceed 2^14 bytes" for plaintext, and
// RFC 5246 §6.2.3 allows 2^14 + 2048 for a ciphertext; the larger bound is the
// one no TLS peer can exceed.
constexpr std::size_t kMaxRecordPayload = 16384 + 2048;
constexpr std::size_t kRecordHeader = 5;

// RFC 8446 §4.1.3: "TLS 1.3 servers which negotiate TLS 1.2 or below in
// response to a ClientHello MUST set the last 8 bytes of their Random value
// specially": "DOWNGRD" then 01 (TLS 1.2) or 00 (TLS 1.1 and below).
constexpr std::string_view kDowngradePrefix = "DOWNGRD";

// offset: where `r` stands inside `base`. Every Reader here reads a view of
// `base`, nested or not, so the distance between the data pointers is the
// offset an error message names.
std::size_t offset(std::string_view base, const Reader& r) {
  return static_cast<std::size_t>(r.rest().data() - base.data());
}

Error protocol_error(std::string message) {
  return make_error(ErrorCode::kProtocol, std::move(message));
}

std::uint8_t byte_at(std::string_view s, std::size_t i) {
  return static_cast<std::uint8_t>(s[i]);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// bit_length: bits of a big-endian unsigned integer, leading zero bytes (and
// bits) not counted; 0 for zero.
int bit_length(std::string_view n) {
  const auto first = n.find_first_not_of('\0');
  if (first == std::string_view::npos) return 0;
  int bits = static_cast<int>(n.size() - first - 1) * 8;
  for (auto b = byte_at(n, first); b != 0; b >>= 1) ++bits;
  return bits;
}

// Names of record content types (RFC 8446 §5.1, RFC 6520 for heartbeat).
struct ContentTypeInfo {
  std::uint8_t type;
  std::string_view name;
};
constexpr ContentTypeInfo kContentTypes[] = {
    {20, "ChangeCipherSpec"}, {21, "alert"},     {22, "handshake"},
    {23, "application data"}, {24, "heartbeat"},
};

std::string content_type_name(std::uint8_t type) {
  for (const auto& t : kContentTypes) {
    if (t.type == type) return std::string(t.name);
  }
  return fmt::format("content type {}", type);
}

// ---- parse_record helpers -------------------------------------------------

// smtp_reply_prefix: RFC 5321 §4.2: a reply line is a 3-digit code followed by
// SP, "-" or (a bare code) CRLF. kNeedMore while the bytes so far are still a
// possible reply start; the decision uses only the first 4 bytes, so it is
// the same however the stream was split.
ParseState smtp_reply_prefix(std::string_view in) {
  for (std::size_t i = 0; i < 3; ++i) {
    if (i >= in.size()) return ParseState::kNeedMore;
    if (!is_digit(in[i])) return ParseState::kError;
  }
  if (in.size() < 4) return ParseState::kNeedMore;
  const char c = in[3];
  return (c == ' ' || c == '-' || c == '\r') ? ParseState::kOk : ParseState::kError;
}

RecordParse record_error(std::string message) {
  RecordParse out;
  out.state = ParseState::kError;
  out.error = std::move(message);
  return out;
}

// ---- ServerHello extensions ----------------------------------------------

using ExtensionHandler = std::optional<Error> (*)(std::string_view body, Reader data,
                                                  ServerHello& hello);

std::optional<Error> on_supported_versions(std::string_view body, Reader data, ServerHello& hello) {
  // RFC 8446 §4.2.1: the server's form is a single ProtocolVersion.
  std::uint16_t v = 0;
  if (!data.u16(v) || !data.empty()) {
    return protocol_error(
        fmt::format("ServerHello: supported_versions at offset {} is not one version ({} bytes)",
                    offset(body, data), data.remaining()));
  }
  hello.version = v;
  return std::nullopt;
}

std::optional<Error> on_key_share(std::string_view body, Reader data, ServerHello& hello) {
  // RFC 8446 §4.2.8: a HelloRetryRequest carries the selected group only; a
  // ServerHello carries one KeyShareEntry (group, key_exchange<1..2^16-1>).
  const std::size_t at = offset(body, data);
  std::uint16_t group = 0;
  if (!data.u16(group)) {
    return protocol_error(fmt::format("ServerHello: key_share at offset {} has no group", at));
  }
  if (!hello.hello_retry_request) {
    Reader key(std::string_view{});
    if (!data.prefixed16(key) || key.empty()) {
      return protocol_error(fmt::format(
          "ServerHello: key_share key_exchange at offset {} is missing or empty", at + 2));
    }
  }
  if (!data.empty()) {
    return protocol_error(fmt::format("ServerHello: {} bytes after the key_share at offset {}",
                                      data.remaining(), offset(body, data)));
  }
  hello.key_share_group = group;
  return std::nullopt;
}

std::optional<Error> on_renegotiation_info(std::string_view, Reader, ServerHello& hello) {
  hello.renegotiation_info = true;
  return std::nullopt;
}
std::optional<Error> on_heartbeat(std::string_view, Reader, ServerHello& hello) {
  hello.heartbeat = true;
  return std::nullopt;
}
std::optional<Error> on_extended_master_secret(std::string_view, Reader, ServerHello& hello) {
  hello.extended_master_secret = true;
  return std::nullopt;
}

struct ExtensionRule {
  std::uint16_t type;
  ExtensionHandler handler;
};
// Extensions whose contents the flight reports; others are listed by type only.
constexpr ExtensionRule kServerHelloExtensions[] = {
    {kExtSupportedVersions, on_supported_versions},        {kExtKeyShare, on_key_share},
    {kExtRenegotiationInfo, on_renegotiation_info},        {kExtHeartbeat, on_heartbeat},
    {kExtExtendedMasterSecret, on_extended_master_secret},
};

// ---- ServerKeyExchange ----------------------------------------------------

// read_nonempty16: an opaque<1..2^16-1> named `field`.
std::optional<Error> read_nonempty16(std::string_view body, Reader& r, std::string_view field,
                                     std::string_view& out) {
  Reader v(std::string_view{});
  const std::size_t at = offset(body, r);
  if (!r.prefixed16(v)) {
    return protocol_error(
        fmt::format("ServerKeyExchange: {} at offset {} overruns the message ({} bytes left)",
                    field, at, r.remaining()));
  }
  if (v.empty()) {
    return protocol_error(fmt::format("ServerKeyExchange: {} at offset {} is empty", field, at));
  }
  out = v.rest();
  return std::nullopt;
}

// skip_psk_hint: RFC 4279 §2 / RFC 5489 §2: (EC)DHE_PSK params start with the
// psk_identity_hint<0..2^16-1>.
std::optional<Error> skip_psk_hint(std::string_view body, Reader& r) {
  Reader hint(std::string_view{});
  if (!r.prefixed16(hint)) {
    return protocol_error(fmt::format(
        "ServerKeyExchange: psk_identity_hint at offset {} overruns the message", offset(body, r)));
  }
  return std::nullopt;
}

// dh_params: RFC 5246 §7.4.3 ServerDHParams {dh_p, dh_g, dh_Ys}.
std::optional<Error> dh_params(std::string_view body, Reader& r, KeyExchange& kx) {
  std::string_view p;
  std::string_view g;
  std::string_view ys;
  if (auto e = read_nonempty16(body, r, "dh_p", p)) return e;
  if (auto e = read_nonempty16(body, r, "dh_g", g)) return e;
  if (auto e = read_nonempty16(body, r, "dh_Ys", ys)) return e;
  kx.dh_bits = bit_length(p);
  return std::nullopt;
}

// ec_params: RFC 4492 §5.4 ServerECDHParams {ECParameters, ECPoint public}.
// ECCurveType: explicit_prime (1), explicit_char2 (2), named_curve (3).
std::optional<Error> ec_params(std::string_view body, Reader& r, KeyExchange& kx) {
  const std::size_t at = offset(body, r);
  std::uint8_t curve_type = 0;
  if (!r.u8(curve_type)) {
    return protocol_error(fmt::format("ServerKeyExchange: curve_type missing at offset {}", at));
  }
  switch (curve_type) {
    case 1:
    case 2:
      // The explicit parameters are long and nobody should send them; that
      // they were sent is the finding, so they are not parsed further.
      kx.explicit_curve = true;
      return std::nullopt;
    case 3: break;
    default:
      return protocol_error(fmt::format(
          "ServerKeyExchange: curve_type {} at offset {} is not 1, 2 or 3", curve_type, at));
  }
  std::uint16_t group = 0;
  if (!r.u16(group)) {
    return protocol_error(
        fmt::format("ServerKeyExchange: named_curve missing at offset {}", at + 1));
  }
  Reader point(std::string_view{});
  if (!r.prefixed8(point) || point.empty()) {
    return protocol_error(
        fmt::format("ServerKeyExchange: ECPoint at offset {} is missing or empty", at + 3));
  }
  kx.group = group;
  return std::nullopt;
}

// rsa_params: RFC 2246 §7.4.3 ServerRSAParams {rsa_modulus, rsa_exponent}.
std::optional<Error> rsa_params(std::string_view body, Reader& r, KeyExchange& kx) {
  std::string_view modulus;
  std::string_view exponent;
  if (auto e = read_nonempty16(body, r, "rsa_modulus", modulus)) return e;
  if (auto e = read_nonempty16(body, r, "rsa_exponent", exponent)) return e;
  kx.rsa_export_bits = bit_length(modulus);
  return std::nullopt;
}

using KxParser = std::optional<Error> (*)(std::string_view body, Reader& r, KeyExchange& kx);

std::optional<Error> kx_dhe_psk(std::string_view body, Reader& r, KeyExchange& kx) {
  if (auto e = skip_psk_hint(body, r)) return e;
  return dh_params(body, r, kx);
}
std::optional<Error> kx_ecdhe_psk(std::string_view body, Reader& r, KeyExchange& kx) {
  if (auto e = skip_psk_hint(body, r)) return e;
  return ec_params(body, r, kx);
}

struct KxLayout {
  Kx kx;
  KxParser parse;
};
// Layouts of the ServerKeyExchange params by key exchange; the signature that
// follows them is not checked (the flight reports sizes, not authenticity).
constexpr KxLayout kKxLayouts[] = {
    {Kx::kDhe, dh_params},         {Kx::kDhePsk, kx_dhe_psk},    {Kx::kEcdhe, ec_params},
    {Kx::kEcdhePsk, kx_ecdhe_psk}, {Kx::kRsaExport, rsa_params},
};

// ---- SSLv2 ----------------------------------------------------------------

// SSLv2 ERROR message codes (SSL 2.0 draft, Appendix B).
struct Sslv2ErrorName {
  std::uint16_t code;
  std::string_view name;
};
constexpr Sslv2ErrorName kSslv2Errors[] = {
    {1, "NO-CIPHER-ERROR"},
    {2, "NO-CERTIFICATE-ERROR"},
    {4, "BAD-CERTIFICATE-ERROR"},
    {6, "UNSUPPORTED-CERTIFICATE-TYPE-ERROR"},
};

std::string_view sslv2_error_name(std::uint16_t code) {
  for (const auto& e : kSslv2Errors) {
    if (e.code == code) return e.name;
  }
  return "unknown error";
}

constexpr std::uint8_t kSslv2ServerHello = 4;
constexpr std::uint8_t kSslv2Error = 0;

}  // namespace

// ============================================================================

RecordParse parse_record(std::string_view in) {
  RecordParse out;
  if (in.empty()) return out;
  // Every check below uses only the bytes up to the field it reads, so the
  // verdict on a prefix never changes as more bytes arrive.
  const std::uint8_t type = byte_at(in, 0);
  if (type < 20 || type > 24) {
    if (type & 0x80) {
      return record_error(fmt::format(
          "byte 0x{:02X} at offset 0 has the high bit set: an SSLv2 record header, not a TLS "
          "record",
          type));
    }
    if (is_digit(in[0])) {
      switch (smtp_reply_prefix(in)) {
        case ParseState::kNeedMore: return out;
        case ParseState::kOk:
          return record_error(fmt::format(
              "plaintext SMTP reply, not a TLS record (\"{}\" at offset 0)", in.substr(0, 3)));
        case ParseState::kError: break;
      }
    }
    return record_error(fmt::format(
        "content type {} (0x{:02X}) at offset 0 is not a TLS record type (20..24)", type, type));
  }
  if (in.size() < 2) return out;
  const std::uint8_t major = byte_at(in, 1);
  if (major != 3) {
    return record_error(
        fmt::format("record version major {} at offset 1 is not 3 (SSLv3/TLS)", major));
  }
  if (in.size() < 3) return out;
  const std::uint8_t minor = byte_at(in, 2);
  if (minor > 4) {
    return record_error(
        fmt::format("record version 3.{} at offset 1 is not SSLv3 or TLS 1.0..1.3", minor));
  }
  if (in.size() < kRecordHeader) return out;
  const std::size_t length = static_cast<std::size_t>(byte_at(in, 3)) << 8 | byte_at(in, 4);
  if (length > kMaxRecordPayload) {
    return record_error(
        fmt::format("record length {} at offset 3 exceeds {}", length, kMaxRecordPayload));
  }
  if (in.size() - kRecordHeader < length) return out;
  out.state = ParseState::kOk;
  out.record.type = type;
  out.record.version = static_cast<std::uint16_t>(major << 8 | minor);
  out.record.payload = in.substr(kRecordHeader, length);
  out.consumed = kRecordHeader + length;
  return out;
}

Result<Alert> parse_alert(std::string_view payload) {
  // RFC 5246 §7.2: struct { AlertLevel level; AlertDescription description; }.
  if (payload.size() != 2) {
    return protocol_error(
        fmt::format("alert: {} bytes at offset 0, an alert is 2", payload.size()));
  }
  return Alert{byte_at(payload, 0), byte_at(payload, 1)};
}

Result<ServerHello> parse_server_hello(std::string_view body) {
  Reader r(body);
  ServerHello hello;
  auto fail = [&](std::string_view field) {
    return protocol_error(
        fmt::format("ServerHello: {} at offset {} is truncated (message is {} bytes)", field,
                    offset(body, r), body.size()));
  };
  std::string_view random;
  Reader session(std::string_view{});
  if (!r.u16(hello.legacy_version)) return fail("legacy_version");
  if (!r.bytes(32, random)) return fail("random");
  const std::size_t session_at = offset(body, r);
  if (!r.prefixed8(session)) return fail("session_id");
  if (session.remaining() > 32) {
    return protocol_error(fmt::format("ServerHello: session_id length {} at offset {} exceeds 32",
                                      session.remaining(), session_at));
  }
  if (!r.u16(hello.suite)) return fail("cipher_suite");
  if (!r.u8(hello.compression)) return fail("compression_method");
  hello.version = hello.legacy_version;
  hello.random = std::string(random);
  hello.session_id = std::string(session.rest());
  hello.hello_retry_request =
      std::equal(random.begin(), random.end(), kHelloRetryRequestRandom.begin(),
                 [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; });
  const std::string_view tail = random.substr(24);
  hello.downgrade_sentinel = tail.starts_with(kDowngradePrefix) && (tail[7] == 0 || tail[7] == 1);

  // RFC 5246 §7.4.1.3: the extensions block may be absent (SSLv3, TLS without
  // extensions); if present it must fill the rest of the message exactly.
  if (r.empty()) return hello;
  const std::size_t block_at = offset(body, r);
  Reader block(std::string_view{});
  if (!r.prefixed16(block)) {
    return protocol_error(fmt::format(
        "ServerHello: extensions length at offset {} overruns the message ({} bytes left)",
        block_at, r.remaining()));
  }
  if (!r.empty()) {
    return protocol_error(fmt::format("ServerHello: {} bytes after the extensions at offset {}",
                                      r.remaining(), offset(body, r)));
  }
  while (!block.empty()) {
    const std::size_t at = offset(body, block);
    std::uint16_t type = 0;
    Reader data(std::string_view{});
    if (!block.u16(type) || !block.prefixed16(data)) {
      return protocol_error(
          fmt::format("ServerHello: extension at offset {} overruns the extensions block", at));
    }
    // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type".
    if (std::find(hello.extensions.begin(), hello.extensions.end(), type) !=
        hello.extensions.end()) {
      return protocol_error(
          fmt::format("ServerHello: duplicate extension {} at offset {}", type, at));
    }
    hello.extensions.push_back(type);
    for (const auto& rule : kServerHelloExtensions) {
      if (rule.type != type) continue;
      if (auto e = rule.handler(body, data, hello)) return *e;
    }
  }
  return hello;
}

Result<std::vector<std::string>> parse_certificate(std::string_view body, bool tls13) {
  Reader r(body);
  std::vector<std::string> certs;
  if (tls13) {
    // RFC 8446 §4.4.2: certificate_request_context<0..2^8-1>.
    Reader context(std::string_view{});
    if (!r.prefixed8(context)) {
      return protocol_error(fmt::format(
          "Certificate: certificate_request_context at offset 0 overruns the message ({} bytes)",
          body.size()));
    }
  }
  const std::size_t list_at = offset(body, r);
  Reader list(std::string_view{});
  if (!r.prefixed24(list)) {
    return protocol_error(fmt::format(
        "Certificate: certificate_list length at offset {} overruns the message ({} bytes left)",
        list_at, r.remaining()));
  }
  if (!r.empty()) {
    return protocol_error(
        fmt::format("Certificate: {} bytes after the certificate_list at offset {}", r.remaining(),
                    offset(body, r)));
  }
  while (!list.empty()) {
    const std::size_t at = offset(body, list);
    Reader cert(std::string_view{});
    // ASN.1Cert<1..2^24-1> (RFC 5246 §7.4.2) / cert_data<1..2^24-1> (RFC 8446).
    if (!list.prefixed24(cert)) {
      return protocol_error(
          fmt::format("Certificate: certificate {} at offset {} overruns the certificate_list",
                      certs.size(), at));
    }
    if (cert.empty()) {
      return protocol_error(
          fmt::format("Certificate: certificate {} at offset {} is empty", certs.size(), at));
    }
    if (tls13) {
      Reader extensions(std::string_view{});
      if (!list.prefixed16(extensions)) {
        return protocol_error(fmt::format(
            "Certificate: extensions of certificate {} at offset {} overrun the certificate_list",
            certs.size(), offset(body, list)));
      }
    }
    certs.emplace_back(cert.rest());
  }
  return certs;
}

Result<KeyExchange> parse_server_key_exchange(std::string_view body, std::uint16_t suite) {
  KeyExchange kx;
  const CipherSuite* s = find_suite(suite);
  if (s == nullptr) return kx;
  for (const auto& layout : kKxLayouts) {
    if (layout.kx != s->kx) continue;
    Reader r(body);
    if (auto e = layout.parse(body, r, kx)) return *e;
    return kx;
  }
  return kx;
}

Result<Sslv2ServerHello> parse_sslv2_server_hello(std::string_view record) {
  // SSL 2.0 draft §2.1: a 2-byte header (high bit set, 15-bit length) or a
  // 3-byte header (14-bit length, then the padding length).
  Reader r(record);
  std::uint8_t b0 = 0;
  std::uint8_t b1 = 0;
  if (!r.u8(b0) || !r.u8(b1)) {
    return protocol_error(
        fmt::format("SSLv2: record header at offset 0 is truncated ({} bytes)", record.size()));
  }
  std::size_t length = 0;
  std::uint8_t padding = 0;
  if (b0 & 0x80) {
    length = static_cast<std::size_t>(b0 & 0x7f) << 8 | b1;
  } else {
    length = static_cast<std::size_t>(b0 & 0x3f) << 8 | b1;
    if (!r.u8(padding)) {
      return protocol_error("SSLv2: padding length at offset 2 is missing");
    }
  }
  const std::size_t header = offset(record, r);
  std::string_view data;
  if (!r.bytes(length, data)) {
    return protocol_error(
        fmt::format("SSLv2: record length {} at offset 0 exceeds the {} bytes after the header",
                    length, r.remaining()));
  }
  if (!r.empty()) {
    return protocol_error(fmt::format("SSLv2: {} bytes after the record at offset {}",
                                      r.remaining(), offset(record, r)));
  }
  if (padding > length) {
    return protocol_error(fmt::format(
        "SSLv2: padding length {} at offset 2 exceeds the record length {}", padding, length));
  }
  Reader m(data.substr(0, length - padding));
  std::uint8_t msg = 0;
  if (!m.u8(msg)) return protocol_error(fmt::format("SSLv2: empty record at offset {}", header));
  if (msg == kSslv2Error) {
    std::uint16_t code = 0;
    if (!m.u16(code)) {
      return protocol_error(fmt::format("SSLv2: ERROR message at offset {} is truncated", header));
    }
    return protocol_error(fmt::format("SSLv2: ERROR message at offset {}: {} (0x{:04X})", header,
                                      sslv2_error_name(code), code));
  }
  if (msg != kSslv2ServerHello) {
    return protocol_error(
        fmt::format("SSLv2: message type {} at offset {} is not SERVER-HELLO (4)", msg, header));
  }
  Sslv2ServerHello hello;
  std::uint8_t session_id_hit = 0;
  std::uint8_t certificate_type = 0;
  std::uint16_t cert_length = 0;
  std::uint16_t specs_length = 0;
  std::uint16_t connection_id_length = 0;
  if (!m.u8(session_id_hit) || !m.u8(certificate_type) || !m.u16(hello.version) ||
      !m.u16(cert_length) || !m.u16(specs_length) || !m.u16(connection_id_length)) {
    return protocol_error(
        fmt::format("SSLv2: SERVER-HELLO field at offset {} is truncated", offset(record, m)));
  }
  if (specs_length % 3 != 0) {
    return protocol_error(
        fmt::format("SSLv2: CIPHER-SPECS-LENGTH {} at offset {} is not a multiple of 3",
                    specs_length, header + 7));
  }
  std::string_view cert;
  std::string_view specs;
  std::string_view connection_id;
  if (!m.bytes(cert_length, cert)) {
    return protocol_error(fmt::format("SSLv2: CERTIFICATE of {} bytes at offset {} is truncated",
                                      cert_length, offset(record, m)));
  }
  if (!m.bytes(specs_length, specs)) {
    return protocol_error(fmt::format("SSLv2: CIPHER-SPECS of {} bytes at offset {} is truncated",
                                      specs_length, offset(record, m)));
  }
  if (!m.bytes(connection_id_length, connection_id)) {
    return protocol_error(fmt::format("SSLv2: CONNECTION-ID of {} bytes at offset {} is truncated",
                                      connection_id_length, offset(record, m)));
  }
  if (!m.empty()) {
    return protocol_error(fmt::format("SSLv2: {} bytes after the SERVER-HELLO at offset {}",
                                      m.remaining(), offset(record, m)));
  }
  hello.certificate = std::string(cert);
  Reader cs(specs);
  std::uint32_t kind = 0;
  while (cs.u24(kind)) hello.ciphers.push_back(kind);
  return hello;
}

// ---- ServerFlight -----------------------------------------------------------

namespace {

// Outcome of one handshake message for the flight.
struct Outcome {
  ServerFlight::State state = ServerFlight::State::kNeedMore;
  std::string error;  // kError only
};

Outcome fail(std::string message) {
  return {ServerFlight::State::kError, std::move(message)};
}

using MessageHandler = Outcome (*)(Flight& flight, std::string_view body);

Outcome on_hello_request(Flight&, std::string_view) {
  // RFC 5246 §7.4.1.1: "This message will be ignored by the client if the
  // client is currently negotiating a session."
  return {};
}

Outcome on_server_hello(Flight& flight, std::string_view body) {
  auto hello = parse_server_hello(body);
  if (!hello) return fail(hello.error().message);
  flight.hello = std::move(hello.value());
  // A TLS 1.3 ServerHello is the last plaintext message; a HelloRetryRequest
  // waits for a second ClientHello. Either way this flight has ended.
  if (flight.hello->hello_retry_request || flight.hello->version >= kTls13) {
    return {ServerFlight::State::kDone, {}};
  }
  return {};
}

Outcome on_certificate(Flight& flight, std::string_view body) {
  auto certs = parse_certificate(body, false);
  if (!certs) return fail(certs.error().message);
  flight.certificates = std::move(certs.value());
  return {};
}

Outcome on_certificate_status(Flight&, std::string_view) {
  return {};  // an OCSP staple (RFC 6066 §8): not part of what the flight reports
}

Outcome on_server_key_exchange(Flight& flight, std::string_view body) {
  auto kx = parse_server_key_exchange(body, flight.hello->suite);
  if (!kx) return fail(kx.error().message);
  flight.key_exchange = kx.value();
  return {};
}

Outcome on_certificate_request(Flight& flight, std::string_view) {
  flight.certificate_request = true;
  return {};
}

Outcome on_server_hello_done(Flight& flight, std::string_view body) {
  // RFC 5246 §7.4.5: struct { } ServerHelloDone.
  if (!body.empty()) {
    return fail(fmt::format("ServerHelloDone: {} bytes at offset 0, it is empty", body.size()));
  }
  flight.hello_done = true;
  return {ServerFlight::State::kDone, {}};
}

bool never(const Flight&) {
  return false;
}
bool after_server_hello(const Flight& f) {
  return f.hello.has_value();
}
bool after_certificate(const Flight& f) {
  return !f.certificates.empty() || f.key_exchange || f.certificate_request;
}
bool after_key_exchange(const Flight& f) {
  return f.key_exchange || f.certificate_request;
}
bool after_certificate_request(const Flight& f) {
  return f.certificate_request;
}

// MessageRule: a handshake message the server's first flight may hold, in
// the order RFC 5246 §7.3 gives them. `after_hello`: it needs the ServerHello
// first; `too_late`: what the flight already holds means this message comes
// out of order or a second time.
struct MessageRule {
  HandshakeType type;
  std::string_view name;
  bool after_hello;
  bool (*too_late)(const Flight&);
  MessageHandler handler;
};
constexpr MessageRule kMessageRules[] = {
    {HandshakeType::kHelloRequest, "HelloRequest", false, never, on_hello_request},
    {HandshakeType::kServerHello, "ServerHello", false, after_server_hello, on_server_hello},
    {HandshakeType::kCertificate, "Certificate", true, after_certificate, on_certificate},
    {HandshakeType::kCertificateStatus, "CertificateStatus", true, after_key_exchange,
     on_certificate_status},
    {HandshakeType::kServerKeyExchange, "ServerKeyExchange", true, after_key_exchange,
     on_server_key_exchange},
    {HandshakeType::kCertificateRequest, "CertificateRequest", true, after_certificate_request,
     on_certificate_request},
    {HandshakeType::kServerHelloDone, "ServerHelloDone", true, never, on_server_hello_done},
};

// Names of the other handshake types, for errors.
struct HandshakeName {
  HandshakeType type;
  std::string_view name;
};
constexpr HandshakeName kOtherHandshakeNames[] = {
    {HandshakeType::kClientHello, "ClientHello"},
    {HandshakeType::kNewSessionTicket, "NewSessionTicket"},
    {HandshakeType::kEncryptedExtensions, "EncryptedExtensions"},
};

std::string handshake_name(std::uint8_t type) {
  for (const auto& rule : kMessageRules) {
    if (static_cast<std::uint8_t>(rule.type) == type) return std::string(rule.name);
  }
  for (const auto& n : kOtherHandshakeNames) {
    if (static_cast<std::uint8_t>(n.type) == type) return std::string(n.name);
  }
  return fmt::format("handshake type {}", type);
}

const MessageRule* find_rule(std::uint8_t type) {
  for (const auto& rule : kMessageRules) {
    if (static_cast<std::uint8_t>(rule.type) == type) return &rule;
  }
  return nullptr;
}

}  // namespace

ServerFlight::State ServerFlight::feed(std::string_view bytes) {
  if (state_ != State::kNeedMore) return state_;
  // The limit counts what the flight took plus what waits in the buffer, and
  // bytes beyond it are only refused once the flight could not end within the
  // limit: so the outcome does not depend on how the stream was split.
  const std::size_t held = flight_.bytes + buffer_.size();
  const std::size_t room = held < limits_.max_bytes ? limits_.max_bytes - held : 0;
  const bool over = bytes.size() > room;
  buffer_.append(bytes.substr(0, std::min(room, bytes.size())));
  step();
  if (state_ == State::kNeedMore && over) {
    state_ = State::kError;
    error_ = fmt::format("flight larger than {} bytes", limits_.max_bytes);
  }
  return state_;
}

ServerFlight::State ServerFlight::step() {
  std::size_t pos = 0;  // consumed from buffer_ in this call; erased once at the end
  auto finish = [&](State s, std::string error = {}) {
    state_ = s;
    if (s == State::kError) error_ = std::move(error);
  };
  while (state_ == State::kNeedMore && pos < buffer_.size()) {
    const std::string_view in = std::string_view(buffer_).substr(pos);
    const std::size_t stream_at = flight_.bytes;

    // An SSLv2 server answers an SSLv2-compatible hello with an SSLv2 record
    // (2-byte header, high bit set), which no TLS record can start with.
    if (flight_.records == 0 && (byte_at(in, 0) & 0x80) != 0) {
      if (in.size() < 2) break;
      const std::size_t length =
          static_cast<std::size_t>(byte_at(in, 0) & 0x7f) << 8 | byte_at(in, 1);
      if (in.size() - 2 < length) break;
      auto hello = parse_sslv2_server_hello(in.substr(0, 2 + length));
      ++flight_.records;
      flight_.bytes += 2 + length;
      pos += 2 + length;
      if (!hello) {
        finish(State::kError, hello.error().message);
      } else {
        flight_.sslv2 = std::move(hello.value());
        finish(State::kDone);
      }
      break;
    }

    const RecordParse rec = parse_record(in);
    if (rec.state == ParseState::kNeedMore) break;
    if (rec.state == ParseState::kError) {
      finish(State::kError, fmt::format("record {} at stream byte {}: {}", flight_.records + 1,
                                        stream_at, rec.error));
      break;
    }
    ++flight_.records;
    flight_.bytes += rec.consumed;
    pos += rec.consumed;
    const auto type = static_cast<ContentType>(rec.record.type);

    if (type == ContentType::kAlert) {
      auto alert = parse_alert(rec.record.payload);
      if (!alert) {
        finish(State::kError, fmt::format("record {} at stream byte {}: {}", flight_.records,
                                          stream_at, alert.error().message));
      } else {
        flight_.alert = alert.value();
        finish(State::kAlert);
      }
      break;
    }
    if (type != ContentType::kHandshake) {
      finish(State::kError,
             fmt::format("record {} at stream byte {}: unexpected {} record before the end of the "
                         "server's first flight",
                         flight_.records, stream_at, content_type_name(rec.record.type)));
      break;
    }

    // Handshake messages may span records, and a record may hold several
    // (RFC 5246 §6.2.1); they are reassembled in handshake_.
    handshake_.append(rec.record.payload);
    std::size_t hpos = 0;
    while (state_ == State::kNeedMore && handshake_.size() - hpos >= 4) {
      const std::string_view h = std::string_view(handshake_).substr(hpos);
      const std::uint8_t msg_type = byte_at(h, 0);
      const std::size_t length = static_cast<std::size_t>(byte_at(h, 1)) << 16 |
                                 static_cast<std::size_t>(byte_at(h, 2)) << 8 | byte_at(h, 3);
      if (length > limits_.max_message) {
        finish(State::kError, fmt::format("handshake message too large: {} of {} bytes (limit {})",
                                          handshake_name(msg_type), length, limits_.max_message));
        break;
      }
      if (h.size() - 4 < length) break;
      const std::string_view body = h.substr(4, length);
      hpos += 4 + length;

      const MessageRule* rule = find_rule(msg_type);
      if (rule == nullptr) {
        finish(State::kError,
               fmt::format("unexpected {} in the server's first flight", handshake_name(msg_type)));
        break;
      }
      if (rule->after_hello && !flight_.hello) {
        finish(State::kError,
               fmt::format("unexpected {} before the ServerHello", handshake_name(msg_type)));
        break;
      }
      if (rule->too_late(flight_)) {
        finish(State::kError, fmt::format("unexpected {}: repeated or out of order", rule->name));
        break;
      }
      Outcome outcome = rule->handler(flight_, body);
      finish(outcome.state, std::move(outcome.error));
    }
    handshake_.erase(0, hpos);
  }
  buffer_.erase(0, pos);
  return state_;
}

}  // namespace smtpeer::tls::wire
