// The maildrop of one POP3 session (RFC 1939 5): the INBOX as it was at
// login, numbered 1..N in ascending UID order, and how a message goes on the
// wire. Messages appended later are not shown until the next session. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slotmail::pop3d {

struct MaildropMessage {
  uint32_t uid = 0;
  uint64_t size = 0;  // the stored size, which LIST and STAT report
  std::string guid;   // what ReadMessage takes
};

struct Maildrop {
  // INBOX's UIDVALIDITY: with the UID it makes the unique-id listing, and
  // replication keeps both equal on every slot of a store, so a UIDL
  // survives sessions and failovers (doc/pop3.md).
  uint32_t uidvalidity = 0;
  std::vector<MaildropMessage> messages;  // ascending UID
};

// The RFC 1939 7 unique-id of `m`: "<uidvalidity>.<uid>" (printable, at
// most 21 octets; RFC 1939 allows 70).
std::string Uidl(uint32_t uidvalidity, const MaildropMessage& m);

// Appends `message` as a multi-line response body (RFC 1939 3): every line
// ends in CRLF (a bare LF becomes CRLF, a missing last line end is added),
// a line starting with '.' gets one more, and ".\r\n" ends it. With
// `body_lines` (TOP), only the header, the empty line after it and that
// many lines of the body are sent.
void AppendMultiline(std::string_view message, std::optional<uint64_t> body_lines,
                     std::string* out);

}  // namespace slotmail::pop3d
