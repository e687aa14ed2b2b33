// Result: the value of a fallible call, or the Error that stopped it.
//
// No exceptions cross module boundaries (STYLE.md 6). Error categories are
// listed once, in ErrorCode; to_string gives the name used in reports.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace smtpeer {

enum class ErrorCode {
  kUsage,        // bad flag or argument
  kScenario,     // scenario/profile file is malformed (file:line:col in message)
  kIo,           // local file or socket error
  kUnreachable,  // target could not be connected to
  kTimeout,      // a deadline passed
  kClosed,       // the peer closed the connection
  kProtocol,     // bytes that do not parse (only an error for smtpeer's own input)
  kLimit,        // a bound was hit (line length, lines, bytes)
  kTls,          // OpenSSL failed
  kInternal,     // a bug in smtpeer
};

std::string_view to_string(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

// Result<T>: holds either a T or an Error. [[nodiscard]] so that a failure
// cannot be dropped silently.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Status: Result with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : err_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return !err_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *err_; }

 private:
  std::optional<Error> err_;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace smtpeer
