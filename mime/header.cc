#include "mime/header.h"

#include "mime/ascii.h"

namespace slotmail::mime {

namespace {

// One line of a block: [begin, content_end) without its ending; next is the
// start of the following line (past the LF), or block size.
struct Line {
  size_t begin;
  size_t content_end;
  size_t next;
  bool empty() const { return content_end == begin; }
};

Line LineAt(std::string_view s, size_t pos) {
  size_t nl = s.find('\n', pos);
  if (nl == std::string_view::npos) return {pos, s.size(), s.size()};
  size_t end = (nl > pos && s[nl - 1] == '\r') ? nl - 1 : nl;
  return {pos, end, nl + 1};
}

// The line's field name if it starts a field, else empty. Field names are
// printable ASCII without ':' (RFC 5322 3.6.8), optionally followed by WSP
// (obs-optional) before the colon.
std::string_view FieldNameOf(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && IsWsp(name.back())) name.remove_suffix(1);
  if (name.empty()) return {};
  for (char c : name) {
    if (c <= ' ' || c >= 127) return {};
  }
  return name;
}

// The empty line ending `block`, or "" if the block has none.
std::string_view TerminatingBlankLine(std::string_view block) {
  if (block == "\n" || block == "\r\n") return block;
  if (block.ends_with("\n\r\n")) return "\r\n";
  if (block.ends_with("\n\n")) return "\n";
  return {};
}

bool NameListed(std::string_view name, const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    if (EqualsIgnoreCase(name, n)) return true;
  }
  return false;
}

}  // namespace

size_t FindBodyStart(std::string_view part) {
  size_t pos = 0;
  while (pos < part.size()) {
    Line line = LineAt(part, pos);
    if (line.empty() && line.next > line.begin) return line.next;
    pos = line.next;
  }
  return part.size();
}

std::vector<HeaderField> ParseHeaderFields(std::string_view block) {
  std::vector<HeaderField> fields;
  bool in_field = false;  // the last line belonged to fields.back()
  size_t pos = 0;
  while (pos < block.size()) {
    Line line = LineAt(block, pos);
    if (line.empty()) break;
    std::string_view text = block.substr(line.begin, line.content_end - line.begin);
    if (IsWsp(text.front())) {
      if (in_field) {
        fields.back().range.end = line.next;
      }
    } else if (std::string_view name = FieldNameOf(text); !name.empty()) {
      HeaderField f;
      f.name = std::string(name);
      f.range = {line.begin, line.next};
      fields.push_back(std::move(f));
      in_field = true;
    } else {
      in_field = false;
    }
    pos = line.next;
  }
  for (HeaderField& f : fields) {
    std::string_view whole = f.range.Of(block);
    std::string_view raw = whole.substr(whole.find(':') + 1);
    if (raw.ends_with('\n')) raw.remove_suffix(1);
    if (raw.ends_with('\r')) raw.remove_suffix(1);
    f.raw = std::string(raw);
    f.value = std::string(TrimWhitespace(Unfold(raw)));
  }
  return fields;
}

const HeaderField* FindField(const std::vector<HeaderField>& fields, std::string_view name) {
  for (const HeaderField& f : fields) {
    if (EqualsIgnoreCase(f.name, name)) return &f;
  }
  return nullptr;
}

std::string Unfold(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw) {
    if (c != '\r' && c != '\n') out += c;
  }
  return out;
}

std::string ExtractHeaderFields(std::string_view block, const std::vector<std::string>& names,
                                bool exclude) {
  std::string out;
  for (const HeaderField& f : ParseHeaderFields(block)) {
    if (NameListed(f.name, names) != exclude) out += f.range.Of(block);
  }
  out += TerminatingBlankLine(block);
  return out;
}

}  // namespace slotmail::mime
