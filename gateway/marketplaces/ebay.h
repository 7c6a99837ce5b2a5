// eBay Commerce Notification API: JSON envelope signed with X-EBAY-SIGNATURE (ECDSA, key by
// kid), and the challenge_code GET handshake.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/crypto.h"
#include "gateway/marketplaces/adapter.h"

namespace csgw::gateway {

// eBay's notification public keys by kid. Filled from config at startup and, later, by the
// gateway's key fetcher; the adapter only reads it. Thread-safe.
class EbayKeyCache {
 public:
  struct Entry {
    std::shared_ptr<const crypto::EcPublicKey> key;
    std::optional<crypto::Digest> digest;  // from getPublicKey; nullopt: use the header's
  };
  // kInvalidField when the PEM does not parse as an EC public key.
  Result<void> Put(const std::string& kid, std::string_view pem, std::string_view digest_name);
  std::optional<Entry> Find(const std::string& kid) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// POST: X-EBAY-SIGNATURE must verify with a cached key (unknown kid: kBadSignature naming it, for
// the gateway to fetch), then notification.publishDate must be within max_age. NEW_MESSAGE,
// ORDER_CONFIRMATION and ITEM_MARKED_SHIPPED become events of the store named by ?store= (or the
// default store); other topics are acknowledged as ignored. Replies 204 with no body, as eBay's
// SDK does. GET ?challenge_code= is the endpoint-verification handshake.
//
// The signature covers the body only, not the URL: any eBay seller can sign a notification and
// post it with ?store=<another store>. So a ?store= outside store_ids and default_store_id is
// refused with kForbidden, on POST and GET alike.
class EbayAdapter final : public MarketplaceAdapter {
 public:
  struct Options {
    std::string verification_token;      // resolved secret
    std::string endpoint_url;            // as registered with eBay, without ?store=
    std::string default_store_id;        // when the request has no ?store=; also accepted in it
    std::vector<std::string> store_ids;  // the other ?store= values accepted
    std::chrono::seconds max_age{86400};
  };
  EbayAdapter(Options options, std::shared_ptr<const EbayKeyCache> keys, const Clock& clock);

  // MarketplaceAdapter
  std::string_view Id() const override { return "ebay"; }
  Result<void> Verify(const InboundRequest& request) const override;
  Result<Intake> Normalize(const InboundRequest& request) const override;

 private:
  // X-EBAY-SIGNATURE over the body (or its compact form).
  Result<void> VerifySignature(const InboundRequest& request) const;
  Result<Intake> AnswerChallenge(const InboundRequest& request) const;
  // The store ?store= names, or default_store_id without one. kForbidden for a store not
  // accepted, kMissingField when there is neither.
  Result<std::string> StoreId(const InboundRequest& request) const;
  // Success when the request has no ?store=, else as StoreId.
  Result<void> CheckStoreParam(const InboundRequest& request) const;

  Options options_;
  // store_ids and default_store_id.
  std::set<std::string, std::less<>> accepted_stores_;
  std::shared_ptr<const EbayKeyCache> keys_;
  const Clock& clock_;
};

}  // namespace csgw::gateway
