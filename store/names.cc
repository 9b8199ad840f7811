#include "store/names.h"

#include <cstdint>

#include "common/limits.h"
#include "common/utf8.h"

namespace slotmail::store {

namespace {

using limits::kMaxKeywordBytes;
using limits::kMaxMailboxComponentBytes;
using limits::kMaxMailboxDepth;
using limits::kMaxMailboxNameBytes;
using limits::kMaxUserNameBytes;

constexpr std::string_view kInbox = "INBOX";

bool IsInbox(std::string_view component) {
  if (component.size() != kInbox.size()) return false;
  for (size_t i = 0; i < kInbox.size(); ++i) {
    char c = component[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != kInbox[i]) return false;
  }
  return true;
}

// `name` with its first component respelled "INBOX" if it is "inbox" in any case.
std::string WithCanonicalInbox(std::string_view name) {
  std::string out(name);
  if (IsInbox(name.substr(0, name.find(kHierarchySeparator)))) {
    out.replace(0, kInbox.size(), kInbox);
  }
  return out;
}

bool IsUserNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '@' || c == '-';
}

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// RFC 3501 ATOM-CHAR: any CHAR except atom-specials.
bool IsAtomChar(unsigned char c) {
  if (c >= 0x80 || IsControl(c) || c == ' ') return false;
  return std::string_view("(){%*\"\\]").find(static_cast<char>(c)) == std::string_view::npos;
}

// The mailbox-name rules for one component (between separators).
Status ValidateComponent(std::string_view component) {
  if (component.empty()) {
    return Status::InvalidArgument("mailbox name has an empty hierarchy level");
  }
  if (component == "." || component == "..") {
    return Status::InvalidArgument("mailbox name has a \".\" or \"..\" level");
  }
  if (component.size() > kMaxMailboxComponentBytes) {
    return Status::TooBig("mailbox name has a level longer than " +
                          std::to_string(kMaxMailboxComponentBytes) + " bytes");
  }
  return Status::Ok();
}

}  // namespace

bool IsValidUtf8(std::string_view s) { return utf8::IsValid(s); }

Status ValidateUserName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("user name is empty");
  if (name.size() > kMaxUserNameBytes) {
    return Status::InvalidArgument("user name is longer than " +
                                   std::to_string(kMaxUserNameBytes) + " bytes");
  }
  for (char c : name) {
    if (!IsUserNameChar(c)) {
      return Status::InvalidArgument("user name may contain only a-z 0-9 . _ @ -");
    }
  }
  if (name[0] == '.' || name[0] == '_' || name[0] == '@' || name[0] == '-') {
    return Status::InvalidArgument("user name must start with a-z or 0-9");
  }
  if (name.find("..") != std::string_view::npos) {
    return Status::InvalidArgument("user name contains \"..\"");
  }
  if (name.back() == '.') return Status::InvalidArgument("user name ends with '.'");
  return Status::Ok();
}

Result<std::string> CanonicalMailboxName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("mailbox name is empty");
  if (name.size() > kMaxMailboxNameBytes) {
    return Status::TooBig("mailbox name is longer than " +
                          std::to_string(kMaxMailboxNameBytes) + " bytes");
  }
  if (!IsValidUtf8(name)) return Status::InvalidArgument("mailbox name is not UTF-8");
  for (char c : name) {
    if (IsControl(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("mailbox name contains a control character");
    }
    if (c == '*' || c == '%') {
      return Status::InvalidArgument("mailbox name contains a wildcard ('*' or '%')");
    }
  }
  size_t depth = 0;
  size_t start = 0;
  while (true) {
    const size_t end = name.find(kHierarchySeparator, start);
    RETURN_IF_ERROR(ValidateComponent(name.substr(start, end - start)));
    if (++depth > kMaxMailboxDepth) {
      return Status::TooBig("mailbox name is deeper than " + std::to_string(kMaxMailboxDepth) +
                            " levels");
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return WithCanonicalInbox(name);
}

std::vector<std::string> MailboxAncestors(std::string_view name) {
  std::vector<std::string> out;
  for (size_t pos = name.find(kHierarchySeparator); pos != std::string_view::npos;
       pos = name.find(kHierarchySeparator, pos + 1)) {
    out.emplace_back(name.substr(0, pos));
  }
  return out;
}

bool IsSameOrUnder(std::string_view name, std::string_view parent) {
  if (!name.starts_with(parent)) return false;
  return name.size() == parent.size() || name[parent.size()] == kHierarchySeparator;
}

// Dynamic programming over the pattern, one row per pattern byte: reach[j] is
// true when the pattern consumed so far matches name[0, j). Each row costs
// O(len(name)), so backtracking blow-ups ("*a*a*a...b") cannot happen.
bool MatchMailboxPattern(std::string_view pattern, std::string_view name) {
  const std::string pat = WithCanonicalInbox(pattern);
  const size_t n = name.size();
  std::vector<char> reach(n + 1, false);
  std::vector<char> next(n + 1);
  reach[0] = true;
  for (char p : pat) {
    if (p == '*') {
      bool seen = false;  // some prefix name[0, k), k <= j, matched; '*' eats the rest
      for (size_t j = 0; j <= n; ++j) {
        seen = seen || reach[j];
        next[j] = seen;
      }
    } else if (p == '%') {
      next[0] = reach[0];
      for (size_t j = 1; j <= n; ++j) {
        next[j] = reach[j] || (next[j - 1] && name[j - 1] != kHierarchySeparator);
      }
    } else {
      next[0] = false;
      for (size_t j = 1; j <= n; ++j) next[j] = reach[j - 1] && name[j - 1] == p;
    }
    bool alive = false;  // once no prefix matches, none ever will
    for (size_t j = 0; j <= n && !alive; ++j) alive = next[j];
    if (!alive) return false;
    reach.swap(next);
  }
  return reach[n];
}

Status ValidateKeyword(std::string_view keyword) {
  if (keyword.empty()) return Status::InvalidArgument("keyword is empty");
  if (keyword.size() > kMaxKeywordBytes) {
    return Status::InvalidArgument("keyword is longer than " + std::to_string(kMaxKeywordBytes) +
                                   " bytes");
  }
  for (char c : keyword) {
    if (!IsAtomChar(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("keyword contains a character not allowed in an atom");
    }
  }
  return Status::Ok();
}

}  // namespace slotmail::store
