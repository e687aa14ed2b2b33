#include "core/result.h"

namespace smtpeer {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kUsage: return "usage";
    case ErrorCode::kScenario: return "scenario";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kUnreachable: return "unreachable";
    case ErrorCode::kTimeout: return "timeout";
    case ErrorCode::kClosed: return "closed";
    case ErrorCode::kProtocol: return "protocol";
    case ErrorCode::kLimit: return "limit";
    case ErrorCode::kTls: return "tls";
    case ErrorCode::kInternal: return "internal";
  }
  return "unknown";
}

}  // namespace smtpeer
