// build_client_hello against an independent parser: Debian's OpenSSL reads
// each hello we build as a server would (memory BIOs, no certificate needed),
// and its ClientHello callback reports what it saw. The hello must reach the
// callback — OpenSSL checked the record framing, the handshake header, every
// vector length and the extension block before calling it — and what OpenSSL
// saw must be what parse_client_hello saw.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/ossl.h"
#include "tls/wire/client_hello.h"
#include "tls/wire/registry.h"

namespace smtpeer::tls::wire {
namespace {

using namespace std::string_literals;

// OpenSslView: what OpenSSL's ClientHello callback reported.
struct OpenSslView {
  bool called = false;
  bool isv2 = false;
  unsigned legacy_version = 0;
  std::string random;
  std::string session_id;
  std::vector<std::uint16_t> suites;
  std::vector<std::uint8_t> compression;
  std::vector<std::uint16_t> extensions;
  std::optional<std::string> sni;
};

std::uint16_t be16(const unsigned char* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

// host_name: the first host_name of a server_name extension body, read by
// hand so that a NUL or an overlong name comes back as sent.
std::optional<std::string> host_name(const unsigned char* p, std::size_t n) {
  if (n < 2 || be16(p) != n - 2) return std::nullopt;
  std::size_t at = 2;
  while (at + 3 <= n) {
    const std::uint8_t type = p[at];
    const std::size_t len = be16(p + at + 1);
    if (at + 3 + len > n) return std::nullopt;
    if (type == 0) return std::string(reinterpret_cast<const char*>(p + at + 3), len);
    at += 3 + len;
  }
  return std::nullopt;
}

int on_client_hello(SSL* ssl, int* alert, void* arg) {
  auto* view = static_cast<OpenSslView*>(arg);
  view->called = true;
  view->isv2 = SSL_client_hello_isv2(ssl) == 1;
  view->legacy_version = SSL_client_hello_get0_legacy_version(ssl);
  const unsigned char* p = nullptr;
  std::size_t n = SSL_client_hello_get0_random(ssl, &p);
  view->random.assign(reinterpret_cast<const char*>(p), n);
  n = SSL_client_hello_get0_session_id(ssl, &p);
  view->session_id.assign(reinterpret_cast<const char*>(p), n);
  n = SSL_client_hello_get0_ciphers(ssl, &p);
  // An SSLv2 hello lists 3-byte kinds; the TLS suites are those with a zero high byte.
  const std::size_t width = view->isv2 ? 3 : 2;
  for (std::size_t i = 0; i + width <= n; i += width) {
    if (width == 3 && p[i] != 0) continue;
    view->suites.push_back(be16(p + i + width - 2));
  }
  n = SSL_client_hello_get0_compression_methods(ssl, &p);
  view->compression.assign(p, p + n);
  int* types = nullptr;
  std::size_t count = 0;
  if (SSL_client_hello_get1_extensions_present(ssl, &types, &count) == 1) {
    for (std::size_t i = 0; i < count; ++i) {
      view->extensions.push_back(static_cast<std::uint16_t>(types[i]));
    }
    OPENSSL_free(types);
  }
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &n) == 1) {
    view->sni = host_name(p, n);
  }
  // Seen all we need: stop the handshake here.
  *alert = SSL_AD_HANDSHAKE_FAILURE;
  return SSL_CLIENT_HELLO_ERROR;
}

// openssl_reads: feeds `wire` to a fresh OpenSSL server and returns what its
// ClientHello callback saw (called == false if it never got that far).
OpenSslView openssl_reads(std::string_view wire) {
  OpenSslView view;
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return view;
  SSL_CTX_set_client_hello_cb(ctx.get(), on_client_hello, &view);
  SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl) return view;
  BioPtr in(BIO_new(BIO_s_mem()));
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!in || !out) return view;
  if (BIO_write(in.get(), wire.data(), static_cast<int>(wire.size())) !=
      static_cast<int>(wire.size())) {
    return view;
  }
  SSL_set_bio(ssl.get(), in.release(), out.release());  // the SSL owns both now
  SSL_set_accept_state(ssl.get());
  EXPECT_NE(SSL_do_handshake(ssl.get()), 1);  // the callback refuses every hello
  ERR_clear_error();
  return view;
}

struct OpenSslCase {
  const char* name;
  ClientHelloSpec spec;
};

std::ostream& operator<<(std::ostream& os, const OpenSslCase& c) {
  return os << c.name;
}

ClientHelloSpec typical(std::uint16_t version) {
  ClientHelloSpec spec;
  spec.version = version;
  for (std::size_t i = 0; i < spec.random.size(); ++i) {
    spec.random[i] = static_cast<std::uint8_t>(0x80 + i);
  }
  spec.suites = {0xc02f, 0xc030, 0x009e, 0x002f, 0x0035, 0x000a};
  spec.sni = "mail.example.com";
  spec.groups = {29, 23, 24};
  spec.signature_algorithms = {0x0804, 0x0403, 0x0401, 0x0201};
  return spec;
}

