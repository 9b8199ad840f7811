// The IMAP command table: {name, handler, where it is allowed}. Handlers
// live in small files by topic (cmd_*.cc) and end every command with one of
// Session::Finish*.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "imap/parser.h"
#include "imapd/session.h"
#include "store/types.h"

namespace slotmail::imapd {

using CommandHandler = void (*)(Session& s, imap::Command& cmd);

enum StateMask : unsigned {
  kNotAuth = 1u << 0,
  kAuth = 1u << 1,
  kSelected = 1u << 2,
  kAnyState = kNotAuth | kAuth | kSelected,
  kLoggedIn = kAuth | kSelected,
};

struct CommandSpec {
  const char* name;  // upper case; "UID FETCH" for UID variants
  CommandHandler handler;
  unsigned states;
  // RFC 3501 7.4.1: no EXPUNGE responses during FETCH, STORE and SEARCH.
  bool allows_expunge;

  bool AllowedIn(State st) const {
    switch (st) {
      case State::kNotAuthenticated: return states & kNotAuth;
      case State::kAuthenticated: return states & kAuth;
      case State::kSelected: return states & kSelected;
      case State::kLogout: return false;
    }
    return false;
  }
};

// The entry for `name` (upper case), or nullptr.
const CommandSpec* FindCommand(std::string_view name);

// The CAPABILITY list for this session's current state, space-separated.
std::string Capabilities(const Session& s);

// The largest message APPEND accepts (RFC 7889 APPENDLIMIT): the smaller of
// the store's max_message_bytes and the parser's APPEND literal limit.
uint64_t AppendLimit(const ServerConfig& config);

// ---- handlers, by topic
// cmd_any.cc
void CmdCapability(Session& s, imap::Command& cmd);
void CmdNoop(Session& s, imap::Command& cmd);
void CmdLogout(Session& s, imap::Command& cmd);
void CmdId(Session& s, imap::Command& cmd);
// cmd_auth.cc
void CmdStartTls(Session& s, imap::Command& cmd);
void CmdLogin(Session& s, imap::Command& cmd);
void CmdAuthenticate(Session& s, imap::Command& cmd);
// cmd_mailbox.cc
void CmdSelect(Session& s, imap::Command& cmd);  // SELECT and EXAMINE
void CmdCreate(Session& s, imap::Command& cmd);
void CmdDelete(Session& s, imap::Command& cmd);
void CmdRename(Session& s, imap::Command& cmd);
void CmdSubscribe(Session& s, imap::Command& cmd);  // SUBSCRIBE and UNSUBSCRIBE
void CmdList(Session& s, imap::Command& cmd);       // LIST and LSUB
void CmdStatus(Session& s, imap::Command& cmd);
void CmdNamespace(Session& s, imap::Command& cmd);
void CmdEnable(Session& s, imap::Command& cmd);
// cmd_message.cc
void CmdAppend(Session& s, imap::Command& cmd);
void CmdCheck(Session& s, imap::Command& cmd);
void CmdClose(Session& s, imap::Command& cmd);  // CLOSE and UNSELECT
void CmdExpunge(Session& s, imap::Command& cmd);  // EXPUNGE and UID EXPUNGE
void CmdStore(Session& s, imap::Command& cmd);    // STORE and UID STORE
void CmdCopy(Session& s, imap::Command& cmd);     // COPY, MOVE and UID variants
// cmd_fetch.cc
void CmdFetch(Session& s, imap::Command& cmd);
// cmd_search.cc
void CmdSearch(Session& s, imap::Command& cmd);
// cmd_sort.cc (RFC 5256 SORT and THREAD, RFC 5957, RFC 5267 ESORT)
void CmdSort(Session& s, imap::Command& cmd);    // SORT and UID SORT
void CmdThread(Session& s, imap::Command& cmd);  // THREAD and UID THREAD
// cmd_idle.cc
void CmdIdle(Session& s, imap::Command& cmd);
// cmd_compress.cc (RFC 4978)
void CmdCompress(Session& s, imap::Command& cmd);
// cmd_acl.cc (RFC 4314, owner-only: see the file comment)
void CmdMyRights(Session& s, imap::Command& cmd);
void CmdGetAcl(Session& s, imap::Command& cmd);
void CmdListRights(Session& s, imap::Command& cmd);
void CmdSetAcl(Session& s, imap::Command& cmd);
void CmdDeleteAcl(Session& s, imap::Command& cmd);
// cmd_metadata.cc (RFC 5464 METADATA and METADATA-SERVER)
void CmdGetMetadata(Session& s, imap::Command& cmd);
void CmdSetMetadata(Session& s, imap::Command& cmd);
// cmd_quota.cc (RFC 9208: one quota root "" per user, set only by mailctl)
void CmdGetQuota(Session& s, imap::Command& cmd);
void CmdGetQuotaRoot(Session& s, imap::Command& cmd);
void CmdSetQuota(Session& s, imap::Command& cmd);
// "QUOTA "" (STORAGE <KiB used> <KiB limit> MESSAGE <used> <limit>)" with the
// resources that have a limit; "" if none has (RFC 9208 has no empty list).
std::string QuotaResponse(const store::QuotaInfo& q);
// RFC 9208 5.1: STORAGE (and DELETED-STORAGE) count 1024 octets, rounded up.
uint64_t StorageUnits(uint64_t bytes);

}  // namespace slotmail::imapd
