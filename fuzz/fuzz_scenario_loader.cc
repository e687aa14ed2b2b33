// fuzz_scenario_loader: load_scenario_text (and load_profile_text) over
// arbitrary text. Scenario files come from users, from `smtpeer import` of
// captured logs and from the minimizer, so the loader must never crash or let
// toml++'s exception out, whatever it is given.
//
// Checked: an error is one line "fuzz.toml:LINE:COL: message" with LINE and
// COL >= 1; a scenario that loads satisfies what the engine relies on (one
// action per step, a constraining match, ascending split offsets, bounded
// sends).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "scenario/loader.h"

namespace {

using smtpeer::scenario::Match;
using smtpeer::scenario::Scenario;
using smtpeer::scenario::SendPart;
using smtpeer::scenario::Step;
using smtpeer::scenario::StepKind;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool is_digits(std::string_view s) {
  return !s.empty() && s.size() < 10 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// check_error: "<path>:<line>:<col>: <message>", one line, line and col >= 1.
void check_error(const std::string& message, std::string_view path) {
  std::string_view m(message);
  check(m.starts_with(path) && m.size() > path.size() && m[path.size()] == ':');
  m.remove_prefix(path.size() + 1);
  auto colon = m.find(':');
  check(colon != std::string_view::npos && is_digits(m.substr(0, colon)) && m[0] != '0');
  m.remove_prefix(colon + 1);
  colon = m.find(':');
  check(colon != std::string_view::npos && is_digits(m.substr(0, colon)) && m[0] != '0');
  m.remove_prefix(colon + 1);
  check(m.starts_with(" ") && m.size() > 1);
  check(message.find('\n') == std::string::npos);
}

bool constrains(const Match& m) {
  return !m.codes.empty() || !m.classes.empty() || m.text || m.text_absent ||
         !m.has_capability.empty() || !m.lacks_capability.empty() || m.closed || m.timeout || m.any;
}

void check_step(const Step& s) {
  check(s.line >= 1);
  check(!to_string(s.kind).empty());
  std::size_t bytes = 0;
  for (const SendPart& p : s.parts) {
    bytes += p.bytes.size();
    check(p.kind == SendPart::Kind::kClientHello ? p.bytes.empty() : !p.bytes.empty());
  }
  check(bytes <= 16777216);
  check(s.kind == StepKind::kSend || s.parts.empty());
  check(std::is_sorted(s.plan.split_at.begin(), s.plan.split_at.end()));
  check(s.plan.split_at.empty() || !s.plan.bytewise);
  check(s.plan.delay_ms >= 0);
  check(s.timeout_ms > 0);
  if (s.kind == StepKind::kExpect) {
    check(constrains(s.expect));
    for (const auto& b : s.alternatives) check(constrains(b.match));
  } else {
    check(s.alternatives.empty());
  }
  if (s.kind == StepKind::kSilence) check(s.silence_ms > 0);
  if (s.kind == StepKind::kRequire) check(!s.require.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto sc = smtpeer::scenario::load_scenario_text(text, "fuzz.toml");
  if (sc.ok()) {
    const Scenario& s = *sc;
    check(!s.id.empty() && !s.title.empty() && !s.catalogue.empty() && !s.steps.empty());
    check(s.role == "client" || s.role == "server");
    check(s.deadline_ms > 0);
    for (const Step& step : s.steps) check_step(step);
  } else {
    check_error(sc.error().message, "fuzz.toml");
  }

  // Profiles share the reader; the path's stem is what `name` must equal.
  auto p = smtpeer::scenario::load_profile_text(text, "fuzz.toml");
  if (p.ok()) {
    check(p->name == "fuzz");
  } else {
    check_error(p.error().message, "fuzz.toml");
  }
  return 0;
}
