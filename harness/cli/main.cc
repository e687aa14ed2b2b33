// smtpeer: the command line. It parses flags and calls the library; all
// logic lives in harness/ (STYLE.md 1).
//
// Exit codes (documented in README.md):
//   0  every scenario passed (built-in demo: every built-in misbehaviour was caught)
//   1  findings: at least one scenario failed (demo: a misbehaviour was missed)
//   2  usage, scenario or profile error
//   3  target unreachable, harness error, or the run was interrupted
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/commands.h"

namespace {

// on_signal: the first SIGINT/SIGTERM asks the run to stop and still write
// its reports; a second one ends the process at once.
void on_signal(int sig) {
  if (smtpeer::cli::stop_requested()) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  smtpeer::cli::request_stop();
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  CLI::App app{"smtpeer: a controllable fake SMTP peer that checks STARTTLS (RFC 3207) behaviour",
               "smtpeer"};
  app.set_version_flag("--version", std::string("smtpeer ") + SMTPEER_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 all passed; 1 findings; 2 usage or scenario error; 3 target unreachable, "
      "harness error or interrupted.\nRun 'smtpeer COMMAND --help' for a command's options.");

  smtpeer::cli::RunArgs run;
  CLI::App* run_cmd = app.add_subcommand(
      "run",
      "Run scenarios against a server (--target HOST:PORT); with no target, against smtpeer's "
      "built-in reference peers (a demo that needs nothing installed)");
  run_cmd->add_option("--target", run.target, "Server to test, HOST:PORT (e.g. mx.staging:25)");
  run_cmd
      ->add_option("--role", run.role,
                   "client (default): smtpeer is the client, --target the server; server: "
                   "smtpeer is the server and starts the client under test (--client-cmd)")
      ->check(CLI::IsMember({"client", "server"}))
      ->capture_default_str();
  run_cmd->add_option(
      "--client-cmd", run.client_cmd,
      "Server role: the client under test, started per scenario; {host}, "
      "{port}, {ca} and {name} (--server-name) are replaced (e.g. 'curl --ssl-reqd --cacert {ca} "
      "smtp://{host}:{port} ...')");
  run_cmd
      ->add_option("--client-policy", run.client_policy,
                   "Server role: strict (requires and verifies TLS), encrypt (requires TLS, "
                   "does not verify) or opportunistic (uses TLS when offered)")
      ->check(CLI::IsMember({"strict", "encrypt", "opportunistic"}))
      ->capture_default_str();
  run_cmd
      ->add_option("--ca-cert", run.ca_cert,
                   "Server role: issue the server certificates (good, wrong name, expired, ...) "
                   "from this CA (PEM), so a client that trusts it needs no change")
      ->check(CLI::ExistingFile);
  run_cmd->add_option("--ca-key", run.ca_key, "Server role: the private key (PEM) of --ca-cert")
      ->check(CLI::ExistingFile);
  run_cmd->add_option("--listen", run.listen,
                      "Server role: HOST:PORT to listen on (default 127.0.0.1, a free port)");
  run_cmd
      ->add_option("--server-name", run.server_name,
                   "Server role: the name in the greeting and the good certificate")
      ->capture_default_str();
  run_cmd->add_option("--profile", run.profile,
                      "Policy profile: rfc3207 (default), opportunistic-mx, mandatory-tls, "
                      "submission, or a path to a .toml file");
  run_cmd->add_option("--tag", run.tags, "Only scenarios with this tag (repeatable)");
  run_cmd->add_option("--id", run.ids,
                      "Only this scenario id or catalogue row, e.g. S1 (repeatable)");
  run_cmd->add_option("--scenarios", run.scenario_dir,
                      "Scenario directory (default: the catalogue)");
  run_cmd->add_option("--ca-file", run.ca_file, "CA bundle to verify the server certificate")
      ->check(CLI::ExistingFile);
  run_cmd->add_option("--expect-name", run.expect_name, "Name the server certificate must match");
  run_cmd->add_option("--sni", run.sni, "Server name to send in the TLS ClientHello");
  run_cmd
      ->add_option("--client-cert", run.client_cert,
                   "Client certificate (PEM) to present in the TLS handshake")
      ->check(CLI::ExistingFile);
  run_cmd
      ->add_option("--client-key", run.client_key,
                   "Private key (PEM) of --client-cert, if not in the same file")
      ->check(CLI::ExistingFile);
  run_cmd
      ->add_option("--client-pki", run.client_pki,
                   "T6: a directory from 'smtpeer certs' whose CA the server trusts (see probe)")
      ->check(CLI::ExistingDirectory);
  run_cmd->add_option("--json", run.json_path, "Write the JSON report to FILE");
  run_cmd->add_option("--junit", run.junit_path, "Write a JUnit XML report to FILE");
  run_cmd->add_option("--out", run.out_dir, "Directory for transcripts (JSONL, one per scenario)")
      ->capture_default_str();
  auto* parallel_opt =
      run_cmd
          ->add_option("--parallel", run.parallel,
                       "Scenarios (connections) at once against the target; lowered on 421. Server "
                       "role: clients at once (default 1; needs a free port, not --listen)")
          ->check(CLI::Range(1, 64))
          ->capture_default_str();
  run_cmd->add_option("--peer", run.peers,
                      "Built-in demo only: run against this reference peer (repeatable)");
  run_cmd->add_flag("--verbose,-v", run.verbose, "List skipped scenarios with their reasons");
  run_cmd->add_flag("--no-color", run.no_color, "No ANSI colours");
  run_cmd->add_flag("--quiet,-q", run.quiet, "No progress lines");

  smtpeer::cli::ListArgs list;
  CLI::App* list_cmd = app.add_subcommand("list", "List the scenarios of the catalogue");
  list_cmd->add_option("--scenarios", list.scenario_dir, "Scenario directory");
  list_cmd->add_option("--tag", list.tags, "Only scenarios with this tag (repeatable)");
  list_cmd->add_flag("--peers", list.peers, "List the built-in reference peers and their knobs");

  smtpeer::cli::ExplainArgs explain;
  CLI::App* explain_cmd =
      app.add_subcommand("explain", "Show what a scenario checks, the RFC sentence, and its steps");
  explain_cmd->add_option("id", explain.id, "Scenario id or catalogue row (e.g. S1)")->required();
  explain_cmd->add_option("--scenarios", explain.scenario_dir, "Scenario directory");

  smtpeer::cli::ProbeArgs probe;
  CLI::App* probe_cmd = app.add_subcommand(
      "probe",
      "TLS inventory of a STARTTLS server: protocols SSLv2..TLS 1.3, every suite in server order, "
      "key exchange sizes, features, certificate; judged against a profile");
  probe_cmd->add_option("--target", probe.target, "Server to probe, HOST:PORT")->required();
  probe_cmd->add_option("--profile", probe.profile,
                        "Policy profile: rfc3207 (default), opportunistic-mx, mandatory-tls, "
                        "tls12-strict, mozilla-intermediate, submission, or a .toml path");
  probe_cmd->add_option("--scenarios", probe.scenario_dir,
                        "Scenario directory holding profiles/ (default: the catalogue)");
  probe_cmd->add_option("--ca-file", probe.ca_file, "CA bundle to verify the server certificate")
      ->check(CLI::ExistingFile);
  probe_cmd->add_option("--expect-name", probe.expect_name,
                        "Name the server certificate must match (default: the target host)");
  probe_cmd->add_option("--sni", probe.sni, "Server name to send (default: the target host name)");
  probe_cmd->add_option("--client-cert", probe.client_cert, "Client certificate (PEM) to present")
      ->check(CLI::ExistingFile);
  probe_cmd->add_option("--client-key", probe.client_key, "Private key (PEM) of --client-cert")
      ->check(CLI::ExistingFile);
  probe_cmd
      ->add_option("--client-pki", probe.client_pki,
                   "T6: a directory from 'smtpeer certs' whose CA the server trusts; the probe "
                   "presents no certificate, then client-good, -wrong-cn, -expired, -untrusted")
      ->check(CLI::ExistingDirectory);
  probe_cmd->add_option("--corpus", probe.corpus_dir,
                        "Write each distinct server flight to DIR, as fuzz_tls_records input");
  probe_cmd->add_option("--json", probe.json_path, "Write the JSON report to FILE");
  probe_cmd->add_option("--parallel", probe.parallel, "Connections at once; lowered on 421")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  probe_cmd->add_option("--timeout", probe.timeout_s, "Seconds to wait for each answer")
      ->check(CLI::Range(1, 300))
      ->capture_default_str();
  probe_cmd->add_flag("--verbose,-v", probe.verbose, "Evidence under passing findings too");
  probe_cmd->add_flag("--no-color", probe.no_color, "No ANSI colours");
  probe_cmd->add_flag("--quiet,-q", probe.quiet, "No progress lines");

  smtpeer::cli::CertsArgs certs;
  // Hidden: the demo's client section starts smtpeer itself as the client under test.
  smtpeer::cli::ReferenceClientArgs refclient;
  CLI::App* refclient_cmd = app.add_subcommand(
      "reference-client", "A built-in SMTP client, good or with one flaw (for the demo)");
  refclient_cmd->group("");
  refclient_cmd->add_option("--kind", refclient.kind, "good, opportunistic, no-verify, ...")
      ->capture_default_str();
  refclient_cmd->add_option("--host", refclient.host, "Server address")->capture_default_str();
  refclient_cmd->add_option("--port", refclient.port, "Server port")
      ->required()
      ->check(CLI::Range(1, 65535));
  refclient_cmd->add_option("--ca", refclient.ca_file, "CA bundle (PEM) to verify against");
  refclient_cmd->add_option("--name", refclient.name, "Name the certificate must match")
      ->capture_default_str();
  refclient_cmd->add_option("--read-timeout-ms", refclient.read_timeout_ms, "Per reply")
      ->check(CLI::Range(100, 600000))
      ->capture_default_str();

  CLI::App* certs_cmd = app.add_subcommand(
      "certs",
      "Generate the test PKI: CA, good leaf, wrong name, expired, not yet valid, self-signed, "
      "RSA-1024, SHA-1, ECDSA, client certificates (good, wrong CN, expired, untrusted)");
  certs_cmd->add_option("--out", certs.out_dir, "Directory to write the PEM files to")->required();
  certs_cmd->add_option("--name", certs.name, "Name the good certificates are for")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  bool tty = isatty(STDOUT_FILENO) != 0;
  if (*run_cmd) {
    run.parallel_given = parallel_opt->count() > 0;
    return smtpeer::cli::run(run, tty);
  }
  if (*list_cmd) return smtpeer::cli::list(list);
  if (*explain_cmd) return smtpeer::cli::explain(explain);
  if (*probe_cmd) return smtpeer::cli::probe(probe, tty);
  if (*certs_cmd) return smtpeer::cli::certs(certs);
  if (*refclient_cmd) return smtpeer::cli::reference_client(refclient);
  return 2;
}
