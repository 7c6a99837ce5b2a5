// The template commands of the csgw command line: render, templates lint, check-reply.
#pragma once

#include "gateway/cli_args.h"

namespace csgw::gateway {

extern const FlagSpec kRenderFlags;
int RenderCommand(const Args& args);

extern const FlagSpec kTemplatesFlags;
int TemplatesCommand(const Args& args);

extern const FlagSpec kCheckReplyFlags;
int CheckReplyCommand(const Args& args);

}  // namespace csgw::gateway
