#include "tls/wire/hello_edit.h"

#include "tls/wire/cursor.h"

namespace smtpeer::tls::wire {

std::optional<std::size_t> first_record_size(std::string_view bytes) {
  Reader r(bytes);
  std::uint8_t type = 0;
  std::uint16_t version = 0, length = 0;
  if (!r.u8(type) || !r.u16(version) || !r.u16(length)) return std::nullopt;
  if (type != 22 || (version >> 8) != 3 || r.remaining() < length) return std::nullopt;
  return std::size_t{5} + length;
}

std::optional<std::string> without_suite(std::string_view bytes, std::uint16_t suite) {
  auto size = first_record_size(bytes);
  if (!size) return std::nullopt;
  Reader record(bytes.substr(5, *size - 5));
  std::uint8_t msg_type = 0;
  std::uint32_t msg_len = 0;
  if (!record.u8(msg_type) || msg_type != 1 || !record.u24(msg_len) ||
      record.remaining() != msg_len)
    return std::nullopt;  // not exactly one whole ClientHello in the record
  std::string_view head;  // legacy_version + random
  Reader session_id(""), suites("");
  if (!record.bytes(34, head) || !record.prefixed8(session_id) || !record.prefixed16(suites))
    return std::nullopt;
  std::string_view tail = record.rest();  // compression methods and extensions, unchanged

  Writer out;
  out.u8(22);
  out.bytes(bytes.substr(1, 2));  // the record version as sent
  auto rec_len = out.open16();
  out.u8(1);
  auto hs_len = out.open24();
  out.bytes(head);
  auto sid = out.open8();
  out.bytes(session_id.rest());
  out.close(sid);
  auto list = out.open16();
  std::uint16_t id = 0;
  while (suites.u16(id))
    if (id != suite) out.u16(id);
  out.close(list);
  out.bytes(tail);
  out.close(hs_len);
  out.close(rec_len);
  std::string result = out.take();
  result.append(bytes.substr(*size));
  return result;
}

}  // namespace smtpeer::tls::wire
