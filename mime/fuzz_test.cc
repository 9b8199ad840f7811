// Robustness: thousands of random and mutated messages through every MIME
// entry point. Nothing may crash, and the part tree must keep its invariants.
// SLOTMAIL_FUZZ_SEED / SLOTMAIL_FUZZ_ROUNDS change the run.
#include <doctest/doctest.h>

#include <string>

#include "common/limits.h"
#include "mime/address.h"
#include "mime/binary_content.h"
#include "mime/content_type.h"
#include "mime/date.h"
#include "mime/encoded_word.h"
#include "mime/header.h"
#include "mime/message_parser.h"
#include "mime/mutator_testutil.h"
#include "mime/search_text.h"
#include "mime/section.h"
#include "mime/serialize.h"

namespace slotmail::mime {
namespace {

// Checks one part's invariants; returns the number of parts under it.
size_t CheckPart(const Part& p, const Range& within, size_t depth) {
  CHECK(within.begin <= p.header.begin);
  CHECK(p.header.begin <= p.header.end);
  CHECK(p.header.end == p.body.begin);
  CHECK(p.body.begin <= p.body.end);
  CHECK(p.body.end <= within.end);
  CHECK(depth <= limits::kMaxMimeDepth);
  switch (p.kind) {
    case Part::Kind::kLeaf: CHECK(p.children.empty()); break;
    case Part::Kind::kMultipart: CHECK(!p.children.empty()); break;
    case Part::Kind::kMessage:
      CHECK(p.children.size() == 1);
      CHECK(p.children[0].envelope.has_value());
      break;
  }
  size_t n = 1;
  size_t prev_end = p.body.begin;
  for (const Part& c : p.children) {
    CHECK(c.header.begin >= prev_end);  // siblings in order, not overlapping
    prev_end = c.body.end;
    n += CheckPart(c, p.body, depth + 1);
  }
  return n;
}

void Exercise(const std::string& msg) {
  Message m = ParseMessage(msg);
  CHECK(m.size() == msg.size());
  CHECK(m.root.header.begin == 0);
  CHECK(CheckPart(m.root, Range{0, msg.size()}, 0) <= limits::kMaxMimeParts);

  Result<Message> back = DeserializeStructure(SerializeStructure(m));
  REQUIRE(back.ok());
  CHECK(back.value() == m);

  (void)SearchableBody(msg, m);
  for (uint32_t a = 0; a < 4; ++a) {
    for (uint32_t b = 0; b < 3; ++b) {
      for (SectionText t : {SectionText::kNone, SectionText::kHeader, SectionText::kText,
                            SectionText::kMime}) {
        Result<Range> r = ResolveSection(m, b == 0 ? std::vector<uint32_t>{a}
                                                   : std::vector<uint32_t>{a, b}, t);
        if (r.ok()) CHECK(r->end <= msg.size());
      }
    }
  }
  std::string_view header = m.root.header.Of(msg);
  (void)ExtractHeaderFields(header, {"subject", "from"}, false);
  for (const HeaderField& f : ParseHeaderFields(header)) {
    (void)ParseAddressList(f.value);
    (void)ParseDate(f.value);
    (void)DecodeEncodedWords(f.value);
    (void)ParseContentType(f.value);
    for (const Param& p : ParseParams(f.value)) (void)ParamUtf8(p);
  }
}

TEST_CASE("mime: random and mutated messages never crash and keep the tree consistent") {
  uint32_t seed = testing::FuzzSetting("SLOTMAIL_FUZZ_SEED", 20240601);
  uint32_t rounds = testing::FuzzSetting("SLOTMAIL_FUZZ_ROUNDS", 4000);
  INFO("SLOTMAIL_FUZZ_SEED=" << seed);
  testing::MessageMutator mutator(seed);
  for (uint32_t i = 0; i < rounds; ++i) {
    std::string msg = mutator.Next();
    CAPTURE(i);
    Exercise(msg);
    // Binary parts re-encoded (RFC 3516 4.4): still a message, and stable.
    std::string encoded = msg;
    EncodeBinaryParts(&encoded);
    Exercise(encoded);
    std::string again = encoded;
    EncodeBinaryParts(&again);
    CHECK(again == encoded);
  }
}

TEST_CASE("mime: pathological shapes stay bounded") {
  // Thousands of delimiter lines for a boundary nobody declared, thousands
  // of empty lines, and a huge header without a body.
  std::string many_delims = "Content-Type: multipart/mixed; boundary=x\r\n\r\n";
  for (int i = 0; i < 20000; ++i) many_delims += "--x\r\n";
  Exercise(many_delims);
  Exercise(std::string(100000, '\n'));
  std::string long_header = "Subject: ";
  for (int i = 0; i < 20000; ++i) long_header += "word\r\n ";
  Exercise(long_header);
  Exercise(std::string(50000, '('));
  Exercise("To: " + std::string(50000, '"'));
}

}  // namespace
}  // namespace slotmail::mime
