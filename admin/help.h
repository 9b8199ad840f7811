// mailctl's help pages, built from the command and option tables.
#pragma once

#include <string>

#include "admin/cli.h"

namespace slotmail::admin {

// The help for the level `inv` resolved to: the command's if inv.command is
// set, else the group's if inv.group is, else the tool's.
std::string HelpText(const Invocation& inv);

// For usage errors: the usage line of that level and where to find more.
std::string UsageText(const Invocation& inv);

}  // namespace slotmail::admin
