// Language detection, intent classification, rendering, drafting and the reply quality check
// (issue #3 item 9), over a mixed corpus of buyer messages so no figure comes from one cached
// string. Figures and the command: docs/BENCHMARKS.md.
//   build/bench/bench/csgw_text_bench --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true
// Same-run anchor: BM_IcuMessageFormatCached, a plain cached icu::MessageFormat formatting the
// plural pattern BM_RenderPluralOnly renders through templates::Render.
#include <benchmark/benchmark.h>
#include <unicode/fmtable.h>
#include <unicode/locid.h>
#include <unicode/msgfmt.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/timestamp.h"
#include "i18n/format.h"
#include "i18n/language.h"
#include "templates/catalog.h"
#include "templates/draft.h"
#include "templates/intent.h"
#include "templates/quality.h"
#include "templates/render.h"

namespace csgw {
namespace {

// A buyer message with what the marketplace tells about the buyer.
struct Message {
  std::string_view text;
  std::string_view marketplace;
  std::string_view country;
  std::string_view region;
  std::string_view language;  // what a human reads it as, for the classifier
};

// Short: at most three words, as buyers send them.
constexpr Message kShort[] = {
    {"Где заказ?", "ozon", "RU", "Москва", "ru"},
    {"gracias", "mercadolibre", "MX", "", "es"},
    {"ok", "aliexpress", "US", "", "en"},
    {"где посылка", "wildberries", "RU", "Казань", "ru"},
    {"gde zakaz", "aliexpress", "RU", "", "ru"},
    {"hola", "mercadolibre", "AR", "", "es"},
    {"thx!!", "ebay", "US", "", "en"},
    {"спасибо большое", "ozon", "RU", "", "ru"},
    {"donde esta mi pedido", "mercadolibre", "MX", "Jalisco", "es"},
    {"where is it", "amazon", "US", "", "en"},
    {"Здравствуйте", "wildberries", "KZ", "", "ru"},
    {"spasibo", "aliexpress", "RU", "", "ru"},
    {"cuando llega??", "mercadolibre", "CO", "", "es"},
    {"refund please", "ebay", "GB", "", "en"},
    {"отмените заказ", "ozon", "RU", "", "ru"},
    {"no me llego", "mercadolibre", "AR", "", "es"},
    {"privet", "aliexpress", "RU", "", "ru"},
    {"Buenas tardes", "mercadolibre", "ES", "", "es"},
    {"hi", "lazada", "PH", "", "en"},
    {"трек номер?", "aliexpress", "BY", "", "ru"},
    {"tracking number?", "shopee", "SG", "", "en"},
    {"pedido cancelado??", "mercadolibre", "CL", "", "es"},
    {"vozvrat deneg", "aliexpress", "RU", "", "ru"},
    {"👍", "ozon", "RU", "", "ru"},
};

// Sentence-length: typos, transliteration, mixed languages, long complaints.
constexpr Message kSentences[] = {
    {"Здравствуйте, где мой заказ? Уже две недели жду, трек не обновляется", "ozon", "RU",
     "Новосибирск", "ru"},
    {"Добрый день! Пришел товар с браком, коробка помята и наушник левый не работает. Хочу "
     "вернуть деньги",
     "wildberries", "RU", "Санкт-Петербург", "ru"},
    {"здраствуйте подскажите пожалуйста когда будет отправка заказа я оплатил вчера", "ozon", "RU",
     "", "ru"},
    {"Можно изменить адрес доставки? Я переехал, новый адрес напишу в сообщении", "aliexpress",
     "RU", "Екатеринбург", "ru"},
    {"А есть такой же только синий и размер побольше? На 44 размер подойдет?", "wildberries", "RU",
     "", "ru"},
    {"zdravstvuite, kogda pridet moi zakaz? ya zhdu uzhe mesyac", "aliexpress", "RU", "", "ru"},
    {"Пришло не то что заказывал, вместо черного прислали белый. Оформите возврат пожалуйста",
     "ozon", "RU", "", "ru"},
    {"Сделайте скидку если возьму 10 штук, нужно для офиса", "aliexpress", "KZ", "Алматы", "ru"},
    {"Спасибо, все пришло, очень довольна! Оставлю хороший отзыв", "wildberries", "RU", "", "ru"},
    {"Оплата не проходит, карта Мир, пишет ошибка платежа. Что делать?", "ozon", "RU", "", "ru"},
    {"Посылка застряла на таможне, с меня требуют пошлину. Кто должен платить?", "aliexpress", "RU",
     "", "ru"},
    {"хочу отменить заказ пока его не отправили, передумал", "ozon", "RU", "", "ru"},
    {"Заказ пришел, но в нем нет зарядки, хотя в описании она есть. Где tracking???", "aliexpress",
     "RU", "", "ru"},
    {"ne prishla posylka, trek LP00123456789012 pokazyvaet chto vruchena, no ya ee ne poluchal",
     "aliexpress", "RU", "", "ru"},
    {"Сколько стоит доставка до Владивостока и сколько дней идет?", "ozon", "RU", "Владивосток",
     "ru"},
    {"Hola buenas tardes, mi pedido todavia no llega y ya paso la fecha de entrega", "mercadolibre",
     "MX", "Ciudad de México", "es"},
    {"el producto llego roto, la caja venia abierta. Quiero la devolucion de mi dinero",
     "mercadolibre", "AR", "", "es"},
    {"Buenas, se puede cambiar la direccion de envio? me equivoque de numero de casa",
     "mercadolibre", "CO", "", "es"},
    {"tienen en talla M? y en color negro? gracias", "mercadolibre", "CL", "", "es"},
    {"Quisiera cancelar mi compra por favor, ya no lo necesito", "mercadolibre", "MX", "", "es"},
    {"si compro 20 unidades me hacen descuento? es para mi tienda", "mercadolibre", "PE", "", "es"},
    {"Muchas gracias, llego todo perfecto y muy rapido!! 5 estrellas", "mercadolibre", "ES", "",
     "es"},
    {"no puedo pagar con mi tarjeta, me sale error, aceptan oxxo o transferencia?", "mercadolibre",
     "MX", "Nuevo León", "es"},
    {"me cobraron impuestos de aduana, eso no decia en la publicacion", "aliexpress", "CL", "",
     "es"},
    {"Hola, cuanto tarda el envio a Monterrey y cuanto cuesta?", "mercadolibre", "MX", "Nuevo León",
     "es"},
    {"recibi otro modelo, no es el que pedi. como hago para devolverlo", "mercadolibre", "UY", "",
     "es"},
    {"mi paquete dice entregado pero no me llego nada, ayuda porfavor", "mercadolibre", "MX", "",
     "es"},
    {"Hi, where is my order? It was supposed to arrive last week and tracking hasn't moved",
     "amazon", "US", "California", "en"},
    {"The item arrived damaged, screen is cracked. I want a refund or replacement", "ebay", "GB",
     "", "en"},
    {"Can I change the shipping adress? I moved to a new apartment", "aliexpress", "US", "Texas",
     "en"},
    {"do you have this in size L and in blue? need it before friday", "shopee", "MY", "", "en"},
    {"Please cancel my order, I ordered the wrong one by mistake", "lazada", "PH", "", "en"},
    {"Any discount if I buy 50 pcs? We are a small shop", "aliexpress", "AU", "", "en"},
    {"Thank you so much, arrived quickly and works great!", "ebay", "US", "", "en"},
    {"payment failed twice, my card was charged but order shows unpaid", "amazon", "US", "", "en"},
    {"Do I have to pay customs duties for delivery to Canada?", "aliexpress", "CA", "", "en"},
    {"never recieved my package, tracking says delivered to mailbox but nothing there", "ebay",
     "US", "Florida", "en"},
    {"How long does shipping take to Singapore and how much does it cost?", "shopee", "SG", "",
     "en"},
    {"Здравствуйте, order 8123456789 still not shipped, когда отправите?", "aliexpress", "RU", "",
     "ru"},
    {"hola, my order no llego todavia, can you check pls", "mercadolibre", "MX", "", "es"},
    {"Добрый вечер! Подскажите, можно оплатить при получении или только картой?", "ozon", "RU", "",
     "ru"},
    {"Сколько будет идти посылка в Беларусь? Таможня будет?", "wildberries", "BY", "", "ru"},
};

std::vector<Message> Mixed() {
  std::vector<Message> all(std::begin(kSentences), std::end(kSentences));
  // Interleave so consecutive calls differ in length and language.
  for (size_t i = 0; i < std::size(kShort); ++i) {
    all.insert(all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i * 3)), kShort[i]);
  }
  return all;
}

