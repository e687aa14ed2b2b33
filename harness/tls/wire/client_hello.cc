// client_hello: ClientHello builders and parsers. Layout from RFC 5246
// §7.4.1.2 and RFC 8446 §4.1.2; extension bodies from RFC 6066 (server_name),
// RFC 8422 (supported_groups, ec_point_formats), RFC 5246 §7.4.1.4.1 and RFC
// 8446 §4.2.3 (signature_algorithms), RFC 8446 §4.2.1/§4.2.8/§4.2.9
// (supported_versions, key_share, psk_key_exchange_modes), RFC 5746
// (renegotiation_info), RFC 6520 (heartbeat), RFC 7627 (extended_master_secret)
// and RFC 5077 (session_ticket); the SSLv2 CLIENT-HELLO from RFC 5246 E.2.
#include "tls/wire/client_hello.h"

#include <algorithm>
#include <bitset>
#include <cstddef>
#include <string>
#include <utility>

#include "tls/wire/cursor.h"
#include "tls/wire/registry.h"

namespace smtpeer::tls::wire {
namespace {

constexpr std::uint8_t kHandshakeRecord = 22;
constexpr std::uint8_t kClientHelloType = 1;
constexpr std::uint8_t kHostNameType = 0;                // RFC 6066 §3: NameType host_name
constexpr std::uint8_t kPointFormatUncompressed = 0;     // RFC 8422 §5.1.2
constexpr std::uint8_t kPskDheKe = 1;                    // RFC 8446 §4.2.9
constexpr std::uint8_t kHeartbeatPeerAllowedToSend = 1;  // RFC 6520 §2
constexpr std::uint8_t kHeartbeatPeerNotAllowedToSend = 2;
constexpr std::size_t kRandomSize = 32;
constexpr std::size_t kMaxSessionId = 32;         // SessionID session_id<0..32>
constexpr std::size_t kMaxRecordLength = 0xffff;  // what the 16-bit length field can say

// RFC 7919: the FFDHE groups occupy 0x0100..0x01FF. Everything below is an
// elliptic curve (RFC 8422 §5.1.1), as are the two explicit-curve codes.
bool is_ec_group(std::uint16_t g) {
  return g < 0x0100 || g == 0xff01 || g == 0xff02;
}

// RFC 8701: GREASE values are 0x?A?A with both bytes equal; they are
// placeholders, never a version anyone means.
bool is_grease(std::uint16_t v) {
  return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

void put_u16_list16(Writer& w, const std::vector<std::uint16_t>& values) {
  const auto list = w.open16();
  for (const std::uint16_t v : values) w.u16(v);
  w.close(list);
}

// Ext: one extension being written; closes its length when it goes.
class Ext {
 public:
  Ext(Writer& w, std::uint16_t type) : w_(w) {
    w_.u16(type);
    mark_ = w_.open16();
  }
  ~Ext() { w_.close(mark_); }
  Ext(const Ext&) = delete;
  Ext& operator=(const Ext&) = delete;

 private:
  Writer& w_;
  Writer::Mark mark_;
};

std::vector<std::uint16_t> versions_to_offer(const ClientHelloSpec& spec) {
  if (!spec.supported_versions.empty()) return spec.supported_versions;
  if (spec.version == kTls13) return {kTls13};
  return {};
}

// write_extensions: the extension list, in the order the header documents.
void write_extensions(Writer& w, const ClientHelloSpec& spec) {
  if (spec.sni) {
    Ext ext(w, kExtServerName);
    const auto list = w.open16();
    w.u8(kHostNameType);
    const auto name = w.open16();
    w.bytes(*spec.sni);
    w.close(name);
    w.close(list);
  }
  if (!spec.groups.empty()) {
    Ext ext(w, kExtSupportedGroups);
    put_u16_list16(w, spec.groups);
  }
  if (spec.ec_point_formats && std::any_of(spec.groups.begin(), spec.groups.end(), is_ec_group)) {
    Ext ext(w, kExtEcPointFormats);
    const auto list = w.open8();
    w.u8(kPointFormatUncompressed);
    w.close(list);
  }
  if (!spec.signature_algorithms.empty()) {
    Ext ext(w, kExtSignatureAlgorithms);
    put_u16_list16(w, spec.signature_algorithms);
  }
  const std::vector<std::uint16_t> versions = versions_to_offer(spec);
  if (!versions.empty()) {
    {
      Ext ext(w, kExtSupportedVersions);
      const auto list = w.open8();
      for (const std::uint16_t v : versions) w.u16(v);
      w.close(list);
    }
    if (spec.psk_modes) {
      Ext ext(w, kExtPskKeyExchangeModes);
      const auto list = w.open8();
      w.u8(kPskDheKe);
      w.close(list);
    }
  }
  if (!spec.key_shares.empty() || spec.empty_key_share) {
    Ext ext(w, kExtKeyShare);
    const auto list = w.open16();
    for (const KeyShareEntry& share : spec.key_shares) {
      w.u16(share.group);
      const auto key = w.open16();
      w.bytes(share.key_exchange);
      w.close(key);
    }
    w.close(list);
  }
  if (spec.renegotiation_info) {
    Ext ext(w, kExtRenegotiationInfo);
    const auto renegotiated = w.open8();  // empty: this is an initial handshake
    w.close(renegotiated);
  }
  if (spec.heartbeat) {
    Ext ext(w, kExtHeartbeat);
    w.u8(kHeartbeatPeerAllowedToSend);
  }
  if (spec.extended_master_secret) {
    Ext ext(w, kExtExtendedMasterSecret);  // empty body
  }
  if (spec.session_ticket) {
    Ext ext(w, kExtSessionTicket);  // empty: no ticket to resume
  }
}

Error protocol_error(std::string_view what, std::string_view base, const Reader& at) {
  const auto offset = static_cast<std::size_t>(at.rest().data() - base.data());
  std::string message(what);
  message += " at offset ";
  message += std::to_string(offset);
  return make_error(ErrorCode::kProtocol, std::move(message));
}

// ExtensionParser: reads one extension's body into the info. Returns nullptr
// on success, else what was wrong (the caller adds the offset).
using ExtensionParser = const char* (*)(Reader body, ClientHelloInfo& info);

bool read_u16_list(Reader list, std::vector<std::uint16_t>& out) {
  if (list.remaining() % 2 != 0) return false;
  out.reserve(list.remaining() / 2);
  std::uint16_t v = 0;
  while (list.u16(v)) out.push_back(v);
  return true;
}

const char* parse_server_name(Reader body, ClientHelloInfo& info) {
  Reader list(std::string_view{});
  if (!body.prefixed16(list) || !body.empty()) return "server_name: bad server_name_list length";
  while (!list.empty()) {
    std::uint8_t type = 0;
    Reader name(std::string_view{});
    // Every NameType RFC 6066 defines (only host_name) and every one ever
    // deployed is a 16-bit-length opaque, so the list walks whatever the type.
    if (!list.u8(type) || !list.prefixed16(name)) return "server_name: bad entry length";
    if (type == kHostNameType && !info.sni) info.sni = std::string(name.rest());
  }
  return nullptr;
}

const char* parse_supported_groups(Reader body, ClientHelloInfo& info) {
  Reader list(std::string_view{});
  if (!body.prefixed16(list) || !body.empty() || !read_u16_list(list, info.groups)) {
    return "supported_groups: bad named_group_list length";
  }
  return nullptr;
}

const char* parse_signature_algorithms(Reader body, ClientHelloInfo& info) {
  Reader list(std::string_view{});
  if (!body.prefixed16(list) || !body.empty() || !read_u16_list(list, info.signature_algorithms)) {
    return "signature_algorithms: bad supported_signature_algorithms length";
  }
  return nullptr;
}

const char* parse_supported_versions(Reader body, ClientHelloInfo& info) {
  Reader list(std::string_view{});
  if (!body.prefixed8(list) || !body.empty() || !read_u16_list(list, info.supported_versions)) {
    return "supported_versions: bad versions length";
  }
  return nullptr;
}

const char* parse_key_share(Reader body, ClientHelloInfo& info) {
  Reader list(std::string_view{});
  if (!body.prefixed16(list) || !body.empty()) return "key_share: bad client_shares length";
  while (!list.empty()) {
    std::uint16_t group = 0;
    Reader key(std::string_view{});
    if (!list.u16(group) || !list.prefixed16(key)) return "key_share: bad KeyShareEntry length";
    if (key.empty()) return "key_share: empty key_exchange";  // opaque key_exchange<1..2^16-1>
    info.key_share_groups.push_back(group);
  }
  return nullptr;
}

const char* parse_renegotiation_info(Reader body, ClientHelloInfo& info) {
  Reader renegotiated(std::string_view{});
  if (!body.prefixed8(renegotiated) || !body.empty()) {
    return "renegotiation_info: bad renegotiated_connection length";
  }
  info.renegotiation_info = true;
  return nullptr;
}

const char* parse_heartbeat(Reader body, ClientHelloInfo& info) {
  std::uint8_t mode = 0;
  if (!body.u8(mode) || !body.empty()) return "heartbeat: body is not one byte";
  // RFC 6520 §2: "Upon reception of an unknown mode, an error Alert message
  // using illegal_parameter as its AlertDescription MUST be sent".
  if (mode != kHeartbeatPeerAllowedToSend && mode != kHeartbeatPeerNotAllowedToSend) {
    return "heartbeat: unknown mode";
  }
  info.heartbeat = true;
  return nullptr;
}

struct ExtensionRow {
  std::uint16_t type;
  ExtensionParser parse;
};

// The extensions whose contents ClientHelloInfo reports; others are skipped
// after their length is checked.
constexpr ExtensionRow kExtensionParsers[] = {
    {kExtServerName, parse_server_name},
    {kExtSupportedGroups, parse_supported_groups},
    {kExtSignatureAlgorithms, parse_signature_algorithms},
    {kExtSupportedVersions, parse_supported_versions},
    {kExtKeyShare, parse_key_share},
    {kExtRenegotiationInfo, parse_renegotiation_info},
    {kExtHeartbeat, parse_heartbeat},
};

// note_scsv: the signalling values a suite list can carry.
void note_scsv(std::uint16_t suite, ClientHelloInfo& info) {
  if (suite == kFallbackScsv) info.fallback_scsv = true;
  if (suite == kEmptyRenegotiationInfoScsv) info.renegotiation_info = true;
}

}  // namespace

std::string build_client_hello(const ClientHelloSpec& spec) {
  const bool ssl3_hello = spec.version <= kSsl3;

  Writer hs;
  hs.u8(kClientHelloType);
  const auto body = hs.open24();
  hs.u16(std::min(spec.version, kTls12));
  hs.bytes(std::string_view(reinterpret_cast<const char*>(spec.random.data()), spec.random.size()));
  const auto session_id = hs.open8();
  hs.bytes(spec.session_id);
  hs.close(session_id);

  const auto suites = hs.open16();
  for (const std::uint16_t s : spec.suites) hs.u16(s);
  if (spec.renegotiation_scsv) hs.u16(kEmptyRenegotiationInfoScsv);
  if (spec.fallback_scsv) hs.u16(kFallbackScsv);
  hs.close(suites);

  const auto compression = hs.open8();
  for (const std::uint8_t c : spec.compression) hs.u8(c);
  hs.close(compression);

  if (!ssl3_hello || spec.force_extensions) {
    Writer ext;
    write_extensions(ext, spec);
    // An SSLv3-era server may choke on an empty extensions block; none at all
    // is what a hello without extensions looks like.
    if (ext.size() > 0) {
      const auto block = hs.open16();
      hs.bytes(ext.data());
      hs.close(block);
    }
  }
  hs.close(body);

  const std::uint16_t record_version =
      spec.record_version != 0 ? spec.record_version : (ssl3_hello ? kSsl3 : kTls10);
  const std::size_t chunk = std::clamp<std::size_t>(spec.max_record, 1, kMaxRecordLength);
  const std::string_view message = hs.data();
  Writer out;
  for (std::size_t at = 0; at < message.size(); at += chunk) {
    const std::string_view part = message.substr(at, chunk);
    out.u8(kHandshakeRecord);
    out.u16(record_version);
    out.u16(static_cast<std::uint16_t>(part.size()));
    out.bytes(part);
  }
  return out.take();
}

std::string build_sslv2_client_hello(const std::vector<std::uint32_t>& ciphers,
                                     std::string_view challenge, std::uint16_t version) {
  Writer msg;
  msg.u8(kClientHelloType);
  msg.u16(version);
  msg.u16(static_cast<std::uint16_t>(ciphers.size() * 3));
  msg.u16(0);  // session_id_length: a fresh session
  msg.u16(static_cast<std::uint16_t>(challenge.size()));
  for (const std::uint32_t c : ciphers) msg.u24(c);
  msg.bytes(challenge);

  // RFC 5246 E.2: a two-byte header with the high bit set (no padding).
  const std::size_t n = msg.size();
  Writer out;
  out.u8(static_cast<std::uint8_t>(0x80 | ((n >> 8) & 0x7f)));
  out.u8(static_cast<std::uint8_t>(n & 0xff));
  out.bytes(msg.data());
  return out.take();
}

std::uint16_t ClientHelloInfo::highest_version() const {
  std::uint16_t best = 0;
  for (const std::uint16_t v : supported_versions) {
    if (!is_grease(v)) best = std::max(best, v);
  }
  return best != 0 ? best : legacy_version;
}

Result<ClientHelloInfo> parse_client_hello(std::string_view body) {
  ClientHelloInfo info;
  Reader r(body);
  auto fail = [&](std::string_view what, const Reader& at) -> Result<ClientHelloInfo> {
    return protocol_error(std::string("client_hello: ").append(what), body, at);
  };

  if (!r.u16(info.legacy_version)) return fail("truncated legacy_version", r);
  std::string_view random;
  if (!r.bytes(kRandomSize, random)) return fail("truncated random", r);
  info.random = std::string(random);

  const Reader before_session_id = r;
  Reader session_id(std::string_view{});
  if (!r.prefixed8(session_id)) return fail("truncated session_id", r);
  if (session_id.remaining() > kMaxSessionId) {
    return fail("session_id longer than 32 bytes", before_session_id);
  }
  info.session_id = std::string(session_id.rest());

  // CipherSuite cipher_suites<2..2^16-2>
  const Reader before_suites = r;
  Reader suites(std::string_view{});
  if (!r.prefixed16(suites)) return fail("truncated cipher_suites", r);
  if (suites.empty() || suites.remaining() % 2 != 0) {
    return fail("bad cipher_suites length", before_suites);
  }
  info.suites.reserve(suites.remaining() / 2);
  std::uint16_t suite = 0;
  while (suites.u16(suite)) {
    info.suites.push_back(suite);
    note_scsv(suite, info);
  }

  // opaque legacy_compression_methods<1..2^8-1>
  const Reader before_compression = r;
  Reader compression(std::string_view{});
  if (!r.prefixed8(compression)) return fail("truncated compression_methods", r);
  if (compression.empty()) return fail("empty compression_methods", before_compression);
  for (const char c : compression.rest()) info.compression.push_back(static_cast<std::uint8_t>(c));

  // RFC 5246 §7.4.1.2: the extensions block is optional, detected by bytes
  // following compression_methods.
  if (r.empty()) return info;
  Reader extensions(std::string_view{});
  if (!r.prefixed16(extensions)) return fail("bad extensions length", r);
  if (!r.empty()) return fail("trailing bytes after extensions", r);

  // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type."
  std::bitset<0x10000> seen;
  while (!extensions.empty()) {
    const Reader at = extensions;
    std::uint16_t type = 0;
    Reader ext(std::string_view{});
    if (!extensions.u16(type) || !extensions.prefixed16(ext)) {
      return fail("truncated extension", at);
    }
    if (seen.test(type)) return fail("duplicate extension " + std::to_string(type), at);
    seen.set(type);
    info.extensions.push_back(type);
    for (const ExtensionRow& row : kExtensionParsers) {
      if (row.type != type) continue;
      if (const char* what = row.parse(ext, info)) return fail(what, at);
      break;
    }
  }
  return info;
}

Result<ClientHelloInfo> parse_sslv2_client_hello(std::string_view message) {
  ClientHelloInfo info;
  info.sslv2 = true;
  Reader r(message);
  auto fail = [&](std::string_view what, const Reader& at) -> Result<ClientHelloInfo> {
    return protocol_error(std::string("sslv2_client_hello: ").append(what), message, at);
  };

  std::uint8_t type = 0;
  if (!r.u8(type)) return fail("truncated msg_type", r);
  if (type != kClientHelloType) return fail("msg_type is not CLIENT-HELLO", Reader(message));
  const Reader lengths_at = r;
  std::uint16_t cipher_len = 0;
  std::uint16_t session_id_len = 0;
  std::uint16_t challenge_len = 0;
  if (!r.u16(info.legacy_version) || !r.u16(cipher_len) || !r.u16(session_id_len) ||
      !r.u16(challenge_len)) {
    return fail("truncated header", r);
  }
  // RFC 5246 E.2: cipher_spec_length "can't be zero and MUST be multiple of
  // the V2CipherSpec length (3)"; session_id_length 0 or 16 (SSL 2.0 draft);
  // challenge 16..32 bytes.
  if (cipher_len == 0 || cipher_len % 3 != 0) return fail("bad cipher_spec_length", lengths_at);
  if (session_id_len != 0 && session_id_len != 16) {
    return fail("bad session_id_length", lengths_at);
  }
  if (challenge_len < 16 || challenge_len > 32) return fail("bad challenge_length", lengths_at);

  std::string_view specs;
  std::string_view session_id;
  std::string_view challenge;
  if (!r.bytes(cipher_len, specs)) return fail("truncated cipher_specs", r);
  if (!r.bytes(session_id_len, session_id)) return fail("truncated session_id", r);
  if (!r.bytes(challenge_len, challenge)) return fail("truncated challenge", r);
  if (!r.empty()) return fail("trailing bytes", r);

  Reader kinds(specs);
  std::uint32_t kind = 0;
  info.sslv2_ciphers.reserve(specs.size() / 3);
  while (kinds.u24(kind)) {
    info.sslv2_ciphers.push_back(kind);
    if (kind <= 0xffff) {
      const auto suite = static_cast<std::uint16_t>(kind);
      info.suites.push_back(suite);
      note_scsv(suite, info);
    }
  }
  info.session_id = std::string(session_id);
  info.random = std::string(challenge);  // as sent; RFC 5246 E.2 left-pads it to 32 bytes
  return info;
}

}  // namespace smtpeer::tls::wire
