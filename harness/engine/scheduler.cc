#include "engine/scheduler.h"

#include <fmt/format.h>

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/gate.h"
#include "engine/probe.h"
#include "engine/tls_policy.h"
#include "net/socket.h"

namespace smtpeer::engine {

using Clock = std::chrono::steady_clock;

std::string now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

// verdict_from_probe: the verdict of a probe scenario, from the inventory's finding for its row.
Verdict verdict_from_probe(const scenario::Scenario& sc, const ProbeResult* probe) {
  Verdict v = verdict_header(sc);
  if (!sc.disabled.empty()) {
    v.kind = VerdictKind::kSkip;
    v.summary = "disabled: " + sc.disabled;
    return v;
  }
  if (probe == nullptr) return not_run(sc);
  if (!probe->error.empty()) {
    // No STARTTLS, or no connection: the rows about TLS do not apply.
    v.kind = probe->starttls_offered || probe->greeting.empty() ? VerdictKind::kError
                                                                : VerdictKind::kSkip;
    v.summary = "no TLS inventory: " + probe->error;
    return v;
  }
  auto it = std::find_if(probe->findings.begin(), probe->findings.end(),
                         [&](const Finding& f) { return f.check == sc.probe; });
  if (it == probe->findings.end()) {
    v.kind = VerdictKind::kSkip;
    v.summary = fmt::format("the profile does not judge {} here", sc.probe);
    return v;
  }
  v.kind = it->kind;
  v.clause = it->clause;
  v.summary = it->summary;
  if (it->warning) v.notes.push_back("warning: " + it->summary);
  for (const std::string& e : it->evidence) v.evidence.push_back({"*", e, true});
  v.duration_ms = probe->duration_ms;
  return v;
}

}  // namespace

RunReport run_suite(const std::vector<scenario::Scenario>& scenarios,
                    const scenario::Profile& profile, const ClientTarget& target,
                    const SuiteOptions& options) {
  RunReport report;
  report.target = fmt::format("{}:{}", target.host, target.port);
  report.profile = profile.name;
  report.started_at = now_iso8601();
  auto t0 = Clock::now();

  // One slot per scenario, each written by exactly one worker.
  std::vector<std::optional<Verdict>> verdicts(scenarios.size());
  std::atomic<std::size_t> next{0};
  // A server that answers every connection with 421 must not stretch the run
  // to retries × scenarios × back-off: after kGiveUp scenarios used up their
  // retries, the rest get none.
  constexpr int kGiveUp = 3;
  std::atomic<int> exhausted{0};
  std::atomic<int> connections{0};
  Gate gate(options.parallel);

  // The TLS inventory, once, before the other scenarios, when a probe
  // scenario is selected: it opens up to `parallel` connections itself, so it
  // runs alone to keep the per-target cap.
  std::optional<ProbeResult> probe;
  bool wants_probe = std::any_of(scenarios.begin(), scenarios.end(), [](const auto& sc) {
    return !sc.probe.empty() && sc.disabled.empty();
  });
  if (wants_probe && !net::stop_flag().load()) {
    if (options.on_message) options.on_message("TLS inventory (smtpeer probe) for the T rows");
    ProbeOptions po;
    po.target = target;
    po.client_pki = target.client_pki;
    po.parallel = options.parallel;
    po.backoff = options.backoff;
    po.on_progress = options.on_message;
    probe = run_probe(po);
    probe->profile = profile.name;
    probe->findings = judge_probe(*probe, profile);
    connections += probe->connections;
  }
  bool first_probe_verdict = true;
  std::mutex probe_mu;

  auto worker = [&] {
    for (;;) {
      std::size_t i = next.fetch_add(1);
      if (i >= scenarios.size()) return;
      const scenario::Scenario& sc = scenarios[i];
      if (!sc.probe.empty()) {
        if (options.on_start) options.on_start(sc.id);
        Verdict v = verdict_from_probe(sc, probe ? &*probe : nullptr);
        {
          // The inventory's connections are counted on the first T verdict.
          std::lock_guard lock(probe_mu);
          if (probe && first_probe_verdict) v.connections = probe->connections;
          first_probe_verdict = false;
        }
        if (options.on_finish) options.on_finish(v);
        verdicts[i] = std::move(v);
        continue;
      }
      auto pause = options.backoff;
      int retries = 0;
      for (;;) {
        if (!gate.acquire()) return;
        if (options.on_start && retries == 0) options.on_start(sc.id);
        ScenarioRun run = run_client_scenario(sc, profile, target, connections);
        bool retry = run.rate_limited && retries < options.max_retries &&
                     exhausted.load() < kGiveUp && !net::stop_flag().load();
        // Start the pause before the slot is free, so no waiting worker
        // connects in between.
        int cap = retry ? gate.rate_limited(pause) : 0;
        gate.release();
        if (retry) {
          ++retries;
          if (options.on_message)
            options.on_message(
                fmt::format("{}: server answered 421 (rate limit); retry {} in {} ms, {} at once",
                            sc.id, retries, pause.count(), cap));
          pause = std::min(pause * 2, std::chrono::milliseconds(30000));
          continue;
        }
        if (run.rate_limited) {
          ++exhausted;
          run.verdict.kind = VerdictKind::kError;
          run.verdict.summary = fmt::format(
              "the server kept refusing with 421 after {} retries; run with a lower --parallel",
              retries);
        }
        run.verdict.retries = retries;
        if (options.on_finish) options.on_finish(run.verdict);
        verdicts[i] = std::move(run.verdict);
        break;
      }
    }
  };

  int threads = std::max(1, std::min<int>(options.parallel, static_cast<int>(scenarios.size())));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& th : pool) th.join();

  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    if (verdicts[i]) {
      report.verdicts.push_back(std::move(*verdicts[i]));
      continue;
    }
    // Not run because the run was stopped: say so rather than drop it.
    report.verdicts.push_back(not_run(scenarios[i]));
  }
  report.interrupted = net::stop_flag().load();
  report.connections = connections.load();
  report.duration_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  return report;
}

}  // namespace smtpeer::engine