const i18n::LanguageDetector& Detector() {
  static const i18n::LanguageDetector detector;
  return detector;
}

const templates::IntentClassifier& Classifier() {
  static const auto classifier = templates::MakeRuleClassifier();
  return *classifier;
}

// Earlier messages' languages for half the conversations: the priors path sees both cases.
i18n::LanguagePriors PriorsOf(const Message& m, size_t index) {
  i18n::LanguagePriors p;
  p.marketplace = std::string(m.marketplace);
  p.buyer_country = std::string(m.country);
  if (index % 2 == 0) p.history = {std::string(m.language)};
  return p;
}

// --- 1. Language detection ----------------------------------------------------------------

template <size_t N>
void DetectOver(benchmark::State& state, const Message (&corpus)[N]) {
  const bool with_priors = state.range(0) != 0;
  std::vector<i18n::LanguagePriors> priors;
  for (size_t i = 0; i < N; ++i) {
    priors.push_back(with_priors ? PriorsOf(corpus[i], i) : i18n::LanguagePriors{});
  }
  const auto& detector = Detector();
  size_t i = 0;
  for (auto _ : state) {
    auto detected = detector.Detect(corpus[i].text, priors[i]);
    benchmark::DoNotOptimize(detected);
    if (++i == N) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DetectShort(benchmark::State& state) { DetectOver(state, kShort); }
BENCHMARK(BM_DetectShort)->ArgName("priors")->Arg(0)->Arg(1);

void BM_DetectSentence(benchmark::State& state) { DetectOver(state, kSentences); }
BENCHMARK(BM_DetectSentence)->ArgName("priors")->Arg(0)->Arg(1);

// --- 2. Intent classification -------------------------------------------------------------

void BM_Classify(benchmark::State& state) {
  const std::vector<Message> corpus = Mixed();
  const auto& classifier = Classifier();
  size_t i = 0;
  for (auto _ : state) {
    auto intent = classifier.Classify(corpus[i].text, corpus[i].language);
    benchmark::DoNotOptimize(intent);
    if (++i == corpus.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Classify);

// --- 3. Rendering -------------------------------------------------------------------------

struct RenderCase {
  const char* locale;
  const char* zone;
  const char* currency;
  const char* pattern;  // plural + money + date
  const char* plural;   // the plural alone, for the ICU anchor
};

constexpr RenderCase kRenderCases[] = {
    {"ru-RU", "Europe/Moscow", "RUB",
     "Заказ № {order_id} в пути {days, plural, one {# день} few {# дня} many {# дней} other {# "
     "дня}}. Сумма {amount}, ожидаемая дата доставки {delivery_date}.",
     "Заказ в пути {days, plural, one {# день} few {# дня} many {# дней} other {# дня}}."},
    {"es-MX", "America/Mexico_City", "MXN",
     "Su pedido {order_id} lleva {days, plural, one {# día} other {# días}} en camino. Importe "
     "{amount}, entrega estimada el {delivery_date}.",
     "Su pedido lleva {days, plural, one {# día} other {# días}} en camino."},
    {"en-US", "America/New_York", "USD",
     "Your order {order_id} has been on its way for {days, plural, one {# day} other {# days}}. "
     "Total {amount}, expected delivery {delivery_date}.",
     "Your order has been on its way for {days, plural, one {# day} other {# days}}."},
};

constexpr const char* kAmounts[] = {"1234.50", "99", "15890.00", "0.99", "250.5", "7400"};

TimePoint At(const char* iso) { return *ParseIsoDateTime(iso); }

// Variables per iteration: the day count (plural category), amount and date change.
std::vector<templates::Variables> RenderVariables(const RenderCase& c) {
  std::vector<templates::Variables> out;
  const TimePoint base = At("2024-03-25T12:00:00Z");
  for (int64_t d = 0; d < 30; ++d) {
    out.push_back({{"order_id", std::string("8123456789") + std::to_string(d)},
                   {"days", d + 1},
                   {"amount", templates::MoneyValue{kAmounts[d % std::size(kAmounts)], c.currency}},
                   {"delivery_date", base + std::chrono::hours(24 * d)}});
  }
  return out;
}

void BM_Render(benchmark::State& state) {
  const RenderCase& c = kRenderCases[state.range(0)];
  state.SetLabel(c.locale);
  const auto vars = RenderVariables(c);
  const templates::RenderOptions options{c.locale, c.zone};
  size_t i = 0;
  for (auto _ : state) {
    auto text = templates::Render(c.pattern, vars[i], options);
    if (!text) std::abort();
    benchmark::DoNotOptimize(text);
    if (++i == vars.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Render)->ArgName("case")->DenseRange(0, 2);

// templates::Render with the anchor's pattern and a number only: the same work as the anchor
// plus the cache lookup, the variable map and the UTF-8 conversion.
void BM_RenderPluralOnly(benchmark::State& state) {
  const RenderCase& c = kRenderCases[state.range(0)];
  state.SetLabel(c.locale);
  std::vector<templates::Variables> vars;
  for (int64_t d = 1; d <= 30; ++d) vars.push_back({{"days", d}});
  const templates::RenderOptions options{c.locale, c.zone};
  size_t i = 0;
  for (auto _ : state) {
    auto text = templates::Render(c.plural, vars[i], options);
    if (!text) std::abort();
    benchmark::DoNotOptimize(text);
    if (++i == vars.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RenderPluralOnly)->ArgName("case")->DenseRange(0, 2);

// The anchor: one cached icu::MessageFormat, the plural pattern, a number only, UTF-8 out.
void BM_IcuMessageFormatCached(benchmark::State& state) {
  const RenderCase& c = kRenderCases[state.range(0)];
  state.SetLabel(c.locale);
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error{};
  icu::MessageFormat format(icu::UnicodeString::fromUTF8(c.plural),
                            icu::Locale::forLanguageTag(c.locale, status), parse_error, status);
  if (U_FAILURE(status)) std::abort();
  const icu::UnicodeString names[] = {"days"};
  int64_t d = 0;
  for (auto _ : state) {
    const icu::Formattable args[] = {icu::Formattable(d + 1)};
    icu::UnicodeString out;
    format.format(names, args, 1, out, status);
    std::string text;
    out.toUTF8String(text);
    benchmark::DoNotOptimize(text);
    if (++d == 30) d = 0;
  }
  if (U_FAILURE(status)) std::abort();
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IcuMessageFormatCached)->ArgName("case")->DenseRange(0, 2);

// What the cache saves: a MessageFormat built for every message. ICU builds the plural rules
// lazily, on the first format, so this builds and formats once: the anchor's work uncached.
void BM_IcuMessageFormatUncached(benchmark::State& state) {
  const RenderCase& c = kRenderCases[state.range(0)];
  state.SetLabel(c.locale);
  const icu::UnicodeString pattern = icu::UnicodeString::fromUTF8(c.plural);
  UErrorCode locale_status = U_ZERO_ERROR;
  const icu::Locale locale = icu::Locale::forLanguageTag(c.locale, locale_status);
  const icu::UnicodeString names[] = {"days"};
  int64_t d = 0;
  for (auto _ : state) {
    UErrorCode status = U_ZERO_ERROR;
    UParseError parse_error{};
    icu::MessageFormat format(pattern, locale, parse_error, status);
    const icu::Formattable args[] = {icu::Formattable(d + 1)};
    icu::UnicodeString out;
    format.format(names, args, 1, out, status);
    if (U_FAILURE(status)) std::abort();
    std::string text;
    out.toUTF8String(text);
    benchmark::DoNotOptimize(text);
    if (++d == 30) d = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IcuMessageFormatUncached)->ArgName("case")->DenseRange(0, 2);

// --- 4. The drafting pipeline -------------------------------------------------------------

// Order contexts in rotation: shipped with tracking, not shipped yet, delivered, unknown order.
templates::OrderContext Order(size_t k, std::string_view country) {
  templates::OrderContext o;
  o.order_id = "81234567890" + std::to_string(10000 + k);
  o.item = k % 2 ? "Наушники X12" : "Audífonos inalámbricos X12";
  const char* currency = country == "MX"   ? "MXN"
                         : country == "RU" ? "RUB"
                         : country == "US" ? "USD"
                                           : "EUR";
  o.total = templates::MoneyValue{kAmounts[k % std::size(kAmounts)], currency};
  switch (k % 4) {
    case 0:
      o.state = "shipped";
      o.tracking_number = "LP0012345678" + std::to_string(1000 + k);
      o.carrier = "Cainiao";
      o.shipped_at = At("2024-03-08T10:00:00Z");
      o.delivery_window_start = At("2024-03-25T00:00:00Z");
      o.delivery_window_end = At("2024-04-05T00:00:00Z");
      break;
    case 1:
      o.state = "not_shipped";
      o.ship_by = At("2024-03-22T18:00:00Z");
      break;
    case 2:
      o.state = "delivered";
      o.tracking_number = "RR123456789CN";
      o.carrier = "Почта России";
      o.shipped_at = At("2024-02-20T10:00:00Z");
      break;
    default:
      break;
  }
  return o;
}

std::vector<templates::DraftRequest> DraftRequests() {
  std::vector<templates::DraftRequest> out;
  size_t k = 0;
  for (const Message& m : Mixed()) {
    templates::DraftRequest r;
    r.marketplace = std::string(m.marketplace);
    r.store_id = "shop-1";
    r.text = std::string(m.text);
    r.buyer_name = k % 3 ? "Анна" : "María";
    r.buyer_country = std::string(m.country);
    r.buyer_region = std::string(m.region);
    if (k % 5 == 0) r.history_languages = {std::string(m.language)};
    r.order = Order(k, m.country);
    r.now = At("2024-03-20T09:00:00Z");
    out.push_back(std::move(r));
    ++k;
  }
  return out;
}

struct DraftSetup {
  templates::CatalogHolder catalog{templates::Catalog::Default()};
  templates::Drafter drafter{Detector(), Classifier(), catalog};
  templates::StorePolicy policy;
  DraftSetup() {
    policy.store_name = "Sunny Home";
    policy.agent_name = "Лена";
  }
};

DraftSetup& Drafting() {
  static DraftSetup setup;
  return setup;
}

void BM_Draft(benchmark::State& state) {
  const auto requests = DraftRequests();
  auto& setup = Drafting();
  size_t i = 0;
  size_t rendered = 0;
  for (auto _ : state) {
    auto draft = setup.drafter.Make(requests[i], setup.policy);
    rendered += !draft.text.empty();
    benchmark::DoNotOptimize(draft);
    if (++i == requests.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["with_text"] =
      benchmark::Counter(static_cast<double>(rendered) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_Draft);

// --- 5. Quality check and formatting ------------------------------------------------------

struct Reply {
  std::string text;
  std::string locale;
};

// The drafts the pipeline writes for the corpus, plus agents' own replies, some with findings.
std::vector<Reply> Replies() {
  std::vector<Reply> out;
  for (const auto& r : DraftRequests()) {
    auto draft = Drafting().drafter.Make(r, Drafting().policy);
    if (!draft.text.empty()) out.push_back({draft.text, draft.locale});
  }
  const Reply agents[] = {
      {"Нет в наличии.", "ru-RU"},
      {"Привет! Твой заказ уже в пути, жди на следующей неделе.", "ru-RU"},
      {"Здравствуйте! Приносим извинения за задержку. Заказ № {order_id} передан в доставку.",
       "ru-RU"},
      {"Это не наша вина, обращайтесь в службу доставки.", "ru-RU"},
      {"No tenemos ese modelo. Saludos.", "es-MX"},
      {"Hola! Lamentamos mucho lo ocurrido. Le enviaremos un reemplazo sin costo adicional esta "
       "misma semana.",
       "es-MX"},
      {"We can't refund this order.", "en-US"},
      {"Hi! Sorry for the delay. Your parcel was handed to the carrier today; tracking should "
       "update within 24 hours. Thank you for your patience!",
       "en-US"},
  };
  for (const auto& a : agents) out.push_back(a);
  return out;
}

void BM_CheckReply(benchmark::State& state) {
  const auto replies = Replies();
  std::vector<templates::QualityOptions> options;
  for (const auto& r : replies) options.push_back({r.locale, true, 1000});
  size_t i = 0;
  for (auto _ : state) {
    auto findings = templates::CheckReply(replies[i].text, options[i]);
    benchmark::DoNotOptimize(findings);
    if (++i == replies.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["replies"] = static_cast<double>(replies.size());
}
BENCHMARK(BM_CheckReply);

void BM_FormatMoney(benchmark::State& state) {
  const RenderCase& c = kRenderCases[state.range(0)];
  state.SetLabel(c.locale);
  size_t i = 0;
  for (auto _ : state) {
    auto text = i18n::FormatMoney(c.locale, kAmounts[i], c.currency);
    benchmark::DoNotOptimize(text);
    if (++i == std::size(kAmounts)) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FormatMoney)->ArgName("case")->DenseRange(0, 2);

void BM_FormatDate(benchmark::State& state) {
  const RenderCase& c = kRenderCases[state.range(0)];
  state.SetLabel(c.locale);
  std::vector<TimePoint> dates;
  for (int d = 0; d < 30; ++d)
    dates.push_back(At("2024-03-25T12:00:00Z") + std::chrono::hours(24 * d));
  size_t i = 0;
  for (auto _ : state) {
    auto text = i18n::FormatDate(c.locale, dates[i], c.zone, i18n::DateStyle::kLongDate);
    benchmark::DoNotOptimize(text);
    if (++i == dates.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FormatDate)->ArgName("case")->DenseRange(0, 2);

}  // namespace
}  // namespace csgw

BENCHMARK_MAIN();
