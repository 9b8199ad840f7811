// GETMETADATA and SETMETADATA (RFC 5464, METADATA and METADATA-SERVER).
// Entries live in the store (store/metadata.h); mailbox "" is the server.
// In a single-owner store the owner may set both /private and /shared
// entries of their mailboxes and of the server (as Dovecot and Cyrus allow
// the owner); server entries are per user. /shared/admin on the server is
// read-only: the configured admin_address, or absent. See doc/imapd.md.
#include <limits>
#include <optional>

#include "common/limits.h"
#include "imap/quote.h"
#include "imapd/args.h"
#include "imapd/commands.h"
#include "imapd/server.h"
#include "imapd/status_map.h"
#include "store/names.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

constexpr char kAdminEntry[] = "/shared/admin";
constexpr size_t kInfinity = std::numeric_limits<size_t>::max();

struct GetOptions {
  std::optional<uint64_t> maxsize;
  size_t depth = 0;
};

// "(MAXSIZE n DEPTH d)" in any order (RFC 5464 4.2).
Result<GetOptions> ParseOptions(const imap::Arg& list) {
  GetOptions o;
  if (list.list.size() % 2 != 0) return Status::Protocol("Options come in pairs");
  for (size_t i = 0; i < list.list.size(); i += 2) {
    const imap::Arg& name = list.list[i];
    const imap::Arg& value = list.list[i + 1];
    if (!name.IsAtom() || value.kind != imap::Arg::kAtom) return Status::Protocol("Bad option");
    const std::string opt = imap::AsciiUpper(name.value);
    const std::string v = imap::AsciiUpper(value.value);
    const bool number = !v.empty() && v.size() <= 19 &&
                        v.find_first_not_of("0123456789") == std::string::npos;
    if (opt == "MAXSIZE" && number) {
      o.maxsize = std::stoull(v);
    } else if (opt == "DEPTH" && (v == "0" || v == "1" || v == "INFINITY")) {
      o.depth = v == "0" ? 0 : v == "1" ? 1 : kInfinity;
    } else {
      return Status::Protocol("Unknown option or value " + name.value.substr(0, 32));
    }
  }
  return o;
}

// The entry names of argument `arg`: one astring or a list of them.
Result<std::vector<std::string>> EntryNames(const imap::Arg& arg, bool allow_root) {
  std::vector<const imap::Arg*> items;
  if (arg.kind == imap::Arg::kList) {
    for (const auto& a : arg.list) items.push_back(&a);
  } else {
    items.push_back(&arg);
  }
  if (items.empty()) return Status::Protocol("No entry names");
  std::vector<std::string> out;
  for (const imap::Arg* a : items) {
    if (!a->IsAstring()) return Status::Protocol("Invalid entry name");
    auto e = store::CanonicalMetadataEntry(a->value, allow_root);
    if (!e.ok()) return Status::Protocol("Invalid entry name: " + e.status().message());
    out.push_back(*e);
  }
  return out;
}

// A value as an nstring, or literal8 when it holds NUL (RFC 5464 5).
std::string ValueOut(const std::string& v) {
  if (v.find('\0') != std::string::npos) {
    return "~{" + std::to_string(v.size()) + "}\r\n" + v;
  }
  return imap::Quoted(v);
}

// The mailbox argument in canonical form; "" (the server) stays "".
Result<std::string> MetadataMailbox(Session& s, const imap::Command& cmd, size_t i) {
  ASSIGN_OR_RETURN(std::string name, MailboxArg(cmd, i, s.names()));
  if (name.empty()) return name;
  auto canonical = store::CanonicalMailboxName(name);
  if (!canonical.ok()) return Status::NotFound("no such mailbox");
  return canonical;
}

struct Found {
  // Entries in answer order; nullopt: asked for, no value (NIL).
  std::vector<std::pair<std::string, std::optional<std::string>>> entries;
  uint64_t longest_omitted = 0;  // for [METADATA LONGENTRIES]
};

}  // namespace

