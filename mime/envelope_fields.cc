#include "mime/envelope_fields.h"

#include "common/limits.h"
#include "common/utf8.h"
#include "mime/address.h"

namespace slotmail::mime {

namespace {

std::optional<std::string> Text(const std::vector<HeaderField>& fields, std::string_view name) {
  const HeaderField* f = FindField(fields, name);
  if (f == nullptr) return std::nullopt;
  return std::string(utf8::Prefix(f->value, limits::kMaxMimeFieldBytes));
}

std::vector<Address> Addresses(const std::vector<HeaderField>& fields, std::string_view name) {
  const HeaderField* f = FindField(fields, name);
  if (f == nullptr) return {};
  return ParseAddressList(utf8::Prefix(f->value, limits::kMaxAddressFieldBytes));
}

}  // namespace

Envelope EnvelopeFromFields(const std::vector<HeaderField>& fields) {
  Envelope e;
  e.date = Text(fields, "Date");
  e.subject = Text(fields, "Subject");
  e.from = Addresses(fields, "From");
  e.sender = Addresses(fields, "Sender");
  e.reply_to = Addresses(fields, "Reply-To");
  e.to = Addresses(fields, "To");
  e.cc = Addresses(fields, "Cc");
  e.bcc = Addresses(fields, "Bcc");
  e.in_reply_to = Text(fields, "In-Reply-To");
  e.message_id = Text(fields, "Message-ID");
  return e;
}

}  // namespace slotmail::mime
