// registry: the IANA TLS tables as constexpr arrays, and lookups over them.
#include "tls/wire/registry.h"

#include <algorithm>
#include <array>
#include <cstddef>

namespace smtpeer::tls::wire {

namespace {

// Cipher suites. Source: IANA "TLS Cipher Suites" registry (tls-parameters-4),
// with the RFCs it cites: RFC 5246 App. C and RFC 4346 (classic and EXPORT
// suites), RFC 2712 (KRB5), RFC 4279/4785/5487/5489 (PSK), RFC 4162 (SEED),
// RFC 5932/6367 (Camellia), RFC 6209 (ARIA), RFC 5288/5289 (GCM), RFC 6655/7251
// (CCM), RFC 8422 (ECC), RFC 5054 (SRP), RFC 7905 (ChaCha20), RFC 8442
// (ECDHE_PSK AEAD), RFC 8492 (ECCPWD), RFC 8446 (TLS 1.3), RFC 8998 (SM4),
// RFC 9150 (integrity-only), RFC 9189 and RFC 9367 (GOST), RFC 5746
// (TLS_EMPTY_RENEGOTIATION_INFO_SCSV), RFC 7507 (TLS_FALLBACK_SCSV).
//
// Two blocks are not in the IANA registry but were widely deployed, so a peer
// may still offer or pick them:
// - 0x0060..0x0066, draft-ietf-tls-56-bit-ciphersuites ("EXPORT1024": 56-bit
//   keys, 1024-bit export RSA/DH). IANA lists the range as "Reserved to avoid
//   conflicts with widely deployed implementations". 0x0066 is the draft's
//   full-strength TLS_DHE_DSS_WITH_RC4_128_SHA, not an export suite.
// - 0x0080..0x0083, draft-chudov-cryptopro-cptls (GOST 28147-89 for TLS 1.0).
//
// openssl: the name OpenSSL 3 gives the suite (ssl3.h/tls1.h, `openssl ciphers
// -V`); for suites OpenSSL 1.1.0 dropped (EXPORT, single DES, KRB5, GOST 89)
// the OpenSSL 1.0.2 name; "" where OpenSSL never had one.
//
// bits: effective symmetric key strength. 3DES counts as 112 (meet in the
// middle), EXPORT suites as their 40 or 56 secret bits, NULL as 0.
//
// min_version: the lowest version the suite may be negotiated in. SHA-256/384
// MACs and AEAD ciphers need TLS 1.2 (RFC 5246 PRF), except where the defining
// RFC allows the older PRF (RFC 5487, 5489, 6367 PSK CBC/NULL suites: TLS 1.0);
// RFC 4492 ECC suites start at TLS 1.0; the suites OpenSSL marks "SSLv3" start
// there. GREASE (RFC 8701) and private-use values are not listed.
//
// The AEGIS suites 0x1306/0x1307 are left out: their registration points at an
// Internet-Draft whose suite names are still moving.
// clang-format off
constexpr auto kSuites = std::to_array<CipherSuite>({
    // id     IANA name  OpenSSL name  kx  auth  cipher  bits  export  min_version
    {0x0000, "TLS_NULL_WITH_NULL_NULL", "", Kx::kNull, Auth::kNull, "NULL", 0, false, kSsl3},
    {0x0001, "TLS_RSA_WITH_NULL_MD5", "NULL-MD5", Kx::kRsa, Auth::kRsa, "NULL", 0, false, kSsl3},
    {0x0002, "TLS_RSA_WITH_NULL_SHA", "NULL-SHA", Kx::kRsa, Auth::kRsa, "NULL", 0, false, kSsl3},
    {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", Kx::kRsaExport, Auth::kRsa, "RC4-40", 40, true, kSsl3},
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5", Kx::kRsa, Auth::kRsa, "RC4-128", 128, false, kSsl3},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA", Kx::kRsa, Auth::kRsa, "RC4-128", 128, false, kSsl3},
    {0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-RC2-CBC-MD5", Kx::kRsaExport, Auth::kRsa, "RC2-CBC-40", 40, true, kSsl3},
    {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", "IDEA-CBC-SHA", Kx::kRsa, Auth::kRsa, "IDEA-CBC", 128, false, kSsl3},
    {0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DES-CBC-SHA", Kx::kRsaExport, Auth::kRsa, "DES40-CBC", 40, true, kSsl3},
    {0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", Kx::kRsa, Auth::kRsa, "DES-CBC", 56, false, kSsl3},
    {0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", Kx::kRsa, Auth::kRsa, "3DES-EDE-CBC", 112, false, kSsl3},
    {0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-DSS-DES-CBC-SHA", Kx::kDh, Auth::kDss, "DES40-CBC", 40, true, kSsl3},
    {0x000C, "TLS_DH_DSS_WITH_DES_CBC_SHA", "DH-DSS-DES-CBC-SHA", Kx::kDh, Auth::kDss, "DES-CBC", 56, false, kSsl3},
    {0x000D, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", "DH-DSS-DES-CBC3-SHA", Kx::kDh, Auth::kDss, "3DES-EDE-CBC", 112, false, kSsl3},
    {0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-DH-RSA-DES-CBC-SHA", Kx::kDh, Auth::kRsa, "DES40-CBC", 40, true, kSsl3},
    {0x000F, "TLS_DH_RSA_WITH_DES_CBC_SHA", "DH-RSA-DES-CBC-SHA", Kx::kDh, Auth::kRsa, "DES-CBC", 56, false, kSsl3},
    {0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", "DH-RSA-DES-CBC3-SHA", Kx::kDh, Auth::kRsa, "3DES-EDE-CBC", 112, false, kSsl3},
    {0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-DSS-DES-CBC-SHA", Kx::kDhe, Auth::kDss, "DES40-CBC", 40, true, kSsl3},
    {0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", "EDH-DSS-DES-CBC-SHA", Kx::kDhe, Auth::kDss, "DES-CBC", 56, false, kSsl3},
    {0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", "DHE-DSS-DES-CBC3-SHA", Kx::kDhe, Auth::kDss, "3DES-EDE-CBC", 112, false, kSsl3},
    {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", "EXP-EDH-RSA-DES-CBC-SHA", Kx::kDhe, Auth::kRsa, "DES40-CBC", 40, true, kSsl3},
    {0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", "EDH-RSA-DES-CBC-SHA", Kx::kDhe, Auth::kRsa, "DES-CBC", 56, false, kSsl3},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "DHE-RSA-DES-CBC3-SHA", Kx::kDhe, Auth::kRsa, "3DES-EDE-CBC", 112, false, kSsl3},
    {0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", "EXP-ADH-RC4-MD5", Kx::kDhe, Auth::kAnon, "RC4-40", 40, true, kSsl3},
    {0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5", Kx::kDhe, Auth::kAnon, "RC4-128", 128, false, kSsl3},
    {0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", "EXP-ADH-DES-CBC-SHA", Kx::kDhe, Auth::kAnon, "DES40-CBC", 40, true, kSsl3},
    {0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA", "ADH-DES-CBC-SHA", Kx::kDhe, Auth::kAnon, "DES-CBC", 56, false, kSsl3},
    {0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", "ADH-DES-CBC3-SHA", Kx::kDhe, Auth::kAnon, "3DES-EDE-CBC", 112, false, kSsl3},
    {0x001E, "TLS_KRB5_WITH_DES_CBC_SHA", "KRB5-DES-CBC-SHA", Kx::kKrb5, Auth::kKrb5, "DES-CBC", 56, false, kSsl3},
    {0x001F, "TLS_KRB5_WITH_3DES_EDE_CBC_SHA", "KRB5-DES-CBC3-SHA", Kx::kKrb5, Auth::kKrb5, "3DES-EDE-CBC", 112, false, kSsl3},
    {0x0020, "TLS_KRB5_WITH_RC4_128_SHA", "KRB5-RC4-SHA", Kx::kKrb5, Auth::kKrb5, "RC4-128", 128, false, kSsl3},
    {0x0021, "TLS_KRB5_WITH_IDEA_CBC_SHA", "KRB5-IDEA-CBC-SHA", Kx::kKrb5, Auth::kKrb5, "IDEA-CBC", 128, false, kSsl3},
    {0x0022, "TLS_KRB5_WITH_DES_CBC_MD5", "KRB5-DES-CBC-MD5", Kx::kKrb5, Auth::kKrb5, "DES-CBC", 56, false, kSsl3},
    {0x0023, "TLS_KRB5_WITH_3DES_EDE_CBC_MD5", "KRB5-DES-CBC3-MD5", Kx::kKrb5, Auth::kKrb5, "3DES-EDE-CBC", 112, false, kSsl3},
    {0x0024, "TLS_KRB5_WITH_RC4_128_MD5", "KRB5-RC4-MD5", Kx::kKrb5, Auth::kKrb5, "RC4-128", 128, false, kSsl3},
    {0x0025, "TLS_KRB5_WITH_IDEA_CBC_MD5", "KRB5-IDEA-CBC-MD5", Kx::kKrb5, Auth::kKrb5, "IDEA-CBC", 128, false, kSsl3},
    {0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA", "EXP-KRB5-DES-CBC-SHA", Kx::kKrb5, Auth::kKrb5, "DES40-CBC", 40, true, kSsl3},
    {0x0027, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_SHA", "EXP-KRB5-RC2-CBC-SHA", Kx::kKrb5, Auth::kKrb5, "RC2-CBC-40", 40, true, kSsl3},
    {0x0028, "TLS_KRB5_EXPORT_WITH_RC4_40_SHA", "EXP-KRB5-RC4-SHA", Kx::kKrb5, Auth::kKrb5, "RC4-40", 40, true, kSsl3},
    {0x0029, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_MD5", "EXP-KRB5-DES-CBC-MD5", Kx::kKrb5, Auth::kKrb5, "DES40-CBC", 40, true, kSsl3},
    {0x002A, "TLS_KRB5_EXPORT_WITH_RC2_CBC_40_MD5", "EXP-KRB5-RC2-CBC-MD5", Kx::kKrb5, Auth::kKrb5, "RC2-CBC-40", 40, true, kSsl3},
    {0x002B, "TLS_KRB5_EXPORT_WITH_RC4_40_MD5", "EXP-KRB5-RC4-MD5", Kx::kKrb5, Auth::kKrb5, "RC4-40", 40, true, kSsl3},
    {0x002C, "TLS_PSK_WITH_NULL_SHA", "PSK-NULL-SHA", Kx::kPsk, Auth::kPsk, "NULL", 0, false, kSsl3},
    {0x002D, "TLS_DHE_PSK_WITH_NULL_SHA", "DHE-PSK-NULL-SHA", Kx::kDhePsk, Auth::kPsk, "NULL", 0, false, kSsl3},
    {0x002E, "TLS_RSA_PSK_WITH_NULL_SHA", "RSA-PSK-NULL-SHA", Kx::kRsaPsk, Auth::kRsa, "NULL", 0, false, kSsl3},
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", Kx::kRsa, Auth::kRsa, "AES-128-CBC", 128, false, kSsl3},
    {0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", "DH-DSS-AES128-SHA", Kx::kDh, Auth::kDss, "AES-128-CBC", 128, false, kSsl3},
    {0x0031, "TLS_DH_RSA_WITH_AES_128_CBC_SHA", "DH-RSA-AES128-SHA", Kx::kDh, Auth::kRsa, "AES-128-CBC", 128, false, kSsl3},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA", "DHE-DSS-AES128-SHA", Kx::kDhe, Auth::kDss, "AES-128-CBC", 128, false, kSsl3},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE-RSA-AES128-SHA", Kx::kDhe, Auth::kRsa, "AES-128-CBC", 128, false, kSsl3},
    {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA", Kx::kDhe, Auth::kAnon, "AES-128-CBC", 128, false, kSsl3},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", Kx::kRsa, Auth::kRsa, "AES-256-CBC", 256, false, kSsl3},
    {0x0036, "TLS_DH_DSS_WITH_AES_256_CBC_SHA", "DH-DSS-AES256-SHA", Kx::kDh, Auth::kDss, "AES-256-CBC", 256, false, kSsl3},
    {0x0037, "TLS_DH_RSA_WITH_AES_256_CBC_SHA", "DH-RSA-AES256-SHA", Kx::kDh, Auth::kRsa, "AES-256-CBC", 256, false, kSsl3},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA", "DHE-DSS-AES256-SHA", Kx::kDhe, Auth::kDss, "AES-256-CBC", 256, false, kSsl3},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "DHE-RSA-AES256-SHA", Kx::kDhe, Auth::kRsa, "AES-256-CBC", 256, false, kSsl3},
    {0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA", "ADH-AES256-SHA", Kx::kDhe, Auth::kAnon, "AES-256-CBC", 256, false, kSsl3},
    {0x003B, "TLS_RSA_WITH_NULL_SHA256", "NULL-SHA256", Kx::kRsa, Auth::kRsa, "NULL", 0, false, kTls12},
    {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", Kx::kRsa, Auth::kRsa, "AES-128-CBC", 128, false, kTls12},
    {0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256", Kx::kRsa, Auth::kRsa, "AES-256-CBC", 256, false, kTls12},
    {0x003E, "TLS_DH_DSS_WITH_AES_128_CBC_SHA256", "DH-DSS-AES128-SHA256", Kx::kDh, Auth::kDss, "AES-128-CBC", 128, false, kTls12},
    {0x003F, "TLS_DH_RSA_WITH_AES_128_CBC_SHA256", "DH-RSA-AES128-SHA256", Kx::kDh, Auth::kRsa, "AES-128-CBC", 128, false, kTls12},
    {0x0040, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256", "DHE-DSS-AES128-SHA256", Kx::kDhe, Auth::kDss, "AES-128-CBC", 128, false, kTls12},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA", "CAMELLIA128-SHA", Kx::kRsa, Auth::kRsa, "CAMELLIA-128-CBC", 128, false, kSsl3},
    {0x0042, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA", "DH-DSS-CAMELLIA128-SHA", Kx::kDh, Auth::kDss, "CAMELLIA-128-CBC", 128, false, kSsl3},
    {0x0043, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA", "DH-RSA-CAMELLIA128-SHA", Kx::kDh, Auth::kRsa, "CAMELLIA-128-CBC", 128, false, kSsl3},
    {0x0044, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA", "DHE-DSS-CAMELLIA128-SHA", Kx::kDhe, Auth::kDss, "CAMELLIA-128-CBC", 128, false, kSsl3},
    {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA", "DHE-RSA-CAMELLIA128-SHA", Kx::kDhe, Auth::kRsa, "CAMELLIA-128-CBC", 128, false, kSsl3},
    {0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", "ADH-CAMELLIA128-SHA", Kx::kDhe, Auth::kAnon, "CAMELLIA-128-CBC", 128, false, kSsl3},
    {0x0060, "TLS_RSA_EXPORT1024_WITH_RC4_56_MD5", "EXP1024-RC4-MD5", Kx::kRsaExport, Auth::kRsa, "RC4-56", 56, true, kSsl3},
    {0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5", "EXP1024-RC2-CBC-MD5", Kx::kRsaExport, Auth::kRsa, "RC2-CBC-56", 56, true, kSsl3},
    {0x0062, "TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA", "EXP1024-DES-CBC-SHA", Kx::kRsaExport, Auth::kRsa, "DES-CBC", 56, true, kSsl3},
    {0x0063, "TLS_DHE_DSS_EXPORT1024_WITH_DES_CBC_SHA", "EXP1024-DHE-DSS-DES-CBC-SHA", Kx::kDhe, Auth::kDss, "DES-CBC", 56, true, kSsl3},
    {0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", "EXP1024-RC4-SHA", Kx::kRsaExport, Auth::kRsa, "RC4-56", 56, true, kSsl3},
    {0x0065, "TLS_DHE_DSS_EXPORT1024_WITH_RC4_56_SHA", "EXP1024-DHE-DSS-RC4-SHA", Kx::kDhe, Auth::kDss, "RC4-56", 56, true, kSsl3},
    {0x0066, "TLS_DHE_DSS_WITH_RC4_128_SHA", "DHE-DSS-RC4-SHA", Kx::kDhe, Auth::kDss, "RC4-128", 128, false, kSsl3},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "DHE-RSA-AES128-SHA256", Kx::kDhe, Auth::kRsa, "AES-128-CBC", 128, false, kTls12},
    {0x0068, "TLS_DH_DSS_WITH_AES_256_CBC_SHA256", "DH-DSS-AES256-SHA256", Kx::kDh, Auth::kDss, "AES-256-CBC", 256, false, kTls12},
    {0x0069, "TLS_DH_RSA_WITH_AES_256_CBC_SHA256", "DH-RSA-AES256-SHA256", Kx::kDh, Auth::kRsa, "AES-256-CBC", 256, false, kTls12},
    {0x006A, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "DHE-DSS-AES256-SHA256", Kx::kDhe, Auth::kDss, "AES-256-CBC", 256, false, kTls12},
    {0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "DHE-RSA-AES256-SHA256", Kx::kDhe, Auth::kRsa, "AES-256-CBC", 256, false, kTls12},
    {0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", "ADH-AES128-SHA256", Kx::kDhe, Auth::kAnon, "AES-128-CBC", 128, false, kTls12},
    {0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", "ADH-AES256-SHA256", Kx::kDhe, Auth::kAnon, "AES-256-CBC", 256, false, kTls12},
    {0x0080, "TLS_GOSTR341094_WITH_28147_CNT_IMIT", "GOST94-GOST89-GOST89", Kx::kGost, Auth::kGost, "GOST28147-CNT", 256, false, kTls10},
    {0x0081, "TLS_GOSTR341001_WITH_28147_CNT_IMIT", "GOST2001-GOST89-GOST89", Kx::kGost, Auth::kGost, "GOST28147-CNT", 256, false, kTls10},
    {0x0082, "TLS_GOSTR341094_WITH_NULL_GOSTR3411", "GOST94-NULL-GOST94", Kx::kGost, Auth::kGost, "NULL", 0, false, kTls10},
    {0x0083, "TLS_GOSTR341001_WITH_NULL_GOSTR3411", "GOST2001-NULL-GOST94", Kx::kGost, Auth::kGost, "NULL", 0, false, kTls10},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", "CAMELLIA256-SHA", Kx::kRsa, Auth::kRsa, "CAMELLIA-256-CBC", 256, false, kSsl3},
    {0x0085, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA", "DH-DSS-CAMELLIA256-SHA", Kx::kDh, Auth::kDss, "CAMELLIA-256-CBC", 256, false, kSsl3},
    {0x0086, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA", "DH-RSA-CAMELLIA256-SHA", Kx::kDh, Auth::kRsa, "CAMELLIA-256-CBC", 256, false, kSsl3},
    {0x0087, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA", "DHE-DSS-CAMELLIA256-SHA", Kx::kDhe, Auth::kDss, "CAMELLIA-256-CBC", 256, false, kSsl3},
    {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA", "DHE-RSA-CAMELLIA256-SHA", Kx::kDhe, Auth::kRsa, "CAMELLIA-256-CBC", 256, false, kSsl3},
    {0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", "ADH-CAMELLIA256-SHA", Kx::kDhe, Auth::kAnon, "CAMELLIA-256-CBC", 256, false, kSsl3},
    {0x008A, "TLS_PSK_WITH_RC4_128_SHA", "PSK-RC4-SHA", Kx::kPsk, Auth::kPsk, "RC4-128", 128, false, kSsl3},
    {0x008B, "TLS_PSK_WITH_3DES_EDE_CBC_SHA", "PSK-3DES-EDE-CBC-SHA", Kx::kPsk, Auth::kPsk, "3DES-EDE-CBC", 112, false, kSsl3},
    {0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK-AES128-CBC-SHA", Kx::kPsk, Auth::kPsk, "AES-128-CBC", 128, false, kSsl3},
    {0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA", "PSK-AES256-CBC-SHA", Kx::kPsk, Auth::kPsk, "AES-256-CBC", 256, false, kSsl3},
    {0x008E, "TLS_DHE_PSK_WITH_RC4_128_SHA", "DHE-PSK-RC4-SHA", Kx::kDhePsk, Auth::kPsk, "RC4-128", 128, false, kSsl3},
    {0x008F, "TLS_DHE_PSK_WITH_3DES_EDE_CBC_SHA", "DHE-PSK-3DES-EDE-CBC-SHA", Kx::kDhePsk, Auth::kPsk, "3DES-EDE-CBC", 112, false, kSsl3},
    {0x0090, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA", "DHE-PSK-AES128-CBC-SHA", Kx::kDhePsk, Auth::kPsk, "AES-128-CBC", 128, false, kSsl3},
    {0x0091, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA", "DHE-PSK-AES256-CBC-SHA", Kx::kDhePsk, Auth::kPsk, "AES-256-CBC", 256, false, kSsl3},
    {0x0092, "TLS_RSA_PSK_WITH_RC4_128_SHA", "RSA-PSK-RC4-SHA", Kx::kRsaPsk, Auth::kRsa, "RC4-128", 128, false, kSsl3},
    {0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA", "RSA-PSK-3DES-EDE-CBC-SHA", Kx::kRsaPsk, Auth::kRsa, "3DES-EDE-CBC", 112, false, kSsl3},
    {0x0094, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA", "RSA-PSK-AES128-CBC-SHA", Kx::kRsaPsk, Auth::kRsa, "AES-128-CBC", 128, false, kSsl3},
    {0x0095, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA", "RSA-PSK-AES256-CBC-SHA", Kx::kRsaPsk, Auth::kRsa, "AES-256-CBC", 256, false, kSsl3},
    {0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA", Kx::kRsa, Auth::kRsa, "SEED-CBC", 128, false, kSsl3},
    {0x0097, "TLS_DH_DSS_WITH_SEED_CBC_SHA", "DH-DSS-SEED-SHA", Kx::kDh, Auth::kDss, "SEED-CBC", 128, false, kSsl3},
    {0x0098, "TLS_DH_RSA_WITH_SEED_CBC_SHA", "DH-RSA-SEED-SHA", Kx::kDh, Auth::kRsa, "SEED-CBC", 128, false, kSsl3},
    {0x0099, "TLS_DHE_DSS_WITH_SEED_CBC_SHA", "DHE-DSS-SEED-SHA", Kx::kDhe, Auth::kDss, "SEED-CBC", 128, false, kSsl3},
    {0x009A, "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "DHE-RSA-SEED-SHA", Kx::kDhe, Auth::kRsa, "SEED-CBC", 128, false, kSsl3},
    {0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA", "ADH-SEED-SHA", Kx::kDhe, Auth::kAnon, "SEED-CBC", 128, false, kSsl3},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", Kx::kRsa, Auth::kRsa, "AES-128-GCM", 128, false, kTls12},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", Kx::kRsa, Auth::kRsa, "AES-256-GCM", 256, false, kTls12},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE-RSA-AES128-GCM-SHA256", Kx::kDhe, Auth::kRsa, "AES-128-GCM", 128, false, kTls12},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "DHE-RSA-AES256-GCM-SHA384", Kx::kDhe, Auth::kRsa, "AES-256-GCM", 256, false, kTls12},
    {0x00A0, "TLS_DH_RSA_WITH_AES_128_GCM_SHA256", "DH-RSA-AES128-GCM-SHA256", Kx::kDh, Auth::kRsa, "AES-128-GCM", 128, false, kTls12},
    {0x00A1, "TLS_DH_RSA_WITH_AES_256_GCM_SHA384", "DH-RSA-AES256-GCM-SHA384", Kx::kDh, Auth::kRsa, "AES-256-GCM", 256, false, kTls12},
    {0x00A2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "DHE-DSS-AES128-GCM-SHA256", Kx::kDhe, Auth::kDss, "AES-128-GCM", 128, false, kTls12},
    {0x00A3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "DHE-DSS-AES256-GCM-SHA384", Kx::kDhe, Auth::kDss, "AES-256-GCM", 256, false, kTls12},
    {0x00A4, "TLS_DH_DSS_WITH_AES_128_GCM_SHA256", "DH-DSS-AES128-GCM-SHA256", Kx::kDh, Auth::kDss, "AES-128-GCM", 128, false, kTls12},
    {0x00A5, "TLS_DH_DSS_WITH_AES_256_GCM_SHA384", "DH-DSS-AES256-GCM-SHA384", Kx::kDh, Auth::kDss, "AES-256-GCM", 256, false, kTls12},
    {0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", "ADH-AES128-GCM-SHA256", Kx::kDhe, Auth::kAnon, "AES-128-GCM", 128, false, kTls12},
    {0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", "ADH-AES256-GCM-SHA384", Kx::kDhe, Auth::kAnon, "AES-256-GCM", 256, false, kTls12},
    {0x00A8, "TLS_PSK_WITH_AES_128_GCM_SHA256", "PSK-AES128-GCM-SHA256", Kx::kPsk, Auth::kPsk, "AES-128-GCM", 128, false, kTls12},
    {0x00A9, "TLS_PSK_WITH_AES_256_GCM_SHA384", "PSK-AES256-GCM-SHA384", Kx::kPsk, Auth::kPsk, "AES-256-GCM", 256, false, kTls12},
    {0x00AA, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", "DHE-PSK-AES128-GCM-SHA256", Kx::kDhePsk, Auth::kPsk, "AES-128-GCM", 128, false, kTls12},
    {0x00AB, "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384", "DHE-PSK-AES256-GCM-SHA384", Kx::kDhePsk, Auth::kPsk, "AES-256-GCM", 256, false, kTls12},
    {0x00AC, "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256", "RSA-PSK-AES128-GCM-SHA256", Kx::kRsaPsk, Auth::kRsa, "AES-128-GCM", 128, false, kTls12},
    {0x00AD, "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384", "RSA-PSK-AES256-GCM-SHA384", Kx::kRsaPsk, Auth::kRsa, "AES-256-GCM", 256, false, kTls12},
    {0x00AE, "TLS_PSK_WITH_AES_128_CBC_SHA256", "PSK-AES128-CBC-SHA256", Kx::kPsk, Auth::kPsk, "AES-128-CBC", 128, false, kTls10},
    {0x00AF, "TLS_PSK_WITH_AES_256_CBC_SHA384", "PSK-AES256-CBC-SHA384", Kx::kPsk, Auth::kPsk, "AES-256-CBC", 256, false, kTls10},
    {0x00B0, "TLS_PSK_WITH_NULL_SHA256", "PSK-NULL-SHA256", Kx::kPsk, Auth::kPsk, "NULL", 0, false, kTls10},
    {0x00B1, "TLS_PSK_WITH_NULL_SHA384", "PSK-NULL-SHA384", Kx::kPsk, Auth::kPsk, "NULL", 0, false, kTls10},
    {0x00B2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256", "DHE-PSK-AES128-CBC-SHA256", Kx::kDhePsk, Auth::kPsk, "AES-128-CBC", 128, false, kTls10},
    {0x00B3, "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384", "DHE-PSK-AES256-CBC-SHA384", Kx::kDhePsk, Auth::kPsk, "AES-256-CBC", 256, false, kTls10},
    {0x00B4, "TLS_DHE_PSK_WITH_NULL_SHA256", "DHE-PSK-NULL-SHA256", Kx::kDhePsk, Auth::kPsk, "NULL", 0, false, kTls10},
    {0x00B5, "TLS_DHE_PSK_WITH_NULL_SHA384", "DHE-PSK-NULL-SHA384", Kx::kDhePsk, Auth::kPsk, "NULL", 0, false, kTls10},
    {0x00B6, "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256", "RSA-PSK-AES128-CBC-SHA256", Kx::kRsaPsk, Auth::kRsa, "AES-128-CBC", 128, false, kTls10},
    {0x00B7, "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384", "RSA-PSK-AES256-CBC-SHA384", Kx::kRsaPsk, Auth::kRsa, "AES-256-CBC", 256, false, kTls10},
    {0x00B8, "TLS_RSA_PSK_WITH_NULL_SHA256", "RSA-PSK-NULL-SHA256", Kx::kRsaPsk, Auth::kRsa, "NULL", 0, false, kTls10},
    {0x00B9, "TLS_RSA_PSK_WITH_NULL_SHA384", "RSA-PSK-NULL-SHA384", Kx::kRsaPsk, Auth::kRsa, "NULL", 0, false, kTls10},
    {0x00BA, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256", "CAMELLIA128-SHA256", Kx::kRsa, Auth::kRsa, "CAMELLIA-128-CBC", 128, false, kTls12},
    {0x00BB, "TLS_DH_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DH-DSS-CAMELLIA128-SHA256", Kx::kDh, Auth::kDss, "CAMELLIA-128-CBC", 128, false, kTls12},
    {0x00BC, "TLS_DH_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DH-RSA-CAMELLIA128-SHA256", Kx::kDh, Auth::kRsa, "CAMELLIA-128-CBC", 128, false, kTls12},
    {0x00BD, "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256", "DHE-DSS-CAMELLIA128-SHA256", Kx::kDhe, Auth::kDss, "CAMELLIA-128-CBC", 128, false, kTls12},
    {0x00BE, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "DHE-RSA-CAMELLIA128-SHA256", Kx::kDhe, Auth::kRsa, "CAMELLIA-128-CBC", 128, false, kTls12},
    {0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256", "ADH-CAMELLIA128-SHA256", Kx::kDhe, Auth::kAnon, "CAMELLIA-128-CBC", 128, false, kTls12},
    {0x00C0, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256", "CAMELLIA256-SHA256", Kx::kRsa, Auth::kRsa, "CAMELLIA-256-CBC", 256, false, kTls12},
    {0x00C1, "TLS_DH_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DH-DSS-CAMELLIA256-SHA256", Kx::kDh, Auth::kDss, "CAMELLIA-256-CBC", 256, false, kTls12},
    {0x00C2, "TLS_DH_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DH-RSA-CAMELLIA256-SHA256", Kx::kDh, Auth::kRsa, "CAMELLIA-256-CBC", 256, false, kTls12},
    {0x00C3, "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256", "DHE-DSS-CAMELLIA256-SHA256", Kx::kDhe, Auth::kDss, "CAMELLIA-256-CBC", 256, false, kTls12},
    {0x00C4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", "DHE-RSA-CAMELLIA256-SHA256", Kx::kDhe, Auth::kRsa, "CAMELLIA-256-CBC", 256, false, kTls12},
    {0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256", "ADH-CAMELLIA256-SHA256", Kx::kDhe, Auth::kAnon, "CAMELLIA-256-CBC", 256, false, kTls12},
    {0x00C6, "TLS_SM4_GCM_SM3", "", Kx::kAny, Auth::kAny, "SM4-GCM", 128, false, kTls13},
    {0x00C7, "TLS_SM4_CCM_SM3", "", Kx::kAny, Auth::kAny, "SM4-CCM", 128, false, kTls13},
    {0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", "", Kx::kScsv, Auth::kNull, "NULL", 0, false, kSsl3},
    {0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", Kx::kAny, Auth::kAny, "AES-128-GCM", 128, false, kTls13},
    {0x1302, "TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", Kx::kAny, Auth::kAny, "AES-256-GCM", 256, false, kTls13},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", Kx::kAny, Auth::kAny, "CHACHA20-POLY1305", 256, false, kTls13},
    {0x1304, "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_SHA256", Kx::kAny, Auth::kAny, "AES-128-CCM", 128, false, kTls13},
    {0x1305, "TLS_AES_128_CCM_8_SHA256", "TLS_AES_128_CCM_8_SHA256", Kx::kAny, Auth::kAny, "AES-128-CCM-8", 128, false, kTls13},
    {0x5600, "TLS_FALLBACK_SCSV", "", Kx::kScsv, Auth::kNull, "NULL", 0, false, kSsl3},
    {0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", "ECDH-ECDSA-NULL-SHA", Kx::kEcdh, Auth::kEcdsa, "NULL", 0, false, kTls10},
    {0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", "ECDH-ECDSA-RC4-SHA", Kx::kEcdh, Auth::kEcdsa, "RC4-128", 128, false, kTls10},
    {0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDH-ECDSA-DES-CBC3-SHA", Kx::kEcdh, Auth::kEcdsa, "3DES-EDE-CBC", 112, false, kTls10},
    {0xC004, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", "ECDH-ECDSA-AES128-SHA", Kx::kEcdh, Auth::kEcdsa, "AES-128-CBC", 128, false, kTls10},
    {0xC005, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA", "ECDH-ECDSA-AES256-SHA", Kx::kEcdh, Auth::kEcdsa, "AES-256-CBC", 256, false, kTls10},
    {0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", "ECDHE-ECDSA-NULL-SHA", Kx::kEcdhe, Auth::kEcdsa, "NULL", 0, false, kTls10},
    {0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "ECDHE-ECDSA-RC4-SHA", Kx::kEcdhe, Auth::kEcdsa, "RC4-128", 128, false, kTls10},
    {0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-ECDSA-DES-CBC3-SHA", Kx::kEcdhe, Auth::kEcdsa, "3DES-EDE-CBC", 112, false, kTls10},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", Kx::kEcdhe, Auth::kEcdsa, "AES-128-CBC", 128, false, kTls10},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", Kx::kEcdhe, Auth::kEcdsa, "AES-256-CBC", 256, false, kTls10},
    {0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA", "ECDH-RSA-NULL-SHA", Kx::kEcdh, Auth::kRsa, "NULL", 0, false, kTls10},
    {0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA", "ECDH-RSA-RC4-SHA", Kx::kEcdh, Auth::kRsa, "RC4-128", 128, false, kTls10},
    {0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", "ECDH-RSA-DES-CBC3-SHA", Kx::kEcdh, Auth::kRsa, "3DES-EDE-CBC", 112, false, kTls10},
    {0xC00E, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", "ECDH-RSA-AES128-SHA", Kx::kEcdh, Auth::kRsa, "AES-128-CBC", 128, false, kTls10},
    {0xC00F, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA", "ECDH-RSA-AES256-SHA", Kx::kEcdh, Auth::kRsa, "AES-256-CBC", 256, false, kTls10},
    {0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA", "ECDHE-RSA-NULL-SHA", Kx::kEcdhe, Auth::kRsa, "NULL", 0, false, kTls10},
    {0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "ECDHE-RSA-RC4-SHA", Kx::kEcdhe, Auth::kRsa, "RC4-128", 128, false, kTls10},
    {0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA", Kx::kEcdhe, Auth::kRsa, "3DES-EDE-CBC", 112, false, kTls10},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", Kx::kEcdhe, Auth::kRsa, "AES-128-CBC", 128, false, kTls10},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", Kx::kEcdhe, Auth::kRsa, "AES-256-CBC", 256, false, kTls10},
    {0xC015, "TLS_ECDH_anon_WITH_NULL_SHA", "AECDH-NULL-SHA", Kx::kEcdhe, Auth::kAnon, "NULL", 0, false, kTls10},
    {0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA", "AECDH-RC4-SHA", Kx::kEcdhe, Auth::kAnon, "RC4-128", 128, false, kTls10},
    {0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", "AECDH-DES-CBC3-SHA", Kx::kEcdhe, Auth::kAnon, "3DES-EDE-CBC", 112, false, kTls10},
    {0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", "AECDH-AES128-SHA", Kx::kEcdhe, Auth::kAnon, "AES-128-CBC", 128, false, kTls10},
    {0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", "AECDH-AES256-SHA", Kx::kEcdhe, Auth::kAnon, "AES-256-CBC", 256, false, kTls10},
    {0xC01A, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", "SRP-3DES-EDE-CBC-SHA", Kx::kSrp, Auth::kSrp, "3DES-EDE-CBC", 112, false, kSsl3},
    {0xC01B, "TLS_SRP_SHA_RSA_WITH_3DES_EDE_CBC_SHA", "SRP-RSA-3DES-EDE-CBC-SHA", Kx::kSrp, Auth::kRsa, "3DES-EDE-CBC", 112, false, kSsl3},
    {0xC01C, "TLS_SRP_SHA_DSS_WITH_3DES_EDE_CBC_SHA", "SRP-DSS-3DES-EDE-CBC-SHA", Kx::kSrp, Auth::kDss, "3DES-EDE-CBC", 112, false, kSsl3},
    {0xC01D, "TLS_SRP_SHA_WITH_AES_128_CBC_SHA", "SRP-AES-128-CBC-SHA", Kx::kSrp, Auth::kSrp, "AES-128-CBC", 128, false, kSsl3},
    {0xC01E, "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA", "SRP-RSA-AES-128-CBC-SHA", Kx::kSrp, Auth::kRsa, "AES-128-CBC", 128, false, kSsl3},
    {0xC01F, "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA", "SRP-DSS-AES-128-CBC-SHA", Kx::kSrp, Auth::kDss, "AES-128-CBC", 128, false, kSsl3},
    {0xC020, "TLS_SRP_SHA_WITH_AES_256_CBC_SHA", "SRP-AES-256-CBC-SHA", Kx::kSrp, Auth::kSrp, "AES-256-CBC", 256, false, kSsl3},
    {0xC021, "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA", "SRP-RSA-AES-256-CBC-SHA", Kx::kSrp, Auth::kRsa, "AES-256-CBC", 256, false, kSsl3},
    {0xC022, "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA", "SRP-DSS-AES-256-CBC-SHA", Kx::kSrp, Auth::kDss, "AES-256-CBC", 256, false, kSsl3},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", Kx::kEcdhe, Auth::kEcdsa, "AES-128-CBC", 128, false, kTls12},
    {0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", Kx::kEcdhe, Auth::kEcdsa, "AES-256-CBC", 256, false, kTls12},
    {0xC025, "TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA256", "ECDH-ECDSA-AES128-SHA256", Kx::kEcdh, Auth::kEcdsa, "AES-128-CBC", 128, false, kTls12},
    {0xC026, "TLS_ECDH_ECDSA_WITH_AES_256_CBC_SHA384", "ECDH-ECDSA-AES256-SHA384", Kx::kEcdh, Auth::kEcdsa, "AES-256-CBC", 256, false, kTls12},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", Kx::kEcdhe, Auth::kRsa, "AES-128-CBC", 128, false, kTls12},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", Kx::kEcdhe, Auth::kRsa, "AES-256-CBC", 256, false, kTls12},
    {0xC029, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA256", "ECDH-RSA-AES128-SHA256", Kx::kEcdh, Auth::kRsa, "AES-128-CBC", 128, false, kTls12},
    {0xC02A, "TLS_ECDH_RSA_WITH_AES_256_CBC_SHA384", "ECDH-RSA-AES256-SHA384", Kx::kEcdh, Auth::kRsa, "AES-256-CBC", 256, false, kTls12},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", Kx::kEcdhe, Auth::kEcdsa, "AES-128-GCM", 128, false, kTls12},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", Kx::kEcdhe, Auth::kEcdsa, "AES-256-GCM", 256, false, kTls12},
    {0xC02D, "TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "ECDH-ECDSA-AES128-GCM-SHA256", Kx::kEcdh, Auth::kEcdsa, "AES-128-GCM", 128, false, kTls12},
    {0xC02E, "TLS_ECDH_ECDSA_WITH_AES_256_GCM_SHA384", "ECDH-ECDSA-AES256-GCM-SHA384", Kx::kEcdh, Auth::kEcdsa, "AES-256-GCM", 256, false, kTls12},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", Kx::kEcdhe, Auth::kRsa, "AES-128-GCM", 128, false, kTls12},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", Kx::kEcdhe, Auth::kRsa, "AES-256-GCM", 256, false, kTls12},
    {0xC031, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "ECDH-RSA-AES128-GCM-SHA256", Kx::kEcdh, Auth::kRsa, "AES-128-GCM", 128, false, kTls12},
    {0xC032, "TLS_ECDH_RSA_WITH_AES_256_GCM_SHA384", "ECDH-RSA-AES256-GCM-SHA384", Kx::kEcdh, Auth::kRsa, "AES-256-GCM", 256, false, kTls12},
    {0xC033, "TLS_ECDHE_PSK_WITH_RC4_128_SHA", "ECDHE-PSK-RC4-SHA", Kx::kEcdhePsk, Auth::kPsk, "RC4-128", 128, false, kTls10},
    {0xC034, "TLS_ECDHE_PSK_WITH_3DES_EDE_CBC_SHA", "ECDHE-PSK-3DES-EDE-CBC-SHA", Kx::kEcdhePsk, Auth::kPsk, "3DES-EDE-CBC", 112, false, kTls10},
    {0xC035, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA", "ECDHE-PSK-AES128-CBC-SHA", Kx::kEcdhePsk, Auth::kPsk, "AES-128-CBC", 128, false, kTls10},
    {0xC036, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA", "ECDHE-PSK-AES256-CBC-SHA", Kx::kEcdhePsk, Auth::kPsk, "AES-256-CBC", 256, false, kTls10},
    {0xC037, "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256", "ECDHE-PSK-AES128-CBC-SHA256", Kx::kEcdhePsk, Auth::kPsk, "AES-128-CBC", 128, false, kTls10},
    {0xC038, "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384", "ECDHE-PSK-AES256-CBC-SHA384", Kx::kEcdhePsk, Auth::kPsk, "AES-256-CBC", 256, false, kTls10},
    {0xC039, "TLS_ECDHE_PSK_WITH_NULL_SHA", "ECDHE-PSK-NULL-SHA", Kx::kEcdhePsk, Auth::kPsk, "NULL", 0, false, kTls10},
    {0xC03A, "TLS_ECDHE_PSK_WITH_NULL_SHA256", "ECDHE-PSK-NULL-SHA256", Kx::kEcdhePsk, Auth::kPsk, "NULL", 0, false, kTls10},
    {0xC03B, "TLS_ECDHE_PSK_WITH_NULL_SHA384", "ECDHE-PSK-NULL-SHA384", Kx::kEcdhePsk, Auth::kPsk, "NULL", 0, false, kTls10},
    {0xC03C, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", "", Kx::kRsa, Auth::kRsa, "ARIA-128-CBC", 128, false, kTls12},
    {0xC03D, "TLS_RSA_WITH_ARIA_256_CBC_SHA384", "", Kx::kRsa, Auth::kRsa, "ARIA-256-CBC", 256, false, kTls12},
    {0xC03E, "TLS_DH_DSS_WITH_ARIA_128_CBC_SHA256", "", Kx::kDh, Auth::kDss, "ARIA-128-CBC", 128, false, kTls12},
    {0xC03F, "TLS_DH_DSS_WITH_ARIA_256_CBC_SHA384", "", Kx::kDh, Auth::kDss, "ARIA-256-CBC", 256, false, kTls12},
    {0xC040, "TLS_DH_RSA_WITH_ARIA_128_CBC_SHA256", "", Kx::kDh, Auth::kRsa, "ARIA-128-CBC", 128, false, kTls12},
    {0xC041, "TLS_DH_RSA_WITH_ARIA_256_CBC_SHA384", "", Kx::kDh, Auth::kRsa, "ARIA-256-CBC", 256, false, kTls12},
    {0xC042, "TLS_DHE_DSS_WITH_ARIA_128_CBC_SHA256", "", Kx::kDhe, Auth::kDss, "ARIA-128-CBC", 128, false, kTls12},
    {0xC043, "TLS_DHE_DSS_WITH_ARIA_256_CBC_SHA384", "", Kx::kDhe, Auth::kDss, "ARIA-256-CBC", 256, false, kTls12},
    {0xC044, "TLS_DHE_RSA_WITH_ARIA_128_CBC_SHA256", "", Kx::kDhe, Auth::kRsa, "ARIA-128-CBC", 128, false, kTls12},
    {0xC045, "TLS_DHE_RSA_WITH_ARIA_256_CBC_SHA384", "", Kx::kDhe, Auth::kRsa, "ARIA-256-CBC", 256, false, kTls12},
    {0xC046, "TLS_DH_anon_WITH_ARIA_128_CBC_SHA256", "", Kx::kDhe, Auth::kAnon, "ARIA-128-CBC", 128, false, kTls12},
    {0xC047, "TLS_DH_anon_WITH_ARIA_256_CBC_SHA384", "", Kx::kDhe, Auth::kAnon, "ARIA-256-CBC", 256, false, kTls12},
    {0xC048, "TLS_ECDHE_ECDSA_WITH_ARIA_128_CBC_SHA256", "", Kx::kEcdhe, Auth::kEcdsa, "ARIA-128-CBC", 128, false, kTls12},
    {0xC049, "TLS_ECDHE_ECDSA_WITH_ARIA_256_CBC_SHA384", "", Kx::kEcdhe, Auth::kEcdsa, "ARIA-256-CBC", 256, false, kTls12},
    {0xC04A, "TLS_ECDH_ECDSA_WITH_ARIA_128_CBC_SHA256", "", Kx::kEcdh, Auth::kEcdsa, "ARIA-128-CBC", 128, false, kTls12},
    {0xC04B, "TLS_ECDH_ECDSA_WITH_ARIA_256_CBC_SHA384", "", Kx::kEcdh, Auth::kEcdsa, "ARIA-256-CBC", 256, false, kTls12},
    {0xC04C, "TLS_ECDHE_RSA_WITH_ARIA_128_CBC_SHA256", "", Kx::kEcdhe, Auth::kRsa, "ARIA-128-CBC", 128, false, kTls12},
    {0xC04D, "TLS_ECDHE_RSA_WITH_ARIA_256_CBC_SHA384", "", Kx::kEcdhe, Auth::kRsa, "ARIA-256-CBC", 256, false, kTls12},
    {0xC04E, "TLS_ECDH_RSA_WITH_ARIA_128_CBC_SHA256", "", Kx::kEcdh, Auth::kRsa, "ARIA-128-CBC", 128, false, kTls12},
    {0xC04F, "TLS_ECDH_RSA_WITH_ARIA_256_CBC_SHA384", "", Kx::kEcdh, Auth::kRsa, "ARIA-256-CBC", 256, false, kTls12},
    {0xC050, "TLS_RSA_WITH_ARIA_128_GCM_SHA256", "ARIA128-GCM-SHA256", Kx::kRsa, Auth::kRsa, "ARIA-128-GCM", 128, false, kTls12},
    {0xC051, "TLS_RSA_WITH_ARIA_256_GCM_SHA384", "ARIA256-GCM-SHA384", Kx::kRsa, Auth::kRsa, "ARIA-256-GCM", 256, false, kTls12},
    {0xC052, "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256", "DHE-RSA-ARIA128-GCM-SHA256", Kx::kDhe, Auth::kRsa, "ARIA-128-GCM", 128, false, kTls12},
    {0xC053, "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384", "DHE-RSA-ARIA256-GCM-SHA384", Kx::kDhe, Auth::kRsa, "ARIA-256-GCM", 256, false, kTls12},
    {0xC054, "TLS_DH_RSA_WITH_ARIA_128_GCM_SHA256", "DH-RSA-ARIA128-GCM-SHA256", Kx::kDh, Auth::kRsa, "ARIA-128-GCM", 128, false, kTls12},
    {0xC055, "TLS_DH_RSA_WITH_ARIA_256_GCM_SHA384", "DH-RSA-ARIA256-GCM-SHA384", Kx::kDh, Auth::kRsa, "ARIA-256-GCM", 256, false, kTls12},
    {0xC056, "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256", "DHE-DSS-ARIA128-GCM-SHA256", Kx::kDhe, Auth::kDss, "ARIA-128-GCM", 128, false, kTls12},
    {0xC057, "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384", "DHE-DSS-ARIA256-GCM-SHA384", Kx::kDhe, Auth::kDss, "ARIA-256-GCM", 256, false, kTls12},
    {0xC058, "TLS_DH_DSS_WITH_ARIA_128_GCM_SHA256", "DH-DSS-ARIA128-GCM-SHA256", Kx::kDh, Auth::kDss, "ARIA-128-GCM", 128, false, kTls12},
    {0xC059, "TLS_DH_DSS_WITH_ARIA_256_GCM_SHA384", "DH-DSS-ARIA256-GCM-SHA384", Kx::kDh, Auth::kDss, "ARIA-256-GCM", 256, false, kTls12},
    {0xC05A, "TLS_DH_anon_WITH_ARIA_128_GCM_SHA256", "ADH-ARIA128-GCM-SHA256", Kx::kDhe, Auth::kAnon, "ARIA-128-GCM", 128, false, kTls12},
    {0xC05B, "TLS_DH_anon_WITH_ARIA_256_GCM_SHA384", "ADH-ARIA256-GCM-SHA384", Kx::kDhe, Auth::kAnon, "ARIA-256-GCM", 256, false, kTls12},
    {0xC05C, "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ECDSA-ARIA128-GCM-SHA256", Kx::kEcdhe, Auth::kEcdsa, "ARIA-128-GCM", 128, false, kTls12},
    {0xC05D, "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ECDSA-ARIA256-GCM-SHA384", Kx::kEcdhe, Auth::kEcdsa, "ARIA-256-GCM", 256, false, kTls12},
    {0xC05E, "TLS_ECDH_ECDSA_WITH_ARIA_128_GCM_SHA256", "ECDH-ECDSA-ARIA128-GCM-SHA256", Kx::kEcdh, Auth::kEcdsa, "ARIA-128-GCM", 128, false, kTls12},
    {0xC05F, "TLS_ECDH_ECDSA_WITH_ARIA_256_GCM_SHA384", "ECDH-ECDSA-ARIA256-GCM-SHA384", Kx::kEcdh, Auth::kEcdsa, "ARIA-256-GCM", 256, false, kTls12},
    {0xC060, "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256", "ECDHE-ARIA128-GCM-SHA256", Kx::kEcdhe, Auth::kRsa, "ARIA-128-GCM", 128, false, kTls12},
    {0xC061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", "ECDHE-ARIA256-GCM-SHA384", Kx::kEcdhe, Auth::kRsa, "ARIA-256-GCM", 256, false, kTls12},
    {0xC062, "TLS_ECDH_RSA_WITH_ARIA_128_GCM_SHA256", "ECDH-ARIA128-GCM-SHA256", Kx::kEcdh, Auth::kRsa, "ARIA-128-GCM", 128, false, kTls12},
    {0xC063, "TLS_ECDH_RSA_WITH_ARIA_256_GCM_SHA384", "ECDH-ARIA256-GCM-SHA384", Kx::kEcdh, Auth::kRsa, "ARIA-256-GCM", 256, false, kTls12},
    {0xC064, "TLS_PSK_WITH_ARIA_128_CBC_SHA256", "", Kx::kPsk, Auth::kPsk, "ARIA-128-CBC", 128, false, kTls12},
    {0xC065, "TLS_PSK_WITH_ARIA_256_CBC_SHA384", "", Kx::kPsk, Auth::kPsk, "ARIA-256-CBC", 256, false, kTls12},
    {0xC066, "TLS_DHE_PSK_WITH_ARIA_128_CBC_SHA256", "", Kx::kDhePsk, Auth::kPsk, "ARIA-128-CBC", 128, false, kTls12},
    {0xC067, "TLS_DHE_PSK_WITH_ARIA_256_CBC_SHA384", "", Kx::kDhePsk, Auth::kPsk, "ARIA-256-CBC", 256, false, kTls12},
    {0xC068, "TLS_RSA_PSK_WITH_ARIA_128_CBC_SHA256", "", Kx::kRsaPsk, Auth::kRsa, "ARIA-128-CBC", 128, false, kTls12},
    {0xC069, "TLS_RSA_PSK_WITH_ARIA_256_CBC_SHA384", "", Kx::kRsaPsk, Auth::kRsa, "ARIA-256-CBC", 256, false, kTls12},
    {0xC06A, "TLS_PSK_WITH_ARIA_128_GCM_SHA256", "PSK-ARIA128-GCM-SHA256", Kx::kPsk, Auth::kPsk, "ARIA-128-GCM", 128, false, kTls12},
    {0xC06B, "TLS_PSK_WITH_ARIA_256_GCM_SHA384", "PSK-ARIA256-GCM-SHA384", Kx::kPsk, Auth::kPsk, "ARIA-256-GCM", 256, false, kTls12},
    {0xC06C, "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256", "DHE-PSK-ARIA128-GCM-SHA256", Kx::kDhePsk, Auth::kPsk, "ARIA-128-GCM", 128, false, kTls12},
    {0xC06D, "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384", "DHE-PSK-ARIA256-GCM-SHA384", Kx::kDhePsk, Auth::kPsk, "ARIA-256-GCM", 256, false, kTls12},
    {0xC06E, "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256", "RSA-PSK-ARIA128-GCM-SHA256", Kx::kRsaPsk, Auth::kRsa, "ARIA-128-GCM", 128, false, kTls12},
    {0xC06F, "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384", "RSA-PSK-ARIA256-GCM-SHA384", Kx::kRsaPsk, Auth::kRsa, "ARIA-256-GCM", 256, false, kTls12},
    {0xC070, "TLS_ECDHE_PSK_WITH_ARIA_128_CBC_SHA256", "", Kx::kEcdhePsk, Auth::kPsk, "ARIA-128-CBC", 128, false, kTls12},
    {0xC071, "TLS_ECDHE_PSK_WITH_ARIA_256_CBC_SHA384", "", Kx::kEcdhePsk, Auth::kPsk, "ARIA-256-CBC", 256, false, kTls12},
    {0xC072, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-ECDSA-CAMELLIA128-SHA256", Kx::kEcdhe, Auth::kEcdsa, "CAMELLIA-128-CBC", 128, false, kTls12},
    {0xC073, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-ECDSA-CAMELLIA256-SHA384", Kx::kEcdhe, Auth::kEcdsa, "CAMELLIA-256-CBC", 256, false, kTls12},
    {0xC074, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDH-ECDSA-CAMELLIA128-SHA256", Kx::kEcdh, Auth::kEcdsa, "CAMELLIA-128-CBC", 128, false, kTls12},
    {0xC075, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDH-ECDSA-CAMELLIA256-SHA384", Kx::kEcdh, Auth::kEcdsa, "CAMELLIA-256-CBC", 256, false, kTls12},
    {0xC076, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-RSA-CAMELLIA128-SHA256", Kx::kEcdhe, Auth::kRsa, "CAMELLIA-128-CBC", 128, false, kTls12},
    {0xC077, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-RSA-CAMELLIA256-SHA384", Kx::kEcdhe, Auth::kRsa, "CAMELLIA-256-CBC", 256, false, kTls12},
    {0xC078, "TLS_ECDH_RSA_WITH_CAMELLIA_128_CBC_SHA256", "ECDH-RSA-CAMELLIA128-SHA256", Kx::kEcdh, Auth::kRsa, "CAMELLIA-128-CBC", 128, false, kTls12},
    {0xC079, "TLS_ECDH_RSA_WITH_CAMELLIA_256_CBC_SHA384", "ECDH-RSA-CAMELLIA256-SHA384", Kx::kEcdh, Auth::kRsa, "CAMELLIA-256-CBC", 256, false, kTls12},
    {0xC07A, "TLS_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kRsa, Auth::kRsa, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC07B, "TLS_RSA_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kRsa, Auth::kRsa, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC07C, "TLS_DHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kDhe, Auth::kRsa, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC07D, "TLS_DHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kDhe, Auth::kRsa, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC07E, "TLS_DH_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kDh, Auth::kRsa, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC07F, "TLS_DH_RSA_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kDh, Auth::kRsa, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC080, "TLS_DHE_DSS_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kDhe, Auth::kDss, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC081, "TLS_DHE_DSS_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kDhe, Auth::kDss, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC082, "TLS_DH_DSS_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kDh, Auth::kDss, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC083, "TLS_DH_DSS_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kDh, Auth::kDss, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC084, "TLS_DH_anon_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kDhe, Auth::kAnon, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC085, "TLS_DH_anon_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kDhe, Auth::kAnon, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC086, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kEcdhe, Auth::kEcdsa, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC087, "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kEcdhe, Auth::kEcdsa, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC088, "TLS_ECDH_ECDSA_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kEcdh, Auth::kEcdsa, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC089, "TLS_ECDH_ECDSA_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kEcdh, Auth::kEcdsa, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC08A, "TLS_ECDHE_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kEcdhe, Auth::kRsa, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC08B, "TLS_ECDHE_RSA_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kEcdhe, Auth::kRsa, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC08C, "TLS_ECDH_RSA_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kEcdh, Auth::kRsa, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC08D, "TLS_ECDH_RSA_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kEcdh, Auth::kRsa, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC08E, "TLS_PSK_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kPsk, Auth::kPsk, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC08F, "TLS_PSK_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kPsk, Auth::kPsk, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC090, "TLS_DHE_PSK_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kDhePsk, Auth::kPsk, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC091, "TLS_DHE_PSK_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kDhePsk, Auth::kPsk, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC092, "TLS_RSA_PSK_WITH_CAMELLIA_128_GCM_SHA256", "", Kx::kRsaPsk, Auth::kRsa, "CAMELLIA-128-GCM", 128, false, kTls12},
    {0xC093, "TLS_RSA_PSK_WITH_CAMELLIA_256_GCM_SHA384", "", Kx::kRsaPsk, Auth::kRsa, "CAMELLIA-256-GCM", 256, false, kTls12},
    {0xC094, "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256", "PSK-CAMELLIA128-SHA256", Kx::kPsk, Auth::kPsk, "CAMELLIA-128-CBC", 128, false, kTls10},
    {0xC095, "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384", "PSK-CAMELLIA256-SHA384", Kx::kPsk, Auth::kPsk, "CAMELLIA-256-CBC", 256, false, kTls10},
    {0xC096, "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "DHE-PSK-CAMELLIA128-SHA256", Kx::kDhePsk, Auth::kPsk, "CAMELLIA-128-CBC", 128, false, kTls10},
    {0xC097, "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "DHE-PSK-CAMELLIA256-SHA384", Kx::kDhePsk, Auth::kPsk, "CAMELLIA-256-CBC", 256, false, kTls10},
    {0xC098, "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256", "RSA-PSK-CAMELLIA128-SHA256", Kx::kRsaPsk, Auth::kRsa, "CAMELLIA-128-CBC", 128, false, kTls10},
    {0xC099, "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384", "RSA-PSK-CAMELLIA256-SHA384", Kx::kRsaPsk, Auth::kRsa, "CAMELLIA-256-CBC", 256, false, kTls10},
    {0xC09A, "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256", "ECDHE-PSK-CAMELLIA128-SHA256", Kx::kEcdhePsk, Auth::kPsk, "CAMELLIA-128-CBC", 128, false, kTls10},
    {0xC09B, "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384", "ECDHE-PSK-CAMELLIA256-SHA384", Kx::kEcdhePsk, Auth::kPsk, "CAMELLIA-256-CBC", 256, false, kTls10},
    {0xC09C, "TLS_RSA_WITH_AES_128_CCM", "AES128-CCM", Kx::kRsa, Auth::kRsa, "AES-128-CCM", 128, false, kTls12},
    {0xC09D, "TLS_RSA_WITH_AES_256_CCM", "AES256-CCM", Kx::kRsa, Auth::kRsa, "AES-256-CCM", 256, false, kTls12},
    {0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM", "DHE-RSA-AES128-CCM", Kx::kDhe, Auth::kRsa, "AES-128-CCM", 128, false, kTls12},
    {0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM", "DHE-RSA-AES256-CCM", Kx::kDhe, Auth::kRsa, "AES-256-CCM", 256, false, kTls12},
    {0xC0A0, "TLS_RSA_WITH_AES_128_CCM_8", "AES128-CCM8", Kx::kRsa, Auth::kRsa, "AES-128-CCM-8", 128, false, kTls12},
    {0xC0A1, "TLS_RSA_WITH_AES_256_CCM_8", "AES256-CCM8", Kx::kRsa, Auth::kRsa, "AES-256-CCM-8", 256, false, kTls12},
    {0xC0A2, "TLS_DHE_RSA_WITH_AES_128_CCM_8", "DHE-RSA-AES128-CCM8", Kx::kDhe, Auth::kRsa, "AES-128-CCM-8", 128, false, kTls12},
    {0xC0A3, "TLS_DHE_RSA_WITH_AES_256_CCM_8", "DHE-RSA-AES256-CCM8", Kx::kDhe, Auth::kRsa, "AES-256-CCM-8", 256, false, kTls12},
    {0xC0A4, "TLS_PSK_WITH_AES_128_CCM", "PSK-AES128-CCM", Kx::kPsk, Auth::kPsk, "AES-128-CCM", 128, false, kTls12},
    {0xC0A5, "TLS_PSK_WITH_AES_256_CCM", "PSK-AES256-CCM", Kx::kPsk, Auth::kPsk, "AES-256-CCM", 256, false, kTls12},
    {0xC0A6, "TLS_DHE_PSK_WITH_AES_128_CCM", "DHE-PSK-AES128-CCM", Kx::kDhePsk, Auth::kPsk, "AES-128-CCM", 128, false, kTls12},
    {0xC0A7, "TLS_DHE_PSK_WITH_AES_256_CCM", "DHE-PSK-AES256-CCM", Kx::kDhePsk, Auth::kPsk, "AES-256-CCM", 256, false, kTls12},
    {0xC0A8, "TLS_PSK_WITH_AES_128_CCM_8", "PSK-AES128-CCM8", Kx::kPsk, Auth::kPsk, "AES-128-CCM-8", 128, false, kTls12},
    {0xC0A9, "TLS_PSK_WITH_AES_256_CCM_8", "PSK-AES256-CCM8", Kx::kPsk, Auth::kPsk, "AES-256-CCM-8", 256, false, kTls12},
    {0xC0AA, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE-PSK-AES128-CCM8", Kx::kDhePsk, Auth::kPsk, "AES-128-CCM-8", 128, false, kTls12},
    {0xC0AB, "TLS_PSK_DHE_WITH_AES_256_CCM_8", "DHE-PSK-AES256-CCM8", Kx::kDhePsk, Auth::kPsk, "AES-256-CCM-8", 256, false, kTls12},
    {0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", "ECDHE-ECDSA-AES128-CCM", Kx::kEcdhe, Auth::kEcdsa, "AES-128-CCM", 128, false, kTls12},
    {0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM", "ECDHE-ECDSA-AES256-CCM", Kx::kEcdhe, Auth::kEcdsa, "AES-256-CCM", 256, false, kTls12},
    {0xC0AE, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "ECDHE-ECDSA-AES128-CCM8", Kx::kEcdhe, Auth::kEcdsa, "AES-128-CCM-8", 128, false, kTls12},
    {0xC0AF, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", "ECDHE-ECDSA-AES256-CCM8", Kx::kEcdhe, Auth::kEcdsa, "AES-256-CCM-8", 256, false, kTls12},
    {0xC0B0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256", "", Kx::kEccpwd, Auth::kEccpwd, "AES-128-GCM", 128, false, kTls12},
    {0xC0B1, "TLS_ECCPWD_WITH_AES_256_GCM_SHA384", "", Kx::kEccpwd, Auth::kEccpwd, "AES-256-GCM", 256, false, kTls12},
    {0xC0B2, "TLS_ECCPWD_WITH_AES_128_CCM_SHA256", "", Kx::kEccpwd, Auth::kEccpwd, "AES-128-CCM", 128, false, kTls12},
    {0xC0B3, "TLS_ECCPWD_WITH_AES_256_CCM_SHA384", "", Kx::kEccpwd, Auth::kEccpwd, "AES-256-CCM", 256, false, kTls12},
    {0xC0B4, "TLS_SHA256_SHA256", "", Kx::kAny, Auth::kAny, "NULL", 0, false, kTls13},
    {0xC0B5, "TLS_SHA384_SHA384", "", Kx::kAny, Auth::kAny, "NULL", 0, false, kTls13},
    {0xC100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", "", Kx::kGost, Auth::kGost, "GOST-KUZNYECHIK-CTR", 256, false, kTls12},
    {0xC101, "TLS_GOSTR341112_256_WITH_MAGMA_CTR_OMAC", "", Kx::kGost, Auth::kGost, "GOST-MAGMA-CTR", 256, false, kTls12},
    {0xC102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT", "", Kx::kGost, Auth::kGost, "GOST28147-CNT", 256, false, kTls12},
    {0xC103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L", "", Kx::kAny, Auth::kAny, "GOST-KUZNYECHIK-MGM", 256, false, kTls13},
    {0xC104, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_L", "", Kx::kAny, Auth::kAny, "GOST-MAGMA-MGM", 256, false, kTls13},
    {0xC105, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_S", "", Kx::kAny, Auth::kAny, "GOST-KUZNYECHIK-MGM", 256, false, kTls13},
    {0xC106, "TLS_GOSTR341112_256_WITH_MAGMA_MGM_S", "", Kx::kAny, Auth::kAny, "GOST-MAGMA-MGM", 256, false, kTls13},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", Kx::kEcdhe, Auth::kRsa, "CHACHA20-POLY1305", 256, false, kTls12},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", Kx::kEcdhe, Auth::kEcdsa, "CHACHA20-POLY1305", 256, false, kTls12},
    {0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "DHE-RSA-CHACHA20-POLY1305", Kx::kDhe, Auth::kRsa, "CHACHA20-POLY1305", 256, false, kTls12},
    {0xCCAB, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256", "PSK-CHACHA20-POLY1305", Kx::kPsk, Auth::kPsk, "CHACHA20-POLY1305", 256, false, kTls12},
    {0xCCAC, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-PSK-CHACHA20-POLY1305", Kx::kEcdhePsk, Auth::kPsk, "CHACHA20-POLY1305", 256, false, kTls12},
    {0xCCAD, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256", "DHE-PSK-CHACHA20-POLY1305", Kx::kDhePsk, Auth::kPsk, "CHACHA20-POLY1305", 256, false, kTls12},
    {0xCCAE, "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256", "RSA-PSK-CHACHA20-POLY1305", Kx::kRsaPsk, Auth::kRsa, "CHACHA20-POLY1305", 256, false, kTls12},
    {0xD001, "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256", "", Kx::kEcdhePsk, Auth::kPsk, "AES-128-GCM", 128, false, kTls12},
    {0xD002, "TLS_ECDHE_PSK_WITH_AES_256_GCM_SHA384", "", Kx::kEcdhePsk, Auth::kPsk, "AES-256-GCM", 256, false, kTls12},
    {0xD003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", "", Kx::kEcdhePsk, Auth::kPsk, "AES-128-CCM-8", 128, false, kTls12},
    {0xD005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256", "", Kx::kEcdhePsk, Auth::kPsk, "AES-128-CCM", 128, false, kTls12},
});
// clang-format on

// Older OpenSSL spellings of a few suites, accepted by find_suite(name) only:
// OpenSSL 1.0.2 printed ephemeral-DH 3DES suites as "EDH-…", OpenSSL 1.1.0
// renamed them "DHE-…"; scanners and server logs show both.
struct NameAlias {
  std::string_view name;
  std::uint16_t id;
};
constexpr auto kSuiteAliases = std::to_array<NameAlias>({
    {"EDH-DSS-DES-CBC3-SHA", 0x0013},
    {"EDH-RSA-DES-CBC3-SHA", 0x0016},
});

// What each symmetric cipher of kSuites is, for the policy predicates.
// block64: a 64-bit block, so the Sweet32 birthday bound (CVE-2016-2183)
// applies: 3DES, DES, IDEA, RC2. XXX: GOST 28147-89/Magma also has 64-bit
// blocks, but RFC 9189 re-keys per record (TLSTREE) and the legacy CNT mode is
// a stream mode; it is not counted.
struct CipherClass {
  std::string_view cipher;
  bool block64;
  bool cbc;
  bool aead;
  bool rc4;
  bool single_des;
};
// clang-format off
constexpr auto kCipherClasses = std::to_array<CipherClass>({
    // cipher                block64 cbc    aead   rc4    single_des
    {"NULL",                 false, false, false, false, false},
    {"RC4-40",               false, false, false, true,  false},
    {"RC4-56",               false, false, false, true,  false},
    {"RC4-128",              false, false, false, true,  false},
    {"RC2-CBC-40",           true,  true,  false, false, false},
    {"RC2-CBC-56",           true,  true,  false, false, false},
    {"DES40-CBC",            true,  true,  false, false, true},
    {"DES-CBC",              true,  true,  false, false, true},
    {"3DES-EDE-CBC",         true,  true,  false, false, false},
    {"IDEA-CBC",             true,  true,  false, false, false},
    {"SEED-CBC",             false, true,  false, false, false},
    {"AES-128-CBC",          false, true,  false, false, false},
    {"AES-256-CBC",          false, true,  false, false, false},
    {"AES-128-GCM",          false, false, true,  false, false},
    {"AES-256-GCM",          false, false, true,  false, false},
    {"AES-128-CCM",          false, false, true,  false, false},
    {"AES-256-CCM",          false, false, true,  false, false},
    {"AES-128-CCM-8",        false, false, true,  false, false},
    {"AES-256-CCM-8",        false, false, true,  false, false},
    {"CAMELLIA-128-CBC",     false, true,  false, false, false},
    {"CAMELLIA-256-CBC",     false, true,  false, false, false},
    {"CAMELLIA-128-GCM",     false, false, true,  false, false},
    {"CAMELLIA-256-GCM",     false, false, true,  false, false},
    {"ARIA-128-CBC",         false, true,  false, false, false},
    {"ARIA-256-CBC",         false, true,  false, false, false},
    {"ARIA-128-GCM",         false, false, true,  false, false},
    {"ARIA-256-GCM",         false, false, true,  false, false},
    {"CHACHA20-POLY1305",    false, false, true,  false, false},
    {"SM4-GCM",              false, false, true,  false, false},
    {"SM4-CCM",              false, false, true,  false, false},
    {"GOST28147-CNT",        false, false, false, false, false},
    {"GOST-KUZNYECHIK-CTR",  false, false, false, false, false},
    {"GOST-MAGMA-CTR",       false, false, false, false, false},
    {"GOST-KUZNYECHIK-MGM",  false, false, true,  false, false},
    {"GOST-MAGMA-MGM",       false, false, true,  false, false},
    // Not used by kSuites rows today; kept so an added row has a class.
    {"AEGIS-128L",           false, false, true,  false, false},
    {"AEGIS-256",            false, false, true,  false, false},
});
// clang-format on

constexpr const CipherClass* find_class(std::string_view cipher) {
  for (const CipherClass& c : kCipherClasses) {
    if (c.cipher == cipher) return &c;
  }
  return nullptr;
}

// SSLv2 CIPHER-KINDs. Source: "The SSL Protocol" (Hickman, Netscape, 1995),
// Appendix A.3 (cipher kind values). bits as for kSuites: 3DES 112, DES 56.
// clang-format off
constexpr auto kSslv2Ciphers = std::to_array<Sslv2Cipher>({
    {0x010080, "SSL_CK_RC4_128_WITH_MD5",              128, false},
    {0x020080, "SSL_CK_RC4_128_EXPORT40_WITH_MD5",     40,  true},
    {0x030080, "SSL_CK_RC2_128_CBC_WITH_MD5",          128, false},
    {0x040080, "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5", 40,  true},
    {0x050080, "SSL_CK_IDEA_128_CBC_WITH_MD5",         128, false},
    {0x060040, "SSL_CK_DES_64_CBC_WITH_MD5",           56,  false},
    {0x0700C0, "SSL_CK_DES_192_EDE3_CBC_WITH_MD5",     112, false},
});
// clang-format on

// Supported groups. Source: IANA "TLS Supported Groups" registry: RFC 8422
// (1..25 deprecated binary and prime curves, 0xFF01/0xFF02 explicit curves),
// RFC 7027 (26..28 brainpool), RFC 7748/8422 (29 x25519, 30 x448), RFC 8734
// (31..33 brainpool for TLS 1.3), RFC 9189 (34..40 GOST curves), RFC 8998 (41
// curveSM2), RFC 7919 (256..260 FFDHE), draft-ietf-tls-ecdhe-mlkem
// (0x11EB..0x11ED hybrids), draft-tls-westerbaan-xyber768d00 (0x6399, the
// pre-standard X25519+Kyber hybrid browsers shipped).
// bits: the curve's field size (x25519 255), the FFDHE modulus size; for a
// hybrid, that of its elliptic-curve half; 0 for the explicit-curve markers.
// clang-format off
constexpr auto kGroups = std::to_array<NamedGroup>({
    {1,      "sect163k1",                163, false},
    {2,      "sect163r1",                163, false},
    {3,      "sect163r2",                163, false},
    {4,      "sect193r1",                193, false},
    {5,      "sect193r2",                193, false},
    {6,      "sect233k1",                233, false},
    {7,      "sect233r1",                233, false},
    {8,      "sect239k1",                239, false},
    {9,      "sect283k1",                283, false},
    {10,     "sect283r1",                283, false},
    {11,     "sect409k1",                409, false},
    {12,     "sect409r1",                409, false},
    {13,     "sect571k1",                571, false},
    {14,     "sect571r1",                571, false},
    {15,     "secp160k1",                160, false},
    {16,     "secp160r1",                160, false},
    {17,     "secp160r2",                160, false},
    {18,     "secp192k1",                192, false},
    {19,     "secp192r1",                192, false},
    {20,     "secp224k1",                224, false},
    {21,     "secp224r1",                224, false},
    {22,     "secp256k1",                256, false},
    {23,     "secp256r1",                256, false},
    {24,     "secp384r1",                384, false},
    {25,     "secp521r1",                521, false},
    {26,     "brainpoolP256r1",          256, false},
    {27,     "brainpoolP384r1",          384, false},
    {28,     "brainpoolP512r1",          512, false},
    {29,     "x25519",                   255, false},
    {30,     "x448",                     448, false},
    {31,     "brainpoolP256r1tls13",     256, false},
    {32,     "brainpoolP384r1tls13",     384, false},
    {33,     "brainpoolP512r1tls13",     512, false},
    {34,     "GC256A",                   256, false},
    {35,     "GC256B",                   256, false},
    {36,     "GC256C",                   256, false},
    {37,     "GC256D",                   256, false},
    {38,     "GC512A",                   512, false},
    {39,     "GC512B",                   512, false},
    {40,     "GC512C",                   512, false},
    {41,     "curveSM2",                 256, false},
    {256,    "ffdhe2048",                2048, true},
    {257,    "ffdhe3072",                3072, true},
    {258,    "ffdhe4096",                4096, true},
    {259,    "ffdhe6144",                6144, true},
    {260,    "ffdhe8192",                8192, true},
    {0x11EB, "SecP256r1MLKEM768",        256, false},
    {0x11EC, "X25519MLKEM768",           255, false},
    {0x11ED, "SecP384r1MLKEM1024",       384, false},
    {0x6399, "X25519Kyber768Draft00",    255, false},
    {0xFF01, "arbitrary_explicit_prime_curves", 0, false},
    {0xFF02, "arbitrary_explicit_char2_curves", 0, false},
});
// clang-format on

// Signature schemes. Source: IANA "TLS SignatureScheme" registry (RFC 8446
// §4.2.3, RFC 8734 brainpool, RFC 8998 SM2, RFC 9367 GOST,
// draft-wang-tls-raw-public-key-with-ibc 0x0704..0x0707,
// draft-ietf-tls-tls13-pkcs1 *_legacy, draft-ietf-tls-mldsa ML-DSA) and, for the code points
// TLS 1.2 used but TLS 1.3 did not register, RFC 5246 §7.4.1.4.1: a
// HashAlgorithm byte (md5 1, sha1 2, sha224 3, sha256 4, sha384 5, sha512 6)
// then a SignatureAlgorithm byte (rsa 1, dsa 2, ecdsa 3). Those are named
// "<signature>_<hash>" here, since IANA has no names for them.
// clang-format off
constexpr auto kSignatureSchemes = std::to_array<SignatureScheme>({
    {0x0101, "rsa_md5"},
    {0x0102, "dsa_md5"},
    {0x0103, "ecdsa_md5"},
    {0x0201, "rsa_pkcs1_sha1"},
    {0x0202, "dsa_sha1"},
    {0x0203, "ecdsa_sha1"},
    {0x0301, "rsa_sha224"},
    {0x0302, "dsa_sha224"},
    {0x0303, "ecdsa_sha224"},
    {0x0401, "rsa_pkcs1_sha256"},
    {0x0402, "dsa_sha256"},
    {0x0403, "ecdsa_secp256r1_sha256"},
    {0x0420, "rsa_pkcs1_sha256_legacy"},
    {0x0501, "rsa_pkcs1_sha384"},
    {0x0502, "dsa_sha384"},
    {0x0503, "ecdsa_secp384r1_sha384"},
    {0x0520, "rsa_pkcs1_sha384_legacy"},
    {0x0601, "rsa_pkcs1_sha512"},
    {0x0602, "dsa_sha512"},
    {0x0603, "ecdsa_secp521r1_sha512"},
    {0x0620, "rsa_pkcs1_sha512_legacy"},
    {0x0704, "eccsi_sha256"},
    {0x0705, "iso_ibs1"},
    {0x0706, "iso_ibs2"},
    {0x0707, "iso_chinese_ibs"},
    {0x0708, "sm2sig_sm3"},
    {0x0709, "gostr34102012_256a"},
    {0x070A, "gostr34102012_256b"},
    {0x070B, "gostr34102012_256c"},
    {0x070C, "gostr34102012_256d"},
    {0x070D, "gostr34102012_512a"},
    {0x070E, "gostr34102012_512b"},
    {0x070F, "gostr34102012_512c"},
    {0x0804, "rsa_pss_rsae_sha256"},
    {0x0805, "rsa_pss_rsae_sha384"},
    {0x0806, "rsa_pss_rsae_sha512"},
    {0x0807, "ed25519"},
    {0x0808, "ed448"},
    {0x0809, "rsa_pss_pss_sha256"},
    {0x080A, "rsa_pss_pss_sha384"},
    {0x080B, "rsa_pss_pss_sha512"},
    {0x081A, "ecdsa_brainpoolP256r1tls13_sha256"},
    {0x081B, "ecdsa_brainpoolP384r1tls13_sha384"},
    {0x081C, "ecdsa_brainpoolP512r1tls13_sha512"},
    {0x0904, "mldsa44"},
    {0x0905, "mldsa65"},
    {0x0906, "mldsa87"},
});
// clang-format on

// Alert descriptions. Source: IANA "TLS Alerts" registry: RFC 8446 §6 and
// RFC 5246 §7.2 (41 no_certificate is SSL 3.0 only, RFC 6101 §5.4.2; 21, 60
// and 90 are TLS 1.0–1.2 only), RFC 7507 (86), RFC 6066 (111..114), RFC 4279
// (115), RFC 7301 (120), RFC 9146 (52), draft-ietf-tls-esni (121).
struct Named8 {
  std::uint8_t id;
  std::string_view name;
};
// clang-format off
constexpr auto kAlerts = std::to_array<Named8>({
    {0,   "close_notify"},
    {10,  "unexpected_message"},
    {20,  "bad_record_mac"},
    {21,  "decryption_failed"},
    {22,  "record_overflow"},
    {30,  "decompression_failure"},
    {40,  "handshake_failure"},
    {41,  "no_certificate"},
    {42,  "bad_certificate"},
    {43,  "unsupported_certificate"},
    {44,  "certificate_revoked"},
    {45,  "certificate_expired"},
    {46,  "certificate_unknown"},
    {47,  "illegal_parameter"},
    {48,  "unknown_ca"},
    {49,  "access_denied"},
    {50,  "decode_error"},
    {51,  "decrypt_error"},
    {52,  "too_many_cids_requested"},
    {60,  "export_restriction"},
    {70,  "protocol_version"},
    {71,  "insufficient_security"},
    {80,  "internal_error"},
    {86,  "inappropriate_fallback"},
    {90,  "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
    {121, "ech_required"},
});
// clang-format on

// Extension types. Source: IANA "TLS ExtensionType Values" registry (RFC 6066,
// 8446, 7301, 5746, 7627, 7366, 8422, 6520, 5077 and the RFCs each row cites;
// draft-ietf-tls-esni for 0xFD00 and 0xFE0D).
// 40 and 46 are reserved (drafts of TLS 1.3 used them) and have no name. 0x3374
// (next_protocol_negotiation, draft-agl-tls-nextprotoneg) never reached the
// registry but old clients still send it.
struct Named16 {
  std::uint16_t id;
  std::string_view name;
};
// clang-format off
constexpr auto kExtensions = std::to_array<Named16>({
    {0,      "server_name"},
    {1,      "max_fragment_length"},
    {2,      "client_certificate_url"},
    {3,      "trusted_ca_keys"},
    {4,      "truncated_hmac"},
    {5,      "status_request"},
    {6,      "user_mapping"},
    {7,      "client_authz"},
    {8,      "server_authz"},
    {9,      "cert_type"},
    {10,     "supported_groups"},
    {11,     "ec_point_formats"},
    {12,     "srp"},
    {13,     "signature_algorithms"},
    {14,     "use_srtp"},
    {15,     "heartbeat"},
    {16,     "application_layer_protocol_negotiation"},
    {17,     "status_request_v2"},
    {18,     "signed_certificate_timestamp"},
    {19,     "client_certificate_type"},
    {20,     "server_certificate_type"},
    {21,     "padding"},
    {22,     "encrypt_then_mac"},
    {23,     "extended_master_secret"},
    {24,     "token_binding"},
    {25,     "cached_info"},
    {26,     "tls_lts"},
    {27,     "compress_certificate"},
    {28,     "record_size_limit"},
    {29,     "pwd_protect"},
    {30,     "pwd_clear"},
    {31,     "password_salt"},
    {32,     "ticket_pinning"},
    {33,     "tls_cert_with_extern_psk"},
    {34,     "delegated_credential"},
    {35,     "session_ticket"},
    {36,     "TLMSP"},
    {37,     "TLMSP_proxying"},
    {38,     "TLMSP_delegate"},
    {39,     "supported_ekt_ciphers"},
    {41,     "pre_shared_key"},
    {42,     "early_data"},
    {43,     "supported_versions"},
    {44,     "cookie"},
    {45,     "psk_key_exchange_modes"},
    {47,     "certificate_authorities"},
    {48,     "oid_filters"},
    {49,     "post_handshake_auth"},
    {50,     "signature_algorithms_cert"},
    {51,     "key_share"},
    {52,     "transparency_info"},
    {53,     "connection_id_deprecated"},
    {54,     "connection_id"},
    {55,     "external_id_hash"},
    {56,     "external_session_id"},
    {57,     "quic_transport_parameters"},
    {58,     "ticket_request"},
    {59,     "dnssec_chain"},
    {60,     "sequence_number_encryption_algorithms"},
    {61,     "rrc"},
    {0x3374, "next_protocol_negotiation"},
    {0xFD00, "ech_outer_extensions"},
    {0xFE0D, "encrypted_client_hello"},
    {0xFF01, "renegotiation_info"},
});
// clang-format on

// Protocol version names. Source: RFC 6101 (SSL 3.0), RFC 2246/4346/5246/8446
// (TLS 1.0..1.3); 0x0002 is the SSLv2 CLIENT-HELLO version field.
constexpr auto kVersions = std::to_array<Named16>({
    {kSsl2, "SSLv2"},
    {kSsl3, "SSLv3"},
    {kTls10, "TLSv1.0"},
    {kTls11, "TLSv1.1"},
    {kTls12, "TLSv1.2"},
    {kTls13, "TLSv1.3"},
});

// to_string(Kx) and to_string(Auth), indexed by the enumerator's value.
constexpr std::array<std::string_view, 17> kKxNames{
    "NULL",      "RSA",     "RSA_EXPORT", "DH",   "DHE",  "ECDH",   "ECDHE", "PSK", "DHE_PSK",
    "ECDHE_PSK", "RSA_PSK", "SRP",        "KRB5", "GOST", "ECCPWD", "any",   "SCSV"};
constexpr std::array<std::string_view, 11> kAuthNames{
    "NULL", "RSA", "DSS", "ECDSA", "anon", "PSK", "SRP", "KRB5", "GOST", "ECCPWD", "any"};
static_assert(kKxNames.size() == static_cast<std::size_t>(Kx::kScsv) + 1);
static_assert(kAuthNames.size() == static_cast<std::size_t>(Auth::kAny) + 1);

// Every id lookup is a binary search; these hold the tables to it at compile
// time, so an out-of-order row added later fails the build instead of a lookup.
template <typename Table>
constexpr bool strictly_ascending(const Table& table) {
  return std::adjacent_find(table.begin(), table.end(), [](const auto& a, const auto& b) {
           return !(a.id < b.id);
         }) == table.end();
}
static_assert(strictly_ascending(kSuites));
static_assert(strictly_ascending(kSslv2Ciphers));
static_assert(strictly_ascending(kGroups));
static_assert(strictly_ascending(kSignatureSchemes));
static_assert(strictly_ascending(kAlerts));
static_assert(strictly_ascending(kExtensions));
static_assert(strictly_ascending(kVersions));

// Every suite's cipher has a class, or the predicates below would answer
// "false" for it silently.
constexpr bool all_ciphers_classified() {
  return std::all_of(kSuites.begin(), kSuites.end(),
                     [](const CipherSuite& s) { return find_class(s.cipher) != nullptr; });
}
static_assert(all_ciphers_classified());

template <typename Table, typename Id>
constexpr const typename Table::value_type* find_by_id(const Table& table, Id id) {
  const auto it = std::lower_bound(table.begin(), table.end(), id,
                                   [](const auto& row, Id key) { return row.id < key; });
  if (it == table.end() || it->id != id) return nullptr;
  return &*it;
}

template <typename Table, typename Id>
constexpr std::string_view name_by_id(const Table& table, Id id) {
  const auto* row = find_by_id(table, id);
  return row != nullptr ? row->name : std::string_view{};
}

constexpr CipherClass kNoClass{"", false, false, false, false, false};

const CipherClass& class_of(const CipherSuite& s) {
  const CipherClass* c = find_class(s.cipher);
  return c != nullptr ? *c : kNoClass;
}

}  // namespace

std::string version_name(std::uint16_t version) {
  const std::string_view known = name_by_id(kVersions, version);
  if (!known.empty()) return std::string(known);
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(version >> shift) & 0xF];
  return out;
}

std::string_view to_string(Kx kx) {
  const auto i = static_cast<std::size_t>(kx);
  return i < kKxNames.size() ? kKxNames[i] : std::string_view("?");
}

std::string_view to_string(Auth auth) {
  const auto i = static_cast<std::size_t>(auth);
  return i < kAuthNames.size() ? kAuthNames[i] : std::string_view("?");
}

std::span<const CipherSuite> cipher_suites() {
  return kSuites;
}

const CipherSuite* find_suite(std::uint16_t id) {
  return find_by_id(kSuites, id);
}

const CipherSuite* find_suite(std::string_view name) {
  if (name.empty()) return nullptr;  // "" is every unnamed row's OpenSSL name
  for (const CipherSuite& s : kSuites) {
    if (s.name == name || s.openssl == name) return &s;
  }
  for (const NameAlias& a : kSuiteAliases) {
    if (a.name == name) return find_suite(a.id);
  }
  return nullptr;
}

bool forward_secret(const CipherSuite& s) {
  switch (s.kx) {
    case Kx::kDhe:
    case Kx::kEcdhe:
    case Kx::kDhePsk:
    case Kx::kEcdhePsk:
    case Kx::kAny:  // TLS 1.3 (EC)DHE; psk_ke resumption is the peer's choice, not the suite's
      return true;
    default: return false;
  }
}

bool is_null_cipher(const CipherSuite& s) {
  return s.kx != Kx::kScsv && s.cipher == "NULL";
}

bool is_anonymous(const CipherSuite& s) {
  // TLS_NULL_WITH_NULL_NULL authenticates nobody either.
  return s.auth == Auth::kAnon || (s.auth == Auth::kNull && s.kx == Kx::kNull);
}

bool is_rc4(const CipherSuite& s) {
  return class_of(s).rc4;
}
bool is_3des(const CipherSuite& s) {
  return class_of(s).block64;
}
bool is_single_des(const CipherSuite& s) {
  return class_of(s).single_des;
}
bool is_cbc(const CipherSuite& s) {
  return class_of(s).cbc;
}
bool is_aead(const CipherSuite& s) {
  return class_of(s).aead;
}
bool is_tls13(const CipherSuite& s) {
  return s.min_version == kTls13;
}

std::span<const Sslv2Cipher> sslv2_ciphers() {
  return kSslv2Ciphers;
}

const Sslv2Cipher* find_sslv2_cipher(std::uint32_t id) {
  return find_by_id(kSslv2Ciphers, id);
}

std::span<const NamedGroup> named_groups() {
  return kGroups;
}

const NamedGroup* find_group(std::uint16_t id) {
  return find_by_id(kGroups, id);
}

const NamedGroup* find_group(std::string_view name) {
  for (const NamedGroup& g : kGroups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

std::span<const SignatureScheme> signature_schemes() {
  return kSignatureSchemes;
}

const SignatureScheme* find_signature_scheme(std::uint16_t id) {
  return find_by_id(kSignatureSchemes, id);
}

std::string_view alert_name(std::uint8_t description) {
  return name_by_id(kAlerts, description);
}

std::string_view extension_name(std::uint16_t type) {
  return name_by_id(kExtensions, type);
}

}  // namespace smtpeer::tls::wire
