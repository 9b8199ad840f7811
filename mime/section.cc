#include "mime/section.h"

#include <string>

namespace slotmail::mime {

namespace {

// Part `n` (1-based) inside the message whose top part is `msg_root`.
const Part* PartOfMessage(const Part& msg_root, uint32_t n) {
  if (msg_root.kind == Part::Kind::kMultipart) {
    return n >= 1 && n <= msg_root.children.size() ? &msg_root.children[n - 1] : nullptr;
  }
  return n == 1 ? &msg_root : nullptr;
}

// Subpart `n` of `p`, which is a part already selected by number.
const Part* Subpart(const Part& p, uint32_t n) {
  switch (p.kind) {
    case Part::Kind::kMultipart:
      return n >= 1 && n <= p.children.size() ? &p.children[n - 1] : nullptr;
    case Part::Kind::kMessage:
      return PartOfMessage(p.children.front(), n);
    case Part::Kind::kLeaf:
      return nullptr;
  }
  return nullptr;
}

}  // namespace

Result<Range> ResolveSection(const Message& message, const std::vector<uint32_t>& path,
                             SectionText text) {
  const Part& root = message.root;
  if (path.empty()) {
    switch (text) {
      case SectionText::kNone: return Range{0, root.body.end};
      case SectionText::kHeader: return root.header;
      case SectionText::kText: return root.body;
      case SectionText::kMime: return Status::InvalidArgument("MIME needs a part number");
    }
  }
  const Part* p = PartOfMessage(root, path[0]);
  for (size_t i = 1; p != nullptr && i < path.size(); ++i) p = Subpart(*p, path[i]);
  if (p == nullptr) return Status::NotFound("no such body part");
  switch (text) {
    case SectionText::kNone: return p->body;
    case SectionText::kMime: return p->header;
    case SectionText::kHeader:
    case SectionText::kText:
      if (p->kind != Part::Kind::kMessage) {
        return Status::InvalidArgument("HEADER and TEXT need a message/rfc822 part");
      }
      return text == SectionText::kHeader ? p->children.front().header
                                          : p->children.front().body;
  }
  return Status::InvalidArgument("unknown section");
}

}  // namespace slotmail::mime
