// Duplicate suppression for delivery: the same Message-ID delivered twice
// to one user's folder within a window is stored once. Policy of delivery,
// built on the store's public API and the MIME header parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/store.h"

namespace slotmail::lmtpd {

// The Message-ID of `bytes` ("<id@host>", unfolded, comments dropped), or
// empty if the header has none.
std::string MessageIdOf(std::string_view bytes);

// True if one of the newest `scan` messages of `mailbox` has an internal
// date at or after `since` and the Message-ID `message_id`.
// REQUIRES: message_id is not empty.
Result<bool> HasRecentMessageId(store::Store& store, std::string_view user,
                                std::string_view mailbox, std::string_view message_id,
                                int64_t since, size_t scan);

}  // namespace slotmail::lmtpd
