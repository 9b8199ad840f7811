#include "imapd/status_map.h"

#include "common/new_mail_barrier.h"

namespace slotmail::imapd {
namespace {

// Store messages that are safe and useful to show a client, with the code
// that fits them better than their Status code's default.
struct KnownMessage {
  const char* message;
  const char* response;
};
constexpr KnownMessage kKnown[] = {
    {"no such mailbox", "NO [NONEXISTENT] No such mailbox"},
    {"mailbox already exists", "NO [ALREADYEXISTS] Mailbox already exists"},
    {"target mailbox already exists", "NO [ALREADYEXISTS] Target mailbox already exists"},
    {"mailbox has children; delete them first", "NO [INUSE] Mailbox has children; delete them first"},
    {"INBOX cannot be deleted", "NO [CANNOT] INBOX cannot be deleted"},
    {"cannot rename a mailbox to itself or below itself", "NO [CANNOT] Cannot rename a mailbox into itself"},
    {"storage quota exceeded", "NO [OVERQUOTA] Storage quota exceeded"},
    {"message count quota exceeded", "NO [OVERQUOTA] Message count quota exceeded"},
    {"message larger than the size limit", "NO [TOOBIG] Message larger than the size limit"},
    {"too many mailboxes", "NO [LIMIT] Too many mailboxes"},
    {"too many keywords on one message", "NO [LIMIT] Too many keywords on one message"},
    {"unknown special-use attribute", "NO [USEATTR] Unknown special-use attribute"},
    {"not subscribed", "NO [NONEXISTENT] Not subscribed"},
    {"too many metadata entries", "NO [METADATA TOOMANY] Too many metadata entries"},
    {kReplicaUnreachable, "NO [UNAVAILABLE] A replica of this store is unreachable; try again later"},
    {kReplicasDidNotConfirm,
     "NO [UNAVAILABLE] The replicas of this store did not confirm the message; try again later"},
};

}  // namespace

std::string ResponseFor(const Status& st) {
  for (const auto& k : kKnown) {
    if (st.message() == k.message) return k.response;
  }
  switch (st.code()) {
    case Code::kNotFound: return "NO [NONEXISTENT] No such mailbox or message";
    case Code::kExists: return "NO [ALREADYEXISTS] Already exists";
    case Code::kInvalidArgument: return "NO [CANNOT] " + st.message();
    case Code::kInUse: return "NO [INUSE] In use, try again later";
    case Code::kOverQuota: return "NO [OVERQUOTA] Quota exceeded";
    case Code::kNoSpace: return "NO [SERVERBUG] Server is out of disk space, try again later";
    case Code::kTooBig: return "NO [LIMIT] " + st.message();
    case Code::kPermission: return "NO [AUTHENTICATIONFAILED] Authentication failed";
    case Code::kNotMaster: return "NO [UNAVAILABLE] This server is not the master for this mailbox";
    case Code::kProtocol: return "BAD " + st.message();
    case Code::kOk:
    case Code::kIOError:
    case Code::kCorruption: break;
  }
  return "NO [SERVERBUG] Internal error occurred; refer to server log";
}

}  // namespace slotmail::imapd
