#include "imapd/list_extended.h"

#include <algorithm>
#include <map>
#include <set>

#include "imap/object_id.h"
#include "imapd/args.h"
#include "imapd/commands.h"
#include "store/names.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

constexpr const char* kStatusItems[] = {"MESSAGES",    "RECENT",          "UIDNEXT",
                                        "UIDVALIDITY", "UNSEEN",          "SIZE",
                                        "DELETED",     "DELETED-STORAGE", "APPENDLIMIT",
                                        "HIGHESTMODSEQ", "MAILBOXID"};

// The upper-cased atoms of a parenthesised option list; Protocol otherwise.
Result<std::vector<std::string>> OptionAtoms(const imap::Arg& list, const char* what) {
  if (list.kind != imap::Arg::kList) return Status::Protocol(std::string("Expected ") + what);
  std::vector<std::string> out;
  for (const auto& a : list.list) {
    if (a.kind != imap::Arg::kAtom && a.kind != imap::Arg::kList) {
      return Status::Protocol(std::string("Invalid ") + what);
    }
    out.push_back(a.kind == imap::Arg::kAtom ? imap::AsciiUpper(a.value) : "");
  }
  return out;
}

Status ParseSelectOptions(const imap::Arg& list, ListRequest* req) {
  ASSIGN_OR_RETURN(auto opts, OptionAtoms(list, "LIST selection options"));
  for (const auto& o : opts) {
    if (o == "SUBSCRIBED") {
      req->select_subscribed = true;
    } else if (o == "SPECIAL-USE") {
      req->select_special_use = true;
    } else if (o == "RECURSIVEMATCH") {
      req->recursive_match = true;
    } else if (o != "REMOTE") {
      return Status::Protocol("Unknown LIST selection option");
    }
  }
  // RFC 5258 3.1 note 3: RECURSIVEMATCH modifies a base option.
  if (req->recursive_match && !req->select_subscribed && !req->select_special_use) {
    return Status::Protocol("RECURSIVEMATCH needs SUBSCRIBED or SPECIAL-USE");
  }
  return Status::Ok();
}

Status ParseReturnOptions(const imap::Arg& list, ListRequest* req) {
  ASSIGN_OR_RETURN(auto opts, OptionAtoms(list, "LIST return options"));
  for (size_t i = 0; i < opts.size(); ++i) {
    if (opts[i] == "SUBSCRIBED") {
      req->return_subscribed = true;
    } else if (opts[i] == "STATUS") {
      if (i + 1 == opts.size()) return Status::Protocol("Expected a list of STATUS items");
      ASSIGN_OR_RETURN(req->return_status, ParseStatusItems(list.list[++i]));
    } else if (opts[i] != "CHILDREN" && opts[i] != "SPECIAL-USE") {
      return Status::Protocol("Unknown LIST return option");
    }
  }
  return Status::Ok();
}

// What LIST knows about one name while building its answer.
struct Node {
  const store::MailboxInfo* info = nullptr;  // null: no such mailbox
  bool subscribed = false;
  bool meets = false;                      // meets the selection criteria
  bool listed = false;                     // matches a pattern
  bool descendant_meets = false;           // RECURSIVEMATCH: some descendant meets them
  bool unlisted_descendant_meets = false;  // ... and is not listed itself
};

bool Listed(const ListRequest& req, const std::string& name) {
  return std::any_of(req.patterns.begin(), req.patterns.end(),
                     [&](const std::string& p) { return store::MatchMailboxPattern(p, name); });
}

bool Meets(const ListRequest& req, const Node& n) {
  if (!req.select_subscribed && !req.select_special_use) return n.info != nullptr;
  if (req.select_subscribed && !n.subscribed) return false;
  if (req.select_special_use && (n.info == nullptr || n.info->special_use.empty())) return false;
  return true;
}

// The attributes of an existing mailbox that need no request options.
std::string ExistingAttributes(const store::MailboxInfo& info) {
  std::string attrs = info.has_children ? "\\HasChildren" : "\\HasNoChildren";
  if (!info.special_use.empty()) attrs += " " + info.special_use;
  return attrs;
}

