#include "net/conn.h"

#include <fmt/format.h>

#include <thread>

namespace smtpeer::net {

using transcript::Direction;
using transcript::Event;
using transcript::EventKind;

void Recorder::add(Event e) {
  e.t_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count();
  out_.push_back(std::move(e));
}

void Recorder::note(int conn, std::string text) {
  Event e;
  e.dir = Direction::kLocal;
  e.kind = EventKind::kNote;
  e.connection = conn;
  e.text = std::move(text);
  add(std::move(e));
}

ReadResult Conn::read_socket(std::string& out, Deadline deadline) {
  if (received_ >= kMaxSessionBytes) {
    rec_.note(index_, fmt::format("session byte limit ({} bytes) reached", kMaxSessionBytes));
    return {ReadStatus::kReset, 0};
  }
  char buf[16384];
  ReadResult r = read_some(socket_, buf, sizeof buf, deadline);
  if (r.status == ReadStatus::kData) {
    out.append(buf, r.n);
    received_ += r.n;
  } else if (r.status == ReadStatus::kEof || r.status == ReadStatus::kReset) {
    Event e;
    e.dir = Direction::kReceived;
    e.kind = EventKind::kClose;
    e.connection = index_;
    e.text = r.status == ReadStatus::kEof ? "peer closed the connection (FIN)"
                                          : "connection reset or socket error";
    rec_.add(std::move(e));
  }
  return r;
}

ReadResult Conn::read(std::string& out, Deadline deadline) {
  if (!tls_active_) {
    std::string got;
    ReadResult r = read_socket(got, deadline);
    if (r.status == ReadStatus::kData) {
      Event e;
      e.dir = Direction::kReceived;
      e.kind = EventKind::kData;
      e.connection = index_;
      e.bytes = got;
      rec_.add(std::move(e));
      out += got;
    }
    return r;
  }
  for (;;) {
    std::string plain;
    switch (tls_->read(plain)) {
      case tls::Session::ReadState::kData: {
        Event e;
        e.dir = Direction::kReceived;
        e.kind = EventKind::kData;
        e.tls = true;
        e.connection = index_;
        e.bytes = plain;
        rec_.add(std::move(e));
        out += plain;
        return {ReadStatus::kData, plain.size()};
      }
      case tls::Session::ReadState::kClosed: {
        Event e;
        e.dir = Direction::kReceived;
        e.kind = EventKind::kClose;
        e.connection = index_;
        e.tls = true;
        e.text = "peer sent TLS close_notify";
        rec_.add(std::move(e));
        return {ReadStatus::kEof, 0};
      }
      case tls::Session::ReadState::kFailed: {
        Event e;
        e.dir = Direction::kLocal;
        e.kind = EventKind::kTls;
        e.connection = index_;
        e.text = "TLS read failed: " + tls_->info().error;
        rec_.add(std::move(e));
        return {ReadStatus::kReset, 0};
      }
      case tls::Session::ReadState::kWantRead: break;
    }
    std::string cipher;
    ReadResult r = read_socket(cipher, deadline);
    if (r.status != ReadStatus::kData) return r;
    tls_->feed(cipher);
  }
}

Status Conn::write_socket(std::string_view bytes, int write_index, bool tls, Deadline deadline,
                          EventKind kind) {
  Event e;
  e.dir = Direction::kSent;
  e.kind = kind;
  e.tls = tls;
  e.write_index = write_index;
  e.connection = index_;
  e.bytes = std::string(bytes);
  rec_.add(std::move(e));
  return write_all(socket_, bytes, deadline);
}

Status Conn::send(std::string_view bytes, const Boundaries& b, Deadline deadline) {
  // Cut the bytes into the pieces that leave as separate write() calls.
  std::vector<std::string_view> pieces;
  if (b.bytewise) {
    for (std::size_t i = 0; i < bytes.size(); ++i) pieces.push_back(bytes.substr(i, 1));
  } else {
    std::size_t from = 0;
    for (std::size_t at : b.split_at) {
      if (at <= from || at >= bytes.size()) continue;
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
        std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
            std::chrono::milliseconds(50),
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()) +
                std::chrono::milliseconds(1)));
    }
    if (tls_active_) {
      // Record the application bytes (what the peer will decrypt), then
      // write their records in one write().
      Event e;
      e.dir = Direction::kSent;
      e.kind = EventKind::kData;
      e.tls = true;
      e.write_index = index;
      e.connection = index_;
      e.bytes = std::string(piece);
      rec_.add(std::move(e));
      if (Status st = tls_->write(piece); !st) return st;
      if (Status st = write_all(socket_, tls_->drain(), deadline); !st) return st;
    } else {
      if (Status st = write_socket(piece, index, false, deadline, EventKind::kData); !st) return st;
    }
    ++index;
  }
  return {};
}

