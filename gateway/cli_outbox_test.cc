// `csgw outbox list | show | retry` against a real store in a temp dir.
#include "gateway/cli_outbox.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <tuple>

#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "gateway/outbound/outbox_records.h"
#include "gateway/store/event_store.h"
#include "tests/support/temp_dir.h"

namespace csgw::gateway {
namespace {

using csgw::testing::TempDir;

struct CliRun {
  int code = 0;
  std::string out;
  std::string err;
};

class CliOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Open();
    ASSERT_TRUE(store);
    // Two dead letters of two stores and one entry still pending.
    StateBatch batch;
    for (const auto& [store_id, key, dead] :
         std::vector<std::tuple<std::string, std::string, bool>>{
             {"shop-a", "reply-1", true}, {"shop-b", "reply-2", true}, {"shop-a", "reply-3", false}}) {
      proto::OutboxEntry entry;
      entry.set_idempotency_key(key);
      entry.set_id(OutboxId(key));
      entry.set_store_id(store_id);
      entry.set_marketplace("wildberries");
      entry.set_text("reply text");
      entry.set_reply_token("secret-reply-sign");
      entry.set_requested_by("auto");
      entry.set_attempt_count(3);
      ScheduleSendAttempt(entry, clock_.Now(), clock_.Now(), batch);
      if (dead) MarkDead(entry, clock_.Now(), batch);
      ids_.push_back(entry.id());
    }
    ASSERT_TRUE(store->Commit(batch));
  }

  std::unique_ptr<EventStore> Open() {
    StoreOptions options;
    options.dir = data_;
    options.sync = false;
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(store).value() : nullptr;
  }

  CliRun Outbox(std::vector<std::string> words) {
    words.insert(words.begin(), {"csgw", "outbox"});
    words.push_back("--data=" + data_);
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    std::string error;
    auto args = Args::Parse(static_cast<int>(argv.size()), argv.data(), 2, kOutboxFlags, error);
    EXPECT_TRUE(args) << error;
    std::ostringstream out, err;
    CliRun run;
    run.code = args ? OutboxCommand(*args, clock_, out, err) : -1;
    run.out = out.str();
    run.err = err.str();
    return run;
  }

  static size_t Lines(const std::string& text) {
    return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }

  TempDir dir_;
  const std::string data_ = dir_.Sub("data");
  ManualClock clock_{*ParseIsoDateTime("2026-03-01T10:00:00Z")};
  std::vector<std::string> ids_;
};

TEST_F(CliOutboxTest, ListsDeadLettersWithoutTheirCredentials) {
  const CliRun all = Outbox({});
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_EQ(Lines(all.out), 2u) << all.out;
  EXPECT_NE(all.out.find(ids_[0]), std::string::npos);
  EXPECT_NE(all.out.find(ids_[1]), std::string::npos);
  EXPECT_EQ(all.out.find(ids_[2]), std::string::npos);  // pending: not a dead letter
  EXPECT_NE(all.out.find("\"state\":\"OUTBOX_STATE_DEAD\""), std::string::npos) << all.out;
  EXPECT_EQ(all.out.find("secret-reply-sign"), std::string::npos);

  const CliRun one_store = Outbox({"list", "--store", "shop-b"});
  ASSERT_EQ(one_store.code, 0) << one_store.err;
  EXPECT_EQ(Lines(one_store.out), 1u);
  EXPECT_NE(one_store.out.find(ids_[1]), std::string::npos);

  EXPECT_EQ(Lines(Outbox({"--limit", "1"}).out), 1u);
  EXPECT_EQ(Outbox({"--limit", "0"}).code, 2);
}

TEST_F(CliOutboxTest, ShowsOneEntryInAnyState) {
  const CliRun shown = Outbox({"show", ids_[2]});
  ASSERT_EQ(shown.code, 0) << shown.err;
  EXPECT_NE(shown.out.find("\"state\":\"OUTBOX_STATE_PENDING\""), std::string::npos) << shown.out;
  EXPECT_EQ(shown.out.find("secret-reply-sign"), std::string::npos);

  const CliRun missing = Outbox({"show", "ob_nosuchentry"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("no outbox entry ob_nosuchentry"), std::string::npos) << missing.err;
  EXPECT_EQ(Outbox({"show"}).code, 2);
}

TEST_F(CliOutboxTest, RetryRedrivesADeadLetterOnlyWhileTheGatewayIsStopped) {
  {
    // A running gateway holds the store: the CLI refuses and says what to do instead.
    auto held = Open();
    ASSERT_TRUE(held);
    const CliRun refused = Outbox({"retry", ids_[0]});
    EXPECT_EQ(refused.code, 2);
    EXPECT_NE(refused.err.find("POST /v1/outbox/{id}/retry"), std::string::npos) << refused.err;
  }
  const CliRun retried = Outbox({"retry", ids_[0]});
  ASSERT_EQ(retried.code, 0) << retried.err;
  EXPECT_NE(retried.out.find("\"state\":\"OUTBOX_STATE_PENDING\""), std::string::npos)
      << retried.out;

  // Pending with a fresh budget and a send timer due now; no longer listed as dead.
  auto store = Open();
  ASSERT_TRUE(store);
  auto entry = LoadOutboxEntry(*store, ids_[0]);
  ASSERT_TRUE(entry && entry.value());
  EXPECT_EQ(entry.value()->state(), proto::OUTBOX_STATE_PENDING);
  EXPECT_EQ(entry.value()->attempt_count(), 0);
  EXPECT_EQ(entry.value()->redrives(), 1);
  EXPECT_EQ(entry.value()->requested_by(), "auto");  // still csgw's own send, re-driven
  auto timer = store->GetTimer(entry.value()->timer_id());
  ASSERT_TRUE(timer && timer.value());
  EXPECT_EQ(FromTimestamp(timer.value()->due()), clock_.Now());
  auto dead = ListDeadLetters(*store, "", [](std::string_view) { return true; }, "", 10);
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead.value().size(), 1u);
  EXPECT_EQ(dead.value()[0].id(), ids_[1]);
  store.reset();

  // Only dead letters go back.
  const CliRun again = Outbox({"retry", ids_[0]});
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("only dead letters can be retried"), std::string::npos) << again.err;
  EXPECT_EQ(Outbox({"retry", "ob_nosuchentry"}).code, 1);
}

}  // namespace
}  // namespace csgw::gateway
