#include "imapd/mailbox_view.h"

#include <algorithm>

#include "imapd/qresync.h"
#include "store/flags.h"

namespace slotmail::imapd {

MailboxView::MailboxView(const store::MailboxInfo& info,
                         const std::vector<store::MessageInfo>& messages, bool read_only,
                         RecentClaim claim)
    : name_(info.name),
      read_only_(read_only),
      uidvalidity_(info.uidvalidity),
      modseq_(info.highestmodseq),
      claim_(std::move(claim)) {
  uids_.reserve(messages.size());
  flags_.reserve(messages.size());
  for (const auto& m : messages) {
    uids_.push_back(m.uid);
    flags_.push_back(m.flags);
    keywords_.insert(m.flags.keywords.begin(), m.flags.keywords.end());
  }
  ClaimNew(0);
}

void MailboxView::ClaimNew(uint32_t after) {
  if (!claim_ || uids_.empty() || uids_.back() <= after) return;
  const uint32_t claimed_before = claim_(uids_.back());
  const uint32_t lo = std::max(after, claimed_before) + 1;
  if (lo > uids_.back()) return;
  if (!recent_.empty() && recent_.back().hi + 1 == lo) {
    recent_.back().hi = uids_.back();
  } else {
    recent_.push_back({lo, uids_.back()});
  }
}

bool MailboxView::IsRecent(uint32_t uid) const {
  auto it = std::upper_bound(recent_.begin(), recent_.end(), uid,
                             [](uint32_t u, const store::UidRange& r) { return u < r.lo; });
  return it != recent_.begin() && uid <= std::prev(it)->hi;
}

void MailboxView::HideRecent() {
  claim_ = nullptr;
  recent_.clear();
}

std::vector<std::string> MailboxView::FlagsResponses() const {
  std::string list = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";
  for (const auto& k : keywords_) list += " " + k;
  // \* (new keywords may be created) only where the client may store.
  return {"FLAGS (" + list + ")",
          "OK [PERMANENTFLAGS (" + list + (read_only_ ? "" : " \\*") + ")] Flags permitted"};
}

std::vector<std::string> MailboxView::AnnounceKeywords(const store::Flags& flags) {
  bool added = false;
  for (const auto& k : flags.keywords) added |= keywords_.insert(k).second;
  if (!added) return {};
  return FlagsResponses();
}

uint32_t MailboxView::SeqOf(uint32_t uid) const {
  auto it = std::lower_bound(uids_.begin(), uids_.end(), uid);
  if (it == uids_.end() || *it != uid) return 0;
  return static_cast<uint32_t>(it - uids_.begin()) + 1;
}

uint32_t MailboxView::recent_count() const {
  uint32_t n = 0;
  for (const auto& r : recent_) {
    n += static_cast<uint32_t>(std::upper_bound(uids_.begin(), uids_.end(), r.hi) -
                               std::lower_bound(uids_.begin(), uids_.end(), r.lo));
  }
  return n;
}

const store::Flags* MailboxView::FlagsOf(uint32_t uid) const {
  uint32_t seq = SeqOf(uid);
  return seq == 0 ? nullptr : &flags_[seq - 1];
}

std::vector<std::string> MailboxView::NoteFlags(const store::MessageInfo& m) {
  uint32_t seq = SeqOf(m.uid);
  if (seq != 0) flags_[seq - 1] = m.flags;
  return AnnounceKeywords(m.flags);
}

std::vector<std::string> MailboxView::Apply(const MailboxChanges& c, bool allow_expunge) {
  std::vector<std::string> out;
  for (uint32_t uid : c.vanished) {
    if (SeqOf(uid) != 0) pending_expunge_.insert(uid);
  }
  if (allow_expunge) {
    std::vector<uint32_t> vanished;
    for (uint32_t uid : pending_expunge_) {
      uint32_t seq = SeqOf(uid);
      if (seq == 0) continue;
      if (report_vanished_) {
        vanished.push_back(uid);
      } else {
        out.push_back(std::to_string(seq) + " EXPUNGE");
      }
      uids_.erase(uids_.begin() + (seq - 1));
      flags_.erase(flags_.begin() + (seq - 1));
    }
    pending_expunge_.clear();
    if (!vanished.empty()) {
      for (auto& line : VanishedResponses(false, vanished)) out.push_back(std::move(line));
    }
  }
  const uint32_t old_exists = exists();
  const uint32_t old_recent = recent_count();
  const uint32_t last_uid = uids_.empty() ? 0 : uids_.back();
  // One FLAGS for all the keywords new in `c`, before the FETCHes below.
  store::Flags arriving;
  for (const auto& m : c.changed) {
    if (pending_expunge_.count(m.uid)) continue;
    arriving.keywords.insert(arriving.keywords.end(), m.flags.keywords.begin(),
                             m.flags.keywords.end());
  }
  for (auto& line : AnnounceKeywords(arriving)) out.push_back(std::move(line));
  std::vector<std::string> flag_updates;
  for (const auto& m : c.changed) {
    if (pending_expunge_.count(m.uid)) continue;
    if (m.uid > last_uid) {
      uids_.push_back(m.uid);
      flags_.push_back(m.flags);
      continue;
    }
    uint32_t seq = SeqOf(m.uid);
    if (seq == 0 || flags_[seq - 1] == m.flags) continue;
    flags_[seq - 1] = m.flags;
    flag_updates.push_back(FlagsFetch(m, false, false));
  }
  ClaimNew(last_uid);
  // RFC 3501 7.3.2: RECENT follows the EXISTS that announced the new mail.
  if (exists() != old_exists) out.push_back(std::to_string(exists()) + " EXISTS");
  if (claim_ && recent_count() != old_recent) {
    out.push_back(std::to_string(recent_count()) + " RECENT");
  }
  out.insert(out.end(), flag_updates.begin(), flag_updates.end());
  modseq_ = std::max(modseq_, c.info.highestmodseq);
  return out;
}

std::string MailboxView::FlagsFetch(const store::MessageInfo& m, bool uid, bool silent) const {
  std::string items;
  if (!silent) items = "FLAGS " + FlagList(m.flags, IsRecent(m.uid));
  if (uid || report_modseq_) items += (items.empty() ? "UID " : " UID ") + std::to_string(m.uid);
  if (report_modseq_) items += " MODSEQ (" + std::to_string(m.modseq) + ")";
  return std::to_string(SeqOf(m.uid)) + " FETCH (" + items + ")";
}

std::string FlagList(const store::Flags& flags, bool recent) {
  std::string s = store::FlagsToString(flags);
  if (recent) s += s.empty() ? "\\Recent" : " \\Recent";
  return "(" + s + ")";
}

}  // namespace slotmail::imapd
