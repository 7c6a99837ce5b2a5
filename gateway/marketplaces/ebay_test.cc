#include "gateway/marketplaces/ebay.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "base/crypto.h"
#include "base/json.h"
#include "base/timestamp.h"
#include "gateway/marketplaces/event_util.h"
#include "tests/support/fixtures.h"

namespace csgw::gateway {
namespace {

using csgw::testing::FixturesDir;
using csgw::testing::ReadFileOrDie;

constexpr char kToken[] = "unit-test-verification-token_abcdefghijklmnopqrstuvwxyz";
constexpr char kEndpoint[] = "https://csgw.example.com/v1/webhooks/ebay";
constexpr char kKid[] = "unit-test-kid";
constexpr char kOfficialKid[] = "9936261a-7d7b-4621-a0f1-96ccb428af49";

TimePoint Iso(std::string_view text) { return ParseIsoDateTime(text).value(); }

std::string Compact(const std::string& json) {
  std::string out = MinifyJson(json);
  EXPECT_FALSE(out.empty());
  return out;
}

// A NEW_MESSAGE notification, compact as eBay sends it; `data` members given as JSON text.
std::string NewMessage(const std::string& data,
                       const std::string& publish_date = "2026-03-02T14:05:12.004Z") {
  return R"({"metadata":{"topic":"NEW_MESSAGE","schemaVersion":"1.0","deprecated":false},)"
         R"("notification":{"notificationId":"n-1","eventDate":"2026-03-02T14:05:11.120Z",)"
         R"("publishDate":")" +
         publish_date + R"(","publishAttemptCount":1,"data":{)" + data + "}}}";
}

std::string Notification(const std::string& topic, const std::string& data) {
  return R"({"metadata":{"topic":")" + topic +
         R"(","schemaVersion":"1.0","deprecated":false},)"
         R"("notification":{"notificationId":"n-2","eventDate":"2026-03-02T09:41:27.315Z",)"
         R"("publishDate":"2026-03-02T09:41:28.090Z","publishAttemptCount":1,"data":)" +
         data + "}}";
}

constexpr char kMessageData[] =
    R"("conversationId":"124850576707","messageId":"3429373760017",)"
    R"("messageBody":"please send it to my secret address","senderUserName":"jane.d_2019",)"
    R"("recipientUserName":"gadget-outlet-eu","subject":"Where is my order?")";

class EbayTest : public ::testing::Test {
 protected:
  EbayTest() {
    EXPECT_TRUE(keys_->Put(kKid, ReadFileOrDie(FixturesDir() + "/ebay/test_signing_key.pub.pem"),
                           "SHA256"));
  }

  // Accepts ?store= seller-42 and seller-7 besides the default store, unless told otherwise.
  EbayAdapter MakeAdapter(std::string default_store = "default-store",
                          std::vector<std::string> store_ids = {"seller-42", "seller-7"}) {
    EbayAdapter::Options options;
    options.verification_token = kToken;
    options.endpoint_url = kEndpoint;
    options.default_store_id = std::move(default_store);
    options.store_ids = std::move(store_ids);
    options.max_age = std::chrono::hours(24);
    return EbayAdapter(std::move(options), keys_, clock_);
  }

  static InboundRequest Challenge(const std::string& store) {
    InboundRequest request;
    request.method = "GET";
    request.path = "/v1/webhooks/ebay";
    request.query["challenge_code"] = "a8628072-3d33-45ee-9004-bee86830a22d";
    if (!store.empty()) request.query["store"] = store;
    return request;
  }

