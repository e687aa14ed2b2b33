// run_reference_client: smtpeer's own SMTP submission client, the built-in
// counterpart of the reference server peers (reference_peer.h). The server
// role (`smtpeer run --role server`) needs a client to test; so that the demo
// can show it without curl or swaks installed, smtpeer starts itself as the
// client (`smtpeer reference-client --kind K ...`), which calls this.
//
// The conformant client (ClientFlaw::kNone) does RFC 3207 and RFC 5321 as a
// client that requires TLS should: it never goes on without STARTTLS, never
// acts on bytes that arrived behind the 220, verifies the certificate, forgets
// the pre-TLS capabilities, sends EHLO again and never STARTTLS twice. Each
// flawed kind changes exactly one of those decisions (in the manner of the
// server peers' knobs), so that each server-role scenario meant for it has
// something to catch.
//
// Built on smtpeer's own net/ and tls/ layers, bounded like the rest of
// smtpeer: every reply must be complete within read_timeout, reply lines are
// capped at 4096 bytes and replies at 1000 lines, so a hostile server can
// make it fail (exit 4), never hang or grow without bound.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace smtpeer::engine {

// ClientFlaw: what the reference client does wrong; kNone does nothing wrong.
enum class ClientFlaw {
  kNone,
  // kOpportunistic: goes on in plaintext when STARTTLS is missing, refused or
  // unreachable (EHLO 5xx → HELO), and does not verify certificates (curl --ssl -k).
  kOpportunistic,
  // kNoVerify: requires TLS but accepts any certificate.
  kNoVerify,
  // kActsOnInjection: keeps the bytes that arrived behind the 220 to STARTTLS
  // and reads them as the reply to its EHLO inside TLS (curl CVE-2021-22947 class).
  kActsOnInjection,
  // kReusesPreTlsCaps: picks its AUTH mechanism from the EHLO reply before TLS.
  kReusesPreTlsCaps,
  // kAcceptsLegacyTls: allows TLS 1.0 and OpenSSL security level 0, and does not verify.
  kAcceptsLegacyTls,
  // kPlaintextRetry: after a failed handshake, connects again and delivers in
  // plaintext without STARTTLS (an MTA at TLS level "may" retrying in clear).
  kPlaintextRetry,
};

// ClientFlawInfo: one kind of reference client, as `--kind` names it.
struct ClientFlawInfo {
  ClientFlaw flaw;
  std::string_view name;         // "good", "opportunistic", "no-verify", ...
  std::string_view description;  // one line
};

// client_flaws: every kind, the conformant one first (for the demo and --help).
std::span<const ClientFlawInfo> client_flaws();
// to_string: the kind's name as parse_client_flaw accepts it.
std::string_view to_string(ClientFlaw flaw);
// parse_client_flaw: "good", "opportunistic", "no-verify", "acts-on-injection",
// "reuses-pre-tls-caps", "accepts-legacy-tls", "plaintext-retry"; nullopt otherwise.
std::optional<ClientFlaw> parse_client_flaw(std::string_view name);

// Exit codes of the reference client: few and distinct, so a scenario's
// evidence says how the client ended.
//   kClientDelivered  the server accepted the message
//   kClientRefused    the server refused something: greeting, EHLO 4xx, AUTH,
//                     MAIL, RCPT, DATA
//   kClientNoTls      TLS required and not to be had: STARTTLS missing or
//                     refused, EHLO 5xx, bytes behind the 220 to STARTTLS
//   kClientTlsFailed  the handshake failed (certificate, version, alert) or
//                     TLS could not be set up
//   kClientBroken     the dialogue broke: no connection, timeout, close,
//                     malformed, oversized or unsolicited reply
inline constexpr int kClientDelivered = 0;
inline constexpr int kClientRefused = 1;
inline constexpr int kClientNoTls = 2;
inline constexpr int kClientTlsFailed = 3;
inline constexpr int kClientBroken = 4;

struct ReferenceClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  // server_name: the name the certificate must match; also sent as SNI
  // unless it is an IP literal.
  std::string server_name = "localhost";
  // ca_file: PEM trust anchors; the verifying kinds fail every handshake without it.
  std::string ca_file;
  ClientFlaw flaw = ClientFlaw::kNone;
  std::string user = "u";
  std::string password = "p";
  std::chrono::milliseconds read_timeout{8000};  // per reply (and per connect, per handshake)
  std::string from = "a@example.test";
  std::string to = "b@example.test";
  std::string ehlo_name = "reference-client.smtpeer.invalid";
  // echo: called with each log line as it is written; the CLI prints it at
  // once, so a client killed on a scenario deadline still leaves its log.
  std::function<void(const std::string&)> echo;
};

struct ReferenceClientResult {
  int exit_code = kClientBroken;
  // log: one line per step, like a client's -v output: "> EHLO …", "< 250 …",
  // "TLS: TLSv1.3 …", "* note", "abort: …", and a last "exit N: …" line.
  // Credentials are shown as placeholders. Bounded (64 KiB).
  std::string log;
};

// run_reference_client: one delivery attempt (two connections for
// kPlaintextRetry). Never throws; every outcome is an exit code.
ReferenceClientResult run_reference_client(const ReferenceClientOptions& options);

}  // namespace smtpeer::engine
