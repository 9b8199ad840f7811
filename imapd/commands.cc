#include "imapd/commands.h"

#include <algorithm>

#include "imapd/server.h"

namespace slotmail::imapd {
namespace {

constexpr CommandSpec kCommands[] = {
    {"CAPABILITY", CmdCapability, kAnyState, true},
    {"NOOP", CmdNoop, kAnyState, true},
    {"LOGOUT", CmdLogout, kAnyState, true},
    {"ID", CmdId, kAnyState, true},
    {"STARTTLS", CmdStartTls, kNotAuth, true},
    {"LOGIN", CmdLogin, kNotAuth, true},
    {"AUTHENTICATE", CmdAuthenticate, kNotAuth, true},
    {"ENABLE", CmdEnable, kLoggedIn, true},
    {"NAMESPACE", CmdNamespace, kLoggedIn, true},
    {"SELECT", CmdSelect, kLoggedIn, true},
    {"EXAMINE", CmdSelect, kLoggedIn, true},
    {"CREATE", CmdCreate, kLoggedIn, true},
    {"DELETE", CmdDelete, kLoggedIn, true},
    {"RENAME", CmdRename, kLoggedIn, true},
    {"SUBSCRIBE", CmdSubscribe, kLoggedIn, true},
    {"UNSUBSCRIBE", CmdSubscribe, kLoggedIn, true},
    {"LIST", CmdList, kLoggedIn, true},
    {"LSUB", CmdList, kLoggedIn, true},
    {"STATUS", CmdStatus, kLoggedIn, true},
    {"APPEND", CmdAppend, kLoggedIn, true},
    {"GETQUOTA", CmdGetQuota, kLoggedIn, true},
    {"GETQUOTAROOT", CmdGetQuotaRoot, kLoggedIn, true},
    {"SETQUOTA", CmdSetQuota, kLoggedIn, true},
    {"IDLE", CmdIdle, kLoggedIn, true},
    {"COMPRESS", CmdCompress, kLoggedIn, true},
    {"MYRIGHTS", CmdMyRights, kLoggedIn, true},
    {"GETACL", CmdGetAcl, kLoggedIn, true},
    {"LISTRIGHTS", CmdListRights, kLoggedIn, true},
    {"SETACL", CmdSetAcl, kLoggedIn, true},
    {"DELETEACL", CmdDeleteAcl, kLoggedIn, true},
    {"GETMETADATA", CmdGetMetadata, kLoggedIn, true},
    {"SETMETADATA", CmdSetMetadata, kLoggedIn, true},
    {"CHECK", CmdCheck, kSelected, true},
    {"CLOSE", CmdClose, kSelected, true},
    {"UNSELECT", CmdClose, kSelected, true},
    {"EXPUNGE", CmdExpunge, kSelected, true},
    {"UID EXPUNGE", CmdExpunge, kSelected, true},
    {"FETCH", CmdFetch, kSelected, false},
    {"UID FETCH", CmdFetch, kSelected, true},
    {"STORE", CmdStore, kSelected, false},
    {"UID STORE", CmdStore, kSelected, true},
    {"SEARCH", CmdSearch, kSelected, false},
    {"UID SEARCH", CmdSearch, kSelected, true},
    {"SORT", CmdSort, kSelected, false},
    {"UID SORT", CmdSort, kSelected, true},
    {"THREAD", CmdThread, kSelected, false},
    {"UID THREAD", CmdThread, kSelected, true},
    {"COPY", CmdCopy, kSelected, true},
    {"UID COPY", CmdCopy, kSelected, true},
    {"MOVE", CmdCopy, kSelected, true},
    {"UID MOVE", CmdCopy, kSelected, true},
};

}  // namespace

const CommandSpec* FindCommand(std::string_view name) {
  for (const auto& c : kCommands) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

std::string Capabilities(const Session& s) {
  // IMAP4rev1 clients see RFC 3501 behaviour; IMAP4rev2 is what a client
  // gets after ENABLE IMAP4rev2 (RFC 9051 2.3).
  std::string caps = "IMAP4rev1 IMAP4rev2";
  const bool tls_available = s.server_config().tls_cert.empty() == false;
  if (s.state() == State::kNotAuthenticated) {
    if (tls_available && !s.is_tls()) caps += " STARTTLS";
    if (s.PlaintextAuthAllowed()) {
      caps += " AUTH=PLAIN SASL-IR";
    } else {
      caps += " LOGINDISABLED";
    }
  }
  // IMAP4rev2 includes LITERAL- (RFC 9051 4.3: {n+} up to 4096 octets). We
  // advertise LITERAL+ (RFC 7888), its superset: the parser takes {n+} up to
  // kMaxImapNonSyncLiteralBytes (4096) in every state and, after login, up
  // to the literal limit of the argument, so a rev2 client that assumes
  // LITERAL- is always served.
  caps += " LITERAL+ ID IDLE NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN ENABLE";
  caps += " LIST-EXTENDED LIST-STATUS SPECIAL-USE CREATE-SPECIAL-USE STATUS=SIZE";
  caps += " QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE MULTIAPPEND";
  caps += " ESEARCH SEARCHRES BINARY UTF8=ACCEPT WITHIN";
  caps += " SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES";
  caps += " APPENDLIMIT=" + std::to_string(AppendLimit(s.server_config()));
  caps += " CONDSTORE QRESYNC OBJECTID";  // RFC 7162, RFC 8474
  caps += " ACL RIGHTS=texk METADATA METADATA-SERVER";
  if (s.state() != State::kNotAuthenticated) caps += " COMPRESS=DEFLATE";
  return caps;
}

uint64_t AppendLimit(const ServerConfig& config) {
  return std::min(config.store_options.max_message_bytes,
                  imap::ParserLimits::Authenticated().max_append_literal_bytes);
}

}  // namespace slotmail::imapd
