// Paths, password hashes and flag sets.
#include <doctest/doctest.h>

#include "store/flags.h"
#include "store/password.h"
#include "store/paths.h"

using namespace slotmail::store;

TEST_CASE("paths: user names are encoded reversibly and never as given") {
  for (std::string user : {"alice", "alice@example.com", "a.b-c_d", "x..y"}) {
    std::string enc = EncodeUserName(user);
    CHECK(enc.find('/') == std::string::npos);
    CHECK(enc.find('.') == std::string::npos);
    CHECK(enc[0] != '.');
    auto dec = DecodeUserName(enc);
    REQUIRE(dec.has_value());
    CHECK(*dec == user);
  }
  CHECK(EncodeUserName("alice@example.com") == "alice=40example=2ecom");
  CHECK_FALSE(DecodeUserName("").has_value());
  CHECK_FALSE(DecodeUserName("a=4").has_value());   // truncated escape
  CHECK_FALSE(DecodeUserName("a=zz").has_value());  // not hex
  CHECK_FALSE(DecodeUserName("=61").has_value());   // 'a' is never escaped
  CHECK_FALSE(DecodeUserName("a.b").has_value());   // '.' is always escaped
}

TEST_CASE("paths: blob and segment paths") {
  SlotPaths p("/slot");
  std::string guid(64, 'a');
  CHECK(p.BlobPath("bob", guid).rfind("/slot/users/", 0) == 0);
  CHECK(p.BlobPath("bob", guid).find("/bob/blobs/aa/" + guid) != std::string::npos);
  CHECK(SlotPaths::ParseChangeSegmentName("changes.00000000000000000042") == 42u);
  CHECK_FALSE(SlotPaths::ParseChangeSegmentName("changes.42").has_value());
  CHECK_FALSE(SlotPaths::ParseChangeSegmentName("ack").has_value());
}

TEST_CASE("password: right password verifies, wrong one and damaged hashes do not") {
  std::string h = HashPassword("s3cret", 1000);
  CHECK(h.rfind("pbkdf2-sha256$1000$", 0) == 0);
  CHECK(VerifyPasswordHash("s3cret", h).ok());
  CHECK(VerifyPasswordHash("s3cret!", h).code() == slotmail::Code::kPermission);
  CHECK(VerifyPasswordHash("", h).code() == slotmail::Code::kPermission);
  // Salted: the same password hashes differently each time.
  CHECK(HashPassword("s3cret", 1000) != h);
  CHECK(VerifyPasswordHash("s3cret", "plain").code() == slotmail::Code::kCorruption);
  CHECK(VerifyPasswordHash("s3cret", "pbkdf2-sha256$10$00$00").code() ==
        slotmail::Code::kCorruption);  // too few iterations to trust
}

TEST_CASE("flags: normalisation dedups keywords case-insensitively and sorts") {
  Flags f{kFlagSeen | 0x100, {"Work", "$Junk", "work", "apple"}};
  REQUIRE(NormalizeFlags(&f).ok());
  CHECK(f.system == kFlagSeen);
  CHECK(f.keywords == std::vector<std::string>{"$Junk", "apple", "Work"});
  Flags bad{0, {"has space"}};
  CHECK(NormalizeFlags(&bad).code() == slotmail::Code::kInvalidArgument);
  Flags many;
  for (int i = 0; i < 100; ++i) many.keywords.push_back("k" + std::to_string(i));
  CHECK(NormalizeFlags(&many).code() == slotmail::Code::kTooBig);
}

TEST_CASE("flags: add, remove and replace") {
  Flags cur{kFlagSeen, {"a", "B"}};
  Flags add = ApplyFlagOp(cur, FlagOp::kAdd, Flags{kFlagFlagged, {"b", "c"}});
  CHECK(add.system == (kFlagSeen | kFlagFlagged));
  CHECK(add.keywords == std::vector<std::string>{"a", "B", "c"});
  Flags rem = ApplyFlagOp(add, FlagOp::kRemove, Flags{kFlagSeen, {"A"}});
  CHECK(rem.system == kFlagFlagged);
  CHECK(rem.keywords == std::vector<std::string>{"B", "c"});
  Flags rep = ApplyFlagOp(rem, FlagOp::kReplace, Flags{kFlagDraft, {}});
  CHECK(rep == Flags{kFlagDraft, {}});
}

TEST_CASE("flags: record hash depends on every field and stored keywords round-trip") {
  Flags f{kFlagSeen, {"x", "y"}};
  std::string g(64, 'b');
  uint64_t h = RecordHash(1, g, f, 5);
  CHECK(RecordHash(2, g, f, 5) != h);
  CHECK(RecordHash(1, std::string(64, 'c'), f, 5) != h);
  CHECK(RecordHash(1, g, Flags{kFlagSeen, {"x"}}, 5) != h);
  CHECK(RecordHash(1, g, f, 6) != h);
  Flags back;
  KeywordsFromString(KeywordsToString(f), &back);
  CHECK(back.keywords == f.keywords);
  KeywordsFromString("", &back);
  CHECK(back.keywords.empty());
}
