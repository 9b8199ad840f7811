// IMAP string output (RFC 3501 4.3, 9): quoted strings where the grammar
// allows them, literals where it does not, NIL for absent values. Every
// response that carries data from a message or a user goes through these.
// Pure functions: no I/O, no state.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace slotmail::imap {

// `s` as an IMAP string: a quoted string ("..." with \ and " escaped) when
// every byte is a 7-bit TEXT-CHAR (no NUL, CR, LF or byte >= 0x80);
// otherwise a synchronizing literal "{n}\r\n" followed by the bytes, except
// that NUL, which IMAP forbids even in literals (RFC 3501 9), is sent as
// U+FFFD. (Message content that may hold NUL is not sent through this.)
std::string Quoted(std::string_view s);
// Appends Quoted(s) to *out.
void AppendQuoted(std::string_view s, std::string* out);
// Quoted for a session that takes UTF-8 (IMAP4rev2, RFC 9755 UTF8=ACCEPT):
// well-formed UTF-8 without NUL, CR or LF is a quoted string too (RFC 9051
// QUOTED-CHAR includes UTF8-2..4); anything else is as Quoted.
std::string QuotedUtf8(std::string_view s);

// NIL for nullopt, else Quoted.
std::string NString(const std::optional<std::string>& s);
void AppendNString(const std::optional<std::string>& s, std::string* out);

// An astring: the bytes as an atom when they are 1*ASTRING-CHAR (ATOM-CHAR
// or ']'), otherwise Quoted.
std::string AString(std::string_view s);

}  // namespace slotmail::imap
