#include "gateway/marketplaces/mercadolibre_send.h"

#include <array>
#include <utility>

#include "base/json.h"
#include "gateway/marketplaces/api_util.h"

namespace csgw::gateway {
namespace {

struct AgentRow {
  std::string_view site;
  std::string_view user_id;
};

// marketplaces/README.md §5.4 (Mercado Libre "Gestión de mensajes", updated 2026-04-27).
constexpr std::array<AgentRow, 6> kAgents{{
    {"MLC", "3020819166"},
    {"MCO", "3037204123"},
    {"MLM", "3037204279"},
    {"MLA", "3037674934"},
    {"MLB", "3037675074"},
    {"MLU", "3037204685"},
}};

outbound::HttpRequest JsonPost(std::string url, const Account& account, std::string body) {
  outbound::HttpRequest request;
  request.method = "POST";
  request.url = std::move(url);
  request.headers = {{"Authorization", "Bearer " + account.access_token},
                     {"Content-Type", "application/json"}};
  request.body = std::move(body);
  return request;
}

}  // namespace

std::string MercadoLibreAgentUserId(std::string_view site) {
  for (const AgentRow& row : kAgents) {
    if (row.site == site) return std::string(row.user_id);
  }
  return {};
}

MercadoLibreSender::MercadoLibreSender(Options options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

Result<outbound::HttpRequest> MercadoLibreSender::BuildSend(const OutboundMessage& message,
                                                            TimePoint /*now*/) const {
  auto account = options_.accounts.Find(message.store_id);
  if (!account) return account.error();
  switch (message.kind) {
    case MessageKind::kReply:
      return BuildReply(message, *account.value());
    case MessageKind::kClaimMessage:
      return BuildClaimMessage(message, *account.value());
    case MessageKind::kQuestionAnswer:
      break;
  }
  return MakeError(Errc::kInvalidField,
                   "field 'kind' question_answer is not supported by mercadolibre");
}

Result<outbound::HttpRequest> MercadoLibreSender::BuildReply(const OutboundMessage& message,
                                                             const Account& account) const {
  // "If pack_id is null, use the order id" (README §5.4).
  const bool has_pack = !message.conversation_id.empty();
  auto pack = DigitsId(has_pack ? "conversation_id" : "order_id",
                       has_pack ? message.conversation_id : message.order_id);
  if (!pack) return pack.error();
  auto seller = DigitsId("seller_id", account.seller_id);
  if (!seller) return seller.error();
  std::string to;
  if (options_.agent_sites.count(account.site) > 0) {
    to = MercadoLibreAgentUserId(account.site);
  }
  if (to.empty()) {
    auto buyer = DigitsId("buyer_id", message.buyer_id);
    if (!buyer) return buyer.error();
    to = std::move(buyer).value();
  }
  auto text = CheckText(Marketplace(), message.text, kMaxReplyChars);
  if (!text) return text.error();
  const std::string url = BaseUrl(account, kProductionUrl) + "/messages/packs/" + pack.value() +
                          "/sellers/" + seller.value() + "?tag=post_sale";
  return JsonPost(url, account,
                  "{\"from\":{\"user_id\":" + JsonString(seller.value()) +
                      "},\"to\":{\"user_id\":" + JsonString(to) +
                      "},\"text\":" + JsonString(message.text) + "}");
}

Result<outbound::HttpRequest> MercadoLibreSender::BuildClaimMessage(const OutboundMessage& message,
                                                                    const Account& account) const {
  auto claim = DigitsId("conversation_id", message.conversation_id);
  if (!claim) return claim.error();
  auto text = CheckText(Marketplace(), message.text, kMaxClaimChars);
  if (!text) return text.error();
  const std::string url = BaseUrl(account, kProductionUrl) + "/post-purchase/v1/claims/" +
                          claim.value() + "/actions/send-message";
  // The complainant of a claim is the buyer; the mediator is reached by an agent, by hand.
  return JsonPost(
      url, account,
      "{\"receiver_role\":\"complainant\",\"message\":" + JsonString(message.text) + "}");
}

SendOutcome MercadoLibreSender::ParseSendResult(const outbound::HttpResponse& response) const {
  // Errors: {"message": "...", "error": "blocked_conversation_send_message_forbidden",
  // "status": 403, "cause": [...]}.
  std::string code;
  auto doc = JsonDocument::ParseObject(response.body);
  if (doc) {
    if (auto e = doc.value().root().OptionalString("error"); e && e.value()) code = *e.value();
  }
  if (auto by_status = OutcomeOfStatus(Marketplace(), response, clock_.Now(), code)) {
    return *by_status;
  }
  // Mercado Libre reports errors by status only; any 2xx is a sent message. The created message
  // carries its id; the claim action answers without one.
  std::string id;
  if (doc) {
    if (auto v = doc.value().root().OptionalId("id"); v && v.value()) id = *v.value();
  }
  return Delivered(std::move(id));
}

}  // namespace csgw::gateway
