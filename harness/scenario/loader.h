// Scenario and profile loading (toml++). Strict: unknown keys, wrong types,
// bad escapes and impossible combinations are errors that say file:line:col
// and what was expected (STYLE.md 8). toml++ is included only in loader.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "scenario/model.h"

namespace smtpeer::scenario {

// load_scenario_text: parse one scenario from TOML text; `path` names it in errors.
Result<Scenario> load_scenario_text(std::string_view text, const std::string& path);
// load_scenario_file: read and parse one file.
Result<Scenario> load_scenario_file(const std::string& path);
// load_scenario_dir: every *.toml under `dir` recursively, except profiles/;
// sorted by id; duplicate ids are an error.
Result<std::vector<Scenario>> load_scenario_dir(const std::string& dir);

Result<Profile> load_profile_text(std::string_view text, const std::string& path);
// load_profile: a profile by name from `dir` (dir/NAME.toml), or by path if
// `name_or_path` ends in .toml.
Result<Profile> load_profile(const std::string& dir, const std::string& name_or_path);

// natural_less: "s2" before "s10" (digit runs compare as numbers), so
// listings follow the catalogue's order.
bool natural_less(std::string_view a, std::string_view b);

// select_scenarios: those whose tags include any of `tags` (all if empty) and
// whose id or catalogue row matches any of `ids` (all if empty).
std::vector<Scenario> select_scenarios(const std::vector<Scenario>& all,
                                       const std::vector<std::string>& tags,
                                       const std::vector<std::string>& ids);

}  // namespace smtpeer::scenario
