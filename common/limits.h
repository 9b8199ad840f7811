// Every limit slotmail enforces, each with the reason it has that value.
// Change a limit here, never by a literal at the point of use.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace slotmail::limits {

// ---- names
// A user name is an address-like login; 128 covers real addresses with room.
inline constexpr size_t kMaxUserNameBytes = 128;
// Whole mailbox name in UTF-8; generous for deep trees, small enough to index.
inline constexpr size_t kMaxMailboxNameBytes = 1024;
// One hierarchy component; matches common file-system and client limits.
inline constexpr size_t kMaxMailboxComponentBytes = 255;
// Hierarchy depth; deeper trees are abuse, not filing.
inline constexpr size_t kMaxMailboxDepth = 32;
// A keyword flag (RFC 3501 atom); clients use short ones.
inline constexpr size_t kMaxKeywordBytes = 128;
// Distinct keywords on one message; a client setting more is misbehaving.
inline constexpr size_t kMaxKeywordsPerMessage = 64;
// Passwords are hashed; bound the work an attacker can hand us.
inline constexpr size_t kMaxPasswordBytes = 1024;
// Mailboxes per user; listing and replication stay O(mailboxes).
inline constexpr size_t kMaxMailboxesPerUser = 10000;
// A METADATA entry name (RFC 5464), "/private/..." included; real ones
// ("/shared/vendor/vendor.x/...") are well under 100 bytes.
inline constexpr size_t kMaxMetadataEntryNameBytes = 256;
// A METADATA value: comments, colours, small settings. Half the literal
// limit after login, so an oversized value reaches the command and gets
// [METADATA MAXSIZE] instead of the parser's [TOOBIG].
inline constexpr size_t kMaxMetadataValueBytes = 32u << 10;
// Entries on one mailbox (or on the server, mailbox ""); clients set a few.
inline constexpr size_t kMaxMetadataEntriesPerMailbox = 100;
// Entries of one user over all mailboxes: bounds the table at
// kMaxMetadataEntriesPerUser * kMaxMetadataValueBytes (32 MiB) per user.
inline constexpr size_t kMaxMetadataEntriesPerUser = 1000;

// ---- store
// Default largest message (StoreOptions::max_message_bytes).
inline constexpr uint64_t kDefaultMaxMessageBytes = 64ull << 20;
// The highest max_message_bytes a configuration may set.
inline constexpr uint64_t kMaxMessageBytesCeiling = 1ull << 30;
// User indexes kept open at once; the rest are reopened on demand.
inline constexpr size_t kMaxOpenUserIndexes = 512;
// A change-log segment is rotated past this size; acked segments are deleted.
inline constexpr uint64_t kChangeLogSegmentBytes = 4ull << 20;
// Longest a flag change or expunge is acknowledged but not yet synced
// (Dovecot's mail_fsync=optimized syncs neither): what a power loss may
// lose of them. New mail is always synced before it is acknowledged.
inline constexpr std::chrono::milliseconds kLazySyncDelay{1000};
// Salt for password hashes, bytes.
inline constexpr size_t kPasswordSaltBytes = 16;
// Fewest PBKDF2 iterations a stored hash may claim; weaker ones are refused.
inline constexpr uint32_t kMinKdfIterations = 1000;