  static std::string SignatureHeader(const std::string& signed_text, const std::string& kid,
                                     crypto::Digest digest = crypto::Digest::kSha256,
                                     std::string header_digest = "SHA256",
                                     std::string alg = "ecdsa",
                                     const std::string& key_file = "test_signing_key.pem") {
    auto key = crypto::EcPrivateKey::FromPem(ReadFileOrDie(FixturesDir() + "/ebay/" + key_file));
    EXPECT_TRUE(key);
    auto signature = key->Sign(digest, signed_text);
    EXPECT_TRUE(signature);
    const std::string json = R"({"alg":")" + alg + R"(","kid":")" + kid + R"(","signature":")" +
                             crypto::Base64Encode(*signature) + R"(","digest":")" + header_digest +
                             R"("})";
    return crypto::Base64Encode(json);
  }

  static InboundRequest Post(std::string body, std::string signature_header) {
    InboundRequest request;
    request.method = "POST";
    request.path = "/v1/webhooks/ebay";
    request.headers["content-type"] = "application/json";
    request.headers["x-ebay-signature"] = std::move(signature_header);
    request.body = std::move(body);
    return request;
  }

  static InboundRequest SignedPost(std::string body) {
    std::string header = SignatureHeader(body, kKid);
    return Post(std::move(body), std::move(header));
  }

  Result<Intake> VerifyAndNormalize(const EbayAdapter& adapter, const InboundRequest& request) {
    if (auto ok = adapter.Verify(request); !ok) return ok.error();
    return adapter.Normalize(request);
  }

  std::shared_ptr<EbayKeyCache> keys_ = std::make_shared<EbayKeyCache>();
  ManualClock clock_{Iso("2026-03-02T14:06:00Z")};
};

TEST(EbayKeyCache, StoresKeysWithTheirDigest) {
  EbayKeyCache cache;
  const std::string pem = ReadFileOrDie(FixturesDir() + "/ebay/test_signing_key.pub.pem");
  ASSERT_TRUE(cache.Put("a", pem, "SHA256"));
  ASSERT_TRUE(cache.Put("b", pem, ""));
  ASSERT_TRUE(cache.Put("c", pem, "sha-1"));
  EXPECT_EQ(cache.Find("a")->digest, crypto::Digest::kSha256);
  EXPECT_FALSE(cache.Find("b")->digest.has_value());
  EXPECT_EQ(cache.Find("c")->digest, crypto::Digest::kSha1);
  EXPECT_NE(cache.Find("a")->key, nullptr);
  EXPECT_FALSE(cache.Find("zzz").has_value());
}

TEST(EbayKeyCache, AcceptsEbaysSingleLinePem) {
  auto doc = JsonDocument::ParseObject(
      ReadFileOrDie(FixturesDir() + "/ebay/get_public_key.response.json"));
  ASSERT_TRUE(doc);
  EbayKeyCache cache;
  EXPECT_TRUE(cache.Put(kOfficialKid, doc.value().root().String("key").value(), "SHA1"));
}

TEST(EbayKeyCache, RejectsBadKeysAndDigests) {
  EbayKeyCache cache;
  auto bad_pem = cache.Put("a", "-----BEGIN PUBLIC KEY-----AAAA-----END PUBLIC KEY-----", "");
  ASSERT_FALSE(bad_pem);
  EXPECT_EQ(bad_pem.error().code, Errc::kInvalidField);
  const std::string pem = ReadFileOrDie(FixturesDir() + "/ebay/test_signing_key.pub.pem");
  auto bad_digest = cache.Put("a", pem, "MD5");
  ASSERT_FALSE(bad_digest);
  EXPECT_EQ(bad_digest.error().code, Errc::kInvalidField);
  EXPECT_FALSE(cache.Find("a").has_value());
}

TEST_F(EbayTest, SdkVectorVerifiesOverTheCompactFormOfAPrettyBody) {
  auto doc = JsonDocument::ParseObject(
      ReadFileOrDie(FixturesDir() + "/ebay/get_public_key.response.json"));
  ASSERT_TRUE(doc);
  ASSERT_TRUE(keys_->Put(kOfficialKid, doc.value().root().String("key").value(),
                         doc.value().root().String("digest").value()));
  clock_.Set(Iso("2021-03-19T20:45:00Z"));
  const EbayAdapter adapter = MakeAdapter();
  const std::string pretty =
      ReadFileOrDie(FixturesDir() + "/ebay/marketplace_account_deletion.message.json");
  std::string header = ReadFileOrDie(FixturesDir() + "/ebay/x_ebay_signature.header.txt");
  while (!header.empty() && (header.back() == '\n' || header.back() == '\r')) header.pop_back();

  // As stored (pretty-printed): verified through the minified fallback.
  EXPECT_TRUE(adapter.Verify(Post(pretty, header)));
  // As eBay transmits it (compact): verified directly over the raw bytes.
  EXPECT_TRUE(adapter.Verify(Post(Compact(pretty), header)));
  // Any change to the content breaks it.
  std::string altered = Compact(pretty);
  altered.replace(altered.find("test_user"), 9, "test_usex");
  auto result = adapter.Verify(Post(altered, header));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kBadSignature);
}

