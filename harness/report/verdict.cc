// The small functions of engine/verdict.h. They live in the report layer
// because verdict.h is plain data that the reporters consume, and the report
// library must not depend on the engine's (networked) library.
#include "engine/verdict.h"

#include <algorithm>

namespace smtpeer::engine {

std::string_view to_string(VerdictKind v) {
  // These names appear in the JSON report and in JUnit types: keep them stable.
  switch (v) {
    case VerdictKind::kPass: return "pass";
    case VerdictKind::kFail: return "fail";
    case VerdictKind::kSkip: return "skip";
    case VerdictKind::kError: return "error";
  }
  return "unknown";
}

int RunReport::count(VerdictKind k) const {
  return static_cast<int>(std::count_if(verdicts.begin(), verdicts.end(),
                                        [k](const Verdict& v) { return v.kind == k; }));
}

}  // namespace smtpeer::engine
