#include "gateway/pipeline/dispute_alerts.h"

#include "base/crypto.h"
#include "base/log.h"
#include "base/timestamp.h"

namespace csgw::gateway {
namespace {

namespace d = csgw::disputes;

std::string Str(std::string_view text) {
  std::string out = "\"";
  log::AppendJsonEscaped(out, text);
  return out + "\"";
}

std::string Body(const DisputeAlertNotice& n, std::string_view type, std::string_view level,
                 TimePoint now) {
  const d::Dispute& x = *n.dispute;
  return "{\"type\":" + Str(type) + ",\"level\":" + Str(level) + ",\"dispute\":" +
         Str(n.dispute_key) + ",\"marketplace\":" + Str(x.marketplace) + ",\"store_id\":" +
         Str(x.store_id) + ",\"dispute_id\":" + Str(x.id) + ",\"order_id\":" + Str(x.order_id) +
         ",\"state\":" + Str(d::Name(x.state)) + ",\"deadline\":" + Str(n.deadline.name) +
         ",\"actor\":" + Str(d::Name(n.deadline.actor)) + ",\"on_expiry\":" +
         Str(d::Name(n.deadline.on_expiry)) + ",\"due\":" + Str(FormatIsoMillis(n.deadline.due_at)) +
         ",\"before_seconds\":" + (n.before ? std::to_string(n.before->count()) : "null") +
         ",\"raised_at\":" + Str(FormatIsoMillis(now)) + "}";
}

proto::OutboxEntry Webhook(const DisputeAlertNotice& n, std::string_view type,
                           std::string_view level, const std::string& url,
                           const std::string& secret, TimePoint now) {
  proto::OutboxEntry e;
  e.set_idempotency_key("dispute-alert/" + n.dispute_key + "/" + n.deadline.name + "/" +
                        std::to_string(ToUnixMillis(n.deadline.due_at)) + "/" +
                        (n.before ? std::to_string(n.before->count()) : "passed") + "/" +
                        std::string(level));
  e.set_kind("webhook");
  e.set_store_id(n.dispute->store_id);
  e.set_order_id(n.dispute->order_id);
  e.set_url(url);
  std::string body = Body(n, type, level, now);
  auto header = [&e](std::string name, std::string value) {
    proto::OutboxHeader& h = *e.add_headers();
    h.set_name(std::move(name));
    h.set_value(std::move(value));
  };
  header("Content-Type", "application/json");
  header("X-Csgw-Event", std::string(type));
  header("X-Csgw-Signature", DisputeWebhookSignature(secret, body, now));
  e.set_body(std::move(body));
  e.set_requested_by("disputes");
  return e;
}

}  // namespace

std::string DisputeWebhookSignature(std::string_view secret, std::string_view body, TimePoint at) {
  const std::string t = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count());
  std::string signed_text = t + ".";
  signed_text.append(body);
  return "t=" + t + ",v1=" + crypto::HmacSha256Hex(secret, signed_text);
}

bool EscalatesToAccountManager(const DisputeAlertNotice& notice) {
  return notice.deadline.actor != d::Party::kBuyer && (!notice.before || notice.last);
}

std::vector<proto::OutboxEntry> DisputeAlertWebhooks(const DisputeAlertNotice& notice,
                                                     const DisputeSettings::Webhooks& hooks,
                                                     TimePoint now) {
  const std::string_view type = notice.before ? "dispute_alert" : "dispute_deadline_passed";
  std::vector<proto::OutboxEntry> out;
  if (!hooks.agents_url.empty()) {
    out.push_back(Webhook(notice, type, "agents", hooks.agents_url, hooks.secret, now));
  }
  if (!hooks.escalation_url.empty() && EscalatesToAccountManager(notice)) {
    out.push_back(
        Webhook(notice, type, "account_manager", hooks.escalation_url, hooks.secret, now));
  }
  return out;
}

}  // namespace csgw::gateway
