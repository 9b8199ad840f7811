// RFC 3501 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz" (day may be space-padded),
// used by APPEND and INTERNALDATE.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace slotmail::imap {

// Seconds since the epoch (UTC). InvalidArgument if malformed or out of range.
Result<int64_t> ParseDateTime(std::string_view text);
// "05-Mar-2024 14:07:09 +0000" (always UTC).
std::string FormatDateTime(int64_t epoch_seconds);

}  // namespace slotmail::imap
