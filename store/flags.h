// Flag sets: normalisation, the three STORE operations, the stored form, and
// the per-record hash that mailbox checksums are made of.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/types.h"

namespace slotmail::store {

// Validates keywords and puts `flags` in canonical form: unknown system bits
// dropped, keywords deduplicated case-insensitively (first spelling wins) and
// sorted by their lowercase form. InvalidArgument for a bad keyword, TooBig
// for more than limits::kMaxKeywordsPerMessage.
Status NormalizeFlags(Flags* flags);

// The flags after applying `op` with `arg` to `current`. Both canonical; the
// result is canonical. Keywords compare case-insensitively.
Flags ApplyFlagOp(const Flags& current, FlagOp op, const Flags& arg);

// Stored form of keywords: canonical order, separated by single spaces.
std::string KeywordsToString(const Flags& flags);
// Inverse of KeywordsToString (trusts its input: it is our own column).
void KeywordsFromString(std::string_view s, Flags* flags);

// "\Seen \Flagged kw1 kw2": canonical, for checksums and logs.
std::string FlagsToString(const Flags& flags);

// The checksum contribution of one live message. A mailbox's CRC is the XOR
// of RecordHash over its live messages, so it is independent of order and
// updated in O(1) per change: crc ^= old ^ new.
uint64_t RecordHash(uint32_t uid, std::string_view guid, const Flags& flags, uint64_t modseq);

}  // namespace slotmail::store
