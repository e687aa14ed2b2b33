#include "tls/session.h"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstring>

namespace smtpeer::tls {

std::string error_queue() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

int version_from_name(const std::string& name) {
  struct Row {
    const char* name;
    int version;
  };
  static constexpr Row kVersions[] = {
      {"SSLv3", SSL3_VERSION},     {"TLSv1", TLS1_VERSION},     {"TLSv1.0", TLS1_VERSION},
      {"TLSv1.1", TLS1_1_VERSION}, {"TLSv1.2", TLS1_2_VERSION}, {"TLSv1.3", TLS1_3_VERSION},
  };
  if (name.empty()) return 0;
  for (const auto& row : kVersions)
    if (name == row.name) return row.version;
  return -1;
}

// State: what the info callback learns during the handshake.
struct Session::State {
  std::string alert_received;
  std::string alert_sent;
  std::string error;
  bool certificate_requested = false;
};

namespace {

void info_callback(const SSL* ssl, int where, int ret) {
  if ((where & SSL_CB_ALERT) == 0) return;
  auto* state = static_cast<Session::State*>(SSL_get_app_data(ssl));
  if (state == nullptr) return;
  std::string text = fmt::format("{} ({})", SSL_alert_desc_string_long(ret), ret & 0xff);
  if (where & SSL_CB_READ)
    state->alert_received = text;
  else
    state->alert_sent = text;
}

// msg_callback: notes a CertificateRequest from the server. The message
// callback sees handshake messages after decryption, so this works for
// TLS 1.3 too, where the request travels encrypted.
void msg_callback(int write_p, int /*version*/, int content_type, const void* buf, size_t len,
                  SSL* ssl, void* /*arg*/) {
  if (write_p != 0 || content_type != SSL3_RT_HANDSHAKE || len < 1) return;
  auto* state = static_cast<Session::State*>(SSL_get_app_data(ssl));
  if (state == nullptr) return;
  if (static_cast<const unsigned char*>(buf)[0] == SSL3_MT_CERTIFICATE_REQUEST)
    state->certificate_requested = true;
}

Status apply_versions(SSL_CTX* ctx, const std::string& min, const std::string& max) {
  int lo = version_from_name(min);
  int hi = version_from_name(max);
  if (lo < 0) return make_error(ErrorCode::kUsage, fmt::format("unknown TLS version '{}'", min));
  if (hi < 0) return make_error(ErrorCode::kUsage, fmt::format("unknown TLS version '{}'", max));
  if (lo > 0) SSL_CTX_set_min_proto_version(ctx, lo);
  if (hi > 0) SSL_CTX_set_max_proto_version(ctx, hi);
  return {};
}

}  // namespace

Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

Result<Session> Session::client(const ClientConfig& cfg) {
  Session s;
  s.ctx_.reset(SSL_CTX_new(TLS_client_method()));
  if (!s.ctx_) return make_error(ErrorCode::kTls, "SSL_CTX_new: " + error_queue());
  SSL_CTX* ctx = s.ctx_.get();
  if (cfg.security_level >= 0) SSL_CTX_set_security_level(ctx, cfg.security_level);
  if (Status st = apply_versions(ctx, cfg.min_version, cfg.max_version); !st) return st.error();
  if (!cfg.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, cfg.ciphers.c_str()) != 1)
    return make_error(ErrorCode::kUsage, fmt::format("cipher list '{}' matches no cipher OpenSSL "
                                                     "supports: {}",
                                                     cfg.ciphers, error_queue()));
  if (!cfg.ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, cfg.ciphersuites.c_str()) != 1)
    return make_error(ErrorCode::kUsage, fmt::format("TLS 1.3 suites '{}' not supported: {}",
                                                     cfg.ciphersuites, error_queue()));
  if (!cfg.ca_file.empty() && SSL_CTX_load_verify_locations(ctx, cfg.ca_file.c_str(), nullptr) != 1)
    return make_error(ErrorCode::kUsage,
                      fmt::format("cannot load CA file '{}': {}", cfg.ca_file, error_queue()));
  if (!cfg.cert_file.empty()) {
    const std::string& key = cfg.key_file.empty() ? cfg.cert_file : cfg.key_file;
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg.cert_file.c_str()) != 1)
      return make_error(ErrorCode::kUsage, fmt::format("cannot load client certificate '{}': {}",
                                                       cfg.cert_file, error_queue()));
    if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1)
      return make_error(ErrorCode::kUsage,
                        fmt::format("cannot use client key '{}': {}", key, error_queue()));
  }
  // Verification always runs so the result can be reported; it only stops
  // the handshake when the scenario or profile asks for it.
  SSL_CTX_set_verify(ctx, cfg.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (cfg.legacy_server_connect) SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT);

  s.ssl_.reset(SSL_new(ctx));
  if (!s.ssl_) return make_error(ErrorCode::kTls, "SSL_new: " + error_queue());
  // OpenSSL takes C strings: a name with NUL, or over 255 bytes, cannot be
  // sent as SNI this way (the raw TLS layer is for such oddities).
  if (!cfg.sni.empty() && (cfg.sni.find('\0') != std::string::npos ||
                           SSL_set_tlsext_host_name(s.ssl_.get(), cfg.sni.c_str()) != 1))
    return make_error(ErrorCode::kUsage,
                      fmt::format("cannot send SNI '{}' with OpenSSL: {}", cfg.sni, error_queue()));
  if (!cfg.expect_name.empty() && SSL_set1_host(s.ssl_.get(), cfg.expect_name.c_str()) != 1)
    return make_error(ErrorCode::kUsage,
                      fmt::format("cannot check the certificate against '{}'", cfg.expect_name));
  s.rbio_ = BIO_new(BIO_s_mem());
  s.wbio_ = BIO_new(BIO_s_mem());
  SSL_set_bio(s.ssl_.get(), s.rbio_, s.wbio_);
  SSL_set_connect_state(s.ssl_.get());
  s.state_ = std::make_unique<State>();
  SSL_set_app_data(s.ssl_.get(), s.state_.get());
  SSL_set_info_callback(s.ssl_.get(), info_callback);
  SSL_set_msg_callback(s.ssl_.get(), msg_callback);
  return s;
}

