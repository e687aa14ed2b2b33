// The IANA TLS registries smtpeer needs as tables (STYLE.md 4): protocol
// versions, cipher suites (TLS and SSLv2), named groups and signature schemes.
//
// Source: IANA "Transport Layer Security (TLS) Parameters" (cipher suites,
// supported groups, signature schemes) and the RFCs they cite; SSLv2 cipher
// kinds from the SSL 2.0 draft. Facts only; the tables are written here.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace smtpeer::tls::wire {

// Protocol versions as they appear on the wire. SSLv2 has its own record
// format; 0x0002 is its version number in the SSLv2 CLIENT-HELLO.
inline constexpr std::uint16_t kSsl2 = 0x0002;
inline constexpr std::uint16_t kSsl3 = 0x0300;
inline constexpr std::uint16_t kTls10 = 0x0301;
inline constexpr std::uint16_t kTls11 = 0x0302;
inline constexpr std::uint16_t kTls12 = 0x0303;
inline constexpr std::uint16_t kTls13 = 0x0304;

// version_name: "SSLv2", "SSLv3", "TLSv1.0".."TLSv1.3"; "0x7f1c" style otherwise.
std::string version_name(std::uint16_t version);

// Key exchange of a suite. kAny is TLS 1.3 (the suite does not fix it).
enum class Kx : std::uint8_t {
  kNull,
  kRsa,
  kRsaExport,  // RSA with a 512-bit ephemeral RSA key (export)
  kDh,         // static DH (DH_DSS, DH_RSA)
  kDhe,
  kEcdh,  // static ECDH (ECDH_ECDSA, ECDH_RSA)
  kEcdhe,
  kPsk,
  kDhePsk,
  kEcdhePsk,
  kRsaPsk,
  kSrp,
  kKrb5,
  kGost,
  kEccpwd,
  kAny,
  kScsv,  // signalling value, not a suite (TLS_EMPTY_RENEGOTIATION_INFO_SCSV, TLS_FALLBACK_SCSV)
};

// Authentication of a suite.
enum class Auth : std::uint8_t {
  kNull,  // NULL_WITH_NULL_NULL, SCSVs
  kRsa,
  kDss,
  kEcdsa,
  kAnon,  // anonymous: no server certificate (DH_anon, ECDH_anon)
  kPsk,
  kSrp,
  kKrb5,
  kGost,
  kEccpwd,
  kAny,  // TLS 1.3
};

std::string_view to_string(Kx kx);
std::string_view to_string(Auth auth);

// CipherSuite: one row of the IANA cipher-suite registry.
struct CipherSuite {
  std::uint16_t id;
  std::string_view name;     // IANA name, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
  std::string_view openssl;  // OpenSSL's name, "ECDHE-RSA-AES128-GCM-SHA256"; "" if none
  Kx kx;
  Auth auth;
  std::string_view cipher;    // "AES-128-GCM", "3DES-EDE-CBC", "RC4-128", "DES40-CBC", "NULL", …
  int bits;                   // effective symmetric key bits (export RC4 40 → 40; NULL → 0)
  bool export_grade;          // an EXPORT or EXPORT1024 suite
  std::uint16_t min_version;  // kSsl3; kTls12 for AEAD/SHA-256 suites; kTls13 for TLS 1.3 suites
};

// cipher_suites: the whole table in id order (TLS 1.3 suites and the SCSVs
// included; GREASE and private-use values excluded).
std::span<const CipherSuite> cipher_suites();
// find_suite: by id; nullptr if the registry has no such suite.
const CipherSuite* find_suite(std::uint16_t id);
// find_suite: by IANA name or OpenSSL name (case-sensitive); nullptr if unknown.
const CipherSuite* find_suite(std::string_view name);

