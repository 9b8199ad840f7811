#include "store/names.h"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/limits.h"

namespace slotmail::store {
namespace {

using namespace std::string_literals;  // "\0"s keeps the NUL

std::string CodeOf(const Status& s) { return CodeName(s.code()); }

// The canonical form, or "<Code>" when the name is refused.
std::string Canon(std::string_view name) {
  Result<std::string> r = CanonicalMailboxName(name);
  return r.ok() ? r.value() : "<" + CodeOf(r.status()) + ">";
}

// `depth` components of `component_bytes` bytes each, joined by '/'.
std::string Tree(size_t depth, size_t component_bytes) {
  std::string out;
  for (size_t i = 0; i < depth; ++i) {
    if (i > 0) out += kHierarchySeparator;
    out += std::string(component_bytes, static_cast<char>('a' + i % 26));
  }
  return out;
}

TEST_CASE("names: user names that are accepted") {
  for (const char* name : {"a", "0", "alice", "bob.smith", "x_y-z", "alice@example.com",
                           "a.b.c", "9lives", "a-", "a@"}) {
    CAPTURE(name);
    CHECK(ValidateUserName(name).ok());
  }
  CHECK(ValidateUserName(std::string(limits::kMaxUserNameBytes, 'u')).ok());
}

TEST_CASE("names: user names that are refused with InvalidArgument") {
  const std::vector<std::string> bad = {
      "",
      std::string(limits::kMaxUserNameBytes + 1, 'u'),
      "Alice",        // uppercase: callers lowercase first
      "a..b",
      ".alice",
      "-alice",
      "_alice",
      "@alice",
      "alice.",
      "a/b",          // would be a path separator
      "../etc",
      "a\0b"s,        // NUL
      "alice+tag",
      "al ice",
      "al\nice",
      "\xc3\xa9t\xc3\xa9",  // UTF-8 is not in the whitelist
  };
  for (const std::string& name : bad) {
    CAPTURE(name);
    Status s = ValidateUserName(name);
    CHECK(CodeOf(s) == "InvalidArgument");
    CHECK(!s.message().empty());
  }
}

TEST_CASE("names: UTF-8 validation") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("plain ascii"));
  CHECK(IsValidUtf8("\xc3\xa9"));                  // U+00E9
  CHECK(IsValidUtf8("\xe2\x82\xac"));              // U+20AC
  CHECK(IsValidUtf8("\xf0\x9f\x93\xa7"));          // U+1F4E7 emoji, 4 bytes
  CHECK(IsValidUtf8("\xf4\x8f\xbf\xbf"));          // U+10FFFF, the last code point
  CHECK(IsValidUtf8("\xed\x9f\xbf"));              // U+D7FF, just below surrogates
  CHECK(IsValidUtf8("\xee\x80\x80"));              // U+E000, just above surrogates
  CHECK(IsValidUtf8("\0"s));                       // NUL is valid UTF-8

  CHECK_FALSE(IsValidUtf8("\xc0\x80"));            // overlong NUL
  CHECK_FALSE(IsValidUtf8("\xc1\xbf"));            // overlong U+007F
  CHECK_FALSE(IsValidUtf8("\xe0\x9f\xbf"));        // overlong U+07FF
  CHECK_FALSE(IsValidUtf8("\xf0\x8f\xbf\xbf"));    // overlong U+FFFF
  CHECK_FALSE(IsValidUtf8("\xed\xa0\x80"));        // U+D800 surrogate
  CHECK_FALSE(IsValidUtf8("\xed\xbf\xbf"));        // U+DFFF surrogate
  CHECK_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));    // U+110000, past the end
  CHECK_FALSE(IsValidUtf8("\xf8\x88\x80\x80\x80"));  // 5-byte form
  CHECK_FALSE(IsValidUtf8("\xff"));
  CHECK_FALSE(IsValidUtf8("\x80"));                // stray continuation
  CHECK_FALSE(IsValidUtf8("a\xc3"));               // truncated 2-byte
  CHECK_FALSE(IsValidUtf8("\xe2\x82"));            // truncated 3-byte
  CHECK_FALSE(IsValidUtf8("\xf0\x9f\x93"));        // truncated 4-byte
  CHECK_FALSE(IsValidUtf8("\xf0\x9f\x93x"));       // continuation replaced by ASCII
  // Truncated at the end of the view although the bytes after it would complete it.
  CHECK_FALSE(IsValidUtf8(std::string_view("\xe2\x82\xac", 2)));
  CHECK_FALSE(IsValidUtf8(std::string_view("ok\xf0\x9f\x93\xa7", 5)));
  CHECK_FALSE(IsValidUtf8("\xc3\xa9\xa9"));        // one continuation too many
}

