// Store: mailboxes and subscriptions.
#include <set>

#include "store/mailbox_rows.h"
#include "store/names.h"
#include "store/store_impl.h"

namespace slotmail::store {
namespace {

// Validates the user and canonicalises a mailbox name in one step.
Result<std::string> Canonical(std::string_view user, std::string_view name) {
  RETURN_IF_ERROR(ValidateUserName(user));
  return CanonicalMailboxName(name);
}

// Every mailbox named `name` or below it.
Result<std::vector<MailboxRow>> Subtree(UserIndex* ix, std::string_view name) {
  ASSIGN_OR_RETURN(auto all, ix->AllMailboxes());
  std::vector<MailboxRow> out;
  for (auto& m : all) {
    if (IsSameOrUnder(m.info.name, name)) out.push_back(std::move(m));
  }
  return out;
}

// Fills subscribed and has_children. `all` sorted by name.
void Decorate(std::vector<MailboxRow>* all, const std::set<std::string>& subscribed) {
  for (size_t i = 0; i < all->size(); ++i) {
    MailboxInfo& m = (*all)[i].info;
    m.subscribed = subscribed.count(m.name) > 0;
    m.has_children = false;
    for (size_t j = i + 1; j < all->size(); ++j) {
      const std::string& other = (*all)[j].info.name;
      if (other.compare(0, m.name.size(), m.name) != 0) break;
      if (IsSameOrUnder(other, m.name)) {
        m.has_children = true;
        break;
      }
    }
  }
}

Result<std::set<std::string>> SubscribedSet(UserIndex* ix) {
  ASSIGN_OR_RETURN(auto subs, ix->Subscriptions());
  return std::set<std::string>(subs.begin(), subs.end());
}

Status DecrementMailboxCount(UserIndex* ix) {
  ASSIGN_OR_RETURN(int64_t count, ix->GetMetaInt("mailbox_count", 1));
  return ix->SetMetaInt("mailbox_count", count - 1);
}

}  // namespace

Status Store::CreateMailbox(std::string_view user, std::string_view name,
                            std::string_view special_use) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, name));
  ASSIGN_OR_RETURN(std::string use, CanonicalSpecialUse(special_use));
  return impl_->Write(user, [&](UserIndex* ix) -> Status {
    RETURN_IF_ERROR(CreateMissingAncestors(ix, box));
    return CreateMailboxRow(ix, box, use).status();
  });
}

Status Store::DeleteMailbox(std::string_view user, std::string_view name) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, name));
  if (box == "INBOX") return Status::InvalidArgument("INBOX cannot be deleted");
  std::vector<std::string> guids;
  RETURN_IF_ERROR(impl_->Write(user, [&](UserIndex* ix) -> Status {
    ASSIGN_OR_RETURN(auto tree, Subtree(ix, box));
    if (tree.empty()) return Status::NotFound("no such mailbox");
    if (tree.size() > 1) return Status::InUse("mailbox has children; delete them first");
    const MailboxRow& row = tree[0];
    ASSIGN_OR_RETURN(auto msgs, ix->MessagesInRange(row.id, 1, UINT32_MAX));
    for (const auto& m : msgs) guids.push_back(m.guid);
    RETURN_IF_ERROR(AddUsage(ix, -static_cast<int64_t>(row.info.messages),
                             -static_cast<int64_t>(row.info.bytes)));
    RETURN_IF_ERROR(ix->DeleteMailboxRow(row.id));
    return DecrementMailboxCount(ix);
  }));
  impl_->CollectBlobs(user, guids);
  impl_->Notify(user, box);
  return Status::Ok();
}

namespace {

// RFC 3501 6.3.5: renaming INBOX moves its messages to a new mailbox `to`
// and leaves INBOX empty (its children stay where they are).
Status RenameInbox(UserIndex* ix, std::string_view to) {
  ASSIGN_OR_RETURN(MailboxRow inbox, RequireMailbox(ix, "INBOX"));
  RETURN_IF_ERROR(CreateMissingAncestors(ix, to));
  ASSIGN_OR_RETURN(MailboxRow dst, CreateMailboxRow(ix, to, ""));
  ASSIGN_OR_RETURN(auto msgs, ix->MessagesInRange(inbox.id, 1, UINT32_MAX));
  const uint64_t src_modseq = ++inbox.info.highestmodseq;
  const uint64_t dst_modseq = ++dst.info.highestmodseq;
  for (MessageInfo m : msgs) {
    CountOut(&inbox, m);
    RETURN_IF_ERROR(ix->DeleteMessage(inbox.id, m.uid));
    RETURN_IF_ERROR(ix->InsertTombstone(inbox.id, m.uid, src_modseq));
    m.modseq = dst_modseq;
    RETURN_IF_ERROR(ix->InsertMessage(dst.id, m));
    CountIn(&dst, m);
  }
  dst.info.uidnext = inbox.info.uidnext;
  RETURN_IF_ERROR(ix->UpdateMailboxState(inbox));
  return ix->UpdateMailboxState(dst);
}

}  // namespace