TEST_F(EbayTest, HeaderDigestIsUsedWhenTheKeyHasNone) {
  auto doc = JsonDocument::ParseObject(
      ReadFileOrDie(FixturesDir() + "/ebay/get_public_key.response.json"));
  ASSERT_TRUE(doc);
  ASSERT_TRUE(keys_->Put(kOfficialKid, doc.value().root().String("key").value(), ""));
  clock_.Set(Iso("2021-03-19T20:45:00Z"));
  std::string header = ReadFileOrDie(FixturesDir() + "/ebay/x_ebay_signature.header.txt");
  while (!header.empty() && header.back() == '\n') header.pop_back();
  const std::string body =
      ReadFileOrDie(FixturesDir() + "/ebay/marketplace_account_deletion.message.json");
  EXPECT_TRUE(MakeAdapter().Verify(Post(body, header)));  // the header says SHA1
}

TEST_F(EbayTest, KeyDigestOverridesTheHeaders) {
  // The cache says SHA256 for kKid: a header claiming SHA1 does not change what is checked.
  const std::string body = NewMessage(kMessageData);
  EXPECT_TRUE(MakeAdapter().Verify(
      Post(body, SignatureHeader(body, kKid, crypto::Digest::kSha256, "SHA1"))));
  auto sha1 =
      MakeAdapter().Verify(Post(body, SignatureHeader(body, kKid, crypto::Digest::kSha1, "SHA1")));
  ASSERT_FALSE(sha1);
  EXPECT_EQ(sha1.error().code, Errc::kBadSignature);
}