TEST_CASE("names: mailbox names keep their spelling except INBOX") {
  CHECK(Canon("INBOX") == "INBOX");
  CHECK(Canon("inbox") == "INBOX");
  CHECK(Canon("iNbOx") == "INBOX");
  CHECK(Canon("inbox/Foo") == "INBOX/Foo");
  CHECK(Canon("iNbOx/x") == "INBOX/x");
  CHECK(Canon("INBOXfoo") == "INBOXfoo");
  CHECK(Canon("inboxfoo") == "inboxfoo");
  CHECK(Canon("Foo/inbox") == "Foo/inbox");   // only the first level is special
  CHECK(Canon("Sent") == "Sent");
  CHECK(Canon("Archive/2024/Q1") == "Archive/2024/Q1");
  CHECK(Canon("Caf\xc3\xa9 \xf0\x9f\x93\xa7") == "Caf\xc3\xa9 \xf0\x9f\x93\xa7");
  CHECK(Canon("a.b/.hidden/..x") == "a.b/.hidden/..x");  // dots inside a level are fine
}

TEST_CASE("names: mailbox names that are refused with InvalidArgument") {
  const std::vector<std::string> bad = {
      "",
      "a//b", "/a", "a/", "/", "//",
      ".", "..", "a/../b", "a/./b", "../a", "a/..",
      "*", "%", "a*", "a/%/b",
      "a\x01" "b", "a\tb", "a\nb", "a\rb", "a\x7f", "a\0b"s,
      "\xc0\x80", "a\xed\xa0\x80", "bad\xff",
  };
  for (const std::string& name : bad) {
    CAPTURE(name);
    CHECK(Canon(name) == "<InvalidArgument>");
  }
}

TEST_CASE("names: mailbox length and depth limits are TooBig, exactly past the limit") {
  using limits::kMaxMailboxComponentBytes;
  using limits::kMaxMailboxDepth;
  using limits::kMaxMailboxNameBytes;

  const std::string longest_level(kMaxMailboxComponentBytes, 'c');
  CHECK(Canon(longest_level) == longest_level);
  CHECK(Canon(longest_level + "c") == "<TooBig>");
  CHECK(Canon("a/" + longest_level + "c/b") == "<TooBig>");

  const std::string deepest = Tree(kMaxMailboxDepth, 1);
  CHECK(Canon(deepest) == deepest);
  CHECK(Canon(Tree(kMaxMailboxDepth + 1, 1)) == "<TooBig>");

  // A long name built from short levels so that only the total limit applies.
  std::string longest = Tree(kMaxMailboxNameBytes / 200, 199);  // levels of 199 + '/'
  longest += kHierarchySeparator;
  longest += std::string(kMaxMailboxNameBytes - longest.size(), 'z');
  REQUIRE(longest.size() == kMaxMailboxNameBytes);
  CHECK(Canon(longest) == longest);
  CHECK(Canon(longest + "z") == "<TooBig>");
}

TEST_CASE("names: ancestors are the proper prefixes, outermost first") {
  CHECK(MailboxAncestors("a/b/c") == std::vector<std::string>{"a", "a/b"});
  CHECK(MailboxAncestors("INBOX/x") == std::vector<std::string>{"INBOX"});
  CHECK(MailboxAncestors("a").empty());
  CHECK(MailboxAncestors("a/b/c/d").size() == 3);
  CHECK(MailboxAncestors("a/b/c/d").back() == "a/b/c");
}

TEST_CASE("names: IsSameOrUnder respects level boundaries") {
  CHECK(IsSameOrUnder("a", "a"));
  CHECK(IsSameOrUnder("a/b", "a"));
  CHECK(IsSameOrUnder("a/b/c", "a/b"));
  CHECK(IsSameOrUnder("a/b/c", "a"));
  CHECK_FALSE(IsSameOrUnder("ab", "a"));
  CHECK_FALSE(IsSameOrUnder("a", "a/b"));
  CHECK_FALSE(IsSameOrUnder("b/a", "a"));
  CHECK_FALSE(IsSameOrUnder("a/bc", "a/b"));
  CHECK_FALSE(IsSameOrUnder("A/b", "a"));  // case-sensitive below INBOX
}

