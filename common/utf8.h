// UTF-8 well-formedness (RFC 3629): one definition for every parser that
// must refuse or repair malformed text (JSON, MIME, mailbox names).
#pragma once

#include <cstddef>
#include <string_view>

namespace slotmail::utf8 {

// Length of the well-formed sequence at s[i] (no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 if there is none.
// REQUIRES: i < s.size().
size_t SequenceAt(std::string_view s, size_t i);

// True if every byte of `s` belongs to a well-formed sequence (NUL is one).
bool IsValid(std::string_view s);

// The longest prefix of `s` of at most `max` bytes that does not end inside
// a multi-byte sequence (malformed bytes count as one byte each).
std::string_view Prefix(std::string_view s, size_t max);

}  // namespace slotmail::utf8
