// Conn: one SMTP connection as smtpeer sees it — a socket, optionally a TLS
// session on top (after STARTTLS), and a recorder that writes every event
// (bytes in each direction, write boundaries, TLS records and results) into
// the scenario's transcript.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "net/socket.h"
#include "tls/session.h"
#include "transcript/event.h"

namespace smtpeer::net {

// Recorder: appends events to a transcript with timestamps relative to
// `start`. Bounded: past kMaxBytes of recorded bytes or kMaxEvents events,
// data is counted, not kept (a peer sending 1-byte segments or a flood must
// not make the transcript the way to exhaust smtpeer), and a note says so.
class Recorder {
 public:
  static constexpr std::size_t kMaxBytes = 1u << 20;
  static constexpr std::size_t kMaxEvents = 20000;

  Recorder(transcript::Transcript& out, Clock::time_point start) : out_(out), start_(start) {}
  void add(transcript::Event e);
  // add: the common case, built in place.
  void add(transcript::Direction dir, transcript::EventKind kind, int conn, bool tls,
           std::string bytes_or_text, int write_index = -1);
  void note(int conn, std::string text);
  Clock::time_point start() const { return start_; }

 private:
  transcript::Transcript& out_;
  Clock::time_point start_;
  std::size_t bytes_ = 0;
  std::size_t dropped_bytes_ = 0;
  bool dropping_ = false;
};

// Boundaries: how the bytes of one send leave (DESIGN.md decision 4).
struct Boundaries {
  std::vector<std::size_t> split_at;   // offsets where a new write() starts
  bool bytewise = false;               // one write() per byte
  std::chrono::milliseconds delay{0};  // pause between writes
};

class Conn {
 public:
  // kMaxSessionBytes: what one connection may send before reads report
  // kLimit (a flood is a finding, not a reason to grow without bound).
  static constexpr std::uint64_t kMaxSessionBytes = 16ull << 20;
  // kMaxHandshakeBytes: raw handshake bytes kept for classification and evidence.
  static constexpr std::size_t kMaxHandshakeBytes = 64u << 10;

  Conn(Socket socket, Recorder& recorder, int index)
      : socket_(std::move(socket)), rec_(recorder), index_(index) {}

  // read: wait for application bytes (decrypted inside TLS) and append them to `out`.
  ReadResult read(std::string& out, Deadline deadline);

  // send: application bytes, cut into writes as `b` says; inside TLS each
  // piece is one SSL_write and one write() of its records.
  Status send(std::string_view bytes, const Boundaries& b, Deadline deadline);

  // prepare_client_hello: create the client TLS session now and return its
  // first flight (the ClientHello), for a scenario that sends it in the same
  // write as STARTTLS (S7). client_handshake then continues from there.
  Result<std::string> prepare_client_hello(const tls::ClientConfig& cfg);

  // client_handshake: STARTTLS as a client. `leftover` are bytes that already
  // arrived behind the 220 (handed to the handshake as ciphertext).
  Result<tls::HandshakeInfo> client_handshake(const tls::ClientConfig& cfg,
                                              std::string_view leftover, Deadline deadline);
  // server_handshake: STARTTLS as a server; `leftover` are bytes the client
  // sent behind STARTTLS that the server decided to keep (a misbehaviour knob).
  Result<tls::HandshakeInfo> server_handshake(const tls::ServerConfig& cfg,
                                              std::string_view leftover, Deadline deadline);

  bool tls_active() const { return tls_active_; }
  // handshake_bytes: raw bytes received while the last handshake ran.
  const std::string& handshake_bytes() const { return handshake_bytes_; }
  int index() const { return index_; }
  // shutdown_write: end this side's stream (FIN) and keep reading (a half-close).
  void shutdown_write();
  void close();

 private:
  Result<tls::HandshakeInfo> run_handshake(Deadline deadline);
  ReadResult read_socket(std::string& out, Deadline deadline);
  Status write_socket(std::string_view bytes, int write_index, bool tls, Deadline deadline,
                      transcript::EventKind kind);

  Socket socket_;
  Recorder& rec_;
  int index_;
  std::unique_ptr<tls::Session> tls_;
  bool tls_active_ = false;
  bool prepared_ = false;  // tls_ holds a client session whose ClientHello was sent already
  std::string handshake_bytes_;
  std::uint64_t received_ = 0;
};

}  // namespace smtpeer::net
