// Duplicate suppression for delivery: the same Message-ID delivered twice
// to one user's folder within a window is stored once (doc/lmtp.md). The
// check itself is one store query (Store::HasMessageIdSince); this is the
// key it looks for.
#pragma once

#include <string>
#include <string_view>

namespace slotmail::lmtpd {

// The Message-ID of `bytes` as the store's sort keys hold it: the first
// msg-id ("<id@host>", whitespace and comments dropped) of the first
// Message-ID field of the header, or empty if there is none.
std::string MessageIdOf(std::string_view bytes);

}  // namespace slotmail::lmtpd
