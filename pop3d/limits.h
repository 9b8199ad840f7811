// The limits of the POP3 server, each with its reason. They live here
// rather than in common/limits.h so that tuning one rebuilds pop3d/ only
// (common/limits.h is included by nearly every file). Same habit as
// limits.h: every number is named once, tighter before login than after.
#pragma once

#include <chrono>
#include <cstddef>

namespace slotmail::pop3d::limits {

// RFC 2449 4 allows commands of 255 octets with the CRLF; we accept the
// 512 its responses may use, for clients with long user names or passwords
// in USER/PASS. A longer line gets -ERR and is skipped, not buffered.
inline constexpr size_t kMaxCommandLineBytes = 512;
// The SASL PLAIN response after "AUTH PLAIN" (RFC 5034 4 lifts the command
// limit for it): base64 of authzid, authcid and password, each bounded by
// the store's name and password limits, with room to spare.
inline constexpr size_t kMaxAuthLineBytes = 4096;
// Client errors (-ERR to a malformed or misplaced command) before the
// connection is closed: a confused client stops costing us work.
inline constexpr int kMaxErrors = 20;
// RFC 1939 3: the autologout timer is at least 10 minutes after login.
inline constexpr std::chrono::seconds kIdleTimeout{600};
// Unread input allowed while a store request is outstanding (pipelining
// clients): past it the session stops reading until the answer is sent.
inline constexpr size_t kMaxPipelinedBytes = 64 << 10;

// Output a session may have queued (RETR of pipelined messages) before it
// stops answering further commands until the client has read it.
inline constexpr size_t kMaxPendingOutputBytes = 1 << 20;

}  // namespace slotmail::pop3d::limits
