#include "imapd/qresync.h"

#include <algorithm>

#include "common/check.h"
#include "common/limits.h"
#include "imap/sequence_set.h"
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

std::vector<std::string> VanishedResponses(bool earlier, const std::vector<uint32_t>& uids) {
  const std::string prefix = earlier ? "VANISHED (EARLIER) " : "VANISHED ";
  std::string set = imap::FormatNumbers(uids);
  std::vector<std::string> out;
  while (!set.empty()) {
    // Elements are at most 21 bytes ("4294967294:4294967295"), so a comma
    // is always found within the limit.
    size_t cut = set.size();
    if (cut > limits::kMaxImapVanishedSetBytes) {
      cut = set.rfind(',', limits::kMaxImapVanishedSetBytes);
      SM_CHECK(cut != std::string::npos && cut > 0);
    }
    out.push_back(prefix + set.substr(0, cut));
    set.erase(0, std::min(set.size(), cut + 1));
  }
  return out;
}

std::vector<std::string> ResyncResponses(const Resync& r, const MailboxView& view) {
  std::vector<std::string> out;
  if (!r.vanished.empty()) out = VanishedResponses(true, r.vanished);
  for (const auto& m : r.changed) {
    if (view.SeqOf(m.uid) != 0) out.push_back(view.FlagsFetch(m, true, false));
  }
  return out;
}

}  // namespace slotmail::imapd