TEST_CASE("names: LIST patterns") {
  // '*' matches everything, across levels.
  CHECK(MatchMailboxPattern("*", "INBOX"));
  CHECK(MatchMailboxPattern("*", "a/b/c"));
  // '%' stops at the separator.
  CHECK(MatchMailboxPattern("%", "INBOX"));
  CHECK(MatchMailboxPattern("%", "Sent"));
  CHECK_FALSE(MatchMailboxPattern("%", "a/b"));
  CHECK(MatchMailboxPattern("INBOX/%", "INBOX/x"));
  CHECK_FALSE(MatchMailboxPattern("INBOX/%", "INBOX"));
  CHECK_FALSE(MatchMailboxPattern("INBOX/%", "INBOX/x/y"));
  CHECK(MatchMailboxPattern("INBOX/*", "INBOX/x/y"));
  CHECK(MatchMailboxPattern("%/%", "a/b"));
  CHECK_FALSE(MatchMailboxPattern("%/%", "a"));
  CHECK_FALSE(MatchMailboxPattern("%/%", "a/b/c"));
  CHECK(MatchMailboxPattern("%/%", "/"));  // '%' may match nothing
  // Literals with wildcards in between.
  CHECK(MatchMailboxPattern("a*b", "ab"));
  CHECK(MatchMailboxPattern("a*b", "axxb"));
  CHECK(MatchMailboxPattern("a*b", "a/x/b"));
  CHECK_FALSE(MatchMailboxPattern("a*b", "abc"));
  CHECK_FALSE(MatchMailboxPattern("a*b", "xab"));
  CHECK(MatchMailboxPattern("a%b", "axb"));
  CHECK_FALSE(MatchMailboxPattern("a%b", "a/b"));
  CHECK(MatchMailboxPattern("Sent", "Sent"));
  CHECK_FALSE(MatchMailboxPattern("Sent", "sent"));
  CHECK_FALSE(MatchMailboxPattern("Sent", "Sent/x"));
  CHECK_FALSE(MatchMailboxPattern("", "a"));
  CHECK(MatchMailboxPattern("**%%", "a/b"));
}

TEST_CASE("names: a LIST pattern spelling inbox in any case matches INBOX") {
  CHECK(MatchMailboxPattern("inbox", "INBOX"));
  CHECK(MatchMailboxPattern("InBoX", "INBOX"));
  CHECK(MatchMailboxPattern("inbox/%", "INBOX/x"));
  CHECK(MatchMailboxPattern("inbox/*", "INBOX/x/y"));
  CHECK_FALSE(MatchMailboxPattern("inbox", "INBOX/x"));
  CHECK_FALSE(MatchMailboxPattern("inboxfoo", "INBOXfoo"));  // not the INBOX level
  CHECK_FALSE(MatchMailboxPattern("x/inbox", "x/INBOX"));    // only the first level
}

TEST_CASE("names: a pathological LIST pattern is matched in polynomial time") {
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "b";
  const std::string name(limits::kMaxMailboxNameBytes, 'a');  // no 'b': never matches
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(MatchMailboxPattern(pattern, name));
  CHECK(MatchMailboxPattern(pattern, name + "b"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // Backtracking would take ~C(1024, 30) steps; the DP takes ~60k.
  CHECK(elapsed < std::chrono::milliseconds(500));
}

TEST_CASE("names: keywords") {
  for (const char* kw : {"$Forwarded", "$Junk", "NonJunk", "a", "work-2024", "x.y_z",
                         "a[b", "a+b", "~!#&'"}) {
    CAPTURE(kw);
    CHECK(ValidateKeyword(kw).ok());
  }
  CHECK(ValidateKeyword(std::string(limits::kMaxKeywordBytes, 'k')).ok());

  const std::vector<std::string> bad = {
      "",
      std::string(limits::kMaxKeywordBytes + 1, 'k'),
      "\\Seen",       // system flag syntax
      "\\",
      "a b", "a(b", "a)b", "a{b", "a%b", "a*b", "a\"b", "a\\b", "a]b",
      "a\x01", "a\x7f", "a\0b"s, "a\tb",
      "caf\xc3\xa9",  // 8-bit is not CHAR
  };
  for (const std::string& kw : bad) {
    CAPTURE(kw);
    CHECK(CodeOf(ValidateKeyword(kw)) == "InvalidArgument");
  }
}

}  // namespace
}  // namespace slotmail::store
