# expected.py: for each run of peers.txt, the scenarios that must fail
# (id prefixes after "rfc3207-"/"smtp-s19-"); "x?" may fail (timing), "*" any.
# expected failing scenario ids per run name (prefix match on the scenario id short form)
INJ = ["s1-", "s2-", "s3-", "s4-", "s6-lowercase", "s6-trailing-space"]
ALL220 = ["s0-", "s1-", "s2-", "s3-", "s4-", "s5-", "s6-lowercase", "s6-no-crlf", "s6-trailing-space", "s7-", "s10-", "s11-", "s12-", "s13-", "s16-", "s17-", "s18-"]
E = {
 "conf-rfc3207": [], "conf-mx": [], "conf-mandatory": [], "conf-submission": [],
 "v-coalesce": [], "v-bytewise": [], "v-bytewise-sub": [], "v-multiline-220": [], "v-greeting-multiline": [],
 "v-slow-greeting": [], "v-starttls-params-500": [], "v-second-starttls-454": [], "v-starttls-in-trx-503": [],
 "v-auth-cram": [], "v-tls-required-554": [], "v-bare-lf-521": [], "v-accept-bare-lf": [], "v-no-starttls-rfc": [],
 "v-read-bytewise": [], "v-no-helo-required": [], "v-no-helo-keep-ehlo": [], "v-s16-refuse-group": [],
 "no-starttls": ["s0-"], "starttls-refused-454": ["s0-"], "extra-after-220": ALL220,
 "handshake-garbage": ["s0-", "s10-", "s11-", "s12-", "s13-", "s16-", "s17-?", "s18-?"],
 "handshake-plaintext-454": [x + "?" for x in ALL220], "greeting-554": ["s0-"], "ehlo-500": ["*"],
 "inject-same-recv": INJ + ["s5-?"], "inject-complete-lines": INJ + ["s5-"], "inject-partial": INJ + ["s6-no-crlf", "s5-?"],
 "inject-partial-only": ["s6-no-crlf"], "inject-deferred": INJ + ["s5-?"], "inject-late-read": ["s5-"],
 "inject-late-read-bw": INJ + ["s5-"], "inject-same-recv-barelf": INJ + ["s6-bare-lf", "s5-?"],
 "plaintext-pipelined-answered": ["s1-", "s2-", "s3-", "s6-lowercase", "s6-trailing-space", "s5-?"],
 "clienthello-as-smtp": ["s5-?"],
 "answer-plaintext-after-220": ["s17-", "s5-?"], "answer-plaintext-after-220-bw": INJ + ["s5-", "s17-"],
 "starttls-params-accept": ["s8-"], "starttls-unadvertised-accept": ["s9-"], "starttls-unadvertised-accept-mx": ["s0-", "s9-"],
 "starttls-advertised-after-tls": ["s10-"], "second-starttls-accepted": ["s10-"],
 "keep-ehlo-state": ["s11-"], "keep-transaction": ["s12-"], "keep-ehlo-name": ["s13-"],
 "auth-plain-before-tls": ["s14-"], "auth-accepted-unadvertised": ["s14-"], "auth-334-before-tls": ["s14-"],
 "auth-login-before-tls": ["s14-"], "auth-eq-before-tls": ["s14-"],
 "tls-not-enforced": ["s15-tls"], "tls-not-enforced-sub": ["s15-tls"], "tls-required-partial": ["s15-tls"],
 "tls-required-noop-530": ["s15-tls", "s8-?"], "mx-requires-tls": ["s15-mx"], "break-pipelined-group": ["s16-"],
 "s17-silent-hang": ["s17-"], "never-close-after-220": ["s18-"],
 "accept-empty-ehlo": ["ehlo-empty"], "hang-long-line": ["ehlo-long"], "reset-on-nul": ["ehlo-nul"],
 "reject-v4-literal": ["ehlo-v4"], "reject-v6-literal": ["ehlo-v6"], "close-on-bad-literal": ["ehlo-bad"],
 "silent-non-ascii": ["ehlo-non-ascii"], "bare-lf-reset": ["ehlo-bare-lf"], "mixed-code-multiline": ["s0-?"],
 "v-s18-421": [], "v-lowercase-ehlo-keywords": [], "starttls-advertised-after-tls-lc": ["s10-"],
 "auth-lowercase-before-tls": ["s14-"], "auth-order-before-tls": ["s14-"], "v-s17-alert-no-close": [],
 "v-bare-code-replies": [], "v-auth-required-after-tls": [], "never-close-after-220": ["s18-"], "inject-deferred-keep-ehlo": ["s11-", "s1-", "s2-", "s3-", "s4-", "s5-?", "s6-lowercase", "s6-trailing-space"],
}

# Runs whose misbehaviour is odd but executes nothing: the scenarios listed
# must not fail, and must say what they saw in a note (judge the claim, not
# the shape: "the injected command is never executed" fails only on a reply
# that shows execution). "x?" may also have no note (timing).
# - clienthello-as-smtp answers whatever was behind STARTTLS (the RSET, the
#   ClientHello) with one "500 command not recognized" in plaintext after its
#   220: refused, not executed.
# - plaintext-pipelined-answered answers MAIL, RCPT and DATA behind STARTTLS
#   with 503 in plaintext (S4): refused; its 250 to RSET/NOOP/EHLO (S1-S3, S6)
#   is execution and fails above.
PLAIN_ERR = "answered in plaintext where its TLS handshake should start"
NOTED = {
 "clienthello-as-smtp": ["s1-", "s2-", "s3-", "s4-", "s6-lowercase", "s6-trailing-space", "s6-no-crlf", "s7-"],
 "plaintext-pipelined-answered": ["s4-"],
}
