// run_server_suite: the server role. The target is an SMTP client: smtpeer
// listens on 127.0.0.1, starts the client under test for each scenario
// (engine/client_process.h), plays the scripted server's side of the
// exchange (greeting, EHLO replies, the STARTTLS reply, TLS with a chosen
// certificate) and judges what the client put on the wire; the client's exit
// status and output are kept as evidence.
//
// Scenarios have role = "server": `send` writes the server's bytes, `expect`
// reads one command line of the client (`command = ["EHLO"]`, or `closed`,
// `timeout`, `any`), `starttls` does the server's handshake with
// `certificate = "expired"` etc. from the run's test PKI.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/scheduler.h"
#include "engine/verdict.h"
#include "scenario/model.h"
#include "tls/pki.h"

namespace smtpeer::engine {

// ServerTarget: the client under test and the server smtpeer plays.
struct ServerTarget {
  std::string client_cmd;                     // with {host}, {port}, {ca}, and `values` keys
  std::map<std::string, std::string> values;  // further placeholders
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;          // 0: a port the kernel picks, per scenario
  std::string server_name = "localhost";  // in the greeting; the good certificate is for it
  std::string ca_file;                    // the CA of `pki`, written where {ca} points
  const tls::TestPki* pki = nullptr;      // certificates the starttls steps present
  std::chrono::milliseconds connect_timeout{15000};  // the client must connect by then
};

// run_server_suite: every server-role scenario once, one client run each, in order.
RunReport run_server_suite(const std::vector<scenario::Scenario>& scenarios,
                           const scenario::Profile& profile, const ServerTarget& target,
                           const SuiteOptions& options);

}  // namespace smtpeer::engine
