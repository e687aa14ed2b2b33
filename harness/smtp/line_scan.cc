#include "smtp/line_scan.h"

namespace smtpeer::smtp {

LineScan scan_line(std::string_view in, std::size_t max_line) {
  LineScan scan;
  // Look no further than the limit: a hostile peer's endless line costs at
  // most max_line bytes of scanning per call.
  const std::string_view window = in.substr(0, max_line);
  const std::size_t lf = window.find('\n');
  if (lf == std::string_view::npos) {
    scan.kind = (!in.empty() && in.size() >= max_line) ? LineScan::Kind::kTooLong
                                                       : LineScan::Kind::kPartial;
    return scan;
  }
  scan.kind = LineScan::Kind::kLine;
  scan.length = lf + 1;
  scan.bare_lf = lf == 0 || in[lf - 1] != '\r';
  scan.content = in.substr(0, scan.bare_lf ? lf : lf - 1);
  return scan;
}

}  // namespace smtpeer::smtp
