#include "lmtpd/dedup.h"

#include "mime/header.h"
#include "mime/sort_keys.h"

namespace slotmail::lmtpd {

std::string MessageIdOf(std::string_view bytes) {
  auto fields = mime::ParseHeaderFields(bytes.substr(0, mime::FindBodyStart(bytes)));
  const mime::HeaderField* f = mime::FindField(fields, "Message-ID");
  if (f == nullptr) return "";
  std::vector<std::string> ids = mime::MessageIds(f->value);
  return ids.empty() ? "" : std::move(ids.front());
}

}  // namespace slotmail::lmtpd
