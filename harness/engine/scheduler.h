// run_suite: runs scenarios against one target in parallel, up to a
// per-target cap, counting connections, and backing off when the server
// refuses with a 421 greeting (DESIGN.md decision 6). A 421 is never a
// verdict: the scenario is retried after a pause, and the cap is lowered so
// the server sees fewer connections at once.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "engine/client_session.h"
#include "engine/verdict.h"
#include "scenario/model.h"

namespace smtpeer::engine {

struct SuiteOptions {
  int parallel = 4;                         // scenarios (connections) at once, at most
  int max_retries = 6;                      // per scenario, after a 421 greeting
  std::chrono::milliseconds backoff{1000};  // first pause; doubles each time, up to 30 s
  // Observers (called from worker threads; must be thread-safe).
  std::function<void(const std::string& id)> on_start;
  std::function<void(const Verdict&)> on_finish;
  std::function<void(const std::string& message)> on_message;
};

// run_suite: every scenario once (plus retries); verdicts in the order given.
RunReport run_suite(const std::vector<scenario::Scenario>& scenarios,
                    const scenario::Profile& profile, const ClientTarget& target,
                    const SuiteOptions& options);

// now_iso8601: the current UTC time, e.g. "2026-11-21T10:00:00Z".
std::string now_iso8601();

}  // namespace smtpeer::engine
