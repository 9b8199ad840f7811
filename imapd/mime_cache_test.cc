// Memory bounds of parsed messages (issue 14 point 10): the MIME cache is
// bounded by bytes, and what the parse keeps of one message (its structure,
// as cached and as stored in the index, and its sort keys) is bounded
// whatever its header holds. Checked by byte accounting, not by RSS.
#include "imapd/mime_cache.h"

#include <doctest/doctest.h>

#include "common/limits.h"
#include "common/utf8.h"
#include "mime/message_parser.h"
#include "mime/serialize.h"
#include "mime/sort_keys.h"

using namespace slotmail;
using imapd::MimeCache;

namespace {

// A message built to blow up its parse: a 2 MB Subject (the measured
// 10 MB -> 322 MB RSS attack), 2 MB address lists, long Content-* values
// and a 2 MB References field.
std::string HostileMessage() {
  const std::string big(2u << 20, 'x');
  std::string to = "To: ";
  for (size_t i = 0; to.size() < (2u << 20); ++i) to += "a" + std::to_string(i) + "@b, ";
  std::string refs = "References:";
  for (size_t i = 0; refs.size() < (2u << 20); ++i) refs += " <r" + std::to_string(i) + "@x>";
  return "Subject: " + big + "\r\n" + to + "\r\n" + refs + "\r\nFrom: \"" + big +
         "\" <a@b>\r\nMessage-ID: <" + big + ">\r\nContent-Type: text/plain; name=\"" + big +
         "\"\r\nContent-Description: " + big + "\r\nContent-Disposition: attachment; filename=" +
         big + "\r\n\r\nbody\r\n";
}

std::shared_ptr<const mime::Message> Parsed(const std::string& body) {
  return std::make_shared<const mime::Message>(mime::ParseMessage("Subject: s\r\n\r\n" + body));
}

}  // namespace

TEST_CASE("mime bounds: a hostile header's parse, stored structure and sort keys stay small") {
  const std::string msg = HostileMessage();
  REQUIRE(msg.size() > (12u << 20));
  const mime::Message parsed = mime::ParseMessage(msg);
  // Every kept value is a prefix of at most kMaxMimeFieldBytes, addresses
  // come from at most kMaxAddressFieldBytes: a few hundred KB in all,
  // against the 12 MB of the message (before: several times the message).
  const size_t bound = 16 * limits::kMaxMimeFieldBytes + 40 * limits::kMaxAddressFieldBytes;
  CHECK(mime::MemoryUsage(parsed) < bound);
  CHECK(mime::SerializeStructure(parsed).size() < bound);
  REQUIRE(parsed.root.envelope.has_value());
  CHECK(parsed.root.envelope->subject->size() == limits::kMaxMimeFieldBytes);
  CHECK(parsed.root.envelope->to.size() < limits::kMaxAddressFieldBytes / 8);
  const mime::SortKeys keys = mime::ComputeSortKeys(msg);
  CHECK(keys.subject.size() == limits::kMaxSortKeyBytes);
  CHECK(keys.display_from.size() <= limits::kMaxSortKeyBytes);
  CHECK(keys.references.size() == limits::kMaxThreadDepth);
  CHECK(keys.references.back() == mime::MessageIds(msg.substr(msg.find("References:"),
                                                              msg.find("\r\nFrom:") -
                                                                  msg.find("References:")))
                                      .back());  // the parent is kept
}

TEST_CASE("mime bounds: a real message is kept whole") {
  const std::string msg =
      "Subject: Re: the plan\r\nFrom: Ann <ann@example.org>\r\nTo: bob@example.org\r\n"
      "Message-ID: <1@example.org>\r\nReferences: <0@example.org>\r\n\r\nhi\r\n";
  const mime::Message parsed = mime::ParseMessage(msg);
  CHECK(*parsed.root.envelope->subject == "Re: the plan");
  CHECK(mime::ComputeSortKeys(msg).subject == "THE PLAN");
  CHECK(mime::MemoryUsage(parsed) < 4096);
}

TEST_CASE("utf8: Prefix never ends inside a sequence") {
  const std::string s = "ab\xc3\xa9\xe2\x82\xac";  // a b é €
  CHECK(utf8::Prefix(s, 100) == s);
  CHECK(utf8::Prefix(s, 2) == "ab");
  CHECK(utf8::Prefix(s, 3) == "ab");
  CHECK(utf8::Prefix(s, 4) == "ab\xc3\xa9");
  CHECK(utf8::Prefix(s, 5) == "ab\xc3\xa9");
  CHECK(utf8::Prefix(s, 6) == "ab\xc3\xa9");
  CHECK(utf8::Prefix("\x80\x80\x80\x80", 2) == "\x80\x80");  // malformed: bytes
}

TEST_CASE("mime cache: bounded by bytes, least recently used out first") {
  const auto small = Parsed("x");
  const size_t one = mime::MemoryUsage(*small);
  MimeCache cache(10 * one + 10 * 200);  // about ten small entries with bookkeeping
  for (int i = 0; i < 100; ++i) {
    cache.Put("g" + std::to_string(i), Parsed("m" + std::to_string(i)));
    CHECK(cache.bytes() <= 10 * one + 10 * 200);
  }
  CHECK(cache.entries() >= 5);
  CHECK(cache.entries() <= 10);
  CHECK(cache.Find("g99") != nullptr);
  CHECK(cache.Find("g0") == nullptr);
  // Used recently, kept: the oldest survives the next insertion, the one after it does not.
  const size_t kept = cache.entries();
  REQUIRE(cache.Find("g" + std::to_string(100 - kept)) != nullptr);
  cache.Put("h1", Parsed("h"));
  CHECK(cache.Find("g" + std::to_string(100 - kept)) != nullptr);
  CHECK(cache.Find("g" + std::to_string(101 - kept)) == nullptr);
}

TEST_CASE("mime cache: one structure bigger than the whole cache is not kept") {
  MimeCache cache(64u << 10);
  cache.Put("small", Parsed("x"));
  const size_t before = cache.bytes();
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "--b\r\nContent-Type: text/plain; a=b\r\n\r\nx\r\n";
  auto big = std::make_shared<const mime::Message>(mime::ParseMessage(
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + many + "--b--\r\n"));
  REQUIRE(mime::MemoryUsage(*big) > (64u << 10));
  cache.Put("big", big);
  CHECK(cache.Find("big") == nullptr);
  CHECK(cache.Find("small") != nullptr);  // not pushed out by it
  CHECK(cache.bytes() == before);
}
