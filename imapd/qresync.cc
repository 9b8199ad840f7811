#include "imapd/qresync.h"

#include "imapd/mailbox_view.h"
#include "store/store.h"

namespace slotmail::imapd {

Result<Resync> ReadResync(store::Store& st, const std::string& user,
                          const store::MailboxInfo& info, const imap::QresyncParams& q) {
  Resync r;
  if (q.uidvalidity != info.uidvalidity) return r;
  ASSIGN_OR_RETURN(auto gone, st.VanishedSince(user, info.name, q.modseq));
  // "*" in known-uids is the highest UID the mailbox ever had.
  const uint32_t max_uid = info.uidnext - 1;
  for (uint32_t uid : gone) {
    if (!q.known_uids || q.known_uids->Contains(uid, max_uid)) r.vanished.push_back(uid);
  }
  ASSIGN_OR_RETURN(r.changed, st.ChangedSince(user, info.name, q.modseq));
  return r;
}

std::vector<std::string> ResyncResponses(const Resync& r, const MailboxView& view) {
  std::vector<std::string> out;
  if (!r.vanished.empty()) out.push_back("VANISHED (EARLIER) " + imap::FormatNumbers(r.vanished));
  for (const auto& m : r.changed) {
    if (view.SeqOf(m.uid) != 0) out.push_back(view.FlagsFetch(m, true, false));
  }
  return out;
}

}  // namespace slotmail::imapd
