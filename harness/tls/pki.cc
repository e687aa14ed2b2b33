#include "tls/pki.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <span>
#include <string_view>

#include "tls/ossl.h"

namespace smtpeer::tls {
namespace {

// The keys of the PKI. Leaves share one RSA key unless the key itself is
// what the certificate tests: RSA key generation dominates the run time.
enum class KeyKind { kCa, kUntrustedCa, kLeaf, kRsa1024, kEcdsa, kCount };
// Who signs a certificate; kSelf for the two CAs and the self-signed leaf.
enum class Signer { kSelf, kCa, kUntrustedCa };
enum class Role { kCa, kServer, kClient };
enum class Subject { kCa, kUntrustedCa, kName, kWrongName, kClient, kWrongClient };

// Entry: one certificate of the PKI, in generation order (the CAs first,
// because the leaves need them), with the file stem and purpose write_pki uses.
struct Entry {
  const char* stem;
  PemPair TestPki::*field;
  Role role;
  Subject subject;
  KeyKind key;
  Signer signer;
  bool sha1;
  int from_days;  // validity, relative to options.now
  int to_days;
  bool loopback_ip;  // also valid for 127.0.0.1 (IP SAN)
  const char* purpose;
};

constexpr int kLeafDays = 365;
constexpr int kCaDays = 3650;
// The CAs predate every leaf they sign (the expired ones start 400 days ago),
// so that moving the clock back to test a leaf never trips over its CA.
constexpr int kCaFromDays = -730;

// clang-format off
constexpr Entry kEntries[] = {
  {"ca", &TestPki::ca, Role::kCa, Subject::kCa, KeyKind::kCa, Signer::kSelf, false, kCaFromDays,
   kCaDays, false,
   "the smtpeer test CA (RSA 2048); trust it to accept the certificates it signed"},
  {"untrusted-ca", &TestPki::untrusted_ca, Role::kCa, Subject::kUntrustedCa, KeyKind::kUntrustedCa,
   Signer::kSelf, false, kCaFromDays, kCaDays, false,
   "a second CA that no trust bundle holds; it signed client-untrusted"},
  {"good", &TestPki::good, Role::kServer, Subject::kName, KeyKind::kLeaf, Signer::kCa, false, -1,
   kLeafDays, true,
   "server certificate for the expected name and 127.0.0.1, signed by the CA, valid"},
  {"wrong-name", &TestPki::wrong_name, Role::kServer, Subject::kWrongName, KeyKind::kLeaf,
   Signer::kCa, false, -1, kLeafDays, false, "server certificate for the wrong name (CN and SAN)"},
  {"expired", &TestPki::expired, Role::kServer, Subject::kName, KeyKind::kLeaf, Signer::kCa, false,
   -400, -30, false, "server certificate that expired 30 days ago"},
  {"not-yet-valid", &TestPki::not_yet_valid, Role::kServer, Subject::kName, KeyKind::kLeaf,
   Signer::kCa, false, 30, 400, false, "server certificate that becomes valid in 30 days"},
  {"self-signed", &TestPki::self_signed, Role::kServer, Subject::kName, KeyKind::kLeaf,
   Signer::kSelf, false, -1, kLeafDays, false, "self-signed server certificate (not from the CA)"},
  {"rsa1024", &TestPki::rsa1024, Role::kServer, Subject::kName, KeyKind::kRsa1024, Signer::kCa,
   false, -1, kLeafDays, false, "server certificate with a weak 1024-bit RSA key"},
  {"sha1", &TestPki::sha1, Role::kServer, Subject::kName, KeyKind::kLeaf, Signer::kCa, true, -1,
   kLeafDays, false, "server certificate signed with SHA-1"},
  {"ecdsa", &TestPki::ecdsa, Role::kServer, Subject::kName, KeyKind::kEcdsa, Signer::kCa, false,
   -1, kLeafDays, false, "server certificate with an ECDSA P-256 key, signed by the CA"},
  {"client-good", &TestPki::client_good, Role::kClient, Subject::kClient, KeyKind::kLeaf,
   Signer::kCa, false, -1, kLeafDays, false,
   "client certificate \"smtpeer client\", signed by the CA"},
  {"client-wrong-cn", &TestPki::client_wrong_cn, Role::kClient, Subject::kWrongClient,
   KeyKind::kLeaf, Signer::kCa, false, -1, kLeafDays, false,
   "client certificate \"wrong client\", signed by the CA"},
  {"client-expired", &TestPki::client_expired, Role::kClient, Subject::kClient, KeyKind::kLeaf,
   Signer::kCa, false, -400, -30, false, "client certificate that expired 30 days ago"},
  {"client-untrusted", &TestPki::client_untrusted, Role::kClient, Subject::kClient, KeyKind::kLeaf,
   Signer::kUntrustedCa, false, -1, kLeafDays, false,
   "client certificate signed by the untrusted CA"},
};
// clang-format on

// Extensions per role, in the order they are added: the subject key
// identifier must exist before the authority key identifier of a
// self-signed certificate can copy it.
struct ExtensionRow {
  int nid;
  const char* value;
};
constexpr ExtensionRow kCaExtensions[] = {
    {NID_basic_constraints, "critical,CA:TRUE"},
    {NID_key_usage, "critical,keyCertSign,cRLSign"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};
constexpr ExtensionRow kServerExtensions[] = {
    {NID_basic_constraints, "CA:FALSE"},
    {NID_ext_key_usage, "serverAuth"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};
constexpr ExtensionRow kClientExtensions[] = {
    {NID_basic_constraints, "CA:FALSE"},
    {NID_ext_key_usage, "clientAuth"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};

constexpr const char* kIssuerSerialAki = "issuer:always";

// A leaf's keyUsage depends on its key: keyEncipherment only means
// something for RSA (RSA key transport).
constexpr const char* kRsaLeafUsage = "critical,digitalSignature,keyEncipherment";
constexpr const char* kEcLeafUsage = "critical,digitalSignature";

Error tls_error(std::string_view what) {
  return make_error(ErrorCode::kTls, fmt::format("{}: {}", what, error_queue()));
}

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Result<PkeyPtr> make_key(KeyKind kind) {
  PkeyPtr key;
  switch (kind) {
    case KeyKind::kRsa1024: key.reset(EVP_RSA_gen(1024)); break;
    case KeyKind::kEcdsa: key.reset(EVP_EC_gen("P-256")); break;
    default: key.reset(EVP_RSA_gen(2048)); break;
  }
  if (!key) return tls_error("key generation");
  return key;
}

// Serials: 16 random bytes, the top bit cleared so that the INTEGER is
// positive and the next one set so that it keeps all 16 bytes (RFC 5280
// §4.1.2.2 allows up to 20).
Status set_random_serial(X509* cert) {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    return tls_error("random serial");
  bytes[0] = static_cast<unsigned char>((bytes[0] & 0x7f) | 0x40);
  BignumPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr)
    return tls_error("serial number");
  return {};
}

// Subject: O before CN, so the RFC 2253 form (last RDN first) reads
// "CN=…,O=smtpeer test" like most certificates in the wild.
Status set_subject(X509* cert, const std::string& common_name) {
  X509_NAME* name = X509_get_subject_name(cert);
  auto add = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.data()),
                                      static_cast<int>(value.size()), -1, 0) == 1;
  };
  if (!add("O", "smtpeer test") || !add("CN", common_name))
    return make_error(ErrorCode::kUsage,
                      fmt::format("'{}' cannot be a certificate common name (at most 64 "
                                  "characters): {}",
                                  common_name, error_queue()));
  return {};
}

// push_alt_name: an IP literal becomes an IP SAN, anything else a DNS SAN.
// Built as objects rather than a "DNS:…" config string so that a name with
// a comma cannot smuggle in other entries.
bool push_alt_name(GENERAL_NAMES* names, const std::string& value) {
  GeneralNamePtr gen(GENERAL_NAME_new());
  if (!gen) return false;
  if (Asn1OctetStringPtr ip(a2i_IPADDRESS(value.c_str())); ip) {
    GENERAL_NAME_set0_value(gen.get(), GEN_IPADD, ip.release());
  } else {
    ERR_clear_error();  // a2i_IPADDRESS queues an error for a host name
    // ASN1_IA5STRING is an ASN1_STRING like ASN1_OCTET_STRING: same owner.
    Asn1OctetStringPtr dns(ASN1_IA5STRING_new());
    if (!dns || ASN1_STRING_set(dns.get(), value.data(), static_cast<int>(value.size())) != 1)
      return false;
    GENERAL_NAME_set0_value(gen.get(), GEN_DNS, dns.release());
  }
  if (sk_GENERAL_NAME_push(names, gen.get()) == 0) return false;
  gen.release();  // now owned by the stack
  return true;
}

Status add_alt_names(X509* cert, const std::vector<std::string>& values) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return tls_error("subjectAltName");
  for (const std::string& v : values)
    if (!push_alt_name(names.get(), v)) return tls_error("subjectAltName " + v);
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return tls_error("subjectAltName");
  return {};
}

