// run_client_scenario: the step machine of the client role. smtpeer connects
// to the target, runs the scenario's steps in order, records everything, and
// turns the first decisive step outcome into a Verdict.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "engine/verdict.h"
#include "scenario/model.h"
#include "smtp/reply_parser.h"

namespace smtpeer::engine {

// ClientTarget: where and how to connect, shared by every scenario of a run.
struct ClientTarget {
  std::string host;
  std::uint16_t port = 25;
  std::string ca_file;      // trust anchors for certificate checks
  std::string expect_name;  // the name the server certificate must carry
  std::string sni;          // server name sent in TLS; "" = host if it is a name
  std::string client_cert;  // client certificate to present (PEM); "" = none
  std::string client_key;
  std::string client_pki;  // `smtpeer certs` directory for T6 ("" = T6 checks the request only)
  smtp::ReplyLimits limits;
};

// ScenarioRun: a verdict, plus what the scheduler needs to know.
struct ScenarioRun {
  Verdict verdict;
  bool rate_limited = false;  // the server greeted with 421: retry later, not a verdict
  bool unreachable = false;   // the first connection failed
};

// verdict_header: a verdict carrying the scenario's id, title, rows, tags,
// clause and requirement, for every path that makes one (run, skipped, probe).
Verdict verdict_header(const scenario::Scenario& sc);

// not_run: the skip verdict of a scenario the run was stopped before.
Verdict not_run(const scenario::Scenario& sc);

ScenarioRun run_client_scenario(const scenario::Scenario& sc, const scenario::Profile& profile,
                                const ClientTarget& target, std::atomic<int>& connections);

// evidence_from: the evidence lines for a verdict, from the transcript
// (the last `max_lines` events; client role: "C" is smtpeer, "S" the server).
std::vector<EvidenceLine> evidence_from(const transcript::Transcript& t, std::size_t max_lines,
                                        bool smtpeer_is_client = true);

}  // namespace smtpeer::engine
