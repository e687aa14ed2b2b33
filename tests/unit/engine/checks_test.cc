// Checks are pure functions over recorded observations: table-driven cases.
#include "engine/checks.h"

#include <gtest/gtest.h>

#include "scenario/model.h"
#include "smtp/reply_parser.h"

namespace smtpeer::engine {
namespace {

ReplyObservation reply(std::string_view raw, std::size_t behind = 0) {
  ReplyObservation obs;
  obs.reply = smtp::parse_reply(raw);
  obs.bytes_behind = behind;
  return obs;
}

ReplyObservation closed() {
  ReplyObservation obs;
  obs.closed = true;
  return obs;
}

ReplyObservation timed_out() {
  ReplyObservation obs;
  obs.timeout = true;
  return obs;
}

scenario::Match codes(std::vector<int> c) {
  scenario::Match m;
  m.codes = std::move(c);
  return m;
}

struct MatchCase {
  std::string name;
  scenario::Match match;
  ReplyObservation obs;
  bool expected;
};

class MatchTest : public testing::TestWithParam<MatchCase> {};

TEST_P(MatchTest, Matches) {
  const MatchCase& c = GetParam();
  ASSERT_TRUE(c.obs.reply || c.obs.closed || c.obs.timeout) << "bad fixture";
  EXPECT_EQ(matches(c.match, c.obs), c.expected) << describe(c.match) << " vs " << describe(c.obs);
}

scenario::Match with(scenario::Match m, auto edit) {
  edit(m);
  return m;
}

const char kEhlo[] =
    "250-mx.example\r\n250-PIPELINING\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n";

INSTANTIATE_TEST_SUITE_P(
    Checks, MatchTest,
    testing::Values(
        MatchCase{"code_equal", codes({220}), reply("220 ready\r\n"), true},
        MatchCase{"code_other", codes({220}), reply("250 ok\r\n"), false},
        MatchCase{"code_any_of", codes({501, 500}), reply("500 no\r\n"), true},
        MatchCase{"code_vs_close", codes({220}), closed(), false},
        MatchCase{"class",
                  with(scenario::Match{},
                       [](auto& m) {
                         m.classes = {4, 5};
                       }),
                  reply("454 later\r\n"), true},
        MatchCase{"class_miss",
                  with(scenario::Match{},
                       [](auto& m) {
                         m.classes = {4, 5};
                       }),
                  reply("220 go\r\n"), false},
        MatchCase{"alone_ok", with(codes({220}), [](auto& m) { m.alone = true; }),
                  reply("220 go\r\n"), true},
        MatchCase{"alone_with_bytes_behind", with(codes({220}), [](auto& m) { m.alone = true; }),
                  reply("220 go\r\n", 12), false},
        MatchCase{"not_alone_ignores_bytes", codes({220}), reply("220 go\r\n", 12), true},
        MatchCase{"closed_matches_close", with(scenario::Match{}, [](auto& m) { m.closed = true; }),
                  closed(), true},
        MatchCase{"closed_not_reply", with(scenario::Match{}, [](auto& m) { m.closed = true; }),
                  reply("250 ok\r\n"), false},
        MatchCase{"timeout", with(scenario::Match{}, [](auto& m) { m.timeout = true; }),
                  timed_out(), true},
        MatchCase{"timeout_not_close", with(scenario::Match{}, [](auto& m) { m.timeout = true; }),
                  closed(), false},
        MatchCase{"any", with(scenario::Match{}, [](auto& m) { m.any = true; }),
                  reply("599 odd\r\n"), true},
        MatchCase{"any_not_close", with(scenario::Match{}, [](auto& m) { m.any = true; }), closed(),
                  false},
        MatchCase{"text_ci", with(codes({250}), [](auto& m) { m.text = "HELLO"; }),
                  reply("250 host hello x\r\n"), true},
        MatchCase{"text_absent", with(codes({250}), [](auto& m) { m.text_absent = "pre.invalid"; }),
                  reply("250 host Hello PRE.invalid\r\n"), false},
        MatchCase{"has_cap", with(codes({250}), [](auto& m) { m.has_capability = {"STARTTLS"}; }),
                  reply(kEhlo), true},
        MatchCase{"has_cap_param",
                  with(codes({250}), [](auto& m) { m.has_capability = {"AUTH PLAIN"}; }),
                  reply(kEhlo), true},
        MatchCase{"lacks_cap_param",
                  with(codes({250}), [](auto& m) { m.lacks_capability = {"AUTH PLAIN"}; }),
                  reply(kEhlo), false},
        MatchCase{"lacks_cap_absent",
                  with(codes({250}), [](auto& m) { m.lacks_capability = {"AUTH CRAM-MD5"}; }),
                  reply(kEhlo), true},
        MatchCase{"lacks_starttls_after_tls",
                  with(codes({250}), [](auto& m) { m.lacks_capability = {"starttls"}; }),
                  reply(kEhlo), false}),
    [](const testing::TestParamInfo<MatchCase>& info) { return info.param.name; });

TEST(Condition, AdvertisedAndProfile) {
  scenario::Profile profile;
  profile.flags = {"tls-required"};
  auto ehlo = smtp::parse_ehlo(*smtp::parse_reply(kEhlo));
  scenario::Condition c;
  c.advertised = {"PIPELINING", "STARTTLS"};
  EXPECT_TRUE(condition_holds(c, profile, &ehlo));
  EXPECT_FALSE(condition_holds(c, profile, nullptr)) << "nothing is advertised before EHLO";
  c.profile_has = {"tls-required"};
  EXPECT_TRUE(condition_holds(c, profile, &ehlo));
  c.profile_lacks = {"tls-required"};
  EXPECT_FALSE(condition_holds(c, profile, &ehlo));
  scenario::Condition n;
  n.not_advertised = {"STARTTLS"};
  EXPECT_FALSE(condition_holds(n, profile, &ehlo));
  EXPECT_TRUE(condition_holds(n, profile, nullptr));
}

TEST(Describe, SaysWhatArrived) {
  EXPECT_EQ(describe(reply("220 go\r\n", 6)), "220 go (+6 bytes behind it)");
  EXPECT_EQ(describe(closed()), "the connection closed without a reply");
  EXPECT_EQ(describe(timed_out()), "no reply before the deadline");
}

}  // namespace
}  // namespace smtpeer::engine
