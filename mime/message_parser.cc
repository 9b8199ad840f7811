#include "mime/message_parser.h"

#include <algorithm>
#include <string>
#include <vector>

#include "common/limits.h"
#include "common/utf8.h"
#include "mime/ascii.h"
#include "mime/content_type.h"
#include "mime/envelope_fields.h"
#include "mime/header.h"
#include "mime/line_counter.h"

namespace slotmail::mime {

namespace {

using limits::kMaxMimeDepth;
using limits::kMaxMimeParts;

// The value of field `name` as far as the parse keeps it (kMaxMimeFieldBytes).
std::optional<std::string_view> Value(const std::vector<HeaderField>& fields,
                                      std::string_view name) {
  const HeaderField* f = FindField(fields, name);
  if (f == nullptr) return std::nullopt;
  return utf8::Prefix(f->value, limits::kMaxMimeFieldBytes);
}

std::optional<std::string> NonEmptyValue(const std::vector<HeaderField>& fields,
                                         std::string_view name) {
  std::optional<std::string_view> v = Value(fields, name);
  if (!v || v->empty()) return std::nullopt;
  return std::string(*v);
}

void SetDefaultText(Part* p) {
  p->kind = Part::Kind::kLeaf;
  p->type = "text";
  p->subtype = "plain";
  Param charset;
  charset.name = "charset";
  charset.value = "us-ascii";
  p->params = {std::move(charset)};
  p->children.clear();
}

void SetOpaque(Part* p) {
  p->kind = Part::Kind::kLeaf;
  p->type = "application";
  p->subtype = "octet-stream";
  p->params.clear();
  p->children.clear();
}

void ApplyMimeFields(const std::vector<HeaderField>& fields, bool digest_child, Part* p) {
  const std::optional<std::string_view> ct = Value(fields, "Content-Type");
  std::optional<MediaType> mt;
  if (ct) mt = ParseContentType(*ct);
  if (mt) {
    p->type = std::move(mt->type);
    p->subtype = std::move(mt->subtype);
    p->params = std::move(mt->params);
  } else if (!ct && digest_child) {
    p->type = "message";
    p->subtype = "rfc822";
  } else {
    SetDefaultText(p);
  }
  if (auto v = Value(fields, "Content-Transfer-Encoding")) p->encoding = ParseEncodingToken(*v);
  p->id = NonEmptyValue(fields, "Content-ID");
  p->description = NonEmptyValue(fields, "Content-Description");
  p->md5 = NonEmptyValue(fields, "Content-MD5");
  p->location = NonEmptyValue(fields, "Content-Location");
  if (auto v = Value(fields, "Content-Disposition")) p->disposition = ParseContentDisposition(*v);
  if (auto v = Value(fields, "Content-Language")) p->languages = ParseLanguageList(*v);
}

// A delimiter line of a multipart body.
struct Delimiter {
  size_t content_end;  // where the preceding part ends (before the line ending it owns)
  size_t next;         // first byte after the delimiter line
  bool close;
};

class Parser {
 public:
  explicit Parser(std::string_view msg) : msg_(msg), lines_(msg) {}

  Part Parse(size_t begin, size_t end, size_t depth, bool digest_child, bool is_message) {
    ++parts_;
    Part p;
    size_t body = begin + FindBodyStart(msg_.substr(begin, end - begin));
    p.header = {begin, body};
    p.body = {body, end};
    p.body_lines = lines_.Lines(body, end);
    std::vector<HeaderField> fields = ParseHeaderFields(p.header.Of(msg_));
    ApplyMimeFields(fields, digest_child, &p);
    if (is_message) p.envelope = EnvelopeFromFields(fields);
    Expand(depth, &p);
    return p;
  }

 private:
  bool CanExpand(size_t depth) const { return depth < kMaxMimeDepth && parts_ < kMaxMimeParts; }

  void Expand(size_t depth, Part* p) {
    if (EqualsIgnoreCase(p->type, "multipart")) {
      const Param* boundary = p->FindParam("boundary");
      if (boundary == nullptr || boundary->value.empty()) return SetDefaultText(p);
      if (!CanExpand(depth)) return SetOpaque(p);
      if (!Split(boundary->value, depth, EqualsIgnoreCase(p->subtype, "digest"), p)) {
        return SetDefaultText(p);
      }
      p->kind = Part::Kind::kMultipart;
    } else if (p->IsType("message", "rfc822")) {
      if (!CanExpand(depth)) return SetOpaque(p);
      p->kind = Part::Kind::kMessage;
      p->children.push_back(Parse(p->body.begin, p->body.end, depth + 1, false, true));
    }
  }

  // The delimiter line starting at `line`, if it is one for `dash_boundary`.
  std::optional<Delimiter> DelimiterAt(size_t line, size_t body_begin, size_t end,
                                       std::string_view dash_boundary) const {
    std::string_view rest = msg_.substr(line, end - line);
    if (!rest.starts_with(dash_boundary)) return std::nullopt;
    size_t nl = rest.find('\n');
    Delimiter d;
    d.next = nl == std::string_view::npos ? end : line + nl + 1;
    rest = rest.substr(dash_boundary.size(), (nl == std::string_view::npos ? rest.size() : nl) -
                                                 dash_boundary.size());
    d.close = rest.starts_with("--");
    if (d.close) rest.remove_prefix(2);
    for (char c : rest) {
      if (!IsWsp(c) && c != '\r') return std::nullopt;
    }
    d.content_end = line;
    if (line > body_begin) {  // the line ending before the delimiter is part of it
      d.content_end = line - 1;
      if (d.content_end > body_begin && msg_[d.content_end - 1] == '\r') --d.content_end;
    }
    return d;
  }

  // Splits p's body into children; false if that gives none (no delimiter
  // line, or only a close delimiter).
  bool Split(std::string_view boundary, size_t depth, bool digest, Part* p) {
    const std::string dash_boundary = "--" + std::string(boundary);
    const size_t begin = p->body.begin, end = p->body.end;
    std::optional<size_t> part_start;  // set while inside a body part
    // Only bytes before `end` may match; a delimiter must start a line.
    const std::string_view scope = msg_.substr(0, end);
    for (size_t pos = begin;;) {
      size_t line = scope.find(dash_boundary, pos);
      if (line == std::string_view::npos) break;
      std::optional<Delimiter> d;
      if (line == begin || msg_[line - 1] == '\n') d = DelimiterAt(line, begin, end, dash_boundary);
      if (!d) {
        pos = line + 1;
        continue;
      }
      if (part_start &&
          !AddChild(*part_start, std::max(*part_start, d->content_end), depth, digest, p)) {
        return !p->children.empty();
      }
      if (d->close) return !p->children.empty();
      part_start = d->next;
      pos = d->next;
    }
    if (part_start) AddChild(*part_start, end, depth, digest, p);
    return !p->children.empty();
  }

  // False once kMaxMimeParts is reached: the rest is left unsplit.
  bool AddChild(size_t begin, size_t end, size_t depth, bool digest, Part* p) {
    if (parts_ >= kMaxMimeParts) return false;
    p->children.push_back(Parse(begin, end, depth + 1, digest, false));
    return true;
  }

  std::string_view msg_;
  LineCounter lines_;
  size_t parts_ = 0;
};

}  // namespace

Message ParseMessage(std::string_view bytes) {
  Message m;
  m.root = Parser(bytes).Parse(0, bytes.size(), 0, false, true);
  return m;
}

}  // namespace slotmail::mime
