#include "mime/content_type.h"

#include <doctest/doctest.h>

#include <string>

#include "common/limits.h"

namespace slotmail::mime {
namespace {

// "name=value;..." (extended ones as "name*=charset'lang'value").
std::string Show(const std::vector<Param>& params) {
  std::string out;
  for (const Param& p : params) {
    if (!out.empty()) out += ";";
    out += p.name + (p.extended ? "*=" + p.charset + "'" + p.language + "'" : "=") + p.value;
  }
  return out;
}

TEST_CASE("mime: content type with quoted and token parameters") {
  auto mt = ParseContentType("text/plain; charset=\"utf-8\"; format=flowed");
  REQUIRE(mt);
  CHECK(mt->type == "text");
  CHECK(mt->subtype == "plain");
  CHECK(Show(mt->params) == "charset=utf-8;format=flowed");
}

TEST_CASE("mime: content type keeps case as written") {
  auto mt = ParseContentType("Text/HTML; CharSet=ISO-8859-1");
  REQUIRE(mt);
  CHECK(mt->type == "Text");
  CHECK(mt->subtype == "HTML");
  CHECK(Show(mt->params) == "CharSet=ISO-8859-1");
}

TEST_CASE("mime: content type tolerates comments, folding and a missing ';'") {
  auto mt = ParseContentType(" text/plain (plain text) ;\r\n\tcharset=us-ascii (Plain text)");
  REQUIRE(mt);
  CHECK(Show(mt->params) == "charset=us-ascii");
  mt = ParseContentType("text/plain charset=utf-8");
  REQUIRE(mt);
  CHECK(Show(mt->params) == "charset=utf-8");
  mt = ParseContentType("text / plain ;; ; charset = utf-8 ;");
  REQUIRE(mt);
  CHECK(mt->subtype == "plain");
  CHECK(Show(mt->params) == "charset=utf-8");
}

TEST_CASE("mime: unquoted parameter values keep their specials") {
  auto mt = ParseContentType("multipart/mixed; boundary=----=_Part_1/2:3?");
  REQUIRE(mt);
  CHECK(Show(mt->params) == "boundary=----=_Part_1/2:3?");
  mt = ParseContentType("application/pdf; name=my file.pdf");
  REQUIRE(mt);
  CHECK(Show(mt->params) == "name=my file.pdf");
}

TEST_CASE("mime: quoted parameter values undo quoted-pairs and unfold") {
  auto mt = ParseContentType("a/b; x=\"say \\\"hi\\\" \\\\ ok\"; y=\"folded\r\n value\"");
  REQUIRE(mt);
  CHECK(Show(mt->params) == "x=say \"hi\" \\ ok;y=folded value");
}

TEST_CASE("mime: invalid content types are refused so the default applies") {
  CHECK_FALSE(ParseContentType(""));
  CHECK_FALSE(ParseContentType("text"));
  CHECK_FALSE(ParseContentType("text/"));
  CHECK_FALSE(ParseContentType("/plain"));
  CHECK_FALSE(ParseContentType("; charset=utf-8"));
}

TEST_CASE("mime: duplicate parameters keep the first") {
  auto mt = ParseContentType("text/plain; charset=utf-8; CHARSET=latin1");
  REQUIRE(mt);
  CHECK(Show(mt->params) == "charset=utf-8");
}

TEST_CASE("mime: RFC 2231 extended value with charset and language") {
  auto ps = ParseParams("; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
  CHECK(Show(ps) == "title*=us-ascii'en-us'This is ***fun***");
  CHECK(ParamUtf8(ps[0]) == "This is ***fun***");
  ps = ParseParams("filename*=utf-8''%E2%82%AC%20rates.pdf");
  CHECK(ParamUtf8(ps[0]) == "\xe2\x82\xac rates.pdf");
  ps = ParseParams("filename*=iso-8859-1''caf%E9.txt");
  CHECK(ParamUtf8(ps[0]) == "caf\xc3\xa9.txt");
}

TEST_CASE("mime: RFC 2231 sections are joined in order, mixing encoded and plain") {
  // RFC 2231 section 4.1's example, sections given out of order.
  auto ps = ParseParams(
      "title*2=\"isn't it!\"; title*1*=%2A%2A%2Afun%2A%2A%2A%20; "
      "title*0*=us-ascii'en'This%20is%20even%20more%20");
  CHECK(Show(ps) == "title*=us-ascii'en'This is even more ***fun*** isn't it!");
  ps = ParseParams("URL*0=\"ftp://\"; URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
  CHECK(Show(ps) == "URL=ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
}

TEST_CASE("mime: RFC 2231 sections win over the plain fallback, whatever the order") {
  auto ps = ParseParams("filename=\"fallback.pdf\"; filename*=utf-8''real.pdf");
  CHECK(Show(ps) == "filename*=utf-8''real.pdf");
  ps = ParseParams("filename*0*=utf-8''a; filename=\"b\"; filename*1=c");
  CHECK(Show(ps) == "filename*=utf-8''ac");
}

TEST_CASE("mime: RFC 2231 tolerates bad percent escapes and missing quotes") {
  auto ps = ParseParams("a*=utf-8''100%; b*=%41%zz; c*0*=x%4");
  CHECK(Show(ps) == "a*=utf-8''100%;b*=''A%zz;c*=''x%4");
  ps = ParseParams("d*1=tail");  // no section 0
  CHECK(Show(ps) == "d=tail");
}

TEST_CASE("mime: RFC 2231 section numbers past the limit are ignored") {
  std::string big = "x*" + std::to_string(limits::kMaxRfc2231Sections) + "=late; x*0=early";
  CHECK(Show(ParseParams(big)) == "x=early");
  CHECK(Show(ParseParams("x*99999999999999999999=a; y=b")) == "y=b");
}

TEST_CASE("mime: parameter count is bounded") {
  std::string text;
  for (size_t i = 0; i < limits::kMaxMimeParams * 3; ++i) text += ";p" + std::to_string(i) + "=v";
  CHECK(ParseParams(text).size() == limits::kMaxMimeParams);
}

TEST_CASE("mime: plain parameters carrying encoded words decode for display") {
  auto ps = ParseParams("name=\"=?utf-8?B?w6l0w6kucGRm?=\"");
  CHECK(ps[0].value == "=?utf-8?B?w6l0w6kucGRm?=");
  CHECK(ParamUtf8(ps[0]) == "\xc3\xa9t\xc3\xa9.pdf");
}

TEST_CASE("mime: content disposition with parameters") {
  auto d = ParseContentDisposition("attachment;\r\n filename=\"report.pdf\"; size=1234");
  REQUIRE(d);
  CHECK(d->type == "attachment");
  CHECK(Show(d->params) == "filename=report.pdf;size=1234");
  d = ParseContentDisposition("INLINE");
  REQUIRE(d);
  CHECK(d->type == "INLINE");
  CHECK(d->params.empty());
  CHECK_FALSE(ParseContentDisposition(""));
  CHECK_FALSE(ParseContentDisposition("; filename=x"));
}

TEST_CASE("mime: content language lists and transfer-encoding tokens") {
  CHECK(ParseLanguageList("en") == std::vector<std::string>{"en"});
  CHECK(ParseLanguageList(" da, en-GB (British) ,\r\n fr") ==
        std::vector<std::string>{"da", "en-GB", "fr"});
  CHECK(ParseLanguageList("").empty());
  CHECK(ParseEncodingToken(" BASE64 ") == "BASE64");
  CHECK(ParseEncodingToken("base64 (encoded)") == "base64");
  CHECK(ParseEncodingToken("(nothing)") == "");
}

}  // namespace
}  // namespace slotmail::mime
