// The server role's raw TLS: what a fake server answers to a client's
// ClientHello where OpenSSL 3 will not (C9, C10, C11), and how the client's
// answer to it is read. Pure: the caller does the I/O and brings the
// randomness; every function takes any input.
//
//   read_client_hello      the client's first flight → its ClientHello
//   build_raw_flight       a ServerHello flight with exactly one defect
//   read_client_answer     the client's next records → aborted or went on
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "tls/wire/client_hello.h"

namespace smtpeer::tls::wire {

// RawFlight: a server's first flight with one defect a client must refuse.
enum class RawFlight {
  kExport,  // ServerHello picks a 40-bit export suite (RFC 5246 Appendix A.5; FREAK/Logjam class)
  kFreak,   // an offered RSA suite, then an export RSA ServerKeyExchange (RFC 5246 §7.4.3)
  kTls10,   // ServerHello at TLS 1.0 (RFC 8996 §5)
  kSsl3,    // ServerHello at SSLv3 (RFC 7568 §3)
  kAlert,   // a fatal handshake_failure alert instead of a ServerHello (C11)
};

// parse_raw_flight: "export", "freak", "tls1.0", "sslv3", "alert" (the
// scenario key starttls.raw; "close" and "eof" are not flights).
std::optional<RawFlight> parse_raw_flight(std::string_view name);

// HelloRead: the client's first flight as far as it has arrived.
struct HelloRead {
  enum class State { kNeedMore, kHello, kNotTls };
  State state = State::kNeedMore;
  ClientHelloInfo hello;     // kHello
  std::size_t consumed = 0;  // kHello: bytes of the input the hello took
  std::string error;         // kNotTls: why these bytes are not a ClientHello
};

// read_client_hello: the ClientHello at the start of `in` (TLS records,
// possibly fragmented over several, or an SSLv2-compatible hello).
HelloRead read_client_hello(std::string_view in);

// describe_hello: one line for evidence: "up to TLS 1.3, 31 suites (no
// export), SNI localhost, no TLS_FALLBACK_SCSV".
std::string describe_hello(const ClientHelloInfo& hello);

// FlightPlan: the bytes to write, and what they say, for the verdict.
struct FlightPlan {
  std::string bytes;
  std::string description;  // "ServerHello TLS 1.2, TLS_RSA_EXPORT_WITH_RC4_40_MD5 (offered)"
};

// build_raw_flight: the flight for `kind`, fitted to `hello` so that it has
// no defect but the chosen one where possible (the version is the client's
// best up to TLS 1.2, suites are taken from its offer, renegotiation_info is
// echoed). `cert_der` is the leaf the Certificate message carries.
FlightPlan build_raw_flight(RawFlight kind, const ClientHelloInfo& hello, std::string_view cert_der,
                            const std::array<std::uint8_t, 32>& random);

// ClientAnswer: what the client did after the server's flight.
struct ClientAnswer {
  enum class Kind {
    kNeedMore,   // nothing decisive yet
    kAlert,      // it sent an alert (aborted)
    kWentOn,     // it continued the handshake (ClientKeyExchange, ChangeCipherSpec, …)
    kPlaintext,  // bytes that are not TLS: it went back to SMTP on this connection
  };
  Kind kind = Kind::kNeedMore;
  std::uint8_t alert_level = 0;
  std::uint8_t alert = 0;
  std::string what;          // "fatal alert protocol_version (70)", "client_key_exchange"
  std::size_t consumed = 0;  // TLS bytes taken; plaintext starts here (kPlaintext)
};

// read_client_answer: the first decisive record at the start of `in`.
// Records that decide nothing (a warning alert, an empty record) are skipped.
ClientAnswer read_client_answer(std::string_view in);

}  // namespace smtpeer::tls::wire
