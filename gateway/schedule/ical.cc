#include "gateway/schedule/ical.h"

#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "base/strings.h"
#include "i18n/time_zone.h"

namespace csgw::gateway::schedule {
namespace {

using std::chrono::seconds;

struct Line {
  size_t number = 0;  // 1-based physical line where the logical (unfolded) line starts
  std::string text;
};

struct Property {
  std::string name;                                         // upper case
  std::vector<std::pair<std::string, std::string>> params;  // upper-case names
  std::string value;

  const std::string* Param(std::string_view key) const {
    for (const auto& [k, v] : params) {
      if (k == key) return &v;
    }
    return nullptr;
  }
};

// A DTSTART or DTEND value.
struct When {
  bool is_date = true;
  Closure::Stamp stamp;
  std::string zone;  // "" floating, "UTC", or an IANA name
};

struct EventDraft {
  size_t line = 0;
  std::optional<When> start;
  std::optional<When> end;
  std::string summary;
  bool cancelled = false;
  int every_years = 0;
  std::optional<int> count;
  std::optional<CivilDate> until;
};

Error LineError(size_t line, std::string_view message) {
  return Error{Errc::kInvalidField,
               "ics line " + std::to_string(line) + ": " + std::string(message)};
}

bool IsDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int Number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

// Physical lines (CRLF or LF) unfolded into logical lines; blank lines dropped.
Result<std::vector<Line>> Unfold(std::string_view text) {
  std::vector<Line> lines;
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    const size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.find('\r') != std::string_view::npos) return LineError(number, "stray carriage return");
    if (raw.empty()) continue;
    if (raw[0] == ' ' || raw[0] == '\t') {
      if (lines.empty()) return LineError(number, "continuation line without a line to continue");
      lines.back().text.append(raw.substr(1));
      continue;
    }
    lines.push_back({number, std::string(raw)});
  }
  return lines;
}

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// name *(";" param "=" value *("," value)) ":" value; quoted parameter values may hold ':' ';'.
Result<Property> ParseProperty(const Line& line) {
  const std::string& s = line.text;
  Property p;
  size_t i = 0;
  while (i < s.size() && IsNameChar(s[i])) ++i;
  if (i == 0) return LineError(line.number, "expected a property name");
  p.name = AsciiUpper(std::string_view(s).substr(0, i));
  while (i < s.size() && s[i] == ';') {
    const size_t name_begin = ++i;
    while (i < s.size() && IsNameChar(s[i])) ++i;
    if (i == name_begin || i >= s.size() || s[i] != '=') {
      return LineError(line.number, "malformed parameter of " + p.name);
    }
    std::string key = AsciiUpper(std::string_view(s).substr(name_begin, i - name_begin));
    ++i;
    std::string value;
    if (i < s.size() && s[i] == '"') {
      const size_t close = s.find('"', i + 1);
      if (close == std::string::npos) {
        return LineError(line.number, "unterminated quoted parameter of " + p.name);
      }
      value = s.substr(i + 1, close - i - 1);
      i = close + 1;
    } else {
      const size_t value_begin = i;
      while (i < s.size() && s[i] != ';' && s[i] != ':' && s[i] != '"') ++i;
      value = s.substr(value_begin, i - value_begin);
    }
    p.params.emplace_back(std::move(key), std::move(value));
  }
  if (i >= s.size() || s[i] != ':') return LineError(line.number, "expected ':' after " + p.name);
  p.value = s.substr(i + 1);
  return p;
}