TEST_F(EbayTest, NormalizesANewMessage) {
  const EbayAdapter adapter = MakeAdapter();
  InboundRequest request = SignedPost(
      NewMessage(std::string(kMessageData) +
                 R"(,"conversationType":"FROM_MEMBERS","messageMedia":[{"mediaName":"a.jpg",)"
                 R"("mediaType":"IMAGE","mediaUrl":"https://i.ebayimg.com/a.jpg"},)"
                 R"({"mediaUrl":"https://i.ebayimg.com/b.pdf"}])"));
  request.query["store"] = "seller-42";
  auto intake = VerifyAndNormalize(adapter, request);
  ASSERT_TRUE(intake) << intake.error().message;
  EXPECT_EQ(intake.value().reply.status, 204);
  EXPECT_EQ(intake.value().reply.body, "");
  ASSERT_EQ(intake.value().events.size(), 1u);
  const proto::Event& event = intake.value().events[0];
  EXPECT_EQ(event.marketplace(), "ebay");
  EXPECT_EQ(event.event_id(), "n-1");
  EXPECT_EQ(event.store_id(), "seller-42");
  EXPECT_EQ(FromTimestamp(event.occurred_at()), Iso("2026-03-02T14:05:11.120Z"));
  EXPECT_EQ(FromTimestamp(event.received_at()), clock_.Now());
  EXPECT_EQ(event.buyer().id(), "jane.d_2019");
  const proto::BuyerMessage& message = event.buyer_message();
  EXPECT_EQ(message.kind(), proto::BuyerMessage::KIND_NEW);
  EXPECT_EQ(message.sender(), proto::SENDER_ROLE_BUYER);
  EXPECT_EQ(message.conversation_id(), "124850576707");
  EXPECT_EQ(message.message_id(), "3429373760017");
  EXPECT_EQ(message.text(), "please send it to my secret address");
  EXPECT_EQ(message.subject(), "Where is my order?");
  EXPECT_EQ(message.channel(), "FROM_MEMBERS");
  ASSERT_EQ(message.attachments_size(), 2);
  EXPECT_EQ(message.attachments(0).url(), "https://i.ebayimg.com/a.jpg");
  EXPECT_EQ(message.attachments(0).name(), "a.jpg");
  EXPECT_EQ(message.attachments(0).media_type(), "IMAGE");
  EXPECT_EQ(message.attachments(1).url(), "https://i.ebayimg.com/b.pdf");
  EXPECT_EQ(event.raw().body(), request.body);
}

TEST_F(EbayTest, ReadsBothSenderCasings) {
  const EbayAdapter adapter = MakeAdapter();
  auto intake =
      VerifyAndNormalize(adapter, SignedPost(NewMessage(R"("conversationId":"1","messageId":"2",)"
                                                        R"("senderUsername":"comprador_mx88")")));
  ASSERT_TRUE(intake) << intake.error().message;
  EXPECT_EQ(intake.value().events[0].buyer().id(), "comprador_mx88");
}

TEST_F(EbayTest, OrderTopicsBecomeOrderUpdatesToFetch) {
  const EbayAdapter adapter = MakeAdapter();
  clock_.Set(Iso("2026-03-02T09:42:00Z"));
  const std::pair<std::string, std::string> shapes[] = {
      {"ORDER_CONFIRMATION", R"({"orderId":"12-12455-13825"})"},
      // The nestings seen in third-party integrations.
      {"ORDER_CONFIRMATION",
       R"({"user":{"userId":"y9q","username":"mcd"},"order":{"orderId":"12-12455-13825"}})"},
      {"ITEM_MARKED_SHIPPED",
       R"({"itemMarkedShipped":{"itemId":"395913613059","orderId":"12-12455-13825"}})"},
      {"ITEM_MARKED_SHIPPED", R"({"orderId":"12-12455-13825"})"},
  };
  for (const auto& [topic, data] : shapes) {
    auto intake = VerifyAndNormalize(adapter, SignedPost(Notification(topic, data)));
    ASSERT_TRUE(intake) << topic << data << ": " << intake.error().message;
    const proto::Event& event = intake.value().events[0];
    EXPECT_EQ(event.order().order_id(), "12-12455-13825") << data;
    EXPECT_EQ(event.order_update().status(), topic == "ORDER_CONFIRMATION"
                                                 ? proto::ORDER_STATUS_CREATED
                                                 : proto::ORDER_STATUS_SHIPPED);
    EXPECT_EQ(event.order_update().marketplace_status(), topic);
    EXPECT_EQ(event.pending_fetch().topic(), topic);
    EXPECT_EQ(event.pending_fetch().resource(), "12-12455-13825");
    EXPECT_EQ(event.store_id(), "default-store");
  }
}

TEST_F(EbayTest, OrderTopicWithoutOrderIdIsRejected) {
  clock_.Set(Iso("2026-03-02T09:42:00Z"));
  auto intake = VerifyAndNormalize(
      MakeAdapter(),
      SignedPost(Notification("ITEM_MARKED_SHIPPED",
                              R"({"itemMarkedShipped":{"itemId":"395913613059"}})")));
  ASSERT_FALSE(intake);
  EXPECT_EQ(intake.error().code, Errc::kMissingField);
  EXPECT_NE(intake.error().message.find("notification.data.orderId"), std::string::npos)
      << intake.error().message;
}

TEST_F(EbayTest, MissingStoreWithoutDefaultIsAMissingField) {
  const EbayAdapter adapter = MakeAdapter(/*default_store=*/"");
  InboundRequest request = SignedPost(NewMessage(kMessageData));
  ASSERT_TRUE(adapter.Verify(request));
  auto intake = adapter.Normalize(request);
  ASSERT_FALSE(intake);
  EXPECT_EQ(intake.error().code, Errc::kMissingField);
  EXPECT_NE(intake.error().message.find("'store'"), std::string::npos) << intake.error().message;

  request.query["store"] = "seller-7";
  auto with_store = adapter.Normalize(request);
  ASSERT_TRUE(with_store) << with_store.error().message;
  EXPECT_EQ(with_store.value().events[0].store_id(), "seller-7");
}

TEST_F(EbayTest, IgnoredTopicsNeedNoStore) {
  const EbayAdapter adapter = MakeAdapter(/*default_store=*/"");
  clock_.Set(Iso("2026-03-02T09:42:00Z"));
  auto intake = VerifyAndNormalize(
      adapter, SignedPost(Notification("MARKETPLACE_ACCOUNT_DELETION", R"({"userId":"u"})")));
  ASSERT_TRUE(intake) << intake.error().message;
  EXPECT_TRUE(intake.value().events.empty());
  EXPECT_EQ(intake.value().ignored, "MARKETPLACE_ACCOUNT_DELETION");
  EXPECT_EQ(intake.value().reply.status, 204);
}

TEST_F(EbayTest, SignedNotificationForAStoreNotConfiguredIsForbidden) {
  const EbayAdapter adapter = MakeAdapter();
  // A validly signed notification of any eBay seller, aimed at a store this gateway serves for
  // someone else: the signature does not cover the URL, the store list does.
  InboundRequest request = SignedPost(NewMessage(kMessageData));
  request.query["store"] = "victim-store";
  auto verified = adapter.Verify(request);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, Errc::kForbidden);
  EXPECT_EQ(verified.error().message, "store 'victim-store' is not configured for eBay");
  // Normalize does not rely on Verify having run.
  EXPECT_EQ(adapter.Normalize(request).error().code, Errc::kForbidden);

  // Whatever the topic: nothing is stored for an unused one, but the answer is the same.
  clock_.Set(Iso("2026-03-02T09:42:00Z"));
  InboundRequest unused =
      SignedPost(Notification("MARKETPLACE_ACCOUNT_DELETION", R"({"userId":"u"})"));
  unused.query["store"] = "victim-store";
  EXPECT_EQ(adapter.Verify(unused).error().code, Errc::kForbidden);
}

TEST_F(EbayTest, SignatureIsCheckedBeforeTheStore) {
  const std::string body = NewMessage(kMessageData);
  InboundRequest request = Post(body, SignatureHeader(body, "kid-nobody-knows"));
  request.query["store"] = "victim-store";
  EXPECT_EQ(MakeAdapter().Verify(request).error().code, Errc::kBadSignature);
}

TEST_F(EbayTest, ConfiguredAndDefaultStoresAreAccepted) {
  const EbayAdapter adapter = MakeAdapter();
  for (const char* store : {"seller-42", "seller-7", "default-store"}) {
    InboundRequest request = SignedPost(NewMessage(kMessageData));
    request.query["store"] = store;
    auto intake = VerifyAndNormalize(adapter, request);
    ASSERT_TRUE(intake) << store << ": " << intake.error().message;
    EXPECT_EQ(intake.value().events.at(0).store_id(), store);
  }
  // An empty ?store= means no store, as before.
  InboundRequest request = SignedPost(NewMessage(kMessageData));
  request.query["store"] = "";
  auto intake = VerifyAndNormalize(adapter, request);
  ASSERT_TRUE(intake) << intake.error().message;
  EXPECT_EQ(intake.value().events.at(0).store_id(), "default-store");
}

TEST_F(EbayTest, WithoutStoreIdsOnlyTheDefaultStoreIsAccepted) {
  const EbayAdapter adapter = MakeAdapter("default-store", /*store_ids=*/{});
  InboundRequest request = SignedPost(NewMessage(kMessageData));
  request.query["store"] = "seller-42";
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kForbidden);
  request.query["store"] = "default-store";
  EXPECT_TRUE(VerifyAndNormalize(adapter, request));

  // Neither list nor default: no ?store= is acceptable, and none is a missing field.
  const EbayAdapter none = MakeAdapter(/*default_store=*/"", /*store_ids=*/{});
  request.query["store"] = "seller-42";
  EXPECT_EQ(none.Verify(request).error().code, Errc::kForbidden);
  request.query.erase("store");
  ASSERT_TRUE(none.Verify(request));
  EXPECT_EQ(none.Normalize(request).error().code, Errc::kMissingField);
}

