// The ODR counters column family: deltas merged in the batch that produced them, range reads,
// the listings `csgw odr` needs, and the rebuild's replacement of one store's figures.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gateway/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using csgw::testing::TempDir;
using odr::Counters;
using odr::CounterDelta;
using odr::Day;

constexpr char kRules[] = "aliexpress-2015@1";

Day D(const char* text) { return *odr::ParseDay(text); }

CounterDelta Delta(const std::string& store, const std::string& rules, const char* day,
                   Counters values) {
  return CounterDelta{odr::CounterKey{store, rules, D(day)}, std::move(values)};
}

class OdrCountersTest : public ::testing::Test {
 protected:
  std::unique_ptr<EventStore> Open(bool read_only = false) {
    StoreOptions options;
    options.dir = dir_.Sub("db");
    options.sync = false;
    options.read_only = read_only;
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(store).value() : nullptr;
  }
  void Merge(EventStore& store, std::vector<CounterDelta> merges) {
    StateBatch batch;
    batch.merges = std::move(merges);
    auto ok = store.Commit(batch);
    ASSERT_TRUE(ok) << ok.error().message;
  }
  static std::vector<std::pair<Day, Counters>> Read(const EventStore& store,
                                                    const std::string& shop, const char* from,
                                                    const char* to,
                                                    const std::string& rules = kRules) {
    auto rows = store.ReadCounters(shop, rules, D(from), D(to));
    EXPECT_TRUE(rows) << rows.error().message;
    return rows ? rows.value() : std::vector<std::pair<Day, Counters>>{};
  }

  TempDir dir_;
};

TEST_F(OdrCountersTest, DeltasAddUpAcrossBatchesAndARangeReadsOnlyItsDays) {
  auto store = Open();
  Merge(*store, {Delta("s1", kRules, "2024-03-01", {{"orders_completed", 2}}),
                 Delta("s1", kRules, "2024-03-02", {{"orders_completed", 1}, {"disputes_filed", 1}}),
                 Delta("s1", kRules, "2024-03-05", {{"orders_completed", 7}})});
  Merge(*store, {Delta("s1", kRules, "2024-03-02", {{"orders_completed", 3}, {"disputes_filed", -1}}),
                 // Another store and another rule set on the same days: never in s1's range.
                 Delta("s10", kRules, "2024-03-02", {{"orders_completed", 100}}),
                 Delta("s1", "aliexpress-2015@2", "2024-03-02", {{"orders_completed", 50}})});
  // A delta that undoes a count on a day with nothing else leaves no day behind.
  Merge(*store, {Delta("s1", kRules, "2024-03-03", {{"disputes_filed", 1}})});
  Merge(*store, {Delta("s1", kRules, "2024-03-03", {{"disputes_filed", -1}})});

  const auto rows = Read(*store, "s1", "2024-03-02", "2024-03-05");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].first, D("2024-03-02"));
  EXPECT_EQ(rows[0].second, (Counters{{"orders_completed", 4}}));  // 1 + 3; disputes 1 − 1
  EXPECT_EQ(rows[1].first, D("2024-03-05"));
  EXPECT_EQ(rows[1].second, (Counters{{"orders_completed", 7}}));
  // Both ends inclusive, one day wide.
  EXPECT_EQ(Read(*store, "s1", "2024-03-01", "2024-03-01").size(), 1u);
  EXPECT_TRUE(Read(*store, "s1", "2024-03-06", "2024-04-30").empty());
  EXPECT_TRUE(Read(*store, "s1", "2024-03-05", "2024-03-01").empty());  // from after to

  // The adapter the reports read through gives the same rows.
  StoreCounterSource source(*store);
  auto via_source = source.Range("s1", kRules, D("2024-03-02"), D("2024-03-05"));
  ASSERT_TRUE(via_source);
  EXPECT_EQ(via_source.value(), rows);
}

TEST_F(OdrCountersTest, MergesAreWrittenAtomicallyWithTheRestOfTheBatch) {
  auto store = Open();
  StateBatch batch;
  batch.merges.push_back(Delta("s1", kRules, "2024-03-01", {{"orders_completed", 1}}));
  batch.writes.push_back({Table::kOdrFacts, std::string("s1\0o\0x", 6), "facts"});
  batch.fired.push_back("no-such-timer");  // refuses the whole batch
  auto refused = store->Commit(batch);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kInvalidField);
  EXPECT_TRUE(Read(*store, "s1", "2024-03-01", "2024-03-01").empty());
  auto fact = store->GetRecord(Table::kOdrFacts, std::string("s1\0o\0x", 6));
  ASSERT_TRUE(fact);
  EXPECT_FALSE(fact.value());

  // A delta whose key cannot be encoded refuses the batch too.
  StateBatch bad;
  bad.merges.push_back(Delta("", kRules, "2024-03-01", {{"orders_completed", 1}}));
  bad.writes.push_back({Table::kOdrFacts, std::string("s1\0o\0y", 6), "facts"});
  auto refused_key = store->Commit(bad);
  ASSERT_FALSE(refused_key);
  EXPECT_EQ(refused_key.error().code, Errc::kInvalidField);
  fact = store->GetRecord(Table::kOdrFacts, std::string("s1\0o\0y", 6));
  ASSERT_TRUE(fact);
  EXPECT_FALSE(fact.value());
}

