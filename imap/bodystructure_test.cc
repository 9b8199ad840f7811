// BODY / BODYSTRUCTURE / ENVELOPE output: exact strings for hand-checked
// messages (t/mime_corpus), and an RFC 3501 section 9 grammar check applied to
// those and to thousands of mutated messages.
#include "imap/bodystructure.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "imap/envelope.h"
#include "mime/ascii.h"
#include "mime/message_parser.h"
#include "mime/mutator_testutil.h"
#include "mime/serialize.h"
#include "t/unit/mime_corpus.h"

namespace slotmail::imap {
namespace {

// A recursive-descent recogniser for RFC 3501 section 9's "body" and "envelope".
// Strict where the server has no choice: exactly one SP, no TAB, numbers
// fit 32 bits, extension data present for BODYSTRUCTURE and absent for
// BODY, group markers balanced.
class Grammar {
 public:
  explicit Grammar(std::string_view s) : s_(s) {}

  bool WholeBody(bool extended) { return Body(extended, 0) && pos_ == s_.size(); }
  bool WholeEnvelope() { return Envelope() && pos_ == s_.size(); }

 private:
  bool Lit(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool Sp() { return Lit(' '); }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  bool Nil() {
    if (s_.substr(pos_, 3) != "NIL") return false;
    pos_ += 3;
    return true;
  }
  bool Number() {
    size_t start = pos_;
    uint64_t v = 0;
    while (pos_ < s_.size() && mime::IsDigit(s_[pos_]) && pos_ - start < 11) {
      v = v * 10 + (s_[pos_++] - '0');
    }
    return pos_ > start && v <= 0xFFFFFFFFull;
  }
  bool String(std::string* out = nullptr) {
    std::string v;
    if (Lit('"')) {
      while (pos_ < s_.size() && s_[pos_] != '"') {
        unsigned char c = static_cast<unsigned char>(s_[pos_++]);
        if (c == '\\') {
          if (!Lit('"') && !Lit('\\')) return false;
          v += s_[pos_ - 1];
          continue;
        }
        if (c == 0 || c >= 0x80 || c == '\r' || c == '\n') return false;
        v += static_cast<char>(c);
      }
      if (!Lit('"')) return false;
    } else if (Lit('{')) {
      size_t start = pos_;
      if (!Number() || !Lit('}') || !Lit('\r') || !Lit('\n')) return false;
      size_t n = std::stoul(std::string(s_.substr(start, s_.find('}', start) - start)));
      if (s_.size() - pos_ < n) return false;
      v = s_.substr(pos_, n);
      if (v.find('\0') != std::string::npos) return false;
      pos_ += n;
    } else {
      return false;
    }
    if (out) *out = v;
    return true;
  }
  // nstring; *is_nil tells which.
  bool NString(bool* is_nil = nullptr) {
    bool nil = Nil();
    if (is_nil) *is_nil = nil;
    return nil || String();
  }
  bool Params() {
    if (Nil()) return true;
    if (!Lit('(')) return false;
    do {
      if (!String() || !Sp() || !String()) return false;
    } while (Sp());
    return Lit(')');
  }
  bool Dsp() {
    if (Nil()) return true;
    return Lit('(') && String() && Sp() && Params() && Lit(')');
  }
  bool Lang() {
    if (!Lit('(')) return NString();
    do {
      if (!String()) return false;
    } while (Sp());
    return Lit(')');
  }
  bool DspLangLoc() { return Dsp() && Sp() && Lang() && Sp() && NString(); }

  bool Body(bool extended, int depth) {
    if (depth > 100 || !Lit('(')) return false;
    if (Peek() == '(') {  // body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
      while (Peek() == '(') {
        if (!Body(extended, depth + 1)) return false;
      }
      if (!Sp() || !String()) return false;
      if (extended && !(Sp() && Params() && Sp() && DspLangLoc())) return false;
      return Lit(')');
    }
    std::string type, subtype;
    if (!String(&type) || !Sp() || !String(&subtype)) return false;
    // body-fields
    if (!Sp() || !Params() || !Sp() || !NString() || !Sp() || !NString() || !Sp() || !String() ||
        !Sp() || !Number()) {
      return false;
    }
    if (mime::EqualsIgnoreCase(type, "message") && mime::EqualsIgnoreCase(subtype, "rfc822")) {
      if (!Sp() || !Envelope() || !Sp() || !Body(extended, depth + 1) || !Sp() || !Number()) {
        return false;
      }
    } else if (mime::EqualsIgnoreCase(type, "text")) {
      if (!Sp() || !Number()) return false;
    }
    if (extended && !(Sp() && NString() && Sp() && DspLangLoc())) return false;
    return Lit(')');
  }

  bool Address(bool* in_group) {
    bool name_nil, adl_nil, mailbox_nil, host_nil;
    if (!Lit('(') || !NString(&name_nil) || !Sp() || !NString(&adl_nil) || !Sp() ||
        !NString(&mailbox_nil) || !Sp() || !NString(&host_nil) || !Lit(')')) {
      return false;
    }
    if (!host_nil) return true;  // a mailbox
    if (!name_nil || !adl_nil) return false;
    if (!mailbox_nil) {  // group start: no nesting
      if (*in_group) return false;
      *in_group = true;
      return true;
    }
    if (!*in_group) return false;  // group end
    *in_group = false;
    return true;
  }
  bool AddressList() {
    if (Nil()) return true;
    if (!Lit('(')) return false;
    bool in_group = false;
    do {
      if (!Address(&in_group)) return false;
    } while (Peek() == '(');
    return !in_group && Lit(')');
  }
  bool Envelope() {
    if (!Lit('(') || !NString() || !Sp() || !NString()) return false;
    for (int i = 0; i < 6; ++i) {
      if (!Sp() || !AddressList()) return false;
    }
    return Sp() && NString() && Sp() && NString() && Lit(')');
  }

  std::string_view s_;
  size_t pos_ = 0;
};

bool ValidBody(std::string_view s, bool extended) { return Grammar(s).WholeBody(extended); }
bool ValidEnvelope(std::string_view s) { return Grammar(s).WholeEnvelope(); }

std::string Bs(const std::string& msg) { return FormatBodyStructure(mime::ParseMessage(msg)); }
std::string Body(const std::string& msg) { return FormatBody(mime::ParseMessage(msg)); }

TEST_CASE("imap bodystructure: the grammar checker itself accepts and refuses") {
  CHECK(ValidBody("(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)", false));
  CHECK_FALSE(ValidBody("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 3028)", false));  // no lines
  CHECK_FALSE(ValidBody("(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)", true));     // no ext
  CHECK_FALSE(ValidBody("((\"a\" \"b\" NIL NIL NIL \"7bit\" 1) \"mixed\")", true));
  CHECK(ValidBody("((\"a\" \"b\" NIL NIL NIL \"7bit\" 1 NIL NIL NIL NIL) \"mixed\" NIL NIL NIL NIL)",
                  true));
  CHECK_FALSE(ValidBody("(\"a\"  \"b\" NIL NIL NIL \"7bit\" 1)", false));  // two spaces
  CHECK_FALSE(ValidBody("(\"a\" \"b\" NIL NIL NIL \"7bit\" 4294967296)", false));
  CHECK(ValidEnvelope("(NIL NIL ((NIL NIL \"g\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL NIL NIL)"));
  CHECK_FALSE(ValidEnvelope("(NIL NIL ((NIL NIL \"g\" NIL)) NIL NIL NIL NIL NIL NIL NIL)"));
  CHECK_FALSE(ValidEnvelope("(NIL NIL () NIL NIL NIL NIL NIL NIL NIL)"));
}

TEST_CASE("imap bodystructure: RFC 3501's example single part, as BODY") {
  // 3028 octets in 92 lines, with the header spelling of RFC 3501's example:
  // 91 lines of 33 octets and a last one of 25.
  std::string lines;
  for (int i = 0; i < 91; ++i) lines += std::string(31, 'a') + "\r\n";
  lines += std::string(23, 'b') + "\r\n";
  REQUIRE(lines.size() == 3028);
  std::string msg =
      "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\nContent-Transfer-Encoding: 7BIT\r\n\r\n" +
      lines;
  CHECK(Body(msg) == "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)");
}

TEST_CASE("imap bodystructure: defaults are lowercase and explicit") {
  CHECK(Bs("Subject: x\r\n\r\nhi\r\n") ==
        "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 4 1 NIL NIL NIL NIL)");
  CHECK(Body("Subject: x\r\n\r\nhi\r\n") ==
        "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 4 1)");
  // An explicit text type without a charset has no parameter list.
  CHECK(Bs("Content-Type: text/html\r\n\r\n<p>") ==
        "(\"text\" \"html\" NIL NIL NIL \"7bit\" 3 1 NIL NIL NIL NIL)");
}

TEST_CASE("imap bodystructure: case is kept as written") {
  CHECK(Bs("Content-Type: Multipart/Mixed; Boundary=\"B\"\r\n\r\n--B\r\n"
           "Content-Type: Image/JPEG; Name=\"A.JPG\"\r\nContent-Transfer-Encoding: Base64\r\n"
           "Content-Disposition: Attachment\r\n\r\nAA==\r\n--B--\r\n") ==
        "((\"Image\" \"JPEG\" (\"Name\" \"A.JPG\") NIL NIL \"Base64\" 4 NIL (\"Attachment\" NIL) "
        "NIL NIL) \"Mixed\" (\"Boundary\" \"B\") NIL NIL NIL)");
}

TEST_CASE("imap bodystructure: BODY omits extension data at every level") {
  std::string msg =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n"
      "Content-Disposition: inline\r\n\r\nSubject: in\r\nContent-Type: multipart/alternative; "
      "boundary=c\r\n\r\n--c\r\nContent-Language: en\r\n\r\none\r\n--c--\r\n\r\n--b--\r\n";
  std::string body = Body(msg);
  CHECK(body ==
        "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 105 "
        "(NIL \"in\" NIL NIL NIL NIL NIL NIL NIL NIL) "
        "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1) \"alternative\") 8) "
        "\"mixed\")");
  CHECK(ValidBody(body, false));
  std::string bs = Bs(msg);
  CHECK(bs ==
        "((\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 105 "
        "(NIL \"in\" NIL NIL NIL NIL NIL NIL NIL NIL) "
        "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1 NIL NIL (\"en\") NIL) "
        "\"alternative\" (\"boundary\" \"c\") NIL NIL NIL) 8 NIL (\"inline\" NIL) NIL NIL) "
        "\"mixed\" (\"boundary\" \"b\") NIL NIL NIL)");
  CHECK(ValidBody(bs, true));
}

TEST_CASE("imap bodystructure: RFC 2231 values are re-encoded, everything else escaped") {
  std::string msg =
      "Content-Type: application/octet-stream;\r\n name*0*=iso-8859-1'fr'caf%E9%20;\r\n"
      " name*1=\"(1) 'x'*%.bin\"\r\n\r\nx";
  CHECK(Bs(msg) ==
        "(\"application\" \"octet-stream\" (\"name*\" \"iso-8859-1'fr'caf%E9%20%281%29%20%27x%27%2A%25.bin\") "
        "NIL NIL \"7bit\" 1 NIL NIL NIL NIL)");
  // 8-bit bytes in a plain parameter go out as a literal.
  CHECK(Bs("Content-Type: text/plain; name=\"\xc3\xa9.txt\"\r\n\r\nx") ==
        "(\"text\" \"plain\" (\"name\" {6}\r\n\xc3\xa9.txt) NIL NIL \"7bit\" 1 1 NIL NIL NIL NIL)");
}

TEST_CASE("imap bodystructure: parts beyond the depth limit show as octet-stream") {
  std::string msg;
  for (int i = 0; i < 40; ++i) msg += "Content-Type: message/rfc822\r\n\r\n";
  msg += "x";
  std::string bs = Bs(msg);
  CHECK(ValidBody(bs, true));
  CHECK(bs.find("\"application\" \"octet-stream\"") != std::string::npos);
}

TEST_CASE("imap bodystructure: formatting a cached structure equals formatting a fresh parse") {
  std::string msg =
      "From: a@b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n"
      "--b\r\nContent-Type: message/rfc822\r\n\r\nTo: G: c@d;\r\n\r\ny\r\n--b--\r\n";
  mime::Message m = mime::ParseMessage(msg);
  Result<mime::Message> cached = mime::DeserializeStructure(mime::SerializeStructure(m));
  REQUIRE(cached.ok());
  CHECK(FormatBodyStructure(cached.value()) == FormatBodyStructure(m));
  CHECK(FormatBody(cached.value()) == FormatBody(m));
  CHECK(MessageEnvelope(cached.value()) == MessageEnvelope(m));
}

using testing::ReadFile;
using testing::SourceDir;

// An expected-output file without its one trailing newline.
std::string Expected(const std::filesystem::path& p) {
  std::string s = ReadFile(p);
  if (s.ends_with('\n')) s.pop_back();
  return s;
}

TEST_CASE("imap bodystructure: corpus messages give the hand-checked BODYSTRUCTURE and ENVELOPE") {
  std::filesystem::path dir = SourceDir() / "t/mime_corpus";
  INFO("corpus: " << dir.string());
  REQUIRE(std::filesystem::is_directory(dir));
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".eml") continue;
    std::filesystem::path base = entry.path();
    base.replace_extension();
    CAPTURE(base.string());
    std::string bytes = ReadFile(entry.path());
    mime::Message m = mime::ParseMessage(bytes);
    std::string want_bs = Expected(base.string() + ".bodystructure");
    std::string want_env = Expected(base.string() + ".envelope");
    CHECK(ValidBody(want_bs, true));
    CHECK(ValidEnvelope(want_env));
    CHECK(FormatBodyStructure(m) == want_bs);
    CHECK(MessageEnvelope(m) == want_env);
    CHECK(ValidBody(FormatBody(m), false));
    ++checked;
  }
  CHECK(checked >= 18);
}

TEST_CASE("imap bodystructure: every mutated message gives grammatical BODY, BODYSTRUCTURE and ENVELOPE") {
  uint32_t seed = mime::testing::FuzzSetting("SLOTMAIL_FUZZ_SEED", 7771);
  uint32_t rounds = mime::testing::FuzzSetting("SLOTMAIL_FUZZ_ROUNDS", 4000);
  INFO("SLOTMAIL_FUZZ_SEED=" << seed);
  mime::testing::MessageMutator mutator(seed);
  for (uint32_t i = 0; i < rounds; ++i) {
    std::string msg = mutator.Next();
    CAPTURE(i);
    mime::Message m = mime::ParseMessage(msg);
    std::string bs = FormatBodyStructure(m), body = FormatBody(m), env = MessageEnvelope(m);
    CAPTURE(bs);
    CAPTURE(env);
    CHECK(ValidBody(bs, true));
    CHECK(ValidBody(body, false));
    CHECK(ValidEnvelope(env));
  }
}

}  // namespace
}  // namespace slotmail::imap
