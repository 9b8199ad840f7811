// Store::FindMessageIdSince (store_dedup.cc): the index query behind LMTP's
// duplicate suppression.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "store/store.h"
#include "t/unit/temp_dir.h"

namespace slotmail::store {
namespace {

const int64_t kT = 1700000000;

class DedupStore {
 public:
  DedupStore() {
    auto s = Store::Open(dir_.path() + "/slot", {.kdf_iterations = 1000});
    REQUIRE(s.ok());
    store_ = std::move(s.value());
    REQUIRE(store_->CreateUser("alice", "secret").ok());
    REQUIRE(store_->CreateUser("bob", "secret").ok());
    REQUIRE(store_->CreateMailbox("alice", "Lists").ok());
  }
  Store* operator->() { return store_.get(); }
  void Append(const std::string& user, const std::string& box, const std::string& bytes,
              int64_t date) {
    auto r = store_->Append(user, box, bytes, Flags{}, date);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  }
  bool Has(const std::string& user, const std::string& box, const std::string& id,
           int64_t since) {
    auto r = store_->FindMessageIdSince(user, box, id, since, 10);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return !r->empty();
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace

TEST_CASE("store dedup: a Message-ID is found in its mailbox from its internal date on") {
  DedupStore s;
  s.Append("alice", "INBOX", "Subject: a\r\nMessage-ID:\r\n <m1@x> (c)\r\n\r\nbody\r\n", kT);
  CHECK(s.Has("alice", "INBOX", "<m1@x>", kT));
  CHECK(s.Has("alice", "inbox", "<m1@x>", kT - 100));
  CHECK_FALSE(s.Has("alice", "INBOX", "<m1@x>", kT + 1));  // older than the window
  CHECK_FALSE(s.Has("alice", "INBOX", "<m2@x>", kT));      // another id
  CHECK_FALSE(s.Has("alice", "INBOX", "m1@x", kT));        // ids keep their brackets
  CHECK_FALSE(s.Has("alice", "Lists", "<m1@x>", kT));      // another mailbox
  CHECK_FALSE(s.Has("bob", "INBOX", "<m1@x>", kT));        // another user
}

TEST_CASE("store dedup: the newest come first, at most as many as asked for") {
  DedupStore s;
  for (int i = 0; i < 3; ++i) {
    s.Append("alice", "INBOX", "Message-ID: <m1@x>\r\n\r\n" + std::to_string(i) + "\r\n", kT);
  }
  auto all = s->FindMessageIdSince("alice", "INBOX", "<m1@x>", kT, 10);
  auto two = s->FindMessageIdSince("alice", "INBOX", "<m1@x>", kT, 2);
  REQUIRE(all.ok());
  REQUIRE(two.ok());
  REQUIRE(all->size() == 3);
  CHECK(*two == std::vector<std::string>{(*all)[0], (*all)[1]});
  auto newest = s->FetchByUid("alice", "INBOX", {{3, 3}});
  REQUIRE(newest.ok());
  CHECK((*all)[0] == newest->at(0).guid);
}

TEST_CASE("store dedup: no Message-ID never matches, not even another without one") {
  DedupStore s;
  s.Append("alice", "INBOX", "Subject: none\r\n\r\nbody\r\n", kT);
  CHECK_FALSE(s.Has("alice", "INBOX", "", 0));
}

TEST_CASE("store dedup: copies count in their mailbox, expunged messages nowhere") {
  DedupStore s;
  s.Append("alice", "INBOX", "Message-ID: <m1@x>\r\n\r\none\r\n", kT);
  s.Append("alice", "INBOX", "Message-ID: <m1@x>\r\n\r\ntwo\r\n", kT + 10);
  REQUIRE(s->Copy("alice", "INBOX", UidSet{{1, 1}}, "Lists").ok());
  CHECK(s.Has("alice", "Lists", "<m1@x>", kT));
  // Expunging the first leaves the second: a later window still finds it.
  REQUIRE(s->StoreFlags("alice", "INBOX", UidSet{{1, 1}}, FlagOp::kAdd,
                        Flags{kFlagDeleted, {}}).ok());
  REQUIRE(s->Expunge("alice", "INBOX").ok());
  CHECK(s.Has("alice", "INBOX", "<m1@x>", kT));
  CHECK(s.Has("alice", "Lists", "<m1@x>", kT));  // the copy shares the content
  REQUIRE(s->StoreFlags("alice", "INBOX", UidSet{{2, 2}}, FlagOp::kAdd,
                        Flags{kFlagDeleted, {}}).ok());
  REQUIRE(s->Expunge("alice", "INBOX").ok());
  CHECK_FALSE(s.Has("alice", "INBOX", "<m1@x>", 0));
}

TEST_CASE("store dedup: unknown mailbox or user is an error, not a miss") {
  DedupStore s;
  CHECK(s->FindMessageIdSince("alice", "Nope", "<m@x>", 0, 1).status().code() == Code::kNotFound);
  CHECK(s->FindMessageIdSince("carol", "INBOX", "<m@x>", 0, 1).status().code() == Code::kNotFound);
  CHECK_FALSE(s->FindMessageIdSince("../x", "INBOX", "<m@x>", 0, 1).ok());
}

}  // namespace slotmail::store
