#include "cli/commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

#include "engine/client_process.h"
#include "engine/demo.h"
#include "engine/reference_client.h"
#include "engine/reference_peer.h"
#include "engine/scheduler.h"
#include "engine/server_session.h"
#include "net/socket.h"
#include "report/json_report.h"
#include "report/junit_report.h"
#include "report/output_file.h"
#include "report/progress.h"
#include "report/text_report.h"
#include "scenario/loader.h"
#include "scenario/paths.h"
#include "tls/pki.h"
#include "tls/session.h"
#include "transcript/jsonl_recorder.h"

namespace smtpeer::cli {
namespace {

void error_line(const std::string& text) {
  std::fprintf(stderr, "smtpeer: %s\n", text.c_str());
}

std::string scenario_dir_or_default(const std::string& dir) {
  return dir.empty() ? scenario::default_scenario_dir() : dir;
}

// load_selected: the catalogue filtered by tags and ids; errors are printed.
bool load_selected(const std::string& dir, const std::vector<std::string>& tags,
                   const std::vector<std::string>& ids, std::vector<scenario::Scenario>& out) {
  auto all = scenario::load_scenario_dir(dir);
  if (!all) {
    error_line(all.error().message);
    return false;
  }
  out = scenario::select_scenarios(*all, tags, ids);
  if (out.empty()) {
    error_line(fmt::format("no scenario in {} matches the selection", dir));
    return false;
  }
  return true;
}

// make_parent: create the directory a report file goes into, as a user expects.
void make_parent(const std::string& path) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
}

// write_outputs: JSON, JUnit and transcripts; a failure to write is reported, not fatal.
bool write_outputs(const RunArgs& args, const std::vector<engine::RunReport>& runs) {
  bool ok = true;
  if (!args.json_path.empty()) make_parent(args.json_path);
  if (!args.junit_path.empty()) make_parent(args.junit_path);
  if (!args.json_path.empty()) {
    std::string json = runs.size() == 1 ? report::to_json(runs.front()) : report::to_json(runs);
    if (Status st = report::write_file(args.json_path, json); !st) {
      error_line("cannot write JSON report: " + st.error().message);
      ok = false;
    }
  }
  if (!args.junit_path.empty()) {
    if (Status st = report::write_file(args.junit_path, report::to_junit(runs)); !st) {
      error_line("cannot write JUnit report: " + st.error().message);
      ok = false;
    }
  }
  if (!args.out_dir.empty()) {
    for (const auto& run : runs) {
      // One directory per run: several built-in peers share scenario ids.
      std::string dir = args.out_dir;
      if (runs.size() > 1) {
        std::string name = run.target.substr(0, run.target.find(' '));
        std::replace_if(
            name.begin(), name.end(),
            [](char c) {
              return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.');
            },
            '_');
        dir += "/" + name;
      }
      for (const auto& v : run.verdicts) {
        if (v.transcript.empty()) continue;
        if (Status st = transcript::write_transcript(dir, v.scenario_id, v.transcript); !st) {
          error_line("cannot write transcript: " + st.error().message);
          return false;
        }
      }
    }
  }
  return ok;
}

// run_server_role: `smtpeer run --role server --client-cmd ...`: smtpeer is
// the server, the client under test is started once per scenario.
int run_server_role(const RunArgs& args, const std::vector<scenario::Scenario>& scenarios,
                    const std::string& profiles_dir, engine::SuiteOptions options,
                    const report::TextOptions& text, std::unique_ptr<report::Progress> progress) {
  if (args.client_cmd.empty()) {
    error_line("--role server needs --client-cmd 'CLIENT ... {host} {port} ...'");
    return kUsage;
  }
  if (!args.target.empty() || !args.peers.empty()) {
    error_line("--role server tests a client: --target and --peer are for the client role");
    return kUsage;
  }
  if (args.client_policy != "strict" && args.client_policy != "encrypt" &&
      args.client_policy != "opportunistic") {
    error_line("--client-policy is strict, encrypt or opportunistic (found '" + args.client_policy +
               "')");
    return kUsage;
  }
  if (args.ca_cert.empty() != args.ca_key.empty()) {
    error_line("--ca-cert and --ca-key go together (the CA's certificate and its key)");
    return kUsage;
  }
  if (!args.parallel_given) options.parallel = 1;
  if (options.parallel > 1 && !args.listen.empty()) {
    error_line("--parallel needs a free port per client: leave out --listen");
    return kUsage;
  }
  std::string name = !args.profile.empty() ? args.profile : "client-" + args.client_policy;
  auto profile = scenario::load_profile(profiles_dir, name);
  if (!profile) {
    error_line(profile.error().message);
    return kUsage;
  }
  engine::ServerTarget target;
  target.client_cmd = args.client_cmd;
  target.server_name = args.server_name;
  target.values["name"] = args.server_name;  // {name}: what the good certificate is for
  if (!args.listen.empty()) {
    auto hp = net::split_host_port(args.listen);
    if (!hp) {
      error_line("--listen " + hp.error().message);
      return kUsage;
    }
    target.listen_host = hp->first;
    target.listen_port = hp->second;
  }
  // Check the command before the first scenario: a typo is a usage error, once.
  {
    engine::ClientCommand probe_cmd;
    probe_cmd.command_line = args.client_cmd;
    probe_cmd.port = 1;
    probe_cmd.ca = "ca.pem";
    probe_cmd.values = target.values;
    if (auto words = engine::expand_command(probe_cmd); !words) {
      error_line("--client-cmd: " + words.error().message);
      return kUsage;
    }
  }
  // The test PKI the server presents, with its CA where {ca} points.
  tls::PkiOptions pki_options;
  pki_options.name = args.server_name;
  if (!args.ca_cert.empty()) {
    // The user's CA issues every certificate; its key is not copied to OUT/pki.
    auto ca = tls::read_ca(args.ca_cert, args.ca_key);
    if (!ca) {
      error_line("--ca-cert/--ca-key: " + ca.error().message);
      return ca.error().code == ErrorCode::kIo ? kHarness : kUsage;
    }
    pki_options.issuer = std::move(*ca);
  }
  auto pki = tls::generate_pki(pki_options);
  if (!pki) {
    error_line(pki.error().message);
    return pki.error().code == ErrorCode::kUsage ? kUsage : kHarness;
  }
  std::string pki_dir =
      std::filesystem::absolute(std::filesystem::path(args.out_dir.empty() ? "." : args.out_dir) /
                                "pki")
          .string();
  if (auto files = tls::write_pki(*pki, pki_dir); !files) {
    error_line(files.error().message);
    return kHarness;
  }
  target.ca_file = pki_dir + "/ca.pem";
  target.pki = &*pki;
  engine::RunReport rep = engine::run_server_suite(scenarios, *profile, target, options);
  progress.reset();
  std::vector<engine::RunReport> runs{std::move(rep)};
  std::fputs(report::render_text(runs, text).c_str(), stdout);
  bool wrote = write_outputs(args, runs);
  const auto& r = runs.front();
  if (r.interrupted || !wrote || r.count(engine::VerdictKind::kError) > 0) return kHarness;
  return r.count(engine::VerdictKind::kFail) > 0 ? kFindings : kAllPassed;
}

}  // namespace

