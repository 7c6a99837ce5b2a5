#include "gateway/schedule/ical.h"

#include <libical/ical.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/strings.h"
#include "i18n/time_zone.h"

namespace csgw::gateway::schedule {
namespace {

using std::chrono::seconds;

// Owners of libical objects.
struct ParserDeleter {
  void operator()(icalparser* p) const { icalparser_free(p); }
};
struct ComponentDeleter {
  void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
struct BufferDeleter {
  void operator()(char* s) const { icalmemory_free_buffer(s); }
};
using ParserPtr = std::unique_ptr<icalparser, ParserDeleter>;
using ComponentPtr = std::unique_ptr<icalcomponent, ComponentDeleter>;
using LinePtr = std::unique_ptr<char, BufferDeleter>;

// libical reports some failures through its (thread-local) icalerrno; nothing is read from it
// here, but a call must neither see a previous call's value nor leave its own behind.
class ErrnoScope {
 public:
  ErrnoScope() { icalerror_clear_errno(); }
  ~ErrnoScope() { icalerror_clear_errno(); }
  ErrnoScope(const ErrnoScope&) = delete;
  ErrnoScope& operator=(const ErrnoScope&) = delete;
};

constexpr int kMaxRuleNumber = 9999;  // INTERVAL and COUNT

// `line` is 1-based, 0 when unknown.
Error IcsError(size_t line, std::string_view message) {
  return Error{
      Errc::kInvalidField,
      (line == 0 ? "ics: " : "ics line " + std::to_string(line) + ": ") + std::string(message)};
}

std::string Clip(std::string_view s) { return std::string(s.substr(0, 64)); }

// The fgets-like line source of icalparser_get_line, which unfolds the lines it reads.
struct Source {
  std::string_view rest;
};

char* ReadChunk(char* out, size_t size, void* data) {
  auto* source = static_cast<Source*>(data);
  if (source->rest.empty() || size < 2) return nullptr;
  const size_t eol = source->rest.find('\n');
  size_t n = eol == std::string_view::npos ? source->rest.size() : eol + 1;
  if (n > size - 1) n = size - 1;
  std::memcpy(out, source->rest.data(), n);
  out[n] = '\0';
  source->rest.remove_prefix(n);
  return out;
}

// The upper-case component name of a BEGIN or END line ("BEGIN:VEVENT" → "VEVENT" with `*end`
// false), nullopt for a property line.
std::optional<std::string> ComponentLine(std::string_view line, bool* end) {
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string name = AsciiUpper(line.substr(0, colon));
  if (name != "BEGIN" && name != "END") return std::nullopt;
  *end = name == "END";
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  return AsciiUpper(value);
}

bool IsBlank(const char* line) {
  for (; *line != '\0'; ++line) {
    if (*line != '\r' && *line != '\n' && *line != ' ' && *line != '\t') return false;
  }
  return true;
}

// Where the lines of one VEVENT of the calendar are, for error messages (libical keeps no
// positions): 1-based physical lines.
struct EventLines {
  size_t begin = 0;                                                    // the BEGIN:VEVENT line
  std::map<std::string, std::vector<size_t>, std::less<>> properties;  // upper-case name

