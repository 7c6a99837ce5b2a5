#include "i18n/time_zone.h"

#include <date/tz.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/embedded.h"
#include "i18n/embedded_data.h"
#include "i18n/normalize.h"

namespace csgw::i18n {
namespace {

using std::chrono::seconds;

// date::locate_zone throws for unknown names; this file is where that becomes a value.
const date::time_zone* Locate(std::string_view zone) {
  if (zone.empty() || zone.size() > 64) return nullptr;
  try {
    return date::locate_zone(zone);
  } catch (const std::exception&) {
    return nullptr;
  }
}

Error UnknownZone(std::string_view zone) {
  return Error{Errc::kInvalidField, "unknown time zone '" + std::string(zone.substr(0, 64)) + "'"};
}

ZoneOffset FromInfo(const date::sys_info& info) {
  return ZoneOffset{info.offset, info.save != std::chrono::minutes{0}, info.abbrev};
}

// Country → (folded region name → zone), and each country's default zone; from data/zones.tsv.
struct ZoneTable {
  std::map<std::string, std::string, std::less<>> country_default;
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> regions;
};

const ZoneTable& Table() {
  static const ZoneTable table = [] {
    ZoneTable t;
    const auto content = FindEmbedded(I18nData(), "data/zones.tsv");
    if (!content) std::abort();  // the build embeds it; missing means a broken build
    std::string_view rest = *content;
    while (!rest.empty()) {
      const size_t eol = rest.find('\n');
      std::string_view line = rest.substr(0, eol);
      rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
      if (line.empty() || line[0] == '#') continue;
      const size_t tab1 = line.find('\t');
      const size_t tab2 = line.find('\t', tab1 + 1);
      if (tab1 == std::string_view::npos || tab2 == std::string_view::npos) std::abort();
      const std::string country(line.substr(0, tab1));
      const std::string zone(line.substr(tab1 + 1, tab2 - tab1 - 1));
      t.country_default.emplace(country, zone);  // first row wins
      std::string_view names = line.substr(tab2 + 1);
      while (!names.empty()) {
        const size_t comma = names.find(',');
        const std::string_view name = names.substr(0, comma);
        names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
        if (!name.empty()) t.regions[country].emplace(FoldForMatching(name), zone);
      }
    }
    return t;
  }();
  return table;
}

}  // namespace

Result<ZoneOffset> OffsetAt(std::string_view zone, TimePoint instant) {
  const date::time_zone* tz = Locate(zone);
  if (tz == nullptr) return UnknownZone(zone);
  return FromInfo(tz->get_info(std::chrono::time_point_cast<seconds>(instant)));
}

bool IsKnownZone(std::string_view zone) { return Locate(zone) != nullptr; }

Result<LocalDateTime> ToLocal(std::string_view zone, TimePoint instant) {
  const date::time_zone* tz = Locate(zone);
  if (tz == nullptr) return UnknownZone(zone);
  const auto sys = std::chrono::time_point_cast<seconds>(instant);
  const date::sys_info info = tz->get_info(sys);
  const auto local = date::local_seconds{(sys + info.offset).time_since_epoch()};
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  LocalDateTime out;
  out.year = static_cast<int>(ymd.year());
  out.month = static_cast<unsigned>(ymd.month());
  out.day = static_cast<unsigned>(ymd.day());
  out.weekday = date::weekday{day}.c_encoding();
  out.time_of_day = local - day;
  out.zone = FromInfo(info);
  return out;
}

Result<TimePoint> FromLocal(std::string_view zone, int year, unsigned month, unsigned day,
                            seconds time_of_day) {
  const date::time_zone* tz = Locate(zone);
  if (tz == nullptr) return UnknownZone(zone);
  const date::year_month_day ymd{date::year{year}, date::month{month}, date::day{day}};
  if (!ymd.ok()) {
    return Error{Errc::kInvalidField, "invalid date " + std::to_string(year) + "-" +
                                          std::to_string(month) + "-" + std::to_string(day)};
  }
  const date::local_seconds local = date::local_days{ymd} + time_of_day;
  const date::local_info info = tz->get_info(local);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // first occurrence: the earlier offset
      return TimePoint(local.time_since_epoch() - info.first.offset);
    case date::local_info::nonexistent:
      // The gap ends where the second period begins: that is when the clocks jump.
      return TimePoint(info.second.begin.time_since_epoch());
  }
  return UnknownZone(zone);
}

std::string FormatUtcOffset(seconds offset) {
  const char sign = offset < seconds{0} ? '-' : '+';
  const long total = std::labs(static_cast<long>(offset.count()));
  char buffer[48];
  // Local mean times before 1900 have offsets in seconds: print them rather than cut them.
  if (total % 60 != 0) {
    std::snprintf(buffer, sizeof buffer, "%c%02ld:%02ld:%02ld", sign, total / 3600,
                  (total % 3600) / 60, total % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%c%02ld:%02ld", sign, total / 3600, (total % 3600) / 60);
  }
  return buffer;
}

Result<std::string> FormatLocalIso(std::string_view zone, TimePoint instant) {
  auto local = ToLocal(zone, instant);
  if (!local) return local.error();
  const LocalDateTime& l = local.value();
  const long tod = static_cast<long>(l.time_of_day.count());
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02ld:%02ld:%02ld", l.year, l.month, l.day,
                tod / 3600, (tod % 3600) / 60, tod % 60);
  return std::string(buffer) + FormatUtcOffset(l.zone.offset);
}

std::optional<ZoneGuess> GuessBuyerZone(std::string_view marketplace_zone, std::string_view country,
                                        std::string_view region) {
  if (!marketplace_zone.empty() && IsKnownZone(marketplace_zone)) {
    return ZoneGuess{std::string(marketplace_zone), "marketplace"};
  }
  std::string cc(country);
  for (char& c : cc) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const ZoneTable& table = Table();
  if (!region.empty()) {
    auto regions = table.regions.find(cc);
    if (regions != table.regions.end()) {
      const std::string folded = FoldForMatching(region);
      // The whole value first ("Новосибирская область"), then its parts ("Россия, Новосибирск").
      if (auto it = regions->second.find(folded); it != regions->second.end()) {
        return ZoneGuess{it->second, "region"};
      }
      std::string_view rest = folded;
      while (!rest.empty()) {
        const size_t comma = rest.find_first_of(",;/");
        std::string_view part = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        // "г. Москва", "город Москва" and similar prefixes.
        for (std::string_view prefix : {"г. ", "г ", "город ", "ciudad de ", "estado de "}) {
          if (part.substr(0, prefix.size()) == prefix &&
              regions->second.count(part.substr(prefix.size()))) {
            part.remove_prefix(prefix.size());
          }
        }
        if (auto it = regions->second.find(part); it != regions->second.end()) {
          return ZoneGuess{it->second, "region"};
        }
      }
    }
  }
  if (auto it = table.country_default.find(cc); it != table.country_default.end()) {
    return ZoneGuess{it->second, "country"};
  }
  return std::nullopt;
}

}  // namespace csgw::i18n
