#include "templates/quality.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace csgw::templates {
namespace {

QualityOptions Options(std::string locale, bool formal = true, size_t max_length = 0) {
  QualityOptions options;
  options.locale = std::move(locale);
  options.formal = formal;
  options.max_length = max_length;
  return options;
}

std::vector<std::string> Codes(const std::vector<QualityFinding>& findings) {
  std::vector<std::string> codes;
  for (const auto& f : findings) codes.push_back(f.code);
  return codes;
}

bool Has(const std::vector<QualityFinding>& findings, std::string_view code) {
  return std::any_of(findings.begin(), findings.end(),
                     [&](const QualityFinding& f) { return f.code == code; });
}

// The message of the first finding with `code`, or "" if there is none.
std::string MessageOf(const std::vector<QualityFinding>& findings, std::string_view code) {
  for (const auto& f : findings) {
    if (f.code == code) return f.message;
  }
  return "";
}

std::string SourceDir() {
  const char* dir = std::getenv("CSGW_SOURCE_DIR");
  return dir != nullptr ? dir : "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// ---------------------------------------------------------------- empty and length

TEST(CheckReply, EmptyTextIsOnlyEmpty) {
  for (const char* text : {"", "   ", " \n\t ", "\xC2\xA0\xE2\x80\x8B"}) {  // NBSP, ZWSP
    EXPECT_EQ(Codes(CheckReply(text, Options("ru", true, 5))), std::vector<std::string>{"empty"})
        << text;
  }
  EXPECT_FALSE(Has(CheckReply("😊", Options("en")), kFindingEmpty));
}

TEST(CheckReply, TooLongCountsCodePoints) {
  const std::string ten_cyrillic = "Спасибо!!!";  // 10 code points, 17 bytes
  EXPECT_FALSE(Has(CheckReply(ten_cyrillic, Options("ru", true, 10)), kFindingTooLong));
  const auto findings = CheckReply(ten_cyrillic, Options("ru", true, 9));
  ASSERT_TRUE(Has(findings, kFindingTooLong));
  EXPECT_NE(MessageOf(findings, kFindingTooLong).find("10 characters"), std::string::npos);
  EXPECT_FALSE(Has(CheckReply(std::string(5000, 'a'), Options("en", true, 0)), kFindingTooLong));
  EXPECT_TRUE(Has(CheckReply("Thanks 😊😊", Options("en", true, 8)), kFindingTooLong));
  EXPECT_FALSE(Has(CheckReply("Thanks 😊😊", Options("en", true, 9)), kFindingTooLong));
}

// ---------------------------------------------------------------- placeholders

TEST(CheckReply, LeftoverPlaceholders) {
  const std::pair<const char*, const char*> cases[] = {
      {"Hello, {buyer_name}!", "{buyer_name}"},
      {"Hello, {{name}}!", "{{name}}"},
      {"Order {} shipped", "{}"},
      {"Здравствуйте, %s!", "%s"},
      {"Order %1$s shipped", "%1$s"},
      {"Total: %d items", "%d"},
      {"Hi %(name)s", "%(name)s"},
      {"Hi %BUYER%", "%BUYER%"},
      {"Hola $BUYER_NAME, gracias", "$BUYER_NAME"},
      {"Hola ${order}, gracias", "${order}"},
      {"Здравствуйте, [имя покупателя]!", "[имя покупателя]"},
      {"Dear [name], thank you", "[name]"},
      {"Pedido [ORDER_ID] enviado", "[ORDER_ID]"},
      {"{n, plural, one {# day} other {# days}} left", "{n, plural, one {# day} other {# days}}"},
  };
  for (const auto& [text, placeholder] : cases) {
    const auto findings = CheckReply(text, Options("en", false));
    ASSERT_TRUE(Has(findings, kFindingLeftoverPlaceholder)) << text;
    EXPECT_NE(MessageOf(findings, kFindingLeftoverPlaceholder).find(placeholder), std::string::npos)
        << text;
  }
}

TEST(CheckReply, PricesPercentagesAndFootnotesAreNotPlaceholders) {
  for (const char* text : {"Get 50% off on 11.11!", "It costs $20 or US$ 25.", "100% cotton",
                           "Total: $ 1,234.50", "See note [1] below.", "Price R$20", "20%sale",
                           "We ship in 3-5 days.", "Mail us at shop@example.com"}) {
    EXPECT_FALSE(Has(CheckReply(text, Options("en")), kFindingLeftoverPlaceholder)) << text;
  }
}

TEST(CheckReply, PlaceholderReportedOnce) {
  const auto findings = CheckReply("{name}, {name}, {order}", Options("en"));
  const auto codes = Codes(findings);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), std::string(kFindingLeftoverPlaceholder)), 2);
}

