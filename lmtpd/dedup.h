// Duplicate suppression for delivery (doc/lmtp.md "Duplicate suppression"):
// a message delivered again to one user's folder within a window, after an
// MTA lost our reply, is stored once. A duplicate is the same Message-ID
// (found by one store query, Store::FindMessageIdSince) AND the same
// delivery id: a digest of the envelope sender and every byte received,
// which slotd writes into the Received field it puts on top of the message.
// A Message-ID alone is chosen by whoever writes the message, so it is never
// enough: a message that merely reuses one (from another sender, or with
// other content) is stored.
#pragma once

#include <string>
#include <string_view>

#include "common/limits.h"

namespace slotmail::lmtpd {

struct DedupKey {
  std::string message_id;   // MessageIdOf the message; empty: never a duplicate
  std::string delivery_id;  // DeliveryId of the sender and the message
};

// The Message-ID of `bytes` as the store's sort keys hold it: the first
// msg-id ("<id@host>", whitespace and comments dropped) of the first
// Message-ID field of the header, or empty if there is none.
std::string MessageIdOf(std::string_view bytes);

// 32 lowercase hex characters (128 bits of SHA-256) over the envelope
// sender and the message as received: equal only for the same sender and
// byte-identical content, i.e. for a retry of the same delivery.
std::string DeliveryId(std::string_view sender, std::string_view message);

DedupKey DedupKeyOf(std::string_view sender, std::string_view message);

// True if `head` (the start of a stored message) begins with the trace
// fields slotd puts on a delivery (Return-Path, then Received) and that
// Received field names `delivery_id` ("with LMTP id ID;"). Only those first
// two fields count: the ones below came with the message.
bool CarriesDeliveryId(std::string_view head, std::string_view delivery_id);

// Bytes of a stored message read to find its trace fields: they hold two
// command arguments (sender, LHLO name), the host name and a few words.
inline constexpr size_t kTraceHeadBytes = 3 * limits::kMaxLmtpCommandLineBytes;

}  // namespace slotmail::lmtpd
