#include "mime/serialize.h"

#include <cstdint>

#include "common/limits.h"
#include "mime/ascii.h"

namespace slotmail::mime {

namespace {

constexpr uint8_t kVersion = 1;

class Writer {
 public:
  void U8(uint8_t v) { out_ += static_cast<char>(v); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void Str(std::string_view s) {
    Varint(s.size());
    out_ += s;
  }
  void OptStr(const std::optional<std::string>& s) {
    U8(s.has_value());
    if (s) Str(*s);
  }
  void Params(const std::vector<Param>& params) {
    Varint(params.size());
    for (const Param& p : params) {
      Str(p.name);
      Str(p.value);
      U8(p.extended);
      Str(p.charset);
      Str(p.language);
    }
  }
  void Addresses(const std::vector<Address>& list) {
    Varint(list.size());
    for (const Address& a : list) {
      U8(static_cast<uint8_t>(a.kind));
      Str(a.name);
      Str(a.route);
      Str(a.mailbox);
      Str(a.host);
    }
  }
  void Env(const Envelope& e) {
    OptStr(e.date);
    OptStr(e.subject);
    for (const auto* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) {
      Addresses(*list);
    }
    OptStr(e.in_reply_to);
    OptStr(e.message_id);
  }
  void PartTree(const Part& p) {
    U8(static_cast<uint8_t>(p.kind));
    Varint(p.header.begin);
    Varint(p.header.size());
    Varint(p.body.size());
    Varint(p.body_lines);
    Str(p.type);
    Str(p.subtype);
    Params(p.params);
    Str(p.encoding);
    OptStr(p.id);
    OptStr(p.description);
    OptStr(p.md5);
    OptStr(p.location);
    U8(p.disposition.has_value());
    if (p.disposition) {
      Str(p.disposition->type);
      Params(p.disposition->params);
    }
    Varint(p.languages.size());
    for (const std::string& l : p.languages) Str(l);
    U8(p.envelope.has_value());
    if (p.envelope) Env(*p.envelope);
    Varint(p.children.size());
    for (const Part& c : p.children) PartTree(c);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads the format back. Every read checks the bytes left; after the first
// failure ok() is false and reads return zero values, so callers check once.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == in_.size(); }

  uint8_t U8() {
    if (!ok_ || pos_ >= in_.size()) return Fail(), 0;
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = U8();
      if (!ok_) return 0;
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail(), 0;
  }
  // A count of items each at least one byte long: more than the bytes left
  // is corrupt, which also bounds every allocation by the input size.
  size_t Count() {
    uint64_t n = Varint();
    if (n > in_.size() - pos_) return Fail(), 0;
    return static_cast<size_t>(n);
  }
  std::string Str() {
    size_t n = Count();
    if (!ok_) return {};
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::optional<std::string> OptStr() {
    if (Bool()) return Str();
    return std::nullopt;
  }
  bool Bool() {
    uint8_t b = U8();
    if (b > 1) Fail();
    return b == 1;
  }
  std::vector<Param> Params() {
    std::vector<Param> params(Count());
    for (Param& p : params) {
      p.name = Str();
      p.value = Str();
      p.extended = Bool();
      p.charset = Str();
      p.language = Str();
    }
    return params;
  }
  std::vector<Address> Addresses() {
    std::vector<Address> list(Count());
    for (Address& a : list) {
      uint8_t kind = U8();
      if (kind > static_cast<uint8_t>(Address::Kind::kGroupEnd)) Fail();
      a.kind = static_cast<Address::Kind>(kind);
      a.name = Str();
      a.route = Str();
      a.mailbox = Str();
      a.host = Str();
    }
    return list;
  }
  Envelope Env() {
    Envelope e;
    e.date = OptStr();
    e.subject = OptStr();
    for (auto* list : {&e.from, &e.sender, &e.reply_to, &e.to, &e.cc, &e.bcc}) {
      *list = Addresses();
    }
    e.in_reply_to = OptStr();
    e.message_id = OptStr();
    return e;
  }
  void PartTree(size_t depth, Part* p) {
    if (depth > limits::kMaxMimeDepth || ++parts_ > limits::kMaxMimeParts) return Fail();
    uint8_t kind = U8();
    if (kind > static_cast<uint8_t>(Part::Kind::kMessage)) return Fail();
    p->kind = static_cast<Part::Kind>(kind);
    uint64_t begin = Varint(), header_size = Varint(), body_size = Varint();
    if (begin > kMaxOffset || header_size > kMaxOffset || body_size > kMaxOffset) return Fail();
    p->header = {begin, begin + header_size};
    p->body = {p->header.end, p->header.end + body_size};
    p->body_lines = Varint();
    p->type = Str();
    p->subtype = Str();
    p->params = Params();
    p->encoding = Str();
    p->id = OptStr();
    p->description = OptStr();
    p->md5 = OptStr();
    p->location = OptStr();
    if (Bool()) p->disposition = Disposition{Str(), Params()};
    p->languages.resize(Count());
    for (std::string& l : p->languages) l = Str();
    if (Bool()) p->envelope = Env();
    p->children.resize(Count());
    for (Part& c : p->children) {
      if (!ok_) return;
      PartTree(depth + 1, &c);
    }
    // The kind must agree with the children and the type, or BODYSTRUCTURE
    // would break its grammar (a leaf message/rfc822 has no envelope).
    size_t n = p->children.size();
    bool multipart = EqualsIgnoreCase(p->type, "multipart");
    bool message = p->IsType("message", "rfc822");
    bool shape_ok = p->kind == Part::Kind::kLeaf        ? n == 0 && !multipart && !message
                    : p->kind == Part::Kind::kMultipart ? n >= 1 && multipart
                                                        : n == 1 && message;
    if (!shape_ok) Fail();
  }

 private:
  // Offsets beyond 2^48 cannot come from a message we would store; refusing
  // them keeps begin + size from overflowing.
  static constexpr uint64_t kMaxOffset = uint64_t{1} << 48;
  void Fail() { ok_ = false; }

  std::string_view in_;
  size_t pos_ = 0;
  size_t parts_ = 0;
  bool ok_ = true;
};

}  // namespace

std::string SerializeStructure(const Message& message) {
  Writer w;
  w.U8(kVersion);
  w.PartTree(message.root);
  return w.Take();
}

Result<Message> DeserializeStructure(std::string_view data) {
  Reader r(data);
  if (r.U8() != kVersion || !r.ok()) return Status::Corruption("unknown structure version");
  Message m;
  r.PartTree(0, &m.root);
  if (!r.ok()) return Status::Corruption("structure record is damaged");
  if (!r.AtEnd()) return Status::Corruption("structure record has trailing bytes");
  return m;
}

}  // namespace slotmail::mime