template <typename F>
ClientHelloSpec with(std::uint16_t version, F f) {
  ClientHelloSpec spec = typical(version);
  f(spec);
  return spec;
}

const OpenSslCase kCases[] = {
    {"tls12_sni", typical(kTls12)},
    {"tls12_all_extensions", with(kTls12,
                                  [](auto& s) {
                                    s.session_id = std::string(32, '\x11');
                                    s.extended_master_secret = true;
                                    s.session_ticket = true;
                                    s.heartbeat = true;
                                  })},
    {"tls13_key_share", with(kTls13,
                             [](auto& s) {
                               s.suites = {0x1301, 0x1302, 0x1303, 0xc02f};
                               s.key_shares = {{29, std::string(32, '\x09')}};
                             })},
    {"tls10_scsvs", with(kTls10,
                         [](auto& s) {
                           s.fallback_scsv = true;
                           s.renegotiation_scsv = true;
                           s.renegotiation_info = false;
                         })},
    {"tls11_deflate", with(kTls11,
                           [](auto& s) {
                             s.compression = {1, 0};
                           })},
    {"sslv3", with(kSsl3,
                   [](auto& s) {
                     s.suites = {0x000a, 0x0005, 0x0004};
                   })},
    {"sni_with_nul", with(kTls12, [](auto& s) { s.sni = "a\0b.example"s; })},
    {"sni_300_bytes", with(kTls12, [](auto& s) { s.sni = std::string(300, 'x'); })},
    {"sni_empty", with(kTls12, [](auto& s) { s.sni = ""; })},
    {"split_into_50_byte_records", with(kTls12, [](auto& s) { s.max_record = 50; })},
    {"split_tls13_into_7_byte_records", with(kTls13,
                                             [](auto& s) {
                                               s.key_shares = {{29, std::string(32, '\x01')}};
                                               s.max_record = 7;
                                             })},
};

// body_of: the handshake body inside the records build_client_hello wrote.
std::string body_of(std::string_view wire) {
  std::string message;
  while (wire.size() >= 5) {
    const std::size_t n = be16(reinterpret_cast<const unsigned char*>(wire.data()) + 3);
    message.append(wire.substr(5, n));
    wire.remove_prefix(std::min(wire.size(), 5 + n));
  }
  return message.size() >= 4 ? message.substr(4) : std::string();
}

class OpenSslParses : public testing::TestWithParam<OpenSslCase> {};

TEST_P(OpenSslParses, SameViewAsOurs) {
  const ClientHelloSpec& spec = GetParam().spec;
  const std::string wire = build_client_hello(spec);
  const OpenSslView view = openssl_reads(wire);
  ASSERT_TRUE(view.called) << "OpenSSL rejected the hello before its ClientHello callback";
  const auto ours = parse_client_hello(body_of(wire));
  ASSERT_TRUE(ours.ok()) << ours.error().message;
  EXPECT_FALSE(view.isv2);
  EXPECT_EQ(view.legacy_version, ours->legacy_version);
  EXPECT_EQ(view.random, ours->random);
  EXPECT_EQ(view.session_id, ours->session_id);
  EXPECT_EQ(view.suites, ours->suites);
  EXPECT_EQ(view.compression, ours->compression);
  // OpenSSL lists only the extensions it knows; heartbeat left it in 1.1.0.
  std::vector<std::uint16_t> known;
  for (const std::uint16_t t : ours->extensions) {
    if (t != kExtHeartbeat) known.push_back(t);
  }
  EXPECT_EQ(view.extensions, known);
  EXPECT_EQ(view.sni, ours->sni);
}

INSTANTIATE_TEST_SUITE_P(Hellos, OpenSslParses, testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(OpenSslParsesSslv2, CompatibleHello) {
  const std::string challenge(32, '\x5c');
  const std::string wire = build_sslv2_client_hello(
      {0x00c02f, 0x00002f, 0x0700c0, 0x010080, 0x0000ff}, challenge, kTls10);
  const OpenSslView view = openssl_reads(wire);
  ASSERT_TRUE(view.called) << "OpenSSL rejected the SSLv2 hello before its ClientHello callback";
  EXPECT_TRUE(view.isv2);
  EXPECT_EQ(view.legacy_version, kTls10);
  EXPECT_EQ(view.suites, (std::vector<std::uint16_t>{0xc02f, 0x002f, 0x00ff}));
  // RFC 5246 E.2: the challenge, right-aligned in a 32-byte random.
  EXPECT_EQ(view.random, challenge);
  const auto ours = parse_sslv2_client_hello(std::string_view(wire).substr(2));
  ASSERT_TRUE(ours.ok()) << ours.error().message;
  EXPECT_EQ(view.suites, ours->suites);
  EXPECT_EQ(view.random, ours->random);
}

}  // namespace
}  // namespace smtpeer::tls::wire