TEST_F(EbayTest, HostileStoreIsNotEchoedVerbatim) {
  InboundRequest request = SignedPost(NewMessage(kMessageData));
  request.query["store"] = "x\" injected\n<script>" + std::string(300, 'a');
  auto result = MakeAdapter().Verify(request);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kForbidden);
  const std::string& message = result.error().message;
  EXPECT_EQ(message.find('"'), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find('<'), std::string::npos) << message;
  EXPECT_NE(message.find("x??injected?"), std::string::npos) << message;
  EXPECT_LT(message.size(), 160u) << message;
}

TEST_F(EbayTest, UnknownKidIsNamedInTheError) {
  const std::string body = NewMessage(kMessageData);
  auto result = MakeAdapter().Verify(Post(body, SignatureHeader(body, "kid-nobody-knows")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kBadSignature);
  EXPECT_NE(result.error().message.find("kid-nobody-knows"), std::string::npos)
      << result.error().message;
}

TEST_F(EbayTest, HostileKidIsNotEchoedVerbatim) {
  const std::string body = NewMessage(kMessageData);
  auto result = MakeAdapter().Verify(Post(body, SignatureHeader(body, "x\\\" injected\\n")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kBadSignature);
  EXPECT_EQ(result.error().message.find('"'), std::string::npos) << result.error().message;
  EXPECT_EQ(result.error().message.find(' ', result.error().message.find('\'')), std::string::npos)
      << result.error().message;
}

TEST_F(EbayTest, RejectsOtherAlgorithms) {
  const std::string body = NewMessage(kMessageData);
  auto result = MakeAdapter().Verify(
      Post(body, SignatureHeader(body, kKid, crypto::Digest::kSha256, "SHA256", "rsa")));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kBadSignature);
  // The algorithm name is compared case-insensitively.
  EXPECT_TRUE(MakeAdapter().Verify(
      Post(body, SignatureHeader(body, kKid, crypto::Digest::kSha256, "SHA256", "ECDSA"))));
}

TEST_F(EbayTest, RejectsUndecodableHeaders) {
  const std::string body = NewMessage(kMessageData);
  for (const std::string& header :
       {std::string(""), std::string("%%%"), crypto::Base64Encode("not json"),
        crypto::Base64Encode(R"({"alg":"ecdsa","kid":"unit-test-kid"})"),
        crypto::Base64Encode(
            R"({"alg":"ecdsa","kid":"unit-test-kid","signature":"!!","digest":"SHA256"})")}) {
    auto result = MakeAdapter().Verify(Post(body, header));
    ASSERT_FALSE(result) << header;
    EXPECT_EQ(result.error().code, Errc::kBadSignature) << header;
  }
  InboundRequest no_header = Post(body, "");
  no_header.headers.erase("x-ebay-signature");
  EXPECT_EQ(MakeAdapter().Verify(no_header).error().code, Errc::kBadSignature);
}

TEST_F(EbayTest, StaleAndFuturePublishDatesAreRejectedAfterTheSignature) {
  const EbayAdapter adapter = MakeAdapter();
  const InboundRequest request = SignedPost(NewMessage(kMessageData));
  clock_.Set(Iso("2026-03-03T14:05:12.004Z"));  // exactly max_age later
  EXPECT_TRUE(adapter.Verify(request));
  clock_.Set(Iso("2026-03-03T14:05:13Z"));
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kStaleRequest);
  clock_.Set(Iso("2026-03-02T13:00:00Z"));
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kStaleRequest);
  // A stale but unsigned request is a signature failure first.
  clock_.Set(Iso("2026-03-05T00:00:00Z"));
  EXPECT_EQ(adapter.Verify(Post(request.body, "")).error().code, Errc::kBadSignature);
}

