#include "mime/address.h"

#include <optional>
#include <string>

#include "common/limits.h"
#include "mime/encoded_word.h"
#include "mime/lexer.h"

namespace slotmail::mime {

namespace {

using Token = Lexer::Token;
using Tokens = std::vector<Token>;

// Token texts joined with one space wherever CFWS separated them (phrases).
std::string JoinSpaced(Tokens::const_iterator begin, Tokens::const_iterator end) {
  std::string out;
  for (auto it = begin; it != end; ++it) {
    if (it != begin && it->space_before) out += ' ';
    out += it->text;
  }
  return out;
}

// Token texts joined with nothing between them (local parts, domains, routes:
// CFWS there carries no meaning).
std::string JoinTight(Tokens::const_iterator begin, Tokens::const_iterator end) {
  std::string out;
  for (auto it = begin; it != end; ++it) out += it->text;
  return out;
}

Tokens::const_iterator FindSpecial(const Tokens& t, char c) {
  for (auto it = t.begin(); it != t.end(); ++it) {
    if (it->Is(c)) return it;
  }
  return t.end();
}

bool IsDotted(const Token& t) {
  return t.kind == Lexer::Kind::kAtom && (t.text.front() == '.' || t.text.back() == '.');
}

// addr-spec tokens (possibly with a name before them) into `a`.
void FillAddrSpec(const Tokens& t, Address* a) {
  auto at = FindSpecial(t, '@');
  auto local_begin = t.begin();
  if (at != t.end()) {
    // "John Doe john@x": words separated by spaces and no dots between them
    // are a display name the sender forgot to bracket; the last is the local part.
    bool spaced = false, dotted = false;
    for (auto it = t.begin(); it != at; ++it) {
      spaced |= it != t.begin() && it->space_before;
      dotted |= IsDotted(*it);
    }
    if (spaced && !dotted && at - t.begin() >= 2) {
      local_begin = at - 1;
      if (a->name.empty()) a->name = JoinSpaced(t.begin(), local_begin);
    }
    a->mailbox = JoinTight(local_begin, at);
    a->host = JoinTight(at + 1, t.end());
  } else {
    a->mailbox = JoinSpaced(t.begin(), t.end());
  }
}

void FillMissing(Address* a) {
  if (a->mailbox.empty()) a->mailbox = kMissingMailbox;
  if (a->host.empty()) a->host = kMissingDomain;
}

class Parser {
 public:
  explicit Parser(std::string_view value) : lex_(value, kAddressSpecials) {}

  std::vector<Address> Run() {
    while (!Full()) {
      Token t = lex_.Next();
      if (t.kind == Lexer::Kind::kEnd) break;
      if (t.Is(',')) {
        FinishElement();
      } else if (t.Is(';')) {
        FinishElement();
        EndGroup();
      } else if (t.Is(':') && !in_group_ && !angle_) {
        Address g;
        g.kind = Address::Kind::kGroupStart;
        g.name = JoinSpaced(tokens_.begin(), tokens_.end());
        out_.push_back(std::move(g));
        in_group_ = true;
        tokens_.clear();
      } else if (t.Is('<') && !angle_) {
        ReadAngle();
      } else if (!angle_) {
        tokens_.push_back(std::move(t));
      }
      // A comment names the mailbox only when it ends the element
      // ("a@b (Name)"); one before or inside the address is CFWS (RFC 5322
      // 3.4.1: "<user (c)@ (c) domain.org>" has no name).
      lex_.TakeComment();
    }
    if (!Full()) FinishElement();
    EndGroup();
    return std::move(out_);
  }

 private:
  // One slot stays free for a closing group marker.
  bool Full() const { return out_.size() + 1 >= limits::kMaxEnvelopeAddresses; }

  void EndGroup() {
    if (!in_group_) return;
    Address end;
    end.kind = Address::Kind::kGroupEnd;
    out_.push_back(std::move(end));
    in_group_ = false;
  }

  // After '<': the optional route and the addr-spec up to '>'.
  void ReadAngle() {
    Address a;
    a.name = JoinSpaced(tokens_.begin(), tokens_.end());
    tokens_.clear();
    Tokens inner;
    for (Token t = lex_.Next(); t.kind != Lexer::Kind::kEnd && !t.Is('>'); t = lex_.Next()) {
      inner.push_back(std::move(t));
    }
    auto colon = inner.end();
    for (auto it = inner.begin(); it != inner.end(); ++it) {
      if (it->Is(':')) colon = it;
    }
    Tokens spec(inner.begin(), inner.end());
    if (colon != inner.end()) {
      a.route = JoinTight(inner.begin(), colon);
      spec.assign(colon + 1, inner.end());
    }
    auto at = FindSpecial(spec, '@');
    a.mailbox = JoinTight(spec.begin(), at);
    if (at != spec.end()) a.host = JoinTight(at + 1, spec.end());
    angle_ = std::move(a);
  }

  // At ',' ';' or the end: the element read so far becomes an entry.
  void FinishElement() {
    std::string comment = lex_.TakeComment();
    std::optional<Address> a = std::move(angle_);
    angle_.reset();
    if (!a && !tokens_.empty()) {
      a.emplace();
      FillAddrSpec(tokens_, &*a);
    }
    tokens_.clear();
    if (!a) return;  // an empty element (obs-addr-list) or a lone comment
    if (a->name.empty()) a->name = std::move(comment);
    FillMissing(&*a);
    out_.push_back(std::move(*a));
  }

  Lexer lex_;
  Tokens tokens_;                // the current element before any '<'
  std::optional<Address> angle_;  // the current element's <addr>, once read
  bool in_group_ = false;
  std::vector<Address> out_;
};

}  // namespace

std::vector<Address> ParseAddressList(std::string_view value) { return Parser(value).Run(); }

std::string AddrSpec(const Address& a) {
  if (a.mailbox == kMissingMailbox) return "";
  if (a.host == kMissingDomain) return a.mailbox;
  return a.mailbox + "@" + a.host;
}

std::string AddressSearchText(const std::vector<Address>& list) {
  std::string out;
  bool first = true;  // the next mailbox starts its group or the list
  for (const Address& a : list) {
    switch (a.kind) {
      case Address::Kind::kGroupStart:
        if (!out.empty()) out += ", ";
        out += DecodeEncodedWords(a.name) + ": ";
        first = true;
        continue;
      case Address::Kind::kGroupEnd:
        out += ';';
        first = false;
        continue;
      case Address::Kind::kMailbox:
        if (!first) out += ", ";
        first = false;
        if (std::string name = DecodeEncodedWords(a.name); !name.empty()) {
          out += name + " <" + AddrSpec(a) + ">";
        } else {
          out += AddrSpec(a);
        }
        continue;
    }
  }
  return out;
}

}  // namespace slotmail::mime