  // The line of the nth property `name`, else the BEGIN:VEVENT line.
  size_t Of(std::string_view name, size_t nth = 0) const {
    const auto it = properties.find(name);
    return it == properties.end() || it->second.size() <= nth ? begin : it->second[nth];
  }
};

struct ParsedCalendar {
  ComponentPtr root;
  std::vector<EventLines> events;  // the VEVENTs directly in the VCALENDAR, in order
};

// The physical line where each non-blank logical line starts, unfolded as
// icalparser_get_line() does (a line starting with a space or tab continues the previous one).
std::vector<size_t> LogicalLineStarts(std::string_view text) {
  std::vector<size_t> starts;
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    const size_t eol = text.find('\n');
    std::string_view raw = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.empty() || ((raw[0] == ' ' || raw[0] == '\t') && !starts.empty())) continue;
    starts.push_back(number);
  }
  return starts;
}

std::string PropertyName(std::string_view line) {
  return AsciiUpper(line.substr(0, line.find_first_of(";:")));
}

// Feeds the text to libical line by line: icalparser_parse_string() silently drops content
// before BEGIN and after END of the calendar and an unclosed trailing component, and libical
// closes the open component with any END line (END:VEVENT ends a VTIMEZONE): checked here.
Result<ParsedCalendar> ParseCalendar(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return IcsError(0, "NUL byte in the calendar");
  const std::vector<size_t> starts = LogicalLineStarts(text);
  ParserPtr parser(icalparser_new());
  if (parser == nullptr) return Error{Errc::kInternal, "ics: icalparser_new failed"};
  Source source{text};
  icalparser_set_gen_data(parser.get(), &source);
  ParsedCalendar parsed;
  std::vector<std::string> open;  // components begun and not ended, innermost last
  size_t logical = 0;
  size_t number = 0;  // physical line of the current logical line
  while (true) {
    LinePtr line(icalparser_get_line(parser.get(), &ReadChunk));
    if (line == nullptr) break;
    if (IsBlank(line.get())) continue;
    number = logical < starts.size() ? starts[logical] : 0;
    ++logical;
    if (parsed.root != nullptr) return IcsError(number, "content after END:VCALENDAR");
    bool end = false;
    if (auto component = ComponentLine(line.get(), &end)) {
      if (!end) {
        open.push_back(std::move(*component));
        if (open.size() == 2 && open.back() == "VEVENT")
          parsed.events.push_back(EventLines{.begin = number, .properties = {}});
      } else if (open.empty()) {
        return IcsError(number, "END:" + Clip(*component) + " without BEGIN");
      } else if (*component != open.back()) {
        return IcsError(number, "END:" + Clip(*component) + " inside " + open.back());
      } else {
        open.pop_back();
      }
    } else if (open.size() == 2 && open.back() == "VEVENT") {
      parsed.events.back().properties[PropertyName(line.get())].push_back(number);
    }
    ComponentPtr done(icalparser_add_line(parser.get(), line.get()));
    if (logical == 1 && icalparser_get_state(parser.get()) != ICALPARSER_BEGIN_COMP) {
      return IcsError(number, "expected BEGIN:VCALENDAR");
    }
    parsed.root = std::move(done);
  }
  if (logical == 0) return IcsError(1, "empty calendar");
  if (parsed.root == nullptr) return IcsError(number, "calendar not closed with END:VCALENDAR");
  if (icalcomponent_isa(parsed.root.get()) != ICAL_VCALENDAR_COMPONENT) {
    return IcsError(1, "expected BEGIN:VCALENDAR");
  }
  return parsed;
}

// libical replaces what it cannot parse with an X-LIC-ERROR property (the malformed property
// is dropped). An unknown property name is not malformed (RFC 5545 iana-prop): ignored.
std::optional<std::string> FirstParseError(icalcomponent* c) {
  for (icalproperty* p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p != nullptr;
       p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
    const char* text = icalproperty_get_xlicerror(p);
    const std::string message = text == nullptr ? "malformed content" : text;
    icalparameter* type = icalproperty_get_first_parameter(p, ICAL_XLICERRORTYPE_PARAMETER);
    if (type != nullptr &&
        icalparameter_get_xlicerrortype(type) == ICAL_XLICERRORTYPE_PROPERTYPARSEERROR &&
        message.starts_with("Parse error in property name")) {
      continue;
    }
    return message;
  }
  return std::nullopt;
}

// A DTSTART or DTEND value.
struct When {
  bool is_date = true;
  Closure::Stamp stamp;
  std::string zone;  // "" floating, "UTC", or an IANA name
};

struct EventDraft {
  std::string label;  // names the event in errors
  const EventLines* lines = nullptr;
  std::optional<When> start;
  std::optional<When> end;
  std::string summary;
  int every_years = 0;
  std::optional<int> count;
  std::optional<CivilDate> until;
};

// An error about the property `property` of the event (or the event itself: "").
Error EventError(const EventDraft& e, std::string_view property, std::string_view message,
                 size_t nth = 0) {
  return IcsError(property.empty() ? e.lines->begin : e.lines->Of(property, nth),
                  e.label + ": " + std::string(message));
}

// The property a libical X-LIC-ERROR text is about ("... in DTSTART property. ...",
// "Invalid VALUE type for property DTSTART: ..."), "" when it names none.
std::string PropertyOfError(std::string_view message) {
  std::string_view name;
  if (const size_t at = message.find("for property "); at != std::string_view::npos) {
    name = message.substr(at + 13);
    name = name.substr(0, name.find(':'));
  } else if (const size_t in = message.find(" in "); in != std::string_view::npos) {
    name = message.substr(in + 4);
    const size_t space = name.find(' ');
    if (space == std::string_view::npos || !name.substr(space).starts_with(" property")) return "";
    name = name.substr(0, space);
  }
  for (const char c : name) {
    if ((c < 'A' || c > 'Z') && c != '-') return "";
  }
  return std::string(name);
}

std::string Label(icalcomponent* event, size_t index) {
  std::string label = "VEVENT #" + std::to_string(index);
  if (icalproperty* p = icalcomponent_get_first_property(event, ICAL_UID_PROPERTY)) {
    if (const char* uid = icalproperty_get_uid(p); uid != nullptr && *uid != '\0') {
      label += " UID '" + Clip(uid) + "'";
    }
  }
  if (icalproperty* p = icalcomponent_get_first_property(event, ICAL_SUMMARY_PROPERTY)) {
    if (const char* summary = icalproperty_get_summary(p); summary != nullptr && *summary != '\0') {
      label += " '" + Clip(summary) + "'";
    }
  }
  return label;
}

std::optional<CivilDate> DateOf(const icaltimetype& t) {
  CivilDate d{t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day)};
  if (t.month < 1 || t.day < 1 || !IsValidDate(d)) return std::nullopt;
  return d;
}

