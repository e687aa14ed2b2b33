// The subcommands behind main(): each takes its parsed flags and returns the
// exit code.
#pragma once

#include <string>
#include <vector>

namespace smtpeer::cli {

struct RunArgs {
  std::string role = "client";  // "client": the target is a server; "server": it is a client
  std::string client_cmd;       // server role: the client under test, with {host} {port} {ca}
  std::string client_policy =
      "strict";         // server role: strict | encrypt | opportunistic (a profile)
  std::string ca_cert;  // server role: issue the certificates from this CA …
  std::string ca_key;   // … with this key
  std::string listen;   // server role: HOST:PORT; "" = 127.0.0.1, a free port
  std::string server_name = "localhost";  // server role: greeting and certificate name
  std::string target;
  std::string profile;
  std::vector<std::string> tags;
  std::vector<std::string> ids;
  std::string scenario_dir;
  std::string ca_file;
  std::string expect_name;
  std::string sni;
  std::string client_cert;
  std::string client_key;
  std::string client_pki;
  std::string json_path;
  std::string junit_path;
  std::string out_dir = "smtpeer-out";
  int parallel = 4;
  bool parallel_given = false;  // server role: clients run one at a time unless asked
  std::vector<std::string> peers;
  bool verbose = false;
  bool no_color = false;
  bool quiet = false;
};

struct ListArgs {
  std::string scenario_dir;
  std::vector<std::string> tags;
  bool peers = false;
};

struct ExplainArgs {
  std::string id;
  std::string scenario_dir;
};

struct ProbeArgs {
  std::string target;
  std::string profile;
  std::string scenario_dir;  // where profiles/ is
  std::string ca_file;
  std::string expect_name;
  std::string sni;
  std::string client_cert;
  std::string client_key;
  std::string client_pki;
  std::string corpus_dir;
  std::string json_path;
  int parallel = 4;
  int timeout_s = 10;
  bool verbose = false;
  bool no_color = false;
  bool quiet = false;
};

struct CertsArgs {
  std::string out_dir;
  std::string name = "localhost";
};

// ReferenceClientArgs: `smtpeer reference-client` (hidden): the built-in
// reference client the demo's client section starts (engine/reference_client.h).
struct ReferenceClientArgs {
  std::string kind = "good";
  std::string host = "127.0.0.1";
  int port = 0;
  std::string ca_file;
  std::string name = "localhost";
  int read_timeout_ms = 8000;
};

int run(const RunArgs& args, bool tty);
int reference_client(const ReferenceClientArgs& args);
int probe(const ProbeArgs& args, bool tty);
int certs(const CertsArgs& args);
int list(const ListArgs& args);
int explain(const ExplainArgs& args);

// request_stop: async-signal-safe; the run ends its scenarios and still writes its reports.
void request_stop();
bool stop_requested();

enum ExitCode { kAllPassed = 0, kFindings = 1, kUsage = 2, kHarness = 3 };

}  // namespace smtpeer::cli
