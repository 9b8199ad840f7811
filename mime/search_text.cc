#include "mime/search_text.h"

#include "mime/ascii.h"
#include "mime/charset.h"
#include "mime/transfer.h"

namespace slotmail::mime {

namespace {

void AppendText(std::string_view message, const Part& p, std::string* out) {
  if (p.kind == Part::Kind::kLeaf) {
    if (EqualsIgnoreCase(p.type, "text")) {
      *out += PartText(message, p);
      *out += '\n';
    }
    return;
  }
  for (const Part& child : p.children) AppendText(message, child, out);
}

}  // namespace

std::string PartText(std::string_view message, const Part& part) {
  if (part.kind != Part::Kind::kLeaf) return {};
  std::string decoded = DecodeTransfer(part.body.Of(message), part.encoding);
  const Param* charset = part.FindParam("charset");
  return ToUtf8(decoded, charset != nullptr ? std::string_view(charset->value) : "");
}

std::string SearchableBody(std::string_view message, const Message& parsed) {
  std::string out;
  AppendText(message, parsed.root, &out);
  return out;
}

}  // namespace slotmail::mime