TEST_F(OdrCountersTest, CountersSurviveReopenAndAreReadableReadOnly) {
  {
    auto store = Open();
    for (int i = 0; i < 50; ++i) {
      Merge(*store, {Delta("s1", kRules, "2024-03-01", {{"orders_completed", 1}})});
    }
  }
  auto writer = Open();
  Merge(*writer, {Delta("s1", kRules, "2024-03-01", {{"orders_completed", 1}})});
  auto reader = Open(/*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  const auto rows = Read(*reader, "s1", "2024-01-01", "2024-12-31");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].second, (Counters{{"orders_completed", 51}}));
}

TEST_F(OdrCountersTest, ListsRuleSetsOfAStoreAndStoresWithEvents) {
  auto store = Open();
  Merge(*store, {Delta("s1", "amazon@1", "2024-03-01", {{"orders", 1}}),
                 Delta("s1", "amazon@1", "2024-03-02", {{"orders", 1}}),
                 Delta("s1", "replies@1", "2024-03-01", {{"conversations", 1}}),
                 Delta("s1x", "ebay@1", "2024-03-01", {{"transactions", 1}}),
                 Delta("s", "ebay@1", "2024-03-01", {{"transactions", 1}})});
  auto rule_sets = store->CounterRuleSets("s1");
  ASSERT_TRUE(rule_sets);
  EXPECT_EQ(rule_sets.value(), (std::vector<std::string>{"amazon@1", "replies@1"}));
  auto none = store->CounterRuleSets("s2");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none.value().empty());
  EXPECT_FALSE(store->CounterRuleSets(std::string("a\0b", 3)));

  std::vector<proto::Event> events;
  for (const char* shop : {"shop-b", "shop-a", "shop-b", "shop-a2"}) {
    proto::Event e;
    e.set_marketplace("ozon");
    e.set_store_id(shop);
    e.set_event_id("e" + std::to_string(events.size()));
    events.push_back(e);
  }
  ASSERT_TRUE(store->Append(events));
  auto stores = store->StoreIds();
  ASSERT_TRUE(stores);
  EXPECT_EQ(stores.value(), (std::vector<std::string>{"shop-a", "shop-a2", "shop-b"}));
}

TEST_F(OdrCountersTest, ReplaceOdrReplacesOneStoresCountersAndFactsAndKeepsAlerts) {
  auto store = Open();
  const std::string s1_fact("s1\0o\0ozon\0order-1", 17);
  const std::string s1_old_fact("s1\0o\0ozon\0order-0", 17);
  const std::string s10_fact("s10\0o\0ozon\0order-1", 18);
  const std::string s1_alert("s1\0a\0x", 6);
  StateBatch batch;
  batch.writes = {{Table::kOdrFacts, s1_old_fact, "old"},
                  {Table::kOdrFacts, s10_fact, "other store"},
                  {Table::kOdrAlerts, s1_alert, "alert"}};
  batch.merges = {Delta("s1", "amazon@1", "2024-03-01", {{"orders", 5}}),
                  Delta("s1", "replies@1", "2024-03-01", {{"conversations", 5}}),
                  Delta("s10", "amazon@1", "2024-03-01", {{"orders", 9}})};
  ASSERT_TRUE(store->Commit(batch));

  const std::vector<TableWrite> facts = {{Table::kOdrFacts, s1_fact, "new"}};
  const std::vector<CounterDelta> counters = {
      Delta("s1", "amazon@1", "2024-03-02", {{"orders", 2}})};
  auto replaced = store->ReplaceOdr("s1", facts, counters);
  ASSERT_TRUE(replaced) << replaced.error().message;

  EXPECT_TRUE(Read(*store, "s1", "2024-03-01", "2024-03-01", "amazon@1").empty());
  EXPECT_TRUE(Read(*store, "s1", "2024-03-01", "2024-03-31", "replies@1").empty());
  auto s1 = Read(*store, "s1", "2024-03-01", "2024-03-31", "amazon@1");
  ASSERT_EQ(s1.size(), 1u);
  EXPECT_EQ(s1[0].second, (Counters{{"orders", 2}}));
  EXPECT_EQ(Read(*store, "s10", "2024-03-01", "2024-03-01", "amazon@1").size(), 1u);
  EXPECT_EQ(store->GetRecord(Table::kOdrFacts, s1_fact).value(), std::optional<std::string>("new"));
  EXPECT_EQ(store->GetRecord(Table::kOdrFacts, s1_old_fact).value(), std::nullopt);
  EXPECT_EQ(store->GetRecord(Table::kOdrFacts, s10_fact).value(),
            std::optional<std::string>("other store"));
  EXPECT_EQ(store->GetRecord(Table::kOdrAlerts, s1_alert).value(),
            std::optional<std::string>("alert"));

  // Live counting goes on from the replaced figures.
  Merge(*store, {Delta("s1", "amazon@1", "2024-03-02", {{"orders", 1}})});
  s1 = Read(*store, "s1", "2024-03-01", "2024-03-31", "amazon@1");
  ASSERT_EQ(s1.size(), 1u);
  EXPECT_EQ(s1[0].second, (Counters{{"orders", 3}}));

  // Records of another store are refused before anything is deleted.
  const std::vector<TableWrite> foreign = {{Table::kOdrFacts, s10_fact, "x"}};
  auto refused = store->ReplaceOdr("s1", foreign, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::kInvalidField);
  EXPECT_EQ(Read(*store, "s1", "2024-03-01", "2024-03-31", "amazon@1").size(), 1u);
}

}  // namespace
}  // namespace csgw::gateway
