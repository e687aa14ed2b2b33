// server_hello: builders of a server's first flight. Layouts from RFC 5246
// §7.4.1.3 (ServerHello), §7.4.2 (Certificate), §7.4.3 (ServerKeyExchange),
// §7.4.5 (ServerHelloDone), §7.2 (Alert) and §6.2.1 (records); RFC 2246
// §7.4.3 for the export RSA params; RFC 8422 §5.4 for ECDHE params; RFC 8446
// §4.1.3, §4.2.1, §4.2.8 and §4.4.2 for TLS 1.3; the SSL 2.0 draft for the
// SSLv2 SERVER-HELLO.
#include "tls/wire/server_hello.h"

#include <algorithm>

#include "tls/wire/cursor.h"
#include "tls/wire/registry.h"
#include "tls/wire/server_flight.h"

namespace smtpeer::tls::wire {
namespace {

constexpr std::uint8_t kSslv2ServerHelloType = 4;
constexpr std::uint8_t kSslv2X509Certificate = 1;  // SSL_CT_X509_CERTIFICATE
constexpr std::uint16_t kSslv2Version = 0x0002;
constexpr std::size_t kSslv2MaxLength = 0x7fff;  // 15-bit length of the 2-byte header
constexpr std::uint8_t kNamedCurve = 3;          // RFC 8422 §5.4 ECCurveType named_curve
constexpr std::size_t kMaxRecordLength = 0xffff;

std::uint8_t hs(HandshakeType t) {
  return static_cast<std::uint8_t>(t);
}

void put_opaque8(Writer& w, std::string_view v) {
  const auto m = w.open8();
  w.bytes(v);
  w.close(m);
}
void put_opaque16(Writer& w, std::string_view v) {
  const auto m = w.open16();
  w.bytes(v);
  w.close(m);
}

void put_extension(Writer& w, std::uint16_t type, std::string_view data) {
  w.u16(type);
  put_opaque16(w, data);
}

// put_signed_part: the `signed_params` tail shared by every ServerKeyExchange
// (see the header for the three layouts).
void put_signed_part(Writer& w, std::string_view signature, std::uint16_t sigalg) {
  if (sigalg == 0 && signature.empty()) return;
  if (sigalg != 0) w.u16(sigalg);
  put_opaque16(w, signature);
}

// Extension bodies, each a function of the spec; empty optional = not sent.
using ExtensionWriter = std::optional<std::string> (*)(const ServerHelloSpec& spec);

std::optional<std::string> renegotiation_info(const ServerHelloSpec& spec) {
  // RFC 5746 §3.6: an initial handshake answers with an empty
  // renegotiated_connection<0..255>, i.e. the single length byte 0.
  if (!spec.renegotiation_info) return std::nullopt;
  return std::string(1, '\0');
}

std::optional<std::string> extended_master_secret(const ServerHelloSpec& spec) {
  if (!spec.extended_master_secret) return std::nullopt;
  return std::string();
}

std::optional<std::string> supported_versions(const ServerHelloSpec& spec) {
  // RFC 8446 §4.2.1: the server's form is one selected_version.
  std::optional<std::uint16_t> v = spec.selected_version;
  if (!v && spec.version == kTls13) v = kTls13;
  if (!v) return std::nullopt;
  Writer w;
  w.u16(*v);
  return w.take();
}

std::optional<std::string> key_share(const ServerHelloSpec& spec) {
  // RFC 8446 §4.2.8: KeyShareServerHello {KeyShareEntry server_share} or,
  // in a HelloRetryRequest, KeyShareHelloRetryRequest {selected_group}.
  if (!spec.key_share) return std::nullopt;
  Writer w;
  w.u16(spec.key_share->group);
  if (!spec.hello_retry_request) put_opaque16(w, spec.key_share->key_exchange);
  return w.take();
}

struct ExtensionRule {
  std::uint16_t type;
  ExtensionWriter write;
};
// In the order ServerHelloSpec documents.
constexpr ExtensionRule kExtensionRules[] = {
    {kExtRenegotiationInfo, renegotiation_info},
    {kExtExtendedMasterSecret, extended_master_secret},
    {kExtSupportedVersions, supported_versions},
    {kExtKeyShare, key_share},
};

}  // namespace

std::uint16_t record_version_for(const ServerHelloSpec& spec) {
  if (spec.record_version != 0) return spec.record_version;
  return spec.version >= kTls13 ? kTls12 : spec.version;
}

std::string build_handshake(std::uint8_t type, std::string_view body) {
  Writer w;
  w.u8(type);
  const auto m = w.open24();
  w.bytes(body);
  w.close(m);
  return w.take();
}

std::string build_server_hello(const ServerHelloSpec& spec) {
  Writer w;
  // RFC 8446 §4.1.3: legacy_version is 0x0303 in a TLS 1.3 ServerHello.
  w.u16(spec.version >= kTls13 ? kTls12 : spec.version);
  const auto& random = spec.hello_retry_request ? kHelloRetryRequestRandom : spec.random;
  for (const std::uint8_t b : random) w.u8(b);
  put_opaque8(w, spec.session_id);
  w.u16(spec.suite);
  w.u8(spec.compression);

  Writer ext;
  for (const auto& rule : kExtensionRules) {
    if (auto data = rule.write(spec)) put_extension(ext, rule.type, *data);
  }
  for (const auto& [type, data] : spec.extra_extensions) put_extension(ext, type, data);
  // RFC 5246 §7.4.1.3: the extensions block may be absent, which is how an
  // SSLv3 server (or a TLS server without extensions) answers.
  if (!spec.omit_extensions && ext.size() > 0) put_opaque16(w, ext.data());
  return build_handshake(hs(HandshakeType::kServerHello), w.data());
}

std::string build_certificate(const std::vector<std::string>& der_chain, bool tls13) {
  Writer w;
  if (tls13) w.u8(0);  // certificate_request_context<0..2^8-1>: empty outside post-handshake auth
  const auto list = w.open24();
  for (const auto& cert : der_chain) {
    const auto m = w.open24();
    w.bytes(cert);
    w.close(m);
    if (tls13) w.u16(0);  // Extension extensions<0..2^16-1>: none
  }
  w.close(list);
  return build_handshake(hs(HandshakeType::kCertificate), w.data());
}

std::string build_server_key_exchange_dhe(std::string_view p, std::string_view g,
                                          std::string_view ys, std::string_view signature,
                                          std::uint16_t sigalg) {
  Writer w;
  put_opaque16(w, p);
  put_opaque16(w, g);
  put_opaque16(w, ys);
  put_signed_part(w, signature, sigalg);
  return build_handshake(hs(HandshakeType::kServerKeyExchange), w.data());
}

std::string build_server_key_exchange_ecdhe(std::uint16_t group, std::string_view point,
                                            std::string_view signature, std::uint16_t sigalg) {
  Writer w;
  w.u8(kNamedCurve);
  w.u16(group);
  put_opaque8(w, point);
  put_signed_part(w, signature, sigalg);
  return build_handshake(hs(HandshakeType::kServerKeyExchange), w.data());
}

std::string build_server_key_exchange_rsa_export(std::string_view modulus,
                                                 std::string_view exponent,
                                                 std::string_view signature, std::uint16_t sigalg) {
  Writer w;
  put_opaque16(w, modulus);
  put_opaque16(w, exponent);
  put_signed_part(w, signature, sigalg);
  return build_handshake(hs(HandshakeType::kServerKeyExchange), w.data());
}

std::string build_server_hello_done() {
  return build_handshake(hs(HandshakeType::kServerHelloDone), {});
}

std::string build_alert(std::uint8_t level, std::uint8_t description) {
  Writer w;
  w.u8(level);
  w.u8(description);
  return w.take();
}

std::string wrap_records(std::uint8_t content_type, std::uint16_t version, std::string_view payload,
                         std::size_t max_fragment) {
  const std::size_t step = std::clamp<std::size_t>(max_fragment, 1, kMaxRecordLength);
  Writer w;
  std::size_t pos = 0;
  do {
    const std::string_view fragment = payload.substr(pos, step);
    w.u8(content_type);
    w.u16(version);
    put_opaque16(w, fragment);
    pos += fragment.size();
  } while (pos < payload.size());
  return w.take();
}

std::string build_sslv2_server_hello(std::string_view cert_der,
                                     const std::vector<std::uint32_t>& ciphers,
                                     std::string_view connection_id) {
  Writer m;
  m.u8(kSslv2ServerHelloType);
  m.u8(0);  // SESSION-ID-HIT: a new session, so the certificate is sent
  m.u8(kSslv2X509Certificate);
  m.u16(kSslv2Version);
  m.u16(static_cast<std::uint16_t>(cert_der.size()));
  m.u16(static_cast<std::uint16_t>(ciphers.size() * 3));
  m.u16(static_cast<std::uint16_t>(connection_id.size()));
  m.bytes(cert_der);
  for (const std::uint32_t kind : ciphers) m.u24(kind);
  m.bytes(connection_id);

  // Two-byte header: high bit set, 15-bit length, no padding.
  const std::size_t length = m.size() & kSslv2MaxLength;
  Writer w;
  w.u16(static_cast<std::uint16_t>(0x8000 | length));
  w.bytes(m.data());
  return w.take();
}

}  // namespace smtpeer::tls::wire
