// mailctl's output: plain text, one record per line, tab-separated fields,
// stable for scripts. Names cannot hold tabs or newlines (the store refuses
// control characters), so no quoting is needed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "admin/cli.h"
#include "store/types.h"

namespace slotmail::admin {

// The fields joined by tabs, ending in a newline.
std::string TabRow(const std::vector<std::string>& fields);

// name messages unseen bytes uidvalidity uidnext highestmodseq special-use
// ('-' when none).
std::string MailboxRecord(const store::MailboxInfo& box);

// The 'KEY<TAB>VALUE' lines of `user show` (order documented there).
std::string UserRecord(std::string_view user, const std::vector<store::MailboxInfo>& boxes,
                       const store::QuotaInfo& quota);

// The command as the operator typed it, for error lines: "user add alice",
// `mailbox create alice "Sent Items"` (arguments quoted when they need it).
std::string DescribeCommand(const Invocation& inv);

}  // namespace slotmail::admin