void request_stop() {
  net::stop_flag().store(true);
}
bool stop_requested() {
  return net::stop_flag().load();
}

int reference_client(const ReferenceClientArgs& args) {
  auto flaw = engine::parse_client_flaw(args.kind);
  if (!flaw) {
    std::vector<std::string> names;
    for (const auto& f : engine::client_flaws()) names.emplace_back(f.name);
    error_line(fmt::format("--kind is one of: {}", fmt::join(names, ", ")));
    return kUsage;
  }
  engine::ReferenceClientOptions o;
  o.host = args.host;
  o.port = static_cast<std::uint16_t>(args.port);
  o.ca_file = args.ca_file;
  o.server_name = args.name;
  o.flaw = *flaw;
  o.read_timeout = std::chrono::milliseconds(args.read_timeout_ms);
  // Each line at once: a client killed at a scenario's deadline keeps its log.
  o.echo = [](const std::string& line) {
    std::fputs((line + "\n").c_str(), stdout);
    std::fflush(stdout);
  };
  return engine::run_reference_client(o).exit_code;
}

int run(const RunArgs& args, bool tty) {
  std::string dir = scenario_dir_or_default(args.scenario_dir);
  std::vector<scenario::Scenario> scenarios;
  if (!load_selected(dir, args.tags, args.ids, scenarios)) return kUsage;
  // The demo (no target, no --peer) also plays the server role against the
  // built-in clients: keep the server-role scenarios of the selection for it.
  const bool demo = args.role == "client" && args.target.empty() && args.client_cmd.empty();
  std::vector<scenario::Scenario> client_scenarios;
  if (demo && args.peers.empty())
    std::copy_if(scenarios.begin(), scenarios.end(), std::back_inserter(client_scenarios),
                 [](const scenario::Scenario& sc) { return sc.role == "server"; });
  // A run plays one role: the scenarios written for the other one are not its.
  std::erase_if(scenarios, [&](const scenario::Scenario& sc) { return sc.role != args.role; });
  if (scenarios.empty() && client_scenarios.empty()) {
    error_line(fmt::format("no {}-role scenario matches the selection{}", args.role,
                           args.role == "server" ? " (they live in scenarios/client/)" : ""));
    return kUsage;
  }
  std::string profiles_dir = dir + "/profiles";

  report::TextOptions text;
  text.color = tty && !args.no_color;
  text.verbose = args.verbose;

  engine::SuiteOptions options;
  options.parallel = args.parallel;
  std::unique_ptr<report::Progress> progress;
  if (!args.quiet) {
    bool err_tty = isatty(fileno(stderr)) != 0;
    progress = std::make_unique<report::Progress>(stderr, err_tty, scenarios.size());
    options.on_start = [p = progress.get()](const std::string& id) { p->started(id); };
    options.on_finish = [p = progress.get()](const engine::Verdict& v) { p->finished(v); };
    options.on_message = [p = progress.get()](const std::string& m) { p->message(m); };
  }

  if (args.role == "server")
    return run_server_role(args, scenarios, profiles_dir, options, text, std::move(progress));
  if (!args.client_cmd.empty()) {
    error_line("--client-cmd starts the client under test: it needs --role server");
    return kUsage;
  }
  if (!args.target.empty() && !args.peers.empty()) {
    error_line("--peer picks a built-in peer for the demo; it cannot be combined with --target");
    return kUsage;
  }
  if (args.target.empty()) {
    // The embedded default: the suite against the built-in reference peers.
    for (const auto& name : args.peers)
      if (engine::find_reference_peer(name) == nullptr) {
        error_line(fmt::format("no built-in peer '{}' (see: smtpeer list --peers)", name));
        return kUsage;
      }
    if (!args.profile.empty())
      error_line("note: --profile is ignored without --target; each built-in peer has its own");
    if (progress)
      progress = std::make_unique<report::Progress>(
          stderr, isatty(fileno(stderr)) != 0,
          scenarios.size() *
                  (args.peers.empty() ? engine::reference_peers().size() : args.peers.size()) +
              client_scenarios.size() * engine::client_demo_specs().size());
    if (progress) {
      options.on_start = [p = progress.get()](const std::string& id) { p->started(id); };
      options.on_finish = [p = progress.get()](const engine::Verdict& v) { p->finished(v); };
      options.on_message = [p = progress.get()](const std::string& m) { p->message(m); };
    }
    engine::BuiltinResult peers;
    if (!scenarios.empty()) {
      auto result = engine::run_builtin(scenarios, profiles_dir, args.peers, options);
      if (!result) {
        error_line(result.error().message);
        return result.error().code == ErrorCode::kScenario ? kUsage : kHarness;
      }
      peers = std::move(*result);
    }
    // The client section: smtpeer's server role against smtpeer's own
    // reference clients (smtpeer started as `reference-client`).
    engine::BuiltinResult clients;
    if (!client_scenarios.empty() && !net::stop_flag().load()) {
      std::error_code ec;
      std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
      if (ec) {
        error_line("cannot find smtpeer's own executable for the built-in clients: " +
                   ec.message());
        return kHarness;
      }
      auto result =
          engine::run_builtin_clients(client_scenarios, profiles_dir, self, args.out_dir, options);
      if (!result) {
        error_line(result.error().message);
        return result.error().code == ErrorCode::kScenario ? kUsage : kHarness;
      }
      clients = std::move(*result);
    }
    progress.reset();
    // Ten peers of ~30 scenarios each: the demo lists what failed and counts
    // the rest; -v lists everything.
    text.hide_passes = true;
    auto print_section = [&](const char* intro, const std::vector<engine::RunReport>& reports) {
      if (reports.empty()) return;
      std::puts(intro);
      std::fputs(report::render_text(reports, text).c_str(), stdout);
      std::puts("");
    };
    auto print_checks = [](const char* question, const std::vector<engine::PeerCheck>& checks) {
      if (checks.empty()) return;
      std::puts(question);
      for (const auto& c : checks) {
        std::string status = !c.ok() ? "NOT AS EXPECTED" : c.conformant ? "all passed" : "caught";
        std::printf("  %-32s %-16s %s\n", c.peer.c_str(), status.c_str(), c.description.c_str());
        for (const auto& m : c.missed)
          std::printf("      missed: %s should have failed\n", m.c_str());
        for (const auto& u : c.unexpected)
          std::printf("      unexpected: %s failed or erred\n", u.c_str());
      }
    };
    print_section(
        "smtpeer's built-in demo: the scenario suite against reference peers on 127.0.0.1.\n"
        "Two peers are conformant and must pass everything; each other peer has one named\n"
        "misbehaviour (a knob) that the scenario meant for it must catch, and nothing else.\n",
        peers.reports);
    print_section(
        "The server role: smtpeer plays a scripted fake server (scenarios/client/) against\n"
        "its own built-in SMTP clients, started as `smtpeer reference-client --kind K`. The\n"
        "good clients must pass; each other client has one flaw the scenarios must catch.\n",
        clients.reports);
    print_checks("Built-in peers: did smtpeer catch each misbehaviour, and only that one?",
                 peers.checks);
    print_checks("Built-in clients: did smtpeer's server role catch each flaw, and only that one?",
                 clients.checks);
    std::vector<engine::RunReport> all = std::move(peers.reports);
    for (auto& r : clients.reports) all.push_back(std::move(r));
    bool wrote = write_outputs(args, all);
    if (net::stop_flag().load() || !wrote) return kHarness;
    for (const auto& r : all)
      if (r.count(engine::VerdictKind::kError) > 0)
        return kHarness;  // smtpeer's fault, not a finding
    return peers.ok() && clients.ok() ? kAllPassed : kFindings;
  }

  auto hp = net::split_host_port(args.target);
  if (!hp) {
    error_line("--target " + hp.error().message);
    return kUsage;
  }
  auto profile =
      scenario::load_profile(profiles_dir, args.profile.empty() ? "rfc3207" : args.profile);
  if (!profile) {
    error_line(profile.error().message);
    return kUsage;
  }
  // Reachability first: an unreachable target is exit 3, not 40 errors.
  {
    auto probe =
        net::connect_tcp(hp->first, hp->second, net::deadline_in(std::chrono::seconds(10)));
    if (!probe) {
      error_line(probe.error().message);
      return kHarness;
    }
  }
  engine::ClientTarget target;
  target.host = hp->first;
  target.port = hp->second;
  target.ca_file = args.ca_file;
  target.expect_name = args.expect_name;
  target.sni = args.sni;
  target.client_cert = args.client_cert;
  target.client_key = args.client_key;
  target.client_pki = args.client_pki;
  {
    // Bad TLS inputs (CA file, client certificate) are a usage error now,
    // not an error verdict on every scenario later.
    tls::ClientConfig cfg;
    cfg.ca_file = args.ca_file;
    cfg.cert_file = args.client_cert;
    cfg.key_file = args.client_key;
    if (auto s = tls::Session::client(cfg); !s) {
      error_line(s.error().message);
      return kUsage;
    }
  }
  engine::RunReport rep = engine::run_suite(scenarios, *profile, target, options);
  rep.connections += 1;  // the reachability probe
  progress.reset();
  std::vector<engine::RunReport> runs{std::move(rep)};
  std::fputs(report::render_text(runs, text).c_str(), stdout);
  bool wrote = write_outputs(args, runs);
  const auto& r = runs.front();
  if (r.interrupted || !wrote || r.count(engine::VerdictKind::kError) > 0) return kHarness;
  return r.count(engine::VerdictKind::kFail) > 0 ? kFindings : kAllPassed;
}

