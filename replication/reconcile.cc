#include "replication/reconcile.h"

#include <set>

namespace slotmail::replication {
namespace {

using store::MailboxImage;
using store::MessageInfo;

const MailboxImage* FindById(const store::UserImage& image, const std::string& id) {
  for (const auto& b : image.mailboxes) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

const MailboxImage* FindByName(const store::UserImage& image, const std::string& name) {
  for (const auto& b : image.mailboxes) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::string Where(const MailboxImage& b, uint32_t uid) {
  return b.name + " UID " + std::to_string(uid);
}

// Appends the records of `mine` that `target` (the new master's mailbox of
// that name, or null when it is to be created) lacks by GUID.
void CopyAll(const MailboxImage& mine, const MailboxImage* target, uint32_t from_uid,
             const std::string& why, UserPlan* plan) {
  std::set<std::string> present;
  if (target != nullptr) {
    for (const auto& m : target->records) present.insert(m.guid);
  }
  for (const MessageInfo& m : mine.records) {
    if (m.uid < from_uid) continue;
    if (!present.insert(m.guid).second) continue;  // already there
    plan->copies.push_back({target != nullptr ? target->name : mine.name, m, why});
  }
}

// The old master's mailbox `mine` against the new master's `theirs` (the
// same unique id and UIDVALIDITY), `split` its state at the split point.
void PlanMailbox(const MailboxImage& mine, const MailboxImage& theirs,
                 const store::SplitMailbox& split, UserPlan* plan) {
  std::map<uint32_t, const MessageInfo*> live;
  std::map<uint32_t, uint64_t> gone;
  std::set<std::string> guids;
  for (const auto& m : theirs.records) {
    live[m.uid] = &m;
    guids.insert(m.guid);
  }
  for (const auto& t : theirs.tombstones) gone[t.uid] = t.modseq;
  if (mine.name != theirs.name) {
    plan->notes.push_back("mailbox " + mine.name + " is " + theirs.name +
                          " on the new master: its name stays");
  }
  for (const MessageInfo& m : mine.records) {
    if (m.uid >= split.uidnext) {
      // Minted here after the new master's copy ended: new mail.
      if (!guids.count(m.guid)) {
        plan->copies.push_back({theirs.name, m, "new on the old master"});
        guids.insert(m.guid);
      }
      continue;
    }
    auto it = live.find(m.uid);
    if (it == live.end()) {
      if (gone.count(m.uid)) continue;  // the new master deleted it
      if (!guids.count(m.guid)) {
        plan->copies.push_back({theirs.name, m, "no record of it on the new master"});
        guids.insert(m.guid);
      }
      continue;
    }
    const MessageInfo& t = *it->second;
    if (t.guid != m.guid) {
      // Cannot happen when both sides kept UIDs unique; keep both.
      if (!guids.count(m.guid)) {
        plan->copies.push_back({theirs.name, m, "same UID, another message on the new master"});
        guids.insert(m.guid);
      }
      continue;
    }
    if (m.flags == t.flags || m.modseq <= split.highestmodseq) continue;
    if (t.modseq > split.highestmodseq && t.modseq >= m.modseq) {
      plan->notes.push_back("flags of " + Where(mine, m.uid) +
                            " changed on both sides: the new master's (higher modseq) stay");
      continue;
    }
    plan->flags.push_back({theirs.name, m.uid, m.flags, t.modseq});
  }
  for (const auto& t : mine.tombstones) {
    if (t.modseq <= split.highestmodseq || t.uid >= split.uidnext) continue;
    auto it = live.find(t.uid);
    if (it == live.end()) continue;
    if (it->second->modseq > split.highestmodseq) {
      plan->notes.push_back(Where(mine, t.uid) + " was expunged on the old master but changed on "
                            "the new master since: it stays");
      continue;
    }
    plan->expunges.push_back({theirs.name, t.uid, it->second->modseq});
  }
}

}  // namespace

UserPlan PlanRejoin(const store::UserImage& mine, const store::UserImage* theirs,
                    const std::optional<store::SplitPoint>& split) {
  UserPlan plan;
  if (theirs == nullptr) {
    plan.create_user = true;
    return plan;
  }
  for (const MailboxImage& b : mine.mailboxes) {
    const MailboxImage* t = FindById(*theirs, b.id);
    std::optional<store::SplitMailbox> at_split;
    if (split) {
      auto it = split->mailboxes.find(b.id);
      if (it != split->mailboxes.end()) at_split = it->second;
    } else if (t != nullptr) {
      at_split = store::SplitMailbox{t->uidnext, t->highestmodseq};
    }
    if (t != nullptr && t->uidvalidity == b.uidvalidity) {
      // A mailbox the new master has but did not have at the split is
      // one it got since; its whole content is new to the comparison.
      PlanMailbox(b, *t, at_split.value_or(store::SplitMailbox{1, 0}), &plan);
      continue;
    }
    // Not the same mailbox over there (none, or another UIDVALIDITY).
    const MailboxImage* same_name = FindByName(*theirs, b.name);
    uint32_t from_uid = 1;
    std::string why = "in a mailbox made on the old master";
    if (t != nullptr) {
      why = "in a mailbox whose UIDVALIDITY differs on the new master";
      plan.notes.push_back("mailbox " + b.name + " has UIDVALIDITY " +
                           std::to_string(t->uidvalidity) + " on the new master, " +
                           std::to_string(b.uidvalidity) + " here: messages merged by GUID");
      same_name = t;
    } else if (at_split) {
      from_uid = at_split->uidnext;
      why = "new on the old master, in a mailbox the new master deleted";
      plan.notes.push_back("mailbox " + b.name + " was deleted on the new master: only mail "
                           "new on the old master goes back");
    }
    bool has_new = false;
    for (const auto& m : b.records) has_new = has_new || m.uid >= from_uid;
    if (same_name == nullptr && (has_new || !at_split)) {
      plan.creates.push_back({b.name, b.special_use});
    }
    CopyAll(b, same_name, from_uid, why, &plan);
  }
  std::set<std::string> subs(theirs->subscriptions.begin(), theirs->subscriptions.end());
  for (const auto& s : mine.subscriptions) {
    if (!subs.count(s)) plan.notes.push_back("subscription " + s + " only on the old master: left");
  }
  if (mine.password_hash != theirs->password_hash) {
    plan.notes.push_back("the password differs: the new master's stays");
  }
  return plan;
}

}  // namespace slotmail::replication
