#include "imap/condstore_args.h"

#include <charconv>

namespace slotmail::imap {
namespace {

Status Bad(const char* what) { return Status::InvalidArgument(what); }

Result<uint64_t> NumberArg(const Arg& a, uint64_t max, bool nonzero, const char* what) {
  if (a.kind != Arg::kAtom) return Bad(what);
  auto n = ParseDecimal(a.value, max, nonzero);
  if (!n.ok()) return Bad(what);
  return *n;
}

Result<SequenceSet> SetArg(const Arg& a, const char* what) {
  if (a.kind != Arg::kAtom) return Bad(what);
  auto set = SequenceSet::Parse(a.value);
  if (!set.ok() || set->uses_saved()) return Bad(what);
  return *set;
}

// The number of values a set without "*" names (ranges counted whole).
uint64_t CountOf(const SequenceSet& set) {
  uint64_t n = 0;
  for (const auto& e : set.elements()) {
    n += (e.first > e.last ? e.first - e.last : e.last - e.first) + uint64_t{1};
  }
  return n;
}

Result<QresyncParams> ParseQresync(const Arg& list) {
  if (list.kind != Arg::kList || list.list.size() < 2 || list.list.size() > 4) {
    return Bad("QRESYNC takes (uidvalidity modseq [known-uids [(seq-match uid-match)]])");
  }
  const auto& a = list.list;
  QresyncParams q;
  ASSIGN_OR_RETURN(uint64_t v, NumberArg(a[0], UINT32_MAX, true, "Invalid QRESYNC uidvalidity"));
  q.uidvalidity = static_cast<uint32_t>(v);
  ASSIGN_OR_RETURN(q.modseq, NumberArg(a[1], kMaxModSeqValue, false, "Invalid QRESYNC modseq"));
  size_t i = 2;
  if (i < a.size() && a[i].kind == Arg::kAtom) {
    ASSIGN_OR_RETURN(q.known_uids, SetArg(a[i], "Invalid QRESYNC known-uids"));
    ++i;
  }
  if (i < a.size()) {
    const Arg& match = a[i++];
    if (match.kind != Arg::kList || match.list.size() != 2) {
      return Bad("QRESYNC sequence match data must be (seq-set uid-set)");
    }
    ASSIGN_OR_RETURN(q.seq_match, SetArg(match.list[0], "Invalid QRESYNC seq-match"));
    ASSIGN_OR_RETURN(q.uid_match, SetArg(match.list[1], "Invalid QRESYNC uid-match"));
    // RFC 7162 3.2.5: both name the same number of messages; no "*".
    for (const auto* set : {&*q.seq_match, &*q.uid_match}) {
      for (const auto& e : set->elements()) {
        if (e.first == SequenceSet::kStar || e.last == SequenceSet::kStar) {
          return Bad("QRESYNC sequence match data may not use *");
        }
      }
    }
    if (CountOf(*q.seq_match) != CountOf(*q.uid_match)) {
      return Bad("QRESYNC seq-match and uid-match differ in size");
    }
  }
  if (i != a.size()) return Bad("Unexpected QRESYNC argument");
  return q;
}

}  // namespace

Result<uint64_t> ParseDecimal(std::string_view text, uint64_t max, bool nonzero) {
  uint64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || text[0] == '+' || ec != std::errc() || p != end || v > max ||
      (nonzero && v == 0)) {
    return Bad("Invalid number");
  }
  return v;
}

Result<SelectParams> ParseSelectParams(const std::vector<Arg>& args) {
  SelectParams p;
  if (args.empty()) return p;
  if (args.size() != 1 || args[0].kind != Arg::kList || args[0].list.empty()) {
    return Bad("SELECT takes a mailbox and an optional parameter list");
  }
  const auto& l = args[0].list;
  for (size_t i = 0; i < l.size(); ++i) {
    const std::string name = l[i].kind == Arg::kAtom ? AsciiUpper(l[i].value) : "";
    if (name == "CONDSTORE" && !p.condstore) {
      p.condstore = true;
    } else if (name == "QRESYNC" && !p.qresync && i + 1 < l.size()) {
      ASSIGN_OR_RETURN(p.qresync, ParseQresync(l[++i]));
    } else {
      return Bad("Unknown or repeated SELECT parameter");
    }
  }
  return p;
}

Result<FetchModifiers> ParseFetchModifiers(const Arg& list) {
  if (list.kind != Arg::kList || list.list.empty()) return Bad("Expected FETCH modifiers");
  FetchModifiers m;
  const auto& l = list.list;
  for (size_t i = 0; i < l.size(); ++i) {
    const std::string name = l[i].kind == Arg::kAtom ? AsciiUpper(l[i].value) : "";
    if (name == "CHANGEDSINCE" && !m.changed_since && i + 1 < l.size()) {
      ASSIGN_OR_RETURN(m.changed_since,
                       NumberArg(l[++i], kMaxModSeqValue, false, "Invalid CHANGEDSINCE value"));
    } else if (name == "VANISHED" && !m.vanished) {
      m.vanished = true;
    } else {
      return Bad("Unknown or repeated FETCH modifier");
    }
  }
  // RFC 7162 3.2.6: VANISHED only together with CHANGEDSINCE.
  if (m.vanished && !m.changed_since) return Bad("VANISHED needs CHANGEDSINCE");
  return m;
}

Result<StoreModifiers> ParseStoreModifiers(const Arg& list) {
  if (list.kind != Arg::kList || list.list.size() != 2 || list.list[0].kind != Arg::kAtom ||
      AsciiUpper(list.list[0].value) != "UNCHANGEDSINCE") {
    return Bad("STORE modifiers must be (UNCHANGEDSINCE n)");
  }
  StoreModifiers m;
  ASSIGN_OR_RETURN(m.unchanged_since,
                   NumberArg(list.list[1], kMaxModSeqValue, false, "Invalid UNCHANGEDSINCE value"));
  return m;
}

}  // namespace slotmail::imap
