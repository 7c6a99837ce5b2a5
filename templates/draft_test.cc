#include "templates/draft.h"

#include <gtest/gtest.h>

#include "base/timestamp.h"

namespace csgw::templates {
namespace {

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

class DraftTest : public ::testing::Test {
 protected:
  DraftTest()
      : classifier_(MakeRuleClassifier()),
        catalog_(Catalog::Default()),
        drafter_(detector_, *classifier_, catalog_) {
    policy_.store_name = "Sunny Home";
    policy_.agent_name = "Лена";
  }

  DraftRequest ShippedOrder(std::string text) {
    DraftRequest r;
    r.marketplace = "aliexpress";
    r.store_id = "shop-1";
    r.text = std::move(text);
    r.buyer_country = "RU";
    r.buyer_region = "Новосибирск";
    r.now = At("2024-03-20T09:00:00Z");
    r.order.state = "shipped";
    r.order.order_id = "8123456789012345";
    r.order.item = "Наушники X12";
    r.order.tracking_number = "LP00123456789012";
    r.order.carrier = "Cainiao";
    r.order.shipped_at = At("2024-03-08T10:00:00Z");
    r.order.delivery_window_start = At("2024-03-25T00:00:00Z");
    r.order.delivery_window_end = At("2024-04-05T00:00:00Z");
    return r;
  }

  i18n::LanguageDetector detector_;
  std::unique_ptr<IntentClassifier> classifier_;
  CatalogHolder catalog_;
  Drafter drafter_;
  StorePolicy policy_;
};

TEST_F(DraftTest, WhereIsMyOrderWithTrackingGoesOutAutomatically) {
  const Draft draft = drafter_.Make(ShippedOrder("Здравствуйте, где мой заказ?"), policy_);
  EXPECT_EQ(draft.language.language, "ru");
  EXPECT_EQ(draft.locale, "ru-RU");
  EXPECT_EQ(draft.time_zone, "Asia/Novosibirsk");
  EXPECT_EQ(draft.time_zone_source, "region");
  EXPECT_EQ(draft.intent.intent, "where_is_my_order");
  EXPECT_EQ(draft.template_locale, "ru");
  EXPECT_NE(draft.text.find("LP00123456789012"), std::string::npos) << draft.text;
  EXPECT_NE(draft.text.find("11 дней"), std::string::npos) << draft.text;  // 12 days, floor
  EXPECT_TRUE(draft.findings.empty()) << draft.findings.front().message;
  EXPECT_TRUE(draft.auto_send) << draft.reason;
  EXPECT_NE(draft.reason.find(draft.template_key), std::string::npos);
}

TEST_F(DraftTest, NotShippedOrderNeverGetsAShippedTemplate) {
  DraftRequest r = ShippedOrder("donde esta mi pedido??");
  r.buyer_country = "MX";
  r.buyer_region = "";
  r.order = {};
  r.order.state = "not_shipped";
  r.order.order_id = "42";
  r.order.ship_by = At("2024-03-22T18:00:00Z");
  const Draft draft = drafter_.Make(r, policy_);
  EXPECT_EQ(draft.language.language, "es");
  EXPECT_EQ(draft.locale, "es-MX");
  EXPECT_EQ(draft.time_zone, "America/Mexico_City");
  ASSERT_EQ(draft.intent.intent, "where_is_my_order");
  EXPECT_EQ(draft.template_key, "aftersale.where_is_order_not_shipped");
  EXPECT_NE(draft.text.find("22 de marzo de 2024"), std::string::npos) << draft.text;
}

TEST_F(DraftTest, NoTemplateWhenTheDataIsMissing) {
  DraftRequest r = ShippedOrder("where is my order");
  r.buyer_country = "US";
  r.order = {};
  r.order.state = "shipped";
  const Draft draft = drafter_.Make(r, policy_);
  EXPECT_EQ(draft.intent.intent, "where_is_my_order");
  EXPECT_TRUE(draft.template_key.empty());
  EXPECT_TRUE(draft.text.empty());
  EXPECT_FALSE(draft.auto_send);
  EXPECT_NE(draft.reason.find("an agent answers"), std::string::npos);
}

TEST_F(DraftTest, PolicyKeepsIntentsForAnAgent) {
  policy_.auto_send_intents = {"greeting"};
  const Draft draft = drafter_.Make(ShippedOrder("где посылка"), policy_);
  EXPECT_FALSE(draft.text.empty());
  EXPECT_FALSE(draft.auto_send);
  EXPECT_NE(draft.reason.find("only after approval"), std::string::npos) << draft.reason;
}

TEST_F(DraftTest, StoresOwnTemplateFirst) {
  policy_.intent_templates["where_is_my_order"] = "insale.shipped_tracking";
  const Draft draft = drafter_.Make(ShippedOrder("где мой заказ"), policy_);
  EXPECT_EQ(draft.template_key, "insale.shipped_tracking");
  EXPECT_NE(draft.reason.find("store's template"), std::string::npos);
}

TEST_F(DraftTest, SingleCountryMarketplaceGivesTheZoneWhenTheBuyerHasNone) {
  DraftRequest r = ShippedOrder("где мой заказ?");
  r.marketplace = "ozon";
  r.buyer_country.clear();
  r.buyer_region.clear();
  const Draft draft = drafter_.Make(r, policy_);
  EXPECT_EQ(draft.locale, "ru-RU");
  EXPECT_EQ(draft.time_zone, "Europe/Moscow");
  EXPECT_EQ(draft.time_zone_source, "country");
}

TEST_F(DraftTest, OtherGoesToAnAgent) {
  const Draft draft =
      drafter_.Make(ShippedOrder("а у вас есть такой же только синий и с котиком"), policy_);
  if (draft.intent.intent == "other") {
    EXPECT_TRUE(draft.text.empty());
    EXPECT_FALSE(draft.auto_send);
  }
}

TEST_F(DraftTest, SpecialCaseTemplatesOnlyForThatSituation) {
  DraftRequest r = ShippedOrder("где мой заказ?");
  r.order.situation = "customs_hold";
  r.order.delivery_window_start.reset();
  r.order.delivery_window_end.reset();
  const Draft draft = drafter_.Make(r, policy_);
  EXPECT_EQ(draft.template_key, "special.customs_hold");
  EXPECT_FALSE(draft.auto_send);  // not marked safe: an agent looks first
}

TEST_F(DraftTest, ReloadedCatalogueTakesEffect) {
  auto files = Catalog::DefaultFiles();
  files.push_back(
      {"overrides/shop-1/ru.json",
       R"({"aftersale.thanks": "Спасибо, что выбрали «{store_name}»! Ждём Вас снова."})"});
  auto catalog = Catalog::Load(files);
  ASSERT_TRUE(catalog) << catalog.error().message;
  catalog_.Set(catalog.value());
  const Draft draft = drafter_.Make(ShippedOrder("спасибо!!!"), policy_);
  EXPECT_EQ(draft.intent.intent, "thanks");
  EXPECT_EQ(draft.text, "Спасибо, что выбрали «Sunny Home»! Ждём Вас снова.");
}

}  // namespace
}  // namespace csgw::templates
