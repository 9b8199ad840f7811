// METADATA in the store (store_metadata.cc): entry names, set/remove,
// depth, limits, and the life of entries through RENAME and DELETE.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/limits.h"
#include "store/store.h"
#include "t/unit/temp_dir.h"

namespace slotmail::store {
namespace {

using namespace std::string_literals;

class MetaStore {
 public:
  MetaStore() {
    auto s = Store::Open(dir_.path() + "/slot", {.kdf_iterations = 1000});
    REQUIRE(s.ok());
    store_ = std::move(s.value());
    REQUIRE(store_->CreateUser("alice", "secret").ok());
  }
  Store* operator->() { return store_.get(); }
  Status Set(const std::string& box, const std::string& entry, std::optional<std::string> v) {
    return store_->SetMetadata("alice", box, {{entry, std::move(v)}});
  }
  std::vector<MetadataEntry> Get(const std::string& box, const std::string& entry,
                                 size_t depth = 0) {
    auto r = store_->GetMetadata("alice", box, entry, depth);
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    return r.value();
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace

TEST_CASE("metadata: entry names are checked and folded to lower case") {
  CHECK(CanonicalMetadataEntry("/private/Comment").value() == "/private/comment");
  CHECK(CanonicalMetadataEntry("/shared/vendor/vendor.x/a-b_c").ok());
  for (const char* bad : {"", "/", "/private", "/private/", "/other/x", "private/x",
                          "/private//x", "/private/x/", "/private/a*", "/shared/%",
                          "/private/a b", "/private/\xc3\xa9"}) {
    CHECK_MESSAGE(!CanonicalMetadataEntry(bad).ok(), bad);
  }
  CHECK(CanonicalMetadataEntry("/shared", /*allow_root=*/true).ok());
  CHECK(CanonicalMetadataEntry("/private/" + std::string(300, 'a')).status().code() ==
        Code::kTooBig);
}

TEST_CASE("metadata: depth counts levels below the base") {
  CHECK(MetadataEntryWithin("/private/a", "/private/a", 0));
  CHECK(!MetadataEntryWithin("/private/a/b", "/private/a", 0));
  CHECK(MetadataEntryWithin("/private/a/b", "/private/a", 1));
  CHECK(!MetadataEntryWithin("/private/a/b/c", "/private/a", 1));
  CHECK(MetadataEntryWithin("/private/a/b/c", "/private/a", SIZE_MAX));
  CHECK(!MetadataEntryWithin("/private/ab", "/private/a", SIZE_MAX));
}

TEST_CASE("metadata: set, read back binary-safe, replace and remove") {
  MetaStore s;
  const std::string binary = "a\0b\xff\r\n"s;
  REQUIRE(s.Set("INBOX", "/private/Comment", binary).ok());
  auto got = s.Get("inbox", "/PRIVATE/comment");
  REQUIRE(got.size() == 1);
  CHECK(got[0] == MetadataEntry{"/private/comment", binary});
  REQUIRE(s.Set("INBOX", "/private/comment", "new").ok());
  CHECK(s.Get("INBOX", "/private/comment")[0].value == "new");
  REQUIRE(s.Set("INBOX", "/private/comment", std::nullopt).ok());
  CHECK(s.Get("INBOX", "/private/comment").empty());
  // Removing what is not there is fine.
  CHECK(s.Set("INBOX", "/private/comment", std::nullopt).ok());
}

TEST_CASE("metadata: server entries are apart from mailbox entries") {
  MetaStore s;
  REQUIRE(s.Set("", "/shared/comment", "server").ok());
  REQUIRE(s.Set("INBOX", "/shared/comment", "inbox").ok());
  CHECK(s.Get("", "/shared/comment")[0].value == "server");
  CHECK(s.Get("INBOX", "/shared/comment")[0].value == "inbox");
}

TEST_CASE("metadata: GetMetadata honours depth and sorts by name") {
  MetaStore s;
  REQUIRE(s->SetMetadata("alice", "INBOX",
                         {{"/private/a/b/c", "3"}, {"/private/a", "1"}, {"/private/a/b", "2"},
                          {"/private/ab", "x"}, {"/shared/a", "s"}})
              .ok());
  auto names = [](const std::vector<MetadataEntry>& v) {
    std::vector<std::string> out;
    for (const auto& e : v) out.push_back(e.entry);
    return out;
  };
  CHECK(names(s.Get("INBOX", "/private/a", 0)) == std::vector<std::string>{"/private/a"});
  CHECK(names(s.Get("INBOX", "/private/a", 1)) ==
        std::vector<std::string>{"/private/a", "/private/a/b"});
  CHECK(names(s.Get("INBOX", "/private/a", SIZE_MAX)) ==
        std::vector<std::string>{"/private/a", "/private/a/b", "/private/a/b/c"});
  CHECK(names(s.Get("INBOX", "/private", SIZE_MAX)).size() == 4);
}

TEST_CASE("metadata: a missing mailbox is NotFound") {
  MetaStore s;
  CHECK(s.Set("Nope", "/private/comment", "x").code() == Code::kNotFound);
  CHECK(s->GetMetadata("alice", "Nope", "/private/comment", 0).status().code() ==
        Code::kNotFound);
}

TEST_CASE("metadata: entries follow RENAME and go with DELETE") {
  MetaStore s;
  REQUIRE(s->CreateMailbox("alice", "Work/Old").ok());
  REQUIRE(s.Set("Work/Old", "/private/comment", "kept").ok());
  REQUIRE(s->RenameMailbox("alice", "Work", "Job").ok());
  CHECK(s.Get("Job/Old", "/private/comment")[0].value == "kept");
  REQUIRE(s->DeleteMailbox("alice", "Job/Old").ok());
  REQUIRE(s->CreateMailbox("alice", "Job/Old").ok());
  CHECK(s.Get("Job/Old", "/private/comment").empty());
}

TEST_CASE("metadata: limits on value size and entry counts, all or nothing") {
  MetaStore s;
  const std::string big(limits::kMaxMetadataValueBytes + 1, 'x');
  CHECK(s.Set("INBOX", "/private/big", big).code() == Code::kTooBig);
  CHECK(s.Set("INBOX", "/private/ok", big.substr(1)).ok());
  std::vector<MetadataChange> many;
  for (size_t i = 0; i < limits::kMaxMetadataEntriesPerMailbox; ++i) {
    many.push_back({"/private/n" + std::to_string(i), "v"});
  }
  Status st = s->SetMetadata("alice", "INBOX", many);
  CHECK(st.code() == Code::kTooBig);
  CHECK(st.message() == "too many metadata entries");
  CHECK(s.Get("INBOX", "/private/n0").empty());  // nothing of the batch stayed
  // Removing in the same command makes room.
  many.push_back({"/private/ok", std::nullopt});
  CHECK(s->SetMetadata("alice", "INBOX", many).ok());
}

}  // namespace slotmail::store
