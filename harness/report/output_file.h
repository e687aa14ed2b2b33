// write_file: replace the file at `path` with `content`, atomically.
//
// The content goes to a temporary file in the same directory, is flushed to
// disk, and is then renamed over `path`. A run that is interrupted (SIGINT,
// a crash, a full disk) therefore leaves either the previous file or the
// complete new one, never half a report that a CI job would misread.
// The parent directory must exist.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace smtpeer::report {

Status write_file(const std::string& path, std::string_view content);

}  // namespace smtpeer::report
