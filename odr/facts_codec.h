// Byte encodings of the fact records counting.h folds events into, for the store: the pipeline
// loads an entity's facts, counts one event against them and writes them back in the batch that
// carries the counter deltas. Pure; deterministic (equal facts encode to equal bytes).
//
// Format: a two-byte tag ("o1" order, "b1" buyer, "v2" conversation), then the fields in a fixed
// order as varints (zig-zag for signed values, nanoseconds since the epoch for times),
// length-prefixed strings and presence bytes for optional fields. Enumerations are written as
// codes of this file (not the enumerators' positions), so reordering an enum elsewhere never
// changes what stored bytes mean. A new format gets a new tag; decoders refuse unknown tags.
// Conversations: "v2" keeps seller messages by id with who wrote them; a "v1" record (human
// reply times only, before csgw's sends were counted) still decodes, each time as a reported
// seller message without id.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "odr/counting.h"

namespace csgw::odr {

std::string EncodeOrderFacts(const OrderFacts& facts);
std::string EncodeBuyerFacts(const BuyerFacts& facts);
std::string EncodeConversationFacts(const ConversationFacts& facts);

// kInvalidField "odr facts: ..." for bytes that are not such an encoding (wrong tag, truncated,
// trailing bytes, an unknown enumeration code).
Result<OrderFacts> DecodeOrderFacts(std::string_view bytes);
Result<BuyerFacts> DecodeBuyerFacts(std::string_view bytes);
Result<ConversationFacts> DecodeConversationFacts(std::string_view bytes);

}  // namespace csgw::odr
