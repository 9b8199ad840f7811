#include "mime/message.h"

#include "mime/ascii.h"

namespace slotmail::mime {

bool Part::IsType(std::string_view t, std::string_view sub) const {
  return EqualsIgnoreCase(type, t) && EqualsIgnoreCase(subtype, sub);
}

const Param* Part::FindParam(std::string_view name) const {
  return mime::FindParam(params, name);
}

namespace {

// Heap bytes of each type; the object itself is counted by its owner.
size_t Heap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }
size_t Heap(const std::optional<std::string>& s) { return s ? Heap(*s) : 0; }
size_t Heap(const Param& p) { return Heap(p.name) + Heap(p.value) + Heap(p.charset) + Heap(p.language); }
size_t Heap(const Address& a) { return Heap(a.name) + Heap(a.route) + Heap(a.mailbox) + Heap(a.host); }
size_t Heap(const Envelope& e);
size_t Heap(const Disposition& d);
size_t Heap(const Part& p);

template <typename T>
size_t Heap(const std::vector<T>& v) {
  size_t n = v.capacity() * sizeof(T);
  for (const T& x : v) n += Heap(x);
  return n;
}

size_t Heap(const Envelope& e) {
  return Heap(e.date) + Heap(e.subject) + Heap(e.from) + Heap(e.sender) + Heap(e.reply_to) +
         Heap(e.to) + Heap(e.cc) + Heap(e.bcc) + Heap(e.in_reply_to) + Heap(e.message_id);
}

size_t Heap(const Disposition& d) { return Heap(d.type) + Heap(d.params); }

size_t Heap(const Part& p) {
  return Heap(p.type) + Heap(p.subtype) + Heap(p.params) + Heap(p.encoding) + Heap(p.id) +
         Heap(p.description) + Heap(p.md5) + Heap(p.location) +
         (p.disposition ? Heap(*p.disposition) : 0) + Heap(p.languages) +
         (p.envelope ? Heap(*p.envelope) : 0) + Heap(p.children);
}

}  // namespace

size_t MemoryUsage(const Message& message) { return sizeof(Message) + Heap(message.root); }

const Param* FindParam(const std::vector<Param>& params, std::string_view name) {
  for (const Param& p : params) {
    if (EqualsIgnoreCase(p.name, name)) return &p;
  }
  return nullptr;
}

}  // namespace slotmail::mime
