// Every recorded request in tests/fixtures/*/cases.json through its adapter: verify, normalise,
// compare with what the case expects. New fixtures are picked up with no code change.
#include "tests/support/fixtures.h"

#include <gtest/gtest.h>

#include "gateway/config/config.h"
#include "gateway/marketplaces/canonical.h"
#include "gateway/marketplaces/registry.h"

namespace csgw::gateway {
namespace {

using csgw::testing::FixtureCase;

class FixturesTest : public ::testing::TestWithParam<FixtureCase> {};

struct Outcome {
  int status = 0;
  std::string error;
  Intake intake;
};

Outcome RunCase(const FixtureCase& fc) {
  csgw::testing::SetTestSecretEnv();
  const proto::Config config = csgw::testing::TestConfig();
  ManualClock clock(fc.now);
  Outcome out;
  auto fail = [&](const Error& e) {
    out.status = HttpStatus(e.code);
    out.error = std::string(PublicCode(e.code));
    return out;
  };
  if (fc.marketplace == "canonical") {
    std::vector<CanonicalEvents::Client> clients;
    for (const auto& c : config.events_api().clients()) {
      clients.push_back({c.name(), ResolveSecret(c.token(), "token").value()});
    }
    CanonicalEvents canonical(clients, clock);
    auto who = canonical.Authenticate(fc.request);
    if (!who) return fail(who.error());
    auto events = canonical.Parse(fc.request);
    if (!events) return fail(events.error());
    out.status = 200;
    out.intake.events = std::move(events).value();
    return out;
  }
  auto registry = AdapterRegistry::Build(config.marketplaces(), clock);
  EXPECT_TRUE(registry) << (registry ? "" : registry.error().message);
  const MarketplaceAdapter* adapter = registry.value()->Find(fc.marketplace);
  EXPECT_NE(adapter, nullptr) << fc.marketplace;
  if (auto ok = adapter->Verify(fc.request); !ok) return fail(ok.error());
  auto intake = adapter->Normalize(fc.request);
  if (!intake) return fail(intake.error());
  out.intake = std::move(intake).value();
  out.status = out.intake.reply.status;
  return out;
}

TEST_P(FixturesTest, ProducesExpectedOutcome) {
  const FixtureCase& fc = GetParam();
  const Outcome out = RunCase(fc);
  ASSERT_EQ(out.status, fc.expect_status) << fc.Label() << " error=" << out.error;
  if (fc.expect_status >= 400) {
    EXPECT_EQ(out.error, fc.expect_error) << fc.Label();
    return;
  }
  // The canonical endpoint's reply is the ingest layer's, checked end to end in tests/.
  if (fc.expect_body && fc.marketplace != "canonical") {
    EXPECT_EQ(out.intake.reply.body, *fc.expect_body) << fc.Label();
  }
  EXPECT_EQ(out.intake.ignored, fc.expect_ignored) << fc.Label();
  ASSERT_EQ(out.intake.events.size(), fc.expect_events.size()) << fc.Label();
  for (size_t i = 0; i < fc.expect_events.size(); ++i) {
    // The end-to-end test finds stored events by these: every case must name them.
    EXPECT_TRUE(fc.expect_events[i].fields.count("event_id")) << fc.Label() << " names no event_id";
    EXPECT_TRUE(fc.expect_events[i].fields.count("store_id")) << fc.Label() << " names no store_id";
    const proto::Event& event = out.intake.events[i];
    EXPECT_EQ(csgw::testing::CheckEvent(event, fc.expect_events[i]), "") << fc.Label();
    // Every stored event keeps the exact bytes received, for audit (a canonical batch keeps
    // each event's own JSON instead, checked in canonical_test.cc).
    if (fc.expect_events.size() == 1) {
      EXPECT_EQ(event.raw().body(), fc.request.body) << fc.Label();
    }
    EXPECT_FALSE(event.event_id().empty()) << fc.Label();
    EXPECT_FALSE(event.store_id().empty()) << fc.Label();
    EXPECT_TRUE(event.has_received_at()) << fc.Label();
    EXPECT_EQ(event.received_at().seconds(),
              std::chrono::duration_cast<std::chrono::seconds>(fc.now.time_since_epoch()).count())
        << fc.Label();
  }
}

// The same input normalises to the same event ids: what dedupe relies on.
TEST(Fixtures, EventIdsAreStableAcrossDeliveries) {
  for (const FixtureCase& fc : csgw::testing::LoadAllFixtureCases()) {
    if (fc.expect_status >= 400) continue;
    const Outcome first = RunCase(fc);
    const Outcome second = RunCase(fc);
    ASSERT_EQ(first.intake.events.size(), second.intake.events.size()) << fc.Label();
    for (size_t i = 0; i < first.intake.events.size(); ++i) {
      EXPECT_EQ(first.intake.events[i].event_id(), second.intake.events[i].event_id())
          << fc.Label();
    }
  }
}

std::string CaseName(const ::testing::TestParamInfo<FixtureCase>& info) {
  std::string name = info.param.marketplace + "_" + info.param.name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(All, FixturesTest,
                         ::testing::ValuesIn(csgw::testing::LoadAllFixtureCases()), CaseName);

}  // namespace
}  // namespace csgw::gateway