// ---- imap (command parser; "PreAuth" values apply until LOGIN/AUTHENTICATE succeeds)
// A command line without its literals; Dovecot's default, room for long UID sets.
inline constexpr size_t kMaxImapLineBytes = 64 << 10;
// Before login only LOGIN/AUTHENTICATE/ID/STARTTLS make sense; none needs more.
inline constexpr size_t kMaxImapLineBytesPreAuth = 8 << 10;
// One literal outside APPEND (a name, a search string); clients quote short ones.
inline constexpr uint64_t kMaxImapLiteralBytes = 64 << 10;
// Before login a literal is a user name or password (kMaxPasswordBytes) at most.
inline constexpr uint64_t kMaxImapLiteralBytesPreAuth = 4 << 10;
// An APPENDed message literal; the store refuses bigger messages anyway.
inline constexpr uint64_t kMaxImapAppendLiteralBytes = kDefaultMaxMessageBytes;
// RFC 7888 LITERAL-: a non-synchronising literal may not be bigger than this.
inline constexpr uint64_t kMaxImapNonSyncLiteralBytes = 4096;
// All literals of one command together: one message plus small arguments.
inline constexpr uint64_t kMaxImapCommandLiteralBytes = kMaxImapAppendLiteralBytes + (1 << 20);
// All literals of one command before login (user name and password).
inline constexpr uint64_t kMaxImapCommandLiteralBytesPreAuth = 8 << 10;
// Parenthesised list nesting; SEARCH groups are the deepest clients send.
inline constexpr size_t kMaxImapListDepth = 16;
// Before login only ID sends a list, and it is flat.
inline constexpr size_t kMaxImapListDepthPreAuth = 2;
// Arguments in one command, list elements included; bounds the parse tree.
inline constexpr size_t kMaxImapArgs = 8192;
// ID (RFC 2971) sends at most 30 field/value pairs; the rest is small.
inline constexpr size_t kMaxImapArgsPreAuth = 80;
// ID (RFC 2971 3.3: at most 30 pairs, fields up to 30 octets, values up to
// 1024) is valid in every state, so its command has room for the largest
// one whatever the state's limits: the line with every octet of every
// string escaped, 30 * (62 + 1 + 2050 + 1) = 63,420 bytes plus "tag ID ()",
// and as literals 30 * (30 + 1024) bytes. Other commands keep the tighter
// pre-login limits.
inline constexpr size_t kMaxImapIdLineBytes = 64 << 10;
inline constexpr uint64_t kMaxImapIdLiteralBytes = 32 << 10;
static_assert(kMaxImapIdLineBytes >= 30 * (62 + 1 + 2050 + 1) + 64);
static_assert(kMaxImapIdLiteralBytes >= 30 * (30 + 1024));
// SEARCH key nesting (groups, NOT, OR chains); bounds recursion when evaluating.
inline constexpr size_t kMaxImapSearchDepth = 128;
// THREAD=REFERENCES tree depth: a reply chain deeper than this (mail anyone
// can send) starts a new thread, which bounds recursion and the loop check.
inline constexpr size_t kMaxThreadDepth = 1000;
// The UID set of one VANISHED response; longer sets are split (RFC 7162
// recommends clients accept 8192-octet lines).
inline constexpr size_t kMaxImapVanishedSetBytes = 8000;

// ---- imapd (server side; the parser's limits are in the IMAP section)
// RFC 3501 5.4: an idle logged-in client may be dropped after 30 minutes.
inline constexpr std::chrono::seconds kImapIdleTimeout{30 * 60};
// Before login a client has no reason to be slow: it must have logged in
// this long after connecting, however it trickles bytes (a deadline, not an
// idle timeout), which frees sockets from scanners and slow-loris clients.
// Default of login_timeout.
inline constexpr std::chrono::seconds kImapLoginTimeout{60};
// Output queued for a slow reader before we stop reading its commands.
inline constexpr size_t kImapMaxPendingOutput = 4u << 20;
// Pipelined input buffered while a command runs, before we stop reading.
inline constexpr size_t kImapMaxPipelinedBytes = 1u << 20;
// Failed logins from one IP, or for one user name, before each further
// attempt from that IP or for that name waits, right password or wrong
// (imapd/login_throttle.h): a few typos cost nothing.
inline constexpr int kLoginFailuresBeforeDelay = 3;
// The wait after one failure more than that; it doubles with each further
// failure up to kMaxLoginDelay.
inline constexpr std::chrono::milliseconds kFirstLoginDelay{200};
// Longest wait before a login is checked and answered.
inline constexpr std::chrono::milliseconds kMaxLoginDelay{8000};
// A failure counts half after this long: a user's typos are forgotten in
// minutes, while a guesser at one try per kMaxLoginDelay keeps about 50
// failures counted, far above the ceiling.
inline constexpr std::chrono::seconds kLoginFailureHalfLife{300};
// Addresses and user names whose failures are remembered; the least
// recently failed are forgotten first. About 250 bytes each: 12 MB at most.
inline constexpr size_t kMaxLoginThrottleEntries = 50000;
// Nice value of the password-check threads (login_workers): key derivation
// yields the CPU to logged-in sessions' work whenever both want it.
inline constexpr int kLoginThreadNice = 10;
// Mailboxes whose \Recent claims (RFC 3501 2.3.2) are remembered; a
// forgotten one shows all its messages as \Recent once more (RFC 3501:
// when unsure, "SHOULD be considered recent"). About 200 bytes each.
inline constexpr size_t kMaxRecentClaims = 100000;
// Concurrent connections from one IP address in all (max_connections_per_ip):
// a NAT of a few hundred mail clients; beyond that stops one host starving
// others. The default is also at most the descriptor limit divided by
// kMinAddressesToFillDescriptors.
inline constexpr size_t kMaxConnectionsPerIp = 1000;
// Addresses needed to hold every descriptor slotd may open at the default
// per-IP limit (with the 1024 descriptors of a default soft limit: 51 each).
inline constexpr size_t kMinAddressesToFillDescriptors = 20;
// Connections from one IP address not logged in yet
// (max_login_connections_per_ip): tighter, since they need no account. A
// client opens a handful at once, a NAT behind a busy office a few dozen;
// each lasts at most kImapLoginTimeout.
inline constexpr size_t kMaxLoginConnectionsPerIp = 32;
// Parsed MIME structures kept in memory for FETCH, in bytes as
// mime::MemoryUsage counts them (a real message's is a few KB): a bound on
// bytes, not entries, since a hostile message's structure can be far larger.
inline constexpr size_t kMimeCacheBytes = 64u << 20;
// Default concurrent logged-in sessions of one user (max_sessions_per_user);
// real clients use well under 50.
inline constexpr size_t kMaxSessionsPerUser = 100;