std::string Attributes(const ListRequest& req, const Node& n) {
  // \NonExistent implies \Noselect (RFC 5258).
  std::string attrs = n.info == nullptr ? "\\NonExistent" : ExistingAttributes(*n.info);
  if ((req.select_subscribed || req.return_subscribed) && n.subscribed) attrs += " \\Subscribed";
  return attrs;
}

// RFC 5258 3.5: which criteria the descendants meet, as ("CHILDINFO" (...)).
std::string ChildInfo(const ListRequest& req) {
  std::string opts;
  if (req.select_subscribed) opts += "\"SUBSCRIBED\"";
  if (req.select_special_use) opts += std::string(opts.empty() ? "" : " ") + "\"SPECIAL-USE\"";
  return "(\"CHILDINFO\" (" + opts + "))";
}

}  // namespace

Result<StatusRequest> ParseStatusItems(const imap::Arg& list) {
  if (list.kind != imap::Arg::kList || list.list.empty()) {
    return Status::Protocol("Expected a list of STATUS items");
  }
  StatusRequest req;
  for (const auto& a : list.list) {
    std::string item = a.kind == imap::Arg::kAtom ? imap::AsciiUpper(a.value) : "";
    if (std::find(std::begin(kStatusItems), std::end(kStatusItems), item) ==
        std::end(kStatusItems)) {
      return Status::Protocol("Unknown STATUS item");
    }
    if (std::find(req.items.begin(), req.items.end(), item) != req.items.end()) continue;
    if (item == "DELETED" || item == "DELETED-STORAGE") req.needs_deleted = true;
    req.items.push_back(std::move(item));
  }
  return req;
}

Result<MailboxStatus> ReadStatus(store::Store& st, const std::string& user, store::MailboxInfo info,
                                 const StatusRequest& req, const RecentClaims& recent) {
  MailboxStatus s;
  if (AsksRecent(req)) {
    const uint32_t claimed = recent.Claimed(user, info);
    if (claimed < UINT32_MAX) {
      ASSIGN_OR_RETURN(auto msgs, st.FetchByUid(user, info.name, {{claimed + 1, UINT32_MAX}}));
      s.recent = static_cast<uint32_t>(msgs.size());
    }
  }
  if (req.needs_deleted) {
    ASSIGN_OR_RETURN(auto msgs, st.FetchByUid(user, info.name, {{1, UINT32_MAX}}));
    for (const auto& m : msgs) {
      if (!(m.flags.system & store::kFlagDeleted)) continue;
      s.deleted += 1;
      s.deleted_bytes += m.size;
    }
  }
  s.info = std::move(info);
  return s;
}

bool AsksRecent(const StatusRequest& req) {
  return std::find(req.items.begin(), req.items.end(), "RECENT") != req.items.end();
}

bool AsksHighestModSeq(const StatusRequest& req) {
  return std::find(req.items.begin(), req.items.end(), "HIGHESTMODSEQ") != req.items.end();
}

std::string StatusResponse(const MailboxStatus& s, const StatusRequest& req,
                           uint64_t append_limit, NameEncoding enc) {
  std::string out;
  for (const auto& item : req.items) {
    const store::MailboxInfo& i = s.info;
    if (!out.empty()) out += " ";
    if (item == "MAILBOXID") {  // RFC 8474
      out += "MAILBOXID (" + imap::MailboxId(i.id) + ")";
      continue;
    }
    uint64_t v = item == "MESSAGES"          ? i.messages
                 : item == "RECENT"          ? s.recent
                 : item == "UIDNEXT"         ? i.uidnext
                 : item == "UIDVALIDITY"     ? i.uidvalidity
                 : item == "UNSEEN"          ? i.unseen
                 : item == "SIZE"            ? i.bytes
                 : item == "DELETED"         ? s.deleted
                 : item == "DELETED-STORAGE" ? StorageUnits(s.deleted_bytes)
                 : item == "HIGHESTMODSEQ"   ? i.highestmodseq
                                             : append_limit;
    out += item + " " + std::to_string(v);
  }
  return "STATUS " + MailboxOut(s.info.name, enc) + " (" + out + ")";
}

