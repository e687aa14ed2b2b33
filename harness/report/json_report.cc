#include "report/json_report.h"

#include <nlohmann/json.hpp>

namespace smtpeer::report {

namespace {

// ordered_json keeps the documented key order, which makes the report
// readable by people and diffable between runs.
using Json = nlohmann::ordered_json;
using engine::VerdictKind;

Json evidence_json(const engine::EvidenceLine& line) {
  Json j;
  j["who"] = line.who;
  j["tls"] = line.tls;
  j["text"] = line.text;
  return j;
}

Json scenario_json(const engine::Verdict& v) {
  Json j;
  j["id"] = v.scenario_id;
  j["title"] = v.title;
  j["catalogue"] = v.catalogue;
  j["tags"] = v.tags;
  j["verdict"] = to_string(v.kind);
  j["clause"] = v.clause;
  j["requirement"] = v.requirement;
  j["summary"] = v.summary;
  j["notes"] = v.notes;
  Json evidence = Json::array();
  for (const auto& line : v.evidence) evidence.push_back(evidence_json(line));
  j["evidence"] = std::move(evidence);
  j["failed_step"] = v.failed_step >= 0 ? Json(v.failed_step) : Json(nullptr);
  j["connections"] = v.connections;
  j["retries"] = v.retries;
  j["duration_ms"] = v.duration_ms;
  return j;
}

Json run_json(const engine::RunReport& run) {
  Json j;
  j["tool"] = "smtpeer";
  j["version"] = SMTPEER_VERSION;
  j["target"] = run.target;
  j["profile"] = run.profile;
  j["started_at"] = run.started_at;
  j["duration_ms"] = run.duration_ms;
  j["connections"] = run.connections;
  j["interrupted"] = run.interrupted;
  Json totals;
  for (const auto k :
       {VerdictKind::kPass, VerdictKind::kFail, VerdictKind::kSkip, VerdictKind::kError}) {
    totals[std::string(to_string(k))] = run.count(k);
  }
  j["totals"] = std::move(totals);
  Json scenarios = Json::array();
  for (const auto& v : run.verdicts) scenarios.push_back(scenario_json(v));
  j["scenarios"] = std::move(scenarios);
  return j;
}

// dump: never throws; see the UTF-8 note in json_report.h.
std::string dump(const Json& j) {
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string to_json(const engine::RunReport& run) {
  return dump(run_json(run));
}

std::string to_json(const std::vector<engine::RunReport>& runs) {
  Json all = Json::array();
  for (const auto& run : runs) all.push_back(run_json(run));
  Json j;
  j["runs"] = std::move(all);
  return dump(j);
}

}  // namespace smtpeer::report