// ---- compression (RFC 4978 COMPRESS=DEFLATE; common/deflate.h)
// What a compressing connection costs is zlib's state: deflate needs
// 2^(windowBits+2) + 2^(memLevel+9) bytes, inflate 2^15 (its window must
// take any peer's). 12/6 gives 16 + 32 KiB for deflate (the defaults 15/8
// would cost 256 KiB), plus 32 KiB for inflate: about 90 KiB per connection
// that turned COMPRESS on, nothing for the others. Text mail repeats itself
// over short distances, so a 4 KiB window loses little.
inline constexpr int kDeflateWindowBits = 12;
inline constexpr int kDeflateMemLevel = 6;
// Decompressed input held for one connection before the rest waits, still
// compressed, in the socket buffer; bounds what a small "zip bomb" costs.
inline constexpr size_t kInflatedInputBuffered = 256u << 10;

// ---- mime (parsing stored messages; every byte of a message is untrusted)
// Nesting of multiparts and message/rfc822 parts; real mail stays under 10.
// Deeper content is kept as one opaque leaf. Bounds parser and BODYSTRUCTURE
// recursion, and the depth a client's BODYSTRUCTURE parser must handle.
inline constexpr size_t kMaxMimeDepth = 32;
// Parts in one message; real mail has tens. Bounds parse memory and the size
// of BODYSTRUCTURE. Boundaries past the limit are left unsplit.
inline constexpr size_t kMaxMimeParts = 5000;
// Parameters per Content-Type/-Disposition and tags per Content-Language;
// real fields have a handful. The rest are ignored.
inline constexpr size_t kMaxMimeParams = 64;
// RFC 2231 sections of one parameter value ("name*N"); 100 x ~70 bytes covers
// any real filename. Sections numbered beyond are ignored.
inline constexpr size_t kMaxRfc2231Sections = 100;
// Bytes of one header field value the parse keeps or derives anything from
// (ENVELOPE's Date, Subject, In-Reply-To and Message-ID; Content-Type and
// the other Content-* fields): far above any real field (a folded Subject is
// a few hundred bytes), small enough that a hostile header cannot make a
// message's structure, its cache entry or its sort keys big. The whole field
// is still in the message (BODY[HEADER]); ENVELOPE shows the prefix. Twice
// kMaxRfc2231Sections' worth of a folded filename, so none is cut.
inline constexpr size_t kMaxMimeFieldBytes = 16u << 10;
// An address field (From, To, Cc, ...) is parsed from its first this many
// bytes: some 1500 real addresses, more than any real recipient list.
inline constexpr size_t kMaxAddressFieldBytes = 64u << 10;
// Bytes of one SORT key (base subject, address, display name): comparing
// further than this decides nothing between real messages.
inline constexpr size_t kMaxSortKeyBytes = 1u << 10;
// Addresses (and group markers) kept per address field in an ENVELOPE; a
// field with more is a dump, not a recipient list, and each address costs
// ~20 response bytes, so this bounds ENVELOPE's size.
inline constexpr size_t kMaxEnvelopeAddresses = 5000;

// ---- lmtpd (RFC 2033 delivery; the peer is a trusted local MTA, but its
// input is still parsed defensively)
// A command line; RFC 5321 4.5.3.1.4 says 512, extensions (SIZE=, BODY=) and
// long addresses need more, and Postfix sends up to about 1000.
inline constexpr size_t kMaxLmtpCommandLineBytes = 2048;
// A line of message data; RFC 5321 allows 1000, real mail breaks that, so
// be tolerant, but bound the buffer a single line can grow.
inline constexpr size_t kMaxLmtpDataLineBytes = 1u << 20;
// Recipients of one transaction (RFC 5321 4.5.3.1.8 requires at least 100).
inline constexpr size_t kMaxLmtpRecipients = 100;
// Invalid commands before the connection is dropped.
inline constexpr int kMaxLmtpErrors = 20;
// Duplicate suppression: a message with the same Message-ID delivered to the
// same mailbox this recently is stored once. MTAs retry within minutes after
// a lost reply; an hour covers that without hiding real re-sends.
inline constexpr int64_t kLmtpDedupWindowSeconds = 60 * 60;
// Messages with the delivery's Message-ID (newest first) whose trace fields
// are read to find the same delivery: a retry finds its original among the
// newest; more would let anyone who reuses a Message-ID cost us reads.
inline constexpr size_t kLmtpDedupCandidates = 4;
// An LMTP client that completes no command or data line for this long is a
// stuck MTA (or one trickling bytes to hold the socket): free its socket.
// Bytes that complete no line do not count. Default of lmtp_timeout.
inline constexpr std::chrono::seconds kLmtpIdleTimeout{5 * 60};

