#include "lmtpd/dedup.h"

#include "mime/header.h"

namespace slotmail::lmtpd {

std::string MessageIdOf(std::string_view bytes) {
  auto fields = mime::ParseHeaderFields(bytes.substr(0, mime::FindBodyStart(bytes)));
  const mime::HeaderField* f = mime::FindField(fields, "Message-ID");
  if (f == nullptr) return "";
  std::string_view id = f->value;
  if (!id.empty() && id.front() == '<') {
    size_t close = id.find('>');
    if (close == std::string_view::npos) return "";
    id = id.substr(0, close + 1);
  }
  return std::string(id);
}

Result<bool> HasRecentMessageId(store::Store& store, std::string_view user, std::string_view mailbox,
                                std::string_view message_id, int64_t since, size_t scan) {
  ASSIGN_OR_RETURN(store::MailboxInfo info, store.GetMailbox(user, mailbox));
  if (info.uidnext <= 1 || scan == 0) return false;
  const uint32_t hi = info.uidnext - 1;
  const uint32_t lo = hi > scan ? hi - static_cast<uint32_t>(scan) + 1 : 1;
  ASSIGN_OR_RETURN(auto msgs, store.FetchByUid(user, info.name, store::UidSet{{lo, hi}}));
  for (auto it = msgs.rbegin(); it != msgs.rend(); ++it) {
    if (it->internal_date < since) continue;
    ASSIGN_OR_RETURN(std::string bytes, store.ReadMessage(user, it->guid));
    if (MessageIdOf(bytes) == message_id) return true;
  }
  return false;
}

}  // namespace slotmail::lmtpd