Result<std::string> Conn::prepare_client_hello(const tls::ClientConfig& cfg) {
  auto session = tls::Session::client(cfg);
  if (!session) return session.error();
  tls_ = std::make_unique<tls::Session>(std::move(session).value());
  tls_->handshake();
  return tls_->drain();  // the caller sends it inside its own write
}

Result<tls::HandshakeInfo> Conn::client_handshake(const tls::ClientConfig& cfg,
                                                  std::string_view leftover, Deadline deadline) {
  // A session made by prepare_client_hello has sent its first flight already.
  if (!tls_ || tls_->is_server()) {
    auto session = tls::Session::client(cfg);
    if (!session) return session.error();
    tls_ = std::make_unique<tls::Session>(std::move(session).value());
  }
  handshake_bytes_.clear();
  if (!leftover.empty()) {
    handshake_bytes_ += leftover;
    tls_->feed(leftover);
  }
  return run_handshake(deadline);
}

Result<tls::HandshakeInfo> Conn::server_handshake(const tls::ServerConfig& cfg,
                                                  std::string_view leftover, Deadline deadline) {
  auto session = tls::Session::server(cfg);
  if (!session) return session.error();
  tls_ = std::make_unique<tls::Session>(std::move(session).value());
  handshake_bytes_.clear();
  if (!leftover.empty()) {
    handshake_bytes_ += leftover;
    tls_->feed(leftover);
  }
  return run_handshake(deadline);
}

Result<tls::HandshakeInfo> Conn::run_handshake(Deadline deadline) {
  auto finish = [&](bool ok, std::string why) -> Result<tls::HandshakeInfo> {
    tls::HandshakeInfo info = tls_->info();
    info.ok = ok;
    if (!ok && info.error.empty()) info.error = std::move(why);
    Event e;
    e.dir = Direction::kLocal;
    e.kind = EventKind::kTls;
    e.connection = index_;
    e.text = info.summary();
    rec_.add(std::move(e));
    last_hs_ = info;
    if (ok) tls_active_ = true;
    return info;
  };
  for (;;) {
    tls::Session::Step step = tls_->handshake();
    std::string out = tls_->drain();
    if (!out.empty()) {
      if (Status st = write_socket(out, 0, false, deadline, EventKind::kTlsRecords); !st)
        return finish(false, "could not send TLS records: " + st.error().message);
    }
    if (step == tls::Session::Step::kDone) return finish(true, "");
    if (step == tls::Session::Step::kFailed) return finish(false, "handshake failed");
    std::string cipher;
    ReadResult r = read_socket(cipher, deadline);
    switch (r.status) {
      case ReadStatus::kData: {
        handshake_bytes_ += cipher;
        Event e;
        e.dir = Direction::kReceived;
        e.kind = EventKind::kTlsRecords;
        e.connection = index_;
        e.bytes = cipher;
        rec_.add(std::move(e));
        tls_->feed(cipher);
        break;
      }
      case ReadStatus::kTimeout:
        return finish(false, "timed out waiting for the peer's TLS records");
      case ReadStatus::kEof:
        return finish(false, "peer closed the connection during the handshake");
      case ReadStatus::kReset: return finish(false, "connection reset during the handshake");
      case ReadStatus::kStopped: return finish(false, "run stopped");
    }
  }
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