std::string Unescape(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      const char c = v[++i];
      out.push_back(c == 'n' || c == 'N' ? '\n' : c);
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

std::optional<CivilDate> BasicDate(std::string_view v) {
  if (v.size() != 8 || !IsDigits(v)) return std::nullopt;
  CivilDate d{Number(v.substr(0, 4)), static_cast<unsigned>(Number(v.substr(4, 2))),
              static_cast<unsigned>(Number(v.substr(6, 2)))};
  if (!IsValidDate(d)) return std::nullopt;
  return d;
}

Result<When> ParseWhen(const Property& p, size_t line) {
  When when;
  const std::string* value_type = p.Param("VALUE");
  const std::string* tzid = p.Param("TZID");
  if (p.value.size() == 8) {
    if (value_type != nullptr && AsciiUpper(*value_type) != "DATE") {
      return LineError(line, p.name + " is a date but VALUE is not DATE");
    }
    const auto date = BasicDate(p.value);
    if (!date) return LineError(line, p.name + ": invalid date (expected YYYYMMDD)");
    if (tzid != nullptr) return LineError(line, p.name + ": a date takes no TZID");
    when.stamp.date = *date;
    return when;
  }
  if (value_type != nullptr && AsciiUpper(*value_type) != "DATE-TIME") {
    return LineError(line, p.name + ": VALUE must be DATE or DATE-TIME");
  }
  std::string_view v = p.value;
  const bool utc = !v.empty() && v.back() == 'Z';
  if (utc) v.remove_suffix(1);
  const auto date = v.size() == 15 && v[8] == 'T' ? BasicDate(v.substr(0, 8)) : std::nullopt;
  const std::string_view t = v.size() == 15 ? v.substr(9) : std::string_view();
  if (!date || !IsDigits(t) || Number(t.substr(0, 2)) > 23 || Number(t.substr(2, 2)) > 59 ||
      Number(t.substr(4, 2)) > 59) {
    return LineError(line, p.name + ": invalid date-time (expected YYYYMMDDTHHMMSS[Z])");
  }
  when.is_date = false;
  when.stamp = {*date, seconds(Number(t.substr(0, 2)) * 3600 + Number(t.substr(2, 2)) * 60 +
                               Number(t.substr(4, 2)))};
  if (utc && tzid != nullptr) return LineError(line, p.name + ": both 'Z' and TZID");
  if (utc) when.zone = "UTC";
  if (tzid != nullptr) {
    if (!i18n::IsKnownZone(*tzid)) {
      return LineError(
          line, p.name + ": TZID '" + tzid->substr(0, 64) + "' is not an IANA time zone name");
    }
    when.zone = *tzid;
  }
  return when;
}

Result<void> ParseRule(const Property& p, size_t line, EventDraft* event) {
  bool yearly = false;
  int interval = 1;
  std::string_view rest = p.value;
  while (!rest.empty()) {
    const size_t semi = rest.find(';');
    const std::string_view part = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) return LineError(line, "RRULE: malformed part");
    const std::string key = AsciiUpper(part.substr(0, eq));
    const std::string_view value = part.substr(eq + 1);
    if (key == "FREQ") {
      if (AsciiUpper(value) != "YEARLY")
        return LineError(line, "RRULE: only FREQ=YEARLY is supported");
      yearly = true;
    } else if (key == "INTERVAL" || key == "COUNT") {
      if (!IsDigits(value) || value.size() > 4 || Number(value) < 1) {
        return LineError(line, "RRULE: " + key + " must be a positive number");
      }
      if (key == "INTERVAL") {
        interval = Number(value);
      } else {
        event->count = Number(value);
      }
    } else if (key == "UNTIL") {
      // A date-time UNTIL is compared by its date part (holidays are whole local days).
      const auto date = BasicDate(value.substr(0, 8));
      if (!date || (value.size() != 8 && value.size() != 15 && value.size() != 16)) {
        return LineError(line, "RRULE: invalid UNTIL");
      }
      event->until = *date;
    } else if (key == "WKST") {
      continue;  // irrelevant to a yearly rule without BY* parts
    } else {
      return LineError(line, "RRULE: " + key + " is not supported");
    }
  }
  if (!yearly) return LineError(line, "RRULE: FREQ is required");
  if (event->count && event->until) return LineError(line, "RRULE: both COUNT and UNTIL");
  event->every_years = interval;
  return Ok();
}

Result<std::optional<Closure>> Finish(EventDraft& e, size_t end_line) {
  if (!e.start) return LineError(e.line, "VEVENT without DTSTART");
  if (e.cancelled) return std::optional<Closure>();
  Closure c;
  c.name = e.summary;
  c.all_day = e.start->is_date;
  c.start = e.start->stamp;
  if (!e.end) {
    if (!c.all_day) return LineError(e.line, "timed VEVENT without DTEND");
    c.end = {AddDays(c.start.date, 1), seconds(0)};
  } else {
    if (e.end->is_date != e.start->is_date) {
      return LineError(end_line, "DTSTART and DTEND must both be dates or both date-times");
    }
    if (e.end->zone != e.start->zone) {
      return LineError(end_line, "DTSTART and DTEND in different zones are not supported");
    }
    c.end = e.end->stamp;
  }
  c.zone = e.start->zone;
  if (std::tie(c.end.date, c.end.time) <= std::tie(c.start.date, c.start.time)) {
    return LineError(end_line, "DTEND is not after DTSTART");
  }
  c.every_years = e.every_years;
  c.count = e.count;
  c.until = e.until;
  return std::optional<Closure>(std::move(c));
}

}  // namespace