// Properties a policy asks about (T3).
bool forward_secret(const CipherSuite& s);  // DHE, ECDHE, TLS 1.3, (EC)DHE-PSK
bool is_null_cipher(const CipherSuite& s);  // no encryption
bool is_anonymous(const CipherSuite& s);    // no server authentication
bool is_rc4(const CipherSuite& s);
bool is_3des(const CipherSuite& s);  // Sweet32 class (64-bit block: 3DES, DES, IDEA, RC2)
bool is_single_des(const CipherSuite& s);
bool is_cbc(const CipherSuite& s);
bool is_aead(const CipherSuite& s);
bool is_tls13(const CipherSuite& s);

// Signalling values.
inline constexpr std::uint16_t kEmptyRenegotiationInfoScsv = 0x00ff;
inline constexpr std::uint16_t kFallbackScsv = 0x5600;

// Sslv2Cipher: an SSLv2 CIPHER-KIND (3 bytes on the wire).
struct Sslv2Cipher {
  std::uint32_t id;
  std::string_view name;  // "SSL_CK_RC4_128_EXPORT40_WITH_MD5"
  int bits;
  bool export_grade;
};
std::span<const Sslv2Cipher> sslv2_ciphers();
const Sslv2Cipher* find_sslv2_cipher(std::uint32_t id);

// NamedGroup: supported_groups (elliptic curves and FFDHE groups).
struct NamedGroup {
  std::uint16_t id;
  std::string_view name;  // IANA: "secp256r1", "x25519", "ffdhe2048"
  int bits;               // field/key size: 256, 255 for x25519, 2048 for ffdhe2048
  bool ffdhe;
};
std::span<const NamedGroup> named_groups();
const NamedGroup* find_group(std::uint16_t id);
const NamedGroup* find_group(std::string_view name);

// SignatureScheme: signature_algorithms (TLS 1.2 hash/signature pairs and
// TLS 1.3 schemes share the code space).
struct SignatureScheme {
  std::uint16_t id;
  std::string_view name;  // "rsa_pss_rsae_sha256", "ecdsa_secp256r1_sha256", "rsa_pkcs1_sha1"
};
std::span<const SignatureScheme> signature_schemes();
const SignatureScheme* find_signature_scheme(std::uint16_t id);

// Alert descriptions (RFC 8446 §6, RFC 5246 §7.2, RFC 7507 for 86).
std::string_view alert_name(std::uint8_t description);  // "handshake_failure"; "" if unknown
inline constexpr std::uint8_t kAlertHandshakeFailure = 40;
inline constexpr std::uint8_t kAlertProtocolVersion = 70;
inline constexpr std::uint8_t kAlertInsufficientSecurity = 71;
inline constexpr std::uint8_t kAlertInappropriateFallback = 86;
inline constexpr std::uint8_t kAlertUnrecognizedName = 112;

// Extension types used by the builders and parsers.
inline constexpr std::uint16_t kExtServerName = 0;
inline constexpr std::uint16_t kExtStatusRequest = 5;
inline constexpr std::uint16_t kExtSupportedGroups = 10;
inline constexpr std::uint16_t kExtEcPointFormats = 11;
inline constexpr std::uint16_t kExtSignatureAlgorithms = 13;
inline constexpr std::uint16_t kExtHeartbeat = 15;
inline constexpr std::uint16_t kExtAlpn = 16;
inline constexpr std::uint16_t kExtEncryptThenMac = 22;
inline constexpr std::uint16_t kExtExtendedMasterSecret = 23;
inline constexpr std::uint16_t kExtSessionTicket = 35;
inline constexpr std::uint16_t kExtSupportedVersions = 43;
inline constexpr std::uint16_t kExtPskKeyExchangeModes = 45;
inline constexpr std::uint16_t kExtKeyShare = 51;
inline constexpr std::uint16_t kExtRenegotiationInfo = 0xff01;
std::string_view extension_name(std::uint16_t type);  // "server_name"; "" if unknown

}  // namespace smtpeer::tls::wire