Status add_extension(X509* cert, X509V3_CTX* v3, int nid, const char* value) {
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, v3, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return tls_error(fmt::format("extension {} '{}'", OBJ_nid2sn(nid), value));
  return {};
}

struct CertSpec {
  const Entry* entry;
  std::string common_name;
  std::vector<std::string> alt_names;  // empty: no subjectAltName
  EVP_PKEY* key;
  X509* issuer;  // nullptr: self-signed
  EVP_PKEY* issuer_key;
  std::time_t now;
};

Result<X509Ptr> make_cert(const CertSpec& spec) {
  const Entry& e = *spec.entry;
  X509Ptr cert(X509_new());
  if (!cert) return tls_error("X509_new");
  X509* x = cert.get();
  X509* issuer = spec.issuer ? spec.issuer : x;
  if (X509_set_version(x, X509_VERSION_3) != 1) return tls_error("version");
  if (Status st = set_random_serial(x); !st) return st.error();
  if (!ASN1_TIME_adj(X509_getm_notBefore(x), spec.now, e.from_days, 0) ||
      !ASN1_TIME_adj(X509_getm_notAfter(x), spec.now, e.to_days, 0))
    return tls_error("validity");
  if (X509_set_pubkey(x, spec.key) != 1) return tls_error("public key");
  if (Status st = set_subject(x, spec.common_name); !st) return st.error();
  if (X509_set_issuer_name(x, X509_get_subject_name(issuer)) != 1) return tls_error("issuer");

  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, issuer, x, nullptr, nullptr, 0);
  std::span<const ExtensionRow> rows = e.role == Role::kCa       ? std::span(kCaExtensions)
                                       : e.role == Role::kServer ? std::span(kServerExtensions)
                                                                 : std::span(kClientExtensions);
  for (const ExtensionRow& row : rows) {
    const char* value = row.value;
    // A given CA may lack a subject key identifier, and "keyid:always" then
    // fails: name the CA by its issuer and serial instead (RFC 5280
    // §4.2.1.1), which OpenSSL matches just as well when it builds the chain.
    if (row.nid == NID_authority_key_identifier && spec.issuer != nullptr &&
        X509_get0_subject_key_id(spec.issuer) == nullptr)
      value = kIssuerSerialAki;
    if (Status st = add_extension(x, &v3, row.nid, value); !st) return st.error();
  }
  if (e.role != Role::kCa) {
    const char* usage =
        EVP_PKEY_get_base_id(spec.key) == EVP_PKEY_EC ? kEcLeafUsage : kRsaLeafUsage;
    if (Status st = add_extension(x, &v3, NID_key_usage, usage); !st) return st.error();
  }
  if (!spec.alt_names.empty())
    if (Status st = add_alt_names(x, spec.alt_names); !st) return st.error();

  // SHA-1 signing works with the default provider; refusing a SHA-1
  // signature is the verifier's business (security level), not ours.
  const EVP_MD* md = e.sha1 ? EVP_sha1() : EVP_sha256();
  if (X509_sign(x, spec.issuer_key, md) == 0) return tls_error(fmt::format("signing {}", e.stem));
  return cert;
}

