#include "store/mailbox_rows.h"

#include <algorithm>
#include <ctime>

#include "common/hash.h"
#include "common/limits.h"
#include "store/flags.h"
#include "store/names.h"

namespace slotmail::store {

// UIDVALIDITY rises with time and never repeats within a user, so a mailbox
// deleted and recreated within a second still gets a new one.
Result<uint32_t> NextUidValidity(UserIndex* ix) {
  ASSIGN_OR_RETURN(int64_t last, ix->GetMetaInt("last_uidvalidity", 0));
  int64_t next = std::max<int64_t>(static_cast<int64_t>(std::time(nullptr)), last + 1);
  if (next > static_cast<int64_t>(UINT32_MAX)) return Status::TooBig("UIDVALIDITY exhausted");
  RETURN_IF_ERROR(ix->SetMetaInt("last_uidvalidity", next));
  return static_cast<uint32_t>(next);
}

Result<MailboxRow> CreateMailboxRow(UserIndex* ix, std::string_view name,
                                    std::string_view special_use) {
  ASSIGN_OR_RETURN(auto existing, ix->FindMailbox(name));
  if (existing) return Status::Exists("mailbox already exists");
  ASSIGN_OR_RETURN(int64_t count, ix->GetMetaInt("mailbox_count", 0));
  if (static_cast<size_t>(count) >= limits::kMaxMailboxesPerUser) {
    return Status::TooBig("too many mailboxes");
  }
  MailboxRow row;
  row.info.name = std::string(name);
  row.info.id = RandomHex(16);
  ASSIGN_OR_RETURN(row.info.uidvalidity, NextUidValidity(ix));
  row.info.special_use = std::string(special_use);
  RETURN_IF_ERROR(ix->InsertMailbox(&row));
  RETURN_IF_ERROR(ix->SetMetaInt("mailbox_count", count + 1));
  return row;
}

Status CreateMissingAncestors(UserIndex* ix, std::string_view name) {
  for (const auto& parent : MailboxAncestors(name)) {
    ASSIGN_OR_RETURN(auto existing, ix->FindMailbox(parent));
    if (!existing) RETURN_IF_ERROR(CreateMailboxRow(ix, parent, "").status());
  }
  return Status::Ok();
}

Result<MailboxRow> RequireMailbox(UserIndex* ix, std::string_view name) {
  ASSIGN_OR_RETURN(auto row, ix->FindMailbox(name));
  if (!row) return Status::NotFound("no such mailbox");
  return *row;
}

Result<std::string> CanonicalSpecialUse(std::string_view use) {
  static const char* const kUses[] = {"\\All",     "\\Archive", "\\Drafts", "\\Flagged",
                                      "\\Junk",    "\\Sent",    "\\Trash"};
  if (use.empty()) return std::string();
  for (const char* u : kUses) {
    std::string_view cand(u);
    if (cand.size() == use.size() &&
        std::equal(cand.begin(), cand.end(), use.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return std::string(cand);
    }
  }
  return Status::InvalidArgument("unknown special-use attribute");
}

void CountIn(MailboxRow* box, const MessageInfo& msg) {
  MailboxInfo& b = box->info;
  b.messages += 1;
  if (!(msg.flags.system & kFlagSeen)) b.unseen += 1;
  b.bytes += msg.size;
  b.crc ^= RecordHash(msg.uid, msg.guid, msg.flags, msg.modseq);
}

void CountOut(MailboxRow* box, const MessageInfo& msg) {
  MailboxInfo& b = box->info;
  b.messages -= 1;
  if (!(msg.flags.system & kFlagSeen)) b.unseen -= 1;
  b.bytes -= msg.size;
  b.crc ^= RecordHash(msg.uid, msg.guid, msg.flags, msg.modseq);
}

Result<QuotaInfo> ReadQuota(UserIndex* ix) {
  QuotaInfo q;
  ASSIGN_OR_RETURN(int64_t lb, ix->GetMetaInt("quota_bytes", 0));
  ASSIGN_OR_RETURN(int64_t lm, ix->GetMetaInt("quota_messages", 0));
  ASSIGN_OR_RETURN(int64_t ub, ix->GetMetaInt("used_bytes", 0));
  ASSIGN_OR_RETURN(int64_t um, ix->GetMetaInt("used_messages", 0));
  q.limit_bytes = static_cast<uint64_t>(lb);
  q.limit_messages = static_cast<uint64_t>(lm);
  q.used_bytes = static_cast<uint64_t>(ub);
  q.used_messages = static_cast<uint64_t>(um);
  return q;
}

Status CheckQuota(const QuotaInfo& q, uint64_t messages, uint64_t bytes) {
  if (q.limit_bytes != 0 && q.used_bytes + bytes > q.limit_bytes) {
    return Status::OverQuota("storage quota exceeded");
  }
  if (q.limit_messages != 0 && q.used_messages + messages > q.limit_messages) {
    return Status::OverQuota("message count quota exceeded");
  }
  return Status::Ok();
}

Status AddUsage(UserIndex* ix, int64_t messages, int64_t bytes) {
  ASSIGN_OR_RETURN(int64_t ub, ix->GetMetaInt("used_bytes", 0));
  ASSIGN_OR_RETURN(int64_t um, ix->GetMetaInt("used_messages", 0));
  RETURN_IF_ERROR(ix->SetMetaInt("used_bytes", ub + bytes));
  return ix->SetMetaInt("used_messages", um + messages);
}

UidSet MergeRanges(const UidSet& set) {
  UidSet sorted;
  for (UidRange r : set) {
    if (r.lo > r.hi) std::swap(r.lo, r.hi);
    sorted.push_back(r);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const UidRange& a, const UidRange& b) { return a.lo < b.lo; });
  UidSet out;
  for (const UidRange& r : sorted) {
    if (!out.empty() && (out.back().hi == UINT32_MAX || r.lo <= out.back().hi + 1)) {
      out.back().hi = std::max(out.back().hi, r.hi);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

Result<std::vector<MessageInfo>> MessagesIn(UserIndex* ix, int64_t box, const UidSet& uids) {
  std::vector<MessageInfo> out;
  for (const UidRange& r : MergeRanges(uids)) {
    ASSIGN_OR_RETURN(auto part, ix->MessagesInRange(box, r.lo, r.hi));
    out.insert(out.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  }
  return out;
}

}  // namespace slotmail::store
