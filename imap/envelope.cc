#include "imap/envelope.h"

#include "imap/quote.h"

namespace slotmail::imap {

namespace {

using mime::Address;

void AppendOptional(const std::string& s, std::string* out) {
  if (s.empty()) {
    *out += "NIL";
  } else {
    AppendQuoted(s, out);
  }
}

void AppendAddress(const Address& a, std::string* out) {
  switch (a.kind) {
    case Address::Kind::kGroupStart:
      *out += "(NIL NIL ";
      AppendQuoted(a.name, out);
      *out += " NIL)";
      return;
    case Address::Kind::kGroupEnd:
      *out += "(NIL NIL NIL NIL)";
      return;
    case Address::Kind::kMailbox:
      *out += '(';
      AppendOptional(a.name, out);
      *out += ' ';
      AppendOptional(a.route, out);
      *out += ' ';
      AppendQuoted(a.mailbox, out);
      *out += ' ';
      AppendQuoted(a.host, out);
      *out += ')';
      return;
  }
}

void AppendAddressList(const std::vector<Address>& list, std::string* out) {
  if (list.empty()) {
    *out += "NIL";
    return;
  }
  *out += '(';
  for (const Address& a : list) AppendAddress(a, out);
  *out += ')';
}

}  // namespace

void AppendEnvelope(const mime::Envelope& e, std::string* out) {
  *out += '(';
  AppendNString(e.date, out);
  *out += ' ';
  AppendNString(e.subject, out);
  *out += ' ';
  AppendAddressList(e.from, out);
  *out += ' ';
  AppendAddressList(e.sender.empty() ? e.from : e.sender, out);
  *out += ' ';
  AppendAddressList(e.reply_to.empty() ? e.from : e.reply_to, out);
  *out += ' ';
  AppendAddressList(e.to, out);
  *out += ' ';
  AppendAddressList(e.cc, out);
  *out += ' ';
  AppendAddressList(e.bcc, out);
  *out += ' ';
  AppendNString(e.in_reply_to, out);
  *out += ' ';
  AppendNString(e.message_id, out);
  *out += ')';
}

std::string FormatEnvelope(const mime::Envelope& envelope) {
  std::string out;
  AppendEnvelope(envelope, &out);
  return out;
}

std::string MessageEnvelope(const mime::Message& message) {
  return FormatEnvelope(message.root.envelope.value_or(mime::Envelope{}));
}

}  // namespace slotmail::imap
