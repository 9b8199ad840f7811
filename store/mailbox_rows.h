// Building blocks of store operations on one user's index: mailbox rows,
// their counters and checksum, quota accounting, UID sets.
// REQUIRES for all: the caller holds the user's lock (inside Store::Impl
// Read/Write) and, for the writing ones, an open transaction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/types.h"
#include "store/user_index.h"

namespace slotmail::store {

// A new mailbox row named `name` (canonical) with a fresh UIDVALIDITY and id.
// Exists if the name is taken. Does not create parents.
Result<MailboxRow> CreateMailboxRow(UserIndex* ix, std::string_view name,
                                    std::string_view special_use);
// The next UIDVALIDITY of this user: rises with time, never repeats.
Result<uint32_t> NextUidValidity(UserIndex* ix);
// Creates every missing proper ancestor of `name`.
Status CreateMissingAncestors(UserIndex* ix, std::string_view name);
// The mailbox, or NotFound.
Result<MailboxRow> RequireMailbox(UserIndex* ix, std::string_view name);

// Canonical spelling of a special-use attribute (RFC 6154), "" for none;
// InvalidArgument for an unknown one.
Result<std::string> CanonicalSpecialUse(std::string_view use);

// Counter and checksum bookkeeping for a live message entering or leaving
// the mailbox (in memory; persist with UserIndex::UpdateMailboxState).
void CountIn(MailboxRow* box, const MessageInfo& msg);
void CountOut(MailboxRow* box, const MessageInfo& msg);

// Quota: limits and usage as stored in meta.
Result<QuotaInfo> ReadQuota(UserIndex* ix);
// OverQuota if adding `messages` of total `bytes` would pass a limit.
Status CheckQuota(const QuotaInfo& q, uint64_t messages, uint64_t bytes);
// Adds (or, negative, removes) usage.
Status AddUsage(UserIndex* ix, int64_t messages, int64_t bytes);

// Sorted, non-overlapping ranges with lo <= hi (input may be reversed or overlap).
UidSet MergeRanges(const UidSet& set);
// Live messages of `box` whose UIDs are in `uids`, ascending.
Result<std::vector<MessageInfo>> MessagesIn(UserIndex* ix, int64_t box, const UidSet& uids);

}  // namespace slotmail::store
