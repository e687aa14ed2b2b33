#include "net/conn.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <thread>

namespace smtpeer::net {

using transcript::Direction;
using transcript::Event;
using transcript::EventKind;

void Recorder::add(Event e) {
  e.t_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count();
  bool data = e.kind == EventKind::kData || e.kind == EventKind::kTlsRecords;
  if (data && (dropping_ || bytes_ + e.bytes.size() > kMaxBytes || out_.size() >= kMaxEvents)) {
    if (!dropping_) {
      dropping_ = true;
      Event n;
      n.t_us = e.t_us;
      n.connection = e.connection;
      n.text = fmt::format(
          "transcript limit reached ({} bytes or {} events): further bytes are "
          "counted, not recorded",
          kMaxBytes, kMaxEvents);
      out_.push_back(std::move(n));
    }
    dropped_bytes_ += e.bytes.size();
    return;
  }
  if (!data && out_.size() >= kMaxEvents + 1000) return;  // notes are bounded too
  bytes_ += e.bytes.size();
  out_.push_back(std::move(e));
}

void Recorder::add(Direction dir, EventKind kind, int conn, bool tls, std::string bytes_or_text,
                   int write_index) {
  Event e;
  e.dir = dir;
  e.kind = kind;
  e.connection = conn;
  e.tls = tls;
  e.write_index = write_index;
  if (kind == EventKind::kData || kind == EventKind::kTlsRecords)
    e.bytes = std::move(bytes_or_text);
  else
    e.text = std::move(bytes_or_text);
  add(std::move(e));
}

void Recorder::note(int conn, std::string text) {
  add(Direction::kLocal, EventKind::kNote, conn, false, std::move(text));
}

ReadResult Conn::read_socket(std::string& out, Deadline deadline) {
  if (received_ >= kMaxSessionBytes) {
    rec_.note(index_, fmt::format("the peer sent more than {} bytes on this connection; smtpeer "
                                  "stops reading",
                                  kMaxSessionBytes));
    return {ReadStatus::kLimit, 0};
  }
  char buf[16384];
  ReadResult r = read_some(socket_, buf, sizeof buf, deadline);
  if (r.status == ReadStatus::kData) {
    out.append(buf, r.n);
    received_ += r.n;
  } else if (r.status == ReadStatus::kEof || r.status == ReadStatus::kReset) {
    rec_.add(Direction::kReceived, EventKind::kClose, index_, tls_active_,
             r.status == ReadStatus::kEof ? "peer closed the connection (FIN)"
                                          : "connection reset or socket error");
  }
  return r;
}

ReadResult Conn::read(std::string& out, Deadline deadline) {
  if (!tls_active_) {
    std::string got;
    ReadResult r = read_socket(got, deadline);
    if (r.status == ReadStatus::kData) {
      rec_.add(Direction::kReceived, EventKind::kData, index_, false, got);
      out += got;
    }
    return r;
  }
  for (;;) {
    std::string plain;
    tls::Session::ReadState state = tls_->read(plain);
    // Reading can make OpenSSL answer (a key update, a renegotiation
    // request): send that now, or both sides wait for each other.
    if (std::string pending = tls_->drain(); !pending.empty())
      if (!write_all(socket_, pending, deadline)) return {ReadStatus::kReset, 0};
    switch (state) {
      case tls::Session::ReadState::kData:
        rec_.add(Direction::kReceived, EventKind::kData, index_, true, plain);
        out += plain;
        return {ReadStatus::kData, plain.size()};
      case tls::Session::ReadState::kClosed:
        rec_.add(Direction::kReceived, EventKind::kClose, index_, true,
                 "peer sent TLS close_notify");
        return {ReadStatus::kEof, 0};
      case tls::Session::ReadState::kFailed:
        rec_.add(Direction::kLocal, EventKind::kTls, index_, true,
                 "TLS read failed: " + tls_->info().error);
        return {ReadStatus::kReset, 0};
      case tls::Session::ReadState::kWantRead: break;
    }
    std::string cipher;
    ReadResult r = read_socket(cipher, deadline);
    if (r.status != ReadStatus::kData) return r;
    tls_->feed(cipher);
  }
}

Status Conn::send(std::string_view bytes, const Boundaries& b, Deadline deadline) {
  // Cut the bytes into the pieces that leave as separate write() calls.
  std::vector<std::string_view> pieces;
  if (b.bytewise) {
    for (std::size_t i = 0; i < bytes.size(); ++i) pieces.push_back(bytes.substr(i, 1));
  } else {
    std::size_t from = 0;
    for (std::size_t at : b.split_at) {
      if (at <= from || at >= bytes.size()) continue;  // offsets past the end are ignored
      pieces.push_back(bytes.substr(from, at - from));
      from = at;
    }
    pieces.push_back(bytes.substr(from));
  }
  int index = 0;
  for (std::string_view piece : pieces) {
    if (index > 0 && b.delay.count() > 0) {
      auto until = std::min(deadline, Clock::now() + b.delay);
      while (Clock::now() < until && !stop_flag().load())
        std::this_thread::sleep_for(
            std::min<Clock::duration>(std::chrono::milliseconds(50), until - Clock::now()));
    }
    // Recorded as the peer will read them (decrypted, inside TLS), with the
    // index of the write() that carried them.
    rec_.add(Direction::kSent, EventKind::kData, index_, tls_active_, std::string(piece), index);
    if (tls_active_) {
      if (Status st = tls_->write(piece); !st) return st;
      if (Status st = write_all(socket_, tls_->drain(), deadline); !st) return st;
    } else if (Status st = write_all(socket_, piece, deadline); !st) {
      return st;
    }
    ++index;
  }
  return {};
}

Result<std::string> Conn::prepare_client_hello(const tls::ClientConfig& cfg) {
  auto session = tls::Session::client(cfg);
  if (!session) return session.error();
  tls_ = std::make_unique<tls::Session>(std::move(session).value());
  std::string hello;
  if (tls_->handshake() != tls::Session::Step::kFailed) hello = tls_->drain();
  if (hello.empty()) {
    tls_.reset();
    return make_error(ErrorCode::kTls, "OpenSSL produced no ClientHello: " + tls::error_queue());
  }
  prepared_ = true;  // the caller sends it inside its own write
  return hello;
}

Result<tls::HandshakeInfo> Conn::client_handshake(const tls::ClientConfig& cfg,
                                                  std::string_view leftover, Deadline deadline) {
  // A session made by prepare_client_hello has sent its ClientHello already;
  // any other starttls starts a fresh session.
  if (!prepared_) {
    auto session = tls::Session::client(cfg);
    if (!session) return session.error();
    tls_ = std::make_unique<tls::Session>(std::move(session).value());
  }
  prepared_ = false;
  tls_active_ = false;
  handshake_bytes_.clear();
  if (!leftover.empty()) {
    handshake_bytes_ += leftover.substr(0, kMaxHandshakeBytes);
    tls_->feed(leftover);
  }
  return run_handshake(deadline);
}

Result<tls::HandshakeInfo> Conn::server_handshake(const tls::ServerConfig& cfg,
                                                  std::string_view leftover, Deadline deadline) {
  auto session = tls::Session::server(cfg);
  if (!session) return session.error();
  tls_ = std::make_unique<tls::Session>(std::move(session).value());
  tls_active_ = false;
  handshake_bytes_.clear();
  if (!leftover.empty()) {
    handshake_bytes_ += leftover.substr(0, kMaxHandshakeBytes);
    tls_->feed(leftover);
  }
  return run_handshake(deadline);
}

Result<tls::HandshakeInfo> Conn::run_handshake(Deadline deadline) {
  auto finish = [&](bool ok, std::string why) -> Result<tls::HandshakeInfo> {
    tls::HandshakeInfo info = tls_->info();
    info.ok = ok;
    if (!ok && info.error.empty()) info.error = std::move(why);
    rec_.add(Direction::kLocal, EventKind::kTls, index_, false, info.summary());
    if (ok) tls_active_ = true;
    return info;
  };
  for (;;) {
    tls::Session::Step step = tls_->handshake();
    std::string out = tls_->drain();
    if (!out.empty()) {
      rec_.add(Direction::kSent, EventKind::kTlsRecords, index_, false, out, 0);
      if (Status st = write_all(socket_, out, deadline); !st)
        return finish(false, "could not send TLS records: " + st.error().message);
    }
    if (step == tls::Session::Step::kDone) return finish(true, "");
    if (step == tls::Session::Step::kFailed) return finish(false, "handshake failed");
    std::string cipher;
    ReadResult r = read_socket(cipher, deadline);
    switch (r.status) {
      case ReadStatus::kData:
        if (handshake_bytes_.size() < kMaxHandshakeBytes)
          handshake_bytes_ += cipher.substr(0, kMaxHandshakeBytes - handshake_bytes_.size());
        rec_.add(Direction::kReceived, EventKind::kTlsRecords, index_, false, cipher);
        tls_->feed(cipher);
        break;
      case ReadStatus::kTimeout:
        return finish(false, "timed out waiting for the peer's TLS records");
      case ReadStatus::kEof:
        return finish(false, "peer closed the connection during the handshake");
      case ReadStatus::kReset: return finish(false, "connection reset during the handshake");
      case ReadStatus::kLimit: return finish(false, "the peer sent too many bytes");
      case ReadStatus::kStopped: return finish(false, "run stopped");
    }
  }
}

void Conn::shutdown_write() {
  if (socket_.valid()) ::shutdown(socket_.fd(), SHUT_WR);
  rec_.note(index_, "smtpeer ended its side of the stream (half-close)");
}

void Conn::close() {
  if (tls_active_ && tls_) {
    tls_->close_notify();
    std::string out = tls_->drain();
    if (!out.empty()) (void)write_all(socket_, out, deadline_in(std::chrono::milliseconds(200)));
  }
  socket_.close();
}

}  // namespace smtpeer::net