void CmdGetMetadata(Session& s, imap::Command& cmd) {
  constexpr char kUsage[] = "GETMETADATA takes [options] mailbox entries";
  size_t i = 0;
  GetOptions opts;
  if (!cmd.args.empty() && cmd.args[0].kind == imap::Arg::kList) {
    auto o = ParseOptions(cmd.args[0]);
    if (!o.ok()) return s.FinishBad(o.status().message());
    opts = *o;
    i = 1;
  }
  if (cmd.args.size() != i + 2) return s.FinishBad(kUsage);
  auto names = EntryNames(cmd.args[i + 1], /*allow_root=*/true);
  if (!names.ok()) return s.FinishBad(names.status().message());
  auto box = MetadataMailbox(s, cmd, i);
  if (!box.ok()) {
    if (box.status().code() == Code::kProtocol) return s.FinishBad(kUsage);
    return s.FinishError(box.status());
  }
  const std::string user = s.user(), mailbox = *box;
  const std::string admin = s.server_config().admin_address;
  s.Async<Result<Found>>(
      [user, mailbox, names = *names, opts, admin](store::Store& st) -> Result<Found> {
        Found f;
        for (const auto& name : names) {
          ASSIGN_OR_RETURN(auto got, st.GetMetadata(user, mailbox, name, opts.depth));
          if (mailbox.empty() && !admin.empty() &&
              store::MetadataEntryWithin(kAdminEntry, name, opts.depth)) {
            got.push_back({kAdminEntry, admin});
          }
          // An entry asked for that has no value (nor any below it) is NIL.
          if (got.empty()) f.entries.emplace_back(name, std::nullopt);
          for (auto& e : got) {
            if (opts.maxsize && e.value.size() > *opts.maxsize) {
              f.longest_omitted = std::max<uint64_t>(f.longest_omitted, e.value.size());
              continue;
            }
            f.entries.emplace_back(std::move(e.entry), std::move(e.value));
          }
        }
        return f;
      },
      [&s, mailbox](Result<Found> r) {
        if (!r.ok()) return s.FinishError(r.status());
        std::string line = "METADATA " + MailboxOut(mailbox, s.names()) + " (";
        bool first = true;
        for (const auto& [entry, value] : r->entries) {
          if (!first) line += " ";
          first = false;
          line += imap::AString(entry) + " " + (value ? ValueOut(*value) : std::string("NIL"));
        }
        line += ")";
        if (!r->entries.empty()) s.Untagged(line);
        if (r->longest_omitted > 0) {
          return s.Finish("OK [METADATA LONGENTRIES " + std::to_string(r->longest_omitted) +
                          "] GETMETADATA completed");
        }
        s.Finish("OK GETMETADATA completed");
      });
}

void CmdSetMetadata(Session& s, imap::Command& cmd) {
  constexpr char kUsage[] = "SETMETADATA takes a mailbox and a list of entries and values";
  if (cmd.args.size() != 2 || cmd.args[1].kind != imap::Arg::kList ||
      cmd.args[1].list.empty() || cmd.args[1].list.size() % 2 != 0) {
    return s.FinishBad(kUsage);
  }
  auto box = MetadataMailbox(s, cmd, 0);
  if (!box.ok()) {
    if (box.status().code() == Code::kProtocol) return s.FinishBad(kUsage);
    return s.FinishError(box.status());
  }
  std::vector<store::MetadataChange> changes;
  const auto& list = cmd.args[1].list;
  for (size_t i = 0; i < list.size(); i += 2) {
    if (!list[i].IsAstring()) return s.FinishBad(kUsage);
    auto entry = store::CanonicalMetadataEntry(list[i].value);
    if (!entry.ok()) return s.FinishBad("Invalid entry name: " + entry.status().message());
    const imap::Arg& v = list[i + 1];
    if (v.kind != imap::Arg::kString && v.kind != imap::Arg::kNil) {
      return s.FinishBad("A value is a string, a literal or NIL");
    }
    if (box->empty() && *entry == kAdminEntry) {
      return s.Finish("NO [NOPERM] /shared/admin is set by the administrator");
    }
    if (v.kind == imap::Arg::kString && v.value.size() > limits::kMaxMetadataValueBytes) {
      return s.Finish("NO [METADATA MAXSIZE " + std::to_string(limits::kMaxMetadataValueBytes) +
                      "] Value too large");
    }
    changes.push_back({*entry, v.kind == imap::Arg::kNil ? std::nullopt
                                                         : std::optional<std::string>(v.value)});
  }
  const std::string user = s.user(), mailbox = *box;
  s.Async<Status>(
      [user, mailbox, changes = std::move(changes)](store::Store& st) {
        return st.SetMetadata(user, mailbox, changes);
      },
      [&s](Status st) { s.FinishStatus(st, "SETMETADATA completed"); });
}

}  // namespace slotmail::imapd
