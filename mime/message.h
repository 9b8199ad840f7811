// The parse result of one RFC 5322 / MIME message held in memory: a tree of
// parts, each knowing where its header block and body lie in the message's
// bytes, plus the MIME facts IMAP needs (BODYSTRUCTURE, ENVELOPE, sections).
//
// A Message never points into the bytes it was parsed from: it holds offsets
// and owned copies of the few values it needs, so it can be cached (see
// serialize.h) and used long after the bytes are gone. Anything else about a
// header (any field, raw or unfolded) is read from the bytes on demand with
// ParseHeaderFields(bytes.substr(part.header...)) (header.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace slotmail::mime {

// Half-open byte range [begin, end) within the message.
struct Range {
  size_t begin = 0;
  size_t end = 0;
  size_t size() const { return end - begin; }
  std::string_view Of(std::string_view message) const {
    return message.substr(begin, end - begin);
  }
  bool operator==(const Range&) const = default;
};

// One Content-Type or Content-Disposition parameter after RFC 2231 sections
// have been joined.
struct Param {
  std::string name;   // attribute as first written, without "*N" / "*" suffixes
  // Not extended: the value with quoting removed. Extended (RFC 2231 "name*"):
  // the percent-decoded bytes, in `charset` (use ParamUtf8 for UTF-8).
  std::string value;
  bool extended = false;
  std::string charset;   // RFC 2231 charset; empty unless extended
  std::string language;  // RFC 2231 language; empty unless given
  bool operator==(const Param&) const = default;
};

// One entry of an IMAP-shaped address list (RFC 3501 7.4.2): either a
// mailbox, or a group start (name = group name) or a group end marker.
struct Address {
  enum class Kind : uint8_t { kMailbox = 0, kGroupStart = 1, kGroupEnd = 2 };
  Kind kind = Kind::kMailbox;
  // Mailbox: display name (RFC 5322 phrase with quoting removed, words joined by
  // one space, encoded words left as written), or failing that the last
  // comment; empty if neither. Group start: the group's display name.
  std::string name;
  std::string route;    // obs-route "@a,@b" (no trailing ':'); empty if none
  std::string mailbox;  // local part, quoting removed; "MISSING_MAILBOX" if absent
  std::string host;     // domain; "MISSING_DOMAIN" if absent
  bool operator==(const Address&) const = default;
};

// What ENVELOPE reports, taken from one RFC 5322 header. Strings are the
// unfolded field values with surrounding whitespace trimmed, not decoded
// (RFC 3501 carries header text as is); nullopt when the field is absent.
// The first occurrence of each field counts.
struct Envelope {
  std::optional<std::string> date;
  std::optional<std::string> subject;
  std::vector<Address> from, sender, reply_to, to, cc, bcc;  // as written; see imap/envelope.h for defaults
  std::optional<std::string> in_reply_to;
  std::optional<std::string> message_id;
  bool operator==(const Envelope&) const = default;
};

struct Disposition {
  std::string type;  // as written ("attachment", "inline", ...)
  std::vector<Param> params;
  bool operator==(const Disposition&) const = default;
};

struct Part {
  enum class Kind : uint8_t {
    kLeaf = 0,       // body is opaque bytes (text, image, or anything unexpanded)
    kMultipart = 1,  // children are the body parts between boundaries (>= 1)
    kMessage = 2,    // message/rfc822: children[0] is the encapsulated message
  };
  Kind kind = Kind::kLeaf;
  // Header block: from the part's first byte through the blank line that ends
  // the header, inclusive. Without a blank line, the whole part is header and
  // the body is empty (at the end).
  Range header;
  Range body;  // the rest of the part; octets as stored (still transfer-encoded)
  uint64_t body_lines = 0;  // LFs in body, plus 1 if it ends in a partial line

  // Effective media type. As written in the header (case kept), or the
  // default "text"/"plain" + charset=us-ascii (RFC 2045 5.2) when the field is
  // absent or invalid; "message"/"rfc822" when absent inside multipart/digest
  // (RFC 2046 5.1.5). A multipart without a usable boundary (none declared,
  // or never found) is read as the text/plain default; a container not
  // expanded because of kMaxMimeDepth / kMaxMimeParts is application/octet-stream.
  std::string type, subtype;
  std::vector<Param> params;

  std::string encoding;  // Content-Transfer-Encoding token as written; empty if absent
  std::optional<std::string> id, description, md5, location;  // trimmed, unfolded, raw
  std::optional<Disposition> disposition;
  std::vector<std::string> languages;  // Content-Language tags, in order

  // Set on every part whose header is an RFC 5322 message header: the root,
  // and children[0] of each kMessage part.
  std::optional<Envelope> envelope;

  std::vector<Part> children;

  bool IsType(std::string_view t, std::string_view sub) const;
  // First parameter named `name` (ASCII case-insensitive), or nullptr.
  const Param* FindParam(std::string_view name) const;
  bool operator==(const Part&) const = default;
};

struct Message {
  Part root;  // header = the message header; body = the message body (BODY[TEXT])
  size_t size() const { return root.body.end; }
  bool operator==(const Message&) const = default;
};

// Bytes of memory `message` holds, the heap included (strings, vectors,
// child parts) as far as their capacities show: what a cache of parsed
// messages charges for it. An estimate that only grows with the content.
size_t MemoryUsage(const Message& message);

// First parameter named `name` (ASCII case-insensitive) in `params`, or nullptr.
const Param* FindParam(const std::vector<Param>& params, std::string_view name);

}  // namespace slotmail::mime
