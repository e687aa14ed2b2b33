#include "engine/demo.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>

#include "engine/reference_peer.h"
#include "net/socket.h"
#include "report/output_file.h"
#include "scenario/loader.h"

namespace smtpeer::engine {

bool BuiltinResult::ok() const {
  return std::all_of(checks.begin(), checks.end(), [](const PeerCheck& c) { return c.ok(); });
}

PeerCheck check_peer(const std::string& peer, const RunReport& report) {
  const PeerSpec* spec = find_reference_peer(peer);
  if (spec == nullptr) return PeerCheck{peer, "", {}, {}};
  return check_expectations(peer, spec->description, spec->must_fail, spec->may_fail, report);
}

PeerCheck check_expectations(const std::string& name, const std::string& description,
                             const std::vector<std::string>& must_fail,
                             const std::vector<std::string>& may_fail, const RunReport& report) {
  PeerCheck check;
  check.peer = name;
  check.description = description;
  check.conformant = must_fail.empty();
  auto listed = [](const std::vector<std::string>& v, const std::string& id) {
    return std::find(v.begin(), v.end(), id) != v.end();
  };
  for (const auto& id : must_fail) {
    auto it = std::find_if(report.verdicts.begin(), report.verdicts.end(),
                           [&](const Verdict& v) { return v.scenario_id == id; });
    // A scenario that was not selected for this run cannot be missed.
    if (it != report.verdicts.end() && it->kind != VerdictKind::kFail) check.missed.push_back(id);
  }
  for (const auto& v : report.verdicts) {
    bool bad = v.kind == VerdictKind::kError ||
               (v.kind == VerdictKind::kFail && !listed(must_fail, v.scenario_id) &&
                !listed(may_fail, v.scenario_id));
    if (bad) check.unexpected.push_back(v.scenario_id);
  }
  return check;
}

SuiteOptions named_progress(const SuiteOptions& options, const std::string& name) {
  SuiteOptions named = options;
  if (options.on_start)
    named.on_start = [&options, name](const std::string& id) { options.on_start(name + " " + id); };
  if (options.on_finish)
    named.on_finish = [&options, name](const Verdict& v) {
      Verdict brief;
      brief.scenario_id = name + " " + v.scenario_id;
      brief.kind = v.kind;
      brief.summary = v.summary;
      brief.duration_ms = v.duration_ms;
      options.on_finish(brief);
    };
  return named;
}

Result<BuiltinResult> run_builtin(const std::vector<scenario::Scenario>& scenarios,
                                  const std::string& profiles_dir,
                                  const std::vector<std::string>& peers,
                                  const SuiteOptions& options) {
  std::vector<const PeerSpec*> chosen;
  std::vector<scenario::Profile> profiles;
  for (const PeerSpec& spec : reference_peers()) {
    if (!peers.empty() && std::find(peers.begin(), peers.end(), spec.name) == peers.end()) continue;
    auto profile = scenario::load_profile(profiles_dir, spec.profile);
    if (!profile) return profile.error();
    chosen.push_back(&spec);
    profiles.push_back(std::move(profile).value());
  }
  // The peers' certificates chain to one test CA: the runs verify against it.
  auto ca = reference_ca_pem();
  if (!ca) return ca.error();
  std::error_code ec;
  std::filesystem::path ca_file = std::filesystem::temp_directory_path(ec) /
                                  fmt::format("smtpeer-reference-ca-{}.pem", ::getpid());
  if (Status st = report::write_file(ca_file.string(), *ca); !st) return st.error();
  struct RemoveOnExit {
    std::filesystem::path path;
    ~RemoveOnExit() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  } remove_ca{ca_file};

  // Peers are independent servers: run a few at once, each with its own
  // connection cap, so the demo takes the time of its slowest scenarios.
  constexpr std::size_t kPeersAtOnce = 6;
  std::vector<RunReport> reports(chosen.size());
  std::vector<std::optional<Error>> errors(chosen.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next.fetch_add(1); i < chosen.size(); i = next.fetch_add(1)) {
      if (net::stop_flag().load()) return;
      const PeerSpec& spec = *chosen[i];
      auto peer = ReferencePeer::start(spec);
      if (!peer) {
        errors[i] = peer.error();
        continue;
      }
      if (options.on_message)
        options.on_message(fmt::format("built-in peer {} ({}) on 127.0.0.1:{}, profile {}",
                                       spec.name, spec.description, (*peer)->port(), spec.profile));
      ClientTarget target;
      target.host = "127.0.0.1";
      target.port = (*peer)->port();
      target.ca_file = ca_file.string();
      target.expect_name = kReferenceHostname;
      // Progress names the peer: ten peers run the same scenario ids.
      SuiteOptions peer_options = named_progress(options, spec.name);
      reports[i] = run_suite(scenarios, profiles[i], target, peer_options);
      (*peer)->stop();
      reports[i].target = fmt::format("builtin:{} (127.0.0.1:{})", spec.name, target.port);
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < std::min(kPeersAtOnce, chosen.size()); ++t) pool.emplace_back(worker);
  for (auto& th : pool) th.join();

  BuiltinResult result;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (errors[i]) return *errors[i];
    if (reports[i].target.empty()) {
      // Not started: the run was stopped first. Say so, scenario by scenario,
      // rather than leave the peer out of the reports.
      reports[i].target = fmt::format("builtin:{} (not started)", chosen[i]->name);
      reports[i].profile = profiles[i].name;
      reports[i].started_at = now_iso8601();
      reports[i].interrupted = true;
      for (const scenario::Scenario& sc : scenarios) reports[i].verdicts.push_back(not_run(sc));
    }
    result.checks.push_back(check_peer(chosen[i]->name, reports[i]));
    result.reports.push_back(std::move(reports[i]));
  }
  return result;
}

}  // namespace smtpeer::engine
