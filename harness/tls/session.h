// tls::Session: one OpenSSL connection driven through memory BIOs.
//
// smtpeer never lets OpenSSL touch the socket: the engine moves ciphertext
// between the socket and the session itself. That is what lets a scenario
// put a ClientHello in the same write as "STARTTLS\r\n" (S7), hand bytes that
// arrived behind the 220 to the handshake, and record every TLS record that
// crossed the wire as evidence.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tls/ossl.h"

namespace smtpeer::tls {

// ClientConfig: how smtpeer, as a client, does the handshake.
struct ClientConfig {
  std::string min_version;  // "TLSv1".."TLSv1.3"; "" = OpenSSL default
  std::string max_version;
  std::string ciphers;       // TLS <= 1.2 cipher list; "" = default
  std::string ciphersuites;  // TLS 1.3; "" = default
  std::string sni;           // "" = none
  bool verify = false;       // fail the handshake if the chain or name does not verify
  std::string ca_file;       // trust anchors for verification (always recorded)
  std::string expect_name;   // name the certificate must match
  int security_level = -1;   // -1 = OpenSSL default
  std::string cert_file;     // client certificate (PEM, chain allowed); "" = none
  std::string key_file;      // its private key (PEM); "" = in cert_file
  // legacy_server_connect: complete handshakes with servers that lack secure
  // renegotiation (RFC 5746); OpenSSL 3 refuses them by default.
  bool legacy_server_connect = false;
};

// ServerConfig: how smtpeer, as a server, does the handshake.
struct ServerConfig {
  std::string cert_pem;  // leaf (and chain) in PEM
  std::string key_pem;   // private key in PEM
  std::string min_version;
  std::string max_version;
  std::string ciphers;      // TLS <= 1.2 cipher list; "" = OpenSSL default
  int security_level = -1;  // -1 = OpenSSL default
};

// Facts about a finished (or failed) handshake.
struct HandshakeInfo {
  bool ok = false;
  std::string version;         // "TLSv1.3"
  std::string cipher;          // "TLS_AES_256_GCM_SHA384"
  std::string alert_received;  // "handshake failure" (description of a fatal alert from the peer)
  std::string alert_sent;
  std::string error;         // OpenSSL's reason when !ok
  std::string peer_subject;  // one-line subject of the peer certificate, if any
  std::string peer_issuer;
  long verify_result = 0;               // X509_V_OK or the error
  std::string verify_error;             // text for verify_result
  std::vector<std::string> peer_chain;  // DER certificates as the peer sent them, leaf first
  bool certificate_requested = false;   // the server sent a CertificateRequest
  std::string summary() const;
};

class Session {
 public:
  enum class Step { kDone, kWantRead, kFailed };
  enum class ReadState { kData, kWantRead, kClosed, kFailed };

  // client / server: a new session; the SSL_CTX is built from the config.
  static Result<Session> client(const ClientConfig& cfg);
  static Result<Session> server(const ServerConfig& cfg);

  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  // handshake: advance the handshake with the ciphertext fed so far.
  Step handshake();
  // feed: ciphertext from the peer.
  void feed(std::string_view ciphertext);
  // drain: ciphertext to send to the peer (may be empty).
  std::string drain();
  // write: encrypt application bytes (one SSL_write: one record for small writes).
  Status write(std::string_view plain);
  // read: decrypt what is available into `out` (appends).
  ReadState read(std::string& out);
  // close_notify: queue a close_notify alert (drain() then has it).
  void close_notify();

  HandshakeInfo info() const;
  bool is_server() const { return server_; }

  struct State;  // what the OpenSSL info callback learns (session.cc)

 private:
  Session() = default;
  SslCtxPtr ctx_;
  SslPtr ssl_;
  BIO* rbio_ = nullptr;  // owned by ssl_
  BIO* wbio_ = nullptr;  // owned by ssl_
  bool server_ = false;
  std::unique_ptr<State> state_;
};

// looks_like_smtp_reply: the bytes start like an SMTP reply line ("220 ", "250-", "421\r").
bool looks_like_smtp_reply(std::string_view bytes);
// looks_like_tls_record: the bytes start like a TLS record (content type 20..24, major version 3).
bool looks_like_tls_record(std::string_view bytes);

}  // namespace smtpeer::tls
