// FETCH answers from structures kept in the index exactly as from a fresh
// parse of the bytes, on every message of the MIME corpus, with the message
// files gone; header items read only the header prefix.
#include "imapd/fetch_structures.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include "imap/fetch_items.h"
#include "imap/parser.h"
#include "imapd/fetch_render.h"
#include "mime/message_parser.h"
#include "store/paths.h"
#include "t/unit/mime_corpus.h"
#include "t/unit/temp_dir.h"

namespace slotmail::imapd {
namespace {

std::vector<imap::FetchItem> Items(const std::string& items) {
  auto cmd = imap::ParseCommandText("t FETCH 1 " + items + "\r\n",
                                    imap::ParserLimits::Authenticated());
  REQUIRE(cmd.ok());
  auto r = imap::ParseFetchItems(cmd->args[1]);
  REQUIRE(r.ok());
  return r.value();
}

std::string Render(const std::string& items, const store::MessageInfo& m,
                   const std::string& bytes, const mime::Message& parsed) {
  FetchInput in;
  in.msg = &m;
  in.seq = 1;
  in.bytes = &bytes;
  in.parsed = &parsed;
  bool unknown_cte = false;
  return RenderFetch(Items(items), in, &unknown_cte);
}

TEST_CASE("imapd fetch: which items need the bytes, the structure, or only the header") {
  CHECK_FALSE(NeedsBytes(Items("(FLAGS ENVELOPE BODY BODYSTRUCTURE UID RFC822.SIZE)")));
  CHECK(NeedsStructure(Items("(FLAGS ENVELOPE)")));
  CHECK(NeedsBytes(Items("(ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")));
  CHECK(NeedsOnlyHeader(Items("(ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)] RFC822.HEADER)")));
  CHECK(NeedsOnlyHeader(Items("(BODY[HEADER] BODY[HEADER.FIELDS.NOT (TO)])")));
  CHECK_FALSE(NeedsOnlyHeader(Items("(BODY[HEADER] BODY[TEXT])")));
  CHECK_FALSE(NeedsOnlyHeader(Items("(BODY[1.HEADER])")));
  CHECK_FALSE(NeedsOnlyHeader(Items("(RFC822.HEADER BODY.PEEK[])")));
  CHECK_FALSE(NeedsOnlyHeader(Items("(BINARY[1])")));
}

TEST_CASE("imapd fetch: structures from the index render as a fresh parse on the MIME corpus") {
  testing::TempDir dir;
  auto opened = store::Store::Open(dir.path() + "/slot", {.kdf_iterations = 1000});
  REQUIRE(opened.ok());
  store::Store& st = **opened;
  REQUIRE(st.CreateUser("alice", "secret").ok());
  std::vector<std::string> corpus;
  for (const auto& e : std::filesystem::directory_iterator(testing::SourceDir() / "t/mime_corpus")) {
    if (e.path().extension() != ".eml") continue;
    corpus.push_back(testing::ReadFile(e.path()));
    REQUIRE(st.Append("alice", "INBOX", corpus.back(), {}, 1700000000).ok());
  }
  REQUIRE(corpus.size() >= 15);
  auto messages = st.FetchByUid("alice", "INBOX", {{1, UINT32_MAX}});
  REQUIRE(messages.ok());
  REQUIRE(messages->size() == corpus.size());

  const std::string header_items =
      "(RFC822.HEADER BODY.PEEK[HEADER] BODY.PEEK[HEADER.FIELDS (SUBJECT FROM DATE)] "
      "BODY.PEEK[HEADER.FIELDS.NOT (SUBJECT)]<5.20>)";
  store::SlotPaths paths(dir.path() + "/slot");
  for (size_t i = 0; i < corpus.size(); ++i) {
    const store::MessageInfo& m = (*messages)[i];
    const mime::Message fresh = mime::ParseMessage(corpus[i]);
    auto head = st.ReadMessageHead("alice", m.guid, fresh.root.header.end);
    REQUIRE(head.ok());
    CHECK(Render(header_items, m, *head, fresh) == Render(header_items, m, corpus[i], fresh));
    REQUIRE(::unlink(paths.BlobPath("alice", m.guid).c_str()) == 0);
  }

  MimeCache cache(1 << 20);  // empty: everything comes from the index
  auto loaded = LoadStructures(st, cache, "alice", *messages);
  REQUIRE(loaded.ok());
  CHECK(cache.hits() == 0);
  const std::string empty;
  for (size_t i = 0; i < corpus.size(); ++i) {
    const store::MessageInfo& m = (*messages)[i];
    INFO("message " << i);
    REQUIRE((*loaded)[i] != nullptr);
    const mime::Message fresh = mime::ParseMessage(corpus[i]);
    CHECK(*(*loaded)[i] == fresh);
    CHECK(Render("(ENVELOPE BODY BODYSTRUCTURE)", m, empty, *(*loaded)[i]) ==
          Render("(ENVELOPE BODY BODYSTRUCTURE)", m, corpus[i], fresh));
  }
  // Now every structure is cached: a second load needs no store call.
  auto again = LoadStructures(st, cache, "alice", *messages);
  REQUIRE(again.ok());
  CHECK(cache.hits() == corpus.size());
  CHECK((*again)[0] == (*loaded)[0]);
}

}  // namespace
}  // namespace slotmail::imapd
