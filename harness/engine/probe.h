// run_probe: the TLS inventory of one STARTTLS server (`smtpeer probe`, rows
// T1–T7 and S21 of SCENARIOS.md). Every connection speaks SMTP up to the 220
// to STARTTLS, then sends one hand-built ClientHello (tls/wire/) and reads
// the server's first flight; one more connection does a full OpenSSL
// handshake for the certificate chain as a real client sees it.
//
// Connections are few and reused for several facts: each version's suite list
// comes from offering everything, striking the suite the server chose and
// offering the rest again, so the first connection of a version also says
// whether the version is accepted, and its key exchange gives the DH and ECDH
// sizes. Connections run in parallel under the per-target cap and back off
// on a 421 greeting.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "engine/client_session.h"
#include "engine/probe_result.h"

namespace smtpeer::engine {

struct ProbeOptions {
  ClientTarget target;
  int parallel = 4;                            // connections at once, at most
  std::chrono::milliseconds timeout{10000};    // per read (greeting, replies, server flight)
  std::chrono::milliseconds deadline{600000};  // the whole probe; past it, lists are incomplete
  std::string ehlo_name = "smtpeer.invalid";
  // client_pki: a directory written by `smtpeer certs` (client-good.pem,
  // client-wrong-cn.pem, client-expired.pem, client-untrusted.pem and their
  // keys): T6 presents none and each of them; "" = not tested.
  std::string client_pki;
  // corpus_dir: keep every distinct server flight (ProbeResult::flights) so
  // the CLI can seed fuzz/corpus/fuzz_tls_records/ from real servers; "" = no.
  std::string corpus_dir;
  int max_retries = 6;                      // per connection, after a 421 greeting
  std::chrono::milliseconds backoff{1000};  // first pause after a 421; doubles, up to 30 s
  std::function<void(const std::string&)> on_progress;  // thread-safe observer
};

// run_probe: the inventory; never throws; a server that cannot be probed at
// all (unreachable, no STARTTLS) gives a result with `error` set.
ProbeResult run_probe(const ProbeOptions& options);

}  // namespace smtpeer::engine