std::string subject_name(Subject s, const PkiOptions& options) {
  switch (s) {
    case Subject::kCa: return "smtpeer test CA";
    case Subject::kUntrustedCa: return "smtpeer untrusted CA";
    case Subject::kName: return options.name;
    case Subject::kWrongName: return options.wrong_name;
    case Subject::kClient: return "smtpeer client";
    case Subject::kWrongClient: return "wrong client";
  }
  return {};
}

// Client names ("smtpeer client") are not host names: client certificates
// carry them in the CN only, as client certificates usually do.
std::vector<std::string> alt_names(const Entry& e, const std::string& name) {
  if (e.role != Role::kServer) return {};
  std::vector<std::string> out{name};
  if (e.loopback_ip && name != "127.0.0.1") out.emplace_back("127.0.0.1");
  return out;
}

Result<std::string> cert_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return tls_error("PEM certificate");
  return bio_string(bio.get());
}

Result<std::string> key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return tls_error("PEM private key");
  return bio_string(bio.get());
}

constexpr const char* kGivenCaPurpose =
    "the CA smtpeer was given to sign with (not generated; its key is not copied here); "
    "trust it to accept the certificates it signed";

struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

// write_file: creates the file with `mode` from the start (a key is never
// briefly world-readable) and fixes the mode of a file that already existed.
Status write_file(const std::string& path, const std::string& data, mode_t mode) {
  auto io_error = [&](const char* what) {
    return make_error(ErrorCode::kIo, fmt::format("{} {}: {}", what, path, std::strerror(errno)));
  };
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return io_error("cannot create");
  FdCloser closer{fd};
  if (::fchmod(fd, mode) != 0) return io_error("cannot set the mode of");
  std::string_view rest = data;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_error("cannot write");
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// The most a CA certificate or key file may hold: real ones are a few KB,
// and the bound keeps a wrong path (a log, /dev/zero) from being read whole.
constexpr std::size_t kMaxPemFile = std::size_t{1} << 20;

Result<std::string> read_pem_file(const std::string& path) {
  auto io_error = [&](const char* what) {
    return make_error(ErrorCode::kIo, fmt::format("{} {}: {}", what, path, std::strerror(errno)));
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open");
  FdCloser closer{fd};
  std::string out;
  std::array<char, 8192> buf{};
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot read");
    if (n == 0) return out;
    out.append(buf.data(), static_cast<std::size_t>(n));
    if (out.size() > kMaxPemFile)
      return make_error(ErrorCode::kUsage,
                        fmt::format("{}: larger than {} bytes, so not a PEM certificate or key",
                                    path, kMaxPemFile));
  }
}

// first_pem_label: "CERTIFICATE" for a file starting (after any text) with
// "-----BEGIN CERTIFICATE-----"; "" when there is no PEM block. It makes the
// error for a wrong file say what the file is instead.
std::string_view first_pem_label(std::string_view text) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  std::size_t at = text.find(kBegin);
  if (at == std::string_view::npos) return {};
  text.remove_prefix(at + kBegin.size());
  std::size_t end = text.find("-----");
  std::size_t eol = text.find('\n');
  if (end == std::string_view::npos || end > eol) return {};
  return text.substr(0, end);
}