Result<Session> Session::server(const ServerConfig& cfg) {
  Session s;
  s.server_ = true;
  s.ctx_.reset(SSL_CTX_new(TLS_server_method()));
  if (!s.ctx_) return make_error(ErrorCode::kTls, "SSL_CTX_new: " + error_queue());
  SSL_CTX* ctx = s.ctx_.get();
  if (Status st = apply_versions(ctx, cfg.min_version, cfg.max_version); !st) return st.error();
  // The level first: it decides whether a weak certificate may be used at all.
  if (cfg.security_level >= 0) SSL_CTX_set_security_level(ctx, cfg.security_level);
  if (!cfg.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, cfg.ciphers.c_str()) != 1)
    return make_error(ErrorCode::kTls,
                      fmt::format("cipher list '{}': {}", cfg.ciphers, error_queue()));
  {
    BioPtr bio(BIO_new_mem_buf(cfg.cert_pem.data(), static_cast<int>(cfg.cert_pem.size())));
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert || SSL_CTX_use_certificate(ctx, cert.get()) != 1)
      return make_error(ErrorCode::kTls, "server certificate: " + error_queue());
  }
  {
    BioPtr bio(BIO_new_mem_buf(cfg.key_pem.data(), static_cast<int>(cfg.key_pem.size())));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key || SSL_CTX_use_PrivateKey(ctx, key.get()) != 1)
      return make_error(ErrorCode::kTls, "server key: " + error_queue());
  }
  s.ssl_.reset(SSL_new(ctx));
  if (!s.ssl_) return make_error(ErrorCode::kTls, "SSL_new: " + error_queue());
  s.rbio_ = BIO_new(BIO_s_mem());
  s.wbio_ = BIO_new(BIO_s_mem());
  SSL_set_bio(s.ssl_.get(), s.rbio_, s.wbio_);
  SSL_set_accept_state(s.ssl_.get());
  s.state_ = std::make_unique<State>();
  SSL_set_app_data(s.ssl_.get(), s.state_.get());
  SSL_set_info_callback(s.ssl_.get(), info_callback);
  return s;
}

