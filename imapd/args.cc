#include "imapd/args.h"

#include <algorithm>

#include "imap/mutf7.h"
#include "imap/quote.h"
#include "imapd/mailbox_view.h"

namespace slotmail::imapd {
namespace {

bool HasEightBit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return (c & 0x80) != 0; });
}

}  // namespace

Result<std::string> AstringArg(const imap::Command& cmd, size_t i, const char* what) {
  if (i >= cmd.args.size() || !cmd.args[i].IsAstring()) {
    return Status::Protocol(std::string("Missing or invalid ") + what);
  }
  return cmd.args[i].value;
}

Result<std::string> MailboxArg(const imap::Command& cmd, size_t i, NameEncoding enc) {
  if (i >= cmd.args.size()) return Status::Protocol("Missing or invalid mailbox name");
  return MailboxFrom(cmd.args[i], enc);
}

Result<std::string> MailboxFrom(const imap::Arg& arg, NameEncoding enc) {
  if (!arg.IsAstring()) return Status::Protocol("Missing or invalid mailbox name");
  if (enc == NameEncoding::kUtf8) {
    // Quoted strings were checked by the parser; literals were not.
    if (!imap::IsUtf8(arg.value)) return Status::Protocol("Mailbox name is not valid UTF-8");
    return arg.value;
  }
  auto utf8 = imap::Mutf7ToUtf8(arg.value);
  if (utf8.ok()) return utf8;
  if (HasEightBit(arg.value)) {
    return Status::Protocol(
        "Mailbox name has 8-bit characters: send modified UTF-7, or ENABLE UTF8=ACCEPT");
  }
  return Status::Protocol("Mailbox name is not valid modified UTF-7");
}

Result<std::string> PatternFrom(const imap::Arg& arg, NameEncoding enc) {
  auto name = MailboxFrom(arg, enc);
  if (name.ok() || enc == NameEncoding::kUtf8 || !arg.IsAstring() || HasEightBit(arg.value)) {
    return name;
  }
  return arg.value;
}

std::string MailboxOut(std::string_view utf8_name, NameEncoding enc) {
  if (enc == NameEncoding::kUtf8) return imap::QuotedUtf8(utf8_name);
  auto m = imap::Utf8ToMutf7(utf8_name);
  // Stored names are valid UTF-8, so encoding cannot fail; fall back safely.
  return imap::Quoted(m.ok() ? *m : std::string(utf8_name));
}

Result<store::Flags> FlagsArg(const imap::Arg& arg) {
  static const std::pair<const char*, uint32_t> kSystem[] = {
      {"\\SEEN", store::kFlagSeen},       {"\\ANSWERED", store::kFlagAnswered},
      {"\\FLAGGED", store::kFlagFlagged}, {"\\DELETED", store::kFlagDeleted},
      {"\\DRAFT", store::kFlagDraft},
  };
  // RFC 3501 9: flag-keyword is an atom, and NIL is one (kNil keeps the
  // text as sent): STORE 1 +FLAGS NIL stores the keyword NIL.
  const auto is_atom = [](const imap::Arg& a) {
    return a.kind == imap::Arg::kAtom || a.kind == imap::Arg::kNil;
  };
  std::vector<imap::Arg> items;
  if (arg.kind == imap::Arg::kList) {
    items = arg.list;
  } else if (is_atom(arg)) {
    items.push_back(arg);  // STORE allows a single flag without parentheses
  } else {
    return Status::Protocol("Invalid flag list");
  }
  store::Flags flags;
  for (const auto& item : items) {
    if (!is_atom(item) || item.value.empty()) return Status::Protocol("Invalid flag");
    if (item.value[0] == '\\') {
      std::string upper = imap::AsciiUpper(item.value);
      bool known = false;
      for (const auto& [name, bit] : kSystem) {
        if (upper == name) {
          flags.system |= bit;
          known = true;
        }
      }
      if (!known) return Status::Protocol("Invalid system flag " + item.value.substr(0, 32));
      continue;
    }
    if (!item.IsAtom()) return Status::Protocol("Invalid keyword");
    flags.keywords.push_back(item.value);
  }
  return flags;
}

Result<store::UidSet> UidSetArg(const imap::Command& cmd, size_t i, bool uid,
                                const MailboxView& view) {
  if (i >= cmd.args.size() || cmd.args[i].kind != imap::Arg::kAtom) {
    return Status::Protocol("Missing sequence set");
  }
  auto set = imap::SequenceSet::Parse(cmd.args[i].value);
  if (!set.ok()) return Status::Protocol("Invalid sequence set");
  // The saved result is kept as UIDs; those expunged since name nothing.
  store::UidSet out;
  if (set->uses_saved()) out = view.saved_result();
  if (uid) {
    uint32_t max = view.uids().empty() ? 0 : view.uids().back();
    // A UID set may name UIDs the client never saw; "*" is the highest known.
    for (const auto& e : set->elements()) {
      if (e.saved) continue;
      uint32_t a = e.first == imap::SequenceSet::kStar ? max : e.first;
      uint32_t b = e.last == imap::SequenceSet::kStar ? max : e.last;
      if (a == 0 && b == 0) continue;
      out.push_back({std::min(a, b) == 0 ? 1 : std::min(a, b), std::max(a, b)});
    }
    return out;
  }
  if (!set->FitsWithin(view.exists())) return Status::Protocol("Invalid message sequence number");
  for (const auto& r : set->Resolve(view.exists())) {
    out.push_back({view.UidAt(r.lo), view.UidAt(r.hi)});
  }
  return out;
}

}  // namespace slotmail::imapd
