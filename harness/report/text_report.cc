#include "report/text_report.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "report/display_text.h"
#include "transcript/jsonl_recorder.h"

namespace smtpeer::report {

namespace {

using engine::RunReport;
using engine::Verdict;
using engine::VerdictKind;

struct VerdictStyle {
  VerdictKind kind;
  std::string_view word;
  std::string_view color;  // ANSI SGR sequence
};
constexpr std::array<VerdictStyle, 4> kVerdictStyles{{
    {VerdictKind::kPass, "PASS", "\x1b[32m"},
    {VerdictKind::kFail, "FAIL", "\x1b[1;31m"},
    {VerdictKind::kSkip, "SKIP", "\x1b[33m"},
    {VerdictKind::kError, "ERROR", "\x1b[1;35m"},
}};
constexpr std::string_view kReset = "\x1b[0m";
constexpr std::size_t kVerdictWidth = 6;  // "RESULT", the column heading
constexpr std::string_view kGap = "  ";   // between table columns
// Below this many columns for the summary, the table puts the summary on
// lines of its own instead of squeezing it into a narrow column.
constexpr std::size_t kMinSummaryWidth = 30;
// An evidence line (one write, one reply) longer than this many rows is cut;
// the transcript has it whole. Enough for a typical EHLO reply.
constexpr std::size_t kMaxRowsPerEvidence = 12;

const VerdictStyle& style_of(VerdictKind k) {
  for (const auto& s : kVerdictStyles) {
    if (s.kind == k) return s;
  }
  return kVerdictStyles.back();
}

// Context: the options, plus the output being built.
struct Context {
  const TextOptions& opt;
  std::string out;

  // raw_line: evidence keeps trailing blanks; they are bytes that were sent.
  void raw_line(std::string_view s) {
    out.append(s);
    out += '\n';
  }

  void line(std::string_view s = {}) {
    // Trailing blanks only make golden files and terminals noisy.
    const std::size_t end = s.find_last_not_of(' ');
    out.append(s.substr(0, end == std::string_view::npos ? 0 : end + 1));
    out += '\n';
  }

  // word: the verdict word, coloured when asked, padded to `pad` columns.
  std::string word(VerdictKind k, std::size_t pad = 0) const {
    const auto& s = style_of(k);
    std::string w = opt.color ? std::string(s.color) + std::string(s.word) + std::string(kReset)
                              : std::string(s.word);
    if (pad > s.word.size()) w.append(pad - s.word.size(), ' ');
    return w;
  }

