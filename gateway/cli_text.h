// The text commands of the csgw command line: language, intent, time zones, templates, reply
// checks. Each takes its input from the arguments, or one input per line from stdin when the
// text is "-", and prints one JSON object per input line.
#pragma once

#include "gateway/cli_args.h"

namespace csgw::gateway {

extern const FlagSpec kDetectFlags;
int Detect(const Args& args);

extern const FlagSpec kClassifyFlags;
int Classify(const Args& args);

extern const FlagSpec kTimeFlags;
int Time(const Args& args);

}  // namespace csgw::gateway