// not_what_was_expected: the error for a file without the PEM block wanted.
Error not_what_was_expected(const std::string& from, std::string_view text, const char* wanted) {
  ERR_clear_error();  // PEM's "no start line": the label says more
  std::string_view label = first_pem_label(text);
  if (label.empty())
    return make_error(ErrorCode::kUsage, fmt::format("{}: not PEM (no -----BEGIN line), "
                                                     "expected {}",
                                                     from, wanted));
  return make_error(ErrorCode::kUsage,
                    fmt::format("{}: holds a PEM \"{}\" block, not {}{}", from, label, wanted,
                                label.find("PRIVATE KEY") != std::string_view::npos ||
                                        label.ends_with("CERTIFICATE")
                                    ? " (are the certificate and key swapped?)"
                                    : ""));
}

// no_prompt: the PEM passphrase callback. Without one OpenSSL would ask on
// the terminal, and smtpeer runs unattended: an encrypted key is refused,
// and this records that it was one.
int no_prompt(char* /*buf*/, int /*size*/, int /*rwflag*/, void* encrypted) {
  *static_cast<bool*>(encrypted) = true;
  return -1;
}

BioPtr memory_bio(std::string_view text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

Result<X509Ptr> parse_ca_cert(std::string_view text, const std::string& from) {
  if (text.size() > kMaxPemFile)
    return make_error(ErrorCode::kUsage, fmt::format("{}: too large for a certificate", from));
  BioPtr bio = memory_bio(text);
  bool encrypted = false;
  if (!bio) return tls_error("BIO_new_mem_buf");
  // _AUX also reads "TRUSTED CERTIFICATE" (openssl x509 -trustout).
  X509Ptr cert(PEM_read_bio_X509_AUX(bio.get(), nullptr, no_prompt, &encrypted));
  if (!cert) {
    std::string_view label = first_pem_label(text);
    if (label == "CERTIFICATE" || label == "TRUSTED CERTIFICATE")
      return make_error(ErrorCode::kUsage,
                        fmt::format("{}: the certificate does not parse: {}", from, error_queue()));
    return not_what_was_expected(from, text, "a certificate");
  }
  if (X509Ptr more(PEM_read_bio_X509_AUX(bio.get(), nullptr, no_prompt, &encrypted)); more)
    return make_error(ErrorCode::kUsage,
                      fmt::format("{}: holds more than one certificate; give the signing CA "
                                  "alone (smtpeer sends no intermediate certificates, so clients "
                                  "must trust that CA itself)",
                                  from));
  ERR_clear_error();  // the second read ends at the end of the file
  return cert;
}

Result<PkeyPtr> parse_ca_key(std::string_view text, const std::string& from) {
  if (text.size() > kMaxPemFile)
    return make_error(ErrorCode::kUsage, fmt::format("{}: too large for a key", from));
  BioPtr bio = memory_bio(text);
  if (!bio) return tls_error("BIO_new_mem_buf");
  bool encrypted = false;
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_prompt, &encrypted));
  if (encrypted) {
    ERR_clear_error();
    return make_error(ErrorCode::kUsage,
                      fmt::format("{}: the key is encrypted; give an unencrypted key (smtpeer "
                                  "runs unattended and asks for no passphrase)",
                                  from));
  }
  if (!key) {
    if (first_pem_label(text).find("PRIVATE KEY") != std::string_view::npos)
      return make_error(ErrorCode::kUsage,
                        fmt::format("{}: the private key does not parse: {}", from, error_queue()));
    return not_what_was_expected(from, text, "a private key");
  }
  return key;
}

