#include "lmtpd/deliver.h"
#include "lmtpd/dedup.h"

#include <doctest/doctest.h>

#include "store/store.h"
#include "t/unit/temp_dir.h"

using namespace slotmail;
using lmtpd::Deliver;
using lmtpd::Outcome;
using lmtpd::Recipient;

namespace {

struct Slot {
  testing::TempDir dir;
  std::unique_ptr<store::Store> store;
  explicit Slot(store::StoreOptions options = {.kdf_iterations = 1000}) {
    auto s = store::Store::Open(dir.path() + "/slot", options);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    store = std::move(s.value());
    REQUIRE(store->CreateUser("alice", "secret").ok());
    REQUIRE(store->CreateMailbox("alice", "Lists").ok());
  }
  size_t Count(const std::string& box) {
    auto info = store->GetMailbox("alice", box);
    REQUIRE(info.ok());
    auto msgs = store->FetchByUid("alice", box, {{1, UINT32_MAX}});
    REQUIRE(msgs.ok());
    return msgs->size();
  }
};

Recipient To(const std::string& address) {
  Recipient r;
  REQUIRE(lmtpd::ParseRecipient(address, &r));
  return r;
}

const int64_t kNow = 1700000000;

}  // namespace

TEST_CASE("lmtp deliver: folder when it exists as IMAP names it, else INBOX") {
  Slot s;
  CHECK(Deliver(*s.store, To("alice+Lists@x"), "a\r\n", "", kNow) == Outcome::kDelivered);
  CHECK(Deliver(*s.store, To("alice+lists@x"), "b\r\n", "", kNow) == Outcome::kDelivered);
  CHECK(Deliver(*s.store, To("alice+INBOX@x"), "c\r\n", "", kNow) == Outcome::kDelivered);
  CHECK(s.Count("Lists") == 1);
  CHECK(s.Count("INBOX") == 2);
}

TEST_CASE("lmtp deliver: store refusals map to per-recipient outcomes") {
  Slot s({.kdf_iterations = 1000, .max_message_bytes = 1024});
  CHECK(Deliver(*s.store, To("bob@x"), "a\r\n", "", kNow) == Outcome::kUnknownUser);
  CHECK(Deliver(*s.store, To("../etc@x"), "a\r\n", "", kNow) == Outcome::kUnknownUser);
  CHECK(Deliver(*s.store, To("alice@x"), std::string(2000, 'x'), "", kNow) == Outcome::kTooBig);
  REQUIRE(s.store->SetQuota("alice", 0, 1).ok());
  CHECK(Deliver(*s.store, To("alice@x"), "a\r\n", "", kNow) == Outcome::kDelivered);
  CHECK(Deliver(*s.store, To("alice@x"), "b\r\n", "", kNow) == Outcome::kOverQuota);
}

TEST_CASE("lmtp deliver: the same Message-ID to the same folder is stored once") {
  Slot s;
  const std::string msg = "Message-ID: <m1@x>\r\n\r\nhi\r\n";
  CHECK(Deliver(*s.store, To("alice@x"), "Received: a\r\n" + msg, "<m1@x>", kNow) ==
        Outcome::kDelivered);
  CHECK(Deliver(*s.store, To("alice@x"), "Received: b\r\n" + msg, "<m1@x>", kNow + 5) ==
        Outcome::kDelivered);
  CHECK(s.Count("INBOX") == 1);
  // Another folder, another Message-ID, or outside the window: stored.
  CHECK(Deliver(*s.store, To("alice+Lists@x"), msg, "<m1@x>", kNow) == Outcome::kDelivered);
  CHECK(Deliver(*s.store, To("alice@x"), "Message-ID: <m2@x>\r\n\r\n", "<m2@x>", kNow) ==
        Outcome::kDelivered);
  CHECK(Deliver(*s.store, To("alice@x"), msg, "<m1@x>",
                kNow + limits::kLmtpDedupWindowSeconds + 1) == Outcome::kDelivered);
  CHECK(s.Count("Lists") == 1);
  CHECK(s.Count("INBOX") == 3);
}

TEST_CASE("lmtp deliver: Message-ID is found in the header only, unfolded") {
  CHECK(lmtpd::MessageIdOf("Subject: x\r\nmessage-ID:\r\n  <a@b> (c)\r\n\r\n") == "<a@b>");
  CHECK(lmtpd::MessageIdOf("Subject: x\r\n\r\nMessage-ID: <a@b>\r\n").empty());
  CHECK(lmtpd::MessageIdOf("Message-Id: <a@b>\n\n") == "<a@b>");
  CHECK(lmtpd::MessageIdOf("Message-ID-Not: <a@b>\r\n\r\n").empty());
}

TEST_CASE("lmtp deliver: Message-ID is derived as the store's sort keys derive it") {
  // Deliver finds duplicates by the index's message_id column: the same
  // derivation on both sides, or duplicates would never match.
  const std::string msg = "Message-ID: (c) < m3@x >  <m4@x>\r\n\r\nbody\r\n";
  CHECK(lmtpd::MessageIdOf(msg) == "<m3@x>");
  CHECK(lmtpd::MessageIdOf("Message-ID: m5@x\r\n\r\n").empty());  // no msg-id in it
  Slot s;
  CHECK(Deliver(*s.store, To("alice@x"), msg, lmtpd::MessageIdOf(msg), kNow) ==
        Outcome::kDelivered);
  auto dup = s.store->HasMessageIdSince("alice", "INBOX", "<m3@x>", kNow);
  REQUIRE(dup.ok());
  CHECK(*dup);
  CHECK(Deliver(*s.store, To("alice@x"), msg, lmtpd::MessageIdOf(msg), kNow + 1) ==
        Outcome::kDelivered);
  CHECK(s.Count("INBOX") == 1);
}
