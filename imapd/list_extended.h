// LIST with the options of RFC 5258 (LIST-EXTENDED), RFC 6154 (SPECIAL-USE)
// and RFC 5819 (LIST-STATUS), and the STATUS data that the STATUS command
// and LIST-STATUS share. Parsing and building answers is pure; only
// ReadStatus touches the store (off the loop).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "imap/parser.h"
#include "imapd/args.h"
#include "imapd/recent_claims.h"
#include "store/types.h"

namespace slotmail::store {
class Store;
}

namespace slotmail::imapd {

// ---- STATUS data items: RFC 3501 6.3.10, SIZE (RFC 8438), DELETED (RFC
// 9051), DELETED-STORAGE (RFC 9208), APPENDLIMIT (RFC 7889), HIGHESTMODSEQ
// (RFC 7162), MAILBOXID (RFC 8474).
struct StatusRequest {
  std::vector<std::string> items;  // upper case, as asked, without repeats
  // DELETED or DELETED-STORAGE was asked: the messages must be read.
  bool needs_deleted = false;
};
// A parenthesised, non-empty list of status items; Protocol (-> BAD) for
// anything else or an unknown item.
Result<StatusRequest> ParseStatusItems(const imap::Arg& list);

struct MailboxStatus {
  store::MailboxInfo info;
  uint32_t deleted = 0;        // messages flagged \Deleted, if asked
  uint64_t deleted_bytes = 0;  // their total size
  // RECENT, if asked: messages no session has claimed as \Recent yet
  // (those the next SELECT would show as recent; RecentClaims).
  uint32_t recent = 0;
};
// The status of `info`'s mailbox, reading its messages only if `req` needs
// the \Deleted counts or RECENT. For the worker pool, never the loop.
Result<MailboxStatus> ReadStatus(store::Store& st, const std::string& user, store::MailboxInfo info,
                                 const StatusRequest& req, const RecentClaims& recent);
// "STATUS <mailbox> (<item> <value> ...)" without the "* ".
std::string StatusResponse(const MailboxStatus& s, const StatusRequest& req, uint64_t append_limit,
                           NameEncoding enc);
// True if `req` asks for RECENT, which IMAP4rev2 does not have (RFC 9051
// 6.3.11 lists no RECENT).
bool AsksRecent(const StatusRequest& req);
// True if `req` asks for HIGHESTMODSEQ (RFC 7162: it enables CONDSTORE).
bool AsksHighestModSeq(const StatusRequest& req);

// ---- LIST
struct ListRequest {
  // Selection options (RFC 5258 3.1, RFC 6154 5.1). REMOTE is accepted and
  // changes nothing: there are no remote mailboxes.
  bool select_subscribed = false;
  bool select_special_use = false;
  bool recursive_match = false;
  // Return options (RFC 5258 3.2). CHILDREN and SPECIAL-USE are accepted;
  // their attributes are always returned, which both RFCs allow.
  bool return_subscribed = false;
  std::optional<StatusRequest> return_status;  // RFC 5819
  // Reference + pattern, UTF-8; several with RFC 5258 3's "(p1 p2 ...)".
  std::vector<std::string> patterns;
  // RFC 3501 6.3.8: LIST "" "" asks only for the hierarchy delimiter.
  bool delimiter_only = false;
};
// Reads a LIST command's arguments:
//   LIST [(select-opts)] reference (pattern | (pattern ...)) [RETURN (return-opts)]
// Protocol (-> BAD) for bad syntax, an unknown option, or RECURSIVEMATCH
// without SUBSCRIBED or SPECIAL-USE (RFC 5258 3.1 note 3).
Result<ListRequest> ParseList(const imap::Command& cmd, NameEncoding enc);

struct ListEntry {
  std::string name;  // UTF-8
  bool exists = false;
  store::MailboxInfo info;  // valid if exists
  std::string attributes;   // inside the parentheses
  std::string extended;     // "" or ("CHILDINFO" (...)) (RFC 5258 3.5)
};
// The names LIST answers for `req`, sorted by name, from every mailbox and
// every subscription of the user.
std::vector<ListEntry> BuildList(const ListRequest& req,
                                 const std::vector<store::MailboxInfo>& mailboxes,
                                 const std::vector<std::string>& subscriptions);
// ---- LSUB (RFC 3501 6.3.9)
struct LsubEntry {
  std::string name;       // UTF-8
  bool noselect = false;  // not subscribed: the parent of a subscription
};
// What LSUB answers for `pattern` (reference + pattern, UTF-8), sorted by
// name: the subscriptions the pattern matches and, for a subscription it
// does not match (a "%" stopped at a "/"), each unsubscribed parent it does
// match, with \Noselect ("foo/bar" subscribed, "%" -> "foo" \Noselect).
std::vector<LsubEntry> BuildLsub(const std::string& pattern,
                                 const std::vector<std::string>& subscriptions);

// "LIST (<attributes>) "/" <mailbox>[ <extended>]" without the "* ".
std::string ListResponse(const ListEntry& e, NameEncoding enc);
// The entry LIST would give an existing mailbox with no selection or return
// options (\HasChildren or \HasNoChildren, and its special use). SELECT
// answers with it under IMAP4rev2 (RFC 9051 6.3.2).
ListEntry PlainListEntry(const store::MailboxInfo& info);

}  // namespace slotmail::imapd
