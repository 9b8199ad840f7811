// Store: HasMessageIdSince — whether a mailbox holds a recent message with a
// given Message-ID, from the index alone (messages joined with sort_keys,
// which every append fills in the same transaction). LMTP's duplicate
// suppression asks this once per delivery (doc/lmtp.md).
#include "store/mailbox_rows.h"
#include "store/names.h"
#include "store/store_impl.h"

namespace slotmail::store {

Result<bool> Store::HasMessageIdSince(std::string_view user, std::string_view mailbox,
                                      std::string_view message_id, int64_t since) {
  RETURN_IF_ERROR(ValidateUserName(user));
  ASSIGN_OR_RETURN(std::string box, CanonicalMailboxName(mailbox));
  if (message_id.empty()) return false;  // "" is the key of "no Message-ID"
  return impl_->Read(user, [&](UserIndex* ix) -> Result<bool> {
    ASSIGN_OR_RETURN(MailboxRow row, RequireMailbox(ix, box));
    // sort_keys_message_id finds the GUIDs, messages_guid their rows.
    ASSIGN_OR_RETURN(Stmt s, ix->db()->Prepare(
        "SELECT 1 FROM sort_keys k JOIN messages m ON m.guid = k.guid "
        "WHERE k.message_id = ? AND m.mailbox = ? AND m.internal_date >= ? LIMIT 1"));
    s.Bind(1, message_id).Bind(2, row.id).Bind(3, since);
    return s.Step();
  });
}

}  // namespace slotmail::store
