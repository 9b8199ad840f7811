// Store: FindMessageIdSince — the recent messages of a mailbox with a given
// Message-ID, from the index alone (messages joined with sort_keys, which
// every append fills in the same transaction). LMTP's duplicate suppression
// asks this once per delivery (doc/lmtp.md).
#include "store/mailbox_rows.h"
#include "store/names.h"
#include "store/store_impl.h"

namespace slotmail::store {

Result<std::vector<std::string>> Store::FindMessageIdSince(std::string_view user,
                                                           std::string_view mailbox,
                                                           std::string_view message_id,
                                                           int64_t since, size_t max) {
  RETURN_IF_ERROR(ValidateUserName(user));
  ASSIGN_OR_RETURN(std::string box, CanonicalMailboxName(mailbox));
  std::vector<std::string> guids;
  if (message_id.empty()) return guids;  // "" is the key of "no Message-ID"
  return impl_->Read(user, [&](UserIndex* ix) -> Result<std::vector<std::string>> {
    ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
    // sort_keys_message_id finds the GUIDs, messages_guid their rows.
    ASSIGN_OR_RETURN(Stmt s, ix->db()->Prepare(
        "SELECT m.guid FROM sort_keys k JOIN messages m ON m.guid = k.guid "
        "WHERE k.message_id = ? AND m.mailbox = ? AND m.internal_date >= ? "
        "ORDER BY m.uid DESC LIMIT ?"));
    s.Bind(1, message_id).Bind(2, row.id).Bind(3, since).Bind(4, static_cast<int64_t>(max));
    while (true) {
      ASSIGN_OR_RETURN(bool more, s.Step());
      if (!more) break;
      guids.push_back(s.Text(0));
    }
    return guids;
  });
}

}  // namespace slotmail::store
