#include "tls/cert_info.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <array>
#include <cctype>
#include <ctime>
#include <memory>

#include "tls/ossl.h"

namespace smtpeer::tls {
namespace {

Result<X509Ptr> parse_der(std::string_view der) {
  if (der.empty()) return make_error(ErrorCode::kTls, "empty certificate");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert)
    return make_error(ErrorCode::kTls,
                      fmt::format("certificate does not parse as DER: {}", error_queue()));
  return cert;
}

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string name_line(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  return bio_string(bio.get());
}

std::string utf8(const ASN1_STRING* s) {
  unsigned char* out = nullptr;
  int n = ASN1_STRING_to_UTF8(&out, s);
  if (n < 0) return {};
  OsslBytesPtr owner(out);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

std::string last_common_name(const X509_NAME* name) {
  int last = -1;
  for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_commonName, i))
    last = i;
  if (last < 0) return {};
  return utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  const int len = ASN1_STRING_length(ip);
  const int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
  if (family == 0) return fmt::format("<{}-byte address>", len);
  std::array<char, INET6_ADDRSTRLEN> buf{};
  if (inet_ntop(family, ASN1_STRING_get0_data(ip), buf.data(), buf.size()) == nullptr) return {};
  return buf.data();
}

void read_alt_names(X509* cert, CertFacts& facts) {
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gen = sk_GENERAL_NAME_value(names.get(), i);
    if (gen->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = gen->d.dNSName;
      facts.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                   static_cast<std::size_t>(ASN1_STRING_length(dns)));
    } else if (gen->type == GEN_IPADD) {
      facts.ip_addresses.push_back(ip_text(gen->d.iPAddress));
    }
  }
}

std::string lower_hex(const unsigned char* data, std::size_t n) {
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", data[i]);
  return out;
}

std::string serial_hex(X509* cert) {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) return {};
  OsslStringPtr hex(BN_bn2hex(bn.get()));
  if (!hex) return {};
  std::string out = hex.get();
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string iso8601(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// Names as the header promises them; anything else falls back to OpenSSL's
// short name of the key type.
struct KeyTypeRow {
  int id;
  const char* name;
};
constexpr KeyTypeRow kKeyTypes[] = {
    {EVP_PKEY_RSA, "RSA"},         {EVP_PKEY_RSA_PSS, "RSA-PSS"}, {EVP_PKEY_EC, "EC"},
    {EVP_PKEY_ED25519, "Ed25519"}, {EVP_PKEY_ED448, "Ed448"},     {EVP_PKEY_DSA, "DSA"},
    {EVP_PKEY_DH, "DH"},
};

void read_key(X509* cert, CertFacts& facts) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) {
    // A key OpenSSL cannot load (unknown algorithm): name its OID at least.
    ERR_clear_error();
    ASN1_OBJECT* alg = nullptr;
    if (X509_PUBKEY_get0_param(&alg, nullptr, nullptr, nullptr, X509_get_X509_PUBKEY(cert)) == 1 &&
        alg != nullptr) {
      std::array<char, 128> buf{};
      OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), alg, 0);
      facts.key_type = buf.data();
    }
    return;
  }
  const int id = EVP_PKEY_get_base_id(key);
  for (const KeyTypeRow& row : kKeyTypes)
    if (row.id == id) facts.key_type = row.name;
  if (facts.key_type.empty())
    if (const char* sn = OBJ_nid2sn(id)) facts.key_type = sn;
  facts.key_bits = EVP_PKEY_get_bits(key);
  if (id == EVP_PKEY_EC) {
    std::array<char, 80> group{};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                       &len) == 1)
      facts.curve.assign(group.data(), len);
  }
}

std::string signature_algorithm(X509* cert) {
  const int nid = X509_get_signature_nid(cert);
  if (nid != NID_undef) return OBJ_nid2ln(nid);
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(nullptr, &alg, cert);
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, alg);
  std::array<char, 128> buf{};
  OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), oid, 1);
  return buf.data();
}

}  // namespace