int list(const ListArgs& args) {
  if (args.peers) {
    for (const auto& p : engine::reference_peers()) {
      std::printf("%-32s profile %-18s %s\n", p.name.c_str(), p.profile.c_str(),
                  p.description.c_str());
      for (const auto& id : p.must_fail) std::printf("    must fail: %s\n", id.c_str());
    }
    return kAllPassed;
  }
  std::vector<scenario::Scenario> scenarios;
  if (!load_selected(scenario_dir_or_default(args.scenario_dir), args.tags, {}, scenarios))
    return kUsage;
  for (const auto& sc : scenarios) {
    std::string rows;
    for (const auto& c : sc.catalogue) rows += (rows.empty() ? "" : ",") + c;
    std::printf("%-40s %-6s %-22s %s%s\n", sc.id.c_str(), rows.c_str(), sc.clause.c_str(),
                sc.title.c_str(), sc.disabled.empty() ? "" : "  [disabled]");
  }
  return kAllPassed;
}

int explain(const ExplainArgs& args) {
  std::vector<scenario::Scenario> scenarios;
  if (!load_selected(scenario_dir_or_default(args.scenario_dir), {}, {args.id}, scenarios))
    return kUsage;
  for (const auto& sc : scenarios) {
    std::printf("%s: %s\n", sc.id.c_str(), sc.title.c_str());
    std::string rows;
    for (const auto& c : sc.catalogue) rows += (rows.empty() ? "" : ", ") + c;
    std::printf("  catalogue: %s\n  clause:    %s\n  requires:  \"%s\"\n  file:      %s\n",
                rows.c_str(), sc.clause.c_str(), sc.requirement.c_str(), sc.path.c_str());
    if (!sc.disabled.empty()) std::printf("  DISABLED:  %s\n", sc.disabled.c_str());
    std::printf("  steps:\n");
    int n = 0;
    for (const auto& st : sc.steps) {
      std::string what(scenario::to_string(st.kind));
      if (!st.label.empty()) what += " (" + st.label + ")";
      std::printf("    %2d. %s%s%s\n", ++n, what.c_str(), st.why.empty() ? "" : " — ",
                  st.why.c_str());
    }
    std::puts("");
  }
  return kAllPassed;
}

}  // namespace smtpeer::cli
