#include "imap/object_id.h"

#include <algorithm>

namespace slotmail::imap {

// RFC 8474: objectid = 1*255(ALPHA / DIGIT / "_" / "-")
constexpr size_t kMaxObjectIdBytes = 255;

bool IsObjectId(std::string_view s) {
  return !s.empty() && s.size() <= kMaxObjectIdBytes &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
         });
}

std::string EmailId(std::string_view guid) { return "M" + std::string(guid); }

std::string MailboxId(std::string_view mailbox_id) { return "F" + std::string(mailbox_id); }

}  // namespace slotmail::imap