Status Store::RenameMailbox(std::string_view user, std::string_view from, std::string_view to) {
  ASSIGN_OR_RETURN(std::string src, Canonical(user, from));
  ASSIGN_OR_RETURN(std::string dst, CanonicalMailboxName(to));
  if (IsSameOrUnder(dst, src)) {
    return Status::InvalidArgument("cannot rename a mailbox to itself or below itself");
  }
  RETURN_IF_ERROR(impl_->Write(user, [&](UserIndex* ix) -> Status {
    ASSIGN_OR_RETURN(auto taken, ix->FindMailbox(dst));
    if (taken) return Status::Exists("target mailbox already exists");
    if (src == "INBOX") return RenameInbox(ix, dst);
    ASSIGN_OR_RETURN(auto tree, Subtree(ix, src));
    if (tree.empty()) return Status::NotFound("no such mailbox");
    // Check every new name before renaming anything.
    std::vector<std::string> new_names;
    for (const auto& m : tree) {
      ASSIGN_OR_RETURN(std::string n, CanonicalMailboxName(dst + m.info.name.substr(src.size())));
      ASSIGN_OR_RETURN(auto clash, ix->FindMailbox(n));
      if (clash) return Status::Exists("target mailbox already exists");
      new_names.push_back(std::move(n));
    }
    for (size_t i = 0; i < tree.size(); ++i) {
      RETURN_IF_ERROR(ix->RenameMailboxRow(tree[i].id, new_names[i]));
    }
    return CreateMissingAncestors(ix, dst);
  }));
  impl_->Notify(user, src);
  impl_->Notify(user, dst);
  return Status::Ok();
}

Result<MailboxInfo> Store::GetMailbox(std::string_view user, std::string_view name) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, name));
  return impl_->Read(user, [&](UserIndex* ix) -> Result<MailboxInfo> {
    ASSIGN_OR_RETURN(auto tree, Subtree(ix, box));
    ASSIGN_OR_RETURN(auto subscribed, SubscribedSet(ix));
    Decorate(&tree, subscribed);
    for (auto& m : tree) {
      if (m.info.name == box) return m.info;
    }
    return Status::NotFound("no such mailbox");
  });
}

Result<std::vector<MailboxInfo>> Store::ListMailboxes(std::string_view user,
                                                      std::string_view pattern) {
  RETURN_IF_ERROR(ValidateUserName(user));
  return impl_->Read(user, [&](UserIndex* ix) -> Result<std::vector<MailboxInfo>> {
    ASSIGN_OR_RETURN(auto all, ix->AllMailboxes());
    ASSIGN_OR_RETURN(auto subscribed, SubscribedSet(ix));
    Decorate(&all, subscribed);
    std::vector<MailboxInfo> out;
    for (auto& m : all) {
      if (MatchMailboxPattern(pattern, m.info.name)) out.push_back(std::move(m.info));
    }
    return out;
  });
}

Status Store::SetSpecialUse(std::string_view user, std::string_view name, std::string_view use) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, name));
  ASSIGN_OR_RETURN(std::string canonical, CanonicalSpecialUse(use));
  return impl_->Write(user, [&](UserIndex* ix) -> Status {
    ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
    return ix->SetSpecialUse(row.id, canonical);
  });
}

Status Store::Subscribe(std::string_view user, std::string_view name) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, name));
  return impl_->Write(user, [&](UserIndex* ix) { return ix->Subscribe(box); });
}

Status Store::Unsubscribe(std::string_view user, std::string_view name) {
  ASSIGN_OR_RETURN(std::string box, Canonical(user, name));
  return impl_->Write(user, [&](UserIndex* ix) { return ix->Unsubscribe(box); });
}

Result<std::vector<std::string>> Store::ListSubscriptions(std::string_view user,
                                                          std::string_view pattern) {
  RETURN_IF_ERROR(ValidateUserName(user));
  return impl_->Read(user, [&](UserIndex* ix) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(auto subs, ix->Subscriptions());
    std::vector<std::string> out;
    for (auto& s : subs) {
      if (MatchMailboxPattern(pattern, s)) out.push_back(std::move(s));
    }
    return out;
  });
}

}  // namespace slotmail::store