Result<ListRequest> ParseList(const imap::Command& cmd, NameEncoding enc) {
  ListRequest req;
  const auto& args = cmd.args;
  size_t i = 0;
  if (i < args.size() && args[i].kind == imap::Arg::kList) {
    RETURN_IF_ERROR(ParseSelectOptions(args[i++], &req));
  }
  if (i + 2 > args.size()) return Status::Protocol("LIST takes a reference and a pattern");
  ASSIGN_OR_RETURN(std::string ref, PatternFrom(args[i++], enc));
  const imap::Arg& pat = args[i++];
  if (pat.kind == imap::Arg::kList) {
    if (pat.list.empty()) return Status::Protocol("Empty list of LIST patterns");
    for (const auto& p : pat.list) {
      ASSIGN_OR_RETURN(std::string one, PatternFrom(p, enc));
      req.patterns.push_back(ref + one);
    }
  } else {
    ASSIGN_OR_RETURN(std::string one, PatternFrom(pat, enc));
    req.delimiter_only = one.empty();
    req.patterns.push_back(ref + one);
  }
  if (i < args.size()) {
    if (args[i].kind != imap::Arg::kAtom || imap::AsciiUpper(args[i].value) != "RETURN" ||
        i + 2 != args.size()) {
      return Status::Protocol("Unexpected LIST arguments");
    }
    RETURN_IF_ERROR(ParseReturnOptions(args[i + 1], &req));
  }
  return req;
}

std::vector<ListEntry> BuildList(const ListRequest& req,
                                 const std::vector<store::MailboxInfo>& mailboxes,
                                 const std::vector<std::string>& subscriptions) {
  std::map<std::string, Node> nodes;
  for (const auto& m : mailboxes) nodes[m.name].info = &m;
  for (const auto& s : subscriptions) nodes[s].subscribed = true;
  std::vector<std::string> meeting;
  for (auto& [name, n] : nodes) {
    n.meets = Meets(req, n);
    n.listed = Listed(req, name);
    if (n.meets) meeting.push_back(name);
  }
  if (req.recursive_match) {
    // A parent is listed for a descendant that meets the criteria, even a
    // parent that neither meets them nor exists (RFC 5258 3.5).
    for (const auto& name : meeting) {
      const bool listed = nodes[name].listed;
      for (const auto& parent : store::MailboxAncestors(name)) {
        auto [it, added] = nodes.try_emplace(parent);
        if (added) it->second.listed = Listed(req, parent);
        it->second.descendant_meets = true;
        if (!listed) it->second.unlisted_descendant_meets = true;
      }
    }
  }
  std::vector<ListEntry> out;
  for (const auto& [name, n] : nodes) {
    if (!n.listed) continue;
    // "Servers SHOULD ONLY return a non-matching mailbox name along with
    // CHILDINFO if at least one matching child is not also being returned."
    if (!n.meets && !n.unlisted_descendant_meets) continue;
    ListEntry e;
    e.name = name;
    e.exists = n.info != nullptr;
    if (e.exists) e.info = *n.info;
    e.attributes = Attributes(req, n);
    if (n.descendant_meets) e.extended = ChildInfo(req);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<LsubEntry> BuildLsub(const std::string& pattern,
                                 const std::vector<std::string>& subscriptions) {
  const std::set<std::string> subscribed(subscriptions.begin(), subscriptions.end());
  std::map<std::string, bool> found;  // name -> noselect
  for (const std::string& s : subscribed) {
    if (store::MatchMailboxPattern(pattern, s)) {
      found[s] = false;
      continue;
    }
    for (size_t slash = s.find('/'); slash != std::string::npos; slash = s.find('/', slash + 1)) {
      const std::string parent = s.substr(0, slash);
      if (!subscribed.count(parent) && store::MatchMailboxPattern(pattern, parent)) {
        found.emplace(parent, true);
      }
    }
  }
  std::vector<LsubEntry> out;
  for (auto& [name, noselect] : found) out.push_back({name, noselect});
  return out;
}

std::string ListResponse(const ListEntry& e, NameEncoding enc) {
  std::string line = "LIST (" + e.attributes + ") \"/\" " + MailboxOut(e.name, enc);
  if (!e.extended.empty()) line += " " + e.extended;
  return line;
}

ListEntry PlainListEntry(const store::MailboxInfo& info) {
  ListEntry e;
  e.name = info.name;
  e.exists = true;
  e.info = info;
  e.attributes = ExistingAttributes(info);
  return e;
}

}  // namespace slotmail::imapd