// ---------------------------------------------------------------- refusal

TEST(CheckReply, RefusalWithoutApology) {
  const std::pair<const char*, const char*> flagged[] = {
      {"en", "We can't refund this order."},
      {"en", "Unable to change the address now."},
      {"en", "This item is out of stock. We expect new stock on March 15."},
      {"en", "Hello! We cannot cancel the order. Sorry about that."},  // apology comes too late
      {"ru", "Мы не можем вернуть деньги за этот заказ."},
      {"ru", "Отменить заказ нельзя, он уже отправлен."},
      {"ru", "Товара нет в наличии, но есть похожий."},
      {"es", "No podemos cancelar su pedido."},
      {"es", "El artículo está agotado, pero tenemos uno similar."},
      {"es", "Hola. Ya no es posible cambiar la dirección. Lo sentimos."},
  };
  for (const auto& [locale, text] : flagged) {
    EXPECT_TRUE(Has(CheckReply(text, Options(locale)), kFindingRefusalWithoutApology))
        << locale << ": " << text;
  }
  const auto findings = CheckReply("Мы не можем вернуть деньги.", Options("ru-RU"));
  EXPECT_NE(MessageOf(findings, kFindingRefusalWithoutApology).find("\"не можем\""),
            std::string::npos);
}

TEST(CheckReply, RefusalWithApologyFirstPasses) {
  const std::pair<const char*, const char*> fine[] = {
      {"en", "Sorry, we can't refund this order, but we can offer a coupon."},
      {"en", "We can't refund this order, I'm sorry."},  // apology in the same first sentence
      {"en", "Hello, Anna! Unfortunately, we cannot cancel the order: it has shipped."},
      {"en", "We can't wait to hear from you!"},  // not a refusal
      {"ru", "К сожалению, товара нет в наличии, но есть похожий, и он уже на складе."},
      {"ru", "Здравствуйте, Анна! Извините, но отменить заказ уже нельзя."},
      {"ru", "Приносим извинения: мы не можем изменить адрес."},
      {"es", "Lo sentimos, no podemos cancelar su pedido."},
      {"es", "¡Hola, María! Lamentablemente, el artículo está agotado; le recomiendo uno similar."},
      {"es", "Disculpe las molestias: no es posible cambiar la dirección."},
  };
  for (const auto& [locale, text] : fine) {
    EXPECT_FALSE(Has(CheckReply(text, Options(locale)), kFindingRefusalWithoutApology))
        << locale << ": " << text;
  }
}

TEST(CheckReply, TrickyRussianNoStockWithApologyAndAlternativeIsClean) {
  EXPECT_TRUE(
      CheckReply("к сожалению, товара нет в наличии, но есть похожий — могу прислать ссылку.",
                 Options("ru"))
          .empty());
}

// ---------------------------------------------------------------- informal address

