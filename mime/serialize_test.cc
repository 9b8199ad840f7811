#include "mime/serialize.h"

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "mime/message_parser.h"

namespace slotmail::mime {
namespace {

const std::string kRich =
    "From: \"A, B\" <a@b.c>\r\nTo: G: x@y, <@r:z@w>;\r\nSubject: =?utf-8?q?hi?=\r\n"
    "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\nMessage-ID: <m@x>\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
    "--b\r\nContent-Type: text/plain; charset*=utf-8'en'%C3%A9\r\nContent-Language: en\r\n"
    "Content-ID: <c@x>\r\nContent-Description: d\r\nContent-MD5: m\r\nContent-Location: l\r\n"
    "\r\ntext\r\n"
    "--b\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline; filename=f\r\n\r\n"
    "Subject: in\r\n\r\nbody\r\n"
    "--b--\r\n";

TEST_CASE("mime: structure serialization round-trips") {
  for (const std::string& msg : {kRich, std::string(), std::string("Subject: x\r\n"),
                                 std::string("\n\n\n")}) {
    Message m = ParseMessage(msg);
    std::string data = SerializeStructure(m);
    Result<Message> back = DeserializeStructure(data);
    REQUIRE(back.ok());
    CHECK(back.value() == m);
    CHECK(SerializeStructure(back.value()) == data);
  }
}

TEST_CASE("mime: serialized structure is compact") {
  Message m = ParseMessage(kRich);
  CHECK(SerializeStructure(m).size() < kRich.size());
}

TEST_CASE("mime: damaged structure records are Corruption, never a crash") {
  std::string data = SerializeStructure(ParseMessage(kRich));
  CHECK(DeserializeStructure("").status().code() == Code::kCorruption);
  CHECK(DeserializeStructure("\x02").status().code() == Code::kCorruption);
  CHECK(DeserializeStructure(data + "x").status().code() == Code::kCorruption);
  for (size_t n = 0; n < data.size(); ++n) {
    CAPTURE(n);
    CHECK_FALSE(DeserializeStructure(data.substr(0, n)).ok());
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    std::string d = data;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) d[rng() % d.size()] = static_cast<char>(rng());
    Result<Message> r = DeserializeStructure(d);
    if (!r.ok()) continue;
    Result<Message> again = DeserializeStructure(SerializeStructure(r.value()));
    REQUIRE(again.ok());  // whatever it accepts, it can write and read back
    CHECK(again.value() == r.value());
  }
}

TEST_CASE("mime: a record whose kinds contradict its types is refused") {
  Message m = ParseMessage("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n");
  m.root.children.clear();  // a multipart with no children
  CHECK_FALSE(DeserializeStructure(SerializeStructure(m)).ok());
  Message leaf = ParseMessage("Content-Type: text/plain\r\n\r\nx");
  leaf.root.type = "message";
  leaf.root.subtype = "rfc822";  // a leaf message/rfc822 would need an envelope
  CHECK_FALSE(DeserializeStructure(SerializeStructure(leaf)).ok());
}

}  // namespace
}  // namespace slotmail::mime
