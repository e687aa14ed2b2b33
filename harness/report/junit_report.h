// to_junit: the run as JUnit XML, the format CI systems (Jenkins, GitLab,
// GitHub Actions reporters) turn into test tables.
//
//   <testsuites name="smtpeer" tests failures errors skipped time>
//     <testsuite name="smtpeer <target> (<profile>)" tests failures errors
//                skipped time [timestamp]>        one per run
//       <properties> target, profile, connections, interrupted </properties>
//       <testcase classname="smtpeer.<first tag, or 'scenario'>"
//                 name="<id>: <title>" time="<seconds>">
//         <failure message="<clause>: <summary>" type="<clause>">  a finding
//           requirement, summary, failed step and evidence, as text
//         </failure>
//         <error message="<summary>" type="error">...</error>        harness error
//         <skipped message="<summary>"/>                            not applicable
//         <system-out>notes, one per line</system-out>
//       </testcase>
//
// This follows the common Jenkins/GitLab schema. Text is escaped for XML;
// characters XML 1.0 forbids even as references (most control bytes) and
// bytes that are not UTF-8 are shown as "\xNN".
#pragma once

#include <string>
#include <vector>

#include "engine/verdict.h"

namespace smtpeer::report {

std::string to_junit(const std::vector<engine::RunReport>& runs);

}  // namespace smtpeer::report