TEST(CheckReply, InformalAddressWhenFormal) {
  const std::pair<const char*, const char*> flagged[] = {
      {"ru", "Напиши нам, когда получишь посылку."},
      {"ru", "Спасибо тебе за заказ!"},
      {"ru", "Твой заказ уже в пути."},
      {"ru", "Не переживай, всё будет хорошо."},
      {"es", "Tu pedido ya fue enviado."},
      {"es", "¿Puedes enviarnos una foto?"},
      {"es", "Escríbenos si tienes dudas."},
      {"es", "Avísame cuando llegue."},
      {"es", "No te preocupes, lo resolvemos."},
      {"es", "Vos podés pagar con MercadoPago."},
      {"en", "Hey dude, your order shipped."},
  };
  for (const auto& [locale, text] : flagged) {
    EXPECT_TRUE(Has(CheckReply(text, Options(locale, true)), kFindingInformalAddress))
        << locale << ": " << text;
    EXPECT_FALSE(Has(CheckReply(text, Options(locale, false)), kFindingInformalAddress))
        << locale << ": " << text;
  }
  const auto findings = CheckReply("Tu pedido ya fue enviado.", Options("es-MX"));
  EXPECT_NE(MessageOf(findings, kFindingInformalAddress).find("\"tu\""), std::string::npos);
}

TEST(CheckReply, FormalAddressPasses) {
  const std::pair<const char*, const char*> fine[] = {
      {"ru", "Напишите нам, когда получите посылку."},
      {"ru", "Спасибо Вам за заказ! Ваш заказ уже в пути."},
      {"ru", "Товары пришли на склад, отправим завтра."},  // «пришли» as past tense
      {"es", "Su pedido ya fue enviado."},
      {"es", "¿Puede enviarnos una foto? Escríbanos si tiene dudas."},
      {"es", "Usted puede pagar con MercadoPago. Avíseme cuando llegue."},
      {"es", "No se preocupe, lo resolvemos."},
      {"en", "Your order has shipped. Thank you!"},
  };
  for (const auto& [locale, text] : fine) {
    EXPECT_FALSE(Has(CheckReply(text, Options(locale, true)), kFindingInformalAddress))
        << locale << ": " << text;
  }
}

// ---------------------------------------------------------------- forbidden phrases

TEST(CheckReply, ForbiddenPhrases) {
  struct Case {
    const char* locale;
    const char* text;
    const char* phrase;  // folded, as the message quotes it
  };
  const Case cases[] = {
      {"en", "You should have read the description before ordering.", "you should have read"},
      {"en", "That's your problem, not ours.", "thats your problem"},
      {"en", "As I already told you, the parcel is on its way.", "as i already told you"},
      {"en", "You are wrong, the size is correct.", "you are wrong"},
      {"ru", "Это ваша вина, адрес был указан неверно.", "это ваша вина"},
      {"ru", "Надо было читать описание.", "надо было читать"},
      {"ru", "Вы ошибаетесь, товар соответствует описанию.", "вы ошибаетесь"},
      {"ru", "Как я уже писал, посылка в пути.", "как я уже"},
      {"es", "Usted se equivocó de talla.", "usted se equivoco"},
      {"es", "No es nuestro problema.", "no es nuestro problema"},
      {"es", "Eso no es cierto, el paquete fue entregado.", "no es cierto"},
      {"es", "Como ya le dije, el paquete está en camino.", "como ya le dije"},
  };
  for (const auto& c : cases) {
    const auto findings = CheckReply(c.text, Options(c.locale, false));
    ASSERT_TRUE(Has(findings, kFindingForbiddenPhrase)) << c.locale << ": " << c.text;
    EXPECT_NE(MessageOf(findings, kFindingForbiddenPhrase).find(c.phrase), std::string::npos)
        << MessageOf(findings, kFindingForbiddenPhrase);
  }
}