  // labelled: `prefix` (taking prefix_width columns) then `text` wrapped at
  // spaces, continuation lines aligned under the start of the text.
  void labelled(std::string_view prefix, std::size_t prefix_width, std::string_view text) {
    const std::size_t avail = opt.width > prefix_width + 20 ? opt.width - prefix_width : 20;
    const auto rows = wrap_words(text, avail);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      line((i == 0 ? std::string(prefix) : std::string(prefix_width, ' ')) + rows[i]);
    }
  }
  void labelled(std::string_view prefix, std::string_view text) {
    labelled(prefix, display_width(prefix), text);
  }
};

std::string pad(std::string s, std::size_t width) {
  const std::size_t w = display_width(s);
  if (w < width) s.append(width - w, ' ');
  return s;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::string or_dash(std::string s) {
  return s.empty() ? std::string("-") : s;
}

// totals_line: the exact form scripts may look for; always plural so that a
// pattern like "(\d+) errors" matches every count.
std::string totals_line(int pass, int fail, int skip, int error) {
  return std::to_string(pass) + " passed, " + std::to_string(fail) + " failed, " +
         std::to_string(skip) + " skipped, " + std::to_string(error) + " errors";
}

void header(Context& c, const RunReport& run) {
  c.labelled(
      "",
      join({"Target " + terminal_safe(run.target), "profile " + or_dash(terminal_safe(run.profile)),
            plural(run.connections, "connection", "connections"), format_duration(run.duration_ms)},
           " \u00b7 "));
  std::vector<std::string> more;
  if (!run.started_at.empty()) more.push_back("Started " + terminal_safe(run.started_at));
  more.push_back(plural(static_cast<std::int64_t>(run.verdicts.size()), "scenario", "scenarios"));
  c.labelled("", join(more, " \u00b7 "));
  if (run.interrupted) {
    c.labelled("INTERRUPTED: ",
               "the run was stopped before it finished; the results are partial and scenarios "
               "that had not finished are missing.");
  }
}

struct Row {
  VerdictKind kind;
  std::string id, catalogue, clause, summary;
};

// table_rows: one aligned row per scenario, the summary wrapped in its column.
void table_rows(Context& c, const std::vector<Row>& rows, std::size_t w_id, std::size_t w_cat,
                std::size_t w_clause) {
  auto cells = [&](std::string verdict, const Row& r) {
    return verdict + std::string(kGap) + pad(r.id, w_id) + std::string(kGap) +
           pad(r.catalogue, w_cat) + std::string(kGap) + pad(r.clause, w_clause) +
           std::string(kGap);
  };
  const std::string head = cells(pad("RESULT", kVerdictWidth),
                                 {VerdictKind::kPass, "SCENARIO", "CATALOGUE", "CLAUSE", ""});
  const std::size_t indent = display_width(head);
  c.line(head + "SUMMARY");
  for (const auto& r : rows) {
    const auto summary = wrap_words(r.summary, c.opt.width - indent);
    c.line(cells(c.word(r.kind, kVerdictWidth), r) + summary[0]);
    for (std::size_t i = 1; i < summary.size(); ++i) {
      c.line(std::string(indent, ' ') + summary[i]);
    }
  }
}

// stacked_rows: when the columns would leave the summary too little room
// (long ids, a narrow width), each scenario takes a line for its verdict, id,
// catalogue rows and clause, and the summary goes below it.
void stacked_rows(Context& c, const std::vector<Row>& rows) {
  const std::size_t indent = kVerdictWidth + kGap.size();
  for (const auto& r : rows) {
    c.labelled(c.word(r.kind, kVerdictWidth) + std::string(kGap), indent,
               r.id + " (" + r.catalogue + ", " + r.clause + ")");
    c.labelled(std::string(indent, ' '), indent, r.summary);
  }
}

void table(Context& c, const RunReport& run) {
  std::vector<Row> rows;
  int hidden_skips = 0;
  int hidden_passes = 0;
  for (const auto& v : run.verdicts) {
    if (v.kind == VerdictKind::kSkip && !c.opt.verbose) {
      ++hidden_skips;
      continue;
    }
    if (v.kind == VerdictKind::kPass && c.opt.hide_passes && !c.opt.verbose) {
      ++hidden_passes;
      continue;
    }
    rows.push_back({v.kind, terminal_safe(v.scenario_id),
                    or_dash(terminal_safe(join(v.catalogue, ","))),
                    or_dash(terminal_safe(v.clause)), terminal_safe(v.summary)});
  }
  if (run.verdicts.empty()) c.line("  No scenarios ran.");
  if (!rows.empty()) {
    std::size_t w_id = display_width("SCENARIO");
    std::size_t w_cat = display_width("CATALOGUE");
    std::size_t w_clause = display_width("CLAUSE");
    for (const auto& r : rows) {
      w_id = std::max(w_id, display_width(r.id));
      w_cat = std::max(w_cat, display_width(r.catalogue));
      w_clause = std::max(w_clause, display_width(r.clause));
    }
    const std::size_t summary_col = kVerdictWidth + w_id + w_cat + w_clause + 4 * kGap.size();
    if (c.opt.width >= summary_col + kMinSummaryWidth) {
      table_rows(c, rows, w_id, w_cat, w_clause);
    } else {
      stacked_rows(c, rows);
    }
  }
  if (hidden_passes > 0) {
    c.labelled("  ", std::to_string(hidden_passes) +
                         (hidden_passes == 1 ? " scenario passed" : " scenarios passed") +
                         " (verbose output lists them).");
  }
  if (hidden_skips > 0) {
    c.labelled("  ", hidden_skips == 1
                         ? std::string("1 scenario was skipped because it does not apply to this "
                                       "target or profile (verbose output says why).")
                         : std::to_string(hidden_skips) +
                               " scenarios were skipped because they do not apply to this target "
                               "or profile (verbose output says why).");
  }
}

// hard_wrap: s cut into pieces of at most `width` columns, every byte kept.
std::vector<std::string> hard_wrap(std::string_view s, std::size_t width) {
  std::vector<std::string> rows;
  while (!s.empty()) {
    std::size_t end = 0;
    for (std::size_t n = 0; end < s.size(); ++end) {
      const bool lead = (static_cast<unsigned char>(s[end]) & 0xC0) != 0x80;
      if (lead && n++ == width) break;
    }
    rows.emplace_back(s.substr(0, end));
    s.remove_prefix(end);
  }
  return rows;
}

// reply_lines: escaped bytes split after each "\n" escape, so that a long
// multi-line reply shows one protocol line per row. Escapes are skipped as
// units: "\\n" is a backslash and an 'n', not a line end.
std::vector<std::string_view> reply_lines(std::string_view s) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) continue;
    ++i;
    if (s[i] == 'n') {
      lines.push_back(s.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  if (start < s.size()) lines.push_back(s.substr(start));
  return lines;
}

// evidence_line: "  S[tls]: 250 2.0.0 Ok\r\n". Text that does not fit is
// broken after its line ends, then wherever it must; never at spaces, which
// are part of the evidence. Very long lines are cut: the transcript has them.
void evidence_line(Context& c, const engine::EvidenceLine& e) {
  const std::string prefix = "  " + terminal_safe(e.who) + (e.tls ? "[tls]" : "") + ": ";
  const std::size_t prefix_w = display_width(prefix);
  const std::size_t avail = c.opt.width > prefix_w + 20 ? c.opt.width - prefix_w : 20;
  const std::string text = terminal_safe(e.text);
  std::vector<std::string> rows;
  if (display_width(text) <= avail) {
    rows.push_back(text);
  } else {
    for (const auto line : reply_lines(text)) {
      for (auto& row : hard_wrap(line, avail)) rows.push_back(std::move(row));
    }
  }
  if (rows.size() > kMaxRowsPerEvidence) {
    std::size_t shown = 0;
    for (std::size_t i = 0; i + 1 < kMaxRowsPerEvidence; ++i) shown += display_width(rows[i]);
    rows.resize(kMaxRowsPerEvidence - 1);
    rows.push_back("\u2026(+" + std::to_string(display_width(text) - shown) + " more characters)");
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    c.raw_line((i == 0 ? prefix : std::string(prefix_w, ' ')) + rows[i]);
  }
}

void finding_block(Context& c, const Verdict& v) {
  c.line();
  const std::string title = v.title.empty()
                                ? terminal_safe(v.scenario_id)
                                : terminal_safe(v.scenario_id) + ": " + terminal_safe(v.title);
  c.labelled(c.word(v.kind) + " ", style_of(v.kind).word.size() + 1, title);
  if (v.kind == VerdictKind::kError) {
    c.labelled("  ",
               "smtpeer could not run this scenario. This is not a finding against the "
               "target: check the target address, the network and smtpeer's configuration.");
  }
  if (!v.clause.empty()) c.labelled("  clause: ", terminal_safe(v.clause));
  if (!v.requirement.empty()) {
    c.labelled("  requirement: ", "\"" + terminal_safe(v.requirement) + "\"");
  }
  if (!v.summary.empty()) {
    c.labelled(v.kind == VerdictKind::kError ? "  what went wrong: " : "  what happened: ",
               terminal_safe(v.summary));
  }
  for (const auto& n : v.notes) c.labelled("  note: ", terminal_safe(n));

  std::vector<std::string> facts;
  if (v.failed_step >= 0) {
    facts.push_back((v.kind == VerdictKind::kError ? "stopped at step " : "decided at step ") +
                    std::to_string(v.failed_step + 1) + " (counting from 1)");
  }
  facts.push_back(plural(v.connections, "connection", "connections") + " used");
  if (v.retries > 0) {
    facts.push_back(plural(v.retries, "retry", "retries") + " after a 421 (busy) greeting");
  }
  facts.push_back("took " + format_duration(v.duration_ms));
  c.labelled("  ", join(facts, "; "));

  if (v.evidence.empty()) return;
  c.labelled("  ",
             "evidence, in wire order (C = client, S = server, * = smtpeer's own "
             "observation, [tls] = inside TLS):");
  const std::size_t limit = c.opt.evidence_lines == 0
                                ? v.evidence.size()
                                : std::min(c.opt.evidence_lines, v.evidence.size());
  for (std::size_t i = 0; i < limit; ++i) evidence_line(c, v.evidence[i]);
  if (limit < v.evidence.size()) {
    c.labelled("  ", "\u2026 " + std::to_string(v.evidence.size() - limit) +
                         " more lines (see transcripts/" +
                         transcript::transcript_file_name(v.scenario_id) + ")");
  }
}

void render_run(Context& c, const RunReport& run) {
  header(c, run);
  c.line();
  table(c, run);
  for (const auto& v : run.verdicts) {
    if (v.kind == VerdictKind::kFail || v.kind == VerdictKind::kError) finding_block(c, v);
  }
  c.line();
  c.line(totals_line(run.count(VerdictKind::kPass), run.count(VerdictKind::kFail),
                     run.count(VerdictKind::kSkip), run.count(VerdictKind::kError)));
}

}  // namespace

std::string render_text(const std::vector<RunReport>& runs, const TextOptions& options) {
  Context c{options, {}};
  int pass = 0, fail = 0, skip = 0, error = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i > 0) c.line();
    render_run(c, runs[i]);
    pass += runs[i].count(VerdictKind::kPass);
    fail += runs[i].count(VerdictKind::kFail);
    skip += runs[i].count(VerdictKind::kSkip);
    error += runs[i].count(VerdictKind::kError);
  }
  if (runs.size() > 1) {
    c.line();
    c.line("All " + std::to_string(runs.size()) + " runs together:");
    c.line(totals_line(pass, fail, skip, error));
  }
  return c.out;
}

}  // namespace smtpeer::report
