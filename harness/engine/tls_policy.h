// judge_probe: a profile's findings on a probe (T1–T7, S21). Pure: the probe
// is data, so a saved inventory can be judged again under another profile.
//
// With a [tls] table the profile decides; without one (the default rfc3207
// profile) only the RFCs' MUSTs fail: SSLv2 (RFC 6176), SSLv3 (RFC 7568),
// TLS 1.0/1.1 (RFC 8996), RC4 (RFC 7465), export and NULL suites (RFC 7525
// §4.1, BCP 195), a suite not offered (RFC 5246 §7.4.1.3), a fallback hello
// accepted (RFC 7507 §3). SHOULDs are warnings.
#pragma once

#include <vector>

#include "engine/probe_result.h"
#include "scenario/model.h"

namespace smtpeer::engine {

std::vector<Finding> judge_probe(const ProbeResult& probe, const scenario::Profile& profile);

// probe_verdict: the whole probe as one verdict kind: kFail if any finding
// fails, kError if the server could not be probed or the inventory is
// incomplete, else kPass.
VerdictKind probe_verdict(const ProbeResult& probe);

}  // namespace smtpeer::engine