Session::Step Session::handshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_.get());
  if (r == 1) return Step::kDone;
  int err = SSL_get_error(ssl_.get(), r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return Step::kWantRead;
  std::string q = error_queue();
  state_->error = q.empty() ? fmt::format("SSL error {}", err) : q;
  return Step::kFailed;
}

void Session::feed(std::string_view ciphertext) {
  if (!ciphertext.empty()) BIO_write(rbio_, ciphertext.data(), static_cast<int>(ciphertext.size()));
}

std::string Session::drain() {
  std::string out;
  char buf[16384];
  for (;;) {
    int n = BIO_read(wbio_, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Status Session::write(std::string_view plain) {
  if (plain.empty()) return {};
  ERR_clear_error();
  int n = SSL_write(ssl_.get(), plain.data(), static_cast<int>(plain.size()));
  if (n <= 0) return make_error(ErrorCode::kTls, "SSL_write: " + error_queue());
  return {};
}

Session::ReadState Session::read(std::string& out) {
  char buf[16384];
  bool got = false;
  for (;;) {
    ERR_clear_error();
    int n = SSL_read(ssl_.get(), buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      got = true;
      continue;
    }
    int err = SSL_get_error(ssl_.get(), n);
    if (got) return ReadState::kData;
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return ReadState::kWantRead;
    if (err == SSL_ERROR_ZERO_RETURN) return ReadState::kClosed;
    std::string q = error_queue();
    state_->error = q.empty() ? fmt::format("SSL error {}", err) : q;
    return ReadState::kFailed;
  }
}

void Session::close_notify() {
  SSL_shutdown(ssl_.get());
}

HandshakeInfo Session::info() const {
  HandshakeInfo info;
  SSL* ssl = ssl_.get();
  info.ok = SSL_is_init_finished(ssl) == 1;
  info.version = SSL_get_version(ssl);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(ssl)) info.cipher = SSL_CIPHER_get_name(c);
  info.alert_received = state_->alert_received;
  info.alert_sent = state_->alert_sent;
  info.error = state_->error;
  if (X509* peer = SSL_get0_peer_certificate(ssl)) {
    char buf[512];
    X509_NAME_oneline(X509_get_subject_name(peer), buf, sizeof buf);
    info.peer_subject = buf;
    X509_NAME_oneline(X509_get_issuer_name(peer), buf, sizeof buf);
    info.peer_issuer = buf;
    info.verify_result = SSL_get_verify_result(ssl);
    info.verify_error = X509_verify_cert_error_string(info.verify_result);
  }
  // The chain as the server sent it (on the client side it starts with the leaf).
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      X509* x = sk_X509_value(chain, i);
      int n = i2d_X509(x, nullptr);
      if (n <= 0) continue;
      std::string der(static_cast<std::size_t>(n), '\0');
      auto* p = reinterpret_cast<unsigned char*>(der.data());
      if (i2d_X509(x, &p) == n) info.peer_chain.push_back(std::move(der));
    }
  }
  info.certificate_requested = state_->certificate_requested;
  return info;
}

std::string HandshakeInfo::summary() const {
  if (ok) {
    std::string s = fmt::format("TLS handshake ok: {} {}", version, cipher);
    if (!peer_subject.empty())
      s += fmt::format("; certificate {} (verify: {})", peer_subject, verify_error);
    return s;
  }
  std::string s = "TLS handshake failed";
  if (!alert_received.empty()) s += ": peer sent alert " + alert_received;
  if (!alert_sent.empty()) s += ": smtpeer sent alert " + alert_sent;
  if (!error.empty()) s += " [" + error + "]";
  return s;
}

bool looks_like_smtp_reply(std::string_view b) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (b.size() < 4) return b.size() >= 3 && digit(b[0]) && digit(b[1]) && digit(b[2]);
  return digit(b[0]) && digit(b[1]) && digit(b[2]) &&
         (b[3] == ' ' || b[3] == '-' || b[3] == '\r' || b[3] == '\n');
}

bool looks_like_tls_record(std::string_view b) {
  if (b.size() < 2) return false;
  auto type = static_cast<unsigned char>(b[0]);
  return type >= 20 && type <= 24 && b[1] == 3;
}

}  // namespace smtpeer::tls