Result<std::vector<Closure>> ParseICalendar(std::string_view text) {
  if (text.size() > kMaxICalendarBytes) {
    return Error{Errc::kPayloadTooLarge,
                 "ics: larger than " + std::to_string(kMaxICalendarBytes) + " bytes"};
  }
  auto lines = Unfold(text);
  if (!lines) return lines.error();
  if (lines.value().empty()) return LineError(1, "empty calendar");

  std::vector<Closure> closures;
  enum class State { kStart, kCalendar, kEvent, kDone } state = State::kStart;
  std::vector<std::string> skipping;  // names of components being skipped, innermost last
  EventDraft event;
  for (const Line& line : lines.value()) {
    auto parsed = ParseProperty(line);
    if (!parsed) return parsed.error();
    const Property& p = parsed.value();
    const std::string component = AsciiUpper(p.value);
    if (!skipping.empty()) {
      if (p.name == "BEGIN") skipping.push_back(component);
      if (p.name == "END") {
        if (component != skipping.back()) {
          return LineError(line.number, "END:" + component + " inside " + skipping.back());
        }
        skipping.pop_back();
      }
      continue;
    }
    switch (state) {
      case State::kStart:
        if (p.name != "BEGIN" || component != "VCALENDAR") {
          return LineError(line.number, "expected BEGIN:VCALENDAR");
        }
        state = State::kCalendar;
        break;
      case State::kDone:
        return LineError(line.number, "content after END:VCALENDAR");
      case State::kCalendar:
        if (p.name == "BEGIN" && component == "VEVENT") {
          if (closures.size() >= kMaxICalendarEvents) {
            return LineError(line.number,
                             "more than " + std::to_string(kMaxICalendarEvents) + " events");
          }
          event = EventDraft{};
          event.line = line.number;
          state = State::kEvent;
        } else if (p.name == "BEGIN") {
          skipping.push_back(component);  // VTIMEZONE, VTODO, ...: offsets come from tzdata
        } else if (p.name == "END") {
          if (component != "VCALENDAR")
            return LineError(line.number, "unexpected END:" + component);
          state = State::kDone;
        }
        break;
      case State::kEvent:
        if (p.name == "BEGIN") {
          skipping.push_back(component);  // VALARM
        } else if (p.name == "END") {
          if (component != "VEVENT") return LineError(line.number, "unexpected END:" + component);
          auto closure = Finish(event, line.number);
          if (!closure) return closure.error();
          if (closure.value()) closures.push_back(std::move(*closure.value()));
          state = State::kCalendar;
        } else if (p.name == "DTSTART" || p.name == "DTEND") {
          auto& slot = p.name == "DTSTART" ? event.start : event.end;
          if (slot) return LineError(line.number, "duplicate " + p.name);
          auto when = ParseWhen(p, line.number);
          if (!when) return when.error();
          slot = when.value();
        } else if (p.name == "SUMMARY") {
          event.summary = Unescape(p.value);
        } else if (p.name == "STATUS") {
          event.cancelled = AsciiUpper(p.value) == "CANCELLED";
        } else if (p.name == "RRULE") {
          if (event.every_years != 0) return LineError(line.number, "more than one RRULE");
          if (auto r = ParseRule(p, line.number, &event); !r) return r.error();
        } else if (p.name == "DURATION" || p.name == "RDATE" || p.name == "EXDATE" ||
                   p.name == "EXRULE") {
          return LineError(line.number, p.name + " is not supported");
        }
        break;
    }
  }
  if (state != State::kDone || !skipping.empty()) {
    return LineError(lines.value().back().number, "calendar not closed with END:VCALENDAR");
  }
  return closures;
}

}  // namespace csgw::gateway::schedule
