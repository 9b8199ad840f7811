// GETQUOTA, GETQUOTAROOT, SETQUOTA (RFC 9208). Every user has one quota
// root, "", holding all their mailboxes; its resources are STORAGE (in
// units of 1024 octets) and MESSAGE. Limits are set by the administrator
// with mailctl, never over IMAP.
#include "imap/quote.h"
#include "imapd/args.h"
#include "imapd/commands.h"
#include "imapd/status_map.h"
#include "store/store.h"

namespace slotmail::imapd {
namespace {

// The one quota root of every user.
constexpr char kRoot[] = "";

// Answers with the user's QUOTA response (if any limit is set), then `ok`.
void SendQuota(Session& s, std::string ok, std::string untagged_first) {
  std::string user = s.user();
  s.Async<Result<store::QuotaInfo>>(
      [user](store::Store& st) { return st.GetQuota(user); },
      [&s, ok, untagged_first](Result<store::QuotaInfo> r) {
        if (!r.ok()) return s.FinishError(r.status());
        if (!untagged_first.empty()) s.Untagged(untagged_first);
        std::string quota = QuotaResponse(*r);
        if (!quota.empty()) s.Untagged(quota);
        s.Finish(ok);
      });
}

}  // namespace

uint64_t StorageUnits(uint64_t bytes) { return (bytes + 1023) / 1024; }

std::string QuotaResponse(const store::QuotaInfo& q) {
  std::string resources;
  if (q.limit_bytes != 0) {
    resources += "STORAGE " + std::to_string(StorageUnits(q.used_bytes)) + " " +
                 std::to_string(q.limit_bytes / 1024);  // down: no room that is not there
  }
  if (q.limit_messages != 0) {
    if (!resources.empty()) resources += " ";
    resources += "MESSAGE " + std::to_string(q.used_messages) + " " +
                 std::to_string(q.limit_messages);
  }
  if (resources.empty()) return "";
  return "QUOTA " + imap::Quoted(kRoot) + " (" + resources + ")";
}

void CmdGetQuota(Session& s, imap::Command& cmd) {
  auto root = AstringArg(cmd, 0, "quota root");
  if (!root.ok() || cmd.args.size() != 1) return s.FinishBad("GETQUOTA takes a quota root");
  if (*root != kRoot) return s.Finish("NO [NONEXISTENT] No such quota root");
  SendQuota(s, "OK GETQUOTA completed", "");
}

void CmdGetQuotaRoot(Session& s, imap::Command& cmd) {
  if (cmd.args.size() != 1) return s.FinishBad("GETQUOTAROOT takes a mailbox");
  auto name = MailboxArg(cmd, 0, s.names());
  if (!name.ok()) return s.FinishBad(name.status().message());
  std::string user = s.user(), box = *name;
  s.Async<Result<store::MailboxInfo>>(
      [user, box](store::Store& st) { return st.GetMailbox(user, box); },
      [&s](Result<store::MailboxInfo> r) {
        if (!r.ok()) return s.FinishError(r.status());
        SendQuota(s, "OK GETQUOTAROOT completed",
                  "QUOTAROOT " + MailboxOut(r->name, s.names()) + " " + imap::Quoted(kRoot));
      });
}

// RFC 9208 4.1.3. QUOTASET is not advertised: a well-formed request is
// refused, a malformed one is BAD.
void CmdSetQuota(Session& s, imap::Command& cmd) {
  auto root = AstringArg(cmd, 0, "quota root");
  bool ok = root.ok() && cmd.args.size() == 2 && cmd.args[1].kind == imap::Arg::kList &&
            cmd.args[1].list.size() % 2 == 0;
  for (size_t i = 0; ok && i < cmd.args[1].list.size(); i += 2) {
    const auto& resource = cmd.args[1].list[i];
    const auto& limit = cmd.args[1].list[i + 1];
    ok = resource.IsAtom() && limit.kind == imap::Arg::kAtom && !limit.value.empty() &&
         limit.value.find_first_not_of("0123456789") == std::string::npos;
  }
  if (!ok) return s.FinishBad("SETQUOTA takes a quota root and a list of resource limits");
  s.Finish("NO [NOPERM] Quotas are set by the administrator");
}

}  // namespace slotmail::imapd