// LoadedCa: a CA checked fit to sign the leaves, parsed and re-encoded.
struct LoadedCa {
  X509Ptr cert;
  PkeyPtr key;
  PemPair pem;
};

// Key types a given CA may have: the leaves are signed with SHA-256 and the
// sha1 leaf with SHA-1, which EdDSA keys cannot do.
constexpr int kCaKeyTypes[] = {EVP_PKEY_RSA, EVP_PKEY_EC};

// load_ca: the checks of read_ca, on PEM text; `cert_from` and `key_from`
// say where the text came from in errors.
Result<LoadedCa> load_ca(std::string_view cert_text, std::string_view key_text,
                         const std::string& cert_from, const std::string& key_from) {
  Result<X509Ptr> cert = parse_ca_cert(cert_text, cert_from);
  if (!cert) return cert.error();
  Result<PkeyPtr> key = parse_ca_key(key_text, key_from);
  if (!key) return key.error();
  X509* x = cert->get();
  if (X509_check_private_key(x, key->get()) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::kUsage,
                      fmt::format("{}: not the private key of the certificate in {} (their "
                                  "public keys differ)",
                                  key_from, cert_from));
  }
  const uint32_t flags = X509_get_extension_flags(x);
  if ((flags & EXFLAG_INVALID) != 0)
    return make_error(ErrorCode::kUsage,
                      fmt::format("{}: the certificate's extensions do not parse", cert_from));
  // RFC 5280 §4.2.1.9: "The cA boolean indicates whether the certified
  // public key may be used to verify certificate signatures."
  if ((flags & EXFLAG_CA) == 0)
    return make_error(ErrorCode::kUsage,
                      fmt::format("{}: not a CA certificate (no basicConstraints CA:TRUE); "
                                  "clients reject certificates signed by a leaf, so give the CA "
                                  "they trust",
                                  cert_from));
  // §4.2.1.3: "The keyCertSign bit is asserted when the subject public key
  // is used for verifying signatures on public key certificates."
  if ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(x) & KU_KEY_CERT_SIGN) == 0)
    return make_error(ErrorCode::kUsage,
                      fmt::format("{}: the CA's keyUsage lacks keyCertSign, so clients reject "
                                  "the certificates it signs",
                                  cert_from));
  const int type = EVP_PKEY_get_base_id(key->get());
  if (std::find(std::begin(kCaKeyTypes), std::end(kCaKeyTypes), type) == std::end(kCaKeyTypes))
    return make_error(ErrorCode::kUsage,
                      fmt::format("{}: the key type is {}; smtpeer signs with RSA or EC CA keys "
                                  "only (one of its certificates needs a SHA-1 signature)",
                                  key_from, OBJ_nid2sn(type)));
  Result<std::string> cpem = cert_pem(x);
  if (!cpem) return cpem.error();
  Result<std::string> kpem = key_pem(key->get());
  if (!kpem) return kpem.error();
  return LoadedCa{std::move(*cert), std::move(*key), PemPair{std::move(*cpem), std::move(*kpem)}};
}

}  // namespace