TEST_F(EbayTest, ChallengeAnswer) {
  const EbayAdapter adapter = MakeAdapter();
  InboundRequest request;
  request.method = "GET";
  request.path = "/v1/webhooks/ebay";
  request.query["challenge_code"] = "a8628072-3d33-45ee-9004-bee86830a22d";
  ASSERT_TRUE(adapter.Verify(request));
  auto intake = adapter.Normalize(request);
  ASSERT_TRUE(intake) << intake.error().message;
  EXPECT_TRUE(intake.value().events.empty());
  EXPECT_EQ(intake.value().reply.status, 200);
  EXPECT_EQ(intake.value().reply.content_type, "application/json");
  // printf '%s' 'a8628072-3d33-45ee-9004-bee86830a22d<kToken><kEndpoint>' | sha256sum
  EXPECT_EQ(
      intake.value().reply.body,
      R"({"challengeResponse":"47dd692c0ee7d64e940bf2d42bf7c0372017dbc25ba43e334bf47c5c1edd1977"})");
}

TEST_F(EbayTest, ChallengeOfAStoreEndpointHashesTheUrlWithItsStore) {
  const EbayAdapter adapter = MakeAdapter();
  // The store registered kEndpoint + "?store=seller-42", and eBay hashes that URL.
  const InboundRequest request = Challenge("seller-42");
  ASSERT_TRUE(adapter.Verify(request));
  auto intake = adapter.Normalize(request);
  ASSERT_TRUE(intake) << intake.error().message;
  // printf '%s' 'a8628072-3d33-45ee-9004-bee86830a22d<kToken><kEndpoint>?store=seller-42' |
  //   sha256sum
  EXPECT_EQ(
      intake.value().reply.body,
      R"({"challengeResponse":"b66a1454254840e125ed7d64679f3b631878b9d25f47fcc641b55183e6e85dec"})");

  // An empty ?store= is no store: the bare endpoint, as in ChallengeAnswer.
  InboundRequest empty_store = Challenge("");
  empty_store.query["store"] = "";
  EXPECT_EQ(
      adapter.Normalize(empty_store).value().reply.body,
      R"({"challengeResponse":"47dd692c0ee7d64e940bf2d42bf7c0372017dbc25ba43e334bf47c5c1edd1977"})");
}

