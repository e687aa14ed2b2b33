#include "scenario/paths.h"

#include <cstdlib>
#include <filesystem>

namespace smtpeer::scenario {

std::string default_scenario_dir() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("SMTPEER_SCENARIOS"); env != nullptr && *env != '\0')
    return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "smtpeer" / "scenarios";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return std::string(SMTPEER_SOURCE_DIR) + "/scenarios";
}

}  // namespace smtpeer::scenario