Result<When> ReadWhen(const EventDraft& e, icalproperty* p, std::string_view name) {
  const icaltimetype t = icalproperty_isa(p) == ICAL_DTSTART_PROPERTY ? icalproperty_get_dtstart(p)
                                                                      : icalproperty_get_dtend(p);
  const std::string property(name);
  When when;
  icalparameter* tzid_param = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
  const char* tzid = tzid_param == nullptr ? nullptr : icalparameter_get_tzid(tzid_param);
  const auto date = DateOf(t);
  if (t.is_date) {
    if (!date) return EventError(e, property, property + ": invalid date");
    if (tzid != nullptr) return EventError(e, property, property + ": a date takes no TZID");
    when.stamp.date = *date;
    return when;
  }
  if (!date || t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59 || t.second < 0 ||
      t.second > 59) {
    return EventError(e, property, property + ": invalid date-time");
  }
  when.is_date = false;
  when.stamp = {*date, seconds(t.hour * 3600 + t.minute * 60 + t.second)};
  const bool utc = icaltime_is_utc(t) != 0;
  if (utc && tzid != nullptr) return EventError(e, property, property + ": both 'Z' and TZID");
  if (utc) when.zone = "UTC";
  if (tzid != nullptr) {
    if (!i18n::IsKnownZone(tzid)) {
      return EventError(e, property,
                        property + ": TZID '" + Clip(tzid) + "' is not an IANA time zone name");
    }
    when.zone = tzid;
  }
  return when;
}

bool HasPart(const short* values) { return values[0] != ICAL_RECURRENCE_ARRAY_MAX; }

Result<void> ReadRule(EventDraft& e, icalproperty* p) {
  const struct icalrecurrencetype r = icalproperty_get_rrule(p);
  if (r.freq != ICAL_YEARLY_RECURRENCE)
    return EventError(e, "RRULE", "RRULE: only FREQ=YEARLY is supported");
  const std::pair<const char*, const short*> parts[] = {
      {"BYSECOND", r.by_second},  {"BYMINUTE", r.by_minute},      {"BYHOUR", r.by_hour},
      {"BYDAY", r.by_day},        {"BYMONTHDAY", r.by_month_day}, {"BYYEARDAY", r.by_year_day},
      {"BYWEEKNO", r.by_week_no}, {"BYMONTH", r.by_month},        {"BYSETPOS", r.by_set_pos},
  };
  for (const auto& [name, values] : parts) {
    if (HasPart(values))
      return EventError(e, "RRULE", std::string("RRULE: ") + name + " is not supported");
  }
  if (r.rscale != nullptr) return EventError(e, "RRULE", "RRULE: RSCALE is not supported");
  if (r.interval < 1 || r.interval > kMaxRuleNumber) {
    return EventError(e, "RRULE", "RRULE: INTERVAL must be a positive number");
  }
  if (r.count < 0 || r.count > kMaxRuleNumber) {
    return EventError(e, "RRULE", "RRULE: COUNT must be a positive number");
  }
  if (r.count > 0) e.count = r.count;
  if (!icaltime_is_null_time(r.until)) {
    // A date-time UNTIL is compared by its date part (holidays are whole local days).
    const auto until = DateOf(r.until);
    if (!until) return EventError(e, "RRULE", "RRULE: invalid UNTIL");
    e.until = *until;
  }
  if (e.count && e.until) return EventError(e, "RRULE", "RRULE: both COUNT and UNTIL");
  e.every_years = r.interval;
  return Ok();
}