TEST_F(EbayTest, ChallengeForAStoreNotConfiguredIsForbidden) {
  const EbayAdapter adapter = MakeAdapter();
  const InboundRequest request = Challenge("victim-store");
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kForbidden);
  EXPECT_EQ(adapter.Normalize(request).error().code, Errc::kForbidden);
}

TEST_F(EbayTest, GetWithoutChallengeCodeIsAMissingField) {
  const EbayAdapter adapter = MakeAdapter();
  InboundRequest request;
  request.method = "GET";
  request.path = "/v1/webhooks/ebay";
  EXPECT_EQ(adapter.Verify(request).error().code, Errc::kMissingField);
  EXPECT_EQ(adapter.Normalize(request).error().code, Errc::kMissingField);
}

TEST_F(EbayTest, OtherMethodsAreNotAllowed) {
  InboundRequest request = SignedPost(NewMessage(kMessageData));
  request.method = "DELETE";
  EXPECT_EQ(MakeAdapter().Verify(request).error().code, Errc::kMethodNotAllowed);
}

TEST_F(EbayTest, EnvelopeErrorsNameTheFieldAndNeverTheText) {
  const EbayAdapter adapter = MakeAdapter();
  auto no_message_id = VerifyAndNormalize(
      adapter, SignedPost(NewMessage(R"("conversationId":"1",)"
                                     R"("messageBody":"my secret address","senderUserName":"x")")));
  ASSERT_FALSE(no_message_id);
  EXPECT_EQ(no_message_id.error().code, Errc::kMissingField);
  EXPECT_NE(no_message_id.error().message.find("notification.data.messageId"), std::string::npos)
      << no_message_id.error().message;
  EXPECT_EQ(no_message_id.error().message.find("secret"), std::string::npos);

  auto bad_body =
      VerifyAndNormalize(adapter, SignedPost(NewMessage(R"("conversationId":"1","messageId":"2",)"
                                                        R"("messageBody":{"secret":"address"})")));
  ASSERT_FALSE(bad_body);
  EXPECT_EQ(bad_body.error().code, Errc::kInvalidField);
  EXPECT_EQ(bad_body.error().message.find("address"), std::string::npos);

  const std::string no_topic =
      R"({"metadata":{},"notification":{"notificationId":"n","eventDate":"2026-03-02T14:05:11Z",)"
      R"("publishDate":"2026-03-02T14:05:12Z","data":{}}})";
  auto missing_topic = VerifyAndNormalize(adapter, SignedPost(no_topic));
  ASSERT_FALSE(missing_topic);
  EXPECT_EQ(missing_topic.error().code, Errc::kMissingField);
  EXPECT_NE(missing_topic.error().message.find("metadata.topic"), std::string::npos);
}

TEST_F(EbayTest, BadEventDateIsAnInvalidField) {
  const std::string body =
      R"({"metadata":{"topic":"NEW_MESSAGE"},"notification":{"notificationId":"n",)"
      R"("eventDate":"yesterday","publishDate":"2026-03-02T14:05:12Z",)"
      R"("data":{"conversationId":"1","messageId":"2"}}})";
  auto intake = VerifyAndNormalize(MakeAdapter(), SignedPost(body));
  ASSERT_FALSE(intake);
  EXPECT_EQ(intake.error().code, Errc::kInvalidField);
  EXPECT_NE(intake.error().message.find("notification.eventDate"), std::string::npos);
}

}  // namespace
}  // namespace csgw::gateway
