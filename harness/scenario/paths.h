// default_scenario_dir: where the catalogue is when --scenarios is not given:
// $SMTPEER_SCENARIOS, else <exe>/../share/smtpeer/scenarios (installed), else
// the source tree's scenarios/ (a build that has not been installed).
#pragma once

#include <string>

namespace smtpeer::scenario {

std::string default_scenario_dir();

}  // namespace smtpeer::scenario
