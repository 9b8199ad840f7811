#include "lmtpd/dedup.h"

#include "common/hash.h"
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

std::string DeliveryId(std::string_view sender, std::string_view message) {
  Sha256Hasher h;
  h.Update(sender);
  h.Update(std::string_view("\0", 1));  // no address holds a NUL (Protocol refuses them)
  h.Update(message);
  return h.FinishHex().substr(0, 32);
}

DedupKey DedupKeyOf(std::string_view sender, std::string_view message) {
  return {MessageIdOf(message), DeliveryId(sender, message)};
}

bool CarriesDeliveryId(std::string_view head, std::string_view delivery_id) {
  if (delivery_id.empty() || !head.starts_with("Return-Path: ")) return false;
  const size_t eol = head.find("\r\n");
  if (eol == std::string_view::npos) return false;
  std::string_view rest = head.substr(eol + 2);
  if (!rest.starts_with("Received: ")) return false;
  // The Received field ends at the first line break not followed by
  // whitespace (RFC 5322 2.2.3 folding).
  size_t end = 0;
  while (true) {
    end = rest.find("\r\n", end);
    if (end == std::string_view::npos) return false;  // cut off: not ours
    if (end + 2 < rest.size() && (rest[end + 2] == ' ' || rest[end + 2] == '\t')) {
      end += 2;
      continue;
    }
    break;
  }
  const std::string needle = " with LMTP id " + std::string(delivery_id) + ";";
  return rest.substr(0, end).find(needle) != std::string_view::npos;
}

}  // namespace slotmail::lmtpd
