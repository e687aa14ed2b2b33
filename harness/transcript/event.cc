#include "transcript/event.h"

#include <array>
#include <utility>

namespace smtpeer::transcript {

namespace {

// The names are part of the JSONL transcript format (jsonl_recorder.h):
// renaming one breaks reading older transcripts.
constexpr std::array<std::pair<Direction, std::string_view>, 3> kDirectionNames{{
    {Direction::kSent, "sent"},
    {Direction::kReceived, "received"},
    {Direction::kLocal, "local"},
}};

constexpr std::array<std::pair<EventKind, std::string_view>, 7> kEventKindNames{{
    {EventKind::kConnect, "connect"},
    {EventKind::kData, "data"},
    {EventKind::kTlsRecords, "tls_records"},
    {EventKind::kTls, "tls"},
    {EventKind::kTimeout, "timeout"},
    {EventKind::kClose, "close"},
    {EventKind::kNote, "note"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum e) {
  for (const auto& [value, name] : table) {
    if (value == e) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const std::array<std::pair<Enum, std::string_view>, N>& table,
                             std::string_view name) {
  for (const auto& [value, n] : table) {
    if (n == name) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Direction d) {
  return name_of(kDirectionNames, d);
}
std::string_view to_string(EventKind k) {
  return name_of(kEventKindNames, k);
}

std::optional<Direction> parse_direction(std::string_view name) {
  return value_of(kDirectionNames, name);
}

std::optional<EventKind> parse_event_kind(std::string_view name) {
  return value_of(kEventKindNames, name);
}

}  // namespace smtpeer::transcript
