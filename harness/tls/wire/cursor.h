// Reader / Writer: a byte cursor for TLS structures (RFC 8446 §3 presentation
// language: big-endian integers, vectors with 8/16/24-bit length prefixes).
//
// Reader advances only on success: a failed read leaves the cursor where it
// was, so a parser can report where a structure went wrong. No I/O, no
// allocation; everything is a view into the caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace smtpeer::tls::wire {

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool u8(std::uint8_t& out) {
    if (in_.size() < 1) return false;
    out = byte(0);
    in_.remove_prefix(1);
    return true;
  }
  bool u16(std::uint16_t& out) {
    if (in_.size() < 2) return false;
    out = static_cast<std::uint16_t>(byte(0) << 8 | byte(1));
    in_.remove_prefix(2);
    return true;
  }
  bool u24(std::uint32_t& out) {
    if (in_.size() < 3) return false;
    out = static_cast<std::uint32_t>(byte(0)) << 16 | static_cast<std::uint32_t>(byte(1)) << 8 |
          byte(2);
    in_.remove_prefix(3);
    return true;
  }
  bool bytes(std::size_t n, std::string_view& out) {
    if (in_.size() < n) return false;
    out = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }
  // prefixed8/16/24: a vector with a length prefix of that many bits; `out`
  // reads its contents. Nothing is consumed unless the whole vector is there.
  bool prefixed8(Reader& out) { return prefixed(1, out); }
  bool prefixed16(Reader& out) { return prefixed(2, out); }
  bool prefixed24(Reader& out) { return prefixed(3, out); }

  std::size_t remaining() const { return in_.size(); }
  bool empty() const { return in_.empty(); }
  std::string_view rest() const { return in_; }

 private:
  std::uint8_t byte(std::size_t i) const { return static_cast<std::uint8_t>(in_[i]); }
  bool prefixed(int width, Reader& out) {
    if (in_.size() < static_cast<std::size_t>(width)) return false;
    std::size_t n = 0;
    for (int i = 0; i < width; ++i) n = n << 8 | byte(static_cast<std::size_t>(i));
    if (in_.size() - static_cast<std::size_t>(width) < n) return false;
    out = Reader(in_.substr(static_cast<std::size_t>(width), n));
    in_.remove_prefix(static_cast<std::size_t>(width) + n);
    return true;
  }
  std::string_view in_;
};

// Writer: appends TLS structures to a string. open8/16/24 reserve a length
// prefix and return its position; close() fills it in once the contents are
// written (nesting is just a stack of positions held by the caller).
class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  }
  void u24(std::uint32_t v) {
    u8(static_cast<std::uint8_t>(v >> 16));
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  }
  void bytes(std::string_view b) { out_.append(b); }

  struct Mark {
    std::size_t at;
    int width;
  };
  Mark open8() { return open(1); }
  Mark open16() { return open(2); }
  Mark open24() { return open(3); }
  // close: writes the length of everything after the mark. Lengths that do
  // not fit the prefix are truncated to it: a builder of hostile hellos may
  // want exactly that, and the caller checks sizes when it does not.
  void close(Mark m) {
    std::size_t n = out_.size() - m.at - static_cast<std::size_t>(m.width);
    for (int i = m.width - 1; i >= 0; --i) {
      out_[m.at + static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
      n >>= 8;
    }
  }

  std::size_t size() const { return out_.size(); }
  const std::string& data() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  Mark open(int width) {
    Mark m{out_.size(), width};
    out_.append(static_cast<std::size_t>(width), '\0');
    return m;
  }
  std::string out_;
};

}  // namespace smtpeer::tls::wire
