#include "mime/binary_content.h"

#include <vector>

#include "common/base64.h"
#include "mime/ascii.h"
#include "mime/message_parser.h"
#include "mime/transfer.h"

namespace slotmail::mime {
namespace {

constexpr size_t kBase64Line = 76;  // RFC 2045 6.8: at most 76 characters a line
constexpr std::string_view kCteField = "Content-Transfer-Encoding";

bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// The leaves of `p` whose body holds NUL and can be decoded, in byte order.
void BinaryLeaves(std::string_view message, const Part& p, std::vector<const Part*>* out) {
  if (p.kind != Part::Kind::kLeaf) {
    for (const Part& child : p.children) BinaryLeaves(message, child, out);
    return;
  }
  if (HasNul(p.body.Of(message)) && CanDecodeTransfer(p.encoding)) out->push_back(&p);
}

// True if the header line at the start of `line` is a Content-Transfer-Encoding field.
bool IsCteField(std::string_view line) {
  if (line.size() <= kCteField.size() || !EqualsIgnoreCase(line.substr(0, kCteField.size()), kCteField)) {
    return false;
  }
  size_t i = kCteField.size();
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i < line.size() && line[i] == ':';
}

// `header` (fields and the blank line ending them) with its
// Content-Transfer-Encoding fields, continuation lines included, replaced by
// one naming base64, placed before the blank line.
std::string Base64Header(std::string_view header) {
  std::string out;
  bool dropping = false;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find('\n', pos);
    end = end == std::string_view::npos ? header.size() : end + 1;
    std::string_view line = header.substr(pos, end - pos);
    pos = end;
    if (line == "\r\n" || line == "\n") {  // the blank line: the header ends
      out += std::string(kCteField) + ": base64\r\n";
      out += line;
      return out;
    }
    const bool continuation = line[0] == ' ' || line[0] == '\t';
    if (!continuation) dropping = IsCteField(line);
    if (!dropping) out += line;
  }
  return out + std::string(kCteField) + ": base64\r\n\r\n";  // no blank line (not reached for a body)
}

std::string Base64Body(std::string_view body, std::string_view encoding) {
  const std::string encoded = Base64Encode(DecodeTransfer(body, encoding));
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += kBase64Line) {
    if (i != 0) out += "\r\n";
    out.append(encoded, i, kBase64Line);
  }
  if (!body.empty() && body.back() == '\n') out += "\r\n";  // keep the line end before what follows
  return out;
}

}  // namespace

void EncodeBinaryParts(std::string* bytes) {
  if (!HasNul(*bytes)) return;
  const std::string_view message = *bytes;
  const Message parsed = ParseMessage(message);
  std::vector<const Part*> leaves;
  BinaryLeaves(message, parsed.root, &leaves);
  std::string out;
  size_t copied = 0;  // message bytes before this offset are in `out`
  for (const Part* p : leaves) {
    out.append(message, copied, p->header.begin - copied);
    out += Base64Header(p->header.Of(message));
    out.append(message, p->header.end, p->body.begin - p->header.end);
    out += Base64Body(p->body.Of(message), p->encoding);
    copied = p->body.end;
  }
  if (leaves.empty()) return;
  out.append(message, copied);
  *bytes = std::move(out);
}

}  // namespace slotmail::mime
