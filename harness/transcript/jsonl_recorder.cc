#include "transcript/jsonl_recorder.h"

#include <array>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "core/bytes.h"
#include "report/output_file.h"

namespace smtpeer::transcript {

namespace {

using Json = nlohmann::ordered_json;

// carries_bytes: the kinds whose payload is exact bytes rather than a
// description; they are written as "bytes", the others as "text".
bool carries_bytes(EventKind k) {
  return k == EventKind::kData || k == EventKind::kTlsRecords;
}

// dump_line: never throws. XXX: text that is not valid UTF-8 (a description
// quoting a peer verbatim) has its bad bytes replaced by U+FFFD, so such a
// text does not survive a round trip byte for byte; bytes always do, because
// escape_bytes output is ASCII.
std::string dump_line(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Error line_error(std::size_t line_no, std::string_view what) {
  return make_error(ErrorCode::kProtocol,
                    "transcript line " + std::to_string(line_no) + ": " + std::string(what));
}

// The keys of an event line, in the documented order; anything else is an
// error so that a typo in a hand-edited transcript is not silently ignored.
constexpr std::array<std::string_view, 8> kKeys{"t_us", "conn",  "dir",   "kind",
                                                "tls",  "write", "bytes", "text"};

std::optional<std::int64_t> as_int64(const Json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  return std::nullopt;
}

std::optional<int> as_int(const Json& v, int min) {
  const auto i = as_int64(v);
  if (!i || *i < min || *i > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<int>(*i);
}

Result<Event> parse_event(const Json& j, std::size_t line_no) {
  if (!j.is_object()) return line_error(line_no, "expected a JSON object");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const auto k : kKeys) known = known || k == key;
    if (!known) return line_error(line_no, "unknown key \"" + key + "\"");
  }
  Event e;
  const auto t = j.find("t_us");
  if (t == j.end()) return line_error(line_no, "missing \"t_us\"");
  const auto t_us = as_int64(*t);
  if (!t_us) return line_error(line_no, "\"t_us\" must be an integer");
  e.t_us = *t_us;

  const auto dir = j.find("dir");
  if (dir == j.end() || !dir->is_string()) return line_error(line_no, "missing string \"dir\"");
  const auto d = parse_direction(dir->get_ref<const std::string&>());
  if (!d) return line_error(line_no, "\"dir\" must be sent, received or local");
  e.dir = *d;

  const auto kind = j.find("kind");
  if (kind == j.end() || !kind->is_string()) return line_error(line_no, "missing string \"kind\"");
  const auto k = parse_event_kind(kind->get_ref<const std::string&>());
  if (!k) return line_error(line_no, "unknown \"kind\" \"" + kind->get<std::string>() + "\"");
  e.kind = *k;

  if (const auto c = j.find("conn"); c != j.end()) {
    const auto conn = as_int(*c, 0);
    if (!conn) return line_error(line_no, "\"conn\" must be a non-negative integer");
    e.connection = *conn;
  }
  if (const auto tls = j.find("tls"); tls != j.end()) {
    if (!tls->is_boolean()) return line_error(line_no, "\"tls\" must be true or false");
    e.tls = tls->get<bool>();
  }
  if (const auto w = j.find("write"); w != j.end()) {
    const auto write = as_int(*w, 0);
    if (!write) return line_error(line_no, "\"write\" must be a non-negative integer");
    e.write_index = *write;
  }
  if (const auto b = j.find("bytes"); b != j.end()) {
    if (!b->is_string()) return line_error(line_no, "\"bytes\" must be a string");
    auto bytes = unescape_bytes(b->get_ref<const std::string&>());
    if (!bytes) return line_error(line_no, "malformed escape in \"bytes\"");
    e.bytes = std::move(*bytes);
  }
  if (const auto x = j.find("text"); x != j.end()) {
    if (!x->is_string()) return line_error(line_no, "\"text\" must be a string");
    e.text = x->get<std::string>();
  }
  return e;
}

}  // namespace

std::string to_jsonl(const Transcript& transcript) {
  std::string out;
  for (const Event& e : transcript) {
    Json j;
    j["t_us"] = e.t_us;
    j["conn"] = e.connection;
    j["dir"] = to_string(e.dir);
    j["kind"] = to_string(e.kind);
    j["tls"] = e.tls;
    if (e.write_index >= 0) j["write"] = e.write_index;
    if (carries_bytes(e.kind) || !e.bytes.empty()) j["bytes"] = escape_bytes(e.bytes);
    if (!carries_bytes(e.kind) || !e.text.empty()) j["text"] = e.text;
    out += dump_line(j);
    out += '\n';
  }
  return out;
}

Result<Transcript> parse_jsonl(std::string_view jsonl) {
  Transcript out;
  std::size_t line_no = 0;
  while (!jsonl.empty()) {
    ++line_no;
    const std::size_t nl = jsonl.find('\n');
    std::string_view line = jsonl.substr(0, nl);
    jsonl.remove_prefix(nl == std::string_view::npos ? jsonl.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;

    const Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return line_error(line_no, "not valid JSON");
    auto event = parse_event(j, line_no);
    if (!event) return event.error();
    out.push_back(std::move(*event));
  }
  return out;
}

std::string transcript_file_name(std::string_view scenario_id) {
  std::string name;
  name.reserve(scenario_id.size() + 6);
  for (const char c : scenario_id) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    name += safe ? c : '_';
  }
  if (name.empty() || name.front() == '.') name.insert(name.begin(), '_');
  return name + ".jsonl";
}

Status write_transcript(const std::string& dir, const std::string& scenario_id,
                        const Transcript& transcript) {
  const std::filesystem::path folder = std::filesystem::path(dir) / "transcripts";
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) {
    return make_error(ErrorCode::kIo, "cannot create " + folder.string() + ": " + ec.message());
  }
  return report::write_file((folder / transcript_file_name(scenario_id)).string(),
                            to_jsonl(transcript));
}

}  // namespace smtpeer::transcript
