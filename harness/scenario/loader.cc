// Scenario and profile loader. toml++ parses the text; this file checks every
// key, type, range and combination against the format of scenarios/README.md
// and reports the first problem as "path:line:col: message". toml++ reports
// syntax errors by throwing (Debian builds it with exceptions on); the throw
// is caught here and never leaves this file.
#include "scenario/loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <utility>

#include "core/ascii.h"
#include "tls/wire/registry.h"

namespace smtpeer::scenario {
namespace {

using Keys = std::span<const std::string_view>;

// kProfileFlags: every policy flag a profile may carry and a condition may
// test. A flag not listed here is an error in both places, so that a typo
// cannot quietly switch a check off.
constexpr std::string_view kProfileFlags[] = {
    "starttls-offered",  // STARTTLS must be advertised in the EHLO reply (S0)
    "tls-required",      // every command but NOOP/EHLO/STARTTLS/QUIT gets 530 before TLS (S15)
    "plaintext-mail-accepted",  // a public MX accepts mail without TLS, RFC 3207 §4 (S15)
    "no-auth-before-tls",       // AUTH PLAIN/LOGIN neither offered nor accepted before TLS (S14)
    // Server role (the target is a client):
    "client-requires-tls",          // the client must not go on in plaintext (C1-C5, C11)
    "client-verifies-certificate",  // the client must refuse a bad certificate (C8)
};

constexpr std::string_view kTlsVersions[] = {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
constexpr std::string_view kRoles[] = {"client", "server"};
constexpr Outcome kOutcomes[] = {Outcome::kPass, Outcome::kFail, Outcome::kSkip, Outcome::kNote,
                                 Outcome::kContinue};
// Directories under a scenario tree that hold other kinds of TOML files.
constexpr std::string_view kNotScenarioDirs[] = {"profiles", "suites"};

struct ActionName {
  std::string_view key;
  StepKind kind;
};
// kActions: the keys that make a [[step]] what it is; a step has exactly one.
constexpr ActionName kActions[] = {
    {"send", StepKind::kSend},
    {"expect", StepKind::kExpect},
    {"expect_silence", StepKind::kSilence},
    {"expect_close", StepKind::kClose},
    {"starttls", StepKind::kStarttls},
    {"reconnect", StepKind::kReconnect},
    {"require", StepKind::kRequire},
};
// kActionOptions: step keys that only mean something next to one action.
constexpr ActionName kActionOptions[] = {
    {"split_at", StepKind::kSend},       {"bytewise", StepKind::kSend},
    {"delay_ms", StepKind::kSend},       {"or", StepKind::kExpect},
    {"timeout_ms", StepKind::kSend},     {"timeout_ms", StepKind::kExpect},
    {"timeout_ms", StepKind::kStarttls}, {"timeout_ms", StepKind::kReconnect},
};

constexpr std::string_view kHeaderKeys[] = {"id",       "title",       "catalogue", "tags",
                                            "clause",   "requirement", "role",      "deadline_ms",
                                            "disabled", "step",        "probe"};
// The rows a probe scenario may stand for (Scenario::probe).
constexpr std::string_view kProbeChecks[] = {"T1", "T2", "T3",  "T4", "T5",
                                             "T6", "T7", "S20", "S21"};
constexpr std::string_view kStepKeys[] = {
    "send",     "expect",   "expect_silence", "expect_close", "starttls", "reconnect",
    "require",  "label",    "when",           "why",          "clause",   "on_mismatch",
    "split_at", "bytewise", "delay_ms",       "timeout_ms",   "or"};
constexpr std::string_view kMatchKeys[] = {
    "code",   "class",   "text", "text_absent", "has_capability", "lacks_capability",
    "closed", "timeout", "any",  "alone",       "command"};
constexpr std::string_view kBranchKeys[] = {
    "code",   "class",   "text", "text_absent", "has_capability", "lacks_capability",
    "closed", "timeout", "any",  "alone",       "command",        "then",
    "why"};
// Server role: the certificates of the test PKI a starttls step may present.
constexpr std::string_view kServerCertificates[] = {
    "good", "wrong-name", "expired", "not-yet-valid", "self-signed", "rsa1024", "sha1", "ecdsa"};
constexpr std::string_view kConditionKeys[] = {"advertised", "not_advertised", "profile_has",
                                               "profile_lacks"};
constexpr std::string_view kTlsKeys[] = {"min_version",    "max_version", "ciphers",
                                         "ciphersuites",   "sni",         "verify",
                                         "security_level", "certificate", "raw"};
// Server role: the raw first flights a starttls step may answer with (TlsOptions::raw).
constexpr std::string_view kRawFlights[] = {"export", "freak", "tls1.0", "sslv3",
                                            "alert",  "close", "eof"};
constexpr std::string_view kSendPartKeys[] = {"hex", "repeat", "count", "tls"};
constexpr std::string_view kProfileKeys[] = {"name", "description", "flags", "min_tls_version",
                                             "tls"};
// The [tls] table of a profile (TlsPolicy) and its [tls.certificate].
constexpr std::string_view kTlsPolicyKeys[] = {
    "versions",    "required_versions", "min_cipher_bits",    "forbid",      "suites",
    "suite_order", "min_dh_bits",       "min_ecdh_bits",      "compression", "secure_renegotiation",
    "heartbeat",   "fallback_scsv",     "client_certificate", "certificate"};
constexpr std::string_view kCertificatePolicyKeys[] = {
    "verify",      "current",     "match_name", "match_banner", "min_rsa_bits",
    "min_ec_bits", "self_signed", "sha1",       "warn_days"};
constexpr std::string_view kProbeVersions[] = {"SSLv2",   "SSLv3",   "TLSv1.0",
                                               "TLSv1.1", "TLSv1.2", "TLSv1.3"};
constexpr std::string_view kSuiteClasses[] = {"export", "null", "anon",   "rc4",
                                              "3des",   "des",  "rsa-kx", "cbc"};

// Bounds (DESIGN.md decision 5): a scenario file is a few KiB; these stop a
// hostile or mistaken file from making the loader or the engine allocate
// without limit. Nesting is bounded in check_nesting, before toml++ parses.
constexpr std::size_t kMaxInputBytes = 1 << 20;
constexpr std::int64_t kMaxRepeatCount = 16777216;
constexpr std::size_t kMaxSendBytes = 16777216;      // one send step
constexpr std::size_t kMaxScenarioBytes = 67108864;  // all send steps of a scenario
constexpr std::int64_t kMaxMs = 3600000;             // any duration: one hour
constexpr std::size_t kMaxSteps = 10000;

std::string join(Keys keys) {
  std::string out;
  for (std::string_view k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

bool contains(Keys keys, std::string_view k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

// shown: `s` made safe to put in a one-line message (keys and values may hold
// any byte).
std::string shown(std::string_view s, std::size_t max = 60) {
  constexpr char kHex[] = "0123456789abcdef";
  // Cut on a character boundary: never half of a UTF-8 sequence.
  std::size_t end = std::min(s.size(), max);
  while (end < s.size() && end > 0 && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80) --end;
  std::string out;
  for (std::size_t i = 0; i < end; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else if (c >= 0x80) {
      out += static_cast<char>(c);  // UTF-8 (toml++ has checked it) reads fine as is
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// is_name: ids, tags and profile names: [a-z0-9-]+.
bool is_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_name_char);
}

// is_catalogue_row: "S0", "T12", "C3" — a row of SCENARIOS.md.
bool is_catalogue_row(std::string_view s) {
  if (s.size() < 2 || s.size() > 4) return false;
  if (s[0] != 'S' && s[0] != 'T' && s[0] != 'C') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// is_keyword: an EHLO keyword (RFC 5321 §4.1.1.1: ALPHA / DIGIT, then also "-").
bool is_keyword(std::string_view s) {
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  return !s.empty() && alnum(s[0]) &&
         std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || c == '-'; });
}

// is_capability: "KEYWORD" or "KEYWORD PARAM" (one parameter, printable ASCII).
bool is_capability(std::string_view s) {
  auto space = s.find(' ');
  if (space == std::string_view::npos) return is_keyword(s);
  std::string_view param = s.substr(space + 1);
  return is_keyword(s.substr(0, space)) && !param.empty() &&
         std::all_of(param.begin(), param.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// decode_hex: "16 03 01 00 05" → bytes. Whitespace separates groups; each
// group is whole bytes (an even number of hex digits), so "1 6" is an error
// rather than a silent 0x16.
std::optional<std::string> decode_hex(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (i < text.size()) {
    if (is_space(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && !is_space(text[end])) ++end;
    if ((end - i) % 2 != 0) return std::nullopt;
    for (; i < end; i += 2) {
      int hi = hex_value(text[i]);
      int lo = hex_value(text[i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// NestingProblem: where check_nesting stopped, and why.
struct NestingProblem {
  toml::source_position at;
  std::string message;
};

// check_nesting: toml++ builds and frees nested tables recursively, and a key
// of some 30 000 dotted parts ("a.a.a...") overflows an 8 MiB stack inside
// toml++ (found by fuzz_scenario_loader). Scenario files nest a few levels,
// so nesting is bounded before toml++ sees the text: at most kMaxDots dots
// outside strings and comments in the whole file (each dotted key or table
// header part is one level), and [ { at most kMaxBracketDepth deep. Strings
// and comments are skipped so that prose in `why` does not count.
std::optional<NestingProblem> check_nesting(std::string_view text) {
  constexpr int kMaxDots = 512;
  constexpr int kMaxBracketDepth = 64;
  enum class State { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  State state = State::kCode;
  int dots = 0;
  int depth = 0;
  std::uint32_t line = 1;
  std::uint32_t column = 0;
  auto starts = [&](std::size_t i, std::string_view s) { return text.substr(i, s.size()) == s; };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      column = 0;
    } else {
      ++column;
    }
    switch (state) {
      case State::kCode:
        if (c == '#') {
          state = State::kComment;
        } else if (c == '"') {
          state = starts(i, "\"\"\"") ? State::kMultiBasic : State::kBasic;
          if (state == State::kMultiBasic) i += 2, column += 2;
        } else if (c == '\'') {
          state = starts(i, "'''") ? State::kMultiLiteral : State::kLiteral;
          if (state == State::kMultiLiteral) i += 2, column += 2;
        } else if (c == '.' && ++dots > kMaxDots) {
          return NestingProblem{{line, column},
                                "too many dotted key parts (more than " + std::to_string(kMaxDots) +
                                    " '.' outside strings): nesting this deep is not a scenario"};
        } else if ((c == '[' || c == '{') && ++depth > kMaxBracketDepth) {
          return NestingProblem{{line, column},
                                "arrays and tables nested more than " +
                                    std::to_string(kMaxBracketDepth) + " levels deep"};
        } else if ((c == ']' || c == '}') && depth > 0) {
          --depth;
        }
        break;
      case State::kComment:
        if (c == '\n') state = State::kCode;
        break;
      case State::kBasic:
        if (c == '\\') {
          ++i, ++column;  // the escaped character cannot end the string
        } else if (c == '"' || c == '\n') {
          state = State::kCode;  // an unterminated string is toml++'s error to report
        }
        break;
      case State::kLiteral:
        if (c == '\'' || c == '\n') state = State::kCode;
        break;
      case State::kMultiBasic:
        if (c == '\\') {
          ++i, ++column;
        } else if (starts(i, "\"\"\"")) {
          // A closing delimiter may carry one or two quotes of content
          // before it: consume the whole run of quotes (3 to 5).
          state = State::kCode;
          i += 2, column += 2;
          for (int extra = 0; extra < 2 && i + 1 < text.size() && text[i + 1] == '"'; ++extra)
            ++i, ++column;
        }
        break;
      case State::kMultiLiteral:
        if (starts(i, "'''")) {
          state = State::kCode;
          i += 2, column += 2;
          for (int extra = 0; extra < 2 && i + 1 < text.size() && text[i + 1] == '\''; ++extra)
            ++i, ++column;
        }
        break;
    }
  }
  return std::nullopt;
}

// in_file_order: the keys of `t` as the reader meets them. toml++ iterates a
// table sorted by key; messages should name the first problem in the file.
std::vector<const toml::key*> in_file_order(const toml::table& t) {
  std::vector<const toml::key*> keys;
  for (auto it = t.begin(); it != t.end(); ++it) keys.push_back(&it->first);
  std::stable_sort(keys.begin(), keys.end(), [](const toml::key* a, const toml::key* b) {
    auto pa = a->source().begin;
    auto pb = b->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return keys;
}

// Reader: turns a parsed TOML table into the model, recording the first
// error. Every check returns false after recording, so callers can
// `return fail(...)`.
class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  Error take_error() { return std::move(*error_); }

  bool fail(toml::source_position pos, const std::string& message) {
    if (!error_) error_ = make_error(ErrorCode::kScenario, where(pos) + ": " + message);
    return false;
  }
  bool fail(const toml::node& n, const std::string& message) {
    return fail(n.source().begin, message);
  }

  std::string where(toml::source_position pos) const {
    // toml++ counts from 1; 0 only for nodes it did not read from the text.
    return path_ + ":" + std::to_string(std::max<std::uint32_t>(pos.line, 1)) + ":" +
           std::to_string(std::max<std::uint32_t>(pos.column, 1));
  }

  // parse: the TOML text, or nullopt after recording toml++'s error.
  std::optional<toml::table> parse(std::string_view text) {
    if (text.size() > kMaxInputBytes) {
      fail(toml::source_position{1, 1}, "file is too large (" + std::to_string(text.size()) +
                                            " bytes; the limit is " +
                                            std::to_string(kMaxInputBytes) + ")");
      return std::nullopt;
    }
    if (auto problem = check_nesting(text)) {
      fail(problem->at, problem->message);
      return std::nullopt;
    }
    try {
      return toml::parse(text, std::string_view(path_));
    } catch (const toml::parse_error& e) {
      // toml++ quotes the offending character as is, which may be a
      // newline; messages stay on one line.
      fail(e.source().begin, "TOML syntax: " + shown(e.description(), 400));
      return std::nullopt;
    }
  }

  bool known_keys(const toml::table& t, Keys allowed, std::string_view where) {
    for (const toml::key* k : in_file_order(t)) {
      if (!contains(allowed, k->str())) {
        return fail(k->source().begin, "unknown key '" + shown(k->str()) + "' in " +
                                           std::string(where) +
                                           " (expected one of: " + join(allowed) + ")");
      }
    }
    return true;
  }

  // required: the node under `key`, or nullptr after an error at the table.
  const toml::node* required(const toml::table& t, std::string_view key, std::string_view where) {
    const toml::node* n = t.get(key);
    if (n == nullptr)
      fail(t, "missing required key '" + std::string(key) + "' in " + std::string(where));
    return n;
  }

  bool string(const toml::node& n, std::string_view key, std::string& out,
              bool allow_empty = false) {
    const auto* s = n.as_string();
    if (s == nullptr) {
      return fail(n, "'" + std::string(key) + "' must be a string (found " +
                         std::string(type_name(n)) + ")");
    }
    if (!allow_empty && s->get().empty())
      return fail(n, "'" + std::string(key) + "' must not be empty");
    out = s->get();
    return true;
  }

  bool integer(const toml::node& n, std::string_view key, std::int64_t lo, std::int64_t hi,
               int& out) {
    const auto* i = n.as_integer();
    std::string expected = "'" + std::string(key) + "' must be an integer " + std::to_string(lo) +
                           ".." + std::to_string(hi);
    if (i == nullptr) return fail(n, expected + " (found " + std::string(type_name(n)) + ")");
    if (i->get() < lo || i->get() > hi)
      return fail(n, expected + " (found " + std::to_string(i->get()) + ")");
    out = static_cast<int>(i->get());
    return true;
  }

  bool boolean(const toml::node& n, std::string_view key, bool& out) {
    const auto* b = n.as_boolean();
    if (b == nullptr) {
      return fail(n, "'" + std::string(key) + "' must be true or false (found " +
                         std::string(type_name(n)) + ")");
    }
    out = b->get();
    return true;
  }

  // one_of: a string that must be one of `choices`.
  bool one_of(const toml::node& n, std::string_view key, Keys choices, std::string& out) {
    if (!string(n, key, out, true)) return false;
    if (!contains(choices, out)) {
      return fail(n, "'" + std::string(key) + "' must be one of: " + join(choices) + " (found '" +
                         shown(out) + "')");
    }
    return true;
  }

  // strings: "x" or ["x", "y"]; `check` validates each element and returns
  // an error message, empty when fine.
  template <typename Check>
  bool strings(const toml::node& n, std::string_view key, std::vector<std::string>& out,
               bool allow_empty, Check check) {
    std::string expected = "'" + std::string(key) + "' must be a string or an array of strings";
    auto add = [&](const toml::node& e) {
      const auto* s = e.as_string();
      if (s == nullptr) return fail(e, expected + " (found " + std::string(type_name(e)) + ")");
      std::string problem = check(s->get());
      if (!problem.empty()) return fail(e, problem);
      out.push_back(s->get());
      return true;
    };
    if (const auto* a = n.as_array()) {
      if (a->empty() && !allow_empty)
        return fail(n, "'" + std::string(key) + "' must not be empty");
      for (const toml::node& e : *a) {
        if (!add(e)) return false;
      }
      return true;
    }
    if (n.is_string()) return add(n);
    return fail(n, expected + " (found " + std::string(type_name(n)) + ")");
  }

  // integers: 250 or [250, 251], each lo..hi.
  bool integers(const toml::node& n, std::string_view key, std::int64_t lo, std::int64_t hi,
                std::vector<int>& out) {
    std::string expected = "'" + std::string(key) + "' must be an integer " + std::to_string(lo) +
                           ".." + std::to_string(hi) + " or an array of them";
    auto add = [&](const toml::node& e) {
      const auto* i = e.as_integer();
      if (i == nullptr) return fail(e, expected + " (found " + std::string(type_name(e)) + ")");
      if (i->get() < lo || i->get() > hi) {
        return fail(e, expected + " (found " + std::to_string(i->get()) + ")");
      }
      out.push_back(static_cast<int>(i->get()));
      return true;
    };
    if (const auto* a = n.as_array()) {
      if (a->empty()) return fail(n, expected + " (found an empty array)");
      for (const toml::node& e : *a) {
        if (!add(e)) return false;
      }
      return true;
    }
    return add(n);
  }

  bool outcome(const toml::node& n, std::string_view key, Outcome& out) {
    std::string name;
    if (!string(n, key, name, true)) return false;
    for (Outcome o : kOutcomes) {
      if (to_string(o) == name) {
        out = o;
        return true;
      }
    }
    return fail(n, "'" + std::string(key) +
                       "' must be one of: pass, fail, skip, note, continue (found '" + shown(name) +
                       "')");
  }

  bool scenario(const toml::table& root, Scenario& sc);
  bool profile(const toml::table& root, Profile& p);
  bool tls_policy(const toml::node& n, TlsPolicy& t);
  bool roles_fit(const Scenario& sc);
  bool certificate_policy(const toml::node& n, CertificatePolicy& c);

 private:
  bool step(const toml::table& t, Step& s);
  bool condition(const toml::node& n, std::string_view key, Condition& c);
  bool send(const toml::node& n, Step& s);
  bool send_part(const toml::table& t, Step& s, bool& has_hello);
  bool write_plan(const toml::table& t, Step& s);
  bool match(const toml::table& t, std::string_view where, Match& m);
  bool tls(const toml::node& n, TlsOptions& o);

  std::string path_;
  std::optional<Error> error_;
};

bool Reader::scenario(const toml::table& root, Scenario& sc) {
  if (!known_keys(root, kHeaderKeys, "the scenario header")) return false;
  constexpr std::string_view kWhere = "the scenario header";

  const toml::node* n = required(root, "id", kWhere);
  if (n == nullptr || !string(*n, "id", sc.id)) return false;
  if (!is_name(sc.id)) {
    return fail(*n,
                "'id' must be lower-case letters, digits and '-' (found '" + shown(sc.id) + "')");
  }
  sc.id_line = static_cast<int>(n->source().begin.line);
  sc.id_column = static_cast<int>(n->source().begin.column);

  if ((n = required(root, "title", kWhere)) == nullptr || !string(*n, "title", sc.title))
    return false;
  if ((n = required(root, "catalogue", kWhere)) == nullptr) return false;
  if (!strings(*n, "catalogue", sc.catalogue, false, [](const std::string& row) {
        return is_catalogue_row(row) ? std::string()
                                     : "'catalogue' rows look like S1, T2 or C3 (rows of "
                                       "SCENARIOS.md; found '" +
                                           shown(row) + "')";
      })) {
    return false;
  }
  if ((n = root.get("tags")) != nullptr &&
      !strings(*n, "tags", sc.tags, true, [](const std::string& tag) {
        return is_name(tag)
                   ? std::string()
                   : "tags are lower-case letters, digits and '-' (found '" + shown(tag) + "')";
      })) {
    return false;
  }
  if ((n = required(root, "clause", kWhere)) == nullptr || !string(*n, "clause", sc.clause))
    return false;
  if ((n = required(root, "requirement", kWhere)) == nullptr ||
      !string(*n, "requirement", sc.requirement)) {
    return false;
  }
  if ((n = root.get("role")) != nullptr && !one_of(*n, "role", kRoles, sc.role)) return false;
  if ((n = root.get("deadline_ms")) != nullptr &&
      !integer(*n, "deadline_ms", 1, kMaxMs, sc.deadline_ms)) {
    return false;
  }
  if ((n = root.get("disabled")) != nullptr && !string(*n, "disabled", sc.disabled)) return false;

  if ((n = root.get("probe")) != nullptr) {
    if (!one_of(*n, "probe", kProbeChecks, sc.probe)) return false;
    if (const toml::node* st = root.get("step"); st != nullptr)
      return fail(*st, "a scenario with 'probe' is judged from the TLS inventory and has no steps");
    return true;
  }
  if ((n = required(root, "step", kWhere)) == nullptr) return false;
  const auto* steps = n->as_array();
  if (steps == nullptr || !steps->is_array_of_tables() || steps->empty()) {
    return fail(*n, "'step' must be an array of tables: write each step as [[step]] (found " +
                        std::string(type_name(*n)) + ")");
  }
  if (steps->size() > kMaxSteps) {
    return fail(*n, "too many steps (" + std::to_string(steps->size()) + "; the limit is " +
                        std::to_string(kMaxSteps) + ")");
  }
  std::size_t total_bytes = 0;
  for (const toml::node& e : *steps) {
    Step s;
    if (!step(*e.as_table(), s)) return false;
    for (const SendPart& p : s.parts) total_bytes += p.bytes.size();
    if (total_bytes > kMaxScenarioBytes) {
      return fail(
          e, "the scenario sends more than " + std::to_string(kMaxScenarioBytes) + " bytes in all");
    }
    sc.steps.push_back(std::move(s));
  }

  // A ClientHello part is the first flight of a later starttls step, so
  // there must be one for the engine to take it from.
  for (std::size_t i = 0; i < sc.steps.size(); ++i) {
    const Step& s = sc.steps[i];
    bool hello = std::any_of(s.parts.begin(), s.parts.end(), [](const SendPart& p) {
      return p.kind == SendPart::Kind::kClientHello;
    });
    if (!hello) continue;
    bool later = std::any_of(sc.steps.begin() + static_cast<std::ptrdiff_t>(i) + 1, sc.steps.end(),
                             [](const Step& t) { return t.kind == StepKind::kStarttls; });
    if (!later) {
      return fail(
          toml::source_position{static_cast<std::uint32_t>(s.line), 1},
          "a { tls = \"client_hello\" } part needs a later starttls step (its ClientHello is "
          "what is sent)");
    }
  }
  return roles_fit(sc);
}

// roles_fit: a server-role scenario reads the client's commands and plays the
// server's side of TLS; a client-role one reads replies. Keys of the other
// role are errors, not silently ignored (STYLE.md 8).
bool Reader::roles_fit(const Scenario& sc) {
  const bool server = sc.role == "server";
  auto at = [](const Step& st) {
    return toml::source_position{static_cast<std::uint32_t>(st.line), 1};
  };
  auto reply_keys = [](const Match& m) {
    return !m.codes.empty() || !m.classes.empty() || m.text || m.text_absent ||
           !m.has_capability.empty() || !m.lacks_capability.empty() || m.alone;
  };
  for (const Step& st : sc.steps) {
    std::vector<const Match*> matches{&st.expect};
    for (const Branch& b : st.alternatives) matches.push_back(&b.match);
    for (const Match* m : matches) {
      if (server && reply_keys(*m))
        return fail(at(st),
                    "in a server-role scenario 'expect' reads the client's command: use "
                    "'command', 'closed', 'timeout' or 'any' (reply keys such as 'code' are for "
                    "role = \"client\")");
      if (!server && !m->commands.empty())
        return fail(at(st), "'command' matches what a client sends: it needs role = \"server\"");
    }
    if (!server && !st.tls.raw.empty())
      return fail(at(st),
                  "'raw' answers the client's ClientHello as a server: it needs role = \"server\"");
    if (server && st.kind == StepKind::kStarttls && !st.tls.raw.empty() &&
        (!st.tls.min_version.empty() || !st.tls.max_version.empty() || !st.tls.ciphers.empty() ||
         !st.tls.ciphersuites.empty() || st.tls.security_level >= 0)) {
      return fail(at(st),
                  "'raw' sends a fixed flight: versions, ciphers and security_level do not "
                  "apply to it");
    }
    if (server && std::any_of(st.parts.begin(), st.parts.end(), [](const SendPart& p) {
          return p.kind == SendPart::Kind::kClientHello;
        }))
      return fail(at(st),
                  "a { tls = \"client_hello\" } part is the client's; this scenario is "
                  "the server");
    if (!server && !st.tls.certificate.empty())
      return fail(at(st),
                  "'certificate' chooses what smtpeer presents as a server: it needs "
                  "role = \"server\"");
  }
  return true;
}

bool Reader::step(const toml::table& t, Step& s) {
  if (!known_keys(t, kStepKeys, "[[step]]")) return false;
  s.line = static_cast<int>(t.source().begin.line);

  const toml::key* action = nullptr;
  for (const toml::key* k : in_file_order(t)) {
    auto it = std::find_if(std::begin(kActions), std::end(kActions),
                           [&](const ActionName& a) { return a.key == k->str(); });
    if (it == std::end(kActions)) continue;
    if (action != nullptr) {
      return fail(k->source().begin, "a [[step]] has exactly one action, this one has both '" +
                                         std::string(action->str()) + "' and '" +
                                         std::string(k->str()) + "'");
    }
    action = k;
    s.kind = it->kind;
  }
  if (action == nullptr) {
    std::vector<std::string_view> names;
    for (const ActionName& a : kActions) names.push_back(a.key);
    return fail(t, "a [[step]] needs one action key (one of: " + join(names) + "); found none");
  }
  for (const toml::key* k : in_file_order(t)) {
    std::vector<std::string_view> owners;
    bool fits = false;
    for (const ActionName& o : kActionOptions) {
      if (o.key != k->str()) continue;
      owners.push_back(to_string(o.kind));
      fits = fits || o.kind == s.kind;
    }
    if (!owners.empty() && !fits) {
      return fail(k->source().begin, "'" + std::string(k->str()) + "' does not apply to a '" +
                                         std::string(to_string(s.kind)) +
                                         "' step (only to: " + join(owners) + ")");
    }
  }

  const toml::node* n = nullptr;
  if ((n = t.get("label")) != nullptr && !string(*n, "label", s.label)) return false;
  if ((n = t.get("why")) != nullptr && !string(*n, "why", s.why)) return false;
  if ((n = t.get("clause")) != nullptr) {
    std::string clause;
    if (!string(*n, "clause", clause)) return false;
    s.clause = std::move(clause);
  }
  if ((n = t.get("when")) != nullptr && !condition(*n, "when", s.when)) return false;
  // A false `require` means "does not apply": skip unless the file says otherwise.
  s.on_mismatch = s.kind == StepKind::kRequire ? Outcome::kSkip : Outcome::kFail;
  if ((n = t.get("on_mismatch")) != nullptr && !outcome(*n, "on_mismatch", s.on_mismatch))
    return false;
  if ((n = t.get("timeout_ms")) != nullptr && !integer(*n, "timeout_ms", 1, kMaxMs, s.timeout_ms)) {
    return false;
  }

  const toml::node& v = *t.get(action->str());
  switch (s.kind) {
    case StepKind::kSend: return send(v, s) && write_plan(t, s);
    case StepKind::kExpect: {
      const auto* m = v.as_table();
      if (m == nullptr) {
        return fail(v, "'expect' must be a table of match keys, e.g. { code = 250 } (found " +
                           std::string(type_name(v)) + ")");
      }
      if (!known_keys(*m, kMatchKeys, "'expect'") || !match(*m, "'expect'", s.expect)) return false;
      if ((n = t.get("or")) == nullptr) return true;
      const auto* alts = n->as_array();
      if (alts == nullptr || !alts->is_array_of_tables() || alts->empty()) {
        return fail(
            *n, "'or' must be an array of tables, e.g. or = [ { class = 5, then = \"pass\" } ]");
      }
      for (const toml::node& e : *alts) {
        const toml::table& a = *e.as_table();
        Branch b;
        if (!known_keys(a, kBranchKeys, "an 'or' alternative") ||
            !match(a, "an 'or' alternative", b.match)) {
          return false;
        }
        if ((n = a.get("then")) != nullptr && !outcome(*n, "then", b.then)) return false;
        if ((n = a.get("why")) != nullptr && !string(*n, "why", b.why)) return false;
        s.alternatives.push_back(std::move(b));
      }
      return true;
    }
    case StepKind::kSilence: return integer(v, "expect_silence", 1, kMaxMs, s.silence_ms);
    case StepKind::kClose: return integer(v, "expect_close", 1, kMaxMs, s.timeout_ms);
    case StepKind::kStarttls: return tls(v, s.tls);
    case StepKind::kReconnect: {
      bool yes = false;
      if (!boolean(v, "reconnect", yes)) return false;
      // Client role: open a new connection. Server role: wait up to
      // timeout_ms for the client to connect again (a retry).
      return yes || fail(v, "'reconnect' must be true (leave the step out otherwise)");
    }
    case StepKind::kRequire: return condition(v, "require", s.require);
  }
  return fail(t, "internal: unhandled step kind");
}

bool Reader::condition(const toml::node& n, std::string_view key, Condition& c) {
  const auto* t = n.as_table();
  if (t == nullptr) {
    return fail(n, "'" + std::string(key) + "' must be a table with any of: " +
                       join(kConditionKeys) + " (found " + std::string(type_name(n)) + ")");
  }
  if (!known_keys(*t, kConditionKeys, "'" + std::string(key) + "'")) return false;
  auto keyword = [](const std::string& k) {
    return is_capability(k) ? std::string()
                            : "an EHLO keyword is letters, digits and '-', optionally followed by "
                              "one parameter (found '" +
                                  shown(k) + "')";
  };
  auto flag = [](const std::string& f) {
    return contains(kProfileFlags, f) ? std::string()
                                      : "unknown profile flag '" + shown(f) +
                                            "' (expected one of: " + join(kProfileFlags) + ")";
  };
  const toml::node* v = nullptr;
  if ((v = t->get("advertised")) != nullptr &&
      !strings(*v, "advertised", c.advertised, false, keyword)) {
    return false;
  }
  if ((v = t->get("not_advertised")) != nullptr &&
      !strings(*v, "not_advertised", c.not_advertised, false, keyword)) {
    return false;
  }
  if ((v = t->get("profile_has")) != nullptr &&
      !strings(*v, "profile_has", c.profile_has, false, flag)) {
    return false;
  }
  if ((v = t->get("profile_lacks")) != nullptr &&
      !strings(*v, "profile_lacks", c.profile_lacks, false, flag)) {
    return false;
  }
  if (c.empty()) {
    return fail(n, "'" + std::string(key) + "' needs at least one of: " + join(kConditionKeys));
  }
  return true;
}

bool Reader::send(const toml::node& n, Step& s) {
  auto add_bytes = [&](std::string_view bytes) {
    if (s.parts.empty() || s.parts.back().kind != SendPart::Kind::kBytes) {
      s.parts.push_back(SendPart{SendPart::Kind::kBytes, {}});
    }
    s.parts.back().bytes += bytes;
  };
  bool has_hello = false;
  if (const auto* str = n.as_string()) {
    add_bytes(str->get());
  } else if (const auto* a = n.as_array()) {
    for (const toml::node& e : *a) {
      if (const auto* part = e.as_string()) {
        add_bytes(part->get());
      } else if (const auto* t = e.as_table()) {
        if (!send_part(*t, s, has_hello)) return false;
      } else {
        return fail(e,
                    "a send part must be a string or a table ({ hex = \"..\" }, { repeat = \"..\", "
                    "count = N } or { tls = \"client_hello\" }); found " +
                        std::string(type_name(e)));
      }
      std::size_t size = 0;
      for (const SendPart& p : s.parts) size += p.bytes.size();
      if (size > kMaxSendBytes) {
        return fail(e, "one send may hold at most " + std::to_string(kMaxSendBytes) + " bytes");
      }
    }
  } else {
    return fail(n, "'send' must be a string or an array of parts (found " +
                       std::string(type_name(n)) + ")");
  }
  if (s.parts.empty() || (!has_hello && s.parts.size() == 1 && s.parts[0].bytes.empty())) {
    return fail(n, "'send' sends nothing");
  }
  return true;
}

bool Reader::send_part(const toml::table& t, Step& s, bool& has_hello) {
  if (!known_keys(t, kSendPartKeys, "a send part")) return false;
  int kinds =
      (t.contains("hex") ? 1 : 0) + (t.contains("repeat") ? 1 : 0) + (t.contains("tls") ? 1 : 0);
  if (kinds != 1) {
    return fail(t, "a send part table has exactly one of 'hex', 'repeat' (with 'count') or 'tls'");
  }
  auto append = [&](std::string bytes) {
    if (s.parts.empty() || s.parts.back().kind != SendPart::Kind::kBytes) {
      s.parts.push_back(SendPart{SendPart::Kind::kBytes, {}});
    }
    s.parts.back().bytes += bytes;
  };
  if (const toml::node* n = t.get("hex")) {
    if (t.contains("count"))
      return fail(*t.get("count"), "'count' goes with 'repeat', not with 'hex'");
    std::string text;
    if (!string(*n, "hex", text)) return false;
    auto bytes = decode_hex(text);
    if (!bytes) {
      return fail(*n, "bad hex '" + shown(text) +
                          "': write whole bytes as pairs of hex digits, separated by spaces if you "
                          "like (e.g. \"16 03 01 00 05\")");
    }
    append(std::move(*bytes));
    return true;
  }
  if (const toml::node* n = t.get("tls")) {
    if (t.contains("count"))
      return fail(*t.get("count"), "'count' goes with 'repeat', not with 'tls'");
    std::string what;
    if (!string(*n, "tls", what, true)) return false;
    if (what != "client_hello")
      return fail(*n, "'tls' must be \"client_hello\" (found '" + shown(what) + "')");
    if (has_hello) return fail(t, "a send holds at most one { tls = \"client_hello\" } part");
    has_hello = true;
    s.parts.push_back(SendPart{SendPart::Kind::kClientHello, {}});
    return true;
  }
  const toml::node* n = t.get("repeat");
  std::string unit;
  if (!string(*n, "repeat", unit)) return false;
  const toml::node* c = required(t, "count", "a { repeat } send part");
  int count = 0;
  if (c == nullptr || !integer(*c, "count", 1, kMaxRepeatCount, count)) return false;
  if (unit.size() * static_cast<std::size_t>(count) > kMaxSendBytes) {
    return fail(*c,
                "'repeat' x 'count' makes more than " + std::to_string(kMaxSendBytes) + " bytes");
  }
  std::string bytes;
  if (unit.size() == 1) {
    bytes.assign(static_cast<std::size_t>(count), unit[0]);
  } else {
    bytes.reserve(unit.size() * static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) bytes += unit;
  }
  append(std::move(bytes));
  return true;
}

bool Reader::write_plan(const toml::table& t, Step& s) {
  std::size_t total = 0;
  bool has_hello = false;
  for (const SendPart& p : s.parts) {
    total += p.bytes.size();
    has_hello = has_hello || p.kind == SendPart::Kind::kClientHello;
  }
  if (const toml::node* n = t.get("bytewise")) {
    if (!boolean(*n, "bytewise", s.plan.bytewise)) return false;
    if (s.plan.bytewise && t.contains("split_at")) {
      return fail(
          *n, "'split_at' and 'bytewise' exclude each other (bytewise already splits everywhere)");
    }
  }
  if (const toml::node* n = t.get("split_at")) {
    std::string expected = "'split_at' must be an array of ascending byte offsets inside the send";
    const auto* a = n->as_array();
    if (a == nullptr || a->empty()) return fail(*n, expected);
    std::size_t previous = 0;
    for (const toml::node& e : *a) {
      const auto* i = e.as_integer();
      if (i == nullptr) return fail(e, expected + " (found " + std::string(type_name(e)) + ")");
      std::int64_t at = i->get();
      // Offsets count the whole write; a ClientHello's length is only known
      // when the engine builds it, so the upper bound is checked there.
      bool inside = at > 0 && (has_hello ? at <= static_cast<std::int64_t>(kMaxSendBytes)
                                         : at < static_cast<std::int64_t>(total));
      if (!inside || static_cast<std::size_t>(at) <= previous) {
        return fail(
            e, expected + " (offset " + std::to_string(at) +
                   (static_cast<std::size_t>(at) <= previous && at > 0
                        ? " is not above the one before it)"
                        : " is outside 1.." + std::to_string(total > 0 ? total - 1 : 0) + ")"));
      }
      previous = static_cast<std::size_t>(at);
      s.plan.split_at.push_back(previous);
    }
  }
  if (const toml::node* n = t.get("delay_ms")) {
    if (!integer(*n, "delay_ms", 0, kMaxMs, s.plan.delay_ms)) return false;
    if (s.plan.delay_ms > 0 && s.plan.split_at.empty() && !s.plan.bytewise) {
      return fail(*n, "'delay_ms' needs 'split_at' or 'bytewise': it is the pause between writes");
    }
  }
  return true;
}

bool Reader::match(const toml::table& t, std::string_view where, Match& m) {
  const toml::node* n = nullptr;
  if ((n = t.get("code")) != nullptr && !integers(*n, "code", 200, 599, m.codes)) return false;
  if ((n = t.get("class")) != nullptr && !integers(*n, "class", 2, 5, m.classes)) return false;
  std::string text;
  if ((n = t.get("text")) != nullptr) {
    if (!string(*n, "text", text)) return false;
    m.text = text;
  }
  if ((n = t.get("text_absent")) != nullptr) {
    if (!string(*n, "text_absent", text)) return false;
    m.text_absent = text;
  }
  auto capability = [](const std::string& c) {
    return is_capability(c)
               ? std::string()
               : "a capability is \"KEYWORD\" or \"KEYWORD PARAM\", e.g. \"AUTH PLAIN\" "
                 "(found '" +
                     shown(c) + "')";
  };
  if ((n = t.get("has_capability")) != nullptr &&
      !strings(*n, "has_capability", m.has_capability, false, capability)) {
    return false;
  }
  if ((n = t.get("lacks_capability")) != nullptr &&
      !strings(*n, "lacks_capability", m.lacks_capability, false, capability)) {
    return false;
  }
  struct Flag {
    std::string_view key;
    bool* out;
  };
  for (Flag f : {Flag{"closed", &m.closed}, Flag{"timeout", &m.timeout}, Flag{"any", &m.any},
                 Flag{"alone", &m.alone}}) {
    if ((n = t.get(f.key)) != nullptr && !boolean(*n, f.key, *f.out)) return false;
  }

  if ((n = t.get("command")) != nullptr &&
      !strings(*n, "command", m.commands, false, [](const std::string& c) {
        // A verb, optionally with its first argument ("AUTH PLAIN").
        auto space = c.find(' ');
        bool ok = is_keyword(c.substr(0, space)) &&
                  (space == std::string::npos ||
                   (space + 1 < c.size() && c.find(' ', space + 1) == std::string::npos));
        return ok ? std::string()
                  : "a command is an SMTP verb such as \"EHLO\", optionally with its first "
                    "argument (\"AUTH PLAIN\") (found '" +
                        shown(c) + "')";
      })) {
    return false;
  }
  bool constrains_reply = !m.codes.empty() || !m.classes.empty() || m.text || m.text_absent ||
                          !m.has_capability.empty() || !m.lacks_capability.empty() ||
                          !m.commands.empty();
  if (!m.codes.empty() && !m.classes.empty()) {
    return fail(*t.get("class"),
                "'code' and 'class' exclude each other: list the codes, or the classes");
  }
  if (m.closed && m.timeout) {
    return fail(*t.get("timeout"),
                "'closed' and 'timeout' exclude each other: use an 'or' alternative");
  }
  if ((m.closed || m.timeout) && (constrains_reply || m.any || m.alone)) {
    return fail(t, std::string(m.closed ? "'closed'" : "'timeout'") +
                       " matches the absence of a reply; it cannot be combined with reply keys");
  }
  if (m.any && constrains_reply) {
    return fail(*t.get("any"),
                "'any' matches every reply; it cannot be combined with other reply keys");
  }
  if (!constrains_reply && !m.any && !m.closed && !m.timeout) {
    // `alone` only qualifies a reply that something else matched.
    return fail(t, std::string(where) + " needs at least one match key besides 'alone' (" +
                       join(kMatchKeys) + ")");
  }
  return true;
}

bool Reader::tls(const toml::node& n, TlsOptions& o) {
  const auto* t = n.as_table();
  if (t == nullptr) {
    return fail(n, "'starttls' must be a table (starttls = {} for the defaults; found " +
                       std::string(type_name(n)) + ")");
  }
  if (!known_keys(*t, kTlsKeys, "'starttls'")) return false;
  const toml::node* v = nullptr;
  if ((v = t->get("min_version")) != nullptr &&
      !one_of(*v, "min_version", kTlsVersions, o.min_version)) {
    return false;
  }
  if ((v = t->get("max_version")) != nullptr &&
      !one_of(*v, "max_version", kTlsVersions, o.max_version)) {
    return false;
  }
  auto rank = [](const std::string& version) {
    return std::find(std::begin(kTlsVersions), std::end(kTlsVersions), version) -
           std::begin(kTlsVersions);
  };
  if (!o.min_version.empty() && !o.max_version.empty() &&
      rank(o.min_version) > rank(o.max_version)) {
    return fail(*v, "'max_version' " + o.max_version + " is below 'min_version' " + o.min_version);
  }
  if ((v = t->get("ciphers")) != nullptr && !string(*v, "ciphers", o.ciphers)) return false;
  if ((v = t->get("ciphersuites")) != nullptr && !string(*v, "ciphersuites", o.ciphersuites))
    return false;
  if ((v = t->get("sni")) != nullptr) {
    std::string sni;  // may be empty: an empty SNI is itself a test (S20)
    if (!string(*v, "sni", sni, true)) return false;
    o.sni = std::move(sni);
  }
  if ((v = t->get("verify")) != nullptr && !boolean(*v, "verify", o.verify)) return false;
  if ((v = t->get("certificate")) != nullptr &&
      !one_of(*v, "certificate", kServerCertificates, o.certificate)) {
    return false;
  }
  if ((v = t->get("security_level")) != nullptr &&
      !integer(*v, "security_level", 0, 5, o.security_level)) {
    return false;
  }
  if ((v = t->get("raw")) != nullptr && !one_of(*v, "raw", kRawFlights, o.raw)) return false;
  return true;
}

bool Reader::profile(const toml::table& root, Profile& p) {
  constexpr std::string_view kWhere = "the profile";
  if (!known_keys(root, kProfileKeys, kWhere)) return false;
  const toml::node* n = required(root, "name", kWhere);
  if (n == nullptr || !string(*n, "name", p.name)) return false;
  std::string stem = std::filesystem::path(path_).stem().string();
  if (p.name != stem) {
    return fail(*n, "profile name '" + shown(p.name) + "' does not match the file name '" +
                        shown(stem) + ".toml' (they must be equal)");
  }
  if ((n = required(root, "description", kWhere)) == nullptr ||
      !string(*n, "description", p.description)) {
    return false;
  }
  if ((n = root.get("flags")) != nullptr &&
      !strings(*n, "flags", p.flags, true, [](const std::string& f) {
        return contains(kProfileFlags, f) ? std::string()
                                          : "unknown profile flag '" + shown(f) +
                                                "' (expected one of: " + join(kProfileFlags) + ")";
      })) {
    return false;
  }
  if ((n = root.get("min_tls_version")) != nullptr &&
      !one_of(*n, "min_tls_version", kTlsVersions, p.min_tls_version)) {
    return false;
  }
  if ((n = root.get("tls")) != nullptr && !tls_policy(*n, p.tls)) return false;
  return true;
}

bool Reader::tls_policy(const toml::node& n, TlsPolicy& t) {
  const auto* table = n.as_table();
  if (table == nullptr)
    return fail(n, "'tls' must be a table ([tls]; found " + std::string(type_name(n)) + ")");
  if (!known_keys(*table, kTlsPolicyKeys, "[tls]")) return false;
  t.present = true;
  auto one_of_list = [](Keys choices, std::string_view what) {
    return [choices, what](const std::string& v) {
      return contains(choices, v) ? std::string()
                                  : "unknown " + std::string(what) + " '" + shown(v) +
                                        "' (expected one of: " + join(choices) + ")";
    };
  };
  const toml::node* v = nullptr;
  if ((v = table->get("versions")) != nullptr &&
      !strings(*v, "versions", t.versions, false, one_of_list(kProbeVersions, "version"))) {
    return false;
  }
  if ((v = table->get("required_versions")) != nullptr &&
      !strings(*v, "required_versions", t.required_versions, false,
               one_of_list(kProbeVersions, "version"))) {
    return false;
  }
  if ((v = table->get("min_cipher_bits")) != nullptr &&
      !integer(*v, "min_cipher_bits", 0, 256, t.min_cipher_bits)) {
    return false;
  }
  if ((v = table->get("forbid")) != nullptr &&
      !strings(*v, "forbid", t.forbid, true, one_of_list(kSuiteClasses, "suite class"))) {
    return false;
  }
  if ((v = table->get("suites")) != nullptr &&
      !strings(*v, "suites", t.suites, false, [](const std::string& name) {
        return tls::wire::find_suite(name) != nullptr
                   ? std::string()
                   : "unknown cipher suite '" + shown(name) +
                         "' (an IANA name such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, or an "
                         "OpenSSL name such as ECDHE-RSA-AES128-GCM-SHA256)";
      })) {
    return false;
  }
  if ((v = table->get("suite_order")) != nullptr) {
    if (!boolean(*v, "suite_order", t.suite_order)) return false;
    if (t.suite_order && t.suites.empty())
      return fail(*v, "'suite_order' needs the 'suites' list whose order it requires");
  }
  if ((v = table->get("min_dh_bits")) != nullptr &&
      !integer(*v, "min_dh_bits", 0, 16384, t.min_dh_bits)) {
    return false;
  }
  if ((v = table->get("min_ecdh_bits")) != nullptr &&
      !integer(*v, "min_ecdh_bits", 0, 1024, t.min_ecdh_bits)) {
    return false;
  }
  auto flag = [&](std::string_view key, std::optional<bool>& out) {
    const toml::node* f = table->get(key);
    if (f == nullptr) return true;
    bool b = false;
    if (!boolean(*f, key, b)) return false;
    out = b;
    return true;
  };
  if (!flag("compression", t.compression) ||
      !flag("secure_renegotiation", t.secure_renegotiation) || !flag("heartbeat", t.heartbeat) ||
      !flag("fallback_scsv", t.fallback_scsv)) {
    return false;
  }
  if ((v = table->get("client_certificate")) != nullptr) {
    std::string mode;
    constexpr std::string_view kModes[] = {"required", "any"};
    if (!one_of(*v, "client_certificate", kModes, mode)) return false;
    t.client_certificate = mode == "required";
  }
  if ((v = table->get("certificate")) != nullptr && !certificate_policy(*v, t.certificate))
    return false;
  return true;
}

bool Reader::certificate_policy(const toml::node& n, CertificatePolicy& c) {
  const auto* table = n.as_table();
  if (table == nullptr) {
    return fail(n, "'certificate' must be a table ([tls.certificate]; found " +
                       std::string(type_name(n)) + ")");
  }
  if (!known_keys(*table, kCertificatePolicyKeys, "[tls.certificate]")) return false;
  const toml::node* v = nullptr;
  auto flag = [&](std::string_view key, bool& out) {
    const toml::node* f = table->get(key);
    return f == nullptr || boolean(*f, key, out);
  };
  if (!flag("verify", c.verify) || !flag("current", c.current) ||
      !flag("match_name", c.match_name) || !flag("match_banner", c.match_banner) ||
      !flag("self_signed", c.self_signed) || !flag("sha1", c.sha1)) {
    return false;
  }
  if ((v = table->get("min_rsa_bits")) != nullptr &&
      !integer(*v, "min_rsa_bits", 0, 16384, c.min_rsa_bits)) {
    return false;
  }
  if ((v = table->get("min_ec_bits")) != nullptr &&
      !integer(*v, "min_ec_bits", 0, 1024, c.min_ec_bits)) {
    return false;
  }
  if ((v = table->get("warn_days")) != nullptr && !integer(*v, "warn_days", 0, 3650, c.warn_days))
    return false;
  return true;
}

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(ErrorCode::kIo, path + ": no such file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kIo, path + ": cannot open");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorCode::kIo, path + ": read error");
  return text;
}

}  // namespace

Result<Scenario> load_scenario_text(std::string_view text, const std::string& path) {
  Reader reader(path);
  std::optional<toml::table> root = reader.parse(text);
  if (!root) return reader.take_error();
  Scenario sc;
  sc.path = path;
  if (!reader.scenario(*root, sc)) return reader.take_error();
  return sc;
}

Result<Scenario> load_scenario_file(const std::string& path) {
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  return load_scenario_text(*text, path);
}

Result<std::vector<Scenario>> load_scenario_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return make_error(ErrorCode::kIo, dir + ": not a directory");

  std::vector<std::string> paths;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory(ec)) {
      if (contains(kNotScenarioDirs, name) || name.starts_with(".")) it.disable_recursion_pending();
      continue;
    }
    if (it->path().extension() == ".toml" && !name.starts_with("."))
      paths.push_back(it->path().string());
  }
  if (ec) return make_error(ErrorCode::kIo, dir + ": " + ec.message());
  std::sort(paths.begin(), paths.end());

  // Report every broken file at once (one line each): fixing them one run at
  // a time is tedious.
  std::string errors;
  std::vector<Scenario> all;
  std::map<std::string, std::size_t> by_id;
  for (const std::string& path : paths) {
    Result<Scenario> sc = load_scenario_file(path);
    if (!sc) {
      errors += (errors.empty() ? "" : "\n") + sc.error().message;
      continue;
    }
    auto [pos, fresh] = by_id.emplace(sc->id, all.size());
    if (!fresh) {
      const Scenario& first = all[pos->second];
      errors += (errors.empty() ? "" : "\n") + sc->path + ":" + std::to_string(sc->id_line) + ":" +
                std::to_string(sc->id_column) + ": duplicate id '" + sc->id + "' (also in " +
                first.path + ":" + std::to_string(first.id_line) + ":" +
                std::to_string(first.id_column) + ")";
      continue;
    }
    all.push_back(std::move(*sc));
  }
  if (!errors.empty()) return make_error(ErrorCode::kScenario, errors);
  std::sort(all.begin(), all.end(),
            [](const Scenario& a, const Scenario& b) { return natural_less(a.id, b.id); });
  return all;
}

bool natural_less(std::string_view a, std::string_view b) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (digit(a[i]) && digit(b[j])) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && digit(a[ie])) ++ie;
      while (je < b.size() && digit(b[je])) ++je;
      std::string_view na = a.substr(i, ie - i), nb = b.substr(j, je - j);
      while (na.size() > 1 && na.front() == '0') na.remove_prefix(1);
      while (nb.size() > 1 && nb.front() == '0') nb.remove_prefix(1);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

Result<Profile> load_profile_text(std::string_view text, const std::string& path) {
  Reader reader(path);
  std::optional<toml::table> root = reader.parse(text);
  if (!root) return reader.take_error();
  Profile p;
  p.path = path;
  if (!reader.profile(*root, p)) return reader.take_error();
  return p;
}

Result<Profile> load_profile(const std::string& dir, const std::string& name_or_path) {
  std::string path;
  if (name_or_path.ends_with(".toml")) {
    path = name_or_path;
  } else if (is_name(name_or_path)) {
    path = (std::filesystem::path(dir) / (name_or_path + ".toml")).string();
  } else {
    return make_error(ErrorCode::kUsage, "profile '" + shown(name_or_path) +
                                             "': a name is lower-case letters, digits and '-', "
                                             "or give a path ending in .toml");
  }
  Result<std::string> text = read_file(path);
  if (!text) return text.error();
  return load_profile_text(*text, path);
}

std::vector<Scenario> select_scenarios(const std::vector<Scenario>& all,
                                       const std::vector<std::string>& tags,
                                       const std::vector<std::string>& ids) {
  std::vector<Scenario> out;
  for (const Scenario& sc : all) {
    bool tag_ok = tags.empty() || std::any_of(tags.begin(), tags.end(), [&](const std::string& t) {
                    return std::find(sc.tags.begin(), sc.tags.end(), t) != sc.tags.end();
                  });
    bool id_ok = ids.empty() || std::any_of(ids.begin(), ids.end(), [&](const std::string& id) {
                   return id == sc.id || std::any_of(sc.catalogue.begin(), sc.catalogue.end(),
                                                     [&](const std::string& row) {
                                                       return ascii_iequals(row, id);
                                                     });
                 });
    if (tag_ok && id_ok) out.push_back(sc);
  }
  return out;
}

}  // namespace smtpeer::scenario
