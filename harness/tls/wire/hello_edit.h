// without_suite: a ClientHello record with one cipher suite taken out of its
// list, all lengths fixed. The built-in peer that ignores TLS_FALLBACK_SCSV
// (PeerKnobs::ignore_fallback_scsv) hands its TLS stack the edited hello, so
// a stack that honours RFC 7507 behaves like one that does not.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtpeer::tls::wire {

// first_record_size: the size (header included) of the first TLS record of
// `bytes` when it is a complete handshake record, whatever it holds (the
// first record of a hello split over several counts); nullopt when more
// bytes are needed or the bytes do not start with a handshake record.
std::optional<std::size_t> first_record_size(std::string_view bytes);

// without_suite: `bytes` starts with one handshake record holding a whole
// ClientHello (what follows it is kept as is). Returns the bytes with `suite`
// removed from the hello's suite list; nullopt if the first record is not a
// whole ClientHello. A hello without the suite comes back unchanged.
std::optional<std::string> without_suite(std::string_view bytes, std::uint16_t suite);

}  // namespace smtpeer::tls::wire
