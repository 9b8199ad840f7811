#include "imapd/fetch_render.h"

#include <algorithm>
#include <optional>

#include "imap/bodystructure.h"
#include "imap/date_time.h"
#include "imap/envelope.h"
#include "imap/object_id.h"
#include "imapd/mailbox_view.h"
#include "mime/ascii.h"
#include "mime/header.h"
#include "mime/section.h"
#include "mime/transfer.h"

namespace slotmail::imapd {
namespace {

using Kind = imap::FetchItem::Kind;
using Text = imap::FetchSection::Text;

// The octet Dovecot also sends in place of NUL outside BINARY.
constexpr char kNulReplacement = '\x80';

// RFC 9051 4.3.1: a plain literal never carries NUL. Binary parts are stored
// base64-encoded (mime/binary_content.h), so only what that leaves (NUL in
// a header or a preamble, in a part of unknown encoding, or in a message
// stored before) is met here: each NUL goes out as 0x80, which keeps
// RFC822.SIZE, partial offsets and BODYSTRUCTURE sizes true. BINARY[]
// still returns the octets (doc/imapd.md "Binary content").
std::string Literal(std::string_view data) {
  std::string out = "{" + std::to_string(data.size()) + "}\r\n";
  const size_t start = out.size();
  out += data;
  std::replace(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(), '\0', kNulReplacement);
  return out;
}

// RFC 3516 4.3: decoded data goes in a literal8 only when it must (NUL).
std::string BinaryLiteral(std::string_view data) {
  if (data.find('\0') == std::string_view::npos) return Literal(data);
  return "~{" + std::to_string(data.size()) + "}\r\n" + std::string(data);
}

// The bytes a BODY[section] (or BINARY[section]) item names. Parts that do
// not exist give "" (RFC 3501 6.4.5 allows an empty string). A BINARY part
// whose transfer encoding is unknown gives nullopt.
std::optional<std::string> SectionBytes(const imap::FetchItem& item, const FetchInput& in) {
  const std::string& bytes = *in.bytes;
  const imap::FetchSection& sec = item.section;
  if (sec.part.empty() && sec.text == Text::kNone) return bytes;
  mime::SectionText text = mime::SectionText::kNone;
  switch (sec.text) {
    case Text::kNone: text = mime::SectionText::kNone; break;
    case Text::kHeader:
    case Text::kHeaderFields:
    case Text::kHeaderFieldsNot: text = mime::SectionText::kHeader; break;
    case Text::kText: text = mime::SectionText::kText; break;
    case Text::kMime: text = mime::SectionText::kMime; break;
  }
  auto range = mime::ResolveSection(*in.parsed, sec.part, text);
  if (!range.ok()) return "";
  std::string_view slice = range->Of(bytes);
  if (sec.text == Text::kHeaderFields || sec.text == Text::kHeaderFieldsNot) {
    return mime::ExtractHeaderFields(slice, sec.fields, sec.text == Text::kHeaderFieldsNot);
  }
  if (item.kind == Kind::kBinary || item.kind == Kind::kBinarySize) {
    // BINARY decodes the part's content transfer encoding (RFC 3516).
    const mime::Part* part = &in.parsed->root;
    for (uint32_t n : sec.part) {
      if (part->kind == mime::Part::Kind::kMessage) part = &part->children[0];
      if (part->kind != mime::Part::Kind::kMultipart) break;
      if (n == 0 || n > part->children.size()) return "";
      part = &part->children[n - 1];
    }
    if (!mime::CanDecodeTransfer(part->encoding)) return std::nullopt;
    return mime::DecodeTransfer(slice, part->encoding);
  }
  return std::string(slice);
}

std::string ApplyPartial(const imap::FetchItem& item, std::string data) {
  if (!item.partial) return data;
  size_t off = std::min<size_t>(item.partial->offset, data.size());
  return data.substr(off, item.partial->length);
}

void Append(std::string* out, std::string_view piece) {
  if (out->back() != '(') out->push_back(' ');
  *out += piece;
}

}  // namespace

bool NeedsBytes(const std::vector<imap::FetchItem>& items) {
  return std::any_of(items.begin(), items.end(), [](const imap::FetchItem& i) {
    switch (i.kind) {
      case Kind::kRfc822:
      case Kind::kRfc822Header:
      case Kind::kRfc822Text:
      case Kind::kBodySection:
      case Kind::kBinary:
      case Kind::kBinarySize: return true;
      default: return false;
    }
  });
}

bool NeedsOnlyHeader(const std::vector<imap::FetchItem>& items) {
  return std::all_of(items.begin(), items.end(), [](const imap::FetchItem& i) {
    if (i.kind == Kind::kBodySection) {
      return i.section.part.empty() &&
             (i.section.text == Text::kHeader || i.section.text == Text::kHeaderFields ||
              i.section.text == Text::kHeaderFieldsNot);
    }
    return i.kind == Kind::kRfc822Header || !NeedsBytes({i});
  });
}

bool NeedsStructure(const std::vector<imap::FetchItem>& items) {
  return std::any_of(items.begin(), items.end(), [](const imap::FetchItem& i) {
    return i.kind == Kind::kEnvelope || i.kind == Kind::kBody || i.kind == Kind::kBodyStructure ||
           i.kind == Kind::kRfc822Header || i.kind == Kind::kRfc822Text ||
           ((i.kind == Kind::kBodySection || i.kind == Kind::kBinary ||
             i.kind == Kind::kBinarySize) &&
            !(i.section.part.empty() && i.section.text == Text::kNone));
  });
}

bool SetsSeen(const std::vector<imap::FetchItem>& items) {
  return std::any_of(items.begin(), items.end(),
                     [](const imap::FetchItem& i) { return i.SetsSeen(); });
}

std::string RenderFetch(const std::vector<imap::FetchItem>& items, const FetchInput& in,
                        bool* unknown_cte) {
  const store::MessageInfo& m = *in.msg;
  std::string out = "* " + std::to_string(in.seq) + " FETCH (";
  bool has_uid = false, has_flags = false, has_modseq = false;
  for (const auto& item : items) {
    switch (item.kind) {
      case Kind::kUid:
        Append(&out, "UID " + std::to_string(m.uid));
        has_uid = true;
        break;
      case Kind::kFlags:
        Append(&out, "FLAGS " + FlagList(m.flags, in.recent));
        has_flags = true;
        break;
      case Kind::kInternalDate:
        Append(&out, "INTERNALDATE \"" + imap::FormatDateTime(m.internal_date) + "\"");
        break;
      case Kind::kRfc822Size:
        Append(&out, "RFC822.SIZE " + std::to_string(m.size));
        break;
      case Kind::kModSeq:
        Append(&out, "MODSEQ (" + std::to_string(m.modseq) + ")");
        has_modseq = true;
        break;
      case Kind::kEmailId:
        Append(&out, "EMAILID (" + imap::EmailId(m.guid) + ")");
        break;
      case Kind::kThreadId:
        Append(&out, "THREADID NIL");  // threads are not kept (imap/object_id.h)
        break;
      case Kind::kEnvelope:
        Append(&out, "ENVELOPE " + imap::MessageEnvelope(*in.parsed));
        break;
      case Kind::kBody:
        Append(&out, "BODY " + imap::FormatBody(*in.parsed));
        break;
      case Kind::kBodyStructure:
        Append(&out, "BODYSTRUCTURE " + imap::FormatBodyStructure(*in.parsed));
        break;
      case Kind::kRfc822:
        Append(&out, "RFC822 " + Literal(*in.bytes));
        break;
      case Kind::kRfc822Header:
        Append(&out, "RFC822.HEADER " + Literal(in.parsed->root.header.Of(*in.bytes)));
        break;
      case Kind::kRfc822Text:
        Append(&out, "RFC822.TEXT " + Literal(in.parsed->root.body.Of(*in.bytes)));
        break;
      case Kind::kBodySection:
        Append(&out,
               item.ResponseName() + " " + Literal(ApplyPartial(item, *SectionBytes(item, in))));
        break;
      case Kind::kBinary:
      case Kind::kBinarySize: {
        std::optional<std::string> data = SectionBytes(item, in);
        if (!data) {
          *unknown_cte = true;
          break;
        }
        Append(&out, item.ResponseName() + " " +
                         (item.kind == Kind::kBinary ? BinaryLiteral(ApplyPartial(item, *data))
                                                     : std::to_string(data->size())));
        break;
      }
    }
  }
  if (in.add_uid && !has_uid) Append(&out, "UID " + std::to_string(m.uid));
  if (in.add_flags && !has_flags) Append(&out, "FLAGS " + FlagList(m.flags, in.recent));
  if (in.add_modseq && !has_modseq) Append(&out, "MODSEQ (" + std::to_string(m.modseq) + ")");
  if (out.back() == '(') return "";  // every item was left out
  out += ")\r\n";
  return out;
}

}  // namespace slotmail::imapd