Result<TestPki> generate_pki(const PkiOptions& options) {
  // Checked before the slow key generation: both names become common names.
  for (const std::string* name : {&options.name, &options.wrong_name})
    if (name->empty() || name->size() > ub_common_name)
      return make_error(ErrorCode::kUsage,
                        fmt::format("'{}' cannot be a certificate name (1 to {} characters)", *name,
                                    ub_common_name));
  const std::time_t now = std::chrono::system_clock::to_time_t(options.now);

  std::array<PkeyPtr, static_cast<std::size_t>(KeyKind::kCount)> keys;
  TestPki pki;
  X509Ptr ca;
  // Checked again, as the issuer may not come from read_ca; before the key
  // generation, so that a bad CA fails fast.
  if (options.issuer) {
    Result<LoadedCa> given =
        load_ca(options.issuer->cert, options.issuer->key, "issuer certificate", "issuer key");
    if (!given) return given.error();
    ca = std::move(given->cert);
    keys[static_cast<std::size_t>(KeyKind::kCa)] = std::move(given->key);
    pki.ca = std::move(given->pem);
    pki.ca_given = true;
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i]) continue;
    Result<PkeyPtr> key = make_key(static_cast<KeyKind>(i));
    if (!key) return key.error();
    keys[i] = std::move(*key);
  }
  auto key_of = [&](KeyKind k) { return keys[static_cast<std::size_t>(k)].get(); };

  X509Ptr untrusted_ca;
  for (const Entry& e : kEntries) {
    if (e.field == &TestPki::ca && pki.ca_given) continue;
    CertSpec spec{&e, subject_name(e.subject, options), {}, key_of(e.key), nullptr, nullptr, now};
    spec.alt_names = alt_names(e, spec.common_name);
    switch (e.signer) {
      case Signer::kSelf: spec.issuer_key = spec.key; break;
      case Signer::kCa:
        spec.issuer = ca.get();
        spec.issuer_key = key_of(KeyKind::kCa);
        break;
      case Signer::kUntrustedCa:
        spec.issuer = untrusted_ca.get();
        spec.issuer_key = key_of(KeyKind::kUntrustedCa);
        break;
    }
    Result<X509Ptr> cert = make_cert(spec);
    if (!cert) return cert.error();
    Result<std::string> cpem = cert_pem(cert->get());
    if (!cpem) return cpem.error();
    Result<std::string> kpem = key_pem(spec.key);
    if (!kpem) return kpem.error();
    pki.*e.field = PemPair{std::move(*cpem), std::move(*kpem)};
    if (e.field == &TestPki::ca) ca = std::move(*cert);
    if (e.field == &TestPki::untrusted_ca) untrusted_ca = std::move(*cert);
  }
  return pki;
}

Result<std::vector<PkiFile>> write_pki(const TestPki& pki, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return make_error(ErrorCode::kIo,
                      fmt::format("cannot create directory {}: {}", dir, ec.message()));

  std::vector<PkiFile> files;
  std::string readme =
      "Generated by smtpeer (smtpeer certs); regenerate rather than edit.\n"
      "Keys are shared between leaves whose key is not what they test.\n\n";
  auto add = [&](const std::string& name, const std::string& data, mode_t mode,
                 std::string purpose) -> Status {
    std::string path = (fs::path(dir) / name).string();
    if (Status st = write_file(path, data, mode); !st) return st;
    readme += fmt::format("{:<22} {}\n", name, purpose);
    files.push_back(PkiFile{std::move(path), std::move(purpose)});
    return {};
  };
  for (const Entry& e : kEntries) {
    const PemPair& pair = pki.*e.field;
    std::string stem = e.stem;
    const bool given = e.field == &TestPki::ca && pki.ca_given;
    if (Status st = add(stem + ".pem", pair.cert, 0644, given ? kGivenCaPurpose : e.purpose); !st)
      return st.error();
    if (given) continue;
    if (Status st = add(stem + ".key", pair.key, 0600,
                        fmt::format("private key of {}.pem (PKCS#8 PEM)", stem));
        !st)
      return st.error();
  }
  std::string readme_path = (fs::path(dir) / "README.txt").string();
  if (Status st = write_file(readme_path, readme, 0644); !st) return st.error();
  files.push_back(PkiFile{std::move(readme_path), "this list of files and what each is for"});
  return files;
}

Result<PemPair> read_ca(const std::string& cert_path, const std::string& key_path) {
  Result<std::string> cert = read_pem_file(cert_path);
  if (!cert) return cert.error();
  Result<std::string> key = read_pem_file(key_path);
  if (!key) return key.error();
  Result<LoadedCa> ca = load_ca(*cert, *key, cert_path, key_path);
  if (!ca) return ca.error();
  return std::move(ca->pem);
}

}  // namespace smtpeer::tls
