// run_builtin: the embedded default. Starts each built-in reference peer on
// 127.0.0.1, runs the suite against it under the peer's profile, stops it,
// and checks the outcome against what the peer's knobs must provoke: the
// conformant peers pass everything; each misbehaving peer fails the
// scenarios meant for its knob and nothing else.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "engine/scheduler.h"
#include "engine/verdict.h"
#include "scenario/model.h"

namespace smtpeer::engine {

struct PeerCheck {
  std::string peer;
  std::string description;
  std::vector<std::string> missed;      // must_fail scenarios that did not fail
  std::vector<std::string> unexpected;  // scenarios that failed or erred but should not have
  bool conformant = false;              // nothing must fail: a good peer or client
  bool ok() const { return missed.empty() && unexpected.empty(); }
};

struct BuiltinResult {
  std::vector<RunReport> reports;  // one per peer
  std::vector<PeerCheck> checks;
  bool ok() const;
};

// run_builtin: `peers` empty = all built-in peers. Profiles are loaded from
// `profiles_dir` by the names the peers carry.
Result<BuiltinResult> run_builtin(const std::vector<scenario::Scenario>& scenarios,
                                  const std::string& profiles_dir,
                                  const std::vector<std::string>& peers,
                                  const SuiteOptions& options);

// check_peer: compare one peer's report with its expectations (pure).
PeerCheck check_peer(const std::string& peer, const RunReport& report);

// check_expectations: the comparison behind check_peer, for any built-in
// counterpart: every `must_fail` scenario of the report failed, and nothing
// else failed (bar `may_fail`) or erred.
PeerCheck check_expectations(const std::string& name, const std::string& description,
                             const std::vector<std::string>& must_fail,
                             const std::vector<std::string>& may_fail, const RunReport& report);

// named_progress: `options` whose progress callbacks put `name` before each
// scenario id (several built-in counterparts run the same scenario ids).
SuiteOptions named_progress(const SuiteOptions& options, const std::string& name);

// ClientDemoSpec: a built-in reference client (engine/reference_client.h) as
// the demo's client section runs it: under which --client-policy, and which
// server-role scenarios its flaw must fail.
struct ClientDemoSpec {
  std::string kind;    // `smtpeer reference-client --kind`
  std::string policy;  // "strict", "encrypt" or "opportunistic"
  std::vector<std::string> must_fail;
  std::vector<std::string> may_fail;
};
const std::vector<ClientDemoSpec>& client_demo_specs();

// run_builtin_clients: the demo's client section. smtpeer's server role
// plays every server-role scenario against each built-in reference client,
// which is smtpeer itself (`self_exe reference-client --kind K ...`), and
// checks each flaw is caught by the scenarios meant for it and nothing else.
Result<BuiltinResult> run_builtin_clients(const std::vector<scenario::Scenario>& scenarios,
                                          const std::string& profiles_dir,
                                          const std::string& self_exe, const std::string& out_dir,
                                          const SuiteOptions& options);

}  // namespace smtpeer::engine