TEST(CheckReply, NoStockWithoutAlternativeIsForbidden) {
  const std::pair<const char*, const char*> flagged[] = {
      {"en", "Sorry, this item is out of stock."},
      {"ru", "Извините, товара нет в наличии."},
      {"es", "Lo sentimos, el artículo está agotado."},
  };
  for (const auto& [locale, text] : flagged) {
    const auto findings = CheckReply(text, Options(locale));
    EXPECT_TRUE(Has(findings, kFindingForbiddenPhrase)) << text;
    EXPECT_FALSE(Has(findings, kFindingRefusalWithoutApology)) << text;
    EXPECT_NE(MessageOf(findings, kFindingForbiddenPhrase).find("no alternative"),
              std::string::npos);
  }
  const std::pair<const char*, const char*> fine[] = {
      {"en", "Sorry, this item is out of stock; we expect new stock on March 15."},
      {"ru", "Извините, товара нет в наличии. Ожидаем поступление 15 марта."},
      {"es", "Lo sentimos, el artículo está agotado. Le recomiendo un modelo similar."},
  };
  for (const auto& [locale, text] : fine) {
    EXPECT_TRUE(CheckReply(text, Options(locale)).empty()) << text;
  }
}

TEST(CheckReply, ThirdPartiesAndInnocentWordsAreNotForbidden) {
  const std::pair<const char*, const char*> fine[] = {
      {"en", "If your problem persists, please write to us and we'll figure it out together."},
      {"ru", "Если что-то не так, напишите нам. Распродажа закончилась вчера, но купон действует."},
      {"es", "Lo sentimos: el transportista se equivocó de dirección. Le reenviaremos el pedido."},
  };
  for (const auto& [locale, text] : fine) {
    EXPECT_TRUE(CheckReply(text, Options(locale)).empty()) << locale << ": " << text;
  }
}

// ---------------------------------------------------------------- locales

TEST(CheckReply, LanguageIsTheFirstSubtag) {
  for (const char* locale : {"ru", "ru-RU", "ru_RU", "RU-ru"}) {
    EXPECT_TRUE(Has(CheckReply("Твой заказ в пути.", Options(locale)), kFindingInformalAddress))
        << locale;
  }
  // No rule file for German: only the language-neutral checks run.
  const auto findings = CheckReply("Wir können nicht, {name}.", Options("de-DE"));
  EXPECT_EQ(Codes(findings), std::vector<std::string>{"leftover_placeholder"});
  // Russian rules do not judge a Spanish text.
  EXPECT_TRUE(CheckReply("Tu pedido ya fue enviado.", Options("ru")).empty());
}

// ---------------------------------------------------------------- words, sentences, rules

TEST(QualityWords, FoldsSplitsAndNumbersSentences) {
  std::vector<uint32_t> sentences;
  // "11.11" stays one sentence; "...", "?" and a newline each end one.
  const auto words = QualityWords("Hello! We can’t ship on 11.11. Sorry... OK?\nЁлка", sentences);
  const std::vector<std::string> expected = {"hello", "we", "cant",  "ship", "on",
                                             "11",    "11", "sorry", "ok",   "елка"};
  EXPECT_EQ(words, expected);
  const std::vector<uint32_t> expected_sentences = {0, 1, 1, 1, 1, 1, 1, 2, 3, 4};
  EXPECT_EQ(sentences, expected_sentences);
}

TEST(QualityRules, ParsesPrefixWildcardAndIgnore) {
  auto rules = QualityRules::Parse("test.rules", R"(# comment
[refusal]
we * unable     # wildcard word
refus*          # prefix
[ignore]
refuse the parcel
[apology]
Sorry
)");
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_EQ(rules.value().Count(QualityRules::Kind::kRefusal), 2u);
  EXPECT_EQ(rules.value().Count(QualityRules::Kind::kApology), 1u);
  const QualityOptions options = Options("xx");
  EXPECT_TRUE(Has(CheckReply("We are unable to help.", options, &rules.value()),
                  kFindingRefusalWithoutApology));
  EXPECT_TRUE(
      Has(CheckReply("We refused it.", options, &rules.value()), kFindingRefusalWithoutApology));
  EXPECT_FALSE(Has(CheckReply("You may refuse the parcel at delivery.", options, &rules.value()),
                   kFindingRefusalWithoutApology));
  EXPECT_FALSE(Has(CheckReply("SORRY, we are unable to help.", options, &rules.value()),
                   kFindingRefusalWithoutApology));
  // A phrase never spans two sentences.
  EXPECT_FALSE(Has(CheckReply("We did it. Unable? No.", options, &rules.value()),
                   kFindingRefusalWithoutApology));
}

