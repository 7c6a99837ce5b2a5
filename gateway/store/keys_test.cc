#include "gateway/store/keys.h"

#include <gtest/gtest.h>

namespace csgw::gateway::store_keys {
namespace {

using namespace std::string_literals;

TEST(StoreKeys, SequenceIsBigEndianSoByteOrderIsNumericOrder) {
  EXPECT_EQ(EncodeSequence(0x0102030405060708), "\x01\x02\x03\x04\x05\x06\x07\x08"s);
  EXPECT_LT(EncodeSequence(255), EncodeSequence(256));
  EXPECT_EQ(DecodeSequence(EncodeSequence(UINT64_MAX)), UINT64_MAX);
  EXPECT_EQ(DecodeSequence("short"), std::nullopt);
}

TEST(StoreKeys, DedupeKeyJoinsPartsWithNul) {
  EXPECT_EQ(DedupeKey("ozon", "s1", "e\0x"s), "ozon\0s1\0e\0x"s);
  EXPECT_NE(DedupeKey("ozon", "s1", "e"), DedupeKey("ozon", "s", "1e"));
}

TEST(StoreKeys, StoreEventsKeysOfOneStoreShareAPrefixNoOtherStoreHas) {
  const std::string key = StoreEventsKey("s1", 42);
  EXPECT_TRUE(key.starts_with(StoreEventsPrefix("s1")));
  EXPECT_FALSE(key.starts_with(StoreEventsPrefix("s")));
  EXPECT_EQ(StoreEventsSequence(key), 42u);
  EXPECT_EQ(StoreEventsSequence("s1"), std::nullopt);
}

TEST(StoreKeys, QueueValueRoundTrips) {
  const auto entry = DecodeQueueValue(EncodeQueueValue("ebay", "shop-7"));
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->marketplace, "ebay");
  EXPECT_EQ(entry->store_id, "shop-7");
  EXPECT_EQ(DecodeQueueValue("no separator"), std::nullopt);
}

}  // namespace
}  // namespace csgw::gateway::store_keys
