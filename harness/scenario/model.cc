#include "scenario/model.h"

#include <algorithm>

namespace smtpeer::scenario {

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::kContinue: return "continue";
    case Outcome::kPass: return "pass";
    case Outcome::kFail: return "fail";
    case Outcome::kSkip: return "skip";
    case Outcome::kNote: return "note";
  }
  return "unknown";
}

// The names are the TOML action keys, so that a trace reads like the file.
std::string_view to_string(StepKind k) {
  switch (k) {
    case StepKind::kSend: return "send";
    case StepKind::kExpect: return "expect";
    case StepKind::kSilence: return "expect_silence";
    case StepKind::kClose: return "expect_close";
    case StepKind::kStarttls: return "starttls";
    case StepKind::kReconnect: return "reconnect";
    case StepKind::kRequire: return "require";
  }
  return "unknown";
}

bool Profile::has(std::string_view flag) const {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

}  // namespace smtpeer::scenario
