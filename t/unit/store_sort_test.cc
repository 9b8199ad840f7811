// Store::FetchSortKeys: sort keys come from the index (kept at append),
// are filled once for messages stored before the index kept them, and are
// never recomputed from the message files once there.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "store/store.h"
#include "t/unit/store_fixture.h"

namespace slotmail::store {
namespace {

std::string Msg(int n) {
  return "From: Sender" + std::to_string(n) + " <s" + std::to_string(n) + "@x>\r\n" +
         "Subject: Re: topic " + std::to_string(n % 3) + "\r\n" +
         "Date: Tue, 1 Jul 2003 10:" + std::to_string(10 + n) + ":00 +0000\r\n" +
         "Message-ID: <m" + std::to_string(n) + "@x>\r\nReferences: <m0@x>\r\n\r\nbody\r\n";
}

class Fixture : public testing::StoreFixture {
 public:
  std::vector<SortRecord> Fetch() {
    auto r = (*this)->FetchSortKeys("alice", "INBOX", {1, UINT32_MAX});
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return r.value();
  }
  void RemoveBlobs(const std::vector<SortRecord>& records) {
    std::vector<std::string> guids;
    for (const auto& r : records) guids.push_back(r.info.guid);
    StoreFixture::RemoveBlobs(guids);
  }
};

void CheckKeys(const std::vector<SortRecord>& records, int n) {
  REQUIRE(records.size() == static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    CHECK(records[i].info.uid == static_cast<uint32_t>(i + 1));
    CHECK(records[i].keys == mime::ComputeSortKeys(Msg(i + 1)));
  }
}

TEST_CASE("store: sort keys are kept at append and read without the message files") {
  Fixture f;
  REQUIRE(f->CreateUser("alice", "secret").ok());
  for (int i = 1; i <= 5; ++i) REQUIRE(f->Append("alice", "INBOX", Msg(i), {}, 1700000000).ok());
  auto records = f.Fetch();
  CheckKeys(records, 5);
  CHECK(records[0].keys.subject == "TOPIC 1");
  CHECK(records[0].keys.references == std::vector<std::string>{"<m0@x>"});
  f.RemoveBlobs(records);
  CheckKeys(f.Fetch(), 5);
  // A range reads only its messages.
  auto part = f->FetchSortKeys("alice", "INBOX", {2, 3});
  REQUIRE(part.ok());
  CHECK(part->size() == 2);
  CHECK(part->front().info.uid == 2);
}

TEST_CASE("store: sort keys missing from an older index are computed once and kept") {
  Fixture f;
  REQUIRE(f->CreateUser("alice", "secret").ok());
  for (int i = 1; i <= 4; ++i) REQUIRE(f->Append("alice", "INBOX", Msg(i), {}, 1700000000).ok());
  REQUIRE(f->Copy("alice", "INBOX", {{1, 1}}, "INBOX").ok());  // uid 5 shares uid 1's GUID
  f.Close();
  // An index from before the table existed (older builds left
  // user_version 0, no schema stamp); reopening creates it empty.
  f.Sql("DROP TABLE sort_keys; PRAGMA user_version = 0");
  f.Open();
  auto records = f.Fetch();
  REQUIRE(records.size() == 5);
  CHECK(records[4].keys == records[0].keys);
  f.RemoveBlobs(records);
  auto again = f.Fetch();  // no file left: these come from the rows just kept
  REQUIRE(again.size() == 5);
  CHECK(again[4].keys == again[0].keys);
  again.pop_back();
  CheckKeys(again, 4);

  // Rows of another derivation version count as missing.
  f.Close();
  f.Sql("UPDATE sort_keys SET version = 0, subject = 'STALE'");
  f.Open();
  auto stale = f.Fetch();  // the files are gone: empty keys, nothing stored
  REQUIRE(stale.size() == 5);
  CHECK(stale[0].keys.subject.empty());
}

}  // namespace

TEST_CASE("store: an index whose schema stamp differs gets the schema again on open") {
  Fixture f;
  REQUIRE(f->CreateUser("alice", "secret").ok());
  REQUIRE(f->Append("alice", "INBOX", Msg(1), {}, 1700000000).ok());
  f.Close();
  // A table dropped behind a current stamp stays missing (the schema is
  // skipped on open) ...
  f.Sql("DROP TABLE subscriptions");
  f.Open();
  CHECK(!f->Subscribe("alice", "INBOX").ok());
  f.Close();
  // ... and comes back once the stamp no longer matches this build's.
  f.Sql("PRAGMA user_version = 12345");
  f.Open();
  CHECK(f->Subscribe("alice", "INBOX").ok());
}

}  // namespace slotmail::store