// ---- control channel (doc/control.md)
// One request or response line: the largest is an admin command's output
// (a mailbox list of a big account); 1 MiB is far above that.
inline constexpr size_t kMaxControlLineBytes = 1 << 20;
// Nesting of a control message; version 1 uses two levels.
inline constexpr size_t kMaxControlDepth = 32;
// Until the hello: a peer that says nothing is not a control client.
inline constexpr std::chrono::seconds kControlHelloTimeout{30};
// After the hello: mailctl holds a connection for one command or a status pass.
inline constexpr std::chrono::seconds kControlIdleTimeout{5 * 60};
// mailctl: a slot that does not answer within this is reported down.
inline constexpr std::chrono::milliseconds kControlConnectTimeout{1000};
// mailctl: the longest a store command may take on the slot (a user delete).
inline constexpr std::chrono::milliseconds kControlCommandTimeout{120000};

// ---- replication channel (doc/replication.md)
// A request's line: the largest is an apply with a user's records (about
// 150 bytes each). Message files travel after the line, as its attachment.
inline constexpr size_t kMaxReplicationLineBytes = 128u << 20;
// A request's attachment: message files, in batches of at most
// kReplicationInlineBytes unless one message alone is bigger.
inline constexpr size_t kMaxReplicationAttachBytes = kMaxMessageBytesCeiling;
// One replication request; the largest is a blob of the biggest message.
inline constexpr std::chrono::milliseconds kReplicationCallTimeout{60000};
// Connecting to a replica and its hello.
inline constexpr std::chrono::milliseconds kReplicationConnectTimeout{2000};
// How often an idle master looks at its change log: bounds the lag a
// quiet moment adds (well under the 1 s goal).
inline constexpr std::chrono::milliseconds kReplicationPollInterval{20};
// Waits before reconnecting to a replica that is down, and before retrying
// a user whose sync failed: doubled after each failure up to the maximum.
inline constexpr std::chrono::milliseconds kReplicationRetryMin{250};
inline constexpr std::chrono::milliseconds kReplicationRetryMax{10000};
// Sync mode: the longest a write waits for its replicas before it is
// answered with a temporary error (or, with on_replica_down=degrade, as in
// async mode). Well above a healthy round trip, well below client timeouts.
inline constexpr std::chrono::milliseconds kSyncReplicationTimeout{10000};
// Sync mode: connections to each replica kept open for writers between
// their syncs (a writer finding none idle opens another).
inline constexpr size_t kSyncModeConnections = 16;
// Connections a master keeps to each replica: that many users sync at
// once (the replica applies different users in parallel, and their syncs
// share the disk's journal commits).
inline constexpr size_t kReplicationLanes = 4;
// Message bytes the fast path sends inside one apply request; a sync with
// more new mail than that asks which files are missing and sends them one
// by one.
inline constexpr uint64_t kReplicationInlineBytes = 16u << 20;
// Users read from the change log in one pass.
inline constexpr size_t kReplicationBatchUsers = 1000;
// An idle replica is asked whether it is still there this often, so one
// that restarted (maybe empty) gets its full pass without waiting for mail.
inline constexpr std::chrono::milliseconds kReplicationPingInterval{1000};
// Users of a full pass compared between two batches of the log: small, so
// new changes wait little behind an initial sync.
inline constexpr size_t kReplicationFullPassStep = 20;
// A replica down longer than this no longer holds the change log back: the
// full pass at its reconnection compares every user anyway.
inline constexpr std::chrono::seconds kReplicationOutageLimit{60};

// ---- logs and metrics
// One value in a log line (a user name, an error): longer than any real
// one; a 4 KiB name sent before login cannot flood the log.
inline constexpr size_t kMaxLogValueBytes = 256;
// A metrics scrape's request line and headers; a scraper sends a few.
inline constexpr size_t kMaxMetricsRequestBytes = 8u << 10;
// A metrics client that sends nothing for this long is dropped.
inline constexpr std::chrono::seconds kMetricsRequestTimeout{10};

}  // namespace slotmail::limits
