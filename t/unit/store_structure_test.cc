// Store::FetchStructures: MIME structures come from the index (kept at
// append), are filled once for messages stored before the index kept them
// (or whose row is stale or damaged), and never need the message files
// once there. Store::ReadMessageHead reads a prefix.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mime/message_parser.h"
#include "store/paths.h"
#include "store/sqlite.h"
#include "store/store.h"
#include "t/unit/store_fixture.h"

namespace slotmail::store {
namespace {

std::string Msg(int n) {
  return "From: Sender" + std::to_string(n) + " <s" + std::to_string(n) + "@x>\r\n" +
         "Subject: part " + std::to_string(n) + "\r\n" +
         "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
         "--b\r\nContent-Type: text/plain\r\n\r\nhello " + std::to_string(n) + "\r\n" +
         "--b\r\nContent-Type: application/pdf; name=x.pdf\r\n" +
         "Content-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--b--\r\n";
}

class Fixture : public testing::StoreFixture {
 public:
  std::vector<std::string> Guids() {
    auto r = (*this)->FetchByUid("alice", "INBOX", {{1, UINT32_MAX}});
    REQUIRE(r.ok());
    std::vector<std::string> out;
    for (const auto& m : *r) out.push_back(m.guid);
    return out;
  }
  std::vector<std::shared_ptr<const mime::Message>> Fetch(const std::vector<std::string>& g) {
    auto r = (*this)->FetchStructures("alice", g);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    REQUIRE(r->size() == g.size());
    return r.value();
  }
  // Rows of mime_structures (closes and reopens the store around the count).
  int64_t Rows() {
    Close();
    auto db = Database::Open(SlotPaths(root()).IndexPath("alice"), false);
    REQUIRE(db.ok());
    auto s = (*db)->Prepare("SELECT count(*) FROM mime_structures");
    REQUIRE(s.ok());
    REQUIRE(s->Step().ok());
    const int64_t n = s->Int(0);
    Open();
    return n;
  }
};

// Message i (0-based) of `got` is the parse of Msg(i + 1).
void CheckParsed(const std::vector<std::shared_ptr<const mime::Message>>& got, int n) {
  REQUIRE(got.size() == static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    REQUIRE(got[i] != nullptr);
    CHECK(*got[i] == mime::ParseMessage(Msg(i + 1)));
  }
}

TEST_CASE("store: MIME structures are kept at append and read without the message files") {
  Fixture f;
  REQUIRE(f->CreateUser("alice", "secret").ok());
  for (int i = 1; i <= 4; ++i) REQUIRE(f->Append("alice", "INBOX", Msg(i), {}, 1700000000).ok());
  std::vector<std::string> guids = f.Guids();
  CHECK(f.Rows() == 4);
  f.RemoveBlobs(guids);
  f.Close();  // survives a restart: nothing of it was only in memory
  f.Open();
  CheckParsed(f.Fetch(guids), 4);
  CHECK(f->ReadMessage("alice", guids[0]).status().code() == Code::kNotFound);
  // Order and repetition as asked; an unknown GUID (no row, no file) is nullptr.
  const std::string unknown(64, 'a');
  auto some = f.Fetch({guids[2], unknown, guids[2]});
  CHECK(*some[0] == mime::ParseMessage(Msg(3)));
  CHECK(some[1] == nullptr);
  CHECK(*some[2] == *some[0]);
  CHECK(f->FetchStructures("alice", {"not-a-guid"}).status().code() == Code::kInvalidArgument);
}

TEST_CASE("store: MIME structures missing from an older index are computed once and kept") {
  Fixture f;
  REQUIRE(f->CreateUser("alice", "secret").ok());
  for (int i = 1; i <= 3; ++i) REQUIRE(f->Append("alice", "INBOX", Msg(i), {}, 1700000000).ok());
  std::vector<std::string> guids = f.Guids();
  f.Close();
  // An index from before the table existed (no schema stamp of this
  // build); reopening creates it empty.
  f.Sql("DROP TABLE mime_structures; PRAGMA user_version = 0");
  f.Open();
  CheckParsed(f.Fetch(guids), 3);
  CHECK(f.Rows() == 3);
  f.RemoveBlobs(guids);
  CheckParsed(f.Fetch(guids), 3);  // no file left: from the rows just kept
}

TEST_CASE("store: stale or damaged MIME structure rows are recomputed from the bytes") {
  Fixture f;
  REQUIRE(f->CreateUser("alice", "secret").ok());
  for (int i = 1; i <= 2; ++i) REQUIRE(f->Append("alice", "INBOX", Msg(i), {}, 1700000000).ok());
  std::vector<std::string> guids = f.Guids();
  f.Close();
  f.Sql("UPDATE mime_structures SET version = 0");
  f.Open();
  CheckParsed(f.Fetch(guids), 2);
  f.Close();
  f.Sql("UPDATE mime_structures SET data = x'01ff'");  // truncated record
  f.Open();
  CheckParsed(f.Fetch(guids), 2);
  f.RemoveBlobs(guids);
  CheckParsed(f.Fetch(guids), 2);  // the damaged rows were replaced
}

TEST_CASE("store: ReadMessageHead reads at most the asked prefix") {
  Fixture f;
  REQUIRE(f->CreateUser("alice", "secret").ok());
  auto a = f->Append("alice", "INBOX", Msg(1), {}, 1700000000);
  REQUIRE(a.ok());
  auto head = f->ReadMessageHead("alice", a->guid, 10);
  REQUIRE(head.ok());
  CHECK(*head == Msg(1).substr(0, 10));
  auto all = f->ReadMessageHead("alice", a->guid, 1 << 20);
  REQUIRE(all.ok());
  CHECK(*all == Msg(1));
}

}  // namespace
}  // namespace slotmail::store
