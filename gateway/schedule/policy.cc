#include "gateway/schedule/policy.h"

#include <array>
#include <initializer_list>
#include <utility>
#include <vector>

#include "base/json.h"
#include "gateway/schedule/ical.h"
#include "i18n/time_zone.h"

namespace csgw::gateway::schedule {
namespace {

using std::chrono::seconds;

// Every member of `object` must be one of `known`.
Result<std::vector<std::pair<std::string, JsonValue>>> Members(
    const JsonValue& object, std::initializer_list<std::string_view> known) {
  return object.KnownMembers(known, "known setting");
}

Result<seconds> DurationOf(const JsonValue& value) {
  auto text = value.AsString();
  if (!text) return text.error();
  const auto parsed = ParseDuration(text.value());
  if (!parsed) return FieldError(value.path(), "must be a duration such as \"24h\" or \"1h30m\"");
  return *parsed;
}

Result<ReplySla> SlaOf(const JsonValue& value) {
  auto members = Members(value, {"within", "clock"});
  if (!members) return members.error();
  ReplySla sla;
  auto within = value.Get("within");
  if (!within) return within.error();
  auto duration = DurationOf(within.value());
  if (!duration) return duration.error();
  if (duration.value() <= seconds(0)) return FieldError(within.value().path(), "must be positive");
  sla.within = duration.value();
  auto clock = value.OptionalString("clock");
  if (!clock) return clock.error();
  if (clock.value()) {
    if (*clock.value() == "calendar") {
      sla.clock = SlaClock::kCalendar;
    } else if (*clock.value() == "business_hours") {
      sla.clock = SlaClock::kBusinessHours;
    } else {
      return FieldError(value.path() + ".clock", "must be \"calendar\" or \"business_hours\"");
    }
  }
  return sla;
}

bool IsMarketplaceId(std::string_view id) {
  if (id.empty() || id.size() > 32) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Result<void> ParseSla(const JsonValue& value, SlaPolicy* sla) {
  auto members = Members(value, {"default", "marketplaces"});
  if (!members) return members.error();
  auto fallback = value.Find("default");
  if (!fallback) return fallback.error();
  if (fallback.value()) {
    auto parsed = SlaOf(*fallback.value());
    if (!parsed) return parsed.error();
    sla->fallback = parsed.value();
  }
  auto marketplaces = value.OptionalObject("marketplaces");
  if (!marketplaces) return marketplaces.error();
  if (!marketplaces.value()) return Ok();
  auto entries = marketplaces.value()->AsMembers();
  if (!entries) return entries.error();
  for (const auto& [id, entry] : entries.value()) {
    if (!IsMarketplaceId(id)) return FieldError(entry.path(), "is not a lowercase marketplace id");
    auto parsed = SlaOf(entry);
    if (!parsed) return parsed.error();
    sla->marketplaces[id] = parsed.value();
  }
  return Ok();
}

Result<TimeSlot> SlotOf(const JsonValue& value) {
  auto text = value.AsString();
  if (!text) return text.error();
  const std::string& s = text.value();
  const size_t dash = s.find('-');
  const auto start = dash == std::string::npos
                         ? std::nullopt
                         : ParseClockTime(std::string_view(s).substr(0, dash), false);
  const auto end = dash == std::string::npos
                       ? std::nullopt
                       : ParseClockTime(std::string_view(s).substr(dash + 1), true);
  if (!start || !end || *start == *end) {
    return FieldError(value.path(), "must be \"HH:MM-HH:MM\" with different ends");
  }
  return TimeSlot{*start, *end};
}

Result<void> ParseHours(const JsonValue& value, BusinessHours* hours) {
  // Index = i18n weekday: 0 = Sunday.
  static constexpr std::array<std::string_view, 7> kDays = {"sun", "mon", "tue", "wed",
                                                            "thu", "fri", "sat"};
  auto members = Members(value, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"});
  if (!members) return members.error();
  for (const auto& [key, slots] : members.value()) {
    size_t day = 0;
    while (kDays[day] != key) ++day;
    auto items = slots.AsArray();
    if (!items) return items.error();
    for (const JsonValue& item : items.value()) {
      auto slot = SlotOf(item);
      if (!slot) return slot.error();
      hours->weekly[day].push_back(slot.value());
    }
  }
  return Ok();
}

Result<Closure> HolidayOf(const JsonValue& value) {
  auto members = Members(value, {"name", "from", "to", "yearly"});
  if (!members) return members.error();
  Closure c;
  auto name = value.OptionalString("name");
  if (!name) return name.error();
  c.name = name.value().value_or("");
  std::optional<CivilDate> dates[2];
  const char* keys[2] = {"from", "to"};
  for (int i = 0; i < 2; ++i) {
    auto text = value.String(keys[i]);
    if (!text) return text.error();
    dates[i] = ParseDate(text.value());
    if (!dates[i]) return FieldError(value.path() + "." + keys[i], "must be a date YYYY-MM-DD");
  }
  if (*dates[1] < *dates[0]) return FieldError(value.path() + ".to", "is before 'from'");
  c.start = {*dates[0], seconds(0)};
  c.end = {AddDays(*dates[1], 1), seconds(0)};
  auto yearly = value.OptionalBool("yearly");
  if (!yearly) return yearly.error();
  c.every_years = yearly.value().value_or(false) ? 1 : 0;
  return c;
}

Result<BusinessHours> StoreOf(const JsonValue& value, const IcsReader& read_ics) {
  auto members = Members(value, {"zone", "hours", "holidays", "ical_files"});
  if (!members) return members.error();
  BusinessHours hours;
  auto zone = value.NonEmptyString("zone");
  if (!zone) return zone.error();
  if (!i18n::IsKnownZone(zone.value())) {
    return FieldError(value.path() + ".zone", "is not a time zone of the tz database");
  }
  hours.zone = zone.value();
  auto weekly = value.OptionalObject("hours");
  if (!weekly) return weekly.error();
  if (weekly.value()) {
    if (auto r = ParseHours(*weekly.value(), &hours); !r) return r.error();
  }
  auto holidays = value.Find("holidays");
  if (!holidays) return holidays.error();
  if (holidays.value()) {
    auto items = holidays.value()->AsArray();
    if (!items) return items.error();
    for (const JsonValue& item : items.value()) {
      auto closure = HolidayOf(item);
      if (!closure) return closure.error();
      hours.closures.push_back(std::move(closure.value()));
    }
  }
  auto files = value.StringArray("ical_files");
  if (!files) return files.error();
  for (const std::string& path : files.value()) {
    if (!read_ics) return FieldError(value.path() + ".ical_files", "given but no reader for them");
    auto content = read_ics(path);
    if (!content) return content.error();
    auto closures = ParseICalendar(content.value());
    if (!closures) {
      Error e = closures.error();
      e.message = path + ": " + e.message;
      return e;
    }
    for (Closure& c : closures.value()) hours.closures.push_back(std::move(c));
  }
  if (auto valid = Validate(hours); !valid) {
    return FieldError(value.path(), "is invalid: " + valid.error().message);
  }
  return hours;
}

Result<void> ParseWindow(const JsonValue& value, SendPolicy* send) {
  auto members = Members(value, {"start", "end", "replies_wait_for_window", "sla_margin"});
  if (!members) return members.error();
  for (const char* key : {"start", "end"}) {
    auto text = value.OptionalString(key);
    if (!text) return text.error();
    if (!text.value()) continue;
    const auto t = ParseClockTime(*text.value(), std::string_view(key) == "end");
    if (!t) return FieldError(value.path() + "." + key, "must be HH:MM");
    (std::string_view(key) == "start" ? send->window.start : send->window.end) = *t;
  }
  auto wait = value.OptionalBool("replies_wait_for_window");
  if (!wait) return wait.error();
  send->replies_wait_for_window = wait.value().value_or(send->replies_wait_for_window);
  auto margin = value.Find("sla_margin");
  if (!margin) return margin.error();
  if (margin.value()) {
    auto d = DurationOf(*margin.value());
    if (!d) return d.error();
    send->sla_margin = d.value();
  }
  return Ok();
}

}  // namespace

std::optional<seconds> ParseDuration(std::string_view text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    int64_t n = 0;
    const size_t digits_begin = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - digits_begin < 9) {
      n = n * 10 + (text[i++] - '0');
    }
    if (i == digits_begin || i >= text.size()) return std::nullopt;
    switch (text[i++]) {
      case 's':
        total += n;
        break;
      case 'm':
        total += n * 60;
        break;
      case 'h':
        total += n * 3600;
        break;
      case 'd':
        total += n * 86400;
        break;
      default:
        return std::nullopt;
    }
    if (total > int64_t{10} * 366 * 86400) return std::nullopt;
  }
  return seconds(total);
}

Result<SchedulePolicy> ParseSchedulePolicy(std::string_view json, const IcsReader& read_ics) {
  if (json.size() > kMaxPolicyJsonBytes) {
    return Error{Errc::kPayloadTooLarge, "schedule policy: larger than 1 MiB"};
  }
  auto doc = JsonDocument::ParseObject(json);
  if (!doc) return doc.error();
  const JsonValue& root = doc.value().root();
  auto members = Members(root, {"reply_sla", "stores", "send_window", "follow_up_days",
                                "unpaid_reminder_after", "feedback_request_after"});
  if (!members) return members.error();
  SchedulePolicy policy;
  for (const auto& [key, value] : members.value()) {
    if (value.type() == JsonValue::Type::kNull) continue;
    if (key == "reply_sla") {
      if (auto r = ParseSla(value, &policy.sla); !r) return r.error();
    } else if (key == "stores") {
      auto stores = value.AsMembers();
      if (!stores) return stores.error();
      for (const auto& [id, store] : stores.value()) {
        if (id.empty()) return FieldError(store.path(), "needs a store id");
        auto hours = StoreOf(store, read_ics);
        if (!hours) return hours.error();
        policy.stores[id] = std::move(hours.value());
      }
    } else if (key == "send_window") {
      if (auto r = ParseWindow(value, &policy.send); !r) return r.error();
    } else if (key == "follow_up_days") {
      auto items = value.AsArray();
      if (!items) return items.error();
      policy.send.follow_up_days.clear();
      for (const JsonValue& item : items.value()) {
        auto days = item.AsInt();
        if (!days) return days.error();
        if (days.value() < 1 || days.value() > 365)
          return FieldError(item.path(), "must be 1..365");
        policy.send.follow_up_days.push_back(static_cast<int>(days.value()));
      }
    } else {
      auto d = DurationOf(value);
      if (!d) return d.error();
      (key == "unpaid_reminder_after" ? policy.send.unpaid_reminder_after
                                      : policy.send.feedback_request_after) = d.value();
    }
  }
  if (auto valid = Validate(policy.send); !valid) return valid.error();
  return policy;
}

}  // namespace csgw::gateway::schedule
