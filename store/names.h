// Whitelist checks for names that arrive from the network (users, mailboxes,
// keywords) and the mailbox-name algebra built on them (ancestors, LIST
// patterns). A name must pass these checks before it becomes part of a path
// or a database key. Pure functions: no I/O, no state, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace slotmail::store {

inline constexpr char kHierarchySeparator = '/';

// True if s is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// User names: 1..kMaxUserNameBytes bytes of [a-z0-9._@-], first char [a-z0-9],
// no "..", not ending in '.'. Uppercase is rejected (callers lowercase logins).
// InvalidArgument, naming the rule broken, otherwise (too long included).
Status ValidateUserName(std::string_view name);

// Validates a mailbox name and returns its canonical form. Rules: valid UTF-8;
// no control chars (< 0x20, 0x7f); not empty; no empty component (leading,
// trailing or double '/'); no component "." or ".."; no '*' or '%' (LIST
// wildcards); total <= kMaxMailboxNameBytes, each component <=
// kMaxMailboxComponentBytes, depth <= kMaxMailboxDepth.
// Canonical form: a first component equal to "inbox" in any case is spelled
// "INBOX" ("inbox/Foo" -> "INBOX/Foo"); everything else is kept as given.
// TooBig for length/depth violations, InvalidArgument for the rest.
Result<std::string> CanonicalMailboxName(std::string_view name);

// Proper ancestors, outermost first: "a/b/c" -> {"a", "a/b"}; "a" -> {}.
// REQUIRES: name is canonical.
std::vector<std::string> MailboxAncestors(std::string_view name);

// True if `name` is `parent` or lies under it ("a" covers "a" and "a/b", not
// "ab"). Exact byte comparison: REQUIRES both canonical.
bool IsSameOrUnder(std::string_view name, std::string_view parent);

// IMAP LIST pattern match (RFC 3501 6.3.8): '*' matches any sequence, '%' any
// sequence without '/'; other bytes match themselves. A pattern whose first
// component is "inbox" in any case matches INBOX. Work is
// O(len(pattern) * len(name)) whatever the pattern.
// REQUIRES: name is canonical.
bool MatchMailboxPattern(std::string_view pattern, std::string_view name);

// Keywords (flag atoms): 1..kMaxKeywordBytes RFC 3501 ATOM-CHARs, i.e. any
// 7-bit CHAR except CTL, SP and the atom-specials (){%*"\]. A leading '\'
// (system flag syntax) is therefore refused. InvalidArgument otherwise.
Status ValidateKeyword(std::string_view keyword);

}  // namespace slotmail::store