TEST(QualityRules, ReportsErrorsWithFileAndLine) {
  const std::pair<const char*, const char*> bad[] = {
      {"[refusal]\n[nonsense]\n", "x.rules:2: unknown section [nonsense]"},
      {"\nno section\n", "x.rules:2: phrase before any [section]"},
      {"[rude]\n!!!\n", "x.rules:2: token \"!!!\" has no letters or digits"},
      {"[rude]\n* *\n", "x.rules:2: a phrase needs at least one word"},
      {"[rude\n", "x.rules:1: unclosed section header"},
  };
  for (const auto& [content, error] : bad) {
    auto rules = QualityRules::Parse("x.rules", content);
    ASSERT_FALSE(rules) << content;
    EXPECT_EQ(rules.error().message, error);
  }
}

TEST(QualityRules, ShippedRuleFilesParseAndFillEverySection) {
  ASSERT_FALSE(SourceDir().empty()) << "CSGW_SOURCE_DIR is not set";
  for (const char* language : {"en", "ru", "es"}) {
    const std::string path = SourceDir() + "/templates/quality/" + language + ".rules";
    const std::string content = ReadFile(path);
    ASSERT_FALSE(content.empty()) << path;
    auto rules = QualityRules::Parse(path, content);
    ASSERT_TRUE(rules) << rules.error().message;
    for (int k = 0; k < static_cast<int>(QualityRules::Kind::kCount); ++k) {
      EXPECT_GT(rules.value().Count(static_cast<QualityRules::Kind>(k)), 0u)
          << path << " section " << k;
    }
  }
}

TEST(CheckReply, ConcurrentCallsAgree) {
  const std::string text = "Напиши нам. Мы не можем вернуть деньги, это ваша вина, {name}.";
  const auto expected = Codes(CheckReply(text, Options("ru")));
  ASSERT_EQ(expected.size(), 4u);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (Codes(CheckReply(text, Options(t % 2 ? "ru-RU" : "ru"))) != expected) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

// ---------------------------------------------------------------- the catalogue models good
// practice

TEST(Catalog, EveryTemplatePassesTheQualityCheck) {
  ASSERT_FALSE(SourceDir().empty()) << "CSGW_SOURCE_DIR is not set";
  std::vector<std::vector<std::string>> keys_per_language;
  for (const char* language : {"en", "ru", "es"}) {
    const std::string path = SourceDir() + "/templates/catalog/" + language + ".json";
    simdjson::padded_string json;
    ASSERT_EQ(simdjson::padded_string::load(path).get(json), simdjson::SUCCESS) << path;
    simdjson::dom::parser parser;
    simdjson::dom::object catalog;
    ASSERT_EQ(parser.parse(json).get(catalog), simdjson::SUCCESS) << path;
    std::vector<std::string> keys;
    for (auto field : catalog) {
      std::string_view message;
      ASSERT_EQ(field.value.get(message), simdjson::SUCCESS) << path << " " << field.key;
      keys.emplace_back(field.key);
      // ICU placeholders are expected in the raw text; everything else must be clean.
      for (const auto& finding : CheckReply(message, Options(language, true))) {
        if (finding.code == kFindingLeftoverPlaceholder) continue;
        ADD_FAILURE() << language << " " << field.key << ": " << finding.code << ": "
                      << finding.message;
      }
    }
    std::sort(keys.begin(), keys.end());
    keys_per_language.push_back(std::move(keys));
  }
  EXPECT_GE(keys_per_language[0].size(), 40u);
  EXPECT_EQ(keys_per_language[0], keys_per_language[1]);
  EXPECT_EQ(keys_per_language[0], keys_per_language[2]);
}

}  // namespace
}  // namespace csgw::templates
