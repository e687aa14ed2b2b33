// Event: one thing that happened on a connection, as the engine saw it. The
// engine records events; checks and reports read them (observation first,
// judgement second). A session's events are written as JSONL by the recorder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtpeer::transcript {

enum class Direction {
  kSent,      // smtpeer -> peer
  kReceived,  // peer -> smtpeer
  kLocal,     // an event of smtpeer's own (connect, TLS result, timeout, note)
};
std::string_view to_string(Direction d);

enum class EventKind {
  kConnect,     // connection opened (text: "127.0.0.1:25")
  kData,        // application bytes (plaintext or inside TLS: see `tls`)
  kTlsRecords,  // raw TLS record bytes before/while the handshake runs (for evidence)
  kTls,         // handshake finished or failed (text: version, suite, alert, reason)
  kTimeout,     // a deadline passed while waiting
  kClose,       // peer closed (EOF) or reset (text says which)
  kNote,        // engine remark (e.g. "step 4: expect 220")
};
std::string_view to_string(EventKind k);

// parse_direction, parse_event_kind: inverses of to_string, for reading a
// recorded transcript back; nullopt for a name that to_string never gives.
std::optional<Direction> parse_direction(std::string_view name);
std::optional<EventKind> parse_event_kind(std::string_view name);

struct Event {
  std::int64_t t_us = 0;  // microseconds since the scenario started
  Direction dir = Direction::kLocal;
  EventKind kind = EventKind::kNote;
  bool tls = false;      // kData: inside TLS
  int write_index = -1;  // kData sent: which write() of the step (boundary control)
  std::string bytes;     // kData / kTlsRecords: exact bytes
  std::string text;      // other kinds: human-readable
  int connection = 0;    // 0-based connection number within the scenario
};

using Transcript = std::vector<Event>;

}  // namespace smtpeer::transcript