// The closure of one VEVENT, nullopt for a cancelled one.
Result<std::optional<Closure>> ReadEvent(icalcomponent* event, size_t index,
                                         const EventLines& lines) {
  EventDraft e;
  e.label = Label(event, index);
  e.lines = &lines;
  if (auto error = FirstParseError(event)) {
    return EventError(e, PropertyOfError(*error), "malformed: " + *error);
  }
  for (const icalproperty_kind kind :
       {ICAL_DURATION_PROPERTY, ICAL_RDATE_PROPERTY, ICAL_EXDATE_PROPERTY, ICAL_EXRULE_PROPERTY}) {
    if (icalcomponent_get_first_property(event, kind) != nullptr) {
      const std::string name = icalproperty_kind_to_string(kind);
      return EventError(e, name, name + " is not supported");
    }
  }
  const std::pair<icalproperty_kind, const char*> times[] = {{ICAL_DTSTART_PROPERTY, "DTSTART"},
                                                             {ICAL_DTEND_PROPERTY, "DTEND"}};
  for (const auto& [kind, name] : times) {
    icalproperty* p = icalcomponent_get_first_property(event, kind);
    if (p == nullptr) continue;
    if (icalcomponent_get_next_property(event, kind) != nullptr) {
      return EventError(e, name, std::string("duplicate ") + name, 1);
    }
    auto when = ReadWhen(e, p, name);
    if (!when) return when.error();
    (kind == ICAL_DTSTART_PROPERTY ? e.start : e.end) = std::move(when.value());
  }
  if (icalproperty* p = icalcomponent_get_first_property(event, ICAL_RRULE_PROPERTY)) {
    if (icalcomponent_get_next_property(event, ICAL_RRULE_PROPERTY) != nullptr) {
      return EventError(e, "RRULE", "more than one RRULE", 1);
    }
    if (auto r = ReadRule(e, p); !r) return r.error();
  }
  if (icalproperty* p = icalcomponent_get_first_property(event, ICAL_SUMMARY_PROPERTY)) {
    if (const char* summary = icalproperty_get_summary(p)) e.summary = summary;
  }
  if (!e.start) return EventError(e, "", "VEVENT without DTSTART");
  if (icalproperty* p = icalcomponent_get_first_property(event, ICAL_STATUS_PROPERTY)) {
    if (icalproperty_get_status(p) == ICAL_STATUS_CANCELLED) return std::optional<Closure>();
  }

  Closure c;
  c.name = std::move(e.summary);
  c.all_day = e.start->is_date;
  c.start = e.start->stamp;
  if (!e.end) {
    if (!c.all_day) return EventError(e, "", "timed VEVENT without DTEND");
    c.end = {AddDays(c.start.date, 1), seconds(0)};
  } else {
    if (e.end->is_date != e.start->is_date) {
      return EventError(e, "DTEND", "DTSTART and DTEND must both be dates or both date-times");
    }
    if (e.end->zone != e.start->zone) {
      return EventError(e, "DTEND", "DTSTART and DTEND in different zones are not supported");
    }
    c.end = e.end->stamp;
  }
  c.zone = e.start->zone;
  if (std::tie(c.end.date, c.end.time) <= std::tie(c.start.date, c.start.time)) {
    return EventError(e, "DTEND", "DTEND is not after DTSTART");
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
  ErrnoScope errno_scope;
  auto calendar = ParseCalendar(text);
  if (!calendar) return calendar.error();
  icalcomponent* root = calendar.value().root.get();
  const std::vector<EventLines>& lines = calendar.value().events;
  if (auto error = FirstParseError(root)) return IcsError(0, "VCALENDAR: malformed: " + *error);

  std::vector<Closure> closures;
  size_t index = 0;
  // Other components (VTIMEZONE: offsets come from the tz database; VTODO, ...) are skipped.
  for (icalcomponent* event = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT);
       event != nullptr; event = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
    // Positions are only for messages: none if libical saw the components otherwise.
    static const EventLines kNoLines;
    const EventLines& where = index < lines.size() ? lines[index] : kNoLines;
    if (++index > kMaxICalendarEvents) {
      return IcsError(where.begin, "more than " + std::to_string(kMaxICalendarEvents) + " events");
    }
    auto closure = ReadEvent(event, index, where);
    if (!closure) return closure.error();
    if (closure.value()) closures.push_back(std::move(*closure.value()));
  }
  return closures;
}

}  // namespace csgw::gateway::schedule