Result<CertFacts> inspect_certificate(std::string_view der,
                                      std::chrono::system_clock::time_point now) {
  Result<X509Ptr> parsed = parse_der(der);
  if (!parsed) return parsed.error();
  X509* cert = parsed->get();

  CertFacts facts;
  facts.subject = name_line(X509_get_subject_name(cert));
  facts.issuer = name_line(X509_get_issuer_name(cert));
  facts.common_name = last_common_name(X509_get_subject_name(cert));
  read_alt_names(cert, facts);
  facts.serial = serial_hex(cert);

  const ASN1_TIME* not_before = X509_get0_notBefore(cert);
  const ASN1_TIME* not_after = X509_get0_notAfter(cert);
  facts.not_before = iso8601(not_before);
  facts.not_after = iso8601(not_after);
  Asn1TimePtr at(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(now)));
  if (!at) return make_error(ErrorCode::kTls, "time conversion: " + error_queue());
  int day = 0;
  int sec = 0;
  if (ASN1_TIME_diff(&day, &sec, at.get(), not_after) == 1) {
    // Rounded down, so that a certificate that expired an hour ago has -1
    // days left, not 0.
    facts.days_left = day - (sec < 0 ? 1 : 0);
  }
  facts.expired = ASN1_TIME_compare(not_after, at.get()) < 0;
  facts.not_yet_valid = ASN1_TIME_compare(not_before, at.get()) > 0;

  read_key(cert, facts);
  facts.signature_algorithm = signature_algorithm(cert);
  // X509_self_signed rather than X509_check_issued(x, x): the latter also
  // demands keyCertSign, which a self-signed server certificate usually lacks.
  facts.self_signed = X509_self_signed(cert, 1) == 1;
  // Only basicConstraints CA:TRUE counts; OpenSSL's legacy answers (a v1
  // self-signed certificate, keyCertSign alone) would mislabel old leaves.
  facts.is_ca = X509_check_ca(cert) == 1;

  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (X509_digest(cert, EVP_sha256(), md.data(), &md_len) == 1)
    facts.sha256 = lower_hex(md.data(), md_len);
  ERR_clear_error();
  return facts;
}

ChainVerdict verify_chain(const std::vector<std::string>& chain, const std::string& ca_file,
                          std::chrono::system_clock::time_point now) {
  ChainVerdict verdict;
  if (chain.empty()) {
    verdict.error = "no certificate";
    return verdict;
  }
  std::vector<X509Ptr> certs;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    Result<X509Ptr> cert = parse_der(chain[i]);
    if (!cert) {
      verdict.error = cert.error().message;
      verdict.error_depth = static_cast<int>(i);
      return verdict;
    }
    certs.push_back(std::move(*cert));
  }

  X509StorePtr store(X509_STORE_new());
  X509StackPtr untrusted(sk_X509_new_null());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) {
    verdict.error = "out of memory: " + error_queue();
    return verdict;
  }
  const int loaded = ca_file.empty() ? X509_STORE_set_default_paths(store.get())
                                     : X509_STORE_load_file(store.get(), ca_file.c_str());
  if (loaded != 1) {
    verdict.error = fmt::format("cannot load CA file '{}': {}", ca_file, error_queue());
    return verdict;
  }
  for (std::size_t i = 1; i < certs.size(); ++i) {
    if (sk_X509_push(untrusted.get(), certs[i].get()) == 0) {
      verdict.error = "out of memory: " + error_queue();
      return verdict;
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), certs[0].get(), untrusted.get()) != 1) {
    verdict.error = "X509_STORE_CTX_init: " + error_queue();
    return verdict;
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(now));
  // Authentication level 0: a 1024-bit key or a SHA-1 signature is a fact
  // for the profile to judge (T5), not a reason for the chain check to stop
  // before it has looked at trust and validity.
  X509_VERIFY_PARAM_set_auth_level(param, 0);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);

  const int rc = X509_verify_cert(ctx.get());
  if (rc == 1) {
    verdict.verified = true;
  } else {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    verdict.error = err != X509_V_OK ? X509_verify_cert_error_string(err)
                                     : "verification failed: " + error_queue();
    verdict.error_depth = X509_STORE_CTX_get_error_depth(ctx.get());
  }
  ERR_clear_error();
  return verdict;
}

bool name_matches(std::string_view der, std::string_view name) {
  Result<X509Ptr> cert = parse_der(der);
  if (!cert || name.empty()) {
    ERR_clear_error();
    return false;
  }
  const std::string text(name);
  // An IP literal is checked against IP SANs only: RFC 2818 §3.1 wants the
  // iPAddress entry, neither a DNS SAN nor the CN may stand in for it.
  if (Asn1OctetStringPtr ip(a2i_IPADDRESS(text.c_str())); ip)
    return X509_check_ip(cert->get(), ASN1_STRING_get0_data(ip.get()),
                         static_cast<std::size_t>(ASN1_STRING_length(ip.get())), 0) == 1;
  ERR_clear_error();
  return X509_check_host(cert->get(), text.data(), text.size(),
                         X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
}

Result<std::string> pem_to_der(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return make_error(ErrorCode::kTls, "BIO_new_mem_buf: " + error_queue());
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return make_error(ErrorCode::kProtocol, "not a PEM certificate: " + error_queue());
  unsigned char* der = nullptr;
  int n = i2d_X509(cert.get(), &der);
  if (n <= 0) return make_error(ErrorCode::kTls, "i2d_X509: " + error_queue());
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}

}  // namespace smtpeer::tls
