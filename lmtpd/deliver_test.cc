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

// Delivers as the LMTP session does: the trace fields naming the delivery id
// on top of the message as received, and the message's dedup key.
Outcome DeliverFrom(Slot& s, const std::string& to, const std::string& sender,
                    const std::string& msg, int64_t now) {
  const lmtpd::DedupKey key = lmtpd::DedupKeyOf(sender, msg);
  const std::string trace =
      lmtpd::TraceHeaders(sender, "mta.example", "127.0.0.1", "host", key.delivery_id, now);
  return Deliver(*s.store, To(to), trace + msg, key, now);
}

}  // namespace

TEST_CASE("lmtp deliver: folder when it exists as IMAP names it, else INBOX") {
  Slot s;
  CHECK(Deliver(*s.store, To("alice+Lists@x"), "a\r\n", {}, kNow) == Outcome::kDelivered);
  CHECK(Deliver(*s.store, To("alice+lists@x"), "b\r\n", {}, kNow) == Outcome::kDelivered);
  CHECK(Deliver(*s.store, To("alice+INBOX@x"), "c\r\n", {}, kNow) == Outcome::kDelivered);
  CHECK(s.Count("Lists") == 1);
  CHECK(s.Count("INBOX") == 2);
}

TEST_CASE("lmtp deliver: store refusals map to per-recipient outcomes") {
  Slot s({.kdf_iterations = 1000, .max_message_bytes = 1024});
  CHECK(Deliver(*s.store, To("bob@x"), "a\r\n", {}, kNow) == Outcome::kUnknownUser);
  CHECK(Deliver(*s.store, To("../etc@x"), "a\r\n", {}, kNow) == Outcome::kUnknownUser);
  CHECK(Deliver(*s.store, To("alice@x"), std::string(2000, 'x'), {}, kNow) == Outcome::kTooBig);
  REQUIRE(s.store->SetQuota("alice", 0, 1).ok());
  CHECK(Deliver(*s.store, To("alice@x"), "a\r\n", {}, kNow) == Outcome::kDelivered);
  CHECK(Deliver(*s.store, To("alice@x"), "b\r\n", {}, kNow) == Outcome::kOverQuota);
}

TEST_CASE("lmtp deliver: a retry of the same delivery to the same folder is stored once") {
  Slot s;
  const std::string msg = "Received: by mta\r\nMessage-ID: <m1@x>\r\n\r\nhi\r\n";
  CHECK(DeliverFrom(s, "alice@x", "s@x", msg, kNow) == Outcome::kDelivered);
  CHECK(DeliverFrom(s, "alice@x", "s@x", msg, kNow + 5) == Outcome::kDelivered);
  CHECK(s.Count("INBOX") == 1);
  // Another folder, another Message-ID, or outside the window: stored.
  CHECK(DeliverFrom(s, "alice+Lists@x", "s@x", msg, kNow) == Outcome::kDelivered);
  CHECK(DeliverFrom(s, "alice@x", "s@x", "Message-ID: <m2@x>\r\n\r\n", kNow) ==
        Outcome::kDelivered);
  CHECK(DeliverFrom(s, "alice@x", "s@x", msg, kNow + limits::kLmtpDedupWindowSeconds + 6) ==
        Outcome::kDelivered);
  CHECK(s.Count("Lists") == 1);
  CHECK(s.Count("INBOX") == 3);
}

TEST_CASE("lmtp deliver: a Message-ID seen first from another sender or with other content "
          "suppresses nothing") {
  // Anyone can put any Message-ID on a message: one sent first with the ID
  // of a message still to come must not make the real one vanish.
  Slot s;
  const std::string real = "Message-ID: <news-1@bank.example>\r\n\r\nyour statement\r\n";
  const std::string fake = "Message-ID: <news-1@bank.example>\r\n\r\nclick here\r\n";
  CHECK(DeliverFrom(s, "alice@x", "evil@x", real, kNow) == Outcome::kDelivered);
  CHECK(DeliverFrom(s, "alice@x", "evil@x", fake, kNow + 1) == Outcome::kDelivered);
  CHECK(s.Count("INBOX") == 2);
  CHECK(DeliverFrom(s, "alice@x", "news@bank.example", real, kNow + 2) == Outcome::kDelivered);
  CHECK(s.Count("INBOX") == 3);
  // Its own retry is still recognised among them.
  CHECK(DeliverFrom(s, "alice@x", "news@bank.example", real, kNow + 3) == Outcome::kDelivered);
  CHECK(s.Count("INBOX") == 3);
}

TEST_CASE("lmtp deliver: only slotd's own Received field carries the delivery id") {
  const std::string id = lmtpd::DeliveryId("s@x", "m");
  CHECK(id.size() == 32);
  CHECK(id != lmtpd::DeliveryId("t@x", "m"));
  CHECK(id != lmtpd::DeliveryId("s@x", "m\r\n"));
  const std::string ours = lmtpd::TraceHeaders("s@x", "mta", "127.0.0.1", "h", id, kNow);
  CHECK(lmtpd::CarriesDeliveryId(ours + "Subject: x\r\n\r\n", id));
  CHECK_FALSE(lmtpd::CarriesDeliveryId(ours, lmtpd::DeliveryId("s@x", "n")));
  CHECK_FALSE(lmtpd::CarriesDeliveryId(ours, ""));
  // The same words further down came with the message: not ours.
  const std::string other = lmtpd::TraceHeaders("s@x", "mta", "127.0.0.1", "h", "x", kNow);
  CHECK_FALSE(lmtpd::CarriesDeliveryId(other + ours, id));
  CHECK_FALSE(lmtpd::CarriesDeliveryId(ours.substr(0, ours.size() - 2), id));  // cut off
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
  CHECK(DeliverFrom(s, "alice@x", "s@x", msg, kNow) == Outcome::kDelivered);
  auto dup = s.store->FindMessageIdSince("alice", "INBOX", "<m3@x>", kNow, 10);
  REQUIRE(dup.ok());
  CHECK(dup->size() == 1);
  CHECK(DeliverFrom(s, "alice@x", "s@x", msg, kNow + 1) == Outcome::kDelivered);
  CHECK(s.Count("INBOX") == 1);
}
